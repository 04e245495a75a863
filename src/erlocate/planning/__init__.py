"""Emergency-planning models of the district plan: fire stations, shelters, depots, teams.

Each model builds the same canonical sparse MILP as the classical models in
:mod:`erlocate.models`, runs on every backend, re-checks its own constraints
from the input data, and reports in a planner's terms (``Result.report()``).
"""
