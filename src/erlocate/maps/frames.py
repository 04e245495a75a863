"""The plan of a result as GeoDataFrames: :class:`ResultFrames` and :func:`to_geodataframes`.

Also :class:`MapResult`, what the maps read from a result (a
:class:`~erlocate.result.Result` has all of it), so that the maps need not import
:mod:`erlocate.result`, which imports the maps in turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from erlocate.errors import InputError

if TYPE_CHECKING:
    from erlocate.instance import Instance
    from erlocate.models.base import Model
    from erlocate.plan import Plan

__all__ = [
    "MapResult",
    "ResultFrames",
    "attach",
    "instance_frames",
    "point_series",
    "points_xy",
    "to_geodataframes",
]


class MapResult(Protocol):
    """What the maps read from a solve result (:class:`erlocate.result.Result` is one)."""

    @property
    def model(self) -> Model:
        """The model solved (its name, ``covering`` and ``max_cost`` are read)."""

    @property
    def instance(self) -> Instance:
        """The instance solved; it must carry ``demand_frame`` and ``site_frame``."""

    @property
    def plan(self) -> Plan | None:
        """Open sites and allocations (None when there is no solution)."""

    @property
    def status(self) -> str:
        """The solve status, e.g. ``"optimal"``."""

    @property
    def objective(self) -> float | None:
        """The objective value (None when there is no solution)."""

    @property
    def coverage(self) -> pd.DataFrame | None:
        """Covering models: ``covered`` and ``n_covering`` per demand point."""

    @property
    def coverage_share(self) -> float | None:
        """Covering models: the covered share of the demand weight."""


@dataclass(frozen=True, eq=False)
class ResultFrames:
    """A plan as GeoDataFrames, all in the CRS of the instance's demand frame.

    Unpacks as ``sites, demand, links = result.to_geodataframes()``.

    Attributes
    ----------
    sites : geopandas.GeoDataFrame
        The instance's ``site_frame`` (geometry and attributes), indexed by
        ``site_id``, with leading columns ``open`` (bool), ``required`` (bool,
        kept open by the instance), ``load`` (sum of demand × share allocated
        to the site, as in ``Result.sites``) and ``n_assigned`` (number of
        demand points with an allocation to the site).
    demand : geopandas.GeoDataFrame
        The instance's ``demand_frame``, indexed by ``demand_id``, with leading
        columns ``weight``, ``site_id`` (the main site: largest share, ties to
        the cheaper then the lower-positioned site; ``None`` when unassigned),
        ``cost`` (to the main site; NaN when unassigned), ``share`` (of the
        main site; 0 when unassigned), ``n_sites`` (sites the point is split
        over; 1 for single assignment) and ``covered`` (bool). ``covered`` is,
        for covering models (``model.covering``), "within ``max_cost`` of an
        open site" and then a column ``n_covering`` (open sites within
        ``max_cost``) follows; for the other models it is "assigned".
    links : geopandas.GeoDataFrame
        One LineString per allocation, from the demand point to the site, with
        columns ``demand_id``, ``site_id``, ``cost``, ``share``, ``weight``
        (weight × share) and ``covered`` (covering models: the link is within
        ``max_cost``; other models: always True). For covering models each
        demand point links to its nearest open site, covered or not (as in
        ``Result.assignment``).

    Notes
    -----
    An input attribute whose name clashes with a computed column (or with
    ``demand_id`` / ``site_id``, the index names) is dropped when it holds
    the same values (e.g. the id or ``required`` column the instance was
    built from) and kept under the name ``<name>_input`` otherwise.
    Non-point geometries (e.g. demand zones) are kept in ``sites`` and
    ``demand``; links start and end at a point on their surface.
    """

    sites: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    links: gpd.GeoDataFrame

    def __iter__(self) -> Iterator[gpd.GeoDataFrame]:
        return iter((self.sites, self.demand, self.links))

    @property
    def crs(self) -> Any:
        """The coordinate reference system of the three frames (may be None)."""
        return self.demand.crs


def to_geodataframes(result: MapResult) -> ResultFrames:
    """The plan of ``result`` as GeoDataFrames of sites, demand points and links.

    Parameters
    ----------
    result : Result
        A solve result whose instance carries ``demand_frame`` and
        ``site_frame``. A result without a plan gives all sites closed, all
        demand unassigned and no links.

    Returns
    -------
    ResultFrames
        ``sites``, ``demand`` and ``links`` (see :class:`ResultFrames`).

    Raises
    ------
    InputError
        (field ``"instance"``) when the instance has no frames.
    """
    inst = result.instance
    demand_frame, site_frame = instance_frames(inst)
    crs = demand_frame.crs
    if crs is not None and site_frame.crs is not None and site_frame.crs != crs:
        site_frame = site_frame.to_crs(crs)
    plan = result.plan
    if plan is None:
        i = j = np.zeros(0, dtype=np.int64)
        share = np.zeros(0)
        open_: np.ndarray = np.zeros(inst.n_sites, dtype=bool)
    else:
        i, j, share = plan.demand_idx, plan.site_idx, plan.share
        open_ = np.asarray(plan.open, dtype=bool)
    cost = inst.cost_of(i, j)
    site_columns = {
        "open": open_,
        "required": np.asarray(inst.required, dtype=bool),
        "load": np.bincount(j, weights=inst.demand[i] * share, minlength=inst.n_sites),
        "n_assigned": np.bincount(j, minlength=inst.n_sites),
    }
    sites = attach(site_frame, site_columns, inst.site_ids.rename("site_id"))
    columns, link_covered = _demand_columns(result, i, j, share, cost)
    demand = attach(demand_frame, columns, inst.demand_ids.rename("demand_id"))
    links = gpd.GeoDataFrame(
        {
            "demand_id": np.asarray(inst.demand_ids[i]),
            "site_id": np.asarray(inst.site_ids[j]),
            "cost": cost,
            "share": share,
            "weight": inst.weights[i] * share,
            "covered": link_covered,
        },
        geometry=gpd.GeoSeries(_link_lines(demand_frame, site_frame, i, j), crs=crs),
        crs=crs,
    )
    return ResultFrames(sites=sites, demand=demand, links=links)


def _demand_columns(
    result: MapResult, i: np.ndarray, j: np.ndarray, share: np.ndarray, cost: np.ndarray
) -> tuple[dict[str, Any], np.ndarray]:
    """The computed demand columns and, per allocation, whether the link is covered."""
    inst, model = result.instance, result.model
    n = inst.n_demand
    # the main site of each point: largest share, then cheaper, then lower index
    order = np.lexsort((j, cost, -share, i))
    first = np.ones(order.size, dtype=bool)
    first[1:] = i[order][1:] != i[order][:-1]
    main = order[first]
    site_pos = np.full(n, -1, dtype=np.int64)
    site_pos[i[main]] = j[main]
    main_cost = np.full(n, np.nan)
    main_cost[i[main]] = cost[main]
    main_share = np.zeros(n)
    main_share[i[main]] = share[main]
    assigned = site_pos >= 0
    site_id: Any = inst.site_ids.take(np.maximum(site_pos, 0))
    if not assigned.all():
        site_id = pd.Index(site_id, dtype=object).where(assigned, None)
    columns: dict[str, Any] = {
        "weight": np.asarray(inst.weights, dtype=float),
        "site_id": np.asarray(site_id),
        "cost": main_cost,
        "share": main_share,
        "n_sites": np.bincount(i, minlength=n),
    }
    if not model.covering:
        columns["covered"] = assigned
        return columns, np.ones(i.size, dtype=bool)
    coverage = result.coverage
    if coverage is None:  # no plan: nothing is covered
        columns["covered"] = np.zeros(n, dtype=bool)
        columns["n_covering"] = np.zeros(n, dtype=np.int64)
    else:
        columns["covered"] = coverage["covered"].to_numpy(dtype=bool)
        columns["n_covering"] = coverage["n_covering"].to_numpy()
    max_cost = np.inf if model.max_cost is None else float(model.max_cost)
    return columns, cost <= max_cost


def _link_lines(
    demand_frame: gpd.GeoDataFrame, site_frame: gpd.GeoDataFrame, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """One LineString per allocation (None where a point is missing), vectorised."""
    dx, dy = points_xy(demand_frame.geometry)
    sx, sy = points_xy(site_frame.geometry)
    coords = np.empty((i.size, 2, 2))
    coords[:, 0, 0], coords[:, 0, 1] = dx[i], dy[i]
    coords[:, 1, 0], coords[:, 1, 1] = sx[j], sy[j]
    ok = np.isfinite(coords).all(axis=(1, 2))
    geometry = np.full(i.size, None, dtype=object)
    if ok.any():
        geometry[ok] = shapely.linestrings(coords[ok])
    return geometry


def instance_frames(inst: Instance) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The instance's demand and site GeoDataFrames, checked.

    Parameters
    ----------
    inst : Instance
        The instance of a result.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``inst.demand_frame`` and ``inst.site_frame``.

    Raises
    ------
    InputError
        (field ``"instance"``) when a frame is missing or not a GeoDataFrame;
        the message says how to attach frames.
    """
    missing = [
        name
        for name, frame in (("demand_frame", inst.demand_frame), ("site_frame", inst.site_frame))
        if frame is None
    ]
    if missing:
        raise InputError(
            f"instance: has no {' and no '.join(missing)}, so the result cannot be put on a map; "
            "build it with Instance.from_geodataframes or attach frames with "
            "instance.with_frames(demand_frame, site_frame) (GeoDataFrames indexed by the "
            "demand and site ids)",
            field="instance",
        )
    for name in ("demand_frame", "site_frame"):
        if not isinstance(getattr(inst, name), gpd.GeoDataFrame):
            raise InputError(
                f"instance: {name} is a {type(getattr(inst, name)).__name__}, expected a "
                "geopandas.GeoDataFrame with a geometry column; attach one with "
                "instance.with_frames(...)",
                field="instance",
            )
    return inst.demand_frame, inst.site_frame


