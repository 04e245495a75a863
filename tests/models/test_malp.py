"""MALP I and II on hand-solved cases, against enumeration of every unit placement, and MCLP."""

import math
from itertools import product

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.models.malp import MALP, units_needed
from erlocate.models.units import UnitPlan
from tests.conftest import random_instance

# point 0 reaches site 0 only, point 1 both sites, point 2 site 1 only (standard 1)
COSTS = np.array([[0.0, 9.0], [1.0, 1.0], [9.0, 0.0]])


def three_points(weights, **kwargs) -> erlocate.Instance:
    return erlocate.Instance.from_matrix(COSTS, weights=weights, **kwargs)


def test_units_needed_is_the_ceiling_of_logs():
    # b = ceil(log(1 - alpha) / log q), values away from the integer boundaries
    for q in (0.05, 0.2, 0.35, 0.5, 0.8, 0.93):
        for alpha in (0.5, 0.75 + 0.01, 0.9 + 0.001, 0.99):
            b = math.ceil(math.log(1 - alpha) / math.log(q))
            assert units_needed(np.array([q]), alpha, 500, local=False)[0] == b, (q, alpha)
    # boundaries: 1 - 0.1 = 0.9 is enough, 1 - 0.5^2 = 0.75 is enough, q = 0 needs one unit
    assert units_needed(np.array([0.1, 0.5, 0.0]), 0.9, 9, local=False).tolist() == [1, 4, 1]
    assert units_needed(np.array([0.5]), 0.75, 9, local=False).tolist() == [2]
    # more than the units available: most + 1
    assert units_needed(np.array([0.9]), 0.99, 9, local=False).tolist() == [10]
    # MALP II: rho = 0.65 -> b = 1 fails (0.65 > 0.2), b = 2: (0.325)^2 = 0.106 <= 0.2
    assert units_needed(np.array([0.15, 0.65, 1.5]), 0.8, 9, local=True).tolist() == [1, 2, 3]


def test_malp_one_by_hand(backend):
    # q = 0.5, alpha = 0.7: b = 2 units within reach (1 - 0.25 = 0.75). P = 3, at most 2 per
    # site: (1, 2) gives points 1 and 2 (n = 1, 3, 2) -> 4; (2, 1) points 0 and 1 -> 3
    inst = three_points([1.0, 2.0, 2.0])
    model = MALP(3, 1.0, 0.7, q=0.5, local=False, max_units_per_site=2)
    r = erlocate.solve(model, inst, backend)
    assert r.status == "optimal" and r.objective == pytest.approx(4.0)
    assert r.plan.units.tolist() == [1, 2]
    table = r.report()["availability"]
    assert table["units_needed"].tolist() == [2, 2, 2]
    assert table["available"].tolist() == [False, True, True]


def test_malp_one_with_q_from_the_workload(backend):
    # q = 0.1 * (1 + 2 + 2) / 3 = 1/6 <= 0.3: one unit is enough, so MCLP: 3 units cover all
    inst = three_points([1.0, 2.0, 2.0])
    model = MALP(3, 1.0, 0.7, local=False, service_time=0.1)
    r = erlocate.solve(model, inst, backend)
    assert r.objective == pytest.approx(5.0)
    assert model.requirements(inst)["busy"].tolist() == pytest.approx([1 / 6] * 3)


def test_malp_two_by_hand(backend):
    # rates 1, 2, 10; service 0.05; alpha 0.8. M_0 = {0, 1}, M_1 = {0, 1, 2}, M_2 = {1, 2}:
    # rho = 0.15, 0.65, 0.60 -> b = 1, 2, 2. Weights 1, 2, 3.
    # P = 2: (2,0) -> 1+2 = 3, (1,1) -> 1+2 = 3, (0,2) -> 2+3 = 5.  P = 3: (1,2) -> 6.
    inst = three_points([1.0, 2.0, 3.0])
    two = MALP(2, 1.0, 0.8, service_time=0.05, rates=[1.0, 2.0, 10.0])
    req = two.requirements(inst)
    assert req["workload"].tolist() == pytest.approx([0.15, 0.65, 0.60])
    assert req["units_needed"].tolist() == [1, 2, 2]
    r2 = erlocate.solve(two, inst, backend)
    assert r2.objective == pytest.approx(5.0) and r2.plan.units.tolist() == [0, 2]
    r3 = erlocate.solve(two.replace(p=3), inst, backend)
    assert r3.objective == pytest.approx(6.0) and r3.plan.units.tolist() == [1, 2]


