"""Results on maps: GeoDataFrames, static (matplotlib) maps and interactive (folium) maps.

Everything here needs the geometry of the demand points and sites, i.e. an
instance built with :meth:`Instance.from_geodataframes
<erlocate.instance.Instance.from_geodataframes>` or given frames with
:meth:`Instance.with_frames <erlocate.instance.Instance.with_frames>`.

* :func:`to_geodataframes` — the plan as three GeoDataFrames (sites, demand,
  assignment links) in the CRS of the instance's frames.
* :func:`plot` — a static map on a matplotlib Axes (works headless).
* :func:`explore` — an interactive Leaflet map (needs the optional ``folium``
  dependency: ``pip install erlocate[maps]``).

The same three are available as methods of :class:`~erlocate.result.Result`.
This module imports geopandas; matplotlib and folium are imported only by
:func:`plot` and :func:`explore`.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from erlocate.errors import InputError
from erlocate.geo.network import RoadNetwork

if TYPE_CHECKING:
    import folium
    from matplotlib.axes import Axes

    from erlocate.instance import Instance
    from erlocate.result import Result

__all__ = ["ResultFrames", "explore", "plot", "to_geodataframes"]

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
UNCOVERED = "#d62728"
CLOSED = "#6f6f6f"
ROADS = "#b3b3b3"
UNITS_FACE = "#f3f3ee"
UNITS_EDGE = "#9a9a9a"


# ---------------------------------------------------------------------- tables
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


def to_geodataframes(result: Result) -> ResultFrames:
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
    demand_frame, site_frame = _frames(inst)
    crs = demand_frame.crs
    if crs is not None and site_frame.crs is not None and site_frame.crs != crs:
        site_frame = site_frame.to_crs(crs)
    n, m = inst.n_demand, inst.n_sites
    plan = result.plan
    if plan is None:
        i = j = np.zeros(0, dtype=np.int64)
        share = np.zeros(0)
        open_ = np.zeros(m, dtype=bool)
    else:
        i, j, share = plan.demand_idx, plan.site_idx, plan.share
        open_ = np.asarray(plan.open, dtype=bool)
    cost = inst.cost_of(i, j)

    # sites ------------------------------------------------------------
    site_index = inst.site_ids.rename("site_id")
    sites = _attach(
        site_frame,
        {
            "open": open_,
            "required": np.asarray(inst.required, dtype=bool),
            "load": np.bincount(j, weights=inst.demand[i] * share, minlength=m),
            "n_assigned": np.bincount(j, minlength=m),
        },
        site_index,
    )

    # demand: the main site of each point (largest share, then cheaper, then lower index)
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
    computed: dict[str, Any] = {
        "weight": np.asarray(inst.weights, dtype=float),
        "site_id": np.asarray(site_id),
        "cost": main_cost,
        "share": main_share,
        "n_sites": np.bincount(i, minlength=n),
    }
    coverage = result.coverage if result.model.covering else None
    if result.model.covering:
        if coverage is None:  # no plan: nothing is covered
            computed["covered"] = np.zeros(n, dtype=bool)
            computed["n_covering"] = np.zeros(n, dtype=np.int64)
        else:
            computed["covered"] = coverage["covered"].to_numpy(dtype=bool)
            computed["n_covering"] = coverage["n_covering"].to_numpy()
        link_covered = cost <= float(result.model.max_cost)
    else:
        computed["covered"] = assigned
        link_covered = np.ones(i.size, dtype=bool)
    demand = _attach(demand_frame, computed, inst.demand_ids.rename("demand_id"))

    # links: one vectorised LineString per allocation --------------------
    dx, dy = _points_xy(demand_frame.geometry)
    sx, sy = _points_xy(site_frame.geometry)
    coords = np.empty((i.size, 2, 2))
    coords[:, 0, 0], coords[:, 0, 1] = dx[i], dy[i]
    coords[:, 1, 0], coords[:, 1, 1] = sx[j], sy[j]
    ok = np.isfinite(coords).all(axis=(1, 2))
    geometry = np.full(i.size, None, dtype=object)
    if ok.any():
        geometry[ok] = shapely.linestrings(coords[ok])
    links = gpd.GeoDataFrame(
        {
            "demand_id": np.asarray(inst.demand_ids[i]),
            "site_id": np.asarray(inst.site_ids[j]),
            "cost": cost,
            "share": share,
            "weight": inst.weights[i] * share,
            "covered": link_covered,
        },
        geometry=gpd.GeoSeries(geometry, crs=crs),
        crs=crs,
    )
    return ResultFrames(sites=sites, demand=demand, links=links)


def _frames(inst: Instance) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
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


def _attach(frame: gpd.GeoDataFrame, computed: dict[str, Any], index: pd.Index) -> Any:
    """``computed`` columns first, then the frame's attributes and geometry, on ``index``.

    An input column named like a computed column or the index is dropped when
    it holds the same values (e.g. the id column the instance was built from)
    and kept as ``<name>_input`` otherwise.
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


