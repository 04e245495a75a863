r"""Alternative plans: the k best plans distinct in their open sites, by no-good cuts.

:func:`alternatives` solves the model once, then again with one no-good row
per plan found (:func:`erlocate.workflow.nogood.add_nogood_rows`): the
:math:`r`-th MILP is the model with the :math:`r - 1` plans before excluded,
so its proven optimum is the :math:`r`-th best plan (up to ties). Each plan is
decoded and :meth:`~erlocate.result.Result.verify`-ed like any result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions
from erlocate.errors import ErlocateError, InputError
from erlocate.inputs import by_label
from erlocate.instance import Instance
from erlocate.models.base import Model, cutoff_breach
from erlocate.params import integer, number
from erlocate.result import Result
from erlocate.solve import solve
from erlocate.workflow.nogood import (
    add_nogood_rows,
    restricted_result,
    single_milp_model,
    site_block,
)

__all__ = ["Alternatives", "alternatives", "ranked_worse"]

log = logging.getLogger(__name__)

#: Why an enumeration stopped: the reasons that leave the list proven complete.
COMPLETE_STOPS = ("k", "within", "exhausted")


def ranked_worse(value: float, best: float, sense: str) -> float:
    """How much worse ``value`` is than ``best`` in the model's sense (>= 0 when worse)."""
    return float(value - best) if sense == "min" else float(best - value)


def tie_tolerance(best: float) -> float:
    """Objectives this close to the best count as tied (float rounding of sums)."""
    return 1e-9 * max(1.0, abs(best))


