"""Fire-station inputs: parameters, permitted types, existing types and per-point values.

:func:`_check_params` validates the scalar parameters; :func:`prepare` turns
the type table, per-site permissions, existing-station types and per-point
areas into :class:`FireData`, arrays aligned with an
:class:`~erlocate.instance.Instance`. Every function raises InputError
naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.params import boolean, integer, is_real, number
from erlocate.planning._checks import values_param
from erlocate.planning._inputs import by_label, column, real_array, shown
from erlocate.planning.firestations.defaults import MODES, SECOND

if TYPE_CHECKING:
    from erlocate.planning.firestations.model import FireStations

__all__ = ["FireData", "prepare"]


def _pick(value: Any, name: str, options: tuple) -> None:
    """``value`` is one of ``options`` (a string or None; nothing else compares)."""
    if not (value is None or isinstance(value, str)) or value not in options:
        raise InputError(f"{name}: choose one of {list(options)}, got {value!r}", field=name)


def _check_params(model: FireStations) -> None:
    """Every parameter that needs no instance: numbers strictly, flags, choices and kinds."""
    _pick(model.mode, "mode", MODES)
    s = number(model.standard, "standard", minimum=0.0, strict=True, hint="minutes")
    t = number(model.turnout, "turnout", minimum=0.0, hint="minutes")
    if t is not None and s is not None and t > s:
        raise InputError(
            f"turnout: {model.turnout!r} min exceeds the standard {model.standard!r} min, "
            "leaving no driving time",
            field="turnout",
        )
    number(model.budget, "budget", minimum=0.0, optional=True)
    integer(model.max_new, "max_new", minimum=0, optional=True, hint="the number of new stations")
    if model.mode == "max_cover" and model.budget is None and model.max_new is None:
        raise InputError(
            "budget: max_cover needs a budget and/or max_new; without limits use mode='cover_all'",
            field="budget",
        )
    _pick(model.second_cover, "second_cover", SECOND)
    number(model.second_weight, "second_weight", minimum=0.0, optional=True)
    if model.second_cover == "objective" and model.mode == "cover_all":
        if model.second_weight is None:
            raise InputError(
                "second_weight: cover_all with second_cover='objective' needs the value of "
                "one unit of weight covered twice, in cost units (e.g. 0.01)",
                field="second_weight",
            )
    for flag in ("allow_blank", "closest", "count_existing"):
        boolean(getattr(model, flag), flag)
    if model.allow_blank and model.mode != "cover_all":
        raise InputError("allow_blank: applies to mode='cover_all' only", field="allow_blank")
    values_param(model.area, "area")
    values_param(model.population, "population", optional=True)
    for name in ("allowed", "existing_types"):
        value = getattr(model, name)
        if value is not None and (is_real(value) or isinstance(value, (bool, np.bool_))):
            raise InputError(
                f"{name}: expected a site_frame column name, a mapping site id -> type(s), "
                f"one entry per site or None, got {value!r} ({type(value).__name__})",
                field=name,
            )
    if isinstance(model.second_points, (Mapping, pd.DataFrame, bool, np.bool_)):
        raise InputError(
            "second_points: expected a boolean mask, a list of demand ids or a boolean "
            f"demand_frame column, got {type(model.second_points).__name__}",
            field="second_points",
        )


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
        col = column(
            instance.site_frame,
            value,
            field,
            "site_frame",
            absent=" (the instance has no site_frame)",
            advice=f"; pass an array with one entry per site ({m}) or a mapping site id -> type(s)",
        )
        return pd.Series(col.to_numpy(), index=np.arange(m), dtype=object)
    if isinstance(value, Mapping):
        keys = pd.Index(list(value.keys()))
        pos = instance.site_ids.get_indexer(keys)
        if (pos < 0).any():
            raise InputError(f"{field}: unknown site ids {keys[pos < 0][:5].tolist()}", field=field)
        out = pd.Series([None] * m, index=np.arange(m), dtype=object)
        out.iloc[pos] = pd.Series(list(value.values()), dtype=object).to_numpy()
        return out
    value = by_label(value, instance.site_ids, field)
    if np.ndim(value) == 0:
        raise InputError(
            f"{field}: expected a site_frame column name, a mapping site id -> value or one "
            f"entry per site ({m}), got {value!r} ({type(value).__name__})",
            field=field,
        )
    arr = pd.Series(list(value), dtype=object)
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
        if not allowed.index.is_unique:
            raise InputError("allowed: the DataFrame's site ids repeat", field="allowed")
        extra = allowed.index.difference(instance.site_ids)
        frame = allowed.reindex(index=instance.site_ids)
        if len(extra) or frame.isna().to_numpy().any():
            raise InputError(
                "allowed: the DataFrame must have exactly one row per site id (rows "
                f"{shown(extra)} are not site ids; missing: "
                f"{shown(instance.site_ids[frame.isna().to_numpy().any(axis=1)])})",
                field="allowed",
            )
        if any(frame[c].dtype != bool for c in frame.columns):
            raise InputError(
                "allowed: a DataFrame sites × types must hold True/False", field="allowed"
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
        value = column(
            instance.demand_frame,
            value,
            name,
            "demand_frame",
            absent=" (the instance has no demand_frame)",
            advice=f"; pass {name}= an array with one value per demand point ({n})"
            + (", zeros to ignore district area caps" if name == "area" else ""),
        ).to_numpy()
    arr = real_array(by_label(value, instance.demand_ids, name, dropped=instance.dropped), name)
    if arr.shape != (n,):
        raise InputError(f"{name}: expected {n} values, got shape {arr.shape}", field=name)
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
        points = column(instance.demand_frame, points, name, "demand_frame").to_numpy()
    if isinstance(points, pd.Series) and points.dtype == bool:
        points = by_label(points, instance.demand_ids, name, dropped=instance.dropped)
    arr = np.asarray(points)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InputError(f"{name}: a mask needs {n} entries, got {arr.shape}", field=name)
        return arr.copy()
    wanted = pd.Index(np.atleast_1d(arr).tolist())
    wanted = wanted[~wanted.isin(list(instance.dropped))]  # dropped points: out of the plan
    pos = instance.demand_ids.get_indexer(wanted)
    if (pos < 0).any():
        raise InputError(f"{name}: unknown demand ids {shown(wanted[pos < 0])}", field=name)
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
