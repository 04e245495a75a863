"""One scenario's transport as a linear programme, and the Benders cuts it yields.

Given the stock :math:`S_{jk}` and reserves :math:`R_c`, scenario :math:`s`
splits into one transportation problem per category :math:`k`:

.. math::

    \\Phi_{sk}(S, R) = \\min \\sum_{ij} \\rho v_k t^s_{ij} f_{ij} + \\sum_{ic} e_c g_{ic}
    \\quad\\text{s.t.}\\quad \\sum_j f_{ij} + \\sum_c g_{ic} = d_{isk},\\;
    \\sum_i f_{ij} \\le S_{jk},\\; \\sum_i g_{ic} \\le R_c

over the arcs within the relief time. For any prices :math:`p_j, q_c \\ge 0`
Lagrangian duality gives the cut

.. math::

    \\Phi_{sk}(S, R) \\ge \\rho v_k \\Big[\\sum_i d_{isk} \\min\\big(\\min_j (t^s_{ij} + p_j),
    \\min_c (e_c / \\rho v_k + q_c)\\big) - \\sum_j p_j S_{jk} - \\sum_c q_c R_c\\Big],

valid whatever the prices (so one price vector serves every category), and
tight at :math:`(S, R)` when the prices are the LP's optimal duals.
:class:`ScenarioTransport` holds the scenario's LP (HiGHS, in hours: costs
divided by :math:`\\rho v_k`), re-solves it per category from that
category's last basis (only right-hand sides change between iterations, so
the dual simplex restarts warm), and returns the value, the prices and the
flows. Closed sites get the least price the demand duals allow,
:math:`\\max(0, \\max_i (u_i - t_{ij}))`, which keeps the cut tight.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.cluster.vq import kmeans2

from erlocate.backends.highs import new_highs, run
from erlocate.errors import BackendError
from erlocate.planning.arrays import groups, ranges, unique_in_order
from erlocate.planning.depots.data import DepotData

__all__ = ["Answer", "ScenarioTransport", "cost_groups", "reach"]

#: Cost (hours) of a unit left unmet in the LP: it never is in a feasible
#: answer; it keeps the LP solvable when the master's stock falls short.
UNMET = 1e6
#: Flows and shortfalls below this (units) are the LP's tolerance.
TOL = 1e-7
#: Arcs per community in a fresh LP (to its nearest open sites); pricing adds the rest.
NEAREST = 3
#: Groups of the aggregated LP (:meth:`ScenarioTransport.aggregated`, :func:`cost_groups`).
GROUPS = 256
#: An arc is priced in when its reduced cost is below -PRICE_TOL * (1 + |u_i|) hours.
PRICE_TOL = 1e-9


def reach(d: DepotData, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Scenario ``s``'s affected communities and their travel hours to every site.

    Returns ``(aff, hours)``: positions of communities with a need, and an
    ``(aff.size, m)`` dense array of travel hours (``inf`` where the site may
    not open or is beyond the relief time with its handling time).
    """
    aff = np.flatnonzero(d.demand[s].sum(axis=1) > 0)
    net = d.nets[s]
    rows, cols = net.pair_rows, net.indices
    trip = net.costs * d.to_hours
    ok = d.allowed[cols] & (trip + d.handling[cols] <= d.relief * (1 + 1e-12))
    pos = np.full(d.demand.shape[1], -1)
    pos[aff] = np.arange(aff.size)
    ok &= pos[rows] >= 0
    hours = np.full((aff.size, d.cap.size), np.inf)
    hours[pos[rows[ok]], cols[ok]] = trip[ok]
    return aff, hours


