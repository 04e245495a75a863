"""Depot inputs: each parameter of :class:`~erlocate.planning.depots.Depots` checked and coerced.

Numbers and labels per site, the category and tier tables, the scenarios
(affected people, probabilities, needs, degraded networks) and the contract
reserves with their delivery times; :func:`~erlocate.planning.depots.data.resolve`
assembles them. Every function takes the parameter's value (not the model) and
raises InputError naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.planning.checks import numeric_table
from erlocate.planning.depots.defaults import depot_tiers, material_categories
from erlocate.planning.inputs import by_label, column, floats, real_array

__all__ = [
    "category_and_tier_tables",
    "check_contracts",
    "contract_inputs",
    "defaults_table",
    "nonnegative",
    "scenario_affected",
    "scenario_needs",
    "scenario_network",
    "scenario_weights",
    "site_labels",
]


def nonnegative(
    value: Any,
    frame: Any,
    n: int,
    field: str,
    where: str,
    *,
    inf: bool = False,
    ids: pd.Index | None = None,
    dropped: Sequence = (),
) -> np.ndarray:
    """A number, n numbers, or a column of ``instance.<where>`` -> float array (>= 0).

    A Series is aligned by label to ``ids`` (labels in ``dropped`` are left out).
    """
    if isinstance(value, str):
        advice = f"; pass {n} values or a column name of instance.{where}"
        value = column(frame, value, field, where, advice=advice).to_numpy()
    if ids is not None:
        value = by_label(value, ids, field, dropped=dropped)
    arr = floats(value, n, field)
    bad = np.isnan(arr) | (arr < 0) | (~np.isfinite(arr) if not inf else False)
    if bad.any():
        k = np.flatnonzero(bad)
        raise InputError(
            f"{field}: must be finite numbers >= 0; bad at positions {k[:5].tolist()} "
            f"(e.g. {arr[k[0]]!r})",
            field=field,
        )
    return arr


def site_labels(
    value: Any, frame: Any, ids: pd.Index, field: str, known: Sequence | None
) -> np.ndarray:
    """A column of site_frame, one label for all, or one label per site (a Series by site id)."""
    n = len(ids)
    if isinstance(value, str) and frame is not None and value in frame.columns:
        arr = frame[value].to_numpy(dtype=object)
    elif isinstance(value, str) and known is not None and value in known:
        arr = np.full(n, value, dtype=object)
    elif isinstance(value, str):
        hint = f" or one of {list(known)}" if known is not None else ""
        raise InputError(
            f"{field}: no column {value!r} in instance.site_frame; pass {n} labels, a column "
            f"name{hint}",
            field=field,
        )
    else:
        arr = np.asarray(by_label(value, ids, field), dtype=object)
        if arr.shape != (n,):
            raise InputError(f"{field}: expected {n} labels, got shape {arr.shape}", field=field)
    return arr


def category_and_tier_tables(categories: Any, tiers: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The material-category and depot-tier tables, given or the defaults, checked."""
    cats = defaults_table(
        categories,
        material_categories(),
        ["per_person", "space_per_unit", "holding_cost"],
        "categories",
    )
    tier_table = defaults_table(
        tiers, depot_tiers(), ["capacity", "fixed_cost", "handling_time"], "tiers"
    )
    return cats, tier_table


def defaults_table(t: Any, default: pd.DataFrame, need: list[str], field: str) -> pd.DataFrame:
    """The table ``t`` (a DataFrame or mapping, checked, numbers as floats), or ``default``."""
    if t is None:
        return default
    if isinstance(t, Mapping):
        t = pd.DataFrame.from_dict(dict(t), orient="index")
    if not isinstance(t, pd.DataFrame):
        raise InputError(f"{field}: a DataFrame indexed by name, or a mapping", field=field)
    missing = [c for c in need if c not in t.columns]
    if missing:
        raise InputError(f"{field}: missing columns {missing}", field=field)
    if not t.index.is_unique or len(t) == 0:
        raise InputError(f"{field}: needs at least one row and unique index labels", field=field)
    t = t.copy()
    numeric_table(t, need, field)
    for c in need:
        t[c] = t[c].to_numpy(float)
    return t


