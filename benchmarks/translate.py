"""Translation speed: seconds from canonical Milp to each solver's own model (no solve).

    python benchmarks/translate.py [--n 1000] [--m 200] [--p 10] [--repeats 5]

The Milp is a p-median on ``erlocate.datasets.random_euclidean(n, m, seed=0)``
(1000×200: 200,200 columns, 201,001 rows, 600,200 non-zeros). Prints a
Markdown table of median seconds over the repeats:

* highs: ``to_highs`` (one ``passModel``).
* pulp: ``cbc.write_mps`` (HiGHS' C++ MPS writer), and separately the time
  the CBC binary takes to read that file (``cbc -import file -quit``), which
  is paid inside every solve.
* ortools: ``to_ortools`` (``fill_model_from_sparse_data`` + integrality),
  and for comparison the MPS route it does not use (write the MPS, then
  ``ModelBuilderHelper.import_from_mps_file``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import erlocate
from erlocate.backends import available
from erlocate.datasets import random_euclidean
from erlocate.machine import describe


def median_seconds(step: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="demand points")
    parser.add_argument("--m", type=int, default=200, help="candidate sites")
    parser.add_argument("--p", type=int, default=10, help="sites to open")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    milp = erlocate.PMedian(args.p).build(random_euclidean(args.n, args.m, seed=0))
    rows: list[tuple[str, str, float]] = []
    names = available()
    with tempfile.TemporaryDirectory() as tmp:
        mps = Path(tmp) / "model.mps"
        if "highs" in names:
            from erlocate.backends.highs import to_highs

            rows.append(
                (
                    "highs",
                    "`to_highs` (passModel)",
                    median_seconds(lambda: to_highs(milp), args.repeats),
                )
            )
        if "cbc" in names:
            from erlocate.backends.cbc import cbc_path, write_mps

            rows.append(
                (
                    "cbc",
                    "`write_mps` (HiGHS writeModel)",
                    median_seconds(lambda: write_mps(milp, mps), args.repeats),
                )
            )
            cmd = [str(cbc_path()), "-import", str(mps), "-quit"]
            rows.append(
                (
                    "cbc",
                    "CBC reads the MPS (inside solve)",
                    median_seconds(
                        lambda: subprocess.run(cmd, capture_output=True, check=True), args.repeats
                    ),
                )
            )
        if "scip" in names:
            from ortools.linear_solver.python import model_builder_helper as mbh

            from erlocate.backends.cbc import write_mps
            from erlocate.backends.scip import to_ortools

            rows.append(
                (
                    "scip",
                    "`to_ortools` (fill_model_from_sparse_data)",
                    median_seconds(lambda: to_ortools(milp), args.repeats),
                )
            )

            def via_mps() -> None:
                write_mps(milp, mps)
                mbh.ModelBuilderHelper().import_from_mps_file(str(mps))

            rows.append(
                (
                    "scip",
                    "MPS route, not used (write + import)",
                    median_seconds(via_mps, args.repeats),
                )
            )

    print(describe())
    print(f"# {milp.summary()}")
    print(f"# median of {args.repeats} runs\n")
    print("| backend | step | seconds |")
    print("|---|---|---:|")
    for backend, step, seconds in rows:
        print(f"| {backend} | {step} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
