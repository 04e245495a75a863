"""Model-building speed: seconds from Instance to canonical MILP (no solve).

    python benchmarks/build_speed.py [--repeats 5]

Prints one row per case with the median build time over the repeats and the
MILP size. The cases are the ones spopt was timed on (p-median 1000×200,
MCLP and LSCP 2000×300, random Euclidean, dense).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import erlocate
from erlocate.machine import describe


def euclidean(n: int, m: int, seed: int) -> erlocate.Instance:
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, 2)) * 10_000, rng.random((m, 2)) * 10_000
    cost = np.linalg.norm(a[:, None] - b[None], axis=2)
    return erlocate.Instance.from_matrix(cost, weights=rng.integers(1, 100, n))


CASES = [
    ("p-median", 1000, 200, lambda: erlocate.PMedian(p=10)),
    ("p-median, cut-off 3 km", 1000, 200, lambda: erlocate.PMedian(p=10, max_cost=3000)),
    ("MCLP", 2000, 300, lambda: erlocate.MCLP(p=10, max_cost=1500)),
    ("LSCP", 2000, 300, lambda: erlocate.LSCP(max_cost=1500)),
    ("p-center", 1000, 200, lambda: erlocate.PCenter(p=10)),
    ("CFLP", 1000, 200, lambda: erlocate.CFLP()),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(describe())
    print(f"{'model':<24}{'n×m':>10}{'build s':>10}{'rows':>10}{'cols':>10}{'nnz':>10}")
    for label, n, m, make in CASES:
        inst = euclidean(n, m, seed=0)
        if label == "CFLP":
            inst = erlocate.Instance.from_matrix(
                inst.dense_costs(),
                weights=inst.weights,
                capacities=np.full(m, inst.weights.sum() / 20),
                site_costs=np.full(m, 1e5),
            )
        times = []
        for _ in range(args.repeats):
            model = make()
            t = time.perf_counter()
            model.validate(inst)
            milp = model.build(inst)
            times.append(time.perf_counter() - t)
        print(
            f"{label:<24}{f'{n}×{m}':>10}{statistics.median(times):>10.4f}"
            f"{milp.n_rows:>10}{milp.n_cols:>10}{milp.nnz:>10}"
        )


if __name__ == "__main__":
    main()
