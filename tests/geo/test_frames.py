"""GeoDataFrames → Instance: ids, columns, cost choices, end-to-end solves, errors."""

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

import erlocate
from erlocate.errors import InputError
from erlocate.geo import RoadNetwork, from_geodataframes
from tests.geo.test_network import DEMAND, SITES, hand_net

UTM = "EPSG:32649"
X0, Y0 = 500_000, 3_840_000  # UTM 49N central meridian near Zhengzhou (scale error 0.04 %)


def line_frames():
    """Blocks at x = 0, 10, 20, 100 m east of X0 (population 1, 1, 1, 2); sites at 0, 20, 100."""
    demand = gpd.GeoDataFrame(
        {"block": ["a", "b", "c", "d"], "pop": [1.0, 1.0, 1.0, 2.0]},
        geometry=[Point(X0 + x, Y0) for x in (0, 10, 20, 100)],
        crs=UTM,
    )
    sites = gpd.GeoDataFrame(
        {"area": [50.0, 80.0, 60.0], "existing": [False, False, True]},
        geometry=[Point(X0 + x, Y0) for x in (0, 20, 100)],
        index=["s0", "s20", "s100"],
        crs=UTM,
    )
    return demand, sites


def test_pmedian_end_to_end_on_straight_lines():
    demand, sites = line_frames()
    inst = erlocate.Instance.from_geodataframes(
        demand, sites, demand_id="block", weight="pop", name="line"
    )
    assert inst.demand_ids.tolist() == ["a", "b", "c", "d"]
    assert inst.site_ids.tolist() == ["s0", "s20", "s100"]
    assert inst.demand_frame.index.tolist() == ["a", "b", "c", "d"]
    assert inst.site_frame["area"].tolist() == [50, 80, 60]
    np.testing.assert_array_equal(inst.dense_costs()[:, 1], [20, 10, 0, 80])
    result = erlocate.solve(erlocate.PMedian(1), inst, backend="highs")
    # weighted distance of one site: s0 0+10+20+2·100 = 230; s20 20+10+0+2·80 = 190;
    # s100 100+90+80+0 = 270 -> s20 with 190
    assert result.status == "optimal"
    assert result.open_sites.tolist() == ["s20"]
    assert result.objective == pytest.approx(190.0)


def test_pmedian_end_to_end_on_the_road_network():
    # travel times from test_network's hand network (minutes), rows d1..d4, columns S1, S2:
    # S1 = [3.12, 5.36, 1.62, 4.62], S2 = [1.5, 0.74, 3.0, 0]
    demand = DEMAND.assign(pop=[1.0, 1.0, 1.0, 1.0])
    inst = from_geodataframes(demand, SITES, network=hand_net(), weight="pop")
    r = erlocate.solve(erlocate.PMedian(1), inst, backend="highs")
    # S1: 3.12 + 5.36 + 1.62 + 4.62 = 14.72; S2: 1.5 + 0.74 + 3 + 0 = 5.24 -> S2
    assert r.open_sites.tolist() == ["S2"] and r.objective == pytest.approx(5.24, abs=1e-9)
    demand["pop"] = [1.0, 1.0, 10.0, 1.0]
    inst = from_geodataframes(demand, SITES, network=hand_net(), weight="pop")
    r = erlocate.solve(erlocate.PMedian(1), inst, backend="highs")
    # S1: 3.12 + 5.36 + 10·1.62 + 4.62 = 29.3; S2: 1.5 + 0.74 + 10·3 + 0 = 32.24 -> S1
    assert r.open_sites.tolist() == ["S1"] and r.objective == pytest.approx(29.3, abs=1e-9)
    assert inst.cost_of(3, 1) == 0.0  # d4 sits on S2: a real zero, not "unreachable"


def test_columns_required_and_cutoff():
    demand, sites = line_frames()
    inst = from_geodataframes(
        demand,
        sites,
        weight="pop",
        site_cost="area",
        capacity=[3, 3, 3],
        required="existing",
        speed_kmh=6,
        max_cost=0.5,
    )
    # 6 km/h = 100 m/min; cut-off 0.5 min = 50 m: a-s0 0, a-s20 .2, b-s0 .1, b-s20 .1,
    # c-s0 .2, c-s20 0, d-s100 0 (seven pairs)
    assert inst.n_pairs == 7
    assert inst.cost_of([1, 2, 3], [1, 0, 2]).tolist() == pytest.approx([0.1, 0.2, 0.0])
    assert inst.site_costs.tolist() == [50, 80, 60] and inst.required.tolist() == [
        False,
        False,
        True,
    ]
    assert inst.capacities.tolist() == [3, 3, 3]
    inst = from_geodataframes(demand, sites, required=["s0"], cost="manhattan")
    assert inst.required.tolist() == [True, False, False]


