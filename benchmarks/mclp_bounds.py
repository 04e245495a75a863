"""Upper bounds for the AILS-MCLP cases beyond the LP: what other relaxations and solvers give.

    python benchmarks/mclp_bounds.py --instances Bronx_p50_r600 --probe scip-root
    python benchmarks/mclp_bounds.py --instances Bronx_p50_r600 --probe cpsat --time-limit 300
    python benchmarks/mclp_bounds.py --instances NewYork_p80_r400 --probe regions --regions 8

Each probe works on the exactly reduced model (:func:`erlocate.models.reduce.reduce_mclp`:
merged rows, dominated sites dropped) and prints one line: the probe's upper
bound, the published optimum and the gap between them. None of them is used by
the library; they record why ``docs/benchmarks/mclp-ails.md`` leaves 20 cases
unproven.

``scip-root``
    SCIP (PySCIPOpt, ``pip install pyscipopt``; not a dependency) with every
    default separator, stopped after the root node: the LP bound plus SCIP's
    root cuts ({0,1/2}-Chvátal–Gomory, MIR, …).
``cpsat``
    OR-Tools CP-SAT on the pure 0/1 model (``y_i ⇒ OR(x_j, j ∈ N_i)``,
    ``Σ x = p``; the weights are integers, so the model is exact), with
    ``--workers`` workers; its best objective bound at the time limit.
``regions``
    A regional decomposition bound: demand rows are split into ``--regions``
    k-means regions; each site's unit of the count ``Σ x = p`` is split
    between the regions by the share of its covered weight there (in steps of
    ``1/--steps``). For any plan, the coverage of region k is at most
    ``G_k(b_k)``, the best coverage of region k whose sites' shares sum to at
    most ``b_k``, and the ``b_k`` sum to p, so ``max Σ G_k(b_k)`` over
    ``Σ b_k = p`` (a DP over regions; every ``G_k`` an exact MILP in HiGHS) bounds
    every plan. It drops consistency between regions; it is exact within each.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp
from scipy.cluster.vq import kmeans2
from scipy.optimize import Bounds, LinearConstraint, milp

from erlocate.io.ails import _section, ails_case
from erlocate.machine import describe


def reduced(name: str) -> dict:
    """The reduced 0/1 model of a case: rows × kept sites, integer weights, p, coordinates."""
    case = ails_case(name)
    red = case.model.reduction(case.instance)
    keep = np.flatnonzero(red.keep_sites)
    A = sp.csr_array(red.A)[:, keep]
    A.sort_indices()
    text = case.path.read_text()
    coords = _section(text, case.path, "NODE_COORD_SECTION", "DEMAND_SECTION")
    lat, lon = coords[0::2], coords[1::2]
    # local flat coordinates (km) of each row's representative node, for the regions
    xy = np.column_stack(
        [lon[red.rows] * np.cos(np.radians(lat.mean())) * 111.0, lat[red.rows] * 111.0]
    )
    return dict(
        A=A,
        w=np.round(red.weights).astype(np.int64),
        p=int(case.model.p),
        opt=float(case.optimum),
        xy=xy,
    )


def scip_root(d: dict, time_limit: float) -> float:
    from pyscipopt import Model, quicksum  # optional: pip install pyscipopt

    A, w, p = d["A"], d["w"], d["p"]
    m = Model()
    m.hideOutput()
    x = [m.addVar(vtype="B") for _ in range(A.shape[1])]
    y = [m.addVar(lb=0, ub=1) for _ in range(A.shape[0])]
    for i in range(A.shape[0]):
        m.addCons(y[i] <= quicksum(x[j] for j in A.indices[A.indptr[i] : A.indptr[i + 1]]))
    m.addCons(quicksum(x) == p)
    m.setObjective(quicksum(int(w[i]) * y[i] for i in range(A.shape[0])), "maximize")
    m.setParam("limits/nodes", 1)
    m.setParam("limits/time", time_limit)
    m.optimize()
    return float(m.getDualbound())


def cpsat(d: dict, time_limit: float, workers: int) -> float:
    from ortools.sat.python import cp_model

    A, w, p = d["A"], d["w"], d["p"]
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{j}") for j in range(A.shape[1])]
    y = [m.new_bool_var(f"y{i}") for i in range(A.shape[0])]
    for i in range(A.shape[0]):
        m.add_bool_or([x[j] for j in A.indices[A.indptr[i] : A.indptr[i + 1]]]).only_enforce_if(
            y[i]
        )
    m.add(sum(x) == p)
    m.maximize(sum(int(w[i]) * y[i] for i in range(A.shape[0])))
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = time_limit
    s.parameters.num_workers = workers
    s.solve(m)
    return float(s.best_objective_bound)


def _shares(A: sp.csr_array, w: np.ndarray, lab: np.ndarray, K: int, q: int) -> np.ndarray:
    """Sites × regions integer shares (units of 1/q) summing to q per site."""
    n = A.shape[0]
    R = sp.csr_array((np.ones(n), (np.arange(n), lab)), shape=(n, K))
    cw = (A.T @ sp.diags_array(w.astype(float)) @ R).toarray()
    share = cw / np.maximum(cw.sum(1, keepdims=True), 1e-12) * q
    units = np.floor(share).astype(np.int64)
    short = q - units.sum(1)
    order = np.argsort(-(share - units), axis=1)
    rank = np.argsort(order, axis=1)  # largest remainders first get the missing units
    return units + (rank < short[:, None])


def regions(d: dict, K: int, q: int, sub_limit: float) -> float:
    A, w, p = d["A"], d["w"].astype(float), d["p"]
    _, lab = kmeans2(d["xy"], K, minit="++", seed=1)
    units = _shares(A, d["w"], lab, K, q)
    P = p * q
    dp = np.full(P + 1, -np.inf)
    dp[0] = 0.0
    for k in range(K):
        D = np.flatnonzero(lab == k)
        Ak = A[D]
        S = np.unique(Ak.indices)
        Ak = Ak[:, S]
        nd, ns = Ak.shape
        c = np.concatenate([np.zeros(ns), -w[D]])
        cover = LinearConstraint(sp.hstack([-Ak, sp.eye_array(nd)]).tocsr(), -np.inf, 0)
        row = np.concatenate([units[S, k].astype(float), np.zeros(nd)])[None, :]
        integ = np.concatenate([np.ones(ns), np.zeros(nd)])
        G, full = [0.0], float(w[D].sum())
        while G[-1] < full - 1e-6 and len(G) <= P:
            r = milp(
                c,
                constraints=[cover, LinearConstraint(row, -np.inf, len(G))],
                integrality=integ,
                bounds=Bounds(0, 1),
                options={"time_limit": sub_limit},
            )
            # a stopped MILP contributes its dual bound: still an upper bound on G_k
            G.append(-r.fun if r.status == 0 else -float(r.mip_dual_bound))
        g = np.array(G + [G[-1]] * (P + 1 - len(G)))
        new = np.full(P + 1, -np.inf)
        for u in range(P + 1):
            new[u:] = np.maximum(new[u:], dp[: P + 1 - u] + g[u])
        dp = new
    return float(dp.max())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--instances", required=True, help="comma-separated AILS case names")
    ap.add_argument("--probe", choices=["scip-root", "cpsat", "regions"], required=True)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    ap.add_argument("--regions", type=int, default=8)
    ap.add_argument("--steps", type=int, default=2, help="share granularity 1/steps")
    args = ap.parse_args()
    print(f"{describe()} | probe {args.probe}")
    print("instance            probe       bound          published      gap %   seconds")
    for name in args.instances.split(","):
        d = reduced(name)
        t = time.perf_counter()
        if args.probe == "scip-root":
            b = scip_root(d, args.time_limit)
        elif args.probe == "cpsat":
            b = cpsat(d, args.time_limit, args.workers)
        else:
            b = regions(d, args.regions, args.steps, args.time_limit)
        gap = 100 * (b - d["opt"]) / d["opt"]
        print(
            f"{name:<20}{args.probe:<12}{b:<15.1f}{d['opt']:<15.0f}{gap:<8.3f}"
            f"{time.perf_counter() - t:.1f}"
        )


if __name__ == "__main__":
    main()
