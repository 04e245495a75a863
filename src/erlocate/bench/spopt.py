"""The same instances through PySAL's spopt and through erlocate: :func:`spopt_compare`.

spopt (https://pysal.org/spopt) builds its location models as PuLP problems
(``PMedian.from_cost_matrix``, ``MCLP.from_cost_matrix``,
``LSCP.from_cost_matrix``) and solves them with a PuLP solver. Here both
libraries use the same solver: ``"highs"`` is PuLP's ``HiGHS`` (highspy) for
spopt and erlocate's ``highs`` backend; ``"cbc"`` is PuLP's ``PULP_CBC_CMD``
for spopt and erlocate's ``pulp`` backend (CBC).

Which cases are comparable: uncapacitated p-median without a cut-off, MCLP,
and LSCP. spopt's LSCP counts open sites, so LSCP cases are solved by *both*
libraries with unit site costs. spopt needs a dense cost matrix; p-median
cases with unreachable pairs are skipped.

``status`` is what each library reports. spopt reports PuLP's problem status
(``"Optimal"`` for status 1) and raises ``RuntimeError`` when it is not 1 (the
message goes to ``error``). With PuLP 3.3 a time-limited run ends as
``"Not Solved"`` even when the solver holds a good plan, and the objective then
read from the PuLP variables is whatever values were left behind: on ``pmed6``
with a 5 s limit it was 7783.5 with CBC (below the proven optimum 7824, so not a
valid plan) and 0.0 with HiGHS, while erlocate reported ``"feasible"`` plans of
11457 and 8319 with their bounds, both re-verified against the data. The
``solution`` column is PuLP's solution status (``sol_status``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import pandas as pd

from erlocate.bench.suites import Case, CaseRef, as_case, suite
from erlocate.errors import InputError

__all__ = ["spopt_compare"]

_BACKEND = {"highs": "highs", "cbc": "pulp"}


def _pulp_solver(solver: str, time_limit: float | None):
    import pulp

    if solver == "highs":
        return pulp.HiGHS(msg=False, timeLimit=time_limit)
    return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)


def _kind(model: Any) -> str | None:
    name = type(model).__name__
    if name == "PMedian":
        plain = not getattr(model, "capacitated", False) and model.max_cost is None
        return "pmedian" if plain else None
    if name in ("MCLP", "LSCP"):
        return name.lower()
    return None


def _spopt_row(case: Case, kind: str, cost: np.ndarray, solver: str, tl: float | None) -> dict:
    import pulp
    from spopt.locate import LSCP, MCLP, PMedian

    inst, model = case.instance, cast(Any, case.model)  # a PMedian, MCLP or LSCP by ``kind``
    row: dict[str, Any] = {"tool": "spopt"}
    start = time.perf_counter()
    if kind == "pmedian":
        m = PMedian.from_cost_matrix(cost, inst.weights, p_facilities=int(model.p))
    elif kind == "mclp":
        m = MCLP.from_cost_matrix(
            cost, inst.weights, service_radius=float(model.max_cost), p_facilities=int(model.p)
        )
    else:
        m = LSCP.from_cost_matrix(cost, service_radius=float(model.max_cost))
    row["build_s"] = time.perf_counter() - start
    start = time.perf_counter()
    try:
        m.solve(_pulp_solver(solver, tl), results=False)
    except RuntimeError as exc:  # spopt raises when PuLP's status is not 1
        row["error"] = str(exc).splitlines()[0]
    row["solve_s"] = time.perf_counter() - start
    row["status"] = pulp.LpStatus.get(m.problem.status, str(m.problem.status))
    row["solution"] = pulp.LpSolution.get(m.problem.sol_status, str(m.problem.sol_status))
    value = pulp.value(m.problem.objective)
    row["objective"] = None if value is None else float(value)
    return row


def spopt_compare(
    cases: Iterable[Any] | str,
    solver: str = "highs",
    *,
    time_limit: float | None = None,
) -> pd.DataFrame:
    """Solve each comparable case with spopt and with erlocate, same solver.

    Parameters
    ----------
    cases : iterable or str
        Cases or a suite name, as for :func:`erlocate.bench.run`; cases that
        spopt cannot state (capacitated, p-median with a cut-off or unreachable
        pairs, other models) are left out.
    solver : {"highs", "cbc"}
        PuLP solver for spopt and the matching erlocate backend.
    time_limit : float, optional
        Solver seconds per run, for both libraries.

    Returns
    -------
    pandas.DataFrame
        Two rows per case (``tool`` = ``"spopt"`` / ``"erlocate"``): instance,
        model, tool, solver, status (as the library reports it), solution
        (PuLP's solution status; spopt only), objective, build_s, solve_s,
        total_s, note, error. erlocate's ``solve_s`` includes decoding the plan and
        re-verifying it (:meth:`erlocate.Result.verify`).

    Raises
    ------
    ImportError
        spopt is not installed (``pip install 'erlocate[bench]'``).
    InputError
        Unknown solver.
    """
    try:
        import spopt.locate  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "spopt_compare needs spopt: pip install 'erlocate[bench]' (or pip install spopt)"
        ) from exc
    if solver not in _BACKEND:
        raise InputError(f"solver: {solver!r} is not one of {list(_BACKEND)}", field="solver")
    from erlocate.instance import Instance
    from erlocate.models import LSCP
    from erlocate.solve import solve

    if isinstance(cases, str):
        cases = suite(cases)
    rows: list[dict[str, Any]] = []
    for item in cases:
        case = item.load() if isinstance(item, Case | CaseRef) else as_case(item)
        kind = _kind(case.model)
        if kind is None:
            continue
        inst, model, note = case.instance, case.model, ""
        cost = inst.dense_costs()
        if kind == "pmedian" and not np.isfinite(cost).all():
            continue
        if kind == "lscp":
            inst = Instance.from_matrix(
                cost,
                weights=inst.weights,
                demand_ids=inst.demand_ids,
                site_ids=inst.site_ids,
                name=inst.name,
            )
            model, note = LSCP(max_cost=cast(float, model.max_cost)), "unit site costs"
            case = Case(case.name, model, inst, suite=case.suite)
        if kind == "mclp" or kind == "lscp":
            cost = np.where(np.isfinite(cost), cost, 1e12)
        base = {"instance": case.name, "model": type(model).__name__, "solver": solver}
        row = _spopt_row(case, kind, cost, solver, time_limit)
        rows.append({**base, **row, "note": note})
        start = time.perf_counter()
        result = solve(model, inst, _BACKEND[solver], time_limit=time_limit, raise_on_failure=False)
        wall = time.perf_counter() - start
        rows.append(
            {
                **base,
                "tool": "erlocate",
                "status": result.status,
                "solution": "",
                "objective": result.objective,
                "build_s": result.build_time,
                "solve_s": wall - result.build_time,
                "note": note,
            }
        )
    cols = ["instance", "model", "tool", "solver", "status", "solution", "objective"]
    cols += ["build_s", "solve_s", "total_s", "note", "error"]
    df = pd.DataFrame(rows, columns=cols)
    df["total_s"] = df["build_s"] + df["solve_s"]
    df["error"] = df["error"].astype(object).fillna("")
    df.attrs.update(time_limit=time_limit, solver=solver)
    return df
