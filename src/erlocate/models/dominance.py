"""Exact 0/1 matrix dominance for covering models: identical rows, dominated rows and columns.

The primitives behind :mod:`erlocate.models.reduce`, on a demand × site 0/1
coverage matrix :math:`A` (scipy.sparse CSR): rows with the same support
(hashed, then compared exactly), rows whose support contains another's, and
columns whose support is contained in another's. Subset pairs come from the
intersection counts :math:`A^\top A` (or :math:`AA^\top`), formed in chunks
under a work budget (``max_work``); past the budget a pass is skipped, never
truncated, so a reduction is always exact.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = [
    "HASH_SEED",
    "MAX_WORK",
    "as_binary_csr",
    "column_bits",
    "dominated_columns",
    "dominated_rows",
    "identical_rows",
    "keep_columns",
    "merge_identical",
    "row_hashes",
    "subset_pairs",
    "subset_work",
]

#: Default budget for one dominance pass, in estimated elementary operations
#: (bitset words compared, or multiply-adds of AᵀA), checked before any work.
MAX_WORK = 5e7
#: Seed of the random row hashes (any fixed value: hashes only group candidates).
HASH_SEED = 20231234


def as_binary_csr(A: sp.sparray | sp.spmatrix) -> sp.csr_array:
    A = sp.csr_array(A, dtype=np.int64)
    A.sum_duplicates()
    A.data[:] = 1
    A.sort_indices()
    return A


def keep_columns(A: sp.sparray | sp.spmatrix, keep: np.ndarray) -> sp.csr_array:
    """``A`` with the entries of columns outside ``keep`` removed (column numbers unchanged)."""
    A = as_binary_csr(A)
    A.data = A.data * keep[A.indices]
    A.eliminate_zeros()
    return A


def row_hashes(A: sp.csr_array, seed: int = HASH_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Two order-free 64-bit hashes of each row's index set (wrap-around sums)."""
    rng = np.random.default_rng(seed)
    nonempty = np.flatnonzero(np.diff(A.indptr) > 0)
    out = []
    for _ in range(2):
        r = rng.integers(0, np.iinfo(np.uint64).max, size=A.shape[1], dtype=np.uint64)
        h = np.zeros(A.shape[0], dtype=np.uint64)
        if nonempty.size:  # segment sums, mod 2**64 (empty rows stay 0)
            h[nonempty] = np.add.reduceat(r[A.indices], A.indptr[nonempty], dtype=np.uint64)
        out.append(h)
    return out[0], out[1]


def identical_rows(A: sp.sparray | sp.spmatrix) -> np.ndarray:
    """Representative (lowest index with the same set) of each row of a 0/1 matrix.

    **Exact**: candidates share both hashes and the size; the sorted index
    lists are then compared entry by entry with the representative's, and
    rows that differ (hash collision) are regrouped by their full index lists.
    """
    A = as_binary_csr(A)
    n = A.shape[0]
    length = np.diff(A.indptr)
    h1, h2 = row_hashes(A)
    idx = np.arange(n)
    order = np.lexsort((idx, h2, h1, length))
    ks = (length[order], h1[order], h2[order])
    new = np.ones(n, dtype=bool)
    if n:
        new[1:] = np.any([k[1:] != k[:-1] for k in ks], axis=0)
    first = order[np.flatnonzero(new)]
    rep = np.empty(n, dtype=np.int64)
    rep[order] = first[np.cumsum(new) - 1]
    # exact confirmation: same length, compare sorted lists position by position
    # (only rows grouped under another row: a representative matches itself)
    dup = np.flatnonzero(rep != idx)
    rows = np.repeat(dup, length[dup])
    t = np.arange(rows.size) - np.repeat(np.cumsum(length[dup]) - length[dup], length[dup])
    mismatch = A.indices[A.indptr[rows] + t] != A.indices[A.indptr[rep[rows]] + t]
    bad = np.unique(rows[mismatch])
    if bad.size:  # hash collision (rare): group these rows exactly on padded index lists
        lb = length[bad]
        pad = np.full((bad.size, int(lb.max()) + 1), -1, dtype=np.int64)
        pad[:, 0] = lb
        r_local = np.repeat(np.arange(bad.size), lb)
        t_local = np.arange(r_local.size) - np.repeat(np.cumsum(lb) - lb, lb)
        pos = A.indptr[bad][r_local] + t_local
        pad[r_local, 1 + t_local] = A.indices[pos]
        _, inv = np.unique(pad, axis=0, return_inverse=True)
        inv = inv.ravel()
        first = np.full(int(np.max(inv)) + 1, n, dtype=np.int64)
        np.minimum.at(first, inv, bad)
        rep[bad] = first[inv]
    return rep


