"""Greedy and interchange p-median heuristics: feasible, never below the optimum."""

import itertools

import numpy as np
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.heuristics import pmedian, pmedian_greedy, pmedian_interchange
from tests.conftest import Clock, line_instance, random_instance


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


@pytest.mark.parametrize("seed", range(6))
def test_pair_sweeps_equal_the_dense_ones(seed):
    # the pair kernels (memory O(pairs)) must take the same steps as the dense matrix
    inst = random_instance(seed, n=50, m=14, required=[seed % 14] if seed % 2 else [])
    model_costs = [None, 70.0, 30.0, 12.0]  # 12: few usable pairs, unallocated demand
    for max_cost, p in itertools.product(model_costs, (1, 2, 5)):
        p = max(p, int(inst.required.sum()))
        g = [pmedian_greedy(inst, p, max_cost=max_cost, dense=d) for d in (True, False)]
        assert g[0].open.tolist() == g[1].open.tolist(), (max_cost, p)
        s = [pmedian_interchange(inst, g[0], max_cost=max_cost, dense=d) for d in (True, False)]
        assert s[0].open.tolist() == s[1].open.tolist(), (max_cost, p)
        # from poor starts (the last p sites), p = 1 included: every swap term matters
        poor = erlocate.plan.Plan.nearest(inst, np.arange(14) >= 14 - p)
        if not (inst.required & ~poor.open).any():
            t = [pmedian_interchange(inst, poor, max_cost=max_cost, dense=d) for d in (True, False)]
            assert t[0].open.tolist() == t[1].open.tolist() != poor.open.tolist(), max_cost
        model = erlocate.PMedian(p, max_cost=max_cost)
        if model.check(inst, s[1]) == [] == model.check(inst, g[1]):
            assert model.evaluate(inst, s[1]) <= model.evaluate(inst, g[1]) + 1e-9


@pytest.mark.parametrize("dense", [True, False])
def test_time_limits_stop_within_one_step(monkeypatch, dense):
    inst = random_instance(2, n=60, m=20)
    free = pmedian_greedy(inst, 6, max_cost=60.0, dense=dense)
    start = erlocate.plan.Plan.nearest(inst, np.arange(20) < 6)
    swapped = pmedian_interchange(inst, start, max_cost=60.0, dense=dense)
    assert swapped.open.tolist() != start.open.tolist()  # a real run makes swaps
    clock = Clock()
    monkeypatch.setattr(pmedian.time, "perf_counter", clock)
    # greedy: the deadline (clock 1 + 1.5) is past at the third reading: two sites
    # chosen one by one, the other four from the last gains — still p sites, feasible
    g = pmedian_greedy(inst, 6, max_cost=60.0, time_limit=1.5, dense=dense)
    assert g.open.sum() == 6 and clock.reads == 3
    assert (g.open & free.open).sum() >= 2 and erlocate.PMedian(6, max_cost=60.0).check(
        inst, g
    ) == []
    clock.reads = 0
    s = pmedian_interchange(inst, start, max_cost=60.0, time_limit=0.5, dense=dense)
    assert s.open.tolist() == start.open.tolist()  # past the limit before the first swap
    assert clock.reads == 2  # the deadline, then one check
