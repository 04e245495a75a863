"""BackupCoverage: lexicographic (two stages, p=None), capacitated, minimum loads, groups.

References are independent of the model: enumeration of every p-subset scored from the
dense cost matrix, and for the capacitated model a dense assignment MILP per subset
written here for scipy.optimize.milp.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

import erlocate
from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions
from erlocate.errors import InfeasibleError, InputError
from erlocate.models.backup_blocks import BackupPlan
from tests.conftest import BACKENDS, random_instance

BC = erlocate.BackupCoverage


# ----------------------------------------------------------------------------- references
def _subsets(inst, p, keep=lambda c: True):
    req = set(np.flatnonzero(inst.required).tolist())
    return [c for c in combinations(range(inst.n_sites), p) if req <= set(c) and keep(c)]


def _levels(inst, S, c):
    """(first, backup) covered weight of the open sites ``c``, from the dense matrix."""
    n_cov = (inst.dense_costs()[:, list(c)] <= S).sum(axis=1)
    w = inst.weights
    return float(w[n_cov >= 1].sum()), float(w[n_cov >= 2].sum())


def _lex_enumerated(inst, S, p, keep=lambda c: True):
    return max(_levels(inst, S, c) for c in _subsets(inst, p, keep))


def _cap_stage(inst, S, sites, a, b, beta, binary, first_at_least=None, min_loads=None):
    """max a*w.y + b*w.u for the open ``sites`` (dense z1, z2 over n x k), or None."""
    n, k = inst.n_demand, len(sites)
    cov = (inst.dense_costs()[:, list(sites)] <= S).astype(float).ravel()
    w, d = inst.weights, inst.demand
    nk = n * k
    c = -np.concatenate([a * np.repeat(w, k), b * np.repeat(w, k)])
    per_point = np.kron(np.eye(n), np.ones((1, k)))  # sum_j z_ij
    per_site = np.kron(d[None, :], np.eye(k))  # sum_i d_i z_ij
    zeros = np.zeros((n, nk))
    rows = [
        LinearConstraint(np.hstack([per_point, zeros]), -np.inf, 1),
        LinearConstraint(np.hstack([zeros, per_point]), -np.inf, 1),
        LinearConstraint(np.hstack([-per_point, per_point]), -np.inf, 0),
        LinearConstraint(np.hstack([np.eye(nk), np.eye(nk)]), -np.inf, 1),
        LinearConstraint(
            np.hstack([per_site, beta * per_site]), -np.inf, inst.capacities[list(sites)]
        ),
    ]
    if min_loads is not None:
        rows.append(LinearConstraint(np.hstack([per_site, 0 * per_site]), min_loads, np.inf))
    if first_at_least is not None:
        wz = np.concatenate([np.repeat(w, k), np.zeros(nk)])
        rows.append(LinearConstraint(wz[None, :], first_at_least, np.inf))
    res = milp(
        c,
        constraints=rows,
        bounds=Bounds(0, np.concatenate([cov, cov])),
        integrality=np.full(2 * nk, int(binary)),
    )
    return None if res.x is None else -res.fun


def _cap_enumerated(inst, S, p, theta=0.5, beta=1.0, binary=False, loads=None):
    best = -np.inf
    for c in _subsets(inst, p):
        m = None if loads is None else loads[list(c)]
        v = _cap_stage(inst, S, c, theta, 1 - theta, beta, binary, min_loads=m)
        best = max(best, -np.inf if v is None else v)
    return best


def _cap_lex_enumerated(inst, S, p, beta=1.0, binary=False):
    firsts = {c: _cap_stage(inst, S, c, 1.0, 0.0, beta, binary) for c in _subsets(inst, p)}
    f_star = max(firsts.values())
    backs = [
        _cap_stage(inst, S, c, 0.0, 1.0, beta, binary, first_at_least=f_star - 1e-7)
        for c, f in firsts.items()
        if f >= f_star - 1e-7
    ]
    return f_star, max(backs)


def _small(seed, n=12, m=7, **kw):
    rng = np.random.default_rng(100 + seed)
    return random_instance(seed, n=n, m=m, weights=rng.integers(1, 10, n).astype(float), **kw)


def _caps(seed, n=7, m=4, cap=4.0):
    rng = np.random.default_rng(seed)
    return random_instance(
        seed, n=n, m=m, demand=rng.integers(1, 3, n).astype(float), capacities=np.full(m, cap)
    )


def _cluster() -> erlocate.Instance:
    # X (weight 10) is within 1 of sites s1 and s2; Y (3) of s3 only; Z (1) of s1 and s3
    cost = [[1.0, 1.0, 9.0], [9.0, 9.0, 1.0], [1.0, 9.0, 1.0]]
    return erlocate.Instance.from_matrix(
        cost, weights=[10.0, 3.0, 1.0], demand_ids=["X", "Y", "Z"], site_ids=["s1", "s2", "s3"]
    )


# ----------------------------------------------------------------------------- lexicographic
def test_weighted_and_lexicographic_differ_by_hand(backend):
    inst = _cluster()
    # theta = 1/2 scores (first + backup) / 2: {s1,s2} = (11 + 10) / 2 = 10.5 beats
    # {s1,s3} = (14 + 1) / 2 = 7.5 and {s2,s3} = (14 + 0) / 2 = 7, leaving Y uncovered
    w = erlocate.solve(BC(2, 2.0), inst, backend)
    assert w.objective == pytest.approx(10.5) and w.open_sites.tolist() == ["s1", "s2"]
    # lexicographic: everyone first (14: {s1,s3} or {s2,s3}), then backup: Z twice in {s1,s3}
    lex = erlocate.solve(BC(2, 2.0, objective="lexicographic"), inst, backend)
    assert lex.status == "optimal" and lex.open_sites.tolist() == ["s1", "s3"]
    levels = lex.levels.set_index("level")["value"]
    assert levels["first coverage"] == 14.0 and levels["backup coverage"] == 1.0
    assert lex.objective == pytest.approx(14 + 1 / 15)  # delta = 1 / (W + 1), W = 14
    assert lex.bound == pytest.approx(lex.objective)
    assert lex.levels["proven"].tolist() == [True, True]
    assert lex.levels["bound"].tolist() == pytest.approx([14.0, 1.0])


def test_p_none_is_the_lscp_count_and_single_candidates_are_not_backed_up(backend):
    inst = _cluster()
    assert erlocate.solve(erlocate.LSCP(2.0), inst, backend).objective == pytest.approx(2.0)
    r = erlocate.solve(BC(None, 2.0, objective="lexicographic"), inst, backend)
    assert r.status == "optimal" and r.open_sites.tolist() == ["s1", "s3"]
    levels = r.levels.set_index("level")["value"]
    # Y has one site within the standard: spopt's LSCP-B leaves its u free (counted backed
    # up, 2 of 3 clients); here only Z (weight 1) is covered twice
    assert levels["first coverage"] == 14.0 and levels["backup coverage"] == 1.0


@pytest.mark.parametrize("seed", range(6))
def test_lexicographic_matches_enumeration(seed):
    inst = _small(seed, required=[2] if seed % 3 == 0 else None)
    S, p = 30.0, 2 + seed % 2
    want = _lex_enumerated(inst, S, p)
    for reduce in (True, False):
        model = BC(p, S, objective="lexicographic", reduce=reduce)
        r = erlocate.solve(model, inst, "highs")
        got = model.coverage_levels(inst, r.plan)
        assert r.status == "optimal" and got == want, (reduce, got, want)
    # the weighted default may give up first coverage for backup, never more than lex gives
    w = erlocate.solve(BC(p, S), inst, "highs")
    assert BC(p, S).coverage_levels(inst, w.plan)[0] <= want[0]


@pytest.mark.parametrize("seed", range(4))
def test_p_none_matches_enumeration(seed):
    inst = _small(seed, n=10, m=6, site_costs=None)  # LSCP counts sites
    S = 45.0
    covers = lambda c: (inst.dense_costs()[:, list(c)] <= S).any(axis=1).all()  # noqa: E731
    count = min(p for p in range(1, 7) if _subsets(inst, p, covers))
    assert erlocate.solve(erlocate.LSCP(S), inst).objective == pytest.approx(count)
    want = _lex_enumerated(inst, S, count, covers)
    model = BC(None, S, objective="lexicographic")
    r = erlocate.solve(model, inst, "highs")
    assert r.status == "optimal" and len(r.open_sites) == count
    assert model.coverage_levels(inst, r.plan) == want


def test_lexicographic_with_groups_matches_enumeration():
    inst = _small(1)
    group = erlocate.SiteGroup(inst.site_ids[:3], p=1, name="first three")
    keep = lambda c: sum(j < 3 for j in c) == 1  # noqa: E731
    model = BC(3, 30.0, objective="lexicographic", groups=[group])
    r = erlocate.solve(model, inst)
    assert model.coverage_levels(inst, r.plan) == _lex_enumerated(inst, 30.0, 3, keep)
    assert sum(j in r.open_sites for j in inst.site_ids[:3]) == 1
    wrong = erlocate.Plan.nearest(inst, np.isin(np.arange(7), [0, 1, 5]))
    assert any("first three: 2 sites open, expected 1" in m for m in model.check(inst, wrong))


# ----------------------------------------------------------------------------- honesty
class _Stalled:
    """HiGHS, but call ``stall`` reports "feasible" with a bound ``extra`` too high."""

    name = "stalled"

    def __init__(self, stall: int, extra: float) -> None:
        self.highs, self.stall, self.extra, self.calls = get_backend("highs"), stall, extra, 0

    def solve(self, model, options):
        out = self.highs.solve(model, options)
        self.calls += 1
        if self.calls == self.stall:
            return replace(out, status="feasible", bound=out.bound + self.extra)
        return out


def test_unproven_first_stage_runs_no_second_and_bounds_honestly():
    inst = _cluster()  # W = 14, delta = 1/15
    stub = _Stalled(stall=1, extra=2.5)
    loop = BC(2, 2.0, objective="lexicographic").solve_loop(inst, stub, SolveOptions(), None)
    out = loop.output
    assert stub.calls == 1 and out.status == "feasible"
    # first bound 14 + 2.5 rounded down to the integer step: 16; backup <= min(16, W)
    assert out.bound == pytest.approx(16 + 14 / 15)
    assert out.objective <= out.bound and "no backup stage" in out.termination


def test_unproven_second_stage_is_feasible_with_its_bound():
    inst = _cluster()
    stub = _Stalled(stall=2, extra=3.0)
    loop = BC(2, 2.0, objective="lexicographic").solve_loop(inst, stub, SolveOptions(), None)
    out = loop.output
    assert stub.calls == 2 and out.status == "feasible"
    assert out.objective == pytest.approx(14 + 1 / 15)
    assert out.bound == pytest.approx(14 + 4 / 15)  # proven 14, backup bound 1 + 3


@pytest.mark.filterwarnings("ignore:BackupCoverage does not use site capacities")
def test_tiny_time_limit_is_honest():
    from erlocate.datasets import random_euclidean

    # measured on 2 cores: proven in ~0.4 s; 0.1 s stops in stage 1, 0.2 s in stage 2
    inst = random_euclidean(1500, 200, seed=3)
    model = BC(12, 1100.0, objective="lexicographic")
    exact = erlocate.solve(model, inst)
    assert exact.status == "optimal" and exact.levels["value"].tolist() == [810943.0, 2530.0]
    for limit in (0.0, 0.1, 0.2):
        r = erlocate.solve(model, inst, time_limit=limit, raise_on_failure=False)
        assert r.status in ("optimal", "feasible", "no_solution")
        if r.status == "no_solution":
            continue
        assert r.objective <= exact.objective + 1e-9 <= r.bound + 2e-9
        if r.status == "optimal":
            assert r.objective == pytest.approx(exact.objective)


# ----------------------------------------------------------------------------- capacitated
def _capacity_hand() -> erlocate.Instance:
    # points 1-3 within 1 of sites A, B, C; point 4 within 1 of C only. Capacities 3, 3, 1.
    cost = [[1, 1, 1], [1, 1, 1], [1, 1, 1], [9, 9, 1]]
    return erlocate.Instance.from_matrix(
        np.array(cost, float), site_ids=["A", "B", "C"], capacities=[3.0, 3.0, 1.0]
    )


@pytest.mark.parametrize("single_source", [False, True])
def test_capacity_changes_the_answer_by_hand(backend, single_source):
    inst = _capacity_hand()
    with pytest.warns(UserWarning, match="does not use site capacities"):
        free = erlocate.solve(BC(2, 2.0), inst, backend)
    # uncapacitated: C with A or B covers all 4 first and 1-3 twice: (4 + 3) / 2
    assert free.objective == pytest.approx(3.5) and "C" in free.open_sites
    model = BC(2, 2.0, capacitated=True, single_source=single_source)
    r = erlocate.solve(model, inst, backend)
    # C holds 1 unit: {A,C} serves 4 first and backs up nothing, or 3 + 1: (4 + 0) / 2 = 2;
    # {A,B} (capacity 6) serves 1-3 first and backs them up at the other: (3 + 3) / 2 = 3
    assert r.objective == pytest.approx(3.0) and r.open_sites.tolist() == ["A", "B"]
    assert isinstance(r.plan, BackupPlan) and len(r.plan.backup_share) == 3
    assert r.covered_weight == pytest.approx(3.0)  # the first assignment: point 4 unserved
    # backups that load no capacity (backup_load=0): C backs up 1-3 again, as uncapacitated
    light = erlocate.solve(model.replace(backup_load=0.0), inst, backend)
    assert light.objective == pytest.approx(3.5) and "C" in light.open_sites


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("single_source", [False, True])
def test_capacitated_matches_enumerated_assignment_milps(seed, single_source):
    inst = _caps(seed)
    S, p = 45.0, 2
    for theta, beta in ((0.5, 1.0), (0.3, 0.5)):
        want = _cap_enumerated(inst, S, p, theta, beta, single_source)
        model = BC(p, S, theta=theta, capacitated=True, single_source=single_source)
        r = erlocate.solve(model.replace(backup_load=beta), inst, "highs")
        assert r.status == "optimal" and r.objective == pytest.approx(want, abs=1e-6)
    model = BC(p, S, objective="lexicographic", capacitated=True, single_source=single_source)
    r = erlocate.solve(model, inst, "highs")
    want = _cap_lex_enumerated(inst, S, p, binary=single_source)
    got = model.coverage_levels(inst, r.plan)
    assert r.status == "optimal" and got == pytest.approx(want, abs=1e-6)


def test_minimum_loads_match_enumeration():
    inst = _caps(1)  # demand 11 in all, every capacity 4
    model = BC(
        2, 45.0, capacitated=True, single_source=True, min_loads=dict.fromkeys(inst.site_ids, 4.0)
    )
    want = _cap_enumerated(inst, 45.0, 2, binary=True, loads=np.full(4, 4.0))
    free = erlocate.solve(model.replace(min_loads=None), inst)
    r = erlocate.solve(model, inst)
    # each open site carries 4 first covers: no room left for backups (backup_load 1)
    assert r.objective == pytest.approx(want) == pytest.approx(34.0)
    assert free.objective == pytest.approx(36.5)
    assert any("minimum load not met" in m for m in model.check(inst, free.plan))


def test_capacitated_checks_from_the_data():
    inst = _capacity_hand()
    model = BC(2, 2.0, capacitated=True, single_source=True)
    open_ = np.array([True, False, True])
    i = np.array([0, 1, 2, 3])
    # first: 1-3 at A, 4 at C; backup of point 1 at A itself and of point 2 at C (full)
    bad = BackupPlan(
        open_, i, np.array([0, 0, 0, 2]), np.ones(4), np.array([0, 1]), np.array([0, 2]), np.ones(2)
    )
    msgs = model.check(inst, bad)
    assert any("first and backup cover at one site" in m for m in msgs)
    assert any("capacity exceeded at 2 sites" in m and "'A' (load 4" in m for m in msgs)
    good = BackupPlan(
        open_, i[:3], np.zeros(3, np.int64), np.ones(3), np.array([0]), np.array([2]), np.ones(1)
    )
    assert model.check(inst, good) == []
    assert model.evaluate(inst, good) == pytest.approx(0.5 * 3 + 0.5 * 1)


# ----------------------------------------------------------------------------- backends
AGREE = [
    BC(3, 30.0, objective="lexicographic"),
    BC(None, 45.0, objective="lexicographic"),
    BC(3, 30.0, capacitated=True),
    BC(3, 30.0, theta=0.3, single_source=True, backup_load=0.5),
    BC(3, 30.0, objective="lexicographic", single_source=True),
    BC(3, 30.0, objective="lexicographic", capacitated=True, backup_load=0.5),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("model", AGREE, ids=repr)
def test_core_backends_agree(model, seed):
    inst = random_instance(
        seed, n=25, m=8, demand=np.ones(25), capacities=np.full(8, 7.0), required=[0]
    )
    results = {b: erlocate.solve(model, inst, b) for b in BACKENDS}
    ref = results["highs"]
    for b, r in results.items():
        assert r.status == "optimal", (b, r.termination)
        assert r.objective == pytest.approx(ref.objective, rel=1e-7), (b, r.objective)
        if model.lexicographic:
            assert model.coverage_levels(inst, r.plan) == pytest.approx(
                model.coverage_levels(inst, ref.plan), rel=1e-7, abs=1e-5
            )


# ----------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: BC(2, 1.0, theta=0.7, objective="lexicographic"), "theta"),
        (lambda: BC(2, 1.0, objective="lexico"), "objective"),
        (lambda: BC(None, 1.0), "p"),
        (lambda: BC(None, 1.0, objective="lexicographic", capacitated=True), "p"),
        (lambda: BC(2, 1.0, min_loads={"a": 1.0}), "min_loads"),
        (lambda: BC(2, 1.0, fill_required=True), "fill_required"),
        (lambda: BC(2, 1.0, capacitated=True, backup_load=1.5), "backup_load"),
        (lambda: BC(2, 1.0, capacitated="yes"), "capacitated"),
        (lambda: BC(2, 1.0, groups=["s1"]), "groups"),
    ],
)
def test_bad_parameters_name_the_field(make, field):
    with pytest.raises(InputError) as info:
        make()
    assert info.value.field == field


def test_bad_data_is_refused_with_numbers():
    inst = _cluster()
    with pytest.raises(InputError) as info:  # no capacities at all
        erlocate.solve(BC(2, 2.0, capacitated=True), inst)
    assert info.value.field == "capacitated"
    with pytest.raises(InfeasibleError, match=r"cannot reach any candidate site within 0\.5"):
        erlocate.solve(BC(None, 0.5, objective="lexicographic"), inst)
    caps = _capacity_hand()
    with pytest.raises(InputError) as info:
        erlocate.solve(BC(2, 2.0, capacitated=True, min_loads={"nowhere": 1.0}), caps)
    assert info.value.field == "min_loads"
