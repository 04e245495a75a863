"""Fire-station types: kept as an import path; the table lives in the fire-station package.

``from erlocate.planning.stationtypes import station_types`` keeps working;
the code is :mod:`erlocate.planning.firestations.defaults`.
"""

from erlocate.planning.firestations.defaults import TYPE_COLUMNS, station_types

__all__ = ["TYPE_COLUMNS", "station_types"]
