"""What a layer is, what layer functions read, and how a renderer collects the layers.

* :class:`Layer` — one thing to draw, in renderer-neutral form (geometry,
  colours, sizes, legend entry, popup table);
* :class:`MapData` — what layer functions draw from: the result, its
  :class:`~erlocate.maps.frames.ResultFrames`, roads and units;
* :data:`LayerFunction` — ``MapData -> Layer | list[Layer]``;
* :func:`map_data` and :func:`collect_layers` — the two steps each renderer
  runs before drawing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.geo.network import RoadNetwork
from erlocate.maps.frames import MapResult, ResultFrames, to_geodataframes
from erlocate.maps.style import site_colours, typical_area

__all__ = [
    "KINDS",
    "MARKERS",
    "Layer",
    "LayerFunction",
    "MapData",
    "as_geometry",
    "collect_layers",
    "map_data",
    "to_map_crs",
]

#: Kinds of layers: filled polygons, lines, point markers, text at points, arrows.
KINDS = ("areas", "lines", "points", "text", "arrows")
#: Marker shapes of points layers.
MARKERS = ("circle", "triangle", "square", "cross")


@dataclass(frozen=True, eq=False)
class Layer:
    """One map layer in renderer-neutral form; both renderers draw it.

    Per-feature values (``colour``, ``size``, ``dashed``, ``offset``) may be one
    value for all features or one per feature, in the order of ``geometry``.

    Attributes
    ----------
    name : str
        The layer's entry in the interactive map's layer control; layers of
        the same name share one entry.
    kind : {"areas", "lines", "points", "text", "arrows"}
        How the geometry is drawn. Arrows are LineStrings from tail to head
        (plain lines on the interactive map); points and text are points.
    geometry : geopandas.GeoSeries
        One geometry per feature, in the map's CRS.
    colour : str or array of str
        Fill of areas and markers; colour of lines, arrows, crosses and text.
    edge : str, optional
        Outline of areas and markers (default: none for areas, ``colour`` for markers).
    hollow : bool
        Areas and markers drawn as outlines only (in ``edge``).
    size : float or array
        Points: marker area in points² (the interactive map's circles have
        radius √size); text: font size.
    width : float
        Line width, arrow width, outline width of areas and markers (points).
    alpha : float
        Opacity (static map; the interactive map uses fixed opacities).
    marker : {"circle", "triangle", "square", "cross"}
        Marker shape of a points layer.
    dashed : bool or array of bool
        Lines drawn dashed.
    text : list of str, optional
        Text layers: the text of each feature.
    offset : tuple of float or array
        Text layers: offset in points from the feature, ``(dx, dy)``.
    align : {"left", "center", "right"}
        Text layers: horizontal alignment at the offset.
    bold : bool
        Text layers: bold text.
    legend : str, optional
        The static map's legend entry (none when None).
    legend_colour : str, optional
        The legend swatch's colour (default ``colour``, its first value when per feature).
    legend_size : float
        Marker size of the legend swatch (points).
    titles : list of str, optional
        Interactive map: the hover text and popup heading of each triangle or
        square marker.
    info : pandas.DataFrame, optional
        Interactive map: a table of attributes, one row per feature, shown on click.
    info_labels : tuple of str, optional
        Display names of ``info``'s columns (default the column names).
    info_on_hover : bool
        Show ``info`` on hover instead of on click.
    zorder : float
        Drawing order on the static map (higher on top).
    web : bool
        Drawn on the interactive map too (False: static map only).
    """

    name: str
    kind: str
    geometry: gpd.GeoSeries
    colour: Any = "#000000"
    edge: str | None = None
    hollow: bool = False
    size: Any = 36.0
    width: float = 1.0
    alpha: float = 1.0
    marker: str = "circle"
    dashed: Any = False
    text: Sequence[str] | None = None
    offset: Any = (0.0, 0.0)
    align: str = "left"
    bold: bool = False
    legend: str | None = None
    legend_colour: str | None = None
    legend_size: float = 7.0
    titles: Sequence[str] | None = None
    info: pd.DataFrame | None = None
    info_labels: Sequence[str] | None = None
    info_on_hover: bool = False
    zorder: float = 1.0
    web: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Layer {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.marker not in MARKERS:
            raise ValueError(
                f"Layer {self.name!r}: marker must be one of {MARKERS}, got {self.marker!r}"
            )
        if not isinstance(self.geometry, gpd.GeoSeries):
            raise TypeError(
                f"Layer {self.name!r}: geometry must be a GeoSeries, "
                f"got {type(self.geometry).__name__}"
            )

    def __len__(self) -> int:
        return len(self.geometry)

    def colours(self) -> np.ndarray:
        """``colour`` as one value per feature (object array)."""
        return self.per_feature(self.colour, dtype=object)

    def sizes(self) -> np.ndarray:
        """``size`` as one value per feature (float array)."""
        return self.per_feature(self.size, dtype=float)

    def dashes(self) -> np.ndarray:
        """``dashed`` as one value per feature (bool array)."""
        return self.per_feature(self.dashed, dtype=bool)

    def offsets(self) -> np.ndarray:
        """``offset`` as one ``(dx, dy)`` row per feature."""
        value = np.asarray(self.offset, dtype=float)
        return np.broadcast_to(value, (len(self), 2)) if value.ndim == 1 else value

    def swatch(self) -> str:
        """The legend swatch's colour."""
        if self.legend_colour is not None:
            return self.legend_colour
        colours = self.colours()
        return str(colours[0]) if colours.size else "#000000"

    def per_feature(self, value: Any, *, dtype: Any) -> np.ndarray:
        """``value`` broadcast to one entry per feature.

        Parameters
        ----------
        value : scalar or array-like
            One value for all features, or one per feature.
        dtype : numpy dtype
            The result's dtype.

        Returns
        -------
        numpy.ndarray
            Of length ``len(self)``.
        """
        if isinstance(value, str) or np.ndim(value) == 0:
            return np.full(len(self), value, dtype=dtype)
        out = np.asarray(value, dtype=dtype)
        if out.shape != (len(self),):
            raise ValueError(f"Layer {self.name!r}: {out.size} values for {len(self)} features")
        return out


