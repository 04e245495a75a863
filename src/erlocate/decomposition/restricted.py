r"""The restricted MCLP of the fixing method: its data, bounds, fixings and MILP.

The pieces of :mod:`erlocate.decomposition.mclp_fixing` that need no
heuristic: :class:`RestrictedProblem` (the reduced rows and sites with the
fixings so far), the Lagrangian bound from any multipliers
(:func:`lagrangian_bound`), reduced-cost fixing (:func:`fix_by_reduced_costs`),
the LP duals (:func:`lp_duals`), and the restricted MILP
(:func:`build_restricted`, :func:`encode_restricted`). Every step is exact; the
argument is in the docstring of :mod:`~erlocate.decomposition.mclp_fixing`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import highspy
import numpy as np
import scipy.sparse as sp

from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.reduce import CoverReduction

__all__ = [
    "Fixing",
    "RestrictedProblem",
    "apply",
    "build_restricted",
    "encode_restricted",
    "fix_by_reduced_costs",
    "lagrangian_bound",
    "lp_duals",
    "project_to_kept",
]


# ----------------------------------------------------------------------------- data
@dataclass(frozen=True, eq=False)
class RestrictedProblem:
    """The reduced MCLP with some sites and rows fixed.

    Attributes
    ----------
    A : scipy.sparse.csr_array
        Kept rows × all sites 0/1 coverage (of the reduction).
    w : numpy.ndarray
        Row weights.
    free : numpy.ndarray of bool
        Sites still to decide.
    fixed_open : numpy.ndarray of bool
        Sites open in every plan of the restricted problem (required ones included).
    must : numpy.ndarray of bool
        Rows every plan of the restricted problem covers.
    p : int
        Total number of open sites.
    offset : float
        Weight covered whatever the free sites (pre-covered demand of the reduction).
    """

    A: sp.csr_array
    w: np.ndarray
    free: np.ndarray
    fixed_open: np.ndarray
    must: np.ndarray
    p: int
    offset: float

    @property
    def p_free(self) -> int:
        """Sites still to open among the free ones."""
        return self.p - int(self.fixed_open.sum())

    def row_state(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows covered by a fixed-open site, rows with a free site and not so covered)."""
        const = (self.A @ self.fixed_open.astype(float)) > 0
        live = ((self.A @ self.free.astype(float)) > 0) & ~const
        return const, live

    def value(self, open_: np.ndarray) -> float:
        """Covered weight of a plan (all open sites) in the reduced problem, offset included."""
        return self.offset + float(self.w[(self.A @ open_.astype(float)) > 0].sum())

    def admits(self, open_: np.ndarray) -> bool:
        """Whether a plan satisfies every fixing."""
        counts = self.A @ open_.astype(float)
        return bool(
            int(open_.sum()) == self.p
            and not (open_ & ~(self.free | self.fixed_open)).any()
            and open_[self.fixed_open].all()
            and (counts[self.must] > 0).all()
        )


@dataclass(frozen=True)
class Fixing:
    """What one round of reduced-cost fixing found (masks; see the module docstring)."""

    close: np.ndarray
    open: np.ndarray
    must: np.ndarray
    never: np.ndarray
    bound: float

    @property
    def count(self) -> int:
        """Sites and rows fixed in this round."""
        return int(self.close.sum() + self.open.sum() + self.must.sum() + self.never.sum())


# ------------------------------------------------------------------------- bounds
def lagrangian_bound(
    prob: RestrictedProblem, u: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, float]:
    r"""The Lagrangian bound for multipliers ``u`` (clipped to >= 0), and its pieces.

    Returns ``(L, row_term, a, lam)`` where ``row_term`` is :math:`w_i - u_i` on
    live rows (0 elsewhere), ``a`` the site sums :math:`\sum_{i \in M_j} u_i`
    over live rows and ``lam`` the :math:`p'`-th largest ``a`` over free sites.
    ``L`` bounds the covered weight (offset included) of every plan of
    ``prob``; it is valid for any ``u`` (module docstring, step 3).
    """
    const, live = prob.row_state()
    u = np.where(live, np.maximum(np.asarray(u, dtype=float), 0.0), 0.0)
    r = np.where(live, prob.w - u, 0.0)
    a = prob.A.T @ u
    af = a[prob.free]
    k = prob.p_free
    if k <= 0 or af.size == 0:
        lam, top = 0.0, 0.0
    else:
        lam = float(np.partition(af, af.size - k)[af.size - k])
        top = lam * k + float(np.maximum(af - lam, 0.0).sum())
    rows = float(np.where(prob.must, r, np.maximum(r, 0.0))[live].sum())
    L = prob.offset + float(prob.w[const].sum()) + rows + top
    return L, r, a, lam


