r"""Region search for MCLP: re-solve one neighbourhood at a time as a small MILP (NOT exact).

:func:`mclp_region_search` is a large-neighbourhood search (Shaw 1998; Pisinger
& Ropke 2010) that uses the locality of coverage: a site interacts only with
the sites sharing a demand point with it. Each round

1. picks a **centre**: a random open (not required) site;
2. gathers up to ``region_open`` open sites nearest to it in the site graph
   (two sites are adjacent when they share a demand point, i.e. lie within
   :math:`2S` of each other): neighbours first, then neighbours of
   neighbours, stopping before the region would exceed ``region_sites``
   candidate sites (dense cities get fewer open sites per region);
3. frees the **region**: every allowed, not required site adjacent to one of
   them. All open sites outside the region stay open; the demand they cover
   is a constant;
4. solves the MCLP restricted to the region exactly (the same number of open
   sites inside it as before) with the chosen backend, warm-started with the
   current plan, within ``sub_time_limit`` seconds
   (:func:`erlocate.decomposition.restricted.build_restricted` builds it);
5. keeps the answer when its covered weight, **recomputed from the data**,
   is strictly higher.

Each sub-MILP optimum is the best plan that differs from the current one only
inside the region, so a plan the search returns after a stall is optimal for
every region it tried — a local optimum for a much larger neighbourhood than
one swap. It is still
a heuristic: no bound, no proof. After ``max_stall`` rounds in a row without
improvement both limits grow by half (up to ``4 × region_open`` open sites, a variable
neighbourhood search step; Mladenović & Hansen 1997); the search ends at the
time limit or when the largest region stalls too.

On the AILS city instances (``docs/benchmarks/mclp-ails.md``) it closes part
of what the swap search leaves at large p: Bronx p = 90 went from 1,466 to
948 units below the published optimum in 40 s after a 20 s swap search. At
p = 50 it finds little: the swap search's plans are often already optimal
for every region tried.

References
----------
Shaw, P. (1998). Using constraint programming and local search methods to
solve vehicle routing problems. *CP 1998*, LNCS 1520, 417–431.
Pisinger, D. & Ropke, S. (2010). Large neighborhood search. In *Handbook of
Metaheuristics*, 399–419.
Mladenović, N. & Hansen, P. (1997). Variable neighborhood search.
*Computers & Operations Research* 24(11), 1097–1100.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions
from erlocate.backends.protocol import Backend
from erlocate.deadline import Deadline
from erlocate.decomposition.restricted import (
    RestrictedProblem,
    build_restricted,
    encode_restricted,
)
from erlocate.errors import InputError
from erlocate.heuristics.mclp import allowed_sites, coverage_matrices
from erlocate.instance import Instance
from erlocate.models.checks import check_max_cost, check_positive_int, check_time_limit, open_flags
from erlocate.plan import Plan

__all__ = ["mclp_region_search"]

#: Regions grow by this factor after a stall, up to MAX_GROWTH × region_open.
GROWTH = 1.5
MAX_GROWTH = 4


class _Graph:
    """Site adjacency through shared demand points, one site's neighbours at a time."""

    def __init__(self, A: sp.csr_array) -> None:
        self.A = A
        self.AT = sp.csr_array(A.T)

    def neighbours(self, sites: np.ndarray) -> np.ndarray:
        """Sites sharing a demand point with any of ``sites`` (themselves included)."""
        if sites.size == 0:
            return sites
        rows = np.unique(self.AT[sites].indices)
        return np.unique(self.A[rows].indices)


