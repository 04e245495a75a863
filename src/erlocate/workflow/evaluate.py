"""Evaluate a fixed plan: its objective, coverage and breaches on any instance, without solving.

A planner asks what a plan chosen last year does on today's data, or on the
network a flood leaves: the same open sites, demand re-assigned as the model
assigns it, every figure recomputed from the data. :func:`evaluate_plan` (also
:meth:`Model.evaluate_plan <erlocate.models.base.Model.evaluate_plan>`) gives
that as a :class:`~erlocate.result.Result` with status ``"evaluated"``.

How demand is assigned to the fixed sites, per model:

* covering models (MCLP, LSCP, BackupCoverage) and PCenter, uncapacitated:
  each point to its nearest open site, as their ``decode`` does;
* PMedian and UFLP, uncapacitated without minimum loads: each point to its
  nearest open site within the model's cut-off (what an optimal assignment
  does once the sites are fixed);
* MEXCLP and MALP: the plan's units per site, each point at its nearest unit;
* PDispersion: no assignment;
* everything else (capacitated models, minimum loads, planning models, other
  models): the model's own MILP with the design columns (open sites, and
  station types, units, stocks, team stations where the model has them)
  fixed to the plan, solved by a backend, and decoded by the model. If no
  assignment exists (capacities too small for the demand, say), the plan's own
  assignment is kept (nearest open sites for a plan of sites only) and the
  breaches say what it breaks.

The plan is never changed to fit: an evaluated plan that breaks a rule of the
model (a required site closed, a point beyond its cut-off, a capacity
exceeded, more or fewer sites than ``p``) is returned with its breaches in
:attr:`EvaluatedResult.breaches` and in its summary, and ``verify()`` raises
on them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from erlocate.errors import InfeasibleError, InputError, VerificationError
from erlocate.instance import Instance
from erlocate.models.base import Model, cutoff_breach
from erlocate.plan import Plan
from erlocate.result import Result
from erlocate.workflow.allocate import allocate, plan_sites, same_layout

__all__ = ["EvaluatedResult", "evaluate_plan"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False, repr=False)
class EvaluatedResult(Result):
    """A :class:`~erlocate.result.Result` of a fixed plan (status ``"evaluated"``).

    Everything a solved result has (tables, coverage, report, ``verify()``),
    plus :attr:`breaches`: what the plan breaks on this instance, one line each
    (empty when it meets every rule of the model). ``objective`` is the model's
    objective recomputed from the data; ``bound`` and ``gap`` are None.
    """

    breaches: tuple[str, ...] = ()

    @property
    def feasible(self) -> bool:
        """True when the plan meets every rule of the model on this instance."""
        return not self.breaches

    def summary(self) -> str:
        """The result's summary and one line per breach (or that there are none)."""
        lines = [super().summary()]
        if not self.breaches:
            lines.append("  fixed plan meets every rule of the model on this instance")
        else:
            lines.append(f"  fixed plan breaks {len(self.breaches)} rules (verify() raises):")
            lines += [f"    - {b}" for b in self.breaches[:20]]
            if len(self.breaches) > 20:
                lines.append(f"    ... and {len(self.breaches) - 20} more")
        return "\n".join(lines)


