"""The depot MILP: built, decoded and encoded from the resolved data alone.

Every function takes :class:`~erlocate.planning.depots.data.DepotData`.

The formulation is in the docstring of :class:`~erlocate.planning.depots.Depots`.
The builder's reductions (demand nodes, arcs within reach, stock bounds) are
those of :mod:`~erlocate.planning.depots.layout`; the verifier does not see them.
"""

from __future__ import annotations

import numpy as np

from erlocate.milp import Milp, MilpBuilder
from erlocate.models.blocks import add_link
from erlocate.plan import Plan
from erlocate.planning.depots.data import DepotData, rule_units
from erlocate.planning.depots.layout import ScenarioNodes, expand, layout
from erlocate.planning.depots.plan import DepotPlan, Flows
from erlocate.planning.depots.verify import transport_costs

__all__ = ["add_rule_rows", "decode", "encode", "first_stage", "flows_of", "formulate", "plan_of"]

#: Flows below this at a closed site are a solver's tolerance noise, not supplies.
NOISE = 1e-6


def formulate(d: DepotData) -> Milp:
    """The depot MILP (formulation in :class:`~erlocate.planning.depots.Depots`)."""
    lay, sj, sk, ub = layout(d)
    m, K = d.instance.n_sites, d.cats.size
    b = MilpBuilder("depots", "min")
    x, st, res, theta = first_stage(b, d, sj, sk, ub)
    stock_pos = np.full(m * K, -1)
    stock_pos[sj * K + sk] = st
    for s, sc in enumerate(lay):
        _scenario_block(b, d, s, sc, stock_pos, res, theta)
    add_rule_rows(b, d, x)
    return b.build()


