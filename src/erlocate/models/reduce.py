r"""Exact reductions of covering models (MCLP, LSCP, backup coverage).

A covering model sees an instance only through the coverage sets
:math:`N_i = \{j : c_{ij} \le S\}` (demand point :math:`i`, sites :math:`j`)
and, column-wise, :math:`M_j = \{i : c_{ij} \le S\}`. Many demand points
share a set and many sites are "inside" another site's reach; these
functions remove such rows and columns before the MILP is built. Each
reduction below states why it keeps the optimum; the reduced optimum decodes
to a plan on the original sites (dropped sites stay closed, kept sites keep
their index) whose objective, recomputed on the original instance, equals
the reduced optimum. All of it is vectorised with :mod:`scipy.sparse`:

* identical rows are found by hashing each row's set (two independent random
  64-bit weights per site, summed with wrap-around, plus the set size), then
  **confirmed exactly** by comparing the sorted index lists against the group
  representative; rows that differ (a hash collision) are regrouped exactly
  by sorting their padded index lists;
* subsets are found from the intersection counts :math:`|M_j \cap M_k|` of
  :math:`A^\top A` (columns) or :math:`|N_i \cap N_{i'}|` of :math:`A A^\top`
  (rows): :math:`M_j \subseteq M_k \iff |M_j \cap M_k| = |M_j|`. The
  product is formed in chunks and only subset pairs are kept; once more than
  ``max_work`` counts have been formed (a dense overlap, e.g. random
  set-covering data) the dominance step is skipped (recorded in the counts),
  which is always safe.

Ties (identical sets, equal costs) keep the lowest index, so "dominates" is a
strict partial order and every dropped row or column has a *kept* dominator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from erlocate.instance import Instance
from erlocate.models.dominance import (
    MAX_WORK,
    as_binary_csr,
    dominated_columns,
    dominated_rows,
    identical_rows,
    keep_columns,
    merge_identical,
)

__all__ = [
    "MAX_WORK",
    "CoverReduction",
    "dominance_rounds",
    "dominated_columns",
    "dominated_rows",
    "identical_rows",
    "merge_rows",
    "reduce_lscp",
    "reduce_mclp",
]


@dataclass(frozen=True, eq=False)
class CoverReduction:
    """A reduced covering instance and the map back to the original.

    Attributes
    ----------
    rows : numpy.ndarray of int
        Original index of the representative of each kept row.
    group : numpy.ndarray of int
        For every original demand point, the kept row that stands for it
        (``-1`` if it has no row: never coverable, always covered by a
        required site, zero weight (MCLP) or dominated (LSCP)).
    weights : numpy.ndarray
        Summed weight of each kept row's group (MCLP; ones for LSCP).
    A : scipy.sparse.csr_array
        Kept rows × all sites 0/1 coverage; only kept sites have entries.
    keep_sites : numpy.ndarray of bool
        Sites that stay candidates (required sites always do).
    fixed_weight : float
        Weight covered whatever the plan (demand within reach of a required site).
    counts : dict of str to int
        What was removed, by reduction (see :meth:`summary`).
    """

    rows: np.ndarray
    group: np.ndarray
    weights: np.ndarray
    A: sp.csr_array
    keep_sites: np.ndarray
    fixed_weight: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        """Rows left."""
        return int(self.rows.size)

    @property
    def n_sites(self) -> int:
        """Sites left (including required ones)."""
        return int(self.keep_sites.sum())

    def summary(self) -> str:
        """Compact text for a MILP name: ``rows<kept>of<n>_sites<kept>of<m>``."""
        return f"rows{self.n_rows}of{self.group.size}_sites{self.n_sites}of{self.keep_sites.size}"


# ---------------------------------------------------------------------------- models
def merge_rows(instance: Instance, max_cost: float) -> tuple[sp.csr_array, np.ndarray]:
    """Coverage rows with positive weight, identical rows merged: (0/1 matrix, summed weights).

    **Exact** for any objective that is a weighted sum of per-row terms
    depending on the row's set only (first and backup coverage): merged rows
    take equal values in every plan. Uncoverable and weightless rows are dropped.
    """
    A = as_binary_csr(instance.coverage_matrix(max_cost))
    live = np.flatnonzero((np.diff(A.indptr) > 0) & (instance.weights > 0))
    A1 = A[live]
    kept, _, w = merge_identical(A1, instance.weights[live])
    return sp.csr_array(A1[kept]), w


def reduce_mclp(
    instance: Instance,
    max_cost: float,
    p: int,
    *,
    weights: np.ndarray | None = None,
    max_work: float = MAX_WORK,
) -> CoverReduction:
    r"""Exact reduction of the maximal covering problem (also used for backup coverage).

    1. **Uncoverable / pre-covered / weightless rows** (exact): a demand point
       with :math:`N_i = \emptyset` is never covered; one within reach of a
       required (always open) site is always covered — its weight becomes a
       constant (``fixed_weight``); one with weight 0 adds nothing.
    2. **Identical rows merged, weights added** (exact): rows with equal
       :math:`N_i` have equal :math:`y_i = \min(1, \sum_{N_i} x_j)` in every
       plan, so one row with the summed weight has the same objective.
    3. **Column dominance** (exact while at least ``p`` sites remain): if
       :math:`M_j \subseteq M_k` (over the remaining rows) drop :math:`j`.
       Take any plan :math:`S` with :math:`|S| = p` and replace each dropped
       :math:`j \in S` by a kept dominator :math:`k` (one exists, see
       :func:`dominated_columns`); when :math:`k` is already in :math:`S` the
       swap just removes :math:`j`. The new set covers every row :math:`S`
       covered (:math:`M_j \subseteq M_k`), has at most :math:`p` sites, all
       kept, and is padded back to :math:`p` with other kept sites — coverage
       never falls when sites are added. This needs at least :math:`p` kept
       sites, so when fewer remain some dropped sites are kept back (lowest
       index first). Required sites are never dropped.
    4. Rows merged again on the kept sites (step 2's argument, on the reduced problem).
    """
    n, m = instance.n_demand, instance.n_sites
    w_all = instance.weights if weights is None else np.asarray(weights, dtype=float)
    A = as_binary_csr(instance.coverage_matrix(max_cost))
    length = np.diff(A.indptr)
    req = instance.required
    pre = (A @ req.astype(np.int64)) > 0
    live = (length > 0) & ~pre & (w_all > 0)
    counts = {
        "demand": n,
        "sites": m,
        "uncoverable": int((length == 0).sum()),
        "pre_covered": int(pre.sum()),
        "zero_weight": int(((length > 0) & ~pre & (w_all <= 0)).sum()),
    }
    fixed = float(w_all[pre].sum())
    live_idx = np.flatnonzero(live)
    A1 = A[live_idx]
    kept1, inv1, w1 = merge_identical(A1, w_all[live_idx])
    B = A1[kept1]
    counts["merged_first"] = int(live_idx.size - kept1.size)
    dom = dominated_columns(B, None, req, max_work=max_work)
    counts["dominance_skipped"] = int(dom is None)
    dom = np.zeros(m, dtype=bool) if dom is None else dom
    short = int(p) - int(m - dom.sum())
    if short > 0:  # keep back the lowest-index dropped sites
        dom[np.flatnonzero(dom)[:short]] = False
    counts["dominated_sites"] = int(dom.sum())
    keep_sites = ~dom
    B = keep_columns(B, keep_sites)
    # a row never loses all its sites (a dropped site's kept dominator covers it);
    # rows left empty anyway are dropped, as in step 1
    nonempty = np.diff(B.indptr) > 0
    kept2, inv2, w2 = merge_identical(B, w1)
    rep_nonempty = np.bincount(inv2, weights=nonempty, minlength=kept2.size) > 0
    final = np.flatnonzero(rep_nonempty)
    remap = np.full(kept2.size, -1, dtype=np.int64)
    remap[final] = np.arange(final.size)
    group = np.full(n, -1, dtype=np.int64)
    group[live_idx] = remap[inv2[inv1]]
    rows = live_idx[kept1[kept2[final]]]
    counts["merged"] = int(live_idx.size - kept2.size)
    counts["emptied"] = int(kept2.size - final.size)
    counts["rows"] = int(final.size)
    counts["kept_sites"] = int(keep_sites.sum())
    return CoverReduction(
        rows=rows,
        group=group,
        weights=w2[final],
        A=sp.csr_array(B[kept2[final]]),
        keep_sites=keep_sites,
        fixed_weight=fixed,
        counts=counts,
    )


def _cut(A: sp.csr_array, keep: np.ndarray) -> sp.csr_array:
    """Rows of a binary CSR matrix (a mask), indices sorted."""
    out = sp.csr_array(A[np.flatnonzero(keep)])
    out.sort_indices()
    return out


def dominance_rounds(
    A: sp.csr_array,
    rows: np.ndarray,
    site_costs: np.ndarray,
    required: np.ndarray,
    *,
    max_rounds: int = 20,
    max_work: float = MAX_WORK,
) -> tuple[np.ndarray, np.ndarray, sp.csr_array, bool, int]:
    r"""Alternate row and column dominance (set covering) until nothing changes.

    ``A`` holds the rows ``rows`` (original numbers) × all sites. Returns
    (kept rows, kept-site mask, kept rows × all sites with only kept sites'
    entries, whether a pass was over budget, passes run).
    The matrix is kept compact — kept rows × kept sites, as CSR and as its
    transpose; after a pass the side that lost rows is cut by a mask and the
    other is one transposition of the smaller result (measured cheaper than
    cutting columns) — and a pass runs only when the other pass removed something since it last ran:
    dropping rows cannot make a row dominated (the other rows' sets are
    unchanged), dropping sites cannot make a site dominated. So the last
    pass of the old "round until a whole round removes nothing" loop, and any
    pass with nothing new to find, are skipped, with the same result. Each
    pass checks the work budget before any work (:func:`subset_pairs`).
    """
    m = A.shape[1]
    f = np.asarray(site_costs, dtype=float)
    cols = np.arange(m)
    B = as_binary_csr(A)
    BT = sp.csr_array(B.T)  # the conversion sorts the indices
    skipped, passes = False, 0
    need_row = need_col = True
    for _ in range(max_rounds):
        if not (need_row or need_col):
            break
        if need_row:
            need_row, passes = False, passes + 1
            drow = dominated_rows(B, max_work=max_work, transpose=BT)
            skipped |= drow is None
            if drow is not None and drow.any():
                rows, B = rows[~drow], _cut(B, ~drow)
                BT = sp.csr_array(B.T)  # cheaper than cutting columns of the old one
                need_col = True
        if need_col:
            need_col, passes = False, passes + 1
            fc, rc = f[cols], required[cols]
            dcol = dominated_columns(B, fc, rc | (fc < 0), max_work=max_work, transpose=BT)
            skipped |= dcol is None
            # a site covering no remaining row, at cost >= 0, is never needed in a cover
            useless = (np.diff(BT.indptr) == 0) & ~rc & (fc >= 0)
            dcol = useless if dcol is None else dcol | useless
            if dcol.any():
                cols, BT = cols[~dcol], _cut(BT, ~dcol)
                B = sp.csr_array(BT.T)
                need_row = True
    keep_sites = np.zeros(m, dtype=bool)
    keep_sites[cols] = True
    # back to the original site numbers (cols is increasing: indices stay sorted)
    out = sp.csr_array((B.data, cols[B.indices], B.indptr), shape=(rows.size, m))
    return rows, keep_sites, out, skipped, passes


def reduce_lscp(
    instance: Instance,
    max_cost: float,
    site_costs: np.ndarray,
    *,
    max_rounds: int = 20,
    max_work: float = MAX_WORK,
) -> CoverReduction:
    r"""Exact reduction of the location set covering problem.

    1. **Pre-covered rows** (exact): a row within reach of a required site is
       satisfied by every plan; it is dropped.
    2. **Row dominance** (exact), incl. identical rows: if
       :math:`N_{i'} \subseteq N_i`, covering :math:`i'` covers :math:`i`, so
       row :math:`i` is dropped (:func:`dominated_rows`; identical rows are
       merged first by hashing, which is cheaper).
    3. **Column dominance with costs** (exact): if :math:`M_j \subseteq M_k`
       and :math:`f_k \le f_j`, any cover using :math:`j` stays a cover, at no
       greater cost, with :math:`k` in its place; so some optimal cover avoids
       every dominated site (ties keep the lowest index; a site covering no
       remaining row and costing :math:`\ge` another's is dominated). Required
       sites are never dropped (they are open anyway and their rows are gone),
       nor sites of negative cost (removing one from a cover would raise its cost).

    Steps 2–3 alternate until nothing changes (at most ``max_rounds``): dropping
    columns shrinks rows and dropping rows shrinks columns. Every step keeps
    the set of optimal values and maps a reduced cover to an original cover
    of the same cost, so the chain is exact.
    """
    n, m = instance.n_demand, instance.n_sites
    f = np.asarray(site_costs, dtype=float)
    A = as_binary_csr(instance.coverage_matrix(max_cost))
    req = instance.required
    pre = (A @ req.astype(np.int64)) > 0
    length = np.diff(A.indptr)
    counts = {
        "demand": n,
        "sites": m,
        "uncoverable": int((length == 0).sum()),
        "pre_covered": int(pre.sum()),
    }
    live = np.flatnonzero(~pre & (length > 0))
    rep = identical_rows(A[live])
    kept = np.unique(rep)
    counts["merged"] = int(live.size - kept.size)
    rows = live[kept]
    rows, keep_sites, B, skipped, passes = dominance_rounds(
        A[rows], rows, f, req, max_rounds=max_rounds, max_work=max_work
    )
    counts["passes"] = passes
    group = np.full(n, -1, dtype=np.int64)
    group[rows] = np.arange(rows.size)
    counts["dominated_rows"] = int(live.size - counts["merged"] - rows.size)
    counts["dominated_sites"] = int(m - keep_sites.sum())
    counts["dominance_skipped"] = int(skipped)
    counts["rows"] = int(rows.size)
    counts["kept_sites"] = int(keep_sites.sum())
    return CoverReduction(
        rows=rows,
        group=group,
        weights=np.ones(rows.size),
        A=B,
        keep_sites=keep_sites,
        counts=counts,
    )
