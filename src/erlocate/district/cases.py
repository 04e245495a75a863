r"""The embedded district as inputs of the four planning models.

Each ``*_case`` function turns :func:`erlocate.datasets.load_district` into the
``(model, instance)`` pair of one planning model, deriving every input the data
do not hold directly (community areas, travel times, affected people, team
zones); :func:`erlocate.district.plan_district` solves all four and, given a
folder, writes the report (:mod:`erlocate.district.markdown`).

>>> from erlocate.district import fire_station_case
>>> import erlocate
>>> model, inst = fire_station_case()
>>> erlocate.solve(model, inst).status
'optimal'

Derived inputs (details and which figures are ours: ``docs/district-plan.md``):
community areas (Voronoi cells within each unit), driving and walking minutes on
the road network (:func:`road_network`), the flood scenario (roads touching a flood
zone closed, or for depots slowed), affected people per hazard scenario
(:func:`affected_people`, ILLUSTRATIVE shares) and the team zones (:func:`team_zones`).
"""

from __future__ import annotations

import pandas as pd

from erlocate.datasets import District
from erlocate.district.inputs import (
    FLOOD_SLOWDOWN,
    SCENARIOS,
    SHELTER_SHARE,
    WALK_KMH,
    affected_people,
    community_areas,
    district_instance,
    flood_zones,
    road_network,
    team_table,
    team_zones,
)
from erlocate.district.resolution import Resolution, at_resolution, communities_of
from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.planning import (
    Depots,
    FireStations,
    Shelters,
    TeamAllocation,
    default_classes,
    material_categories,
)

__all__ = [
    "ANNUITY_YEARS",
    "CONTRACTS",
    "SCENARIO_NEEDS",
    "depot_case",
    "fire_station_case",
    "shelter_case",
    "team_case",
]

#: ILLUSTRATIVE: units per affected person that differ from ``material_categories()``
#: in one scenario (sandbags, boats and life jackets in floods, decontamination kits
#: and masks in chemical accidents, tools and fuel for forest fires, pumps and saws
#: after collapses).
SCENARIO_NEEDS = pd.DataFrame(
    {
        "flood": {"engineering_materials": 10.0, "rescue_transport": 0.02, "life_saving": 0.2},
        "hazmat": {"decontamination": 1.0, "protective": 2.0},
        "forest_fire": {"tools": 0.05, "power_fuel": 0.05},
        "geological": {"engineering_equipment": 0.01, "tools": 0.05},
    }
)
#: ILLUSTRATIVE contract (agreement) reserves, BRIEF.md item 6: a supermarket chain for
#: food and bedding, a builders' merchant for sandbags (units, yuan per unit, hours).
CONTRACTS = pd.DataFrame(
    {
        "supplier": ["supermarket chain", "builders' merchant"],
        "category": ["food_lodging", "engineering_materials"],
        "capacity": [60_000.0, 100_000.0],
        "retainer": [1.0, 0.05],
        "delivery_cost": [2.0, 0.1],
        "lead_time": [8.0, 6.0],
    }
)
#: ILLUSTRATIVE: years over which a depot's build cost (``depots.cost``, 10⁶ CNY) is
#: spread to compare it with the model's annual holding costs.
ANNUITY_YEARS = 20


