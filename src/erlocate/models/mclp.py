"""Maximal covering: open p sites to cover the most demand weight within a standard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from erlocate.backends.protocol import Backend
from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.models.blocks import add_count, add_open
from erlocate.models.checks import check_count, check_max_cost, check_p
from erlocate.models.reduce import CoverReduction, reduce_mclp
from erlocate.params import boolean, choice
from erlocate.plan import Checker, Plan, coverage_counts

if TYPE_CHECKING:
    from erlocate.backends.base import SolveOptions
    from erlocate.decomposition.loop import LoopOutput

__all__ = ["MCLP"]

#: Exact methods of :class:`MCLP`.
METHODS = ("milp", "fixing")


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


def add_reduced_cover_rows(
    b: MilpBuilder, red: CoverReduction, x: np.ndarray, levels: list[np.ndarray]
) -> None:
    """As :func:`add_cover_rows` on the rows and sites of a reduction ``red``."""
    coo = red.A.tocoo()
    k = np.arange(red.n_rows)
    b.add_rows(
        "cover",
        rows=np.concatenate([coo.row, *([k] * len(levels))]),
        cols=np.concatenate([x[coo.col], *levels]),
        vals=np.concatenate([np.ones(coo.row.size), -np.ones(k.size * len(levels))]),
        lb=0.0,
        n_rows=red.n_rows,
    )


def cover_counts(milp: Milp, plan: Plan) -> np.ndarray:
    """Open sites counted in each ``cover`` row of ``milp`` (reduced or not) for ``plan``."""
    block = milp.A[milp.row_blocks["cover"]][:, milp.col_blocks["open"]]
    return np.asarray(block @ plan.open.astype(float)).ravel()


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

    With ``reduce=True`` (default) the MILP is built on the exact reduction of
    :func:`erlocate.models.reduce.reduce_mclp`: demand within reach of a
    required site becomes a constant (the objective offset), weightless
    demand is dropped, demand points with identical :math:`N_i` share one
    :math:`y` with their summed weight, and sites whose covered set lies
    inside another site's are fixed closed while at least p sites remain
    (argument in that function's docstring). The ``open`` block keeps one
    column per original site, so decoding needs no map; the MILP name records
    the sizes (``mclp_rows<k>of<n>_sites<k>of<m>``).

    Parameters
    ----------
    p : int
        Number of sites to open.
    max_cost : float
        The coverage standard S.
    reduce : bool
        Apply the exact reductions (default True; False builds the textbook
        model, e.g. to compare).
    method : {"milp", "fixing"}
        ``"milp"`` (default): the single MILP above. ``"fixing"``: the staged
        exact method of :mod:`erlocate.decomposition.mclp_fixing` — a
        heuristic incumbent, the LP bound, Lagrangian reduced-cost fixing of
        sites and rows (exact: every plan worth at least the incumbent keeps
        the fixings), then the restricted MILP warm-started with the incumbent.
        Always applies the reductions. Statuses and bounds are as honest as the
        single MILP's: ``"optimal"`` only when proven.

    References
    ----------
    Church, R. & ReVelle, C. (1974). The maximal covering location problem.
    *Papers of the Regional Science Association* 32, 101–118.
    """

    sense = "max"
    exact_objective = False
    covering = True
    #: The coverage standard (always set: a covering model needs one).
    max_cost: float

    def __init__(
        self, p: int, max_cost: float, *, reduce: bool = True, method: str = "milp"
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.reduce = reduce
        self.method = method

    def check_params(self) -> None:
        """p >= 1, max_cost (the standard) a number >= 0, reduce a boolean, a known method."""
        check_count(self.p)
        check_max_cost(self.max_cost)
        boolean(self.reduce, "reduce")
        choice(self.method, "method", METHODS)

    def validate(self, instance: Instance) -> None:
        check_p(self.p, instance)
        check_max_cost(self.max_cost)
        if self.method not in METHODS:
            raise InputError(
                f"method: must be one of {', '.join(map(repr, METHODS))}, got {self.method!r}",
                field="method",
            )

    def start_plan(self, instance: Instance, time_limit: float) -> Plan:
        """Greedy + perturbed swap search (:mod:`erlocate.heuristics.mclp`) on the kept sites."""
        from erlocate.heuristics.mclp import mclp_greedy, mclp_perturbed_search

        allowed = self.reduction(instance).keep_sites if self.reduce else None
        plan = mclp_greedy(instance, int(self.p), self.max_cost, allowed=allowed)
        return mclp_perturbed_search(
            instance, plan, self.max_cost, time_limit=time_limit, allowed=allowed
        )

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """``method="fixing"``: the staged exact method; None (single MILP) otherwise."""
        if self.method != "fixing":
            return None
        from erlocate.decomposition.mclp_fixing import solve_mclp_fixing

        return solve_mclp_fixing(instance, int(self.p), self.max_cost, backend, options, start)

    def reduction(self, instance: Instance) -> CoverReduction:
        """The exact reduction :meth:`build` uses (sizes in ``.counts``)."""
        return reduce_mclp(instance, self.max_cost, int(self.p))

    def build(self, instance: Instance) -> Milp:
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
            add_count(b, x, int(self.p))
            b.offset = red.fixed_weight
            return b.build()
        b = MilpBuilder("mclp", "max")
        x = add_open(b, instance)
        rows = coverable(instance, self.max_cost)
        y = b.add_cols(  # implied integer: as above
            "covered", rows.size, obj=instance.weights[rows], lb=0.0, ub=1.0, implied_integer=True
        )
        add_cover_rows(b, instance, x, self.max_cost, [y])
        add_count(b, x, int(self.p))
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        return Plan.nearest(instance, np.round(milp.block(x, "open")) > 0.5)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
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
        counts = coverage_counts(instance, plan.open, self.max_cost)
        return float(instance.weights[counts >= 1].sum())

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=int(self.p))
        return c.breaches
