"""FireStations: typed stations, area-capped districts, the 5-minute standard, second coverage."""

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.errors import InfeasibleError, InputError, VerificationError
from erlocate.plan import Plan
from erlocate.planning.firestations import FireStations, StationPlan
from erlocate.planning.stationtypes import station_types

INF = np.inf

# Six demand points D1..D6 of 1 km² each on a line, four candidate sites S1..S4.
# DRIVING minutes (turnout 1 + driving <= 5, i.e. driving <= 4 is within the standard):
#         S1 S2 S3 S4
LINE = np.array(
    [
        [1, 3, 6, 8],  # D1: S1, S2
        [2, 2, 5, 7],  # D2: S1, S2
        [3, 1, 4, 6],  # D3: S1, S2, S3
        [5, 1, 3, 5],  # D4: S2, S3
        [6, 2, 2, 4],  # D5: S2, S3, S4
        [7, 4, 1, 3],  # D6: S2, S3, S4
    ],
    dtype=float,
)
WEIGHTS = [5, 10, 15, 40, 30, 20]  # population × risk; total 120
DIDS = [f"D{k}" for k in range(1, 7)]
SIDS = [f"S{k}" for k in range(1, 5)]
# hand-set type table: cap km², cost (illustrative), crew, engines
TYPES = pd.DataFrame(
    {
        "type": ["small", "class2", "class1"],
        "area_cap_km2": [2.0, 4.0, 7.0],
        "crew": [15, 18, 36],
        "cost": [5.0, 8.0, 12.0],
        "engines": [2, 3, 6],
    }
)


def line(**kwargs) -> erlocate.Instance:
    kw = dict(weights=WEIGHTS, demand_ids=DIDS, site_ids=SIDS)
    kw.update(kwargs)
    return erlocate.Instance.from_matrix(LINE, **kw)


def fs(mode: str = "cover_all", **kwargs) -> FireStations:
    kw = dict(types=TYPES, area=np.ones(6))
    kw.update(kwargs)
    return FireStations(mode, **kw)


def types_of(result: erlocate.Result) -> dict:
    table = result.model.report(result.instance, result.plan)["stations"]
    return table["type"].to_dict()


# ---------------------------------------------------------------------------- the default table
def test_default_station_types_carry_the_standard():
    t = station_types().set_index("type")
    caps = t.loc[["class1", "class2", "small", "suburban"], "area_cap_km2"].tolist()
    assert caps == [7, 4, 2, 15]
    assert t.loc["class1", "engines"] > t.loc["class2", "engines"] > 0
    assert t.loc["class1", "crew"] == 6 * t.loc["class1", "engines"]  # ~6 crew per engine
    assert 30 <= t.loc["class1", "crew"] <= 45 and 15 <= t.loc["class2", "crew"] <= 25
    assert t.loc["small", "crew"] == 15
    assert t["source"].str.contains("illustrative").all()
    assert not t.loc[["suburban", "township1", "township2"], "default_allowed"].any()


# ---------------------------------------------------------------------------- cover_all
def test_cover_all_one_class1_station(backend):
    # S2 reaches all six points; 6 km² needs class-1 (7 km²) for 12. Any two-station cover
    # costs >= 5 + 8 = 13 (small + class-2), so one class-1 station at S2 is optimal.
    r = erlocate.solve(fs(), line(), backend)
    assert r.objective == pytest.approx(12.0) and r.status == "optimal"
    assert types_of(r) == {"S2": "class1"}
    rep = r.model.report(r.instance, r.plan)
    st = rep["stations"].loc["S2"]
    assert st["district_area_km2"] == 6 and st["crew"] == 36 and st["district_weight"] == 120
    assert rep["summary"].loc["crew_on_duty", "value"] == 36


def test_area_cap_forces_a_second_station(backend):
    # class-1 not allowed at S2: one class-2 holds 4 of the 6 km², so a second station is
    # needed; cheapest pair small + class-2 = 5 + 8 = 13 (e.g. S2 class-2 + S1 small).
    r = erlocate.solve(fs(allowed={"S2": "small,class2"}), line(), backend)
    assert r.objective == pytest.approx(13.0) and len(r.open_sites) == 2
    loads = r.model.report(r.instance, r.plan)["stations"]
    assert loads["district_area_km2"].sum() == 6 and (loads["district_area_km2"] <= 4).all()
    # without areas the cap never binds: one small station at S2 for 5
    free = erlocate.solve(fs(area=np.zeros(6)), line(), backend)
    assert free.objective == pytest.approx(5.0) and types_of(free) == {"S2": "small"}