def _points_xy(geometry: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """x, y of each geometry (a point on the surface of non-points; NaN where missing)."""
    pts = shapely.point_on_surface(np.asarray(geometry.values))
    return shapely.get_x(pts), shapely.get_y(pts)


def _marker_areas(weight: np.ndarray, typical: float) -> np.ndarray:
    """Marker areas ∝ weight: the 95th-percentile weight gets ``typical``.

    Capped at twice that (outliers do not swamp the map) and floored so that
    light points stay visible.
    """
    positive = weight[weight > 0]
    ref = float(np.quantile(positive, 0.95)) if positive.size else 1.0
    return np.clip(typical * weight / ref, max(6.0, 0.1 * typical), 2.0 * typical)


def _site_colours(open_: np.ndarray) -> np.ndarray:
    """One hex colour per site: the palette cycled over open sites, grey for closed."""
    colours = np.full(open_.size, CLOSED, dtype=object)
    k = np.flatnonzero(open_)
    colours[k] = np.asarray(PALETTE, dtype=object)[np.arange(k.size) % len(PALETTE)]
    return colours


def _layer(frame: Any, name: str) -> gpd.GeoDataFrame | gpd.GeoSeries | None:
    """A map layer: a GeoDataFrame / GeoSeries as given, a RoadNetwork as its open segments."""
    if frame is None or isinstance(frame, (gpd.GeoDataFrame, gpd.GeoSeries)):
        return frame
    if isinstance(frame, RoadNetwork):
        return frame.edges
    raise InputError(
        f"{name}: expected a GeoDataFrame, GeoSeries or RoadNetwork, got {type(frame).__name__}",
        field=name,
    )


def _to_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries, crs: Any) -> Any:
    if crs is not None and frame.crs is not None and frame.crs != crs:
        return frame.to_crs(crs)
    return frame


def _num(x: float) -> str:
    """Readable number: thousands separators, no exponent below 1e15."""
    if np.isfinite(x) and 1e4 <= abs(x) < 1e15:
        return f"{x:,.0f}"
    return f"{x:,.6g}"


def _default_title(result: Result, frames: ResultFrames) -> str:
    name = type(result.model).__name__
    if result.objective is None:
        head = f"{name}: no solution ({result.status})"
    else:
        head = f"{name}: objective {_num(result.objective)} ({result.status})"
    sites, links = frames.sites, frames.links
    detail = f"{int(sites['open'].sum())} of {len(sites)} sites open"
    if result.model.covering and result.coverage_share is not None:
        detail += (
            f" · {100 * result.coverage_share:.1f} % of weight covered within "
            f"{result.model.max_cost:g}"
        )
    elif len(links) and links["weight"].sum() > 0:
        mean = float(np.average(links["cost"], weights=links["weight"]))
        detail += f" · weighted mean cost {_num(mean)}"
    return f"{head}\n{detail}"


