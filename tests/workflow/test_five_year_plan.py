"""Every table of examples/five_year_plan.ipynb, recomputed by another route.

The notebook plans six fire stations on the embedded district under four hazard
states (normal, flood, quake, flood+quake). Each figure it shows is made here by
the same calls (module-scoped fixtures, built once) and checked independently:

* the hazard states: the instances against the district's fire-station case,
  the quake's lost sites and the closed road length by shapely on the raw data,
  every column of the hazard table from the travel-time matrices;
* the trade-off points: every p by CBC (another solver) and p <= 4 by
  enumeration; the knee by the chord distance written out here;
* the robust plan and its regret table: enumeration of all 42,504 six-station
  plans (the existing station and 5 of 24 candidates) in every state, and each
  state's own MILP solved alone;
* the three alternative plans: the four best worst-case values of that
  enumeration (distinct here, so the plans are exactly the enumeration's);
* the phasing: every assignment of the plan's five new sites to years (5^5)
  within the budgets, the yearly coverage counted from the data in every state;
* the sweep: its 200 rows (run here serially; tests/workflow/test_sweep_dask.py
  shows Dask gives the serial table) against CBC on a sample, enumeration for
  p <= 3, the trade-off curve, and the fewest-stations table by a plain loop.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest
import shapely

import erlocate
from erlocate import MCLP
from erlocate.datasets import load_district
from erlocate.district import five_year as fy
from erlocate.district import scenarios as hz
from erlocate.district.cases import fire_station_case
from erlocate.errors import InputError
from erlocate.models.phased import schedule
from erlocate.workflow.knee import knee_index

HAZARDS = list(hz.HAZARDS)


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def district():
    return load_district()


@pytest.fixture(scope="module")
def networks(district):
    return hz.hazard_networks(district)


@pytest.fixture(scope="module")
def scenarios(district, networks):
    return hz.hazard_scenarios(district, networks=networks)


@pytest.fixture(scope="module")
def lost(district):
    """Candidate sites within 500 m of a fault piece, by shapely on the raw frames."""
    fs = district.fire_stations
    faults = district.hazards[district.hazards["kind"] == "fault"].geometry.to_numpy()
    dist = np.array([[shapely.distance(s, f) for f in faults] for s in fs.geometry.to_numpy()])
    return sorted(fs.index[(dist.min(axis=1) <= 500.0) & ~fs["existing"].to_numpy(bool)])


@pytest.fixture(scope="module")
def cover(scenarios, lost):
    """Per state: communities x sites within the standard, lost sites' columns off."""
    out = {}
    for name in HAZARDS:
        inst = scenarios[name]
        within = inst.dense_costs() <= fy.STANDARD
        if name in ("quake", "flood+quake"):
            within[:, inst.site_ids.isin(lost)] = False
        out[name] = within
    return out


@pytest.fixture(scope="module")
def weights(scenarios):
    w = scenarios.reference.weights
    for name in HAZARDS:  # every state keeps every community, in the same order
        assert np.array_equal(scenarios[name].weights, w)
    return w


def covered(within, w, open_sets):
    """Weight covered by each plan (rows of a sites mask matrix)."""
    return (open_sets.astype(float) @ within.T.astype(float) > 0.5) @ w


@pytest.fixture(scope="module")
def plans6(scenarios):
    """Every plan of fy.PLAN_P stations: the existing one and PLAN_P - 1 candidates."""
    ids = scenarios.reference.site_ids
    req = np.flatnonzero(scenarios.reference.required)
    cand = np.flatnonzero(~scenarios.reference.required)
    combos = np.array(list(itertools.combinations(cand, fy.PLAN_P - len(req))))
    X = np.zeros((len(combos), len(ids)), dtype=bool)
    X[np.arange(len(combos))[:, None], combos] = True
    X[:, req] = True
    return X


@pytest.fixture(scope="module")
def values6(plans6, cover, weights):
    """Plans x states: every six-station plan's coverage in every state."""
    return np.column_stack([covered(cover[n], weights, plans6) for n in HAZARDS])


@pytest.fixture(scope="module")
def robust_model(scenarios):
    return erlocate.RobustMCLP(fy.PLAN_P, fy.STANDARD, scenarios)


