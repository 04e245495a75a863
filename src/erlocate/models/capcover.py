r"""The capacitated covering assignment the coverage models share (LSCP, MCLP, ...).

Coverage alone says nothing about load: one open site within the standard
"covers" every point around it, however much demand that is. A capacitated
coverage model assigns covered demand to an open site within the standard
and counts it against that site's capacity:

.. math::

    \sum_{j} z_{ij} = 1 \;(\text{or} \le 1),\qquad
    \sum_i d_i z_{ij} \le K_j x_j,\qquad z_{ij} \le x_j,

over the pairs the model allows (within the standard :math:`S`, or every
reachable pair when all demand must be served and only the share within
:math:`S` counts as covered). :math:`z_{ij}` is the share of point
:math:`i`'s demand :math:`d_i` served by site :math:`j`; binary under single
sourcing. Minimum loads (:mod:`erlocate.models.loads`) read the same
:math:`z`. Everything here takes arrays and the instance, never a model, so
any coverage model can use it; the checks read only the instance and a plan.
"""

from __future__ import annotations

from collections.abc import Sized
from typing import Any

import numpy as np

from erlocate.errors import InfeasibleError, InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.blocks import (
    Pairs,
    add_assignment,
    add_capacity,
    add_count,
    add_open,
    capacity_precheck,
)
from erlocate.models.checks import require_reach
from erlocate.models.groups import SiteGroup, add_group_rows
from erlocate.models.loads import (
    add_min_load,
    min_load_breaches,
    min_load_precheck,
    min_load_vector,
)
from erlocate.plan import Checker, Plan, coverage_counts

__all__ = [
    "add_cover_assignment",
    "build_cover_assignment",
    "check_load_options",
    "cover_assignment_breaches",
    "cover_assignment_precheck",
    "cover_min_loads",
    "covered_share",
    "over_assigned",
    "reach_capacity_precheck",
    "reach_min_load_precheck",
    "restrict_pairs",
]


def restrict_pairs(pairs: Pairs, keep: np.ndarray) -> Pairs:
    """A copy of ``pairs`` with only the pairs in the boolean mask ``keep`` (order kept)."""
    out = object.__new__(Pairs)
    out.rows, out.cols, out.cost = pairs.rows[keep], pairs.cols[keep], pairs.cost[keep]
    out.n_sites = pairs.n_sites
    return out


def add_cover_assignment(
    b: MilpBuilder,
    instance: Instance,
    pairs: Pairs,
    x: np.ndarray,
    *,
    obj: float | np.ndarray,
    full: bool,
    single_source: bool,
    min_loads: np.ndarray | None = None,
    name: str = "assign",
) -> np.ndarray:
    """Assignment columns over ``pairs`` with capacities (and minimum loads); returns them.

    ``full``: every demand point is assigned (``= 1``), else at most once
    (``<= 1``: coverage may leave a point, or part of it, unserved).
    ``single_source``: binary shares. ``min_loads``: each site's least load if
    open (:func:`erlocate.models.loads.min_load_vector`), or None. Rows:
    ``<name>_once``, ``<name>_link`` (``assign_once``/``link`` for the default
    name), ``capacity`` and ``min_load``.
    """
    z = add_assignment(
        b,
        instance,
        pairs,
        x,
        obj=obj,
        integer=single_source,
        at_most_once=not full,
        name=name,
    )
    add_capacity(b, instance, pairs, x, z)
    if min_loads is not None:
        add_min_load(b, instance, pairs.rows, pairs.cols, z, x, min_loads)
    return z


def covered_share(
    instance: Instance, plan: Plan, max_cost: float, assigned: bool = True
) -> np.ndarray:
    """Per demand point, the share of its demand the plan assigns to open sites within
    ``max_cost`` (costs looked up in the input; shares to closed sites do not count).

    ``assigned=False``: coverage by presence instead, 1 where an open site lies within
    ``max_cost`` and 0 elsewhere (uncapacitated coverage models).
    """
    if not assigned:
        return (coverage_counts(instance, plan.open, max_cost) >= 1).astype(float)
    i, j, s = plan.demand_idx, plan.site_idx, plan.share
    ok = plan.open[j] & (instance.cost_of(i, j) <= max_cost)
    return np.bincount(i[ok], weights=s[ok], minlength=instance.n_demand)


def over_assigned(instance: Instance, plan: Plan, tol: float = 1e-6) -> list[str]:
    """Demand points whose shares add up to more than 1 (one message naming them all)."""
    total = np.bincount(plan.demand_idx, weights=plan.share, minlength=instance.n_demand)
    bad = np.flatnonzero(total > 1 + tol)
    if not bad.size:
        return []
    return [
        f"{bad.size} demand points assigned more than once (shares sum "
        f"{total[bad[0]]:g} for {instance.demand_ids[bad[0]]!r}): "
        f"{show_ids(instance.demand_ids[bad])}"
    ]