@dataclass(frozen=True, eq=False)
class Alternatives:
    """The plans :func:`alternatives` found, best first, and how they differ.

    Attributes
    ----------
    results : tuple of Result
        One verified result per plan, ranked (``results[0]`` is the best).
    objectives : tuple of float
        Each plan's objective recomputed from the data (:meth:`Model.evaluate`).
    model : Model
        The model as solved (its single-MILP form; see ``changes``).
    changes : tuple of str
        Parameters changed to reach that form, e.g. ``"reduce=True -> False"``.
    k, within : int or None, float or None
        What was asked.
    stop : str
        Why the enumeration stopped: ``"k"`` (k plans), ``"within"`` (the next
        plan is farther than ``within`` from the best; its objective is
        ``next_objective``), ``"exhausted"`` (no other plan exists), ``"limit"``
        (``limit`` plans, more may qualify), or the status of a solve that
        found no plan (``"no_solution"`` on a time limit, ...).
    next_objective : float or None
        The objective of the best plan left out (``stop == "within"``).
    proven : bool
        Every solve, the stopping one included, proven (optimal or infeasible)
        and the stop one of ``"k"``, ``"within"``, ``"exhausted"``: then the
        list is exactly the k best plans, or every plan within ``within``.
    zones : numpy.ndarray or None
        A zone label per demand point (for :attr:`zone_coverage`).
    """

    results: tuple[Result, ...]
    objectives: tuple[float, ...]
    model: Model
    changes: tuple[str, ...]
    k: int | None
    within: float | None
    stop: str
    next_objective: float | None
    proven: bool
    zones: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[Result]:
        return iter(self.results)

    def __getitem__(self, rank: int) -> Result:
        return self.results[rank]

    @property
    def best(self) -> Result:
        """The first (best) plan."""
        return self.results[0]

    @property
    def instance(self) -> Instance:
        return self.best.instance

    def gap_to_best(self, value: float) -> float:
        """Relative distance of ``value`` from the best objective, worse > 0 (absolute at 0)."""
        best = self.objectives[0]
        worse = ranked_worse(value, best, self.model.sense)
        if abs(worse) <= tie_tolerance(best):
            return 0.0
        return worse / abs(best) if best != 0 else float(np.sign(worse) * np.inf)

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per plan: ``rank`` (1 = best), ``objective`` (from the data),
        ``gap_to_best`` (relative, in the model's sense), ``status``, ``bound`` and
        ``gap`` of its solve, ``n_open``, ``added`` / ``removed`` (site ids open
        here and not in the best plan, and the reverse), ``open_sites`` and, for
        covering models, ``coverage_share``."""
        ids = self.instance.site_ids
        best = self.best.plan
        assert best is not None, "every plan found has a plan"
        rows: list[dict[str, Any]] = []
        for rank, (res, value) in enumerate(
            zip(self.results, self.objectives, strict=True), start=1
        ):
            assert res.plan is not None
            open_ = res.plan.open
            row = {
                "rank": rank,
                "objective": value,
                "gap_to_best": self.gap_to_best(value),
                "status": res.status,
                "bound": res.bound,
                "gap": res.gap,
                "n_open": int(open_.sum()),
                "added": ids[open_ & ~best.open].tolist(),
                "removed": ids[best.open & ~open_].tolist(),
                "open_sites": ids[open_].tolist(),
            }
            if self.model.covering:
                row["coverage_share"] = res.coverage_share
            rows.append(row)
        return pd.DataFrame(rows).set_index("rank")

    @cached_property
    def zone_coverage(self) -> pd.DataFrame | None:
        """Covering models with ``zones``: the share of each zone's weight covered, one row
        per plan (index ``rank``), one column per zone (recomputed from ``Result.coverage``)."""
        if self.zones is None or not self.model.covering:
            return None
        zones = pd.Series(self.zones, index=self.instance.demand_ids)
        shares = {}
        for rank, res in enumerate(self.results, start=1):
            cov = res.coverage
            assert cov is not None, "a covering result has its coverage table"
            covered = (cov["weight"] * cov["covered_share"]).groupby(zones).sum()
            total = cov["weight"].groupby(zones).sum()
            shares[rank] = covered / total.where(total > 0)
        out = pd.DataFrame(shares).T
        out.index.name, out.columns.name = "rank", "zone"
        return out

    def summary(self) -> str:
        """A few lines: how many plans, why the list ends, and each plan's objective."""
        state = "proven" if self.proven else "not proven"
        lines = [
            f"{len(self)} plans of {type(self.model).__name__} ({state}; stop: {self.stop})",
        ]
        if self.next_objective is not None:
            lines.append(f"  best plan left out: objective {self.next_objective:.10g}")
        for rank, row in self.table.iterrows():
            lines.append(
                f"  {rank}: {row['objective']:.10g} (+{100 * row['gap_to_best']:.4g} %), "
                f"in {row['added']}, out {row['removed']}"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Alternatives {type(self.model).__name__}: {len(self)} plans, stop={self.stop}>"


def alternatives(
    model: Model,
    instance: Instance,
    k: int | None = 5,
    within: float | None = None,
    backend: str = "highs",
    *,
    zones: pd.Series | None = None,
    limit: int = 1000,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    verbose: bool = False,
    seed: int | None = None,
) -> Alternatives:
    r"""The ``k`` best plans distinct in their open sites, each proven and verified.

    Plan :math:`r + 1` is the optimum of the model's MILP with one no-good row
    per plan found before (:func:`~erlocate.workflow.nogood.add_nogood_rows`):
    for the open set :math:`S` of a found plan,
    :math:`\sum_{j \in S}(1 - x_j) + \sum_{j \notin S} x_j \ge 1`.
    The model is first put in its single-MILP form without site reductions
    (:func:`~erlocate.workflow.nogood.single_milp_model`: ``reduce=False``,
    ``formulation="dense"``, ``method="milp"``), since an exact reduction that
    closes dominated sites keeps one optimum but hides the plans tied with it.

    Parameters
    ----------
    model : Model
        The model (classical or planning) whose MILP has one binary open flag
        per site.
    instance : Instance
        The data.
    k : int or None
        Most plans to return (default 5); None: no count limit (then ``within``
        decides, and ``within=None`` means ties only).
    within : float, optional
        Keep only plans whose objective is within this fraction of the best
        (relative to ``|best|``, in the model's sense): ``0.01`` = 1 %, ``0`` =
        tied with the best. The enumeration stops at the first plan beyond it.
    backend : str
        Solver backend, as in :func:`erlocate.solve`.
    zones : pandas.Series, optional
        A zone label per demand id, for :attr:`Alternatives.zone_coverage`.
    limit : int
        Safety cap on the number of plans when ``k`` is None (default 1000);
        reaching it stops with ``stop="limit"``.
    time_limit, mip_gap, threads, verbose, seed
        Solver options of every solve (``time_limit`` per plan).

    Returns
    -------
    Alternatives

    Raises
    ------
    InputError
        Bad arguments, or a model without a single-MILP form or binary site block.
    InfeasibleError, NoSolutionError
        No first plan (as :func:`erlocate.solve`).
    """
    if not isinstance(model, Model):
        raise InputError(
            f"model: expected an erlocate model, got {type(model).__name__}", field="model"
        )
    if not isinstance(instance, Instance):
        raise InputError(
            f"instance: expected an erlocate.Instance, got {type(instance).__name__}",
            field="instance",
        )
    k = integer(k, "k", minimum=1, optional=True, hint="the most plans to return, or None")
    within = number(within, "within", minimum=0.0, optional=True, hint="a fraction, 0.01 = 1 %")
    limit = integer(limit, "limit", minimum=1)
    if k is None and within is None:
        within = 0.0
    solver = get_backend(backend)
    single, changes = single_milp_model(model, instance, solver)
    labels = None if zones is None else zone_labels(zones, instance)
    breach = cutoff_breach(single, instance)
    if breach is not None:
        raise InputError(breach, field=single.reach_field)
    single.validate(instance)  # before building, as solve does
    milp = single.build(instance)
    block = site_block(milp, instance.n_sites, type(model).__name__)
    first = solve(
        single,
        instance,
        backend,
        time_limit=time_limit,
        mip_gap=mip_gap,
        threads=threads,
        verbose=verbose,
        seed=seed,
    )
    options = SolveOptions(
        time_limit=time_limit, mip_gap=mip_gap, threads=threads, verbose=verbose, seed=seed
    )
    assert first.plan is not None, "solve raises when there is no plan"
    results, values = [first], [single.evaluate(instance, first.plan)]
    patterns = [first.plan.open.copy()]
    proven = first.status == "optimal"
    stop, next_value = "", None
    best, sense = values[0], single.sense
    while True:
        cap = k if k is not None else limit
        if len(results) >= cap:
            stop = "k" if k is not None else "limit"
            break
        t0 = time.perf_counter()
        cut = add_nogood_rows(milp, np.array(patterns), block)
        build = time.perf_counter() - t0
        out = solver.solve(cut, options)
        if out.x is None:
            stop = "exhausted" if out.status == "infeasible" else out.status
            proven = proven and out.status == "infeasible"
            break
        res = restricted_result(single, instance, cut, out, build)
        assert res.plan is not None
        flags = np.round(cut.block(out.x, block)) > 0.5
        if not np.array_equal(flags, res.plan.open) or any(
            np.array_equal(flags, p) for p in patterns
        ):
            raise ErlocateError(
                f"{type(model).__name__}: the decoded plan's open sites differ from the MILP's "
                f"{block!r} block, or repeat a plan found before; please report"
            )
        value = single.evaluate(instance, res.plan)
        proven = proven and res.status == "optimal"
        worse = ranked_worse(value, best, sense)
        if within is not None and worse > within * abs(best) + tie_tolerance(best):
            stop, next_value = "within", value
            break
        if ranked_worse(value, values[-1], sense) < -tie_tolerance(best):
            log.warning(
                "plan %d is better than plan %d (a solve not proven?)", len(values) + 1, len(values)
            )
        results.append(res)
        values.append(value)
        patterns.append(flags)
    if stop not in COMPLETE_STOPS:
        proven = False
    log.info("alternatives: %d plans of %s, stop %s", len(results), type(model).__name__, stop)
    return Alternatives(
        results=tuple(results),
        objectives=tuple(values),
        model=single,
        changes=tuple(changes),
        k=k,
        within=within,
        stop=stop,
        next_objective=next_value,
        proven=proven,
        zones=labels,
    )


def zone_labels(zones: Any, instance: Instance) -> np.ndarray:
    """``zones`` (a Series of labels by demand id) aligned to the instance's demand ids."""
    if not isinstance(zones, pd.Series):
        raise InputError(
            f"zones: expected a pandas Series of zone labels indexed by demand id, got "
            f"{type(zones).__name__}",
            field="zones",
        )
    labels = by_label(zones, instance.demand_ids, "zones", dropped=instance.dropped)
    missing = pd.isna(labels)
    if missing.any():
        raise InputError(
            f"zones: {int(missing.sum())} demand points have no zone label; give every point one",
            field="zones",
        )
    return np.asarray(labels)
