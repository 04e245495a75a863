"""Maximal covering: open p sites to cover the most demand weight within a standard."""

from __future__ import annotations

import numpy as np

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, add_count, add_open, check_max_cost, check_p
from erlocate.plan import Checker, Plan, coverage_counts

__all__ = ["MCLP"]


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


def coverable(instance: Instance, max_cost: float) -> np.ndarray:
    """Demand points with at least one site within ``max_cost``."""
    return np.unique(instance.pair_rows[instance.costs <= max_cost])


class MCLP(Model):
    r"""Maximal covering location problem (Church & ReVelle 1974).

    .. math::

        \max \sum_i w_i y_i \quad\text{s.t.}\quad
        \sum_{j \in N_i} x_j \ge y_i \;\forall i,\qquad
        \sum_j x_j = p,\qquad x_j \in \{0,1\},\; y_i \in [0,1],

    with :math:`N_i = \{j : c_{ij} \le S\}`, :math:`S` = ``max_cost``, and
    required sites fixed open. :math:`y_i` is continuous: for binary
    :math:`x` the optimum sets :math:`y_i = \min(1, \sum_{N_i} x_j)`, which
    is 0 or 1, so the relaxation of :math:`y` is exact. Demand points with
    an empty :math:`N_i` get no variable (they can never be covered). The
    objective is the weight covered.

    Parameters
    ----------
    p : int
        Number of sites to open.
    max_cost : float
        The coverage standard S.

    References
    ----------
    Church, R. & ReVelle, C. (1974). The maximal covering location problem.
    *Papers of the Regional Science Association* 32, 101–118.
    """

    sense = "max"
    exact_objective = False
    covering = True

    def __init__(self, p: int, max_cost: float) -> None:
        self.p = p
        self.max_cost = max_cost

    def validate(self, instance: Instance) -> None:
        check_p(self.p, instance)
        check_max_cost(self.max_cost)

    def build(self, instance: Instance) -> Milp:
        b = MilpBuilder("mclp", "max")
        x = add_open(b, instance)
        rows = coverable(instance, self.max_cost)
        y = b.add_cols("covered", rows.size, obj=instance.weights[rows], lb=0.0, ub=1.0)
        add_cover_rows(b, instance, x, self.max_cost, [y])
        add_count(b, x, int(self.p))
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        return Plan.nearest(instance, np.round(milp.block(x, "open")) > 0.5)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = super().encode(instance, milp, plan)
        counts = coverage_counts(instance, plan.open, self.max_cost)
        x[milp.col_blocks["covered"]] = np.minimum(counts[coverable(instance, self.max_cost)], 1)
        return x

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        counts = coverage_counts(instance, plan.open, self.max_cost)
        return float(instance.weights[counts >= 1].sum())

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=int(self.p))
        return c.breaches
