"""Greedy and interchange p-median heuristics: feasible, never below the optimum."""

import numpy as np
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.heuristics import pmedian_greedy, pmedian_interchange
from tests.conftest import line_instance, random_instance


def test_greedy_on_a_line_then_swap_to_optimum():
    # points 0..5 on a line, p = 2. Greedy opens 2 first (1 median: 2+1+0+1+2+3 = 9; 3 ties
    # at 9 too, lowest index wins), then 4 (costs 2,1,0,1,0,1 = 5). Optimum {1, 4}: 1+0+1+1+0+1 = 4.
    inst = line_instance(6)
    model = erlocate.PMedian(2)
    g = pmedian_greedy(inst, 2)
    assert np.flatnonzero(g.open).tolist() == [2, 4]
    assert model.evaluate(inst, g) == pytest.approx(5.0)
    s = pmedian_interchange(inst, g)
    assert model.evaluate(inst, s) == pytest.approx(4.0) and model.check(inst, s) == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_feasible_and_not_below_optimum(seed):
    inst = random_instance(seed, required=[1])
    model = erlocate.PMedian(4, max_cost=70.0)
    opt = erlocate.solve(model, inst).objective
    g = pmedian_greedy(inst, 4, max_cost=70.0)
    s = pmedian_interchange(inst, g, max_cost=70.0, time_limit=5)
    for plan in (g, s):
        assert model.check(inst, plan) == [] and plan.open[1]
        assert model.evaluate(inst, plan) >= opt - 1e-9
    assert model.evaluate(inst, s) <= model.evaluate(inst, g) + 1e-9


def test_warm_start_heuristic_in_solve():
    inst = random_instance(5)
    r = erlocate.solve(erlocate.PMedian(3, formulation="radius"), inst, warm_start="heuristic")
    assert r.objective == pytest.approx(erlocate.solve(erlocate.PMedian(3), inst).objective)
    with pytest.raises(InputError, match="warm_start: 'greedy' is not a starting plan"):
        erlocate.solve(erlocate.PMedian(3), inst, warm_start="greedy")
    with pytest.raises(InputError, match="'heuristic' is not available for LSCP"):
        erlocate.solve(erlocate.LSCP(max_cost=50.0), inst, warm_start="heuristic")


def test_bad_inputs():
    inst = line_instance(3)
    with pytest.raises(InputError, match="p: cannot open 4"):
        pmedian_greedy(inst, 4)
    g = pmedian_greedy(inst, 1)
    with pytest.raises(InputError, match="time_limit: must be >= 0, got -1"):
        pmedian_interchange(inst, g, time_limit=-1)


def test_warm_start_heuristic_for_mclp_and_dominated_start():
    inst = random_instance(3, n=60, m=15)
    model = erlocate.MCLP(3, max_cost=40.0)
    exact = erlocate.solve(model, inst)
    r = erlocate.solve(model, inst, warm_start="heuristic")
    assert r.status == "optimal" and r.objective == pytest.approx(exact.objective)
    # site 1 covers {d1, d2}, a subset of site 0's {d0, d1, d2}: the reduction drops it.
    # A start opening it is moved onto site 0, so the warm-start vector respects the
    # reduced MILP's bounds (before, HiGHS silently discarded such a start)
    cost = np.array([[1.0, 5, 5], [1, 1, 5], [1, 1, 5], [5, 5, 1]])
    small = erlocate.Instance.from_matrix(cost, weights=[1, 2, 3, 4])
    model = erlocate.MCLP(2, max_cost=1.0)
    assert model.reduction(small).keep_sites.tolist() == [True, False, True]
    plan = erlocate.plan.Plan.nearest(small, np.array([False, True, True]))
    milp = model.build(small)
    x = model.encode(small, milp, plan)
    assert np.all(x >= milp.col_lb - 1e-9) and np.all(x <= milp.col_ub + 1e-9)
    assert x[milp.col_blocks["open"]].tolist() == [1.0, 0.0, 1.0]
    r2 = erlocate.solve(model, small, warm_start=plan)
    assert r2.status == "optimal" and r2.objective == 10.0
