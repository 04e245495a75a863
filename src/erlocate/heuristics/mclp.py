r"""Maximal covering (MCLP) heuristics: greedy construction and swap local search.

These are **not exact**: they return good feasible plans quickly, with no
proof of optimality. Use them as warm starts for :func:`erlocate.solve`
(``warm_start=plan``), as the incumbent of the exact
``MCLP(..., method="fixing")`` (:mod:`erlocate.decomposition.mclp_fixing`),
or when an instance is too large to prove.

Everything works on the 0/1 demand × site coverage matrix
:math:`A` = ``instance.coverage_matrix(max_cost)`` (:math:`a_{ij} = 1` when
site :math:`j` is within ``max_cost`` of demand point :math:`i`) with
:mod:`scipy.sparse` products: one Python iteration per site opened (greedy)
or per swap made (interchange), never per site or per matrix entry.

Both return a :class:`~erlocate.plan.Plan` that allocates each demand point
to its nearest open site (as :meth:`erlocate.models.MCLP.decode` does), with
exactly ``p`` open sites, the required sites among them.

References
----------
Church, R. & ReVelle, C. (1974). The maximal covering location problem.
*Papers of the Regional Science Association* 32, 101–118 (greedy adding).
Teitz, M.B. & Bart, P. (1968). Heuristic methods for estimating the
generalized vertex median of a weighted graph. *Operations Research* 16(5),
955–961 (vertex substitution, the swap neighbourhood).
Whitaker, R. (1983). A fast algorithm for the greedy interchange for
large-scale clustering and median location problems. *INFOR* 21, 95–108;
Resende, M.G.C. & Werneck, R.F. (2007). A fast swap-based local search
procedure for location problems. *Annals of OR* 150, 205–230 (all swaps
evaluated at once from gain / loss / extra terms).
Resende, M.G.C. (1998). Computing approximate solutions of the maximum
covering problem with GRASP. *Journal of Heuristics* 4, 161–177 (greedy +
swap local search for MCLP).
"""

from __future__ import annotations

import logging
import time

import numpy as np
import scipy.sparse as sp

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.models.checks import (
    check_max_cost,
    check_p,
    check_positive_int,
    check_time_limit,
    open_flags,
)
from erlocate.plan import Plan

__all__ = [
    "allowed_sites",
    "coverage_matrices",
    "covered_weight",
    "mclp_greedy",
    "mclp_interchange",
    "mclp_perturbed_search",
]

log = logging.getLogger(__name__)


def coverage_matrices(instance: Instance, max_cost: float) -> tuple[sp.csr_array, sp.csr_array]:
    """Coverage matrix A (demand × site, CSR, 0/1 floats) and its transpose (CSR)."""
    A = sp.csr_array(instance.coverage_matrix(max_cost), dtype=float)
    A.sum_duplicates()
    A.data[:] = 1.0
    return A, sp.csr_array(A.T)


def allowed_sites(instance: Instance, allowed: np.ndarray | None, p: int) -> np.ndarray:
    """Sites that may open (required sites always may), checked against p."""
    if allowed is None:
        return np.ones(instance.n_sites, dtype=bool)
    ok = np.asarray(allowed)
    if ok.shape != (instance.n_sites,) or ok.dtype != bool:
        raise InputError(
            f"allowed: expected a boolean mask of {instance.n_sites} sites, "
            f"got {ok.dtype} of shape {ok.shape}",
            field="allowed",
        )
    ok = ok | instance.required
    if int(ok.sum()) < p:
        raise InputError(
            f"allowed: only {int(ok.sum())} sites may open (required included) but p = {p}",
            field="allowed",
        )
    return ok


