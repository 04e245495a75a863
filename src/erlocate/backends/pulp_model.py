"""The canonical :class:`~erlocate.milp.Milp` as a PuLP problem, for ``"pulp:<SOLVER>"``.

:func:`to_pulp` costs what PuLP's model requires and no more:

* PuLP 4 keeps its model in a Rust core (``pulp._rustcore``). Columns are
  created with one ``add_variables_batch`` call per run of consecutive
  columns with the same bounds and type; each row is one
  ``AffineExpr.add_term_ids_coeffs`` call fed the row's CSR slices (column
  ids, coefficients) as numpy arrays, so no Python code runs per non-zero; a
  warm start is one ``set_variable_values`` call. (PuLP's public ``lpSum``,
  ``lpSum_vars_coefs`` and ``addConstraint`` loop in Python over every term.)
* PuLP 3 (and 2.x) needs one ``LpVariable`` per column (``prob.add_variable``
  where it exists, so PuLP 3.3 does not warn); each row is one
  ``LpAffineExpression``, a ``dict`` built in C from ``zip`` of slices of the
  row-ordered variable and coefficient lists (hashing each variable is the one
  Python call per non-zero PuLP's dict requires); all constraints go in with
  one ``extend``.

Columns keep the Milp's order in the solver (PuLP 3 sorts columns by name, so
names are zero-padded: ``x000000`` ...), rows too. A row with two different
finite bounds becomes two constraints, a free row none. The objective
constant is left out: the caller recomputes the objective from the vector.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from erlocate.errors import BackendError
from erlocate.milp import Milp

try:
    import pulp
except ImportError:  # pragma: no cover - pulp is a dependency
    pulp = None

__all__ = ["RUST", "Attempt", "PulpModel", "to_pulp"]

#: PuLP 4 keeps its model in Rust (``pulp._rustcore``); PuLP 3 in Python objects.
RUST = pulp is not None and hasattr(pulp.LpProblem("probe"), "_model")


@dataclasses.dataclass
class Attempt:
    """What one PuLP solve said, before any judgement (:meth:`PulpModel.solve`)."""

    code: str  # PuLP's status in words
    optimal: bool = False  # the solver says it is optimal (within the gap it was given)
    claim: str = ""  # "infeasible", "unbounded" or "undefined" (inconclusive), to verify
    has_solution: bool = True  # PuLP 4 says whether values came back; PuLP 3 does not
    bound: float | None = None  # the solver's own bound (PuLP 4, API-reported only)
    seconds: float = 0.0


@dataclasses.dataclass
class PulpModel:
    """A Milp translated to PuLP.

    Attributes
    ----------
    problem : pulp.LpProblem
        The PuLP problem (minimise or maximise ``c @ x``, no constant).
    columns : list
        One handle per Milp column, in order (``LpVariable``; Rust ``Variable`` in PuLP 4).
    """

    problem: Any
    columns: list

    def solve(self, solver: Any) -> Attempt:
        """Run ``solver`` (a PuLP solver) on the problem and read its status (PuLP 3 or 4)."""
        began = time.perf_counter()
        answer = self.problem.solve(solver)
        seconds = time.perf_counter() - began
        if RUST:
            S = pulp.LpSolveStatus
            claims = {
                S.Infeasible: "infeasible",
                S.Unbounded: "unbounded",
                S.Undefined: "undefined",
            }
            trusted = answer.best_bound if answer.logs is None else None  # not read off a log
            return Attempt(
                code=f"{answer.status_str}" + ("" if answer.has_solution else " (no solution)"),
                optimal=answer.status in (S.Optimal, S.GapLimit) and answer.has_solution,
                claim=claims.get(answer.status, ""),
                has_solution=bool(answer.has_solution),
                bound=trusted,
                seconds=seconds,
            )
        status, solution = self.problem.status, self.problem.sol_status
        claims = {
            pulp.LpStatusInfeasible: "infeasible",
            pulp.LpStatusUnbounded: "unbounded",
            pulp.LpStatusUndefined: "undefined",
        }
        return Attempt(
            code=f"{pulp.LpStatus[status]} ({pulp.LpSolution.get(solution, solution)})",
            optimal=status == pulp.LpStatusOptimal and solution == pulp.LpSolutionOptimal,
            claim=claims.get(status, ""),
            seconds=seconds,
        )

    def values(self) -> np.ndarray:
        """The solution PuLP holds, NaN where it holds none (columns no row uses)."""
        attr = "value" if RUST else "varValue"
        got = [getattr(v, attr) for v in self.columns]
        return np.array([np.nan if v is None else v for v in got], dtype=np.float64)

    def solution(self, milp: Milp) -> np.ndarray | None:
        """The vector PuLP holds if it satisfies ``milp``, else None.

        Rows and column bounds are checked to 1e-6 (scaled by the row's
        absolute activity), integrality to 1e-5. Columns no row and no
        objective term uses, which PuLP leaves out, get their bound nearest 0.
        """
        x = self.values()
        unset = np.isnan(x)
        if unset.any():
            used = np.bincount(milp.A.indices, minlength=milp.n_cols) > 0
            if (unset & (used | (milp.c != 0))).any():
                return None
            idle = np.clip(0.0, milp.col_lb, milp.col_ub)
            x[unset] = np.where(milp.integrality, np.ceil(idle - 1e-9), idle)[unset]
        ax, slack = milp.A @ x, 1e-6 * (1.0 + abs(milp.A) @ np.abs(x))
        rows = np.all(ax >= milp.row_lb - slack) and np.all(ax <= milp.row_ub + slack)
        margin = 1e-6 * (1.0 + np.abs(x))
        cols = np.all(x >= milp.col_lb - margin) and np.all(x <= milp.col_ub + margin)
        whole = x[milp.integrality]
        integral = np.all(np.abs(whole - np.round(whole)) <= 1e-5)
        return x if rows and cols and integral else None

    def set_start(self, x0: np.ndarray) -> None:
        """Give ``x0`` to PuLP as the variables' initial values (a warm start)."""
        if RUST:
            ids = [v.id() for v in self.columns]
            self.problem._model.set_variable_values(list(zip(ids, x0.tolist(), strict=True)))
            return
        for v, value in zip(self.columns, x0.tolist(), strict=True):
            v.varValue = value  # what setInitialValue does, without its bound check