def first_stage(
    b: MilpBuilder, d: DepotData, sj: np.ndarray, sk: np.ndarray, ub: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Open flags, stock, reserves (and the worst-scenario epigraph), the stock-to-open
    links and the site capacities."""
    m, C = d.instance.n_sites, d.c_cap.size
    x = b.add_cols(
        "open",
        m,
        obj=d.fixed,
        lb=d.instance.required.astype(float),
        ub=d.allowed.astype(float),
        integer=True,
    )
    st = b.add_cols("stock", sj.size, obj=d.holding[sk], integer=bool(d.params.integer_stock))
    res = b.add_cols("reserve", C, obj=d.c_retainer, ub=d.c_cap)
    theta = b.add_cols("worst", 1, obj=1.0) if d.params.transport == "worst" else None
    add_link(b, st, x[sj], scale=ub)  # stock only at an open site, at most its bound
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
    return x, st, res, theta


def _scenario_block(
    b: MilpBuilder,
    d: DepotData,
    s: int,
    sc: ScenarioNodes,
    stock_pos: np.ndarray,
    res: np.ndarray,
    theta: np.ndarray | None,
) -> None:
    """Scenario ``s``'s flows, demand rows, supply rows (and worst-scenario row)."""
    name, K = d.scen[s], d.cats.size
    w = 0.0 if theta is not None else d.prob[s]
    tc = float(d.params.transport_rate) * d.space[sc.f_cat] * sc.f_hours
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
    if theta is not None:
        b.add_rows(
            f"worst[{name}]",
            rows=np.zeros(1 + f.size + g.size),
            cols=np.r_[theta, f, g],
            vals=np.r_[1.0, -tc, -d.c_delivery[sc.g_con]],
            lb=0.0,
            n_rows=1,
        )


def add_rule_rows(b: MilpBuilder, d: DepotData, x: np.ndarray) -> None:
    """The tier rules (at least ``min_per_tier``) and the unit rule as one row block."""
    p = d.params
    rows, cols, lbs, ubs = [], [], [], []
    groups = [(d.tier == t, k, np.inf) for t, k in p.tier_minima.items()]
    groups += [
        ((d.unit == u) & (d.tier == p.unit_tier), p.min_per_unit, p.unit_maximum)
        for u in rule_units(d)
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


def flows_of(parts: list[list[np.ndarray]]) -> Flows:
    """Flows from per-scenario [scenario, demand, source, category, amount] arrays."""
    if not parts:
        return Flows.empty()
    s, i, j, k, a = (np.concatenate(z) for z in zip(*parts, strict=True))
    return Flows(s.astype(np.int64), i.astype(np.int64), j.astype(np.int64), k.astype(np.int64), a)


def decode(d: DepotData, milp: Milp, x: np.ndarray) -> DepotPlan:
    """The :class:`DepotPlan` in the column vector ``x``."""
    lay, sj, sk, _ = layout(d)
    m, K = d.instance.n_sites, d.cats.size
    open_ = np.round(milp.block(x, "open")) > 0.5
    sv = np.maximum(milp.block(x, "stock"), 0.0)
    if d.params.integer_stock:
        sv = np.round(sv)
    stock = np.zeros((m, K))
    stock[sj, sk] = sv
    reserve = np.clip(milp.block(x, "reserve"), 0.0, d.c_cap)
    parts: dict[str, list[list[np.ndarray]]] = {"f": [], "g": []}
    for s, (name, sc) in enumerate(zip(d.scen, lay, strict=True)):
        q = milp.block(x, f"flow[{name}]")
        # a closed site's flows are 0 by its capacity row; solvers leave tolerance noise
        # there (CBC: 1.4e-9). Larger ones are kept, for the verifier to report.
        k = (q > 1e-9) & (open_[sc.f_site] | (q > NOISE))
        i, j, c, a = expand(sc, sc.f_node[k], sc.f_site[k], sc.f_cat[k], q[k], d.demand[s])
        parts["f"].append([np.full(i.size, s), i, j, c, a])
        q = milp.block(x, f"contract_flow[{name}]")
        k = q > 1e-9
        con = sc.g_con[k]
        i, j, c, a = expand(sc, sc.g_node[k], con, d.c_cat[con], q[k], d.demand[s])
        parts["g"].append([np.full(i.size, s), i, j, c, a])
    return plan_of(d, open_, stock, reserve, flows_of(parts["f"]), flows_of(parts["g"]))


def plan_of(
    d: DepotData,
    open_: np.ndarray,
    stock: np.ndarray,
    reserve: np.ndarray,
    fl: Flows,
    cf: Flows,
) -> DepotPlan:
    """The :class:`DepotPlan` of open sites, stock, reserves and flows (pairs and shares
    derived: each pair's probability-weighted share of its community's need volume)."""
    m = d.instance.n_sites
    vol = fl.amount * d.space[fl.category] * d.prob[fl.scenario]
    key = fl.demand * m + fl.source
    keys, inv = np.unique(key, return_inverse=True)
    tot = np.einsum("s,sik,k->i", d.prob, d.demand, d.space)
    share = np.bincount(inv.ravel(), weights=vol, minlength=keys.size).astype(float)  # no flows
    i = keys // m
    share = np.divide(share, tot[i], out=np.zeros_like(share), where=tot[i] > 0)
    return DepotPlan(open_, i, keys % m, share, stock, reserve, fl, cf)


def encode(d: DepotData, milp: Milp, plan: Plan) -> np.ndarray:
    """The column vector of a :class:`DepotPlan` (community flows summed into nodes)."""
    x = np.zeros(milp.n_cols)
    x[milp.col_blocks["open"]] = plan.open.astype(float)
    if not isinstance(plan, DepotPlan):
        return x
    lay, sj, sk, _ = layout(d)
    x[milp.col_blocks["stock"]] = plan.stock[sj, sk]
    x[milp.col_blocks["reserve"]] = plan.reserve
    for s, sc in enumerate(lay):
        _encode_flows(d, milp, plan, s, sc, x)
    if "worst" in milp.col_blocks:
        x[milp.col_blocks["worst"]] = transport_costs(d, plan).max()
    return x


def _encode_flows(
    d: DepotData, milp: Milp, plan: DepotPlan, s: int, sc: ScenarioNodes, x: np.ndarray
) -> None:
    """Scenario ``s``'s depot and contract flows of ``plan`` summed into the node columns."""
    name, m, K, C = d.scen[s], d.instance.n_sites, d.cats.size, d.c_cap.size
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
