"""A construction heuristic for the shelter model: a first plan, fast, as a warm start.

:func:`construct` is not exact; it gives the MILP an incumbent so that the
solver starts from a plan and spends its time proving (``solve(...,
warm_start="heuristic")``). Every community goes to its nearest open shelter
it may use (a closest assignment, valid for ``closest=False`` as well) and
shelters open greedily:

1. Start from the existing shelters. The *shortfall* of an open set is the
   people of communities with no usable nearest shelter plus, per scenario,
   the load beyond every shelter's capacity.
2. Open the candidate that cuts the shortfall most (per unit of site cost
   when the instance has site costs; less walking breaks ties), evaluated
   incrementally: only communities nearer to it than to their shelter move.
3. Once the shortfall is zero: with ``new=None`` close again any added shelter
   the plan can do without (latest first); with ``new`` given, add shelters
   that cut walking (with ``exact_new``, until exactly ``new`` are open).
4. If the shortfall stays above zero (no candidate helps, or ``new`` is
   reached): with ``closest=False`` move communities out of full shelters to
   the nearest open one with room; with ``allow_unhoused`` leave the smallest
   communities of each full shelter unhoused. Otherwise there is no start.

Every plan it returns passes the model's verifier; ``None`` means it found none.
"""

from __future__ import annotations

import time

import numpy as np

from erlocate.plan import Plan
from erlocate.planning.shelters.inputs import ShelterData
from erlocate.planning.shelters.objective import level_weights

__all__ = ["construct"]

_EPS = 1e-9
#: Capacities are met up to this relative slack (as the verifier's tolerance allows).
_SLACK = 1 + 1e-12


def _over(load: np.ndarray, cap: np.ndarray) -> float:
    """People beyond capacity, summed over shelters and scenarios."""
    return float(np.maximum(load - cap * _SLACK, 0.0).sum())


class _Pairs:
    """The allowed pairs, sorted by (community, cost, site), and grouped by site."""

    def __init__(self, d: ShelterData) -> None:
        inst = d.instance
        keep = d.allowed
        r, c, cost = inst.pair_rows[keep], inst.indices[keep], inst.costs[keep]
        u = d.usable[keep]
        order = np.lexsort((c, cost, r))
        self.r, self.c, self.cost, self.u = r[order], c[order], cost[order], u[order]
        by_site = np.argsort(self.c, kind="stable")
        self.site_ptr = np.searchsorted(self.c[by_site], np.arange(inst.n_sites + 1))
        self.by_site = by_site

    def of_site(self, j: int) -> np.ndarray:
        return self.by_site[self.site_ptr[j] : self.site_ptr[j + 1]]

    def nearest(self, open_: np.ndarray, n: int) -> np.ndarray:
        """Position (in the sorted pairs) of each community's nearest open site, -1 if none."""
        at = np.flatnonzero(open_[self.c])
        first = at[np.r_[True, self.r[at][1:] != self.r[at][:-1]]] if at.size else at
        best = np.full(n, -1, dtype=np.int64)
        best[self.r[first]] = first
        return best


