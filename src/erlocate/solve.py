"""``solve(model, instance, backend)``: build, solve, decode, verify."""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import replace

from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions, SolverOutput
from erlocate.backends.protocol import Backend
from erlocate.errors import ErlocateError, InfeasibleError, InputError, NoSolutionError
from erlocate.instance import Instance
from erlocate.milp import Milp
from erlocate.models.base import Model, capacities_ignored, cutoff_breach
from erlocate.params import boolean, integer, number
from erlocate.plan import Checker, Plan
from erlocate.result import Result

__all__ = ["milp_size", "result_of", "solve"]

log = logging.getLogger(__name__)


def solve(
    model: Model,
    instance: Instance,
    backend: str = "highs",
    *,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    verbose: bool = False,
    warm_start: Result | Plan | str | None = None,
    seed: int | None = None,
    verify: bool = True,
    raise_on_failure: bool = True,
) -> Result:
    """Solve ``model`` on ``instance`` with a solver backend and re-check the answer.

    Parameters
    ----------
    model : Model
        A model specification, e.g. ``PMedian(p=5)``.
    instance : Instance
        The data.
    backend : str
        ``"highs"`` (default), ``"pulp"`` (CBC) or ``"ortools"``; see
        :func:`erlocate.backends.available`.
    time_limit : float, optional
        Solver wall-clock limit in seconds. A plan found by then is returned
        as ``"feasible"`` with its bound and gap, never as ``"optimal"``.
    mip_gap : float, optional
        Relative gap at which the solver may stop (default 1e-9).
    threads : int, optional
        Solver threads.
    verbose : bool
        Show the solver log.
    warm_start : Result, Plan or "heuristic", optional
        A known plan for the same model and instance, passed as a starting
        incumbent where the backend supports it. ``"heuristic"``: greedy + local
        search, not exact (uncapacitated :class:`~erlocate.models.PMedian`:
        :mod:`erlocate.heuristics`; :class:`~erlocate.models.MCLP`:
        :mod:`erlocate.heuristics.mclp`; :class:`~erlocate.planning.Shelters`:
        :mod:`erlocate.planning.shelters.construct`, which may find none, and
        the solver then starts without); at most ``min(10, time_limit/10)``
        seconds, counted in ``build_time``.
    seed : int, optional
        Solver random seed.
    verify : bool
        Re-check the plan against the data before returning (default True).
    raise_on_failure : bool
        Raise InfeasibleError / NoSolutionError when there is no plan (default);
        with False, return a Result with that status and no plan instead.

    Returns
    -------
    Result

    Raises
    ------
    InputError
        Bad parameters or data.
    InfeasibleError
        No plan exists (the reason in words when the data shows it).
    NoSolutionError
        The solver stopped (e.g. time limit) before finding any plan.
    VerificationError
        The re-check found a breach (a solver or library bug: please report).
    """
    _check_inputs(model, instance)
    time_limit, mip_gap, threads, seed = _check_options(
        backend, time_limit, mip_gap, threads, seed, verbose, verify, raise_on_failure
    )
    _check_warm_start(warm_start, model, instance)
    solver = get_backend(backend)

    start = time.perf_counter()
    breach = cutoff_breach(model, instance)
    if breach is not None:
        raise InputError(breach, field=model.reach_field)
    model.validate(instance)
    ignored = capacities_ignored(model, instance)
    if ignored is not None:
        warnings.warn(ignored, UserWarning, stacklevel=2)
    if isinstance(warm_start, str):
        # at most 10 s, and a tenth of the time limit
        limit = 10.0 if time_limit is None else min(10.0, time_limit / 10)
        warm_start = model.start_plan(instance, limit)
    start_plan = warm_start.plan if isinstance(warm_start, Result) else warm_start
    options = SolveOptions(
        time_limit=time_limit, mip_gap=mip_gap, threads=threads, verbose=verbose, seed=seed
    )
    out, plan, size, build_time = _run(model, instance, solver, options, start_plan, start)
    result = result_of(model, instance, plan, out, build_time, size)
    if plan is None and raise_on_failure:
        raise _no_plan_error(model, out, time_limit)
    log.debug(
        "%s on %s with %s: %s, objective %s, %.3f s solve + %.3f s build",
        type(model).__name__,
        instance.name or "instance",
        out.backend,
        out.status,
        out.objective,
        out.runtime,
        build_time,
    )
    if verify:
        result.verify()
    return result


def _run(
    model: Model,
    instance: Instance,
    solver: Backend,
    options: SolveOptions,
    start: Plan | None,
    t0: float,
) -> tuple[SolverOutput, Plan | None, dict[str, float], float]:
    """The model's exact loop, or its one MILP: (solver output, plan, sizes, build seconds).

    Build seconds count from ``t0``: up to the MILP built, or a loop's time outside its solvers.
    """
    loop = model.solve_loop(instance, solver, options, start)
    if loop is not None:
        return loop.output, loop.plan, loop.size, time.perf_counter() - t0 - loop.output.runtime
    milp = model.build(instance)
    build_time = time.perf_counter() - t0
    x0 = None if start is None else model.encode(instance, milp, start)
    out = solver.solve(milp, replace(options, warm_start=x0))
    plan = None if out.x is None else model.decode(instance, milp, out.x)
    return out, plan, milp_size(milp), build_time


