"""MEXCLP on hand-solved cases, against enumeration of every unit placement, and MCLP at q = 0."""

import dataclasses
from itertools import product

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.errors import InfeasibleError, InputError, VerificationError
from erlocate.models.mexclp import MEXCLP
from erlocate.models.units import UnitPlan, busy_fraction, unit_counts
from tests.conftest import random_instance

# point 0 reaches site 0 only, point 1 both sites, point 2 site 1 only (standard 1)
COSTS = np.array([[0.0, 9.0], [1.0, 1.0], [9.0, 0.0]])


def three_points(weights, **kwargs) -> erlocate.Instance:
    return erlocate.Instance.from_matrix(COSTS, weights=weights, **kwargs)


def test_two_sites_three_points_by_hand(backend):
    # q = 0.5, P = 2. Units (1, 1): points see 1, 2, 1 units -> 1(.5) + 2(.75) + 1(.5) = 2.5;
    # (2, 0): 1(.75) + 2(.75) + 0 = 2.25; (0, 2) the same. So (1, 1), worth 2.5.
    inst = three_points([1.0, 2.0, 1.0])
    r = erlocate.solve(MEXCLP(2, 1.0, 0.5), inst, backend)
    assert r.status == "optimal" and r.objective == pytest.approx(2.5)
    assert r.plan.units.tolist() == [1, 1] and r.plan.open.tolist() == [True, True]
    assert r.sites["units"].tolist() == [1, 1]
    assert r.coverage["n_covering"].tolist() == [1, 2, 1]
    assert r.report()["coverage"]["expected_covered"].tolist() == [0.5, 0.75, 0.5]
    two_at_0 = UnitPlan.from_units(inst, np.array([2, 0]))
    assert MEXCLP(2, 1.0, 0.5).evaluate(inst, two_at_0) == pytest.approx(2.25)


def test_stacking_units_at_one_site_pays(backend):
    # weights 10, 0, 1: (2, 0) gives 10(.75) = 7.5 (+0 for point 1); (1, 1) 10(.5) + 1(.5) = 5.5
    inst = three_points([10.0, 0.0, 1.0])
    r = erlocate.solve(MEXCLP(2, 1.0, 0.5), inst, backend)
    assert r.objective == pytest.approx(7.5) and r.plan.units.tolist() == [2, 0]
    assert r.sites["open"].tolist() == [True, False] and r.sites["units"].tolist() == [2, 0]
    # Result.coverage counts open sites within the standard; the model's report counts units
    assert r.coverage["n_covering"].tolist() == [1, 1, 0]
    assert r.report()["coverage"]["units_within"].tolist() == [2, 2, 0]
    # a cap of one unit per site forces (1, 1)
    capped = erlocate.solve(MEXCLP(2, 1.0, 0.5, max_units_per_site=1), inst, backend)
    assert capped.objective == pytest.approx(5.5) and capped.plan.units.tolist() == [1, 1]


def test_required_site_keeps_a_unit():
    # site 1 required: (1, 1) is forced although (2, 0) is worth more without it
    inst = three_points([10.0, 0.0, 1.0], required=[1])
    r = erlocate.solve(MEXCLP(2, 1.0, 0.5), inst)
    assert r.plan.units.tolist() == [1, 1] and r.objective == pytest.approx(5.5)


def best_by_enumeration(inst, p, max_cost, q, caps, value):
    dense = inst.dense_costs()
    near = dense <= max_cost
    best = -np.inf
    for units in product(*(range(c + 1) for c in caps)):
        u = np.array(units)
        if u.sum() != p or (inst.required & (u < 1)).any():
            continue
        best = max(best, value(near.astype(int) @ u))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_matches_enumeration_of_every_placement(seed):
    rng = np.random.default_rng(seed)
    m, p, q = int(rng.integers(2, 6)), int(rng.integers(1, 5)), float(rng.choice([0.2, 0.5, 0.7]))
    caps = rng.integers(1, p + 1, m) if seed % 2 else np.full(m, p)
    inst = random_instance(seed, n=15, m=m, required=[0] if seed % 3 == 0 else None)
    model = MEXCLP(p, 30.0, q, max_units_per_site=caps if seed % 2 else None)
    w = inst.weights
    best = best_by_enumeration(inst, p, 30.0, q, caps, lambda n: float(w @ (1 - q**n)))
    r = erlocate.solve(model, inst, "highs")
    assert r.status == "optimal" and r.objective == pytest.approx(best, rel=1e-9)
    # the objective recomputed from the data equals the MILP's at the optimum
    assert model.evaluate(inst, r.plan) == pytest.approx(r.objective, rel=1e-9)
    n = unit_counts(inst, r.plan.units, 30.0)
    assert float(w @ (1 - q**n)) == pytest.approx(best, rel=1e-9)
    assert r.plan.units.sum() == p and (r.plan.units <= caps).all()