class _State:
    """An open set with its closest assignment, loads and shortfall."""

    def __init__(self, d: ShelterData, pairs: _Pairs, open_: np.ndarray) -> None:
        self.d, self.pairs, self.open = d, pairs, open_.copy()
        n = d.instance.n_demand
        self.best = pairs.nearest(self.open, n)
        has = self.best >= 0
        self.site = np.where(has, pairs.c[np.maximum(self.best, 0)], -1)
        self.cost = np.where(has, pairs.cost[np.maximum(self.best, 0)], np.inf)
        fits = has & pairs.u[np.maximum(self.best, 0)]
        self.placed = d.active & fits  # communities loaded onto self.site
        self.stuck = d.active & ~fits
        m, S = d.instance.n_sites, d.people.shape[0]
        self.load = np.zeros((S, m))
        i = np.flatnonzero(self.placed)
        for s in range(S):
            self.load[s] = np.bincount(self.site[i], weights=d.people[s][i], minlength=m)

    def shortfall(self) -> float:
        return float(self.d.hmax[self.stuck].sum()) + _over(self.load, self.d.cap)

    def walking(self) -> float:
        i = np.flatnonzero(self.placed)
        return float(self.d.hbar[i] @ self.pairs.cost[self.best[i]])

    def try_open(self, j: int) -> tuple[float, float]:
        """Shortfall after opening ``j`` and the change of walking (incremental)."""
        d, pr = self.d, self.pairs
        q = pr.of_site(j)
        i = pr.r[q]
        closer = pr.cost[q] < self.cost[i]
        if d.params.ties == "first":
            closer |= (pr.cost[q] == self.cost[i]) & (j < self.site[i])
        q, i = q[closer], i[closer]
        was = self.placed[i]
        fits = pr.u[q]
        stuck = float(self.d.hmax[self.stuck].sum())
        stuck += float(d.hmax[i[~fits & ~self.stuck[i]]].sum())
        stuck -= float(d.hmax[i[fits & self.stuck[i]]].sum())
        old = np.unique(self.site[i[was]])
        cols = np.r_[old, j]
        load = self.load[:, cols].copy()
        pos = np.searchsorted(old, self.site[i[was]])
        for s in range(load.shape[0]):
            load[s, : old.size] -= np.bincount(pos, d.people[s][i[was]], minlength=old.size)
            load[s, -1] += d.people[s][i[fits]].sum()
        over = _over(self.load, d.cap) - _over(self.load[:, cols], d.cap[cols])
        over += _over(load, d.cap[cols])
        walk = float(d.hbar[i[fits]] @ pr.cost[q[fits]]) - float(d.hbar[i[was]] @ self.cost[i[was]])
        short = stuck + over
        if not d.params.closest:  # room at j for people a move may bring (step 4)
            room = max(float((d.cap[j] - load[:, -1]).min()), 0.0)
            qa = pr.of_site(j)
            qa = qa[pr.u[qa]]
            ia = pr.r[qa]
            excess = (self.load - d.cap * _SLACK).max(axis=0) > _EPS
            come = self.stuck[ia] | (self.placed[ia] & excess[np.maximum(self.site[ia], 0)])
            come &= ~np.isin(ia, i)  # the movers are counted above
            took = min(room, float(d.hmax[ia[come]].sum()), short)
            short -= took
            if took > 0:  # their walk to j, at the mean of who may come
                walk += took * float(np.average(pr.cost[qa[come]], weights=d.hmax[ia[come]]))
        return short, walk


def _room(d: ShelterData, st: _State, load: np.ndarray, i: int, skip: int) -> int:
    """The nearest open shelter other than ``skip`` that ``i`` may use and fits into, or -1."""
    pr, cap = st.pairs, d.cap * _SLACK
    q = np.arange(np.searchsorted(pr.r, i), np.searchsorted(pr.r, i, side="right"))
    q = q[pr.u[q] & st.open[pr.c[q]] & (pr.c[q] != skip)]
    room = (load[:, pr.c[q]] + d.people[:, [i]] <= cap[pr.c[q]] + _EPS).all(axis=0)
    return int(pr.c[q[np.argmax(room)]]) if room.any() else -1


def _fit_once(d: ShelterData, st: _State, unhouse: bool, largest: bool) -> Plan | None:
    """Step 4 with one order of moving (smallest or largest communities first)."""
    move = not d.params.closest
    placed, site = st.placed.copy(), st.site.copy()
    load, cap = st.load.copy(), d.cap * _SLACK
    for i in np.flatnonzero(st.stuck):
        k = _room(d, st, load, int(i), -1) if move else -1
        if k >= 0:
            load[:, k] += d.people[:, i]
            placed[i], site[i] = True, k
        elif not unhouse:
            return None
    for j in np.flatnonzero((load > cap + _EPS).any(axis=0)):
        members = np.flatnonzero(placed & (site == j))
        order = np.argsort(d.hmax[members], kind="stable")
        for i in members[order[::-1] if largest else order]:
            if (load[:, j] <= cap[j] + _EPS).all():
                break
            k = _room(d, st, load, int(i), int(j)) if move else -1
            if k < 0 and not unhouse:
                continue
            load[:, j] -= d.people[:, i]
            if k >= 0:
                load[:, k] += d.people[:, i]
            placed[i], site[i] = k >= 0, k
        if (load[:, j] > cap[j] + _EPS).any():
            return None
    at = np.flatnonzero(placed)
    return Plan(st.open.copy(), at, site[at].astype(np.int64), np.ones(at.size))


