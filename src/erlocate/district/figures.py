"""The district report's maps: one per planning model (matplotlib, headless).

Every map is drawn by :func:`erlocate.maps.plot` from the shared layers of
:mod:`erlocate.maps.layers`; the district adds its own through ``layers=``:

* the depot map adds the hazards (:func:`hazard_layers`) to the plan's layers;
* the team map draws the background (units and roads) with the zones
  (:func:`zone_layers`) and the teams (:func:`team_layers`, :func:`rebased_layer`)
  in place of the plan's demand points and sites.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from erlocate.district.report import DistrictPlan
from erlocate.maps.base import Layer, MapData, to_map_crs
from erlocate.maps.frames import point_series, points_xy
from erlocate.maps.style import LEGEND_GREY

__all__ = [
    "LOCAL_LEVELS",
    "TEAM_COLOURS",
    "TEAM_OFFSET",
    "hazard_layers",
    "legend_at",
    "map_title",
    "rebased_layer",
    "section_map",
    "team_kinds",
    "team_layers",
    "team_map",
    "team_points",
    "zone_layers",
]

TEAM_COLOURS = {
    "fire": "#d62728",
    "forest_fire": "#2ca02c",
    "flood": "#1f77b4",
    "patrol": "#17becf",
    "militia": "#8c564b",
    "hazmat": "#9467bd",
    "volunteer": "#ff7f0e",
}
#: Zone levels that staff their own squad (grey dots on the team map).
LOCAL_LEVELS = ("village", "community")
#: Metres between a zone's point and the marker of each team type stationed there.
TEAM_OFFSET = 180.0
KEY_ZONE = "#e377c2"
FLOOD_ZONE = "#9ecae1"
FAULT_LINE = "#8c510a"


def section_map(plan: DistrictPlan, name: str, path: Path) -> None:
    """Write the map of one report section (``"fire_stations"``, ..., ``"teams"``) as a PNG.

    Parameters
    ----------
    plan : DistrictPlan
        The solved district plan.
    name : str
        The section, a key of ``plan.results``.
    path : pathlib.Path
        Where to write the PNG.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from erlocate.maps import plot
    from erlocate.maps.layers import PLAN_LAYERS

    d = plan.district
    fig, ax = plt.subplots(figsize=(9, 9))
    if name == "teams":
        team_map(plan, ax)
    else:
        extra = (partial(hazard_layers, d.hazards),) if name == "depots" else ()
        plot(
            plan.results[name],
            ax=ax,
            roads=d.roads,
            units=d.units,
            title=map_title(plan, name),
            show_links=name != "depots",
            layers=(*PLAN_LAYERS, *extra),
        )
        if name == "depots":
            legend_at(ax, "lower left")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def team_map(plan: DistrictPlan, ax: Any) -> None:
    """Teams at their stations (one marker per zone and type, area ∝ people), moves as arrows.

    Parameters
    ----------
    plan : DistrictPlan
        The solved district plan (its ``teams`` result and district).
    ax : matplotlib.axes.Axes
        Where to draw.
    """
    from erlocate.maps import plot
    from erlocate.maps.layers import BACKGROUND_LAYERS

    d, r = plan.district, plan.teams
    workload = r.report()["workload"]
    plot(
        r,
        ax=ax,
        roads=d.roads,
        units=d.units,
        title=map_title(plan, "teams"),
        layers=(
            *BACKGROUND_LAYERS,
            partial(team_layers, workload),
            zone_layers,
            partial(rebased_layer, workload),
        ),
    )
    legend_at(ax, "lower left", without=("units", "roads"))  # zones and teams only


def legend_at(ax: Any, loc: str, without: tuple[str, ...] = ()) -> None:
    """Move the legend of ``ax`` (if any) to ``loc``, e.g. ``"lower left"``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes with a legend.
    loc : str
        A matplotlib legend location.
    without : tuple of str
        Labels of entries to leave out.
    """
    legend = ax.get_legend()
    if legend is not None:
        handles = [h for h in legend.legend_handles if h.get_label() not in without]
        ax.legend(handles=handles, loc=loc, fontsize=8, framealpha=0.9)


