"""Team-allocation report: the planner's tables of a :class:`~erlocate.planning.teams.TeamPlan`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from erlocate.planning.inputs import dropped_row
from erlocate.planning.teams.inputs import TeamData, first_by, reach
from erlocate.planning.teams.plan import TeamPlan
from erlocate.planning.teams.zones import to_zones

__all__ = ["tables"]

#: "No team" in the object columns (None, typed as an array for np.where).
_NONE = np.array(None, dtype=object)


def tables(d: TeamData, plan: TeamPlan) -> dict[str, pd.DataFrame]:
    """The tables of :meth:`~erlocate.planning.teams.TeamAllocation.report`."""
    plan = to_zones(plan, d.pos, d.instance)[0]
    st, pr, bk = plan.station, plan.primary, plan.backup
    cover = _hazard_coverage(d, st)
    rebased = _rebased(d, st)
    people = d.people(st)
    summary = {
        "zones": d.n,
        "teams": len(d.team_ids),
        "people": float(d.size.sum()),
        "zones meeting their minimum": int((people >= d.minimum - 1e-9).sum()),
        "key zones": int(d.key.sum()),
        "key zone × hazard pairs met": int(cover["met"].sum()),
        "teams re-based": len(rebased),
        **dropped_row(d.zones, "zones dropped (instance.dropped)"),
    }
    return {
        "staffing": _staffing(d, st),
        "responders": _responders(d, st, pr, bk),
        "hazard_coverage": cover,
        "workload": _workload(d, st, pr, bk),
        "rebased": rebased,
        "summary": pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("figure"),
    }


def _staffing(d: TeamData, st: np.ndarray) -> pd.DataFrame:
    """Per zone: level, minimum, people, teams, surplus and the team ids stationed there."""
    people = d.people(st)
    listed = pd.Series(d.team_ids.astype(str)).groupby(st).agg(", ".join)
    return pd.DataFrame(
        {
            "level": d.level,
            "minimum": d.minimum,
            "people": people,
            "teams": np.bincount(st, minlength=d.n),
            "surplus": people - d.minimum,
            "team_ids": listed.reindex(range(d.n), fill_value="").to_numpy(),
        },
        index=d.zone_ids.rename("zone"),
    )


def _responders(d: TeamData, st: np.ndarray, pr: np.ndarray, bk: np.ndarray) -> pd.DataFrame:
    """Per zone: the A (primary) and B (backup) responders, their types and times."""
    n, T, ty = d.n, len(d.team_ids), np.array(d.types, dtype=object)

    def role(t: np.ndarray, name: str) -> dict[str, Any]:
        ok, tc = t >= 0, np.clip(t, 0, T - 1)
        time = np.where(ok, d.zones.cost_of(np.arange(n), st[tc]), np.nan)
        return {
            name: np.where(ok, d.team_ids[tc].to_numpy(object), _NONE),
            f"{name}_type": np.where(ok, ty[d.ttype[tc]], _NONE),
            f"{name}_time": time,
            f"{name}_within_standard": ok & (time <= d.std[d.ttype[tc]]),
        }

    return pd.DataFrame(
        {"key": d.key, "risk": d.risk, **role(pr, "primary"), **role(bk, "backup")},
        index=d.zone_ids.rename("zone"),
    )


def _hazard_coverage(d: TeamData, st: np.ndarray) -> pd.DataFrame:
    """Per key zone × hazard: a suitable professional team, within standard if any, nearest."""
    T, nh, ty = len(d.team_ids), len(d.hazards), np.array(d.types, dtype=object)
    z, t, c = reach(d.zones, d.key, st, np.full(T, np.inf))
    zz, hh = np.nonzero(d.key[:, None] & d.H)
    team = np.full(zz.size, -1)
    for h in range(nh):  # a handful of hazards
        ok = d.compat[h, d.ttype[t]] & d.prof[d.ttype[t]] & d.H[z, h]
        late = c[ok] > d.std[d.ttype[t[ok]]]
        first = first_by(z[ok], t[ok], c[ok], late)
        row = np.searchsorted(zz * nh + hh, z[ok][first] * nh + h)
        team[row] = t[ok][first]
    found, tc = team >= 0, np.maximum(team, 0)
    time = np.where(found, d.zones.cost_of(zz, st[tc]), np.inf)
    std = np.where(found, d.std[d.ttype[tc]], np.nan)
    return pd.DataFrame(
        {
            "zone": d.zone_ids[zz],
            "hazard": np.array(d.hazards, dtype=object)[hh],
            "team": np.where(found, d.team_ids[tc].to_numpy(object), _NONE),
            "type": np.where(found, ty[d.ttype[tc]], _NONE),
            "time": time,
            "standard": std,
            "met": time <= std,
        }
    )


def _workload(d: TeamData, st: np.ndarray, pr: np.ndarray, bk: np.ndarray) -> pd.DataFrame:
    """Per team: type, size, home and station, and the zones it answers first or second."""
    T, ty = len(d.team_ids), np.array(d.types, dtype=object)
    return pd.DataFrame(
        {
            "type": ty[d.ttype],
            "size": d.size,
            "home": d.zone_ids[d.home],
            "station": d.zone_ids[st],
            "rebased": st != d.home,
            "primary_for": np.bincount(pr[pr >= 0], minlength=T),
            "backup_for": np.bincount(bk[bk >= 0], minlength=T),
            "cap": d.params.workload_cap,
        },
        index=d.team_ids.rename("team"),
    )


def _rebased(d: TeamData, st: np.ndarray) -> pd.DataFrame:
    """The teams moved from home: from, to and the travel time."""
    ty = np.array(d.types, dtype=object)
    mv = np.flatnonzero(st != d.home)
    return pd.DataFrame(
        {
            "type": ty[d.ttype[mv]],
            "size": d.size[mv],
            "from": d.zone_ids[d.home[mv]],
            "to": d.zone_ids[st[mv]],
            "travel_time": d.zones.cost_of(st[mv], d.home[mv]),
        },
        index=d.team_ids[mv].rename("team"),
    )
