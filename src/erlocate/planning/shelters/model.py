"""The shelter model: :class:`Shelters`, its parameters and its MILP.

Inputs are resolved in :mod:`~erlocate.planning.shelters.inputs`, the
objective weights in :mod:`~erlocate.planning.shelters.objective`; plans go to
:mod:`~erlocate.planning.shelters.verify` and
:mod:`~erlocate.planning.shelters.report`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.plan import Plan
from erlocate.planning._arrays import ranges
from erlocate.planning.shelters import precheck, verify
from erlocate.planning.shelters.inputs import _Data, _data, scalar_params
from erlocate.planning.shelters.objective import _levels, level_values
from erlocate.planning.shelters.report import tables

__all__ = ["Shelters"]


class Shelters(Model):
    r"""Shelter location–allocation: keep existing shelters, add new ones, house everyone.

    Communities :math:`i` (demand points) send :math:`h_{is} = a_{is} P_i` people
    to shelter in scenario :math:`s` (share :math:`a_{is}` of population
    :math:`P_i`). Sites :math:`j` are shelters (``instance.required``: existing,
    kept) or candidates; a shelter of class :math:`k(j)` holds
    :math:`K_j = A_j / m_{k(j)}` people (usable area :math:`A_j`, m² per person
    :math:`m_k`) and serves community :math:`i` only if the walk
    :math:`c_{ij} \le T_{k(j)}` (costs are walking minutes or metres,
    ``cost_unit``). Binary :math:`x_j` (open) and :math:`z_{ij}` (community
    :math:`i` goes to :math:`j`, single assignment):

    .. math::

        \min\; \sum_i \sum_j \bar h_i c_{ij} z_{ij}
        \quad\text{s.t.}\quad
        \sum_j z_{ij} = 1,\quad z_{ij} \le x_j,\quad
        \sum_i h_{is} z_{ij} \le K_j x_j \;\forall j, s,\quad
        \sum_{j \notin R} x_j \le k \;(= k),\quad x_j = 1 \;(j \in R),

    with :math:`\bar h_i` the mean of :math:`h_{is}` over scenarios. One plan
    serves every scenario (every community knows its shelter). With
    ``new=None`` the first objective is the number of new shelters (or their
    ``instance.site_costs``), walking time second; ``allow_unhoused=True``
    relaxes :math:`\sum_j z_{ij} \le 1` and puts unhoused people
    :math:`\sum_i \bar h_i (1 - \sum_j z_{ij})` first. Levels are combined in
    one objective :math:`f_1 + \frac{\delta_1}{UB_2 + 1} f_2 + \dots` where
    :math:`\delta_1` is the resolution of :math:`f_1` (1 for a count; the
    decimal resolution, up to :math:`10^{-6}`, of site costs or people) and
    :math:`UB_2` a bound on the rest (walking: :math:`\sum_i \bar h_i \max_j
    c_{ij}`); since a change of :math:`f_1` is at least :math:`\delta_1` and
    the rest lies in :math:`[0, \delta_1)`, this is exactly lexicographic.

    ``closest=True`` adds the closest-assignment rows (Wagner & Falkson 1975;
    Gerrard & Church 1996): for every community :math:`i` and shelter
    :math:`j` within its limit, :math:`x_j + \sum_{l \succ_i j} z_{il} \le 1`,
    where :math:`l \succ_i j` means strictly farther (``ties="any"``: any of
    the equally near open shelters is fine) or later in (cost, site order)
    (``ties="first"``: the first one in ``instance.site_ids`` wins). With
    :math:`\sum_j z_{ij} = 1` this is :math:`\sum_{l \preceq_i j} z_{il} \ge
    x_j`; the :math:`\le 1` form also lets an unhoused community stay so.
    "Closest" ranges over the shelters the community may use (within their
    class's walking limit).

    Exact reductions: no :math:`z_{ij}` beyond the class limit, unreachable,
    or where :math:`\max_s h_{is} > K_j` (single assignment could never use
    it; its closest-assignment row is kept); capacity rows of a scenario
    dominated by another (:math:`h_{is} \le h_{it}\;\forall i`) are dropped.
    Modelling choices: a community with nobody to shelter in any scenario is
    not assigned; walking is weighed by the people who walk (:math:`\bar h_i`);
    people are not rounded (0.3 × 1,001 = 300.3); capacity is
    :math:`A_j / m_k` without rounding down.

    Parameters
    ----------
    share : float, array, str or mapping, default 0.3
        Share of each community's population to shelter: one number, one per
        community, a column of ``instance.demand_frame``, or a mapping
        scenario name -> any of those. Default 30 %: provincial practice
        sizes shelters for 20–30 % of the population, ≥ 30 % in central urban
        areas (Guangdong outline; BRIEF.md item 5).
    population : array or str, optional
        Residents per community (array or ``demand_frame`` column); default
        ``instance.weights``.
    area : array or str, optional
        Usable area per site in m² (array or ``site_frame`` column). When
        given, capacity = area / class m² per person and ``instance.capacities``
        is ignored; when None, ``instance.capacities`` (people) is used.
    site_class : str or array, default "fixed"
        Class per site: a ``site_frame`` column name (wins), one class for all sites
        (a row of ``classes``), or one label per site.
    classes : DataFrame or mapping, optional
        Class table (index = class; ``m2_per_person`` and ``max_walk_minutes``
        or ``max_walk_m``; NaN/inf = no walking limit); default
        :func:`default_classes`.
    cost_unit : {"minutes", "metres"}
        Unit of the instance costs (walking time or distance).
    new : int, optional
        At most ``new`` new shelters (exactly, with ``exact_new``); None: the
        fewest (cheapest, if the instance has site costs) that house everyone.
    exact_new : bool
        Open exactly ``new`` candidates.
    closest : bool
        Nobody passes an open shelter (within reach) to reach theirs.
    ties : {"any", "first"}
        Tie rule of closest assignment (see above).
    allow_unhoused : bool
        House as many people as possible instead of raising InfeasibleError.
    walk_bands : sequence of float, optional
        Report thresholds; default 10/30/60 min or 500/1,500/3,000 m
        (GB 50413: 10 min ≈ 500 m, 1 h ≈ 3 km).

    Raises
    ------
    InputError
        Shares outside [0, 1], unknown classes, negative areas, bad parameters.
    InfeasibleError
        Before solving: total capacity below the people to shelter,
        communities with no shelter within the walking limit, communities
        larger than every shelter they can reach.

    References
    ----------
    Wagner, J.L. & Falkson, L.M. (1975). The optimal nodal location of public
    facilities with price-sensitive demand. *Geographical Analysis* 7(1), 69–83.
    Gerrard, R.A. & Church, R.L. (1996). Closest assignment constraints and
    location models: properties and structure. *Location Science* 4(4), 251–270.
    GB 50413-2007 §8.2; GB 21734-2008 §5.4; Sphere Handbook (2018), shelter standard 3.
    """

    constraints_hint = (
        "shelter capacities, walking limits, the number of new shelters, closest assignment"
    )

    def __init__(
        self,
        *,
        share: Any = 0.3,
        population: Any = None,
        area: Any = None,
        site_class: Any = "fixed",
        classes: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None,
        cost_unit: str = "minutes",
        new: int | None = None,
        exact_new: bool = False,
        closest: bool = False,
        ties: str = "any",
        allow_unhoused: bool = False,
        walk_bands: Sequence[float] | None = None,
    ) -> None:
        self.share = share
        self.population = population
        self.area = area
        self.site_class = site_class
        self.classes = classes
        self.cost_unit = cost_unit
        self.new = new
        self.exact_new = exact_new
        self.closest = closest
        self.ties = ties
        self.allow_unhoused = allow_unhoused
        self.walk_bands = walk_bands

    def __repr__(self) -> str:
        def short(v: Any) -> str:
            return f"<{len(v)} values>" if isinstance(v, (np.ndarray, pd.Series, list)) else repr(v)

        params = ", ".join(f"{k}={short(v)}" for k, v in vars(self).items())
        return f"Shelters({params})"

    # ------------------------------------------------------------------ prechecks
    reach_field = "classes"

    def check_params(self) -> None:
        """Every parameter that needs no instance (numbers, flags, choices, classes): at build."""
        scalar_params(self)

    def reach(self, instance: Instance) -> float:
        """The longest walking limit of any site's class (``inf`` if a class has none)."""
        return float(_data(self, instance).limit.max())

    def validate(self, instance: Instance) -> None:
        precheck.validate(self, instance)

    # ------------------------------------------------------------------ MILP
    def build(self, instance: Instance) -> Milp:
        d = _data(self, instance)
        pr = d.pairs
        wu, wn, ww, fcost = _levels(self, instance, d)
        b = MilpBuilder("shelters", "min")
        req = instance.required.astype(float)
        x = b.add_cols("open", instance.n_sites, obj=wn * fcost, lb=req, ub=1.0, integer=True)
        h = d.hbar[pr.rows]
        z = b.add_cols("assign", len(pr), obj=ww * h * pr.cost - wu * h, ub=1.0, integer=True)
        b.offset = wu * float(d.hbar[d.active].sum())
        comm, local = np.unique(pr.rows, return_inverse=True)
        lb = -np.inf if self.allow_unhoused else 1.0
        b.add_rows("assign_once", rows=local, cols=z, vals=1.0, lb=lb, ub=1.0, n_rows=comm.size)
        k = np.arange(len(pr))
        b.add_rows(
            "link",
            rows=np.concatenate([k, k]),
            cols=np.concatenate([z, x[pr.cols]]),
            vals=np.concatenate([np.ones(k.size), -np.ones(k.size)]),
            ub=0.0,
            n_rows=k.size,
        )
        finite = np.isfinite(d.cap)
        site_row = np.cumsum(finite) - 1
        use, sites = finite[pr.cols], np.flatnonzero(finite)
        for s in d.keep:
            b.add_rows(
                "capacity" if len(d.keep) == 1 else f"capacity[{d.names[s]}]",
                rows=np.concatenate([site_row[pr.cols[use]], site_row[sites]]),
                cols=np.concatenate([z[use], x[sites]]),
                vals=np.concatenate([d.people[s][pr.rows[use]], -d.cap[sites]]),
                ub=0.0,
                n_rows=sites.size,
            )
        if self.new is not None:
            cand = x[~instance.required]
            lo = float(self.new) if self.exact_new else -np.inf
            b.add_rows("new", rows=np.zeros(cand.size), cols=cand, vals=1.0, lb=lo, ub=self.new)
        if self.closest:
            self._add_closest(b, instance, d, x, z)
        return b.build()

    def _add_closest(
        self, b: MilpBuilder, instance: Instance, d: _Data, x: np.ndarray, z: np.ndarray
    ) -> None:
        """x_j + sum_{l farther than j for i} z_il <= 1 for every allowed pair (i, j)."""
        r, c, cost = (a[d.allowed] for a in (instance.pair_rows, instance.indices, instance.costs))
        order = np.lexsort((c, cost, r))
        r, c, cost = r[order], c[order], cost[order]
        zpos = np.full(r.size, -1, dtype=np.int64)
        found = d.pairs.locate(r, c)
        zpos[found >= 0] = z[found[found >= 0]]
        end = np.searchsorted(r, r, side="right")
        if self.ties == "first":
            start = np.arange(r.size) + 1
        else:
            brk = np.r_[True, (r[1:] != r[:-1]) | (cost[1:] != cost[:-1])]
            block = np.cumsum(brk) - 1
            start = np.r_[np.flatnonzero(brk)[1:], r.size][block]
        cnt = end - start
        p = np.repeat(np.arange(r.size), cnt)
        q = ranges(start, cnt)
        keep = zpos[q] >= 0
        p, q = p[keep], q[keep]
        heads, local = np.unique(p, return_inverse=True)
        b.add_rows(
            "closest",
            rows=np.concatenate([local, np.arange(heads.size)]),
            cols=np.concatenate([zpos[q], x[c[heads]]]),
            vals=1.0,
            ub=1.0,
            n_rows=heads.size,
        )

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        pr = _data(self, instance).pairs
        open_ = np.round(milp.block(x, "open")) > 0.5
        z = np.round(milp.block(x, "assign")) > 0.5
        return Plan(open_, pr.rows[z], pr.cols[z], np.ones(int(z.sum())))

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = super().encode(instance, milp, plan)
        pos = _data(self, instance).pairs.locate(plan.demand_idx, plan.site_idx)
        x[milp.col_blocks["assign"].start + pos[pos >= 0]] = plan.share[pos >= 0]
        return x

    # ------------------------------------------------------------------ verification
    def evaluate(self, instance: Instance, plan: Plan) -> float:
        return verify.evaluate(self, instance, plan)

    def levels(self, instance: Instance, plan: Plan) -> list[tuple[str, float, float, float]]:
        """The lexicographic levels on ``plan``: ``(name, weight, resolution, value)``."""
        return level_values(self, instance, _data(self, instance), plan)

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        return verify.check(self, instance, plan)

    # ------------------------------------------------------------------ report
    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """Tables: ``shelters``, ``loads``, ``communities``, ``walking``, ``summary``."""
        return tables(self, instance, plan)
