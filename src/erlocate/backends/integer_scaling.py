r"""The exactness rule of integer-only backends: a Milp in integers, or why not.

CP-SAT works over integers: every variable is integer and every coefficient
an integer. A Milp is solved exactly there only if it *is* such a model up to
a change of units, and :func:`to_integers` either finds that change or
refuses with :class:`~erlocate.errors.IntegerOnlyError`. It never rounds
data to fewer digits.

Columns
    Every column is integer, implied integer (:attr:`Milp.implied_integer
    <erlocate.milp.Milp.implied_integer>`: continuous, but integer at some
    optimum once the integer columns are, so declaring it integer keeps the
    optimum), or fixed at an integer. Bounds must be finite; an integer
    column's bounds become ``ceil(lb)`` and ``floor(ub)``, which loses no
    integer point. Magnitudes up to :data:`MAX_VALUE`.

Rows and objective
    Each row, and the objective, is multiplied by one power of ten
    :math:`10^k`, :math:`0 \le k \le` :data:`MAX_DIGITS`, the least that makes
    every coefficient :math:`v` a decimal :math:`s \cdot 10^{-k}` with
    integer :math:`|s| \le 2^{53}`. A double is read as that decimal when it
    differs from it by at most :data:`NOISE` × the row's largest
    coefficient: decimal data (``0.1``, ``12.345``) is not exactly a double,
    and arithmetic on it (weight × cost, differences of costs) leaves errors
    of a few units in the last place of the data's magnitude, which is all
    this admits. ``1/3`` or a cost with twelve decimals is refused, never
    cut to nine. Scaling a row by a positive constant keeps its points.

Row bounds
    The scaled activity of a row is an integer, so ``lb`` becomes
    :math:`\lceil 10^k\,lb\rceil` and ``ub`` :math:`\lfloor 10^k\,ub\rfloor`
    (exactly), after reading a bound within
    :data:`NOISE` of an integer as that integer (``0.1 * 30`` is
    3.0000000000000004, meant as 3). A bound beyond the row's largest
    possible activity is clipped to just past it (same points).

The objective
    Its offset stays a double, added back on the way out. The largest change
    the decimal reading can make to the objective of any point in the column
    bounds, :attr:`IntegerModel.obj_error` (0 for decimal data read exactly),
    is taken off a reported bound, so the bound holds for the Milp as given.

Limits
    CP-SAT computes activities in 64-bit integers; a row or objective whose
    largest activity (sum of ``|coefficient| × largest |value|``) exceeds
    :data:`MAX_ACTIVITY` is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from erlocate.errors import IntegerOnlyError
from erlocate.milp import Milp

__all__ = [
    "MAX_ACTIVITY",
    "MAX_DIGITS",
    "MAX_VALUE",
    "NOISE",
    "IntegerModel",
    "decimal_digits",
    "to_integers",
]

#: Largest power of ten tried per row and for the objective.
MAX_DIGITS = 9

#: Largest magnitude of a scaled coefficient, bound or column value: integers exact in a double.
MAX_VALUE = float(2**53)

#: Largest activity of a scaled row or objective (CP-SAT's 64-bit arithmetic, with headroom).
MAX_ACTIVITY = float(2**62)

#: How far (relative to the row's largest coefficient) a double may lie from the decimal it is
#: read as: about 4,000 units in the last place, a thousandth of a solver's 1e-9 tolerances.
NOISE = 2.0**-40

INT64_MIN = int(np.iinfo(np.int64).min)
INT64_MAX = int(np.iinfo(np.int64).max)


@dataclass(frozen=True)
class IntegerModel:
    """A Milp in integers: the same points, every number an exact integer.

    Attributes
    ----------
    col_lb, col_ub : numpy.ndarray of int64
        Column bounds (``lb > ub`` somewhere: the model has no integer point).
    A : scipy.sparse.csr_array of int64
        Row ``i`` of the Milp's matrix times ``row_scale[i]``.
    row_lb, row_ub : numpy.ndarray of int64
        Scaled row bounds; int64's extremes stand for ``-inf`` and ``inf``.
    row_scale : numpy.ndarray of int64
        The power of ten of each row.
    c : numpy.ndarray of int64
        The objective times ``obj_scale`` (the Milp's sense; offset excluded).
    obj_scale : int
        The objective's power of ten.
    obj_error : float
        Largest difference, over the column bounds, between the Milp's
        objective and ``c @ x / obj_scale + offset`` (0 when every objective
        coefficient is exactly its decimal).
    """

    col_lb: np.ndarray
    col_ub: np.ndarray
    A: sp.csr_array
    row_lb: np.ndarray
    row_ub: np.ndarray
    row_scale: np.ndarray
    c: np.ndarray
    obj_scale: int
    obj_error: float

    @property
    def empty_columns(self) -> np.ndarray:
        """Columns whose bounds hold no integer (the model is then infeasible)."""
        return np.flatnonzero(self.col_lb > self.col_ub)


def decimal_digits(
    values: np.ndarray, tol: float | np.ndarray = 0.0, max_digits: int = MAX_DIGITS
) -> np.ndarray:
    """Per value ``v``, the least ``k <= max_digits`` such that ``v`` reads as ``s * 10**-k``.

    That is: ``s = round(v * 10**k)`` is an integer with ``|s| <= 2**53`` and
    ``|v - s / 10**k| <= tol`` (``tol = 0``: ``s / 10**k == v`` exactly, the
    double nearest to the decimal). ``-1`` where no ``k`` qualifies (1/3,
    1e-12, inf, nan). A value that qualifies at ``k`` does at every larger
    ``k`` (the same decimal) while ``s`` stays within ``2**53``.
    """
    v = np.asarray(values, dtype=np.float64)
    tol = np.broadcast_to(np.asarray(tol, dtype=np.float64), v.shape)
    k = np.full(v.shape, -1, dtype=np.int64)
    todo = np.flatnonzero(np.isfinite(v))
    for d in range(max_digits + 1):
        if todo.size == 0:
            break
        p = 10.0**d
        s = np.round(v[todo] * p)
        ok = (np.abs(s) <= MAX_VALUE) & (np.abs(v[todo] - s / p) <= tol[todo])
        k[todo[ok]] = d
        todo = todo[~ok]
    return k


def _name(blocks: dict[str, slice], i: int, n: int, fallback: str) -> str:
    for block, sl in blocks.items():
        start, stop, _ = sl.indices(n)
        if start <= i < stop:
            return f"{block}[{i - start}]"
    return f"{fallback}{i}"


def _blocks_of(blocks: dict[str, slice], mask: np.ndarray) -> str:
    """The blocks holding True entries of ``mask``, with counts: "'assign' (600 of 600)"."""
    n = mask.size
    parts = []
    for block, sl in blocks.items():
        hit = int(mask[sl].sum())
        if hit:
            parts.append(f"{block!r} ({hit:,} of {len(range(*sl.indices(n))):,})")
    return ", ".join(parts) or f"{int(mask.sum()):,} unnamed"


def _refused(
    milp: Milp, backend: str, mask: np.ndarray, rule: str, what: str, note: str = ""
) -> IntegerOnlyError:
    """The error for the columns in ``mask`` (they are ``what``): their blocks and the first."""
    j = int(np.flatnonzero(mask)[0])
    lb, ub = milp.col_lb[j], milp.col_ub[j]
    return IntegerOnlyError(
        backend,
        f"{rule}, and column block(s) {_blocks_of(milp.col_blocks, mask)} are {what}, e.g. "
        f"{_name(milp.col_blocks, j, milp.n_cols, 'x')} in [{lb:g}, {ub:g}]{note}",
    )


def _columns(milp: Milp, backend: str) -> tuple[np.ndarray, np.ndarray]:
    lb, ub = milp.col_lb, milp.col_ub
    fixed_int = (lb == ub) & np.isfinite(lb) & (lb == np.round(lb))
    continuous = ~milp.integrality & ~fixed_int
    if milp.implied_integer is not None:  # None: no column (a Milp holds an array once built)
        continuous &= ~milp.implied_integer
    if continuous.any():
        rule = "CP-SAT solves integer models only"
        raise _refused(
            milp, backend, continuous, rule, "continuous", " (not declared implied integer)"
        )
    unbounded = ~np.isfinite(lb) | ~np.isfinite(ub)
    if unbounded.any():
        rule = "CP-SAT needs finite bounds on every variable"
        raise _refused(milp, backend, unbounded, rule, "unbounded")
    ilb, iub = np.ceil(lb), np.floor(ub)
    big = (np.abs(ilb) > MAX_VALUE) | (np.abs(iub) > MAX_VALUE)
    if big.any():
        j = int(np.flatnonzero(big)[0])
        column = f"column {_name(milp.col_blocks, j, milp.n_cols, 'x')}"
        raise _beyond(backend, column, f"[{lb[j]:g}, {ub[j]:g}]")
    return ilb.astype(np.int64), iub.astype(np.int64)


def _beyond(backend: str, what: str, bounds: str, after: str = "") -> IntegerOnlyError:
    return IntegerOnlyError(backend, f"{what} has a bound beyond 2^53{after} ({bounds})")


def _not_decimal(backend: str, what: str, value: float) -> IntegerOnlyError:
    return IntegerOnlyError(
        backend,
        f"{what} has the coefficient {value!r}, which is no decimal of at most {MAX_DIGITS} "
        "digits within 2^53 (CP-SAT would have to round it)",
    )


def _scale_bounds(bounds: np.ndarray, k: np.ndarray, limit: np.ndarray, up: bool) -> np.ndarray:
    """Scaled row bounds rounded inwards (ceil for ``up``), clipped to ``±limit``; ±inf kept.

    A scaled bound within :data:`NOISE` (relative) of an integer is that integer
    (``0.1 * 30`` is 3.0000000000000004, meant as 3). Any other is farther from
    every integer than the rounding error of the product, so ``ceil``/``floor``
    of the double product are those of the exact one.
    """
    fin = np.isfinite(bounds)
    with np.errstate(invalid="ignore"):
        t = np.where(fin, bounds, 0.0) * 10.0**k
    near = np.round(t)
    noise = np.abs(t - near) <= NOISE * np.maximum(np.abs(t), 1.0)
    out = np.where(noise, near, np.ceil(t) if up else np.floor(t))
    return np.where(fin, np.clip(out, -limit, limit), bounds)


def _int64(bounds: np.ndarray) -> np.ndarray:
    """Integral float bounds as int64, with int64's extremes for -inf and inf."""
    fin = np.isfinite(bounds)
    out = np.where(bounds > 0, INT64_MAX, INT64_MIN).astype(np.int64)
    out[fin] = bounds[fin].astype(np.int64)
    return out


def to_integers(milp: Milp, backend: str = "cpsat") -> IntegerModel:
    """The exact integer form of ``milp`` (see the module doc).

    Raises
    ------
    IntegerOnlyError
        A continuous column, an unbounded column, a coefficient that is no
        short decimal, or an activity beyond 64-bit arithmetic; the message
        names the block and an example.
    """
    col_lb, col_ub = _columns(milp, backend)
    mag = np.maximum(np.abs(col_lb), np.abs(col_ub)).astype(np.float64)
    A = sp.csr_array(milp.A, dtype=np.float64)
    A.sum_duplicates()
    n_rows = A.shape[0]
    rows = np.repeat(np.arange(n_rows), np.diff(A.indptr))
    row_max = np.zeros(n_rows)
    np.maximum.at(row_max, rows, np.abs(A.data))
    ek = decimal_digits(A.data, NOISE * row_max[rows])
    if (ek < 0).any():
        e = int(np.flatnonzero(ek < 0)[0])
        i, j = int(rows[e]), int(A.indices[e])
        where = (
            f"row {_name(milp.row_blocks, i, n_rows, 'r')} on column "
            f"{_name(milp.col_blocks, j, milp.n_cols, 'x')}"
        )
        raise _not_decimal(backend, where, float(A.data[e]))
    k = np.zeros(n_rows, dtype=np.int64)
    np.maximum.at(k, rows, ek)
    data = np.round(A.data * 10.0 ** k[rows])
    if np.any(np.abs(data) > MAX_VALUE):
        e = int(np.flatnonzero(np.abs(data) > MAX_VALUE)[0])
        raise _not_decimal(
            backend, f"row {_name(milp.row_blocks, int(rows[e]), n_rows, 'r')}", A.data[e]
        )
    scaled = sp.csr_array((np.abs(data), A.indices, A.indptr), shape=A.shape)
    span = scaled @ mag  # the largest |activity| of each scaled row
    if np.any(span > MAX_ACTIVITY):
        i = int(np.flatnonzero(span > MAX_ACTIVITY)[0])
        raise IntegerOnlyError(
            backend,
            f"row {_name(milp.row_blocks, i, n_rows, 'r')} can reach an activity of "
            f"{span[i]:.3g} after scaling, beyond CP-SAT's 64-bit arithmetic",
        )
    limit = np.floor(span * (1 + 1e-12)) + 1.0  # past any activity: clipping keeps the points
    lo = _scale_bounds(milp.row_lb, k, limit, up=True)
    hi = _scale_bounds(milp.row_ub, k, limit, up=False)
    bad = (np.isfinite(lo) & (np.abs(lo) > MAX_VALUE)) | (
        np.isfinite(hi) & (np.abs(hi) > MAX_VALUE)
    )
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        row = f"row {_name(milp.row_blocks, i, n_rows, 'r')}"
        bounds = f"[{milp.row_lb[i]:g}, {milp.row_ub[i]:g}] × 10^{k[i]}"
        raise _beyond(backend, row, bounds, " after scaling")
    c, obj_scale, obj_error = _objective(milp, mag, backend)
    return IntegerModel(
        col_lb=col_lb,
        col_ub=col_ub,
        A=sp.csr_array((data.astype(np.int64), A.indices, A.indptr), shape=A.shape),
        row_lb=_int64(lo),
        row_ub=_int64(hi),
        row_scale=(10**k).astype(np.int64),
        c=c,
        obj_scale=obj_scale,
        obj_error=obj_error,
    )


def _objective(milp: Milp, mag: np.ndarray, backend: str) -> tuple[np.ndarray, int, float]:
    tol = NOISE * float(np.abs(milp.c).max(initial=0.0))
    ck = decimal_digits(milp.c, tol)
    if (ck < 0).any():
        j = int(np.flatnonzero(ck < 0)[0])
        where = f"the objective on column {_name(milp.col_blocks, j, milp.n_cols, 'x')}"
        raise _not_decimal(backend, where, float(milp.c[j]))
    k = int(ck.max(initial=0))
    scale = 10.0**k
    c = np.round(milp.c * scale)
    if np.any(np.abs(c) > MAX_VALUE):
        j = int(np.flatnonzero(np.abs(c) > MAX_VALUE)[0])
        raise IntegerOnlyError(
            backend,
            f"the objective needs the scale 10^{k}, and its coefficient {milp.c[j]!r} on "
            f"column {_name(milp.col_blocks, j, milp.n_cols, 'x')} then exceeds 2^53",
        )
    if float(np.abs(c) @ mag) > MAX_ACTIVITY:
        raise IntegerOnlyError(
            backend, "the objective can reach a value beyond CP-SAT's 64-bit arithmetic"
        )
    error = float(np.abs(milp.c - c / scale) @ mag)
    return c.astype(np.int64), 10**k, error
