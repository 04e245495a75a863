"""CBC backend (``"cbc"``, alias ``"pulp"``): the CBC executable run as a subprocess.

The executable is cbcbox's on every Python, else PuLP 3's bundled one
(:mod:`erlocate.backends.cbc_executable` finds it, reports its version and runs
it under a deadline watchdog). PuLP's modelling layer is bypassed: the
:class:`~erlocate.milp.Milp` goes to CBC as an MPS file written by HiGHS' C++
writer (no Python loop), as the minimisation of ``c`` (``-c`` for a
maximisation: CBC ignores ``OBJSENSE MAX``) without the constant, which is
added back here. CBC runs ``-import model.mps [options] -solve`` and writes
``-solution`` (only its status line is read) and ``-saveSolution`` (binary
doubles, read with numpy: full precision, no name parsing).

The bound of a search that did not close is parsed from the final summary of
CBC's log: ``Lower bound:`` (3 decimals in CBC 2.10, 6 significant digits in
cbcbox's CBC) and CBC 2.10's ``Partial search ... (best possible X)`` (8
significant digits), each moved outward by half a unit of its last printed
digit so that it stays a valid bound
(:func:`~erlocate.backends.cbc_executable.parse_bound`). A closed search ("Optimal", or
"Optimal (within gap tolerance)" under a requested gap of at most
:data:`~erlocate.backends.base.OPTIMAL_GAP`) is bound by its objective; one
closed on a looser gap by the tighter of the printed bound and the gap. A
warm start CBC cannot use is named in ``termination``. Statuses are decided
by :func:`erlocate.backends.base.classify` only.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from erlocate.backends import cbc_executable as exe
from erlocate.backends.base import OPTIMAL_GAP, SolveOptions, SolverOutput, Verdict
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.cbc_executable import (
    ENV_VAR,
    INTERRUPT_SHARE,
    KILL_SHARE,
    cbc_path,
    parse_bound,
    tolerance,
)
from erlocate.backends.highs import to_highs
from erlocate.backends.protocol import Capabilities, SolverBackend
from erlocate.deadline import Deadline
from erlocate.errors import BackendError
from erlocate.milp import Milp

__all__ = [
    "BACKEND",
    "ENV_VAR",
    "INTERRUPT_SHARE",
    "KILL_SHARE",
    "NAME",
    "SUPPORTS_WARM_START",
    "WARM_START_REJECTED",
    "available",
    "cbc_path",
    "solve",
    "tolerance",
    "write_mps",
]

logger = logging.getLogger(__name__)

NAME = "cbc"

#: ``SolveOptions.warm_start`` is written as a CBC MIP start (``-mipstart``; MIPs only).
SUPPORTS_WARM_START = True

#: CBC's random-seed range (0 means "seed from the clock", so it is avoided).
_MAX_SEED = 2_147_483_647

#: Appended to ``termination`` when CBC could not build a solution from the warm start.
WARM_START_REJECTED = "CBC rejected the warm start"
_MIPSTART_REJECTED = "mipstart values could not be used"

#: cbcbox's CBC logs this when it proves infeasibility before solving ("Status unknown").
_PRESOLVE_INFEASIBLE = "infeasibility proved"


def available() -> bool:
    """True if a runnable CBC executable was found (:func:`cbc_path`)."""
    return cbc_path() is not None


# ---------------------------------------------------------------- files and arguments
def write_mps(milp: Milp, path: str | Path) -> Path:
    """Write ``milp`` as the minimisation CBC is given: no names, no constant.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    path : str or Path
        Target file.

    Returns
    -------
    Path
        ``path``. Columns are ``c0 ...``, rows ``r0 ...``; a maximisation is
        written with the objective negated.
    """
    c = -milp.c if milp.sense == "max" else milp.c
    h = to_highs(dataclasses.replace(milp, c=c, sense="min", offset=0.0), names=False)
    path = Path(path)
    h.writeModel(str(path))
    return path


def _write_mipstart(milp: Milp, x0: np.ndarray, path: Path) -> None:
    # CBC fixes the integer columns it is given and computes the continuous ones.
    keep = np.flatnonzero(milp.integrality | (x0 != 0))
    frame = pd.DataFrame(
        {"index": keep, "name": "c" + pd.Series(keep).astype(str), "value": x0[keep]}
    )
    with open(path, "w") as f:
        f.write("Stopped on time - objective value 0\n")
        frame.to_csv(f, sep=" ", header=False, index=False)


def _arguments(
    mps: Path,
    sol: Path,
    binary: Path,
    options: SolveOptions,
    is_mip: bool,
    start: Path | None,
    careful: bool = False,
) -> list[str]:
    args = [str(cbc_path()), "-import", str(mps)]
    if careful:  # after a crash: CBC's primal heuristics are where its assertions fail
        args += ["-heuristicsOnOff", "off"]
    if options.time_limit is not None:
        args += ["-timeMode", "elapsed", "-seconds", repr(float(options.time_limit))]
    if is_mip:
        args += ["-ratioGap", repr(options.gap)]
    if options.threads is not None:
        args += ["-threads", str(int(options.threads))]
    if options.seed is not None:
        seed = str(int(options.seed) % _MAX_SEED + 1)
        args += ["-randomSeed", seed, "-randomCbcSeed", seed]
    if start is not None:
        args += ["-mipstart", str(start)]
    args += ["-solve" if is_mip else "-initialSolve"]
    return [*args, "-solution", str(sol), "-saveSolution", str(binary)]


# ---------------------------------------------------------------- reading CBC's answer
def _tail(log: str, n: int = 15) -> str:
    return "\n    ".join(log.rstrip().splitlines()[-n:])


def _read_binary(binary: Path, n_cols: int, log: str) -> np.ndarray:
    """Column activities from ``-saveSolution`` (int32 rows, cols; f64 objective; arrays)."""
    raw = binary.read_bytes()
    if len(raw) < 16:
        raise BackendError(f"cbc: CBC wrote a truncated solution file; log tail:\n    {_tail(log)}")
    n_rows, n_file_cols = (int(v) for v in np.frombuffer(raw, dtype=np.int32, count=2))
    if n_file_cols != n_cols or len(raw) != 16 + 8 * (2 * n_rows + 2 * n_cols):
        raise BackendError(
            f"cbc: CBC's solution file holds {n_file_cols} columns, the model {n_cols}"
        )
    values = np.frombuffer(raw, dtype=np.float64, offset=16)
    return values[2 * n_rows : 2 * n_rows + n_cols].copy()


# ---------------------------------------------------------------- solve
@dataclasses.dataclass
class _Run:
    status_line: str
    log: str
    x: np.ndarray | None
    seconds: float
    killed: bool = False


def _cbc(
    milp: Milp,
    options: SolveOptions,
    is_mip: bool,
    x0: np.ndarray | None,
    clock: Deadline,
    slack: float,
    careful: bool = False,
) -> _Run:
    """Write the files, run CBC with the time left on ``clock``, read its answer.

    CBC crashing on a signal (cbcbox 2.929 aborts on a failed assertion in its heuristics
    on some small MILPs, tests/backends/test_backends.py) is answered by one more run with
    its heuristics off (``careful``), which changes its speed, never its answer.
    """
    with tempfile.TemporaryDirectory(prefix="erlocate-cbc-") as tmp:
        folder = Path(tmp)
        mps, sol, binary = folder / "model.mps", folder / "model.sol", folder / "model.bin"
        write_mps(milp, mps)
        start = None
        if x0 is not None:
            start = folder / "start.mst"
            _write_mipstart(milp, x0, start)
        args = _arguments(mps, sol, binary, clock.options(options), is_mip, start, careful)
        began = time.perf_counter()
        log, rc, killed = exe.run(args, verbose=options.verbose, cwd=tmp, clock=clock, slack=slack)
        seconds = time.perf_counter() - began
        if killed:
            return _Run("killed", log, None, seconds, killed=True)
        where = f"on {milp.summary()}; log tail:\n    {_tail(log)}"
        if rc < 0 and not careful and not clock.expired():
            logger.warning("cbc: CBC crashed (signal %d); running it again, heuristics off", -rc)
            return _cbc(milp, options, is_mip, x0, clock, slack, careful=True)
        if rc != 0 and not (sol.exists() and clock.expired()):  # SIGINT may leave rc != 0
            raise BackendError(f"cbc: CBC exited with code {rc} {where}")
        if not sol.exists():
            raise BackendError(f"cbc: CBC wrote no solution {where}")
        with open(sol) as f:
            status_line = f.readline().strip()
        x = _read_binary(binary, milp.n_cols, log) if binary.exists() else None
    return _Run(status_line, log, x, seconds)


def _bound(milp: Milp, options: SolveOptions, run: _Run, objective: float | None) -> float | None:
    """The best proven bound in the model's terms (sense and constant), or None.

    A search CBC closed ("Optimal", also "Optimal (within gap tolerance)"
    when the requested gap is at most OPTIMAL_GAP) is bound by its objective,
    as every backend's optimum is. One closed on a looser requested gap is
    bound by the tighter of the printed bound and what CBC's gap test
    certifies: gap <= ratioGap * max(|objective|, |bound|).
    """
    parsed = parse_bound(run.log)
    if parsed is not None:
        parsed = (-parsed if milp.sense == "max" else parsed) + float(milp.offset)
    if objective is None or not run.status_line.startswith("Optimal"):
        return parsed
    gap = options.gap
    if "gap" not in run.status_line or gap <= OPTIMAL_GAP:
        return objective
    slack = math.inf if gap >= 1 else gap / (1 - gap) * abs(objective - milp.offset)
    certified = objective - slack if milp.sense == "min" else objective + slack
    if parsed is None:
        return certified
    return max(parsed, certified) if milp.sense == "min" else min(parsed, certified)


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with the CBC executable (:func:`write_mps`) after
    :func:`~erlocate.backends.call.solve_with`'s checks, and classify the answer.

    ``time_limit`` → ``-timeMode elapsed -seconds`` (counted from the
    call; a CBC still running past it is interrupted, then killed, see
    :data:`INTERRUPT_SHARE`), ``gap`` → ``-ratioGap``, ``threads`` →
    ``-threads``, ``seed`` → ``-randomSeed`` and ``-randomCbcSeed``,
    ``verbose`` streams CBC's log; ``warm_start`` → ``-mipstart`` (MIPs).

    Raises
    ------
    BackendError
        No CBC executable (checked first), or CBC crashed or wrote no usable
        solution file.
    """
    if not available():
        raise BackendError(f"cbc: {exe.cbc_source()}")
    return solve_with(NAME, milp, options, _solve)


