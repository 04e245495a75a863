"""Team-allocation report: the planner's tables of a :class:`~erlocate.planning.teams.TeamPlan`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from erlocate.planning._inputs import dropped_row
from erlocate.planning.teams.inputs import TeamData, first_by, reach
from erlocate.planning.teams.plan import TeamPlan
from erlocate.planning.teams.zones import to_zones

__all__ = ["tables"]


def tables(d: TeamData, plan: TeamPlan) -> dict[str, pd.DataFrame]:
    """The tables of :meth:`~erlocate.planning.teams.TeamAllocation.report`."""
    instance, plan, _ = d.zones, *to_zones(plan, d.pos, d.instance)
    n, T = d.n, len(d.team_ids)
    st, pr, bk = plan.station, plan.primary, plan.backup
    tids, zids, ty = d.team_ids, d.zone_ids, np.array(d.types, dtype=object)
    people = d.people(st)
    listed = pd.Series(tids.astype(str)).groupby(st).agg(", ".join)
    staffing = pd.DataFrame(
        {
            "level": d.level,
            "minimum": d.minimum,
            "people": people,
            "teams": np.bincount(st, minlength=n),
            "surplus": people - d.minimum,
            "team_ids": listed.reindex(range(n), fill_value="").to_numpy(),
        },
        index=zids.rename("zone"),
    )

    def role(t: np.ndarray, name: str) -> dict[str, Any]:
        ok, tc = t >= 0, np.clip(t, 0, T - 1)
        time = np.where(ok, instance.cost_of(np.arange(n), st[tc]), np.nan)
        return {
            name: np.where(ok, tids[tc].to_numpy(object), None),
            f"{name}_type": np.where(ok, ty[d.ttype[tc]], None),
            f"{name}_time": time,
            f"{name}_within_standard": ok & (time <= d.std[d.ttype[tc]]),
        }

    responders = pd.DataFrame(
        {"key": d.key, "risk": d.risk, **role(pr, "primary"), **role(bk, "backup")},
        index=zids.rename("zone"),
    )
    # per key zone × hazard: a suitable professional team, within standard if any, nearest
    z, t, c = reach(instance, d.key, st, np.full(T, np.inf))
    zz, hh = np.nonzero(d.key[:, None] & d.H)
    team = np.full(zz.size, -1)
    for h in range(len(d.hazards)):  # a handful of hazards
        ok = d.compat[h, d.ttype[t]] & d.prof[d.ttype[t]] & d.H[z, h]
        late = c[ok] > d.std[d.ttype[t[ok]]]
        first = first_by(z[ok], t[ok], c[ok], late)
        row = np.searchsorted(zz * len(d.hazards) + hh, z[ok][first] * len(d.hazards) + h)
        team[row] = t[ok][first]
    found, tc = team >= 0, np.maximum(team, 0)
    time = np.where(found, instance.cost_of(zz, st[tc]), np.inf)
    std = np.where(found, d.std[d.ttype[tc]], np.nan)
    cover = pd.DataFrame(
        {
            "zone": zids[zz],
            "hazard": np.array(d.hazards, dtype=object)[hh],
            "team": np.where(found, tids[tc].to_numpy(object), None),
            "type": np.where(found, ty[d.ttype[tc]], None),
            "time": time,
            "standard": std,
            "met": time <= std,
        }
    )
    workload = pd.DataFrame(
        {
            "type": ty[d.ttype],
            "size": d.size,
            "home": zids[d.home],
            "station": zids[st],
            "rebased": st != d.home,
            "primary_for": np.bincount(pr[pr >= 0], minlength=T),
            "backup_for": np.bincount(bk[bk >= 0], minlength=T),
            "cap": d.params.workload_cap,
        },
        index=tids.rename("team"),
    )
    mv = np.flatnonzero(st != d.home)
    rebased = pd.DataFrame(
        {
            "type": ty[d.ttype[mv]],
            "size": d.size[mv],
            "from": zids[d.home[mv]],
            "to": zids[st[mv]],
            "travel_time": instance.cost_of(st[mv], d.home[mv]),
        },
        index=tids[mv].rename("team"),
    )
    summary = {
        "zones": n,
        "teams": T,
        "people": float(d.size.sum()),
        "zones meeting their minimum": int((people >= d.minimum - 1e-9).sum()),
        "key zones": int(d.key.sum()),
        "key zone × hazard pairs met": int(cover["met"].sum()),
        "teams re-based": int(mv.size),
        **dropped_row(instance, "zones dropped (instance.dropped)"),
    }
    return {
        "staffing": staffing,
        "responders": responders,
        "hazard_coverage": cover,
        "workload": workload,
        "rebased": rebased,
        "summary": pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("figure"),
    }
