"""Road network: hand-computed times, agreement with networkx on random graphs, errors."""

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
import shapely
from shapely.geometry import LineString, MultiLineString, Point, box

from erlocate.errors import InputError
from erlocate.geo import RoadNetwork, unreachable

UTM = "EPSG:32649"
INF = np.inf

# The hand network (metres, UTM 49N). Speeds: 60 km/h = 1000 m/min, 30 km/h = 500 m/min,
# 20 km/h = 333.3 m/min; access walk 5 km/h = 83.33 m/min, so 10 m = 0.12 min, 20 m = 0.24 min.
#
#   D(0,1000) --r2 30km/h 2 min-- E(1000,1000) <--r3 one-way 60km/h 1 min-- F(2000,1000)
#     |                              |                                        |
#   r4 60 km/h 1 min               r5 60 km/h 1 min                         r6 20 km/h 3 min
#     |                              |                                        |
#   A(0,0) ----------r1 60 km/h, one line A-B-C, 1 min per block------------ C(2000,0)
#                                    B(1000,0)
A, B, C, D, E, F = (0, 0), (1000, 0), (2000, 0), (0, 1000), (1000, 1000), (2000, 1000)


def hand_roads(**overrides):
    data = {
        "speed": [60, 30, 60, 60, 60, 20],
        "oneway": ["no", "no", "yes", "no", "no", "no"],
        "kind": ["main", "minor", "main", "main", "main", "track"],
    }
    geoms = [
        LineString([A, B, C]),  # B is an interior vertex and still a junction
        LineString([D, E]),
        LineString([F, E]),  # one-way, digitised F -> E
        LineString([A, D]),
        LineString([B, E]),
        LineString([C, F]),
    ]
    data.update(overrides.pop("data", {}))
    geoms = overrides.pop("geometry", geoms)
    return gpd.GeoDataFrame(
        data, geometry=geoms, index=["r1", "r2", "r3", "r4", "r5", "r6"], crs=UTM
    )


def hand_net(**kwargs):
    return RoadNetwork.from_geodataframe(
        hand_roads(), speed_column="speed", oneway_column="oneway", **kwargs
    )


SITES = gpd.GeoDataFrame(geometry=[Point(500, 10), Point(F)], index=["S1", "S2"], crs=UTM)
DEMAND = gpd.GeoDataFrame(
    geometry=[Point(2000, 500), Point(1500, 1020), Point(D), Point(F)],
    index=["d1", "d2", "d3", "d4"],
    crs=UTM,
)
# S1 snaps to the middle of A-B, 10 m off the road (0.12 min walk); S2 sits on node F.
# d1 mid C-F; d2 mid E-F, 20 m off (0.24 min); d3 on node D; d4 on node F (= S2).
FROM_SITES = [
    # S1: 0.12 + S1->B 0.5 + B->C 1 + C->d1 1.5 = 3.12        S2: F->d1 1.5
    [3.12, 1.5],
    # S1: 0.12 + 0.5 + 1 + C->F 3 + F->d2 0.5 + 0.24 = 5.36   S2: F->d2 0.5 + 0.24 = 0.74
    # (E->d2 is against the one-way, so the trip cannot come through E)
    [5.36, 0.74],
    # S1: 0.12 + S1->A 0.5 + A->D 1 = 1.62                     S2: F->E 1 + E->D 2 = 3
    [1.62, 3.0],
    # S1: 0.12 + 0.5 + 1 + 3 = 4.62                            S2: same point, a stored 0
    [4.62, 0.0],
]
TO_SITES = [
    # d1->C 1.5 + C->B 1 + B->S1 0.5 + 0.12 = 3.12             d1->F 1.5
    [3.12, 1.5],
    # 0.24 + d2->E 0.5 + E->B 1 + B->S1 0.5 + 0.12 = 2.36     0.24 + d2->E 0.5 + E->B 1 + B->C 1 + C->F 3 = 5.74
    [2.36, 5.74],
    # D->A 1 + A->S1 0.5 + 0.12 = 1.62                         D->A->B->C 3 + C->F 3 = 6 (E->F is closed one-way)
    [1.62, 6.0],
    # F->E 1 (with the one-way) + E->B 1 + B->S1 0.5 + 0.12 = 2.62   0
    [2.62, 0.0],
]


