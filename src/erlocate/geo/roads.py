"""Road data → a table of straight segments (the edges of a :class:`RoadNetwork`).

Every consecutive vertex pair of every road line is one segment; its ends are
network nodes. Segments remember the road row they came from, so closures and
maps can be traced back to the input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from erlocate.errors import InputError
from erlocate.geo.checks import check_metric_crs, metres_per_minute, show
from erlocate.params import is_real, number

__all__ = ["Segments", "merge_vertices", "segments_from_networkx", "segments_from_roads"]

_ONEWAY = {
    **dict.fromkeys(["true", "yes", "y", "t", "1", "1.0"], 1),
    **dict.fromkeys(["false", "no", "n", "f", "0", "0.0", ""], 0),
    **dict.fromkeys(["-1", "-1.0", "reverse"], -1),
}


@dataclass(frozen=True)
class Segments:
    """Straight road segments, one row per consecutive vertex pair.

    Attributes
    ----------
    u, v : numpy.ndarray of int
        Node of the first / second vertex in digitised order.
    xy : numpy.ndarray, shape (k, 2, 2)
        The segment's two input coordinates (for maps and disruption).
    length : numpy.ndarray
        Length in metres.
    minutes : numpy.ndarray
        Undisturbed traversal time.
    factor : numpy.ndarray
        Slow-down multiplier applied by :meth:`RoadNetwork.disrupt` (1 = none).
    forward, backward : numpy.ndarray of bool
        Whether u → v and v → u may be driven.
    row : numpy.ndarray of int
        Position of the source road (or graph edge) in the input.
    """

    u: np.ndarray
    v: np.ndarray
    xy: np.ndarray
    length: np.ndarray
    minutes: np.ndarray
    factor: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    row: np.ndarray

    def take(self, keep: np.ndarray) -> Segments:
        """The segments selected by a boolean mask or index array."""
        return Segments(**{name: getattr(self, name)[keep] for name in self.__dataclass_fields__})

    def slowed(self, which: np.ndarray, by: float) -> Segments:
        """A copy with the time of segments ``which`` multiplied by ``by``."""
        factor = self.factor.copy()
        factor[which] *= by
        return replace(self, factor=factor)

    def touching(self, polygons: Any) -> np.ndarray:
        """Positions of the segments that intersect (or touch) any of ``polygons``."""
        geoms = polygons.geometry.values if hasattr(polygons, "geometry") else polygons
        geoms = np.atleast_1d(np.asarray(geoms, dtype=object)).ravel()
        wrong = {type(g).__name__ for g in geoms if not isinstance(g, shapely.Geometry)}
        if wrong:  # None would close nothing, silently
            raise InputError(
                f"polygons: expected shapely geometries (hazard areas), got {sorted(wrong)}; "
                "drop missing geometries first",
                field="polygons",
            )
        lines = shapely.linestrings(self.xy)
        _, hit = shapely.STRtree(lines).query(geoms, predicate="intersects")
        return np.unique(hit)

    def frame(self, row_ids: pd.Index, crs: Any) -> Any:
        """The segments as a GeoDataFrame, labelled by their source rows (for maps)."""
        import geopandas as gpd

        return gpd.GeoDataFrame(
            {
                "road": row_ids[self.row],
                "u": self.u,
                "v": self.v,
                "length_m": self.length,
                "minutes": self.time,
                "slowdown": self.factor,
                "forward": self.forward,
                "backward": self.backward,
            },
            geometry=shapely.linestrings(self.xy),
            crs=crs,
        )

    @property
    def time(self) -> np.ndarray:
        """Current traversal time in minutes (``minutes * factor``)."""
        return self.minutes * self.factor


def segments_from_roads(
    roads: Any,
    *,
    speed_kmh: float | None,
    speed_column: str | None,
    class_column: str | None,
    class_speeds: dict[Any, float] | None,
    oneway_column: str | None,
    node_tolerance: float,
) -> tuple[np.ndarray, Segments]:
    """Node coordinates and segments of a GeoDataFrame of (Multi)LineStrings."""
    if not hasattr(roads, "geometry") or not hasattr(roads, "crs"):
        raise InputError("roads: expected a GeoDataFrame of LineStrings", field="roads")
    if len(roads) == 0:
        raise InputError("roads: the road GeoDataFrame is empty", field="roads")
    if roads.crs is None:
        raise InputError(
            "roads: no CRS; set it with roads.set_crs(...) (a projected CRS in metres)",
            field="roads",
        )
    check_metric_crs(roads.crs, "roads")
    tol = number(node_tolerance, "node_tolerance", minimum=0.0, strict=True, hint="metres")

    geoms = np.asarray(roads.geometry.values, dtype=object)
    kind = shapely.get_type_id(geoms)
    bad = ~np.isin(kind, (1, 5)) | shapely.is_empty(geoms)  # LineString, MultiLineString
    if bad.any():
        raise InputError(
            f"roads: rows {show(roads.index[bad])} are not non-empty LineStrings or "
            "MultiLineStrings; drop or convert them",
            field="roads",
        )
    speed = _row_speeds(roads, speed_kmh, speed_column, class_column, class_speeds)
    oneway = _oneway(roads, oneway_column)

    parts, part_row = shapely.get_parts(geoms, return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    k = np.flatnonzero(part[1:] == part[:-1])  # vertex k and k + 1 form a segment
    node, node_xy = merge_vertices(coords, tol)
    u, v = node[k], node[k + 1]
    keep = u != v  # vertices merged into one node: no segment
    k, u, v = k[keep], u[keep], v[keep]
    row = part_row[part[k]]
    xy = np.stack([coords[k], coords[k + 1]], axis=1)
    length = np.hypot(*(xy[:, 1] - xy[:, 0]).T)
    direction = oneway[row]
    segments = Segments(
        u=u,
        v=v,
        xy=xy,
        length=length,
        minutes=length / (speed[row] * 1000.0 / 60.0),
        factor=np.ones(len(u)),
        forward=direction >= 0,
        backward=direction <= 0,
        row=row,
    )
    return node_xy, segments


def merge_vertices(coords: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Node of each vertex, and node coordinates: vertices within ``tolerance`` merged.

    Every pair of distinct vertices at most ``tolerance`` apart is found with a
    k-d tree pair query and the pairs' connected components become nodes, so
    merging is transitive (a chain of close vertices is one node) and no pair
    within the tolerance is missed, as grid rounding would across cell edges.
    A node sits at the first of its vertices.
    """
    unique, inverse = np.unique(coords, axis=0, return_inverse=True)
    pairs = cKDTree(unique).query_pairs(tolerance, output_type="ndarray")
    n = len(unique)
    adjacency = sp.coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, label = connected_components(adjacency, directed=False)
    node = label[inverse.ravel()]
    first = np.full(label.max() + 1, len(coords))
    np.minimum.at(first, node, np.arange(len(coords)))
    # number nodes in order of their first vertex, as the input reads
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return rank[node], coords[first[order]]


