"""Shared checks for the geo layer: points → coordinates, CRS units, speeds, unreachable rows."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from erlocate.errors import InputError
from erlocate.params import is_real

__all__ = [
    "as_points",
    "check_metric_crs",
    "check_same_crs",
    "metres_per_minute",
    "nonnegative",
    "projected_crs",
    "show",
    "unreachable",
]

UTM_HINT = "reproject with gdf.to_crs(gdf.estimate_utm_crs())"


def show(values: Any, limit: int = 10) -> str:
    """``[a, b, c]`` or ``[a, b, ... (+n more)]`` for error messages."""
    values = list(values)
    head = ", ".join(repr(v) for v in values[:limit])
    more = f", ... (+{len(values) - limit} more)" if len(values) > limit else ""
    return f"[{head}{more}]"


def as_points(points: Any, *, field: str, ids: Any = None) -> tuple[np.ndarray, Any, pd.Index]:
    """Coordinates ``(n, 2)``, CRS (or None) and ids of point data.

    ``points`` is a GeoDataFrame / GeoSeries of Points, an array of shapely
    Points, or an ``(n, 2)`` array of x, y coordinates (no CRS). Ids default to
    the frame's index, else ``0..n-1``.
    """
    crs, index, geoms = None, None, None
    if hasattr(points, "geometry") and hasattr(points, "crs"):  # GeoDataFrame / GeoSeries
        geoms = np.asarray(points.geometry.values, dtype=object)
        crs, index = points.crs, points.index
    elif isinstance(points, shapely.Geometry):
        geoms = np.array([points], dtype=object)
    else:
        arr = np.asarray(points, dtype=object)
        if arr.ndim == 1:
            geoms = arr
        elif arr.ndim == 2 and arr.shape[1] == 2:
            # numbers only: numeric text ("500000") and booleans are not coordinates
            kind = np.asarray(points).dtype.kind
            if kind in "iuf":
                xy = np.asarray(points, dtype=float)
            elif kind == "O" and all(is_real(v) for v in arr.flat):
                xy = arr.astype(float)
            else:
                xy = None
        else:
            xy = None
        if geoms is None and xy is None:
            raise InputError(
                f"{field}: expected point geometries or an (n, 2) array of numeric x, y "
                f"coordinates (not text or booleans), got {type(points).__name__}",
                field=field,
            )
    n = len(geoms) if geoms is not None else len(cast(np.ndarray, xy))
    labels = (
        pd.Index(ids) if ids is not None else (index if index is not None else pd.RangeIndex(n))
    )
    if len(labels) != n:
        raise InputError(f"{field}: {len(labels)} ids for {n} points", field=field)
    if geoms is not None:
        try:
            kind = shapely.get_type_id(geoms)
        except TypeError:
            raise InputError(f"{field}: expected shapely Points", field=field) from None
        bad = (kind != 0) | shapely.is_empty(geoms)
        if bad.any():
            raise InputError(
                f"{field}: rows {show(labels[bad])} are not non-empty Points; convert them "
                "first, e.g. gdf.geometry.representative_point()",
                field=field,
            )
        xy = shapely.get_coordinates(geoms)
    assert xy is not None  # one of geoms / xy was given
    if not np.isfinite(xy).all():
        rows = np.flatnonzero(~np.isfinite(xy).all(axis=1))
        raise InputError(f"{field}: non-finite coordinates at {show(labels[rows])}", field=field)
    return xy, crs, labels


def check_metric_crs(crs: Any, field: str) -> None:
    """Raise unless ``crs`` is None (taken as metres) or a projected CRS in metres."""
    if crs is None:
        return
    if crs.is_geographic:
        raise InputError(
            f"{field}: CRS {crs.to_string()} is geographic (degrees), but this cost needs a "
            f"projected CRS in metres; {UTM_HINT}, or use great-circle distances",
            field=field,
        )
    units = {axis.unit_name for axis in crs.axis_info[:2]}
    if not units <= {"metre", "meter"}:
        raise InputError(
            f"{field}: CRS {crs.to_string()} is in {sorted(units)}, not metres; {UTM_HINT}",
            field=field,
        )


def projected_crs(crs: Any, field: str) -> Any:
    """``crs`` as a pyproj CRS, checked to be projected in metres."""
    import pyproj

    try:
        out = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(
            f"{field}: not a CRS pyproj knows ({exc}); pass e.g. 'EPSG:32650'", field=field
        ) from None
    check_metric_crs(out, field)
    return out


def check_same_crs(a: Any, b: Any, field_a: str, field_b: str) -> None:
    """Raise if both CRSs are set and differ."""
    if a is not None and b is not None and a != b:
        raise InputError(
            f"{field_b}: CRS {b.to_string()} differs from the {field_a} CRS {a.to_string()}; "
            f"reproject with {field_b}.to_crs({field_a}.crs)",
            field=field_b,
        )


def metres_per_minute(speed_kmh: Any, field: str = "speed_kmh") -> float:
    """Speed in metres per minute; raise unless it is a positive finite number."""
    if not is_real(speed_kmh):  # not "50", True or 50j: no silent coercion
        raise InputError(
            f"{field}: must be a number of km/h, got {speed_kmh!r} ({type(speed_kmh).__name__})",
            field=field,
        )
    speed = float(speed_kmh)
    if not np.isfinite(speed) or speed <= 0:
        raise InputError(
            f"{field}: must be a positive speed in km/h, got {speed_kmh!r}", field=field
        )
    return speed * 1000.0 / 60.0


def nonnegative(value: Any, field: str) -> float | None:
    """``None`` or a float >= 0 (``inf`` allowed); raise otherwise."""
    if value is None:
        return None
    if not is_real(value):  # not "10", True or a list: no silent coercion
        raise InputError(
            f"{field}: must be a number, got {value!r} ({type(value).__name__})", field=field
        )
    out = float(value)
    if np.isnan(out) or out < 0:
        raise InputError(f"{field}: must be >= 0, got {value!r}", field=field)
    return out


def unreachable(matrix: Any) -> np.ndarray:
    """Row positions of a cost matrix with no finite entry (demand no site reaches).

    Parameters
    ----------
    matrix : numpy.ndarray or scipy.sparse array
        Demand × site costs: ``inf`` marks an unreachable pair in a dense
        matrix, a missing entry in a sparse one.

    Returns
    -------
    numpy.ndarray
        Sorted row positions without any reachable site.
    """
    if sp.issparse(matrix):
        coo = sp.coo_array(matrix)
        ok = np.bincount(coo.row[np.isfinite(coo.data)], minlength=coo.shape[0])
        return np.flatnonzero(ok == 0)
    dense = np.asarray(matrix, dtype=float)
    return np.flatnonzero(~np.isfinite(dense).any(axis=1))
