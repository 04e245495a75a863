"""Time to proven optimality: random Euclidean p-median, 1000 demand points, 200 sites, p = 10.

    python benchmarks/pmedian_random.py [--backend highs] [--seeds 0 1 2] [--time-limit 600]
        [--formulation auto|dense|radius|benders]

This is the case spopt with HiGHS needs about 250 s for (and then calls a
non-optimal answer optimal). Prints build and solve seconds, status, gap.
"""

from __future__ import annotations

import argparse

import numpy as np

import erlocate
from erlocate.machine import describe


def instance(seed: int, n: int = 1000, m: int = 200) -> erlocate.Instance:
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, 2)) * 10_000, rng.random((m, 2)) * 10_000
    cost = np.linalg.norm(a[:, None] - b[None], axis=2)
    return erlocate.Instance.from_matrix(cost, weights=rng.integers(1, 100, n), name=f"seed{seed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="highs")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--p", type=int, default=10)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--formulation", default="auto", choices=["auto", "dense", "radius", "benders"]
    )
    args = parser.parse_args()
    print(describe(args.backend), f"| PMedian(formulation={args.formulation!r})")
    print(
        f"{'instance':<10}{'p':>4}{'status':>10}{'objective':>16}{'gap %':>9}"
        f"{'build s':>9}{'solve s':>9}"
    )
    for seed in args.seeds:
        inst = instance(seed)
        r = erlocate.solve(
            erlocate.PMedian(args.p, formulation=args.formulation),
            inst,
            args.backend,
            time_limit=args.time_limit,
            threads=args.threads,
        )
        gap = "-" if r.gap is None else f"{100 * r.gap:.4f}"
        print(
            f"{inst.name:<10}{args.p:>4}{r.status:>10}{r.objective:>16.3f}{gap:>9}"
            f"{r.build_time:>9.3f}{r.runtime:>9.2f}"
        )


if __name__ == "__main__":
    main()
