"""Reductions and heuristics at scale: LSCP reduction time, p-median greedy time and peak memory.

Run: ``python benchmarks/reductions.py [lscp|greedy|all] [--dense]``. Instances are
random Euclidean points in a 10 km square (seeded); the greedy instance keeps
only the pairs within a radius (a sparse cost matrix from a k-d tree), as a
road-network radius query would. ``--dense`` forces the dense greedy sweeps.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.heuristics import pmedian_greedy, pmedian_interchange
from erlocate.models.reduce import reduce_lscp


def radius_instance(n: int, m: int, radius: float, seed: int = 0) -> erlocate.Instance:
    """Demand × site pairs within ``radius`` only (memory O(pairs))."""
    rng = np.random.default_rng(seed)
    pts, sites = rng.random((n, 2)) * 10_000.0, rng.random((m, 2)) * 10_000.0
    d = cKDTree(pts).sparse_distance_matrix(cKDTree(sites), radius, output_type="coo_matrix")
    cost = sp.csr_array((np.round(d.data, 3) + 1e-3, (d.row, d.col)), shape=(n, m))
    w = rng.integers(50, 2_000, n).astype(float)
    return erlocate.Instance.from_matrix(cost, weights=w, cutoff=radius + 1e-3)


def lscp(n: int = 2_000, m: int = 300) -> None:
    inst = random_euclidean(n, m, seed=0)
    for radius in (1_500.0, 2_500.0, 4_000.0):
        times, cpu = [], []
        for _ in range(9):
            t, c = time.perf_counter(), time.process_time()
            red = reduce_lscp(inst, radius, inst.site_costs)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        build = []
        for reduce in (True, False):
            t = time.perf_counter()
            erlocate.LSCP(radius, reduce=reduce).build(inst)
            build.append(time.perf_counter() - t)
        print(
            f"LSCP {n}x{m} R={radius:g}: reduce median {np.median(times) * 1e3:.1f} ms "
            f"(cpu {np.median(cpu) * 1e3:.1f} ms, {red.counts.get('passes', '?')} passes), "
            f"build {build[0] * 1e3:.1f} ms (plain {build[1] * 1e3:.1f} ms), "
            f"rows {red.n_rows}, sites {red.n_sites}, skipped {red.counts['dominance_skipped']}"
        )


def greedy(n: int = 100_000, m: int = 5_000, p: int = 50, dense: bool = False) -> None:
    inst = radius_instance(n, m, 1_500.0)
    tracemalloc.start()
    t = time.perf_counter()
    g = pmedian_greedy(inst, p, max_cost=1_500.0, dense=dense)
    t_greedy = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    t = time.perf_counter()
    s = pmedian_interchange(inst, g, max_cost=1_500.0, time_limit=10.0, dense=dense)
    t_swap = time.perf_counter() - t
    _, peak2 = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    model = erlocate.PMedian(p, max_cost=1_500.0)
    print(
        f"greedy {n}x{m} p={p} ({inst.n_pairs} pairs, dense={dense}): {t_greedy:.2f} s, "
        f"peak {peak / 2**20:.0f} MiB, value {model.evaluate(inst, g):.6g}; interchange "
        f"(limit 10 s) {t_swap:.2f} s, peak {peak2 / 2**20:.0f} MiB, "
        f"value {model.evaluate(inst, s):.6g}"
    )


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("lscp", "all"):
        lscp()
    if what in ("greedy", "all"):
        greedy(dense="--dense" in sys.argv)