def test_rates_by_label_and_default_weights():
    inst = three_points([1.0, 2.0, 10.0], demand_ids=["a", "b", "c"])
    by_label = MALP(2, 1.0, 0.8, service_time=0.05, rates=pd.Series({"c": 10, "a": 1, "b": 2}))
    default = MALP(2, 1.0, 0.8, service_time=0.05)  # rates = weights 1, 2, 10
    assert by_label.requirements(inst)["workload"].tolist() == pytest.approx([0.15, 0.65, 0.6])
    assert default.requirements(inst)["workload"].tolist() == pytest.approx([0.15, 0.65, 0.6])


def enumerate_best(inst, p, caps, max_cost, need):
    near = (inst.dense_costs() <= max_cost).astype(int)
    w = inst.weights
    best = -np.inf
    for units in product(*(range(c + 1) for c in caps)):
        u = np.array(units)
        if u.sum() == p and not (inst.required & (u < 1)).any():
            best = max(best, float(w[near @ u >= need].sum()))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_matches_enumeration_of_every_placement(seed):
    rng = np.random.default_rng(seed)
    m, p = int(rng.integers(2, 6)), int(rng.integers(1, 5))
    caps = rng.integers(1, p + 1, m) if seed % 2 else np.full(m, p)
    inst = random_instance(seed, n=15, m=m, required=[0] if seed % 3 == 0 else None)
    near = (inst.dense_costs() <= 35.0).astype(int)
    kw = {"max_units_per_site": caps if seed % 2 else None}
    # MALP I: q = 0.3, alpha = 0.85 -> b = ceil(log 0.15 / log 0.3) = 2 (p = 1: optimum 0)
    one = MALP(p, 35.0, 0.85, q=0.3, local=False, **kw)
    b = math.ceil(math.log(0.15) / math.log(0.3))
    assert b == 2
    # MALP II: workload from the points sharing a site within reach, computed densely here
    rates = rng.random(inst.n_demand)
    rho = 0.04 * ((near @ near.T) > 0).astype(float) @ rates
    need = np.array([next((k for k in range(1, p + 1) if (r / k) ** k <= 0.1), p + 1) for r in rho])
    two = MALP(p, 35.0, 0.9, service_time=0.04, rates=rates, **kw)
    assert two.requirements(inst)["units_needed"].tolist() == need.tolist()
    for model, needed in ((one, b), (two, need)):
        best = enumerate_best(inst, p, caps, 35.0, needed)
        r = erlocate.solve(model, inst, "highs")
        assert r.status == "optimal" and r.objective == pytest.approx(best)
        assert model.evaluate(inst, r.plan) == pytest.approx(r.objective)


@pytest.mark.parametrize("p", [2, 4])
def test_q_zero_is_mclp(p):
    inst = random_instance(11, n=40, m=12)
    malp = erlocate.solve(MALP(p, 25.0, 0.95, q=0.0, local=False, max_units_per_site=1), inst)
    mclp = erlocate.solve(erlocate.MCLP(p, 25.0), inst)
    assert malp.objective == pytest.approx(mclp.objective) and malp.objective > 0


def test_points_needing_too_many_units_get_no_variable(caplog):
    # q = 0.9, alpha = 0.99: b = 44 units, more than p = 3: nothing can be available
    inst = three_points([1.0, 2.0, 3.0])
    model = MALP(3, 1.0, 0.99, q=0.9, local=False)
    milp = model.build(inst)
    assert milp.col_blocks["available"] == slice(2, 2)
    assert model.requirements(inst)["modelled"].tolist() == [False, False, False]
    with caplog.at_level("INFO", logger="erlocate.models.malp"):
        r = erlocate.solve(model, inst)
    assert r.objective == 0.0 and r.plan.units.sum() == 3
    assert "3 demand points need more units" in caplog.text


