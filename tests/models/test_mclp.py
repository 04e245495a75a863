"""MCLP with capacities, minimum loads and site groups: hand cases, enumeration, backends."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

import erlocate
from erlocate import MCLP, SiteGroup
from erlocate.errors import InfeasibleError, InputError
from tests.conftest import line_instance, random_instance


# ----------------------------------------------------------------------------- oracle
def best_assignment(
    inst: erlocate.Instance,
    open_: list[int],
    max_cost: float,
    *,
    full: bool,
    single_source: bool = False,
    min_loads: np.ndarray | None = None,
    within: bool = False,
) -> float | None:
    """The best weight assigned within ``max_cost`` to the open sites ``open_`` (an LP, or a
    MILP under single sourcing, solved with scipy from the dense matrix), None if infeasible.

    ``full``: every point assigned over every reachable pair (only pairs within the standard
    count; ``within``: only pairs within it, as in a capacitated LSCP); else at most once, over
    pairs within the standard only. Independent of erlocate's
    builder: it reads the dense costs, capacities, demand and weights.
    """
    dense = inst.dense_costs()
    n = inst.n_demand
    allowed = np.isfinite(dense) if full and not within else dense <= max_cost
    pairs = [(i, j) for j in open_ for i in range(n) if allowed[i, j]]
    if full and {i for i, _ in pairs} != set(range(n)):
        return None
    if not pairs:
        return 0.0
    k = len(pairs)
    rows, caps = np.zeros((n, k)), np.zeros((len(open_), k))
    obj = np.zeros(k)
    for q, (i, j) in enumerate(pairs):
        rows[i, q] = 1.0
        caps[open_.index(j), q] = inst.demand[i]
        obj[q] = -inst.weights[i] if dense[i, j] <= max_cost else 0.0
    cons = [
        LinearConstraint(rows, 1.0 if full else 0.0, 1.0),
        LinearConstraint(caps, -np.inf, inst.capacities[open_]),
    ]
    if min_loads is not None:
        cons.append(LinearConstraint(caps, min_loads[open_], np.inf))
    res = milp(
        obj, constraints=cons, integrality=np.full(k, int(single_source)), bounds=Bounds(0, 1)
    )
    return None if res.status != 0 else -float(res.fun)


def enumerate_mclp(inst, p, max_cost, *, full=False, single_source=False, min_loads=None, ok=None):
    """Best value over every p-subset of sites (required sites in, ``ok`` filter), or None."""
    req = set(np.flatnonzero(inst.required).tolist())
    best = None
    for s in combinations(range(inst.n_sites), p):
        if not req <= set(s) or (ok is not None and not ok(s)):
            continue
        v = best_assignment(
            inst, list(s), max_cost, full=full, single_source=single_source, min_loads=min_loads
        )
        if v is not None and (best is None or v > best):
            best = v
    return best


def _capacitated(seed: int, n: int = 10, m: int = 6, **kwargs) -> erlocate.Instance:
    rng = np.random.default_rng(100 + seed)
    d = rng.integers(1, 10, n).astype(float)
    kwargs.setdefault("capacities", np.round(rng.uniform(0.1, 0.3, m) * d.sum()))
    return random_instance(seed, n=n, m=m, demand=d, **kwargs)


# ----------------------------------------------------------------------------- hand cases
def test_capacity_limits_coverage_split_and_single(backend):
    # five points on a line, demand 3 each, every site holds 4; standard 1
    inst = line_instance(5, demand=[3.0] * 5, capacities=[4.0] * 5)
    with pytest.warns(UserWarning, match="does not use site capacities"):
        plain = erlocate.solve(MCLP(1, 1), inst, backend)
    assert plain.objective == pytest.approx(3.0)  # one site "covers" 9 units of demand
    assert float(plain.sites["load"].max()) == pytest.approx(15.0)  # and is sent all 15
    split = erlocate.solve(MCLP(1, 1, capacitated=True), inst, backend)
    assert split.objective == pytest.approx(4 / 3)  # 4 of its 9 units: 4/3 points
    assert split.covered_weight == pytest.approx(4 / 3)
    assert split.coverage["covered_share"].sum() == pytest.approx(4 / 3)
    assert float(split.sites["load"].max()) == pytest.approx(4.0)
    single = erlocate.solve(MCLP(1, 1, single_source=True), inst, backend)
    assert single.objective == pytest.approx(1.0)  # one whole point of 3 fits in 4
    assert set(single.coverage["covered_share"].round(9)) <= {0.0, 1.0}
    two = erlocate.solve(MCLP(2, 1, capacitated=True), inst, backend)
    assert two.objective == pytest.approx(8 / 3) and two.coverage_share == pytest.approx(8 / 15)


def test_serve_all_counts_uncovered_load(backend):
    # n0 (demand 8) is within the standard of A only; n1 (4) of B only; f (4) reaches A
    # only, beyond the standard. Covering alone: A holds n0, B holds n1: 2.0. Serving all,
    # f takes 4 of A's 8, so half of n0 goes to B beyond the standard: 0.5 + 1 = 1.5.
    cost = np.array([[1.0, 5.0], [5.0, 1.0], [5.0, np.inf]])
    inst = erlocate.Instance.from_matrix(cost, demand=[8.0, 4.0, 4.0], capacities=[8.0, 8.0])
    cover = erlocate.solve(MCLP(2, 1, capacitated=True), inst, backend)
    assert cover.objective == pytest.approx(2.0)
    allr = erlocate.solve(MCLP(2, 1, serve_all=True), inst, backend)
    assert allr.objective == pytest.approx(1.5)
    assert allr.coverage["covered_share"].tolist() == pytest.approx([0.5, 1.0, 0.0])
    assert allr.sites["load"].tolist() == pytest.approx([8.0, 8.0])
    assert allr.model.reach(inst) == np.inf  # reads pairs beyond the standard
    tight = erlocate.Instance.from_matrix(cost, demand=[8.0, 4.0, 4.0], capacities=[8.0, 7.0])
    with pytest.raises(InfeasibleError, match="total capacity of the 2 largest sites is 15"):
        erlocate.solve(MCLP(2, 1, serve_all=True), tight, backend)


def test_min_loads_and_fill_required_bind(backend):
    # line 0..4, demand 2 each, capacity 8, standard 1, p = 2: {1, 3} covers all 5 points
    inst = line_instance(5, demand=[2.0] * 5, capacities=[8.0] * 5)
    free = erlocate.solve(MCLP(2, 1, capacitated=True), inst, backend)
    assert free.objective == pytest.approx(5.0)
    # sites 1 and 3 reach only 6 units within the standard: a least load of 7 keeps them
    # closed, and two of {0, 2, 4} cover 4 points
    loads = {1: 7.0, 3: 7.0}
    bound = erlocate.solve(MCLP(2, 1, capacitated=True, min_loads=loads), inst, backend)
    assert bound.objective == pytest.approx(4.0)
    assert not bound.plan.open[[1, 3]].any()
    # required site 2 filled to its capacity 6 carries points 1, 2, 3 whole
    req = line_instance(5, demand=[2.0] * 5, capacities=[6.0] * 5, required=[2])
    filled = erlocate.solve(MCLP(2, 1, capacitated=True, fill_required=True), req, backend)
    assert filled.sites.loc[2, "load"] == pytest.approx(6.0)
    assert filled.objective == pytest.approx(4.0)
    # required site 0 reaches 4 units within the standard, below its capacity 6
    edge = line_instance(5, demand=[2.0] * 5, capacities=[6.0] * 5, required=[0])
    with pytest.raises(InfeasibleError, match=r"least load 6 > 4"):
        erlocate.solve(MCLP(2, 1, capacitated=True, fill_required=True), edge, backend)
    with pytest.raises(InfeasibleError, match=r"least load 7 > 6"):
        erlocate.solve(
            MCLP(2, 1, capacitated=True, min_loads={2: 7.0}),
            line_instance(5, demand=[2.0] * 5, capacities=[8.0] * 5, required=[2]),
        )


@pytest.mark.parametrize("capacitated", [False, True])
def test_groups_count_and_budget_bind(backend, capacitated):
    inst = line_instance(5, site_costs=[1.0, 5.0, 1.0, 5.0, 1.0], capacities=[9.0] * 5)
    kw = {"capacitated": capacitated}
    assert erlocate.solve(MCLP(2, 1, **kw), inst, backend).objective == pytest.approx(5.0)
    exact = MCLP(2, 1, groups=[SiteGroup([0, 4], p=2)], **kw)
    r = erlocate.solve(exact, inst, backend)
    assert r.objective == pytest.approx(4.0) and r.open_sites.tolist() == [0, 4]
    at_most = MCLP(2, 1, groups=[SiteGroup([1, 2, 3], p=0, at_most=True)], **kw)
    assert erlocate.solve(at_most, inst, backend).objective == pytest.approx(4.0)
    budget = MCLP(2, 1, groups=[SiteGroup(range(5), budget=4.0)], **kw)
    rb = erlocate.solve(budget, inst, backend)
    assert rb.objective == pytest.approx(4.0)
    assert float(inst.site_costs[rb.plan.open].sum()) <= 4.0
    roomy = MCLP(2, 1, groups=[SiteGroup(range(5), budget=6.0)], **kw)
    assert erlocate.solve(roomy, inst, backend).objective == pytest.approx(5.0)


def test_groups_keep_every_site_in_the_reduction():
    inst = line_instance(5)
    assert not MCLP(2, 1).reduction(inst).keep_sites.all()  # dominated sites closed
    grouped = MCLP(2, 1, groups=[SiteGroup([0, 4], p=2)])
    assert grouped.reduction(inst).keep_sites.all()
    # with dominance, sites 0 and 4 (inside 1's and 3's reach) would be closed: no plan
    r = erlocate.solve(grouped, inst)
    assert r.open_sites.tolist() == [0, 4] and r.objective == pytest.approx(4.0)


# ----------------------------------------------------------------------------- enumeration
@pytest.mark.parametrize("seed", range(4))
def test_capacitated_matches_enumeration(seed):
    inst = _capacitated(seed, required=[1] if seed % 2 else None)
    S = 40.0
    for kw in ({}, {"single_source": True}):
        want = enumerate_mclp(inst, 3, S, single_source=bool(kw))
        r = erlocate.solve(MCLP(3, S, capacitated=True, **kw), inst)
        assert r.status == "optimal" and r.objective == pytest.approx(want, abs=1e-6), kw
        assert r.covered_weight == pytest.approx(r.objective, abs=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_serve_all_and_min_loads_match_enumeration(seed):
    inst = _capacitated(seed)
    caps = inst.capacities
    inst = _capacitated(seed, capacities=np.maximum(caps, inst.demand.sum() / 3))
    S = 40.0
    want = enumerate_mclp(inst, 3, S, full=True)
    if want is None:
        with pytest.raises(InfeasibleError):
            erlocate.solve(MCLP(3, S, serve_all=True), inst)
    else:
        assert erlocate.solve(MCLP(3, S, serve_all=True), inst).objective == pytest.approx(want)
    m = np.zeros(inst.n_sites)
    m[[0, 2]] = [20.0, 15.0]  # binds on seeds 1 and 2
    want_m = enumerate_mclp(inst, 3, S, min_loads=m)
    model = MCLP(3, S, capacitated=True, min_loads={inst.site_ids[0]: 20.0, inst.site_ids[2]: 15.0})
    r = erlocate.solve(model, inst, raise_on_failure=False)
    if want_m is None:
        assert r.status == "infeasible"
    else:
        assert r.objective == pytest.approx(want_m, abs=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_groups_match_enumeration(seed):
    inst = _capacitated(seed)
    groups = [SiteGroup([0, 1, 2], p=1, at_most=True), SiteGroup([3, 4, 5], budget=300.0)]
    f = inst.site_costs

    def ok(s):
        return len({0, 1, 2} & set(s)) <= 1 and f[[j for j in s if j >= 3]].sum() <= 300.0

    S = 40.0
    dense = inst.dense_costs()
    plain = max(
        float(inst.weights[(dense[:, list(s)] <= S).any(axis=1)].sum())
        for s in combinations(range(inst.n_sites), 3)
        if ok(s)
    )
    for reduce in (True, False):
        r = erlocate.solve(MCLP(3, S, groups=groups, reduce=reduce), inst)
        assert r.objective == pytest.approx(plain), reduce
    want = enumerate_mclp(inst, 3, S, ok=ok)
    r = erlocate.solve(MCLP(3, S, capacitated=True, groups=groups), inst)
    assert r.objective == pytest.approx(want, abs=1e-6)


# ----------------------------------------------------------------------------- backends
AGREE = [
    MCLP(4, 40.0, capacitated=True),
    MCLP(4, 40.0, single_source=True),
    MCLP(6, 40.0, serve_all=True),
    MCLP(4, 40.0, capacitated=True, groups=[SiteGroup([0, 1, 2, 3], p=1, at_most=True)]),
    MCLP(4, 40.0, groups=[SiteGroup([0, 1, 2, 3], p=1, at_most=True)]),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("model", AGREE, ids=repr)
def test_backends_agree_on_capacitated_cases(backend, model, seed):
    # 30 points (demand 159-162), 12 sites holding 30 each: capacities bind at p = 4
    inst = _capacitated(seed, n=30, m=12, capacities=np.full(12, 30.0))
    ref = erlocate.solve(model, inst, "highs")
    r = erlocate.solve(model, inst, backend)
    assert r.status == "optimal" and r.objective == pytest.approx(ref.objective, abs=1e-6)
    assert r.bound == pytest.approx(ref.objective, abs=1e-6)
    warm = erlocate.solve(model, inst, backend, warm_start=r)
    assert warm.objective == pytest.approx(ref.objective, abs=1e-6)


def test_capacities_bind_in_the_agreement_cases():
    inst = _capacitated(0, n=30, m=12, capacities=np.full(12, 30.0))
    plain = erlocate.solve(MCLP(4, 40.0), inst).objective
    assert plain == pytest.approx(322.0)
    assert erlocate.solve(AGREE[0], inst).objective == pytest.approx(297.0)
    assert erlocate.solve(AGREE[1], inst).objective == pytest.approx(297.0)


# ----------------------------------------------------------------------------- bad inputs
def test_bad_inputs_name_the_field():
    with pytest.raises(InputError, match=r"min_loads: .*capacitated=True") as e:
        MCLP(2, 1.0, min_loads={0: 1.0})
    assert e.value.field == "min_loads"
    with pytest.raises(InputError) as e:
        MCLP(2, 1.0, fill_required=True)
    assert e.value.field == "fill_required"
    with pytest.raises(InputError) as e:
        MCLP(2, 1.0, capacitated=True, method="fixing")
    assert e.value.field == "method"
    with pytest.raises(InputError) as e:
        MCLP(2, 1.0, groups=[SiteGroup([0], p=1)], method="fixing")
    assert e.value.field == "method"
    with pytest.raises(InputError) as e:
        MCLP(2, 1.0, groups="abc")
    assert e.value.field == "groups"
    inst = line_instance(5, capacities=[3.0] * 5)
    with pytest.raises(InputError, match="unknown site ids") as e:
        erlocate.solve(MCLP(2, 1.0, groups=[SiteGroup([0, 99], p=1)]), inst)
    assert e.value.field == "groups"
    with pytest.raises(InputError, match="no site costs") as e:
        erlocate.solve(MCLP(2, 1.0, groups=[SiteGroup([0, 1], budget=3.0)]), inst)
    assert e.value.field == "groups"
    with pytest.raises(InputError) as e:
        erlocate.solve(MCLP(2, 1.0, capacitated=True), line_instance(5))
    assert e.value.field == "capacitated"
    with pytest.raises(InputError, match="unknown site ids") as e:
        erlocate.solve(MCLP(2, 1.0, capacitated=True, min_loads={42: 1.0}), inst)
    assert e.value.field == "min_loads"
    with pytest.raises(InputError) as e:
        erlocate.solve(MCLP(2, 1.0, capacitated=True), inst, warm_start="heuristic")
    assert e.value.field == "warm_start"


def test_parameters_round_trip_and_uses_capacities():
    m = MCLP(2, 1.0, single_source=True, min_loads={0: 1.0}, groups=SiteGroup([0, 1], p=1))
    assert m.capacitated and m.uses_capacities and m.assigns_cover and m.exact_objective
    assert m.groups == (SiteGroup([0, 1], p=1),)
    assert m.replace(p=3) == MCLP(3, 1.0, single_source=True, min_loads={0: 1.0}, groups=m.groups)
    assert not MCLP(2, 1.0).uses_capacities
