"""Maximal covering: open p sites to cover the most demand weight within a standard."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from erlocate.backends.protocol import Backend
from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, require_capacities
from erlocate.models.blocks import Pairs, add_count, add_open, assignment_plan, encode_assignment
from erlocate.models.capcover import (
    build_cover_assignment,
    check_load_options,
    cover_assignment_breaches,
    cover_assignment_precheck,
    cover_min_loads,
    covered_share,
    restrict_pairs,
)
from erlocate.models.checks import check_count, check_max_cost, check_p
from erlocate.models.coverrows import (
    add_cover_rows,
    add_reduced_cover_rows,
    cover_counts,
    coverable,
)
from erlocate.models.groups import (
    SiteGroup,
    add_group_rows,
    check_groups,
    group_breaches,
    group_masks,
)
from erlocate.models.loads import check_min_loads, min_load_vector
from erlocate.models.reduce import CoverReduction, reduce_mclp
from erlocate.params import boolean, choice
from erlocate.plan import Checker, Plan, coverage_counts

if TYPE_CHECKING:
    from erlocate.backends.base import SolveOptions
    from erlocate.decomposition.loop import LoopOutput

__all__ = ["MCLP", "add_cover_rows", "add_reduced_cover_rows", "cover_counts", "coverable"]

#: Exact methods of :class:`MCLP`.
METHODS = ("milp", "fixing", "benders")


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

    **Capacitated** (``capacitated=True``; Current & Storbeck 1988, Pirkul &
    Schilling 1991): covered demand is *assigned* to an open site within the
    standard, and the load :math:`d_i` (``Instance.demand``) counts against
    the site's capacity :math:`K_j` (``Instance.capacities``):

    .. math::

        \max \sum_i w_i \sum_{j \in N_i} z_{ij} \quad\text{s.t.}\quad
        \sum_{j \in N_i} z_{ij} \le 1,\qquad
        \sum_i d_i z_{ij} \le K_j x_j,\qquad z_{ij} \le x_j,\qquad \sum_j x_j = p.

    Split demand (default): :math:`z_{ij} \in [0, 1]`, a point may be partly
    covered and its covered share is what the objective and
    ``Result.coverage`` count; ``single_source=True``: binary :math:`z`, all
    or nothing. ``serve_all=True`` is Pirkul & Schilling's *total workload*
    model: every point is assigned (:math:`\sum_j z_{ij} = 1` over all
    reachable sites), so capacities count uncovered load too, and the weight
    assigned within :math:`S` is maximised (their secondary term, the travel
    of uncovered demand, is not included). The plan keeps the MILP's
    assignment. ``min_loads`` / ``fill_required`` (capacitated only) add
    :math:`\sum_i d_i z_{ij} \ge m_j x_j`; ``groups`` adds per-group count
    and budget rows (:mod:`erlocate.models.groups`), capacitated or not.

    ``reduce=True`` (default) applies exact reductions only. Uncapacitated,
    :func:`erlocate.models.reduce.reduce_mclp` (pre-covered demand becomes the
    objective offset, weightless demand is dropped, identical :math:`N_i`
    merged, dominated sites closed while p remain); with ``groups`` every site
    is kept (a dominating site may sit in a full group). Capacitated, only
    weightless demand is dropped, and not with minimum loads or ``serve_all``:
    a required site may be full, merged points differ in :math:`w_i / d_i`,
    and a dominated site may hold more. The ``open`` block keeps one column
    per original site; the MILP name records the sizes.

    Parameters
    ----------
    p : int
        Number of sites to open.
    max_cost : float
        The coverage standard S.
    reduce : bool
        Apply the exact reductions (default True; False builds the textbook
        model, e.g. to compare).
    method : {"milp", "fixing", "benders"}
        ``"milp"`` (default): the single MILP above. ``"fixing"``: the staged
        exact method of :mod:`erlocate.decomposition.mclp_fixing` — a
        heuristic incumbent, the LP bound, Lagrangian reduced-cost fixing of
        sites and rows (exact: every plan worth at least the incumbent keeps
        the fixings), then the restricted MILP warm-started with the incumbent.
        Always reduces; uncapacitated without groups only. ``"optimal"`` only
        when proven, as for the single MILP. ``"benders"``: Cordeau, Furini &
        Ljubić (2019)'s decomposition, cover rows added lazily to a master
        (:mod:`erlocate.decomposition.mclp_benders`); same restrictions.
    capacitated : bool
        Assign covered demand and respect site capacities.
    single_source : bool
        A point is covered wholly by one site or not at all (implies ``capacitated``).
    serve_all : bool
        Assign every point, within the standard or not (implies ``capacitated``).
    min_loads : mapping or pandas.Series, optional
        Site id -> least load if open (capacitated only).
    fill_required : bool
        Every required site carries its full capacity (capacitated only).
    groups : sequence of SiteGroup
        Per-group limits on open sites and site costs.

    References
    ----------
    Church, R. & ReVelle, C. (1974). The maximal covering location problem.
    *Papers of the Regional Science Association* 32, 101–118.
    Current, J.R. & Storbeck, J.E. (1988). Capacitated covering models.
    *Environment and Planning B* 15(2), 153–163.
    Pirkul, H. & Schilling, D.A. (1991). The maximal covering location problem
    with capacities on total workload. *Management Science* 37(2), 233–248.
    """

    sense = "max"
    covering = True
    constraints_hint = "p, standard, capacities, minimum loads, site groups, required sites"
    #: The coverage standard (always set: a covering model needs one).
    max_cost: float

    def __init__(
        self,
        p: int,
        max_cost: float,
        *,
        reduce: bool = True,
        method: str = "milp",
        capacitated: bool = False,
        single_source: bool = False,
        serve_all: bool = False,
        min_loads: Mapping[Any, float] | Any = None,
        fill_required: bool = False,
        groups: Any = (),
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.reduce = reduce
        self.method = method
        self.capacitated = capacitated
        self.single_source = single_source
        self.serve_all = serve_all
        self.min_loads = min_loads
        self.fill_required = fill_required
        self.groups: tuple[SiteGroup, ...] = check_groups(groups)

    def check_params(self) -> None:
        """p, max_cost, flags, method (not "milp": not capacitated, no groups), min_loads."""
        check_count(self.p)
        check_max_cost(self.max_cost)
        for name in ("reduce", "capacitated", "single_source", "serve_all", "fill_required"):
            boolean(getattr(self, name), name)
        choice(self.method, "method", METHODS)
        cap = bool(self.capacitated or self.single_source or self.serve_all)
        object.__setattr__(self, "capacitated", cap)  # kept as given for replace()
        object.__setattr__(self, "min_loads", check_min_loads(self.min_loads))
        object.__setattr__(self, "groups", check_groups(self.groups))
        check_load_options(cap, self.min_loads, self.fill_required)
        if self.method != "milp" and (cap or self.groups):
            raise InputError(
                f"method: {self.method!r} solves the uncapacitated MCLP without site groups; use "
                "method='milp' with capacitated=True or groups",
                field="method",
            )

    @property
    def uses_capacities(self) -> bool:  # type: ignore[override]
        """Capacitated MCLP respects ``Instance.capacities``."""
        return bool(self.capacitated)

    @property
    def exact_objective(self) -> bool:  # type: ignore[override]
        """Capacitated plans keep the MILP's assignment (recomputed exactly)."""
        return bool(self.capacitated)

    @property
    def assigns_cover(self) -> bool:
        """Capacitated: coverage is the share assigned within the standard."""
        return bool(self.capacitated)

    def reach(self, instance: Instance) -> float:
        """Every pair with ``serve_all`` (uncovered demand is assigned too), else the standard."""
        return np.inf if self.serve_all else float(self.max_cost)

    def validate(self, instance: Instance) -> None:
        p = check_p(self.p, instance)
        check_max_cost(self.max_cost)
        group_masks(instance, self.groups)
        if self.capacitated:
            require_capacities(instance, "capacitated")
            cover_assignment_precheck(
                instance,
                self._pairs(instance),
                None if self.serve_all else self.max_cost,
                full=bool(self.serve_all),
                single_source=bool(self.single_source),
                open_limit=p,
                min_loads=self._min_loads(instance),
            )

    def _min_loads(self, instance: Instance) -> np.ndarray | None:
        return cover_min_loads(instance, self.capacitated, self.min_loads, self.fill_required)

    def _pairs(self, instance: Instance) -> Pairs:
        """The assignment pairs: within the standard (all reachable with ``serve_all``);
        weightless points dropped where that is exact (no minimum loads, no serve_all)."""
        pairs = Pairs(instance, None if self.serve_all else self.max_cost)
        if self.serve_all or self._min_loads(instance) is not None or not self.reduce:
            return pairs
        return restrict_pairs(pairs, instance.weights[pairs.rows] > 0)

    def start_plan(self, instance: Instance, time_limit: float) -> Plan | None:
        """Greedy + perturbed swap search (:mod:`erlocate.heuristics.mclp`) on the kept sites."""
        if self.capacitated or self.groups:
            raise InputError(
                "warm_start: 'heuristic' is available for an MCLP without capacities or site "
                "groups; pass a Plan or Result instead",
                field="warm_start",
            )
        from erlocate.heuristics.mclp import mclp_greedy, mclp_perturbed_search

        allowed = self.reduction(instance).keep_sites if self.reduce else None
        plan = mclp_greedy(instance, self.p, self.max_cost, allowed=allowed, time_limit=time_limit)
        return mclp_perturbed_search(
            instance, plan, self.max_cost, time_limit=time_limit, allowed=allowed
        )

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """``method="fixing"`` / ``"benders"``: the exact loops; None (single MILP) otherwise."""
        if self.method == "benders":
            from erlocate.decomposition.mclp_benders import solve_mclp_benders

            return solve_mclp_benders(instance, int(self.p), self.max_cost, backend, options, start)
        if self.method != "fixing":
            return None
        from erlocate.decomposition.mclp_fixing import solve_mclp_fixing

        return solve_mclp_fixing(instance, int(self.p), self.max_cost, backend, options, start)

    def reduction(self, instance: Instance) -> CoverReduction:
        """The exact reduction :meth:`build` uses uncapacitated (sizes in ``.counts``)."""
        if self.groups:
            # row steps only: with p = n_sites step 3 keeps every site back (and
            # max_work=0 skips the dominance search it would discard)
            return reduce_mclp(instance, self.max_cost, instance.n_sites, max_work=0)
        return reduce_mclp(instance, self.max_cost, int(self.p))

    def build(self, instance: Instance) -> Milp:
        if self.capacitated:
            pairs = self._pairs(instance)
            return build_cover_assignment(
                f"mclp_capacitated{'_serve_all' if self.serve_all else ''}_pairs{len(pairs)}",
                "max",
                instance,
                pairs,
                open_cost=0.0,
                assign_obj=np.where(pairs.cost <= self.max_cost, instance.weights[pairs.rows], 0),
                full=bool(self.serve_all),
                single_source=bool(self.single_source),
                min_loads=self._min_loads(instance),
                groups=self.groups,
                p=int(self.p),
            )
        if self.reduce:
            red = self.reduction(instance)
            b = MilpBuilder(f"mclp_{red.summary()}", "max")
            x = b.add_cols(
                "open",
                instance.n_sites,
                lb=instance.required.astype(float),
                ub=red.keep_sites.astype(float),
                integer=True,
            )
            # for binary x the best y_i is min(1, open sites covering i) or 0: integral
            y = b.add_cols(
                "covered", red.n_rows, obj=red.weights, lb=0.0, ub=1.0, implied_integer=True
            )
            add_reduced_cover_rows(b, red, x, [y])
            b.offset = red.fixed_weight
        else:
            b = MilpBuilder("mclp", "max")
            x = add_open(b, instance)
            rows = coverable(instance, self.max_cost)
            w = instance.weights[rows]
            y = b.add_cols("covered", rows.size, obj=w, lb=0.0, ub=1.0, implied_integer=True)
            add_cover_rows(b, instance, x, self.max_cost, [y])
        add_count(b, x, int(self.p))
        add_group_rows(b, instance, x, self.groups)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        if self.capacitated:  # the MILP's own assignment, capacities respected
            return assignment_plan(milp, self._pairs(instance), x)
        return Plan.nearest(instance, np.round(milp.block(x, "open")) > 0.5)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        if self.capacitated:
            return encode_assignment(milp, self._pairs(instance), plan)
        if self.reduce:
            # a start opening a dominated (dropped) site moves to a kept site covering a
            # superset: same or more coverage, and feasible for the reduced MILP
            from erlocate.decomposition.restricted import project_to_kept

            red = self.reduction(instance)
            open_ = project_to_kept(instance, red, float(self.max_cost), plan.open)
            if not np.array_equal(open_, plan.open):
                plan = Plan(open_, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        x = super().encode(instance, milp, plan)
        x[milp.col_blocks["covered"]] = np.minimum(cover_counts(milp, plan), 1)
        return x

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        if self.capacitated:
            return float(instance.weights @ covered_share(instance, plan, self.max_cost))
        counts = coverage_counts(instance, plan.open, self.max_cost)
        return float(instance.weights[counts >= 1].sum())

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=int(self.p))
        if self.capacitated:
            c.breaches += cover_assignment_breaches(
                instance,
                plan,
                max_cost=None if self.serve_all else self.max_cost,
                full=bool(self.serve_all),
                single_source=bool(self.single_source),
                min_loads=min_load_vector(instance, self.min_loads, self.fill_required),
            )
        c.breaches += group_breaches(instance, plan.open, self.groups)
        return c.breaches
