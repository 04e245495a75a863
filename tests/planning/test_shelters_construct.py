"""The shelter construction heuristic: every plan it gives is feasible, never better than optimal."""

from __future__ import annotations

import numpy as np
import pytest

import erlocate
from erlocate.planning.shelters import Shelters
from erlocate.planning.shelters.construct import construct


def town(seed: int, n: int = 40, m: int = 8, cap_scale: float = 1.0) -> erlocate.Instance:
    """Random communities and sites; two existing shelters, capacities around the need."""
    rng = np.random.default_rng(seed)
    pts, sites = rng.random((n, 2)) * 3000, rng.random((m, 2)) * 3000
    walk = np.hypot(*(pts[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)) / 70
    pop = rng.integers(100, 2000, n)
    cap = rng.integers(2000, 6000, m) * cap_scale
    return erlocate.Instance.from_matrix(
        np.round(walk, 1), weights=pop, capacities=cap.astype(float), required=np.arange(m) < 2
    )


PARAMS = [
    {},
    {"closest": True},
    {"closest": True, "ties": "first"},
    {"new": 3},
    {"new": 3, "closest": True},
    {"new": 2, "exact_new": True},
    {"new": 1, "allow_unhoused": True},
    {"new": 1, "allow_unhoused": True, "closest": True},
    {"share": {"day": 0.3, "night": np.linspace(0.1, 0.5, 40)}},
]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("params", PARAMS, ids=lambda p: ",".join(map(str, p)) or "default")
def test_a_constructed_plan_is_feasible_and_not_better_than_the_optimum(seed, params):
    inst = town(seed)
    model = Shelters(**params)
    plan = model.start_plan(inst, 10.0)
    # allow_unhoused is a knapsack the MILP may not close quickly: its bound is enough here
    best = erlocate.solve(model, inst, time_limit=10, raise_on_failure=False)
    if plan is None:
        return
    assert model.check(inst, plan) == []
    assert best.status in ("optimal", "feasible")
    assert model.evaluate(inst, plan) >= best.bound - 1e-9 * max(1.0, abs(best.bound))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("closest", [False, True])
def test_ample_room_always_gives_a_start(seed, closest):
    inst = town(seed, cap_scale=3.0)
    model = Shelters(closest=closest)
    plan = model.start_plan(inst, 10.0)
    assert plan is not None and model.check(inst, plan) == []


def test_most_random_towns_get_a_start():
    found = 0
    for seed in range(12):
        for params in PARAMS:
            found += Shelters(**params).start_plan(town(seed), 10.0) is not None
    assert found >= 0.9 * 12 * len(PARAMS)  # 101 of 108 when written


def test_the_greedy_opens_the_shelter_that_houses_everyone():
    # one existing shelter (room for 100) near both communities (80 + 60 people); candidate
    # "far" is too far for one of them, candidate "mid" takes either: open "mid"
    walk = np.array([[5.0, 50.0, 20.0], [6.0, 90.0, 25.0]])
    inst = erlocate.Instance.from_matrix(
        walk, weights=[80, 60], capacities=[100.0, 200.0, 100.0], required=[True, False, False]
    )
    model = Shelters(share=1.0, classes={"fixed": {"m2_per_person": 1.5, "max_walk_minutes": 60}})
    plan = model.start_plan(inst, 5.0)
    assert plan is not None
    assert plan.open.tolist() == [True, False, True]
    assert model.check(inst, plan) == []
    assert model.evaluate(inst, plan) == pytest.approx(erlocate.solve(model, inst).objective)


def test_no_start_leaves_the_solver_to_find_the_plan():
    # A (room 6) is nearest to communities of 1, 4, 4 and 5 people, B (room 10) to one of
    # 2: 8 must move to B, which only the two fours do; moving the smallest first (1, 4)
    # or the largest first (5, then 1) leaves A full, so the greedy gives no start and
    # the MILP finds the plan: 1 + 5 walk 1 min to A, 4 + 4 walk 9 min and 2 walk 1 to B
    walk = np.array([[1.0, 9.0]] * 4 + [[9.0, 1.0]])
    inst = erlocate.Instance.from_matrix(
        walk, weights=[1, 4, 4, 5, 2], capacities=[6.0, 10.0], required=[True, True]
    )
    model = Shelters(share=1.0)
    assert model.start_plan(inst, 5.0) is None
    warm = erlocate.solve(model, inst, warm_start="heuristic")
    cold = erlocate.solve(model, inst)
    assert warm.status == cold.status == "optimal"
    assert warm.objective == pytest.approx(cold.objective) == pytest.approx(1 + 5 + 72 + 2)


@pytest.mark.parametrize("closest", [False, True])
def test_the_heuristic_start_gives_the_same_optimum(closest):
    inst = town(4)
    model = Shelters(closest=closest)
    warm = erlocate.solve(model, inst, warm_start="heuristic")
    cold = erlocate.solve(model, inst)
    assert warm.status == cold.status == "optimal"
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)


def test_the_district_gets_a_start_at_every_resolution():
    from erlocate.district import shelter_case
    from erlocate.district.resolution import Points

    for res in ("communities", Points(4)):
        model, inst = shelter_case(resolution=res)
        plan = construct(model.data(inst), 10.0)
        assert plan is not None and model.check(inst, plan) == []
        assert plan.open[inst.required].all()
