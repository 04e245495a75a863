"""Fire-station inputs: the type table, permitted and existing types, per-point values.

:func:`resolve` turns a :class:`~erlocate.planning.firestations.FireStations`
model's parameters (:class:`~erlocate.planning.firestations.params.FireParams`)
into :class:`FireData`, arrays aligned with an
:class:`~erlocate.instance.Instance`: the type table, per-site permissions,
existing-station types and per-point areas, weights and populations. Every
function raises InputError naming the parameter. The MILP's reductions are
not here (see :mod:`~erlocate.planning.firestations.formulation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.planning.firestations.defaults import check_types
from erlocate.planning.firestations.params import FireParams
from erlocate.planning.inputs import by_label, column, real_array, shown

__all__ = [
    "FireData",
    "demand_mask",
    "demand_values",
    "resolve",
    "resolve_allowed",
    "resolve_existing",
]


def _unknown(names: pd.Series, known: pd.Index, field: str) -> None:
    bad = names[known.get_indexer(names) < 0]
    if len(bad):
        raise InputError(
            f"{field}: unknown station type(s) {sorted(set(bad.astype(str)))[:5]}; "
            f"known types: {known.tolist()}",
            field=field,
        )


def _is_scalar(value: Any) -> bool:
    try:
        return np.ndim(value) == 0
    except ValueError:  # ragged, e.g. per-site lists of type names of different lengths
        return False


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
    if _is_scalar(value):
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

    params: FireParams
    #: The instance solved.
    instance: Instance
    types: pd.DataFrame  # the checked type table
    cap: np.ndarray  # area cap per type, km² (inf: no cap)
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
    second: np.ndarray  # demand points the second-coverage option applies to
    blank: np.ndarray  # no site within the standard can hold the point: unavoidable blank spot
    must: np.ndarray  # demand points that must be in a district


def resolve(instance: Instance, **params: Any) -> FireData:
    """A :class:`~erlocate.planning.firestations.FireStations` model's tables and columns
    resolved on ``instance``.

    ``params`` are the model's (:class:`~erlocate.planning.firestations.params.FireParams`);
    those that need no instance were checked at construction.
    """
    p = FireParams(**params)
    types, n = check_types(p.types), instance.n_demand
    area = demand_values(p.area, instance, "area")
    pop, pop_label = _population(p.population, instance)
    allowed = _permitted(p, types, instance)
    cap = types["area_cap_km2"].to_numpy(float)
    limit = p.limit
    near = (instance.costs <= limit) & np.asarray(allowed.any(axis=1))[instance.indices]
    rows, cols = instance.pair_rows[near], instance.indices[near]
    largest = np.where(allowed, cap[None, :], -1.0).max(axis=1)
    blank = np.bincount(rows[area[rows] <= largest[cols]], minlength=n) == 0
    second = demand_mask(p.second_points, instance, "second_points")
    must = np.zeros(n, dtype=bool)
    if p.mode == "cover_all":
        must = ~blank if p.allow_blank else ~must
    if p.second_cover == "require":
        must |= second
    return FireData(
        params=p,
        instance=instance,
        types=types,
        cap=cap,
        cost=types["cost"].to_numpy(float),
        allowed=allowed,
        counted=~instance.required | p.count_existing,
        fixed=instance.site_costs if instance.has_site_costs else np.zeros(instance.n_sites),
        area=area,
        weight=instance.weights,
        pop=pop,
        pop_label=pop_label,
        limit=limit,
        rows=rows,
        cols=cols,
        time=instance.costs[near],
        second=second,
        blank=blank,
        must=must,
    )


def _population(population: Any, instance: Instance) -> tuple[np.ndarray, str]:
    """Population per point for the reports, and its label (the weights if none is given)."""
    frame = instance.demand_frame
    if population is not None:
        return demand_values(population, instance, "population"), "population"
    if frame is not None and "population" in frame.columns:
        return demand_values("population", instance, "population"), "population"
    return instance.weights, "weight"


def _permitted(p: FireParams, types: pd.DataFrame, instance: Instance) -> np.ndarray:
    """Sites × types permitted, each existing station's given type the only one at its site."""
    m = instance.n_sites
    allowed = resolve_allowed(p.allowed, types, instance)
    existing = resolve_existing(p.existing_types, types, instance)
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
    return allowed
