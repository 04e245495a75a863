"""Benders p-median (Duran-Mateluna, Ales & Elloumi 2023): same optimum as the dense MILP."""

import numpy as np
import pytest

import erlocate
from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions
from erlocate.decomposition import benders_run
from erlocate.decomposition.benders_master import CutOracle, Master
from erlocate.decomposition.pmedian_benders import BendersStats, benders_pmedian
from erlocate.errors import InfeasibleError, InputError
from erlocate.io import orlib_case
from erlocate.models.pmedian_radius import levels
from erlocate.plan import Plan
from tests.conftest import line_instance, random_instance


def benders(p, **kwargs):
    return erlocate.PMedian(p, formulation="benders", **kwargs)


def test_line_hand_solved(backend):
    r = erlocate.solve(benders(2), line_instance(5), backend)
    assert r.status == "optimal" and r.objective == pytest.approx(3.0)
    r = erlocate.solve(benders(1), line_instance(5), backend)
    assert r.open_sites.tolist() == [2] and r.objective == pytest.approx(6.0)
    assert r.backend == backend and "Benders" in r.termination


def test_cycle_hand_solved_with_lp_bound():
    # 5 points on a cycle (costs 0, 1, 2 around it), p = 2: each of the 3 points left
    # closed is at least 1 away, so 3 is optimal and {0, 2} attains it; the LP bound is 3
    n = 5
    k = np.arange(n)
    gap = np.abs(k[:, None] - k[None, :])
    inst = erlocate.Instance.from_matrix(np.minimum(gap, n - gap).astype(float))
    stats = BendersStats()
    out, plan = benders_pmedian(inst, 2, None, get_backend("highs"), SolveOptions(), None, stats)
    assert out.status == "optimal" and out.objective == pytest.approx(3.0)
    assert stats.lp_bound == pytest.approx(3.0) and plan.open.sum() == 2


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize(
    ("p", "kwargs", "max_cost"),
    [(3, {}, None), (5, {"required": [0, 7]}, None), (4, {}, 55.0), (11, {}, None)],
)
def test_benders_equals_dense(seed, p, kwargs, max_cost):
    inst = random_instance(seed, **kwargs)  # ~15 % unreachable pairs
    dense = erlocate.solve(erlocate.PMedian(p, max_cost=max_cost), inst, "highs")
    r = erlocate.solve(benders(p, max_cost=max_cost), inst, "highs")
    assert r.status == "optimal"
    assert r.objective == pytest.approx(dense.objective, rel=1e-9)
    assert r.bound == pytest.approx(dense.objective, rel=1e-9)
    assert set(np.flatnonzero(inst.required)) <= set(np.flatnonzero(r.plan.open))


def test_probing_fixes_what_reduced_costs_leave(backend):
    # pmed2's LP is fractional (4088.5): reduced costs fix 74 sites, probing the other 26
    case = orlib_case("pmed2")
    r = erlocate.solve(benders(case.p), case.instance, backend)
    assert r.status == "optimal" and r.objective == 4093 == case.optimum
    size = r.milp_size
    assert size["fixed_zero"] + size["fixed_one"] == 100 and size["probes"] > 0


@pytest.mark.parametrize("name", ["pmed2", "pmed3"])
def test_final_milp_stage_on_every_backend(backend, name, monkeypatch):
    # without probing, the fixed problem goes to the MILP stage: the re-cut master MILP on
    # HiGHS, the restricted radius MILP on the other backends
    monkeypatch.setattr(benders_run, "PROBE_SHARE", 0.0)
    case = orlib_case(name)
    r = erlocate.solve(benders(case.p), case.instance, backend, time_limit=120)
    assert r.status == "optimal" and case.matches(r.objective) and r.milp_size["probes"] == 0
    assert 0 < r.milp_size["fixed_zero"] < 100
    assert ("restricted_int_cols" in r.milp_size) == (backend != "highs")


@pytest.mark.parametrize("name", ["pmed1", "pmed3", "pmed4", "pmed5", "pmed7"])
def test_orlib_published_optima(name):
    case = orlib_case(name)
    r = erlocate.solve(benders(case.p), case.instance)
    assert r.status == "optimal" and case.matches(r.objective) and case.matches(r.bound)


def test_continuous_costs_random_1000x200_matches_dense_value():
    # the issue's scale case, seed 0 (dense proved 58,543,752.914 in 17-74 s)
    rng = np.random.default_rng(0)
    a, b = rng.random((1000, 2)) * 10_000, rng.random((200, 2)) * 10_000
    cost = np.linalg.norm(a[:, None] - b[None], axis=2)
    inst = erlocate.Instance.from_matrix(cost, weights=rng.integers(1, 100, 1000))
    r = erlocate.solve(benders(10), inst)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(58_543_752.914, abs=1e-2)


