"""What a solver backend is: the :class:`Backend` protocol, its :class:`Capabilities`,
:class:`SolverBackend`, a base class that fills in the common parts, and
:class:`LicensedBackend`, its form for a commercial solver with a free edition.

Every built-in backend's ``solve`` starts with
:func:`~erlocate.backends.call.solve_with` (clock, warm start, empty model).

A backend translates the canonical :class:`~erlocate.milp.Milp` to one solver
and the answer back, as a :class:`~erlocate.backends.base.SolverOutput`
(decided by :func:`~erlocate.backends.base.classify`). Packages add solvers
without touching erlocate through the entry-point group ``erlocate.backends``::

    # pyproject.toml of a plugin package
    [project.entry-points."erlocate.backends"]
    mysolver = "mypackage.backend:BACKEND"     # a Backend object, or a class

and ``erlocate.solve(model, instance, backend="mysolver")`` then finds it.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol, runtime_checkable

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.errors import BackendError, SizeLimitError
from erlocate.milp import Milp

__all__ = [
    "Backend",
    "Capabilities",
    "LicensedBackend",
    "SizeLimit",
    "SolverBackend",
    "check_size",
]


@dataclass(frozen=True)
class SizeLimit:
    """Largest model a solver accepts here (a free licence's limit), ``None`` = no limit.

    ``variables`` and ``constraints`` count columns and rows; ``total`` counts
    both together (Xpress' community licence); ``integers`` counts integer
    columns; ``nonzeros`` counts matrix entries. ``licence`` names the source.
    """

    variables: int | None = None
    constraints: int | None = None
    total: int | None = None
    integers: int | None = None
    nonzeros: int | None = None
    licence: str = ""

    def breach(self, milp: Milp) -> tuple[str, str] | None:
        """(limit, size) in words for the first limit ``milp`` exceeds, else None."""
        checks = (
            ("variables", self.variables, milp.n_cols),
            ("constraints", self.constraints, milp.n_rows),
            ("variables + constraints", self.total, milp.n_cols + milp.n_rows),
            ("integer variables", self.integers, int(milp.integrality.sum())),
            ("non-zeros", self.nonzeros, milp.nnz),
        )
        for what, limit, size in checks:
            if limit is not None and size > limit:
                source = f" ({self.licence})" if self.licence else ""
                return f"{limit:,} {what}{source}", f"{size:,} {what}"
        return None

    def __str__(self) -> str:
        parts = [
            f"{v:,} {what}"
            for what, v in (
                ("variables", self.variables),
                ("constraints", self.constraints),
                ("variables + constraints", self.total),
                ("integers", self.integers),
                ("non-zeros", self.nonzeros),
            )
            if v is not None
        ]
        return ", ".join(parts) if parts else "none"


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do; ``erlocate backends`` prints them.

    Attributes
    ----------
    warm_start : bool
        ``SolveOptions.warm_start`` is passed on as a starting incumbent.
    bound : bool
        A proven bound is reported for a stopped search.
    threads : bool
        ``SolveOptions.threads`` is honoured (else accepted and ignored).
    seed : bool
        ``SolveOptions.seed`` is honoured.
    integer_only : bool
        Only models whose variables are all integer and whose coefficients are
        integral (or exactly scalable) are accepted (CP-SAT).
    size_limit : SizeLimit
        Largest model accepted here.
    """

    warm_start: bool = False
    bound: bool = True
    threads: bool = False
    seed: bool = False
    integer_only: bool = False
    size_limit: SizeLimit = SizeLimit()


@runtime_checkable
class Backend(Protocol):
    """A solver backend.

    ``name`` is what users pass to ``solve(..., backend=name)``; ``interface``
    says how the model reaches the solver (one line); ``version()`` is the
    solver's version or ``None`` when it is not installed; ``diagnose()`` is
    ``""`` when the solver can run here and otherwise says why not (not
    installed, no licence, no GPU ...); ``available()`` is ``diagnose() == ""``.
    """

    name: str
    interface: str
    capabilities: Capabilities

    def version(self) -> str | None: ...

    def available(self) -> bool: ...

    def diagnose(self) -> str: ...

    def solve(self, milp: Milp, options: SolveOptions) -> SolverOutput: ...


class SolverBackend:
    """Base class of the built-in backends: version from the distribution, size checks.

    Subclasses set ``name``, ``interface``, ``capabilities``, ``distribution``
    (the PyPI package whose version is the solver's) and ``extra`` (the
    ``pip install erlocate[extra]`` that installs it), and implement
    :meth:`probe` and :meth:`run`.
    """

    name: str = ""
    interface: str = ""
    capabilities: Capabilities = Capabilities()
    distribution: str | None = None
    extra: str | None = None

    # ------------------------------------------------------------------ protocol
    def version(self) -> str | None:
        """The solver package's version, or None when it is not installed."""
        if self.distribution is None:
            return None
        try:
            return importlib.metadata.version(self.distribution)
        except importlib.metadata.PackageNotFoundError:
            return None

    def diagnose(self) -> str:
        """``""`` when the solver runs here; otherwise why not, and the fix."""
        if self.distribution is not None and self.version() is None:
            how = f"pip install 'erlocate[{self.extra}]'" if self.extra else "install it"
            return f"not installed ({self.distribution}): {how}"
        return self.probe()

    def available(self) -> bool:
        """True when :meth:`diagnose` finds nothing in the way."""
        return self.diagnose() == ""

    def solve(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """Check the size limit, then :meth:`run`."""
        check_size(self.name, self.capabilities.size_limit, milp)
        return self.run(milp, options)

    # ------------------------------------------------------------------ for subclasses
    def probe(self) -> str:
        """``""`` if the installed solver can run (licence, binary, device); else why not."""
        return ""

    def run(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """Solve ``milp``: the translation to the solver and back."""
        raise NotImplementedError

    # ------------------------------------------------------------------ compatibility
    @property
    def NAME(self) -> str:
        """Alias of :attr:`name`."""
        return self.name

    @property
    def SUPPORTS_WARM_START(self) -> bool:
        """Alias of ``capabilities.warm_start``."""
        return self.capabilities.warm_start

    def __repr__(self) -> str:
        return f"<backend {self.name!r}: {self.interface}>"


class LicensedBackend(SolverBackend):
    """A commercial solver whose free licence (or edition) limits the model size.

    Its capabilities are warm start, bound, threads and (unless ``seed`` is
    False) seed, with ``limit`` as the size limit unless the licence probe
    finds a full licence. ``extra`` is ``name``: ``pip install
    'erlocate[name]'`` installs ``distribution``.

    Parameters
    ----------
    name : str
        The backend's name.
    distribution : str
        The PyPI package of the solver's Python API.
    limit : SizeLimit
        The free licence's limit.
    licence : callable
        The licence probe: () -> (why the solver cannot run here or ``""``,
        whether the licence in use is the size-limited one). It is called
        often; the caller caches it, so that it runs once per process.
    solve : callable
        The module's ``solve(milp, options)``, which :meth:`run` calls.
    seed : bool
        ``SolveOptions.seed`` is honoured.
    """

    def __init__(
        self,
        name: str,
        distribution: str,
        limit: SizeLimit,
        *,
        licence: Callable[[], tuple[str, bool]],
        solve: Callable[[Milp, SolveOptions], SolverOutput],
        seed: bool = True,
    ) -> None:
        self.name = name
        self.distribution = distribution
        self.extra = name
        self.limit = limit
        self.licence = licence
        self.solve_function = solve
        self.seed = seed

    @property
    def capabilities(self) -> Capabilities:  # type: ignore[override]
        """Warm start, bound, threads, seed; the free licence's limit unless a full
        licence was found (the probe runs once a process)."""
        full = self.version() is not None and self.licence() == ("", False)
        return Capabilities(
            warm_start=True,
            bound=True,
            threads=True,
            seed=self.seed,
            size_limit=SizeLimit() if full else self.limit,
        )

    def need(self, module: ModuleType | None) -> ModuleType:
        """``module``, the solver's Python API; BackendError naming the fix when it is None."""
        if module is None:
            raise BackendError(
                f"{self.name}: {self.distribution} is not installed: "
                f"pip install 'erlocate[{self.extra}]'"
            )
        return module

    def refused(self, size: str, said: str, fix: str) -> SizeLimitError:
        """The error for a model the solver itself refused as beyond the free licence's limit.

        ``size`` is the model's size in the limit's terms, ``said`` what the
        solver said and ``fix`` what lifts the limit (a full licence).
        """
        return SizeLimitError(
            self.name,
            f"{self.limit} ({self.limit.licence})",
            size,
            f"{said}; use another backend (erlocate backends lists them) or {fix}",
        )

    def probe(self) -> str:
        """The solver must start and solve with a licence, at least the free one."""
        return self.licence()[0]

    def run(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        """The module's ``solve``."""
        return self.solve_function(milp, options)


def check_size(name: str, limit: SizeLimit, milp: Milp) -> None:
    """Raise :class:`~erlocate.errors.SizeLimitError` when ``milp`` exceeds ``limit``."""
    breach = limit.breach(milp)
    if breach is not None:
        raise SizeLimitError(name, *breach)
