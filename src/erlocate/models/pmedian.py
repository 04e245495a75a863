"""p-median: open p sites, minimise weighted travel cost (optionally capacitated)."""

from __future__ import annotations

import numpy as np

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import (
    Model,
    Pairs,
    add_assignment,
    add_capacity,
    add_count,
    add_open,
    assignment_plan,
    capacity_precheck,
    check_max_cost,
    check_p,
    encode_assignment,
    require_reach,
    single_source_precheck,
    weighted_cost,
)
from erlocate.plan import Checker, Plan

__all__ = ["PMedian"]


class PMedian(Model):
    r"""The p-median problem (Hakimi 1964; ILP of ReVelle & Swain 1970).

    .. math::

        \min \sum_i \sum_{j} w_i c_{ij} z_{ij}
        \quad\text{s.t.}\quad
        \sum_j z_{ij} = 1 \;\forall i,\qquad
        z_{ij} \le x_j \;\forall (i,j),\qquad
        \sum_j x_j = p,\qquad
        x_j \in \{0,1\},\; z_{ij} \in [0,1],

    with :math:`x_j = 1` fixed for required sites. Capacitated
    (``capacitated=True``) adds :math:`\sum_i d_i z_{ij} \le K_j x_j` (the
    strong form keeps the linking rows); ``single_source=True`` makes
    :math:`z_{ij}` binary (each demand point served by exactly one site).

    Variables :math:`z_{ij}` exist only for reachable pairs with
    :math:`c_{ij} \le` ``max_cost``; without a cut-off the reduction is exact
    (unreachable pairs cannot be used), with one it is the model the caller
    asked for. Uncapacitated, :math:`z` may stay continuous: with binary
    :math:`x` an optimal :math:`z` assigns each point to a nearest open site.

    Parameters
    ----------
    p : int
        Number of sites to open (required sites count towards p).
    max_cost : float, optional
        Assignment cut-off: pairs costlier than this are not allowed.
    capacitated : bool
        Enforce site capacities (``Instance.capacities``, loads ``Instance.demand``).
    single_source : bool
        Each demand point served by one site (implies ``capacitated``).

    References
    ----------
    Hakimi, S.L. (1964). Optimum locations of switching centers and the absolute
    centers and medians of a graph. *Operations Research* 12(3), 450–459.
    ReVelle, C.S. & Swain, R.W. (1970). Central facilities location.
    *Geographical Analysis* 2(1), 30–42.
    """

    def __init__(
        self,
        p: int,
        *,
        max_cost: float | None = None,
        capacitated: bool = False,
        single_source: bool = False,
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.capacitated = bool(capacitated or single_source)
        self.single_source = bool(single_source)

    def validate(self, instance: Instance) -> None:
        p = check_p(self.p, instance)
        check_max_cost(self.max_cost, optional=True)
        require_reach(instance, self.max_cost, "assignment")
        if self.capacitated:
            capacity_precheck(instance, open_limit=p)
            if self.single_source:
                single_source_precheck(instance, Pairs(instance, self.max_cost))

    def build(self, instance: Instance) -> Milp:
        pairs = Pairs(instance, self.max_cost)
        b = MilpBuilder("p-median", "min")
        x = add_open(b, instance)
        obj = instance.weights[pairs.rows] * pairs.cost
        z = add_assignment(b, instance, pairs, x, obj=obj, integer=self.single_source)
        add_count(b, x, int(self.p))
        if self.capacitated:
            add_capacity(b, instance, pairs, x, z)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        return assignment_plan(milp, Pairs(instance, self.max_cost), x)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        return encode_assignment(milp, Pairs(instance, self.max_cost), plan)

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return weighted_cost(instance, plan)

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=int(self.p))
        c.allocation(
            max_cost=self.max_cost,
            single_source=self.single_source,
            capacitated=self.capacitated,
        )
        return c.breaches

    def check_optimal(self, instance: Instance, plan: Plan) -> list[str]:
        if self.capacitated:
            return []
        c = Checker(instance, plan)
        c.nearest_allocation(instance.cost_of(plan.demand_idx, plan.site_idx))
        return c.breaches
