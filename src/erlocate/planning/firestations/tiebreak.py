"""The exact least-cost tie-break of ``max_cover``: coverage first, then cost.

:func:`solve_loop` solves the MILP of
:mod:`~erlocate.planning.firestations.formulation`, then (through
:func:`~erlocate.planning.lexicographic.second_level`) minimises the cost of
:func:`~erlocate.planning.firestations.formulation.least_cost` over the plans
of that coverage; the second plan is kept only if the verifier
(:func:`~erlocate.planning.firestations.verify.evaluate`) finds it keeps the
coverage.
"""

from __future__ import annotations

from dataclasses import replace

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.decomposition.loop import LoopOutput
from erlocate.plan import Plan
from erlocate.planning.firestations.formulation import decode, encode, formulate, least_cost
from erlocate.planning.firestations.inputs import FireData
from erlocate.planning.firestations.verify import evaluate
from erlocate.planning.lexicographic import second_level

__all__ = ["solve_loop"]


def solve_loop(
    d: FireData, backend: Backend, options: SolveOptions, start: Plan | None
) -> LoopOutput | None:
    """max_cover: coverage first, then least cost among plans of that coverage (else None).

    Stage 2 (:func:`~erlocate.planning.lexicographic.second_level`) is kept only
    if its plan holds stage 1's coverage when recomputed from the data.
    """
    if d.params.mode != "max_cover":
        return None
    milp = formulate(d)
    x0 = None if start is None else encode(d, milp, start)
    first = backend.solve(milp, replace(options, warm_start=x0))
    lex = second_level(milp, first, least_cost(d, milp), backend, options)
    best, out = first, first
    # stage 2 ran only from a proven stage-1 vector (second_level)
    if lex.second is not None and lex.second.x is not None and first.x is not None:
        plan2 = decode(d, milp, lex.second.x)
        plan1 = decode(d, milp, first.x)
        # keep stage 2 only if it holds stage 1's coverage when recomputed from data
        v1, v2 = evaluate(d, plan1), evaluate(d, plan2)
        if v2 >= v1 - 1e-9 * max(1.0, abs(v1)):
            best = replace(lex.second, objective=first.objective)
            # coverage stays proven optimal; the tie-break's own status is in termination
            out = replace(
                first,
                runtime=first.runtime + lex.second.runtime,
                termination=f"{first.termination}; {lex.note}",
            )
    plan = None if best.x is None else decode(d, milp, best.x)
    return LoopOutput(
        replace(out, x=None),
        plan,
        {
            "rows": milp.n_rows,
            "cols": milp.n_cols,
            "nnz": milp.nnz,
            "int_cols": int(milp.integrality.sum()),
        },
    )
