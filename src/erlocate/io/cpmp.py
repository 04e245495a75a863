"""Reader for Lorena and Senne's capacitated p-median instances (SJC1, SJC2).

The files live in the benchmark data folder (``shared/data/cpmp-lorena`` or
``$ERLOCATE_DATA/cpmp-lorena``) with an ``optima.csv`` of published optima::

    from erlocate.io.cpmp import cpmp_case
    case = cpmp_case("SJC1")           # PMedian(10, single_source=True), optimum 17288.99
    result = case.solve()
    assert case.matches(result.objective)

Reference: L.A.N. Lorena and E.L.F. Senne, "A column generation approach to
capacitated p-median problems", Computers & Operations Research 31 (2004) 863–876.
"""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.io.orlib import MAX_BYTES, NumberReader, OrlibCase, data_dir
from erlocate.models import PMedian

__all__ = ["FOLDER", "cpmp_case", "cpmp_cases", "read_cpmp"]

#: Folder of the benchmark data directory holding the files.
FOLDER = "cpmp-lorena"

PathLike = str | os.PathLike[str]


def read_cpmp(path: PathLike, *, max_bytes: float = MAX_BYTES) -> OrlibCase:
    r"""Read a Lorena capacitated p-median file (``SJC1.dat``, ``SJC2.dat``).

    Format: a header ``n p``, then ``n`` lines ``x y capacity demand``; every
    node is both a client and a candidate median. The cost is the Euclidean
    distance, **not rounded**; every client has weight 1 (the objective is
    :math:`\min \sum_i d(i, \text{median}(i))`, demand does not weight the
    distance) and its ``demand`` loads the capacity of its median. Each client
    goes to exactly one median: the model is ``PMedian(p, single_source=True)``.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    OrlibCase
        ``collection = "cpmp"``; ``optimum`` is None (see :func:`cpmp_case`).

    Raises
    ------
    InputError
        Missing file, non-numeric token, bad header, too few or too many
        numbers, ``p > n``, a negative or non-finite capacity or demand; the
        message names the file and line.
    """
    f = NumberReader(path)
    n, p = f.header(("n", "p"), "n p")
    if p > n:
        f.fail(1, f"p = {p} exceeds the number of nodes n = {n}")
    f.expect_size(2 + 4 * n, f"the header's {n} node lines of 'x y capacity demand'")
    nodes = f.values[2:].reshape(n, 4)
    for col, what in ((0, "x"), (1, "y")):
        bad = np.flatnonzero(~np.isfinite(nodes[:, col]))
        if bad.size:
            f.fail(2 + 4 * int(bad[0]) + col, f"{what} must be a finite number")
    f.check_values(4, nodes[:, 2], "capacity", stride=4)
    f.check_values(5, nodes[:, 3], "demand", stride=4)
    xy = nodes[:, :2]
    f.budget(n, n, max_bytes, "the node × node distance matrix")
    dist = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=2)
    ids = pd.RangeIndex(1, n + 1, name="node")
    instance = Instance.from_matrix(
        dist,
        demand=nodes[:, 3],
        capacities=nodes[:, 2],
        demand_ids=ids,
        site_ids=ids,
        name=f.path.stem,
    )
    model = PMedian(p, single_source=True)
    return OrlibCase(f.path.stem, instance, model, collection="cpmp", path=f.path)


def _optima() -> pd.DataFrame:
    path = data_dir() / FOLDER / "optima.csv"
    if not path.is_file():
        raise InputError(f"file {path}: file not found", field="name")
    return pd.read_csv(path)


def cpmp_cases() -> list[str]:
    """Names of the instances whose data file is present (``SJC1``, ``SJC2``)."""
    optima = _optima()
    folder = data_dir() / FOLDER
    present = [(folder / str(name)).is_file() for name in optima["file"]]
    return optima.loc[present, "instance"].tolist()


def cpmp_case(name: str) -> OrlibCase:
    """Read a named instance with its published optimum.

    The published values have two decimals; :meth:`OrlibCase.matches`
    compares within ``1e-6 × |optimum|`` (0.017 for SJC1), which covers that
    rounding.

    Parameters
    ----------
    name : str
        ``"SJC1"`` or ``"SJC2"`` (case-insensitive).

    Raises
    ------
    InputError
        Unknown name, missing data folder or file, or a file whose ``n`` or
        ``p`` disagrees with ``optima.csv``.
    """
    optima = _optima()
    rows = optima.loc[optima["instance"].str.lower() == str(name).lower()]
    if rows.empty:
        raise InputError(
            f"name: no capacitated p-median case {name!r}; known: {optima['instance'].tolist()}",
            field="name",
        )
    row = rows.iloc[0]
    case = read_cpmp(data_dir() / FOLDER / str(row["file"]))
    if case.instance.n_demand != int(row["n"]) or case.p != int(row["p"]):
        raise InputError(
            f"{case.path}: n = {case.instance.n_demand}, p = {case.p} but optima.csv says "
            f"n = {int(row['n'])}, p = {int(row['p'])}",
            field="name",
        )
    return replace(
        case,
        name=str(row["instance"]),
        optimum=float(row["optimal_or_best_known"]),
        proven=bool(row["is_proven_optimal"]),
    )
