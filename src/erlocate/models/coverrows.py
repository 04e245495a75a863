"""Cover rows of the maximal covering models: sum_{j in N_i} x_j >= y_i, built vectorised."""

from __future__ import annotations

import numpy as np

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.reduce import CoverReduction
from erlocate.plan import Plan

__all__ = ["add_cover_rows", "add_reduced_cover_rows", "cover_counts", "coverable"]


def add_cover_rows(
    b: MilpBuilder, instance: Instance, x: np.ndarray, max_cost: float, levels: list[np.ndarray]
) -> None:
    """sum_{j in N_i} x_j - sum_levels y_i >= 0 for coverable demand points.

    ``levels`` holds one column array per coverage level (first, second ...),
    each indexed by coverable demand point (see :func:`coverable`).
    """
    mask = instance.costs <= max_cost
    rows, cols = instance.pair_rows[mask], instance.indices[mask]
    coverable = np.unique(rows)
    local = np.searchsorted(coverable, rows)
    k = np.arange(coverable.size)
    b.add_rows(
        "cover",
        rows=np.concatenate([local, *([k] * len(levels))]),
        cols=np.concatenate([x[cols], *levels]),
        vals=np.concatenate([np.ones(local.size), -np.ones(k.size * len(levels))]),
        lb=0.0,
        n_rows=coverable.size,
    )


def add_reduced_cover_rows(
    b: MilpBuilder, red: CoverReduction, x: np.ndarray, levels: list[np.ndarray]
) -> None:
    """As :func:`add_cover_rows` on the rows and sites of a reduction ``red``."""
    coo = red.A.tocoo()
    k = np.arange(red.n_rows)
    b.add_rows(
        "cover",
        rows=np.concatenate([coo.row, *([k] * len(levels))]),
        cols=np.concatenate([x[coo.col], *levels]),
        vals=np.concatenate([np.ones(coo.row.size), -np.ones(k.size * len(levels))]),
        lb=0.0,
        n_rows=red.n_rows,
    )


def cover_counts(milp: Milp, plan: Plan) -> np.ndarray:
    """Open sites counted in each ``cover`` row of ``milp`` (reduced or not) for ``plan``."""
    block = milp.A[milp.row_blocks["cover"]][:, milp.col_blocks["open"]]
    return np.asarray(block @ plan.open.astype(float)).ravel()


def coverable(instance: Instance, max_cost: float) -> np.ndarray:
    """Demand points with at least one site within ``max_cost``."""
    return np.unique(instance.pair_rows[instance.costs <= max_cost])
