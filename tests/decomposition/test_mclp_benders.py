"""MCLP(method="benders"): the single MILP's optimum, enumeration, honest statuses."""

import pytest

import erlocate
from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions
from erlocate.decomposition.mclp_benders import solve_mclp_benders
from erlocate.errors import InputError
from tests.conftest import all_plans, line_instance, random_instance


def _best_by_enumeration(inst: erlocate.Instance, p: int, S: float) -> float:
    model = erlocate.MCLP(p, S, reduce=False)
    return max(model.evaluate(inst, erlocate.Plan.nearest(inst, o)) for o in all_plans(inst, p))


def test_hand_solvable_line():
    # weights (3, 3, 4, 5, 1, 1), radius 1, p = 2: optimum {1, 4} covers everything (17)
    inst = line_instance(6, weights=[3, 3, 4, 5, 1, 1])
    r = erlocate.solve(erlocate.MCLP(2, 1, method="benders"), inst)
    assert r.status == "optimal" and r.objective == 17.0 and r.bound == 17.0
    assert r.open_sites.tolist() == [1, 4]


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_single_milp(seed):
    inst = random_instance(seed, n=80, m=25, required=[3] if seed % 2 else None)
    for p, S in ((2, 25.0), (5, 30.0), (8, 40.0), (12, 20.0)):
        a = erlocate.solve(erlocate.MCLP(p, S), inst)
        b = erlocate.solve(erlocate.MCLP(p, S, method="benders"), inst)
        assert a.status == "optimal" and b.status == "optimal"
        assert b.objective == pytest.approx(a.objective) and b.bound == pytest.approx(a.objective)
        assert erlocate.MCLP(p, S).evaluate(inst, b.plan) == pytest.approx(b.objective)
        assert b.verify() is b


@pytest.mark.parametrize("seed", range(4))
def test_milp_loop_from_a_poor_start_matches_enumeration(seed):
    # no swap search and one row per LP round: the re-solve loop has to add rows itself
    inst = random_instance(seed, n=30, m=9, required=[0] if seed % 2 else None)
    backend = get_backend("highs")
    for p, S in ((2, 25.0), (3, 30.0), (4, 20.0)):
        out = solve_mclp_benders(inst, p, S, backend, SolveOptions(), None, batch=1, swap_time=0.0)
        best = _best_by_enumeration(inst, p, S)
        assert out.output.status == "optimal"
        assert out.output.objective == pytest.approx(best)
        assert out.output.bound == pytest.approx(best)
        assert erlocate.MCLP(p, S).evaluate(inst, out.plan) == pytest.approx(best)
        assert int(out.plan.open.sum()) == p and out.plan.open[inst.required].all()


def test_re_solve_loop_runs_and_stays_exact():
    # a case the LP stage alone does not close: the master MILP is solved more than once
    inst = random_instance(1, n=80, m=25)
    rounds = []
    for p, S in ((3, 20.0), (5, 25.0), (7, 20.0)):
        out = solve_mclp_benders(
            inst, p, S, get_backend("highs"), SolveOptions(), None, batch=1, swap_time=0.0
        )
        a = erlocate.solve(erlocate.MCLP(p, S), inst)
        assert out.output.status == "optimal" and out.output.objective == pytest.approx(a.objective)
        rounds.append(out.size["milp_rounds"])
    assert max(rounds) >= 1


def test_all_required():
    inst = random_instance(0, n=40, m=10, required=[1, 4])
    r = erlocate.solve(erlocate.MCLP(2, 30.0, method="benders"), inst)
    assert r.status == "optimal" and r.open_sites.tolist() == [1, 4]
    assert r.objective == pytest.approx(erlocate.MCLP(2, 30.0).evaluate(inst, r.plan))


def test_time_limit_reports_feasible_not_optimal():
    inst = random_instance(3, n=200, m=40)
    out = solve_mclp_benders(
        inst, 12, 25.0, get_backend("highs"), SolveOptions(time_limit=0.0), None, swap_time=0.0
    )
    assert out.output.status == "feasible"
    assert out.output.bound >= out.output.objective
    assert out.output.objective == pytest.approx(erlocate.MCLP(12, 25.0).evaluate(inst, out.plan))
    exact = erlocate.solve(erlocate.MCLP(12, 25.0), inst)
    assert out.output.bound >= exact.objective - 1e-6  # the bound stays a bound


def test_bad_method_combinations():
    with pytest.raises(InputError, match="benders"):
        erlocate.MCLP(2, 10.0, method="benders", capacitated=True)
    with pytest.raises(InputError, match="method"):
        erlocate.MCLP(2, 10.0, method="lazy")
