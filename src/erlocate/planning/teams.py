r"""Rescue teams: who is stationed where, who answers each zone, and the staffing minima.

The district plan (BRIEF.md items 1–3) asks that every administrative zone
keep a minimum number of rescue people (district ≥ 50, town/sub-district ≥ 20
— 30 as an option —, village/community ≥ 10), that *key* (high-risk) zones
have a resident professional team for every hazard they face, and that the
command system can answer two incidents at once (A/B roles).
:class:`TeamAllocation` stations existing teams in zones — re-basing the
mobile ones — to meet those rules at the least risk-weighted response time.

Mapping onto the core: the :class:`~erlocate.instance.Instance` is square,
zones × zones: demand point ``i`` and site ``i`` are the same zone, and
``cost[i, j]`` is the response time (minutes) from a team stationed in zone
``j`` to an incident in zone ``i`` (the diagonal is the in-zone time). Teams
are a table given to the model, each with a home zone; a team is stationed in
exactly one zone and counts once, toward that zone's staffing only (unless
``nested=True``).

Formulation
-----------
Zones :math:`z` with minimum :math:`m_z` (from the level), hazards
:math:`H_z`, risk :math:`\rho_z`, key zones :math:`K`; teams :math:`t` with
type :math:`k_t`, size :math:`n_t`, home :math:`h_t`; re-basable teams
:math:`R`, fixed teams :math:`F`; allowed stations :math:`A_t = \{h_t\}` for
:math:`t \in F`, :math:`\{z : c_{z h_t} \le r\} \cup \{h_t\}` for :math:`t \in R`
(:math:`r` = ``rebase_radius``, all zones when None); response standard
:math:`S_k` per type; :math:`C_h` the types able to answer hazard :math:`h`;
:math:`P` the professional types; :math:`N^{S}_{z} = \{(t, z') : c_{z z'} \le
S_{k_t}\}` the placements that reach :math:`z` within standard.

.. math::

    \min\; \sum_z \rho_z \sum_{z'} c_{z z'} a_{z z'}
           + \mu \sum_{t \in R} \sum_{z \ne h_t} s_{t z}

    \text{s.t.}\quad
    \sum_{z \in A_t} s_{t z} = 1 \;\; (t \in R), \qquad
    \sum_{t} n_t\, s_{t z} \ge m_z \;\; (z),

    \sum_{(t,z') \in N^S_z :\, k_t \in C_h \cap P} s_{t z'} \ge 1 \;\; (z \in K, h \in H_z),
    \qquad
    \sum_{(t,z') \in N^S_z :\, k_t \in C_{H_z}} s_{t z'} \ge 2 \;\; (z \in K),

    \sum_{z'} a_{z z'} = 1, \qquad a_{z z'} \le o_{z'} \le \sum_t s_{t z'}, \qquad
    \sum_z a_{z z'} \le W \sum_t s_{t z'},

fixed teams entering as constants (:math:`s_{t h_t} = 1`, no variable);
:math:`s, o, a` binary. :math:`a_{z z'}` makes a team stationed in
:math:`z'` the primary (A) responder of :math:`z`; :math:`o_{z'}` marks an
occupied zone; :math:`W` = ``workload_cap`` (zones a team is primary for);
:math:`\mu` = ``move_cost``. With ``nested=True`` the staffing sum of a zone
also counts teams stationed in the zones below it (``parent``).

Because each team has exactly one station, a sum of :math:`s` over
placements counts *distinct* teams: the second row gives every key zone two
distinct teams within their standards (A/B roles, Hogan & ReVelle 1986
backup coverage). The workload row is per station zone, yet exact: the
zones assigned to a station are dealt round-robin to the teams there, so none
gets more than :math:`\lceil \text{zones}/\text{teams} \rceil \le W`.

Exact reductions: fixed teams have no variable (their people and counts
move to the row bounds, rows they already satisfy are dropped); zones holding
a fixed team are always occupied (no :math:`o`, no link row); placements and
pairs beyond a standard or ``max_response`` get no entry; without a workload
cap a zone is never assigned farther than its nearest zone holding a fixed
team (that assignment is always feasible and no constraint couples
:math:`a` otherwise).

References
----------
Hogan, K. & ReVelle, C. (1986). Concepts and applications of backup coverage.
*Management Science* 32(11), 1434–1444. — Schilling, D. et al. (1979). The
TEAM/FLEET models for simultaneous facility and equipment siting.
*Transportation Science* 13(2), 163–175. — Shangjie district 14th five-year
emergency plan (BRIEF.md items 1–3); team-to-zone staffing: reference/domain.md
§12 (an erlocate generalisation, no single classical source).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError, InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, check_max_cost
from erlocate.plan import TOL, Plan, nearest_open

__all__ = [
    "DEFAULT_COMPATIBILITY",
    "DEFAULT_MINIMA",
    "DEFAULT_STANDARDS",
    "PROFESSIONAL_TYPES",
    "TeamAllocation",
    "TeamPlan",
]

#: Minimum rescue people per zone by administrative level. BRIEF.md item 1 (the
#: provincial rule quoted in the district plan): city 200, county/district 50,
#: town/sub-district 20 (the plan also says 30 for towns and functional zones:
#: pass ``minima={"town": 30, "sub_district": 30, "functional_zone": 30}``),
#: village/community 10.
DEFAULT_MINIMA: dict[str, float] = {
    "city": 200,
    "district": 50,
    "town": 20,
    "sub_district": 20,
    "functional_zone": 20,
    "village": 10,
    "community": 10,
}

#: Response standard (minutes, travel from the station) per team type. Fire 5:
#: 建标152-2017, BRIEF.md item 4; hazmat 5: our assumption (answered by the fire
#: service's special units, same standard); medical 9: the US urban EMS norm
#: 8:59 (reference/domain.md §2). All others are ILLUSTRATIVE — no standard was
#: found; set your own.
DEFAULT_STANDARDS: dict[str, float] = {
    "fire": 5.0,
    "hazmat": 5.0,
    "medical": 9.0,
    "patrol": 15.0,
    "forest_fire": 30.0,
    "flood": 30.0,
    "geological": 30.0,
    "militia": 30.0,
    "community": 10.0,
    "volunteer": 15.0,
}

#: Team types able to answer each hazard. OUR ASSUMPTION, following the
#: district plan's force structure (seeds/002: fire rescue as the "all-hazard"
#: main force, militia as the backbone, specialised crews): forest fire by
#: forest rangers, fire rescue and militia; flood by flood crews and militia;
#: geological collapse by geological, fire-rescue and militia teams; hazmat by
#: hazmat and fire teams; earthquake by fire rescue, militia and geological teams.
DEFAULT_COMPATIBILITY: dict[str, tuple[str, ...]] = {
    "fire": ("fire",),
    "forest_fire": ("forest_fire", "fire", "militia"),
    "flood": ("flood", "militia"),
    "geological": ("geological", "fire", "militia"),
    "hazmat": ("hazmat", "fire"),
    "earthquake": ("fire", "militia", "geological"),
}

#: Types counted as professional forces (BRIEF.md: the district's 5 professional
#: forces — fire rescue, forest rangers, flood crews, public-security patrol,
#: militia — plus specialised teams); community and volunteer teams are not.
PROFESSIONAL_TYPES: tuple[str, ...] = (
    "fire",
    "forest_fire",
    "flood",
    "geological",
    "hazmat",
    "medical",
    "militia",
    "patrol",
)

_ALIASES = {
    "county": "district",
    "township": "town",
    "subdistrict": "sub_district",
    "functional_area": "functional_zone",
    "forest": "forest_fire",
    "forest_ranger": "forest_fire",
    "forest_rangers": "forest_fire",
    "fire_rescue": "fire",
    "geohazard": "geological",
    "collapse": "geological",
    "landslide": "geological",
    "hazardous_chemical": "hazmat",
    "chemical": "hazmat",
    "volunteers": "volunteer",
    "public_security_patrol": "patrol",
}


def _norm(values: Any) -> pd.Series:
    s = pd.Series(values, dtype=object).astype(str).str.strip().str.lower()
    return s.str.replace(r"[\s\-/]+", "_", regex=True).replace(_ALIASES)


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


@dataclass
class _Data:
    """Inputs resolved into arrays aligned with the zones (instance) and the team table."""

    zone_ids: pd.Index
    level: np.ndarray
    minimum: np.ndarray
    hazards: list[str]
    H: np.ndarray  # zones × hazards
    key: np.ndarray
    risk: np.ndarray
    anc: tuple[np.ndarray, np.ndarray]  # (zone, ancestor-or-self) pairs
    types: list[str]
    std: np.ndarray  # per type
    prof: np.ndarray  # per type
    compat: np.ndarray  # hazards × types
    team_ids: pd.Index
    ttype: np.ndarray
    size: np.ndarray
    home: np.ndarray
    reb: np.ndarray
    place_team: np.ndarray  # allowed placements (team, zone); a fixed team has one
    place_zone: np.ndarray

    @property
    def n(self) -> int:
        return len(self.zone_ids)

    @property
    def suit(self) -> np.ndarray:
        """Zones × types: the type answers one of the zone's hazards (any type if none)."""
        s = (self.H.astype(int) @ self.compat.astype(int)) > 0
        s[~self.H.any(axis=1)] = True
        return s

    @property
    def fixed_count(self) -> np.ndarray:
        """Fixed teams per zone (those zones are always occupied)."""
        return np.bincount(self.home[~self.reb], minlength=self.n)

    @property
    def candidate(self) -> np.ndarray:
        """Zones where some team may be stationed."""
        return np.bincount(self.place_zone, minlength=self.n) > 0

    def up(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(item, zone) for every zone whose staffing an item stationed at ``at`` counts toward."""
        dz, az = self.anc
        order, indptr = _groups(dz, self.n)
        q, m = _join(at, indptr)
        return q, az[order[m]]

    def people(self, station: np.ndarray) -> np.ndarray:
        """People counted toward each zone's minimum when team ``t`` is in ``station[t]``."""
        q, z = self.up(station)
        return np.bincount(z, self.size[q], minlength=self.n)

    def zlist(self, z: np.ndarray) -> list:
        return self.zone_ids[z[:5]].tolist() + (["..."] if z.size > 5 else [])

    def tlist(self, t: np.ndarray) -> list:
        return self.team_ids[t[:5]].tolist() + (["..."] if t.size > 5 else [])


def _groups(key: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(key, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=indptr[1:])
    return order, indptr


def _join(key: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(query, member position) for every member of each query's group (CSR ``indptr``)."""
    start = indptr[key]
    cnt = indptr[key + 1] - start
    q = np.repeat(np.arange(key.size), cnt)
    return q, np.repeat(start - (np.cumsum(cnt) - cnt), cnt) + np.arange(q.size)


def _reach(
    inst: Instance, zone_ok: np.ndarray, at: np.ndarray, limit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(zone, item, time): zones in ``zone_ok`` reached from items (teams or placements)
    stationed at ``at`` within ``limit`` (per item); joins the instance's stored pairs."""
    ok = zone_ok[inst.pair_rows] & (inst.costs <= limit.max(initial=-np.inf))
    rows, st, cost = inst.pair_rows[ok], inst.indices[ok], inst.costs[ok]
    order, indptr = _groups(at, inst.n_demand)
    q, m = _join(st, indptr)
    p = order[m]
    keep = cost[q] <= limit[p]
    return rows[q][keep], p[keep], cost[q][keep]


def _first(key: np.ndarray, *by: np.ndarray) -> np.ndarray:
    """Position of the first entry per ``key`` once sorted by ``by`` (least significant first)."""
    order = np.lexsort((*by, key))
    k = key[order]
    return order[np.r_[True, k[1:] != k[:-1]]] if k.size else order


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

    See the module docstring for the formulation. The instance is zones ×
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
    def validate(self, instance: Instance) -> None:
        if self.workload_cap is not None and (
            isinstance(self.workload_cap, bool)
            or not isinstance(self.workload_cap, (int, np.integer))
            or self.workload_cap < 1
        ):
            raise InputError(
                f"workload_cap: must be a positive integer number of zones, got "
                f"{self.workload_cap!r}",
                field="workload_cap",
            )
        d = _resolve(self, instance)
        n, T = d.n, len(d.team_ids)
        # 1. people in all vs the sum of minima (bottom-up "need" when nested)
        total = float(_need(d).sum()) if self.nested else float(d.minimum.sum())
        have = float(d.size.sum())
        if have < total - 1e-9:
            lv = pd.DataFrame({"level": d.level, "m": d.minimum}).groupby("level", sort=False)
            lv = lv["m"].agg(["size", "first"]).sort_values("first", ascending=False, kind="stable")
            parts = ", ".join(f"{r.Index} {r.size} × {r.first:g}" for r in lv.itertuples())
            raise InfeasibleError(
                f"staffing minima need {total:,.0f} people; {have:,.0f} available "
                f"({'nested: ' if self.nested else ''}{parts}; {T} teams). Add community or "
                f"volunteer teams ({total - have:,.0f} more people) or lower the minima"
            )
        # 2. per zone: people that could be stationed there (or below it, nested)
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
        # 3. deficits left by the fixed teams vs people in re-basable teams (not nested)
        if not self.nested:
            fixed = np.bincount(d.home[~d.reb], d.size[~d.reb], minlength=n)
            deficit = np.maximum(d.minimum - fixed, 0)
            mov = float(d.size[d.reb].sum())
            if deficit.sum() > mov + 1e-9:
                lack = np.flatnonzero(deficit > 0)
                raise InfeasibleError(
                    f"after the fixed (non-re-basable) teams, staffing minima still need "
                    f"{deficit.sum():,.0f} people in {lack.size} zone(s) {d.zlist(lack)}; the "
                    f"re-basable teams hold {mov:,.0f} (a fixed team's surplus cannot move)"
                )
        # 4./5. key zones: each hazard within reach of a professional team; two teams
        z, p, _ = _reach(instance, d.key, d.place_zone, d.std[d.ttype[d.place_team]])
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
        if self.backup:
            ok = d.suit[z, pty]
            cnt = np.bincount(np.unique(z[ok] * T + d.place_team[p[ok]]) // T, minlength=n)
            lost = np.flatnonzero(d.key & (cnt < 2))
            if lost.size:
                raise InfeasibleError(
                    f"backup (A/B) cover: key zone(s) {d.zlist(lost)} can have at most "
                    f"{int(cnt[lost[0]])} distinct suitable team(s) within standard, 2 needed; "
                    "add or re-base teams, or set backup=False"
                )
        # 6./7. primary responders: every zone reaches a possible station; workload
        ok = d.candidate[instance.indices] & instance.pair_mask(self.max_response)
        lost = np.setdiff1d(np.arange(n), instance.pair_rows[ok])
        if lost.size:
            within = "" if self.max_response is None else f" within {self.max_response:g}"
            raise InfeasibleError(
                f"zone(s) {d.zlist(lost)} reach no zone where a team can be stationed{within}, "
                "so they get no primary responder; raise max_response or re-base teams nearer"
            )
        if self.workload_cap is not None and self.workload_cap * T < n:
            raise InfeasibleError(
                f"workload: {T} teams × at most {self.workload_cap} zones each = "
                f"{self.workload_cap * T} < {n} zones needing a primary responder; "
                "raise workload_cap"
            )

    # ------------------------------------------------------------------ MILP
    def _pairs(self, inst: Instance, d: _Data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Primary-responder pairs (zone, station zone, time) the model allocates over."""
        ok = d.candidate[inst.indices] & inst.pair_mask(self.max_response)
        if self.workload_cap is None:  # never farther than the nearest zone with a fixed team
            _, best = nearest_open(inst, d.fixed_count > 0, self.max_response)
            ok &= inst.costs <= best[inst.pair_rows]
        return inst.pair_rows[ok], inst.indices[ok], inst.costs[ok]

    def build(self, instance: Instance) -> Milp:
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
        d = _resolve(self, instance)
        mov = np.flatnonzero(d.reb[d.place_team])
        first = mov[_first(d.place_team[mov], -milp.block(x, "station"))]  # largest s per team
        station = d.home.copy()
        station[d.place_team[first]] = d.place_zone[first]
        ar, ast, _ = self._pairs(instance, d)
        first = _first(ar, -milp.block(x, "assign"))
        at = np.full(d.n, -1)
        at[ar[first]] = ast[first]
        return self._plan(instance, d, station, at)

    def _plan(self, inst: Instance, d: _Data, station: np.ndarray, at: np.ndarray) -> TeamPlan:
        """Team-level plan: the zones sent to a station are dealt round-robin to its teams."""
        torder, tptr = _groups(station, d.n)
        cnt = np.diff(tptr)
        zorder = np.lexsort((np.arange(d.n), at))
        zs = at[zorder]
        rank = np.arange(d.n) - np.searchsorted(zs, zs, side="left")
        ok = (zs >= 0) & (cnt[np.maximum(zs, 0)] > 0)
        primary = np.full(d.n, -1)
        primary[zorder[ok]] = torder[tptr[zs[ok]] + rank[ok] % cnt[zs[ok]]]
        # B role: nearest team other than the primary (key zones: suitable, within standard)
        z, t, c = _reach(inst, np.ones(d.n, bool), station, np.full(station.size, np.inf))
        ty = d.ttype[t]
        keep = (t != primary[z]) & (~d.key[z] | (d.suit[z, ty] & (c <= d.std[ty])))
        first = _first(z[keep], t[keep], c[keep])
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

    def encode(self, instance: Instance, milp: Milp, plan: TeamPlan) -> np.ndarray:  # type: ignore[override]
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
    def evaluate(self, instance: Instance, plan: TeamPlan) -> float:  # type: ignore[override]
        d = _resolve(self, instance)
        st, pr = np.asarray(plan.station), np.asarray(plan.primary)
        if st.shape != d.home.shape or pr.shape != (d.n,) or not _valid(st, d.n, pr, d.home.size):
            return float("nan")  # check() reports the malformed plan
        time = instance.cost_of(np.arange(d.n), st[pr])
        return float(np.sum(d.risk * time)) + float(self.move_cost) * int((st != d.home).sum())

    def check(self, instance: Instance, plan: TeamPlan) -> list[str]:  # type: ignore[override]
        d = _resolve(self, instance)
        n, T = d.n, len(d.team_ids)
        st, pr, bk = (np.asarray(getattr(plan, f)) for f in ("station", "primary", "backup"))
        if st.shape != (T,) or pr.shape != (n,) or bk.shape != (n,):
            return [
                f"plan shapes: station {st.shape} for {T} teams, primary/backup "
                f"{pr.shape}/{bk.shape} for {n} zones"
            ]
        if not _valid(st, n, pr, T):
            return ["plan refers to zones or teams outside the data, or a zone has no primary"]
        out: list[str] = []
        moved = np.flatnonzero(~d.reb & (st != d.home))
        if moved.size:
            out.append(f"fixed (non-re-basable) teams moved from home: {d.tlist(moved)}")
        if self.rebase_radius is not None:
            far = (st != d.home) & (instance.cost_of(st, d.home) > self.rebase_radius + TOL.abs)
            if far.any():
                out.append(
                    f"teams re-based beyond rebase_radius {self.rebase_radius:g}: "
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
        z, t, _ = _reach(instance, d.key, st, d.std[d.ttype])
        ty = d.ttype[t]
        for h, hz in enumerate(d.hazards):  # a handful of hazards
            lost = np.setdiff1d(np.flatnonzero(d.key & d.H[:, h]), z[d.compat[h, ty] & d.prof[ty]])
            if lost.size:
                out.append(
                    f"key zone(s) {d.zlist(lost)} face {hz} with no suitable "
                    "professional team within standard"
                )
        if self.backup:
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
        time = instance.cost_of(np.arange(n), st[pr])
        lim = np.inf if self.max_response is None else self.max_response
        far = np.flatnonzero(~(time <= lim + TOL.abs))
        if far.size:
            out.append(
                f"primary responders unreachable or beyond max_response for zone(s) {d.zlist(far)}"
            )
        if self.workload_cap is not None:
            load = np.bincount(pr, minlength=T)
            over = np.flatnonzero(load > self.workload_cap)
            if over.size:
                out.append(
                    f"workload above {self.workload_cap} zones for team(s) "
                    f"{d.tlist(over)} ({load[over][:5].tolist()})"
                )
        idx = np.asarray(plan.demand_idx)
        if (
            not np.array_equal(plan.open, np.bincount(st, minlength=n) > 0)
            or not np.array_equal(np.sort(idx), np.arange(n))
            or not np.array_equal(plan.site_idx, st[pr[idx]])
        ):
            out.append("plan.open / demand_idx / site_idx disagree with the team stations")
        return out

    def check_optimal(self, instance: Instance, plan: TeamPlan) -> list[str]:  # type: ignore[override]
        """Without a workload cap each zone's primary is in a nearest occupied zone."""
        if self.workload_cap is not None:
            return []
        occupied = np.bincount(plan.station, minlength=instance.n_demand) > 0
        _, best = nearest_open(instance, occupied, self.max_response)
        time = instance.cost_of(np.arange(instance.n_demand), plan.station[plan.primary])
        worse = np.flatnonzero(time > best + TOL.abs)
        if worse.size:
            return [
                f"zones {instance.demand_ids[worse[:5]].tolist()} have a farther primary "
                "responder than the nearest occupied zone although the plan is optimal"
            ]
        return []

    # ------------------------------------------------------------------ report
    def report(self, instance: Instance, plan: TeamPlan) -> dict[str, pd.DataFrame]:  # type: ignore[override]
        """Planner tables: ``staffing`` (per zone: minimum, people, teams, surplus),
        ``responders`` (A and B role per zone with times), ``hazard_coverage`` (key zone ×
        hazard -> team, time, standard), ``workload`` (per team) and ``rebased`` (from -> to)."""
        d = _resolve(self, instance)
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
        z, t, c = _reach(instance, d.key, st, np.full(T, np.inf))
        zz, hh = np.nonzero(d.key[:, None] & d.H)
        team = np.full(zz.size, -1)
        for h in range(len(d.hazards)):  # a handful of hazards
            ok = d.compat[h, d.ttype[t]] & d.prof[d.ttype[t]] & d.H[z, h]
            late = c[ok] > d.std[d.ttype[t[ok]]]
            first = _first(z[ok], t[ok], c[ok], late)
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
                "cap": self.workload_cap,
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
        return {
            "staffing": staffing,
            "responders": responders,
            "hazard_coverage": cover,
            "workload": workload,
            "rebased": rebased,
        }


# ---------------------------------------------------------------------- inputs
def _resolve(model: TeamAllocation, inst: Instance) -> _Data:
    """Validate the model's tables and the per-zone / per-team inputs; arrays for the model."""
    if not inst.site_ids.equals(inst.demand_ids):
        raise InputError(
            "instance: TeamAllocation needs a square zones × zones instance whose site_ids "
            "equal its demand_ids (cost[i, j] = response time from zone j to zone i); got "
            f"{inst.n_demand} demand points × {inst.n_sites} sites",
            field="instance",
        )
    for name in ("max_response", "rebase_radius"):
        check_max_cost(getattr(model, name), name, optional=True)
    if not np.isfinite(check_max_cost(model.move_cost, "move_cost")):
        raise InputError("move_cost: must be finite", field="move_cost")
    n, ids = inst.n_demand, inst.demand_ids
    # tables: minima per level, standards per type, compatibility hazard -> types
    minima = {**DEFAULT_MINIMA, **dict(model.minima or {})}
    stds = {**DEFAULT_STANDARDS, **dict(model.standards or {})}
    comp = {**DEFAULT_COMPATIBILITY, **dict(model.compatibility or {})}
    for name, table, low in (("minima", minima, 0.0), ("standards", stds, 1e-300)):
        v = pd.to_numeric(pd.Series(table, dtype=object), errors="coerce").astype(float)
        bad = v[~(np.isfinite(v) & (v >= low))]
        if len(bad):
            raise InputError(
                f"{name}: values must be numbers {'> 0 minutes' if low else '>= 0 people'}; "
                f"bad entries {dict(bad.head(3))}",
                field=name,
            )
    types = list(_norm(list(stds)))
    hazards = list(_norm(list(comp)))
    compat = np.zeros((len(hazards), len(types)), dtype=bool)
    for h, answer in enumerate(comp.values()):  # a handful of hazards
        names = _norm([answer] if isinstance(answer, str) else list(answer))
        compat[h, _lookup(names, types, "compatibility", "team type", "standards")] = True
    given = model.professional
    given = _norm([given] if isinstance(given, str) else list(given))
    prof = np.zeros(len(types), dtype=bool)
    prof[_lookup(given, types, "professional", "team type", "standards")] = True
    # zones
    level = _norm(_per_zone(inst, model.level, "level"))
    minimum = np.asarray(list(minima.values()), float)[
        _lookup(level, list(_norm(list(minima))), "level", "administrative level", "minima")
    ]
    if model.risk is None:
        risk = np.asarray(inst.weights, float)
    else:
        risk = pd.to_numeric(_per_zone(inst, model.risk, "risk"), errors="coerce").to_numpy(float)
        if not (np.isfinite(risk) & (risk >= 0)).all():
            raise InputError("risk: must be finite numbers >= 0, one per zone", field="risk")
    anc = _ancestors(inst, model.parent) if model.nested else (np.arange(n), np.arange(n))
    # teams
    teams = model.teams
    if not isinstance(teams, pd.DataFrame):
        raise InputError(
            "teams: expected a pandas DataFrame with columns type, size, home[, rebasable], got "
            f"{type(teams).__name__}",
            field="teams",
        )
    teams = teams.set_index("id") if "id" in teams.columns else teams
    missing = [c for c in ("type", "size", "home") if c not in teams.columns]
    if missing or teams.empty or not teams.index.is_unique:
        raise InputError(
            f"teams: needs rows with unique ids and columns type, size, home (missing "
            f"{missing}, duplicated ids {teams.index[teams.index.duplicated()][:5].tolist()})",
            field="teams",
        )
    ttype = _lookup(_norm(teams["type"].to_numpy()), types, "teams.type", "team type", "standards")
    size = pd.to_numeric(teams["size"], errors="coerce").to_numpy(float)
    bad = ~(np.isfinite(size) & (size > 0))
    if bad.any():
        raise InputError(
            f"teams.size: team sizes must be positive numbers of people; bad for teams "
            f"{teams.index[bad][:5].tolist()} ({teams['size'][bad].head(3).tolist()})",
            field="teams.size",
        )
    home = ids.get_indexer(pd.Index(teams["home"]))
    if (home < 0).any():
        raise InputError(
            f"teams.home: unknown zone ids {teams['home'][home < 0].head(5).tolist()} for teams "
            f"{teams.index[home < 0][:5].tolist()}; a home must be a zone id of the instance",
            field="teams.home",
        )
    reb = teams["rebasable"] if "rebasable" in teams.columns else pd.Series(False, teams.index)
    if not reb.isin([True, False, 0, 1]).all():
        raise InputError("teams.rebasable: must be True/False per team", field="teams.rebasable")
    reb = reb.to_numpy(bool)
    # allowed placements: home for every team, plus zones within the radius if re-basable
    pt = np.repeat(np.flatnonzero(reb), n)
    pz = np.tile(np.arange(n), int(reb.sum()))
    if model.rebase_radius is not None:
        near = inst.cost_of(pz, home[pt]) <= model.rebase_radius
        pt, pz = pt[near], pz[near]
    place = np.unique(np.r_[np.arange(home.size) * n + home, pt * n + pz])
    return _Data(
        zone_ids=ids,
        level=level.to_numpy(),
        minimum=minimum,
        hazards=hazards,
        H=_hazard_matrix(inst, model.hazards, hazards),
        key=_key_mask(inst, model.key),
        risk=risk,
        anc=anc,
        types=types,
        std=np.asarray(list(stds.values()), float),
        prof=prof,
        compat=compat,
        team_ids=teams.index,
        ttype=ttype,
        size=size,
        home=home,
        reb=reb,
        place_team=place // n,
        place_zone=place % n,
    )


def _lookup(names: pd.Series, known: list[str], fld: str, what: str, table: str) -> np.ndarray:
    """Positions of ``names`` in ``known``; InputError naming the unknown ones."""
    pos = pd.Index(known).get_indexer(pd.Index(names))
    if (pos < 0).any():
        bad = sorted(set(pd.Series(names)[pos < 0].astype(str)))
        raise InputError(
            f"{fld}: unknown {what}(s) {bad[:5]}; known: {known}. Use one of these or add it "
            f"to {table}=",
            field=fld,
        )
    return pos


def _per_zone(inst: Instance, value: Any, fld: str) -> pd.Series:
    """One value per zone (positional) from a demand_frame column, a Series by zone id or a list."""
    n = inst.n_demand
    if isinstance(value, str):
        frame = inst.demand_frame
        if frame is None or value not in frame.columns:
            raise InputError(
                f"{fld}: no column {value!r} in instance.demand_frame"
                + (" (the instance has none)" if frame is None else "")
                + f"; pass one value per zone ({n})",
                field=fld,
            )
        value = frame[value]
    if isinstance(value, pd.Series) and set(value.index) == set(inst.demand_ids):
        value = value.reindex(inst.demand_ids)
    vals = list(value.to_numpy() if isinstance(value, pd.Series) else value)
    if len(vals) != n:
        raise InputError(f"{fld}: expected {n} values (one per zone), got {len(vals)}", field=fld)
    return pd.Series(vals, dtype=object)


def _hazard_matrix(inst: Instance, value: Any, hazards: list[str]) -> np.ndarray:
    out = np.zeros((inst.n_demand, len(hazards)), dtype=bool)
    if value is None:
        return out
    if isinstance(value, pd.DataFrame):  # boolean flags, zones × hazards
        if set(value.index) != set(inst.demand_ids):
            raise InputError("hazards: a DataFrame needs one row per zone id", field="hazards")
        cols = _lookup(_norm(list(value.columns)), hazards, "hazards", "hazard", "compatibility")
        out[:, cols] = value.reindex(inst.demand_ids).fillna(False).to_numpy(bool)
        return out
    per = _per_zone(inst, value, "hazards")
    items = per.map(lambda v: re.split(r"[,;|]", v) if isinstance(v, str) else v).explode()
    items = items[items.notna() & (items.astype(str).str.strip() != "")]
    cols = _lookup(_norm(items.to_numpy()), hazards, "hazards", "hazard", "compatibility")
    out[items.index.to_numpy(np.int64), cols] = True
    return out


def _key_mask(inst: Instance, value: Any) -> np.ndarray:
    n = inst.n_demand
    if value is None:
        return np.zeros(n, dtype=bool)
    if isinstance(value, str):
        col = _per_zone(inst, value, "key")
        if not col.isin([True, False, 0, 1]).all():
            raise InputError(f"key: column {value!r} must hold True/False", field="key")
        return col.to_numpy(bool)
    arr = np.asarray(value)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InputError(f"key: a boolean mask needs {n} entries, got {arr.shape}", field="key")
        return arr.copy()
    pos = inst.demand_ids.get_indexer(pd.Index(np.atleast_1d(arr)))
    if (pos < 0).any():
        raise InputError(
            f"key: unknown zone ids {np.atleast_1d(arr)[pos < 0][:5].tolist()}", field="key"
        )
    return np.isin(np.arange(n), pos)


def _ancestors(inst: Instance, parent: Any) -> tuple[np.ndarray, np.ndarray]:
    """(zone, ancestor-or-self) pairs, walking up the parent of each zone level by level."""
    if parent is None:
        raise InputError("parent: nested=True needs the parent zone of each zone", field="parent")
    per = _per_zone(inst, parent, "parent")
    given = per.notna().to_numpy()
    up = np.full(inst.n_demand, -1)
    up[given] = inst.demand_ids.get_indexer(pd.Index(per[given]))
    if (up[given] < 0).any():
        bad = per[given][up[given] < 0].head(5).tolist()
        raise InputError(f"parent: unknown zone ids {bad}", field="parent")
    zs, anc, cur = [np.arange(inst.n_demand)], [np.arange(inst.n_demand)], up
    for _ in range(inst.n_demand):  # one pass per level of the hierarchy
        has = np.flatnonzero(cur >= 0)
        if not has.size:
            return np.concatenate(zs), np.concatenate(anc)
        zs.append(has)
        anc.append(cur[has])
        cur = np.where(cur >= 0, up[np.maximum(cur, 0)], -1)
    raise InputError("parent: the zone hierarchy has a cycle", field="parent")


def _need(d: _Data) -> np.ndarray:
    """Nested minima: a zone's subtree needs max(own minimum, sum of its children's needs)."""
    dz, az = d.anc
    depth = np.bincount(dz, minlength=d.n) - 1
    parent = np.full(d.n, -1)
    direct = (dz != az) & (depth[dz] == depth[az] + 1)
    parent[dz[direct]] = az[direct]
    need = d.minimum.astype(float)
    for lv in range(int(depth.max()), 0, -1):  # deepest level first
        zs = np.flatnonzero(depth == lv)
        child = np.bincount(parent[zs], need[zs], minlength=d.n)
        top = np.flatnonzero(depth == lv - 1)
        need[top] = np.maximum(d.minimum[top], child[top])
    return need[depth == 0]


def _valid(station: np.ndarray, n: int, primary: np.ndarray, n_teams: int) -> bool:
    return bool(
        ((station >= 0) & (station < n)).all() and ((primary >= 0) & (primary < n_teams)).all()
    )
