"""Team-allocation prechecks: requests the data cannot meet, found before solving.

:func:`precheck` raises InfeasibleError, with the numbers, for zones no team
can reach (every one named, with the ``drop_demand`` hint), staffing minima
beyond the people available, key-zone hazard or backup cover no team
can give, and workloads that cannot fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError
from erlocate.inputs import show_ids
from erlocate.planning.teams.inputs import TeamData, reach

__all__ = ["precheck"]


def precheck(d: TeamData) -> None:
    """Raise InfeasibleError for requests the data cannot meet (the first rule that fails)."""
    _primary_reach(d)
    _people(d)
    _zone_capacity(d)
    if not d.params.nested:
        _deficits(d)
    _key_zones(d)
    _workload(d)


def _primary_reach(d: TeamData) -> None:
    """Every zone reaches a zone where a team can be stationed (its primary responder)."""
    instance, n = d.zones, d.n
    ok = d.candidate[instance.indices] & instance.pair_mask(d.params.max_response)
    lost = np.setdiff1d(np.arange(n), instance.pair_rows[ok])
    if lost.size:
        within = "" if d.params.max_response is None else f" within {d.params.max_response:g}"
        raise InfeasibleError(
            f"{lost.size} zone(s) reach no zone where a team can be stationed{within}, so they "
            f"get no primary responder: zone ids {show_ids(d.zone_ids[lost])}. Plan the rest "
            "with instance.drop_demand(ids) (results then list them as dropped), "
            + ("raise max_response, " if d.params.max_response is not None else "")
            + "or let teams re-base nearer (rebasable, rebase_radius)"
        )


def _people(d: TeamData) -> None:
    """People in all against the sum of minima (bottom-up "need" when nested)."""
    T = len(d.team_ids)
    total = float(_need(d).sum()) if d.params.nested else float(d.minimum.sum())
    have = float(d.size.sum())
    if have < total - 1e-9:
        lv = pd.DataFrame({"level": d.level, "m": d.minimum}).groupby("level", sort=False)
        lv = lv["m"].agg(["size", "first"]).sort_values("first", ascending=False, kind="stable")
        parts = ", ".join(f"{r.Index} {r.size} × {r.first:g}" for r in lv.itertuples())
        raise InfeasibleError(
            f"staffing minima need {total:,.0f} people; {have:,.0f} available "
            f"({'nested: ' if d.params.nested else ''}{parts}; {T} teams). Add community or "
            f"volunteer teams ({total - have:,.0f} more people) or lower the minima"
        )


def _zone_capacity(d: TeamData) -> None:
    """Per zone: the people that could be stationed there (or below it, nested)."""
    n = d.n
    q, z = d.up(d.place_zone)
    tz = np.unique(d.place_team[q] * n + z)  # a team counts once per zone
    most = np.bincount(tz % n, d.size[tz // n], minlength=n)
    short = np.flatnonzero(most < d.minimum - 1e-9)
    if short.size:
        k = short[0]
        raise InfeasibleError(
            f"zone {d.zone_ids[k]!r} ({d.level[k]}) needs {d.minimum[k]:,.0f} people but at "
            f"most {most[k]:,.0f} can be stationed there (fixed teams at home plus teams "
            f"allowed to re-base there); {short.size} zone(s) short: {d.zlist(short)}. "
            "Allow more teams to re-base (rebasable, rebase_radius) or add local teams"
        )


def _deficits(d: TeamData) -> None:
    """Deficits left by the fixed teams against the people in re-basable teams (not nested)."""
    fixed = np.bincount(d.home[~d.reb], d.size[~d.reb], minlength=d.n)
    deficit = np.maximum(d.minimum - fixed, 0)
    mov = float(d.size[d.reb].sum())
    if deficit.sum() > mov + 1e-9:
        lack = np.flatnonzero(deficit > 0)
        raise InfeasibleError(
            f"after the fixed (non-re-basable) teams, staffing minima still need "
            f"{deficit.sum():,.0f} people in {lack.size} zone(s) {d.zlist(lack)}; the "
            f"re-basable teams hold {mov:,.0f} (a fixed team's surplus cannot move)"
        )
    # each zone still short needs a re-basable team of its own: a team sits in one zone
    lack = np.flatnonzero(deficit > 1e-9)
    n_reb = int(d.reb.sum())
    if lack.size > n_reb:
        raise InfeasibleError(
            f"after the fixed (non-re-basable) teams, {lack.size} zone(s) are still short "
            f"of their minimum ({deficit.sum():,.0f} people in all), but only {n_reb} "
            f"team(s) can re-base and each fills one zone: {d.zlist(lack)}. Enlarge the "
            "short zones' own teams or make more teams re-basable"
        )


def _key_zones(d: TeamData) -> None:
    """Key zones: each hazard within reach of a professional team; two distinct teams."""
    instance, n, T = d.zones, d.n, len(d.team_ids)
    z, p, _ = reach(instance, d.key, d.place_zone, d.std[d.ttype[d.place_team]])
    pty = d.ttype[d.place_team[p]]
    for h, hz in enumerate(d.hazards):  # a handful of hazards
        ok = d.compat[h, pty] & d.prof[pty]
        lost = np.setdiff1d(np.flatnonzero(d.key & d.H[:, h]), z[ok])
        if lost.size:
            stds = ", ".join(
                f"{t} {d.std[k]:g} min" for k, t in enumerate(d.types) if d.compat[h, k]
            )
            raise InfeasibleError(
                f"key zone(s) {d.zlist(lost)} face {hz} but no professional team of a "
                f"suitable type ({stds}) can be stationed within its standard, even if "
                "re-based. Make a suitable team re-basable, add one, or revise "
                "standards/compatibility"
            )
    if d.params.backup:
        ok = d.suit[z, pty]
        cnt = np.bincount(np.unique(z[ok] * T + d.place_team[p[ok]]) // T, minlength=n)
        lost = np.flatnonzero(d.key & (cnt < 2))
        if lost.size:
            raise InfeasibleError(
                f"backup (A/B) cover: key zone(s) {d.zlist(lost)} can have at most "
                f"{int(cnt[lost[0]])} distinct suitable team(s) within standard, 2 needed; "
                "add or re-base teams, or set backup=False"
            )


def _workload(d: TeamData) -> None:
    """Enough teams × zones each for every zone to have a primary responder."""
    n, T = d.n, len(d.team_ids)
    if d.params.workload_cap is not None and d.params.workload_cap * T < n:
        raise InfeasibleError(
            f"workload: {T} teams × at most {d.params.workload_cap} zones each = "
            f"{d.params.workload_cap * T} < {n} zones needing a primary responder; "
            "raise workload_cap"
        )


def _need(d: TeamData) -> np.ndarray:
    """Nested minima: a zone's subtree needs max(own minimum, sum of its children's needs)."""
    dz, az = d.anc
    depth = np.bincount(dz, minlength=d.n) - 1
    parent = np.full(d.n, -1)
    direct = (dz != az) & (depth[dz] == depth[az] + 1)
    parent[dz[direct]] = az[direct]
    need = d.minimum.astype(float)
    for lv in range(int(np.max(depth)), 0, -1):  # deepest level first
        zs = np.flatnonzero(depth == lv)
        child = np.bincount(parent[zs], need[zs], minlength=d.n)
        top = np.flatnonzero(depth == lv - 1)
        need[top] = np.maximum(d.minimum[top], child[top])
    return need[depth == 0]