def column_bits(AT: sp.csr_array, chunk_cells: int = 1 << 22) -> np.ndarray:
    """Bitsets of the rows of a 0/1 CSR matrix: (rows × ceil(cols / 64)) uint64 words.

    Rows are set in a dense boolean block of at most ``chunk_cells`` cells at a
    time and packed with :func:`numpy.packbits` (bit ``c % 64`` of word ``c // 64``
    is column ``c``).
    """
    k, r = AT.shape
    n_words = max(1, -(-r // 64))
    bits = np.zeros((k, n_words), dtype=np.uint64)
    step = max(1, chunk_cells // (n_words * 64))
    for start in range(0, k, step):
        stop = min(k, start + step)
        lo, hi = AT.indptr[start], AT.indptr[stop]
        if lo == hi:
            continue
        block = np.zeros((stop - start, n_words * 64), dtype=bool)
        item = np.repeat(np.arange(stop - start), np.diff(AT.indptr[start : stop + 1]))
        block[item, AT.indices[lo:hi]] = True
        packed = np.packbits(block, axis=1, bitorder="little")
        bits[start:stop] = packed.view(np.dtype("<u8")).astype(np.uint64, copy=False)
    return bits


def subset_work(A: sp.csr_array, AT: sp.csr_array | None = None) -> tuple[float, float]:
    """Operations of the two subset searches on ``A``'s columns: (bitset, sparse product).

    Computed from row and column counts alone, before anything is formed:
    the bitset search compares ``Σ_a |N_rare(a)|`` candidate pairs (``rare(a)``
    the row of column ``a`` in fewest columns) over ``ceil(rows / 64)`` words;
    the product AᵀA costs ``Σ_i |N_i|²`` multiply-adds (an upper bound on its non-zeros).
    ``AT`` is ``A``'s transpose in CSR form if the caller holds it (not formed again).
    """
    row_len = np.diff(A.indptr).astype(float)
    sparse_ops = float(row_len @ row_len)
    AT = sp.csr_array(A.T) if AT is None else AT
    col_len = np.diff(AT.indptr)
    key = row_len[AT.indices]
    rare = np.full(AT.shape[0], 0.0)
    nz = np.flatnonzero(col_len)
    if nz.size:
        rare[nz] = np.minimum.reduceat(key, AT.indptr[nz])
    words = max(1, -(-A.shape[0] // 64))
    return float(rare.sum()) * (words + 2), sparse_ops


def subset_pairs(
    A: sp.csr_array, max_pairs: float, method: str = "auto", AT: sp.csr_array | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Column pairs (a, b), a != b, with M_a ⊆ M_b, and the column sizes; None over budget.

    **Exact** whenever it answers. The cost of both searches is estimated
    from row and column counts first (:func:`subset_work`); when the cheaper
    exceeds ``max_pairs`` operations (a dense overlap structure, where
    dominance is rare and costly) None is returned before any work is done.
    Otherwise the cheaper runs: either candidate pairs (b covering the
    rarest row of a, |M_b| >= |M_a|) checked exactly on bitsets, or the
    intersection counts |M_a ∩ M_b| = |M_a| of AᵀA formed in column chunks
    (``method`` "bitset" or "product" forces one, for tests). ``AT``: the
    transpose of ``A`` (binary CSR, sorted indices) when the caller keeps one.
    """
    m = A.shape[1]
    size = np.bincount(A.indices, minlength=m)
    AT = sp.csr_array(A.T) if AT is None else AT
    bit_ops, sparse_ops = subset_work(A, AT)
    if min(bit_ops, sparse_ops) > max_pairs:
        return None
    if method == "bitset" or (method == "auto" and bit_ops <= sparse_ops):
        return (*_bitset_pairs(A, AT, size), size)
    out_a, out_b = [], []
    chunk = max(1, int(m // 16))
    for start in range(0, m, chunk):
        stop = min(m, start + chunk)
        if AT.indptr[stop] == AT.indptr[start]:
            continue
        C = (AT[start:stop] @ A).tocoo()
        a = C.row.astype(np.int64) + start
        b = C.col.astype(np.int64)
        ok = (a != b) & (C.data == size[a])
        out_a.append(a[ok])
        out_b.append(b[ok])
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int64)  # noqa: E731
    return cat(out_a), cat(out_b), size


def _bitset_pairs(
    A: sp.csr_array, AT: sp.csr_array, size: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Subset pairs from candidates sharing each column's rarest row, checked on bitsets.

    Columns are relabelled by decreasing size, so the candidates b of a with
    |M_b| >= |M_a| are a prefix of the (sorted) rarest row of a.
    """
    m = A.shape[1]
    perm = np.argsort(-size, kind="stable")  # new label -> old column
    PT = AT[perm]
    P = sp.csr_array(PT.T)  # the transpose comes out with sorted indices
    size_new = size[perm]
    row_len = np.diff(P.indptr)
    col_len = np.diff(PT.indptr)
    nz = np.flatnonzero(col_len)
    if nz.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    key = row_len[PT.indices]
    low = np.minimum.reduceat(key, PT.indptr[nz])  # rarest row's length, per column
    seg = np.repeat(np.arange(m), col_len)
    hit = np.flatnonzero(key == _spread(low, nz, m)[seg])
    first = hit[np.r_[True, seg[hit][1:] != seg[hit][:-1]]]
    rare = PT.indices[first].astype(np.int64)
    lim = np.searchsorted(-size_new, -size_new[nz], side="right")  # labels with size >= |M_a|
    flat = np.repeat(np.arange(P.shape[0], dtype=np.int64), row_len) * m + P.indices
    stop = np.searchsorted(flat, rare * m + lim)
    count = stop - P.indptr[rare]
    a = np.repeat(nz, count)
    offs = np.arange(a.size) - np.repeat(np.cumsum(count) - count, count)
    b = P.indices[np.repeat(P.indptr[rare], count) + offs].astype(np.int64)
    keep = a != b
    a, b = a[keep], b[keep]
    bits = column_bits(PT).T.copy()  # word-major: one contiguous gather per word
    idx = np.arange(a.size)
    for word in bits:  # keep the pairs with no bit of a outside b, word by word
        idx = idx[(word[a[idx]] & ~word[b[idx]]) == 0]
    return perm[a[idx]], perm[b[idx]]


def _spread(values: np.ndarray, at: np.ndarray, m: int) -> np.ndarray:
    out = np.zeros(m, dtype=values.dtype)
    out[at] = values
    return out


def dominated_columns(
    A: sp.sparray | sp.spmatrix,
    cost: np.ndarray | None = None,
    protect: np.ndarray | None = None,
    *,
    max_work: float = MAX_WORK,
    transpose: sp.csr_array | None = None,
) -> np.ndarray | None:
    r"""Columns of a 0/1 matrix dominated by another column (a mask), or None if over budget.

    Column :math:`k` dominates :math:`j` when :math:`M_j \subseteq M_k`,
    :math:`f_k \le f_j` and (:math:`M_j \ne M_k` or :math:`f_k < f_j` or
    :math:`k < j`) — a strict partial order, so every dominated column has an
    undominated (kept) dominator. An empty column is dominated when some other
    column exists with :math:`f_k \le f_j` (or, with ``cost`` None, always).
    ``protect`` columns are never reported. ``cost`` None means all equal.
    ``transpose``: ``A``'s transpose as binary CSR (sorted), if the caller keeps
    one; ``A`` must then be binary CSR with sorted indices too (used as given).
    """
    A = as_binary_csr(A) if transpose is None else A
    m = A.shape[1]
    f = np.zeros(m) if cost is None else np.asarray(cost, dtype=float)
    found = subset_pairs(A, max_work, AT=transpose)
    if found is None:
        return None
    j, k, size = found
    ok = (f[k] <= f[j]) & ((size[k] > size[j]) | (f[k] < f[j]) | (k < j))
    dom = np.zeros(m, dtype=bool)
    dom[j[ok]] = True
    empty = size == 0
    if empty.any() and m > 1:
        # an empty column is dominated by another column k with f_k < f_j, or
        # f_k = f_j and k < j (the cheapest, lowest-index column stays)
        cheapest = int(np.lexsort((np.arange(m), f))[0])
        dom |= empty & ((f > f[cheapest]) | ((f == f[cheapest]) & (np.arange(m) != cheapest)))
    if protect is not None:
        dom &= ~np.asarray(protect, dtype=bool)
    return dom


def dominated_rows(
    A: sp.sparray | sp.spmatrix,
    *,
    max_work: float = MAX_WORK,
    transpose: sp.csr_array | None = None,
) -> np.ndarray | None:
    r"""Rows of a 0/1 matrix whose set contains another row's set (a mask), or None if over budget.

    Row :math:`i` is redundant when some :math:`i'` has :math:`N_{i'} \subseteq N_i`
    and (:math:`N_{i'} \ne N_i` or :math:`i' < i`). For a set-covering
    constraint :math:`\sum_{N_i} x_j \ge 1` this is **exact**: any cover of the
    kept row :math:`i'` covers :math:`i`. (Not exact for MCLP, where rows are
    weighted and need not be covered.)
    ``transpose``: ``A``'s transpose as binary CSR (sorted), if the caller keeps
    one; ``A`` must then be binary CSR with sorted indices too (used as given).
    """
    if transpose is None:
        A = as_binary_csr(A)
        transpose = as_binary_csr(A.T)
    n = A.shape[0]
    # pairs (i2, i) with N_i2 ⊆ N_i
    found = subset_pairs(transpose, max_work, AT=sp.csr_array(A))
    if found is None:
        return None
    i2, i, size = found
    ok = (size[i2] < size[i]) | (i2 < i)
    dom = np.zeros(n, dtype=bool)
    dom[i[ok]] = True
    return dom


def merge_identical(
    A: sp.csr_array, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge identical rows: (kept row positions, position->kept-row map, summed weights)."""
    rep = identical_rows(A)
    kept, inverse = np.unique(rep, return_inverse=True)
    w = np.bincount(inverse, weights=weights, minlength=kept.size)
    return kept, inverse, w
