"""Battery: the geo layer (family ``geo``).

GeoDataFrames → :func:`erlocate.Instance.from_geodataframes`, road networks
(:meth:`RoadNetwork.from_geodataframe`, :meth:`RoadNetwork.from_networkx`),
snapping and travel times, :meth:`RoadNetwork.disrupt` and the straight-line
metrics (:func:`euclidean`, :func:`manhattan`, :func:`great_circle`). Small
synthetic data in UTM 50N (metres); no files, no network access.
"""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

import erlocate
from erlocate.errors import InputError
from erlocate.geo import RoadNetwork, euclidean, great_circle, manhattan
from tests.badinput.battery import Case, check, params

UTM = "EPSG:32650"
X0, Y0 = 500_000.0, 3_000_000.0
NAN, INF = float("nan"), float("inf")

# What a positive speed / factor / distance must refuse: text (even numeric text),
# booleans, complex, NaN, inf, zero, negative.
BAD_POSITIVE = {
    "str": "50",
    "word": "fast",
    "bool": True,
    "nan": NAN,
    "inf": INF,
    "zero": 0,
    "negative": -5.0,
    "complex": 3j,
}
# What a cut-off (>= 0, optional) must refuse: text, booleans, NaN, negative, a list.
BAD_CUTOFF = {"str": "10", "bool": True, "nan": NAN, "negative": -1.0, "list": [10.0]}


# ---------------------------------------------------------------------- data
def pts(coords, index=None, crs=UTM, **columns):
    """A GeoDataFrame of Points at ``(X0 + x, Y0 + y)``."""
    geoms = [None if c is None else Point(X0 + c[0], Y0 + c[1]) for c in coords]
    return gpd.GeoDataFrame(columns or None, geometry=geoms, index=index, crs=crs)


def demand(**columns):
    """Three demand points 0, 100, 200 m east of X0, 10 m off the road y = 0."""
    cols = {"block": ["a", "b", "c"], "pop": [1.0, 2.0, 3.0], **columns}
    return pts([(0, 10), (100, 10), (200, 10)], **cols)


def sites(**columns):
    """Two candidate sites at 50 and 150 m east of X0, on the road y = 0."""
    cols = {"area": [5.0, 6.0], "cap": [10.0, 10.0], "old": [True, False], **columns}
    return pts([(50, 0), (150, 0)], index=["s1", "s2"], **cols)


def roads(geometry=None, crs=UTM, **columns):
    """Three roads: y = 0 from x = 0 to 400, x = 400 up to y = 300, and back along y = 300."""
    geometry = geometry or [
        LineString([(X0, Y0), (X0 + 400, Y0)]),
        LineString([(X0 + 400, Y0), (X0 + 400, Y0 + 300)]),
        LineString([(X0 + 400, Y0 + 300), (X0, Y0 + 300)]),
    ]
    cols = {
        "maxspeed": [50.0, 30.0, 30.0],
        "highway": ["primary", "residential", "residential"],
        "oneway": ["no", "yes", "no"],
        **columns,
    }
    return gpd.GeoDataFrame(cols, geometry=geometry, index=["r1", "r2", "r3"], crs=crs)


@cache
def net():
    return RoadNetwork.from_geodataframe(roads(), speed_column="maxspeed", oneway_column="oneway")


def graph(**edge_attrs):
    """A 3-node OSMnx-style graph: coordinates x/y, travel_time in seconds (edge 3 → 1 overridden)."""
    g = nx.MultiDiGraph(crs=UTM)
    g.add_node(1, x=X0, y=Y0)
    g.add_node(2, x=X0 + 100, y=Y0)
    g.add_node(3, x=X0 + 100, y=Y0 + 100)
    g.add_edge(1, 2, travel_time=12.0)
    g.add_edge(2, 3, travel_time=12.0)
    g.add_edge(3, 1, **{"travel_time": 17.0, **edge_attrs})
    return g


