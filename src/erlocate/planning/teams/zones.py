"""The zones × zones view of an instance, also after ``Instance.drop_demand``.

A team allocation needs a square instance: demand point ``i`` and site ``i``
are the same zone. ``instance.drop_demand(ids)`` (zones no station can reach,
e.g. cut off by a flood) removes the zones as demand points but keeps them as
sites; :func:`zone_view` then drops those sites too, so the model plans the
remaining zones only: a dropped zone has no staffing minimum, no primary
responder and no team stationed in it. :func:`to_sites` and :func:`to_zones`
move a plan between the view and the instance solved (whose ``open`` flags
and ``site_idx`` are over all its sites).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

import numpy as np

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.plan import Plan
from erlocate.planning.inputs import shown

__all__ = ["to_sites", "to_zones", "zone_view"]

P = TypeVar("P", bound=Plan)


def zone_view(inst: Instance) -> tuple[Instance, np.ndarray | None]:
    """The square zones × zones instance, and the zones' site positions (None: ``inst`` is it).

    Raises
    ------
    InputError
        ``instance``: the site ids are not the demand ids (in the same order), give or take
        the zones dropped with ``drop_demand``.
    """
    if inst.site_ids.equals(inst.demand_ids):
        return inst, None
    pos = inst.site_ids.get_indexer(inst.demand_ids)
    extra = inst.site_ids.difference(inst.demand_ids, sort=False)
    gone = set(inst.dropped)
    if (pos < 0).any() or (np.diff(pos) <= 0).any() or any(k not in gone for k in extra):
        raise InputError(
            "instance: TeamAllocation needs a square zones × zones instance whose site_ids "
            "equal its demand_ids (cost[i, j] = response time from zone j to zone i); got "
            f"{inst.n_demand} demand points × {inst.n_sites} sites"
            + (f"; sites that are not zones: {shown(extra)}" if len(extra) else ""),
            field="instance",
        )
    inv = np.full(inst.n_sites, -1, dtype=np.int64)
    inv[pos] = np.arange(pos.size)
    keep = inv[inst.indices] >= 0
    indptr = np.zeros(inst.n_demand + 1, dtype=np.int64)
    np.cumsum(np.bincount(inst.pair_rows[keep], minlength=inst.n_demand), out=indptr[1:])
    frame = None if inst.site_frame is None else inst.site_frame.iloc[pos]
    view = replace(
        inst,
        indptr=indptr,
        indices=inv[inst.indices[keep]],
        costs=inst.costs[keep].copy(),
        site_costs=inst.site_costs[pos],
        capacities=inst.capacities[pos],
        required=inst.required[pos],
        site_ids=inst.site_ids[pos],
        site_frame=frame,
    )
    return view, pos


def to_sites(plan: P, pos: np.ndarray | None, n_sites: int) -> P:
    """A plan on the zone view as a plan on the instance solved (open flags over its sites)."""
    if pos is None:
        return plan
    opened = np.zeros(n_sites, dtype=bool)
    opened[pos] = plan.open
    return replace(plan, open=opened, site_idx=pos[plan.site_idx])


def to_zones(plan: P, pos: np.ndarray | None, inst: Instance) -> tuple[P, list[str]]:
    """A plan on the instance solved as a plan on the zone view, with breaches it cannot carry.

    Open flags or allocations at the sites of dropped zones are breaches (they
    are not zones of the plan); they are left out of the returned plan.
    """
    if pos is None:
        return plan, []
    open_ = np.asarray(plan.open, dtype=bool)
    if open_.shape != (inst.n_sites,):
        return plan, [f"plan: {open_.size} open flags for {inst.n_sites} sites"]
    inv = np.full(inst.n_sites, -1, dtype=np.int64)
    inv[pos] = np.arange(pos.size)
    site_idx = np.asarray(plan.site_idx, dtype=np.int64)
    out = []
    bad = (open_ & (inv < 0)) | (np.bincount(site_idx, minlength=inst.n_sites) > 0) & (inv < 0)
    if bad.any():
        out.append(f"open or assigned sites of dropped zones: {shown(inst.site_ids[bad])}")
    keep = inv[site_idx] >= 0
    narrowed = replace(
        plan,
        open=open_[pos],
        demand_idx=np.asarray(plan.demand_idx)[keep],
        site_idx=inv[site_idx[keep]],
        share=np.asarray(plan.share)[keep],
    )
    return narrowed, out
