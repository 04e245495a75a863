"""PhasedMCLP: hand cases, enumeration of every schedule, one year = MCLP, backends, errors."""

from __future__ import annotations

from dataclasses import replace
from itertools import product

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

import erlocate
from erlocate import MCLP
from erlocate.errors import InfeasibleError, InputError
from erlocate.models.phased import PhasedMCLP, PhasedPlan, schedule
from tests.conftest import random_instance

# three sites, four points: site 0 covers a (10) and d (5), site 1 covers b (20) and d,
# site 2 covers c (30); sites cost 3, 2 and 4
HAND = np.array([[1, 9, 9], [9, 1, 9], [9, 9, 1], [1, 1, 9]], float)


def hand(**kw) -> erlocate.Instance:
    return erlocate.Instance.from_matrix(HAND, weights=[10, 20, 30, 5], site_costs=[3, 2, 4], **kw)


# ----------------------------------------------------------------------------- oracle
def brute_force(
    inst: erlocate.Instance,
    standard: float,
    years: int,
    *,
    budgets=None,
    carry_over=False,
    p_per_year=None,
    exact_p=False,
    p=None,
    weights=None,
    discount=0.0,
    sites=None,
    complete=False,
    capacitated=False,
) -> tuple[float, list[tuple[int, ...]]]:
    """Best objective over every year_opened in {-1 never, 1..T} per candidate site, and the
    schedules reaching it: from the dense costs alone (capacitated: each year's best single
    assignment by scipy's MILP)."""
    dense = inst.dense_costs()
    within = dense <= np.broadcast_to(np.asarray(standard, float), (inst.n_sites,))[None, :]
    w = np.tile(inst.weights, (years, 1)) if weights is None else np.asarray(weights).T
    factor = (1 + discount) ** -np.arange(years)
    req = np.asarray(inst.required)
    allowed = ~req if sites is None else ~req & np.isin(inst.site_ids, sites)
    cand = np.flatnonzero(allowed)
    best, arg = -np.inf, []
    for choice in product([-1, *range(1, years + 1)], repeat=cand.size):
        yo = np.where(req, 0, -1)
        yo[cand] = choice
        new = (yo >= 1)[None, :] & (yo[None, :] == np.arange(1, years + 1)[:, None])
        spend = new.astype(float) @ inst.site_costs
        count = new.sum(axis=1)
        if budgets is not None:
            b = np.asarray(budgets, float)
            if carry_over and (np.cumsum(spend) > np.cumsum(b) + 1e-9).any():
                continue
            if not carry_over and (spend > b + 1e-9).any():
                continue
        if p_per_year is not None:
            if (count != p_per_year).any() if exact_p else (count > p_per_year).any():
                continue
        if p is not None and (yo >= 0).sum() > p:
            continue
        if complete and (yo[cand] < 1).any():
            continue
        value = 0.0
        for t in range(years):
            open_ = (yo >= 0) & (yo <= t + 1)
            if capacitated:
                value += factor[t] * best_housing(inst, within, open_, w[t])
            else:
                value += factor[t] * w[t][(within & open_[None, :]).any(axis=1)].sum()
        if value > best + 1e-9:
            best, arg = value, [tuple(yo)]
        elif abs(value - best) <= 1e-9:
            arg.append(tuple(yo))
    return best, arg


def best_housing(inst, within, open_, w) -> float:
    """Most weight assigned wholly to open sites within the standard and capacities."""
    pairs = [(i, j) for i, j in zip(*np.nonzero(within & open_[None, :]), strict=True) if w[i] > 0]
    if not pairs:
        return 0.0
    k, n, m = len(pairs), inst.n_demand, inst.n_sites
    once, cap = np.zeros((n, k)), np.zeros((m, k))
    for q, (i, j) in enumerate(pairs):
        once[i, q], cap[j, q] = 1.0, inst.demand[i]
    res = milp(
        -np.array([w[i] for i, _ in pairs]),
        constraints=[LinearConstraint(once, 0, 1), LinearConstraint(cap, -np.inf, inst.capacities)],
        integrality=np.ones(k),
        bounds=Bounds(0, 1),
    )
    return -float(res.fun)


# ----------------------------------------------------------------------------- hand cases
def test_hand_budgets_force_the_order():
    # year 1 (budget 3): site 1 (cost 2, covers b+d = 25) beats site 0 (cost 3, 15); site 2
    # (cost 4) fits only year 3's budget; so 25 + 35 + 65 = 125
    r = PhasedMCLP(2.0, 3, budgets=[3, 3, 4]).solve(hand())
    assert r.status == "optimal"
    assert r.objective == pytest.approx(125.0)
    assert r.plan.year_opened.tolist() == [2, 1, 3]
    s = r.report()["schedule"]
    assert s["cost"].tolist() == [0.0, 2.0, 3.0, 4.0]
    assert s["covered"].tolist()[1:] == [25.0, 35.0, 65.0]
    assert s["cumulative_covered"].iloc[-1] == pytest.approx(125.0)
    assert s["opened"].tolist() == ["", "1", "0", "2"]
    assert r.sites["year_opened"].tolist() == [2, 1, 3]


