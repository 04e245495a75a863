r"""Proof that p sites cannot serve every demand point: a packing of demand points.

Demand points whose sets of reachable sites (within the cut-off) are pairwise
disjoint each need an open site of their own: a packing of :math:`k` such points
proves that no plan with fewer than :math:`k` sites serves them all, exactly.
(It is an integral dual solution of the set cover LP :math:`\min \sum_j x_j`,
:math:`\sum_{j \in N_i} x_j \ge 1`, so it bounds the location set covering
optimum from below.)

The packing is grown in rounds, all points at once (Luby's maximal independent
set on the points' conflict graph, priorities by fewest reachable sites): a
point joins when it has the best priority at each of its sites among the
points still free; the points sharing a site with it leave. Each round is a few
passes over the pairs; the rounds stop when no point is free (the packing is
maximal) or after :data:`MAX_ROUNDS`.
"""

from __future__ import annotations

import numpy as np

from erlocate.errors import InfeasibleError
from erlocate.instance import Instance

__all__ = ["MAX_ROUNDS", "cover_precheck", "disjoint_packing"]

#: Rounds of the packing at most (the packing so far is a proof whenever it stops).
MAX_ROUNDS = 100


def disjoint_packing(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_sites: int) -> np.ndarray:
    """Demand rows whose site sets (the pairs ``(rows, cols)``) are pairwise disjoint.

    Parameters
    ----------
    rows, cols : numpy.ndarray
        The reachable (demand row, site) pairs.
    n_rows, n_sites : int

    Returns
    -------
    numpy.ndarray
        Sorted row indices; no site is reachable from two of them.
    """
    deg = np.bincount(rows, minlength=n_rows)
    prio = np.empty(n_rows, np.int64)
    prio[np.lexsort((np.arange(n_rows), deg))] = np.arange(n_rows)  # fewest sites first
    alive = deg > 0
    chosen = np.zeros(n_rows, bool)
    used = np.zeros(n_sites, bool)
    for _ in range(MAX_ROUNDS):
        if not alive.any():
            break
        keep = alive[rows]
        r, c = rows[keep], cols[keep]
        best = np.full(n_sites, n_rows, np.int64)
        np.minimum.at(best, c, prio[r])
        beaten = np.bincount(r, weights=best[c] != prio[r], minlength=n_rows) > 0
        win = alive & ~beaten  # unique priorities: two winners never share a site
        chosen |= win
        used[c[win[r]]] = True
        alive &= ~(np.bincount(r, weights=used[c], minlength=n_rows) > 0)
    return np.flatnonzero(chosen)


def cover_precheck(
    instance: Instance, rows: np.ndarray, cols: np.ndarray, p: int, field: str | None = "max_cost"
) -> None:
    """InfeasibleError when more than ``p`` demand points share no reachable site.

    Parameters
    ----------
    instance : Instance
    rows, cols : numpy.ndarray
        The pairs a plan may assign over (e.g. :class:`~erlocate.models.blocks.Pairs`).
    p : int
        Sites a plan opens.
    field : str, optional
        The cut-off parameter the message tells to raise (besides ``p``); None
        when the instance's own reach (its pairs) is the limit.
    """
    n, m = instance.n_demand, instance.n_sites
    if p >= n or rows.size >= n * m:  # every point could have its own site, or all reach all
        return
    packed = disjoint_packing(rows, cols, n, m)
    if packed.size <= p:
        return
    ids = ", ".join(repr(v) for v in instance.demand_ids[packed[:10]].tolist())
    more = f" (first 10: {ids})" if packed.size > 10 else f" ({ids})"
    within, fix = (f"within {field}", f"raise {field} or p") if field else ("they reach", "raise p")
    raise InfeasibleError(
        f"these {packed.size} demand points share no site {within}{more}, so at "
        f"least {packed.size} sites are needed to serve them all, p = {p}; {fix}"
    )
