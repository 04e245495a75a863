"""TSPLIB point sets as p-median benchmarks (Duran-Mateluna, Ales & Elloumi 2023).

The ``tsplib-pmed`` folder of the benchmark data holds TSPLIB ``EUC_2D``
files and ``optima.csv`` with the published p-median optima (rows named
``<file>_p<p>``, e.g. ``rl1304_p10``). Every point is both a demand point
(weight 1) and a candidate site, and the distance is the Euclidean distance
**rounded down** (``floor``), the convention of García, Labbé & Marín (2011)
and Duran-Mateluna et al. (2023) — not TSPLIB's ``nint`` rounding; either other
choice gives different optima::

    from erlocate.io import tsplib_case
    case = tsplib_case("rl1304_p10")
    result = case.solve(time_limit=300)

References
----------
Reinelt, G. (1991). TSPLIB — a traveling salesman problem library. *ORSA
Journal on Computing* 3(4), 376–384.
Duran-Mateluna, C., Ales, Z. & Elloumi, S. (2023). An efficient Benders
decomposition for the p-median problem. *EJOR* 308, 84–96 (Tables 2–3).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.io.orlib import MAX_BYTES, OrlibCase, data_dir
from erlocate.models import PMedian

__all__ = ["read_tsplib", "tsplib_case", "tsplib_distances", "tsplib_optima"]

#: Folder of the benchmark data directory holding the TSPLIB p-median files.
FOLDER = "tsplib-pmed"

PathLike = str | os.PathLike[str]


def tsplib_distances(xy: np.ndarray, block: int = 1_000_000) -> np.ndarray:
    """floor(Euclidean distance) between all points (n × n), computed in row blocks."""
    xy = np.asarray(xy, dtype=float)
    n = xy.shape[0]
    out = np.empty((n, n))
    step = max(1, block // max(n, 1))
    for a in range(0, n, step):
        d = xy[a : a + step, None, :] - xy[None, :, :]
        out[a : a + step] = np.floor(np.sqrt(np.einsum("ijk,ijk->ij", d, d)))
    return out


def read_tsplib(path: PathLike, p: int = 1, *, max_bytes: float = MAX_BYTES) -> OrlibCase:
    """Read a TSPLIB ``EUC_2D`` file as a p-median case (distances floor(Euclidean)).

    Format: ``KEY : value`` header lines (``DIMENSION`` required,
    ``EDGE_WEIGHT_TYPE`` must be ``EUC_2D``), ``NODE_COORD_SECTION``, then
    ``DIMENSION`` lines ``id x y``, then optionally ``EOF``.

    Parameters
    ----------
    path : str or path-like
    p : int
        Medians of the returned model ``PMedian(p)``.

    Returns
    -------
    OrlibCase
        ``collection="tsplib"``, ids = the node numbers, no optimum (use
        :func:`tsplib_case` for the published one).

    Raises
    ------
    InputError
        Missing file, missing or bad header, another edge-weight type, a
        coordinate line that is not ``id x y``, or a node count differing
        from ``DIMENSION``.
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"file {path}: cannot read ({exc})", field="file") from None
    header: dict[str, str] = {}
    start = None
    for k, line in enumerate(lines):
        text = line.strip()
        if text.upper().startswith("NODE_COORD_SECTION"):
            start = k + 1
            break
        if ":" in text:
            key, value = text.split(":", 1)
            header[key.strip().upper()] = value.strip()
    if start is None:
        raise InputError(f"file {path}: no NODE_COORD_SECTION line", field="file")
    kind = header.get("EDGE_WEIGHT_TYPE", "")
    if kind.upper() != "EUC_2D":
        raise InputError(
            f"file {path}: EDGE_WEIGHT_TYPE is {kind!r}; only EUC_2D is supported", field="file"
        )
    try:
        dim = int(header["DIMENSION"])
    except (KeyError, ValueError):
        raise InputError(
            f"file {path}: header needs 'DIMENSION : <n>', got {header.get('DIMENSION')!r}",
            field="file",
        ) from None
    body = []
    for k in range(start, len(lines)):
        text = lines[k].strip()
        if not text:
            continue
        if text.upper() == "EOF":
            break
        parts = text.split()
        try:
            if len(parts) != 3:
                raise ValueError
            body.append([float(v) for v in parts])
        except ValueError:
            raise InputError(
                f"file {path}, line {k + 1}: expected 'id x y', got {text[:60]!r}", field="file"
            ) from None
    if len(body) != dim:
        raise InputError(
            f"file {path}: DIMENSION is {dim} but {len(body)} coordinate lines follow", field="file"
        )
    nodes = np.asarray(body, dtype=float).reshape(-1, 3)
    if not np.isfinite(nodes).all():
        raise InputError(f"file {path}: coordinates must be finite numbers", field="file")
    frac = np.flatnonzero(nodes[:, 0] != np.round(nodes[:, 0]))
    if frac.size:
        raise InputError(
            f"file {path}: node ids must be integers; got {nodes[frac[0], 0]!r} (coordinate line "
            f"{int(frac[0]) + 1})",
            field="file",
        )
    if 32.0 * dim * dim > max_bytes:
        raise InputError(
            f"file {path}: the {dim:,} × {dim:,} distance matrix needs about "
            f"{32.0 * dim * dim / 2**30:,.1f} GiB, above max_bytes = {max_bytes / 2**30:,.1f} "
            "GiB; pass a larger max_bytes if the machine has the memory",
            field="file",
        )
    ids = pd.Index(nodes[:, 0].astype(np.int64), name="node")
    name = header.get("NAME", path.stem)
    instance = Instance.from_matrix(
        tsplib_distances(nodes[:, 1:]), demand_ids=ids, site_ids=ids, name=name
    )
    return OrlibCase(name, instance, PMedian(p), collection="tsplib", path=path)


def tsplib_optima() -> pd.DataFrame:
    """``tsplib-pmed/optima.csv`` (instance, file, n, p, optimal_or_best_known, …)."""
    path = data_dir() / FOLDER / "optima.csv"
    if not path.is_file():
        raise InputError(f"file {path}: file not found", field="name")
    return pd.read_csv(path)


def tsplib_case(name: str, formulation: str = "auto") -> OrlibCase:
    """A named TSPLIB p-median case (``"rl1304_p10"``) with its published optimum.

    Parameters
    ----------
    name : str
        A row of ``tsplib-pmed/optima.csv``.
    formulation : str
        Passed to :class:`~erlocate.models.PMedian`.

    Raises
    ------
    InputError
        Unknown name, missing file, or a file whose size disagrees with the CSV.
    """
    optima = tsplib_optima()
    rows = optima.loc[optima["instance"].str.lower() == name.lower()]
    if rows.empty:
        known = optima["instance"].tolist()
        raise InputError(
            f"name: no TSPLIB p-median case {name!r}; known: {known[:3]} … {known[-2:]}",
            field="name",
        )
    row = rows.iloc[0]
    p = int(row["p"])
    case = read_tsplib(data_dir() / FOLDER / str(row["file"]), p)
    if case.instance.n_demand != int(row["n"]):
        raise InputError(
            f"{case.path}: has {case.instance.n_demand} points, optima.csv says {row['n']}",
            field="name",
        )
    return replace(
        case,
        name=str(row["instance"]),
        model=PMedian(p, formulation=formulation),
        optimum=float(row["optimal_or_best_known"]),
        proven=bool(int(row["is_proven_optimal"])),
    )
