"""Depots: hand-solved optima, agreement across backends, bad inputs, infeasibility, verification."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import erlocate
from erlocate.errors import InfeasibleError, InputError, VerificationError
from erlocate.planning.depots import DepotPlan, Depots, exclusion_zones, material_categories

# ---------------------------------------------------------------------- the hand instance
# Communities A, B, C; sites D (district), S1 and S2 (sub-district, both in unit u1; S2 lies in
# a flood zone). Travel hours:          D   S1  S2      handling: D 2 h, S1/S2 1 h; relief 10 h
#                                   A   3   1   1      -> D cannot serve C (9 + 2 = 11 > 10)
#                                   B   4   2   1
#                                   C   9   3   1
# Categories: food (2 per person, 1 m³, holding 1), tents (1 per person, 2 m³, holding 5;
# 2 per person in the quake). Affected: flood A 10, C 5; quake A 4, B 8.
#   food need:  flood 20 + 10 = 30, quake 8 + 16 = 24   -> peak flood 30
#   tents need: flood 10 + 5 = 15,  quake 8 + 16 = 24   -> peak quake 24
# Supplier L: tents, 10 units, retainer 2, delivery 1 per unit, lead time 6 h (reaches all).
# Rules: >= 1 district depot; exactly one sub-district depot in u1 -> D and S1 open
# (S2 excluded), fixed 100 + 20 = 120. transport_rate 0, equal scenario weights.
# Food: stock 30 (flood), holding 30.
# Tents: stock T, reserve R = 24 - T <= 10; cost 5 T + 2 R + 0.5 (24 - T) + 0.5 max(0, 15 - T):
#   T = 14: 70 + 20 + 5 + 0.5 = 95.5; each extra unit of stock costs 5 - 2 - 0.5 - 0.5 = +2.
# Optimum 120 + 30 + 95.5 = 245.5.
HOURS = pd.DataFrame(
    [[3, 1, 1], [4, 2, 1], [9, 3, 1]], index=list("ABC"), columns=["D", "S1", "S2"], dtype=float
)
CATS = pd.DataFrame(
    {"per_person": [2.0, 1.0], "space_per_unit": [1.0, 2.0], "holding_cost": [1.0, 5.0]},
    index=["food", "tents"],
)
AFFECTED = pd.DataFrame({"flood": [10, 0, 5], "quake": [4, 8, 0]}, index=list("ABC"), dtype=float)
CONTRACT = pd.DataFrame(
    {
        "supplier": ["L"],
        "category": ["tents"],
        "capacity": [10.0],
        "retainer": [2.0],
        "delivery_cost": [1.0],
        "lead_time": [6.0],
    }
)


def hand_instance() -> erlocate.Instance:
    return erlocate.Instance.from_matrix(HOURS, capacities=[100, 30, 30], site_costs=[100, 20, 0])


def hand_model(**kw) -> Depots:
    args = dict(
        affected=AFFECTED,
        categories=CATS,
        needs=pd.DataFrame({"quake": {"tents": 2.0}}),
        site_tier=["district", "subdistrict", "subdistrict"],
        unit=["u0", "u1", "u1"],
        units_requiring=["u1"],
        excluded=[False, False, True],
        exclusion_reason=["", "", "inside flood zone"],
        cost_unit="hours",
        contracts=CONTRACT,
        transport_rate=0.0,
    )
    args.update(kw)
    return Depots(**args)


def test_hand_optimum_peak_scenario_and_contract(backend):
    inst = hand_instance()
    res = erlocate.solve(hand_model(), inst, backend)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(245.5)
    plan = res.plan
    assert isinstance(plan, DepotPlan)
    assert res.open_sites.tolist() == ["D", "S1"]
    np.testing.assert_allclose(plan.stock.sum(axis=0), [30, 14])  # food: flood 30; tents: 24 - 10
    np.testing.assert_allclose(plan.reserve, [10])
    rep = res.report()
    cats = rep["categories"]
    assert cats.loc["food", "binding_scenario"] == "flood"
    assert cats.loc["tents", "binding_scenario"] == "quake"
    assert cats.loc["tents", "peak_need"] == 24
    assert rep["balance"]["unmet"].abs().max() < 1e-6
    assert rep["depots"].loc["S2", "status"] == "excluded"
    assert rep["depots"].loc["S2", "exclusion_reason"] == "inside flood zone"
    used = rep["contracts"].loc[0, ["used[flood]", "used[quake]"]].to_numpy(float)
    np.testing.assert_allclose(used, [1, 10])  # flood: 15 tents - 14 stock
    assert rep["summary"].loc["objective", "value"] == pytest.approx(245.5)
    assert set(rep["stock"].index) == {"D", "S1"}


def test_without_contract_stock_meets_each_peak(backend):
    # tents stock 24 (quake peak) at holding 5: 120 + 30 + 120 = 270 > 245.5 with the contract
    res = erlocate.solve(hand_model(contracts=None), hand_instance(), backend)
    assert res.objective == pytest.approx(270.0)
    np.testing.assert_allclose(res.plan.stock.sum(axis=0), [30, 24])


def test_exclusion_costs_the_cheaper_site():
    # without the flood-zone exclusion S2 (fixed 0) replaces S1 (fixed 20): 245.5 - 20
    res = erlocate.solve(hand_model(excluded=None), hand_instance())
    assert res.objective == pytest.approx(225.5)
    assert res.open_sites.tolist() == ["D", "S2"]


# ---------------------------------------------------------------------- transport costs
# Communities P, Q; sites D (district, uncapacitated) and S (sub-district, 5 m³); handling 0.
# Hours: P: D 1, S 2; Q: D 3, S 1. One category (1 per person, 1 m³, holding 1), rate 1 per m³·h.
# s1: P 10; s2: Q 10. Stock d at D, e <= 5 at S, d + e >= 10.
#  expected: d + e + ½[(20 - d) + (30 - 2e)] -> d = e = 5: 10 + ½(15 + 20) = 27.5
#  worst:    d + e + max(20 - d, 30 - 2e)    -> d = e = 5: 10 + max(15, 20)   = 30
def transport_case(mode: str) -> tuple[erlocate.Instance, Depots]:
    inst = erlocate.Instance.from_matrix([[1.0, 2.0], [3.0, 1.0]], site_ids=["D", "S"])
    model = Depots(
        affected={"s1": [10.0, 0.0], "s2": [0.0, 10.0]},
        categories=pd.DataFrame(
            {"per_person": [1.0], "space_per_unit": [1.0], "holding_cost": [1.0]}, index=["kit"]
        ),
        site_tier=["district", "subdistrict"],
        capacity=[np.inf, 5.0],
        fixed_cost=0.0,
        handling_time=0.0,
        units_requiring=None,
        cost_unit="hours",
        transport_rate=1.0,
        transport=mode,
    )
    return inst, model


@pytest.mark.parametrize(("mode", "value"), [("expected", 27.5), ("worst", 30.0)])
def test_transport_hand(backend, mode, value):
    inst, model = transport_case(mode)
    res = erlocate.solve(model, inst, backend)
    assert res.objective == pytest.approx(value)
    np.testing.assert_allclose(res.plan.stock[:, 0], [5, 5])


# ---------------------------------------------------------------------- agreement
def random_case(seed: int, rate: float, aggregate: bool = True) -> tuple:
    rng = np.random.default_rng(seed)
    n, m = 14, 7
    cost = np.round(rng.random((n, m)) * 300, 1)  # minutes
    cost[rng.random((n, m)) < 0.2] = np.inf
    cost[:, 0] = np.round(rng.random(n) * 100)  # the district candidate reaches everyone
    inst = erlocate.Instance.from_matrix(cost, name=f"depots{seed}")
    cats = material_categories().iloc[[0, 4, 7, 12]]
    pop = rng.integers(50, 500, n).astype(float)
    affected = pd.DataFrame(
        {
            "flood": np.where(rng.random(n) < 0.5, 0.3 * pop, 0.0),
            "quake": 0.1 * pop,
            "hazchem": np.where(rng.random(n) < 0.3, 0.5 * pop, 0.0),
        }
    )
    contracts = pd.DataFrame(
        {
            "supplier": ["A", "B"],
            "category": ["food_lodging", "protective"],
            "capacity": [300.0, 50.0],
            "retainer": [2.0, 0.5],
            "delivery_cost": [3.0, 1.0],
            "lead_time": [6.0, 9.0],
        }
    )
    model = Depots(
        affected=affected,
        categories=cats,
        site_tier=["district", "district"] + ["subdistrict"] * 3 + ["community"] * 2,
        unit=["u1", "u2", "u1", "u2", "u2", "u1", "u2"],
        capacity=[200, 200, 40, 40, 40, 5, 5],
        handling_time=[2, 2, 1, 1, 1, 0.5, 0.5],
        relief_time=6.0,
        contracts=contracts,
        scenario_costs={"flood": cost * 1.5},
        transport_rate=rate,
        aggregate=aggregate,
    )
    return inst, model


def test_backends_agree_with_transport(backend):
    inst, model = random_case(3, rate=10.0)
    ref = erlocate.solve(model, inst, "highs")
    res = erlocate.solve(model, inst, backend)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(ref.objective, rel=1e-6)


def test_aggregation_is_exact(backend):
    inst, model = random_case(5, rate=0.0)
    _, plain = random_case(5, rate=0.0, aggregate=False)
    small, full = model.build(inst), plain.build(inst)
    assert small.n_cols < full.n_cols
    a = erlocate.solve(model, inst, backend)
    b = erlocate.solve(plain, inst, "highs")
    assert a.objective == pytest.approx(b.objective, rel=1e-7)


def test_encode_round_trip_and_warm_start():
    for rate in (10.0, 0.0):
        inst, model = random_case(7, rate=rate)
        res = erlocate.solve(model, inst)
        milp = model.build(inst)
        x = model.encode(inst, milp, res.plan)
        assert milp.max_violation(x) < 1e-6
        assert milp.objective_value(x) == pytest.approx(res.objective, rel=1e-9)
        again = erlocate.solve(model, inst, warm_start=res)
        assert again.objective == pytest.approx(res.objective, rel=1e-7)


def test_no_one_affected_decodes_an_empty_plan():
    # no need in any scenario: only the rules' depots open (D and S1: 120), nothing shipped
    res = erlocate.solve(hand_model(affected=AFFECTED * 0), hand_instance())
    assert res.objective == pytest.approx(120.0)
    assert len(res.plan.depot_flows) == 0 and len(res.plan.contract_flows) == 0
    assert res.plan.share.dtype == float and res.plan.share.size == 0
    assert res.report()["summary"].loc["unmet need (units, all scenarios)", "value"] == 0


def test_integer_stock_and_degraded_network():
    inst = hand_instance()
    half = AFFECTED * 0.25  # food flood 5 + 2.5 = 7.5 -> 8 whole units
    res = erlocate.solve(hand_model(affected=half, integer_stock=True, contracts=None), inst)
    assert np.allclose(res.plan.stock, np.round(res.plan.stock))
    np.testing.assert_allclose(res.plan.stock.sum(axis=0), [8, 6])  # tents quake 2 + 4 = 6
    # flood cuts S1 -> C: C becomes unreachable in the flood
    cut = HOURS.copy()
    cut.loc["C", "S1"] = np.inf
    with pytest.raises(
        InfeasibleError,
        match=r"scenario 'flood': 1 affected .*'C' \(nearest usable depot 11 h, contracts 6 h\); "
        r"categories \['food'\]",
    ):
        erlocate.solve(hand_model(scenario_costs={"flood": cut}), inst)


def test_supplier_travel_limits_contracts():
    # 6 h lead + 5 h to B > 10 h: the supplier cannot help B in the quake; tents must stay 14 + more
    travel = pd.DataFrame({"L": [1.0, 5.0, 1.0]}, index=list("ABC"))
    res = erlocate.solve(hand_model(supplier_travel=travel), hand_instance())
    fl = res.plan.contract_flows
    assert not np.any((fl.demand == 1) & (fl.amount > 0))
    assert res.objective > 245.5


# ---------------------------------------------------------------------- exclusions from geometry
def sites_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"tier": ["district", "subdistrict", "subdistrict"], "unit": ["u1", "u1", "u1"]},
        geometry=gpd.points_from_xy([0, 1000, 2000], [0, 0, 0]),
        crs="EPSG:32650",
        index=pd.Index(["D", "S1", "S2"]),
    )


def test_exclusion_zones_from_geometry():
    flood = shapely.box(1500, -100, 2500, 100)
    fault = shapely.LineString([(0, 400), (500, 400)])
    mask, why = exclusion_zones(
        sites_frame(), within={"flood zone": flood}, near={"fault line": (fault, 500)}
    )
    assert mask.tolist() == [True, False, True]
    assert why.tolist() == ["within 500 m of fault line", "", "inside flood zone"]
    inst = hand_instance().with_frames(site_frame=sites_frame())
    model = Depots(
        affected=AFFECTED,
        categories=CATS,
        needs=pd.DataFrame({"quake": {"tents": 2.0}}),
        cost_unit="hours",
        contracts=CONTRACT,
        transport_rate=0.0,
        exclude_within={"flood zone": flood},
    )
    res = erlocate.solve(model, inst)  # tier and unit from the frame's columns
    assert res.objective == pytest.approx(245.5)
    with pytest.raises(InfeasibleError, match=r"at least 1 open 'district'.*'D' within 500 m"):
        Depots(
            affected=AFFECTED, categories=CATS, cost_unit="hours", exclude_near=(fault, 500)
        ).validate(inst)


def test_required_site_in_excluded_area():
    inst = erlocate.Instance.from_matrix(HOURS, required=["S2"])
    with pytest.raises(InputError, match=r"existing depot\(s\) 'S2' \(inside flood zone\)"):
        hand_model().validate(inst)
    with pytest.warns(UserWarning, match="kept open"):
        res = erlocate.solve(hand_model(on_excluded_required="keep", max_per_unit=2), inst)
    assert "S2" in res.open_sites


# ---------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"site_tier": ["district", "subdistrict", "depot"]}, r"unknown tier\(s\) \['depot'\]"),
        ({"affected": AFFECTED.iloc[:2]}, r"affected: no rows for communities \['C'\]"),
        ({"probabilities": {"flood": 0.5, "quake": 0.4}}, r"probabilities: sum to 0\.9"),
        ({"probabilities": {"flood": 1.0}}, r"missing \['quake'\]"),
        (
            {"contracts": CONTRACT.assign(category="water")},
            r"contracts: unknown categories \['water'\]",
        ),
        ({"contracts": CONTRACT.drop(columns="lead_time")}, r"missing columns \['lead_time'\]"),
        ({"needs": pd.DataFrame({"quake": {"water": 1.0}})}, r"needs: unknown .*\['water'\]"),
        ({"units_requiring": "all", "unit": "unit"}, r"unit: no column 'unit'"),
        ({"units_requiring": ["u9"]}, r"units_requiring: units \['u9'\] have no site"),
        ({"cost_unit": "km"}, r"cost_unit: 'km'"),
        ({"transport": "mean"}, r"transport: 'mean'; use 'expected' or 'worst'"),
        ({"relief_time": -1}, r"relief_time: must be > 0, got -1"),
        ({"scenario_costs": {"flood": np.ones((2, 3))}}, r"shape \(2, 3\), expected \(3, 3\)"),
        ({"min_per_tier": {"city": 1}}, r"min_per_tier: unknown tier 'city'"),
        (
            {"affected": {"flood": [1.0, -2.0, 0.0]}},
            r"affected\[flood\]: every value must be finite and >= 0",
        ),
        ({"excluded": "flooded"}, r"excluded: no column 'flooded'"),
    ],
)
def test_bad_inputs(kw, match):
    with pytest.raises(InputError, match=match):
        hand_model(**kw).validate(hand_instance())


# ---------------------------------------------------------------------- infeasible requests
def test_unreachable_community_named_with_best_time():
    # relief 3.5 h: C's nearest usable depot is S1 at 3 + 1 = 4 h (S2 is excluded, D 11 h) and
    # the supplier needs 6 h: C cannot get its flood need
    with pytest.raises(
        InfeasibleError,
        match=r"scenario 'flood': 1 .*'C' \(nearest usable depot 4 h, contracts 6 h\)",
    ):
        hand_model(relief_time=3.5).validate(hand_instance())


def test_category_capacity_shortfall_numbers():
    caps = [10, 5, 5]  # usable: D + S1 = 15 m³ = 15 food units < flood peak 30
    with pytest.raises(
        InfeasibleError,
        match=r"category 'food': peak need 30 units \(scenario 'flood'\) exceeds what the 2 usable "
        r"sites can stock \(15 units = 15 m³ / 1 m³ per unit\) plus contracted capacity \(0 "
        r"units\): 15 units",
    ):
        hand_model(capacity=caps).validate(hand_instance())
    # every category fits alone (food 30 <= 60, tents 24 <= 30 + 10), not together:
    # 30 × 1 + (24 - 10) × 2 = 58 m³ > 50
    with pytest.raises(
        InfeasibleError, match=r"takes 58 m³ of stock, but the 2 usable sites hold 50"
    ):
        hand_model(capacity=[40, 10, 10]).validate(hand_instance())


def test_local_reach_shortfall():
    # C is served only by S1 (and the tents supplier): flood food 10 > S1's 8 m³
    with pytest.raises(InfeasibleError, match=r"community 'C' needs 10 units of 'food'"):
        hand_model(capacity=[100, 8, 8]).validate(hand_instance())


def test_unit_without_site():
    with pytest.raises(
        InfeasibleError, match=r"unit 'u1' needs 1 'subdistrict' depot\(s\) but has 0"
    ):
        hand_model(excluded=[False, True, True]).validate(hand_instance())


# ---------------------------------------------------------------------- verification
def test_corrupted_plans_rejected():
    res = erlocate.solve(hand_model(), hand_instance())
    stock = res.plan.stock.copy()
    stock[0, 0] -= 5  # D loses 5 food units it ships in the flood
    bad = dataclasses.replace(res, plan=dataclasses.replace(res.plan, stock=stock))
    with pytest.raises(VerificationError, match="ship more than their stock"):
        bad.verify()
    opened = res.plan.open.copy()
    opened[2] = True  # the flood-zone site
    bad = dataclasses.replace(res, plan=dataclasses.replace(res.plan, open=opened))
    with pytest.raises(VerificationError, match=r"excluded sites open: 'S2' \(inside flood zone\)"):
        bad.verify()
    fl = res.plan.depot_flows
    cut = dataclasses.replace(fl, amount=fl.amount * 0.5)
    bad = dataclasses.replace(res, plan=dataclasses.replace(res.plan, depot_flows=cut))
    with pytest.raises(VerificationError, match="need not met"):
        bad.verify()
    src = np.where(fl.demand == 2, 0, fl.source)  # C served from D: 9 + 2 = 11 h > 10 h
    moved = dataclasses.replace(fl, source=src)
    bad = dataclasses.replace(res, plan=dataclasses.replace(res.plan, depot_flows=moved))
    with pytest.raises(VerificationError, match=r"'D' -> 'C': 11 h > 10 h"):
        bad.verify()