def evaluate_plan(
    model: Model,
    instance: Instance,
    plan: Any,
    *,
    backend: str = "highs",
    reassign: bool = True,
    time_limit: float | None = None,
) -> EvaluatedResult:
    """``plan`` evaluated by ``model`` on ``instance``, without choosing any site.

    Parameters
    ----------
    model : Model
        The model whose objective, rules and assignment apply.
    instance : Instance
        The data to evaluate on, e.g. the same district after a road closure.
    plan : Result, Plan, boolean array or list of site ids
        The fixed sites. A Result's open sites are matched by site id, so it may
        come from another instance over the same sites (a plan solved on the
        normal network, evaluated on the flooded one). A MEXCLP / MALP plan
        keeps its units per site; planning models need a Result or Plan of an
        instance with the same sites and demand points in the same order.
    backend : str
        The solver for the models whose assignment is a MILP of its own
        (capacitated, minimum loads, planning models); unused otherwise.
    reassign : bool
        True (default): demand assigned to the fixed sites as the model assigns
        it (see the module). False: a Plan's (or Result's) own assignment kept
        as given; the plan must be of an instance with the same sites and
        demand points in the same order.
    time_limit : float, optional
        Seconds for the assignment MILP, where one is solved.

    Returns
    -------
    EvaluatedResult
        Status ``"evaluated"``, the objective recomputed by ``model.evaluate``,
        no bound; ``breaches`` lists every rule the plan breaks (``verify()``
        raises on them).

    Raises
    ------
    InputError
        Unknown site ids, a plan of another layout, a model that reads costs
        beyond the instance's cut-off, or data the model refuses
        (``model.validate``). Where ``validate`` proves the model infeasible on
        this instance, that is the first breach instead.

    Examples
    --------
    >>> import erlocate
    >>> from erlocate.datasets import random_euclidean
    >>> inst = random_euclidean(60, 8, seed=1)
    >>> r = erlocate.MCLP(p=2, max_cost=2500).evaluate_plan(inst, ["s0", "s3"])
    >>> r.status, r.open_sites.tolist()
    ('evaluated', ['s0', 's3'])
    """
    if not isinstance(model, Model):
        raise InputError(
            f"model: expected an erlocate model, got {type(model).__name__}", field="model"
        )
    if not isinstance(instance, Instance):
        raise InputError(
            f"instance: expected an Instance, got {type(instance).__name__}", field="instance"
        )
    breach = cutoff_breach(model, instance)
    if breach is not None:
        raise InputError(breach, field=model.reach_field)
    start = time.perf_counter()
    infeasible: list[str] = []
    try:
        model.validate(instance)  # bad inputs raise; a model infeasible here is a breach
    except InfeasibleError as err:
        infeasible.append(f"the model is infeasible on this instance: {err}")
    if reassign:
        new, how, runtime, size = allocate(model, instance, plan, backend, time_limit)
        used = backend if size else "none"
    else:
        new, how, runtime, size, used = _as_given(instance, plan), "as given", 0.0, {}, "none"
    objective = float(model.evaluate(instance, new))
    fields = dict(
        model=model,
        instance=instance,
        plan=new,
        status="evaluated",
        objective=objective,
        bound=None,
        gap=None,
        runtime=runtime,
        build_time=time.perf_counter() - start - runtime,
        backend=used,
        termination=f"fixed plan: {how}",
        milp_size=size,
    )
    try:
        Result(**fields).verify()  # type: ignore[arg-type]
        breaches: list[str] = []
    except VerificationError as err:
        breaches = err.breaches
    breaches = infeasible + breaches
    log.info(
        "%s evaluated on %s: objective %.10g, %d open sites, %d breaches (%s)",
        type(model).__name__,
        instance.name or "instance",
        objective,
        int(new.open.sum()),
        len(breaches),
        how,
    )
    return EvaluatedResult(**fields, breaches=tuple(breaches))  # type: ignore[arg-type]


def _as_given(instance: Instance, plan: Any) -> Plan:
    """A Plan (or a Result's plan) of this instance's layout, kept as it is."""
    if isinstance(plan, Result):
        if plan.plan is None or not same_layout(plan.instance, instance):
            raise InputError(
                "plan: reassign=False keeps the Result's assignment, so it must have a plan on "
                "an instance with the same sites and demand points in the same order; use "
                "reassign=True to evaluate its sites on another instance",
                field="plan",
            )
        return plan.plan
    if isinstance(plan, Plan):
        plan_sites(instance, plan)  # the shape check
        return plan
    raise InputError(
        f"plan: reassign=False needs a Plan or Result, got {type(plan).__name__}", field="plan"
    )