def scenario_network(value: Any, instance: Instance, name: str) -> Instance:
    """One scenario's travel matrix (array, sparse, DataFrame or Instance) as an Instance."""
    field = "scenario_costs"
    gone = set(instance.dropped)
    if isinstance(value, Instance):
        extra = [k for k in value.demand_ids if k in gone]
        if extra:  # the solved instance dropped these points: drop them here too
            value = value.drop_demand(extra)
        if not (
            value.demand_ids.equals(instance.demand_ids)
            and value.site_ids.equals(instance.site_ids)
        ):
            raise InputError(
                f"{field}: the instance of scenario {name!r} must have the same demand and site "
                "ids, in the same order, as the instance solved (demand ids it drops aside)",
                field=field,
            )
        return value
    if isinstance(value, pd.DataFrame):
        missing = (
            instance.demand_ids.difference(value.index).tolist()[:5]
            + (instance.site_ids.difference(value.columns).tolist()[:5])
        )
        extra = [k for k in value.index.difference(instance.demand_ids) if k not in gone]
        extra += value.columns.difference(instance.site_ids).tolist()
        unique = value.index.is_unique and value.columns.is_unique
        if missing or extra or not unique:
            raise InputError(
                f"{field}: scenario {name!r} matrix lacks ids {missing} / has ids that are not "
                f"the instance's {show_ids(extra[:10])}; index = community ids, columns = site "
                "ids, each once",
                field=field,
            )
        value = value.reindex(index=instance.demand_ids, columns=instance.site_ids)
        value = real_array(value.to_numpy(), f"{field}[{name}]")
    shape = getattr(value, "shape", None) or np.shape(value)
    if tuple(shape) != (instance.n_demand, instance.n_sites):
        hint = (
            "; the instance dropped demand points: pass a DataFrame or Instance labelled by id "
            "(rows are matched by label)"
            if gone
            else ""
        )
        raise InputError(
            f"{field}: scenario {name!r} matrix has shape {tuple(shape)}, expected "
            f"({instance.n_demand}, {instance.n_sites}){hint}",
            field=field,
        )
    try:
        return Instance.from_matrix(
            value, demand_ids=instance.demand_ids, site_ids=instance.site_ids
        )
    except InputError as exc:
        raise InputError(f"{field}: scenario {name!r}: {exc}", field=field) from None


def scenario_affected(a: Any, instance: Instance) -> tuple[list[str], np.ndarray]:
    """Scenario names and the people affected per scenario and community (S, n)."""
    n, frame, ids = instance.n_demand, instance.demand_frame, instance.demand_ids
    if a is None:
        items: list[tuple[Any, Any]] = [("base", instance.weights)]
    elif isinstance(a, pd.DataFrame):
        missing = ids.difference(a.index)
        if len(missing):
            raise InputError(
                f"affected: no rows for communities {missing[:5].tolist()}; index the table by "
                "community id (instance.demand_ids), one column per scenario",
                field="affected",
            )
        extra = [k for k in a.index.difference(ids) if k not in set(instance.dropped)]
        if extra or not a.index.is_unique:
            raise InputError(
                f"affected: rows {show_ids(extra[:20])} are not community ids of the instance "
                "(or ids repeat); index the table by instance.demand_ids",
                field="affected",
            )
        a = a.reindex(ids)
        items = [(c, a[c].to_numpy()) for c in a.columns]
    elif isinstance(a, Mapping):
        items = list(a.items())
    elif isinstance(a, Sequence) and not isinstance(a, str):
        items = [(c, c) for c in a]
    else:
        raise InputError(
            "affected: a DataFrame (communities × scenarios), a mapping scenario -> values or "
            "demand_frame column, or a list of demand_frame columns",
            field="affected",
        )
    if not items:
        raise InputError("affected: no scenario given", field="affected")
    names = [str(k) for k, _ in items]
    if len(set(names)) != len(names):
        raise InputError(f"affected: scenario names must be unique, got {names}", field="affected")
    rows = [
        nonnegative(
            v, frame, n, f"affected[{nm}]", "demand_frame", ids=ids, dropped=instance.dropped
        )
        for nm, (_, v) in zip(names, items, strict=True)
    ]
    return names, np.vstack(rows)


def scenario_weights(p: Any, names: list[str]) -> np.ndarray:
    """The scenario probabilities (equal when ``p`` is None), checked to sum to 1."""
    S = len(names)
    if p is None:
        return np.full(S, 1.0 / S)
    if isinstance(p, Mapping):
        unknown = [k for k in p if str(k) not in names]
        missing = [nm for nm in names if nm not in {str(k) for k in p}]
        if unknown or missing:
            raise InputError(
                f"probabilities: unknown scenarios {unknown}, missing {missing}; give one per "
                f"scenario of affected: {names}",
                field="probabilities",
            )
        p = [dict((str(k), v) for k, v in p.items())[nm] for nm in names]
    arr = nonnegative(p, None, S, "probabilities", "")
    if abs(arr.sum() - 1.0) > 1e-9:
        raise InputError(
            f"probabilities: sum to {arr.sum():g}; they must sum to 1 (scenario weights given "
            "that a disaster happens)",
            field="probabilities",
        )
    return arr


