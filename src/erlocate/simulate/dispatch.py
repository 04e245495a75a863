"""Who may answer an incident: per demand point, the sites with units, nearest first.

Built once per simulation, vectorised over the instance's stored pairs; the
event loop (:mod:`~erlocate.simulate.events`) then dispatches by scanning a
point's list for the first site with a free unit. A pair the instance does not
store (unreachable, or beyond its cut-off) is never dispatched.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from erlocate.instance import Instance

__all__ = ["Candidates", "candidates"]


@dataclass(frozen=True)
class Candidates:
    """Per demand point, the sites holding units, by travel cost then site index.

    Attributes
    ----------
    sites, costs : list of list
        ``sites[i]`` / ``costs[i]``: the sites with units that point ``i``
        reaches and their travel costs, nearest first (ties: lower site index).
    reach : list of dict
        ``reach[i][j]``: travel cost from site ``j`` to point ``i`` (the same
        pairs), for the queue: a freed unit takes the oldest waiting incident
        it can reach.
    nearby_units : numpy.ndarray of int
        Units within the standard of each point.
    nearest : numpy.ndarray
        Travel cost of each point's nearest site with units (``inf``: none).
    """

    sites: list[list[int]]
    costs: list[list[float]]
    reach: list[dict[int, float]]
    nearby_units: np.ndarray
    nearest: np.ndarray

    @property
    def unreachable(self) -> np.ndarray:
        """Positions of the demand points no unit reaches."""
        return np.flatnonzero(np.isinf(self.nearest))


def candidates(instance: Instance, units: np.ndarray, limit: float) -> Candidates:
    """The dispatch lists of every demand point (units within ``limit`` counted as nearby)."""
    ok = units[instance.indices] > 0
    rows, cols, cost = instance.pair_rows[ok], instance.indices[ok], instance.costs[ok]
    order = np.lexsort((cols, cost, rows))
    rows, cols, cost = rows[order], cols[order], cost[order]
    n = instance.n_demand
    bounds = np.searchsorted(rows, np.arange(n + 1))
    site_lists = [cols[a:b].tolist() for a, b in pairwise(bounds)]
    cost_lists = [cost[a:b].tolist() for a, b in pairwise(bounds)]
    reach = [dict(zip(s, c, strict=True)) for s, c in zip(site_lists, cost_lists, strict=True)]
    near = cost <= limit
    nearby = np.bincount(rows[near], weights=units[cols[near]], minlength=n).astype(np.int64)
    nearest = np.full(n, np.inf)
    has = bounds[1:] > bounds[:-1]
    nearest[has] = cost[bounds[:-1][has]]
    return Candidates(site_lists, cost_lists, reach, nearby, nearest)
