"""Fire-station types, and the data side of :class:`~erlocate.planning.firestations.FireStations`.

The default table, :func:`station_types`, carries the figures of the urban fire
station standard 《城市消防站建设标准》建标152-2017 and the township brigade
standard 《乡镇消防队》GB/T 35547-2017 as distilled in ``BRIEF.md`` item 4 and
``reference/domain.md`` §1.1–1.2. Costs are **illustrative** (no standard gives
them); pass your own table for real planning.

The helpers turn the user's table, per-site permissions, existing-station types
and per-point areas into arrays aligned with an
:class:`~erlocate.instance.Instance` (:func:`prepare`), and a plan back into the
planner's tables (:func:`station_report`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.plan import Plan, coverage_counts

__all__ = ["TYPE_COLUMNS", "station_types"]

#: Columns every station-type table must have.
TYPE_COLUMNS = ("type", "area_cap_km2", "crew", "cost", "engines")

_JB = "建标152-2017 (domain.md §1.1)"
_GB = "GB/T 35547-2017 (domain.md §1.2)"


def station_types() -> pd.DataFrame:
    """The default fire-station type table (a fresh copy each call).

    =========  ======  =======  ====  ====  =======  ==========================================
    type       cap km² engines  crew  cost  default  where the figures come from
    =========  ======  =======  ====  ====  =======  ==========================================
    class1     7       6        36    30    yes      建标152-2017: ≤ 7 km², 5–7 engines, 30–45
                                                     on duty
    class2     4       3        18    20    yes      建标152-2017: ≤ 4 km², 2–4 engines, 15–25
    small      2       2        15    11    yes      建标152-2017: ≤ 2 km², 15 on duty (two
                                                     squads); 2 engines is our assumption
    suburban   15      6        36    32    no       建标152-2017: ≤ 15 km² in suburban / new
                                                     districts with good roads; class-1 fit-out
                                                     is our assumption
    township1  inf     2        12    6     no       GB/T 35547-2017 一级乡镇专职队: ≥ 2 engines;
                                                     6 crew per engine (ours)
    township2  inf     1        8     4     no       GB/T 35547-2017 二级乡镇专职队: ≥ 1 engine;
                                                     8 crew from local practice (8–10)
    =========  ======  =======  ====  ====  =======  ==========================================

    * ``area_cap_km2``: the largest responsibility district (km²) of a station
      of this type; ``inf`` = no cap (the township standard gives none; the
      5-minute reach still bounds the district).
    * ``crew``: persons on duty per shift, sized at about 6 per engine
      (建标152-2017 sizing rule, BRIEF.md item 4), within the standard's ranges.
    * ``engines``: fire engines; mid-range of the standard where it gives one.
    * ``cost``: **illustrative** construction cost in million CNY, for ranking
      only — no standard gives costs. They are set so that class-1 is the
      cheapest per km² of district (4.3 vs 5.0 class-2, 5.5 small), echoing
      GB 51080-2015 §4.1.2 (class-1 is the default; class-2 only where class-1
      is infeasible). Replace with local estimates.
    * ``default_allowed``: whether the type may be built at a site that has no
      explicit permission. Suburban stations and township brigades are only
      allowed where the ``allowed`` argument of
      :class:`~erlocate.planning.firestations.FireStations` says so (they
      would otherwise displace the urban types wherever they are cheaper).

    Returns
    -------
    pandas.DataFrame
        Columns ``type, name, area_cap_km2, engines, crew, cost, default_allowed,
        source``.
    """
    rows = [
        ("class1", "一级普通消防站 class-1 urban", 7.0, 6, 36, 30.0, True, _JB),
        ("class2", "二级普通消防站 class-2 urban", 4.0, 3, 18, 20.0, True, _JB),
        ("small", "小型普通消防站 small urban", 2.0, 2, 15, 11.0, True, _JB + "; engines assumed"),
        ("suburban", "郊区消防站 suburban (class-1 fit-out)", 15.0, 6, 36, 32.0, False, _JB),
        ("township1", "一级乡镇专职消防队 township level-1", np.inf, 2, 12, 6.0, False, _GB),
        ("township2", "二级乡镇专职消防队 township level-2", np.inf, 1, 8, 4.0, False, _GB),
    ]
    cols = ["type", "name", "area_cap_km2", "engines", "crew", "cost", "default_allowed", "source"]
    table = pd.DataFrame(rows, columns=cols)
    table["source"] = table["source"] + "; cost illustrative (million CNY)"
    return table


def check_types(types: Any) -> pd.DataFrame:
    """Validate a station-type table and return a clean copy (0..T-1 index).

    Missing ``default_allowed`` means every type is allowed everywhere;
    missing ``name`` repeats ``type``.
    """
    if types is None:
        return station_types()
    if not isinstance(types, pd.DataFrame):
        raise InputError(
            f"types: expected a pandas DataFrame with columns {list(TYPE_COLUMNS)}, got "
            f"{type(types).__name__}; start from erlocate.planning.stationtypes.station_types()",
            field="types",
        )
    missing = [c for c in TYPE_COLUMNS if c not in types.columns]
    if missing:
        raise InputError(
            f"types: missing columns {missing}; a station-type table needs {list(TYPE_COLUMNS)}",
            field="types",
        )
    if types.empty:
        raise InputError("types: the table has no rows; give at least one type", field="types")
    out = types.reset_index(drop=True).copy()
    out["type"] = out["type"].astype(str)
    dup = out["type"][out["type"].duplicated()].tolist()
    if dup:
        raise InputError(f"types: duplicated type names {dup}", field="types")
    for col in ("area_cap_km2", "crew", "cost", "engines"):
        try:
            vals = pd.to_numeric(out[col]).astype(float)
        except (TypeError, ValueError):
            raise InputError(f"types: column {col!r} must be numeric", field="types") from None
        bad = out["type"][vals.isna() | (vals < 0) | (np.isinf(vals) & (col != "area_cap_km2"))]
        if len(bad):
            raise InputError(
                f"types: column {col!r} must be finite and >= 0 (area_cap_km2 may be inf); "
                f"bad for types {bad.tolist()}",
                field="types",
            )
        out[col] = vals
    zero_cap = out["type"][out["area_cap_km2"] <= 0].tolist()
    if zero_cap:
        raise InputError(
            f"types: area_cap_km2 must be > 0 (a station needs a district); 0 for {zero_cap}",
            field="types",
        )
    if "default_allowed" not in out.columns:
        out["default_allowed"] = True
    out["default_allowed"] = out["default_allowed"].astype(bool)
    if "name" not in out.columns:
        out["name"] = out["type"]
    return out


def _unknown(names: pd.Series, known: pd.Index, field: str) -> None:
    bad = names[known.get_indexer(names) < 0]
    if len(bad):
        raise InputError(
            f"{field}: unknown station type(s) {sorted(set(bad.astype(str)))[:5]}; "
            f"known types: {known.tolist()}",
            field=field,
        )


def _site_series(value: Any, instance: Instance, field: str) -> pd.Series:
    """A per-site Series (positional 0..m-1) from a site_frame column, mapping or sequence."""
    m = instance.n_sites
    if isinstance(value, str):
        frame = instance.site_frame
        if frame is None or value not in frame.columns:
            raise InputError(
                f"{field}: no column {value!r} in instance.site_frame"
                + (" (the instance has no site_frame)" if frame is None else "")
                + f"; pass an array with one entry per site ({m}) or a mapping site id -> type(s)",
                field=field,
            )
        return pd.Series(frame[value].to_numpy(), index=np.arange(m), dtype=object)
    if isinstance(value, Mapping):
        keys = pd.Index(list(value.keys()))
        pos = instance.site_ids.get_indexer(keys)
        if (pos < 0).any():
            raise InputError(f"{field}: unknown site ids {keys[pos < 0][:5].tolist()}", field=field)
        out = pd.Series([None] * m, index=np.arange(m), dtype=object)
        out.iloc[pos] = pd.Series(list(value.values()), dtype=object).to_numpy()
        return out
    arr = pd.Series(list(value), dtype=object) if not isinstance(value, pd.Series) else value
    if len(arr) != m:
        raise InputError(
            f"{field}: expected {m} entries (one per site), got {len(arr)}", field=field
        )
    return pd.Series(arr.to_numpy(), index=np.arange(m), dtype=object)


def resolve_allowed(allowed: Any, types: pd.DataFrame, instance: Instance) -> np.ndarray:
    """Sites × types boolean matrix of permitted station types.

    ``allowed`` is None (each site allows the ``default_allowed`` types), a
    boolean array / DataFrame of shape sites × types (DataFrame columns named
    by type, index by site id), or per site — a ``site_frame`` column name, a
    mapping ``site id -> types`` or a sequence — a type name, a comma-separated
    string of names or a list of names; None/NaN/"" mean the default types,
    an empty list means no station at that site.
    """
    m, names = instance.n_sites, pd.Index(types["type"])
    default = types["default_allowed"].to_numpy(bool)
    if allowed is None:
        return np.tile(default, (m, 1))
    if isinstance(allowed, pd.DataFrame):
        _unknown(pd.Series(allowed.columns.astype(str)), names, "allowed")
        frame = allowed.reindex(index=instance.site_ids)
        if frame.isna().to_numpy().any():
            raise InputError(
                "allowed: the DataFrame must have one row per site id (missing rows found)",
                field="allowed",
            )
        frame.columns = frame.columns.astype(str)
        return frame.reindex(columns=names, fill_value=False).to_numpy(bool)
    if not isinstance(allowed, (str, Mapping, pd.Series)):
        try:
            arr = np.asarray(allowed)
        except ValueError:  # ragged lists of names: handled per site below
            arr = None
        if arr is not None and arr.dtype == bool:
            if arr.shape != (m, len(names)):
                raise InputError(
                    f"allowed: a boolean array must have shape (sites, types) = "
                    f"({m}, {len(names)}) in the order of the type table, got {arr.shape}",
                    field="allowed",
                )
            return arr.copy()
    per_site = _site_series(allowed, instance, "allowed")
    # lists -> one row per element; strings -> split on commas (vectorised pandas)
    items = per_site.explode().dropna()
    items = items.astype(str).str.split(",").explode().str.strip()
    items = items[items != ""]
    _unknown(items, names, "allowed")
    out = np.tile(default, (m, 1))
    listed = items.index.unique().to_numpy(np.int64)
    out[listed] = False
    out[(per_site.map(np.size) == 0).to_numpy()] = False  # an empty list: no station there
    out[items.index.to_numpy(np.int64), names.get_indexer(items)] = True
    return out


def resolve_existing(existing: Any, types: pd.DataFrame, instance: Instance) -> np.ndarray:
    """Type index of each existing (required) station, -1 where not given.

    ``existing`` is None, a ``site_frame`` column name, a mapping
    ``site id -> type`` or a per-site sequence with None/NaN for no type.
    """
    m = instance.n_sites
    if existing is None:
        return np.full(m, -1, dtype=np.int64)
    per_site = _site_series(existing, instance, "existing_types")
    given = per_site.notna().to_numpy() & (per_site.astype(str).str.strip() != "").to_numpy()
    names = pd.Index(types["type"])
    vals = per_site[given].astype(str).str.strip()
    _unknown(vals, names, "existing_types")
    not_req = np.flatnonzero(given & ~instance.required)
    if not_req.size:
        raise InputError(
            f"existing_types: sites {instance.site_ids[not_req[:5]].tolist()} have a type but "
            "are not existing stations; mark them in Instance(required=...) or drop their type",
            field="existing_types",
        )
    out = np.full(m, -1, dtype=np.int64)
    out[np.flatnonzero(given)] = names.get_indexer(vals)
    return out


def demand_values(value: Any, instance: Instance, name: str) -> np.ndarray:
    """Per-demand-point numbers from a ``demand_frame`` column or an array; finite, >= 0."""
    n = instance.n_demand
    if isinstance(value, str):
        frame = instance.demand_frame
        if frame is None or value not in frame.columns:
            raise InputError(
                f"{name}: no column {value!r} in instance.demand_frame"
                + (" (the instance has no demand_frame)" if frame is None else "")
                + f"; pass {name}= an array with one value per demand point ({n})"
                + (", zeros to ignore district area caps" if name == "area" else ""),
                field=name,
            )
        value = frame[value].to_numpy()
    try:
        arr = np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"{name}: must be numeric", field=name) from None
    if arr.shape != (n,):
        raise InputError(f"{name}: expected {n} values, got {arr.size}", field=name)
    for bad, what in ((~np.isfinite(arr), "missing or infinite"), (arr < 0, "negative")):
        if bad.any():
            ids = instance.demand_ids[np.flatnonzero(bad)[:5]].tolist()
            raise InputError(
                f"{name}: {int(bad.sum())} {what} value(s), demand ids {ids}; give a finite "
                "value >= 0 for every demand point",
                field=name,
            )
    return arr


def demand_mask(points: Any, instance: Instance, name: str) -> np.ndarray:
    """Boolean mask over demand points from None (all), a mask, ids or a demand_frame column."""
    n = instance.n_demand
    if points is None:
        return np.ones(n, dtype=bool)
    if isinstance(points, str):
        frame = instance.demand_frame
        if frame is None or points not in frame.columns:
            raise InputError(f"{name}: no column {points!r} in instance.demand_frame", field=name)
        points = frame[points].to_numpy()
    arr = np.asarray(points)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InputError(f"{name}: a mask needs {n} entries, got {arr.shape}", field=name)
        return arr.copy()
    wanted = np.atleast_1d(arr)
    pos = instance.demand_ids.get_indexer(pd.Index(wanted))
    if (pos < 0).any():
        raise InputError(f"{name}: unknown demand ids {wanted[pos < 0][:5].tolist()}", field=name)
    mask = np.zeros(n, dtype=bool)
    mask[pos] = True
    return mask


@dataclass
class FireData:
    """FireStations inputs resolved against one instance (arrays aligned with it)."""

    types: pd.DataFrame
    cap: np.ndarray  # area cap per type, inf replaced by the total area (exact)
    cost: np.ndarray  # cost per type
    allowed: np.ndarray  # sites × types, existing types fixed
    counted: np.ndarray  # sites whose cost counts (new, or all with count_existing)
    fixed: np.ndarray  # site cost from the instance (0 when it has none)
    area: np.ndarray
    weight: np.ndarray
    pop: np.ndarray
    pop_label: str
    limit: float  # driving limit = standard - turnout (+ 1e-9 rounding slack)
    rows: np.ndarray  # pairs within the standard at sites that may host a station
    cols: np.ndarray
    time: np.ndarray
    use: np.ndarray  # of those, the pairs a district may hold (area fits an allowed type)
    second: np.ndarray  # demand points the second-coverage option applies to
    blank: np.ndarray  # no usable pair: unavoidable blank spots
    must: np.ndarray  # demand points that must be in a district


def prepare(model: Any, instance: Instance) -> FireData:
    """Resolve a :class:`FireStations` model's tables and columns on ``instance``."""
    types, m = model.types, instance.n_sites
    area = demand_values(model.area, instance, "area")
    frame = instance.demand_frame
    pop, pop_label = instance.weights, "weight"
    if model.population is not None:
        pop, pop_label = demand_values(model.population, instance, "population"), "population"
    elif frame is not None and "population" in frame.columns:
        pop, pop_label = demand_values("population", instance, "population"), "population"
    allowed = resolve_allowed(model.allowed, types, instance)
    existing = resolve_existing(model.existing_types, types, instance)
    has = existing >= 0
    clash = has & ~allowed[np.arange(m), np.maximum(existing, 0)]
    if clash.any():
        raise InputError(
            f"existing_types: the type of existing stations "
            f"{instance.site_ids[clash][:5].tolist()} is not allowed there by `allowed`",
            field="existing_types",
        )
    allowed[has] = False
    allowed[np.flatnonzero(has), existing[has]] = True
    none = np.flatnonzero(instance.required & ~allowed.any(axis=1))
    if none.size:
        raise InputError(
            f"allowed: existing stations {instance.site_ids[none[:5]].tolist()} allow no "
            "station type; allow at least one or give existing_types",
            field="allowed",
        )
    raw_cap = types["area_cap_km2"].to_numpy(float)
    cap = np.where(np.isinf(raw_cap), max(float(area.sum()), 1.0), raw_cap)
    maxcap = np.where(allowed, cap[None, :], -1.0).max(axis=1)
    limit = float(model.standard) - float(model.turnout) + 1e-9 * max(1.0, float(model.standard))
    near = (instance.costs <= limit) & allowed.any(axis=1)[instance.indices]
    rows, cols = instance.pair_rows[near], instance.indices[near]
    use = area[rows] <= maxcap[cols]
    blank = np.bincount(rows[use], minlength=instance.n_demand) == 0
    second = demand_mask(model.second_points, instance, "second_points")
    must = np.zeros(instance.n_demand, dtype=bool)
    if model.mode == "cover_all":
        must = ~blank if model.allow_blank else ~must
    if model.second_cover == "require":
        must |= second
    return FireData(
        types=types,
        cap=cap,
        cost=types["cost"].to_numpy(float),
        allowed=allowed,
        counted=~instance.required | model.count_existing,
        fixed=instance.site_costs if instance.has_site_costs else np.zeros(m),
        area=area,
        weight=instance.weights,
        pop=pop,
        pop_label=pop_label,
        limit=limit,
        rows=rows,
        cols=cols,
        time=instance.costs[near],
        use=use,
        second=second,
        blank=blank,
        must=must,
    )


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


def station_report(model: Any, instance: Instance, plan: Plan, d: FireData) -> dict:
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
    reason = np.where(
        d.blank,
        np.where(
            np.bincount(d.rows, minlength=instance.n_demand) > 0,
            "area exceeds every station cap within the standard",
            "no candidate site within the standard",
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
    }
    return {
        "stations": per,
        "by_type": by_type,
        "demand": demand,
        "blank_spots": blank,
        "summary": pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("metric"),
    }
