"""The depot model by Benders decomposition over scenarios and categories (exact).

The direct MILP (:mod:`~erlocate.planning.depots.formulation`) has one flow
column per (scenario, community, depot, category): 126,799 on the district's
114 communities, two million with 16 points per community. Given the first
stage (open depots :math:`x`, stock :math:`S`, reserves :math:`R`) the
scenarios and categories separate into transportation problems
(:mod:`~erlocate.planning.depots.transport`), so the master keeps only the
first stage and one epigraph variable :math:`\\theta_{sk}` per (scenario,
category) with a positive need:

.. math::

    \\min\\ \\text{first-stage cost} + \\mathop{\\mathbb{E}_s \\text{ or } \\max_s}
    \\sum_k \\theta_{sk}\\quad\\text{s.t. the first-stage rows, and}\\quad
    \\theta_{sk} \\ge \\rho v_k\\big[L_{sk}(p, q) - p \\cdot S_{\\cdot k} - q \\cdot R\\big]

for the price vectors :math:`(p, q)` found so far (Lagrangian cuts, valid for
every price, so each category's prices also cut every other category of its
scenario), plus :math:`\\sum_j S_{jk} + \\sum_{c \\to k} R_c \\ge \\sum_i d_{isk}`
(the need must fit into what reaches it; :mod:`~erlocate.planning.depots.master`).
The master LP (HiGHS, rows added in place) is cut first with the prices of
small LPs over k-means groups of demand nodes (cheap, valid, not tight), then
with the full transport LPs' prices at a point between its solution and the
centre of the past ones (in-out stabilisation) until its cuts hold; then the
master MILP (``backend``) is solved and cut until its bound meets the best
plan found (relative gap ``mip_gap``, default 1e-6). Each master solution with
whole :math:`x` is a plan: its true cost is its
first-stage cost plus the transport LPs' optimal values, so the loop ends
with a plan and a proven lower bound from the master. The plan's flows are
the transport LPs' at the best first stage; the verifier re-checks them from
the data as for the direct MILP.

Reference: Benders, J.F. (1962). Partitioning procedures for solving mixed-variables
programming problems. *Numerische Mathematik* 4, 238–252; Van Slyke, R.M. & Wets, R.
(1969). L-shaped linear programs. *SIAM J. Applied Mathematics* 17(4), 638–663;
Ben-Ameur, W. & Neto, J. (2007). Acceleration of cutting-plane and column generation
algorithms. *Networks* 49(1), 3–17 (the in-out separation point).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import highspy
import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import OPTIMAL_GAP, SolveOptions, SolverOutput
from erlocate.backends.highs import run as hrun
from erlocate.backends.highs import set_option, to_highs
from erlocate.backends.protocol import Backend
from erlocate.decomposition.loop import LoopOutput
from erlocate.errors import InfeasibleError, InputError
from erlocate.milp import Milp
from erlocate.planning.depots.data import DepotData
from erlocate.planning.depots.formulation import flows_of, plan_of
from erlocate.planning.depots.master import Master
from erlocate.planning.depots.plan import DepotPlan
from erlocate.planning.depots.transport import GROUPS, Answer, ScenarioTransport, cost_groups
from erlocate.solve import milp_size

__all__ = ["DIRECT_LIMIT", "flow_columns", "solve_benders", "solve_loop"]

#: ``method="auto"`` decomposes when the direct MILP would have more flow columns
#: (the district: 126k at 1 point per community, 2.0 M at 16; see
#: docs/benchmarks/district-scale.md for the times of both methods).
DIRECT_LIMIT = 400_000

NO_FIRST_STAGE = (
    "Depots: the first-stage rules (tier and unit rules, capacities, the need of every "
    "scenario and category within reach) admit no plan"
)
#: A cut is added when the transport LP exceeds its epigraph by this share (and 1e-6 yuan).
VIOLATION = 1e-9


def flow_columns(d: DepotData) -> int:
    """Flow columns the direct MILP would have (without aggregation): sum over scenarios of
    reachable (community, site) pairs with a need × categories with a need."""
    total = 0
    for s in range(len(d.scen)):
        rows, cols = d.nets[s].pair_rows, d.nets[s].indices
        need = d.demand[s].sum(axis=1) > 0
        total += int(np.sum(need[rows] & d.allowed[cols])) * int((d.demand[s] > 0).any(0).sum())
    return total


@dataclass
class Incumbent:
    """The best first stage so far, its cost and its transport answers."""

    value: float
    open_: np.ndarray
    stock: np.ndarray
    reserve: np.ndarray
    answers: dict[tuple[int, int], Answer]


def solve_loop(
    d: DepotData, backend: Backend, options: SolveOptions, start: DepotPlan | None
) -> LoopOutput | None:
    """The Benders loop when ``method`` asks for it (or ``"auto"`` finds the direct MILP
    large), else None (the direct MILP). InputError for ``"benders"`` without transport."""
    method = d.params.method
    if method == "direct":
        return None
    if d.params.transport_rate == 0:
        if method == "benders":
            raise InputError(
                "method: 'benders' decomposes the transport costs, and transport_rate is 0; "
                "use method='direct' (exact aggregation makes it small)",
                field="method",
            )
        return None
    if method == "auto" and flow_columns(d) <= DIRECT_LIMIT:
        return None
    return solve_benders(d, backend, options, start)


def solve_benders(
    d: DepotData, backend: Backend, options: SolveOptions, start: DepotPlan | None = None
) -> LoopOutput:
    """Solve the depot model by Benders decomposition (module docstring); ``backend`` solves
    the master MILPs, HiGHS the master LPs and the transport LPs. ``start`` is not used
    (the master LPs find a first plan in their first rounds)."""
    t0 = time.perf_counter()
    deadline = None if options.time_limit is None else t0 + options.time_limit
    target = OPTIMAL_GAP if options.mip_gap is None else float(options.mip_gap)
    subs = [ScenarioTransport(d, s) for s in range(len(d.scen))]
    master = Master(d, subs)
    m, C = d.cap.size, d.c_cap.size
    for t, (s, k) in enumerate(master.pairs):  # zero prices: every unit from its nearest depot
        master.pool.add(t, subs[s].cuts(np.zeros(m), np.zeros(C), k, np.array([k]))[0])
    workers = max(1, min(options.threads or os.cpu_count() or 1, len(subs)))
    run = Run(d, master, subs, deadline, workers)
    if any(sub.size > GROUPS for sub in subs):  # cheap cuts from the aggregated LPs first
        run.coarse = [sub.aggregated(cost_groups(sub.hours)) for sub in subs]
        run.lp_phase(target)
        run.coarse = None
    lb_lp = run.lp_phase(target)
    if run.closed(lb_lp, target):
        return run.output(lb_lp, None)
    return run.milp_phase(backend, options, target, lb_lp)


class Run:
    """The state of one Benders run: master, transport LPs, best plan, time spent."""

    def __init__(
        self,
        d: DepotData,
        master: Master,
        subs: list[ScenarioTransport],
        deadline: float | None,
        workers: int = 1,
    ) -> None:
        self.d, self.master, self.subs, self.deadline = d, master, subs, deadline
        self.workers = workers
        #: aggregated transport LPs: cuts from their prices, no plans
        self.coarse: list[ScenarioTransport] | None = None
        self.best: Incumbent | None = None
        self.rounds = 0
        self.started = time.perf_counter()  # solving: masters and transport LPs from here
        self.milp: Milp | None = None
        self.backend = "highs"

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.perf_counter()

    def point(self, milp: Milp, x: np.ndarray) -> tuple[np.ndarray, ...]:
        """(open, stock (m, K), reserve, epigraphs) of a master column vector."""
        d, mst = self.d, self.master
        stock = np.zeros((d.cap.size, d.cats.size))
        stock[mst.sj, mst.sk] = np.maximum(milp.block(x, "stock"), 0.0)
        reserve = np.clip(milp.block(x, "reserve"), 0.0, d.c_cap)
        return milp.block(x, "open"), stock, reserve, milp.block(x, "transport")

    def separate(
        self, xv: np.ndarray, stock: np.ndarray, reserve: np.ndarray, theta: np.ndarray
    ) -> int:
        """Transport LPs at one first stage: cuts added, incumbent updated when ``xv`` is whole."""
        whole = bool(np.all(np.abs(xv - np.round(xv)) < 1e-6))
        if whole:  # a plan: nothing at closed sites
            xv = np.round(xv)
            stock = stock * (xv > 0.5)[:, None]
        answers, added = _cut_round(
            self.master, self.subs, stock, reserve, theta, self.coarse, self.workers
        )
        if self.coarse is None and whole:
            open_ = xv > 0.5
            value = _true_cost(self.d, open_, stock, reserve, answers)
            if np.isfinite(value) and (self.best is None or value < self.best.value):
                self.best = Incumbent(value, open_, stock, reserve, answers)
        return added

    def lp_phase(self, target: float, weight: float = 0.5) -> float:
        """Cut the master LP until its cuts hold (in-out stabilised); its bound."""
        milp = self.master.build(relax=True)
        pos, pk, res, theta_cols = self.master.columns(milp)
        h = to_highs(milp)
        lb, core, done = -np.inf, None, len(self.master.pool.t)
        while (left := self.left()) is None or left > 0:
            if left is not None:
                set_option(h, "time_limit", max(left, 1e-3))
            hrun(h, what="depot Benders master LP")
            self.rounds += 1
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
                    raise InfeasibleError(NO_FIRST_STAGE)
                break
            x = np.asarray(h.getSolution().col_value)
            lb = float(h.getInfo().objective_function_value)
            if self.closed(lb, target):
                break
            xv, stock, reserve, theta = self.point(milp, x)
            here = np.r_[xv, stock.ravel(), reserve]
            mix = here if core is None else weight * here + (1 - weight) * core
            added = 0
            if core is not None:  # in-out: cut between the LP point and the core first
                sv = mix[xv.size : xv.size + stock.size].reshape(stock.shape)
                added = self.separate(mix[: xv.size], sv, mix[xv.size + stock.size :], theta)
            if added == 0:
                added = self.separate(xv, stock, reserve, theta)
                if added == 0:
                    break
            core = here if core is None else 0.5 * (core + here)
            rows, cols, vals, lo = self.master.cut_rows(done, pos, pk, res, theta_cols)
            done = len(self.master.pool.t)
            a = sp.csr_array((vals, (rows, cols)), shape=(lo.size, milp.n_cols))
            h.addRows(lo.size, lo, np.full(lo.size, np.inf), a.nnz, a.indptr, a.indices, a.data)
        return lb

    def milp_phase(
        self, backend: Backend, options: SolveOptions, target: float, lb: float
    ) -> LoopOutput:
        """Solve and cut the master MILP until its bound meets the best plan."""
        last = None
        while (left := self.left()) is None or left > 0:
            milp = self.master.build(relax=False)
            out = backend.solve(milp, replace(options, time_limit=left, warm_start=None))
            self.rounds += 1
            self.backend, self.milp, last = out.backend, milp, out
            if out.x is None:
                if out.status == "infeasible":
                    raise InfeasibleError(NO_FIRST_STAGE)
                break
            lb = max(lb, float(out.bound if out.bound is not None else -np.inf))
            xv, stock, reserve, theta = self.point(milp, out.x)
            if self.d.params.integer_stock:
                stock = np.round(stock)
            self.separate(xv, stock, reserve, theta)
            if self.closed(lb, target):
                break
        return self.output(lb, last)

    def output(self, lb: float, last: SolverOutput | None) -> LoopOutput:
        """The loop's answer: the best plan (flows from its transport LPs), bound, gap, status."""
        milp = self.milp if self.milp is not None else self.master.build(relax=False)
        return _output(
            self.d,
            self.master,
            self.best,
            lb,
            time.perf_counter() - self.started,
            self.rounds,
            self.backend,
            milp,
        )

    def closed(self, lb: float, target: float) -> bool:
        """The best plan is within ``target`` (relative) of the bound ``lb``."""
        return self.best is not None and self.best.value - lb <= target * max(
            1.0, abs(self.best.value)
        )