def _solve(call: SolveCall) -> SolverOutput:
    milp, options, clock, is_mip = call.milp, call.options, call.clock, call.is_mip
    slack = 0.0 if options.time_limit is None else tolerance(options.time_limit)
    x0 = call.x0 if is_mip else None  # CBC has no LP warm start from a primal vector
    run = _cbc(milp, options, is_mip, x0, clock, slack)
    status, runtime = run.status_line, run.seconds
    termination = status.split(" - objective value")[0].strip() or "no status"
    verdict: Verdict = {}
    search_complete = has_solution = False
    if run.killed:
        termination = (
            "time limit: CBC was killed at the deadline, still in its root LP or "
            "preprocessing (it saves no solution until it stops)"
        )
    elif status.startswith("Optimal"):
        search_complete = has_solution = True
    elif status.startswith(("Infeasible", "Integer infeasible")):
        verdict = {"infeasible": True}
    elif status.startswith("Status unknown") and _PRESOLVE_INFEASIBLE in run.log:
        verdict, termination = {"infeasible": True}, "infeasible (proved by bound tightening)"
    elif status.startswith("Unbounded"):
        # CBC says so when the LP relaxation is unbounded, which a MIP without any
        # integer point can be too
        checks: list[_Run] = []
        check = functools.partial(_zero_objective, milp, is_mip, clock, slack, checks)
        verdict, termination = call.recheck("CBC", "unbounded", check)
        runtime += sum(c.seconds for c in checks)
    elif status.startswith("Stopped"):
        # "(no integer solution - continuous used)": the vector is the LP relaxation's.
        has_solution = is_mip and "no integer solution" not in status
    else:
        raise BackendError(
            f"cbc: CBC ended with an unknown status {status!r} on {milp.summary()}; "
            f"log tail:\n    {_tail(run.log)}"
        )
    if x0 is not None and _MIPSTART_REJECTED in run.log:
        termination += f"; {WARM_START_REJECTED}"
    if verdict:
        return call.refuted(verdict, runtime, termination)
    x = objective = None
    if has_solution:
        if run.x is None:
            raise BackendError(f"cbc: CBC reported {status!r} but saved no solution vector")
        x, objective = run.x, milp.objective_value(run.x)
    bound = _bound(milp, options, run, objective) if is_mip else None
    return call.answer(x, objective, bound, search_complete, runtime, termination)


