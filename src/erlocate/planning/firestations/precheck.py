"""Fire-station prechecks: requests the data cannot meet, found before solving.

:func:`validate` raises InfeasibleError, with the numbers, for points no
candidate serves within the standard, second coverage no two candidates give,
district areas beyond the types allowed, and existing stations over budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from erlocate.errors import InfeasibleError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.plan import nearest_open

if TYPE_CHECKING:
    from erlocate.planning.firestations.model import FireStations

__all__ = ["validate"]


def validate(model: FireStations, instance: Instance) -> None:
    """Raise InputError / InfeasibleError for requests the data cannot meet."""
    d = model._prepare(instance)
    ids = instance.demand_ids
    lost = np.flatnonzero(d.must & d.blank)
    if lost.size:
        site, best = nearest_open(instance, d.allowed.any(axis=1))
        near_any = np.bincount(d.rows, minlength=instance.n_demand) > 0
        parts = []
        for i in lost[:10]:  # at most ten named in the message
            if near_any[i]:
                why = f"area {d.area[i]:g} km² exceeds every station cap within the standard"
            elif site[i] >= 0:
                t = float(model.turnout) + best[i]
                why = f"best {t:g} min, from site {instance.site_ids[site[i]]!r}"
            else:
                why = "no candidate site reachable"
            parts.append(f"{ids[i]!r} ({why})")
        more = f" and {lost.size - 10} more (all named above)" if lost.size > 10 else ""
        cover_all = model.mode == "cover_all" and not model.allow_blank
        raise InfeasibleError(
            f"{lost.size} demand point(s) cannot be served within the {model.standard:g}-minute "
            f"standard (turnout {model.turnout:g} + driving {model.max_cost:g} min) by any "
            f"candidate station, so {'cover_all' if cover_all else 'second coverage'} is "
            f"impossible: demand ids {show_ids(ids[lost])}; {', '.join(parts)}{more}. Serve the "
            "rest with instance.drop_demand(ids) (results then list them as dropped), add "
            "candidate sites near them, allow bigger station types, raise the standard"
            + (", or pass allow_blank=True to list them as blank spots." if cover_all else ".")
        )
    if model.second_cover == "require":
        n_near = np.bincount(d.rows, minlength=instance.n_demand)
        short = np.flatnonzero(d.second & (n_near < 2))
        if short.size:
            raise InfeasibleError(
                f"second coverage: {short.size} key demand point(s) have fewer than 2 "
                f"candidate stations within the {model.standard:g}-minute standard: "
                + ", ".join(f"{ids[i]!r} ({n_near[i]})" for i in short[:10])
            )
    maxcap = np.where(d.allowed, d.cap[None, :], 0.0).max(axis=1)
    # points with a single usable site all load that site: its largest cap must hold them
    ur, uc = d.rows[d.use], d.cols[d.use]
    only = d.must & (np.bincount(ur, minlength=instance.n_demand) == 1)
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
        np.sort(maxcap[~req])[::-1][: model.max_new].sum()
        if model.max_new is not None
        else maxcap[~req].sum()
    )
    if have < need - 1e-9:
        raise InfeasibleError(
            f"districts must hold {need:,.6g} km² of demand area but the stations allowed "
            + ("" if model.max_new is None else f"(existing + {model.max_new} new) ")
            + f"can hold at most {have:,.6g} km²; allow bigger types or more stations"
        )
    if model.budget is not None:
        cheapest = np.where(d.allowed, d.cost[None, :], np.inf).min(axis=1)
        fixed_cost = float((d.fixed + cheapest)[req & d.counted].sum())
        if fixed_cost > float(model.budget) + 1e-9:
            raise InfeasibleError(
                f"budget: existing stations already cost at least {fixed_cost:,.6g} "
                f"(count_existing=True) but the budget is {float(model.budget):,.6g}"
            )
