"""The data of a location problem: demand points × candidate sites.

An :class:`Instance` holds the reachable (finite-cost) demand–site pairs in
compressed sparse row form, so models never create a variable for a pair that
cannot be used, plus the per-point and per-site attributes every model reads.
It is immutable and validated once, at construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.errors import InputError
from erlocate.inputs import MAX_MAGNITUDE, cost_pairs, id_index, required_mask, show_ids, vector
from erlocate.params import number

__all__ = ["Instance"]


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
    cutoff : float or None
        The cost the pairs were cut at: no pair costlier than this is stored,
        whether or not it is reachable. None: a missing pair is unreachable.
        Models reading costs beyond it are refused (see
        :meth:`erlocate.models.Model.reach`).
    unit : str or None
        Unit of the costs (``"min"``, ``"m"`` ...), used in summaries and messages.
    dropped : tuple
        Ids of demand points removed by :meth:`drop_demand` (e.g. cut off by a
        road closure); results built on this instance name them, since what they
        report leaves these points out.
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
    cutoff: float | None = None
    unit: str | None = None
    dropped: tuple = ()
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
        cutoff: float | None = None,
        unit: str | None = None,
    ) -> Instance:
        """Build an instance from a demand × site cost matrix.

        Parameters
        ----------
        cost : array-like, scipy.sparse matrix or pandas.DataFrame
            Travel time or distance, rows = demand points, columns = candidate
            sites. In a dense matrix ``np.inf`` marks an unreachable pair; in a
            sparse matrix a missing entry does (a stored 0 is a real cost of 0).
            A DataFrame supplies the ids from its index and columns.
        weights : array-like, pandas.Series or mapping, optional
            Objective weight per demand point (default 1). A Series or mapping
            is aligned by label to the demand ids (its labels must be exactly
            the ids); an array is taken in row order. Weights summing to 0 are
            refused (every weighted objective would be 0).
        demand : array-like, pandas.Series or mapping, optional
            Capacity load per demand point (default: ``weights``).
        site_costs : array-like, pandas.Series or mapping, optional
            Fixed opening cost per site (default 0; LSCP then minimises the count).
        capacities : array-like, pandas.Series or mapping, optional
            Capacity per site (default unlimited; ``inf`` = unlimited).
        required : list of site ids, boolean mask or boolean Series, optional
            Sites that must be open in every solution (existing facilities). A
            list of 0/1 integers on integer site ids is ambiguous and refused:
            pass a boolean mask.
        demand_ids, site_ids : sequence, optional
            Unique identifiers (default 0..n-1, or the DataFrame's labels).
        name : str
            A label for reports.
        cutoff : float, optional
            Say that the matrix was cut at this cost: pairs costlier than it
            were left out although they may exist (e.g. a sparse matrix from a
            radius query). Models that read costs beyond it are then refused
            instead of treating those pairs as unreachable. Stored entries
            above it are an error.
        unit : str, optional
            Unit of the costs, e.g. ``"min"`` or ``"m"`` (shown in summaries).

        Raises
        ------
        InputError
            NaN, negative, complex, non-numeric or huge (>= 1e15) costs, shape
            or id mismatches, bad weights, demands, costs or capacities,
            labels that are not ids, unknown or ambiguous required ids.
        """
        if isinstance(cost, pd.DataFrame):
            for given, labels, name in (
                (demand_ids, cost.index, "demand_ids"),
                (site_ids, cost.columns, "site_ids"),
            ):
                if given is not None and not pd.Index(given).equals(labels):
                    raise InputError(
                        f"{name}: differs from the cost DataFrame's "
                        f"{'index' if name == 'demand_ids' else 'columns'}, which already "
                        "label the rows / columns; relabel the DataFrame or leave "
                        f"{name} out",
                        field=name,
                    )
            demand_ids = cost.index if demand_ids is None else demand_ids
            site_ids = cost.columns if site_ids is None else site_ids
            cost = _frame_values(cost)
        shape, indptr, indices, costs = cost_pairs(cost, demand_ids, site_ids)
        n, m = shape
        d_ids = id_index(demand_ids, n, "demand_ids", "demand point")
        s_ids = id_index(site_ids, m, "site_ids", "site")
        w = vector(weights, d_ids, "weights", 1.0)
        if weights is not None and not w.sum() > 0:
            raise InputError(
                "weights: all zero; every weighted objective (coverage, cost) would be 0 and "
                "shares undefined: pass positive weights, or leave weights out (1 each)",
                field="weights",
            )
        dem = w if demand is None else vector(demand, d_ids, "demand", 1.0)
        f = vector(site_costs, s_ids, "site_costs", 0.0)
        cap = vector(capacities, s_ids, "capacities", np.inf, allow_inf=True)
        req = required_mask(required, s_ids)
        cut = number(cutoff, "cutoff", minimum=0.0, optional=True, allow_inf=False)
        if cut is not None and costs.size and costs.max() > cut:
            over = int((costs > cut).sum())
            raise InputError(
                f"cutoff: {over} stored costs exceed cutoff={cut:g} (largest {costs.max():g}); "
                "a matrix cut at r stores no pair beyond r: cut it, or raise cutoff",
                field="cutoff",
            )
        big = w[np.repeat(np.arange(n), np.diff(indptr))] * costs
        if big.size and big.max() >= MAX_MAGNITUDE * 1e3:
            raise InputError(
                f"weights: weight × cost reaches {big.max():.3g}, which solvers treat as "
                "infinite; rescale the weights or the cost unit",
                field="weights",
            )
        if unit is not None and not isinstance(unit, str):
            raise InputError(f"unit: must be a string such as 'min', got {unit!r}", field="unit")
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
            name=str(name),
            cutoff=cut,
            unit=unit or None,
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

    @property
    def unit_label(self) -> str:
        """The cost unit for messages (``"cost units"`` when the instance does not say)."""
        return self.unit or "cost units"

    def format_cost(self, value: float) -> str:
        """``value`` with the cost unit, e.g. ``"4 min"``."""
        return f"{value:g} {self.unit_label}"

    @property
    def unreachable_ids(self) -> pd.Index:
        """Ids of demand points with no stored pair at all (no site reaches them)."""
        return self.demand_ids[np.diff(self.indptr) == 0]

    def drop_demand(self, ids: Any) -> Instance:
        """A copy without the demand points ``ids`` (e.g. :attr:`unreachable_ids`).

        Everything else (sites, cut-off, unit, frames) is kept; the ids are
        added to :attr:`dropped`, which summaries and reports name.
        """
        labels = pd.Index(list(ids) if not isinstance(ids, pd.Index) else ids)
        pos = self.demand_ids.get_indexer(labels)
        if (pos < 0).any():
            raise InputError(f"ids: not demand ids: {show_ids(labels[pos < 0][:20])}", field="ids")
        keep = np.ones(self.n_demand, dtype=bool)
        keep[pos] = False
        if not keep.any():
            raise InputError("ids: would drop every demand point", field="ids")
        counts = np.diff(self.indptr)[keep]
        pair_keep = keep[self._rows]
        indptr = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        frame = None if self.demand_frame is None else self.demand_frame[keep]
        return replace(
            self,
            indptr=indptr,
            indices=self.indices[pair_keep].copy(),
            costs=self.costs[pair_keep].copy(),
            weights=_read_only(self.weights[keep]),
            demand=_read_only(self.demand[keep]),
            demand_ids=self.demand_ids[keep],
            demand_frame=frame,
            dropped=self.dropped + tuple(self.demand_ids[~keep].tolist()),
        )

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
        cut = "" if self.cutoff is None else f", cut at {self.format_cost(self.cutoff)}"
        unit = f", costs in {self.unit}" if self.unit and self.cutoff is None else ""
        gone = f", {len(self.dropped)} demand points dropped" if self.dropped else ""
        return (
            f"<Instance{label}: {self.n_demand} demand points × {self.n_sites} sites, "
            f"{self.n_pairs} reachable pairs, {int(self.required.sum())} required{cut}{unit}"
            f"{gone}>"
        )


def _read_only(arr: np.ndarray) -> np.ndarray:
    out = np.array(arr, dtype=float)
    out.setflags(write=False)
    return out


def _frame_values(frame: pd.DataFrame) -> np.ndarray:
    """A cost DataFrame's values, naming a column that is not numeric."""
    for col, dtype in frame.dtypes.items():
        if dtype.kind not in "iuf":
            example = frame[col].iloc[0] if len(frame) else None
            raise InputError(
                f"cost: column {col!r} has dtype {dtype} (e.g. {example!r}); every column of a "
                "cost DataFrame must be numeric: convert it (pd.to_numeric) or drop it",
                field="cost",
            )
    return frame.to_numpy(dtype=float)
