"""Fire-station report: the planner's tables of a fire-station plan."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from erlocate.instance import Instance
from erlocate.plan import Plan, coverage_counts
from erlocate.planning._inputs import dropped_row, listed
from erlocate.planning.firestations.inputs import FireData

__all__ = ["responders", "tables"]


def responders(instance: Instance, open_: np.ndarray) -> tuple[np.ndarray, ...]:
    """Nearest and second-nearest open site and driving time per demand point (-1/inf if none)."""
    ok = open_[instance.indices]
    r, c, t = instance.pair_rows[ok], instance.indices[ok], instance.costs[ok]
    order = np.lexsort((c, t, r))
    r, c, t = r[order], c[order], t[order]
    k = np.arange(r.size)
    start = np.ones(r.size, dtype=bool)
    start[1:] = r[1:] != r[:-1]
    rank = k - np.maximum.accumulate(np.where(start, k, 0))
    out: list[np.ndarray] = []
    for level in (0, 1):
        sel = rank == level
        site = np.full(instance.n_demand, -1, dtype=np.int64)
        time = np.full(instance.n_demand, np.inf)
        site[r[sel]], time[r[sel]] = c[sel], t[sel]
        out += [site, time]
    return tuple(out)


def tables(model: Any, instance: Instance, plan: Plan, d: FireData) -> dict:
    """The planner's tables of a fire-station plan; see ``FireStations.report``."""
    sids, ids = instance.site_ids, instance.demand_ids
    turnout, std = float(model.turnout), float(model.standard)
    open_ = plan.open
    st = np.asarray(plan.station_type)
    t = d.types.iloc[np.maximum(st, 0)].reset_index(drop=True)
    i, j = plan.demand_idx, plan.site_idx
    n_pts = np.bincount(j, minlength=instance.n_sites)
    per = pd.DataFrame(
        {
            "type": t["type"].to_numpy(),
            "name": t["name"].to_numpy(),
            "existing": instance.required,
            "engines": t["engines"].to_numpy(),
            "crew": t["crew"].to_numpy(),
            "cost": d.fixed + t["cost"].to_numpy(),
            "cost_counted": d.counted,
            "area_cap_km2": t["area_cap_km2"].to_numpy(),
            "district_area_km2": np.bincount(j, weights=d.area[i], minlength=instance.n_sites),
            "district_points": n_pts,
            f"district_{d.pop_label}": np.bincount(j, d.pop[i], minlength=instance.n_sites),
            "district_weight": np.bincount(j, weights=d.weight[i], minlength=instance.n_sites),
        },
        index=sids.rename("site_id"),
    )[open_ & (st >= 0)]
    by_type = per.assign(
        stations=1, new=~per["existing"], counted=per["cost"].where(per["cost_counted"], 0.0)
    ).groupby("type", sort=False)
    by_type = by_type.agg(
        stations=("stations", "sum"),
        existing=("existing", "sum"),
        new=("new", "sum"),
        engines=("engines", "sum"),
        crew=("crew", "sum"),
        cost_counted=("counted", "sum"),
    )

    s1, t1, s2, t2 = responders(instance, open_)
    district = np.full(instance.n_demand, -1, dtype=np.int64)
    district[i] = j
    n_in = coverage_counts(instance, open_, d.limit)
    covered = district >= 0
    n = instance.n_demand

    def label(site: np.ndarray) -> np.ndarray:
        out = np.asarray(sids.take(np.maximum(site, 0)), dtype=object)
        out[site < 0] = None
        return out

    demand = pd.DataFrame(
        {
            "area_km2": d.area,
            d.pop_label: d.pop,
            "weight": d.weight,
            "district_station": label(district),
            "district_time": turnout
            + np.where(covered, instance.cost_of(np.arange(n), np.maximum(district, 0)), np.inf),
            "first_responder": label(s1),
            "first_time": turnout + t1,
            "second_responder": label(s2),
            "second_time": turnout + t2,
            "n_within_standard": n_in,
            "covered": covered,
            "second_covered": covered & (n_in >= 2),
            "blank_spot": ~covered,
        },
        index=ids.rename("demand_id"),
    )
    reachable = np.bincount(instance.pair_rows, minlength=n) > 0
    reason = np.where(
        d.blank,
        np.select(
            [np.bincount(d.rows, minlength=n) > 0, reachable],
            [
                "area exceeds every station cap within the standard",
                "no candidate site within the standard",
            ],
            "cut off: no candidate site reachable",
        ),
        np.where(
            n_in > 0,
            "within the standard but in no district (area caps)",
            "no open station within the standard",
        ),
    )
    blank = demand.loc[~covered, ["area_km2", d.pop_label, "first_responder", "first_time"]]
    blank = blank.assign(reason=reason[~covered], unavoidable=d.blank[~covered])

    existing = instance.required
    before = coverage_counts(instance, existing, d.limit) > 0
    total = float(d.pop.sum())
    share = lambda v: v / total if total > 0 else 1.0  # noqa: E731
    pop_before, pop_after = float(d.pop[before].sum()), float(d.pop[n_in > 0].sum())
    summary = {
        "standard_min": std,
        "turnout_min": turnout,
        "stations_existing": int((open_ & existing).sum()),
        "stations_new": int((open_ & ~existing).sum()),
        "crew_on_duty": float(per["crew"].sum()),
        "engines": float(per["engines"].sum()),
        "cost_counted": float(per["cost"][per["cost_counted"]].sum()),
        f"{d.pop_label}_total": total,
        f"{d.pop_label}_within_standard_before": pop_before,
        f"{d.pop_label}_within_standard_after": pop_after,
        "share_within_standard_before": share(pop_before),
        "share_within_standard_after": share(pop_after),
        f"{d.pop_label}_in_districts": float(d.pop[covered].sum()),
        f"{d.pop_label}_second_covered": float(d.pop[covered & (n_in >= 2)].sum()),
        "weight_covered": float(d.weight[covered].sum()),
        "blank_spots": int((~covered).sum()),
        "unavoidable_blank_spots": int(d.blank.sum()),
        "worst_first_time": float(np.max(turnout + t1)) if t1.size else np.nan,
        **listed("unreachable_points", ids[~reachable]),
        **dropped_row(instance, "dropped_demand_points"),
    }
    return {
        "stations": per,
        "by_type": by_type,
        "demand": demand,
        "blank_spots": blank,
        "summary": pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("metric"),
    }
