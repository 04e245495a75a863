"""Trade-off curves: each point an independent solve, monotone where theory says, warm starts."""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import erlocate
from erlocate import LSCP, MCLP, PMedian
from erlocate.errors import InputError
from erlocate.plan import Plan
from erlocate.workflow.knee import knee_index
from erlocate.workflow.tradeoff import neighbour_start, tradeoff
from tests.conftest import random_instance

#: The module (``erlocate.workflow.tradeoff`` is the function once the package is imported).
tradeoff_module = sys.modules["erlocate.workflow.tradeoff"]


def town(seed: int = 0) -> erlocate.Instance:
    """Integer Euclidean costs (0-100), every pair stored, weights 1-9."""
    rng = np.random.default_rng(seed)
    pts, sites = rng.random((40, 2)), rng.random((12, 2))
    cost = np.round(100 * np.linalg.norm(pts[:, None] - sites[None], axis=2))
    return erlocate.Instance.from_matrix(cost, weights=rng.integers(1, 10, 40).astype(float))


# ----------------------------------------------------------------------------- curves
def test_mclp_curve_points_are_independent_solves_and_monotone():
    inst = town(1)
    model = MCLP(p=1, max_cost=30.0)
    curve = tradeoff(model, inst, p=range(1, 8))
    t = curve.table
    assert list(t["p"]) == list(range(1, 8)) and (t["status"] == "optimal").all()
    for p, obj in zip(t["p"], t["objective"], strict=True):
        assert obj == pytest.approx(erlocate.solve(MCLP(p=p, max_cost=30.0), inst).objective)
    assert (np.diff(t["coverage_share"]) >= -1e-12).all()  # more sites never cover less
    assert t["coverage_share"].to_numpy() == pytest.approx(t["objective"] / inst.weights.sum())
    assert (t["n_open"] == t["p"]).all()
    # the knee is the point farthest from the chord of the plotted curve
    i = knee_index(t["p"].to_numpy(float), t["coverage_share"].to_numpy(float))
    assert curve.knee == t["p"].iloc[i]
    for r in curve.results:
        r.verify()


def test_pmedian_curve_decreasing_and_warm_started(monkeypatch):
    inst = town(2)
    starts = []
    real = tradeoff_module.solve

    def spy(model, instance, backend="highs", **kw):
        starts.append(kw.get("warm_start"))
        return real(model, instance, backend, **kw)

    monkeypatch.setattr(tradeoff_module, "solve", spy)
    warm = tradeoff(PMedian(p=1), inst, p=[1, 2, 3, 4, 5])
    assert starts[0] is None
    assert all(isinstance(s, Plan) for s in starts[1:])
    assert [int(s.open.sum()) for s in starts[1:]] == [2, 3, 4, 5]  # adapted to each p
    assert list(warm.table["warm_start"]) == ["none"] + ["adapted"] * 4
    starts.clear()
    cold = tradeoff(PMedian(p=1), inst, p=[1, 2, 3, 4, 5], warm_start=False)
    assert starts == [None] * 5
    assert warm.table["objective"].to_numpy() == pytest.approx(cold.table["objective"])
    assert (np.diff(warm.table["objective"]) <= 1e-9).all()
    assert warm.metric == "objective"


def test_adapted_start_adds_the_best_site():
    inst = town(3)
    model = MCLP(p=2, max_cost=30.0)
    one = erlocate.solve(MCLP(p=1, max_cost=30.0), inst)
    start, how = neighbour_start(model, inst, one.plan)
    assert how == "adapted" and start.open[one.plan.open].all() and start.open.sum() == 2
    gains = [
        model.evaluate(inst, Plan.nearest(inst, one.plan.open | (np.arange(12) == j)))
        for j in range(12)
    ]
    assert model.evaluate(inst, start) == max(gains)


def test_lscp_over_standards_with_infeasible_points_kept():
    inst = random_instance(4, n=30, m=10)
    reach = inst.dense_costs().min(axis=1).max()  # below it some point reaches no site
    values = [reach - 5, reach, reach + 10, reach + 20]
    curve = tradeoff(LSCP(max_cost=reach), inst, max_cost=values)
    t = curve.table
    assert t["status"].iloc[0] == "infeasible" and "cannot reach" in t["note"].iloc[0]
    assert curve.results[0] is None
    solved = t["objective"].iloc[1:].to_numpy()
    assert (np.diff(solved) <= 1e-9).all()  # a looser standard never needs more sites
    for v, obj in zip(values[1:], solved, strict=True):
        assert obj == erlocate.solve(LSCP(max_cost=v), inst).objective
    # the previous cover stays a cover under a looser standard: started from it
    assert list(t["warm_start"].iloc[1:]) == ["none", "previous", "previous"]


def test_plot_runs_headless_and_marks_the_knee():
    curve = tradeoff(MCLP(p=1, max_cost=30.0), town(5), p=range(1, 7))
    ax = curve.plot()
    texts = [t.get_text() for t in ax.texts]
    assert texts == [f"knee: p = {curve.knee}"]
    assert ax.get_ylabel() == "coverage (%)"
    y = ax.lines[0].get_ydata()
    assert y == pytest.approx(100 * curve.table["coverage_share"].to_numpy())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "p"),
        ({"p": [1, 2], "max_cost": [3.0]}, "p"),
        ({"budget": [1.0]}, "budget"),
        ({"p": []}, "p"),
        ({"p": [1], "warm_start": None}, "warm_start"),
    ],
)
def test_bad_sweeps(kwargs, field):
    with pytest.raises(InputError) as e:
        tradeoff(MCLP(p=1, max_cost=30.0), town(), **kwargs)
    assert e.value.field == field


def test_budget_sweep_of_the_fire_stations():
    from erlocate.district import fire_station_case

    model, inst = fire_station_case(mode="max_cover", budget=2.0)
    budgets = [2.0, 4.0, 8.0, 10.0]
    curve = tradeoff(model, inst, budget=budgets)
    t = curve.table
    assert (t["status"] == "optimal").all() and curve.metric == "coverage_share"
    assert (np.diff(t["objective"]) >= -1e-9).all()  # a larger budget never covers less
    for b, obj in zip(budgets, t["objective"], strict=True):
        assert obj == pytest.approx(erlocate.solve(model.replace(budget=b), inst).objective)
    # the previous plan fits the larger budget, so each point starts from it
    assert list(t["warm_start"]) == ["none", "previous", "previous", "previous"]
