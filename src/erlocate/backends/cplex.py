"""IBM CPLEX backend (``"cplex"``, package ``cplex``).

Translation
    CPLEX's Python API only takes rows as lists of ``SparsePair`` (or
    ``[indices, values]`` lists) and converts every entry to C one at a time;
    its procedural layer does the same. So the canonical
    :class:`~erlocate.milp.Milp` reaches CPLEX as an MPS file written by
    HiGHS' C++ writer (:func:`erlocate.backends.highs.to_highs` then
    ``writeModel``, 17 significant digits, as for ``"cbc"``) and read with
    ``Cplex.read``: no Python loop at all. The file holds the minimisation
    of ``c`` without constant; the direction is then set with
    ``objective.set_sense`` and the constant with ``objective.set_offset``,
    so nothing depends on how a reader treats ``OBJSENSE`` or an objective
    right-hand side. HiGHS writes ranged rows as ``RANGES`` (CPLEX ``R``
    rows), integer columns between ``MARKER`` lines with explicit bounds and
    free rows as extra ``N`` rows, which CPLEX drops.

Options
    ``time_limit`` → ``timelimit`` (what is left of the limit counted from
    the call, writing and reading included), ``gap`` →
    ``mip.tolerances.mipgap`` and ``absmipgap``, ``threads`` → ``threads``, ``seed`` →
    ``randomseed``, ``verbose`` → CPLEX's log and results streams (all
    streams are off otherwise); a ``warm_start`` vector becomes a MIP start
    with effort level ``solve_fixed`` (integers fixed, the rest re-solved;
    MIPs only).

Licence and size limit
    The ``cplex`` wheel is the Community Edition: at most 1,000 variables and
    1,000 constraints (measured with cplex 22.2.0.1: CPLEX Error 1016
    "Community Edition. Problem size limits exceeded"). :meth:`CplexBackend.probe`
    finds out once per process whether the CPLEX in use is that edition or a
    full one; a refused model raises :class:`~erlocate.errors.SizeLimitError`
    naming the limit and the model's size, whether caught before or by CPLEX.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.highs import to_highs
from erlocate.backends.protocol import LicensedBackend, SizeLimit
from erlocate.errors import BackendError, SizeLimitError
from erlocate.milp import Milp

try:
    import cplex
except ImportError:  # reported by BACKEND.diagnose()
    cplex = None

__all__ = ["BACKEND", "LICENCE_LIMIT", "NAME", "SUPPORTS_WARM_START", "solve", "to_cplex"]

NAME = "cplex"

#: ``SolveOptions.warm_start`` is passed to CPLEX as a MIP start (MIPs only).
SUPPORTS_WARM_START = True

#: The Community Edition the ``cplex`` wheel contains.
LICENCE_LIMIT = SizeLimit(variables=1000, constraints=1000, licence="CPLEX Community Edition")

#: CPLEX error code of a model beyond the Community Edition's limits.
_TOO_LARGE = 1016

#: CPLEX reports an infinite bound as ±1e75 (CPX_INFBOUND) or more.
_INFINITY = 1e75

#: CPLEX's ``randomseed`` range.
_MAX_SEED = 2_100_000_000

#: Solution statuses (``Cplex.solution.status``) of a closed search.
_COMPLETE = (1, 101, 102)  # optimal, MIP_optimal, optimal_tolerance
_INFEASIBLE = (3, 103)  # infeasible, MIP_infeasible
#: Unbounded, or CPLEX could not tell infeasible from unbounded.
_AMBIGUOUS = (2, 4, 118, 119, 133)


def _quiet(c: Any) -> None:
    for stream in (
        c.set_log_stream,
        c.set_results_stream,
        c.set_warning_stream,
        c.set_error_stream,
    ):
        stream(None)


def _verbose(c: Any) -> None:
    c.set_log_stream(sys.stdout)
    c.set_results_stream(sys.stdout)
    c.set_warning_stream(sys.stderr)
    c.set_error_stream(sys.stderr)


def to_cplex(milp: Milp) -> Any:
    """Load ``milp`` into a new, silent ``cplex.Cplex`` through an MPS file written by HiGHS.

    Parameters
    ----------
    milp : Milp
        The canonical model; the file holds the minimisation of ``c`` without constant
        (direction and constant are set afterwards).

    Returns
    -------
    cplex.Cplex
        Columns in the Milp's order (``c0 ...``); free rows are dropped.
    """
    c = BACKEND.need(cplex).Cplex()
    _quiet(c)
    h = to_highs(dataclasses.replace(milp, sense="min", offset=0.0))
    with tempfile.TemporaryDirectory(prefix="erlocate-cplex-") as tmp:
        path = Path(tmp) / "model.mps"
        h.writeModel(str(path))
        c.read(str(path), "mps")
    sense = c.objective.sense
    c.objective.set_sense(sense.maximize if milp.sense == "max" else sense.minimize)
    c.objective.set_offset(float(milp.offset))
    return c


def _set_options(c: Any, options: SolveOptions) -> None:
    _verbose(c) if options.verbose else _quiet(c)
    params = c.parameters
    if options.time_limit is not None:
        params.timelimit.set(float(options.time_limit))
    params.mip.tolerances.mipgap.set(options.gap)
    params.mip.tolerances.absmipgap.set(options.abs_gap)
    if options.threads is not None:
        params.threads.set(int(options.threads))
    if options.seed is not None:
        params.randomseed.set(int(options.seed) % _MAX_SEED)


def _size_error(milp: Milp, exc: Exception) -> SizeLimitError:
    size = f"{milp.n_cols:,} variables, {milp.n_rows:,} constraints"
    return BACKEND.refused(size, f"CPLEX said: {_said(exc)}", "a full CPLEX installation")


def _said(exc: Exception) -> str:
    """A CPLEX error's message without the line break it ends with."""
    return str(exc).strip()