HAZARD = gpd.GeoDataFrame(geometry=[box(X0 + 100, Y0 - 50, X0 + 200, Y0 + 50)], crs=UTM)


# ---------------------------------------------------------------------- helpers
def fg(*, d=None, s=None, **kw):
    """``Instance.from_geodataframes`` on the default frames, overriding keywords."""
    return lambda: erlocate.Instance.from_geodataframes(
        demand() if d is None else d(), sites() if s is None else s(), **kw
    )


def fg_net(**kw):
    """``from_geodataframes`` over the road network."""
    return lambda: erlocate.Instance.from_geodataframes(demand(), sites(), network=net(), **kw)


def road_net(frame=None, **kw):
    """``RoadNetwork.from_geodataframe`` (default: speed from ``maxspeed``)."""
    kw = kw or {"speed_column": "maxspeed"}
    return lambda: RoadNetwork.from_geodataframe(roads() if frame is None else frame(), **kw)


def nx_net(g=None, **kw):
    return lambda: RoadNetwork.from_networkx(graph() if g is None else g(), **kw)


def tt(d=None, s=None, **kw):
    """``net().travel_times`` on the default points."""
    return lambda: net().travel_times(
        demand() if d is None else d(), sites() if s is None else s(), **kw
    )


def cost_fn(make):
    """A cost callable returning ``make(n_demand, n_sites)``."""
    return lambda dp, sp_: make(len(dp), len(sp_))


G = "geo"
E = InputError

