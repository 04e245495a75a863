"""explain: the worth of each site, by hand and vectorised == one evaluation per site."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.errors import InputError
from erlocate.workflow.explain import explain, explain_loop

COST = np.array(
    [
        [1.0, 5.0, 9.0, 4.0],
        [2.0, 3.0, 8.0, 6.0],
        [7.0, 1.0, 2.0, 9.0],
        [9.0, 6.0, 1.0, 3.0],
        [8.0, 9.0, 4.0, 2.0],
    ]
)
W = np.array([10.0, 20.0, 30.0, 40.0, 50.0])


def small(**kw):
    return erlocate.Instance.from_matrix(
        COST, weights=W, demand_ids=[f"d{i}" for i in range(5)], site_ids=list("ABCD"), **kw
    )


def test_pmedian_by_hand():
    r = erlocate.PMedian(2).evaluate_plan(small(), ["A", "C"])  # 350
    t = explain(r)
    assert t.attrs["method"].startswith("vectorised")
    # close A: d0 -> C (+8*10), d1 -> C (+6*20): 550; close C: d2 -> A (+5*30),
    # d3 -> A (+8*40), d4 -> A (+4*50): 1020; open B: d2 1 < 2 (-30): 320; open D: d4 (-100)
    assert t["objective"].to_dict() == {"C": 1020, "A": 550, "D": 250, "B": 320}
    assert t.index.tolist() == ["C", "A", "D", "B"]  # open first, by worth
    assert t["worth"].tolist() == [670, 200, 100, 30]
    assert t["action"].tolist() == ["close", "close", "open", "open"]
    assert t["feasible"].all()


def test_mclp_by_hand():
    r = erlocate.MCLP(2, 2.0).evaluate_plan(small(required=["A"]), ["A", "C"])  # 100
    t = explain(r)
    # covered alone: A covers d0, d1 (30), C covers d2, d3 (70); D would add d4 (50), B nothing
    assert t["objective"].to_dict() == {"C": 30, "A": 70, "D": 150, "B": 100}
    assert t["worth"].to_dict() == {"C": 70, "A": 30, "D": 50, "B": 0}
    assert t["covered_weight"].equals(t["objective"])
    assert t["feasible"].to_dict() == {"C": True, "A": False, "D": True, "B": True}  # A required
    loop = explain(r, method="loop")
    assert loop.attrs["method"] == "evaluate_plan per site"
    pd.testing.assert_frame_equal(t, loop, check_like=True, check_dtype=False)


CASES = [
    (erlocate.MCLP(4, 2500.0), 0),
    (erlocate.MCLP(3, 1800.0), 1),
    (erlocate.PMedian(4), 2),
    (erlocate.PMedian(3, max_cost=5000.0), 3),
    (erlocate.UFLP(), 4),
    (erlocate.UFLP(max_cost=5000.0), 5),
]


@pytest.mark.parametrize(("model", "seed"), CASES, ids=lambda x: repr(x)[:30])
def test_vectorised_equals_the_loop_on_random_instances(model, seed):
    inst = random_euclidean(90, 14, seed=seed)
    if seed % 2:  # with a required site
        inst = erlocate.Instance.from_matrix(
            inst.dense_costs(),
            weights=inst.weights,
            site_costs=inst.site_costs,
            required=[inst.site_ids[0]],
            demand_ids=inst.demand_ids,
            site_ids=inst.site_ids,
        )
    r = erlocate.solve(model, inst)
    fast, slow = explain(r), explain_loop(r)
    assert fast.attrs["method"].startswith("vectorised")
    slow = slow.loc[fast.index]
    np.testing.assert_allclose(fast["objective"], slow["objective"], rtol=1e-10)
    np.testing.assert_allclose(fast["worth"], slow["worth"], rtol=1e-9, atol=1e-6)
    assert fast["feasible"].equals(slow["feasible"])
    assert (fast["action"] == np.where(fast["open"], "close", "open")).all()
    # at an optimum no single candidate improves a fixed-count MCLP without closing one,
    # and closing an open site never helps coverage
    if isinstance(model, erlocate.MCLP):
        assert (fast.loc[fast["open"], "worth"] >= 0).all()


def test_pmedian_with_cutoff_orphans_are_infeasible():
    cost = COST.copy()
    cost[0, 2] = np.inf  # d0 reaches only A, B, D
    inst = erlocate.Instance.from_matrix(cost, weights=W, site_ids=list("ABCD"))
    r = erlocate.PMedian(2, max_cost=8.0).evaluate_plan(inst, ["A", "C"])
    t = explain(r)
    # closing A orphans d0 (no C pair) and d1 stays within 8 of C: infeasible, d0 counts 0
    assert not t.loc["A", "feasible"]
    assert t.loc["A", "objective"] == pytest.approx(350 - 10 * 1 + 20 * 6)
    pd.testing.assert_frame_equal(t, explain(r, method="loop"), check_dtype=False)


def test_loop_models():
    inst = random_euclidean(50, 8, seed=3, capacity_slack=3.0)
    for model in (erlocate.LSCP(5000.0), erlocate.MEXCLP(4, 3000.0, 0.3), erlocate.CFLP()):
        r = erlocate.solve(model, inst)
        t = explain(r)
        assert t.attrs["method"] == "evaluate_plan per site"
        for site in (t.index[0], t.index[-1]):  # the best open site, the last candidate
            open_ = r.instance.site_ids.isin(r.open_sites) ^ (r.instance.site_ids == site)
            count = int(open_.sum())
            m = model
            if isinstance(model, erlocate.MEXCLP):
                units = r.sites["units"].to_numpy().copy()
                j = r.instance.site_ids.get_loc(site)
                units[j] = 0 if units[j] else 1
                plan = erlocate.UnitPlan(units > 0, *[np.zeros(0, np.int64)] * 2, np.zeros(0),
                                         units)  # fmt: skip
                m, src = model.replace(p=int(units.sum())), plan
            else:
                src = r.instance.site_ids[open_].tolist()
                if "p" in model.parameter_names():
                    m = model.replace(p=count)
            again = erlocate.evaluate_plan(m, r.instance, src)
            assert t.loc[site, "objective"] == pytest.approx(again.objective)


def test_refusals():
    from erlocate.district.cases import shelter_case

    r = erlocate.PMedian(2).evaluate_plan(small(), ["A", "C"])
    with pytest.raises(InputError, match="method"):
        explain(r, method="fast")
    with pytest.raises(InputError, match="expected a Result"):
        explain(r.plan)
    model, inst = shelter_case()
    planned = erlocate.solve(model, inst)
    with pytest.raises(InputError, match="Shelters plan also sets"):
        explain(planned)
