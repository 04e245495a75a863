"""Construction-time checks shared by the planning models' ``check_params``.

A planning model checks every parameter it can without an instance when it is
built (``FireStations(standard="5")`` raises at once): numbers strictly (via
:mod:`erlocate.params`), flags as real booleans, choices among their options,
and the *kind* of the parameters that name a column or give values per item
(a column name, a number where one is broadcast, an array or a Series). What
needs the instance (column names, labels, lengths) is checked at solve time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.params import is_real, number
from erlocate.planning.inputs import real_array

__all__ = ["is_sequence", "label_list", "mapping_of_numbers", "numeric_table", "values_param"]


def values_param(
    value: Any,
    name: str,
    *,
    scalar: bool = False,
    optional: bool = False,
    minimum: float | None = 0.0,
    maximum: float | None = None,
    allow_inf: bool = False,
    what: str = "numbers",
) -> None:
    """A column name, (with ``scalar``) one number, or per-item numbers: kind and values.

    Per-item values (a sequence, array or Series) must be real numbers (no NaN,
    within ``[minimum, maximum]``, finite unless ``allow_inf``); their count and
    labels are checked against the instance at solve time.
    """
    if value is None:
        if optional:
            return
        raise InputError(f"{name}: a column name or {what} are needed, got None", field=name)
    if isinstance(value, str):
        return
    if is_real(value) and scalar:
        hint = "" if what == "numbers" else what
        number(value, name, minimum=minimum, maximum=maximum, allow_inf=allow_inf, hint=hint)
        return
    if not is_sequence(value):
        kinds = "a column name, one number, " if scalar else "a column name "
        kinds += "or one value per item (array, list or Series)"
        raise InputError(
            f"{name}: expected {kinds}, got {value!r} ({type(value).__name__})", field=name
        )
    arr = real_array(value, name)
    if arr.ndim != 1:
        raise InputError(f"{name}: expected a flat sequence, got shape {arr.shape}", field=name)
    bad = np.isnan(arr) | (np.isinf(arr) & (not allow_inf))
    if minimum is not None:
        bad |= arr < minimum
    if maximum is not None:
        bad |= arr > maximum
    if bad.any():
        k = np.flatnonzero(bad)
        rng = f">= {minimum:g}" if minimum is not None else "a number"
        rng += f" and <= {maximum:g}" if maximum is not None else ""
        where = (
            f"labels {value.index[k[:5]].tolist()}"
            if isinstance(value, pd.Series)
            else f"positions {k[:5].tolist()}"
        )
        raise InputError(
            f"{name}: every value must be {'' if allow_inf else 'finite and '}{rng}; bad at "
            f"{where} (e.g. {float(arr[k[0]])!r})",
            field=name,
        )


def mapping_of_numbers(
    value: Any, name: str, *, minimum: float = 0.0, strict: bool = False, integer: bool = False
) -> dict[Any, Any]:
    """A mapping (or None: empty) whose values are real numbers >= ``minimum`` (> with strict)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(
            f"{name}: expected a mapping (dict) name -> number, got {value!r} "
            f"({type(value).__name__})",
            field=name,
        )
    for key, v in value.items():
        ok = is_real(v) and not (isinstance(v, float) and np.isnan(v))
        if ok and integer:
            ok = float(v) == int(v)
        if ok:
            f = float(v)
            ok = np.isfinite(f) and (f > minimum if strict else f >= minimum)
        if not ok:
            need = "an integer" if integer else "a finite number"
            raise InputError(
                f"{name}: {key!r} -> {v!r}; each value must be {need} "
                f"{'>' if strict else '>='} {minimum:g}",
                field=name,
            )
    return dict(value)


def numeric_table(table: pd.DataFrame, columns: list[str], name: str) -> None:
    """Each of ``columns`` holds real numbers >= 0 (inf allowed; NaN, strings, bools refused)."""
    for col in columns:
        try:
            arr = real_array(table[col].to_numpy(), f"{name}.{col}")
        except InputError as exc:
            raise InputError(f"{name}: column {col!r}: {exc}", field=name) from None
        bad = np.isnan(arr) | (arr < 0)
        if bad.any():
            raise InputError(
                f"{name}: column {col!r} must be numbers >= 0; bad rows "
                f"{table.index[bad][:5].tolist()}",
                field=name,
            )


def is_sequence(value: Any) -> bool:
    """A list, tuple, 1-D array, Index or Series (possibly of lists): one entry per item."""
    if isinstance(value, np.ndarray):
        return value.ndim == 1
    return isinstance(value, (Sequence, pd.Index, pd.Series)) and not isinstance(
        value, (str, bytes)
    )


def label_list(value: Any, name: str) -> list[Any]:
    """A string (one label) or a sequence of labels, as a list; numbers and mappings refused."""
    if isinstance(value, str):
        return [value]
    if not is_sequence(value):
        raise InputError(
            f"{name}: expected a name or a list of names, got {value!r} ({type(value).__name__})",
            field=name,
        )
    return list(value)