# ---------------------------------------------------------------------- from_geodataframes
FRAMES = [
    Case(G, "fg-demand-dataframe", fg(d=lambda: pd.DataFrame({"x": [1.0]})), E, "demand"),
    Case(
        G,
        "fg-demand-none",
        lambda: erlocate.Instance.from_geodataframes(None, sites()),
        E,
        "demand",
    ),
    Case(G, "fg-sites-list-of-points", fg(s=lambda: [Point(X0, Y0)]), E, "sites"),
    Case(G, "fg-sites-array", fg(s=lambda: np.array([[X0, Y0]])), E, "sites"),
    Case(G, "fg-demand-empty", fg(d=lambda: demand().iloc[:0]), E, "demand"),
    Case(G, "fg-sites-empty", fg(s=lambda: sites().iloc[:0]), E, "sites"),
    Case(
        G,
        "fg-demand-no-crs",
        fg(d=lambda: demand().set_crs(None, allow_override=True)),
        E,
        "demand",
    ),
    Case(
        G, "fg-sites-no-crs", fg(s=lambda: sites().set_crs(None, allow_override=True)), E, "sites"
    ),
    Case(G, "fg-crs-differ", fg(s=lambda: sites().to_crs("EPSG:3857")), E, "sites"),
    Case(
        G,
        "fg-geographic-euclidean",
        fg(d=lambda: demand().to_crs(4326), s=lambda: sites().to_crs(4326), cost="euclidean"),
        E,
        "demand",
    ),
    Case(
        G,
        "fg-geographic-manhattan",
        fg(d=lambda: demand().to_crs(4326), s=lambda: sites().to_crs(4326), cost="manhattan"),
        E,
        "demand",
    ),
    Case(
        G,
        "fg-feet-crs-euclidean",
        fg(d=lambda: demand().to_crs(2263), s=lambda: sites().to_crs(2263)),
        E,
        "demand",
    ),
    Case(
        G,
        "fg-demand-id-duplicate",
        fg(d=lambda: demand(block=["a", "a", "c"]), demand_id="block"),
        E,
        "demand",
    ),
    Case(
        G,
        "fg-demand-id-missing-value",
        fg(d=lambda: demand(block=["a", None, "c"]), demand_id="block"),
        E,
        "demand",
    ),
    Case(G, "fg-sites-index-duplicate", fg(s=lambda: sites().set_axis(["s1", "s1"])), E, "sites"),
    Case(G, "fg-demand-id-unknown", fg(demand_id="zone"), E, "demand_id"),
    Case(G, "fg-site-id-unknown", fg(site_id="name"), E, "site_id"),
    Case(G, "fg-weight-unknown", fg(weight="population"), E, "weight"),
    Case(G, "fg-demand-col-unknown", fg(demand_col="load"), E, "demand_col"),
    Case(G, "fg-capacity-unknown", fg(capacity="beds"), E, "capacity"),
    Case(G, "fg-site-cost-unknown", fg(site_cost="price"), E, "site_cost"),
    Case(G, "fg-required-unknown", fg(required="existing"), E, "required"),
    Case(G, "fg-required-not-bool", fg(s=lambda: sites(old=[1, 0]), required="old"), E, "required"),
    Case(G, "fg-required-unknown-id", fg(required=["s9"]), E, "required"),
    Case(G, "fg-weight-text", fg(d=lambda: demand(pop=["1", "2", "3"]), weight="pop"), E, "weight"),
    Case(G, "fg-weight-nan", fg(d=lambda: demand(pop=[1.0, NAN, 3.0]), weight="pop"), E, "weight"),
    Case(
        G,
        "fg-weight-negative",
        fg(d=lambda: demand(pop=[1.0, -2.0, 3.0]), weight="pop"),
        E,
        "weight",
    ),
    Case(
        G,
        "fg-demand-col-negative",
        fg(d=lambda: demand(pop=[1.0, -2.0, 3.0]), demand_col="pop"),
        E,
        "demand_col",
    ),
    Case(G, "fg-capacity-nan", fg(s=lambda: sites(cap=[NAN, 1.0]), capacity="cap"), E, "capacity"),
    Case(
        G,
        "fg-site-cost-text",
        fg(s=lambda: sites(area=["5", "6"]), site_cost="area"),
        E,
        "site_cost",
    ),
    Case(
        G,
        "fg-demand-linestring",
        fg(d=lambda: demand().set_geometry([LineString([(X0, Y0), (X0 + 1, Y0)])] * 3, crs=UTM)),
        E,
        "demand",
    ),
    Case(
        G,
        "fg-sites-none-geometry",
        fg(s=lambda: sites().set_geometry([Point(X0, Y0), None], crs=UTM)),
        E,
        "sites",
    ),
    Case(
        G,
        "fg-demand-empty-point",
        fg(d=lambda: demand().set_geometry([Point(), Point(X0, Y0), Point(X0, Y0)], crs=UTM)),
        E,
        "demand",
    ),
    Case(G, "fg-cost-unknown", fg(cost="haversine"), E, "cost"),
    Case(G, "fg-cost-number", fg(cost=5), E, "cost"),
    Case(G, "fg-cost-network-without-network", fg(cost="network"), E, "network"),
    Case(G, "fg-network-with-euclidean", fg_net(cost="euclidean"), E, "network"),
    Case(G, "fg-network-not-roadnetwork", fg(network=graph()), E, "network"),
    Case(G, "fg-speed-with-network", fg_net(speed_kmh=40.0), E, "speed_kmh"),
    Case(G, "fg-speed-with-callable", fg(cost=cost_fn(np.ones), speed_kmh=40.0), E, "speed_kmh"),
    Case(G, "fg-callable-transposed", fg(cost=cost_fn(lambda n, m: np.ones((m, n)))), E, "cost"),
    Case(G, "fg-callable-1d", fg(cost=cost_fn(lambda n, m: np.ones(n * m))), E, "cost"),
    Case(G, "fg-callable-nan", fg(cost=cost_fn(lambda n, m: np.full((n, m), NAN))), E, "cost"),
    Case(G, "fg-callable-negative", fg(cost=cost_fn(lambda n, m: -np.ones((n, m)))), E, "cost"),
    Case(
        G,
        "fg-callable-text",
        fg(cost=cost_fn(lambda n, m: np.full((n, m), "1"))),
        E,
        "cost",
    ),
    Case(G, "fg-callable-none", fg(cost=lambda dp, sp_: None), E, "cost"),
    Case(
        G,
        "fg-callable-nan-with-max-cost",
        fg(cost=cost_fn(lambda n, m: np.full((n, m), NAN)), max_cost=10.0),
        E,
        "cost",
    ),
    Case(
        G,
        "fg-callable-text-with-max-cost",
        fg(cost=cost_fn(lambda n, m: np.full((n, m), "x")), max_cost=10.0),
        E,
        "cost",
    ),
    Case(G, "fg-direction-unknown", fg(direction="both"), E, "direction"),
    Case(G, "fg-direction-unknown-network", fg_net(direction="inbound"), E, "direction"),
    Case(G, "fg-max-cost-unreachable", fg(max_cost=1.0), E, "demand"),
    Case(
        G,
        "fg-great-circle-flag-text",
        fg(d=lambda: demand().to_crs(4326), s=lambda: sites().to_crs(4326), great_circle="no"),
        E,
        "great_circle",
    ),
    Case(
        G,
        "fg-allow-unreachable-text",
        fg(max_cost=1.0, allow_unreachable="no"),
        E,
        "allow_unreachable",
    ),
    Case(
        G,
        "fg-demand-off-network",
        lambda: erlocate.Instance.from_geodataframes(
            pts([(0, 10), (5000, 5000)]), sites(), network=net()
        ),
        E,
        "demand",
    ),
    Case(
        G,
        "fg-network-crs-differ",
        lambda: erlocate.Instance.from_geodataframes(
            demand().to_crs(3857), sites().to_crs(3857), network=net()
        ),
        E,
        "demand",
    ),
]
for label, bad in BAD_CUTOFF.items():
    FRAMES.append(Case(G, f"fg-max-cost-{label}", fg(max_cost=bad), E, "max_cost"))
