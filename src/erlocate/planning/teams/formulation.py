"""The team-allocation MILP: built, decoded and encoded from :class:`TeamData` alone.

The formulation is in the docstring of :mod:`erlocate.planning.teams`.
Reductions here are the builder's own (rows already met by fixed teams are
dropped, primary pairs never farther than the nearest fixed team); the
verifier does not see them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from erlocate.milp import Milp, MilpBuilder
from erlocate.models.blocks import add_link
from erlocate.plan import nearest_open
from erlocate.planning.teams.inputs import TeamData, first_by, reach
from erlocate.planning.teams.plan import TeamPlan, deal_roles
from erlocate.planning.teams.zones import to_sites, to_zones

__all__ = ["decode", "encode", "formulate", "responder_pairs"]


def _add_ge(
    b: MilpBuilder, name: str, rows: np.ndarray, cols: np.ndarray, vals: Any, lb: np.ndarray
) -> None:
    """Rows ``sum >= lb``; rows already met by the fixed teams (lb <= 0) are dropped."""
    keep = lb > 1e-9
    e = keep[rows]
    b.add_rows(
        name,
        rows=(np.cumsum(keep) - 1)[rows[e]],
        cols=cols[e],
        vals=np.broadcast_to(np.asarray(vals, dtype=float), rows.shape)[e],
        lb=lb[keep],
        n_rows=int(keep.sum()),
    )


def responder_pairs(d: TeamData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Primary-responder pairs (zone, station zone, time) the model allocates over."""
    inst = d.zones
    ok = d.candidate[inst.indices] & inst.pair_mask(d.params.max_response)
    if d.params.workload_cap is None:  # never farther than the nearest zone with a fixed team
        _, best = nearest_open(inst, d.fixed_count > 0, d.params.max_response)
        ok &= inst.costs <= best[inst.pair_rows]
    return inst.pair_rows[ok], inst.indices[ok], inst.costs[ok]


def formulate(d: TeamData) -> Milp:
    """The team-allocation MILP (formulation in :mod:`erlocate.planning.teams`)."""
    b = MilpBuilder("team-allocation", "min")
    s, col = _stations(b, d)
    _staffing(b, d, col)
    _key_zone_cover(b, d, col)
    _responders(b, d, s)
    return b.build()


def _stations(b: MilpBuilder, d: TeamData) -> tuple[np.ndarray, np.ndarray]:
    """One station per re-basable team; (station columns, column per placement or -1)."""
    mov = d.reb[d.place_team]
    pt, pz = d.place_team[mov], d.place_zone[mov]
    s = b.add_cols(
        "station", pt.size, obj=d.params.move_cost * (pz != d.home[pt]), ub=1.0, integer=True
    )
    col = np.full(mov.size, -1)
    col[mov] = s
    b.add_rows(
        "one_station",
        rows=(np.cumsum(d.reb) - 1)[pt],
        cols=s,
        vals=1.0,
        lb=1.0,
        ub=1.0,
        n_rows=int(d.reb.sum()),
    )
    return s, col


def _staffing(b: MilpBuilder, d: TeamData, col: np.ndarray) -> None:
    """People stationed in the zone (or below it when nested) reach its minimum."""
    mov = d.reb[d.place_team]
    q, z = d.up(d.place_zone)
    m = mov[q]
    fixed = np.bincount(z[~m], d.size[d.place_team[q[~m]]], minlength=d.n)
    _add_ge(b, "staffing", z[m], col[q[m]], d.size[d.place_team[q[m]]], d.minimum - fixed)


