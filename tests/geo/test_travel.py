"""Straight-line costs: hand values, sparse = dense within the cut-off, stored zeros, errors."""

import geopandas as gpd
import numpy as np
import pytest
import scipy.sparse as sp
from shapely.geometry import Point

from erlocate.errors import InputError
from erlocate.geo import euclidean, great_circle, manhattan, unreachable
from erlocate.geo.travel import EARTH_RADIUS_M

UTM = "EPSG:32649"


def pts(coords, crs=UTM, index=None):
    return gpd.GeoSeries([Point(c) for c in coords], crs=crs, index=index)


def test_euclidean_and_manhattan_hand_values():
    d = pts([(0, 0), (300, 400)])
    s = pts([(0, 0), (600, 800)])
    # (0,0)-(600,800): sqrt(600² + 800²) = 1000; (300,400)-(0,0) = 500; (300,400)-(600,800) = 500
    np.testing.assert_array_equal(euclidean(d, s), [[0, 1000], [500, 500]])
    # |dx| + |dy|: 600 + 800 = 1400, 300 + 400 = 700
    np.testing.assert_array_equal(manhattan(d, s), [[0, 1400], [700, 700]])
    # 30 km/h = 500 m/min: 1000 m = 2 min, 500 m = 1 min
    np.testing.assert_allclose(euclidean(d, s, speed_kmh=30), [[0, 2], [1, 1]], rtol=1e-15)


def test_sparse_keeps_coincident_points_as_stored_zeros():
    d = pts([(0, 0), (300, 400), (5000, 5000)])
    s = pts([(0, 0), (600, 800)])
    m = euclidean(d, s, max_cost=500)
    assert isinstance(m, sp.csr_array) and m.shape == (3, 2)
    # stored entries: (0,0)=0 [coincident], (1,0)=500, (1,1)=500 [on the cut-off]; (0,1)=1000 out
    assert m.nnz == 3
    assert m.indptr.tolist() == [0, 1, 3, 3] and m.indices.tolist() == [0, 0, 1]
    assert m.data.tolist() == [0.0, 500.0, 500.0]
    assert unreachable(m).tolist() == [2]


@pytest.mark.parametrize("metric", [euclidean, manhattan])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparse_equals_dense_within_cutoff(metric, seed):
    rng = np.random.default_rng(seed)
    a = np.round(rng.random((60, 2)) * 5000)
    b = np.vstack([a[:5], np.round(rng.random((20, 2)) * 5000)])  # five coincident pairs
    dense = metric(a, b, speed_kmh=40)
    sparse = metric(a, b, speed_kmh=40, max_cost=3.0)
    expect = np.where(dense <= 3.0, dense, np.inf)
    got = np.full(dense.shape, np.inf)
    coo = sparse.tocoo()
    got[coo.row, coo.col] = coo.data
    np.testing.assert_allclose(got, expect, rtol=1e-12, atol=0)
    assert sparse.nnz == int((dense <= 3.0).sum())
    assert (coo.data == 0).sum() >= 5


def test_great_circle_one_degree_on_the_equator():
    d = pts([(0, 0), (10, 60)], crs="EPSG:4326")
    s = pts([(1, 0), (10, 61)], crs="EPSG:4326")
    arc = EARTH_RADIUS_M * np.pi / 180  # 111,195.08 m: one degree of arc
    got = great_circle(d, s)
    assert got[0, 0] == pytest.approx(arc, rel=1e-12)
    assert got[1, 1] == pytest.approx(arc, rel=1e-12)  # along a meridian too
    # 60 km/h = 1000 m/min
    assert great_circle(d, s, speed_kmh=60)[0, 0] == pytest.approx(arc / 1000, rel=1e-12)
    sparse = great_circle(d, s, max_cost=arc * 1.0001)
    assert sparse.nnz == 2 and sorted(sparse.data) == pytest.approx([arc, arc], rel=1e-12)


def test_great_circle_converts_projected_input():
    d = pts([(113.6, 34.7)], crs="EPSG:4326")
    s = pts([(113.7, 34.8)], crs="EPSG:4326")
    expect = great_circle(d, s)[0, 0]
    got = great_circle(d.to_crs(UTM), s.to_crs(UTM))[0, 0]
    assert got == pytest.approx(expect, rel=1e-9)
    assert 14_000 < expect < 15_000  # 0.1° lon × 0.1° lat near 34.7° N ≈ 14.4 km


def test_geographic_crs_rejected_for_planar_metrics():
    d = pts([(113.6, 34.7)], crs="EPSG:4326")
    with pytest.raises(
        InputError, match=r"geographic \(degrees\).*gdf.to_crs\(gdf.estimate_utm_crs\(\)\)"
    ) as err:
        euclidean(d, d)
    assert err.value.field == "demand_points"
    with pytest.raises(InputError, match="geographic"):
        manhattan(d, d)


def test_feet_crs_rejected():
    d = pts([(0, 0)], crs="EPSG:2263")  # NY Long Island, US survey feet
    with pytest.raises(InputError, match="not metres"):
        euclidean(d, d)


def test_mismatched_crs_rejected():
    with pytest.raises(
        InputError,
        match=r"site_points: CRS EPSG:32650 differs from the demand_points CRS EPSG:32649",
    ):
        euclidean(pts([(0, 0)]), pts([(0, 0)], crs="EPSG:32650"))


@pytest.mark.parametrize("speed", [0, -5, np.nan, "fast"])
def test_bad_speed(speed):
    with pytest.raises(InputError, match="speed_kmh: must be a"):
        euclidean(pts([(0, 0)]), pts([(1, 1)]), speed_kmh=speed)


def test_bad_points_and_cutoff():
    with pytest.raises(InputError, match=r"demand_points: rows \['b'\] are not non-empty Points"):
        euclidean(
            gpd.GeoSeries([Point(0, 0), Point(0, 0).buffer(1)], index=["a", "b"], crs=UTM),
            pts([(0, 0)]),
        )
    with pytest.raises(InputError, match="max_cost: must be >= 0"):
        euclidean(pts([(0, 0)]), pts([(0, 0)]), max_cost=-1)
    with pytest.raises(InputError, match="latitude outside"):
        great_circle(np.array([[0.0, 95.0]]), np.array([[0.0, 0.0]]))
