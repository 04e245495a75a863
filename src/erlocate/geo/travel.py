"""Straight-line travel costs between demand points and sites.

Three metrics, one signature::

    euclidean(demand, sites, *, speed_kmh=None, max_cost=None)
    manhattan(demand, sites, *, speed_kmh=None, max_cost=None)
    great_circle(demand, sites, *, speed_kmh=None, max_cost=None)

The result is in metres, or in minutes when ``speed_kmh`` is given
(``minutes = metres / (speed_kmh * 1000 / 60)``). Without ``max_cost`` it is a
dense ``(n_demand, n_sites)`` array; with it, a :class:`scipy.sparse.csr_array`
holding only the pairs within ``max_cost`` (same unit as the output), found
with a k-d tree so the dense matrix is never formed. A stored 0 is a real cost
of 0 (coincident points); a missing entry is a pair beyond the cut-off — the
convention of :meth:`erlocate.Instance.from_matrix`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyproj
import scipy.sparse as sp
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from erlocate.errors import InputError
from erlocate.geo.checks import (
    as_points,
    check_metric_crs,
    check_same_crs,
    metres_per_minute,
    nonnegative,
)

__all__ = ["EARTH_RADIUS_M", "euclidean", "great_circle", "manhattan"]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG) used by :func:`great_circle`, in metres."""

_WGS84 = pyproj.CRS.from_epsg(4326)


def euclidean(
    demand_points: Any,
    site_points: Any,
    *,
    speed_kmh: float | None = None,
    max_cost: float | None = None,
) -> np.ndarray | sp.csr_array:
    """Straight-line distance (or time) between every demand point and site.

    Parameters
    ----------
    demand_points, site_points : GeoDataFrame, GeoSeries, array of Points or (n, 2) array
        Point locations in a projected CRS in metres. Coordinate arrays and
        geometries without a CRS are taken to be in metres.
    speed_kmh : float, optional
        Travel speed; when given the output is in minutes.
    max_cost : float, optional
        Cut-off in the output unit; when given a sparse matrix of the pairs
        within it is returned.

    Returns
    -------
    numpy.ndarray or scipy.sparse.csr_array
        ``(n_demand, n_sites)`` costs.

    Raises
    ------
    InputError
        Geographic (degree) or non-metre CRS — reproject with
        ``gdf.to_crs(gdf.estimate_utm_crs())`` or use :func:`great_circle`;
        differing CRSs; non-positive speed; negative cut-off; non-point input.
    """
    a, b = _projected(demand_points, site_points)
    return _minkowski(a, b, 2.0, speed_kmh, max_cost)


def manhattan(
    demand_points: Any,
    site_points: Any,
    *,
    speed_kmh: float | None = None,
    max_cost: float | None = None,
) -> np.ndarray | sp.csr_array:
    """Rectilinear (``|dx| + |dy|``) distance or time; see :func:`euclidean`.

    The axes are those of the CRS, so a grid of streets should be aligned
    with it for this to approximate road distance.
    """
    a, b = _projected(demand_points, site_points)
    return _minkowski(a, b, 1.0, speed_kmh, max_cost)


