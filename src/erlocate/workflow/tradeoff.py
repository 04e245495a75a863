"""Trade-off curves: one model solved over a range of one parameter, warm-started.

:func:`tradeoff` answers "how many stations buy how much coverage" (``p``),
"what does a stricter standard cost" (``max_cost``) or "what does each budget
buy" (``budget``): each point is an independent, verified :func:`erlocate.solve`
of the model with that parameter, started from the neighbour's plan where
that plan is feasible for it (:func:`neighbour_start`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError, InputError, NoSolutionError
from erlocate.instance import Instance
from erlocate.models.base import Model
from erlocate.params import boolean
from erlocate.plan import Checker, Plan
from erlocate.result import Result
from erlocate.solve import solve
from erlocate.workflow.knee import knee_index

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SWEEPS", "Tradeoff", "neighbour_start", "tradeoff"]

log = logging.getLogger(__name__)

#: The parameters a trade-off curve may sweep.
SWEEPS = ("p", "max_cost", "budget")

#: Most objective evaluations spent adapting one warm start (sites × steps).
ADAPT_WORK = 20_000


@dataclass(frozen=True, eq=False)
class Tradeoff:
    """A trade-off curve: one verified result per parameter value.

    Attributes
    ----------
    parameter : str
        The swept parameter (``"p"``, ``"max_cost"`` or ``"budget"``).
    model : Model
        The model as given (each point is ``model.replace(parameter=value)``).
    results : tuple of Result or None
        One per value, in the order given (None where there is no plan: the
        ``status`` and ``note`` columns of :attr:`table` say why).
    table : pandas.DataFrame
        One row per value: the parameter, ``objective``, ``bound``, ``gap``,
        ``status``, ``time`` (solve + build seconds), ``n_open``,
        ``open_sites``, ``warm_start`` (``"previous"``: the neighbour's plan,
        ``"adapted"``: it with sites added or dropped to meet ``p``,
        ``"none"``: the first point or a start that would break a rule),
        ``note`` and, for covering models, ``covered_weight`` and ``coverage_share``.
    """

    parameter: str
    model: Model
    results: tuple[Result | None, ...]
    table: pd.DataFrame

    @property
    def metric(self) -> str:
        """The column the curve plots: ``coverage_share`` for a maximising covering model,
        else ``objective``."""
        covering = self.model.covering and self.model.sense == "max"
        return "coverage_share" if covering else "objective"

    @cached_property
    def curve(self) -> pd.DataFrame:
        """The points with a plan, sorted by the parameter: parameter, metric, status."""
        t = self.table[self.table[self.metric].notna()]
        return t[[self.parameter, self.metric, "status"]].sort_values(self.parameter)

    @cached_property
    def knee(self) -> Any:
        """The parameter value at the knee of :attr:`curve` (None without one): the point
        farthest from the chord on scaled axes (:func:`erlocate.workflow.knee.knee_index`)."""
        c = self.curve
        if c[self.parameter].duplicated().any():
            raise InputError(
                f"{self.parameter}: a value repeats, so the curve has no single knee",
                field=self.parameter,
            )
        i = knee_index(c[self.parameter].to_numpy(float), c[self.metric].to_numpy(float))
        return None if i is None else c[self.parameter].iloc[i]

    def plot(self, ax: Axes | None = None, *, title: str | None = None) -> Axes:
        """The curve on matplotlib Axes: proven points filled, unproven hollow, knee marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        c = self.curve
        scale = 100.0 if self.metric == "coverage_share" else 1.0
        x, y = c[self.parameter].to_numpy(float), c[self.metric].to_numpy(float) * scale
        proven = (c["status"] == "optimal").to_numpy()
        ax.plot(x, y, "-", color="tab:blue", zorder=1)
        ax.scatter(x[proven], y[proven], color="tab:blue", zorder=2, label="proven optimal")
        if (~proven).any():
            ax.scatter(
                x[~proven],
                y[~proven],
                facecolors="white",
                edgecolors="tab:blue",
                zorder=2,
                label="not proven (see gap)",
            )
        knee = self.knee
        if knee is not None:
            k = int(np.flatnonzero(x == float(knee))[0])
            ax.scatter([x[k]], [y[k]], s=160, facecolors="none", edgecolors="tab:red", zorder=3)
            ax.annotate(
                f"knee: {self.parameter} = {knee:g}",
                (x[k], y[k]),
                xytext=(10, -15),
                textcoords="offset points",
                color="tab:red",
            )
        ax.set_xlabel(self.parameter)
        ax.set_ylabel("coverage (%)" if scale == 100.0 else f"objective ({self.model.sense})")
        ax.set_title(
            title or f"{type(self.model).__name__}: {self.metric} against {self.parameter}"
        )
        ax.legend(loc="best")
        return ax

    def __repr__(self) -> str:
        return (
            f"<Tradeoff {type(self.model).__name__} over {self.parameter}: "
            f"{len(self.results)} points, knee {self.knee}>"
        )


