"""``"pulp:<SOLVER>"``: any solver PuLP can call, through PuLP's own model.

``erlocate.solve(..., backend="pulp:GUROBI")`` runs the solver PuLP calls
``GUROBI``; ``pulp.listSolvers(onlyAvailable=True)`` lists those that run here.
Names match case-insensitively, and ``PULP_CBC_CMD``, gone in PuLP 4, means
``COIN_CMD`` there. The direct backends (``"highs"``, ``"cbc"``, ...) are
faster; this one reaches every solver PuLP supports. The model is translated
by :func:`erlocate.backends.pulp_model.to_pulp` (bulk calls, no Python code
per non-zero beyond what PuLP's model requires; see there), for PuLP 3.3
(Python 3.10/3.11) and PuLP 4 (Python >= 3.12) alike. Time limit, gap,
threads, seed and warm start are passed where PuLP's solver class takes them
(its signature, or the solver's own parameter names for HiGHS, Gurobi, COPT
and CP-SAT).

PuLP's statuses differ by solver and version (PuLP 3 reports a time-limited
Gurobi run as "Not Solved" with an incumbent, a time-limited CPLEX run
without one as "Infeasible", and Gurobi's, CPLEX's and HiGHS' "infeasible or
unbounded" as "Infeasible"), so the facts are read conservatively before
:func:`erlocate.backends.base.classify` decides:

* a vector counts only if it satisfies the model (rows and bounds to 1e-6,
  scaled; integrality to 1e-5);
* PuLP reports no bound (PuLP 4 does for HiGHS: that one is used). The
  solver's "optimal" is proven when PuLP gave it a gap of at most
  :data:`~erlocate.backends.base.OPTIMAL_GAP` (or its default gap is 0), and
  the bound is then the objective; otherwise the vector is "feasible", as is a
  time-limited answer, with bound None;
* "Infeasible" or "Unbounded" with a feasible vector is "unbounded"; without
  one, these and "Undefined" are checked by solving the model again with a
  zero objective: infeasible there is "infeasible", feasible there is
  "unbounded" (for "Undefined": "no_solution"); a claim made at the time
  limit, with no time left to check it, is "no_solution";
* PuLP's CP-SAT turns continuous columns into integers, so it is given only
  models whose continuous columns are all implied integer.

Worked around: PuLP's XPRESS_PY drops ``timeLimit`` (Xpress' ``TIMELIMIT``
is passed as an option), Xpress' and GLPK's command lines take whole seconds
(the limit is rounded up), and HiGHS' process-wide thread pool refuses a run
asking for another ``threads`` (it is rebuilt first).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import importlib.util
import inspect
import math
from typing import Any

import numpy as np

from erlocate.backends.base import OPTIMAL_GAP, SolveOptions, SolverOutput, Verdict
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.protocol import Capabilities, SolverBackend
from erlocate.backends.pulp_model import RUST, Attempt, PulpModel, pulp, to_pulp
from erlocate.deadline import Deadline
from erlocate.errors import BackendError
from erlocate.milp import Milp

__all__ = ["EXACT_BY_DEFAULT", "PulpBackend", "pulp_backend", "solver_names"]

#: Solvers whose default relative gap is 0, so their "optimal" is proven without ``gapRel``.
EXACT_BY_DEFAULT = frozenset({"GLPK_CMD", "PYGLPK", "SCIP_PY", "SCIP_CMD", "FSCIP_CMD", "CPSAT"})

#: Options passed through a solver's own parameter names (``**solverParams``).
_NATIVE = {
    "HiGHS": {"seed": "random_seed"},
    "GUROBI": {"threads": "Threads", "seed": "Seed"},
    "COPT": {"threads": "Threads"},
    "CPSAT": {"threads": "threads", "seed": "random_seed", "gap": "relative_gap_limit"},
}

#: PuLP's CBC solvers (PuLP 3 takes their seed as command-line options).
_CBC = frozenset({"PULP_CBC_CMD", "COIN_CMD"})

#: Solvers PuLP 4 asks for their own bound (not one read off a log).
_BOUND = frozenset({"HiGHS", "COINMP_DLL", "CyLP"})

#: Solvers to which PuLP passes the time limit as whole seconds (Xpress' MAXTIME, GLPK's
#: --tmlim): a fraction would be truncated, 0.3 s to 0, which means no limit.
_WHOLE_SECONDS = frozenset({"XPRESS", "GLPK_CMD"})

#: Python package whose version is the solver's, for :meth:`PulpBackend.version`.
_PACKAGES = {
    "HiGHS": "highspy",
    "GUROBI": "gurobipy",
    "CPLEX_PY": "cplex",
    "XPRESS_PY": "xpress",
    "COPT": "coptpy",
    "SCIP_PY": "pyscipopt",
    "CPSAT": "ortools",
    "CUOPT": "cuopt",
    "MOSEK": "mosek",
}


# ---------------------------------------------------------------- solver names
def _classes() -> dict[str, Any]:
    """PuLP's solver classes by name, as ``pulp.getSolver`` resolves them."""
    return {cls.name: cls for cls in pulp.apis._all_solvers}


