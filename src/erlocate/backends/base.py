"""What every backend takes and returns, and the one place statuses are decided.

A backend is a module with a ``NAME``, an ``available()`` probe and a
``solve(milp, options) -> SolverOutput`` function. It only translates: the
canonical :class:`~erlocate.milp.Milp` to the solver, the solver's answer back.
Status, gap and honesty rules live here, shared by all backends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypedDict

import numpy as np

from erlocate.milp import Milp

__all__ = [
    "DEFAULT_MIP_GAP",
    "OPTIMAL_GAP",
    "STATUSES",
    "Answer",
    "OptionChanges",
    "RunFacts",
    "SolveOptions",
    "SolverOutput",
    "Verdict",
    "box_bound",
    "classify",
    "honest_bound",
    "known_bound",
    "relative_gap",
    "solve_empty",
    "tighten_bound",
]

#: Relative gap passed to a solver when the caller gives none. Tight on purpose:
#: solvers' own defaults (1e-4 in HiGHS and SCIP) can stop 100 units short on an
#: objective of 1e6, and published optima would then be missed.
DEFAULT_MIP_GAP = 1e-9

#: A solution is reported ``"optimal"`` only if the solver finished its search
#: and the relative gap between objective and bound is at most this.
OPTIMAL_GAP = 1e-6

#: Every status a :class:`SolverOutput` (and so a Result) can carry.
STATUSES = ("optimal", "feasible", "infeasible", "unbounded", "no_solution", "error")


@dataclass(frozen=True)
class SolveOptions:
    """Options every backend honours.

    Parameters
    ----------
    time_limit : float, optional
        Wall-clock limit in seconds.
    mip_gap : float, optional
        Relative gap at which the solver may stop (default :data:`DEFAULT_MIP_GAP`).
        A run stopped by a gap above :data:`OPTIMAL_GAP` is reported as
        ``"feasible"``, never ``"optimal"``.
    threads : int, optional
        Number of threads (solver default when None).
    verbose : bool
        Print the solver log.
    warm_start : numpy.ndarray, optional
        A full column vector used as a starting incumbent where supported.
    seed : int, optional
        Random seed passed to the solver where supported.
    """

    time_limit: float | None = None
    mip_gap: float | None = None
    threads: int | None = None
    verbose: bool = False
    warm_start: np.ndarray | None = None
    seed: int | None = None

    @property
    def gap(self) -> float:
        """The relative gap to pass to the solver."""
        return DEFAULT_MIP_GAP if self.mip_gap is None else float(self.mip_gap)

    @property
    def abs_gap(self) -> float:
        """The absolute gap to pass to solvers whose default is 1e-6 (HiGHS, CPLEX, COPT).

        The relative gap's value, so that the relative gap decides whenever
        ``|objective| >= 1``: an absolute 1e-6 is coarser than the default
        relative 1e-9 on every objective below 1,000, as the lexicographic
        planning objectives are.
        """
        return self.gap


class OptionChanges(TypedDict, total=False):
    """Fields of :class:`SolveOptions` but ``time_limit`` to change, as
    :meth:`erlocate.deadline.Deadline.options` takes them."""

    mip_gap: float | None
    threads: int | None
    verbose: bool
    warm_start: np.ndarray | None
    seed: int | None


@dataclass(frozen=True)
class SolverOutput:
    """A backend's answer, in canonical terms.

    Attributes
    ----------
    status : str
        One of :data:`STATUSES`.
    x : numpy.ndarray or None
        Best solution found (full column vector), None if there is none.
    objective : float or None
        Objective of ``x`` including the Milp's offset.
    bound : float or None
        Best proven bound on the optimum (a lower bound when minimising, an
        upper bound when maximising), including the offset.
    gap : float or None
        ``|objective - bound| / max(|objective|, 1e-10)``.
    runtime : float
        Solver wall-clock seconds (translation excluded).
    termination : str
        Why the solver stopped, in the solver's words (``"time limit"``, ...).
    backend : str
        Backend name.
    """

    status: str
    x: np.ndarray | None
    objective: float | None
    bound: float | None
    gap: float | None
    runtime: float
    termination: str
    backend: str


class RunFacts(TypedDict):
    """How one run went, as :func:`classify` takes it; every call for a solve repeats it."""

    backend: str
    runtime: float
    termination: str
    sense: str
    is_mip: bool


class Verdict(TypedDict, total=False):
    """A refuted model: :func:`classify`'s ``infeasible`` or ``unbounded`` (empty: neither)."""

    infeasible: bool
    unbounded: bool


class Answer(TypedDict):
    """What a solver answered, as :func:`classify` takes it; the caller adds
    ``backend``, ``runtime``, ``sense`` and ``is_mip``."""

    x: np.ndarray | None
    objective: float | None
    bound: float | None
    search_complete: bool
    infeasible: bool
    unbounded: bool
    termination: str


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """HiGHS-style relative gap; None when either side is missing or infinite."""
    if objective is None or bound is None or not np.isfinite(objective) or not np.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-10)