def test_site_costs_are_added_and_existing_stations_are_free(backend):
    # land cost 100 at S2: S1 small (D1, D2) + S3 class-2 (D3..D6) = 5 + 8 + 2 × 1 = 15
    r = erlocate.solve(fs(), line(site_costs=[1, 100, 1, 1]), backend)
    assert r.objective == pytest.approx(15.0)
    # S3 exists as class-2 (not counted): only D1, D2 remain -> S1 small = 5
    old = fs(existing_types={"S3": "class2"})
    r2 = erlocate.solve(old, line(required=["S3"]), backend)
    assert r2.objective == pytest.approx(5.0) and types_of(r2) == {"S1": "small", "S3": "class2"}
    # counted: 8 (S3 class-2) + 5 (S1 small) = 13
    r3 = erlocate.solve(
        fs(existing_types={"S3": "class2"}, count_existing=True), line(required=["S3"]), backend
    )
    assert r3.objective == pytest.approx(13.0)


# ---------------------------------------------------------------------------- max_cover
@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        # budget 5: one small (2 km²) -> best two points reachable together D4 + D5 = 70
        ({"budget": 5}, 70.0),
        # budget 8: one class-2 (4 km²) at S2 or S3 -> D3..D6 = 15 + 40 + 30 + 20 = 105
        ({"budget": 8}, 105.0),
        # budget 10: class-2, or two smalls (4 km²) -> still 4 points, 105
        ({"budget": 10}, 105.0),
        # one new station, money no object: class-1 at S2 holds everything = 120
        ({"budget": 100, "max_new": 1}, 120.0),
        # two new stations, no budget: 120
        ({"max_new": 2}, 120.0),
    ],
)
def test_max_cover_under_budget(backend, limits, expected):
    r = erlocate.solve(fs("max_cover", **limits), line(), backend)
    assert r.objective == pytest.approx(expected)


def test_max_cover_reports_points_left_out(backend):
    # budget 5: one small station holds D4 + D5; D1..D3, D6 stay within reach of S2/S3 but
    # outside any district (the small district is full)
    r = erlocate.solve(fs("max_cover", budget=5), line(), backend)
    blank = r.report()["blank_spots"]
    assert sorted(blank.index) == ["D1", "D2", "D3", "D6"]  # D4 + D5 = 70 is the only best pair
    assert set(blank["reason"]) <= {
        "within the standard but in no district (area caps)",
        "no open station within the standard",
    }
    assert not blank["unavoidable"].any()


def test_max_cover_with_required_second_cover(backend):
    # budget 13 and D4 needs two stations: S2 and S3 (small + class-2 = 13) cover all 6 -> 120
    m = fs("max_cover", budget=13, second_cover="require", second_points=["D4"])
    r = erlocate.solve(m, line(), backend)
    assert r.objective == pytest.approx(120.0) and r.open_sites.tolist() == ["S2", "S3"]


def test_docs_example_with_default_types(backend):
    # docs/planning/fire-stations.md: S4 exists as a small station (D5, D6, 2 km²); the other
    # 4 km² need class-2 at S2 (20, illustrative) rather than class-1 (30) or two smalls (22)
    inst = line(required=["S4"])
    r = erlocate.solve(FireStations(area=np.ones(6), existing_types={"S4": "small"}), inst, backend)
    assert r.objective == pytest.approx(20.0)
    s = r.report()["summary"]["value"]
    assert s["crew_on_duty"] == 33 and s["weight_within_standard_before"] == 50


# ---------------------------------------------------------------------------- second coverage
def test_second_cover_required_for_a_key_point(backend):
    # D4 is within the standard of S2 and S3 only: both must open. Cheapest 6 km² split:
    # small + class-2 = 13 (e.g. S2 small {D1, D2}, S3 class-2 {D3..D6}).
    r = erlocate.solve(fs(second_cover="require", second_points=["D4"]), line(), backend)
    assert r.objective == pytest.approx(13.0) and r.open_sites.tolist() == ["S2", "S3"]
    rep = r.model.report(r.instance, r.plan)["demand"]
    assert rep.loc["D4", "second_covered"] and rep.loc["D4", "n_within_standard"] == 2


