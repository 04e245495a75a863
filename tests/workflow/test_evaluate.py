"""evaluate_plan: a fixed plan's objective, coverage and breaches, recomputed by hand."""

from __future__ import annotations

import numpy as np
import pytest

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.errors import InputError, VerificationError
from erlocate.result import Result
from erlocate.workflow import EvaluatedResult, evaluate_plan

INF = np.inf
EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))

# 5 points x 4 sites; weights 10, 20, 30, 40, 50
COST = np.array(
    [
        [1.0, 5.0, 9.0, 4.0],
        [2.0, 3.0, 8.0, 6.0],
        [7.0, 1.0, 2.0, 9.0],
        [9.0, 6.0, 1.0, 3.0],
        [8.0, 9.0, 4.0, 2.0],
    ]
)
W = np.array([10.0, 20.0, 30.0, 40.0, 50.0])


def small(cost=COST, **kw):
    return erlocate.Instance.from_matrix(
        cost,
        weights=W,
        demand_ids=[f"d{i}" for i in range(5)],
        site_ids=["A", "B", "C", "D"],
        **kw,
    )


def test_mclp_by_hand():
    # sites A, C within 2: d0 (A 1), d1 (A 2), d2 (C 2), d3 (C 1); d4 nearest C at 4
    r = evaluate_plan(erlocate.MCLP(p=2, max_cost=2.0), small(), ["A", "C"])
    assert isinstance(r, Result) and isinstance(r, EvaluatedResult)
    assert r.status == "evaluated" and r.bound is None and r.gap is None
    assert r.objective == 10 + 20 + 30 + 40
    assert r.covered_weight == 100 and r.coverage_share == pytest.approx(100 / 150)
    assert r.coverage["nearest_site"].tolist() == ["A", "A", "C", "C", "C"]
    assert r.coverage["covered"].tolist() == [True, True, True, True, False]
    assert r.breaches == () and r.feasible
    assert r.verify() is r
    assert "meets every rule" in r.summary()


def test_breaches_are_listed_and_verify_raises():
    inst = small(required=["B"])
    r = evaluate_plan(erlocate.MCLP(p=3, max_cost=2.0), inst, ["A", "C"])
    assert r.objective == 100  # computed all the same
    assert len(r.breaches) == 2
    assert any("required sites closed: ['B']" in b for b in r.breaches)
    assert any("2 sites open, expected 3" in b for b in r.breaches)
    assert not r.feasible
    with pytest.raises(VerificationError) as err:
        r.verify()
    assert set(err.value.breaches) == set(r.breaches)
    assert "fixed plan breaks 2 rules" in r.summary()


def test_pmedian_plan_on_a_changed_network():
    """Solved on one cost matrix, evaluated on the same ids with roads closed and slowed."""
    before = small()
    solved = erlocate.solve(erlocate.PMedian(2), before)
    assert solved.open_sites.tolist() == ["A", "C"]  # 10*1+20*2+30*2+40*1+50*4 = 350
    assert solved.objective == pytest.approx(350)
    after_cost = COST.copy()
    after_cost[1, 0] = INF  # d1 loses A: next open C at 8
    after_cost[4, 2] = 6.0  # d4 to C slows from 4 to 6
    r = evaluate_plan(erlocate.PMedian(2), small(after_cost), solved)
    assert r.open_sites.tolist() == ["A", "C"]
    assert r.objective == pytest.approx(10 * 1 + 20 * 8 + 30 * 2 + 40 * 1 + 50 * 6)
    assert r.assignment.set_index("demand_id")["site_id"].to_dict() == {
        "d0": "A", "d1": "C", "d2": "C", "d3": "C", "d4": "C"
    }  # fmt: skip
    assert r.feasible
    # the model's shortcut is the same evaluation
    same = erlocate.PMedian(2).evaluate_plan(small(after_cost), solved)
    assert same.objective == r.objective


def test_unreachable_point_is_a_breach():
    cost = COST.copy()
    cost[4, [0, 2]] = INF  # d4 reaches neither A nor C
    r = evaluate_plan(erlocate.PMedian(2), small(cost), ["A", "C"])
    assert r.objective == pytest.approx(10 + 40 + 60 + 40)  # d4 unallocated, cost 0
    assert len(r.breaches) == 1 and "d4" in r.breaches[0]
    assert "not allocated exactly once" in r.breaches[0]