def _region(
    graph: _Graph,
    centre: int,
    open_: np.ndarray,
    size: int,
    cap: int,
    free_ok: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Free sites of the region around ``centre``: up to ``size`` open sites, nearest
    first, while their neighbourhoods stay within ``cap`` sites (the centre's always counts)."""
    members = np.zeros(open_.size, dtype=bool)
    members[graph.neighbours(np.array([centre]))] = True
    taken, level = 1, np.array([centre])
    seen = np.zeros(open_.size, dtype=bool)
    seen[centre] = True
    while taken < size and level.size:
        nxt = graph.neighbours(level)
        nxt = nxt[~seen[nxt]]
        seen[nxt] = True
        cand = nxt[open_[nxt]]
        rng.shuffle(cand)
        for j in cand:
            nb = graph.neighbours(np.array([j]))
            if int(members.sum()) + int((~members[nb]).sum()) > cap:
                taken = size  # the next nearest would overflow: stop here
                break
            members[nb] = True
            taken += 1
            if taken >= size:
                break
        level = nxt
    return np.flatnonzero(members & free_ok)


def mclp_region_search(
    instance: Instance,
    plan: Plan,
    max_cost: float,
    *,
    time_limit: float = 30.0,
    region_open: int = 8,
    region_sites: int = 600,
    sub_time_limit: float = 5.0,
    max_stall: int | None = None,
    backend: str | Backend = "highs",
    seed: int | None = 0,
    allowed: np.ndarray | None = None,
    options: SolveOptions | None = None,
) -> Plan:
    """Improve an MCLP plan by re-solving neighbourhoods exactly (NOT exact overall).

    See the module docstring for the method. The plan's open sites are kept
    as they are outside each region, required sites are never closed, and
    only ``allowed`` sites are opened.

    Parameters
    ----------
    instance : Instance
    plan : Plan
        Starting plan with ``p`` open sites (e.g. from
        :func:`erlocate.heuristics.mclp.mclp_perturbed_search`).
    max_cost : float
        The coverage standard S.
    time_limit : float
        Wall-clock seconds for the whole search (default 30).
    region_open : int
        Open sites freed per round at first (default 8). With a value ≥ p
        (and ``region_sites`` large enough) a round frees every allowed site
        that shares a demand point with an open site, so when those are all
        sites the first round solves the whole MCLP.
    region_sites : int
        Most candidate sites per region at first (default 600): fewer open
        sites are freed where coverage is dense, so each region MILP stays
        small enough to solve within ``sub_time_limit``.
    sub_time_limit : float
        Seconds per region MILP (default 5); a sub-MILP stopped early still
        contributes its incumbent when better.
    max_stall : int, optional
        Rounds in a row without improvement before the region grows
        (default: the number of open sites, about one round per open site).
    backend : str or module
        Backend for the region MILPs (default ``"highs"``; a name or a
        backend module from :func:`erlocate.backends.get`).
    seed : int, optional
        Random seed (default 0: reproducible, up to timing).
    allowed : numpy.ndarray of bool, optional
        Sites that may be opened (required sites always may).
    options : SolveOptions, optional
        Options of the region MILPs (gap, threads, verbosity, seed); each
        region MILP gets them with its own time limit and warm start, and
        ``seed`` when they have none. Default: one thread each
        (``SolveOptions(threads=1)``), as suits small MILPs.

    Returns
    -------
    Plan
        The best plan found, never worse than ``plan``; exactly ``p`` open sites.

    Raises
    ------
    InputError
        Bad ``max_cost``, ``time_limit``, ``sub_time_limit``, ``region_open``,
        ``max_stall`` or ``allowed``; a plan for another instance, or one
        opening a site that is not allowed or missing a required site.
    BackendError
        Unknown or uninstalled ``backend``.

    Examples
    --------
    >>> from erlocate.heuristics import mclp_greedy
    >>> g = mclp_greedy(inst, p=50, max_cost=600.0)              # doctest: +SKIP
    >>> better = mclp_region_search(inst, g, 600.0, time_limit=60)  # doctest: +SKIP
    """
    max_cost = check_max_cost(max_cost)
    time_limit = check_time_limit(time_limit)
    if not (isinstance(sub_time_limit, (int, float, np.number)) and sub_time_limit > 0):
        raise InputError(
            f"sub_time_limit: must be a number of seconds > 0, got {sub_time_limit!r}",
            field="sub_time_limit",
        )
    region_open = check_positive_int(region_open, "region_open")
    region_sites = check_positive_int(region_sites, "region_sites")
    if max_stall is not None:
        max_stall = check_positive_int(max_stall, "max_stall")
    solver = get_backend(backend) if isinstance(backend, str) else backend
    open_ = open_flags(instance, plan)
    p = int(open_.sum())
    ok = allowed_sites(instance, allowed, p)
    req = instance.required
    if (open_ & ~ok).any() or (req & ~open_).any():
        raise InputError(
            "plan: opens a site that is not allowed or leaves a required site closed",
            field="plan",
        )
    if options is not None and not isinstance(options, SolveOptions):
        raise InputError(
            f"options: expected erlocate.backends.SolveOptions, got {type(options).__name__}",
            field="options",
        )
    base = SolveOptions(threads=1) if options is None else options
    if base.seed is None:
        base = replace(base, seed=seed)
    clock = Deadline.after(time_limit)
    A, _ = coverage_matrices(instance, max_cost)
    w = instance.weights.astype(float)
    graph = _Graph(A)
    free_ok = ok & ~req
    no_rows = np.zeros(A.shape[0], dtype=bool)
    value = float(w[(A @ open_.astype(float)) > 0].sum())
    rng = np.random.default_rng(seed)
    size, cap, stall = region_open, region_sites, 0
    stall_limit = max_stall if max_stall is not None else max(p - int(req.sum()), 1)
    while not clock.expired():
        movable = np.flatnonzero(open_ & ~req)
        if movable.size == 0:
            break
        region = _region(graph, int(rng.choice(movable)), open_, size, cap, free_ok, rng)
        free = np.zeros(open_.size, dtype=bool)
        free[region] = True
        prob = RestrictedProblem(
            A=A, w=w, free=free, fixed_open=open_ & ~free, must=no_rows, p=p, offset=0.0
        )
        milp = build_restricted(prob, "mclp_region")
        out = solver.solve(
            milp,
            clock.sub(sub_time_limit).options(
                base, warm_start=encode_restricted(prob, milp, open_)
            ),
        )
        improved = False
        if out.x is not None:
            cand = np.round(milp.block(out.x, "open")) > 0.5
            if int(cand.sum()) == p and prob.admits(cand):
                cand_value = float(w[(A @ cand.astype(float)) > 0].sum())
                if cand_value > value + 1e-9 * max(abs(value), 1.0):
                    open_, value, improved = cand, cand_value, True
        if improved:
            stall = 0
            continue
        stall += 1
        if stall >= stall_limit:
            if size >= MAX_GROWTH * region_open or size >= p:
                break
            size = min(int(np.ceil(size * GROWTH)), MAX_GROWTH * region_open)
            cap, stall = int(np.ceil(cap * GROWTH)), 0
    return Plan.nearest(instance, open_)
