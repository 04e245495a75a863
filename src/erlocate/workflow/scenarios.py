"""A sweep's inputs checked: the scenario table, each scenario's key, the solve options.

Each check raises :class:`~erlocate.errors.InputError` naming the argument at fault.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.params import boolean, integer, number
from erlocate.solve import solve
from erlocate.workflow.tasks import KEY, RESULT_COLUMNS

__all__ = [
    "check_build",
    "check_jobs",
    "check_shared",
    "scenario_key",
    "scenario_keys",
    "scenario_table",
    "solve_kwargs",
]


def scenario_table(scenarios: Any) -> pd.DataFrame:
    """The scenarios as a DataFrame, one row each.

    A DataFrame is taken as it is; a list of dicts gives one row per dict (all
    with the same keys); a dict of lists is a grid: every combination of its
    values, the first key varying slowest (zip columns into a DataFrame instead
    to pair them row by row).
    """
    if isinstance(scenarios, pd.DataFrame):
        table = scenarios.reset_index(drop=True)
    elif isinstance(scenarios, Mapping):
        axes = {}
        for name, values in scenarios.items():
            if isinstance(values, (str, bytes)) or not isinstance(
                values, (Sequence, np.ndarray, pd.Series, pd.Index, range)
            ):
                raise InputError(
                    f"scenarios[{name!r}]: a dict of scenarios is a grid of lists of values, "
                    f"got {type(values).__name__}; write [{values!r}] for one value",
                    field="scenarios",
                )
            axes[name] = list(values)
        grid = [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]
        table = pd.DataFrame(grid, columns=list(axes))
    elif isinstance(scenarios, Sequence) and not isinstance(scenarios, (str, bytes)):
        first: list[Any] | None = None
        for i, row in enumerate(scenarios):
            if not isinstance(row, Mapping):
                raise InputError(
                    f"scenarios[{i}]: must be a dict of column -> value, got {type(row).__name__}",
                    field="scenarios",
                )
            if first is None:
                first = list(row)
            elif set(row) != set(first):
                raise InputError(
                    f"scenarios[{i}]: has the columns {sorted(map(str, row))}, the first row "
                    f"{sorted(map(str, first))}; give every scenario the same columns",
                    field="scenarios",
                )
        table = pd.DataFrame([dict(r) for r in scenarios], columns=first)
    else:
        raise InputError(
            "scenarios: must be a DataFrame, a list of dicts or a dict of lists (a grid), "
            f"got {type(scenarios).__name__}",
            field="scenarios",
        )
    if table.empty:
        raise InputError("scenarios: there is no scenario to run", field="scenarios")
    for name in table.columns:
        if not isinstance(name, str):
            raise InputError(
                f"scenarios: column {name!r} must be a str (it is a keyword of build)",
                field="scenarios",
            )
        if name in RESULT_COLUMNS or name == KEY:
            raise InputError(
                f"scenarios: column {name!r} is a column of the sweep's results; rename it",
                field="scenarios",
            )
    return table


def _canonical(value: Any) -> Any:
    """``value`` in a form whose JSON text is the same in every process and run."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    text = repr(value)
    if " at 0x" in text:  # the default repr: an address, different in every run
        raise InputError(
            f"scenarios: a {type(value).__name__} has no stable text to key its scenario by "
            f"({text}); pass key='<column>' naming a column of unique scenario names",
            field="scenarios",
        )
    return f"{type(value).__name__}:{text}"


def scenario_key(row: Mapping[str, Any]) -> str:
    """A scenario's key: 16 hex digits of the SHA-256 of its columns and values.

    The same scenario gives the same key in every process and run, so a resumed
    sweep recognises it; any change of a value or a column name changes it.

    >>> scenario_key({"p": 3, "standard": 8.0})
    '76f456aa8ba5313c'
    """
    canon = {str(k): _canonical(v) for k, v in row.items()}
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scenario_keys(table: pd.DataFrame, key: str | None) -> list[str]:
    """The key of each scenario: ``str`` of the ``key`` column, else a hash of the row."""
    if key is None:
        keys = [scenario_key(row) for row in table.to_dict("records")]
        what = "the same values"
    else:
        if not isinstance(key, str) or key not in table.columns:
            raise InputError(
                f"key: must name a column of the scenarios ({', '.join(map(str, table.columns))}), "
                f"got {key!r}",
                field="key",
            )
        if table[key].isna().any():
            rows = np.flatnonzero(table[key].isna().to_numpy())[:5].tolist()
            raise InputError(f"key: column {key!r} is missing in rows {rows}", field="key")
        keys = [str(v) for v in table[key]]
        what = f"the same {key!r}"
    seen: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k in seen:
            raise InputError(
                f"{'scenarios' if key is None else 'key'}: rows {seen[k]} and {i} have {what}; "
                "each scenario must be distinct",
                field="scenarios" if key is None else "key",
            )
        seen[k] = i
    return keys


