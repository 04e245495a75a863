"""Input coercion shared by the planning models: frame columns and per-item numbers.

Each model words its own advice in the error messages (what else the user may
pass); these helpers only do the common part, so that a column that is not
there, a non-numeric value or a wrong length reads the same in every model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError

__all__ = ["column", "floats"]


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


def floats(value: Any, n: int, field: str) -> np.ndarray:
    """One number (repeated ``n`` times) or ``n`` numbers as a float array of shape ``(n,)``.

    Raises
    ------
    InputError
        ``"<field>: must be numeric, got ..."`` or ``"<field>: expected <n> values, got shape
        ..."``. Finiteness and sign are left to the caller.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{field}: must be numeric, got {value!r}", field=field) from None
    arr = np.full(n, float(arr)) if arr.ndim == 0 else arr
    if arr.shape != (n,):
        raise InputError(f"{field}: expected {n} values, got shape {arr.shape}", field=field)
    return arr
