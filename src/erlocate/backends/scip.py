"""SCIP backend (``"scip"``, alias ``"ortools"``): SCIP through OR-Tools' ``model_builder`` helpers.

Translation
    The canonical :class:`~erlocate.milp.Milp` is handed over in one
    ``ModelBuilderHelper.fill_model_from_sparse_data`` call (bounds, objective
    and the CSR matrix as numpy/scipy buffers, copied in C++). That call has no
    integrality argument, so integer columns are then flagged one
    ``set_var_integrality`` call each; this loop runs over integer columns
    only (p of them in a p-median, none in an LP) and never over matrix
    entries. On a 1000×200 p-median (200k columns, 600k non-zeros) this takes
    about 0.07 s, against 2.7 s for the MPS route (HiGHS' ``writeModel`` then
    ``import_from_mps_file``); see ``benchmarks/translate.py``. A
    single-source CFLP of that size (200k integer columns) adds about 0.1 s
    of integrality calls. Solutions come back as one numpy vector
    (``ModelSolverHelper.variable_values``), not through the per-variable
    ``Solver.values`` of the public wrapper.

Why SCIP and not CP-SAT
    CP-SAT is OR-Tools' strongest engine, but it works over integers: every
    variable integer, every coefficient an integer. Many of these models have
    fractional data and continuous columns (split capacitated shares, the
    p-center radius on decimal costs) that CP-SAT could only solve as a
    rescaled approximation. SCIP is an LP-based branch-and-cut MIP solver
    that takes every model as it is and reports a proven dual bound; the
    ``"cpsat"`` backend (:mod:`erlocate.backends.cpsat`) runs CP-SAT on the
    models that are exactly integer and refuses the others.

Options
    ``time_limit`` → ``set_time_limit_in_seconds``, counted from the call
    (SCIP gets what is left after translation; 0 is sent as 1e-6 s:
    OR-Tools reads 0 as "no limit"); ``gap`` → SCIP's
    ``limits/gap``; ``seed`` → ``randomization/randomseedshift``;
    ``verbose`` → ``enable_output`` (SCIP writes to the process' stdout);
    ``warm_start`` → a full solution hint (SCIP checks it and keeps it as
    an incumbent if feasible). ``threads`` is accepted and ignored: SCIP as
    built into OR-Tools runs its search on one thread.

Bounds
    The dual bound of a search SCIP did not close is taken only when it is at
    least what the column bounds alone give
    (:func:`~erlocate.backends.base.box_bound`). A SCIP run
    that stops with an incumbent (a root heuristic's, or the warm start)
    before its root LP is solved reports the *pseudo-objective* bound of its
    presolved model: every presolved column at its cheaper bound. That is 0
    for a p-median whose nearest costs sum to 2e8, and, once presolve has
    substituted columns (``z_i1 = 1 - sum_j z_ij``), presolved columns carry
    negative costs and the bound drops below 0 (−5,759,029 was seen for a
    p-median with costs >= 0); stopped during presolve it is −1e20. Such a
    bound says nothing a search found, so it is dropped here, and
    :func:`~erlocate.backends.base.honest_bound` (applied to every backend)
    puts the model's own bound in its place.

Statuses are not decided here: the raw facts go to
:func:`erlocate.backends.base.classify`.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import time

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh

from erlocate.backends.base import SolveOptions, SolverOutput, Verdict, box_bound
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.protocol import Capabilities, SolverBackend
from erlocate.errors import BackendError
from erlocate.milp import Milp

__all__ = ["BACKEND", "NAME", "SOLVER", "SUPPORTS_WARM_START", "available", "solve", "to_ortools"]

NAME = "scip"

#: The OR-Tools solver used for every model (MILPs and LPs alike).
SOLVER = "scip"

#: ``SolveOptions.warm_start`` is passed to SCIP as a full solution hint (MIPs only).
SUPPORTS_WARM_START = True

_ST = mbh.SolveStatus

#: SCIP reports an infinite bound as ±1e20.
_INFINITY = 1e20

#: Smallest time limit passed on (OR-Tools reads 0 as "no limit").
_MIN_TIME = 1e-6

#: SCIP's ``randomization/randomseedshift`` range.
_MAX_SEED = 2_147_483_647


def available() -> bool:
    """True if this OR-Tools build includes SCIP."""
    try:
        return bool(mbh.ModelSolverHelper(SOLVER).solver_is_supported())
    except Exception:  # pragma: no cover - broken OR-Tools install
        return False


def to_ortools(milp: Milp) -> mbh.ModelBuilderHelper:
    """Load ``milp`` into an OR-Tools ``ModelBuilderHelper``.

    Parameters
    ----------
    milp : Milp
        The canonical model; its integer columns are flagged one call each.

    Returns
    -------
    ortools.linear_solver.python.model_builder_helper.ModelBuilderHelper
        Columns and rows in the Milp's order, unnamed.

    Raises
    ------
    BackendError
        OR-Tools rejected the arrays.
    """
    helper = mbh.ModelBuilderHelper()
    helper.set_name(milp.name)
    try:
        # OR-Tools' stub (some releases) spells these float64 vectors
        # numpy.ndarray[numpy.float64[m, 1]] (pybind11's notation), which mypy reads as an
        # ndarray with shape type float64; older stubs do not, hence "unused-ignore" too
        helper.fill_model_from_sparse_data(
            _f64(milp.col_lb),  # type: ignore[arg-type, unused-ignore]
            _f64(milp.col_ub),  # type: ignore[arg-type, unused-ignore]
            _f64(milp.c),  # type: ignore[arg-type, unused-ignore]
            _f64(milp.row_lb),  # type: ignore[arg-type, unused-ignore]
            _f64(milp.row_ub),  # type: ignore[arg-type, unused-ignore]
            sp.csr_matrix(milp.A, dtype=np.float64),
        )
    except Exception as exc:  # ValueError, TypeError, MemoryError ...
        raise BackendError(f"ortools: cannot load {milp.summary()}: {exc}") from exc
    # No bulk setter exists for integrality: one call per integer column.
    for j in np.flatnonzero(milp.integrality).tolist():
        helper.set_var_integrality(j, True)
    helper.set_maximize(milp.sense == "max")
    helper.set_objective_offset(float(milp.offset))
    return helper


def _f64(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _parameters(options: SolveOptions) -> str:
    lines = [f"limits/gap = {options.gap!r}"]
    if options.seed is not None:
        lines.append(f"randomization/randomseedshift = {int(options.seed) % _MAX_SEED}")
    return "\n".join(lines)


@dataclasses.dataclass
class _Run:
    status: mbh.SolveStatus
    status_str: str
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    seconds: float


def _scip(helper: mbh.ModelBuilderHelper, options: SolveOptions) -> _Run:
    solver = mbh.ModelSolverHelper(SOLVER)
    if options.time_limit is not None:
        # OR-Tools reads a limit of 0 as "no limit".
        solver.set_time_limit_in_seconds(max(float(options.time_limit), _MIN_TIME))
    solver.set_solver_specific_parameters(_parameters(options))
    solver.enable_output(bool(options.verbose))
    if options.verbose:
        sys.stdout.flush()  # SCIP writes to the C stdout; keep the order readable
    start = time.perf_counter()
    try:
        solver.solve(helper)
    except Exception as exc:  # MemoryError (std::bad_alloc), RuntimeError ...
        raise BackendError(f"ortools: SCIP failed: {type(exc).__name__}: {exc}") from exc
    seconds = time.perf_counter() - start
    status = solver.status()
    has_solution = bool(solver.has_solution())
    x = objective = bound = None
    if has_solution:
        x = np.array(solver.variable_values(), dtype=np.float64)
        objective = float(solver.objective_value())
    response = solver.response()
    if response.HasField("best_objective_bound"):
        value = float(response.best_objective_bound)
        if np.isfinite(value) and abs(value) < _INFINITY:
            bound = value
    return _Run(status, str(solver.status_string()), x, objective, bound, seconds)


def _describe(run: _Run) -> str:
    name = run.status.name.lower().replace("_", " ")
    return f"{name} ({run.status_str})" if run.status_str else name


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with SCIP through OR-Tools (:func:`to_ortools`) after
    :func:`~erlocate.backends.call.solve_with`'s checks, and classify the answer.

    ``time_limit`` → ``set_time_limit_in_seconds``, ``gap`` →
    ``limits/gap``, ``seed`` → ``randomization/randomseedshift``,
    ``verbose`` → ``enable_output``; a ``warm_start`` vector becomes a
    full solution hint (MIPs only). ``threads`` is ignored (SCIP in
    OR-Tools is single-threaded).

    Raises
    ------
    BackendError
        OR-Tools rejected the model or parameters, or SCIP failed without any
        incumbent.
    """
    return solve_with(NAME, milp, options, _solve)