def test_oracle_value_is_the_lp_subproblem_cost():
    # p = 1, y = 1/2 on sites 0 and 4 of the line: point 2 pays 2 either way; point 1
    # pays 1/2 × 1 (site 0) + 1/2 × 3 (site 4) = 2, point 0 pays 1/2 × 0 + 1/2 × 4 = 2
    inst = line_instance(5)
    lv = levels(inst, 1, None)
    y = np.array([0.5, 0, 0, 0, 0.5])
    _, value = CutOracle(lv).separate(y)
    assert value.tolist() == pytest.approx([2.0, 2.0, 2.0, 2.0, 2.0])


def test_time_limit_is_never_reported_optimal():
    case = orlib_case("pmed16")  # needs its restricted MILP
    r = erlocate.solve(benders(case.p), case.instance, time_limit=0.3)
    assert r.status == "feasible" and r.bound <= case.optimum <= r.objective


def test_warm_start_plan_is_used_and_checked():
    inst = random_instance(0)
    good = erlocate.solve(erlocate.PMedian(3), inst)
    r = erlocate.solve(benders(3), inst, warm_start=good)
    assert r.status == "optimal" and r.objective == pytest.approx(good.objective)
    bad = Plan(np.ones(inst.n_sites, bool), *[np.zeros(0, int)] * 2, np.zeros(0))
    with pytest.raises(InputError, match="warm_start: the starting plan must open exactly p = 3"):
        erlocate.solve(benders(3), inst, warm_start=bad)


def test_capacitated_benders_is_refused():
    with pytest.raises(InputError, match="benders formulation is uncapacitated only"):
        erlocate.solve(benders(2, capacitated=True), line_instance(5))


def test_unreachable_within_cutoff_is_infeasible():
    with pytest.raises(InfeasibleError):
        erlocate.solve(benders(1, max_cost=1.5), line_instance(5))


@pytest.mark.parametrize("seed", [4, 5])
def test_required_sites_and_cutoff_every_backend(backend, seed, monkeypatch):
    # no probing: the fixings and required sites reach the last stage of every backend
    monkeypatch.setattr(benders_run, "PROBE_SHARE", 0.0)
    inst = random_instance(seed, n=60, m=20, required=[3])
    dense = erlocate.solve(erlocate.PMedian(4, max_cost=70.0), inst, "highs")
    r = erlocate.solve(benders(4, max_cost=70.0), inst, backend, time_limit=60)
    assert r.status == "optimal" and r.objective == pytest.approx(dense.objective, rel=1e-9)
    assert r.plan.open[3]


def test_restrict_keeps_the_pairs_of_kept_sites():
    from erlocate.decomposition.benders_restrict import restrict_sites

    inst = line_instance(4, required=[1])
    keep = np.array([True, True, False, True])
    sub = restrict_sites(inst, keep, inst.required)
    assert sub.n_sites == 3 and sub.site_ids.tolist() == [inst.site_ids[k] for k in (0, 1, 3)]
    assert sub.dense_costs().tolist() == [[0, 1, 3], [1, 0, 2], [2, 1, 1], [3, 2, 0]]
    assert sub.required.tolist() == [False, True, False]


@pytest.mark.parametrize("seed", range(6))
def test_equals_brute_force_enumeration(seed):
    import itertools

    rng = np.random.default_rng(seed)
    n, m, p = 25, 8, 3
    cost = rng.random((n, m)) * 100  # continuous costs: no integer rounding in the proof
    w = rng.integers(1, 9, n).astype(float)
    inst = erlocate.Instance.from_matrix(cost, weights=w)
    best = min(float(w @ cost[:, list(s)].min(axis=1)) for s in itertools.combinations(range(m), p))
    r = erlocate.solve(benders(p), inst)
    assert r.status == "optimal" and r.objective == pytest.approx(best, rel=1e-12)


def test_issue_family_seed2_proven_in_the_fixing_stage():
    # issue 17's 1,000 x 200, p = 10, integer weights 1-11 (costs rounded to integers):
    # greedy + interchange stop at 7,334,573; the LP roundings reach the optimum 7,282,848
    # (proved by the previous code with 154 probes and a master MILP), so probing
    # (each probe stopped at the target) fixes enough for the re-cut LP to prove it
    import dataclasses

    inst = erlocate.datasets.random_euclidean(1000, 200, seed=2)
    w = np.random.default_rng(102).integers(1, 12, inst.n_demand).astype(float)
    inst = dataclasses.replace(inst, weights=w, costs=np.round(inst.costs), capacities=None)
    stats = BendersStats()
    out, _ = benders_pmedian(inst, 10, None, get_backend("highs"), SolveOptions(), None, stats)
    assert out.status == "optimal" and out.objective == 7_282_848
    assert stats.fixed_zero > 150 and 0 < stats.probes < 100  # the fixed LP passes the target
    assert stats.milp_seconds == 0.0  # proved by the fixed LP (infeasible or past the target)


