"""Gurobi backend (``"gurobi"``, package ``gurobipy``).

Translation
    The canonical :class:`~erlocate.milp.Milp` goes through gurobipy's matrix
    API: one ``addMVar`` call creates every column (bounds, costs and types as
    numpy vectors) and one ``addMConstr`` call adds the CSR matrix with a
    sense and right-hand side per row, so there is no Python loop over
    columns, rows or entries. Gurobi's matrix API has no two-sided rows:
    ``lb == ub`` rows become ``=``, one-sided rows ``<`` or ``>``, a ranged
    row is added twice (``<= ub`` in place, ``>= lb`` in a block after the
    others) and a free row (both bounds infinite) is left out. The objective
    constant goes to ``ObjCon`` and the direction to ``ModelSense``.

Options
    ``time_limit`` → ``TimeLimit`` (what is left of the limit counted from the
    call, translation included), ``gap`` → ``MIPGap``, ``threads`` →
    ``Threads``, ``seed`` → ``Seed``, ``verbose`` → ``OutputFlag``; a
    ``warm_start`` vector becomes the MIP start (``Start`` of the matrix
    variable; MIPs only). Each solve runs in its own Gurobi environment,
    started silently (no licence banner unless ``verbose``).

Licence and size limit
    The ``gurobipy`` wheel ships a restricted licence: at most 2,000 variables
    and 2,000 linear constraints (measured with gurobipy 13.0.3; no limit on
    non-zeros). :meth:`GurobiBackend.probe` finds out once per process whether
    the licence in use is that one (a 2,001-column model is refused with
    error 10010) or a full one, and ``capabilities.size_limit`` says so; a
    refused model raises :class:`~erlocate.errors.SizeLimitError` naming the
    limit and the model's size, whether caught before or by Gurobi itself.
"""

from __future__ import annotations

import functools
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

gp: ModuleType | None
try:
    import gurobipy as gp
except ImportError:  # reported by BACKEND.diagnose()
    gp = None

__all__ = ["BACKEND", "LICENCE_LIMIT", "NAME", "SUPPORTS_WARM_START", "solve", "to_gurobi"]

NAME = "gurobi"

#: ``SolveOptions.warm_start`` is passed to Gurobi as a MIP start (MIPs only).
SUPPORTS_WARM_START = True

#: The restricted licence that ships with the ``gurobipy`` wheel.
LICENCE_LIMIT = SizeLimit(variables=2000, constraints=2000, licence="gurobipy restricted licence")

#: ``GRB.Error.SIZE_LIMIT_EXCEEDED``: the model is beyond the licence's limit.
_SIZE_LIMIT_EXCEEDED = 10010

#: ``GRB.Error.DATA_NOT_AVAILABLE``: an attribute (e.g. ObjBound) is not available.
_DATA_NOT_AVAILABLE = 10005

#: Gurobi's ``Seed`` parameter range.
_MAX_SEED = 2_000_000_000

#: Gurobi reports an infinite bound as ±1e100.
_INFINITY = 1e100


def _env(verbose: bool) -> Any:
    """A started Gurobi environment; silent (no licence banner) unless ``verbose``."""
    g = BACKEND.need(gp)
    env = g.Env(empty=True)
    env.setParam("OutputFlag", int(bool(verbose)))
    env.start()
    return env


def _rows(milp: Milp) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """The rows as Gurobi takes them: (matrix, sense characters, right-hand sides)."""
    lb, ub = milp.row_lb, milp.row_ub
    lo, hi = np.isfinite(lb), np.isfinite(ub)
    eq = lo & hi & (lb == ub)
    sense = np.where(eq, "=", np.where(hi, "<", ">"))
    rhs = np.where(eq | hi, ub, lb)
    keep = np.flatnonzero(lo | hi)  # free rows constrain nothing
    ranged = np.flatnonzero(lo & hi & ~eq)  # second half of a two-sided row
    A = sp.csr_matrix(milp.A, dtype=np.float64)
    if ranged.size:
        return (
            sp.vstack([A[keep], A[ranged]], format="csr"),
            np.concatenate([sense[keep], np.full(ranged.size, ">")]),
            np.concatenate([rhs[keep], lb[ranged]]),
        )
    return A[keep], sense[keep], rhs[keep]


