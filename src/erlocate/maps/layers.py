"""The map layers, once for both renderers: what to draw, not how.

A *layer function* takes a :class:`~erlocate.maps.base.MapData` (the result,
its frames, the optional roads and units) and returns the
:class:`~erlocate.maps.base.Layer` objects to draw — geometry, colours, sizes,
legend entry, popup table. :func:`~erlocate.maps.static.plot` (matplotlib) and
:func:`~erlocate.maps.interactive.explore` (folium) draw the same layers.

:data:`PLAN_LAYERS` is what both draw by default, bottom to top:

* :func:`units_layer` — administrative units, lightly filled;
* :func:`roads_layer` — thin grey road lines;
* :func:`links_layer` — demand → site links in the colour of their site;
* :func:`demand_layer` — demand points, area ∝ weight, coloured by their main site;
* :func:`uncovered_layer` — uncovered (covering models) or unassigned demand, red;
* :func:`closed_sites_layer` — candidate sites not opened, small hollow grey triangles;
* :func:`open_sites_layer` — opened sites (triangles) and existing ones (squares);
* :func:`site_labels_layer` — the ids of the open sites (static map only).

Pass your own sequence as ``layers=`` to either renderer to add model-specific
layers, e.g. ``plot(result, layers=(*PLAN_LAYERS, hazards))`` with
``def hazards(data: MapData) -> list[Layer]: ...``, or to replace the plan's
layers (``layers=(*BACKGROUND_LAYERS, teams)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from erlocate.maps.base import Layer, LayerFunction, MapData
from erlocate.maps.frames import point_series, points_xy
from erlocate.maps.popups import demand_info, site_info
from erlocate.maps.style import (
    CLOSED,
    LEGEND_GREY,
    LINK_LEGEND,
    MIN_CROSS_AREA,
    ROADS,
    UNCOVERED,
    UNITS_EDGE,
    UNITS_FACE,
    marker_areas,
)

__all__ = [
    "BACKGROUND_LAYERS",
    "PLAN_LAYERS",
    "closed_sites_layer",
    "demand_layer",
    "links_layer",
    "open_sites_layer",
    "roads_layer",
    "site_labels_layer",
    "uncovered_layer",
    "units_layer",
]

#: At most this many open sites are labelled with their ids.
MAX_LABELLED_SITES = 40


# ---------------------------------------------------------------------- background
def units_layer(data: MapData) -> list[Layer]:
    """The administrative units (``units=``), filled in a light neutral colour.

    Parameters
    ----------
    data : MapData
        What the map shows.

    Returns
    -------
    list of Layer
        One areas layer, or none without units.
    """
    if data.units is None:
        return []
    return [
        Layer(
            name="units",
            kind="areas",
            geometry=data.units,
            colour=UNITS_FACE,
            edge=UNITS_EDGE,
            width=0.8,
            legend="units",
            zorder=0,
        )
    ]


def roads_layer(data: MapData) -> list[Layer]:
    """The roads (``roads=``) as thin grey lines.

    Parameters
    ----------
    data : MapData
        What the map shows.

    Returns
    -------
    list of Layer
        One lines layer, or none without roads.
    """
    if data.roads is None:
        return []
    return [
        Layer(
            name="roads",
            kind="lines",
            geometry=data.roads,
            colour=ROADS,
            width=0.6,
            legend="roads",
            zorder=1,
        )
    ]


# ---------------------------------------------------------------------- plan
def links_layer(data: MapData) -> list[Layer]:
    """Demand → site links in the colour of their site.

    Parameters
    ----------
    data : MapData
        What the map shows. Nothing when ``data.show_links`` is False. Links
        beyond the standard of a covering model are left out, or drawn dashed
        when ``data.uncovered_links`` is True.

    Returns
    -------
    list of Layer
        One lines layer (hover: demand, site, cost, share), or none.
    """
    links = data.frames.links
    if not data.show_links or not len(links):
        return []
    covered = links["covered"].to_numpy(dtype=bool)
    keep = links.geometry.notna().to_numpy()
    if not data.uncovered_links:
        keep = keep & covered
    shown = links[keep]
    return [
        Layer(
            name="assignment links",
            kind="lines",
            geometry=shown.geometry,
            colour=data.site_colours.loc[shown["site_id"]].to_numpy(),
            width=0.9,
            alpha=0.6,
            dashed=~covered[keep],
            legend="coverage link" if data.result.model.covering else "assignment",
            legend_colour=LINK_LEGEND,
            info=shown[["demand_id", "site_id", "cost", "share"]],
            info_labels=("demand", "site", "cost", "share"),
            info_on_hover=True,
            zorder=2,
        )
    ]


def demand_layer(data: MapData) -> list[Layer]:
    """Covered (or assigned) demand points, area ∝ weight, in the colour of their main site.

    Parameters
    ----------
    data : MapData
        What the map shows; ``data.typical_area`` sets the marker size.

    Returns
    -------
    list of Layer
        One points layer with a popup table
        (:func:`~erlocate.maps.popups.demand_info`), or none.
    """
    demand = data.frames.demand
    covered = demand["covered"].to_numpy(dtype=bool)
    main_site = demand["site_id"].to_numpy()[covered]
    return _demand_points(
        data,
        covered,
        name="demand",
        colour=data.site_colours.loc[main_site].to_numpy(),
        edge="white",
        width=0.3 if covered.size > 200 else 0.6,
        alpha=0.9,
        legend="demand (area ∝ weight)",
        legend_colour=LEGEND_GREY,
        zorder=3,
    )


def uncovered_layer(data: MapData) -> list[Layer]:
    """Uncovered (covering models) or unassigned demand as red crosses.

    Parameters
    ----------
    data : MapData
        What the map shows.

    Returns
    -------
    list of Layer
        One points layer named ``"uncovered demand"`` or ``"unassigned demand"``, or none.
    """
    uncovered = ~data.frames.demand["covered"].to_numpy(dtype=bool)
    what = "uncovered demand" if data.result.model.covering else "unassigned demand"
    return _demand_points(
        data,
        uncovered,
        name=what,
        colour=UNCOVERED,
        marker="cross",
        min_size=MIN_CROSS_AREA,
        width=1.3,
        legend=what,
        zorder=6,
    )


def _demand_points(
    data: MapData, mask: np.ndarray, min_size: float = 0.0, **style: Any
) -> list[Layer]:
    """The demand points in ``mask`` as a points layer (size ∝ weight, popup table)."""
    demand = data.frames.demand
    x, y = points_xy(demand.geometry)
    areas = marker_areas(demand["weight"].to_numpy(dtype=float), data.typical_area)
    info, labels = demand_info(demand)
    return [
        Layer(
            kind="points",
            geometry=point_series(x[mask], y[mask], data.frames.crs),
            size=np.maximum(areas[mask], min_size),
            info=info[mask],
            info_labels=labels,
            **style,
        )
    ]


def closed_sites_layer(data: MapData) -> list[Layer]:
    """Candidate sites that were not opened, as small hollow grey triangles.

    The interactive map draws hollow markers as small circles (one light GeoJSON layer).

    Parameters
    ----------
    data : MapData
        What the map shows.

    Returns
    -------
    list of Layer
        One points layer (popup: the site's figures and attributes), or none.
    """
    closed = ~data.frames.sites["open"].to_numpy(dtype=bool)
    return [
        _site_markers(
            data,
            closed,
            " (not opened)",
            name="candidate sites (not opened)",
            colour=CLOSED,
            edge=CLOSED,
            hollow=True,
            size=45.0,
            width=1.0,
            legend="candidate site (not opened)",
            zorder=4,
        )
    ]


def open_sites_layer(data: MapData) -> list[Layer]:
    """Open sites in their colours: opened ones as triangles, existing (required) ones as squares.

    Parameters
    ----------
    data : MapData
        What the map shows.

    Returns
    -------
    list of Layer
        Two points layers, both named ``"open sites"`` (one entry in a layer
        control), with legends ``"opened site"`` and ``"existing site (kept
        open)"``; popup: the site's load, demand points assigned, and attributes.
    """
    sites = data.frames.sites
    open_ = sites["open"].to_numpy(dtype=bool)
    required = sites["required"].to_numpy(dtype=bool)
    colours = data.site_colours.to_numpy()
    return [
        _site_markers(
            data,
            mask,
            suffix,
            name="open sites",
            colour=colours[mask],
            edge="black",
            marker=marker,
            size=size,
            width=1.2,
            legend=legend,
            legend_colour=LEGEND_GREY,
            legend_size=10.0 if marker == "triangle" else 8.0,
            zorder=7,
        )
        for mask, marker, size, legend, suffix in (
            (open_ & ~required, "triangle", 190.0, "opened site", ""),
            (open_ & required, "square", 140.0, "existing site (kept open)", " (existing)"),
        )
    ]


def _site_markers(data: MapData, mask: np.ndarray, suffix: str, **style: Any) -> Layer:
    """The sites in ``mask`` as triangle markers (unless ``style`` says otherwise) with popups."""
    sites = data.frames.sites
    x, y = points_xy(sites.geometry)
    return Layer(
        kind="points",
        geometry=point_series(x[mask], y[mask], data.frames.crs),
        marker=style.pop("marker", "triangle"),
        titles=[f"site {s}{suffix}" for s in sites.index[mask]],
        info=site_info(sites[mask]),
        **style,
    )


def site_labels_layer(data: MapData) -> list[Layer]:
    """The ids of the open sites beside their markers, when at most 40 are open.

    Static map only (``web=False``): on the interactive map the markers show
    their ids on hover.

    Parameters
    ----------
    data : MapData
        What the map shows.

    Returns
    -------
    list of Layer
        One text layer, or none.
    """
    sites = data.frames.sites
    open_ = sites["open"].to_numpy(dtype=bool)
    if open_.sum() > MAX_LABELLED_SITES:
        return []
    x, y = points_xy(sites.geometry)
    return [
        Layer(
            name="site labels",
            kind="text",
            geometry=point_series(x[open_], y[open_], data.frames.crs),
            text=[str(s) for s in sites.index[open_]],
            offset=(8.0, 8.0),
            size=9.0,
            bold=True,
            web=False,
            zorder=8,
        )
    ]


#: The background: units and roads when given.
BACKGROUND_LAYERS: tuple[LayerFunction, ...] = (units_layer, roads_layer)
#: What :func:`~erlocate.maps.plot` and :func:`~erlocate.maps.explore` draw by default.
PLAN_LAYERS: tuple[LayerFunction, ...] = (
    *BACKGROUND_LAYERS,
    links_layer,
    demand_layer,
    uncovered_layer,
    closed_sites_layer,
    open_sites_layer,
    site_labels_layer,
)
