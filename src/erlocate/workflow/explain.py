"""Explain a plan: what each open site is worth, and what each other candidate would add.

For the plan at hand (no re-optimisation), :func:`explain` gives per site the
objective of the plan with that one site toggled: an open site closed, or a
candidate opened, with demand re-assigned as
:func:`~erlocate.workflow.evaluate_plan` assigns it. A model with a fixed
count ``p`` is evaluated with ``p - 1`` (closing) or ``p + 1`` (opening), so
the figure is the plan's own value without (or with) the site, not a breach
of the count; MEXCLP / MALP close a site with all its units and open one with
one unit.

Exact, vectorised formulas where the model allows them (uncapacitated, no
site groups or minimum loads, the plan itself meeting every rule):

* MCLP: closing j loses the weight of the points covered by j alone,
  :math:`A^\\top (w \\cdot [n = 1])`; opening k gains the weight of the uncovered
  points within reach of k, :math:`A^\\top (w \\cdot [n = 0])`, with :math:`A` the
  coverage matrix and :math:`n = A x` the open sites covering each point;
* PMedian and UFLP: closing j moves each point served by j to its second
  nearest open site (:math:`\\sum w_i (d^{(2)}_i - d^{(1)}_i)`), opening k
  moves each point nearer to k (:math:`\\sum w_i \\min(0, c_{ik} - d^{(1)}_i)`),
  plus or minus the site cost for UFLP.

Every other model: one :func:`~erlocate.workflow.evaluate_plan` per site (a
loop; for models whose assignment is a MILP, one solve per site).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.models import MCLP, UFLP, PMedian
from erlocate.models.base import Model
from erlocate.models.units import UnitPlan, plan_units
from erlocate.plan import Plan
from erlocate.planning.base import PlanningModel
from erlocate.result import Result
from erlocate.workflow.allocate import plan_sites
from erlocate.workflow.evaluate import evaluate_plan

__all__ = ["explain", "explain_loop", "with_count"]

log = logging.getLogger(__name__)

EMPTY = np.zeros(0, dtype=np.int64)
COLUMNS = ["open", "required", "action", "objective", "change", "worth", "feasible"]


def with_count(model: Model, count: int) -> Model:
    """``model`` with ``p = count`` where it has a fixed count (else ``model``; also when
    ``count`` is not a valid p, e.g. 0: the check then reports the count)."""
    if "p" not in model.parameter_names() or getattr(model, "p", None) is None:
        return model
    try:
        return model.replace(p=count)
    except InputError:
        return model


def _toggled(plan: Plan, j: int) -> tuple[Plan, int]:
    """``plan``'s sites with site ``j`` toggled (units: all of j's removed, or one added),
    as a plan without assignment, and its count (units for unit plans)."""
    open_ = np.asarray(plan.open, dtype=bool).copy()
    open_[j] = not open_[j]
    units = getattr(plan, "units", None)
    if units is not None:
        u = plan_units(plan).astype(np.int64).copy()
        u[j] = 0 if u[j] > 0 else 1
        return UnitPlan(u > 0, EMPTY, EMPTY.copy(), np.zeros(0), u), int(u.sum())
    return Plan(open_, EMPTY, EMPTY.copy(), np.zeros(0)), int(open_.sum())


def explain_loop(result: Result, backend: str = "highs") -> pd.DataFrame:
    """:func:`explain` by one :func:`~erlocate.workflow.evaluate_plan` per site (any model)."""
    model, inst, plan = _inputs(result)
    base = evaluate_plan(model, inst, plan, backend=backend)
    rows = []
    for j in range(inst.n_sites):
        toggled, count = _toggled(plan, j)
        r = evaluate_plan(with_count(model, count), inst, toggled, backend=backend)
        rows.append((r.objective, r.covered_weight, r.feasible))
    objective = np.array([r[0] for r in rows], dtype=float)
    covered = None if not model.covering else np.array([r[1] for r in rows], dtype=float)
    feasible = np.array([r[2] for r in rows], dtype=bool)
    table = _table(model, inst, plan.open, float(base.objective or 0.0), objective, feasible)
    if covered is not None:
        table["covered_weight"] = covered
    table.attrs["method"] = "evaluate_plan per site"
    return _sorted(table)


def explain(result: Result, *, backend: str = "highs", method: str = "auto") -> pd.DataFrame:
    """What each site is worth to the plan of ``result``: closed if open, opened if not.

    Parameters
    ----------
    result : Result
        A solved or evaluated plan of a classical model (not a planning model,
        whose plans carry types, stocks or teams as well as sites).
    backend : str
        Solver for the per-site evaluations of models whose assignment is a MILP.
    method : {"auto", "loop"}
        ``"auto"``: the vectorised formula where one holds (see the module),
        else the loop; ``"loop"``: one evaluation per site always.

    Returns
    -------
    pandas.DataFrame
        One row per site, indexed by site id: ``open``, ``required``,
        ``action`` (``"close"`` or ``"open"``), ``objective`` (the plan with
        the site toggled, by ``model.evaluate``), ``change`` (that minus the
        plan's own value, re-evaluated by
        :func:`~erlocate.workflow.evaluate_plan`), ``worth`` (the change in the
        model's favour: the loss of closing an open site, the gain of opening
        a candidate; positive when the site helps), ``feasible`` (the toggled
        plan meets every rule of the model, with p adjusted), and for covering
        models ``covered_weight``. Open sites first, each group by ``worth``
        descending. ``attrs["method"]`` says how it was computed.

    Examples
    --------
    >>> import erlocate
    >>> inst = erlocate.Instance.from_matrix([[1, 9], [9, 1], [1, 9]], site_ids=["A", "B"])
    >>> t = erlocate.explain(erlocate.MCLP(p=1, max_cost=2).evaluate_plan(inst, ["A"]))
    >>> t["action"].to_dict(), t["objective"].to_dict(), t["worth"].to_dict()
    ({'A': 'close', 'B': 'open'}, {'A': 0.0, 'B': 3.0}, {'A': 2.0, 'B': 1.0})
    """
    if method not in ("auto", "loop"):
        raise InputError(f"method: 'auto' or 'loop', got {method!r}", field="method")
    model, inst, plan = _inputs(result)
    vector = None if method == "loop" else _vectorised(model, result, plan)
    if vector is None:
        log.info(
            "explain %s: one evaluation per site (%d sites)", type(model).__name__, inst.n_sites
        )
        return explain_loop(result, backend)
    log.info("explain %s: %s", type(model).__name__, vector.attrs["method"])
    return _sorted(vector)


def _inputs(result: Result) -> tuple[Model, Any, Plan]:
    if not isinstance(result, Result):
        raise InputError(f"result: expected a Result, got {type(result).__name__}", field="result")
    if result.plan is None:
        raise InputError(f"result: no plan to explain (status {result.status!r})", field="result")
    if isinstance(result.model, PlanningModel):
        raise InputError(
            f"result: explain toggles single sites of a classical model's plan; a "
            f"{type(result.model).__name__} plan also sets types, stocks or teams, which a "
            "site alone does not say; compare evaluated variants instead (erlocate.compare)",
            field="result",
        )
    plan = result.plan
    plan_sites(result.instance, plan)  # the shape check
    return result.model, result.instance, plan


def _table(
    model: Model,
    inst: Any,
    open_: np.ndarray,
    base: float,
    objective: np.ndarray,
    feasible: np.ndarray,
) -> pd.DataFrame:
    open_ = np.asarray(open_, dtype=bool)
    change = objective - base
    sign = 1.0 if model.sense == "max" else -1.0
    worth = np.where(open_, -sign * change, sign * change)
    return pd.DataFrame(
        {
            "open": open_,
            "required": inst.required,
            "action": np.where(open_, "close", "open"),
            "objective": objective,
            "change": change,
            "worth": worth,
            "feasible": feasible,
        },
        index=inst.site_ids.rename("site_id"),
    )


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    order = np.lexsort((-table["worth"].to_numpy(), ~table["open"].to_numpy()))
    return table.iloc[order]


def _vectorised(model: Model, result: Result, plan: Plan) -> pd.DataFrame | None:
    """The formula's table, or None where no formula holds (see the module)."""
    inst = result.instance
    plain = not getattr(model, "capacitated", False) and not getattr(model, "groups", ())
    if not plain or type(model) not in (MCLP, PMedian, UFLP):
        return None
    if isinstance(model, (PMedian, UFLP)) and (
        getattr(model, "min_loads", None) is not None or getattr(model, "fill_required", False)
    ):
        return None
    base = evaluate_plan(model, inst, plan)
    if base.breaches:  # the loop judges each toggled plan's rules; the formulas assume none
        return None
    open_ = np.asarray(plan.open, dtype=bool)
    n_open = int(open_.sum())
    if isinstance(model, MCLP):
        objective, feasible = _mclp(inst, open_, float(model.max_cost), base.objective or 0.0)
        method = "vectorised: weight covered by each open site alone / uncovered within reach"
    else:
        objective, feasible = _median(inst, open_, model.max_cost)
        if isinstance(model, UFLP):
            objective += float(inst.site_costs[open_].sum())
            objective += np.where(open_, -inst.site_costs, inst.site_costs)
        method = "vectorised: second-nearest open site when closing, nearer site when opening"
    if "p" in model.parameter_names():
        feasible &= ~open_ | (n_open > 1)  # p - 1 >= 1
    feasible &= ~(open_ & inst.required)
    table = _table(model, inst, open_, float(base.objective or 0.0), objective, feasible)
    if isinstance(model, MCLP):
        table["covered_weight"] = objective
    table.attrs["method"] = method
    return table


