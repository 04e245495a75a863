"""CP-SAT backend (``"cpsat"``): OR-Tools' CP-SAT, only on models it solves exactly.

Exactness
    CP-SAT works over integers. :func:`erlocate.backends.integer_scaling.to_integers`
    turns the Milp into the same model in integers — every column integer,
    implied integer (:attr:`Milp.implied_integer
    <erlocate.milp.Milp.implied_integer>`) or fixed at an integer; each row
    and the objective multiplied by the least power of ten that makes every
    coefficient an exact integer — or refuses it with
    :class:`~erlocate.errors.IntegerOnlyError`, naming the block and an
    example and pointing to a MILP backend. Nothing is ever rounded. Models
    it accepts: p-median (uncapacitated, dense or radius; single-source),
    p-center with integral costs, LSCP, MCLP, backup coverage, UFLP and
    single-source CFLP, on data with decimal costs. Refused: split
    capacitated assignment (CFLP, capacitated p-median), whose shares are
    fractional at an optimum.

Translation
    A ``CpModelProto`` built directly: variables from one text-format
    string of their domains, run-length grouped (the blocks share bounds),
    parsed in C++; one ``LinearConstraintProto`` per row filled from slices
    of the CSR arrays (three bulk ``extend`` calls, no loop over non-zeros);
    objective and hint in one ``extend`` each. On the 1000×200 p-median of
    ``benchmarks/cpsat_translate.py`` (200k columns, 201k rows, 600k
    non-zeros; 2 cores) this takes 0.93 s, 0.13 s of it the exactness check;
    a proto filled column by column takes 0.98 s, rows as one parsed text
    1.6 s. ``ModelSolverHelper("sat")`` loads in 0.09 s and converts in
    about 0.3 s, but that route presolves the model with floating-point
    tolerances (1e-6), truncates bounds beyond ``mip_max_bound`` and detects
    and rescales implied integers itself: not exact by construction, so not
    used.

Options
    ``time_limit`` → ``max_time_in_seconds`` (what is left of the deadline
    after translation), ``gap`` → ``relative_gap_limit`` (and
    ``absolute_gap_limit`` 0), ``threads`` → ``num_workers`` (default: the
    machine's cores; below 8 the LP-based ``max_lp`` search is always among
    them, see ``_SMALL_PORTFOLIO``), ``seed`` →
    ``random_seed``, ``verbose`` → ``log_search_progress``, ``warm_start`` →
    ``solution_hint`` (rounded into the domains).

Answer
    The solution comes back as integers; the objective is recomputed from it
    on the Milp (``c @ x + offset``); the bound is CP-SAT's integer
    ``inner_objective_lower_bound`` divided by the objective's scale, taken
    only when CP-SAT has a solution (without one the field is unset and reads
    0). Statuses go to :func:`~erlocate.backends.base.classify`: OPTIMAL is a
    closed search, FEASIBLE a stopped one, INFEASIBLE infeasible, UNKNOWN
    no solution; MODEL_INVALID is a :class:`~erlocate.errors.BackendError`
    with CP-SAT's reason.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
from ortools.sat.python import cp_model_helper as cmh

from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.integer_scaling import IntegerModel, to_integers
from erlocate.backends.protocol import Capabilities, SolverBackend
from erlocate.errors import BackendError
from erlocate.milp import Milp

__all__ = ["BACKEND", "NAME", "SUPPORTS_WARM_START", "available", "solve", "to_cpsat"]

NAME = "cpsat"

#: ``SolveOptions.warm_start`` becomes CP-SAT's solution hint.
SUPPORTS_WARM_START = True

_ST = cmh.CpSolverStatus

#: CP-SAT's ``random_seed`` is a 32-bit signed integer.
_MAX_SEED = 2_147_483_647

#: Workers from which CP-SAT's own portfolio includes ``max_lp`` (the full LP relaxation).
_FULL_PORTFOLIO = 8

#: Subsolvers for 2 to 7 workers, best first. CP-SAT's own choice for so few leaves out
#: ``max_lp``, whose LP gives location models their bound: a 150 × 40 p-median closes in
#: 0.4 s with it and keeps a 45 % gap after 20 s without (2 workers); one worker runs
#: ``linearization_level`` 2 (the same LP) instead: 0.4 s against no proof in 20 s.
_SMALL_PORTFOLIO = (
    "max_lp",
    "default_lp",
    "reduced_costs",
    "pseudo_costs",
    "objective_lb_search",
    "quick_restart",
    "core",
)


def available() -> bool:
    """True: CP-SAT is part of every OR-Tools build."""
    return True


def _variables(proto: cmh.CpModelProto, lb: np.ndarray, ub: np.ndarray) -> None:
    """All domains in one text-format string, consecutive equal domains written once × k."""
    n = lb.size
    if n == 0:
        return
    change = np.ones(n, bool)
    change[1:] = (lb[1:] != lb[:-1]) | (ub[1:] != ub[:-1])
    starts = np.flatnonzero(change)
    runs = np.diff(np.append(starts, n))
    text = "".join(
        [
            f"variables{{domain:[{lo},{hi}]}}" * k
            for lo, hi, k in zip(
                lb[starts].tolist(), ub[starts].tolist(), runs.tolist(), strict=True
            )
        ]
    )
    if not proto.parse_text_format(text):  # pragma: no cover - a bug, not a user error
        raise BackendError("cpsat: CP-SAT could not read the variable domains")


def to_cpsat(milp: Milp) -> tuple[cmh.CpModelProto, IntegerModel]:
    """``milp`` as a CP-SAT model, with the integer form it was built from.

    Parameters
    ----------
    milp : Milp
        The canonical model; columns keep their order.

    Returns
    -------
    (CpModelProto, IntegerModel)
        The objective is minimised (a maximisation is negated, with a negative
        ``scaling_factor`` so that CP-SAT's log shows the Milp's values).

    Raises
    ------
    IntegerOnlyError
        The model is not exactly an integer model (see
        :mod:`erlocate.backends.integer_scaling`).
    """
    im = to_integers(milp, NAME)
    proto = cmh.CpModelProto()
    proto.name = milp.name
    _variables(proto, im.col_lb, im.col_ub)
    A = im.A
    idx = A.indices.astype(np.int64).tolist()
    val = A.data.tolist()
    ptr = A.indptr.tolist()
    free = (im.row_lb == np.iinfo(np.int64).min) & (im.row_ub == np.iinfo(np.int64).max)
    add = proto.constraints.add
    for a, b, lo, hi, skip in zip(
        ptr[:-1], ptr[1:], im.row_lb.tolist(), im.row_ub.tolist(), free.tolist(), strict=True
    ):
        if skip:
            continue
        lin = add().linear
        lin.vars.extend(idx[a:b])
        lin.coeffs.extend(val[a:b])
        lin.domain.extend((lo, hi))
    nz = np.flatnonzero(im.c)
    if nz.size:
        sign = -1 if milp.sense == "max" else 1
        obj = proto.objective
        obj.vars.extend(nz.tolist())
        obj.coeffs.extend((sign * im.c[nz]).tolist())
        obj.scaling_factor = sign / im.obj_scale
        obj.offset = float(milp.offset) * sign * im.obj_scale
    return proto, im


def _parameters(options: SolveOptions) -> cmh.SatParameters:
    params = cmh.SatParameters()
    if options.time_limit is not None:
        params.max_time_in_seconds = max(0.0, float(options.time_limit))
    params.relative_gap_limit = options.gap
    params.absolute_gap_limit = 0.0
    workers = int(options.threads) if options.threads is not None else os.cpu_count() or 1
    params.num_workers = workers
    if workers == 1:
        params.linearization_level = 2  # the one search is then max_lp's
    elif workers < _FULL_PORTFOLIO:
        params.subsolvers.extend(_SMALL_PORTFOLIO)
    if options.seed is not None:
        params.random_seed = int(options.seed) % _MAX_SEED
    params.log_search_progress = bool(options.verbose)
    return params


def _hint(proto: cmh.CpModelProto, im: IntegerModel, x0: np.ndarray) -> None:
    value = np.clip(np.round(x0), im.col_lb, im.col_ub).astype(np.int64)
    proto.solution_hint.vars.extend(range(x0.size))
    proto.solution_hint.values.extend(value.tolist())


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with CP-SAT (:func:`to_cpsat`) after
    :func:`~erlocate.backends.call.solve_with`'s checks, if it is exactly an integer
    model, and classify the answer. The module doc says how each option reaches CP-SAT.

    Raises
    ------
    IntegerOnlyError
        The model has continuous columns, unbounded columns or coefficients no
        power of ten makes exact integers (the message says which and where).
    BackendError
        CP-SAT found the model invalid (its reason is quoted) or failed.
    """
    return solve_with(NAME, milp, options, _solve, is_mip=True)


