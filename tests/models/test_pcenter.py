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


# --- capacitated (split and single-source) ------------------------------------------------


def _caps_hand() -> erlocate.Instance:
    """Points at 0, 1, 10 (demand 3, 3, 1); sites at 0, 10, 5, capacity 4 each."""
    pos_d, pos_s = np.array([0.0, 1.0, 10.0]), np.array([0.0, 10.0, 5.0])
    cost = np.abs(pos_d[:, None] - pos_s[None, :])
    return erlocate.Instance.from_matrix(cost, demand=[3, 3, 1], capacities=[4, 4, 4])


@pytest.mark.parametrize("formulation", ["search", "dense"])
def test_capacitated_hand_case_differs_from_the_uncapacitated_optimum(backend, formulation):
    inst = _caps_hand()
    with pytest.warns(UserWarning, match="does not use site capacities"):
        unc = erlocate.solve(erlocate.PCenter(2, formulation=formulation), inst, backend)
    # uncapacitated: sites at 0 and 10, radius 1 (point 1 -> site 0), but site 0 then
    # carries 3 + 3 = 6 > 4
    assert unc.open_sites.tolist() == [0, 1] and unc.objective == pytest.approx(1.0)
    # capacitated: {0, 10} must send 2 units of point 1 to site 10 (cost 9); {0, 5} holds
    # points 0 (+1 unit of point 1) at site 0 and the rest at site 5 (costs 4 and 5): 5
    for kw in ({"capacitated": True}, {"single_source": True}):
        model = erlocate.PCenter(2, formulation=formulation, **kw)
        r = erlocate.solve(model, inst, backend)
        assert r.status == "optimal" and r.objective == pytest.approx(5.0)
        assert r.bound == pytest.approx(5.0)
        assert r.open_sites.tolist() == [0, 2]
        load = r.assignment.assign(d=inst.demand[r.plan.demand_idx] * r.plan.share)
        assert load.groupby("site_id")["d"].sum().max() <= 4 + 1e-6
        assert model.check(inst, unc.plan) != []  # the uncapacitated plan breaks a capacity


def _split_vs_single() -> erlocate.Instance:
    """Points at 0, 2, 1 (demand 2 each); sites at 0, 2, 5, capacity 3 each."""
    pos_d, pos_s = np.array([0.0, 2.0, 1.0]), np.array([0.0, 2.0, 5.0])
    cost = np.abs(pos_d[:, None] - pos_s[None, :])
    return erlocate.Instance.from_matrix(cost, demand=[2, 2, 2], capacities=[3, 3, 3])


@pytest.mark.parametrize("formulation", ["search", "dense"])
def test_single_source_differs_from_split_on_a_hand_case(backend, formulation):
    inst = _split_vs_single()
    model = erlocate.PCenter(3, capacitated=True, formulation=formulation)
    split = erlocate.solve(model, inst, backend)
    # split: point 1 sends one unit to each of sites 0 and 2 (cost 1): radius 1
    assert split.objective == pytest.approx(1.0) and split.status == "optimal"
    got = split.assignment.set_index(["demand_id", "site_id"])["share"].sort_index()
    assert got.to_dict() == pytest.approx({(0, 0): 1.0, (1, 1): 1.0, (2, 0): 0.5, (2, 1): 0.5})
    # single source: sites 0 and 2 hold one point each of demand 2 (3 < 4), so one of the
    # points at 1 and 2 goes to site 5: point 2 at cost 3 (point 1 would cost 4)
    one = erlocate.PCenter(3, single_source=True, formulation=formulation)
    r = erlocate.solve(one, inst, backend)
    assert r.status == "optimal" and r.objective == pytest.approx(3.0)
    assert r.bound == pytest.approx(3.0)
    assert set(r.plan.share.tolist()) == {1.0}
    assert one.capacitated is True and one.uses_capacities


