"""The shelter MILP: built, decoded and encoded from :class:`ShelterData` alone.

The formulation is in the docstring of :class:`~erlocate.planning.shelters.Shelters`.
Reductions here are the builder's own (no assignment variable where the
community cannot fit, capacity rows of dominated scenarios dropped); the
verifier does not see them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from erlocate.milp import Milp, MilpBuilder
from erlocate.models.blocks import add_link, locate_pairs
from erlocate.plan import Plan
from erlocate.planning.arrays import ranges
from erlocate.planning.shelters.inputs import ShelterData
from erlocate.planning.shelters.nodes import Nodes, demand_nodes
from erlocate.planning.shelters.objective import level_weights

__all__ = ["NodePairs", "assign_pairs", "capacity_scenarios", "decode", "encode", "formulate"]


@dataclass(frozen=True)
class NodePairs:
    """The assignment columns: (node, site) pairs with the node's walking weight."""

    nodes: Nodes
    rows: np.ndarray  # node
    cols: np.ndarray  # site
    walk: np.ndarray  # sum over the node's members of hbar_i * c_ij
    n_sites: int

    def __len__(self) -> int:
        return self.rows.size

    def locate(self, g: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Position of each (node, site) among the pairs (-1 where absent)."""
        return locate_pairs(self.rows, self.cols, self.n_sites, g, j)


def assign_pairs(d: ShelterData) -> NodePairs:
    """The pairs with an assignment variable ``z``: allowed, and every member fits; by node
    (:func:`~erlocate.planning.shelters.nodes.demand_nodes`)."""
    inst = d.instance
    nodes = demand_nodes(d)
    r, c, cost = inst.pair_rows[d.usable], inst.indices[d.usable], inst.costs[d.usable]
    g = nodes.node_of[r]
    is_rep = np.zeros(inst.n_demand, dtype=bool)
    is_rep[nodes.rep] = True
    keep = is_rep[r]
    key = g * inst.n_sites + c
    rows, cols = g[keep], c[keep]  # CSR order: by representative, which is by node
    walk = np.zeros(rows.size)
    at = np.searchsorted(key[keep], key)  # every member's pair onto its node's pair
    np.add.at(walk, at, d.hbar[r] * cost)
    return NodePairs(nodes, rows, cols, walk, inst.n_sites)


def capacity_scenarios(d: ShelterData) -> list[int]:
    """Scenarios whose capacity rows are not dominated by another's (ties: the first kept)."""
    people, s_all = d.people, range(len(d.names))
    return [
        s
        for s in s_all
        if not any(
            t != s and (people[t] >= people[s]).all() and ((people[t] > people[s]).any() or t < s)
            for t in s_all
        )
    ]


def formulate(d: ShelterData) -> Milp:
    """The shelter MILP (formulation in :class:`~erlocate.planning.shelters.Shelters`)."""
    instance, p = d.instance, d.params
    pr = assign_pairs(d)
    nodes = pr.nodes
    member = sp.csr_array(
        (np.ones(nodes.members.size), (nodes.node_of[nodes.members], nodes.members)),
        shape=(nodes.size, instance.n_demand),
    )
    people = (member @ d.people.T).T  # (S, nodes): a node loads its shelter with all members
    hbar = member @ d.hbar
    wu, wn, ww, fcost = level_weights(d)
    b = MilpBuilder("shelters", "min")
    req = instance.required.astype(float)
    x = b.add_cols("open", instance.n_sites, obj=wn * fcost, lb=req, ub=1.0, integer=True)
    h = hbar[pr.rows]
    z = b.add_cols("assign", len(pr), obj=ww * pr.walk - wu * h, ub=1.0, integer=True)
    b.offset = wu * float(d.hbar[d.active].sum())
    comm, local = np.unique(pr.rows, return_inverse=True)
    lb = -np.inf if p.allow_unhoused else 1.0
    b.add_rows("assign_once", rows=local, cols=z, vals=1.0, lb=lb, ub=1.0, n_rows=comm.size)
    add_link(b, z, x[pr.cols])
    finite = np.isfinite(d.cap)
    site_row = np.cumsum(finite) - 1
    use, sites = finite[pr.cols], np.flatnonzero(finite)
    keep = capacity_scenarios(d)
    for s in keep:
        b.add_rows(
            "capacity" if len(keep) == 1 else f"capacity[{d.names[s]}]",
            rows=np.concatenate([site_row[pr.cols[use]], site_row[sites]]),
            cols=np.concatenate([z[use], x[sites]]),
            vals=np.concatenate([people[s][pr.rows[use]], -d.cap[sites]]),
            ub=0.0,
            n_rows=sites.size,
        )
    if p.new is not None:
        cand = x[~instance.required]
        lo = float(p.new) if p.exact_new else -np.inf
        b.add_rows("new", rows=np.zeros(cand.size), cols=cand, vals=1.0, lb=lo, ub=p.new)
    if p.closest:
        _add_closest(b, d, pr, x, z)
    return b.build()


def _add_closest(
    b: MilpBuilder, d: ShelterData, pairs: NodePairs, x: np.ndarray, z: np.ndarray
) -> None:
    """x_j + sum_{l farther than j for g} z_gl <= 1 for every node g and allowed site j
    (the node's representative's pairs: every member ranks the sites alike)."""
    instance, nodes = d.instance, pairs.nodes
    is_rep = np.zeros(instance.n_demand, dtype=bool)
    is_rep[nodes.rep] = True
    mask = d.allowed & is_rep[instance.pair_rows]
    r, c, cost = (a[mask] for a in (instance.pair_rows, instance.indices, instance.costs))
    r = nodes.node_of[r]
    order = np.lexsort((c, cost, r))
    r, c, cost = r[order], c[order], cost[order]
    zpos = np.full(r.size, -1, dtype=np.int64)
    found = pairs.locate(r, c)
    zpos[found >= 0] = z[found[found >= 0]]
    end = np.searchsorted(r, r, side="right")
    if d.params.ties == "first":
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


def decode(d: ShelterData, milp: Milp, x: np.ndarray) -> Plan:
    """The plan in the solver's vector: open shelters and single assignments (a node's
    shelter for every member)."""
    pr = assign_pairs(d)
    nodes = pr.nodes
    open_ = np.round(milp.block(x, "open")) > 0.5
    z = np.round(milp.block(x, "assign")) > 0.5
    g, j = pr.rows[z], pr.cols[z]
    cnt = np.diff(nodes.indptr)[g]
    i = nodes.members[ranges(nodes.indptr[g], cnt)]
    j = np.repeat(j, cnt)
    order = np.lexsort((j, i))
    return Plan(open_, i[order], j[order], np.ones(i.size))


def encode(d: ShelterData, milp: Milp, plan: Plan) -> np.ndarray:
    """A column vector for ``plan`` (a warm start)."""
    x = np.zeros(milp.n_cols)
    x[milp.col_blocks["open"]] = plan.open.astype(float)
    pr = assign_pairs(d)
    pos = pr.locate(pr.nodes.node_of[plan.demand_idx], plan.site_idx)
    x[milp.col_blocks["assign"].start + pos[pos >= 0]] = plan.share[pos >= 0]
    return x