def _solve(call: SolveCall) -> SolverOutput:
    milp = call.milp
    proto, im = to_cpsat(milp)
    empty = im.empty_columns
    if empty.size:
        why = f"infeasible: column {int(empty[0])} has no integer within its bounds"
        return call.refuted({"infeasible": True}, 0.0, why)
    if call.x0 is not None:
        _hint(proto, im, call.x0)
    wrapper = cmh.SolveWrapper()
    wrapper.set_parameters(_parameters(call.clock.options(call.options)))
    if call.options.verbose:
        sys.stdout.flush()  # CP-SAT writes to the C stdout; keep the order readable
    start = time.perf_counter()
    try:
        response = wrapper.solve(proto)
    except Exception as exc:  # MemoryError, RuntimeError ...
        raise BackendError(f"cpsat: CP-SAT failed: {type(exc).__name__}: {exc}") from exc
    runtime = time.perf_counter() - start
    status = response.status
    termination = status.name.lower()
    if status == _ST.MODEL_INVALID:
        why = cmh.CpSatHelper.validate_model(proto) or "no reason given"
        raise BackendError(f"cpsat: CP-SAT says the model is invalid: {why} ({milp.summary()})")
    if status == _ST.INFEASIBLE:
        return call.refuted({"infeasible": True}, runtime, termination)
    if status not in (_ST.OPTIMAL, _ST.FEASIBLE):  # UNKNOWN: stopped without a solution
        return call.answer(None, None, None, False, runtime, termination)
    x = np.asarray(response.solution, dtype=np.float64)
    if x.shape != (milp.n_cols,):
        raise BackendError(f"cpsat: CP-SAT returned {x.size} values for {milp.n_cols} columns")
    objective = milp.objective_value(x)
    bound = _bound(milp, im, int(response.inner_objective_lower_bound), objective)
    return call.answer(x, objective, bound, status == _ST.OPTIMAL, runtime, termination)