@dataclass(frozen=True, eq=False)
class MapData:
    """What layer functions draw from.

    Attributes
    ----------
    result : MapResult
        The solve result.
    frames : ResultFrames
        Its plan as GeoDataFrames (the map's CRS is ``frames.crs``).
    roads, units : geopandas.GeoSeries, optional
        The roads and units given to the renderer, in the map's CRS when both have one.
    show_links : bool
        Draw the demand → site links.
    uncovered_links : bool
        Also draw links beyond the standard of a covering model (dashed).
    typical_area : float
        Marker area (points²) of a demand point at the 95th weight percentile.
    """

    result: MapResult
    frames: ResultFrames
    roads: gpd.GeoSeries | None = None
    units: gpd.GeoSeries | None = None
    show_links: bool = True
    uncovered_links: bool = False
    typical_area: float = 100.0

    @cached_property
    def site_colours(self) -> pd.Series:
        """Colour of each site by site id: the palette over open sites, grey for closed ones."""
        sites = self.frames.sites
        return pd.Series(site_colours(sites["open"].to_numpy(dtype=bool)), index=sites.index)


#: A layer function: what to draw for a map, from its :class:`MapData`.
LayerFunction = Callable[[MapData], Layer | Sequence[Layer]]


def as_geometry(value: Any, name: str) -> gpd.GeoSeries | None:
    """The geometry of a ``roads=`` or ``units=`` argument.

    Parameters
    ----------
    value : GeoDataFrame, GeoSeries, RoadNetwork or None
        The argument; a :class:`~erlocate.geo.RoadNetwork` gives its open segments.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    geopandas.GeoSeries or None
        Its geometry, indexed 0..n-1.

    Raises
    ------
    InputError
        (field ``name``) for any other type.
    """
    if value is None:
        return None
    if isinstance(value, RoadNetwork):
        value = value.edges
    if not isinstance(value, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise InputError(
            f"{name}: expected a GeoDataFrame, GeoSeries or RoadNetwork, "
            f"got {type(value).__name__}",
            field=name,
        )
    return gpd.GeoSeries(value.geometry.to_numpy(), crs=value.crs)


def to_map_crs(geometry: gpd.GeoSeries | None, crs: Any) -> gpd.GeoSeries | None:
    """``geometry`` in ``crs`` when both have a CRS, else as given.

    Parameters
    ----------
    geometry : geopandas.GeoSeries, optional
        A layer's geometry.
    crs : object
        The map's CRS (may be None).

    Returns
    -------
    geopandas.GeoSeries or None
        Reprojected when needed.
    """
    if geometry is not None and crs is not None and geometry.crs is not None:
        if geometry.crs != crs:
            return geometry.to_crs(crs)
    return geometry


def map_data(
    result: MapResult,
    *,
    roads: Any = None,
    units: Any = None,
    show_links: bool = True,
    uncovered_links: bool = False,
    typical: float | None = None,
) -> MapData:
    """Everything a map of ``result`` draws from: checks the arguments, builds the frames.

    Parameters
    ----------
    result : MapResult
        A solve result whose instance carries frames.
    roads, units : GeoDataFrame, GeoSeries or RoadNetwork, optional
        Background layers, reprojected to the result's CRS when both have one.
    show_links, uncovered_links : bool
        See :class:`MapData`.
    typical : float, optional
        Typical demand-marker area (default: :func:`~erlocate.maps.style.typical_area`
        of the number of demand points).

    Returns
    -------
    MapData

    Raises
    ------
    InputError
        When ``roads`` or ``units`` has a wrong type, or the instance has no frames.
    """
    road_geometry, unit_geometry = as_geometry(roads, "roads"), as_geometry(units, "units")
    frames = to_geodataframes(result)
    return MapData(
        result=result,
        frames=frames,
        roads=to_map_crs(road_geometry, frames.crs),
        units=to_map_crs(unit_geometry, frames.crs),
        show_links=show_links,
        uncovered_links=uncovered_links,
        typical_area=typical_area(len(frames.demand)) if typical is None else typical,
    )


def collect_layers(data: MapData, functions: Sequence[LayerFunction]) -> list[Layer]:
    """Run the layer functions on ``data``; the non-empty layers they return, in order.

    Parameters
    ----------
    data : MapData
        What the map shows.
    functions : sequence of LayerFunction
        Each returns a :class:`Layer` or a sequence of them (possibly empty).

    Returns
    -------
    list of Layer
        Bottom to top for the legend; empty layers are dropped (no legend entry).

    Raises
    ------
    InputError
        (field ``"layers"``) when ``functions`` is not a sequence of callables
        or one returns something other than layers.
    """
    if isinstance(functions, (str, bytes)) or not isinstance(functions, Sequence):
        raise InputError(
            f"layers: expected a sequence of layer functions, got {type(functions).__name__}",
            field="layers",
        )
    out: list[Layer] = []
    for function in functions:
        if not callable(function):
            raise InputError(
                f"layers: expected callables (MapData -> Layer or list of Layer), "
                f"got {type(function).__name__}",
                field="layers",
            )
        made = function(data)
        made = [made] if isinstance(made, Layer) else made
        if not isinstance(made, (list, tuple)) or not all(isinstance(m, Layer) for m in made):
            raise InputError(
                f"layers: {getattr(function, '__name__', function)!r} returned "
                f"{type(made).__name__}, expected a Layer or a list of Layer objects",
                field="layers",
            )
        out.extend(layer for layer in made if len(layer))
    return out