# ---------------------------------------------------------------------- the four cases
def fire_station_case(
    district: District | None = None,
    *,
    scenario: str | None = None,
    mode: str = "cover_all",
    max_new: int | None = None,
    budget: float | None = None,
    max_minutes: float = 15.0,
    resolution: Resolution = "communities",
) -> tuple[FireStations, Instance]:
    """Fire stations on the district: communities × the existing station and 24 candidates.

    Instance costs are driving minutes from each station (``max_minutes`` kept, for
    the first/second-responder tables); weights are population × ``risk`` (the
    dataset's exposure weight); ``area_km2`` from :func:`community_areas`. The model
    keeps the 5-minute standard (1 min turnout + 4 min driving, 建标152-2017), the
    type table's caps and illustrative costs, the existing class-1 station, and the
    sites' ``allowed_types`` (the dataset's ``township`` = the table's ``township1``
    or ``township2``). ``mode="cover_all"`` (default) leaves no avoidable blank spot
    at least cost; points no candidate reaches in time are reported as unavoidable
    (``allow_blank``). ``mode="max_cover"`` needs ``max_new`` or ``budget``.
    ``resolution``: the demand points (:mod:`erlocate.district.resolution`: ``Grid(250)``,
    ``Buildings(frame)``, ``Points(16)``; default the communities).
    """
    d = at_resolution(district, resolution)
    c = d.communities.assign(
        area_km2=community_areas(d), weight=d.communities["population"] * d.communities["risk"]
    )
    fs = d.fire_stations
    allowed = fs["allowed_types"].str.replace(r"\btownship\b", "township1,township2", regex=True)
    inst = district_instance(
        c,
        fs.assign(allowed=allowed),
        road_network(d, scenario),
        weight="weight",
        max_cost=max_minutes,
        name=f"Shangjie fire stations ({scenario or 'normal'} roads)",
    )
    model = FireStations(
        mode,
        area="area_km2",
        allowed="allowed",
        existing_types=fs.loc[fs["existing"], "station_type"].to_dict(),
        allow_blank=mode == "cover_all",
        max_new=max_new,
        budget=budget,
        population="population",
    )
    return model, inst


def shelter_case(
    district: District | None = None,
    *,
    scenario: str | None = None,
    share: float = SHELTER_SHARE,
    walk_kmh: float = WALK_KMH,
    new: int | None = None,
    closest: bool = True,
    allow_unhoused: bool = False,
    resolution: Resolution = "communities",
) -> tuple[Shelters, Instance]:
    """Shelters on the district: communities walking to the 6 existing and 16 candidate sites.

    Walking minutes from each community *to* each shelter (``direction="to_sites"``)
    on the walking network (:func:`road_network`), kept up to the longest class limit (60 min). Each
    site's capacity is its ``usable_area_m2`` at its class's m² per person (classes
    II/III: 1.5, GB 21734-2008); ``share`` of every community must be housed (0.3,
    provincial practice), each community at one shelter, its nearest open one
    (``closest``). ``new=None``: the fewest new shelters, then the least walking.
    ``resolution``: the demand points (as :func:`fire_station_case`); ``allow_unhoused``:
    points no shelter reaches within its limit are reported unhoused instead of refused.
    """
    d = at_resolution(district, resolution)
    limit = float(default_classes()["max_walk_minutes"].loc[["I", "II", "III"]].max())
    inst = district_instance(
        d.communities,
        d.shelters,
        road_network(d, scenario, walking_kmh=walk_kmh),
        direction="to_sites",
        max_cost=limit,
        name=f"Shangjie shelters ({scenario or 'normal'} roads, walking {walk_kmh:g} km/h)",
    )
    model = Shelters(
        share=share,
        area="usable_area_m2",
        site_class="shelter_class",
        new=new,
        closest=closest,
        allow_unhoused=allow_unhoused,
    )
    return model, inst


