"""The static map: :func:`plot` draws the layers of :mod:`~erlocate.maps.layers` with matplotlib.

matplotlib is imported inside the functions, so importing this module stays light.
How each kind of :class:`~erlocate.maps.base.Layer` is drawn:

* areas — ``GeoSeries.plot`` (filled polygons, outline ``edge``);
* lines — one ``LineCollection`` per layer (dashed where ``dashed``);
* points — ``Axes.scatter`` with marker ``o``, ``^``, ``s`` or ``x``;
* text — ``Axes.annotate`` at an offset in points, with a white halo;
* arrows — ``Axes.annotate`` with a filled arrow head.

Every layer with a ``legend`` adds one entry to the legend, in layer order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from erlocate.geo.network import RoadNetwork
from erlocate.maps.base import Layer, LayerFunction, MapData, collect_layers, map_data
from erlocate.maps.frames import MapResult, ResultFrames, points_xy
from erlocate.maps.layers import PLAN_LAYERS
from erlocate.maps.style import num

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MARKER_SYMBOLS", "default_title", "draw_layer", "legend_handle", "plot"]

#: matplotlib marker of each :class:`~erlocate.maps.base.Layer` marker shape.
MARKER_SYMBOLS = {"circle": "o", "triangle": "^", "square": "s", "cross": "x"}


def plot(
    result: MapResult,
    *,
    ax: Axes | None = None,
    roads: gpd.GeoDataFrame | RoadNetwork | None = None,
    units: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    show_links: bool = True,
    figsize: tuple[float, float] = (8, 8),
    layers: Sequence[LayerFunction] | None = None,
) -> Axes:
    """Draw the plan of ``result`` on a static matplotlib map.

    Layers, bottom to top: ``units`` (filled boundaries), ``roads`` (thin
    grey), assignment links (thin, in the colour of their site; for covering
    models only links within the standard), demand points (area proportional
    to weight, coloured by their main site), uncovered or unassigned demand
    (red ×), candidate sites not opened (small hollow triangles), open sites
    (large filled triangles; required/existing sites as squares, labelled with
    their ids when at most 40 are open), and a legend.

    Parameters
    ----------
    result : Result
        A solve result whose instance carries frames (see :func:`to_geodataframes`).
    ax : matplotlib.axes.Axes, optional
        Draw here; by default a new figure of size ``figsize`` is made.
    roads, units : geopandas.GeoDataFrame, optional
        Road lines (or a :class:`~erlocate.geo.RoadNetwork`: its open
        segments) and administrative-unit polygons drawn underneath;
        reprojected to the result's CRS when both have one.
    title : str, optional
        Default: the model name, objective and status, and a line with the
        number of open sites and the coverage (covering models) or the
        weighted mean cost. Pass ``""`` for none.
    show_links : bool
        Draw demand → site links.
    figsize : tuple of float
        Size in inches of a new figure.
    layers : sequence of layer functions, optional
        What to draw (default :data:`~erlocate.maps.layers.PLAN_LAYERS`); add
        model-specific layers with ``(*PLAN_LAYERS, my_layers)``, where
        ``my_layers(data: MapData)`` returns a :class:`~erlocate.maps.base.Layer`
        or a list of them.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax.figure.savefig(...)`` writes it out).

    Raises
    ------
    InputError
        When the instance has no frames, ``roads`` or ``units`` has a wrong
        type, or ``layers`` is not a sequence of layer functions.
    """
    import matplotlib.pyplot as plt

    data = map_data(result, roads=roads, units=units, show_links=show_links)
    drawn = collect_layers(data, PLAN_LAYERS if layers is None else layers)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    handles = [draw_layer(ax, layer) for layer in drawn]
    _frame(ax, data)
    ax.set_title(default_title(result, data.frames) if title is None else title, fontsize=11)
    legend = [h for h in handles if h is not None]
    if legend:
        ax.legend(handles=legend, loc="best", fontsize=8, framealpha=0.9)
    return ax


def draw_layer(ax: Axes, layer: Layer) -> Any:
    """Draw one layer on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    layer : Layer
        What to draw (in the CRS of ``ax``'s data).

    Returns
    -------
    matplotlib.artist.Artist or None
        The layer's legend handle (:func:`legend_handle`).
    """
    draw = {
        "areas": _areas,
        "lines": _lines,
        "points": _points,
        "text": _text,
        "arrows": _arrows,
    }[layer.kind]
    draw(ax, layer)
    return legend_handle(layer)


def legend_handle(layer: Layer) -> Any:
    """The legend entry of ``layer``: a patch, line or marker in its style.

    Parameters
    ----------
    layer : Layer
        A layer.

    Returns
    -------
    matplotlib.artist.Artist or None
        None when ``layer.legend`` is None or it is a text layer.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if layer.legend is None or layer.kind == "text":
        return None
    colour, label = layer.swatch(), layer.legend
    if layer.kind == "areas":
        face = "none" if layer.hollow else colour
        return Patch(facecolor=face, edgecolor=layer.edge, alpha=layer.alpha, label=label)
    if layer.kind == "lines":
        return Line2D([], [], color=colour, linewidth=max(layer.width, 1.0), label=label)
    if layer.kind == "arrows":
        return Line2D([], [], color=colour, linewidth=1.5, marker=">", label=label)
    style: dict[str, Any] = {"marker": MARKER_SYMBOLS[layer.marker], "linestyle": ""}
    if layer.marker == "cross":
        style.update(color=colour, markeredgewidth=1.6)
    elif layer.hollow:
        style.update(markerfacecolor="none", markeredgecolor=layer.edge or colour)
    else:
        style.update(markerfacecolor=colour, markeredgecolor=layer.edge or colour)
    return Line2D([], [], markersize=layer.legend_size, label=label, **style)


def default_title(result: MapResult, frames: ResultFrames) -> str:
    """The default map title: model, objective and status; open sites and coverage or cost.

    Parameters
    ----------
    result : MapResult
        The solve result.
    frames : ResultFrames
        Its frames.

    Returns
    -------
    str
        Two lines, e.g. ``"PMedian: objective 1,038,333 (optimal)"`` and
        ``"2 of 3 sites open · weighted mean cost 1,282"``.
    """
    name = type(result.model).__name__
    if result.objective is None:
        head = f"{name}: no solution ({result.status})"
    else:
        head = f"{name}: objective {num(result.objective)} ({result.status})"
    sites, links = frames.sites, frames.links
    detail = f"{int(sites['open'].sum())} of {len(sites)} sites open"
    if result.model.covering and result.coverage_share is not None:
        detail += (
            f" · {100 * result.coverage_share:.1f} % of weight covered within "
            f"{result.model.max_cost:g}"
        )
    elif len(links) and links["weight"].sum() > 0:
        mean = float(np.average(links["cost"], weights=links["weight"]))
        detail += f" · weighted mean cost {num(mean)}"
    return f"{head}\n{detail}"


# ---------------------------------------------------------------------- drawing
def _one_or_all(colours: np.ndarray) -> Any:
    """A single colour when all features share it, else the list."""
    if colours.size and (colours == colours[0]).all():
        return str(colours[0])
    return list(colours)


def _areas(ax: Axes, layer: Layer) -> None:
    layer.geometry.plot(
        ax=ax,
        facecolor="none" if layer.hollow else _one_or_all(layer.colours()),
        edgecolor=layer.edge or "none",
        linewidth=layer.width,
        alpha=layer.alpha,
        zorder=layer.zorder,
    )


def _lines(ax: Axes, layer: Layer) -> None:
    from matplotlib.collections import LineCollection

    parts, owner = shapely.get_parts(np.asarray(layer.geometry.values), return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, owner = parts[keep], owner[keep]
    coords, which = shapely.get_coordinates(parts, return_index=True)
    segments = np.split(coords, np.flatnonzero(np.diff(which)) + 1) if len(parts) else []
    style: dict[str, Any] = {}
    dashed = layer.dashes()[owner]
    if dashed.any():
        style["linestyles"] = ["dashed" if d else "solid" for d in dashed]
    ax.add_collection(
        LineCollection(
            segments,
            colors=list(layer.colours()[owner]),
            linewidths=layer.width,
            alpha=layer.alpha,
            zorder=layer.zorder,
            **style,
        )
    )


def _points(ax: Axes, layer: Layer) -> None:
    x, y = points_xy(layer.geometry)
    style: dict[str, Any] = {
        "s": layer.sizes(),
        "marker": MARKER_SYMBOLS[layer.marker],
        "linewidths": layer.width,
        "alpha": layer.alpha,
        "zorder": layer.zorder,
    }
    colours = list(layer.colours())
    if layer.hollow:
        ax.scatter(x, y, facecolors="none", edgecolors=layer.edge or colours, **style)
    elif layer.marker == "cross":  # a cross has no face: its colour is the stroke
        ax.scatter(x, y, c=colours, **style)
    else:
        ax.scatter(x, y, c=colours, edgecolors=layer.edge or "face", **style)


def _text(ax: Axes, layer: Layer) -> None:
    from matplotlib.patheffects import withStroke

    halo = [withStroke(linewidth=3, foreground="white")]
    x, y = points_xy(layer.geometry)
    text = layer.text if layer.text is not None else [""] * len(layer)
    sizes, colours = layer.sizes(), layer.colours()
    for k, (dx, dy) in enumerate(layer.offsets()):
        ax.annotate(
            text[k],
            (x[k], y[k]),
            xytext=(dx, dy),
            textcoords="offset points",
            fontsize=sizes[k],
            fontweight="bold" if layer.bold else "normal",
            ha=layer.align,
            color=colours[k],
            path_effects=halo,
            zorder=layer.zorder,
        )


def _arrows(ax: Axes, layer: Layer) -> None:
    lines = np.asarray(layer.geometry.values)
    tails = shapely.get_coordinates(shapely.get_point(lines, 0))
    heads = shapely.get_coordinates(shapely.get_point(lines, -1))
    for tail, head, colour in zip(tails, heads, layer.colours(), strict=True):
        ax.annotate(
            "",
            xy=tuple(head),
            xytext=tuple(tail),
            arrowprops={
                "arrowstyle": "-|>",
                "color": colour,
                "lw": layer.width,
                "mutation_scale": 16,
                "shrinkA": 5,
                "shrinkB": 5,
            },
            zorder=layer.zorder,
        )


def _frame(ax: Axes, data: MapData) -> None:
    """Aspect (degrees corrected for latitude), margins, no ticks or axis labels."""
    crs = data.frames.crs
    if crs is not None and crs.is_geographic:
        _, dy = points_xy(data.frames.demand.geometry)
        _, sy = points_xy(data.frames.sites.geometry)
        lat = np.nanmean(np.concatenate([dy, sy]))
        ax.set_aspect(1.0 / max(np.cos(np.deg2rad(lat)), 1e-6))
    else:
        ax.set_aspect("equal")
    ax.margins(0.06)
    ax.autoscale_view()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
