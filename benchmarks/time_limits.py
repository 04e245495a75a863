"""How far past its time limit each backend returns (wall seconds of ``erlocate.solve``).

    python benchmarks/time_limits.py [--limits 1,2,5] [--backends highs,pulp,ortools]

Runs instances that do not finish within the limits (AILS NewYork p = 80, r = 400 m;
a random 3,000 × 300 MCLP with p = 40) and prints one row per
backend × instance × limit: the wall time of the whole call (build, translation,
solver, decoding, verification), the overrun beyond the limit and the allowance
``max(1 s, 10 %)`` every backend must stay within. Prints the machine's load first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time

import numpy as np

import erlocate
from erlocate.io.ails import ails_case


def cases() -> list[tuple[str, erlocate.Model, erlocate.Instance]]:
    out = []
    ny = ails_case("NewYork_p80_r400")
    out.append(("NewYork p80 r400 (MCLP)", ny.model, ny.instance))
    rng = np.random.default_rng(0)
    pts, sites = rng.random((3000, 2)) * 20, rng.random((300, 2)) * 20
    cost = np.linalg.norm(pts[:, None] - sites[None], axis=2)
    inst = erlocate.Instance.from_matrix(
        np.where(cost <= 3, cost, np.inf), weights=rng.integers(1, 100, 3000), cutoff=3.0
    )
    out.append(("random 3000x300 MCLP p40 s2", erlocate.MCLP(40, 2.0), inst))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limits", default="1,2,5")
    parser.add_argument("--backends", default=",".join(erlocate.backends()))
    args = parser.parse_args()
    limits = [float(v) for v in args.limits.split(",")]
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"machine: {os.cpu_count()} cores; load: {load}\n")
    print("| backend | instance | limit s | wall s | overrun s | allowed s | status |")
    print("|---|---|---|---|---|---|---|")
    for name, model, inst in cases():
        for backend in args.backends.split(","):
            for limit in limits:
                start = time.perf_counter()
                r = erlocate.solve(model, inst, backend, time_limit=limit, raise_on_failure=False)
                wall = time.perf_counter() - start
                allowed = max(1.0, 0.1 * limit)
                flag = "" if wall - limit <= allowed else " **over**"
                print(
                    f"| {backend} | {name} | {limit:g} | {wall:.2f} | {wall - limit:+.2f}{flag} "
                    f"| {allowed:.1f} | {r.status} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
