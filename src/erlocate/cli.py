"""Command line: ``erlocate demo``, ``erlocate backends``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

import erlocate
from erlocate.examples import random_euclidean


def _demo(args: argparse.Namespace) -> int:
    inst = random_euclidean(args.demand, args.sites, seed=args.seed, speed=500.0)
    print(f"{inst!r}\n(costs are minutes at 30 km/h; weights are population)\n")
    models = [
        erlocate.PMedian(p=8),
        erlocate.PMedian(p=8, capacitated=True),
        erlocate.PCenter(p=8),
        erlocate.LSCP(max_cost=4.0),
        erlocate.MCLP(p=8, max_cost=4.0),
        erlocate.BackupCoverage(p=8, max_cost=4.0, theta=0.7),
        erlocate.UFLP(),
        erlocate.CFLP(single_source=True),
    ]
    rows = []
    for model in models:
        result = erlocate.solve(model, inst, args.backend, time_limit=args.time_limit)
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


def _backends(_: argparse.Namespace) -> int:
    for name in erlocate.backends():
        print(name)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``erlocate`` command."""
    parser = argparse.ArgumentParser(prog="erlocate", description=erlocate.__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="solve every classical model on a seeded random town")
    demo.add_argument("--backend", default="highs", choices=erlocate.backends())
    demo.add_argument("--demand", type=int, default=300)
    demo.add_argument("--sites", type=int, default=40)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--time-limit", type=float, default=60.0)
    demo.add_argument("--out", help="folder for the results table (CSV)")
    demo.set_defaults(func=_demo)
    sub.add_parser("backends", help="list the solver backends installed here").set_defaults(
        func=_backends
    )
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
