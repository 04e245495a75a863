"""The shelter model: :class:`Shelters`, its parameters and its steps.

The formulation is in the docstring of :class:`Shelters`. Every step is a
function of the resolved :class:`~erlocate.planning.shelters.inputs.ShelterData`:
inputs in :mod:`~erlocate.planning.shelters.inputs`, feasibility in
:mod:`~erlocate.planning.shelters.precheck`, the objective weights in
:mod:`~erlocate.planning.shelters.objective`, the MILP in
:mod:`~erlocate.planning.shelters.formulation`, the re-check in
:mod:`~erlocate.planning.shelters.verify` and the tables in
:mod:`~erlocate.planning.shelters.report`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.instance import Instance
from erlocate.plan import Plan
from erlocate.planning.base import PlanningModel, Steps
from erlocate.planning.shelters import (
    formulation,
    housed,
    inputs,
    objective,
    precheck,
    report,
    verify,
)
from erlocate.planning.shelters.inputs import ShelterData
from erlocate.planning.shelters.params import ShelterParams, check_params

__all__ = ["Shelters"]


class Shelters(PlanningModel[ShelterData, Plan]):
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
    dominated by another (:math:`h_{is} \le h_{it}\;\forall i`) are dropped;
    with ``closest=True`` and not ``allow_unhoused``, communities that rank the
    shelters they may use in the same strict order (and can use the same ones)
    are one demand node (they share a shelter in every feasible plan; one column
    per shelter carries their people and summed walking;
    :mod:`~erlocate.planning.shelters.nodes`; identical points always merge);
    with ``allow_unhoused`` the MILP housing every community that can use a
    shelter runs first, and the full one only if that is infeasible (exact:
    :mod:`~erlocate.planning.shelters.housed`). ``solve(...,
    warm_start="heuristic")`` starts from a greedy plan
    (:mod:`~erlocate.planning.shelters.construct`; not exact, proven by the MILP).
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

    uses_capacities = True  # people per shelter (or area by class, which then replaces them)
    constraints_hint = (
        "shelter capacities, walking limits, the number of new shelters, closest assignment"
    )
    reach_field = "classes"
    steps = Steps(
        resolve=inputs.resolve,
        precheck=precheck.precheck,
        formulate=formulation.formulate,
        decode=formulation.decode,
        encode=formulation.encode,
        evaluate=verify.evaluate,
        check=verify.check,
        levels=objective.level_values,
        tables=report.tables,
        solve_loop=housed.solve_loop,
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

        params = ", ".join(f"{k}={short(v)}" for k, v in self.parameters().items())
        return f"Shelters({params})"

    # ------------------------------------------------------------------ checks
    def check_params(self) -> None:
        """Every parameter that needs no instance (numbers, flags, choices, classes): at build."""
        check_params(ShelterParams(**self.parameters()))

    def start_plan(self, instance: Instance, time_limit: float) -> Plan | None:
        """A first plan by the greedy of :mod:`~erlocate.planning.shelters.construct`.

        Not exact: a warm start for ``solve(..., warm_start="heuristic")``, which
        then proves (or improves) it. None when the greedy finds no plan.
        """
        from erlocate.planning.shelters.construct import construct

        return construct(self.data(instance), time_limit)

    def reach(self, instance: Instance) -> float:
        """The longest walking limit of any site's class (``inf`` if a class has none)."""
        return float(self.data(instance).limit.max())
