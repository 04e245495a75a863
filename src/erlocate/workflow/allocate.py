"""Fixed plans: which sites a plan opens on an instance, and demand assigned to them.

:func:`allocate` is the assignment step of :func:`erlocate.workflow.evaluate_plan`;
the rule per model is described there (:mod:`erlocate.workflow.evaluate`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions
from erlocate.errors import InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.models import (
    LSCP,
    MALP,
    MCLP,
    MEXCLP,
    UFLP,
    BackupCoverage,
    PCenter,
    PDispersion,
    PMedian,
)
from erlocate.models.base import Model
from erlocate.models.loads import check_min_loads
from erlocate.models.units import UnitPlan
from erlocate.plan import Plan, reassign_nearest
from erlocate.planning.base import PlanningModel
from erlocate.result import Result

__all__ = [
    "DESIGN_BLOCKS",
    "allocate",
    "allocation_model",
    "fixed_milp_plan",
    "plan_sites",
    "rule",
    "same_layout",
]

log = logging.getLogger(__name__)

#: MILP column blocks that make a plan's design; fixed when a plan is evaluated by its MILP.
DESIGN_BLOCKS = ("open", "units", "type", "station", "stock", "reserve")

EMPTY = np.zeros(0, dtype=np.int64)


def plan_sites(instance: Instance, plan: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """The open-site mask of ``plan`` on ``instance`` and its units per site (or None).

    ``plan`` is a :class:`~erlocate.result.Result` (its open sites matched by
    site id, so it may come from another instance over the same sites), a
    :class:`~erlocate.plan.Plan` of this instance (one open flag per site), a
    boolean array with one flag per site, or a list / Index / Series of site ids.

    Raises
    ------
    InputError
        Site ids this instance does not have (each named), repeated ids, a plan
        of another size, or anything else.
    """
    if isinstance(plan, Result):
        if plan.plan is None:
            raise InputError(f"plan: the Result has no plan (status {plan.status!r})", field="plan")
        ids = plan.open_sites
        mask = _ids_mask(instance, ids)
        units = getattr(plan.plan, "units", None)
        if units is None:
            return mask, None
        counts = pd.Series(np.asarray(units)[plan.plan.open], index=ids)
        out = np.zeros(instance.n_sites, dtype=np.int64)
        out[instance.site_ids.get_indexer(ids)] = counts.to_numpy()
        return mask, out
    if isinstance(plan, Plan):
        open_ = np.asarray(plan.open)
        if open_.shape != (instance.n_sites,) or open_.dtype != bool:
            raise InputError(
                f"plan: a Plan with {open_.shape} {open_.dtype} open flags for an instance of "
                f"{instance.n_sites} sites; pass a Plan of this instance, a Result, or the "
                "open site ids",
                field="plan",
            )
        units = getattr(plan, "units", None)
        return open_.copy(), None if units is None else np.asarray(units, dtype=np.int64)
    if isinstance(plan, np.ndarray) and plan.dtype == bool:
        if plan.shape != (instance.n_sites,):
            raise InputError(
                f"plan: {plan.shape} open flags for {instance.n_sites} sites", field="plan"
            )
        return plan.copy(), None
    if isinstance(plan, (list, tuple, pd.Index, pd.Series, np.ndarray)):
        return _ids_mask(instance, pd.Index(list(plan))), None
    raise InputError(
        f"plan: expected a Result, a Plan or a list of open site ids, got {type(plan).__name__}",
        field="plan",
    )


def _ids_mask(instance: Instance, ids: pd.Index) -> np.ndarray:
    if ids.has_duplicates:
        raise InputError(
            f"plan: site ids repeated: {show_ids(ids[ids.duplicated()].unique())}", field="plan"
        )
    pos = instance.site_ids.get_indexer(ids)
    if (pos < 0).any():
        raise InputError(
            f"plan: {int((pos < 0).sum())} open sites are not sites of this instance: "
            f"{show_ids(ids[pos < 0])}; evaluate on an instance over the same sites",
            field="plan",
        )
    mask = np.zeros(instance.n_sites, dtype=bool)
    mask[pos] = True
    return mask


def same_layout(a: Instance, b: Instance) -> bool:
    """Same sites and demand points in the same order (a plan's positions mean the same)."""
    return a is b or (a.site_ids.equals(b.site_ids) and a.demand_ids.equals(b.demand_ids))


def _has_min_loads(model: Model) -> bool:
    loads = check_min_loads(getattr(model, "min_loads", None))
    return bool(getattr(model, "fill_required", False)) or (
        loads is not None and bool((loads > 0).any())
    )


def rule(model: Model) -> str:
    """How :func:`evaluate_plan` assigns demand to ``model``'s fixed sites (see the module)."""
    capacitated = bool(getattr(model, "capacitated", False))
    if isinstance(model, PlanningModel):
        return "milp"
    if isinstance(model, PDispersion):
        return "none"
    if isinstance(model, (MEXCLP, MALP)):
        return "units"
    if isinstance(model, (MCLP, LSCP, BackupCoverage, PCenter)) and not capacitated:
        return "nearest"
    if isinstance(model, (PMedian, UFLP)) and not capacitated and not _has_min_loads(model):
        return "nearest_within"
    return "milp"


def allocation_model(model: Model, n_open: int) -> Model:
    """``model`` as its fixed-plan MILP needs it: ``p`` = the plan's count, no reductions
    (they assume required sites open), no site groups (rows on the open flags alone, which
    the fixed plan settles; the check reports them), one MILP (no decomposition)."""
    if isinstance(model, PlanningModel):
        return model
    names = model.parameter_names()
    changes: dict[str, Any] = {}
    if "p" in names and getattr(model, "p", None) is not None:
        changes["p"] = n_open
    if "reduce" in names:
        changes["reduce"] = False
    if "groups" in names:
        changes["groups"] = ()
    if "method" in names:
        changes["method"] = "milp"
    if isinstance(model, (PMedian, PCenter)):
        changes["formulation"] = "dense"
    return model.replace(**changes) if changes else model


def fixed_milp_plan(
    model: Model, instance: Instance, plan: Plan, backend: str, time_limit: float | None
) -> tuple[Plan | None, str, float, dict[str, float]]:
    """The model's MILP with ``plan``'s design columns fixed, solved and decoded.

    Returns (plan or None when no assignment exists, what the solver said, solver
    seconds, MILP sizes).
    """
    count = int(np.asarray(plan.open).sum())
    free = allocation_model(model, count)
    milp = free.build(instance)
    x0 = free.encode(instance, milp, plan)
    lb, ub = milp.col_lb.copy(), milp.col_ub.copy()
    fixed = [n for n in DESIGN_BLOCKS if n in milp.col_blocks]
    for name in fixed:
        s = milp.col_blocks[name]
        lb[s] = ub[s] = x0[s]
    out = get_backend(backend).solve(
        replace(milp, col_lb=lb, col_ub=ub), SolveOptions(time_limit=time_limit)
    )
    size: dict[str, float] = {"rows": milp.n_rows, "cols": milp.n_cols, "nnz": milp.nnz}
    said = f"{backend}: {out.status} ({out.termination}) with {', '.join(fixed)} fixed"
    log.debug("fixed-plan MILP of %s: %s", type(model).__name__, said)
    if out.x is None:
        return None, said, out.runtime, size
    decoded = free.decode(instance, replace(milp, col_lb=lb, col_ub=ub), out.x)
    return decoded, said, out.runtime, size


def _design_plan(model: Model, instance: Instance, source: Any, open_: np.ndarray) -> Plan:
    """The plan whose design the MILP route fixes: a planning model's own plan (same
    sites and demand points), else the open sites (and units) with no assignment."""
    if isinstance(model, PlanningModel):
        given = source.plan if isinstance(source, Result) else source
        same = not isinstance(source, Result) or same_layout(source.instance, instance)
        if not isinstance(given, Plan) or not same:
            raise InputError(
                f"plan: {type(model).__name__} plans carry more than open sites (types, "
                "assignments ...); evaluate a Result or Plan of an instance with the same "
                "sites and demand points in the same order",
                field="plan",
            )
        return given
    return Plan(open_, EMPTY, EMPTY.copy(), np.zeros(0))


def allocate(
    model: Model,
    instance: Instance,
    source: Any,
    backend: str = "highs",
    time_limit: float | None = None,
) -> tuple[Plan, str, float, dict[str, float]]:
    """The plan of ``source``'s sites on ``instance`` with demand assigned as ``model`` does.

    Returns (plan, how it was assigned, solver seconds, MILP sizes).
    """
    open_, units = plan_sites(instance, source)
    how = rule(model)
    if how == "units":
        counts = open_.astype(np.int64) if units is None else units
        return UnitPlan.from_units(instance, counts), "units at the plan's sites", 0.0, {}
    if how == "none":
        return Plan(open_, EMPTY, EMPTY.copy(), np.zeros(0)), "no assignment", 0.0, {}
    if how == "nearest":
        return Plan.nearest(instance, open_), "each point to its nearest open site", 0.0, {}
    if how == "nearest_within" or (
        how == "milp" and not isinstance(model, PlanningModel) and not open_.any()
    ):
        empty = Plan(open_, EMPTY, EMPTY.copy(), np.zeros(0))
        plan = reassign_nearest(instance, empty, np.ones(instance.n_demand, bool), model.max_cost)
        cut = "" if model.max_cost is None else f" within {model.max_cost:g}"
        return plan, f"each point to its nearest open site{cut}", 0.0, {}
    design = _design_plan(model, instance, source, open_)
    found, said, runtime, size = fixed_milp_plan(model, instance, design, backend, time_limit)
    if found is not None:
        return found, f"assignment solved with the plan fixed ({said})", runtime, size
    if design.demand_idx.size:  # a planning model's plan: its own assignment
        return design, f"no assignment meets every rule ({said}); its own kept", runtime, size
    kept = Plan.nearest(instance, open_)
    return kept, f"no assignment meets every rule ({said}); nearest kept", runtime, size