def _nodes(d: DepotData, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scenario ``s``'s demand nodes: affected communities with identical hours to every
    site and identical contract reach merged (exact: each is served at the same cost, so
    a node's flows split by need serve every member; :meth:`ScenarioTransport.expand`)."""
    aff, hours = reach(d, s)
    reach_c = d.c_time[s][aff] <= d.relief * (1 + 1e-12)
    key = np.c_[hours, reach_c]
    first, inv = unique_in_order(key, axis=0)  # the communities' order: the LPs solve faster
    node_of = np.full(d.demand.shape[1], -1)
    node_of[aff] = inv
    need = np.zeros((first.size, d.cats.size))
    np.add.at(need, inv, d.demand[s][aff])
    return node_of, hours[first], reach_c[first], need


def cost_groups(hours: np.ndarray, n_groups: int = GROUPS, seed: int = 0) -> np.ndarray:
    """Communities grouped by their hours to the sites (k-means, ``n_groups`` at most):
    a label per row, 0 … G-1. Unreachable sites count as twice the longest trip."""
    n = hours.shape[0]
    if n <= n_groups:
        return np.arange(n)
    fin = np.isfinite(hours)
    top = float(hours[fin].max()) if fin.any() else 1.0
    pts = np.where(fin, hours, 2.0 * top + 1.0)
    _, labels = kmeans2(pts, n_groups, minit="++", seed=seed, iter=10)
    return np.unique(labels, return_inverse=True)[1].ravel()


def _extended(basis: highspy.HighsBasis, ncol: int) -> highspy.HighsBasis:
    """``basis`` with the columns added since (arcs priced in) nonbasic at zero."""
    extra = ncol - len(basis.col_status)
    if extra <= 0:
        return basis
    out = highspy.HighsBasis()
    out.col_status = list(basis.col_status) + [highspy.HighsBasisStatus.kLower] * extra
    out.row_status = basis.row_status
    out.valid = True
    return out


@dataclass(frozen=True)
class Answer:
    """One (scenario, category) transport: value, prices, flows."""

    value: float  # cost (yuan), inf if the stock cannot meet the need
    p: np.ndarray  # (m) site prices, hours
    q: np.ndarray  # (C) contract prices, hours
    flows: tuple[np.ndarray, np.ndarray, np.ndarray]  # community, site, units
    contract_flows: tuple[np.ndarray, np.ndarray, np.ndarray]  # community, contract, units


class ScenarioTransport:
    """Scenario ``s``'s transportation LP, re-solved per category with a warm basis.

    The LP holds, for every community, arcs to its :data:`NEAREST` nearest open
    sites only; after each solve every other arc of a stocked site is priced
    (reduced cost :math:`t_{ij} + p_j - u_i`) and those below zero are added,
    so the answer is the full LP's (column generation; exact).
    """

    def __init__(
        self,
        d: DepotData,
        s: int,
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.d, self.s = d, s
        if arrays is None:
            arrays = _nodes(d, s)
        #: demand nodes (the LP's rows): node of each affected community (positions
        #: ``aff``), hours to sites (N, m), contracts reaching (N, C), need (N, K)
        self.node_of, self.hours, self.reach_c, self.need = arrays
        self.aff = np.flatnonzero(self.node_of >= 0)
        self.members, self.indptr = groups(self.node_of[self.aff], self.hours.shape[0])
        self.members = self.aff[self.members]
        #: arcs per node in a fresh LP (all of them in a small, aggregated LP)
        self.nearest = NEAREST if self.size > GROUPS else self.hours.shape[1]
        self.open: np.ndarray | None = None
        self.bases: dict[int, highspy.HighsBasis] = {}
        self.last: dict[int, tuple[np.ndarray, Answer]] = {}

    @property
    def size(self) -> int:
        """Demand nodes (rows of the LP)."""
        return int(self.hours.shape[0])

    def _load(self, open_: np.ndarray) -> None:
        """A fresh LP: unmet, contract arcs, then arcs to each community's nearest open sites."""
        n, m, C = self.size, self.d.cap.size, self.d.c_cap.size
        gi, gc = np.nonzero(self.reach_c)
        self.garcs = (gi, gc)
        G = gi.size
        col = np.r_[np.arange(n), n + np.arange(G), n + np.arange(G)]
        row = np.r_[np.arange(n), gi, n + m + gc]
        mat = sp.csc_array((np.ones(row.size), (row, col)), shape=(n + m + C, n + G))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n + G, n + m + C
        lp.col_cost_ = np.r_[np.full(n, UNMET), np.zeros(G)]
        lp.col_lower_ = np.zeros(n + G)
        lp.col_upper_ = np.full(n + G, np.inf)
        lp.row_lower_ = np.r_[np.zeros(n), np.full(m + C, -np.inf)]
        lp.row_upper_ = np.zeros(n + m + C)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = mat.indptr
        lp.a_matrix_.index_ = mat.indices
        lp.a_matrix_.value_ = mat.data
        self.h = new_highs()
        self.h.passModel(lp)
        self.open, self.bases, self.first = open_.copy(), {}, n + G
        self.arcs = (np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.in_lp = np.zeros(self.hours.shape, dtype=bool)
        near = np.where(open_[None, :], self.hours, np.inf)
        take = np.argsort(near, axis=1)[:, : self.nearest]
        mask = np.zeros(near.shape, dtype=bool)
        np.put_along_axis(mask, take, True, axis=1)
        self._add(mask & np.isfinite(near))

    def _add(self, mask: np.ndarray) -> None:
        """Add the depot arcs in ``mask`` (communities × sites) as columns."""
        ai, aj = np.nonzero(mask)
        if not ai.size:
            return
        n = self.size
        start = np.arange(0, 2 * ai.size + 1, 2, dtype=np.int32)
        idx = np.c_[ai, n + aj].ravel().astype(np.int32)
        self.h.addCols(
            ai.size,
            self.hours[ai, aj],
            np.zeros(ai.size),
            np.full(ai.size, np.inf),
            idx.size,
            start[:-1],
            idx,
            np.ones(idx.size),
        )
        self.arcs = (np.r_[self.arcs[0], ai], np.r_[self.arcs[1], aj])
        self.in_lp |= mask

    def scale(self, k: int) -> float:
        """Yuan per unit of category ``k`` per travel hour."""
        return float(self.d.params.transport_rate) * float(self.d.space[k])

    def contract_hours(self, k: int) -> np.ndarray:
        """(C) delivery cost of each contract in hours of category ``k`` (inf: other category)."""
        d = self.d
        return np.where(d.c_cat == k, d.c_delivery / self.scale(k), np.inf)

    def solve(self, k: int, stock: np.ndarray, reserve: np.ndarray, open_: np.ndarray) -> Answer:
        """Category ``k``'s transport with site stock ``stock`` (m) and reserves ``reserve`` (C);
        ``open_`` (m) marks the sites the LP's arcs are chosen among (the open depots)."""
        d, n, m, C = self.d, self.size, self.d.cap.size, self.d.c_cap.size
        ch = self.contract_hours(k)
        mine = np.isfinite(ch)
        key = np.r_[stock, reserve[mine]]
        seen = self.last.get(k)
        if seen is not None and np.array_equal(seen[0], key):
            return seen[1]  # the same first stage: the same LP
        if self.open is None or not np.array_equal(self.open, open_):
            self._load(open_)
        need = self.need[:, k]
        h = self.h
        G = self.garcs[0].size
        gcost = np.where(mine, ch, 0.0)[self.garcs[1]]
        h.changeColsCost(G, n + np.arange(G, dtype=np.int32), gcost)
        h.changeRowsBounds(  # type: ignore[attr-defined]  # in highspy, not in its stubs
            n + m + C,
            np.arange(n + m + C, dtype=np.int32),
            np.r_[need, np.full(m + C, -np.inf)],
            np.r_[need, np.maximum(stock, 0.0), np.where(mine, np.maximum(reserve, 0.0), 0.0)],
        )
        stocked = stock > TOL
        while True:
            ncol = self.first + self.arcs[0].size
            if k in self.bases:
                h.setBasis(_extended(self.bases[k], ncol))
            run(h, what="depot transport LP")
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                raise BackendError(
                    f"highs: the transport LP of scenario {d.scen[self.s]!r}, category "
                    f"{d.cats[k]!r} ended {h.modelStatusToString(h.getModelStatus())}"
                )
            self.bases[k] = h.getBasis()
            sol = h.getSolution()
            dual = np.asarray(sol.row_dual)
            u, p = dual[:n], np.maximum(-dual[n : n + m], 0.0)
            # price every arc of a stocked site that is not in the LP
            rc = self.hours[:, stocked] + p[stocked][None, :] - u[:, None]
            bad = np.zeros(self.hours.shape, dtype=bool)
            neg = rc < -PRICE_TOL * (1.0 + np.abs(u)[:, None])
            bad[:, stocked] = neg & ~self.in_lp[:, stocked]
            if not bad.any():
                break
            self._add(bad)
        x = np.asarray(sol.col_value)
        # unstocked sites (and unreserved contracts): the least price dual feasibility allows
        slack = np.where(np.isfinite(self.hours), u[:, None] - self.hours, -np.inf)
        p = np.where(stocked, p, np.maximum(slack.max(axis=0, initial=0.0), 0.0))
        q = np.maximum(-dual[n + m :], 0.0)
        cslack = np.where(self.reach_c, u[:, None] - np.where(mine, ch, np.inf)[None, :], -np.inf)
        q = np.where(mine & (reserve > TOL), q, np.maximum(cslack.max(axis=0, initial=0.0), 0.0))
        q = np.where(mine, q, 0.0)
        unmet, g, f = x[:n], x[n : self.first], x[self.first :]
        value = np.inf if unmet.sum() > TOL * max(1.0, need.sum()) else self.cost(k, f, g)
        kf, kg = f > TOL, g > TOL
        ans = Answer(
            value,
            p,
            q,
            self.expand(k, self.arcs[0][kf], self.arcs[1][kf], f[kf]),
            self.expand(k, self.garcs[0][kg], self.garcs[1][kg], g[kg]),
        )
        self.last[k] = (key, ans)
        return ans

    def expand(
        self, k: int, node: np.ndarray, src: np.ndarray, q: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Node flows of category ``k`` split over the node's communities by their need."""
        cnt = np.diff(self.indptr)[node]
        e = np.repeat(np.arange(node.size), cnt)
        mem = self.members[ranges(self.indptr[node], cnt)]
        amount = q[e] * self.d.demand[self.s][mem, k] / self.need[node[e], k]
        keep = amount > 0
        return mem[keep], src[e][keep], amount[keep]

    def cost(self, k: int, f: np.ndarray, g: np.ndarray) -> float:
        """Yuan of depot flows ``f`` and contract flows ``g`` (LP column order), category ``k``."""
        d = self.d
        return float(
            self.scale(k) * self.hours[self.arcs].dot(f) + d.c_delivery[self.garcs[1]].dot(g)
        )

    def cuts(
        self, p: np.ndarray, q: np.ndarray, own: int, cats: np.ndarray
    ) -> list[tuple[float, np.ndarray, np.ndarray]]:
        """The cuts of site prices ``p`` for the categories ``cats``: ``theta_k >= const -
        a.S_k - b.R`` as ``(const, a, b)`` in yuan. Contract prices ``q`` count for
        category ``own`` only (0 for the others: any price is valid)."""
        base = (self.hours + p[None, :]).min(axis=1, initial=np.inf)
        out = []
        for k in cats:
            sc = self.scale(k)
            ch = self.contract_hours(k)
            qk = np.where(np.isfinite(ch), q if k == own else 0.0, 0.0)
            best = base
            if self.reach_c.shape[1] and np.isfinite(ch).any():
                via = np.where(self.reach_c, (ch + qk)[None, :], np.inf).min(axis=1)
                best = np.minimum(base, via)
            # a community nothing reaches is refused by the precheck: it has no need here
            best = np.where(np.isfinite(best), best, 0.0)
            out.append((sc * float(self.need[:, k].dot(best)), sc * p, sc * qk))
        return out

    def aggregated(self, groups: np.ndarray) -> ScenarioTransport:
        """This scenario with its communities merged by ``groups`` (need-weighted mean hours;
        a contract reaches a group if it reaches all of it): a small LP whose prices make
        good, if not tight, cuts for the full one (:meth:`cuts` is valid for any prices)."""
        G = int(groups.max()) + 1 if groups.size else 0
        w = self.need.sum(axis=1)
        tot = np.bincount(groups, weights=w, minlength=G)
        cols = (groups, np.arange(w.size))
        share = sp.csr_array((w / tot[groups], cols), shape=(G, w.size))
        member = sp.csr_array((np.ones(w.size), cols), shape=(G, w.size))
        fin = np.isfinite(self.hours)
        everyone = (member @ (~fin).astype(float)) == 0
        hours = np.where(everyone, share @ np.where(fin, self.hours, 0.0), np.inf)
        count = np.bincount(groups, minlength=G)
        reach_c = (member @ self.reach_c.astype(float)) == count[:, None]
        node_of = np.full(self.node_of.size, -1)
        node_of[: min(G, node_of.size)] = np.arange(min(G, node_of.size))  # no plan from it
        return ScenarioTransport(self.d, self.s, (node_of, hours, reach_c, member @ self.need))
