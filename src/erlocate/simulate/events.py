"""The discrete-event core: one replication of incidents, units and a FIFO queue.

Arrivals come in time order from arrays drawn beforehand (vectorised); the
only events kept in a heap are units coming free. At an arrival the incident's
point scans its dispatch list (:class:`~erlocate.simulate.dispatch.Candidates`,
nearest first) for a site with a free unit; with none free it joins the queue.
A unit coming free takes the oldest queued incident it can reach, else it
waits at its station. A unit is busy from its dispatch for the incident's
service time plus ``busy_travel`` × the travel time. Events at the same instant:
units come free before an arrival is dispatched.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from erlocate.simulate.dispatch import Candidates

__all__ = ["Outcome", "run"]


@dataclass(frozen=True)
class Outcome:
    """What happened to each incident of one replication (arrays in arrival order).

    Attributes
    ----------
    site : numpy.ndarray of int
        The site whose unit answered (``-1``: no unit reaches the point; never answered).
    wait : numpy.ndarray
        Time from the call to the dispatch (``nan`` when never answered).
    travel : numpy.ndarray
        Travel cost of the answering unit (``inf`` when never answered).
    nearby_free : numpy.ndarray of bool
        A unit within the standard was free at the call.
    waited : numpy.ndarray of bool
        No unit that reaches the point was free at the call (the incident queued).
    busy : numpy.ndarray
        Busy time the incident gave its unit (0 when never answered).
    """

    site: np.ndarray
    wait: np.ndarray
    travel: np.ndarray
    nearby_free: np.ndarray
    waited: np.ndarray
    busy: np.ndarray


def run(
    cand: Candidates,
    units: np.ndarray,
    points: np.ndarray,
    times: np.ndarray,
    service: np.ndarray,
    limit: float,
    busy_travel: float,
) -> Outcome:
    """Simulate incidents at ``points`` calling at ``times`` (ascending) with ``service`` times.

    ``limit`` is the largest travel cost within the standard. The queue is
    drained after the last call, so every incident that some unit reaches is
    answered.
    """
    n = int(points.size)
    pts, arrive, serve = points.tolist(), times.tolist(), service.tolist()
    sites_of, costs_of, reach = cand.sites, cand.costs, cand.reach
    free = units.tolist()
    site = [-1] * n
    wait = [math.nan] * n
    travel = [math.inf] * n
    near = [False] * n
    waited = [False] * n
    busy = [0.0] * n
    heap: list[tuple[float, int]] = []
    queue: deque[int] = deque()
    push, pop = heapq.heappush, heapq.heappop

    def dispatch(k: int, j: int, t: float, c: float) -> None:
        site[k], wait[k], travel[k] = j, t - arrive[k], c
        b = serve[k] + busy_travel * c
        busy[k] = b
        push(heap, (t + b, j))

    def release(t: float, j: int) -> None:
        """A unit of site ``j`` comes free at ``t``: the oldest queued incident it reaches."""
        for pos, k in enumerate(queue):
            c = reach[pts[k]].get(j)
            if c is not None:
                del queue[pos]
                dispatch(k, j, t, c)
                return
        free[j] += 1

    for k in range(n):
        t = arrive[k]
        while heap and heap[0][0] <= t:
            done, j = pop(heap)
            release(done, j)
        i = pts[k]
        sites = sites_of[i]
        for pos, j in enumerate(sites):
            if free[j]:
                free[j] -= 1
                c = costs_of[i][pos]
                near[k] = c <= limit
                dispatch(k, j, t, c)
                break
        else:
            if sites:
                waited[k] = True
                queue.append(k)
    while queue:
        done, j = pop(heap)
        release(done, j)
    return Outcome(
        site=np.array(site, dtype=np.int64),
        wait=np.array(wait),
        travel=np.array(travel),
        nearby_free=np.array(near, dtype=bool),
        waited=np.array(waited, dtype=bool),
        busy=np.array(busy),
    )
