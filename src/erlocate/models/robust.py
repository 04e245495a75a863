r"""Plans robust to disasters: MCLP over a set of scenarios, in one exact MILP.

A plan is built once but must serve whatever happens: the normal network,
the flood that closes roads, the earthquake that takes a station. The robust
models open one set of sites :math:`x` and count its coverage in every
scenario :math:`s` of a :class:`~erlocate.models.robust_scenarios.Scenarios`
from that scenario's own data: its costs (closures make pairs slower or
unreachable), its weights (a demand surge), its available sites (a lost site
serves nobody there). :class:`~erlocate.models.robust_lscp.RobustLSCP` covers
every point of every scenario at least cost;
:func:`~erlocate.models.robust_regret.regret_table`
compares the robust plan with each scenario's own optimum.

Design: a robust model takes the scenarios as a parameter, and is solved on
an instance whose site ids are the candidate sites (usually
``scenarios.reference``, the normal network): ``solve(RobustMCLP(3, 8.0,
scenarios), scenarios.reference)``. That instance is the frame the plan is
reported in (site ids, required sites, site costs, maps, ``Result.coverage``
in it); the objective and the re-check read every scenario's own instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, cutoff_breach
from erlocate.models.blocks import add_count
from erlocate.models.checks import check_count, check_max_cost, check_p
from erlocate.models.robust_scenarios import Scenarios, covered_weights
from erlocate.params import boolean, choice
from erlocate.plan import Checker, Plan

__all__ = ["OBJECTIVES", "RobustCover", "RobustMCLP", "as_scenarios", "scenario_pairs"]

#: How :class:`RobustMCLP` combines the scenarios' coverage.
OBJECTIVES = ("worst", "expected")


def scenario_pairs(
    scenarios: Scenarios, instance: Instance, max_cost: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per scenario, its pairs within ``max_cost`` at available sites: (demand row in the
    scenario, site position in ``instance``)."""
    pos = scenarios.positions(instance.site_ids)
    out = []
    for k, inst in enumerate(scenarios.instances):
        to_frame = np.full(inst.n_sites, -1, dtype=np.int64)
        have = np.flatnonzero(pos[k] >= 0)
        to_frame[pos[k, have]] = have
        ok = (inst.costs <= max_cost) & (to_frame[inst.indices] >= 0)
        out.append((inst.pair_rows[ok], to_frame[inst.indices[ok]]))
    return out


def as_scenarios(value: Any) -> Any:
    """A mapping name -> Instance becomes a :class:`Scenarios`; anything else as given."""
    if isinstance(value, Mapping) and not isinstance(value, Scenarios):
        return Scenarios(value)
    return value


class RobustCover(Model):
    """What the robust covering models share: the scenarios, their checks and evaluation."""

    covering = True
    exact_objective = False  # the MILP's y (and t) may sit below the coverage they bound
    scenarios: Scenarios
    max_cost: float

    def check_scenarios(self) -> None:
        if not isinstance(self.scenarios, Scenarios):
            raise InputError(
                "scenarios: expected a Scenarios or a mapping scenario name -> Instance, got "
                f"{type(self.scenarios).__name__}",
                field="scenarios",
            )

    def validate(self, instance: Instance) -> None:
        """The instance has the candidate sites; every scenario's costs reach the standard,
        and its required sites and site costs (if it has any) agree with the instance's."""
        self.scenarios.positions(instance.site_ids)  # the candidate sites, else InputError
        for name, inst in self.scenarios.items():
            breach = cutoff_breach(self, inst)
            if breach is not None:
                raise InputError(f"scenario {name!r}: {breach}", field=self.reach_field)
            have = np.flatnonzero(instance.site_ids.isin(inst.site_ids))
            at = inst.site_ids.get_indexer(instance.site_ids[have])
            pairs = [("required", instance.required[have], inst.required[at])]
            if inst.has_site_costs:  # a scenario without site costs does not disagree
                pairs.append(("site_costs", instance.site_costs[have], inst.site_costs[at]))
            for what, mine, theirs in pairs:
                differ = np.flatnonzero(mine != theirs)
                if differ.size:
                    raise InputError(
                        f"{what}: scenario {name!r} differs from the instance solved at sites "
                        f"{show_ids(instance.site_ids[have[differ]])}; a plan has one set of "
                        f"{what.replace('_', ' ')}: give every scenario the same",
                        field=what,
                    )

    def scenario_values(self, instance: Instance, open_masks: np.ndarray) -> np.ndarray:
        """Scenarios × plans: each plan's value in each scenario, from the scenario's data."""
        raise NotImplementedError

    def values_table(self, instance: Instance, plan: Plan) -> pd.Series:
        """The plan's value in each scenario (a Series indexed by scenario name)."""
        vals = self.scenario_values(instance, np.asarray(plan.open, bool)[:, None])[:, 0]
        return pd.Series(vals, index=pd.Index(self.scenarios.names, name="scenario"))

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        return Plan.nearest(instance, np.round(milp.block(x, "open")) > 0.5)

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """``scenarios``: probability and the plan's value in each scenario."""
        table = pd.DataFrame(
            {
                "probability": self.scenarios.probabilities,
                "value": self.values_table(instance, plan).to_numpy(),
            },
            index=pd.Index(self.scenarios.names, name="scenario"),
        )
        return {"scenarios": table}


