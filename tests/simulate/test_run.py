"""erlocate.simulate against queueing theory: Erlang C (M/M/c) and MEXCLP's expected coverage.

Every run is seeded, so each assertion is deterministic; the M/M/c intervals are 99 %
t-intervals over 20 replications, checked to be narrow, so "within the interval" cannot
pass by a wide interval.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.plan import Plan
from erlocate.simulate import SimulationResult


def single_site(c: int, cost: float = 0.0) -> tuple[Plan, erlocate.Instance]:
    """One demand point, one site holding ``c`` units at travel cost ``cost``."""
    inst = erlocate.Instance.from_matrix(np.array([[cost]]))
    return Plan(np.array([True]), np.array([0]), np.array([0]), np.ones(1)), inst


def erlang_c(c: int, a: float) -> float:
    """Probability that an arriving customer waits in M/M/c with offered load a = λ/μ < c."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


# ---------------------------------------------------------------------------- 1. M/M/c
@pytest.fixture(scope="module")
def mmc() -> SimulationResult:
    plan, inst = single_site(3)
    return erlocate.simulate(
        plan,
        inst,
        rate=2.0,
        service_time=1.0,
        units=[3],
        standard=1.0,
        incidents=20_000,
        replications=20,
        seed=2024,
        confidence=0.99,  # 99 %: a change of numpy's random streams rarely moves a figure out
    )


def test_erlang_c_probability_of_waiting(mmc):
    """c = 3 units, λ = 2, μ = 1 (λ/μ = 2): P(wait) = C(3, 2) = 4/9."""
    c = erlang_c(3, 2.0)
    assert c == pytest.approx(4 / 9)
    row = mmc.overall.loc["waited"]
    assert row["ci_low"] <= c <= row["ci_high"]
    assert row["ci_high"] - row["ci_low"] < 0.02
    # every unit is "nearby" (cost 0 within the standard), so all-nearby-busy is waiting too
    assert mmc.value("all_nearby_busy") == mmc.value("waited")
    assert mmc.value("nearby_free") == pytest.approx(1 - mmc.value("waited"))


def test_erlang_c_mean_wait_and_wait_distribution(mmc):
    """W_q = C / (cμ - λ) = 4/9; P(W_q <= t) = 1 - C e^{-(cμ - λ) t}; ρ = λ / (cμ) = 2/3."""
    c = erlang_c(3, 2.0)
    wq = c / (3 * 1.0 - 2.0)
    row = mmc.overall.loc["mean_wait"]
    assert row["ci_low"] <= wq <= row["ci_high"]
    assert row["ci_high"] - row["ci_low"] < 0.06
    within = 1 - c * math.exp(-(3 - 2) * 1.0)  # response = wait, standard 1
    row = mmc.overall.loc["within_standard"]
    assert row["ci_low"] <= within <= row["ci_high"]
    row = mmc.overall.loc["utilisation"]
    assert row["ci_low"] <= 2 / 3 <= row["ci_high"]
    # 90th percentile of W_q: C e^{-t} = 0.1 -> t = ln(10 C)
    p90 = math.log(10 * c)
    row = mmc.overall.loc["p90_response"]
    assert row["ci_low"] <= p90 <= row["ci_high"]
    assert mmc.value("median_response") == 0.0  # more than half never wait
    assert mmc.settings["load"] == pytest.approx(2 / 3)


# ---------------------------------------------------------------------------- 2. MEXCLP
def ring(m: int = 6) -> erlocate.Instance:
    """m sites at 0..m-1 on a ring of length m, a demand point at each midpoint k + 1/2.

    Ring distances: each point has its two neighbouring sites at 0.5, the others farther
    (all reachable, so no incident is lost).
    """
    d = np.abs((np.arange(m) + 0.5)[:, None] - np.arange(m)[None, :])
    return erlocate.Instance.from_matrix(np.minimum(d, m - d))


def expected_coverage(inst: erlocate.Instance, units: np.ndarray, s: float, q: float) -> float:
    n = np.zeros(inst.n_demand)
    for i in range(inst.n_demand):
        n[i] = sum(units[j] for j in range(inst.n_sites) if inst.cost_of([i], [j])[0] <= s)
    w = inst.weights
    return float((w * (1 - q**n)).sum() / w.sum())


