"""Fixed-charge facility location: UFLP and CFLP (open sites pay a fixed cost)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
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
from erlocate.models.groups import (
    SiteGroup,
    add_group_rows,
    check_groups,
    group_breaches,
    group_precheck,
)
from erlocate.models.loads import (
    add_min_load,
    check_min_loads,
    min_load_breaches,
    min_load_precheck,
    min_load_reach_precheck,
    min_load_vector,
)
from erlocate.models.size import assignment_size, check_build_size
from erlocate.params import boolean
from erlocate.plan import Checker, Plan, reassign_nearest

__all__ = ["CFLP", "UFLP"]


class _FixedCharge(Model):
    capacitated = False
    single_source = False

    def __init__(
        self,
        *,
        max_cost: float | None = None,
        min_loads: Mapping[Any, float] | pd.Series | None = None,
        fill_required: bool = False,
        groups: SiteGroup | Sequence[SiteGroup] = (),
    ) -> None:
        self.max_cost = max_cost
        self.min_loads = min_loads
        self.fill_required = fill_required
        self.groups = check_groups(groups)  # a tuple of SiteGroup (typed errors otherwise)

    def check_params(self) -> None:
        """max_cost a number >= 0 or None, single_source and fill_required booleans
        (fill_required only where capacities hold), minimum loads numbers >= 0."""
        check_max_cost(self.max_cost, optional=True)
        boolean(self.single_source, "single_source")
        boolean(self.fill_required, "fill_required")
        check_min_loads(self.min_loads)
        if self.fill_required and not self.capacitated:
            raise InputError(
                "fill_required: UFLP has no capacities to fill; use CFLP(fill_required=True), "
                "or give the required sites' least loads with min_loads",
                field="fill_required",
            )

    def min_load_vector(self, instance: Instance) -> np.ndarray:
        """Each site's least load if open (0: none), from ``min_loads`` and ``fill_required``."""
        return min_load_vector(
            instance, self.min_loads, bool(self.fill_required), capacitated=self.capacitated
        )

    def validate(self, instance: Instance) -> None:
        check_max_cost(self.max_cost, optional=True)
        require_reach(instance, self.max_cost, "assignment")
        m = self.min_load_vector(instance)
        if m.any():
            min_load_precheck(instance, m)
            pairs = Pairs(instance, self.max_cost)
            min_load_reach_precheck(instance, m, pairs.rows, pairs.cols)
        group_precheck(instance, self.groups)

    def build(self, instance: Instance) -> Milp:
        pairs = Pairs(instance, self.max_cost)
        finite = np.isfinite(instance.capacities) if self.capacitated else np.zeros(0, bool)
        size = assignment_size(
            instance.n_demand,
            instance.n_sites,
            len(pairs),
            capacity_sites=int(finite.sum()),
            capacity_pairs=int(finite[pairs.cols].sum()) if finite.size else 0,
        )
        check_build_size(type(self).__name__, *size, pairs=len(pairs))
        b = MilpBuilder(type(self).__name__.lower(), "min")
        x = add_open(b, instance, obj=instance.site_costs)
        obj = instance.weights[pairs.rows] * pairs.cost
        # Uncapacitated, for binary x each point's z ranges over a simplex face whose vertices
        # serve it wholly from one open site: some optimum has integral z. Split capacitated
        # shares (CFLP) may be fractional at every optimum: not implied; nor with minimum loads.
        m = self.min_load_vector(instance)
        z = add_assignment(
            b,
            instance,
            pairs,
            x,
            obj=obj,
            integer=self.single_source,
            implied_integer=not (self.capacitated or m.any()),
        )
        if self.capacitated:
            add_capacity(b, instance, pairs, x, z)
        add_min_load(b, instance, pairs.rows, pairs.cols, z, x, m)
        add_group_rows(b, instance, x, self.groups)
        b.bound_hint = fixed_charge_bound(instance, pairs, obj)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        plan = assignment_plan(milp, Pairs(instance, self.max_cost), x)
        if self.capacitated or self.min_load_vector(instance).any():
            return plan  # moving a point could break a capacity or a minimum load
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
        return [
            *c.breaches,
            *min_load_breaches(instance, plan, self.min_load_vector(instance)),
            *group_breaches(instance, plan.open, self.groups),
        ]


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
    no variable. Minimum loads :math:`m_j > 0` add
    :math:`\sum_i d_i z_{ij} \ge m_j x_j` (:mod:`erlocate.models.loads`); a
    point may then be split between sites to fill a minimum, and the plan
    keeps the MILP's shares. Each site group :math:`G` adds
    :math:`\sum_{j \in G} x_j = p_G` (or :math:`\le p_G`) and
    :math:`\sum_{j \in G} f_j x_j \le B_G` (:mod:`erlocate.models.groups`).

    Parameters
    ----------
    max_cost : float, optional
        Assignment cut-off.
    min_loads : mapping or pandas.Series, optional
        Site id -> least load (``Instance.demand`` units) the site carries if open.
    fill_required : bool
        Refused here (InputError): a UFLP has no capacities to fill; use
        :class:`CFLP` ``(fill_required=True)`` or ``min_loads``.
    groups : SiteGroup or sequence of SiteGroup
        Site groups with their own count (exactly / at most) and budget.

    References
    ----------
    Balinski, M.L. (1965). Integer programming: methods, uses, computation.
    *Management Science* 12(3), 253–313.
    Owen, S.H. & Daskin, M.S. (1998). Strategic facility location: a review.
    *European Journal of Operational Research* 111(3), 423–447.
    """

    def check_optimal(self, instance: Instance, plan: Plan) -> list[str]:
        # nearest allocation is necessary only when nothing but distance decides it
        if self.min_load_vector(instance).any():
            return []
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
    :math:`z_{ij}` binary. Minimum loads and site groups add the rows of
    :class:`UFLP`; ``fill_required=True`` gives every required site a least
    load of its capacity, so it carries exactly :math:`K_j` (spopt's
    ``fulfill_predefined_fac``, there with binary :math:`z`: ``single_source=True``).

    For OR-Library ``cap`` files, where :math:`c_{ij}` is the cost of serving
    all of customer :math:`i`'s demand, use weights 1 and put the demand in
    ``Instance.demand`` (as :func:`erlocate.io.read_cap` does).

    Parameters
    ----------
    single_source : bool
        Each demand point served wholly by one site.
    max_cost : float, optional
        Assignment cut-off.
    min_loads : mapping or pandas.Series, optional
        Site id -> least load the site carries if open.
    fill_required : bool
        Every required site carries its full capacity.
    groups : SiteGroup or sequence of SiteGroup
        Site groups with their own count (exactly / at most) and budget.

    Raises
    ------
    InfeasibleError
        Total capacity below total demand; with single sourcing, a demand
        point larger than every site it can reach; a minimum load above its
        site's capacity, or required sites' minimums above the total demand.

    References
    ----------
    Owen, S.H. & Daskin, M.S. (1998), see :class:`UFLP`. Beasley, J.E. (1988).
    An algorithm for solving large capacitated warehouse location problems.
    *EJOR* 33(3), 314–325.
    """

    capacitated = True

    def __init__(
        self,
        single_source: bool = False,
        *,
        max_cost: float | None = None,
        min_loads: Mapping[Any, float] | pd.Series | None = None,
        fill_required: bool = False,
        groups: SiteGroup | Sequence[SiteGroup] = (),
    ) -> None:
        super().__init__(
            max_cost=max_cost, min_loads=min_loads, fill_required=fill_required, groups=groups
        )
        self.single_source = single_source

    uses_capacities = True

    def validate(self, instance: Instance) -> None:
        super().validate(instance)
        require_capacities(instance, "capacities")
        capacity_precheck(instance)
        if self.single_source:
            single_source_precheck(instance, Pairs(instance, self.max_cost))
