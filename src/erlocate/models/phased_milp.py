"""The phased MCLP's canonical MILP: build, decode and encode (see :class:`PhasedMCLP
<erlocate.models.phased.PhasedMCLP>` for the formulation).

Columns: ``open`` holds :math:`x_{jt}` for every site and year, year-major
(column ``t * n_sites + j`` for year ``t + 1``), required sites fixed open and
sites that may not open fixed closed; ``covered`` holds :math:`y_{it}`
(uncapacitated) or ``assign`` holds :math:`z_{ijt}` (capacitated).

Exact reductions (uncapacitated): a demand point within the standard of a
required site is covered in every year, so its weight is the objective offset
and it gets no variable; a (point, year) with zero weight or no candidate
site within reach gets none either (its :math:`y` could only be 0 or add 0).
Capacitated: only pairs within the standard of a site that can be open, and
(point, year)s of positive weight, get a :math:`z` (a zero-weight point only
adds load).
"""

from __future__ import annotations

import numpy as np

from erlocate.milp import Milp, MilpBuilder
from erlocate.models.phased_data import PhaseData, PhasedPlan
from erlocate.plan import Plan

__all__ = ["build_phased", "decode_phased", "encode_phased", "phase_pairs"]


def phase_pairs(d: PhaseData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capacitated: (year 0-based, demand, site) of every ``assign`` column, in column order."""
    inst = d.instance
    ok = d.cover & (d.candidate | d.required)[inst.indices]
    r, c = inst.pair_rows[ok], inst.indices[ok]
    T, m = d.years, r.size
    tt, rr, cc = np.repeat(np.arange(T), m), np.tile(r, T), np.tile(c, T)
    keep = d.weights[tt, rr] > 0
    return tt[keep], rr[keep], cc[keep]


def _open_cols(b: MilpBuilder, d: PhaseData) -> np.ndarray:
    """x_jt for every year and site: required fixed 1, non-candidates fixed 0; ``complete``
    fixes every candidate open in the last year."""
    T, n = d.years, d.instance.n_sites
    lb = np.tile(d.required.astype(float), (T, 1))
    ub = np.tile((d.required | d.candidate).astype(float), (T, 1))
    if d.complete:
        lb[-1, d.candidate] = 1.0
    return b.add_cols("open", T * n, lb=lb.ravel(), ub=ub.ravel(), integer=True).reshape(T, n)


def _year_rows(
    b: MilpBuilder, name: str, x: np.ndarray, coef: np.ndarray, lb: np.ndarray, ub: np.ndarray
) -> None:
    """One row per year t: sum_j coef_j (x_jt - x_j,t-1) within [lb_t, ub_t] (x_j0 = 0).

    Rows whose both sides are infinite are left out; ``coef`` is zero off the candidates."""
    T = x.shape[0]
    keep = np.flatnonzero(np.isfinite(lb) | np.isfinite(ub))
    j = np.flatnonzero(coef)
    if keep.size == 0:
        return
    local = np.full(T, -1)
    local[keep] = np.arange(keep.size)
    t_now = np.repeat(keep, j.size)
    jj = np.tile(j, keep.size)
    prev = t_now > 0
    rows = np.concatenate([local[t_now], local[t_now[prev]]])
    cols = np.concatenate([x[t_now, jj], x[t_now[prev] - 1, jj[prev]]])
    vals = np.concatenate([coef[jj], -coef[jj[prev]]])
    b.add_rows(name, rows=rows, cols=cols, vals=vals, lb=lb[keep], ub=ub[keep], n_rows=keep.size)


def _limit_rows(b: MilpBuilder, d: PhaseData, x: np.ndarray) -> None:
    """Monotone openings, yearly budgets (or cumulative with carry-over), counts."""
    T = d.years
    cand = np.flatnonzero(d.candidate)
    if T > 1 and cand.size:
        t = np.repeat(np.arange(1, T), cand.size)
        j = np.tile(cand, T - 1)
        k = np.arange(t.size)
        b.add_rows(  # x_j,t-1 - x_jt <= 0: once built, open
            "monotone",
            rows=np.concatenate([k, k]),
            cols=np.concatenate([x[t - 1, j], x[t, j]]),
            vals=np.concatenate([np.ones(k.size), -np.ones(k.size)]),
            ub=0.0,
            n_rows=k.size,
        )
    f = np.where(d.candidate, d.cost, 0.0)
    if d.budgets is not None:
        if d.carry_over:
            # spent by year t (telescoped, monotone x) <= budgets to year t
            cum = np.cumsum(d.budgets)
            keep = np.flatnonzero(np.isfinite(cum))
            j = np.flatnonzero(f)
            if keep.size and j.size:
                b.add_rows(
                    "budget",
                    rows=np.repeat(np.arange(keep.size), j.size),
                    cols=x[np.repeat(keep, j.size), np.tile(j, keep.size)].ravel(),
                    vals=np.tile(f[j], keep.size),
                    ub=cum[keep],
                    n_rows=keep.size,
                )
        else:
            _year_rows(b, "budget", x, f, np.full(T, -np.inf), d.budgets)
    if d.p_per_year is not None:
        ones = d.candidate.astype(float)
        cap = d.p_per_year.astype(float)
        _year_rows(b, "new_per_year", x, ones, cap if d.exact_p else np.full(T, -np.inf), cap)
    if d.p is not None and cand.size:
        b.add_rows(
            "total",
            rows=np.zeros(cand.size, dtype=np.int64),
            cols=x[T - 1, cand],
            vals=1.0,
            ub=float(d.p - int(d.required.sum())),
            n_rows=1,
        )


def _cover(b: MilpBuilder, d: PhaseData, x: np.ndarray) -> None:
    """y_it <= sum_{j in N_i} x_jt over the (point, year)s a candidate can still gain."""
    inst, T = d.instance, d.years
    rows, cols = inst.pair_rows[d.cover], inst.indices[d.cover]
    pre = np.bincount(rows[d.required[cols]], minlength=inst.n_demand) > 0
    b.offset = float((d.factor[:, None] * d.weights)[:, pre].sum())
    ok = d.candidate[cols] & ~pre[rows]
    r, c = rows[ok], cols[ok]
    has = np.bincount(r, minlength=inst.n_demand) > 0
    active = (d.weights > 0) & has[None, :]  # (T, n_demand)
    ymap = np.full(active.shape, -1, dtype=np.int64)
    ymap[active] = np.arange(int(active.sum()))
    obj = (d.factor[:, None] * d.weights)[active]
    # for binary x the best y_it is min(1, open sites covering i in year t): integral
    y = b.add_cols("covered", obj.size, obj=obj, lb=0.0, ub=1.0, implied_integer=True)
    tt, rr, cc = np.repeat(np.arange(T), r.size), np.tile(r, T), np.tile(c, T)
    keep = active[tt, rr]
    tt, rr, cc = tt[keep], rr[keep], cc[keep]
    k = np.arange(y.size)
    b.add_rows(
        "cover",
        rows=np.concatenate([ymap[tt, rr], k]),
        cols=np.concatenate([x[tt, cc], y]),
        vals=np.concatenate([np.ones(tt.size), -np.ones(k.size)]),
        lb=0.0,
        n_rows=y.size,
    )


def _assign(b: MilpBuilder, d: PhaseData, x: np.ndarray) -> None:
    """z_ijt: each point at most once per year, loads within capacity, z_ijt <= x_jt."""
    inst = d.instance
    tt, rr, cc = phase_pairs(d)
    obj = d.factor[tt] * d.weights[tt, rr]
    z = b.add_cols("assign", tt.size, obj=obj, lb=0.0, ub=1.0, integer=d.single_source)
    key = tt * inst.n_demand + rr
    uniq, local = np.unique(key, return_inverse=True)
    b.add_rows("assign_once", rows=local, cols=z, vals=1.0, ub=1.0, n_rows=uniq.size)
    cap = inst.capacities
    lim = np.isfinite(cap[cc])
    skey = tt[lim] * inst.n_sites + cc[lim]
    suniq, slocal = np.unique(skey, return_inverse=True)
    st, sj = suniq // inst.n_sites, suniq % inst.n_sites
    b.add_rows(
        "capacity",
        rows=np.concatenate([slocal, np.arange(suniq.size)]),
        cols=np.concatenate([z[lim], x[st, sj]]),
        vals=np.concatenate([inst.demand[rr[lim]], -cap[sj]]),
        ub=0.0,
        n_rows=suniq.size,
    )
    k = np.arange(z.size)
    b.add_rows(
        "link",
        rows=np.concatenate([k, k]),
        cols=np.concatenate([z, x[tt, cc]]),
        vals=np.concatenate([np.ones(k.size), -np.ones(k.size)]),
        ub=0.0,
        n_rows=k.size,
    )


def build_phased(d: PhaseData) -> Milp:
    """The multi-period MCLP on ``d`` (see the module and :class:`PhasedMCLP`)."""
    kind = "capacitated" if d.capacitated else "cover"
    b = MilpBuilder(f"phased_mclp_{kind}_T{d.years}", "max")
    x = _open_cols(b, d)
    if d.capacitated:
        _assign(b, d, x)
    else:
        _cover(b, d, x)
    _limit_rows(b, d, x)
    return b.build()


def decode_phased(d: PhaseData, milp: Milp, xv: np.ndarray) -> PhasedPlan:
    """The schedule in ``xv``: each site's first open year (0 required, -1 never)."""
    inst, T = d.instance, d.years
    open_t = np.round(milp.block(xv, "open")).reshape(T, inst.n_sites) > 0.5
    any_open = open_t.any(axis=0)
    year = np.where(any_open, np.argmax(open_t, axis=0) + 1, -1)
    year[d.required] = 0
    final = year >= 0
    if not d.capacitated:
        base = Plan.nearest(inst, final)
        return PhasedPlan(base.open, base.demand_idx, base.site_idx, base.share, year)
    tt, rr, cc = phase_pairs(d)
    z = milp.block(xv, "assign")
    z = np.round(z) if d.single_source else np.clip(z, 0.0, 1.0)
    used = z > 1e-9
    tt, rr, cc, z = tt[used], rr[used], cc[used], z[used]
    last = tt == T - 1
    return PhasedPlan(final, rr[last], cc[last], z[last], year, tt + 1, rr, cc, z)


def encode_phased(d: PhaseData, milp: Milp, plan: Plan) -> np.ndarray:
    """A column vector of ``plan`` (a warm start): x from its open years, y or z to match."""
    inst, T = d.instance, d.years
    year = np.asarray(getattr(plan, "year_opened", np.where(plan.open, 1, -1)))
    t = np.arange(1, T + 1)[:, None]
    open_t = (year[None, :] >= 0) & (year[None, :] <= t)
    out = np.zeros(milp.n_cols)
    out[milp.col_blocks["open"]] = open_t.ravel().astype(float)
    if d.capacitated:
        tt, rr, cc = phase_pairs(d)
        n, m = inst.n_demand, inst.n_sites
        col_key = (tt * n + rr) * m + cc  # ascending: phase_pairs is sorted by year, then pair
        ay = np.asarray(getattr(plan, "alloc_year", np.zeros(0, np.int64))) - 1
        ai = np.asarray(getattr(plan, "alloc_demand", np.zeros(0, np.int64)))
        aj = np.asarray(getattr(plan, "alloc_site", np.zeros(0, np.int64)))
        share = np.asarray(getattr(plan, "alloc_share", np.zeros(0)), dtype=float)
        key = (ay * n + ai) * m + aj
        z = np.zeros(tt.size)
        if col_key.size and key.size:
            pos = np.minimum(np.searchsorted(col_key, key), col_key.size - 1)
            hit = col_key[pos] == key
            z[pos[hit]] = share[hit]
        out[milp.col_blocks["assign"]] = z
        return out
    cov = milp.A[milp.row_blocks["cover"]][:, milp.col_blocks["open"]]
    out[milp.col_blocks["covered"]] = np.minimum(cov @ out[milp.col_blocks["open"]], 1.0)
    return out
