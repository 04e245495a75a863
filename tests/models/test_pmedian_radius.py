"""The radius formulation of the p-median gives the dense optimum (Elloumi 2010)."""

import dataclasses

import numpy as np
import pytest

import erlocate
from erlocate.errors import InfeasibleError, InputError, VerificationError
from erlocate.models.pmedian_radius import levels
from tests.conftest import line_instance, random_instance


def test_line_hand_solved(backend):
    # points 0..4 on a line, p = 2: open {1, 3} (or {1, 4}, ...): costs 1+0+1+0+1 = 3
    r = erlocate.solve(erlocate.PMedian(2, formulation="radius"), line_instance(5), backend)
    assert r.status == "optimal" and r.objective == pytest.approx(3.0)
    # p = 1: the median 2 costs 2+1+0+1+2 = 6
    r = erlocate.solve(erlocate.PMedian(1, formulation="radius"), line_instance(5), backend)
    assert r.open_sites.tolist() == [2] and r.objective == pytest.approx(6.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    ("p", "kwargs", "max_cost"),
    [(3, {}, None), (5, {"required": [0, 7]}, None), (4, {}, 55.0), (11, {}, None)],
)
def test_radius_equals_dense(backend, seed, p, kwargs, max_cost):
    inst = random_instance(seed, **kwargs)  # ~15 % unreachable pairs
    dense = erlocate.solve(erlocate.PMedian(p, max_cost=max_cost), inst, "highs")
    radius = erlocate.solve(
        erlocate.PMedian(p, max_cost=max_cost, formulation="radius"), inst, backend
    )
    assert radius.status == "optimal"
    assert radius.objective == pytest.approx(dense.objective, rel=1e-9)
    assert set(np.flatnonzero(inst.required)) <= set(np.flatnonzero(radius.plan.open))


def test_identical_rows_merge_and_weights_add():
    # rows 0 and 2 identical, weights 2 + 3 -> one row of weight 5
    cost = np.array([[0.0, 4.0], [4.0, 0.0], [0.0, 4.0]])
    inst = erlocate.Instance.from_matrix(cost, weights=[2, 1, 3])
    lv = levels(inst, 1, None)
    assert sorted(lv.weight.tolist()) == [1.0, 5.0]
    r = erlocate.solve(erlocate.PMedian(1, formulation="radius"), inst)
    assert r.open_sites.tolist() == [0] and r.objective == pytest.approx(4.0)  # weight 1 × 4


def test_p_closing_reduction_keeps_only_needed_levels():
    # 5 sites, p = 4: one site closed, so each row stops at its 2nd-nearest site
    lv = levels(line_instance(5), 4, None)
    assert np.bincount(lv.row).tolist() == [2, 2, 2, 2, 2]
    assert lv.closed[lv.last].all()


def test_unreachable_within_cutoff_is_infeasible():
    with pytest.raises(InfeasibleError, match=r"proved the model infeasible|share no site"):
        erlocate.solve(erlocate.PMedian(1, max_cost=1.5, formulation="radius"), line_instance(5))


def test_bad_formulation_and_capacitated_radius():
    with pytest.raises(InputError, match="formulation: must be one of"):
        erlocate.solve(erlocate.PMedian(1, formulation="sparse"), line_instance(3))
    inst = line_instance(3, capacities=[5, 5, 5])
    with pytest.raises(InputError, match="radius formulation is uncapacitated only"):
        erlocate.solve(erlocate.PMedian(1, capacitated=True, formulation="radius"), inst)
    assert "assign" in erlocate.PMedian(1, capacitated=True).build(inst).col_blocks


def test_warm_start_round_trip():
    inst = random_instance(3)
    model = erlocate.PMedian(4, formulation="radius")
    first = erlocate.solve(model, inst)
    milp = model.build(inst)
    x0 = model.encode(inst, milp, first.plan)
    assert milp.max_violation(x0) <= 1e-9
    assert milp.objective_value(x0) == pytest.approx(first.objective)
    again = erlocate.solve(model, inst, warm_start=first)
    assert again.objective == pytest.approx(first.objective)


def test_corrupted_plan_rejected():
    r = erlocate.solve(erlocate.PMedian(2, formulation="radius"), line_instance(5))
    bad_open = r.plan.open.copy()
    bad_open[np.flatnonzero(~bad_open)[0]] = True  # three sites open, p = 2
    bad = dataclasses.replace(r.plan, open=bad_open)
    with pytest.raises(VerificationError):
        dataclasses.replace(r, plan=bad).verify()


FAST = {"pmed1", "pmed4", "pmed5"}  # about a second each; the others take 5-60 s on 2 cores


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(f"pmed{k}", marks=() if f"pmed{k}" in FAST else pytest.mark.slow)
        for k in range(1, 11)
    ],
)
def test_orlib_pmed1_to_10(data_dir, name):
    from erlocate.io import orlib_case

    case = orlib_case(name)
    model = erlocate.PMedian(case.p, formulation="radius")
    r = erlocate.solve(model, case.instance, "highs", warm_start="heuristic")
    assert r.status == "optimal" and case.matches(r.objective)


@pytest.mark.parametrize("seed", range(6))
def test_row_cost_order_equals_the_three_key_lexsort(seed):
    from erlocate.models.pmedian_radius import row_cost_order

    rng = np.random.default_rng(seed)
    for _ in range(40):
        n, m = int(rng.integers(1, 25)), int(rng.integers(1, 15))
        r, c = np.nonzero(rng.random((n, m)) < rng.random())
        cost = rng.integers(0, 4, r.size).astype(float)  # many ties: column order decides
        want = np.lexsort((c, cost, r))
        assert np.array_equal(row_cost_order(r, c, cost), want)
        shuffled = rng.permutation(r.size)  # not CSR order: the lexsort path
        got = row_cost_order(r[shuffled], c[shuffled], cost[shuffled])
        assert np.array_equal(got, np.lexsort((c[shuffled], cost[shuffled], r[shuffled])))
