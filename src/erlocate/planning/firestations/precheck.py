"""Fire-station prechecks: requests the data cannot meet, found before solving.

:func:`precheck` raises InfeasibleError, with the numbers, for points no
candidate serves within the standard, second coverage no two candidates give,
district areas beyond the types allowed, and existing stations over budget.
"""

from __future__ import annotations

import numpy as np

from erlocate.errors import InfeasibleError
from erlocate.inputs import show_ids
from erlocate.plan import nearest_open
from erlocate.planning.firestations.inputs import FireData

__all__ = ["precheck"]


def precheck(d: FireData) -> None:
    """Raise InfeasibleError for requests the data cannot meet."""
    _unserved(d)
    _second_required(d)
    _district_areas(d)
    _budget(d)


def _unserved(d: FireData) -> None:
    """Points that must be in a district but no candidate can hold within the standard."""
    instance, p = d.instance, d.params
    ids = instance.demand_ids
    lost = np.flatnonzero(d.must & d.blank)
    if not lost.size:
        return
    site, best = nearest_open(instance, np.asarray(d.allowed.any(axis=1)))
    near_any = np.bincount(d.rows, minlength=instance.n_demand) > 0
    parts = []
    for i in lost[:10]:  # at most ten named in the message
        if near_any[i]:
            why = f"area {d.area[i]:g} km² exceeds every station cap within the standard"
        elif site[i] >= 0:
            t = float(p.turnout) + best[i]
            why = f"best {t:g} min, from site {instance.site_ids[site[i]]!r}"
        else:
            why = "no candidate site reachable"
        parts.append(f"{ids[i]!r} ({why})")
    more = f" and {lost.size - 10} more (all named above)" if lost.size > 10 else ""
    cover_all = p.mode == "cover_all" and not p.allow_blank
    raise InfeasibleError(
        f"{lost.size} demand point(s) cannot be served within the {p.standard:g}-minute "
        f"standard (turnout {p.turnout:g} + driving {p.max_cost:g} min) by any "
        f"candidate station, so {'cover_all' if cover_all else 'second coverage'} is "
        f"impossible: demand ids {show_ids(ids[lost])}; {', '.join(parts)}{more}. Serve the "
        "rest with instance.drop_demand(ids) (results then list them as dropped), add "
        "candidate sites near them, allow bigger station types, raise the standard"
        + (", or pass allow_blank=True to list them as blank spots." if cover_all else ".")
    )


def _second_required(d: FireData) -> None:
    """Key points with fewer than two candidates within the standard (second_cover="require")."""
    if d.params.second_cover != "require":
        return
    ids = d.instance.demand_ids
    n_near = np.bincount(d.rows, minlength=d.instance.n_demand)
    short = np.flatnonzero(d.second & (n_near < 2))
    if short.size:
        raise InfeasibleError(
            f"second coverage: {short.size} key demand point(s) have fewer than 2 "
            f"candidate stations within the {d.params.standard:g}-minute standard: "
            + ", ".join(f"{ids[i]!r} ({n_near[i]})" for i in short[:10])
        )


def _district_areas(d: FireData) -> None:
    """Areas no set of allowed stations can hold: one site's sole points, and the total."""
    instance, max_new = d.instance, d.params.max_new
    ids, n = instance.demand_ids, instance.n_demand
    maxcap = np.where(d.allowed, d.cap[None, :], 0.0).max(axis=1)
    # points only one site can hold all load it: its largest cap must hold them
    fits = d.area[d.rows] <= maxcap[d.cols]
    ur, uc = d.rows[fits], d.cols[fits]
    only = d.must & (np.bincount(ur, minlength=n) == 1)
    sel = only[ur]
    load = np.bincount(uc[sel], weights=d.area[ur[sel]], minlength=instance.n_sites)
    over = np.flatnonzero(load > maxcap + 1e-9)
    if over.size:
        j = over[0]
        pts = ur[sel][uc[sel] == j]
        raise InfeasibleError(
            f"site {instance.site_ids[j]!r} is the only candidate within the standard for "
            f"{pts.size} demand point(s) totalling {load[j]:g} km², above the largest district "
            f"allowed there ({maxcap[j]:g} km²): {ids[pts[:10]].tolist()}"
            + (f"; {over.size - 1} more site(s) alike" if over.size > 1 else "")
            + ". Add candidate sites near them, allow a bigger type, or use mode='max_cover'."
        )
    need = float(d.area[d.must].sum())
    req = instance.required
    have = maxcap[req].sum() + (
        np.sort(maxcap[~req])[::-1][:max_new].sum() if max_new is not None else maxcap[~req].sum()
    )
    if have < need - 1e-9:
        raise InfeasibleError(
            f"districts must hold {need:,.6g} km² of demand area but the stations allowed "
            + ("" if max_new is None else f"(existing + {max_new} new) ")
            + f"can hold at most {have:,.6g} km²; allow bigger types or more stations"
        )


def _budget(d: FireData) -> None:
    """Existing stations that count toward the budget already cost more than it."""
    budget = d.params.budget
    if budget is None:
        return
    cheapest = np.where(d.allowed, d.cost[None, :], np.inf).min(axis=1)
    fixed_cost = float((d.fixed + cheapest)[d.instance.required & d.counted].sum())
    if fixed_cost > float(budget) + 1e-9:
        raise InfeasibleError(
            f"budget: existing stations already cost at least {fixed_cost:,.6g} "
            f"(count_existing=True) but the budget is {float(budget):,.6g}"
        )
