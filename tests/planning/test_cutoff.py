"""Points cut off by a road closure: the planning models refuse, naming every one, like PMedian.

The models that must serve everyone raise ``InfeasibleError`` naming each demand point
no candidate reaches (all of them, not the first ten) and pointing at
``instance.drop_demand(ids)``; after dropping them the model solves and both
``Result.summary()`` and the report's summary table name the dropped points. Fire
stations with ``allow_blank=True`` keep their opt-in: the cut-off point is a blank
spot, reported by id with its reason. The cut-off cases are the district's flooded
road network (fire stations, shelters, depots) and a zones × zones matrix with a zone
cut off (teams: every district zone keeps at least its in-zone time in the flood).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.datasets import load_district
from erlocate.district import depot_case, fire_station_case, shelter_case
from erlocate.errors import InfeasibleError
from erlocate.planning import TeamAllocation


@pytest.fixture(scope="module")
def district():
    return load_district()


def named(message: str) -> list[str]:
    """The ids listed after 'ids [' in an error message."""
    found = re.search(r"ids \[([^\]]*)\]", message)
    assert found, message
    return re.findall(r"'([^']*)'", found[1])


def assert_dropped_named(result: erlocate.Result, ids: list, key: str) -> None:
    assert result.status == "optimal"
    assert result.instance.dropped == tuple(ids)
    summary = result.summary()
    assert f"not served: {len(ids)} demand points dropped" in summary
    row = result.report()["summary"].loc[key, "value"]
    assert row.startswith(f"{len(ids)}: ")
    for i in ids:
        assert repr(i) in summary and repr(i) in row


def test_fire_stations_cut_off_by_flood(district):
    model, inst = fire_station_case(district, scenario="flood")  # allow_blank=True
    assert list(inst.unreachable_ids) == ["C034"]  # no road out of C034 in the flood
    report = erlocate.solve(model, inst).report()
    blank = report["blank_spots"]
    assert blank.loc["C034", "reason"] == "cut off: no candidate site reachable"
    assert report["summary"].loc["unreachable_points", "value"] == "1: ['C034']"
    lost = blank.index[blank["unavoidable"]].tolist()
    assert len(lost) == 28  # C034 and 27 more no candidate serves within 5 minutes
    strict = model.replace(allow_blank=False)
    with pytest.raises(InfeasibleError, match=r"instance\.drop_demand\(ids\)") as err:
        erlocate.solve(strict, inst)
    message = str(err.value)
    assert message.startswith("28 demand point(s) cannot be served within the 5-minute")
    assert named(message) == lost  # every one of the 28, not the first ten
    result = erlocate.solve(strict, inst.drop_demand(lost))
    assert_dropped_named(result, lost, "dropped_demand_points")
    assert result.report()["summary"].loc["blank_spots", "value"] == 0


def test_shelters_cut_off_by_flood(district):
    model, inst = shelter_case(district, scenario="flood")
    cut = list(inst.unreachable_ids)
    assert len(cut) == 10
    with pytest.raises(InfeasibleError, match=r"instance\.drop_demand\(ids\)") as err:
        erlocate.solve(model, inst)
    assert "for 10 communities" in str(err.value) and named(str(err.value)) == cut
    result = erlocate.solve(model, inst.drop_demand(cut))
    assert_dropped_named(result, cut, "communities dropped (instance.dropped)")
    assert result.report()["communities"]["housed"].all()


def test_depots_cut_off_by_flood(district):
    model, inst = depot_case(district, transport_rate=0.0)  # flooded roads closed
    flooded = model.scenario_costs["flood"]
    usable = model.data(inst).allowed  # not in a flood zone nor near the fault line
    reach = np.bincount(flooded.pair_rows[usable[flooded.indices]], minlength=flooded.n_demand)
    affected = model.affected["flood"].reindex(flooded.demand_ids).to_numpy() > 0
    cut = flooded.demand_ids[affected & (reach == 0)].tolist()  # no road to a usable site
    assert len(cut) == 8
    with pytest.raises(InfeasibleError, match=r"instance\.drop_demand\(ids\)") as err:
        erlocate.solve(model, inst)
    message = str(err.value)
    assert message.startswith("scenario 'flood': 8 affected communit(ies) cannot be supplied")
    assert named(message) == cut
    # the flood matrix is labelled by id: it lines up with the instance after the drop
    result = erlocate.solve(model, inst.drop_demand(cut))
    assert_dropped_named(result, cut, "communities dropped (instance.dropped)")
    unmet = result.report()["summary"].loc["unmet need (units, all scenarios)", "value"]
    assert unmet == pytest.approx(0.0, abs=1e-6)


def test_teams_zone_cut_off():
    # Zones on a line A 0, B 2, X 3, C 4; a closure cuts X off (row and column inf: nothing
    # reaches it, not even its in-zone time). Minima: town A 20, communities 10.
    ids = ["A", "B", "X", "C"]
    pos = np.array([0.0, 2.0, 3.0, 4.0])
    cost = np.abs(pos[:, None] - pos[None, :]) + 1.0
    cost[2, :] = cost[:, 2] = np.inf
    inst = erlocate.Instance.from_matrix(cost, demand_ids=ids, site_ids=ids, weights=[1, 2, 5, 3])
    teams = pd.DataFrame(
        {
            "type": ["fire", "militia", "community"],
            "size": [30, 20, 10],
            "home": ["A", "A", "C"],
            "rebasable": [False, True, False],
        },
        index=pd.Index(["t1", "t2", "t3"], name="id"),
    )
    level = pd.Series(["town", "community", "community", "community"], index=ids)
    model = TeamAllocation(teams, level=level, move_cost=0.5)
    with pytest.raises(InfeasibleError, match=r"instance\.drop_demand\(ids\)") as err:
        erlocate.solve(model, inst)
    assert str(err.value).startswith("1 zone(s) reach no zone where a team can be stationed")
    assert named(str(err.value)) == ["X"]
    result = erlocate.solve(model, inst.drop_demand(["X"])).verify()
    # B needs 10 people: the militia re-bases there (0.5); A keeps the fire crew's 30 >= 20.
    # Primary responders in-zone: risk 1 + 2 + 3 = 6, plus the move: 6.5.
    assert result.objective == pytest.approx(6.5)
    assert result.open_sites.tolist() == ["A", "B", "C"]  # the dropped zone holds no team
    assert_dropped_named(result, ["X"], "zones dropped (instance.dropped)")
    assert result.report()["rebased"]["to"].to_dict() == {"t2": "B"}
