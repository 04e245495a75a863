"""erlocate.simulate: seconds per run and incidents per second, on a queue and on towns.

    python benchmarks/simulate.py [--incidents 100000] [--repeat 3] [--out FILE]

Cases: one site with 3 units (M/M/3, load 2/3); random Euclidean towns
(``erlocate.datasets.random_euclidean``, 10 km square, 500 m/min) of 2,000 × 100
and 10,000 × 200 with every pair stored, 20 / 40 open sites and 2 units each at
load 0.5 and 0.8 (per unit); and a town cut at 10 minutes (fewer pairs, some
queueing for lack of reach). Each case runs ``--incidents`` incidents in all, as
one replication and as 10 replications of a tenth (warm-up of 10 % more,
simulated too, not counted). Seconds are wall-clock of ``erlocate.simulate``
(inputs, dispatch lists, the event loop and the tables), the best of
``--repeat``. Prints one table with the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

import numpy as np

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.machine import describe
from erlocate.plan import Plan


def single_site() -> tuple[Plan, erlocate.Instance, np.ndarray, float, float]:
    inst = erlocate.Instance.from_matrix(np.zeros((1, 1)))
    plan = Plan(np.array([True]), np.array([0]), np.array([0]), np.ones(1))
    return plan, inst, np.array([3]), 2.0, 1.0  # plan, instance, units, rate, standard


def town(n: int, m: int, p: int, load: float, cut: float | None = None) -> tuple:
    inst = random_euclidean(n, m, seed=0, speed=500.0)
    if cut is not None:
        cost = inst.dense_costs()
        cost[cost > cut] = np.inf
        inst = erlocate.Instance.from_matrix(cost, weights=inst.weights, cutoff=cut)
    open_ = np.zeros(m, dtype=bool)
    open_[np.random.default_rng(1).choice(m, p, replace=False)] = True
    units = 2 * open_.astype(int)
    service = 20.0  # minutes per incident
    rate = load * units.sum() / service
    return Plan.nearest(inst, open_), inst, units, rate, 8.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    head = [describe("highs").lstrip("# "), f"uptime before the run: {uptime}"]
    cases = {
        "M/M/3, load 2/3": single_site(),
        "2,000 × 100, 20 sites × 2, load 0.5": town(2000, 100, 20, 0.5),
        "2,000 × 100, 20 sites × 2, load 0.8": town(2000, 100, 20, 0.8),
        "2,000 × 100 cut at 10 min, load 0.8": town(2000, 100, 20, 0.8, cut=10.0),
        "10,000 × 200, 40 sites × 2, load 0.8": town(10_000, 200, 40, 0.8),
    }
    rows = [
        "| case | pairs | replications × incidents | seconds | incidents / s "
        "| p90 response | queued % | all nearby busy % |",
        "|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(head))
    for name, (plan, inst, units, rate, standard) in cases.items():
        for reps in (1, 10):
            per = args.incidents // reps
            best = np.inf
            for _ in range(args.repeat):
                t = time.perf_counter()
                sim = erlocate.simulate(
                    plan,
                    inst,
                    rate=rate,
                    service_time=20.0 if inst.n_demand > 1 else 1.0,
                    units=units,
                    standard=standard,
                    incidents=per,
                    replications=reps,
                    seed=0,
                )
                best = min(best, time.perf_counter() - t)
            rows.append(
                f"| {name} | {inst.n_pairs:,} | {reps} × {per:,} | {best:.2f} "
                f"| {reps * per * 1.1 / best:,.0f} | {sim.value('p90_response'):.3g} "
                f"| {100 * sim.value('waited'):.2f} | {100 * sim.value('all_nearby_busy'):.2f} |"
            )
            print(rows[-1], flush=True)
    load = f"load average after the run {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    text = "\n".join([*head, load, "", *rows])
    print(load)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
