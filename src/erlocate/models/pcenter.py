"""p-center: open p sites, minimise the largest travel cost to a nearest open site."""

from __future__ import annotations

import numpy as np

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.decomposition.loop import LoopOutput
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.models.blocks import Pairs, add_assignment, add_count, add_open
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

    Parameters
    ----------
    p : int
        Number of sites to open.
    max_cost : float, optional
        Pairs costlier than this are not allowed (an exact reduction whenever
        ``max_cost`` is at least the optimal radius).
    weighted : bool
        Minimise the largest weight × cost instead of the largest cost.
    formulation : {"auto", "search", "dense"}
        How :func:`erlocate.solve` solves it; both are exact and give the same
        optimum. ``"search"`` (and ``"auto"``, the default): bisection over the
        distinct radii with set-cover subproblems
        (:mod:`erlocate.decomposition.pcenter_search`): 500 × 120, p = 3 proven
        in about a second where the one MILP took minutes
        (``docs/benchmarks/pcenter.md``). ``"dense"``: the single MILP above
        (also what :meth:`build` gives, e.g. for an MPS export).

    References
    ----------
    Hakimi, S.L. (1965). Optimum distribution of switching centers in a
    communication network. *Operations Research* 13(3), 462–475.
    Daskin, M.S. (2013). *Network and Discrete Location*, 2nd ed., Wiley, ch. 5.
    Minieka, E. (1970). The m-center problem. *SIAM Review* 12(1), 138–139 (radius search).
    """

    exact_objective = False

    def __init__(
        self,
        p: int,
        *,
        max_cost: float | None = None,
        weighted: bool = False,
        formulation: str = "auto",
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.weighted = weighted
        self.formulation = formulation

    def check_params(self) -> None:
        """p >= 1, max_cost a number >= 0 or None, weighted a boolean, a known formulation."""
        check_count(self.p)
        check_max_cost(self.max_cost, optional=True)
        boolean(self.weighted, "weighted")
        choice(self.formulation, "formulation", FORMULATIONS)

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """The radius search (``"search"``, ``"auto"``); None (one MILP) for ``"dense"``."""
        if self.formulation == "dense":
            return None
        from erlocate.decomposition.pcenter_search import pcenter_search

        value = instance.costs * (instance.weights[instance.pair_rows] if self.weighted else 1.0)
        usable = instance.pair_mask(self.max_cost)
        return pcenter_search(instance, int(self.p), value, usable, backend, options, start)

    def validate(self, instance: Instance) -> None:
        check_p(self.p, instance)
        check_max_cost(self.max_cost, optional=True)
        require_reach(instance, self.max_cost, "assignment")

    def build(self, instance: Instance) -> Milp:
        pairs = Pairs(instance, self.max_cost)
        b = MilpBuilder("p-center", "min")
        x = add_open(b, instance)
        # For binary x, serving every point wholly from a nearest open site minimises each
        # row's sum_j c_ij z_ij at once, so the least W is reached with integral z.
        z = add_assignment(b, instance, pairs, x, obj=0.0, implied_integer=True)
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
        n = instance.n_demand
        b.add_rows(  # sum_j c_ij z_ij - W <= 0
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
        open_ = np.round(milp.block(x, "open")) > 0.5
        return Plan.nearest(instance, open_)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = super().encode(instance, milp, plan)
        pairs = Pairs(instance, self.max_cost)
        pos = pairs.locate(plan.demand_idx, plan.site_idx)
        z = np.zeros(len(pairs))
        z[pos[pos >= 0]] = plan.share[pos >= 0]
        x[milp.col_blocks["assign"]] = z
        x[milp.col_blocks["radius"]] = self.evaluate(instance, plan)
        return x

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        values = self._values(instance, plan)
        return float(values.max()) if values.size else 0.0

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=int(self.p))
        c.allocation(max_cost=self.max_cost)
        return c.breaches

    def check_optimal(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.nearest_allocation(instance.cost_of(plan.demand_idx, plan.site_idx))
        return c.breaches
