"""p-median: open p sites, minimise weighted travel cost (optionally capacitated)."""

from __future__ import annotations

import numpy as np

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
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
    formulation : {"auto", "dense", "radius", "benders"}
        How :func:`erlocate.solve` solves it; every choice is exact and gives
        the same optimum, and the decoded plan and its checks are the same.

        * ``"auto"`` (default): ``"benders"`` when uncapacitated, else ``"dense"``.
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

        ``"radius"`` and ``"benders"`` are uncapacitated only.

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
        formulation: str = "auto",
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.capacitated = capacitated
        self.single_source = single_source
        self.formulation = formulation

    def check_params(self) -> None:
        """p >= 1, max_cost a number >= 0 or None, flags booleans, a known formulation."""
        check_count(self.p)
        check_max_cost(self.max_cost, optional=True)
        boolean(self.capacitated, "capacitated")
        boolean(self.single_source, "single_source")
        # single sourcing is a capacitated assignment (kept as given for replace())
        object.__setattr__(self, "capacitated", bool(self.capacitated or self.single_source))
        choice(self.formulation, "formulation", FORMULATIONS)
        _ = self._radius

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
                "formulation='dense' with capacitated=True or single_source=True",
                field="formulation",
            )
        return self.formulation in ("radius", "benders")

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """Benders (``"benders"``, or ``"auto"`` uncapacitated): the exact loop; else None."""
        _ = self._radius
        if not (
            self.formulation == "benders" or (self.formulation == "auto" and not self.capacitated)
        ):
            return None
        from erlocate.decomposition.pmedian_benders import BendersStats, benders_pmedian

        stats = BendersStats()
        out, plan = benders_pmedian(
            instance, int(self.p), self.max_cost, backend, options, start, stats
        )
        return LoopOutput(out, plan, stats.as_size())

    def start_plan(self, instance: Instance, time_limit: float) -> Plan:
        """Greedy + fast-swap interchange (:mod:`erlocate.heuristics.pmedian`), uncapacitated."""
        if self.capacitated:
            return super().start_plan(instance, time_limit)
        from erlocate.heuristics.pmedian import pmedian_greedy, pmedian_interchange

        plan = pmedian_greedy(instance, int(self.p), max_cost=self.max_cost)
        return pmedian_interchange(instance, plan, max_cost=self.max_cost, time_limit=time_limit)

    def validate(self, instance: Instance) -> None:
        p = check_p(self.p, instance)
        _ = self._radius
        check_max_cost(self.max_cost, optional=True)
        require_reach(instance, self.max_cost, "assignment")
        if self.capacitated:
            require_capacities(instance, "capacitated")
            capacity_precheck(instance, open_limit=p)
            if self.single_source:
                single_source_precheck(instance, Pairs(instance, self.max_cost))

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
        # Capacitated split shares may be fractional at every optimum: not implied.
        z = add_assignment(
            b,
            instance,
            pairs,
            x,
            obj=obj,
            integer=self.single_source,
            implied_integer=not self.capacitated,
        )
        add_count(b, x, int(self.p))
        if self.capacitated:
            add_capacity(b, instance, pairs, x, z)
        # every point pays at least its weight × nearest usable cost, capacities or not
        b.bound_hint = assignment_bound(instance, pairs, obj)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        if self._radius:
            return decode_radius(instance, milp, x, self.max_cost)
        plan = assignment_plan(milp, Pairs(instance, self.max_cost), x)
        if self.capacitated:
            return plan
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
        return c.breaches

    def check_optimal(self, instance: Instance, plan: Plan) -> list[str]:
        if self.capacitated:
            return []
        c = Checker(instance, plan)
        c.nearest_allocation(instance.cost_of(plan.demand_idx, plan.site_idx))
        return c.breaches
