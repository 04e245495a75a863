"""How the maps look: the palette and fixed colours, marker sizes, number formatting.

Both renderers (:mod:`~erlocate.maps.static` and :mod:`~erlocate.maps.interactive`)
and the layer functions (:mod:`~erlocate.maps.layers`) take their colours and
sizes from here, so a map drawn with matplotlib and one drawn with folium agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "CLOSED",
    "LEGEND_GREY",
    "LINK_LEGEND",
    "MIN_CROSS_AREA",
    "PALETTE",
    "ROADS",
    "UNCOVERED",
    "UNITS_EDGE",
    "UNITS_FACE",
    "fmt",
    "marker_areas",
    "num",
    "site_colours",
    "typical_area",
]

#: Colours of open sites (and of the demand and links they serve): matplotlib's
#: tab10 then the light tab20 shades, without the reds (kept for uncovered
#: demand) and greys (kept for closed candidates). Cycled when more sites open.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
    "#9edae5",
)
#: Uncovered or unassigned demand.
UNCOVERED = "#d62728"
#: Candidate sites that were not opened.
CLOSED = "#6f6f6f"
#: Road lines.
ROADS = "#b3b3b3"
#: Fill and outline of administrative units.
UNITS_FACE = "#f3f3ee"
UNITS_EDGE = "#9a9a9a"
#: Legend swatch of the links (drawn in their sites' colours).
LINK_LEGEND = "#666666"
#: Legend swatch of markers drawn in their sites' colours (demand, open sites).
LEGEND_GREY = "#8a8a8a"
#: Smallest area (points²) of a red cross, so that light uncovered points stay visible.
MIN_CROSS_AREA = 16.0


def site_colours(open_: np.ndarray) -> np.ndarray:
    """One hex colour per site: the palette cycled over open sites, grey for closed ones.

    Parameters
    ----------
    open_ : numpy.ndarray of bool
        Whether each site is open, in site order.

    Returns
    -------
    numpy.ndarray of str (object dtype)
        ``PALETTE[0]``, ``PALETTE[1]``, ... for the open sites in order, ``CLOSED`` for the others.
    """
    colours = np.full(open_.size, CLOSED, dtype=object)
    k = np.flatnonzero(open_)
    colours[k] = np.asarray(PALETTE, dtype=object)[np.arange(k.size) % len(PALETTE)]
    return colours


def marker_areas(weight: np.ndarray, typical: float) -> np.ndarray:
    """Marker areas proportional to weight: the 95th-percentile weight gets ``typical``.

    Parameters
    ----------
    weight : numpy.ndarray
        Weight of each point.
    typical : float
        Area (points²) of a point at the 95th percentile of the positive weights.

    Returns
    -------
    numpy.ndarray
        Areas, capped at ``2 * typical`` (outliers do not swamp the map) and
        floored at ``max(6, 0.1 * typical)`` (light points stay visible).
    """
    positive = weight[weight > 0]
    ref = float(np.quantile(positive, 0.95)) if positive.size else 1.0
    return np.clip(typical * weight / ref, max(6.0, 0.1 * typical), 2.0 * typical)


def typical_area(n_points: int) -> float:
    """Typical demand-marker area (points²) on a static map of ``n_points`` points.

    Parameters
    ----------
    n_points : int
        Number of demand points.

    Returns
    -------
    float
        ``4000 / n_points`` within [18, 120]: smaller markers when there are many points.
    """
    return float(np.clip(4000.0 / max(n_points, 1), 18.0, 120.0))


def num(x: float) -> str:
    """A readable number: thousands separators, no exponent below 1e15.

    Parameters
    ----------
    x : float
        The number.

    Returns
    -------
    str
        E.g. ``"1,038,333"`` for 1038333.3, ``"12.5"`` for 12.5.
    """
    if np.isfinite(x) and 1e4 <= abs(x) < 1e15:
        return f"{x:,.0f}"
    return f"{x:,.6g}"


def fmt(value: Any) -> str:
    """A short display string for popups and tooltips.

    Parameters
    ----------
    value : object
        A table cell.

    Returns
    -------
    str
        ``"—"`` for None and NaN, ``"yes"``/``"no"`` for booleans, 6 significant
        digits for floats, thousands separators for integers, ``str`` otherwise.
    """
    if value is None:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return "—"
        return f"{value:,.6g}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,d}"
    return str(value)
