r"""Fire stations robust to disasters: one set of stations, districts redrawn per scenario.

:class:`RobustFireStations` takes a :class:`~erlocate.planning.firestations.FireStations`
model (its types, standard, turnout, areas, budget, max_new ...) and a
:class:`~erlocate.models.robust_scenarios.Scenarios`, and builds one MILP:
the stations and their types are chosen once; each scenario has its own
responsibility districts, drawn on its own network (closed roads), demand
(surges) and available stations (a lost station serves nobody there).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.decomposition.loop import LoopOutput
from erlocate.errors import InfeasibleError, InputError
from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.models.robust import OBJECTIVES, RobustCover, as_scenarios
from erlocate.params import choice
from erlocate.plan import Checker, Plan
from erlocate.planning.firestations import inputs, precheck, verify
from erlocate.planning.firestations.inputs import FireData
from erlocate.planning.firestations.params import FireParams
from erlocate.planning.firestations.plan import StationPlan
from erlocate.planning.firestations.robust_formulation import (
    RobustStationPlan,
    decode,
    formulate,
    scenario_pairs,
)
from erlocate.planning.lexicographic import second_level

__all__ = ["RobustFireStations", "RobustStationPlan"]


class RobustFireStations(RobustCover):
    r"""Fire stations by type over scenarios: worst-case or expected coverage, or no blank spot.

    With :math:`x_j, y_{jt}` the stations and types of
    :class:`~erlocate.planning.firestations.FireStations` (shared by every
    scenario) and :math:`z^s_{ij}` the districts of scenario :math:`s`
    (pairs within the standard in :math:`s`'s costs, at sites available in
    :math:`s`, whose area fits a type allowed there):

    .. math::

        z^s_{ij} \le x_j,\qquad \sum_i a^s_i z^s_{ij} \le \sum_t K_t y_{jt},\qquad
        \sum_j z^s_{ij} \;\begin{cases} = 1 & \text{cover\_all}\\ \le 1 & \text{max\_cover}
        \end{cases}\qquad \forall s,

    with the base model's ``budget`` and ``max_new`` rows once.
    ``mode="max_cover"``: ``objective="worst"`` maximises :math:`t \le \sum_{ij}
    w^s_i z^s_{ij}\;\forall s`, ``"expected"`` maximises :math:`\sum_s \pi_s
    \sum_{ij} w^s_i z^s_{ij}`. ``mode="cover_all"``: the least cost of
    stations that leave no blank spot in any scenario (``objective`` unset).

    ``objective="worst"`` then breaks ties exactly by the expected coverage
    (:meth:`solve_loop`), so every scenario's districts hold what its stations
    can. Not carried over from :class:`~erlocate.planning.firestations.FireStations`:
    second coverage and closest districts (refused), the least-cost tie-break
    among plans of equal coverage (a robust max_cover plan may build more than
    its coverage needs, within the budget), and warm starts.

    Parameters
    ----------
    base : FireStations
        The fire-station model: every parameter is used as given.
    scenarios : Scenarios or mapping of str to Instance
        Sites aligned by label; ``area=`` / ``allowed=`` columns are read from
        each scenario's own frames.
    objective : {"worst", "expected"}, optional
        max_cover only (default "worst").

    References
    ----------
    Church & ReVelle (1974); Toregas et al. (1971) (see ``FireStations``).
    Snyder, L.V. (2006). Facility location under uncertainty: a review.
    *IIE Transactions* 38(7), 547–564.
    """

    constraints_hint = "the standard in every scenario, area caps by type, budget, max_new"

    def __init__(self, base: Any, scenarios: Any, *, objective: str | None = None) -> None:
        self.base = base
        self.scenarios = as_scenarios(scenarios)
        self.objective = objective

    def check_params(self) -> None:
        """base is a FireStations without second cover or closest; scenarios; objective."""
        steps = getattr(type(self.base), "steps", None)
        if getattr(steps, "resolve", None) is not inputs.resolve:
            raise InputError(
                f"base: expected a FireStations model, got {type(self.base).__name__}",
                field="base",
            )
        p = self._params()
        for name, off in (("second_cover", p.second_cover is not None), ("closest", p.closest)):
            if off:
                raise InputError(
                    f"{name}: RobustFireStations does not carry {name} over scenarios; "
                    f"give a base model without it",
                    field=name,
                )
        self.check_scenarios()
        if p.mode == "cover_all" and self.objective is not None:
            raise InputError(
                "objective: cover_all covers every scenario wholly; leave objective unset",
                field="objective",
            )
        if p.mode == "max_cover":
            choice(self.objective or "worst", "objective", OBJECTIVES)

    def _params(self) -> FireParams:
        return FireParams(**self.base.parameters())

    @property
    def sense(self) -> str:  # type: ignore[override]
        """``"min"`` (cost) in cover_all, ``"max"`` (covered weight) in max_cover."""
        return self._params().sense

    @property
    def exact_objective(self) -> bool:  # type: ignore[override]
        """Only the worst case's t may sit below the coverage it bounds."""
        return not (self.sense == "max" and self.objective in (None, "worst"))

    @property
    def max_cost(self) -> float | None:  # type: ignore[override]
        """The driving limit ``standard - turnout``."""
        return self._params().max_cost

    def fire_data(self, instance: Instance) -> tuple[FireData, list[FireData], list[np.ndarray]]:
        """The base model resolved on ``instance`` and on each scenario without its lost
        sites, and each scenario site's position in ``instance`` (cached per instance)."""
        cached = self.__dict__.get("_fire")
        if cached is not None and cached[0] is instance:
            return cached[1]
        params = self.base.parameters()
        d0 = inputs.resolve(instance, **params)
        ds, maps = [], []
        for name in self.scenarios.names:
            inst = self.scenarios.effective(name)
            try:
                ds.append(inputs.resolve(inst, **params))
            except InputError as e:
                raise InputError(f"scenario {name!r}: {e}", field=e.field) from e
            maps.append(instance.site_ids.get_indexer(inst.site_ids))
        out = (d0, ds, maps)
        object.__setattr__(self, "_fire", (instance, out))
        return out

    def validate(self, instance: Instance) -> None:
        super().validate(instance)
        d0, ds, maps = self.fire_data(instance)
        for name, d, at in zip(self.scenarios.names, ds, maps, strict=True):
            differ = np.flatnonzero((d.allowed != d0.allowed[at]).any(axis=1))
            if differ.size:
                raise InputError(
                    f"allowed: scenario {name!r} allows other station types than the instance "
                    f"solved at sites {d.instance.site_ids[differ].tolist()}; a station has one "
                    "type in every scenario",
                    field="allowed",
                )
            try:
                precheck.precheck(d)
            except InfeasibleError as e:
                raise InfeasibleError(f"scenario {name!r}: {e}") from e

    def build(self, instance: Instance) -> Milp:
        d0, ds, maps = self.fire_data(instance)
        worst = self.objective in (None, "worst")
        return formulate(d0, ds, maps, self.scenarios.probabilities, worst)

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> RobustStationPlan:
        d0, ds, _ = self.fire_data(instance)
        return decode(d0, ds, self.scenarios.names, milp, x)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        raise InputError(
            "warm_start: not available for RobustFireStations (a start needs every "
            "scenario's districts); solve without warm_start",
            field="warm_start",
        )

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """Worst case: then, exactly, the most expected coverage among the worst-case optima.

        Without stage 2 the districts of a scenario that is not the worst could
        hold less than the stations allow (any amount above the worst case is
        as good to stage 1). Stage 2
        (:func:`~erlocate.planning.lexicographic.second_level`) maximises the
        expected covered weight (equal chances if a scenario has probability 0)
        over the plans keeping stage 1's worst case; it is kept only if its
        plan holds that worst case when recomputed from the data.
        """
        if self.sense != "max" or self.objective not in (None, "worst"):
            return None
        _, ds, maps = self.fire_data(instance)
        milp = self.build(instance)
        first = backend.solve(milp, replace(options, warm_start=None))
        probs = self.scenarios.probabilities
        chance = probs if (probs > 0).all() else np.full(probs.size, 1.0 / probs.size)
        cost = np.zeros(milp.n_cols)
        parts = [scenario_pairs(d, at) for d, at in zip(ds, maps, strict=True)]
        cost[milp.col_blocks["assign"]] = -np.concatenate(
            [pk * d.weight[r] for pk, d, (r, _) in zip(chance, ds, parts, strict=True)]
        )
        lex = second_level(milp, first, cost, backend, options)
        best, out = first, first
        if lex.second is not None and lex.second.x is not None and first.x is not None:
            v1 = self.evaluate(instance, self.decode(instance, milp, first.x))
            v2 = self.evaluate(instance, self.decode(instance, milp, lex.second.x))
            if v2 >= v1 - 1e-9 * max(1.0, abs(v1)):
                best = replace(lex.second, objective=first.objective)
                out = replace(
                    first,
                    runtime=first.runtime + lex.second.runtime,
                    termination=f"{first.termination}; {lex.note}",
                )
        plan = None if best.x is None else self.decode(instance, milp, best.x)
        size: dict[str, float] = {"rows": milp.n_rows, "cols": milp.n_cols, "nnz": milp.nnz}
        size["int_cols"] = int(milp.integrality.sum())
        return LoopOutput(replace(out, x=None), plan, size)

    def scenario_plans(self, instance: Instance, plan: Plan) -> list[StationPlan]:
        """The plan as each scenario sees it: its available stations and its districts."""
        maps = self.fire_data(instance)[2]
        st = np.asarray(getattr(plan, "station_type", np.full(instance.n_sites, -1)))
        districts = getattr(plan, "districts", {})
        out = []
        for name, at in zip(self.scenarios.names, maps, strict=True):
            i, j = districts.get(name, (np.zeros(0, np.int64), np.zeros(0, np.int64)))
            out.append(StationPlan(plan.open[at], i, j, np.ones(len(i)), station_type=st[at]))
        return out

    def scenario_values(self, instance: Instance, open_masks: np.ndarray) -> np.ndarray:
        raise InputError(
            "robust: a fire-station plan's coverage depends on its districts, not only on its "
            "stations; read Result.report()['scenarios'] (no regret table for "
            "RobustFireStations)",
            field="robust",
        )

    def values_table(self, instance: Instance, plan: Plan) -> pd.Series:
        """Each scenario's covered weight (max_cover) or the plan's cost (cover_all)."""
        _, ds, _ = self.fire_data(instance)
        plans = self.scenario_plans(instance, plan)
        vals = [verify.evaluate(d, sp_) for d, sp_ in zip(ds, plans, strict=True)]
        if self.sense == "min":  # every scenario's cost is the frame's (costs and types agree)
            vals = [self._cost(instance, plan)] * len(ds)
        return pd.Series(vals, index=pd.Index(self.scenarios.names, name="scenario"))

    def _cost(self, instance: Instance, plan: Plan) -> float:
        d0, _, _ = self.fire_data(instance)
        st = np.asarray(getattr(plan, "station_type", np.full(instance.n_sites, -1)))
        ok = (st >= 0) & (st < d0.cost.size)
        per_site = d0.fixed + np.where(ok, d0.cost[np.clip(st, 0, d0.cost.size - 1)], 0.0)
        return float(per_site[plan.open & d0.counted].sum())

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        if self.sense == "min":
            return self._cost(instance, plan)
        vals = self.values_table(instance, plan).to_numpy()
        if self.objective in (None, "worst"):
            return float(vals.min())
        return float(self.scenarios.probabilities @ vals)

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        """Stations on the instance solved (types, budget, max_new), then every scenario's
        districts re-checked by the fire-station verifier on that scenario's own data."""
        d0, ds, _ = self.fire_data(instance)
        c = Checker(instance, plan)
        blank = d0.params.mode == "cover_all"
        frame = verify.check(d0, StationPlan(plan.open, *_empty(), station_type=_types(plan)))
        c.breaches += [b for b in frame if not (blank and "blank spots" in b)]
        missing = [n for n in self.scenarios.names if n not in getattr(plan, "districts", {})]
        if missing:
            c.fail(f"plan carries no districts for scenarios {missing}")
        plans = self.scenario_plans(instance, plan)
        for name, d, sp_ in zip(self.scenarios.names, ds, plans, strict=True):
            c.breaches += [f"scenario {name!r}: {b}" for b in verify.check(d, sp_)]
        return c.breaches

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """``scenarios``: probability, value, points in a district and open stations
        available; ``stations``: open stations and their types."""
        d0 = self.fire_data(instance)[0]
        st = _types(plan)
        open_ = np.flatnonzero(plan.open)
        plans = self.scenario_plans(instance, plan)
        table = pd.DataFrame(
            {
                "probability": self.scenarios.probabilities,
                "value": self.values_table(instance, plan).to_numpy(),
                "in_a_district": [sp_.demand_idx.size for sp_ in plans],
                "stations_available": [int(sp_.open.sum()) for sp_ in plans],
            },
            index=pd.Index(self.scenarios.names, name="scenario"),
        )
        stations = pd.DataFrame(
            {"type": d0.types["type"].to_numpy()[st[open_]]},
            index=instance.site_ids[open_].rename("site_id"),
        )
        return {"scenarios": table, "stations": stations}


def _types(plan: Plan) -> np.ndarray:
    return np.asarray(getattr(plan, "station_type", np.full(plan.open.shape, -1)))


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
