"""Depot verifier: a plan's objective and constraints re-checked from the data.

Nothing here looks at the MILP: :func:`_transport` and :func:`evaluate`
recompute the costs, :func:`check` every rule (exclusions, tier and unit
rules, stock and capacity, contract reserves, flows within the relief time
from open depots, every scenario's need met).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from erlocate.instance import Instance
from erlocate.plan import TOL, Checker, Plan
from erlocate.planning.depots.data import DepotData
from erlocate.planning.depots.plan import DepotPlan
from erlocate.planning.depots.precheck import rule_units

if TYPE_CHECKING:
    from erlocate.planning.depots.model import Depots

__all__ = ["check", "evaluate"]


def _transport(model: Depots, d: DepotData, plan: DepotPlan) -> np.ndarray:
    """Transport + delivery cost of each scenario, from the data."""
    out = np.zeros(len(d.scen))
    fl, cf = plan.depot_flows, plan.contract_flows
    for s in range(len(d.scen)):
        t = 0.0
        k = fl.scenario == s
        if model.transport_rate and k.any():
            hrs = d.nets[s].cost_of(fl.demand[k], fl.source[k]) * d.to_hours
            t += float(np.sum(model.transport_rate * d.space[fl.category[k]] * hrs * fl.amount[k]))
        k = cf.scenario == s
        t += float(np.sum(d.c_delivery[cf.source[k]] * cf.amount[k]))
        out[s] = t
    return out


def evaluate(model: Depots, instance: Instance, plan: Plan) -> float:
    """Fixed, holding and retainer costs plus the expected or worst transport cost."""
    d = model.data(instance)
    stock = getattr(plan, "stock", np.zeros((instance.n_sites, d.cats.size)))
    reserve = getattr(plan, "reserve", np.zeros(d.c_cap.size))
    first = float(d.fixed[plan.open].sum() + np.sum(stock * d.holding) + reserve @ d.c_retainer)
    t = _transport(model, d, plan) if isinstance(plan, DepotPlan) else np.zeros(len(d.scen))
    return first + (float(t.max()) if model.transport == "worst" else float(d.prob @ t))


def check(model: Depots, instance: Instance, plan: Plan) -> list[str]:
    """Every rule of the model re-checked on ``plan``; one message per breach."""
    d = model.data(instance)
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
    for t, k in model.min_per_tier.items():
        got = int((plan.open & (d.tier == t)).sum())
        if got < k:
            c.fail(f"{got} open '{t}' depots, at least {k} required")
    hi = np.inf if model.max_per_unit is None else model.max_per_unit
    for u in rule_units(model, d):
        got = int((plan.open & (d.unit == u) & (d.tier == model.unit_tier)).sum())
        if not model.min_per_unit <= got <= hi:
            c.fail(
                f"unit {u!r} has {got} open '{model.unit_tier}' depots, expected "
                f"{model.min_per_unit}..{hi}"
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
