"""City-scale table of issue 17: p-median, MCLP, LSCP and CFLP at 1,000 to 100,000 demand points.

    python benchmarks/city_scale.py [--quick] [--cases pmed-p100,mclp] [--limit 150]
        [--hard 240] [--ails] [--dense] [--out docs/benchmarks/city-scale.md]

Each case runs in its own subprocess (so one case's memory does not pollute the
next) with a hard wall-clock timeout: a case still running after ``--hard``
seconds is killed and recorded as "killed at N s". Peak memory is the child's
RSS high-water mark (``resource.getrusage`` in the child; for a killed child the
last ``VmHWM`` the parent read from ``/proc``).

Instances are :func:`erlocate.datasets.random_euclidean` towns (10 km square,
populations 50–2,000, same seed, same points) with the costs cut at a radius:
the pairs within the radius come from a KD-tree, never an n × m matrix, and the
instance carries ``cutoff=radius`` (``tests/bench/test_city_scale.py`` checks
they equal ``random_euclidean``'s costs cut at the radius). The p-median rows of
seeds 0–4 are uncut with integer weights 1–11 (as the issue measured), and so is
the 20,000 × 1,000, p = 10 row ``pmed-p10-full`` (the full matrix: 20 M pairs).

The exact method per model (the best available when this runs):

* p-median: ``PMedian(formulation="benders")`` (Benders decomposition of the
  radius formulation with reduced-cost and probing fixings, then the master
  MILP or, for a large master, branch-and-Benders-cut on the master LP; exact);
* MCLP: ``MCLP(method="benders")`` when :data:`erlocate.models.mclp.METHODS`
  has it, else ``method="fixing"`` (heuristic incumbent, LP bound, Lagrangian
  reduced-cost fixing, restricted MILP, exact);
* LSCP and CFLP rows time ``validate`` + ``build`` only (LSCP with and without
  the exact covering reductions).

Every plan is re-checked with ``Result.verify()`` ("verified" column).
``--quick`` runs a 2,000 × 200 version of every kind (p at most 20; one per
kind: not pmed-p10-full, pmed-5k, mclp-5k, lscp-big; seed 0 only) in seconds; ``--dense
mclp|all`` also solves the MCLP (or every p-median and MCLP) case with the
single dense MILP (``formulation="dense"``; ``MCLP(reduce=False,
method="milp")``) and prints its objective beside. ``--ails`` adds the AILS
MCLP cases (``shared/data/mclp-ails``, :mod:`erlocate.io.ails`).
"""

from __future__ import annotations

import argparse
import datetime
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

import erlocate
from erlocate.errors import ErlocateError, InfeasibleError
from erlocate.instance import Instance
from erlocate.machine import describe
from erlocate.models import CFLP, LSCP, MCLP, PMedian
from erlocate.models import mclp as mclp_module

SIZE = 10_000.0
BIG = (100_000, 5_000)
QUICK = (2_000, 200)
#: Same kind as another case at 2,000 × 200: left out of ``--quick``.
QUICK_SKIP = ("pmed-p10-full", "pmed-5k", "mclp-5k", "lscp-big")
AILS = ("NewYork_p100_r400", "Kings_p100_r800")
#: Stage counts of the decomposition methods printed with a row (``Result.milp_size``).
STAGE_COUNTS = ("benders_rounds", "benders_cuts", "fixed_zero", "fixed_one", "probes")


