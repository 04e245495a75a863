"""The phased MCLP's verifier and report: every figure recomputed from the instance and the plan.

Nothing here reads the MILP: coverage per year comes from the travel costs and
each site's standard, spending from ``Instance.site_costs`` and the years in
:attr:`PhasedPlan.year_opened <erlocate.models.phased_data.PhasedPlan.year_opened>`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from erlocate.inputs import show_ids
from erlocate.models.phased_data import PhaseData, PhasedPlan, open_by_year, within_reach
from erlocate.plan import TOL, Plan

__all__ = ["check_phased", "covered_by_year", "evaluate_phased", "phase_tables", "year_spend"]


def _years(d: PhaseData, plan: Plan) -> np.ndarray:
    return np.asarray(getattr(plan, "year_opened", np.where(plan.open, 1, -1)))


def covered_by_year(d: PhaseData, plan: Plan) -> np.ndarray:
    """(years, n_demand) share of each point covered in each year, from the data alone.

    Uncapacitated: 1 where a site open that year is within the site's standard.
    Capacitated: the shares the plan assigns that year to open sites within the standard.
    """
    inst, T = d.instance, d.years
    reach = within_reach(inst, d.reach)
    open_t = open_by_year(_years(d, plan), T)
    out = np.zeros((T, inst.n_demand))
    if not d.capacitated:
        for t in range(T):  # one vectorised pass per year
            ok = reach & open_t[t][inst.indices]
            out[t] = np.bincount(inst.pair_rows[ok], minlength=inst.n_demand) > 0
        return out
    ay, ai, aj, s = _allocs(plan)
    valid = _alloc_valid(d, ay, ai, aj, open_t)
    np.add.at(out, (ay[valid] - 1, ai[valid]), s[valid])
    return out


def _allocs(plan: Plan) -> tuple[np.ndarray, ...]:
    return (
        np.asarray(getattr(plan, "alloc_year", np.zeros(0, np.int64)), dtype=np.int64),
        np.asarray(getattr(plan, "alloc_demand", np.zeros(0, np.int64)), dtype=np.int64),
        np.asarray(getattr(plan, "alloc_site", np.zeros(0, np.int64)), dtype=np.int64),
        np.asarray(getattr(plan, "alloc_share", np.zeros(0)), dtype=float),
    )


def _alloc_valid(
    d: PhaseData, ay: np.ndarray, ai: np.ndarray, aj: np.ndarray, open_t: np.ndarray
) -> np.ndarray:
    """Allocations in range, to a site open that year, within its standard."""
    inst = d.instance
    ok = (ay >= 1) & (ay <= d.years) & (ai >= 0) & (ai < inst.n_demand)
    ok &= (aj >= 0) & (aj < inst.n_sites)
    cost = np.full(ay.size, np.inf)
    cost[ok] = inst.cost_of(ai[ok], aj[ok])
    ok &= cost <= d.reach[np.clip(aj, 0, inst.n_sites - 1)]
    ok[ok] &= open_t[ay[ok] - 1, aj[ok]]
    return ok


def evaluate_phased(d: PhaseData, plan: Plan) -> float:
    """Sum over years of the discount factor times the weight covered that year."""
    cov = covered_by_year(d, plan)
    return float(np.sum(d.factor[:, None] * d.weights * cov))


def year_spend(d: PhaseData, year_opened: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cost and number of sites opened in each year 1..T (required sites free, not counted)."""
    yo = np.asarray(year_opened)
    new = (yo >= 1) & (yo <= d.years) & ~d.required
    idx = np.clip(yo - 1, 0, d.years - 1)
    spend = np.bincount(idx[new], weights=d.cost[new], minlength=d.years)
    count = np.bincount(idx[new], minlength=d.years)
    return spend, count