def _solve(call: SolveCall) -> SolverOutput:
    milp = call.milp
    helper = to_ortools(milp)
    if call.x0 is not None and call.is_mip:
        # No bulk setter for hints either: one call per column, only when asked.
        for j, value in enumerate(call.x0.tolist()):
            helper.add_hint(j, value)
    run = _scip(helper, call.clock.options(call.options))
    floor = box_bound(milp)
    if run.bound is not None and floor is not None and run.status != _ST.OPTIMAL:
        weaker = run.bound < floor if milp.sense == "min" else run.bound > floor
        if weaker:  # the presolved model's pseudo-objective bound: see the module doc
            run = dataclasses.replace(run, bound=None)
    runtime = run.seconds
    termination = _describe(run)
    status = run.status
    verdict: Verdict = {}
    search_complete = False
    if status in (_ST.INFEASIBLE, _ST.UNBOUNDED):
        ambiguous = status == _ST.UNBOUNDED or "unbounded" in run.status_str.lower()
        if ambiguous:
            # presolve may say unbounded (or "infeasible or unbounded") before any feasible point
            checks: list[_Run] = []
            check = functools.partial(_zero_objective, helper, checks)
            verdict, termination = call.recheck("SCIP", "unbounded", check)
            runtime += sum(c.seconds for c in checks)
        else:
            verdict = {"infeasible": True}
    elif status == _ST.OPTIMAL:
        search_complete = True
    elif status in (_ST.FEASIBLE, _ST.NOT_SOLVED, _ST.CANCELLED_BY_USER):
        pass  # stopped by a limit: an incumbent if there is one
    elif run.x is None:
        raise BackendError(f"ortools: SCIP ended with {termination} on {milp.summary()}")
    if verdict:
        return call.refuted(verdict, runtime, termination)
    if search_complete and run.x is None:
        raise BackendError(f"ortools: SCIP said {termination} but returned no solution")
    bound = run.bound if call.is_mip else None
    return call.answer(run.x, run.objective, bound, search_complete, runtime, termination)


def _zero_objective(
    helper: mbh.ModelBuilderHelper, runs: list[_Run], quiet: SolveOptions
) -> bool | str:
    """Solve again with a zero objective (the run goes to ``runs``): feasible (True),
    infeasible (False) or why not known."""
    helper.clear_hints()
    helper.clear_objective()  # set_objective_coefficients skips zeros
    run = _scip(helper, quiet)
    runs.append(run)
    if run.status in (_ST.OPTIMAL, _ST.INFEASIBLE):
        return run.status == _ST.OPTIMAL
    return _describe(run)


class ScipBackend(SolverBackend):
    """SCIP inside OR-Tools (a dependency)."""

    name = NAME
    interface = "OR-Tools model_builder: one fill_model_from_sparse_data call (CSR)"
    capabilities = Capabilities(warm_start=True, bound=True, threads=False, seed=True)
    distribution = "ortools"

    def probe(self) -> str:
        """SCIP must be compiled into this OR-Tools build."""
        return "" if available() else "this OR-Tools build has no SCIP"

    run = staticmethod(solve)


#: The ``"scip"`` backend.
BACKEND = ScipBackend()
