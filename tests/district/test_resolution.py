import numpy as np
import pytest
import shapely

import erlocate
from erlocate.datasets import load_district
from erlocate.district import community_areas, fire_station_case
from erlocate.district.resolution import refine
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