def attach(frame: gpd.GeoDataFrame, computed: dict[str, Any], index: pd.Index) -> Any:
    """``computed`` columns first, then the frame's attributes and geometry, on ``index``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        An input frame (rows in the order of ``index``).
    computed : dict of str to array-like
        The computed columns, one value per row.
    index : pandas.Index
        The new index (named ``demand_id`` or ``site_id``).

    Returns
    -------
    geopandas.GeoDataFrame
        An input column named like a computed column or the index is dropped
        when it holds the same values (e.g. the id column the instance was
        built from) and kept as ``<name>_input`` otherwise.
    """
    geom = frame.geometry.name
    base = frame.copy()
    base.index = index
    rename: dict[str, str] = {}
    for name in [*computed, index.name]:
        if name not in base.columns or name == geom:
            continue
        ours = index if name == index.name else computed[name]
        if _same(base[name].to_numpy(), np.asarray(ours)):
            base = base.drop(columns=name)
        else:
            rename[name] = f"{name}_input"
    base = base.rename(columns=rename)
    table = pd.DataFrame(computed, index=index)
    joined = pd.concat([table, pd.DataFrame(base)], axis=1)
    return gpd.GeoDataFrame(joined, geometry=geom, crs=frame.crs)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        return bool(a.shape == b.shape and (a == b).all())
    except (TypeError, ValueError):
        return False


def points_xy(geometry: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each geometry: a point on the surface of non-points, NaN where missing.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Points, lines or polygons.

    Returns
    -------
    tuple of numpy.ndarray
        The x and the y coordinates.
    """
    pts = shapely.point_on_surface(np.asarray(geometry.values))
    return shapely.get_x(pts), shapely.get_y(pts)


def point_series(x: np.ndarray, y: np.ndarray, crs: Any) -> gpd.GeoSeries:
    """Points at ``x``, ``y`` as a GeoSeries in ``crs``, indexed 0..n-1.

    Parameters
    ----------
    x, y : numpy.ndarray
        Coordinates.
    crs : object
        Their coordinate reference system (may be None).

    Returns
    -------
    geopandas.GeoSeries
        One point per coordinate pair.
    """
    return gpd.GeoSeries(shapely.points(x, y), crs=crs)
