"""CBC backend (the ``cbc`` binary bundled with PuLP), registered as ``"pulp"``.

PuLP's modelling layer would cost one Python object per variable and per
matrix entry, so it is bypassed: only the CBC executable PuLP ships is used.
The canonical :class:`~erlocate.milp.Milp` goes to CBC as an MPS file written
by HiGHS' C++ writer (:func:`erlocate.backends.highs.to_highs` then
``writeModel``), so translation has no Python loop at all.

Two MPS details are handled here, not left to CBC:

* CBC ignores the ``OBJSENSE MAX`` section HiGHS writes ("MAX found after
  OBJSENSE - Coin ignores"), so a maximisation is written as the minimisation
  of ``-c`` and flipped back.
* The objective constant is not written at all (HiGHS would store it as the
  RHS of the objective row); :attr:`Milp.offset` is added back here.

CBC runs as a subprocess with ``-import model.mps [options] -solve`` and
writes two files: ``-solution`` (text; only its status line is read) and
``-saveSolution`` (binary doubles, read with numpy: full precision, no name
parsing). The best bound of a stopped search is parsed from CBC's log: the
``Lower bound:`` line of the final summary (3 decimals) and the
``Partial search ... (best possible X)`` line (8 significant digits),
whichever is more precise; after a closed search CBC prints no bound and the
objective is the bound. A warm start CBC cannot use is reported in
``termination`` (CBC only logs a warning and carries on).
Statuses are not decided here: the raw facts go to
:func:`erlocate.backends.base.classify`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from erlocate.backends.base import SolveOptions, SolverOutput, classify, solve_empty
from erlocate.backends.highs import to_highs
from erlocate.backends.protocol import Capabilities, SolverBackend
from erlocate.deadline import Deadline
from erlocate.errors import BackendError, InputError
from erlocate.milp import Milp

__all__ = [
    "BACKEND",
    "NAME",
    "SUPPORTS_WARM_START",
    "WARM_START_REJECTED",
    "available",
    "cbc_path",
    "solve",
    "write_mps",
]

NAME = "cbc"

#: ``SolveOptions.warm_start`` is written as a CBC MIP start (``-mips``; MIPs only).
SUPPORTS_WARM_START = True

#: CBC's random-seed range (0 means "seed from the clock", so it is avoided).
_MAX_SEED = 2_147_483_647

#: CBC checks its time limit only between nodes and LP passes; its root LP or
#: preprocessing can run far past it (31 s past 1 s on pmed40's radius model).
#: Past the deadline it is interrupted (SIGINT: CBC stops and writes what it
#: has) after this share of the stopping tolerance max(1 s, 10 % of the
#: limit), and killed (SIGKILL: nothing is written) after KILL_SHARE.
INTERRUPT_SHARE = 0.3
KILL_SHARE = 0.6

#: Limits beyond this many seconds get no watchdog (timers overflow near 1e9 s).
_NO_WATCHDOG = 1e7

#: Appended to ``termination`` when CBC could not build a solution from the warm start.
WARM_START_REJECTED = "CBC rejected the warm start"

_MIPSTART_REJECTED = "mipstart values could not be used"

_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_LOWER_BOUND = re.compile(r"^Lower bound:\s+" + _NUMBER, re.MULTILINE)
_BEST_POSSIBLE = re.compile(r"Partial search - .*\(best possible " + _NUMBER)


@functools.cache
def cbc_path() -> str | None:
    """Path of the CBC executable bundled with PuLP, or None if there is none.

    Read from the class attribute, so PuLP's deprecation warning for
    constructing ``PULP_CBC_CMD`` is not triggered.
    """
    try:
        from pulp.apis.coin_api import PULP_CBC_CMD
    except ImportError:  # pragma: no cover - pulp is a dependency
        return None
    path = getattr(PULP_CBC_CMD, "pulp_cbc_path", None)
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        return None
    return os.path.realpath(path)


def available() -> bool:
    """True if PuLP is installed and ships a runnable CBC binary for this platform."""
    return cbc_path() is not None


def write_mps(milp: Milp, path: str | Path) -> Path:
    """Write ``milp`` as the minimisation CBC is given, without names or offset.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    path : str or Path
        Target file.

    Returns
    -------
    Path
        ``path``. Columns are ``c0 ...``, rows ``r0 ...`` (HiGHS defaults);
        a maximisation is written with the objective negated and the
        constant term is dropped.
    """
    c = -milp.c if milp.sense == "max" else milp.c
    h = to_highs(dataclasses.replace(milp, c=c, sense="min", offset=0.0), names=False)
    path = Path(path)
    h.writeModel(str(path))
    return path


def _write_mipstart(milp: Milp, x0: np.ndarray, path: Path) -> None:
    # CBC fixes the integer columns it is given and computes the continuous
    # ones itself; all integer columns are listed, continuous ones if non-zero.
    keep = np.flatnonzero(milp.integrality | (x0 != 0))
    frame = pd.DataFrame(
        {"index": keep, "name": "c" + pd.Series(keep).astype(str), "value": x0[keep]}
    )
    with open(path, "w") as f:
        f.write("Stopped on time - objective value 0\n")
        frame.to_csv(f, sep=" ", header=False, index=False)


def _arguments(
    mps: Path, sol: Path, binary: Path, options: SolveOptions, is_mip: bool, start: Path | None
) -> list[str]:
    args = [str(cbc_path()), "-import", str(mps)]
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
    args += ["-solution", str(sol), "-saveSolution", str(binary)]
    return args


def tolerance(time_limit: float) -> float:
    """How far past ``time_limit`` a solve may stop: max(1 s, 10 % of the limit)."""
    return max(1.0, 0.1 * float(time_limit))


def _watch(proc: subprocess.Popen, clock: Deadline, slack: float) -> tuple[threading.Event, ...]:
    """Interrupt, then kill ``proc`` when it runs past ``clock`` (see INTERRUPT_SHARE)."""
    done, killed = threading.Event(), threading.Event()
    left = clock.remaining()
    if left is None or left > _NO_WATCHDOG:
        return done, killed

    def watch() -> None:
        if done.wait(clock.remaining() + INTERRUPT_SHARE * slack):
            return
        proc.send_signal(signal.SIGINT)
        if done.wait((KILL_SHARE - INTERRUPT_SHARE) * slack):
            return
        killed.set()
        proc.kill()

    threading.Thread(target=watch, daemon=True).start()
    return done, killed


def _run(
    args: list[str], options: SolveOptions, cwd: str, clock: Deadline, slack: float
) -> tuple[str, int, bool]:
    """Run CBC; return its log, exit code and whether it had to be killed."""
    stdbuf = shutil.which("stdbuf") if options.verbose else None
    if stdbuf:
        # Through a pipe CBC's stdio is block-buffered; line-buffer it so the log streams.
        args = [stdbuf, "-oL", *args]
    try:
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise BackendError(f"pulp: cannot run CBC at {cbc_path()}: {exc}") from exc
    done, killed = _watch(proc, clock, slack)
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if options.verbose:
                sys.stdout.write(line)
                sys.stdout.flush()
        rc = proc.wait()
    finally:
        done.set()
        if proc.poll() is None:  # pragma: no cover - interrupted while reading
            proc.kill()
            proc.wait()
        proc.stdout.close()  # the pipe is ours to close: Popen only closes it in __exit__
    return "".join(lines), rc, killed.is_set()


def _tail(log: str, n: int = 15) -> str:
    return "\n    ".join(log.rstrip().splitlines()[-n:])


def _read_binary(binary: Path, n_cols: int, log: str) -> np.ndarray:
    """Column activities from a ``-saveSolution`` file (int32 rows, cols; f64 objective; arrays)."""
    raw = binary.read_bytes()
    if len(raw) < 16:
        raise BackendError(
            f"pulp: CBC wrote a truncated solution file; log tail:\n    {_tail(log)}"
        )
    n_rows, n_file_cols = (int(v) for v in np.frombuffer(raw, dtype=np.int32, count=2))
    if n_file_cols != n_cols or len(raw) != 16 + 8 * (2 * n_rows + 2 * n_cols):
        raise BackendError(
            f"pulp: CBC's solution file holds {n_file_cols} columns, the model {n_cols}"
        )
    values = np.frombuffer(raw, dtype=np.float64, offset=16)
    return values[2 * n_rows : 2 * n_rows + n_cols].copy()


def _parse_bound(log: str) -> float | None:
    """The final best bound from CBC's log (in the minimisation CBC solved).

    Only the final summary counts: its ``Lower bound:`` line and the
    ``Partial search ... (best possible X)`` line of a stopped search, which
    is more precise. The ``best possible`` of progress lines (Cbc0010I) is
    the bound at that moment, not at the end. CBC prints no bound after a
    search it closed; the caller then uses the objective.
    """
    at = log.rfind("Result - ")
    if at < 0:
        return None
    lower = _LOWER_BOUND.findall(log[at:])
    if not lower:
        return None
    bound = float(lower[-1])  # printed with 3 decimals
    possible = _BEST_POSSIBLE.findall(log)
    if possible:
        value = float(possible[-1])  # printed with 8 significant digits
        error = 5e-4 + 5e-8 * abs(value)
        if abs(value) < 1e49 and abs(value - bound) <= error:
            # Both are the same bound, rounded: keep the more precise figure.
            return value if 5e-8 * abs(value) < 5e-4 else bound
        if abs(value) < 1e49:
            # They disagree beyond rounding (e.g. a restart's sub-search): keep the weaker.
            return min(value, bound)
    return bound


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
) -> _Run:
    """Write the files, run CBC with the time left on ``clock``, read its answer."""
    with tempfile.TemporaryDirectory(prefix="erlocate-cbc-") as tmp:
        folder = Path(tmp)
        mps, sol, binary = folder / "model.mps", folder / "model.sol", folder / "model.bin"
        write_mps(milp, mps)
        start = None
        if x0 is not None:
            start = folder / "start.mst"
            _write_mipstart(milp, x0, start)
        args = _arguments(mps, sol, binary, clock.options(options), is_mip, start)
        began = time.perf_counter()
        log, rc, killed = _run(args, options, tmp, clock, slack)
        seconds = time.perf_counter() - began
        if killed:
            return _Run("killed", log, None, seconds, killed=True)
        if rc != 0 and not (sol.exists() and clock.expired()):  # SIGINT may leave rc != 0
            raise BackendError(
                f"pulp: CBC exited with code {rc} on {milp.summary()}; log tail:\n    {_tail(log)}"
            )
        if not sol.exists():
            raise BackendError(
                f"pulp: CBC wrote no solution for {milp.summary()}; log tail:\n    {_tail(log)}"
            )
        with open(sol) as f:
            status_line = f.readline().strip()
        x = _read_binary(binary, milp.n_cols, log) if binary.exists() else None
    return _Run(status_line, log, x, seconds)


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with PuLP's CBC binary and classify the answer.

    Parameters
    ----------
    milp : Milp
        The canonical model.
    options : SolveOptions
        ``time_limit`` → ``-timeMode elapsed -seconds`` (wall clock, counted
        from the call: CBC gets what is left after writing the model; a CBC
        still running past the limit is interrupted, then killed, see
        :data:`INTERRUPT_SHARE`),
        ``gap`` → ``-ratioGap``, ``threads`` → ``-threads``, ``seed`` →
        ``-randomSeed`` and ``-randomCbcSeed``, ``verbose`` streams CBC's log
        to stdout; a ``warm_start`` vector becomes a ``-mipstart`` file (MIPs
        only).

    Returns
    -------
    SolverOutput

    Raises
    ------
    BackendError
        The CBC binary is missing, crashed, or wrote no usable solution file.
    InputError
        ``warm_start`` has the wrong length.
    """
    if not available():
        raise BackendError("pulp: PuLP's bundled CBC binary was not found; reinstall pulp")
    clock = Deadline.after(options.time_limit)
    slack = 0.0 if options.time_limit is None else tolerance(options.time_limit)
    is_mip = bool(milp.integrality.any())
    x0 = None
    if options.warm_start is not None:
        x0 = np.asarray(options.warm_start, dtype=np.float64).ravel()
        if x0.shape != (milp.n_cols,):
            raise InputError(
                f"warm_start: expected {milp.n_cols} values, got {x0.size}", field="warm_start"
            )
        if not is_mip:
            x0 = None  # CBC has no LP warm start from a primal vector
    common = dict(backend=NAME, sense=milp.sense, is_mip=is_mip)
    if milp.n_cols == 0:
        return solve_empty(milp, backend=NAME, is_mip=is_mip)

    run = _cbc(milp, options, is_mip, x0, clock, slack)
    runtime = run.seconds
    status = run.status_line
    termination = _termination(status)
    verdict: dict = {}
    search_complete = False
    has_solution = False
    if run.killed:
        termination = (
            "time limit: CBC was killed at the deadline, still in its root LP or "
            "preprocessing (it saves no solution until it stops)"
        )
    elif status.startswith("Optimal"):
        search_complete = has_solution = True
    elif status.startswith(("Infeasible", "Integer infeasible")):
        verdict = {"infeasible": True}
    elif status.startswith("Unbounded"):
        verdict, termination, seconds = _disambiguate(milp, options, is_mip, clock, slack)
        runtime += seconds
    elif status.startswith("Stopped"):
        # "(no integer solution - continuous used)": the vector is the LP relaxation's.
        has_solution = is_mip and "no integer solution" not in status
    else:
        raise BackendError(
            f"pulp: CBC ended with an unknown status {status!r} on {milp.summary()}; "
            f"log tail:\n    {_tail(run.log)}"
        )
    if x0 is not None and _MIPSTART_REJECTED in run.log:
        termination += f"; {WARM_START_REJECTED}"
    common.update(runtime=runtime, termination=termination)
    if verdict:
        return classify(
            x=None, objective=None, bound=None, search_complete=False, **verdict, **common
        )

    x = objective = None
    if has_solution:
        if run.x is None:
            raise BackendError(f"pulp: CBC reported {status!r} but saved no solution vector")
        x = run.x
        objective = milp.objective_value(x)
    bound = None
    if is_mip:
        bound_min = _parse_bound(run.log)
        if bound_min is None and search_complete:
            bound = objective  # closed search, no gap left to report
        elif bound_min is not None:
            bound = (-bound_min if milp.sense == "max" else bound_min) + float(milp.offset)
    return classify(
        x=x, objective=objective, bound=bound, search_complete=search_complete, **common
    )


