"""The data of a location problem: demand points × candidate sites.

An :class:`Instance` holds the reachable (finite-cost) demand–site pairs in
compressed sparse row form, so models never create a variable for a pair that
cannot be used, plus the per-point and per-site attributes every model reads.
It is immutable and validated once, at construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.errors import InputError

__all__ = ["Instance"]


def _ids(ids: Any, n: int, name: str, default_prefix: str) -> pd.Index:
    if ids is None:
        return pd.RangeIndex(n, name=name)
    index = pd.Index(ids, name=name)
    if len(index) != n:
        raise InputError(
            f"{name}: {len(index)} ids given for {n} {default_prefix}; pass one id per "
            f"{'row' if default_prefix == 'demand points' else 'column'} of the cost matrix",
            field=name,
        )
    if index.hasnans:
        raise InputError(f"{name}: ids must not be missing (NaN/None)", field=name)
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:5].tolist()
        raise InputError(f"{name}: ids must be unique; duplicated: {dup}", field=name)
    return index


def _vector(
    values: Any, n: int, name: str, default: float, *, allow_inf: bool = False
) -> np.ndarray:
    if values is None:
        arr = np.full(n, default, dtype=float)
        arr.setflags(write=False)
        return arr
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: must be numeric ({exc})", field=name) from None
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise InputError(f"{name}: expected {n} values, got shape {arr.shape}", field=name)
    bad = np.flatnonzero(np.isnan(arr))
    if bad.size:
        raise InputError(
            f"{name}: NaN at positions {bad[:5].tolist()}; fill or drop those entries",
            field=name,
        )
    if not allow_inf and not np.isfinite(arr).all():
        bad = np.flatnonzero(~np.isfinite(arr))
        raise InputError(f"{name}: infinite at positions {bad[:5].tolist()}", field=name)
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        raise InputError(
            f"{name}: must be >= 0; negative at positions {neg[:5].tolist()} "
            f"(e.g. {arr[neg[0]]:g})",
            field=name,
        )
    arr = arr.copy()
    arr.setflags(write=False)
    return arr


def _pairs_from_dense(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    finite = np.isfinite(cost)
    counts = finite.sum(axis=1)
    indptr = np.zeros(cost.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    rows, cols = np.nonzero(finite)  # row-major order: sorted by row, then column
    return indptr, cols.astype(np.int64), cost[rows, cols]


def _pairs_from_sparse(cost: sp.sparray | sp.spmatrix) -> tuple[np.ndarray, ...]:
    coo = sp.coo_array(cost)
    keys = coo.row.astype(np.int64) * coo.shape[1] + coo.col
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if keys.size and (np.diff(keys) == 0).any():
        k = keys[np.flatnonzero(np.diff(keys) == 0)[0]]
        raise InputError(
            f"cost: sparse matrix has duplicate entries, e.g. at (row {k // coo.shape[1]}, "
            f"column {k % coo.shape[1]}); call .sum_duplicates() or keep one value per pair",
            field="cost",
        )
    rows, cols, data = coo.row[order], coo.col[order], np.asarray(coo.data[order], dtype=float)
    keep = np.isfinite(data) | np.isnan(data) | (data < 0)  # NaN / -inf are reported below
    rows, cols, data = rows[keep], cols[keep], data[keep]
    indptr = np.zeros(coo.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=coo.shape[0]), out=indptr[1:])
    return indptr, cols.astype(np.int64), data


@dataclass(frozen=True, eq=False)
class Instance:
    """Demand points × candidate sites, with weights, demands, costs and capacities.

    Build it with :meth:`from_matrix` (or a reader in :mod:`erlocate.io`); the
    constructor itself takes already-validated arrays.

    Attributes
    ----------
    indptr, indices, costs : numpy.ndarray
        The reachable pairs in CSR form: the sites reachable from demand point
        ``i`` are ``indices[indptr[i]:indptr[i+1]]`` (ascending) at travel cost
        ``costs[indptr[i]:indptr[i+1]]``. Unreachable pairs are not stored.
    weights : numpy.ndarray
        What objectives weigh per demand point (e.g. population).
    demand : numpy.ndarray
        What each demand point loads onto a capacity (defaults to ``weights``).
    site_costs : numpy.ndarray
        Fixed cost of opening each site (zeros when not given).
    capacities : numpy.ndarray
        Capacity of each site (``inf`` when not given).
    required : numpy.ndarray of bool
        Sites that must stay open (existing facilities).
    demand_ids, site_ids : pandas.Index
        Identifiers kept in every output.
    demand_frame, site_frame : geopandas.GeoDataFrame, optional
        The demand points and sites as GeoDataFrames indexed by ``demand_ids``
        and ``site_ids`` (geometry plus attributes), when the instance came
        from geographic data (:meth:`from_geodataframes`). Maps and
        GeoDataFrame outputs of a :class:`~erlocate.result.Result` use them.
    """

    indptr: np.ndarray
    indices: np.ndarray
    costs: np.ndarray
    weights: np.ndarray
    demand: np.ndarray
    site_costs: np.ndarray
    capacities: np.ndarray
    required: np.ndarray
    demand_ids: pd.Index
    site_ids: pd.Index
    has_site_costs: bool = False
    name: str = ""
    demand_frame: Any = field(default=None, repr=False)
    site_frame: Any = field(default=None, repr=False)
    _rows: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows = np.repeat(np.arange(self.n_demand, dtype=np.int64), np.diff(self.indptr))
        for arr in (self.indptr, self.indices, self.costs, rows):
            arr.setflags(write=False)
        object.__setattr__(self, "_rows", rows)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_matrix(
        cls,
        cost: Any,
        *,
        weights: Any = None,
        demand: Any = None,
        site_costs: Any = None,
        capacities: Any = None,
        required: Any = None,
        demand_ids: Any = None,
        site_ids: Any = None,
        name: str = "",
    ) -> Instance:
        """Build an instance from a demand × site cost matrix.

        Parameters
        ----------
        cost : array-like, scipy.sparse matrix or pandas.DataFrame
            Travel time or distance, rows = demand points, columns = candidate
            sites. In a dense matrix ``np.inf`` marks an unreachable pair; in a
            sparse matrix a missing entry does (a stored 0 is a real cost of 0).
            A DataFrame supplies the ids from its index and columns.
        weights : array-like, optional
            Objective weight per demand point (default 1).
        demand : array-like, optional
            Capacity load per demand point (default: ``weights``).
        site_costs : array-like, optional
            Fixed opening cost per site (default 0; LSCP then minimises the count).
        capacities : array-like, optional
            Capacity per site (default unlimited).
        required : sequence of site ids or boolean mask, optional
            Sites that must be open in every solution (existing facilities).
        demand_ids, site_ids : sequence, optional
            Unique identifiers (default 0..n-1, or the DataFrame's labels).
        name : str
            A label for reports.

        Raises
        ------
        InputError
            NaN or negative costs, shape or id mismatches, negative weights,
            demands, costs or capacities, unknown required ids.
        """
        if isinstance(cost, pd.DataFrame):
            demand_ids = cost.index if demand_ids is None else demand_ids
            site_ids = cost.columns if site_ids is None else site_ids
            cost = cost.to_numpy(dtype=float)
        if sp.issparse(cost):
            shape = cost.shape
            indptr, indices, costs = _pairs_from_sparse(cost)
        else:
            try:
                dense = np.asarray(cost, dtype=float)
            except (TypeError, ValueError) as exc:
                raise InputError(f"cost: must be a numeric matrix ({exc})", field="cost") from None
            if dense.ndim != 2:
                raise InputError(
                    f"cost: expected a 2-d demand × site matrix, got {dense.ndim} dimension(s)",
                    field="cost",
                )
            shape = dense.shape
            # _pairs_from_dense keeps only finite entries: report NaN / negatives first
            nan_at = np.argwhere(np.isnan(dense))
            if nan_at.size:
                _raise_bad_cost("NaN", nan_at[:, 0], nan_at[:, 1], demand_ids, site_ids)
            neg_at = np.argwhere(dense < 0)
            if neg_at.size:
                _raise_bad_cost("negative", neg_at[:, 0], neg_at[:, 1], demand_ids, site_ids)
            indptr, indices, costs = _pairs_from_dense(dense)
        n, m = shape
        if n == 0 or m == 0:
            raise InputError(
                f"cost: needs at least one demand point and one site, got shape {shape}",
                field="cost",
            )
        rows = np.repeat(np.arange(n), np.diff(indptr))
        bad = np.isnan(costs)
        if bad.any():
            _raise_bad_cost("NaN", rows[bad], indices[bad], demand_ids, site_ids)
        bad = costs < 0
        if bad.any():
            _raise_bad_cost("negative", rows[bad], indices[bad], demand_ids, site_ids)

        d_ids = _ids(demand_ids, n, "demand_ids", "demand points")
        s_ids = _ids(site_ids, m, "site_ids", "sites")
        w = _vector(weights, n, "weights", 1.0)
        dem = w if demand is None else _vector(demand, n, "demand", 1.0)
        f = _vector(site_costs, m, "site_costs", 0.0)
        cap = _vector(capacities, m, "capacities", np.inf, allow_inf=True)
        req = _required_mask(required, s_ids)
        for arr in (indptr, indices, costs):
            arr.setflags(write=False)
        return cls(
            indptr=indptr,
            indices=indices,
            costs=costs,
            weights=w,
            demand=dem,
            site_costs=f,
            capacities=cap,
            required=req,
            demand_ids=d_ids,
            site_ids=s_ids,
            has_site_costs=site_costs is not None,
            name=name,
        )

    @classmethod
    def from_geodataframes(cls, demand: Any, sites: Any, **kwargs: Any) -> Instance:
        """Build an instance from point GeoDataFrames.

        See :func:`erlocate.geo.from_geodataframes` for the keywords (weights,
        ids, cost rule, road network, cut-off).
        """
        from erlocate.geo.frames import from_geodataframes  # local: geopandas loads on demand

        return from_geodataframes(demand, sites, **kwargs)

    def with_frames(self, demand_frame: Any = None, site_frame: Any = None) -> Instance:
        """A copy carrying GeoDataFrames of the demand points and sites (indexed by their ids)."""
        for frame, ids, label in (
            (demand_frame, self.demand_ids, "demand_frame"),
            (site_frame, self.site_ids, "site_frame"),
        ):
            if frame is not None and not frame.index.equals(ids):
                raise InputError(
                    f"{label}: its index must equal the instance's ids in order "
                    f"({len(frame)} rows vs {len(ids)} ids)",
                    field=label,
                )
        return replace(self, demand_frame=demand_frame, site_frame=site_frame)

    # ------------------------------------------------------------------ shape
    @property
    def n_demand(self) -> int:
        """Number of demand points."""
        return len(self.indptr) - 1

    @property
    def n_sites(self) -> int:
        """Number of candidate sites."""
        return len(self.site_ids)

    @property
    def n_pairs(self) -> int:
        """Number of reachable demand–site pairs."""
        return len(self.indices)

    @property
    def pair_rows(self) -> np.ndarray:
        """Demand index of each stored pair (aligned with ``indices`` and ``costs``)."""
        return self._rows

    # ------------------------------------------------------------------ lookups
    def cost_of(self, i: Any, j: Any) -> np.ndarray:
        """Travel cost of demand ``i`` to site ``j`` (vectorised; ``inf`` if unreachable)."""
        i = np.asarray(i, dtype=np.int64)
        j = np.asarray(j, dtype=np.int64)
        keys = self._rows * self.n_sites + self.indices  # sorted: CSR with ascending columns
        q = i * self.n_sites + j
        pos = np.searchsorted(keys, q)
        pos_c = np.minimum(pos, max(len(keys) - 1, 0))
        found = (pos < len(keys)) & (keys[pos_c] == q) if len(keys) else np.zeros_like(q, bool)
        out = np.full(q.shape, np.inf)
        out[found] = self.costs[pos_c[found]]
        return out

    def dense_costs(self) -> np.ndarray:
        """The full demand × site cost matrix with ``inf`` for unreachable pairs."""
        out = np.full((self.n_demand, self.n_sites), np.inf)
        out[self._rows, self.indices] = self.costs
        return out

    def pair_mask(self, max_cost: float | None = None) -> np.ndarray:
        """Boolean mask over stored pairs with cost within ``max_cost`` (all if None)."""
        if max_cost is None:
            return np.ones(self.n_pairs, dtype=bool)
        return self.costs <= max_cost

    def coverage_matrix(self, max_cost: float) -> sp.csr_array:
        """0/1 demand × site matrix of pairs within ``max_cost`` (the sets N_i)."""
        mask = self.costs <= max_cost
        return sp.csr_array(
            (np.ones(int(mask.sum())), (self._rows[mask], self.indices[mask])),
            shape=(self.n_demand, self.n_sites),
        )

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return (
            f"<Instance{label}: {self.n_demand} demand points × {self.n_sites} sites, "
            f"{self.n_pairs} reachable pairs, {int(self.required.sum())} required>"
        )


def _raise_bad_cost(kind: str, rows: np.ndarray, cols: np.ndarray, d_ids: Any, s_ids: Any) -> None:
    def label(ids: Any, k: int) -> Any:
        try:
            return ids[k] if ids is not None else k
        except (IndexError, KeyError, TypeError):
            return k

    examples = ", ".join(
        f"(demand {label(d_ids, int(r))!r}, site {label(s_ids, int(c))!r})"
        for r, c in zip(rows[:3], cols[:3], strict=False)
    )
    fix = (
        "use np.inf (dense) or leave the entry out (sparse) for unreachable pairs"
        if kind == "NaN"
        else "travel costs must be >= 0"
    )
    raise InputError(f"cost: {len(rows)} {kind} entries, e.g. {examples}; {fix}", field="cost")


def _required_mask(required: Any, site_ids: pd.Index) -> np.ndarray:
    m = len(site_ids)
    if required is None:
        mask = np.zeros(m, dtype=bool)
    else:
        arr = np.asarray(required)
        if arr.dtype == bool:
            if arr.shape != (m,):
                raise InputError(
                    f"required: boolean mask must have {m} entries, got shape {arr.shape}",
                    field="required",
                )
            mask = arr.copy()
        else:
            wanted = pd.Index(
                np.atleast_1d(arr) if not isinstance(required, Sequence) else required
            )
            pos = site_ids.get_indexer(wanted)
            if (pos < 0).any():
                missing = wanted[pos < 0][:5].tolist()
                raise InputError(
                    f"required: unknown site ids {missing}; required sites must be among site_ids",
                    field="required",
                )
            mask = np.zeros(m, dtype=bool)
            mask[pos] = True
    mask.setflags(write=False)
    return mask
