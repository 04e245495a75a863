"""Materials depots: a tiered network stocked for the peak need of every hazard scenario.

Implements item 6 of the district brief (tiered depots, 13 material
categories, contract reserves, no depot in flood zones or on fault lines) with
the 10-hour relief target of item 7. The tables and the data resolution live in
:mod:`erlocate.planning.materials`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.plan import TOL, Checker, Plan
from erlocate.planning.materials import (
    DepotData,
    check_rules,
    depot_tiers,
    exclusion_zones,
    material_categories,
    precheck,
    prepare,
    rule_units,
)

__all__ = [
    "DepotPlan",
    "Depots",
    "Flows",
    "depot_tiers",
    "exclusion_zones",
    "material_categories",
]


@dataclass(frozen=True, eq=False)
class Flows:
    """Shipments in one scenario-indexed sparse (COO) array.

    Entry ``e`` ships ``amount[e]`` units of category ``category[e]`` in
    scenario ``scenario[e]`` from ``source[e]`` (a site position for depot
    flows, a row of the contract table for contract flows) to community
    ``demand[e]`` (positions, not ids).
    """

    scenario: np.ndarray
    demand: np.ndarray
    source: np.ndarray
    category: np.ndarray
    amount: np.ndarray

    @classmethod
    def empty(cls) -> Flows:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z, np.zeros(0))

    def __len__(self) -> int:
        return self.amount.size

    def matrix(self, scenario: int, category: int, shape: tuple[int, int]) -> sp.csr_array:
        """Communities × sources shipments of one scenario and category."""
        k = (self.scenario == scenario) & (self.category == category)
        return sp.csr_array((self.amount[k], (self.demand[k], self.source[k])), shape=shape)


@dataclass(frozen=True, eq=False)
class DepotPlan(Plan):
    """A depot plan: the base :class:`~erlocate.plan.Plan` plus stock, reserves and flows.

    ``stock`` is sites × categories (units; zero at closed sites), ``reserve``
    the units contracted per row of the contract table, ``depot_flows`` and
    ``contract_flows`` the per-scenario shipments (:class:`Flows`). The base
    fields hold every (community, depot) pair that ships in some scenario, with
    ``share`` = the probability-weighted share of the community's need volume
    (m³) that depot delivers.
    """

    stock: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    reserve: np.ndarray = field(default_factory=lambda: np.zeros(0))
    depot_flows: Flows = field(default_factory=Flows.empty)
    contract_flows: Flows = field(default_factory=Flows.empty)


@dataclass
class _Scen:
    """One scenario's demand nodes (communities, or groups with the same reach) and arcs."""

    node_of: np.ndarray  # (n) node of each community, -1 when unaffected
    members: np.ndarray  # communities sorted by node
    indptr: np.ndarray  # node -> members[indptr[g]:indptr[g+1]]
    D: np.ndarray  # (G, K) need per node
    f_node: np.ndarray  # depot flow variables: node, site, category, travel hours
    f_site: np.ndarray
    f_cat: np.ndarray
    f_hours: np.ndarray
    g_node: np.ndarray  # contract flow variables: node, contract row
    g_con: np.ndarray