def classify(
    *,
    backend: str,
    x: np.ndarray | None,
    objective: float | None,
    bound: float | None,
    search_complete: bool,
    infeasible: bool = False,
    unbounded: bool = False,
    runtime: float,
    termination: str,
    sense: str,
    is_mip: bool = True,
) -> SolverOutput:
    """Turn a solver's raw facts into an honest :class:`SolverOutput`.

    ``search_complete`` means the solver says it closed the search (optimal
    within its gap). The result is ``"optimal"`` only if, in addition, the gap
    is at most :data:`OPTIMAL_GAP`; a time- or gap-limited incumbent is
    ``"feasible"``; no incumbent is ``"no_solution"``.
    """
    if infeasible:
        return SolverOutput("infeasible", None, None, None, None, runtime, termination, backend)
    if unbounded:
        return SolverOutput("unbounded", None, None, None, None, runtime, termination, backend)
    if x is None:
        return SolverOutput("no_solution", None, None, bound, None, runtime, termination, backend)
    if bound is not None and sense == "min" and objective is not None:
        bound = min(bound, objective)  # solvers may report a bound a hair past the incumbent
    if bound is not None and sense == "max" and objective is not None:
        bound = max(bound, objective)
    if not is_mip and search_complete:
        bound = objective
    gap = relative_gap(objective, bound)
    proven = search_complete and gap is not None and gap <= OPTIMAL_GAP
    status = "optimal" if proven else "feasible"
    return SolverOutput(status, x, objective, bound, gap, runtime, termination, backend)


def solve_empty(milp: Milp, *, backend: str, is_mip: bool, tol: float = 1e-9) -> SolverOutput:
    """The answer for a model without columns, which some solvers refuse to load.

    Every row is then 0, so the model is feasible exactly when every row's
    bounds admit 0; the only point is the empty vector, worth the offset.
    """
    if not (np.all(milp.row_lb <= tol) and np.all(milp.row_ub >= -tol)):
        return classify(
            x=None,
            objective=None,
            bound=None,
            search_complete=False,
            infeasible=True,
            backend=backend,
            runtime=0.0,
            termination="infeasible (an empty row has bounds excluding 0)",
            sense=milp.sense,
            is_mip=is_mip,
        )
    offset = float(milp.offset)
    return classify(
        x=np.zeros(0),
        objective=offset,
        bound=offset,
        search_complete=True,
        backend=backend,
        runtime=0.0,
        termination="empty model",
        sense=milp.sense,
        is_mip=is_mip,
    )


def box_bound(milp: Milp) -> float | None:
    """The bound the column bounds alone give (each column at its best bound), or None.

    For a minimisation every column sits at the bound that makes ``c[j] * x[j]``
    smallest; with non-negative costs and variables that is the offset. None
    when a column with a non-zero cost is unbounded in the helpful direction.
    """
    c = milp.c if milp.sense == "min" else -milp.c
    with np.errstate(invalid="ignore"):
        best = np.where(c > 0, c * milp.col_lb, np.where(c < 0, c * milp.col_ub, 0.0))
    total = float(best.sum())
    if not np.isfinite(total):
        return None
    return (total if milp.sense == "min" else -total) + float(milp.offset)


def known_bound(milp: Milp) -> float | None:
    """The strongest bound ``milp`` knows without a solver: :func:`box_bound` or ``bound_hint``."""
    known = [b for b in (box_bound(milp), milp.bound_hint) if b is not None and np.isfinite(b)]
    if not known:
        return None
    return max(known) if milp.sense == "min" else min(known)


def tighten_bound(out: SolverOutput, known: float | None, sense: str) -> SolverOutput:
    """``out`` with its bound replaced by ``known`` when that is stronger (or it has none).

    ``known`` must be a valid bound of the problem ``out`` answers (a lower
    bound when minimising). The gap is recomputed, and an incumbent the known
    bound proves optimal (gap at most :data:`OPTIMAL_GAP`) is reported as
    such. Answers without a bound to speak of (infeasible, unbounded, error)
    are returned unchanged. Decompositions, which assemble their own
    :class:`SolverOutput`, call this with the bound their model knows.
    """
    if known is None or not np.isfinite(known):
        return out
    if out.status not in ("optimal", "feasible", "no_solution"):
        return out
    tighter = max if sense == "min" else min
    if out.bound is not None and np.isfinite(out.bound) and tighter(out.bound, known) == out.bound:
        return out
    bound = float(known)
    if out.objective is not None:  # a valid bound never passes the incumbent
        bound = min(bound, out.objective) if sense == "min" else max(bound, out.objective)
    gap = relative_gap(out.objective, bound)
    status = out.status
    termination = out.termination
    if status == "feasible" and gap is not None and gap <= OPTIMAL_GAP:
        status = "optimal"
        termination += "; proven optimal by the model's own bound"
    return replace(out, bound=bound, gap=gap, status=status, termination=termination)


def honest_bound(out: SolverOutput, milp: Milp) -> SolverOutput:
    """``out`` with a bound never weaker than one the model knows.

    The known bounds are :func:`box_bound` and :attr:`Milp.bound_hint`
    (:func:`known_bound`). A solver stopped early may report a weaker bound
    (SCIP before its root LP reports the bound of its presolved model's
    column bounds, 0 for a p-median whose nearest costs sum to millions); the
    stronger one replaces it, the gap is recomputed, and an incumbent the
    known bound proves optimal (gap at most :data:`OPTIMAL_GAP`) is reported
    as such (:func:`tighten_bound`).
    """
    return tighten_bound(out, known_bound(milp), milp.sense)
