"""Depot parameters checked at construction: everything that needs no instance.

:func:`check_params` runs when a :class:`~erlocate.planning.depots.Depots` is
built (``Depots(relief_time="10")`` raises at once): choices, numbers and flags
strictly, the category, tier and contract tables, the rules against the tier
table, and the kind of every per-site or per-scenario input. Column names,
labels and lengths are checked against the instance at solve time
(:func:`~erlocate.planning.depots.data.resolve`). :class:`DepotParams` holds
the parameters as given; the resolved data keeps it (``d.params``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.params import boolean, integer, number
from erlocate.planning.checks import (
    is_sequence,
    label_list,
    mapping_of_numbers,
    numeric_table,
    values_param,
)
from erlocate.planning.depots.inputs import category_and_tier_tables, check_contracts

__all__ = ["CHOICES", "DepotParams", "check_params"]

#: The string options of a Depots model.
CHOICES = {
    "cost_unit": ("minutes", "hours"),
    "transport": ("expected", "worst"),
    "on_excluded_required": ("error", "keep"),
    "method": ("auto", "direct", "benders"),
}


@dataclass(frozen=True)
class DepotParams:
    """The parameters of :class:`~erlocate.planning.depots.Depots`, as given."""

    affected: Any = None
    probabilities: Any = None
    categories: pd.DataFrame | None = None
    needs: pd.DataFrame | None = None
    tiers: pd.DataFrame | None = None
    site_tier: Any = "tier"
    capacity: Any = None
    fixed_cost: Any = None
    handling_time: Any = None
    relief_time: float = 10.0
    cost_unit: str = "minutes"
    scenario_costs: Mapping[str, Any] | None = None
    contracts: pd.DataFrame | None = None
    supplier_travel: Any = None
    transport_rate: float = 10.0
    transport: str = "expected"
    min_per_tier: Mapping[str, int] | None = None
    units_requiring: Sequence[Any] | str | None = "all"
    unit: Any = "unit"
    unit_tier: str = "subdistrict"
    min_per_unit: int = 1
    max_per_unit: int | None = 1
    excluded: Any = "excluded"
    exclusion_reason: Any = "exclusion_reason"
    exclude_within: Any = None
    exclude_near: Any = None
    on_excluded_required: str = "error"
    integer_stock: bool = False
    aggregate: bool = True
    method: str = "auto"

    @property
    def tier_minima(self) -> dict[str, int]:
        """``min_per_tier`` as a dict (``{"district": 1}`` for None, as the model sets it)."""
        return {"district": 1} if self.min_per_tier is None else dict(self.min_per_tier)

    @property
    def unit_maximum(self) -> float:
        """``max_per_unit``, ``inf`` for no maximum."""
        return np.inf if self.max_per_unit is None else self.max_per_unit


def check_params(p: DepotParams) -> None:
    """Raise InputError, naming the parameter, for anything wrong whatever the instance."""
    for name, options in CHOICES.items():
        value = getattr(p, name)
        if not isinstance(value, str) or value not in options:
            raise InputError(
                f"{name}: {value!r}; use {' or '.join(repr(o) for o in options)}", field=name
            )
    number(p.relief_time, "relief_time", minimum=0.0, strict=True, hint="hours")
    number(p.transport_rate, "transport_rate", minimum=0.0, hint="cost per m³ per hour")
    for name in ("integer_stock", "aggregate"):
        boolean(getattr(p, name), name)
    cats, tiers = category_and_tier_tables(p.categories, p.tiers)
    _rules(p, tiers)
    values_param(p.capacity, "capacity", scalar=True, optional=True, allow_inf=True)
    values_param(p.fixed_cost, "fixed_cost", scalar=True, optional=True)
    values_param(p.handling_time, "handling_time", scalar=True, optional=True)
    for name in ("site_tier", "unit", "excluded", "exclusion_reason"):
        value = getattr(p, name)
        if not isinstance(value, str) and value is not None:
            label_list(value, name)
    _affected(p.affected)
    _probabilities(p.probabilities)
    _needs(p.needs, cats)
    _networks(p.scenario_costs, p.supplier_travel)
    check_contracts(p.contracts, cats.index)
    _near(p.exclude_near)


def _rules(p: DepotParams, tiers: pd.DataFrame) -> None:
    """min_per_tier, unit_tier, min_per_unit / max_per_unit and units_requiring."""
    per_tier = mapping_of_numbers(p.min_per_tier, "min_per_tier", integer=True)
    unknown = [t for t in per_tier if t not in tiers.index]
    if unknown:
        raise InputError(
            f"min_per_tier: unknown tier {unknown[0]!r}; tiers: {tiers.index.tolist()}",
            field="min_per_tier",
        )
    lo = integer(p.min_per_unit, "min_per_unit", minimum=0)
    integer(p.max_per_unit, "max_per_unit", minimum=lo, optional=True, hint="or None")
    units = p.units_requiring
    if units is None:
        return
    if not (isinstance(units, str) and units == "all"):
        if isinstance(units, str):
            raise InputError(
                f"units_requiring: 'all', None or a list of unit labels, got {units!r}",
                field="units_requiring",
            )
        label_list(units, "units_requiring")
    if not isinstance(p.unit_tier, str) or p.unit_tier not in tiers.index:
        raise InputError(
            f"unit_tier: unknown tier {p.unit_tier!r}; tiers: {tiers.index.tolist()}",
            field="unit_tier",
        )


def _affected(a: Any) -> None:
    """affected: a table, a mapping of values or columns, or a list of columns."""
    if isinstance(a, pd.DataFrame):
        numeric_table(a, list(a.columns), "affected")
    elif isinstance(a, Mapping):
        for name, values in a.items():
            values_param(values, f"affected[{name}]", scalar=True)
    elif a is not None:
        if isinstance(a, str) or not isinstance(a, Sequence):
            raise InputError(
                "affected: a DataFrame (communities × scenarios), a mapping scenario -> values "
                f"or demand_frame column, or a list of demand_frame columns; got {a!r}",
                field="affected",
            )
        if not all(isinstance(c, str) for c in a):
            raise InputError(
                f"affected: a list names demand_frame columns (strings), got {list(a)!r}",
                field="affected",
            )


def _probabilities(p: Any) -> None:
    """probabilities: a mapping or a sequence of numbers in [0, 1] that sum to 1."""
    if p is not None:
        if not (isinstance(p, Mapping) or is_sequence(p)):
            raise InputError(
                "probabilities: a mapping scenario -> probability or one number per scenario, "
                f"got {p!r}",
                field="probabilities",
            )
        vals = (
            list(mapping_of_numbers(p, "probabilities").values()) if isinstance(p, Mapping) else p
        )
        values_param(vals, "probabilities", maximum=1.0)
        if abs(float(np.sum(np.asarray(vals, dtype=float))) - 1.0) > 1e-9:
            raise InputError(
                f"probabilities: sum to {float(np.sum(np.asarray(vals, dtype=float))):g}; they "
                "must sum to 1 (scenario weights given that a disaster happens)",
                field="probabilities",
            )


def _needs(needs: Any, cats: pd.DataFrame) -> None:
    """needs: a table categories × scenarios of numbers (NaN: the category's default)."""
    if needs is not None:
        table = pd.DataFrame(needs) if isinstance(needs, Mapping) else needs
        if not isinstance(table, pd.DataFrame):
            raise InputError(
                "needs: a DataFrame categories × scenarios (units per affected person), got "
                f"{type(needs).__name__}",
                field="needs",
            )
        bad_rows = table.index.difference(cats.index).tolist()
        if bad_rows:
            raise InputError(
                f"needs: unknown categories {bad_rows[:5]}; rows = categories "
                f"{cats.index.tolist()[:3]}..., columns = scenarios",
                field="needs",
            )
        for c in table.columns:
            given = table[c][table[c].notna()]
            numeric_table(given.to_frame(), [c], "needs")


def _networks(sc: Any, tr: Any) -> None:
    """scenario_costs (a mapping of matrices) and supplier_travel (tables): kinds and numbers."""
    if (
        sc is not None
        and not isinstance(sc, Mapping)
        and np.ndim(sc) == 0
        and not hasattr(sc, "shape")
    ):
        raise InputError(
            "scenario_costs: a mapping scenario -> travel matrix (array, sparse, DataFrame or "
            f"Instance), got {type(sc).__name__}",
            field="scenario_costs",
        )
    if tr is not None:
        tables = tr.values() if isinstance(tr, Mapping) else [tr]
        for t in tables:
            if not isinstance(t, pd.DataFrame):
                raise InputError(
                    "supplier_travel: a DataFrame (index community ids, columns supplier ids) "
                    f"or a mapping scenario -> such a table, got {type(t).__name__}",
                    field="supplier_travel",
                )
            numeric_table(t, list(t.columns), "supplier_travel")


def _near(near: Any) -> None:
    """exclude_near: (geometry, distance) or a mapping reason -> (geometry, distance)."""
    if near is None:
        return
    items = near.values() if isinstance(near, Mapping) else [near]
    for spec in items:
        if not (isinstance(spec, tuple) and len(spec) == 2):
            raise InputError(
                f"exclude_near: expected (geometry, distance), got {spec!r}", field="exclude_near"
            )
        number(spec[1], "exclude_near", minimum=0.0, hint="the distance, in CRS units")
