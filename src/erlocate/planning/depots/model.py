"""The depot model: :class:`Depots`, its parameters and its steps.

The formulation is in the docstring of :class:`Depots`. Every step is a
function of the resolved :class:`~erlocate.planning.depots.data.DepotData`:
parameters in :mod:`~erlocate.planning.depots.params` (checked at
construction), inputs in :mod:`~erlocate.planning.depots.data` (with
:mod:`~erlocate.planning.depots.inputs` and
:mod:`~erlocate.planning.depots.exclusions`), feasibility in
:mod:`~erlocate.planning.depots.precheck`, the MILP in
:mod:`~erlocate.planning.depots.formulation` (over the index sets of
:mod:`~erlocate.planning.depots.layout`), the re-check in
:mod:`~erlocate.planning.depots.verify` and the tables in
:mod:`~erlocate.planning.depots.report`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from erlocate.instance import Instance
from erlocate.plan import Plan
from erlocate.planning.base import PlanningModel, Steps
from erlocate.planning.depots import benders, data, formulation, precheck, report, verify
from erlocate.planning.depots.data import DepotData
from erlocate.planning.depots.params import DepotParams, check_params
from erlocate.planning.depots.plan import DepotPlan

__all__ = ["Depots"]


class Depots(PlanningModel[DepotData, DepotPlan]):
    r"""Tiered materials depots stocked so that every scenario's need is met in the relief time.

    Communities :math:`i` (demand points), candidate sites :math:`j` of a
    fixed tier (district comprehensive depot, sub-district depot, community
    point), material categories :math:`k`, hazard scenarios :math:`s` (flood,
    earthquake, geological, hazardous chemicals ...) with affected people
    :math:`a_{is}` and need :math:`d_{isk} = n_{sk} a_{is}` (units per
    affected person :math:`n_{sk}`), contract rows :math:`c` (a supplier's
    offer of one category :math:`k(c)`). Depot :math:`j` can serve :math:`i`
    in :math:`s` iff :math:`c^s_{ij} + h_j \le T` (scenario travel time,
    handling time of the tier, relief time :math:`T`, 10 h); contract
    :math:`c` iff :math:`L_c + t^s_{ic} \le T` (lead time, optional travel).
    Variables: :math:`x_j` open (binary; 0 for excluded sites, 1 for
    required ones), stock :math:`S_{jk} \ge 0`, reserve :math:`0 \le R_c \le
    U_c`, flows :math:`f^s_{ijk}, g^s_{ic} \ge 0` on reachable arcs only.

    .. math::

        \min \sum_j F_j x_j + \sum_{jk} h_k S_{jk} + \sum_c r_c R_c
        + \mathop{\mathbb{E}_s \text{ or } \max_s}\Big[\sum_{ijk} \rho\, v_k c^s_{ij} f^s_{ijk}
        + \sum_{ic} e_c\, g^s_{ic}\Big]

    .. math::

        \sum_j f^s_{ijk} + \sum_{c: k(c)=k} g^s_{ic} = d_{isk},\quad
        \sum_i f^s_{ijk} \le S_{jk},\quad \sum_i g^s_{ic} \le R_c,\quad
        \sum_k v_k S_{jk} \le K_j x_j,\quad S_{jk} \le M_{jk} x_j,

    plus the tier rules :math:`\sum_{j \in \text{tier } t} x_j \ge m_t`
    (``min_per_tier``) and, per administrative unit :math:`u`,
    :math:`\underline u \le \sum_{j \in u,\ \text{tier}(j) = \tau} x_j \le
    \bar u` ("one office, one depot"). :math:`v_k` = space per unit,
    :math:`K_j` = capacity (m³), :math:`F_j` fixed cost, :math:`h_k` holding
    cost, :math:`r_c` retainer, :math:`e_c` delivery cost, :math:`\rho` =
    ``transport_rate`` (per m³ per hour). The stock must serve *every*
    scenario (robust by enumeration), so each category's stock is set by its
    binding (peak) scenario; the transport term is probability-weighted
    (``transport="expected"``, equal weights by default) or the worst scenario's
    (``"worst"``, an epigraph variable).

    Exact reductions: flows exist only for (scenario, community, depot,
    category) with positive need, an allowed site and a reachable pair;
    contract flows only where the contract reaches; :math:`M_{jk} = \min(\max_s
    \sum_{i \text{ reachable}} d_{isk}, K_j / v_k)` (stock beyond what a depot
    could ever ship is useless); no stock variable where :math:`M_{jk} = 0`.
    With ``transport_rate = 0`` (and ``aggregate=True``) communities with the
    same reachable depots and contracts in a scenario are merged into one
    demand node (exact: costs and feasibility then depend only on the node's
    total need; decoding splits each flow in proportion to need). With
    ``method="benders"`` the transport LPs merge communities with identical
    hours to every site and identical contract reach (exact: they are served at
    the same cost), hold each node's arcs to its nearest open depots and price
    the rest in (column generation, exact). Not used,
    because not exact in general: one flow per (s, i, j) carrying all
    categories in fixed proportions (exact only when needs do not depend on
    the scenario, holding costs are proportional to :math:`v_k n_k` and no
    contract is category-specific). Modelling choices: stock is continuous
    unless ``integer_stock``; the transport term is the cost of one relief
    operation while fixed, holding and retainer costs are annual.

    Parameters
    ----------
    affected : DataFrame, mapping or list, optional
        People affected per community and scenario: a DataFrame indexed by
        community id with one column per scenario, a mapping scenario ->
        values or ``demand_frame`` column, or a list of ``demand_frame``
        columns. Default: one scenario ``"base"`` with ``instance.weights``.
    probabilities : mapping or sequence, optional
        Scenario weights (sum 1); default equal.
    categories : DataFrame, optional
        Category table (:func:`material_categories`, the plan's 13; illustrative
        numbers); a subset or your own.
    needs : DataFrame, optional
        Units per affected person, categories × scenarios, overriding the
        table's ``per_person`` for the scenarios given.
    tiers : DataFrame, optional
        Tier table (:func:`depot_tiers`; illustrative numbers).
    site_tier : str or array, default "tier"
        ``site_frame`` column, one tier for all, or one tier per site.
    capacity, fixed_cost, handling_time : array or str, optional
        Per-site capacity (space units; default ``instance.capacities`` where
        finite, else the tier's), fixed cost (default ``instance.site_costs``
        if given, else the tier's) and handling hours (default the tier's).
    relief_time : float, default 10
        Hours within which every affected community gets its need (BRIEF item
        7: basic needs met within 10 h; national 14th FYP disaster plan).
    cost_unit : {"minutes", "hours"}
        Unit of the instance's (and scenario matrices') travel times.
    scenario_costs : mapping, optional
        Scenario -> travel matrix (array, sparse, DataFrame or Instance with
        the same ids) of a degraded network; other scenarios use the instance.
    contracts : DataFrame, optional
        Contract reserves, one row per (supplier, category): ``supplier``,
        ``category``, ``capacity`` (units), ``retainer`` (per unit contracted),
        ``lead_time`` (hours from call to delivery at any community),
        ``delivery_cost`` (per unit delivered, default 0).
    supplier_travel : DataFrame or mapping, optional
        Travel times supplier -> community (``cost_unit``; index community ids,
        columns supplier ids; or scenario -> such a table) added to the lead
        time; default none (the lead time covers delivery).
    transport_rate : float, default 10
        Cost per m³ per hour of travel (illustrative). 0 drops the transport
        term and enables the exact community aggregation.
    transport : {"expected", "worst"}
        How scenarios' transport costs enter the objective.
    min_per_tier : mapping, default {"district": 1}
        At least this many open depots per tier (the plan: at least one
        district comprehensive depot).
    units_requiring : sequence, "all" or None, default "all"
        Units (e.g. town / sub-district offices) that need ``unit_tier``
        depots; "all" = every unit in the ``unit`` labels; None = no rule.
    unit : str or array, default "unit"
        Unit label per site (``site_frame`` column or array).
    unit_tier : str, default "subdistrict"
    min_per_unit, max_per_unit : int, default 1, 1
        Depots of ``unit_tier`` per unit (``max_per_unit=None``: no maximum).
    excluded, exclusion_reason : str or array
        Exclusion flags and reasons (``site_frame`` columns ``excluded`` and
        ``exclusion_reason`` when present).
    exclude_within, exclude_near : optional
        Hazard geometries: sites inside ``exclude_within`` (e.g. flood
        polygons) or within a distance of ``exclude_near`` (e.g.
        ``(fault_line, 500)``) are excluded; see :func:`exclusion_zones`.
    on_excluded_required : {"error", "keep"}
        An existing (required) depot in an excluded area raises InputError, or
        stays open with a warning.
    integer_stock : bool
        Whole units of stock.
    aggregate : bool
        Use the exact community aggregation when ``transport_rate == 0``.
    method : {"auto", "direct", "benders"}
        ``"direct"``: the MILP above in one piece. ``"benders"``: Benders
        decomposition over scenarios and categories
        (:mod:`~erlocate.planning.depots.benders`; exact, needs
        ``transport_rate > 0``): a master with the first stage and one
        transport epigraph per (scenario, category), cut by the transport LPs'
        prices; proven to the relative gap ``mip_gap`` (default 1e-6).
        ``"auto"`` (default): Benders when ``transport_rate > 0`` and the
        direct MILP would have more than
        :data:`~erlocate.planning.depots.benders.DIRECT_LIMIT` flow columns.

    Raises
    ------
    InputError
        Bad tables, labels, shapes, probabilities, excluded existing depots.
    InfeasibleError
        Before solving, with numbers: tier or unit rules no allowed site can
        meet; an affected community no depot site or contract reaches within
        the relief time (ids, scenario, best time); a category whose peak
        need exceeds what all allowed sites and contracts can hold; all
        categories together exceeding the sites' space; a community whose need
        exceeds what can reach it.

    References
    ----------
    Rawls, C.G. & Turnquist, M.A. (2010). Pre-positioning of emergency supplies
    for disaster response. *Transportation Research B* 44(4), 521–534.
    Şahin, G. & Süral, H. (2007). A review of hierarchical facility location
    models. *Computers & OR* 34(8), 2310–2331. Van Slyke, R.M. & Wets, R. (1969).
    L-shaped linear programs. *SIAM J. Applied Mathematics* 17(4), 638–663;
    Ben-Ameur, W. & Neto, J. (2007). Acceleration of cutting-plane and column
    generation algorithms. *Networks* 49(1), 3–17 (``method="benders"``).
    建标121-2009 救灾物资储备库建设标准;
    "十四五"国家综合防灾减灾规划 (10-hour target); reference/domain.md §1.4, §3 item 13.
    """

    uses_capacities = True  # space per site (default instance.capacities)
    constraints_hint = (
        "tier and unit rules, site capacities and exclusions, the relief time, contract capacities"
    )

    steps = Steps(
        solve_loop=benders.solve_loop,
        resolve=data.resolve,
        precheck=precheck.precheck,
        formulate=formulation.formulate,
        decode=formulation.decode,
        encode=formulation.encode,
        evaluate=verify.evaluate,
        check=verify.check,
        tables=report.tables,
    )

    def __init__(
        self,
        *,
        affected: Any = None,
        probabilities: Any = None,
        categories: pd.DataFrame | None = None,
        needs: pd.DataFrame | None = None,
        tiers: pd.DataFrame | None = None,
        site_tier: Any = "tier",
        capacity: Any = None,
        fixed_cost: Any = None,
        handling_time: Any = None,
        relief_time: float = 10.0,
        cost_unit: str = "minutes",
        scenario_costs: Mapping[str, Any] | None = None,
        contracts: pd.DataFrame | None = None,
        supplier_travel: Any = None,
        transport_rate: float = 10.0,
        transport: str = "expected",
        min_per_tier: Mapping[str, int] | None = None,
        units_requiring: Sequence[Any] | str | None = "all",
        unit: Any = "unit",
        unit_tier: str = "subdistrict",
        min_per_unit: int = 1,
        max_per_unit: int | None = 1,
        excluded: Any = "excluded",
        exclusion_reason: Any = "exclusion_reason",
        exclude_within: Any = None,
        exclude_near: Any = None,
        on_excluded_required: str = "error",
        integer_stock: bool = False,
        aggregate: bool = True,
        method: str = "auto",
    ) -> None:
        self.affected = affected
        self.probabilities = probabilities
        self.categories = categories
        self.needs = needs
        self.tiers = tiers
        self.site_tier = site_tier
        self.capacity = capacity
        self.fixed_cost = fixed_cost
        self.handling_time = handling_time
        self.relief_time = relief_time
        self.cost_unit = cost_unit
        self.scenario_costs = scenario_costs
        self.contracts = contracts
        self.supplier_travel = supplier_travel
        self.transport_rate = transport_rate
        self.transport = transport
        if min_per_tier is None:
            min_per_tier = {"district": 1}
        self.min_per_tier = (
            dict(min_per_tier) if isinstance(min_per_tier, Mapping) else min_per_tier
        )
        self.units_requiring = units_requiring
        self.unit = unit
        self.unit_tier = unit_tier
        self.min_per_unit = min_per_unit
        self.max_per_unit = max_per_unit
        self.excluded = excluded
        self.exclusion_reason = exclusion_reason
        self.exclude_within = exclude_within
        self.exclude_near = exclude_near
        self.on_excluded_required = on_excluded_required
        self.integer_stock = integer_stock
        self.aggregate = aggregate
        self.method = method

    def __repr__(self) -> str:
        shown = ("relief_time", "cost_unit", "transport_rate", "transport", "min_per_tier")
        return f"Depots({', '.join(f'{k}={getattr(self, k)!r}' for k in shown)})"

    def check_params(self) -> None:
        """Every parameter that needs no instance (numbers, flags, tables, rules): at build."""
        check_params(DepotParams(**self.parameters()))

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """Planner tables of a :class:`DepotPlan`.

        ``depots`` (tier, unit, status with the exclusion reason, capacity,
        stock volume, utilisation), ``stock`` (open depots × categories, units),
        ``balance`` (scenario × category: need, delivered from stock and from
        contracts, unmet — zero in a valid plan — and the share of stock used),
        ``categories`` (stock and reserves vs the peak scenario need, the
        binding scenario), ``contracts`` (reserved and used per scenario),
        ``deliveries`` (scenario × depot: volume shipped, communities, latest
        arrival) and ``summary`` (costs by term, depots by tier).
        """
        return super().report(instance, plan)
