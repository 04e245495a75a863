"""Emergency-planning models of the district plan: fire stations, shelters, depots, teams.

Each model builds the same canonical sparse MILP as the classical models in
:mod:`erlocate.models`, runs on every backend, re-checks its own constraints
from the input data, and reports in a planner's terms (``Result.report()``).
"""

from erlocate.planning.depots import (
    DepotPlan,
    Depots,
    Flows,
    depot_tiers,
    exclusion_zones,
    material_categories,
)
from erlocate.planning.firestations import FireStations, StationPlan
from erlocate.planning.shelters import Shelters, default_classes
from erlocate.planning.stationtypes import station_types
from erlocate.planning.teams import TeamAllocation, TeamPlan

__all__ = [
    "DepotPlan",
    "Depots",
    "FireStations",
    "Flows",
    "Shelters",
    "StationPlan",
    "TeamAllocation",
    "TeamPlan",
    "default_classes",
    "depot_tiers",
    "exclusion_zones",
    "material_categories",
    "station_types",
]