@dataclass(frozen=True)
class Case:
    """One row: model kind, sizes, p, radius (None: uncut) and seed."""

    name: str
    kind: str  # pmedian | mclp | lscp | cflp | ails
    n: int
    m: int
    p: int | None = None
    radius: float | None = None
    seed: int = 0
    int_weights: bool = False
    reduce: bool = True
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case("pmed-p100", "pmedian", 20_000, 1_000, 100, 2_000.0),
    Case(
        "pmed-p10-infeasible", "pmedian", 20_000, 1_000, 10, 1_500.0,
        note="10 discs of r 1,500 m cover 7.1 km² < 100 km²: infeasible by area",
    ),
    Case("pmed-p10-full", "pmedian", 20_000, 1_000, 10, None, note="the full matrix, uncut"),
    Case("pmed-5k", "pmedian", 5_000, 500, 10, 4_000.0),
    Case("mclp-p100", "mclp", 20_000, 1_000, 100, 1_000.0),
    Case("mclp-p10", "mclp", 20_000, 1_000, 10, 1_000.0),
    Case("mclp-5k", "mclp", 5_000, 500, 100, 1_000.0),
    *[Case(f"pmed-int-s{s}", "pmedian", 1_000, 200, 10, None, s, True) for s in range(5)],
    Case("lscp-2k-reduce", "lscp", 2_000, 300, None, 1_500.0),
    Case("lscp-2k-noreduce", "lscp", 2_000, 300, None, 1_500.0, reduce=False),
    Case("lscp-big", "lscp", *BIG, None, 1_500.0),
    Case("cflp-big", "cflp", *BIG, None, 1_500.0),
]  # fmt: skip
AILS_CASES = [Case(f"ails-{a}", "ails", 0, 0, extra={"ails": a}) for a in AILS]


def quick(case: Case) -> Case:
    """The 2,000 × 200 version of a case (p at most 20; AILS cases unchanged)."""
    if case.kind == "ails":
        return case
    p = None if case.p is None else min(case.p, 20)
    return Case(case.name, case.kind, *QUICK, p, case.radius, case.seed, case.int_weights,
                case.reduce, case.note, case.extra)  # fmt: skip


def city(
    n: int, m: int, seed: int, radius: float | None, int_weights: bool = False, cap: bool = False
) -> Instance:
    """``random_euclidean(n, m, seed=seed)`` with costs cut at ``radius`` (sparse, no n × m).

    The same draws in the same order as :func:`erlocate.datasets.random_euclidean`;
    ``int_weights``: weights drawn afterwards, integers 1–11 (demand stays the population);
    ``cap``: the generator's capacities (only CFLP reads them; others would warn).
    """
    rng = np.random.default_rng(seed)
    a, b = rng.random((n, 2)) * SIZE, rng.random((m, 2)) * SIZE
    pop = rng.integers(50, 2_000, n).astype(float)
    site_costs = np.round(rng.uniform(1e6, 3e6, m), -3)
    weights = rng.integers(1, 12, n).astype(float) if int_weights else pop
    if radius is None:
        cost: Any = np.round(np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2), 3)
    else:
        pairs = cKDTree(a).sparse_distance_matrix(cKDTree(b), radius, output_type="ndarray")
        cost = sp.csr_array((np.round(pairs["v"], 3), (pairs["i"], pairs["j"])), shape=(n, m))
    return Instance.from_matrix(
        cost, weights=weights, demand=pop, site_costs=site_costs,
        capacities=np.full(m, np.ceil(1.6 * pop.sum() / m)) if cap else None,
        demand_ids=[f"d{i}" for i in range(n)], site_ids=[f"s{j}" for j in range(m)],
        name=f"city-{n}x{m}-seed{seed}", cutoff=radius,
    )  # fmt: skip


def mclp_method() -> str:
    """The best exact MCLP method this checkout has."""
    return "benders" if "benders" in mclp_module.METHODS else "fixing"


def exact_model(case: Case) -> tuple[Any, str]:
    if case.kind == "pmedian":
        return PMedian(int(case.p or 0), max_cost=case.radius, formulation="benders"), "benders"
    method = mclp_method()
    return MCLP(int(case.p or 0), float(case.radius or 0), method=method), method


def dense_model(case: Case) -> Any:
    if case.kind == "pmedian":
        return PMedian(int(case.p or 0), max_cost=case.radius, formulation="dense")
    return MCLP(int(case.p or 0), float(case.radius or 0), reduce=False, method="milp")


