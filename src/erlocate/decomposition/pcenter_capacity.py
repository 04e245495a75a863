r"""Exact capacitated p-center by radius search: capacitated covering steps.

A radius :math:`r` is *achievable* when some :math:`p` sites (the required ones
among them) serve every demand point only over pairs with :math:`v_{ij} \le r`
(:math:`v_{ij} = c_{ij}`, or :math:`w_i c_{ij}` weighted) within the site
capacities, demand split or (``single_source``) served whole. That is monotone
in :math:`r`, so the least achievable radius, one of the distinct pair values,
is found by bisection (:func:`erlocate.decomposition.pcenter_search.bisect_radii`).

1. **Lower bound**: the *uncapacitated* p-center radius, by its own search
   (every capacitated plan is an uncapacitated one, so no smaller radius is
   achievable; where the uncapacitated optimum's nearest-site plan already
   respects the capacities it is the capacitated optimum too, and the search
   ends there). Single sourcing adds :math:`\max_i \min_{j: K_j \ge d_i} v_{ij}`
   (a point served whole needs a site that holds it) and drops the pairs with
   :math:`d_i > K_j` (exact: they cannot carry the point).
2. Each step decides whether p sites can serve everyone over the pairs with
   :math:`v_{ij} \le r` within the capacities: a combinatorial Benders loop
   (:mod:`erlocate.decomposition.pcenter_steps`) whose 0/1 master chooses the
   sites on the chosen backend and whose subproblem is the transport LP (split)
   or, single-sourced, also the assignment MILP on the chosen sites. A plan
   means achievable (its true radius, the largest value it uses, becomes the
   upper bound); the master proven infeasible means not. Its equivalent single
   MILP is

   .. math::

       \sum_{j: v_{ij}\le r} z_{ij} = 1,\quad
       \sum_i d_i z_{ij} \le K_j x_j,\quad
       z_{ij} \le x_j,\quad
       \sum_j x_j \le p,

   on which HiGHS needed 12 s and 108 s for the first two steps at 500 × 120,
   p = 5, where the loop decides each step in well under a second
   (``docs/benchmarks/pcenter.md``).
3. Stop when the bounds meet. Stopped early, the bound is the least radius not
   proven unachievable and the status ``"feasible"`` (``"no_solution"`` before
   any capacitated plan).

References
----------
Özsoy, F.A. & Pınar, M.Ç. (2006). An exact algorithm for the capacitated vertex
p-center problem. *Computers & OR* 33(5), 1420–1436.
Albareda-Sambola, M., Díaz, J.A. & Fernández, E. (2010). Lagrangean duals and
exact solution to the capacitated p-center problem. *EJOR* 201(1), 71–81.
"""

from __future__ import annotations

import time

import numpy as np

from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.deadline import Deadline
from erlocate.decomposition.loop import LoopOutput
from erlocate.decomposition.pcenter_search import (
    SearchStats,
    bisect_radii,
    pcenter_search,
    search_output,
)
from erlocate.decomposition.pcenter_steps import CutPool, Step, capacity_step
from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.models.blocks import Pairs
from erlocate.plan import Checker, Plan

__all__ = ["assigned_plan", "capacitated_search", "plan_radius"]


def assigned_plan(
    instance: Instance, milp: Milp, pairs: Pairs, x: np.ndarray, use: str | None = None
) -> Plan:
    """The plan of a capacitated assignment MILP, keeping the solver's allocation.

    Shares below 1e-9 (solver noise), to sites not open, or (``use``: the name of a
    binary column block, one per pair) on pairs not marked used are dropped; each
    point's remaining shares are scaled to sum to 1 (they differ from 1 by at most
    the solver's tolerances).
    """
    open_ = np.round(milp.block(x, "open")) > 0.5
    z = milp.block(x, "assign")
    if milp.integrality[milp.col_blocks["assign"]].any():
        z = np.round(z)
    keep = (z > 1e-9) & open_[pairs.cols]
    if use is not None:
        keep &= np.round(milp.block(x, use)) > 0.5
    i, j, s = pairs.rows[keep], pairs.cols[keep], z[keep]
    total = np.bincount(i, weights=s, minlength=instance.n_demand)
    return Plan(open_, i, j, s / total[i])