def reach_capacity_precheck(instance: Instance, pairs: Pairs, single_source: bool) -> None:
    r"""Every demand point must fit into the sites it may be assigned to (InfeasibleError).

    Split demand needs :math:`d_i \le \sum_{j:(i,j)} K_j`; single sourcing needs
    one allowed site with :math:`K_j \ge d_i`.
    """
    cap = instance.capacities[pairs.cols]
    if single_source:
        room: np.ndarray = np.zeros(instance.n_demand)
        np.maximum.at(room, pairs.rows, cap)
    else:
        room = np.bincount(pairs.rows, weights=cap, minlength=instance.n_demand)
    bad = np.flatnonzero(instance.demand > room * (1 + 1e-12))
    if bad.size:
        k = bad[0]
        what = "the largest capacity" if single_source else "the total capacity"
        raise InfeasibleError(
            f"capacities: {bad.size} demand point(s) exceed {what} of the sites they may be "
            f"assigned to, e.g. {instance.demand_ids[k]!r} with demand {instance.demand[k]:g} "
            f"against {room[k]:g}; ids {show_ids(instance.demand_ids[bad[:20]])}. Raise "
            "capacities, the standard" + (", or allow split demand" if single_source else "")
        )


def reach_min_load_precheck(instance: Instance, pairs: Pairs, m: np.ndarray) -> None:
    """A required site's minimum load must not exceed the demand it may be assigned
    (InfeasibleError naming the sites)."""
    reach = np.bincount(pairs.cols, weights=instance.demand[pairs.rows], minlength=pairs.n_sites)
    bad = np.flatnonzero(instance.required & (m > reach * (1 + 1e-12) + 1e-9))
    if bad.size:
        each = ", ".join(
            f"{instance.site_ids[k]!r} (least load {m[k]:g} > {reach[k]:g})" for k in bad[:20]
        )
        raise InfeasibleError(
            f"min_loads: {bad.size} required site(s) must carry more than all the demand they "
            f"may serve: {each}; lower their minimums or raise the standard"
        )


def check_load_options(capacitated: bool, min_loads: Sized | None, fill_required: bool) -> None:
    """Minimum loads need the capacitated assignment (InputError naming the field otherwise)."""
    asked = {
        "min_loads": min_loads is not None and len(min_loads) > 0,
        "fill_required": fill_required,
    }
    for field, given in asked.items():
        if given and not capacitated:
            raise InputError(
                f"{field}: a minimum load needs an assignment of demand to sites, which a "
                "coverage model has only when capacitated; pass capacitated=True (or "
                f"single_source=True), or drop {field}",
                field=field,
            )


def cover_assignment_precheck(
    instance: Instance,
    pairs: Pairs,
    max_cost: float | None,
    *,
    full: bool,
    single_source: bool,
    open_limit: int | None = None,
    min_loads: np.ndarray | None = None,
) -> None:
    """Infeasibility of a capacitated covering assignment shown by the data (InfeasibleError).

    ``pairs`` are those within ``max_cost`` (None: every reachable pair).
    ``full`` (every point assigned over ``pairs``): each point reaches a site,
    the ``open_limit`` largest capacities hold the total demand, and each point
    fits into the sites it may use. ``min_loads``: the required sites' minimums
    fit into the demand there is to assign, in all and site by site.
    """
    if full:
        require_reach(instance, max_cost, "assignment")
        capacity_precheck(instance, open_limit=open_limit)
        reach_capacity_precheck(instance, pairs, single_source)
    if min_loads is not None:
        reach = np.zeros(instance.n_demand, dtype=bool)
        reach[pairs.rows] = True
        min_load_precheck(instance, min_loads, float(instance.demand[reach].sum()))
        reach_min_load_precheck(instance, pairs, min_loads)


def cover_assignment_breaches(
    instance: Instance,
    plan: Plan,
    *,
    max_cost: float | None,
    full: bool,
    single_source: bool,
    min_loads: np.ndarray,
) -> list[str]:
    """The capacitated covering assignment re-checked on ``plan`` from the data: shares to
    open sites within ``max_cost``, once (exactly once if ``full``), capacities, single
    sourcing, minimum loads. One message per breach."""
    c = Checker(instance, plan)
    c.allocation(max_cost=max_cost, capacitated=True, single_source=single_source, full=full)
    if not full:
        c.breaches += over_assigned(instance, plan)
    return c.breaches + min_load_breaches(instance, plan, min_loads)


def build_cover_assignment(
    name: str,
    sense: str,
    instance: Instance,
    pairs: Pairs,
    *,
    open_cost: float | np.ndarray,
    assign_obj: float | np.ndarray,
    full: bool,
    single_source: bool,
    min_loads: np.ndarray | None,
    groups: tuple[SiteGroup, ...],
    p: int | None = None,
) -> Milp:
    """A coverage model's whole capacitated MILP: open flags (objective ``open_cost``), the
    assignment over ``pairs`` (objective ``assign_obj``; see :func:`add_cover_assignment`),
    ``sum_j x_j = p`` when ``p`` is given, and the site groups' rows."""
    b = MilpBuilder(name, sense)
    x = add_open(b, instance, obj=open_cost)
    add_cover_assignment(
        b,
        instance,
        pairs,
        x,
        obj=assign_obj,
        full=full,
        single_source=single_source,
        min_loads=min_loads,
    )
    if p is not None:
        add_count(b, x, p)
    add_group_rows(b, instance, x, groups)
    return b.build()


def cover_min_loads(
    instance: Instance, capacitated: bool, min_loads: Any, fill_required: bool
) -> np.ndarray | None:
    """Each site's least load if open (:func:`erlocate.models.loads.min_load_vector`) for a
    capacitated coverage model, or None when it has none (or is not capacitated)."""
    if not capacitated:
        return None
    m = min_load_vector(instance, min_loads, fill_required)
    return m if (m > 0).any() else None
