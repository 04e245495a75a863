r"""p-median heuristic kernels on the stored pairs (memory O(pairs), never n × m).

The sparse counterparts of the dense sweeps in :mod:`erlocate.heuristics.pmedian`:
a pair :math:`(i, j)` is *usable* when it is stored and :math:`c_{ij} \le`
``max_cost``; every other pair costs the penalty ``big`` (larger than any
plan's cost), exactly as the dense matrix holds it. Sums over all sites
then split into a constant (every pair at ``big``) plus a correction over
the usable pairs, so one step costs :math:`O(\text{pairs} + m)`.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from erlocate.instance import Instance

__all__ = ["PairCosts", "penalty"]


def penalty(top: float, weights: np.ndarray) -> float:
    """Cost of an unusable pair: larger than any plan's total cost."""
    return (top + 1.0) * (1.0 + float(np.sum(weights)))


class PairCosts:
    """Usable pairs (CSR order) of an instance at a cut-off, with the penalty ``big``."""

    def __init__(self, instance: Instance, max_cost: float | None) -> None:
        ok = instance.pair_mask(max_cost)
        self.rows = instance.pair_rows[ok]
        self.cols = instance.indices[ok]
        self.cost = instance.costs[ok].astype(float)
        self.w = instance.weights.astype(float)
        self.n, self.m = instance.n_demand, instance.n_sites
        self.big = penalty(float(self.cost.max()) if self.cost.size else 0.0, self.w)
        self.ptr = np.searchsorted(self.rows, np.arange(self.n + 1))  # CSR row pointers
        self._by_col: np.ndarray | None = None
        self._col_ptr = np.zeros(0, dtype=np.int64)

    def column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Demand points and costs of site ``j``'s usable pairs."""
        if self._by_col is None:  # built on first use (the greedy only)
            pos = np.arange(self.cols.size, dtype=np.int64)  # CSC of positions: O(pairs)
            csc = sp.csr_array((pos, self.cols, self.ptr), shape=(self.n, self.m)).tocsc()
            self._by_col, self._col_ptr = csc.data, csc.indptr
        pos = self._by_col[self._col_ptr[j] : self._col_ptr[j + 1]]
        return self.rows[pos], self.cost[pos]

    def row_pairs(self, rows: np.ndarray) -> np.ndarray:
        """Positions of the usable pairs of the given demand points."""
        length = self.ptr[rows + 1] - self.ptr[rows]
        start = np.repeat(self.ptr[rows] - np.cumsum(length) + length, length)
        return start + np.arange(int(length.sum()))

    def open_site(self, j: int, best: np.ndarray, gain: np.ndarray) -> None:
        """Open ``j``: lower ``best`` in place and update ``gain`` (:meth:`gain`) on the
        pairs of the demand points it serves better (the only terms that change)."""
        np.minimum(best, self.big, out=best)
        rows, cost = self.column(j)
        better = cost < best[rows]
        rows, cost = rows[better], cost[better]
        pos = self.row_pairs(rows)
        r = self.rows[pos]
        old = np.maximum(best[r] - self.cost[pos], 0.0)
        best[rows] = cost
        new = np.maximum(best[r] - self.cost[pos], 0.0)
        gain -= np.bincount(self.cols[pos], weights=(old - new) * self.w[r], minlength=self.m)

    def nearest(self, open_: np.ndarray) -> np.ndarray:
        """Cost to the nearest open site (``big`` when none usable, ``2 big`` when none open)."""
        best = np.full(self.n, 2 * self.big if not open_.any() else self.big)
        sel = open_[self.cols]
        np.minimum.at(best, self.rows[sel], self.cost[sel])
        return best

    def gain(self, best: np.ndarray) -> np.ndarray:
        r"""Per site, :math:`\sum_i w_i (b_i - c_{ij})^+` with :math:`b = \min(best, big)`."""
        b = np.minimum(best, self.big)
        val = np.maximum(b[self.rows] - self.cost, 0.0) * self.w[self.rows]
        return np.bincount(self.cols, weights=val, minlength=self.m)

    def two_nearest(self, open_: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest open site per point (position among the open sites) and the two lowest costs.

        As the dense matrix: unusable open sites cost ``big``; with one open
        site the second cost is ``2 big``. Ties go to the lowest site index.
        """
        sites = np.flatnonzero(open_)
        pos_of = np.full(self.m, -1, dtype=np.int64)
        pos_of[sites] = np.arange(sites.size)
        sel = open_[self.cols]
        r, c, v = self.rows[sel], self.cols[sel], self.cost[sel]
        order = np.lexsort((c, v, r))
        r, c, v = r[order], c[order], v[order]
        head = np.ones(r.size, dtype=bool)
        head[1:] = r[1:] != r[:-1]
        phi = np.zeros(self.n, dtype=np.int64)  # no usable open site: any (adds 0)
        d1 = np.full(self.n, self.big)
        d2 = np.full(self.n, self.big if sites.size > 1 else 2 * self.big)
        phi[r[head]], d1[r[head]] = pos_of[c[head]], v[head]
        second = np.flatnonzero(head[:-1] & ~head[1:]) + 1  # second pair of a row
        d2[r[second]] = v[second]
        return phi, d1, d2

    def saving(self, open_: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        r"""Swap savings ``[r, j]`` (close open site ``r``, open ``j``), the open sites, and
        the current cost :math:`\sum_i w_i d^1_i` (fast-swap formulas, see ``pmedian_interchange``).

        For an unusable pair :math:`c_{ij} = big`, so extra's term is
        :math:`(d^2_i - \max(big, d^1_i))^+`: a per-``r`` constant, corrected on usable pairs.
        """
        w, big = self.w, self.big
        sites = np.flatnonzero(open_)
        k = sites.size
        phi, d1, d2 = self.two_nearest(open_)
        loss = np.bincount(phi, weights=w * (d2 - d1), minlength=k)
        base = np.bincount(phi, weights=w * np.maximum(d2 - np.maximum(big, d1), 0.0), minlength=k)
        near = np.flatnonzero(self.cost < d2[self.rows])  # the only pairs with a term
        r, c, v = self.rows[near], self.cols[near], self.cost[near]
        g = np.maximum(d1[r] - v, 0.0) * w[r]
        gain = np.bincount(c, weights=g, minlength=self.m)
        t = np.maximum(d2[r] - np.maximum(v, d1[r]), 0.0)
        t -= np.maximum(d2[r] - np.maximum(big, d1[r]), 0.0)
        nz = np.flatnonzero(t)
        flat = phi[r[nz]] * self.m + c[nz]
        extra = np.bincount(flat, weights=t[nz] * w[r[nz]], minlength=k * self.m)
        out = extra.reshape(k, self.m)
        out += gain[None, :] - loss[:, None] + base[:, None]
        return out, sites, float(w @ d1)
