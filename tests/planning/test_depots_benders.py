"""Depots by Benders decomposition: the same optima as the direct MILP, valid and tight cuts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.planning.depots import Depots, material_categories
from erlocate.planning.depots import benders as benders_module
from erlocate.planning.depots.transport import ScenarioTransport, cost_groups
from tests.planning.test_depots import random_case, transport_case


def with_method(model: Depots, method: str, **kw) -> Depots:
    return Depots(**{**model.parameters(), "method": method, **kw})


@pytest.mark.parametrize(("mode", "value"), [("expected", 27.5), ("worst", 30.0)])
def test_hand_transport_optimum(mode, value):
    inst, model = transport_case(mode)
    res = erlocate.solve(with_method(model, "benders"), inst)
    assert res.status == "optimal"
    assert res.termination.startswith("Benders")
    assert res.objective == pytest.approx(value, rel=1e-6)
    np.testing.assert_allclose(res.plan.stock[:, 0], [5, 5], atol=1e-6)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("variant", ["expected", "worst", "integer_stock"])
def test_equals_the_direct_milp(seed, variant):
    inst, model = random_case(seed, rate=10.0)
    kw = {"transport": "worst"} if variant == "worst" else {}
    if variant == "integer_stock":
        kw = {"integer_stock": True}
    direct = erlocate.solve(with_method(model, "direct", **kw), inst)
    dec = erlocate.solve(with_method(model, "benders", **kw), inst)  # verified inside solve
    assert dec.status == "optimal" and dec.termination.startswith("Benders")
    assert dec.objective == pytest.approx(direct.objective, rel=2e-6)
    assert dec.bound <= direct.objective * (1 + 1e-9)  # a true lower bound
    assert dec.objective >= direct.objective * (1 - 1e-8)  # a real plan's cost (tolerances)
    # the verifier's cost of the plan is the reported objective
    assert with_method(model, "benders", **kw).evaluate(inst, dec.plan) == pytest.approx(
        dec.objective, rel=1e-9
    )


def big_case(seed: int, n: int = 420) -> tuple[erlocate.Instance, Depots]:
    """More communities than the aggregated LPs' groups, so the cheap cuts run first."""
    rng = np.random.default_rng(seed)
    m = 6
    xy, sites = rng.random((n, 2)) * 100, rng.random((m, 2)) * 100
    cost = np.hypot(*(xy[:, None, :] - sites[None, :, :]).transpose(2, 0, 1)) * 3  # minutes
    inst = erlocate.Instance.from_matrix(cost)
    pop = rng.integers(20, 200, n).astype(float)
    model = Depots(
        affected={"a": 0.2 * pop, "b": np.where(xy[:, 0] < 50, 0.5 * pop, 0.0)},
        categories=material_categories().iloc[[0, 4, 12]],
        site_tier=["district"] * 2 + ["subdistrict"] * 4,
        unit=["u1", "u2", "u1", "u1", "u2", "u2"],
        max_per_unit=2,
        capacity=[2000, 2000, 600, 600, 600, 600],
        transport_rate=10.0,
        method="benders",
    )
    return inst, model


@pytest.mark.parametrize("seed", [0, 1])
def test_aggregated_cuts_then_exact_equal_the_direct_milp(seed):
    inst, model = big_case(seed)
    d = model.data(inst)
    assert max(ScenarioTransport(d, s).size for s in range(2)) > 256
    direct = erlocate.solve(with_method(model, "direct"), inst)
    dec = erlocate.solve(model, inst)
    assert dec.objective == pytest.approx(direct.objective, rel=2e-6)
    assert dec.bound <= direct.objective * (1 + 1e-9)


