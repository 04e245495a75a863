"""Minimum loads (``min_loads``, ``fill_required``): the shared block and the models using it.

The unit tests read :mod:`erlocate.models.loads` directly; the model tests solve hand-made
cases where the minimum binds, enumerate small random instances (every open set, each
assignment solved by ``scipy.optimize.milp`` on a matrix written here, independently of the
library's builders) and compare the core backends.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pytest
import scipy.optimize as so

import erlocate
from erlocate.errors import InfeasibleError, InputError
from erlocate.milp import MilpBuilder
from erlocate.models.loads import (
    add_min_load,
    check_min_loads,
    load_of,
    min_load_breaches,
    min_load_precheck,
    min_load_reach_precheck,
    min_load_vector,
)
from erlocate.plan import Plan
from tests.conftest import CORE_BACKENDS, random_instance

# ---------------------------------------------------------------- brute force (shared)


def best_assignment(
    cost: np.ndarray,
    weights: np.ndarray,
    demand: np.ndarray,
    open_sites: Iterable[int],
    *,
    capacities: np.ndarray | None = None,
    min_loads: np.ndarray | None = None,
    single_source: bool = False,
) -> float:
    """The least sum_ij w_i c_ij z_ij serving everyone from ``open_sites`` (inf: no way).

    A dense LP (a MILP with ``single_source``) over the open columns: sum_j z_ij = 1,
    d·z_j <= K_j (finite capacities), d·z_j >= m_j; unreachable pairs (inf) fixed to 0.
    """
    cols = np.asarray(list(open_sites), dtype=int)
    n, k = cost.shape[0], cols.size
    c = cost[:, cols]
    ok = np.isfinite(c)
    obj = np.where(ok, weights[:, None] * np.where(ok, c, 0.0), 0.0).ravel()
    rows, lo, hi = [np.kron(np.eye(n), np.ones(k))], [np.ones(n)], [np.ones(n)]
    load = np.kron(demand, np.eye(k))  # row j: sum_i d_i z_ij
    if capacities is not None:
        rows.append(load)
        lo.append(np.full(k, -np.inf))
        hi.append(capacities[cols])
    if min_loads is not None:
        rows.append(load)
        lo.append(min_loads[cols])
        hi.append(np.full(k, np.inf))
    res = so.milp(
        obj,
        constraints=so.LinearConstraint(np.vstack(rows), np.concatenate(lo), np.concatenate(hi)),
        bounds=so.Bounds(0.0, ok.ravel().astype(float)),
        integrality=np.full(n * k, int(single_source)),
    )
    return float(res.fun) if res.status == 0 else np.inf


def brute_force(
    inst: erlocate.Instance,
    sizes: Iterable[int],
    assign: Callable[[tuple[int, ...]], float],
    allowed: Callable[[np.ndarray], bool] = lambda open_: True,
    fixed_costs: bool = False,
) -> float:
    """The best value over every open set of the given sizes keeping the required sites open."""
    best = np.inf
    for size in sizes:
        for s in itertools.combinations(range(inst.n_sites), size):
            open_ = np.zeros(inst.n_sites, dtype=bool)
            open_[list(s)] = True
            if (inst.required & ~open_).any() or not allowed(open_):
                continue
            fixed = float(inst.site_costs[open_].sum()) if fixed_costs else 0.0
            best = min(best, fixed + assign(s))
    return best


def line(positions, **kwargs) -> erlocate.Instance:
    pos = np.asarray(positions, dtype=float)
    return erlocate.Instance.from_matrix(np.abs(pos[:, None] - pos[None, :]), **kwargs)


#: Points and sites at 0, 1, 3, 10, 12 (weights = demand 1, 2, 1, 2, 1). PMedian(2) opens the
#: sites at 1 and 10 (cost 1 + 0 + 2·1 + 0 + 2 = 5; every other pair costs 7 or more).
LINE = dict(positions=[0, 1, 3, 10, 12], weights=[1, 2, 1, 2, 1])


# ---------------------------------------------------------------- check_min_loads


def test_check_min_loads_accepts_mappings_and_series():
    assert check_min_loads(None) is None
    s = check_min_loads({"a": 2, "b": 0.5})
    assert s.name == "min_load" and s.dtype == float and s.to_dict() == {"a": 2.0, "b": 0.5}
    s = check_min_loads(pd.Series([1, np.int64(3)], index=[7, 8]))
    assert s.to_dict() == {7: 1.0, 8: 3.0}
    assert check_min_loads({}).empty


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([1.0, 2.0], r"pass a mapping or a pandas Series .* got list"),
        (np.array([1.0]), r"got ndarray"),
        ({"a": "3"}, r"must be numbers; not for sites \['a'\]"),
        ({"a": True}, r"must be numbers; not for sites \['a'\]"),
        ({"a": None}, r"must be numbers"),
        ({"a": -1.0, "b": 1.0}, r"finite and >= 0; not for sites \['a'\]"),
        ({"a": np.nan}, r"finite and >= 0"),
        ({"a": np.inf}, r"finite and >= 0"),
        (pd.Series([1.0, 2.0], index=["a", "a"]), r"sites listed twice: \['a'\]"),
    ],
)
def test_check_min_loads_refuses(value, match):
    with pytest.raises(InputError, match=match) as e:
        check_min_loads(value)
    assert e.value.field == "min_loads"


# ---------------------------------------------------------------- min_load_vector


def _cap_instance(**kw) -> erlocate.Instance:
    kw.setdefault("capacities", [3.0, 4.0, np.inf])
    return erlocate.Instance.from_matrix(
        np.ones((2, 3)), demand=[2.0, 3.0], site_ids=["a", "b", "c"], **kw
    )


def test_min_load_vector_aligns_by_id_and_fills_required():
    inst = _cap_instance(required=["a"])
    assert min_load_vector(inst, {"c": 4.0, "b": 1.5}, False).tolist() == [0.0, 1.5, 4.0]
    # fill_required: the required site's capacity, or its own minimum if larger (never here:
    # a larger one would exceed the capacity)
    assert min_load_vector(inst, {"a": 1.0, "b": 1.5}, True).tolist() == [3.0, 1.5, 0.0]
    assert min_load_vector(inst, None, False).tolist() == [0.0, 0.0, 0.0]


def test_min_load_vector_errors():
    inst = _cap_instance(required=["c", "b"], capacities=[3.0, 4.0, np.inf])
    with pytest.raises(InputError, match=r"unknown site ids \['z'\]") as e:
        min_load_vector(inst, {"z": 1.0, "a": 1.0}, False)
    assert e.value.field == "min_loads"
    with pytest.raises(InputError, match=r"required sites \['c'\] have no capacity to fill") as e:
        min_load_vector(inst, None, True)
    assert e.value.field == "fill_required"
    with pytest.raises(
        InfeasibleError,
        match=r"1 required site\(s\) .* e\.g\. 'b' \(least load 4\.5 > capacity 4\)",
    ):
        min_load_vector(inst, {"b": 4.5}, False)
    # a model that does not cap loads has no conflict there
    assert min_load_vector(inst, {"b": 4.5}, False, capacitated=False).tolist() == [0, 4.5, 0]


def test_min_load_vector_logs_sites_that_can_never_open(caplog):
    inst = _cap_instance()
    with caplog.at_level("WARNING", logger="erlocate.models.loads"):
        assert min_load_vector(inst, {"a": 3.5, "b": 4.0}, False).tolist() == [3.5, 4.0, 0.0]
    assert "1 site(s) can never open, their least load above their capacity: 'a' (3.5 > 3)" in (
        caplog.text
    )


def test_min_load_precheck_numbers():
    inst = _cap_instance(required=["a", "b"])  # demand 5 in all
    min_load_precheck(inst, np.array([2.0, 3.0, 9.0]))  # required carry 5 of 5: fine
    with pytest.raises(InfeasibleError, match=r"must carry 5\.5 in all, more than the 5 of"):
        min_load_precheck(inst, np.array([2.5, 3.0, 0.0]))
    with pytest.raises(InfeasibleError, match=r"more than the 4 of demand"):
        min_load_precheck(inst, np.array([2.0, 3.0, 0.0]), served=4.0)
    # three open sites carry at least 1 + 1 + 3.5 = 5.5 > 5 (required a, b plus c)
    free = _cap_instance(required=None)
    m = np.array([1.0, 1.0, 3.5])
    min_load_precheck(free, m, open_count=2)  # the two smallest: 2 <= 5
    with pytest.raises(
        InfeasibleError,
        match=r"any 3 open sites must carry at least 5\.5 in all \(required sites 0, the 3 "
        r"smallest other minimums 5\.5\), more than the 5",
    ):
        min_load_precheck(free, m, open_count=3)


def test_min_load_reach_precheck_numbers():
    inst = _cap_instance(required=["b"])
    rows, cols = np.array([0, 1, 0]), np.array([1, 0, 2])  # b reaches point 0 only (demand 2)
    min_load_reach_precheck(inst, np.array([9.0, 2.0, 9.0]), rows, cols)  # a, c not required
    with pytest.raises(
        InfeasibleError, match=r"1 required site\(s\) .* e\.g\. 'b' reaches 2 of demand .* 2\.5"
    ):
        min_load_reach_precheck(inst, np.array([0.0, 2.5, 0.0]), rows, cols)


def test_add_min_load_rows():
    inst = erlocate.Instance.from_matrix(np.ones((3, 3)), demand=[1.0, 2.0, 4.0])
    b = MilpBuilder()
    x = b.add_cols("open", 3, obj=0.0, lb=0.0, ub=1.0, integer=True)
    rows, cols = np.array([0, 0, 1, 2, 2]), np.array([0, 2, 2, 1, 2])
    z = b.add_cols("assign", 5, obj=0.0, lb=0.0, ub=1.0)
    add_min_load(b, inst, rows, cols, z, x, np.array([0.0, 1.5, 3.0]))
    milp = b.build()
    rb = milp.row_blocks["min_load"]
    a = milp.A.toarray()[rb]
    # site 1: 4 z(2,1) - 1.5 x1 >= 0; site 2: 1 z(0,2) + 2 z(1,2) + 4 z(2,2) - 3 x2 >= 0
    assert a.tolist() == [
        [0, -1.5, 0, 0, 0, 0, 4, 0],
        [0, 0, -3, 0, 1, 2, 0, 4],
    ]
    assert milp.row_lb[rb].tolist() == [0, 0] and np.isinf(milp.row_ub[rb]).all()
    b2 = MilpBuilder()
    x = b2.add_cols("open", 3, obj=0.0, lb=0.0, ub=1.0, integer=True)
    add_min_load(b2, inst, rows, cols, x, x, np.zeros(3))
    assert "min_load" not in b2.build().row_blocks


def test_load_of_and_breaches():
    inst = _cap_instance()
    plan = Plan(
        np.array([True, True, False]), np.array([0, 1, 1]), np.array([0, 0, 1]), [1.0, 0.25, 0.75]
    )
    assert load_of(inst, plan).tolist() == [2.75, 2.25, 0.0]
    assert min_load_breaches(inst, plan, np.array([2.75, 2.0, 5.0])) == []  # c closed: no minimum
    assert min_load_breaches(inst, plan, np.array([3.0, 2.5, 0.0])) == [
        "minimum load not met at 2 open sites: 'a' (load 2.75 < 3), 'b' (load 2.25 < 2.5)"
    ]


# ---------------------------------------------------------------- the models, by hand


def test_pmedian_min_load_splits_a_point(backend):
    # the site at 10 carries 3 at the optimum; a minimum of 3.25 there moves a quarter of the
    # point at 3 (weight 1) from 1 (cost 2) to 10 (cost 7): 5 + 0.25 * 5 = 6.25; any other way
    # costs more (the site at 12 instead: 7; a share of the point at 1: 9 per unit)
    inst = line(**LINE)
    r = erlocate.solve(erlocate.PMedian(2, min_loads={3: 3.25}), inst, backend)
    assert r.status == "optimal" and r.objective == pytest.approx(6.25)
    assert r.open_sites.tolist() == [1, 3]
    split = r.assignment[r.assignment["demand_id"] == 2].set_index("site_id")["share"]
    assert split.to_dict() == pytest.approx({1: 0.75, 3: 0.25})
    assert r.sites.loc[3, "load"] == pytest.approx(3.25)


def test_pmedian_min_load_moves_the_site(backend):
    # a minimum of 3.5 at 10 would cost 5 + 2.5 = 7.5; opening 12 instead costs 7
    inst = line(**LINE)
    r = erlocate.solve(erlocate.PMedian(2, min_loads={3: 3.5}), inst, backend)
    assert r.objective == pytest.approx(7.0) and r.open_sites.tolist() == [1, 4]
    # without it: 5 at {1, 10}
    assert erlocate.solve(erlocate.PMedian(2), inst, backend).objective == pytest.approx(5.0)


def test_uflp_min_load_only_where_open(backend):
    # points at 0, 1, 10; sites at 0 and 10 costing 1 each. Both open: 2 + 1 = 3.
    cost = np.abs(np.array([0.0, 1.0, 10.0])[:, None] - np.array([0.0, 10.0])[None])
    inst = erlocate.Instance.from_matrix(cost, site_costs=[1.0, 1.0])
    r = erlocate.solve(erlocate.UFLP(), inst, backend)
    assert r.objective == pytest.approx(3.0)
    # site 10 needs 1.5: half the point at 1 goes there (9 instead of 1): 2 + 0.5 + 4.5 = 7
    r = erlocate.solve(erlocate.UFLP(min_loads={1: 1.5}), inst, backend)
    assert r.objective == pytest.approx(7.0) and r.open_sites.tolist() == [0, 1]
    # needing 2.5 it would cost 2 + 9 + 5 = 16: it stays closed, site 0 serves all for 12
    r = erlocate.solve(erlocate.UFLP(min_loads={1: 2.5}), inst, backend)
    assert r.objective == pytest.approx(12.0) and r.open_sites.tolist() == [0]


def test_cflp_fill_required(backend):
    # as above, capacities 2 and 3, the site at 10 required. Split: site 0 carries 2 (points 0
    # and 1), 10 carries 1: 2 + 1 = 3. Filled, 10 carries all 3: alone 1 + 10 + 9 = 20.
    cost = np.abs(np.array([0.0, 1.0, 10.0])[:, None] - np.array([0.0, 10.0])[None])
    inst = erlocate.Instance.from_matrix(
        cost, site_costs=[1.0, 1.0], capacities=[2.0, 3.0], required=[1]
    )
    assert erlocate.solve(erlocate.CFLP(), inst, backend).objective == pytest.approx(3.0)
    r = erlocate.solve(erlocate.CFLP(fill_required=True), inst, backend)
    assert r.objective == pytest.approx(20.0) and r.open_sites.tolist() == [1]
    assert r.sites.loc[1, "load"] == pytest.approx(3.0)


def test_pmedian_fill_required_is_spopt_fulfill(backend):
    # points at 0, 2, 3; sites at 0 (capacity 2, required) and 3 (capacity 3). Capacitated:
    # 0 -> 0, 2 -> 3, 3 -> 3: cost 1. Filled, site 0 carries exactly 2: the point at 2 goes
    # there (cost 2), the cheaper of the two ways: 2.
    cost = np.abs(np.array([0.0, 2.0, 3.0])[:, None] - np.array([0.0, 3.0])[None])
    inst = erlocate.Instance.from_matrix(cost, capacities=[2.0, 3.0], required=[0])
    assert erlocate.PMedian(2, fill_required=True).capacitated is True  # implied, as in spopt
    plain = erlocate.solve(erlocate.PMedian(2, capacitated=True), inst, backend)
    assert plain.objective == pytest.approx(1.0)
    for model in (
        erlocate.PMedian(2, fill_required=True),
        erlocate.PMedian(2, single_source=True, fill_required=True),
    ):
        r = erlocate.solve(model, inst, backend)
        assert r.objective == pytest.approx(2.0)
        assert r.sites["load"].tolist() == pytest.approx([2.0, 1.0])


def test_pmedian_min_loads_formulations_and_starts():
    inst = line(**LINE)
    model = erlocate.PMedian(2, min_loads={3: 3.25})
    assert model.solve_loop(inst, None, None, None) is None  # "auto": the dense MILP
    assert erlocate.PMedian(2, min_loads={3: 0.0}).solve_loop  # a zero minimum restricts nothing
    for form in ("radius", "benders"):
        with pytest.raises(InputError, match=rf"the {form} formulation has no minimum loads") as e:
            erlocate.PMedian(2, min_loads={3: 1.0}, formulation=form)
        assert e.value.field == "formulation"
    erlocate.PMedian(2, min_loads={3: 0.0}, formulation="benders")  # nothing to hold
    with pytest.raises(InputError, match=r"'heuristic' is not available .* min_loads") as e:
        erlocate.solve(model, inst, warm_start="heuristic")
    assert e.value.field == "warm_start"
    # a start that meets the minimum is encoded and kept; the answer is the same
    first = erlocate.solve(model, inst)
    again = erlocate.solve(model, inst, warm_start=first)
    assert again.objective == pytest.approx(6.25)
    x = model.encode(inst, model.build(inst), first.plan)
    assert model.build(inst).max_violation(x) < 1e-9


def test_check_names_the_short_site():
    inst = line(**LINE)
    plain = erlocate.solve(erlocate.PMedian(2), inst)  # site 10 carries 3
    breaches = erlocate.PMedian(2, min_loads={3: 3.25}).check(inst, plain.plan)
    assert breaches == ["minimum load not met at 1 open sites: 3 (load 3 < 3.25)"]
    assert erlocate.UFLP(min_loads={3: 3.25}).check(inst, plain.plan) == breaches


def test_minimum_above_capacity():
    # capacities that the uncapacitated model ignores (with a warning) cannot make it infeasible
    inst = line(**LINE, capacities=[4.0] * 5)
    with pytest.warns(UserWarning, match="does not use site capacities"):
        r = erlocate.solve(erlocate.PMedian(2, min_loads={3: 4.5}), inst)
    # filling 4.5 at 10 takes the point at 3 (5 more) and 0.5 more units at 9 each: 5 + 5 +
    # 4.5 = 14.5, worse than opening 12 with 1: 7
    assert r.objective == pytest.approx(7.0)
    # capacitated, the site at 10 can never open (4.5 > 4): the best plan without it, by
    # enumeration; required, the model is infeasible
    capped = erlocate.PMedian(2, capacitated=True, min_loads={3: 4.5})
    m = np.array([0, 0, 0, 4.5, 0])

    def assign(s):
        return best_assignment(
            inst.dense_costs(),
            inst.weights,
            inst.demand,
            s,
            capacities=inst.capacities,
            min_loads=m,
        )

    assert erlocate.solve(capped, inst).objective == pytest.approx(brute_force(inst, [2], assign))
    assert 3 not in erlocate.solve(capped, inst).open_sites.tolist()
    with pytest.raises(InfeasibleError, match=r"e\.g\. 3 \(least load 4\.5 > capacity 4\)"):
        erlocate.solve(capped, line(**LINE, capacities=[4.0] * 5, required=[3]))


# ---------------------------------------------------------------- bad inputs through models


@pytest.mark.parametrize("make", [erlocate.PMedian, lambda **k: erlocate.UFLP(**k)])
def test_models_refuse_bad_min_loads(make):
    kw = {"p": 2} if make is erlocate.PMedian else {}
    for bad, match in (
        ({0: "2"}, "must be numbers"),
        ({0: -1}, "finite and >= 0"),
        ([1, 2], "pass a mapping"),
    ):
        with pytest.raises(InputError, match=match) as e:
            make(**kw, min_loads=bad)
        assert e.value.field == "min_loads"
    with pytest.raises(InputError, match="fill_required: must be") as e:
        make(**kw, fill_required="yes")
    assert e.value.field == "fill_required"


def test_unknown_site_and_infeasible_minimums_at_solve():
    inst = line(**LINE, capacities=[4.0] * 5, required=[0])
    with pytest.raises(InputError, match=r"unknown site ids \['x'\]") as e:
        erlocate.solve(erlocate.PMedian(2, min_loads={"x": 1.0}), inst)
    assert e.value.field == "min_loads"
    # p = 3 sites carry at least 1 + 2.5 + 3 = 6.5 of the 7 units: fine; 4 sites cannot
    mins = {0: 1.0, 1: 3.0, 2: 2.5, 3: 3.0, 4: 3.0}
    erlocate.solve(erlocate.PMedian(3, min_loads=mins, capacitated=True), inst)
    with pytest.raises(InfeasibleError, match=r"any 4 open sites must carry at least 9\.5"):
        erlocate.solve(erlocate.PMedian(4, min_loads=mins), inst)
    with pytest.raises(
        InfeasibleError,
        match=r"e\.g\. 0 reaches 3 of demand \(within the cut-off\) but must carry 4\.5",
    ):
        # p = 5: every site open, so the cover-packing precheck cannot be what refuses it
        erlocate.solve(erlocate.PMedian(5, max_cost=1.0, min_loads={0: 4.5}), inst)
    with pytest.raises(InfeasibleError, match=r"required sites must carry 8"):
        erlocate.solve(
            erlocate.CFLP(min_loads={0: 8.0}), line(**LINE, capacities=[9.0] * 5, required=[0])
        )
    with pytest.raises(InputError, match="UFLP has no capacities to fill") as e:
        erlocate.UFLP(fill_required=True)
    assert e.value.field == "fill_required"
    no_caps = line(**LINE, required=[0])
    with pytest.raises(InputError, match=r"required sites \[0\] have no capacity to fill") as e:
        erlocate.solve(erlocate.CFLP(fill_required=True), no_caps)
    assert e.value.field == "fill_required"


def test_models_with_min_loads_are_values():
    import pickle

    a = erlocate.PMedian(2, min_loads={3: 1.0}, fill_required=True)
    b = erlocate.PMedian(2, min_loads=pd.Series({3: 1.0}), fill_required=True)
    assert a == erlocate.PMedian(2, min_loads={3: 1.0}, fill_required=True)
    assert hash(a) == hash(pickle.loads(pickle.dumps(a)))
    assert a.replace(min_loads={3: 2.0}).min_loads == {3: 2.0}
    assert b.parameters()["min_loads"].to_dict() == {3: 1.0}


# ---------------------------------------------------------------- enumeration, backends


def _random(seed: int, n: int = 9, m: int = 6, capacitated: bool = False) -> erlocate.Instance:
    rng = np.random.default_rng(100 + seed)
    d = rng.integers(1, 6, n).astype(float)
    caps = np.round(rng.uniform(0.3, 0.7, m) * d.sum()) if capacitated else None
    return random_instance(
        seed, n=n, m=m, demand=d, capacities=caps, required=[0] if seed % 3 == 0 else None
    )


def _random_minimums(inst: erlocate.Instance, seed: int, p: int) -> dict[int, float]:
    rng = np.random.default_rng(seed)
    sites = rng.choice(inst.n_sites, 4, replace=False)
    top = inst.demand.sum() / p
    return {int(j): float(np.round(rng.uniform(0.5, 1.05) * top, 1)) for j in sites}


def _solve_or_inf(model, inst, backend="highs") -> float:
    try:
        return erlocate.solve(model, inst, backend).objective
    except InfeasibleError:
        return np.inf


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("kind", ["split", "capacitated", "single"])
def test_pmedian_min_loads_against_enumeration(seed, kind):
    capacitated = kind != "split"
    inst = _random(seed, capacitated=capacitated)
    p = 3
    mins = _random_minimums(inst, seed, p)
    model = erlocate.PMedian(
        p, capacitated=capacitated, single_source=kind == "single", min_loads=mins
    )
    m = np.zeros(inst.n_sites)
    m[list(mins)] = list(mins.values())
    cost, w, d = inst.dense_costs(), inst.weights, inst.demand
    caps = inst.capacities if capacitated else None

    def assign(s):
        return best_assignment(
            cost, w, d, s, capacities=caps, min_loads=m, single_source=kind == "single"
        )

    expected = brute_force(inst, [p], assign)
    assert _solve_or_inf(model, inst) == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("model_name", ["UFLP", "CFLP", "CFLP-fill"])
def test_facility_min_loads_against_enumeration(seed, model_name):
    capacitated = model_name != "UFLP"
    inst = _random(seed, capacitated=capacitated)
    mins = _random_minimums(inst, seed, 2)
    if model_name == "UFLP":
        model = erlocate.UFLP(min_loads=mins)
    else:
        model = erlocate.CFLP(min_loads=mins, fill_required=model_name == "CFLP-fill")
    m = np.zeros(inst.n_sites)
    m[list(mins)] = list(mins.values())
    if model_name == "CFLP-fill":
        m[inst.required] = np.maximum(m[inst.required], inst.capacities[inst.required])
    cost, w, d = inst.dense_costs(), inst.weights, inst.demand
    caps = inst.capacities if capacitated else None

    def assign(s):
        return best_assignment(cost, w, d, s, capacities=caps, min_loads=m)

    expected = brute_force(inst, range(1, inst.n_sites + 1), assign, fixed_costs=True)
    assert _solve_or_inf(model, inst) == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("backend", [b for b in CORE_BACKENDS if b != "highs"])
def test_backends_agree_with_highs(seed, backend):
    if backend not in erlocate.backends():
        pytest.skip(f"{backend} not installed")
    inst = _random(seed, n=30, m=10, capacitated=True)
    mins = _random_minimums(inst, seed, 4)
    models = [
        erlocate.PMedian(4, min_loads=mins),
        erlocate.PMedian(4, capacitated=True, min_loads=mins),
        erlocate.CFLP(min_loads=mins, fill_required=True),
        erlocate.UFLP(min_loads=mins),
    ]
    for model in models:
        reference = _solve_or_inf(model, inst, "highs")
        assert _solve_or_inf(model, inst, backend) == pytest.approx(reference, rel=1e-6), model
