"""Fire stations: eliminate blank spots or maximise risk-weighted coverage, with typed stations.

Implements item 4 of the district brief: stations built to 建标152-2017 (urban) and
GB/T 35547-2017 (township), the 5-minute-from-dispatch standard, responsibility
districts capped by station type, and second coverage for concurrent incidents.

The package: :mod:`~erlocate.planning.firestations.defaults` (the station-type
table, :func:`station_types`), :mod:`~erlocate.planning.firestations.params`
(:class:`~erlocate.planning.firestations.params.FireParams`, checked at
construction), :mod:`~erlocate.planning.firestations.inputs` (parameters
resolved into arrays, :class:`~erlocate.planning.firestations.inputs.FireData`),
:mod:`~erlocate.planning.firestations.precheck` (infeasibility found before
solving), :mod:`~erlocate.planning.firestations.formulation` and
:mod:`~erlocate.planning.firestations.rows` (the MILP),
:mod:`~erlocate.planning.firestations.tiebreak` (the least-cost tie-break of
``max_cover``), :mod:`~erlocate.planning.firestations.model`
(:class:`FireStations`), :mod:`~erlocate.planning.firestations.plan`
(:class:`StationPlan`), :mod:`~erlocate.planning.firestations.verify` (the plan
re-checked from the data) and :mod:`~erlocate.planning.firestations.report`
(planner tables). :mod:`~erlocate.planning.firestations.robust`
(:class:`RobustFireStations`) keeps one set of stations over scenarios, its MILP in
:mod:`~erlocate.planning.firestations.robust_formulation`.
"""

from erlocate.planning.firestations.defaults import MODES as MODES
from erlocate.planning.firestations.defaults import SECOND as SECOND
from erlocate.planning.firestations.defaults import station_types
from erlocate.planning.firestations.model import FireStations
from erlocate.planning.firestations.plan import StationPlan
from erlocate.planning.firestations.robust import RobustFireStations, RobustStationPlan

__all__ = [
    "FireStations",
    "RobustFireStations",
    "RobustStationPlan",
    "StationPlan",
    "station_types",
]
