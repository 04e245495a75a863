"""HiGHS backend (``highspy``): the default solver.

The canonical :class:`~erlocate.milp.Milp` goes to HiGHS in one ``passModel``
call with the CSR arrays as they are (HiGHS accepts a row-wise matrix), so
translation costs a few copies of numpy buffers and no Python loop. Names are
attached only when asked (MPS export), through one ``HighsLp`` round trip.

Statuses are not decided here: the raw facts go to
:func:`erlocate.backends.base.classify`.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import time

import highspy
import numpy as np

from erlocate.backends.base import SolveOptions, SolverOutput, Verdict
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.protocol import Capabilities, SolverBackend
from erlocate.errors import BackendError
from erlocate.milp import Milp

__all__ = [
    "BACKEND",
    "MAX_THREADS",
    "NAME",
    "SUPPORTS_WARM_START",
    "available",
    "check_threads",
    "new_highs",
    "run",
    "set_option",
    "solve",
    "to_highs",
]

NAME = "highs"

#: ``SolveOptions.warm_start`` is passed to HiGHS as a starting incumbent (MIPs only).
SUPPORTS_WARM_START = True

logger = logging.getLogger(__name__)

_MS = highspy.HighsModelStatus

#: Statuses after which HiGHS may hold an incumbent but has not closed the search.
_STOPPED = {
    _MS.kTimeLimit,
    _MS.kIterationLimit,
    _MS.kSolutionLimit,
    _MS.kInterrupt,
    _MS.kObjectiveBound,
    _MS.kObjectiveTarget,
    _MS.kMemoryLimit,
    _MS.kUnknown,
    # highspy 1.16's stub lacks kHighsInterrupt (value 19), which the extension defines
    _MS.kHighsInterrupt,  # type: ignore[attr-defined]
}

#: ``HighsInfo.primal_solution_status`` value meaning "a feasible point is held".
_SOLUTION_FEASIBLE = 2

#: HiGHS' ``random_seed`` option range.
_MAX_SEED = 2_147_483_647

#: Most ``threads`` passed to HiGHS. It starts one OS thread per requested thread
#: and aborts the whole process (``std::terminate``) when the OS refuses one
#: (about 30,000 here), so larger values are refused before HiGHS sees them.
MAX_THREADS = 1024


def available() -> bool:
    """True: highspy is a hard dependency, so importing this module proves it is there."""
    return True


@functools.cache
def _mute_banner() -> None:
    # highspy.Highs() prints a two-line banner to stdout the first time any
    # instance logs. Logging once with console output off marks the banner as
    # written, so quiet solves stay quiet. The core class is used because the
    # public one prints from its constructor, before options can be set.
    core = getattr(getattr(highspy, "_core", None), "_Highs", None)
    if core is None:  # pragma: no cover - other highspy layouts
        return
    quiet = core()
    quiet.setOptionValue("log_to_console", False)
    quiet.run()


def new_highs(verbose: bool = False) -> highspy.Highs:
    """A fresh :class:`highspy.Highs` without the banner, logging only when ``verbose``."""
    _mute_banner()
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(verbose))
    if verbose:
        h.setOptionValue("log_to_console", True)
    return h


def check_threads(threads: int | None) -> None:
    """Refuse a ``threads`` value HiGHS cannot start (BackendError naming the option)."""
    if threads is not None and int(threads) > MAX_THREADS:
        raise BackendError(
            f"highs: option threads={int(threads)} is more than HiGHS can start safely "
            f"(at most {MAX_THREADS}; this machine has {os.cpu_count()} cores): pass "
            f"threads <= {os.cpu_count()}"
        )


def set_option(h: highspy.Highs, name: str, value: bool | float | str) -> None:
    """``h.setOptionValue(name, value)``; BackendError naming the option when HiGHS refuses it."""
    try:
        status = h.setOptionValue(name, value)
    except Exception as exc:  # pybind11 type errors, C++ exceptions
        raise BackendError(f"highs: option {name}={value!r} rejected: {exc}") from exc
    if status == highspy.HighsStatus.kError:
        raise BackendError(f"highs: option {name}={value!r} rejected by HiGHS")


def run(h: highspy.Highs, threads: int | None = None, what: str = "run") -> highspy.HighsStatus:
    """``h.run()`` that survives a thread-pool size change and raises only BackendError.

    HiGHS keeps one process-wide thread pool, sized by the first solve that
    starts it. A later run whose ``threads`` option differs refuses to start
    (status error, model status "Not Set"); the pool is then rebuilt with
    ``Highs.resetGlobalScheduler(True)`` and the run repeated, so every stage
    of a loop honours its own ``threads``. C++ exceptions (``std::bad_alloc``
    ...) become BackendError naming ``threads`` when it was set.
    """
    check_threads(threads)
    try:
        status = h.run()
        if (
            status == highspy.HighsStatus.kError
            and h.getModelStatus() == _MS.kNotset
            and threads is not None
        ):
            highspy.Highs.resetGlobalScheduler(True)
            status = h.run()
    except Exception as exc:  # MemoryError (std::bad_alloc), RuntimeError ...
        hint = f" with option threads={threads}" if threads is not None else ""
        raise BackendError(f"highs: {what} failed{hint}: {type(exc).__name__}: {exc}") from exc
    if status == highspy.HighsStatus.kError and h.getModelStatus() == _MS.kNotset:
        raise BackendError(f"highs: {what} failed before solving (see the log with verbose=True)")
    return status


def to_highs(milp: Milp, names: bool = False) -> highspy.Highs:
    """Load ``milp`` into a fresh, silent :class:`highspy.Highs` instance.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    names : bool
        Attach column and row names (``block[k]``) and the model name, e.g.
        for ``writeModel``. Off by default: naming 200k columns costs more
        than passing the whole matrix.

    Returns
    -------
    highspy.Highs
        An instance holding the model, with ``output_flag`` off.

    Raises
    ------
    BackendError
        HiGHS rejected the model.
    """
    h = new_highs()
    A = milp.A
    # An all-zero integrality vector keeps an LP an LP in HiGHS (isMip checks the types).
    integrality = np.ascontiguousarray(milp.integrality, dtype=np.int32)
    sense = highspy.ObjSense.kMaximize if milp.sense == "max" else highspy.ObjSense.kMinimize
    try:
        status = h.passModel(
            milp.n_cols,
            milp.n_rows,
            int(A.nnz),
            int(highspy.MatrixFormat.kRowwise),
            int(sense),
            float(milp.offset),
            _f64(milp.c),
            _f64(milp.col_lb),
            _f64(milp.col_ub),
            _f64(milp.row_lb),
            _f64(milp.row_ub),
            np.ascontiguousarray(A.indptr, dtype=np.int32),
            np.ascontiguousarray(A.indices, dtype=np.int32),
            _f64(A.data),
            integrality,
        )
    except Exception as exc:  # MemoryError (std::bad_alloc) on a huge model ...
        raise BackendError(f"highs: passModel failed on {milp.summary()}: {exc}") from exc
    if status == highspy.HighsStatus.kError:
        raise BackendError(f"highs: passModel rejected {milp.summary()}")
    if names:
        # highspy has no bulk name setter; one HighsLp round trip sets all names in C++.
        lp = h.getLp()
        lp.col_names_ = milp.col_names()
        lp.row_names_ = milp.row_names()
        lp.model_name_ = milp.name
        if h.passModel(lp) == highspy.HighsStatus.kError:
            raise BackendError(f"highs: passModel rejected the names of {milp.name!r}")
    return h


def _f64(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _set_options(h: highspy.Highs, options: SolveOptions) -> None:
    set_option(h, "output_flag", bool(options.verbose))
    if options.verbose:
        set_option(h, "log_to_console", True)
    if options.time_limit is not None:
        set_option(h, "time_limit", float(options.time_limit))
    set_option(h, "mip_rel_gap", options.gap)
    set_option(h, "mip_abs_gap", options.abs_gap)
    if options.threads is not None:
        check_threads(options.threads)
        set_option(h, "threads", int(options.threads))
    if options.seed is not None:
        set_option(h, "random_seed", int(options.seed) % _MAX_SEED)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with HiGHS (:func:`to_highs`) after
    :func:`~erlocate.backends.call.solve_with`'s checks, and classify the answer.

    ``time_limit`` → ``time_limit``, counted from the call (translation
    included: HiGHS gets what is left after loading), ``gap`` → ``mip_rel_gap``
    and ``mip_abs_gap``, ``threads``, ``seed`` → ``random_seed``, ``verbose`` →
    ``output_flag``; a ``warm_start`` vector is handed to ``setSolution`` (MIPs only: HiGHS
    starts LPs from its own crash basis, and an LP's warm start is not read).

    Raises
    ------
    BackendError
        ``threads`` beyond :data:`MAX_THREADS` (checked first), or HiGHS failed
        without any incumbent (load, presolve or solve error).
    """
    check_threads(options.threads)
    if not milp.integrality.any():  # HiGHS starts an LP from its own basis: no start to check
        options = dataclasses.replace(options, warm_start=None)
    return solve_with(NAME, milp, options, _solve)