def test_second_cover_required_everywhere(backend):
    # D1/D2 need S1 and S2; D4 needs S2 and S3 -> S1, S2, S3 open; three smalls (2 km² each)
    # hold districts {D1, D2}, {D3, D4}, {D5, D6}: 3 × 5 = 15
    r = erlocate.solve(fs(second_cover="require"), line(), backend)
    assert r.objective == pytest.approx(15.0) and r.open_sites.tolist() == ["S1", "S2", "S3"]
    assert set(types_of(r).values()) == {"small"}


def test_second_cover_objective(backend):
    # max_cover, budget 10, beta 0.5: S2 + S3 smalls; districts D3..D6 (105) all within both
    # stations -> 105 + 0.5 × 105 = 157.5 (class-2 alone: 105; S2 + S4: 105 + 0.5 × 50 = 130)
    m = fs("max_cover", budget=10, second_cover="objective")
    r = erlocate.solve(m, line(), backend)
    assert r.objective == pytest.approx(157.5) and r.open_sites.tolist() == ["S2", "S3"]
    # cover_all, 0.01 cost units per unit of weight covered twice: S2 + S3 (13) covers
    # D3..D6 twice: 13 - 0.01 × 105 = 11.95 < 12 (class-1 alone, nothing twice)
    c = erlocate.solve(fs(second_cover="objective", second_weight=0.01), line(), backend)
    assert c.objective == pytest.approx(11.95) and c.open_sites.tolist() == ["S2", "S3"]


# ---------------------------------------------------------------------------- closest assignment
def closest_instance() -> erlocate.Instance:
    # A candidate, B existing small station (free). P1 only reaches A; P2, P3 are nearer A.
    cost = np.array([[1, INF], [1, 3], [2, 3], [INF, 1]])
    return erlocate.Instance.from_matrix(
        cost, required=["B"], site_ids=["A", "B"], demand_ids=["P1", "P2", "P3", "P4"]
    )


@pytest.mark.parametrize(("closest", "expected"), [(False, 5.0), (True, 8.0)])
def test_closest_assignment_can_force_a_bigger_type(backend, closest, expected):
    # free districts: A small {P1, P2 or P3}, B {the other, P4} -> 5. Closest: A is nearer for
    # P1, P2, P3 -> A's district is 3 km² -> class-2 -> 8.
    m = fs(area=np.ones(4), existing_types={"B": "small"}, closest=closest)
    r = erlocate.solve(m, closest_instance(), backend)
    assert r.objective == pytest.approx(expected)
    demand = r.model.report(r.instance, r.plan)["demand"]
    if closest:
        assert (demand["district_station"] == demand["first_responder"]).all()


# ---------------------------------------------------------------------------- reports
def test_report_before_after_and_responders():
    inst = line(required=["S4"])
    r = erlocate.solve(fs(existing_types={"S4": "small"}), inst)
    # S4 small exists (D5, D6); the rest (4 km²: D1..D4) -> class-2 at S2 for 8
    assert r.objective == pytest.approx(8.0)
    rep = r.model.report(inst, r.plan)
    s = rep["summary"]["value"]
    # before: S4 reaches D5, D6 within 4 min -> weight 50 of 120; after: everything
    assert s["weight_within_standard_before"] == 50 and s["weight_within_standard_after"] == 120
    assert s["stations_existing"] == 1 and s["stations_new"] == 1
    assert s["crew_on_duty"] == 15 + 18 and s["cost_counted"] == 8 and s["blank_spots"] == 0
    d = rep["demand"]
    # D6: S2 at 4 + 1 = 5 min, S4 at 3 + 1 = 4 min -> first S4 (4), second S2 (5)
    assert d.loc[
        "D6", ["first_responder", "first_time", "second_responder", "second_time"]
    ].tolist() == ["S4", 4.0, "S2", 5.0]
    by = rep["by_type"]
    assert by.loc["small", "existing"] == 1 and by.loc["class2", "new"] == 1


# ---------------------------------------------------------------------------- infeasible / blank
FAR = np.vstack([LINE, [9, 6.5, 7, 5.5]])  # D7: best 5.5 driving + 1 turnout = 6.5 min (S4)


def far_instance() -> erlocate.Instance:
    return erlocate.Instance.from_matrix(FAR, demand_ids=[*DIDS, "D7"], site_ids=SIDS)


