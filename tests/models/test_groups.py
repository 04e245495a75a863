"""Site groups (``SiteGroup``): the shared block and the models using it (PMedian, UFLP, CFLP).

Unit tests read :mod:`erlocate.models.groups` directly; model tests solve hand-made cases
where each limit (exact count, at most, budget) binds, enumerate small random instances
against ``scipy.optimize.milp`` and compare the core backends.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate import SiteGroup
from erlocate.errors import InfeasibleError, InputError
from erlocate.milp import MilpBuilder
from erlocate.models.groups import (
    add_group_rows,
    check_groups,
    group_breaches,
    group_masks,
    group_precheck,
)
from tests.conftest import CORE_BACKENDS, random_instance
from tests.models.test_loads import LINE, best_assignment, brute_force, line

# PMedian(2) on LINE (points and sites at 0, 1, 3, 10, 12; weights 1, 2, 1, 2, 1) costs, by
# the pair of open sites: (0,1) 31, (0,2) 25, (0,3) 7, (0,4) 9, (1,2) 24, (1,3) 5, (1,4) 7,
# (2,3) 9, (2,4) 11, (3,4) 35. Unrestricted: {1, 3} at 5.

# ---------------------------------------------------------------- SiteGroup


def test_site_group_keeps_ids_and_is_a_value():
    g = SiteGroup(["s1", "s2"], p=1, at_most=True, name="type 1")
    assert (g.sites, g.p, g.at_most, g.budget, g.label(0)) == (
        ("s1", "s2"),
        1,
        True,
        None,
        "type 1",
    )
    assert SiteGroup([1, "a"], p=1).sites == (1, "a")  # mixed ids not turned into strings
    assert SiteGroup(np.array([3, 4]), budget=2).sites == (3, 4)
    assert type(SiteGroup(np.array([3, 4]), budget=2).sites[0]) is int
    assert SiteGroup(pd.Index(["x"]), p=0).sites == ("x",)
    assert SiteGroup(iter([5]), p=1).label(3) == "group 3"
    assert g == pickle.loads(pickle.dumps(g)) and hash(g) == hash(SiteGroup(**vars(g)))


@pytest.mark.parametrize(
    ("args", "kwargs", "field", "match"),
    [
        (("ab",), {"p": 1}, "sites", "takes a list of site ids, got 'ab'"),
        ((5,), {"p": 1}, "sites", "takes a list of site ids, got 5"),
        (([],), {"p": 1}, "sites", "needs at least one site"),
        (([1, 1, 2],), {"p": 1}, "sites", r"site ids listed twice: \[1\]"),
        (([[1, 2]],), {"p": 1}, "sites", r"single values .* got \[1, 2\]"),
        (([1],), {"p": -1}, "p", "must be >= 0, got -1"),
        (([1],), {"p": 1.5}, "p", "must be an integer, got 1.5"),
        (([1],), {"p": True}, "p", "must be an integer"),
        (([1],), {"budget": -2}, "budget", "must be >= 0, got -2"),
        (([1],), {"budget": "5"}, "budget", "must be a number"),
        (([1],), {}, "p", "needs a limit"),
        (([1],), {"p": 1, "name": 3}, "name", "must be a string"),
        (([1],), {"p": 1, "at_most": "yes"}, "at_most", "must be True or False"),
    ],
)
def test_site_group_refuses(args, kwargs, field, match):
    with pytest.raises(InputError, match=match) as e:
        SiteGroup(*args, **kwargs)
    assert e.value.field == field


def test_check_groups():
    g = SiteGroup([0], p=1)
    assert check_groups(None) == () and check_groups(()) == ()
    assert check_groups(g) == (g,) and check_groups([g, g]) == (g, g)
    for bad, match in ((g.sites, "every entry must be an erlocate.SiteGroup"), ("g", "list of")):
        with pytest.raises(InputError, match=match) as e:
            check_groups(bad)
        assert e.value.field == "groups"
    # models hold groups as a tuple: a list and a tuple make equal models
    assert erlocate.PMedian(2, groups=[g]) == erlocate.PMedian(2, groups=(g,))
    assert erlocate.PMedian(2, groups=g).groups == (g,)


# ---------------------------------------------------------------- masks, prechecks, rows


def _inst(**kw) -> erlocate.Instance:
    kw.setdefault("site_costs", [1.0, 4.0, 2.0, 3.0, 1.0])
    return line(**LINE, site_ids=list("abcde"), **kw)


def test_group_masks_and_their_errors():
    inst = _inst(required=["a"])
    masks = group_masks(inst, (SiteGroup(["c", "a"], p=1), SiteGroup(["e"], budget=1.0)))
    assert masks.tolist() == [[1, 0, 1, 0, 0], [0, 0, 0, 0, 1]]
    cases = [
        ((SiteGroup(["a", "zz", "yy"], p=1),), InputError, r"unknown site ids \['zz', 'yy'\]"),
        ((SiteGroup(["b", "c"], p=3),), InputError, "asks for 3 open sites but holds 2"),
        ((SiteGroup(["a", "b"], p=0, name="west"),), InfeasibleError, r"west: 1 of .* p = 0"),
        ((SiteGroup(["a"], budget=0.5),), InfeasibleError, r"required sites alone cost 1, above"),
    ]
    for groups, error, match in cases:
        with pytest.raises(error, match=match):
            group_masks(inst, groups)
    no_costs = line(**LINE)
    with pytest.raises(InputError, match="group 0 has a budget, but the instance has no site") as e:
        group_masks(no_costs, (SiteGroup([0], budget=1.0),))
    assert e.value.field == "groups"


def test_group_precheck_numbers():
    inst = _inst(required=["d"])
    group_precheck(inst, (SiteGroup(["a", "b", "c"], p=3, at_most=True),), p=2)  # at most: fine
    with pytest.raises(
        InfeasibleError, match=r"group 0: opens exactly 3 sites, more than .* p = 2"
    ):
        group_precheck(inst, (SiteGroup(["a", "b", "c"], p=3),), p=2)
    # d (3, required) plus the cheapest other of b, d, e: e (1) = 4 > 3.5
    group_precheck(inst, (SiteGroup(["b", "d", "e"], p=2, budget=4.0),), p=2)
    with pytest.raises(
        InfeasibleError, match=r"its 2 cheapest admissible sites cost 4, above .* 3.5"
    ):
        group_precheck(inst, (SiteGroup(["b", "d", "e"], p=2, budget=3.5),), p=2)


def test_add_group_rows_matrix():
    inst = _inst()
    b = MilpBuilder()
    x = b.add_cols("open", 5, obj=0.0, lb=0.0, ub=1.0, integer=True)
    groups = (
        SiteGroup(["a", "b"], p=1),
        SiteGroup(["b", "c", "e"], p=2, at_most=True, budget=6.0),
        SiteGroup(["d"], budget=2.5),
    )
    add_group_rows(b, inst, x, groups)
    milp = b.build()
    count, budget = milp.row_blocks["group_count"], milp.row_blocks["group_budget"]
    a = milp.A.toarray()
    assert a[count].tolist() == [[1, 1, 0, 0, 0], [0, 1, 1, 0, 1]]
    assert milp.row_lb[count].tolist() == [1, -np.inf] and milp.row_ub[count].tolist() == [1, 2]
    assert a[budget].tolist() == [[0, 4, 2, 0, 1], [0, 0, 0, 3, 0]]
    assert milp.row_ub[budget].tolist() == [6.0, 2.5]
    b2 = MilpBuilder()
    add_group_rows(b2, inst, b2.add_cols("open", 5, obj=0.0, lb=0.0, ub=1.0), ())
    assert b2.build().n_rows == 0


def test_group_breaches_messages():
    inst = _inst()
    groups = (
        SiteGroup(["a", "b"], p=1, name="west"),
        SiteGroup(["b", "c", "e"], p=1, at_most=True, budget=5.0),
    )
    assert group_breaches(inst, np.array([1, 0, 0, 0, 1], bool), groups) == []
    assert group_breaches(inst, np.array([1, 1, 1, 0, 0], bool), groups) == [
        "west: 2 sites open, expected 1",
        "group 1: 2 sites open, expected at most 1",
        "group 1: open sites cost 6, above its budget 5",
    ]
    assert group_breaches(inst, np.zeros(5, bool), ()) == []


# ---------------------------------------------------------------- the models, by hand


@pytest.mark.parametrize(
    ("groups", "objective", "open_sites"),
    [
        ((SiteGroup([2, 4], p=1),), 7.0, [1, 4]),  # exactly one of 3, 12
        ((SiteGroup([2, 4], p=1, at_most=True),), 5.0, [1, 3]),  # at most one: not binding
        ((SiteGroup([0, 1, 3], p=1, at_most=True),), 7.0, [1, 4]),  # at most one: binding
        ((SiteGroup([1, 4], p=0),), 7.0, [0, 3]),  # none of 1, 12
        ((SiteGroup(range(5), budget=4.5),), 7.0, [0, 3]),  # site costs 1, 4, 2, 3, 1
        ((SiteGroup([1, 3], budget=6.5),), None, None),  # forbids {1, 3} only: 7 (two ways)
        # overlapping (site 1 in both): {1, 4} or {0, 3}, 7 either way
        ((SiteGroup([0, 1, 2], p=1), SiteGroup([1, 3], p=1)), 7.0, None),
    ],
)
def test_pmedian_groups_bind(backend, groups, objective, open_sites):
    inst = line(**LINE, site_costs=[1.0, 4.0, 2.0, 3.0, 1.0])
    r = erlocate.solve(erlocate.PMedian(2, groups=groups), inst, backend)
    assert r.status == "optimal"
    assert r.objective == pytest.approx(7.0 if objective is None else objective)
    if open_sites is not None:
        assert r.open_sites.tolist() == open_sites
    assert group_breaches(inst, r.plan.open, groups) == []


def test_pmedian_groups_with_min_loads():
    # exactly one of 3, 12 and a minimum of 3.25 at 12: {1, 12} at 7 carries 3 at 12, so
    # a quarter of the point at 3 moves there (cost 9 instead of 2): 7 + 0.25 * 7 = 8.75;
    # the best plan with 12 closed, {3, 10}, costs 9
    inst = line(**LINE)
    model = erlocate.PMedian(2, groups=[SiteGroup([2, 4], p=1)], min_loads={4: 3.25})
    r = erlocate.solve(model, inst)
    assert r.objective == pytest.approx(8.75) and r.open_sites.tolist() == [1, 4]


def test_pmedian_group_errors():
    inst = line(**LINE, required=[0, 1])
    with pytest.raises(InfeasibleError, match=r"group 0: 2 of its sites are required .* p = 1"):
        erlocate.solve(erlocate.PMedian(3, groups=[SiteGroup([0, 1, 2], p=1)]), inst)
    with pytest.raises(InputError, match="has a budget, but the instance has no site costs") as e:
        erlocate.solve(erlocate.PMedian(3, groups=[SiteGroup([2], budget=1)]), inst)
    assert e.value.field == "groups"
    with pytest.raises(InputError, match=r"unknown site ids \['x'\]") as e:
        erlocate.solve(erlocate.PMedian(3, groups=[SiteGroup(["x"], p=1)]), inst)
    assert e.value.field == "groups"
    with pytest.raises(InfeasibleError, match=r"opens exactly 3 sites, more than the model's p"):
        erlocate.solve(erlocate.PMedian(2, groups=[SiteGroup([0, 1, 2], p=3)]), inst)
    for form in ("radius", "benders"):
        with pytest.raises(InputError, match="has no minimum loads or site groups") as e:
            erlocate.PMedian(2, formulation=form, groups=[SiteGroup([0], p=1)])
        assert e.value.field == "formulation"
    with pytest.raises(InputError, match=r"every entry must be an erlocate\.SiteGroup") as e:
        erlocate.PMedian(2, groups=[{"sites": [0], "p": 1}])
    assert e.value.field == "groups"


def test_pmedian_groups_heuristic_start_refused_and_dense():
    inst = line(**LINE)
    model = erlocate.PMedian(2, groups=[SiteGroup([2, 4], p=1)])
    assert model.solve_loop(inst, None, None, None) is None  # dense, not Benders
    with pytest.raises(InputError, match=r"'heuristic' is not available .* groups"):
        erlocate.solve(model, inst, warm_start="heuristic")
    first = erlocate.solve(model, inst)
    assert erlocate.solve(model, inst, warm_start=first.plan).objective == pytest.approx(7.0)
    # the unrestricted optimum breaks the group; check names it
    plain = erlocate.solve(erlocate.PMedian(2), inst)
    assert model.check(inst, plain.plan) == ["group 0: 0 sites open, expected 1"]


def test_uflp_and_cflp_groups(backend):
    # points at 0, 1, 10; sites at 0 and 10
    cost = np.abs(np.array([0.0, 1.0, 10.0])[:, None] - np.array([0.0, 10.0])[None])
    inst = erlocate.Instance.from_matrix(cost, site_costs=[1.0, 20.0])
    # site 0 alone: 1 + 1 + 10 = 12; forcing the site at 10 open: 21 + 1 = 22
    assert erlocate.solve(erlocate.UFLP(), inst, backend).objective == pytest.approx(12.0)
    r = erlocate.solve(erlocate.UFLP(groups=SiteGroup([1], p=1)), inst, backend)
    assert r.objective == pytest.approx(22.0) and r.open_sites.tolist() == [0, 1]
    # capacities 2 and 3, site costs 1 and 1: both open split for 3; at most one of them: only
    # the site at 10 holds all 3 units, 1 + 10 + 9 = 20; a budget of 1.5 does the same
    caps = erlocate.Instance.from_matrix(cost, site_costs=[1.0, 1.0], capacities=[2.0, 3.0])
    assert erlocate.solve(erlocate.CFLP(), caps, backend).objective == pytest.approx(3.0)
    for g in (SiteGroup([0, 1], p=1, at_most=True), SiteGroup([0, 1], budget=1.5)):
        r = erlocate.solve(erlocate.CFLP(groups=[g]), caps, backend)
        assert r.objective == pytest.approx(20.0) and r.open_sites.tolist() == [1]
    plain = erlocate.solve(erlocate.CFLP(), caps, backend).plan
    assert erlocate.CFLP(groups=[g]).check(caps, plain) == [
        "group 0: open sites cost 2, above its budget 1.5"
    ]


# ---------------------------------------------------------------- enumeration, backends


def _random_groups(inst: erlocate.Instance, seed: int) -> tuple[SiteGroup, ...]:
    rng = np.random.default_rng(seed)
    a = rng.choice(inst.n_sites, 3, replace=False).tolist()
    b = rng.choice(inst.n_sites, 4, replace=False).tolist()
    spend = float(np.sort(inst.site_costs[b])[:2].sum()) + 40.0
    return (SiteGroup(a, p=1), SiteGroup(b, p=2, at_most=True, budget=spend))


def _allowed(inst: erlocate.Instance, groups: tuple[SiteGroup, ...]):
    def ok(open_: np.ndarray) -> bool:
        for g in groups:
            n = int(open_[list(g.sites)].sum())
            if g.p is not None and (n > g.p if g.at_most else n != g.p):
                return False
            if (
                g.budget is not None
                and inst.site_costs[list(g.sites)][open_[list(g.sites)]].sum() > g.budget
            ):
                return False
        return True

    return ok


def _solve_or_inf(model, inst, backend="highs") -> float:
    try:
        return erlocate.solve(model, inst, backend).objective
    except InfeasibleError:
        return np.inf


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("with_loads", [False, True])
def test_pmedian_groups_against_enumeration(seed, with_loads):
    inst = random_instance(seed, n=10, m=7, required=[0] if seed % 4 == 0 else None)
    groups = _random_groups(inst, seed)
    least = float(np.round(0.28 * inst.demand.sum()))  # each of the 3 open sites
    mins = dict.fromkeys(range(7), least)
    m = np.zeros(inst.n_sites)
    if with_loads:
        m[list(mins)] = least
    model = erlocate.PMedian(3, groups=groups, min_loads=mins if with_loads else None)
    cost, w = inst.dense_costs(), inst.weights

    def assign(s):
        return best_assignment(cost, w, inst.demand, s, min_loads=m)

    expected = brute_force(inst, [3], assign, _allowed(inst, groups))
    assert _solve_or_inf(model, inst) == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_uflp_groups_against_enumeration(seed):
    inst = random_instance(seed, n=10, m=6)
    groups = _random_groups(inst, seed)
    cost, w = inst.dense_costs(), inst.weights

    def assign(s):
        return best_assignment(cost, w, inst.demand, s)

    expected = brute_force(inst, range(1, 7), assign, _allowed(inst, groups), fixed_costs=True)
    assert _solve_or_inf(erlocate.UFLP(groups=groups), inst) == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("backend", [b for b in CORE_BACKENDS if b != "highs"])
def test_backends_agree_with_highs(seed, backend):
    if backend not in erlocate.backends():
        pytest.skip(f"{backend} not installed")
    d = np.random.default_rng(seed).integers(1, 6, 30).astype(float)
    inst = random_instance(seed, n=30, m=10, demand=d, capacities=np.full(10, d.sum() / 3))
    groups = _random_groups(inst, seed)
    models = [
        erlocate.PMedian(4, groups=groups),
        erlocate.PMedian(4, capacitated=True, groups=groups),
        erlocate.UFLP(groups=groups),
        erlocate.CFLP(groups=groups),
    ]
    for model in models:
        reference = _solve_or_inf(model, inst, "highs")
        assert _solve_or_inf(model, inst, backend) == pytest.approx(reference, rel=1e-6), model