# ---------------------------------------------------------------------- static map
def plot(
    result: Result,
    *,
    ax: Axes | None = None,
    roads: gpd.GeoDataFrame | RoadNetwork | None = None,
    units: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    show_links: bool = True,
    figsize: tuple[float, float] = (8, 8),
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

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on (``ax.figure.savefig(...)`` writes it out).
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.patheffects import withStroke

    roads, units = _layer(roads, "roads"), _layer(units, "units")
    frames = to_geodataframes(result)
    sites, demand, links = frames
    crs = frames.crs
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    handles: list[Any] = []

    if units is not None:
        _to_crs(units, crs).plot(
            ax=ax, facecolor=UNITS_FACE, edgecolor=UNITS_EDGE, linewidth=0.8, zorder=0
        )
        handles.append(Patch(facecolor=UNITS_FACE, edgecolor=UNITS_EDGE, label="units"))
    if roads is not None:
        _to_crs(roads, crs).plot(ax=ax, color=ROADS, linewidth=0.6, zorder=1)
        handles.append(Line2D([], [], color=ROADS, linewidth=1.0, label="roads"))

    open_ = sites["open"].to_numpy(dtype=bool)
    required = sites["required"].to_numpy(dtype=bool)
    colours = _site_colours(open_)
    site_pos = pd.Series(np.arange(len(sites)), index=sites.index)

    # links, coloured by site, as one LineCollection
    if show_links and len(links):
        shown = links[links["covered"].to_numpy(dtype=bool) & links.geometry.notna().to_numpy()]
        if len(shown):
            segments = shapely.get_coordinates(np.asarray(shown.geometry.values)).reshape(-1, 2, 2)
            link_colours = colours[site_pos.loc[shown["site_id"]].to_numpy()]
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=list(link_colours),
                    linewidths=0.9,
                    alpha=0.6,
                    zorder=2,
                )
            )
            label = "coverage link" if result.model.covering else "assignment"
            handles.append(Line2D([], [], color="#666666", linewidth=1.0, label=label))

    # demand points: area ∝ weight, scaled down for many points
    dx, dy = _points_xy(demand.geometry)
    w = demand["weight"].to_numpy(dtype=float)
    smax = float(np.clip(4000.0 / max(w.size, 1), 18.0, 120.0))
    sizes = _marker_areas(w, smax)
    covered = demand["covered"].to_numpy(dtype=bool)
    ids = demand["site_id"].to_numpy()
    ok = covered
    if ok.any():
        demand_colours = colours[site_pos.loc[ids[ok]].to_numpy()]
        ax.scatter(
            dx[ok],
            dy[ok],
            s=sizes[ok],
            c=list(demand_colours),
            edgecolors="white",
            linewidths=0.3 if w.size > 200 else 0.6,
            alpha=0.9,
            zorder=3,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=7,
                markerfacecolor="#8a8a8a",
                markeredgecolor="white",
                label="demand (area ∝ weight)",
            )
        )
    if (~covered).any():
        ax.scatter(
            dx[~covered],
            dy[~covered],
            s=np.maximum(sizes[~covered], 16.0),
            marker="x",
            c=UNCOVERED,
            linewidths=1.3,
            zorder=6,
        )
        what = "uncovered demand" if result.model.covering else "unassigned demand"
        handles.append(
            Line2D(
                [],
                [],
                marker="x",
                linestyle="",
                markersize=7,
                markeredgewidth=1.6,
                color=UNCOVERED,
                label=what,
            )
        )

    # sites
    sx, sy = _points_xy(sites.geometry)
    closed = ~open_
    if closed.any():
        ax.scatter(
            sx[closed],
            sy[closed],
            s=45,
            marker="^",
            facecolors="none",
            edgecolors=CLOSED,
            linewidths=1.0,
            zorder=4,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="^",
                linestyle="",
                markersize=7,
                markerfacecolor="none",
                markeredgecolor=CLOSED,
                label="candidate site (not opened)",
            )
        )
    for mask, marker, size, label in (
        (open_ & ~required, "^", 190, "opened site"),
        (open_ & required, "s", 140, "existing site (kept open)"),
    ):
        if mask.any():
            ax.scatter(
                sx[mask],
                sy[mask],
                s=size,
                marker=marker,
                c=list(colours[mask]),
                edgecolors="black",
                linewidths=1.2,
                zorder=7,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=marker,
                    linestyle="",
                    markersize=10 if marker == "^" else 8,
                    markerfacecolor="#8a8a8a",
                    markeredgecolor="black",
                    label=label,
                )
            )
    if 0 < open_.sum() <= 40:
        halo = [withStroke(linewidth=3, foreground="white")]
        for k in np.flatnonzero(open_):
            ax.annotate(
                str(sites.index[k]),
                (sx[k], sy[k]),
                xytext=(8, 8),
                textcoords="offset points",
                fontsize=9,
                fontweight="bold",
                path_effects=halo,
                zorder=8,
            )

    # frame
    if crs is not None and crs.is_geographic:
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
    ax.set_title(_default_title(result, frames) if title is None else title, fontsize=11)
    if handles:
        ax.legend(handles=handles, loc="best", fontsize=8, framealpha=0.9)
    return ax


