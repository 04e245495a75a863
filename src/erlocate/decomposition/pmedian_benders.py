r"""Exact p-median by Benders decomposition of the radius formulation.

Duran-Mateluna, Ales & Elloumi (2023) project the radius variables out of the
radius formulation (:mod:`erlocate.models.pmedian_radius`): with
:math:`\theta_i` the cost of demand row :math:`i`, the master problem is

.. math::

    \min \sum_i w_i \theta_i \quad\text{s.t.}\quad
    \sum_j y_j = p,\qquad
    \theta_i \ge D_i^k - \sum_{j:\, c_{ij} < D_i^k} (D_i^k - c_{ij})\, y_j
    \;\;\forall i, k,\qquad y \in \{0,1\},

one optimality cut per demand row and distance level :math:`D_i^k`. The cut
is valid for every :math:`y` with an open site (if an open site is nearer than
:math:`D_i^k` the right-hand side is at most that site's cost, otherwise it is
:math:`D_i^k` and the nearest open site is at least that far), and for a given
:math:`\hat y` the level :math:`\hat k` where :math:`\sum_{c_{ij} \le D^k_i}
\hat y_j` first reaches 1 gives the most violated one in closed form (it is the
radius subproblem's dual). With all cuts, the LP relaxation equals the one of
the radius (and pair) formulation.

The method is exact and runs in four stages (:class:`BendersStats` records each):

1. **Incumbent.** The caller's start (else greedy + interchange,
   :mod:`erlocate.heuristics`, not exact by themselves) and, after stage 2,
   the LP point rounded and improved give the incumbent :math:`U`.
2. **LP by cutting planes.** The master LP is solved with HiGHS (dual
   simplex, warm-started as cuts arrive). Cuts are separated at a point
   between the LP optimum and a core point (in-out stabilisation, Ben-Ameur &
   Neto 2007; Fischetti, Ljubić & Sinnl 2017), and at the LP optimum itself
   when that one is not cut off. The LP value :math:`L` is a lower bound; with
   integer costs and weights, :math:`\lceil L \rceil \ge U` proves :math:`U`.
3. **Fixing.** *Reduced costs*: with :math:`r_j` the reduced cost of
   :math:`y_j`, a plan with :math:`y_j` flipped costs at least :math:`L + |r_j|`.
   *Probing*: the master LP with :math:`y_j` forced to one value is re-cut
   until it converges or passes the target. Either way, when the bound passes
   :math:`U` (:math:`U - 1` with integer data) no strictly better plan has that
   value, so :math:`y_j` takes the other. Every plan better than the incumbent
   survives: exact.
4. **Master MILP.** With ``backend="highs"`` a large master (20,000 cut rows
   or 2 M non-zeros and up) is branched on as an LP
   (:mod:`~erlocate.decomposition.benders_branch`); a smaller one (its cuts and
   fixings) is solved as a MILP; at each optimum the cuts of the integer point
   are added and it is solved again, until the optimum's :math:`\theta` are its
   true costs (it is then optimal) or its bound passes the target. With another
   backend the radius formulation over the sites not fixed to 0 (those fixed to 1
   required) goes to that backend instead.

Stages 2–3 use HiGHS whatever ``backend`` is (``highspy`` is a core dependency).

References
----------
Duran-Mateluna, C., Ales, Z. & Elloumi, S. (2023). An efficient Benders
decomposition for the p-median problem. *European Journal of Operational
Research* 308(1), 84–96.
Ben-Ameur, W. & Neto, J. (2007). Acceleration of cutting-plane and column
generation algorithms. *Networks* 49(1), 3–17.
Fischetti, M., Ljubić, I. & Sinnl, M. (2017). Redesigning Benders decomposition
for large-scale facility location. *Management Science* 63(7), 2146–2162.
"""

from __future__ import annotations

