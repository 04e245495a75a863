"""What every model is, and the MILP blocks the classical models share.

A model is a small, immutable *specification* (p, cut-off, ...). It turns an
:class:`~erlocate.instance.Instance` into the canonical
:class:`~erlocate.milp.Milp` (:meth:`Model.build`), a solver's vector back into
a :class:`~erlocate.plan.Plan` (:meth:`Model.decode`), and re-checks a plan
against the input data (:meth:`Model.check`) without looking at the MILP.
"""

from __future__ import annotations

import dataclasses
import inspect
from abc import ABC, ABCMeta, abstractmethod
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from erlocate.errors import FrozenError, InputError
from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.plan import Plan

if TYPE_CHECKING:
    from erlocate.backends.base import SolveOptions
    from erlocate.backends.protocol import Backend
    from erlocate.decomposition.loop import LoopOutput
    from erlocate.result import Result

__all__ = ["Model"]


class _FrozenAfterInit(ABCMeta):
    """Checks a model's parameters once ``__init__`` has run, then freezes them."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        obj = super().__call__(*args, **kwargs)
        # own copies of mutable inputs, so changing the caller's table later changes no model
        for name, value in list(vars(obj).items()):
            if not name.startswith("_"):
                object.__setattr__(obj, name, own_copy(value))
        obj.check_params()
        object.__setattr__(obj, "_frozen", True)
        return obj


def own_copy(value: Any) -> Any:
    """A copy of an array, table, list or mapping (read-only for arrays); other values as given."""
    if isinstance(value, np.ndarray):
        out = value.copy()
        out.setflags(write=False)
        return out
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        return value.copy()
    if isinstance(value, list):
        return [own_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: own_copy(v) for k, v in value.items()}
    return value


def hashable(value: Any) -> Hashable:
    """A hashable stand-in equal for equal parameter values (tables and arrays by content)."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        digest = pd.util.hash_pandas_object(frame.astype(object), index=True).to_numpy()
        return (
            type(value).__name__,
            tuple(map(str, frame.columns)),
            tuple(map(str, frame.dtypes)),
            digest.tobytes(),
        )
    if isinstance(value, pd.Index):
        return ("Index", tuple(hashable(v) for v in value.tolist()))
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, np.generic):
        return value.item()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # e.g. an Instance
        fields = dataclasses.fields(value)
        return (type(value).__qualname__, *(hashable(getattr(value, f.name)) for f in fields))
    if isinstance(value, Mapping):
        return ("mapping", tuple(sorted(((repr(k), hashable(v)) for k, v in value.items()))))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(hashable(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(hashable(v)) for v in value)))
    try:
        hash(value)
    except TypeError:
        return ("repr", type(value).__name__, repr(value))
    return value