def test_unreachable_point_is_named_with_its_best_time():
    with pytest.raises(
        InfeasibleError,
        match=r"1 demand point\(s\) cannot be served within the 5-minute standard \(turnout 1 \+ "
        r"driving 4 min\).*'D7' \(best 6\.5 min, from site 'S4'\).*allow_blank=True",
    ):
        erlocate.solve(fs(area=np.ones(7)), far_instance())


def test_allow_blank_reports_unavoidable_blank_spots(backend):
    r = erlocate.solve(fs(area=np.ones(7), allow_blank=True), far_instance(), backend)
    assert r.objective == pytest.approx(12.0)
    blank = r.model.report(r.instance, r.plan)["blank_spots"]
    assert blank.index.tolist() == ["D7"] and blank.loc["D7", "unavoidable"]
    assert blank.loc["D7", "reason"] == "no candidate site within the standard"


def test_point_larger_than_every_cap():
    with pytest.raises(InfeasibleError, match=r"'D3' \(area 9 km² exceeds every station cap"):
        erlocate.solve(fs(area=[1, 1, 9, 1, 1, 1]), line())


def test_second_cover_impossible():
    # no station may be built at S2: D1 then has S1 only within the standard
    m = fs(second_cover="require", allowed={"S2": []}, second_points=["D1"])
    with pytest.raises(
        InfeasibleError,
        match=r"1 key demand point\(s\) have fewer than 2 candidate stations.*'D1' \(1\)",
    ):
        erlocate.solve(m, line())


def test_area_beyond_all_caps_with_max_new():
    with pytest.raises(
        InfeasibleError, match=r"must hold 6 km² .*\(existing \+ 1 new\) can hold at most 2 km²"
    ):
        erlocate.solve(fs(types=TYPES.iloc[:1], max_new=1), line())


def test_budget_below_existing_cost():
    m = fs(existing_types={"S3": "class2"}, count_existing=True, budget=7)
    with pytest.raises(InfeasibleError, match=r"already cost at least 8 .* budget is 7"):
        erlocate.solve(m, line(required=["S3"]))


def test_solver_infeasible_budget():
    with pytest.raises(InfeasibleError, match="proved the model infeasible"):
        erlocate.solve(fs(budget=11), line())  # cover_all needs 12


# ---------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"standard": -5}, "standard", r"standard: must be > 0, got -5"),
        ({"turnout": 6}, "turnout", r"turnout: 6 min exceeds the standard 5\.0 min"),
        ({"mode": "cover"}, "mode", r"mode: choose one of \['cover_all', 'max_cover'\]"),
        ({"allowed": {"S1": "class9"}}, "allowed", r"unknown station type\(s\) \['class9'\]"),
        (
            {"existing_types": {"S1": "small"}},
            "existing_types",
            r"'S1'\] have a type but are not existing",
        ),
        (
            {"area": [1, 1, -2, 1, 1, 1]},
            "area",
            r"area: every value must be finite and >= 0; bad at positions \[2\] \(e\.g\. -2\.0\)",
        ),
        (
            {"area": [1, 1, np.nan, 1, 1, 1]},
            "area",
            r"area: every value must be finite and >= 0; bad at positions \[2\] \(e\.g\. nan\)",
        ),
        (
            {"area": "area"},
            "area",
            r"area: no column 'area' in instance.demand_frame \(the instance has no demand_frame\)",
        ),
        ({"second_cover": "twice"}, "second_cover", r"second_cover: choose one of"),
        (
            {"second_cover": "objective"},
            "second_weight",
            r"needs the value of one unit of weight covered twice",
        ),
        ({"max_new": -1}, "max_new", r"max_new: must be >= 0, got -1"),
        ({"mode": "max_cover"}, "budget", r"max_cover needs a budget and/or max_new"),
        (
            {"mode": "max_cover", "budget": 5, "allow_blank": True},
            "allow_blank",
            r"allow_blank: applies to mode='cover_all' only",
        ),
        (
            {"second_cover": "require", "second_points": ["D9"]},
            "second_points",
            r"unknown demand ids \['D9'\]",
        ),
    ],
)
def test_bad_inputs(kwargs, field, message):
    kwargs = dict(kwargs)
    mode = kwargs.pop("mode", "cover_all")
    with pytest.raises(InputError, match=message) as info:
        erlocate.solve(fs(mode, **kwargs), line())
    assert info.value.field == field


