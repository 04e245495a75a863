r"""The embedded district's derived inputs: travel networks, areas, affected people, team zones.

The planning cases in :mod:`erlocate.district.cases` build their instances
from these; each is also useful alone (e.g. ``road_network(scenario="flood")``
for a disrupted network). Figures marked ILLUSTRATIVE are ours, not the data's
(``docs/district-plan.md``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from erlocate.datasets import District, load_district
from erlocate.errors import InputError
from erlocate.geo import RoadNetwork
from erlocate.instance import Instance

__all__ = [
    "AFFECTED_SHARES",
    "EARTHQUAKE_SHARE",
    "FLOOD_SLOWDOWN",
    "SCENARIOS",
    "SHELTER_SHARE",
    "WALK_KMH",
    "affected_people",
    "as_district",
    "community_areas",
    "district_instance",
    "flood_zones",
    "road_network",
    "squad_shortfall",
    "team_table",
    "team_zones",
]

#: Walking speed of evacuees, km/h (the geo layer's access speed; GB 50413-2007's
#: "500 m in about 10 minutes" is 3 km/h, so 5 km/h is on the fast side).
WALK_KMH = 5.0
#: Share of residents who go to a shelter (provincial practice 20–30 %; BRIEF.md item 5).
SHELTER_SHARE = 0.3
#: ILLUSTRATIVE: share of everyone relocated in the earthquake scenario (the shelter share).
EARTHQUAKE_SHARE = 0.3
#: ILLUSTRATIVE: share of a community's population affected in each hazard scenario, by
#: the level of its hazard flag in ``District.communities`` (0–3; ``geo_exposed`` is a bool).
AFFECTED_SHARES: dict[str, tuple[str, dict[int, float]]] = {
    "flood": ("flood_risk", {1: 0.05, 2: 0.2, 3: 0.5}),
    "geological": ("geo_exposed", {1: 0.5}),
    "hazmat": ("chem_risk", {1: 0.05, 2: 0.2, 3: 0.5}),
    "forest_fire": ("forest_risk", {1: 0.05, 2: 0.2, 3: 0.5}),
}
SCENARIOS = ("flood", "earthquake", "geological", "hazmat", "forest_fire")
#: Minimum members of a village/community team (BRIEF.md item 1, the provincial rule).
SQUAD_MINIMA = {"village": 10.0, "community": 10.0}
#: Our reading of a community's hazard flags for the team model: hazard -> (flag, level).
TEAM_HAZARDS = {
    "flood": ("flood_risk", 2),
    "geological": ("geo_exposed", 1),
    "hazmat": ("chem_risk", 2),
    "forest_fire": ("forest_risk", 2),
}
FLOOD_SLOWDOWN = 3.0


# ---------------------------------------------------------------------- derived inputs
def as_district(district: District | None) -> District:
    """``district``, or the embedded one (:func:`~erlocate.datasets.load_district`) for None."""
    return load_district() if district is None else district


def road_network(
    district: District | None = None,
    scenario: str | None = None,
    *,
    walking_kmh: float | None = None,
) -> RoadNetwork:
    """The roads as a :class:`~erlocate.geo.RoadNetwork` for driving or walking.

    Driving (default): each road's ``speed_kmh`` and its one-way rule. Walking
    (``walking_kmh``, e.g. 5): every road at that speed in both directions.
    ``scenario="flood"`` closes every road touching a flood zone.
    """
    if scenario not in (None, "flood"):
        raise InputError(
            f"scenario: None (normal roads) or 'flood' (flooded roads closed), got {scenario!r}",
            field="scenario",
        )
    d = as_district(district)
    if walking_kmh is None:
        net = RoadNetwork.from_geodataframe(
            d.roads, speed_column="speed_kmh", oneway_column="oneway"
        )
    else:
        net = RoadNetwork.from_geodataframe(d.roads, speed_kmh=walking_kmh)
    return net if scenario is None else net.disrupt(flood_zones(d))


def flood_zones(d: District) -> gpd.GeoDataFrame:
    """The district's flood-zone polygons."""
    return d.hazards[d.hazards["kind"] == "flood_zone"]


def district_instance(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    network: RoadNetwork,
    *,
    weight: str = "population",
    required: str | None = "existing",
    direction: str = "from_sites",
    max_cost: float | None = None,
    name: str = "",
) -> Instance:
    """Network travel minutes as an instance with the frames attached.

    A point the (flood-disrupted) network cuts off from every site keeps an
    empty row (``allow_unreachable``): the models then name it (an unavoidable
    blank spot, or an ``InfeasibleError`` listing it).
    """
    return Instance.from_geodataframes(
        demand,
        sites,
        weight=weight,
        required=required,
        network=network,
        direction=direction,
        max_cost=max_cost,
        allow_unreachable=True,
        name=name,
    )


def community_cells(district: District | None = None) -> gpd.GeoSeries:
    """Each community's Voronoi cell within its own unit (polygons, indexed like the communities).

    The cells of each unit's communities (``shapely.voronoi_polygons``), clipped to
    the unit polygon, partition the unit. One Voronoi diagram per unit (six), each
    vectorised.
    """
    d = as_district(district)
    c = d.communities
    out = np.empty(len(c), dtype=object)
    pos = pd.Series(np.arange(len(c)), index=c.index)
    for unit, poly in d.units.geometry.items():  # six units
        pts = c.geometry[c["unit_id"] == unit]
        if len(pts) == 1:
            out[pos[pts.index]] = poly
            continue
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(pts.to_numpy()), extend_to=poly)
        )
        p, k = shapely.STRtree(cells).query(pts.to_numpy(), predicate="within")
        out[pos[pts.index].to_numpy()[p]] = shapely.intersection(cells[k], poly)
    return gpd.GeoSeries(out, index=c.index, crs=d.crs, name="cell")