def dense(matrix):
    out = np.full(matrix.shape, INF)
    coo = sp.coo_array(matrix)
    out[coo.row, coo.col] = coo.data
    return out


def test_hand_network_structure():
    net = hand_net()
    assert net.n_nodes == 6  # A..F, B from the interior vertex of r1
    assert net.n_edges == 13  # 7 two-way segments × 2 - 1 (r3 one-way)
    edges = net.edges
    assert edges["road"].tolist() == ["r1", "r1", "r2", "r3", "r4", "r5", "r6"]
    assert edges["minutes"].tolist() == pytest.approx([1, 1, 2, 1, 1, 1, 3], abs=1e-12)
    assert edges.loc[edges["road"] == "r3", ["forward", "backward"]].values.tolist() == [
        [True, False]
    ]


def test_hand_network_times_from_sites():
    m = hand_net().travel_times(DEMAND, SITES)
    assert isinstance(m, sp.csr_array) and m.shape == (4, 2)
    np.testing.assert_allclose(dense(m), FROM_SITES, rtol=0, atol=1e-12)
    assert m.nnz == 8 and m[3, 1] == 0.0  # d4 at S2: a stored real zero


def test_hand_network_times_to_sites_honour_one_way():
    m = hand_net().travel_times(DEMAND, SITES, direction="to_sites")
    np.testing.assert_allclose(dense(m), TO_SITES, rtol=0, atol=1e-12)


def test_hand_network_cutoff_is_inclusive():
    m = hand_net().travel_times(DEMAND, SITES, max_minutes=3.0)
    # kept: d1-S2 1.5, d2-S2 0.74, d3-S1 1.62, d3-S2 3.0 (exactly the cut-off), d4-S2 0
    expect = [[INF, 1.5], [INF, 0.74], [1.62, 3.0], [INF, 0.0]]
    np.testing.assert_allclose(dense(m), expect, rtol=0, atol=1e-12)
    assert m.nnz == 5


def test_same_input_through_other_encodings():
    variants = [
        # one-way as "-1" on a line digitised against the travel direction (E -> F)
        RoadNetwork.from_geodataframe(
            hand_roads(
                data={"oneway": ["no", "no", "-1", "no", "no", "no"]},
                geometry=[
                    LineString([A, B, C]),
                    LineString([D, E]),
                    LineString([E, F]),
                    LineString([A, D]),
                    LineString([B, E]),
                    LineString([C, F]),
                ],
            ),
            speed_column="speed",
            oneway_column="oneway",
        ),
        # class table, booleans, a MultiLineString for r1 and vertices 0.3 m apart merged
        RoadNetwork.from_geodataframe(
            hand_roads(
                data={"oneway": [False, False, True, False, False, False]},
                geometry=[
                    MultiLineString([[A, B], [(1000.3, 0.2), C]]),
                    LineString([D, E]),
                    LineString([F, E]),
                    LineString([A, D]),
                    LineString([B, E]),
                    LineString([C, F]),
                ],
            ),
            class_column="kind",
            class_speeds={"main": 60, "minor": 30},
            speed_kmh=20,  # fallback for "track"
            oneway_column="oneway",
        ),
    ]
    for net in variants:
        np.testing.assert_allclose(dense(net.travel_times(DEMAND, SITES)), FROM_SITES, atol=1e-3)
        np.testing.assert_allclose(
            dense(net.travel_times(DEMAND, SITES, direction="to_sites")), TO_SITES, atol=1e-3
        )


def test_snap_reports_projection_and_walk():
    snapped = hand_net().snap(DEMAND)
    assert snapped.index.tolist() == ["d1", "d2", "d3", "d4"]
    assert snapped["distance_m"].tolist() == [0, 20, 0, 0]
    assert snapped["access_minutes"].tolist() == pytest.approx([0, 0.24, 0, 0], abs=1e-15)
    assert snapped[["snap_x", "snap_y"]].values.tolist() == [
        [2000, 500],
        [1500, 1000],
        [0, 1000],
        [2000, 1000],
    ]
    assert snapped.loc["d1", "fraction"] == 0.5


