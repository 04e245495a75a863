"""The CBC executable behind the ``"cbc"`` backend: where it comes from, its version, running it.

The executable is looked for, in this order:

1. ``$ERLOCATE_CBC``: a path (or a command on ``PATH``), e.g. to test another build;
2. the ``cbcbox`` package, a dependency of erlocate, so the same CBC runs on
   every Python (``cbcbox.cbc_bin_path()`` picks its AVX2 build when the CPU
   has AVX2, else its generic one);
3. the binary PuLP 3 bundles (``PULP_CBC_CMD.pulp_cbc_path``). PuLP 4, which
   pip installs on Python >= 3.12, bundles none: there CBC is cbcbox's.

:func:`run` runs it as a subprocess with a watchdog: CBC checks its time limit
only between nodes and LP passes, and its root LP or preprocessing can run far
past it, so past the deadline it is interrupted, then killed. :func:`parse_bound`
reads the final bound off its log, as CBC 2.10 and cbcbox's CBC print it.
"""

from __future__ import annotations

import functools
import importlib.metadata
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import threading

from erlocate.deadline import Deadline
from erlocate.errors import BackendError

__all__ = [
    "ENV_VAR",
    "INTERRUPT_SHARE",
    "KILL_SHARE",
    "available",
    "cbc_path",
    "cbc_source",
    "cbc_version",
    "parse_bound",
    "run",
    "tolerance",
]

#: Environment variable naming a CBC executable to use instead of cbcbox's.
ENV_VAR = "ERLOCATE_CBC"

#: Past the deadline CBC is interrupted (SIGINT: it stops and writes what it
#: has) after this share of the stopping tolerance max(1 s, 10 % of the
#: limit), and killed (SIGKILL: nothing is written) after KILL_SHARE.
INTERRUPT_SHARE = 0.3
KILL_SHARE = 0.6

#: Limits beyond this many seconds get no watchdog (timers overflow near 1e9 s).
_NO_WATCHDOG = 1e7

#: CBC 2.10 prints "Version: 2.10.3"; cbcbox's CBC "CBC devel (git:146ce89) — ...".
_VERSION = (
    re.compile(r"^Version:\s*(.+?)\s*$", re.MULTILINE),
    re.compile(r"^CBC (\S+ \(git:\w+\))", re.MULTILINE),
)

#: A number as CBC prints it, and the two lines of its final summary holding the bound.
_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_LOWER_BOUND = re.compile(r"^Lower bound:\s+" + _NUMBER, re.MULTILINE)
_BEST_POSSIBLE = re.compile(r"Partial search - .*\(best possible " + _NUMBER)


def _runnable(path: str | None) -> str | None:
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return os.path.realpath(path)
    return None