# ---------------------------------------------------------------------- interactive map
def explore(
    result: Result,
    path: Any = None,
    *,
    roads: gpd.GeoDataFrame | RoadNetwork | None = None,
    units: gpd.GeoDataFrame | None = None,
    tiles: str = "OpenStreetMap",
) -> folium.Map:
    """An interactive Leaflet map of the plan of ``result`` (needs folium).

    The frames are reprojected to EPSG:4326. Layers (toggled in a layer
    control): ``units`` and ``roads`` when given, assignment links (tooltip:
    demand, site, cost, share), demand points as circles sized by weight and
    coloured by site (popup: id, weight, assigned site, cost, covered, and
    the point's own attributes),
    uncovered or unassigned demand in red, candidate sites not opened (small
    grey circles with a popup of their attributes), and open sites as markers
    whose popup lists the id, the site's attributes, its load and the number
    of demand points assigned.

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

    Returns
    -------
    folium.Map
        The map (also saved to ``path`` when given); displays in a notebook.

    Raises
    ------
    ImportError
        When folium is not installed.
    InputError
        When the instance has no frames, or they have no CRS.
    """
    try:
        import folium
    except ImportError as exc:  # pragma: no cover - folium is a test dependency
        raise ImportError(
            "erlocate.maps.explore needs folium; install it with: pip install erlocate[maps]"
        ) from exc

    roads, units = _layer(roads, "roads"), _layer(units, "units")
    frames = to_geodataframes(result)
    if frames.crs is None:
        raise InputError(
            "instance: the demand and site frames have no CRS, so they cannot be put on a web "
            "map; set it with frame.set_crs(...) before attaching them",
            field="instance",
        )
    sites = frames.sites.to_crs(4326)
    demand = frames.demand.to_crs(4326)
    links = frames.links.to_crs(4326)
    sx, sy = _points_xy(sites.geometry)
    dx, dy = _points_xy(demand.geometry)
    xs, ys = np.concatenate([sx, dx]), np.concatenate([sy, dy])
    south, north = float(np.nanmin(ys)), float(np.nanmax(ys))
    west, east = float(np.nanmin(xs)), float(np.nanmax(xs))
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2], tiles=tiles, control_scale=True
    )
    fmap.fit_bounds([[south, west], [north, east]])

    for frame, name, style in (
        (
            units,
            "units",
            {"color": UNITS_EDGE, "weight": 1, "fillColor": UNITS_FACE, "fillOpacity": 0.3},
        ),
        (roads, "roads", {"color": ROADS, "weight": 1.5, "opacity": 0.8}),
    ):
        if frame is not None:
            if frame.crs is None:
                raise InputError(f"{name}: has no CRS; set it with .set_crs(...)", field=name)
            layer = gpd.GeoDataFrame(geometry=frame.geometry.to_crs(4326).values, crs=4326)
            folium.GeoJson(
                layer.to_json(), name=name, style_function=_constant_style(style)
            ).add_to(fmap)

    open_ = sites["open"].to_numpy(dtype=bool)
    colours = _site_colours(open_)
    colour_of = dict(zip(sites.index, colours, strict=True))

    # links
    if len(links):
        shown = links[links.geometry.notna().to_numpy()]
        table = _display(
            shown, ["demand_id", "site_id", "cost", "share", "covered"], geometry=shown.geometry
        )
        table["_colour"] = [colour_of[s] for s in shown["site_id"]]
        table["_dash"] = np.where(shown["covered"].to_numpy(dtype=bool), "", "4 4")
        folium.GeoJson(
            table.to_json(),
            name="assignment links",
            style_function=lambda f: {
                "color": f["properties"]["_colour"],
                "weight": 1.5,
                "opacity": 0.7,
                "dashArray": f["properties"]["_dash"] or None,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["demand_id", "site_id", "cost", "share"],
                aliases=["demand", "site", "cost", "share"],
            ),
        ).add_to(fmap)

    # demand points
    radius = np.sqrt(_marker_areas(demand["weight"].to_numpy(dtype=float), 100.0))
    covered = demand["covered"].to_numpy(dtype=bool)
    point_geom = gpd.GeoSeries(shapely.points(dx, dy), crs=4326)
    computed = ["weight", "site_id", "cost", "share", "n_sites", "covered", "n_covering"]
    own = [c for c in demand.columns if c not in computed and c != demand.geometry.name]
    popup_fields = ["demand_id", "weight", "site_id", "cost", "covered"]
    popup_aliases = ["demand", "weight", "assigned site", "cost", "covered"]
    if (demand["n_sites"] > 1).any():
        popup_fields += ["share", "n_sites"]
        popup_aliases += ["share of that site", "sites serving it"]
    if "n_covering" in demand.columns:
        popup_fields.append("n_covering")
        popup_aliases.append("open sites within the standard")
    popup_fields += own
    popup_aliases += own
    demand_table = _display(demand.reset_index(), popup_fields, geometry=point_geom.values)
    site_ids = demand["site_id"].to_numpy()
    demand_table["_colour"] = [
        colour_of[s] if ok else UNCOVERED for s, ok in zip(site_ids, covered, strict=True)
    ]
    demand_table["_radius"] = radius
    uncovered_name = "uncovered demand" if result.model.covering else "unassigned demand"
    for mask, name in ((covered, "demand"), (~covered, uncovered_name)):
        if mask.any():
            folium.GeoJson(
                demand_table[mask].to_json(),
                name=name,
                marker=folium.CircleMarker(radius=5, fill=True),
                style_function=lambda f: {
                    "radius": f["properties"]["_radius"],
                    "color": f["properties"]["_colour"],
                    "weight": 1,
                    "fill": True,
                    "fillColor": f["properties"]["_colour"],
                    "fillOpacity": 0.7,
                },
                popup=folium.GeoJsonPopup(fields=popup_fields, aliases=popup_aliases),
            ).add_to(fmap)

    # candidate sites not opened
    attributes = [c for c in sites.columns if c != sites.geometry.name]
    if (~open_).any():
        closed = sites[~open_].reset_index()
        table = _display(
            closed,
            ["site_id", *attributes],
            geometry=gpd.GeoSeries(shapely.points(sx[~open_], sy[~open_]), crs=4326).values,
        )
        folium.GeoJson(
            table.to_json(),
            name="candidate sites (not opened)",
            marker=folium.CircleMarker(radius=4, fill=True),
            style_function=_constant_style(
                {
                    "color": CLOSED,
                    "weight": 1.5,
                    "fill": True,
                    "fillColor": "#ffffff",
                    "fillOpacity": 0.9,
                }
            ),
            popup=folium.GeoJsonPopup(fields=["site_id", *attributes]),
        ).add_to(fmap)

    # open sites: one marker each, with an HTML popup of their attributes
    group = folium.FeatureGroup(name="open sites")
    first = ["load", "n_assigned", "required"]
    rest = [c for c in attributes if c not in (*first, "open")]
    for k in np.flatnonzero(open_):
        row = sites.iloc[k]
        cells = "".join(
            f"<tr><th style='text-align:left;padding-right:8px'>{html.escape(str(c))}</th>"
            f"<td>{html.escape(_fmt(row[c]))}</td></tr>"
            for c in (*first, *rest)
        )
        body = (
            f"<b>site {html.escape(str(sites.index[k]))}</b>"
            f"<table style='font-size:12px'>{cells}</table>"
        )
        existing = bool(row["required"])
        folium.Marker(
            location=[float(sy[k]), float(sx[k])],
            popup=folium.Popup(body, max_width=320),
            tooltip=f"site {sites.index[k]}" + (" (existing)" if existing else ""),
            icon=_site_icon(folium, str(colours[k]), existing),
        ).add_to(group)
    group.add_to(fmap)

    folium.LayerControl(collapsed=False).add_to(fmap)
    if path is not None:
        fmap.save(str(path))
    return fmap


