"""The district case builders: derived inputs, pinned optima on every backend, findings.

The figures are the embedded district's (``load_district()``); the optima were solved
with HiGHS and agree on CBC and SCIP. Each case solves in well under a second except
the depot model with transport costs (a few seconds, HiGHS only here).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import erlocate
from erlocate.datasets import load_district
from erlocate.district import (
    SCENARIOS,
    affected_people,
    community_areas,
    depot_case,
    fire_station_case,
    road_network,
    shelter_case,
    squad_shortfall,
    team_case,
    team_zones,
)
from erlocate.errors import InfeasibleError, InputError, VerificationError


@pytest.fixture(scope="module")
def district():
    return load_district()


# ---------------------------------------------------------------------- derived inputs
def test_community_areas_partition_each_unit(district):
    area = community_areas(district)
    assert (area > 0).all() and len(area) == 114
    # Voronoi cells clipped to their unit: per-unit sums are the unit areas, 64.7 km² in all
    by_unit = area.groupby(district.communities["unit_id"]).sum()
    np.testing.assert_allclose(by_unit[district.units.index], district.units.area / 1e6, rtol=1e-9)
    assert area.sum() == pytest.approx(64.7, abs=1e-4)


def test_affected_people_per_scenario(district):
    a = affected_people(district)
    assert list(a.columns) == list(SCENARIOS)
    c = district.communities
    # earthquake: 30 % of 140,000 = 42,000; geological: half of the 31 exposed villages
    assert a["earthquake"].sum() == pytest.approx(42_000)
    assert a["geological"].sum() == pytest.approx(0.5 * c.loc[c["geo_exposed"], "population"].sum())
    assert a["geological"].sum() == pytest.approx(10_685)
    assert a["flood"].sum() == pytest.approx(16_361.5)
    assert (a.loc[c["flood_risk"] == 0, "flood"] == 0).all()


def test_team_zones_and_squads(district):
    z = team_zones(district)
    assert len(z) == 121 and z.index[0] == "district"
    assert z["level"].value_counts().to_dict() == {
        "community": 78,
        "village": 36,
        "subdistrict": 5,
        "district": 1,
        "town": 1,
    }
    assert int(z["key"].sum()) == 75
    # 46 flood + 31 geological + 10 hazmat + 25 forest-fire = 112 key zone × hazard pairs
    assert z["hazards"].str.split(",").explode().replace("", np.nan).dropna().size == 112
    short = squad_shortfall(district)
    assert len(short) == 48 and int(short["recruits"].sum()) == 104


def test_bad_scenarios(district):
    with pytest.raises(InputError, match="scenario: None") as err:
        road_network(district, "earthquake")
    assert err.value.field == "scenario"
    with pytest.raises(InputError, match="flood_roads: 'closed' or 'slowed'"):
        depot_case(district, flood_roads="flooded")
    with pytest.raises(InputError, match="scenario: one of"):
        depot_case(district, scenario="tsunami")


# ---------------------------------------------------------------------- fire stations
def test_fire_stations_cover_all(district, backend):
    model, inst = fire_station_case(district)
    result = erlocate.solve(model, inst, backend)
    assert result.status == "optimal"
    # 7 small × 11 + 2 class-2 × 20 + 6 township-2 × 4 = 77 + 40 + 24 = 141
    assert result.objective == pytest.approx(141)
    s = result.report()["summary"]["value"]
    assert s["population_within_standard_before"] == 43_881
    assert s["population_within_standard_after"] == 119_375
    assert s["stations_new"] == 15 and s["unavoidable_blank_spots"] == 25


def test_fire_stations_two_new(district, backend):
    model, inst = fire_station_case(district, mode="max_cover", max_new=2)
    result = erlocate.solve(model, inst, backend)
    assert result.objective == pytest.approx(160_170.5)
    s = result.report()["summary"]["value"]
    assert s["population_within_standard_after"] == 76_503
    assert sorted(result.open_sites) == ["F01", "F06", "F13"]


def test_fire_station_plan_corrupted_is_rejected(district):
    model, inst = fire_station_case(district)
    result = erlocate.solve(model, inst)
    shut = result.plan.open.copy()
    shut[inst.site_ids.get_loc("F24")] = False  # F24's district now has no station
    with pytest.raises(VerificationError):
        dataclasses.replace(result, plan=dataclasses.replace(result.plan, open=shut)).verify()


def test_fire_stations_flooded_roads(district):
    model, inst = fire_station_case(district, scenario="flood")
    result = erlocate.solve(model, inst)
    s = result.report()["summary"]["value"]
    assert result.status == "optimal" and s["unavoidable_blank_spots"] >= 25


# ---------------------------------------------------------------------- shelters
def test_shelters(district, backend):
    model, inst = shelter_case(district)
    result = erlocate.solve(model, inst, backend)
    # 2 new shelters (integer part), then walking / (bound + 1)
    assert result.objective == pytest.approx(2.343768364636, rel=1e-9)
    new = sorted(set(result.open_sites) - set(inst.site_ids[inst.required]))
    assert new == ["S10", "S11"]
    s = result.report()["summary"]["value"]
    # usable area of the 6 existing shelters: 176,720 m² / 140,000 = 1.26 per resident
    assert s["usable m², existing"] == 176_720
    assert s["m² per resident, existing"] == pytest.approx(1.2623, abs=1e-4)
    # gross: 257,700 / 140,000 = 1.84 before; + 8,100 + 13,800 = 279,600 / 140,000 = 2.00 after
    gross = district.shelters.loc[result.open_sites, "area_m2"].sum()
    assert gross == 279_600


def test_shelters_flooded_roads_cut_villages_off(district):
    model, inst = shelter_case(district, scenario="flood")
    with pytest.raises(InfeasibleError, match=r"no shelter within the walking limit .* for 10 "):
        erlocate.solve(model, inst)


# ---------------------------------------------------------------------- depots
def test_depots_closed_flood_roads_cut_communities_off(district):
    model, inst = depot_case(district)
    with pytest.raises(
        InfeasibleError,
        match=r"scenario 'flood': 8 affected communit\(ies\) cannot be supplied within the "
        r"relief time of 10 h .*'C005' \(nearest usable depot none",
    ):
        erlocate.solve(model, inst)


def test_depots_without_transport(district, backend):
    model, inst = depot_case(district, flood_roads="slowed", transport_rate=0.0)
    result = erlocate.solve(model, inst, backend)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(1_566_153.15, rel=1e-8)
    cats = result.report()["categories"]
    assert ((cats["stock"] + cats["reserve"]) >= cats["peak_need"] * (1 - 1e-9)).all()
    assert cats.loc["engineering_materials", "peak_scenario"] == "flood"
    assert cats.loc["decontamination", "peak_scenario"] == "hazmat"


def test_depots_with_transport(district):
    model, inst = depot_case(district, flood_roads="slowed")
    result = erlocate.solve(model, inst)
    assert result.objective == pytest.approx(1_568_391.631, rel=1e-8)
    depots = result.report()["depots"]
    assert depots.index[depots["status"] == "excluded"].tolist() == ["D06", "D32", "D33"]
    opened = depots.index[depots["status"] == "opened"].tolist()
    assert opened == ["D11", "D14", "D15", "D18", "D20"]  # one per office without a depot


# ---------------------------------------------------------------------- teams
def test_teams_as_written_are_infeasible(district):
    model, inst = team_case(district)
    # 48 squads short of 10 people and the district zone short, 19 re-basable teams
    with pytest.raises(
        InfeasibleError,
        match=r"49 zone\(s\) are still short of their minimum \(154 people in all\), but only "
        r"19 team\(s\) can re-base",
    ):
        erlocate.solve(model, inst)


def test_teams_with_recruits(district, backend):
    model, inst = team_case(district, recruit=True)
    result = erlocate.solve(model, inst, backend)
    assert result.objective == pytest.approx(481.3991498231, rel=1e-9)
    tables = result.report()
    assert (tables["staffing"]["surplus"] >= 0).all()
    # the district militia company moves to the district zone (50 people needed there) and
    # one of the four identical fire crews to Jiyuan Rd (which crew differs by backend)
    assert tables["rebased"]["type"].tolist() == ["fire", "militia"]
    assert tables["rebased"].loc["T014", "to"] == "district"
    assert tables["hazard_coverage"]["met"].all()


def test_the_old_import_path_still_works_with_a_warning():
    import importlib
    import sys

    sys.modules.pop("erlocate.planning.district", None)
    with pytest.warns(DeprecationWarning, match="moved to erlocate.district"):
        old = importlib.import_module("erlocate.planning.district")
    import erlocate.district as new

    assert old.plan_district is new.plan_district and old.fire_station_case is new.fire_station_case
