"""Shelter prechecks: capacity, walking reach and single assignment, found before solving."""

from __future__ import annotations

import numpy as np

from erlocate.errors import InfeasibleError
from erlocate.inputs import show_ids
from erlocate.planning.shelters.inputs import ShelterData, fmt_amount, fmt_communities

__all__ = ["precheck"]


def precheck(d: ShelterData) -> None:
    """Raise InfeasibleError for requests the data cannot meet."""
    instance, p = d.instance, d.params
    if p.allow_unhoused:
        return
    ids, req = instance.demand_ids, instance.required
    top = np.sort(d.cap[~req])[::-1]
    n_cand = top.size if p.new is None else min(int(p.new), top.size)
    best = float(d.cap[req].sum() + top[:n_cand].sum())
    for s, name in enumerate(d.names):
        need = float(d.people[s].sum())
        if best < need * (1 - 1e-12):
            m2 = np.unique(d.m2pp)
            how = (
                "from instance.capacities"
                if d.area is None
                else f"at {m2[0]:g} m²/person"
                if m2.size == 1
                else "at their classes' m²/person"
            )
            a = d.shares[s]
            who = (
                f"{fmt_amount(float(d.pop.sum()))} × {100 * a:g} %"
                if a is not None
                else f"{fmt_amount(float(d.pop.sum()))} people × per-community shares"
            )
            scen = f"scenario {name!r}: " if len(d.names) > 1 else ""
            raise InfeasibleError(
                f"{scen}shelters hold {fmt_amount(best)} people ({int(req.sum())} existing + "
                f"{n_cand} {'largest ' if p.new is not None else ''}candidate sites, "
                f"{how}); {who} = {fmt_amount(need)} need shelter. Add usable area or candidate "
                "sites, raise new, or pass allow_unhoused=True."
            )
    reach = np.bincount(instance.pair_rows[d.allowed], minlength=instance.n_demand) > 0
    lost = np.flatnonzero(d.active & ~reach)
    if lost.size:
        lims = ", ".join(f"{k} {v:g}" for k, v in dict(zip(d.cls, d.limit, strict=True)).items())
        raise InfeasibleError(
            f"no shelter within the walking limit of its class ({lims} {p.cost_unit}) "
            f"for {fmt_communities(lost.size)}: ids {show_ids(ids[lost])}. Serve the rest with "
            "instance.drop_demand(ids) (results then list them as dropped), add candidate sites "
            "near them, change the class table, or pass allow_unhoused=True."
        )
    fits = np.bincount(instance.pair_rows[d.usable], minlength=instance.n_demand) > 0
    big = np.flatnonzero(d.active & ~fits)
    if big.size:
        k = big[0]
        largest = d.cap[instance.indices[d.allowed & (instance.pair_rows == k)]].max()
        raise InfeasibleError(
            f"single assignment: {fmt_communities(big.size)} too large for every shelter within "
            f"walking limit, e.g. {ids[k]!r} with {fmt_amount(d.hmax[k])} people to shelter "
            f"while the largest reachable shelter holds {fmt_amount(largest)}; ids "
            f"{ids[big[:10]].tolist()}. Split them into smaller demand points, add area, or "
            "pass allow_unhoused=True."
        )