def to_gurobi(milp: Milp, env: Any) -> tuple[Any, Any]:
    """Load ``milp`` into a new ``gurobipy.Model`` of ``env``.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    env : gurobipy.Env
        A started environment.

    Returns
    -------
    (gurobipy.Model, gurobipy.MVar)
        The model and its column vector, in the Milp's column order.
    """
    g = BACKEND.need(gp)
    model = g.Model(milp.name, env=env)
    vtype = np.where(milp.integrality, g.GRB.INTEGER, g.GRB.CONTINUOUS)
    x = model.addMVar(milp.n_cols, lb=milp.col_lb, ub=milp.col_ub, obj=milp.c, vtype=vtype)
    A, sense, rhs = _rows(milp)
    if A.shape[0]:
        model.addMConstr(A, x, sense, rhs)
    model.ModelSense = g.GRB.MAXIMIZE if milp.sense == "max" else g.GRB.MINIMIZE
    model.ObjCon = float(milp.offset)
    return model, x


def _size_error(milp: Milp, exc: Exception) -> SizeLimitError:
    lo, hi = np.isfinite(milp.row_lb), np.isfinite(milp.row_ub)
    ranged = int(np.sum(lo & hi & (milp.row_lb != milp.row_ub)))
    rows = int(np.sum(lo | hi)) + ranged
    passed = f" ({rows:,} for Gurobi: ranged rows count twice)" if ranged else ""
    size = f"{milp.n_cols:,} variables, {milp.n_rows:,} constraints{passed}"
    return BACKEND.refused(size, f"Gurobi said: {exc}", "a full Gurobi licence")


def _set_options(model: Any, options: SolveOptions) -> None:
    params = model.Params
    params.OutputFlag = int(bool(options.verbose))
    if options.time_limit is not None:
        params.TimeLimit = float(options.time_limit)
    params.MIPGap = options.gap
    if options.threads is not None:
        params.Threads = int(options.threads)
    if options.seed is not None:
        params.Seed = int(options.seed) % _MAX_SEED


