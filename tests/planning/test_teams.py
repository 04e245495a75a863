"""TeamAllocation: staffing minima, re-basing, key-zone cover, A/B roles, workloads.

The hand-solved instances are lines of zones: the response time from zone j to
zone i is |x_i - x_j| + 1 minutes (1 minute in-zone), so the sums below are by hand.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate.errors import InfeasibleError, InputError, VerificationError
from erlocate.planning.teams import TeamAllocation, TeamPlan


def line(pos, ids, **kwargs) -> erlocate.Instance:
    pos = np.asarray(pos, dtype=float)
    cost = np.abs(pos[:, None] - pos[None, :]) + 1.0
    return erlocate.Instance.from_matrix(cost, demand_ids=ids, site_ids=ids, **kwargs)


def teams(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "type", "size", "home", "rebasable"]).set_index("id")


# 4 zones D (district) 0, S (sub-district) 3, C1 and C2 (communities) 5 and 9;
# minima 50 + 20 + 10 + 10 = 90; 97 people.
FOUR = dict(pos=[0, 3, 5, 9], ids=["D", "S", "C1", "C2"], weights=[4, 3, 2, 5])
FOUR_LEVELS = ["district", "sub_district", "community", "community"]
FOUR_TEAMS = [
    ("fire", "fire", 24, "D", False),
    ("mil_a", "militia", 30, "D", True),
    ("mil_b", "militia", 20, "D", True),
    ("flood", "flood", 13, "D", True),
    ("comm1", "community", 10, "C1", False),
]


def four(**kwargs) -> tuple[TeamAllocation, erlocate.Instance]:
    model = TeamAllocation(
        teams(kwargs.pop("rows", FOUR_TEAMS)),
        level=FOUR_LEVELS,
        hazards=kwargs.pop("hazards", [None, None, None, "flood"]),
        key=["C2"],
        **kwargs,
    )
    inst = line(FOUR["pos"], FOUR["ids"], weights=FOUR["weights"])
    return model, inst


def test_minima_force_rebasing(backend):
    model, inst = four(move_cost=0.5)
    r = erlocate.solve(model, inst, backend)
    # Deficits after the fixed teams: D 50-24 = 26, S 20, C2 10; movable teams 30, 20, 13.
    # Each of the three zones needs a team of its own, and only the 30 covers D's 26, only
    # 20 or 30 covers S: so mil_a stays at D, mil_b -> S, flood -> C2 (unique).
    # Every zone then has a team in it: primary time 1 each, risk 4+3+2+5 = 14, plus
    # 2 moves × 0.5 = 15. Key zone C2 (flood): flood team in-zone; B role mil_b at S, 7 min.
    assert r.status == "optimal" and r.objective == pytest.approx(15.0)
    rep = model.report(inst, r.plan)
    assert rep["workload"]["station"].to_dict() == {
        "fire": "D",
        "mil_a": "D",
        "mil_b": "S",
        "flood": "C2",
        "comm1": "C1",
    }
    assert rep["rebased"][["from", "to"]].to_dict("index") == {
        "mil_b": {"from": "D", "to": "S"},
        "flood": {"from": "D", "to": "C2"},
    }
    staff = rep["staffing"]
    assert staff["people"].tolist() == [54, 20, 10, 13]
    assert staff["surplus"].tolist() == [4, 0, 0, 3]
    resp = rep["responders"]
    assert resp.loc["C2", ["primary", "backup", "backup_time"]].tolist() == ["flood", "mil_b", 7]
    assert resp.loc["D", ["primary", "backup"]].tolist() == ["fire", "mil_a"]
    cover = rep["hazard_coverage"]
    assert cover[["zone", "hazard", "team", "time", "met"]].values.tolist() == [
        ["C2", "flood", "flood", 1.0, True]
    ]


# 4 zones A (town) 0, B 2, C 6 (hamlets: no minimum) and D (town) 8; risk 1, 5, 3, 1.
# Militia T1, T2 (20 each, re-basable, home A); fire T3 and community T4 (10 each, fixed at D).
HAMLETS = dict(pos=[0, 2, 6, 8], ids=["A", "B", "C", "D"], weights=[1, 5, 3, 1])
HAMLET_TEAMS = [
    ("T1", "militia", 20, "A", True),
    ("T2", "militia", 20, "A", True),
    ("T3", "fire", 10, "D", False),
    ("T4", "community", 10, "D", False),
]


def hamlets(rows=HAMLET_TEAMS, **kwargs) -> tuple[TeamAllocation, erlocate.Instance]:
    levels = ["town", "hamlet", "hamlet", "town"]
    model = TeamAllocation(teams(rows), level=levels, minima={"hamlet": 0}, **kwargs)
    return model, line(HAMLETS["pos"], HAMLETS["ids"], weights=HAMLETS["weights"])


def test_free_team_goes_where_risk_is(backend):
    model, inst = hamlets()
    r = erlocate.solve(model, inst, backend)
    # One militia team must stay at A (minimum 20); the other goes to X:
    #   X in {A, D}: 1·1 + 5·3 + 3·3 + 1·1 = 26;  X = B: 1 + 5·1 + 3·3 (from D) + 1 = 16;
    #   X = C: 1 + 5·3 + 3·1 + 1 = 20.  Optimum 16 with a militia team at B.
    assert r.objective == pytest.approx(16.0)
    station = model.report(inst, r.plan)["workload"]["station"]
    assert sorted(station[["T1", "T2"]]) == ["A", "B"]


def test_key_zone_pulls_a_militia_team(backend):
    # C is key and faces flood (flood crews or militia); militia standard 4 min: only a
    # station at C (1 min) or D (3 min) qualifies. The free team goes to C: 1 + 15 + 3 + 1 = 20
    # (D would give 26).
    model, inst = hamlets(
        hazards=[[], [], ["flood"], []], key=["C"], backup=False, standards={"militia": 4}
    )
    r = erlocate.solve(model, inst, backend)
    assert r.objective == pytest.approx(20.0)
    cover = model.report(inst, r.plan)["hazard_coverage"]
    assert cover[["zone", "hazard", "type", "time", "standard", "met"]].values.tolist() == [
        ["C", "flood", "militia", 1.0, 4.0, True]
    ]


def test_key_zone_needs_two_teams_then_infeasible():
    # Same, with A/B roles: two flood/militia teams within 4 min of C would leave A short
    # of its 20 people; the data checks pass (each team alone could go), the solver says no.
    model, inst = hamlets(hazards=[[], [], ["flood"], []], key=["C"], standards={"militia": 4})
    with pytest.raises(InfeasibleError, match="proved the model infeasible"):
        erlocate.solve(model, inst)


def test_workload_cap(backend):
    # A (town, 0) with militia T1 (20, fixed); B, C, D hamlets at 1, 2, 3; risk 1, 10, 1, 1;
    # volunteer T2 (5, re-basable). Uncapped: T2 at B serves B, C, D: 1 + 10 + 2 + 3 = 16.
    # Cap 2 zones per team: T2 at B takes B and one of C (2) / D (3), A takes the other
    # (C from A 3, D from A 4): 1 + 10 + 2 + 4 = 1 + 10 + 3 + 3 = 17. (T2 at C: 24 at best.)
    rows = [("T1", "militia", 20, "A", False), ("T2", "volunteer", 5, "A", True)]
    inst = line([0, 1, 2, 3], ["A", "B", "C", "D"], weights=[1, 10, 1, 1])
    levels = ["town", "hamlet", "hamlet", "hamlet"]
    free = TeamAllocation(teams(rows), level=levels, minima={"hamlet": 0})
    assert erlocate.solve(free, inst, backend).objective == pytest.approx(16.0)
    capped = TeamAllocation(teams(rows), level=levels, minima={"hamlet": 0}, workload_cap=2)
    r = erlocate.solve(capped, inst, backend)
    assert r.objective == pytest.approx(17.0)
    assert capped.report(inst, r.plan)["workload"]["primary_for"].tolist() == [2, 2]


def test_nested_minima(backend):
    # D (district 50) > S (sub-district 20) > C (community 10) at 0, 2, 4. Teams: militia
    # T1 30 at D and community T2 10 at C (fixed), militia T3 10 at D (re-basable).
    # Not nested the minima add up to 80 > 50 people. Nested: D's subtree has 50; S's needs
    # 20 = C's 10 + T3, so T3 re-bases to S (1+1+1 = 3) rather than C (S then 3 away: 5).
    rows = [
        ("T1", "militia", 30, "D", False),
        ("T2", "community", 10, "C", False),
        ("T3", "militia", 10, "D", True),
    ]
    inst = line([0, 2, 4], ["D", "S", "C"])
    kwargs = dict(level=["district", "sub_district", "community"])
    with pytest.raises(InfeasibleError, match="minima need 80 people; 50 available"):
        erlocate.solve(TeamAllocation(teams(rows), **kwargs), inst, backend)
    nested = TeamAllocation(teams(rows), nested=True, parent=[None, "D", "S"], **kwargs)
    r = erlocate.solve(nested, inst, backend)
    assert r.objective == pytest.approx(3.0)
    staff = nested.report(inst, r.plan)["staffing"]
    assert staff["people"].tolist() == [50, 20, 10]


def test_rebase_radius(backend):
    # As test_free_team_goes_where_risk_is, but teams may move at most 4 minutes from A:
    # B (3 min) is allowed, so the answer stays 16; with radius 2 nobody can move (26).
    model, inst = hamlets(rebase_radius=4)
    assert erlocate.solve(model, inst, backend).objective == pytest.approx(16.0)
    model, inst = hamlets(rebase_radius=2)
    assert erlocate.solve(model, inst, backend).objective == pytest.approx(26.0)


# ---------------------------------------------------------------------- infeasible data
def test_minima_message_small_case():
    rows = [r for r in FOUR_TEAMS if r[0] != "mil_a"]  # 97 - 30 = 67 people
    model, inst = four(rows=rows)
    with pytest.raises(
        InfeasibleError,
        match=r"staffing minima need 90 people; 67 available \(district 1 × 50, sub_district 1 × 20, "
        r"community 2 × 10; 4 teams\)",
    ):
        erlocate.solve(model, inst)


def test_district_arithmetic():
    # 1 district zone + 1 town + 5 sub-districts + 120 communities, professional forces
    # only (BRIEF.md: fire 24, forest rangers 7, flood 13, patrol 192, militia 607 = 843):
    # 50 + 6 × 20 + 120 × 10 = 1,370.
    ids = ["district"] + [f"unit{k}" for k in range(6)] + [f"c{k}" for k in range(120)]
    levels = ["district", "town"] + ["sub_district"] * 5 + ["community"] * 120
    rng = np.random.default_rng(0)
    xy = rng.random((127, 2)) * 8
    cost = np.linalg.norm(xy[:, None] - xy[None], axis=2) * 3 + 1
    inst = erlocate.Instance.from_matrix(cost, demand_ids=ids, site_ids=ids)
    forces = [
        ("fire", "fire", 24, "district", True),
        ("rangers", "forest rangers", 7, "unit0", True),
        ("flood", "flood", 13, "district", True),
        ("patrol", "patrol", 192, "district", True),
        ("militia", "militia", 607, "district", True),
    ]
    with pytest.raises(InfeasibleError, match="minima need 1,370 people; 843 available"):
        erlocate.solve(TeamAllocation(teams(forces), level=levels), inst)


def fixed_four(*movable: str, extra=()) -> list[tuple]:
    """FOUR_TEAMS with only the named teams re-basable, plus extra teams."""
    return [(*r[:4], r[0] in movable) for r in FOUR_TEAMS] + list(extra)


def test_zone_that_cannot_be_staffed():
    # Only the flood crew (13) may move; S needs 20 (97 people in all pass the first check).
    model, inst = four(rows=fixed_four("flood"))
    with pytest.raises(
        InfeasibleError,
        match=r"zone 'S' \(sub_district\) needs 20 people but at most 13 can be stationed there",
    ):
        erlocate.solve(model, inst)


def test_fixed_surplus_cannot_move():
    # Only mil_b (20) may move. S (20) or C2 (10) alone could be staffed, not both:
    # deficits 20 + 10 = 30 > 20, while D's fixed 24 + 30 + 13 = 67 has 17 to spare.
    model, inst = four(rows=fixed_four("mil_b"))
    with pytest.raises(
        InfeasibleError,
        match=r"after the fixed \(non-re-basable\) teams, staffing minima still need 30 people "
        r"in 2 zone\(s\) \['S', 'C2'\]; the re-basable teams hold 20",
    ):
        erlocate.solve(model, inst)


def test_more_short_zones_than_movable_teams():
    # Only mil_a (60) may move: it could cover the 30 people S and C2 lack, but it can sit in
    # one zone only (127 people >= 90 needed, so the head-count checks pass).
    rows = [(*r[:4], False) for r in FOUR_TEAMS]
    rows[1] = ("mil_a", "militia", 60, "D", True)
    model, inst = four(rows=rows)
    with pytest.raises(
        InfeasibleError,
        match=r"after the fixed \(non-re-basable\) teams, 2 zone\(s\) are still short of their "
        r"minimum \(30 people in all\), but only 1 team\(s\) can re-base and each fills one "
        r"zone: \['S', 'C2'\]",
    ):
        erlocate.solve(model, inst)


def test_key_zone_out_of_reach():
    # Flood crew and militia standard 3 min; they are fixed at D, 10 min from the key zone C2.
    extra = [("v", "volunteer", 10, "C2", False), ("v2", "volunteer", 30, "S", False)]
    model, inst = four(rows=fixed_four(extra=extra), standards={"flood": 3, "militia": 3})
    with pytest.raises(
        InfeasibleError,
        match=r"key zone\(s\) \['C2'\] face flood but no professional team of a suitable type "
        r"\(flood 3 min, militia 3 min\) can be stationed within its standard, even if re-based",
    ):
        erlocate.solve(model, inst)


def test_workload_precheck():
    rows = [("T1", "militia", 20, "A", False), ("T2", "volunteer", 5, "A", True)]
    inst = line([0, 1, 2, 3], ["A", "B", "C", "D"])
    model = TeamAllocation(
        teams(rows),
        level=["town", "hamlet", "hamlet", "hamlet"],
        minima={"hamlet": 0},
        workload_cap=1,
    )
    with pytest.raises(InfeasibleError, match=r"workload: 2 teams × at most 1 zones each = 2 < 4"):
        erlocate.solve(model, inst)


# ---------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            dict(level=["district", "sub_district", "community", "hamlet"]),
            "level",
            r"level: unknown administrative level\(s\) \['hamlet'\]",
        ),
        (
            dict(rows=[("x", "wizard", 10, "D", False), *FOUR_TEAMS]),
            "teams.type",
            r"teams.type: unknown team type\(s\) \['wizard'\]",
        ),
        (
            dict(rows=[("x", "fire", 0, "D", False), *FOUR_TEAMS]),
            "teams.size",
            r"teams.size: team sizes must be positive numbers of people; bad for teams \['x'\]",
        ),
        (
            dict(rows=[("x", "fire", 5, "Z", False), *FOUR_TEAMS]),
            "teams.home",
            r"teams.home: unknown zone ids \['Z'\]",
        ),
        (
            dict(hazards=["tsunami", None, None, None]),
            "hazards",
            r"hazards: unknown hazard\(s\) \['tsunami'\]",
        ),
        (dict(key=["nowhere"]), "key", r"key: unknown zone ids \['nowhere'\]"),
        (
            dict(nested=True, parent=["S", "D", "S", "S"]),
            "parent",
            "parent: the zone hierarchy has a cycle",
        ),
        (
            dict(minima={"village": -1}),
            "minima",
            r"minima: 'village' -> -1; each value must be a finite number >= 0",
        ),
        (dict(workload_cap=0), "workload_cap", "workload_cap: must be >= 1, got 0"),
        (
            dict(standards={"fire": 0}),
            "standards",
            r"standards: 'fire' -> 0; each value must be a finite number > 0",
        ),
    ],
)
def test_bad_inputs(change, field, message):
    kwargs = dict(
        level=FOUR_LEVELS, hazards=[None, None, None, "flood"], key=["C2"], rows=FOUR_TEAMS
    )
    kwargs.update(change)
    rows = kwargs.pop("rows")
    with pytest.raises(InputError, match=message) as info:  # at construction or at solve
        erlocate.solve(TeamAllocation(teams(rows), **kwargs), line(FOUR["pos"], FOUR["ids"]))
    assert info.value.field == field


def test_other_prechecks():
    # A/B roles: C2 faces fire, which only the one fire team answers (it may re-base there).
    rows = fixed_four("fire", "mil_a", "mil_b", "flood")
    model, inst = four(rows=rows, hazards=[None, None, None, "fire"])
    with pytest.raises(
        InfeasibleError,
        match=r"backup \(A/B\) cover: key zone\(s\) \['C2'\] can have at most 1 distinct "
        r"suitable team\(s\) within standard, 2 needed",
    ):
        erlocate.solve(model, inst)
    # every zone must reach a zone where a team can be stationed within max_response
    model, inst = hamlets(rows=[(*r[:4], False) for r in HAMLET_TEAMS], max_response=2.5)
    with pytest.raises(
        InfeasibleError,
        match=r"2 zone\(s\) reach no zone where a team can be stationed within 2\.5, so they "
        r"get no primary responder: zone ids \['B', 'C'\]\. Plan the rest with "
        r"instance\.drop_demand\(ids\)",
    ):
        erlocate.solve(model, inst)


def test_hazard_flags_and_warm_start(backend):
    # Hazards as a boolean DataFrame (zones × hazards); a warm start from a solved plan.
    model, inst = four()
    flags = pd.DataFrame({"flood": [False, False, False, True], "fire": False}, index=FOUR["ids"])
    flagged = TeamAllocation(teams(FOUR_TEAMS), level=FOUR_LEVELS, hazards=flags, key=["C2"])
    r = erlocate.solve(flagged, inst, backend)
    assert r.objective == pytest.approx(14.0)
    again = erlocate.solve(model, inst, backend, warm_start=r)
    assert again.objective == pytest.approx(14.0)
    milp = model.build(inst)
    assert milp.max_violation(model.encode(inst, milp, r.plan)) == 0


def test_instance_must_be_zones_by_zones():
    inst = erlocate.Instance.from_matrix(np.ones((4, 2)), demand_ids=FOUR["ids"])
    model = TeamAllocation(teams(FOUR_TEAMS), level=FOUR_LEVELS)
    with pytest.raises(InputError, match="square zones × zones instance") as info:
        erlocate.solve(model, inst)
    assert info.value.field == "instance"


def test_frame_columns_and_aliases(backend):
    # Attributes read from instance.demand_frame; hazard strings and type aliases normalised.
    inst = line(FOUR["pos"], FOUR["ids"], weights=FOUR["weights"])
    frame = pd.DataFrame(
        {
            "level": ["District", "sub-district", "community", "Community"],
            "hazards": ["", None, None, "Flood"],
            "key": [False, False, False, True],
        },
        index=inst.demand_ids,
    )
    inst = inst.with_frames(demand_frame=frame)
    rows = [(*r[:1], "Fire Rescue" if r[1] == "fire" else r[1], *r[2:]) for r in FOUR_TEAMS]
    model = TeamAllocation(teams(rows), hazards="hazards", key="key")
    assert erlocate.solve(model, inst, backend).objective == pytest.approx(14.0)


# ---------------------------------------------------------------------- verification
def test_corrupted_plans_rejected():
    model, inst = four()
    r = erlocate.solve(model, inst)
    plan: TeamPlan = r.plan
    # mil_b back home: S loses its 20 people.
    station = plan.station.copy()
    station[2] = 0
    bad = dataclasses.replace(plan, station=station)
    with pytest.raises(VerificationError, match="staffing below the minimum"):
        dataclasses.replace(r, plan=bad).verify()
    # a fixed team moved
    station = plan.station.copy()
    station[4] = 3
    with pytest.raises(VerificationError, match=r"fixed \(non-re-basable\) teams moved"):
        dataclasses.replace(r, plan=dataclasses.replace(plan, station=station)).verify()
    # the B role of the key zone C2 set to its A role
    backup = plan.backup.copy()
    backup[3] = plan.primary[3]
    with pytest.raises(VerificationError, match="backup \\(B\\) responder"):
        dataclasses.replace(r, plan=dataclasses.replace(plan, backup=backup)).verify()
    # a wrong objective
    with pytest.raises(VerificationError, match="objective recomputed"):
        dataclasses.replace(r, objective=r.objective - 1).verify()