def test_hand_carry_over_builds_the_dear_site_earlier():
    # with carry-over year 2 may spend 3 + 3 - 2 = 4: site 2 (30) in year 2, then site 0:
    # 25 + 55 + 65 = 145
    r = PhasedMCLP(2.0, 3, budgets=[3, 3, 4], carry_over=True).solve(hand())
    assert r.objective == pytest.approx(145.0)
    assert r.plan.year_opened.tolist() == [3, 1, 2]
    assert r.report()["schedule"]["cumulative_cost"].tolist() == [0.0, 2.0, 6.0, 9.0]


def test_hand_required_site_is_free_and_open_from_year_one():
    inst = hand(required=[2])
    r = PhasedMCLP(2.0, 2, budgets=[2, 3]).solve(inst)
    # c (30) covered both years by the existing site; site 1 in year 1, site 0 in year 2
    assert r.objective == pytest.approx((30 + 25) + (30 + 35))
    assert r.plan.year_opened.tolist() == [2, 1, 0]
    s = r.report()["schedule"]
    assert s.loc[0, "covered"] == 30.0 and s.loc[0, "opened"] == "2"


def test_hand_growth_weights_and_discount():
    # one site a year; b grows from 20 to 100 in year 2. Year 1: site 2 (c = 30) beats
    # site 1 (b + d = 25); year 2: site 1 (100 + 5) joins: 30 + (30 + 105) = 165, and
    # with discount 1.0 year 2 counts half: 30 + 67.5 = 97.5 (site 1 first: 25 + 67.5)
    w = pd.DataFrame({"y1": [10, 20, 30, 5], "y2": [10, 100, 30, 5]})
    flat = PhasedMCLP(2.0, 2, p_per_year=[1, 1], weights=w).solve(hand())
    assert flat.objective == pytest.approx(165.0)
    r = PhasedMCLP(2.0, 2, p_per_year=[1, 1], weights=w, discount=1.0).solve(hand())
    assert r.objective == pytest.approx(97.5)
    assert r.plan.year_opened.tolist() == [-1, 2, 1]
    assert r.report()["schedule"]["objective_term"].tolist() == [0.0, 30.0, 67.5]


def test_hand_capacitated_single_source():
    # capacities 12, 20, 25: c (30) fits no site, d (5) fits nowhere beside a or b
    inst = hand(capacities=[12, 20, 25])
    r = PhasedMCLP(2.0, 3, budgets=[3, 3, 4], capacitated=True, single_source=True).solve(inst)
    assert r.objective == pytest.approx(20 + 30 + 30)
    assert r.plan.year_opened.tolist() == [2, 1, -1]
    assert sorted(zip(r.plan.alloc_year.tolist(), r.plan.alloc_demand.tolist(), strict=True)) == [
        (1, 1),
        (2, 0),
        (2, 1),
        (3, 0),
        (3, 1),
    ]


