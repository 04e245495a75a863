"""The MILP blocks the classical models share: open flags, p, assignment, capacities."""

from __future__ import annotations

import numpy as np

from erlocate.errors import InfeasibleError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.size import check_build_size
from erlocate.plan import Plan

__all__ = [
    "Pairs",
    "add_assignment",
    "add_capacity",
    "add_count",
    "add_link",
    "add_open",
    "assignment_plan",
    "capacity_precheck",
    "encode_assignment",
    "locate_pairs",
    "single_source_precheck",
    "weighted_cost",
]


class Pairs:
    """The demand–site pairs a model allocates over (reachable and within the cut-off)."""

    def __init__(self, instance: Instance, max_cost: float | None) -> None:
        mask = instance.pair_mask(max_cost)
        rows, cols, cost = instance.pair_rows, instance.indices, instance.costs
        if mask.all():  # the instance's read-only arrays, not copies (cut instances)
            self.rows, self.cols, self.cost = rows, cols, cost
        else:
            self.rows, self.cols, self.cost = rows[mask], cols[mask], cost[mask]
        self.n_sites = instance.n_sites

    def __len__(self) -> int:
        return self.rows.size

    def locate(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Position of each (i, j) among the pairs (-1 where absent)."""
        return locate_pairs(self.rows, self.cols, self.n_sites, i, j)


def locate_pairs(
    rows: np.ndarray, cols: np.ndarray, n_sites: int, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Position of each (i, j) among pairs sorted by (row, col) (-1 where absent)."""
    keys = rows * n_sites + cols
    q = np.asarray(i, dtype=np.int64) * n_sites + np.asarray(j, dtype=np.int64)
    pos = np.searchsorted(keys, q)
    pos_c = np.minimum(pos, max(keys.size - 1, 0))
    ok = (pos < keys.size) & (keys[pos_c] == q) if keys.size else np.zeros(q.shape, bool)
    return np.where(ok, pos_c, -1)


def add_open(b: MilpBuilder, instance: Instance, obj: float | np.ndarray = 0.0) -> np.ndarray:
    """Binary open variables x_j (required sites fixed to 1)."""
    return b.add_cols(
        "open", instance.n_sites, obj=obj, lb=instance.required.astype(float), ub=1.0, integer=True
    )


def add_count(b: MilpBuilder, x: np.ndarray, p: int, *, at_most: bool = False) -> None:
    """sum_j x_j = p (or <= p)."""
    b.add_rows(
        "count",
        rows=np.zeros(x.size),
        cols=x,
        vals=1.0,
        lb=-np.inf if at_most else p,
        ub=p,
        n_rows=1,
    )


def add_assignment(
    b: MilpBuilder,
    instance: Instance,
    pairs: Pairs,
    x: np.ndarray,
    *,
    obj: float | np.ndarray,
    integer: bool = False,
    link: bool = True,
    implied_integer: bool = False,
    at_most_once: bool = False,
    name: str = "assign",
) -> np.ndarray:
    """Assignment shares z_ij with sum_j z_ij = 1 (``<= 1`` with ``at_most_once``, for
    coverage models where a point may go unserved) and (if ``link``) z_ij <= x_j.

    ``implied_integer``: the caller proves that for binary x some optimum has
    integral z (see :attr:`erlocate.milp.Milp.implied_integer`). ``name`` names the
    column block; its rows are ``<name>_once`` and ``<name>_link``, or the historical
    ``assign_once`` / ``link`` for the default name.

    Before allocating, the builder's size so far plus this block's is checked
    against the memory limit (:func:`erlocate.models.size.check_build_size`).
    """
    n = len(pairs)
    check_build_size(
        b.name,
        b.n_cols + n,
        b.n_rows + instance.n_demand + (n if link else 0),
        b.nnz + n * (3 if link else 1),
        pairs=n,
    )
    z = b.add_cols(
        name,
        len(pairs),
        obj=obj,
        lb=0.0,
        ub=1.0,
        integer=integer,
        implied_integer=implied_integer,
    )
    default = name == "assign"
    b.add_rows(
        "assign_once" if default else f"{name}_once",
        rows=pairs.rows,
        cols=z,
        vals=1.0,
        lb=0.0 if at_most_once else 1.0,
        ub=1.0,
        n_rows=instance.n_demand,
    )
    if link:
        add_link(b, z, x[pairs.cols], name="link" if default else f"{name}_link")
    return z


def add_link(
    b: MilpBuilder,
    z: np.ndarray,
    x: np.ndarray,
    scale: float | np.ndarray = 1.0,
    name: str = "link",
) -> None:
    """One row per pair of columns: ``z[k] - scale[k] * x[k] <= 0`` (a use only where open).

    The two parts go to the builder separately (no concatenated copies); row
    numbers are int32 where the count allows.
    """
    z = np.asarray(z)
    k = np.arange(z.size, dtype=np.int32 if z.size < 2**31 - 1 else np.int64)
    b.add_rows(name, rows=k, cols=z, vals=1.0, ub=0.0, n_rows=k.size)
    neg = -scale if np.ndim(scale) == 0 else -np.asarray(scale, dtype=float)
    b.add_entries(name, rows=k, cols=x, vals=neg)


def add_capacity(
    b: MilpBuilder, instance: Instance, pairs: Pairs, x: np.ndarray, z: np.ndarray
) -> None:
    """sum_i d_i z_ij <= K_j x_j for every site with a finite capacity."""
    finite = np.isfinite(instance.capacities)
    row_of_site = np.full(instance.n_sites, -1, dtype=np.int32)
    row_of_site[finite] = np.arange(int(finite.sum()))
    sites = np.flatnonzero(finite)
    if finite.all():
        rows, cols, vals = row_of_site[pairs.cols], z, instance.demand[pairs.rows]
    else:
        use = finite[pairs.cols]
        rows, cols = row_of_site[pairs.cols[use]], z[use]
        vals = instance.demand[pairs.rows[use]]
    b.add_rows("capacity", rows=rows, cols=cols, vals=vals, ub=0.0, n_rows=sites.size)
    caps = -instance.capacities[sites]
    b.add_entries("capacity", rows=row_of_site[sites], cols=x[sites], vals=caps)


def assignment_plan(milp: Milp, pairs: Pairs, x: np.ndarray) -> Plan:
    """Decode open flags and positive shares (integers rounded, noise below 1e-9 dropped)."""
    open_ = np.round(milp.block(x, "open")) > 0.5
    z = milp.block(x, "assign")
    if milp.integrality[milp.col_blocks["assign"]].any():
        z = np.round(z)
    keep = z > 1e-9
    return Plan(open_, pairs.rows[keep], pairs.cols[keep], z[keep])


def encode_assignment(milp: Milp, pairs: Pairs, plan: Plan) -> np.ndarray:
    """Column vector with the plan's open flags and shares (pairs not in the model dropped)."""
    x = np.zeros(milp.n_cols)
    x[milp.col_blocks["open"]] = plan.open.astype(float)
    pos = pairs.locate(plan.demand_idx, plan.site_idx)
    z = np.zeros(len(pairs))
    z[pos[pos >= 0]] = plan.share[pos >= 0]
    x[milp.col_blocks["assign"]] = z
    return x


def weighted_cost(instance: Instance, plan: Plan) -> float:
    """sum over allocations of weight × cost × share, costs looked up in the input."""
    cost = instance.cost_of(plan.demand_idx, plan.site_idx)
    return float(np.sum(instance.weights[plan.demand_idx] * cost * plan.share))


def capacity_precheck(instance: Instance, open_limit: int | None = None) -> None:
    """Derive infeasibility from capacities alone, with numbers."""
    total = float(instance.demand.sum())
    caps = np.sort(instance.capacities)[::-1]
    usable = caps if open_limit is None else caps[:open_limit]
    have = float(usable.sum())
    if have < total * (1 - 1e-12):
        scope = "all sites" if open_limit is None else f"the {open_limit} largest sites"
        raise InfeasibleError(
            f"total capacity of {scope} is {have:,.6g}, below the total demand {total:,.6g}; "
            "raise capacities" + (" or p" if open_limit is not None else "") + " or reduce demand."
        )


def single_source_precheck(instance: Instance, pairs: Pairs) -> None:
    """A demand point served whole needs one reachable site that can hold all of it."""
    fits = instance.demand[pairs.rows] <= instance.capacities[pairs.cols]
    ok = np.bincount(pairs.rows[fits], minlength=instance.n_demand) > 0
    bad = np.flatnonzero(~ok)
    if bad.size:
        k = bad[0]
        raise InfeasibleError(
            f"single sourcing: {bad.size} demand point(s) exceed the capacity of every site they "
            f"can reach, e.g. {instance.demand_ids[k]!r} with demand {instance.demand[k]:g}; "
            f"ids {instance.demand_ids[bad[:10]].tolist()}. Allow split demand "
            "(single_source=False) or raise capacities."
        )
