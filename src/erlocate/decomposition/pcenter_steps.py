r"""One step of the capacitated p-center radius search: can p sites serve everyone within r?

A combinatorial (logic-based) Benders loop over the site choice, for the pairs
:math:`(i, j)` allowed at the step's radius (:math:`N(T)`: the sites some point
of :math:`T` may use):

* **Master** (0/1, on the chosen backend, stopped at its first feasible plan):
  :math:`\sum_j x_j = p` (more sites never hurt), required sites fixed open,
  every point covered :math:`\sum_{j \in N(i)} x_j \ge 1` (rows containing
  another row's set dropped), and the *cut-set* rows
  :math:`\sum_{j \in N(T)} \min(K_j, d(T))\, x_j \ge d(T)` of a pool of point
  sets :math:`T` (valid for every plan: the demand of :math:`T` can only go to
  :math:`N(T)`; the pool is kept across steps, :math:`N(T)` recomputed at each
  radius).
* **Split subproblem**: the transport LP (a maximum flow) from the points to
  the chosen sites :math:`S`. Full flow: achievable, and the plan's radius is
  tightened to the least radius at which :math:`S` still carries everything
  (bisection over :math:`S`'s pair values, one LP each). Short: the points the
  residual graph reaches from the source form sets :math:`T` (one per connected
  component) with :math:`d(T) > K(N(T) \cap S)`, whose cut-set rows :math:`S`
  violates. By the supply–demand theorem (Gale 1957) the cut-set rows of all
  :math:`T` are exactly split feasibility, so the loop is exact and finite.
* **Single source**: after full flow, the assignment on :math:`S` as a small
  0/1 MILP; if it has no solution, the no-good row
  :math:`\sum_{j \notin S} x_j \ge 1` (:math:`S` and its subsets fail at this
  radius and at every smaller one).

The master proven infeasible means the radius is not achievable.

References
----------
Gale, D. (1957). A theorem on flows in networks. *Pacific J. Math.* 7(2), 1073–1082.
Hooker, J.N. & Ottosson, G. (2003). Logic-based Benders decomposition.
*Mathematical Programming* 96(1), 33–60.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import breadth_first_order, connected_components

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.deadline import Deadline
from erlocate.instance import Instance
from erlocate.milp import MilpBuilder
from erlocate.models.dominance import dominated_rows
from erlocate.plan import Plan

__all__ = ["CutPool", "Step", "capacity_step"]

#: Relative slack below which a point counts as fully served by the transport LP.
FLOW_TOL = 1e-9


@dataclass
class CutPool:
    """What the steps share: point sets of cut-set rows, single-source no-goods, counts."""

    sets: list[np.ndarray] = field(default_factory=list)
    nogood: list[tuple[float, np.ndarray]] = field(default_factory=list)
    masters: int = 0
    assignments: int = 0
    lps: int = 0
    seconds: float = 0.0

    def as_size(self) -> dict[str, float]:
        return {
            "cut_sets": len(self.sets),
            "no_goods": len(self.nogood),
            "master_milps": self.masters,
            "assignment_milps": self.assignments,
            "transport_lps": self.lps,
        }


@dataclass(frozen=True)
class Step:
    """The step's data: instance, p, single sourcing, allowed pairs (sorted) and their values."""

    instance: Instance
    p: int
    single_source: bool
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray


def capacity_step(
    step: Step,
    r: float,
    pool: CutPool,
    backend: Backend,
    options: SolveOptions,
    clock: Deadline,
) -> tuple[bool | None, Plan | None]:
    """Is radius ``r`` achievable? (True, a plan) / (False, None) / (None, None) out of time."""
    inst = step.instance
    n, m = inst.n_demand, inst.n_sites
    k = step.vals <= r
    rows, cols, vals = step.rows[k], step.cols[k], step.vals[k]
    A = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, m))
    if (np.diff(A.indptr) == 0).any():
        return False, None  # a point reaches no site within r
    drop = dominated_rows(A)
    cover = A if drop is None else A[np.flatnonzero(~drop)]
    seen: set[bytes] = set()
    while not clock.expired():
        t = time.perf_counter()
        S = _master(step, r, A, cover, pool, backend, options, clock)
        pool.seconds += time.perf_counter() - t
        if not isinstance(S, np.ndarray):
            return S, None
        flow = _transport(inst, rows, cols, S, pool)
        short = _short(inst, rows, flow)
        if short.any():
            found = _cut_sets(inst, rows, cols, S, flow, short, A)
            pool.sets.extend(found)
            if not found or S.tobytes() in seen:
                # numerically unclear, or the cuts did not move the master: exclude S (and
                # its subsets, which fail too) alone, validly; the loop always moves on
                pool.nogood.append((r, S))
            seen.add(S.tobytes())
            continue
        if not step.single_source:
            return True, _tightened(inst, rows, cols, vals, S, flow, pool)
        t = time.perf_counter()
        plan, status = _single(inst, rows, cols, S, backend, options, clock)
        pool.seconds += time.perf_counter() - t
        pool.assignments += 1
        if plan is not None:
            return True, plan
        if status != "infeasible":
            return None, None
        pool.nogood.append((r, S))
    return None, None