def solve_row(case: Case, inst: Instance, model: Any, limit: float) -> dict[str, Any]:
    """Solve and verify; an InfeasibleError is a row, with its seconds."""
    t = time.perf_counter()
    try:
        r = erlocate.solve(model, inst, "highs", time_limit=limit, verify=False,
                           raise_on_failure=False)  # fmt: skip
    except InfeasibleError as exc:
        return dict(status="InfeasibleError", solve_s=time.perf_counter() - t,
                    note=str(exc).splitlines()[0][:160])  # fmt: skip
    verified = "—"
    if r.plan is not None:
        try:
            r.verify()
            verified = "yes"
        except ErlocateError as exc:
            verified = f"FAILED: {exc}"[:120]
    size = r.milp_size or {}
    counts = ", ".join(f"{k} {int(size[k])}" for k in STAGE_COUNTS if size.get(k))
    how = f"{r.termination}" + (f" ({counts})" if counts else "")
    return dict(status=r.status, objective=r.objective, bound=r.bound, gap=r.gap,
                build_s=r.build_time, solve_s=r.runtime, verified=verified, how=how)  # fmt: skip


def build_row(inst: Instance, model: Any) -> dict[str, Any]:
    t = time.perf_counter()
    model.validate(inst)
    milp = model.build(inst)
    build_s = time.perf_counter() - t
    rows, cols = milp.A.shape
    return dict(
        status="built", build_s=build_s, note=f"{rows} rows × {cols} cols, {milp.A.nnz} nnz"
    )


