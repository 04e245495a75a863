"""Command line: ``erlocate demo``, ``classical``, ``bench`` and ``backends``."""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import erlocate
from erlocate.datasets import random_euclidean

if TYPE_CHECKING:
    from erlocate.district.report import DistrictPlan


def summary_lines(plan: DistrictPlan) -> list[str]:
    """A few lines per model of the district plan, for ``erlocate demo``."""
    from erlocate.district.markdown import format_value as fmt
    from erlocate.district.report import TITLES

    f = plan.figures["value"]
    out = []
    for name, r in plan.results.items():
        out.append(
            f"{TITLES[name]}: {r.status}, objective {fmt(r.objective)}, gap "
            f"{'n/a' if r.gap is None else f'{100 * r.gap:.2g} %'}, {r.runtime:.2f} s, verified"
        )
        if name == "fire_stations":
            out.append(
                f"  within 5 min: {fmt(f['fire.within_before'])} ({f['fire.share_before']}) "
                f"with the existing station -> {fmt(f['fire.within_after'])} "
                f"({f['fire.share_after']}) with {f['fire.new']} new stations; "
                f"{fmt(f['fire.within_2_new'])} ({f['fire.share_2_new']}) with 2 new"
            )
        elif name == "shelters":
            out.append(
                f"  gross m²/person {f['shelters.gross_before']:.2f} -> "
                f"{f['shelters.gross_after']:.2f} (usable {f['shelters.usable_before']:.2f} -> "
                f"{f['shelters.usable_after']:.2f}); new: {f['shelters.new']}"
            )
        elif name == "depots":
            out.append(
                f"  {f['depots.open']} depots open (opened {f['depots.opened']}); "
                f"categories short of their peak need: {f['depots.short']}"
            )
        elif name == "teams":
            out.append(
                f"  zones meeting their minimum: {f['teams.zones_met']}; "
                f"{f['teams.rebased']} teams re-based"
            )
        if name in plan.findings:
            found = plan.findings[name]
            out.append(f"  finding: {found.summary} Solved instead: {found.instead}")
    return out


def writable_dir(path: str | Path, option: str = "--out") -> Path:
    """Create ``path`` if needed and prove it writable now, before minutes of solving."""
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".erlocate-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise erlocate.errors.InputError(
            f"{option}: cannot write to {str(out)!r} ({exc.strerror or exc}); "
            "pick a folder you can write to",
            field=option,
        ) from None
    return out


def _positive(kind: type) -> Callable[[str], Any]:
    """An argparse type: a finite number > 0 of ``kind`` (argparse reports the rest)."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {kind.__name__}: {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _seed(text: str) -> int:
    """An argparse type: an integer seed >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def _resolution(text: str) -> Any:
    """A demand resolution (:func:`erlocate.district.resolution.parse`) for argparse."""
    from erlocate.district.resolution import parse

    try:
        return parse(text)
    except erlocate.errors.InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _demo(args: argparse.Namespace) -> int:
    from erlocate.district import plan_district

    resolution = args.resolution
    writable_dir(args.out)
    start = time.perf_counter()
    print(
        "Shangjie district (embedded data: the plan's figures, synthetic geography): "
        "fire stations, shelters, depots, rescue teams"
        + ("" if isinstance(resolution, str) else f"; demand points: {resolution}")
        + "\n"
    )
    plan = plan_district(
        args.out, backend=args.backend, time_limit=args.time_limit, resolution=resolution
    )
    print("\n".join(summary_lines(plan)))
    print(
        f"\nwrote {Path(args.out) / 'report.md'} (+ maps/*.png, tables/*.csv) "
        f"in {time.perf_counter() - start:.1f} s"
    )
    return 0


