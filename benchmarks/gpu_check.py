"""cuOpt (GPU) against HiGHS, side by side, on a few instances: a check for a GPU machine.

    python benchmarks/gpu_check.py [--time-limit 20] [--budget 270] [--backends highs,cuopt]

Instances: OR-Library pmed1-pmed5 as one dense MILP each (``formulation="dense"``:
10,100 columns, 100 integer), the smallest AILS MCLP (NewYork_p50_r400, 2,713
demand points) and the embedded district's fire stations (cover-all, and
max-cover with 3 new stations). Data from ``shared/data`` or ``$ERLOCATE_DATA``;
cases whose data is missing are reported and skipped.

Each backend gets at most ``--time-limit`` seconds per instance and never more
than its share of ``--budget`` (so the whole run stays under about 5 minutes;
cuOpt may overrun a limit by its GPU start-up). Prints the machine (CPU, and
the GPU or why there is none), then per instance and backend: status,
objective, bound, gap and seconds (solver, and total with model building). A
backend that cannot run here (cuOpt without a GPU) is listed with its reason
and its columns stay empty; the others still run. Exit status 1 when a
backend errs or two proven optima disagree.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from typing import Any

import erlocate
from erlocate import machine
from erlocate.backends import cuopt as cu
from erlocate.backends import get
from erlocate.district import fire_station_case
from erlocate.errors import BackendError, ErlocateError
from erlocate.io import ails_case, orlib_case

#: The smallest AILS case (fewest demand points, fewest facilities).
AILS = "NewYork_p50_r400"


def cases() -> Iterator[tuple[str, Any, Any, float | None]]:
    """(label, model, instance, published optimum) per instance; data errors as (label, err)."""
    for k in range(1, 6):
        try:
            c = orlib_case(f"pmed{k}")
        except ErlocateError as exc:
            yield f"pmed{k}", None, exc, None
            continue
        yield f"pmed{k} (dense)", c.model.replace(formulation="dense"), c.instance, c.optimum
    try:
        c = ails_case(AILS)
        yield f"{AILS} (MCLP)", c.model, c.instance, c.optimum
    except ErlocateError as exc:
        yield AILS, None, exc, None
    yield "district fire stations (cover all)", *fire_station_case(), None
    model, inst = fire_station_case(mode="max_cover", max_new=3)
    yield "district fire stations (max cover, 3 new)", model, inst, None


def gpu_line() -> str:
    """The GPUs the CUDA driver reports, or why there are none."""
    report = cu.gpu_report()
    devices = report.get("devices") or []
    if devices:
        drv = int(report.get("driver") or 0)
        gpus = ", ".join(f"{d[0]} (cc {d[1]}.{d[2]}, {d[3] / 2**30:.0f} GiB)" for d in devices)
        gpus += f"; driver CUDA {drv // 1000}.{drv % 1000 // 10}"
    else:
        gpus = f"none ({report.get('driver_error') or 'no device'})"
    return f"# GPU: {gpus}"


def solve(name: str, model: Any, inst: Any, seconds: float) -> dict[str, Any]:
    """One run through :func:`erlocate.solve`; failures become a row saying so."""
    start = time.perf_counter()
    try:
        r = erlocate.solve(model, inst, backend=name, time_limit=seconds, raise_on_failure=False)
    except ErlocateError as exc:
        first = str(exc).splitlines()[0][:60]
        return {"status": f"error: {type(exc).__name__}: {first}", "total": 0.0}
    return {
        "status": r.status,
        "objective": r.objective,
        "bound": r.bound,
        "gap": r.gap,
        "seconds": r.runtime,
        "total": time.perf_counter() - start,
    }


def fmt(row: dict[str, Any] | None) -> list[str]:
    """Status, objective, bound, gap, solver and total seconds as table cells."""
    if row is None:
        return ["-"] * 6
    num = [row.get(k) for k in ("objective", "bound")]
    cells = [row["status"]] + ["" if v is None else f"{v:,.10g}" for v in num]
    gap = row.get("gap")
    cells.append("" if gap is None else f"{gap:.2e}")
    cells += [f"{row[k]:.2f}" if row.get(k) is not None else "" for k in ("seconds", "total")]
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--budget", type=float, default=270.0, help="seconds for all runs")
    parser.add_argument("--backends", default="highs,cuopt", help="comma-separated")
    args = parser.parse_args(argv)
    names = [b.strip() for b in args.backends.split(",") if b.strip()]

    print(machine.describe("highs"))
    print(gpu_line())
    usable = []
    for name in names:
        try:
            backend = get(name)
        except BackendError as exc:
            print(f"# {name}: not run: {str(exc).split('; available:')[0]}")
            continue
        usable.append(name)
        print(f"# {name}: {backend.version() or '?'}")
    todo = list(cases())
    runs_left = len(todo) * len(usable)
    deadline = time.perf_counter() + args.budget

    head = ["instance", "optimum"]
    for name in names:
        head += [f"{name} status", "objective", "bound", "gap", "solve s", "total s"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    failed = False
    for label, model, inst, optimum in todo:
        if model is None:
            print(f"| {label} | data missing: {str(inst).splitlines()[0][:70]} |")
            runs_left -= len(usable)
            continue
        cells = [label, "" if optimum is None else f"{optimum:,.10g}"]
        proven = []
        for name in names:
            row = None
            if name in usable:
                share = max(deadline - time.perf_counter(), 1.0) / max(runs_left, 1)
                row = solve(name, model, inst, min(args.time_limit, share))
                runs_left -= 1
                failed |= row["status"].startswith("error")
                if row["status"] == "optimal":
                    proven.append(row["objective"])
            cells += fmt(row)
        if proven and max(proven) - min(proven) > 1e-6 * max(1.0, abs(max(proven))):
            cells[0] += " (OPTIMA DISAGREE)"
            failed = True
        print("| " + " | ".join(cells) + " |", flush=True)
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