@functools.cache
def solver_names(only_available: bool = True) -> list[str]:
    """``pulp.listSolvers(onlyAvailable=...)``, cached (licence checks are slow)."""
    if pulp is None:
        return []
    return list(dict.fromkeys(pulp.listSolvers(onlyAvailable=only_available)))  # once each


def _canonical(name: str) -> str | None:
    """PuLP's spelling of ``name`` (any case), or None if PuLP has no such solver."""
    if pulp is None:
        return None
    known = {n.lower(): n for n in _classes()}
    if RUST and name.upper() == "PULP_CBC_CMD":  # removed in PuLP 4: CBC is COIN_CMD's
        name = "COIN_CMD"
    return known.get(name.lower())


# ---------------------------------------------------------------- solving
class PulpBackend(SolverBackend):
    """One PuLP solver, reached through PuLP's model (see the module docstring).

    Parameters
    ----------
    solver : str
        PuLP's name of the solver (``pulp.listSolvers()``).
    """

    def __init__(self, solver: str) -> None:
        self.solver = solver
        self.name = f"pulp:{solver}"
        self.interface = f"PuLP {pulp.__version__} model, solved by PuLP's {solver}"
        cls = _classes()[solver]
        self._params = inspect.signature(cls.__init__).parameters
        native = _NATIVE.get(solver, {})
        self.capabilities = Capabilities(
            warm_start="warmStart" in self._params,
            bound=RUST and solver in _BOUND,
            threads="threads" in self._params or "threads" in native,
            seed="randomSeed" in self._params or "seed" in native or solver in _CBC,
            integer_only=solver == "CPSAT",
        )
        self._gap = "gapRel" in self._params or "gap" in native

    def version(self) -> str | None:
        """PuLP's version and, where known, the solver package's."""
        if pulp is None:
            return None
        package = _PACKAGES.get(self.solver)
        try:
            extra = f", {package} {importlib.metadata.version(package)}" if package else ""
        except importlib.metadata.PackageNotFoundError:
            extra = ""
        return f"PuLP {pulp.__version__}{extra}"

    def probe(self) -> str:
        """``""`` if PuLP can run the solver here, else why not."""
        if self.solver in solver_names(True):
            return ""
        package = _PACKAGES.get(self.solver)
        try:
            path = getattr(pulp.getSolver(self.solver, msg=False), "path", None)
        except Exception as exc:  # the solver's package raised on construction
            path, reason = None, f"{type(exc).__name__}: {exc}"
        else:
            reason = "its Python package is missing or has no licence"
        if isinstance(path, str):
            reason = f"no executable {path!r}"
        elif package and importlib.util.find_spec(package) is None:
            reason = f"{package} is not installed: pip install {package}"
        elif package:
            reason = f"{package} is installed but PuLP cannot start it (licence?)"
        return (
            f"PuLP {pulp.__version__} cannot run {self.solver} here ({reason}); "
            f"PuLP solvers available here: {solver_names(True)}"
        )

    def _solver(self, options: SolveOptions, warm: bool) -> Any:
        """PuLP's solver object with every option it can take."""
        native = _NATIVE.get(self.solver, {})
        kw: dict[str, bool | int | float | list[str]] = {"msg": bool(options.verbose)}
        if options.time_limit is not None:
            limit = max(float(options.time_limit), 0.01)  # 0 means "none" to some
            kw["timeLimit"] = math.ceil(limit) if self.solver in _WHOLE_SECONDS else limit
            if self.solver == "XPRESS_PY":  # PuLP 3.3 and 4.2 never pass timeLimit on
                kw["options"] = [f"TIMELIMIT={limit!r}"]
        if "gapRel" in self._params:
            kw["gapRel"] = options.gap
        elif "gap" in native:
            kw[native["gap"]] = options.gap
        if options.threads is not None:
            key = "threads" if "threads" in self._params else native.get("threads")
            if key:
                kw[key] = int(options.threads)
        if options.seed is not None:
            seed = int(options.seed) % 2_147_483_647
            if "randomSeed" in self._params:
                kw["randomSeed"] = seed + 1  # CBC reads 0 as "seed from the clock"
            elif "seed" in native:
                kw[native["seed"]] = seed
            elif self.solver in _CBC and "options" in self._params:
                kw["options"] = [f"randomSeed {seed + 1}", f"randomCbcSeed {seed + 1}"]
        if warm and "warmStart" in self._params:
            kw["warmStart"] = True
        return pulp.getSolver(self.solver, **kw)

    def _attempt(
        self, milp: Milp, options: SolveOptions, clock: Deadline, x0: np.ndarray | None
    ) -> tuple[PulpModel, Attempt]:
        """Translate, then solve with the time left on ``clock``."""
        integer = milp.integrality
        if self.capabilities.integer_only:  # PuLP's CP-SAT makes continuous columns integer
            implied = milp.implied_integer
            if implied is None:  # no column (a Milp holds an array once built)
                implied = np.zeros(milp.n_cols, dtype=bool)
            loose = ~milp.integrality & ~implied
            if loose.any():
                raise BackendError(
                    f"{self.name}: PuLP's CPSAT would make the {int(loose.sum())} continuous "
                    f"columns of {milp.name!r} integer; use a backend for MILPs"
                )
            integer = milp.integrality | implied
        model = to_pulp(milp, integer)
        if x0 is not None:
            model.set_start(x0)
        try:
            solver = self._solver(clock.options(options), x0 is not None)
            if self.solver == "HiGHS" and options.threads is not None:
                # HiGHS' one thread pool refuses a run asking for another size: rebuild it
                import highspy

                highspy.Highs.resetGlobalScheduler(True)
            return model, model.solve(solver)
        except Exception as exc:  # PulpSolverError, a solver's licence error, ...
            raise BackendError(
                f"{self.name} failed on {milp.summary()}: {type(exc).__name__}: {exc}"
            ) from exc

    def run(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """Translate with :func:`to_pulp`, solve with PuLP, classify (module docstring)."""
        return solve_with(self.name, milp, options, self._run)

    def _run(self, call: SolveCall) -> SolverOutput:
        milp, options, clock = call.milp, call.options, call.clock
        model, attempt = self._attempt(milp, options, clock, call.x0)
        x = model.solution(milp) if attempt.has_solution else None
        runtime, termination = attempt.seconds, attempt.code
        verdict: Verdict = {}
        if attempt.claim in ("infeasible", "unbounded") and x is not None:
            # x is feasible: PuLP's "Infeasible" meant "infeasible or unbounded"
            verdict = {"unbounded": True}
            termination = f"unbounded (PuLP said {termination}; its vector is feasible)"
        elif attempt.claim and x is None:
            verdict, termination, seconds = self._verify(milp, options, clock, attempt)
            runtime += seconds
        if verdict:
            return call.refuted(verdict, runtime, termination)
        objective = None if x is None else milp.objective_value(x)
        bound = None
        if attempt.bound is not None and objective is not None and np.isfinite(attempt.bound):
            bound = attempt.bound + float(milp.offset)
            past = bound - objective if milp.sense == "min" else objective - bound
            bound = None if past > 1e-9 * max(1.0, abs(objective)) else bound
        search_complete = False
        if x is not None and attempt.optimal:
            exact = self.solver in EXACT_BY_DEFAULT and not self._gap
            if not call.is_mip or exact or (self._gap and options.gap <= OPTIMAL_GAP):
                search_complete, bound = True, objective
            elif self._gap:
                search_complete = True  # proven only if its own bound closes the gap
                termination += f"; optimal within the requested gap {options.gap:g}"
            else:
                termination += f"; not proven: PuLP cannot pass a gap to {self.solver}"
        return call.answer(x, objective, bound, search_complete, runtime, termination)

    def _verify(
        self, milp: Milp, options: SolveOptions, clock: Deadline, first: Attempt
    ) -> tuple[Verdict, str, float]:
        """Check PuLP's "Infeasible"/"Unbounded"/"Undefined" with a zero objective.

        Returns the verdict (empty: "no_solution"), the termination text and
        the seconds the check took.
        """
        said = f"PuLP said {first.code}"
        left = clock.remaining()
        limit = options.time_limit
        if left is not None and limit is not None and left <= 0.05 * float(limit) + 0.05:
            return {}, f"{said} at the time limit (not checked)", 0.0
        check = dataclasses.replace(milp, c=np.zeros(milp.n_cols), bound_hint=None)
        quiet = dataclasses.replace(options, warm_start=None, verbose=False)
        model, again = self._attempt(check, quiet, clock, None)
        seconds = again.seconds
        if again.has_solution and model.solution(check) is not None:
            if first.claim == "undefined":
                return {}, f"{said}; the model is feasible", seconds
            return {"unbounded": True}, f"unbounded ({said}; the model is feasible)", seconds
        if again.claim == "infeasible":
            return {"infeasible": True}, f"infeasible ({said}; confirmed)", seconds
        return {}, f"{said}; the feasibility check was inconclusive ({again.code})", seconds


@functools.cache
def _backend(solver: str) -> PulpBackend:
    return PulpBackend(solver)


def pulp_backend(name: str) -> PulpBackend:
    """The backend running PuLP's solver ``name`` (``"pulp:<name>"`` in :func:`erlocate.solve`).

    Parameters
    ----------
    name : str
        A PuLP solver name, any case (``"HiGHS"``, ``"coin_cmd"``, ...).

    Returns
    -------
    PulpBackend
        Its :meth:`~PulpBackend.diagnose` says if PuLP cannot run it here.

    Raises
    ------
    BackendError
        PuLP is not installed or has no solver of that name.
    """
    if pulp is None:
        raise BackendError(f"backend 'pulp:{name}': PuLP is not installed (pip install pulp)")
    solver = _canonical(str(name).strip())
    if solver is None:
        raise BackendError(
            f"backend 'pulp:{name}': PuLP {pulp.__version__} has no solver {name!r}; "
            f"available here: {solver_names(True)} (PuLP knows {solver_names(False)})"
        )
    return _backend(solver)
