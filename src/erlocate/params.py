"""Checks of scalar parameters, shared by models, ``solve`` and the heuristics.

Every check is strict: a number is a real ``int`` / ``float`` / numpy number,
never a ``bool``, a string (``"5"``) or a complex value, so nothing is coerced
silently. Each raises :class:`~erlocate.errors.InputError` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, Literal, overload

import numpy as np

from erlocate.errors import InputError

__all__ = ["boolean", "choice", "integer", "is_real", "number"]


def is_real(value: Any) -> bool:
    """True for an int / float / numpy real scalar that is not a bool."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, float, np.integer, np.floating))


@overload
def number(
    value: Any,
    name: str,
    *,
    minimum: float | None = ...,
    maximum: float | None = ...,
    strict: bool = ...,
    allow_inf: bool = ...,
    optional: Literal[False] = ...,
    hint: str = ...,
) -> float: ...
@overload
def number(
    value: Any,
    name: str,
    *,
    minimum: float | None = ...,
    maximum: float | None = ...,
    strict: bool = ...,
    allow_inf: bool = ...,
    optional: bool,
    hint: str = ...,
) -> float | None: ...
def number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    allow_inf: bool = False,
    optional: bool = False,
    hint: str = "",
) -> float | None:
    """A real number within ``[minimum, maximum]`` (``(minimum, ...`` with ``strict``).

    ``None`` passes only when ``optional``. ``inf`` passes only with ``allow_inf``.
    """
    if value is None and optional:
        return None
    suffix = f"; {hint}" if hint else ""
    if not is_real(value):
        kind = type(value).__name__
        raise InputError(f"{name}: must be a number, got {value!r} ({kind}){suffix}", field=name)
    out = float(value)
    if math.isnan(out):
        raise InputError(f"{name}: must be a number, got NaN{suffix}", field=name)
    if math.isinf(out) and not allow_inf:
        raise InputError(f"{name}: must be finite, got {value!r}{suffix}", field=name)
    if minimum is not None and (out <= minimum if strict else out < minimum):
        sign = ">" if strict else ">="
        raise InputError(f"{name}: must be {sign} {minimum:g}, got {value!r}{suffix}", field=name)
    if maximum is not None and out > maximum:
        raise InputError(f"{name}: must be <= {maximum:g}, got {value!r}{suffix}", field=name)
    return out


@overload
def integer(
    value: Any,
    name: str,
    *,
    minimum: int | None = ...,
    maximum: int | None = ...,
    optional: Literal[False] = ...,
    hint: str = ...,
) -> int: ...
@overload
def integer(
    value: Any,
    name: str,
    *,
    minimum: int | None = ...,
    maximum: int | None = ...,
    optional: bool,
    hint: str = ...,
) -> int | None: ...
def integer(
    value: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    optional: bool = False,
    hint: str = "",
) -> int | None:
    """An integer (a Python or numpy int, or a float with an integral value) in range."""
    if value is None and optional:
        return None
    suffix = f"; {hint}" if hint else ""
    ok = is_real(value) and math.isfinite(float(value)) and float(value) == int(value)
    if not ok:
        raise InputError(
            f"{name}: must be an integer, got {value!r} ({type(value).__name__}){suffix}",
            field=name,
        )
    out = int(value)
    if minimum is not None and out < minimum:
        raise InputError(f"{name}: must be >= {minimum}, got {out}{suffix}", field=name)
    if maximum is not None and out > maximum:
        raise InputError(f"{name}: must be <= {maximum}, got {out}{suffix}", field=name)
    return out


def boolean(value: Any, name: str) -> bool:
    """``True`` or ``False`` (a numpy bool too); anything else, ``"yes"`` or 1 included, raises."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise InputError(
        f"{name}: must be True or False, got {value!r} ({type(value).__name__})", field=name
    )


def choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """One of ``options``: an equal string, or the very object (``None``, ``True`` ...)."""
    opts = list(options)
    ok = any(
        value is o or (isinstance(value, str) and isinstance(o, str) and value == o) for o in opts
    )
    if not ok:
        shown = ", ".join(repr(o) for o in opts)
        raise InputError(f"{name}: must be one of {shown}, got {value!r}", field=name)
    return value