def _mclp(inst: Any, open_: np.ndarray, standard: float, base: float) -> tuple[Any, Any]:
    """MCLP with one site toggled: base minus the weight j covers alone / plus the
    uncovered weight k reaches."""
    A = inst.coverage_matrix(standard).astype(float)
    n = A @ open_.astype(float)
    w = inst.weights
    alone = A.T @ (w * (n == 1))
    bare = A.T @ (w * (n == 0))
    objective = np.where(open_, base - alone, base + bare)
    return objective, np.ones(inst.n_sites, dtype=bool)


def _median(inst: Any, open_: np.ndarray, max_cost: float | None) -> tuple[Any, Any]:
    """Weighted assignment cost with one site toggled (nearest open within ``max_cost``;
    a point left without a site counts 0, as ``evaluate`` counts it, and is infeasible)."""
    m, w = inst.n_sites, inst.weights
    reach = np.ones(inst.costs.size, bool) if max_cost is None else inst.costs <= max_cost
    ok = open_[inst.indices] & reach
    rows, cols, cost = inst.pair_rows[ok], inst.indices[ok], inst.costs[ok]
    order = np.lexsort((cols, cost, rows))
    rows, cols, cost = rows[order], cols[order], cost[order]
    start = np.r_[True, rows[1:] != rows[:-1]]
    rank = np.arange(rows.size) - np.maximum.accumulate(np.where(start, np.arange(rows.size), 0))
    d1, d2 = np.full(inst.n_demand, np.inf), np.full(inst.n_demand, np.inf)
    s1 = np.full(inst.n_demand, -1)
    d1[rows[rank == 0]], s1[rows[rank == 0]] = cost[rank == 0], cols[rank == 0]
    d2[rows[rank == 1]] = cost[rank == 1]
    served = s1 >= 0
    base = float(w[served] @ d1[served])
    # closing j: its points move to their second site, or lose service (count 0)
    moved = np.where(np.isfinite(d2), d2 - d1, -d1)[served] * w[served]
    close = np.bincount(s1[served], weights=moved, minlength=m)
    orphan = np.bincount(s1[served], weights=~np.isfinite(d2[served]), minlength=m) > 0
    # opening k: points within reach move to k where nearer; unserved points are served
    cand = ~open_[inst.indices] & reach
    i, k, c = inst.pair_rows[cand], inst.indices[cand], inst.costs[cand]
    gain = w[i] * np.where(np.isfinite(d1[i]), np.minimum(0.0, c - d1[i]), c)
    opened = np.bincount(k, weights=gain, minlength=m)
    objective = base + np.where(open_, close, opened)
    return objective, ~(open_ & orphan)
