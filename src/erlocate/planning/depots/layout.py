"""The depot MILP's layout: demand nodes, arcs and stock variables (the builder's reductions).

:func:`layout` lists, per scenario, the demand nodes (communities, or groups
of communities with the same reach when aggregation is exact) with their
depot and contract arcs (:func:`usable_pairs`), and the stock variables with
their bounds; :func:`expand` splits a node's flows back over its communities.
Only :mod:`~erlocate.planning.depots.formulation` reads them: the verifier
recomputes every rule from :class:`~erlocate.planning.depots.data.DepotData`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from erlocate.planning.arrays import groups, ranges
from erlocate.planning.depots.data import DepotData

__all__ = ["ScenarioNodes", "expand", "layout", "usable_pairs"]


@dataclass
class ScenarioNodes:
    """One scenario's demand nodes (communities, or groups with the same reach) and arcs."""

    node_of: np.ndarray  # (n) node of each community, -1 when unaffected
    members: np.ndarray  # communities sorted by node
    indptr: np.ndarray  # node -> members[indptr[g]:indptr[g+1]]
    D: np.ndarray  # (G, K) need per node
    f_node: np.ndarray  # depot flow variables: node, site, category, travel hours
    f_site: np.ndarray
    f_cat: np.ndarray
    f_hours: np.ndarray
    g_node: np.ndarray  # contract flow variables: node, contract row
    g_con: np.ndarray


def usable_pairs(d: DepotData, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of scenario ``s`` a depot may serve (allowed site, within the relief time):
    rows, sites, travel hours."""
    rows, cols, hrs = d.hours(s)
    ok = d.allowed[cols] & (hrs <= d.relief * (1 + 1e-12))
    return rows[ok], cols[ok], d.nets[s].costs[ok] * d.to_hours


def layout(d: DepotData) -> tuple[list[ScenarioNodes], np.ndarray, np.ndarray, np.ndarray]:
    """Per-scenario nodes and arcs, and the stock variables (site, category, upper bound).

    Communities are grouped only with ``aggregate`` and ``transport_rate == 0``
    (then exact); stock bounds are whole with ``integer_stock``.
    """
    aggregate = bool(d.params.aggregate) and d.params.transport_rate == 0
    out = [_scenario_nodes(d, s, aggregate) for s in range(len(d.scen))]
    m, K = d.cap.size, d.cats.size
    # the most a depot could ever ship of a category (stock above it is never used)
    most: np.ndarray = np.zeros(m * K)
    for sc in out:
        key = sc.f_site * K + sc.f_cat
        most = np.maximum(
            most, np.bincount(key, weights=sc.D[sc.f_node, sc.f_cat], minlength=m * K)
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        room: np.ndarray = np.where(d.space > 0, d.cap[:, None] / d.space[None, :], np.inf).ravel()
    if d.params.integer_stock:  # whole units: never more than ceil(most), at most floor(room)
        most, room = np.ceil(most - 1e-9), np.floor(room + 1e-9)
    ub = np.minimum(most, room)
    has = ub > 1e-12
    for sc in out:
        keep = has[sc.f_site * K + sc.f_cat]
        sc.f_node, sc.f_site, sc.f_cat, sc.f_hours = (
            a[keep] for a in (sc.f_node, sc.f_site, sc.f_cat, sc.f_hours)
        )
    keys = np.flatnonzero(has)
    return out, keys // K, keys % K, ub[keys]


def _scenario_nodes(d: DepotData, s: int, aggregate: bool) -> ScenarioNodes:
    """Scenario ``s``'s demand nodes with their depot and contract arcs."""
    n, m = d.demand.shape[1], d.cap.size
    dem = d.demand[s]
    aff = np.flatnonzero(dem.sum(axis=1) > 0)
    rows, cols, hrs = usable_pairs(d, s)
    reach_c = d.c_time[s] <= d.relief * (1 + 1e-12)
    node_of = np.full(n, -1, dtype=np.int64)
    if aggregate and aff.size:
        sig = np.zeros((n, m + reach_c.shape[1]), dtype=bool)
        sig[rows, cols] = True
        sig[:, m:] = reach_c
        _, first, inv = np.unique(
            np.packbits(sig[aff], axis=1), axis=0, return_index=True, return_inverse=True
        )
        node_of[aff] = inv.ravel()
        rep = aff[first]
    else:
        node_of[aff] = np.arange(aff.size)
        rep = aff
    G = rep.size
    order, indptr = groups(node_of[aff], G)
    members = aff[order]
    D = sp.csr_array((np.ones(aff.size), (node_of[aff], aff)), shape=(G, n)) @ dem
    is_rep = np.zeros(n, dtype=bool)
    is_rep[rep] = True
    pm = is_rep[rows]
    pn, ps, ph = node_of[rows[pm]], cols[pm], hrs[pm]
    p_idx, k_idx = np.nonzero(D[pn] > 0)
    gn, gc = np.nonzero(reach_c[rep] & (D[:, d.c_cat] > 0))
    return ScenarioNodes(
        node_of, members, indptr, D, pn[p_idx], ps[p_idx], k_idx, ph[p_idx], gn, gc
    )


def expand(
    sc: ScenarioNodes,
    node: np.ndarray,
    src: np.ndarray,
    cat: np.ndarray,
    q: np.ndarray,
    dem: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Node flows split over the node's communities in proportion to their need."""
    cnt = np.diff(sc.indptr)[node]
    e = np.repeat(np.arange(node.size), cnt)
    mem = sc.members[ranges(sc.indptr[node], cnt)]
    amount = q[e] * dem[mem, cat[e]] / sc.D[node[e], cat[e]]
    k = amount > 0
    return mem[k], src[e][k], cat[e][k], amount[k]