def test_two_points_on_one_link_and_the_one_way():
    net = hand_net()
    # On A-B-C (two-way): site at x=1200, demand at x=1700, both 5 m off the road.
    # 5 m + 5 m walk = 0.12 min; 500 m at 1000 m/min = 0.5 min -> 0.62 either way.
    site = gpd.GeoSeries([Point(1200, 5)], crs=UTM)
    dem = gpd.GeoSeries([Point(1700, -5)], crs=UTM)
    assert net.travel_times(dem, site)[0, 0] == pytest.approx(0.62, abs=1e-12)
    assert net.travel_times(dem, site, direction="to_sites")[0, 0] == pytest.approx(0.62, abs=1e-12)
    # On E-F (one-way F -> E): site at x=1800, demand at x=1300, both on the road.
    site = gpd.GeoSeries([Point(1800, 1000)], crs=UTM)
    dem = gpd.GeoSeries([Point(1300, 1000)], crs=UTM)
    # with the one-way: 500 m = 0.5 min
    assert net.travel_times(dem, site)[0, 0] == pytest.approx(0.5, abs=1e-12)
    # against it: 1300 -> E 0.3 + E->B 1 + B->C 1 + C->F 3 + F->1800 0.2 = 5.5
    assert net.travel_times(dem, site, direction="to_sites")[0, 0] == pytest.approx(5.5, abs=1e-12)


def test_disrupt_close_and_slowdown():
    net = hand_net()
    flood = gpd.GeoSeries([box(1900, 400, 2100, 600)], crs=UTM)  # cuts C-F (r6)
    closed = net.disrupt(flood)
    assert closed.n_edges == 11 and "r6" not in set(closed.edges["road"])
    m = closed.travel_times(DEMAND.iloc[1:], SITES)
    # S1 can no longer reach F or d2 (C-F closed, E->F one-way the wrong way): missing entries
    np.testing.assert_allclose(dense(m), [[INF, 0.74], [1.62, 3.0], [INF, 0.0]], atol=1e-12)
    slow = net.disrupt(flood, slowdown=2.0)  # C-F takes 6 min instead of 3
    m = slow.travel_times(DEMAND.iloc[1:], SITES)
    # S1->d2: 0.12 + 0.5 + 1 + 6 + 0.5 + 0.24 = 8.36; S1->d4: 0.12 + 0.5 + 1 + 6 = 7.62
    np.testing.assert_allclose(dense(m), [[8.36, 0.74], [1.62, 3.0], [7.62, 0.0]], atol=1e-12)
    assert slow.edges["slowdown"].tolist() == [1, 1, 1, 1, 1, 1, 2]
    # closing A-D with a shapely polygon: d3 from S1 goes B-E-D: 0.12 + 0.5 + 1 + 2 = 3.62
    m = net.disrupt(box(-50, 400, 50, 600)).travel_times(DEMAND.iloc[[2]], SITES)
    np.testing.assert_allclose(dense(m), [[3.62, 3.0]], atol=1e-12)
    assert unreachable(closed.travel_times(DEMAND.iloc[[1]], SITES.iloc[[0]])).tolist() == [0]


def test_point_on_a_closed_road_snaps_to_an_open_one():
    closed = hand_net().disrupt(box(1900, 400, 2100, 600))
    # (2000, 300) was on C-F; now the nearest open road is B-C, 300 m away (3.6 min walk):
    # S2 -> C: F->E 1 + E->B 1 + B->C 1 = 3, + 3.6 = 6.6
    m = closed.travel_times(gpd.GeoSeries([Point(2000, 300)], crs=UTM), SITES.iloc[[1]])
    assert m[0, 0] == pytest.approx(6.6, abs=1e-12)


