"""CBC on every Python (cbcbox, else PuLP 3's bundled binary) and ``"pulp:<SOLVER>"``.

CBC tests fail, never skip, when CBC is missing: it is a core backend. The
``pulp:`` tests run once per solver ``pulp.listSolvers(onlyAvailable=True)``
lists here and compare each with HiGHS on small classical models.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

import erlocate
from erlocate.backends import SolveOptions, cbc_executable, describe, get
from erlocate.backends import cbc as cbc_backend
from erlocate.backends.base import OPTIMAL_GAP
from erlocate.backends.pulp import solver_names
from erlocate.backends.pulp_model import RUST
from erlocate.errors import BackendError
from erlocate.milp import Milp, MilpBuilder
from tests.backends.milps import KNAPSACK_OPTIMUM, knapsack
from tests.conftest import random_instance

PULP_SOLVERS = solver_names(True)


def ranged() -> Milp:
    """min x0 + x1 + 3, x0 + 2 x1 = 3, -1 <= x0 - x1 <= 2, integers in [-3, 5]: 5 at (1, 1)."""
    b = MilpBuilder("ranged")
    b.add_cols("x", 2, obj=[1, 1], lb=-3, ub=5, integer=True)
    b.add_rows("eq", rows=[0, 0], cols=[0, 1], vals=[1, 2], lb=3, ub=3)
    b.add_rows("range", rows=[0, 0], cols=[0, 1], vals=[1, -1], lb=-1, ub=2)
    b.offset = 3.0
    return b.build()


def infeasible() -> Milp:
    """2 x0 + 2 x1 = 1 with binary x: no integer point."""
    b = MilpBuilder("infeasible")
    b.add_cols("x", 2, obj=[1, 1], ub=1, integer=True)
    b.add_rows("odd", rows=[0, 0], cols=[0, 1], vals=[2, 2], lb=1, ub=1)
    return b.build()


# --- CBC ------------------------------------------------------------------------------


def test_cbc_runs_here_and_names_its_source():
    why = describe().loc["cbc", "why"]
    assert "cbc" in erlocate.backends(), f"CBC is a core backend and cannot run: {why}"
    version = get("cbc").version()
    assert version.startswith("CBC ") and " from " in version, version
    if importlib.util.find_spec("cbcbox") is not None:
        source = cbc_executable.cbc_source()
        assert source.startswith("cbcbox "), source
    elif RUST:
        pytest.fail("PuLP >= 4 bundles no CBC: the cbcbox dependency is missing")


def test_cbc_solves_a_ranged_model():
    milp = ranged()
    out = get("cbc").solve(milp, SolveOptions(time_limit=30, threads=1, seed=3))
    assert out.status == "optimal" and out.objective == pytest.approx(5.0)
    np.testing.assert_allclose(out.x, [1, 1], atol=1e-6)


def test_missing_cbc_names_the_real_dependency(monkeypatch):
    monkeypatch.delenv(cbc_executable.ENV_VAR, raising=False)
    cbc_executable._locate.cache_clear()
    monkeypatch.setitem(sys.modules, "cbcbox", None)  # import cbcbox -> ImportError
    if not RUST:
        from pulp.apis.coin_api import PULP_CBC_CMD

        monkeypatch.setattr(PULP_CBC_CMD, "pulp_cbc_path", "/nonexistent/cbc")
    try:
        why = cbc_backend.BACKEND.diagnose()
        assert "pip install cbcbox" in why and "erlocate[" not in why, why
        with pytest.raises(BackendError, match="cbcbox"):
            get("cbc")
    finally:
        cbc_executable._locate.cache_clear()


def test_cbc_executable_from_the_environment(monkeypatch):
    monkeypatch.setenv(cbc_executable.ENV_VAR, "/nonexistent/cbc")
    assert "ERLOCATE_CBC" in cbc_backend.BACKEND.diagnose()
    monkeypatch.setenv(cbc_executable.ENV_VAR, cbc_executable._locate(None)[0] or "")
    assert get("cbc").version().endswith("from $ERLOCATE_CBC")


CBCBOX_STOPPED = """\
✔ Stopped (time limit) — BestSol: -1.12185e+08   Bound: -1.13242e+08   Gap: 0.94%
Result - Stopped on time limit
Objective value:                -112185175.986
Lower bound:                    -1.13242e+08
Gap:                            0.0093345
"""

CBC210_STOPPED = """\
Cbc0005I Partial search - best objective -9095 (best possible -9172.7355), took 170219 iterations
Result - Stopped on time limit

