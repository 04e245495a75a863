r"""Exact p-center by a search over the radius: covering subproblems, not one big MILP.

The optimal p-center radius is one of the distinct pair values
:math:`v_{ij}` (:math:`c_{ij}`, or :math:`w_i c_{ij}` weighted). A radius
:math:`r` is *achievable* exactly when some :math:`p` sites (the required
ones among them) cover every demand point within :math:`r`: a set-cover
feasibility question on the 0/1 matrix :math:`a_{ij} = [v_{ij} \le r]`.
Achievability is monotone in :math:`r`, so the least achievable radius is
found by bisection over the sorted distinct values (Minieka 1970; the
relaxation idea of Chen & Chen 2009; Çalık & Tansel 2013 for the radius
structure).

Each step:

1. **Lower bound** :math:`L = \max_i \min_j v_{ij}` (every point needs some
   site), so the search starts there; an **upper bound** comes from a
   farthest-point greedy plan (Gonzalez 1985: open the site nearest to the
   currently worst-served point), then from every plan a step finds.
2. For the middle radius :math:`r`: a greedy set cover first — if it needs at
   most :math:`p` sites, :math:`r` is achievable (its plan's true radius, often
   below :math:`r`, becomes the new upper bound). Otherwise the set-cover MILP
   :math:`\min \sum_j x_j` s.t. :math:`\sum_{j: v_{ij}\le r} x_j \ge 1`,
   required sites fixed open, with the chosen backend: optimum
   :math:`\le p` means achievable, a proven bound :math:`> p` means not.
   Rows whose cover set contains another row's are dropped first (exact:
   covering the smaller set covers the larger).
3. Stop when the bounds meet: the incumbent is optimal.

Honest when stopped early: the bound is the least radius not yet proven
unachievable, the objective the best plan's radius, the status ``"feasible"``
with that gap. Measured (``benchmarks/pcenter.py``; HiGHS, 2 cores): see
``docs/benchmarks/pcenter.md``.

References
----------
Minieka, E. (1970). The m-center problem. *SIAM Review* 12(1), 138–139.
Gonzalez, T.F. (1985). Clustering to minimize the maximum intercluster
distance. *Theoretical Computer Science* 38, 293–306.
Chen, D. & Chen, R. (2009). New relaxation-based algorithms for the optimal
solution of the continuous and discrete p-center problems. *Computers & OR*
36(5), 1646–1655.
Çalık, H. & Tansel, B.C. (2013). Double bound method for solving the p-center
location problem. *Computers & OR* 40(12), 2991–2999.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import OPTIMAL_GAP, SolveOptions, SolverOutput, relative_gap
from erlocate.backends.protocol import Backend
from erlocate.deadline import Deadline
from erlocate.decomposition.loop import LoopOutput
from erlocate.instance import Instance
from erlocate.milp import MilpBuilder
from erlocate.models.dominance import dominated_rows
from erlocate.plan import Plan

__all__ = ["SearchStats", "bisect_radii", "pcenter_search", "radius_of", "search_output"]

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class SearchStats:
    """What the search did: steps, how each was decided, MILPs and their seconds."""

    steps: int = 0
    by_greedy: int = 0
    by_milp: int = 0
    milp_seconds: float = 0.0
    radii: list[float] = field(default_factory=list)

    def as_size(self) -> dict[str, float]:
        """The counts, as ``Result.milp_size`` reports them."""
        return {
            "search_steps": self.steps,
            "decided_by_greedy": self.by_greedy,
            "decided_by_milp": self.by_milp,
            "milp_seconds": round(self.milp_seconds, 3),
        }


def radius_of(instance: Instance, value: np.ndarray, open_: np.ndarray) -> float:
    """The plan's radius: the largest, over demand points, of the value to a nearest open site.

    ``value`` is per stored pair (cost, or weight × cost); ``inf`` if a point reaches no
    open site.
    """
    pick = open_[instance.indices]
    best = np.full(instance.n_demand, np.inf)  # stays inf where no open site is reached
    np.minimum.at(best, instance.pair_rows[pick], value[pick])
    return float(best.max(initial=0.0))


def pcenter_search(
    instance: Instance,
    p: int,
    value: np.ndarray,
    usable: np.ndarray,
    backend: Backend,
    options: SolveOptions,
    start: Plan | None = None,
) -> LoopOutput:
    """Solve the p-center exactly by radius search (see the module doc).

    Parameters
    ----------
    instance : Instance
    p : int
        Sites to open (required ones included; validated by the caller).
    value : numpy.ndarray
        Per stored pair of the instance: the value the radius bounds (cost or
        weight × cost).
    usable : numpy.ndarray of bool
        Per stored pair: allowed (within the model's ``max_cost``).
    backend : Backend
        Solves the covering MILPs.
    options : SolveOptions
        ``time_limit`` covers the whole search; gap, threads, seed, verbosity go
        to each covering MILP.
    start : Plan, optional
        A plan whose radius starts the upper bound (used when it opens p sites).

    Returns
    -------
    LoopOutput
    """
    t0 = time.perf_counter()
    clock = Deadline.after(options.time_limit)
    stats = SearchStats()
    rows, cols = instance.pair_rows[usable], instance.indices[usable]
    vals = value[usable]
    n, m = instance.n_demand, instance.n_sites
    radii = np.unique(vals)
    least = np.full(n, np.inf)
    np.minimum.at(least, rows, vals)
    lo = int(np.searchsorted(radii, least.max(initial=0.0)))  # radii[lo] = L
    masked = np.where(usable, value, np.inf)
    best_open = _farthest_first(instance, p, masked)
    best = radius_of(instance, masked, best_open)
    if start is not None:
        s_open = np.asarray(start.open, dtype=bool)
        if s_open.shape == (m,) and int(s_open.sum()) == p and (s_open | ~instance.required).all():
            r = radius_of(instance, masked, s_open)
            if r < best:
                best, best_open = r, s_open.copy()

    def step(r: float) -> tuple[bool | None, np.ndarray]:
        keep = vals <= r
        A = sp.csr_array((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n, m))
        return _achievable(A, instance.required, p, backend, options, clock, stats)

    lo, hi, best, best_open, why = bisect_radii(
        radii, lo, best, best_open, step, lambda o: radius_of(instance, masked, o), clock, stats
    )
    why_not = "radius search: no p sites reach every demand point within the cut-off"
    out = search_output(radii, lo, hi, best, why, why_not, time.perf_counter() - t0, backend.name)
    plan = Plan.nearest(instance, best_open) if np.isfinite(best) else None
    return LoopOutput(out, plan, stats.as_size())


def bisect_radii(
    radii: np.ndarray,
    lo: int,
    best: float,
    best_plan: T,
    step: Callable[[float], tuple[bool | None, T]],
    radius: Callable[[T], float],
    clock: Deadline,
    stats: SearchStats,
) -> tuple[int, int, float, T, str]:
    """Bisection over the sorted distinct ``radii`` between ``radii[lo]`` and the incumbent.

    ``step(r)`` says whether radius ``r`` is achievable (True with a plan using only pairs
    of value <= r, False when proven not, None when the time ran out); ``radius(plan)`` is
    the plan's true radius (an upper bound, often below ``r``). Every radius below
    ``radii[lo]`` must already be proven unachievable. Returns ``(lo, hi, best, plan, why)``:
    every radius below ``radii[lo]`` unachievable, ``best`` the incumbent's radius
    (``inf`` without one) with ``radii[hi] == best``; ``lo >= hi`` means proven.
    """
    hi = int(np.searchsorted(radii, best))  # radii[hi] = incumbent radius (size: none)
    why = "radius search: bounds met"
    while lo < hi:
        if clock.expired():
            why = "time limit in the radius search"
            break
        mid = (lo + hi) // 2
        stats.steps += 1
        stats.radii.append(float(radii[mid]))
        t = time.perf_counter()
        verdict, plan = step(float(radii[mid]))
        log.debug("radius %.6g: %s (%.3f s)", radii[mid], verdict, time.perf_counter() - t)
        if verdict is None:
            why = "time limit in a MILP of the radius search"
            break
        if verdict:
            r = radius(plan)
            if r < best:
                best, best_plan = r, plan
            hi = min(int(np.searchsorted(radii, best)), mid)
        else:
            lo = mid + 1
    return lo, hi, best, best_plan, why


def search_output(
    radii: np.ndarray,
    lo: int,
    hi: int,
    best: float,
    why: str,
    why_not: str,
    runtime: float,
    backend: str,
) -> SolverOutput:
    """The search's status, objective (the incumbent's radius), honest bound and gap.

    The bound is the least radius not proven unachievable; "infeasible" only when every
    radius is proven unachievable (``why_not`` says so), "no_solution" when stopped
    before any plan.
    """
    if lo >= radii.size:  # every radius proven unachievable
        return SolverOutput("infeasible", None, None, None, None, runtime, why_not, backend)
    bound = float(radii[lo])
    if not np.isfinite(best):
        return SolverOutput("no_solution", None, None, bound, None, runtime, why, backend)
    proven = lo >= hi
    gap = relative_gap(best, min(bound, best))
    status = "optimal" if proven and gap is not None and gap <= OPTIMAL_GAP else "feasible"
    return SolverOutput(
        status, None, float(best), float(min(bound, best)), gap, runtime, why, backend
    )


def _farthest_first(instance: Instance, p: int, value: np.ndarray) -> np.ndarray:
    """Gonzalez's greedy: the required sites, then the site best for the worst-served point."""
    n, m = instance.n_demand, instance.n_sites
    open_ = instance.required.copy()
    rows, cols = instance.pair_rows, instance.indices
    if not open_.any():  # the site with the least largest value over the points it reaches
        worst = np.full(m, -np.inf)
        np.maximum.at(worst, cols, value)
        reach = np.bincount(cols[np.isfinite(value)], minlength=m)
        worst[reach < n] = np.inf
        open_[int(np.argmin(worst)) if np.isfinite(worst).any() else 0] = True
    best = np.full(n, np.inf)
    for _ in range(p - int(open_.sum())):  # p steps, each one vectorised pass over the pairs
        best[:] = np.inf
        pick = open_[cols]
        np.minimum.at(best, rows[pick], value[pick])
        far = int(np.argmax(best))
        mine = (rows == far) & ~open_[cols] & np.isfinite(value)
        if not mine.any():
            mine = ~open_[cols] & np.isfinite(value)
        cand = np.flatnonzero(mine)
        if cand.size:
            open_[cols[cand[np.argmin(value[cand])]]] = True
        else:  # no closed site reaches anyone within the cut-off: any closed site will do
            open_[np.flatnonzero(~open_)[0]] = True
    return open_


