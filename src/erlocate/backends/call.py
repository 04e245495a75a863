"""The common start and end of every built-in backend's ``solve``.

:func:`solve_with` does what every backend does first (start the clock, read
and check the warm start, answer a model without columns) and hands the rest
to the backend as a :class:`SolveCall`, which turns the solver's answer into a
:class:`~erlocate.backends.base.SolverOutput` through
:func:`~erlocate.backends.base.classify` (:meth:`SolveCall.refuted`,
:meth:`SolveCall.answer`) and decides "unbounded or infeasible" with a
zero-objective re-solve (:meth:`SolveCall.recheck`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from erlocate.backends.base import (
    RunFacts,
    SolveOptions,
    SolverOutput,
    Verdict,
    classify,
    solve_empty,
)
from erlocate.deadline import Deadline
from erlocate.errors import BackendError, ErlocateError, InputError
from erlocate.milp import Milp

__all__ = ["Reader", "SolveCall", "solve_with"]

#: Reads a solver's answer once it is neither infeasible nor unbounded: (termination) ->
#: (vector or None, bound or None, whether the search closed); raises BackendError when
#: the solver failed without a vector.
Reader = Callable[[str], tuple[np.ndarray | None, float | None, bool]]


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SolveCall:
    """One call of a backend's ``solve``, as :func:`solve_with` starts it.

    Attributes
    ----------
    backend : str
        The backend's name (``SolverOutput.backend``).
    milp : Milp
        The model, with at least one column.
    options : SolveOptions
        The options as given (``clock.options(options)``: with what is left of the limit).
    clock : Deadline
        The time limit as a deadline counted from the call.
    is_mip : bool
        The model has integer columns (for CP-SAT: always True).
    x0 : numpy.ndarray or None
        ``options.warm_start`` as float64 values, one per column.
    """

    backend: str
    milp: Milp
    options: SolveOptions
    clock: Deadline
    is_mip: bool
    x0: np.ndarray | None

    def facts(self, runtime: float, termination: str) -> RunFacts:
        """How the run went, as :func:`~erlocate.backends.base.classify` takes it."""
        return RunFacts(
            backend=self.backend,
            runtime=runtime,
            termination=termination,
            sense=self.milp.sense,
            is_mip=self.is_mip,
        )

    def refuted(self, verdict: Verdict, runtime: float, termination: str) -> SolverOutput:
        """The answer for a model the solver found infeasible or unbounded (``verdict``)."""
        facts = self.facts(runtime, termination)
        return classify(
            x=None, objective=None, bound=None, search_complete=False, **verdict, **facts
        )

    def answer(
        self,
        x: np.ndarray | None,
        objective: float | None,
        bound: float | None,
        search_complete: bool,
        runtime: float,
        termination: str,
    ) -> SolverOutput:
        """The answer for the solver's vector (None: none), its objective, the bound and
        whether the solver closed its search, as :func:`~erlocate.backends.base.classify`
        decides it."""
        facts = self.facts(runtime, termination)
        if x is not None and objective is not None:
            value = self.milp.objective_value(x)
            if abs(value - objective) > 1e-6 * max(1.0, abs(value), abs(objective)):
                # the vector is what erlocate decodes: its own objective is the truth, and a
                # claim of optimality made for another objective cannot stand
                logger.warning(
                    "%s: the returned vector is worth %.10g, not the reported %.10g; the "
                    "answer is kept as feasible, not proven",
                    self.backend,
                    value,
                    objective,
                )
                objective, search_complete = value, False
        return classify(
            x=x, objective=objective, bound=bound, search_complete=search_complete, **facts
        )

    def settle(
        self,
        start: float,
        termination: str,
        claim: str,
        read: Reader,
        check: Callable[[SolveOptions], bool | str],
        solver: str,
        first: str = "unbounded or infeasible",
    ) -> SolverOutput:
        """The answer once the solver's run, begun at ``start`` (``time.perf_counter``), ended.

        ``claim`` is what the solver said of the model: ``"infeasible"``
        (taken as it is), ``"unbounded"`` (which may mean "unbounded or
        infeasible": :meth:`recheck` decides with ``check``, ``solver`` and
        ``first``, the solver's own words) or ``""``. The runtime counts the
        recheck. Without a verdict, ``read(termination)`` gives the vector,
        the bound and whether the search closed; the objective is the
        vector's, on the Milp.
        """
        verdict: Verdict = {}
        if claim == "infeasible":
            verdict = {"infeasible": True}
        elif claim == "unbounded":
            verdict, termination = self.recheck(solver, first, check)
        runtime = time.perf_counter() - start
        if verdict:
            return self.refuted(verdict, runtime, termination)
        x, bound, complete = read(termination)
        objective = None if x is None else self.milp.objective_value(x)
        return self.answer(x, objective, bound, complete, runtime, termination)

    @contextlib.contextmanager
    def failures(self, said: Callable[[Exception], str] = str) -> Iterator[None]:
        """Any exception but erlocate's own becomes a BackendError naming the backend, the
        model, the exception's type and what ``said`` reads from it."""
        try:
            yield
        except ErlocateError:
            raise
        except Exception as exc:  # the solver's own errors, MemoryError, TypeError ...
            raise BackendError(
                f"{self.backend}: failed on {self.milp.summary()}: "
                f"{type(exc).__name__}: {said(exc)}"
            ) from exc

    def recheck(
        self,
        solver: str,
        first: str,
        check: Callable[[SolveOptions], bool | str],
        unbounded: str = "unbounded",
    ) -> tuple[Verdict, str]:
        """Tell "infeasible" from "unbounded" after the solver said ``first``.

        An unbounded ray proves no feasible point (and a MIP whose LP
        relaxation is unbounded may have none). With a zero objective the
        model cannot be unbounded, so ``check`` solves it again with the
        options it is given (quiet, with what is left of the limit) and says
        True (a feasible point: the model is unbounded, termination
        ``unbounded``), False (infeasible) or the solver's status in words (it
        could not tell). Without time left the model is taken as infeasible,
        as when the check cannot tell.
        """
        if self.clock.expired():
            return {"infeasible": True}, "unbounded or infeasible (no time left to tell which)"
        found = check(self.clock.options(self.options, verbose=False))
        if isinstance(found, str):
            return {"infeasible": True}, (
                f"unbounded or infeasible ({solver} could not tell which: {found} "
                "on the feasibility check)"
            )
        if found:
            return {"unbounded": True}, unbounded
        return {"infeasible": True}, f"infeasible ({solver} first said {first})"


def solve_with(
    backend: str,
    milp: Milp,
    options: SolveOptions,
    body: Callable[[SolveCall], SolverOutput],
    *,
    is_mip: bool | None = None,
) -> SolverOutput:
    """What every backend's ``solve`` does first, then ``body``.

    The time limit starts counting (translation included); the warm start
    is read as float64 values and must have one per column; a model
    without columns, which some solvers refuse to load, is answered by
    :func:`~erlocate.backends.base.solve_empty`. Anything else goes to
    ``body`` as a :class:`SolveCall`.

    Parameters
    ----------
    backend : str
        The backend's name.
    milp : Milp
        The canonical model.
    options : SolveOptions
        The options as given.
    body : callable
        (SolveCall) -> SolverOutput: the translation, the solver and the answer.
    is_mip : bool, optional
        Whether to treat the model as a MIP (default: it has integer columns).

    Returns
    -------
    SolverOutput

    Raises
    ------
    InputError
        ``warm_start`` has the wrong length.
    """
    clock = Deadline.after(options.time_limit)
    mip = bool(milp.integrality.any()) if is_mip is None else is_mip
    x0 = None
    if options.warm_start is not None:
        x0 = np.asarray(options.warm_start, dtype=np.float64).ravel()
        if x0.shape != (milp.n_cols,):
            raise InputError(
                f"warm_start: expected {milp.n_cols} values, got {x0.size}", field="warm_start"
            )
    if milp.n_cols == 0:
        return solve_empty(milp, backend=backend, is_mip=mip)
    return body(SolveCall(backend, milp, options, clock, mip, x0))