def tradeoff(
    model: Model,
    instance: Instance,
    *,
    p: Iterable[int] | None = None,
    max_cost: Iterable[float] | None = None,
    budget: Iterable[float] | None = None,
    backend: str = "highs",
    warm_start: bool = True,
    **solve_options: Any,
) -> Tradeoff:
    """Solve ``model`` at each value of one parameter: a trade-off curve.

    Parameters
    ----------
    model : Model
        The model; it must have the swept parameter (``p``: PMedian, MCLP ...;
        ``max_cost``: the standard or cut-off; ``budget``: e.g. FireStations).
    instance : Instance
        The data.
    p, max_cost, budget : iterable
        Exactly one: the values to solve at, in the order solved (ascending
        order lets each point start from its neighbour's plan).
    backend : str
        Solver backend.
    warm_start : bool
        Start each point from the previous point's plan when it is feasible
        there (:func:`neighbour_start`); the optimum does not depend on it.
    **solve_options
        Passed to :func:`erlocate.solve` (``time_limit`` per point, ``mip_gap`` ...).

    Returns
    -------
    Tradeoff
        Points without a plan (proven infeasible, or no plan in the time limit)
        are kept with their status and the reason in ``note``.
    """
    given = {
        k: v for k, v in (("p", p), ("max_cost", max_cost), ("budget", budget)) if v is not None
    }
    if len(given) != 1:
        raise InputError(
            f"tradeoff: give exactly one of {list(SWEEPS)} with the values to sweep, got "
            f"{sorted(given) or 'none'}",
            field="p",
        )
    ((name, raw),) = given.items()
    if name not in model.parameter_names():
        raise InputError(
            f"{name}: {type(model).__name__} has no parameter {name!r} to sweep; its "
            f"parameters are {list(model.parameter_names())}",
            field=name,
        )
    boolean(warm_start, "warm_start")
    values = list(raw)
    if not values:
        raise InputError(f"{name}: no values to sweep", field=name)
    rows: list[dict[str, Any]] = []
    results: list[Result | None] = []
    previous: Result | None = None
    seen: dict[str, warnings.WarningMessage] = {}
    for value in values:
        point = model.replace(**{name: value})
        start, how = (None, "none")
        if warm_start and previous is not None and previous.plan is not None:
            start, how = neighbour_start(point, instance, previous.plan)
        log.debug("tradeoff %s=%r: warm start %s", name, value, how)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = solve(point, instance, backend, warm_start=start, **solve_options)
        except (InfeasibleError, NoSolutionError) as err:
            status = "infeasible" if isinstance(err, InfeasibleError) else "no_solution"
            rows.append({name: value, "status": status, "warm_start": how, "note": str(err)})
            results.append(None)
            continue
        for w in caught:  # once per curve, not once per point
            seen.setdefault(str(w.message), w)
        rows.append(point_row(name, value, res, how))
        results.append(res)
        previous = res
    for w in seen.values():
        warnings.warn(w.message, w.category, stacklevel=2)
    table = pd.DataFrame(rows, columns=columns(name, model.covering))
    return Tradeoff(parameter=name, model=model, results=tuple(results), table=table)


def columns(name: str, covering: bool) -> list[str]:
    """The table's columns, in order."""
    cols = [name, "objective", "bound", "gap", "status", "time", "n_open", "open_sites"]
    cover = ["covered_weight", "coverage_share"] if covering else []
    return [*cols, *cover, "warm_start", "note"]


def point_row(name: str, value: Any, res: Result, how: str) -> dict[str, Any]:
    """One table row of a solved point."""
    row = {
        name: value,
        "objective": res.objective,
        "bound": res.bound,
        "gap": res.gap,
        "status": res.status,
        "time": res.runtime + res.build_time,
        "n_open": len(res.open_sites),
        "open_sites": res.open_sites.tolist(),
        "warm_start": how,
        "note": "",
    }
    if res.model.covering:
        row["covered_weight"] = res.covered_weight
        row["coverage_share"] = res.coverage_share
    return row


def neighbour_start(model: Model, instance: Instance, plan: Plan) -> tuple[Plan | None, str]:
    """The neighbour's ``plan`` as a start for ``model``, or None if it breaks a rule.

    With another ``p``, a plain :class:`~erlocate.plan.Plan` is adapted first:
    sites are added one at a time, each the one whose opening gives the best
    objective (recomputed by :meth:`Model.evaluate` with nearest allocation),
    or dropped one at a time (the one whose closing costs least; never a
    required site). The result must pass :meth:`Model.check`; a start that
    would break a rule (a capacity, a cover the new standard needs ...) is not
    used.

    Returns
    -------
    (Plan or None, str)
        The start and how it was made: ``"previous"``, ``"adapted"`` or ``"none"``.
    """
    how = "previous"
    target = getattr(model, "p", None)
    count = int(plan.open.sum())
    if isinstance(target, (int, np.integer)) and count != target:
        work = instance.n_sites * abs(int(target) - count)
        if type(plan) is not Plan or work > ADAPT_WORK:
            return None, "none"
        plan = adapt_count(model, instance, plan.open, int(target))
        how = "adapted"
    if not Checker(instance, plan).structure() or model.check(instance, plan):
        return None, "none"
    return plan, how


def adapt_count(model: Model, instance: Instance, open_: np.ndarray, target: int) -> Plan:
    """``open_`` with sites added or dropped greedily (by the model's objective) to ``target``."""
    open_ = open_.copy()
    sign = 1.0 if model.sense == "max" else -1.0
    while int(open_.sum()) != target:
        grow = int(open_.sum()) < target
        candidates = np.flatnonzero(~open_ if grow else open_ & ~instance.required)
        if candidates.size == 0:
            break
        scores = []
        for j in candidates:  # one evaluation per candidate site: a start, not the model
            trial = open_.copy()
            trial[j] = grow
            scores.append(sign * model.evaluate(instance, Plan.nearest(instance, trial)))
        open_[candidates[int(np.argmax(scores))]] = grow
    return Plan.nearest(instance, open_)
