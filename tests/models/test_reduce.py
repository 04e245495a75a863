"""Exact covering reductions: hand counts, hash collisions, and optimum kept on random data."""

import numpy as np
import pytest
import scipy.sparse as sp

import erlocate
from erlocate.models import dominance
from erlocate.models.dominance import dominated_columns, dominated_rows, identical_rows
from erlocate.models.reduce import reduce_lscp, reduce_mclp
from tests.conftest import random_instance

# Hand instance: 5 demand points × 4 sites, "covered" = cost 0 (max_cost 0.5).
#   d0: {s0, s1}   d1: {s0, s1}   d2: {s1}   d3: {s2}   d4: {s2, s3}
#   sites cover  s0: {d0, d1}  s1: {d0, d1, d2}  s2: {d3, d4}  s3: {d4}
SETS = [[0, 1], [0, 1], [1], [2], [2, 3]]


def hand(**kwargs) -> erlocate.Instance:
    cost = np.ones((5, 4))
    for i, js in enumerate(SETS):
        cost[i, js] = 0.0
    return erlocate.Instance.from_matrix(cost, weights=[1, 2, 3, 4, 5], **kwargs)


def test_identical_rows_and_collisions(monkeypatch):
    A = sp.csr_array(np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1], [1, 0, 1], [0, 1, 1], [0, 0, 0]]))
    assert identical_rows(A).tolist() == [0, 0, 2, 3, 2, 5]
    # every hash equal: the exact comparison must still separate the rows
    zeros = lambda A, seed=0: (np.zeros(A.shape[0], np.uint64),) * 2  # noqa: E731
    monkeypatch.setattr(dominance, "row_hashes", zeros)
    assert identical_rows(A).tolist() == [0, 0, 2, 3, 2, 5]


def test_dominance_primitives():
    # columns: c0 = {r0}, c1 = {r0, r1}, c2 = {r0, r1} (copy of c1), c3 = {}
    A = sp.csr_array(np.array([[1, 1, 1, 0], [0, 1, 1, 0]]))
    assert dominated_columns(A).tolist() == [True, False, True, True]  # tie keeps c1
    # c1 costs more than its copy c2: c2 stays, c1 goes; c0 (cost 0) is cheaper than both
    f = np.array([0.0, 5.0, 3.0, 1.0])
    assert dominated_columns(A, f).tolist() == [False, True, False, True]
    assert dominated_columns(A, f, np.array([0, 1, 0, 0], bool)).tolist() == [
        False,
        False,
        False,
        True,
    ]
    assert dominated_columns(A, max_work=1) is None  # over budget: skipped, nothing claimed
    # rows: r0 = {0,1,2} contains r1 = {1,2}; r2 = r1 (copy, higher index)
    B = sp.csr_array(np.array([[1, 1, 1], [0, 1, 1], [0, 1, 1]]))
    assert dominated_rows(B).tolist() == [True, False, True]


def test_mclp_hand_counts_and_optimum(backend):
    inst = hand()
    r = reduce_mclp(inst, 0.5, 2)
    # d1 merges into d0; s0 ⊂ s1 and s3 ⊂ s2 are dropped (2 sites left >= p = 2);
    # then d0,d2 both read {s1} and d3,d4 both read {s2}: two rows, weights 1+2+3 and 4+5
    assert r.counts["merged_first"] == 1 and r.counts["dominated_sites"] == 2
    assert r.counts["merged"] == 3 and r.n_rows == 2 and r.n_sites == 2
    assert r.keep_sites.tolist() == [False, True, True, False]
    assert sorted(r.weights.tolist()) == [6.0, 9.0]
    assert r.group.tolist() == [0, 0, 0, 1, 1]
    milp = erlocate.MCLP(2, 0.5).build(inst)
    assert milp.name == "mclp_rows2of5_sites2of4" and milp.n_rows == 3  # 2 cover + count
    res = erlocate.solve(erlocate.MCLP(2, 0.5), inst, backend)
    assert res.objective == pytest.approx(15.0) and res.open_sites.tolist() == [1, 2]
    # p = 1: s2 covers 4 + 5 = 9 > s1's 6
    assert erlocate.solve(erlocate.MCLP(1, 0.5), inst, backend).objective == pytest.approx(9.0)
    # p = 3 > 2 undominated sites: the lowest dropped site (s0) is kept back
    r3 = reduce_mclp(inst, 0.5, 3)
    assert r3.keep_sites.tolist() == [True, True, True, False]
    assert erlocate.solve(erlocate.MCLP(3, 0.5), inst, backend).objective == pytest.approx(15.0)


