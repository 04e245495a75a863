r"""Exact MCLP by Benders decomposition with lazily added cover rows.

``MCLP(p, S, method="benders")`` follows Cordeau, Furini & Ljubić (2019):
project the coverage variables out, keep a *master* over the sites and one
variable :math:`\theta_i \in [0, 1]` per (merged) demand row, and add the
Benders optimality cuts only when violated. For the MCLP the subproblem of a
row is :math:`\max\{y_i : y_i \le \sum_{N_i} x_j,\ y_i \le 1\}`, so its cut
is the cover row itself:

.. math::

    \max \sum_i w_i \theta_i \quad\text{s.t.}\quad
    \theta_i \le \sum_{j \in N_i} x_j \;(i \in R),\qquad
    \sum_j x_j = p',\qquad x \in \{0,1\},\; \theta \in [0,1],

over an *active* set :math:`R` of rows (the disaggregated, per-row cuts). A
row outside :math:`R` has :math:`\theta_i = 1`: its weight is a constant of
the master. Every master is a relaxation of the MCLP (fewer rows), so its
bound is an upper bound on the optimum.

Stages:

1. **Reduction** (exact): :func:`erlocate.models.reduce.reduce_mclp` — rows
   with identical :math:`N_i` merged, pre-covered and weightless rows out,
   dominated sites closed. Required sites are open; :math:`p' = p -
   \#\text{required}` free sites are chosen among the kept ones.
2. **Incumbent** (heuristic): greedy (or the caller's start plan when better)
   and a short swap search (:mod:`erlocate.heuristics.mclp`). :math:`R`
   starts with the rows it leaves uncovered (the cuts at the incumbent).
3. **LP cutting planes**: the master's LP relaxation is solved with HiGHS
   (dual simplex, warm-started after each batch); rows violated by its
   :math:`\bar x` (:math:`\sum_{N_i} \bar x_j < \bar\theta_i`) are added, most
   violated weight first, in batches of at most ``batch`` rows, until none is
   violated (then the LP value is the full LP bound) or the time is up.
4. **MILP re-solve loop** through the chosen backend, warm-started with the
   incumbent: solve the master MILP on :math:`R`; its plan's covered weight is
   recomputed from the data (a lower bound); add the rows it leaves uncovered
   and resolve, until the master's optimal plan leaves no inactive row
   uncovered — it is then feasible for every row, and optimal, since the
   master is a relaxation. The loop also stops when the master's bound meets
   the incumbent.

HiGHS 1.16 names a lazy-constraint callback
(``kCallbackMipDefineLazyConstraints``), but its Python callback input has no
field to hand constraints back (only a user solution), so this module uses
the exact re-solve loop of stage 4, which also works with every backend.

Final numbers: objective = the best plan's covered weight recomputed from the
data; bound = the least of every master's proven bound (LP or MILP; each is a
relaxation), rounded down for integer weights; ``"optimal"`` only when the
gap closes — never on a time limit.

References
----------
Cordeau, J.-F., Furini, F. & Ljubić, I. (2019). Benders decomposition for very
large scale partial set covering and maximal covering location problems.
*EJOR* 275(3), 882–896.
Church, R. & ReVelle, C. (1974). The maximal covering location problem.
*Papers of the Regional Science Association* 32, 101–118.
"""

from __future__ import annotations

import logging
import time

import highspy
import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import OPTIMAL_GAP, SolveOptions, SolverOutput, relative_gap
from erlocate.backends.protocol import Backend
from erlocate.deadline import Deadline
from erlocate.decomposition.loop import LoopOutput
from erlocate.decomposition.restricted import project_to_kept
from erlocate.heuristics.mclp import covered_weight, mclp_greedy, mclp_perturbed_search
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.reduce import reduce_mclp
from erlocate.plan import Plan

__all__ = ["BATCH", "solve_mclp_benders"]

#: Most rows added per LP cutting-plane round.
BATCH = 20_000
#: LP cutting-plane rounds at most.
MAX_LP_ROUNDS = 50
#: Seconds for the swap search: min(SWAP_MAX, SWAP_SHARE × time limit).
SWAP_MAX = 10.0
SWAP_SHARE = 0.05
#: Violation below this is not a violation (LP tolerances).
VIOLATION_TOL = 1e-6

log = logging.getLogger(__name__)


