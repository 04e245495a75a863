"""Solve the AILS-MCLP city benchmarks (Bronx, Kings, NewYork, SanFrancisco) exactly.

    python benchmarks/mclp_ails.py [--instances NewYork_p50_r400,Bronx_p50_r600]
        [--backend highs] [--time-limit 300] [--no-reduce] [--greedy]
        [--method milp|fixing|heuristic] [--out file.md]

Reads each case with :func:`erlocate.io.ails_case` (data from ``shared/data``
or ``$ERLOCATE_DATA``), builds ``MCLP(p, radius)`` with the exact covering
reductions (:mod:`erlocate.models.reduce`) unless ``--no-reduce``, solves it
with a per-instance time limit and prints a Markdown table: size, p, radius,
published optimum, objective, bound, status, gap, rows/sites kept by the
reduction, build and solve seconds, and whether the objective equals the
published value. ``--greedy`` passes a greedy plan (p rounds of "open the
kept site adding the most uncovered weight", vectorised per round; not exact)
as the solver's starting incumbent. ``--method fixing`` runs
``MCLP(..., method="fixing")`` (heuristic incumbent, LP bound, Lagrangian
reduced-cost fixing, restricted MILP; exact) and adds the fixing counts;
``--method heuristic`` runs only :func:`erlocate.heuristics.mclp.mclp_greedy`,
:func:`~erlocate.heuristics.mclp.mclp_perturbed_search` (a third of
``--time-limit``) and :func:`erlocate.heuristics.region.mclp_region_search`
(the rest), not exact, no bound; "short" is the published optimum minus the
value. A time-limited run is reported as it is (``feasible`` with its bound and gap). Every plan is
verified on the original instance (``Result.verify()``). Exit status 1 when
a case errs or a proven optimum disagrees with the published one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import erlocate
from erlocate.heuristics import mclp_greedy, mclp_perturbed_search, mclp_region_search
from erlocate.instance import Instance
from erlocate.io.ails import ails_case, ails_cases
from erlocate.io.orlib import OrlibCase
from erlocate.machine import describe
from erlocate.models import MCLP
from erlocate.plan import Plan

HEADER = (
    "| instance | n | p | radius | published | objective | bound | status | gap "
    "| rows kept | sites kept | build s | solve s | match |\n"
    "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|"
)


def _fmt(v: float | None, spec: str = ".0f") -> str:
    return "—" if v is None else format(v, spec)


def greedy(instance: Instance, model: MCLP, allowed: np.ndarray) -> Plan:
    """Greedy MCLP plan over ``allowed`` sites (required sites first); not exact."""
    A = instance.coverage_matrix(model.max_cost).tocsr()
    AT = A.T.tocsr()
    open_ = instance.required.copy()
    uncovered = (A @ open_.astype(float)) == 0
    for _ in range(int(model.p) - int(open_.sum())):
        gain = AT @ (instance.weights * uncovered)
        gain[~allowed | open_] = -1.0
        j = int(np.argmax(gain))
        open_[j] = True
        uncovered &= ~(A[:, [j]].toarray().ravel() > 0)
    return Plan.nearest(instance, open_)


def run(
    name: str,
    backend: str,
    time_limit: float,
    reduce: bool,
    warm: bool = False,
    method: str = "milp",
) -> tuple[str, bool]:
    """One table row and whether it is a failure."""
    case = ails_case(name)
    inst = case.instance
    if method == "heuristic":
        return _heuristic_row(name, case, time_limit)
    model = MCLP(case.model.p, case.model.max_cost, reduce=reduce, method=method)
    if reduce or method == "fixing":
        red = model.reduction(inst)
        rows, sites = f"{red.n_rows}/{inst.n_demand}", f"{red.n_sites}/{inst.n_sites}"
    else:
        rows, sites = f"{inst.n_demand}/{inst.n_demand}", f"{inst.n_sites}/{inst.n_sites}"
    start = time.perf_counter()
    start_plan = None
    if warm:
        allowed = model.reduction(inst).keep_sites if reduce else np.ones(inst.n_sites, bool)
        start_plan = greedy(inst, model, allowed)
    try:
        res = erlocate.solve(model, inst, backend, time_limit=time_limit, warm_start=start_plan)
    except Exception as exc:  # report and go on
        return (
            f"| {name} | {inst.n_demand} | {model.p} | {model.max_cost:g} | {case.optimum:.0f} "
            f"| error: {type(exc).__name__}: {str(exc)[:80]} | | | | {rows} | {sites} | | "
            f"{time.perf_counter() - start:.1f} | no |",
            True,
        )
    match = case.matches(res.objective)
    bad = res.status == "optimal" and not match
    gap = "—" if res.gap is None else f"{100 * res.gap:.3g}%"
    extra = ""
    if method == "fixing":
        z = res.milp_size
        extra = (
            f" | {z.get('heuristic_s', 0):.1f}"
            f" | {z.get('sites_closed', 0)}/{z.get('sites_opened', 0)}"
            f" | {z.get('rows_must', 0)}/{z.get('rows_never', 0)} | {z.get('free_sites', '—')}"
        )
    return (
        f"| {name} | {inst.n_demand} | {model.p} | {model.max_cost:g} | {case.optimum:.0f} "
        f"| {_fmt(res.objective)} | {_fmt(res.bound, '.1f')} | {res.status} | {gap} "
        f"| {rows} | {sites} | {res.build_time:.2f} | {res.runtime:.1f} "
        f"| {'yes' if match else 'no'}{extra} |",
        bad,
    )


def _heuristic_row(name: str, case: OrlibCase, time_limit: float) -> tuple[str, bool]:
    """Greedy, perturbed swap search (a third of the time), region search (the rest); not exact."""
    inst, model = case.instance, case.model
    keep = model.reduction(inst).keep_sites
    t = time.perf_counter()
    g = mclp_greedy(inst, int(model.p), model.max_cost, allowed=keep)
    tg = time.perf_counter() - t
    s = mclp_perturbed_search(
        inst, g, model.max_cost, time_limit=time_limit / 3, max_stall=None, allowed=keep
    )
    ts = time.perf_counter() - t
    left = max(time_limit - ts, 0.0)
    r = mclp_region_search(inst, s, model.max_cost, time_limit=left, allowed=keep)
    tr = time.perf_counter() - t
    vg, vs, vr = (model.evaluate(inst, x) for x in (g, s, r))
    return (
        f"| {name} | {inst.n_demand} | {model.p} | {case.optimum:.0f} | {vg:.0f} | {tg:.2f} "
        f"| {vs:.0f} | {case.optimum - vs:.0f} | {ts:.1f} | {vr:.0f} | {case.optimum - vr:.0f} "
        f"| {tr:.1f} | {'yes' if case.matches(vr) else 'no'} |",
        vr > case.optimum + 1e-6,
    )


HEURISTIC_HEADER = (
    "| instance | n | p | published | greedy | greedy s | swap search | swap short | swap s "
    "| region search | region short | total s | match |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)
FIXING_COLUMNS = (
    " heuristic s | sites closed/opened | rows must/never | free sites |",
    "---:|---|---|---:|",
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", help="comma-separated names (default: all 24)")
    ap.add_argument("--backend", default="highs")
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--no-reduce", action="store_true", help="build the textbook MCLP")
    ap.add_argument("--greedy", action="store_true", help="greedy plan as warm start")
    ap.add_argument(
        "--method",
        choices=("milp", "fixing", "heuristic"),
        default="milp",
        help="single MILP (default), the staged exact fixing method, or the heuristic alone",
    )
    ap.add_argument("--out", type=Path, help="also write the table to this file")
    args = ap.parse_args(argv)
    names = args.instances.split(",") if args.instances else ails_cases()
    header = HEADER
    if args.method == "heuristic":
        header = HEURISTIC_HEADER
    elif args.method == "fixing":
        top, rule = HEADER.split("\n")
        header = f"{top}{FIXING_COLUMNS[0]}\n{rule}{FIXING_COLUMNS[1]}"
    lines = [header]
    print(header, flush=True)
    failed = False
    for name in names:
        row, bad = run(
            name.strip(),
            args.backend,
            args.time_limit,
            not args.no_reduce,
            args.greedy,
            args.method,
        )
        failed |= bad
        lines.append(row)
        print(row, flush=True)
    machine = (
        f"\nMachine: {describe(args.backend)}; time limit {args.time_limit:g} s per instance"
        f"; reductions {'off' if args.no_reduce else 'on'}"
        f"; warm start {'greedy' if args.greedy else 'none'}; method {args.method}."
    )
    print(machine)
    if args.out:
        args.out.write_text("\n".join(lines) + "\n" + machine + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
