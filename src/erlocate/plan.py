"""A plan in model terms (which sites open, who is served where), and the checks on it.

Everything here reads only the input :class:`~erlocate.instance.Instance` and a
:class:`Plan`: never the MILP or the solver's numbers. That is what makes
``Result.verify()`` an independent re-check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from erlocate.inputs import show_ids
from erlocate.instance import Instance

__all__ = ["Plan", "Tolerance", "coverage_counts", "nearest_open", "reassign_nearest"]


@dataclass(frozen=True)
class Tolerance:
    """Numerical tolerances of the verifier (absolute, and relative to the objective)."""

    abs: float = 1e-6
    rel: float = 1e-6

    def close(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.abs + self.rel * max(abs(a), abs(b))


TOL = Tolerance()


@dataclass(frozen=True, eq=False)
class Plan:
    """Open sites and the allocation of demand to them.

    Attributes
    ----------
    open : numpy.ndarray of bool
        One flag per site.
    demand_idx, site_idx : numpy.ndarray of int
        Allocated pairs (positions, not ids).
    share : numpy.ndarray of float
        Share of the demand point's demand sent to the site (1 for single assignment).
    """

    open: np.ndarray
    demand_idx: np.ndarray
    site_idx: np.ndarray
    share: np.ndarray

    @classmethod
    def nearest(cls, instance: Instance, open_mask: np.ndarray) -> Plan:
        """Each demand point allocated wholly to its nearest open site (if it reaches one)."""
        site, _ = nearest_open(instance, open_mask)
        has = site >= 0
        idx = np.flatnonzero(has)
        return cls(open_mask.copy(), idx, site[has], np.ones(idx.size))


def nearest_open(
    instance: Instance, open_mask: np.ndarray, max_cost: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest open site and its cost per demand point (``-1`` / ``inf`` when none).

    Ties go to the lowest site index. Vectorised over the stored pairs.
    """
    ok = open_mask[instance.indices]
    if max_cost is not None:
        ok &= instance.costs <= max_cost
    rows, cols, cost = instance.pair_rows[ok], instance.indices[ok], instance.costs[ok]
    order = np.lexsort((cols, cost, rows))  # by row, then cost, then site index
    rows, cols, cost = rows[order], cols[order], cost[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    site = np.full(instance.n_demand, -1, dtype=np.int64)
    best = np.full(instance.n_demand, np.inf)
    site[rows[first]] = cols[first]
    best[rows[first]] = cost[first]
    return site, best


def reassign_nearest(
    instance: Instance, plan: Plan, rows: np.ndarray, max_cost: float | None = None
) -> Plan:
    """``plan`` with the demand points in the boolean mask ``rows`` served wholly by their
    nearest open site within ``max_cost`` (the others' allocations are kept)."""
    if not rows.any():
        return plan
    site, _ = nearest_open(instance, plan.open, max_cost)
    keep = ~rows[plan.demand_idx]
    moved = np.flatnonzero(rows & (site >= 0))
    i = np.concatenate([plan.demand_idx[keep], moved])
    j = np.concatenate([plan.site_idx[keep], site[moved]])
    share = np.concatenate([plan.share[keep], np.ones(moved.size)])
    order = np.lexsort((j, i))
    return Plan(plan.open, i[order], j[order], share[order])


def coverage_counts(instance: Instance, open_mask: np.ndarray, max_cost: float) -> np.ndarray:
    """Number of open sites within ``max_cost`` of each demand point."""
    ok = open_mask[instance.indices] & (instance.costs <= max_cost)
    return np.bincount(instance.pair_rows[ok], minlength=instance.n_demand)


class Checker:
    """Collects breaches found while re-checking a plan (one message per failed check)."""

    def __init__(self, instance: Instance, plan: Plan, tol: Tolerance = TOL) -> None:
        self.instance = instance
        self.plan = plan
        self.tol = tol
        self.breaches: list[str] = []

    def fail(self, message: str) -> None:
        self.breaches.append(message)

    # Every offending id is named (sorted, once each): a planner must see all of them.
    def _demand_labels(self, idx: np.ndarray) -> str:
        return show_ids(self.instance.demand_ids[np.unique(idx)])

    def _site_labels(self, idx: np.ndarray) -> str:
        return show_ids(self.instance.site_ids[np.unique(idx)])

    # -------------------------------------------------------------- structure
    def structure(self) -> bool:
        """The plan is well formed: one 0/1 open flag per site, integer positions inside
        the instance, one finite share per pair. Later checks index with these, so
        they run only when this returns True."""
        inst, plan = self.instance, self.plan
        ok = True
        open_ = np.asarray(plan.open)
        if open_.shape != (inst.n_sites,):
            self.fail(f"plan has {open_.shape} open flags for {inst.n_sites} sites")
            ok = False
        elif open_.dtype != bool:
            vals = open_.astype(float) if np.issubdtype(open_.dtype, np.number) else None
            if vals is None or not np.isin(vals, (0.0, 1.0)).all():
                bad: Any = np.flatnonzero(~np.isin(vals, (0.0, 1.0))) if vals is not None else []
                self.fail(
                    f"open flags are not 0/1 (dtype {open_.dtype}) at sites "
                    f"{show_ids(inst.site_ids[np.asarray(bad, dtype=np.int64)])}"
                )
                ok = False
        arrays = {"demand_idx": plan.demand_idx, "site_idx": plan.site_idx, "share": plan.share}
        sizes = {k: np.asarray(v).shape for k, v in arrays.items()}
        if len(set(sizes.values())) != 1 or len(next(iter(sizes.values()))) != 1:
            self.fail(f"allocation arrays differ in shape: {sizes}")
            return False
        for name, limit in (("demand_idx", inst.n_demand), ("site_idx", inst.n_sites)):
            arr = np.asarray(arrays[name])
            if arr.size and not np.issubdtype(arr.dtype, np.integer):
                self.fail(f"{name} holds {arr.dtype} values, not integer positions")
                ok = False
            elif arr.size and (arr.min() < 0 or arr.max() >= limit):
                out = np.unique(arr[(arr < 0) | (arr >= limit)])
                self.fail(f"{name} has positions outside 0..{limit - 1}: {show_ids(out)}")
                ok = False
        share = np.asarray(plan.share)
        if share.size and (
            not np.issubdtype(share.dtype, np.number) or not np.isfinite(share).all()
        ):
            self.fail("shares are not all finite numbers")
            ok = False
        return ok

    # -------------------------------------------------------------- sites
    def sites(self, *, p: int | None = None, at_most: bool = False) -> None:
        """Open count equals (or, with ``at_most``, does not exceed) p; required sites open."""
        inst, open_ = self.instance, self.plan.open
        if open_.shape != (inst.n_sites,):
            self.fail(f"plan has {open_.shape} open flags for {inst.n_sites} sites")
            return
        closed_required = np.flatnonzero(inst.required & ~open_)
        if closed_required.size:
            self.fail(f"required sites closed: {self._site_labels(closed_required)}")
        if p is not None:
            n_open = int(open_.sum())
            if (n_open > p) if at_most else (n_open != p):
                self.fail(f"{n_open} sites open, expected {'at most ' if at_most else ''}{p}")

    # -------------------------------------------------------------- allocation
    def allocation(
        self,
        *,
        max_cost: float | None = None,
        single_source: bool = False,
        capacitated: bool = False,
        full: bool = True,
    ) -> np.ndarray:
        """Shares are valid, reach open sites within reach, sum to 1, respect capacities.

        Returns the cost of every allocated pair, looked up in the input data.
        """
        inst, plan = self.instance, self.plan
        i, j, s = plan.demand_idx, plan.site_idx, plan.share
        if i.size and (
            i.min() < 0 or i.max() >= inst.n_demand or j.min() < 0 or j.max() >= inst.n_sites
        ):
            self.fail("allocation refers to demand or site positions outside the instance")
            return np.zeros(0)
        if (s < -self.tol.abs).any() or (s > 1 + self.tol.abs).any():
            self.fail(f"shares outside [0, 1]: min {s.min():g}, max {s.max():g}")
        cost = inst.cost_of(i, j)
        unreachable = ~np.isfinite(cost)
        if unreachable.any():
            self.fail(
                f"{int(unreachable.sum())} allocations to unreachable sites, demand "
                f"{self._demand_labels(i[unreachable])}"
            )
        if max_cost is not None:
            far = cost > max_cost + self.tol.abs
            if far.any():
                self.fail(
                    f"{int(far.sum())} allocations beyond the cut-off {max_cost:g}, demand "
                    f"{self._demand_labels(i[far])}"
                )
        closed = ~plan.open[j]
        if closed.any():
            self.fail(
                f"{int(closed.sum())} allocations to closed sites {self._site_labels(j[closed])}"
            )
        total = np.bincount(i, weights=s, minlength=inst.n_demand)
        if full:
            off = np.flatnonzero(np.abs(total - 1) > 1e-6)
            if off.size:
                self.fail(
                    f"{off.size} demand points not allocated exactly once (shares sum "
                    f"{total[off[0]]:g} for {inst.demand_ids[off[0]]!r}): "
                    f"{self._demand_labels(off)}"
                )
        if single_source:
            split = np.flatnonzero(np.abs(s - np.round(s)) > 1e-6)
            if split.size:
                self.fail(
                    f"single sourcing violated: {split.size} fractional shares, demand "
                    f"{self._demand_labels(i[split])}"
                )
        if capacitated:
            load = np.bincount(j, weights=inst.demand[i] * s, minlength=inst.n_sites)
            over = np.flatnonzero(load > inst.capacities * (1 + self.tol.rel) + self.tol.abs)
            if over.size:
                each = ", ".join(
                    f"{inst.site_ids[k]!r} (load {load[k]:g} > {inst.capacities[k]:g})"
                    for k in over
                )
                self.fail(f"capacity exceeded at {over.size} sites: {each}")
        return cost

    def nearest_allocation(self, cost: np.ndarray) -> None:
        """Every share goes to a nearest open site (a necessary optimality condition)."""
        _, best = nearest_open(self.instance, self.plan.open)
        worse = cost > best[self.plan.demand_idx] + self.tol.abs + self.tol.rel * np.abs(cost)
        if worse.any():
            self.fail(
                f"{int(worse.sum())} demand points served by a farther site than the nearest "
                f"open one although the plan is reported optimal: "
                f"{self._demand_labels(self.plan.demand_idx[worse])}"
            )

    # -------------------------------------------------------------- objective
    def objective(
        self, recomputed: float, reported: float | None, *, sense: str, exact: bool, optimal: bool
    ) -> None:
        """Compare the objective recomputed from data with the reported one.

        ``exact`` models must agree always. Others (whose decoding may only
        improve the solver's incumbent) must be no worse, and equal when optimal.
        """
        if reported is None:
            self.fail("no objective reported")
            return
        if self.tol.close(recomputed, reported):
            return
        better = recomputed < reported if sense == "min" else recomputed > reported
        if exact or optimal or not better:
            self.fail(
                f"objective recomputed from the data is {recomputed:.10g}, reported {reported:.10g}"
            )

    def bound(self, objective: float | None, bound: float | None, sense: str) -> None:
        """A proven bound must lie on the right side of the objective."""
        if objective is None or bound is None or not np.isfinite(bound):
            return
        wrong = bound > objective if sense == "min" else bound < objective
        if wrong and not self.tol.close(bound, objective):
            self.fail(f"bound {bound:.10g} is on the wrong side of objective {objective:.10g}")
