"""``allow_unhoused``, solved exactly in two steps: first try to house everyone who can be.

Unhoused people come first in the objective. A community with no shelter it
may use (none within its walking limit, or none large enough) is unhoused in
every plan; call the others *reachable*. If some plan houses every reachable
community, the least unhoused is exactly the unreachable people, and the
plans reaching it are those housing every reachable community: the rest of
the objective is then optimised by the MILP with ``allow_unhoused=False``
over the reachable communities, whose single-assignment rows are equalities
(a far tighter relaxation than the knapsack of who stays out) and whose
communities merge into demand nodes with ``closest=True``
(:mod:`~erlocate.planning.shelters.nodes`).

:func:`solve_loop` solves that MILP first. Any plan it finds proves the least
unhoused, so its plan and bound are the model's (converted: the later levels'
weights are the all-housed MILP's times one factor, see
:func:`~erlocate.planning.shelters.objective.level_weights`). If it is
infeasible, not everyone reachable can be housed and the full MILP (with
``sum_j z_ij <= 1``) runs in the time left.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.protocol import Backend
from erlocate.deadline import Deadline
from erlocate.decomposition.loop import LoopOutput
from erlocate.plan import Plan
from erlocate.planning.shelters.formulation import decode, encode, formulate
from erlocate.planning.shelters.inputs import ShelterData
from erlocate.planning.shelters.objective import level_weights
from erlocate.solve import milp_size

__all__ = ["everyone_reachable", "solve_loop"]


def everyone_reachable(d: ShelterData) -> ShelterData:
    """The same data with every reachable community to be housed (``allow_unhoused=False``)."""
    return replace(d, params=replace(d.params, allow_unhoused=False))


def _reachable(d: ShelterData) -> np.ndarray:
    """Communities with a shelter they may use (a usable pair)."""
    reach = np.zeros(d.instance.n_demand, dtype=bool)
    reach[d.instance.pair_rows[d.usable]] = True
    return reach


def _houses_reachable(d: ShelterData, plan: Plan) -> bool:
    housed = np.zeros(d.instance.n_demand, dtype=bool)
    housed[plan.demand_idx[plan.share > 0.5]] = True
    return bool(housed[_reachable(d)].all())


def solve_loop(
    d: ShelterData, backend: Backend, options: SolveOptions, start: Plan | None
) -> LoopOutput | None:
    """``allow_unhoused``: the all-housed MILP first, the full one if that is infeasible
    (module docstring); None (one MILP) otherwise."""
    if not d.params.allow_unhoused:
        return None
    deadline = Deadline.after(options.time_limit)
    d2 = everyone_reachable(d)
    milp2 = formulate(d2)
    x0 = encode(d2, milp2, start) if start is not None and _houses_reachable(d, start) else None
    out = backend.solve(milp2, deadline.options(options, warm_start=x0))
    if out.status == "infeasible":  # not everyone reachable fits: the full MILP
        milp = formulate(d)
        x0 = None if start is None else encode(d, milp, start)
        full = backend.solve(milp, deadline.options(options, warm_start=x0))
        plan = None if full.x is None else decode(d, milp, full.x)
        total = out.runtime + full.runtime
        return LoopOutput(replace(full, x=None, runtime=total), plan, milp_size(milp))
    wu, _, ww, _ = level_weights(d)
    _, _, ww2, _ = level_weights(d2)
    scale = ww / ww2
    unreachable = wu * float(d.hbar[d.active & ~_reachable(d)].sum())
    plan = None if out.x is None else decode(d2, milp2, out.x)
    if plan is None:  # no proof of the least unhoused: only the unreachable people bound it
        bound, objective = unreachable, None
    else:
        objective = unreachable + scale * float(out.objective)  # type: ignore[arg-type]
        bound = unreachable + scale * float(out.bound if out.bound is not None else -np.inf)
    gap = None
    if objective is not None and np.isfinite(bound):
        gap = abs(objective - bound) / max(abs(objective), 1e-10)
    note = f"{out.termination}; everyone reachable housed (allow_unhoused, exact)"
    return LoopOutput(
        SolverOutput(
            status=out.status,
            x=None,
            objective=objective,
            bound=bound if np.isfinite(bound) else None,
            gap=gap,
            runtime=out.runtime,
            termination=note,
            backend=out.backend,
        ),
        plan,
        milp_size(milp2),
    )