def _achievable(
    A: sp.csr_array,
    required: np.ndarray,
    p: int,
    backend: Backend,
    options: SolveOptions,
    clock: Deadline,
    stats: SearchStats,
) -> tuple[bool | None, np.ndarray]:
    """Can ``p`` sites (the required ones among them) cover every row of ``A``?

    Returns (True, the sites), (False, -), or (None, -) when the time ran out.
    """
    m = A.shape[1]
    covered = (A @ required.astype(float)) > 0
    if (np.diff(A.indptr) == 0).any():
        return False, required
    live = np.flatnonzero(~covered)
    greedy = _greedy_cover(A, required, live, p)
    if greedy is not None:
        stats.by_greedy += 1
        return True, greedy
    sub = A[live]
    drop = dominated_rows(sub)  # a row containing another row's cover set is redundant
    if drop is not None:
        sub = sub[np.flatnonzero(~drop)]
    b = MilpBuilder("p-center-cover", "min")
    x = b.add_cols("open", m, obj=1.0, lb=required.astype(float), ub=1.0, integer=True)
    coo = sub.tocoo()
    b.add_rows("cover", rows=coo.row, cols=x[coo.col], vals=1.0, lb=1.0, n_rows=sub.shape[0])
    b.bound_hint = float(required.sum())
    milp = b.build()
    t = time.perf_counter()
    out = backend.solve(milp, clock.options(options))
    stats.milp_seconds += time.perf_counter() - t
    stats.by_milp += 1
    if out.x is not None and out.objective is not None and out.objective <= p + 1e-6:
        open_ = np.round(milp.block(out.x, "open")) > 0.5
        extra = p - int(open_.sum())  # fewer than p: any further sites keep the cover
        if extra > 0:
            open_[np.flatnonzero(~open_)[:extra]] = True
        return True, open_
    if out.status == "infeasible" or (out.bound is not None and out.bound > p + 1e-6):
        return False, required
    if out.status == "optimal":
        return False, required  # the least cover needs more than p sites
    return None, required


def _greedy_cover(
    A: sp.csr_array, required: np.ndarray, live: np.ndarray, p: int
) -> np.ndarray | None:
    """A greedy set cover of the rows ``live`` with the required sites open; None if > p sites."""
    open_ = required.copy()
    todo = np.zeros(A.shape[0], dtype=bool)
    todo[live] = True
    At = A.T.tocsr()
    while todo.any():
        if int(open_.sum()) >= p:
            return None
        gain = At @ todo.astype(float)
        gain[open_] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            return None
        open_[j] = True
        todo[At.indices[At.indptr[j] : At.indptr[j + 1]]] = False
    extra = p - int(open_.sum())
    if extra > 0:
        open_[np.flatnonzero(~open_)[:extra]] = True
    return open_
