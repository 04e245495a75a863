"""Robust MCLP / LSCP over scenarios: enumeration, hand cases, regret table, backends, errors.

The oracle reads each scenario's dense cost matrix as a DataFrame labelled by
its own site ids and counts coverage by label: it shares no code with the
builder or with :func:`erlocate.models.robust_scenarios.covered_weights`.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate import LSCP, MCLP
from erlocate.errors import InfeasibleError, InputError
from erlocate.models.robust import RobustMCLP
from erlocate.models.robust_lscp import RobustLSCP
from erlocate.models.robust_regret import regret_table
from erlocate.models.robust_scenarios import Scenarios

SITES = list("ABCDEFG")


# ----------------------------------------------------------------------------- oracle
def oracle(sc: Scenarios, open_ids, max_cost: float, relative: bool = False) -> np.ndarray:
    """Per scenario, the weight (share) within max_cost of an open, available site."""
    out = []
    for name, inst in sc.items():
        dense = pd.DataFrame(inst.dense_costs(), columns=list(inst.site_ids))
        usable = [s for s in open_ids if s in dense.columns and s not in sc.lost.get(name, [])]
        covered = (dense[usable] <= max_cost).any(axis=1).to_numpy()
        value = float(inst.weights[covered].sum())
        out.append(value / float(inst.weights.sum()) if relative else value)
    return np.array(out)


def best_by_enumeration(sc, p, max_cost, objective, relative=False, required=()):
    """The best worst-case / expected value over every p-subset holding the required sites."""
    best, plans = -np.inf, []
    for comb in combinations(list(sc.site_ids), p):
        if not set(required) <= set(comb):
            continue
        vals = oracle(sc, comb, max_cost, relative)
        v = vals.min() if objective == "worst" else float(sc.probabilities @ vals)
        if v > best + 1e-9:
            best, plans = v, [set(comb)]
        elif abs(v - best) <= 1e-9:
            plans.append(set(comb))
    return best, plans


def random_scenarios(seed: int, n: int = 14, m: int = 7, k: int = 3) -> Scenarios:
    """k scenarios on one town: slower or closed roads, surging weights, lost sites, a
    scenario whose instance lacks a site and one that lost demand points."""
    rng = np.random.default_rng(seed)
    pts, sites = rng.random((n, 2)), rng.random((m, 2))
    base = np.round(10 * np.linalg.norm(pts[:, None] - sites[None], axis=2), 1)
    weights = rng.integers(1, 20, n)
    insts, lost = {}, {}
    for s in range(k):
        cost = base * (1 if s == 0 else rng.choice([1.0, 1.0, 1.5, 3.0], (n, m)))
        if s:
            cost[rng.random((n, m)) < 0.25] = np.inf
        w = weights if s == 0 else weights * rng.choice([1, 1, 3], n)
        inst = erlocate.Instance.from_matrix(cost, weights=w, site_ids=SITES[:m], name=f"s{s}")
        if s == 1:  # a scenario that lacks one site altogether, and lost a demand point
            keep = [j for j in range(m) if j != 2]
            inst = erlocate.Instance.from_matrix(
                cost[:, keep], weights=w, site_ids=[SITES[j] for j in keep]
            ).drop_demand([0])
        if s == 2:
            lost[f"s{s}"] = [SITES[int(rng.integers(m))]]
        insts[f"s{s}"] = inst
    probs = rng.dirichlet(np.ones(k))
    probs[-1] = 1 - probs[:-1].sum()
    return Scenarios(insts, probabilities=probs, lost=lost)


# ----------------------------------------------------------------------------- enumeration
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("objective", ["worst", "expected"])
@pytest.mark.parametrize("relative", [False, True])
def test_milp_matches_enumeration(seed, objective, relative):
    sc = random_scenarios(seed)
    p, S = 2 + seed % 2, 3.0
    model = RobustMCLP(p, S, sc, objective=objective, relative=relative)
    res = erlocate.solve(model, sc.reference)
    best, plans = best_by_enumeration(sc, p, S, objective, relative)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(best, rel=1e-6)  # the solver's, within its tolerance
    assert model.evaluate(sc.reference, res.plan) == pytest.approx(best, abs=1e-12)
    assert set(res.open_sites) in plans
    vals = oracle(sc, list(res.open_sites), S, relative)
    assert model.values_table(sc.reference, res.plan).to_numpy() == pytest.approx(vals)


def test_required_sites_stay_open_and_count():
    sc = random_scenarios(3)
    req = [SITES[4]]
    insts = {
        name: erlocate.Instance.from_matrix(
            pd.DataFrame(inst.dense_costs(), index=inst.demand_ids, columns=inst.site_ids),
            weights=inst.weights,
            required=[s for s in req if s in inst.site_ids],
        )
        for name, inst in sc.items()
    }
    sc2 = Scenarios(insts, probabilities=sc.probabilities, lost=sc.lost)
    res = erlocate.solve(RobustMCLP(3, 3.0, sc2), sc2.reference)
    best, plans = best_by_enumeration(sc2, 3, 3.0, "worst", required=req)
    assert SITES[4] in set(res.open_sites) and set(res.open_sites) in plans
    assert res.objective == pytest.approx(best)


def test_one_scenario_is_the_plain_mclp():
    for seed in range(4):
        sc = random_scenarios(seed)
        inst = sc["s2"]
        alone = Scenarios({"s2": inst})
        robust = erlocate.solve(RobustMCLP(2, 3.0, alone, objective="worst"), inst)
        plain = erlocate.solve(MCLP(2, 3.0), inst)
        assert robust.objective == pytest.approx(plain.objective)


# ----------------------------------------------------------------------------- hand case
def surge_case() -> Scenarios:
    """Three points, each reached only by its own site (A, B, C), within 2 min.

    normal: weights 10, 2, 6 -> best site A (10); surge: 2, 10, 6 -> best site B (10).
    Worst case: A 2, B 2, C 6 -> C, the optimum of neither scenario.
    """
    cost = np.array([[1.0, 9, 9], [9, 1.0, 9], [9, 9, 1.0]])
    normal = erlocate.Instance.from_matrix(cost, weights=[10, 2, 6], site_ids=list("ABC"))
    surge = erlocate.Instance.from_matrix(cost, weights=[2, 10, 6], site_ids=list("ABC"))
    return Scenarios({"normal": normal, "surge": surge}, probabilities=[0.6, 0.4])


def test_robust_plan_differs_from_every_scenario_optimum():
    sc = surge_case()
    worst = erlocate.solve(RobustMCLP(1, 2.0, sc), sc.reference)
    assert list(worst.open_sites) == ["C"] and worst.objective == pytest.approx(6.0)
    for name, site in (("normal", "A"), ("surge", "B")):
        own = erlocate.solve(MCLP(1, 2.0), sc[name])
        assert list(own.open_sites) == [site] and own.objective == pytest.approx(10.0)
    # expected: A 0.6*10 + 0.4*2 = 6.8, B 5.2, C 6
    expected = erlocate.solve(RobustMCLP(1, 2.0, sc, objective="expected"), sc.reference)
    assert list(expected.open_sites) == ["A"] and expected.objective == pytest.approx(6.8)
    # shares: A min(10/18, 2/18); C 6/18 in both
    rel = erlocate.solve(RobustMCLP(1, 2.0, sc, relative=True), sc.reference)
    assert list(rel.open_sites) == ["C"] and rel.objective == pytest.approx(6 / 18)
    assert rel.report()["scenarios"]["value"].tolist() == pytest.approx([6 / 18, 6 / 18])


def test_regret_table_hand_case():
    sc = surge_case()
    res = erlocate.solve(RobustMCLP(1, 2.0, sc), sc.reference)
    rt = regret_table(res)
    t = rt.table
    assert t["optimum"].tolist() == [10.0, 10.0]
    assert t["robust"].tolist() == [6.0, 6.0]
    assert t["regret"].tolist() == [4.0, 4.0]
    assert t["relative_regret"].tolist() == pytest.approx([0.4, 0.4])
    assert t["probability"].tolist() == [0.6, 0.4]
    assert (t["status"] == "optimal").all()
    assert rt.matrix.to_numpy().tolist() == [[6.0, 10.0, 2.0], [6.0, 2.0, 10.0]]
    assert rt.summary["worst"].tolist() == [6.0, 2.0, 2.0]
    assert rt.summary["max_regret"].tolist() == [4.0, 8.0, 8.0]
    assert rt.summary["expected"].tolist() == pytest.approx([6.0, 6.8, 5.2])
    assert rt.summary["sites"].tolist() == [["C"], ["A"], ["B"]]


@pytest.mark.parametrize("seed", range(3))
def test_regret_table_recomputed_independently(seed):
    sc = random_scenarios(seed + 10)
    S, p = 3.0, 2
    res = erlocate.solve(RobustMCLP(p, S, sc, objective="expected"), sc.reference)
    rt = regret_table(res)
    robust_vals = oracle(sc, list(res.open_sites), S)
    for k, name in enumerate(sc.names):
        alone = Scenarios(
            {name: sc[name]},
            lost={name: sc.lost[name]} if name in sc.lost else None,
            sites=sc.site_ids,
        )
        own, _ = best_by_enumeration(alone, p, S, "expected")
        row = rt.table.loc[name]
        assert row["optimum"] == pytest.approx(own)
        assert row["robust"] == pytest.approx(robust_vals[k])
        assert row["regret"] == pytest.approx(own - robust_vals[k])
        for plan in sc.names:  # every scenario-optimal plan, in every scenario
            vals = oracle(sc, list(rt.plans[plan]), S)
            assert rt.matrix.loc[name, plan] == pytest.approx(vals[k])
    assert (rt.table["regret"] >= -1e-9).all()
    assert rt.summary.loc["robust", "expected"] == pytest.approx(res.objective)
    assert rt.summary.loc["robust", "expected"] >= rt.summary["expected"].max() - 1e-9


# ----------------------------------------------------------------------------- site loss, closures
def test_lost_site_serves_nobody_and_missing_equals_lost():
    cost = np.array([[1.0, 5, 9], [5, 1.0, 9], [9, 9, 1.0], [1.0, 9, 9]])
    inst = erlocate.Instance.from_matrix(cost, weights=[4, 3, 2, 4], site_ids=list("ABC"))
    # quake: site A collapses. Given as lost=..., or as an instance without A: the same
    without_a = erlocate.Instance.from_matrix(
        cost[:, 1:], weights=[4, 3, 2, 4], site_ids=["B", "C"]
    )
    by_list = Scenarios({"normal": inst, "quake": inst}, lost={"quake": ["A"]})
    by_missing = Scenarios({"normal": inst, "quake": without_a})
    for sc in (by_list, by_missing):
        # p=1: A covers 8 normally, 0 in the quake; B covers 3 (+ 0), C 2: worst-case B (3)
        res = erlocate.solve(RobustMCLP(1, 2.0, sc), sc.reference)
        assert list(res.open_sites) == ["B"] and res.objective == pytest.approx(3.0)
        # an A-plan's value in the quake is 0 although A is open
        model = RobustMCLP(1, 2.0, sc)
        a = np.array([True, False, False])[:, None]
        assert model.scenario_values(inst, a)[:, 0].tolist() == [8.0, 0.0]
        assert sc.available("quake").tolist() == [False, True, True]


def test_road_closure_makes_pairs_unreachable():
    cost = np.array([[1.0, 3.0], [1.0, 3.0], [4.0, 1.0]])
    closed = cost.copy()
    closed[:2, 0] = np.inf  # the bridge to A is closed: A reaches nobody from points 0, 1
    normal = erlocate.Instance.from_matrix(cost, weights=[5, 5, 4], site_ids=["A", "B"])
    flood = erlocate.Instance.from_matrix(closed, weights=[5, 5, 4], site_ids=["A", "B"])
    sc = Scenarios({"normal": normal, "flood": flood})
    # S = 2: A covers 10 normally, 0 in the flood; B covers 4 in both
    worst = erlocate.solve(RobustMCLP(1, 2.0, sc), normal)
    assert list(worst.open_sites) == ["B"] and worst.objective == pytest.approx(4.0)
    # expected (equally likely): A 5, B 4
    expected = erlocate.solve(RobustMCLP(1, 2.0, sc, objective="expected"), normal)
    assert list(expected.open_sites) == ["A"] and expected.objective == pytest.approx(5.0)
    # S = 3: B covers all 14 in both scenarios (3.0 <= 3)
    assert erlocate.solve(RobustMCLP(1, 3.0, sc), normal).objective == pytest.approx(14.0)


# ----------------------------------------------------------------------------- LSCP
def lscp_oracle(sc: Scenarios, S: float, cost_of) -> tuple[float, list[set]]:
    best, plans = np.inf, []
    for r in range(1, len(sc.site_ids) + 1):
        for comb in combinations(list(sc.site_ids), r):
            if all(
                v == float(inst.weights.sum())
                for v, inst in zip(oracle(sc, comb, S), sc.instances, strict=True)
            ):
                c = sum(cost_of[s] for s in comb)
                if c < best - 1e-9:
                    best, plans = c, [set(comb)]
                elif abs(c - best) <= 1e-9:
                    plans.append(set(comb))
    return best, plans


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("S", [6.0, 8.0, 10.0])  # 6: every seed infeasible; 10: all feasible
def test_robust_lscp_matches_enumeration(seed, S):
    sc = random_scenarios(seed + 20)
    rng = np.random.default_rng(seed)
    f = dict(zip(SITES, rng.integers(1, 9, 7).astype(float), strict=True))
    ref = sc.reference
    frame = erlocate.Instance.from_matrix(
        ref.dense_costs(), weights=ref.weights, site_ids=SITES, site_costs=list(f.values())
    )
    insts = {name: inst for name, inst in sc.items()}
    insts["s0"] = frame
    sc = Scenarios(insts, probabilities=sc.probabilities, lost=sc.lost)
    best, plans = lscp_oracle(sc, S, f)
    model = RobustLSCP(S, sc)
    if not np.isfinite(best):
        with pytest.raises(InfeasibleError, match="in scenario"):
            erlocate.solve(model, frame)
        return
    res = erlocate.solve(model, frame)
    assert res.objective == pytest.approx(best)
    assert set(res.open_sites) in plans


def test_robust_lscp_one_scenario_is_lscp_and_regret():
    cost = np.array([[1.0, 9, 9], [1.0, 1.0, 9], [9, 9, 1.0]])
    normal = erlocate.Instance.from_matrix(cost, site_ids=list("ABC"))
    closed = cost.copy()
    closed[0, 0] = np.inf
    closed[0, 1] = 1.0  # point 0 now only from B
    flood = erlocate.Instance.from_matrix(closed, site_ids=list("ABC"))
    sc = Scenarios({"normal": normal, "flood": flood})
    assert erlocate.solve(RobustLSCP(2.0, {"n": normal}), normal).objective == pytest.approx(
        erlocate.solve(LSCP(2.0), normal).objective
    )
    res = erlocate.solve(RobustLSCP(2.0, sc), normal)
    # normal: point 0 only from A -> A + C; flood: only from B -> B + C; both: A + B + C
    assert set(res.open_sites) == {"A", "B", "C"} and res.objective == 3.0
    rt = regret_table(res)
    assert rt.table["optimum"].tolist() == [2.0, 2.0] and rt.table["regret"].tolist() == [1, 1]
    # each scenario's own plan leaves point 0 of the other uncovered: inf there
    assert rt.matrix.to_numpy().tolist() == [[3.0, 2.0, np.inf], [3.0, np.inf, 2.0]]


def test_robust_lscp_infeasible_names_scenario_and_points():
    cost = np.array([[1.0, 9], [9, 1.0]])
    normal = erlocate.Instance.from_matrix(cost, site_ids=["A", "B"], demand_ids=["x", "y"])
    sc = Scenarios({"normal": normal, "quake": normal}, lost={"quake": ["B"]})
    with pytest.raises(InfeasibleError, match=r"scenario 'quake', 1 demand points.*\['y'\]"):
        erlocate.solve(RobustLSCP(2.0, sc), normal)


# ----------------------------------------------------------------------------- backends
@pytest.mark.parametrize("backend", ["cbc", "scip"])
def test_backends_agree(backend):
    if backend not in erlocate.backends():
        pytest.skip(f"{backend} not installed")
    for seed in range(3):
        sc = random_scenarios(seed + 31)  # seed 30 leaves a point of s2 unreachable
        for objective in ("worst", "expected"):
            model = RobustMCLP(3, 3.0, sc, objective=objective)
            a = erlocate.solve(model, sc.reference, "highs")
            b = erlocate.solve(model, sc.reference, backend)
            assert b.status == "optimal" and b.objective == pytest.approx(a.objective)
        a = erlocate.solve(RobustLSCP(12.0, sc), sc.reference, "highs")
        b = erlocate.solve(RobustLSCP(12.0, sc), sc.reference, backend)
        assert b.objective == pytest.approx(a.objective)


def test_warm_start_and_verify_recompute_from_scenarios():
    sc = random_scenarios(2)
    model = RobustMCLP(2, 3.0, sc)
    res = erlocate.solve(model, sc.reference)
    again = erlocate.solve(model, sc.reference, warm_start=res)
    assert again.objective == pytest.approx(res.objective)
    milp = model.build(sc.reference)
    x = model.encode(sc.reference, milp, res.plan)
    act = milp.A @ x
    assert (act >= milp.row_lb - 1e-9).all() and (act <= milp.row_ub + 1e-9).all()
    assert milp.objective_value(x) == pytest.approx(res.objective)
    bad = erlocate.Plan(np.ones(7, bool), np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    assert model.check(sc.reference, bad) == ["7 sites open, expected 2"]


# ----------------------------------------------------------------------------- bad inputs
def test_bad_inputs_name_the_field():
    a = erlocate.Instance.from_matrix(np.ones((2, 2)), site_ids=["A", "B"])
    other = erlocate.Instance.from_matrix(np.ones((2, 2)), site_ids=["A", "Z"])
    with pytest.raises(InputError, match=r"scenario 'flood' has site ids \['Z'\]") as e:
        Scenarios({"normal": a, "flood": other})
    assert e.value.field == "scenarios"
    cases = [
        (dict(probabilities=[0.5, 0.4]), "probabilities", "sum to 0.9"),
        (dict(probabilities=[0.5, 0.5, 0.0]), "probabilities", "expected 2 real"),
        (dict(probabilities={"normal": 1.0, "fire": 0.0}), "probabilities", "unknown"),
        (dict(probabilities=[1.5, -0.5]), "probabilities", ">= 0"),
        (dict(probabilities=["a", "b"]), "probabilities", "real numbers"),
        (dict(lost={"fire": ["A"]}), "lost", "not a scenario"),
        (dict(lost={"flood": ["Q"]}), "lost", "not candidate"),
    ]
    for kwargs, field, text in cases:
        with pytest.raises(InputError, match=text) as e:
            Scenarios({"normal": a, "flood": a}, **kwargs)
        assert e.value.field == field
    for bad, field in (({}, "scenarios"), ({"x": np.ones(2)}, "scenarios"), ({"": a}, "scenarios")):
        with pytest.raises(InputError) as e:
            RobustMCLP(1, 1.0, bad)
        assert e.value.field == field
    with pytest.raises(InputError) as e:
        RobustMCLP(1, 1.0, {"n": a}, objective="best")
    assert e.value.field == "objective"
    with pytest.raises(InputError) as e:
        RobustMCLP(1, 1.0, {"n": a}, relative="yes")
    assert e.value.field == "relative"
    with pytest.raises(InputError) as e:
        erlocate.solve(RobustMCLP(1, 1.0, {"n": a}), other)
    assert e.value.field == "instance" and "'Z'" in str(e.value)
    cut = erlocate.Instance.from_matrix(np.ones((2, 2)), site_ids=["A", "B"], cutoff=1.0)
    with pytest.raises(InputError, match="scenario 'cut'") as e:
        erlocate.solve(RobustMCLP(1, 2.0, {"n": a, "cut": cut}), a)
    assert e.value.field == "max_cost"
    req = erlocate.Instance.from_matrix(np.ones((2, 2)), site_ids=["A", "B"], required=["B"])
    with pytest.raises(InputError, match="scenario 'req'") as e:
        erlocate.solve(RobustMCLP(1, 2.0, {"n": a, "req": req}), a)
    assert e.value.field == "required"
    with pytest.raises(InputError) as e:
        regret_table(erlocate.solve(MCLP(1, 1.0), a))
    assert e.value.field == "robust"


# ----------------------------------------------------------------------------- the district
def test_district_flood_and_quake_regret():
    """The embedded district on its road network: normal, flooded roads closed
    (``RoadNetwork.disrupt``), and a quake that takes station F06."""
    from erlocate.datasets import load_district
    from erlocate.district.cases import fire_station_case

    d = load_district()
    _, normal = fire_station_case(d)
    _, flood = fire_station_case(d, scenario="flood")
    assert flood.n_pairs < normal.n_pairs  # closures cut pairs
    sc = Scenarios(
        {"normal": normal, "flood": flood, "quake": normal},
        lost={"quake": ["F06"]},
        probabilities=[0.6, 0.25, 0.15],
    )
    model = RobustMCLP(3, 4.0, sc)
    res = erlocate.solve(model, normal)
    rt = regret_table(res)
    for name in sc.names:  # each own optimum: the plain MCLP on the scenario without lost sites
        plain = erlocate.solve(MCLP(3, 4.0), sc.effective(name))
        assert rt.table.loc[name, "optimum"] == pytest.approx(plain.objective)
    vals = oracle(sc, list(res.open_sites), 4.0)
    assert rt.table["robust"].to_numpy() == pytest.approx(vals)
    assert res.objective == pytest.approx(vals.min(), rel=1e-6)
    # the robust plan has the best worst case of all the plans in the table
    assert rt.summary.loc["robust", "worst"] >= rt.summary["worst"].max() - 1e-6
    # the figures docs/models.md quotes
    assert set(res.open_sites) == {"F01", "F08", "F13"}
    assert rt.table["optimum"].tolist() == [160170.5, 151857.5, 151808.0]
    assert rt.table["regret"].tolist() == pytest.approx([8362.5, 8362.5, 0.0])
    assert rt.matrix.loc["quake", "normal"] == pytest.approx(122278.0)
    assert rt.summary.loc["normal", "max_regret"] == pytest.approx(29530.0)
