"""Depot parameters checked at construction: everything that needs no instance.

:func:`check_params` runs when a :class:`~erlocate.planning.depots.Depots` is
built (``Depots(relief_time="10")`` raises at once): choices, numbers and flags
strictly, the category, tier and contract tables, the rules against the tier
table, and the kind of every per-site or per-scenario input. Column names,
labels and lengths are checked against the instance at solve time
(:func:`~erlocate.planning.depots.data.prepare`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.params import boolean, integer, number
from erlocate.planning._checks import (
    is_sequence,
    label_list,
    mapping_of_numbers,
    numeric_table,
    values_param,
)
from erlocate.planning.depots.inputs import category_and_tier_tables, check_contracts

__all__ = ["CHOICES", "check_params"]

#: The string options of a Depots model.
CHOICES = {
    "cost_unit": ("minutes", "hours"),
    "transport": ("expected", "worst"),
    "on_excluded_required": ("error", "keep"),
}


def check_params(model: Any) -> None:
    """Raise InputError, naming the parameter, for anything wrong whatever the instance."""
    for name, options in CHOICES.items():
        value = getattr(model, name)
        if not isinstance(value, str) or value not in options:
            raise InputError(
                f"{name}: {value!r}; use {' or '.join(repr(o) for o in options)}", field=name
            )
    number(model.relief_time, "relief_time", minimum=0.0, strict=True, hint="hours")
    number(model.transport_rate, "transport_rate", minimum=0.0, hint="cost per m³ per hour")
    for name in ("integer_stock", "aggregate"):
        boolean(getattr(model, name), name)
    cats, tiers = category_and_tier_tables(model.categories, model.tiers)
    _rules(model, tiers)
    values_param(model.capacity, "capacity", scalar=True, optional=True, allow_inf=True)
    values_param(model.fixed_cost, "fixed_cost", scalar=True, optional=True)
    values_param(model.handling_time, "handling_time", scalar=True, optional=True)
    for name in ("site_tier", "unit", "excluded", "exclusion_reason"):
        value = getattr(model, name)
        if not isinstance(value, str) and value is not None:
            label_list(value, name)
    _scenario_inputs(model, cats)
    check_contracts(model.contracts, cats.index)
    _near(model.exclude_near)


def _rules(model: Any, tiers: pd.DataFrame) -> None:
    """min_per_tier, unit_tier, min_per_unit / max_per_unit and units_requiring."""
    per_tier = mapping_of_numbers(model.min_per_tier, "min_per_tier", integer=True)
    unknown = [t for t in per_tier if t not in tiers.index]
    if unknown:
        raise InputError(
            f"min_per_tier: unknown tier {unknown[0]!r}; tiers: {tiers.index.tolist()}",
            field="min_per_tier",
        )
    lo = integer(model.min_per_unit, "min_per_unit", minimum=0)
    integer(model.max_per_unit, "max_per_unit", minimum=lo, optional=True, hint="or None")
    units = model.units_requiring
    if units is None:
        return
    if not (isinstance(units, str) and units == "all"):
        if isinstance(units, str):
            raise InputError(
                f"units_requiring: 'all', None or a list of unit labels, got {units!r}",
                field="units_requiring",
            )
        label_list(units, "units_requiring")
    if not isinstance(model.unit_tier, str) or model.unit_tier not in tiers.index:
        raise InputError(
            f"unit_tier: unknown tier {model.unit_tier!r}; tiers: {tiers.index.tolist()}",
            field="unit_tier",
        )


def _scenario_inputs(model: Any, cats: pd.DataFrame) -> None:
    """affected, probabilities, needs, scenario_costs and supplier_travel: kinds and numbers."""
    a = model.affected
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
    p = model.probabilities
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
    needs = model.needs
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
    sc = model.scenario_costs
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
    tr = model.supplier_travel
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
