"""allow_unhoused in two steps (everyone reachable housed first) gives the one-MILP optimum."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import erlocate
from erlocate.planning.shelters import Shelters
from erlocate.planning.shelters import housed as shelter_housed


def village(seed: int, cap_scale: float, n: int = 14, m: int = 5) -> erlocate.Instance:
    """Communities and sites with walking minutes; some communities beyond every limit."""
    rng = np.random.default_rng(seed)
    pts, sites = rng.random((n, 2)) * 6000, rng.random((m, 2)) * 3000
    walk = np.round(np.hypot(*(pts[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)) / 70, 1)
    cap = rng.integers(300, 900, m) * cap_scale
    return erlocate.Instance.from_matrix(
        walk, weights=rng.integers(200, 1500, n), capacities=cap, required=np.arange(m) < 2
    )


def one_milp(model, inst):
    """The model solved as one MILP (the loop switched off)."""
    mp = pytest.MonkeyPatch()
    steps = replace(Shelters.steps, solve_loop=lambda d, b, o, s: None)
    mp.setattr(Shelters, "steps", steps)
    try:
        return erlocate.solve(model, inst, raise_on_failure=False)
    finally:
        mp.undo()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("cap_scale", [0.6, 3.0])
@pytest.mark.parametrize("params", [{}, {"closest": True}, {"new": 1}, {"new": 1, "closest": True}])
def test_two_steps_give_the_one_milp_optimum(seed, cap_scale, params):
    inst = village(seed, cap_scale)
    model = Shelters(allow_unhoused=True, **params)
    two = erlocate.solve(model, inst)
    assert two.status == "optimal"
    one = one_milp(Shelters(allow_unhoused=True, **params), inst)
    assert one.status == "optimal"
    assert two.objective == pytest.approx(one.objective, rel=1e-9, abs=1e-9)
    assert model.evaluate(inst, two.plan) == pytest.approx(two.objective, rel=1e-9)


def test_unreachable_communities_stay_out_and_the_rest_are_housed():
    # c0, c1 walk 5 min to A (room 1,000); c2 is 90 min from everything (limit 60)
    walk = np.array([[5.0, 20.0], [6.0, 25.0], [90.0, 95.0]])
    inst = erlocate.Instance.from_matrix(
        walk, weights=[500, 400, 300], capacities=[1000.0, 1000.0], required=[True, False]
    )
    model = Shelters(
        share=1.0,
        allow_unhoused=True,
        classes={"fixed": {"m2_per_person": 1.5, "max_walk_minutes": 60}},
    )
    res = erlocate.solve(model, inst)
    assert res.status == "optimal"
    assert "everyone reachable housed" in res.termination
    assert sorted(res.plan.demand_idx.tolist()) == [0, 1]
    assert res.plan.open.tolist() == [True, False]
    levels = {name: value for name, _, _, value in model.levels(inst, res.plan)}
    assert levels["unhoused people"] == pytest.approx(300)
    assert levels["walking (people × cost)"] == pytest.approx(500 * 5 + 400 * 6)


def test_when_not_everyone_fits_the_full_milp_decides():
    # A (room 600) is the only shelter: 500 + 400 people cannot both go, so 400 stay out
    walk = np.array([[5.0], [6.0]])
    inst = erlocate.Instance.from_matrix(walk, weights=[500, 400], capacities=[600.0])
    model = Shelters(share=1.0, allow_unhoused=True)
    res = erlocate.solve(model, inst)
    assert res.status == "optimal"
    assert "everyone reachable housed" not in res.termination
    assert res.plan.demand_idx.tolist() == [0]
    assert shelter_housed.everyone_reachable(model.data(inst)).params.allow_unhoused is False


def test_the_grid_district_is_proven():
    from erlocate.district import shelter_case
    from erlocate.district.resolution import Grid

    model, inst = shelter_case(resolution=Grid(500), allow_unhoused=True)
    res = erlocate.solve(model, inst, time_limit=60, warm_start="heuristic")
    assert res.status == "optimal"
    one = one_milp(model, inst)
    assert one.status == "optimal"
    assert res.objective == pytest.approx(one.objective, rel=1e-9)