def _layout(
    d: DepotData, aggregate: bool, integer: bool = False
) -> tuple[list[_Scen], np.ndarray, np.ndarray, np.ndarray]:
    """Per-scenario nodes and arcs, and the stock variables (site, category, upper bound)."""
    n, m, K = d.demand.shape[1], d.cap.size, d.cats.size
    out = []
    for s in range(len(d.scen)):
        dem = d.demand[s]
        aff = np.flatnonzero(dem.sum(axis=1) > 0)
        rows, cols, hrs = d.usable(s)
        reach_c = d.c_time[s] <= d.relief * (1 + 1e-12)
        node_of = np.full(n, -1, dtype=np.int64)
        if aggregate and aff.size:
            sig = np.zeros((n, m + reach_c.shape[1]), dtype=bool)
            sig[rows, cols] = True
            sig[:, m:] = reach_c
            _, first, inv = np.unique(
                np.packbits(sig[aff], axis=1), axis=0, return_index=True, return_inverse=True
            )
            node_of[aff] = inv.ravel()
            rep = aff[first]
        else:
            node_of[aff] = np.arange(aff.size)
            rep = aff
        G = rep.size
        order = np.argsort(node_of[aff], kind="stable")
        members = aff[order]
        indptr = np.zeros(G + 1, dtype=np.int64)
        np.cumsum(np.bincount(node_of[aff], minlength=G), out=indptr[1:])
        D = sp.csr_array((np.ones(aff.size), (node_of[aff], aff)), shape=(G, n)) @ dem
        is_rep = np.zeros(n, dtype=bool)
        is_rep[rep] = True
        pm = is_rep[rows]
        pn, ps, ph = node_of[rows[pm]], cols[pm], hrs[pm]
        p_idx, k_idx = np.nonzero(D[pn] > 0)
        gn, gc = np.nonzero(reach_c[rep] & (D[:, d.c_cat] > 0))
        out.append(
            _Scen(node_of, members, indptr, D, pn[p_idx], ps[p_idx], k_idx, ph[p_idx], gn, gc)
        )
    # the most a depot could ever ship of a category (stock above it is never used)
    most = np.zeros(m * K)
    for sc in out:
        key = sc.f_site * K + sc.f_cat
        most = np.maximum(
            most, np.bincount(key, weights=sc.D[sc.f_node, sc.f_cat], minlength=m * K)
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(d.space > 0, d.cap[:, None] / d.space[None, :], np.inf).ravel()
    if integer:  # whole units: never more than ceil(most), at most floor(room)
        most, room = np.ceil(most - 1e-9), np.floor(room + 1e-9)
    ub = np.minimum(most, room)
    has = ub > 1e-12
    for sc in out:
        keep = has[sc.f_site * K + sc.f_cat]
        sc.f_node, sc.f_site, sc.f_cat, sc.f_hours = (
            a[keep] for a in (sc.f_node, sc.f_site, sc.f_cat, sc.f_hours)
        )
    keys = np.flatnonzero(has)
    return out, keys // K, keys % K, ub[keys]


def _expand(
    sc: _Scen, node: np.ndarray, src: np.ndarray, cat: np.ndarray, q: np.ndarray, dem: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Node flows split over the node's communities in proportion to their need."""
    cnt = np.diff(sc.indptr)[node]
    e = np.repeat(np.arange(node.size), cnt)
    offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    mem = sc.members[np.repeat(sc.indptr[node], cnt) + offs]
    amount = q[e] * dem[mem, cat[e]] / sc.D[node[e], cat[e]]
    k = amount > 0
    return mem[k], src[e][k], cat[e][k], amount[k]


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
        self.min_per_tier = {"district": 1} if min_per_tier is None else dict(min_per_tier)
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

    def _units(self, d: DepotData) -> list[Any]:
        return rule_units(self, d)

    def validate(self, instance: Instance) -> None:
        precheck(self, instance, self.data(instance))

    # ------------------------------------------------------------------ MILP
    def build(self, instance: Instance) -> Milp:
        d = self.data(instance)
        check_rules(self, d)
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
        rows, cols, lbs, ubs = [], [], [], []
        groups = [(d.tier == t, k, np.inf) for t, k in self.min_per_tier.items()]
        hi = np.inf if self.max_per_unit is None else self.max_per_unit
        groups += [
            ((d.unit == u) & (d.tier == self.unit_tier), self.min_per_unit, hi)
            for u in self._units(d)
        ]
        for q, (mask, lo, up) in enumerate(groups):
            js = np.flatnonzero(mask)
            rows.append(np.full(js.size, q))
            cols.append(x[js])
            lbs.append(lo)
            ubs.append(up)
        if groups:
            b.add_rows(
                "tier_rules",
                rows=np.concatenate(rows),
                cols=np.concatenate(cols),
                vals=1.0,
                lb=np.array(lbs, float),
                ub=np.array(ubs, float),
                n_rows=len(groups),
            )
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> DepotPlan:
        d = self.data(instance)
        lay, sj, sk, _ = self._layout(d)
        m, K = instance.n_sites, d.cats.size
        open_ = np.round(milp.block(x, "open")) > 0.5
        sv = np.maximum(milp.block(x, "stock"), 0.0)
        if self.integer_stock:
            sv = np.round(sv)
        stock = np.zeros((m, K))
        stock[sj, sk] = sv
        reserve = np.clip(milp.block(x, "reserve"), 0.0, d.c_cap)
        parts: dict[str, list[list[np.ndarray]]] = {"f": [], "g": []}
        for s, (name, sc) in enumerate(zip(d.scen, lay, strict=True)):
            q = milp.block(x, f"flow[{name}]")
            k = q > 1e-9
            i, j, c, a = _expand(sc, sc.f_node[k], sc.f_site[k], sc.f_cat[k], q[k], d.demand[s])
            parts["f"].append([np.full(i.size, s), i, j, c, a])
            q = milp.block(x, f"contract_flow[{name}]")
            k = q > 1e-9
            con = sc.g_con[k]
            i, j, c, a = _expand(sc, sc.g_node[k], con, d.c_cat[con], q[k], d.demand[s])
            parts["g"].append([np.full(i.size, s), i, j, c, a])

        def flows(p: list[list[np.ndarray]]) -> Flows:
            cols = [np.concatenate(z) for z in zip(*p, strict=True)] if p else []
            if not cols:
                return Flows.empty()
            return Flows(*(c.astype(np.int64) for c in cols[:4]), cols[4].astype(float))

        fl, cf = flows(parts["f"]), flows(parts["g"])
        vol = fl.amount * d.space[fl.category] * d.prob[fl.scenario]
        key = fl.demand * m + fl.source
        keys, inv = np.unique(key, return_inverse=True)
        tot = np.einsum("s,sik,k->i", d.prob, d.demand, d.space)
        share = np.bincount(inv.ravel(), weights=vol, minlength=keys.size)
        i = keys // m
        share = np.divide(share, tot[i], out=np.zeros_like(share), where=tot[i] > 0)
        return DepotPlan(open_, i, keys % m, share, stock, reserve, fl, cf)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        """The column vector of a :class:`DepotPlan` (community flows summed into nodes)."""
        x = super().encode(instance, milp, plan)
        if not isinstance(plan, DepotPlan):
            return x
        d = self.data(instance)
        lay, sj, sk, _ = self._layout(d)
        m, K, C = instance.n_sites, d.cats.size, d.c_cap.size
        x[milp.col_blocks["stock"]] = plan.stock[sj, sk]
        x[milp.col_blocks["reserve"]] = plan.reserve
        for s, (name, sc) in enumerate(zip(d.scen, lay, strict=True)):
            for f, block, var_keys, key_of in (
                (
                    plan.depot_flows,
                    f"flow[{name}]",
                    (sc.f_node * m + sc.f_site) * K + sc.f_cat,
                    lambda g, f: (g * m + f.source) * K + f.category,
                ),
                (
                    plan.contract_flows,
                    f"contract_flow[{name}]",
                    sc.g_node * C + sc.g_con,
                    lambda g, f: g * C + f.source,
                ),
            ):
                k = f.scenario == s
                sub = Flows(*(a[k] for a in (f.scenario, f.demand, f.source, f.category, f.amount)))
                node = sc.node_of[sub.demand]
                keys = key_of(node, sub)
                order = np.argsort(var_keys)
                at = np.searchsorted(var_keys[order], keys)
                at_c = np.minimum(at, max(order.size - 1, 0))
                ok = (node >= 0) & (at < order.size)
                ok[ok] &= var_keys[order][at_c[ok]] == keys[ok]
                col = np.zeros(var_keys.size)
                np.add.at(col, order[at_c[ok]], sub.amount[ok])
                x[milp.col_blocks[block]] = col
        if "worst" in milp.col_blocks:
            x[milp.col_blocks["worst"]] = self._transport(d, plan).max()
        return x

    # ------------------------------------------------------------------ objective
    def _transport(self, d: DepotData, plan: DepotPlan) -> np.ndarray:
        """Transport + delivery cost of each scenario, from the data."""
        out = np.zeros(len(d.scen))
        fl, cf = plan.depot_flows, plan.contract_flows
        for s in range(len(d.scen)):
            t = 0.0
            k = fl.scenario == s
            if self.transport_rate and k.any():
                hrs = d.nets[s].cost_of(fl.demand[k], fl.source[k]) * d.to_hours
                t += float(
                    np.sum(self.transport_rate * d.space[fl.category[k]] * hrs * fl.amount[k])
                )
            k = cf.scenario == s
            t += float(np.sum(d.c_delivery[cf.source[k]] * cf.amount[k]))
            out[s] = t
        return out

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        d = self.data(instance)
        stock = getattr(plan, "stock", np.zeros((instance.n_sites, d.cats.size)))
        reserve = getattr(plan, "reserve", np.zeros(d.c_cap.size))
        first = float(d.fixed[plan.open].sum() + np.sum(stock * d.holding) + reserve @ d.c_retainer)
        t = self._transport(d, plan) if isinstance(plan, DepotPlan) else np.zeros(len(d.scen))
        return first + (float(t.max()) if self.transport == "worst" else float(d.prob @ t))

    # ------------------------------------------------------------------ verification
    def check(self, instance: Instance, plan: Plan) -> list[str]:
        d = self.data(instance)
        c = Checker(instance, plan)
        c.sites()
        if c.breaches:
            return c.breaches
        if not isinstance(plan, DepotPlan):
            return [f"expected a DepotPlan (stock, reserves, flows), got {type(plan).__name__}"]
        n, m, K, C, S = instance.n_demand, instance.n_sites, d.cats.size, d.c_cap.size, len(d.scen)
        sids, ids, cats = instance.site_ids, instance.demand_ids, d.cats
        stock, res, fl, cf = plan.stock, plan.reserve, plan.depot_flows, plan.contract_flows
        if stock.shape != (m, K) or res.shape != (C,):
            return [f"stock {stock.shape} / reserve {res.shape}: expected ({m}, {K}) / ({C},)"]
        for f, hi, what in ((fl, m, "site"), (cf, C, "contract")):
            z = [f.scenario, f.demand, f.source, f.category]
            if len(f) and any(
                a.min() < 0 or a.max() >= top for a, top in zip(z, (S, n, hi, K), strict=True)
            ):
                return [f"{what} flows refer to positions outside the data"]
        tol = TOL
        bad = np.flatnonzero(plan.open & ~d.allowed)
        if bad.size:
            c.fail(
                f"{bad.size} excluded sites open: "
                + ", ".join(f"{sids[j]!r} ({d.reason[j]})" for j in bad[:5])
            )
        for t, k in self.min_per_tier.items():
            got = int((plan.open & (d.tier == t)).sum())
            if got < k:
                c.fail(f"{got} open '{t}' depots, at least {k} required")
        hi = np.inf if self.max_per_unit is None else self.max_per_unit
        for u in self._units(d):
            got = int((plan.open & (d.unit == u) & (d.tier == self.unit_tier)).sum())
            if not self.min_per_unit <= got <= hi:
                c.fail(
                    f"unit {u!r} has {got} open '{self.unit_tier}' depots, expected "
                    f"{self.min_per_unit}..{hi}"
                )
        if (stock < -tol.abs).any() or (res < -tol.abs).any():
            c.fail("negative stock or reserve")
        idle = np.flatnonzero((~plan.open) & (stock > tol.abs).any(axis=1))
        if idle.size:
            c.fail(f"stock held at closed sites {sids[idle[:5]].tolist()}")
        used = stock @ d.space
        over = np.flatnonzero(used > d.cap * (1 + tol.rel) + tol.abs)
        if over.size:
            j = over[0]
            c.fail(
                f"capacity exceeded at {over.size} depots, e.g. {sids[j]!r}: stock takes "
                f"{used[j]:.6g} m³ > capacity {d.cap[j]:.6g} m³"
            )
        over = np.flatnonzero(res > d.c_cap * (1 + tol.rel) + tol.abs)
        if over.size:
            c.fail(f"contract reserves above the supplier's capacity at rows {over[:5].tolist()}")
        if (fl.amount < -tol.abs).any() or (cf.amount < -tol.abs).any():
            c.fail("negative flows")
        wrong = np.flatnonzero(cf.category != d.c_cat[cf.source])
        if wrong.size:
            c.fail(f"{wrong.size} contract flows ship a category the contract does not cover")
        T = d.relief * (1 + 1e-9) + tol.abs
        got = np.zeros((S, n, K))
        for s, name in enumerate(d.scen):
            k = fl.scenario == s
            i, j, q, kk = fl.demand[k], fl.source[k], fl.amount[k], fl.category[k]
            hrs = d.nets[s].cost_of(i, j) * d.to_hours + d.handling[j]
            late = np.flatnonzero(hrs > T)
            if late.size:
                e = late[0]
                c.fail(
                    f"scenario {name!r}: {late.size} depot flows beyond the relief time, e.g. "
                    f"{sids[j[e]]!r} -> {ids[i[e]]!r}: {hrs[e]:.4g} h > {d.relief:g} h"
                )
            shut = np.flatnonzero(~plan.open[j])
            if shut.size:
                c.fail(f"scenario {name!r}: flows from closed sites {sids[j[shut[:3]]].tolist()}")
            ship = np.bincount(j * K + kk, weights=q, minlength=m * K).reshape(m, K)
            short = np.argwhere(ship > stock * (1 + tol.rel) + tol.abs)
            if short.size:
                j0, k0 = short[0]
                c.fail(
                    f"scenario {name!r}: {len(short)} depots ship more than their stock, e.g. "
                    f"{sids[j0]!r} ships {ship[j0, k0]:.6g} {cats[k0]!r} from stock "
                    f"{stock[j0, k0]:.6g}"
                )
            np.add.at(got[s], (i, kk), q)
            k = cf.scenario == s
            i, con, q = cf.demand[k], cf.source[k], cf.amount[k]
            late = np.flatnonzero(d.c_time[s][i, con] > T)
            if late.size:
                e = late[0]
                c.fail(
                    f"scenario {name!r}: {late.size} contract deliveries beyond the relief time, "
                    f"e.g. supplier {d.contracts['supplier'].iloc[con[e]]!r} -> {ids[i[e]]!r}: "
                    f"{d.c_time[s][i[e], con[e]]:.4g} h"
                )
            call = np.bincount(con, weights=q, minlength=C)
            over = np.flatnonzero(call > res * (1 + tol.rel) + tol.abs)
            if over.size:
                e = over[0]
                c.fail(
                    f"scenario {name!r}: contract row {e} delivers {call[e]:.6g} units, more than "
                    f"the {res[e]:.6g} reserved"
                )
            np.add.at(got[s], (i, d.c_cat[con]), q)
        unmet = d.demand - got
        miss = np.argwhere(unmet > tol.abs + tol.rel * d.demand)
        if miss.size:
            s, i, k = miss[0]
            c.fail(
                f"need not met in {len(miss)} (scenario, community, category) cases, e.g. "
                f"{d.scen[s]!r} {ids[i]!r} {cats[k]!r}: {got[s, i, k]:.6g} of "
                f"{d.demand[s, i, k]:.6g} units delivered within the relief time"
            )
        return c.breaches

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
        d = self.data(instance)
        if not isinstance(plan, DepotPlan):
            return {}
        sids = instance.site_ids.rename("site_id")
        K, S = d.cats.size, len(d.scen)
        fl, cf = plan.depot_flows, plan.contract_flows
        vol = plan.stock @ d.space
        status = np.select(
            [plan.open & instance.required, plan.open, d.excluded],
            ["existing", "opened", "excluded"],
            "not chosen",
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            depots = pd.DataFrame(
                {
                    "tier": d.tier,
                    "unit": d.unit if d.unit is not None else None,
                    "status": status,
                    "exclusion_reason": d.reason,
                    "capacity_m3": d.cap,
                    "stock_m3": vol,
                    "utilisation": np.where(plan.open, vol / d.cap, np.nan),
                    "fixed_cost": d.fixed,
                    "handling_h": d.handling,
                },
                index=sids,
            )
        stock = pd.DataFrame(plan.stock[plan.open], index=sids[plan.open], columns=d.cats)
        from_stock = np.zeros((S, K))
        from_con = np.zeros((S, K))
        np.add.at(from_stock, (fl.scenario, fl.category), fl.amount)
        np.add.at(from_con, (cf.scenario, cf.category), cf.amount)
        need = d.demand.sum(axis=1)
        st_tot = plan.stock.sum(axis=0)
        r_tot = np.bincount(d.c_cat, weights=plan.reserve, minlength=K)
        got = np.zeros_like(d.demand)
        np.add.at(got, (fl.scenario, fl.demand, fl.category), fl.amount)
        np.add.at(got, (cf.scenario, cf.demand, cf.category), cf.amount)
        unmet = np.maximum(d.demand - got, 0.0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            use = np.where(st_tot + r_tot > 0, (from_stock + from_con) / (st_tot + r_tot), 0.0)
            balance = pd.DataFrame(
                {
                    "scenario": np.repeat(d.scen, K),
                    "category": np.tile(d.cats, S),
                    "need": need.ravel(),
                    "from_stock": from_stock.ravel(),
                    "from_contracts": from_con.ravel(),
                    "unmet": unmet.ravel(),
                    "stock": np.tile(st_tot, S),
                    "reserve": np.tile(r_tot, S),
                    "stock_used": np.where(st_tot > 0, from_stock / st_tot, np.nan).ravel(),
                }
            )
        top = use.max(axis=0)
        binding = [
            ", ".join(d.scen[s] for s in range(S) if use[s, k] >= top[k] - 1e-9)
            if top[k] > 0
            else ""
            for k in range(K)
        ]
        tab = d.cat_table
        categories = pd.DataFrame(
            {
                "label_zh": tab["label_zh"] if "label_zh" in tab else "",
                "abc": tab["abc"] if "abc" in tab else "",
                "stock": st_tot,
                "stock_m3": st_tot * d.space,
                "reserve": r_tot,
                "peak_need": need.max(axis=0),
                "peak_scenario": [d.scen[s] for s in need.argmax(axis=0)],
                "binding_scenario": binding,
                "binding_use": top,
            },
            index=d.cats.rename("category"),
        )
        call = np.zeros((d.c_cap.size, S))
        np.add.at(call, (cf.source, cf.scenario), cf.amount)
        contracts = d.contracts.assign(reserved=plan.reserve).join(
            pd.DataFrame(call, columns=[f"used[{s}]" for s in d.scen])
        )
        hrs = np.zeros(len(fl))
        for s in range(S):
            k = fl.scenario == s
            hrs[k] = d.nets[s].cost_of(fl.demand[k], fl.source[k]) * d.to_hours
        deliveries = (
            pd.DataFrame(
                {
                    "scenario": np.asarray(d.scen, dtype=object)[fl.scenario],
                    "site_id": sids[fl.source],
                    "volume_m3": fl.amount * d.space[fl.category],
                    "community": fl.demand,
                    "arrival_h": hrs + d.handling[fl.source],
                }
            )
            .groupby(["scenario", "site_id"], sort=False)
            .agg(
                volume_m3=("volume_m3", "sum"),
                communities=("community", "nunique"),
                latest_arrival_h=("arrival_h", "max"),
            )
            .reset_index()
        )
        t = self._transport(d, plan)
        summary = {
            "fixed cost": float(d.fixed[plan.open].sum()),
            "holding cost": float(np.sum(plan.stock * d.holding)),
            "contract retainers": float(plan.reserve @ d.c_retainer),
            **{f"transport + delivery [{s}]": float(v) for s, v in zip(d.scen, t, strict=True)},
            f"transport ({self.transport})": float(
                t.max() if self.transport == "worst" else d.prob @ t
            ),
            "objective": self.evaluate(instance, plan),
            **{
                f"open '{tier}' depots": int((plan.open & (d.tier == tier)).sum())
                for tier in d.tier_table.index
            },
            "excluded sites": int(d.excluded.sum()),
            "relief time (h)": d.relief,
            "unmet need (units, all scenarios)": float(unmet.sum()),
        }
        return {
            "depots": depots,
            "stock": stock,
            "balance": balance,
            "categories": categories,
            "contracts": contracts,
            "deliveries": deliveries,
            "summary": pd.DataFrame({"value": summary}).rename_axis("figure"),
        }
