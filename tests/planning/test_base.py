"""The planning skeleton: each model resolves its inputs once per solve + report."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

import erlocate
from erlocate.district import depot_case, fire_station_case, shelter_case, team_case

CASES = {
    "fire_stations": fire_station_case,
    "shelters": shelter_case,
    "depots": lambda: depot_case(flood_roads="slowed"),
    "teams": lambda: team_case(recruit=True),
}


@pytest.fixture(params=sorted(CASES))
def case(request):
    return CASES[request.param]()


def counting(cls, monkeypatch):
    calls = []
    resolve = cls.steps.resolve

    def wrapped(instance, **params):
        calls.append(instance)
        return resolve(instance, **params)

    monkeypatch.setattr(cls, "steps", dataclasses.replace(cls.steps, resolve=wrapped))
    return calls


def test_solve_and_report_resolve_once(case, monkeypatch):
    model, inst = case
    calls = counting(type(model), monkeypatch)
    result = erlocate.solve(model, inst)
    tables = result.report()
    assert tables and result.verify().status == "optimal"
    assert len(calls) == 1 and calls[0] is inst


def test_a_new_instance_is_resolved_anew(monkeypatch):
    model, inst = team_case(recruit=True)
    calls = counting(type(model), monkeypatch)
    model.data(inst)
    model.data(inst)
    other = inst.drop_demand([])
    model.data(other)
    assert [c is inst for c in calls] == [True, False]


def test_models_are_frozen_values(case):
    model, inst = case
    model.data(inst)  # a cache, not a parameter: neither compared nor pickled
    assert "_resolved" in vars(model)
    twin = type(model)(**model.parameters())
    assert twin == model and hash(twin) == hash(model)
    back = pickle.loads(pickle.dumps(model))
    assert back == model and "_resolved" not in vars(back)
    with pytest.raises(erlocate.errors.FrozenError):
        model.max_cost = 1.0  # type: ignore[misc]