class Model(ABC, metaclass=_FrozenAfterInit):
    """Base class of every location model.

    Subclasses set :attr:`sense`, :attr:`exact_objective` and
    :attr:`max_cost` (the coverage standard or assignment cut-off, if any),
    and implement :meth:`build`, :meth:`decode` and :meth:`check`.

    A model is a specification: :meth:`check_params` validates every
    parameter when it is constructed (``PMedian(p=-3)`` raises
    :class:`~erlocate.errors.InputError` at once), and its public attributes
    cannot be assigned afterwards (:class:`~erlocate.errors.FrozenError`); use
    :meth:`replace` for a changed copy. Attributes starting with ``_`` are
    caches and may change.
    """

    #: "min" or "max".
    sense: ClassVar[str] = "min"
    #: True when the objective recomputed from a decoded plan must equal the
    #: solver's objective exactly; False when decoding may improve on it (e.g.
    #: a p-center plan re-assigned to nearest sites) — then it must be no worse.
    exact_objective: ClassVar[bool] = True
    #: True for covering models, whose results carry coverage figures.
    covering: ClassVar[bool] = False
    #: True for models that read ``Instance.capacities``; :func:`erlocate.solve` warns
    #: (and the result's summary says) when an instance with capacities meets one that does not.
    uses_capacities: ClassVar[bool] = False

    max_cost: float | None = None

    #: The parameter that sets :meth:`reach`, named when the instance's cut-off is too short.
    reach_field: ClassVar[str] = "max_cost"

    #: The constraints that can combine into infeasibility, named in the message
    #: :func:`erlocate.solve` gives when the solver (not a precheck) proves it.
    constraints_hint: ClassVar[str] = "p, cut-off, capacities, required sites"

    # ------------------------------------------------------------------ immutability
    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") and self.__dict__.get("_frozen", False):
            raise FrozenError(
                f"{name}: {type(self).__name__} is immutable once built; make a changed copy "
                f"with model.replace({name}=...)"
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if not name.startswith("_") and self.__dict__.get("_frozen", False):
            raise FrozenError(f"{name}: {type(self).__name__} is immutable once built")
        object.__delattr__(self, name)

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """The constructor's parameter names, in order."""
        params = inspect.signature(cls.__init__).parameters
        return tuple(
            n
            for n, par in params.items()
            if n != "self" and par.kind not in (par.VAR_KEYWORD, par.VAR_POSITIONAL)
        )

    def parameters(self) -> dict[str, Any]:
        """The constructor parameters as given (after the model's own normalisation).

        ``type(model)(**model.parameters())`` is an equal model.
        """
        return {n: getattr(self, n) for n in self.parameter_names()}

    def replace(self, **changes: Any) -> Model:
        """A copy with some constructor parameters changed (checked like a new model).

        >>> from erlocate import MCLP
        >>> MCLP(p=3, max_cost=5.0).replace(p=4).p
        4
        """
        names = list(self.parameter_names())
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise InputError(
                f"{unknown[0]}: not a parameter of {type(self).__name__}; parameters are {names}",
                field=unknown[0],
            )
        return type(self)(**{**self.parameters(), **changes})

    # ------------------------------------------------------------------ value semantics
    def _key(self) -> Hashable:
        key = self.__dict__.get("_hash_key")
        if key is None:
            key = (
                type(self).__qualname__,
                tuple((n, hashable(v)) for n, v in self.parameters().items()),
            )
            object.__setattr__(self, "_hash_key", key)
        return key

    def __eq__(self, other: object) -> bool:
        """Models are equal when they are of one class with equal parameters (tables by content)."""
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Model)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __getstate__(self) -> dict[str, Any]:
        # caches (names starting with "_") are rebuilt on demand, not pickled
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_") or k == "_frozen"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ------------------------------------------------------------------ interface
    def check_params(self) -> None:
        """Raise InputError for a parameter wrong whatever the data (run at construction)."""

    def reach(self, instance: Instance) -> float:
        """The largest travel cost this model reads on ``instance`` (``inf``: every pair).

        :func:`erlocate.solve` refuses the model when this exceeds the cut-off
        the instance's costs were cut at (``instance.cutoff``), since pairs
        beyond it are missing, not unreachable; :meth:`Result.verify
        <erlocate.result.Result.verify>` checks it again. Default: ``max_cost``
        when set, else ``inf``.
        """
        return np.inf if self.max_cost is None else float(self.max_cost)

    def validate(self, instance: Instance) -> None:
        """Raise InputError / InfeasibleError for requests the data cannot meet."""

    @abstractmethod
    def build(self, instance: Instance) -> Milp:
        """The canonical MILP of this model on ``instance``."""

    @abstractmethod
    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        """The plan encoded in the solver's column vector ``x``."""

    @abstractmethod
    def evaluate(self, instance: Instance, plan: Plan) -> float:
        """The objective of ``plan``, recomputed from the input data alone."""

    def levels(self, instance: Instance, plan: Plan) -> list[tuple[str, float, float, float]]:
        """A lexicographic objective's levels on ``plan``, in order:
        ``(name, weight, resolution, value)`` with objective = sum weight × value.
        Empty for a single-level objective (the default)."""
        return []

    @abstractmethod
    def check(self, instance: Instance, plan: Plan) -> list[str]:
        """Every constraint of the model re-checked on ``plan``; one message per breach."""

    def check_optimal(self, instance: Instance, plan: Plan) -> list[str]:
        """Necessary optimality conditions checked on a plan reported optimal."""
        return []

    def start_plan(self, instance: Instance, time_limit: float) -> Plan | None:
        """A heuristic (not exact) starting plan, for ``solve(..., warm_start="heuristic")``.

        Models with a construction heuristic override this; the default raises
        :class:`~erlocate.errors.InputError`. ``time_limit`` bounds its seconds.
        None: the heuristic found no plan, and the solver starts without one.
        """
        raise InputError(
            f"warm_start: 'heuristic' is not available for {type(self).__name__} (it is for an "
            "uncapacitated PMedian, an MCLP and Shelters); pass a Plan or Result instead",
            field="warm_start",
        )

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """Run this model's multi-MILP exact method, or return None for the single-MILP path.

        Decompositions override this (see :mod:`erlocate.decomposition`);
        ``options.warm_start`` is unused here, ``start`` is the caller's starting plan.
        """
        return None

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        """A column vector for ``plan`` (a warm start). Models extend this."""
        x = np.zeros(milp.n_cols)
        x[milp.col_blocks["open"]] = plan.open.astype(float)
        return x

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """Planner-facing tables of ``plan`` (name -> DataFrame); none by default.

        Planning models override this (stations by type, shelter loads, staffing
        per zone ...). :meth:`Result.report` calls it.
        """
        return {}

    def solve(self, instance: Instance, backend: str = "highs", **options: Any) -> Result:
        """Shortcut for :func:`erlocate.solve` ``(self, instance, backend, **options)``."""
        from erlocate.solve import solve

        return solve(self, instance, backend=backend, **options)

    def evaluate_plan(self, instance: Instance, plan: Any, **options: Any) -> Result:
        """Shortcut for :func:`erlocate.workflow.evaluate_plan` ``(self, instance, plan,
        **options)``: a fixed plan's objective, tables and breaches, without solving."""
        from erlocate.workflow.evaluate import evaluate_plan

        return evaluate_plan(self, instance, plan, **options)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


