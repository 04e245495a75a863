"""Run cases × backends × repeats and measure them: :func:`run`.

Peak memory
-----------
Every case runs in the calling process (a subprocess per case would add about
a second of start-up to every row). While a case is read, built and solved, a
background thread samples every 20 ms the resident set size (RSS, from
``/proc``) of this process and of its child processes (the CBC executable of
the ``pulp`` backend runs as a child). ``getrusage`` high-water marks
(``RUSAGE_SELF`` and ``RUSAGE_CHILDREN``) catch peaks between samples when they
exceed every earlier peak of the process. So:

``peak_mem_mb``
    the highest resident memory, in MiB, of this process plus its solver child
    process during the case — what the machine had to hold, including the
    Python interpreter, the loaded libraries and data from earlier cases that is
    still alive;
``mem_delta_mb``
    ``peak_mem_mb`` minus the process's RSS when the case started: what the
    case added (a lower bound when memory freed just before was reused).

Off Linux (no ``/proc``) only the ``getrusage`` marks are used and the child's
memory is not included.
"""

from __future__ import annotations

import glob
import logging
import math
import os
import resource
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from erlocate.bench.suites import Case, CaseRef, as_case, suite
from erlocate.errors import BackendError, InputError, IntegerOnlyError, SizeLimitError
from erlocate.models import PMedian

log = logging.getLogger("erlocate.bench")

__all__ = ["COLUMNS", "MemorySampler", "run"]

#: Columns of the DataFrame :func:`run` returns, in order.
COLUMNS: list[str] = [
    "suite",
    "instance",
    "model",
    "backend",
    "repeat",
    "n",
    "m",
    "status",
    "objective",
    "bound",
    "gap",
    "optimum",
    "proven_optimum",
    "matches",
    "read_s",
    "build_s",
    "solve_s",
    "total_s",
    "peak_mem_mb",
    "mem_delta_mb",
    "termination",
    "error",
]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_MB = 1024.0 * 1024.0
# ru_maxrss is in kilobytes on Linux, bytes on macOS
_RU_UNIT = 1.0 if sys.platform == "darwin" else 1024.0


