import geopandas as gpd
import numpy as np
import pytest
import shapely

import erlocate
from erlocate.datasets import load_district
from erlocate.district import (
    community_areas,
    depot_case,
    fire_station_case,
    shelter_case,
    team_case,
)
from erlocate.district.inputs import community_cells
from erlocate.district.resolution import (
    Buildings,
    Grid,
    Points,
    at_resolution,
    communities_of,
    parse,
    refine,
)
from erlocate.errors import InputError


@pytest.fixture(scope="module")
def district():
    return load_district()


@pytest.mark.parametrize("k", [2, 4, 16])
def test_population_split_exactly_and_points_inside(district, k):
    fine = refine(district, per_community=k, seed=1)
    c, coarse = fine.communities, district.communities
    assert len(c) == k * len(coarse)
    by_parent = c.groupby("parent")["population"].sum()
    assert (by_parent.loc[coarse.index] == coarse["population"]).all()
    assert c["population"].max() - c.groupby("parent")["population"].transform("min").max() <= 1
    d = shapely.distance(c.geometry.to_numpy(), coarse.geometry.loc[c["parent"]].to_numpy())
    assert d.max() <= 300.0 + 1e-6
    units = district.units.geometry.loc[c["unit_id"]].to_numpy()
    assert shapely.covers(units, c.geometry.to_numpy()).all()
    assert community_areas(fine).sum() == pytest.approx(64.7, abs=1e-3)


def test_identical_points_give_the_coarse_plan(district):
    coarse = erlocate.solve(*fire_station_case(district))
    fine = erlocate.solve(*fire_station_case(refine(district, per_community=4, jitter_m=0)))
    assert coarse.status == fine.status == "optimal"
    assert fine.objective == coarse.objective == 141.0


def test_one_point_per_community_is_the_district(district):
    assert refine(district, per_community=1) is district


@pytest.mark.parametrize(
    "kw",
    [
        {"per_community": 0},
        {"per_community": 2.5},
        {"per_community": 2, "jitter_m": -1.0},
        {"per_community": 2, "jitter_m": np.inf},
    ],
)
def test_bad_arguments_are_refused(district, kw):
    with pytest.raises(InputError):
        refine(district, **kw)


# ---------------------------------------------------------------------- grid, buildings, parse
@pytest.mark.parametrize("cell", [250.0, 500.0])
def test_grid_shares_each_community_exactly_within_its_cell(district, cell):
    fine = at_resolution(district, Grid(cell)).communities
    coarse = district.communities
    by_parent = fine.groupby("parent")["population"].sum()
    assert (by_parent.reindex(coarse.index) == coarse["population"]).all()
    assert (fine["population"] > 0).all() and fine.index.is_unique
    cells = community_cells(district).loc[fine["parent"]].to_numpy()
    assert shapely.covers(shapely.buffer(cells, 1e-6), fine.geometry.to_numpy()).all()
    # people live near roads: every point within road_m of a road (or its community has none)
    roads = shapely.union_all(district.roads.geometry.to_numpy())
    far = shapely.distance(fine.geometry.to_numpy(), roads) > 400.0 + 1e-6
    assert not far.any() or fine.loc[far, "parent"].isin(fine.loc[~far, "parent"]).sum() == 0
    # finer cells, more points; hazard attributes come from the community
    assert (fine["risk"].to_numpy() == coarse["risk"].loc[fine["parent"]].to_numpy()).all()


def test_grid_points_feed_the_builders(district):
    model, inst = fire_station_case(district, resolution=Grid(500))
    assert inst.n_demand == len(at_resolution(district, Grid(500)).communities)
    res = erlocate.solve(model, inst)
    assert res.status == "optimal"


def buildings_frame(district, crs: str | None = None):
    """Two square footprints per community (one twice as large), near its point."""
    pts = district.communities.geometry.to_numpy()
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    small = shapely.box(x - 10, y - 10, x + 10, y + 10)
    big = shapely.box(x + 15, y - 10, x + 15 + 20 * np.sqrt(2), y - 10 + 20 * np.sqrt(2))
    frame = gpd.GeoDataFrame(
        {"dwellings": np.r_[np.ones(len(pts)), 2 * np.ones(len(pts))]},
        geometry=np.r_[small, big],
        crs=district.crs,
    )
    return frame if crs is None else frame.to_crs(crs)


