"""What a simulation runs on: the plan's units, arrival rates, the standard and service times.

:func:`resolve` turns the arguments of :func:`erlocate.simulate` into a
:class:`Scenario` of arrays aligned with the instance, refusing bad input with
an :class:`~erlocate.errors.InputError` that names the argument. Nothing here
draws a random number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.inputs import show_ids, vector
from erlocate.instance import Instance
from erlocate.params import choice, number
from erlocate.plan import Plan
from erlocate.planning.inputs import by_label, column, real_array
from erlocate.result import Result

__all__ = [
    "Sampler",
    "Scenario",
    "checked",
    "resolve_plan",
    "resolve_rates",
    "resolve_service",
    "resolve_standard",
    "resolve_units",
    "resolve_zones",
]

#: Draws ``size`` busy times with a numpy ``Generator``.
Sampler = Callable[[np.random.Generator, int], np.ndarray]


@dataclass(frozen=True)
class Scenario:
    """The resolved inputs of one simulation (arrays in the instance's order).

    Attributes
    ----------
    instance : Instance
        Demand points, sites and travel costs.
    units : numpy.ndarray of int
        Units stationed per site.
    units_from : str
        Where ``units`` came from, in words (for the summary).
    rates : numpy.ndarray
        Arrival rate per demand point (incidents per time unit).
    standard, turnout : float
        The response standard and the time added to every response before travel.
    service : Sampler
        Draws busy times; ``service_mean`` is their mean (None when unknown).
    service_label : str
        The service-time distribution in words.
    busy_travel : float
        Multiple of the travel time added to a unit's busy time.
    zones : pandas.Series or None
        Zone label per demand point (index = demand ids).
    """

    instance: Instance
    units: np.ndarray
    units_from: str
    rates: np.ndarray
    standard: float
    turnout: float
    service: Sampler
    service_mean: float | None
    service_label: str
    busy_travel: float
    zones: pd.Series | None

    @property
    def limit(self) -> float:
        """Largest travel cost within the standard (with a 1e-9 relative rounding slack)."""
        return self.standard - self.turnout + 1e-9 * max(1.0, self.standard)

    @property
    def load(self) -> float | None:
        """Offered load per unit, total rate × mean service time / units (None if unknown)."""
        if self.service_mean is None:
            return None
        return float(self.rates.sum()) * self.service_mean / int(self.units.sum())


def resolve_plan(plan: Any, instance: Any) -> tuple[Plan, Instance, Any]:
    """The plan, the instance it is simulated on, and the model (None for a bare plan)."""
    model = None
    if isinstance(plan, Result):
        if plan.plan is None:
            raise InputError(
                f"plan: the result has no plan (status {plan.status!r}); simulate a solved result",
                field="plan",
            )
        model, base = plan.model, plan.instance
        if instance is None:
            instance = base
        elif isinstance(instance, Instance) and not instance.site_ids.equals(base.site_ids):
            raise InputError(
                "instance: its site ids differ from those the result was solved on; pass an "
                "instance over the same sites (e.g. the same sites on other roads)",
                field="instance",
            )
        plan = plan.plan
    elif not isinstance(plan, Plan):
        raise InputError(
            f"plan: expected an erlocate.Result or an erlocate.plan.Plan, got "
            f"{type(plan).__name__}",
            field="plan",
        )
    if not isinstance(instance, Instance):
        raise InputError(
            f"instance: expected an erlocate.Instance (required with a bare Plan), got "
            f"{type(instance).__name__}",
            field="instance",
        )
    if np.asarray(plan.open).shape != (instance.n_sites,):
        raise InputError(
            f"plan: has {np.asarray(plan.open).size} site flags, the instance "
            f"{instance.n_sites} sites",
            field="plan",
        )
    return plan, instance, model


def _counts(value: Any, instance: Instance, field: str) -> np.ndarray:
    """Units per site from a mapping / Series (site id -> count) or an array in site order."""
    m = instance.n_sites
    if isinstance(value, Mapping) or isinstance(value, pd.Series):
        items = value if isinstance(value, pd.Series) else pd.Series(dict(value), dtype=object)
        pos = instance.site_ids.get_indexer(items.index)
        if (pos < 0).any():
            bad = items.index[pos < 0]
            raise InputError(f"{field}: unknown site ids {show_ids(bad[:20])}", field=field)
        arr = np.zeros(m)
        arr[pos] = real_array(items.to_numpy(), field)
    else:
        arr = real_array(value, field)
        if arr.shape != (m,):
            raise InputError(
                f"{field}: expected one count per site ({m}) or a mapping site id -> count, "
                f"got shape {arr.shape}",
                field=field,
            )
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        k = np.flatnonzero(bad)
        raise InputError(
            f"{field}: counts must be whole numbers >= 0; not so at sites "
            f"{show_ids(instance.site_ids[k[:20]])} (e.g. {arr[k[0]]!r})",
            field=field,
        )
    return arr.astype(np.int64)


def resolve_units(units: Any, plan: Plan, model: Any, instance: Instance) -> tuple[np.ndarray, str]:
    """Units per site and where they came from.

    ``units`` wins; else the plan's ``units`` (a units model's plan); else, for a
    fire-station plan, the engines of each station's type; else one per open site.
    """
    open_ = np.asarray(plan.open, dtype=bool)
    engines = _engines(plan, model)
    if units is not None:
        counts, source = _counts(units, instance, "units"), "units="
    elif getattr(plan, "units", None) is not None:
        counts, source = _counts(plan.units, instance, "units"), "the plan's units"  # type: ignore[attr-defined]
    elif engines is not None:
        counts, source = engines, "the engines of each station's type"
    else:
        counts, source = open_.astype(np.int64), "one unit per open site"
    closed = np.flatnonzero((counts > 0) & ~open_)
    if closed.size:
        raise InputError(
            f"units: units at sites the plan does not open: "
            f"{show_ids(instance.site_ids[closed[:20]])}; station units at open sites only",
            field="units",
        )
    if counts.sum() == 0:
        raise InputError(
            "units: no unit anywhere (the plan opens no site, or every count is 0)", field="units"
        )
    counts.setflags(write=False)
    return counts, source


def _engines(plan: Plan, model: Any) -> np.ndarray | None:
    """Engines per site of a fire-station plan (its type's ``engines``), else None."""
    kind = getattr(plan, "station_type", None)
    types = getattr(model, "types", None)
    if kind is None or not isinstance(types, pd.DataFrame) or "engines" not in types.columns:
        return None
    kind = np.asarray(kind, dtype=np.int64)
    engines = types["engines"].to_numpy(dtype=float)[np.maximum(kind, 0)]
    return np.where(kind >= 0, engines, 0.0).astype(np.int64)


def resolve_rates(rate: Any, instance: Instance) -> np.ndarray:
    """Arrival rate per demand point: a total spread by the weights, or one per point."""
    if rate is None:
        raise InputError(
            "rate: required — the total arrival rate (incidents per time unit of the costs, "
            "spread over the demand points by their weights) or one rate per demand point",
            field="rate",
        )
    if np.ndim(rate) == 0 and not isinstance(rate, Mapping):
        total = number(rate, "rate", minimum=0.0, strict=True)
        w = np.asarray(instance.weights, dtype=float)
        return total * w / w.sum()
    rates = np.array(vector(rate, instance.demand_ids, "rate", 0.0))
    if not rates.sum() > 0:
        raise InputError("rate: every per-point rate is 0; no incident would arise", field="rate")
    return rates


def resolve_service(service_time: Any, distribution: str) -> tuple[Sampler, float | None, str]:
    """The busy-time sampler, its mean (None if unknown) and a label."""
    choice(distribution, "service", ("exponential", "constant"))
    if hasattr(service_time, "rvs") and hasattr(service_time, "mean"):
        dist = service_time

        def from_dist(rng: np.random.Generator, size: int) -> np.ndarray:
            return np.asarray(dist.rvs(size=size, random_state=rng), dtype=float)

        return checked(from_dist), float(dist.mean()), "a scipy.stats distribution"
    if callable(service_time):
        return checked(service_time), None, "a callable"
    mean = number(service_time, "service_time", minimum=0.0, strict=True)
    if distribution == "constant":
        return (lambda rng, size: np.full(size, mean)), mean, f"constant {mean:g}"

    def exponential(rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(mean, size)

    return exponential, mean, f"exponential, mean {mean:g}"


def checked(draw: Sampler) -> Sampler:
    """``draw`` with its output checked: ``size`` finite numbers >= 0."""

    def sample(rng: np.random.Generator, size: int) -> np.ndarray:
        out = real_array(draw(rng, size), "service_time")
        if out.shape != (size,) or not np.isfinite(out).all() or (out < 0).any():
            raise InputError(
                f"service_time: the sampler must return {size} finite numbers >= 0 for "
                f"size={size}; got shape {out.shape}"
                + (f", min {out.min():g}" if out.size else ""),
                field="service_time",
            )
        return out

    return sample


def resolve_zones(zones: Any, instance: Instance) -> pd.Series | None:
    """Zone label per demand point, from a demand_frame column or labels, else None."""
    if zones is None:
        return None
    ids = instance.demand_ids
    if isinstance(zones, str):
        col = column(
            instance.demand_frame,
            zones,
            "zones",
            "demand_frame",
            absent=" (the instance has no demand_frame)",
            advice="; pass one label per demand point or a mapping demand id -> label",
        )
        values = np.asarray(col.reindex(ids).to_numpy(), dtype=object)
    elif isinstance(zones, Mapping):
        values = np.asarray(by_label(pd.Series(dict(zones), dtype=object), ids, "zones"))
    else:
        values = np.asarray(by_label(zones, ids, "zones"), dtype=object)
    if values.shape != (len(ids),):
        raise InputError(
            f"zones: expected one label per demand point ({len(ids)}), got shape {values.shape}",
            field="zones",
        )
    missing = pd.isna(values)
    if missing.any():
        raise InputError(
            f"zones: no label for demand points {show_ids(ids[missing][:20])}; label every point",
            field="zones",
        )
    return pd.Series(values, index=ids, name="zone")


def resolve_standard(standard: Any, turnout: Any, model: Any) -> tuple[float, float]:
    """The response standard and the turnout time.

    ``turnout`` defaults to the model's (a fire-station model's turnout) or 0;
    ``standard`` to a covering model's ``max_cost`` + ``turnout``, so that the
    units within the standard are the sites the model counts as covering.
    """
    if turnout is None:
        turnout = getattr(model, "turnout", None)
        turnout = 0.0 if turnout is None else turnout
    t = number(turnout, "turnout", minimum=0.0)
    if standard is None:
        max_cost = getattr(model, "max_cost", None)
        if not getattr(model, "covering", False) or max_cost is None:
            raise InputError(
                "standard: required — the response standard in the costs' unit (turnout + "
                "travel); it defaults to max_cost (+ turnout) only for a covering model's result",
                field="standard",
            )
        standard = float(max_cost) + t
    s = number(standard, "standard", minimum=0.0)
    if s < t:
        raise InputError(
            f"standard: {s:g} is below the turnout {t:g}, so no response could meet it",
            field="standard",
        )
    return s, t
