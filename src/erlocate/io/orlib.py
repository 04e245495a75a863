"""Readers for the OR-Library location benchmarks and their published optima.

Three collections of J.E. Beasley's OR-Library are supported, as laid out in
the project's benchmark data folder (``shared/data`` or ``$ERLOCATE_DATA``):

``pmed``
    p-median on graphs, ``pmed1`` … ``pmed40`` (:func:`read_pmed`).
``scp``
    set covering, ``scp41`` … ``scpnrh1`` (:func:`read_scp`), solved as LSCP.
``cap``
    warehouse location, capacitated (``cap41`` … ``capc7250``, split demand)
    and uncapacitated (``cap71_uncap`` … ``capc_uncap``) (:func:`read_cap`).

Every reader returns an :class:`OrlibCase`: the :class:`~erlocate.Instance`,
the erlocate model that states the benchmark's problem, and (through
:func:`orlib_case`) the published optimum::

    from erlocate.io import orlib_case
    case = orlib_case("pmed1")
    result = case.solve()              # erlocate.solve(case.model, case.instance)
    assert case.matches(result.objective)

The files are parsed as one stream of whitespace-separated numbers (line
breaks carry no meaning in these formats), so a wrapped line reads the same
as an unwrapped one. Any defect raises :class:`~erlocate.errors.InputError`
naming the file and the line.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.models import CFLP, LSCP, UFLP, Model, PMedian

if TYPE_CHECKING:
    from erlocate.result import Result

__all__ = [
    "COLLECTIONS",
    "NumberReader",
    "OrlibCase",
    "data_dir",
    "load_optima",
    "orlib_case",
    "orlib_cases",
    "read_cap",
    "read_pmed",
    "read_scp",
]

#: Collection name -> folder of the benchmark data directory.
COLLECTIONS: dict[str, str] = {"pmed": "orlib-pmed", "scp": "orlib-scp", "cap": "orlib-cap"}

PathLike = str | os.PathLike[str]


# ---------------------------------------------------------------------------- the case
@dataclass(frozen=True, eq=False)
class OrlibCase:
    """One OR-Library benchmark: data, the model to run, and the published value.

    Attributes
    ----------
    name : str
        The instance name as in the collection's ``optima.csv`` (e.g. ``"pmed1"``,
        ``"scp41"``, ``"cap71_uncap"``, ``"capa8000"``).
    instance : Instance
        The data, ids 1-based as in the file.
    model : Model
        The erlocate model stating the benchmark's problem: ``PMedian(p)``,
        ``LSCP(max_cost=1.0)``, ``UFLP()`` or ``CFLP(single_source=False)``.
    optimum : float or None
        Published optimal (or best-known) objective; None when read from a bare file.
    proven : bool
        True when the published value is a proven optimum.
    collection : str
        ``"pmed"``, ``"scp"`` or ``"cap"``.
    path : pathlib.Path or None
        The file read.
    """

    name: str
    instance: Instance
    model: Model
    optimum: float | None = None
    proven: bool = False
    collection: str = ""
    path: Path | None = None

    @property
    def p(self) -> int | None:
        """Number of medians for p-median cases, else None."""
        p = getattr(self.model, "p", None)
        return None if p is None else int(p)

    @property
    def tolerance(self) -> float:
        """Absolute tolerance for comparing an objective with :attr:`optimum`.

        ``pmed`` and ``scp`` optima are integers and must be met exactly (the
        tolerance, at most ``1e-6 × |optimum|``, only absorbs floating-point
        noise and stays far below 1). ``cap`` optima are published rounded to
        three decimals (``cap91`` and ``cap101`` have the same optimum
        796648.4375, printed as .438 and .437), so they match within
        ``1e-3 + 1e-9 × |optimum|``; the relative part is the default MIP gap
        of :func:`erlocate.solve`.
        """
        scale = abs(self.optimum) if self.optimum is not None else 1.0
        if self.collection == "cap":
            return 1e-3 + 1e-9 * scale
        return 1e-6 * max(1.0, scale)

    def matches(self, objective: float | None) -> bool | None:
        """Whether ``objective`` equals the published optimum (None if either is unknown)."""
        if objective is None or self.optimum is None:
            return None
        return bool(abs(float(objective) - self.optimum) <= self.tolerance)

    def solve(self, backend: str = "highs", **options: Any) -> Result:
        """:func:`erlocate.solve` ``(self.model, self.instance, backend, **options)``."""
        from erlocate.solve import solve

        return solve(self.model, self.instance, backend, **options)

    def __repr__(self) -> str:
        opt = "—" if self.optimum is None else f"{self.optimum:.10g}"
        return (
            f"<OrlibCase {self.name}: {self.model!r}, {self.instance.n_demand} × "
            f"{self.instance.n_sites}, optimum {opt}{'' if self.proven else ' (not proven)'}>"
        )


# ---------------------------------------------------------------------------- parsing
class NumberReader:
    """Every whitespace-separated number of a text file, with a way back to line numbers."""

    def __init__(self, path: PathLike, *, words: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            raise InputError(f"file {self.path}: file not found", field="file") from None
        except UnicodeDecodeError:
            raise InputError(
                f"file {self.path}: not a text file (cannot decode it as text)", field="file"
            ) from None
        except OSError as exc:
            raise InputError(f"file {self.path}: cannot read ({exc})", field="file") from None
        for word, value in (words or {}).items():
            text = re.sub(rf"(?<!\S){re.escape(word)}(?!\S)", value, text)
        self.text = text
        n_tokens = len(text.split())
        values: np.ndarray = np.empty(0)
        if n_tokens:
            try:
                values = np.fromstring(text, sep=" ")
            except ValueError:
                values = None  # type: ignore[assignment]
        if values is None or values.size != n_tokens:
            self._raise_bad_token()
        self.values = values

    @property
    def size(self) -> int:
        return int(self.values.size)

    def line_of(self, k: int) -> int:
        """1-based line number of the 0-based ``k``-th number (the last line if past the end)."""
        lines = self.text.splitlines() or [""]
        counts = np.fromiter((len(line.split()) for line in lines), dtype=np.int64)
        cum = np.cumsum(counts)
        return min(int(np.searchsorted(cum, k, side="right")), len(lines) - 1) + 1

    def budget(self, rows: int, cols: int, max_bytes: float, what: str) -> None:
        """Refuse a dense ``rows × cols`` cost matrix beyond ``max_bytes`` before allocating it.

        Counts 32 bytes per pair: the float matrix, and the instance's pair
        arrays (int64 site index + float64 cost) built from it, plus scratch.
        """
        need = 32.0 * rows * cols
        if need > max_bytes:
            raise InputError(
                f"file {self.path}: {what} is {rows:,} × {cols:,}, which needs about "
                f"{need / 2**30:,.1f} GiB, above max_bytes = {max_bytes / 2**30:,.1f} GiB; check "
                "the header, or pass a larger max_bytes if the machine has the memory",
                field="file",
            )

    def fail(self, k: int, message: str) -> NoReturn:
        """Raise InputError about the ``k``-th number's line."""
        raise InputError(f"file {self.path}, line {self.line_of(k)}: {message}", field="file")

    def _raise_bad_token(self) -> NoReturn:
        for lineno, line in enumerate(self.text.splitlines(), 1):
            for token in line.split():
                try:
                    float(token)
                except ValueError:
                    raise InputError(
                        f"file {self.path}, line {lineno}: {token[:40]!r} is not a number",
                        field="file",
                    ) from None
        raise InputError(f"file {self.path}: cannot parse the numbers of this file", field="file")

    def header(self, names: tuple[str, ...], layout: str) -> list[int]:
        """The leading integers ``names`` (each >= 1)."""
        k = len(names)
        if self.size < k:
            raise InputError(
                f"file {self.path}, line 1: expected the header '{layout}', "
                f"found {self.size} number(s)",
                field="file",
            )
        head = self.values[:k]
        for pos, (name, v) in enumerate(zip(names, head, strict=True)):
            if not (np.isfinite(v) and v == np.round(v) and v >= 1):
                self.fail(
                    pos, f"{name} in the header '{layout}' must be a positive integer, got {v:g}"
                )
        return [int(v) for v in head]

    def expect_size(self, need: int, what: str) -> None:
        """Fail unless the file holds exactly ``need`` numbers."""
        if self.size < need:
            self.fail(
                self.size,
                f"file ends after {self.size} numbers; {what} needs {need}",
            )
        if self.size > need:
            self.fail(need, f"{self.size - need} unexpected number(s) after the data ({what})")

    def check_values(self, start: int, values: np.ndarray, what: str, *, stride: int = 1) -> None:
        """Fail on the first NaN, infinite or negative entry of ``values``.

        ``values[r]`` is the number at position ``start + r * stride`` of the file.
        """
        bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
        if bad.size:
            r = int(bad[0])
            self.fail(start + r * stride, f"{what} must be a finite number >= 0, got {values[r]:g}")

    def check_ints(
        self, start: int, values: np.ndarray, lo: int, hi: int, what: str, *, stride: int = 1
    ) -> None:
        """Fail on the first entry of ``values`` that is not an integer in ``lo..hi``."""
        ok = np.isfinite(values) & (values == np.round(values)) & (values >= lo) & (values <= hi)
        bad = np.flatnonzero(~ok)
        if bad.size:
            r = int(bad[0])
            self.fail(
                start + r * stride, f"{what} must be an integer in {lo}..{hi}, got {values[r]:g}"
            )


