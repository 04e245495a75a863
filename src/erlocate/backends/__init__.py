"""Solver backends: thin translators of the canonical MILP, found by name.

``erlocate.backends.available()`` lists the backends that can run here and
:func:`get` returns one by name. Built in: ``"highs"`` (default), ``"cbc"``,
``"scip"``, ``"cpsat"``, ``"gurobi"``, ``"xpress"``, ``"cplex"``, ``"copt"``,
``"cuopt"``; ``"pulp:<SOLVER>"`` runs any solver PuLP can call; ``"pulp"`` and
``"ortools"`` are aliases of ``"cbc"`` and ``"scip"``. Other packages add
backends through the entry-point group ``erlocate.backends`` (see
:mod:`erlocate.backends.protocol`).
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
from typing import Any

import pandas as pd

from erlocate.backends.base import SolveOptions, SolverOutput, honest_bound
from erlocate.backends.protocol import (
    Backend,
    Capabilities,
    SizeLimit,
    SolverBackend,
    check_size,
)
from erlocate.errors import BackendError
from erlocate.milp import Milp

__all__ = [
    "ALIASES",
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "Backend",
    "Capabilities",
    "Guarded",
    "SizeLimit",
    "SolveOptions",
    "SolverBackend",
    "SolverOutput",
    "available",
    "describe",
    "get",
    "names",
]

#: Built-in backends, in order of preference: name -> module defining ``BACKEND``.
BUILTIN: dict[str, str] = {
    "highs": "erlocate.backends.highs",
    "cbc": "erlocate.backends.cbc",
    "scip": "erlocate.backends.scip",
    "cpsat": "erlocate.backends.cpsat",
    "gurobi": "erlocate.backends.gurobi",
    "xpress": "erlocate.backends.xpress",
    "cplex": "erlocate.backends.cplex",
    "copt": "erlocate.backends.copt",
    "cuopt": "erlocate.backends.cuopt",
}

#: Older names, kept working.
ALIASES: dict[str, str] = {"pulp": "cbc", "ortools": "scip"}

#: Entry-point group through which other packages register backends.
ENTRY_POINT_GROUP = "erlocate.backends"

#: Prefix of the backends that run a solver through PuLP's own model.
PULP_PREFIX = "pulp:"


@functools.cache
def _builtin(name: str) -> Backend | None:
    try:
        module = importlib.import_module(BUILTIN[name])
    except ImportError:  # a module whose own imports fail: reported by describe()
        return None
    return module.BACKEND


def _plugins() -> dict[str, importlib.metadata.EntryPoint]:
    """Entry points of the group, by name (read each time: a test may register one)."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


@functools.cache
def _load_plugin(ep: importlib.metadata.EntryPoint) -> Backend:
    try:
        obj: Any = ep.load()
    except Exception as exc:
        raise BackendError(
            f"backend {ep.name!r}: the plugin {ep.value!r} failed to load: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if isinstance(obj, type):
        obj = obj()
    missing = [
        a
        for a in ("name", "interface", "capabilities", "version", "diagnose", "available", "solve")
        if not hasattr(obj, a)
    ]
    if missing:
        raise BackendError(
            f"backend {ep.name!r}: the plugin {ep.value!r} is not an erlocate Backend "
            f"(missing {missing}; see erlocate.backends.protocol.Backend)"
        )
    return obj


def names() -> list[str]:
    """Every backend name known here: built-in ones first, then plugins (usable or not)."""
    return [*BUILTIN, *(n for n in _plugins() if n not in BUILTIN)]


def _find(name: str) -> Backend:
    key = ALIASES.get(name.lower(), name.lower())
    if key.startswith(PULP_PREFIX):
        from erlocate.backends.pulp import pulp_backend

        return pulp_backend(name[len(PULP_PREFIX) :])
    if key in BUILTIN:
        backend = _builtin(key)
        if backend is None:
            raise BackendError(f"backend {name!r}: its module {BUILTIN[key]} cannot be imported")
        return backend
    plugins = _plugins()
    if name in plugins:
        return _load_plugin(plugins[name])
    raise BackendError(
        f"backend: unknown backend {name!r}; choose one of {names()}, an alias "
        f"{sorted(ALIASES)}, or 'pulp:<SOLVER>' for a solver PuLP can call"
    )


def get(name: str) -> Backend:
    """The backend called ``name``, ready to run.

    Raises
    ------
    BackendError
        Unknown name, or the solver cannot run here (the message says why:
        not installed, no licence, no GPU ...), listing those that can.
    """
    if not isinstance(name, str):
        raise BackendError(f"backend: a backend name such as 'highs', got {name!r}")
    backend = _find(name)
    why = backend.diagnose()
    if why:
        raise BackendError(f"backend {name!r} cannot run here: {why}; available: {available()}")
    return Guarded(backend)


class Guarded:
    """A backend as :func:`get` returns it: every answer passes the same checks.

    Before the solver: the size limit of ``capabilities`` (a
    :class:`~erlocate.errors.SizeLimitError` naming the limit and the size).
    After it: :func:`~erlocate.backends.base.honest_bound`, so no backend,
    built-in or plugin, reports a bound weaker than the model's own. Every
    other attribute is the backend's.
    """

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.backend, attr)

    def solve(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """Size check, the backend's solve, then the model's own bound."""
        check_size(self.backend.name, self.backend.capabilities.size_limit, milp)
        return honest_bound(self.backend.solve(milp, options), milp)

    def __repr__(self) -> str:
        return repr(self.backend)


def available() -> list[str]:
    """Names of the backends that can run on this machine, in order of preference."""
    out = []
    for name in names():
        try:
            if _find(name).available():
                out.append(name)
        except BackendError:
            continue
    return out


def describe() -> pd.DataFrame:
    """Every known backend: version, interface, capabilities and why it cannot run, if so.

    Returns
    -------
    pandas.DataFrame
        Indexed by name: ``usable``, ``version``, ``interface``, ``warm_start``,
        ``bound``, ``threads``, ``seed``, ``integer_only``, ``size_limit`` and
        ``why`` (empty when usable).
    """
    rows = []
    for name in names():
        try:
            b = _find(name)
        except BackendError as exc:
            rows.append({"name": name, "usable": False, "why": str(exc)})
            continue
        caps = b.capabilities
        why = b.diagnose()
        rows.append(
            {
                "name": name,
                "usable": not why,
                "version": b.version() or "",
                "interface": b.interface,
                "warm_start": caps.warm_start,
                "bound": caps.bound,
                "threads": caps.threads,
                "seed": caps.seed,
                "integer_only": caps.integer_only,
                "size_limit": str(caps.size_limit),
                "why": why,
            }
        )
    return pd.DataFrame(rows).set_index("name")
