"""Team-allocation verifier: a plan's objective and constraints re-checked from the data.

Nothing here looks at the MILP: :func:`evaluate` recomputes the objective,
:func:`check` every rule (fixed teams at home, re-base radius, staffing,
key-zone hazard and A/B cover, response cut-off, workloads, plan fields) and
:func:`check_optimal` the nearest-occupied-zone condition of an optimal plan.
"""

from __future__ import annotations

import numpy as np

from erlocate.instance import Instance
from erlocate.plan import TOL, nearest_open
from erlocate.planning.teams.inputs import TeamData, reach
from erlocate.planning.teams.plan import TeamPlan
from erlocate.planning.teams.zones import to_zones

__all__ = ["check", "check_optimal", "evaluate"]


def evaluate(d: TeamData, plan: TeamPlan) -> float:
    """Risk-weighted primary response time plus the re-basing penalty (NaN if malformed)."""
    instance, plan, _ = d.zones, *to_zones(plan, d.pos, d.instance)
    st, pr = np.asarray(plan.station), np.asarray(plan.primary)
    if st.shape != d.home.shape or pr.shape != (d.n,) or not _valid(st, d.n, pr, d.home.size):
        return float("nan")  # check() reports the malformed plan
    time = instance.cost_of(np.arange(d.n), st[pr])
    return float(np.sum(d.risk * time)) + float(d.params.move_cost) * int((st != d.home).sum())


def check(d: TeamData, plan: TeamPlan) -> list[str]:
    """Every rule of the model re-checked on ``plan``; one message per breach.

    ``plan`` is over the instance solved; open flags or allocations at the
    sites of zones dropped from it are breaches too.
    """
    plan, dropped = to_zones(plan, d.pos, d.instance)
    return dropped + _check_zones(d, d.zones, plan)


def _check_zones(d: TeamData, instance: Instance, plan: TeamPlan) -> list[str]:
    n, T = d.n, len(d.team_ids)
    st, pr, bk = (np.asarray(getattr(plan, f)) for f in ("station", "primary", "backup"))
    if st.shape != (T,) or pr.shape != (n,) or bk.shape != (n,):
        return [
            f"plan shapes: station {st.shape} for {T} teams, primary/backup "
            f"{pr.shape}/{bk.shape} for {n} zones"
        ]
    if not _valid(st, n, pr, T):
        return ["plan refers to zones or teams outside the data, or a zone has no primary"]
    return [
        *_check_stations(d, instance, st),
        *_check_key_zones(d, instance, st, pr, bk),
        *_check_responders(d, instance, st, pr),
        *_check_fields(d, plan, st, pr),
    ]


def _check_stations(d: TeamData, instance: Instance, st: np.ndarray) -> list[str]:
    """Fixed teams at home, re-basing radius, staffing minima."""
    out: list[str] = []
    moved = np.flatnonzero(~d.reb & (st != d.home))
    if moved.size:
        out.append(f"fixed (non-re-basable) teams moved from home: {d.tlist(moved)}")
    if d.params.rebase_radius is not None:
        far = (st != d.home) & (instance.cost_of(st, d.home) > d.params.rebase_radius + TOL.abs)
        if far.any():
            out.append(
                f"teams re-based beyond rebase_radius {d.params.rebase_radius:g}: "
                f"{d.tlist(np.flatnonzero(far))}"
            )
    people = d.people(st)
    short = np.flatnonzero(people < d.minimum - TOL.abs)
    if short.size:
        k = short[0]
        out.append(
            f"staffing below the minimum in {short.size} zone(s), e.g. "
            f"{d.zone_ids[k]!r}: {people[k]:g} people < {d.minimum[k]:g}"
        )
    return out


