"""FICO Xpress backend (``"xpress"``, package ``xpress``).

Translation
    The canonical :class:`~erlocate.milp.Milp` is loaded in one
    ``problem.loadMIP`` call (``loadLP`` without integer columns) with the
    matrix in column-wise (CSC) arrays: ``start`` = ``indptr``, ``rowind`` =
    ``indices``, ``rowcoef`` = ``data``, so there is no Python loop over
    columns, rows or entries. Rows keep their two-sided form through Xpress'
    row types: ``E`` (``lb == ub``), ``L``, ``G``, ``R`` (ranged: right-hand
    side ``ub``, range ``ub - lb``) and ``N`` (free). Infinite bounds become
    ``±xpress.infinity`` (1e20). The objective constant is set with
    ``chgObj([-1], [-offset])`` (Xpress stores the constant negated) and the
    direction with ``chgObjSense``.

Options
    ``time_limit`` → ``timelimit`` (what is left of the limit counted from
    the call; 0 stops at once), ``gap`` → ``miprelstop``, ``threads`` →
    ``threads``, ``seed`` → ``randomseed``, ``verbose`` → ``outputlog`` (and
    ``xpress.setOutputEnabled(True)`` while the solve runs: the switch is
    process-wide and PuLP turns it off); a ``warm_start`` vector is handed
    to ``addMipSol`` (MIPs only), which Xpress checks and keeps as an
    incumbent if feasible. The cutoffs ``miprelcutoff`` and ``mipaddcutoff``
    are set to 0: by default Xpress ignores improvements below 1e-4
    (relative) or 1e-5 and its bound after a closed search stops that far
    below the incumbent, so ``"optimal"`` could be missed.

Licence and size limit
    Without a licence file the ``xpress`` wheel runs under the FICO Community
    licence: at most 5,000 rows and columns together (measured with xpress
    9.9.1: error 120 "Problem has too many rows and columns. The maximum is
    5000"; free rows count too). :meth:`XpressBackend.probe` finds out once
    per process whether that licence is the one in use; its notice
    (``xpress.LicenseWarning``) is not shown. A refused model raises
    :class:`~erlocate.errors.SizeLimitError` naming the limit and the model's
    size, whether caught before or by Xpress itself.
"""

from __future__ import annotations

import contextlib
import functools
import time
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.protocol import LicensedBackend, SizeLimit
from erlocate.errors import BackendError, SizeLimitError
from erlocate.milp import Milp

xp: ModuleType | None
try:
    import xpress as xp
except ImportError:  # reported by BACKEND.diagnose()
    xp = None

__all__ = ["BACKEND", "LICENCE_LIMIT", "NAME", "SUPPORTS_WARM_START", "solve", "to_xpress"]

NAME = "xpress"

#: ``SolveOptions.warm_start`` is passed to Xpress with ``addMipSol`` (MIPs only).
SUPPORTS_WARM_START = True

#: The FICO Community licence the ``xpress`` wheel falls back to.
LICENCE_LIMIT = SizeLimit(total=5000, licence="Xpress Community licence")

#: Xpress error code of a model beyond the licence's size limit.
_TOO_LARGE = 120

#: ``MIPSTATUS`` values after which ``bestbound`` is a valid bound (root LP solved):
#: LP_OPTIMAL, NO_SOL_FOUND, SOLUTION, OPTIMAL.
_BOUND_VALID = (2, 3, 4, 6)

#: Xpress' ``randomseed`` range.
_MAX_SEED = 2_147_483_647