def _site_icon(folium: Any, colour: str, existing: bool) -> Any:
    """A triangle (opened) or square (existing) in the site's colour, as on the static map."""
    shape = (
        f"<rect x='3' y='3' width='18' height='18' fill='{colour}' stroke='black' "
        "stroke-width='1.5'/>"
        if existing
        else f"<polygon points='12,1 23,22 1,22' fill='{colour}' stroke='black' "
        "stroke-width='1.5'/>"
    )
    return folium.DivIcon(
        html=f"<svg width='24' height='24' viewBox='0 0 24 24'>{shape}</svg>",
        icon_size=(24, 24),
        icon_anchor=(12, 12),
        class_name="erlocate-site",
    )


def _constant_style(style: dict[str, Any]) -> Any:
    def style_function(feature: dict[str, Any]) -> dict[str, Any]:
        return style

    return style_function


def _fmt(value: Any) -> str:
    """A short display string for popups (6 significant digits for floats)."""
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


def _display(frame: pd.DataFrame, columns: list[str], *, geometry: Any) -> gpd.GeoDataFrame:
    """The ``columns`` of ``frame`` as display strings, on ``geometry`` (for GeoJSON popups)."""
    data = {c: [_fmt(v) for v in frame[c].to_numpy()] for c in columns}
    return gpd.GeoDataFrame(data, geometry=np.asarray(geometry), crs=4326)
