"""A drivable road network and the travel-time matrix between points on it.

Build it from road lines (:meth:`RoadNetwork.from_geodataframe`) or an OSMnx-style
graph (:meth:`RoadNetwork.from_networkx`), optionally close or slow the roads inside
hazard polygons (:meth:`RoadNetwork.disrupt`), then ask for response times
(:meth:`RoadNetwork.travel_times`). Times are minutes, distances metres.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely

from erlocate.errors import InputError
from erlocate.geo.checks import check_same_crs, metres_per_minute, projected_crs, unreachable
from erlocate.geo.components import Parts, link_parts, part_table, parts
from erlocate.geo.paths import links_and_graph, trip_matrix
from erlocate.geo.roads import Segments, segments_from_networkx, segments_from_roads
from erlocate.geo.snapping import snap_points, snap_table
from erlocate.params import boolean, choice, number

__all__ = ["Direction", "RoadNetwork", "unreachable"]

#: Which way travel times run: from the sites to the points, or to the sites.
Direction = Literal["from_sites", "to_sites"]


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
            connect where they share a vertex (within ``node_tolerance``);
            lines that merely cross (bridges) do not.
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
            Vertices at most this many metres apart become one node: every
            such pair is merged (k-d tree pair query), transitively, so a chain
            of close vertices is one node.

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
        crs = projected_crs(crs, "crs")
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
        return self.segments.frame(self.row_ids, self.crs)

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

    # ------------------------------------------------------------------ connected parts
    @cached_property
    def _parts(self) -> Parts:
        return parts(self.graph)

    def components(self) -> pd.DataFrame:
        """The strongly connected parts of the network, largest first.

        Inside a strongly connected part every node can drive to every other;
        a point that snaps onto a road outside the part its sites are in may
        reach none of them. OSM extracts typically have one large part and many
        small ones (one-way stubs, roads cut at the extract's edge).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``part`` (0 = the largest): ``nodes``, ``segments`` and
            ``length_km`` inside it, and ``weak_part``, the weakly connected
            part (one-way restrictions ignored) it lies in, numbered the same way.
            :meth:`snap` reports the part each point snaps into.
        """
        return part_table(self._parts, self.segments)

    def largest_part(self) -> RoadNetwork:
        """A copy holding only the largest strongly connected part.

        Segments with an end outside it are dropped, so points snap only onto
        roads that all reach each other. Node labels are kept.
        """
        keep = self._parts.strong == 0
        inside = keep[self.segments.u] & keep[self.segments.v]
        position = np.cumsum(keep) - 1
        s = self.segments.take(inside)
        s = replace(s, u=position[s.u], v=position[s.v])
        return RoadNetwork(self.node_xy[keep], s, self.crs, self.row_ids, self.node_ids[keep])

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
            ``snap_x``, ``snap_y``, ``distance_m``, ``access_minutes``, and
            ``part`` / ``part_nodes``: the strongly connected part the point
            joins (see :meth:`components`; 0 = the largest) and its size. A
            point on a one-way link between two parts is reached from one and
            reaches the other: it is reported in the smaller.

        Raises
        ------
        InputError
            Points farther than ``tolerance`` from every road (listed by id).
        """
        labels, snapped = snap_points(
            self.links, self._tree, self.crs, points, "points", ids, tolerance
        )
        speed = metres_per_minute(access_speed_kmh, "access_speed_kmh")
        table = snap_table(self.links, self.node_ids, labels, snapped, speed)
        part = link_parts(self._parts, self.links, snapped.link)
        return table.assign(part=part, part_nodes=self._parts.sizes[part])

    # ------------------------------------------------------------------ travel times
    def travel_times(
        self,
        demand: Any,
        sites: Any,
        *,
        max_minutes: float | None = None,
        direction: Direction = "from_sites",
        demand_ids: Any = None,
        site_ids: Any = None,
        access_speed_kmh: float = 5.0,
        tolerance: float = 500.0,
        off_network: str = "raise",
    ) -> sp.csr_array:
        """Demand × site travel times in minutes over the network.

        ``cost[i, j]`` is the time from site ``j`` to demand point ``i``
        (``direction="from_sites"``, a crew driving out) or from ``i`` to ``j``
        (``"to_sites"``, people going to a shelter): the walk to the snapped
        position on the nearest road, the drive (one-way streets honoured, so
        the directions can differ) and the walk from the last snapped position.

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
        off_network : {"raise", "unreachable"}
            A demand point beyond ``tolerance`` of every open road raises (default)
            or gets an empty row (on a disrupted network: cut off, not bad input).

        Returns
        -------
        scipy.sparse.csr_array
            ``(n_demand, n_sites)``; a missing entry means no path (within
            ``max_minutes``), a stored 0 is a real time of 0. Empty rows (see
            :func:`unreachable`) are no error here; ``from_geodataframes`` raises.

        Raises
        ------
        InputError
            Points beyond ``tolerance`` from every road (listing their ids),
            CRS differing from the network's, bad speed, cut-off or direction.
        """
        choice(direction, "direction", ("from_sites", "to_sites"))
        choice(off_network, "off_network", ("raise", "unreachable"))
        cut = number(max_minutes, "max_minutes", minimum=0.0, allow_inf=True, optional=True)
        speed = metres_per_minute(access_speed_kmh, "access_speed_kmh")
        args = (self.links, self._tree, self.crs)
        off = off_network == "unreachable"
        _, d_snap = snap_points(*args, demand, "demand", demand_ids, tolerance, allow_off=off)
        _, s_snap = snap_points(*args, sites, "sites", site_ids, tolerance)
        outbound = direction == "from_sites"
        return trip_matrix(self.graph, self.links, d_snap, s_snap, speed, outbound, cut)

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
        check_same_crs(self.crs, getattr(polygons, "crs", None), "network", "polygons")
        hit = self.segments.touching(polygons)
        if slowdown is not None:
            by = number(slowdown, "slowdown", minimum=0.0, strict=True, hint=_SLOWDOWN)
            segments = self.segments.slowed(hit, by)
        elif boolean(close, "close"):
            segments = self.segments.take(np.setdiff1d(np.arange(len(self.segments.u)), hit))
        else:
            raise InputError("close: pass close=True or a slowdown factor", field="close")
        return RoadNetwork(self.node_xy, segments, self.crs, self.row_ids, self.node_ids)


# ---------------------------------------------------------------------- helpers
_SLOWDOWN = "a time multiplier, e.g. 2 = half speed"
