"""Team-allocation inputs: the tables, zones and teams resolved into arrays (:class:`TeamData`).

:func:`resolve` validates the model's parameters against a zones × zones
instance (InputError, naming the field); :func:`reach` and :func:`first_by`
are the joins the MILP, the verifier and the report share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.planning.arrays import groups, ranges
from erlocate.planning.inputs import by_label, column, real_array, shown
from erlocate.planning.teams.defaults import normalise
from erlocate.planning.teams.params import TeamParams, lookup, tables, team_table
from erlocate.planning.teams.zones import zone_view

__all__ = ["TeamData", "first_by", "reach", "resolve"]


@dataclass
class TeamData:
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
    params: TeamParams
    #: The square zones × zones view of the instance solved (``zone_view``).
    zones: Instance
    #: Site position of each zone in the instance solved (None: it is square).
    pos: np.ndarray | None
    #: The instance solved (its sites include the zones dropped from demand).
    instance: Instance

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
        order, indptr = groups(dz, self.n)
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


def _join(key: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(query, member position) for every member of each query's group (CSR ``indptr``)."""
    start = indptr[key]
    cnt = indptr[key + 1] - start
    return np.repeat(np.arange(key.size), cnt), ranges(start, cnt)


def reach(
    inst: Instance, zone_ok: np.ndarray, at: np.ndarray, limit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(zone, item, time): zones in ``zone_ok`` reached from items (teams or placements)
    stationed at ``at`` within ``limit`` (per item); joins the instance's stored pairs."""
    ok = zone_ok[inst.pair_rows] & (inst.costs <= limit.max(initial=-np.inf))
    rows, st, cost = inst.pair_rows[ok], inst.indices[ok], inst.costs[ok]
    order, indptr = groups(at, inst.n_demand)
    q, m = _join(st, indptr)
    p = order[m]
    keep = cost[q] <= limit[p]
    return rows[q][keep], p[keep], cost[q][keep]


def first_by(key: np.ndarray, *by: np.ndarray) -> np.ndarray:
    """Position of the first entry per ``key`` once sorted by ``by`` (least significant first)."""
    order = np.lexsort((*by, key))
    k = key[order]
    return order[np.r_[True, k[1:] != k[:-1]]] if k.size else order


def resolve(instance: Instance, **params: Any) -> TeamData:
    """The model's tables and per-zone / per-team inputs on the zones × zones view of
    ``instance`` (:func:`~erlocate.planning.teams.zones.zone_view`).

    ``params`` are :class:`~erlocate.planning.teams.TeamAllocation`'s; those that
    need no instance were checked at construction.
    """
    p = TeamParams(**params)
    inst, pos = zone_view(instance)
    if not inst.site_ids.equals(inst.demand_ids):
        raise InputError(
            "instance: TeamAllocation needs a square zones × zones instance whose site_ids "
            "equal its demand_ids (cost[i, j] = response time from zone j to zone i); got "
            f"{inst.n_demand} demand points × {inst.n_sites} sites",
            field="instance",
        )
    n, ids = inst.n_demand, inst.demand_ids
    t = tables(p)
    level = normalise(_per_zone(inst, p.level, "level"))
    minimum = t.minimum[lookup(level, t.levels, "level", "administrative level", "minima")]
    if p.risk is None:
        risk = np.asarray(inst.weights, float)
    else:
        risk = real_array(_per_zone(inst, p.risk, "risk").to_numpy(), "risk")
        if not (np.isfinite(risk) & (risk >= 0)).all():
            raise InputError("risk: must be finite numbers >= 0, one per zone", field="risk")
    anc = _ancestors(inst, p.parent) if p.nested else (np.arange(n), np.arange(n))
    teams, ttype, size = team_table(p.teams, t.types)
    home = ids.get_indexer(pd.Index(teams["home"]))
    if (home < 0).any():
        gone = pd.Index(teams["home"]).isin(list(inst.dropped))
        why = "; zones dropped from the instance cannot hold a team" if gone.any() else ""
        raise InputError(
            f"teams.home: unknown zone ids {teams['home'][home < 0].head(5).tolist()} for teams "
            f"{teams.index[home < 0][:5].tolist()}; a home must be a zone id of the "
            f"instance{why}",
            field="teams.home",
        )
    reb = (
        teams["rebasable"].to_numpy(bool)
        if "rebasable" in teams.columns
        else np.zeros(len(teams), bool)
    )
    # allowed placements: home for every team, plus zones within the radius if re-basable
    pt = np.repeat(np.flatnonzero(reb), n)
    pz = np.tile(np.arange(n), int(reb.sum()))
    if p.rebase_radius is not None:
        near = inst.cost_of(pz, home[pt]) <= p.rebase_radius
        pt, pz = pt[near], pz[near]
    place = np.unique(np.r_[np.arange(home.size) * n + home, pt * n + pz])
    return TeamData(
        zone_ids=ids,
        level=level.to_numpy(),
        minimum=minimum,
        hazards=t.hazards,
        H=_hazard_matrix(inst, p.hazards, t.hazards),
        key=_key_mask(inst, p.key),
        risk=risk,
        anc=anc,
        types=t.types,
        std=t.std,
        prof=t.prof,
        compat=t.compat,
        team_ids=teams.index,
        ttype=ttype,
        size=size,
        home=home,
        reb=reb,
        place_team=place // n,
        place_zone=place % n,
        params=p,
        zones=inst,
        pos=pos,
        instance=instance,
    )


def _per_zone(inst: Instance, value: Any, fld: str) -> pd.Series:
    """One value per zone (positional) from a demand_frame column, a Series by zone id or a list."""
    n = inst.n_demand
    if isinstance(value, str):
        value = column(
            inst.demand_frame,
            value,
            fld,
            "demand_frame",
            absent=" (the instance has none)",
            advice=f"; pass one value per zone ({n})",
        )
    if isinstance(value, Mapping):
        value = pd.Series(dict(value), dtype=object)
    vals = list(by_label(value, inst.demand_ids, fld, dropped=inst.dropped))
    if len(vals) != n:
        raise InputError(f"{fld}: expected {n} values (one per zone), got {len(vals)}", field=fld)
    return pd.Series(vals, dtype=object)


def _hazard_matrix(inst: Instance, value: Any, hazards: list[str]) -> np.ndarray:
    out = np.zeros((inst.n_demand, len(hazards)), dtype=bool)
    if value is None:
        return out
    if isinstance(value, pd.DataFrame):  # boolean flags, zones × hazards
        extra = set(value.index) - set(inst.demand_ids) - set(inst.dropped)
        if extra or not set(inst.demand_ids) <= set(value.index) or not value.index.is_unique:
            raise InputError(
                "hazards: a DataFrame needs exactly one row per zone id (rows that are not "
                f"zones: {shown(sorted(map(str, extra)))})",
                field="hazards",
            )
        cols = lookup(normalise(list(value.columns)), hazards, "hazards", "hazard", "compatibility")
        flags = value.reindex(inst.demand_ids)
        if not all(flags[c].dtype == bool for c in flags.columns):
            raise InputError(
                "hazards: a DataFrame zones × hazards holds True/False", field="hazards"
            )
        out[:, cols] = flags.to_numpy(bool)
        return out
    per = _per_zone(inst, value, "hazards")
    items = per.map(lambda v: re.split(r"[,;|]", v) if isinstance(v, str) else v).explode()
    items = items[items.notna() & (items.astype(str).str.strip() != "")]
    cols = lookup(normalise(items.to_numpy()), hazards, "hazards", "hazard", "compatibility")
    out[items.index.to_numpy(np.int64), cols] = True
    return out


def _key_mask(inst: Instance, value: Any) -> np.ndarray:
    n = inst.n_demand
    if value is None:
        return np.zeros(n, dtype=bool)
    if isinstance(value, str) or (isinstance(value, pd.Series) and value.dtype == bool):
        col = _per_zone(inst, value, "key")
        if not col.map(lambda v: isinstance(v, (bool, np.bool_))).all():
            raise InputError(f"key: column {value!r} must hold True/False", field="key")
        return col.to_numpy(bool)
    arr = np.asarray(value)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise InputError(f"key: a boolean mask needs {n} entries, got {arr.shape}", field="key")
        return arr.copy()
    wanted = pd.Index(np.atleast_1d(arr).tolist())
    wanted = wanted[~wanted.isin(list(inst.dropped))]  # dropped zones: out of the plan
    pos = inst.demand_ids.get_indexer(wanted)
    if (pos < 0).any():
        raise InputError(f"key: unknown zone ids {shown(wanted[pos < 0])}", field="key")
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
    zs: list[np.ndarray] = [np.arange(inst.n_demand)]
    anc: list[np.ndarray] = [np.arange(inst.n_demand)]
    cur: np.ndarray = up
    for _ in range(inst.n_demand):  # one pass per level of the hierarchy
        has = np.flatnonzero(cur >= 0)
        if not has.size:
            return np.concatenate(zs), np.concatenate(anc)
        zs.append(has)
        anc.append(cur[has])
        cur = np.where(cur >= 0, up[np.maximum(cur, 0)], -1)
    raise InputError("parent: the zone hierarchy has a cycle", field="parent")
