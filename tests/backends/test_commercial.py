"""The commercial solvers' free editions: gurobi, xpress, cplex and copt against HiGHS.

Each test runs once per solver and is skipped only when the solver's package is
not installed (``pytest.importorskip``): an installed solver that cannot run
here fails. Models stay within the smallest free limit (CPLEX Community
Edition: 1,000 variables and 1,000 constraints), except those that test the
limits themselves.
"""

from __future__ import annotations

import importlib
import re

import numpy as np
import pytest

import erlocate
from erlocate.backends import SizeLimit, SolveOptions, describe, get
from erlocate.backends.base import OPTIMAL_GAP, STATUSES
from erlocate.errors import BackendError, InputError, SizeLimitError
from erlocate.milp import Milp, MilpBuilder
from tests.backends import milps
from tests.backends.milps import knapsack, max_lp, max_milp
from tests.conftest import random_instance

#: Backend name -> the PyPI package it needs.
PACKAGES = {"gurobi": "gurobipy", "xpress": "xpress", "cplex": "cplex", "copt": "coptpy"}

#: The free licences' limits, as measured: (variables, constraints, variables + constraints).
LIMITS = {
    "gurobi": (2000, 2000, None),
    "xpress": (None, None, 5000),
    "cplex": (1000, 1000, None),
    "copt": (2000, 2000, None),
}

#: What each solver logs when it takes the warm start.
WARM_START_LOG = {
    "gurobi": r"Loaded user MIP start with objective 5[0-9.]+",
    "xpress": r"User solution \(warm_start\) accepted",
    "cplex": r"MIP start 'warm_start' defined initial solution with objective",
    "copt": r"Initial MIP solution # ?\d+ with objective value [0-9.]+ was accepted",
}


@pytest.fixture(params=list(PACKAGES))
def solver(request: pytest.FixtureRequest) -> str:
    """Each commercial backend whose package is installed."""
    pytest.importorskip(PACKAGES[request.param])
    return request.param


def run(name: str, milp: Milp, **options) -> erlocate.backends.SolverOutput:
    out = get(name).solve(milp, SolveOptions(**options))
    assert out.status in STATUSES
    assert out.backend == name and out.runtime >= 0
    return out


def licence_limited(name: str) -> bool:
    return get(name).capabilities.size_limit != SizeLimit()


# --- agreement with HiGHS on the classical models ---------------------------------------


def instance(seed: int) -> erlocate.Instance:
    rng = np.random.default_rng(seed)
    n, m = 30, 10
    w = rng.integers(1, 20, n).astype(float)
    return random_instance(seed, n=n, m=m, demand=w, capacities=np.full(m, np.ceil(w.sum() / 3.5)))


MODELS = [
    erlocate.PMedian(3),
    erlocate.LSCP(40.0),
    erlocate.MCLP(3, 25.0),
    erlocate.UFLP(),
    erlocate.CFLP(),
    erlocate.PCenter(3),
]

_REFERENCE: dict = {}


def reference(model: erlocate.Model, seed: int) -> erlocate.Result:
    key = (repr(model), seed)
    if key not in _REFERENCE:
        _REFERENCE[key] = erlocate.solve(model, instance(seed), backend="highs")
    return _REFERENCE[key]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("model", MODELS, ids=repr)
def test_optimum_agrees_with_highs(solver, model, seed):
    ref = reference(model, seed)
    milp = model.build(instance(seed))
    assert milp.n_cols <= 1000 and milp.n_rows <= 1000  # within every free limit
    result = erlocate.solve(model, instance(seed), backend=solver)
    assert result.backend == solver
    assert result.status == "optimal", result.termination
    assert result.objective == pytest.approx(ref.objective, rel=1e-6, abs=1e-6)
    assert result.bound == pytest.approx(ref.objective, rel=1e-6, abs=1e-6)


# --- hand-solvable models: sense, offset, row kinds, LPs ---------------------------------


def rows_milp() -> Milp:
    """min x0 + x1 - 0.5: x0 + 2 x1 = 3, -1 <= x0 - x1 <= 2, a free row, integers in [-3, 5].

    x1 = 1, x0 = 1: 1.5 (see test_backends.min_milp); the free row changes nothing.
    """
    b = MilpBuilder("rows")
    b.add_cols("x", 2, obj=[1, 1], lb=-3, ub=5, integer=True)
    b.add_rows("eq", rows=[0, 0], cols=[0, 1], vals=[1, 2], lb=3, ub=3)
    b.add_rows("range", rows=[0, 0], cols=[0, 1], vals=[1, -1], lb=-1, ub=2)
    b.add_rows("free", rows=[0, 0], cols=[0, 1], vals=[7, -9])
    b.offset = -0.5
    return b.build()


