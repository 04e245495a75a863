"""Solver backends: thin translators of the canonical MILP.

``erlocate.backends.available()`` lists the backends importable here;
:func:`get` returns one by name. Each backend module defines ``NAME``,
``available()`` and ``solve(milp, options) -> SolverOutput``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.errors import BackendError

__all__ = ["BACKENDS", "SolveOptions", "SolverOutput", "available", "get"]

#: Known backends, in order of preference (the first available is the default).
BACKENDS: dict[str, str] = {
    "highs": "erlocate.backends.highs",
    "pulp": "erlocate.backends.cbc",
    "ortools": "erlocate.backends.ortools",
}


def get(name: str) -> ModuleType:
    """The backend module called ``name``; raises BackendError if unknown or not installed."""
    key = name.lower()
    if key not in BACKENDS:
        raise BackendError(f"backend: unknown backend {name!r}; choose one of {list(BACKENDS)}")
    try:
        module = importlib.import_module(BACKENDS[key])
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise BackendError(f"backend {name!r} cannot be imported: {exc}") from exc
    if not module.available():
        raise BackendError(
            f"backend {name!r} is not installed here; pip install erlocate[{key}] "
            f"or pick one of {available()}"
        )
    return module


def available() -> list[str]:
    """Names of the backends that can run on this machine."""
    names = []
    for name, path in BACKENDS.items():
        try:
            if importlib.import_module(path).available():
                names.append(name)
        except ImportError:
            continue
    return names
