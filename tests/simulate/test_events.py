"""The event loop on cases solved by hand: deterministic arrivals, constant service."""

from __future__ import annotations

import numpy as np
import pytest

import erlocate
from erlocate.plan import Plan
from erlocate.simulate.dispatch import candidates
from erlocate.simulate.events import run

INF = np.inf


def every_site(cost: np.ndarray) -> tuple[Plan, erlocate.Instance]:
    inst = erlocate.Instance.from_matrix(cost)
    return Plan.nearest(inst, np.ones(cost.shape[1], dtype=bool)), inst


def test_one_unit_never_busy_when_calls_are_spaced():
    """Calls every 1 time unit, service 0.5: the unit is always free; response = travel 2."""
    plan, inst = every_site(np.array([[2.0]]))
    sim = erlocate.simulate(
        plan,
        inst,
        rate=1.0,
        service_time=0.5,
        service="constant",
        arrivals="deterministic",
        standard=2.0,
        incidents=100,
        replications=2,
        seed=0,
        warmup=0,
    )
    o = sim.overall
    assert o.loc["median_response"].tolist() == [2.0, 2.0, 2.0]  # no spread: interval is 0
    assert o.loc["p90_response", "value"] == 2.0
    assert o.loc["within_standard", "value"] == 1.0
    assert o.loc["waited", "value"] == 0.0
    assert o.loc["utilisation", "value"] == pytest.approx(0.5)  # 100 × 0.5 over 100 time units


