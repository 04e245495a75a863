"""The two halves of the p-median Benders loop: the closed-form cut oracle and the master.

:class:`CutOracle` separates the optimality cuts of every demand row at once
(vectorised over the radius levels of :func:`erlocate.models.pmedian_radius.levels`);
:class:`Master` holds the master problem in HiGHS (``highspy``), re-solved
with a warm basis as cuts and fixings arrive, first as an LP, then as a MILP.
"""

from __future__ import annotations

import highspy
import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import SolveOptions
from erlocate.backends.highs import new_highs, run, set_option
from erlocate.deadline import Deadline
from erlocate.errors import BackendError
from erlocate.instance import Instance
from erlocate.models.pmedian_radius import Levels

__all__ = [
    "CUT_CAP",
    "VIOLATION_TOL",
    "CutOracle",
    "Master",
    "MasterInfeasible",
    "theta_floor",
    "top_rows",
    "violated",
]

#: A level counts as holding an open site when its cumulative y reaches 1 - this.
REACH_TOL = 1e-9
#: A cut is added when it cuts the point off by more than this times (|theta| + 1).
VIOLATION_TOL = 1e-7
#: Cuts the LP stage adds per round at most (the most violated first): the first
#: master LP of 20,000 rows with one cut each (2 M nonzeros) did not finish.
CUT_CAP = 2_000
#: ``HighsInfo.primal_solution_status`` value meaning "a feasible point is held".
_FEASIBLE_POINT = 2
_MS = highspy.HighsModelStatus


class MasterInfeasible(Exception):
    """The master has no point: no plan (within the fixings) serves every demand point."""