def _rss(pid: int | str = "self") -> float:
    """Resident bytes of a process from /proc (0 when unreadable)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0.0


def _children_rss() -> float:
    total = 0.0
    for path in glob.glob("/proc/self/task/*/children"):
        try:
            with open(path) as fh:
                pids = fh.read().split()
        except OSError:
            continue
        total += sum(_rss(pid) for pid in pids)
    return total


def _ru(who: int) -> float:
    return resource.getrusage(who).ru_maxrss * _RU_UNIT


class MemorySampler:
    """Context manager measuring peak resident memory; see the module docstring.

    Attributes (after exit): ``peak_mb``, ``delta_mb``.
    """

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak_mb = math.nan
        self.delta_mb = math.nan

    def __enter__(self) -> MemorySampler:
        self._start = _rss()
        self._ru_self = _ru(resource.RUSAGE_SELF)
        self._ru_child = _ru(resource.RUSAGE_CHILDREN)
        self._peak_self = self._start
        self._peak_total = self._start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        own = _rss()
        self._peak_self = max(self._peak_self, own)
        self._peak_total = max(self._peak_total, own + _children_rss())

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        peak = self._peak_total
        ru_self = _ru(resource.RUSAGE_SELF)
        if ru_self > self._ru_self:  # a new high-water mark was set during the case
            peak = max(peak, ru_self + (self._peak_total - self._peak_self))
        ru_child = _ru(resource.RUSAGE_CHILDREN)
        if ru_child > self._ru_child:  # a child finished above every earlier child
            peak = max(peak, self._peak_self + ru_child)
        if self._start > 0 or peak > 0:
            self.peak_mb = peak / _MB
            self.delta_mb = max(0.0, peak - self._start) / _MB if self._start > 0 else math.nan


# ---------------------------------------------------------------------------- progress
class _Progress:
    """tqdm when installed (and wanted), else one INFO record per run (``erlocate.bench`` log)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.bar = None
        if enabled:
            try:
                from tqdm.auto import tqdm

                self.bar = tqdm(total=total, unit="run", file=sys.stderr)
            except ImportError:
                self.bar = None

    def update(self, row: dict[str, Any]) -> None:
        self.done += 1
        if not self.enabled:
            return
        label = f"{row['instance']} {row['model']} {row['backend']}"
        if self.bar is not None:
            self.bar.set_postfix_str(f"{label}: {row['status']}", refresh=False)
            self.bar.update(1)
        else:
            log.info(
                "[%d/%d] %s #%s: %s in %.2f s",
                self.done,
                self.total,
                label,
                row["repeat"],
                row["status"],
                row["total_s"],
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ---------------------------------------------------------------------------- running
def _with_formulation(case: Case, formulation: str | None) -> Case:
    """``case`` with its uncapacitated p-median solved by ``formulation``."""
    model = case.model
    if formulation is None or not isinstance(model, PMedian) or model.capacitated:
        return case
    new = PMedian(model.p, max_cost=model.max_cost, formulation=formulation)
    _ = new.exact_objective  # validates the name
    return replace(case, model=new)


def _model_name(model: Any) -> str:
    name = type(model).__name__
    if getattr(model, "single_source", False):
        return f"{name}(single source)"
    if getattr(model, "capacitated", False):
        return f"{name}(capacitated)"
    formulation = getattr(model, "formulation", "auto")
    return name if formulation == "auto" else f"{name}({formulation})"


def _one(
    case: Case, backend: str, repeat: int, time_limit: float | None, threads: int | None
) -> dict[str, Any]:
    from erlocate.solve import solve

    row: dict[str, Any] = {
        "suite": case.suite,
        "instance": case.name,
        "model": _model_name(case.model),
        "backend": backend,
        "repeat": repeat,
        "n": case.instance.n_demand,
        "m": case.instance.n_sites,
        "optimum": case.optimum,
        "proven_optimum": case.proven if case.optimum is not None else None,
    }
    with MemorySampler() as mem:
        start = time.perf_counter()
        try:
            result = solve(
                case.model,
                case.instance,
                backend,
                time_limit=time_limit,
                threads=threads,
                raise_on_failure=False,
            )
        except (SizeLimitError, IntegerOnlyError) as exc:  # not this solver's kind: no error
            status = "over_limit" if isinstance(exc, SizeLimitError) else "not_integral"
            row.update(status=status, error=_err(exc), build_s=math.nan, solve_s=math.nan)
            row["total_s"] = time.perf_counter() - start
        except Exception as exc:  # one failing case must not stop the run
            row.update(status="error", error=_err(exc), build_s=math.nan, solve_s=math.nan)
            row["total_s"] = time.perf_counter() - start
        else:
            row.update(
                status=result.status,
                objective=result.objective,
                bound=result.bound,
                gap=result.gap,
                build_s=result.build_time,
                solve_s=result.runtime,
                termination=result.termination,
                matches=case.matches(result.objective),
            )
            row["total_s"] = result.build_time + result.runtime
    row["peak_mem_mb"], row["mem_delta_mb"] = mem.peak_mb, mem.delta_mb
    return row


def _err(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]


def _backends(backends: Sequence[str] | str | None) -> list[str]:
    """The backend names to run: every available one for None or ``"all"``, else those given
    (aliases and ``"pulp:<SOLVER>"`` included), each checked to run here."""
    import erlocate
    from erlocate.backends import get

    installed = erlocate.backends()
    if backends is None:
        return list(installed)
    if isinstance(backends, str):
        backends = [b.strip() for b in backends.split(",") if b.strip()]
    if list(backends) == ["all"]:
        return list(installed)
    bad = {}
    for name in backends:
        try:
            get(name)
        except BackendError as exc:
            bad[name] = str(exc)
    if bad:
        raise InputError(
            f"backends: {sorted(bad)} cannot run here ({'; '.join(bad.values())}); "
            f"available: {installed}, or 'all'",
            field="backends",
        )
    return list(backends)


def run(
    cases: Iterable[Any] | str,
    backends: Sequence[str] | str | None = None,
    *,
    repeats: int = 1,
    time_limit: float | None = None,
    threads: int | None = None,
    progress: bool = True,
    formulation: str | None = None,
) -> pd.DataFrame:
    """Solve every case with every backend ``repeats`` times and tabulate the runs.

    Parameters
    ----------
    cases : iterable or str
        A suite name (``"orlib-pmed"``, ``"random"``, …; see
        :func:`erlocate.bench.suite`), or cases: :class:`~erlocate.bench.Case`,
        :class:`~erlocate.bench.CaseRef` (read when reached), OR-Library-like
        objects with ``name, model, instance, optimum``, or tuples
        ``(name, model, instance[, optimum])``.
    backends : list of str or str, optional
        Backends to run (a string is split on commas); default every installed one.
    repeats : int
        Runs per case and backend (``repeat`` = 0, 1, …).
    time_limit : float, optional
        Solver seconds per run. A run stopped by it reports ``"feasible"`` (with
        its bound and gap) or ``"no_solution"``, never ``"optimal"``.
    threads : int, optional
        Solver threads (solver default when None).
    progress : bool
        Show a progress bar (tqdm if installed, else one line per run on stderr).
    formulation : str, optional
        Solve the uncapacitated p-median cases with this ``PMedian(formulation=...)``
        (``"auto"``, ``"dense"``, ``"radius"``, ``"benders"``) instead of their own.

    Returns
    -------
    pandas.DataFrame
        One row per run, columns :data:`COLUMNS`: ``status`` as
        :class:`erlocate.Result` reports it (``"error"`` when reading or solving
        raised; the message is in ``error``), ``matches`` whether the objective
        equals the published optimum (NA without one), times in seconds
        (``read_s`` is per case, repeated on each of its rows), memory in MiB
        (module docstring).

    Raises
    ------
    InputError
        Unknown suite or backend, or ``repeats < 1``.
    """
    if isinstance(cases, str):
        cases = suite(cases)
    cases = list(cases)
    chosen = _backends(backends)
    if int(repeats) < 1:
        raise InputError(f"repeats: must be >= 1, got {repeats!r}", field="repeats")
    repeats = int(repeats)
    bar = _Progress(len(cases) * len(chosen) * repeats, progress)
    rows: list[dict[str, Any]] = []
    try:
        for item in cases:
            start = time.perf_counter()
            try:
                case = item.load() if isinstance(item, Case | CaseRef) else as_case(item)
            except Exception as exc:
                read_s = time.perf_counter() - start
                for backend in chosen:
                    for r in range(repeats):
                        row = {
                            "suite": getattr(item, "suite", ""),
                            "instance": str(getattr(item, "name", item)),
                            "model": "",
                            "backend": backend,
                            "repeat": r,
                            "status": "error",
                            "error": _err(exc),
                            "read_s": read_s,
                            "total_s": 0.0,
                        }
                        rows.append(row)
                        bar.update(row)
                continue
            read_s = time.perf_counter() - start
            case = _with_formulation(case, formulation)
            for backend in chosen:
                for r in range(repeats):
                    row = _one(case, backend, r, time_limit, threads)
                    row["read_s"] = read_s
                    rows.append(row)
                    bar.update(row)
    finally:
        bar.close()
    df = pd.DataFrame(rows, columns=COLUMNS)
    for col in ("termination", "error", "suite", "model"):
        df[col] = df[col].astype(object).fillna("")
    df["matches"] = df["matches"].astype("boolean")
    df["proven_optimum"] = df["proven_optimum"].astype("boolean")
    df["n"] = df["n"].astype("Int64")
    df["m"] = df["m"].astype("Int64")
    df.attrs.update(time_limit=time_limit, threads=threads, repeats=repeats, backends=chosen)
    return df
