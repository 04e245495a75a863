"""Depot report: the planner's tables of a :class:`~erlocate.planning.depots.DepotPlan`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from erlocate.plan import Plan
from erlocate.planning.depots.data import DepotData
from erlocate.planning.depots.plan import DepotPlan
from erlocate.planning.depots.verify import evaluate, transport_costs
from erlocate.planning.inputs import dropped_row

__all__ = ["tables"]


def tables(d: DepotData, plan: Plan) -> dict[str, pd.DataFrame]:
    """The tables of :meth:`~erlocate.planning.depots.Depots.report`."""
    if not isinstance(plan, DepotPlan):
        return {}
    fl, cf = plan.depot_flows, plan.contract_flows
    sids = d.instance.site_ids.rename("site_id")
    K, S = d.cats.size, len(d.scen)
    from_stock = np.zeros((S, K))
    from_con = np.zeros((S, K))
    np.add.at(from_stock, (fl.scenario, fl.category), fl.amount)
    np.add.at(from_con, (cf.scenario, cf.category), cf.amount)
    got = np.zeros_like(d.demand)
    np.add.at(got, (fl.scenario, fl.demand, fl.category), fl.amount)
    np.add.at(got, (cf.scenario, cf.demand, cf.category), cf.amount)
    unmet = np.maximum(d.demand - got, 0.0).sum(axis=1)
    call = np.zeros((d.c_cap.size, S))
    np.add.at(call, (cf.source, cf.scenario), cf.amount)
    contracts = d.contracts.assign(reserved=plan.reserve).join(
        pd.DataFrame(call, columns=[f"used[{s}]" for s in d.scen])
    )
    return {
        "depots": _depot_table(d, plan),
        "stock": pd.DataFrame(plan.stock[plan.open], index=sids[plan.open], columns=d.cats),
        "balance": _balance(d, plan, from_stock, from_con, unmet),
        "categories": _categories(d, plan, from_stock, from_con),
        "contracts": contracts,
        "deliveries": _deliveries(d, plan),
        "summary": _summary(d, plan, unmet),
    }


def _depot_table(d: DepotData, plan: DepotPlan) -> pd.DataFrame:
    """Per site: tier, unit, status with the exclusion reason, capacity, stock, utilisation."""
    vol = plan.stock @ d.space
    status = np.select(
        [plan.open & d.instance.required, plan.open, d.excluded],
        ["existing", "opened", "excluded"],
        "not chosen",
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
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
            index=d.instance.site_ids.rename("site_id"),
        )


def _balance(
    d: DepotData,
    plan: DepotPlan,
    from_stock: np.ndarray,
    from_con: np.ndarray,
    unmet: np.ndarray,
) -> pd.DataFrame:
    """Scenario × category: need, delivered from stock and contracts, unmet, stock used."""
    K, S = d.cats.size, len(d.scen)
    st_tot = plan.stock.sum(axis=0)
    r_tot = np.bincount(d.c_cat, weights=plan.reserve, minlength=K)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "scenario": np.repeat(d.scen, K),
                "category": np.tile(d.cats, S),
                "need": d.demand.sum(axis=1).ravel(),
                "from_stock": from_stock.ravel(),
                "from_contracts": from_con.ravel(),
                "unmet": unmet.ravel(),
                "stock": np.tile(st_tot, S),
                "reserve": np.tile(r_tot, S),
                "stock_used": np.where(st_tot > 0, from_stock / st_tot, np.nan).ravel(),
            }
        )


def _categories(
    d: DepotData, plan: DepotPlan, from_stock: np.ndarray, from_con: np.ndarray
) -> pd.DataFrame:
    """Per category: stock and reserves vs the peak scenario need, the binding scenario."""
    K, S = d.cats.size, len(d.scen)
    need = d.demand.sum(axis=1)
    st_tot = plan.stock.sum(axis=0)
    r_tot = np.bincount(d.c_cat, weights=plan.reserve, minlength=K)
    with np.errstate(divide="ignore", invalid="ignore"):
        use = np.where(st_tot + r_tot > 0, (from_stock + from_con) / (st_tot + r_tot), 0.0)
    top = use.max(axis=0)
    binding = [
        ", ".join(d.scen[s] for s in range(S) if use[s, k] >= top[k] - 1e-9) if top[k] > 0 else ""
        for k in range(K)
    ]
    tab = d.cat_table
    return pd.DataFrame(
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


def _deliveries(d: DepotData, plan: DepotPlan) -> pd.DataFrame:
    """Scenario × depot: volume shipped, communities served, latest arrival."""
    fl = plan.depot_flows
    hrs = np.zeros(len(fl))
    for s in range(len(d.scen)):
        k = fl.scenario == s
        hrs[k] = d.nets[s].cost_of(fl.demand[k], fl.source[k]) * d.to_hours
    return (
        pd.DataFrame(
            {
                "scenario": np.asarray(d.scen, dtype=object)[fl.scenario],
                "site_id": d.instance.site_ids.rename("site_id")[fl.source],
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


def _summary(d: DepotData, plan: DepotPlan, unmet: np.ndarray) -> pd.DataFrame:
    """Costs by term, depots by tier, exclusions, unmet need."""
    t = transport_costs(d, plan)
    mode = d.params.transport
    summary = {
        "fixed cost": float(d.fixed[plan.open].sum()),
        "holding cost": float(np.sum(plan.stock * d.holding)),
        "contract retainers": float(plan.reserve @ d.c_retainer),
        **{f"transport + delivery [{s}]": float(v) for s, v in zip(d.scen, t, strict=True)},
        f"transport ({mode})": float(t.max() if mode == "worst" else d.prob @ t),
        "objective": evaluate(d, plan),
        **{
            f"open '{tier}' depots": int((plan.open & (d.tier == tier)).sum())
            for tier in d.tier_table.index
        },
        "excluded sites": int(d.excluded.sum()),
        "relief time (h)": d.relief,
        "unmet need (units, all scenarios)": float(unmet.sum()),
        **dropped_row(d.instance, "communities dropped (instance.dropped)"),
    }
    return pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("figure")