def _ids(n: int, name: str) -> pd.RangeIndex:
    return pd.RangeIndex(1, n + 1, name=name)


# ---------------------------------------------------------------------------- readers
#: Default memory budget of a reader's dense cost matrix (bytes); see ``max_bytes``.
MAX_BYTES = 4 * 2**30


def read_pmed(path: PathLike, *, max_bytes: float = MAX_BYTES) -> OrlibCase:
    """Read an OR-Library p-median file (``pmed1.txt`` … ``pmed40.txt``).

    Format: a header ``n m p`` (vertices, edge lines, medians), then ``m``
    lines ``i j cost`` with 1-based vertices of an undirected edge. When a
    vertex pair appears more than once, **the last line wins** (OR-Library's
    ``pmedinfo``; every file has such repeats, and keeping the minimum instead
    gives different optima). The cost matrix is the all-pairs shortest-path
    distance (Dijkstra, :func:`scipy.sparse.csgraph.shortest_path`); each
    vertex is both a demand point (weight 1) and a candidate site. A line
    ``i i cost`` is ignored (a vertex is at distance 0 from itself).

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    OrlibCase
        ``model = PMedian(p)``; ``optimum`` is None (see :func:`orlib_case`).
        Vertex pairs not connected by any path are unreachable (``inf``).

    Raises
    ------
    InputError
        Missing file, non-numeric token, bad header, too few or too many
        numbers, a vertex out of ``1..n``, a negative or non-finite cost,
        ``p > n``; the message names the file and line.
    """
    f = NumberReader(path)
    n, m, p = f.header(("n", "m", "p"), "n m p")
    if p > n:
        f.fail(2, f"p = {p} exceeds the number of vertices n = {n}")
    f.expect_size(3 + 3 * m, f"the header's {m} edge lines of 'i j cost'")
    edges = f.values[3:].reshape(m, 3)
    for col, what in ((0, "vertex i"), (1, "vertex j")):
        f.check_ints(3 + col, edges[:, col], 1, n, what, stride=3)
    f.check_values(5, edges[:, 2], "edge cost", stride=3)
    i = edges[:, 0].astype(np.int64) - 1
    j = edges[:, 1].astype(np.int64) - 1
    cost = edges[:, 2]
    keep = i != j
    i, j, cost = i[keep], j[keep], cost[keep]
    a, b = np.minimum(i, j), np.maximum(i, j)
    # the last line of each pair wins: the first occurrence in reversed order
    _, first_rev = np.unique((a * n + b)[::-1], return_index=True)
    last = len(a) - 1 - first_rev
    a, b, cost = a[last], b[last], cost[last]
    graph = sp.csr_array(
        (np.concatenate([cost, cost]), (np.concatenate([a, b]), np.concatenate([b, a]))),
        shape=(n, n),
    )
    f.budget(n, n, max_bytes, "the vertex × vertex distance matrix")
    dist = shortest_path(graph, method="D", directed=True)
    instance = Instance.from_matrix(
        dist,
        demand_ids=_ids(n, "vertex"),
        site_ids=_ids(n, "vertex"),
        name=f.path.stem,
    )
    return OrlibCase(f.path.stem, instance, PMedian(p), collection="pmed", path=f.path)


