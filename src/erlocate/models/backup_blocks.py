r"""The MILP blocks and checks of backup coverage: cover rows, and capacitated assignments.

Uncapacitated (:func:`add_backup_cover`): first and second coverage per demand
point (or per merged row), BACOP2 of Hogan & ReVelle (1986).

Capacitated, after Pirkul & Schilling (1989): every demand point's first cover is an
assignment to an open site within the standard :math:`S`, its backup an
assignment to a *different* open site within :math:`S`, and each site's
workload counts the first assignments fully and the backup ones with a
factor :math:`\beta` (``backup_load``):

.. math::

    \sum_j z^1_{ij} = y_i \le 1,\qquad \sum_j z^2_{ij} = u_i \le y_i,\qquad
    z^1_{ij} + z^2_{ij} \le x_j,\qquad
    \sum_i d_i (z^1_{ij} + \beta z^2_{ij}) \le K_j x_j,

over the pairs with :math:`c_{ij} \le S` only. Split shares
(``single_source=False``) make :math:`y_i, u_i` the *shares* of point
:math:`i`'s demand covered first and backed up; with ``single_source=True``
the :math:`z` are binary and each point has one first and one backup site.
The plan holds both roles (:class:`BackupPlan`); the checks read only the
input data and the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.blocks import Pairs, add_assignment, encode_assignment
from erlocate.models.mclp import add_cover_rows, coverable
from erlocate.models.reduce import merge_rows
from erlocate.plan import Checker, Plan

__all__ = [
    "BackupPlan",
    "add_backup_assignment",
    "add_backup_cover",
    "backup_breaches",
    "backup_of",
    "backup_plan",
    "backup_shares",
    "encode_backup",
    "merged_rows",
]


@dataclass(frozen=True, eq=False)
class BackupPlan(Plan):
    """A :class:`~erlocate.plan.Plan` with a second (backup) allocation.

    The inherited ``demand_idx`` / ``site_idx`` / ``share`` are the *first*
    covers; ``backup_demand_idx`` / ``backup_site_idx`` / ``backup_share``
    the backup covers (positions, not ids), at other open sites within the
    standard.
    """

    backup_demand_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    backup_site_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    backup_share: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def backup(self) -> Plan:
        """The backup allocation as a plain :class:`~erlocate.plan.Plan` (same open sites)."""
        return Plan(self.open, self.backup_demand_idx, self.backup_site_idx, self.backup_share)


def backup_of(plan: Plan) -> Plan:
    """A plan's backup allocation (none for a plain :class:`~erlocate.plan.Plan`)."""
    if isinstance(plan, BackupPlan):
        return plan.backup()
    empty = np.zeros(0, dtype=np.int64)
    return Plan(plan.open, empty, empty, np.zeros(0))


def merged_rows(instance: Instance, max_cost: float) -> int:
    """How many rows :func:`add_backup_cover` keeps with ``reduce=True``."""
    return int(merge_rows(instance, max_cost)[1].size)


def add_backup_cover(
    b: MilpBuilder,
    instance: Instance,
    x: np.ndarray,
    max_cost: float,
    theta: float,
    *,
    reduce: bool,
) -> None:
    """Blocks ``covered`` (y) and ``backup`` (u), rows ``cover`` and ``backup_after_first``.

    Objective ``theta * w @ y + (1 - theta) * w @ u``. ``reduce``: one row per class
    of demand points with identical :math:`N_i` (weights added, weightless dropped;
    exact, :func:`~erlocate.models.reduce.merge_rows`); else one per coverable point.
    """
    integer = theta < 0.5
    if reduce:
        A, w = merge_rows(instance, max_cost)
    else:
        w = instance.weights[coverable(instance, max_cost)]
    # theta >= 1/2, binary x: for k open sites covering a row, (y, u) ranges over
    # y + u <= k, u <= y, [0, 1]^2, whose only fractional vertex (1/2, 1/2) at k = 1 is
    # worth w/2 <= theta w, the value of (1, 0): some optimum is integral (implied integer)
    kw: dict[str, Any] = {"ub": 1.0, "integer": integer, "implied_integer": not integer}
    y = b.add_cols("covered", w.size, obj=theta * w, **kw)
    u = b.add_cols("backup", w.size, obj=(1 - theta) * w, **kw)
    k = np.arange(w.size)
    if reduce:
        coo = A.tocoo()
        b.add_rows(
            "cover",
            rows=np.concatenate([coo.row, k, k]),
            cols=np.concatenate([x[coo.col], y, u]),
            vals=np.concatenate([np.ones(coo.row.size), -np.ones(2 * w.size)]),
            lb=0.0,
            n_rows=w.size,
        )
    else:
        add_cover_rows(b, instance, x, max_cost, [y, u])
    b.add_rows(  # u_i - y_i <= 0
        "backup_after_first",
        rows=np.concatenate([k, k]),
        cols=np.concatenate([u, y]),
        vals=np.concatenate([np.ones(k.size), -np.ones(k.size)]),
        ub=0.0,
        n_rows=k.size,
    )