def test_mclp_required_site_is_a_constant(backend):
    inst = hand(required=[3])  # s3 open: d4 (weight 5) always covered
    r = reduce_mclp(inst, 0.5, 2)
    assert r.counts["pre_covered"] == 1 and r.fixed_weight == 5.0
    assert r.keep_sites[3]  # required sites are never dropped
    res = erlocate.solve(erlocate.MCLP(2, 0.5), inst, backend)
    # s3 + s1: 5 + (1 + 2 + 3) = 11 beats s3 + s2: 5 + 4 = 9
    assert res.objective == pytest.approx(11.0) and res.open_sites.tolist() == [1, 3]


def test_lscp_hand_counts_and_optimum(backend):
    inst = hand(site_costs=[1, 5, 1, 1])
    r = reduce_lscp(inst, 0.5, inst.site_costs)
    # d1 = d0 merged; d0 ⊇ d2 and d4 ⊇ d3 dropped; left d2 {s1}, d3 {s2};
    # s0 and s3 then cover nothing and cost >= 0: dropped
    assert r.counts["merged"] == 1 and r.counts["dominated_rows"] == 2
    assert r.counts["dominated_sites"] == 2 and r.rows.tolist() == [2, 3]
    assert r.keep_sites.tolist() == [False, True, True, False]
    res = erlocate.solve(erlocate.LSCP(0.5), inst, backend)
    assert res.objective == pytest.approx(6.0) and res.open_sites.tolist() == [1, 2]  # 5 + 1


def test_lscp_column_dominance_respects_costs(backend):
    # two demand points; s0 covers both at cost 3, s1 covers d0 at 1, s2 covers d1 at 1
    cost = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    inst = erlocate.Instance.from_matrix(cost, site_costs=[3, 1, 1])
    r = reduce_lscp(inst, 0.5, inst.site_costs)
    assert r.keep_sites.tolist() == [True, True, True]
    # s1 ⊂ s0 but s1 is cheaper: nothing is dominated; optimum s1 + s2 = 2
    assert r.counts["dominated_sites"] == 0
    assert erlocate.solve(erlocate.LSCP(0.5), inst, backend).objective == pytest.approx(2.0)


def clustered(seed: int, n: int = 60, m: int = 9, **kwargs) -> erlocate.Instance:
    """0/1 coverage with few sites, so rows repeat and sites nest; cost 0 = covered."""
    rng = np.random.default_rng(seed)
    cov = rng.random((n, m)) < 0.3
    cov[np.arange(n), rng.integers(0, m, n)] = True
    cost = np.where(cov, rng.random((n, m)) * 0.5, np.where(rng.random((n, m)) < 0.5, 2.0, np.inf))
    w = rng.integers(0, 9, n).astype(float)
    return erlocate.Instance.from_matrix(cost, weights=w, **kwargs)


@pytest.mark.parametrize("seed", range(4))
def test_reductions_keep_the_optimum(backend, seed):
    rng = np.random.default_rng(100 + seed)
    req = rng.choice(9, size=seed % 3, replace=False).tolist()
    costs = np.round(rng.random(9) * 10) if seed % 2 else None
    inst = clustered(seed, required=req, site_costs=costs)
    for p in sorted({max(2, len(req)), 4}):
        a = erlocate.solve(erlocate.MCLP(p, 0.5), inst, backend)
        b = erlocate.solve(erlocate.MCLP(p, 0.5, reduce=False), inst, backend)
        assert a.objective == pytest.approx(b.objective), (seed, p)
        assert erlocate.MCLP(p, 0.5).build(inst).nnz <= b.model.build(inst).nnz
    for theta in (0.5, 0.2):  # backup coverage: identical rows merged only
        a = erlocate.solve(erlocate.BackupCoverage(3, 0.5, theta=theta), inst, backend)
        b = erlocate.solve(
            erlocate.BackupCoverage(3, 0.5, theta=theta, reduce=False), inst, backend
        )
        assert a.objective == pytest.approx(b.objective), (seed, theta)
    a = erlocate.solve(erlocate.LSCP(0.5), inst, backend)  # verify() re-checks the cover
    b = erlocate.solve(erlocate.LSCP(0.5, reduce=False), inst, backend)
    assert a.objective == pytest.approx(b.objective), seed
    # Euclidean instances from the shared fixture, with required sites and costs
    e = random_instance(seed, required=[seed % 12])
    pairs = [
        (erlocate.MCLP(3, 40.0), erlocate.MCLP(3, 40.0, reduce=False)),
        (erlocate.LSCP(60.0), erlocate.LSCP(60.0, reduce=False)),
    ]
    for model, plain in pairs:
        try:
            ra = erlocate.solve(model, e, backend)
        except erlocate.errors.InfeasibleError:
            with pytest.raises(erlocate.errors.InfeasibleError):
                erlocate.solve(plain, e, backend)
            continue
        assert ra.objective == pytest.approx(erlocate.solve(plain, e, backend).objective)


