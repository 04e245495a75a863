"""Phasing: which sites to open in which year under yearly budgets (multi-period MCLP)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.models.base import Model, require_capacities
from erlocate.models.phased_check import check_phased, evaluate_phased, phase_tables
from erlocate.models.phased_data import (
    PhaseData,
    PhasedPlan,
    check_phase_params,
    precheck_phases,
    resolve_phases,
)
from erlocate.models.phased_milp import build_phased, decode_phased, encode_phased
from erlocate.params import boolean
from erlocate.plan import Plan

if TYPE_CHECKING:
    from erlocate.result import Result

__all__ = ["PhasedMCLP", "PhasedPlan", "schedule"]


class PhasedMCLP(Model):
    r"""Multi-period (dynamic) maximal covering: which site to open in which year.

    Years :math:`t = 1..T`; :math:`x_{jt} = 1` if site :math:`j` is open in
    year :math:`t`; once built a site stays open. A site opened in year
    :math:`t` (:math:`x_{jt} - x_{j,t-1} = 1`, :math:`x_{j0} = 0`) costs
    :math:`f_j` (``Instance.site_costs``) against year :math:`t`'s budget
    :math:`B_t`. Required sites (existing stations) are open from year 1 at no
    cost and count in no yearly limit. With
    :math:`N_i = \{j : c_{ij} \le S_j\}` (``max_cost``: one standard, or one
    per site, e.g. a shelter class's walking limit) and the weight
    :math:`w_{it}` of point :math:`i` in year :math:`t` (``weights``; the
    instance's weights every year by default):

    .. math::

        \max \sum_t \delta_t \sum_i w_{it} y_{it} \quad\text{s.t.}\quad
        y_{it} \le \sum_{j \in N_i} x_{jt},\qquad
        x_{j,t-1} \le x_{jt},\qquad
        \sum_j f_j (x_{jt} - x_{j,t-1}) \le B_t,

    optionally :math:`\sum_j (x_{jt} - x_{j,t-1}) \le p_t` (``p_per_year``;
    :math:`= p_t` with ``exact_p``) and :math:`\sum_j x_{jT} \le p`
    (``p``, required sites included), :math:`x_{jt} \in \{0,1\}`,
    :math:`y_{it} \in [0,1]`, :math:`\delta_t = (1 + r)^{-(t-1)}`
    (``discount`` r, default 0). ``carry_over=True``: unspent budget carries
    to later years, :math:`\sum_j f_j x_{jt} \le \sum_{s \le t} B_s` (the
    cost of the sites open by year t within the budgets to year t);
    ``carry_over=False`` (default): each year's budget is spent that year or
    lost. ``sites`` restricts the openings to a target plan's sites (see
    :func:`schedule`); ``complete=True`` requires every one of them open by
    year T.

    :math:`y_{it}` is continuous: for binary :math:`x` the optimum sets
    :math:`y_{it} = \min(1, \sum_{N_i} x_{jt})`, which is 0 or 1, so the
    relaxation is exact (as in :class:`~erlocate.models.MCLP`). Exact
    reductions: points within the standard of a required site are covered
    every year (their weight is the objective offset, no variable); (point,
    year)s of zero weight or with no candidate in reach get no variable.

    **Capacitated** (``capacitated=True``; e.g. shelters): covered demand is
    assigned each year, :math:`\sum_{j \in N_i} z_{ijt} \le 1`,
    :math:`\sum_i d_i z_{ijt} \le K_j x_{jt}`, :math:`z_{ijt} \le x_{jt}`,
    maximising :math:`\sum_t \delta_t \sum_{i,j} w_{it} z_{ijt}` (loads
    :math:`d_i` = ``Instance.demand``, capacities :math:`K_j` =
    ``Instance.capacities``); ``single_source=True``: binary :math:`z` (each
    point wholly at one site, or not at all, each year).

    The compact MILP above is solved exactly. For large cases Lamontagne,
    Carvalho & Atallah solve the same model by an accelerated
    branch-and-Benders-cut and local branching; that method is not
    implemented here.

    Parameters
    ----------
    max_cost : float or per-site array / Series
        The coverage standard :math:`S_j`.
    years : int
        Number of years T (default 5: a five-year plan).
    budgets : sequence of float, optional
        Budget per year (length ``years``; ``inf``: no limit that year), spent
        on ``Instance.site_costs``.
    carry_over : bool
        Unspent budget carries over to later years (default False).
    p_per_year : sequence of int, optional
        At most (``exact_p``: exactly) this many new sites per year.
    exact_p : bool
        Open exactly ``p_per_year`` sites each year.
    p : int, optional
        At most p sites open by year T, required sites included.
    weights : DataFrame or array (n_demand, years), optional
        Weight per demand point and year (e.g. population growth); columns in
        year order, a DataFrame aligned on the demand ids.
    discount : float
        Yearly discount rate r of later years' coverage (default 0).
    sites : sequence of site ids, optional
        The sites that may open (required sites are open anyway).
    complete : bool
        Every one of ``sites`` (all candidates when None) open by year T.
    capacitated, single_source : bool
        Assign covered demand within capacities (see above).

    Raises
    ------
    InputError
        Per-year lists of the wrong length or with negative entries (the
        field named), budgets without site costs, unknown site ids.
    InfeasibleError
        More required sites than p, ``exact_p`` or ``complete`` counts no
        schedule can meet, a ``complete`` target dearer than the budgets.

    References
    ----------
    Gunawardane, G. (1982). Dynamic versions of set covering type public
    facility location problems. *European Journal of Operational Research*
    10(2), 190–195 (citation recalled, not re-checked).
    Church, R. & ReVelle, C. (1974). The maximal covering location problem.
    *Papers of the Regional Science Association* 32, 101–118.
    Lamontagne, S., Carvalho, M. & Atallah, R. Accelerated Benders
    decomposition and local branching for dynamic maximum covering location
    problems. arXiv preprint (title and authors checked; year and journal
    version not re-checked).
    """

    sense = "max"
    covering = False  # coverage differs by year: see report()["schedule"]
    constraints_hint = "yearly budgets, p_per_year, p, complete, capacities, required sites"
    max_cost: Any

    def __init__(
        self,
        max_cost: Any,
        years: int = 5,
        *,
        budgets: Any = None,
        carry_over: bool = False,
        p_per_year: Any = None,
        exact_p: bool = False,
        p: int | None = None,
        weights: Any = None,
        discount: float = 0.0,
        sites: Any = None,
        complete: bool = False,
        capacitated: bool = False,
        single_source: bool = False,
    ) -> None:
        self.max_cost = max_cost
        self.years = years
        self.budgets = budgets
        self.carry_over = carry_over
        self.p_per_year = p_per_year
        self.exact_p = exact_p
        self.p = p
        self.weights = weights
        self.discount = discount
        self.sites = sites
        self.complete = complete
        self.capacitated = capacitated
        self.single_source = single_source

    def check_params(self) -> None:
        """Flags, years, per-year lists (one per year, >= 0), p, discount, weights' shape."""
        for name in ("carry_over", "exact_p", "complete", "capacitated", "single_source"):
            boolean(getattr(self, name), name)
        out = check_phase_params(self.parameters())
        for name in ("budgets", "p_per_year", "sites"):
            object.__setattr__(self, name, out[name])

    @property
    def uses_capacities(self) -> bool:  # type: ignore[override]
        """Capacitated phasing respects ``Instance.capacities``."""
        return bool(self.capacitated or self.single_source)

    @property
    def exact_objective(self) -> bool:  # type: ignore[override]
        """Capacitated plans keep the MILP's assignment (recomputed exactly)."""
        return self.uses_capacities

    def data(self, instance: Instance) -> PhaseData:
        """The parameters resolved on ``instance`` (kept for the latest instance)."""
        cached = self.__dict__.get("_resolved")
        if cached is not None and cached[0] is instance:
            return cached[1]
        d = resolve_phases(instance, self.parameters())
        object.__setattr__(self, "_resolved", (instance, d))
        return d

    def reach(self, instance: Instance) -> float:
        """The largest standard of a site that can be open."""
        d = self.data(instance)
        can = d.candidate | d.required
        return float(d.reach[can].max()) if can.any() else 0.0

    def validate(self, instance: Instance) -> None:
        d = self.data(instance)
        if d.capacitated:
            require_capacities(instance, "capacitated")
        precheck_phases(d)

    def build(self, instance: Instance) -> Milp:
        return build_phased(self.data(instance))

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> PhasedPlan:
        return decode_phased(self.data(instance), milp, x)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        return encode_phased(self.data(instance), milp, plan)

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return evaluate_phased(self.data(instance), plan)

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        return check_phased(self.data(instance), plan)

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """``schedule``: per year (0 = existing sites) the sites opened, cost, budget,
        cumulative cost and budget, open sites, weight covered that year, its share, the
        cumulative covered weight and the (discounted) objective term; ``sites``: the
        open sites with their year and cost."""
        if not isinstance(plan, PhasedPlan):
            raise InputError("plan: expected a PhasedPlan", field="plan")
        return phase_tables(self.data(instance), plan)


def target_ids(target: Any, instance: Instance) -> list[Any]:
    """Site ids of a target plan: a Result, a Plan, a boolean mask or ids."""
    from erlocate.result import Result

    if isinstance(target, Result):
        if target.plan is None:
            raise InputError("target: the result has no plan", field="target")
        target = target.plan
    if isinstance(target, Plan):
        target = np.asarray(target.open, dtype=bool)
    arr = np.asarray(target)
    if arr.dtype == bool:
        if arr.shape != (instance.n_sites,):
            raise InputError(
                f"target: {arr.size} flags for {instance.n_sites} sites", field="target"
            )
        return list(instance.site_ids[arr])
    if isinstance(target, (str, bytes)) or not hasattr(target, "__iter__"):
        raise InputError(f"target: a plan, a mask or site ids, got {target!r}", field="target")
    return list(target)


def schedule(
    target: Any,
    instance: Instance,
    max_cost: Any,
    *,
    years: int = 5,
    complete: bool = True,
    backend: str = "highs",
    time_limit: float | None = None,
    **params: Any,
) -> Result:
    """A year-by-year schedule of a target plan: :class:`PhasedMCLP` on its sites only.

    Exact: the same MILP with every other site closed. ``complete=True``
    (default) builds every target site by the last year (InfeasibleError with
    numbers when the budgets cannot); ``False`` may leave some unbuilt.

    Parameters
    ----------
    target : Result, Plan, boolean mask or site ids
        The plan to phase (its open sites; required sites stay open from year 1).
    instance : Instance
        The data (site costs for budgets).
    max_cost : float or per-site array
        The coverage standard.
    years, complete, backend, time_limit
        As in :class:`PhasedMCLP` and :func:`erlocate.solve`.
    **params
        Further :class:`PhasedMCLP` parameters (``budgets``, ``p_per_year`` ...).

    Returns
    -------
    Result
        Its plan is a :class:`PhasedPlan`; ``report()["schedule"]`` the table.
    """
    model = PhasedMCLP(
        max_cost, years, sites=target_ids(target, instance), complete=complete, **params
    )
    return model.solve(instance, backend, time_limit=time_limit)
