"""verify() accepts every returned plan and rejects corrupted ones (property tests)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import erlocate
from erlocate.errors import VerificationError
from erlocate.plan import Plan
from tests.conftest import random_instance

MODELS = {
    "pmedian": lambda: erlocate.PMedian(3),
    "pmedian_cap": lambda: erlocate.PMedian(3, capacitated=True),
    "pmedian_ss": lambda: erlocate.PMedian(4, single_source=True),
    "pcenter": lambda: erlocate.PCenter(3),
    "lscp": lambda: erlocate.LSCP(45.0),
    "mclp": lambda: erlocate.MCLP(3, 25.0),
    "backup": lambda: erlocate.BackupCoverage(3, 30.0, theta=0.6),
    "uflp": lambda: erlocate.UFLP(),
    "cflp": lambda: erlocate.CFLP(),
    "cflp_ss": lambda: erlocate.CFLP(single_source=True),
}
ASSIGNING = ["pmedian", "pmedian_cap", "pmedian_ss", "uflp", "cflp", "cflp_ss"]

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _instance(seed: int) -> erlocate.Instance:
    rng = np.random.default_rng(seed)
    n = 25
    w = rng.integers(1, 20, n).astype(float)
    return random_instance(seed, n=n, m=8, capacities=np.full(8, np.ceil(w.sum() / 3)), demand=w)


def _solve(name: str, seed: int) -> erlocate.Result:
    inst = _instance(seed)
    try:
        return erlocate.solve(MODELS[name](), inst)
    except erlocate.errors.InfeasibleError:
        pytest.skip("random instance infeasible for this model")  # rare; still counts as run


def _with_plan(result: erlocate.Result, **changes) -> erlocate.Result:
    return dataclasses.replace(result, plan=dataclasses.replace(result.plan, **changes))


@SETTINGS
@given(seed=st.integers(0, 10_000), name=st.sampled_from(sorted(MODELS)))
def test_returned_plans_verify(seed, name):
    result = _solve(name, seed)
    assert result.status == "optimal"
    assert result.verify() is result


@SETTINGS
@given(seed=st.integers(0, 10_000), name=st.sampled_from(sorted(MODELS)))
def test_wrong_objective_rejected(seed, name):
    result = _solve(name, seed)
    off = 1.0 + 0.01 * abs(result.objective)
    bad = dataclasses.replace(result, objective=result.objective + off, bound=None)
    with pytest.raises(VerificationError, match="objective recomputed from the data"):
        bad.verify()


@SETTINGS
@given(seed=st.integers(0, 10_000), name=st.sampled_from(sorted(MODELS)), data=st.data())
def test_closing_an_open_site_rejected(seed, name, data):
    result = _solve(name, seed)
    open_idx = np.flatnonzero(result.plan.open)
    k = data.draw(st.sampled_from(open_idx.tolist()))
    opened = result.plan.open.copy()
    opened[k] = False
    with pytest.raises(VerificationError):
        _with_plan(result, open=opened).verify()


@SETTINGS
@given(seed=st.integers(0, 10_000), name=st.sampled_from(ASSIGNING), data=st.data())
def test_moving_an_allocation_rejected(seed, name, data):
    """Send one allocation to another site: closed, unreachable, over capacity or costlier."""
    result = _solve(name, seed)
    plan = result.plan
    k = data.draw(st.integers(0, plan.site_idx.size - 1))
    new = data.draw(st.sampled_from([j for j in range(8) if j != plan.site_idx[k]]))
    sites = plan.site_idx.copy()
    sites[k] = new
    with pytest.raises(VerificationError):
        _with_plan(result, site_idx=sites).verify()


@SETTINGS
@given(seed=st.integers(0, 10_000), name=st.sampled_from(ASSIGNING), data=st.data())
def test_dropping_an_allocation_rejected(seed, name, data):
    result = _solve(name, seed)
    plan = result.plan
    k = data.draw(st.integers(0, plan.site_idx.size - 1))
    keep = np.arange(plan.site_idx.size) != k
    with pytest.raises(VerificationError, match="not allocated exactly once"):
        _with_plan(
            result,
            demand_idx=plan.demand_idx[keep],
            site_idx=plan.site_idx[keep],
            share=plan.share[keep],
        ).verify()


def test_extra_open_site_rejected_when_p_is_fixed():
    result = _solve("pmedian", 1)
    opened = result.plan.open.copy()
    opened[np.flatnonzero(~opened)[0]] = True
    with pytest.raises(VerificationError, match="4 sites open, expected 3"):
        _with_plan(result, open=opened).verify()


def test_capacity_breach_rejected():
    result = _solve("cflp", 2)
    inst = result.instance
    # pile everything onto one open site
    j = int(np.flatnonzero(result.plan.open)[0])
    n = inst.n_demand
    plan = Plan(result.plan.open, np.arange(n), np.full(n, j), np.ones(n))
    with pytest.raises(VerificationError, match="capacity exceeded"):
        dataclasses.replace(result, plan=plan).verify()


def test_fractional_share_rejected_under_single_sourcing():
    result = _solve("pmedian_ss", 3)
    plan = result.plan
    i0, j0 = plan.demand_idx[0], plan.site_idx[0]
    other = int(np.flatnonzero(plan.open & (np.arange(8) != j0))[0])
    plan2 = Plan(
        plan.open,
        np.concatenate([plan.demand_idx, [i0]]),
        np.concatenate([plan.site_idx, [other]]),
        np.concatenate([np.where(np.arange(plan.share.size) == 0, 0.5, plan.share), [0.5]]),
    )
    with pytest.raises(VerificationError, match="single sourcing violated"):
        dataclasses.replace(result, plan=plan2, objective=None).verify()


def test_bound_on_wrong_side_rejected():
    result = _solve("pmedian", 4)
    with pytest.raises(VerificationError, match="on the wrong side"):
        dataclasses.replace(result, bound=result.objective * 1.5 + 1).verify()


def test_optimal_plan_must_use_nearest_sites():
    """Swap to a farther open site and fix the objective: feasible, but not optimal."""
    result = _solve("pmedian", 5)
    inst, plan = result.instance, result.plan
    opened = np.flatnonzero(plan.open)
    cost = inst.dense_costs()[plan.demand_idx][:, opened]
    k = int(np.argmax(np.isfinite(cost).sum(axis=1) >= 2))
    order = np.argsort(cost[k])
    sites = plan.site_idx.copy()
    sites[k] = opened[order[1]]
    bad = _with_plan(result, site_idx=sites)
    bad = dataclasses.replace(bad, objective=result.model.evaluate(inst, bad.plan), bound=None)
    with pytest.raises(VerificationError, match="farther site than the nearest"):
        bad.verify()
    # the same plan, honestly reported as merely feasible, passes
    dataclasses.replace(bad, status="feasible").verify()