def hazard_layers(hazards: gpd.GeoDataFrame, data: MapData) -> list[Layer]:
    """Flood zones (no depot inside) and fault lines (no depot within 500 m).

    Parameters
    ----------
    hazards : geopandas.GeoDataFrame
        The district's hazards, with a ``kind`` column.
    data : MapData
        The map (gives its CRS).

    Returns
    -------
    list of Layer
        An areas layer of the ``flood_zone`` rows and a lines layer of the ``fault`` rows.
    """
    kind = hazards["kind"]
    flood = to_map_crs(hazards.geometry[kind == "flood_zone"], data.frames.crs)
    fault = to_map_crs(hazards.geometry[kind == "fault"], data.frames.crs)
    return [
        Layer(
            name="flood zones",
            kind="areas",
            geometry=flood,
            colour=FLOOD_ZONE,
            edge=FLOOD_ZONE,
            alpha=0.6,
            legend="flood zone (no depot)",
            zorder=0.5,
        ),
        Layer(
            name="fault lines",
            kind="lines",
            geometry=fault,
            colour=FAULT_LINE,
            width=1.5,
            legend="fault line (no depot within 500 m)",
            zorder=0.6,
        ),
    ]


def zone_layers(data: MapData) -> list[Layer]:
    """The team zones: villages and communities as grey dots, key zones ringed, the others named.

    Parameters
    ----------
    data : MapData
        The team map; its demand frame has the zones' ``level``, ``key`` and ``name``.

    Returns
    -------
    list of Layer
        Dots, rings and names.
    """
    zones = data.frames.demand
    level = zones["level"].to_numpy()
    local = np.isin(level, LOCAL_LEVELS)
    key = local & zones["key"].to_numpy(dtype=bool)
    x, y = points_xy(zones.geometry)
    crs = data.frames.crs
    names = np.where(level == "district", "district HQ", zones["name"].astype(str).to_numpy())
    return [
        Layer(
            name="villages and communities",
            kind="points",
            geometry=point_series(x[local], y[local], crs),
            colour=LEGEND_GREY,
            size=6.0,
            legend="village/community (its own squad)",
            legend_size=4.0,
            zorder=2,
        ),
        Layer(
            name="key zones",
            kind="points",
            geometry=point_series(x[key], y[key], crs),
            edge=KEY_ZONE,
            hollow=True,
            size=45.0,
            width=0.9,
            legend="key zone (faces a hazard)",
            legend_size=8.0,
            zorder=2,
        ),
        Layer(
            name="zone names",
            kind="text",
            geometry=point_series(x[~local], y[~local], crs),
            text=list(names[~local]),
            offset=np.where((level[~local] == "district")[:, None], (0.0, 12.0), (0.0, -16.0)),
            size=8.0,
            align="center",
            zorder=6,
        ),
    ]


def team_layers(workload: pd.DataFrame, data: MapData) -> list[Layer]:
    """Professional teams at their stations: one marker layer per team type, area ∝ people.

    Parameters
    ----------
    workload : pandas.DataFrame
        The team result's ``report()["workload"]`` (``type``, ``size``,
        ``home``, ``station``, ``rebased`` per team).
    data : MapData
        The team map; its demand frame holds the zones, indexed by zone id.

    Returns
    -------
    list of Layer
        Per team type (in :data:`TEAM_COLOURS` order), markers of area
        25 + 1.2 × people at each station, placed by :func:`team_points`.
    """
    pro = workload[workload["type"] != "community"]
    kinds = team_kinds(pro)
    people = pro.groupby(["station", "type"]).agg(people=("size", "sum")).reset_index()
    out = []
    for kind in kinds:
        here = people[people["type"] == kind]
        xy = team_points(data.frames.demand, here["station"], here["type"], kinds)
        out.append(
            Layer(
                name=f"{kind} teams",
                kind="points",
                geometry=point_series(xy[:, 0], xy[:, 1], data.frames.crs),
                colour=TEAM_COLOURS.get(kind, "#000000"),
                edge="black",
                size=25 + 1.2 * here["people"].to_numpy(dtype=float),
                width=0.6,
                legend=f"{kind.replace('_', ' ')} team(s), area ∝ people",
                legend_size=8.0,
                zorder=4,
            )
        )
    return out


