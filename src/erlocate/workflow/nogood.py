"""No-good cuts on a binary site block, and the single-MILP form of a model they need.

For binary site flags :math:`x` and a plan already found with open set
:math:`S`, the *no-good* (or "integer cut") row

.. math::

    \\sum_{j \\in S} (1 - x_j) + \\sum_{j \\notin S} x_j \\ge 1

is violated by :math:`S` alone and satisfied by every other 0/1 vector: it
excludes exactly one pattern of open sites (Balas & Jeroslow 1972). Columns
fixed by their bounds (required sites, sites a rule forbids) keep the value
they had in :math:`S` in every feasible plan, so they add nothing to the row
and are left out of it.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.protocol import Backend
from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.models.base import Model
from erlocate.result import Result
from erlocate.solve import milp_size, result_of

__all__ = [
    "LoopProbe",
    "add_nogood_rows",
    "restricted_result",
    "single_milp_model",
    "site_block",
]

log = logging.getLogger(__name__)

#: Site blocks a no-good cut may be put on, in order of preference.
SITE_BLOCKS = ("open", "units")

#: Why a model solves several MILPs, and the single-MILP form to ask for (class name -> fix).
LOOP_FIXES = {
    "BackupCoverage": "objective='lexicographic' runs two stages; use objective='weighted' "
    "(theta close to 1 puts first coverage first)",
    "FireStations": "mode='max_cover' breaks coverage ties by least cost in a second MILP; "
    "use mode='cover_all', or an MCLP on the same instance for coverage alone",
}


def add_nogood_rows(milp: Milp, patterns: np.ndarray, block: str = "open") -> Milp:
    """A copy of ``milp`` with one no-good row per 0/1 pattern of column block ``block``.

    Parameters
    ----------
    milp : Milp
        A MILP whose ``block`` columns are integer with bounds in [0, 1].
    patterns : numpy.ndarray of bool, shape (k, block size)
        The open-site patterns to exclude (one per row).
    block : str
        The binary column block the patterns are over.

    Returns
    -------
    Milp
        The same MILP with ``k`` rows more, in row block ``"nogood"`` (appended
        after the rows already there, so the model's row blocks keep their place).
        Every 0/1 vector of ``block`` but the patterns stays feasible for the rows.
    """
    cols = np.arange(milp.n_cols)[milp.col_blocks[block]]
    pats = np.atleast_2d(np.asarray(patterns, dtype=bool))
    if pats.shape[1] != cols.size:
        raise ValueError(f"patterns: expected {cols.size} flags per pattern, got {pats.shape[1]}")
    free = milp.col_lb[cols] < milp.col_ub[cols]
    k, fc = pats.shape[0], cols[free]
    inside = pats[:, free]
    # sum_{S} -x_j + sum_{not S} x_j >= 1 - |S| over the free columns
    vals = np.where(inside, -1.0, 1.0).ravel()
    rows = np.repeat(np.arange(k), fc.size)
    cut = sp.csr_array((vals, (rows, np.tile(fc, k))), shape=(k, milp.n_cols))
    lb = 1.0 - inside.sum(axis=1).astype(float)
    n = milp.n_rows
    row_blocks = {**milp.row_blocks, "nogood": slice(n, n + k)}
    if "nogood" in milp.row_blocks:  # cuts added before: one contiguous block
        row_blocks["nogood"] = slice(milp.row_blocks["nogood"].start, n + k)
    return replace(
        milp,
        A=sp.csr_array(sp.vstack([milp.A, cut], format="csr")),
        row_lb=np.concatenate([milp.row_lb, lb]),
        row_ub=np.concatenate([milp.row_ub, np.full(k, np.inf)]),
        row_blocks=row_blocks,
    )


def site_block(milp: Milp, n_sites: int, model_name: str) -> str:
    """The binary column block naming the sites (``"open"``, or ``"units"`` with caps of 1).

    Raises
    ------
    InputError
        The MILP has no such block (e.g. unit counts above one per site).
    """
    for name in SITE_BLOCKS:
        sl = milp.col_blocks.get(name)
        if sl is None:
            continue
        cols = np.arange(milp.n_cols)[sl]
        binary = (
            cols.size == n_sites
            and bool(milp.integrality[cols].all())
            and bool((milp.col_lb[cols] >= 0).all())
            and bool((milp.col_ub[cols] <= 1).all())
        )
        if binary:
            return name
        if name == "units":
            raise InputError(
                f"model: {model_name} places up to {int(milp.col_ub[cols].max())} units at a "
                "site; plans are told apart here by their open sites, which a no-good row "
                "on unit counts cannot do; set max_units_per_site=1 to compare site sets",
                field="model",
            )
    raise InputError(
        f"model: {model_name}'s MILP has no binary block of one open flag per site "
        f"(column blocks {list(milp.col_blocks)}), so its plans cannot be told apart by "
        "their open sites",
        field="model",
    )


class LoopProbe:
    """A backend that refuses to solve: tells whether a model's ``solve_loop`` runs MILPs.

    :func:`single_milp_model` hands it to ``model.solve_loop``: a single-MILP
    model returns None without calling it, a multi-MILP method calls
    :meth:`solve`, which raises :class:`LoopProbe.Called`. Everything else is
    the wrapped backend's (a loop may read its name or capabilities).
    """

    class Called(Exception):
        """Raised when the probe is asked to solve."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.name
        self.interface = backend.interface
        self.capabilities = backend.capabilities

    def version(self) -> str | None:
        return self.backend.version()

    def available(self) -> bool:
        return self.backend.available()

    def diagnose(self) -> str:
        return self.backend.diagnose()

    def solve(self, milp: Milp, options: SolveOptions) -> SolverOutput:
        raise LoopProbe.Called(milp.name)


def single_milp_model(
    model: Model, instance: Instance, backend: Backend
) -> tuple[Model, list[str]]:
    """``model`` in a single-MILP form that keeps every optimal plan, and what was changed.

    * ``reduce=True`` → ``reduce=False``: the exact reductions of LSCP, MCLP
      and BackupCoverage close dominated sites, which keeps *an* optimum but
      hides the plans tied with it;
    * ``formulation`` (PMedian, PCenter) → ``"dense"`` and ``method`` (MCLP)
      → ``"milp"``: the same model as one MILP instead of a decomposition or a
      search over several MILPs.

    Any other model whose ``solve_loop`` still solves MILPs (a lexicographic
    tie-break, for one) is refused.

    Raises
    ------
    InputError
        The model has no single-MILP form (``field="model"``).
    """
    params = model.parameters()
    changes: dict[str, object] = {}
    if params.get("reduce") is True:
        changes["reduce"] = False
    if "formulation" in params and params["formulation"] != "dense":
        changes["formulation"] = "dense"
    if "method" in params and params["method"] != "milp":
        changes["method"] = "milp"
    single = model.replace(**changes) if changes else model
    notes = [f"{k}={params[k]!r} -> {v!r}" for k, v in changes.items()]
    if notes:
        log.info("%s for plan enumeration: %s", type(model).__name__, ", ".join(notes))
    try:
        loops = single.solve_loop(instance, LoopProbe(backend), SolveOptions(), None) is not None
    except LoopProbe.Called:
        loops = True
    if loops:
        name = type(model).__name__
        fix = LOOP_FIXES.get(name, "no single-MILP form of it is known")
        raise InputError(
            f"model: {name} solves several MILPs for one plan, and alternatives adds no-good "
            f"rows to one MILP; {fix}",
            field="model",
        )
    return single, notes


def restricted_result(
    model: Model, instance: Instance, milp: Milp, out: SolverOutput, build_time: float
) -> Result:
    """The verified :class:`Result` of a solve of ``model``'s MILP with no-good rows."""
    plan = None if out.x is None else model.decode(instance, milp, out.x)
    nogood = milp.row_blocks["nogood"]
    cuts = nogood.stop - nogood.start
    termination = f"{out.termination}; {cuts} plans before excluded by no-good rows"
    result = result_of(model, instance, plan, out, build_time, milp_size(milp), termination)
    return result.verify()
