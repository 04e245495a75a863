"""Fire-station MILP pieces beyond the core: second coverage, closest districts, tie-break.

:func:`second_rows` adds second coverage (a requirement, or the BACOP2-like
objective term with its u_i columns), :func:`closest_rows` the
closest-assignment rows (Gerrard & Church 1996), :func:`two_stage` the exact
least-cost tie-break of ``max_cover``; see
:class:`~erlocate.planning.firestations.FireStations` for the formulation.
"""

from __future__ import annotations

from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from erlocate.backends.base import SolveOptions
from erlocate.decomposition.loop import LoopOutput
from erlocate.instance import Instance
from erlocate.milp import MilpBuilder
from erlocate.plan import Plan
from erlocate.planning._arrays import ranges
from erlocate.planning.firestations.inputs import FireData
from erlocate.planning.lexicographic import second_level

if TYPE_CHECKING:
    from erlocate.planning.firestations.model import FireStations

__all__ = ["closest_rows", "second_points", "second_rows", "two_stage"]


def second_points(instance: Instance, d: FireData) -> np.ndarray:
    """Points that get a u_i: in scope, can be in a district, >= 2 stations within reach."""
    n_near = np.bincount(d.rows, minlength=instance.n_demand)
    return np.flatnonzero(d.second & ~d.blank & (n_near >= 2))


def second_rows(
    model: FireStations,
    b: MilpBuilder,
    instance: Instance,
    d: FireData,
    x: np.ndarray,
    z: np.ndarray,
    ri: np.ndarray,
) -> None:
    """Second coverage: the requirement rows, or the u_i columns and their two row blocks."""
    local = np.full(instance.n_demand, -1, dtype=np.int64)
    if model.second_cover == "require":
        key = np.flatnonzero(d.second)
        local[key] = np.arange(key.size)
        sel = d.second[d.rows]
        b.add_rows(  # sum_{j in N_i} x_j >= 2
            "second_required",
            rows=local[d.rows[sel]],
            cols=x[d.cols[sel]],
            vals=1.0,
            lb=2.0,
            n_rows=key.size,
        )
        return
    pts = second_points(instance, d)
    local[pts] = np.arange(pts.size)
    sign = -1.0 if model.mode == "cover_all" else 1.0
    u = b.add_cols("second", pts.size, obj=sign * model.beta * d.weight[pts], ub=1.0)
    near = local[d.rows] >= 0
    zsel = local[ri] >= 0
    k = np.arange(pts.size)
    b.add_rows(  # sum_{N_i} x_j - sum_j z_ij - u_i >= 0
        "second_cover",
        rows=np.concatenate([local[d.rows[near]], local[ri[zsel]], k]),
        cols=np.concatenate([x[d.cols[near]], z[zsel], u]),
        vals=np.concatenate([np.ones(int(near.sum())), -np.ones(int(zsel.sum()) + k.size)]),
        lb=0.0,
        n_rows=pts.size,
    )
    b.add_rows(  # u_i - sum_j z_ij <= 0
        "second_after_first",
        rows=np.concatenate([k, local[ri[zsel]]]),
        cols=np.concatenate([u, z[zsel]]),
        vals=np.concatenate([np.ones(k.size), -np.ones(int(zsel.sum()))]),
        ub=0.0,
        n_rows=pts.size,
    )


def closest_rows(b: MilpBuilder, d: FireData, x: np.ndarray, z: np.ndarray) -> None:
    """sum_{k usable for i, d_ik <= d_ij} z_ik - x_j >= 0 for every usable pair (i, j)."""
    r, c, t = d.rows[d.use], d.cols[d.use], d.time[d.use]
    order = np.lexsort((c, t, r))
    r, t = r[order], t[order]
    p = r.size
    change = np.ones(p, dtype=bool)
    change[1:] = (r[1:] != r[:-1]) | (t[1:] != t[:-1])
    tie_end = np.append(np.flatnonzero(change)[1:] - 1, p - 1)[np.cumsum(change) - 1]
    start = np.searchsorted(r, r, side="left")
    size = tie_end - start + 1
    row = np.repeat(np.arange(p), size)
    pos = ranges(start, size)
    b.add_rows(
        "closest",
        rows=np.concatenate([row, np.arange(p)]),
        cols=np.concatenate([z[order[pos]], x[c[order]]]),
        vals=np.concatenate([np.ones(row.size), -np.ones(p)]),
        lb=0.0,
        n_rows=p,
    )


def two_stage(
    model: FireStations,
    instance: Instance,
    backend: ModuleType,
    options: SolveOptions,
    start: Plan | None,
) -> LoopOutput | None:
    """max_cover: coverage first, then least cost among plans of that coverage (else None).

    Stage 2 (:func:`~erlocate.planning.lexicographic.second_level`) is kept only
    if its plan holds stage 1's coverage when recomputed from the data.
    """
    if model.mode != "max_cover":
        return None
    milp = model.build(instance)
    x0 = None if start is None else model.encode(instance, milp, start)
    first = backend.solve(milp, replace(options, warm_start=x0))
    d = model._prepare(instance)
    js, ts = np.nonzero(d.allowed)
    cost = np.zeros(milp.n_cols)
    cost[milp.col_blocks["open"]] = d.fixed * d.counted
    cost[milp.col_blocks["type"]] = d.cost[ts] * d.counted[js]
    lex = second_level(milp, first, cost, backend, options)
    best, out = first, first
    if lex.second is not None and lex.second.x is not None:
        plan2 = model.decode(instance, milp, lex.second.x)
        plan1 = model.decode(instance, milp, first.x)
        # keep stage 2 only if it holds stage 1's coverage when recomputed from data
        v1, v2 = model.evaluate(instance, plan1), model.evaluate(instance, plan2)
        if v2 >= v1 - 1e-9 * max(1.0, abs(v1)):
            best = replace(lex.second, objective=first.objective)
            # coverage stays proven optimal; the tie-break's own status is in termination
            out = replace(
                first,
                runtime=first.runtime + lex.second.runtime,
                termination=f"{first.termination}; {lex.note}",
            )
    plan = None if best.x is None else model.decode(instance, milp, best.x)
    size = {"rows": milp.n_rows, "cols": milp.n_cols, "nnz": milp.nnz}
    size["int_cols"] = int(milp.integrality.sum())
    return LoopOutput(replace(out, x=None), plan, size)
