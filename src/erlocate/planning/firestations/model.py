"""The fire-station model: :class:`FireStations`, its parameters and its steps.

The formulation is in the docstring of :class:`FireStations`. Every step is a
function of the resolved :class:`~erlocate.planning.firestations.inputs.FireData`:
parameters in :mod:`~erlocate.planning.firestations.params`, inputs in
:mod:`~erlocate.planning.firestations.inputs` (the type table in
:mod:`~erlocate.planning.firestations.defaults`), feasibility in
:mod:`~erlocate.planning.firestations.precheck`, the MILP in
:mod:`~erlocate.planning.firestations.formulation` and
:mod:`~erlocate.planning.firestations.rows`, the least-cost tie-break in
:mod:`~erlocate.planning.firestations.tiebreak`, the re-check in
:mod:`~erlocate.planning.firestations.verify` and the tables in
:mod:`~erlocate.planning.firestations.report`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.decomposition.loop import LoopOutput
from erlocate.instance import Instance
from erlocate.plan import Plan
from erlocate.planning.base import PlanningModel, Steps
from erlocate.planning.firestations import formulation, inputs, precheck, report, tiebreak, verify
from erlocate.planning.firestations.defaults import check_types
from erlocate.planning.firestations.inputs import FireData
from erlocate.planning.firestations.params import FireParams, check_params
from erlocate.planning.firestations.plan import StationPlan

__all__ = ["FireStations", "StationPlan"]


class FireStations(PlanningModel[FireData, StationPlan]):
    r"""Fire stations by type, with responsibility districts and the 5-minute standard.

    Sites :math:`j` (candidates and existing stations, ``instance.required``),
    types :math:`t` with district-area cap :math:`K_t`, cost :math:`c_t`, crew
    and engines; demand points :math:`i` with area :math:`a_i` (km²) and weight
    :math:`w_i` (= ``instance.weights``, population × risk). Costs of the
    instance are **driving** minutes :math:`d_{ij}`; a pair is within the
    standard when :math:`\tau + d_{ij} \le S` (turnout :math:`\tau`), i.e.
    :math:`j \in N_i = \{j : d_{ij} \le S - \tau\}`. Variables: :math:`x_j`
    open, :math:`y_{jt}` type (only where type :math:`t` is allowed),
    :math:`z_{ij}` district membership (only for :math:`j \in N_i`),
    :math:`u_i` second coverage, all binary except :math:`u`.

    .. math::

        \sum_t y_{jt} = x_j,\qquad z_{ij} \le x_j,\qquad
        \sum_i a_i z_{ij} \le \sum_t K_t y_{jt},\qquad
        \sum_{j \in N_i} z_{ij} \;\begin{cases} = 1 & i \text{ must be covered}\\
        \le 1 & \text{otherwise}\end{cases}

    ``mode="cover_all"`` ("eliminate blank spots", LSCP of Toregas et al. 1971
    with typed, area-capped districts): every demand point is in a district,
    :math:`\min \sum_j F_j x_j + \sum_{j,t} c_t y_{jt}` over counted sites
    (:math:`F_j` = ``instance.site_costs``, e.g. land; existing stations are
    not counted unless ``count_existing``). ``mode="max_cover"`` (MCLP of
    Church & ReVelle 1974): :math:`\max \sum_{i,j} w_i z_{ij}` under
    ``budget`` (:math:`\sum F_j x_j + c_t y_{jt}` over counted sites) and/or
    ``max_new`` (:math:`\sum_{j \text{ new}} x_j`). Both accept both limits.
    Ties in coverage are broken by least cost, lexicographically and exactly
    (:mod:`erlocate.planning.lexicographic`): once the coverage is proven
    optimal, a second MILP minimises the cost over the plans that keep it, so
    no class-1 station is built where a smaller one covers the same.

    Second coverage (concurrent incidents, BACOP2 of Hogan & ReVelle 1986):
    ``second_cover="objective"`` adds
    :math:`\sum_{j\in N_i} x_j - \sum_j z_{ij} - u_i \ge 0,\; u_i \le \sum_j z_{ij}`
    and :math:`\pm\beta \sum_i w_i u_i` to the objective (``second_weight`` β;
    minus in cover_all, where β is in cost units per unit of weight);
    ``second_cover="require"`` adds :math:`\sum_{j\in N_i} x_j \ge 2` and
    :math:`\sum_j z_{ij} = 1` for the ``second_points``. ``closest=True``
    adds closest-assignment rows :math:`\sum_{k \in N_i: d_{ik} \le d_{ij}}
    z_{ik} \ge x_j` (Gerrard & Church 1996): a point's district is at its
    nearest open station that can hold it; otherwise a district station may
    be farther than the first responder (both are reported).

    Exact reductions: no :math:`z_{ij}` beyond the standard, or where
    :math:`a_i` exceeds every cap allowed at :math:`j`; no :math:`y_{jt}` for
    disallowed types; :math:`K_t=\infty` is replaced by :math:`\sum_i a_i`;
    :math:`u_i` is continuous (for binary :math:`x, z` its bound
    :math:`\min(1, \sum x - \sum z, \sum z)` is integral). Demand points are
    not merged, even with identical stations in reach: each point's area
    counts toward one district under an area cap, so two such points may
    need different districts (a bin packing), and a merged point could not
    split. (At 256 points per community the district is proven in 3 s.)

    Parameters
    ----------
    mode : {"cover_all", "max_cover"}
        Minimum cost to leave no blank spot, or maximum covered weight under limits.
    standard : float
        Minutes from dispatch to arrival (default 5: 建标152-2017 / GB 51080-2015
        §4.1.3, "reach the edge of the district within 5 min of the order").
    turnout : float
        Minutes from dispatch to wheels rolling (default 1: the ≈1 min turnout
        + 4 min drive behind the 5-minute rule, domain.md §1.1).
    types : pandas.DataFrame, optional
        Station types (``type, area_cap_km2, crew, cost, engines``; optional
        ``default_allowed``); default :func:`station_types` (costs illustrative).
    area : str or array-like
        Demand-point area in km²: a ``demand_frame`` column (default ``"area"``)
        or an array. Zeros switch the district caps off.
    allowed : optional
        Types allowed per site: a ``site_frame`` column, a mapping site id ->
        type name(s), a per-site sequence, or a boolean sites × types array.
    existing_types : optional
        Type of existing (required) stations: a ``site_frame`` column, mapping or
        sequence; None entries let the model choose (at no cost unless counted).
    budget, max_new : float, int, optional
        Cost limit over counted sites; number of new stations.
    second_cover : {None, "objective", "require"}
        Second coverage as an objective term or a requirement.
    second_weight : float, optional
        β of the objective term (max_cover default 0.5; cover_all must set it).
    second_points : optional
        Demand points second coverage applies to: boolean mask, ids or a
        boolean ``demand_frame`` column (default all).
    allow_blank : bool
        cover_all only: points no candidate can serve within the standard are
        reported as unavoidable blank spots instead of raising.
    closest : bool
        Districts at the nearest open station that can hold the point.
    count_existing : bool
        Count existing stations' cost in the objective and budget (default False).
    population : str or array-like, optional
        For reports: a ``demand_frame`` column or array (default the
        ``"population"`` column if present, else the weights).

    Raises
    ------
    InputError
        Bad parameters, unknown types, areas missing or negative.
    InfeasibleError
        cover_all with a point no candidate serves within the standard (ids
        and best response time listed), areas beyond all caps, second
        coverage impossible, existing stations over budget.

    References
    ----------
    Toregas, Swain, ReVelle & Bergman (1971) *Oper. Res.* 19(6):1363–1373.
    Church & ReVelle (1974) *Pap. Reg. Sci. Assoc.* 32:101–118.
    Hogan & ReVelle (1986) *Management Science* 32(11):1434–1444.
    Gerrard & Church (1996) Closest assignment constraints and location
    models: properties and structure. *Location Science* 4(4):251–270
    (citation recalled, not re-checked).
    建标152-2017 城市消防站建设标准; GB/T 35547-2017 乡镇消防队.
    """

    constraints_hint = (
        "the response standard, area caps by station type, budget, "
        "max_new, second cover, closest districts"
    )

    covering = True
    steps = Steps(
        resolve=inputs.resolve,
        precheck=precheck.precheck,
        formulate=formulation.formulate,
        decode=formulation.decode,
        encode=formulation.encode,
        evaluate=verify.evaluate,
        check=verify.check,
        tables=report.tables,
        solve_loop=tiebreak.solve_loop,
    )

    def __init__(
        self,
        mode: str = "cover_all",
        *,
        standard: float = 5.0,
        turnout: float = 1.0,
        types: pd.DataFrame | None = None,
        area: Any = "area",
        allowed: Any = None,
        existing_types: Any = None,
        budget: float | None = None,
        max_new: int | None = None,
        second_cover: str | None = None,
        second_weight: float | None = None,
        second_points: Any = None,
        allow_blank: bool = False,
        closest: bool = False,
        count_existing: bool = False,
        population: Any = None,
    ) -> None:
        self.mode = mode
        self.standard = standard
        self.turnout = turnout
        self.types = check_types(types)
        self.area = area
        self.allowed = allowed
        self.existing_types = existing_types
        self.budget = budget
        self.max_new = max_new
        self.second_cover = second_cover
        self.second_weight = second_weight
        self.second_points = second_points
        self.allow_blank = allow_blank
        self.closest = closest
        self.count_existing = count_existing
        self.population = population

    def check_params(self) -> None:
        """Every parameter that needs no instance (numbers, flags, choices, kinds): at build."""
        check_params(FireParams(**self.parameters()))

    def _params(self) -> FireParams:
        """The parameters as a :class:`FireParams` (a cache: the model is immutable)."""
        p = self.__dict__.get("_fire_params")
        if p is None:
            p = FireParams(**self.parameters())
            object.__setattr__(self, "_fire_params", p)
        return p

    @property
    def sense(self) -> str:  # type: ignore[override]
        """``"min"`` (cost) in cover_all, ``"max"`` (covered weight) in max_cover."""
        return self._params().sense

    @property
    def exact_objective(self) -> bool:  # type: ignore[override]
        """Exact unless the second-coverage term's continuous u may sit below its bound."""
        return self.beta == 0.0

    @property
    def max_cost(self) -> float | None:  # type: ignore[override]
        """The driving limit ``standard - turnout`` (instance costs are driving minutes)."""
        return self._params().max_cost

    @property
    def beta(self) -> float:
        """Weight of second coverage in the objective (0 unless ``second_cover="objective"``)."""
        return self._params().beta

    def __repr__(self) -> str:
        keys = ("mode", "standard", "turnout", "budget", "max_new", "second_cover", "closest")
        params = ", ".join(f"{k}={getattr(self, k)!r}" for k in keys)
        return f"FireStations({params}, types={self.types['type'].tolist()})"

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """max_cover: coverage first, then least cost among plans of that coverage."""
        return super().solve_loop(instance, backend, options, start)

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """Stations by type, per-point responders, blank spots, and a summary.

        Returns
        -------
        dict of pandas.DataFrame
            ``stations`` (open stations: type, crew, engines, cost, district
            area and population), ``by_type``, ``demand`` (district station,
            first and second responder by response time = turnout + driving,
            stations within the standard, covered / second-covered / blank),
            ``blank_spots`` (with the reason) and ``summary`` (metric -> value:
            crews needed, population within the standard before = existing
            stations only and after = plan, etc.).
        """
        return super().report(instance, plan)