for label, bad in BAD_POSITIVE.items():
    FRAMES.append(Case(G, f"fg-speed-{label}", fg(speed_kmh=bad), E, "speed_kmh"))
    FRAMES.append(
        Case(G, f"fg-access-speed-{label}", fg_net(access_speed_kmh=bad), E, "access_speed_kmh")
    )
    FRAMES.append(
        Case(G, f"fg-snap-tolerance-{label}", fg_net(snap_tolerance=bad), E, "snap_tolerance")
    )

# ---------------------------------------------------------------------- RoadNetwork.from_geodataframe
ROADS = [
    Case(G, "roads-dataframe", road_net(lambda: pd.DataFrame(roads())), E, "roads"),
    Case(G, "roads-none", lambda: RoadNetwork.from_geodataframe(None, speed_kmh=30), E, "roads"),
    Case(G, "roads-no-crs", road_net(lambda: roads(crs=None)), E, "roads"),
    Case(G, "roads-geographic", road_net(lambda: roads().to_crs(4326)), E, "roads"),
    Case(G, "roads-feet", road_net(lambda: roads().to_crs(2263)), E, "roads"),
    Case(G, "roads-empty", road_net(lambda: roads().iloc[:0]), E, "roads"),
    Case(
        G,
        "roads-points",
        road_net(lambda: roads(geometry=[Point(X0, Y0), Point(X0 + 1, Y0), Point(X0 + 2, Y0)])),
        E,
        "roads",
    ),
    Case(
        G,
        "roads-polygon",
        road_net(lambda: roads().set_geometry([box(X0, Y0, X0 + 1, Y0 + 1)] * 3, crs=UTM)),
        E,
        "roads",
    ),
    Case(
        G,
        "roads-none-geometry",
        road_net(
            lambda: roads().set_geometry(
                [LineString([(X0, Y0), (X0 + 9, Y0)]), None, None], crs=UTM
            )
        ),
        E,
        "roads",
    ),
    Case(G, "roads-no-speed", road_net(oneway_column="oneway"), E, "speed_kmh"),
    Case(G, "roads-speed-column-missing", road_net(speed_column="speed"), E, "speed_column"),
    Case(
        G,
        "roads-speed-column-words",
        road_net(lambda: roads(maxspeed=["fast", "slow", "slow"]), speed_column="maxspeed"),
        E,
        "speed_column",
    ),
    Case(
        G,
        "roads-speed-column-numeric-text",
        road_net(lambda: roads(maxspeed=["50", "30", "30"]), speed_column="maxspeed"),
        E,
        "speed_column",
    ),
    Case(
        G,
        "roads-speed-column-bool",
        road_net(lambda: roads(maxspeed=[True, True, True]), speed_column="maxspeed"),
        E,
        "speed_column",
    ),
    Case(
        G,
        "roads-speed-column-text-with-fallback",
        road_net(
            lambda: roads(maxspeed=["50 mph", 30.0, 30.0]), speed_column="maxspeed", speed_kmh=30
        ),
        E,
        "speed_column",
    ),
    Case(
        G,
        "roads-speed-column-negative",
        road_net(lambda: roads(maxspeed=[50.0, -30.0, 30.0]), speed_column="maxspeed"),
        E,
        "speed_column",
    ),
    Case(
        G,
        "roads-speed-column-nan-no-fallback",
        road_net(lambda: roads(maxspeed=[50.0, NAN, 30.0]), speed_column="maxspeed"),
        E,
        "speed_column",
    ),
    Case(
        G, "roads-class-column-without-speeds", road_net(class_column="highway"), E, "class_speeds"
    ),
    Case(
        G,
        "roads-class-column-missing",
        road_net(class_column="kind", class_speeds={"primary": 50}),
        E,
        "class_column",
    ),
    Case(
        G,
        "roads-class-speeds-negative",
        road_net(class_column="highway", class_speeds={"primary": 50, "residential": -30}),
        E,
        "class_speeds",
    ),
    Case(
        G,
        "roads-class-speeds-words",
        road_net(class_column="highway", class_speeds={"primary": 50, "residential": "slow"}),
        E,
        "class_speeds",
    ),
    Case(
        G,
        "roads-class-speeds-numeric-text",
        road_net(class_column="highway", class_speeds={"primary": "50", "residential": "30"}),
        E,
        "class_speeds",
    ),
    Case(
        G,
        "roads-class-speeds-missing-class",
        road_net(class_column="highway", class_speeds={"primary": 50}),
        E,
        "class_speeds",
    ),
    Case(
        G,
        "roads-class-speeds-list",
        road_net(class_column="highway", class_speeds=[50, 30]),
        E,
        "class_speeds",
    ),
    Case(
        G,
        "roads-class-speeds-without-column",
        road_net(speed_kmh=30, class_speeds={"primary": 50}),
        E,
        "class_column",
    ),
    Case(
        G,
        "roads-oneway-unrecognised",
        road_net(lambda: roads(oneway=["no", "maybe", "no"]), speed_kmh=30, oneway_column="oneway"),
        E,
        "oneway_column",
    ),
    Case(
        G,
        "roads-oneway-two",
        road_net(lambda: roads(oneway=[0, 2, 1]), speed_kmh=30, oneway_column="oneway"),
        E,
        "oneway_column",
    ),
    Case(
        G,
        "roads-oneway-column-missing",
        road_net(speed_kmh=30, oneway_column="one_way"),
        E,
        "oneway_column",
    ),
]
for label, bad in BAD_POSITIVE.items():
    ROADS.append(Case(G, f"roads-speed-{label}", road_net(speed_kmh=bad), E, "speed_kmh"))
    ROADS.append(
        Case(
            G,
            f"roads-node-tolerance-{label}",
            road_net(speed_kmh=30, node_tolerance=bad),
            E,
            "node_tolerance",
        )
    )
