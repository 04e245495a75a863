"""Depot data: the parameters of :class:`~erlocate.planning.depots.Depots` resolved on an instance.

:func:`resolve` checks the parameters against the instance (InputError) and
returns :class:`DepotData`, the arrays the prechecks, the MILP, the verifier
and the report all read (times in hours); :func:`rule_units` lists the units
the one-depot-per-unit rule applies to.
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
from erlocate.planning.depots.exclusions import site_exclusions
from erlocate.planning.depots.inputs import (
    category_and_tier_tables,
    contract_inputs,
    nonnegative,
    scenario_affected,
    scenario_needs,
    scenario_network,
    scenario_weights,
    site_labels,
)
from erlocate.planning.depots.params import DepotParams

__all__ = ["DepotData", "resolve", "rule_units"]

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
    #: The parameters as given.
    params: DepotParams
    #: The instance solved.
    instance: Instance

    def hours(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stored pairs of scenario ``s``: rows, sites, travel + handling hours."""
        net = self.nets[s]
        return (
            net.pair_rows,
            net.indices,
            net.costs * self.to_hours + self.handling[net.indices],
        )


def rule_units(d: DepotData) -> list[Any]:
    """The units that need depots of ``unit_tier`` (InputError for a unit with no site)."""
    if d.params.units_requiring is None or d.unit is None:
        return []
    if isinstance(d.params.units_requiring, str) and d.params.units_requiring == "all":
        return [u for u in pd.unique(d.unit) if not pd.isna(u)]
    want = list(d.params.units_requiring)
    unknown = [u for u in want if u not in set(d.unit)]
    if unknown:
        raise InputError(
            f"units_requiring: units {unknown} have no site (unit labels: "
            f"{sorted(map(str, pd.unique(d.unit)))[:8]})",
            field="units_requiring",
        )
    return want


def resolve(instance: Instance, **params: Any) -> DepotData:
    """Resolve the parameters of :class:`~erlocate.planning.depots.Depots` on ``instance``.

    ``params`` are the model's (:class:`DepotParams`); those that need no
    instance were checked at construction. Raises InputError naming the field.
    """
    p = DepotParams(**params)
    to_h = _MINUTES[p.cost_unit]
    cats, tiers = category_and_tier_tables(p.categories, p.tiers)
    names, affected = scenario_affected(p.affected, instance)
    prob = scenario_weights(p.probabilities, names)
    need_pp = scenario_needs(p.needs, cats, names)
    demand = affected[:, :, None] * need_pp[:, None, :]
    tier, cap, fixed, handling = _site_numbers(p, instance, tiers)
    unit = None
    if p.units_requiring is not None:
        unit = site_labels(p.unit, instance.site_frame, instance.site_ids, "unit", None)
    excluded, reason = site_exclusions(p, instance)
    _excluded_required(p, instance, excluded, reason)
    nets = _networks(p.scenario_costs, instance, names)
    contracts, c_cat, c_time = contract_inputs(
        p.contracts, p.supplier_travel, instance, cats.index, names, to_h
    )
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
        allowed=~excluded | instance.required,
        to_hours=to_h,
        contracts=contracts,
        c_cat=c_cat,
        c_cap=contracts["capacity"].to_numpy(float),
        c_retainer=contracts["retainer"].to_numpy(float),
        c_delivery=contracts["delivery_cost"].to_numpy(float),
        c_time=c_time,
        relief=float(p.relief_time),
        params=p,
        instance=instance,
    )


def _site_numbers(
    p: DepotParams, instance: Instance, tiers: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tier label, capacity, fixed cost and handling hours per site (the tier's by default)."""
    m, sids, sframe = instance.n_sites, instance.site_ids, instance.site_frame
    tier = site_labels(p.site_tier, sframe, sids, "site_tier", tiers.index)
    unknown = [t for t in pd.unique(tier) if t not in tiers.index]
    if unknown:
        at = sids[pd.Index(tier).isin(unknown)][:5].tolist()
        raise InputError(
            f"site_tier: unknown tier(s) {unknown} at sites {at}; known: {tiers.index.tolist()}",
            field="site_tier",
        )
    tpos = tiers.index.get_indexer(tier)
    if p.capacity is not None:
        cap = nonnegative(p.capacity, sframe, m, "capacity", "site_frame", inf=True, ids=sids)
    else:
        cap = np.where(
            np.isfinite(instance.capacities),
            instance.capacities,
            tiers["capacity"].to_numpy()[tpos],
        )
    if p.fixed_cost is not None:
        fixed = nonnegative(p.fixed_cost, sframe, m, "fixed_cost", "site_frame", ids=sids)
    elif instance.has_site_costs:
        fixed = np.asarray(instance.site_costs, dtype=float)
    else:
        fixed = tiers["fixed_cost"].to_numpy()[tpos]
    handling = (
        tiers["handling_time"].to_numpy()[tpos]
        if p.handling_time is None
        else nonnegative(p.handling_time, sframe, m, "handling_time", "site_frame", ids=sids)
    )
    return tier, cap, fixed, handling


def _excluded_required(
    p: DepotParams, instance: Instance, excluded: np.ndarray, reason: np.ndarray
) -> None:
    """An existing depot in an excluded area: InputError, or a warning with ``"keep"``."""
    bad = excluded & instance.required
    if not bad.any():
        return
    listed = ", ".join(f"{instance.site_ids[k]!r} ({reason[k]})" for k in np.flatnonzero(bad)[:5])
    if p.on_excluded_required == "error":
        raise InputError(
            f"required: existing depot(s) {listed} lie in excluded areas; drop them from "
            "required (plan to relocate), clear their exclusion, or pass "
            "on_excluded_required='keep' to keep them open with a warning",
            field="required",
        )
    # stacklevel: this, resolve, PlanningModel.data -> the model method that asked for the data
    warnings.warn(f"existing depot(s) {listed} lie in excluded areas; kept open", stacklevel=4)


def _networks(scenario_costs: Any, instance: Instance, names: list[str]) -> list[Instance]:
    """The travel network of each scenario: its ``scenario_costs`` matrix, else the instance."""
    sc = {} if scenario_costs is None else scenario_costs
    if not isinstance(sc, Mapping):
        sc = {nm: sc for nm in names}
    unknown = [k for k in sc if str(k) not in names]
    if unknown:
        raise InputError(
            f"scenario_costs: unknown scenarios {unknown}; known {names}", field="scenario_costs"
        )
    sc = {str(k): v for k, v in sc.items()}
    return [scenario_network(sc[nm], instance, nm) if nm in sc else instance for nm in names]
