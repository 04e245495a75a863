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

from erlocate.heuristics.pairs import PairCosts, penalty
from erlocate.instance import Instance
from erlocate.models.checks import check_max_cost, check_p, check_time_limit, open_flags
from erlocate.plan import Plan, nearest_open

__all__ = ["SPARSE_SHARE", "pmedian_greedy", "pmedian_interchange", "use_dense"]

#: Entries per temporary block of the vectorised sweeps.
BLOCK = 4_000_000


#: Use the pair kernels when at most this share of the n × m pairs is usable.
SPARSE_SHARE = 0.5


def _costs(instance: Instance, max_cost: float | None) -> tuple[np.ndarray, float]:
    """Dense costs with unusable pairs at a finite penalty larger than any plan's cost."""
    c = instance.dense_costs()
    if max_cost is not None:
        c[c > max_cost] = np.inf
    finite = c[np.isfinite(c)]
    big = penalty(float(finite.max()) if finite.size else 0.0, instance.weights)
    c[~np.isfinite(c)] = big
    return c, big


def use_dense(instance: Instance, max_cost: float | None, dense: bool | None) -> bool:
    """Dense sweeps when asked, or (``dense`` None) when the usable pairs fill the matrix."""
    if dense is not None:
        return bool(dense)
    usable = int(np.count_nonzero(instance.pair_mask(max_cost)))
    return usable > SPARSE_SHARE * instance.n_demand * instance.n_sites


def _plan(instance: Instance, open_: np.ndarray, max_cost: float | None) -> Plan:
    site, _ = nearest_open(instance, open_, max_cost)
    has = site >= 0
    idx = np.flatnonzero(has)
    return Plan(open_.copy(), idx, site[has], np.ones(idx.size))


def _fill(open_: np.ndarray, gain: np.ndarray, k: int) -> None:
    """Open the ``k`` closed sites of highest gain (ties: lowest index), in place."""
    if k > 0:
        cand = np.flatnonzero(~open_)
        open_[cand[np.lexsort((cand, -gain[cand]))[:k]]] = True


def pmedian_greedy(
    instance: Instance,
    p: int,
    *,
    max_cost: float | None = None,
    time_limit: float | None = None,
    dense: bool | None = None,
) -> Plan:
    """Greedy p-median plan (NOT exact): open, one at a time, the site that lowers Σ w·cost most.

    Starts from the required sites; each step evaluates every closed site at
    once (vectorised). Ties go to the lowest site index. When the cut-off
    leaves at most half of the pairs usable (or ``dense=False``), every step
    works on the usable pairs alone (:class:`~erlocate.heuristics.pairs.PairCosts`:
    memory O(pairs), time O(pairs + m) per site), else on the dense matrix.

    Parameters
    ----------
    instance : Instance
    p : int
        Sites to open (required sites count towards p).
    max_cost : float, optional
        Assignment cut-off (pairs beyond it are unusable).
    time_limit : float, optional
        Wall-clock seconds, checked before each step; once past it, the
        remaining sites are those of highest gain in the last step evaluated
        (at least one step is always evaluated).
    dense : bool, optional
        Force the dense (True) or pair (False) sweeps; None chooses.

    Returns
    -------
    Plan
        A feasible plan when one exists among those found; demand points that
        reach no open site within the cut-off are left unallocated (then
        ``model.check`` reports them).
    """
    p = check_p(p, instance)
    max_cost = check_max_cost(max_cost, optional=True)
    limit = np.inf if time_limit is None else check_time_limit(time_limit)
    deadline = time.perf_counter() + limit
    open_ = instance.required.copy()
    todo = p - int(open_.sum())
    if not use_dense(instance, max_cost, dense):
        pc = PairCosts(instance, max_cost)
        best = pc.nearest(open_)
        gain = pc.gain(best)  # kept up to date on the changed pairs only
        for step in range(todo):
            gain[open_] = -np.inf
            if step > 0 and time.perf_counter() > deadline:
                _fill(open_, gain, todo - step)
                break
            j = int(np.argmax(gain))
            open_[j] = True
            pc.open_site(j, best, gain)
        return _plan(instance, open_, max_cost)
    c, big = _costs(instance, max_cost)
    w = instance.weights.astype(float)
    n, m = c.shape
    best = c[:, open_].min(axis=1) if open_.any() else np.full(n, 2 * big)
    step_size = max(1, BLOCK // max(n, 1))
    for step in range(todo):
        total = np.empty(m)
        for a in range(0, m, step_size):
            total[a : a + step_size] = w @ np.minimum(best[:, None], c[:, a : a + step_size])
        total[open_] = np.inf
        if step > 0 and time.perf_counter() > deadline:
            _fill(open_, -total, todo - step)
            break
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
    dense: bool | None = None,
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
    ``time_limit`` seconds or ``max_iter`` swaps; the clock is read before
    each swap's evaluation and between its column blocks (an evaluation cut
    short makes no swap), so the limit is overrun by at most one block or
    one swap's pair sweep. The result is a local
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
        Wall-clock seconds (default 10), counting the set-up.
    max_iter : int, optional
        Most swaps to make.
    dense : bool, optional
        Force the dense (True) or pair (False) sweeps; None chooses as
        :func:`pmedian_greedy` (pairs: memory O(pairs), never n × m).

    Returns
    -------
    Plan
    """
    max_cost = check_max_cost(max_cost, optional=True)
    time_limit = check_time_limit(time_limit)
    open_ = open_flags(instance, plan)
    deadline = time.perf_counter() + time_limit
    m = instance.n_sites
    it = 0
    if not use_dense(instance, max_cost, dense):
        pc = PairCosts(instance, max_cost)
        while open_.sum() < m and (max_iter is None or it < max_iter):
            if time.perf_counter() > deadline:
                break
            saving, sites, current = pc.saving(open_)
            if not _swap(instance, open_, saving, sites, current):
                break
            it += 1
        return _plan(instance, open_, max_cost)
    c, big = _costs(instance, max_cost)
    w = instance.weights.astype(float)
    n = c.shape[0]
    step = max(1, BLOCK // max(n, 1))
    rows = np.arange(n)
    while open_.sum() < m and (max_iter is None or it < max_iter):
        if time.perf_counter() > deadline:
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
            if time.perf_counter() > deadline:  # cut short: no swap from a partial sweep
                return _plan(instance, open_, max_cost)
            blk = c[:, a0 : a0 + step]
            gain = np.maximum(d1[:, None] - blk, 0.0).T @ w
            extra = onehot @ np.maximum(d2[:, None] - np.maximum(blk, d1[:, None]), 0.0)
            saving[:, a0 : a0 + step] = gain[None, :] - loss[:, None] + extra
        if not _swap(instance, open_, saving, sites, float(w @ d1)):
            break
        it += 1
    return _plan(instance, open_, max_cost)


def _swap(
    instance: Instance, open_: np.ndarray, saving: np.ndarray, sites: np.ndarray, current: float
) -> bool:
    """Make the best swap in place if it saves more than a relative 1e-12; whether it did."""
    m = open_.size
    saving[instance.required[sites], :] = -np.inf
    saving[:, open_] = -np.inf
    r, j = divmod(int(np.argmax(saving)), m)
    if not saving[r, j] > 1e-12 * max(abs(current), 1.0):
        return False
    open_[sites[r]], open_[j] = False, True
    return True