def _problem(verbose: bool) -> Any:
    """A new ``xpress.problem`` without the Community licence notice."""
    x = BACKEND.need(xp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", x.LicenseWarning)
        p = x.problem()
    p.controls.outputlog = int(bool(verbose))
    return p


@contextlib.contextmanager
def _output(verbose: bool) -> Iterator[None]:
    """Xpress' process-wide output switch on while a verbose solve runs (others, e.g.
    PuLP, turn it off), as it was afterwards."""
    if not verbose:
        yield
        return
    assert xp is not None  # checked by BACKEND.need(xp) before any solve
    before = xp.getOutputEnabled()
    xp.setOutputEnabled(True)
    try:
        yield
    finally:
        xp.setOutputEnabled(before)


def _clip(a: np.ndarray) -> np.ndarray:
    assert xp is not None  # checked by BACKEND.need(xp) before any solve
    return np.clip(np.asarray(a, dtype=np.float64), -xp.infinity, xp.infinity)


def to_xpress(milp: Milp, verbose: bool = False) -> Any:
    """Load ``milp`` into a new ``xpress.problem``.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    verbose : bool
        Leave Xpress' log on.

    Returns
    -------
    xpress.problem
        Columns and rows in the Milp's order, unnamed.
    """
    p = _problem(verbose)
    assert xp is not None  # _problem() checked it
    lb, ub = milp.row_lb, milp.row_ub
    lo, hi = np.isfinite(lb), np.isfinite(ub)
    eq = lo & hi & (lb == ub)
    rowtype = np.where(eq, "E", np.where(lo & hi, "R", np.where(hi, "L", np.where(lo, "G", "N"))))
    rhs = np.where(hi, ub, np.where(lo, lb, 0.0))
    rng = np.where(lo & hi & ~eq, ub - lb, 0.0)
    A = sp.csc_matrix(milp.A, dtype=np.float64)
    A.sort_indices()
    ints = np.flatnonzero(milp.integrality)
    args = dict(
        probname=milp.name,
        rowtype=rowtype,
        rhs=rhs,
        rng=rng,
        objcoef=np.asarray(milp.c, dtype=np.float64),
        start=A.indptr.astype(np.int64),
        collen=None,
        rowind=A.indices.astype(np.int64),
        rowcoef=A.data,
        lb=_clip(milp.col_lb),
        ub=_clip(milp.col_ub),
    )
    if ints.size:
        p.loadMIP(**args, coltype=np.full(ints.size, "I"), entind=ints)
    else:
        p.loadLP(**args)
    if milp.offset:
        p.chgObj([-1], [-float(milp.offset)])  # Xpress stores the constant negated
    sense = xp.ObjSense.MAXIMIZE if milp.sense == "max" else xp.ObjSense.MINIMIZE
    p.chgObjSense(sense)
    return p


def _set_options(p: Any, options: SolveOptions) -> None:
    c = p.controls
    c.outputlog = int(bool(options.verbose))
    if options.time_limit is not None:
        c.timelimit = float(options.time_limit)
    c.miprelstop = options.gap
    # Xpress' default cutoffs prune nodes that could improve the incumbent by less
    # than 1e-4 (relative) or 1e-5, and its bound then stops that far short.
    c.miprelcutoff = 0.0
    c.mipaddcutoff = 0.0
    if options.threads is not None:
        c.threads = int(options.threads)
    if options.seed is not None:
        c.randomseed = int(options.seed) % _MAX_SEED


def _size_error(milp: Milp, exc: Exception) -> SizeLimitError:
    size = (
        f"{milp.n_cols + milp.n_rows:,} variables + constraints ({milp.n_cols:,} + {milp.n_rows:,})"
    )
    return BACKEND.refused(size, f"Xpress said: {exc}", "a full Xpress licence")


def _optimize(p: Any, milp: Milp) -> tuple[Any, Any]:
    assert xp is not None  # checked by BACKEND.need(xp) before any solve
    try:
        return p.optimize()
    except xp.SolverError as exc:
        if p.attributes.errorcode == _TOO_LARGE:
            raise _size_error(milp, exc) from exc
        raise


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with Xpress (:func:`to_xpress`) after
    :func:`~erlocate.backends.call.solve_with`'s checks, and classify the answer.

    ``time_limit`` → ``timelimit``, ``gap`` → ``miprelstop``, ``threads``
    → ``threads``, ``seed`` → ``randomseed``, ``verbose`` →
    ``outputlog``; a ``warm_start`` vector goes to ``addMipSol`` (MIPs only).

    Raises
    ------
    SizeLimitError
        The model has more rows and columns than the Community licence allows (error 120).
    BackendError
        Xpress is missing, has no usable licence, or failed.
    """
    return solve_with(NAME, milp, options, _load)


def _load(call: SolveCall) -> SolverOutput:
    BACKEND.need(xp)
    with call.failures(), _output(call.options.verbose):  # xpress.SolverError, ModelError ...
        p = to_xpress(call.milp, call.options.verbose)
        if call.x0 is not None and call.is_mip:
            p.addMipSol(call.x0, np.arange(call.milp.n_cols), "warm_start")
        return _solve(p, call)


def _solve(p: Any, call: SolveCall) -> SolverOutput:
    assert xp is not None  # checked by BACKEND.need(xp) before any solve
    milp = call.milp
    _set_options(p, call.clock.options(call.options))
    start = time.perf_counter()
    solve_status, sol_status = _optimize(p, milp)
    termination = f"{solve_status.name.lower()}, solution {sol_status.name.lower()}"
    S = xp.SolStatus
    # for a MIP, Xpress says unbounded when the LP relaxation is, integer point or not
    claim = {S.INFEASIBLE: "infeasible", S.UNBOUNDED: "unbounded"}.get(sol_status, "")
    check = functools.partial(_zero_objective, p, milp)
    read = functools.partial(_read, p, call, solve_status, sol_status)
    return call.settle(start, termination, claim, read, check, "Xpress", "unbounded")


def _read(
    p: Any, call: SolveCall, solve_status: Any, sol_status: Any, termination: str
) -> tuple[np.ndarray | None, float | None, bool]:
    """Xpress' answer as a :data:`~erlocate.backends.call.Reader` gives it."""
    assert xp is not None  # checked by BACKEND.need(xp) before any solve
    vector = None
    if sol_status in (xp.SolStatus.OPTIMAL, xp.SolStatus.FEASIBLE):
        vector = np.asarray(p.getSolution(), dtype=np.float64)
    elif solve_status == xp.SolveStatus.FAILED:
        raise BackendError(f"xpress: {termination} on {call.milp.summary()}")
    bound = None
    if call.is_mip and p.attributes.mipstatus in _BOUND_VALID:
        value = float(p.attributes.bestbound)
        bound = value if abs(value) < xp.infinity else None
    complete = solve_status == xp.SolveStatus.COMPLETED and sol_status == xp.SolStatus.OPTIMAL
    return vector, bound, complete


def _zero_objective(p: Any, milp: Milp, quiet: SolveOptions) -> bool | str:
    """Solve again with a zero objective: feasible (True), infeasible (False) or why not known."""
    assert xp is not None  # checked by BACKEND.need(xp) before any solve
    p.postSolve()  # back to the original problem before changing it
    p.chgObj(np.arange(milp.n_cols), np.zeros(milp.n_cols))
    _set_options(p, quiet)
    _, sol_status = _optimize(p, milp)
    if sol_status in (xp.SolStatus.OPTIMAL, xp.SolStatus.FEASIBLE):
        return True
    return False if sol_status == xp.SolStatus.INFEASIBLE else str(sol_status.name.lower())


@functools.cache
def _licence() -> tuple[str, bool]:
    """(why Xpress cannot run here or "", whether the licence is size-limited); once a process."""
    if xp is None:
        return "xpress is not installed", True
    n = (LICENCE_LIMIT.total or 0) + 1
    p = None
    try:
        p = _problem(False)
        p.loadLP("probe", None, None, None, np.ones(n), None, None, None, None, np.zeros(n), None)
        p.optimize()
    except xp.SolverError as exc:
        if p is not None and p.attributes.errorcode == _TOO_LARGE:
            return "", True
        return f"Xpress cannot start: {exc}", False
    except Exception as exc:  # licensing failures surface as other types too
        return f"Xpress cannot start: {type(exc).__name__}: {exc}", False
    return "", False


class XpressBackend(LicensedBackend):
    """FICO Xpress through ``loadMIP`` with CSC arrays (Community licence unless a full one)."""

    interface = "xpress: one loadMIP/loadLP call with the CSC arrays"


#: The ``"xpress"`` backend: an Xpress problem must load and solve (a licence, at least
#: the Community one).
BACKEND = XpressBackend(NAME, "xpress", LICENCE_LIMIT, licence=_licence, solve=solve)
