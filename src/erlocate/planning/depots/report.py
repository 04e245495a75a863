"""Depot report: the planner's tables of a :class:`~erlocate.planning.depots.DepotPlan`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from erlocate.instance import Instance
from erlocate.plan import Plan
from erlocate.planning._inputs import dropped_row
from erlocate.planning.depots.plan import DepotPlan
from erlocate.planning.depots.verify import _transport

if TYPE_CHECKING:
    from erlocate.planning.depots.model import Depots

__all__ = ["tables"]


def tables(model: Depots, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
    """The tables of :meth:`~erlocate.planning.depots.Depots.report`."""
    d = model.data(instance)
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
        ", ".join(d.scen[s] for s in range(S) if use[s, k] >= top[k] - 1e-9) if top[k] > 0 else ""
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
    t = _transport(model, d, plan)
    summary = {
        "fixed cost": float(d.fixed[plan.open].sum()),
        "holding cost": float(np.sum(plan.stock * d.holding)),
        "contract retainers": float(plan.reserve @ d.c_retainer),
        **{f"transport + delivery [{s}]": float(v) for s, v in zip(d.scen, t, strict=True)},
        f"transport ({model.transport})": float(
            t.max() if model.transport == "worst" else d.prob @ t
        ),
        "objective": model.evaluate(instance, plan),
        **{
            f"open '{tier}' depots": int((plan.open & (d.tier == tier)).sum())
            for tier in d.tier_table.index
        },
        "excluded sites": int(d.excluded.sum()),
        "relief time (h)": d.relief,
        "unmet need (units, all scenarios)": float(unmet.sum()),
        **dropped_row(instance, "communities dropped (instance.dropped)"),
    }
    return {
        "depots": depots,
        "stock": stock,
        "balance": balance,
        "categories": categories,
        "contracts": contracts,
        "deliveries": deliveries,
        "summary": pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("figure"),
    }