def brute_coverage(cost: np.ndarray, w: np.ndarray, open_: np.ndarray, s: float) -> float:
    total = 0.0
    for i in range(cost.shape[0]):
        if any(cost[i, j] <= s for j in np.flatnonzero(open_)):
            total += w[i]
    return total


def test_random_plan_on_disrupted_copy_by_hand():
    a = random_euclidean(120, 15, seed=4)
    cost = a.dense_costs()
    rng = np.random.default_rng(9)
    closed = rng.random(cost.shape) < 0.2  # a fifth of the pairs cut
    slowed = np.where(closed, INF, cost * rng.uniform(1.0, 1.6, cost.shape))
    b = erlocate.Instance.from_matrix(
        slowed, weights=a.weights, demand_ids=a.demand_ids, site_ids=a.site_ids
    )
    model = erlocate.MCLP(p=4, max_cost=2500.0)
    solved = erlocate.solve(model, a)
    r = evaluate_plan(model, b, solved)
    open_ = b.site_ids.isin(solved.open_sites)
    assert r.objective == pytest.approx(brute_coverage(slowed, a.weights, open_, 2500.0))
    assert r.objective < solved.objective
    assert r.covered_weight == pytest.approx(r.objective)
    best = erlocate.solve(model, b)
    assert best.objective >= r.objective  # the plan is no better than b's optimum
    # p-median: each point's nearest open site on b, by hand
    pm = erlocate.PMedian(4)
    rp = evaluate_plan(pm, b, erlocate.solve(pm, a))
    sub = np.where(b.site_ids.isin(rp.open_sites)[None, :], slowed, INF).min(axis=1)
    assert np.isfinite(sub).all()
    assert rp.objective == pytest.approx(float(a.weights @ sub))


def test_capacitated_assignment_is_solved_with_the_sites_fixed():
    """CFLP with fixed sites equals the old workaround: an instance of those sites, all
    required (the assignment is an LP/MILP of its own, not the nearest sites)."""
    inst = random_euclidean(50, 10, seed=2, capacity_slack=2.5)
    sites = ["s1", "s4", "s6", "s8", "s9"]  # 5 x 0.25 = 1.25 of the demand
    r = evaluate_plan(erlocate.CFLP(), inst, sites)
    assert r.feasible and r.backend == "highs" and "solved" in r.termination
    keep = inst.site_ids.get_indexer(sites)
    old = erlocate.Instance.from_matrix(
        inst.dense_costs()[:, keep],
        weights=inst.weights,
        site_costs=inst.site_costs[keep],
        capacities=inst.capacities[keep],
        required=sites,
        demand_ids=inst.demand_ids,
        site_ids=sites,
    )
    assert r.objective == pytest.approx(erlocate.solve(erlocate.CFLP(), old).objective, rel=1e-9)
    loads = r.sites["load"]
    assert (loads <= inst.capacities + 1e-6).all()
    nearest = evaluate_plan(erlocate.UFLP(), inst, sites)
    assert r.objective > nearest.objective  # capacities bind: dearer than nearest


def test_capacitated_infeasible_plan_keeps_nearest_and_lists_capacities():
    inst = random_euclidean(50, 10, seed=2, capacity_slack=2.5)
    r = evaluate_plan(erlocate.CFLP(), inst, ["s1", "s4"])  # half the demand's capacity
    assert "infeasible" in r.termination and "nearest kept" in r.termination
    assert len(r.breaches) == 1 and r.breaches[0].startswith("capacity exceeded at 2 sites")
    assert r.objective == pytest.approx(
        evaluate_plan(erlocate.UFLP(), inst, ["s1", "s4"]).objective
    )


MODELS = [
    erlocate.MCLP(p=3, max_cost=2500.0),
    erlocate.MCLP(p=3, max_cost=2500.0, capacitated=True),
    erlocate.LSCP(max_cost=3500.0),
    erlocate.BackupCoverage(3, 3000.0),
    erlocate.PMedian(3),
    erlocate.PMedian(3, capacitated=True),
    erlocate.PCenter(3),
    erlocate.UFLP(),
    erlocate.CFLP(single_source=True),
    erlocate.MEXCLP(4, 3000.0, 0.3),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: repr(m)[:40])