def _cut_round(
    master: Master,
    subs: list[ScenarioTransport],
    stock: np.ndarray,
    reserve: np.ndarray,
    theta: np.ndarray,
    coarse: list[ScenarioTransport] | None = None,
    workers: int = 1,
) -> tuple[dict[tuple[int, int], Answer], int]:
    """Solve every transport LP at the master's first stage (the aggregated ones with
    ``coarse``) and add the cuts of its prices the point violates (on every category of
    its scenario). Scenarios run in ``workers`` threads (HiGHS releases the GIL)."""
    open_ = stock.sum(axis=1) > 0
    index = {pair: t for t, pair in enumerate(master.pairs)}
    cats = [np.array([k for s2, k in master.pairs if s2 == s]) for s in range(len(subs))]

    def scenario(s: int) -> list[tuple[int, Answer, list[tuple[float, np.ndarray, np.ndarray]]]]:
        lp = subs[s] if coarse is None else coarse[s]
        out = []
        for k in cats[s]:
            ans = lp.solve(k, stock[:, k], reserve, open_)
            out.append((int(k), ans, subs[s].cuts(ans.p, ans.q, int(k), cats[s])))
        return out

    if workers > 1:
        with ThreadPoolExecutor(workers) as ex:
            done = list(ex.map(scenario, range(len(subs))))
    else:
        done = [scenario(s) for s in range(len(subs))]
    answers: dict[tuple[int, int], Answer] = {}
    added = 0
    for s, results in enumerate(done):
        for k, ans, cuts in results:
            answers[(s, k)] = ans
            for k2, cut in zip(cats[s], cuts, strict=True):
                t2 = index[(s, int(k2))]
                lhs = cut[0] - cut[1] @ stock[:, k2] - cut[2] @ reserve
                if lhs > theta[t2] + VIOLATION * abs(lhs) + 1e-6:
                    master.pool.add(t2, cut)
                    added += 1
    return answers, added