def _dist(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def _locate(override: str | None) -> tuple[str | None, str]:
    """(path or None, where it comes from, or why nothing was found)."""
    if override:
        path = _runnable(shutil.which(override) or override)
        if path is None:
            return None, f"${ENV_VAR}={override} is not a runnable CBC executable"
        return path, f"${ENV_VAR}"
    try:
        import cbcbox

        path = _runnable(cbcbox.cbc_bin_path())
        if path:
            return path, f"cbcbox {_dist('cbcbox')}"
    except Exception:  # not installed, or its build selection failed (CBCBOX_BUILD=...)
        pass
    try:
        from pulp.apis.coin_api import PULP_CBC_CMD  # PuLP < 4

        # the class attribute: constructing PULP_CBC_CMD warns in PuLP 3
        path = _runnable(getattr(PULP_CBC_CMD, "pulp_cbc_path", None))
        if path:
            return path, f"pulp {_dist('pulp')} (bundled)"
    except ImportError:  # PuLP >= 4 bundles no CBC
        pass
    pulp = _dist("pulp")
    return None, (
        "no CBC executable found: the cbcbox package is not installed (pip install cbcbox)"
        + (f" and PuLP {pulp} bundles none" if pulp else "")
    )


def cbc_path() -> str | None:
    """Path of the CBC executable (see the module docstring), or None if there is none."""
    return _locate(os.environ.get(ENV_VAR) or None)[0]


def cbc_source() -> str:
    """Where the executable comes from (``"cbcbox 2.929"``), or why there is none."""
    return _locate(os.environ.get(ENV_VAR) or None)[1]


def available() -> bool:
    """True if a runnable CBC executable was found."""
    return cbc_path() is not None


@functools.cache
def _banner_version(path: str) -> str:
    try:
        banner = subprocess.run(
            [path, "-quit"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown version"
    for pattern in _VERSION:
        found = pattern.search(banner)
        if found:
            return found.group(1)
    return "unknown version"


def cbc_version() -> str | None:
    """CBC's own version (``"2.10.3"``, ``"devel (git:146ce89)"``), None without CBC."""
    path = cbc_path()
    return None if path is None else _banner_version(path)


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
        now_left = clock.remaining()  # never None: the clock is limited (left is not None)
        if now_left is None or done.wait(now_left + INTERRUPT_SHARE * slack):
            return
        proc.send_signal(signal.SIGINT)
        if done.wait((KILL_SHARE - INTERRUPT_SHARE) * slack):
            return
        killed.set()
        proc.kill()

    threading.Thread(target=watch, daemon=True).start()
    return done, killed


def run(
    args: list[str], *, verbose: bool, cwd: str, clock: Deadline, slack: float
) -> tuple[str, int, bool]:
    """Run CBC (``args[0]`` is the executable) under the watchdog.

    Parameters
    ----------
    args : list of str
        Command line.
    verbose : bool
        Stream CBC's log to stdout as it runs.
    cwd : str
        Working directory.
    clock : Deadline
        When CBC should have stopped.
    slack : float
        The stopping tolerance (:func:`tolerance`); 0 without a limit.

    Returns
    -------
    tuple of (str, int, bool)
        CBC's log, its exit code and whether it had to be killed.

    Raises
    ------
    BackendError
        The executable cannot be started.
    """
    stdbuf = shutil.which("stdbuf") if verbose else None
    if stdbuf:  # through a pipe CBC's stdout is block-buffered: line-buffer it to stream
        args = [stdbuf, "-oL", *args]
    try:
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            text=True,
            encoding="utf-8",  # cbcbox's CBC logs box-drawing characters
            errors="replace",
        )
    except OSError as exc:
        raise BackendError(f"cbc: cannot run CBC at {args[0]}: {exc}") from exc
    assert proc.stdout is not None  # stdout=PIPE
    done, killed = _watch(proc, clock, slack)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if verbose:
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


def _half_unit(text: str, digits: int, fixed3: bool = False) -> float:
    """Half a unit of the last digit of ``text``: %g with ``digits`` digits (or %.3f)."""
    value = abs(float(text))
    half = 0.0 if value == 0 else 0.5 * 10.0 ** (math.floor(math.log10(value)) - digits + 1)
    mantissa = text.lstrip("+-")
    if fixed3 and re.fullmatch(r"\d+\.\d{3}", mantissa):  # CBC 2.10 prints %.3f
        significant = len(mantissa.replace(".", "").lstrip("0"))
        half = 5e-4 if significant > digits else max(half, 5e-4)  # else: either format
    return half


def parse_bound(log: str) -> float | None:
    """A valid final lower bound from CBC's log (in the minimisation CBC solved), or None.

    Only the final summary counts: its ``Lower bound:`` line and the ``Partial
    search ... (best possible X)`` line of a stopped search (CBC 2.10). Each
    is lowered by half a unit of its last printed digit; when both print the
    same bound the tighter is kept, when they disagree (a restart's
    sub-search) the weaker. Progress lines are the bound at that moment, not
    at the end; a closed search prints none (the caller then uses the objective).
    """
    at = log.rfind("Result - ")
    lower = _LOWER_BOUND.findall(log[at:]) if at >= 0 else []
    if not lower or abs(float(lower[-1])) >= 1e49:
        return None
    printed, half = float(lower[-1]), _half_unit(lower[-1], 6, fixed3=True)
    possible = _BEST_POSSIBLE.findall(log)
    if possible and abs(float(possible[-1])) < 1e49:
        value, error = float(possible[-1]), _half_unit(possible[-1], 8)
        if abs(value - printed) <= half + error:
            return max(value - error, printed - half)
        return min(value - error, printed - half)
    return printed - half