def fix_by_reduced_costs(
    prob: RestrictedProblem, u: np.ndarray, lb: float, *, tol: float | None = None
) -> Fixing:
    """Sites and rows whose single Lagrangian penalty exceeds ``L - lb`` (exact; module docstring).

    ``tol`` (default ``1e-9 * max(1, |L|)``) is a safety margin against
    rounding: a penalty must exceed ``L - lb + tol``.
    """
    L, r, a, lam = lagrangian_bound(prob, u)
    slack = L - lb + (1e-9 * max(1.0, abs(L)) if tol is None else tol)
    _, live = prob.row_state()
    d = a - lam
    close = prob.free & (d < -slack)
    open_ = prob.free & (d > slack)
    must = live & ~prob.must & (r > slack)
    never = live & ~prob.must & (r < -slack)
    return Fixing(close, open_, must, never, L)


def apply(prob: RestrictedProblem, fix: Fixing) -> RestrictedProblem:
    """``prob`` with the fixings of ``fix``: never-rows close their sites."""
    close = fix.close.copy()
    if fix.never.any():
        close |= (prob.A.T @ fix.never.astype(float)) > 0
    close &= prob.free
    opened = fix.open & ~close
    return replace(
        prob,
        free=prob.free & ~close & ~opened,
        fixed_open=prob.fixed_open | opened,
        must=prob.must | fix.must,
    )


def lp_duals(
    prob: RestrictedProblem, time_limit: float | None = None, threads: int | None = None
) -> tuple[np.ndarray, float]:
    """Row duals (the multipliers u, one per row; 0 off live rows) of the LP relaxation of ``prob``.

    Solved with HiGHS' interior point method and crossover. The LP value is
    returned for information only: bounds are recomputed by
    :func:`lagrangian_bound` from ``u``.

    Returns
    -------
    (numpy.ndarray, float)
        Multipliers and the LP objective (NaN when HiGHS gave no optimal LP).
    """
    from erlocate.backends.highs import new_highs, run, set_option

    _, live = prob.row_state()
    rows = np.flatnonzero(live)
    cols = np.flatnonzero(prob.free)
    n, k = rows.size, cols.size
    u = np.zeros(prob.w.size)
    if n == 0 or k == 0:
        return u, float("nan")
    Af = sp.csr_array(prob.A[rows][:, cols])
    M = sp.vstack(
        [
            sp.hstack([-Af, sp.eye_array(n, format="csr")]),
            sp.hstack([sp.csr_array(np.ones((1, k))), sp.csr_array((1, n))]),
        ]
    ).tocsr()
    h = new_highs()
    set_option(h, "solver", "ipm")
    if time_limit is not None:
        set_option(h, "time_limit", max(float(time_limit), 0.01))
    if threads is not None:
        set_option(h, "threads", int(threads))
    c = np.concatenate([np.zeros(k), prob.w[rows]])
    col_lb = np.concatenate([np.zeros(k), prob.must[rows].astype(float)])
    row_lb = np.concatenate([np.full(n, -np.inf), [prob.p_free]])
    row_ub = np.concatenate([np.zeros(n), [prob.p_free]])
    h.passModel(
        k + n,
        n + 1,
        int(M.nnz),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        c,
        col_lb,
        np.ones(k + n),
        row_lb,
        row_ub,
        M.indptr.astype(np.int32),
        M.indices.astype(np.int32),
        M.data.astype(np.float64),
        np.zeros(k + n, dtype=np.int32),
    )
    run(h, threads, "the MCLP fixing LP")
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return u, float("nan")
    dual = np.asarray(h.getSolution().row_dual, dtype=float)[:n]
    # HiGHS' sign convention for a max problem's <= rows: try both, keep the tighter bound
    up, down = u.copy(), u.copy()
    up[rows], down[rows] = dual, -dual
    best = min((lagrangian_bound(prob, v)[0], i) for i, v in enumerate((up, down)))
    return (up, down)[best[1]], float(h.getInfo().objective_function_value)


