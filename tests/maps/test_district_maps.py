"""The district report's maps, drawn through the shared layers and the ``layers=`` hook."""

from __future__ import annotations

from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pytest
import shapely

from erlocate.district import plan_district
from erlocate.district.figures import (
    LOCAL_LEVELS,
    TEAM_COLOURS,
    TEAM_OFFSET,
    hazard_layers,
    rebased_layer,
    section_map,
    team_layers,
    team_map,
    zone_layers,
)
from erlocate.maps import plot
from erlocate.maps.base import map_data
from erlocate.maps.layers import PLAN_LAYERS
from tests.maps.conftest import legend_labels


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return plan_district(tmp_path_factory.mktemp("report"))  # writes report.md and maps/*.png


def test_the_report_has_a_map_per_model(plan):
    for name in ("fire_stations", "shelters", "depots", "teams"):
        path = plan.out / "maps" / f"{name}.png"
        assert path.stat().st_size > 20_000, name


def test_team_map_layers(plan):
    result = plan.teams
    data = map_data(result, roads=plan.district.roads, units=plan.district.units)
    zones = result.instance.demand_frame
    dots, rings, names = zone_layers(data)
    local = zones["level"].isin(LOCAL_LEVELS)
    assert len(dots) == local.sum() == 114
    assert len(rings) == (local & zones["key"]).sum()
    assert len(names) == 7 and "district HQ" in names.text and "Xiawo" in names.text

    workload = result.report()["workload"]
    teams = team_layers(workload, data)
    (moves,) = rebased_layer(workload, data)
    pro = workload[workload["type"] != "community"]
    assert [layer.colours()[0] for layer in teams] == list(TEAM_COLOURS.values())
    stations = pro.groupby(["station", "type"]).ngroups
    assert sum(len(layer) for layer in teams) == stations
    total = sum(layer.sizes().sum() for layer in teams)
    assert total == pytest.approx(25 * stations + 1.2 * pro["size"].sum())
    rebased = pro[pro["rebased"]]
    assert moves.kind == "arrows" and len(moves) == len(rebased) == 2
    assert moves.colours().tolist() == [TEAM_COLOURS[k] for k in rebased["type"]]
    lines = np.asarray(moves.geometry.values)
    tails = shapely.get_point(lines, 0)
    heads = shapely.get_point(lines, -1)
    home = np.asarray(zones.geometry.loc[rebased["home"]].values)
    station = np.asarray(zones.geometry.loc[rebased["station"]].values)
    np.testing.assert_allclose(shapely.distance(tails, home), TEAM_OFFSET)
    np.testing.assert_allclose(shapely.distance(heads, station), TEAM_OFFSET)


def test_team_map_draws_through_plot(plan):
    fig, ax = plt.subplots()
    team_map(plan, ax)
    labels = legend_labels(ax)
    assert labels[0] == "fire team(s), area ∝ people" and "units" not in labels
    assert labels[-3:] == [  # the order the report's team map always had
        "village/community (its own squad)",
        "key zone (faces a hazard)",
        "re-based: home → station",
    ]
    assert ax.get_title().startswith("Teams: ")
    assert ax.get_legend()._loc == 3  # lower left
    plt.close(fig)


def test_depot_map_adds_the_hazards(plan, tmp_path):
    data = map_data(plan.depots)
    flood, fault = hazard_layers(plan.district.hazards, data)
    kinds = plan.district.hazards["kind"]
    assert len(flood) == (kinds == "flood_zone").sum() and flood.kind == "areas"
    assert len(fault) == (kinds == "fault").sum() and fault.kind == "lines"
    ax = plot(plan.depots, layers=(*PLAN_LAYERS, partial(hazard_layers, plan.district.hazards)))
    assert legend_labels(ax)[-2:] == ["flood zone (no depot)", "fault line (no depot within 500 m)"]
    section_map(plan, "depots", tmp_path / "depots.png")
    assert (tmp_path / "depots.png").stat().st_size > 20_000