class _Coverage:
    """The matrices the local search reuses: A (CSR), Aᵀ (CSR), A (CSC) and the weights."""

    def __init__(self, A: sp.csr_array, AT: sp.csr_array, w: np.ndarray) -> None:
        self.A, self.AT, self.Acsc, self.w = A, AT, sp.csc_array(A), w

    @classmethod
    def of(cls, instance: Instance, max_cost: float) -> _Coverage:
        A, AT = coverage_matrices(instance, max_cost)
        return cls(A, AT, instance.weights.astype(float))

    def column(self, j: int) -> np.ndarray:
        """Demand points site ``j`` covers."""
        return self.Acsc.indices[self.Acsc.indptr[j] : self.Acsc.indptr[j + 1]]

    def value(self, counts: np.ndarray) -> float:
        return float(self.w[counts > 0].sum())

    def descend(
        self,
        open_: np.ndarray,
        ok: np.ndarray,
        required: np.ndarray,
        deadline: float,
        max_iter: int | None = None,
    ) -> tuple[np.ndarray, float]:
        """Best-improvement swaps from ``open_`` (see :func:`mclp_interchange`): (open, value)."""
        A, w = self.A, self.w
        n, m = A.shape
        open_ = open_.copy()
        counts = A @ open_.astype(float)
        current = self.value(counts)
        it = 0
        while (max_iter is None or it < max_iter) and time.perf_counter() < deadline:
            sites = np.flatnonzero(open_)
            k_open = sites.size
            if k_open == 0 or k_open == m:
                break
            gain = self.AT @ (w * (counts == 0))
            # S[r, i] = w_i for the points covered by sites[r] alone
            sub = self.Acsc[:, sites].tocoo()
            alone = counts[sub.row] == 1
            S = sp.csr_array(
                (w[sub.row[alone]], (sub.col[alone], sub.row[alone])), shape=(k_open, n)
            )
            loss = np.asarray(S.sum(axis=1)).ravel()
            saving = (S @ A).toarray()
            saving += gain[None, :] - loss[:, None]
            saving[required[sites], :] = -np.inf
            saving[:, open_ | ~ok] = -np.inf
            r, j = divmod(int(np.argmax(saving)), m)
            tol = 1e-12 * max(abs(current), 1.0)
            if not saving[r, j] > tol:
                break
            new_counts = counts.copy()
            new_counts[self.column(j)] += 1.0
            new_counts[self.column(int(sites[r]))] -= 1.0
            new_value = self.value(new_counts)
            if not new_value > current + tol:  # rounding disagreed with the formula: stop
                break
            open_[sites[r]], open_[j] = False, True
            counts, current = new_counts, new_value
            it += 1
        return open_, current


def covered_weight(instance: Instance, open_: np.ndarray, max_cost: float) -> float:
    """Weight of the demand points within ``max_cost`` of an open site (the MCLP objective)."""
    A, _ = coverage_matrices(instance, max_cost)
    counts = A @ np.asarray(open_, dtype=float)
    return float(instance.weights[counts > 0].sum())


def mclp_greedy(
    instance: Instance,
    p: int,
    max_cost: float,
    *,
    allowed: np.ndarray | None = None,
    time_limit: float | None = None,
) -> Plan:
    """Greedy MCLP plan (NOT exact): open, one at a time, the site adding the most uncovered weight.

    Starts from the required sites; each step scores every closed site at
    once, :math:`\\mathrm{gain}(j) = \\sum_{i \\in M_j,\\, i \\text{ uncovered}} w_i`
    (one sparse product), and opens the best (ties: lowest index). When no
    site adds weight any more, the remaining sites are the lowest-index
    closed allowed ones. Church & ReVelle (1974)'s greedy adding; it can end
    a few per cent below the optimum (3–5 % on the AILS city instances).

    Parameters
    ----------
    instance : Instance
    p : int
        Sites to open (required sites count towards p).
    max_cost : float
        The coverage standard S: site j covers demand i when ``c_ij <= S``.
    allowed : numpy.ndarray of bool, optional
        Sites that may open (e.g. the ``keep_sites`` of
        :func:`erlocate.models.reduce.reduce_mclp`); required sites always may.
    time_limit : float, optional
        Wall-clock seconds, read before each step; once past, the remaining sites
        are those of highest gain in that step (the plan keeps ``p`` sites). None: no limit.

    Returns
    -------
    Plan
        ``p`` open sites; each demand point allocated to its nearest open site.

    Raises
    ------
    InputError
        Bad ``p``, ``max_cost``, ``allowed`` (fewer than ``p`` allowed sites) or ``time_limit``.
    """
    p = check_p(p, instance)
    max_cost = check_max_cost(max_cost)
    ok = allowed_sites(instance, allowed, p)
    limit = None if time_limit is None else check_time_limit(time_limit)
    deadline = np.inf if limit is None else time.perf_counter() + limit
    A, AT = coverage_matrices(instance, max_cost)
    w = instance.weights.astype(float)
    open_ = instance.required.copy()
    uncovered = (A @ open_.astype(float)) == 0
    todo = p - int(open_.sum())
    for step in range(todo):
        gain = AT @ (w * uncovered)
        gain[~ok | open_] = -1.0
        if limit is not None and time.perf_counter() >= deadline:
            free = np.flatnonzero(ok & ~open_)  # the rest by this step's gains, ties: lowest index
            open_[free[np.argsort(-gain[free], kind="stable")[: todo - step]]] = True
            log.info("mclp_greedy: time limit %.3g s after %d of %d steps", limit, step, todo)
            break
        j = int(np.argmax(gain))
        open_[j] = True
        uncovered[AT.indices[AT.indptr[j] : AT.indptr[j + 1]]] = False
    return Plan.nearest(instance, open_)


