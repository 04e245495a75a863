"""What a solve returns: the plan as tables, the solver's figures, and the re-check."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from erlocate.errors import VerificationError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.models.base import Model, capacities_ignored, cutoff_breach
from erlocate.models.capcover import covered_share
from erlocate.plan import Checker, Plan, coverage_counts, nearest_open

if TYPE_CHECKING:
    import folium
    from matplotlib.axes import Axes

    from erlocate.maps.frames import ResultFrames

__all__ = ["Result"]


@dataclass(frozen=True, eq=False)
class Result:
    """The answer of :func:`erlocate.solve`.

    Attributes
    ----------
    model, instance : Model, Instance
        What was solved.
    plan : Plan or None
        Open sites and allocations (None when there is no solution).
    status : str
        ``"optimal"`` (proven, gap <= 1e-6), ``"feasible"`` (a solution without
        proof, e.g. time-limited; see ``gap``), ``"infeasible"``,
        ``"unbounded"``, ``"no_solution"`` or ``"error"``.
    objective, bound, gap : float or None
        Objective of the plan as the solver reports it, the best proven bound,
        and their relative gap.
    runtime : float
        Solver seconds.
    build_time : float
        Seconds spent validating and building the MILP.
    backend : str
        Backend name.
    termination : str
        Why the solver stopped, in its words.
    milp_size : dict
        Rows, columns, integer columns and non-zeros of the MILP.
    """

    model: Model
    instance: Instance
    plan: Plan | None
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    runtime: float
    build_time: float
    backend: str
    termination: str = ""
    milp_size: dict[str, float] = field(default_factory=dict)

    # ------------------------------------------------------------------ tables
    @property
    def has_solution(self) -> bool:
        """True when a plan is available (optimal or feasible)."""
        return self.plan is not None

    @property
    def open_sites(self) -> pd.Index:
        """Ids of the open sites."""
        if self.plan is None:
            return self.instance.site_ids[:0]
        return self.instance.site_ids[self.plan.open]

    @cached_property
    def assignment(self) -> pd.DataFrame:
        """One row per allocation: ``demand_id, site_id, cost, share, weight``.

        Covering models: each point with its nearest open site (if it reaches one),
        covered or not; capacitated coverage: the sites it is assigned to.
        """
        inst = self.instance
        if self.plan is None:
            return pd.DataFrame(columns=["demand_id", "site_id", "cost", "share", "weight"])
        i, j = self.plan.demand_idx, self.plan.site_idx
        return pd.DataFrame(
            {
                "demand_id": inst.demand_ids[i],
                "site_id": inst.site_ids[j],
                "cost": inst.cost_of(i, j),
                "share": self.plan.share,
                "weight": inst.weights[i] * self.plan.share,
            }
        )

    @cached_property
    def sites(self) -> pd.DataFrame:
        """One row per site: open, required, site cost, capacity, load, demand points served."""
        inst = self.instance
        open_ = self.plan.open if self.plan is not None else np.zeros(inst.n_sites, bool)
        load: np.ndarray = np.zeros(inst.n_sites)
        served: np.ndarray = np.zeros(inst.n_sites)
        if self.plan is not None:
            i, j, s = self.plan.demand_idx, self.plan.site_idx, self.plan.share
            load = np.bincount(j, weights=inst.demand[i] * s, minlength=inst.n_sites)
            served = np.bincount(j, weights=s, minlength=inst.n_sites)
        return pd.DataFrame(
            {
                "open": open_,
                "required": inst.required,
                "site_cost": inst.site_costs,
                "capacity": inst.capacities,
                "load": load,
                "served": served,
            },
            index=inst.site_ids.rename("site_id"),
        ).assign(**getattr(self.plan, "site_columns", dict)())  # e.g. a UnitPlan's units

    @cached_property
    def coverage(self) -> pd.DataFrame | None:
        """Covering models: per demand point its weight, nearest open site and cost, open sites
        within the standard, the share covered (assigned within it if capacitated), covered."""
        if not self.model.covering or self.plan is None:
            return None
        inst = self.instance
        site, cost = nearest_open(inst, self.plan.open)
        standard = self.model.max_cost
        assert standard is not None, "a covering model has a standard"
        counts = coverage_counts(inst, self.plan.open, standard)
        cov = covered_share(inst, self.plan, standard, getattr(self.model, "assigns_cover", False))
        nearest = pd.Series(inst.site_ids.take(np.maximum(site, 0)), dtype=object)
        nearest = nearest.where(site >= 0, None).to_numpy()
        return pd.DataFrame(
            {
                "weight": inst.weights,
                "nearest_site": nearest,
                "nearest_cost": cost,
                "n_covering": counts,
                "covered_share": cov,
                "covered": cov >= 1 - 1e-9,
            },
            index=inst.demand_ids.rename("demand_id"),
        )

    @property
    def covered_weight(self) -> float | None:
        """Demand weight within the standard of an open site (covering models)."""
        cov = self.coverage
        return None if cov is None else float(cov["weight"] @ cov["covered_share"])

    @property
    def coverage_share(self) -> float | None:
        """Covered weight as a share of the total weight (covering models)."""
        covered, total = self.covered_weight, float(self.instance.weights.sum())
        return None if covered is None else (covered / total if total > 0 else 1.0)

    # ------------------------------------------------------------------ checks
    def verify(self) -> Result:
        """Re-check the plan against the input data; raise VerificationError on any breach.

        Checks every constraint of the model (open count, required sites,
        allocations only to open, reachable sites within the cut-off, shares
        summing to one, capacities, single sourcing, coverage), recomputes the
        objective from the data and compares it with the reported one, checks
        the bound's side, and for plans reported optimal also checks the
        necessary optimality conditions the model knows (e.g. nearest-site
        allocation). Nothing is read from the MILP or the solver's vector.

        Returns
        -------
        Result
            ``self``, so calls can be chained.
        """
        if self.plan is None:
            return self
        checker = Checker(self.instance, self.plan)
        if not checker.structure():
            raise VerificationError(checker.breaches)
        breaches = self.status_breaches()
        breaches += list(self.model.check(self.instance, self.plan))
        cut = cutoff_breach(self.model, self.instance)
        if cut is not None:
            breaches.append(cut)
        recomputed = self.model.evaluate(self.instance, self.plan)
        checker.objective(
            recomputed,
            self.objective,
            sense=self.model.sense,
            exact=self.model.exact_objective,
            optimal=self.status == "optimal",
        )
        checker.bound(self.objective, self.bound, self.model.sense)
        breaches += checker.breaches
        if self.status == "optimal":
            breaches += self.model.check_optimal(self.instance, self.plan)
        if breaches:
            raise VerificationError(breaches)
        return self

    @cached_property
    def levels(self) -> pd.DataFrame | None:
        """What is proven per level of a lexicographic objective (None for one level).

        One row per level: its ``value`` on the plan, the ``bound`` the solver's
        bound on the combined objective implies for it once the levels before
        are settled, and ``proven``. A combined objective
        :math:`f_1 + w_2 f_2 + \\dots` whose later terms stay below the first
        level's resolution :math:`\\delta_1` gives :math:`f_1 \\ge \\delta_1
        \\lfloor B / \\delta_1 \rfloor` from a bound :math:`B` (minimising; ``<=`` maximising); if
        the plan's :math:`f_1` meets it, the first level is proven and the rest
        of :math:`B` bounds the next level. So "7 new shelters, proven minimum"
        can stand beside a gap in walking.
        """
        if self.plan is None:
            return None
        levels = self.model.levels(self.instance, self.plan)
        if not levels:
            return None
        sign = 1.0 if self.model.sense == "min" else -1.0  # maximising: lb is the most
        rest = self.bound if self.bound is not None and np.isfinite(self.bound) else None
        rows = []
        for name, weight, resolution, value in levels:
            bound = proven = None
            if rest is not None:
                lb = rest / weight
                if resolution > 0:  # the later levels add less than one step of this one
                    lb = resolution * np.floor(lb / resolution + 1e-9)
                bound = float(lb)
                proven = bool(sign * (value - lb) <= 1e-9 * max(1.0, abs(value)) + 1e-9)
                rest = rest - weight * value if proven else None
            rows.append({"level": name, "value": value, "bound": bound, "proven": proven})
        return pd.DataFrame(rows)

    def status_breaches(self) -> list[str]:
        """The reported figures agree with each other: an ``"optimal"`` result has a gap
        of at most :data:`~erlocate.backends.base.OPTIMAL_GAP`, recomputed from its
        objective and bound (not read from ``gap``)."""
        from erlocate.backends.base import OPTIMAL_GAP, relative_gap

        out: list[str] = []
        if self.status != "optimal":
            return out
        if self.objective is None or self.bound is None:
            out.append("status is optimal but the objective or bound is missing")
            return out
        gap = relative_gap(self.objective, self.bound)
        close = abs(self.objective - self.bound) <= 1e-6  # the solvers' absolute gap
        if not close and (gap is None or gap > OPTIMAL_GAP * (1 + 1e-9) + 1e-12):
            out.append(
                f"status is optimal but objective {self.objective:.10g} and bound "
                f"{self.bound:.10g} differ by a gap of {gap!r} > {OPTIMAL_GAP:g}"
            )
        if self.gap is not None and self.gap > OPTIMAL_GAP * (1 + 1e-9) + 1e-12:
            out.append(f"status is optimal but the reported gap is {self.gap:.4g}")
        return out

    # ------------------------------------------------------------------ reports
    def report(self) -> dict[str, pd.DataFrame]:
        """The model's planner-facing tables (name -> DataFrame), e.g. stations by type.

        Planning models (:mod:`erlocate.planning`) fill this; classical models
        return ``{}`` (use :attr:`assignment`, :attr:`sites`, :attr:`coverage`).
        """
        if self.plan is None:
            return {}
        return self.model.report(self.instance, self.plan)

    def to_dict(self) -> dict[str, Any]:
        """Scalar figures as a flat dict (stack many into a DataFrame for sweeps)."""
        return {
            "model": type(self.model).__name__,
            "instance": self.instance.name,
            "backend": self.backend,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "runtime": self.runtime,
            "build_time": self.build_time,
            "n_open": len(self.open_sites),
            "covered_weight": self.covered_weight,
            **{f"milp_{k}": v for k, v in self.milp_size.items()},
        }

    def summary(self) -> str:
        """A few lines a planner can read: status, objective, bound, gap, sites, coverage."""
        lines = [
            f"{self.model!r} on {self.instance!r}",
            f"  backend {self.backend}: {self.status} ({self.termination}) in {self.runtime:.3f} s"
            f" (+{self.build_time:.3f} s build)",
        ]
        if self.objective is not None:
            gap = "n/a" if self.gap is None else f"{100 * self.gap:.4g} %"
            bound = "n/a" if self.bound is None else f"{self.bound:.10g}"
            lines.append(f"  objective {self.objective:.10g}   bound {bound}   gap {gap}")
        ignored = capacities_ignored(self.model, self.instance)
        if ignored is not None:
            lines.append(f"  note: {ignored}")
        if self.plan is not None:
            ids = self.open_sites.tolist()
            shown = ", ".join(map(str, ids[:12])) + (" ..." if len(ids) > 12 else "")
            lines.append(f"  {len(ids)} open sites: {shown}")
            fmt = self.instance.format_cost
            if self.model.covering:
                lines.append(
                    f"  covered within {fmt(float(self.model.max_cost or 0))}: "
                    f"{self.covered_weight:,.6g} "
                    f"of {float(self.instance.weights.sum()):,.6g} weight "
                    f"({100 * (self.coverage_share or 0.0):.2f} %)"
                )
            elif len(self.plan.demand_idx):  # models that allocate demand
                a = self.assignment
                mean = float(np.average(a["cost"], weights=a["weight"])) if a["weight"].sum() else 0
                largest = float(a["cost"].max()) if len(a) else 0.0
                lines.append(
                    f"  weighted mean cost {fmt(float(f'{mean:.6g}'))}, "
                    f"largest assigned cost {fmt(float(f'{largest:.6g}'))}"
                )
        levels = self.levels
        if levels is not None:
            for row in levels.itertuples():
                state = (
                    "proven optimal"
                    if row.proven is True
                    else ("not proven" if pd.isna(row.bound) else f"bound {row.bound:,.6g}")
                )
                lines.append(f"  level {row.level}: {row.value:,.6g} ({state})")
        if self.instance.dropped:
            gone = self.instance.dropped
            lines.append(
                f"  not served: {len(gone)} demand points dropped from the instance "
                f"(instance.dropped): {show_ids(gone)}"
            )
        return "\n".join(lines)

    # ------------------------------------------------------------------ maps
    def to_geodataframes(self) -> ResultFrames:
        """The plan as GeoDataFrames ``sites``, ``demand`` and ``links``.

        See :func:`erlocate.maps.to_geodataframes`. Needs an instance with
        ``demand_frame`` and ``site_frame`` (else InputError).
        """
        from erlocate.maps import to_geodataframes  # local: keeps `import erlocate` light

        return to_geodataframes(self)

    def plot(
        self,
        *,
        ax: Axes | None = None,
        roads: Any = None,
        units: Any = None,
        title: str | None = None,
        show_links: bool = True,
        figsize: tuple[float, float] = (8, 8),
    ) -> Axes:
        """A static map of the plan on matplotlib Axes; see :func:`erlocate.maps.plot`."""
        from erlocate.maps import plot

        return plot(
            self,
            ax=ax,
            roads=roads,
            units=units,
            title=title,
            show_links=show_links,
            figsize=figsize,
        )

    def explore(
        self,
        path: Any = None,
        *,
        roads: Any = None,
        units: Any = None,
        tiles: str = "OpenStreetMap",
    ) -> folium.Map:
        """An interactive folium map, saved as HTML to ``path`` when given.

        See :func:`erlocate.maps.explore`; needs ``pip install erlocate[maps]``.
        """
        from erlocate.maps import explore

        return explore(self, path, roads=roads, units=units, tiles=tiles)

    def __repr__(self) -> str:
        obj = "—" if self.objective is None else f"{self.objective:.10g}"
        return (
            f"<Result {type(self.model).__name__} {self.status} objective={obj} "
            f"backend={self.backend} open={len(self.open_sites)}>"
        )
