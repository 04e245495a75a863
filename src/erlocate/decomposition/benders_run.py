"""The state and stages of one Benders p-median run (driven by :mod:`.pmedian_benders`).

:class:`BendersRun` holds the incumbent, the bounds and the fixings, and runs
the stages the driver :func:`~erlocate.decomposition.pmedian_benders.benders_pmedian`
calls in order: incumbent, LP by cutting planes, fixing (reduced costs and
probing), then the master MILP (HiGHS) or the restricted radius MILP (any backend).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from erlocate.backends.base import SolverOutput, classify, tighten_bound
from erlocate.deadline import Deadline
from erlocate.decomposition.benders_master import (
    CUT_CAP,
    VIOLATION_TOL,
    CutOracle,
    Master,
    theta_floor,
    top_rows,
    violated,
)
from erlocate.decomposition.benders_probe import MISS_RUN, probe, probe_order
from erlocate.decomposition.benders_restrict import restrict_sites
from erlocate.errors import InputError
from erlocate.heuristics import pmedian_greedy, pmedian_interchange
from erlocate.models.blocks import Pairs
from erlocate.models.bounds import assignment_bound
from erlocate.models.pmedian_radius import build_radius, decode_radius, encode_radius
from erlocate.plan import Plan, nearest_open

__all__ = [
    "ALPHA",
    "PASS_GAIN",
    "PROBE_SHARE",
    "ROUNDINGS",
    "ROUND_MISSES",
    "SAFETY",
    "BendersRun",
    "BendersStats",
    "empty_plan",
]

#: Relative margin on LP values before they prove or fix anything (HiGHS' LP
#: tolerances are 1e-7; an integer rounding of a bound must not rest on them).
SAFETY = 1e-7
#: Share of the remaining time that probing may use.
PROBE_SHARE = 0.3
#: Another fixing pass runs only when the re-cut LP closed this share of the gap to the target.
PASS_GAIN = 0.1
#: Random roundings of the LP point tried at most, and in a row without improvement.
ROUNDINGS, ROUND_MISSES = 32, 8
#: Weight of the LP optimum in the separation point (the rest on the core point).
ALPHA = 0.5


@dataclasses.dataclass
class BendersStats:
    """What the loop did: rounds (LP and MILP solves), cuts, fixings, seconds per stage."""

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

    def as_size(self) -> dict[str, float]:
        """The counts, as ``Result.milp_size`` reports them."""
        size: dict[str, float] = {
            "benders_rounds": self.rounds,
            "benders_cuts": self.cuts,
            "fixed_zero": self.fixed_zero,
            "fixed_one": self.fixed_one,
            "probes": self.probes,
        }
        size.update({f"restricted_{k}": v for k, v in self.restricted.items()})
        return size


def empty_plan(open_: np.ndarray) -> Plan:
    """A plan with these open flags and no allocation (a heuristic's input)."""
    return Plan(open_, np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))


