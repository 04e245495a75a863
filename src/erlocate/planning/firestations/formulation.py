r"""The fire-station MILP: built, decoded and encoded from :class:`FireData` alone.

The formulation is in the docstring of
:class:`~erlocate.planning.firestations.FireStations`; second coverage and
closest districts are in :mod:`~erlocate.planning.firestations.rows`. The
reductions here are the builder's own (no :math:`z_{ij}` where :math:`a_i`
exceeds every cap allowed at :math:`j`, :math:`K_t = \infty` replaced by
:math:`\sum_i a_i`); the verifier does not see them.
"""

from __future__ import annotations

import numpy as np

from erlocate.milp import Milp, MilpBuilder
from erlocate.models.blocks import add_link
from erlocate.plan import Plan, coverage_counts
from erlocate.planning.firestations import rows
from erlocate.planning.firestations.inputs import FireData
from erlocate.planning.firestations.plan import StationPlan

__all__ = ["add_stations", "decode", "district_caps", "encode", "formulate", "least_cost", "usable"]


def district_caps(d: FireData) -> np.ndarray:
    """Area cap per type, ``inf`` replaced by the total area (exact: no district holds more)."""
    return np.where(np.isinf(d.cap), max(float(d.area.sum()), 1.0), d.cap)


def usable(d: FireData) -> np.ndarray:
    """Of the pairs ``d.rows, d.cols``, those a district may hold (area fits an allowed type)."""
    largest = np.where(d.allowed, district_caps(d)[None, :], -1.0).max(axis=1)
    return d.area[d.rows] <= largest[d.cols]


def add_stations(b: MilpBuilder, d: FireData) -> tuple[np.ndarray, np.ndarray]:
    """The open columns x and type columns y (one per allowed site × type), and sum_t y = x."""
    m, cover_all = d.instance.n_sites, d.params.mode == "cover_all"
    cnt = d.counted.astype(float)
    x = b.add_cols(
        "open",
        m,
        obj=d.fixed * cnt if cover_all else 0.0,
        lb=d.instance.required.astype(float),
        ub=d.allowed.any(axis=1).astype(float),
        integer=True,
    )
    js, ts = np.nonzero(d.allowed)
    y = b.add_cols(
        "type", js.size, obj=d.cost[ts] * cnt[js] if cover_all else 0.0, ub=1.0, integer=True
    )
    b.add_rows(  # sum_t y_jt - x_j = 0
        "one_type",
        rows=np.concatenate([js, np.arange(m)]),
        cols=np.concatenate([y, x]),
        vals=np.concatenate([np.ones(js.size), -np.ones(m)]),
        lb=0.0,
        ub=0.0,
        n_rows=m,
    )
    return x, y


def _districts(
    b: MilpBuilder, d: FireData, use: np.ndarray, x: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """The district columns z of the usable pairs, their link, area and once-only rows."""
    ri, rj = d.rows[use], d.cols[use]
    js, ts = np.nonzero(d.allowed)
    cover_all = d.params.mode == "cover_all"
    z = b.add_cols("assign", ri.size, obj=0.0 if cover_all else d.weight[ri], ub=1.0, integer=True)
    add_link(b, z, x[rj])  # z_ij - x_j <= 0
    b.add_rows(  # sum_i a_i z_ij - sum_t K_t y_jt <= 0
        "area",
        rows=np.concatenate([rj, js]),
        cols=np.concatenate([z, y]),
        vals=np.concatenate([d.area[ri], -district_caps(d)[ts]]),
        ub=0.0,
        n_rows=d.instance.n_sites,
    )
    b.add_rows(
        "assign_once",
        rows=ri,
        cols=z,
        vals=1.0,
        lb=d.must.astype(float),
        ub=1.0,
        n_rows=d.instance.n_demand,
    )
    return z


def add_limits(b: MilpBuilder, d: FireData, x: np.ndarray, y: np.ndarray) -> None:
    """The budget row (counted sites) and the max_new row (new stations)."""
    p = d.params
    if p.budget is not None:
        js, ts = np.nonzero(d.allowed)
        sel = d.counted[js]
        c = np.flatnonzero(d.counted)
        b.add_rows(
            "budget",
            rows=np.zeros(c.size + int(sel.sum())),
            cols=np.concatenate([x[c], y[sel]]),
            vals=np.concatenate([d.fixed[c], d.cost[ts[sel]]]),
            ub=float(p.budget),
            n_rows=1,
        )
    if p.max_new is not None:
        new = np.flatnonzero(~d.instance.required)
        b.add_rows(
            "max_new",
            rows=np.zeros(new.size),
            cols=x[new],
            vals=1.0,
            ub=float(p.max_new),
            n_rows=1,
        )


def formulate(d: FireData) -> Milp:
    """The fire-station MILP; the formulation is in
    :class:`~erlocate.planning.firestations.FireStations`."""
    p = d.params
    b = MilpBuilder(f"fire-stations-{p.mode}", p.sense)
    use = usable(d)
    x, y = add_stations(b, d)
    z = _districts(b, d, use, x, y)
    add_limits(b, d, x, y)
    if p.second_cover is not None:
        rows.second_rows(b, d, x, z, d.rows[use])
    if p.closest:
        rows.closest_rows(b, d, use, x, z)
    return b.build()


def least_cost(d: FireData, milp: Milp) -> np.ndarray:
    """The cost of a plan as a column vector of ``milp``: site and type costs of counted sites."""
    js, ts = np.nonzero(d.allowed)
    cost = np.zeros(milp.n_cols)
    cost[milp.col_blocks["open"]] = d.fixed * d.counted
    cost[milp.col_blocks["type"]] = d.cost[ts] * d.counted[js]
    return cost


def decode(d: FireData, milp: Milp, x: np.ndarray) -> StationPlan:
    """The plan in the solver's vector: open sites, their types and the districts."""
    js, ts = np.nonzero(d.allowed)
    st = np.full(d.instance.n_sites, -1, dtype=np.int64)
    on = np.round(milp.block(x, "type")) > 0.5
    st[js[on]] = ts[on]
    zv = np.round(milp.block(x, "assign")) > 0.5
    use = usable(d)
    return StationPlan(
        np.round(milp.block(x, "open")) > 0.5,
        d.rows[use][zv],
        d.cols[use][zv],
        np.ones(int(zv.sum())),
        station_type=st,
    )


def encode(d: FireData, milp: Milp, plan: Plan) -> np.ndarray:
    """A column vector for ``plan`` (a warm start); a plain Plan has no types set."""
    instance = d.instance
    out = np.zeros(milp.n_cols)
    out[milp.col_blocks["open"]] = plan.open.astype(float)
    st = getattr(plan, "station_type", np.full(instance.n_sites, -1))
    js, ts = np.nonzero(d.allowed)
    out[milp.col_blocks["type"]] = (st[js] == ts) & plan.open[js]
    use = usable(d)
    keys = d.rows[use] * instance.n_sites + d.cols[use]
    assigned = np.isin(keys, plan.demand_idx * instance.n_sites + plan.site_idx)
    out[milp.col_blocks["assign"]] = assigned
    if "second" in milp.col_blocks:
        pts = rows.second_points(d)
        a = np.bincount(plan.demand_idx, minlength=instance.n_demand)[pts]
        cnt = coverage_counts(instance, plan.open, d.limit)[pts]
        out[milp.col_blocks["second"]] = np.clip(np.minimum(cnt - a, a), 0, 1)
    return out