def _row_speeds(
    roads: Any,
    speed_kmh: float | None,
    speed_column: str | None,
    class_column: str | None,
    class_speeds: dict[Any, float] | None,
) -> np.ndarray:
    if speed_kmh is None and speed_column is None and class_column is None:
        raise InputError(
            "speed_kmh: give one speed (speed_kmh=30), a per-road speed column "
            "(speed_column=...) or a class table (class_column=..., class_speeds={...})",
            field="speed_kmh",
        )
    if class_speeds is not None and class_column is None:
        raise InputError(
            "class_column: class_speeds given without class_column, the column holding each "
            "road's class",
            field="class_column",
        )
    speed: np.ndarray = np.full(len(roads), np.nan)
    if speed_column is not None:
        column = _column(roads, speed_column, "speed_column")
        speed = _numbers(column, "speed_column", roads.index, "roads")
    if class_column is not None:
        if not isinstance(class_speeds, Mapping) or not class_speeds:
            raise InputError(
                "class_speeds: class_column needs a {road class: km/h} table, got "
                f"{type(class_speeds).__name__}",
                field="class_speeds",
            )
        words = {k: v for k, v in class_speeds.items() if v is not None and not is_real(v)}
        if words:
            raise InputError(
                f"class_speeds: speeds must be numbers of km/h, got {words}", field="class_speeds"
            )
        classes = _column(roads, class_column, "class_column")
        missing = pd.Index(classes[~classes.isin(list(class_speeds))].unique())
        if len(missing) and speed_kmh is None:
            no_speed = speed_column is None or bool(np.isnan(speed[classes.isin(missing)]).any())
            if no_speed:
                raise InputError(
                    f"class_speeds: no speed for road classes {sorted(map(str, missing))} "
                    f"(column {class_column!r}); add them to class_speeds, or give "
                    "speed_kmh=... as the speed of every class not listed",
                    field="class_speeds",
                )
        by_class = classes.map(class_speeds)
        by_class = pd.to_numeric(by_class, errors="coerce").to_numpy(dtype=float)
        speed = np.where(np.isnan(speed), by_class, speed)
    if speed_kmh is not None:
        default = metres_per_minute(speed_kmh) * 60.0 / 1000.0  # validates: > 0 km/h
        speed = np.where(np.isnan(speed), default, speed)
    bad = ~(speed > 0) | ~np.isfinite(speed)
    if bad.any():
        field = "speed_column" if speed_column is not None else "class_speeds"
        source = f"column {speed_column!r}" if speed_column is not None else ""
        if class_column is not None:
            source += (" or " if source else "") + f"class_speeds by {class_column!r}"
        raise InputError(
            f"{field}: roads {show(roads.index[bad])} have a missing or non-positive speed "
            f"(from {source}); every road needs a speed > 0 km/h — fill the column, add "
            "the class to class_speeds, or give speed_kmh=... as the default",
            field=field,
        )
    return speed


