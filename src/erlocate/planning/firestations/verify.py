"""Fire-station verifier: a plan's objective and constraints re-checked from the data.

Nothing here looks at the MILP: :func:`evaluate` recomputes the cost or the
covered weight (with the second-coverage term), :func:`check` every rule
(types allowed and open, new stations and budget, the standard, one district
per point, district area caps, blank spots, second and closest coverage).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from erlocate.instance import Instance
from erlocate.plan import Checker, Plan, coverage_counts
from erlocate.planning.firestations.inputs import FireData

if TYPE_CHECKING:
    from erlocate.planning.firestations.model import FireStations

__all__ = ["check", "evaluate"]


def _costs(instance: Instance, d: FireData, plan: Plan) -> float:
    """Site and type costs of the open, counted stations."""
    st = getattr(plan, "station_type", None)
    st = np.full(instance.n_sites, -1) if st is None or st.shape != plan.open.shape else st
    ok = (st >= 0) & (st < d.cost.size)
    per_site = d.fixed + np.where(ok, d.cost[np.clip(st, 0, d.cost.size - 1)], 0.0)
    return float(per_site[plan.open & d.counted].sum())


def evaluate(model: FireStations, instance: Instance, plan: Plan) -> float:
    """Cost (cover_all) or covered weight (max_cover), with the second-coverage term."""
    d = model._prepare(instance)
    assigned = np.bincount(plan.demand_idx, minlength=instance.n_demand) > 0
    sec = 0.0
    if model.beta:
        twice = coverage_counts(instance, plan.open, d.limit) >= 2
        sec = model.beta * float(d.weight[d.second & assigned & twice].sum())
    if model.mode == "cover_all":
        return _costs(instance, d, plan) - sec
    return float(d.weight[assigned].sum()) + sec


def check(model: FireStations, instance: Instance, plan: Plan) -> list[str]:
    """Every rule of the model re-checked on ``plan``; one message per breach."""
    d = model._prepare(instance)
    c = Checker(instance, plan)
    c.sites()
    if c.breaches and plan.open.shape != (instance.n_sites,):
        return c.breaches
    m, ids, sids = instance.n_sites, instance.demand_ids, instance.site_ids
    st = getattr(plan, "station_type", None)
    if st is None or np.shape(st) != (m,):
        c.fail("plan carries no station type per site (expected a StationPlan)")
        return c.breaches
    open_ = plan.open
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
    if model.max_new is not None and n_new > model.max_new:
        c.fail(f"{n_new} new stations open, at most {model.max_new} allowed")
    spent = _costs(instance, d, plan)
    if model.budget is not None and spent > float(model.budget) + 1e-6 * max(1, spent):
        c.fail(f"cost {spent:,.10g} exceeds the budget {float(model.budget):,.10g}")
    c.allocation(max_cost=d.limit, single_source=True, full=False)
    i, j = plan.demand_idx, plan.site_idx
    if i.size and (i.min() < 0 or i.max() >= instance.n_demand or j.min() < 0 or j.max() >= m):
        return c.breaches
    if (np.abs(plan.share - 1) > 1e-6).any():
        c.fail("district membership shares must all be 1 (a point is wholly in one district)")
    times = np.bincount(i, minlength=instance.n_demand)
    if (times > 1).any():
        c.fail(f"demand points in more than one district: {ids[times > 1][:5].tolist()}")
    load = np.bincount(j, weights=d.area[i] * plan.share, minlength=m)
    cap = np.where(typed, d.types["area_cap_km2"].to_numpy(float)[stc], 0.0)
    over = np.flatnonzero(load > cap + 1e-6 * np.maximum(1.0, load))
    if over.size:
        k = over[0]
        c.fail(
            f"district area exceeds the type's cap at {over.size} station(s), e.g. "
            f"{sids[k]!r}: {load[k]:g} km² > {cap[k]:g} km²"
        )
    lost = np.flatnonzero(d.must & (times == 0))
    if lost.size:
        c.fail(
            f"{lost.size} demand points that must be covered are in no district within the "
            f"standard (blank spots): {ids[lost[:5]].tolist()}"
        )
    if model.second_cover == "require":
        cnt = coverage_counts(instance, open_, d.limit)
        short = np.flatnonzero(d.second & (cnt < 2))
        if short.size:
            c.fail(
                f"second coverage required but {short.size} key points have fewer than two "
                f"open stations within the standard: {ids[short[:5]].tolist()}"
            )
    if model.closest:
        ok = d.use & open_[d.cols]
        best = np.full(instance.n_demand, np.inf)
        np.minimum.at(best, d.rows[ok], d.time[ok])
        got = np.full(instance.n_demand, np.inf)
        np.minimum.at(got, i, instance.cost_of(i, j))
        far = np.flatnonzero((got > best + 1e-9) | ((times == 0) & np.isfinite(best)))
        if far.size:
            c.fail(
                f"closest assignment violated: {far.size} demand points not in the district of "
                f"their nearest open station that can hold them: {ids[far[:5]].tolist()}"
            )
    return c.breaches