def _le(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a <= b + TOL.abs + TOL.rel * np.abs(b)


def check_phased(d: PhaseData, plan: Plan) -> list[str]:
    """Every rule of the schedule re-checked from the data; one message per breach."""
    inst, T, out = d.instance, d.years, []
    yo = _years(d, plan)
    sid = inst.site_ids
    if yo.shape != (inst.n_sites,) or not np.issubdtype(yo.dtype, np.integer):
        return [f"year_opened: {yo.shape} {yo.dtype} values for {inst.n_sites} sites"]
    bad = np.flatnonzero((yo < -1) | (yo > T))
    if bad.size:
        out.append(f"year_opened outside -1..{T} at sites {show_ids(sid[bad])}")
    if not np.array_equal(np.asarray(plan.open, bool), yo >= 0):
        out.append("open flags differ from year_opened >= 0")
    for mask, what in (
        (d.required & (yo != 0), "required sites not open before year 1"),
        (~d.required & (yo == 0), "sites open before year 1 that are not required"),
        (~d.required & ~d.candidate & (yo >= 1), "sites opened that are not among the sites"),
        (d.complete & d.candidate & (yo < 1), "candidate sites never opened (complete=True)"),
    ):
        if mask.any():
            out.append(f"{what}: {show_ids(sid[np.flatnonzero(mask)])}")
    spend, count = year_spend(d, yo)
    if d.budgets is not None:
        used, cap = (np.cumsum(spend), np.cumsum(d.budgets)) if d.carry_over else (spend, d.budgets)
        over = np.flatnonzero(~_le(used, cap))
        word = "spent by year" if d.carry_over else "spent in year"
        out += [f"{word} {t + 1}: {used[t]:g} > budget {cap[t]:g}" for t in over]
    if d.p_per_year is not None:
        wrong = (count != d.p_per_year) if d.exact_p else (count > d.p_per_year)
        out += [
            f"year {t + 1}: {count[t]} sites opened, p_per_year allows "
            f"{'exactly ' if d.exact_p else ''}{d.p_per_year[t]}"
            for t in np.flatnonzero(wrong)
        ]
    if d.p is not None and int((yo >= 0).sum()) > d.p:
        out.append(f"{int((yo >= 0).sum())} sites open by year {T}, p = {d.p}")
    if d.capacitated:
        out += _check_allocs(d, plan, yo)
    return out


def _check_allocs(d: PhaseData, plan: Plan, yo: np.ndarray) -> list[str]:
    """Each year's assignment: valid pairs, shares, once per point, loads within capacity."""
    inst, T, out = d.instance, d.years, []
    ay, ai, aj, s = _allocs(plan)
    if len({ay.size, ai.size, aj.size, s.size}) != 1:
        return ["yearly allocation arrays differ in length"]
    valid = _alloc_valid(d, ay, ai, aj, open_by_year(yo, T))
    if not valid.all():
        out.append(
            f"{int((~valid).sum())} yearly allocations to a site closed that year, beyond its "
            "standard or out of range"
        )
    if ((s < -TOL.abs) | (s > 1 + TOL.abs) | ~np.isfinite(s)).any():
        out.append("yearly allocation shares outside [0, 1]")
    if d.single_source and (np.abs(s - np.round(s)) > TOL.abs).any():
        out.append("single_source: fractional yearly allocation shares")
    ay, ai, aj, s = ay[valid], ai[valid], aj[valid], s[valid]
    per_point = np.zeros((T, inst.n_demand))
    np.add.at(per_point, (ay - 1, ai), s)
    if (per_point > 1 + TOL.abs).any():
        t, i = np.nonzero(per_point > 1 + TOL.abs)
        out.append(f"points assigned more than once in a year: {show_ids(inst.demand_ids[i])}")
    load = np.zeros((T, inst.n_sites))
    np.add.at(load, (ay - 1, aj), inst.demand[ai] * s)
    over = ~_le(load, np.broadcast_to(inst.capacities, load.shape))
    for t, j in zip(*np.nonzero(over), strict=True):
        out.append(
            f"year {t + 1}: site {sid_of(inst.site_ids, j)} load {load[t, j]:g} > capacity "
            f"{inst.capacities[j]:g}"
        )
    last = ay == T
    same = (
        np.array_equal(np.asarray(plan.demand_idx), ai[last])
        and np.array_equal(np.asarray(plan.site_idx), aj[last])
        and np.allclose(np.asarray(plan.share, dtype=float), s[last])
    )
    if not same:
        out.append("the plan's allocation is not its last year's")
    return out


def sid_of(ids: pd.Index, j: int) -> str:
    """One site id as text."""
    v = ids[j]
    return repr(v.item() if isinstance(v, np.generic) else v)


def phase_tables(d: PhaseData, plan: PhasedPlan) -> dict[str, pd.DataFrame]:
    """``schedule`` (one row per year, year 0 = existing sites) and ``sites`` (opened ones)."""
    inst, T = d.instance, d.years
    yo = _years(d, plan)
    spend, count = year_spend(d, yo)
    cov = covered_by_year(d, plan)
    covered = (d.weights * cov).sum(axis=1)
    total = d.weights.sum(axis=1)
    base = np.zeros(inst.n_demand)
    ok = within_reach(inst, d.reach) & d.required[inst.indices]
    base[np.bincount(inst.pair_rows[ok], minlength=inst.n_demand) > 0] = 1.0
    budget = d.budgets if d.budgets is not None else np.full(T, np.nan)
    names = [", ".join(map(str, inst.site_ids[yo == t])) for t in range(T + 1)]
    first = float(d.weights[0] @ base) if not d.capacitated else np.nan
    cov_all, tot = np.r_[first, covered], np.r_[total[0], total]
    schedule = pd.DataFrame(
        {
            "opened": names,
            "n_opened": np.r_[int(d.required.sum()), count],
            "cost": np.r_[0.0, spend],
            "budget": np.r_[np.nan, budget],
            "cumulative_cost": np.r_[0.0, np.cumsum(spend)],
            "cumulative_budget": np.r_[np.nan, np.cumsum(budget)],
            "open_sites": [int(((yo >= 0) & (yo <= t)).sum()) for t in range(T + 1)],
            "covered": cov_all,
            "total_weight": tot,
            "covered_share": cov_all / np.where(tot > 0, tot, 1.0),
            "cumulative_covered": np.r_[0.0, np.cumsum(covered)],
            "objective_term": np.r_[0.0, d.factor * covered],
        },
        index=pd.Index(range(T + 1), name="year"),
    )
    show = yo >= 0
    sites = pd.DataFrame(
        {
            "year_opened": yo[show],
            "status": np.where(d.required[show], "existing", "new"),
            "cost": np.where(d.required[show], 0.0, d.cost[show]),
        },
        index=inst.site_ids[show].rename("site_id"),
    ).sort_values(["year_opened"], kind="stable")
    return {"schedule": schedule, "sites": sites}
