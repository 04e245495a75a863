"""CP-SAT translation routes: seconds from the canonical Milp to a model CP-SAT starts on.

    python benchmarks/cpsat_translate.py [--n 1000] [--m 200] [--p 10] [--repeats 3]

The Milp is the dense p-median on ``erlocate.datasets.random_euclidean(n, m,
seed=0)`` with integral costs (rounded), so that every route applies. Routes:

* ``to_cpsat``: what the ``"cpsat"`` backend does — the exact integer form
  (:func:`erlocate.backends.integer_scaling.to_integers`), domains as one
  run-length text-format string, one ``LinearConstraintProto`` per row;
* ``proto loop``: the same proto with one ``variables.add()`` per column;
* ``text rows``: rows as one text-format string parsed in C++;
* ``model_builder``: ``fill_model_from_sparse_data`` + one ``set_var_integrality``
  per column (what ``ModelSolverHelper("sat")`` would take), and separately the
  time CP-SAT then spends converting it (``sat`` solve with a 0.01 s limit:
  presolve and MPModel → CP-SAT conversion, which use tolerances).

Prints a Markdown table of median seconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mbh
from ortools.sat.python import cp_model_helper as cmh

import erlocate
from erlocate.backends.cpsat import to_cpsat
from erlocate.backends.integer_scaling import to_integers
from erlocate.datasets import random_euclidean
from erlocate.machine import describe


def median_seconds(step: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def proto_loop(milp: erlocate.Milp) -> cmh.CpModelProto:
    im = to_integers(milp)
    proto = cmh.CpModelProto()
    add_var = proto.variables.add
    for lo, hi in zip(im.col_lb.tolist(), im.col_ub.tolist(), strict=True):
        add_var().domain.extend((lo, hi))
    idx, val, ptr = im.A.indices.tolist(), im.A.data.tolist(), im.A.indptr.tolist()
    add = proto.constraints.add
    for a, b, lo, hi in zip(ptr[:-1], ptr[1:], im.row_lb.tolist(), im.row_ub.tolist(), strict=True):
        lin = add().linear
        lin.vars.extend(idx[a:b])
        lin.coeffs.extend(val[a:b])
        lin.domain.extend((lo, hi))
    return proto


def text_rows(milp: erlocate.Milp) -> cmh.CpModelProto:
    proto, im = to_cpsat(milp)
    proto.clear_objective()
    rows = cmh.CpModelProto()
    idx, val = list(map(str, im.A.indices.tolist())), list(map(str, im.A.data.tolist()))
    ptr, join = im.A.indptr.tolist(), ",".join
    text = "".join(
        f"constraints{{linear{{vars:[{join(idx[a:b])}] coeffs:[{join(val[a:b])}] "
        f"domain:[{lo},{hi}]}}}}"
        for a, b, lo, hi in zip(
            ptr[:-1], ptr[1:], im.row_lb.tolist(), im.row_ub.tolist(), strict=True
        )
    )
    rows.parse_text_format(text)
    return rows


def model_builder(milp: erlocate.Milp) -> mbh.ModelBuilderHelper:
    helper = mbh.ModelBuilderHelper()
    helper.fill_model_from_sparse_data(
        milp.col_lb, milp.col_ub, milp.c, milp.row_lb, milp.row_ub, sp.csr_matrix(milp.A)
    )
    for j in range(milp.n_cols):
        helper.set_var_integrality(j, True)
    return helper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="demand points")
    parser.add_argument("--m", type=int, default=200, help="candidate sites")
    parser.add_argument("--p", type=int, default=10, help="sites to open")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    inst = random_euclidean(args.n, args.m, seed=0)
    inst = dataclasses.replace(inst, costs=np.round(inst.costs))
    milp = erlocate.PMedian(args.p, formulation="dense").build(inst)
    helper = model_builder(milp)

    def sat_conversion() -> None:
        solver = mbh.ModelSolverHelper("sat")
        solver.set_time_limit_in_seconds(0.01)
        solver.solve(helper)

    rows = [
        ("to_cpsat (used)", median_seconds(lambda: to_cpsat(milp), args.repeats)),
        ("proto loop", median_seconds(lambda: proto_loop(milp), args.repeats)),
        ("text rows", median_seconds(lambda: text_rows(milp), args.repeats)),
        ("model_builder load", median_seconds(lambda: model_builder(milp), args.repeats)),
        ("model_builder → sat (0.01 s)", median_seconds(sat_conversion, args.repeats)),
    ]
    print(f"# {milp.summary()}")
    print(describe())
    print("| route | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
