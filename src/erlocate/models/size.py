"""Up-front size and memory estimates: refuse a MILP that would not fit before building it.

A model that allocates one assignment column per demand–site pair knows its
size from the pair count alone. :func:`check_build_size` turns the counts into
the memory the build and the solver's copy will take and raises
:class:`~erlocate.errors.InputError` (``field="instance"``) with the numbers and
the fixes when that passes the limit, instead of running out of memory minutes in.

Calibration (:data:`BYTES_PER_NNZ`): building the capacitated facility model
(``CFLP``; 4 entries per pair) and passing it to HiGHS took 40.4 bytes per
constraint-matrix entry at 20,000 × 1,000 (4.9 M entries) and 40.6 at
50,000 × 2,000 (24.8 M entries) on top of the instance: 18–19 for the
builder (COO triplets with int32 indices, then the CSR matrix) and 22 for
HiGHS's copy. The constant adds 10 % and covers the column and row vectors,
which grow with the entries in these models.
"""

from __future__ import annotations

import os

from erlocate.errors import InputError

__all__ = [
    "BYTES_PER_NNZ",
    "DEFAULT_MAX_BUILD_GIB",
    "ENV_MAX_BUILD_GIB",
    "assignment_size",
    "build_bytes",
    "check_build_size",
    "max_build_bytes",
]

#: Bytes per constraint-matrix entry for the build plus the solver's copy (see module doc).
BYTES_PER_NNZ = 44
#: Default limit on :func:`build_bytes`, in GiB.
DEFAULT_MAX_BUILD_GIB = 8.0
#: Environment variable that overrides the limit (GiB; ``inf`` turns the check off).
ENV_MAX_BUILD_GIB = "ERLOCATE_MAX_BUILD_GIB"

_GIB = 2.0**30


def max_build_bytes() -> float:
    """The limit: ``$ERLOCATE_MAX_BUILD_GIB`` GiB if set, else :data:`DEFAULT_MAX_BUILD_GIB`."""
    raw = os.environ.get(ENV_MAX_BUILD_GIB)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_BUILD_GIB * _GIB
    try:
        gib = float(raw)
    except ValueError:
        gib = float("nan")
    if not gib > 0:
        raise InputError(
            f"{ENV_MAX_BUILD_GIB}={raw!r}: expected a positive number of GiB (or 'inf')",
            field=ENV_MAX_BUILD_GIB,
        )
    return gib * _GIB


def build_bytes(nnz: int) -> float:
    """Estimated memory (bytes) to build a MILP with ``nnz`` matrix entries and pass it on."""
    return float(BYTES_PER_NNZ) * nnz


def assignment_size(
    n_demand: int,
    n_sites: int,
    n_pairs: int,
    *,
    link: bool = True,
    capacity_sites: int = 0,
    capacity_pairs: int = 0,
) -> tuple[int, int, int]:
    """(columns, rows, entries) of open flags + assignment shares over ``n_pairs`` pairs.

    One ``sum_j z_ij = 1`` row per demand point (one entry per pair), ``z_ij <= x_j``
    per pair if ``link`` (two entries), and a capacity row per capacitated site
    (one entry per pair at such a site plus one for its open flag).
    """
    cols = n_sites + n_pairs
    rows = n_demand + (n_pairs if link else 0) + capacity_sites
    nnz = n_pairs * (3 if link else 1) + capacity_pairs + capacity_sites
    return cols, rows, nnz


def check_build_size(model: str, n_cols: int, n_rows: int, nnz: int, *, pairs: int = 0) -> None:
    """Raise InputError (``field="instance"``) when the estimated memory passes the limit.

    Parameters
    ----------
    model : str
        Model name for the message.
    n_cols, n_rows, nnz : int
        Estimated size of the MILP.
    pairs : int, optional
        Demand–site pairs the size comes from (named in the message when given).
    """
    need = build_bytes(nnz)
    limit = max_build_bytes()
    if need <= limit:
        return
    over = f" from {pairs:,} demand–site pairs" if pairs else ""
    raise InputError(
        f"{model}: the MILP would have {n_cols:,} columns, {n_rows:,} rows and {nnz:,} "
        f"non-zeros{over}; building it and the solver's copy needs about "
        f"{need / _GIB:.1f} GiB ({BYTES_PER_NNZ} bytes per non-zero), above the "
        f"{limit / _GIB:.1f} GiB limit. Use a cost cut-off (max_cost) or fewer candidate "
        "sites, a decomposition method (e.g. PMedian(formulation='benders'), "
        f"MCLP(method='benders')), or raise {ENV_MAX_BUILD_GIB} if the memory is there.",
        field="instance",
    )
