"""What every model is, and the MILP blocks the classical models share.

A model is a small, immutable *specification* (p, cut-off, ...). It turns an
:class:`~erlocate.instance.Instance` into the canonical
:class:`~erlocate.milp.Milp` (:meth:`Model.build`), a solver's vector back into
a :class:`~erlocate.plan.Plan` (:meth:`Model.decode`), and re-checks a plan
against the input data (:meth:`Model.check`) without looking at the MILP.
"""

from __future__ import annotations

import inspect
from abc import ABC, ABCMeta, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from erlocate.errors import FrozenError, InfeasibleError, InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.params import integer, number
from erlocate.plan import Plan

if TYPE_CHECKING:
    from types import ModuleType

    from erlocate.backends.base import SolveOptions
    from erlocate.decomposition.loop import LoopOutput
    from erlocate.result import Result

__all__ = ["Model"]


class _FrozenAfterInit(ABCMeta):
    """Checks a model's parameters once ``__init__`` has run, then freezes them."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        obj = super().__call__(*args, **kwargs)
        obj.check_params()
        object.__setattr__(obj, "_frozen", True)
        return obj


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

    def replace(self, **changes: Any) -> Model:
        """A copy with some constructor parameters changed (checked like a new model).

        >>> MCLP(p=3, max_cost=5.0).replace(p=4)  # doctest: +SKIP
        """
        params = inspect.signature(type(self).__init__).parameters
        names = [n for n, par in params.items() if n != "self" and par.kind != par.VAR_KEYWORD]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise InputError(
                f"{unknown[0]}: not a parameter of {type(self).__name__}; parameters are {names}",
                field=unknown[0],
            )
        kwargs = {n: changes[n] if n in changes else getattr(self, n) for n in names}
        return type(self)(**kwargs)

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

    def solve_loop(
        self, instance: Instance, backend: ModuleType, options: SolveOptions, start: Plan | None
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

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({params})"


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


# ---------------------------------------------------------------------- validation
def check_time_limit(time_limit: Any) -> float:
    """A finite number of seconds >= 0 (heuristics' ``time_limit``)."""
    out = number(time_limit, "time_limit", minimum=0.0)
    assert out is not None
    return out


def check_positive_int(value: Any, name: str) -> int:
    """An integer >= 1 (heuristics' counts: strengths, stalls, region sizes)."""
    out = integer(value, name, minimum=1)
    assert out is not None
    return out


def check_count(p: Any, name: str = "p") -> int:
    """An integer number of facilities >= 1 (checked at construction; the upper
    bound, the number of sites, is checked against the instance by :func:`check_p`)."""
    out = integer(p, name, minimum=1, hint="the number of facilities to open")
    assert out is not None
    return out


def open_flags(instance: Instance, plan: Plan) -> np.ndarray:
    """A copy of ``plan.open`` as booleans, checked to have one flag per site."""
    open_ = np.asarray(plan.open, dtype=bool).copy()
    if open_.shape != (instance.n_sites,):
        raise InputError(
            f"plan: has {open_.size} open flags for {instance.n_sites} sites", field="plan"
        )
    return open_


def check_p(p: Any, instance: Instance) -> int:
    """p is an integer in [max(1, #required), n_sites]."""
    p = check_count(p)
    if p > instance.n_sites:
        raise InputError(
            f"p: cannot open {p} facilities with only {instance.n_sites} candidate sites",
            field="p",
        )
    n_req = int(instance.required.sum())
    if n_req > p:
        raise InputError(
            f"p: {n_req} sites are required (kept open) but p = {p}; raise p to at least {n_req} "
            "or drop required sites",
            field="required",
        )
    return p


def check_max_cost(
    max_cost: Any, name: str = "max_cost", *, optional: bool = False
) -> float | None:
    """A cut-off is a finite real number >= 0 (or None where optional); ``"5"`` is refused."""
    return number(max_cost, name, minimum=0.0, optional=optional)


def require_reach(instance: Instance, max_cost: float | None, what: str) -> None:
    """Every demand point reaches at least one site within ``max_cost``, else InfeasibleError."""
    mask = instance.pair_mask(max_cost)
    reach = np.bincount(instance.pair_rows[mask], minlength=instance.n_demand)
    lost = np.flatnonzero(reach == 0)
    if lost.size:
        within = "" if max_cost is None else f" within {instance.format_cost(max_cost)}"
        ids = show_ids(instance.demand_ids[lost])
        raise InfeasibleError(
            f"{lost.size} demand point(s) cannot reach any candidate site{within}, so no {what} "
            f"that serves everyone exists: demand ids {ids}. Serve the rest with "
            "instance.drop_demand(ids) (the result then lists them), add candidate sites near "
            "them" + (", or raise max_cost" if max_cost is not None else "") + "."
        )


# ---------------------------------------------------------------------- blocks
class Pairs:
    """The demand–site pairs a model allocates over (reachable and within the cut-off)."""

    def __init__(self, instance: Instance, max_cost: float | None) -> None:
        mask = instance.pair_mask(max_cost)
        self.rows = instance.pair_rows[mask]
        self.cols = instance.indices[mask]
        self.cost = instance.costs[mask]
        self.n_sites = instance.n_sites

    def __len__(self) -> int:
        return self.rows.size

    def locate(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Position of each (i, j) among the pairs (-1 where absent)."""
        keys = self.rows * self.n_sites + self.cols
        q = np.asarray(i, dtype=np.int64) * self.n_sites + np.asarray(j, dtype=np.int64)
        pos = np.searchsorted(keys, q)
        pos_c = np.minimum(pos, max(keys.size - 1, 0))
        ok = (pos < keys.size) & (keys[pos_c] == q) if keys.size else np.zeros(q.shape, bool)
        return np.where(ok, pos_c, -1)


def add_open(b: MilpBuilder, instance: Instance, obj: float | np.ndarray = 0.0) -> np.ndarray:
    """Binary open variables x_j (required sites fixed to 1)."""
    return b.add_cols(
        "open", instance.n_sites, obj=obj, lb=instance.required.astype(float), ub=1.0, integer=True
    )


def add_count(b: MilpBuilder, x: np.ndarray, p: int, *, at_most: bool = False) -> None:
    """sum_j x_j = p (or <= p)."""
    b.add_rows(
        "count",
        rows=np.zeros(x.size),
        cols=x,
        vals=1.0,
        lb=-np.inf if at_most else p,
        ub=p,
        n_rows=1,
    )


def add_assignment(
    b: MilpBuilder,
    instance: Instance,
    pairs: Pairs,
    x: np.ndarray,
    *,
    obj: np.ndarray,
    integer: bool = False,
    link: bool = True,
    implied_integer: bool = False,
) -> np.ndarray:
    """Assignment shares z_ij with sum_j z_ij = 1 and (if ``link``) z_ij <= x_j.

    ``implied_integer``: the caller proves that for binary x some optimum has
    integral z (see :attr:`erlocate.milp.Milp.implied_integer`).
    """
    z = b.add_cols(
        "assign",
        len(pairs),
        obj=obj,
        lb=0.0,
        ub=1.0,
        integer=integer,
        implied_integer=implied_integer,
    )
    b.add_rows(
        "assign_once", rows=pairs.rows, cols=z, vals=1.0, lb=1.0, ub=1.0, n_rows=instance.n_demand
    )
    if link:
        k = np.arange(len(pairs))
        b.add_rows(
            "link",
            rows=np.concatenate([k, k]),
            cols=np.concatenate([z, x[pairs.cols]]),
            vals=np.concatenate([np.ones(k.size), -np.ones(k.size)]),
            ub=0.0,
            n_rows=k.size,
        )
    return z


def add_capacity(
    b: MilpBuilder, instance: Instance, pairs: Pairs, x: np.ndarray, z: np.ndarray
) -> None:
    """sum_i d_i z_ij <= K_j x_j for every site with a finite capacity."""
    finite = np.isfinite(instance.capacities)
    row_of_site = np.full(instance.n_sites, -1, dtype=np.int64)
    row_of_site[finite] = np.arange(int(finite.sum()))
    use = finite[pairs.cols]
    sites = np.flatnonzero(finite)
    b.add_rows(
        "capacity",
        rows=np.concatenate([row_of_site[pairs.cols[use]], row_of_site[sites]]),
        cols=np.concatenate([z[use], x[sites]]),
        vals=np.concatenate([instance.demand[pairs.rows[use]], -instance.capacities[sites]]),
        ub=0.0,
        n_rows=sites.size,
    )


def assignment_plan(milp: Milp, pairs: Pairs, x: np.ndarray) -> Plan:
    """Decode open flags and positive shares (integers rounded, noise below 1e-9 dropped)."""
    open_ = np.round(milp.block(x, "open")) > 0.5
    z = milp.block(x, "assign")
    if milp.integrality[milp.col_blocks["assign"]].any():
        z = np.round(z)
    keep = z > 1e-9
    return Plan(open_, pairs.rows[keep], pairs.cols[keep], z[keep])


def encode_assignment(milp: Milp, pairs: Pairs, plan: Plan) -> np.ndarray:
    """Column vector with the plan's open flags and shares (pairs not in the model dropped)."""
    x = np.zeros(milp.n_cols)
    x[milp.col_blocks["open"]] = plan.open.astype(float)
    pos = pairs.locate(plan.demand_idx, plan.site_idx)
    z = np.zeros(len(pairs))
    z[pos[pos >= 0]] = plan.share[pos >= 0]
    x[milp.col_blocks["assign"]] = z
    return x


def weighted_cost(instance: Instance, plan: Plan) -> float:
    """sum over allocations of weight × cost × share, costs looked up in the input."""
    cost = instance.cost_of(plan.demand_idx, plan.site_idx)
    return float(np.sum(instance.weights[plan.demand_idx] * cost * plan.share))


def capacity_precheck(instance: Instance, open_limit: int | None = None) -> None:
    """Derive infeasibility from capacities alone, with numbers."""
    total = float(instance.demand.sum())
    caps = np.sort(instance.capacities)[::-1]
    usable = caps if open_limit is None else caps[:open_limit]
    have = float(usable.sum())
    if have < total * (1 - 1e-12):
        scope = "all sites" if open_limit is None else f"the {open_limit} largest sites"
        raise InfeasibleError(
            f"total capacity of {scope} is {have:,.6g}, below the total demand {total:,.6g}; "
            "raise capacities" + (" or p" if open_limit is not None else "") + " or reduce demand."
        )


def single_source_precheck(instance: Instance, pairs: Pairs) -> None:
    """A demand point served whole needs one reachable site that can hold all of it."""
    fits = instance.demand[pairs.rows] <= instance.capacities[pairs.cols]
    ok = np.bincount(pairs.rows[fits], minlength=instance.n_demand) > 0
    bad = np.flatnonzero(~ok)
    if bad.size:
        k = bad[0]
        raise InfeasibleError(
            f"single sourcing: {bad.size} demand point(s) exceed the capacity of every site they "
            f"can reach, e.g. {instance.demand_ids[k]!r} with demand {instance.demand[k]:g}; "
            f"ids {instance.demand_ids[bad[:10]].tolist()}. Allow split demand "
            "(single_source=False) or raise capacities."
        )