def mclp_interchange(
    instance: Instance,
    plan: Plan,
    max_cost: float,
    *,
    time_limit: float = 10.0,
    max_iter: int | None = None,
    allowed: np.ndarray | None = None,
) -> Plan:
    r"""Improve an MCLP plan by best-improvement swaps (NOT exact).

    Each iteration evaluates every (close :math:`r`, open :math:`j`) swap at
    once, in the style of Whitaker's (1983) fast interchange as adapted to
    covering by Resende (1998). With :math:`k_i` the number of open sites
    covering demand point :math:`i`, the change of covered weight of the swap is

    .. math::

        \mathrm{gain}(j) - \mathrm{loss}(r) + \mathrm{extra}(r, j),\quad
        \mathrm{gain}(j) = \sum_{i \in M_j,\, k_i = 0} w_i,\quad
        \mathrm{loss}(r) = \sum_{i \in M_r,\, k_i = 1} w_i,\quad
        \mathrm{extra}(r, j) = \sum_{i \in M_r \cap M_j,\, k_i = 1} w_i,

    (points only :math:`r` covers and :math:`j` covers too are not lost),
    i.e. one sparse product :math:`S A` with :math:`S_{ri} = w_i` for the
    points covered by :math:`r` alone. The best swap is made while it adds
    more than a relative 1e-12 (checked again on the recomputed coverage),
    until ``time_limit`` seconds or ``max_iter`` swaps. The result is a local
    optimum of the swap neighbourhood (if not stopped early), not a proven
    optimum. Required sites are never closed; the number of open sites is kept.

    Parameters
    ----------
    instance : Instance
    plan : Plan
        Starting plan (its open sites are used; e.g. from :func:`mclp_greedy`).
    max_cost : float
        The coverage standard S.
    time_limit : float
        Wall-clock seconds (default 10; checked between swaps).
    max_iter : int, optional
        Most swaps to make.
    allowed : numpy.ndarray of bool, optional
        Sites that may be opened by a swap (required sites always may; sites
        already open in ``plan`` stay usable).

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        Bad ``max_cost``, ``time_limit``, ``max_iter`` or ``plan`` (wrong
        length, a required site closed), or ``allowed`` of the wrong shape.
    """
    max_cost = check_max_cost(max_cost)
    time_limit = check_time_limit(time_limit)
    if max_iter is not None and (
        isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 0
    ):
        raise InputError(
            f"max_iter: must be a non-negative integer, got {max_iter!r}", field="max_iter"
        )
    open_ = open_flags(instance, plan)
    if (instance.required & ~open_).any():
        k = int(np.flatnonzero(instance.required & ~open_)[0])
        raise InputError(f"plan: required site {instance.site_ids[k]!r} is closed", field="plan")
    ok = allowed_sites(instance, allowed, int(open_.sum())) | open_
    deadline = time.perf_counter() + time_limit
    mats = _Coverage.of(instance, max_cost)
    open_, _ = mats.descend(open_, ok, instance.required, deadline, max_iter)
    return Plan.nearest(instance, open_)