def _rows(milp: Milp) -> Iterator[tuple[int, float | None, float | None]]:
    """(row, lower, upper) of every row with a finite bound; None for an infinite one."""
    lows = np.where(np.isfinite(milp.row_lb), milp.row_lb, np.nan).tolist()
    ups = np.where(np.isfinite(milp.row_ub), milp.row_ub, np.nan).tolist()
    for i, (lo, up) in enumerate(zip(lows, ups, strict=True)):
        lo, up = (None if lo != lo else lo), (None if up != up else up)  # NaN: no bound
        if lo is not None or up is not None:
            yield i, lo, up


def _build_rust(milp: Milp, integer: np.ndarray) -> PulpModel:
    from pulp import _rustcore as rc

    prob = pulp.LpProblem(milp.name.replace(" ", "_"), _sense(milp))
    model = prob._model
    columns = np.empty(milp.n_cols, dtype=object)
    names = _names(milp.n_cols)
    keys = np.stack([milp.col_lb, milp.col_ub, integer.astype(float)])
    change = np.flatnonzero(np.any(keys[:, 1:] != keys[:, :-1], axis=0)) + 1
    cuts = [0, *change.tolist()] if milp.n_cols else []
    for s, e in zip(cuts, [*cuts[1:], milp.n_cols], strict=True):  # runs of equal bounds, in order
        lo, up, is_int = keys[:, s].tolist()
        kind = rc.Category.Integer if is_int else rc.Category.Continuous
        columns[s:e] = model.add_variables_batch(names[s:e], lo, up, kind)
    ids = np.fromiter((v.id() for v in columns), dtype=np.uint64, count=milp.n_cols)

    nz = np.flatnonzero(milp.c)
    objective = rc.AffineExpr()
    objective.add_term_ids_coeffs(model, ids[nz], np.ascontiguousarray(milp.c[nz], dtype=float))
    prob.objective = pulp.LpAffineExpression(objective)
    A, greater, less = milp.A, rc.Sense.GreaterEqual, rc.Sense.LessEqual
    row_ids, row_coefs = ids[A.indices], np.ascontiguousarray(A.data, dtype=np.float64)
    starts = A.indptr.tolist()
    for i, lo, up in _rows(milp):
        s, e = starts[i], starts[i + 1]
        sides = [(rc.Sense.Equal, lo)] if lo == up else [(greater, lo), (less, up)]
        for sense, rhs in sides:
            if rhs is None:
                continue
            expr = rc.AffineExpr()
            expr.add_term_ids_coeffs(model, row_ids[s:e], row_coefs[s:e])
            expr.set_constant(-rhs)
            expr.set_sense(sense)
            model.add_constraint(expr)
    return PulpModel(prob, columns.tolist())


