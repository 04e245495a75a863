"""Shelter inputs: population, shares, classes, areas and capacities resolved into arrays.

:func:`_data` validates a :class:`~erlocate.planning.shelters.Shelters`
model's parameters against an instance (InputError, naming the field) and
returns :class:`_Data`, everything a plan is built from and checked against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.models.blocks import Pairs
from erlocate.params import boolean, integer, number
from erlocate.planning._checks import label_list, values_param
from erlocate.planning._inputs import by_label, column, floats, real_array
from erlocate.planning.shelters.defaults import _LIMIT_COL, default_classes

if TYPE_CHECKING:
    from erlocate.planning.shelters.model import Shelters


def _n(x: float) -> str:
    """A people / area figure for messages: 42,000 or 42,000.5."""
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-6 else f"{x:,.1f}"


def _count(k: int) -> str:
    return f"{k} communit{'y' if k == 1 else 'ies'}"


def _values(value: Any, frame: Any, instance: Instance, field: str, where: str) -> np.ndarray:
    """A number, one number per item, or a column of ``instance.<where>`` -> float array.

    A Series is aligned by label to the demand or site ids (``where``).
    """
    demand = where == "demand_frame"
    n = instance.n_demand if demand else instance.n_sites
    if isinstance(value, str):
        advice = f"; pass {n} values or the name of a column of instance.{where}"
        value = column(frame, value, field, where, advice=advice).to_numpy()
    ids = instance.demand_ids if demand else instance.site_ids
    value = by_label(value, ids, field, dropped=instance.dropped if demand else ())
    arr = floats(value, n, field)
    if not np.isfinite(arr).all():
        bad = np.flatnonzero(~np.isfinite(arr))[:5].tolist()
        raise InputError(f"{field}: NaN or infinite at positions {bad}", field=field)
    return arr


@dataclass(frozen=True, eq=False)
class _Data:
    """Everything a plan is checked against, resolved from the instance and the parameters."""

    names: list[str]  # scenario names
    shares: list[float | None]  # scalar share per scenario (None for per-community shares)
    pop: np.ndarray  # residents per community
    people: np.ndarray  # (S, n) people to shelter per scenario
    hbar: np.ndarray  # objective weight: people to shelter, mean over scenarios
    hmax: np.ndarray  # the largest load a community brings (any scenario)
    active: np.ndarray  # communities with someone to shelter
    cls: np.ndarray  # class label per site
    m2pp: np.ndarray  # m² per person per site
    limit: np.ndarray  # walking limit per site
    area: np.ndarray | None  # usable area per site (None: capacities given directly)
    cap: np.ndarray  # people per site
    allowed: np.ndarray  # mask over instance pairs: active community, within the class limit
    pairs: Pairs  # usable pairs (allowed, and the community fits): the z variables
    keep: list[int]  # scenarios whose capacity rows are not dominated by another's


def scalar_params(model: Shelters) -> None:
    """Every parameter that needs no instance: choices, counts, flags, numbers, tables."""
    for name, options in (("cost_unit", tuple(_LIMIT_COL)), ("ties", ("any", "first"))):
        value = getattr(model, name)
        if not isinstance(value, str) or value not in options:
            shown = " or ".join(repr(o) for o in options)
            raise InputError(f"{name}: {value!r}; use {shown}", field=name)
    for name in ("exact_new", "closest", "allow_unhoused"):
        boolean(getattr(model, name), name)
    integer(model.new, "new", minimum=0, optional=True, hint="the number of new shelters")
    if model.new is None and model.exact_new:
        raise InputError("exact_new: needs new=k (the number of new shelters)", field="exact_new")
    shares = model.share
    if isinstance(shares, Mapping):
        if not shares:
            raise InputError("share: the scenario mapping is empty", field="share")
        shares = list(shares.values())
    else:
        shares = [shares]
    for value in shares:
        values_param(value, "share", scalar=True, maximum=1.0, what="shares in [0, 1]")
    values_param(model.population, "population", optional=True)
    values_param(model.area, "area", scalar=True, optional=True)
    if not isinstance(model.site_class, str):
        label_list(model.site_class, "site_class")
    _class_table(model)
    if model.walk_bands is not None:
        bands = label_list(model.walk_bands, "walk_bands")
        for b in bands:
            number(b, "walk_bands", minimum=0.0, strict=True, hint=f"{model.cost_unit} thresholds")


def _params(model: Shelters, instance: Instance) -> None:
    """The parameters checked against the instance (``exact_new`` vs the candidate sites)."""
    n_cand = int((~instance.required).sum())
    if model.new is not None and model.exact_new and model.new > n_cand:
        raise InputError(
            f"new: cannot open exactly {model.new} new shelters with {n_cand} candidate sites",
            field="new",
        )


def _class_table(model: Shelters) -> pd.DataFrame:
    """The class table (default or the model's), with its columns checked."""
    t = model.classes
    if t is None:
        return default_classes()
    if isinstance(t, Mapping):
        t = pd.DataFrame.from_dict(dict(t), orient="index")
    if not isinstance(t, pd.DataFrame):
        raise InputError(
            f"classes: a DataFrame indexed by class, or a mapping, got {type(t).__name__}",
            field="classes",
        )
    need = ["m2_per_person", _LIMIT_COL[model.cost_unit]]
    missing = [c for c in need if c not in t.columns]
    if missing:
        raise InputError(f"classes: missing columns {missing}", field="classes")
    if not t.index.is_unique:
        raise InputError("classes: class names (the index) must be unique", field="classes")
    m = real_array(t["m2_per_person"].to_numpy(), "classes")
    bad = ~(np.isfinite(m) & (m > 0))
    if bad.any():
        raise InputError(
            f"classes: m2_per_person must be > 0; bad for {t.index[bad].tolist()}",
            field="classes",
        )
    lim = real_array(t[need[1]].to_numpy(), "classes")
    if (lim < 0).any():
        raise InputError(f"classes: {need[1]} must be >= 0 (NaN or inf: no limit)", field="classes")
    return t


def _data(model: Shelters, instance: Instance) -> _Data:
    """The model's parameters resolved against ``instance`` (raises InputError)."""
    _params(model, instance)
    m = instance.n_sites
    dframe, sframe = instance.demand_frame, instance.site_frame
    pop = instance.weights if model.population is None else model.population
    pop = _values(pop, dframe, instance, "population", "demand_frame")
    if (pop < 0).any():
        k = np.flatnonzero(pop < 0)
        raise InputError(
            f"population: must be >= 0; negative for {instance.demand_ids[k[:5]].tolist()}",
            field="population",
        )
    raw = model.share if isinstance(model.share, Mapping) else {"base": model.share}
    if not raw:
        raise InputError("share: the scenario mapping is empty", field="share")
    names, shares, people = [], [], []
    for name, value in raw.items():
        a = _values(value, dframe, instance, "share", "demand_frame")
        for bad, what in ((a < 0, "negative"), (a > 1, "above 1")):
            if bad.any():
                k = np.flatnonzero(bad)
                raise InputError(
                    f"share: must be in [0, 1] (a share of the population); {what} in "
                    f"scenario {name!r} at communities {instance.demand_ids[k[:5]].tolist()} "
                    f"(e.g. {a[k[0]]:g})",
                    field="share",
                )
        scalar = np.isscalar(value) and not isinstance(value, str)
        names.append(str(name))
        shares.append(float(value) if scalar else None)
        people.append(a * pop)
    people = np.vstack(people)
    keep = [
        s
        for s in range(len(names))
        if not any(
            t != s and (people[t] >= people[s]).all() and ((people[t] > people[s]).any() or t < s)
            for t in range(len(names))
        )
    ]

    table = _class_table(model)
    cls = model.site_class
    if isinstance(cls, str) and sframe is not None and cls in sframe.columns:
        cls = sframe[cls].to_numpy()
    cls = by_label(cls, instance.site_ids, "site_class")
    cls = np.full(m, cls, dtype=object) if isinstance(cls, str) else np.asarray(cls, object)
    if cls.shape != (m,):
        raise InputError(f"site_class: expected {m} labels, got {cls.shape}", field="site_class")
    unknown = [lab for lab in pd.unique(cls) if lab not in table.index]
    if unknown:
        at = instance.site_ids[pd.Index(cls).isin(unknown)][:5].tolist()
        raise InputError(
            f"site_class: unknown shelter class(es) {unknown} at sites {at}; known: "
            f"{table.index.tolist()} (pass classes= with a row for each class)",
            field="site_class",
        )
    pos = table.index.get_indexer(cls)
    m2pp = pd.to_numeric(table["m2_per_person"]).to_numpy(float)[pos]
    limit = pd.to_numeric(table[_LIMIT_COL[model.cost_unit]]).to_numpy(float)[pos]
    limit = np.where(np.isnan(limit), np.inf, limit)

    area = None
    if model.area is not None:
        area = _values(model.area, sframe, instance, "area", "site_frame")
        if (area < 0).any():
            k = np.flatnonzero(area < 0)
            raise InputError(
                f"area: usable area must be >= 0 m²; negative at sites "
                f"{instance.site_ids[k[:5]].tolist()} (e.g. {area[k[0]]:g})",
                field="area",
            )
        cap = area / m2pp
    elif np.isfinite(instance.capacities).any():
        cap = np.asarray(instance.capacities, dtype=float)
    else:
        raise InputError(
            "area: no shelter capacity given; pass area= (usable m² per site: an array or a "
            "site_frame column) or build the instance with capacities= (people per site)",
            field="area",
        )

    hmax, active = people.max(axis=0), people.max(axis=0) > 0
    rows, cols = instance.pair_rows, instance.indices
    allowed = active[rows] & (instance.costs <= limit[cols])
    usable = allowed & (hmax[rows] <= cap[cols] * (1 + 1e-12))
    pairs = Pairs(instance, None)
    pairs.rows, pairs.cols, pairs.cost = rows[usable], cols[usable], instance.costs[usable]
    return _Data(
        names=names,
        shares=shares,
        pop=pop,
        people=people,
        hbar=people.mean(axis=0),
        hmax=hmax,
        active=active,
        cls=cls,
        m2pp=m2pp,
        limit=limit,
        area=area,
        cap=cap,
        allowed=allowed,
        pairs=pairs,
        keep=keep,
    )
