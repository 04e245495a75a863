"""Depot prechecks: tier and unit rules, reach within the relief time, capacity.

:func:`precheck` raises InfeasibleError, with the numbers, for requests the
data cannot meet, before any solver runs (InputError for units of
``units_requiring`` with no site).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from erlocate.errors import InfeasibleError
from erlocate.inputs import show_ids
from erlocate.planning.depots.data import DepotData, rule_units

__all__ = ["precheck"]


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-6 else f"{x:,.2f}"


def precheck(d: DepotData) -> None:
    """Raise InfeasibleError, with the numbers, for requests the data cannot meet."""
    _rule_prechecks(d)
    _reach_prechecks(d)
    _capacity_prechecks(d)


def _excluded_among(d: DepotData, mask: np.ndarray) -> str:
    """`` (k excluded: 'S2' inside flood zone, ...)`` for the excluded sites of ``mask``."""
    sids = d.instance.site_ids
    ex = np.flatnonzero(mask & d.excluded)
    return (
        f" ({ex.size} excluded: " + ", ".join(f"{sids[k]!r} {d.reason[k]}" for k in ex[:3]) + ")"
        if ex.size
        else ""
    )


def _rule_prechecks(d: DepotData) -> None:
    """Tier and unit rules no allowed site (or too many existing depots) can meet."""
    p = d.params
    for t, k in p.tier_minima.items():
        have = int((d.allowed & (d.tier == t)).sum())
        if have < k:
            raise InfeasibleError(
                f"at least {k} open '{t}' depot(s) required, but only {have} usable candidate "
                f"site(s) of that tier{_excluded_among(d, d.tier == t)}; add sites of tier "
                f"'{t}' or lower min_per_tier"
            )
    for u in rule_units(d):
        in_u = (d.unit == u) & (d.tier == p.unit_tier)
        have, req = int((in_u & d.allowed).sum()), int((in_u & d.instance.required).sum())
        if have < p.min_per_unit:
            raise InfeasibleError(
                f"unit {u!r} needs {p.min_per_unit} '{p.unit_tier}' depot(s) but has "
                f"{have} usable candidate site(s){_excluded_among(d, in_u)}; add a site of tier "
                f"'{p.unit_tier}' in {u!r} or drop it from units_requiring"
            )
        if p.max_per_unit is not None and req > p.max_per_unit:
            raise InfeasibleError(
                f"unit {u!r} has {req} existing '{p.unit_tier}' depots but max_per_unit = "
                f"{p.max_per_unit}; raise max_per_unit"
            )


def _reach_prechecks(d: DepotData) -> None:
    """Affected communities no usable depot site or contract reaches within the relief time."""
    n, ids, T = d.instance.n_demand, d.instance.demand_ids, d.relief
    for s, name in enumerate(d.scen):
        rows, cols, hrs = d.hours(s)
        ok = d.allowed[cols]
        best = np.full(n, np.inf)
        np.minimum.at(best, rows[ok], hrs[ok])
        ct = d.c_time[s]
        cbest = ct.min(axis=1) if ct.shape[1] else np.full(n, np.inf)
        by_depot = best <= T * (1 + 1e-12)
        need = d.demand[s]
        carried = np.zeros((n, d.cats.size), dtype=bool)
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


def _capacity_prechecks(d: DepotData) -> None:
    """Peak needs beyond what all usable sites and contracts, or those in reach, can hold."""
    instance = d.instance
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