class RobustMCLP(RobustCover):
    r"""Maximal covering over scenarios: the worst-case or expected coverage of one plan.

    One set of open sites :math:`x` serves every scenario :math:`s`, in
    which demand point :math:`i` (weight :math:`w^s_i`) is covered when an
    open site available in :math:`s` is within the standard :math:`S` in
    :math:`s`'s costs, :math:`j \in N^s_i`:

    .. math::

        \sum_{j \in N^s_i} x_j \ge y^s_i \;\forall s, i,\qquad
        \sum_j x_j = p,\qquad x_j \in \{0,1\},\; y^s_i \in [0,1],

    ``objective="worst"`` (maximin, Kouvelis & Yu 1997):
    :math:`\max t` s.t. :math:`t \le \sum_i c^s_i y^s_i \;\forall s`;
    ``objective="expected"`` (stochastic MCLP): :math:`\max \sum_s \pi_s
    \sum_i c^s_i y^s_i` with the scenarios' probabilities :math:`\pi_s`.
    :math:`c^s_i = w^s_i`, or :math:`w^s_i / W^s` (:math:`W^s = \sum_i
    w^s_i`) with ``relative=True``: each scenario's covered *share*, so a
    scenario with more people does not dominate the worst case by size.
    :math:`y` is continuous: for binary :math:`x` an optimum sets
    :math:`y^s_i = \min(1, \sum_{N^s_i} x_j)`. Points with empty
    :math:`N^s_i` or zero weight get no :math:`y` (they add nothing).
    Required sites of the instance solved are fixed open.

    Parameters
    ----------
    p : int
        Number of sites to open.
    max_cost : float
        The coverage standard S, in every scenario.
    scenarios : Scenarios or mapping of str to Instance
        What may happen; sites aligned by label (see :class:`Scenarios`).
    objective : {"worst", "expected"}
        Maximise the least coverage over the scenarios, or the expected one.
    relative : bool
        Count each scenario's covered share of its weight instead of the weight.

    References
    ----------
    Kouvelis, P. & Yu, G. (1997). *Robust Discrete Optimization and Its
    Applications*. Kluwer (absolute robust and minimax-regret criteria).
    Snyder, L.V. (2006). Facility location under uncertainty: a review.
    *IIE Transactions* 38(7), 547–564.
    Church, R. & ReVelle, C. (1974). The maximal covering location problem.
    *Papers of the Regional Science Association* 32, 101–118.
    """

    sense = "max"
    constraints_hint = "p, standard, required sites"

    def __init__(
        self,
        p: int,
        max_cost: float,
        scenarios: Scenarios | Mapping[str, Instance],
        *,
        objective: str = "worst",
        relative: bool = False,
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.scenarios = as_scenarios(scenarios)
        self.objective = objective
        self.relative = relative

    def check_params(self) -> None:
        """p, max_cost, scenarios, objective and relative."""
        check_count(self.p)
        check_max_cost(self.max_cost)
        self.check_scenarios()
        choice(self.objective, "objective", OBJECTIVES)
        boolean(self.relative, "relative")

    def validate(self, instance: Instance) -> None:
        check_p(self.p, instance)
        super().validate(instance)

    def coefficients(self) -> list[np.ndarray]:
        """Per scenario, what covering each of its points is worth (weights or shares)."""
        total = self.scenarios.total_weights()
        return [
            inst.weights / total[k] if self.relative and total[k] > 0 else inst.weights
            for k, inst in enumerate(self.scenarios.instances)
        ]

    def build(self, instance: Instance) -> Milp:
        worst = self.objective == "worst"
        b = MilpBuilder(f"robust_mclp_{self.objective}_{len(self.scenarios)}_scenarios", "max")
        x = b.add_cols(
            "open", instance.n_sites, lb=instance.required.astype(float), ub=1.0, integer=True
        )
        coef = self.coefficients()
        rows, cols, ys, obj, scen = [], [], [], [], []
        offset = 0
        for k, (r, c) in enumerate(scenario_pairs(self.scenarios, instance, self.max_cost)):
            points = np.unique(r[coef[k][r] > 0])  # coverable, with weight
            keep = np.isin(r, points)
            rows.append(offset + np.searchsorted(points, r[keep]))
            cols.append(x[c[keep]])
            ys.append(offset + np.arange(points.size))
            obj.append(coef[k][points] * (1.0 if worst else self.scenarios.probabilities[k]))
            scen.append(np.full(points.size, k))
            offset += points.size
        # for binary x the best y_i^s is min(1, open sites covering i in s): integral
        y = b.add_cols(
            "covered",
            offset,
            obj=0.0 if worst else np.concatenate(obj),
            ub=1.0,
            implied_integer=True,
        )
        ks = np.concatenate(ys)
        b.add_rows(  # sum_{j in N_i^s} x_j - y_i^s >= 0
            "cover",
            rows=np.concatenate([*rows, ks]),
            cols=np.concatenate([*cols, y]),
            vals=np.concatenate([np.ones(sum(map(len, rows))), -np.ones(offset)]),
            lb=0.0,
            n_rows=offset,
        )
        if worst:
            n_s = len(self.scenarios)
            t = b.add_cols("worst", 1, obj=1.0)
            b.add_rows(  # t - sum_i c_i^s y_i^s <= 0 for every scenario
                "scenario",
                rows=np.concatenate([np.concatenate(scen), np.arange(n_s)]),
                cols=np.concatenate([y, np.repeat(t, n_s)]),
                vals=np.concatenate([-np.concatenate(obj), np.ones(n_s)]),
                ub=0.0,
                n_rows=n_s,
            )
        add_count(b, x, int(self.p))
        return b.build()

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = super().encode(instance, milp, plan)
        cover = milp.A[milp.row_blocks["cover"]][:, milp.col_blocks["open"]]
        y = np.minimum(np.asarray(cover @ plan.open.astype(float)).ravel(), 1.0)
        x[milp.col_blocks["covered"]] = y
        if "worst" in milp.col_blocks:
            rows = milp.A[milp.row_blocks["scenario"]][:, milp.col_blocks["covered"]]
            x[milp.col_blocks["worst"]] = float(np.min(-(rows @ y)))
        return x

    def scenario_values(self, instance: Instance, open_masks: np.ndarray) -> np.ndarray:
        """Scenarios × plans: covered weight (share if ``relative``) from each scenario's data."""
        cov = covered_weights(self.scenarios, instance.site_ids, open_masks, self.max_cost)
        if self.relative:
            total = self.scenarios.total_weights()[:, None]
            cov = np.divide(cov, total, out=np.ones_like(cov), where=total > 0)
        return cov

    def combine(self, values: np.ndarray) -> np.ndarray:
        """The objective of each plan from its scenarios × plans values."""
        if self.objective == "worst":
            return np.asarray(values.min(axis=0))
        return np.asarray(self.scenarios.probabilities @ values)

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        vals = self.scenario_values(instance, np.asarray(plan.open, bool)[:, None])
        return float(self.combine(vals)[0])

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=int(self.p))
        for name, inst in self.scenarios.items():
            breach = cutoff_breach(self, inst)
            if breach is not None:
                c.fail(f"scenario {name!r}: {breach}")
        return c.breaches