def _true_cost(
    d: DepotData,
    open_: np.ndarray,
    stock: np.ndarray,
    reserve: np.ndarray,
    answers: dict[tuple[int, int], Answer],
) -> float:
    """First-stage cost plus the expected or worst transport (inf if a need is unmet)."""
    first = float(d.fixed @ open_ + np.sum(stock * d.holding) + reserve @ d.c_retainer)
    per = np.zeros(len(d.scen))
    for (s, _), ans in answers.items():
        per[s] += ans.value
    if not np.all(np.isfinite(per)):
        return np.inf
    return first + (float(per.max()) if d.params.transport == "worst" else float(d.prob @ per))


def _output(
    d: DepotData,
    master: Master,
    best: Incumbent | None,
    lb: float,
    runtime: float,
    rounds: int,
    backend: str,
    milp: Milp,
) -> LoopOutput:
    """The loop's answer: the best plan (flows from its transport LPs), bound, gap, status."""
    size = {**milp_size(milp), "rounds": rounds}
    if best is None:  # stopped before any plan: the master's bound still holds
        bound = lb if np.isfinite(lb) else None
        out = SolverOutput("no_solution", None, None, bound, None, runtime, "no plan", backend)
        return LoopOutput(out, None, size)
    parts: dict[str, list[list[np.ndarray]]] = {"f": [], "g": []}
    for (s, k), ans in best.answers.items():
        for key, (i, j, a) in (("f", ans.flows), ("g", ans.contract_flows)):
            parts[key].append([np.full(i.size, s), i, j, np.full(i.size, k), a])
    plan = plan_of(
        d, best.open_, best.stock, best.reserve, flows_of(parts["f"]), flows_of(parts["g"])
    )
    gap = max(0.0, best.value - lb) / max(abs(best.value), 1e-10)
    done = gap <= OPTIMAL_GAP
    status = "optimal" if done else "feasible"
    why = f"Benders: {rounds} master solves, {len(master.pool.t)} cuts"
    why += "" if done else f"; stopped at gap {gap:.2e}"
    out = SolverOutput(status, None, best.value, min(lb, best.value), gap, runtime, why, backend)
    return LoopOutput(out, plan, size)
