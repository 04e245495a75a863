"""The team plan: :class:`TeamPlan`, and the A/B roles dealt out from the team stations."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from erlocate.plan import Plan
from erlocate.planning.arrays import groups
from erlocate.planning.teams.inputs import TeamData, first_by, reach

__all__ = ["TeamPlan", "deal_roles"]


@dataclass(frozen=True, eq=False)
class TeamPlan(Plan):
    """A team allocation: the base :class:`~erlocate.plan.Plan` plus team-level fields.

    ``open`` flags the occupied zones; ``demand_idx``/``site_idx`` give each
    zone's primary-responder station zone. ``station[t]`` is the zone position
    of team ``t``; ``primary[z]`` and ``backup[z]`` are team positions (A and
    B roles; ``backup`` is -1 where no other team reaches the zone).
    """

    station: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    primary: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    backup: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def deal_roles(d: TeamData, station: np.ndarray, at: np.ndarray) -> TeamPlan:
    """Team-level plan: the zones sent to a station are dealt round-robin to its teams."""
    torder, tptr = groups(station, d.n)
    cnt = np.diff(tptr)
    zorder = np.lexsort((np.arange(d.n), at))
    zs = at[zorder]
    rank = np.arange(d.n) - np.searchsorted(zs, zs, side="left")
    ok = (zs >= 0) & (cnt[np.maximum(zs, 0)] > 0)
    primary = np.full(d.n, -1)
    primary[zorder[ok]] = torder[tptr[zs[ok]] + rank[ok] % cnt[zs[ok]]]
    # B role: nearest team other than the primary (key zones: suitable, within standard)
    z, t, c = reach(d.zones, np.ones(d.n, bool), station, np.full(station.size, np.inf))
    ty = d.ttype[t]
    keep = (t != primary[z]) & (~d.key[z] | (d.suit[z, ty] & (c <= d.std[ty])))
    first = first_by(z[keep], t[keep], c[keep])
    backup = np.full(d.n, -1)
    backup[z[keep][first]] = t[keep][first]
    idx = np.flatnonzero(primary >= 0)
    return TeamPlan(
        cnt > 0,
        idx,
        station[primary[idx]],
        np.ones(idx.size),
        station=station,
        primary=primary,
        backup=backup,
    )
