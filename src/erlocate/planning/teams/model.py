"""The team-allocation model: :class:`TeamAllocation`, its parameters and its MILP.

The formulation is in the docstring of :mod:`erlocate.planning.teams`. The
class resolves its inputs in :mod:`~erlocate.planning.teams.inputs`, checks
feasibility in :mod:`~erlocate.planning.teams.precheck`, builds, decodes and
encodes the MILP here, and hands plans to
:mod:`~erlocate.planning.teams.verify` and :mod:`~erlocate.planning.teams.report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.plan import nearest_open
from erlocate.planning.teams import precheck, verify
from erlocate.planning.teams.defaults import PROFESSIONAL_TYPES
from erlocate.planning.teams.inputs import _Data, _first, _reach, _resolve
from erlocate.planning.teams.params import check_params
from erlocate.planning.teams.plan import TeamPlan, _plan
from erlocate.planning.teams.report import tables
from erlocate.planning.teams.zones import to_sites, to_zones, zone_view

__all__ = ["TeamAllocation"]


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


class TeamAllocation(Model):
    r"""Station rescue teams in zones: staffing minima, key-zone cover, A/B roles, workloads.

    See :mod:`erlocate.planning.teams` for the formulation. The instance is zones ×
    zones (``site_ids`` equal to ``demand_ids``), ``cost[i, j]`` the response
    time from zone ``j`` to zone ``i``.

    Parameters
    ----------
    teams : pandas.DataFrame
        One row per team, indexed by team id (or with an ``id`` column):
        ``type`` (a key of ``standards``; aliases such as "forest rangers"
        accepted), ``size`` (people, > 0), ``home`` (zone id of its base) and
        optionally ``rebasable`` (bool, default False: the team stays home).
    level : str or array-like
        Administrative level per zone (a key of ``minima``), or the name of an
        ``instance.demand_frame`` column (default ``"level"``).
    hazards : str, array-like or DataFrame, optional
        Hazards each zone faces: per zone a list or a comma-separated string
        of names (keys of ``compatibility``), a ``demand_frame`` column of
        those, or a boolean DataFrame zones × hazards. None: no hazards.
    key : str, array-like, optional
        Key (high-risk) zones: a boolean mask, a ``demand_frame`` column, or
        a list of zone ids. None: no key zones.
    risk : str or array-like, optional
        Risk weight per zone in the objective (default ``instance.weights``).
    minima : mapping, optional
        People per level, merged over :data:`DEFAULT_MINIMA` (BRIEF.md item 1).
    standards : mapping, optional
        Minutes per team type, merged over :data:`DEFAULT_STANDARDS`.
    compatibility : mapping, optional
        Hazard -> team types, merged over :data:`DEFAULT_COMPATIBILITY` (our assumption).
    professional : sequence of str, optional
        Professional team types (default :data:`PROFESSIONAL_TYPES`).
    backup : bool
        Key zones need two distinct suitable teams within standard (default
        True; BRIEF.md item 3, "two or more incidents at once", A/B roles).
    workload_cap : int, optional
        Most zones one team is primary responder for (default: no cap).
    rebase_radius : float, optional
        Farthest a re-basable team may move from home, in minutes (default anywhere).
    max_response : float, optional
        Cut-off on the primary responder's time (default: any reachable zone).
    move_cost : float
        Objective penalty per re-based team (default 0; a small value keeps
        teams home when moving gains nothing).
    nested : bool
        False (default): a team counts toward its own zone's minimum only, so
        minima add up — the plan's arithmetic (120 × 10 + 6 × 20 + 50 = 1,370).
        True: it also counts toward the zones above it (needs ``parent``).
    parent : str or array-like, optional
        Parent zone id per zone (None at the top), for ``nested=True``.
    """

    constraints_hint = (
        "staffing minima, key-zone hazard cover within standards, "
        "A/B roles, workload caps, re-basing radius"
    )

    sense = "min"
    exact_objective = True

    def __init__(
        self,
        teams: pd.DataFrame,
        *,
        level: Any = "level",
        hazards: Any = None,
        key: Any = None,
        risk: Any = None,
        minima: Mapping[str, float] | None = None,
        standards: Mapping[str, float] | None = None,
        compatibility: Mapping[str, Any] | None = None,
        professional: Any = PROFESSIONAL_TYPES,
        backup: bool = True,
        workload_cap: int | None = None,
        rebase_radius: float | None = None,
        max_response: float | None = None,
        move_cost: float = 0.0,
        nested: bool = False,
        parent: Any = None,
    ) -> None:
        self.teams = teams
        self.level = level
        self.hazards = hazards
        self.key = key
        self.risk = risk
        self.minima = minima
        self.standards = standards
        self.compatibility = compatibility
        self.professional = professional
        self.backup = backup
        self.workload_cap = workload_cap
        self.rebase_radius = rebase_radius
        self.max_response = max_response
        self.max_cost = max_response
        self.move_cost = move_cost
        self.nested = nested
        self.parent = parent

    def __repr__(self) -> str:
        n = len(self.teams) if hasattr(self.teams, "__len__") else "?"
        return (
            f"TeamAllocation({n} teams, backup={self.backup}, workload_cap={self.workload_cap}, "
            f"rebase_radius={self.rebase_radius}, max_response={self.max_response}, "
            f"nested={self.nested})"
        )

    # ------------------------------------------------------------------ checks
    def check_params(self) -> None:
        """Every parameter that needs no instance (tables, flags, numbers), at construction."""
        check_params(self)

    def validate(self, instance: Instance) -> None:
        precheck.validate(self, zone_view(instance)[0])

    # ------------------------------------------------------------------ MILP
    def _pairs(self, inst: Instance, d: _Data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Primary-responder pairs (zone, station zone, time) the model allocates over."""
        ok = d.candidate[inst.indices] & inst.pair_mask(self.max_response)
        if self.workload_cap is None:  # never farther than the nearest zone with a fixed team
            _, best = nearest_open(inst, d.fixed_count > 0, self.max_response)
            ok &= inst.costs <= best[inst.pair_rows]
        return inst.pair_rows[ok], inst.indices[ok], inst.costs[ok]

    def build(self, instance: Instance) -> Milp:
        instance = zone_view(instance)[0]
        d = _resolve(self, instance)
        n, nh = d.n, len(d.hazards)
        b = MilpBuilder("team-allocation", "min")
        mov = d.reb[d.place_team]
        pt, pz = d.place_team[mov], d.place_zone[mov]
        s = b.add_cols(
            "station", pt.size, obj=self.move_cost * (pz != d.home[pt]), ub=1.0, integer=True
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
        # staffing: people stationed in the zone (or below it when nested)
        q, z = d.up(d.place_zone)
        m = mov[q]
        fixed = np.bincount(z[~m], d.size[d.place_team[q[~m]]], minlength=n)
        _add_ge(b, "staffing", z[m], col[q[m]], d.size[d.place_team[q[m]]], d.minimum - fixed)
        # key zones: each hazard by a suitable professional team; two distinct suitable teams
        z, p, _ = _reach(instance, d.key, d.place_zone, d.std[d.ttype[d.place_team]])
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
        if self.backup:
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
        # primary responders: zone -> occupied station zone
        fcount = d.fixed_count
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
        ar, ast, ac = self._pairs(instance, d)
        a = b.add_cols("assign", ar.size, obj=d.risk[ar] * ac, ub=1.0, integer=True)
        b.add_rows("assign_once", rows=ar, cols=a, vals=1.0, lb=1.0, ub=1.0, n_rows=n)
        lk = np.flatnonzero(ocol[ast] >= 0)
        k = np.arange(lk.size)
        b.add_rows(
            "link",
            rows=np.r_[k, k],
            cols=np.r_[a[lk], ocol[ast[lk]]],
            vals=np.r_[np.ones(k.size), -np.ones(k.size)],
            ub=0.0,
            n_rows=k.size,
        )
        if self.workload_cap is not None:
            w = float(self.workload_cap)
            b.add_rows(
                "workload",
                rows=np.r_[ast, pz],
                cols=np.r_[a, s],
                vals=np.r_[np.ones(a.size), np.full(s.size, -w)],
                ub=w * fcount,
                n_rows=n,
            )
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> TeamPlan:
        zones, pos = zone_view(instance)
        return to_sites(self._decode(zones, milp, x), pos, instance.n_sites)

    def _decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> TeamPlan:
        d = _resolve(self, instance)
        mov = np.flatnonzero(d.reb[d.place_team])
        first = mov[_first(d.place_team[mov], -milp.block(x, "station"))]  # largest s per team
        station = d.home.copy()
        station[d.place_team[first]] = d.place_zone[first]
        ar, ast, _ = self._pairs(instance, d)
        first = _first(ar, -milp.block(x, "assign"))
        at = np.full(d.n, -1)
        at[ar[first]] = ast[first]
        return _plan(instance, d, station, at)

    def encode(self, instance: Instance, milp: Milp, plan: TeamPlan) -> np.ndarray:  # type: ignore[override]
        instance = zone_view(instance)[0]
        d = _resolve(self, instance)
        x = np.zeros(milp.n_cols)
        mov = d.reb[d.place_team]
        x[milp.col_blocks["station"]] = plan.station[d.place_team[mov]] == d.place_zone[mov]
        oz = np.flatnonzero(d.candidate & (d.fixed_count == 0))
        x[milp.col_blocks["occupied"]] = np.isin(oz, plan.station)
        ar, ast, _ = self._pairs(instance, d)
        x[milp.col_blocks["assign"]] = ast == plan.station[plan.primary][ar]
        return x

    # ------------------------------------------------------------------ re-check
    def _zones(self, instance: Instance, plan: TeamPlan) -> tuple[Instance, TeamPlan, list[str]]:
        """The zone view, the plan on it and the breaches of the dropped zones' sites."""
        zones, pos = zone_view(instance)
        zplan, breaches = to_zones(plan, pos, instance)
        return zones, zplan, breaches

    def evaluate(self, instance: Instance, plan: TeamPlan) -> float:  # type: ignore[override]
        zones, zplan, _ = self._zones(instance, plan)
        return verify.evaluate(self, zones, zplan)

    def check(self, instance: Instance, plan: TeamPlan) -> list[str]:  # type: ignore[override]
        zones, zplan, breaches = self._zones(instance, plan)
        return breaches + verify.check(self, zones, zplan)

    def check_optimal(self, instance: Instance, plan: TeamPlan) -> list[str]:  # type: ignore[override]
        """Without a workload cap each zone's primary is in a nearest occupied zone."""
        zones, zplan, _ = self._zones(instance, plan)
        return verify.check_optimal(self, zones, zplan)

    # ------------------------------------------------------------------ report
    def report(self, instance: Instance, plan: TeamPlan) -> dict[str, pd.DataFrame]:  # type: ignore[override]
        """Planner tables: ``staffing`` (per zone: minimum, people, teams, surplus),
        ``responders`` (A and B role per zone with times), ``hazard_coverage`` (key zone ×
        hazard -> team, time, standard), ``workload`` (per team), ``rebased`` (from -> to)
        and ``summary`` (zones, teams, people, minima met, re-based teams, dropped zones)."""
        zones, zplan, _ = self._zones(instance, plan)
        return tables(self, zones, zplan)
