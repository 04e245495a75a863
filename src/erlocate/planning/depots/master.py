"""The Benders master of the depot model: the first stage, the transport epigraphs, the cuts.

:class:`Master` builds the master MILP (or its LP relaxation) of
:mod:`~erlocate.planning.depots.benders` from the resolved data: the
first-stage columns and rows of the direct formulation
(:func:`~erlocate.planning.depots.formulation.first_stage`,
:func:`~erlocate.planning.depots.formulation.add_rule_rows`), one epigraph
:math:`\\theta_{sk}` per (scenario, category) with a need, the rows that make
every need fit into the stock and reserves that reach it, and every cut of
its :class:`Pool`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from erlocate.milp import Milp, MilpBuilder
from erlocate.planning.depots.data import DepotData
from erlocate.planning.depots.formulation import add_rule_rows, first_stage
from erlocate.planning.depots.transport import ScenarioTransport

__all__ = ["Master", "Pool"]


@dataclass
class Pool:
    """The cuts so far: epigraph index, constant, site and contract coefficients."""

    t: list[int] = field(default_factory=list)
    const: list[float] = field(default_factory=list)
    a: list[np.ndarray] = field(default_factory=list)
    b: list[np.ndarray] = field(default_factory=list)

    def add(self, t: int, cut: tuple[float, np.ndarray, np.ndarray]) -> None:
        self.t.append(t)
        self.const.append(cut[0])
        self.a.append(cut[1])
        self.b.append(cut[2])


class Master:
    """The first stage with one epigraph per (scenario, category) and the cuts so far."""

    def __init__(self, d: DepotData, subs: list[ScenarioTransport]) -> None:
        self.d, self.subs = d, subs
        m, K = d.cap.size, d.cats.size
        most = np.zeros((m, K))
        for sub in subs:  # the most a depot could ever ship of a category
            reach = np.isfinite(sub.hours).astype(float)
            most = np.maximum(most, reach.T @ sub.need)
        with np.errstate(divide="ignore", invalid="ignore"):
            room = np.where(d.space > 0, d.cap[:, None] / d.space[None, :], np.inf)
        if d.params.integer_stock:
            most, room = np.ceil(most - 1e-9), np.floor(room + 1e-9)
        ub = np.minimum(most, room).ravel()
        keys = np.flatnonzero(ub > 1e-12)
        self.sj, self.sk, self.ub = keys // K, keys % K, ub[keys]
        self.pairs = [
            (s, k) for s in range(len(subs)) for k in range(K) if d.demand[s][:, k].sum() > 0
        ]
        self.pool = Pool()

    def build(self, relax: bool) -> Milp:
        """The master MILP (or its LP relaxation) with every cut of the pool."""
        d, m, K = self.d, self.d.cap.size, self.d.cats.size
        b = MilpBuilder("depots (Benders master)", "min")
        x, st, res, worst = first_stage(b, d, self.sj, self.sk, self.ub)
        pos = np.full(m * K, -1)
        pos[self.sj * K + self.sk] = st
        ps = np.array([s for s, _ in self.pairs])
        pk = np.array([k for _, k in self.pairs])
        weight = 0.0 if worst is not None else d.prob[ps]
        theta = b.add_cols("transport", len(self.pairs), obj=weight)
        if worst is not None:
            b.add_rows(
                "worst_transport",
                rows=np.r_[np.arange(len(d.scen)), ps],
                cols=np.r_[np.repeat(worst, len(d.scen)), theta],
                vals=np.r_[np.ones(len(d.scen)), -np.ones(len(ps))],
                lb=0.0,
                n_rows=len(d.scen),
            )
        # the need must fit into the stock and reserves that reach it
        fit_r, fit_c, fit_lb = [], [], []
        for t, (s, k) in enumerate(self.pairs):
            sub = self.subs[s]
            js = np.flatnonzero(np.isfinite(sub.hours).any(axis=0))
            cols = pos[js * K + k]
            cs = np.flatnonzero((d.c_cat == k) & sub.reach_c.any(axis=0))
            cols = np.r_[cols[cols >= 0], res[cs]]
            fit_r.append(np.full(cols.size, t))
            fit_c.append(cols)
            fit_lb.append(d.demand[s][:, k].sum())
        b.add_rows(
            "need_fits",
            rows=np.concatenate(fit_r),
            cols=np.concatenate(fit_c),
            vals=1.0,
            lb=np.array(fit_lb),
            n_rows=len(self.pairs),
        )
        if self.pool.t:
            rows, cols, vals, lb = self.cut_rows(0, pos, pk, res, theta)
            b.add_rows("cuts", rows=rows, cols=cols, vals=vals, lb=lb, n_rows=lb.size)
        add_rule_rows(b, d, x)
        milp = b.build()
        if relax:
            milp = replace(milp, integrality=np.zeros_like(milp.integrality))
        return milp

    def cut_rows(
        self,
        first: int,
        pos: np.ndarray,
        pk: np.ndarray,
        res: np.ndarray,
        theta: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows (COO, from 0) of the pool's cuts ``first:`` and their lower bounds."""
        pool, m, K, C = self.pool, self.d.cap.size, self.d.cats.size, self.d.c_cap.size
        t = np.array(pool.t[first:])
        A, B = np.vstack(pool.a[first:]), np.vstack(pool.b[first:]).reshape(len(t), C)
        cols = pos[np.arange(m)[None, :] * K + pk[t][:, None]]
        ri, rj = np.nonzero((A > 0) & (cols >= 0))
        ci, cj = np.nonzero(B > 0)
        return (
            np.r_[np.arange(t.size), ri, ci],
            np.r_[theta[t], cols[ri, rj], res[cj]],
            np.r_[np.ones(t.size), A[ri, rj], B[ci, cj]],
            np.array(pool.const[first:]),
        )

    def columns(self, milp: Milp) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Column positions in a built master: stock position per (site*K + category),
        category per epigraph, reserves, epigraphs."""
        m, K = self.d.cap.size, self.d.cats.size
        pos = np.full(m * K, -1)
        pos[self.sj * K + self.sk] = np.arange(self.sj.size) + milp.col_blocks["stock"].start
        pk = np.array([k for _, k in self.pairs])
        span = milp.col_blocks
        return (
            pos,
            pk,
            np.arange(span["reserve"].start, span["reserve"].stop),
            np.arange(span["transport"].start, span["transport"].stop),
        )