def community_areas(district: District | None = None) -> pd.Series:
    """Area of each community in km²: its Voronoi cell within its own unit.

    The cells (:func:`community_cells`) partition the units, so the areas sum to
    the units' 64.7 km². Points at the same place share their cell equally.
    """
    d = as_district(district)
    xy = pd.DataFrame(shapely.get_coordinates(d.communities.geometry.to_numpy()))
    same = xy.groupby([0, 1])[0].transform("size").to_numpy()
    return (community_cells(d).area / 1e6 / same).rename("area_km2")


def affected_people(district: District | None = None) -> pd.DataFrame:
    """People affected per community (rows) and hazard scenario (columns); illustrative shares.

    ``flood``, ``geological``, ``hazmat``, ``forest_fire``: :data:`AFFECTED_SHARES`
    of the population by the level of the community's hazard flag;
    ``earthquake``: :data:`EARTHQUAKE_SHARE` of everyone.
    """
    c = as_district(district).communities
    pop = c["population"].astype(float)
    cols = {
        name: pop * c[flag].astype(int).map(shares).fillna(0.0)
        for name, (flag, shares) in AFFECTED_SHARES.items()
    }
    cols["earthquake"] = pop * EARTHQUAKE_SHARE
    return pd.DataFrame(cols, index=c.index)[list(SCENARIOS)]


def team_zones(district: District | None = None) -> gpd.GeoDataFrame:
    """The zones of the team model: the district, its 6 units and its 114 communities.

    Columns ``name``, ``level`` (district / town / sub_district / village /
    community), ``hazards`` (comma-separated, :data:`TEAM_HAZARDS`: flood if
    ``flood_risk`` ≥ 2, geological if ``geo_exposed``, hazmat if ``chem_risk`` ≥ 2,
    forest fire if ``forest_risk`` ≥ 2), ``key`` (faces a hazard), ``risk``
    (the community's ``risk`` weight; 1 for the district and units) and
    ``population``. Points: the district at its existing fire-rescue station (the
    brigade's base), a unit at its community nearest the unit's population-weighted
    centre, a community at its own point. The data hold no office locations, so
    these points are our assumption.
    """
    d = as_district(district)
    c, u = d.communities, d.units
    flags = pd.DataFrame({h: c[col].astype(int) >= lo for h, (col, lo) in TEAM_HAZARDS.items()})
    hazards = flags.dot(flags.columns + ",").str.rstrip(",")
    xy = shapely.get_coordinates(c.geometry.to_numpy())
    w = c["population"].to_numpy(float)
    centre = pd.DataFrame(xy * w[:, None], index=c.index).groupby(c["unit_id"]).sum()
    centre = centre.div(c.groupby("unit_id")["population"].sum(), axis=0).reindex(u.index)
    gap = np.hypot(*(xy[:, None, :] - centre.to_numpy()[None, :, :]).transpose(2, 0, 1))
    gap[c["unit_id"].to_numpy()[:, None] != u.index.to_numpy()[None, :]] = np.inf
    hq = d.fire_stations.geometry[d.fire_stations["existing"]].iloc[0]
    ids = pd.Index(["district", *u.index, *c.index], name="zone_id")
    return gpd.GeoDataFrame(
        {
            "name": ["Shangjie district", *u["name"], *c["name"]],
            "level": ["district", *u["kind"], *c["admin_level"]],
            "hazards": ["", *[""] * len(u), *hazards],
            "key": [False, *[False] * len(u), *(hazards != "")],
            "risk": [1.0, *[1.0] * len(u), *c["risk"].astype(float)],
            "population": [int(c["population"].sum()), *u["population"], *c["population"]],
        },
        geometry=[hq, *c.geometry.to_numpy()[gap.argmin(axis=0)], *c.geometry],
        index=ids,
        crs=d.crs,
    )


def team_table(d: District, zones: gpd.GeoDataFrame, recruit: bool, minima: dict) -> pd.DataFrame:
    """The dataset's teams as the model's table: type, size, home zone, rebasable."""
    tm = d.teams
    home = tm["unit_id"].astype(object).copy()
    pts = zones.geometry[zones["level"].isin(["district", "village", "community"])]
    near, dist = pts.sindex.nearest(tm.geometry, return_distance=True, return_all=False)
    at = dist <= 1.0  # a team based on a community point or at the district HQ
    home.iloc[near[0][at]] = pts.index[near[1][at]]
    size = tm["size"].astype(float)
    if recruit:
        level = zones["level"].reindex(home).to_numpy()
        need = pd.Series(level).map({**SQUAD_MINIMA, **minima}).fillna(0).to_numpy()
        squad = (tm["type"] == "community").to_numpy()
        size = size.where(~squad, np.maximum(size, need))
    return pd.DataFrame(
        {"type": tm["type"], "size": size, "home": home, "rebasable": tm["rebasable"]},
        index=tm.index,
    )


def squad_shortfall(district: District | None = None, minimum: float = 10) -> pd.DataFrame:
    """Village/community squads below ``minimum`` members, with the recruits they need."""
    tm = as_district(district).teams
    short = tm[(tm["type"] == "community") & (tm["size"] < minimum)]
    return pd.DataFrame(
        {"name": short["name"], "size": short["size"], "recruits": minimum - short["size"]}
    )