def great_circle(
    demand_points: Any,
    site_points: Any,
    *,
    speed_kmh: float | None = None,
    max_cost: float | None = None,
) -> np.ndarray | sp.csr_array:
    """Haversine distance (or time) on a sphere of radius :data:`EARTH_RADIUS_M`.

    Parameters
    ----------
    demand_points, site_points : GeoDataFrame, GeoSeries, array of Points or (n, 2) array
        Points in a geographic CRS (x = longitude, y = latitude in degrees);
        data in a projected CRS are converted to EPSG:4326 first. Coordinate
        arrays and geometries without a CRS are taken as longitude, latitude.
    speed_kmh, max_cost : float, optional
        As in :func:`euclidean`.

    Returns
    -------
    numpy.ndarray or scipy.sparse.csr_array
        ``(n_demand, n_sites)`` great-circle metres or minutes.

    Raises
    ------
    InputError
        Latitudes outside [-90, 90], non-positive speed, negative cut-off.
    """
    a = _lonlat(demand_points, "demand_points")
    b = _lonlat(site_points, "site_points")
    factor = _factor(speed_kmh)
    cut = nonnegative(max_cost, "max_cost")
    if cut is None:
        return _haversine(a[:, None, :], b[None, :, :]) / factor
    # Chord length is monotone in arc length: search the 3-d unit-sphere points with the
    # chord of the cut-off (slightly enlarged), then keep exact haversine values within it.
    arc = min(cut * factor / EARTH_RADIUS_M, np.pi)
    chord = 2.0 * np.sin(arc / 2.0) * (1 + 1e-9) + 1e-12
    pairs = cKDTree(_unit_vectors(a)).sparse_distance_matrix(
        cKDTree(_unit_vectors(b)), chord, output_type="ndarray"
    )
    i, j = pairs["i"].astype(np.int64), pairs["j"].astype(np.int64)
    cost = _haversine(a[i], b[j]) / factor
    return _csr(i, j, cost, cut, (len(a), len(b)))


# ---------------------------------------------------------------------- helpers
def _projected(demand_points: Any, site_points: Any) -> tuple[np.ndarray, np.ndarray]:
    a, crs_a, _ = as_points(demand_points, field="demand_points")
    b, crs_b, _ = as_points(site_points, field="site_points")
    check_metric_crs(crs_a, "demand_points")
    check_metric_crs(crs_b, "site_points")
    check_same_crs(crs_a, crs_b, "demand_points", "site_points")
    return a, b


def _factor(speed_kmh: float | None) -> float:
    return 1.0 if speed_kmh is None else metres_per_minute(speed_kmh)


def _minkowski(
    a: np.ndarray, b: np.ndarray, p: float, speed_kmh: float | None, max_cost: float | None
) -> np.ndarray | sp.csr_array:
    factor = _factor(speed_kmh)
    cut = nonnegative(max_cost, "max_cost")
    if cut is None:
        return cdist(a, b, "euclidean" if p == 2.0 else "cityblock") / factor
    # output_type="ndarray" keeps zero-distance (coincident) pairs; the default dok
    # output would silently drop them, turning a real cost of 0 into "unreachable".
    radius = cut * factor * (1 + 1e-12)
    pairs = cKDTree(a).sparse_distance_matrix(cKDTree(b), radius, p=p, output_type="ndarray")
    return _csr(pairs["i"], pairs["j"], pairs["v"] / factor, cut, (len(a), len(b)))


def _csr(
    i: np.ndarray, j: np.ndarray, cost: np.ndarray, cut: float, shape: tuple[int, int]
) -> sp.csr_array:
    """CSR from (row, col, value) triplets within ``cut``; explicit zeros are kept."""
    keep = cost <= cut
    i, j, cost = np.asarray(i, np.int64)[keep], np.asarray(j, np.int64)[keep], cost[keep]
    order = np.lexsort((j, i))
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(i, minlength=shape[0]), out=indptr[1:])
    return sp.csr_array((cost[order], j[order], indptr), shape=shape)


def _lonlat(points: Any, field: str) -> np.ndarray:
    if hasattr(points, "to_crs") and points.crs is not None and not points.crs.is_geographic:
        points = points.to_crs(_WGS84)
    xy, _, labels = as_points(points, field=field)
    bad = np.abs(xy[:, 1]) > 90
    if bad.any():
        raise InputError(
            f"{field}: latitude outside [-90, 90] at rows {labels[bad][:10].tolist()}; "
            "great-circle input must be longitude, latitude in degrees",
            field=field,
        )
    return np.radians(xy)


def _haversine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dlon = b[..., 0] - a[..., 0]
    dlat = b[..., 1] - a[..., 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(a[..., 1]) * np.cos(b[..., 1]) * np.sin(dlon / 2) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _unit_vectors(lonlat: np.ndarray) -> np.ndarray:
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