import logging
import time

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.protocol import Backend
from erlocate.decomposition.benders_branch import LARGE_MASTER_NNZ, LARGE_MASTER_ROWS, branch
from erlocate.decomposition.benders_master import CutOracle, Master, MasterInfeasible
from erlocate.decomposition.benders_run import BendersRun, BendersStats
from erlocate.instance import Instance
from erlocate.models.pmedian_radius import levels
from erlocate.plan import Plan

log = logging.getLogger(__name__)

__all__ = ["BendersStats", "benders_pmedian"]


def benders_pmedian(
    instance: Instance,
    p: int,
    max_cost: float | None,
    backend: Backend,
    options: SolveOptions,
    start: Plan | None = None,
    stats: BendersStats | None = None,
) -> tuple[SolverOutput, Plan | None]:
    """Solve the uncapacitated p-median exactly (see the module doc).

    Parameters
    ----------
    instance : Instance
    p : int
        Sites to open (validated by the caller, :class:`~erlocate.models.PMedian`).
    max_cost : float, optional
        Assignment cut-off.
    backend : module
        The backend of the final MILP stage (:func:`erlocate.backends.get`).
    options : SolveOptions
        Time limit (for the whole loop), gap, threads, seed, verbosity.
    start : Plan, optional
        A starting plan (it must open exactly p sites, required ones included).
    stats : BendersStats, optional
        Filled in place.

    Returns
    -------
    (SolverOutput, Plan or None)
        Status, objective, bound and gap of the loop (``x`` is None), and the best plan.
    """
    stats = stats if stats is not None else BendersStats()
    run = BendersRun(instance, p, max_cost, backend, options, stats)
    run.incumbent(start)
    log.info(
        "Benders p-median %d x %d, p=%d: incumbent %.10g",
        instance.n_demand,
        instance.n_sites,
        p,
        run.ub,
    )
    master = None
    try:
        lv = levels(instance, p, max_cost)
        oracle = CutOracle(lv)
        master = Master(lv, instance, p, options.verbose, options.threads)
        run.lb, y, rc = run.lp(master, oracle)
        stats.lp_bound = run.lb
        log.info("Benders LP stage: bound %.10g (%.2f s of LPs)", run.lb, stats.lp_seconds)
        if run.proves(run.lb):
            return run.finish(True, "Benders LP bound proves the incumbent"), run.plan
        # the LP point rounded (its p largest y, then random draws) and improved: often optimal
        th = time.perf_counter()
        run.round_lp(y)
        stats.heuristic_seconds += time.perf_counter() - th
        log.info("Benders rounding and improvement: incumbent %.10g", run.ub)
        if run.proves(run.lb):
            return run.finish(True, "Benders LP bound proves the incumbent"), run.plan
        if run.fix(master, oracle, stats.lp_bound, y, rc):
            return run.finish(True, "Benders fixing leaves no better plan"), run.plan
        log.info(
            "Benders fixing: %d sites closed, %d open; solving the rest as a MILP",
            int(run.zero.sum()),
            int(run.one.sum()),
        )
        if backend.name == "highs":
            h = master.h
            if h.getNumRow() < LARGE_MASTER_ROWS and h.getNumNz() < LARGE_MASTER_NNZ:
                return run.master_mip(master, oracle), run.plan
            proven, bound = branch(run, master, oracle, y)
            log.info("Benders branch-and-cut: %s, bound %.10g", proven, bound)
            why = "no better plan" if proven else "time limit"
            return run.finish(proven, f"Benders branch-and-cut on the master LP: {why}", bound), (
                run.plan
            )
        return run.restricted_milp(run.zero, run.one), run.plan
    except MasterInfeasible:
        # the master (with fixings that keep every better plan) has no point
        return run.finish(True, "Benders master infeasible: no better plan"), run.plan
    except TimeoutError:
        return run.finish(False, "time limit in the Benders LP stage"), run.plan
    finally:
        stats.cuts = 0 if master is None else master.n_cuts