def rebased_layer(workload: pd.DataFrame, data: MapData) -> list[Layer]:
    """Re-based teams as arrows from their home to their station, in the team's colour.

    Parameters
    ----------
    workload : pandas.DataFrame
        The team result's ``report()["workload"]``.
    data : MapData
        The team map.

    Returns
    -------
    list of Layer
        One arrows layer between the teams' markers (:func:`team_points`), or none.
    """
    pro = workload[workload["type"] != "community"]
    moved = pro[pro["rebased"].to_numpy(dtype=bool)]
    if moved.empty:
        return []
    kinds, zones = team_kinds(pro), data.frames.demand
    tails = team_points(zones, moved["home"], moved["type"], kinds)
    heads = team_points(zones, moved["station"], moved["type"], kinds)
    lines = shapely.linestrings(np.stack([tails, heads], axis=1))
    return [
        Layer(
            name="re-based teams",
            kind="arrows",
            geometry=gpd.GeoSeries(lines, crs=data.frames.crs),
            colour=[TEAM_COLOURS.get(k, "#000000") for k in moved["type"]],
            width=1.8,
            legend="re-based: home → station",
            legend_colour="black",
            zorder=5,
        )
    ]


def team_kinds(teams: pd.DataFrame) -> list[str]:
    """The team types present: those of :data:`TEAM_COLOURS` in its order, then others sorted.

    Parameters
    ----------
    teams : pandas.DataFrame
        Teams with a ``type`` column.

    Returns
    -------
    list of str
    """
    present = set(teams["type"])
    return [k for k in TEAM_COLOURS if k in present] + sorted(present - set(TEAM_COLOURS))


def team_points(zones: gpd.GeoDataFrame, zone_ids: Any, types: Any, kinds: list[str]) -> np.ndarray:
    """Where a team type's marker goes: :data:`TEAM_OFFSET` metres off its zone's point.

    Parameters
    ----------
    zones : geopandas.GeoDataFrame
        The zones, indexed by zone id.
    zone_ids, types : array-like
        One zone id and team type per marker.
    kinds : list of str
        All team types on the map; type ``k`` of ``n`` is placed at angle ``2πk/n``.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` marker coordinates.
    """
    turn = {k: 2 * np.pi * i / max(len(kinds), 1) for i, k in enumerate(kinds)}
    x, y = points_xy(zones.geometry)
    pos = zones.index.get_indexer(pd.Index(zone_ids))
    angle = np.asarray(pd.Series(list(types)).map(turn).fillna(0.0), dtype=float)
    offset = TEAM_OFFSET * np.column_stack([np.cos(angle), np.sin(angle)])
    return np.column_stack([x[pos], y[pos]]) + offset


def map_title(plan: DistrictPlan, name: str) -> str:
    """The title of a section's map, with the section's key figures.

    Parameters
    ----------
    plan : DistrictPlan
        The solved district plan.
    name : str
        The section.

    Returns
    -------
    str
    """
    f = plan.figures["value"]
    return {
        "fire_stations": f"Fire stations: {f['fire.new']} new, {f['fire.share_after']} within "
        f"5 min (was {f['fire.share_before']})",
        "shelters": f"Shelters: new {f['shelters.new']}; {f['shelters.gross_before']:.2f} → "
        f"{f['shelters.gross_after']:.2f} m² per person (gross)",
        "depots": f"Depots: {f['depots.open']} open; communities coloured by their main depot",
        "teams": f"Teams: {f['teams.zones_met']} zones staffed; {f['teams.rebased']} teams "
        "re-based",
    }[name]
