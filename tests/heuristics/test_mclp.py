"""MCLP greedy, swap and perturbed search: feasible, never above the optimum, hand-checked."""

import itertools

import numpy as np
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.heuristics import (
    covered_weight,
    mclp_greedy,
    mclp_interchange,
    mclp_perturbed_search,
)
from erlocate.plan import Plan
from tests.conftest import Clock, line_instance, random_instance


def _brute(inst: erlocate.Instance, p: int, S: float) -> float:
    best = 0.0
    for combo in itertools.combinations(range(inst.n_sites), p):
        o = np.zeros(inst.n_sites, bool)
        o[list(combo)] = True
        if (o | ~inst.required).all():  # required sites open
            best = max(best, covered_weight(inst, o, S))
    return best


def test_greedy_swap_and_perturbation_on_a_line():
    # points 0..5 with weights (3, 3, 4, 5, 1, 1), radius 1, p = 2. Site j covers j-1..j+1:
    # coverage 6, 10, 12, 10, 7, 2. Greedy opens 2 (12), then 0 (adds point 0: 3; ties with
    # site 1, lowest index) -> 15. Best swap: close 2, open 3 -> {0, 3} covers 0..4 = 16, a
    # swap local optimum (no single swap improves it). Optimum {1, 4} covers all: 17.
    inst = line_instance(6, weights=[3, 3, 4, 5, 1, 1])
    model = erlocate.MCLP(2, 1)
    g = mclp_greedy(inst, 2, 1)
    assert np.flatnonzero(g.open).tolist() == [0, 2] and model.evaluate(inst, g) == 15.0
    s = mclp_interchange(inst, g, 1)
    assert np.flatnonzero(s.open).tolist() == [0, 3] and model.evaluate(inst, s) == 16.0
    ils = mclp_perturbed_search(inst, g, 1, time_limit=5, max_stall=50)
    assert model.evaluate(inst, ils) == 17.0 == _brute(inst, 2, 1)
    assert model.check(inst, ils) == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_feasible_and_not_above_brute_force(seed):
    inst = random_instance(seed, n=30, m=9, required=[2])
    S, p = 35.0, 3
    model = erlocate.MCLP(p, S)
    opt = _brute(inst, p, S)
    # the MILP agrees with enumeration
    assert erlocate.solve(model, inst).objective == pytest.approx(opt)
    g = mclp_greedy(inst, p, S)
    s = mclp_interchange(inst, g, S, time_limit=5)
    ils = mclp_perturbed_search(inst, g, S, time_limit=2, seed=seed)
    for plan in (g, s, ils):
        assert model.check(inst, plan) == [] and plan.open[2]
        assert model.evaluate(inst, plan) <= opt + 1e-9
    assert model.evaluate(inst, g) <= model.evaluate(inst, s) <= model.evaluate(inst, ils)
    assert covered_weight(inst, s.open, S) == pytest.approx(model.evaluate(inst, s))


def test_swap_local_optimum_has_no_improving_swap():
    inst = random_instance(7, n=40, m=12)
    S = 30.0
    s = mclp_interchange(inst, mclp_greedy(inst, 4, S), S)
    v = covered_weight(inst, s.open, S)
    for r, j in itertools.product(np.flatnonzero(s.open), np.flatnonzero(~s.open)):
        o = s.open.copy()
        o[r], o[j] = False, True
        assert covered_weight(inst, o, S) <= v + 1e-9


def test_allowed_sites_and_max_iter():
    inst = line_instance(6)
    allowed = np.array([True, False, False, False, True, True])
    g = mclp_greedy(inst, 2, 1, allowed=allowed)
    assert not (g.open & ~allowed).any()
    same = mclp_interchange(inst, g, 1, max_iter=0)
    assert (same.open == g.open).all()


def test_bad_inputs():
    inst = line_instance(3)
    with pytest.raises(InputError, match="p: cannot open 4") as e:
        mclp_greedy(inst, 4, 1)
    assert e.value.field == "p"
    with pytest.raises(InputError, match="max_cost: must be >= 0"):
        mclp_greedy(inst, 1, -1)
    with pytest.raises(InputError, match="allowed: only 1 sites may open") as e:
        mclp_greedy(inst, 2, 1, allowed=np.array([True, False, False]))
    assert e.value.field == "allowed"
    with pytest.raises(InputError, match="allowed: expected a boolean mask"):
        mclp_greedy(inst, 1, 1, allowed=np.ones(2, bool))
    g = mclp_greedy(inst, 1, 1)
    with pytest.raises(InputError, match="time_limit: must be >= 0, got -1"):
        mclp_interchange(inst, g, 1, time_limit=-1)
    with pytest.raises(InputError, match="max_iter: must be a non-negative integer"):
        mclp_interchange(inst, g, 1, max_iter=-2)
    with pytest.raises(InputError, match="plan: has 2 open flags for 3 sites"):
        bad = Plan(np.ones(2, bool), np.zeros(0, int), np.zeros(0, int), np.zeros(0))
        mclp_interchange(inst, bad, 1)
    req = line_instance(3, required=[0])
    closed = Plan.nearest(req, np.array([False, True, False]))
    with pytest.raises(InputError, match=r"required site .* is closed"):
        mclp_interchange(req, closed, 1)
    with pytest.raises(InputError, match="strength: must be >= 1, got 0") as e:
        mclp_perturbed_search(inst, g, 1, strength=0)
    assert e.value.field == "strength"


def test_greedy_time_limit_fills_p_by_the_last_gains(monkeypatch):
    import erlocate.heuristics.mclp as hm

    # the line of test_greedy_swap_and_perturbation_on_a_line, p = 3: free greedy opens
    # 2 (covers 1..3: 12), 0 (adds point 0: 3, ties with 1), 4 (adds 4, 5: 2) -> all 17
    inst = line_instance(6, weights=[3, 3, 4, 5, 1, 1])
    model = erlocate.MCLP(3, 1)
    clock = Clock()
    monkeypatch.setattr(hm.time, "perf_counter", clock)
    free = mclp_greedy(inst, 3, 1)
    assert np.flatnonzero(free.open).tolist() == [0, 2, 4] and clock.reads == 0  # no limit
    # deadline 1 + 1.5: step 0 (reading 2) opens site 2; reading 3 is past, so the other
    # two come from step 1's gains (s0 3, s1 3, s4 2, s5 2, s3 1): s0 and s1 (lowest index)
    g = mclp_greedy(inst, 3, 1, time_limit=1.5)
    assert clock.reads == 3 and np.flatnonzero(g.open).tolist() == [0, 1, 2]
    assert model.check(inst, g) == [] and model.evaluate(inst, g) == 15.0
    # limit 0: past at the first step; the initial gains 6, 10, 12, 10, 7, 2 pick 2, 1, 3
    clock.reads = 0
    z = mclp_greedy(inst, 3, 1, time_limit=0)
    assert clock.reads == 2 and np.flatnonzero(z.open).tolist() == [1, 2, 3]
    # required and disallowed sites are respected by the fill
    req = line_instance(6, weights=[3, 3, 4, 5, 1, 1], required=[5])
    clock.reads = 0
    r = mclp_greedy(req, 3, 1, time_limit=0, allowed=np.array([1, 1, 0, 1, 1, 1], bool))
    assert np.flatnonzero(r.open).tolist() == [1, 3, 5]  # gains s1 10, s3 9, s0 6 (s2 not allowed)
    with pytest.raises(InputError, match="time_limit"):
        mclp_greedy(inst, 3, 1, time_limit=-1)