def _termination(status_line: str) -> str:
    return status_line.split(" - objective value")[0].strip() or "no status"


def _disambiguate(
    milp: Milp, options: SolveOptions, is_mip: bool, clock: Deadline, slack: float
) -> tuple[dict, str, float]:
    """Tell "unbounded" from "infeasible" after CBC's "Unbounded".

    CBC says "Unbounded" when the LP relaxation is unbounded, which a MIP
    without any integer point can be too. With a zero objective the model
    cannot be unbounded, so a second run decides feasibility. Returns the
    verdict, the termination text and the seconds the check took.
    """
    if clock.expired():
        return (
            {"infeasible": True},
            "unbounded or infeasible (no time left to tell which)",
            0.0,
        )
    check = dataclasses.replace(milp, c=np.zeros(milp.n_cols))
    quiet = dataclasses.replace(options, warm_start=None, verbose=False)
    run = _cbc(check, quiet, is_mip, None, clock, slack)
    if run.status_line.startswith("Optimal"):
        return {"unbounded": True}, "unbounded", run.seconds
    if run.status_line.startswith(("Infeasible", "Integer infeasible")):
        return {"infeasible": True}, "infeasible (CBC first said unbounded)", run.seconds
    return (
        {"infeasible": True},
        "unbounded or infeasible (CBC could not tell which: "
        f"{_termination(run.status_line)} on the feasibility check)",
        run.seconds,
    )


class CbcBackend(SolverBackend):
    """CBC as a subprocess, fed an MPS file written by HiGHS."""

    name = NAME
    interface = "CBC executable: MPS file written by HiGHS, binary solution file read back"
    capabilities = Capabilities(warm_start=True, bound=True, threads=True, seed=True)

    def version(self) -> str | None:
        """The version of the package that ships the CBC binary."""
        import importlib.metadata

        try:
            return f"pulp {importlib.metadata.version('pulp')}"
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            return None

    def probe(self) -> str:
        """A runnable CBC executable must be found."""
        return "" if available() else "no CBC executable found"

    def run(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """See :func:`solve`."""
        return solve(milp, options)


#: The ``"cbc"`` backend.
BACKEND = CbcBackend()
