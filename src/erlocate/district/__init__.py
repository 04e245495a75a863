r"""The district plan: the embedded district as planning cases, solved, verified and reported.

Not a model: the four planning models live in :mod:`erlocate.planning`; this
package applies them to the embedded district (:func:`erlocate.datasets.load_district`).

* :mod:`~erlocate.district.inputs` — derived inputs: road networks (normal or
  flooded), community areas, affected people per hazard, team zones;
* :mod:`~erlocate.district.cases` — one ``(model, instance)`` per planning model
  (:func:`fire_station_case`, :func:`shelter_case`, :func:`depot_case`, :func:`team_case`);
* :mod:`~erlocate.district.plan` — :func:`plan_district`: all four solved and verified;
* :mod:`~erlocate.district.report` — the key figures and tables (:class:`DistrictPlan`);
* :mod:`~erlocate.district.markdown` and :mod:`~erlocate.district.figures` — the
  written report (``report.md``, CSV tables, PNG maps).

>>> from erlocate.district import fire_station_case
>>> import erlocate
>>> model, inst = fire_station_case()
>>> erlocate.solve(model, inst).status
'optimal'
"""

from erlocate.district.cases import (
    ANNUITY_YEARS,
    CONTRACTS,
    SCENARIO_NEEDS,
    depot_case,
    fire_station_case,
    shelter_case,
    team_case,
)
from erlocate.district.inputs import (
    AFFECTED_SHARES,
    EARTHQUAKE_SHARE,
    FLOOD_SLOWDOWN,
    SCENARIOS,
    SHELTER_SHARE,
    WALK_KMH,
    affected_people,
    community_areas,
    road_network,
    squad_shortfall,
    team_zones,
)
from erlocate.district.markdown import write_report
from erlocate.district.plan import plan_district
from erlocate.district.report import DistrictPlan, Finding, plan_tables

__all__ = [
    "AFFECTED_SHARES",
    "ANNUITY_YEARS",
    "CONTRACTS",
    "EARTHQUAKE_SHARE",
    "FLOOD_SLOWDOWN",
    "SCENARIOS",
    "SCENARIO_NEEDS",
    "SHELTER_SHARE",
    "WALK_KMH",
    "DistrictPlan",
    "Finding",
    "affected_people",
    "community_areas",
    "depot_case",
    "fire_station_case",
    "plan_district",
    "plan_tables",
    "road_network",
    "shelter_case",
    "squad_shortfall",
    "team_case",
    "team_zones",
    "write_report",
]
