"""Fire-station parameters: :class:`FireParams` and the checks that need no instance.

:func:`check_params` runs when a :class:`~erlocate.planning.firestations.FireStations`
is built (``FireStations(standard="5")`` raises at once): numbers strictly,
flags, choices and the kind of each per-site / per-point input. The type table
is checked and normalised by
:func:`~erlocate.planning.firestations.defaults.check_types` in the constructor.
Site ids, columns and lengths are checked against the instance at solve time
(:func:`~erlocate.planning.firestations.inputs.resolve`). The quantities that
depend on parameters alone (:attr:`FireParams.sense`, :attr:`~FireParams.beta`,
:attr:`~FireParams.max_cost`, :attr:`~FireParams.limit`) are properties here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.params import boolean, integer, is_real, number
from erlocate.planning.checks import values_param
from erlocate.planning.firestations.defaults import MODES, SECOND

__all__ = ["FireParams", "check_params"]


@dataclass(frozen=True)
class FireParams:
    """The parameters of :class:`~erlocate.planning.firestations.FireStations`, as given.

    ``types`` is the model's checked type table (None: the default table).
    """

    mode: str = "cover_all"
    standard: float = 5.0
    turnout: float = 1.0
    types: pd.DataFrame | None = None
    area: Any = "area"
    allowed: Any = None
    existing_types: Any = None
    budget: float | None = None
    max_new: int | None = None
    second_cover: str | None = None
    second_weight: float | None = None
    second_points: Any = None
    allow_blank: bool = False
    closest: bool = False
    count_existing: bool = False
    population: Any = None

    @property
    def sense(self) -> str:
        """``"min"`` (cost) in cover_all, ``"max"`` (covered weight) in max_cover."""
        return "min" if self.mode == "cover_all" else "max"

    @property
    def beta(self) -> float:
        """Weight of second coverage in the objective (0 unless ``second_cover="objective"``)."""
        if self.second_cover != "objective":
            return 0.0
        return 0.5 if self.second_weight is None else float(self.second_weight)

    @property
    def max_cost(self) -> float | None:
        """The driving limit ``standard - turnout`` (instance costs are driving minutes)."""
        try:
            return float(self.standard) - float(self.turnout)
        except (TypeError, ValueError):
            return None

    @property
    def limit(self) -> float:
        """The driving limit with a rounding slack of ``1e-9 max(1, standard)``."""
        standard = float(self.standard)
        return standard - float(self.turnout) + 1e-9 * max(1.0, standard)


def _pick(value: Any, name: str, options: tuple) -> None:
    """``value`` is one of ``options`` (a string or None; nothing else compares)."""
    if not (value is None or isinstance(value, str)) or value not in options:
        raise InputError(f"{name}: choose one of {list(options)}, got {value!r}", field=name)


def _check_limits(p: FireParams) -> None:
    """Mode, standard, turnout, budget and max_new."""
    _pick(p.mode, "mode", MODES)
    s = number(p.standard, "standard", minimum=0.0, strict=True, hint="minutes")
    t = number(p.turnout, "turnout", minimum=0.0, hint="minutes")
    if t is not None and s is not None and t > s:
        raise InputError(
            f"turnout: {p.turnout!r} min exceeds the standard {p.standard!r} min, "
            "leaving no driving time",
            field="turnout",
        )
    number(p.budget, "budget", minimum=0.0, optional=True)
    integer(p.max_new, "max_new", minimum=0, optional=True, hint="the number of new stations")
    if p.mode == "max_cover" and p.budget is None and p.max_new is None:
        raise InputError(
            "budget: max_cover needs a budget and/or max_new; without limits use mode='cover_all'",
            field="budget",
        )


def check_params(p: FireParams) -> None:
    """Every parameter that needs no instance: numbers strictly, flags, choices and kinds."""
    _check_limits(p)
    _pick(p.second_cover, "second_cover", SECOND)
    number(p.second_weight, "second_weight", minimum=0.0, optional=True)
    if p.second_cover == "objective" and p.mode == "cover_all":
        if p.second_weight is None:
            raise InputError(
                "second_weight: cover_all with second_cover='objective' needs the value of "
                "one unit of weight covered twice, in cost units (e.g. 0.01)",
                field="second_weight",
            )
    for flag in ("allow_blank", "closest", "count_existing"):
        boolean(getattr(p, flag), flag)
    if p.allow_blank and p.mode != "cover_all":
        raise InputError("allow_blank: applies to mode='cover_all' only", field="allow_blank")
    values_param(p.area, "area")
    values_param(p.population, "population", optional=True)
    for name in ("allowed", "existing_types"):
        value = getattr(p, name)
        if value is not None and (is_real(value) or isinstance(value, (bool, np.bool_))):
            raise InputError(
                f"{name}: expected a site_frame column name, a mapping site id -> type(s), "
                f"one entry per site or None, got {value!r} ({type(value).__name__})",
                field=name,
            )
    if isinstance(p.second_points, (Mapping, pd.DataFrame, bool, np.bool_)):
        raise InputError(
            "second_points: expected a boolean mask, a list of demand ids or a boolean "
            f"demand_frame column, got {type(p.second_points).__name__}",
            field="second_points",
        )