def test_great_circle_options_and_callable():
    demand, sites = line_frames()
    lonlat_d, lonlat_s = demand.to_crs("EPSG:4326"), sites.to_crs("EPSG:4326")
    a = from_geodataframes(lonlat_d, lonlat_s, great_circle=True).dense_costs()
    b = from_geodataframes(lonlat_d, lonlat_s, cost="great_circle").dense_costs()
    np.testing.assert_array_equal(a, b)
    # sphere vs UTM (ellipsoid, scale 0.9996 on the central meridian): east-west at 34.7° N the
    # ellipsoid's prime-vertical radius is ~0.2 % above the mean sphere radius -> ~0.18 % apart
    utm = from_geodataframes(demand, sites).dense_costs()
    np.testing.assert_allclose(a, utm, rtol=2.5e-3, atol=1e-6)

    def rounded(d, s):
        return np.round(np.abs(d.x.to_numpy()[:, None] - s.x.to_numpy()[None, :]) / 10)

    inst = from_geodataframes(demand, sites, cost=rounded, max_cost=5)
    assert inst.n_pairs == 7 and inst.cost_of(3, 2) == 0.0  # round(|dx| / 10) <= 5: as above


def test_polygons_become_representative_points_with_a_warning():
    demand = gpd.GeoDataFrame(
        geometry=[box(0, 0, 10, 10), Point(40, 5)], index=["park", "pt"], crs=UTM
    )
    sites = gpd.GeoDataFrame(geometry=[Point(5, 5)], crs=UTM)
    with pytest.warns(
        UserWarning,
        match=r"demand: 1 Polygon/MultiPolygon geometries replaced by their representative_point\(\)",
    ):
        inst = from_geodataframes(demand, sites)
    # representative point of the 10 m square is its centre (5, 5): distance 0; (40,5) -> 35
    np.testing.assert_allclose(inst.dense_costs()[:, 0], [0.0, 35.0])
    assert inst.demand_frame.geometry.iloc[0].geom_type == "Polygon"  # the frame keeps the shape


# ---------------------------------------------------------------------- errors
def test_missing_crs():
    demand, sites = line_frames()
    with pytest.raises(InputError, match=r"sites: no CRS; set it with sites.set_crs\(...\)") as err:
        from_geodataframes(demand, sites.set_crs(None, allow_override=True))
    assert err.value.field == "sites"


def test_mismatched_crs():
    demand, sites = line_frames()
    with pytest.raises(
        InputError,
        match=r"sites: CRS EPSG:4326 differs from the demand CRS EPSG:32649; reproject with sites.to_crs\(demand.crs\)",
    ):
        from_geodataframes(demand, sites.to_crs("EPSG:4326"))


def test_geographic_crs_with_euclidean_cost():
    demand, sites = line_frames()
    with pytest.raises(
        InputError,
        match=r"demand: CRS EPSG:4326 is geographic \(degrees\); cost='euclidean' needs a projected CRS in metres: "
        r"reproject with gdf.to_crs\(gdf.estimate_utm_crs\(\)\) \(both frames\), or use cost='great_circle'",
    ):
        from_geodataframes(demand.to_crs("EPSG:4326"), sites.to_crs("EPSG:4326"))


def test_empty_frames():
    demand, sites = line_frames()
    with pytest.raises(
        InputError, match="demand: the GeoDataFrame is empty; need at least one point"
    ):
        from_geodataframes(demand.iloc[:0], sites)
    with pytest.raises(InputError, match="sites: the GeoDataFrame is empty"):
        from_geodataframes(demand, sites.iloc[:0])


def test_duplicate_ids():
    demand, sites = line_frames()
    demand["block"] = ["a", "b", "a", "b"]
    with pytest.raises(
        InputError, match=r"demand: demand column 'block' must be unique; duplicated: \['a', 'b'\]"
    ):
        from_geodataframes(demand, sites, demand_id="block")
    with pytest.raises(InputError, match=r"sites: sites ids must be unique; duplicated: \['s0'\]"):
        from_geodataframes(demand, sites.set_axis(["s0", "s0", "s1"]))


