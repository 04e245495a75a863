"""Branch-and-Benders-cut on the p-median master LP (the last stage for large masters).

HiGHS' MILP on a master of 45,000 cut rows and 4.3 M non-zeros (20,000 × 1,000,
p = 10, uncut) did not finish its root in 247 s, heuristics on or off: its
presolve, cut rounds and sub-MIP heuristics each restart from the full
model. This stage branches on the master LP itself instead, re-using its
basis and its cuts:

* a node is a set of fixings ``y_j ∈ {0, 1}`` on top of the fixing stage's;
  its bound is the master LP with those fixings, cut to convergence
  (:meth:`~.benders_run.BendersRun.lp`): the Benders cuts are valid for every
  plan, so that LP bounds every plan of the subtree;
* a node whose bound passes the target (the incumbent less the objective's
  granularity) holds no strictly better plan and is pruned; so is a node
  whose LP optimum is integral once cut (its value is then that plan's cost,
  offered as the incumbent);
* otherwise the most fractional ``y_j`` is branched on, ``y_j = 1`` first
  (depth first, so the open list stays short), and each node's p largest
  ``y`` are offered as a plan.

The search is exact: when the open list empties, no plan better than the
incumbent is left. Stopped by the time limit, the bound is the least bound
of the open nodes (each a valid bound of its subtree).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from erlocate.decomposition.benders_master import CutOracle, Master, MasterInfeasible

if TYPE_CHECKING:
    from erlocate.decomposition.benders_run import BendersRun

__all__ = ["INTEGRAL_TOL", "LARGE_MASTER_NNZ", "LARGE_MASTER_ROWS", "branch"]

#: A master at least this big (cut rows, or non-zeros) is branched on here, not by HiGHS' MILP.
LARGE_MASTER_ROWS, LARGE_MASTER_NNZ = 20_000, 2_000_000
#: y within this of 0 or 1 counts as integral.
INTEGRAL_TOL = 1e-6


def branch(
    run: BendersRun, master: Master, oracle: CutOracle, y0: np.ndarray
) -> tuple[bool, float]:
    """Search the master LP's tree; (proven, lower bound) with the incumbent in ``run``.

    ``y0``: the last LP point (the first core point of the re-cutting).
    ``proven``: every node was pruned, so no plan better than ``run.ub`` exists
    (within the fixing stage's fixings, which keep every better plan).
    """
    inst = run.instance
    base_lo = (inst.required | run.one).astype(float)
    base_hi = np.where(run.zero, 0.0, 1.0)
    # (bound of the parent, fixings as (site, value) pairs); depth first from the end
    stack: list[tuple[float, tuple[tuple[int, float], ...]]] = [(run.lb, ())]
    touched: set[int] = set()
    y_prev, current = y0, run.lb
    try:
        while stack:
            current, fixes = stack.pop()
            for j in touched:
                master.bound(j, base_lo[j], base_hi[j])
            touched = {j for j, _ in fixes}
            for j, v in fixes:
                master.bound(j, v)
            run.stats.probes += 1  # nodes count with the probes: one LP search each
            try:
                value, y, _ = run.lp(master, oracle, y_prev)  # counts its own LP seconds
            except MasterInfeasible:
                continue  # no plan with these fixings serves everyone
            y_prev = y
            if value > run.target or run.proves(value):
                continue
            frac = np.minimum(y, 1.0 - y)
            if frac.max() <= INTEGRAL_TOL:
                run.offer(y > 0.5)  # the cut LP at an integral point costs what the plan does
                continue
            top = np.argsort(-(y + 2.0 * inst.required), kind="stable")[: run.p]
            open_ = np.zeros(y.size, bool)
            open_[top] = True  # the p largest y (required sites first): a plan to offer
            run.offer(open_)
            j = int(np.argmax(frac))
            stack.append((value, (*fixes, (j, 0.0))))
            stack.append((value, (*fixes, (j, 1.0))))
        return True, run.ub
    except TimeoutError:
        # the node being solved and every open node bound their subtrees
        return False, min([current, run.ub] + [b for b, _ in stack])
    finally:
        for j in touched:
            master.bound(j, base_lo[j], base_hi[j])
