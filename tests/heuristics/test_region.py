"""MCLP region search: hand-checked escape from a swap optimum, brute force, bounds, errors."""

import itertools

import numpy as np
import pytest

import erlocate
from erlocate.errors import BackendError, InputError
from erlocate.heuristics import covered_weight, mclp_greedy, mclp_interchange, mclp_region_search
from erlocate.plan import Plan
from tests.conftest import line_instance, random_instance


def _brute(inst: erlocate.Instance, p: int, S: float, allowed: np.ndarray) -> float:
    best = 0.0
    for combo in itertools.combinations(np.flatnonzero(allowed), p):
        o = np.zeros(inst.n_sites, bool)
        o[list(combo)] = True
        if o[inst.required].all():
            best = max(best, covered_weight(inst, o, S))
    return best


def test_escapes_the_swap_optimum_on_a_line():
    # points 0..5, weights (3, 3, 4, 5, 1, 1), radius 1, p = 2 (see tests/heuristics/test_mclp.py):
    # {0, 3} covers 16 and no single swap improves it. One open site per region cannot
    # either: with 0 open, site 3 is the best single choice near 3 (16), and with 3 open,
    # 0 or 1 is the best near 0 (16). After that stall the region grows to both sites and
    # the region MILP finds the optimum {1, 4}, which covers all 17.
    inst = line_instance(6, weights=[3, 3, 4, 5, 1, 1])
    model = erlocate.MCLP(2, 1)
    start = mclp_interchange(inst, mclp_greedy(inst, 2, 1), 1)
    assert np.flatnonzero(start.open).tolist() == [0, 3]
    out = mclp_region_search(inst, start, 1, region_open=1, time_limit=30)
    assert np.flatnonzero(out.open).tolist() == [1, 4]
    assert model.evaluate(inst, out) == 17.0 and model.check(inst, out) == []


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_never_worse_and_within_brute_force(seed):
    inst = random_instance(seed, n=30, m=10, required=[2])
    S, p = 30.0, 4
    allowed = np.ones(10, bool)
    allowed[[5, 7]] = False
    model = erlocate.MCLP(p, S)
    g = mclp_greedy(inst, p, S, allowed=allowed)
    out = mclp_region_search(inst, g, S, region_open=2, time_limit=20, seed=seed, allowed=allowed)
    assert model.check(inst, out) == [] and out.open.sum() == p and out.open[2]
    assert not out.open[[5, 7]].any()
    best = _brute(inst, p, S, allowed)
    assert model.evaluate(inst, g) <= model.evaluate(inst, out) <= best + 1e-9


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("backend", ["highs", "pulp"])
def test_one_region_holding_everything_is_the_exact_optimum(seed, backend):
    # S = 200 exceeds every finite distance: every pair of sites shares a demand point, so
    # the first region frees every site and its MILP is the whole MCLP
    inst = random_instance(seed, n=25, m=9)
    S, p = 200.0, 3
    g = mclp_greedy(inst, p, S)
    out = mclp_region_search(inst, g, S, region_open=p, time_limit=30, backend=backend)
    exact = erlocate.solve(erlocate.MCLP(p, S), inst).objective
    assert exact == pytest.approx(_brute(inst, p, S, np.ones(9, bool)))
    assert erlocate.MCLP(p, S).evaluate(inst, out) == pytest.approx(exact)


def test_bad_arguments():
    inst = line_instance(6)
    g = mclp_greedy(inst, 2, 1)
    for kw, field in (
        ({"region_open": 0}, "region_open"),
        ({"region_sites": 2.5}, "region_sites"),
        ({"sub_time_limit": 0}, "sub_time_limit"),
        ({"max_stall": -1}, "max_stall"),
        ({"time_limit": float("nan")}, "time_limit"),
    ):
        with pytest.raises(InputError) as err:
            mclp_region_search(inst, g, 1, **kw)
        assert err.value.field == field
    closed = np.ones(6, bool)
    closed[g.open] = False
    with pytest.raises(InputError, match="not allowed") as err:
        mclp_region_search(inst, g, 1, allowed=closed)
    assert err.value.field == "plan"
    with pytest.raises(InputError) as err:
        mclp_region_search(inst, Plan.nearest(line_instance(4), np.ones(4, bool)), 1)
    assert err.value.field == "plan"
    with pytest.raises(BackendError):
        mclp_region_search(inst, g, 1, backend="nope")