def _check_key_zones(
    d: TeamData, instance: Instance, st: np.ndarray, pr: np.ndarray, bk: np.ndarray
) -> list[str]:
    """Each key zone's hazards by a suitable professional team; A/B roles within standard."""
    out: list[str] = []
    n, T = d.n, len(d.team_ids)
    z, t, _ = reach(instance, d.key, st, d.std[d.ttype])
    ty = d.ttype[t]
    for h, hz in enumerate(d.hazards):  # a handful of hazards
        lost = np.setdiff1d(np.flatnonzero(d.key & d.H[:, h]), z[d.compat[h, ty] & d.prof[ty]])
        if lost.size:
            out.append(
                f"key zone(s) {d.zlist(lost)} face {hz} with no suitable "
                "professional team within standard"
            )
    if d.params.backup:
        cnt = np.bincount(z[d.suit[z, ty]], minlength=n)  # one station per team: distinct
        lost = np.flatnonzero(d.key & (cnt < 2))
        if lost.size:
            out.append(
                f"key zone(s) {d.zlist(lost)} have fewer than two distinct suitable "
                "teams within standard (A/B roles)"
            )
        kz = np.flatnonzero(d.key)
        b = np.clip(bk[kz], 0, T - 1)
        bad = (bk[kz] < 0) | (bk[kz] >= T) | (bk[kz] == pr[kz]) | ~d.suit[kz, d.ttype[b]]
        bad |= instance.cost_of(kz, st[b]) > d.std[d.ttype[b]] + TOL.abs
        if bad.any():
            out.append(
                "backup (B) responder missing, equal to the primary, unsuitable or "
                f"beyond standard for key zone(s) {d.zlist(kz[bad])}"
            )
    return out


def _check_responders(d: TeamData, instance: Instance, st: np.ndarray, pr: np.ndarray) -> list[str]:
    """Primary responders within max_response; workloads within the cap."""
    out: list[str] = []
    time = instance.cost_of(np.arange(d.n), st[pr])
    lim = np.inf if d.params.max_response is None else d.params.max_response
    far = np.flatnonzero(~(time <= lim + TOL.abs))
    if far.size:
        out.append(
            f"primary responders unreachable or beyond max_response for zone(s) {d.zlist(far)}"
        )
    if d.params.workload_cap is not None:
        load = np.bincount(pr, minlength=len(d.team_ids))
        over = np.flatnonzero(load > d.params.workload_cap)
        if over.size:
            out.append(
                f"workload above {d.params.workload_cap} zones for team(s) "
                f"{d.tlist(over)} ({load[over][:5].tolist()})"
            )
    return out


def _check_fields(d: TeamData, plan: TeamPlan, st: np.ndarray, pr: np.ndarray) -> list[str]:
    """The base plan's fields agree with the team stations."""
    n, out = d.n, []
    idx = np.asarray(plan.demand_idx)
    if (
        not np.array_equal(plan.open, np.bincount(st, minlength=n) > 0)
        or not np.array_equal(np.sort(idx), np.arange(n))
        or not np.array_equal(plan.site_idx, st[pr[idx]])
    ):
        out.append("plan.open / demand_idx / site_idx disagree with the team stations")
    return out


def check_optimal(d: TeamData, plan: TeamPlan) -> list[str]:
    """Without a workload cap each zone's primary is in a nearest occupied zone."""
    instance, plan, _ = d.zones, *to_zones(plan, d.pos, d.instance)
    if d.params.workload_cap is not None:
        return []
    occupied = np.bincount(plan.station, minlength=instance.n_demand) > 0
    _, best = nearest_open(instance, occupied, d.params.max_response)
    time = instance.cost_of(np.arange(instance.n_demand), plan.station[plan.primary])
    worse = np.flatnonzero(time > best + TOL.abs)
    if worse.size:
        return [
            f"zones {instance.demand_ids[worse[:5]].tolist()} have a farther primary "
            "responder than the nearest occupied zone although the plan is optimal"
        ]
    return []


def _valid(station: np.ndarray, n: int, primary: np.ndarray, n_teams: int) -> bool:
    return bool(
        ((station >= 0) & (station < n)).all() and ((primary >= 0) & (primary < n_teams)).all()
    )
