"""compare: two plans, or one plan before and after a change, with hand-computed numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.workflow.compare import compare

# 5 points x 4 sites; weights 10, 20, 30, 40, 50 (total 150)
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
IDS = [f"d{i}" for i in range(5)]


def small(cost=COST, ids=IDS, w=W):
    return erlocate.Instance.from_matrix(cost, weights=w, demand_ids=ids, site_ids=list("ABCD"))


MCLP = erlocate.MCLP(p=2, max_cost=2.0)


def test_two_covering_plans_by_hand():
    inst = small()
    # A, C cover d0 (A 1), d1 (A 2), d2 (C 2), d3 (C 1): 100
    # B, D cover d2 (B 1), d4 (D 2): 80
    c = compare(MCLP.evaluate_plan(inst, ["A", "C"]), MCLP.evaluate_plan(inst, ["B", "D"]))
    t = c.table
    assert t.loc["objective", "a"] == 100 and t.loc["objective", "b"] == 80
    assert t.loc["objective", "change"] == -20
    assert t.loc["coverage share", "change"] == pytest.approx(80 / 150 - 100 / 150)
    assert t.loc["sites only in this plan"].tolist()[:2] == ["A, C", "B, D"]
    assert c.only_in_a.tolist() == ["A", "C"] and c.only_in_b.tolist() == ["B", "D"]
    assert c.newly_uncovered.tolist() == ["d0", "d1", "d3"]
    assert c.points["change"].tolist() == [
        "newly uncovered", "newly uncovered", "both", "newly uncovered", "newly covered"
    ]  # fmt: skip
    assert t.loc["points newly unserved", "b"] == 3 and t.loc["points newly served", "b"] == 1
    # nearest open cost per point: a (1, 2, 2, 1, 4), b (4, 3, 1, 3, 2)
    assert c.points["cost_a"].tolist() == [1, 2, 2, 1, 4]
    assert c.points["cost_b"].tolist() == [4, 3, 1, 3, 2]
    assert t.loc["points farther from their site", "b"] == 3  # d0, d1, d3
    assert t.loc["points nearer to their site", "b"] == 2  # d2, d4
    assert c.zones is None
    assert "objective" in str(c)
    assert repr(c) == (
        "<Comparison a vs b: objective 100.0 -> 80.0, 2 sites only in a, 2 only in b, "
        "3 points newly unserved>"
    )


def test_one_plan_before_and_after_a_closure():
    before = small()
    solved = erlocate.solve(erlocate.PMedian(2), before)  # A, C: 350
    after_cost = COST.copy()
    after_cost[1, 0] = np.inf  # d1 loses A: C at 8
    after_cost[4, 2] = 6.0  # d4 to C: 4 -> 6
    c = compare(solved, small(after_cost))
    assert c.labels == ("before", "after") and c.b.status == "evaluated"
    t = c.table
    assert t.loc["objective", "before"] == pytest.approx(350)
    assert t.loc["objective", "after"] == pytest.approx(350 + 20 * 6 + 50 * 2)
    assert t.loc["objective", "change"] == pytest.approx(220)
    assert (c.sites["in"] == "both").sum() == 2 and len(c.only_in_a) == 0
    assert c.points["cost_change"].tolist() == [0, 6, 0, 0, 2]
    assert t.loc["points farther from their site", "after"] == 2
    assert t.loc["weighted mean cost", "after"] == pytest.approx(570 / 150)
    assert len(c.newly_uncovered) == 0


def test_zones_by_hand():
    inst = small()
    zones = pd.Series(["N", "N", "N", "S", "S"], index=IDS)
    c = compare(
        MCLP.evaluate_plan(inst, ["A", "C"]), MCLP.evaluate_plan(inst, ["B", "D"]), zones=zones
    )
    z = c.zones
    # N (d0-d2, weight 60): a covers all, b covers d2 (30); S (d3-d4, weight 90): a 40, b 50
    assert z.loc["N", "a"] == 1.0 and z.loc["N", "b"] == 0.5
    assert z.loc["S", "a"] == pytest.approx(40 / 90) and z.loc["S", "b"] == pytest.approx(50 / 90)
    assert z.loc["N", "weight_a"] == 60 and z.loc["S", "change"] == pytest.approx(10 / 90)
    pm = erlocate.PMedian(2)
    c2 = compare(
        pm.evaluate_plan(inst, ["A", "C"]), pm.evaluate_plan(inst, ["B", "D"]), zones=zones
    )
    # weighted mean cost per zone: N a (10*1+20*2+30*2)/60, b (10*4+20*3+30*1)/60
    assert c2.zones.loc["N", "a"] == pytest.approx(110 / 60)
    assert c2.zones.loc["N", "b"] == pytest.approx(130 / 60)
    assert c2.zones.attrs["figure"] == "weighted mean cost"


def test_points_of_one_instance_only():
    a = small()
    b = small(COST[:4], IDS[:4], W[:4])  # d4 gone
    c = compare(MCLP.evaluate_plan(a, ["A", "C"]), MCLP.evaluate_plan(b, ["A", "C"]))
    assert c.points.loc["d4", "change"] == "only a"
    assert (c.points["change"].iloc[:4] == "both").all()
    assert len(c.newly_uncovered) == 0
    assert c.table.loc["objective", "change"] == 0  # d4 was not covered


def test_bad_inputs():
    inst = small()
    r = MCLP.evaluate_plan(inst, ["A", "C"])
    with pytest.raises(InputError, match=r"zones: .*no zone for \['d4'\]"):
        compare(r, r, zones=pd.Series(list("NNNS"), index=IDS[:4]))
    with pytest.raises(InputError, match=r"unknown demand ids \['x'\]"):
        compare(r, r, zones=pd.Series(list("NNNSSS"), index=[*IDS, "x"]))
    with pytest.raises(InputError, match="zones: a pandas Series"):
        compare(r, r, zones={"d0": "N"})
    with pytest.raises(InputError, match="labels"):
        compare(r, r, labels=("x", "x"))
    with pytest.raises(InputError, match="a: expected a Result"):
        compare(inst, r)
    with pytest.raises(InputError, match="b: expected a Result or an Instance"):
        compare(r, ["A"])
