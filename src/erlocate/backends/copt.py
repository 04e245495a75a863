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
    the call; 0 stops at once), ``gap`` → ``RelGap``, ``threads`` →
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

Statuses are not decided here: the raw facts go to
:func:`erlocate.backends.base.classify`.
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

from erlocate.backends.base import (
    RunFacts,
    SolveOptions,
    SolverOutput,
    Verdict,
    classify,
    solve_empty,
)
from erlocate.backends.protocol import Capabilities, SizeLimit, SolverBackend
from erlocate.deadline import Deadline
from erlocate.errors import BackendError, ErlocateError, InputError, SizeLimitError
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


def _need_coptpy() -> Any:
    if coptpy is None:
        raise BackendError("copt: coptpy is not installed: pip install 'erlocate[copt]'")
    return coptpy


@functools.cache
def _envr() -> tuple[Any, str]:
    """The process' COPT environment and what COPT printed while starting it.

    COPT writes its licence search to file descriptor 1; it is captured so a
    quiet solve stays quiet. Raises ``coptpy.CoptError`` when COPT cannot start.
    """
    cp = _need_coptpy()
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
        The canonical model.

    Returns
    -------
    coptpy.Model
        Columns and rows in the Milp's order, unnamed, logging off.
    """
    cp = _need_coptpy()
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
    if options.threads is not None:
        model.setParam("Threads", int(options.threads))


def _size_error(milp: Milp, exc: Exception) -> SizeLimitError:
    return SizeLimitError(
        NAME,
        f"{LICENCE_LIMIT} ({LICENCE_LIMIT.licence})",
        f"{milp.n_cols:,} variables, {milp.n_rows:,} constraints",
        f"COPT said: {exc}; use another backend (erlocate backends lists them) or a COPT licence",
    )


def _run(model: Any, milp: Milp) -> None:
    assert coptpy is not None  # checked by _need_coptpy() before any solve
    try:
        model.solve()
    except coptpy.CoptError as exc:
        if exc.retcode == _RETCODE_LICENSE:
            raise _size_error(milp, exc) from exc
        raise


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with COPT and classify the answer.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    options : SolveOptions
        ``time_limit`` → ``TimeLimit``, ``gap`` → ``RelGap``, ``threads`` →
        ``Threads``, ``verbose`` → ``Logging``; a ``warm_start`` vector
        becomes the MIP start (MIPs only); ``seed`` is ignored.

    Returns
    -------
    SolverOutput

    Raises
    ------
    SizeLimitError
        The model is beyond the size limit of COPT without a licence.
    BackendError
        COPT is missing, cannot start, or failed.
    InputError
        ``warm_start`` has the wrong length.
    """
    clock = Deadline.after(options.time_limit)
    is_mip = bool(milp.integrality.any())
    x0 = None
    if options.warm_start is not None:
        x0 = np.asarray(options.warm_start, dtype=np.float64).ravel()
        if x0.shape != (milp.n_cols,):
            raise InputError(
                f"warm_start: expected {milp.n_cols} values, got {x0.size}", field="warm_start"
            )
    if milp.n_cols == 0:
        return solve_empty(milp, backend=NAME, is_mip=is_mip)
    _need_coptpy()
    try:
        model = to_copt(milp)
        if x0 is not None and is_mip:
            model.setMipStart(model.getVars(), x0)
            model.loadMipStart()
        return _solve(model, milp, options, clock, is_mip)
    except ErlocateError:
        raise
    except Exception as exc:  # coptpy.CoptError, MemoryError ...
        raise BackendError(
            f"copt: failed on {milp.summary()}: {type(exc).__name__}: {exc}"
        ) from exc


def _solve(
    model: Any, milp: Milp, options: SolveOptions, clock: Deadline, is_mip: bool
) -> SolverOutput:
    assert coptpy is not None  # checked by _need_coptpy() before any solve
    C = coptpy.COPT
    _set_options(model, clock.options(options))
    start = time.perf_counter()
    _run(model, milp)
    status = model.status
    termination = _STATUS_NAMES.get(status, f"status {status}")
    verdict: Verdict = {}
    if status == C.INFEASIBLE:
        verdict = {"infeasible": True}
    elif status in (C.UNBOUNDED, C.INF_OR_UNB):
        verdict, termination = _disambiguate(model, milp, options, clock)
    runtime = time.perf_counter() - start
    common = RunFacts(
        backend=NAME, runtime=runtime, termination=termination, sense=milp.sense, is_mip=is_mip
    )
    if verdict:
        return classify(
            x=None, objective=None, bound=None, search_complete=False, **verdict, **common
        )
    vector = objective = None
    has_solution = bool(model.hasmipsol) if is_mip else bool(model.haslpsol) and status == C.OPTIMAL
    if has_solution:
        vector = np.asarray(model.getValues(), dtype=np.float64)
        objective = milp.objective_value(vector)
    elif status == C.OPTIMAL or status == C.NUMERICAL:
        raise BackendError(f"copt: {termination} without a solution on {milp.summary()}")
    bound = None
    if is_mip:
        value = float(model.bestbnd)
        bound = value if abs(value) < _INFINITY else None
    return classify(
        x=vector,
        objective=objective,
        bound=bound,
        search_complete=status == C.OPTIMAL,
        **common,
    )


def _disambiguate(
    model: Any, milp: Milp, options: SolveOptions, clock: Deadline
) -> tuple[Verdict, str]:
    """Tell "infeasible" from "unbounded" after COPT's UNBOUNDED or INF_OR_UNB.

    With a zero objective the model cannot be unbounded, so a second solve
    decides feasibility: a feasible point means the original objective was
    unbounded (an unbounded ray alone proves no feasible point).
    """
    assert coptpy is not None  # checked by _need_coptpy() before any solve
    if clock.expired():
        return {"infeasible": True}, "unbounded or infeasible (no time left to tell which)"
    model.setObjective(coptpy.LinExpr(), coptpy.COPT.MINIMIZE)
    _set_options(model, clock.options(options, verbose=False))
    _run(model, milp)
    status = model.status
    if status == coptpy.COPT.OPTIMAL:
        return {"unbounded": True}, "unbounded"
    if status == coptpy.COPT.INFEASIBLE:
        return {"infeasible": True}, "infeasible (COPT first said unbounded or infeasible)"
    return {"infeasible": True}, (
        "unbounded or infeasible (COPT could not tell which: "
        f"{_STATUS_NAMES.get(status, status)} on the feasibility check)"
    )


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


class CoptBackend(SolverBackend):
    """COPT through one ``loadMatrix`` call (size-limited unless a licence file is found)."""

    name = NAME
    interface = "coptpy: one loadMatrix call with the CSC matrix and row bounds"
    distribution = "coptpy"
    extra = "copt"

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        """Warm start, bound, threads (no seed); the size limit of COPT without a licence
        unless one was found (the probe runs once a process)."""
        full = self.version() is not None and _licence() == ("", False)
        return Capabilities(
            warm_start=True,
            bound=True,
            threads=True,
            seed=False,
            size_limit=SizeLimit() if full else LICENCE_LIMIT,
        )

    def probe(self) -> str:
        """COPT's environment must start and a tiny MIP must solve."""
        return _licence()[0]

    def run(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """See :func:`solve`."""
        return solve(milp, options)


#: The ``"copt"`` backend.
BACKEND = CoptBackend()