def test_corrupted_plan_is_rejected():
    import dataclasses

    from erlocate.errors import VerificationError

    res = erlocate.solve(erlocate.LSCP(0.5), hand(site_costs=[1, 5, 1, 1]))
    bad = dataclasses.replace(res.plan, open=np.array([False, False, True, False]))
    with pytest.raises(VerificationError):
        dataclasses.replace(res, plan=bad).verify()


@pytest.mark.parametrize("seed", range(6))
def test_subset_pairs_bitset_and_product_agree_with_brute_force(seed):
    rng = np.random.default_rng(seed)
    r, c = int(rng.integers(1, 140)), int(rng.integers(1, 30))
    dense = rng.random((r, c)) < rng.uniform(0.05, 0.7)
    dense[:, rng.integers(0, c)] = False  # an empty column
    if c > 2:
        dense[:, 1] = dense[:, 0]  # an identical pair
    A = dominance.as_binary_csr(sp.csr_array(dense.astype(int)))
    want = {
        (a, b)
        for a in range(c)
        for b in range(c)
        if a != b and dense[:, a].any() and not (dense[:, a] & ~dense[:, b]).any()
    }
    for method in ("bitset", "product"):
        a, b, size = dominance.subset_pairs(A, np.inf, method=method)
        assert set(zip(a.tolist(), b.tolist(), strict=True)) == want, method
        assert size.tolist() == dense.sum(axis=0).tolist()


def test_over_budget_is_refused_before_any_product(monkeypatch):
    inst = clustered(0, n=200, m=30)
    A = dominance.as_binary_csr(inst.coverage_matrix(0.5))
    bit_ops, product_ops = dominance.subset_work(A)
    assert 0 < bit_ops and 0 < product_ops
    # the estimate bounds the work: Σ_i |N_i|² multiply-adds of AᵀA
    assert product_ops == float((np.diff(A.indptr) ** 2).sum())

    def boom(*args, **kwargs):
        raise AssertionError("a product was formed over budget")

    monkeypatch.setattr(dominance, "column_bits", boom)
    monkeypatch.setattr(sp.csr_array, "__matmul__", boom)
    assert dominance.subset_pairs(A, min(bit_ops, product_ops) - 1) is None
    assert dominated_columns(A, max_work=min(bit_ops, product_ops) - 1) is None


@pytest.mark.parametrize("seed", range(3))
def test_skipped_dominance_keeps_the_optimum(backend, seed):
    # max_work=0 skips every dominance pass (the skip path); max_work=inf runs them all
    e = random_instance(seed, required=[seed % 12])
    for R in (50.0, 70.0):
        full = reduce_lscp(e, R, e.site_costs, max_work=np.inf)
        skip = reduce_lscp(e, R, e.site_costs, max_work=0)
        assert skip.counts["dominance_skipped"] == 1 and full.counts["dominance_skipped"] == 0
        assert skip.counts["dominated_rows"] == 0 and skip.n_rows >= full.n_rows
        values = []
        for red in (full, skip):  # the reduced covers solve to the same optimum
            cols = np.flatnonzero(red.keep_sites)
            cost = np.where(red.A[:, cols].toarray() > 0, 0.0, 1.0)
            req = np.flatnonzero(e.required[cols]).tolist()  # kept, paid in every plan
            sub = erlocate.Instance.from_matrix(cost, site_costs=e.site_costs[cols], required=req)
            values.append(erlocate.solve(erlocate.LSCP(0.5), sub, backend).objective)
        plain = erlocate.solve(erlocate.LSCP(R, reduce=False), e, backend).objective
        assert values[0] == pytest.approx(plain) and values[1] == pytest.approx(plain)
        m = reduce_mclp(e, R, 3, max_work=0)
        assert m.counts["dominance_skipped"] == 1 and m.counts["dominated_sites"] == 0


