"""Shelter verifier: a plan's objective and constraints re-checked from the data.

Nothing here looks at the MILP: :func:`evaluate` recomputes the objective and
:func:`check` every rule (new-shelter count, single assignment, walking
limits, capacity in every scenario, closest assignment).
"""

from __future__ import annotations

import numpy as np

from erlocate.plan import TOL, Checker, Plan
from erlocate.planning.shelters.inputs import ShelterData, fmt_amount, fmt_communities
from erlocate.planning.shelters.objective import level_weights

__all__ = ["check", "evaluate"]


def evaluate(d: ShelterData, plan: Plan) -> float:
    """The weighted objective (unhoused, new shelters, walking) recomputed from the data."""
    wu, wn, ww, fcost = level_weights(d)
    i, j, s = plan.demand_idx, plan.site_idx, plan.share
    unhoused = float(d.hbar[d.active].sum() - np.sum(d.hbar[i] * s))
    walking = float(np.sum(d.hbar[i] * d.instance.cost_of(i, j) * s))
    return wu * unhoused + wn * float(fcost[plan.open].sum()) + ww * walking


def check(d: ShelterData, plan: Plan) -> list[str]:
    """Every rule of the model re-checked on ``plan``; one message per breach."""
    instance, p = d.instance, d.params
    c = Checker(instance, plan)
    c.sites()
    if plan.open.shape != (instance.n_sites,):
        return c.breaches
    cost = c.allocation(single_source=True, full=False)
    if cost.shape != plan.demand_idx.shape:  # positions outside the instance
        return c.breaches
    ids, sids = instance.demand_ids, instance.site_ids
    i, j, s = plan.demand_idx, plan.site_idx, plan.share
    n_new = int((plan.open & ~instance.required).sum())
    if p.new is not None and (n_new != p.new if p.exact_new else n_new > p.new):
        most = "" if p.exact_new else "at most "
        c.fail(f"{n_new} new shelters open, expected {most}{p.new}")
    total = np.bincount(i, weights=s, minlength=instance.n_demand)
    need = d.active if not p.allow_unhoused else np.zeros_like(d.active)
    bad = np.flatnonzero((need & (np.abs(total - 1) > 1e-6)) | (total > 1 + 1e-6))
    if bad.size:
        c.fail(
            f"not assigned to {'at most' if p.allow_unhoused else 'exactly'} one "
            f"shelter: {fmt_communities(bad.size)} {ids[bad[:5]].tolist()}"
        )
    far = np.flatnonzero(cost > d.limit[j] + TOL.abs)
    if far.size:
        k = far[0]
        c.fail(
            f"{far.size} assignments beyond the walking limit of the shelter's class, e.g. "
            f"{ids[i[k]]!r} -> {sids[j[k]]!r} ({d.cls[j[k]]}): {cost[k]:g} > "
            f"{d.limit[j[k]]:g} {p.cost_unit}"
        )
    _check_capacity(d, c)
    if p.closest:
        _check_closest(d, c, cost)
    return c.breaches


def _check_capacity(d: ShelterData, c: Checker) -> None:
    """Room (usable area, or capacity in people) for every shelter's load in every scenario."""
    i, j, s = c.plan.demand_idx, c.plan.site_idx, c.plan.share
    sids = d.instance.site_ids
    for t, name in enumerate(d.names):
        load = np.bincount(j, weights=d.people[t][i] * s, minlength=d.instance.n_sites)
        if d.area is not None:
            used, room = load * d.m2pp, d.area
        else:
            used, room = load, d.cap
        over = np.flatnonzero(used > room * (1 + TOL.rel) + TOL.abs)
        if over.size:
            k = over[0]
            c.fail(
                f"capacity exceeded in scenario {name!r} at {over.size} shelter(s), e.g. "
                f"{sids[k]!r} ({d.cls[k]}): {fmt_amount(load[k])} people"
                + (
                    f" need {fmt_amount(used[k])} m² at {d.m2pp[k]:g} m²/person, "
                    f"usable {fmt_amount(room[k])} m²"
                    if d.area is not None
                    else f" > capacity {fmt_amount(room[k])}"
                )
            )


def _check_closest(d: ShelterData, c: Checker, cost: np.ndarray) -> None:
    """Nobody passes an open shelter within reach (``ties``: any nearest, or the first)."""
    instance = d.instance
    ok = d.allowed & c.plan.open[instance.indices]
    r, col, cst = instance.pair_rows[ok], instance.indices[ok], instance.costs[ok]
    order = np.lexsort((col, cst, r))
    r, col, cst = r[order], col[order], cst[order]
    first = np.r_[True, r[1:] != r[:-1]]
    best_site = np.full(instance.n_demand, -1)
    best_cost = np.full(instance.n_demand, np.inf)
    best_site[r[first]], best_cost[r[first]] = col[first], cst[first]
    i, j = c.plan.demand_idx, c.plan.site_idx
    ties = d.params.ties
    worse = (cost > best_cost[i] + TOL.abs) if ties == "any" else (j != best_site[i])
    if worse.any():
        k = np.flatnonzero(worse)[0]
        c.fail(
            f"closest assignment violated for {fmt_communities(int(worse.sum()))}, e.g. "
            f"{instance.demand_ids[i[k]]!r} goes to {instance.site_ids[j[k]]!r} "
            f"({cost[k]:g}) past open {instance.site_ids[best_site[i[k]]]!r} "
            f"({best_cost[i[k]]:g}; ties={ties!r})"
        )