# ------------------------------------------------------------------------- plans
def project_to_kept(
    instance: Instance, red: CoverReduction, max_cost: float, open_: np.ndarray
) -> np.ndarray:
    """Move a plan onto the reduction's kept sites without losing covered weight.

    Each open dropped (dominated) site is replaced by a kept site covering a
    superset of its reduced rows (one exists, see
    :func:`erlocate.models.reduce.reduce_mclp`); sites freed by duplicates are
    refilled greedily among kept sites. Coverage never falls.
    """
    open_ = np.asarray(open_, dtype=bool).copy()
    bad = np.flatnonzero(open_ & ~red.keep_sites)
    if bad.size == 0:
        return open_
    B = sp.csc_array(sp.csr_array(instance.coverage_matrix(max_cost))[red.rows])
    B.data[:] = 1.0
    p = int(open_.sum())
    open_[bad] = False
    for j in bad:  # at most p dropped sites: one vectorised search each
        rows_j = B.indices[B.indptr[j] : B.indptr[j + 1]]
        hits = np.asarray(B[rows_j].sum(axis=0)).ravel() >= rows_j.size
        cand = np.flatnonzero(hits & red.keep_sites & ~open_)
        if cand.size:
            open_[cand[0]] = True
    if int(open_.sum()) < p:  # refill greedily on the reduced rows
        Bcsr = sp.csr_array(B)
        w = red.weights
        for _ in range(p - int(open_.sum())):
            unc = (Bcsr @ open_.astype(float)) == 0
            gain = Bcsr.T @ (w * unc)
            gain[~red.keep_sites | open_] = -1.0
            open_[int(np.argmax(gain))] = True
    return open_


def build_restricted(prob: RestrictedProblem, name: str = "mclp_fixed") -> Milp:
    """The MILP of ``prob``: ``open`` (all sites; fixings as bounds), ``covered`` (live rows),
    ``cover`` rows, ``count``; rows covered by a fixed-open site are in the offset."""
    const, live = prob.row_state()
    rows = np.flatnonzero(live)
    b = MilpBuilder(name, "max")
    x = b.add_cols(
        "open",
        prob.free.size,
        lb=prob.fixed_open.astype(float),
        ub=(prob.free | prob.fixed_open).astype(float),
        integer=True,
    )
    # for binary x each y_i ranges over [must_i, min(1, open sites covering i)], integral ends:
    # some optimum has integral y (implied integer)
    y = b.add_cols(
        "covered",
        rows.size,
        obj=prob.w[rows],
        lb=prob.must[rows].astype(float),
        ub=1.0,
        implied_integer=True,
    )
    sub = sp.csr_array(prob.A[rows])
    sub.data = sub.data * prob.free[sub.indices]
    sub.eliminate_zeros()
    coo = sub.tocoo()
    k = np.arange(rows.size)
    b.add_rows(
        "cover",
        rows=np.concatenate([coo.row, k]),
        cols=np.concatenate([x[coo.col], y]),
        vals=np.concatenate([np.ones(coo.row.size), -np.ones(k.size)]),
        lb=0.0,
        n_rows=rows.size,
    )
    b.add_rows("count", rows=np.zeros(x.size), cols=x, vals=1.0, lb=prob.p, ub=prob.p, n_rows=1)
    b.offset = prob.offset + float(prob.w[const].sum())
    return b.build()


def encode_restricted(prob: RestrictedProblem, milp: Milp, open_: np.ndarray) -> np.ndarray:
    _, live = prob.row_state()
    x = np.zeros(milp.n_cols)
    x[milp.col_blocks["open"]] = open_.astype(float)
    counts = prob.A[np.flatnonzero(live)] @ (open_ & prob.free).astype(float)
    x[milp.col_blocks["covered"]] = np.minimum(counts, 1.0)
    return x
