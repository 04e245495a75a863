"""LSCP with capacities, minimum loads and site groups: hand cases, enumeration, backends."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

import erlocate
from erlocate import LSCP, SiteGroup
from erlocate.errors import InfeasibleError, InputError
from tests.conftest import line_instance, random_instance
from tests.models.test_mclp import best_assignment


def enumerate_lscp(inst, max_cost, *, single_source=False, min_loads=None, ok=None):
    """Least site cost over every site set whose assignment within ``max_cost`` is feasible
    (scipy LP/MILP per set), required sites in, ``ok`` filter; None if no set is."""
    f = inst.site_costs if inst.has_site_costs else np.ones(inst.n_sites)
    req = set(np.flatnonzero(inst.required).tolist())
    best = None
    for k in range(1, inst.n_sites + 1):
        for s in combinations(range(inst.n_sites), k):
            cost = float(f[list(s)].sum())
            if not req <= set(s) or (best is not None and cost >= best):
                continue
            if ok is not None and not ok(s):
                continue
            v = best_assignment(
                inst,
                list(s),
                max_cost,
                full=True,
                single_source=single_source,
                min_loads=min_loads,
                within=True,
            )
            if v is not None:
                best = cost
    return best


# ----------------------------------------------------------------------------- the finding
def test_issue_finding_capacities_were_ignored(backend):
    # three points of demand 5, each site holds 5; site 0 reaches every point within 2
    cost = np.array([[1.0, 1.0, 9.0, 9.0], [1.0, 9.0, 1.0, 9.0], [1.0, 9.0, 9.0, 1.0]])
    inst = erlocate.Instance.from_matrix(cost, demand=[5.0] * 3, capacities=[5.0] * 4)
    with pytest.warns(UserWarning, match="LSCP does not use site capacities"):
        plain = erlocate.solve(LSCP(2), inst, backend)
    # the finding: one site carrying load 15 against capacity 5
    assert plain.open_sites.tolist() == [0] and plain.objective == pytest.approx(1.0)
    assert plain.sites.loc[0, "load"] == pytest.approx(15.0)
    assert not LSCP(2).uses_capacities
    cap = erlocate.solve(LSCP(2, capacitated=True), inst, backend)
    assert LSCP(2, capacitated=True).uses_capacities
    assert cap.objective == pytest.approx(3.0) and len(cap.open_sites) == 3
    assert float(cap.sites["load"].max()) <= 5.0 + 1e-9
    assert cap.sites["load"].sum() == pytest.approx(15.0)
    assert cap.coverage["covered_share"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert cap.coverage_share == pytest.approx(1.0)
    warm = erlocate.solve(LSCP(2, capacitated=True), inst, backend, warm_start=cap)
    assert warm.objective == pytest.approx(3.0)


def test_split_and_single_source(backend):
    # three points of demand 4, three sites of capacity 6 reaching all: 12 units split fit
    # in two sites (4 + 2, 2 + 4); whole points need three (4 + 4 > 6)
    inst = erlocate.Instance.from_matrix(np.ones((3, 3)), demand=[4.0] * 3, capacities=[6.0] * 3)
    split = erlocate.solve(LSCP(1, capacitated=True), inst, backend)
    assert split.objective == pytest.approx(2.0)
    assert split.sites["load"].max() == pytest.approx(6.0)
    single = erlocate.solve(LSCP(1, single_source=True), inst, backend)
    assert single.objective == pytest.approx(3.0)
    assert set(np.round(single.plan.share, 9)) == {1.0}
    with pytest.raises(InfeasibleError, match="total capacity of all sites is 15"):
        erlocate.solve(
            LSCP(1, capacitated=True),
            erlocate.Instance.from_matrix(
                np.ones((3, 3)), demand=[4, 4, 8.0], capacities=[5.0] * 3
            ),
        )
    with pytest.raises(InfeasibleError, match=r"largest capacity .* demand 7 against 6"):
        erlocate.solve(
            LSCP(1, single_source=True),
            erlocate.Instance.from_matrix(
                np.ones((3, 3)), demand=[4, 4, 7.0], capacities=[6.0] * 3
            ),
        )


def test_min_loads_and_fill_required_bind(backend):
    # p0 reaches A; p1 reaches A and B; p2 reaches B and C (demand 5 each, capacity 15).
    # Costs A 1, B 1, C 5: without minimums {A, B} costs 2. With A and B each carrying at
    # least 10, {A, B} needs 20 > 15: A (for p0) and C: 6.
    inf = np.inf
    cost = np.array([[1.0, inf, inf], [1.0, 1.0, inf], [inf, 1.0, 1.0]])
    kw = dict(demand=[5.0] * 3, capacities=[15.0] * 3, site_costs=[1.0, 1.0, 5.0])
    inst = erlocate.Instance.from_matrix(cost, **kw)
    free = erlocate.solve(LSCP(1, capacitated=True), inst, backend)
    assert free.objective == pytest.approx(2.0)
    loads = {0: 10.0, 1: 10.0}
    bound = erlocate.solve(LSCP(1, capacitated=True, min_loads=loads), inst, backend)
    assert bound.objective == pytest.approx(6.0) and bound.open_sites.tolist() == [0, 2]
    assert bound.sites.loc[0, "load"] == pytest.approx(10.0)
    # fill_required: required B (capacity 10) must carry p1 and p2 whole; a least load of 10
    # at A then fails (A reaches only p0 and p1), so C (cost 5) cannot help and A with
    # load 5 is refused: only a minimum of 5 leaves {A, B}
    kw2 = dict(kw, capacities=[15.0, 10.0, 15.0], required=[1])
    req = erlocate.Instance.from_matrix(cost, **kw2)
    filled = erlocate.solve(LSCP(1, capacitated=True, fill_required=True), req, backend)
    assert filled.sites.loc[1, "load"] == pytest.approx(10.0)
    assert filled.objective == pytest.approx(2.0)
    r = erlocate.solve(
        LSCP(1, capacitated=True, fill_required=True, min_loads={0: 6.0}),
        req,
        backend,
        raise_on_failure=False,
    )
    assert r.status == "infeasible"  # A must open (p0) but gets only p0's 5 < 6
    r = erlocate.solve(LSCP(1, capacitated=True, min_loads={0: 6.0}), req, backend)
    assert r.objective == pytest.approx(2.0)  # without filling B, A takes p1 too


@pytest.mark.parametrize("capacitated", [False, True])
@pytest.mark.parametrize("reduce", [True, False])
def test_groups_count_and_budget_bind(backend, capacitated, reduce):
    inst = line_instance(5, capacities=[9.0] * 5)
    kw = {"capacitated": capacitated, "reduce": reduce}
    assert erlocate.solve(LSCP(1, **kw), inst, backend).objective == pytest.approx(2.0)
    # {1, 3} forbidden: site dominance (closing 0, 2, 4 inside 1's and 3's reach) would be wrong
    none = LSCP(1, groups=[SiteGroup([1, 3], p=0, at_most=True)], **kw)
    r = erlocate.solve(none, inst, backend)
    assert r.objective == pytest.approx(3.0) and r.open_sites.tolist() == [0, 2, 4]
    exact = LSCP(1, groups=[SiteGroup([0, 4], p=2)], **kw)
    assert erlocate.solve(exact, inst, backend).objective == pytest.approx(3.0)
    costly = line_instance(5, site_costs=[1.0, 10.0, 1.0, 10.0, 1.0], capacities=[9.0] * 5)
    assert erlocate.solve(LSCP(1, **kw), costly, backend).objective == pytest.approx(3.0)
    budget = LSCP(1, groups=[SiteGroup([0, 2, 4], budget=2.0)], **kw)
    rb = erlocate.solve(budget, costly, backend)
    assert rb.objective == pytest.approx(11.0)  # {0, 3} or {1, 4}
    assert float(costly.site_costs[[0, 2, 4]][rb.plan.open[[0, 2, 4]]].sum()) <= 2.0


def test_reductions_with_groups_and_capacities():
    inst = line_instance(5)
    plain = LSCP(1).build(inst)
    grouped = LSCP(1, groups=[SiteGroup([0, 4], p=2)])
    red = grouped.reduction(inst)
    assert red.keep_sites.all() and red.n_rows == 3  # rows 0 and 4 dominate 1 and 3
    assert LSCP(1).reduction(inst).n_sites < 5  # dominated sites closed without groups
    assert (plain.col_ub[plain.col_blocks["open"]] < 1).any()
    cap = LSCP(1, capacitated=True).build(line_instance(5, capacities=[9.0] * 5))
    assert cap.name == "lscp_capacitated" and "capacity" in cap.row_blocks
    assert cap.row_blocks["assign_once"].stop - cap.row_blocks["assign_once"].start == 5


# ----------------------------------------------------------------------------- enumeration
def _capacitated(seed: int, n: int = 9, m: int = 6, **kwargs) -> erlocate.Instance:
    rng = np.random.default_rng(200 + seed)
    d = rng.integers(1, 10, n).astype(float)
    kwargs.setdefault("capacities", np.round(rng.uniform(0.15, 0.4, m) * d.sum()))
    return random_instance(seed, n=n, m=m, demand=d, **kwargs)


@pytest.mark.parametrize("seed", range(4))
def test_capacitated_matches_enumeration(seed):
    inst = _capacitated(seed, required=[2] if seed % 2 else None)
    S = 60.0
    for ss in (False, True):
        want = enumerate_lscp(inst, S, single_source=ss)
        r = erlocate.solve(
            LSCP(S, single_source=ss, capacitated=True), inst, raise_on_failure=False
        )
        if want is None:
            assert r.status == "infeasible"
        else:
            assert r.status == "optimal" and r.objective == pytest.approx(want), ss


@pytest.mark.parametrize("seed", range(3))
def test_min_loads_and_groups_match_enumeration(seed):
    inst = _capacitated(seed)
    S = 60.0
    m = np.zeros(inst.n_sites)
    m[[1, 3]] = [12.0, 9.0]
    want = enumerate_lscp(inst, S, min_loads=m)
    model = LSCP(S, capacitated=True, min_loads={1: 12.0, 3: 9.0})
    r = erlocate.solve(model, inst, raise_on_failure=False)
    assert (r.status == "infeasible") if want is None else r.objective == pytest.approx(want)
    groups = [SiteGroup([0, 1, 2], p=1, at_most=True)]

    def ok(s):
        return len({0, 1, 2} & set(s)) <= 1

    want = enumerate_lscp(inst, S, ok=ok)
    r = erlocate.solve(LSCP(S, capacitated=True, groups=groups), inst, raise_on_failure=False)
    assert (r.status == "infeasible") if want is None else r.objective == pytest.approx(want)


# ----------------------------------------------------------------------------- backends
AGREE = [
    LSCP(60.0, capacitated=True),
    LSCP(60.0, single_source=True),
    LSCP(60.0, capacitated=True, groups=[SiteGroup([0, 1, 2, 3], p=2, at_most=True)]),
    LSCP(40.0, groups=[SiteGroup([0, 1, 2, 3], p=1, at_most=True)]),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("model", AGREE, ids=repr)
def test_backends_agree_on_capacitated_cases(backend, model, seed):
    inst = _capacitated(seed, n=30, m=12, capacities=np.full(12, 40.0))
    ref = erlocate.solve(model, inst, "highs")
    r = erlocate.solve(model, inst, backend)
    assert r.status == "optimal" and r.objective == pytest.approx(ref.objective, abs=1e-6)
    warm = erlocate.solve(model, inst, backend, warm_start=r)
    assert warm.objective == pytest.approx(ref.objective, abs=1e-6)


# ----------------------------------------------------------------------------- bad inputs
def test_bad_inputs_name_the_field():
    with pytest.raises(InputError, match=r"min_loads: .*capacitated=True") as e:
        LSCP(1.0, min_loads={0: 1.0})
    assert e.value.field == "min_loads"
    with pytest.raises(InputError) as e:
        LSCP(1.0, fill_required=True)
    assert e.value.field == "fill_required"
    with pytest.raises(InputError) as e:
        LSCP(1.0, capacitated=True, min_loads={0: -1.0})
    assert e.value.field == "min_loads"
    inst = line_instance(5, capacities=[3.0] * 5)
    with pytest.raises(InputError, match="unknown site ids") as e:
        erlocate.solve(LSCP(1.0, groups=[SiteGroup(["nope"], p=1)]), inst)
    assert e.value.field == "groups"
    with pytest.raises(InputError, match="no site costs") as e:
        erlocate.solve(LSCP(1.0, groups=[SiteGroup([0, 1], budget=3.0)]), inst)
    assert e.value.field == "groups"
    with pytest.raises(InputError) as e:
        erlocate.solve(LSCP(1.0, capacitated=True), line_instance(5))
    assert e.value.field == "capacitated"
    with pytest.raises(InputError, match="fill_required: required sites") as e:
        erlocate.solve(
            LSCP(1.0, capacitated=True, fill_required=True),
            line_instance(5, capacities=[3.0, 3.0, np.inf, 3.0, 3.0], required=[2]),
        )
    assert e.value.field == "fill_required"
    with pytest.raises(InfeasibleError, match=r"least load 4 > 3"):
        erlocate.solve(
            LSCP(1.0, capacitated=True, min_loads={0: 4.0}),
            line_instance(5, demand=[1.5] * 5, capacities=[5.0] * 5, required=[0]),
        )


def test_groups_leaving_a_point_bare_are_infeasible(backend):
    # point 0 is within 1 of sites 0 and 1 only; the group closes both
    model = LSCP(1.0, groups=[SiteGroup([0, 1], p=0, at_most=True)])
    with pytest.raises(InfeasibleError, match="site groups"):
        erlocate.solve(model, line_instance(5), backend)


def test_parameters_round_trip():
    m = LSCP(2.0, single_source=True, min_loads={0: 1.0}, groups=SiteGroup([0, 1], p=1))
    assert m.capacitated and m.assigns_cover and m.groups == (SiteGroup([0, 1], p=1),)
    assert m.replace(max_cost=3.0) == LSCP(
        3.0, single_source=True, min_loads={0: 1.0}, groups=m.groups
    )
