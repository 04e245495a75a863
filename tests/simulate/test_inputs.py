"""Bad input to erlocate.simulate: typed errors naming the argument; units resolved in order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.plan import Plan

COST = np.array([[1.0, 4.0, 2.0], [3.0, 1.0, np.inf]])


def case() -> tuple[Plan, erlocate.Instance]:
    inst = erlocate.Instance.from_matrix(COST, demand_ids=["a", "b"], site_ids=["x", "y", "z"])
    return Plan.nearest(inst, np.array([True, True, False])), inst


def sim(**kw):
    plan, inst = case()
    args = dict(rate=1.0, service_time=0.5, standard=2.0, incidents=50, replications=2, seed=0)
    args.update(kw)
    return erlocate.simulate(kw.pop("plan_", plan), kw.pop("instance_", inst), **args)


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"rate": None}, "rate", "required"),
        ({"rate": -1.0}, "rate", ">"),
        ({"rate": "2"}, "rate", "number"),
        ({"rate": [0.0, 0.0]}, "rate", "every per-point rate is 0"),
        ({"rate": [1.0, np.nan]}, "rate", "NaN"),
        ({"rate": [1.0]}, "rate", "expected 2"),
        ({"rate": {"a": 1.0, "q": 2.0}}, "rate", "labels"),
        ({"service_time": None}, "service_time", "required"),
        ({"service_time": 0.0}, "service_time", "> 0"),
        ({"service_time": lambda rng, n: -np.ones(n)}, "service_time", "finite numbers >= 0"),
        ({"service_time": lambda rng, n: np.ones(n + 1)}, "service_time", "shape"),
        ({"service": "gamma"}, "service", "one of"),
        ({"standard": None}, "standard", "required"),
        ({"standard": 0.5, "turnout": 1.0}, "standard", "below the turnout"),
        ({"turnout": -1.0}, "turnout", ">= 0"),
        ({"units": [1, 1, 1]}, "units", r"does not open: \['z'\]"),
        ({"units": [1, 0.5, 0]}, "units", "whole numbers"),
        ({"units": [1, -1, 0]}, "units", "whole numbers"),
        ({"units": [1, 1]}, "units", "one count per site"),
        ({"units": {"x": 2, "w": 1}}, "units", "unknown site ids"),
        ({"units": [0, 0, 0]}, "units", "no unit anywhere"),
        ({"units": [True, False, False]}, "units", "numbers"),
        ({"zones": [1]}, "zones", "one label per demand point"),
        ({"zones": [1, None]}, "zones", "no label"),
        ({"zones": "district"}, "zones", "no demand_frame"),
        ({"incidents": 0}, "incidents", ">= 1"),
        ({"replications": 1.5}, "replications", "integer"),
        ({"warmup": -1}, "warmup", ">= 0"),
        ({"confidence": 1.0}, "confidence", "< 1"),
        ({"arrivals": "uniform"}, "arrivals", "one of"),
        ({"seed": -3}, "seed", ">= 0"),
        ({"seed": 1.5}, "seed", "integer"),
        ({"busy_travel": -1}, "busy_travel", ">= 0"),
        ({"keep_incidents": 1}, "keep_incidents", "True or False"),
    ],
)
def test_bad_input_names_the_field(kwargs, field, text):
    with pytest.raises(InputError, match=text) as err:
        sim(**kwargs)
    assert err.value.field == field


def test_plan_and_instance_checked():
    plan, inst = case()
    with pytest.raises(InputError) as err:
        erlocate.simulate("plan", inst, rate=1.0, service_time=1.0, standard=1.0)
    assert err.value.field == "plan"
    with pytest.raises(InputError, match="required with a bare Plan") as err:
        erlocate.simulate(plan, rate=1.0, service_time=1.0, standard=1.0)
    assert err.value.field == "instance"
    other = erlocate.Instance.from_matrix(np.ones((2, 2)))
    with pytest.raises(InputError, match="2 site flags") as err:
        erlocate.simulate(
            Plan.nearest(other, np.ones(2, bool)), inst, rate=1.0, service_time=1.0, standard=1.0
        )
    assert err.value.field == "plan"


def test_result_standard_from_a_covering_model_only():
    _, inst = case()
    mclp = erlocate.solve(erlocate.MCLP(p=1, max_cost=1.5), inst, backend="highs")
    out = erlocate.simulate(
        mclp, rate=1.0, service_time=0.5, incidents=50, replications=2, seed=0, turnout=0.5
    )
    assert out.settings["standard"] == 2.0  # max_cost + turnout: the model's cover set
    assert out.units.sum() == 1 and out.settings["units_from"] == "one unit per open site"
    pmed = erlocate.solve(erlocate.PMedian(p=1), inst, backend="highs")
    with pytest.raises(InputError, match="covering model") as err:
        erlocate.simulate(pmed, rate=1.0, service_time=0.5)
    assert err.value.field == "standard"
    moved = erlocate.Instance.from_matrix(COST, demand_ids=["a", "b"], site_ids=["x", "y", "w"])
    with pytest.raises(InputError, match="site ids differ") as err:
        erlocate.simulate(mclp, moved, rate=1.0, service_time=0.5)
    assert err.value.field == "instance"


def test_units_from_argument_plan_or_one_per_open_site():
    out = sim(units={"x": 3})
    assert out.units.to_dict() == {"x": 3} and out.settings["units_from"] == "units="
    out = sim(units=pd.Series({"y": 2, "x": 1}))
    assert out.units.to_dict() == {"x": 1, "y": 2}
    out = sim()
    assert out.units.to_dict() == {"x": 1, "y": 1}
    assert out.settings["units_from"] == "one unit per open site"
    units_mod = pytest.importorskip("erlocate.models.units")
    _, inst = case()
    unit_plan = units_mod.UnitPlan.from_units(inst, np.array([0, 4, 0]))
    out = erlocate.simulate(
        unit_plan,
        inst,
        rate=1.0,
        service_time=0.5,
        standard=2.0,
        incidents=50,
        replications=2,
        seed=0,
    )
    assert out.units.to_dict() == {"y": 4} and out.settings["units_from"] == "the plan's units"
    # units= wins over the plan's
    out = erlocate.simulate(
        unit_plan,
        inst,
        units=[0, 1, 0],
        rate=1.0,
        service_time=0.5,
        standard=2.0,
        incidents=50,
        replications=2,
        seed=0,
    )
    assert out.units.to_dict() == {"y": 1}


def test_service_time_callable_and_scipy_distribution():
    from scipy import stats

    out = sim(service_time=lambda rng, n: np.full(n, 0.25))
    assert out.settings["service"] == "a callable" and out.settings["load"] is None
    out = sim(service_time=stats.gamma(2.0, scale=0.5))
    assert out.settings["service_mean"] == pytest.approx(1.0)
    assert out.settings["load"] == pytest.approx(1.0 * 1.0 / 2)


def test_zones_by_label_mapping_and_column():
    out = sim(zones=pd.Series({"b": "south", "a": "north"}))
    assert out.per_zone.index.tolist() == ["north", "south"]
    out = sim(zones={"a": 1, "b": 1})
    assert out.per_zone.loc[1, "points"] == 2
    import geopandas as gpd
    from shapely.geometry import Point

    plan, inst = case()
    frame = gpd.GeoDataFrame(
        {"district": ["n", "s"]}, geometry=[Point(0, 0), Point(1, 1)], index=inst.demand_ids
    )
    out = erlocate.simulate(
        plan,
        inst.with_frames(demand_frame=frame),
        zones="district",
        rate=1.0,
        service_time=0.5,
        standard=2.0,
        incidents=50,
        replications=2,
        seed=0,
    )
    assert out.per_zone.index.tolist() == ["n", "s"]