def test_bad_type_table():
    with pytest.raises(InputError, match=r"types: missing columns \['crew'\]"):
        FireStations(types=TYPES.drop(columns="crew"))
    with pytest.raises(InputError, match=r"types: column 'cost' must be finite and >= 0"):
        FireStations(types=TYPES.assign(cost=[5, -1, 12]))


# ---------------------------------------------------------------------------- frames
def test_columns_from_frames(backend):
    demand = pd.DataFrame({"area": np.ones(6), "population": np.arange(1, 7) * 100.0}, index=DIDS)
    sites = pd.DataFrame({"kinds": ["township1", "small, class2", None, ["small"]]}, index=SIDS)
    inst = line().with_frames(demand, sites)
    township = {
        "type": "township1",
        "area_cap_km2": INF,
        "crew": 12,
        "cost": 4.0,
        "engines": 2,
        "default_allowed": False,
    }
    types = pd.concat([TYPES.assign(default_allowed=True), pd.DataFrame([township])])
    # S1 only township1 (no cap, 4), S2 small/class-2, S3 default (small/class-2/class-1), S4 small.
    # S1 township1 {D1, D2, D3} + class-2 at S2 or S3 {D4, D5, D6} = 4 + 8 = 12; without the
    # brigade: S2 class-2 + a small = 13, S3 class-1 misses D1. So 12 with a township brigade.
    m = FireStations(types=types, allowed="kinds")
    r = erlocate.solve(m, inst, backend)
    assert r.objective == pytest.approx(12.0) and types_of(r)["S1"] == "township1"
    rep = m.report(inst, r.plan)
    assert rep["summary"].loc["population_total", "value"] == 2100
    assert rep["stations"].loc["S1", "district_area_km2"] >= 2  # more than any small district
    assert "district_population" in rep["stations"].columns
    # the same permissions as a per-site list, names and lists mixed (ragged)
    per_site = FireStations(types=types, allowed=["township1", "small, class2", None, ["small"]])
    r2 = erlocate.solve(per_site, inst, backend)
    assert r2.objective == pytest.approx(12.0) and types_of(r2)["S1"] == "township1"


# ---------------------------------------------------------------------------- verification
def test_corrupted_plans_are_rejected():
    r = erlocate.solve(fs(), line())
    plan = r.plan
    small = dataclasses.replace(plan, station_type=np.array([-1, 0, -1, -1]))
    with pytest.raises(
        VerificationError, match=r"district area exceeds the type's cap.*'S2': 6 km² > 2 km²"
    ):
        dataclasses.replace(r, plan=small).verify()
    closed = dataclasses.replace(plan, open=np.zeros(4, bool), station_type=np.full(4, -1))
    with pytest.raises(VerificationError, match=r"allocations to closed sites"):
        dataclasses.replace(r, plan=closed).verify()
    dropped = dataclasses.replace(
        plan, demand_idx=plan.demand_idx[1:], site_idx=plan.site_idx[1:], share=plan.share[1:]
    )
    with pytest.raises(VerificationError, match=r"must be covered are in no district"):
        dataclasses.replace(r, plan=dropped).verify()
    far = dataclasses.replace(
        plan,
        open=np.array([True, True, False, False]),
        station_type=np.array([2, 2, -1, -1]),
        site_idx=np.zeros(6, int),
    )
    with pytest.raises(VerificationError, match=r"beyond the cut-off 4"):
        dataclasses.replace(r, plan=far).verify()
    bare = Plan(plan.open, plan.demand_idx, plan.site_idx, plan.share)
    with pytest.raises(VerificationError, match="no station type per site"):
        dataclasses.replace(r, plan=bare).verify()


def test_corrupted_second_cover_and_closest():
    r = erlocate.solve(fs(second_cover="require", second_points=["D4"]), line())
    # keep everything at S2 as class-1 and close S3: D4 loses its second station
    one = StationPlan(
        np.array([False, True, False, False]),
        np.arange(6),
        np.ones(6, int),
        np.ones(6),
        station_type=np.array([-1, 2, -1, -1]),
    )
    with pytest.raises(VerificationError, match=r"fewer than two open stations.*'D4'"):
        dataclasses.replace(r, plan=one).verify()
    c = erlocate.solve(
        fs(area=np.ones(4), existing_types={"B": "small"}, closest=True), closest_instance()
    )
    # P3 moved to B although A is nearer
    moved = dataclasses.replace(c.plan, site_idx=np.array([0, 0, 1, 1]))
    with pytest.raises(VerificationError, match=r"closest assignment violated.*'P3'"):
        dataclasses.replace(c, plan=moved).verify()


