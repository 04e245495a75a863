"""Fixed-charge facility location: UFLP and CFLP (open sites pay a fixed cost)."""

from __future__ import annotations

import numpy as np

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, require_capacities
from erlocate.models.blocks import (
    Pairs,
    add_assignment,
    add_capacity,
    add_open,
    assignment_plan,
    capacity_precheck,
    encode_assignment,
    single_source_precheck,
    weighted_cost,
)
from erlocate.models.bounds import fixed_charge_bound
from erlocate.models.checks import check_max_cost, require_reach
from erlocate.params import boolean
from erlocate.plan import Checker, Plan, reassign_nearest

__all__ = ["CFLP", "UFLP"]


class _FixedCharge(Model):
    capacitated = False
    single_source = False

    def __init__(self, *, max_cost: float | None = None) -> None:
        self.max_cost = max_cost

    def check_params(self) -> None:
        """max_cost a number >= 0 or None (and single_source a boolean)."""
        check_max_cost(self.max_cost, optional=True)
        boolean(self.single_source, "single_source")

    def validate(self, instance: Instance) -> None:
        check_max_cost(self.max_cost, optional=True)
        require_reach(instance, self.max_cost, "assignment")

    def build(self, instance: Instance) -> Milp:
        pairs = Pairs(instance, self.max_cost)
        b = MilpBuilder(type(self).__name__.lower(), "min")
        x = add_open(b, instance, obj=instance.site_costs)
        obj = instance.weights[pairs.rows] * pairs.cost
        # Uncapacitated, for binary x each point's z ranges over a simplex face whose vertices
        # serve it wholly from one open site: some optimum has integral z. Split capacitated
        # shares (CFLP) may be fractional at every optimum: not implied.
        z = add_assignment(
            b,
            instance,
            pairs,
            x,
            obj=obj,
            integer=self.single_source,
            implied_integer=not self.capacitated,
        )
        if self.capacitated:
            add_capacity(b, instance, pairs, x, z)
        b.bound_hint = fixed_charge_bound(instance, pairs, obj)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        plan = assignment_plan(milp, Pairs(instance, self.max_cost), x)
        if self.capacitated:
            return plan
        # weightless points cost nothing anywhere: serve them from their nearest open site
        return reassign_nearest(instance, plan, instance.weights == 0, self.max_cost)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        return encode_assignment(milp, Pairs(instance, self.max_cost), plan)

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return float(instance.site_costs[plan.open].sum()) + weighted_cost(instance, plan)

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites()
        c.allocation(
            max_cost=self.max_cost,
            single_source=self.single_source,
            capacitated=self.capacitated,
        )
        return c.breaches


class UFLP(_FixedCharge):
    r"""Uncapacitated facility location (Balinski 1965; review Owen & Daskin 1998).

    .. math::

        \min \sum_j f_j x_j + \sum_i \sum_j w_i c_{ij} z_{ij}
        \quad\text{s.t.}\quad
        \sum_j z_{ij} = 1 \;\forall i,\qquad z_{ij} \le x_j,\qquad
        x_j \in \{0,1\},\; z_{ij} \in [0,1],

    :math:`f_j` = ``Instance.site_costs``, required sites fixed open. The
    strong (disaggregated) linking rows make the LP relaxation tight; with
    binary :math:`x` an optimal :math:`z` is a nearest-open assignment, so
    :math:`z` stays continuous. Pairs beyond ``max_cost`` or unreachable get
    no variable.

    Parameters
    ----------
    max_cost : float, optional
        Assignment cut-off.

    References
    ----------
    Balinski, M.L. (1965). Integer programming: methods, uses, computation.
    *Management Science* 12(3), 253–313.
    Owen, S.H. & Daskin, M.S. (1998). Strategic facility location: a review.
    *European Journal of Operational Research* 111(3), 423–447.
    """

    def check_optimal(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.nearest_allocation(instance.cost_of(plan.demand_idx, plan.site_idx))
        return c.breaches


class CFLP(_FixedCharge):
    r"""Capacitated facility location, split or single-source (Owen & Daskin 1998).

    .. math::

        \min \sum_j f_j x_j + \sum_i \sum_j w_i c_{ij} z_{ij}
        \quad\text{s.t.}\quad
        \sum_j z_{ij} = 1,\qquad z_{ij} \le x_j,\qquad
        \sum_i d_i z_{ij} \le K_j x_j,

    :math:`d_i` = ``Instance.demand``, :math:`K_j` = ``Instance.capacities``
    (sites with infinite capacity get no capacity row). The linking rows are
    kept although the capacity rows imply their aggregate: they tighten the
    LP relaxation (the "strong" formulation). ``single_source=True`` makes
    :math:`z_{ij}` binary.

    For OR-Library ``cap`` files, where :math:`c_{ij}` is the cost of serving
    all of customer :math:`i`'s demand, use weights 1 and put the demand in
    ``Instance.demand`` (as :func:`erlocate.io.read_cap` does).

    Parameters
    ----------
    single_source : bool
        Each demand point served wholly by one site.
    max_cost : float, optional
        Assignment cut-off.

    Raises
    ------
    InfeasibleError
        Total capacity below total demand; with single sourcing, a demand
        point larger than every site it can reach.

    References
    ----------
    Owen, S.H. & Daskin, M.S. (1998), see :class:`UFLP`. Beasley, J.E. (1988).
    An algorithm for solving large capacitated warehouse location problems.
    *EJOR* 33(3), 314–325.
    """

    capacitated = True

    def __init__(self, single_source: bool = False, *, max_cost: float | None = None) -> None:
        super().__init__(max_cost=max_cost)
        self.single_source = single_source

    uses_capacities = True

    def validate(self, instance: Instance) -> None:
        super().validate(instance)
        require_capacities(instance, "capacities")
        capacity_precheck(instance)
        if self.single_source:
            single_source_precheck(instance, Pairs(instance, self.max_cost))
