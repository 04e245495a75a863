"""Named instance sets for :func:`erlocate.bench.run`.

A :class:`Case` is one model on one instance with its published optimum (if
any). Suites return :class:`CaseRef` objects that read their data only when the
runner reaches them, so a 40-case suite does not hold 40 instances in memory
and the reading time is measured per case (``read_s``).

================  ===============================================================
suite             cases
================  ===============================================================
``orlib-pmed``    OR-Library p-median ``pmed1`` … ``pmed40`` (:mod:`erlocate.io.orlib`)
``orlib-scp``     OR-Library set covering as LSCP
``orlib-cap``     OR-Library CFLP (split demand) and UFLP
``cpmp``          Lorena's capacitated p-median SJC1, SJC2, single source
                  (:mod:`erlocate.io.cpmp`)
``tsplib-pmed``   p-median on TSPLIB points (``erlocate.io.tsplib``)
``mclp-ails``     maximal covering, AILS city instances (``erlocate.io.ails``)
``random``        seeded random towns (:func:`erlocate.datasets.random_euclidean`):
                  p-median, MCLP and LSCP; no published optimum
``district``      the four planning models on the embedded district
                  (:mod:`erlocate.district`), as ``erlocate demo`` plans
                  them (depots with flooded roads slowed, teams recruited); no
                  published optimum
================  ===============================================================
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.models import LSCP, MCLP, Model, PMedian

__all__ = ["SUITES", "Case", "CaseRef", "as_case", "suite", "suite_names"]


@dataclass(frozen=True, eq=False)
class Case:
    """One benchmark case: a model on an instance, with the published value if known.

    Attributes
    ----------
    name : str
        Instance name (``"pmed1"``, ``"random-100x20-s0"``).
    model : Model
        What to solve.
    instance : Instance
        The data.
    optimum : float or None
        Published optimal or best-known objective.
    proven : bool
        True when ``optimum`` is a proven optimum.
    tolerance : float or None
        Absolute tolerance of the comparison with ``optimum``
        (default ``1e-6 × max(1, |optimum|)``).
    suite : str
        Suite the case came from.
    """

    name: str
    model: Model
    instance: Instance
    optimum: float | None = None
    proven: bool = False
    tolerance: float | None = None
    suite: str = ""

    def load(self) -> Case:
        """The case itself (a :class:`CaseRef` reads its data here)."""
        return self

    def matches(self, objective: float | None) -> bool | None:
        """Whether ``objective`` equals ``optimum`` within the tolerance (None if unknown)."""
        if objective is None or self.optimum is None:
            return None
        tol = self.tolerance
        if tol is None:
            tol = 1e-6 * max(1.0, abs(self.optimum))
        return bool(abs(float(objective) - self.optimum) <= tol)


@dataclass(frozen=True, eq=False)
class CaseRef:
    """A case read on demand: ``load()`` calls ``loader()`` and returns a :class:`Case`."""

    name: str
    loader: Callable[[], Any] = field(repr=False)
    suite: str = ""

    def load(self) -> Case:
        """Read the data (may raise :class:`~erlocate.errors.InputError`)."""
        return as_case(self.loader(), suite=self.suite)


def as_case(obj: Any, *, suite: str = "") -> Case:
    """A :class:`Case` from a Case, an ``OrlibCase``-like object or a tuple.

    Accepted: :class:`Case`; any object with ``name, model, instance`` (and
    optionally ``optimum, proven, tolerance``), such as
    :class:`erlocate.io.orlib.OrlibCase`; a tuple ``(name, model, instance)`` or
    ``(name, model, instance, optimum)``.
    """
    if isinstance(obj, Case):
        return obj
    if isinstance(obj, tuple):
        if len(obj) not in (3, 4):
            raise InputError(
                f"cases: a tuple case must be (name, model, instance[, optimum]), got "
                f"{len(obj)} items",
                field="cases",
            )
        name, model, instance, *rest = obj
        return Case(str(name), model, instance, rest[0] if rest else None, suite=suite)
    if all(hasattr(obj, a) for a in ("name", "model", "instance")):
        optimum = getattr(obj, "optimum", None)
        return Case(
            str(obj.name),
            obj.model,
            obj.instance,
            None if optimum is None else float(optimum),
            bool(getattr(obj, "proven", False)),
            getattr(obj, "tolerance", None) if optimum is not None else None,
            suite=suite or str(getattr(obj, "collection", "")),
        )
    raise InputError(
        f"cases: cannot use {type(obj).__name__} as a case; pass a Case, an OrlibCase or "
        "(name, model, instance[, optimum])",
        field="cases",
    )


# ---------------------------------------------------------------------------- selection
def _select(
    names: list[str], suite_name: str, instances: Sequence[str] | None, range_: str | None
) -> list[str]:
    if instances:
        wanted = [s.strip() for s in instances if s.strip()]
        lower = {n.lower(): n for n in names}
        unknown = [w for w in wanted if w.lower() not in lower]
        if unknown:
            raise InputError(
                f"instances: {unknown} not in suite {suite_name!r} (present: "
                f"{names[:4]}{' …' if len(names) > 4 else ''})",
                field="instances",
            )
        return [lower[w.lower()] for w in wanted]
    if range_:
        try:
            lo, _, hi = str(range_).partition("-")
            a, b = int(lo), int(hi or lo)
        except ValueError:
            raise InputError(
                f"range: expected 'a-b' with integers, got {range_!r}", field="range"
            ) from None
        if not 1 <= a <= b <= len(names):
            raise InputError(
                f"range: must lie within 1-{len(names)} for suite {suite_name!r}, got {range_!r}",
                field="range",
            )
        return names[a - 1 : b]
    return names


def _orlib(collection: str) -> Callable[..., list[CaseRef]]:
    def make(instances=None, range=None) -> list[CaseRef]:
        from erlocate.io.orlib import orlib_case, orlib_cases

        name = f"orlib-{collection}"
        chosen = _select(orlib_cases(collection), name, instances, range)
        return [CaseRef(n, partial(orlib_case, n), name) for n in chosen]

    return make


def _cpmp(instances=None, range=None) -> list[CaseRef]:
    from erlocate.io.cpmp import cpmp_case, cpmp_cases

    chosen = _select(cpmp_cases(), "cpmp", instances, range)
    return [CaseRef(n, partial(cpmp_case, n), "cpmp") for n in chosen]


def _colleague(suite_name: str, module: str, func: str, folder: str) -> Callable[..., list]:
    """A suite whose reader lives in a module that may not exist yet."""

    def make(instances=None, range=None) -> list[CaseRef]:
        import pandas as pd

        from erlocate.io.orlib import data_dir

        try:
            reader = getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            raise InputError(
                f"suite {suite_name!r} needs {module}.{func}(name), which this erlocate does "
                f"not have ({type(exc).__name__}: {exc}); update erlocate or pick another suite",
                field="suite",
            ) from None
        path = data_dir() / folder / "optima.csv"
        if not path.is_file():
            raise InputError(f"{path}: file not found", field="suite")
        names = pd.read_csv(path)["instance"].astype(str).tolist()
        chosen = _select(names, suite_name, instances, range)
        return [CaseRef(n, partial(reader, n), suite_name) for n in chosen]

    return make


# ---------------------------------------------------------------------------- random
#: (demand points, candidate sites) of the ``random`` suite's towns.
RANDOM_SIZES: tuple[tuple[int, int], ...] = ((100, 20), (300, 40))


def random_cases(
    sizes: Sequence[tuple[int, int]] = RANDOM_SIZES,
    seeds: Sequence[int] = (0,),
    *,
    p: int = 5,
    mclp_minutes: float = 4.0,
) -> list[Case]:
    """Seeded random towns, each solved as p-median, MCLP and LSCP.

    Costs are minutes at 30 km/h in a 10 km square
    (:func:`erlocate.datasets.random_euclidean` with ``speed=500``; ILLUSTRATIVE).
    MCLP covers within ``mclp_minutes``; the LSCP standard is the smallest
    that every demand point can meet (the largest nearest-site time, rounded up
    to 0.1 min), so LSCP is always feasible. LSCP minimises the (illustrative)
    site costs.
    """
    from erlocate.datasets import random_euclidean

    out: list[Case] = []
    for n, m in sizes:
        for seed in seeds:
            inst = random_euclidean(n, m, seed=seed, speed=500.0)
            name = inst.name
            radius = float(np.ceil(10 * inst.dense_costs().min(axis=1).max()) / 10)
            for model in (PMedian(p), MCLP(p, max_cost=mclp_minutes), LSCP(max_cost=radius)):
                out.append(Case(name, model, inst, suite="random"))
    return out


def _random(instances=None, range=None) -> list[Case]:
    cases = random_cases()
    names = list(dict.fromkeys(c.name for c in cases))
    chosen = set(_select(names, "random", instances, range))
    return [c for c in cases if c.name in chosen]


# ---------------------------------------------------------------------------- district
def _district(instances=None, range=None) -> list[CaseRef]:
    from erlocate import district as d

    builders: dict[str, Callable[[], tuple[Any, Any]]] = {
        "fire_stations": d.fire_station_case,
        "shelters": d.shelter_case,
        # as the demo plans them: the flood's roads slowed (closed ones cut 8 communities
        # off) and every squad brought up to strength (the minima as written cannot be met)
        "depots": lambda: d.depot_case(flood_roads="slowed"),
        "teams": lambda: d.team_case(recruit=True),
    }
    chosen = _select(list(builders), "district", instances, range)

    def case(n: str) -> tuple[str, Any, Any]:
        return (f"district-{n}", *builders[n]())

    return [CaseRef(n, partial(case, n), "district") for n in chosen]


#: Suite name -> function ``(instances=None, range=None) -> list of cases``.
SUITES: dict[str, Callable[..., list]] = {
    "orlib-pmed": _orlib("pmed"),
    "orlib-scp": _orlib("scp"),
    "orlib-cap": _orlib("cap"),
    "cpmp": _cpmp,
    "tsplib-pmed": _colleague("tsplib-pmed", "erlocate.io.tsplib", "tsplib_case", "tsplib-pmed"),
    "mclp-ails": _colleague("mclp-ails", "erlocate.io.ails", "ails_case", "mclp-ails"),
    "random": _random,
    "district": _district,
}


def suite_names() -> list[str]:
    """The registered suite names."""
    return list(SUITES)


def suite(
    name: str, *, instances: Sequence[str] | str | None = None, range: str | None = None
) -> list[Case | CaseRef]:
    """The cases of a named suite.

    Parameters
    ----------
    name : str
        One of :func:`suite_names`.
    instances : list of str or str, optional
        Instance names to keep (a string is split on commas), in that order.
    range : str, optional
        ``"a-b"``: the a-th to b-th instance in the suite's order (1-based, inclusive).

    Raises
    ------
    InputError
        Unknown suite or instance, bad range, missing data folder, or a suite whose
        reader module is not installed.
    """
    if name not in SUITES:
        raise InputError(
            f"suite: unknown suite {name!r}; choose one of {suite_names()}", field="suite"
        )
    if isinstance(instances, str):
        instances = instances.split(",")
    return SUITES[name](instances=instances, range=range)