def _oneway(roads: Any, oneway_column: str | None) -> np.ndarray:
    """Per road: 1 = digitised direction only, 0 = both ways, -1 = reverse only."""
    if oneway_column is None:
        return np.zeros(len(roads), dtype=np.int8)
    values = _column(roads, oneway_column, "oneway_column")
    text = values.astype("string").str.strip().str.lower()
    code = text.map(_ONEWAY)
    code = code.where(values.notna(), 0)
    bad = code.isna().to_numpy()
    if bad.any():
        examples = values[bad].unique()[:5].tolist()
        raise InputError(
            f"oneway_column: roads {show(roads.index[bad])} have unrecognised values "
            f"{examples}; use True/'yes'/1 (digitised direction), False/'no'/0 (both) "
            "or '-1' (against the digitised direction)",
            field="oneway_column",
        )
    return code.to_numpy(dtype=np.int8)


def _numbers(values: pd.Series, field: str, labels: pd.Index, what: str) -> np.ndarray:
    """Floats of ``values`` (missing -> NaN); raise on text or booleans instead of coercing."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if not numeric:
        bad = (values.notna() & ~values.map(is_real).astype(bool)).to_numpy()
        if bad.any():
            examples = values[bad].unique()[:5].tolist()
            raise InputError(
                f"{field}: {what} {show(labels[bad])} have non-numeric values {examples}; "
                "convert them to numbers first",
                field=field,
            )
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _column(frame: Any, name: str, field: str) -> pd.Series:
    if name not in frame.columns:
        raise InputError(
            f"{field}: no column {name!r}; columns are {list(frame.columns)}", field=field
        )
    return frame[name]


def segments_from_networkx(
    graph: Any, *, weight: str, x: str, y: str, time_unit: str
) -> tuple[np.ndarray, Segments, pd.Index, pd.Index]:
    """Node coordinates, segments, node labels and edge labels of a networkx graph."""
    import networkx as nx  # optional dependency

    if not isinstance(graph, nx.Graph):
        raise InputError(
            f"graph: expected a networkx graph, got {type(graph).__name__}", field="graph"
        )
    if time_unit not in ("s", "min"):
        raise InputError(f"time_unit: 's' or 'min', got {time_unit!r}", field="time_unit")
    nodes = pd.Index(list(graph.nodes))
    if len(nodes) == 0:
        raise InputError("graph: has no nodes", field="graph")
    coords = pd.DataFrame(
        {
            x: pd.Series(nx.get_node_attributes(graph, x)),
            y: pd.Series(nx.get_node_attributes(graph, y)),
        }
    ).reindex(nodes)
    coords = pd.DataFrame({c: _numbers(coords[c], "graph", nodes, "nodes") for c in coords})
    missing = coords.isna().any(axis=1).to_numpy()
    if missing.any():
        raise InputError(
            f"graph: nodes {show(nodes[missing])} lack numeric {x!r}/{y!r} coordinates",
            field="graph",
        )
    edges = nx.to_pandas_edgelist(graph)
    if edges.empty:
        raise InputError("graph: has no edges", field="graph")
    u = nodes.get_indexer(edges["source"])
    v = nodes.get_indexer(edges["target"])
    labels = pd.MultiIndex.from_arrays([edges["source"], edges["target"]], names=["u", "v"])
    time = edges.get(weight, pd.Series(np.nan, index=edges.index))
    time = _numbers(time, "weight", labels, "edges")
    bad = ~(time > 0) | ~np.isfinite(time)
    if bad.any():
        raise InputError(
            f"weight: edges {show(labels[bad])} have a missing or non-positive {weight!r}; "
            "every edge needs a travel time > 0",
            field="weight",
        )
    node_xy = coords.to_numpy(dtype=float)
    keep = u != v  # self-loops never shorten a path
    u, v, time = u[keep], v[keep], time[keep]
    xy = np.stack([node_xy[u], node_xy[v]], axis=1)
    segments = Segments(
        u=u,
        v=v,
        xy=xy,
        length=np.hypot(*(xy[:, 1] - xy[:, 0]).T),
        minutes=time / 60.0 if time_unit == "s" else time,
        factor=np.ones(len(u)),
        forward=np.ones(len(u), dtype=bool),
        backward=np.full(len(u), not graph.is_directed()),
        row=np.flatnonzero(keep),
    )
    return node_xy, segments, nodes, labels
