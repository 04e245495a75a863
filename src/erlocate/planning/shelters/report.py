"""Shelter report: the planner's tables of a shelter plan."""

from __future__ import annotations

import numpy as np
import pandas as pd

from erlocate.plan import Plan
from erlocate.planning.inputs import dropped_row, listed
from erlocate.planning.shelters.defaults import WALK_BANDS
from erlocate.planning.shelters.inputs import ShelterData

__all__ = ["tables"]


def tables(d: ShelterData, plan: Plan) -> dict[str, pd.DataFrame]:
    """Tables: ``shelters``, ``loads``, ``communities``, ``walking``, ``summary``."""
    cost = d.instance.cost_of(plan.demand_idx, plan.site_idx)
    area = d.area if d.area is not None else np.full(d.instance.n_sites, np.nan)
    shelters, loads = _shelters(d, plan, cost, area)
    communities = _communities(d, plan, cost)
    housed = communities["housed"].to_numpy(bool)
    return {
        "shelters": shelters,
        "loads": loads,
        "communities": communities,
        "walking": _walking(d, plan, cost),
        "summary": _summary(d, plan, housed, area),
    }


def _shelters(
    d: ShelterData, plan: Plan, cost: np.ndarray, area: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per site: class, status, capacity and design load; per open site × scenario: load."""
    instance = d.instance
    sids, m = instance.site_ids, instance.n_sites
    i, j, s = plan.demand_idx, plan.site_idx, plan.share
    loads = np.vstack([np.bincount(j, weights=p[i] * s, minlength=m) for p in d.people])
    status = np.where(instance.required, "existing", np.where(plan.open, "new", "not chosen"))
    design = loads.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(design > 0, area / design, np.nan)
        shelters = pd.DataFrame(
            {
                "class": d.cls,
                "status": status,
                "usable_area": area,
                "m2_per_person_standard": d.m2pp,
                "capacity": d.cap,
                "communities": np.bincount(j, minlength=m),
                "people": design,
                "utilisation": design / d.cap,
                "m2_per_person": per,
                "meets_standard": design <= d.cap * (1 + 1e-9),
                "max_walk": pd.Series(cost).groupby(j).max().reindex(range(m)).to_numpy(),
            },
            index=sids.rename("site_id"),
        )
        op = np.flatnonzero(plan.open)
        loads_df = pd.DataFrame(
            {
                "scenario": np.repeat(d.names, op.size),
                "site_id": np.tile(sids[op], len(d.names)),
                "people": loads[:, op].ravel(),
                "capacity": np.tile(d.cap[op], len(d.names)),
                "utilisation": (loads[:, op] / d.cap[op]).ravel(),
                "m2_per_person": (area[op] / loads[:, op]).ravel(),
            }
        )
    return shelters, loads_df


def _communities(d: ShelterData, plan: Plan, cost: np.ndarray) -> pd.DataFrame:
    """Per community: people, shelter, walk, and why it is unhoused if it is."""
    instance = d.instance
    sids, ids, n = instance.site_ids, instance.demand_ids, instance.n_demand
    i, j = plan.demand_idx, plan.site_idx
    shelter_of = np.full(n, -1)
    shelter_of[i] = j
    walk = np.full(n, np.nan)
    walk[i] = cost
    housed = shelter_of >= 0
    rows, cols = instance.pair_rows, instance.indices
    reach = np.bincount(rows[d.allowed], minlength=n) > 0
    fits = np.bincount(rows[d.usable], minlength=n) > 0
    open_fit = np.bincount(rows[d.usable & plan.open[cols]], minlength=len(ids)) > 0
    cut = np.bincount(rows, minlength=n) == 0
    reason = np.select(
        [~d.active, housed, cut, ~reach, ~fits, ~open_fit],
        [
            "nobody to shelter",
            "",
            "cut off: no shelter reachable",
            "no shelter within the walking limit",
            "larger than every shelter within the walking limit",
            "no open shelter within reach can hold it",
        ],
        "open shelters within reach are full" + (" or not closest" if d.params.closest else ""),
    )
    return pd.DataFrame(
        {
            "population": d.pop,
            "people": d.hmax,
            "shelter": pd.Series(sids.take(np.maximum(shelter_of, 0)), dtype=object)
            .where(housed, None)
            .to_numpy(),
            "walk": walk,
            "housed": housed,
            "unhoused_reason": reason,
        },
        index=ids.rename("demand_id"),
    )


def _walking(d: ShelterData, plan: Plan, cost: np.ndarray) -> pd.DataFrame:
    """Walk statistics weighted by the people housed: mean, quantiles, share within bands."""
    p = d.params
    bands = p.walk_bands if p.walk_bands is not None else WALK_BANDS[p.cost_unit]
    w, t = d.hbar[plan.demand_idx] * plan.share, cost
    order = np.argsort(t, kind="stable")
    cum = np.cumsum(w[order]) / w.sum() if w.sum() > 0 else np.ones(order.size)

    def quant(q: float) -> float:
        return float(t[order][np.searchsorted(cum, q - 1e-12)]) if t.size else np.nan

    stats = {
        "people housed": float(w.sum()),
        "mean": float(np.average(t, weights=w)) if w.sum() > 0 else np.nan,
        **{f"p{int(q * 100)}": quant(q) for q in (0.5, 0.9, 0.95)},
        "max": float(t.max()) if t.size else np.nan,
        **{f"share within {b:g}": float(w[t <= b].sum() / max(w.sum(), 1e-300)) for b in bands},
    }
    return pd.DataFrame({"value": stats}).rename_axis(f"walk ({p.cost_unit})")


def _summary(d: ShelterData, plan: Plan, housed: np.ndarray, area: np.ndarray) -> pd.DataFrame:
    """Population, people to shelter and housed, shelters and area before / after."""
    instance = d.instance
    ids, req = instance.demand_ids, instance.required
    total_pop = float(d.pop.sum())
    cut = np.bincount(instance.pair_rows, minlength=instance.n_demand) == 0
    summary = {
        "population": total_pop,
        **{
            f"people to shelter [{n}]": float(p.sum())
            for n, p in zip(d.names, d.people, strict=True)
        },
        "people housed (mean over scenarios)": float(np.sum(d.hbar[plan.demand_idx] * plan.share)),
        "people unhoused (mean over scenarios)": float(d.hbar[~housed].sum()),
        "existing shelters": int(req.sum()),
        "new shelters": int((plan.open & ~req).sum()),
        "capacity, existing": float(d.cap[req].sum()),
        "capacity, after": float(d.cap[plan.open].sum()),
        "usable m², existing": float(area[req].sum()),
        "usable m², after": float(area[plan.open].sum()),
        "m² per resident, existing": float(area[req].sum()) / total_pop if total_pop else np.nan,
        "m² per resident, after": float(area[plan.open].sum()) / total_pop if total_pop else np.nan,
        **listed("communities no shelter reaches", ids[cut & d.active]),
        **dropped_row(instance, "communities dropped (instance.dropped)"),
    }
    return pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("figure")
