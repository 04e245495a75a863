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

Statuses are not decided here: the raw facts go to
:func:`erlocate.backends.base.classify`.
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


def _need_xpress() -> Any:
    if xp is None:
        raise BackendError("xpress: xpress is not installed: pip install 'erlocate[xpress]'")
    return xp


def _problem(verbose: bool) -> Any:
    """A new ``xpress.problem`` without the Community licence notice."""
    x = _need_xpress()
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
    assert xp is not None  # checked by _need_xpress() before any solve
    before = xp.getOutputEnabled()
    xp.setOutputEnabled(True)
    try:
        yield
    finally:
        xp.setOutputEnabled(before)


def _clip(a: np.ndarray) -> np.ndarray:
    assert xp is not None  # checked by _need_xpress() before any solve
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
    return SizeLimitError(
        NAME,
        f"{LICENCE_LIMIT} ({LICENCE_LIMIT.licence})",
        f"{milp.n_cols + milp.n_rows:,} variables + constraints "
        f"({milp.n_cols:,} + {milp.n_rows:,})",
        f"Xpress said: {exc}; use another backend (erlocate backends lists them) "
        "or a full Xpress licence",
    )


def _optimize(p: Any, milp: Milp) -> tuple[Any, Any]:
    assert xp is not None  # checked by _need_xpress() before any solve
    try:
        return p.optimize()
    except xp.SolverError as exc:
        if p.attributes.errorcode == _TOO_LARGE:
            raise _size_error(milp, exc) from exc
        raise


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with Xpress and classify the answer.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    options : SolveOptions
        ``time_limit`` → ``timelimit``, ``gap`` → ``miprelstop``, ``threads``
        → ``threads``, ``seed`` → ``randomseed``, ``verbose`` →
        ``outputlog``; a ``warm_start`` vector goes to ``addMipSol`` (MIPs only).

    Returns
    -------
    SolverOutput

    Raises
    ------
    SizeLimitError
        The model is beyond the licence's size limit.
    BackendError
        Xpress is missing, has no usable licence, or failed.
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
    _need_xpress()
    try:
        with _output(options.verbose):
            p = to_xpress(milp, options.verbose)
            if x0 is not None and is_mip:
                p.addMipSol(x0, np.arange(milp.n_cols), "warm_start")
            return _solve(p, milp, options, clock, is_mip)
    except ErlocateError:
        raise
    except Exception as exc:  # xpress.SolverError, xpress.ModelError, MemoryError ...
        raise BackendError(
            f"xpress: failed on {milp.summary()}: {type(exc).__name__}: {exc}"
        ) from exc


def _solve(
    p: Any, milp: Milp, options: SolveOptions, clock: Deadline, is_mip: bool
) -> SolverOutput:
    assert xp is not None  # checked by _need_xpress() before any solve
    _set_options(p, clock.options(options))
    start = time.perf_counter()
    solve_status, sol_status = _optimize(p, milp)
    termination = f"{solve_status.name.lower()}, solution {sol_status.name.lower()}"
    verdict: Verdict = {}
    if sol_status == xp.SolStatus.INFEASIBLE:
        verdict = {"infeasible": True}
    elif sol_status == xp.SolStatus.UNBOUNDED:
        verdict, termination = _disambiguate(p, milp, options, clock)
    runtime = time.perf_counter() - start
    common = RunFacts(
        backend=NAME, runtime=runtime, termination=termination, sense=milp.sense, is_mip=is_mip
    )
    if verdict:
        return classify(
            x=None, objective=None, bound=None, search_complete=False, **verdict, **common
        )
    vector = objective = None
    if sol_status in (xp.SolStatus.OPTIMAL, xp.SolStatus.FEASIBLE):
        vector = np.asarray(p.getSolution(), dtype=np.float64)
        objective = milp.objective_value(vector)
    elif solve_status == xp.SolveStatus.FAILED:
        raise BackendError(f"xpress: {termination} on {milp.summary()}")
    bound = None
    if is_mip and p.attributes.mipstatus in _BOUND_VALID:
        value = float(p.attributes.bestbound)
        bound = value if abs(value) < xp.infinity else None
    return classify(
        x=vector,
        objective=objective,
        bound=bound,
        search_complete=solve_status == xp.SolveStatus.COMPLETED
        and sol_status == xp.SolStatus.OPTIMAL,
        **common,
    )


def _disambiguate(
    p: Any, milp: Milp, options: SolveOptions, clock: Deadline
) -> tuple[Verdict, str]:
    """Tell "infeasible" from "unbounded" after Xpress' UNBOUNDED.

    For a MIP Xpress says unbounded when the LP relaxation is, whether or not
    an integer point exists. With a zero objective the model cannot be
    unbounded, so a second solve decides feasibility.
    """
    assert xp is not None  # checked by _need_xpress() before any solve
    if clock.expired():
        return {"infeasible": True}, "unbounded or infeasible (no time left to tell which)"
    p.postSolve()  # back to the original problem before changing it
    p.chgObj(np.arange(milp.n_cols), np.zeros(milp.n_cols))
    _set_options(p, clock.options(options, verbose=False))
    _, sol_status = _optimize(p, milp)
    if sol_status in (xp.SolStatus.OPTIMAL, xp.SolStatus.FEASIBLE):
        return {"unbounded": True}, "unbounded"
    if sol_status == xp.SolStatus.INFEASIBLE:
        return {"infeasible": True}, "infeasible (Xpress first said unbounded)"
    return {"infeasible": True}, (
        "unbounded or infeasible (Xpress could not tell which: "
        f"{sol_status.name.lower()} on the feasibility check)"
    )


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


class XpressBackend(SolverBackend):
    """FICO Xpress through ``loadMIP`` with CSC arrays (Community licence unless a full one)."""

    name = NAME
    interface = "xpress: one loadMIP/loadLP call with the CSC arrays"
    distribution = "xpress"
    extra = "xpress"

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        """Warm start, bound, threads, seed; the Community licence's limit unless a full
        licence was found (the probe runs once a process)."""
        full = self.version() is not None and _licence() == ("", False)
        return Capabilities(
            warm_start=True,
            bound=True,
            threads=True,
            seed=True,
            size_limit=SizeLimit() if full else LICENCE_LIMIT,
        )

    def probe(self) -> str:
        """An Xpress problem must load and solve (a licence, at least the Community one)."""
        return _licence()[0]

    def run(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """See :func:`solve`."""
        return solve(milp, options)


#: The ``"xpress"`` backend.
BACKEND = XpressBackend()
