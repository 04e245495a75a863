"""Several units per site: the plan, the ``units`` block and the checks MEXCLP and MALP share.

A unit (an ambulance, an engine) is busy part of the time, so the models of
concurrent incidents place *units*, several at one site if that pays. The plan
is a :class:`UnitPlan`: a :class:`~erlocate.plan.Plan` that also says how many
units stand at each site. Everything that checks a plan here reads only the
:class:`~erlocate.instance.Instance` and the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError, InputError
from erlocate.inputs import show_ids, vector
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.params import integer, number
from erlocate.plan import Plan, nearest_open

__all__ = [
    "UnitPlan",
    "add_units",
    "busy_fraction",
    "check_unit_caps",
    "check_units",
    "decode_units",
    "encode_units",
    "plan_units",
    "unit_caps",
    "unit_counts",
]


@dataclass(frozen=True, eq=False)
class UnitPlan(Plan):
    """A :class:`~erlocate.plan.Plan` whose sites hold a number of units.

    ``units[j]`` is the number of units stationed at site ``j`` (0 where
    closed), and ``open == (units > 0)``. Each demand point is allocated
    wholly to its nearest open site (see :meth:`from_units`), the station a
    dispatcher would send the first unit from. :attr:`Result.sites
    <erlocate.result.Result.sites>` shows the counts (:meth:`site_columns`).
    """

    units: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def site_columns(self) -> dict[str, np.ndarray]:
        """Extra per-site columns of ``Result.sites``: ``units``."""
        return {"units": np.asarray(self.units)}

    @classmethod
    def from_units(cls, instance: Instance, units: np.ndarray) -> UnitPlan:
        """The plan with ``units`` per site, each demand point at its nearest open site."""
        counts = np.asarray(units, dtype=np.int64).copy()
        open_ = counts > 0
        site, _ = nearest_open(instance, open_)
        idx = np.flatnonzero(site >= 0)
        return cls(open_, idx, site[idx], np.ones(idx.size), counts)


def plan_units(plan: Plan) -> np.ndarray:
    """Units per site of ``plan``: its ``units`` if it has them, else one per open site."""
    units = getattr(plan, "units", None)
    if units is None or np.asarray(units).shape != np.asarray(plan.open).shape:
        return np.asarray(plan.open, dtype=bool).astype(np.int64)
    return np.asarray(units)


def busy_fraction(total_rate: float, mean_service: float, units: int) -> float:
    r"""Daskin's system-wide busy fraction :math:`q = \lambda\,E[S] / P`.

    The expected number of busy units (calls per time unit × mean time a call
    holds a unit, in the same time unit) shared over the ``units`` units.

    Parameters
    ----------
    total_rate : float
        Calls per time unit over the whole area (>= 0).
    mean_service : float
        Mean time one call keeps a unit busy (travel, on scene, return), in the
        time unit of ``total_rate`` (>= 0).
    units : int
        Number of units P (>= 1).

    Returns
    -------
    float
        q in [0, 1).

    Raises
    ------
    InputError
        A bad argument, or a workload of ``units`` or more (q >= 1: the units
        cannot keep up, and no busy fraction describes the system).

    Examples
    --------
    >>> busy_fraction(total_rate=2.0, mean_service=1.5, units=6)
    0.5
    """
    rate = number(total_rate, "total_rate", minimum=0.0)
    service = number(mean_service, "mean_service", minimum=0.0)
    n = integer(units, "units", minimum=1, hint="the number of units P")
    q = rate * service / n
    if q >= 1.0:
        raise InputError(
            f"units: a workload of {rate * service:g} busy units (rate {rate:g} × service "
            f"{service:g}) needs more than {n} units; the busy fraction would be {q:g} >= 1",
            field="units",
        )
    return q


def check_unit_caps(value: Any) -> None:
    """``max_units_per_site`` at construction: None, an integer >= 1, or integers >= 0 per site."""
    if value is None:
        return
    if np.ndim(value) == 0 and not isinstance(value, (pd.Series, dict)):
        integer(value, "max_units_per_site", minimum=1, hint="units one site can hold")
        return
    raw = value.to_numpy() if isinstance(value, pd.Series) else value
    raw = list(raw.values()) if isinstance(raw, dict) else raw
    try:
        arr = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise InputError(
            "max_units_per_site: must be None, an integer, or one integer per site",
            field="max_units_per_site",
        ) from None
    if arr.ndim != 1 or not np.isfinite(arr).all() or (arr < 0).any() or (arr % 1).any():
        raise InputError(
            "max_units_per_site: per-site caps must be finite integers >= 0 (0 closes a site)",
            field="max_units_per_site",
        )


def unit_caps(value: Any, instance: Instance, p: int) -> np.ndarray:
    """The most units each site may hold (``p`` where uncapped), checked against the instance.

    A Series or mapping is aligned by site id, an array taken in site order.
    Raises InputError for a required site capped at 0 or more required sites
    than units, and InfeasibleError when the caps cannot hold ``p`` units.
    """
    if value is None or (np.ndim(value) == 0 and not isinstance(value, (pd.Series, dict))):
        cap = p if value is None else min(int(value), p)
        caps = np.full(instance.n_sites, cap, dtype=np.int64)
    else:
        caps = np.minimum(vector(value, instance.site_ids, "max_units_per_site", 0.0), p)
        caps = caps.astype(np.int64)
    n_req = int(instance.required.sum())
    if n_req > p:
        raise InputError(
            f"p: {n_req} sites are required (each keeps at least one unit) but p = {p}; raise p "
            f"to at least {n_req} or drop required sites",
            field="required",
        )
    shut = np.flatnonzero(instance.required & (caps < 1))
    if shut.size:
        raise InputError(
            f"max_units_per_site: required sites {show_ids(instance.site_ids[shut])} are capped "
            "at 0 units; allow them at least one",
            field="max_units_per_site",
        )
    if int(caps.sum()) < p:
        raise InfeasibleError(
            f"the sites hold at most {int(caps.sum())} units in all (max_units_per_site), "
            f"fewer than p = {p}; raise the caps or lower p"
        )
    return caps


def unit_counts(instance: Instance, units: np.ndarray, max_cost: float) -> np.ndarray:
    """Number of units within ``max_cost`` of each demand point (from the input costs)."""
    ok = instance.costs <= max_cost
    weights = np.asarray(units, dtype=float)[instance.indices[ok]]
    counts = np.bincount(instance.pair_rows[ok], weights=weights, minlength=instance.n_demand)
    return np.round(counts).astype(np.int64)


def add_units(b: MilpBuilder, instance: Instance, caps: np.ndarray) -> np.ndarray:
    """Integer columns ``units`` x_j in [1 if required else 0, cap_j], and sum_j x_j = p is the
    caller's (:func:`erlocate.models.blocks.add_count`)."""
    return b.add_cols(
        "units",
        instance.n_sites,
        lb=instance.required.astype(float),
        ub=caps.astype(float),
        integer=True,
    )


