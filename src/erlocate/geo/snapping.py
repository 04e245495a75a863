"""Snapping points onto road links and splitting the links there.

A point is moved to the nearest position on the nearest link (its orthogonal
projection, found with a shapely STRtree), not to the nearest junction. The
link is then split *virtually*: the snapped position becomes an extra graph
node joined to the link's ends by the two partial-link times (in each
direction the link may be driven), and several positions on one link are
chained in order along it, so trips between two points of the same link are
exact too. The straight-line distance from the point to its snapped position
is walked at the access speed and added to the trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from erlocate.errors import InputError
from erlocate.geo.checks import as_points, check_same_crs, show
from erlocate.params import number

__all__ = ["Links", "Snapped", "snap_points", "snap_table", "split_links"]


@dataclass(frozen=True)
class Links:
    """Undirected straight links ``lo < hi`` with the time of each direction.

    ``ahead`` is the time lo → hi and ``back`` the time hi → lo in minutes
    (``inf`` when that direction is closed or one-way against it).
    """

    lo: np.ndarray
    hi: np.ndarray
    ahead: np.ndarray
    back: np.ndarray
    node_xy: np.ndarray

    def lines(self) -> np.ndarray:
        """The links as shapely LineStrings between their end nodes."""
        return shapely.linestrings(np.stack([self.node_xy[self.lo], self.node_xy[self.hi]], axis=1))


@dataclass(frozen=True)
class Snapped:
    """Where each point joins the network.

    Attributes
    ----------
    link : numpy.ndarray of int
        Link index, or -1 when no link lies within the tolerance.
    fraction : numpy.ndarray
        Position along the link from ``lo`` (0) to ``hi`` (1).
    distance : numpy.ndarray
        Metres from the point to its snapped position (``inf`` when off-network).
    """

    link: np.ndarray
    fraction: np.ndarray
    distance: np.ndarray

    @property
    def found(self) -> np.ndarray:
        """Mask of points within the tolerance of a link."""
        return self.link >= 0


def snap(links: Links, tree: shapely.STRtree, xy: np.ndarray, tolerance: float) -> Snapped:
    """Snap ``(n, 2)`` coordinates onto the nearest link within ``tolerance`` metres."""
    n = len(xy)
    link = np.full(n, -1, dtype=np.int64)
    if n and len(links.lo):
        (which, hit) = tree.query_nearest(
            shapely.points(xy), max_distance=tolerance, all_matches=False
        )
        which, first = np.unique(which, return_index=True)
        link[which] = hit[first]
    found = link >= 0
    a = links.node_xy[links.lo[link[found]]]
    ab = links.node_xy[links.hi[link[found]]] - a
    t = np.einsum("ij,ij->i", xy[found] - a, ab) / np.einsum("ij,ij->i", ab, ab)
    t = np.clip(t, 0.0, 1.0)
    fraction = np.zeros(n)
    distance = np.full(n, np.inf)
    fraction[found] = t
    distance[found] = np.hypot(*(a + t[:, None] * ab - xy[found]).T)
    distance[found & (distance > tolerance)] = np.inf  # float noise at the boundary
    link[~np.isfinite(distance)] = -1
    return Snapped(link=link, fraction=fraction, distance=distance)


def split_links(
    graph: sp.csr_array, links: Links, snapped: Snapped
) -> tuple[sp.csr_array, np.ndarray]:
    """The graph with a node at every snapped position, and each point's node.

    Positions at a link's end (fraction 0 or 1) reuse that end node; points at
    the same position share one node. Off-network points get node -1.
    """
    n_nodes = graph.shape[0]
    link, t = snapped.link, snapped.fraction
    node = np.full(len(link), -1, dtype=np.int64)
    found = link >= 0
    at_lo, at_hi = found & (t <= 0.0), found & (t >= 1.0)
    node[at_lo] = links.lo[link[at_lo]]
    node[at_hi] = links.hi[link[at_hi]]
    inner = found & ~at_lo & ~at_hi
    if not inner.any():
        return graph, node
    # unique (link, fraction) sorted by link then fraction: the chain order along each link
    spots, inverse = np.unique(
        np.column_stack([link[inner], t[inner]]), axis=0, return_inverse=True
    )
    new = n_nodes + np.arange(len(spots))
    node[inner] = new[inverse.ravel()]
    lk, frac = spots[:, 0].astype(np.int64), spots[:, 1]
    first = np.r_[True, lk[1:] != lk[:-1]]
    last = np.r_[lk[1:] != lk[:-1], True]
    prev = np.where(first, links.lo[lk], np.r_[-1, new[:-1]])
    step = frac - np.where(first, 0.0, np.r_[0.0, frac[:-1]])
    ahead, back = links.ahead[lk], links.back[lk]
    # chain lo → s1 → s2 → ... → hi (ahead) and the reverse (back); inf = not drivable
    tails = [prev, new, new[last], links.hi[lk[last]]]
    heads = [new, prev, links.hi[lk[last]], new[last]]
    times = [
        step * ahead,
        step * back,
        (1 - frac[last]) * ahead[last],
        (1 - frac[last]) * back[last],
    ]
    base = sp.coo_array(graph)
    rows = np.concatenate([base.row, *tails])
    cols = np.concatenate([base.col, *heads])
    data = np.concatenate([base.data, *times])
    ok = np.isfinite(data)
    size = n_nodes + len(spots)
    out = sp.csr_array((data[ok], (rows[ok], cols[ok])), shape=(size, size))
    return out, node


def snap_points(
    links: Links,
    tree: shapely.STRtree,
    crs: Any,
    points: Any,
    field: str,
    ids: Any,
    tolerance: Any,
    allow_off: bool = False,
) -> tuple[pd.Index, Snapped]:
    """Check ``points`` (in ``crs``) and snap them; raise naming every point off the network
    (unless ``allow_off``: those keep link -1)."""
    xy, points_crs, labels = as_points(points, field=field, ids=ids)
    check_same_crs(crs, points_crs, "network", field)
    tol = number(tolerance, "tolerance", minimum=0.0, strict=True, hint="metres")
    snapped = snap(links, tree, xy, tol)
    if not allow_off and not snapped.found.all():
        off = labels[~snapped.found]
        raise InputError(
            f"{field}: {len(off)} point(s) off-network — farther than tolerance={tol:g} m "
            f"from every open road: ids {show(off)}; raise the tolerance, add the missing roads "
            "or drop these points",
            field=field,
        )
    return labels, snapped


def snap_table(
    links: Links, node_ids: pd.Index, labels: pd.Index, snapped: Snapped, speed: float
) -> pd.DataFrame:
    """The snapped positions as a table (see :meth:`RoadNetwork.snap`), without parts."""
    xy = links.node_xy
    lo, hi = links.lo[snapped.link], links.hi[snapped.link]
    at = xy[lo] + snapped.fraction[:, None] * (xy[hi] - xy[lo])
    return pd.DataFrame(
        {
            "link": snapped.link,
            "lo": node_ids[lo],
            "hi": node_ids[hi],
            "fraction": snapped.fraction,
            "snap_x": at[:, 0],
            "snap_y": at[:, 1],
            "distance_m": snapped.distance,
            "access_minutes": snapped.distance / speed,
        },
        index=labels,
    )
