"""Connected parts of a road network, and why a point cannot be reached.

OpenStreetMap extracts are fragmented: one-way stubs, service roads cut at the
extract's edge, ramps digitised without their junction. A *strongly* connected
part is a set of nodes that can all drive to each other; a *weakly* connected
part ignores one-way restrictions. A point snapped onto a road of a small part
reaches — or is reached from — only that part, whatever the cut-off.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from erlocate.geo.roads import Segments
from erlocate.geo.snapping import Links

__all__ = ["Parts", "cut_off_message", "link_parts", "part_table", "parts"]


class Parts:
    """Strongly and weakly connected parts of a directed road graph.

    Attributes
    ----------
    strong : numpy.ndarray of int
        Strong part of each node, numbered by size: 0 is the largest (ties by
        lowest node), so ``strong == 0`` is the largest strongly connected part.
    weak : numpy.ndarray of int
        Weak part of each node, numbered the same way.
    sizes : numpy.ndarray of int
        Nodes per strong part.
    """

    def __init__(self, strong: np.ndarray, weak: np.ndarray) -> None:
        self.strong = strong
        self.weak = weak
        self.sizes = np.bincount(strong)


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Relabel parts 0, 1, ... by decreasing size, ties by their lowest node."""
    sizes = np.bincount(labels)
    first = np.full(len(sizes), len(labels))
    np.minimum.at(first, labels, np.arange(len(labels)))
    order = np.lexsort((first, -sizes))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[labels]


def parts(graph: sp.csr_array) -> Parts:
    """The strong and weak parts of ``graph`` (scipy's connected_components)."""
    _, strong = connected_components(graph, directed=True, connection="strong")
    _, weak = connected_components(graph, directed=True, connection="weak")
    return Parts(_by_size(strong), _by_size(weak))


def part_table(p: Parts, segments: Segments) -> pd.DataFrame:
    """One row per strong part, largest first: nodes, segments and km inside it, weak part."""
    inside = p.strong[segments.u] == p.strong[segments.v]
    part = p.strong[segments.u[inside]]
    n = len(p.sizes)
    weak = np.zeros(n, dtype=np.int64)
    weak[p.strong] = p.weak  # every node of a strong part lies in one weak part
    return pd.DataFrame(
        {
            "nodes": p.sizes,
            "segments": np.bincount(part, minlength=n),
            "length_km": np.bincount(part, weights=segments.length[inside], minlength=n) / 1e3,
            "weak_part": weak,
        },
        index=pd.RangeIndex(n, name="part"),
    )


def link_parts(p: Parts, links: Links, link: np.ndarray) -> np.ndarray:
    """Strong part of the given links: the smaller part among a link's two ends.

    Both ends of a two-way link lie in one part. A one-way link may join two
    parts; a point on it is reached from one and reaches the other, so it is
    strongly connected with neither and is reported in the smaller.
    """
    return np.maximum(p.strong[links.lo[link]], p.strong[links.hi[link]])


def cut_off_message(
    ids: pd.Index,
    part: np.ndarray,
    part_nodes: np.ndarray,
    best: np.ndarray,
    cutoff: float | None,
    unit: str,
    limit: int = 20,
) -> str:
    """Why each point is unreachable: cut off from every site, or only beyond the cut-off.

    ``part`` / ``part_nodes`` are the strong part each point snapped into and its
    size (0 = the largest part); ``best`` is the shortest time without a cut-off
    (``inf`` when no path exists).
    """
    out = []
    cut = ~np.isfinite(best)
    if cut.any():
        named = [
            f"{i!r} into {'the largest part, of' if k == 0 else 'a part of'} {n} node"
            + ("s" if n != 1 else "")
            for i, k, n in zip(ids[cut][:limit], part[cut], part_nodes[cut], strict=False)
        ]
        more = f", ... (+{int(cut.sum()) - limit} more)" if cut.sum() > limit else ""
        out.append(
            f"{int(cut.sum())} snapped into a part of the network cut off from every site: "
            f"{', '.join(named)}{more}. Keep the connected roads with network.largest_part() "
            "(see network.components()), add the missing roads or sites, or drop these points"
        )
    far = ~cut
    if far.any():
        shown = [
            f"{i!r} ({b:.4g} {unit})"
            for i, b in zip(ids[far][:limit], best[far][:limit], strict=True)
        ]
        more = f", ... (+{int(far.sum()) - limit} more)" if far.sum() > limit else ""
        within = f"max_cost={cutoff:g} {unit}" if cutoff is not None else "the cut-off"
        out.append(
            f"{int(far.sum())} reach a site only beyond {within}, best time "
            f"{', '.join(shown)}{more}: raise max_cost, add sites, or drop these points"
        )
    return "; ".join(out)
