"""Emergency shelters: capacitated location–allocation of people to shelters by class.

:class:`Shelters` keeps existing shelters, opens new ones and assigns every
community to one shelter within its class's walking limit, with room for its
people in every scenario; :func:`default_classes` is the class table (GB
50413-2007, GB 21734-2008, Sphere).

The package: :mod:`~erlocate.planning.shelters.defaults` (the class table),
:mod:`~erlocate.planning.shelters.params` (parameters checked at
construction), :mod:`~erlocate.planning.shelters.inputs` (parameters resolved
into arrays), :mod:`~erlocate.planning.shelters.precheck` (infeasibility found
before solving), :mod:`~erlocate.planning.shelters.objective` (lexicographic
weights), :mod:`~erlocate.planning.shelters.formulation` (the MILP),
:mod:`~erlocate.planning.shelters.model` (:class:`Shelters`),
:mod:`~erlocate.planning.shelters.verify` (the plan re-checked from the data)
and :mod:`~erlocate.planning.shelters.report` (planner tables).
"""

from erlocate.planning.shelters.defaults import default_classes
from erlocate.planning.shelters.model import Shelters

__all__ = ["Shelters", "default_classes"]
