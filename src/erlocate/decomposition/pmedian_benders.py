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

The method here is exact and runs in three stages:

1. **LP by cutting planes.** The master LP is solved with HiGHS (dual
   simplex, warm-started as cuts are added). Cuts are separated at a point
   between the LP optimum and a core point (in-out stabilisation, Ben-Ameur &
   Neto 2007; Fischetti, Ljubić & Sinnl 2017), and at the LP optimum itself
   when that one is not violated. Each separation is exact, so the LP value
   only stops when no cut is violated (or the integer objective is already proven).
2. **Upper bound and fixing.** Greedy + interchange (:mod:`erlocate.heuristics`,
   also from the LP point rounded) gives an incumbent :math:`U`. With
   :math:`L` the master LP value and :math:`r_j` the reduced cost of
   :math:`y_j`, a plan with :math:`y_j` flipped costs at least :math:`L +
   |r_j|`; when that exceeds :math:`U` (or :math:`U - 1` with integer costs
   and weights) no strictly better plan flips it, so :math:`y_j` is fixed.
   This keeps every plan better than the incumbent: exact.
3. **Restricted MILP.** The radius formulation over the sites not fixed to 0
   (sites fixed to 1 required) goes to the chosen backend. Its optimum, or
   the incumbent when it is no better or infeasible, is the optimum.

The LP stage uses HiGHS whatever ``backend`` is (``highspy`` is a core
dependency); the restricted MILP uses ``backend``.

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

import dataclasses
import time
from types import ModuleType

import highspy
import numpy as np

from erlocate.backends.base import SolveOptions, SolverOutput, classify
from erlocate.backends.highs import _mute_banner
from erlocate.errors import BackendError, InputError
from erlocate.heuristics import pmedian_greedy, pmedian_interchange
from erlocate.instance import Instance
from erlocate.models.pmedian_radius import (
    Levels,
    build_radius,
    decode_radius,
    encode_radius,
    levels,
)
from erlocate.plan import Plan, nearest_open

__all__ = ["BendersStats", "benders_pmedian"]

#: A level counts as "holding an open site" when its cumulative y reaches 1 - this.
REACH_TOL = 1e-9
#: A cut is added when it cuts the LP point off by more than this (relative to |theta| + 1).
VIOLATION_TOL = 1e-7
#: Relative margin on LP values before they prove or fix anything (LP tolerances are 1e-7
#: on duals and feasibility; integer rounding of a bound must not rest on them).
SAFETY = 1e-7
#: Weight of the LP optimum in the separation point (the rest on the core point).
ALPHA = 0.5


@dataclasses.dataclass
class BendersStats:
    """What the loop did (kept on ``Result.milp_size``)."""

    rounds: int = 0
    cuts: int = 0
    fixed_zero: int = 0
    fixed_one: int = 0
    probes: int = 0
    lp_seconds: float = 0.0
    milp_seconds: float = 0.0
    heuristic_seconds: float = 0.0
    lp_bound: float = float("nan")
    incumbent: float = float("inf")
    restricted: dict[str, int] = dataclasses.field(default_factory=dict)

    def as_size(self) -> dict[str, int]:
        size = {
            "benders_rounds": self.rounds,
            "benders_cuts": self.cuts,
            "fixed_zero": self.fixed_zero,
            "fixed_one": self.fixed_one,
            "probes": self.probes,
        }
        size.update({f"restricted_{k}": v for k, v in self.restricted.items()})
        return size


