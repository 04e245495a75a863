"""Fire-station report: the planner's tables of a fire-station plan."""

from __future__ import annotations

import numpy as np
import pandas as pd

from erlocate.instance import Instance
from erlocate.plan import coverage_counts
from erlocate.planning.firestations.inputs import FireData
from erlocate.planning.firestations.plan import StationPlan
from erlocate.planning.inputs import dropped_row, listed

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


def tables(d: FireData, plan: StationPlan) -> dict[str, pd.DataFrame]:
    """The planner's tables of a fire-station plan; see ``FireStations.report``."""
    n_in = coverage_counts(d.instance, plan.open, d.limit)
    per = _stations(d, plan)
    demand = _demand(d, plan, n_in)
    return {
        "stations": per,
        "by_type": _by_type(per),
        "demand": demand,
        "blank_spots": _blank_spots(d, demand, n_in),
        "summary": _summary(d, plan, per, demand, n_in),
    }


def _stations(d: FireData, plan: StationPlan) -> pd.DataFrame:
    """One row per open station: type, crew, engines, cost and its district's totals."""
    instance = d.instance
    st = np.asarray(plan.station_type)
    t = d.types.iloc[np.maximum(st, 0)].reset_index(drop=True)
    i, j, m = plan.demand_idx, plan.site_idx, instance.n_sites
    return pd.DataFrame(
        {
            "type": t["type"].to_numpy(),
            "name": t["name"].to_numpy(),
            "existing": instance.required,
            "engines": t["engines"].to_numpy(),
            "crew": t["crew"].to_numpy(),
            "cost": d.fixed + t["cost"].to_numpy(),
            "cost_counted": d.counted,
            "area_cap_km2": t["area_cap_km2"].to_numpy(),
            "district_area_km2": np.bincount(j, weights=d.area[i], minlength=m),
            "district_points": np.bincount(j, minlength=m),
            f"district_{d.pop_label}": np.bincount(j, d.pop[i], minlength=m),
            "district_weight": np.bincount(j, weights=d.weight[i], minlength=m),
        },
        index=instance.site_ids.rename("site_id"),
    )[plan.open & (st >= 0)]


def _by_type(per: pd.DataFrame) -> pd.DataFrame:
    """Stations, engines, crew and counted cost per station type."""
    by_type = per.assign(
        stations=1, new=~per["existing"], counted=per["cost"].where(per["cost_counted"], 0.0)
    ).groupby("type", sort=False)
    return by_type.agg(
        stations=("stations", "sum"),
        existing=("existing", "sum"),
        new=("new", "sum"),
        engines=("engines", "sum"),
        crew=("crew", "sum"),
        cost_counted=("counted", "sum"),
    )


def _demand(d: FireData, plan: StationPlan, n_in: np.ndarray) -> pd.DataFrame:
    """Per demand point: district station, first and second responder, coverage flags."""
    instance, turnout = d.instance, float(d.params.turnout)
    sids, n = instance.site_ids, instance.n_demand
    s1, t1, s2, t2 = responders(instance, plan.open)
    district = np.full(n, -1, dtype=np.int64)
    district[plan.demand_idx] = plan.site_idx
    covered = district >= 0

    def label(site: np.ndarray) -> np.ndarray:
        out = np.asarray(sids.take(np.maximum(site, 0)), dtype=object)
        out[site < 0] = None
        return out

    return pd.DataFrame(
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
        index=instance.demand_ids.rename("demand_id"),
    )


def _blank_spots(d: FireData, demand: pd.DataFrame, n_in: np.ndarray) -> pd.DataFrame:
    """The points in no district, with the reason and whether it was avoidable."""
    n = d.instance.n_demand
    covered = demand["covered"].to_numpy(bool)
    reachable = np.bincount(d.instance.pair_rows, minlength=n) > 0
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
    return blank.assign(reason=reason[~covered], unavoidable=d.blank[~covered])


def _summary(
    d: FireData, plan: StationPlan, per: pd.DataFrame, demand: pd.DataFrame, n_in: np.ndarray
) -> pd.DataFrame:
    """Metric -> value: stations, crews, costs, population within the standard before/after."""
    instance, p, lab = d.instance, d.params, d.pop_label
    ids, open_, existing = instance.demand_ids, plan.open, instance.required
    covered = demand["covered"].to_numpy(bool)
    first = demand["first_time"].to_numpy(float)
    reachable = np.bincount(instance.pair_rows, minlength=instance.n_demand) > 0
    before = coverage_counts(instance, existing, d.limit) > 0
    total = float(d.pop.sum())
    share = lambda v: v / total if total > 0 else 1.0  # noqa: E731
    pop_before, pop_after = float(d.pop[before].sum()), float(d.pop[n_in > 0].sum())
    summary = {
        "standard_min": float(p.standard),
        "turnout_min": float(p.turnout),
        "stations_existing": int((open_ & existing).sum()),
        "stations_new": int((open_ & ~existing).sum()),
        "crew_on_duty": float(per["crew"].sum()),
        "engines": float(per["engines"].sum()),
        "cost_counted": float(per["cost"][per["cost_counted"]].sum()),
        f"{lab}_total": total,
        f"{lab}_within_standard_before": pop_before,
        f"{lab}_within_standard_after": pop_after,
        "share_within_standard_before": share(pop_before),
        "share_within_standard_after": share(pop_after),
        f"{lab}_in_districts": float(d.pop[covered].sum()),
        f"{lab}_second_covered": float(d.pop[covered & (n_in >= 2)].sum()),
        "weight_covered": float(d.weight[covered].sum()),
        "blank_spots": int((~covered).sum()),
        "unavoidable_blank_spots": int(d.blank.sum()),
        "worst_first_time": float(np.max(first)) if first.size else np.nan,
        **listed("unreachable_points", ids[~reachable]),
        **dropped_row(instance, "dropped_demand_points"),
    }
    return pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("metric")