@pytest.fixture(scope="module")
def robust(robust_model, scenarios):
    return erlocate.solve(robust_model, scenarios.reference)


def mask(ids, open_ids):
    return np.asarray(ids.isin(list(open_ids)))


# ----------------------------------------------------------------------------- hazards
def test_states_are_the_district_case_and_the_quake_data(district, scenarios, lost):
    for name, scen in ((None, "normal"), ("flood", "flood")):
        _, case = fire_station_case(district, scenario=name)
        inst = scenarios[scen]
        assert list(inst.site_ids) == list(case.site_ids)
        assert np.array_equal(inst.dense_costs(), case.dense_costs())
        assert np.array_equal(inst.weights, case.weights)
    assert lost == ["F15", "F20", "F21", "F23"]
    assert list(scenarios.lost["quake"]) == lost == list(scenarios.lost["flood+quake"])
    assert "flood" not in scenarios.lost and "normal" not in scenarios.lost
    assert list(scenarios.reference.site_ids[scenarios.reference.required]) == ["F01"]
    assert scenarios.reference.site_ids[0] == "F01"  # the enumerations below put it first
    assert scenarios.reference.site_costs == pytest.approx(district.fire_stations["cost"])
    assert scenarios.probabilities.tolist() == [0.7, 0.15, 0.1, 0.05]


def test_hazard_table_recomputed_from_the_raw_data(district, networks, scenarios, lost, cover):
    table = fy.hazard_table(scenarios, networks)
    edges = networks["normal"].edges
    flood = district.hazards[district.hazards["kind"] == "flood_zone"].geometry.union_all()
    fault = district.hazards[district.hazards["kind"] == "fault"].geometry.buffer(100.0)
    hit = {
        "normal": np.zeros(len(edges), bool),
        "flood": edges.intersects(flood).to_numpy(),
        "quake": edges.intersects(fault.union_all()).to_numpy(),
    }
    hit["flood+quake"] = hit["flood"] | hit["quake"]
    w = scenarios.reference.weights
    for name in HAZARDS:
        row = table.loc[name]
        km = edges["length_m"].to_numpy()[hit[name]].sum() / 1000
        assert row["road_km_closed"] == pytest.approx(km, rel=1e-9, abs=1e-9)
        assert row["sites_lost"] == (", ".join(lost) if "quake" in name else "")
        costs = scenarios[name].dense_costs()
        if "quake" in name:
            costs[:, scenarios[name].site_ids.isin(lost)] = np.inf
        assert row["cut_off"] == int(np.isinf(costs).all(axis=1).sum())
        assert row["existing_covers"] == pytest.approx(w @ cover[name][:, 0])  # F01 first
        assert row["best_possible"] == pytest.approx(w @ cover[name].any(axis=1))
        assert row["best_possible_share"] == pytest.approx(row["best_possible"] / w.sum())
    # what the notebook's text says
    assert table.loc["flood", "road_km_closed"] > table.loc["quake", "road_km_closed"] > 0
    assert table.loc["quake", "best_possible"] < table.loc["flood", "best_possible"]
    assert table.loc["quake", "cut_off"] > table.loc["flood", "cut_off"]
    with pytest.raises(InputError) as e:
        fy.hazard_table(scenarios, {"normal": networks["normal"]})
    assert e.value.field == "networks"


# ----------------------------------------------------------------------------- trade-off
@pytest.fixture(scope="module")
def curve(scenarios):
    return erlocate.tradeoff(MCLP(p=1, max_cost=fy.STANDARD), scenarios.reference, p=range(1, 11))