class BendersRun:
    """One solve: the data, the incumbent and the bounds shared by the stages."""

    def __init__(self, instance, p, max_cost, backend, options, stats) -> None:
        self.instance, self.p, self.max_cost = instance, p, max_cost
        self.backend, self.options, self.stats = backend, options, stats
        self.deadline = Deadline.after(options.time_limit)
        c = instance.costs if max_cost is None else instance.costs[instance.costs <= max_cost]
        w = instance.weights
        self.integral = bool(np.all(c == np.round(c)) and np.all(w == np.round(w)))
        pairs = Pairs(instance, max_cost)
        # every plan pays each point's weight × nearest usable cost (the model's own bound)
        self.known = assignment_bound(instance, pairs, w[pairs.rows] * pairs.cost)
        self.plan: Plan | None = None
        self.ub = np.inf
        self.lb = -np.inf
        self.zero = self.one = np.zeros(instance.n_sites, bool)  # fixings (stage 3)
        self.cut_cap = CUT_CAP  # cuts (and reach rows) per LP round at most, most violated first
        self.heur_limit = (
            10.0 if options.time_limit is None else min(10.0, 0.1 * float(options.time_limit))
        )

    # ------------------------------------------------------------------ bounds
    def offer(self, open_: np.ndarray) -> None:
        """Make ``open_`` the incumbent if it serves everyone and costs less."""
        site, cost = nearest_open(self.instance, open_, self.max_cost)
        if np.all(site >= 0):
            value = float(self.instance.weights @ cost)
            if value < self.ub:
                idx = np.arange(site.size)
                self.plan = Plan(open_.copy(), idx, site, np.ones(site.size))
                self.ub = value
        self.stats.incumbent = self.ub

    def rounded(self, bound: float) -> float:
        """A lower bound rounded up to an integer when every plan's cost is one."""
        if not self.integral or not np.isfinite(bound):
            return bound
        return float(np.ceil(bound - (SAFETY * abs(bound) + 1e-6)))

    def proves(self, bound: float) -> bool:
        return bool(np.isfinite(self.ub) and self.rounded(bound) >= self.ub - 1e-9 * abs(self.ub))

    @property
    def target(self) -> float:
        """A bound above this (safety margin included) excludes every strictly better plan."""
        return (self.ub - 1.0 if self.integral else self.ub) + SAFETY * abs(self.ub) + 1e-6

    def finish(self, proven: bool, why: str, bound: float | None = None) -> SolverOutput:
        runtime = self.stats.lp_seconds + self.stats.milp_seconds
        common = dict(backend=self.backend.name, runtime=runtime, sense="min")
        if self.plan is None:
            out = classify(
                x=None,
                objective=None,
                bound=None if proven else self.rounded(self.lb),
                search_complete=proven,
                infeasible=proven,  # proven that no plan serves everyone
                termination=why,
                **common,
            )
            return tighten_bound(out, self.known, "min")
        bound = (
            self.ub
            if proven
            else max(self.rounded(self.lb), self.rounded(-np.inf if bound is None else bound))
        )
        out = classify(
            x=np.zeros(0),
            objective=self.ub,
            bound=min(bound, self.ub),
            search_complete=proven,
            termination=why,
            **common,
        )
        # stopped before the LP (lb = -inf) or at a weak bound: never below the model's own
        return dataclasses.replace(tighten_bound(out, self.known, "min"), x=None)

    # ------------------------------------------------------------------ stages
    def incumbent(self, start: Plan | None) -> None:
        th = time.perf_counter()
        if start is not None:
            open0 = np.asarray(start.open, bool)
            inst = self.instance
            if (
                open0.shape != (inst.n_sites,)
                or open0.sum() != self.p
                or np.any(inst.required & ~open0)
            ):
                raise InputError(
                    f"warm_start: the starting plan must open exactly p = {self.p} of the "
                    f"{inst.n_sites} sites, required sites included",
                    field="warm_start",
                )
            self.offer(open0)
        else:  # a caller's start (e.g. warm_start="heuristic") already is greedy + interchange
            greedy = pmedian_greedy(self.instance, self.p, max_cost=self.max_cost)
            self.improve(greedy.open)
        self.stats.heuristic_seconds += time.perf_counter() - th

    def improve(self, open_: np.ndarray, within: Deadline | None = None) -> None:
        limit = (within or self.deadline.sub(self.heur_limit)).remaining()
        assert limit is not None  # a sub-deadline of so many seconds is limited
        plan = pmedian_interchange(
            self.instance, empty_plan(open_), max_cost=self.max_cost, time_limit=limit
        )
        self.offer(plan.open)

    def round_lp(self, y: np.ndarray) -> None:
        """Roundings of the LP point ``y``, each improved by interchange (a heuristic).

        First the p largest ``y``, then up to :data:`ROUNDINGS` draws of p sites in
        proportion to ``y`` (plus a little on every site; seeded by ``options.seed``,
        else 0), until the LP bound proves the incumbent, :data:`ROUND_MISSES` draws
        in a row improve nothing, or ``heur_limit`` seconds pass. A near-optimal
        incumbent is what makes the fixing stage cheap: its target is that close.
        """
        inst = self.instance
        free = ~inst.required
        k = self.p - int(inst.required.sum())
        budget = self.deadline.sub(self.heur_limit)
        order = np.argsort(-np.where(free, y, -np.inf), kind="stable")
        open_ = inst.required.copy()
        open_[order[:k]] = True
        self.improve(open_, budget)
        seed = self.options.seed
        rng = np.random.default_rng(0 if seed is None else seed)
        weight = np.where(free, np.clip(y, 0.0, 1.0) + 0.2 * k / max(int(free.sum()), 1), 0.0)
        weight /= weight.sum()
        misses = 0
        for _ in range(ROUNDINGS if k > 0 else 0):
            if self.proves(self.lb) or misses >= ROUND_MISSES or budget.expired():
                break
            open_ = inst.required.copy()
            open_[rng.choice(inst.n_sites, k, replace=False, p=weight)] = True
            before = self.ub
            self.improve(open_, budget)
            misses = misses + 1 if self.ub >= before else 0

    def lp(
        self, master: Master, oracle: CutOracle, y_in: np.ndarray | None = None
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """Cut the master LP to its optimum (or past the target): (value, y, reduced costs).

        ``y_in``: the first core point (default: p spread evenly; the first call seeds cuts there).
        """
        inst, stats = self.instance, self.stats
        first = y_in is None
        if y_in is None:
            free = ~inst.required
            y_in = inst.required.astype(float)
            y_in[free] = (self.p - inst.required.sum()) / max(int(free.sum()), 1)
            khat0, val0 = oracle.separate(y_in)
            rows = top_rows(oracle.lv.weight * (val0 - theta_floor(oracle)), self.cut_cap)
            master.add_cuts(rows, oracle.cuts(rows, khat0))
        best_point = np.inf
        while True:
            tl = time.perf_counter()
            value, y, theta, rc = master.solve_lp(self.deadline)
            stats.lp_seconds += time.perf_counter() - tl
            stats.rounds += 1
            if first:
                self.lb = value  # the LP without fixings bounds every plan
            if self.proves(value) or value > self.target:
                return value, y, rc
            repaired = master.repair(y, self.cut_cap)  # reach rows y violates: no true costs
            khat_lp, val_lp = oracle.separate(y)
            if not repaired:
                best_point = min(best_point, float(oracle.lv.weight @ val_lp))
            if best_point - value <= 1e-9 * max(1.0, abs(value)):  # inf while y misses reach
                return value, y, rc
            khat = oracle.separate(ALPHA * y + (1 - ALPHA) * y_in)[0]
            gap = violated(oracle, khat, y, theta)
            if not (gap > 0).any():
                khat = khat_lp
                gap = val_lp - theta - VIOLATION_TOL * (np.abs(theta) + 1.0)
            if not (gap > 0).any():
                if repaired:
                    continue
                return value, y, rc  # every row's cut and reach row hold: the LP optimum
            sel = top_rows(oracle.lv.weight * gap, self.cut_cap)
            master.add_cuts(sel, oracle.cuts(sel, khat))
            y_in = 0.5 * (y_in + y)

    def fix(
        self, master: Master, oracle: CutOracle, value: float, y: np.ndarray, rc: np.ndarray
    ) -> bool:
        """Reduced-cost fixing and probing, in passes; True when no better plan is left.

        Each pass fixes by reduced costs, probes what is left, then re-cuts the LP
        with the fixings; its value bounds every better plan, so min(U, value) is a
        lower bound and the next pass starts from its reduced costs.
        """
        free = ~self.instance.required
        zero = np.zeros_like(free)
        one = np.zeros_like(free)
        budget = self.deadline.sub(share=PROBE_SHARE)
        try:
            while True:
                target = self.target
                todo = free & ~zero & ~one
                new_zero = todo & (y <= 1e-9) & (value + rc > target)
                new_one = todo & (y >= 1 - 1e-9) & (value - rc > target)
                for j in np.flatnonzero(new_zero | new_one):
                    master.bound(int(j), float(new_one[j]))
                zero |= new_zero
                one |= new_one
                fixed = int(new_zero.sum() + new_one.sum())
                todo &= ~new_zero & ~new_one
                misses = 0
                for j in probe_order(todo, y, rc, target - value):
                    if budget.expired() or misses >= MISS_RUN:
                        break
                    misses += 1
                    for v in (1.0, 0.0):
                        if abs(y[j] - v) <= 1e-9:
                            continue  # the LP already has y_j there: forcing proves nothing
                        tl = time.perf_counter()
                        beyond = probe(master, oracle, int(j), v, target, self.deadline)
                        self.stats.lp_seconds += time.perf_counter() - tl
                        self.stats.probes += 1
                        if beyond:
                            (one if v == 0.0 else zero)[j] = True
                            master.bound(int(j), 1.0 - v)
                            fixed += 1
                            misses = 0
                            break
                if not fixed or budget.expired():
                    return False
                before = value
                value, y, rc = self.lp(master, oracle, y)
                self.lb = max(self.lb, self.rounded(min(self.ub, value)))
                if value > self.target:
                    return True
                if value - before < PASS_GAIN * (self.target - before):
                    return False  # the fixings barely moved the LP: another pass fixes little
        except TimeoutError:
            return False  # fixings so far stand; the MILP stage gets what time is left
        finally:
            self.stats.fixed_zero, self.stats.fixed_one = int(zero.sum()), int(one.sum())
            self.zero, self.one = zero, one

    def master_mip(self, master: Master, oracle: CutOracle) -> SolverOutput:
        """Stage 4 in HiGHS: the master MILP, capped below the incumbent, re-cut at each optimum.

        The cap (objective <= the target) leaves only strictly better plans: an
        infeasible capped master proves the incumbent optimal.
        """
        master.to_mip(self.options)
        bound = -np.inf
        while True:
            master.cap(oracle.lv.weight, self.target)
            tm = time.perf_counter()
            try:
                finished, b, y, theta, words = master.solve_mip(self.deadline, None)
            except TimeoutError:
                return self.finish(False, "time limit in the Benders master MILP", bound)
            finally:
                self.stats.milp_seconds += time.perf_counter() - tm
            self.stats.rounds += 1
            bound = max(bound, b)
            if y is not None:
                self.offer(y > 0.5)
            if self.proves(bound) or (bound > self.target):
                return self.finish(True, "Benders master MILP bound proves the incumbent")
            if not finished or y is None or theta is None:
                return self.finish(False, f"Benders master MILP: {words}", bound)
            khat, val = oracle.separate(y)
            cut = val - theta > VIOLATION_TOL * (np.abs(theta) + 1.0)
            if not cut.any():
                # the master's optimum costs what its theta say: optimal within the fixings
                return self.finish(True, "Benders master MILP optimum has its true costs")
            sel = np.flatnonzero(cut)
            master.add_cuts(sel, oracle.cuts(sel, khat))

    def restricted_milp(self, zero: np.ndarray, one: np.ndarray) -> SolverOutput:
        """Stage 4 on another backend: the radius MILP over the sites not fixed to 0."""
        inst, p, max_cost = self.instance, self.p, self.max_cost
        keep = ~zero
        sub = restrict_sites(inst, keep, inst.required | one)
        if np.any(np.diff(sub.indptr) == 0):
            # some demand point reaches no site a better plan may open: none exists
            return self.finish(True, "Benders fixing leaves no better plan")
        milp = build_radius(sub, p, max_cost)
        self.stats.restricted = {
            "rows": milp.n_rows,
            "cols": milp.n_cols,
            "int_cols": int(milp.integrality.sum()),
            "nnz": milp.nnz,
        }
        x0 = None
        inc = self.plan
        if inc is not None and not np.any(inc.open & zero) and inc.open[one].all():
            x0 = encode_radius(sub, milp, empty_plan(inc.open[keep]), p, max_cost)
        tm = time.perf_counter()
        out = self.backend.solve(milp, self.deadline.options(self.options, warm_start=x0))
        self.stats.milp_seconds += time.perf_counter() - tm
        if out.x is not None:
            open_ = np.zeros(inst.n_sites, bool)
            open_[np.flatnonzero(keep)[decode_radius(sub, milp, out.x, max_cost).open]] = True
            self.offer(open_)
        if out.status in ("optimal", "infeasible"):
            return self.finish(True, f"Benders restricted MILP: {out.termination}")
        bound = min(self.ub, out.bound if out.bound is not None else -np.inf)
        return self.finish(False, f"Benders restricted MILP: {out.termination}", bound)