ROADS.append(
    Case(
        G,
        "roads-node-tolerance-none",
        road_net(speed_kmh=30, node_tolerance=None),
        E,
        "node_tolerance",
    )
)


# ---------------------------------------------------------------------- RoadNetwork.from_networkx
def _without_coords():
    g = graph()
    del g.nodes[2]["x"]
    return g


def _text_coords():
    g = graph()
    g.nodes[2]["y"] = "north"
    return g


def _numeric_text_coords():
    g = graph()
    g.nodes[2]["x"] = str(X0 + 100)
    return g


def _no_crs():
    g = graph()
    del g.graph["crs"]
    return g


NETWORKX = [
    Case(G, "nx-no-crs", nx_net(_no_crs), E, "crs"),
    Case(G, "nx-geographic-crs", nx_net(crs="EPSG:4326"), E, "crs"),
    Case(G, "nx-unknown-crs", nx_net(crs="EPSG:999999"), E, "crs"),
    Case(G, "nx-crs-number-garbage", nx_net(crs=object()), E, "crs"),
    Case(G, "nx-missing-coords", nx_net(_without_coords), E, "graph"),
    Case(G, "nx-text-coords", nx_net(_text_coords), E, "graph"),
    Case(G, "nx-numeric-text-coords", nx_net(_numeric_text_coords), E, "graph"),
    Case(G, "nx-missing-weight", nx_net(weight="length_s"), E, "weight"),
    Case(G, "nx-negative-weight", nx_net(lambda: graph(travel_time=-3.0)), E, "weight"),
    Case(G, "nx-zero-weight", nx_net(lambda: graph(travel_time=0.0)), E, "weight"),
    Case(G, "nx-nan-weight", nx_net(lambda: graph(travel_time=NAN)), E, "weight"),
    Case(G, "nx-text-weight", nx_net(lambda: graph(travel_time="17")), E, "weight"),
    Case(G, "nx-bool-weight", nx_net(lambda: graph(travel_time=True)), E, "weight"),
    Case(G, "nx-time-unit-h", nx_net(time_unit="h"), E, "time_unit"),
    Case(G, "nx-time-unit-minutes", nx_net(time_unit="minutes"), E, "time_unit"),
    Case(G, "nx-empty-graph", nx_net(lambda: nx.MultiDiGraph(crs=UTM)), E, "graph"),
    Case(
        G,
        "nx-no-edges",
        nx_net(lambda: nx.MultiDiGraph(nx.empty_graph([1, 2]), crs=UTM)),
        E,
        "graph",
    ),
    Case(G, "nx-not-a-graph", lambda: RoadNetwork.from_networkx({1: [2]}, crs=UTM), E, "graph"),
]


