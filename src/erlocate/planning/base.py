"""The skeleton every planning model shares: resolve once, then pure steps of the data.

A planning model (fire stations, shelters, depots, teams) runs the same chain
as a classical model — inputs → precheck → MILP → plan → re-check → report —
over richer inputs (type tables, scenarios, zones). :class:`PlanningModel`
runs that chain once per instance:

1. ``resolve(instance, **parameters) -> D``: the model's parameters and the
   instance's tables resolved into arrays (typed :class:`~erlocate.errors.InputError`
   naming the field). Run **once** per (model, instance) and cached on the
   model (a weak reference to the instance, so nothing is kept alive).
2. pure functions of ``D`` — ``precheck`` (infeasibility with numbers),
   ``formulate`` / ``decode`` / ``encode`` (the canonical MILP; builder-only
   reductions live here, not in ``D``), ``evaluate`` / ``check`` /
   ``check_optimal`` (the independent verifier, from ``D`` alone) and
   ``tables`` (the planner's report).

Each package lists its functions in a :class:`Steps` the model class holds;
no step receives the model object, so a package's modules import nothing from
its ``model`` module and the import graph has no cycles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

import numpy as np
import pandas as pd

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.decomposition.loop import LoopOutput
from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.models.base import Model
from erlocate.plan import Plan

__all__ = ["PlanningModel", "Steps"]

D = TypeVar("D")
P = TypeVar("P", bound=Plan)

Levels = list[tuple[str, float, float, float]]


def _no_breaches(d: Any, plan: Any) -> list[str]:
    return []


def _no_levels(d: Any, plan: Any) -> Levels:
    return []


def _no_tables(d: Any, plan: Any) -> dict[str, pd.DataFrame]:
    return {}


def _no_loop(d: Any, backend: Backend, options: SolveOptions, start: Any) -> LoopOutput | None:
    return None


@dataclass(frozen=True)
class Steps(Generic[D, P]):
    """A planning package's pure functions of its resolved data ``D`` and plan ``P``."""

    #: ``resolve(instance, **model.parameters()) -> D``.
    resolve: Callable[..., D]
    precheck: Callable[[D], None]
    formulate: Callable[[D], Milp]
    decode: Callable[[D, Milp, np.ndarray], P]
    encode: Callable[[D, Milp, P], np.ndarray]
    evaluate: Callable[[D, P], float]
    check: Callable[[D, P], list[str]]
    check_optimal: Callable[[D, P], list[str]] = _no_breaches
    levels: Callable[[D, P], Levels] = _no_levels
    tables: Callable[[D, P], dict[str, pd.DataFrame]] = _no_tables
    #: A multi-MILP exact method (e.g. lexicographic), or None for one MILP.
    solve_loop: Callable[[D, Backend, SolveOptions, P | None], LoopOutput | None] = _no_loop


class PlanningModel(Model, Generic[D, P]):
    """A :class:`~erlocate.models.base.Model` whose every step is a function of resolved data.

    Subclasses set :attr:`steps` and keep their constructor parameters as
    attributes (checked in :meth:`check_params`); :meth:`data` resolves them
    on an instance once.
    """

    steps: ClassVar[Steps[Any, Any]]

    def data(self, instance: Instance) -> D:
        """The inputs resolved on ``instance`` (computed once, kept for the latest instance).

        One slot, not a table: resolved data may refer to its instance, so a
        table keyed by instances would keep every instance alive.
        """
        cached = self.__dict__.get("_resolved")
        if cached is not None and cached[0] is instance:
            return cast(D, cached[1])
        d = self.steps.resolve(instance, **self.parameters())
        object.__setattr__(self, "_resolved", (instance, d))
        return d

    def validate(self, instance: Instance) -> None:
        self.steps.precheck(self.data(instance))

    def build(self, instance: Instance) -> Milp:
        return self.steps.formulate(self.data(instance))

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> P:
        return self.steps.decode(self.data(instance), milp, x)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        return self.steps.encode(self.data(instance), milp, plan)

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return self.steps.evaluate(self.data(instance), plan)

    def levels(self, instance: Instance, plan: Plan) -> Levels:
        return self.steps.levels(self.data(instance), plan)

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        return self.steps.check(self.data(instance), plan)

    def check_optimal(self, instance: Instance, plan: Plan) -> list[str]:
        return self.steps.check_optimal(self.data(instance), plan)

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        return self.steps.tables(self.data(instance), plan)

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        return self.steps.solve_loop(self.data(instance), backend, options, start)
