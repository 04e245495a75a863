"""Reproduce the published OR-Library optima: p-median (pmed), set covering (scp), warehouse (cap).

    python benchmarks/orlib.py --collection pmed [--instances pmed1,pmed2 | --range 1-40]
        [--backend highs[,pulp,ortools]] [--time-limit 60] [--threads N] [--out file.md]

A thin wrapper over the benchmark harness (:mod:`erlocate.bench`; the same as
``erlocate bench --suite orlib-pmed ...``): reads each case with
``erlocate.io.orlib_case`` (data from ``shared/data`` or ``$ERLOCATE_DATA``),
solves it with each backend and prints the Markdown table of
:func:`erlocate.bench.to_markdown`: size, published optimum, objective, bound,
status, gap, build and solve seconds, peak memory and whether the objective
matches the published value. ``--range a-b`` picks the a-th to b-th case of
the collection in ``optima.csv`` order; without ``--instances`` or ``--range``
every case whose file is present runs.

A run stopped by the time limit is reported as it is: status ``feasible`` with
its bound and gap (or ``no_solution``). A failing case shows its error in its
row and the run goes on. The exit status is 1 when a case errs or a proven
optimum disagrees with a proven published one, else 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from erlocate import bench


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

    cases = bench.suite(f"orlib-{args.collection}", instances=args.instances, range=args.range)
    df = bench.run(cases, args.backend, time_limit=args.time_limit, threads=args.threads)
    command = "python benchmarks/orlib.py " + " ".join(
        a if " " not in a else repr(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    title = f"OR-Library {args.collection}: {args.backend}"
    table = bench.to_markdown(df, title=title).replace("\n\n", f"\n\n`{command}`\n\n", 1)
    print(table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table)
    disagrees = (
        (df["status"] == "optimal")
        & df["proven_optimum"].fillna(False)
        & ~df["matches"].fillna(True)
    )
    return int((df["status"] == "error").any() or disagrees.any())


if __name__ == "__main__":
    sys.exit(main())