def test_tradeoff_points_by_another_solver_and_enumeration(curve, scenarios, cover, weights):
    t = curve.table
    assert (t["status"] == "optimal").all() and list(t["p"]) == list(range(1, 11))
    for p, obj in zip(t["p"], t["objective"], strict=True):
        cbc = erlocate.solve(MCLP(p=int(p), max_cost=fy.STANDARD), scenarios.reference, "cbc")
        assert obj == pytest.approx(cbc.objective, rel=1e-9)
    within = cover["normal"]
    for p in range(1, 5):  # the existing station and p - 1 of 24 candidates
        best = max(
            weights @ within[:, [0, *c]].any(axis=1)
            for c in itertools.combinations(range(1, 25), p - 1)
        )
        assert t["objective"].iloc[p - 1] == pytest.approx(best)
    share = t["coverage_share"].to_numpy()
    assert share == pytest.approx(t["objective"].to_numpy() / weights.sum())
    # the knee: the point farthest from the chord, both axes scaled to [0, 1]
    x = (t["p"] - 1) / 9
    y = (share - share[0]) / (share[-1] - share[0])
    dist = np.abs(y - x) / np.sqrt(2)
    assert curve.knee == t["p"].iloc[int(np.argmax(dist))] == 3
    assert knee_index(t["p"].to_numpy(float), share) == 2
    gain = np.diff(share)
    assert (gain[: fy.PLAN_P - 1] > 0.04).all() and curve.knee < fy.PLAN_P


# ----------------------------------------------------------------------------- robust
def test_robust_plan_is_the_best_worst_case_of_all_plans(robust, plans6, values6, scenarios):
    worst = values6.min(axis=1)
    assert robust.status == "optimal"
    assert robust.objective == pytest.approx(worst.max())
    ids = scenarios.reference.site_ids
    mine = np.flatnonzero((plans6 == mask(ids, robust.open_sites)).all(axis=1))
    assert mine.size == 1 and worst[mine[0]] == pytest.approx(worst.max())
    assert set(robust.open_sites) == {"F01", "F04", "F06", "F12", "F13", "F17"}
    assert robust.objective == pytest.approx(188700.0)


def test_regret_table_against_each_state_milp(robust, robust_model, scenarios, values6, plans6):
    rt = erlocate.regret_table(robust)
    ids = scenarios.reference.site_ids
    row = {tuple(np.flatnonzero(x)): i for i, x in enumerate(plans6)}

    def values_of(open_ids):
        return values6[row[tuple(np.flatnonzero(mask(ids, open_ids)))]]

    robust_vals = values_of(robust.open_sites)
    for k, name in enumerate(HAZARDS):
        alone = erlocate.solve(MCLP(fy.PLAN_P, fy.STANDARD), scenarios.effective(name), "cbc")
        assert rt.table.loc[name, "optimum"] == pytest.approx(alone.objective)
        assert rt.table.loc[name, "optimum"] == pytest.approx(values6[:, k].max())  # enumeration
        assert rt.table.loc[name, "robust"] == pytest.approx(robust_vals[k])
        assert rt.table.loc[name, "regret"] == pytest.approx(values6[:, k].max() - robust_vals[k])
        assert rt.table.loc[name, "status"] == "optimal"
    p = scenarios.probabilities
    best = values6.max(axis=0)
    for plan, sites in rt.plans.items():
        vals = values_of(sites)
        s = rt.summary.loc[plan]
        assert s["worst"] == pytest.approx(vals.min())
        assert s["expected"] == pytest.approx(p @ vals)
        assert s["max_regret"] == pytest.approx((best - vals).max())
        assert s["expected_regret"] == pytest.approx(p @ (best - vals))
        assert rt.matrix[plan].to_numpy() == pytest.approx(vals)
    # what the notebook's text says: the normal optimum builds a site the quake takes
    assert "F20" in set(rt.plans["normal"]) and "F20" in set(scenarios.lost["quake"])
    assert rt.summary.loc["robust", "worst"] > rt.summary.loc["normal", "worst"]
    assert robust_model.values_table(scenarios.reference, robust.plan).to_numpy() == (
        pytest.approx(robust_vals)
    )
    assert robust_vals.min() == pytest.approx(robust_vals[HAZARDS.index("flood")])


