"""Location set covering: the cheapest set of sites that covers every demand point."""

from __future__ import annotations

import numpy as np

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.models.blocks import add_open
from erlocate.models.bounds import with_cover_bound
from erlocate.models.checks import check_max_cost, require_reach
from erlocate.models.reduce import CoverReduction, reduce_lscp
from erlocate.params import boolean
from erlocate.plan import Checker, Plan, coverage_counts

__all__ = ["LSCP"]


class LSCP(Model):
    r"""Location set covering problem (Toregas, Swain, ReVelle & Bergman 1971).

    .. math::

        \min \sum_j f_j x_j \quad\text{s.t.}\quad
        \sum_{j \in N_i} x_j \ge 1 \;\forall i,\qquad x_j \in \{0,1\},

    where :math:`N_i = \{j : c_{ij} \le S\}` with :math:`S` = ``max_cost``
    and :math:`f_j` the site costs, or 1 for every site when the instance has
    none (minimise the number of sites). Required sites are fixed open. In the
    fire-station reading this is "eliminate every blank spot at least cost".

    With ``reduce=True`` (default) the MILP is built on the exact reduction of
    :func:`erlocate.models.reduce.reduce_lscp`: rows within reach of a
    required site are dropped, a row whose :math:`N_i` contains another
    row's is dropped (covering the smaller covers it), and a site whose
    covered set lies inside another site's at no lower cost is fixed closed
    (swapping it for the other keeps a cover at no greater cost), repeated
    until nothing changes. The ``open`` block keeps one column per original
    site, so decoding needs no map; the MILP name records the sizes.

    Parameters
    ----------
    max_cost : float
        The coverage standard S (e.g. 4 minutes of driving).
    reduce : bool
        Apply the exact reductions (default True).

    Raises
    ------
    InfeasibleError
        When a demand point has no site within ``max_cost`` (ids listed).

    References
    ----------
    Toregas, C., Swain, R., ReVelle, C. & Bergman, L. (1971). The location of
    emergency service facilities. *Operations Research* 19(6), 1363–1373.
    """

    covering = True
    #: The coverage standard (always set: a covering model needs one).
    max_cost: float

    def __init__(self, max_cost: float, *, reduce: bool = True) -> None:
        self.max_cost = max_cost
        self.reduce = reduce

    def check_params(self) -> None:
        """max_cost (the standard) a number >= 0, reduce a boolean."""
        check_max_cost(self.max_cost)
        boolean(self.reduce, "reduce")

    def _site_costs(self, instance: Instance) -> np.ndarray:
        return instance.site_costs if instance.has_site_costs else np.ones(instance.n_sites)

    def validate(self, instance: Instance) -> None:
        check_max_cost(self.max_cost)
        require_reach(instance, self.max_cost, "cover")

    def reduction(self, instance: Instance) -> CoverReduction:
        """The exact reduction :meth:`build` uses (sizes in ``.counts``)."""
        return reduce_lscp(instance, self.max_cost, self._site_costs(instance))

    def build(self, instance: Instance) -> Milp:
        if self.reduce:
            red = self.reduction(instance)
            if red.counts["uncoverable"]:
                require_reach(instance, self.max_cost, "cover")  # raises, with the ids
            b = MilpBuilder(f"lscp_{red.summary()}", "min")
            x = b.add_cols(
                "open",
                instance.n_sites,
                obj=self._site_costs(instance),
                lb=instance.required.astype(float),
                ub=red.keep_sites.astype(float),
                integer=True,
            )
            coo = red.A.tocoo()
            b.add_rows("cover", rows=coo.row, cols=x[coo.col], vals=1.0, lb=1.0, n_rows=red.n_rows)
            return with_cover_bound(b.build())
        b = MilpBuilder("lscp", "min")
        x = add_open(b, instance, obj=self._site_costs(instance))
        mask = instance.costs <= self.max_cost
        b.add_rows(
            "cover",
            rows=instance.pair_rows[mask],
            cols=x[instance.indices[mask]],
            vals=1.0,
            lb=1.0,
            n_rows=instance.n_demand,
        )
        return with_cover_bound(b.build())

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        return Plan.nearest(instance, np.round(milp.block(x, "open")) > 0.5)

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return float(self._site_costs(instance)[plan.open].sum())

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites()
        counts = coverage_counts(instance, plan.open, self.max_cost)
        bare = np.flatnonzero(counts == 0)
        if bare.size:
            c.fail(
                f"{bare.size} demand points not covered within {self.max_cost:g}: "
                f"{instance.demand_ids[bare[:5]].tolist()}"
            )
        return c.breaches