def test_probe_order_puts_the_nearest_to_fixing_first():
    from erlocate.decomposition.benders_probe import probe_order

    todo = np.array([True, True, True, True, False])
    y = np.array([0.0, 0.0, 0.5, 1.0, 0.0])
    rc = np.array([2.0, 8.0, 0.0, -4.0, 100.0])  # site 4 is done: never probed
    assert probe_order(todo, y, rc, gap=10.0).tolist() == [1, 3, 0, 2]


def test_master_passes_stops_at_the_target():
    # the cycle of test_cycle_hand_solved_with_lp_bound: LP value 3 once cut
    n = 5
    k = np.arange(n)
    gap = np.abs(k[:, None] - k[None, :])
    inst = erlocate.Instance.from_matrix(np.minimum(gap, n - gap).astype(float))
    from erlocate.deadline import Deadline
    from erlocate.decomposition.benders_master import Master

    lv = levels(inst, 2, None)
    oracle, master = CutOracle(lv), Master(lv, inst, 2)
    rows = np.arange(oracle.n_rows)
    for _ in range(10):  # cut at the LP optimum until none is violated
        _, y, theta, _ = master.solve_lp(Deadline.after(None))
        khat, val = oracle.separate(y)
        if not np.any(val - theta > 1e-7):
            break
        master.add_cuts(rows, oracle.cuts(rows, khat))
    assert master.point()[0] == pytest.approx(3.0)
    assert master.passes(Deadline.after(None), 2.5) is True
    assert master.passes(Deadline.after(None), 3.5) is None
    master.bound(0, 1.0)
    master.bound(1, 1.0)  # {0, 1} open: points 2, 3, 4 pay 1, 2, 1 = 4 > 3.5
    assert master.passes(Deadline.after(None), 3.5) in (True, None)


def _lp_stage(inst, p, cap, radius):
    run = benders_run.BendersRun(
        inst, p, radius, get_backend("highs"), SolveOptions(), BendersStats()
    )
    run.cut_cap = cap  # no incumbent: the LP stage runs to the LP optimum
    lv = levels(inst, p, radius)
    master = Master(lv, inst, p)
    value = run.lp(master, CutOracle(lv))[0]
    return value, master, run.stats.rounds