def test_a_solved_plan_evaluates_to_its_objective(model):
    inst = random_euclidean(60, 10, seed=7, capacity_slack=4.0)
    solved = erlocate.solve(model, inst)
    r = model.evaluate_plan(inst, solved)
    assert r.open_sites.equals(solved.open_sites)
    assert r.feasible, r.breaches
    assert r.objective == pytest.approx(solved.objective, rel=1e-7, abs=1e-6)


def test_unit_plan_keeps_its_units_on_another_instance():
    a = random_euclidean(60, 10, seed=7)
    model = erlocate.MEXCLP(5, 2500.0, 0.4, max_units_per_site=3)
    solved = erlocate.solve(model, a)
    assert solved.sites["units"].max() >= 2  # some site holds two units
    cost = a.dense_costs() * 1.2
    b = erlocate.Instance.from_matrix(
        cost, weights=a.weights, demand_ids=a.demand_ids, site_ids=a.site_ids
    )
    r = evaluate_plan(model, b, solved)
    units = solved.sites["units"].to_numpy()
    n = ((cost <= 2500.0) * units[None, :]).sum(axis=1)
    assert r.objective == pytest.approx(float(a.weights @ (1 - 0.4**n)))
    assert r.sites["units"].tolist() == units.tolist()


def test_reassign_false_keeps_the_given_assignment():
    inst = small()
    plan = erlocate.Plan(
        np.array([True, False, True, False]),
        np.arange(5),
        np.array([2, 0, 2, 2, 2]),  # d0 sent to C at 9, d1 to A at 2
        np.ones(5),
    )
    kept = evaluate_plan(erlocate.PMedian(2), inst, plan, reassign=False)
    assert kept.objective == pytest.approx(10 * 9 + 20 * 2 + 30 * 2 + 40 * 1 + 50 * 4)
    assert kept.feasible  # not optimal, but breaks no rule
    moved = evaluate_plan(erlocate.PMedian(2), inst, plan)
    assert moved.objective == pytest.approx(350)
    other = erlocate.solve(erlocate.PMedian(2), random_euclidean(20, 4, seed=1))
    with pytest.raises(InputError, match="reassign=True"):
        evaluate_plan(erlocate.PMedian(2), inst, other, reassign=False)


def test_bad_plans_are_refused():
    inst = small()
    with pytest.raises(InputError, match=r"not sites of this instance: \['Z'\]"):
        evaluate_plan(erlocate.PMedian(2), inst, ["A", "Z"])
    with pytest.raises(InputError, match="repeated"):
        evaluate_plan(erlocate.PMedian(2), inst, ["A", "A"])
    with pytest.raises(InputError, match="open flags"):
        evaluate_plan(erlocate.PMedian(2), inst, erlocate.Plan(np.ones(3, bool), *EMPTY))
    with pytest.raises(InputError, match="expected a Result"):
        evaluate_plan(erlocate.PMedian(2), inst, "A")
    cut = erlocate.Instance.from_matrix(np.where(COST <= 5, COST, INF), cutoff=5.0)
    with pytest.raises(InputError, match="cut at"):
        evaluate_plan(erlocate.MCLP(2, max_cost=6.0), cut, [0, 2])


def test_boolean_mask_and_pdispersion():
    inst = small()
    sym = erlocate.Instance.from_matrix(
        np.array([[0, 3, 7], [3, 0, 5], [7, 5, 0]], float),
        site_ids=["x", "y", "z"],
        demand_ids=["x", "y", "z"],
    )
    r = evaluate_plan(erlocate.PDispersion(2), sym, np.array([True, False, True]))
    assert r.objective == 7.0 and r.feasible and len(r.assignment) == 0
    m = evaluate_plan(erlocate.MCLP(2, 2.0), inst, np.array([True, False, True, False]))
    assert m.objective == 100
    with pytest.raises(InputError, match="square"):
        evaluate_plan(erlocate.PDispersion(2), inst, ["A", "C"])


def test_infeasible_model_is_a_breach():
    inst = random_euclidean(50, 10, seed=2, capacity_slack=2.5)
    r = evaluate_plan(erlocate.PMedian(2, capacitated=True), inst, ["s1", "s4"])
    assert r.breaches[0].startswith("the model is infeasible on this instance: total capacity")
    assert any(b.startswith("capacity exceeded at 2 sites") for b in r.breaches)