class _Oracle:
    """Closed-form separation over the levels of each demand row (all rows at once)."""

    def __init__(self, lv: Levels) -> None:
        self.lv = lv
        n_lvl = lv.row.size
        first = np.ones(n_lvl, bool)
        first[1:] = lv.row[1:] != lv.row[:-1]
        self.head = np.flatnonzero(first)  # first level of each row
        self.span = np.diff(np.append(self.head, n_lvl))
        size = np.bincount(lv.pair_level, minlength=n_lvl)
        self.lvl_begin = np.cumsum(size) - size  # pairs are sorted by level
        self.pair_cost = lv.cost[lv.pair_level]

    def _within_row(self, per_level: np.ndarray) -> np.ndarray:
        total = np.cumsum(per_level)
        return total - np.repeat(total[self.head] - per_level[self.head], self.span)

    def separate(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(level k̂ per row, subproblem value per row) at ``y``."""
        lv = self.lv
        n_lvl = lv.row.size
        yl = np.bincount(lv.pair_level, weights=y[lv.pair_site], minlength=n_lvl)
        cum = self._within_row(yl)
        cyl = self._within_row(lv.cost * yl)
        cand = np.where(cum >= 1.0 - REACH_TOL, np.arange(n_lvl), n_lvl)
        khat = np.minimum.reduceat(cand, self.head)
        # a row whose levels never reach 1 (only with a cut-off) takes its last level
        khat = np.where(khat == n_lvl, self.head + self.span - 1, khat)
        d = lv.cost[khat]
        value = d * (1.0 - (cum[khat] - yl[khat])) + (cyl[khat] - lv.cost[khat] * yl[khat])
        return khat, value

    def cuts(self, rows: np.ndarray, khat: np.ndarray) -> tuple[np.ndarray, ...]:
        """CSR (starts, site indices, values) and right-hand sides of the cuts of ``rows``.

        Cut of row i at level k: theta_i + sum_{c_ij < D_k} (D_k - c_ij) y_j >= D_k.
        """
        k = khat[rows]
        d = self.lv.cost[k]
        lo = self.lvl_begin[self.head[rows]]
        hi = self.lvl_begin[k]
        cnt = hi - lo
        starts = np.concatenate([[0], np.cumsum(cnt)[:-1]]) if rows.size else np.zeros(0, int)
        idx = np.arange(int(cnt.sum())) - np.repeat(starts, cnt) + np.repeat(lo, cnt)
        vals = np.repeat(d, cnt) - self.pair_cost[idx]
        return starts, self.lv.pair_site[idx], vals, d


class _Master:
    """The master LP in HiGHS: columns y (sites) then theta (demand rows)."""

    def __init__(self, lv: Levels, instance: Instance, p: int, verbose: bool) -> None:
        _mute_banner()
        h = highspy.Highs()
        h.setOptionValue("output_flag", bool(verbose))
        h.setOptionValue("presolve", "off")  # re-solved after every round: keep the basis
        m, n_rows = instance.n_sites, lv.weight.size
        self.m, self.n_rows, self.h = m, n_rows, h
        req = instance.required.astype(float)
        head = np.flatnonzero(np.r_[True, lv.row[1:] != lv.row[:-1]])
        zeros = np.zeros(m + n_rows + 1, np.int32)
        h.addCols(
            m + n_rows,
            np.concatenate([np.zeros(m), lv.weight]),
            np.concatenate([req, lv.cost[head]]),
            np.concatenate([np.ones(m), np.full(n_rows, np.inf)]),
            0,
            zeros[: m + n_rows],
            np.zeros(0, np.int32),
            np.zeros(0),
        )
        h.addRows(1, [float(p)], [float(p)], m, [0], np.arange(m, dtype=np.int32), np.ones(m))
        # rows whose last level is not sure to hold an open site need one within reach
        last = np.flatnonzero(lv.last & ~lv.closed)
        if last.size:
            rows = lv.row[last]
            sel = np.isin(lv.row[lv.pair_level], rows)
            pr = np.searchsorted(rows, lv.row[lv.pair_level][sel])
            order = np.argsort(pr, kind="stable")
            cnt = np.bincount(pr, minlength=rows.size)
            starts = np.concatenate([[0], np.cumsum(cnt)[:-1]]).astype(np.int32)
            cols = lv.pair_site[sel][order].astype(np.int32)
            h.addRows(
                rows.size,
                np.ones(rows.size),
                np.full(rows.size, np.inf),
                cols.size,
                starts,
                cols,
                np.ones(cols.size),
            )

    def bound(self, j: int, value: float, upper: float | None = None) -> None:
        """Set y_j's bounds to [value, upper] (upper defaults to value)."""
        self.h.changeColBounds(int(j), float(value), float(value if upper is None else upper))

    def add_cuts(self, rows: np.ndarray, cuts: tuple[np.ndarray, ...]) -> None:
        starts, sites, vals, rhs = cuts
        # interleave theta_i (coefficient 1) at the head of each cut
        new_starts = (starts + np.arange(rows.size)).astype(np.int32)
        idx = np.empty(sites.size + rows.size, np.int32)
        val = np.empty(sites.size + rows.size)
        theta_pos = new_starts
        mask = np.ones(idx.size, bool)
        mask[theta_pos] = False
        idx[theta_pos] = self.m + rows
        val[theta_pos] = 1.0
        idx[mask] = sites
        val[mask] = vals
        self.h.addRows(rows.size, rhs, np.full(rows.size, np.inf), idx.size, new_starts, idx, val)

    def solve(self, time_limit: float | None) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """(value, y, theta, reduced costs of y); raises BackendError if not optimal."""
        h = self.h
        if time_limit is not None:
            h.setOptionValue("time_limit", max(float(time_limit), 1e-3))
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise TimeoutError
        if status == highspy.HighsModelStatus.kInfeasible:
            raise _Infeasible
        if status != highspy.HighsModelStatus.kOptimal:
            raise BackendError(f"highs: Benders master LP ended {h.modelStatusToString(status)}")
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        rc = np.asarray(sol.col_dual)[: self.m]
        return float(h.getInfo().objective_function_value), x[: self.m], x[self.m :], rc


class _Infeasible(Exception):
    """The master LP has no point: no plan serves every demand point."""


def _integral(instance: Instance, max_cost: float | None) -> bool:
    """True when every plan's cost is an integer (integer weights and usable costs)."""
    c = instance.costs if max_cost is None else instance.costs[instance.costs <= max_cost]
    w = instance.weights
    return bool(np.all(c == np.round(c)) and np.all(w == np.round(w)))


def _cost(instance: Instance, open_: np.ndarray, max_cost: float | None) -> tuple[Plan, float]:
    site, cost = nearest_open(instance, open_, max_cost)
    has = site >= 0
    idx = np.flatnonzero(has)
    plan = Plan(open_.copy(), idx, site[has], np.ones(idx.size))
    value = float(instance.weights @ cost) if has.all() else np.inf
    return plan, value


def _restrict(instance: Instance, keep: np.ndarray, required: np.ndarray) -> Instance:
    """The instance over the sites in ``keep`` (``required`` over them kept open)."""
    ok = keep[instance.indices]
    remap = np.cumsum(keep) - 1
    counts = np.bincount(instance.pair_rows[ok], minlength=instance.n_demand)
    return dataclasses.replace(
        instance,
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(instance.indptr.dtype),
        indices=remap[instance.indices[ok]].astype(instance.indices.dtype),
        costs=instance.costs[ok].copy(),
        site_costs=instance.site_costs[keep],
        capacities=instance.capacities[keep],
        required=required[keep],
        site_ids=instance.site_ids[keep],
        site_frame=None,
    )


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.perf_counter()


def benders_pmedian(
    instance: Instance,
    p: int,
    max_cost: float | None,
    backend: ModuleType,
    options: SolveOptions,
    start: Plan | None = None,
    stats: BendersStats | None = None,
) -> tuple[SolverOutput, Plan | None]:
    """Solve the uncapacitated p-median exactly (see the module doc).

    Returns the loop's :class:`~erlocate.backends.base.SolverOutput` (``x`` is
    None) and the best plan. ``stats`` (filled in place) records rounds, cuts,
    fixings and seconds per stage.
    """
    stats = stats if stats is not None else BendersStats()
    t0 = time.perf_counter()
    deadline = None if options.time_limit is None else t0 + float(options.time_limit)
    integral = _integral(instance, max_cost)
    name = f"benders/{backend.NAME}"

    def finish(status_proven: bool, plan: Plan | None, obj: float, bound: float, why: str):
        runtime = stats.lp_seconds + stats.milp_seconds
        if status_proven and (plan is None or not np.isfinite(obj)):
            # proven that no plan beats "no plan": the model is infeasible
            out = classify(
                backend=name,
                x=None,
                objective=None,
                bound=None,
                search_complete=True,
                infeasible=True,
                runtime=runtime,
                termination=why,
                sense="min",
            )
            return out, None
        if plan is None or not np.isfinite(obj):
            out = classify(
                backend=name,
                x=None,
                objective=None,
                bound=bound,
                search_complete=False,
                runtime=runtime,
                termination=why,
                sense="min",
            )
            return out, None
        out = classify(
            backend=name,
            x=np.zeros(0),
            objective=obj,
            bound=min(bound, obj),
            search_complete=status_proven,
            runtime=runtime,
            termination=why,
            sense="min",
        )
        return dataclasses.replace(out, x=None), plan

    # --- incumbent: caller's start, else greedy + interchange
    th = time.perf_counter()
    if start is not None:
        open0 = np.asarray(start.open, bool)
        if (
            open0.shape != (instance.n_sites,)
            or open0.sum() != p
            or np.any(instance.required & ~open0)
        ):
            raise InputError(
                f"warm_start: the starting plan must open exactly p = {p} of the "
                f"{instance.n_sites} sites, required sites included",
                field="warm_start",
            )
        best_plan, ub = _cost(instance, open0, max_cost)
    else:
        best_plan, ub = None, np.inf
    limit = 10.0 if deadline is None else max(0.0, min(10.0, 0.1 * float(options.time_limit)))
    g = pmedian_interchange(
        instance,
        pmedian_greedy(instance, p, max_cost=max_cost),
        max_cost=max_cost,
        time_limit=limit,
    )
    g_plan, g_ub = _cost(instance, g.open, max_cost)
    if g_ub < ub:
        best_plan, ub = g_plan, g_ub
    stats.heuristic_seconds += time.perf_counter() - th

    def proves(lb: float) -> bool:
        """The bound proves the incumbent (integer objectives: ceil(lb) >= ub)."""
        if not np.isfinite(ub):
            return False
        if integral:
            return np.ceil(lb - (SAFETY * abs(lb) + 1e-6)) >= ub - 1e-9
        return lb >= ub - 1e-9 * max(1.0, abs(ub))

    def rounded(lb: float) -> float:
        return float(np.ceil(lb - (SAFETY * abs(lb) + 1e-6))) if integral else lb

    # --- stage 1: LP by cutting planes
    lv = levels(instance, p, max_cost)
    oracle = _Oracle(lv)
    master = _Master(lv, instance, p, options.verbose)
    free = ~instance.required
    y_in = instance.required.astype(float)
    y_in[free] = (p - instance.required.sum()) / max(int(free.sum()), 1)
    khat, _ = oracle.separate(y_in)
    rows = np.arange(lv.weight.size)
    cut = oracle.cuts(rows, khat)
    master.add_cuts(rows, cut)
    stats.cuts += rows.size
    lb, lp_ub = -np.inf, np.inf
    y = theta = rc = None
    try:
        while True:
            tl = time.perf_counter()
            lb, y, theta, rc = master.solve(_left(deadline))
            stats.lp_seconds += time.perf_counter() - tl
            stats.rounds += 1
            if proves(lb):
                break
            khat_lp, val_lp = oracle.separate(y)
            lp_ub = min(lp_ub, float(lv.weight @ val_lp))
            if lp_ub - lb <= 1e-9 * max(1.0, abs(lp_ub)):
                break
            y_sep = ALPHA * y + (1 - ALPHA) * y_in
            khat_s, _ = oracle.separate(y_sep)
            tol = VIOLATION_TOL * (np.abs(theta) + 1.0)
            viol = _violation(oracle, khat_s, y, theta) > tol
            use = khat_s
            if not viol.any():
                viol = val_lp - theta > tol
                use = khat_lp
            if not viol.any():
                break
            sel = np.flatnonzero(viol)
            master.add_cuts(sel, oracle.cuts(sel, use))
            stats.cuts += sel.size
            y_in = 0.5 * (y_in + y)
            if deadline is not None and time.perf_counter() > deadline:
                raise TimeoutError
    except _Infeasible:
        return finish(True, None, np.inf, np.inf, "Benders master LP infeasible")
    except TimeoutError:
        stats.lp_bound = lb
        stats.incumbent = ub
        return finish(
            False,
            best_plan,
            ub,
            rounded(lb) if np.isfinite(lb) else -np.inf,
            "time limit in the Benders LP stage",
        )
    stats.lp_bound = lb
    if not proves(lb) and y is not None:
        # the LP point rounded (its p largest y) and improved is often the optimum
        th = time.perf_counter()
        open_ = instance.required.copy()
        order = np.argsort(-np.where(open_, -np.inf, y), kind="stable")
        open_[order[: p - int(open_.sum())]] = True
        r = pmedian_interchange(
            instance, Plan(open_, *_empty()), max_cost=max_cost, time_limit=limit
        )
        r_plan, r_ub = _cost(instance, r.open, max_cost)
        if r_ub < ub:
            best_plan, ub = r_plan, r_ub
        stats.heuristic_seconds += time.perf_counter() - th
    stats.incumbent = ub
    if proves(lb):
        return finish(True, best_plan, ub, ub, "Benders LP bound proves the incumbent")

    # --- stage 2: reduced-cost fixing against the incumbent
    target = ub - 1.0 if integral else ub
    slack = SAFETY * abs(ub) + 1e-6
    zero = free & (y <= 1e-9) & (lb + rc - slack > target)
    one = free & (y >= 1 - 1e-9) & (lb - rc - slack > target)
    for j in np.flatnonzero(zero):
        master.bound(j, 0.0)
    for j in np.flatnonzero(one):
        master.bound(j, 1.0)
    # probing: force y_j to one value and re-run the cutting planes; a forced LP that
    # cannot get below the target proves the other value for every better plan
    budget = None if deadline is None else time.perf_counter() + 0.3 * max(_left(deadline), 0)
    order = np.argsort(-np.where(free & ~zero & ~one, rc - 1e3 * y, -np.inf), kind="stable")
    try:
        for j in order[: int(np.sum(free & ~zero & ~one))]:
            if budget is not None and time.perf_counter() > budget:
                break
            for value in (1.0, 0.0):
                if (value == 1.0 and y[j] >= 1 - 1e-9) or (value == 0.0 and y[j] <= 1e-9):
                    continue
                tl = time.perf_counter()
                beyond = _probe(master, oracle, j, value, target + slack, deadline)
                stats.lp_seconds += time.perf_counter() - tl
                stats.probes += 1
                if beyond:
                    (one if value == 0.0 else zero)[j] = True
                    master.bound(j, 1.0 - value)
                    break
    except _Infeasible:
        # fixings leave no better plan at all
        return finish(True, best_plan, ub, ub, "Benders probing leaves no better plan")
    except TimeoutError:
        pass
    stats.fixed_zero, stats.fixed_one = int(zero.sum()), int(one.sum())
    keep = ~zero
    required = instance.required | one
    sub = _restrict(instance, keep, required)
    if np.any(np.diff(sub.indptr) == 0):
        # some demand point reaches no site a better plan may open: none exists
        return finish(True, best_plan, ub, ub, "Benders fixing leaves no better plan")

    # --- stage 3: the restricted radius MILP on the chosen backend
    milp = build_radius(sub, p, max_cost)
    stats.restricted = {
        "rows": milp.n_rows,
        "cols": milp.n_cols,
        "int_cols": int(milp.integrality.sum()),
        "nnz": milp.nnz,
    }
    x0 = None
    if best_plan is not None and not np.any(best_plan.open & zero) and np.all(best_plan.open[one]):
        x0 = encode_radius(sub, milp, _sub_plan(best_plan, keep), p, max_cost)
    left = _left(deadline)
    tm = time.perf_counter()
    out = backend.solve(milp, dataclasses.replace(options, time_limit=left, warm_start=x0))
    stats.milp_seconds += time.perf_counter() - tm
    bound_r = out.bound
    if out.x is not None:
        open_sub = decode_radius(sub, milp, out.x, max_cost).open
        open_ = np.zeros(instance.n_sites, bool)
        open_[np.flatnonzero(keep)[open_sub]] = True
        plan_r, val_r = _cost(instance, open_, max_cost)
        if val_r < ub:
            best_plan, ub = plan_r, val_r
    stats.incumbent = ub
    if out.status == "infeasible":
        return finish(True, best_plan, ub, ub, "restricted MILP infeasible: incumbent optimal")
    proven = out.status == "optimal"
    bound = ub if proven else max(rounded(lb), min(ub, bound_r if bound_r is not None else lb))
    return finish(
        proven,
        best_plan,
        ub,
        rounded(bound) if not proven else ub,
        f"restricted MILP: {out.termination}",
    )


def _probe(
    master: _Master,
    oracle: _Oracle,
    j: int,
    value: float,
    target: float,
    deadline: float | None,
) -> bool:
    """True when the master LP with y_j = value, cut until it converges, exceeds ``target``.

    Cuts found on the way are valid everywhere and stay; the bounds are restored.
    """
    master.bound(j, value)
    try:
        while True:
            try:
                lb, y, theta, _ = master.solve(_left(deadline))
            except _Infeasible:
                return True
            if lb > target:
                return True
            khat, val = oracle.separate(y)
            viol = val - theta > VIOLATION_TOL * (np.abs(theta) + 1.0)
            if not viol.any():
                return False
            sel = np.flatnonzero(viol)
            master.add_cuts(sel, oracle.cuts(sel, khat))
            if deadline is not None and time.perf_counter() > deadline:
                raise TimeoutError
    finally:
        master.bound(j, 0.0, 1.0)


def _violation(oracle: _Oracle, khat: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """How much each row's cut at level ``khat`` is violated by (y, theta)."""
    rows = np.arange(khat.size)
    starts, sites, vals, rhs = oracle.cuts(rows, khat)
    cnt = np.diff(np.append(starts, sites.size))
    lhs = np.bincount(np.repeat(rows, cnt), weights=vals * y[sites], minlength=rows.size)
    return rhs - lhs - theta


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)


def _sub_plan(plan: Plan, keep: np.ndarray) -> Plan:
    return Plan(plan.open[keep], *_empty())
