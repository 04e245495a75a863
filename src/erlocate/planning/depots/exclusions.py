"""Depot exclusions: sites in hazard zones or near hazard lines, and the excluded flags.

:func:`exclusion_zones` marks sites inside hazard polygons (flood zones) or
near hazard lines (fault lines) with the reason; :func:`site_exclusions` joins
them with the ``excluded`` / ``exclusion_reason`` parameters of a
:class:`~erlocate.planning.depots.Depots` model (its
:class:`~erlocate.planning.depots.params.DepotParams`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.params import number
from erlocate.planning.depots.params import DepotParams
from erlocate.planning.inputs import by_label

__all__ = ["exclusion_zones", "site_exclusions"]


def _named(value: Any, default: str) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [(str(k), v) for k, v in value.items()]
    return [(default, value)]


def _geometry(geom: Any, crs: Any, field: str) -> Any:
    """One shapely geometry (a GeoSeries / GeoDataFrame is unioned, reprojected to ``crs``)."""
    import shapely

    if hasattr(geom, "geometry") or hasattr(geom, "union_all"):
        series = geom.geometry if hasattr(geom, "geometry") else geom
        if series.crs is not None and crs is not None and series.crs != crs:
            series = series.to_crs(crs)
        return series.union_all()
    if isinstance(geom, shapely.Geometry):
        return geom
    raise InputError(
        f"{field}: expected a shapely geometry, GeoSeries or GeoDataFrame, got "
        f"{type(geom).__name__}",
        field=field,
    )


def exclusion_zones(
    site_frame: Any, *, within: Any = None, near: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Sites inside hazard zones or near hazard lines, with the reason.

    Parameters
    ----------
    site_frame : geopandas.GeoDataFrame
        The candidate sites (``instance.site_frame``), in a projected CRS when
        ``near`` is given (distances are in CRS units, metres for UTM).
    within : geometry, GeoSeries, GeoDataFrame or mapping, optional
        Zones a depot must not be in (e.g. flood polygons); a mapping
        ``{"flood zone": polygons}`` names the reason. Points on the boundary
        count as inside.
    near : (geometry, distance) or mapping, optional
        Lines (or any geometry) a depot must keep ``distance`` from, e.g.
        ``(fault_line, 500)``; ``{"fault line": (line, 500)}`` names the reason.

    Returns
    -------
    excluded : numpy.ndarray of bool
    reason : numpy.ndarray of str
        ``"inside flood zone"``, ``"within 500 m of fault line"`` (joined by
        "; " when several apply; ``""`` for sites not excluded).
    """
    if site_frame is None or not hasattr(site_frame, "geometry"):
        raise InputError(
            "exclude_within / exclude_near: need the sites' geometry; build the instance with "
            "Instance.from_geodataframes or .with_frames(site_frame=...)",
            field="exclude_within",
        )
    crs = site_frame.crs
    pts = site_frame.geometry
    n = len(site_frame)
    reasons: list[np.ndarray] = []
    for name, geom in _named(within, "exclusion zone"):
        g = _geometry(geom, crs, "exclude_within")
        hit = pts.intersects(g).to_numpy()
        reasons.append(np.where(hit, f"inside {name}", ""))
    near_items = _named(near, "hazard line") if isinstance(near, Mapping) or near is None else []
    if near is not None and not isinstance(near, Mapping):
        near_items = [("hazard line", near)]
    for name, spec in near_items:
        if not (isinstance(spec, tuple) and len(spec) == 2):
            raise InputError(
                f"exclude_near: expected (geometry, distance), got {spec!r}", field="exclude_near"
            )
        geom, dist = spec
        if crs is not None and crs.is_geographic:
            raise InputError(
                "exclude_near: the sites are in a geographic CRS (degrees); project them to "
                "metres first, e.g. site_frame.to_crs(site_frame.estimate_utm_crs())",
                field="exclude_near",
            )
        number(dist, "exclude_near", minimum=0.0, hint="the distance, in CRS units")
        g = _geometry(geom, crs, "exclude_near")
        unit = "m" if crs is None or "metre" in str(crs.axis_info[0].unit_name) else ""
        hit = (pts.distance(g) <= float(dist)).to_numpy()
        reasons.append(
            np.where(hit, f"within {float(dist):g}{' ' + unit if unit else ''} of {name}", "")
        )
    out: np.ndarray = np.full(n, "", dtype=object)
    for r in reasons:
        out = np.where((out != "") & (r != ""), out + "; " + r, np.where(out != "", out, r))
    return out != "", out


def site_exclusions(p: DepotParams, instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Excluded sites and the reasons: the ``excluded`` flags, then the hazard geometries."""
    m, frame = instance.n_sites, instance.site_frame
    reason: np.ndarray = np.full(m, "", dtype=object)
    flag = p.excluded
    if isinstance(flag, str):
        if frame is not None and flag in frame.columns:
            flag = frame[flag].to_numpy()
        elif flag == "excluded":
            flag = None
        else:
            raise InputError(
                f"excluded: no column {flag!r} in instance.site_frame", field="excluded"
            )
    if flag is not None:
        mask = np.asarray(by_label(flag, instance.site_ids, "excluded"), dtype=object)
        if mask.shape != (m,):
            raise InputError(
                f"excluded: expected {m} flags, got shape {mask.shape}", field="excluded"
            )
        flags = pd.Series(mask, dtype=object)
        ok = flags.map(lambda v: isinstance(v, (bool, np.bool_))) | flags.isna()
        if not ok.all():
            raise InputError(
                "excluded: flags must be True/False (missing = False); got "
                f"{flags[~ok].head(3).tolist()} at sites "
                f"{instance.site_ids[~ok.to_numpy()][:5].tolist()}",
                field="excluded",
            )
        mask = flags.where(flags.notna(), False).astype(bool).to_numpy()
        why = p.exclusion_reason
        if isinstance(why, str) and (frame is None or why not in frame.columns):
            why = None if why == "exclusion_reason" else why
            if why is not None:
                raise InputError(
                    f"exclusion_reason: no column {why!r} in instance.site_frame",
                    field="exclusion_reason",
                )
        if isinstance(why, str):
            why = frame[why].to_numpy(dtype=object)
        why = (
            np.full(m, "excluded in the site data", dtype=object)
            if why is None
            else np.asarray(by_label(why, instance.site_ids, "exclusion_reason"), object)
        )
        blank = pd.isna(why) | (why == "")
        reason[mask] = np.where(blank, "excluded in the site data", why)[mask].astype(str)
    if p.exclude_within is not None or p.exclude_near is not None:
        _, geo = exclusion_zones(frame, within=p.exclude_within, near=p.exclude_near)
        reason = np.where(
            (reason != "") & (geo != ""), reason + "; " + geo, np.where(reason != "", reason, geo)
        )
    return reason != "", reason
