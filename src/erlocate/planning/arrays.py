"""Index arithmetic shared by the planning models: CSR groups and concatenated ranges."""

from __future__ import annotations

import numpy as np

__all__ = ["groups", "ranges"]


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
