r"""Exact MCLP by Lagrangian reduced-cost fixing around a heuristic incumbent.

``MCLP(p, S, method="fixing")`` solves the maximal covering problem in stages:

1. **Reduction** (exact): :func:`erlocate.models.reduce.reduce_mclp` — merged
   rows, dominated sites closed. Let :math:`A` be the kept rows × sites
   0/1 matrix, :math:`w` the row weights, :math:`F` the free sites (kept,
   not required) and :math:`p' = p - \#\text{required}`.
2. **Incumbent** (heuristic, *not* exact by itself): greedy (or the
   caller's start plan if better), then a perturbed swap search
   (:mod:`erlocate.heuristics.mclp`, a third of the budget). When the
   first LP bound (stage 3) leaves a gap, the rest of the budget goes to the
   region search, which re-solves neighbourhoods as small MILPs with the same
   backend (:mod:`erlocate.heuristics.region`). Its covered weight
   is :math:`LB`.
3. **Bound and duals**: the LP relaxation of the reduced model is solved with
   HiGHS (interior point + crossover). Its row duals are only *used as
   multipliers*: for **any** :math:`u \ge 0` every plan :math:`x` (binary,
   :math:`\sum_F x_j = p'`) with covered set :math:`c(x)` satisfies

   .. math::

       v(x) = \sum_i w_i c_i \le \sum_i (w_i - u_i) c_i + \sum_j a_j x_j,
       \qquad a_j = \sum_{i \in M_j} u_i,

   because :math:`u_i \sum_{N_i} x_j \ge u_i c_i`. Maximising the right
   side term by term gives the Lagrangian bound
   :math:`L = \sum_i \max(0, w_i - u_i) + \lambda p' + \sum_{j\in F} \max(0, a_j - \lambda)`
   (any :math:`\lambda`; the :math:`p'`-th largest :math:`a_j` minimises it),
   recomputed here in numpy from the data and :math:`u`, so the bound does
   not rest on the LP solver's tolerances. Every plan loses from :math:`L` a
   *penalty* for each choice against the maximiser:
   :math:`|a_j - \lambda|` per site set the other way and :math:`|w_i - u_i|`
   per row covered (or not) the other way; penalties add up:
   :math:`v(x) \le L - \sum \text{penalties}(x)`.
4. **Fixing** (exact): a single penalty above :math:`L - LB` means every plan
   making that choice is worth less than the incumbent. So: a site with
   :math:`\lambda - a_j > L - LB` is fixed closed, one with
   :math:`a_j - \lambda > L - LB` fixed open; a row with
   :math:`w_i - u_i > L - LB` must be covered (:math:`y_i = 1`, i.e.
   :math:`\sum_{N_i} x_j \ge 1`); a row with :math:`u_i - w_i > L - LB` must
   stay uncovered (its sites are closed). Every plan worth at least
   :math:`LB` — the incumbent and **every optimal plan** — satisfies all
   fixings at once, so the restricted problem keeps the optimum. Rows
   covered by a site fixed open become a constant; rows left without free
   sites drop out. The LP is re-solved on the restricted problem while the
   fixings grow (its bound is valid for the restricted set; plans outside it
   are worth less than :math:`LB`).
5. **Restricted MILP** through the chosen backend, warm-started with the
   incumbent (which satisfies every fixing), with the remaining time limit.

Final numbers: objective = the best plan's covered weight recomputed from the
data; bound = :math:`\min(L, \max(B_R, LB))` with :math:`B_R` the restricted
MILP's bound (plans outside the restricted set are worth less than
:math:`LB`), rounded down for integer weights; status ``"optimal"`` only when
the restricted MILP was solved to optimality (or proved that nothing beats
the incumbent) or when :math:`L < LB + 1` with integer weights — never on a
time limit.

On the AILS city instances (see ``docs/benchmarks/mclp-ails.md``) the fixing
is strong when the LP gap is small (large p: most rows must be covered) and
weak at p = 50, where the LP gap (0.2–0.6 %) exceeds most reduced costs.

References
----------
Church, R. & ReVelle, C. (1974). The maximal covering location problem.
*Papers of the Regional Science Association* 32, 101–118.
Galvão, R.D. & ReVelle, C. (1996). A Lagrangean heuristic for the maximal
covering location problem. *EJOR* 88, 114–123 (Lagrangian bounds for MCLP).
Nemhauser, G.L. & Wolsey, L.A. (1988). *Integer and Combinatorial
Optimization*, Wiley (reduced-cost fixing, §II.5).
Cordeau, J.-F., Furini, F. & Ljubić, I. (2019). Benders decomposition for very
large scale partial set covering and maximal covering location problems.
*EJOR* 275, 882–896.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import OPTIMAL_GAP, SolveOptions, SolverOutput, relative_gap
from erlocate.backends.protocol import Backend
from erlocate.deadline import Deadline
from erlocate.decomposition.loop import LoopOutput
from erlocate.decomposition.restricted import (
    RestrictedProblem,
    apply,
    build_restricted,
    encode_restricted,
    fix_by_reduced_costs,
    lagrangian_bound,
    lp_duals,
    project_to_kept,
)
from erlocate.heuristics.mclp import covered_weight, mclp_greedy, mclp_perturbed_search
from erlocate.instance import Instance
from erlocate.models.reduce import CoverReduction, reduce_mclp
from erlocate.plan import Plan

__all__ = ["solve_mclp_fixing"]

#: Default seconds for the incumbent heuristic: min(HEURISTIC_MAX, HEURISTIC_SHARE × time limit).
HEURISTIC_MAX = 60.0
HEURISTIC_SHARE = 0.2
#: Share of that budget for the swap search; the region search gets the rest.
SWAP_SHARE = 1 / 3
#: LP re-solves on the restricted problem while each adds at least this share of new fixings.
MIN_NEW_FIXINGS = 0.02
MAX_ROUNDS = 4

log = logging.getLogger(__name__)


def _incumbent(
    p: int,
    S: float,
    instance: Instance,
    red: CoverReduction,
    start: Plan | None,
    budget: float,
    seed: int | None,
) -> np.ndarray:
    """Greedy (or the start plan when better), then the perturbed swap search."""
    g = mclp_greedy(instance, p, S, allowed=red.keep_sites, time_limit=budget or None)
    best = g.open
    if start is not None and np.asarray(start.open).shape == (instance.n_sites,):
        s = project_to_kept(instance, red, S, start.open)
        if int(s.sum()) == p and covered_weight(instance, s, S) > covered_weight(instance, best, S):
            best = s
    plan = mclp_perturbed_search(
        instance,
        Plan.nearest(instance, best),
        S,
        time_limit=budget,
        max_stall=int(np.clip(red.n_sites // 4, 50, 1000)),
        seed=0 if seed is None else seed,
        allowed=red.keep_sites,
    )
    return plan.open


def _region_improve(
    max_cost: float,
    instance: Instance,
    red: CoverReduction,
    open_: np.ndarray,
    budget: float,
    backend: Backend,
    options: SolveOptions,
) -> np.ndarray:
    """The region search (:mod:`erlocate.heuristics.region`) from ``open_``.

    Its region MILPs take the caller's ``options`` (gap, threads, verbosity,
    seed); only their time limit and warm start are the search's own.
    """
    from erlocate.heuristics import mclp_region_search  # imports this module

    plan = mclp_region_search(
        instance,
        Plan.nearest(instance, open_),
        max_cost,
        time_limit=budget,
        sub_time_limit=max(min(5.0, budget / 4), 0.1),
        backend=backend,
        seed=0 if options.seed is None else options.seed,
        allowed=red.keep_sites,
        options=options,
    )
    return plan.open


# --------------------------------------------------------------------------- loop
def solve_mclp_fixing(
    instance: Instance,
    p: int,
    max_cost: float,
    backend: Backend,
    options: SolveOptions,
    start: Plan | None,
    *,
    heuristic_time: float | None = None,
) -> LoopOutput:
    """Run the staged exact method of the module docstring; see :class:`erlocate.models.MCLP`.

    Parameters
    ----------
    instance : Instance
    p : int
        Sites to open (required ones included).
    max_cost : float
        The coverage standard.
    backend : module
        A backend (``backend.solve(milp, options)``) for the restricted MILP.
    options : SolveOptions
        ``time_limit`` covers all stages; the MILP gets what is left.
    start : Plan, optional
        A starting plan (projected on the kept sites; used when better than greedy).
    heuristic_time : float, optional
        Seconds for the incumbent search (default ``min(60, 0.2 * time_limit)``,
        60 without a time limit).

    Returns
    -------
    LoopOutput
    """
    t0 = time.perf_counter()
    clock = Deadline.after(options.time_limit)
    limit = options.time_limit
    if heuristic_time is None:
        heuristic_time = (
            HEURISTIC_MAX if limit is None else min(HEURISTIC_MAX, HEURISTIC_SHARE * limit)
        )
    red = reduce_mclp(instance, max_cost, p)
    w_all = instance.weights
    integral = bool(np.all(w_all == np.round(w_all)))
    prob = RestrictedProblem(
        A=sp.csr_array(red.A, dtype=float),
        w=np.asarray(red.weights, dtype=float),
        free=red.keep_sites & ~instance.required,
        fixed_open=instance.required.copy(),
        must=np.zeros(red.n_rows, dtype=bool),
        p=p,
        offset=float(red.fixed_weight),
    )
    best_open = _incumbent(
        p, max_cost, instance, red, start, SWAP_SHARE * heuristic_time, options.seed
    )
    lb = prob.value(best_open)
    t_heur = time.perf_counter() - t0
    log.info("MCLP fixing: heuristic incumbent %.10g (%.2f s)", lb, t_heur)

    # bound and fixing rounds
    # every row covered: the model's own (box) bound; every later bound is min'ed with it,
    # so the reported bound is never weaker than the model's
    bound = prob.offset + float(prob.w.sum())
    t_lp = time.perf_counter()
    n_fixed: dict[str, int] = {
        "sites_closed": 0,
        "sites_opened": 0,
        "rows_must": 0,
        "rows_never": 0,
    }
    lp_rounds = 0
    tol = 1 - 1e-6 if integral else 1e-9 * max(abs(lb), 1.0)  # a gap worth searching
    for _ in range(MAX_ROUNDS):
        if clock.expired():
            break
        u, _lp = lp_duals(prob, clock.remaining(), options.threads)
        lp_rounds += 1
        left = clock.remaining()
        region_budget = (
            heuristic_time - t_heur if left is None else min(heuristic_time - t_heur, left)
        )
        if lp_rounds == 1 and region_budget > 0 and lagrangian_bound(prob, u)[0] > lb + tol:
            # the LP leaves a gap: spend the rest of the heuristic budget on the region search
            t_reg = time.perf_counter()
            cand = _region_improve(
                max_cost, instance, red, best_open, region_budget, backend, options
            )
            if prob.value(cand) > lb:
                best_open, lb = cand, prob.value(cand)
            t_heur += time.perf_counter() - t_reg
        fix = fix_by_reduced_costs(prob, u, lb)
        bound = min(bound, fix.bound)
        for key, mask in zip(n_fixed, (fix.close, fix.open, fix.must, fix.never), strict=True):
            n_fixed[key] += int(mask.sum())
        prob = apply(prob, fix)
        if integral and bound < lb + 1 - 1e-6:
            break
        if fix.count < MIN_NEW_FIXINGS * (prob.free.size + prob.w.size):
            break
    lp_time = time.perf_counter() - t_lp
    log.info(
        "MCLP fixing: %d LP rounds, bound %.10g, incumbent %.10g, %d sites left free (%.2f s)",
        lp_rounds,
        bound,
        lb,
        int(prob.free.sum()),
        lp_time,
    )
    size = {
        "heuristic_s": round(t_heur, 3),
        "lp_rounds": lp_rounds,
        **n_fixed,
        "free_sites": int(prob.free.sum()),
    }
    if integral and bound < lb + 1 - 1e-6:
        out = _output(lb, float(lb), True, lp_time, "proved by the Lagrangian bound", backend)
        return LoopOutput(out, Plan.nearest(instance, best_open), size)

    milp = build_restricted(prob, f"mclp_fixed_{red.summary()}")
    size.update(
        rows=milp.n_rows, cols=milp.n_cols, int_cols=int(milp.integrality.sum()), nnz=milp.nnz
    )
    x0 = encode_restricted(prob, milp, best_open) if prob.admits(best_open) else None
    if clock.expired():
        out = _output(lb, _round(bound, integral), False, lp_time, "time limit", backend)
        return LoopOutput(out, Plan.nearest(instance, best_open), size)
    sub = backend.solve(milp, clock.options(options, warm_start=x0))
    proven = sub.status in ("optimal", "infeasible")
    if sub.x is not None:
        cand = np.round(milp.block(sub.x, "open")) > 0.5
        if int(cand.sum()) == prob.p and prob.value(cand) > lb:
            best_open, lb = cand, prob.value(cand)
    if sub.status == "optimal":
        # the restricted optimum is found (within the backend's gap); outside it nothing reaches lb
        bound = lb if sub.bound is None else max(lb, min(bound, sub.bound))
    elif sub.status == "infeasible":
        bound = lb  # no plan satisfies the fixings, so none is worth lb or more than the incumbent
    elif sub.bound is not None:
        bound = min(bound, max(sub.bound, lb))
    out = _output(
        lb,
        _round(bound, integral),
        proven,
        lp_time + sub.runtime,
        f"restricted MILP: {sub.termination}",
        backend,
    )
    return LoopOutput(out, Plan.nearest(instance, best_open), size)


def _round(bound: float, integral: bool) -> float:
    return float(np.floor(bound + 1e-6)) if integral and np.isfinite(bound) else float(bound)


def _output(
    objective: float, bound: float, proven: bool, runtime: float, why: str, backend: Backend
) -> SolverOutput:
    bound = max(bound, objective)
    gap = relative_gap(objective, bound)
    ok = proven and gap is not None and gap <= OPTIMAL_GAP
    return SolverOutput(
        "optimal" if ok else "feasible",
        None,
        float(objective),
        float(bound),
        gap,
        float(runtime),
        why,
        backend.name,
    )
