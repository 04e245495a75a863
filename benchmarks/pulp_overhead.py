"""What going through PuLP costs: ``pulp:<SOLVER>`` against the direct backend, same solver.

    python benchmarks/pulp_overhead.py [--n 1000] [--m 200] [--p 10] [--time-limit 600]
                                       [--pairs highs=HiGHS cbc=COIN_CMD ...] [--threads 1]

The Milp is the dense p-median on ``erlocate.datasets.random_euclidean(n, m,
seed=0)`` (1000 x 200: 200,200 columns, 201,001 rows, 600,200 non-zeros),
solved once per backend to proven optimality (or the time limit) with the
backend's ``solve`` on the Milp itself, so erlocate's Benders loop is not
involved. Each backend's time is split into:

* translate: erlocate's own step, timed separately: ``to_highs`` (highs),
  ``write_mps`` (cbc), :func:`erlocate.backends.pulp_model.to_pulp` (pulp:);
* PuLP -> solver: PuLP's own step inside its solve, timed separately:
  ``buildSolverModel`` for an in-process solver, ``writeMPS`` for a
  command-line one (the CBC binary then reads that file, as the direct cbc
  backend reads its own);
* solve: the rest of the backend's wall time (solver, reading the answer).

The table ends with the load average before and after: other jobs on the
machine inflate every figure (2 cores here).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import erlocate
from erlocate.backends import SolveOptions, get
from erlocate.backends.pulp_model import RUST, to_pulp
from erlocate.datasets import random_euclidean
from erlocate.machine import describe
from erlocate.milp import Milp


def seconds(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def translate_time(backend: str, milp: Milp, folder: Path) -> float:
    """Seconds of erlocate's translation for ``backend`` alone."""
    if backend == "highs":
        from erlocate.backends.highs import to_highs

        return seconds(lambda: to_highs(milp))
    if backend == "cbc":
        from erlocate.backends.cbc import write_mps

        return seconds(lambda: write_mps(milp, folder / "direct.mps"))
    return seconds(lambda: to_pulp(milp))


def pulp_internal_time(solver: str, milp: Milp, folder: Path) -> float | None:
    """Seconds PuLP spends handing its model to ``solver`` (None if not measurable)."""
    import pulp

    problem = to_pulp(milp).problem
    engine = pulp.getSolver(solver, msg=False)
    if hasattr(engine, "buildSolverModel"):  # in-process: HiGHS, GUROBI, ...
        if hasattr(engine, "createAndConfigureSolver"):
            engine.createAndConfigureSolver(problem)
        return seconds(lambda: engine.buildSolverModel(problem))
    if hasattr(engine, "path"):  # command line: PuLP writes an MPS file in Python
        return seconds(lambda: problem.writeMPS(str(folder / "pulp.mps"), rename=True))
    return None


def main() -> None:
    from erlocate.backends.pulp import solver_names

    # COIN_CMD runs the same CBC as the direct backend (cbcbox's, from PATH on PuLP 3)
    default_cbc = "COIN_CMD" if RUST or "COIN_CMD" in solver_names(True) else "PULP_CBC_CMD"
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="demand points")
    parser.add_argument("--m", type=int, default=200, help="candidate sites")
    parser.add_argument("--p", type=int, default=10, help="sites to open")
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--pairs",
        nargs="+",
        default=["highs=HiGHS", f"cbc={default_cbc}"],
        help="direct=PULPSOLVER pairs",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # PuLP 3 deprecation warnings

    load_before = os.getloadavg()
    milp = erlocate.PMedian(args.p).build(random_euclidean(args.n, args.m, seed=0))
    options = SolveOptions(time_limit=args.time_limit, threads=args.threads)
    rows: list[tuple[str, str, float, float | None, float, object]] = []
    direct_total: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for pair in args.pairs:
            direct, solver = pair.split("=")
            for name in (direct, f"pulp:{solver}"):
                if name in direct_total:
                    continue  # a direct backend paired twice runs once
                backend = get(name)
                translate = translate_time(name, milp, folder)
                internal = None
                if name.startswith("pulp:"):
                    internal = pulp_internal_time(solver, milp, folder)
                start = time.perf_counter()
                out = backend.solve(milp, options)
                total = time.perf_counter() - start
                if name == direct:
                    direct_total[name] = total
                rows.append((name, direct, translate, internal, total, out))
    load_after = os.getloadavg()

    print(describe())
    first_pulp = next(name for name, *_ in rows if name.startswith("pulp:"))
    print(f"# PuLP side: {get(first_pulp).version()}")
    print(f"# {milp.summary()}")
    print(f"# time limit {args.time_limit:g} s, threads {args.threads or 'solver default'}\n")
    print(
        "| backend | translate s | PuLP -> solver s | solve s | total s | x direct "
        "| status | objective |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for name, direct, translate, internal, total, out in rows:
        ratio = total / direct_total[direct]
        inner = "-" if internal is None else f"{internal:.2f}"
        solve = total - translate - (internal or 0.0)
        objective = "-" if out.objective is None else f"{out.objective:.2f}"
        print(
            f"| {name} | {translate:.2f} | {inner} | {solve:.2f} | {total:.2f} | {ratio:.2f} "
            f"| {out.status} | {objective} |"
        )
    print(
        f"\n# load average (1, 5, 15 min) before {tuple(round(v, 2) for v in load_before)}, "
        f"after {tuple(round(v, 2) for v in load_after)}; {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