# ----------------------------------------------------------------------------- alternatives
def test_three_alternatives_are_the_next_best_plans_by_enumeration(
    robust_model, scenarios, plans6, values6, cover, weights
):
    units = scenarios.reference.demand_frame["unit_id"]
    alt = erlocate.alternatives(robust_model, scenarios.reference, k=4, zones=units)
    worst = values6.min(axis=1)
    order = np.argsort(-worst, kind="stable")
    top = worst[order[:5]]
    assert len(set(np.round(top, 6))) == 5  # no tie among the five best: the four are unique
    assert list(alt.objectives) == pytest.approx(list(top[:4]))
    ids = scenarios.reference.site_ids
    for rank, res in enumerate(alt):
        assert set(res.open_sites) == set(ids[plans6[order[rank]]])
        vals = robust_model.values_table(scenarios.reference, res.plan).to_numpy()
        assert vals == pytest.approx(values6[order[rank]])
        # each sub-district's covered share on normal roads, from the travel times
        cov = cover["normal"][:, plans6[order[rank]]].any(axis=1)
        share = (
            pd.Series(weights * cov).groupby(units.to_numpy()).sum()
            / pd.Series(weights).groupby(units.to_numpy()).sum()
        )
        got = alt.zone_coverage.loc[rank + 1]
        assert got[share.index].to_numpy() == pytest.approx(share.to_numpy())
    assert alt.proven and alt.stop == "k"
    t = alt.table
    assert (t["gap_to_best"] < 0.01).all() and (t["added"].iloc[1:].map(len) == 1).all()
    assert t["gap_to_best"].iloc[1:].to_numpy() == pytest.approx(1 - top[1:4] / top[0])


# ----------------------------------------------------------------------------- phasing
def test_phasing_by_enumerating_every_schedule(robust, robust_model, scenarios, cover, weights):
    phased = schedule(robust, scenarios.reference, fy.STANDARD, budgets=list(fy.BUDGETS))
    assert phased.status == "optimal"
    inst = scenarios.reference
    new = [s for s in robust.open_sites if not inst.required[inst.site_ids.get_loc(s)]]
    cost = {s: float(inst.site_costs[inst.site_ids.get_loc(s)]) for s in new}
    budgets = np.array(fy.BUDGETS)

    def yearly(years_of, state="normal"):
        out = []
        for t in range(len(budgets) + 1):
            open_ids = ["F01", *[s for s, y in years_of.items() if y <= t]]
            out.append(weights @ cover[state][:, mask(inst.site_ids, open_ids)].any(axis=1))
        return np.array(out)

    best = -1.0
    for years in itertools.product(range(1, 6), repeat=len(new)):
        spend = np.zeros(len(budgets))
        for s, y in zip(new, years, strict=True):
            spend[y - 1] += cost[s]
        if (spend <= budgets + 1e-9).all():
            best = max(best, yearly(dict(zip(new, years, strict=True)))[1:].sum())
    assert phased.objective == pytest.approx(best)
    sites = phased.report()["sites"]
    years_of = sites["year_opened"].drop("F01").to_dict()
    table = phased.report()["schedule"]
    assert table["covered"].to_numpy() == pytest.approx(yearly(years_of))
    spent = table["cost"].iloc[1:].to_numpy()
    assert (spent <= budgets + 1e-9).all() and table["cumulative_cost"].iloc[-1] == pytest.approx(
        sum(cost.values())
    )
    # the notebook's table: every state, year by year, from the travel times
    yc = fy.yearly_coverage(phased, robust_model)
    assert list(yc.index) == list(range(6)) and yc["opened"].iloc[0] == "F01"
    for name in HAZARDS:
        assert yc[name].to_numpy() == pytest.approx(yearly(years_of, name))
    assert yc["worst"].to_numpy() == pytest.approx(yc[HAZARDS].min(axis=1).to_numpy())
    assert yc["worst"].iloc[-1] == pytest.approx(robust.objective)
    # what the notebook's text says: big stations first, most of the reach by year 3
    assert min(spent[:3]) > max(spent[3:])
    assert yc["normal"].iloc[3] >= 0.85 * yc["normal"].iloc[-1]
    with pytest.raises(InputError) as e:
        fy.yearly_coverage(phased, MCLP(2, 4.0))
    assert e.value.field == "model"


# ----------------------------------------------------------------------------- sweep
@pytest.fixture(scope="module")
def sweep(scenarios):
    instances = {name: scenarios.effective(name) for name in scenarios}
    out = erlocate.sweep(
        hz.build_cover, fy.SWEEP_GRID, shared={"instances": instances}, extract=fy.sweep_coverage
    )
    return out, instances


