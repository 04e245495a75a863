"""Bounds a model knows from its data alone (:attr:`erlocate.milp.Milp.bound_hint`).

No backend reports a bound weaker than these
(:func:`erlocate.backends.base.honest_bound`), and the decompositions apply
them to the outputs they assemble. Each function states why its bound is
valid; all hold for any signs of the data unless said otherwise.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.models.blocks import Pairs

__all__ = ["assignment_bound", "fixed_charge_bound", "least_per_row", "with_cover_bound"]


def least_per_row(rows: np.ndarray, values: np.ndarray, n_rows: int) -> np.ndarray:
    """Per row, the least of ``values`` over its entries (``inf`` for a row without any)."""
    out = np.full(n_rows, np.inf)
    np.minimum.at(out, rows, values)
    return out


def assignment_bound(instance: Instance, pairs: Pairs, obj: np.ndarray) -> float | None:
    """sum_i min_j obj_ij over the pairs: a lower bound of every assignment objective.

    Valid for any model whose rows ``sum_j z_ij = 1``, ``z >= 0`` hold: each
    point's cost is a convex combination of its pairs' costs, so at least the
    least of them (the weighted nearest cost for the p-median, capacitated or
    not). None when a point has no pair (the model is then infeasible).
    """
    least = least_per_row(pairs.rows, obj, instance.n_demand)
    total = float(least.sum())
    return total if np.isfinite(total) else None


def fixed_charge_bound(instance: Instance, pairs: Pairs, obj: np.ndarray) -> float | None:
    """Nearest assignment costs plus the fixed costs every plan pays (UFLP, CFLP).

    Every point pays at least its least assignment cost
    (:func:`assignment_bound`); required sites are open and paid; a site cost
    below 0 can only lower the total; and with any demand at least one site
    opens (``z_ij <= x_j``), so with no required site at least the cheapest
    site's cost (if positive) is paid.
    """
    assign = assignment_bound(instance, pairs, obj)
    if assign is None:
        return None
    f, req = instance.site_costs, instance.required
    fixed = float(f[req].sum() + np.minimum(f[~req], 0.0).sum())
    if instance.n_demand and not req.any() and f.size:
        fixed += max(0.0, float(f.min()))
    return assign + fixed


def with_cover_bound(milp: Milp) -> Milp:
    """An LSCP ``milp`` with its bound hint: what the ``cover`` rows force every plan to pay.

    Sites fixed open (lb = 1) are paid, sites with a negative cost can only
    lower the total, and each ``cover`` row not met by a fixed-open site needs
    one of its openable sites: every plan pays at least the largest, over such
    rows, of the row's cheapest non-negative site cost (1 with unit costs).
    """
    f = milp.c
    lb, ub = milp.col_lb, milp.col_ub
    fixed = float(f[lb >= 1].sum() + np.minimum(f[(lb < 1) & (ub > 0)], 0.0).sum())
    cover = sp.csr_array(milp.A[milp.row_blocks["cover"]])
    cols = cover.indices
    cost = np.where(lb[cols] >= 1, 0.0, np.where(ub[cols] > 0, np.maximum(f[cols], 0.0), np.inf))
    rows = np.repeat(np.arange(cover.shape[0]), np.diff(cover.indptr))
    need = least_per_row(rows, cost, cover.shape[0])
    if not np.all(np.isfinite(need)):
        return milp  # a row no site can cover: infeasible, no bound to give
    return dataclasses.replace(milp, bound_hint=fixed + float(need.max(initial=0.0)))
