"""Lexicographic objectives: optimise the first level, then the second with the first held.

Used by :class:`~erlocate.planning.FireStations` ``mode="max_cover"`` to break ties
in coverage by least cost: stage 1 maximises coverage; stage 2 minimises cost over
the plans whose coverage is at least stage 1's (the row
:math:`c_1^\\top x \\ge z_1^* - \\epsilon` with :math:`\\epsilon = 10^{-9}\\max(1, |z_1^*|)`,
far below any difference of two plans' coverage with real weights). Exact: stage 2's
optimum has the optimal coverage and, among such plans, the least cost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.protocol import Backend
from erlocate.milp import Milp

__all__ = ["LexicographicOutput", "second_level"]


@dataclass(frozen=True)
class LexicographicOutput:
    """Both stages' outputs; ``second`` is None when stage 2 did not run (and why)."""

    first: SolverOutput
    second: SolverOutput | None
    note: str


def second_level(
    milp: Milp,
    first: SolverOutput,
    cost: np.ndarray,
    backend: Backend,
    options: SolveOptions,
) -> LexicographicOutput:
    """Minimise ``cost @ x`` over the plans of ``milp`` that keep ``first``'s objective.

    Runs only when ``first`` is proven optimal (else the first level is not
    settled and its incumbent is returned as it is) and time remains.
    """
    if first.status != "optimal" or first.x is None or first.objective is None:
        return LexicographicOutput(first, None, "first level not proven: no tie-break")
    limit = options.time_limit
    if limit is not None:
        limit = limit - first.runtime
        if limit <= 0:
            return LexicographicOutput(first, None, "no time left for the tie-break")
    z1 = float(first.objective)
    eps = 1e-9 * max(1.0, abs(z1))
    keep = sp.csr_array(milp.c.reshape(1, -1))
    if milp.sense == "max":
        lb, ub = z1 - milp.offset - eps, np.inf
    else:
        lb, ub = -np.inf, z1 - milp.offset + eps
    n = milp.n_rows
    stage2 = replace(
        milp,
        c=np.asarray(cost, dtype=float),
        sense="min",
        offset=0.0,
        A=sp.csr_array(sp.vstack([milp.A, keep], format="csr")),
        row_lb=np.append(milp.row_lb, lb),
        row_ub=np.append(milp.row_ub, ub),
        row_blocks={**milp.row_blocks, "first_level": slice(n, n + 1)},
        name=f"{milp.name}-least-cost",
    )
    start = time.perf_counter()
    second = backend.solve(stage2, replace(options, time_limit=limit, warm_start=first.x))
    note = f"tie-break by least cost: {second.status} in {time.perf_counter() - start:.3f} s"
    return LexicographicOutput(first, second, note)
