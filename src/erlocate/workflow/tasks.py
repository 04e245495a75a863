"""What a sweep runs on a worker: build one scenario, solve it, return one row of figures.

Everything here is importable by name on any worker (a local process, a Dask
worker on another machine), so a task pickles as a reference to
:func:`run_batch` plus its small arguments.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from erlocate.errors import InfeasibleError, InputError, NoSolutionError
from erlocate.instance import Instance
from erlocate.models.base import Model
from erlocate.result import Result
from erlocate.solve import solve

__all__ = [
    "KEY",
    "RESULT_COLUMNS",
    "Task",
    "failed_record",
    "is_plain",
    "run_batch",
    "run_row",
]

log = logging.getLogger(__name__)

#: The column holding each scenario's key (a hash of its values, or ``str`` of the ``key=`` column).
KEY = "scenario_key"

#: The figures of one row and their dtypes, in the order of the sweep's table.
RESULT_COLUMNS: dict[str, str] = {
    "status": "object",
    "objective": "float64",
    "bound": "float64",
    "gap": "float64",
    "n_open": "Int64",
    "open_sites": "object",
    "backend": "object",
    "build_s": "float64",
    "solve_s": "float64",
    "solver_s": "float64",
    "total_s": "float64",
    "failed_step": "object",
    "error_type": "object",
    "error": "object",
    "worker": "object",
    "finished_at": "object",
}


@dataclass(frozen=True)
class Task:
    """What every row of a sweep shares except its data: the builder and the solve options.

    Attributes
    ----------
    build : callable
        ``build(**row, **shared) -> (model, instance)``.
    options : dict
        Keyword arguments of :func:`erlocate.solve` (backend, time_limit ...).
    extract : callable, optional
        ``extract(result) -> dict`` of extra scalar columns for the row.
    """

    build: Callable[..., Any]
    options: dict[str, Any] = field(default_factory=dict)
    extract: Callable[[Result], Mapping[str, Any]] | None = None


def is_plain(value: Any) -> bool:
    """True for what a Parquet or CSV cell holds as it is: None, bool, int, float, str."""
    return value is None or isinstance(value, (bool, int, float, str, np.bool_, np.number))


def _stamp() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _status_of(exc: BaseException) -> str:
    if isinstance(exc, InfeasibleError):
        return "infeasible"
    if isinstance(exc, NoSolutionError):
        return "no_solution"
    return "error"


def failed_record(key: str, step: str, exc: BaseException, seconds: float = 0.0) -> dict[str, Any]:
    """The row of a scenario that failed at ``step`` (build, solve, extract, worker)."""
    return {
        KEY: key,
        "status": _status_of(exc),
        "total_s": seconds,
        "failed_step": step,
        "error_type": type(exc).__name__,
        "error": str(exc),
        "worker": _worker(),
        "finished_at": _stamp(),
    }


def _built(out: Any) -> tuple[Model, Instance]:
    """``build``'s return value as (model, instance), else InputError."""
    if (
        not isinstance(out, tuple)
        or len(out) != 2
        or not isinstance(out[0], Model)
        or not isinstance(out[1], Instance)
    ):
        got = (
            f"a tuple of {', '.join(type(x).__name__ for x in out)}"
            if isinstance(out, tuple)
            else type(out).__name__
        )
        raise InputError(
            f"build: must return (model, instance), e.g. (MCLP(p=3, max_cost=8), inst); got {got}",
            field="build",
        )
    return out[0], out[1]


def _figures(result: Result) -> dict[str, Any]:
    ids = result.open_sites.tolist() if result.plan is not None else None
    return {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "n_open": None if ids is None else len(ids),
        "open_sites": None if ids is None else json.dumps(ids),
        "backend": result.backend,
        "solver_s": result.runtime,
    }


def _extra(task: Task, result: Result) -> dict[str, Any]:
    """The ``extract`` columns: a mapping of plain scalars, none named like a sweep column."""
    if task.extract is None:
        return {}
    extra = task.extract(result)
    if not isinstance(extra, Mapping):
        raise InputError(
            f"extract: must return a dict of column -> scalar, got {type(extra).__name__}",
            field="extract",
        )
    for name, value in extra.items():
        if not isinstance(name, str) or name in RESULT_COLUMNS or name == KEY:
            raise InputError(
                f"extract: column {name!r} is not a new column name (taken or not a str)",
                field="extract",
            )
        if not is_plain(value):
            raise InputError(
                f"extract: column {name!r} holds a {type(value).__name__}; return scalars "
                "(numbers, str, bool, None), e.g. json.dumps(...) for a list",
                field="extract",
            )
    return dict(extra)


def run_row(
    task: Task, key: str, row: Mapping[str, Any], shared: Mapping[str, Any]
) -> dict[str, Any]:
    """Build, solve and describe one scenario; a failure becomes the row's error, never a raise.

    Parameters
    ----------
    task : Task
        Builder, solve options, extra columns.
    key : str
        The scenario's key.
    row : mapping
        The scenario's values, passed to ``build`` as keyword arguments.
    shared : mapping
        The sweep's shared inputs, passed to ``build`` as keyword arguments too.

    Returns
    -------
    dict
        ``scenario_key`` and the :data:`RESULT_COLUMNS` (those that apply), plus ``extract``'s.
    """
    t0 = time.perf_counter()
    step = "build"
    try:
        model, instance = _built(task.build(**row, **shared))
        t1 = time.perf_counter()
        step = "solve"
        result = solve(model, instance, **task.options)
        t2 = time.perf_counter()
        step = "extract"
        extra = _extra(task, result)
    except Exception as exc:  # a failed row never stops the sweep: it records why
        log.debug("scenario %s failed in %s", key, step, exc_info=True)
        return failed_record(key, step, exc, time.perf_counter() - t0)
    return {
        KEY: key,
        **_figures(result),
        "build_s": t1 - t0,
        "solve_s": t2 - t1,
        "total_s": time.perf_counter() - t0,
        "worker": _worker(),
        "finished_at": _stamp(),
        **extra,
    }


def run_batch(
    task: Task, batch: Sequence[tuple[str, Mapping[str, Any]]], shared: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """:func:`run_row` on each ``(key, row)`` of a batch (one task of a parallel sweep)."""
    return [run_row(task, key, row, shared) for key, row in batch]
