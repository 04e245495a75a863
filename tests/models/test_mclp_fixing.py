"""MCLP(method="fixing"): same optimum as the single MILP, exact fixings, honest statuses."""

import numpy as np
import pytest
import scipy.sparse as sp

import erlocate
from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions
from erlocate.decomposition.mclp_fixing import solve_mclp_fixing
from erlocate.decomposition.restricted import (
    RestrictedProblem,
    fix_by_reduced_costs,
    lagrangian_bound,
    lp_duals,
    project_to_kept,
)
from erlocate.errors import InputError
from erlocate.heuristics import covered_weight
from tests.conftest import all_plans, line_instance, random_instance


def _problem(inst: erlocate.Instance, model: erlocate.MCLP) -> RestrictedProblem:
    red = model.reduction(inst)
    return RestrictedProblem(
        A=sp.csr_array(red.A, dtype=float),
        w=np.asarray(red.weights, float),
        free=red.keep_sites & ~inst.required,
        fixed_open=inst.required.copy(),
        must=np.zeros(red.n_rows, bool),
        p=int(model.p),
        offset=red.fixed_weight,
    )


def test_hand_solvable_line():
    # weights (3, 3, 4, 5, 1, 1), radius 1, p = 2: optimum {1, 4} covers everything (17)
    inst = line_instance(6, weights=[3, 3, 4, 5, 1, 1])
    r = erlocate.solve(erlocate.MCLP(2, 1, method="fixing"), inst)
    assert r.status == "optimal" and r.objective == 17.0 and r.bound == 17.0
    assert r.open_sites.tolist() == [1, 4]


@pytest.mark.parametrize("seed", range(6))
def test_agrees_with_single_milp(seed):
    inst = random_instance(seed, n=60, m=25, required=[3] if seed % 2 else None)
    for p, S in ((2, 25.0), (5, 30.0), (8, 40.0)):
        a = erlocate.solve(erlocate.MCLP(p, S), inst)
        b = erlocate.solve(erlocate.MCLP(p, S, method="fixing"), inst)
        assert b.status == "optimal" and a.status == "optimal"
        assert b.objective == pytest.approx(a.objective) and b.bound == pytest.approx(a.objective)
        assert erlocate.MCLP(p, S).evaluate(inst, b.plan) == pytest.approx(b.objective)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lagrangian_bound_and_fixings_against_enumeration(seed):
    # every plan: value <= L; a plan breaking a fixing is worth less than the incumbent value
    inst = random_instance(seed, n=25, m=9)
    model = erlocate.MCLP(3, 30.0, reduce=False)
    prob = _problem(inst, erlocate.MCLP(3, 30.0))
    plans = list(all_plans(inst, 3))
    values = np.array([covered_weight(inst, o, 30.0) for o in plans])
    u, lp = lp_duals(prob)
    L = lagrangian_bound(prob, u)[0]
    assert L == pytest.approx(lp, rel=1e-7) and values.max() <= L + 1e-6
    for lb in (values.max(), np.sort(values)[-3]):
        fix = fix_by_reduced_costs(prob, u, lb)
        for o, v in zip(plans, values, strict=True):
            if v >= lb:  # plans at least as good as lb respect every fixing
                assert not (o & fix.close).any() and o[fix.open].all()
                counts = prob.A @ o.astype(float)
                assert (counts[fix.must] > 0).all() and (counts[fix.never] == 0).all()
    # any multipliers give a valid bound, e.g. u = w (the trivial all-weight bound) or random
    rng = np.random.default_rng(seed)
    for v in (prob.w, rng.random(prob.w.size) * prob.w.max()):
        assert values.max() <= lagrangian_bound(prob, v)[0] + 1e-6
    assert model.evaluate(inst, erlocate.solve(model, inst).plan) == pytest.approx(values.max())


def test_time_limit_reports_feasible_not_optimal():
    inst = random_instance(11, n=200, m=120)
    backend = get_backend("highs")
    out = solve_mclp_fixing(
        inst, 12, 25.0, backend, SolveOptions(time_limit=0.0), None, heuristic_time=0.0
    )
    assert out.output.status == "feasible"
    assert np.isfinite(out.output.bound) and out.output.bound >= out.output.objective
    assert covered_weight(inst, out.plan.open, 25.0) == pytest.approx(out.output.objective)
    exact = erlocate.solve(erlocate.MCLP(12, 25.0), inst).objective
    assert out.output.objective <= exact + 1e-9 <= out.output.bound + 1e-9


def test_start_plan_on_dominated_sites_is_projected():
    # two identical sites (0 and 1 at the same spot): the reduction keeps 0 only
    cost = np.array([[0.0, 0.0, 5.0], [1.0, 1.0, 5.0], [5.0, 5.0, 0.0]])
    inst = erlocate.Instance.from_matrix(cost, weights=[1.0, 2.0, 3.0])
    model = erlocate.MCLP(2, 1.0, method="fixing")
    red = model.reduction(inst)
    assert red.keep_sites.tolist() == [True, False, True]
    moved = project_to_kept(inst, red, 1.0, np.array([False, True, True]))
    assert moved.tolist() == [True, False, True]
    start = erlocate.plan.Plan.nearest(inst, np.array([False, True, True]))
    r = erlocate.solve(model, inst, warm_start=start)
    assert r.status == "optimal" and r.objective == 6.0


def test_bad_method():
    with pytest.raises(InputError, match="method: must be one of 'milp', 'fixing', 'benders'") as e:
        erlocate.solve(erlocate.MCLP(1, 1, method="lazy"), line_instance(4))
    assert e.value.field == "method"


@pytest.mark.slow
def test_ails_newyork_p50(data_dir):
    from erlocate.io.ails import ails_case

    case = ails_case("NewYork_p50_r400")
    r = erlocate.solve(
        erlocate.MCLP(case.model.p, case.model.max_cost, method="fixing"),
        case.instance,
        time_limit=300,
    )
    assert r.status == "optimal" and case.matches(r.objective)
