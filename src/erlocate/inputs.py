"""Checks of the data an :class:`~erlocate.instance.Instance` is built from.

Cost matrices, per-point and per-site vectors and required sites are checked
here, each error naming the field and the fix. Labelled data (a pandas Series
or a mapping) is aligned by label to the ids; labels that are not ids raise.
Nothing is coerced silently: strings, booleans and complex numbers are refused
where numbers are expected.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.errors import InputError

__all__ = [
    "MAX_MAGNITUDE",
    "by_label",
    "cost_pairs",
    "id_index",
    "required_mask",
    "show_ids",
    "vector",
]

#: Largest finite magnitude accepted for a cost, weight, capacity or site cost.
#: Solvers treat values from about 1e20 on as infinite (HiGHS, CBC), and a
#: weight × cost product must stay well below that; use ``inf`` for
#: "unreachable" / "unlimited" instead of a big number.
MAX_MAGNITUDE = 1e15


def show_ids(values: Any) -> str:
    """Every value, as a list literal, for messages that must name each offender."""
    items = [v.item() if isinstance(v, np.generic) else v for v in list(values)]
    return "[" + ", ".join(repr(v) for v in items) + "]"


def id_index(ids: Any, n: int, name: str, what: str) -> pd.Index:
    """Unique, non-missing ids, one per row (demand) or column (sites)."""
    if ids is None:
        return pd.RangeIndex(n, name=name)
    if isinstance(ids, (str, bytes)) or np.ndim(ids) == 0:
        raise InputError(
            f"{name}: expected a sequence of {n} ids, got the single value {ids!r}", field=name
        )
    if isinstance(ids, (Set, Mapping)):
        raise InputError(
            f"{name}: got a {type(ids).__name__}, which has no order; pass a list or an "
            f"index with one id per {what} in order",
            field=name,
        )
    index = pd.Index(ids, name=name)
    if index.nlevels > 1 or np.ndim(ids) > 1:
        raise InputError(f"{name}: expected a flat sequence of ids", field=name)
    if len(index) != n:
        axis = "row" if what == "demand point" else "column"
        raise InputError(
            f"{name}: {len(index)} ids given for {n} {what}s; pass one id per {what} ({axis} "
            "of the cost matrix)",
            field=name,
        )
    if index.hasnans:
        raise InputError(f"{name}: ids must not be missing (NaN/None)", field=name)
    if not index.is_unique:
        dup = index[index.duplicated()].unique().tolist()
        raise InputError(f"{name}: ids must be unique; duplicated: {show_ids(dup)}", field=name)
    return index


def _numeric(values: Any, name: str, what: str) -> np.ndarray:
    """``values`` as a float array, refusing strings, booleans, complex and objects."""
    try:
        arr = np.asarray(values)
    except ValueError:  # ragged nested lists
        raise InputError(
            f"{name}: rows of different lengths; pass a rectangular array of {what}", field=name
        ) from None
    kind = arr.dtype.kind
    if kind in "iuf":
        return arr.astype(float, copy=False)
    if kind == "c":
        raise InputError(f"{name}: complex values are not {what}; pass real numbers", field=name)
    if kind == "b":
        raise InputError(
            f"{name}: booleans are not {what}; convert explicitly (e.g. .astype(float))",
            field=name,
        )
    if kind == "O":
        flat = arr.ravel()
        bad = [v for v in flat if not _real_or_missing(v)]
        if not bad:
            return np.array([np.nan if v is None else float(v) for v in flat]).reshape(arr.shape)
        example = bad[0]
    elif kind in "USa":
        example = arr.ravel()[0] if arr.size else ""
    else:
        example = arr.dtype
    raise InputError(
        f"{name}: must be numeric ({what}), got {type(example).__name__} values such as "
        f"{example!r}; convert the column first (e.g. pd.to_numeric)",
        field=name,
    )


def _real_or_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, (bool, np.bool_)):
        return False
    return isinstance(v, (int, float, np.integer, np.floating))


def _aligned(values: Any, ids: pd.Index, name: str) -> Any:
    """A Series / mapping reordered to ``ids``; anything else unchanged (used by position)."""
    if isinstance(values, Mapping) and not isinstance(values, pd.Series):
        values = pd.Series(dict(values))
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InputError(
                f"{name}: got a DataFrame with {values.shape[1]} columns; pass one column",
                field=name,
            )
        values = values.iloc[:, 0]
    if not isinstance(values, pd.Series):
        return values
    return by_label(values, ids, name)


def by_label(values: pd.Series, ids: pd.Index, name: str, *, dropped: Any = ()) -> np.ndarray:
    """A Series aligned by label to ``ids`` (as an array).

    Labels must be unique and cover every id; labels that are not ids raise,
    except the ids in ``dropped`` (points removed by ``Instance.drop_demand``),
    which are left out.
    """
    index = values.index
    if index.equals(ids):
        return values.to_numpy()
    if not index.is_unique:
        dup = index[index.duplicated()].unique().tolist()
        raise InputError(f"{name}: labels must be unique; duplicated: {show_ids(dup)}", field=name)
    gone = set(dropped)
    unknown = pd.Index([k for k in index.difference(ids, sort=False) if k not in gone])
    missing = ids.difference(index, sort=False)
    if len(unknown) or len(missing):
        parts = []
        if len(unknown):
            parts.append(f"labels that are not ids: {show_ids(unknown[:20])}")
        if len(missing):
            parts.append(f"ids without a value: {show_ids(missing[:20])}")
        raise InputError(
            f"{name}: a labelled input is aligned by label to the ids, and its labels do not "
            f"match ({'; '.join(parts)}); relabel it, or pass .to_numpy() to use it by position",
            field=name,
        )
    return values.reindex(ids).to_numpy()


def vector(
    values: Any,
    ids: pd.Index,
    name: str,
    default: float,
    *,
    allow_inf: bool = False,
) -> np.ndarray:
    """One non-negative number per id (a read-only float array).

    ``None`` gives ``default`` everywhere; a scalar is broadcast; a Series or
    mapping is aligned by label; an array is taken in id order.
    """
    n = len(ids)
    if values is None:
        arr = np.full(n, default, dtype=float)
        arr.setflags(write=False)
        return arr
    values = _aligned(values, ids, name)
    if isinstance(values, (str, bytes)):
        raise InputError(
            f"{name}: got the string {values!r}; pass numbers (a column name is only "
            "understood by from_geodataframes)",
            field=name,
        )
    arr = _numeric(values, name, "numbers")
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise InputError(f"{name}: expected {n} values, got shape {arr.shape}", field=name)
    labels = np.asarray(ids)
    bad = np.flatnonzero(np.isnan(arr))
    if bad.size:
        raise InputError(
            f"{name}: NaN for ids {show_ids(labels[bad[:20]])}"
            + (f" (+{bad.size - 20} more)" if bad.size > 20 else "")
            + "; fill or drop those entries",
            field=name,
        )
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        raise InputError(
            f"{name}: must be >= 0; negative for ids {show_ids(labels[neg[:20]])} "
            f"(e.g. {arr[neg[0]]:g})",
            field=name,
        )
    infinite = np.isinf(arr)
    if infinite.any() and not allow_inf:
        raise InputError(
            f"{name}: infinite for ids {show_ids(labels[np.flatnonzero(infinite)[:20]])}",
            field=name,
        )
    huge = np.flatnonzero(np.isfinite(arr) & (arr >= MAX_MAGNITUDE))
    if huge.size:
        hint = "; use np.inf for unlimited" if allow_inf else "; rescale the unit"
        raise InputError(
            f"{name}: values >= {MAX_MAGNITUDE:g} for ids {show_ids(labels[huge[:20]])}; "
            f"solvers treat such numbers as infinite{hint}",
            field=name,
        )
    arr = arr.copy()
    arr.setflags(write=False)
    return arr


def required_mask(required: Any, site_ids: pd.Index) -> np.ndarray:
    """Boolean mask of the required sites: from a mask, a list of ids or a labelled Series.

    A list of 0/1 integers as long as the sites, on integer site ids, could be
    either a mask or ids: it is refused with a hint.
    """
    m = len(site_ids)
    mask: np.ndarray = np.zeros(m, dtype=bool)
    if required is None:
        mask.setflags(write=False)
        return mask
    if isinstance(required, (str, bytes)) or (
        np.ndim(required) == 0 and not isinstance(required, (Set, Mapping, pd.Series))
    ):
        raise InputError(
            f"required: got the single value {required!r}; pass a list of site ids "
            f"([{required!r}]) or a boolean mask with one flag per site",
            field="required",
        )
    if isinstance(required, Mapping):
        required = pd.Series(dict(required))
    if isinstance(required, pd.Series) and required.dtype == bool:
        flags = _aligned(required, site_ids, "required")
        mask = np.asarray(flags, dtype=bool).copy()
        mask.setflags(write=False)
        return mask
    values = list(required) if isinstance(required, Set) else required
    arr = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values)
    if arr.ndim != 1:
        raise InputError(
            f"required: expected a flat list of site ids or a mask, got shape {arr.shape}",
            field="required",
        )
    if arr.dtype == bool:
        if arr.shape != (m,):
            raise InputError(
                f"required: boolean mask must have {m} entries (one per site), got {arr.size}",
                field="required",
            )
        mask = arr.copy()
        mask.setflags(write=False)
        return mask
    if (
        arr.size == m
        and arr.dtype.kind in "iu"
        and np.isin(arr, (0, 1)).all()
        and site_ids.inferred_type == "integer"
    ):
        raise InputError(
            f"required: {arr.tolist()[:10]}{' ...' if m > 10 else ''} could be a 0/1 mask or "
            "a list of integer site ids; pass a boolean mask (np.array([...], dtype=bool)) "
            "or the ids without repeats",
            field="required",
        )
    wanted = pd.Index(arr)
    if not wanted.is_unique:
        dup = wanted[wanted.duplicated()].unique().tolist()
        raise InputError(f"required: site ids listed twice: {show_ids(dup)}", field="required")
    pos = site_ids.get_indexer(wanted)
    if (pos < 0).any():
        missing = wanted[pos < 0].tolist()
        raise InputError(
            f"required: unknown site ids {show_ids(missing[:20])}; required sites must be "
            "among site_ids",
            field="required",
        )
    mask[pos] = True
    mask.setflags(write=False)
    return mask


def cost_pairs(
    cost: Any, demand_ids: Any, site_ids: Any
) -> tuple[tuple[int, int], np.ndarray, np.ndarray, np.ndarray]:
    """Shape and CSR arrays (indptr, indices, costs) of the finite pairs of a cost matrix."""
    if sp.issparse(cost):
        shape = cost.shape
        indptr, indices, costs = _pairs_from_sparse(cost)
    else:
        dense = _numeric(cost, "cost", "travel costs")
        if dense.ndim != 2:
            raise InputError(
                f"cost: expected a 2-d demand × site matrix, got {dense.ndim} dimension(s)",
                field="cost",
            )
        shape = dense.shape
        # only finite entries are kept: report NaN / negatives first
        nan_at = np.argwhere(np.isnan(dense))
        if nan_at.size:
            bad_cost("NaN", nan_at[:, 0], nan_at[:, 1], demand_ids, site_ids)
        neg_at = np.argwhere(dense < 0)
        if neg_at.size:
            bad_cost("negative", neg_at[:, 0], neg_at[:, 1], demand_ids, site_ids)
        indptr, indices, costs = _pairs_from_dense(dense)
    n, m = shape
    if n == 0 or m == 0:
        raise InputError(
            f"cost: needs at least one demand point and one site, got shape {shape}",
            field="cost",
        )
    rows = np.repeat(np.arange(n), np.diff(indptr))
    for kind, bad in (
        ("NaN", np.isnan(costs)),
        ("negative", costs < 0),
        (f">= {MAX_MAGNITUDE:g}", costs >= MAX_MAGNITUDE),
    ):
        if bad.any():
            bad_cost(kind, rows[bad], indices[bad], demand_ids, site_ids)
    return shape, indptr, indices, costs


def _pairs_from_dense(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    finite = np.isfinite(cost)
    counts = finite.sum(axis=1)
    indptr = np.zeros(cost.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    rows, cols = np.nonzero(finite)  # row-major order: sorted by row, then column
    return indptr, cols.astype(np.int64), cost[rows, cols]


def _pairs_from_sparse(cost: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coo = sp.coo_array(cost)
    data = _numeric(coo.data, "cost", "travel costs")
    keys = coo.row.astype(np.int64) * coo.shape[1] + coo.col
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if keys.size and (np.diff(keys) == 0).any():
        k = keys[np.flatnonzero(np.diff(keys) == 0)[0]]
        raise InputError(
            f"cost: sparse matrix has duplicate entries, e.g. at (row {k // coo.shape[1]}, "
            f"column {k % coo.shape[1]}); call .sum_duplicates() or keep one value per pair",
            field="cost",
        )
    rows, cols, data = coo.row[order], coo.col[order], data[order]
    keep = ~np.isposinf(data)  # +inf = unreachable; NaN / -inf are reported by the caller
    rows, cols, data = rows[keep], cols[keep], data[keep]
    indptr = np.zeros(coo.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=coo.shape[0]), out=indptr[1:])
    return indptr, cols.astype(np.int64), data


def bad_cost(kind: str, rows: np.ndarray, cols: np.ndarray, d_ids: Any, s_ids: Any) -> None:
    """Raise the InputError for cost entries of one bad ``kind`` (NaN, negative, huge)."""

    def label(ids: Any, k: int) -> Any:
        try:
            return ids[k] if ids is not None else k
        except (IndexError, KeyError, TypeError):
            return k

    examples = ", ".join(
        f"(demand {label(d_ids, int(r))!r}, site {label(s_ids, int(c))!r})"
        for r, c in zip(rows[:3], cols[:3], strict=False)
    )
    fixes = {
        "NaN": "use np.inf (dense) or leave the entry out (sparse) for unreachable pairs",
        "negative": "travel costs must be >= 0",
    }
    fix = fixes.get(
        kind,
        "solvers treat numbers near 1e20 as infinite: use np.inf for unreachable pairs, or "
        "rescale (e.g. km instead of m)",
    )
    raise InputError(f"cost: {len(rows)} {kind} entries, e.g. {examples}; {fix}", field="cost")