def milp_size(milp: Milp) -> dict[str, float]:
    """The sizes a :class:`Result` records of the MILP it solved."""
    return {
        "rows": milp.n_rows,
        "cols": milp.n_cols,
        "int_cols": int(milp.integrality.sum()),
        "nnz": milp.nnz,
    }


def result_of(
    model: Model,
    instance: Instance,
    plan: Plan | None,
    out: SolverOutput,
    build_time: float,
    size: dict[str, float],
    termination: str | None = None,
) -> Result:
    """The (unverified) :class:`Result` of a solver's output ``out`` decoded into ``plan``."""
    return Result(
        model=model,
        instance=instance,
        plan=plan,
        status=out.status,
        objective=out.objective,
        bound=out.bound,
        gap=out.gap,
        runtime=out.runtime,
        build_time=build_time,
        backend=out.backend,
        termination=out.termination if termination is None else termination,
        milp_size=size,
    )


def _no_plan_error(model: Model, out: SolverOutput, time_limit: float | None) -> ErlocateError:
    """Why there is no plan: infeasibility the solver proved, or a stop before any plan."""
    if out.status == "infeasible":
        return InfeasibleError(
            f"{type(model).__name__}: the solver ({out.backend}) proved the model infeasible "
            f"({out.termination}); the data passed the checks that name a cause, so the "
            f"combination of constraints ({model.constraints_hint}) admits no plan"
        )
    fix = (
        f"; raise time_limit (was {time_limit:g} s)"
        if time_limit is not None
        else "; no time limit was set, so this is the solver's own stop: try another backend"
    )
    return NoSolutionError(
        f"{type(model).__name__}: {out.backend} stopped without any feasible plan "
        f"({out.status}: {out.termination}){fix}"
    )


def _check_inputs(model: object, instance: object) -> None:
    """A model and an Instance, else InputError."""
    if not isinstance(model, Model):
        raise InputError(
            f"model: expected an erlocate model, got {type(model).__name__}", field="model"
        )
    if not isinstance(instance, Instance):
        raise InputError(
            f"instance: expected an erlocate.Instance, got {type(instance).__name__}; "
            "build one with Instance.from_matrix(...)",
            field="instance",
        )


#: More threads than any machine erlocate targets; solvers fail badly beyond (HiGHS bad_alloc).
MAX_THREADS = 1024


def _check_options(
    backend: object,
    time_limit: object,
    mip_gap: object,
    threads: object,
    seed: object,
    verbose: object,
    verify: object,
    raise_on_failure: object,
) -> tuple[float | None, float | None, int | None, int | None]:
    """Every solve option strictly typed (``"5"`` is not a time limit), else InputError."""
    if not isinstance(backend, str):
        raise InputError(
            f"backend: must be a backend name such as 'highs', got {backend!r}; "
            "erlocate.backends.available() lists those installed",
            field="backend",
        )
    limit = number(time_limit, "time_limit", minimum=0.0, optional=True, hint="seconds, or None")
    gap = number(mip_gap, "mip_gap", minimum=0.0, maximum=1.0, optional=True)
    cores = os.cpu_count() or 1
    n_threads = integer(
        threads,
        "threads",
        minimum=1,
        maximum=MAX_THREADS,
        optional=True,
        hint=f"this machine has {cores} cores; None lets the solver choose",
    )
    rng_seed = integer(seed, "seed", minimum=0, maximum=2**31 - 1, optional=True)
    boolean(verbose, "verbose")
    boolean(verify, "verify")
    boolean(raise_on_failure, "raise_on_failure")
    return limit, gap, n_threads, rng_seed


def _check_warm_start(warm_start: object, model: Model, instance: Instance) -> None:
    """A warm start is None, ``"heuristic"``, or a plan of this instance's shape."""
    if warm_start is None or (isinstance(warm_start, str) and warm_start == "heuristic"):
        return
    if isinstance(warm_start, str):
        raise InputError(
            f"warm_start: {warm_start!r} is not a starting plan; pass a Result, a Plan or "
            "'heuristic'",
            field="warm_start",
        )
    if isinstance(warm_start, Result):
        if warm_start.instance is not instance and (
            warm_start.instance.n_sites != instance.n_sites
            or warm_start.instance.n_demand != instance.n_demand
            or not warm_start.instance.site_ids.equals(instance.site_ids)
        ):
            raise InputError(
                "warm_start: the Result is of another instance "
                f"({warm_start.instance.n_demand} × {warm_start.instance.n_sites}, this one "
                f"{instance.n_demand} × {instance.n_sites}); pass a result on this instance",
                field="warm_start",
            )
        plan = warm_start.plan
        if plan is None:
            raise InputError("warm_start: the Result has no plan", field="warm_start")
    elif isinstance(warm_start, Plan):
        plan = warm_start
    else:
        raise InputError(
            f"warm_start: must be a Result, a Plan or 'heuristic', got {type(warm_start).__name__}",
            field="warm_start",
        )
    checker = Checker(instance, plan)
    if not checker.structure():
        raise InputError(
            f"warm_start: not a plan of this instance: {'; '.join(checker.breaches)}",
            field="warm_start",
        )