def test_one_unit_queue_grows_by_half_a_unit_per_call():
    """Calls at 1, 2, 3, 4, service 1.5: call k waits 0.5 (k - 1); with turnout 0.25 the
    responses are 0.25, 0.75, 1.25, 1.75 (cost 0): median 0.75, p90 1.75, 2 of 4 within 1."""
    plan, inst = every_site(np.array([[0.0]]))
    sim = erlocate.simulate(
        plan,
        inst,
        rate=1.0,
        service_time=1.5,
        service="constant",
        arrivals="deterministic",
        standard=1.0,
        turnout=0.25,
        incidents=4,
        replications=2,
        seed=0,
        warmup=0,
        keep_incidents=True,
    )
    inc = sim.incidents[sim.incidents["replication"] == 0]
    assert inc["arrival"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert inc["wait"].tolist() == [0.0, 0.5, 1.0, 1.5]
    assert inc["response"].tolist() == [0.25, 0.75, 1.25, 1.75]
    assert sim.value("median_response") == 0.75
    assert sim.value("p90_response") == 1.75
    assert sim.value("within_standard") == 0.5
    assert sim.value("waited") == 0.75
    assert sim.value("mean_wait") == 0.75
    assert sim.value("all_nearby_busy") == 0.75


def test_nearest_free_unit_answers():
    """Sites at travel 1 and 3, one unit each, calls every 1, service 1.5: the near unit
    takes calls 1, 3, 5 ...; the far one 2, 4, ... (the near one is then busy). With
    standard 2 only the near unit is nearby: half the calls find it busy, none waits."""
    plan, inst = every_site(np.array([[1.0, 3.0]]))
    sim = erlocate.simulate(
        plan,
        inst,
        rate=1.0,
        service_time=1.5,
        service="constant",
        arrivals="deterministic",
        standard=2.0,
        incidents=10,
        replications=1,
        seed=0,
        warmup=0,
        keep_incidents=True,
    )
    assert sim.incidents["site_id"].tolist() == [0, 1] * 5
    assert sim.incidents["response"].tolist() == [1.0, 3.0] * 5
    assert sim.value("waited") == 0.0
    assert sim.value("all_nearby_busy") == 0.5
    assert sim.value("nearby_free") == 0.5
    assert sim.value("within_standard") == 0.5
    assert sim.per_point.loc[0, "units_nearby"] == 1


def test_freed_unit_takes_the_oldest_call_it_can_reach():
    """Point 0 reaches only site 0, point 1 only site 1 (one unit each).

    t=0 P0 (site 0 busy to 10), t=1 P1 (site 1 busy to 2), t=1.5 P0 queues, t=1.6 P1
    queues. At 2 site 1 frees: the oldest queued call (P0's) is beyond its reach, so it
    takes P1's (wait 0.4); at 10 site 0 takes P0's (wait 8.5).
    """
    inst = erlocate.Instance.from_matrix(np.array([[1.0, INF], [INF, 2.0]]))
    cand = candidates(inst, np.array([1, 1]), limit=5.0)
    out = run(
        cand,
        np.array([1, 1]),
        np.array([0, 1, 0, 1]),
        np.array([0.0, 1.0, 1.5, 1.6]),
        np.array([10.0, 1.0, 1.0, 1.0]),
        limit=5.0,
        busy_travel=0.0,
    )
    assert out.site.tolist() == [0, 1, 0, 1]
    assert out.wait.tolist() == pytest.approx([0.0, 0.0, 8.5, 0.4])
    assert out.waited.tolist() == [False, False, True, True]
    assert out.travel.tolist() == [1.0, 2.0, 1.0, 2.0]


def test_busy_travel_adds_the_drive_to_the_busy_time():
    """Service 1, travel 2, busy_travel 2 (there and back): busy 5 per call."""
    inst = erlocate.Instance.from_matrix(np.array([[2.0]]))
    cand = candidates(inst, np.array([1]), limit=5.0)
    out = run(
        cand,
        np.array([1]),
        np.array([0, 0]),
        np.array([0.0, 1.0]),
        np.array([1.0, 1.0]),
        limit=5.0,
        busy_travel=2.0,
    )
    assert out.busy.tolist() == [5.0, 5.0]
    assert out.wait.tolist() == [0.0, 4.0]  # the second call waits until 5


def test_simultaneous_events_free_the_unit_first():
    """A unit free at exactly the next call's time answers it without a wait."""
    inst = erlocate.Instance.from_matrix(np.array([[0.0]]))
    cand = candidates(inst, np.array([1]), limit=1.0)
    out = run(
        cand,
        np.array([1]),
        np.array([0, 0]),
        np.array([1.0, 2.0]),
        np.array([1.0, 1.0]),
        limit=1.0,
        busy_travel=0.0,
    )
    assert out.waited.tolist() == [False, False]


def test_unreachable_point_is_reported_never_answered():
    """Point 1 reaches no open site: its calls are counted, never answered (response inf),
    named in .unreachable and the summary, not dropped."""
    cost = np.array([[1.0, INF], [INF, 1.0]])
    inst = erlocate.Instance.from_matrix(cost, demand_ids=["a", "b"], site_ids=["s", "t"])
    plan = Plan.nearest(inst, np.array([True, False]))
    sim = erlocate.simulate(
        plan,
        inst,
        rate=[1.0, 1.0],
        service_time=0.01,
        standard=2.0,
        incidents=2000,
        replications=2,
        seed=5,
    )
    assert sim.unreachable.tolist() == ["b"]
    assert sim.value("unserved") == pytest.approx(0.5, abs=0.03)
    assert sim.value("unserved") == pytest.approx(sim.value("no_nearby_unit"))
    assert sim.per_point.loc["b", "unserved"] == 1.0
    assert sim.per_point.loc["b", "p90_response"] == INF
    assert sim.per_point.loc["b", "nearest"] == INF
    assert sim.per_point.loc["a", "within_standard"] == 1.0
    assert sim.value("within_standard") == pytest.approx(1 - sim.value("unserved"))
    assert "1 demand points reach no unit" in sim.summary() and "b" in sim.summary()


def test_cutoff_said_in_the_summary():
    inst = erlocate.Instance.from_matrix(np.array([[1.0, 3.0]]), cutoff=4.0, unit="min")
    plan = Plan.nearest(inst, np.array([True, True]))
    sim = erlocate.simulate(
        plan, inst, rate=0.1, service_time=1.0, standard=2.0, incidents=100, replications=2, seed=0
    )
    text = sim.summary()
    assert "cut at 4 min" in text and "units: 2 at 2 site(s)" in text
