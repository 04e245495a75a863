r"""Plans robust to disasters: MCLP and LSCP over a set of scenarios, in one exact MILP.

A plan is built once but must serve whatever happens: the normal network,
the flood that closes roads, the earthquake that takes a station. The robust
models open one set of sites :math:`x` and count its coverage in every
scenario :math:`s` of a :class:`~erlocate.models.robust_scenarios.Scenarios`
from that scenario's own data: its costs (closures make pairs slower or
unreachable), its weights (a demand surge), its available sites (a lost site
serves nobody there). :func:`~erlocate.models.robust_regret.regret_table`
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
import scipy.sparse as sp

from erlocate.errors import InfeasibleError, InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, cutoff_breach
from erlocate.models.blocks import add_count
from erlocate.models.checks import check_count, check_max_cost, check_p
from erlocate.models.dominance import dominated_rows, identical_rows
from erlocate.models.robust_scenarios import Scenarios, covered_weights
from erlocate.params import boolean, choice
from erlocate.plan import Checker, Plan

__all__ = ["OBJECTIVES", "RobustLSCP", "RobustMCLP", "scenario_pairs"]

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


class RobustLSCP(RobustCover):
    r"""Location set covering over scenarios: the cheapest plan covering every point in every one.

    .. math::

        \min \sum_j f_j x_j \quad\text{s.t.}\quad
        \sum_{j \in N^s_i} x_j \ge 1 \;\forall s, i,\qquad x_j \in \{0,1\},

    with :math:`N^s_i` the sites available in scenario :math:`s` within the
    standard :math:`S` of point :math:`i` in :math:`s`'s costs, and
    :math:`f_j` the instance's site costs (1 each when it has none: fewest
    sites). Required sites are fixed open. Exact reductions: the rows of all
    scenarios are pooled, rows met by a required site dropped, identical rows
    merged and rows whose :math:`N^s_i` contains another row's dropped (any
    plan covering the smaller covers it, whichever scenario it came from).

    Parameters
    ----------
    max_cost : float
        The coverage standard S, in every scenario.
    scenarios : Scenarios or mapping of str to Instance
        What may happen; sites aligned by label.

    Raises
    ------
    InfeasibleError
        A scenario has points no available site covers within S (scenario and
        ids named).

    References
    ----------
    Toregas, C., Swain, R., ReVelle, C. & Bergman, L. (1971). The location of
    emergency service facilities. *Operations Research* 19(6), 1363–1373.
    Snyder, L.V. (2006). Facility location under uncertainty: a review.
    *IIE Transactions* 38(7), 547–564.
    """

    sense = "min"
    exact_objective = True
    constraints_hint = "standard in every scenario, required sites"

    def __init__(self, max_cost: float, scenarios: Scenarios | Mapping[str, Instance]) -> None:
        self.max_cost = max_cost
        self.scenarios = as_scenarios(scenarios)

    def check_params(self) -> None:
        """max_cost and scenarios."""
        check_max_cost(self.max_cost)
        self.check_scenarios()

    def site_costs(self, instance: Instance) -> np.ndarray:
        """f_j: the instance's site costs, or 1 each when it has none."""
        return instance.site_costs if instance.has_site_costs else np.ones(instance.n_sites)

    def uncovered(self, instance: Instance, open_masks: np.ndarray) -> list[np.ndarray]:
        """Per scenario, a points × plans mask of the points each plan leaves uncovered."""
        out = []
        X = np.asarray(open_masks, dtype=float)
        pairs = scenario_pairs(self.scenarios, instance, self.max_cost)
        for inst, (r, c) in zip(self.scenarios.instances, pairs, strict=True):
            A = sp.csr_array((np.ones(r.size), (r, c)), shape=(inst.n_demand, instance.n_sites))
            out.append(np.asarray(A @ X) < 0.5)
        return out

    def validate(self, instance: Instance) -> None:
        super().validate(instance)
        every = np.ones((instance.n_sites, 1), dtype=bool)
        for (name, inst), left in zip(
            self.scenarios.items(), self.uncovered(instance, every), strict=True
        ):
            if left.any():
                ids = inst.demand_ids[np.flatnonzero(left[:, 0])]
                raise InfeasibleError(
                    f"RobustLSCP: in scenario {name!r}, {len(ids)} demand points have no "
                    f"available site within {inst.format_cost(self.max_cost)}: {show_ids(ids)}; "
                    "raise max_cost, add candidate sites, or drop the points from that scenario"
                )

    def build(self, instance: Instance) -> Milp:
        pairs = scenario_pairs(self.scenarios, instance, self.max_cost)
        offsets = np.cumsum([0] + [inst.n_demand for inst in self.scenarios.instances])
        r = np.concatenate([p[0] + offsets[k] for k, p in enumerate(pairs)])
        c = np.concatenate([p[1] for p in pairs])
        A = sp.csr_array((np.ones(r.size), (r, c)), shape=(offsets[-1], instance.n_sites))
        pre = (A @ instance.required.astype(float)) > 0.5
        live = np.flatnonzero(~pre)
        rows = live[np.unique(identical_rows(A[live]))]
        drop = dominated_rows(A[rows])
        if drop is not None:
            rows = rows[~drop]
        b = MilpBuilder(f"robust_lscp_{len(self.scenarios)}_scenarios_{rows.size}_rows", "min")
        x = b.add_cols(
            "open",
            instance.n_sites,
            obj=self.site_costs(instance),
            lb=instance.required.astype(float),
            ub=1.0,
            integer=True,
        )
        coo = sp.csr_array(A[rows]).tocoo()
        b.add_rows("cover", rows=coo.row, cols=x[coo.col], vals=1.0, lb=1.0, n_rows=rows.size)
        return b.build()

    def scenario_values(self, instance: Instance, open_masks: np.ndarray) -> np.ndarray:
        """Scenarios × plans: the plan's cost where it covers every point, ``inf`` elsewhere."""
        X = np.asarray(open_masks, dtype=bool)
        cost = self.site_costs(instance) @ X
        left = self.uncovered(instance, X)
        return np.array([np.where(u.any(axis=0), np.inf, cost) for u in left])

    def combine(self, values: np.ndarray) -> np.ndarray:
        """The cost of each plan if it covers every scenario, else ``inf``."""
        return np.asarray(values.max(axis=0))

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return float(self.site_costs(instance) @ np.asarray(plan.open, bool))

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites()
        left = self.uncovered(instance, np.asarray(plan.open, bool)[:, None])
        for (name, inst), u in zip(self.scenarios.items(), left, strict=True):
            breach = cutoff_breach(self, inst)
            if breach is not None:
                c.fail(f"scenario {name!r}: {breach}")
            if u.any():
                ids = inst.demand_ids[np.flatnonzero(u[:, 0])]
                c.fail(f"scenario {name!r}: demand points not covered: {show_ids(ids)}")
        return c.breaches
