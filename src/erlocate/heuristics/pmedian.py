r"""p-median heuristics: greedy construction and vertex-substitution interchange.

These are **not exact**: they return good feasible plans quickly, with no
proof of optimality. Use them as warm starts for :func:`erlocate.solve`
(``warm_start=plan`` or ``warm_start="heuristic"``) or when an instance is
too large to prove.

Both work on the demand × site cost matrix (``inf`` for an unreachable or
beyond-cut-off pair), processed in column blocks so that the temporaries stay
near ``BLOCK`` entries, and return a :class:`~erlocate.plan.Plan` that assigns
each demand point wholly to its nearest open usable site.

References
----------
Kuehn, A.A. & Hamburger, M.J. (1963). A heuristic program for locating
warehouses. *Management Science* 9(4), 643–666 (greedy add).
Teitz, M.B. & Bart, P. (1968). Heuristic methods for estimating the
generalized vertex median of a weighted graph. *Operations Research* 16(5),
955–961 (vertex substitution).
Whitaker, R. (1983). A fast algorithm for the greedy interchange for
large-scale clustering and median location problems. *INFOR* 21, 95–108;
Resende, M.G.C. & Werneck, R.F. (2007). A fast swap-based local search
procedure for location problems. *Annals of OR* 150, 205–230 (fast swap).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from erlocate.instance import Instance
from erlocate.models.checks import check_max_cost, check_p, check_time_limit, open_flags
from erlocate.plan import Plan, nearest_open

__all__ = ["pmedian_greedy", "pmedian_interchange"]

#: Entries per temporary block of the vectorised sweeps.
BLOCK = 4_000_000


def _costs(instance: Instance, max_cost: float | None) -> tuple[np.ndarray, float]:
    """Dense costs with unusable pairs at a finite penalty larger than any plan's cost."""
    c = instance.dense_costs()
    if max_cost is not None:
        c[c > max_cost] = np.inf
    finite = c[np.isfinite(c)]
    top = float(finite.max()) if finite.size else 0.0
    big = (top + 1.0) * (1.0 + float(np.sum(instance.weights)))
    c[~np.isfinite(c)] = big
    return c, big


def _plan(instance: Instance, open_: np.ndarray, max_cost: float | None) -> Plan:
    site, _ = nearest_open(instance, open_, max_cost)
    has = site >= 0
    idx = np.flatnonzero(has)
    return Plan(open_.copy(), idx, site[has], np.ones(idx.size))


