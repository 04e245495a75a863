"""Shelter objective: unhoused people, new shelters and walking, weighted lexicographically.

:func:`level_weights` gives the weights of the levels asked for so that one
objective ranks plans exactly as the lexicographic order would (see the
:class:`~erlocate.planning.shelters.Shelters` docstring); :func:`level_values`
the levels of a plan.
"""

from __future__ import annotations

import numpy as np

from erlocate.plan import Plan
from erlocate.planning.shelters.inputs import ShelterData

__all__ = ["LEVELS", "level_values", "level_weights"]


def _resolution(v: np.ndarray) -> float:
    """Largest 10^-d (d <= 6) of which every value is a multiple (1e-6 otherwise)."""
    for d in range(7):
        s = np.asarray(v, dtype=float) * 10.0**d
        if np.all(np.abs(s - np.round(s)) <= 1e-9 * np.maximum(1.0, np.abs(s))):
            return 10.0**-d
    return 1e-6


def _lex_weights(levels: list[tuple[float, float]]) -> list[float]:
    """Weights making sum_l w_l f_l lexicographic over levels (resolution δ_l, bound UB_l).

    T_last = f_last; T_l = f_l + δ_l / (UB(T_{l+1}) + 1) · T_{l+1}. As f_l moves by
    multiples of δ_l and 0 <= tail < δ_l, the first level decides, then the next.
    """
    w = [1.0] * len(levels)
    tail_ub = levels[-1][1]
    for k in range(len(levels) - 2, -1, -1):
        scale = levels[k][0] / (tail_ub + 1.0)
        w[k + 1 :] = [v * scale for v in w[k + 1 :]]
        tail_ub = levels[k][1] + scale * tail_ub
    return w


#: Names of the objective levels, in lexicographic order.
LEVELS = ("unhoused people", "new shelters", "walking (people × cost)")


def level_values(d: ShelterData, plan: Plan) -> list[tuple[str, float, float, float]]:
    """``(name, weight, resolution, value)`` of each level asked for, in order, on ``plan``."""
    instance = d.instance
    wu, wn, ww, fcost = level_weights(d)
    i, j, s = plan.demand_idx, plan.site_idx, plan.share
    values = (
        float(d.hbar[d.active].sum() - np.sum(d.hbar[i] * s)),
        float(fcost[plan.open].sum()),
        float(np.sum(d.hbar[i] * instance.cost_of(i, j) * s)),
    )
    cand = ~instance.required
    res = (
        _resolution(d.hbar[d.active]),
        _resolution(fcost[cand]) if cand.any() else 1.0,
        0.0,  # the last level is continuous
    )
    return [
        (name, w, r, v)
        for name, w, r, v in zip(LEVELS, (wu, wn, ww), res, values, strict=True)
        if w > 0
    ]


def level_weights(d: ShelterData) -> tuple[float, float, float, np.ndarray]:
    """Weights of unhoused people, new shelters (count or cost) and walking; new-site costs.

    A level that is not asked for (or, for new shelters, has no candidate) gets weight 0.
    The walking bound is sum_i hbar_i max_j c_ij over the pairs a single assignment
    can use (``d.usable``).
    """
    instance = d.instance
    cand = ~instance.required
    fcost = np.where(cand, instance.site_costs if instance.has_site_costs else 1.0, 0.0)
    walk_ub = np.zeros(instance.n_demand)
    np.maximum.at(walk_ub, instance.pair_rows[d.usable], instance.costs[d.usable])
    h = d.hbar[d.active]
    asked = [d.params.allow_unhoused, d.params.new is None and bool(cand.any()), True]
    levels = [
        (_resolution(h), float(h.sum())),
        (_resolution(fcost[cand]), float(fcost.sum())),
        (1.0, float(d.hbar @ walk_ub)),
    ]
    w = iter(_lex_weights([lv for lv, a in zip(levels, asked, strict=True) if a]))
    wu, wn, ww = (next(w) if a else 0.0 for a in asked)
    return wu, wn, ww, fcost
