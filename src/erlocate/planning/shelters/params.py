"""Shelter parameters checked at construction: everything that needs no instance.

:func:`check_params` runs when a :class:`~erlocate.planning.shelters.Shelters`
model is built (``Shelters(ties="nearest")`` raises at once): choices, counts,
flags, shares, the kind of the per-item inputs and the class table.
:func:`class_table` gives the class table (the default or the model's) to
both the check and :func:`~erlocate.planning.shelters.inputs.resolve`. Ids,
columns and lengths are checked against the instance at solve time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.params import boolean, integer, number
from erlocate.planning.checks import label_list, values_param
from erlocate.planning.inputs import real_array
from erlocate.planning.shelters.defaults import LIMIT_COLUMNS, default_classes

__all__ = ["ShelterParams", "check_params", "class_table"]


@dataclass(frozen=True)
class ShelterParams:
    """The parameters of :class:`~erlocate.planning.shelters.Shelters`, as given."""

    share: Any = 0.3
    population: Any = None
    area: Any = None
    site_class: Any = "fixed"
    classes: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None
    cost_unit: str = "minutes"
    new: int | None = None
    exact_new: bool = False
    closest: bool = False
    ties: str = "any"
    allow_unhoused: bool = False
    walk_bands: Sequence[float] | None = None


def check_params(p: ShelterParams) -> None:
    """Every parameter that needs no instance: choices, counts, flags, numbers, tables."""
    for name, options in (("cost_unit", tuple(LIMIT_COLUMNS)), ("ties", ("any", "first"))):
        value = getattr(p, name)
        if not isinstance(value, str) or value not in options:
            shown = " or ".join(repr(o) for o in options)
            raise InputError(f"{name}: {value!r}; use {shown}", field=name)
    for name in ("exact_new", "closest", "allow_unhoused"):
        boolean(getattr(p, name), name)
    integer(p.new, "new", minimum=0, optional=True, hint="the number of new shelters")
    if p.new is None and p.exact_new:
        raise InputError("exact_new: needs new=k (the number of new shelters)", field="exact_new")
    shares = p.share
    if isinstance(shares, Mapping):
        if not shares:
            raise InputError("share: the scenario mapping is empty", field="share")
        shares = list(shares.values())
    else:
        shares = [shares]
    for value in shares:
        values_param(value, "share", scalar=True, maximum=1.0, what="shares in [0, 1]")
    values_param(p.population, "population", optional=True)
    values_param(p.area, "area", scalar=True, optional=True)
    if not isinstance(p.site_class, str):
        label_list(p.site_class, "site_class")
    class_table(p)
    if p.walk_bands is not None:
        bands = label_list(p.walk_bands, "walk_bands")
        for b in bands:
            number(b, "walk_bands", minimum=0.0, strict=True, hint=f"{p.cost_unit} thresholds")


def class_table(p: ShelterParams) -> pd.DataFrame:
    """The class table (default or the model's), with its columns checked."""
    t = p.classes
    if t is None:
        return default_classes()
    if isinstance(t, Mapping):
        t = pd.DataFrame.from_dict(dict(t), orient="index")
    if not isinstance(t, pd.DataFrame):
        raise InputError(
            f"classes: a DataFrame indexed by class, or a mapping, got {type(t).__name__}",
            field="classes",
        )
    need = ["m2_per_person", LIMIT_COLUMNS[p.cost_unit]]
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