def _bound(model: Any) -> float | None:
    assert gp is not None  # checked by BACKEND.need(gp) before any solve
    try:
        value = float(model.ObjBound)
    except gp.GurobiError as exc:  # no bound before the root (or for an LP)
        if exc.errno == _DATA_NOT_AVAILABLE:
            return None
        raise
    return value if abs(value) < _INFINITY else None


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with Gurobi (:func:`to_gurobi`) after
    :func:`~erlocate.backends.call.solve_with`'s checks, and classify the answer.

    ``time_limit`` → ``TimeLimit``, ``gap`` → ``MIPGap``, ``threads`` →
    ``Threads``, ``seed`` → ``Seed``, ``verbose`` → ``OutputFlag``; a
    ``warm_start`` vector becomes the MIP start (MIPs only).

    Raises
    ------
    SizeLimitError
        The model is beyond the licence's size limit (error 10010).
    BackendError
        Gurobi is missing, has no usable licence, or failed.
    """
    return solve_with(NAME, milp, options, _load)


def _load(call: SolveCall) -> SolverOutput:
    g = BACKEND.need(gp)
    milp = call.milp
    with call.failures():
        try:
            with _env(call.options.verbose) as env:
                model, x = to_gurobi(milp, env)
                with model:
                    return _solve(model, x, call)
        except g.GurobiError as exc:
            if exc.errno == _SIZE_LIMIT_EXCEEDED:
                raise _size_error(milp, exc) from exc
            raise BackendError(
                f"gurobi: failed on {milp.summary()}: {exc} (error {exc.errno})"
            ) from exc


def _solve(model: Any, x: Any, call: SolveCall) -> SolverOutput:
    assert gp is not None  # checked by BACKEND.need(gp) before any solve
    GRB = gp.GRB
    milp = call.milp
    if call.x0 is not None and call.is_mip:
        x.Start = call.x0
    _set_options(model, call.clock.options(call.options))
    start = time.perf_counter()
    model.optimize()
    status = model.Status
    termination = _STATUS_NAMES.get(status, f"status {status}")
    claim = "infeasible" if status == GRB.INFEASIBLE else ""
    if status in (GRB.INF_OR_UNBD, GRB.UNBOUNDED):  # UNBOUNDED proves a ray, not a point
        claim = "unbounded"
    check = functools.partial(_zero_objective, model, x, milp)
    read = functools.partial(_read, model, x, call, status)
    return call.settle(start, termination, claim, read, check, "Gurobi")


def _read(
    model: Any, x: Any, call: SolveCall, status: int, termination: str
) -> tuple[np.ndarray | None, float | None, bool]:
    """Gurobi's answer as a :data:`~erlocate.backends.call.Reader` gives it."""
    assert gp is not None  # checked by BACKEND.need(gp) before any solve
    GRB = gp.GRB
    vector = None
    if model.SolCount > 0:
        vector = np.asarray(x.X, dtype=np.float64)
    elif status in (GRB.LOADED, GRB.NUMERIC, GRB.INPROGRESS) or status == GRB.OPTIMAL:
        raise BackendError(f"gurobi: {termination} without a solution on {call.milp.summary()}")
    bound = _bound(model) if call.is_mip else None
    return vector, bound, status == GRB.OPTIMAL


def _zero_objective(model: Any, x: Any, milp: Milp, quiet: SolveOptions) -> bool | str:
    """Solve again with a zero objective: feasible (True), infeasible (False) or why not known."""
    assert gp is not None  # checked by BACKEND.need(gp) before any solve
    x.Obj = np.zeros(milp.n_cols)
    model.reset()
    _set_options(model, quiet)
    model.optimize()
    status = model.Status
    if status in (gp.GRB.OPTIMAL, gp.GRB.INFEASIBLE):
        return status == gp.GRB.OPTIMAL
    return str(_STATUS_NAMES.get(status, status))


#: Gurobi's status codes in words (``GRB.Status``).
_STATUS_NAMES = {
    1: "loaded",
    2: "optimal",
    3: "infeasible",
    4: "infeasible or unbounded",
    5: "unbounded",
    6: "cutoff",
    7: "iteration limit",
    8: "node limit",
    9: "time limit",
    10: "solution limit",
    11: "interrupted",
    12: "numeric trouble",
    13: "suboptimal",
    14: "in progress",
    15: "user objective limit",
    16: "work limit",
    17: "memory limit",
}


@functools.cache
def _licence() -> tuple[str, bool]:
    """(why Gurobi cannot run here or "", whether the licence is size-limited); once a process."""
    if gp is None:
        return "gurobipy is not installed", True
    try:
        with _env(False) as env, gp.Model(env=env) as model:
            model.addMVar((LICENCE_LIMIT.variables or 0) + 1)
            model.optimize()
    except gp.GurobiError as exc:
        if exc.errno == _SIZE_LIMIT_EXCEEDED:
            return "", True
        return f"Gurobi cannot start: {exc} (error {exc.errno})", False
    return "", False


class GurobiBackend(LicensedBackend):
    """Gurobi through gurobipy's matrix API (restricted licence unless a full one is found)."""

    interface = "gurobipy matrix API: one addMVar and one addMConstr with the CSR matrix"


#: The ``"gurobi"`` backend: a Gurobi environment must start (a licence, at least the
#: restricted one).
BACKEND = GurobiBackend(NAME, "gurobipy", LICENCE_LIMIT, licence=_licence, solve=solve)