def scenario_needs(t: Any, cats: pd.DataFrame, names: list[str]) -> np.ndarray:
    """Units per affected person (S, K): the table's ``per_person`` overridden by ``needs``."""
    base = cats["per_person"].to_numpy(float)
    out = np.tile(base, (len(names), 1))
    if t is None:
        return out
    t = pd.DataFrame(t) if isinstance(t, Mapping) else t
    if not isinstance(t, pd.DataFrame):
        raise InputError(
            "needs: a DataFrame categories × scenarios (units per affected person)", field="needs"
        )
    unknown = [c for c in t.columns if str(c) not in names]
    bad_rows = t.index.difference(cats.index).tolist()
    if unknown or bad_rows:
        raise InputError(
            f"needs: unknown scenarios {unknown} / categories {bad_rows[:5]}; rows = categories "
            f"{cats.index.tolist()[:3]}..., columns = scenarios {names}",
            field="needs",
        )
    for c in t.columns:
        col = t[c].reindex(cats.index)
        v = pd.to_numeric(col, errors="coerce").to_numpy(float)
        given = col.notna().to_numpy()
        if (v[given] < 0).any() or np.isnan(v[given]).any():
            raise InputError(
                f"needs: scenario {c!r} has negative or non-numeric needs", field="needs"
            )
        out[names.index(str(c)), given] = v[given]
    return out


def check_contracts(t: Any, cats: pd.Index) -> None:
    """The contract table: a DataFrame with the needed columns, known categories, finite
    numbers >= 0 (``None``: no contracts)."""
    if t is None:
        return
    if not isinstance(t, pd.DataFrame):
        raise InputError(
            f"contracts: a DataFrame, one row per (supplier, category), got {type(t).__name__}",
            field="contracts",
        )
    need = ["supplier", "category", "capacity", "retainer", "lead_time"]
    missing = [c for c in need if c not in t.columns]
    if missing:
        raise InputError(
            f"contracts: missing columns {missing}; need supplier, category, capacity, retainer, "
            "lead_time (hours, call to delivery) and optionally delivery_cost",
            field="contracts",
        )
    unknown = sorted({str(c) for c in t["category"] if c not in cats})
    if unknown:
        raise InputError(
            f"contracts: unknown categories {unknown}; known: {cats.tolist()}", field="contracts"
        )
    cols = ["capacity", "retainer", "lead_time"] + (
        ["delivery_cost"] if "delivery_cost" in t.columns else []
    )
    numeric_table(t, cols, "contracts")
    inf = [c for c in cols if np.isinf(t[c].to_numpy(float)).any()]
    if inf:
        raise InputError(f"contracts: column {inf[0]!r} must be finite", field="contracts")


def contract_inputs(
    t: Any, tr: Any, instance: Instance, cats: pd.Index, names: list[str], to_h: float
) -> tuple[pd.DataFrame, np.ndarray, list[np.ndarray]]:
    """The contract table (``t``), each row's category position and, per scenario, the
    hours from call to delivery at each community (lead time + ``supplier_travel`` ``tr``)."""
    cols = ["supplier", "category", "capacity", "retainer", "delivery_cost", "lead_time"]
    if t is None:
        t = pd.DataFrame({c: pd.Series(dtype=object if c in cols[:2] else float) for c in cols})
    check_contracts(t, cats)
    t = t.reset_index(drop=True).copy()
    if "delivery_cost" not in t.columns:
        t["delivery_cost"] = 0.0
    for c in cols[2:]:
        t[c] = nonnegative(t[c].to_numpy(), None, len(t), f"contracts.{c}", "")
    n, C = instance.n_demand, len(t)
    base = np.broadcast_to(t["lead_time"].to_numpy(float), (n, C))
    times = [base.copy() for _ in names]
    if tr is not None:
        per = tr if isinstance(tr, Mapping) else {nm: tr for nm in names}
        for nm, df in per.items():
            if str(nm) not in names:
                raise InputError(
                    f"supplier_travel: unknown scenario {nm!r}", field="supplier_travel"
                )
            if not isinstance(df, pd.DataFrame):
                raise InputError(
                    "supplier_travel: a DataFrame (index community ids, columns supplier ids)",
                    field="supplier_travel",
                )
            need = pd.Index(t["supplier"].unique())
            lack = (
                instance.demand_ids.difference(df.index).tolist()[:3]
                + need.difference(df.columns).tolist()[:3]
            )
            if lack:
                raise InputError(f"supplier_travel: missing ids {lack}", field="supplier_travel")
            mat = df.reindex(index=instance.demand_ids).to_numpy(float)
            pos = df.columns.get_indexer(t["supplier"])
            tt = mat[:, pos]
            if np.isnan(tt).any() or (tt < 0).any():
                raise InputError(
                    "supplier_travel: NaN or negative times (use inf for unreachable)",
                    field="supplier_travel",
                )
            times[names.index(str(nm))] = base + tt * to_h
    return t[cols], cats.get_indexer(t["category"]), times