def test_unreachable_demand_listed():
    demand, sites = line_frames()
    with pytest.raises(
        InputError,
        match=r"demand: 1 point\(s\) that no site reaches within max_cost=15 m: ids \['d'\]; raise max_cost",
    ):
        from_geodataframes(demand.set_index("block"), sites.iloc[:2], max_cost=15)
    # on the road network: with C-F closed, S1 cannot reach d2 or d4 at all
    net = hand_net().disrupt(box(1900, 400, 2100, 600))
    with pytest.raises(
        InputError,
        match=r"demand: 2 point\(s\) that no site reaches at all: 2 snapped into a part of the "
        r"network cut off from every site: 'd2' into a part of 1 node, 'd4' into a part of 1 node",
    ):
        from_geodataframes(DEMAND.iloc[1:], SITES.iloc[[0]], network=net)
    with pytest.raises(
        InputError,
        match=r"within max_cost=2 min: 2 reach a site only beyond max_cost=2 min, best time "
        r"'d2' \(5.36 min\), 'd4' \(4.62 min\): raise max_cost",
    ):
        from_geodataframes(DEMAND.iloc[1:], SITES.iloc[[0]], network=hand_net(), max_cost=2)


def test_unreachable_demand_kept_on_request_and_access_speed():
    net = hand_net().disrupt(box(1900, 400, 2100, 600))
    inst = from_geodataframes(DEMAND.iloc[1:], SITES.iloc[[0]], network=net, allow_unreachable=True)
    reach = np.bincount(inst.pair_rows, minlength=inst.n_demand)
    assert inst.demand_ids[reach == 0].tolist() == ["d2", "d4"]  # kept, with no pair
    # the access legs (point <-> road) are the only part that depends on access_speed_kmh
    walk = from_geodataframes(DEMAND, SITES, network=hand_net()).dense_costs()
    drive = from_geodataframes(DEMAND, SITES, network=hand_net(), access_speed_kmh=50).dense_costs()
    assert (drive <= walk + 1e-12).all() and (drive < walk - 1e-9).any()


def test_network_beyond_tolerance_and_cost_choices():
    demand = gpd.GeoDataFrame(geometry=[Point(1000, 5000)], index=["farm"], crs=UTM)
    with pytest.raises(InputError, match=r"demand: 1 point\(s\) off-network .* ids \['farm'\]"):
        from_geodataframes(demand, SITES, network=hand_net())
    with pytest.raises(
        InputError,
        match=r"cost: 'road' is not one of \['euclidean', 'manhattan', 'great_circle', 'network'\]",
    ):
        from_geodataframes(DEMAND, SITES, cost="road")
    with pytest.raises(InputError, match="network: cost='network' needs network=RoadNetwork"):
        from_geodataframes(DEMAND, SITES, cost="network")
    with pytest.raises(InputError, match="network: given, but cost='euclidean'"):
        from_geodataframes(DEMAND, SITES, cost="euclidean", network=hand_net())


def test_bad_columns_and_geometry():
    demand, sites = line_frames()
    with pytest.raises(
        InputError,
        match=r"weight: no column 'population'; columns are \['block', 'pop', 'geometry'\]",
    ):
        from_geodataframes(demand, sites, weight="population")
    with pytest.raises(InputError, match="required: column 'area' must be boolean"):
        from_geodataframes(demand, sites, required="area")
    roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)])], crs=UTM)
    with pytest.raises(
        InputError, match=r"sites: rows \[0\] are missing, empty or not points/polygons"
    ):
        from_geodataframes(demand, roads)
    with pytest.raises(InputError, match="demand: expected a GeoDataFrame, got DataFrame"):
        from_geodataframes(demand.drop(columns="geometry"), sites)


def test_network_frames_roundtrip_ids():
    net = RoadNetwork.from_geodataframe(
        gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1000, 0)])], crs=UTM), speed_kmh=60
    )
    demand = gpd.GeoDataFrame({"id": [7, 8]}, geometry=[Point(0, 0), Point(1000, 0)], crs=UTM)
    sites = gpd.GeoDataFrame({"sid": ["x"]}, geometry=[Point(250, 0)], crs=UTM)
    inst = from_geodataframes(
        demand, sites, demand_id="id", site_id="sid", network=net, direction="to_sites"
    )
    # 250 m and 750 m at 1000 m/min
    np.testing.assert_allclose(inst.dense_costs()[:, 0], [0.25, 0.75])
    assert inst.demand_frame.index.tolist() == [7, 8] and inst.site_frame.index.tolist() == ["x"]