class CutOracle:
    """Closed-form separation over the distance levels of each demand row (all rows at once).

    For a point ``y``, row i's most violated cut is at the level k̂ where the
    sum of ``y`` over sites within ``D_i^k`` first reaches 1; its value there is
    the cost of row i in the LP subproblem.
    """

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

    @property
    def n_rows(self) -> int:
        return self.head.size

    def _within_row(self, per_level: np.ndarray) -> np.ndarray:
        total = np.cumsum(per_level)
        return total - np.repeat(total[self.head] - per_level[self.head], self.span)

    def separate(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(level k̂ per row, subproblem cost per row) at ``y``.

        For binary ``y`` the cost is the row's distance to its nearest open site.
        """
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
        cnt = self.lvl_begin[k] - lo
        starts = np.cumsum(cnt) - cnt
        idx = np.arange(int(cnt.sum())) - np.repeat(starts, cnt) + np.repeat(lo, cnt)
        vals = np.repeat(d, cnt) - self.pair_cost[idx]
        return starts, self.lv.pair_site[idx], vals, d


def violated(oracle: CutOracle, khat: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Per row, by how much its cut at level ``khat`` cuts (y, theta) off beyond the tolerance.

    Positive entries are the violated cuts (see :data:`VIOLATION_TOL`).
    """
    rows = np.arange(khat.size)
    starts, sites, vals, rhs = oracle.cuts(rows, khat)
    cnt = np.diff(np.append(starts, sites.size))
    lhs = np.bincount(np.repeat(rows, cnt), weights=vals * y[sites], minlength=rows.size)
    return rhs - lhs - theta - VIOLATION_TOL * (np.abs(theta) + 1.0)


def theta_floor(oracle: CutOracle) -> np.ndarray:
    """Each row's theta lower bound in the master: its first level's cost ``D_i^1``."""
    return oracle.lv.cost[oracle.head]


def top_rows(score: np.ndarray, cap: int) -> np.ndarray:
    """Sorted indices of the (at most ``cap``) largest positive entries of ``score``.

    The LP stage adds the cuts of these rows only; it ends when no row's cut is
    violated at the LP point, so the bound is that of the LP with every cut.
    """
    pos = np.flatnonzero(score > 0)
    if pos.size > cap:
        pos = np.sort(pos[np.argpartition(-score[pos], cap - 1)[:cap]])
    return pos


class Master:
    """The master problem in HiGHS: columns y (sites), then theta (demand rows).

    ``min sum_i w_i theta_i`` s.t. ``sum_j y_j = p``, ``theta_i >= D_i^1``, the
    reach rows of demand rows whose last level may hold no open site, and the cuts.
    """

    def __init__(
        self,
        lv: Levels,
        instance: Instance,
        p: int,
        verbose: bool = False,
        threads: int | None = None,
    ) -> None:
        h = new_highs(verbose)
        self.verbose = verbose
        set_option(h, "presolve", "off")  # re-solved after every round: keep the basis
        #: The ``threads`` of every run, LP and MILP alike (None: HiGHS' default).
        self.threads = threads
        if threads is not None:
            set_option(h, "threads", int(threads))
        m, n_rows = instance.n_sites, lv.weight.size
        self.m, self.n_rows, self.h = m, n_rows, h
        self.n_cuts = 0
        head = np.flatnonzero(np.r_[True, lv.row[1:] != lv.row[:-1]])
        h.addCols(
            m + n_rows,
            np.concatenate([np.zeros(m), lv.weight]),
            np.concatenate([instance.required.astype(float), lv.cost[head]]),
            np.concatenate([np.ones(m), np.full(n_rows, np.inf)]),
            0,
            np.zeros(m + n_rows, np.int32),
            np.zeros(0, np.int32),
            np.zeros(0),
        )
        h.addRows(1, [float(p)], [float(p)], m, [0], np.arange(m, dtype=np.int32), np.ones(m))
        last = np.flatnonzero(lv.last & ~lv.closed)
        rows = lv.row[last]
        pair_row = lv.row[lv.pair_level]
        sel = np.isin(pair_row, rows)
        local = np.searchsorted(rows, pair_row[sel])
        order = np.argsort(local, kind="stable")
        cnt = np.bincount(local, minlength=rows.size)
        cols = lv.pair_site[sel][order].astype(np.int32)
        indptr = np.append(np.cumsum(cnt) - cnt, cols.size)
        #: Reach rows sum_{j near i} y_j >= 1 of the rows whose last level may hold
        #: no open site (a covering LP of 2 M nonzeros at 20,000 × 1,000): added lazily.
        self.reach = sp.csr_array((np.ones(cols.size), cols, indptr), shape=(rows.size, m))
        self.reach_left = np.ones(rows.size, bool)

    def repair(self, y: np.ndarray | None, cap: int) -> int:
        """Add the (at most ``cap``) reach rows ``y`` violates most; all left when ``y`` is None.

        Returns how many were added: 0 means ``y`` satisfies every reach row.
        """
        short = np.where(self.reach_left, 1.0 - (self.reach @ y if y is not None else 0.0), 0.0)
        sel = top_rows(short - REACH_TOL, cap if y is not None else short.size)
        if sel.size:
            sub = self.reach[sel]
            self.h.addRows(
                sel.size,
                np.ones(sel.size),
                np.full(sel.size, np.inf),
                sub.nnz,
                sub.indptr[:-1].astype(np.int32),
                sub.indices.astype(np.int32),
                sub.data,
            )
            self.reach_left[sel] = False
        return int(sel.size)

    def bound(self, j: int, lower: float, upper: float | None = None) -> None:
        """Set y_j's bounds to [lower, upper] (upper defaults to lower: a fixing)."""
        self.h.changeColBounds(int(j), float(lower), float(lower if upper is None else upper))

    def add_cuts(self, rows: np.ndarray, cuts: tuple[np.ndarray, ...]) -> None:
        """Add the cuts of ``rows`` (from :meth:`CutOracle.cuts`)."""
        starts, sites, vals, rhs = cuts
        heads = (starts + np.arange(rows.size)).astype(np.int32)  # theta_i leads each row
        idx = np.empty(sites.size + rows.size, np.int32)
        val = np.empty(idx.size)
        body = np.ones(idx.size, bool)
        body[heads] = False
        idx[heads], val[heads] = self.m + rows, 1.0
        idx[body], val[body] = sites, vals
        self.h.addRows(rows.size, rhs, np.full(rows.size, np.inf), idx.size, heads, idx, val)
        self.n_cuts += rows.size

    def _limit(self, deadline: Deadline) -> None:
        left = deadline.remaining()
        if left is not None:
            if deadline.expired():
                raise TimeoutError
            # HiGHS counts time_limit over all runs of this object, not from this run
            set_option(self.h, "time_limit", self.h.getRunTime() + left)

    def solve_lp(self, deadline: Deadline) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """(value, y, theta, reduced costs of y) of the master LP."""
        h = self.h
        self._limit(deadline)
        run(h, self.threads, "the Benders master LP")
        return self._lp_result(h.getModelStatus())

    def passes(self, deadline: Deadline, target: float) -> bool | None:
        """True when the master LP's value exceeds ``target`` (or it has no point).

        The dual simplex stops as soon as its dual objective (a bound, rising
        from a dual feasible start: fixings and cuts keep the basis dual
        feasible) passes ``target`` (HiGHS' ``objective_bound``). None when the
        LP is solved to its optimum at or below ``target``: then the caller
        re-cuts it from :meth:`solve_lp`'s point (no extra solve: it is optimal).
        """
        h = self.h
        self._limit(deadline)
        set_option(h, "objective_bound", float(target))
        try:
            run(h, self.threads, "the Benders master LP")
        finally:
            set_option(h, "objective_bound", np.inf)
        status = h.getModelStatus()
        if status in (_MS.kObjectiveBound, _MS.kInfeasible):
            return True
        value = self._lp_result(status)[0]
        return True if value > target else None

    def point(self) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """(value, y, theta, reduced costs of y) of the LP just solved to its optimum."""
        return self._lp_result(self.h.getModelStatus())

    def _lp_result(
        self, status: highspy.HighsModelStatus
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        h = self.h
        if status == _MS.kTimeLimit:
            raise TimeoutError
        if status == _MS.kInfeasible:
            raise MasterInfeasible
        if status != _MS.kOptimal:
            raise BackendError(f"highs: Benders master LP ended {h.modelStatusToString(status)}")
        sol = h.getSolution()
        x = np.asarray(sol.col_value)
        rc = np.asarray(sol.col_dual)[: self.m]
        return float(h.getInfo().objective_function_value), x[: self.m], x[self.m :], rc

    def cap(self, weights: np.ndarray, value: float) -> None:
        """Keep only points with sum_i w_i theta_i <= value (one row, updated in place).

        With the cap at the incumbent's value less the objective's granularity, the
        master MILP searches strictly better plans only and prunes everything else.
        """
        if getattr(self, "_cap_row", None) is None:
            self._cap_row = self.h.getNumRow()
            cols = np.arange(self.m, self.m + self.n_rows, dtype=np.int32)
            self.h.addRows(1, [-np.inf], [float(value)], cols.size, [0], cols, weights)
        else:
            self.h.changeRowBounds(self._cap_row, -np.inf, float(value))

    def to_mip(self, options: SolveOptions) -> None:
        """Make y binary and set the MILP options (gap, threads, seed)."""
        h, m = self.h, self.m
        self.repair(None, 0)  # the MILP's plans must serve every row
        h.changeColsIntegrality(
            m, np.arange(m, dtype=np.int32), np.full(m, highspy.HighsVarType.kInteger)
        )
        #: Options of every MILP run (each on a fresh object, :meth:`fresh_milp`).
        self.mip_options: dict[str, bool | float | str] = {
            "presolve": "on",
            "mip_rel_gap": float(options.gap),
        }
        self.threads = options.threads
        if options.threads is not None:
            self.mip_options["threads"] = int(options.threads)
        if options.seed is not None:
            self.mip_options["random_seed"] = int(options.seed) % 2_147_483_647

    def fresh_milp(self, deadline: Deadline) -> highspy.Highs:
        """A new HiGHS object holding this master (cuts, fixings, cap) as a MILP.

        The LP object's clock has run through every LP round; HiGHS hands its
        sub-MIP heuristics a time limit measured from their own start, so an
        absolute limit on that clock let a 600 s run go on for 10+ minutes. A
        fresh object's clock starts at zero: its limit is the time left.
        """
        if deadline.expired():
            raise TimeoutError
        left = deadline.remaining()
        h = new_highs(self.verbose)
        for name, value in self.mip_options.items():
            set_option(h, name, value)
        if left is not None:
            set_option(h, "time_limit", float(left))
        h.passModel(self.h.getModel())
        return h

    def solve_mip(
        self, deadline: Deadline, start: np.ndarray | None
    ) -> tuple[bool, float, np.ndarray | None, np.ndarray | None, str]:
        """(finished, bound, y, theta, status words) of the master MILP.

        ``finished``: HiGHS closed the search (then ``bound`` is the optimum of this
        master). ``y``/``theta`` are None when HiGHS holds no point.
        """
        h = self.fresh_milp(deadline)
        if start is not None:
            h.setSolution(start.size, np.arange(start.size, dtype=np.int32), start)
        run(h, self.threads, "the Benders master MILP")
        status = h.getModelStatus()
        if status == _MS.kInfeasible:
            raise MasterInfeasible
        info = h.getInfo()
        finished = status == _MS.kOptimal
        bound = float(info.objective_function_value if finished else info.mip_dual_bound)
        if not np.isfinite(bound):
            bound = -np.inf
        words = h.modelStatusToString(status)
        if info.primal_solution_status != _FEASIBLE_POINT:
            return finished, bound, None, None, words
        x = np.asarray(h.getSolution().col_value)
        return finished, bound, np.round(x[: self.m]), x[self.m :], words
