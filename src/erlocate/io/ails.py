"""Reader for the AILS-MCLP city benchmarks (Máximo, Cordeau & Nascimento 2023).

Four cities (``NewYork`` 2,713 nodes, ``Bronx`` 3,839, ``SanFrancisco`` 5,137,
``Kings`` 7,730), each with one coverage radius and p ∈ {50, …, 100}, with
published optimal coverages and facility sets (folder ``mclp-ails`` of the
benchmark data, see its README)::

    from erlocate.io import ails_case
    case = ails_case("Bronx_p50_r600")
    result = case.solve(time_limit=300)
    assert case.matches(result.objective)

File format (TSPLIB-like): ``NAME``, ``TYPE``, ``EDGE_WEIGHT_TYPE``,
``DIMENSION : n`` header lines, ``NODE_COORD_SECTION`` with ``n`` lines
``lat lon`` (degrees), ``DEMAND_SECTION`` with ``n`` integer demands, ``EOF``.
Every node is a demand point and a candidate site.

Distance (as the authors' ``MCLP/Data/Instance.java``): the spherical law of
cosines, ``acos(cos φ1 cos φ2 cos Δλ + sin φ1 sin φ2) × 6378100`` m, computed
in double precision and stored as float32; the argument of ``acos`` is
clipped to [-1, 1] (identical points are at distance 0). A node is covered by
a site at distance ``≤ r``. With exactly this rule the published facility
sets of all 24 cases re-evaluate to the published coverage (checked in the
tests); without the clipping (NaN distances) 18 of 24 differ.

Only pairs within the radius are computed: a :class:`scipy.spatial.cKDTree`
on unit vectors proposes pairs within a chord slightly longer than the radius
(+5 m), and the exact float32 distance filters them. No n × n matrix is formed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.io.orlib import OrlibCase, PathLike, data_dir
from erlocate.models import MCLP

__all__ = [
    "EARTH_RADIUS_M",
    "ails_case",
    "ails_cases",
    "ails_distances",
    "load_ails_optima",
    "read_ails",
    "read_ails_solution",
    "solution_path",
]

#: Earth radius of the authors' distance (metres).
EARTH_RADIUS_M = 6378100.0
#: Folder of the benchmark data directory holding the files.
FOLDER = "mclp-ails"
_SLACK_M = 5.0  # chord search margin; the exact float32 distance decides


def ails_distances(lat: np.ndarray, lon: np.ndarray, radius: float) -> sp.csr_array:
    """Sparse node × node distance matrix (metres, float32 values) of pairs within ``radius``.

    The diagonal is stored (distance 0). Vectorised: candidate pairs from a
    KD-tree on unit vectors, exact distance by the spherical law of cosines.
    """
    phi, lam = np.radians(lat), np.radians(lon)
    pts = np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])
    n = phi.size
    chord = 2.0 * np.sin(min((radius + _SLACK_M) / (2.0 * EARTH_RADIUS_M), np.pi / 2))
    pairs = cKDTree(pts).query_pairs(chord, output_type="ndarray")
    diag = np.arange(n, dtype=np.int64)
    i = np.concatenate([pairs[:, 0], pairs[:, 1], diag]).astype(np.int64)
    j = np.concatenate([pairs[:, 1], pairs[:, 0], diag]).astype(np.int64)
    arg = np.cos(phi[i]) * np.cos(phi[j]) * np.cos(lam[i] - lam[j]) + np.sin(phi[i]) * np.sin(
        phi[j]
    )
    dist = (np.arccos(np.clip(arg, -1.0, 1.0)) * EARTH_RADIUS_M).astype(np.float32)
    keep = dist <= radius
    return sp.csr_array(
        (dist[keep].astype(float), (i[keep], j[keep])), shape=(n, n)
    )  # coo -> csr: no duplicates (pairs are distinct)


def _section(text: str, path: Path, start: str, end: str) -> np.ndarray:
    a, b = text.find(start), text.find(end)
    if a < 0 or b < 0 or b < a:
        raise InputError(f"file {path}: missing section {start} (before {end})", field="file")
    tokens = text[a + len(start) : b].split()
    try:
        return np.array(tokens, dtype=float)
    except ValueError:
        bad = next(t for t in tokens if not re.fullmatch(r"[-+0-9.eE]+", t))
        raise InputError(
            f"file {path}: {start}: {bad[:40]!r} is not a number", field="file"
        ) from None


def read_ails(path: PathLike, radius: float, p: int) -> OrlibCase:
    """Read an AILS-MCLP city file as ``MCLP(p, radius)`` on all nodes.

    Parameters
    ----------
    path : str or path-like
        The city file (``Bronx.txt`` …).
    radius : float
        Coverage radius in metres (600 for Bronx; see the data README).
    p : int
        Number of sites to open.

    Returns
    -------
    OrlibCase
        Node ids 0-based as in the published solutions; weights = demands;
        the instance stores the pairs within ``radius`` only (cost = metres);
        ``collection = "ails"``, ``optimum`` None (see :func:`ails_case`).

    Raises
    ------
    InputError
        Missing file or section, non-numeric token, a count that disagrees
        with ``DIMENSION``, a latitude/longitude out of range or a negative demand.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except (FileNotFoundError, IsADirectoryError):
        raise InputError(f"file {path}: file not found", field="file") from None
    m = re.search(r"DIMENSION\s*:\s*(\d+)", text)
    if m is None:
        raise InputError(f"file {path}: no 'DIMENSION : n' header line", field="file")
    n = int(m.group(1))
    coords = _section(text, path, "NODE_COORD_SECTION", "DEMAND_SECTION")
    end = "EOF" if "EOF" in text[text.find("DEMAND_SECTION") :] else "\0"
    demand = _section(text + "\0", path, "DEMAND_SECTION", end)
    if coords.size != 2 * n:
        raise InputError(
            f"file {path}: NODE_COORD_SECTION holds {coords.size} numbers; "
            f"DIMENSION {n} needs {2 * n}",
            field="file",
        )
    if demand.size != n:
        raise InputError(
            f"file {path}: DEMAND_SECTION holds {demand.size} numbers; DIMENSION {n} needs {n}",
            field="file",
        )
    lat, lon = coords[0::2], coords[1::2]
    if (np.abs(lat) > 90).any() or (np.abs(lon) > 180).any() or not np.isfinite(coords).all():
        k = int(np.flatnonzero(~((np.abs(lat) <= 90) & (np.abs(lon) <= 180)))[0])
        raise InputError(
            f"file {path}: node {k} has coordinates ({lat[k]:g}, {lon[k]:g}) outside lat/lon range",
            field="file",
        )
    if not (np.isfinite(demand) & (demand >= 0)).all():
        k = int(np.flatnonzero(~(np.isfinite(demand) & (demand >= 0)))[0])
        raise InputError(
            f"file {path}: node {k} has demand {demand[k]:g}; must be >= 0", field="file"
        )
    ids = pd.RangeIndex(n, name="node")
    name = m2.group(1).strip() if (m2 := re.search(r"NAME\s*:\s*(\S+)", text)) else path.stem
    instance = Instance.from_matrix(
        ails_distances(lat, lon, float(radius)),
        weights=demand,
        demand_ids=ids,
        site_ids=ids,
        name=name,
    )
    label = f"{name}_p{p}_r{radius:g}"
    return OrlibCase(label, instance, MCLP(p, float(radius)), collection="ails", path=path)


