"""Fire-station verifier: a plan's objective and constraints re-checked from the data.

Nothing here looks at the MILP or its reductions: :func:`evaluate` recomputes
the cost or the covered weight (with the second-coverage term), :func:`check`
every rule (types allowed and open, new stations and budget, the standard, one
district per point, district area caps, blank spots, second and closest
coverage) from the input data alone — costs, the standard, areas, caps and the
types allowed per site.
"""

from __future__ import annotations

import numpy as np

from erlocate.plan import Checker, Plan, coverage_counts
from erlocate.planning.firestations.inputs import FireData

__all__ = ["check", "evaluate"]


def _costs(d: FireData, plan: Plan) -> float:
    """Site and type costs of the open, counted stations."""
    st = getattr(plan, "station_type", None)
    st = np.full(d.instance.n_sites, -1) if st is None or st.shape != plan.open.shape else st
    ok = (st >= 0) & (st < d.cost.size)
    per_site = d.fixed + np.where(ok, d.cost[np.clip(st, 0, d.cost.size - 1)], 0.0)
    return float(per_site[plan.open & d.counted].sum())


def _holdable(d: FireData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(point, site, driving time) of the pairs within the standard whose point's area fits
    the largest cap of a type allowed at the site: where a district may hold the point."""
    inst = d.instance
    largest = np.where(d.allowed, d.cap[None, :], -np.inf).max(axis=1)
    ok = inst.costs <= d.limit
    r, c, t = inst.pair_rows[ok], inst.indices[ok], inst.costs[ok]
    fits = d.area[r] <= largest[c]
    return r[fits], c[fits], t[fits]


def _must(d: FireData, holdable_rows: np.ndarray) -> np.ndarray:
    """Points that must be in a district: all (cover_all; with allow_blank those some site
    can hold), and the second-coverage points when second coverage is required."""
    p, n = d.params, d.instance.n_demand
    must: np.ndarray = np.zeros(n, dtype=bool)
    if p.mode == "cover_all":
        must[:] = True
        if p.allow_blank:
            must = np.bincount(holdable_rows, minlength=n) > 0
    if p.second_cover == "require":
        must |= d.second
    return must


def evaluate(d: FireData, plan: Plan) -> float:
    """Cost (cover_all) or covered weight (max_cover), with the second-coverage term."""
    n, beta = d.instance.n_demand, d.params.beta
    assigned = np.bincount(plan.demand_idx, minlength=n) > 0
    sec = 0.0
    if beta:
        twice = coverage_counts(d.instance, plan.open, d.limit) >= 2
        sec = beta * float(d.weight[d.second & assigned & twice].sum())
    if d.params.mode == "cover_all":
        return _costs(d, plan) - sec
    return float(d.weight[assigned].sum()) + sec


def check(d: FireData, plan: Plan) -> list[str]:
    """Every rule of the model re-checked on ``plan``; one message per breach."""
    instance = d.instance
    c = Checker(instance, plan)
    c.sites()
    if c.breaches and plan.open.shape != (instance.n_sites,):
        return c.breaches
    m = instance.n_sites
    st = getattr(plan, "station_type", None)
    if st is None or np.shape(st) != (m,):
        c.fail("plan carries no station type per site (expected a StationPlan)")
        return c.breaches
    st = np.asarray(st)
    _check_stations(c, d, plan, st)
    c.allocation(max_cost=d.limit, single_source=True, full=False)
    i, j = plan.demand_idx, plan.site_idx
    if i.size and (i.min() < 0 or i.max() >= instance.n_demand or j.min() < 0 or j.max() >= m):
        return c.breaches
    _check_districts(c, d, plan, st)
    return c.breaches


def _check_stations(c: Checker, d: FireData, plan: Plan, st: np.ndarray) -> None:
    """Types valid, allowed and only at open sites; new stations and budget within limits."""
    instance, p = d.instance, d.params
    m, sids, open_ = instance.n_sites, instance.site_ids, plan.open
    T = len(d.types)
    bad = np.flatnonzero(open_ & ((st < 0) | (st >= T)))
    if bad.size:
        c.fail(f"open stations without a valid type: {sids[bad[:5]].tolist()}")
    if (~open_ & (st >= 0)).any():
        c.fail(f"closed sites with a type: {sids[~open_ & (st >= 0)][:5].tolist()}")
    typed = open_ & (st >= 0) & (st < T)
    stc = np.clip(st, 0, T - 1)
    off = np.flatnonzero(typed & ~d.allowed[np.arange(m), stc])
    if off.size:
        c.fail(
            f"station type not allowed at {off.size} site(s), e.g. {sids[off[0]]!r} built as "
            f"{d.types['type'][stc[off[0]]]!r}"
        )
    n_new = int((open_ & ~instance.required).sum())
    if p.max_new is not None and n_new > p.max_new:
        c.fail(f"{n_new} new stations open, at most {p.max_new} allowed")
    spent = _costs(d, plan)
    if p.budget is not None and spent > float(p.budget) + 1e-6 * max(1, spent):
        c.fail(f"cost {spent:,.10g} exceeds the budget {float(p.budget):,.10g}")


def _check_districts(c: Checker, d: FireData, plan: Plan, st: np.ndarray) -> None:
    """Whole, single districts within their type's area cap; no point that must be covered
    left out; second coverage and closest districts when asked for."""
    instance, p = d.instance, d.params
    n, m, ids, sids = instance.n_demand, instance.n_sites, instance.demand_ids, instance.site_ids
    open_, i, j = plan.open, plan.demand_idx, plan.site_idx
    if (np.abs(plan.share - 1) > 1e-6).any():
        c.fail("district membership shares must all be 1 (a point is wholly in one district)")
    times = np.bincount(i, minlength=n)
    if (times > 1).any():
        c.fail(f"demand points in more than one district: {ids[times > 1][:5].tolist()}")
    T = len(d.types)
    typed = open_ & (st >= 0) & (st < T)
    load = np.bincount(j, weights=d.area[i] * plan.share, minlength=m)
    cap = np.where(typed, d.cap[np.clip(st, 0, T - 1)], 0.0)
    over = np.flatnonzero(load > cap + 1e-6 * np.maximum(1.0, load))
    if over.size:
        k = over[0]
        c.fail(
            f"district area exceeds the type's cap at {over.size} station(s), e.g. "
            f"{sids[k]!r}: {load[k]:g} km² > {cap[k]:g} km²"
        )
    hr, hc, ht = _holdable(d)
    lost = np.flatnonzero(_must(d, hr) & (times == 0))
    if lost.size:
        c.fail(
            f"{lost.size} demand points that must be covered are in no district within the "
            f"standard (blank spots): {ids[lost[:5]].tolist()}"
        )
    if p.second_cover == "require":
        cnt = coverage_counts(instance, open_, d.limit)
        short = np.flatnonzero(d.second & (cnt < 2))
        if short.size:
            c.fail(
                f"second coverage required but {short.size} key points have fewer than two "
                f"open stations within the standard: {ids[short[:5]].tolist()}"
            )
    if p.closest:
        ok = open_[hc]
        best = np.full(n, np.inf)
        np.minimum.at(best, hr[ok], ht[ok])
        got = np.full(n, np.inf)
        np.minimum.at(got, i, instance.cost_of(i, j))
        far = np.flatnonzero((got > best + 1e-9) | ((times == 0) & np.isfinite(best)))
        if far.size:
            c.fail(
                f"closest assignment violated: {far.size} demand points not in the district of "
                f"their nearest open station that can hold them: {ids[far[:5]].tolist()}"
            )