def _code(exc: Exception) -> int | None:
    args = exc.args
    return args[2] if len(args) > 2 and isinstance(args[2], int) else None


def _run(c: Any, milp: Milp) -> None:
    try:
        c.solve()
    except cplex.exceptions.CplexSolverError as exc:
        if _code(exc) == _TOO_LARGE:
            raise _size_error(milp, exc) from exc
        raise


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with CPLEX (:func:`to_cplex`) after
    :func:`~erlocate.backends.call.solve_with`'s checks, and classify the answer.

    ``time_limit`` → ``timelimit``, ``gap`` → ``mip.tolerances.mipgap`` and ``absmipgap``,
    ``threads`` → ``threads``, ``seed`` → ``randomseed``, ``verbose`` →
    the log streams; a ``warm_start`` vector becomes a MIP start (MIPs only).

    Raises
    ------
    SizeLimitError
        The model is beyond the Community Edition's size limit (CPLEX Error 1016).
    BackendError
        CPLEX is missing or failed.
    """
    return solve_with(NAME, milp, options, _load)


def _load(call: SolveCall) -> SolverOutput:
    BACKEND.need(cplex)
    with call.failures(_said):  # CplexError, MemoryError ...
        c = to_cplex(call.milp)
        try:
            if call.x0 is not None and call.is_mip:
                start = [list(range(call.milp.n_cols)), call.x0.tolist()]
                c.MIP_starts.add(start, c.MIP_starts.effort_level.solve_fixed, "warm_start")
            return _solve(c, call)
        finally:
            c.end()


def _solve(c: Any, call: SolveCall) -> SolverOutput:
    milp = call.milp
    _set_options(c, call.clock.options(call.options))
    start = time.perf_counter()
    _run(c, milp)
    status = c.solution.get_status()
    termination = c.solution.get_status_string() or f"status {status}"
    claim = "infeasible" if status in _INFEASIBLE else "unbounded" if status in _AMBIGUOUS else ""
    check = functools.partial(_zero_objective, c, milp)
    read = functools.partial(_read, c.solution, call, status)
    return call.settle(start, termination, claim, read, check, "CPLEX")


def _read(
    sol: Any, call: SolveCall, status: int, termination: str
) -> tuple[np.ndarray | None, float | None, bool]:
    """CPLEX's answer as a :data:`~erlocate.backends.call.Reader` gives it."""
    vector = None
    if sol.get_solution_type() != sol.type.none and sol.is_primal_feasible():
        vector = np.asarray(sol.get_values(), dtype=np.float64)
    elif status in _COMPLETE:
        raise BackendError(f"cplex: {termination} without a solution on {call.milp.summary()}")
    bound = None
    if call.is_mip:
        value = float(sol.MIP.get_best_objective())
        bound = value if abs(value) < _INFINITY else None
    return vector, bound, status in _COMPLETE


def _zero_objective(c: Any, milp: Milp, quiet: SolveOptions) -> bool | str:
    """Solve again with a zero objective: feasible (True), infeasible (False) or why not known.

    After CPLEX's (MIP_)unbounded or infeasible_or_unbounded: its unbounded
    alone proves a ray, not a feasible point.
    """
    c.objective.set_linear([(j, 0.0) for j in range(milp.n_cols)])
    c.MIP_starts.delete()
    _set_options(c, quiet)
    _run(c, milp)
    status = c.solution.get_status()
    if status in _COMPLETE or status in _INFEASIBLE:
        return status in _COMPLETE
    return str(c.solution.get_status_string())


@functools.cache
def _licence() -> tuple[str, bool]:
    """(why CPLEX cannot run here or "", whether it is the size-limited edition); once a process."""
    if cplex is None:
        return "cplex is not installed", True
    n = (LICENCE_LIMIT.variables or 0) + 1
    try:
        c = cplex.Cplex()
        try:
            _quiet(c)
            c.variables.add(obj=[1.0] * n)
            c.solve()
        finally:
            c.end()
    except cplex.exceptions.CplexError as exc:
        if _code(exc) == _TOO_LARGE:
            return "", True
        return f"CPLEX cannot start: {_said(exc)}", False
    return "", False


class CplexBackend(LicensedBackend):
    """CPLEX reading an MPS file written by HiGHS (Community Edition unless a full one)."""

    interface = "cplex: MPS file written by HiGHS, read with Cplex.read"


#: The ``"cplex"`` backend: a CPLEX environment must start and solve a model.
BACKEND = CplexBackend(NAME, "cplex", LICENCE_LIMIT, licence=_licence, solve=solve)
