"""The depot model: :class:`Depots`, its parameters and its MILP.

Parameters are resolved in :mod:`~erlocate.planning.depots.data` (with
:mod:`~erlocate.planning.depots.inputs` and
:mod:`~erlocate.planning.depots.exclusions`), checked for feasibility in
:mod:`~erlocate.planning.depots.precheck`; the MILP is built here over the
index sets of :mod:`~erlocate.planning.depots.layout`; plans go to
:mod:`~erlocate.planning.depots.verify` and :mod:`~erlocate.planning.depots.report`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.plan import Plan
from erlocate.planning.depots import verify
from erlocate.planning.depots.data import DepotData, prepare
from erlocate.planning.depots.layout import _layout, _Scen, decode_plan, encode_plan
from erlocate.planning.depots.params import check_params
from erlocate.planning.depots.plan import DepotPlan
from erlocate.planning.depots.precheck import add_rule_rows, precheck
from erlocate.planning.depots.report import tables

__all__ = ["Depots"]


class Depots(Model):
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
    total need; decoding splits each flow in proportion to need). Not used,
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
    models. *Computers & OR* 34(8), 2310–2331. 建标121-2009 救灾物资储备库建设标准;
    "十四五"国家综合防灾减灾规划 (10-hour target); reference/domain.md §1.4, §3 item 13.
    """

    constraints_hint = (
        "tier and unit rules, site capacities and exclusions, the relief time, contract capacities"
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
        self._cache: tuple[Any, Instance, DepotData] | None = None

    def __repr__(self) -> str:
        shown = ("relief_time", "cost_unit", "transport_rate", "transport", "min_per_tier")
        return f"Depots({', '.join(f'{k}={getattr(self, k)!r}' for k in shown)})"

    def check_params(self) -> None:
        """Every parameter that needs no instance (numbers, flags, tables, rules): at build."""
        check_params(self)

    # ------------------------------------------------------------------ data
    def data(self, instance: Instance) -> DepotData:
        """The parameters resolved against ``instance`` (cached per instance and parameters)."""
        key = (id(instance), tuple((k, id(v)) for k, v in vars(self).items() if k != "_cache"))
        if self._cache is None or self._cache[0] != key or self._cache[1] is not instance:
            self._cache = (key, instance, prepare(self, instance))
        return self._cache[2]

    def _layout(self, d: DepotData) -> tuple[list[_Scen], np.ndarray, np.ndarray, np.ndarray]:
        grouped = bool(self.aggregate) and self.transport_rate == 0
        return _layout(d, grouped, bool(self.integer_stock))

    def validate(self, instance: Instance) -> None:
        precheck(self, instance, self.data(instance))

    # ------------------------------------------------------------------ MILP
    def build(self, instance: Instance) -> Milp:
        d = self.data(instance)
        lay, sj, sk, ub = self._layout(d)
        m, K, C = instance.n_sites, d.cats.size, d.c_cap.size
        worst = self.transport == "worst"
        rate = float(self.transport_rate)
        b = MilpBuilder("depots", "min")
        x = b.add_cols(
            "open",
            m,
            obj=d.fixed,
            lb=instance.required.astype(float),
            ub=d.allowed.astype(float),
            integer=True,
        )
        st = b.add_cols("stock", sj.size, obj=d.holding[sk], integer=bool(self.integer_stock))
        res = b.add_cols("reserve", C, obj=d.c_retainer, ub=d.c_cap)
        theta = b.add_cols("worst", 1, obj=1.0) if worst else None
        r = np.arange(sj.size)
        b.add_rows(
            "link",
            rows=np.r_[r, r],
            cols=np.r_[st, x[sj]],
            vals=np.r_[np.ones(r.size), -ub],
            ub=0.0,
            n_rows=r.size,
        )
        fin = np.isfinite(d.cap)
        sites = np.unique(sj[fin[sj]])
        row_of = np.full(m, -1)
        row_of[sites] = np.arange(sites.size)
        use = fin[sj]
        b.add_rows(
            "capacity",
            rows=np.r_[row_of[sj[use]], np.arange(sites.size)],
            cols=np.r_[st[use], x[sites]],
            vals=np.r_[d.space[sk[use]], -d.cap[sites]],
            ub=0.0,
            n_rows=sites.size,
        )
        stock_pos = np.full(m * K, -1)
        stock_pos[sj * K + sk] = st
        for s, (name, sc) in enumerate(zip(d.scen, lay, strict=True)):
            w = 0.0 if worst else d.prob[s]
            tc = rate * d.space[sc.f_cat] * sc.f_hours
            f = b.add_cols(f"flow[{name}]", sc.f_node.size, obj=w * tc)
            g = b.add_cols(f"contract_flow[{name}]", sc.g_node.size, obj=w * d.c_delivery[sc.g_con])
            rid = np.full(sc.D.shape, -1)
            pos = sc.D > 0
            rid[pos] = np.arange(int(pos.sum()))
            b.add_rows(
                f"demand[{name}]",
                rows=np.r_[rid[sc.f_node, sc.f_cat], rid[sc.g_node, d.c_cat[sc.g_con]]],
                cols=np.r_[f, g],
                vals=1.0,
                lb=sc.D[pos],
                ub=sc.D[pos],
                n_rows=int(pos.sum()),
            )
            keys, inv = np.unique(sc.f_site * K + sc.f_cat, return_inverse=True)
            b.add_rows(
                f"depot_supply[{name}]",
                rows=np.r_[inv.ravel(), np.arange(keys.size)],
                cols=np.r_[f, stock_pos[keys]],
                vals=np.r_[np.ones(f.size), -np.ones(keys.size)],
                ub=0.0,
                n_rows=keys.size,
            )
            cons, cinv = np.unique(sc.g_con, return_inverse=True)
            b.add_rows(
                f"contract_supply[{name}]",
                rows=np.r_[cinv.ravel(), np.arange(cons.size)],
                cols=np.r_[g, res[cons]],
                vals=np.r_[np.ones(g.size), -np.ones(cons.size)],
                ub=0.0,
                n_rows=cons.size,
            )
            if worst:
                b.add_rows(
                    f"worst[{name}]",
                    rows=np.zeros(1 + f.size + g.size),
                    cols=np.r_[theta, f, g],
                    vals=np.r_[1.0, -tc, -d.c_delivery[sc.g_con]],
                    lb=0.0,
                    n_rows=1,
                )
        add_rule_rows(b, self, d, x)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> DepotPlan:
        return decode_plan(self, instance, milp, x)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        """The column vector of a :class:`DepotPlan` (community flows summed into nodes)."""
        x = super().encode(instance, milp, plan)
        if not isinstance(plan, DepotPlan):
            return x
        return encode_plan(self, instance, milp, plan, x)

    # ------------------------------------------------------------------ verification
    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return verify.evaluate(self, instance, plan)

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        return verify.check(self, instance, plan)

    # ------------------------------------------------------------------ report
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
        return tables(self, instance, plan)