def _fit(d: ShelterData, st: _State, unhouse: bool = False) -> Plan | None:
    """The state as a plan: as it is, or after step 4 (the better of two orders), or None."""
    if st.shortfall() <= _EPS:
        return _fit_once(d, st, False, False)
    if d.params.closest and not unhouse:
        return None
    free = np.maximum(d.cap - st.load.max(axis=0), 0.0)[st.open].sum()
    if not unhouse and free < st.shortfall():  # no moving can fit it
        return None
    plans = [p for p in (_fit_once(d, st, unhouse, b) for b in (False, True)) if p is not None]
    return max(plans, key=lambda p: float(d.hbar[p.demand_idx].sum()), default=None)


def _n_new(d: ShelterData, open_: np.ndarray) -> int:
    return int((open_ & ~d.instance.required).sum())


def _greedy_open(
    d: ShelterData, st: _State, fcost: np.ndarray, deadline: float
) -> tuple[_State, bool]:
    """Step 2: open candidates while the plan does not fit, within ``new`` and the time;
    the state reached and whether it fits."""
    p = d.params
    cand = list(np.flatnonzero(~d.instance.required & ~st.open))
    while not (fits := _fit(d, st) is not None) and cand and time.perf_counter() < deadline:
        if p.new is not None and _n_new(d, st.open) >= p.new:
            break
        now = st.shortfall()
        scores = [st.try_open(int(j)) for j in cand]
        gain = np.array([(now - f) / fcost[j] for (f, _), j in zip(scores, cand, strict=True)])
        if gain.max() <= _EPS:
            break
        best = np.lexsort((np.array([w for _, w in scores]), -gain))[0]
        st.open[cand.pop(int(best))] = True
        st = _State(d, st.pairs, st.open)
    return st, fits


def _tune(d: ShelterData, st: _State, before: np.ndarray, deadline: float) -> _State:
    """Step 3: drop needless added shelters (``new=None``) or add walking-cutting ones."""
    p = d.params
    if p.new is None:
        for j in np.flatnonzero(st.open & ~before)[::-1]:
            if time.perf_counter() > deadline:
                break
            trial = st.open.copy()
            trial[j] = False
            other = _State(d, st.pairs, trial)
            if _fit(d, other) is not None:
                st = other
        return st
    while _n_new(d, st.open) < p.new and time.perf_counter() < deadline:
        ok = []
        for j in np.flatnonzero(~d.instance.required & ~st.open):
            trial = st.open.copy()
            trial[j] = True
            other = _State(d, st.pairs, trial)
            if _fit(d, other) is not None:
                ok.append((other.walking(), int(j), other))
        best = min(ok, key=lambda t: t[:2], default=None)
        if best is None or (best[0] >= st.walking() and not p.exact_new):
            break
        st = best[2]
    return st


def construct(d: ShelterData, time_limit: float = 10.0) -> Plan | None:
    """A feasible plan by the greedy of the module docstring, or None (within ``time_limit`` s).

    Parameters
    ----------
    d : ShelterData
        The resolved inputs (:meth:`~erlocate.planning.shelters.Shelters.data`).
    time_limit : float
        Seconds for the search; the best state reached by then is used.

    Returns
    -------
    Plan or None
        A plan the verifier accepts, or None when the greedy found none.
    """
    deadline = time.perf_counter() + time_limit
    _, _, _, fcost = level_weights(d)
    fcost = np.where(fcost > 0, fcost, 1.0)
    before = d.instance.required.astype(bool)
    st, fits = _greedy_open(d, _State(d, _Pairs(d), before), fcost, deadline)
    if fits:
        st = _tune(d, st, before, deadline)
    plan = _fit(d, st, unhouse=d.params.allow_unhoused)
    if plan is None or (d.params.exact_new and _n_new(d, plan.open) != d.params.new):
        return None
    return plan