def min_lp() -> Milp:
    """min x + 2y - 1, x + y >= 1, x - y >= -0.5, x free below -5: 0 at (1, 0)."""
    b = MilpBuilder("min-lp")
    b.add_cols("xy", 2, obj=[1, 2], lb=[-5, 0])
    b.add_rows("rows", rows=[0, 0, 1, 1], cols=[0, 1, 0, 1], vals=[1, 1, 1, -1], lb=[1, -0.5])
    b.offset = -1.0
    return b.build()


@pytest.mark.parametrize(
    ("make", "objective", "x"),
    [
        (max_milp, 19.5, [1, 0, 1, 1]),
        (rows_milp, 1.5, [1, 1]),
        (max_lp, 11.5, [3, 1]),
        (min_lp, 0.0, [1, 0]),
    ],
    ids=["max-milp", "equal-range-free-rows", "max-lp", "min-lp"],
)
def test_hand_solved_models(solver, make, objective, x):
    milp = make()
    out = run(solver, milp)
    assert out.status == "optimal", out.termination
    assert out.objective == pytest.approx(objective, abs=1e-7)
    assert out.bound == pytest.approx(objective, abs=1e-7)
    np.testing.assert_allclose(out.x, x, atol=1e-6)
    assert milp.max_violation(out.x) <= 1e-6


def test_options_are_honoured_or_accepted(solver):
    out = run(solver, max_milp(), time_limit=30, mip_gap=0.0, threads=1, seed=7)
    assert out.status == "optimal" and out.objective == pytest.approx(19.5)


def test_empty_model_is_worth_its_offset(solver):
    b = MilpBuilder("empty", sense="max")
    b.offset = 3.5
    out = run(solver, b.build())
    assert out.status == "optimal" and out.objective == 3.5 and out.x.shape == (0,)


def test_quiet_by_default_and_verbose_on_request(solver, capfd):
    run(solver, max_milp())
    assert capfd.readouterr().out == ""
    run(solver, max_milp(), verbose=True)
    assert capfd.readouterr().out.strip()


# --- no solution --------------------------------------------------------------------------


def unbounded_ray_but_infeasible() -> Milp:
    """An unbounded ray (y free to grow) but 2x = 1 has no integer x: infeasible."""
    b = MilpBuilder("ray-infeasible")
    b.add_cols("x", 1, obj=0, ub=5, integer=True)
    b.add_cols("y", 1, obj=-1)
    b.add_rows("half", rows=[0], cols=[0], vals=2, lb=1, ub=1)
    return b.build()


RAY = pytest.param(unbounded_ray_but_infeasible, "infeasible", id="ray-infeasible")


@pytest.mark.parametrize(("make", "status"), [*milps.NO_SOLUTION, RAY])
def test_infeasible_or_unbounded(solver, make, status):
    milps.assert_refuted(run(solver, make()), status)


# --- time limits: honest statuses ----------------------------------------------------------


@pytest.mark.parametrize("time_limit", [0.0, 0.1])
def test_time_limited_run_is_never_optimal(solver, time_limit):
    milp = knapsack(n=120, k=8)  # harder than the default: no commercial solver closes it
    out = run(solver, milp, time_limit=time_limit)
    assert out.status in ("feasible", "no_solution"), (out.status, out.termination)
    assert out.runtime < time_limit + 2
    milps.assert_honest(out, milp)
    if out.x is not None:  # a stopped search with an incumbent knows its bound and gap
        assert out.bound is not None and out.gap > OPTIMAL_GAP


def test_time_limit_counts_from_the_call(solver):
    result = erlocate.solve(erlocate.PMedian(3), instance(0), backend=solver, time_limit=30)
    assert result.status == "optimal"
    assert result.runtime + result.build_time < 30


# --- warm start ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pmedian() -> tuple[Milp, np.ndarray, float]:
    """A p-median MILP (within CPLEX's limit) with its optimal vector, solved by HiGHS."""
    milp = erlocate.PMedian(5).build(random_instance(5, n=40, m=15))
    out = get("highs").solve(milp, SolveOptions())
    assert out.status == "optimal" and milp.n_cols <= 1000 and milp.n_rows <= 1000
    return milp, out.x, out.objective


def test_warm_start_is_accepted(solver, pmedian, capfd):
    milp, x, optimum = pmedian
    assert get(solver).capabilities.warm_start and get(solver).SUPPORTS_WARM_START
    capfd.readouterr()
    out = run(solver, milp, warm_start=x, time_limit=20, verbose=True)
    log = capfd.readouterr().out
    assert re.search(WARM_START_LOG[solver], log), log[-2000:]
    assert out.status == "optimal" and out.objective == pytest.approx(optimum, rel=1e-9)


def test_warm_start_of_wrong_length(solver, pmedian):
    milp, x, _ = pmedian
    with pytest.raises(InputError) as err:
        run(solver, milp, warm_start=x[:-1])
    assert err.value.field == "warm_start"


# --- the free licences' size limits ----------------------------------------------------------


