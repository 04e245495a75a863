"""p-center: the radius search against the one dense MILP, on random Euclidean towns.

    python benchmarks/pcenter.py [--backend highs] [--seeds 0 1 2] [--dense-limit 60]
        [--out docs/benchmarks/pcenter.md]

Cases (``erlocate.datasets.random_euclidean``, metres in a 10 km square, integer
population weights): 500 × 120 and 2,000 × 300 at p = 3 and p = 10, unweighted;
500 × 120, p = 3 weighted. The search (``PCenter(formulation="auto")``) runs to proof;
the dense MILP (``formulation="dense"``) only on 500 × 120, with ``--dense-limit`` seconds.
Prints one table (seconds are wall-clock of ``erlocate.solve``, build included) with
the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.machine import describe

CASES = [  # (n, m, p, weighted, dense too)
    (500, 120, 3, False, True),
    (500, 120, 10, False, True),
    (500, 120, 3, True, True),
    (2000, 300, 3, False, False),
    (2000, 300, 10, False, False),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="highs")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--dense-limit", type=float, default=60.0)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    head = (
        f"{describe(args.backend).lstrip('# ')}; load average before the run "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    rows = [
        "| n × m | p | weighted | seed | method | status | objective | bound | gap % "
        "| seconds | steps (greedy / MILP) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    print(head)
    for n, m, p, weighted, dense in CASES:
        for seed in args.seeds:
            inst = random_euclidean(n, m, seed=seed)
            runs = [("search", args.time_limit)] + ([("dense", args.dense_limit)] if dense else [])
            for method, limit in runs:
                model = erlocate.PCenter(
                    p, weighted=weighted, formulation="auto" if method == "search" else "dense"
                )
                t = time.perf_counter()
                r = erlocate.solve(
                    model, inst, args.backend, time_limit=limit, raise_on_failure=False
                )
                secs = time.perf_counter() - t
                size = r.milp_size
                steps = (
                    f"{int(size['search_steps'])} ({int(size['decided_by_greedy'])} / "
                    f"{int(size['decided_by_milp'])})"
                    if "search_steps" in size
                    else "-"
                )
                gap = "-" if r.gap is None else f"{100 * r.gap:.3g}"
                obj = "-" if r.objective is None else f"{r.objective:,.1f}"
                bound = "-" if r.bound is None else f"{r.bound:,.1f}"
                row = (
                    f"| {n} × {m} | {p} | {weighted} | {seed} | {method} | {r.status} "
                    f"| {obj} | {bound} | {gap} | {secs:.2f} | {steps} |"
                )
                rows.append(row)
                print(row, flush=True)
    if args.out:
        text = (
            "# p-center: radius search vs the dense MILP\n\n"
            f"`python benchmarks/pcenter.py` (2026-12-06). {head[0].upper()}{head[1:]}. "
            "The dense MILP's rows stop at its time limit.\n\n" + "\n".join(rows) + "\n"
        )
        args.out.write_text(text)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
