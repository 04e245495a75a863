"""Shelter demand nodes: merging communities that share a shelter in every plan is exact."""

from __future__ import annotations

import numpy as np
import pytest

import erlocate
from erlocate.planning.shelters import Shelters
from erlocate.planning.shelters import formulation as shelter_formulation
from erlocate.planning.shelters.nodes import Nodes, demand_nodes


def clustered(seed: int, n_clusters: int = 6, per: int = 5, m: int = 6) -> erlocate.Instance:
    """Points in tight clusters (so many share a ranking of the shelters), some exact copies."""
    rng = np.random.default_rng(seed)
    centres = rng.random((n_clusters, 2)) * 2000
    pts = np.repeat(centres, per, axis=0) + rng.normal(0, 15, (n_clusters * per, 2))
    pts[1::per] = pts[0::per]  # exact copies: identical costs
    sites = rng.random((m, 2)) * 2000
    walk = np.hypot(*(pts[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)) / 70  # minutes
    pop = rng.integers(100, 900, len(pts))
    cap = rng.integers(800, 3000, m).astype(float)
    return erlocate.Instance.from_matrix(
        np.round(walk, 1),  # rounding makes ties, which ties="any" must keep apart
        weights=pop,
        capacities=cap,
        required=np.arange(m) < 2,
    )


def unmerged(d) -> Nodes:
    """Every active community its own node (what the MILP had before merging)."""
    act = np.flatnonzero(d.active)
    node_of = np.full(d.instance.n_demand, -1)
    node_of[act] = np.arange(act.size)
    return Nodes(node_of, act, act, np.arange(act.size + 1))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("ties", ["any", "first"])
def test_merged_nodes_give_the_same_optimum(seed, ties, monkeypatch):
    inst = clustered(seed)
    model = Shelters(share=0.3, ties=ties, closest=True)
    d = model.data(inst)
    nodes = demand_nodes(d)
    assert nodes.size < int(d.active.sum())  # something merged
    merged = erlocate.solve(model, inst, raise_on_failure=False)
    monkeypatch.setattr(shelter_formulation, "demand_nodes", unmerged)
    plain = erlocate.solve(
        Shelters(share=0.3, ties=ties, closest=True), inst, raise_on_failure=False
    )
    assert merged.status == plain.status
    if plain.status == "optimal":
        assert merged.objective == pytest.approx(plain.objective, rel=1e-9)


def test_members_of_a_node_rank_alike_and_copies_merge():
    inst = clustered(3)
    d = Shelters(share=0.3, ties="first", closest=True).data(inst)
    nodes = demand_nodes(d)
    cost = inst.dense_costs()
    for g in range(nodes.size):
        mem = nodes.members[nodes.indptr[g] : nodes.indptr[g + 1]]
        orders = {tuple(np.argsort(cost[i], kind="stable")) for i in mem}
        assert len(orders) == 1
    assert (nodes.node_of[0::5] == nodes.node_of[1::5]).all()  # exact copies


def test_no_merging_without_closest_assignment_or_with_unhoused():
    inst = clustered(4)
    for kw in ({"closest": False}, {"closest": True, "allow_unhoused": True}):
        d = Shelters(share=0.3, **kw).data(inst)
        assert demand_nodes(d).size == int(d.active.sum())