# ----------------------------------------------------------------------------- enumeration
CASES = [
    dict(budgets=[200, 150, 300]),
    dict(budgets=[200, 150, 300], carry_over=True),
    dict(p_per_year=[1, 0, 2]),
    dict(p_per_year=[1, 1, 1], exact_p=True, p=4),
    dict(budgets=[250, np.inf, 100], p=3, discount=0.1),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_enumeration_agrees_with_highs(seed, case):
    inst = random_instance(seed, n=8, m=5, required=[0] if seed == 2 else None)
    params = CASES[case]
    r = PhasedMCLP(35.0, 3, **params).solve(inst)
    best, argmax = brute_force(inst, 35.0, 3, **params)
    assert r.objective == pytest.approx(best)
    assert tuple(r.plan.year_opened.tolist()) in argmax
    assert r.model.evaluate(inst, r.plan) == pytest.approx(best)


@pytest.mark.parametrize("seed", [4, 5])
def test_enumeration_per_year_weights(seed):
    rng = np.random.default_rng(seed)
    inst = random_instance(seed, n=7, m=4)
    w = rng.integers(0, 30, (7, 3)).astype(float)
    r = PhasedMCLP(40.0, 3, budgets=[150, 150, 150], weights=w).solve(inst)
    best, argmax = brute_force(inst, 40.0, 3, budgets=[150, 150, 150], weights=w)
    assert r.objective == pytest.approx(best)
    assert tuple(r.plan.year_opened.tolist()) in argmax


@pytest.mark.parametrize("seed", [6, 7])
def test_enumeration_capacitated(seed):
    rng = np.random.default_rng(seed)
    inst = random_instance(seed, n=6, m=4, capacities=rng.integers(8, 25, 4).astype(float))
    params = dict(budgets=[200, 150, 250], capacitated=True)
    r = PhasedMCLP(45.0, 3, single_source=True, **params).solve(inst)
    best, _ = brute_force(inst, 45.0, 3, **params)
    assert 0 < best < brute_force(inst, 45.0, 3, budgets=[200, 150, 250])[0]  # capacities bind
    assert r.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", [14, 15])
def test_enumeration_per_site_standards(seed):
    # a standard per site, e.g. a shelter class's walking limit
    inst = random_instance(seed, n=9, m=5)
    standard = np.array([20.0, 35.0, 50.0, 30.0, 40.0])
    r = PhasedMCLP(standard, 3, budgets=[250, 200, 200]).solve(inst)
    best, argmax = brute_force(inst, standard, 3, budgets=[250, 200, 200])
    assert r.objective == pytest.approx(best)
    assert tuple(r.plan.year_opened.tolist()) in argmax
    assert best != pytest.approx(brute_force(inst, 35.0, 3, budgets=[250, 200, 200])[0])


def test_schedule_of_a_target_plan_enumerated():
    inst = random_instance(8, n=10, m=7)
    target = [1, 2, 4, 6]
    r = schedule(target, inst, 35.0, years=3, budgets=[300, 300, 300])
    best, argmax = brute_force(inst, 35.0, 3, budgets=[300, 300, 300], sites=target, complete=True)
    assert r.objective == pytest.approx(best)
    yo = r.plan.year_opened
    assert (yo[target] >= 1).all() and (np.delete(yo, target) == -1).all()
    assert tuple(yo.tolist()) in argmax


def test_schedule_takes_a_result():
    inst = random_instance(9, n=20, m=8)
    mclp = MCLP(3, 30.0).solve(inst)
    r = schedule(mclp, inst, 30.0, years=3, p_per_year=[1, 1, 1])
    assert set(r.open_sites) == set(mclp.open_sites)
    by_mask = schedule(mclp.plan.open, inst, 30.0, years=3, p_per_year=[1, 1, 1])
    assert by_mask.objective == pytest.approx(r.objective)
    assert sorted(r.plan.year_opened[r.plan.open].tolist()) == [1, 2, 3]
    # by year 3 the schedule covers what the MCLP plan covers
    assert r.report()["schedule"]["covered"].iloc[-1] == pytest.approx(mclp.objective)


# ----------------------------------------------------------------------------- one year
@pytest.mark.parametrize("seed", [11, 12])
def test_one_year_equals_mclp(seed):
    inst = random_instance(seed, n=30, m=10)
    for p in (2, 4):
        phased = PhasedMCLP(25.0, 1, p_per_year=[p]).solve(inst)
        static = MCLP(p, 25.0).solve(inst)
        assert phased.objective == pytest.approx(static.objective)


def test_one_year_budget_is_a_knapsack():
    inst = random_instance(13, n=12, m=6)
    r = PhasedMCLP(30.0, 1, budgets=[400]).solve(inst)
    best, _ = brute_force(inst, 30.0, 1, budgets=[400])
    assert r.objective == pytest.approx(best)
    assert inst.site_costs[r.plan.open].sum() <= 400


# ----------------------------------------------------------------------------- backends
@pytest.mark.parametrize("other", ["cbc", "scip"])
def test_backends_agree(other):
    inst = random_instance(21, n=40, m=10, capacities=np.full(10, 120.0))
    for params in (
        dict(budgets=[300, 200, 200, 300]),
        dict(budgets=[300, 200, 200, 300], capacitated=True, single_source=True),
    ):
        model = PhasedMCLP(30.0, 4, carry_over=True, **params)
        a = model.solve(inst, "highs")
        b = model.solve(inst, other)
        assert a.status == b.status == "optimal"
        assert b.objective == pytest.approx(a.objective, rel=1e-7)


def test_warm_start_is_encoded():
    inst = random_instance(22, n=30, m=8, capacities=np.full(8, 80.0))
    for cap in (False, True):
        model = PhasedMCLP(30.0, 3, budgets=[300, 300, 300], capacitated=cap)
        first = model.solve(inst)
        x = model.encode(inst, model.build(inst), first.plan)
        milp_ = model.build(inst)
        assert float(milp_.c @ x + milp_.offset) == pytest.approx(first.objective)
        again = model.solve(inst, warm_start=first)
        assert again.objective == pytest.approx(first.objective)


# ----------------------------------------------------------------------------- the verifier
def test_check_finds_an_overspent_year():
    inst = hand()
    model = PhasedMCLP(2.0, 3, budgets=[3, 3, 4], p_per_year=[1, 1, 1])
    plan = PhasedPlan(
        np.ones(3, bool), *np.zeros((2, 0), np.int64), np.zeros(0), year_opened=np.array([1, 1, 3])
    )
    breaches = model.check(inst, plan)
    assert "spent in year 1: 5 > budget 3" in breaches
    assert "year 1: 2 sites opened, p_per_year allows 1" in breaches
    # the recomputed objective: years 1-2 cover a, b, d (35), year 3 all (65)
    assert model.evaluate(inst, plan) == pytest.approx(35 + 35 + 65)


# ----------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(budgets=[1, 2]), "budgets"),
        (dict(budgets=[1, -2, 3]), "budgets"),
        (dict(budgets="abc"), "budgets"),
        (dict(p_per_year=[1, 1]), "p_per_year"),
        (dict(p_per_year=[1, 0.5, 1]), "p_per_year"),
        (dict(), "budgets"),
        (dict(p=0), "p"),
        (dict(budgets=[1, 1, 1], exact_p=True), "exact_p"),
        (dict(budgets=[1, 1, 1], discount=-0.1), "discount"),
        (dict(budgets=[1, 1, 1], weights=np.ones((4, 2))), "weights"),
        (dict(budgets=[1, 1, 1], carry_over=1), "carry_over"),
        (dict(budgets=[1, 1, 1], sites=5), "sites"),
    ],
)
def test_bad_parameters(kwargs, field):
    with pytest.raises(InputError) as err:
        PhasedMCLP(2.0, 3, **kwargs)
    assert err.value.field == field