# ---------------------------------------------------------------------- the district
@pytest.fixture(scope="module")
def district_pair():
    from erlocate.datasets import load_district
    from erlocate.geo import RoadNetwork

    d = load_district()
    net = RoadNetwork.from_geodataframe(d.roads, speed_column="speed_kmh", oneway_column="oneway")
    flooded = net.disrupt(d.hazards[d.hazards.kind == "flood_zone"])
    return [
        erlocate.Instance.from_geodataframes(
            d.communities,
            d.fire_stations,
            weight="population",
            network=n,
            required="existing",
            name=label,
        )
        for n, label in ((net, "normal"), (flooded, "flood"))
    ]


def test_district_plan_evaluated_on_the_flooded_roads(district_pair):
    """The issue's case: no rebuilding the instance with the plan as ``required``."""
    normal, flood = district_pair
    model = erlocate.MCLP(4, 4.0)
    solved = erlocate.solve(model, normal)
    assert solved.open_sites.tolist() == ["F01", "F06", "F13", "F17"]
    r = evaluate_plan(model, flood, solved)
    cost = flood.dense_costs()[:, flood.site_ids.isin(solved.open_sites)]
    by_hand = float(flood.weights[(cost <= 4.0).any(axis=1)].sum())
    assert r.objective == pytest.approx(by_hand) == pytest.approx(82513.0)
    assert r.feasible
    # equal to the flood's own optimum (tests/test_district_network.py): the plan holds
    assert r.objective == pytest.approx(erlocate.solve(model, flood).objective)
    lost = solved.coverage["covered"] & ~r.coverage["covered"]
    assert lost[lost].index.tolist() == ["C065", "C089", "C098"]


def test_district_pmedian_plan_cut_off_by_the_flood(district_pair):
    normal, flood = district_pair
    solved = erlocate.solve(erlocate.PMedian(4), normal)
    r = evaluate_plan(erlocate.PMedian(4), flood, solved)
    cost = flood.dense_costs()[:, flood.site_ids.isin(solved.open_sites)]
    cut = ~np.isfinite(cost).any(axis=1)
    assert flood.demand_ids[cut].tolist() == [
        "C005", "C014", "C024", "C032", "C034", "C097", "C099", "C103"
    ]  # fmt: skip
    best = np.where(cut, 0.0, np.min(cost, axis=1))
    assert r.objective == pytest.approx(float(flood.weights @ best))
    assert len(r.breaches) == 1 and "8 demand points not allocated" in r.breaches[0]


def test_fire_stations_plan_on_the_flooded_roads():
    from erlocate.district.cases import fire_station_case

    model, normal = fire_station_case()
    model_f, flood = fire_station_case(scenario="flood")
    solved = erlocate.solve(model, normal)
    same = evaluate_plan(model, normal, solved)
    assert same.feasible and same.objective == pytest.approx(solved.objective)
    assert "open, type fixed" in same.termination
    r = evaluate_plan(model_f, flood, solved)
    assert r.open_sites.equals(solved.open_sites)
    assert "no assignment meets every rule" in r.termination
    unreachable = [b for b in r.breaches if "allocations to unreachable sites" in b]
    assert unreachable and unreachable[0].startswith("11 allocations")
    with pytest.raises(InputError, match="same sites and demand points"):
        evaluate_plan(model, normal, solved.open_sites.tolist())


@pytest.mark.parametrize("case", ["shelters", "teams"])
def test_planning_plans_evaluate_to_their_objective(case):
    """The MILP route fixes the design blocks (open; station for teams) and re-solves the
    rest: on the plan's own instance it finds the solved objective again."""
    from erlocate.district.cases import shelter_case, team_case

    model, inst = shelter_case() if case == "shelters" else team_case(recruit=True)
    solved = erlocate.solve(model, inst)
    r = evaluate_plan(model, inst, solved)
    fixed = "open fixed" if case == "shelters" else "station fixed"
    assert fixed in r.termination and r.feasible
    assert r.objective == pytest.approx(solved.objective, rel=1e-9)
    assert r.report().keys() == solved.report().keys()
