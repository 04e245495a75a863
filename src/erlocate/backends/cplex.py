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
    ``mip.tolerances.mipgap``, ``threads`` → ``threads``, ``seed`` →
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

Statuses are not decided here: the raw facts go to
:func:`erlocate.backends.base.classify`.
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

from erlocate.backends.base import (
    RunFacts,
    SolveOptions,
    SolverOutput,
    Verdict,
    classify,
    solve_empty,
)
from erlocate.backends.highs import to_highs
from erlocate.backends.protocol import Capabilities, SizeLimit, SolverBackend
from erlocate.deadline import Deadline
from erlocate.errors import BackendError, ErlocateError, InputError, SizeLimitError
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


def _need_cplex() -> Any:
    if cplex is None:
        raise BackendError("cplex: cplex is not installed: pip install 'erlocate[cplex]'")
    return cplex


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
        The canonical model.

    Returns
    -------
    cplex.Cplex
        Columns in the Milp's order (``c0 ...``); free rows are dropped.
    """
    c = _need_cplex().Cplex()
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
    if options.threads is not None:
        params.threads.set(int(options.threads))
    if options.seed is not None:
        params.randomseed.set(int(options.seed) % _MAX_SEED)


def _size_error(milp: Milp, exc: Exception) -> SizeLimitError:
    return SizeLimitError(
        NAME,
        f"{LICENCE_LIMIT} ({LICENCE_LIMIT.licence})",
        f"{milp.n_cols:,} variables, {milp.n_rows:,} constraints",
        f"CPLEX said: {str(exc).strip()}; use another backend (erlocate backends lists "
        "them) or a full CPLEX installation",
    )


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
    """Solve ``milp`` with CPLEX and classify the answer.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    options : SolveOptions
        ``time_limit`` → ``timelimit``, ``gap`` → ``mip.tolerances.mipgap``,
        ``threads`` → ``threads``, ``seed`` → ``randomseed``, ``verbose`` →
        the log streams; a ``warm_start`` vector becomes a MIP start (MIPs only).

    Returns
    -------
    SolverOutput

    Raises
    ------
    SizeLimitError
        The model is beyond the Community Edition's size limit.
    BackendError
        CPLEX is missing or failed.
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
    _need_cplex()
    try:
        c = to_cplex(milp)
        try:
            if x0 is not None and is_mip:
                start = [list(range(milp.n_cols)), x0.tolist()]
                c.MIP_starts.add(start, c.MIP_starts.effort_level.solve_fixed, "warm_start")
            return _solve(c, milp, options, clock, is_mip)
        finally:
            c.end()
    except ErlocateError:
        raise
    except Exception as exc:  # CplexError, MemoryError ...
        raise BackendError(
            f"cplex: failed on {milp.summary()}: {type(exc).__name__}: {str(exc).strip()}"
        ) from exc


def _solve(
    c: Any, milp: Milp, options: SolveOptions, clock: Deadline, is_mip: bool
) -> SolverOutput:
    _set_options(c, clock.options(options))
    start = time.perf_counter()
    _run(c, milp)
    sol = c.solution
    status = sol.get_status()
    termination = sol.get_status_string() or f"status {status}"
    verdict: Verdict = {}
    if status in _INFEASIBLE:
        verdict = {"infeasible": True}
    elif status in _AMBIGUOUS:
        verdict, termination = _disambiguate(c, milp, options, clock)
    runtime = time.perf_counter() - start
    common = RunFacts(
        backend=NAME, runtime=runtime, termination=termination, sense=milp.sense, is_mip=is_mip
    )
    if verdict:
        return classify(
            x=None, objective=None, bound=None, search_complete=False, **verdict, **common
        )
    vector = objective = None
    if sol.get_solution_type() != sol.type.none and sol.is_primal_feasible():
        vector = np.asarray(sol.get_values(), dtype=np.float64)
        objective = milp.objective_value(vector)
    elif status in _COMPLETE:
        raise BackendError(f"cplex: {termination} without a solution on {milp.summary()}")
    bound = None
    if is_mip:
        value = float(sol.MIP.get_best_objective())
        bound = value if abs(value) < _INFINITY else None
    return classify(
        x=vector,
        objective=objective,
        bound=bound,
        search_complete=status in _COMPLETE,
        **common,
    )


def _disambiguate(
    c: Any, milp: Milp, options: SolveOptions, clock: Deadline
) -> tuple[Verdict, str]:
    """Tell "infeasible" from "unbounded" after CPLEX's (MIP_)unbounded or
    infeasible_or_unbounded.

    With a zero objective the model cannot be unbounded, so a second solve
    decides feasibility: a feasible point means the original objective was
    unbounded (CPLEX's unbounded alone proves a ray, not a feasible point).
    """
    if clock.expired():
        return {"infeasible": True}, "unbounded or infeasible (no time left to tell which)"
    c.objective.set_linear([(j, 0.0) for j in range(milp.n_cols)])
    c.MIP_starts.delete()
    _set_options(c, clock.options(options, verbose=False))
    _run(c, milp)
    status = c.solution.get_status()
    if status in _COMPLETE:
        return {"unbounded": True}, "unbounded"
    if status in _INFEASIBLE:
        return {"infeasible": True}, "infeasible (CPLEX first said unbounded or infeasible)"
    return {"infeasible": True}, (
        "unbounded or infeasible (CPLEX could not tell which: "
        f"{c.solution.get_status_string()} on the feasibility check)"
    )


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
        return f"CPLEX cannot start: {str(exc).strip()}", False
    return "", False


class CplexBackend(SolverBackend):
    """CPLEX reading an MPS file written by HiGHS (Community Edition unless a full one)."""

    name = NAME
    interface = "cplex: MPS file written by HiGHS, read with Cplex.read"
    distribution = "cplex"
    extra = "cplex"

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        """Warm start, bound, threads, seed; the Community Edition's limit unless a full
        CPLEX was found (the probe runs once a process)."""
        full = self.version() is not None and _licence() == ("", False)
        return Capabilities(
            warm_start=True,
            bound=True,
            threads=True,
            seed=True,
            size_limit=SizeLimit() if full else LICENCE_LIMIT,
        )

    def probe(self) -> str:
        """A CPLEX environment must start and solve a model."""
        return _licence()[0]

    def run(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """See :func:`solve`."""
        return solve(milp, options)


#: The ``"cplex"`` backend.
BACKEND = CplexBackend()