def run_case(case: Case, limit: float, dense: str) -> dict[str, Any]:
    """Everything one subprocess does for one case."""
    t = time.perf_counter()
    row: dict[str, Any] = {"case": case.name, "note": case.note}
    if case.kind == "ails":
        from erlocate.io.ails import ails_case

        ac = ails_case(case.extra["ails"])
        inst, method, spec = ac.instance, mclp_method(), ac.model
        assert isinstance(spec, MCLP)
        model: Any = MCLP(spec.p, spec.max_cost, method=method)
        row.update(sizes=f"{inst.n_demand} × {inst.n_sites}, p={model.p}, r={model.max_cost:g}",
                   method=f"MCLP {method}", note=f"published {ac.optimum:.0f}")  # fmt: skip
    else:
        inst = city(case.n, case.m, case.seed, case.radius, case.int_weights, case.kind == "cflp")
        cut = "uncut" if case.radius is None else f"r={case.radius:g}"
        p = "" if case.p is None else f", p={case.p}"
        w = ", w 1–11" if case.int_weights else ""
        row["sizes"] = f"{case.n} × {case.m}{p}, {cut}{w}, seed {case.seed}"
    row["instance_s"] = time.perf_counter() - t
    if case.kind in ("lscp", "cflp"):
        if case.kind == "lscp":
            model = LSCP(float(case.radius or 0), reduce=case.reduce)
            row["method"] = f"LSCP build, reduce={case.reduce}"
        else:
            model = CFLP(max_cost=case.radius)
            row["method"] = "CFLP build"
        row.update(build_row(inst, model))
    else:
        if case.kind != "ails":
            model, method = exact_model(case)
            row["method"] = f"{type(model).__name__} {method}"
        row.update(solve_row(case, inst, model, limit))
        if (dense == "all" and case.kind != "ails") or (dense == "mclp" and case.kind == "mclp"):
            d = solve_row(case, inst, dense_model(case), limit)
            row["dense_status"], row["dense"] = d["status"], d.get("objective")
    row["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def _hwm(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_child(case: Case, args: argparse.Namespace) -> dict[str, Any]:
    """Run one case in a subprocess with a hard timeout; its JSON row or a 'killed' row."""
    cmd = [sys.executable, __file__, "--child", case.name, "--limit", str(args.limit)]
    cmd += ["--quick"] * args.quick + ["--dense", args.dense]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = None
    while proc.poll() is None and time.perf_counter() - t < args.hard:
        peak = _hwm(proc.pid) or peak
        time.sleep(0.2)
    wall = time.perf_counter() - t
    if proc.poll() is None:
        proc.kill()
        proc.communicate()
        return dict(case=case.name, status=f"killed at {wall:.0f} s", peak_mib=peak, wall_s=wall)
    out, err = proc.communicate()
    lines = [x for x in out.splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (err.strip().splitlines() or ["no output"])[-1][:160]
        return dict(case=case.name, status=f"error (exit {proc.returncode})", note=tail,
                    peak_mib=peak, wall_s=wall)  # fmt: skip
    row: dict[str, Any] = json.loads(lines[-1])
    row["wall_s"] = wall
    return row


COLUMNS = ("case", "sizes", "method", "status", "objective", "bound", "gap", "build_s",
           "solve_s", "peak_mib", "verified")  # fmt: skip


def _cell(key: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "—"
    if key == "gap":
        return f"{100 * v:.3g} %"
    if key in ("build_s", "solve_s", "wall_s", "instance_s"):
        return f"{v:.2f}"
    if key == "peak_mib":
        return f"{v:,.0f}"
    if isinstance(v, float):
        return f"{v:.10g}"
    return str(v).replace("|", "/")


def table(rows: list[dict[str, Any]], dense: str) -> str:
    cols = list(COLUMNS) + ["wall_s"] + (["dense"] if dense != "none" else []) + ["note", "how"]
    head = "| " + " | ".join(c.replace("_s", " s").replace("_mib", " MiB") for c in cols) + " |"
    lines = [head, "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_cell(c, r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def select(args: argparse.Namespace) -> list[Case]:
    cases = CASES + (AILS_CASES if args.ails else [])
    if args.cases:
        want = [w.strip() for w in args.cases.split(",") if w.strip()]
        cases = [c for c in CASES + AILS_CASES if any(c.name.startswith(w) for w in want)]
    if not args.quick:
        return cases
    out, seen = [], set()
    for c in map(quick, cases):  # one per distinct 2,000 × 200 case (mclp-5k = mclp-p100 ...)
        key = (c.kind, c.p, c.radius, c.seed, c.int_weights, c.reduce, str(c.extra))
        if key not in seen and c.name not in QUICK_SKIP and c.seed == 0:
            seen.add(key)
            out.append(c)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 × 200 versions, p <= 20")
    ap.add_argument("--cases", help="comma-separated case names or prefixes")
    ap.add_argument("--limit", type=float, default=150.0, help="solver time limit per case (s)")
    ap.add_argument("--hard", type=float, help="kill a case after this many s (default limit+90)")
    ap.add_argument("--ails", action="store_true", help="add the AILS MCLP cases")
    ap.add_argument(
        "--dense", choices=("none", "mclp", "all"), default="none",
        help="also solve the dense single MILP of the MCLP cases or of all p-median / MCLP cases",
    )  # fmt: skip
    ap.add_argument("--out", type=Path, help="write the Markdown here")
    ap.add_argument("--json", type=Path, help="write the rows as JSON here")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.hard is None:
        args.hard = args.limit + 90.0
    if args.child:
        (case,) = [c for c in select(argparse.Namespace(**{**vars(args), "cases": args.child}))
                   if c.name == args.child]  # fmt: skip
        print(json.dumps(run_case(case, args.limit, args.dense)), flush=True)
        return 0
    before = uptime()
    rows = []
    for case in select(args):
        row = run_child(case, args)
        rows.append(row)
        print(f"{row['case']}: {row.get('status')} in {row['wall_s']:.1f} s", flush=True)
    text = (
        f"{describe('highs')}\n\n"
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}; solver limit {args.limit:g} s, hard kill "
        f"{args.hard:g} s per case; MCLP method {mclp_method()!r}.\n\n"
        f"uptime before: `{before}`\n\nuptime after: `{uptime()}`\n\n{table(rows, args.dense)}\n"
    )
    print(text)
    if args.out:
        args.out.write_text(text)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 1 if any(str(r.get("verified", "")).startswith("FAILED") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
