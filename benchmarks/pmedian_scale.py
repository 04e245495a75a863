"""p-median at scale, formulation by formulation (dense, radius, benders), heuristic starts.

The tables of ``docs/benchmarks/pmedian-scale.md`` for the default method come from
``erlocate bench`` and ``benchmarks/pmedian_random.py``; its "Before Benders" table
came from this script.

    python benchmarks/pmedian_scale.py [--parts random orlib tsplib] [--orlib pmed26 pmed35]
        [--tsplib rl1304_p5 fl1400_p5] [--orlib-limit 120] [--tsplib-limit 300]
        [--formulation radius|dense|benders] [--out FILE.md]

Rows: the random Euclidean 1000 × 200, p = 10 instance of
``benchmarks/pmedian_random.py`` (seed 0) with both formulations; OR-Library
pmed1–40 and TSPLIB cases (Duran-Mateluna, Ales & Elloumi 2023) with the
chosen formulation and ``warm_start="heuristic"`` (greedy + interchange, not
exact). The Markdown table is rewritten after every row (so a long run can
be read while it goes). "heuristic" = the objective of the warm start.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import erlocate
from erlocate.heuristics import pmedian_greedy, pmedian_interchange
from erlocate.io import orlib_case, tsplib_case
from erlocate.machine import describe

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pmedian_random import instance as random_instance

HEAD = (
    "| instance | n | p | formulation | published | heuristic | objective | bound | status "
    "| gap % | build s | solve s | match |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def run(name, inst, model, published, limit, *, start: bool) -> dict:
    """Solve one case; the heuristic start is timed inside build s."""
    t = time.perf_counter()
    heur = None
    ws = None
    if start:
        ws = pmedian_interchange(
            inst, pmedian_greedy(inst, model.p), time_limit=min(10.0, limit / 10)
        )
        heur = model.evaluate(inst, ws)
    t_h = time.perf_counter() - t
    try:
        r = erlocate.solve(model, inst, time_limit=limit, warm_start=ws, raise_on_failure=False)
        obj, bound, status, gap = r.objective, r.bound, r.status, r.gap
        build, solve = r.build_time + t_h, r.runtime
    except Exception as exc:
        obj = bound = gap = None
        status, build, solve = f"error: {type(exc).__name__}", t_h, 0.0
    match = None if published is None or obj is None else abs(obj - published) < 0.5
    return dict(
        instance=name, n=inst.n_demand, p=model.p, formulation=model.formulation,
        published=published, heuristic=heur, objective=obj, bound=bound, status=status,
        gap=gap, build=build, solve=solve, match=match,
    )  # fmt: skip


def fmt(v, spec=".10g") -> str:
    return "—" if v is None else format(v, spec)


def line(r: dict) -> str:
    match = "—" if r["match"] is None else ("yes" if r["match"] else "no")
    gap = "—" if r["gap"] is None else f"{100 * r['gap']:.4g}"
    return (
        f"| {r['instance']} | {r['n']} | {r['p']} | {r['formulation']} | {fmt(r['published'])} "
        f"| {fmt(r['heuristic'])} | {fmt(r['objective'])} | {fmt(r['bound'], '.10g')} "
        f"| {r['status']} | {gap} | {r['build']:.2f} | {r['solve']:.2f} | {match} |"
    )


def summary(rows: list[dict], prefix: str) -> str:
    sel = [r for r in rows if r["instance"].startswith(prefix)]
    if not sel:
        return ""
    proven = [r for r in sel if r["status"] == "optimal"]
    slow = max(sel, key=lambda r: r["build"] + r["solve"])
    unproven = [r["instance"] for r in sel if r["status"] != "optimal"]
    return (
        f"**{prefix}**: {len(sel)} cases, {len(proven)} proven optimal, "
        f"{sum(bool(r['match']) for r in sel)} match the published value; build "
        f"{sum(r['build'] for r in sel):.1f} s, solve {sum(r['solve'] for r in sel):.1f} s; "
        f"slowest {slow['instance']} ({slow['build'] + slow['solve']:.1f} s). "
        f"Not proven: {', '.join(unproven) or 'none'}.\n"
    )


def write(out: Path | None, rows: list[dict], cmd: str, machine: str) -> None:
    text = "\n".join(
        [
            "# p-median at scale (HiGHS)",
            "",
            f"`{cmd}`",
            "",
            HEAD,
            *(line(r) for r in rows),
            "",
            summary(rows, "random"),
            summary(rows, "pmed"),
            summary(rows, "rl1304") + summary(rows, "fl1400"),
            f"`{machine}`",
            "",
        ]
    )
    if out is None:
        print(text)
    else:
        out.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", nargs="+", default=["random", "orlib", "tsplib"])
    parser.add_argument("--orlib", nargs="+", default=[f"pmed{k}" for k in range(1, 41)])
    parser.add_argument(
        "--tsplib", nargs="+", default=["rl1304_p5", "rl1304_p10", "fl1400_p5", "fl1400_p10"]
    )
    parser.add_argument("--formulation", default="radius")
    parser.add_argument("--random-limit", type=float, default=120.0)
    parser.add_argument("--orlib-limit", type=float, default=120.0)
    parser.add_argument("--tsplib-limit", type=float, default=300.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    cmd = "python benchmarks/pmedian_scale.py " + " ".join(sys.argv[1:])
    machine = describe("highs")
    rows: list[dict] = []

    def add(row: dict) -> None:
        rows.append(row)
        print(line(row), flush=True)
        if args.out is not None:
            write(args.out, rows, cmd, machine)

    if "random" in args.parts:
        inst = random_instance(0)
        for f in ("dense", "radius", "benders"):
            add(run("random1000x200", inst, erlocate.PMedian(10, formulation=f), None,
                    args.random_limit, start=False))  # fmt: skip
        dense = erlocate.PMedian(10, formulation="dense")
        add(run("random1000x200", inst, dense, None, args.random_limit, start=True))
    for part, names, limit, read in (
        ("orlib", args.orlib, args.orlib_limit, orlib_case),
        ("tsplib", args.tsplib, args.tsplib_limit, tsplib_case),
    ):
        if part not in args.parts:
            continue
        for name in names:
            case = read(name)
            model = erlocate.PMedian(case.p, formulation=args.formulation)
            add(run(name, case.instance, model, case.optimum, limit, start=True))
    if args.out is None:
        write(None, rows, cmd, machine)


if __name__ == "__main__":
    main()
