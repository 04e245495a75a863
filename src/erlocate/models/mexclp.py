"""Maximum expected covering: place P busy-sometimes units to cover the most expected demand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.models.blocks import add_count
from erlocate.models.checks import check_count, check_max_cost
from erlocate.models.reduce import merge_rows
from erlocate.models.units import (
    add_units,
    check_unit_caps,
    check_units,
    decode_units,
    encode_units,
    plan_units,
    unit_caps,
    unit_counts,
)
from erlocate.params import number
from erlocate.plan import Plan

__all__ = ["MEXCLP", "level_counts"]


def level_counts(A: sp.csr_array, caps: np.ndarray, p: int, q: float) -> np.ndarray:
    """Coverage levels each row needs: min(p, units its sites can hold), 1 when q = 0.

    No row ever has more units within reach than that, and with q = 0 every
    level after the first is worth nothing.
    """
    reach = np.asarray(A @ caps.astype(float)).ravel()
    top = 1 if q == 0.0 else p
    return np.minimum(np.round(reach).astype(np.int64), top)


class MEXCLP(Model):
    r"""Maximum expected covering location problem (Daskin 1983).

    P units, each busy with probability q independently of the others, are
    placed at the sites (several at one site allowed). A call at i is covered
    when some unit within S = ``max_cost`` is free, with probability
    :math:`1 - q^{n_i}` for :math:`n_i` units within S. Daskin writes this as

    .. math::

        \max \sum_i w_i \sum_{k=1}^{K_i} (1-q)\,q^{k-1}\, y_{ik}
        \quad\text{s.t.}\quad
        \sum_{k=1}^{K_i} y_{ik} \le \sum_{j \in N_i} x_j \;\forall i,\qquad
        \sum_j x_j = P,

    :math:`x_j \in \{l_j, \dots, u_j\}` integer (:math:`l_j = 1` at required
    sites, else 0; :math:`u_j` = ``max_units_per_site``, P when None),
    :math:`y_{ik} \in [0, 1]`, :math:`N_i = \{j : c_{ij} \le S\}` and
    :math:`K_i = \min(P, \sum_{j \in N_i} u_j)` levels (no point ever has more
    units within reach; :math:`K_i = 1` when q = 0). Since
    :math:`\sum_{k \le n} (1-q) q^{k-1} = 1 - q^n`, the optimum is
    :math:`\sum_i w_i (1 - q^{n_i})`, the expected covered weight.

    :math:`y` is continuous and exact: for integer x the problem in y splits
    by point into max :math:`\sum_k c_k y_{ik}` s.t. :math:`\sum_k y_{ik} \le
    n_i`, :math:`0 \le y \le 1`, with :math:`c_k = (1-q) q^{k-1}` positive
    and non-increasing in k, so filling the first :math:`n_i` levels (an
    integral point) is optimal (``implied_integer``). Points with identical
    :math:`N_i` are merged (weights added; they take equal y) and weightless
    or unreachable ones dropped, as in :func:`erlocate.models.reduce.merge_rows`.

    The plan is a :class:`~erlocate.models.units.UnitPlan` (``plan.units``).
    q is a system-wide average; :func:`erlocate.models.units.busy_fraction`
    estimates it as (calls per time unit × mean service time) / P.

    Parameters
    ----------
    p : int
        Number of units P (may exceed the number of sites).
    max_cost : float
        The coverage standard S.
    q : float
        Probability that a unit is busy, in [0, 1). q = 0 is the MCLP with
        units in place of sites.
    max_units_per_site : int, array or Series, optional
        The most units one site holds: one integer for all sites, or one per
        site (a Series by site id); 0 closes a site. None: no limit but P.

    References
    ----------
    Daskin, M.S. (1983). A maximum expected covering location model:
    formulation, properties and heuristic solution. *Transportation Science*
    17(1), 48–70.
    """

    sense = "max"
    exact_objective = False
    covering = True
    #: The coverage standard (always set: a covering model needs one).
    max_cost: float
    constraints_hint = "p, max_units_per_site, required sites"

    def __init__(
        self, p: int, max_cost: float, q: float, *, max_units_per_site: Any = None
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.q = q
        self.max_units_per_site = max_units_per_site

    def check_params(self) -> None:
        """p an integer >= 1, max_cost a number >= 0, q in [0, 1), caps integers."""
        check_count(self.p, "p")
        check_max_cost(self.max_cost)
        number(self.q, "q", minimum=0.0, hint="the probability a unit is busy, in [0, 1)")
        if float(self.q) >= 1.0:
            raise InputError(
                f"q: must be < 1 (a unit always busy covers nothing), got {self.q!r}", field="q"
            )
        check_unit_caps(self.max_units_per_site)

    def caps(self, instance: Instance) -> np.ndarray:
        """The most units each site may hold on ``instance`` (checked)."""
        return unit_caps(self.max_units_per_site, instance, int(self.p))

    def validate(self, instance: Instance) -> None:
        self.caps(instance)

    def rows(self, instance: Instance) -> tuple[sp.csr_array, np.ndarray, np.ndarray, np.ndarray]:
        """The MILP's rows: (merged coverage matrix, row weights, levels per row, site caps)."""
        caps = self.caps(instance)
        A, w = merge_rows(instance, self.max_cost)
        return A, w, level_counts(A, caps, int(self.p), float(self.q)), caps

    def build(self, instance: Instance) -> Milp:
        p, q = int(self.p), float(self.q)
        A, w, levels, caps = self.rows(instance)
        b = MilpBuilder(f"mexclp_rows{w.size}of{instance.n_demand}", "max")
        x = add_units(b, instance, caps)
        # level k of row r is worth w_r (1 - q) q^(k-1); rows' levels are contiguous
        row = np.repeat(np.arange(w.size), levels)
        start = np.cumsum(levels) - levels
        k = np.arange(row.size) - start[row]
        obj = w[row] * (1.0 - q) * q**k
        # implied integer: the coefficients fall in k, so for integer x the best y fills
        # the first n_r levels of each row (proof in the class docstring)
        y = b.add_cols("covered", row.size, obj=obj, lb=0.0, ub=1.0, implied_integer=True)
        coo = A.tocoo()
        b.add_rows(  # sum_{j in N_r} x_j - sum_k y_rk >= 0
            "cover",
            rows=np.concatenate([coo.row, row]),
            cols=np.concatenate([x[coo.col], y]),
            vals=np.concatenate([np.ones(coo.row.size), -np.ones(row.size)]),
            lb=0.0,
            n_rows=w.size,
        )
        add_count(b, x, p)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        return decode_units(instance, milp, x)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = encode_units(milp, plan)
        A, _, levels, _ = self.rows(instance)
        n = np.round(np.asarray(A @ plan_units(plan).astype(float)).ravel()).astype(np.int64)
        row = np.repeat(np.arange(levels.size), levels)
        k = np.arange(row.size) - (np.cumsum(levels) - levels)[row]
        x[milp.col_blocks["covered"]] = (k < n[row]).astype(float)
        return x

    def expected_coverage(self, instance: Instance, plan: Plan) -> np.ndarray:
        """Per demand point, the chance that a unit within S is free: 1 - q^{n_i}."""
        n = unit_counts(instance, plan_units(plan), self.max_cost)
        return 1.0 - float(self.q) ** n

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        """Sum_i w_i (1 - q^{n_i}), n_i = units within S of i, from the input costs."""
        return float(instance.weights @ self.expected_coverage(instance, plan))

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        return check_units(instance, plan, int(self.p), self.caps(instance))

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """``coverage``: per demand point its weight, units within S and expected coverage."""
        n = unit_counts(instance, plan_units(plan), self.max_cost)
        exp = 1.0 - float(self.q) ** n
        table = pd.DataFrame(
            {"weight": instance.weights, "units_within": n, "expected_covered": exp},
            index=instance.demand_ids.rename("demand_id"),
        )
        return {"coverage": table}