def capacities_ignored(model: Model, instance: Instance) -> str | None:
    """Why the instance's site capacities play no part in ``model``'s answer, or None."""
    finite = np.isfinite(instance.capacities)
    if model.uses_capacities or not finite.any():
        return None
    return (
        f"{type(model).__name__} does not use site capacities, but the instance has them "
        f"({int(finite.sum())} of {instance.n_sites} sites): loads may exceed them; use a "
        "capacitated model (capacitated=True in PMedian, PCenter, LSCP, MCLP, BackupCoverage; "
        "CFLP) to respect them"
    )


def require_capacities(instance: Instance, field: str) -> None:
    """InputError when a capacitated model meets an instance whose sites are all unlimited."""
    if not np.isfinite(instance.capacities).any():
        raise InputError(
            f"{field}: the model respects site capacities, but the instance has none (every "
            "site unlimited); give capacities=... to Instance.from_matrix, or use the "
            "uncapacitated model",
            field=field,
        )


def cutoff_breach(model: Model, instance: Instance) -> str | None:
    """Why ``model`` cannot be solved on ``instance``'s truncated costs, or None if it can.

    An instance built with a cut-off (``max_cost`` of
    :func:`erlocate.geo.from_geodataframes`, a road-network limit, or
    ``Instance.from_matrix(..., cutoff=r)``) stores no pair costlier than r; a
    model reading costs up to s > r would see those pairs as unreachable and
    could return a wrong optimum, so it is refused.
    """
    r = instance.cutoff
    if r is None:
        return None
    s = model.reach(instance)
    if s <= r * (1 + 1e-12):
        return None
    name, field = type(model).__name__, model.reach_field
    cut = instance.format_cost(r)
    if not np.isfinite(s):
        return (
            f"{field}: the instance's costs were cut at {cut}, but {name} without a cut-off "
            f"reads every pair; set {field} <= {r:g}, or rebuild the instance without max_cost"
        )
    return (
        f"{field}: {name} reads costs up to {instance.format_cost(s)}, but the instance's costs "
        f"were cut at {cut} (pairs beyond it are missing, not unreachable); lower {field} to "
        f"at most {r:g}, or rebuild the instance with max_cost >= {s:g}"
    )
