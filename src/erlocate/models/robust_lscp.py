r"""Location set covering over scenarios: every point of every scenario covered, at least cost.

See :mod:`erlocate.models.robust` for the scenarios and the robust MCLP.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp

from erlocate.errors import InfeasibleError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import cutoff_breach
from erlocate.models.checks import check_max_cost
from erlocate.models.dominance import dominated_rows, identical_rows
from erlocate.models.robust import RobustCover, as_scenarios, scenario_pairs
from erlocate.models.robust_scenarios import Scenarios
from erlocate.plan import Checker, Plan

__all__ = ["RobustLSCP"]


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