def _assignable(value, demand, caps, sites, r, single) -> bool:
    """Can ``sites`` serve every point over pairs of value <= r within capacities?
    A tiny scipy MILP (independent of erlocate's builder)."""
    from scipy.optimize import LinearConstraint, milp

    n, k = value.shape[0], len(sites)
    ok = value[:, sites] <= r
    if not ok.any(axis=1).all():
        return False
    a_eq = np.zeros((n, n * k))  # z[i, s] at i * k + s, only where ok
    a_cap = np.zeros((k, n * k))
    for i in range(n):
        a_eq[i, i * k : (i + 1) * k] = 1
        a_cap[:, i * k : (i + 1) * k] = np.diag(np.full(k, demand[i]))
    ub = ok.reshape(-1).astype(float)
    cons = [LinearConstraint(a_eq, 1, 1), LinearConstraint(a_cap, -np.inf, caps[sites])]
    from scipy.optimize import Bounds

    res = milp(np.zeros(n * k), constraints=cons, bounds=Bounds(0, ub), integrality=int(single))
    return res.status == 0


def _enumerated_capacitated(inst, p, weighted, single) -> float:
    """Capacitated p-center optimum: every p-subset, every distinct radius, a tiny MILP each."""
    import itertools

    value = inst.dense_costs() * (inst.weights[:, None] if weighted else 1.0)
    radii = np.unique(value[np.isfinite(value)])
    req = set(np.flatnonzero(inst.required).tolist())
    best = np.inf
    for sites in itertools.combinations(range(inst.n_sites), p):
        if not req <= set(sites):
            continue
        for r in radii[radii < best]:  # the least achievable radius of these sites
            if _assignable(value, inst.demand, inst.capacities, list(sites), r, single):
                best = r
                break
    return float(best)


def _caps_random(seed: int, n: int = 9, m: int = 5, p: int = 2, **kwargs) -> erlocate.Instance:
    rng = np.random.default_rng(100 + seed)
    d = rng.integers(1, 10, n).astype(float)
    caps = np.ceil(1.3 * d.sum() / p * rng.uniform(0.8, 1.2, m))
    return random_instance(seed, n=n, m=m, demand=d, capacities=caps, **kwargs)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_capacitated_search_equals_enumeration_and_the_dense_milp(seed, single, weighted):
    p = 2 + seed % 2
    inst = _caps_random(seed, p=p, required=[seed % 5] if seed % 2 else None)
    want = _enumerated_capacitated(inst, p, weighted, single)
    kw = {"single_source": single, "capacitated": True, "weighted": weighted}
    search = erlocate.solve(erlocate.PCenter(p, **kw), inst)
    dense = erlocate.solve(erlocate.PCenter(p, formulation="dense", **kw), inst)
    assert search.status == dense.status == "optimal"
    assert search.objective == pytest.approx(want) == dense.objective
    assert search.bound == pytest.approx(want)
    assert any(k.endswith("search_steps") for k in search.milp_size)  # the search ran


@pytest.mark.parametrize("seed", range(8))
def test_capacitated_search_equals_dense_on_larger_random_cases(seed):
    single, weighted = bool(seed % 2), seed >= 4
    inst = _caps_random(seed, n=40, m=10, p=4)
    kw = {"single_source": single, "capacitated": True, "weighted": weighted}
    search = erlocate.solve(erlocate.PCenter(4, **kw), inst)
    dense = erlocate.solve(erlocate.PCenter(4, formulation="dense", **kw), inst)
    unc = erlocate.solve(erlocate.PCenter(4, weighted=weighted), inst)
    assert search.status == dense.status == "optimal"
    assert search.objective == pytest.approx(dense.objective)
    assert search.objective >= unc.objective - 1e-9  # capacities can only raise the radius