def _bound(milp: Milp, im: IntegerModel, inner: int, objective: float) -> float | None:
    """The Milp's bound from CP-SAT's integer bound on the minimised, scaled objective.

    Without an objective the search is a feasibility check: the bound is the
    objective. A bound below what the column bounds allow (an unset field) is
    dropped; :func:`~erlocate.backends.base.honest_bound` supplies the model's.
    The bound is moved by ``obj_error`` (0 for exact decimal data), so that it
    bounds the Milp as given, not only its decimal reading.
    """
    if not im.c.any():
        return objective
    sign = -1 if milp.sense == "max" else 1
    c = sign * im.c.astype(np.float64)
    floor = float(np.sum(np.minimum(c * im.col_lb, c * im.col_ub)))
    if inner < floor:
        return None
    # the decimal reading may move any point's objective by up to obj_error: stay a bound
    return sign * (inner / im.obj_scale - im.obj_error) + float(milp.offset)


class CpSatBackend(SolverBackend):
    """CP-SAT inside OR-Tools (a dependency), for exactly-integer models."""

    name = NAME
    interface = "OR-Tools CP-SAT: CpModelProto built directly (exact integer scaling)"
    capabilities = Capabilities(
        warm_start=True, bound=True, threads=True, seed=True, integer_only=True
    )
    distribution = "ortools"

    run = staticmethod(solve)


#: The ``"cpsat"`` backend.
BACKEND = CpSatBackend()
