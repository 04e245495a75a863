r"""Lexicographic backup coverage: cover the most weight, then back up the most of it.

``BackupCoverage(objective="lexicographic")`` solves two MILPs instead of
guessing a weight :math:`\theta`:

1. **First coverage**: :math:`F^* = \max \sum_i w_i y_i` over the model's
   plans (the backup model with :math:`\theta = 1`).
2. **Backup**: :math:`\max \sum_i w_i u_i` over the same plans with the row
   :math:`\sum_i w_i y_i \ge F_1 - \epsilon`, where :math:`F_1` is stage 1's
   plan's first coverage recomputed from the data. The tolerance is safe:
   when every weight is a multiple of a step :math:`r` (integers: :math:`r = 1`;
   :func:`weight_step` finds :math:`r = 10^{-d}`, :math:`d \le 6`) and first
   coverage is a sum of weights (uncapacitated, or single-sourced), any plan
   with :math:`F > F_1 - r/2` has :math:`F \ge F_1`, so :math:`\epsilon = r/2`
   is exact; otherwise (split capacitated shares, or weights with more than six
   decimals) :math:`\epsilon = 10^{-9}\max(1, |F_1|)`, and stage 2's plan is
   kept when its first coverage recomputed from the data is within a relative
   :math:`10^{-6}` of :math:`F_1` (the verifier's tolerance: solver shares carry
   noise), so stage 2 trades at most that much first coverage for backup.

With ``p=None`` stage 1 is replaced by **stage 0**, the fewest sites that
cover every demand point (the LSCP count, required sites and groups kept),
and stage 2 keeps every point covered at that count: spopt's LSCP-B and
allagash's BCLP ("cover everyone, then maximise backup").

The reported objective is :math:`F + \delta B` with :math:`\delta = r/(W + r)`
(:math:`W` the weight of the coverable points, :math:`r` the step, 1 when there
is none): for stepped weights it ranks plans exactly lexicographically, since
:math:`\delta B < r`. The two stages are exact for any weights.

Honest when stopped: the status is ``"optimal"`` only when every stage was
proven; the bound is :math:`\bar F + \delta \bar B` with :math:`\bar F` stage 1's
bound (rounded down to the step) and :math:`\bar B` stage 2's bound — which
counts only when stage 1 was proven (else stage 2 does not run and
:math:`\bar B = \min(\bar F, W)`, since backup never exceeds first coverage).
With ``p=None`` the first level is :math:`W` and stage 2's bound counts even
when the count is not proven, as backup cannot fall when sites are added —
except with site groups, whose counts and budgets break that argument.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import SolveOptions, SolverOutput, relative_gap
from erlocate.backends.protocol import Backend
from erlocate.deadline import Deadline
from erlocate.decomposition.loop import LoopOutput
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.blocks import add_open
from erlocate.models.bounds import with_cover_bound
from erlocate.models.dominance import as_binary_csr, dominated_rows
from erlocate.models.groups import SiteGroup, add_group_rows
from erlocate.plan import Plan

__all__ = [
    "LexSpec",
    "add_cover_all",
    "count_milp",
    "cover_all_matrix",
    "lex_delta",
    "round_down",
    "solve_lexicographic",
    "weight_step",
    "with_first_level",
]


@dataclass(frozen=True)
class LexSpec:
    """What the loop needs of the model, as functions (never the model object).

    Attributes
    ----------
    build : callable
        ``build(theta, p, cover_all) -> Milp``: the backup MILP with objective
        ``theta * first + (1 - theta) * backup`` over ``p`` open sites, every
        point kept covered when ``cover_all``. One column layout for every call.
    decode, encode : callable
        The model's ``decode(milp, x) -> Plan`` and ``encode(milp, plan) -> x``.
    values : callable
        ``values(plan) -> (first, backup)`` covered weights, recomputed from the data.
    step : float
        :math:`r` of the module doc (0: first coverage is not stepped).
    total : float
        :math:`W`, the weight of the demand points any site covers.
    count : callable
        ``count() -> Milp``: stage 0's fewest-sites cover (used when ``p`` is None).
    nearest : callable
        ``nearest(open) -> Plan``: a plan of open flags (stage 0's incumbent).
    monotone : bool
        Backup's optimum cannot fall when more sites open (False with site groups).
    """

    build: Callable[[float, int, bool], Milp]
    decode: Callable[[Milp, np.ndarray], Plan]
    encode: Callable[[Milp, Plan], np.ndarray]
    values: Callable[[Plan], tuple[float, float]]
    step: float
    total: float
    count: Callable[[], Milp]
    nearest: Callable[[np.ndarray], Plan]
    monotone: bool


def weight_step(weights: np.ndarray) -> float:
    """The largest :math:`10^{-d}` (:math:`0 \\le d \\le 6`) dividing every weight, else 0."""
    w = np.asarray(weights, dtype=float)
    for d in range(7):
        s = w * 10.0**d
        if np.all(np.abs(s - np.round(s)) <= 1e-9 * np.maximum(1.0, np.abs(s))):
            return 10.0**-d
    return 0.0


def lex_delta(step: float, total: float) -> float:
    """The second level's weight :math:`\\delta = r / (W + r)` (:math:`r = 1` without a step)."""
    r = step if step > 0 else 1.0
    return r / (max(total, 0.0) + r)


def round_down(bound: float, step: float) -> float:
    """A maximising bound rounded down to the step (unchanged without one).

    Every plan's value is a multiple of ``step``; the solver's bound may sit a
    relative 1e-6 below the true maximum at most, which the rounding allows for.
    """
    if step <= 0 or not np.isfinite(bound):
        return bound
    q = bound / step
    return step * math.floor(q + 1e-6 * max(1.0, abs(q)))


def cover_all_matrix(instance: Instance, max_cost: float) -> sp.csr_array:
    """Rows a cover of every demand point must meet: those no required site covers,
    minus rows containing another row's set (exact for covering: see
    :func:`~erlocate.models.dominance.dominated_rows`)."""
    A = as_binary_csr(instance.coverage_matrix(max_cost))
    live = np.flatnonzero((A @ instance.required.astype(np.int64)) == 0)
    A = sp.csr_array(A[live])
    drop = dominated_rows(A)
    if drop is not None:
        A = sp.csr_array(A[np.flatnonzero(~drop)])
    return A


def add_cover_all(b: MilpBuilder, A: sp.csr_array, x: np.ndarray, name: str = "cover_all") -> None:
    """Rows :math:`\\sum_{j \\in N_i} x_j \\ge 1` for the rows of ``A``."""
    coo = A.tocoo()
    b.add_rows(name, rows=coo.row, cols=x[coo.col], vals=1.0, lb=1.0, n_rows=A.shape[0])


def count_milp(instance: Instance, max_cost: float, groups: tuple[SiteGroup, ...]) -> Milp:
    """Stage 0: the fewest open sites (required ones counted) covering every demand point."""
    b = MilpBuilder("backup-coverage-count", "min")
    x = add_open(b, instance, obj=1.0)
    add_cover_all(b, cover_all_matrix(instance, max_cost), x, name="cover")
    add_group_rows(b, instance, x, groups)
    return with_cover_bound(b.build())


def with_first_level(milp: Milp, c1: np.ndarray, lb: float) -> Milp:
    """``milp`` with the row ``c1 @ x >= lb`` (block ``first_level``)."""
    n = milp.n_rows
    return dataclasses.replace(
        milp,
        A=sp.csr_array(sp.vstack([milp.A, sp.csr_array(c1.reshape(1, -1))], format="csr")),
        row_lb=np.append(milp.row_lb, lb),
        row_ub=np.append(milp.row_ub, np.inf),
        row_blocks={**milp.row_blocks, "first_level": slice(n, n + 1)},
        name=f"{milp.name}-backup-stage",
    )


def _sizes(milps: list[Milp]) -> dict[str, float]:
    last = milps[-1]
    return {
        "milps": len(milps),
        "rows": last.n_rows,
        "cols": last.n_cols,
        "int_cols": int(last.integrality.sum()),
        "nnz": last.nnz,
    }


def _meets(value: float, bound: float | None) -> bool:
    return bound is not None and value >= bound - 1e-9 * max(1.0, abs(bound))


def solve_lexicographic(
    spec: LexSpec, p: int | None, backend: Backend, options: SolveOptions, start: Plan | None
) -> LoopOutput:
    """Run the stages of the module doc; ``options.time_limit`` covers them all."""
    clock = Deadline.after(options.time_limit)
    delta = lex_delta(spec.step, spec.total)
    milps: list[Milp] = []
    notes: list[str] = []
    runtime = 0.0
    if p is None:  # stage 0: the fewest sites covering everyone
        milp0 = spec.count()
        milps.append(milp0)
        out = backend.solve(milp0, clock.options(options, warm_start=None))
        runtime += out.runtime
        if out.x is None:
            why = f"fewest sites covering everyone: {out.termination}"
            return LoopOutput(_failed(out, runtime, why, backend.name), None, _sizes(milps))
        open0 = np.round(milp0.block(out.x, "open")) > 0.5
        p_use = int(open0.sum())
        least = None if out.bound is None else math.ceil(out.bound - 1e-6)
        count_proven = out.status == "optimal" or (least is not None and least >= p_use)
        notes.append(
            f"fewest sites covering everyone: {p_use}"
            + ("" if count_proven else f" (not proven; at least {least})")
        )
        incumbent = spec.nearest(open0)
        first_bound: float | None = spec.total
        first_proven, c1 = True, None
        backup_counts = count_proven or spec.monotone
    else:
        milp1 = spec.build(1.0, p, False)
        milps.append(milp1)
        x0 = None
        if start is not None and int(np.asarray(start.open).sum()) == p:
            x0 = spec.encode(milp1, start)
        out = backend.solve(milp1, clock.options(options, warm_start=x0))
        runtime += out.runtime
        if out.x is None:
            why = f"first coverage stage: {out.termination}"
            return LoopOutput(_failed(out, runtime, why, backend.name), None, _sizes(milps))
        incumbent = spec.decode(milp1, out.x)
        p_use, count_proven, backup_counts, c1 = p, True, True, milp1.c
        first_bound = None if out.bound is None else round_down(out.bound, spec.step)
        f1 = spec.values(incumbent)[0]
        first_proven = out.status == "optimal" or _meets(f1, first_bound)
        notes.append(f"first coverage: {out.status}")
    first, backup = spec.values(incumbent)
    backup_bound: float | None = None
    second_proven = False
    if not first_proven:
        notes.append("first level not proven: no backup stage")
    elif clock.expired():
        notes.append("no time left for the backup stage")
    else:
        milp2 = spec.build(0.0, p_use, p is None)
        slack = spec.step / 2 if spec.step > 0 else 1e-9 * max(1.0, abs(first))
        if c1 is not None:
            milp2 = with_first_level(milp2, c1, first - slack)
        milps.append(milp2)
        out2 = backend.solve(
            milp2, clock.options(options, warm_start=spec.encode(milp2, incumbent))
        )
        runtime += out2.runtime
        # a plan is kept when its first coverage, recomputed from the data, holds F_1: exactly
        # with a step; else within the verifier's relative 1e-6 (split shares carry noise)
        keep = slack if spec.step > 0 else max(slack, 1e-6 * max(1.0, abs(first)))
        taken = False
        if out2.x is not None:
            plan2 = spec.decode(milp2, out2.x)
            f2, b2 = spec.values(plan2)
            taken = f2 >= first - keep and b2 >= backup
            if taken:
                incumbent, first, backup = plan2, f2, b2
            elif f2 < first - keep:
                notes.append(f"backup stage's plan covers {f2:.10g} first, below {first:.10g}")
        if out2.bound is not None and backup_counts:
            backup_bound = round_down(out2.bound, spec.step)
        second_proven = (out2.status == "optimal" and taken) or _meets(backup, backup_bound)
        notes.append(f"backup stage: {out2.status} ({out2.termination})")
    objective = first + delta * backup
    bound = None
    if first_bound is not None:
        b_level = backup_bound if backup_bound is not None else min(first_bound, spec.total)
        # every valid bound is at least a plan's value: max() only absorbs rounding noise
        bound = max(first_bound + delta * b_level, objective)
    proven = first_proven and count_proven and second_proven
    status = "optimal" if proven else "feasible"
    out_all = SolverOutput(
        status,
        None,
        float(objective),
        None if bound is None else float(bound),
        relative_gap(objective, bound),
        runtime,
        "lexicographic: " + "; ".join(notes),
        backend.name,
    )
    return LoopOutput(out_all, incumbent, _sizes(milps))


def _failed(out: SolverOutput, runtime: float, why: str, name: str) -> SolverOutput:
    """No plan from a stage: its status (infeasible, no_solution, error) and no numbers."""
    status = out.status if out.status in ("infeasible", "unbounded", "error") else "no_solution"
    return SolverOutput(status, None, None, None, None, runtime, why, name)