def test_bad_years_and_standard():
    with pytest.raises(InputError) as err:
        PhasedMCLP(2.0, 0, p=1)
    assert err.value.field == "years"
    with pytest.raises(InputError) as err:
        PhasedMCLP("2", 3, p=1)
    assert err.value.field == "max_cost"


def test_bad_data():
    inst = hand()
    no_costs = erlocate.Instance.from_matrix(HAND)
    for model, data, field in (
        (PhasedMCLP(2.0, 3, budgets=[1, 1, 1]), no_costs, "budgets"),
        (PhasedMCLP(2.0, 3, p=2, sites=[0, 7]), inst, "sites"),
        (PhasedMCLP(2.0, 3, p=2, weights=np.ones((3, 3))), inst, "weights"),
        (PhasedMCLP([1.0, 2.0], 3, p=2), inst, "max_cost"),
        (PhasedMCLP(2.0, 3, p=2, capacitated=True), inst, "capacitated"),
    ):
        with pytest.raises(InputError) as err:
            model.solve(data)
        assert err.value.field == field


def test_infeasible_requests_name_their_numbers():
    with pytest.raises(InfeasibleError, match="2 required sites are open from year 1, but p = 1"):
        PhasedMCLP(2.0, 3, p=1).solve(hand(required=[0, 1]))
    with pytest.raises(InfeasibleError, match="exactly 4 new sites over 3 years"):
        PhasedMCLP(2.0, 3, p_per_year=[2, 1, 1], exact_p=True).solve(hand())
    with pytest.raises(InfeasibleError, match="cost 9 in all, but the budgets add up to 6"):
        PhasedMCLP(2.0, 3, budgets=[2, 2, 2], complete=True).solve(hand())
    with pytest.raises(InfeasibleError, match=r"sites \[2\] cost 4, more than any year"):
        PhasedMCLP(2.0, 3, budgets=[3, 3, 3.5], complete=True).solve(hand())
    # the sum fits (9 <= 10) and each site fits a year, but year 1 affords none and no
    # split of costs 3, 2, 4 into two years of 4.5 exists: the solver proves it
    with pytest.raises(InfeasibleError, match="yearly budgets"):
        PhasedMCLP(2.0, 3, budgets=[1, 4.5, 4.5], complete=True).solve(hand())


def test_check_finds_yearly_assignment_breaches():
    inst = hand(capacities=[12, 20, 25])
    model = PhasedMCLP(2.0, 3, budgets=[3, 3, 4], capacitated=True, single_source=True)
    good = model.solve(inst).plan
    assert model.check(inst, good) == []
    # d (5) added to site 1 in year 1: load 25 > 20; and c sent to site 2, closed that year
    bad = replace(
        good,
        alloc_year=np.r_[good.alloc_year, 1, 1],
        alloc_demand=np.r_[good.alloc_demand, 3, 2],
        alloc_site=np.r_[good.alloc_site, 1, 2],
        alloc_share=np.r_[good.alloc_share, 1.0, 1.0],
    )
    breaches = model.check(inst, bad)
    assert "year 1: site 1 load 25 > capacity 20" in breaches
    assert any(b.startswith("1 yearly allocations to a site closed that year") for b in breaches)
    # the recomputed objective counts d in year 1 (the verifier flags the load, not the sum)
    assert model.evaluate(inst, bad) == pytest.approx(80 + 5)