def test_mexclp_expected_coverage_one_unit_per_site():
    """Symmetric ring, one unit per site, low load q = 0.1: simulated coverage vs 1 - q².

    MEXCLP assumes units are busy independently with the system busy fraction q. That
    holds well here: every unit has the same load by symmetry, and at q = 0.1 the busy
    states are nearly independent (the chance two given units are busy at once is
    close to q²). So the share of incidents finding a unit within the standard free
    is within 2 % (absolute) of Σ w_i (1 - q^{n_i}) / Σ w_i with n_i = 2.
    """
    inst, q = ring(), 0.1
    units = np.ones(6, dtype=int)
    plan = Plan(np.ones(6, bool), np.arange(6), np.arange(6), np.ones(6))
    sim = erlocate.simulate(
        plan,
        inst,
        rate=q * 6,
        service_time=1.0,
        standard=0.5,
        incidents=20_000,
        replications=10,
        seed=7,
    )
    expected = expected_coverage(inst, units, 0.5, q)
    assert expected == pytest.approx(1 - q**2)
    assert sim.value("nearby_free") == pytest.approx(expected, abs=0.02)
    assert sim.value("utilisation") == pytest.approx(q, abs=0.005)
    assert (sim.per_point["units_nearby"] == 2).all()


def test_mexclp_plan_simulated():
    """MEXCLP(p=6, S=0.5, q=0.1) on the ring: its objective / total weight is the expected
    coverage; the simulation of its plan (units from plan.units, standard from max_cost)
    agrees within 2 %."""
    mexclp = pytest.importorskip("erlocate.models.mexclp")
    inst, q = ring(), 0.1
    result = erlocate.solve(mexclp.MEXCLP(p=6, max_cost=0.5, q=q), inst, backend="highs")
    units = np.asarray(result.plan.units)
    assert units.sum() == 6
    expected = result.objective / inst.weights.sum()
    assert expected == pytest.approx(expected_coverage(inst, units, 0.5, q))
    sim = erlocate.simulate(
        result, rate=q * 6, service_time=1.0, incidents=20_000, replications=10, seed=7
    )
    assert sim.settings["units_from"] == "the plan's units"
    assert sim.settings["standard"] == 0.5
    assert sim.units.sum() == 6
    assert sim.value("nearby_free") == pytest.approx(expected, abs=0.02)


# ---------------------------------------------------------------------------- 3. reproducible
def small_town() -> tuple[Plan, erlocate.Instance]:
    rng = np.random.default_rng(0)
    cost = rng.uniform(0, 10, size=(30, 5))
    inst = erlocate.Instance.from_matrix(cost, weights=rng.integers(1, 10, 30))
    open_ = np.array([True, True, False, True, False])
    return Plan.nearest(inst, open_), inst


