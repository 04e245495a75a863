"""Input coercion shared by the planning models: frame columns, labels and per-item numbers.

Each model words its own advice in the error messages (what else the user may
pass); these helpers only do the common part, so that a column that is not
there, a non-numeric value, a Series whose labels are not the instance's ids or
a wrong length reads the same in every model. Nothing is coerced silently:
strings, booleans and complex numbers are refused where numbers are expected,
and labelled data (a pandas Series) is aligned by label, never by position.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.inputs import by_label as series_by_label
from erlocate.inputs import show_ids
from erlocate.params import is_real

__all__ = [
    "by_label",
    "column",
    "dropped_row",
    "floats",
    "listed",
    "real_array",
    "shown",
]


def shown(values: Any, limit: int = 20) -> str:
    """Up to ``limit`` values as a list literal, with the count of the rest."""
    items = list(values)
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return show_ids(items[:limit]) + more


def column(
    frame: pd.DataFrame | None,
    name: str,
    field: str,
    where: str,
    *,
    absent: str = "",
    advice: str = "",
) -> pd.Series:
    """The column ``name`` of ``instance.<where>`` (``frame``), else InputError.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        ``instance.demand_frame`` or ``instance.site_frame``.
    name : str
        The column asked for.
    field : str
        The model parameter, for the message and ``InputError.field``.
    where : str
        ``"demand_frame"`` or ``"site_frame"``, for the message.
    absent : str
        Appended to the message when the instance has no such frame at all.
    advice : str
        Appended last: what else the parameter accepts.

    Returns
    -------
    pandas.Series
        ``frame[name]``.

    Raises
    ------
    InputError
        ``"<field>: no column '<name>' in instance.<where>" + absent + advice``.
    """
    if frame is None or name not in frame.columns:
        raise InputError(
            f"{field}: no column {name!r} in instance.{where}"
            + (absent if frame is None else "")
            + advice,
            field=field,
        )
    return frame[name]


def by_label(value: Any, ids: pd.Index, field: str, *, dropped: Iterable[Any] = ()) -> Any:
    """A pandas Series aligned by label to ``ids`` (as an array); anything else unchanged.

    Labels must be unique and cover every id; labels that are not ids raise,
    except the ids in ``dropped`` (points removed by ``Instance.drop_demand``),
    which are left out.

    Raises
    ------
    InputError
        ``"<field>: a labelled input is aligned by label to the ids ..."``.
    """
    if not isinstance(value, pd.Series):
        return value
    return series_by_label(value, ids, field, dropped=dropped)


def real_array(value: Any, field: str) -> np.ndarray:
    """``value`` as a float array, refusing strings, booleans, complex values and objects.

    ``None`` entries of an object array become NaN (the caller refuses them).

    Raises
    ------
    InputError
        ``"<field>: must be numbers, got ..."``.
    """
    if isinstance(value, (str, bytes)):
        raise InputError(f"{field}: must be numbers, got the string {value!r}", field=field)
    try:
        arr = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value)
    except (TypeError, ValueError):
        raise InputError(f"{field}: must be numbers, got {value!r}", field=field) from None
    kind = arr.dtype.kind
    if kind in "iuf":
        return arr.astype(float)
    if kind == "O":
        flat = arr.ravel()
        bad = [v for v in flat if v is not None and not is_real(v)]
        if not bad:
            return np.array([np.nan if v is None else float(v) for v in flat]).reshape(arr.shape)
        example: Any = bad[0]
    else:
        example = arr.ravel()[0] if arr.size else arr.dtype
    raise InputError(
        f"{field}: must be numbers, got {type(example).__name__} values such as {example!r}; "
        "convert them first (e.g. pd.to_numeric; booleans with .astype(float))",
        field=field,
    )


def floats(value: Any, n: int, field: str) -> np.ndarray:
    """One number (repeated ``n`` times) or ``n`` numbers as a float array of shape ``(n,)``.

    Strict: ``"5"``, ``True`` and complex values are refused (:func:`real_array`).

    Raises
    ------
    InputError
        ``"<field>: must be numbers, got ..."`` or ``"<field>: expected <n> values, got shape
        ..."``. Finiteness and sign are left to the caller.
    """
    arr = real_array(value, field)
    arr = np.full(n, float(arr)) if arr.ndim == 0 else arr
    if arr.shape != (n,):
        raise InputError(f"{field}: expected {n} values, got shape {arr.shape}", field=field)
    return arr


def listed(key: str, ids: Any) -> dict[str, str]:
    """``{key: "<k>: [ids]"}`` naming every id, or ``{}`` when there is none.

    For the summary tables of planning reports (values of any type): which points
    the plan leaves out, by id.
    """
    ids = [i.item() if isinstance(i, np.generic) else i for i in ids]
    return {key: f"{len(ids)}: {show_ids(ids)}"} if ids else {}


def dropped_row(instance: Any, key: str) -> dict[str, str]:
    """:func:`listed` of the points ``Instance.drop_demand`` removed (``instance.dropped``)."""
    return listed(key, getattr(instance, "dropped", ()))