def decode_units(instance: Instance, milp: Milp, x: np.ndarray) -> UnitPlan:
    """The :class:`UnitPlan` of a solver vector (unit counts rounded to integers)."""
    counts = np.round(milp.block(x, "units")).astype(np.int64)
    return UnitPlan.from_units(instance, np.maximum(counts, 0))


def encode_units(milp: Milp, plan: Plan) -> np.ndarray:
    """A column vector holding ``plan``'s units (one per open site for a plain Plan);
    the caller fills its other blocks."""
    x = np.zeros(milp.n_cols)
    x[milp.col_blocks["units"]] = plan_units(plan).astype(float)
    return x


def check_units(instance: Instance, plan: Plan, p: int, caps: np.ndarray) -> list[str]:
    """Every rule on the units re-checked: integers >= 0, ``open == units > 0``, p in all,
    caps kept, required sites holding a unit. One message per breach."""
    units = getattr(plan, "units", None)
    if units is None:
        return ["plan holds no unit counts (expected a UnitPlan with .units)"]
    units = np.asarray(units)
    out: list[str] = []
    if units.shape != (instance.n_sites,):
        return [f"plan has {units.shape} unit counts for {instance.n_sites} sites"]
    if not np.issubdtype(units.dtype, np.number) or not np.isfinite(units).all():
        return [f"unit counts are not finite numbers (dtype {units.dtype})"]
    frac = np.flatnonzero(units != np.round(units))
    if frac.size:
        out.append(f"fractional unit counts at sites {show_ids(instance.site_ids[frac])}")
    neg = np.flatnonzero(units < 0)
    if neg.size:
        out.append(f"negative unit counts at sites {show_ids(instance.site_ids[neg])}")
    off = np.flatnonzero(np.asarray(plan.open, dtype=bool) != (units > 0))
    if off.size:
        out.append(
            f"open flags disagree with the unit counts at sites {show_ids(instance.site_ids[off])}"
        )
    total = float(units.sum())
    if total != p:
        out.append(f"{total:g} units placed, expected p = {p}")
    over = np.flatnonzero(units > caps)
    if over.size:
        each = ", ".join(f"{instance.site_ids[j]!r} ({units[j]:g} > {caps[j]})" for j in over)
        out.append(f"max_units_per_site exceeded at {over.size} sites: {each}")
    bare = np.flatnonzero(instance.required & (units < 1))
    if bare.size:
        out.append(f"required sites without a unit: {show_ids(instance.site_ids[bare])}")
    return out