def test_backends_agree_on_a_random_town(backend):
    inst = random_instance(5, n=40, m=10, required=[1])
    for model in (
        MALP(7, 30.0, 0.9, q=0.4, local=False, max_units_per_site=3),
        MALP(7, 30.0, 0.9, service_time=0.02),
    ):
        ref = erlocate.solve(model, inst, "highs")
        r = erlocate.solve(model, inst, backend)
        assert r.status == "optimal" and r.objective == pytest.approx(ref.objective)
        assert r.plan.units[1] >= 1 and r.plan.units.sum() == 7 and ref.objective > 0


def test_warm_start_encodes_a_feasible_vector_of_equal_value():
    inst = random_instance(6, n=30, m=8)
    model = MALP(6, 30.0, 0.9, service_time=0.02, max_units_per_site=2)
    r = erlocate.solve(model, inst)
    milp = model.build(inst)
    x = model.encode(inst, milp, r.plan)
    assert milp.max_violation(x) <= 1e-9
    assert milp.objective_value(x) == pytest.approx(r.objective)
    assert erlocate.solve(model, inst, warm_start=r).objective == pytest.approx(r.objective)
    plain = UnitPlan.from_units(inst, r.plan.units)
    assert model.evaluate(inst, plain) == pytest.approx(r.objective)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"alpha": 0.0, "q": 0.3, "local": False}, "alpha"),
        ({"alpha": 1.0, "q": 0.3, "local": False}, "alpha"),
        ({"alpha": 1.2, "q": 0.3, "local": False}, "alpha"),
        ({"alpha": 0.9, "q": 1.0, "local": False}, "q"),
        ({"alpha": 0.9, "q": 0.3}, "q"),  # local=True takes no system-wide q
        ({"alpha": 0.9}, "service_time"),
        ({"alpha": 0.9, "local": False}, "q"),
        ({"alpha": 0.9, "local": False, "q": 0.3, "service_time": 1.0}, "q"),
        ({"alpha": 0.9, "local": False, "q": 0.3, "rates": [1.0, 2.0]}, "rates"),
        ({"alpha": 0.9, "service_time": -1.0}, "service_time"),
        ({"alpha": 0.9, "service_time": 1.0, "local": "yes"}, "local"),
        ({"alpha": 0.9, "service_time": 1.0, "p": 0}, "p"),
    ],
)
def test_bad_parameters_name_their_field(kwargs, field):
    args = {"p": 2, "max_cost": 1.0, **kwargs}
    with pytest.raises(InputError) as info:
        MALP(**args)
    assert info.value.field == field


def test_rates_of_the_wrong_length():
    with pytest.raises(InputError, match="expected 3 values") as info:
        erlocate.solve(MALP(2, 1.0, 0.9, service_time=0.1, rates=[1.0, 2.0]), three_points([1] * 3))
    assert info.value.field == "rates"


@pytest.mark.parametrize("seed", [2, 3, 7])
def test_cbc_solves_what_made_it_abort(seed):
    # With one row sum x >= b_i y_i per point, cbcbox's CBC aborted (SIGABRT in its heuristics'
    # preprocessing) on 7 of 96 random MALP II MILPs, these three among them; with the levels
    # of the paper it solved all 96. Each must agree with HiGHS.
    w = np.random.default_rng(seed).integers(1, 20, 40).astype(float)
    inst = random_instance(seed, n=40, m=12, demand=w)
    model = MALP(6, 30.0, 0.9, service_time=0.01)
    ref = erlocate.solve(model, inst, "highs")
    r = erlocate.solve(model, inst, "cbc")
    assert r.status == "optimal" and r.objective == pytest.approx(ref.objective)
    assert ref.objective > 0