# ---------------------------------------------------------------------- random graphs
def random_case(seed, n_demand, n_sites):
    """Random geometric road graph with one-way edges, and points on and beside its edges."""
    rng = np.random.default_rng(seed)
    n = 40
    xy = np.round(rng.random((n, 2)) * 5000, 1)
    i, j = np.triu_indices(n, 1)
    near = np.hypot(*(xy[i] - xy[j]).T) < 1400
    i, j = i[near], j[near]
    flip = rng.random(len(i)) < 0.5
    a, b = np.where(flip, j, i), np.where(flip, i, j)  # digitised a -> b
    speed = rng.choice([20.0, 30.0, 50.0, 70.0], len(a))
    oneway = rng.random(len(a)) < 0.25
    lines = shapely.linestrings(np.stack([xy[a], xy[b]], axis=1))
    roads = gpd.GeoDataFrame({"speed": speed, "oneway": oneway}, geometry=lines, crs=UTM)
    minutes = np.hypot(*(xy[b] - xy[a]).T) / (speed * 1000 / 60)

    g = nx.DiGraph()
    for k in range(len(a)):
        g.add_edge(a[k], b[k], w=minutes[k])
        if not oneway[k]:
            g.add_edge(b[k], a[k], w=minutes[k])

    def points(count):
        """Half on nodes, half on random edges with a sideways offset; (xy, graph node, walk)."""
        out = []
        while len(out) < count:
            if len(out) % 2 == 0:
                node = int(rng.integers(n))
                out.append((xy[node], node, 0.0))
                continue
            k = int(rng.integers(len(a)))
            t, h = rng.uniform(0.1, 0.9), rng.uniform(0, 30)
            d = xy[b[k]] - xy[a[k]]
            normal = np.array([-d[1], d[0]]) / np.hypot(*d)
            p = xy[a[k]] + t * d + h * normal
            dist = shapely.distance(Point(p), lines)
            if np.argmin(dist) != k or np.partition(dist, 1)[1] < h + 1e-3:
                continue  # another road is as close: skip ambiguous snaps
            out.append((p, ("on", k, t), h / (5000 / 60)))
        return out

    dem, sites = points(n_demand), points(n_sites)
    # split edges at the snapped points, chaining several points on one edge in order
    on_edge = {}
    for _, node, _ in dem + sites:
        if isinstance(node, tuple):
            on_edge.setdefault(node[1], set()).add(node)
    for k, spots in on_edge.items():
        ordered = sorted(spots, key=lambda s: s[2])
        chain = [a[k], *ordered, b[k]]
        ts = [0.0, *(s[2] for s in ordered), 1.0]
        for step in range(len(chain) - 1):
            w = (ts[step + 1] - ts[step]) * minutes[k]
            g.add_edge(chain[step], chain[step + 1], w=w)
            if not oneway[k]:
                g.add_edge(chain[step + 1], chain[step], w=w)
    return roads, g, dem, sites, xy


def nx_matrix(g, dem, sites, direction):
    graph = g if direction == "from_sites" else g.reverse()
    out = np.full((len(dem), len(sites)), INF)
    for j, (_, s_node, s_walk) in enumerate(sites):
        dist = nx.single_source_dijkstra_path_length(graph, s_node, weight="w")
        for i, (_, d_node, d_walk) in enumerate(dem):
            if d_node in dist:
                out[i, j] = s_walk + dist[d_node] + d_walk
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("direction", ["from_sites", "to_sites"])
@pytest.mark.parametrize(("n_demand", "n_sites"), [(30, 8), (6, 20)])
def test_random_graphs_match_networkx(seed, direction, n_demand, n_sites):
    roads, g, dem, sites, _ = random_case(seed, n_demand, n_sites)
    net = RoadNetwork.from_geodataframe(roads, speed_column="speed", oneway_column="oneway")
    assert net.n_nodes == 40
    d_xy = np.array([p for p, _, _ in dem])
    s_xy = np.array([p for p, _, _ in sites])
    expect = nx_matrix(g, dem, sites, direction)
    assert np.isfinite(expect).sum() > expect.size // 2  # mostly connected: a real test
    got = net.travel_times(d_xy, s_xy, direction=direction, tolerance=100)
    np.testing.assert_allclose(dense(got), expect, rtol=0, atol=1e-9)
    cut = float(np.median(expect[np.isfinite(expect)]))
    got = net.travel_times(d_xy, s_xy, direction=direction, tolerance=100, max_minutes=cut)
    np.testing.assert_allclose(dense(got), np.where(expect <= cut, expect, INF), rtol=0, atol=1e-9)
    assert got.data.max() <= cut


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_from_networkx_matches_networkx(seed):
    _, g, _, _, xy = random_case(seed, 0, 0)
    # OSMnx style: string node keys, x/y attributes, travel_time in seconds, and a slower
    # parallel edge on every arc (the faster one must win)
    mg = nx.MultiDiGraph(crs=UTM)
    mg.add_nodes_from((f"n{k}", {"x": x, "y": y}) for k, (x, y) in enumerate(xy))
    for u, v, w in g.edges(data="w"):
        mg.add_edge(f"n{u}", f"n{v}", travel_time=w * 60)
        mg.add_edge(f"n{u}", f"n{v}", travel_time=w * 90)
    net = RoadNetwork.from_networkx(mg)
    assert net.n_nodes == 40 and net.n_edges == g.number_of_edges()
    sources = [0, 7, 13]
    got = dense(net.travel_times(xy, xy[sources]))
    for col, s in enumerate(sources):
        dist = nx.single_source_dijkstra_path_length(g, s, weight="w")
        expect = np.array([dist.get(k, INF) for k in range(40)])
        np.testing.assert_allclose(got[:, col], expect, rtol=0, atol=1e-9)


