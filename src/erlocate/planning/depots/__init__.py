"""Materials depots: a tiered network stocked for the peak need of every hazard scenario.

Implements item 6 of the district brief (tiered depots, 13 material
categories, contract reserves, no depot in flood zones or on fault lines) with
the 10-hour relief target of item 7.

The package: :mod:`~erlocate.planning.depots.defaults` (the category and tier
tables), :mod:`~erlocate.planning.depots.params` (the parameters,
:class:`~erlocate.planning.depots.params.DepotParams`, checked at
construction), :mod:`~erlocate.planning.depots.exclusions` (hazard zones and
lines), :mod:`~erlocate.planning.depots.inputs` and
:mod:`~erlocate.planning.depots.data` (parameters resolved on an instance into
:class:`~erlocate.planning.depots.data.DepotData`, once per instance),
:mod:`~erlocate.planning.depots.precheck` (infeasibility found before solving),
:mod:`~erlocate.planning.depots.layout` (the MILP's nodes and arcs, the
builder's reductions), :mod:`~erlocate.planning.depots.formulation` (the MILP;
decode and encode), :mod:`~erlocate.planning.depots.model` (:class:`Depots`,
its parameters and steps), :mod:`~erlocate.planning.depots.plan`
(:class:`DepotPlan`, :class:`Flows`), :mod:`~erlocate.planning.depots.verify`
(the plan re-checked from the data) and :mod:`~erlocate.planning.depots.report`
(planner tables). Every step is a function of the resolved data; none takes
the model.
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