def _solve(call: SolveCall) -> SolverOutput:
    return _run_once(call, call.x0)


def _run_once(call: SolveCall, x0: np.ndarray | None) -> SolverOutput:
    milp, options, clock = call.milp, call.options, call.clock
    h = to_highs(milp)
    if x0 is not None:
        h.setSolution(milp.n_cols, np.arange(milp.n_cols, dtype=np.int32), x0)
    _set_options(h, clock.options(options))

    start = time.perf_counter()
    run(h, options.threads)
    model_status = h.getModelStatus()
    termination = h.modelStatusToString(model_status)
    verdict: Verdict = {}
    if model_status == _MS.kUnboundedOrInfeasible:
        # with a zero objective HiGHS decides feasibility (for rational data, also for a MIP)
        first = "unbounded or infeasible"
        check = functools.partial(_zero_objective, h, call.milp)
        said = f"unbounded (HiGHS first said {first})"
        verdict, termination = call.recheck("HiGHS", first, check, unbounded=said)
    elif model_status == _MS.kInfeasible:
        verdict = {"infeasible": True}
    elif model_status == _MS.kUnbounded:
        verdict = {"unbounded": True}
    runtime = time.perf_counter() - start
    if verdict:
        return call.refuted(verdict, runtime, termination)

    info = h.getInfo()
    x = objective = None
    if info.primal_solution_status == _SOLUTION_FEASIBLE:
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        objective = float(info.objective_function_value)
        value = milp.objective_value(x)
        if x0 is not None and abs(value - objective) > 1e-6 * max(1.0, abs(value), abs(objective)):
            # highspy 1.16 can report "Optimal" with the better objective it found but hand
            # back the warm-start vector (tests/peers/test_allagash.py): the vector and the
            # claim do not belong together, so solve again without the start
            logger.warning(
                "highs: the returned vector is worth %.10g, not the reported %.10g (a HiGHS "
                "defect with warm starts); solving again without the start",
                value,
                objective,
            )
            return _run_once(call, None)
    elif model_status not in _STOPPED:
        raise BackendError(f"highs: {termination} on {milp.summary()}")
    # An LP has no MIP bound; classify() uses the objective of a finished LP.
    bound = _finite(info.mip_dual_bound) if call.is_mip else None
    complete = model_status == _MS.kOptimal
    return call.answer(x, objective, bound, complete, runtime, termination)


def _zero_objective(h: highspy.Highs, milp: Milp, left: SolveOptions) -> bool | str:
    """Solve again with a zero objective and what is left of the time limit (the log stays
    as it was): feasible (True), infeasible (False) or why not known."""
    n = milp.n_cols
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    if left.time_limit is not None:
        set_option(h, "time_limit", left.time_limit)
    run(h, left.threads, "the feasibility check")
    status = h.getModelStatus()
    if status in (_MS.kInfeasible, _MS.kOptimal):
        return status == _MS.kOptimal
    return h.modelStatusToString(status)


class HighsBackend(SolverBackend):
    """HiGHS through ``highspy`` (a dependency: always available)."""

    name = NAME
    interface = "highspy: one passModel call with the CSR arrays"
    capabilities = Capabilities(warm_start=True, bound=True, threads=True, seed=True)
    distribution = "highspy"

    run = staticmethod(solve)


#: The ``"highs"`` backend.
BACKEND = HighsBackend()
