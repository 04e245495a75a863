"""Depot verifier: a plan's objective and constraints re-checked from the data.

Nothing here looks at the MILP (nor at its layout): :func:`transport_costs`
and :func:`evaluate` recompute the costs, :func:`check` every rule
(exclusions, tier and unit rules, stock and capacity, contract reserves, flows
within the relief time from open depots, every scenario's need met) from
:class:`~erlocate.planning.depots.data.DepotData`.
"""

from __future__ import annotations

import numpy as np

from erlocate.plan import TOL, Checker, Plan
from erlocate.planning.depots.data import DepotData, rule_units
from erlocate.planning.depots.plan import DepotPlan

__all__ = ["check", "evaluate", "transport_costs"]


def transport_costs(d: DepotData, plan: DepotPlan) -> np.ndarray:
    """Transport + delivery cost of each scenario, from the data."""
    out = np.zeros(len(d.scen))
    fl, cf = plan.depot_flows, plan.contract_flows
    rate = d.params.transport_rate
    for s in range(len(d.scen)):
        t = 0.0
        k = fl.scenario == s
        if rate and k.any():
            hrs = d.nets[s].cost_of(fl.demand[k], fl.source[k]) * d.to_hours
            t += float(np.sum(rate * d.space[fl.category[k]] * hrs * fl.amount[k]))
        k = cf.scenario == s
        t += float(np.sum(d.c_delivery[cf.source[k]] * cf.amount[k]))
        out[s] = t
    return out


def evaluate(d: DepotData, plan: Plan) -> float:
    """Fixed, holding and retainer costs plus the expected or worst transport cost."""
    stock = getattr(plan, "stock", np.zeros((d.instance.n_sites, d.cats.size)))
    reserve = getattr(plan, "reserve", np.zeros(d.c_cap.size))
    first = float(d.fixed[plan.open].sum() + np.sum(stock * d.holding) + reserve @ d.c_retainer)
    t = transport_costs(d, plan) if isinstance(plan, DepotPlan) else np.zeros(len(d.scen))
    return first + (float(np.max(t)) if d.params.transport == "worst" else float(d.prob @ t))


def check(d: DepotData, plan: Plan) -> list[str]:
    """Every rule of the model re-checked on ``plan``; one message per breach."""
    c = Checker(d.instance, plan)
    c.sites()
    if c.breaches:
        return c.breaches
    if not isinstance(plan, DepotPlan):
        return [f"expected a DepotPlan (stock, reserves, flows), got {type(plan).__name__}"]
    malformed = _malformed(d, plan)
    if malformed:
        return malformed
    _site_rules(d, plan, c)
    _stock_rules(d, plan, c)
    n, K = d.instance.n_demand, d.cats.size
    got = np.zeros((len(d.scen), n, K))
    for s in range(len(d.scen)):
        _depot_flows(d, plan, s, c, got[s])
        _contract_flows(d, plan, s, c, got[s])
    unmet = d.demand - got
    tol = TOL
    miss = np.argwhere(unmet > tol.abs + tol.rel * d.demand)
    if miss.size:
        s, i, k = miss[0]
        c.fail(
            f"need not met in {len(miss)} (scenario, community, category) cases, e.g. "
            f"{d.scen[s]!r} {d.instance.demand_ids[i]!r} {d.cats[k]!r}: {got[s, i, k]:.6g} of "
            f"{d.demand[s, i, k]:.6g} units delivered within the relief time"
        )
    return c.breaches


def _malformed(d: DepotData, plan: DepotPlan) -> list[str]:
    """Shapes and positions the later checks index with."""
    n, m, K, C, S = d.instance.n_demand, d.instance.n_sites, d.cats.size, d.c_cap.size, len(d.scen)
    stock, res = plan.stock, plan.reserve
    if stock.shape != (m, K) or res.shape != (C,):
        return [f"stock {stock.shape} / reserve {res.shape}: expected ({m}, {K}) / ({C},)"]
    for f, top_source, what in (
        (plan.depot_flows, m, "site"),
        (plan.contract_flows, C, "contract"),
    ):
        z = [f.scenario, f.demand, f.source, f.category]
        if len(f) and any(
            a.min() < 0 or a.max() >= top for a, top in zip(z, (S, n, top_source, K), strict=True)
        ):
            return [f"{what} flows refer to positions outside the data"]
    return []


def _site_rules(d: DepotData, plan: DepotPlan, c: Checker) -> None:
    """Exclusions, the tier rules and the unit rule."""
    sids, p = d.instance.site_ids, d.params
    bad = np.flatnonzero(plan.open & ~d.allowed)
    if bad.size:
        c.fail(
            f"{bad.size} excluded sites open: "
            + ", ".join(f"{sids[j]!r} ({d.reason[j]})" for j in bad[:5])
        )
    for t, k in p.tier_minima.items():
        got = int((plan.open & (d.tier == t)).sum())
        if got < k:
            c.fail(f"{got} open '{t}' depots, at least {k} required")
    hi = p.unit_maximum
    for u in rule_units(d):
        got = int((plan.open & (d.unit == u) & (d.tier == p.unit_tier)).sum())
        if not p.min_per_unit <= got <= hi:
            c.fail(
                f"unit {u!r} has {got} open '{p.unit_tier}' depots, expected {p.min_per_unit}..{hi}"
            )


def _stock_rules(d: DepotData, plan: DepotPlan, c: Checker) -> None:
    """Stock and reserves: signs, closed sites, capacities; flow signs and categories."""
    tol, sids = TOL, d.instance.site_ids
    stock, res, fl, cf = plan.stock, plan.reserve, plan.depot_flows, plan.contract_flows
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


def _depot_flows(d: DepotData, plan: DepotPlan, s: int, c: Checker, got: np.ndarray) -> None:
    """Scenario ``s``'s depot flows: within the relief time, from open depots, within stock;
    adds them to ``got`` (communities × categories)."""
    tol, sids, ids, name = TOL, d.instance.site_ids, d.instance.demand_ids, d.scen[s]
    m, K = d.instance.n_sites, d.cats.size
    stock, fl = plan.stock, plan.depot_flows
    T = d.relief * (1 + 1e-9) + tol.abs
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
            f"{sids[j0]!r} ships {ship[j0, k0]:.6g} {d.cats[k0]!r} from stock "
            f"{stock[j0, k0]:.6g}"
        )
    np.add.at(got, (i, kk), q)


def _contract_flows(d: DepotData, plan: DepotPlan, s: int, c: Checker, got: np.ndarray) -> None:
    """Scenario ``s``'s contract deliveries: within the relief time and the reserves;
    adds them to ``got`` (communities × categories)."""
    tol, ids, name = TOL, d.instance.demand_ids, d.scen[s]
    res, cf = plan.reserve, plan.contract_flows
    T = d.relief * (1 + 1e-9) + tol.abs
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
    call = np.bincount(con, weights=q, minlength=d.c_cap.size)
    over = np.flatnonzero(call > res * (1 + tol.rel) + tol.abs)
    if over.size:
        e = over[0]
        c.fail(
            f"scenario {name!r}: contract row {e} delivers {call[e]:.6g} units, more than "
            f"the {res[e]:.6g} reserved"
        )
    np.add.at(got, (i, d.c_cat[con]), q)
