"""Fire-station MILP pieces beyond the core: second coverage and closest districts.

:func:`second_rows` adds second coverage (a requirement, or the BACOP2-like
objective term with its u_i columns), :func:`closest_rows` the
closest-assignment rows (Gerrard & Church 1996); see
:class:`~erlocate.planning.firestations.FireStations` for the formulation and
:mod:`~erlocate.planning.firestations.formulation` for the rest of the MILP.
"""

from __future__ import annotations

import numpy as np

from erlocate.milp import MilpBuilder
from erlocate.planning.arrays import ranges
from erlocate.planning.firestations.inputs import FireData

__all__ = ["closest_rows", "second_points", "second_rows"]


def second_points(d: FireData) -> np.ndarray:
    """Points that get a u_i: in scope, can be in a district, >= 2 stations within reach."""
    n_near = np.bincount(d.rows, minlength=d.instance.n_demand)
    return np.flatnonzero(d.second & ~d.blank & (n_near >= 2))


def second_rows(b: MilpBuilder, d: FireData, x: np.ndarray, z: np.ndarray, ri: np.ndarray) -> None:
    """Second coverage: the requirement rows, or the u_i columns and their two row blocks.

    ``x`` are the open columns, ``z`` the district columns of the pairs whose points are ``ri``.
    """
    local = np.full(d.instance.n_demand, -1, dtype=np.int64)
    if d.params.second_cover == "require":
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
    pts = second_points(d)
    local[pts] = np.arange(pts.size)
    sign = -1.0 if d.params.mode == "cover_all" else 1.0
    u = b.add_cols("second", pts.size, obj=sign * d.params.beta * d.weight[pts], ub=1.0)
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


def closest_rows(
    b: MilpBuilder, d: FireData, use: np.ndarray, x: np.ndarray, z: np.ndarray
) -> None:
    """sum_{k usable for i, d_ik <= d_ij} z_ik - x_j >= 0 for every usable pair (i, j).

    ``use`` marks the usable pairs among ``d.rows, d.cols`` (those with a ``z`` column).
    """
    r, c, t = d.rows[use], d.cols[use], d.time[use]
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
