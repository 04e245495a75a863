"""GeoDataFrames of demand points and candidate sites → an :class:`~erlocate.Instance`."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from erlocate.errors import InputError
from erlocate.geo.checks import UTM_HINT, check_metric_crs, check_same_crs, show, unreachable
from erlocate.geo.components import cut_off_message
from erlocate.geo.network import Direction, RoadNetwork
from erlocate.geo.travel import euclidean, great_circle, manhattan
from erlocate.instance import Instance
from erlocate.params import boolean, number

__all__ = ["from_geodataframes"]

_METRICS = {"euclidean": euclidean, "manhattan": manhattan, "great_circle": great_circle}
#: Instance units of the cost rules ("cost units": a callable's, unknown).
_UNITS = {"minutes": "min", "metres": "m"}
#: Instance.from_matrix's argument -> ours: its errors name the argument the caller passed.
_RENAMED = {
    "weights": "weight",
    "demand": "demand_col",
    "site_costs": "site_cost",
    "capacities": "capacity",
}


def from_geodataframes(
    demand: Any,
    sites: Any,
    *,
    demand_id: str | None = None,
    site_id: str | None = None,
    weight: Any = None,
    demand_col: Any = None,
    site_cost: Any = None,
    capacity: Any = None,
    required: Any = None,
    cost: str | Callable[[Any, Any], Any] | None = None,
    speed_kmh: float | None = None,
    network: RoadNetwork | None = None,
    max_cost: float | None = None,
    direction: Direction = "from_sites",
    great_circle: bool = False,
    access_speed_kmh: float = 5.0,
    snap_tolerance: float = 500.0,
    allow_unreachable: bool = False,
    name: str = "",
) -> Instance:
    """Build an instance from point GeoDataFrames of demand and candidate sites.

    Parameters
    ----------
    demand, sites : geopandas.GeoDataFrame
        Points with a CRS, the same for both. Polygons and MultiPolygons are
        replaced by their ``representative_point()`` (a point inside the
        shape) for the travel costs, with a ``UserWarning``; the instance's
        frames keep the original geometry.
    demand_id, site_id : str, optional
        Column holding unique ids (default: the frame's index).
    weight, demand_col, site_cost, capacity : str or array-like, optional
        Column name (or values) of the demand weight (e.g. population), the
        capacity load per demand point, the fixed cost of opening each site
        and each site's capacity; see :meth:`erlocate.Instance.from_matrix`.
    required : str or sequence, optional
        Boolean column of ``sites`` marking sites that must stay open, or a
        list of site ids.
    cost : str or callable, optional
        ``"euclidean"`` (the default without ``network``), ``"manhattan"``,
        ``"great_circle"``, ``"network"`` (the default when ``network`` is
        given), or ``f(demand_points, site_points) -> matrix`` returning a
        dense (``inf`` = unreachable) or sparse (missing = unreachable) matrix.
    speed_kmh : float, optional
        Straight-line costs become minutes at this speed (metres otherwise).
    network : RoadNetwork, optional
        Road network for ``cost="network"`` (costs in minutes).
    max_cost : float, optional
        Cut-off in the cost unit: pairs beyond it are left out.
    direction : {"from_sites", "to_sites"}
        For network costs: trips from the site to the demand point (response)
        or to the site (evacuation to a shelter).
    great_circle : bool
        With ``cost="euclidean"`` on data in a geographic CRS, measure
        great-circle distances instead of raising.
    access_speed_kmh : float
        For network costs: speed of the leg between a point and the road it
        snaps to (default 5, walking; see :meth:`RoadNetwork.travel_times`).
    snap_tolerance : float
        For network costs: metres beyond which a point is off-network (an error).
    allow_unreachable : bool
        Keep demand points that no site reaches (e.g. cut off by a closed road)
        instead of raising; the models then report or refuse them by name.
    name : str
        A label for reports.

    Returns
    -------
    Instance
        With ``demand_frame`` / ``site_frame`` indexed by the ids.

    Raises
    ------
    InputError
        Not GeoDataFrames, empty frames, missing or differing CRS, geographic
        CRS with a planar cost, duplicate ids, unknown columns, geometry that
        is neither point nor polygon, unknown cost, demand that no site reaches
        (listing the ids), and everything :meth:`Instance.from_matrix` checks.
    """
    max_cost = number(max_cost, "max_cost", minimum=0.0, strict=True, optional=True)
    snap_tolerance = number(
        snap_tolerance, "snap_tolerance", minimum=0.0, strict=True, hint="metres"
    )
    great_circle = boolean(great_circle, "great_circle")
    allow_unreachable = boolean(allow_unreachable, "allow_unreachable")
    demand = _frame(demand, "demand")
    sites = _frame(sites, "sites")
    check_same_crs(demand.crs, sites.crs, "demand", "sites")
    d_ids = _ids(demand, demand_id, "demand", "demand_id")
    s_ids = _ids(sites, site_id, "sites", "site_id")
    d_pts = _points(demand, d_ids, "demand")
    s_pts = _points(sites, s_ids, "sites")
    access: dict[str, Any] = {"access_speed_kmh": access_speed_kmh, "tolerance": snap_tolerance}
    matrix, unit = _costs(
        d_pts,
        s_pts,
        cost,
        network,
        speed_kmh,
        max_cost,
        direction,
        great_circle,
        d_ids,
        s_ids,
        access,
    )
    lost = unreachable(matrix)
    if lost.size and not allow_unreachable:
        label = _UNITS.get(unit, unit)
        within = f"within max_cost={max_cost:g} {label}" if max_cost is not None else "at all"
        if isinstance(network, RoadNetwork) and cost in (None, "network"):
            why = _why_cut_off(network, d_pts.iloc[lost], s_pts, max_cost, direction, access)
        else:
            how = "raise max_cost, add sites" if max_cost is not None else "add sites"
            why = f"ids {show(d_ids[lost])}; {how} or drop these points"
        raise InputError(
            f"demand: {lost.size} point(s) that no site reaches {within}: {why} "
            "(or pass allow_unreachable=True and drop them with instance.drop_demand)",
            field="demand",
        )
    if isinstance(required, str):
        required = _required_column(sites, required)
    specs = {
        "weight": weight,
        "demand_col": demand_col,
        "site_cost": site_cost,
        "capacity": capacity,
    }
    try:
        inst = Instance.from_matrix(
            matrix,
            weights=_values(demand, weight, "weight"),
            demand=_values(demand, demand_col, "demand_col"),
            site_costs=_values(sites, site_cost, "site_cost"),
            capacities=_values(sites, capacity, "capacity"),
            required=required,
            demand_ids=d_ids,
            site_ids=s_ids,
            name=name,
            cutoff=max_cost,
            unit=_UNITS.get(unit),
        )
    except InputError as exc:
        field = _RENAMED.get(exc.field or "")
        if field is None:
            raise
        spec = specs[field]
        column = f" (column {spec!r})" if isinstance(spec, str) else ""
        raise InputError(f"{field}{column}: {str(exc).split(': ', 1)[-1]}", field=field) from exc
    return inst.with_frames(demand.set_axis(inst.demand_ids), sites.set_axis(inst.site_ids))


def _why_cut_off(
    network: RoadNetwork,
    lost: Any,
    sites: Any,
    max_cost: float | None,
    direction: Direction,
    access: dict[str, Any],
) -> str:
    """Which unreachable points no site reaches at all (and the part they snapped into),
    and which are only beyond the cut-off (and their best time)."""
    times = sp.coo_array(network.travel_times(lost, sites, direction=direction, **access))
    best = np.full(len(lost), np.inf)
    np.minimum.at(best, times.row, times.data)
    snapped = network.snap(lost, tolerance=access["tolerance"])
    part, size = snapped["part"].to_numpy(), snapped["part_nodes"].to_numpy()
    return cut_off_message(lost.index, part, size, best, max_cost, "min")


def _frame(frame: Any, field: str) -> Any:
    import geopandas as gpd

    if isinstance(frame, gpd.GeoSeries):
        frame = frame.to_frame()
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(
            f"{field}: expected a GeoDataFrame, got {type(frame).__name__}", field=field
        )
    if len(frame) == 0:
        raise InputError(
            f"{field}: the GeoDataFrame is empty; need at least one point", field=field
        )
    if frame.crs is None:
        raise InputError(
            f"{field}: no CRS; set it with {field}.set_crs(...) (e.g. 'EPSG:4326' for lon/lat) "
            "and reproject to a metric CRS",
            field=field,
        )
    return frame


def _ids(frame: Any, column: str | None, field: str, id_field: str) -> pd.Index:
    ids = frame.index if column is None else pd.Index(_column(frame, column, id_field))
    label = f"{field} ids" if column is None else f"{field} column {column!r}"
    if ids.hasnans:
        raise InputError(f"{field}: {label} contain missing values", field=field)
    if not ids.is_unique:
        raise InputError(
            f"{field}: {label} must be unique; duplicated: {show(ids[ids.duplicated()].unique())}",
            field=field,
        )
    return ids


def _points(frame: Any, ids: pd.Index, field: str) -> Any:
    geom = frame.geometry
    kind = shapely.get_type_id(np.asarray(geom.values, dtype=object))
    bad = ~np.isin(kind, (0, 3, 6)) | geom.is_empty.to_numpy()  # Point, Polygon, MultiPolygon
    if bad.any():
        raise InputError(
            f"{field}: rows {show(ids[bad])} are missing, empty or not points/polygons",
            field=field,
        )
    areal = kind != 0
    if areal.any():
        warnings.warn(
            f"{field}: {int(areal.sum())} Polygon/MultiPolygon geometries replaced by their "
            "representative_point() (a point inside each shape) for travel costs; pass points "
            "(e.g. population-weighted centroids) to control this",
            UserWarning,
            stacklevel=3,
        )
        geom = geom.copy()
        geom[areal] = geom[areal].representative_point()
    return geom.set_axis(ids)


def _costs(
    d_pts: Any,
    s_pts: Any,
    cost: Any,
    network: RoadNetwork | None,
    speed_kmh: float | None,
    max_cost: float | None,
    direction: Direction,
    great: bool,
    d_ids: pd.Index,
    s_ids: pd.Index,
    access: dict[str, Any],
) -> tuple[Any, str]:
    if direction not in ("from_sites", "to_sites"):
        raise InputError(
            f"direction: 'from_sites' or 'to_sites', got {direction!r}", field="direction"
        )
    if cost is None:
        cost = "network" if network is not None else "euclidean"
    if cost == "network":
        if not isinstance(network, RoadNetwork):
            raise InputError(
                "network: cost='network' needs network=RoadNetwork(...)", field="network"
            )
        if speed_kmh is not None:
            raise InputError(
                "speed_kmh: not used with network costs (the roads carry their speeds)",
                field="speed_kmh",
            )
        matrix = network.travel_times(
            d_pts,
            s_pts,
            max_minutes=max_cost,
            direction=direction,
            demand_ids=d_ids,
            site_ids=s_ids,
            **access,
        )
        return matrix, "minutes"
    if network is not None:
        raise InputError(f"network: given, but cost={cost!r}; pass cost='network'", field="network")
    unit = "minutes" if speed_kmh is not None else "metres"
    if callable(cost):
        if speed_kmh is not None:
            raise InputError(
                "speed_kmh: only used by the straight-line costs, not by a callable",
                field="speed_kmh",
            )
        return _cut(_called(cost, d_pts, s_pts), max_cost), "cost units"
    if cost not in _METRICS:
        raise InputError(
            f"cost: {cost!r} is not one of {[*_METRICS, 'network']} or a callable", field="cost"
        )
    if cost == "euclidean" and great and d_pts.crs.is_geographic:
        cost = "great_circle"
    if cost != "great_circle" and d_pts.crs.is_geographic:
        raise InputError(
            f"demand: CRS {d_pts.crs.to_string()} is geographic (degrees); cost={cost!r} needs "
            f"a projected CRS in metres: {UTM_HINT} (both frames), or use cost='great_circle'",
            field="demand",
        )
    if cost != "great_circle":
        check_metric_crs(d_pts.crs, "demand")  # e.g. US feet: the costs would not be metres
    return _METRICS[cost](d_pts, s_pts, speed_kmh=speed_kmh, max_cost=max_cost), unit


def _called(cost: Callable[[Any, Any], Any], d_pts: Any, s_pts: Any) -> Any:
    """The cost callable's matrix, checked: (n_demand, n_sites) numbers, no NaN."""
    out = cost(d_pts, s_pts)
    shape = (len(d_pts), len(s_pts))
    try:
        values = sp.coo_array(out).data if sp.issparse(out) else np.asarray(out)
    except (TypeError, ValueError):  # ragged lists ...
        values = np.empty(0, dtype=object)
    got = out.shape if sp.issparse(out) else values.shape
    if got != shape:
        raise InputError(
            f"cost: the callable returned {type(out).__name__} of shape {got}, expected "
            f"(n_demand, n_sites) = {shape}",
            field="cost",
        )
    if values.dtype.kind not in "iuf":
        raise InputError(
            f"cost: the callable returned dtype {values.dtype}; return numbers "
            "(inf, or a missing sparse entry, = unreachable)",
            field="cost",
        )
    if np.isnan(values).any():
        raise InputError(
            f"cost: the callable returned {int(np.isnan(values).sum())} NaN value(s); "
            "use inf (or a missing sparse entry) for unreachable pairs",
            field="cost",
        )
    return out


def _cut(matrix: Any, max_cost: float | None) -> Any:
    if max_cost is None:
        return matrix
    if sp.issparse(matrix):
        coo = sp.coo_array(matrix)
        keep = coo.data <= max_cost
        return sp.coo_array((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=coo.shape)
    dense = np.array(matrix, dtype=float)
    dense[dense > max_cost] = np.inf
    return dense


def _column(frame: Any, column: str, field: str) -> pd.Series:
    if column not in frame.columns:
        raise InputError(
            f"{field}: no column {column!r}; columns are {list(frame.columns)}", field=field
        )
    return frame[column]


def _values(frame: Any, spec: Any, field: str) -> Any:
    if spec is None or not isinstance(spec, str):
        return spec
    return _column(frame, spec, field).to_numpy()


def _required_column(sites: Any, column: str) -> np.ndarray:
    values = _column(sites, column, "required")
    if values.dtype != bool:
        raise InputError(
            f"required: column {column!r} must be boolean (True = must stay open), "
            f"got dtype {values.dtype}",
            field="required",
        )
    return values.to_numpy()
