"""COPT backend (``"copt"``, package ``coptpy``, Cardinal Optimizer).

Translation
    The canonical :class:`~erlocate.milp.Milp` is loaded in one
    ``Model.loadMatrix`` call: costs, the matrix as ``scipy.sparse.csc_matrix``,
    row lower and upper bounds (COPT rows are two-sided, so equality, ranged,
    one-sided and free rows pass as they are), column bounds and a type
    character per column; no Python loop over columns, rows or entries.
    Infinite bounds become ``±COPT.INFINITY`` (1e30). The constant goes to
    ``setObjConst`` and the direction to ``setObjSense``.

Options
    ``time_limit`` → ``TimeLimit`` (what is left of the limit counted from
    the call; 0 stops at once), ``gap`` → ``RelGap`` and ``AbsGap``, ``threads`` →
    ``Threads``, ``verbose`` → ``Logging``; a ``warm_start`` vector becomes
    the MIP start (``setMipStart`` + ``loadMipStart``; MIPs only). COPT has
    no random-seed parameter: ``seed`` is accepted and ignored.

Licence and size limit
    ``coptpy`` runs without a licence file, "with size limitations for
    non-commercial use" (measured with coptpy 8.0.7): a MIP may have at most
    2,000 variables and 2,000 constraints (integer or not, any number of
    non-zeros); an LP at most 10,000 of each. The size check counts the MIP
    limit for every model, so an LP between the two is refused too. COPT
    prints its licence search to the C-level stdout when its environment
    starts; that happens once per process (the environment is shared) with
    the output captured, and :meth:`CoptBackend.probe` reports from it and
    from two tiny solves whether COPT runs and whether it is size-limited.
    A refused model raises :class:`~erlocate.errors.SizeLimitError` naming
    the limit and the model's size, whether caught before or by COPT itself
    (COPT error 4, "(LICENSE) Fail to solve problem").
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import threading
import time
from types import ModuleType
from typing import Any

import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.protocol import LicensedBackend, SizeLimit
from erlocate.errors import BackendError, SizeLimitError
from erlocate.milp import Milp

coptpy: ModuleType | None
try:
    import coptpy
except ImportError:  # reported by BACKEND.diagnose()
    coptpy = None

__all__ = ["BACKEND", "LICENCE_LIMIT", "NAME", "SUPPORTS_WARM_START", "solve", "to_copt"]

NAME = "copt"

#: ``SolveOptions.warm_start`` is passed to COPT as a MIP start (MIPs only).
SUPPORTS_WARM_START = True

#: COPT without a licence file: the MIP limit (LPs may have 10,000 rows and columns).
LICENCE_LIMIT = SizeLimit(variables=2000, constraints=2000, licence="COPT without a licence file")

#: COPT's return code for a licence failure, a model too large for the size limit included.
_RETCODE_LICENSE = 4

#: COPT reports an infinite bound as ±1e30.
_INFINITY = 1e30

_LOCK = threading.Lock()


@functools.cache
def _envr() -> tuple[Any, str]:
    """The process' COPT environment and what COPT printed while starting it.

    COPT writes its licence search to file descriptor 1; it is captured so a
    quiet solve stays quiet. Raises ``coptpy.CoptError`` when COPT cannot start.
    """
    cp = BACKEND.need(coptpy)
    with _LOCK, tempfile.TemporaryFile() as log:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(log.fileno(), 1)
        try:
            config = cp.EnvrConfig()
            config.set("nobanner", "1")
            env = cp.Envr(config)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            log.seek(0)
            text = log.read().decode(errors="replace")
    return env, text


def _inf(a: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(a, dtype=np.float64), -_INFINITY, _INFINITY)


def to_copt(milp: Milp) -> Any:
    """Load ``milp`` into a new COPT model of the process' environment.

    Parameters
    ----------
    milp : Milp
        The canonical model; its rows pass as they are (COPT's rows have two bounds).

    Returns
    -------
    coptpy.Model
        Columns and rows in the Milp's order, unnamed, logging off.
    """
    cp = BACKEND.need(coptpy)
    model = _envr()[0].createModel(milp.name)
    model.setParam("Logging", 0)
    model.loadMatrix(
        np.asarray(milp.c, dtype=np.float64),
        sp.csc_matrix(milp.A, dtype=np.float64),
        _inf(milp.row_lb),
        _inf(milp.row_ub),
        _inf(milp.col_lb),
        _inf(milp.col_ub),
        np.where(milp.integrality, cp.COPT.INTEGER, cp.COPT.CONTINUOUS),
    )
    model.setObjSense(cp.COPT.MAXIMIZE if milp.sense == "max" else cp.COPT.MINIMIZE)
    model.setObjConst(float(milp.offset))
    return model


def _set_options(model: Any, options: SolveOptions) -> None:
    model.setParam("Logging", int(bool(options.verbose)))
    if options.time_limit is not None:
        model.setParam("TimeLimit", float(options.time_limit))
    model.setParam("RelGap", options.gap)
    model.setParam("AbsGap", options.abs_gap)
    if options.threads is not None:
        model.setParam("Threads", int(options.threads))


def _size_error(milp: Milp, exc: Exception) -> SizeLimitError:
    size = f"{milp.n_cols:,} variables, {milp.n_rows:,} constraints"
    return BACKEND.refused(size, f"COPT said: {exc}", "a COPT licence")


def _run(model: Any, milp: Milp) -> None:
    assert coptpy is not None  # checked by BACKEND.need(coptpy) before any solve
    try:
        model.solve()
    except coptpy.CoptError as exc:
        if exc.retcode == _RETCODE_LICENSE:
            raise _size_error(milp, exc) from exc
        raise


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with COPT (:func:`to_copt`) after
    :func:`~erlocate.backends.call.solve_with`'s checks, and classify the answer.

    ``time_limit`` → ``TimeLimit``, ``gap`` → ``RelGap`` and ``AbsGap``, ``threads`` →
    ``Threads``, ``verbose`` → ``Logging``; a ``warm_start`` vector
    becomes the MIP start (MIPs only); ``seed`` is ignored.

    Raises
    ------
    SizeLimitError
        The model is beyond the size limit of COPT without a licence (COPT error 4).
    BackendError
        COPT is missing, cannot start, or failed.
    """
    return solve_with(NAME, milp, options, _load)


def _load(call: SolveCall) -> SolverOutput:
    BACKEND.need(coptpy)
    with call.failures():  # coptpy.CoptError, MemoryError ...
        model = to_copt(call.milp)
        if call.x0 is not None and call.is_mip:
            model.setMipStart(model.getVars(), call.x0)
            model.loadMipStart()
        return _solve(model, call)


def _solve(model: Any, call: SolveCall) -> SolverOutput:
    assert coptpy is not None  # checked by BACKEND.need(coptpy) before any solve
    C = coptpy.COPT
    milp = call.milp
    _set_options(model, call.clock.options(call.options))
    start = time.perf_counter()
    _run(model, milp)
    status = model.status
    termination = _STATUS_NAMES.get(status, f"status {status}")
    ambiguous = status in (C.UNBOUNDED, C.INF_OR_UNB)
    claim = "infeasible" if status == C.INFEASIBLE else "unbounded" if ambiguous else ""
    check = functools.partial(_zero_objective, model, milp)
    read = functools.partial(_read, model, call, status)
    return call.settle(start, termination, claim, read, check, "COPT")


def _read(
    model: Any, call: SolveCall, status: int, termination: str
) -> tuple[np.ndarray | None, float | None, bool]:
    """COPT's answer as a :data:`~erlocate.backends.call.Reader` gives it."""
    assert coptpy is not None  # checked by BACKEND.need(coptpy) before any solve
    C = coptpy.COPT
    if call.is_mip:
        has_solution = bool(model.hasmipsol)
    else:
        has_solution = bool(model.haslpsol) and status == C.OPTIMAL
    vector = None
    if has_solution:
        vector = np.asarray(model.getValues(), dtype=np.float64)
    elif status == C.OPTIMAL or status == C.NUMERICAL:
        raise BackendError(f"copt: {termination} without a solution on {call.milp.summary()}")
    bound = None
    if call.is_mip:
        value = float(model.bestbnd)
        bound = value if abs(value) < _INFINITY else None
    return vector, bound, status == C.OPTIMAL


def _zero_objective(model: Any, milp: Milp, quiet: SolveOptions) -> bool | str:
    """Solve again with a zero objective: feasible (True), infeasible (False) or why not known."""
    assert coptpy is not None  # checked by BACKEND.need(coptpy) before any solve
    C = coptpy.COPT
    model.setObjective(coptpy.LinExpr(), C.MINIMIZE)
    _set_options(model, quiet)
    _run(model, milp)
    status = model.status
    if status in (C.OPTIMAL, C.INFEASIBLE):
        return status == C.OPTIMAL
    return str(_STATUS_NAMES.get(status, status))


#: COPT's status codes in words.
_STATUS_NAMES = {
    0: "unstarted",
    1: "optimal",
    2: "infeasible",
    3: "unbounded",
    4: "infeasible or unbounded",
    5: "numerical trouble",
    6: "node limit",
    7: "imprecise",
    8: "time limit",
    9: "unfinished",
    10: "interrupted",
}


@functools.cache
def _licence() -> tuple[str, bool]:
    """(why COPT cannot run here or "", whether it is size-limited); once a process."""
    if coptpy is None:
        return "coptpy is not installed", True
    try:
        env, text = _envr()
    except Exception as exc:  # coptpy.CoptError
        return f"COPT cannot start its environment: {type(exc).__name__}: {exc}", False
    limited = "size limitation" in text
    sizes = (1, (LICENCE_LIMIT.variables or 0) + 1)
    for n in sizes:
        model = env.createModel("probe")
        model.setParam("Logging", 0)
        model.addMVar(n, ub=1.0, obj=1.0, vtype=coptpy.COPT.INTEGER)
        try:
            model.solve()
        except coptpy.CoptError as exc:
            if n > 1 and exc.retcode == _RETCODE_LICENSE:
                return "", True
            said = " ".join(text.split()[-24:])
            return f"COPT cannot solve a {n}-variable MIP: {exc} (COPT said: {said})", limited
    return "", limited


class CoptBackend(LicensedBackend):
    """COPT through one ``loadMatrix`` call (size-limited unless a licence file is found)."""

    interface = "coptpy: one loadMatrix call with the CSC matrix and row bounds"


#: The ``"copt"`` backend: COPT's environment must start and a tiny MIP must solve. COPT
#: has no random-seed parameter.
BACKEND = CoptBackend(NAME, "coptpy", LICENCE_LIMIT, licence=_licence, solve=solve, seed=False)