@pytest.mark.parametrize("p", [2, 3, 5])
def test_q_zero_is_mclp_with_one_unit_per_site(p):
    inst = random_instance(7, n=40, m=12)
    mex = erlocate.solve(MEXCLP(p, 25.0, 0.0, max_units_per_site=1), inst)
    mclp = erlocate.solve(erlocate.MCLP(p, 25.0), inst)
    assert mex.objective == pytest.approx(mclp.objective) and mex.objective > 0
    assert mex.covered_weight == pytest.approx(mex.objective)


def test_backends_agree_on_a_random_town(backend):
    inst = random_instance(3, n=40, m=10, required=[2])
    r = erlocate.solve(MEXCLP(6, 30.0, 0.4, max_units_per_site=3), inst, backend)
    ref = erlocate.solve(MEXCLP(6, 30.0, 0.4, max_units_per_site=3), inst, "highs")
    assert r.status == "optimal" and r.objective == pytest.approx(ref.objective, rel=1e-7)
    assert r.plan.units[2] >= 1 and r.plan.units.max() <= 3 and r.plan.units.sum() == 6


def test_warm_start_encodes_a_feasible_vector_of_equal_value():
    inst = random_instance(4, n=30, m=8)
    model = MEXCLP(5, 30.0, 0.3, max_units_per_site=2)
    r = erlocate.solve(model, inst)
    milp = model.build(inst)
    x = model.encode(inst, milp, r.plan)
    assert milp.max_violation(x) <= 1e-9
    assert milp.objective_value(x) == pytest.approx(model.evaluate(inst, r.plan))
    again = erlocate.solve(model, inst, warm_start=r)
    assert again.objective == pytest.approx(r.objective)


def test_check_names_each_breach():
    inst = three_points([1.0, 1.0, 1.0], required=[1])
    model = MEXCLP(2, 1.0, 0.5, max_units_per_site=pd.Series({0: 1, 1: 2}))
    bad = UnitPlan(
        np.array([True, False]), np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.array([3, 0])
    )
    msgs = " | ".join(model.check(inst, bad))
    assert "3 units placed, expected p = 2" in msgs
    assert "max_units_per_site exceeded at 1 sites: 0 (3 > 1)" in msgs
    assert "required sites without a unit: [1]" in msgs
    mixed = UnitPlan(
        np.array([True, True]), np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.array([2, 0])
    )
    assert any("open flags disagree" in m for m in model.check(inst, mixed))
    r = erlocate.solve(model, inst)
    forged = dataclasses.replace(r, plan=bad)
    with pytest.raises(VerificationError, match="units placed"):
        forged.verify()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"p": 2, "max_cost": 1.0, "q": 1.0}, "q"),
        ({"p": 2, "max_cost": 1.0, "q": -0.1}, "q"),
        ({"p": 2, "max_cost": 1.0, "q": "0.5"}, "q"),
        ({"p": 0, "max_cost": 1.0, "q": 0.5}, "p"),
        ({"p": 2, "max_cost": -1.0, "q": 0.5}, "max_cost"),
        ({"p": 2, "max_cost": 1.0, "q": 0.5, "max_units_per_site": 0}, "max_units_per_site"),
        ({"p": 2, "max_cost": 1.0, "q": 0.5, "max_units_per_site": [1, -1]}, "max_units_per_site"),
        ({"p": 2, "max_cost": 1.0, "q": 0.5, "max_units_per_site": [1, 0.5]}, "max_units_per_site"),
    ],
)
def test_bad_parameters_name_their_field(kwargs, field):
    with pytest.raises(InputError) as info:
        MEXCLP(**kwargs)
    assert info.value.field == field


def test_data_dependent_refusals():
    inst = three_points([1.0, 1.0, 1.0], required=np.array([True, True]))
    with pytest.raises(InputError) as info:
        erlocate.solve(MEXCLP(1, 1.0, 0.5), inst)
    assert info.value.field == "required"
    with pytest.raises(InputError) as info:
        erlocate.solve(MEXCLP(2, 1.0, 0.5, max_units_per_site=[1, 0]), inst)
    assert info.value.field == "max_units_per_site"
    with pytest.raises(InfeasibleError, match="at most 2 units in all"):
        erlocate.solve(MEXCLP(3, 1.0, 0.5, max_units_per_site=1), three_points([1, 1, 1]))
    with pytest.raises(InputError, match="expected 2 values"):
        erlocate.solve(MEXCLP(2, 1.0, 0.5, max_units_per_site=[1, 1, 1]), three_points([1, 1, 1]))


def test_busy_fraction():
    assert busy_fraction(2.0, 1.5, 6) == pytest.approx(0.5)
    assert busy_fraction(0.0, 1.5, 1) == 0.0
    with pytest.raises(InputError, match="needs more than 3 units") as info:
        busy_fraction(2.0, 1.5, 3)
    assert info.value.field == "units"
    with pytest.raises(InputError) as info:
        busy_fraction(-1.0, 1.0, 2)
    assert info.value.field == "total_rate"
