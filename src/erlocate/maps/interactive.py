"""The interactive map: :func:`explore` draws the shared layers with folium.

folium is imported inside :func:`explore`, so importing this module stays light.
Every layer is reprojected to EPSG:4326; layers of the same ``name`` share one
entry of the layer control. How each kind of :class:`~erlocate.maps.base.Layer`
is drawn:

* areas — GeoJSON polygons, outline ``edge``, fill ``colour`` at 0.3 opacity
  (the tiles show through);
* lines and arrows — GeoJSON lines, 1.5 px at 0.7 opacity, dashed where ``dashed``;
* points — filled triangles and squares (the few open sites) as SVG icons
  with a hover title and an HTML popup of ``info``; all other points
  (circles, crosses, hollow markers such as the many candidate sites) as one
  light GeoJSON layer of circle markers of radius √size, in their colour, or
  white with an ``edge`` outline when hollow;
* text — a text icon with a white halo.

Layers with ``web=False`` (the site ids, which the markers show on hover) are skipped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.geo.network import RoadNetwork
from erlocate.maps.base import Layer, LayerFunction, MapData, collect_layers, map_data
from erlocate.maps.frames import MapResult, points_xy
from erlocate.maps.layers import PLAN_LAYERS
from erlocate.maps.style import fmt

if TYPE_CHECKING:
    import folium

__all__ = ["display_table", "draw_web_layer", "explore", "site_icon"]

#: Style of lines and arrows (Leaflet path options).
LINE_STYLE = {"weight": 1.5, "opacity": 0.7}
#: Fill opacity of areas, of circle markers, and of the white fill of hollow markers.
AREA_OPACITY = 0.3
CIRCLE_OPACITY = 0.7
HOLLOW_OPACITY = 0.9


def explore(
    result: MapResult,
    path: Any = None,
    *,
    roads: gpd.GeoDataFrame | RoadNetwork | None = None,
    units: gpd.GeoDataFrame | None = None,
    tiles: str = "OpenStreetMap",
    layers: Sequence[LayerFunction] | None = None,
) -> folium.Map:
    """An interactive Leaflet map of the plan of ``result`` (needs folium).

    The frames are reprojected to EPSG:4326. Layers (toggled in a layer
    control): ``units`` and ``roads`` when given, assignment links (tooltip:
    demand, site, cost, share; dashed beyond the standard of a covering
    model), demand points as circles sized by weight and coloured by site
    (popup: id, weight, assigned site, cost, covered, and the point's own
    attributes), uncovered or unassigned demand in red, candidate sites not
    opened (small grey circles with a popup of their attributes), and
    open sites as triangles (squares when existing) whose popup lists the id,
    the site's attributes, its load and the number of demand points assigned.

    Parameters
    ----------
    result : Result
        A solve result whose instance carries frames with a CRS.
    path : str or path-like, optional
        Where to save the map as a standalone HTML file.
    roads, units : geopandas.GeoDataFrame, optional
        Extra layers (need a CRS); ``roads`` may be a
        :class:`~erlocate.geo.RoadNetwork` (its open segments).
    tiles : str
        Background tiles, any name ``folium.Map`` accepts.
    layers : sequence of layer functions, optional
        What to draw (default :data:`~erlocate.maps.layers.PLAN_LAYERS`), as
        for :func:`~erlocate.maps.static.plot`.

    Returns
    -------
    folium.Map
        The map (also saved to ``path`` when given); displays in a notebook.

    Raises
    ------
    ImportError
        When folium is not installed.
    InputError
        When the instance has no frames, they or ``roads``/``units`` have no
        CRS, or ``layers`` is not a sequence of layer functions.
    """
    try:
        import folium
    except ImportError as exc:  # pragma: no cover - folium is a test dependency
        raise ImportError(
            "erlocate.maps.explore needs folium; install it with: pip install erlocate[maps]"
        ) from exc

    data = map_data(result, roads=roads, units=units, uncovered_links=True, typical=100.0)
    _check_crs(data)
    drawn = collect_layers(data, PLAN_LAYERS if layers is None else layers)
    fmap = _base_map(folium, data, tiles)
    groups: dict[str, Any] = {}
    for layer in drawn:
        if not layer.web:
            continue
        if layer.name not in groups:
            groups[layer.name] = folium.FeatureGroup(name=layer.name).add_to(fmap)
        draw_web_layer(folium, groups[layer.name], layer)
    folium.LayerControl(collapsed=False).add_to(fmap)
    if path is not None:
        fmap.save(str(path))
    return fmap


def _check_crs(data: MapData) -> None:
    if data.frames.crs is None:
        raise InputError(
            "instance: the demand and site frames have no CRS, so they cannot be put on a web "
            "map; set it with frame.set_crs(...) before attaching them",
            field="instance",
        )
    for name, geometry in (("units", data.units), ("roads", data.roads)):
        if geometry is not None and geometry.crs is None:
            raise InputError(f"{name}: has no CRS; set it with .set_crs(...)", field=name)


def _base_map(folium: Any, data: MapData, tiles: str) -> Any:
    """A map fitted to the demand points and sites."""
    points = pd.concat([data.frames.sites.geometry, data.frames.demand.geometry])
    xs, ys = points_xy(gpd.GeoSeries(points.to_numpy(), crs=data.frames.crs).to_crs(4326))
    south, north = float(np.nanmin(ys)), float(np.nanmax(ys))
    west, east = float(np.nanmin(xs)), float(np.nanmax(xs))
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2], tiles=tiles, control_scale=True
    )
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def draw_web_layer(folium: Any, parent: Any, layer: Layer) -> None:
    """Add one layer to a folium map or feature group.

    Parameters
    ----------
    folium : module
        The folium module.
    parent : folium.Map or folium.FeatureGroup
        Where to add it.
    layer : Layer
        What to draw, in any CRS (reprojected to EPSG:4326).

    Raises
    ------
    InputError
        (field ``"layers"``) when the layer's geometry has no CRS.
    """
    if layer.geometry.crs is None:
        raise InputError(
            f"layers: layer {layer.name!r} has no CRS, so it cannot be put on a web map",
            field="layers",
        )
    layer_4326 = layer.geometry.to_crs(4326)
    if layer.kind == "points" and layer.marker in ("triangle", "square") and not layer.hollow:
        _icons(folium, parent, layer, layer_4326)
    elif layer.kind == "text":
        _labels(folium, parent, layer, layer_4326)
    else:
        _geojson(folium, parent, layer, layer_4326)


def _geojson(folium: Any, parent: Any, layer: Layer, geometry: gpd.GeoSeries) -> None:
    """Areas, lines, arrows, circles and crosses: one GeoJSON layer styled per feature."""
    fields = [] if layer.info is None else [str(c) for c in layer.info.columns]
    table = display_table(layer.info, geometry)
    table["_colour"] = layer.colours()
    table["_edge"] = layer.edge or ""
    table["_dash"] = np.where(layer.dashes(), "4 4", "")
    table["_radius"] = np.sqrt(layer.sizes()) if layer.kind == "points" else 0.0
    options: dict[str, Any] = {"style_function": _style_function(layer)}
    if layer.kind == "points":
        options["marker"] = folium.CircleMarker(radius=5, fill=True)
    if fields:
        labels = list(layer.info_labels) if layer.info_labels is not None else fields
        widget = folium.GeoJsonTooltip if layer.info_on_hover else folium.GeoJsonPopup
        key = "tooltip" if layer.info_on_hover else "popup"
        options[key] = widget(fields=fields, aliases=labels)
    folium.GeoJson(table.to_json(), **options).add_to(parent)


def _style_function(layer: Layer) -> Any:
    """Leaflet path options per feature, from its ``_colour``/``_edge``/``_dash``/``_radius``."""
    kind, hollow = layer.kind, layer.hollow

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        p = feature["properties"]
        if kind == "areas":
            return {
                "color": p["_edge"] or p["_colour"],
                "weight": 1 if p["_edge"] else 0,
                "fillColor": p["_colour"],
                "fillOpacity": 0.0 if hollow else AREA_OPACITY * layer.alpha,
            }
        if kind == "points":
            return {
                "radius": p["_radius"],
                "color": (p["_edge"] or p["_colour"]) if hollow else p["_colour"],
                "weight": 1.5 if hollow else 1,
                "fill": True,
                "fillColor": "#ffffff" if hollow else p["_colour"],
                "fillOpacity": HOLLOW_OPACITY if hollow else CIRCLE_OPACITY,
            }
        return {**LINE_STYLE, "color": p["_colour"], "dashArray": p["_dash"] or None}

    return style


def _icons(folium: Any, parent: Any, layer: Layer, geometry: gpd.GeoSeries) -> None:
    """Triangles and squares: one marker each, with a hover title and an HTML popup."""
    x, y = points_xy(geometry)
    colours, sizes = layer.colours(), layer.sizes()
    for k in range(len(layer)):
        title = None if layer.titles is None else str(layer.titles[k])
        popup = None
        if layer.info is not None:
            body = _popup_html(layer.info.iloc[k], layer.info_labels, title)
            popup = folium.Popup(body, max_width=320)
        folium.Marker(
            location=[float(y[k]), float(x[k])],
            popup=popup,
            tooltip=title,
            icon=site_icon(folium, layer, str(colours[k]), float(sizes[k])),
        ).add_to(parent)


def _popup_html(row: pd.Series, labels: Sequence[str] | None, title: str | None) -> str:
    """One row of a layer's ``info`` as an HTML table under a bold title."""
    labels = row.index if labels is None else labels
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{html.escape(str(label))}</th>"
        f"<td>{html.escape(fmt(value))}</td></tr>"
        for label, value in zip(labels, row.to_numpy(), strict=True)
    )
    head = "" if title is None else f"<b>{html.escape(title)}</b>"
    return f"{head}<table style='font-size:12px'>{cells}</table>"