def depot_case(
    district: District | None = None,
    *,
    scenario: str | None = None,
    flood_roads: str = "closed",
    transport_rate: float = 10.0,
    contracts: pd.DataFrame | None = CONTRACTS,
    resolution: Resolution = "communities",
) -> tuple[Depots, Instance]:
    """Materials depots on the district: communities × 5 warehouses and 29 candidate sites.

    Scenarios: the five of :func:`affected_people` (or only ``scenario``), the needs of
    :func:`~erlocate.planning.material_categories` with :data:`SCENARIO_NEEDS`, and
    the :data:`CONTRACTS` reserves (all illustrative). Travel minutes on the road
    network; the flood scenario's on the flood-disrupted one (``flood_roads``:
    ``"closed"`` or ``"slowed"`` to a third of the speed), against the 10-hour relief
    time. Capacity: the dataset's ``capacity`` (people supplied) × the categories'
    m³ per person (0.162); fixed cost: ``cost`` (10⁶ CNY) spread over
    :data:`ANNUITY_YEARS` years, in yuan per year. Sites in flood zones or within
    500 m of the fault line are excluded; one sub-district depot per unit; at least
    one district depot. ``transport_rate=0`` drops transport and solves in well under
    a second (exact aggregation); the default 10 yuan per m³·h solves in seconds here
    (with a finer ``resolution``, as :func:`fire_station_case`, by Benders decomposition:
    ``Depots(method="auto")``).
    """
    d = at_resolution(district, resolution)
    if flood_roads not in ("closed", "slowed"):
        raise InputError(
            f"flood_roads: 'closed' or 'slowed', got {flood_roads!r}", field="flood_roads"
        )
    names = list(SCENARIOS) if scenario is None else [scenario]
    if not set(names) <= set(SCENARIOS):
        raise InputError(
            f"scenario: one of {list(SCENARIOS)} or None (all), got {scenario!r}",
            field="scenario",
        )
    cats = material_categories()
    per_person = float((cats["per_person"] * cats["space_per_unit"]).sum())
    dp = d.depots.assign(
        capacity_m3=d.depots["capacity"] * per_person,
        fixed_cost=d.depots["cost"] * 1e6 / ANNUITY_YEARS,
    )
    net = road_network(d)
    inst = district_instance(d.communities, dp, net, name="Shangjie depots")
    scen_costs = None
    if "flood" in names:
        flood = flood_zones(d)
        slow = None if flood_roads == "closed" else FLOOD_SLOWDOWN
        wet = net.disrupt(flood, close=slow is None, slowdown=slow)
        # labelled by id, so that it still lines up after inst.drop_demand(cut-off ids)
        flooded = Instance.from_matrix(
            # a point with every road near it closed is cut off (a finding), not bad input
            wet.travel_times(d.communities, dp, off_network="unreachable"),
            demand_ids=d.communities.index,
            site_ids=dp.index,
            unit="min",
            name="Shangjie depots (flooded roads)",
        )
        scen_costs = {"flood": flooded}
    hazards = d.hazards
    model = Depots(
        affected=affected_people(d)[names],
        needs=SCENARIO_NEEDS[[s for s in names if s in SCENARIO_NEEDS.columns]],
        capacity="capacity_m3",
        fixed_cost="fixed_cost",
        unit="unit_id",
        scenario_costs=scen_costs,
        contracts=contracts,
        transport_rate=transport_rate,
        exclude_within={"flood zone": flood_zones(d)},
        exclude_near={"fault line": (hazards[hazards["kind"] == "fault"], 500.0)},
    )
    return model, inst


def team_case(
    district: District | None = None,
    *,
    scenario: str | None = None,
    recruit: bool = False,
    minima: dict[str, float] | None = None,
    move_cost: float = 0.5,
) -> tuple[TeamAllocation, Instance]:
    """Rescue teams on the district's 121 zones (:func:`team_zones`), all 142 teams.

    Response minutes from zone to zone on the road network (the diagonal is the
    in-zone time). A team's home is the community (or district HQ) at its base,
    else its unit; the dataset's ``rebasable`` flags which teams may move. Minima:
    the model's (district 50, sub-district 20, village/community 10) with the plan's
    30 for the town (``minima`` overrides). Key zones (those facing a hazard) need a
    professional team of a suitable type within its standard per hazard, and two
    distinct suitable teams (A/B roles). ``move_cost`` (0.5 risk-weighted minutes,
    illustrative) keeps teams home unless moving helps.

    As written the minima cannot be met: 48 village/community squads have fewer
    than 10 members and only 19 teams can re-base, each into one zone (see
    :func:`squad_shortfall`), so the model refuses it before solving, with those numbers.
    ``recruit=True`` is the plan's own remedy: every village/community squad is
    brought up to its minimum (104 recruits). The zones are administrative: given a
    district at a finer demand resolution, the communities are restored first
    (:func:`~erlocate.district.resolution.communities_of`), so the plan is the same.
    """
    d = communities_of(district)
    zones = team_zones(d)
    minima = {"town": 30.0, **dict(minima or {})}
    inst = district_instance(
        zones,
        zones,
        road_network(d, scenario),
        weight="risk",
        required=None,
        name=f"Shangjie team zones ({scenario or 'normal'} roads)",
    )
    model = TeamAllocation(
        team_table(d, zones, recruit, minima),
        level="level",
        hazards="hazards",
        key="key",
        risk="risk",
        minima=minima,
        move_cost=move_cost,
    )
    return model, inst