def test_buildings_share_people_by_footprint_or_weight(district):
    frame = buildings_frame(district, "EPSG:4326")  # any CRS: converted to the district's
    for weight in (None, "dwellings"):
        fine = at_resolution(district, Buildings(frame, weight=weight)).communities
        coarse = district.communities
        assert len(fine) <= 2 * len(coarse)
        by_parent = fine.groupby("parent")["population"].sum()
        assert (by_parent.reindex(coarse.index) == coarse["population"]).all()
        # the larger building (area x2, or 2 dwellings) holds about two thirds
        number = fine.index.str.extract(r"\.b(\d+)$")[0].astype(float).to_numpy()
        big = fine[number >= len(coarse)]  # the second footprint of each community
        share = big["population"].to_numpy() / coarse["population"].loc[big["parent"]].to_numpy()
        np.testing.assert_allclose(share, 2 / 3, atol=2 / coarse["population"].min() + 1e-3)


def test_buildings_outside_and_communities_without_any(district):
    frame = buildings_frame(district)
    far = frame.copy()
    far.geometry = far.geometry.translate(1e6, 0)
    with pytest.raises(InputError, match="outside the district"):
        at_resolution(district, Buildings(far))
    some = frame.iloc[: len(district.communities) // 2]  # half the communities have none
    with pytest.warns(UserWarning, match="no building"):
        fine = at_resolution(district, Buildings(some)).communities
    assert int(fine["population"].sum()) == int(district.communities["population"].sum())


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Grid(0), "cell_m"),
        (lambda: Grid(float("nan")), "cell_m"),
        (lambda: Grid(100, road_m=-1), "road_m"),
        (lambda: Points(0), "per_community"),
        (lambda: Points(2, jitter_m=-5), "jitter_m"),
        (lambda: Buildings("not a frame"), "buildings"),
        (lambda: Buildings(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)])), "buildings"),
        (lambda: parse("hexagons"), "resolution"),
        (lambda: parse("grid:-3"), "resolution"),
        (lambda: at_resolution(None, 42), "resolution"),
    ],
)
def test_bad_resolutions_are_refused(make, field):
    with pytest.raises(InputError) as err:
        make()
    assert err.value.field == field


def test_parse_and_communities():
    assert parse("communities") == "communities"
    assert parse("grid:250") == Grid(250.0)
    assert parse("points:16") == Points(16)
    d = load_district()
    assert at_resolution(d, "communities") is d


@pytest.mark.parametrize("resolution", [Points(16), Grid(250)])
def test_team_zones_stay_the_communities(district, resolution):
    fine = at_resolution(district, resolution)
    back = communities_of(fine).communities
    coarse = district.communities
    assert back.index.equals(coarse.index)
    assert (back["population"] == coarse["population"]).all()
    assert shapely.equals_exact(back.geometry.to_numpy(), coarse.geometry.to_numpy(), 1e-9).all()
    a = erlocate.solve(*team_case(district, recruit=True))
    b = erlocate.solve(*team_case(fine, recruit=True))
    assert a.objective == pytest.approx(b.objective, rel=1e-12)


def test_identical_points_give_the_coarse_shelter_and_depot_plans(district):
    same = Points(4, jitter_m=0)
    coarse = erlocate.solve(*shelter_case(district))
    fine = erlocate.solve(*shelter_case(district, resolution=same))
    assert fine.objective == pytest.approx(coarse.objective, rel=1e-12)
    assert fine.open_sites.equals(coarse.open_sites)
    coarse = erlocate.solve(*depot_case(district, flood_roads="slowed"))
    model, inst = depot_case(district, flood_roads="slowed", resolution=same)
    fine = erlocate.solve(model, inst)  # 4 x 126,799 flow columns: Benders
    assert fine.termination.startswith("Benders")
    assert fine.objective == pytest.approx(coarse.objective, rel=2e-6)
