"""p-center: the radius search against the one dense MILP, on random Euclidean towns.

    python benchmarks/pcenter.py [--backend highs] [--seeds 0 1 2] [--dense-limit 60]
        [--out docs/benchmarks/pcenter.md]

Cases (``erlocate.datasets.random_euclidean``, metres in a 10 km square, integer
population weights): 500 × 120 and 2,000 × 300 at p = 3 and p = 10, unweighted;
500 × 120, p = 3 weighted; capacitated 500 × 120, p = 5, every site holding
1.3 × (or 1.05 ×) total demand / p, split and single-source demand (with the
uncapacitated p = 5 for comparison). The search (``PCenter(formulation="auto")``)
runs to proof; the dense MILP (``formulation="dense"``) only where marked, with
``--dense-limit`` seconds.
Prints one table (seconds are wall-clock of ``erlocate.solve``, build included) with
the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime
import os
import time
import warnings
from pathlib import Path

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.machine import describe

CASES = [  # (n, m, p, weighted, dense too, capacities: None or (kind, multiple of demand / p))
    (500, 120, 3, False, True, None),
    (500, 120, 10, False, True, None),
    (500, 120, 3, True, True, None),
    (2000, 300, 3, False, False, None),
    (2000, 300, 10, False, False, None),
    (500, 120, 5, False, False, None),
    (500, 120, 5, False, True, ("split", 1.3)),
    (500, 120, 5, False, False, ("single", 1.3)),
    (500, 120, 5, False, False, ("split", 1.05)),
    (500, 120, 5, False, False, ("single", 1.05)),
]


def steps_of(size: dict[str, float]) -> str:
    """Uncapacitated: "steps (greedy / MILP)"; capacitated: "uncapacitated steps + capacitated
    steps (master MILPs, cut sets)"."""
    if "uncapacitated_search_steps" in size:
        unc = int(size["uncapacitated_search_steps"])
        if "search_steps" not in size:
            return f"{unc} + 0 (the uncapacitated optimum fits)"
        return (
            f"{unc} + {int(size['search_steps'])} ({int(size['master_milps'])} masters, "
            f"{int(size['cut_sets'])} cut sets)"
        )
    if "search_steps" in size:
        return (
            f"{int(size['search_steps'])} ({int(size['decided_by_greedy'])} / "
            f"{int(size['decided_by_milp'])})"
        )
    return "-"


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
        "| n × m | p | weighted | capacities | seed | method | status | objective | bound "
        "| gap % | seconds | steps |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    print(head)
    # the uncapacitated rows ignore the instances' capacities on purpose
    warnings.filterwarnings("ignore", message=".*does not use site capacities")
    for n, m, p, weighted, dense, caps in CASES:
        for seed in args.seeds:
            slack = {} if caps is None else {"capacity_slack": caps[1] * m / p}
            inst = random_euclidean(n, m, seed=seed, **slack)  # capacities (1.3) * demand / p
            runs = [("search", args.time_limit)] + ([("dense", args.dense_limit)] if dense else [])
            for method, limit in runs:
                model = erlocate.PCenter(
                    p,
                    weighted=weighted,
                    capacitated=caps is not None,
                    single_source=caps is not None and caps[0] == "single",
                    formulation="auto" if method == "search" else "dense",
                )
                t = time.perf_counter()
                r = erlocate.solve(
                    model, inst, args.backend, time_limit=limit, raise_on_failure=False
                )
                secs = time.perf_counter() - t
                size = r.milp_size
                steps = steps_of(size)
                gap = "-" if r.gap is None else f"{100 * r.gap:.3g}"
                obj = "-" if r.objective is None else f"{r.objective:,.1f}"
                bound = "-" if r.bound is None else f"{r.bound:,.1f}"
                kind = "-" if caps is None else f"{caps[0]} {caps[1]:g}"
                row = (
                    f"| {n} × {m} | {p} | {weighted} | {kind} | {seed} | {method} | {r.status} "
                    f"| {obj} | {bound} | {gap} | {secs:.2f} | {steps} |"
                )
                rows.append(row)
                print(row, flush=True)
    if args.out:
        text = (
            "# p-center: radius search vs the dense MILP\n\n"
            f"`python benchmarks/pcenter.py` ({datetime.date.today()}). "
            f"{head[0].upper()}{head[1:]}. The dense MILP's rows stop at its time limit. "
            "Capacitated rows: every site holds the given multiple of total demand / p; their "
            "search first proves the uncapacitated radius (a lower bound), then runs the "
            "capacitated steps (`erlocate.decomposition.pcenter_steps`: 0/1 site master with "
            "cut-set rows, transport LP or single-source assignment MILP); the steps column "
            "counts both.\n\n" + "\n".join(rows) + "\n"
        )
        args.out.write_text(text)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