def _master(
    step: Step,
    r: float,
    A: sp.csr_array,
    cover: sp.csr_array,
    pool: CutPool,
    backend: Backend,
    options: SolveOptions,
    clock: Deadline,
) -> np.ndarray | bool | None:
    """The chosen sites, False (the master is infeasible) or None (out of time)."""
    inst = step.instance
    m = inst.n_sites
    b = MilpBuilder("p-center-capacity-master", "min")
    x = b.add_cols("open", m, obj=0.0, lb=inst.required.astype(float), ub=1.0, integer=True)
    b.add_rows("count", rows=np.zeros(m), cols=x, vals=1.0, lb=step.p, ub=step.p, n_rows=1)
    c = cover.tocoo()
    b.add_rows("cover", rows=c.row, cols=x[c.col], vals=1.0, lb=1.0, n_rows=cover.shape[0])
    if pool.sets:
        P = sp.csr_array(np.vstack(pool.sets).astype(float))
        need = P @ inst.demand
        N = (P @ A).tocoo()  # N[t, j] > 0: site j within r of some point of set t
        coef = np.minimum(inst.capacities[N.col], need[N.row])
        b.add_rows("cut_set", rows=N.row, cols=x[N.col], vals=coef, lb=need, n_rows=need.size)
    goods = [S for rad, S in pool.nogood if rad >= r]
    if goods:
        out_ = ~np.vstack(goods)
        g, j = np.nonzero(out_)
        b.add_rows("no_good", rows=g, cols=x[j], vals=1.0, lb=1.0, n_rows=len(goods))
    milp = b.build()
    out = backend.solve(milp, clock.options(options, mip_gap=1.0))
    pool.masters += 1
    if out.x is not None:
        return np.round(milp.block(out.x, "open")) > 0.5
    if out.status == "infeasible":
        return False
    return None


def _transport(
    inst: Instance, rows: np.ndarray, cols: np.ndarray, S: np.ndarray, pool: CutPool
) -> np.ndarray:
    """The largest flow from points (supply d_i) to the sites ``S`` (capacity K_j), per pair."""
    use = S[cols] & (inst.demand[rows] > 0)
    idx = np.flatnonzero(use)
    flow = np.zeros(rows.size)
    if idx.size == 0:
        return flow
    n = inst.n_demand
    finite = np.flatnonzero(np.isfinite(inst.capacities) & S)
    site_row = np.full(inst.n_sites, -1)
    site_row[finite] = n + np.arange(finite.size)
    on_site = site_row[cols[idx]] >= 0
    k = np.arange(idx.size)
    A = sp.csr_array(
        (
            np.ones(idx.size + int(on_site.sum())),
            (
                np.concatenate([rows[idx], site_row[cols[idx]][on_site]]),
                np.concatenate([k, k[on_site]]),
            ),
        ),
        shape=(n + finite.size, idx.size),
    )
    b = np.concatenate([inst.demand, inst.capacities[finite]])
    res = linprog(-np.ones(idx.size), A_ub=A, b_ub=b, bounds=(0, None), method="highs")
    pool.lps += 1
    if res.x is not None:
        flow[idx] = np.clip(res.x, 0.0, None)
    return flow


