import numpy as np
import pytest

import erlocate
from tests.conftest import line_instance, random_instance


def test_line_radius(backend):
    inst = line_instance(5)
    assert erlocate.solve(erlocate.PCenter(1), inst, backend).objective == pytest.approx(2.0)
    r = erlocate.solve(erlocate.PCenter(2), inst, backend)
    assert r.objective == pytest.approx(1.0)
    assert r.assignment["cost"].max() == pytest.approx(1.0)


def test_center_differs_from_median(backend):
    # points 0,1,2,3,10 : median (p=1) sits at 2, center at 5 is not a site; sites are the points
    pos = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    inst = erlocate.Instance.from_matrix(np.abs(pos[:, None] - pos[None, :]))
    med = erlocate.solve(erlocate.PMedian(1), inst, backend)
    cen = erlocate.solve(erlocate.PCenter(1), inst, backend)
    assert med.open_sites.tolist() == [2] and med.objective == pytest.approx(12.0)  # 2+1+0+1+8
    assert cen.open_sites.tolist() == [3] and cen.objective == pytest.approx(7.0)


def test_weighted_center(backend):
    inst = line_instance(3, weights=[10, 1, 1])
    r = erlocate.solve(erlocate.PCenter(1, weighted=True), inst, backend)
    # site 0: max(0, 1, 2) = 2; site 1: max(10, 0, 1) = 10
    assert r.open_sites.tolist() == [0] and r.objective == pytest.approx(2.0)


def _enumerated(inst: erlocate.Instance, p: int, weighted: bool, max_cost=None) -> float:
    """The p-center optimum by enumerating every set of p sites (required ones included)."""
    import itertools

    cost = inst.dense_costs()
    if max_cost is not None:
        cost = np.where(cost <= max_cost, cost, np.inf)
    value = cost * (inst.weights[:, None] if weighted else 1.0)
    req = set(np.flatnonzero(inst.required).tolist())
    best = np.inf
    for sites in itertools.combinations(range(inst.n_sites), p):
        if req <= set(sites):
            best = min(best, float(value[:, list(sites)].min(axis=1).max()))
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("weighted", [False, True])
def test_radius_search_equals_enumeration_and_the_dense_milp(seed, weighted):
    inst = random_instance(seed, n=30, m=9, required=[seed % 9] if seed % 2 else None)
    p = 2 + seed % 3
    want = _enumerated(inst, p, weighted)
    search = erlocate.solve(erlocate.PCenter(p, weighted=weighted), inst)
    dense = erlocate.solve(erlocate.PCenter(p, weighted=weighted, formulation="dense"), inst)
    assert search.status == dense.status == "optimal"
    assert search.objective == pytest.approx(want) == dense.objective
    assert search.bound == pytest.approx(want)
    assert "search_steps" in search.milp_size  # the loop ran, not the dense MILP


def test_radius_search_with_a_cut_off_and_every_backend(backend):
    inst = random_instance(3, n=25, m=8)
    want = _enumerated(inst, 3, False, max_cost=60.0)
    r = erlocate.solve(erlocate.PCenter(3, max_cost=60.0), inst, backend)
    assert r.status == "optimal" and r.objective == pytest.approx(want)
    assert r.backend == backend


def test_radius_search_stopped_early_is_honest():
    from erlocate.datasets import random_euclidean

    inst = random_euclidean(300, 60, seed=4)
    exact = erlocate.solve(erlocate.PCenter(4), inst)
    r = erlocate.solve(erlocate.PCenter(4), inst, time_limit=0.0)
    assert r.status in ("feasible", "optimal")
    assert r.bound <= exact.objective + 1e-9 <= r.objective + 1e-9
    if r.status == "feasible":
        assert r.gap > 0


def test_formulation_is_checked():
    with pytest.raises(erlocate.errors.InputError, match="formulation"):
        erlocate.PCenter(2, formulation="bisect")


def test_radius_search_says_infeasible_when_p_sites_cannot_reach_everyone():
    # points and sites at 0, 1, 2; cut-off 0.5: each point needs its own site, so p = 2 cannot
    inst = line_instance(3)
    for formulation in ("search", "dense"):
        model = erlocate.PCenter(2, max_cost=0.5, formulation=formulation)
        with pytest.raises(erlocate.errors.InfeasibleError):
            erlocate.solve(model, inst)