# ---------------------------------------------------------------------- snap / travel_times
def snap(points=None, **kw):
    return lambda: net().snap(demand() if points is None else points(), **kw)


SNAP = [
    Case(G, "snap-off-network", snap(lambda: pts([(0, 10), (5000, 5000)])), E, "points"),
    Case(G, "snap-crs-mismatch", snap(lambda: demand().to_crs(3857)), E, "points"),
    Case(G, "snap-geographic", snap(lambda: demand().to_crs(4326)), E, "points"),
    Case(
        G,
        "snap-linestrings",
        snap(lambda: gpd.GeoSeries([LineString([(X0, Y0), (X0 + 5, Y0)])], crs=UTM)),
        E,
        "points",
    ),
    Case(G, "snap-ids-short", snap(ids=["a"]), E, "points"),
    Case(G, "snap-array-3-columns", snap(lambda: np.zeros((2, 3))), E, "points"),
    Case(G, "snap-array-text", snap(lambda: np.array([["500000", "3000000"]])), E, "points"),
    Case(G, "snap-nan-coordinates", snap(lambda: np.array([[X0, NAN]])), E, "points"),
    Case(G, "tt-demand-off-network", tt(d=lambda: pts([(0, 10), (9000, 0)])), E, "demand"),
    Case(G, "tt-sites-off-network", tt(s=lambda: pts([(9000, 9000)])), E, "sites"),
    Case(G, "tt-sites-crs-mismatch", tt(s=lambda: sites().to_crs(3857)), E, "sites"),
    Case(
        G,
        "tt-demand-polygons",
        tt(d=lambda: gpd.GeoSeries([box(X0, Y0, X0 + 5, Y0 + 5)], crs=UTM)),
        E,
        "demand",
    ),
    Case(G, "tt-direction-both", tt(direction="both"), E, "direction"),
    Case(G, "tt-direction-none", tt(direction=None), E, "direction"),
    Case(G, "tt-demand-ids-short", tt(demand_ids=["a"]), E, "demand"),
]
for label, bad in BAD_POSITIVE.items():
    SNAP.append(Case(G, f"snap-tolerance-{label}", snap(tolerance=bad), E, "tolerance"))
    SNAP.append(
        Case(G, f"snap-access-speed-{label}", snap(access_speed_kmh=bad), E, "access_speed_kmh")
    )
    SNAP.append(Case(G, f"tt-tolerance-{label}", tt(tolerance=bad), E, "tolerance"))
