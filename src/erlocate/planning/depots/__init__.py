"""Materials depots: a tiered network stocked for the peak need of every hazard scenario.

Implements item 6 of the district brief (tiered depots, 13 material
categories, contract reserves, no depot in flood zones or on fault lines) with
the 10-hour relief target of item 7.

The package: :mod:`~erlocate.planning.depots.defaults` (the category and tier
tables), :mod:`~erlocate.planning.depots.exclusions` (hazard zones and lines),
:mod:`~erlocate.planning.depots.inputs` and :mod:`~erlocate.planning.depots.data`
(parameters checked and resolved into :class:`~erlocate.planning.depots.data.DepotData`),
:mod:`~erlocate.planning.depots.precheck` (infeasibility found before solving),
:mod:`~erlocate.planning.depots.model` (:class:`Depots` and its MILP),
:mod:`~erlocate.planning.depots.layout` (the MILP's nodes and arcs; decode and
encode), :mod:`~erlocate.planning.depots.plan` (:class:`DepotPlan`,
:class:`Flows`), :mod:`~erlocate.planning.depots.verify` (the plan re-checked
from the data) and :mod:`~erlocate.planning.depots.report` (planner tables).
"""

from erlocate.planning.depots.defaults import depot_tiers, material_categories
from erlocate.planning.depots.exclusions import exclusion_zones
from erlocate.planning.depots.model import Depots
from erlocate.planning.depots.plan import DepotPlan, Flows

__all__ = [
    "DepotPlan",
    "Depots",
    "Flows",
    "depot_tiers",
    "exclusion_zones",
    "material_categories",
]
