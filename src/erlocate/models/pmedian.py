"""p-median: open p sites, minimise weighted travel cost (optionally capacitated)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.decomposition.cover_packing import cover_precheck
from erlocate.decomposition.loop import LoopOutput
from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, require_capacities
from erlocate.models.blocks import (
    Pairs,
    add_assignment,
    add_capacity,
    add_count,
    add_open,
    assignment_plan,
    capacity_precheck,
    encode_assignment,
    single_source_precheck,
    weighted_cost,
)
from erlocate.models.bounds import assignment_bound
from erlocate.models.checks import check_count, check_max_cost, check_p, require_reach
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
from erlocate.models.pmedian_radius import build_radius, decode_radius, encode_radius
from erlocate.params import boolean, choice
from erlocate.plan import Checker, Plan, reassign_nearest

#: Accepted values of ``PMedian(formulation=...)``.
FORMULATIONS = ("auto", "dense", "radius", "benders")

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
    Minimum loads :math:`m_j > 0` (``min_loads``, ``fill_required``) add
    :math:`\sum_i d_i z_{ij} \ge m_j x_j` (:mod:`erlocate.models.loads`), and
    each site group :math:`G` (``groups``) adds
    :math:`\sum_{j \in G} x_j = p_G` (or :math:`\le p_G`) and
    :math:`\sum_{j \in G} f_j x_j \le B_G` (:mod:`erlocate.models.groups`).

    Variables :math:`z_{ij}` exist only for reachable pairs with
    :math:`c_{ij} \le` ``max_cost``; without a cut-off the reduction is exact
    (unreachable pairs cannot be used), with one it is the model the caller
    asked for. Uncapacitated, :math:`z` may stay continuous: with binary
    :math:`x` an optimal :math:`z` assigns each point to a nearest open site.
    Not so with minimum loads: a point may then be split between sites (or sent
    past its nearest open one) to fill a minimum, and the plan keeps the MILP's
    shares; ``single_source=True`` keeps every point whole.

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
    formulation : {"auto", "dense", "radius", "benders"}
        How :func:`erlocate.solve` solves it; every choice is exact and gives
        the same optimum, and the decoded plan and its checks are the same.

        * ``"auto"`` (default): ``"benders"`` when uncapacitated without minimum
          loads or groups, else ``"dense"``.
          :meth:`build` (e.g. for an MPS export) gives the dense pair formulation.
        * ``"dense"``: one MILP, the pair formulation above.
        * ``"radius"``: one MILP, the radius/covering formulation of Elloumi
          (2010) and García, Labbé & Marín (2011) over each point's distinct
          distances, with exact reductions (:mod:`erlocate.models.pmedian_radius`).
        * ``"benders"``: the Benders decomposition of the radius formulation
          (Duran-Mateluna, Ales & Elloumi 2023) with reduced-cost and probing
          fixings (:mod:`erlocate.decomposition.pmedian_benders`); several LP and
          MILP solves (HiGHS for the LPs). Measured on HiGHS, 2 cores: random
          1000 × 200, p = 10 proven in 0.3 s (dense: 17 s); OR-Library pmed1–40
          all proven (``docs/benchmarks/pmedian-scale.md``).

        ``"radius"`` and ``"benders"`` are uncapacitated only, without minimum
        loads or groups; ``"auto"`` takes ``"dense"`` for those.
    min_loads : mapping or pandas.Series, optional
        Site id -> least load (``Instance.demand`` units) the site carries if open;
        unlisted sites have none. A minimum binds only where the site opens.
    fill_required : bool
        Every required site carries its full capacity: a least load of
        :math:`K_j` on top of the capacity :math:`K_j`, so exactly :math:`K_j`.
        Implies ``capacitated`` (as spopt's ``fulfill_predefined_fac``, which needs
        capacities and then enforces them). spopt's capacitated p-median assigns
        each point whole (binary :math:`z`): its exact counterpart is
        ``single_source=True, fill_required=True``; the default here splits shares.
    groups : SiteGroup or sequence of SiteGroup
        Site groups with their own count (exactly / at most) and budget; ``p``
        still counts every open site.

    References
    ----------
    Hakimi, S.L. (1964). Optimum locations of switching centers and the absolute
    centers and medians of a graph. *Operations Research* 12(3), 450–459.
    Feng, X., Barcelos, G., Gaboardi, J.D., Knaap, E., Wei, R., Wolf, L.J.,
    Zhao, Q. & Rey, S.J. (2022). spopt: a python package for solving spatial
    optimization problems in PySAL. *Journal of Open Source Software* 7(74), 3330
    (``fulfill_predefined_fac``).
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
        formulation: str = "auto",
        min_loads: Mapping[Any, float] | pd.Series | None = None,
        fill_required: bool = False,
        groups: SiteGroup | Sequence[SiteGroup] = (),
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.capacitated = capacitated
        self.single_source = single_source
        self.formulation = formulation
        self.min_loads = min_loads
        self.fill_required = fill_required
        self.groups = check_groups(groups)  # a tuple of SiteGroup (typed errors otherwise)

    def check_params(self) -> None:
        """p >= 1, max_cost a number >= 0 or None, flags booleans, a known formulation,
        minimum loads numbers >= 0, groups SiteGroups."""
        check_count(self.p)
        check_max_cost(self.max_cost, optional=True)
        boolean(self.capacitated, "capacitated")
        boolean(self.single_source, "single_source")
        boolean(self.fill_required, "fill_required")
        check_min_loads(self.min_loads)
        # single sourcing and filling required sites are capacitated (kept as given for replace())
        capacitated = self.capacitated or self.single_source or self.fill_required
        object.__setattr__(self, "capacitated", bool(capacitated))
        choice(self.formulation, "formulation", FORMULATIONS)
        _ = self._radius

    @property
    def _restricted(self) -> bool:
        """Groups or minimum loads: rows only the dense formulation holds."""
        loads = check_min_loads(self.min_loads)
        has_loads = loads is not None and bool((loads > 0).any())
        return bool(self.groups) or has_loads or bool(self.fill_required)

    @property
    def uses_capacities(self) -> bool:  # type: ignore[override]
        """Capacitated (or single-source) p-medians respect ``Instance.capacities``."""
        return bool(self.capacitated)

    @property
    def exact_objective(self) -> bool:  # type: ignore[override]
        """Exact except for ``"radius"``: there a time-limited incumbent may carry
        non-minimal ``z``, so the decoded (nearest-site) plan may beat the solver's value."""
        return not (self._radius and self.formulation == "radius")

    @property
    def _radius(self) -> bool:
        if self.formulation not in FORMULATIONS:
            raise InputError(
                f"formulation: must be one of {list(FORMULATIONS)}, got {self.formulation!r}",
                field="formulation",
            )
        if self.formulation in ("radius", "benders") and self.capacitated:
            raise InputError(
                f"formulation: the {self.formulation} formulation is uncapacitated only; use "
                "formulation='dense' (or 'auto') with capacitated=True, single_source=True "
                "or fill_required=True",
                field="formulation",
            )
        if self.formulation in ("radius", "benders") and self._restricted:
            raise InputError(
                f"formulation: the {self.formulation} formulation has no minimum loads or site "
                "groups; use formulation='dense' (or 'auto') with min_loads or groups",
                field="formulation",
            )
        return self.formulation in ("radius", "benders")

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """Benders (``"benders"``, or ``"auto"`` uncapacitated without minimum loads or
        groups): the exact loop; else None."""
        _ = self._radius
        plain = not (self.capacitated or self._restricted)
        if not (self.formulation == "benders" or (self.formulation == "auto" and plain)):
            return None
        from erlocate.decomposition.pmedian_benders import BendersStats, benders_pmedian

        stats = BendersStats()
        out, plan = benders_pmedian(
            instance, int(self.p), self.max_cost, backend, options, start, stats
        )
        return LoopOutput(out, plan, stats.as_size())

    def start_plan(self, instance: Instance, time_limit: float) -> Plan | None:
        """Greedy + fast-swap interchange (:mod:`erlocate.heuristics.pmedian`), uncapacitated.

        Refused (InputError) with minimum loads or groups, which the heuristics ignore.
        """
        if self.capacitated:
            return super().start_plan(instance, time_limit)
        if self._restricted:
            raise InputError(
                "warm_start: 'heuristic' is not available for a PMedian with min_loads or "
                "groups (the greedy and interchange heuristics ignore them); pass a Plan or "
                "Result that meets them instead",
                field="warm_start",
            )
        from erlocate.heuristics.pmedian import pmedian_greedy, pmedian_interchange

        plan = pmedian_greedy(instance, int(self.p), max_cost=self.max_cost)
        return pmedian_interchange(instance, plan, max_cost=self.max_cost, time_limit=time_limit)

    def validate(self, instance: Instance) -> None:
        p = check_p(self.p, instance)
        _ = self._radius
        check_max_cost(self.max_cost, optional=True)
        require_reach(instance, self.max_cost, "assignment")
        pairs = Pairs(instance, self.max_cost)
        field = None if self.max_cost is None else "max_cost"
        cover_precheck(instance, pairs.rows, pairs.cols, p, field)  # k points, no site shared
        # unknown ids, required sites without a capacity to fill, minimums above capacities
        m = self._min_loads(instance)
        if self.capacitated:
            require_capacities(instance, "fill_required" if self.fill_required else "capacitated")
            capacity_precheck(instance, open_limit=p)
            if self.single_source:
                single_source_precheck(instance, pairs)
        if m.any():
            min_load_precheck(instance, m, open_count=p)
            min_load_reach_precheck(instance, m, pairs.rows, pairs.cols)
        group_precheck(instance, self.groups, p)

    def _min_loads(self, instance: Instance) -> np.ndarray:
        return min_load_vector(
            instance, self.min_loads, bool(self.fill_required), capacitated=self.capacitated
        )

    def build(self, instance: Instance) -> Milp:
        if self._radius:
            return build_radius(instance, int(self.p), self.max_cost)
        pairs = Pairs(instance, self.max_cost)
        b = MilpBuilder("p-median", "min")
        x = add_open(b, instance)
        obj = instance.weights[pairs.rows] * pairs.cost
        # Uncapacitated, for binary x each point's z ranges over a face of the simplex
        # (sum_j z_ij = 1, 0 <= z_ij <= x_j) whose vertices serve it wholly from one open
        # site, and the objective is linear in z: some optimum has integral z.
        # Capacitated split shares may be fractional at every optimum: not implied;
        # nor with minimum loads (a point split to fill a minimum).
        m = self._min_loads(instance)
        z = add_assignment(
            b,
            instance,
            pairs,
            x,
            obj=obj,
            integer=self.single_source,
            implied_integer=not (self.capacitated or m.any()),
        )
        add_count(b, x, int(self.p))
        if self.capacitated:
            add_capacity(b, instance, pairs, x, z)
        add_min_load(b, instance, pairs.rows, pairs.cols, z, x, m)
        add_group_rows(b, instance, x, self.groups)
        # every point pays at least its weight × nearest usable cost, capacities or not
        b.bound_hint = assignment_bound(instance, pairs, obj)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        if self._radius:
            return decode_radius(instance, milp, x, self.max_cost)
        plan = assignment_plan(milp, Pairs(instance, self.max_cost), x)
        if self.capacitated or self._min_loads(instance).any():
            return plan  # moving a point could break a capacity or a minimum load
        # A weightless point costs nothing wherever it goes, so the solver may send it
        # anywhere open; give it its nearest open site (the objective is unchanged).
        return reassign_nearest(instance, plan, instance.weights == 0, self.max_cost)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        if self._radius:
            return encode_radius(instance, milp, plan, int(self.p), self.max_cost)
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
        m = self._min_loads(instance)
        return [
            *c.breaches,
            *min_load_breaches(instance, plan, m),
            *group_breaches(instance, plan.open, self.groups),
        ]

    def check_optimal(self, instance: Instance, plan: Plan) -> list[str]:
        # nearest allocation is necessary only when nothing but distance decides it
        if self.capacitated or self._min_loads(instance).any():
            return []
        c = Checker(instance, plan)
        c.nearest_allocation(instance.cost_of(plan.demand_idx, plan.site_idx))
        return c.breaches