class _Master:
    """The reduced data: rows × free sites ``A``, row weights ``w``, offset, p'."""

    def __init__(self, instance: Instance, max_cost: float, p: int) -> None:
        red = reduce_mclp(instance, max_cost, p)
        self.red = red
        self.free = np.flatnonzero(red.keep_sites & ~instance.required)
        self.A = sp.csr_array(red.A[:, self.free], dtype=float)
        self.w = np.asarray(red.weights, dtype=float)
        self.offset = float(red.fixed_weight)
        self.p = int(p) - int(instance.required.sum())
        self.required = instance.required

    def value(self, xf: np.ndarray) -> float:
        """Covered weight of free-site choice ``xf`` (0/1 over ``free``), from the data."""
        return self.offset + float(self.w[(self.A @ xf) > 0.5].sum())

    def open_sites(self, xf: np.ndarray) -> np.ndarray:
        out = self.required.copy()
        out[self.free[xf > 0.5]] = True
        return out

    def milp(self, active: np.ndarray) -> Milp:
        """The master MILP over the ``active`` rows (boolean mask)."""
        act = np.flatnonzero(active)
        k = self.free.size
        b = MilpBuilder(f"mclp_benders_rows{act.size}of{self.w.size}_sites{k}", "max")
        x = b.add_cols("open", k, lb=0.0, ub=1.0, integer=True)
        t = b.add_cols("covered", act.size, obj=self.w[act], lb=0.0, ub=1.0, implied_integer=True)
        coo = self.A[act].tocoo()
        b.add_rows(
            "cover",
            rows=np.concatenate([coo.row, np.arange(act.size)]),
            cols=np.concatenate([x[coo.col], t]),
            vals=np.concatenate([np.ones(coo.row.size), -np.ones(act.size)]),
            lb=0.0,
            n_rows=act.size,
        )
        b.add_rows("count", rows=np.zeros(k, np.int64), cols=x, vals=1.0, lb=self.p, ub=self.p)
        b.offset = self.offset + float(self.w[~active].sum())
        return b.build()

    def warm(self, milp: Milp, active: np.ndarray, xf: np.ndarray) -> np.ndarray:
        x0 = np.zeros(milp.n_cols)
        x0[milp.col_blocks["open"]] = xf
        x0[milp.col_blocks["covered"]] = np.minimum(self.A[np.flatnonzero(active)] @ xf, 1.0)
        return x0


def _incumbent(
    m: _Master, instance: Instance, S: float, p: int, start: Plan | None, budget: float, seed: int
) -> np.ndarray:
    keep = m.red.keep_sites
    best = mclp_greedy(instance, p, S, allowed=keep, time_limit=budget or None).open
    if start is not None and np.asarray(start.open).shape == (instance.n_sites,):
        s = project_to_kept(instance, m.red, S, start.open)
        if int(s.sum()) == p and covered_weight(instance, s, S) > covered_weight(instance, best, S):
            best = s
    if budget > 0:
        plan = mclp_perturbed_search(
            instance, Plan.nearest(instance, best), S, time_limit=budget, seed=seed, allowed=keep
        )
        best = plan.open
    return best[m.free].astype(float)


def _lp_rounds(
    m: _Master, active: np.ndarray, clock: Deadline, threads: int | None, batch: int
) -> tuple[float, int, bool]:
    """LP cutting planes on the master; adds rows to ``active`` in place.

    Returns (LP bound or inf, rounds, whether the full LP was reached).
    """
    from erlocate.backends.highs import new_highs, run, set_option

    k, n = m.free.size, m.w.size
    h = new_highs()
    set_option(h, "solver", "simplex")
    if threads is not None:
        set_option(h, "threads", int(threads))
    inf = highspy.kHighsInf
    h.addVars(k + n, np.zeros(k + n), np.ones(k + n))
    h.changeColsCost(n, np.arange(k, k + n, dtype=np.int32), m.w)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRow(m.p, m.p, k, np.arange(k, dtype=np.int32), np.ones(k))

    def add(idx: np.ndarray) -> None:
        # theta_i - sum_{N_i} x_j <= 0
        sel = sp.csr_array((np.ones(idx.size), (np.arange(idx.size), k + idx)), (idx.size, k + n))
        block = sp.csr_array(sp.hstack([-m.A[idx], sp.csr_array((idx.size, n))])) + sel
        block = sp.csr_array(block)
        h.addRows(
            idx.size,
            np.full(idx.size, -inf),
            np.zeros(idx.size),
            int(block.nnz),
            block.indptr.astype(np.int32),
            block.indices.astype(np.int32),
            block.data.astype(np.float64),
        )

    if active.any():
        add(np.flatnonzero(active))
    bound, rounds = np.inf, 0
    while rounds < MAX_LP_ROUNDS and not clock.expired():
        left = clock.remaining()
        if left is not None:
            set_option(h, "time_limit", max(float(h.getRunTime()) + left, 0.01))
        run(h, threads, "the MCLP Benders master LP")
        rounds += 1
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return bound, rounds, False
        bound = min(bound, float(h.getInfo().objective_function_value) + m.offset)
        col = np.asarray(h.getSolution().col_value, dtype=float)
        viol = col[k:] - m.A @ col[:k]
        viol[active] = 0.0
        cand = np.flatnonzero(viol > VIOLATION_TOL)
        if cand.size == 0:
            return bound, rounds, True
        if cand.size > batch:
            cand = cand[np.argsort(-(m.w[cand] * viol[cand]), kind="stable")[:batch]]
        active[cand] = True
        add(np.sort(cand))
    return bound, rounds, False