#: The keywords of :func:`erlocate.solve` a sweep passes on.
SOLVE_OPTIONS = tuple(
    n for n in inspect.signature(solve).parameters if n not in ("model", "instance")
)


def solve_kwargs(
    backend: Any, solve_options: Any, kwargs: Mapping[str, Any], parallel: bool
) -> dict[str, Any]:
    """The options every row's solve gets, checked once here rather than failing every row.

    ``raise_on_failure`` is False unless given (an infeasible scenario is a row with
    that status); ``threads`` is 1 on parallel workers unless given.
    """
    if solve_options is not None and not isinstance(solve_options, Mapping):
        raise InputError(
            f"solve_options: must be a dict of erlocate.solve options, got "
            f"{type(solve_options).__name__}",
            field="solve_options",
        )
    options = dict(solve_options or {})
    both = sorted(set(options) & set(kwargs))
    if both:
        raise InputError(
            f"solve_options: {both} also given as keywords; give each option once",
            field="solve_options",
        )
    options.update(kwargs)
    if "backend" in options:
        raise InputError(
            "solve_options: pass the backend as sweep(..., backend=...)", field="solve_options"
        )
    unknown = sorted(set(options) - set(SOLVE_OPTIONS))
    if unknown:
        raise InputError(
            f"solve_options: unknown {unknown}; erlocate.solve takes {', '.join(SOLVE_OPTIONS)}",
            field=unknown[0],
        )
    if not isinstance(backend, str):
        raise InputError(f"backend: must be a backend name, got {backend!r}", field="backend")
    number(options.get("time_limit"), "time_limit", minimum=0.0, optional=True)
    number(options.get("mip_gap"), "mip_gap", minimum=0.0, maximum=1.0, optional=True)
    integer(options.get("threads"), "threads", minimum=1, optional=True)
    integer(options.get("seed"), "seed", minimum=0, maximum=2**31 - 1, optional=True)
    for flag in ("verbose", "verify", "raise_on_failure"):
        if flag in options:
            boolean(options[flag], flag)
    options.setdefault("raise_on_failure", False)
    if parallel:
        options.setdefault("threads", 1)
    return {"backend": backend, **options}


def check_shared(shared: Any, columns: Sequence[str]) -> dict[str, Any]:
    """``shared`` as a dict of keyword arguments of ``build`` not named like a scenario column."""
    if shared is None:
        return {}
    if not isinstance(shared, Mapping) or not all(isinstance(k, str) for k in shared):
        raise InputError(
            "shared: must be a dict of name -> value passed to build as keywords, e.g. "
            "shared={'network': roads}",
            field="shared",
        )
    clash = sorted(set(shared) & set(columns))
    if clash:
        raise InputError(
            f"shared: {clash} are also scenario columns; rename one of them", field="shared"
        )
    return dict(shared)


def check_build(build: Any, row: Mapping[str, Any], shared: Mapping[str, Any]) -> None:
    """``build`` is callable with a scenario's columns and the shared names as keywords."""
    if not callable(build):
        raise InputError(
            f"build: must be a function build(**scenario, **shared) -> (model, instance), "
            f"got {type(build).__name__}",
            field="build",
        )
    try:
        signature = inspect.signature(build)
    except (TypeError, ValueError):  # a builtin without a signature: its calls will tell
        return
    try:
        signature.bind(**row, **shared)
    except TypeError as exc:
        raise InputError(
            f"build: cannot be called with the scenario columns {list(row)} and the shared "
            f"inputs {list(shared)} as keywords ({exc}); add them to its parameters "
            "(or **kwargs)",
            field="build",
        ) from None


def check_jobs(n_jobs: Any, client: Any, batch_size: Any) -> tuple[int, int | None]:
    """(processes, batch size): ``n_jobs`` a count or -1 (every core); a client has no n_jobs."""
    if n_jobs == -1 and not isinstance(n_jobs, bool):
        jobs = os.cpu_count() or 1
    else:
        jobs = integer(n_jobs, "n_jobs", minimum=1, hint="a number of processes, or -1 for all")
    if client is not None:
        if jobs != 1:
            raise InputError(
                "n_jobs: give either n_jobs (local processes) or client (Dask), not both",
                field="n_jobs",
            )
        if not (hasattr(client, "submit") and hasattr(client, "scatter")):
            raise InputError(
                f"client: must be a dask.distributed.Client, got {type(client).__name__}",
                field="client",
            )
    size = integer(batch_size, "batch_size", minimum=1, optional=True)
    return jobs, size
