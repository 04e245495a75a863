"""Depot data: a :class:`~erlocate.planning.depots.Depots` model resolved against an instance.

:func:`prepare` checks the model's parameters (InputError) and returns
:class:`DepotData`, the arrays the MILP, the prechecks, the verifier and the
report all read (times in hours).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.planning.depots.exclusions import _exclusions
from erlocate.planning.depots.inputs import (
    _contracts,
    _labels,
    _needs,
    _net,
    _num,
    _probabilities,
    _scenarios,
    category_and_tier_tables,
)

__all__ = ["DepotData", "prepare"]

_MINUTES = {"minutes": 1.0 / 60.0, "hours": 1.0}


@dataclass(frozen=True, eq=False)
class DepotData:
    """A Depots model's inputs resolved against an instance (all times in hours)."""

    cats: pd.Index  # category names (K)
    cat_table: pd.DataFrame
    space: np.ndarray  # (K) space per unit
    holding: np.ndarray  # (K) holding cost per unit
    scen: list[str]  # scenario names (S)
    prob: np.ndarray  # (S)
    need_pp: np.ndarray  # (S, K) units per affected person
    affected: np.ndarray  # (S, n)
    demand: np.ndarray  # (S, n, K) units needed
    nets: list[Instance]  # travel network per scenario (instance cost unit)
    tier: np.ndarray  # (m) tier label per site
    tier_table: pd.DataFrame
    cap: np.ndarray  # (m) space units, inf = none
    fixed: np.ndarray  # (m)
    handling: np.ndarray  # (m) hours
    unit: np.ndarray | None  # (m) unit label per site
    excluded: np.ndarray  # (m) bool (required excluded sites kept open with on_excluded="keep")
    reason: np.ndarray  # (m) exclusion reason
    allowed: np.ndarray  # (m) may open
    to_hours: float
    contracts: pd.DataFrame  # supplier, category, capacity, retainer, delivery_cost, lead_time
    c_cat: np.ndarray  # (C) category position
    c_cap: np.ndarray
    c_retainer: np.ndarray
    c_delivery: np.ndarray
    c_time: list[np.ndarray]  # per scenario (n, C): hours from call to delivery
    relief: float

    def hours(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stored pairs of scenario ``s``: rows, sites, travel + handling hours."""
        net = self.nets[s]
        return (
            net.pair_rows,
            net.indices,
            net.costs * self.to_hours + self.handling[net.indices],
        )

    def usable(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of scenario ``s`` a depot may serve: allowed site, within the relief time."""
        rows, cols, hrs = self.hours(s)
        ok = self.allowed[cols] & (hrs <= self.relief * (1 + 1e-12))
        return rows[ok], cols[ok], self.nets[s].costs[ok] * self.to_hours


def prepare(model: Any, instance: Instance) -> DepotData:
    """Resolve a Depots model's parameters against ``instance`` (raises InputError)."""
    to_h = _MINUTES[model.cost_unit]
    m, sids = instance.n_sites, instance.site_ids
    sframe = instance.site_frame

    cats, tiers = category_and_tier_tables(model.categories, model.tiers)
    names, affected = _scenarios(model, instance)
    prob = _probabilities(model.probabilities, names)
    need_pp = _needs(model, cats, names)
    demand = affected[:, :, None] * need_pp[:, None, :]

    tier = _labels(model.site_tier, sframe, instance.site_ids, "site_tier", tiers.index)
    unknown = [t for t in pd.unique(tier) if t not in tiers.index]
    if unknown:
        at = instance.site_ids[pd.Index(tier).isin(unknown)][:5].tolist()
        raise InputError(
            f"site_tier: unknown tier(s) {unknown} at sites {at}; known: {tiers.index.tolist()}",
            field="site_tier",
        )
    tpos = tiers.index.get_indexer(tier)
    if model.capacity is not None:
        cap = _num(model.capacity, sframe, m, "capacity", "site_frame", inf=True, ids=sids)
    else:
        cap = np.where(
            np.isfinite(instance.capacities),
            instance.capacities,
            tiers["capacity"].to_numpy()[tpos],
        )
    if model.fixed_cost is not None:
        fixed = _num(model.fixed_cost, sframe, m, "fixed_cost", "site_frame", ids=sids)
    elif instance.has_site_costs:
        fixed = np.asarray(instance.site_costs, dtype=float)
    else:
        fixed = tiers["fixed_cost"].to_numpy()[tpos]
    handling = (
        tiers["handling_time"].to_numpy()[tpos]
        if model.handling_time is None
        else _num(model.handling_time, sframe, m, "handling_time", "site_frame", ids=sids)
    )
    unit = None
    if model.units_requiring is not None:
        unit = _labels(model.unit, sframe, instance.site_ids, "unit", None)

    excluded, reason = _exclusions(model, instance)
    bad = excluded & instance.required
    if bad.any():
        listed = ", ".join(
            f"{instance.site_ids[k]!r} ({reason[k]})" for k in np.flatnonzero(bad)[:5]
        )
        if model.on_excluded_required == "error":
            raise InputError(
                f"required: existing depot(s) {listed} lie in excluded areas; drop them from "
                "required (plan to relocate), clear their exclusion, or pass "
                "on_excluded_required='keep' to keep them open with a warning",
                field="required",
            )
        warnings.warn(f"existing depot(s) {listed} lie in excluded areas; kept open", stacklevel=3)
    allowed = ~excluded | instance.required

    nets = []
    sc = {} if model.scenario_costs is None else model.scenario_costs
    if not isinstance(sc, Mapping):
        sc = {nm: sc for nm in names}
    unknown = [k for k in sc if str(k) not in names]
    if unknown:
        raise InputError(
            f"scenario_costs: unknown scenarios {unknown}; known {names}", field="scenario_costs"
        )
    sc = {str(k): v for k, v in sc.items()}
    for nm in names:
        nets.append(_net(sc[nm], instance, nm) if nm in sc else instance)

    contracts, c_cat, c_time = _contracts(model, instance, cats.index, names, to_h)
    return DepotData(
        cats=cats.index,
        cat_table=cats,
        space=cats["space_per_unit"].to_numpy(float),
        holding=cats["holding_cost"].to_numpy(float),
        scen=names,
        prob=prob,
        need_pp=need_pp,
        affected=affected,
        demand=demand,
        nets=nets,
        tier=tier,
        tier_table=tiers,
        cap=cap,
        fixed=fixed,
        handling=handling,
        unit=unit,
        excluded=excluded,
        reason=reason,
        allowed=allowed,
        to_hours=to_h,
        contracts=contracts,
        c_cat=c_cat,
        c_cap=contracts["capacity"].to_numpy(float),
        c_retainer=contracts["retainer"].to_numpy(float),
        c_delivery=contracts["delivery_cost"].to_numpy(float),
        c_time=c_time,
        relief=float(model.relief_time),
    )
