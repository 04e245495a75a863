"""HiGHS backend (``highspy``): the default solver.

The canonical :class:`~erlocate.milp.Milp` goes to HiGHS in one ``passModel``
call with the CSR arrays as they are (HiGHS accepts a row-wise matrix), so
translation costs a few copies of numpy buffers and no Python loop. Names are
attached only when asked (MPS export), through one ``HighsLp`` round trip.

Statuses are not decided here: the raw facts go to
:func:`erlocate.backends.base.classify`.
"""

from __future__ import annotations

import functools
import os
import time

import highspy
import numpy as np

from erlocate.backends.base import (
    RunFacts,
    SolveOptions,
    SolverOutput,
    Verdict,
    classify,
    solve_empty,
)
from erlocate.backends.protocol import Capabilities, SolverBackend
from erlocate.deadline import Deadline
from erlocate.errors import BackendError, InputError
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
    if options.threads is not None:
        check_threads(options.threads)
        set_option(h, "threads", int(options.threads))
    if options.seed is not None:
        set_option(h, "random_seed", int(options.seed) % _MAX_SEED)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with HiGHS and classify the answer.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    options : SolveOptions
        ``time_limit`` → ``time_limit``, counted from the call (translation
        included: HiGHS gets what is left after loading), ``gap`` → ``mip_rel_gap``, ``threads``,
        ``seed`` → ``random_seed``, ``verbose`` → ``output_flag``; a
        ``warm_start`` vector is handed to ``setSolution`` (MIPs only: HiGHS
        starts LPs from its own crash basis).

    Returns
    -------
    SolverOutput

    Raises
    ------
    BackendError
        HiGHS failed without any incumbent (load, presolve or solve error).
    InputError
        ``warm_start`` has the wrong length.
    """
    clock = Deadline.after(options.time_limit)
    is_mip = bool(milp.integrality.any())
    check_threads(options.threads)
    h = to_highs(milp)
    if options.warm_start is not None and is_mip:
        x0 = _f64(options.warm_start).ravel()
        if x0.shape != (milp.n_cols,):
            raise InputError(
                f"warm_start: expected {milp.n_cols} values, got {x0.size}", field="warm_start"
            )
        h.setSolution(milp.n_cols, np.arange(milp.n_cols, dtype=np.int32), x0)
    _set_options(h, clock.options(options))

    start = time.perf_counter()
    run(h, options.threads)
    model_status = h.getModelStatus()
    termination = h.modelStatusToString(model_status)
    verdict: Verdict = {}
    if model_status == _MS.kUnboundedOrInfeasible:
        verdict, termination = _disambiguate(h, milp, options, clock)
    elif model_status == _MS.kInfeasible:
        verdict = {"infeasible": True}
    elif model_status == _MS.kUnbounded:
        verdict = {"unbounded": True}
    runtime = time.perf_counter() - start
    common = RunFacts(
        backend=NAME, runtime=runtime, termination=termination, sense=milp.sense, is_mip=is_mip
    )
    if verdict:
        return classify(
            x=None, objective=None, bound=None, search_complete=False, **verdict, **common
        )
    if model_status == _MS.kModelEmpty:
        return solve_empty(milp, backend=NAME, is_mip=is_mip)

    info = h.getInfo()
    x = objective = None
    if info.primal_solution_status == _SOLUTION_FEASIBLE:
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        objective = float(info.objective_function_value)
    elif model_status not in _STOPPED:
        raise BackendError(f"highs: {termination} on {milp.summary()}")
    # An LP has no MIP bound; classify() uses the objective of a finished LP.
    bound = _finite(info.mip_dual_bound) if is_mip else None
    return classify(
        x=x,
        objective=objective,
        bound=bound,
        search_complete=model_status == _MS.kOptimal,
        **common,
    )


def _disambiguate(
    h: highspy.Highs, milp: Milp, options: SolveOptions, clock: Deadline
) -> tuple[Verdict, str]:
    """Tell "infeasible" from "unbounded" after HiGHS' kUnboundedOrInfeasible.

    With a zero objective the model cannot be unbounded, so HiGHS must decide
    feasibility: a feasible point means the original objective was unbounded
    (for rational data, also for a MIP); none means infeasible.
    """
    n = milp.n_cols
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    if clock.limited:
        if clock.expired():
            return {"infeasible": True}, "unbounded or infeasible (no time left to tell which)"
        remaining = clock.remaining()
        if remaining is not None:  # always, as the clock is limited
            set_option(h, "time_limit", remaining)
    run(h, options.threads, "the feasibility check")
    status = h.getModelStatus()
    if status == _MS.kInfeasible:
        return {"infeasible": True}, "infeasible (HiGHS first said unbounded or infeasible)"
    if status == _MS.kOptimal:
        return {"unbounded": True}, "unbounded (HiGHS first said unbounded or infeasible)"
    return {"infeasible": True}, (
        "unbounded or infeasible (HiGHS could not tell which: "
        f"{h.modelStatusToString(status)} on the feasibility check)"
    )


class HighsBackend(SolverBackend):
    """HiGHS through ``highspy`` (a dependency: always available)."""

    name = NAME
    interface = "highspy: one passModel call with the CSR arrays"
    capabilities = Capabilities(warm_start=True, bound=True, threads=True, seed=True)
    distribution = "highspy"

    def run(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """See :func:`solve`."""
        return solve(milp, options)


#: The ``"highs"`` backend.
BACKEND = HighsBackend()