def pairs(n_cols: int, n_rows: int) -> Milp:
    """max sum x over binaries with x_i + x_(i+1) <= 1 (cyclic): n_cols columns, n_rows rows."""
    b = MilpBuilder("pairs", sense="max")
    b.add_cols("x", n_cols, obj=1.0, ub=1, integer=True)
    i = np.arange(n_rows)
    cols = np.stack([i % n_cols, (i + 1) % n_cols], axis=1).ravel()
    b.add_rows("pair", rows=np.repeat(i, 2), cols=cols, vals=1.0, ub=1)
    return b.build()


def at_the_limit(name: str) -> tuple[int, int]:
    variables, constraints, total = LIMITS[name]
    if total is not None:
        return total // 2, total - total // 2
    return variables, constraints


def test_capabilities_state_the_measured_limit(solver):
    backend = get(solver)
    caps = backend.capabilities
    assert caps.bound and caps.warm_start and caps.threads
    assert caps.seed == (solver != "copt")  # COPT has no random-seed parameter
    assert backend.version() and backend.diagnose() == ""
    if licence_limited(solver):
        limit = caps.size_limit
        assert (limit.variables, limit.constraints, limit.total) == LIMITS[solver]
        assert limit.licence
        assert describe().loc[solver, "size_limit"] == str(limit)


def test_a_model_at_the_limit_solves(solver):
    if not licence_limited(solver):
        pytest.skip(f"{solver}: a licence without size limit is in use")
    n_cols, n_rows = at_the_limit(solver)
    out = run(solver, pairs(n_cols, n_rows), time_limit=20)
    assert out.status == "optimal" and out.objective == pytest.approx(n_cols // 2)


@pytest.mark.parametrize("over", ["variables", "constraints"])
def test_a_model_just_over_the_limit_is_a_size_limit_error(solver, over):
    if not licence_limited(solver):
        pytest.skip(f"{solver}: a licence without size limit is in use")
    n_cols, n_rows = at_the_limit(solver)
    if over == "variables":
        n_cols += 1
    else:
        n_rows += 1
    milp = pairs(n_cols, n_rows)
    limit = get(solver).capabilities.size_limit
    # before the solver: the Guarded backend checks capabilities.size_limit
    with pytest.raises(SizeLimitError) as info:
        get(solver).solve(milp, SolveOptions())
    msg = str(info.value)
    assert info.value.backend == solver and limit.licence in msg
    if limit.total:  # Xpress counts rows and columns together
        assert info.value.size == f"{n_cols + n_rows:,} variables + constraints"
        assert f"{limit.total:,} variables + constraints" in msg
    else:
        assert info.value.size == f"{n_cols if over == 'variables' else n_rows:,} {over}"
        assert f"{getattr(limit, over):,} {over}" in msg
    # by the solver itself (the module's solve skips the check): still SizeLimitError
    module = importlib.import_module(f"erlocate.backends.{solver}")
    with pytest.raises(SizeLimitError) as info:
        module.solve(milp, SolveOptions())
    msg = str(info.value)
    assert f"{n_cols:,}" in msg and f"{n_rows:,}" in msg and limit.licence in msg
    assert type(info.value.__cause__).__module__.split(".")[0] != "erlocate"  # solver's own


def test_a_model_over_the_limit_through_solve(solver):
    if not licence_limited(solver):
        pytest.skip(f"{solver}: a licence without size limit is in use")
    model = erlocate.PMedian(3, formulation="dense")
    inst = random_instance(2, n=100, m=60)
    milp = model.build(inst)
    size = milp.n_cols + milp.n_rows if LIMITS[solver][2] else milp.n_cols
    with pytest.raises(SizeLimitError) as info:
        erlocate.solve(model, inst, backend=solver)
    assert f"{size:,}" in info.value.size and info.value.limit in str(info.value)


# --- missing package -------------------------------------------------------------------------


def test_a_missing_package_is_named_with_its_fix(solver, monkeypatch):
    module = importlib.import_module(f"erlocate.backends.{solver}")
    backend = module.BACKEND
    monkeypatch.setattr(type(backend), "version", lambda self: None)
    why = backend.diagnose()
    assert PACKAGES[solver] in why and f"erlocate[{backend.extra}]" in why
    package_attr = {"gurobi": "gp", "xpress": "xp", "cplex": "cplex", "copt": "coptpy"}[solver]
    monkeypatch.setattr(module, package_attr, None)
    with pytest.raises(BackendError, match="not installed"):
        module.solve(max_milp(), SolveOptions())


def test_a_solver_failure_is_a_backend_error_naming_the_solver(solver):
    bad = MilpBuilder("nan")
    bad.add_cols("x", 2, obj=[np.nan, 1], ub=1, integer=True)
    bad.add_rows("r", rows=[0, 0], cols=[0, 1], vals=1, lb=1)
    with pytest.raises(BackendError) as info:
        run(solver, bad.build())
    assert str(info.value).startswith(f"{solver}: ")
    assert not isinstance(info.value, SizeLimitError)