def site_icon(folium: Any, layer: Layer, colour: str, size: float) -> Any:
    """An SVG triangle or square filled with ``colour``, about as large as on the static map.

    Parameters
    ----------
    folium : module
        The folium module.
    layer : Layer
        A points layer with marker ``"triangle"`` or ``"square"`` (gives the
        outline, ``edge``).
    colour : str
        The fill.
    size : float
        Marker area in points² (an opened site's 190 gives a 24 px icon).

    Returns
    -------
    folium.DivIcon
    """
    paint = f"fill='{colour}' stroke='{layer.edge or colour}' stroke-width='1.5'"
    shape = (
        f"<rect x='3' y='3' width='18' height='18' {paint}/>"
        if layer.marker == "square"
        else f"<polygon points='12,1 23,22 1,22' {paint}/>"
    )
    side = max(8, round(1.75 * np.sqrt(size)))
    return folium.DivIcon(
        html=f"<svg width='{side}' height='{side}' viewBox='0 0 24 24'>{shape}</svg>",
        icon_size=(side, side),
        icon_anchor=(side // 2, side // 2),
        class_name="erlocate-site",
    )


def _labels(folium: Any, parent: Any, layer: Layer, geometry: gpd.GeoSeries) -> None:
    """Text layers: one text icon per feature, with a white halo."""
    x, y = points_xy(geometry)
    text = layer.text if layer.text is not None else [""] * len(layer)
    colours, sizes = layer.colours(), layer.sizes()
    for k in range(len(layer)):
        style = (
            f"font-size:{sizes[k]:g}px;color:{colours[k]};white-space:nowrap;"
            f"font-weight:{'bold' if layer.bold else 'normal'};"
            "text-shadow:0 0 3px white,0 0 3px white"
        )
        folium.Marker(
            location=[float(y[k]), float(x[k])],
            icon=folium.DivIcon(html=f"<div style='{style}'>{html.escape(str(text[k]))}</div>"),
        ).add_to(parent)


def display_table(info: pd.DataFrame | None, geometry: gpd.GeoSeries) -> gpd.GeoDataFrame:
    """``info`` as display strings (:func:`~erlocate.maps.style.fmt`) on ``geometry``, for GeoJSON.

    Parameters
    ----------
    info : pandas.DataFrame, optional
        One row per feature (None: no columns).
    geometry : geopandas.GeoSeries
        The features, in EPSG:4326.

    Returns
    -------
    geopandas.GeoDataFrame
        String columns named as ``info``'s (as str), and the geometry.
    """
    data = {} if info is None else {str(c): [fmt(v) for v in info[c].to_numpy()] for c in info}
    return gpd.GeoDataFrame(data, geometry=np.asarray(geometry.values), crs=4326)
