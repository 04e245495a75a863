"""Index arithmetic shared by the planning models: CSR groups, concatenated ranges,
labels in order of first occurrence."""

from __future__ import annotations

import numpy as np

__all__ = ["groups", "ranges", "unique_in_order"]


def groups(key: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Items grouped by ``key`` (in ``0..n-1``), CSR style.

    Returns
    -------
    order : numpy.ndarray
        Item positions sorted by key (stable: ties keep their order).
    indptr : numpy.ndarray
        ``n + 1`` offsets: group ``g`` is ``order[indptr[g]:indptr[g + 1]]``.
    """
    order = np.argsort(key, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=indptr[1:])
    return order, indptr


def ranges(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """``arange(start[k], start[k] + count[k])`` for every ``k``, concatenated."""
    return np.repeat(start - (np.cumsum(count) - count), count) + np.arange(int(np.sum(count)))


def unique_in_order(key: np.ndarray, axis: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (rows, with ``axis=0``) of ``key`` numbered in the order they
    first occur.

    Returns
    -------
    first : numpy.ndarray
        Position of each group's first item, increasing.
    label : numpy.ndarray
        Group of each item (``0 .. first.size - 1``).
    """
    _, first, inv = np.unique(key, axis=axis, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return first[order], rank[inv.ravel()]