def plan_radius(instance: Instance, value: np.ndarray, plan: Plan) -> float:
    """The largest value (per stored pair) over the plan's allocated pairs (``inf`` if one
    is not a stored pair)."""
    used = plan.share > 0
    pos = Pairs(instance, None).locate(plan.demand_idx[used], plan.site_idx[used])
    if (pos < 0).any():
        return np.inf
    return float(value[pos].max(initial=0.0))


def capacitated_search(
    instance: Instance,
    p: int,
    value: np.ndarray,
    usable: np.ndarray,
    single_source: bool,
    backend: Backend,
    options: SolveOptions,
    start: Plan | None = None,
) -> LoopOutput:
    """Solve the capacitated p-center exactly by radius search (see the module doc).

    Parameters
    ----------
    instance : Instance
        With capacities (checked by the caller, like p).
    p : int
    value, usable : numpy.ndarray
        Per stored pair: the value the radius bounds, and whether the pair is allowed.
    single_source : bool
        Each demand point served whole by one site.
    backend : Backend
    options : SolveOptions
        ``time_limit`` covers both searches; the rest goes to each MILP.
    start : Plan, optional
        A capacitated plan whose radius starts the upper bound (if it is valid).

    Returns
    -------
    LoopOutput
    """
    t0 = time.perf_counter()
    clock = Deadline.after(options.time_limit)
    unc = pcenter_search(instance, p, value, usable, backend, clock.options(options))
    size = {f"uncapacitated_{k}": v for k, v in unc.size.items()}
    if unc.output.status == "infeasible":
        return LoopOutput(unc.output, None, size)
    if unc.output.status == "optimal" and unc.plan is not None and _fits(instance, unc.plan):
        # the uncapacitated optimum's nearest-site plan respects the capacities: optimal here too
        return LoopOutput(unc.output, unc.plan, size)
    n = instance.n_demand
    keep = usable.copy()
    if single_source:  # a point served whole only where the site can hold all of it
        keep &= instance.demand[instance.pair_rows] <= instance.capacities[instance.indices]
    rows, cols, vals = instance.pair_rows[keep], instance.indices[keep], value[keep]
    radii = np.unique(vals)
    least = np.full(n, np.inf)
    np.minimum.at(least, rows, vals)
    floor = max(float(least.max(initial=0.0)), unc.output.bound or 0.0)
    lo = int(np.searchsorted(radii, floor))
    stats = SearchStats()
    best, best_plan = np.inf, None
    if start is not None and _valid_start(instance, p, start, keep, single_source):
        best, best_plan = plan_radius(instance, value, start), start

    data = Step(instance, p, single_source, rows, cols, vals)
    pool = CutPool(sets=[np.ones(n, dtype=bool)])  # all points: the total capacity opened

    def step(r: float) -> tuple[bool | None, Plan | None]:
        return capacity_step(data, r, pool, backend, options, clock)

    lo, hi, best, best_plan, why = bisect_radii(
        radii,
        lo,
        best,
        best_plan,
        step,
        lambda plan: np.inf if plan is None else plan_radius(instance, value, plan),
        clock,
        stats,
    )
    why_not = "radius search: no p sites serve every demand point within the capacities"
    out = search_output(radii, lo, hi, best, why, why_not, time.perf_counter() - t0, backend.name)
    stats.milp_seconds, stats.by_milp = pool.seconds, stats.steps
    size |= stats.as_size() | pool.as_size()
    return LoopOutput(out, best_plan if np.isfinite(best) else None, size)


def _fits(instance: Instance, plan: Plan) -> bool:
    """The plan's loads within every site's capacity."""
    load = np.bincount(
        plan.site_idx,
        weights=instance.demand[plan.demand_idx] * plan.share,
        minlength=plan.open.size,
    )
    return bool((load <= instance.capacities).all())


def _valid_start(
    instance: Instance, p: int, plan: Plan, keep: np.ndarray, single_source: bool
) -> bool:
    """A starting plan the search may take as its incumbent: every check passes."""
    c = Checker(instance, plan)
    if not c.structure():
        return False
    c.sites(p=p)
    c.allocation(capacitated=True, single_source=single_source)
    pos = Pairs(instance, None).locate(plan.demand_idx, plan.site_idx)
    return not c.breaches and bool((pos >= 0).all() and keep[pos].all())