def _build_python(milp: Milp, integer: np.ndarray) -> PulpModel:
    prob = pulp.LpProblem(milp.name.replace(" ", "_"), _sense(milp))
    make = getattr(prob, "add_variable", None) or pulp.LpVariable  # PuLP 3.3 warns on the latter
    kinds = np.where(integer, pulp.LpInteger, pulp.LpContinuous).tolist()
    lows = [v if np.isfinite(v) else None for v in milp.col_lb.tolist()]
    ups = [v if np.isfinite(v) else None for v in milp.col_ub.tolist()]
    columns = np.empty(milp.n_cols, dtype=object)
    names = _names(milp.n_cols)
    columns[:] = [make(names[j], lows[j], ups[j], kinds[j]) for j in range(milp.n_cols)]
    nz = np.flatnonzero(milp.c)
    prob.setObjective(pulp.LpAffineExpression(zip(columns[nz], milp.c[nz].tolist(), strict=True)))
    A, constraints = milp.A, {}
    row_vars, row_coefs, starts = columns[A.indices].tolist(), A.data.tolist(), A.indptr.tolist()
    for i, lo, up in _rows(milp):
        s, e = starts[i], starts[i + 1]
        expr = pulp.LpAffineExpression(zip(row_vars[s:e], row_coefs[s:e], strict=True))
        if lo == up:
            constraints[f"r{i}"] = pulp.LpConstraint(expr, pulp.LpConstraintEQ, rhs=lo)
            continue
        if lo is not None:
            constraints[f"r{i}"] = pulp.LpConstraint(expr, pulp.LpConstraintGE, rhs=lo)
        if up is not None:
            expr = pulp.LpAffineExpression(expr) if lo is not None else expr
            constraints[f"r{i}u"] = pulp.LpConstraint(expr, pulp.LpConstraintLE, rhs=up)
    prob.extend(constraints)
    return PulpModel(prob, columns.tolist())


def _names(n: int) -> list[str]:
    """Column names whose sorted order is the column order (PuLP 3 sorts by name)."""
    width = len(str(max(n - 1, 0)))
    return [f"x{j:0{width}d}" for j in range(n)]


def _sense(milp: Milp) -> int:
    return pulp.LpMaximize if milp.sense == "max" else pulp.LpMinimize


def to_pulp(milp: Milp, integer: np.ndarray | None = None) -> PulpModel:
    """Translate ``milp`` to a PuLP problem (see the module docstring for how).

    Parameters
    ----------
    milp : Milp
        The canonical model.
    integer : numpy.ndarray of bool, optional
        Columns declared integer (default ``milp.integrality``).

    Returns
    -------
    PulpModel
    """
    if pulp is None:
        raise BackendError("pulp: PuLP is not installed (pip install pulp)")
    integer = milp.integrality if integer is None else np.asarray(integer, dtype=bool)
    return (_build_rust if RUST else _build_python)(milp, integer)
