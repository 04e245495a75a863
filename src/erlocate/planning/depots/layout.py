"""The depot MILP's layout: demand nodes, arcs and stock variables, and plans to and from it.

:func:`_layout` lists, per scenario, the demand nodes (communities, or groups
of communities with the same reach when aggregation is exact) with their
depot and contract arcs, and the stock variables with their bounds.
:func:`decode_plan` turns a column vector into a :class:`DepotPlan` (node
flows split back over communities, :func:`_expand`); :func:`encode_plan`
does the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.planning._arrays import groups, ranges
from erlocate.planning.depots.data import DepotData
from erlocate.planning.depots.plan import DepotPlan, Flows
from erlocate.planning.depots.verify import _transport

if TYPE_CHECKING:
    from erlocate.planning.depots.model import Depots

__all__ = ["decode_plan", "encode_plan"]


@dataclass
class _Scen:
    """One scenario's demand nodes (communities, or groups with the same reach) and arcs."""

    node_of: np.ndarray  # (n) node of each community, -1 when unaffected
    members: np.ndarray  # communities sorted by node
    indptr: np.ndarray  # node -> members[indptr[g]:indptr[g+1]]
    D: np.ndarray  # (G, K) need per node
    f_node: np.ndarray  # depot flow variables: node, site, category, travel hours
    f_site: np.ndarray
    f_cat: np.ndarray
    f_hours: np.ndarray
    g_node: np.ndarray  # contract flow variables: node, contract row
    g_con: np.ndarray