def read_scp(path: PathLike) -> OrlibCase:
    """Read an OR-Library set-covering file (``scp41.txt``, ``scpa1.txt``, ``scpcyc06.txt`` …).

    Format (``scpinfo``): a header ``m n`` (rows to cover, columns), the ``n``
    column costs, then for each row ``k`` followed by the ``k`` 1-based
    columns that cover it; line breaks carry no meaning. As a location
    problem the rows are demand points and the columns candidate sites: the
    instance's sparse cost matrix holds 1.0 for each covering pair (other
    pairs are unreachable), the site costs are the column costs, and the
    model is ``LSCP(max_cost=1.0)``, i.e. min Σ c_j x_j s.t. every row covered.
    A column listed twice for one row counts once.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    OrlibCase
        ``model = LSCP(max_cost=1.0)``; ``optimum`` is None (see :func:`orlib_case`).

    Raises
    ------
    InputError
        Missing file, non-numeric token, bad header, a negative or
        non-finite cost, a column index out of ``1..n``, a file that ends
        inside a row's list or has numbers after the last row.
    """
    f = NumberReader(path)
    m, n = f.header(("m", "n"), "m n")
    if f.size < 2 + n:
        f.fail(f.size, f"file ends after {f.size - 2} of the {n} column costs")
    costs = f.values[2 : 2 + n]
    f.check_values(2, costs, "column cost")
    body = f.values[2 + n :]
    # each row's count says where the next row starts: one step per row, no work per entry
    starts = np.empty(m, dtype=np.int64)
    counts = np.empty(m, dtype=np.int64)
    seq = body.tolist()
    pos, size = 0, len(seq)
    for r in range(m):
        if pos >= size:
            f.fail(f.size, f"file ends before row {r + 1} of {m}")
        k = seq[pos]
        if not (math.isfinite(k) and k == int(k) and 0 <= k <= n):
            f.fail(
                2 + n + pos, f"row {r + 1}: column count must be an integer in 0..{n}, got {k:g}"
            )
        starts[r], counts[r] = pos + 1, int(k)
        pos += 1 + int(k)
    if pos > size:
        f.fail(f.size, f"file ends inside the column list of row {m} (of {m})")
    if pos < size:
        f.fail(2 + n + pos, f"{size - pos} unexpected number(s) after the last row ({m})")
    total = int(counts.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    where = np.repeat(starts, counts) + offsets
    cols = body[where]
    bad = np.flatnonzero(~((cols == np.round(cols)) & (cols >= 1) & (cols <= n)))
    if bad.size:
        r = int(bad[0])
        f.fail(2 + n + int(where[r]), f"column index must be an integer in 1..{n}, got {cols[r]:g}")
    rows = np.repeat(np.arange(m, dtype=np.int64), counts)
    keys = np.unique(rows * n + (cols.astype(np.int64) - 1))  # drops repeated (row, column)
    cover = sp.csr_array((np.ones(keys.size), (keys // n, keys % n)), shape=(m, n))
    instance = Instance.from_matrix(
        cover,
        site_costs=costs,
        demand_ids=_ids(m, "row"),
        site_ids=_ids(n, "column"),
        name=f.path.stem,
    )
    return OrlibCase(f.path.stem, instance, LSCP(max_cost=1.0), collection="scp", path=f.path)


def read_cap(
    path: PathLike, capacity: float | None = None, *, uncapacitated: bool = False
) -> OrlibCase:
    """Read an OR-Library warehouse-location file (``cap41.txt`` … ``capc.txt``).

    Format (``capinfo``): a header ``m n`` (facilities, customers); ``m``
    pairs ``capacity fixed_cost``; then per customer its ``demand`` followed
    by ``m`` allocation costs, where ``c_ij`` is the cost of allocating
    **all** of customer ``j``'s demand to facility ``i`` (a share ``s`` costs
    ``s · c_ij``). The instance has customers as demand points and facilities
    as sites: ``cost`` = that full-allocation cost, ``weights`` = 1,
    ``demand`` = the customer demand (what loads capacities), ``capacities``
    and ``site_costs`` = fixed costs. The model is ``CFLP(single_source=False)``
    (OR-Library ``capopt``: demand may be split) or, with
    ``uncapacitated=True``, ``UFLP()`` (``uncapopt``).

    ``capa``, ``capb`` and ``capc`` have the word ``capacity`` in place of
    every capacity: pass ``capacity`` (OR-Library's values are 8000–14000 for
    capa, 5000–8000 for capb, 5000–7250 for capc; see ``optima.csv``,
    ``capacity_override``). The uncapacitated model needs none.

    Parameters
    ----------
    path : str or path-like
        The file.
    capacity : float, optional
        Capacity of every facility, replacing the file's values.
    uncapacitated : bool
        Return the UFLP case (capacities are then ignored by the model;
        placeholders become ``inf``).

    Returns
    -------
    OrlibCase
        Named like the rows of ``optima.csv``: the file stem, plus the
        capacity for an override (``capa8000``) or ``_uncap`` for UFLP.

    Raises
    ------
    InputError
        Missing file, non-numeric token, bad header, too few or too many
        numbers, a negative or non-finite value, a ``capacity`` placeholder
        with neither ``capacity`` nor ``uncapacitated``, a negative
        ``capacity``.
    """
    if capacity is not None:
        try:
            capacity = float(capacity)
        except (TypeError, ValueError):
            raise InputError(
                f"capacity: must be a number, got {capacity!r}", field="capacity"
            ) from None
        if not (capacity >= 0):  # also rejects NaN
            raise InputError(f"capacity: must be >= 0, got {capacity!r}", field="capacity")
    f = NumberReader(path, words={"capacity": "nan"})
    m, n = f.header(("m", "n"), "m n")
    f.expect_size(2 + 2 * m + n * (1 + m), f"{m} facility lines and {n} customer blocks")
    fac = f.values[2 : 2 + 2 * m].reshape(m, 2)
    cust = f.values[2 + 2 * m :].reshape(n, 1 + m)
    placeholder = np.isnan(fac[:, 0])
    caps = fac[:, 0].copy()
    if capacity is not None:
        caps[:] = capacity
    else:
        if placeholder.any() and not uncapacitated:
            f.fail(
                2 + 2 * int(np.flatnonzero(placeholder)[0]),
                "the capacity is the word 'capacity' (as in capa/capb/capc): pass "
                "read_cap(path, capacity=...) (OR-Library's values are in optima.csv, "
                "column capacity_override) or uncapacitated=True",
            )
        f.check_values(2, np.where(placeholder, 0.0, caps), "facility capacity", stride=2)
        caps[placeholder] = np.inf
    f.check_values(3, fac[:, 1], "facility fixed cost", stride=2)
    start = 2 + 2 * m
    f.check_values(start, cust[:, 0], "customer demand", stride=1 + m)
    alloc = cust[:, 1:]
    bad = np.flatnonzero((~np.isfinite(alloc) | (alloc < 0)).ravel())
    if bad.size:
        r, c = divmod(int(bad[0]), m)
        f.fail(
            start + r * (1 + m) + 1 + c,
            f"allocation cost of customer {r + 1} to facility {c + 1} must be a finite "
            f"number >= 0, got {alloc[r, c]:g}",
        )
    name = f.path.stem
    if uncapacitated:
        name += "_uncap"
    elif capacity is not None:
        name += f"{capacity:g}"
    instance = Instance.from_matrix(
        alloc,
        demand=cust[:, 0],
        site_costs=fac[:, 1],
        capacities=caps,
        demand_ids=_ids(n, "customer"),
        site_ids=_ids(m, "facility"),
        name=name,
    )
    model: Model = UFLP() if uncapacitated else CFLP(single_source=False)
    return OrlibCase(name, instance, model, collection="cap", path=f.path)


# ---------------------------------------------------------------------------- data folder
def data_dir() -> Path:
    """The benchmark data folder.

    ``$ERLOCATE_DATA`` if set; otherwise the first ``shared/data`` folder found
    in the current directory or one of its parents, then beside the installed
    package or one of its parents.

    Raises
    ------
    InputError
        ``$ERLOCATE_DATA`` is not a folder, or no ``shared/data`` folder is found.
    """
    env = os.environ.get("ERLOCATE_DATA")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise InputError(
                f"ERLOCATE_DATA={env!r} is not a folder; point it at the benchmark data "
                "(the folder holding orlib-pmed/, orlib-scp/, orlib-cap/)",
                field="ERLOCATE_DATA",
            )
        return path
    starts = [Path.cwd().resolve(), Path(__file__).resolve().parent]
    for start in starts:
        for parent in (start, *start.parents):
            candidate = parent / "shared" / "data"
            if candidate.is_dir():
                return candidate
    raise InputError(
        "benchmark data not found: no shared/data folder in the current directory, beside "
        "the erlocate package or in their parents; set ERLOCATE_DATA to the folder holding "
        "orlib-pmed/, orlib-scp/ and orlib-cap/",
        field="ERLOCATE_DATA",
    )


def _collection(collection: str) -> str:
    key = collection.lower().removeprefix("orlib-")
    if key not in COLLECTIONS:
        raise InputError(
            f"collection: unknown OR-Library collection {collection!r}; "
            f"choose one of {list(COLLECTIONS)}",
            field="collection",
        )
    return key


def load_optima(collection: str) -> pd.DataFrame:
    """The collection's ``optima.csv`` as a DataFrame, one row per instance.

    Parameters
    ----------
    collection : str
        ``"pmed"``, ``"scp"`` or ``"cap"`` (``"orlib-pmed"`` … also accepted).

    Returns
    -------
    pandas.DataFrame
        The CSV's columns as published, among them ``instance``,
        ``optimal_or_best_known`` and ``is_proven_optimal`` (see the folder's README).

    Raises
    ------
    InputError
        Unknown collection, or the data folder or its ``optima.csv`` is missing.
    """
    key = _collection(collection)
    path = data_dir() / COLLECTIONS[key] / "optima.csv"
    if not path.is_file():
        raise InputError(f"file {path}: file not found", field="collection")
    return pd.read_csv(path)


def orlib_cases(collection: str) -> list[str]:
    """Names of the collection's cases whose data file is present, in ``optima.csv`` order.

    ``pmed``: ``pmed1`` … ``pmed40``. ``scp``: the 64 included files (the
    CSV also lists 16 left out for size). ``cap``: 49 CFLP (``cap41`` …
    ``capc7250``) and 15 UFLP (``cap71_uncap`` … ``capc_uncap``) cases.
    """
    key = _collection(collection)
    optima = load_optima(key)
    folder = data_dir() / COLLECTIONS[key]
    files = optima["file"] if "file" in optima else optima["instance"] + ".txt"
    present = [(folder / str(name)).is_file() for name in files]
    return optima.loc[present, "instance"].tolist()


def orlib_case(name: str) -> OrlibCase:
    """Read a named OR-Library case with its published optimum.

    Parameters
    ----------
    name : str
        A row of a collection's ``optima.csv``: ``"pmed1"``, ``"scp41"``,
        ``"cap71"`` (CFLP), ``"cap71_uncap"`` (UFLP), ``"capa8000"`` (CFLP
        with capacity 8000).

    Returns
    -------
    OrlibCase

    Raises
    ------
    InputError
        Unknown name, file absent from the data folder, or a file that
        disagrees with ``optima.csv`` on its size (or ``p``).
    """
    lowered = name.lower()
    key = next((k for k in ("pmed", "scp", "cap") if lowered.startswith(k)), None)
    if key is None:
        raise InputError(
            f"name: {name!r} is not an OR-Library case; names start with 'pmed', 'scp' or 'cap'",
            field="name",
        )
    optima = load_optima(key)
    rows = optima.loc[optima["instance"].str.lower() == lowered]
    if rows.empty:
        known = optima["instance"].tolist()
        raise InputError(
            f"name: no {key} case {name!r} in optima.csv; known: {known[:4]} … {known[-2:]}",
            field="name",
        )
    row = rows.iloc[0]
    folder = data_dir() / COLLECTIONS[key]
    file = folder / (str(row["file"]) if key == "cap" else f"{row['instance']}.txt")
    if not file.is_file():
        hint = (
            " (left out of the data folder for size; see its README)"
            if int(row.get("file_included", 1)) == 0
            else ""
        )
        raise InputError(f"{file}: file not found{hint}", field="name")
    if key == "pmed":
        case = read_pmed(file)
        expected = {"n": (int(row["n"]), case.instance.n_demand), "p": (int(row["p"]), case.p)}
    elif key == "scp":
        case = read_scp(file)
        expected = {
            "rows": (int(row["rows_m"]), case.instance.n_demand),
            "columns": (int(row["cols_n"]), case.instance.n_sites),
        }
    else:
        uncap = str(row["problem"]).upper().startswith("UFLP")
        override = row["capacity_override"]
        capacity = None if pd.isna(override) or uncap else float(override)
        case = read_cap(file, capacity, uncapacitated=uncap)
        expected = {
            "facilities": (int(row["m_facilities"]), case.instance.n_sites),
            "customers": (int(row["n_customers"]), case.instance.n_demand),
        }
    for what, (want, got) in expected.items():
        if want != got:
            raise InputError(
                f"{file}: has {what} = {got}, optima.csv says {want} for {row['instance']}",
                field="name",
            )
    return replace(
        case,
        name=str(row["instance"]),
        optimum=float(row["optimal_or_best_known"]),
        proven=bool(int(row["is_proven_optimal"])),
    )
