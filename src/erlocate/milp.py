"""The canonical sparse MILP every model builds and every backend consumes.

::

    minimise / maximise   c @ x + offset
    subject to            row_lb <= A @ x <= row_ub
                          col_lb <=     x <= col_ub
                          x[j] integer where integrality[j]

Columns and rows come in named, contiguous *blocks* (``"open"``, ``"assign"``,
``"demand"`` ...), so a solution vector or a solver diagnosis maps back to
model terms. :class:`MilpBuilder` assembles one from vectorised blocks: each
``add_rows`` call takes whole COO arrays, and the matrix is formed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["Milp", "MilpBuilder"]


@dataclass(frozen=True, eq=False)
class Milp:
    """A mixed-integer linear program in canonical sparse form.

    Attributes
    ----------
    c : numpy.ndarray
        Objective coefficients (length ``n_cols``).
    A : scipy.sparse.csr_array
        Constraint matrix (``n_rows × n_cols``).
    row_lb, row_ub : numpy.ndarray
        Row bounds (``-inf``/``inf`` for one-sided rows).
    col_lb, col_ub : numpy.ndarray
        Column bounds.
    integrality : numpy.ndarray of bool
        True for integer columns.
    sense : {"min", "max"}
        Direction of the objective.
    offset : float
        Constant added to the objective.
    col_blocks, row_blocks : dict of str to slice
        Named contiguous column and row ranges.
    name : str
        Model name (used in MPS files and logs).
    bound_hint : float, optional
        A bound on the optimum the model knows from its data (including the
        offset), e.g. the p-median's sum of nearest costs: no backend reports
        a weaker one (see :func:`erlocate.backends.base.honest_bound`).
    implied_integer : numpy.ndarray of bool, optional
        Continuous columns that take integer values at some optimum once the
        integer columns are integer (e.g. the uncapacitated p-median's
        assignment shares given binary open flags). Integer-only solvers
        (``"cpsat"``) declare them integer, which keeps the optimum; other
        backends ignore the mask. None (the default) is read as no column.
    """

    c: np.ndarray
    A: sp.csr_array
    row_lb: np.ndarray
    row_ub: np.ndarray
    col_lb: np.ndarray
    col_ub: np.ndarray
    integrality: np.ndarray
    sense: str = "min"
    offset: float = 0.0
    col_blocks: dict[str, slice] = field(default_factory=dict)
    row_blocks: dict[str, slice] = field(default_factory=dict)
    name: str = "erlocate"
    bound_hint: float | None = None
    implied_integer: np.ndarray | None = None

    def __post_init__(self) -> None:
        mask = self.implied_integer
        mask = np.zeros(len(self.c), bool) if mask is None else np.asarray(mask, dtype=bool)
        if mask.shape != (len(self.c),):
            raise ValueError(
                f"implied_integer: expected {len(self.c)} flags (one per column), got {mask.size}"
            )
        object.__setattr__(self, "implied_integer", mask)

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return len(self.c)

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return self.A.shape[0]

    @property
    def nnz(self) -> int:
        """Number of non-zeros in the constraint matrix."""
        return self.A.nnz

    def block(self, x: np.ndarray, name: str) -> np.ndarray:
        """The part of a solution vector ``x`` that belongs to column block ``name``."""
        return np.asarray(x)[self.col_blocks[name]]

    def objective_value(self, x: np.ndarray) -> float:
        """``c @ x + offset``."""
        return float(self.c @ np.asarray(x, dtype=float) + self.offset)

    def col_names(self) -> list[str]:
        """One name per column, ``block[k]`` (for MPS files and solver logs)."""
        return _names(self.col_blocks, self.n_cols, "x")

    def row_names(self) -> list[str]:
        """One name per row, ``block[k]``."""
        return _names(self.row_blocks, self.n_rows, "r")

    def max_violation(self, x: np.ndarray) -> float:
        """Largest violation of a row bound, column bound or integrality in ``x``."""
        x = np.asarray(x, dtype=float)
        ax = self.A @ x
        viol = [
            np.max(self.row_lb - ax, initial=0.0),
            np.max(ax - self.row_ub, initial=0.0),
            np.max(self.col_lb - x, initial=0.0),
            np.max(x - self.col_ub, initial=0.0),
            np.max(np.abs(x[self.integrality] - np.round(x[self.integrality])), initial=0.0),
        ]
        return float(max(viol))

    def summary(self) -> str:
        """One line: rows, columns (integer), non-zeros, blocks."""
        return (
            f"{self.name}: {self.n_rows} rows, {self.n_cols} columns "
            f"({int(self.integrality.sum())} integer), {self.nnz} non-zeros; "
            f"column blocks {list(self.col_blocks)}, row blocks {list(self.row_blocks)}"
        )

    def to_mps(self, path: str | Path) -> Path:
        """Write the model as a free-format MPS file (through HiGHS) and return the path."""
        from erlocate.backends.highs import to_highs  # local: keeps milp importable alone

        path = Path(path)
        h = to_highs(self, names=True)
        h.writeModel(str(path))
        return path


def _names(blocks: dict[str, slice], n: int, fallback: str) -> list[str]:
    names = [f"{fallback}{k}" for k in range(n)]
    for block, sl in blocks.items():
        for k, pos in enumerate(range(*sl.indices(n))):
            names[pos] = f"{block}[{k}]"
    return names


class MilpBuilder:
    """Assemble a :class:`Milp` from whole blocks of columns and rows.

    Examples
    --------
    >>> b = MilpBuilder("toy")
    >>> x = b.add_cols("open", 3, obj=[1, 2, 3], ub=1, integer=True)
    >>> b.add_rows("cover", rows=[0, 0], cols=x[[0, 2]], vals=[1, 1], lb=1)
    slice(0, 1, None)
    >>> milp = b.build()
    >>> milp.n_rows, milp.n_cols, milp.nnz
    (1, 3, 2)
    """

    def __init__(self, name: str = "erlocate", sense: str = "min") -> None:
        if sense not in ("min", "max"):
            raise ValueError(f"sense must be 'min' or 'max', got {sense!r}")
        self.name = name
        self.sense = sense
        self.offset = 0.0
        #: A bound on the optimum known from the data (see :attr:`Milp.bound_hint`).
        self.bound_hint: float | None = None
        self._n_cols = 0
        self._n_rows = 0
        self._c: list[np.ndarray] = []
        self._lb: list[np.ndarray] = []
        self._ub: list[np.ndarray] = []
        self._int: list[np.ndarray] = []
        self._implied: list[np.ndarray] = []
        self._rlb: list[np.ndarray] = []
        self._rub: list[np.ndarray] = []
        self._ri: list[np.ndarray] = []
        self._start: list[int] = []
        self._nnz = 0
        self._built = False
        self._ci: list[np.ndarray] = []
        self._v: list[np.ndarray] = []
        self.col_blocks: dict[str, slice] = {}
        self.row_blocks: dict[str, slice] = {}

    @property
    def n_cols(self) -> int:
        return self._n_cols

    def add_cols(
        self,
        name: str,
        n: int,
        *,
        obj: float | np.ndarray = 0.0,
        lb: float | np.ndarray = 0.0,
        ub: float | np.ndarray = np.inf,
        integer: bool = False,
        implied_integer: bool = False,
    ) -> np.ndarray:
        """Append ``n`` columns as block ``name``; return their global indices.

        ``implied_integer`` marks continuous columns that are integer at some
        optimum once the integer columns are (see :attr:`Milp.implied_integer`);
        set it only with a proof, written where the block is built.
        """
        if name in self.col_blocks:
            raise ValueError(f"column block {name!r} already exists")
        start = self._n_cols
        self._c.append(np.broadcast_to(np.asarray(obj, dtype=float), (n,)))
        self._lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n,)))
        self._ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)))
        self._int.append(np.full(n, integer, dtype=bool))
        self._implied.append(np.full(n, implied_integer and not integer, dtype=bool))
        self._n_cols += n
        self.col_blocks[name] = slice(start, start + n)
        return np.arange(start, start + n, dtype=np.int64)

    @property
    def nnz(self) -> int:
        """Entries added to the constraint matrix so far (duplicates counted)."""
        return self._nnz

    @property
    def n_rows(self) -> int:
        return self._n_rows

    def add_rows(
        self,
        name: str,
        *,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: float | np.ndarray,
        lb: float | np.ndarray = -np.inf,
        ub: float | np.ndarray = np.inf,
        n_rows: int | None = None,
    ) -> slice:
        """Append a block of rows given as COO triplets with local row numbers.

        ``rows`` are 0-based within the block; ``n_rows`` defaults to
        ``rows.max() + 1``. Duplicate (row, col) entries are summed. The arrays
        are kept by reference (not copied) until :meth:`build`; a scalar ``vals``
        stays a scalar.
        """
        if name in self.row_blocks:
            raise ValueError(f"row block {name!r} already exists")
        rows = np.asarray(rows)
        if n_rows is None:
            n_rows = int(rows.max()) + 1 if rows.size else 0
        start = self._n_rows
        self._n_rows += n_rows
        self.row_blocks[name] = slice(start, start + n_rows)
        self._rlb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n_rows,)))
        self._rub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n_rows,)))
        self.add_entries(name, rows=rows, cols=cols, vals=vals)
        return self.row_blocks[name]

    def add_entries(
        self, name: str, *, rows: np.ndarray, cols: np.ndarray, vals: float | np.ndarray
    ) -> None:
        """Add more COO entries to the existing row block ``name`` (local row numbers).

        Lets a block made of several parts (e.g. ``z - x <= 0``) skip concatenating
        them; entries on the same (row, col) are summed.
        """
        block = self.row_blocks[name]
        rows = np.asarray(rows)
        cols = np.asarray(cols)
        if cols.shape != rows.shape:
            raise ValueError(f"row block {name!r}: {rows.size} rows but {cols.size} cols")
        if rows.size and not np.issubdtype(rows.dtype, np.integer):
            rows = rows.astype(np.int64)
        v = np.asarray(vals, dtype=float)
        if v.ndim and v.shape != rows.shape:
            v = np.broadcast_to(v, rows.shape)
        self._ri.append(rows)
        self._start.append(block.start)
        self._ci.append(cols)
        self._v.append(v)
        self._nnz += rows.size

    def build(self) -> Milp:
        """Form the constraint matrix once and return the frozen :class:`Milp`.

        The COO triplets are written once into preallocated arrays (int32
        indices where the sizes allow), the parts are released, and the CSR
        matrix is formed from them: the peak is about 16 + 12 bytes per entry.
        Raises InputError (``field="instance"``) before allocating when the
        estimated memory passes the limit (:mod:`erlocate.models.size`).
        """

        def cat(parts: list[np.ndarray], dtype: type = float) -> np.ndarray:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        if self._built:
            raise RuntimeError("MilpBuilder.build() was already called (its parts are released)")
        self._built = True
        nnz, shape = self._nnz, (self._n_rows, self._n_cols)
        # Before the triplets and the matrix are allocated: every model's safety net
        # (the pair models check earlier, from their pair counts).
        from erlocate.models.size import check_build_size  # local: milp importable alone

        check_build_size(self.name, shape[1], shape[0], nnz)
        small = max(nnz, *shape) < np.iinfo(np.int32).max
        idx = np.int32 if small else np.int64
        r = np.empty(nnz, dtype=idx)
        c = np.empty(nnz, dtype=idx)
        v = np.empty(nnz, dtype=float)
        pos = 0
        for rows, start, cols, vals in zip(self._ri, self._start, self._ci, self._v, strict=True):
            end = pos + rows.size
            r[pos:end] = rows
            if start:
                r[pos:end] += start
            c[pos:end] = cols
            v[pos:end] = vals
            pos = end
        self._ri, self._start, self._ci, self._v = [], [], [], []
        coo = sp.coo_array((v, (r, c)), shape=shape)
        del r, c, v
        A = coo.tocsr()
        del coo
        A.sum_duplicates()
        A.eliminate_zeros()
        return Milp(
            c=cat(self._c),
            A=A,
            row_lb=cat(self._rlb),
            row_ub=cat(self._rub),
            col_lb=cat(self._lb),
            col_ub=cat(self._ub),
            integrality=cat(self._int, bool),
            sense=self.sense,
            offset=float(self.offset),
            col_blocks=dict(self.col_blocks),
            row_blocks=dict(self.row_blocks),
            name=self.name,
            bound_hint=self.bound_hint,
            implied_integer=cat(self._implied, bool),
        )