def _layout(
    d: DepotData, aggregate: bool, integer: bool = False
) -> tuple[list[_Scen], np.ndarray, np.ndarray, np.ndarray]:
    """Per-scenario nodes and arcs, and the stock variables (site, category, upper bound)."""
    n, m, K = d.demand.shape[1], d.cap.size, d.cats.size
    out = []
    for s in range(len(d.scen)):
        dem = d.demand[s]
        aff = np.flatnonzero(dem.sum(axis=1) > 0)
        rows, cols, hrs = d.usable(s)
        reach_c = d.c_time[s] <= d.relief * (1 + 1e-12)
        node_of = np.full(n, -1, dtype=np.int64)
        if aggregate and aff.size:
            sig = np.zeros((n, m + reach_c.shape[1]), dtype=bool)
            sig[rows, cols] = True
            sig[:, m:] = reach_c
            _, first, inv = np.unique(
                np.packbits(sig[aff], axis=1), axis=0, return_index=True, return_inverse=True
            )
            node_of[aff] = inv.ravel()
            rep = aff[first]
        else:
            node_of[aff] = np.arange(aff.size)
            rep = aff
        G = rep.size
        order, indptr = groups(node_of[aff], G)
        members = aff[order]
        D = sp.csr_array((np.ones(aff.size), (node_of[aff], aff)), shape=(G, n)) @ dem
        is_rep = np.zeros(n, dtype=bool)
        is_rep[rep] = True
        pm = is_rep[rows]
        pn, ps, ph = node_of[rows[pm]], cols[pm], hrs[pm]
        p_idx, k_idx = np.nonzero(D[pn] > 0)
        gn, gc = np.nonzero(reach_c[rep] & (D[:, d.c_cat] > 0))
        out.append(
            _Scen(node_of, members, indptr, D, pn[p_idx], ps[p_idx], k_idx, ph[p_idx], gn, gc)
        )
    # the most a depot could ever ship of a category (stock above it is never used)
    most = np.zeros(m * K)
    for sc in out:
        key = sc.f_site * K + sc.f_cat
        most = np.maximum(
            most, np.bincount(key, weights=sc.D[sc.f_node, sc.f_cat], minlength=m * K)
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(d.space > 0, d.cap[:, None] / d.space[None, :], np.inf).ravel()
    if integer:  # whole units: never more than ceil(most), at most floor(room)
        most, room = np.ceil(most - 1e-9), np.floor(room + 1e-9)
    ub = np.minimum(most, room)
    has = ub > 1e-12
    for sc in out:
        keep = has[sc.f_site * K + sc.f_cat]
        sc.f_node, sc.f_site, sc.f_cat, sc.f_hours = (
            a[keep] for a in (sc.f_node, sc.f_site, sc.f_cat, sc.f_hours)
        )
    keys = np.flatnonzero(has)
    return out, keys // K, keys % K, ub[keys]


def _expand(
    sc: _Scen, node: np.ndarray, src: np.ndarray, cat: np.ndarray, q: np.ndarray, dem: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Node flows split over the node's communities in proportion to their need."""
    cnt = np.diff(sc.indptr)[node]
    e = np.repeat(np.arange(node.size), cnt)
    mem = sc.members[ranges(sc.indptr[node], cnt)]
    amount = q[e] * dem[mem, cat[e]] / sc.D[node[e], cat[e]]
    k = amount > 0
    return mem[k], src[e][k], cat[e][k], amount[k]


#: Flows below this at a closed site are a solver's tolerance noise, not supplies.
_NOISE = 1e-6


def decode_plan(model: Depots, instance: Instance, milp: Milp, x: np.ndarray) -> DepotPlan:
    """The :class:`DepotPlan` in the column vector ``x``."""
    d = model.data(instance)
    lay, sj, sk, _ = model._layout(d)
    m, K = instance.n_sites, d.cats.size
    open_ = np.round(milp.block(x, "open")) > 0.5
    sv = np.maximum(milp.block(x, "stock"), 0.0)
    if model.integer_stock:
        sv = np.round(sv)
    stock = np.zeros((m, K))
    stock[sj, sk] = sv
    reserve = np.clip(milp.block(x, "reserve"), 0.0, d.c_cap)
    parts: dict[str, list[list[np.ndarray]]] = {"f": [], "g": []}
    for s, (name, sc) in enumerate(zip(d.scen, lay, strict=True)):
        q = milp.block(x, f"flow[{name}]")
        # a closed site's flows are 0 by its capacity row; solvers leave tolerance noise
        # there (CBC: 1.4e-9). Larger ones are kept, for the verifier to report.
        k = (q > 1e-9) & (open_[sc.f_site] | (q > _NOISE))
        i, j, c, a = _expand(sc, sc.f_node[k], sc.f_site[k], sc.f_cat[k], q[k], d.demand[s])
        parts["f"].append([np.full(i.size, s), i, j, c, a])
        q = milp.block(x, f"contract_flow[{name}]")
        k = q > 1e-9
        con = sc.g_con[k]
        i, j, c, a = _expand(sc, sc.g_node[k], con, d.c_cat[con], q[k], d.demand[s])
        parts["g"].append([np.full(i.size, s), i, j, c, a])

    def flows(p: list[list[np.ndarray]]) -> Flows:
        cols = [np.concatenate(z) for z in zip(*p, strict=True)] if p else []
        if not cols:
            return Flows.empty()
        return Flows(*(c.astype(np.int64) for c in cols[:4]), cols[4].astype(float))

    fl, cf = flows(parts["f"]), flows(parts["g"])
    vol = fl.amount * d.space[fl.category] * d.prob[fl.scenario]
    key = fl.demand * m + fl.source
    keys, inv = np.unique(key, return_inverse=True)
    tot = np.einsum("s,sik,k->i", d.prob, d.demand, d.space)
    share = np.bincount(inv.ravel(), weights=vol, minlength=keys.size)
    i = keys // m
    share = np.divide(share, tot[i], out=np.zeros_like(share), where=tot[i] > 0)
    return DepotPlan(open_, i, keys % m, share, stock, reserve, fl, cf)


def encode_plan(
    model: Depots, instance: Instance, milp: Milp, plan: DepotPlan, x: np.ndarray
) -> np.ndarray:
    """Fill ``x`` (open flags set) with the stock, reserves and flows of ``plan``."""
    d = model.data(instance)
    lay, sj, sk, _ = model._layout(d)
    m, K, C = instance.n_sites, d.cats.size, d.c_cap.size
    x[milp.col_blocks["stock"]] = plan.stock[sj, sk]
    x[milp.col_blocks["reserve"]] = plan.reserve
    for s, (name, sc) in enumerate(zip(d.scen, lay, strict=True)):
        for f, block, var_keys, key_of in (
            (
                plan.depot_flows,
                f"flow[{name}]",
                (sc.f_node * m + sc.f_site) * K + sc.f_cat,
                lambda g, f: (g * m + f.source) * K + f.category,
            ),
            (
                plan.contract_flows,
                f"contract_flow[{name}]",
                sc.g_node * C + sc.g_con,
                lambda g, f: g * C + f.source,
            ),
        ):
            k = f.scenario == s
            sub = Flows(*(a[k] for a in (f.scenario, f.demand, f.source, f.category, f.amount)))
            node = sc.node_of[sub.demand]
            keys = key_of(node, sub)
            order = np.argsort(var_keys)
            at = np.searchsorted(var_keys[order], keys)
            at_c = np.minimum(at, max(order.size - 1, 0))
            ok = (node >= 0) & (at < order.size)
            ok[ok] &= var_keys[order][at_c[ok]] == keys[ok]
            col = np.zeros(var_keys.size)
            np.add.at(col, order[at_c[ok]], sub.amount[ok])
            x[milp.col_blocks[block]] = col
    if "worst" in milp.col_blocks:
        x[milp.col_blocks["worst"]] = _transport(model, d, plan).max()
    return x