def test_from_networkx_undirected_minutes():
    # a 3-node path x=0 -- x=600 -- x=1000 with times 2 and 3 minutes, two-way
    g = nx.Graph()
    g.add_nodes_from(
        [("a", {"x": 0.0, "y": 0.0}), ("b", {"x": 600.0, "y": 0.0}), ("c", {"x": 1000.0, "y": 0.0})]
    )
    g.add_edge("a", "b", minutes=2.0)
    g.add_edge("b", "c", minutes=3.0)
    net = RoadNetwork.from_networkx(g, weight="minutes", time_unit="min", crs=UTM)
    assert net.node_ids.tolist() == ["a", "b", "c"]
    # demand at x=300 (halfway a-b: 1 min from a, 1 from b); site at c: c->b 3 + b->x300 1 = 4
    m = net.travel_times(np.array([[300.0, 0.0], [1000.0, 0.0]]), np.array([[1000.0, 0.0]]))
    np.testing.assert_allclose(dense(m), [[4.0], [0.0]], atol=1e-12)


# ---------------------------------------------------------------------- errors
def test_non_positive_and_missing_speeds_listed():
    roads = hand_roads(data={"speed": [60, 0, 60, np.nan, -3, 20]})
    with pytest.raises(
        InputError,
        match=r"speed_column: roads \['r2', 'r4', 'r5'\] have a missing or non-positive speed \(from column 'speed'\)",
    ) as err:
        RoadNetwork.from_geodataframe(roads, speed_column="speed")
    assert err.value.field == "speed_column"
    with pytest.raises(
        InputError,
        match=r"class_speeds: no speed for road classes \['track'\] \(column 'kind'\)",
    ):
        RoadNetwork.from_geodataframe(
            roads, class_column="kind", class_speeds={"main": 60, "minor": 30}
        )
    with pytest.raises(InputError, match="speed_kmh: give one speed"):
        RoadNetwork.from_geodataframe(roads)
    with pytest.raises(InputError, match="speed_kmh: must be a positive speed in km/h, got 0"):
        RoadNetwork.from_geodataframe(roads, speed_kmh=0)
    # a fallback speed fills the gaps but does not hide a non-positive value in the column
    with pytest.raises(InputError, match=r"roads \['r2', 'r5'\]"):
        RoadNetwork.from_geodataframe(roads, speed_column="speed", speed_kmh=40)


def test_points_beyond_tolerance_listed():
    far = gpd.GeoDataFrame(
        geometry=[Point(500, 0), Point(500, 600), Point(3000, 3000)],
        index=["ok", "lake", "hill"],
        crs=UTM,
    )
    with pytest.raises(
        InputError,
        match=r"demand: 2 point\(s\) off-network — farther than tolerance=300 m from every open road: ids \['lake', 'hill'\]",
    ) as err:
        hand_net().travel_times(far, SITES, tolerance=300)
    assert err.value.field == "demand"
    with pytest.raises(InputError, match=r"sites: 1 point\(s\) off-network .* ids \['hill'\]"):
        hand_net().travel_times(DEMAND, far.iloc[[0, 2]], tolerance=300)
    with pytest.raises(InputError, match=r"off-network .* ids \['lake', 'hill'\]"):
        hand_net().snap(far, tolerance=300)