for label, bad in BAD_CUTOFF.items():
    SNAP.append(Case(G, f"tt-max-minutes-{label}", tt(max_minutes=bad), E, "max_minutes"))


# ---------------------------------------------------------------------- disrupt
def disrupt(polygons=None, **kw):
    return lambda: net().disrupt(HAZARD if polygons is None else polygons(), **kw)


DISRUPT = [
    Case(G, "disrupt-crs-mismatch", disrupt(lambda: HAZARD.to_crs(3857)), E, "polygons"),
    Case(G, "disrupt-geographic", disrupt(lambda: HAZARD.to_crs(4326)), E, "polygons"),
    Case(G, "disrupt-neither", disrupt(close=False), E, "close"),
    Case(G, "disrupt-polygons-text", disrupt(lambda: "flood zone"), E, "polygons"),
    Case(G, "disrupt-polygons-none", disrupt(lambda: None), E, "polygons"),
    Case(G, "disrupt-polygons-numbers", disrupt(lambda: [1.0, 2.0]), E, "polygons"),
    Case(
        G,
        "disrupt-polygons-missing",
        disrupt(lambda: gpd.GeoSeries([HAZARD.geometry[0], None], crs=UTM)),
        E,
        "polygons",
    ),
]
for label, bad in BAD_POSITIVE.items():
    DISRUPT.append(Case(G, f"disrupt-slowdown-{label}", disrupt(slowdown=bad), E, "slowdown"))


# ---------------------------------------------------------------------- straight-line metrics
D_XY = np.array([[X0, Y0], [X0 + 100, Y0]])
S_XY = np.array([[X0 + 50, Y0]])
LONLAT = np.array([[113.6, 34.7], [113.7, 34.8]])

