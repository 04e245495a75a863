"""Shelter inputs: population, shares, classes, areas and capacities resolved into arrays.

:func:`resolve` validates a :class:`~erlocate.planning.shelters.Shelters`
model's parameters against an instance (InputError, naming the field) and
returns :class:`ShelterData`, everything a plan is built from and checked
against; :func:`fmt_amount` and :func:`fmt_communities` word the figures of
the messages the prechecks and the verifier share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.planning.inputs import by_label, column, floats
from erlocate.planning.shelters.defaults import LIMIT_COLUMNS
from erlocate.planning.shelters.params import ShelterParams, class_table

__all__ = ["ShelterData", "fmt_amount", "fmt_communities", "resolve"]


def fmt_amount(x: float) -> str:
    """A people / area figure for messages: 42,000 or 42,000.5."""
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-6 else f"{x:,.1f}"


def fmt_communities(k: int) -> str:
    """``"1 community"``, ``"3 communities"``."""
    return f"{k} communit{'y' if k == 1 else 'ies'}"


@dataclass(frozen=True, eq=False)
class ShelterData:
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
    #: Mask over instance pairs: allowed, and the community's largest load fits the
    #: shelter (the only pairs a single assignment can use).
    usable: np.ndarray
    params: ShelterParams
    #: The instance solved.
    instance: Instance


def resolve(instance: Instance, **params: Any) -> ShelterData:
    """The model's parameters resolved against ``instance`` (raises InputError).

    ``params`` are :class:`~erlocate.planning.shelters.Shelters`'s; those that
    need no instance were checked at construction.
    """
    p = ShelterParams(**params)
    _check_new(p, instance)
    pop = _population(p, instance)
    names, shares, people = _scenarios(p, instance, pop)
    cls, m2pp, limit = _site_classes(p, instance)
    area, cap = _capacity(p, instance, m2pp)
    hmax = people.max(axis=0)
    active = hmax > 0
    rows, cols = instance.pair_rows, instance.indices
    allowed = active[rows] & (instance.costs <= limit[cols])
    return ShelterData(
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
        usable=allowed & (hmax[rows] <= cap[cols] * (1 + 1e-12)),
        params=p,
        instance=instance,
    )


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


def _check_new(p: ShelterParams, instance: Instance) -> None:
    """The parameters checked against the instance (``exact_new`` vs the candidate sites)."""
    n_cand = int((~instance.required).sum())
    if p.new is not None and p.exact_new and p.new > n_cand:
        raise InputError(
            f"new: cannot open exactly {p.new} new shelters with {n_cand} candidate sites",
            field="new",
        )


def _population(p: ShelterParams, instance: Instance) -> np.ndarray:
    """Residents per community (``population`` or ``instance.weights``), >= 0."""
    pop = instance.weights if p.population is None else p.population
    pop = _values(pop, instance.demand_frame, instance, "population", "demand_frame")
    if (pop < 0).any():
        k = np.flatnonzero(pop < 0)
        raise InputError(
            f"population: must be >= 0; negative for {instance.demand_ids[k[:5]].tolist()}",
            field="population",
        )
    return pop


def _scenarios(
    p: ShelterParams, instance: Instance, pop: np.ndarray
) -> tuple[list[str], list[float | None], np.ndarray]:
    """Scenario names, their scalar shares (None: per community) and people (S, n) to shelter."""
    raw = p.share if isinstance(p.share, Mapping) else {"base": p.share}
    if not raw:
        raise InputError("share: the scenario mapping is empty", field="share")
    names: list[str] = []
    shares: list[float | None] = []
    people: list[np.ndarray] = []
    for name, value in raw.items():
        a = _values(value, instance.demand_frame, instance, "share", "demand_frame")
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
    return names, shares, np.vstack(people)


def _site_classes(
    p: ShelterParams, instance: Instance
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class label, m² per person and walking limit (``inf``: none) per site."""
    m, sframe = instance.n_sites, instance.site_frame
    table = class_table(p)
    cls = p.site_class
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
    limit = pd.to_numeric(table[LIMIT_COLUMNS[p.cost_unit]]).to_numpy(float)[pos]
    return cls, m2pp, np.where(np.isnan(limit), np.inf, limit)


def _capacity(
    p: ShelterParams, instance: Instance, m2pp: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    """Usable area per site (None: not given) and capacity in people per site."""
    if p.area is None:
        if not np.isfinite(instance.capacities).any():
            raise InputError(
                "area: no shelter capacity given; pass area= (usable m² per site: an array or a "
                "site_frame column) or build the instance with capacities= (people per site)",
                field="area",
            )
        return None, np.asarray(instance.capacities, dtype=float)
    area = _values(p.area, instance.site_frame, instance, "area", "site_frame")
    if (area < 0).any():
        k = np.flatnonzero(area < 0)
        raise InputError(
            f"area: usable area must be >= 0 m²; negative at sites "
            f"{instance.site_ids[k[:5]].tolist()} (e.g. {area[k[0]]:g})",
            field="area",
        )
    return area, area / m2pp