@pytest.mark.parametrize("single", [False, True])
def test_capacitated_every_backend_agrees(backend, single):
    inst = _caps_random(5, n=12, m=6, p=3)
    want = _enumerated_capacitated(inst, 3, False, single)
    for formulation in ("search", "dense"):
        model = erlocate.PCenter(3, single_source=single, capacitated=True, formulation=formulation)
        r = erlocate.solve(model, inst, backend)
        assert r.status == "optimal" and r.objective == pytest.approx(want)
        assert r.backend == backend


@pytest.mark.parametrize("single", [False, True])
def test_capacitated_search_runs_on_cpsat(single):
    # the search's MILPs are 0/1 (site choice, single-source assignment); the split
    # transport is an LP solved apart, so CP-SAT proves both variants
    from erlocate.backends import available

    if "cpsat" not in available():
        pytest.skip("CP-SAT not installed")
    inst = _caps_random(2, n=12, m=6, p=3)
    want = _enumerated_capacitated(inst, 3, False, single)
    model = erlocate.PCenter(3, capacitated=True, single_source=single)
    mine = erlocate.solve(model, inst, "cpsat", time_limit=60)
    assert mine.status == "optimal" and mine.objective == pytest.approx(want)


def test_capacitated_search_stopped_early_is_honest():
    from erlocate.datasets import random_euclidean

    base = random_euclidean(200, 40, seed=4)
    caps = np.full(40, np.ceil(1.3 * base.demand.sum() / 4))
    inst = erlocate.Instance.from_matrix(base.dense_costs(), weights=base.weights, capacities=caps)
    exact = erlocate.solve(erlocate.PCenter(4, capacitated=True), inst)
    assert exact.status == "optimal"
    for limit in (0.0, 0.3):
        r = erlocate.solve(
            erlocate.PCenter(4, capacitated=True), inst, time_limit=limit, raise_on_failure=False
        )
        assert r.status in ("feasible", "optimal", "no_solution")
        assert r.bound <= exact.objective + 1e-9
        if r.status != "no_solution":
            assert exact.objective <= r.objective + 1e-9
        if r.status == "feasible":
            assert r.gap > 0


def test_capacitated_warm_starts_both_ways():
    inst = _caps_random(3, n=30, m=8, p=3)
    dense = erlocate.PCenter(3, capacitated=True, formulation="dense")
    first = erlocate.solve(erlocate.PCenter(3, capacitated=True), inst)
    again = erlocate.solve(dense, inst, warm_start=first)
    back = erlocate.solve(erlocate.PCenter(3, capacitated=True), inst, warm_start=again)
    assert first.objective == pytest.approx(again.objective) == back.objective


def test_capacitated_without_capacities_is_refused():
    inst = line_instance(4)
    for kw in ({"capacitated": True}, {"single_source": True}):
        with pytest.raises(erlocate.errors.InputError, match="capacitated") as info:
            erlocate.solve(erlocate.PCenter(2, **kw), inst)
        assert info.value.field == "capacitated"


def test_capacitated_total_capacity_below_demand_is_infeasible_with_numbers():
    inst = line_instance(4, demand=[3, 3, 3, 3], capacities=[5, 5, 5, 6])
    # the 2 largest sites hold 6 + 5 = 11 < 12
    for formulation in ("search", "dense"):
        model = erlocate.PCenter(2, capacitated=True, formulation=formulation)
        with pytest.raises(
            erlocate.errors.InfeasibleError, match="is 11, below the total demand 12"
        ):
            erlocate.solve(model, inst)


def test_single_source_point_fitting_no_site_is_infeasible_with_its_id():
    inst = line_instance(3, demand=[1, 5, 1], capacities=[4, 4, 4])
    split = erlocate.solve(erlocate.PCenter(2, capacitated=True), inst)
    # split: sites 0 and 2, point 1 sends 3 units to one and 2 to the other (cost 1 each)
    assert split.objective == pytest.approx(1.0)
    with pytest.raises(erlocate.errors.InfeasibleError, match="with demand 5"):
        erlocate.solve(erlocate.PCenter(2, single_source=True), inst)
