"""Location set covering: the cheapest set of sites that covers every demand point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, require_capacities
from erlocate.models.blocks import (
    Pairs,
    add_open,
    assignment_plan,
    encode_assignment,
)
from erlocate.models.bounds import with_cover_bound
from erlocate.models.capcover import (
    add_cover_assignment,
    check_load_options,
    cover_assignment_breaches,
    cover_assignment_precheck,
    cover_min_loads,
)
from erlocate.models.checks import check_max_cost, require_reach
from erlocate.models.dominance import as_binary_csr, dominated_rows, identical_rows
from erlocate.models.groups import (
    SiteGroup,
    add_group_rows,
    check_groups,
    group_breaches,
    group_masks,
)
from erlocate.models.loads import (
    check_min_loads,
    min_load_vector,
)
from erlocate.models.reduce import CoverReduction, reduce_lscp
from erlocate.params import boolean
from erlocate.plan import Checker, Plan, coverage_counts

__all__ = ["LSCP", "reduce_lscp_rows"]


def reduce_lscp_rows(instance: Instance, max_cost: float) -> CoverReduction:
    r"""The row steps of :func:`erlocate.models.reduce.reduce_lscp` alone (every site kept).

    Pre-covered rows (within reach of a required site) and rows whose
    :math:`N_i` contains another row's are dropped: each is met by every plan
    meeting the kept rows, whatever else constrains the open flags (site
    groups), so the reduction is exact there. Site dominance is not: the
    dominating site may belong to another group.
    """
    A = as_binary_csr(instance.coverage_matrix(max_cost))
    length = np.diff(A.indptr)
    pre = (A @ instance.required.astype(np.int64)) > 0
    live = np.flatnonzero(~pre & (length > 0))
    rows = live[np.unique(identical_rows(A[live]))]
    drop = dominated_rows(A[rows])
    if drop is not None:
        rows = rows[~drop]
    group = np.full(instance.n_demand, -1, dtype=np.int64)
    group[rows] = np.arange(rows.size)
    counts = {
        "demand": instance.n_demand,
        "sites": instance.n_sites,
        "uncoverable": int((length == 0).sum()),
        "pre_covered": int(pre.sum()),
        "dominance_skipped": int(drop is None),
        "rows": int(rows.size),
        "kept_sites": instance.n_sites,
    }
    return CoverReduction(
        rows=rows,
        group=group,
        weights=np.ones(rows.size),
        A=sp.csr_array(A[rows]),
        keep_sites=np.ones(instance.n_sites, dtype=bool),
        counts=counts,
    )


class LSCP(Model):
    r"""Location set covering problem (Toregas, Swain, ReVelle & Bergman 1971).

    .. math::

        \min \sum_j f_j x_j \quad\text{s.t.}\quad
        \sum_{j \in N_i} x_j \ge 1 \;\forall i,\qquad x_j \in \{0,1\},

    where :math:`N_i = \{j : c_{ij} \le S\}` with :math:`S` = ``max_cost``
    and :math:`f_j` the site costs, or 1 for every site when the instance has
    none (minimise the number of sites). Required sites are fixed open. In the
    fire-station reading this is "eliminate every blank spot at least cost".

    **Capacitated** (``capacitated=True``; Current & Storbeck 1988, spopt
    issues #222/#415, Esri's capacitated coverage): every demand point is
    *assigned* to open sites within the standard and the load counts against
    their capacities :math:`K_j` (``Instance.capacities``, loads
    ``Instance.demand`` :math:`d_i`):

    .. math::

        \min \sum_j f_j x_j \quad\text{s.t.}\quad
        \sum_{j \in N_i} z_{ij} = 1,\qquad
        \sum_i d_i z_{ij} \le K_j x_j,\qquad z_{ij} \le x_j,

    :math:`z_{ij} \in [0, 1]` (binary with ``single_source=True``). The plan
    keeps the MILP's assignment. ``min_loads`` / ``fill_required`` add
    :math:`\sum_i d_i z_{ij} \ge m_j x_j` (:mod:`erlocate.models.loads`);
    they need the assignment, so only with ``capacitated=True``. ``groups``
    adds per-group count and budget rows (:mod:`erlocate.models.groups`),
    capacitated or not.

    **Reductions** (``reduce=True``, default), applied only where exact:

    * uncapacitated, no groups: :func:`erlocate.models.reduce.reduce_lscp` —
      rows within reach of a required site are dropped, a row whose
      :math:`N_i` contains another row's is dropped (covering the smaller
      covers it), and a site whose covered set lies inside another site's at
      no lower cost is fixed closed, repeated until nothing changes;
    * uncapacitated with groups: the row steps only
      (:func:`reduce_lscp_rows`); site dominance is not exact, since the
      dominating site may sit in a group whose count or budget is full;
    * capacitated: none. A required site may be full, so pre-covered rows
      still need an assignment; a dominated row still carries load; a
      dominated site may hold more.

    The ``open`` block keeps one column per original site, so decoding needs
    no map; the MILP name records the sizes.

    Parameters
    ----------
    max_cost : float
        The coverage standard S (e.g. 4 minutes of driving).
    reduce : bool
        Apply the exact reductions (default True).
    capacitated : bool
        Assign demand within the standard and respect site capacities.
    single_source : bool
        Each demand point wholly at one site (implies ``capacitated``).
    min_loads : mapping or pandas.Series, optional
        Site id -> least load if open (capacitated only).
    fill_required : bool
        Every required site carries its full capacity (capacitated only).
    groups : sequence of SiteGroup
        Per-group limits on open sites and site costs.

    Raises
    ------
    InfeasibleError
        When a demand point has no site within ``max_cost`` (ids listed), or,
        capacitated, when capacities cannot hold the demand (numbers given).

    References
    ----------
    Toregas, C., Swain, R., ReVelle, C. & Bergman, L. (1971). The location of
    emergency service facilities. *Operations Research* 19(6), 1363–1373.
    Current, J.R. & Storbeck, J.E. (1988). Capacitated covering models.
    *Environment and Planning B* 15(2), 153–163.
    """

    covering = True
    constraints_hint = "standard, capacities, minimum loads, site groups, required sites"
    #: The coverage standard (always set: a covering model needs one).
    max_cost: float

    def __init__(
        self,
        max_cost: float,
        *,
        reduce: bool = True,
        capacitated: bool = False,
        single_source: bool = False,
        min_loads: Mapping[Any, float] | Any = None,
        fill_required: bool = False,
        groups: SiteGroup | tuple[SiteGroup, ...] | list[SiteGroup] = (),
    ) -> None:
        self.max_cost = max_cost
        self.reduce = reduce
        self.capacitated = capacitated
        self.single_source = single_source
        self.min_loads = min_loads
        self.fill_required = fill_required
        self.groups: tuple[SiteGroup, ...] = check_groups(groups)

    def check_params(self) -> None:
        """max_cost a number >= 0, flags booleans, min_loads (capacitated only), groups."""
        check_max_cost(self.max_cost)
        for name in ("reduce", "capacitated", "single_source", "fill_required"):
            boolean(getattr(self, name), name)
        # single sourcing is a capacitated assignment (kept as given for replace())
        object.__setattr__(self, "capacitated", bool(self.capacitated or self.single_source))
        object.__setattr__(self, "min_loads", check_min_loads(self.min_loads))
        object.__setattr__(self, "groups", check_groups(self.groups))
        check_load_options(self.capacitated, self.min_loads, self.fill_required)

    @property
    def uses_capacities(self) -> bool:  # type: ignore[override]
        """Capacitated (or single-source) LSCP respects ``Instance.capacities``."""
        return bool(self.capacitated)

    @property
    def assigns_cover(self) -> bool:
        """Capacitated: coverage is the share assigned within the standard."""
        return bool(self.capacitated)

    def _site_costs(self, instance: Instance) -> np.ndarray:
        return instance.site_costs if instance.has_site_costs else np.ones(instance.n_sites)

    def _min_loads(self, instance: Instance) -> np.ndarray | None:
        return cover_min_loads(instance, self.capacitated, self.min_loads, self.fill_required)

    def validate(self, instance: Instance) -> None:
        check_max_cost(self.max_cost)
        require_reach(instance, self.max_cost, "cover")
        group_masks(instance, self.groups)
        if self.capacitated:
            require_capacities(instance, "capacitated")
            cover_assignment_precheck(
                instance,
                Pairs(instance, self.max_cost),
                self.max_cost,
                full=True,
                single_source=bool(self.single_source),
                min_loads=self._min_loads(instance),
            )

    def reduction(self, instance: Instance) -> CoverReduction:
        """The exact reduction :meth:`build` uses when uncapacitated (sizes in ``.counts``)."""
        if self.groups:
            return reduce_lscp_rows(instance, self.max_cost)
        return reduce_lscp(instance, self.max_cost, self._site_costs(instance))

    def build(self, instance: Instance) -> Milp:
        f = self._site_costs(instance)
        if self.capacitated:
            b = MilpBuilder("lscp_capacitated", "min")
            x = add_open(b, instance, obj=f)
            add_cover_assignment(
                b,
                instance,
                Pairs(instance, self.max_cost),
                x,
                obj=0.0,
                full=True,
                single_source=self.single_source,
                min_loads=self._min_loads(instance),
            )
            add_group_rows(b, instance, x, self.groups)
            return b.build()
        if self.reduce:
            red = self.reduction(instance)
            if red.counts["uncoverable"]:
                require_reach(instance, self.max_cost, "cover")  # raises, with the ids
            b = MilpBuilder(f"lscp_{red.summary()}", "min")
            x = b.add_cols(
                "open",
                instance.n_sites,
                obj=f,
                lb=instance.required.astype(float),
                ub=red.keep_sites.astype(float),
                integer=True,
            )
            coo = red.A.tocoo()
            b.add_rows("cover", rows=coo.row, cols=x[coo.col], vals=1.0, lb=1.0, n_rows=red.n_rows)
            add_group_rows(b, instance, x, self.groups)
            return with_cover_bound(b.build())
        b = MilpBuilder("lscp", "min")
        x = add_open(b, instance, obj=f)
        mask = instance.costs <= self.max_cost
        b.add_rows(
            "cover",
            rows=instance.pair_rows[mask],
            cols=x[instance.indices[mask]],
            vals=1.0,
            lb=1.0,
            n_rows=instance.n_demand,
        )
        add_group_rows(b, instance, x, self.groups)
        return with_cover_bound(b.build())

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        if self.capacitated:  # the MILP's own assignment, capacities respected
            return assignment_plan(milp, Pairs(instance, self.max_cost), x)
        return Plan.nearest(instance, np.round(milp.block(x, "open")) > 0.5)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        if self.capacitated:
            return encode_assignment(milp, Pairs(instance, self.max_cost), plan)
        return super().encode(instance, milp, plan)

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return float(self._site_costs(instance)[plan.open].sum())

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites()
        if self.capacitated:
            c.breaches += cover_assignment_breaches(
                instance,
                plan,
                max_cost=self.max_cost,
                full=True,
                single_source=bool(self.single_source),
                min_loads=min_load_vector(instance, self.min_loads, self.fill_required),
            )
        else:
            counts = coverage_counts(instance, plan.open, self.max_cost)
            bare = np.flatnonzero(counts == 0)
            if bare.size:
                c.fail(
                    f"{bare.size} demand points not covered within {self.max_cost:g}: "
                    f"{instance.demand_ids[bare[:5]].tolist()}"
                )
        c.breaches += group_breaches(instance, plan.open, self.groups)
        return c.breaches
