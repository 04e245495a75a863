"""p-center: open p sites, minimise the largest travel cost to a nearest open site."""

from __future__ import annotations

import numpy as np

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.decomposition.loop import LoopOutput
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, require_capacities
from erlocate.models.blocks import (
    Pairs,
    add_assignment,
    add_capacity,
    add_count,
    add_link,
    add_open,
    capacity_precheck,
    encode_assignment,
    single_source_precheck,
)
from erlocate.models.bounds import least_per_row
from erlocate.models.checks import check_count, check_max_cost, check_p, require_reach
from erlocate.params import boolean, choice
from erlocate.plan import Checker, Plan

__all__ = ["FORMULATIONS", "PCenter"]

#: Accepted values of ``PCenter(formulation=...)``.
FORMULATIONS = ("auto", "search", "dense")


class PCenter(Model):
    r"""The vertex p-center problem (Hakimi 1964; MILP as in Daskin 2013).

    .. math::

        \min W \quad\text{s.t.}\quad
        \sum_j z_{ij} = 1 \;\forall i,\qquad
        z_{ij} \le x_j,\qquad
        \sum_j x_j = p,\qquad
        W \ge \sum_j c_{ij} z_{ij} \;\forall i,

    :math:`x_j` binary (required sites fixed to 1), :math:`z_{ij}\in[0,1]`.
    ``weighted=True`` uses :math:`w_i c_{ij}` in the last row. The objective
    is the largest assigned cost. The decoded plan assigns every demand point
    to its nearest open site, which can only lower the largest cost; at a
    proven optimum the two coincide, and ``verify()`` checks exactly that.

    Capacitated (``capacitated=True``; Özsoy & Pınar 2006) adds
    :math:`\sum_i d_i z_{ij} \le K_j x_j`, and the radius is then the largest
    value over the pairs the plan *uses*: ``single_source=True`` makes
    :math:`z_{ij}` binary (the row above is then exact); split demand adds a
    binary :math:`y_{ij}` per pair with :math:`z_{ij} \le y_{ij} \le x_j` and
    :math:`W \ge v_{ij} y_{ij}`. The decoded plan keeps the MILP's allocation
    (reassigning to nearest sites could break a capacity).

    Parameters
    ----------
    p : int
        Number of sites to open.
    max_cost : float, optional
        Pairs costlier than this are not allowed (an exact reduction whenever
        ``max_cost`` is at least the optimal radius).
    weighted : bool
        Minimise the largest weight × cost instead of the largest cost.
    capacitated : bool
        Respect site capacities (``Instance.capacities``, loads ``Instance.demand``).
    single_source : bool
        Each demand point served whole by one site (implies ``capacitated``).
    formulation : {"auto", "search", "dense"}
        How :func:`erlocate.solve` solves it; both are exact and give the same
        optimum. ``"search"`` (and ``"auto"``, the default): bisection over the
        distinct radii with set-cover subproblems
        (:mod:`erlocate.decomposition.pcenter_search`): 500 × 120, p = 3 proven
        in about a second where the one MILP took minutes
        (``docs/benchmarks/pcenter.md``). ``"dense"``: the single MILP above
        (also what :meth:`build` gives, e.g. for an MPS export). Capacitated,
        the search's steps are capacitated covering MILPs
        (:mod:`erlocate.decomposition.pcenter_capacity`).

    References
    ----------
    Hakimi, S.L. (1965). Optimum distribution of switching centers in a
    communication network. *Operations Research* 13(3), 462–475.
    Daskin, M.S. (2013). *Network and Discrete Location*, 2nd ed., Wiley, ch. 5.
    Minieka, E. (1970). The m-center problem. *SIAM Review* 12(1), 138–139 (radius search).
    Özsoy, F.A. & Pınar, M.Ç. (2006). An exact algorithm for the capacitated vertex
    p-center problem. *Computers & OR* 33(5), 1420–1436.
    """

    exact_objective = False

    def __init__(
        self,
        p: int,
        *,
        max_cost: float | None = None,
        weighted: bool = False,
        capacitated: bool = False,
        single_source: bool = False,
        formulation: str = "auto",
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.weighted = weighted
        self.capacitated = capacitated
        self.single_source = single_source
        self.formulation = formulation

    def check_params(self) -> None:
        """p >= 1, max_cost a number >= 0 or None, flags booleans, a known formulation."""
        check_count(self.p)
        check_max_cost(self.max_cost, optional=True)
        boolean(self.weighted, "weighted")
        boolean(self.capacitated, "capacitated")
        boolean(self.single_source, "single_source")
        # single sourcing is a capacitated assignment (kept as given for replace())
        object.__setattr__(self, "capacitated", bool(self.capacitated or self.single_source))
        choice(self.formulation, "formulation", FORMULATIONS)

    @property
    def uses_capacities(self) -> bool:  # type: ignore[override]
        """Capacitated (or single-source) p-centers respect ``Instance.capacities``."""
        return bool(self.capacitated)

    @property
    def _split(self) -> bool:
        """Capacitated with split demand: the dense MILP needs the pair-use flags."""
        return bool(self.capacitated and not self.single_source)

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """The radius search (``"search"``, ``"auto"``); None (one MILP) for ``"dense"``."""
        if self.formulation == "dense":
            return None
        value = instance.costs * (instance.weights[instance.pair_rows] if self.weighted else 1.0)
        usable = instance.pair_mask(self.max_cost)
        if self.capacitated:
            from erlocate.decomposition.pcenter_capacity import capacitated_search

            return capacitated_search(
                instance, int(self.p), value, usable, self.single_source, backend, options, start
            )
        from erlocate.decomposition.pcenter_search import pcenter_search

        return pcenter_search(instance, int(self.p), value, usable, backend, options, start)

    def validate(self, instance: Instance) -> None:
        p = check_p(self.p, instance)
        check_max_cost(self.max_cost, optional=True)
        require_reach(instance, self.max_cost, "assignment")
        if self.capacitated:
            require_capacities(instance, "capacitated")
            capacity_precheck(instance, open_limit=p)
            if self.single_source:
                single_source_precheck(instance, Pairs(instance, self.max_cost))

    def build(self, instance: Instance) -> Milp:
        pairs = Pairs(instance, self.max_cost)
        b = MilpBuilder("p-center", "min")
        x = add_open(b, instance)
        # For binary x, serving every point wholly from a nearest open site minimises each
        # row's sum_j c_ij z_ij at once, so the least W is reached with integral z.
        # Capacitated, the shares are what the capacities allow: not implied integral.
        z = add_assignment(
            b,
            instance,
            pairs,
            x,
            obj=0.0,
            integer=self.single_source,
            link=not self._split,
            implied_integer=not self.capacitated,
        )
        cost = pairs.cost * (instance.weights[pairs.rows] if self.weighted else 1.0)
        # W is then the largest of those costs: integral when every cost is, and never above
        # the largest cost (a finite upper bound that excludes no optimum)
        w = b.add_cols(
            "radius",
            1,
            obj=1.0,
            lb=0.0,
            ub=max(0.0, float(cost.max(initial=0.0))),
            implied_integer=bool(np.all(cost == np.round(cost))),
        )
        add_count(b, x, int(self.p))
        if self.capacitated:
            add_capacity(b, instance, pairs, x, z)
        if self._split:  # pair-use flags: z_ij <= y_ij <= x_j, W >= v_ij y_ij
            y = b.add_cols("use", len(pairs), obj=0.0, lb=0.0, ub=1.0, integer=True)
            add_link(b, z, y, name="use")
            add_link(b, y, x[pairs.cols])
            k = np.arange(len(pairs))
            b.add_rows(
                "radius_pair",
                rows=np.concatenate([k, k]),
                cols=np.concatenate([y, np.full(k.size, w[0])]),
                vals=np.concatenate([cost, -np.ones(k.size)]),
                ub=0.0,
                n_rows=k.size,
            )
        n = instance.n_demand
        # sum_j c_ij z_ij <= W: exact with integral z, and valid (an average of used values) split
        b.add_rows(
            "radius",
            rows=np.concatenate([pairs.rows, np.arange(n)]),
            cols=np.concatenate([z, np.full(n, w[0])]),
            vals=np.concatenate([cost, -np.ones(n)]),
            ub=0.0,
            n_rows=n,
        )
        # W >= sum_j c_ij z_ij >= the point's least cost, for every point
        b.bound_hint = float(least_per_row(pairs.rows, cost, n).max(initial=0.0))
        return b.build()

    def _values(self, instance: Instance, plan: Plan) -> np.ndarray:
        cost = instance.cost_of(plan.demand_idx, plan.site_idx)
        return cost * instance.weights[plan.demand_idx] if self.weighted else cost

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        if self.capacitated:  # the MILP's allocation: the nearest sites may be full
            from erlocate.decomposition.pcenter_capacity import assigned_plan

            pairs = Pairs(instance, self.max_cost)
            return assigned_plan(instance, milp, pairs, x, "use" if self._split else None)
        open_ = np.round(milp.block(x, "open")) > 0.5
        return Plan.nearest(instance, open_)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        pairs = Pairs(instance, self.max_cost)
        x = encode_assignment(milp, pairs, plan)
        if self._split:
            x[milp.col_blocks["use"]] = x[milp.col_blocks["assign"]] > 0
        x[milp.col_blocks["radius"]] = self.evaluate(instance, plan)
        return x

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        """The largest (weighted) cost over the plan's allocated pairs."""
        values = self._values(instance, plan)[plan.share > 0]
        return float(values.max()) if values.size else 0.0

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
        if self.capacitated:  # a capacitated optimum may serve a point beyond its nearest site
            return []
        c = Checker(instance, plan)
        c.nearest_allocation(instance.cost_of(plan.demand_idx, plan.site_idx))
        return c.breaches