def _zero_objective(
    milp: Milp, is_mip: bool, clock: Deadline, slack: float, runs: list[_Run], quiet: SolveOptions
) -> bool | str:
    """Run CBC again with a zero objective (the run goes to ``runs``): feasible (True),
    infeasible (False) or why not known."""
    check = dataclasses.replace(milp, c=np.zeros(milp.n_cols))
    run = _cbc(check, quiet, is_mip, None, clock, slack)
    runs.append(run)
    if run.status_line.startswith("Optimal"):
        return True
    if run.status_line.startswith(("Infeasible", "Integer infeasible")):
        return False
    return run.status_line.split(" - objective value")[0].strip()


class CbcBackend(SolverBackend):
    """CBC as a subprocess, fed an MPS file written by HiGHS."""

    name = NAME
    interface = "CBC executable: MPS file written by HiGHS, binary solution file read back"
    capabilities = Capabilities(warm_start=True, bound=True, threads=True, seed=True)

    def version(self) -> str | None:
        """CBC's version and source, e.g. ``"CBC 2.10.3 from pulp 3.3.2 (bundled)"``."""
        version = exe.cbc_version()
        return None if version is None else f"CBC {version} from {exe.cbc_source()}"

    def probe(self) -> str:
        """``""`` when a CBC executable was found, else why not and the fix."""
        return "" if available() else exe.cbc_source()

    run = staticmethod(solve)


#: The ``"cbc"`` backend.
BACKEND = CbcBackend()