def read_ails_solution(path: PathLike) -> tuple[float, np.ndarray]:
    """A published solution file: ``f: value`` and ``Facilidade:`` 0-based site indices."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise InputError(f"file {path}: file not found", field="file") from None
    f = re.search(r"f:\s*(\S+)", text)
    fac = text.split("Facilidade:")
    if f is None or len(fac) != 2:
        raise InputError(
            f"file {path}: expected 'f: value' and 'Facilidade: i j ...'", field="file"
        )
    return float(f.group(1)), np.array(fac[1].split(), dtype=np.int64)


def load_ails_optima() -> pd.DataFrame:
    """``mclp-ails/optima.csv``: instance, file, n, p, radius_m, optimal_or_best_known …"""
    path = data_dir() / FOLDER / "optima.csv"
    if not path.is_file():
        raise InputError(f"file {path}: file not found", field="collection")
    return pd.read_csv(path)


def ails_cases() -> list[str]:
    """Names of the 24 cases (``Bronx_p50_r600`` …) in ``optima.csv`` order."""
    return load_ails_optima()["instance"].tolist()


def ails_case(name: str) -> OrlibCase:
    """Read a named AILS case (e.g. ``"Bronx_p50_r600"``) with its published optimum.

    Raises
    ------
    InputError
        Unknown name (known names listed), missing file, or a file whose
        size disagrees with ``optima.csv``.
    """
    optima = load_ails_optima()
    rows = optima.loc[optima["instance"].str.lower() == str(name).lower()]
    if rows.empty:
        known = optima["instance"].tolist()
        raise InputError(
            f"name: no AILS case {name!r}; known: {known[:3]} … {known[-1:]}", field="name"
        )
    row = rows.iloc[0]
    folder = data_dir() / FOLDER
    case = read_ails(folder / str(row["file"]), float(row["radius_m"]), int(row["p"]))
    if case.instance.n_demand != int(row["n"]):
        raise InputError(
            f"{case.path}: {case.instance.n_demand} nodes, optima.csv says {int(row['n'])}",
            field="name",
        )
    return replace(
        case,
        name=str(row["instance"]),
        optimum=float(row["optimal_or_best_known"]),
        proven=bool(int(row["is_proven_optimal"])),
    )


def solution_path(name: str) -> Path:
    """Path of the published solution file of case ``name``."""
    optima = load_ails_optima()
    row = optima.loc[optima["instance"].str.lower() == str(name).lower()].iloc[0]
    return data_dir() / FOLDER / str(row["solution_file"])