def test_same_seed_same_tables_other_seed_differs():
    plan, inst = small_town()
    kw = dict(
        rate=0.3,
        service_time=4.0,
        standard=5.0,
        incidents=3000,
        replications=3,
        zones=np.arange(30) % 3,
        keep_incidents=True,
    )
    a = erlocate.simulate(plan, inst, seed=11, **kw)
    b = erlocate.simulate(plan, inst, seed=11, **kw)
    c = erlocate.simulate(plan, inst, seed=12, **kw)
    for name in ("overall", "per_point", "per_zone", "incidents"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert not a.overall.equals(c.overall)
    assert not np.array_equal(a.incidents["arrival"], c.incidents["arrival"])
    # seed None: fresh entropy, reported, and the run repeats with it
    d = erlocate.simulate(plan, inst, **kw)
    e = erlocate.simulate(plan, inst, seed=d.settings["seed"], **kw)
    pd.testing.assert_frame_equal(d.overall, e.overall)


def test_tables_add_up():
    """Per incident exactly one of: a nearby unit free / all nearby busy / none nearby;
    the per-point and per-zone incident counts add up to replications × incidents."""
    plan, inst = small_town()
    sim = erlocate.simulate(
        plan,
        inst,
        rate=0.3,
        service_time=4.0,
        standard=3.0,
        incidents=2000,
        replications=2,
        seed=1,
        zones=np.arange(30) % 3,
        keep_incidents=True,
    )
    o = sim.overall["value"]
    assert o["nearby_free"] + o["all_nearby_busy"] + o["no_nearby_unit"] == pytest.approx(1.0)
    assert sim.per_point["incidents"].sum() == 4000
    assert sim.per_zone["incidents"].sum() == 4000
    assert sim.per_zone["points"].tolist() == [10, 10, 10]
    assert sim.per_zone["rate"].sum() == pytest.approx(0.3)
    inc = sim.incidents
    # the overall figures are those of the incident table
    assert o["within_standard"] == pytest.approx(inc["within_standard"].mean())
    per_rep = [
        np.quantile(g, 0.9, method="inverted_cdf")
        for _, g in inc.groupby("replication")["response"]
    ]
    assert o["p90_response"] == pytest.approx(np.mean(per_rep))
    # responses: wait + travel from the answering site, never faster than the nearest unit
    nearest = sim.per_point["nearest"].reindex(inc["demand_id"]).to_numpy()
    assert (inc["response"].to_numpy() >= nearest - 1e-12).all()
    # zone figures are the pooled incidents of their points
    zone = pd.Series(np.arange(30) % 3, index=inst.demand_ids)[inc["demand_id"]].to_numpy()
    for z in range(3):
        assert sim.per_zone.loc[z, "within_standard"] == pytest.approx(
            inc["within_standard"][zone == z].mean()
        )


def test_rates_per_point_and_by_weight():
    plan, inst = small_town()
    rates = np.zeros(30)
    rates[[0, 5]] = [1.0, 3.0]
    sim = erlocate.simulate(
        plan,
        inst,
        rate=rates,
        service_time=0.1,
        standard=10.0,
        incidents=4000,
        replications=1,
        seed=0,
    )
    counts = sim.per_point["incidents"]
    assert counts.sum() == 4000 and counts.drop([0, 5]).sum() == 0
    assert counts[5] / 4000 == pytest.approx(0.75, abs=0.03)
    assert np.isnan(sim.overall.loc["within_standard", "ci_low"])  # one replication: no interval
    by_weight = erlocate.simulate(
        plan, inst, rate=2.0, service_time=0.1, standard=10.0, incidents=100, replications=1, seed=0
    )
    w = inst.weights
    assert by_weight.per_point["rate"].to_numpy() == pytest.approx(2.0 * w / w.sum())


def test_fire_station_result_uses_its_engines_standard_and_turnout():
    """FireStations on the six-point line (tests/planning): one class-1 station at S2 with
    6 engines; standard 5 = turnout 1 + 4 driving; the response includes the turnout."""
    from tests.planning.test_firestations import fs, line

    result = erlocate.solve(fs(), line(), backend="highs")
    sim = erlocate.simulate(
        result, rate=0.05, service_time=10.0, incidents=2000, replications=2, seed=0
    )
    assert sim.units.to_dict() == {"S2": 6}
    assert sim.settings["units_from"] == "the engines of each station's type"
    assert (sim.settings["standard"], sim.settings["turnout"]) == (5.0, 1.0)
    assert sim.per_point["nearest"].tolist() == [4.0, 3.0, 2.0, 2.0, 3.0, 5.0]
    assert sim.per_point["units_nearby"].tolist() == [6] * 6  # D6: 4 min driving, within
    # load 0.05 × 10 = 0.5 on six engines: P(all six busy) is below 1e-3, so no incident
    # waits and every response is turnout + driving from S2, all within the standard
    assert sim.value("waited") == 0.0 and sim.value("within_standard") == 1.0
    assert sim.per_point["median_response"].tolist() == [4.0, 3.0, 2.0, 2.0, 3.0, 5.0]
    one = erlocate.simulate(
        result,
        rate=0.05,
        service_time=10.0,
        units={"S2": 1},
        incidents=2000,
        replications=2,
        seed=0,
    )
    assert one.value("waited") > sim.value("waited")


def test_top_level_function_survives_importing_the_package():
    """``erlocate.simulate`` is the function even when a fresh interpreter first imports a
    module of the package (the import system binds the package to its parent's attribute;
    ``erlocate/__init__`` imports it first and then binds the function)."""
    code = (
        "from erlocate.simulate.events import run\n"
        "import erlocate.simulate.tables\n"
        "import erlocate\n"
        "assert callable(erlocate.simulate) and erlocate.simulate.__module__ == "
        "'erlocate.simulate.run', erlocate.simulate\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    plan, inst = single_site(1)
    sim = erlocate.simulate(
        plan, inst, rate=1.0, service_time=0.1, standard=1.0, incidents=50, replications=2, seed=0
    )
    assert isinstance(sim, SimulationResult)
    assert "90th percentile" in sim.summary()