def reference_lscp(cov: np.ndarray, f: np.ndarray, req: np.ndarray) -> tuple:
    """The previous algorithm, dense and plain: rounds of a row pass then a column pass
    until a whole round removes nothing. Returns (rows, kept sites, passes)."""
    n, m = cov.shape
    live = [i for i in range(n) if cov[i].any() and not cov[i, req].any()]
    rows = np.array(
        [i for i in live if not any((cov[i2] == cov[i]).all() for i2 in live if i2 < i)]
    )
    keep = np.ones(m, dtype=bool)
    passes = 0
    for _ in range(20):
        B = cov[rows] & keep
        size = B.sum(axis=1)
        drow = np.array(
            [
                any(
                    i2 != i and not (B[i2] & ~B[i]).any() and (size[i2] < size[i] or i2 < i)
                    for i2 in range(len(rows))
                )
                for i in range(len(rows))
            ],
            dtype=bool,
        )
        rows, B = rows[~drow], B[~drow]
        col = B.T
        csize = col.sum(axis=1)
        dcol = np.zeros(m, dtype=bool)
        for j in np.flatnonzero(keep & ~req & (f >= 0)):
            dcol[j] = csize[j] == 0 or any(
                k != j
                and keep[k]
                and not (col[j] & ~col[k]).any()
                and f[k] <= f[j]
                and (csize[k] > csize[j] or f[k] < f[j] or k < j)
                for k in range(m)
            )
        keep &= ~dcol
        passes += 2
        if not drow.any() and not dcol.any():
            break
    return rows, keep, passes


@pytest.mark.parametrize("seed", range(6))
def test_lscp_rounds_skip_idle_passes_with_the_same_result(seed):
    # nested coverage (sites of growing reach) makes many rounds; costs with ties,
    # a negative cost and required sites exercise every protection
    rng = np.random.default_rng(300 + seed)
    n, m = int(rng.integers(40, 120)), int(rng.integers(6, 25))
    pts, sites = rng.random((n, 2)), rng.random((m, 2))
    reach = rng.uniform(0.15, 0.5, m)
    cov = np.linalg.norm(pts[:, None] - sites[None], axis=2) <= reach
    cov[:, 1] = cov[:, 0]  # identical columns
    f = rng.integers(0, 4, m).astype(float)
    if seed % 3 == 1:
        f[2] = -1.0
    req = np.zeros(m, dtype=bool)
    if seed % 3 == 2:
        req[rng.integers(0, m)] = True
    # reduce_lscp reads the costs it is given (an instance's own are never negative)
    inst = erlocate.Instance.from_matrix(
        np.where(cov, 0.0, 1.0), required=np.flatnonzero(req).tolist()
    )
    red = reduce_lscp(inst, 0.5, f)
    rows, keep, passes = reference_lscp(cov, f, req)
    assert red.rows.tolist() == rows.tolist()
    assert red.keep_sites.tolist() == keep.tolist()
    assert (red.A.toarray() > 0).tolist() == (cov[rows] & keep).tolist()
    # the last pass of each chain is never repeated: strictly fewer passes past one round
    assert red.counts["passes"] <= passes
    if passes > 2:
        assert red.counts["passes"] < passes


@pytest.mark.parametrize("seed", range(3))
def test_identical_rows_brute_force_with_colliding_hashes(monkeypatch, seed):
    # representatives = lowest index with the same set, whatever the hash (any function
    # of the set): the exact confirmation and regrouping must repair every collision
    rng = np.random.default_rng(seed)

    def weak(A, seed=0):  # sum of the indices mod 3: collides a lot
        cs = np.concatenate(([0], np.cumsum(A.indices)))
        h = ((cs[A.indptr[1:]] - cs[A.indptr[:-1]]) % 3).astype(np.uint64)
        return h, h

    for _ in range(40):
        n, m = int(rng.integers(1, 60)), int(rng.integers(1, 7))
        D = rng.random((n, m)) < 0.5
        want = [min(j for j in range(n) if (D[j] == D[i]).all()) for i in range(n)]
        A = sp.csr_array(D.astype(int))
        assert identical_rows(A).tolist() == want
        with monkeypatch.context() as mp:
            mp.setattr(dominance, "row_hashes", weak)
            assert identical_rows(A).tolist() == want