Objective value:                -9095.00000000
Lower bound:                    -9172.736
"""


def test_cbc_bounds_are_rounded_outward():
    from erlocate.backends.cbc_executable import parse_bound

    # cbcbox prints 6 significant digits: the bound lies within half a unit of 1e3.
    assert -113242500.0 <= parse_bound(CBCBOX_STOPPED) <= -113242000.0 - 499.9
    # CBC 2.10: 3 decimals and 8 significant digits of the same bound; the tighter is kept.
    assert -9172.73556 <= parse_bound(CBC210_STOPPED) <= -9172.7355
    assert parse_bound("Result - Optimal solution found\n\nObjective value: 3\n") is None


def test_cbc_gap_stop_is_not_optimal():
    out = get("cbc").solve(knapsack(seed=1), SolveOptions(mip_gap=0.2, time_limit=20))
    assert out.x is not None
    assert out.status == (
        "optimal" if out.gap is not None and out.gap <= OPTIMAL_GAP else "feasible"
    )
    assert out.bound is None or out.bound >= out.objective


# --- pulp:<SOLVER> --------------------------------------------------------------------

MODELS = {
    "pmedian": lambda: erlocate.PMedian(3),
    "lscp": lambda: erlocate.LSCP(max_cost=40.0),
    "mclp": lambda: erlocate.MCLP(p=3, max_cost=30.0),
    "uflp": lambda: erlocate.UFLP(),
}


def test_pulp_sees_highs_and_cbc():
    assert "HiGHS" in PULP_SOLVERS
    assert ("COIN_CMD" if RUST else "PULP_CBC_CMD") in PULP_SOLVERS


@pytest.mark.parametrize("seed", [3, 11])
@pytest.mark.parametrize("model", sorted(MODELS))
@pytest.mark.parametrize("solver", PULP_SOLVERS)
def test_pulp_agrees_with_highs(solver, model, seed):
    inst = random_instance(seed)
    expected = erlocate.solve(MODELS[model](), inst, backend="highs")
    got = erlocate.solve(MODELS[model](), inst, backend=f"pulp:{solver}", time_limit=60)
    assert got.status == "optimal", got.summary()
    assert got.objective == pytest.approx(expected.objective, rel=1e-6, abs=1e-6)
    assert got.bound == pytest.approx(got.objective, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("solver", PULP_SOLVERS)
def test_pulp_hand_models(solver):
    backend = get(f"pulp:{solver}")
    out = backend.solve(ranged(), SolveOptions(threads=1, seed=5))
    assert out.status == "optimal", out.termination
    assert out.objective == pytest.approx(5.0) and out.backend == f"pulp:{solver}"
    np.testing.assert_allclose(out.x, [1, 1], atol=1e-6)
    gone = backend.solve(infeasible(), SolveOptions(time_limit=30))
    assert gone.status in ("infeasible", "no_solution"), gone.termination
    assert gone.x is None


@pytest.mark.parametrize("solver", PULP_SOLVERS)
def test_pulp_time_limited_run_is_never_falsely_optimal(solver):
    milp = knapsack()
    out = get(f"pulp:{solver}").solve(milp, SolveOptions(time_limit=0.2))
    assert out.runtime < 10, f"{solver} ignored the time limit: {out.runtime:.1f} s"
    assert out.status in ("optimal", "feasible", "no_solution"), out.termination
    if out.status == "optimal":  # proven within 0.2 s: it must be the optimum
        assert out.objective == pytest.approx(KNAPSACK_OPTIMUM) and out.gap <= OPTIMAL_GAP
    if out.x is not None:
        assert milp.max_violation(out.x) <= 1e-5
        assert out.objective <= KNAPSACK_OPTIMUM + 1e-6
        assert out.bound is None or out.bound >= out.objective - 1e-9


def test_pulp_warm_start_is_accepted():
    inst = random_instance(5)
    milp = erlocate.PMedian(3).build(inst)
    best = get("highs").solve(milp, SolveOptions())
    solver = next(s for s in PULP_SOLVERS if get(f"pulp:{s}").capabilities.warm_start)
    out = get(f"pulp:{solver}").solve(milp, SolveOptions(warm_start=best.x))
    assert out.status == "optimal" and out.objective == pytest.approx(best.objective)


def test_pulp_bad_name_lists_what_runs():
    with pytest.raises(BackendError) as err:
        get("pulp:NO_SUCH_SOLVER")
    assert all(name in str(err.value) for name in PULP_SOLVERS)


def test_pulp_unavailable_solver_says_why():
    missing = [s for s in solver_names(False) if s not in PULP_SOLVERS]
    if not missing:
        pytest.skip("every PuLP solver runs here")
    with pytest.raises(BackendError, match="PuLP solvers available here"):
        get(f"pulp:{missing[0]}")


def malp_one_row(seed: int) -> Milp:
    """The one-row MALP II MILP (sum_{N_i} x_j >= b_i y_i) on which cbcbox 2.929's CBC aborts
    (SIGABRT, a failed assertion in its heuristics) for seed 7."""
    from erlocate.models.blocks import add_count
    from erlocate.models.malp import MALP
    from erlocate.models.units import add_units

    w = np.random.default_rng(seed).integers(1, 20, 40).astype(float)
    inst = random_instance(seed, n=40, m=12, demand=w)
    model = MALP(6, 30.0, 0.9, service_time=0.01)
    A, need, weight = model.rows(inst)
    b = MilpBuilder("malp-one-row", "max")
    x = add_units(b, inst, model.caps(inst))
    y = b.add_cols("available", weight.size, obj=weight, ub=1.0, integer=True)
    coo = A.tocoo()
    b.add_rows(
        "cover",
        rows=np.concatenate([coo.row, np.arange(weight.size)]),
        cols=np.concatenate([x[coo.col], y]),
        vals=np.concatenate([np.ones(coo.row.size), -need.astype(float)]),
        lb=0.0,
        n_rows=weight.size,
    )
    add_count(b, x, 6)
    return b.build()


@pytest.mark.parametrize("seed", [2, 7])
def test_cbc_answers_where_it_used_to_abort(seed):
    milp = malp_one_row(seed)
    ref = get("highs").solve(milp, SolveOptions())
    out = get("cbc").solve(milp, SolveOptions())
    assert out.status == "optimal" and out.objective == pytest.approx(ref.objective)


def test_a_crashing_cbc_is_run_again_with_its_heuristics_off(monkeypatch, tmp_path, caplog):
    # a stand-in CBC that aborts unless its heuristics are off: the answer is still right
    real = cbc_executable._locate(None)[0]
    fake = tmp_path / "cbc"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$*" in *-solve*) case "$*" in *heuristicsOnOff*) ;; *) kill -ABRT $$;; esac;; esac\n'
        f'exec "{real}" "$@"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv(cbc_executable.ENV_VAR, str(fake))
    out = get("cbc").solve(knapsack(n=12), SolveOptions())
    ref = get("highs").solve(knapsack(n=12), SolveOptions())
    assert out.status == "optimal" and out.objective == pytest.approx(ref.objective)
    assert "crashed (signal 6)" in caplog.text