def _short(inst: Instance, rows: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Points the flow leaves short of their demand."""
    served = np.bincount(rows, weights=flow, minlength=inst.n_demand)
    return served < inst.demand * (1 - FLOW_TOL) - FLOW_TOL


def _cut_sets(
    inst: Instance,
    rows: np.ndarray,
    cols: np.ndarray,
    S: np.ndarray,
    flow: np.ndarray,
    short: np.ndarray,
    A: sp.csr_array,
) -> list[np.ndarray]:
    """Point sets T with d(T) > K(N(T) ∩ S): the residual graph's source side, by component."""
    n, m = inst.n_demand, inst.n_sites
    use = S[cols] & (inst.demand[rows] > 0)
    back = use & (flow > FLOW_TOL * np.maximum(inst.demand[rows], 1.0))
    src = np.flatnonzero(short)
    # nodes: 0 source, 1 + i points, 1 + n + j sites; arcs source->short points,
    # point->open site (uncapacitated), site->point where flow can be pushed back
    tail = np.concatenate([np.zeros(src.size, int), 1 + rows[use], 1 + n + cols[back]])
    head = np.concatenate([1 + src, 1 + n + cols[use], 1 + rows[back]])
    G = sp.csr_array((np.ones(tail.size), (tail, head)), shape=(1 + n + m, 1 + n + m))
    reached = np.zeros(1 + n + m, dtype=bool)
    reached[breadth_first_order(G, 0, directed=True, return_predecessors=False)] = True
    pts, sites = reached[1 : 1 + n], reached[1 + n :]
    # components of the reached points and sites joined by their open pairs
    keep = use & pts[rows] & sites[cols]
    H = sp.csr_array((np.ones(int(keep.sum())), (rows[keep], n + cols[keep])), shape=(n + m, n + m))
    _, label = connected_components(H, directed=False)
    out = []
    for c in np.unique(label[:n][pts]):
        T = pts & (label[:n] == c)
        near = (A.T @ T.astype(float)) > 0
        have = float(inst.capacities[near & S].sum())
        need = float(inst.demand[T].sum())
        if need > have * (1 + FLOW_TOL) + FLOW_TOL:
            out.append(T)
    return out


def _plan(
    inst: Instance, rows: np.ndarray, cols: np.ndarray, S: np.ndarray, flow: np.ndarray
) -> Plan:
    """Shares flow / d_i; a point without demand goes wholly to its first allowed open site."""
    d = inst.demand[rows]
    keep = S[cols] & (d > 0) & (flow > FLOW_TOL * d)
    i, j, s = rows[keep], cols[keep], flow[keep] / d[keep]
    total = np.bincount(i, weights=s, minlength=inst.n_demand)
    s = s / total[i]
    zero = S[cols] & (d == 0)
    first = np.flatnonzero(zero)
    first = first[np.unique(rows[first], return_index=True)[1]]
    i, j = np.concatenate([i, rows[first]]), np.concatenate([j, cols[first]])
    s = np.concatenate([s, np.ones(first.size)])
    order = np.lexsort((j, i))
    return Plan(S.copy(), i[order], j[order], s[order])


def _tightened(
    inst: Instance,
    rows: np.ndarray,
    cols: np.ndarray,
    vals: np.ndarray,
    S: np.ndarray,
    flow: np.ndarray,
    pool: CutPool,
) -> Plan:
    """The split plan on ``S`` at the least radius where ``S`` still serves everyone."""
    on = S[cols]
    radii = np.unique(vals[on])
    least = np.full(inst.n_demand, np.inf)
    np.minimum.at(least, rows[on], vals[on])
    lo, hi = int(np.searchsorted(radii, least.max(initial=0.0))), radii.size - 1
    best, best_r = flow, radii[-1]
    while lo < hi:
        mid = (lo + hi) // 2
        k = vals <= radii[mid]
        f = np.zeros(rows.size)
        f[k] = _transport(inst, rows[k], cols[k], S, pool)
        if _short(inst, rows[k], f[k]).any():
            lo = mid + 1
        else:
            hi, best, best_r = mid, f, radii[mid]
    k = vals <= best_r
    return _plan(inst, rows[k], cols[k], S, best[k])


def _single(
    inst: Instance,
    rows: np.ndarray,
    cols: np.ndarray,
    S: np.ndarray,
    backend: Backend,
    options: SolveOptions,
    clock: Deadline,
) -> tuple[Plan | None, str]:
    """Each point wholly to one site of ``S`` within capacities: a small 0/1 MILP."""
    on = S[cols]
    i, j = rows[on], cols[on]
    b = MilpBuilder("p-center-single-source", "min")
    z = b.add_cols("assign", i.size, obj=0.0, lb=0.0, ub=1.0, integer=True)
    b.add_rows("assign_once", rows=i, cols=z, vals=1.0, lb=1.0, ub=1.0, n_rows=inst.n_demand)
    finite = np.isfinite(inst.capacities)
    row_of = np.full(inst.n_sites, -1)
    row_of[finite] = np.arange(int(finite.sum()))
    cap = row_of[j] >= 0
    b.add_rows(
        "capacity",
        rows=row_of[j][cap],
        cols=z[cap],
        vals=inst.demand[i][cap],
        ub=inst.capacities[finite],
        n_rows=int(finite.sum()),
    )
    milp = b.build()
    out = backend.solve(milp, clock.options(options, mip_gap=1.0))
    if out.x is None:
        return None, out.status
    keep = np.round(milp.block(out.x, "assign")) > 0.5
    return Plan(S.copy(), i[keep], j[keep], np.ones(int(keep.sum()))), out.status
