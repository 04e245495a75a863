"""RobustFireStations: one set of typed stations, districts redrawn per scenario.

Hand cases on the line town of ``test_firestations`` (a lost station, road
closures), enumeration with the district caps off, one scenario against the
plain FireStations model (caps on), and the district under flood and quake.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate import MCLP, Scenarios
from erlocate.errors import InputError
from erlocate.planning.firestations import FireStations
from erlocate.planning.firestations.robust import RobustFireStations, RobustStationPlan

# Six points D1..D6 of 1 km² on a line, four sites; driving minutes (<= 4 within the standard)
LINE = np.array(
    [[1, 3, 6, 8], [2, 2, 5, 7], [3, 1, 4, 6], [5, 1, 3, 5], [6, 2, 2, 4], [7, 4, 1, 3]],
    dtype=float,
)
WEIGHTS = [5, 10, 15, 40, 30, 20]
DIDS = [f"D{k}" for k in range(1, 7)]
SIDS = [f"S{k}" for k in range(1, 5)]
TYPES = pd.DataFrame(
    {
        "type": ["small", "class2", "class1"],
        "area_cap_km2": [2.0, 4.0, 7.0],
        "crew": [15, 18, 36],
        "cost": [5.0, 8.0, 12.0],
        "engines": [2, 3, 6],
    }
)


def line(cost=LINE) -> erlocate.Instance:
    return erlocate.Instance.from_matrix(cost, weights=WEIGHTS, demand_ids=DIDS, site_ids=SIDS)


def quake_case() -> Scenarios:
    """normal, and a quake in which S2 (the one station reaching every point) collapses."""
    return Scenarios({"normal": line(), "quake": line()}, lost={"quake": ["S2"]})


def fire(mode="max_cover", **kw) -> FireStations:
    return FireStations(mode, types=TYPES, area=kw.pop("area", np.ones(6)), **kw)


# ----------------------------------------------------------------------------- hand cases
def test_worst_case_station_is_not_the_normal_optimum():
    sc = quake_case()
    # normal: S2 (class1, 6 km²) holds all 120; with S2 lost, S3 holds D3..D6 = 105
    own = erlocate.solve(fire(max_new=1), line())
    assert list(own.open_sites) == ["S2"] and own.objective == 120
    res = erlocate.solve(RobustFireStations(fire(max_new=1), sc), line())
    assert list(res.open_sites) == ["S3"] and res.objective == pytest.approx(105)
    table = res.report()["scenarios"]
    assert table["value"].tolist() == [105, 105]
    assert table["in_a_district"].tolist() == [4, 4]
    assert table["stations_available"].tolist() == [1, 1]
    assert isinstance(res.plan, RobustStationPlan)
    assert res.report()["stations"]["type"].tolist() in (["class2"], ["class1"])
    # expected, equally likely: S2 60, S3 105; at 90 % normal: S2 108 > S3 105
    exp = erlocate.solve(RobustFireStations(fire(max_new=1), sc, objective="expected"), line())
    assert list(exp.open_sites) == ["S3"] and exp.objective == pytest.approx(105)
    likely = Scenarios(
        {"normal": line(), "quake": line()}, lost={"quake": ["S2"]}, probabilities=[0.9, 0.1]
    )
    exp = erlocate.solve(RobustFireStations(fire(max_new=1), likely, objective="expected"), line())
    assert list(exp.open_sites) == ["S2"] and exp.objective == pytest.approx(108)


def test_cover_all_over_scenarios_costs_more():
    sc = quake_case()
    own = erlocate.solve(fire("cover_all"), line())
    assert own.objective == 12  # one class1 at S2
    res = erlocate.solve(RobustFireStations(fire("cover_all"), sc), line())
    # without S2, D4 has only S3 (D3..D6 = 4 km²: class2, 8) and D1, D2 only S1 (small, 5)
    assert set(res.open_sites) == {"S1", "S3"} and res.objective == 13
    assert res.report()["stations"]["type"].to_dict() == {"S1": "small", "S3": "class2"}
    districts = res.plan.districts
    for name in ("normal", "quake"):
        assert np.sort(districts[name][0]).tolist() == list(range(6))  # nobody left out


def test_road_closure_redraws_districts():
    closed = LINE.copy()
    closed[3:, 1] = np.inf  # the road from S2 to D4..D6 is closed
    sc = Scenarios({"normal": line(), "flood": line(closed)})
    # max_new=2: normal S2 holds all; flood: S2 holds D1..D3 (30), so S2 + S3 -> 120 in both
    res = erlocate.solve(RobustFireStations(fire(max_new=2), sc), line())
    assert res.objective == pytest.approx(120)
    assert res.report()["scenarios"]["value"].tolist() == [120, 120]
    one = erlocate.solve(RobustFireStations(fire(max_new=1), sc), line())
    # max_new=1: S2 gives 120 / 30, S3 105 / 105, S4 50 / 50, S1 30 / 30
    assert list(one.open_sites) == ["S3"] and one.objective == pytest.approx(105)


# ----------------------------------------------------------------------------- enumeration
def random_fire_scenarios(seed: int, n: int = 12, m: int = 6) -> Scenarios:
    rng = np.random.default_rng(seed)
    base = np.round(rng.uniform(0.5, 8, (n, m)), 1)
    out, lost = {}, {}
    for k in range(3):
        cost = base * (1 if k == 0 else rng.choice([1.0, 1.0, 2.0], (n, m)))
        if k:
            cost[rng.random((n, m)) < 0.2] = np.inf
        w = rng.integers(1, 9, n) * (1 if k < 2 else 2)
        out[f"s{k}"] = erlocate.Instance.from_matrix(
            cost, weights=w, site_ids=[f"S{j}" for j in range(m)]
        )
    lost["s2"] = [f"S{int(rng.integers(m))}"]
    return Scenarios(out, lost=lost, probabilities=[0.5, 0.3, 0.2])


def oracle(sc: Scenarios, open_ids, limit: float) -> np.ndarray:
    """Covered weight per scenario with caps off: within the limit of an open available site."""
    vals = []
    for name, inst in sc.items():
        dense = pd.DataFrame(inst.dense_costs(), columns=list(inst.site_ids))
        ok = [s for s in open_ids if s not in sc.lost.get(name, [])]
        vals.append(float(inst.weights[(dense[ok] <= limit).any(axis=1).to_numpy()].sum()))
    return np.array(vals)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("objective", ["worst", "expected"])
def test_caps_off_matches_enumeration(seed, objective):
    sc = random_fire_scenarios(seed)
    k = 2
    model = RobustFireStations(fire(max_new=k, area=np.zeros(12)), sc, objective=objective)
    res = erlocate.solve(model, sc.reference)
    best = -np.inf
    for r in range(k + 1):
        for comb in combinations(list(sc.site_ids), r):
            vals = oracle(sc, comb, 4.0)
            best = max(best, vals.min() if objective == "worst" else sc.probabilities @ vals)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(best, rel=1e-6)
    vals = oracle(sc, list(res.open_sites), 4.0)
    assert res.report()["scenarios"]["value"].to_numpy() == pytest.approx(vals)


@pytest.mark.parametrize("seed", range(3))
def test_one_scenario_is_the_plain_model_with_caps(seed):
    sc = random_fire_scenarios(seed + 10)
    area = np.random.default_rng(seed).uniform(0.5, 2.5, 12)
    for mode, kw in (("max_cover", {"max_new": 2}), ("cover_all", {"allow_blank": True})):
        base = fire(mode, area=area, **kw)
        for name in sc.names:
            inst = sc.effective(name)
            alone = Scenarios({name: inst})
            robust = erlocate.solve(RobustFireStations(base, alone), inst)
            plain = erlocate.solve(base, inst)
            assert robust.objective == pytest.approx(plain.objective), (mode, name)


@pytest.mark.parametrize("backend", ["cbc", "scip"])
def test_backends_agree(backend):
    if backend not in erlocate.backends():
        pytest.skip(f"{backend} not installed")
    sc = random_fire_scenarios(21)
    area = np.random.default_rng(3).uniform(0.5, 2.5, 12)
    for objective in ("worst", "expected"):
        model = RobustFireStations(fire(max_new=2, area=area), sc, objective=objective)
        a = erlocate.solve(model, sc.reference, "highs")
        b = erlocate.solve(model, sc.reference, backend)
        assert b.objective == pytest.approx(a.objective, rel=1e-6)


# ----------------------------------------------------------------------------- the verifier
def test_a_district_at_a_closed_station_is_caught():
    sc = quake_case()
    model = RobustFireStations(fire(max_new=1), sc)
    res = erlocate.solve(model, line())
    i, j = res.plan.districts["quake"]
    # quake's own sites are S1, S3, S4 (S2 lost): position 0 is S1, which is closed
    bad = dict(res.plan.districts, quake=(i, np.zeros_like(j)))
    plan = RobustStationPlan(
        res.plan.open,
        res.plan.demand_idx,
        res.plan.site_idx,
        res.plan.share,
        station_type=res.plan.station_type,
        districts=bad,
    )
    breaches = model.check(line(), plan)
    assert breaches and all(b.startswith("scenario 'quake'") for b in breaches)
    assert any("closed" in b or "not open" in b for b in breaches)


# ----------------------------------------------------------------------------- the district
@pytest.fixture(scope="module")
def district_cases():
    from erlocate.datasets import load_district
    from erlocate.district.cases import fire_station_case

    d = load_district()
    base, normal = fire_station_case(d, mode="max_cover", max_new=2)
    _, flood = fire_station_case(d, scenario="flood", mode="max_cover", max_new=2)
    return base, normal, flood


def test_district_flood_and_quake(district_cases):
    base, normal, flood = district_cases
    sc = Scenarios(
        {"normal": normal, "flood": flood, "quake": normal},
        lost={"quake": ["F06"]},
        probabilities=[0.6, 0.25, 0.15],
    )
    own = {n: erlocate.solve(base, sc.effective(n)).objective for n in sc.names}
    res = erlocate.solve(RobustFireStations(base, sc), normal)
    vals = res.report()["scenarios"]["value"]
    assert res.status == "optimal"
    assert res.objective == pytest.approx(vals.min())
    for name in sc.names:  # no scenario gets more than its own optimum
        assert vals[name] <= own[name] + 1e-6
    assert "F06" not in set(res.open_sites) or vals["quake"] < own["quake"]
    exp = erlocate.solve(RobustFireStations(base, sc, objective="expected"), normal)
    assert exp.objective >= float(sc.probabilities @ vals.to_numpy()) - 1e-6
    assert exp.objective == pytest.approx(
        float(sc.probabilities @ exp.report()["scenarios"]["value"].to_numpy())
    )


# ----------------------------------------------------------------------------- bad inputs
def test_bad_inputs_name_the_field():
    sc = quake_case()
    for kw, field in (
        ({"second_cover": "objective"}, "second_cover"),
        ({"closest": True}, "closest"),
    ):
        with pytest.raises(InputError) as e:
            RobustFireStations(fire(max_new=1, **kw), sc)
        assert e.value.field == field
    with pytest.raises(InputError) as e:
        RobustFireStations(MCLP(1, 4.0), sc)
    assert e.value.field == "base"
    with pytest.raises(InputError) as e:
        RobustFireStations(fire("cover_all"), sc, objective="worst")
    assert e.value.field == "objective"
    with pytest.raises(InputError) as e:
        RobustFireStations(fire(max_new=1), sc, objective="mean")
    assert e.value.field == "objective"
    allowed = {"S1": "small"}
    with pytest.raises(InputError, match="area") as e:
        erlocate.solve(RobustFireStations(fire(max_new=1, area=np.ones(5)), sc), line())
    res = erlocate.solve(RobustFireStations(fire(max_new=1, allowed=allowed), sc), line())
    with pytest.raises(InputError) as e:
        erlocate.regret_table(res)
    assert e.value.field == "robust"
