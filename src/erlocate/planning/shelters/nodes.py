"""Demand nodes of the shelter MILP: communities that must go to the same shelter, merged.

With closest assignment (``closest=True``), single assignment and nobody left
unhoused, a community goes to its nearest open shelter, so two communities
that rank the shelters they may use in the same strict order (and can use the
same ones) go to the same shelter in *every* feasible plan, whatever opens.
:func:`demand_nodes` merges them into one node (exact: the node's people,
per scenario, load the shelter; its walking cost is the members' sum; one
assignment column, one assignment row and one closest-assignment row per
shelter replace the members'). A community whose ranking has a tie stays
alone when ``ties="any"`` (its tied shelters are interchangeable for it
alone); with ``ties="first"`` the site order breaks ties and it merges.
Otherwise every active community is its own node. On the district with 256
demand points per community this leaves 2,296 nodes of 28,880 communities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from erlocate.planning.arrays import groups, unique_in_order
from erlocate.planning.shelters.inputs import ShelterData

__all__ = ["Nodes", "demand_nodes"]


@dataclass(frozen=True)
class Nodes:
    """Active communities grouped into nodes (CSR ``members[indptr[g]:indptr[g + 1]]``)."""

    node_of: np.ndarray  # (n) node of each community, -1 if inactive
    rep: np.ndarray  # (G) one member per node (its pairs are the node's)
    members: np.ndarray
    indptr: np.ndarray

    @property
    def size(self) -> int:
        return int(self.rep.size)


def demand_nodes(d: ShelterData) -> Nodes:
    """The nodes of the MILP: merged as in the module docstring when that is exact."""
    inst, p = d.instance, d.params
    n, m = inst.n_demand, inst.n_sites
    act = np.flatnonzero(d.active)
    node_of = np.full(n, -1, dtype=np.int64)
    if not (p.closest and not p.allow_unhoused) or act.size == 0:
        node_of[act] = np.arange(act.size)
        order, indptr = groups(node_of[act], act.size)
        return Nodes(node_of, act, act[order], indptr)
    r, c, cost = (a[d.allowed] for a in (inst.pair_rows, inst.indices, inst.costs))
    dense = np.full((n, m), np.inf)
    dense[r, c] = cost
    order = np.argsort(dense, axis=1, kind="stable")  # by cost, then site order
    rank = np.empty((n, m), dtype=np.int64)
    np.put_along_axis(rank, order, np.arange(m)[None, :], axis=1)
    rank[~np.isfinite(dense)] = -1
    usable = np.zeros((n, m), dtype=bool)
    usable[inst.pair_rows[d.usable], inst.indices[d.usable]] = True
    key = np.c_[rank, usable][act]
    _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    label = inv.ravel()
    if p.ties == "any":  # a ranking with a tie keeps its community alone
        srt = np.take_along_axis(dense[act], order[act], axis=1)
        fin = np.isfinite(srt)
        tied = ((srt[:, 1:] == srt[:, :-1]) & fin[:, 1:]).any(axis=1)
        label = np.where(tied, first.size + np.arange(act.size), label)
    # nodes numbered in the order of their first community (the MILP keeps the data's order)
    first_pos, node_of[act] = unique_in_order(label)
    G = first_pos.size
    srt_members, indptr = groups(node_of[act], G)
    members = act[srt_members]
    return Nodes(node_of, members[indptr[:-1]], members, indptr)