def mclp_perturbed_search(
    instance: Instance,
    plan: Plan,
    max_cost: float,
    *,
    time_limit: float = 10.0,
    strength: int = 3,
    max_stall: int | None = 200,
    seed: int | None = 0,
    allowed: np.ndarray | None = None,
) -> Plan:
    """Iterated swap local search for MCLP (NOT exact): perturb, descend, keep the best.

    Starting from the swap local optimum of ``plan`` (:func:`mclp_interchange`),
    each round closes ``strength`` random non-required open sites, opens as
    many random closed allowed sites, descends again with
    :func:`mclp_interchange` and keeps the result when it covers at least as
    much weight as the best plan so far (equal moves let the search drift
    across plateaus). Rounds continue until ``time_limit`` seconds or
    ``max_stall`` rounds without a strict improvement. This is
    the iterated local search scheme (Lourenço, Martin & Stützle 2003) that
    AILS-type methods refine; it is a heuristic with no optimality proof.

    Parameters
    ----------
    instance : Instance
    plan : Plan
        Starting plan (e.g. from :func:`mclp_greedy`).
    max_cost : float
        The coverage standard S.
    time_limit : float
        Wall-clock seconds for the whole search (default 10).
    strength : int
        Perturbation moves per round (default 3): each closes a random open
        site and opens a random closed site sharing a demand point with it.
    max_stall : int, optional
        Stop after this many rounds in a row without a strict improvement
        (default 200; None: run until ``time_limit``).
    seed : int, optional
        Random seed (default 0: reproducible runs, up to timing).
    allowed : numpy.ndarray of bool, optional
        Sites that may be opened.

    Returns
    -------
    Plan
        The best plan found (never worse than the local optimum of ``plan``).

    Raises
    ------
    InputError
        As :func:`mclp_interchange`, or ``strength`` not a positive integer.

    References
    ----------
    Lourenço, H.R., Martin, O.C. & Stützle, T. (2003). Iterated local search.
    In *Handbook of Metaheuristics*, 320–353.
    """
    check_positive_int(strength, "strength")
    if max_stall is not None:
        check_positive_int(max_stall, "max_stall")
    time_limit = check_time_limit(time_limit)
    deadline = time.perf_counter() + time_limit
    best_open = mclp_interchange(
        instance, plan, max_cost, time_limit=time_limit, allowed=allowed
    ).open
    ok = allowed_sites(instance, allowed, int(best_open.sum())) | best_open
    mats = _Coverage.of(instance, float(max_cost))
    best_value = mats.value(mats.A @ best_open.astype(float))
    rng = np.random.default_rng(seed)
    req = instance.required
    stall = 0
    while time.perf_counter() < deadline and (max_stall is None or stall < max_stall):
        open_ = best_open.copy()
        out = np.flatnonzero(open_ & ~req)
        into = np.flatnonzero(ok & ~open_)
        k = min(int(strength), out.size, into.size)
        if k == 0:
            break
        for r in rng.choice(out, k, replace=False):  # k moves, each a short jump
            pts = mats.column(int(r))
            i = int(pts[rng.integers(pts.size)]) if pts.size else -1
            near = mats.A.indices[mats.A.indptr[i] : mats.A.indptr[i + 1]] if i >= 0 else into
            near = near[ok[near] & ~open_[near]]
            pool = near if near.size else np.flatnonzero(ok & ~open_)
            open_[r] = False
            open_[int(pool[rng.integers(pool.size)])] = True
        cand, value = mats.descend(open_, ok, req, deadline)
        stall = 0 if value > best_value else stall + 1
        if value >= best_value:
            best_open, best_value = cand, value
    return Plan.nearest(instance, best_open)
