"""Reproduce the published OR-Library optima: p-median (pmed), set covering (scp), warehouse (cap).

    python benchmarks/orlib.py --collection pmed [--instances pmed1,pmed2 | --range 1-40]
        [--backend highs[,pulp,ortools]] [--time-limit 60] [--threads N] [--out file.md]

Reads each case with ``erlocate.io.orlib_case`` (data from ``shared/data`` or
``$ERLOCATE_DATA``), solves ``case.model`` on ``case.instance`` with each
backend, and prints a Markdown table, one row per case and backend, as the
runs finish: size, published optimum, objective, bound, status, gap, seconds
to read, build and solve, and whether the objective matches the published
value. ``--range a-b`` picks the a-th to b-th case of the collection in
``optima.csv`` order (for pmed that is pmed{a} … pmed{b}); without
``--instances`` or ``--range`` every case whose file is present runs.

A run stopped by the time limit is reported as it is: status ``feasible``
with its bound and gap (or ``no_solution``). A failing case prints its error
in its row and the run goes on. The exit status is 1 when a case errs or a
proven optimum disagrees with a proven published one, else 0.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import erlocate
from erlocate.io import orlib_case, orlib_cases
from erlocate.machine import describe


@dataclass
class Row:
    """One case solved by one backend."""

    name: str
    backend: str
    model: str = ""
    n: int | None = None
    m: int | None = None
    p: int | None = None
    optimum: float | None = None
    proven_published: bool = False
    objective: float | None = None
    bound: float | None = None
    status: str = ""
    gap: float | None = None
    read_s: float = 0.0
    build_s: float = 0.0
    solve_s: float = 0.0
    match: str = "—"
    error: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def disagrees(self) -> bool:
        """A proven optimum that differs from a proven published optimum."""
        return self.status == "optimal" and self.proven_published and self.match.startswith("no")


def _num(v: float | None, decimals: int = 4) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v - round(v)) < 1e-6:  # absolute: 17160439.012 must keep its decimals
        return f"{round(v):d}"
    return f"{v:.{decimals}f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def run_case(name: str, backend: str, args: argparse.Namespace) -> Row:
    """Read, solve and compare one case; never raises."""
    row = Row(name=name, backend=backend)
    try:
        start = time.perf_counter()
        case = orlib_case(name)
        row.read_s = time.perf_counter() - start
        inst = case.instance
        row.model = type(case.model).__name__
        row.n, row.m, row.p = inst.n_demand, inst.n_sites, case.p
        row.optimum, row.proven_published = case.optimum, case.proven
        result = erlocate.solve(
            case.model,
            inst,
            backend,
            time_limit=args.time_limit,
            threads=args.threads,
            raise_on_failure=False,
        )
        row.status = result.status
        row.objective, row.bound, row.gap = result.objective, result.bound, result.gap
        row.build_s, row.solve_s = result.build_time, result.runtime
        ok = case.matches(result.objective)
        if ok is None:
            row.match = "—"
        elif ok:
            row.match = "yes"
        elif result.objective < case.optimum:  # every OR-Library objective here is minimised
            row.match = "no (better)"
        else:
            row.match = "no"
    except Exception as exc:  # one failing case must not stop the run
        row.status = "error"
        row.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    return row


def header(show_backend: bool, show_model: bool, show_p: bool) -> list[str]:
    cols = ["instance"]
    cols += ["backend"] if show_backend else []
    cols += ["model"] if show_model else []
    cols += ["n", "m"] + (["p"] if show_p else [])
    cols += ["published", "objective", "bound", "status", "gap %"]
    cols += ["read s", "build s", "solve s", "match"]
    return cols


def render(row: Row, show_backend: bool, show_model: bool, show_p: bool) -> list[str]:
    star = "" if row.proven_published or row.optimum is None else "*"
    cells = [row.name]
    cells += [row.backend] if show_backend else []
    cells += [row.model] if show_model else []
    cells += [_num(row.n), _num(row.m)] + ([_num(row.p)] if show_p else [])
    status = row.status if not row.error else f"error: {row.error}"
    gap = "—" if row.gap is None else f"{100 * row.gap:.4g}"
    cells += [_num(row.optimum, 3) + star, _num(row.objective), _num(row.bound), status, gap]
    cells += [f"{row.read_s:.2f}", f"{row.build_s:.2f}", f"{row.solve_s:.2f}", row.match]
    return [_cell(c) for c in cells]


def footer(
    rows: list[Row], backends: list[str], wall: float, args: argparse.Namespace
) -> list[str]:
    lines = [""]
    for b in backends:
        mine = [r for r in rows if r.backend == b]
        proven = sum(r.status == "optimal" for r in mine)
        matching = sum(r.match == "yes" for r in mine)
        with_opt = sum(r.optimum is not None for r in mine)
        errors = sum(r.status == "error" for r in mine)
        limited = [r.name for r in mine if r.status not in ("optimal", "error")]
        slowest = max(mine, key=lambda r: r.build_s + r.solve_s, default=None)
        lines.append(
            f"**{b}**: {len(mine)} cases, {proven} proven optimal, {matching} of {with_opt} "
            f"match the published value, {errors} errors; "
            f"read {sum(r.read_s for r in mine):.1f} s, "
            f"build {sum(r.build_s for r in mine):.1f} s, "
            f"solve {sum(r.solve_s for r in mine):.1f} s"
            + (
                f"; slowest {slowest.name} "
                f"({slowest.build_s + slowest.solve_s:.1f} s build + solve)"
                if slowest is not None
                else ""
            )
            + "."
        )
        if limited:
            lines.append("")
            lines.append(
                f"Not proven optimal within {args.time_limit:g} s ({b}): {', '.join(limited)}."
            )
        lines.append("")
    if any(not r.proven_published and r.optimum is not None for r in rows):
        lines.append("\\* published value is the best known, not a proven optimum.")
        lines.append("")
    lines.append(
        f"Time limit {args.time_limit:g} s per case, threads {args.threads or 'solver default'}; "
        f"wall time {wall:.1f} s. n = demand points, m = candidate sites "
        "(pmed: vertices; scp: rows, columns; cap: customers, facilities)."
    )
    lines.append("")
    for b in backends:
        lines.append(f"`{describe(b)}`  ")
    return lines


def select(args: argparse.Namespace) -> list[str]:
    names = orlib_cases(args.collection)
    if args.instances:
        wanted = [s.strip() for s in args.instances.split(",") if s.strip()]
        return wanted  # unknown names become error rows
    if args.range:
        try:
            lo, _, hi = args.range.partition("-")
            a, b = int(lo), int(hi or lo)
        except ValueError:
            raise SystemExit(f"--range: expected 'a-b' with integers, got {args.range!r}") from None
        if not 1 <= a <= b <= len(names):
            raise SystemExit(f"--range: must lie within 1-{len(names)} for {args.collection}")
        return names[a - 1 : b]
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--collection", required=True, choices=["pmed", "scp", "cap"])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--instances", help="comma-separated names, e.g. pmed1,pmed2")
    group.add_argument("--range", help="a-b: the a-th to b-th case in optima.csv order")
    parser.add_argument("--backend", default="highs", help="comma-separated backends")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per case")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    args = parser.parse_args(argv)

    backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    names = select(args)
    show_backend = len(backends) > 1
    show_model = args.collection == "cap"
    show_p = args.collection == "pmed"
    cols = header(show_backend, show_model, show_p)
    title = f"# OR-Library {args.collection}: {', '.join(backends)}"
    command = "python benchmarks/orlib.py " + " ".join(
        a if " " not in a else repr(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    top = [title, "", f"`{command}`", "", "| " + " | ".join(cols) + " |"]
    top.append("|" + "|".join("---" for _ in cols) + "|")
    print("\n".join(top), flush=True)

    rows: list[Row] = []
    body: list[str] = []
    start = time.perf_counter()
    for name in names:
        for b in backends:
            row = run_case(name, b, args)
            rows.append(row)
            body.append("| " + " | ".join(render(row, show_backend, show_model, show_p)) + " |")
            print(body[-1], flush=True)
            if args.out:  # keep a partial table if the run is stopped
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text("\n".join(top + body) + "\n")
    tail = footer(rows, backends, time.perf_counter() - start, args)
    print("\n".join(tail), flush=True)
    if args.out:
        args.out.write_text("\n".join(top + body + tail) + "\n")
    return int(any(r.status == "error" or r.disagrees for r in rows))


if __name__ == "__main__":
    sys.exit(main())