def _classical(args: argparse.Namespace) -> int:
    if args.out:
        writable_dir(args.out)
    # each site holds 1.1 × the demand / 8: any 8 open sites can serve everyone, snugly
    slack = 1.1 * args.sites / 8
    inst = random_euclidean(
        args.demand, args.sites, seed=args.seed, speed=500.0, capacity_slack=slack
    )
    print(f"{inst!r}\n(costs are minutes at 30 km/h; weights are population)\n")
    models = [
        erlocate.PMedian(p=8),
        erlocate.PMedian(p=8, capacitated=True),
        erlocate.PCenter(p=8),
        erlocate.LSCP(max_cost=6.0),
        erlocate.MCLP(p=8, max_cost=4.0),
        erlocate.BackupCoverage(p=8, max_cost=4.0, theta=0.7),
        erlocate.UFLP(),
        erlocate.CFLP(),
    ]
    rows = []
    for model in models:
        try:
            result = erlocate.solve(model, inst, args.backend, time_limit=args.time_limit)
        except erlocate.errors.InfeasibleError as exc:  # e.g. capacities below the demand
            print(f"{model!r}: infeasible: {exc}\n")
            rows.append({"model": type(model).__name__, "status": "infeasible"})
            continue
        print(result.summary(), end="\n\n")
        rows.append(result.to_dict())
    table = pd.DataFrame(rows)
    cols = ["model", "status", "objective", "bound", "gap", "n_open", "runtime", "build_time"]
    print(table[cols].to_string(index=False))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        table.to_csv(out / "demo_results.csv", index=False)
        print(f"\nwrote {out / 'demo_results.csv'}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from erlocate import bench

    if args.out:
        writable_dir(args.out)
    cases = bench.suite(args.suite, instances=args.instances, range=args.range)
    df = bench.run(
        cases,
        args.backend,
        repeats=args.repeats,
        time_limit=args.time_limit,
        threads=args.threads,
        progress=not args.quiet,
        formulation=args.formulation,
    )
    table = bench.to_markdown(df, title=f"erlocate bench --suite {args.suite}")
    print(table)
    if args.out:
        out = Path(args.out)
        bench.to_csv(df, out / "results.csv")
        (out / "results.md").write_text(table)
        bench.performance_profile(df, out / "profile.png", title=f"{args.suite}: solve time")
        print(f"wrote {out / 'results.csv'}, {out / 'results.md'}, {out / 'profile.png'}")
    return int((df["status"] == "error").any())


def _flag(value: object) -> bool:
    return isinstance(value, (bool, np.bool_)) and bool(value)


def _backends(_: argparse.Namespace) -> int:
    from erlocate.backends import describe

    table = describe()
    for name, row in table.iterrows():
        if not row["usable"]:
            continue
        caps = [c for c in ("warm_start", "bound", "threads", "seed") if _flag(row[c])]
        if _flag(row["integer_only"]):
            caps.append("integer-only")
        size = "" if row["size_limit"] == "none" else f"; size limit {row['size_limit']}"
        print(f"{name:<8} {row['version']}")
        print(f"{'':<8} {row['interface']}")
        print(f"{'':<8} capabilities: {', '.join(caps)}{size}")
    missing = table[~table["usable"].astype(bool)]
    if len(missing):
        print("\nnot usable here:")
        for name, row in missing.iterrows():
            print(f"{name:<8} {row['why']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``erlocate`` command."""
    parser = argparse.ArgumentParser(prog="erlocate", description=erlocate.__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="plan the embedded district (fire stations, shelters, depots, teams) and write "
        "a report",
    )
    demo.add_argument("--out", default="erlocate-demo", help="report folder (default %(default)s)")
    demo.add_argument("--backend", default="highs", choices=erlocate.backends())
    demo.add_argument("--time-limit", type=_positive(float), default=60.0, help="seconds per model")
    demo.add_argument(
        "--resolution",
        type=_resolution,
        default="communities",
        help="demand points of the fire, shelter and depot models: communities (default), "
        "grid:<cell metres> (a population grid, e.g. grid:250) or points:<k per community>",
    )
    demo.set_defaults(func=_demo)
    classical = sub.add_parser(
        "classical", help="solve every classical model on a seeded random town"
    )
    classical.add_argument("--backend", default="highs", choices=erlocate.backends())
    classical.add_argument("--demand", type=_positive(int), default=300)
    classical.add_argument("--sites", type=_positive(int), default=40)
    classical.add_argument("--seed", type=_seed, default=0)
    classical.add_argument("--time-limit", type=_positive(float), default=60.0)
    classical.add_argument("--out", help="folder for the results table (CSV)")
    classical.set_defaults(func=_classical)
    bench = sub.add_parser(
        "bench", help="benchmark a suite of instances on the installed backends (CSV, MD, PNG)"
    )
    bench.add_argument(
        "--suite",
        required=True,
        help="orlib-pmed, orlib-scp, orlib-cap, cpmp, tsplib-pmed, mclp-ails, random or district",
    )
    pick = bench.add_mutually_exclusive_group()
    pick.add_argument("--instances", help="comma-separated names, e.g. pmed1,pmed2")
    pick.add_argument("--range", help="a-b: the a-th to b-th instance of the suite")
    bench.add_argument(
        "--backend",
        help="comma-separated backends, 'all' (the default: every available solver), aliases "
        "and pulp:<SOLVER> included",
    )
    bench.add_argument("--repeats", type=_positive(int), default=1)
    bench.add_argument("--time-limit", type=_positive(float), default=60.0, help="seconds per run")
    bench.add_argument("--threads", type=_positive(int), default=None)
    bench.add_argument("--out", help="folder for results.csv, results.md and profile.png")
    bench.add_argument("--quiet", action="store_true", help="no progress bar")
    bench.add_argument(
        "--formulation",
        choices=["auto", "dense", "radius", "benders"],
        help="solve uncapacitated p-median cases with this PMedian formulation "
        "(default: auto, i.e. Benders)",
    )
    bench.set_defaults(func=_bench)
    sub.add_parser(
        "backends", help="list the solver backends: version, interface, capabilities, why not"
    ).set_defaults(func=_backends)
    args = parser.parse_args(argv)
    # the library logs (progress without tqdm, solve stages at DEBUG); the command shows INFO
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    # the summaries the command prints carry the same note ("note: ... capacities ...")
    warnings.filterwarnings(
        "ignore", message=".* does not use site capacities", category=UserWarning
    )
    try:
        return int(args.func(args))
    except erlocate.errors.ErlocateError as exc:
        # argparse's convention: one line on stderr, exit status 2 (no traceback)
        one_line = " ".join(str(exc).split())
        print(f"erlocate: error: {one_line}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
