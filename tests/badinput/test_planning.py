"""Battery: the four planning models' parameters and the instances they are solved on.

Family ``planning``: bad constructor parameters of FireStations, Shelters, Depots
and TeamAllocation (strings for numbers, NaN, inf, negatives, booleans where numbers
are expected, unknown choices, wrong-typed tables and mappings, per-item values that
are not numbers), assignment after construction (``FrozenError``), and instances that
lack what the model needs at solve time (frame columns, labels that are not the
instance's ids, wrong lengths, a non-square team instance). Each case must raise the
typed error naming the field, at construction where no instance is needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

import erlocate
from erlocate.errors import FrozenError, InputError
from erlocate.planning import Depots, FireStations, Shelters, TeamAllocation
from erlocate.planning.firestations import station_types
from tests.badinput.battery import Case, check, params

D_IDS = ["a", "b", "c", "d"]
S_IDS = ["x", "y", "z"]
COST = np.array([[1.0, 3.0, 6.0], [2.0, 1.0, 5.0], [5.0, 2.0, 1.0], [6.0, 4.0, 2.0]])
WRONG_D = pd.Series([1.0, 1.0, 1.0, 1.0], index=["a", "b", "c", "e"])  # 'e' is not an id
WRONG_S = pd.Series([100.0, 100.0, 100.0], index=["x", "y", "w"])  # 'w' is not an id


def inst4(**kw) -> erlocate.Instance:
    """4 demand points × 3 sites, everyone within 2 of some site."""
    args = {"demand_ids": D_IDS, "site_ids": S_IDS, "weights": [10.0, 20.0, 30.0, 40.0], **kw}
    return erlocate.Instance.from_matrix(COST, **args)


ZONES = ["A", "B", "C"]


def zones3() -> erlocate.Instance:
    """3 zones on a line at 0, 2, 4: response time |x_i - x_j| + 1 minutes."""
    pos = np.array([0.0, 2.0, 4.0])
    cost = np.abs(pos[:, None] - pos[None, :]) + 1.0
    return erlocate.Instance.from_matrix(cost, demand_ids=ZONES, site_ids=ZONES)


TEAMS = pd.DataFrame(
    {
        "type": ["fire", "community", "community"],
        "size": [30, 10, 10],
        "home": ZONES,
        "rebasable": [False, False, True],
    },
    index=pd.Index(["t1", "t2", "t3"], name="id"),
)
CATS = pd.DataFrame(
    {"per_person": [1.0], "space_per_unit": [1.0], "holding_cost": [1.0]}, index=["food"]
)
CONTRACT = pd.DataFrame(
    {
        "supplier": ["L"],
        "category": ["food"],
        "capacity": [10.0],
        "retainer": [1.0],
        "lead_time": [6.0],
    }
)
BASE = {
    FireStations: {"area": [1.0, 1.0, 1.0, 1.0]},
    Shelters: {"share": 0.5, "area": [100.0, 100.0, 100.0]},
    Depots: {
        "categories": CATS,
        "site_tier": "district",
        "units_requiring": None,
        "cost_unit": "hours",
        "capacity": 1000.0,
        "fixed_cost": 1.0,
    },
    TeamAllocation: {"teams": TEAMS, "level": ["hamlet"] * 3, "minima": {"hamlet": 0}},
}
INSTANCE = {FireStations: inst4, Shelters: inst4, Depots: inst4, TeamAllocation: zones3}


def build(model, **kw):
    return model(**{**BASE[model], **kw})


def bad(model, name: str, field: str, **kw) -> Case:
    """A constructor call that must raise InputError naming ``field``."""
    return Case(
        "planning", f"{model.__name__}-{name}", lambda: build(model, **kw), InputError, field
    )


def at_solve(model, name: str, field: str, instance=None, **kw) -> Case:
    """A model that builds but must be refused at solve time on ``instance`` (default: its own)."""

    def call():
        m = build(model, **kw)  # must build: the fault is in the data it meets
        return erlocate.solve(m, (instance or INSTANCE[model])())

    return Case("planning", f"{model.__name__}-solve-{name}", call, InputError, field)


def assign(model, name, value):
    setattr(build(model), name, value)


def frozen(model, name: str, value) -> Case:
    return Case(
        "planning",
        f"{model.__name__}-frozen-{name}",
        lambda: assign(model, name, value),
        FrozenError,
        name,
    )


NAN, INF = float("nan"), float("inf")
CASES: list[Case] = []

# ---------------------------------------------------------------------- FireStations
FS = FireStations
for label, v in {"str": "5", "nan": NAN, "negative": -1.0, "inf": INF, "bool": True}.items():
    CASES.append(bad(FS, f"standard-{label}", "standard", standard=v))
for label, v in {"str": "1", "nan": NAN, "negative": -1.0, "above-standard": 6.0}.items():
    CASES.append(bad(FS, f"turnout-{label}", "turnout", turnout=v))
for label, v in {
    "unknown": "cover",
    "upper": "COVER_ALL",
    "none": None,
    "list": ["cover_all"],
}.items():
    CASES.append(bad(FS, f"mode-{label}", "mode", mode=v))
for label, v in {"str": "100", "nan": NAN, "negative": -5.0, "bool": True}.items():
    CASES.append(bad(FS, f"budget-{label}", "budget", mode="max_cover", budget=v))
for label, v in {"fraction": 2.5, "str": "2", "bool": True, "negative": -1}.items():
    CASES.append(bad(FS, f"max_new-{label}", "max_new", max_new=v))
CASES += [
    bad(FS, "second_cover-unknown", "second_cover", second_cover="twice"),
    bad(FS, "second_cover-bool", "second_cover", second_cover=True),
    bad(FS, "second_weight-str", "second_weight", second_cover="objective", second_weight="0.5"),
    bad(FS, "second_weight-nan", "second_weight", second_cover="objective", second_weight=NAN),
    bad(FS, "allow_blank-str", "allow_blank", allow_blank="no"),
    bad(FS, "allow_blank-int", "allow_blank", allow_blank=1),
    bad(FS, "closest-str", "closest", closest="yes"),
    bad(FS, "count_existing-none", "count_existing", count_existing=None),
    bad(FS, "types-str", "types", types="types.csv"),
    bad(FS, "types-dict", "types", types={"class1": {"cost": 30}}),
    bad(FS, "types-missing-column", "types", types=station_types().drop(columns="crew")),
    bad(FS, "types-cost-str", "types", types=station_types().assign(cost="30")),
    bad(FS, "types-cost-nan", "types", types=station_types().assign(cost=NAN)),
    bad(
        FS, "types-default-allowed-str", "types", types=station_types().assign(default_allowed="no")
    ),
    bad(FS, "area-none", "area", area=None),
    bad(FS, "area-scalar", "area", area=5.0),
    bad(FS, "area-mixed-str", "area", area=[1.0, "x", 1.0, 1.0]),
    bad(FS, "area-bools", "area", area=[True, False, True, True]),
    bad(FS, "area-negative", "area", area=[1.0, -1.0, 1.0, 1.0]),
    bad(FS, "area-inf", "area", area=[1.0, INF, 1.0, 1.0]),
    bad(FS, "area-dict", "area", area={"a": 1.0}),
    bad(FS, "population-bool", "population", population=True),
    bad(FS, "allowed-int", "allowed", allowed=5),
    bad(FS, "existing_types-bool", "existing_types", existing_types=True),
    bad(FS, "second_points-dict", "second_points", second_points={"a": True}),
    Case(
        "planning",
        "FireStations-replace-standard-str",
        lambda: build(FS).replace(standard="5"),
        InputError,
        "standard",
    ),
    frozen(FS, "standard", 6.0),
    frozen(FS, "mode", "max_cover"),
    at_solve(FS, "area-column-absent", "area", area="area"),
    at_solve(FS, "area-series-wrong-labels", "area", area=WRONG_D),
    at_solve(FS, "area-series-missing-label", "area", area=WRONG_D.iloc[:3].rename({"e": "d"})),
    at_solve(FS, "area-wrong-length", "area", area=[1.0, 1.0, 1.0]),
    at_solve(FS, "population-series-wrong-labels", "population", population=WRONG_D),
    at_solve(FS, "population-strings", "population", population=["1", "2", "3", "4"]),
    at_solve(FS, "allowed-unknown-site", "allowed", allowed={"w": "class1"}),
    at_solve(FS, "allowed-unknown-type", "allowed", allowed={"x": "class9"}),
    at_solve(
        FS,
        "allowed-series-wrong-labels",
        "allowed",
        allowed=pd.Series(["class1", "class2", "small"], index=["x", "y", "w"]),
    ),
    at_solve(
        FS,
        "allowed-frame-extra-row",
        "allowed",
        allowed=pd.DataFrame({"class1": [True] * 4}, index=["x", "y", "z", "w"]),
    ),
    at_solve(FS, "allowed-column-absent", "allowed", allowed="kinds"),
    at_solve(FS, "existing_types-unknown-site", "existing_types", existing_types={"w": "class1"}),
    at_solve(FS, "second_points-unknown-id", "second_points", second_points=["e"]),
]

# ---------------------------------------------------------------------- Shelters
SH = Shelters
for label, v in {
    "nan": NAN,
    "above-1": 1.5,
    "negative": -0.1,
    "bool": True,
    "inf": INF,
    "mixed-str": [0.3, "x", 0.3, 0.3],
    "none": None,
}.items():
    CASES.append(bad(SH, f"share-{label}", "share", share=v))
CASES += [
    bad(SH, "share-empty-mapping", "share", share={}),
    bad(SH, "share-mapping-above-1", "share", share={"base": 2.0}),
]
for label, v in {"str": "2", "fraction": 2.5, "bool": True, "negative": -1}.items():
    CASES.append(bad(SH, f"new-{label}", "new", new=v))
CASES += [
    bad(SH, "exact_new-str", "exact_new", new=1, exact_new="yes"),
    bad(SH, "exact_new-without-new", "exact_new", exact_new=True),
    bad(SH, "closest-int", "closest", closest=1),
    bad(SH, "allow_unhoused-none", "allow_unhoused", allow_unhoused=None),
    bad(SH, "cost_unit-unknown", "cost_unit", cost_unit="km"),
    bad(SH, "cost_unit-none", "cost_unit", cost_unit=None),
    bad(SH, "ties-unknown", "ties", ties="nearest"),
    bad(SH, "ties-bool", "ties", ties=True),
    bad(SH, "classes-str", "classes", classes="default"),
    bad(
        SH, "classes-missing-column", "classes", classes=pd.DataFrame({"x": [1.0]}, index=["fixed"])
    ),
    bad(
        SH,
        "classes-m2-str",
        "classes",
        classes=pd.DataFrame({"m2_per_person": ["2"], "max_walk_minutes": [60.0]}, index=["fixed"]),
    ),
    bad(
        SH,
        "classes-m2-zero",
        "classes",
        classes={"fixed": {"m2_per_person": 0.0, "max_walk_minutes": 60.0}},
    ),
    bad(SH, "walk_bands-str", "walk_bands", walk_bands="10,30"),
    bad(SH, "walk_bands-nan", "walk_bands", walk_bands=[10.0, NAN]),
    bad(SH, "walk_bands-negative", "walk_bands", walk_bands=[-5.0]),
    bad(SH, "walk_bands-bool", "walk_bands", walk_bands=[True]),
    bad(SH, "area-negative", "area", area=-5.0),
    bad(SH, "area-mixed-str", "area", area=[100.0, "x", 100.0]),
    bad(SH, "area-bool", "area", area=True),
    bad(SH, "population-negative", "population", population=[1.0, -1.0, 1.0, 1.0]),
    bad(SH, "site_class-int", "site_class", site_class=5),
    frozen(SH, "share", 0.4),
    frozen(SH, "new", 2),
    at_solve(SH, "share-column-absent", "share", share="0.3"),
    at_solve(SH, "share-wrong-length", "share", share=[0.3, 0.3]),
    at_solve(SH, "share-series-wrong-labels", "share", share=WRONG_D * 0.3),
    at_solve(SH, "population-series-wrong-labels", "population", population=WRONG_D),
    at_solve(SH, "population-column-absent", "population", population="pop"),
    at_solve(SH, "area-series-wrong-labels", "area", area=WRONG_S),
    at_solve(SH, "area-wrong-length", "area", area=[100.0, 100.0]),
    at_solve(SH, "area-column-absent", "area", area="usable_area_m2"),
    at_solve(SH, "area-no-capacity-at-all", "area", area=None),
    at_solve(SH, "site_class-unknown", "site_class", site_class="hut"),
    at_solve(
        SH,
        "site_class-series-wrong-labels",
        "site_class",
        site_class=pd.Series(["fixed"] * 3, index=["x", "y", "w"]),
    ),
    at_solve(SH, "exact_new-too-many", "new", new=5, exact_new=True),
]

# ---------------------------------------------------------------------- Depots
DP = Depots
for label, v in {"str": "10", "nan": NAN, "negative": -1.0, "inf": INF, "bool": True}.items():
    CASES.append(bad(DP, f"relief_time-{label}", "relief_time", relief_time=v))
for label, v in {"str": "10", "nan": NAN, "negative": -1.0}.items():
    CASES.append(bad(DP, f"transport_rate-{label}", "transport_rate", transport_rate=v))
for label, v in {
    "str": "district",
    "fraction": {"district": 1.5},
    "bool": {"district": True},
    "unknown-tier": {"palace": 1},
    "negative": {"district": -1},
}.items():
    CASES.append(bad(DP, f"min_per_tier-{label}", "min_per_tier", min_per_tier=v))
CASES += [
    bad(DP, "cost_unit-unknown", "cost_unit", cost_unit="days"),
    bad(DP, "transport-unknown", "transport", transport="mean"),
    bad(DP, "on_excluded_required-unknown", "on_excluded_required", on_excluded_required="skip"),
    bad(DP, "integer_stock-str", "integer_stock", integer_stock="yes"),
    bad(DP, "aggregate-int", "aggregate", aggregate=1),
    bad(DP, "min_per_unit-negative", "min_per_unit", min_per_unit=-1),
    bad(DP, "min_per_unit-str", "min_per_unit", min_per_unit="1"),
    bad(DP, "min_per_unit-bool", "min_per_unit", min_per_unit=True),
    bad(DP, "max_per_unit-below-min", "max_per_unit", min_per_unit=2, max_per_unit=1),
    bad(DP, "unit_tier-unknown", "unit_tier", units_requiring="all", unit_tier="palace"),
    bad(DP, "units_requiring-int", "units_requiring", units_requiring=5),
    bad(DP, "units_requiring-str", "units_requiring", units_requiring="some"),
    bad(DP, "probabilities-sum", "probabilities", probabilities=[0.5, 0.4]),
    bad(DP, "probabilities-str", "probabilities", probabilities="equal"),
    bad(DP, "probabilities-mixed-str", "probabilities", probabilities=[0.5, "0.5"]),
    bad(DP, "probabilities-mapping-str", "probabilities", probabilities={"base": "1"}),
    bad(DP, "categories-str", "categories", categories="all"),
    bad(
        DP, "categories-missing-column", "categories", categories=CATS.drop(columns="holding_cost")
    ),
    bad(DP, "categories-per_person-str", "categories", categories=CATS.assign(per_person="1")),
    bad(
        DP,
        "tiers-negative-capacity",
        "tiers",
        tiers=erlocate.planning.depot_tiers().assign(capacity=-1.0),
    ),
    bad(DP, "contracts-list", "contracts", contracts=[("L", "food", 10.0)]),
    bad(DP, "contracts-missing-column", "contracts", contracts=CONTRACT.drop(columns="lead_time")),
    bad(DP, "contracts-unknown-category", "contracts", contracts=CONTRACT.assign(category="water")),
    bad(DP, "contracts-capacity-str", "contracts", contracts=CONTRACT.assign(capacity="10")),
    bad(DP, "affected-int", "affected", affected=5),
    bad(
        DP,
        "affected-mapping-negative",
        "affected[flood]",
        affected={"flood": [1.0, -1.0, 0.0, 0.0]},
    ),
    bad(
        DP,
        "affected-frame-str",
        "affected",
        affected=pd.DataFrame({"flood": ["1"] * 4}, index=D_IDS),
    ),
    bad(DP, "needs-str", "needs", needs="double"),
    bad(DP, "needs-unknown-category", "needs", needs=pd.DataFrame({"base": {"water": 1.0}})),
    bad(DP, "capacity-bool", "capacity", capacity=True),
    bad(DP, "capacity-negative", "capacity", capacity=-5.0),
    bad(DP, "capacity-mixed-str", "capacity", capacity=[1.0, "x", 1.0]),
    bad(DP, "fixed_cost-nan", "fixed_cost", fixed_cost=NAN),
    bad(DP, "handling_time-inf", "handling_time", handling_time=INF),
    bad(DP, "site_tier-int", "site_tier", site_tier=5),
    bad(DP, "exclude_near-distance-str", "exclude_near", exclude_near=(shapely.Point(0, 0), "500")),
    bad(DP, "exclude_near-distance-nan", "exclude_near", exclude_near=(shapely.Point(0, 0), NAN)),
    bad(DP, "exclude_near-number", "exclude_near", exclude_near=500),
    frozen(DP, "relief_time", 5.0),
    frozen(DP, "min_per_tier", {"district": 2}),
    at_solve(DP, "capacity-series-wrong-labels", "capacity", capacity=WRONG_S * 10),
    at_solve(DP, "fixed_cost-wrong-length", "fixed_cost", fixed_cost=[1.0, 1.0]),
    at_solve(
        DP,
        "affected-frame-foreign-rows",
        "affected",
        affected=pd.DataFrame({"base": [1.0] * 5}, index=[*D_IDS, "e"]),
    ),
    at_solve(
        DP,
        "affected-frame-missing-rows",
        "affected",
        affected=pd.DataFrame({"base": [1.0] * 3}, index=D_IDS[:3]),
    ),
    at_solve(DP, "affected-series-wrong-labels", "affected[base]", affected={"base": WRONG_D}),
    at_solve(DP, "affected-column-absent", "affected[flood]", affected=["flood"]),
    at_solve(
        DP, "scenario_costs-shape", "scenario_costs", scenario_costs={"base": np.ones((2, 3))}
    ),
    at_solve(
        DP,
        "scenario_costs-frame-foreign-ids",
        "scenario_costs",
        scenario_costs={"base": pd.DataFrame(COST, index=["a", "b", "c", "e"], columns=S_IDS)},
    ),
    at_solve(
        DP, "scenario_costs-unknown-scenario", "scenario_costs", scenario_costs={"flood": COST}
    ),
    at_solve(DP, "probabilities-unknown-scenario", "probabilities", probabilities={"flood": 1.0}),
    at_solve(DP, "site_tier-column-absent", "site_tier", site_tier="tier_col"),
    at_solve(DP, "unit-column-absent", "unit", units_requiring="all"),
    at_solve(DP, "excluded-column-absent", "excluded", excluded="flooded"),
    at_solve(DP, "excluded-str-flags", "excluded", excluded=["no", "no", "yes"]),
    at_solve(
        DP, "exclude_within-no-geometry", "exclude_within", exclude_within=shapely.box(0, 0, 1, 1)
    ),
]

# ---------------------------------------------------------------------- TeamAllocation
TA = TeamAllocation
for label, v in {"str": "3", "fraction": 2.5, "bool": True, "zero": 0}.items():
    CASES.append(bad(TA, f"workload_cap-{label}", "workload_cap", workload_cap=v))
for label, v in {"str": "5", "nan": NAN, "negative": -1.0}.items():
    CASES.append(bad(TA, f"rebase_radius-{label}", "rebase_radius", rebase_radius=v))
CASES += [
    bad(TA, "teams-str", "teams", teams="teams.csv"),
    bad(TA, "teams-missing-home", "teams", teams=TEAMS.drop(columns="home")),
    bad(TA, "teams-duplicate-ids", "teams", teams=pd.concat([TEAMS, TEAMS.iloc[:1]])),
    bad(TA, "teams-size-str", "teams.size", teams=TEAMS.assign(size=["30", "10", "10"])),
    bad(TA, "teams-size-zero", "teams.size", teams=TEAMS.assign(size=[30, 0, 10])),
    bad(
        TA, "teams-type-unknown", "teams.type", teams=TEAMS.assign(type=["wizard", "fire", "fire"])
    ),
    bad(
        TA,
        "teams-rebasable-str",
        "teams.rebasable",
        teams=TEAMS.assign(rebasable=["no", "no", "yes"]),
    ),
    bad(TA, "max_response-str", "max_response", max_response="10"),
    bad(TA, "max_response-bool", "max_response", max_response=True),
    bad(TA, "move_cost-inf", "move_cost", move_cost=INF),
    bad(TA, "move_cost-str", "move_cost", move_cost="0.5"),
    bad(TA, "move_cost-negative", "move_cost", move_cost=-1.0),
    bad(TA, "backup-str", "backup", backup="yes"),
    bad(TA, "nested-int", "nested", nested=1),
    bad(TA, "nested-without-parent", "parent", nested=True),
    bad(TA, "minima-str", "minima", minima="30"),
    bad(TA, "minima-negative", "minima", minima={"hamlet": -5}),
    bad(TA, "minima-value-str", "minima", minima={"hamlet": "0"}),
    bad(TA, "standards-zero", "standards", standards={"fire": 0}),
    bad(TA, "standards-value-str", "standards", standards={"fire": "5"}),
    bad(TA, "standards-list", "standards", standards=[5.0]),
    bad(TA, "compatibility-str", "compatibility", compatibility="fire"),
    bad(TA, "compatibility-unknown-type", "compatibility", compatibility={"flood": ["wizard"]}),
    bad(TA, "professional-int", "professional", professional=5),
    bad(TA, "professional-unknown", "professional", professional=["wizard"]),
    bad(TA, "level-int", "level", level=5),
    bad(TA, "key-dict", "key", key={"A": True}),
    bad(TA, "risk-mixed-str", "risk", risk=[1.0, "x", 1.0]),
    frozen(TA, "backup", False),
    frozen(TA, "teams", TEAMS),
    at_solve(TA, "instance-not-square", "instance", instance=inst4),
    at_solve(TA, "level-wrong-length", "level", level=["hamlet"] * 2),
    at_solve(TA, "level-unknown", "level", level=["hamlet", "hamlet", "castle"]),
    at_solve(
        TA,
        "level-series-wrong-labels",
        "level",
        level=pd.Series(["hamlet"] * 3, index=["A", "B", "Z"]),
    ),
    at_solve(TA, "level-column-absent", "level", level="level"),
    at_solve(
        TA, "risk-series-wrong-labels", "risk", risk=pd.Series([1.0] * 3, index=["A", "B", "Z"])
    ),
    at_solve(TA, "teams-home-unknown", "teams.home", teams=TEAMS.assign(home=["A", "B", "Z"])),
    at_solve(TA, "key-unknown-zone", "key", key=["Z"]),
    at_solve(
        TA,
        "hazards-frame-foreign-rows",
        "hazards",
        hazards=pd.DataFrame({"flood": [False] * 4}, index=[*ZONES, "Z"]),
    ),
    at_solve(TA, "hazards-unknown", "hazards", hazards=["tsunami", None, None]),
    at_solve(TA, "parent-unknown-zone", "parent", nested=True, parent=[None, "A", "Z"]),
]


@pytest.mark.parametrize("case", params(CASES))
def test_planning(case: Case) -> None:
    check(case)


def test_every_model_is_covered() -> None:
    """At least ten cases per planning model, constructor and solve-time ones alike."""
    names = [c.name for c in CASES]
    for model in (FS, SH, DP, TA):
        mine = [n for n in names if n.startswith(f"{model.__name__}-")]
        assert len(mine) >= 10, model
        assert any("-solve-" in n for n in mine) and any("-frozen-" in n for n in mine), model
