"""A drivable road network and the travel-time matrix between points on it.

Build it from road lines (:meth:`RoadNetwork.from_geodataframe`) or an
OSMnx-style graph (:meth:`RoadNetwork.from_networkx`), optionally close or
slow the roads inside hazard polygons (:meth:`RoadNetwork.disrupt`), then ask
for response times (:meth:`RoadNetwork.travel_times`). Times are minutes,
distances metres.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely

from erlocate.errors import InputError
from erlocate.geo._common import (
    as_points,
    check_metric_crs,
    check_same_crs,
    metres_per_minute,
    nonnegative,
    show,
    unreachable,
)
from erlocate.geo.paths import links_and_graph, many_to_many
from erlocate.geo.roads import Segments, segments_from_networkx, segments_from_roads
from erlocate.geo.snapping import Snapped, snap, split_links

__all__ = ["RoadNetwork", "unreachable"]


class RoadNetwork:
    """A directed road graph with travel times in minutes, in a projected CRS (metres).

    Nodes are the road vertices (ends and interior vertices of every line);
    every consecutive vertex pair is an edge. Build one with
    :meth:`from_geodataframe` or :meth:`from_networkx`.

    Attributes
    ----------
    crs : pyproj.CRS
        The CRS of the node coordinates (projected, metres).
    node_xy : numpy.ndarray, shape (n_nodes, 2)
        Node coordinates.
    segments : Segments
        One row per road segment (digitised direction, time, one-way flags,
        source row); see :attr:`edges` for a GeoDataFrame view.
    row_ids : pandas.Index
        Labels of the input roads (or ``(u, v)`` graph edges), indexed by ``segments.row``.
    node_ids : pandas.Index
        Node labels (the networkx node keys, or ``0..n_nodes-1``).
    """

    def __init__(
        self,
        node_xy: np.ndarray,
        segments: Segments,
        crs: Any,
        row_ids: pd.Index,
        node_ids: pd.Index | None = None,
    ) -> None:
        self.node_xy = node_xy
        self.segments = segments
        self.crs = pyproj.CRS.from_user_input(crs)
        self.row_ids = row_ids
        self.node_ids = pd.RangeIndex(len(node_xy)) if node_ids is None else node_ids
        self.links, self.graph = links_and_graph(node_xy, segments)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_geodataframe(
        cls,
        roads: Any,
        *,
        speed_kmh: float | None = None,
        speed_column: str | None = None,
        class_column: str | None = None,
        class_speeds: dict[Any, float] | None = None,
        oneway_column: str | None = None,
        node_tolerance: float = 1.0,
    ) -> RoadNetwork:
        """Build the network from road LineStrings.

        Parameters
        ----------
        roads : geopandas.GeoDataFrame
            LineStrings / MultiLineStrings in a projected CRS in metres. Lines
            connect where they share a vertex (after rounding to
            ``node_tolerance``); lines that merely cross (bridges) do not.
        speed_kmh : float, optional
            Speed of every road, or the fallback for roads whose column or
            class gives none.
        speed_column : str, optional
            Column with each road's speed in km/h (takes precedence).
        class_column, class_speeds : str and dict, optional
            Column with a road class and a ``{class: km/h}`` table.
        oneway_column : str, optional
            True / "yes" / 1: only in the digitised direction; False / "no" /
            0 / missing: both ways; "-1" / -1 / "reverse": only against it.
        node_tolerance : float
            Vertices whose coordinates round to the same multiple of this many
            metres become one node. This is grid rounding: two vertices closer
            than the tolerance can still fall in neighbouring cells, so loosely
            digitised data should be cleaned (snapped) beforehand.

        Returns
        -------
        RoadNetwork

        Raises
        ------
        InputError
            Missing or geographic CRS, empty frame, non-line geometry, no speed
            given, missing or non-positive speeds (listing the roads),
            unrecognised one-way values.
        """
        node_xy, segments = segments_from_roads(
            roads,
            speed_kmh=speed_kmh,
            speed_column=speed_column,
            class_column=class_column,
            class_speeds=class_speeds,
            oneway_column=oneway_column,
            node_tolerance=node_tolerance,
        )
        return cls(node_xy, segments, roads.crs, roads.index)

    @classmethod
    def from_networkx(
        cls,
        graph: Any,
        *,
        weight: str = "travel_time",
        x: str = "x",
        y: str = "y",
        crs: Any = None,
        time_unit: Literal["s", "min"] = "s",
    ) -> RoadNetwork:
        """Build the network from a networkx graph with node coordinates (OSMnx style).

        Parameters
        ----------
        graph : networkx.Graph, DiGraph, MultiDiGraph ...
            Nodes carry coordinates ``x``/``y``; edges carry a travel time
            ``weight``. Directed graphs are one-way per edge; undirected edges
            are two-way. Parallel edges keep the fastest. Edge geometries are
            taken as straight lines between their nodes (snapping and
            :meth:`disrupt` use those lines).
        weight : str
            Edge attribute holding the travel time (OSMnx: ``"travel_time"``).
        x, y : str
            Node attributes holding the coordinates.
        crs : CRS-like, optional
            CRS of the coordinates (default ``graph.graph["crs"]``); must be
            projected in metres — project OSMnx graphs with ``ox.project_graph``.
        time_unit : {"s", "min"}
            Unit of ``weight``: seconds (OSMnx's ``add_edge_travel_times``,
            the default) or minutes. Times are stored in minutes.

        Raises
        ------
        InputError
            No or geographic CRS, missing coordinates, missing or non-positive times.
        """
        crs = crs if crs is not None else getattr(graph, "graph", {}).get("crs")
        if crs is None:
            raise InputError(
                "crs: the graph has no 'crs' attribute; pass crs=... (projected, metres)",
                field="crs",
            )
        crs = pyproj.CRS.from_user_input(crs)
        check_metric_crs(crs, "crs")
        node_xy, segments, nodes, edges = segments_from_networkx(
            graph, weight=weight, x=x, y=y, time_unit=time_unit
        )
        return cls(node_xy, segments, crs, edges, nodes)

    # ------------------------------------------------------------------ views
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_xy)

    @property
    def n_edges(self) -> int:
        """Number of directed edges in the graph (parallel edges counted once)."""
        return int(self.graph.nnz)

    @property
    def edges(self) -> Any:
        """The road segments as a GeoDataFrame (one row per segment, for maps).

        Columns: ``road`` (input row label), ``u``, ``v``, ``length_m``,
        ``minutes`` (current, after any slow-down), ``slowdown``, ``forward``,
        ``backward`` and the LineString ``geometry``.
        """
        import geopandas as gpd

        s = self.segments
        return gpd.GeoDataFrame(
            {
                "road": self.row_ids[s.row],
                "u": s.u,
                "v": s.v,
                "length_m": s.length,
                "minutes": s.time,
                "slowdown": s.factor,
                "forward": s.forward,
                "backward": s.backward,
            },
            geometry=shapely.linestrings(s.xy),
            crs=self.crs,
        )

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.links.lines())

    def __repr__(self) -> str:
        s = self.segments
        oneway = int((s.forward != s.backward).sum())
        return (
            f"<RoadNetwork: {self.n_nodes} nodes, {len(s.u)} segments ({oneway} one-way), "
            f"{self.n_edges} directed edges, crs {self.crs.to_string()}>"
        )

    # ------------------------------------------------------------------ snapping
    def snap(
        self,
        points: Any,
        *,
        tolerance: float = 500.0,
        access_speed_kmh: float = 5.0,
        ids: Any = None,
    ) -> pd.DataFrame:
        """Where each point joins the network: the nearest position on the nearest link.

        Parameters
        ----------
        points : GeoDataFrame, GeoSeries or (n, 2) array
            Points in the network's CRS (coordinate arrays are taken to be in it).
        tolerance : float
            Largest snapping distance in metres.
        access_speed_kmh : float
            Speed at which the snapping distance is covered (default walking, 5 km/h).
        ids : sequence, optional
            Point labels (default the frame's index).

        Returns
        -------
        pandas.DataFrame
            Indexed by the ids: ``link`` (position in :attr:`links`), ``lo``,
            ``hi`` (labels of its end nodes), ``fraction`` along it from ``lo``,
            ``snap_x``, ``snap_y``, ``distance_m`` and ``access_minutes``.

        Raises
        ------
        InputError
            Points farther than ``tolerance`` from every road (listed by id).
        """
        _, labels, snapped = self._snap(points, "points", ids, tolerance)
        speed = metres_per_minute(access_speed_kmh, "access_speed_kmh")
        lo, hi = self.links.lo[snapped.link], self.links.hi[snapped.link]
        at = self.node_xy[lo] + snapped.fraction[:, None] * (self.node_xy[hi] - self.node_xy[lo])
        return pd.DataFrame(
            {
                "link": snapped.link,
                "lo": self.node_ids[lo],
                "hi": self.node_ids[hi],
                "fraction": snapped.fraction,
                "snap_x": at[:, 0],
                "snap_y": at[:, 1],
                "distance_m": snapped.distance,
                "access_minutes": snapped.distance / speed,
            },
            index=labels,
        )

    def _snap(
        self, points: Any, field: str, ids: Any, tolerance: float, *, strict: bool = True
    ) -> tuple[np.ndarray, pd.Index, Snapped]:
        xy, crs, labels = as_points(points, field=field, ids=ids)
        check_same_crs(self.crs, crs, "network", field)
        tol = nonnegative(tolerance, "tolerance")
        if not tol or not np.isfinite(tol):
            raise InputError(
                f"tolerance: must be a finite distance > 0 m, got {tolerance!r}", field="tolerance"
            )
        snapped = snap(self.links, self._tree, xy, tol)
        if strict and not snapped.found.all():
            raise _off_network(field, labels[~snapped.found], tol)
        return xy, labels, snapped

    # ------------------------------------------------------------------ travel times
    def travel_times(
        self,
        demand: Any,
        sites: Any,
        *,
        max_minutes: float | None = None,
        direction: Literal["from_sites", "to_sites"] = "from_sites",
        demand_ids: Any = None,
        site_ids: Any = None,
        access_speed_kmh: float = 5.0,
        tolerance: float = 500.0,
    ) -> sp.csr_array:
        """Demand × site travel times in minutes over the network.

        ``cost[i, j]`` is the time from site ``j`` to demand point ``i``
        (``direction="from_sites"``, a crew driving out — what response times
        need) or from demand point ``i`` to site ``j`` (``"to_sites"``, people
        going to a shelter). It is the walk from the first point to its
        snapped position on the nearest road, the drive along the network, and
        the walk from the last snapped position to the second point; one-way
        streets are honoured, so the two directions can differ.

        Parameters
        ----------
        demand, sites : GeoDataFrame, GeoSeries or (n, 2) array
            Points in the network's CRS.
        max_minutes : float, optional
            Keep only pairs within this many minutes (Dijkstra stops there).
        direction : {"from_sites", "to_sites"}
            Which way the trip goes, see above.
        demand_ids, site_ids : sequence, optional
            Labels for error messages (default the frames' indexes).
        access_speed_kmh : float
            Speed of the snapping legs at both ends (default walking, 5 km/h).
        tolerance : float
            Largest snapping distance in metres (default 500).

        Returns
        -------
        scipy.sparse.csr_array
            ``(n_demand, n_sites)``; a missing entry means no path (within
            ``max_minutes``), a stored 0 is a real time of 0. Rows without any
            entry are demand no site reaches: see :func:`unreachable`. They are
            not an error here; :func:`erlocate.geo.from_geodataframes` raises.

        Raises
        ------
        InputError
            Points beyond ``tolerance`` from every road (listing their ids),
            CRS differing from the network's, bad speed, cut-off or direction.
        """
        if direction not in ("from_sites", "to_sites"):
            raise InputError(
                f"direction: 'from_sites' or 'to_sites', got {direction!r}", field="direction"
            )
        cut = nonnegative(max_minutes, "max_minutes")
        speed = metres_per_minute(access_speed_kmh, "access_speed_kmh")
        _, d_ids, d_snap = self._snap(demand, "demand", demand_ids, tolerance, strict=False)
        _, s_ids, s_snap = self._snap(sites, "sites", site_ids, tolerance, strict=False)
        for field, labels, snapped in (("demand", d_ids, d_snap), ("sites", s_ids, s_snap)):
            if not snapped.found.all():
                raise _off_network(field, labels[~snapped.found], float(tolerance))
        both = Snapped(
            *(np.r_[getattr(d_snap, f), getattr(s_snap, f)] for f in Snapped.__dataclass_fields__)
        )
        graph, node = split_links(self.graph, self.links, both)
        n, m = len(d_ids), len(s_ids)
        access = both.distance / speed
        ends = (node[:n], access[:n]), (node[n:], access[n:])
        # run Dijkstra from the side with fewer distinct nodes; walk the graph backwards
        # when that side is where the trip ends
        from_sites = len(np.unique(node[n:])) <= len(np.unique(node[:n]))
        (src, src_acc), (dst, dst_acc) = ends[::-1] if from_sites else ends
        if from_sites != (direction == "from_sites"):
            graph = graph.T.tocsr()
        rows, cols, vals = many_to_many(graph, src, src_acc, dst, dst_acc, cut)
        i, j = (cols, rows) if from_sites else (rows, cols)
        order = np.lexsort((j, i))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(i, minlength=n), out=indptr[1:])
        return sp.csr_array((vals[order], j[order], indptr), shape=(n, m))

    # ------------------------------------------------------------------ disruption
    def disrupt(
        self, polygons: Any, *, close: bool = True, slowdown: float | None = None
    ) -> RoadNetwork:
        """A copy with the road segments touching ``polygons`` closed or slowed.

        Parameters
        ----------
        polygons : shapely geometry, GeoSeries or GeoDataFrame
            Hazard areas (flood, collapse ...) in the network's CRS. A segment
            is affected when it intersects one (touching counts).
        close : bool
            Remove the affected segments (default) ...
        slowdown : float, optional
            ... or, when given, multiply their travel time by this factor
            (e.g. 3 for roads passable at a third of the speed).

        Returns
        -------
        RoadNetwork
            The same nodes with fewer or slower edges; points are snapped only
            onto open roads.

        Raises
        ------
        InputError
            CRS differing from the network's; slow-down not a positive number;
            neither ``close`` nor ``slowdown``.
        """
        crs = getattr(polygons, "crs", None)
        check_same_crs(self.crs, crs, "network", "polygons")
        if hasattr(polygons, "geometry"):
            geoms = np.asarray(polygons.geometry.values, dtype=object)
        else:
            geoms = np.atleast_1d(np.asarray(polygons, dtype=object))
        lines = shapely.linestrings(self.segments.xy)
        _, hit = shapely.STRtree(lines).query(geoms, predicate="intersects")
        hit = np.unique(hit)
        if slowdown is not None:
            segments = self.segments.slowed(hit, _factor(slowdown))
        elif close:
            keep = np.ones(len(self.segments.u), dtype=bool)
            keep[hit] = False
            segments = self.segments.take(keep)
        else:
            raise InputError("close: pass close=True or a slowdown factor", field="close")
        return RoadNetwork(self.node_xy, segments, self.crs, self.row_ids, self.node_ids)


# ---------------------------------------------------------------------- helpers
def _factor(slowdown: Any) -> float:
    try:
        by = float(slowdown)
    except (TypeError, ValueError):
        by = np.nan
    if not np.isfinite(by) or by <= 0:
        raise InputError(
            f"slowdown: must be a positive time multiplier (e.g. 2 = half speed), got {slowdown!r}",
            field="slowdown",
        )
    return by


def _off_network(field: str, labels: pd.Index, tolerance: float) -> InputError:
    return InputError(
        f"{field}: {len(labels)} point(s) off-network — farther than tolerance={tolerance:g} m "
        f"from every open road: ids {show(labels)}; raise the tolerance, add the missing roads "
        "or drop these points",
        field=field,
    )
