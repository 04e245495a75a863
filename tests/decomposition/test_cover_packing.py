"""Packing precheck: k points with pairwise disjoint reachable sites need k sites."""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial import cKDTree

import erlocate
from erlocate.decomposition.cover_packing import cover_precheck, disjoint_packing
from erlocate.errors import InfeasibleError
from erlocate.models.blocks import Pairs
from tests.conftest import line_instance


def test_line_hand_case_names_the_packing():
    # 7 points on a line, max_cost 1: points 0, 3, 6 reach {0, 1}, {2, 3, 4}, {5, 6}
    # (disjoint), so 3 sites are needed; {1, 4, 6} covers all: p = 3 is feasible
    inst = line_instance(7)
    with pytest.raises(InfeasibleError, match=r"these 3 demand points .* p = 2; raise max_cost"):
        erlocate.solve(erlocate.PMedian(2, max_cost=1.0), inst)
    r = erlocate.solve(erlocate.PMedian(3, max_cost=1.0), inst)
    assert r.status == "optimal" and r.objective == pytest.approx(4.0)  # {1, 4, 5} or {1, 4, 6}


def test_packing_is_disjoint_and_maximal_on_the_line():
    inst = line_instance(7)
    pairs = Pairs(inst, 1.0)
    packed = disjoint_packing(pairs.rows, pairs.cols, 7, 7)
    assert packed.tolist() == [0, 3, 6]  # ends first (2 sites each), then the middle


@pytest.mark.parametrize("seed", range(12))
def test_never_refuses_a_coverable_instance(seed):
    # brute force the location set cover optimum k*; packing <= k*, and p >= k* passes
    rng = np.random.default_rng(seed)
    n, m = 14, 7
    a, b = rng.random((n, 2)), rng.random((m, 2))
    cost = np.linalg.norm(a[:, None] - b[None], axis=2)
    radius = float(np.sort(cost.min(axis=1))[-1]) * rng.uniform(1.0, 1.6)
    reach = cost <= radius
    k_star = next(
        k
        for k in range(1, m + 1)
        if any(reach[:, list(s)].any(axis=1).all() for s in itertools.combinations(range(m), k))
    )
    inst = erlocate.Instance.from_matrix(cost)
    pairs = Pairs(inst, radius)
    packed = disjoint_packing(pairs.rows, pairs.cols, n, m)
    assert 1 <= packed.size <= k_star
    sets = [set(np.flatnonzero(reach[i])) for i in packed]
    assert all(not (s & t) for s, t in itertools.combinations(sets, 2))
    cover_precheck(inst, pairs.rows, pairs.cols, k_star)  # must not raise
    if packed.size > 1:  # p = 0 is refused by check_p already
        with pytest.raises(InfeasibleError, match=f"these {packed.size} demand points"):
            cover_precheck(inst, pairs.rows, pairs.cols, packed.size - 1)


def test_issue_scale_20000_x_1000_refused_before_solving():
    # issue 17: 20,000 x 1,000, p = 10, radius 1,500 m in a 10 km square (each point's
    # disc holds ~7 % of the square): the Benders LP ran 180 s; the packing refuses it
    rng = np.random.default_rng(0)
    a, b = rng.random((20_000, 2)) * 10_000, rng.random((1_000, 2)) * 10_000
    d = cKDTree(a).sparse_distance_matrix(cKDTree(b), 1_500.0, output_type="coo_matrix")
    inst = erlocate.Instance.from_matrix(sp.csr_matrix(d))
    # the packing's message, not the solver's: refused before any MILP (seconds: benchmarks/)
    with pytest.raises(InfeasibleError, match=r"at least 1\d sites are needed .* p = 10"):
        erlocate.solve(erlocate.PMedian(10, formulation="benders"), inst)
