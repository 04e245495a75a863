"""Depot prechecks: tier and unit rules, reach within the relief time, capacity.

:func:`rule_units` lists the units the unit rule applies to (InputError for
units with no site); :func:`precheck` raises InfeasibleError, with the numbers, for requests the
data cannot meet, before any solver runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.errors import InfeasibleError, InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import MilpBuilder
from erlocate.planning.depots.data import DepotData

__all__ = ["add_rule_rows", "precheck", "rule_units"]


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-6 else f"{x:,.2f}"


def rule_units(model: Any, d: DepotData) -> list[Any]:
    """The units that need depots of ``model.unit_tier``."""
    if model.units_requiring is None:
        return []
    if isinstance(model.units_requiring, str) and model.units_requiring == "all":
        return [u for u in pd.unique(d.unit) if not pd.isna(u)]
    want = list(model.units_requiring)
    unknown = [u for u in want if u not in set(d.unit)]
    if unknown:
        raise InputError(
            f"units_requiring: units {unknown} have no site (unit labels: "
            f"{sorted(map(str, pd.unique(d.unit)))[:8]})",
            field="units_requiring",
        )
    return want


def add_rule_rows(b: MilpBuilder, model: Any, d: DepotData, x: np.ndarray) -> None:
    """The tier rules (at least ``min_per_tier``) and the unit rule as one row block."""
    rows, cols, lbs, ubs = [], [], [], []
    groups = [(d.tier == t, k, np.inf) for t, k in model.min_per_tier.items()]
    hi = np.inf if model.max_per_unit is None else model.max_per_unit
    groups += [
        ((d.unit == u) & (d.tier == model.unit_tier), model.min_per_unit, hi)
        for u in rule_units(model, d)
    ]
    for q, (mask, lo, up) in enumerate(groups):
        js = np.flatnonzero(mask)
        rows.append(np.full(js.size, q))
        cols.append(x[js])
        lbs.append(lo)
        ubs.append(up)
    if groups:
        b.add_rows(
            "tier_rules",
            rows=np.concatenate(rows),
            cols=np.concatenate(cols),
            vals=1.0,
            lb=np.array(lbs, float),
            ub=np.array(ubs, float),
            n_rows=len(groups),
        )


def precheck(model: Any, instance: Instance, d: DepotData) -> None:
    """Raise InfeasibleError, with the numbers, for requests the data cannot meet."""
    sids, ids = instance.site_ids, instance.demand_ids

    def why(mask: np.ndarray) -> str:
        ex = np.flatnonzero(mask & d.excluded)
        return (
            f" ({ex.size} excluded: "
            + ", ".join(f"{sids[k]!r} {d.reason[k]}" for k in ex[:3])
            + ")"
            if ex.size
            else ""
        )

    for t, k in model.min_per_tier.items():
        have = int((d.allowed & (d.tier == t)).sum())
        if have < k:
            raise InfeasibleError(
                f"at least {k} open '{t}' depot(s) required, but only {have} usable candidate "
                f"site(s) of that tier{why(d.tier == t)}; add sites of tier '{t}' or lower "
                "min_per_tier"
            )
    for u in rule_units(model, d):
        in_u = (d.unit == u) & (d.tier == model.unit_tier)
        have, req = int((in_u & d.allowed).sum()), int((in_u & instance.required).sum())
        if have < model.min_per_unit:
            raise InfeasibleError(
                f"unit {u!r} needs {model.min_per_unit} '{model.unit_tier}' depot(s) but has "
                f"{have} usable candidate site(s){why(in_u)}; add a site of tier "
                f"'{model.unit_tier}' in {u!r} or drop it from units_requiring"
            )
        if model.max_per_unit is not None and req > model.max_per_unit:
            raise InfeasibleError(
                f"unit {u!r} has {req} existing '{model.unit_tier}' depots but max_per_unit = "
                f"{model.max_per_unit}; raise max_per_unit"
            )
    T = d.relief
    for s, name in enumerate(d.scen):
        rows, cols, hrs = d.hours(s)
        ok = d.allowed[cols]
        best = np.full(instance.n_demand, np.inf)
        np.minimum.at(best, rows[ok], hrs[ok])
        ct = d.c_time[s]
        cbest = ct.min(axis=1) if ct.shape[1] else np.full(instance.n_demand, np.inf)
        by_depot = best <= T * (1 + 1e-12)
        need = d.demand[s]
        carried = np.zeros((instance.n_demand, d.cats.size), dtype=bool)
        for c in np.flatnonzero((ct <= T * (1 + 1e-12)).any(axis=0)):
            carried[:, d.c_cat[c]] |= ct[:, c] <= T * (1 + 1e-12)
        lost = (need > 0) & ~by_depot[:, None] & ~carried
        bad = np.flatnonzero(lost.any(axis=1))
        if bad.size:

            def h(v: float) -> str:
                return f"{v:.3g} h" if np.isfinite(v) else "none"

            lst = ", ".join(
                f"{ids[i]!r} (nearest usable depot {h(best[i])}, contracts {h(cbest[i])})"
                for i in bad[:10]
            )
            cats = d.cats[lost[bad].any(axis=0)].tolist()
            raise InfeasibleError(
                f"scenario {name!r}: {bad.size} affected communit(ies) cannot be supplied "
                f"within the relief time of {T:g} h by any usable depot site or contract "
                f"(travel + handling, or lead time): {lst}"
                + (f" and {bad.size - 10} more" if bad.size > 10 else "")
                + f"; categories {cats[:5]}; demand ids {show_ids(ids[bad])}. Serve the rest "
                "with instance.drop_demand(ids) (results then list them as dropped), add depot "
                "sites or contracts near them, or raise relief_time"
            )
    _capacity_prechecks(instance, d)


def _capacity_prechecks(instance: Instance, d: DepotData) -> None:
    cap_all = float(d.cap[d.allowed].sum())
    n_sites = int(d.allowed.sum())
    totals = d.demand.sum(axis=1)  # (S, K)
    peak_s = totals.argmax(axis=0)
    peak = totals.max(axis=0)
    ccap = np.bincount(d.c_cat, weights=d.c_cap, minlength=d.cats.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        units = np.where(d.space > 0, cap_all / d.space, np.inf)
    short = np.flatnonzero(peak > (units + ccap) * (1 + 1e-9) + 1e-9)
    if short.size:
        k = short[0]
        raise InfeasibleError(
            f"category {d.cats[k]!r}: peak need {_fmt(peak[k])} units (scenario "
            f"{d.scen[peak_s[k]]!r}) exceeds what the {n_sites} usable sites can stock "
            f"({_fmt(units[k])} units = {_fmt(cap_all)} m³ / {d.space[k]:g} m³ per unit) "
            f"plus contracted capacity ({_fmt(ccap[k])} units): {_fmt(units[k] + ccap[k])} "
            "units; add depot capacity or contracts"
        )
    space = float(np.sum(d.space * np.maximum(peak - ccap, 0.0)))
    if space > cap_all * (1 + 1e-9) + 1e-9:
        raise InfeasibleError(
            f"the peak need of every category beyond contracted capacity takes "
            f"{_fmt(space)} m³ of stock, but the {n_sites} usable sites hold {_fmt(cap_all)} "
            "m³ in all; add depot capacity or contracts"
        )
    T = d.relief * (1 + 1e-12)
    for s, name in enumerate(d.scen):
        rows, cols, hrs = d.hours(s)
        ok = d.allowed[cols] & (hrs <= T)
        B = sp.csr_array(
            (np.ones(int(ok.sum())), (rows[ok], cols[ok])),
            shape=(instance.n_demand, instance.n_sites),
        )
        reach_cap = B @ np.where(np.isfinite(d.cap), d.cap, 1e300)
        with np.errstate(divide="ignore", invalid="ignore"):
            units = np.where(d.space > 0, reach_cap[:, None] / d.space[None, :], np.inf)
        cin = (d.c_time[s] <= T).astype(float)
        ccap_i = (
            cin
            @ sp.csr_array(
                (d.c_cap, (np.arange(d.c_cap.size), d.c_cat)), shape=(d.c_cap.size, d.cats.size)
            ).toarray()
        )
        over = d.demand[s] > (units + ccap_i) * (1 + 1e-9) + 1e-9
        if over.any():
            i, k = np.argwhere(over)[0]
            raise InfeasibleError(
                f"scenario {name!r}: community {instance.demand_ids[i]!r} needs "
                f"{_fmt(d.demand[s][i, k])} units of {d.cats[k]!r}, but the depot sites within "
                f"{d.relief:g} h can hold {_fmt(units[i, k])} units and reachable contracts "
                f"{_fmt(ccap_i[i, k])}; {int(over.any(axis=1).sum())} communities are short"
            )
