"""Connected parts of a road network, vertex merging, and why points are unreachable."""

import itertools

import geopandas as gpd
import matplotlib
import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString, Point

import erlocate
from erlocate.errors import InputError
from erlocate.geo import RoadNetwork
from erlocate.geo.roads import merge_vertices

matplotlib.use("Agg")
UTM = "EPSG:32649"

# A two-way square P-Q-R-S (60 km/h, 1 min per side); a one-way spur R -> T out of it;
# an island U-V (two-way) far from everything; and a one-way spur W -> P into the square.
#
#   S(0,1000) ---- R(1000,1000) --one-way--> T(2000,1000)
#     |              |
#   P(0,0) ------- Q(1000,0)       W(-1000,0) --one-way--> P        U(5000,0) -- V(6000,0)
P, Q, R, S, T = (0, 0), (1000, 0), (1000, 1000), (0, 1000), (2000, 1000)
W, U, V = (-1000, 0), (5000, 0), (6000, 0)


def roads():
    lines = [[P, Q], [Q, R], [R, S], [S, P], [R, T], [U, V], [W, P]]
    return gpd.GeoDataFrame(
        {"oneway": ["no", "no", "no", "no", "yes", "no", "yes"]},
        geometry=[LineString(c) for c in lines],
        index=[f"r{k}" for k in range(len(lines))],
        crs=UTM,
    )


def net():
    return RoadNetwork.from_geodataframe(roads(), speed_kmh=60.0, oneway_column="oneway")


def test_components_sizes_weak_parts_and_order():
    parts = net().components()
    # strong parts: the square (4 nodes), U-V (2), then T and W alone (ties by first node)
    assert parts["nodes"].tolist() == [4, 2, 1, 1]
    assert parts["segments"].tolist() == [4, 1, 0, 0]
    assert parts["length_km"].tolist() == pytest.approx([4.0, 1.0, 0.0, 0.0])
    # weak parts: the square with both spurs (6 nodes) = 0, the island = 1
    assert parts["weak_part"].tolist() == [0, 1, 0, 0]


def test_components_agree_with_networkx_on_random_graphs():
    rng = np.random.default_rng(3)
    for _ in range(5):
        n = 40
        g = nx.gnp_random_graph(n, 0.05, seed=int(rng.integers(1e6)), directed=True)
        pos = rng.uniform(0, 5000, (n, 2))
        for v in g.nodes:
            g.nodes[v].update(x=pos[v, 0], y=pos[v, 1])
        g.remove_nodes_from([v for v in list(g.nodes) if g.degree(v) == 0])
        for a, b in g.edges:
            g[a][b]["travel_time"] = 60.0
        rn = RoadNetwork.from_networkx(g, crs=UTM)
        sizes = sorted((len(c) for c in nx.strongly_connected_components(g)), reverse=True)
        assert rn.components()["nodes"].tolist() == sizes
        weak = sorted((len(c) for c in nx.weakly_connected_components(g)), reverse=True)
        table = rn.components()
        assert sorted(table.groupby("weak_part")["nodes"].sum(), reverse=True) == weak
        big = rn.largest_part()
        assert big.n_nodes == sizes[0] and len(big.components()) == 1


def test_largest_part_drops_everything_outside_and_keeps_labels():
    full = net()
    big = full.largest_part()
    assert big.n_nodes == 4 and len(big.segments.u) == 4
    assert set(big.edges["road"]) == {"r0", "r1", "r2", "r3"}
    assert list(big.node_ids) == [0, 1, 2, 3]  # P, Q, R, S: their labels in the full network
    # a point near T snaps onto the spur in the full network, onto the square in the part
    pt = gpd.GeoDataFrame(geometry=[Point(1900, 1010)], index=["t"], crs=UTM)
    assert full.snap(pt).loc["t", ["part", "distance_m"]].tolist() == [2, 10.0]
    on_big = big.snap(pt, tolerance=2000)
    assert on_big.loc["t", "part"] == 0 and on_big.loc["t", "distance_m"] > 900


def test_snap_reports_the_part_and_its_size():
    pts = gpd.GeoDataFrame(
        geometry=[Point(500, 5), Point(5500, 5), Point(1500, 1005), Point(-500, 5)],
        index=["sq", "island", "spur-out", "spur-in"],
        crs=UTM,
    )
    s = net().snap(pts)
    # a point on a one-way link between two parts is strongly connected with neither:
    # it is reported in the smaller (T's part 2, W's part 3)
    assert s["part"].tolist() == [0, 1, 2, 3]
    assert s["part_nodes"].tolist() == [4, 2, 1, 1]