def test_warm_start_round_trip(backend):
    r = erlocate.solve(fs(second_cover="objective", second_weight=0.01), line(), backend)
    again = erlocate.solve(r.model, r.instance, backend, warm_start=r)
    assert again.objective == pytest.approx(r.objective)
    milp = r.model.build(r.instance)
    x = r.model.encode(r.instance, milp, r.plan)
    assert milp.max_violation(x) < 1e-9 and milp.objective_value(x) == pytest.approx(11.95)


# ---------------------------------------------------------------------------- brute force
def brute_force(inst, model, area, weights):
    """Enumerate every typing of the sites and every district assignment (tiny instances)."""
    m, n = inst.n_sites, inst.n_demand
    cost = inst.dense_costs()
    lim = model.standard - model.turnout
    caps, prices = model.types["area_cap_km2"].to_numpy(), model.types["cost"].to_numpy()
    assign = np.array(list(itertools.product(range(-1, m), repeat=n)))  # -1 = no district
    cov = assign >= 0
    j = np.maximum(assign, 0)
    t = cost[np.arange(n), j]
    best = None
    for typing in itertools.product(range(-1, len(caps)), repeat=m):
        typing = np.array(typing)
        is_open = typing >= 0
        price = prices[typing[is_open]].sum()
        if model.mode == "max_cover" and price > model.budget:
            continue
        ok = ~(cov & (~is_open[j] | (t > lim))).any(axis=1)
        for s in range(m):
            load = (area * (assign == s)).sum(axis=1)
            ok &= load <= (caps[typing[s]] if is_open[s] else 0)
        if model.mode == "cover_all":
            ok &= cov.all(axis=1)
        if model.closest:  # areas here never exceed the largest cap, so every pair is usable
            nearest = np.where(is_open[None, :] & (cost <= lim), cost, INF).min(axis=1)
            ok &= np.where(cov, t <= nearest, ~np.isfinite(nearest)).all(axis=1)
        if not ok.any():
            continue
        value = price if model.mode == "cover_all" else (cov[ok] * weights).sum(axis=1).max()
        if best is None or (value < best if model.mode == "cover_all" else value > best):
            best = value
    return best


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("mode", ["cover_all", "max_cover"])
@pytest.mark.parametrize("closest", [False, True])
def test_agrees_with_enumeration(backend, seed, mode, closest):
    rng = np.random.default_rng(seed)
    n, m = 5, 3
    cost = rng.integers(0, 7, (n, m)).astype(float)
    cost[rng.random((n, m)) < 0.2] = INF
    cost[np.arange(n), rng.integers(0, m, n)] = rng.integers(0, 4, n)  # everyone coverable
    area = rng.choice([0.5, 1.0, 1.5, 2.0], n)
    weights = rng.integers(1, 10, n).astype(float)
    inst = erlocate.Instance.from_matrix(cost, weights=weights)
    model = FireStations(
        mode,
        types=TYPES.iloc[:2],
        area=area,
        closest=closest,
        budget=10 if mode == "max_cover" else None,
    )
    expected = brute_force(inst, model, area, weights)
    if expected is None:
        with pytest.raises(InfeasibleError):
            erlocate.solve(model, inst, backend)
    else:
        assert erlocate.solve(model, inst, backend).objective == pytest.approx(expected)


def test_max_cover_breaks_ties_by_least_cost(backend):
    # two new stations, no budget: 120 is covered by one class-1 at S2 (cost 30 here) or by
    # a class-2 + a small (S2 class2 D1..D4 + S3 small D5, D6, or S2 small + S3 class2):
    # cost 8 + 5 = 13. Coverage first, then the least cost: 13, never the class-1.
    types = TYPES.assign(cost=[5.0, 8.0, 30.0])
    m = FireStations("max_cover", types=types, area=np.ones(6), max_new=2)
    r = erlocate.solve(m, line(), backend)
    assert r.status == "optimal" and r.objective == pytest.approx(120.0)
    chosen = types_of(r)
    cost = types.set_index("type")["cost"]
    assert sorted(chosen.values()) == ["class2", "small"]
    assert sum(cost[t] for t in chosen.values()) == pytest.approx(13.0)
    # without the tie-break every backend built a class-1 here (HiGHS: S2 class1 + S3 class2)
    assert "tie-break by least cost: optimal" in r.termination