def add_backup_assignment(
    b: MilpBuilder,
    instance: Instance,
    pairs: Pairs,
    x: np.ndarray,
    obj_first: np.ndarray,
    obj_backup: np.ndarray,
    *,
    backup_load: float,
    integer: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Blocks ``assign`` (first) and ``backup_assign`` with the rows of the module doc.

    ``obj_first`` / ``obj_backup`` are per pair. Rows: ``assign_once`` and
    ``backup_assign_once`` (each point at most once), ``backup_after_first``
    (:math:`u_i \\le y_i`), ``first_backup_link`` (:math:`z^1_{ij} + z^2_{ij} \\le x_j`)
    and ``capacity`` for every site with a finite capacity.
    """
    z1 = add_assignment(
        b, instance, pairs, x, obj=obj_first, integer=integer, link=False, at_most_once=True
    )
    z2 = add_assignment(
        b,
        instance,
        pairs,
        x,
        obj=obj_backup,
        integer=integer,
        link=False,
        at_most_once=True,
        name="backup_assign",
    )
    n, k = len(pairs), np.arange(len(pairs))
    b.add_rows(  # sum_j z2_ij - sum_j z1_ij <= 0
        "backup_after_first",
        rows=np.concatenate([pairs.rows, pairs.rows]),
        cols=np.concatenate([z2, z1]),
        vals=np.concatenate([np.ones(n), -np.ones(n)]),
        ub=0.0,
        n_rows=instance.n_demand,
    )
    b.add_rows(  # z1_ij + z2_ij - x_j <= 0: first and backup at different open sites
        "first_backup_link",
        rows=np.concatenate([k, k, k]),
        cols=np.concatenate([z1, z2, x[pairs.cols]]),
        vals=np.concatenate([np.ones(2 * n), -np.ones(n)]),
        ub=0.0,
        n_rows=n,
    )
    finite = np.isfinite(instance.capacities)
    row_of_site = np.full(instance.n_sites, -1, dtype=np.int64)
    row_of_site[finite] = np.arange(int(finite.sum()))
    use = finite[pairs.cols]
    sites = np.flatnonzero(finite)
    d = instance.demand[pairs.rows[use]]
    b.add_rows(  # sum_i d_i (z1_ij + beta z2_ij) - K_j x_j <= 0
        "capacity",
        rows=np.concatenate([row_of_site[pairs.cols[use]]] * 2 + [row_of_site[sites]]),
        cols=np.concatenate([z1[use], z2[use], x[sites]]),
        vals=np.concatenate([d, backup_load * d, -instance.capacities[sites]]),
        ub=0.0,
        n_rows=sites.size,
    )
    return z1, z2


def backup_plan(milp: Milp, pairs: Pairs, x: np.ndarray) -> BackupPlan:
    """Open flags and both allocations (integers rounded, noise dropped: see below)."""
    open_ = np.round(milp.block(x, "open")) > 0.5
    parts = []
    for name in ("assign", "backup_assign"):
        z = milp.block(x, name)
        if milp.integrality[milp.col_blocks[name]].any():
            z = np.round(z)
        # a share at a site decoded closed is within the solver's feasibility tolerance of
        # its link row (z <= x_j ~ 0): noise, dropped; a larger one is kept for the checker
        keep = (z > 1e-9) & (open_[pairs.cols] | (z > 1e-6))
        parts.append((pairs.rows[keep], pairs.cols[keep], z[keep]))
    (i1, j1, s1), (i2, j2, s2) = parts
    return BackupPlan(open_, i1, j1, s1, i2, j2, s2)


def encode_backup(milp: Milp, pairs: Pairs, plan: Plan) -> np.ndarray:
    """A column vector of ``plan``'s open flags and both allocations (pairs outside dropped)."""
    x = encode_assignment(milp, pairs, plan)
    back = backup_of(plan)
    pos = pairs.locate(back.demand_idx, back.site_idx)
    z = np.zeros(len(pairs))
    z[pos[pos >= 0]] = back.share[pos >= 0]
    x[milp.col_blocks["backup_assign"]] = z
    return x


def backup_shares(instance: Instance, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """Each point's first-covered and backed-up share, summed from the plan's allocations."""
    back = backup_of(plan)
    n = instance.n_demand
    first = np.bincount(plan.demand_idx, weights=plan.share, minlength=n)
    second = np.bincount(back.demand_idx, weights=back.share, minlength=n)
    return first, second


def backup_breaches(
    instance: Instance,
    plan: Plan,
    max_cost: float,
    *,
    backup_load: float,
    single_source: bool,
    tol: float = 1e-6,
) -> list[str]:
    """Both allocations and the workloads re-checked from the data (one message per breach).

    First and backup covers go to open sites within ``max_cost``; each point's
    first share is at most 1 and its backup share at most its first; a point's
    first and backup shares at one site add up to at most 1 (different sites
    when single-sourced); every site's load :math:`\\sum_i d_i (z^1_{ij} + \\beta
    z^2_{ij})` is within its capacity.
    """
    out: list[str] = []
    back = backup_of(plan)
    for label, part in (("first cover", plan), ("backup cover", back)):
        c = Checker(instance, part)
        if not c.structure():
            return out + [f"{label}: {m}" for m in c.breaches]
        c.allocation(max_cost=max_cost, single_source=single_source, full=False)
        out += [f"{label}: {m}" for m in c.breaches]
    first, second = backup_shares(instance, plan)
    ids = instance.demand_ids
    over = np.flatnonzero(first > 1 + tol)
    if over.size:
        out.append(f"first cover shares above 1 at {over.size} points, e.g. {ids[over[0]]!r}")
    ahead = np.flatnonzero(second > first + tol)
    if ahead.size:
        k = ahead[0]
        out.append(
            f"backup above first cover at {ahead.size} points, e.g. {ids[k]!r} "
            f"(backup {second[k]:g} > first {first[k]:g})"
        )
    m = instance.n_sites
    keys = np.concatenate(
        [plan.demand_idx * m + plan.site_idx, back.demand_idx * m + back.site_idx]
    )
    uniq, inv = np.unique(keys, return_inverse=True)
    both = np.bincount(inv, weights=np.concatenate([plan.share, back.share]), minlength=uniq.size)
    twice = np.flatnonzero(both > 1 + tol)
    if twice.size:
        i, j = divmod(int(uniq[twice[0]]), m)
        out.append(
            f"first and backup cover at one site add up above 1 for {twice.size} pairs, e.g. "
            f"{ids[i]!r} at {instance.site_ids[j]!r} ({both[twice[0]]:g}); the backup must "
            "come from another site"
        )
    d = instance.demand
    first_load = np.bincount(plan.site_idx, weights=d[plan.demand_idx] * plan.share, minlength=m)
    back_load = np.bincount(back.site_idx, weights=d[back.demand_idx] * back.share, minlength=m)
    load = first_load + backup_load * back_load
    full = np.flatnonzero(load > instance.capacities * (1 + tol) + tol)
    if full.size:
        each = ", ".join(
            f"{instance.site_ids[k]!r} (load {load[k]:g} > {instance.capacities[k]:g})"
            for k in full[:20]
        )
        out.append(
            f"capacity exceeded at {full.size} sites (first + {backup_load:g} × backup load): "
            f"{each}"
        )
    return out
