"""Phasing the district's fire-station and shelter plans: figures cross-checked with each
model's own report and with a static model solved year by year."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import erlocate
from erlocate import MCLP
from erlocate.district import fire_station_case, shelter_case
from erlocate.errors import InfeasibleError, InputError
from erlocate.planning.phasing import phase, phasing_case

BUDGETS = [40, 40, 30, 20, 20]  # 150 in all for the plan's 141 (illustrative, as its costs)


@pytest.fixture(scope="module")
def fire():
    model, inst = fire_station_case()
    return erlocate.solve(model, inst)


@pytest.fixture(scope="module")
def shelters():
    model, inst = shelter_case()
    return erlocate.solve(model, inst)


def test_fire_stations_schedule_matches_the_plans_report(fire):
    summary = fire.report()["summary"]["value"]
    stations = fire.report()["stations"]
    r = phase(fire, budgets=BUDGETS)
    assert r.status == "optimal"
    sched = r.report()["schedule"]
    # every station of the plan built, existing F01 before year 1, nothing else
    assert set(r.open_sites) == set(fire.open_sites)
    assert r.plan.year_opened[r.instance.site_ids.get_loc("F01")] == 0
    assert sched["n_opened"].iloc[1:].sum() == summary["stations_new"] == 15
    # spending: the report's station costs, within each year's budget
    assert sched["cumulative_cost"].iloc[-1] == pytest.approx(summary["cost_counted"]) == 141
    assert (sched["cost"].iloc[1:] <= np.array(BUDGETS) + 1e-9).all()
    opened = r.report()["sites"]
    new = opened[opened["status"] == "new"]
    assert new["cost"].to_dict() == stations.loc[new.index, "cost"].to_dict()
    # coverage: year 0 is the report's "before", year 5 its "after"
    assert sched.loc[0, "covered"] == summary["population_within_standard_before"] == 43881
    assert sched.loc[5, "covered"] == summary["population_within_standard_after"] == 119375
    assert np.all(np.diff(sched["covered"].to_numpy()) >= 0)
    assert r.objective == pytest.approx(sched["covered"].iloc[1:].sum()) == 540324


def test_fire_stations_schedule_beats_the_reverse_order(fire):
    r = phase(fire, budgets=BUDGETS)
    model, data = phasing_case(fire, budgets=BUDGETS)
    yo = r.plan.year_opened
    # any other feasible schedule is no better: all new stations in the last year
    late = np.where(yo > 0, 5, yo)
    alt = replace(r.plan, year_opened=late)
    assert model.evaluate(data, alt) < r.objective
    assert any("spent in year 5" in b for b in model.check(data, alt))


def test_fire_stations_backends_agree(fire):
    a = phase(fire, budgets=BUDGETS, carry_over=True)
    b = phase(fire, budgets=BUDGETS, carry_over=True, backend="cbc")
    assert b.objective == pytest.approx(a.objective)
    # carry-over can only help: the same budgets, more freedom
    assert a.objective >= phase(fire, budgets=BUDGETS).objective


def test_shelters_schedule_is_the_static_model_year_by_year(shelters):
    summary = shelters.report()["summary"]["value"]
    r = phase(shelters, p_per_year=[1, 0, 1, 0, 0])
    assert r.status == "optimal"
    sched = r.report()["schedule"]
    assert set(r.open_sites) == set(shelters.open_sites)
    assert sched.loc[5, "covered"] == pytest.approx(summary["people housed (mean over scenarios)"])
    assert sched.loc[5, "covered"] == pytest.approx(42_000)
    # the same figure from the capacitated single-source MCLP with that year's shelters fixed
    _, data = phasing_case(shelters, p_per_year=[1, 0, 1, 0, 0])
    total = 0.0
    for year in range(1, 6):
        open_ = (r.plan.year_opened >= 0) & (r.plan.year_opened <= year)
        inst = replace(data, required=open_)
        static = MCLP(int(open_.sum()), 60.0, capacitated=True, single_source=True)
        housed = static.solve(inst).objective
        assert sched.loc[year, "covered"] == pytest.approx(housed)
        total += housed
    assert r.objective == pytest.approx(total)
    # the other order (the other new shelter first) houses fewer people in years 1-2
    other = r.instance.site_ids[r.plan.year_opened == 3][0]
    alt = r.model.replace(sites=[other], p_per_year=[1, 0, 0, 0, 0]).solve(data)
    assert alt.report()["schedule"].loc[1, "covered"] < sched.loc[1, "covered"]


def test_shelters_need_site_costs_for_budgets(shelters):
    with pytest.raises(InputError) as err:
        phase(shelters, budgets=[1, 1, 1, 1, 1])
    assert err.value.field == "budgets"


def test_budgets_too_small_for_the_plan(fire):
    with pytest.raises(InfeasibleError, match="cost 141 in all, but the budgets add up to 100"):
        phase(fire, budgets=[20, 20, 20, 20, 20])
    # without complete=True a short budget leaves stations unbuilt instead
    r = phase(fire, budgets=[20, 20, 20, 20, 20], complete=False)
    assert r.report()["schedule"]["cumulative_cost"].iloc[-1] <= 100


def test_other_models_are_refused():
    inst = erlocate.Instance.from_matrix(np.array([[1.0, 3.0], [2.0, 1.0]]))
    result = MCLP(1, 1.5).solve(inst)
    with pytest.raises(InputError) as err:
        phase(result, budgets=BUDGETS)
    assert err.value.field == "result"