def test_unreachable_points_say_which_part_they_snapped_into():
    demand = gpd.GeoDataFrame(
        geometry=[Point(500, 5), Point(5500, 5), Point(1500, 1005), Point(-500, 5)],
        index=["sq", "island", "spur-out", "spur-in"],
        crs=UTM,
    )
    sites = gpd.GeoDataFrame(geometry=[Point(0, 0)], index=["P"], crs=UTM)
    with pytest.raises(InputError) as info:
        erlocate.Instance.from_geodataframes(demand, sites, network=net(), max_cost=1.0)
    msg = str(info.value)
    assert info.value.field == "demand"
    # the island is cut off whatever the cut-off; spur-in is one-way into the square, so no
    # crew drives out to it; spur-out is reached from P in 0.5 + 2 min (beyond 1 min)
    assert "2 snapped into a part of the network cut off from every site" in msg
    assert "'island' into a part of 2 nodes" in msg
    assert "'spur-in' into a part of 1 node" in msg and "within max_cost=1 min:" in msg
    # P -> Q -> R 2 min, half the spur 0.5 min, the 5 m walk 0.06 min
    assert "1 reach a site only beyond max_cost=1 min, best time 'spur-out' (2.56 min)" in msg
    assert "network.largest_part()" in msg and "raise max_cost" in msg


def test_vertex_merging_finds_pairs_across_grid_lines():
    # 0.6 m apart, on either side of the 1 m grid line x = 0.5 that rounding would split at
    coords = np.array([[0.3, 0.0], [0.9, 0.0], [5.0, 0.0], [5.0, 0.9], [5.0, 1.8], [9.0, 9.0]])
    node, xy = merge_vertices(coords, 1.0)
    assert node.tolist() == [0, 0, 1, 1, 1, 2]  # the chain 5.0/5.9/5.18 merges transitively
    np.testing.assert_array_equal(xy, coords[[0, 2, 5]])
    # every pair within the tolerance is merged: a brute-force check on random points
    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 30, (200, 2))
    node, _ = merge_vertices(pts, 1.0)
    for a, b in itertools.combinations(range(len(pts)), 2):
        if np.hypot(*(pts[a] - pts[b])) <= 1.0:
            assert node[a] == node[b]
    g = nx.Graph()
    g.add_nodes_from(range(len(pts)))
    g.add_edges_from(
        (a, b)
        for a, b in itertools.combinations(range(len(pts)), 2)
        if np.hypot(*(pts[a] - pts[b])) <= 1.0
    )
    assert len(set(node.tolist())) == nx.number_connected_components(g)


def test_roads_whose_ends_straddle_a_grid_line_connect():
    lines = [LineString([(0, 0), (1000, 0)]), LineString([(1000.6, 0.2), (2000, 0)])]
    r = gpd.GeoDataFrame(geometry=lines, crs=UTM)
    pts = gpd.GeoDataFrame(geometry=[Point(0, 0), Point(2000, 0)], crs=UTM)
    t = RoadNetwork.from_geodataframe(r, speed_kmh=60.0).travel_times(pts.iloc[[0]], pts.iloc[[1]])
    assert t.nnz == 1 and t[0, 0] == pytest.approx(2.0, abs=1e-3)
    tight = RoadNetwork.from_geodataframe(r, speed_kmh=60.0, node_tolerance=0.5)
    assert len(tight.components()) == 2  # not merged: two separate two-way roads


def test_plot_and_explore_accept_the_network(tmp_path):
    network = net().largest_part()
    demand = gpd.GeoDataFrame(geometry=[Point(500, 5), Point(5, 500)], crs=UTM)
    sites = gpd.GeoDataFrame(geometry=[Point(0, 0), Point(1000, 1000)], crs=UTM)
    inst = erlocate.Instance.from_geodataframes(demand, sites, network=network)
    result = erlocate.solve(erlocate.PMedian(p=1), inst)
    ax = result.plot(roads=network)
    assert len(ax.collections) >= 3  # roads, links, points
    fmap = result.explore(tmp_path / "map.html", roads=network)
    assert "roads" in fmap.get_root().render()
    with pytest.raises(InputError) as info:
        result.plot(roads=[1, 2])
    assert info.value.field == "roads"