METRICS = [
    Case(
        G,
        "euclidean-geographic",
        lambda: euclidean(demand().to_crs(4326), sites().to_crs(4326)),
        E,
        "demand_points",
    ),
    Case(G, "euclidean-feet", lambda: euclidean(demand().to_crs(2263), S_XY), E, "demand_points"),
    Case(
        G,
        "euclidean-crs-mismatch",
        lambda: euclidean(demand(), sites().to_crs(3857)),
        E,
        "site_points",
    ),
    Case(G, "euclidean-3-columns", lambda: euclidean(np.zeros((2, 3)), S_XY), E, "demand_points"),
    Case(G, "euclidean-nan", lambda: euclidean(D_XY, np.array([[NAN, Y0]])), E, "site_points"),
    Case(G, "euclidean-inf", lambda: euclidean(np.array([[INF, Y0]]), S_XY), E, "demand_points"),
    Case(G, "euclidean-none", lambda: euclidean(None, S_XY), E, "demand_points"),
    Case(G, "euclidean-text-array", lambda: euclidean(D_XY.astype(str), S_XY), E, "demand_points"),
    Case(G, "euclidean-bool-array", lambda: euclidean(D_XY > X0, S_XY), E, "demand_points"),
    Case(G, "euclidean-words", lambda: euclidean(["a", "b"], S_XY), E, "demand_points"),
    Case(
        G,
        "euclidean-linestring",
        lambda: euclidean(D_XY, [LineString([(X0, Y0), (X0 + 1, Y0)])]),
        E,
        "site_points",
    ),
    Case(
        G,
        "manhattan-polygons",
        lambda: manhattan(gpd.GeoSeries([Polygon([(0, 0), (1, 0), (1, 1)])], crs=UTM), S_XY),
        E,
        "demand_points",
    ),
    Case(
        G, "manhattan-geographic", lambda: manhattan(D_XY, sites().to_crs(4326)), E, "site_points"
    ),
    Case(
        G,
        "euclidean-none-geometry",
        lambda: euclidean(gpd.GeoSeries([Point(X0, Y0), None], crs=UTM), S_XY),
        E,
        "demand_points",
    ),
    Case(
        G,
        "great-circle-latitude",
        lambda: great_circle(np.array([[34.7, 113.6]]), LONLAT),
        E,
        "demand_points",
    ),
    Case(
        G,
        "great-circle-nan",
        lambda: great_circle(LONLAT, np.array([[NAN, 34.0]])),
        E,
        "site_points",
    ),
    Case(
        G,
        "great-circle-linestring",
        lambda: great_circle(LineString([(0, 0), (1, 1)]), LONLAT),
        E,
        "demand_points",
    ),
]
_METRIC_CALLS = [
    ("euclidean-speed", BAD_POSITIVE, "speed_kmh", lambda b: euclidean(D_XY, S_XY, speed_kmh=b)),
    (
        "great-circle-speed",
        BAD_POSITIVE,
        "speed_kmh",
        lambda b: great_circle(LONLAT, LONLAT, speed_kmh=b),
    ),
    ("manhattan-max-cost", BAD_CUTOFF, "max_cost", lambda b: manhattan(D_XY, S_XY, max_cost=b)),
    (
        "great-circle-max-cost",
        BAD_CUTOFF,
        "max_cost",
        lambda b: great_circle(LONLAT, LONLAT, max_cost=b),
    ),
]
for prefix, bad_values, field, call in _METRIC_CALLS:
    for label, bad in bad_values.items():
        METRICS.append(Case(G, f"{prefix}-{label}", lambda c=call, b=bad: c(b), E, field))


CASES = FRAMES + ROADS + NETWORKX + SNAP + DISRUPT + METRICS


@pytest.mark.parametrize("case", params(CASES))
def test_bad_geo_input(case):
    check(case)


def test_good_inputs_pass():
    """The defaults the cases perturb are themselves valid."""
    inst = erlocate.Instance.from_geodataframes(
        demand(),
        sites(),
        demand_id="block",
        weight="pop",
        capacity="cap",
        site_cost="area",
        required="old",
    )
    assert inst.demand_ids.tolist() == ["a", "b", "c"]
    assert erlocate.Instance.from_geodataframes(demand(), sites(), network=net()).n_demand == 3
    assert (
        RoadNetwork.from_geodataframe(
            roads(), class_column="highway", class_speeds={"primary": 50, "residential": 30}
        ).n_nodes
        == 4
    )
    assert RoadNetwork.from_networkx(graph()).n_edges == 3
    assert net().disrupt(HAZARD, slowdown=2.0).n_edges == net().n_edges
    assert euclidean(D_XY, S_XY).shape == (2, 1)
    # numpy scalars, integer and object arrays of numbers, DataFrames of x, y are numbers
    ints = euclidean(D_XY.astype(np.int64), S_XY.astype(object), speed_kmh=np.int64(30))
    assert ints.shape == (2, 1)
    assert manhattan(pd.DataFrame(D_XY), S_XY, max_cost=np.float32(100)).shape == (2, 1)
    assert net().snap(D_XY, tolerance=np.int64(50)).shape[0] == 2
    assert great_circle(LONLAT, LONLAT, max_cost=1e6).shape == (2, 2)
