"""p-dispersion: open p sites as far apart as possible (the smallest distance between them)."""

from __future__ import annotations

import numpy as np

from erlocate.errors import InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.models.blocks import add_count, add_open
from erlocate.models.checks import check_count, check_p
from erlocate.plan import Checker, Plan

__all__ = ["PDispersion"]


class PDispersion(Model):
    r"""The (max-min) p-dispersion problem (Kuby 1987; Erkut 1990).

    Open :math:`p` sites so that the smallest distance :math:`D` between two
    open sites is as large as possible — e.g. stations or depots spread so one
    incident (a flood, a collapse) cannot take out two of them:

    .. math::

        \max D \quad\text{s.t.}\quad
        D \le d_{jk} + M (2 - x_j - x_k) \;\forall j < k,\qquad
        \sum_j x_j = p,\qquad x_j \in \{0,1\},

    with required sites fixed open and :math:`M = \max d_{jk}` (a pair not
    both open then bounds nothing). The instance is **sites × sites**: its
    ``demand_ids`` equal its ``site_ids`` and ``cost[j, k]`` is the distance
    between sites :math:`j` and :math:`k` (an asymmetric matrix is read as
    :math:`\min(d_{jk}, d_{kj})`); every pair of distinct sites needs a finite
    distance. The decoded plan opens the sites and allocates nothing.

    Parameters
    ----------
    p : int
        Number of sites to open (at least 2; required sites count towards p).

    References
    ----------
    Kuby, M.J. (1987). Programming models for facility dispersion: the
    p-dispersion and maxisum dispersion problems. *Geographical Analysis*
    19(4), 315–329.
    Erkut, E. (1990). The discrete p-dispersion problem. *EJOR* 46(1), 48–60.
    """

    sense = "max"

    def __init__(self, p: int) -> None:
        self.p = p

    def check_params(self) -> None:
        """p an integer >= 2 (one open site has no distance to another)."""
        p = check_count(self.p)
        if p < 2:
            raise InputError(
                f"p: p-dispersion needs at least 2 open sites (a distance between two), got {p}",
                field="p",
            )

    def validate(self, instance: Instance) -> None:
        """A square sites × sites instance with finite distances; p within the sites."""
        check_p(self.p, instance)
        if not instance.site_ids.equals(instance.demand_ids):
            raise InputError(
                "instance: PDispersion needs a square sites × sites instance whose demand_ids "
                f"equal its site_ids (cost[j, k] = distance between sites); got "
                f"{instance.n_demand} demand points × {instance.n_sites} sites",
                field="instance",
            )
        d = self._distances(instance)
        off = ~np.eye(instance.n_sites, dtype=bool) & ~np.isfinite(d)
        if off.any():
            j, k = np.nonzero(off)
            raise InputError(
                f"instance: {j.size // 2 or j.size} pair(s) of sites have no distance, e.g. "
                f"{show_ids(instance.site_ids[[j[0], k[0]]])}; p-dispersion needs the distance "
                "between every two sites (build the instance without max_cost)",
                field="instance",
            )

    @staticmethod
    def _distances(instance: Instance) -> np.ndarray:
        d = instance.dense_costs()
        return np.minimum(d, d.T)

    def build(self, instance: Instance) -> Milp:
        d = self._distances(instance)
        m = instance.n_sites
        j, k = np.triu_indices(m, 1)
        dist = d[j, k]
        big = float(dist.max(initial=0.0))
        b = MilpBuilder("p-dispersion", "max")
        x = add_open(b, instance)
        w = b.add_cols("distance", 1, obj=1.0, lb=0.0, ub=big)
        add_count(b, x, int(self.p))
        r = np.arange(j.size)
        b.add_rows(  # D + M x_j + M x_k <= d_jk + 2M
            "pair",
            rows=np.concatenate([r, r, r]),
            cols=np.concatenate([np.full(r.size, w[0]), x[j], x[k]]),
            vals=np.concatenate([np.ones(r.size), np.full(2 * r.size, big)]),
            ub=dist + 2 * big,
            n_rows=r.size,
        )
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        open_ = np.round(milp.block(x, "open")) > 0.5
        empty = np.zeros(0, dtype=np.int64)
        return Plan(open_, empty, empty.copy(), np.zeros(0))

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = super().encode(instance, milp, plan)
        x[milp.col_blocks["distance"]] = self.evaluate(instance, plan)
        return x

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        """The smallest distance between two open sites, from the input costs."""
        open_ = np.flatnonzero(np.asarray(plan.open, dtype=bool))
        if open_.size < 2:
            return 0.0
        a, b = np.triu_indices(open_.size, 1)
        j, k = open_[a], open_[b]
        return float(np.minimum(instance.cost_of(j, k), instance.cost_of(k, j)).min())

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=int(self.p))
        if np.asarray(plan.demand_idx).size:
            c.fail("p-dispersion allocates no demand, but the plan has allocations")
        return c.breaches
