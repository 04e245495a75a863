"""Team-allocation parameters checked at construction: everything that needs no instance.

:func:`check_params` runs when a :class:`~erlocate.planning.teams.TeamAllocation`
is built (``TeamAllocation(teams, workload_cap="3")`` raises at once): the team
table, the minima / standards / compatibility tables, professional types, flags
and numbers strictly, and the kind of each per-zone input. :func:`tables` merges
the user's tables over the defaults for both the check and
:func:`~erlocate.planning.teams.inputs.resolve`. Zone ids, columns and lengths
are checked against the instance at solve time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.params import boolean, integer, number
from erlocate.planning.checks import is_sequence, label_list, mapping_of_numbers, values_param
from erlocate.planning.inputs import real_array
from erlocate.planning.teams.defaults import (
    DEFAULT_COMPATIBILITY,
    DEFAULT_MINIMA,
    DEFAULT_STANDARDS,
    PROFESSIONAL_TYPES,
    normalise,
)

__all__ = ["Tables", "TeamParams", "check_params", "lookup", "tables", "team_table"]


@dataclass(frozen=True)
class TeamParams:
    """The parameters of :class:`~erlocate.planning.teams.TeamAllocation`, as given."""

    teams: Any
    level: Any = "level"
    hazards: Any = None
    key: Any = None
    risk: Any = None
    minima: Mapping[str, float] | None = None
    standards: Mapping[str, float] | None = None
    compatibility: Mapping[str, Any] | None = None
    professional: Any = PROFESSIONAL_TYPES
    backup: bool = True
    workload_cap: int | None = None
    rebase_radius: float | None = None
    max_response: float | None = None
    move_cost: float = 0.0
    nested: bool = False
    parent: Any = None


@dataclass(frozen=True)
class Tables:
    """The merged tables: minima per level, standards per type, hazard -> types."""

    levels: list[str]
    minimum: np.ndarray  # per level
    types: list[str]
    std: np.ndarray  # per type
    prof: np.ndarray  # per type
    hazards: list[str]
    compat: np.ndarray  # hazards × types


def lookup(names: Any, known: list[str], fld: str, what: str, table: str) -> np.ndarray:
    """Positions of ``names`` in ``known``; InputError naming the unknown ones."""
    pos = pd.Index(known).get_indexer(pd.Index(names))
    if (pos < 0).any():
        bad = sorted(set(pd.Series(names)[pos < 0].astype(str)))
        raise InputError(
            f"{fld}: unknown {what}(s) {bad[:5]}; known: {known}. Use one of these or add it "
            f"to {table}=",
            field=fld,
        )
    return pos


def tables(p: TeamParams) -> Tables:
    """The user's minima, standards, compatibility and professional types over the defaults."""
    minima = {**DEFAULT_MINIMA, **mapping_of_numbers(p.minima, "minima")}
    stds = {
        **DEFAULT_STANDARDS,
        **mapping_of_numbers(p.standards, "standards", strict=True),
    }
    comp = p.compatibility
    if comp is not None and not isinstance(comp, Mapping):
        raise InputError(
            f"compatibility: expected a mapping hazard -> team type(s), got {comp!r}",
            field="compatibility",
        )
    comp = {**DEFAULT_COMPATIBILITY, **dict(comp or {})}
    types = list(normalise(list(stds)))
    hazards = list(normalise(list(comp)))
    compat = np.zeros((len(hazards), len(types)), dtype=bool)
    for h, answer in enumerate(comp.values()):  # a handful of hazards
        names = normalise(label_list(answer, "compatibility"))
        compat[h, lookup(names, types, "compatibility", "team type", "standards")] = True
    given = normalise(label_list(p.professional, "professional"))
    prof = np.zeros(len(types), dtype=bool)
    prof[lookup(given, types, "professional", "team type", "standards")] = True
    return Tables(
        levels=list(normalise(list(minima))),
        minimum=np.asarray(list(minima.values()), float),
        types=types,
        std=np.asarray(list(stds.values()), float),
        prof=prof,
        hazards=hazards,
        compat=compat,
    )


def team_table(teams: Any, types: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The team table (indexed by team id), each team's type position and its size.

    Raises InputError for a table that is not a DataFrame, missing columns,
    repeated ids, unknown types, sizes that are not positive numbers, and
    ``rebasable`` flags that are not True/False.
    """
    if not isinstance(teams, pd.DataFrame):
        raise InputError(
            "teams: expected a pandas DataFrame with columns type, size, home[, rebasable], got "
            f"{type(teams).__name__}",
            field="teams",
        )
    teams = teams.set_index("id") if "id" in teams.columns else teams
    missing = [c for c in ("type", "size", "home") if c not in teams.columns]
    if missing or teams.empty or not teams.index.is_unique:
        raise InputError(
            f"teams: needs rows with unique ids and columns type, size, home (missing "
            f"{missing}, duplicated ids {teams.index[teams.index.duplicated()][:5].tolist()})",
            field="teams",
        )
    ttype = lookup(
        normalise(teams["type"].to_numpy()), types, "teams.type", "team type", "standards"
    )
    try:
        size = real_array(teams["size"].to_numpy(), "teams.size")
    except InputError:
        size = np.full(len(teams), np.nan)
    bad = ~(np.isfinite(size) & (size > 0))
    if bad.any():
        raise InputError(
            f"teams.size: team sizes must be positive numbers of people; bad for teams "
            f"{teams.index[bad][:5].tolist()} ({teams['size'][bad].head(3).tolist()})",
            field="teams.size",
        )
    if "rebasable" in teams.columns:
        flags = teams["rebasable"].map(lambda v: isinstance(v, (bool, np.bool_)))
        if not flags.all():
            raise InputError(
                "teams.rebasable: must be True/False per team; bad for teams "
                f"{teams.index[~flags.to_numpy()][:5].tolist()}",
                field="teams.rebasable",
            )
    return teams, ttype, size


def check_params(p: TeamParams) -> None:
    """Raise InputError, naming the parameter, for anything wrong whatever the instance."""
    t = tables(p)
    team_table(p.teams, t.types)
    for name in ("backup", "nested"):
        boolean(getattr(p, name), name)
    integer(p.workload_cap, "workload_cap", minimum=1, optional=True, hint="zones per team")
    for name in ("rebase_radius", "max_response"):
        number(getattr(p, name), name, minimum=0.0, optional=True, hint="minutes, or None")
    number(p.move_cost, "move_cost", minimum=0.0, hint="risk-weighted minutes per move")
    for name in ("level", "hazards", "key", "parent"):
        value = getattr(p, name)
        frame_ok = name == "hazards" or not isinstance(value, pd.DataFrame)
        map_ok = name != "key" or not isinstance(value, Mapping)
        if (
            value is None
            or isinstance(value, str)
            or (isinstance(value, (Mapping, pd.DataFrame, pd.Series)) and frame_ok and map_ok)
        ):
            continue
        if not (frame_ok and map_ok) or not is_sequence(value):
            raise InputError(
                f"{name}: expected a demand_frame column name or one entry per zone, got "
                f"{type(value).__name__} {value!r}",
                field=name,
            )
    if not isinstance(p.risk, Mapping):
        values_param(p.risk, "risk", optional=True)
    if p.nested and p.parent is None:
        raise InputError("parent: nested=True needs the parent zone of each zone", field="parent")