def _key_zone_cover(b: MilpBuilder, d: TeamData, col: np.ndarray) -> None:
    """Key zones: each hazard by a suitable professional team; two distinct suitable teams."""
    nh, mov = len(d.hazards), d.reb[d.place_team]
    z, p, _ = reach(d.zones, d.key, d.place_zone, d.std[d.ttype[d.place_team]])
    pty, pm = d.ttype[d.place_team[p]], mov[p]
    combos = np.flatnonzero((d.key[:, None] & d.H).ravel())  # z * nh + h
    rid = np.full(d.H.size, -1)
    rid[combos] = np.arange(combos.size)
    oks = [d.compat[h, pty] & d.prof[pty] & d.H[z, h] for h in range(nh)]
    r = np.concatenate([rid[z[ok] * nh + h] for h, ok in enumerate(oks)] + [[]]).astype(int)
    pp = np.concatenate([p[ok] for ok in oks] + [[]]).astype(int)
    fx = ~mov[pp]
    _add_ge(
        b,
        "hazard_cover",
        r[~fx],
        col[pp[~fx]],
        1.0,
        1 - np.bincount(r[fx], minlength=combos.size),
    )
    if d.params.backup:
        kr = np.cumsum(d.key) - 1
        ok = d.suit[z, pty]
        _add_ge(
            b,
            "backup_cover",
            kr[z[ok & pm]],
            col[p[ok & pm]],
            1.0,
            2 - np.bincount(kr[z[ok & ~pm]], minlength=int(d.key.sum())),
        )


def _responders(b: MilpBuilder, d: TeamData, s: np.ndarray) -> None:
    """Primary responders: each zone assigned to an occupied station zone (workload capped)."""
    n, fcount = d.n, d.fixed_count
    pz = d.place_zone[d.reb[d.place_team]]
    oz = np.flatnonzero(d.candidate & (fcount == 0))
    o = b.add_cols("occupied", oz.size, ub=1.0, integer=True)
    ocol, orow = np.full(n, -1), np.full(n, -1)
    ocol[oz], orow[oz] = o, np.arange(oz.size)
    e = orow[pz] >= 0
    b.add_rows(
        "occupied_link",
        rows=np.r_[np.arange(oz.size), orow[pz[e]]],
        cols=np.r_[o, s[e]],
        vals=np.r_[np.ones(oz.size), -np.ones(e.sum())],
        ub=0.0,
        n_rows=oz.size,
    )
    ar, ast, ac = responder_pairs(d)
    a = b.add_cols("assign", ar.size, obj=d.risk[ar] * ac, ub=1.0, integer=True)
    b.add_rows("assign_once", rows=ar, cols=a, vals=1.0, lb=1.0, ub=1.0, n_rows=n)
    lk = np.flatnonzero(ocol[ast] >= 0)
    add_link(b, a[lk], ocol[ast[lk]])
    if d.params.workload_cap is not None:
        w = float(d.params.workload_cap)
        b.add_rows(
            "workload",
            rows=np.r_[ast, pz],
            cols=np.r_[a, s],
            vals=np.r_[np.ones(a.size), np.full(s.size, -w)],
            ub=w * fcount,
            n_rows=n,
        )


def decode(d: TeamData, milp: Milp, x: np.ndarray) -> TeamPlan:
    """The plan in the solver's vector, over the instance solved."""
    mov = np.flatnonzero(d.reb[d.place_team])
    first = mov[first_by(d.place_team[mov], -milp.block(x, "station"))]  # largest s per team
    station = d.home.copy()
    station[d.place_team[first]] = d.place_zone[first]
    ar, ast, _ = responder_pairs(d)
    first = first_by(ar, -milp.block(x, "assign"))
    at = np.full(d.n, -1)
    at[ar[first]] = ast[first]
    return to_sites(deal_roles(d, station, at), d.pos, d.instance.n_sites)


def encode(d: TeamData, milp: Milp, plan: TeamPlan) -> np.ndarray:
    """A column vector for ``plan`` (a warm start)."""
    plan = to_zones(plan, d.pos, d.instance)[0]
    x = np.zeros(milp.n_cols)
    mov = d.reb[d.place_team]
    x[milp.col_blocks["station"]] = plan.station[d.place_team[mov]] == d.place_zone[mov]
    oz = np.flatnonzero(d.candidate & (d.fixed_count == 0))
    x[milp.col_blocks["occupied"]] = np.isin(oz, plan.station)
    ar, ast, _ = responder_pairs(d)
    x[milp.col_blocks["assign"]] = ast == plan.station[plan.primary][ar]
    return x