def pmedian_greedy(instance: Instance, p: int, *, max_cost: float | None = None) -> Plan:
    """Greedy p-median plan (NOT exact): open, one at a time, the site that lowers Σ w·cost most.

    Starts from the required sites; each step evaluates every closed site at
    once (vectorised). Ties go to the lowest site index.

    Parameters
    ----------
    instance : Instance
    p : int
        Sites to open (required sites count towards p).
    max_cost : float, optional
        Assignment cut-off (pairs beyond it are unusable).

    Returns
    -------
    Plan
        A feasible plan when one exists among those found; demand points that
        reach no open site within the cut-off are left unallocated (then
        ``model.check`` reports them).
    """
    p = check_p(p, instance)
    max_cost = check_max_cost(max_cost, optional=True)
    c, big = _costs(instance, max_cost)
    w = instance.weights.astype(float)
    n, m = c.shape
    open_ = instance.required.copy()
    best = c[:, open_].min(axis=1) if open_.any() else np.full(n, 2 * big)
    step = max(1, BLOCK // max(n, 1))
    for _ in range(p - int(open_.sum())):
        total = np.empty(m)
        for a in range(0, m, step):
            total[a : a + step] = w @ np.minimum(best[:, None], c[:, a : a + step])
        total[open_] = np.inf
        j = int(np.argmin(total))
        open_[j] = True
        best = np.minimum(best, c[:, j])
    return _plan(instance, open_, max_cost)


def pmedian_interchange(
    instance: Instance,
    plan: Plan,
    *,
    max_cost: float | None = None,
    time_limit: float = 10.0,
    max_iter: int | None = None,
) -> Plan:
    """Improve a p-median plan by best-improvement swaps (Teitz–Bart; NOT exact).

    Each iteration evaluates every (close r, open j) swap at once with the fast
    swap formulas of Whitaker (1983) / Resende & Werneck (2007): with
    :math:`d^1_i, d^2_i` the nearest and second-nearest open costs and
    :math:`\\phi_i` the nearest open site, the saving of the swap is
    :math:`\\mathrm{gain}(j) - \\mathrm{loss}(r) + \\mathrm{extra}(j, r)` where
    :math:`\\mathrm{gain}(j) = \\sum_i w_i (d^1_i - c_{ij})^+`,
    :math:`\\mathrm{loss}(r) = \\sum_{i:\\phi_i=r} w_i (d^2_i - d^1_i)` and
    :math:`\\mathrm{extra}(j, r) = \\sum_{i:\\phi_i=r} w_i (d^2_i - \\max(c_{ij}, d^1_i))^+`.
    The best swap is made while it saves more than a relative 1e-12, until
    ``time_limit`` seconds or ``max_iter`` swaps. The result is a local
    optimum of the swap neighbourhood (if not stopped early), not a proven
    optimum. Required sites are never closed.

    Parameters
    ----------
    instance : Instance
    plan : Plan
        Starting plan (its open sites are used; e.g. from :func:`pmedian_greedy`).
    max_cost : float, optional
        Assignment cut-off.
    time_limit : float
        Wall-clock seconds (default 10; checked between swaps).
    max_iter : int, optional
        Most swaps to make.

    Returns
    -------
    Plan
    """
    max_cost = check_max_cost(max_cost, optional=True)
    time_limit = check_time_limit(time_limit)
    open_ = open_flags(instance, plan)
    start = time.perf_counter()
    c, big = _costs(instance, max_cost)
    w = instance.weights.astype(float)
    n, m = c.shape
    step = max(1, BLOCK // max(n, 1))
    rows = np.arange(n)
    it = 0
    while open_.sum() < m and (max_iter is None or it < max_iter):
        if time.perf_counter() - start > time_limit:
            break
        sites = np.flatnonzero(open_)
        sub = c[:, sites]
        if sites.size > 1:
            two = np.argpartition(sub, 1, axis=1)[:, :2]
            a, b = sub[rows, two[:, 0]], sub[rows, two[:, 1]]
            first = np.where(a <= b, two[:, 0], two[:, 1])
            d1, d2 = np.minimum(a, b), np.maximum(a, b)
        else:
            first = np.zeros(n, dtype=np.int64)
            d1, d2 = sub[:, 0], np.full(n, 2 * big)
        k_open = sites.size
        loss = np.bincount(first, weights=w * (d2 - d1), minlength=k_open)
        onehot = sp.csr_array((w, (first, rows)), shape=(k_open, n))
        saving = np.empty((k_open, m))  # saving[r, j]: close sites[r], open j
        for a0 in range(0, m, step):
            blk = c[:, a0 : a0 + step]
            gain = np.maximum(d1[:, None] - blk, 0.0).T @ w
            extra = onehot @ np.maximum(d2[:, None] - np.maximum(blk, d1[:, None]), 0.0)
            saving[:, a0 : a0 + step] = gain[None, :] - loss[:, None] + extra
        saving[instance.required[sites], :] = -np.inf
        saving[:, open_] = -np.inf
        r, j = divmod(int(np.argmax(saving)), m)
        current = float(w @ d1)
        if not saving[r, j] > 1e-12 * max(abs(current), 1.0):
            break
        open_[sites[r]], open_[j] = False, True
        it += 1
    return _plan(instance, open_, max_cost)