def test_cuts_are_valid_for_any_prices_and_tight_at_the_lp_prices():
    inst, model = random_case(2, rate=10.0)
    d = model.data(inst)
    rng = np.random.default_rng(0)
    m, C = d.cap.size, d.c_cap.size
    for s in range(len(d.scen)):
        sub = ScenarioTransport(d, s)
        for k in np.flatnonzero(sub.need.sum(axis=0) > 0):
            stock = rng.random(m) * sub.need[:, k].sum() * d.allowed
            reserve = d.c_cap * rng.random(C)
            ans = sub.solve(int(k), stock, reserve, stock > 0)
            if not np.isfinite(ans.value):
                continue
            const, a, b = sub.cuts(ans.p, ans.q, int(k), np.array([k]))[0]
            assert const - a @ stock - b @ reserve == pytest.approx(ans.value, rel=1e-7, abs=1e-6)
            for _ in range(5):  # any prices: never above the true value
                p, q = rng.random(m) * 20, rng.random(C) * 5
                const, a, b = sub.cuts(p, q, int(k), np.array([k]))[0]
                assert const - a @ stock - b @ reserve <= ans.value * (1 + 1e-9) + 1e-9


def test_auto_decomposes_only_large_models(monkeypatch):
    inst, model = random_case(1, rate=10.0)
    assert not erlocate.solve(model, inst).termination.startswith("Benders")
    monkeypatch.setattr(benders_module, "DIRECT_LIMIT", 0)
    assert erlocate.solve(with_method(model, "auto"), inst).termination.startswith("Benders")
    # no transport: nothing to decompose, the direct MILP (aggregated) whatever the size
    inst0, model0 = random_case(1, rate=0.0)
    assert not erlocate.solve(model0, inst0).termination.startswith("Benders")


def test_method_errors():
    with pytest.raises(InputError, match="method"):
        Depots(method="dantzig")
    inst, model = random_case(1, rate=0.0)
    with pytest.raises(InputError, match="transport_rate is 0"):
        erlocate.solve(with_method(model, "benders"), inst)


def test_time_limit_reports_a_bound_or_no_plan():
    inst, model = big_case(3)
    res = erlocate.solve(model, inst, time_limit=0.05, raise_on_failure=False)
    assert res.status in ("feasible", "no_solution", "optimal")
    if res.plan is not None:
        assert res.bound <= res.objective * (1 + 1e-12)


def test_no_time_for_a_plan_is_no_solution():
    from erlocate.backends import get
    from erlocate.backends.base import STATUSES, SolveOptions

    inst, model = big_case(3)
    out = benders_module.solve_benders(
        model.data(inst), get("highs"), SolveOptions(time_limit=1e-9)
    )
    assert out.plan is None
    assert out.output.status == "no_solution" and out.output.status in STATUSES


def test_cost_groups_label_every_row_and_keep_identical_rows_together():
    hours = np.repeat(np.random.default_rng(0).random((300, 5)), 2, axis=0)
    g = cost_groups(hours, n_groups=100)
    assert g.shape == (600,) and g.min() == 0 and np.unique(g).size == g.max() + 1 <= 100
    np.testing.assert_array_equal(g[0::2], g[1::2])
    assert np.array_equal(cost_groups(hours[:50], 100), np.arange(50))


def test_identical_demand_points_give_the_coarse_plan():
    # every community split in three identical points: the same optimum
    inst, model = random_case(4, rate=10.0)
    ids = [f"{i}.{r}" for i in inst.demand_ids for r in range(3)]
    cost = np.repeat(inst.dense_costs(), 3, axis=0)
    fine = erlocate.Instance.from_matrix(cost, demand_ids=ids, site_ids=inst.site_ids)
    aff = model.parameters()["affected"]
    params = model.parameters()
    params["scenario_costs"] = {"flood": cost * 1.5}
    params["affected"] = pd.DataFrame(
        np.repeat(aff.to_numpy() / 3, 3, axis=0), index=ids, columns=aff.columns
    )
    coarse = erlocate.solve(model, inst)
    fine_model = Depots(**{**params, "method": "benders"})
    res = erlocate.solve(fine_model, fine)
    assert res.objective == pytest.approx(coarse.objective, rel=2e-6)
    # exact aggregation: the three copies are one demand node of the transport LPs
    d, d_fine = model.data(inst), fine_model.data(fine)
    for s in range(len(d.scen)):
        assert ScenarioTransport(d_fine, s).size == ScenarioTransport(d, s).size
