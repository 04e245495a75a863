"""The team-allocation model: :class:`TeamAllocation`, its parameters and its steps.

The formulation is in the docstring of :mod:`erlocate.planning.teams`. Every
step is a function of the resolved :class:`~erlocate.planning.teams.inputs.TeamData`:
inputs in :mod:`~erlocate.planning.teams.inputs`, feasibility in
:mod:`~erlocate.planning.teams.precheck`, the MILP in
:mod:`~erlocate.planning.teams.formulation`, the re-check in
:mod:`~erlocate.planning.teams.verify` and the tables in
:mod:`~erlocate.planning.teams.report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from erlocate.planning.base import PlanningModel, Steps
from erlocate.planning.teams import formulation, inputs, precheck, report, verify
from erlocate.planning.teams.defaults import PROFESSIONAL_TYPES
from erlocate.planning.teams.inputs import TeamData
from erlocate.planning.teams.params import TeamParams, check_params
from erlocate.planning.teams.plan import TeamPlan

__all__ = ["TeamAllocation"]


class TeamAllocation(PlanningModel[TeamData, TeamPlan]):
    r"""Station rescue teams in zones: staffing minima, key-zone cover, A/B roles, workloads.

    See :mod:`erlocate.planning.teams` for the formulation. The instance is zones ×
    zones (``site_ids`` equal to ``demand_ids``), ``cost[i, j]`` the response
    time from zone ``j`` to zone ``i``.

    Parameters
    ----------
    teams : pandas.DataFrame
        One row per team, indexed by team id (or with an ``id`` column):
        ``type`` (a key of ``standards``; aliases such as "forest rangers"
        accepted), ``size`` (people, > 0), ``home`` (zone id of its base) and
        optionally ``rebasable`` (bool, default False: the team stays home).
    level : str or array-like
        Administrative level per zone (a key of ``minima``), or the name of an
        ``instance.demand_frame`` column (default ``"level"``).
    hazards : str, array-like or DataFrame, optional
        Hazards each zone faces: per zone a list or a comma-separated string
        of names (keys of ``compatibility``), a ``demand_frame`` column of
        those, or a boolean DataFrame zones × hazards. None: no hazards.
    key : str, array-like, optional
        Key (high-risk) zones: a boolean mask, a ``demand_frame`` column, or
        a list of zone ids. None: no key zones.
    risk : str or array-like, optional
        Risk weight per zone in the objective (default ``instance.weights``).
    minima : mapping, optional
        People per level, merged over :data:`DEFAULT_MINIMA` (BRIEF.md item 1).
    standards : mapping, optional
        Minutes per team type, merged over :data:`DEFAULT_STANDARDS`.
    compatibility : mapping, optional
        Hazard -> team types, merged over :data:`DEFAULT_COMPATIBILITY` (our assumption).
    professional : sequence of str, optional
        Professional team types (default :data:`PROFESSIONAL_TYPES`).
    backup : bool
        Key zones need two distinct suitable teams within standard (default
        True; BRIEF.md item 3, "two or more incidents at once", A/B roles).
    workload_cap : int, optional
        Most zones one team is primary responder for (default: no cap).
    rebase_radius : float, optional
        Farthest a re-basable team may move from home, in minutes (default anywhere).
    max_response : float, optional
        Cut-off on the primary responder's time (default: any reachable zone).
    move_cost : float
        Objective penalty per re-based team (default 0; a small value keeps
        teams home when moving gains nothing).
    nested : bool
        False (default): a team counts toward its own zone's minimum only, so
        minima add up — the plan's arithmetic (120 × 10 + 6 × 20 + 50 = 1,370).
        True: it also counts toward the zones above it (needs ``parent``).
    parent : str or array-like, optional
        Parent zone id per zone (None at the top), for ``nested=True``.
    """

    constraints_hint = (
        "staffing minima, key-zone hazard cover within standards, "
        "A/B roles, workload caps, re-basing radius"
    )

    sense = "min"
    exact_objective = True
    steps = Steps(
        resolve=inputs.resolve,
        precheck=precheck.precheck,
        formulate=formulation.formulate,
        decode=formulation.decode,
        encode=formulation.encode,
        evaluate=verify.evaluate,
        check=verify.check,
        check_optimal=verify.check_optimal,
        tables=report.tables,
    )

    def __init__(
        self,
        teams: pd.DataFrame,
        *,
        level: Any = "level",
        hazards: Any = None,
        key: Any = None,
        risk: Any = None,
        minima: Mapping[str, float] | None = None,
        standards: Mapping[str, float] | None = None,
        compatibility: Mapping[str, Any] | None = None,
        professional: Any = PROFESSIONAL_TYPES,
        backup: bool = True,
        workload_cap: int | None = None,
        rebase_radius: float | None = None,
        max_response: float | None = None,
        move_cost: float = 0.0,
        nested: bool = False,
        parent: Any = None,
    ) -> None:
        self.teams = teams
        self.level = level
        self.hazards = hazards
        self.key = key
        self.risk = risk
        self.minima = minima
        self.standards = standards
        self.compatibility = compatibility
        self.professional = professional
        self.backup = backup
        self.workload_cap = workload_cap
        self.rebase_radius = rebase_radius
        self.max_response = max_response
        self.max_cost = max_response
        self.move_cost = move_cost
        self.nested = nested
        self.parent = parent

    def __repr__(self) -> str:
        n = len(self.teams) if hasattr(self.teams, "__len__") else "?"
        return (
            f"TeamAllocation({n} teams, backup={self.backup}, workload_cap={self.workload_cap}, "
            f"rebase_radius={self.rebase_radius}, max_response={self.max_response}, "
            f"nested={self.nested})"
        )

    # ------------------------------------------------------------------ checks
    def check_params(self) -> None:
        """Every parameter that needs no instance (tables, flags, numbers), at construction."""
        check_params(TeamParams(**self.parameters()))