def test_bad_road_inputs():
    roads = hand_roads()
    with pytest.raises(InputError, match=r"roads: no CRS; set it with roads.set_crs"):
        RoadNetwork.from_geodataframe(roads.set_crs(None, allow_override=True), speed_kmh=30)
    with pytest.raises(InputError, match=r"geographic \(degrees\).*estimate_utm_crs"):
        RoadNetwork.from_geodataframe(roads.to_crs("EPSG:4326"), speed_kmh=30)
    with pytest.raises(InputError, match="roads: the road GeoDataFrame is empty"):
        RoadNetwork.from_geodataframe(roads.iloc[:0], speed_kmh=30)
    bad = roads.copy()
    bad.loc["r2", "geometry"] = Point(0, 0)
    with pytest.raises(InputError, match=r"roads: rows \['r2'\] are not non-empty LineStrings"):
        RoadNetwork.from_geodataframe(bad, speed_kmh=30)
    with pytest.raises(
        InputError, match=r"oneway_column: roads \['r1'\] have unrecognised values \['maybe'\]"
    ):
        RoadNetwork.from_geodataframe(
            hand_roads(data={"oneway": ["maybe", *["no"] * 5]}),
            speed_kmh=30,
            oneway_column="oneway",
        )
    with pytest.raises(InputError, match="speed_column: no column 'kmh'"):
        RoadNetwork.from_geodataframe(roads, speed_column="kmh")


def test_bad_network_queries():
    net = hand_net()
    with pytest.raises(
        InputError, match="demand: CRS EPSG:32650 differs from the network CRS EPSG:32649"
    ):
        net.travel_times(DEMAND.set_crs("EPSG:32650", allow_override=True), SITES)
    with pytest.raises(InputError, match="direction: must be one of 'from_sites', 'to_sites'"):
        net.travel_times(DEMAND, SITES, direction="both")
    with pytest.raises(InputError, match="slowdown: must be > 0, got 0; a time multiplier"):
        net.disrupt(box(0, 0, 1, 1), slowdown=0)
    with pytest.raises(InputError, match="slowdown: must be a number, got '2'"):
        net.disrupt(box(0, 0, 1, 1), slowdown="2")
    with pytest.raises(InputError, match="max_minutes: must be a number, got '5'"):
        net.travel_times(DEMAND, SITES, max_minutes="5")
    with pytest.raises(InputError, match="tolerance: must be > 0, got 0; metres"):
        net.snap(DEMAND, tolerance=0)
    with pytest.raises(InputError, match="close: must be True or False, got 'no'"):
        net.disrupt(box(0, 0, 1, 1), close="no")
    with pytest.raises(InputError, match="polygons: CRS EPSG:4326 differs"):
        net.disrupt(gpd.GeoSeries([box(0, 0, 1, 1)], crs="EPSG:4326"))


def test_bad_networkx_inputs():
    g = nx.DiGraph()
    g.add_node(1, x=0.0, y=0.0)
    g.add_node(2, x=100.0)
    g.add_edge(1, 2, travel_time=10)
    with pytest.raises(InputError, match="crs: the graph has no 'crs' attribute"):
        RoadNetwork.from_networkx(g)
    with pytest.raises(InputError, match=r"graph: nodes \[2\] lack numeric 'x'/'y' coordinates"):
        RoadNetwork.from_networkx(g, crs=UTM)
    g.nodes[2]["y"] = 0.0
    g.add_edge(2, 1, travel_time=0)
    with pytest.raises(
        InputError, match=r"weight: edges \[\(2, 1\)\] have a missing or non-positive 'travel_time'"
    ):
        RoadNetwork.from_networkx(g, crs=UTM)


def test_off_network_points_can_be_unreachable_rows():
    far = gpd.GeoDataFrame(
        geometry=[Point(500, 0), Point(500, 600), Point(3000, 3000)],
        index=["ok", "lake", "hill"],
        crs=UTM,
    )
    net = hand_net()
    got = net.travel_times(far, SITES, tolerance=300, off_network="unreachable")
    assert got.shape == (3, len(SITES))
    assert np.diff(got.indptr).tolist()[1:] == [0, 0]  # no site reaches lake or hill
    alone = net.travel_times(far.iloc[[0]], SITES, tolerance=300)
    np.testing.assert_array_equal(dense(got)[0], dense(alone)[0])  # the rest unchanged
    with pytest.raises(InputError, match="off_network"):
        net.travel_times(far, SITES, off_network="skip")
    # sites off the network still raise: a site nobody can drive from is bad input
    with pytest.raises(InputError, match=r"sites: 1 point"):
        net.travel_times(DEMAND, far.iloc[[0, 2]], tolerance=300, off_network="unreachable")