def solve_mclp_benders(
    instance: Instance,
    p: int,
    max_cost: float,
    backend: Backend,
    options: SolveOptions,
    start: Plan | None,
    *,
    batch: int = BATCH,
    swap_time: float | None = None,
) -> LoopOutput:
    """Run the method of the module docstring; see :class:`erlocate.models.MCLP`.

    Parameters
    ----------
    instance : Instance
    p : int
        Sites to open (required ones included).
    max_cost : float
        The coverage standard.
    backend : module
        A backend (``backend.solve(milp, options)``) for the master MILPs.
    options : SolveOptions
        ``time_limit`` covers all stages.
    start : Plan, optional
        A starting plan (projected on the kept sites; used when better than greedy).
    batch : int
        Most rows added per LP round.
    swap_time : float, optional
        Seconds for the swap search (default ``min(10, 0.05 * time_limit)``, 10 without one).

    Returns
    -------
    LoopOutput
    """
    t0 = time.perf_counter()
    clock = Deadline.after(options.time_limit)
    limit = options.time_limit
    if swap_time is None:
        swap_time = SWAP_MAX if limit is None else min(SWAP_MAX, SWAP_SHARE * limit)
    m = _Master(instance, max_cost, p)
    integral = bool(np.all(instance.weights == np.round(instance.weights)))
    seed = 0 if options.seed is None else int(options.seed)
    xf = _incumbent(m, instance, max_cost, p, start, swap_time, seed)
    lb = m.value(xf)
    bound = m.offset + float(m.w.sum())
    active = (m.A @ xf) < 0.5  # the cuts at the incumbent
    log.info("MCLP Benders: incumbent %.10g, %d of %d rows active", lb, active.sum(), active.size)
    t_lp = time.perf_counter()
    lp_bound, lp_rounds, full_lp = _lp_rounds(m, active, clock, options.threads, batch)
    bound = min(bound, lp_bound)
    lp_time = time.perf_counter() - t_lp
    log.info(
        "MCLP Benders: %d LP rounds, bound %.10g (full LP: %s), %d rows active (%.2f s)",
        lp_rounds,
        bound,
        full_lp,
        active.sum(),
        lp_time,
    )
    size: dict[str, float] = {"lp_rounds": lp_rounds, "rows": m.w.size, "free_sites": m.free.size}
    milp_rounds, proven, why, runtime = 0, False, "time limit in the LP stage", lp_time
    while not _closed(lb, bound, integral) and not clock.expired():
        milp = m.milp(active)
        sub = backend.solve(milp, clock.options(options, warm_start=m.warm(milp, active, xf)))
        milp_rounds += 1
        runtime += sub.runtime
        why = f"master MILP {milp_rounds} ({active.sum()} rows): {sub.termination}"
        if sub.bound is not None and sub.status in ("optimal", "feasible"):
            bound = min(bound, float(sub.bound))
        if sub.x is None:
            break
        cand = (np.round(milp.block(sub.x, "open")) > 0.5).astype(float)
        if m.value(cand) > lb:
            xf, lb = cand, m.value(cand)
        new = ~active & ((m.A @ cand) < 0.5)
        log.info(
            "MCLP Benders: MILP round %d %s, incumbent %.10g, bound %.10g, %d rows violated",
            milp_rounds,
            sub.status,
            lb,
            bound,
            new.sum(),
        )
        if sub.status != "optimal":
            break
        if not new.any():
            # the master's optimum is feasible for every row: optimal (within the backend's gap)
            proven = True
            break
        active |= new
    size.update(milp_rounds=milp_rounds, active_rows=int(active.sum()))
    proven = proven or _closed(lb, bound, integral)
    if proven and milp_rounds == 0:
        why = "incumbent meets the LP bound"
    if integral and np.isfinite(bound):
        bound = float(np.floor(bound + 1e-6))
    bound = max(bound, lb)
    gap = relative_gap(lb, bound)
    ok = proven and gap is not None and gap <= OPTIMAL_GAP
    out = SolverOutput(
        "optimal" if ok else "feasible", None, lb, bound, gap, runtime, why, backend.name
    )
    log.info("MCLP Benders: %s after %.2f s", out.status, time.perf_counter() - t0)
    return LoopOutput(out, Plan.nearest(instance, m.open_sites(xf)), size)


def _closed(lb: float, bound: float, integral: bool) -> bool:
    if integral:
        return bound < lb + 1 - 1e-6
    return bound <= lb + 1e-9 * max(abs(lb), 1.0)
