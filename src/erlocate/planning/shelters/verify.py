"""Shelter verifier: a plan's objective and constraints re-checked from the data.

Nothing here looks at the MILP: :func:`evaluate` recomputes the objective and
:func:`check` every rule (new-shelter count, single assignment, walking
limits, capacity in every scenario, closest assignment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from erlocate.instance import Instance
from erlocate.plan import TOL, Checker, Plan
from erlocate.planning.shelters.inputs import _count, _Data, _data, _n
from erlocate.planning.shelters.objective import _levels

if TYPE_CHECKING:
    from erlocate.planning.shelters.model import Shelters

__all__ = ["check", "evaluate"]


def evaluate(model: Shelters, instance: Instance, plan: Plan) -> float:
    """The weighted objective (unhoused, new shelters, walking) recomputed from the data."""
    d = _data(model, instance)
    wu, wn, ww, fcost = _levels(model, instance, d)
    i, j, s = plan.demand_idx, plan.site_idx, plan.share
    unhoused = float(d.hbar[d.active].sum() - np.sum(d.hbar[i] * s))
    walking = float(np.sum(d.hbar[i] * instance.cost_of(i, j) * s))
    return wu * unhoused + wn * float(fcost[plan.open].sum()) + ww * walking


def check(model: Shelters, instance: Instance, plan: Plan) -> list[str]:
    """Every rule of the model re-checked on ``plan``; one message per breach."""
    d = _data(model, instance)
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
    if model.new is not None and (n_new != model.new if model.exact_new else n_new > model.new):
        most = "" if model.exact_new else "at most "
        c.fail(f"{n_new} new shelters open, expected {most}{model.new}")
    total = np.bincount(i, weights=s, minlength=instance.n_demand)
    need = d.active if not model.allow_unhoused else np.zeros_like(d.active)
    bad = np.flatnonzero((need & (np.abs(total - 1) > 1e-6)) | (total > 1 + 1e-6))
    if bad.size:
        c.fail(
            f"not assigned to {'at most' if model.allow_unhoused else 'exactly'} one "
            f"shelter: {_count(bad.size)} {ids[bad[:5]].tolist()}"
        )
    far = np.flatnonzero(cost > d.limit[j] + TOL.abs)
    if far.size:
        k = far[0]
        c.fail(
            f"{far.size} assignments beyond the walking limit of the shelter's class, e.g. "
            f"{ids[i[k]]!r} -> {sids[j[k]]!r} ({d.cls[j[k]]}): {cost[k]:g} > "
            f"{d.limit[j[k]]:g} {model.cost_unit}"
        )
    for t, name in enumerate(d.names):
        load = np.bincount(j, weights=d.people[t][i] * s, minlength=instance.n_sites)
        if d.area is not None:
            used, room = load * d.m2pp, d.area
        else:
            used, room = load, d.cap
        over = np.flatnonzero(used > room * (1 + TOL.rel) + TOL.abs)
        if over.size:
            k = over[0]
            c.fail(
                f"capacity exceeded in scenario {name!r} at {over.size} shelter(s), e.g. "
                f"{sids[k]!r} ({d.cls[k]}): {_n(load[k])} people"
                + (
                    f" need {_n(used[k])} m² at {d.m2pp[k]:g} m²/person, usable {_n(room[k])} m²"
                    if d.area is not None
                    else f" > capacity {_n(room[k])}"
                )
            )
    if model.closest:
        _check_closest(model, c, instance, d, cost)
    return c.breaches


def _check_closest(
    model: Shelters, c: Checker, instance: Instance, d: _Data, cost: np.ndarray
) -> None:
    ok = d.allowed & c.plan.open[instance.indices]
    r, col, cst = instance.pair_rows[ok], instance.indices[ok], instance.costs[ok]
    order = np.lexsort((col, cst, r))
    r, col, cst = r[order], col[order], cst[order]
    first = np.r_[True, r[1:] != r[:-1]]
    best_site = np.full(instance.n_demand, -1)
    best_cost = np.full(instance.n_demand, np.inf)
    best_site[r[first]], best_cost[r[first]] = col[first], cst[first]
    i, j = c.plan.demand_idx, c.plan.site_idx
    worse = (cost > best_cost[i] + TOL.abs) if model.ties == "any" else (j != best_site[i])
    if worse.any():
        k = np.flatnonzero(worse)[0]
        c.fail(
            f"closest assignment violated for {_count(int(worse.sum()))}, e.g. "
            f"{instance.demand_ids[i[k]]!r} goes to {instance.site_ids[j[k]]!r} "
            f"({cost[k]:g}) past open {instance.site_ids[best_site[i[k]]]!r} "
            f"({best_cost[i[k]]:g}; ties={model.ties!r})"
        )