def test_sweep_rows_are_the_optima(sweep, scenarios, curve):
    table, instances = sweep
    assert len(table) == 200 and (table["status"] == "optimal").all()
    assert table["error_type"].isna().all()
    grid = list(itertools.product(*fy.SWEEP_GRID.values()))
    assert list(zip(table["p"], table["hazard"], table["standard"], strict=True)) == grid
    # a sample against another solver, on instances made here (not by the builder)
    for row in table.sample(15, random_state=1).itertuples():
        inst = scenarios.effective(row.hazard)
        cbc = erlocate.solve(MCLP(int(row.p), float(row.standard)), inst, "cbc")
        assert row.objective == pytest.approx(cbc.objective, rel=1e-9)
    # p <= 3 by enumeration, every hazard and standard
    w = scenarios.reference.weights
    for row in table[table["p"] <= 3].itertuples():
        inst = instances[row.hazard]
        within = inst.dense_costs() <= row.standard
        best = max(
            w @ within[:, [0, *c]].any(axis=1)
            for c in itertools.combinations(range(1, inst.n_sites), row.p - 1)
        )
        assert row.objective == pytest.approx(best)
        assert row.coverage_share == pytest.approx(best / w.sum())
        opened = json.loads(row.open_sites)
        assert w @ within[:, inst.site_ids.isin(opened)].any(axis=1) == pytest.approx(best)
    # the normal rows at the standard are the trade-off curve
    normal = table[(table["hazard"] == "normal") & (table["standard"] == fy.STANDARD)]
    assert normal["objective"].to_numpy() == pytest.approx(curve.table["objective"].to_numpy())
    # more stations, a looser standard, fewer closures never cover less
    piv = table.set_index(["hazard", "standard", "p"])["objective"].sort_index()
    for h, s in itertools.product(HAZARDS, fy.SWEEP_GRID["standard"]):
        assert (np.diff(piv.loc[(h, s)].to_numpy()) >= -1e-9).all()
    for h, p in itertools.product(HAZARDS, fy.SWEEP_GRID["p"]):
        assert (np.diff(piv.xs((h, p), level=("hazard", "p")).to_numpy()) >= -1e-9).all()
    for h in HAZARDS[1:]:
        assert (piv.loc["normal"] >= piv.loc[h] - 1e-9).all()
        assert (piv.loc[h] >= piv.loc["flood+quake"] - 1e-9).all()


def test_stations_needed_by_a_plain_loop(sweep):
    table, _ = sweep
    needed = fy.stations_needed(table, fy.TARGET_SHARE)
    assert list(needed.index) == HAZARDS and list(needed.columns) == fy.SWEEP_GRID["standard"]
    for h, s in itertools.product(HAZARDS, fy.SWEEP_GRID["standard"]):
        fewest = None
        for p in fy.SWEEP_GRID["p"]:
            row = table[(table["hazard"] == h) & (table["standard"] == s) & (table["p"] == p)]
            if row["coverage_share"].iloc[0] >= fy.TARGET_SHARE:
                fewest = p
                break
        got = needed.loc[h, s]
        assert (np.isnan(got) and fewest is None) or got == fewest
    # the figures the notebook shows at 4 minutes; a flood costs stations
    assert needed[fy.STANDARD].tolist() == [6, 7, 6, 8]
    assert needed[3.0].isna().all()
    with pytest.raises(InputError) as e:
        fy.stations_needed(table.drop(columns="coverage_share"))
    assert e.value.field == "table"


def test_build_cover_names_an_unknown_hazard(sweep):
    _, instances = sweep
    model, inst = hz.build_cover(3, "flood", 4.0, instances)
    assert model == MCLP(3, 4.0) and inst is instances["flood"]
    with pytest.raises(InputError) as e:
        hz.build_cover(3, "tsunami", 4.0, instances)
    assert e.value.field == "hazard"
    with pytest.raises(InputError) as e:
        hz.hazard_networks(fault_road_m=0)
    assert e.value.field == "fault_road_m"
