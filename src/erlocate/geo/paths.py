"""Graph assembly and many-to-many shortest paths for :class:`~erlocate.geo.RoadNetwork`."""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from erlocate.geo.roads import Segments
from erlocate.geo.snapping import Links, Snapped, split_links
from erlocate.progress import Progress

__all__ = ["links_and_graph", "many_to_many", "trip_matrix"]

log = logging.getLogger(__name__)

_BLOCK = 1 << 22  # Dijkstra rows × nodes held in memory at once (32 MB of float64)


def links_and_graph(node_xy: np.ndarray, s: Segments) -> tuple[Links, sp.csr_array]:
    """Merge segments joining the same two nodes (fastest per direction) and build the graph."""
    n = len(node_xy)
    time = s.time
    lo, hi = np.minimum(s.u, s.v), np.maximum(s.u, s.v)
    with_digitising = s.u < s.v
    inf = np.full(len(time), np.inf)
    fwd, bwd = np.where(s.forward, time, inf), np.where(s.backward, time, inf)
    t_ahead = np.where(with_digitising, fwd, bwd)
    t_back = np.where(with_digitising, bwd, fwd)
    key = lo.astype(np.int64) * n + hi
    order = np.argsort(key, kind="stable")
    uniq, start = np.unique(key[order], return_index=True)
    if len(uniq):
        ahead = np.minimum.reduceat(t_ahead[order], start)
        back = np.minimum.reduceat(t_back[order], start)
    else:
        ahead = back = np.empty(0)
    links = Links(lo=uniq // n, hi=uniq % n, ahead=ahead, back=back, node_xy=node_xy)
    a, b = np.isfinite(ahead), np.isfinite(back)
    graph = sp.csr_array(
        (
            np.r_[ahead[a], back[b]],
            (np.r_[links.lo[a], links.hi[b]], np.r_[links.hi[a], links.lo[b]]),
        ),
        shape=(n, n),
    )
    return links, graph


def many_to_many(
    graph: sp.csr_array,
    src: np.ndarray,
    src_acc: np.ndarray,
    dst: np.ndarray,
    dst_acc: np.ndarray,
    cut: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(source point, target point, minutes) of every finite trip within ``cut``.

    Dijkstra runs once per distinct source node, in blocks that bound memory; a long
    run logs its progress (INFO every 10 s, :class:`~erlocate.progress.Progress`).
    """
    nodes, inverse = np.unique(src, return_inverse=True)
    if len(nodes) == 0 or len(dst) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    limit = np.inf
    if cut is not None:  # no trip needs more network time than the cut-off minus both walks
        limit = max(cut - src_acc.min() - dst_acc.min(), 0.0) * (1 + 1e-12) + 1e-12
    block = max(1, _BLOCK // max(graph.shape[0], len(dst)))
    out_r, out_c, out_v = [], [], []
    progress = Progress(len(nodes), "travel times", unit="source node", logger=log)
    for start in range(0, len(nodes), block):
        stop = min(start + block, len(nodes))
        dist = dijkstra(graph, directed=True, indices=nodes[start:stop], limit=limit)[:, dst]
        points = np.flatnonzero((inverse >= start) & (inverse < stop))
        cost = src_acc[points, None] + dist[inverse[points] - start] + dst_acc[None, :]
        keep = np.isfinite(cost) if cut is None else cost <= cut
        r, c = np.nonzero(keep)
        out_r.append(points[r])
        out_c.append(c)
        out_v.append(cost[r, c])
        progress.update(stop - start)
    progress.close()
    if not out_r:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_v)


def trip_matrix(
    graph: sp.csr_array,
    links: Links,
    d_snap: Snapped,
    s_snap: Snapped,
    speed: float,
    from_sites_trips: bool,
    cut: float | None,
) -> sp.csr_array:
    """Demand × site trip minutes: walk to the road, drive, walk from the road.

    ``speed`` is the access speed in metres per minute; ``from_sites_trips``
    says whether a trip starts at the site (a response) or at the demand point.
    Demand points off the network (link -1) get empty rows.
    """
    on = d_snap.found
    if not on.all():
        sub = Snapped(*(getattr(d_snap, f)[on] for f in Snapped.__dataclass_fields__))
        mat = trip_matrix(graph, links, sub, s_snap, speed, from_sites_trips, cut)
        counts = np.zeros(on.size, dtype=np.int64)
        counts[on] = np.diff(mat.indptr)
        indptr = np.r_[0, np.cumsum(counts)]
        return sp.csr_array((mat.data, mat.indices, indptr), shape=(on.size, mat.shape[1]))
    both = Snapped(
        *(np.r_[getattr(d_snap, f), getattr(s_snap, f)] for f in Snapped.__dataclass_fields__)
    )
    graph, node = split_links(graph, links, both)
    n, m = len(d_snap.link), len(s_snap.link)
    access = both.distance / speed
    ends = (node[:n], access[:n]), (node[n:], access[n:])
    # run Dijkstra from the side with fewer distinct nodes; walk the graph backwards
    # when that side is where the trip ends
    from_sites = len(np.unique(node[n:])) <= len(np.unique(node[:n]))
    (src, src_acc), (dst, dst_acc) = ends[::-1] if from_sites else ends
    if from_sites != from_sites_trips:
        graph = graph.T.tocsr()
    rows, cols, vals = many_to_many(graph, src, src_acc, dst, dst_acc, cut)
    i, j = (cols, rows) if from_sites else (rows, cols)
    order = np.lexsort((j, i))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(i, minlength=n), out=indptr[1:])
    return sp.csr_array((vals[order], j[order], indptr), shape=(n, m))