@pytest.mark.parametrize("radius", [None, 45.0])
def test_lazy_cuts_reach_the_full_lp_bound_random_300x40(radius):
    # the classic p-median LP (x_ij <= y_j, sum_j x_ij = 1, sum_j y_j = p; x_ij = 0
    # beyond the radius) by scipy's HiGHS
    from scipy.optimize import linprog
    from scipy.sparse import coo_array, hstack, vstack

    rng = np.random.default_rng(7)
    n, m, p = 300, 40, 6
    pts, sites = rng.random((n, 2)), rng.random((m, 2))
    cost = np.round(100 * np.hypot(*(pts[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)))
    w = rng.integers(1, 12, n).astype(float)
    inst = erlocate.Instance.from_matrix(cost, weights=w)
    i, j = np.divmod(np.arange(n * m), m)
    link = hstack(
        [
            coo_array((np.ones(n * m), (np.arange(n * m), i * m + j))),
            coo_array((-np.ones(n * m), (np.arange(n * m), j)), shape=(n * m, m)),
        ]
    )
    assign = coo_array((np.ones(n * m), (i, i * m + j)), shape=(n, n * m + m))
    open_p = coo_array((np.ones(m), (np.zeros(m, int), n * m + np.arange(m))))
    far = np.zeros(n * m, bool) if radius is None else cost.ravel() > radius
    full = linprog(
        np.r_[(w[:, None] * cost).ravel(), np.zeros(m)],
        A_ub=link,
        b_ub=np.zeros(n * m),
        A_eq=vstack([assign, open_p]),
        b_eq=np.r_[np.ones(n), p],
        bounds=np.c_[np.zeros(n * m + m), np.r_[np.where(far, 0.0, 1.0), np.ones(m)]],
        method="highs",
    )
    assert full.status == 0
    lazy, lazy_master, lazy_rounds = _lp_stage(inst, p, 15, radius)
    every, every_master, _ = _lp_stage(inst, p, n, radius)
    assert lazy == pytest.approx(full.fun, rel=1e-7)
    assert every == pytest.approx(full.fun, rel=1e-7)
    # capped rounds add at most 15 cuts each, and the stage ends with fewer cuts in all
    assert lazy_master.n_cuts <= 15 * lazy_rounds and lazy_master.n_cuts < every_master.n_cuts
    if radius is not None:  # reach rows: some needed (y spreads), most never added
        left = lazy_master.reach_left
        assert 0 < left.sum() < left.size


def test_master_milp_runs_on_a_fresh_clock_with_the_time_left():
    # The LP object's clock has run through every LP round. Each MILP runs on a new
    # object whose limit is the time left: an absolute limit on the LP clock let
    # HiGHS' sub-MIP heuristics (timed from their own start) overrun a 600 s limit.
    from erlocate.deadline import Deadline

    inst = random_instance(3, 200, 30)
    lv = levels(inst, 4, None)
    oracle, master = CutOracle(lv), Master(lv, inst, 4)
    rows = np.arange(oracle.n_rows)
    for _ in range(5):
        _, y, _, _ = master.solve_lp(Deadline.after(None))
        master.add_cuts(rows, oracle.cuts(rows, oracle.separate(y)[0]))
    master.to_mip(SolveOptions(mip_gap=0.0, threads=1))
    assert master.h.getRunTime() > 0
    h = master.fresh_milp(Deadline.after(5.0))
    assert 4.0 < h.getOptionValue("time_limit")[1] <= 5.0
    assert h.getRunTime() == 0
    assert h.getNumRow() == master.h.getNumRow() and h.getNumCol() == master.h.getNumCol()
    assert h.getOptionValue("presolve")[1] == "on" and h.getOptionValue("threads")[1] == 1
    finished, bound, y, _, _ = master.solve_mip(Deadline.after(60.0), None)
    assert finished and y is not None and y.sum() == 4
    # a master with some cuts bounds the optimum from below
    assert bound <= erlocate.PMedian(p=4, formulation="dense").solve(inst).objective + 1e-6


@pytest.mark.parametrize("max_cost", [None, 45.0])
def test_branch_on_the_master_lp_equals_dense(max_cost, monkeypatch):
    # Every master counts as large: the last stage branches on the master LP.
    from erlocate.decomposition import pmedian_benders

    monkeypatch.setattr(pmedian_benders, "LARGE_MASTER_ROWS", 0)
    monkeypatch.setattr(benders_run, "ROUNDINGS", 0)
    monkeypatch.setattr(benders_run, "PROBE_SHARE", 0.0)
    # no interchange: greedy and LP-rounded incumbents, so the tree has work
    monkeypatch.setattr(
        benders_run.BendersRun, "improve", lambda self, o, within=None: self.offer(o)
    )
    branched = 0
    for seed in range(8):
        inst = random_instance(seed, 70, 18)
        for p in (3, 6):
            kw = {} if max_cost is None else {"max_cost": max_cost}
            try:
                want = erlocate.PMedian(p=p, formulation="dense", **kw).solve(inst)
                assert want.status == "optimal"
            except InfeasibleError:
                continue
            got = erlocate.PMedian(p=p, formulation="benders", **kw).solve(inst)
            assert got.status == "optimal"
            assert got.objective == pytest.approx(want.objective, rel=1e-9)
            got.verify()
            # LP seconds counted once: the solver's share never exceeds the whole
            assert 0 <= got.runtime and got.build_time >= 0
            branched += "branch-and-cut" in got.termination
    assert branched >= 3  # the stage ran, not only the LP bound


def test_branch_stopped_by_the_time_limit_keeps_a_valid_bound(monkeypatch):
    from erlocate.decomposition import benders_branch, pmedian_benders

    monkeypatch.setattr(pmedian_benders, "LARGE_MASTER_ROWS", 0)
    monkeypatch.setattr(benders_run, "ROUNDINGS", 0)
    monkeypatch.setattr(benders_run, "PROBE_SHARE", 0.0)
    monkeypatch.setattr(
        benders_run.BendersRun, "improve", lambda self, o, within=None: self.offer(o)
    )
    calls = {"n": -1}  # -1: not branching yet
    original_lp, original_branch = benders_run.BendersRun.lp, benders_branch.branch

    def lp(self, *a, **k):
        if calls["n"] >= 0:
            calls["n"] += 1
            if calls["n"] > 3:  # the 4th node runs out of time
                raise TimeoutError
        return original_lp(self, *a, **k)

    def branch(*a, **k):
        calls["n"] = 0
        return original_branch(*a, **k)

    monkeypatch.setattr(benders_run.BendersRun, "lp", lp)
    monkeypatch.setattr(pmedian_benders, "branch", branch)
    inst = random_instance(0, 70, 18)
    want = erlocate.PMedian(p=6, formulation="dense").solve(inst).objective
    got = erlocate.PMedian(p=6, formulation="benders").solve(inst)
    assert calls["n"] == 4 and "time limit" in got.termination
    assert got.status == "feasible"
    assert got.bound <= want + 1e-9 <= got.objective + 2e-9
    got.verify()
