"""Every available backend on hand-solvable MILPs, time limits, warm starts and MPS export.

Each test runs once per backend in ``erlocate.backends.available()`` (the
``backend`` fixture of ``tests/backends/conftest.py``: every solver found here,
not only the core three of ``tests/conftest.py``) and calls ``erlocate.backends.get(name).solve`` directly,
so the translation and status mapping of each backend is tested without the
model layer. A backend is skipped on a model only for a capability it
declares (:class:`erlocate.backends.Capabilities`): ``integer_only`` on a
model with continuous columns, or a ``size_limit`` the model exceeds; the skip
reason says which. The CBC-specific tests at the end fail, not skip, when CBC
is missing: it is a core solver.
"""

from __future__ import annotations

import highspy
import numpy as np
import pytest

import erlocate
from erlocate.backends import SolveOptions, available, get
from erlocate.backends.base import OPTIMAL_GAP, STATUSES
from erlocate.datasets import random_euclidean
from erlocate.errors import InputError
from erlocate.milp import Milp, MilpBuilder
from tests.backends import milps
from tests.backends.milps import knapsack, max_lp, max_milp


def unsupported(backend: str, milp: Milp) -> str | None:
    """Why ``backend`` declares it cannot take ``milp`` (a capability), or None."""
    caps = get(backend).capabilities
    if caps.integer_only:
        fixed = (milp.col_lb == milp.col_ub) & (milp.col_lb == np.round(milp.col_lb))
        continuous = ~milp.integrality & ~milp.implied_integer & ~fixed
        if continuous.any():
            return (
                f"{backend} is integer-only (Capabilities.integer_only) and {milp.name!r} has "
                f"{int(continuous.sum())} continuous column(s)"
            )
    breach = caps.size_limit.breach(milp)
    if breach is not None:
        return f"{backend}'s size limit ({breach[0]}) is below {milp.name!r} ({breach[1]})"
    return None


def run(backend: str, milp: Milp, **options) -> erlocate.backends.SolverOutput:
    why = unsupported(backend, milp)
    if why:
        pytest.skip(why)
    out = get(backend).solve(milp, SolveOptions(**options))
    assert out.status in STATUSES
    assert out.backend == backend
    assert out.runtime >= 0
    return out


def assert_solution(out, milp: Milp, objective: float, x=None) -> None:
    """Optimal, with the given objective (and vector), feasible, bound = objective."""
    assert out.status == "optimal", (out.status, out.termination)
    assert out.objective == pytest.approx(objective, rel=1e-7, abs=1e-7)
    assert out.bound == pytest.approx(objective, rel=1e-7, abs=1e-7)
    assert out.gap <= OPTIMAL_GAP
    assert out.x.shape == (milp.n_cols,)
    assert milp.max_violation(out.x) <= 1e-6
    assert milp.objective_value(out.x) == pytest.approx(objective, rel=1e-7, abs=1e-6)
    if x is not None:
        np.testing.assert_allclose(out.x, x, atol=1e-6)


# --- hand-solvable models -------------------------------------------------------------


def max_ip() -> Milp:
    """max 5a + 4b + 3c + 1.5y + 10 as in :func:`max_milp`, y integer in [0, 2]: {a, c}, y = 1.

    19.5 at (1, 0, 1, 1) again ({a}, y = 2 gives 18; {b, c}, y = 0: 17).
    """
    b = MilpBuilder("max-ip", sense="max")
    b.add_cols("pick", 3, obj=[5, 4, 3], ub=1, integer=True)
    b.add_cols("fill", 1, obj=1.5, ub=2.5, integer=True)
    b.add_rows("capacity", rows=[0, 0, 0, 0], cols=[0, 1, 2, 3], vals=[2, 3, 1, 1], ub=4)
    b.offset = 10.0
    return b.build()


def min_milp() -> Milp:
    """min x0 + x1, x0 + 2 x1 = 3, -1 <= x0 - x1 <= 2, integers in [-3, 5].

    x0 = 3 - 2 x1 makes the objective 3 - x1 and the range row
    -1 <= 3 - 3 x1 <= 2, i.e. 1/3 <= x1 <= 4/3: x1 = 1, x0 = 1, objective 2.
    """
    b = MilpBuilder("min-toy")
    b.add_cols("x", 2, obj=[1, 1], lb=-3, ub=5, integer=True)
    b.add_rows("eq", rows=[0, 0], cols=[0, 1], vals=[1, 2], lb=3, ub=3)
    b.add_rows("range", rows=[0, 0], cols=[0, 1], vals=[1, -1], lb=-1, ub=2)
    return b.build()


def min_lp() -> Milp:
    """min x + 2y - 1, x + y >= 1, x - y >= -0.5, x, y >= 0: 0 at (1, 0)."""
    b = MilpBuilder("min-lp")
    b.add_cols("xy", 2, obj=[1, 2])
    b.add_rows("rows", rows=[0, 0, 1, 1], cols=[0, 1, 0, 1], vals=[1, 1, 1, -1], lb=[1, -0.5])
    b.offset = -1.0
    return b.build()


def test_max_milp_with_offset(backend):
    milp = max_milp()
    assert_solution(run(backend, milp), milp, 19.5, [1, 0, 1, 1])


def test_max_integer_program_with_offset(backend):
    milp = max_ip()
    assert_solution(run(backend, milp), milp, 19.5, [1, 0, 1, 1])


def test_min_milp_with_equality_and_range_rows(backend):
    milp = min_milp()
    assert_solution(run(backend, milp), milp, 2.0, [1, 1])


def test_max_lp_with_offset(backend):
    milp = max_lp()
    assert_solution(run(backend, milp), milp, 11.5, [3, 1])


def test_min_lp_with_negative_offset(backend):
    milp = min_lp()
    assert_solution(run(backend, milp), milp, 0.0, [1, 0])


@pytest.mark.parametrize("make", [max_milp, max_ip], ids=lambda f: f.__name__)
def test_options_are_accepted(backend, make):
    milp = make()
    out = run(backend, milp, time_limit=30, mip_gap=0.0, threads=1, seed=7)
    assert_solution(out, milp, 19.5, [1, 0, 1, 1])


def test_verbose_prints_the_solver_log(backend, capfd):
    run(backend, min_milp(), verbose=True)
    assert capfd.readouterr().out.strip()


def test_quiet_by_default(backend, capfd):
    run(backend, min_milp())
    assert capfd.readouterr().out == ""


# --- no solution ------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "status"), milps.NO_SOLUTION)
def test_infeasible_or_unbounded(backend, make, status):
    milps.assert_refuted(run(backend, make()), status)


def test_empty_model_is_worth_its_offset(backend):
    b = MilpBuilder("empty", sense="max")
    b.offset = 3.5
    out = run(backend, b.build())
    assert out.status == "optimal"
    assert out.objective == 3.5 and out.bound == 3.5
    assert out.x.shape == (0,)


# --- time limits: honest statuses ----------------------------------------------------


@pytest.mark.parametrize("time_limit", [0.05, 0.2])
def test_time_limited_run_is_honest(backend, time_limit):
    milp = knapsack()
    out = run(backend, milp, time_limit=time_limit)
    assert out.status in ("optimal", "feasible", "no_solution"), out.termination
    milps.assert_honest(out, milp)


def test_gap_stop_is_not_optimal(backend):
    """A 20% gap lets the solver stop early; unless the gap it reports is ~0, that is "feasible"."""
    milp = knapsack(seed=1)
    out = run(backend, milp, mip_gap=0.2, time_limit=20)
    assert out.x is not None
    if out.gap is None or out.gap > OPTIMAL_GAP:
        assert out.status == "feasible"
    else:
        assert out.status == "optimal"


# --- warm starts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pmedian() -> tuple[Milp, np.ndarray, float]:
    """A p-median MILP with its optimal vector and value (solved once with HiGHS).

    40 × 20 (820 columns, 841 rows): within every free licence's size limit, so every
    backend here runs it.
    """
    milp = erlocate.PMedian(4).build(random_euclidean(40, 20, seed=2))
    out = get("highs").solve(milp, SolveOptions())
    assert out.status == "optimal"
    return milp, out.x, out.objective


def test_warm_start_with_the_optimum(backend, pmedian):
    milp, x, optimum = pmedian
    if not get(backend).capabilities.warm_start:
        pytest.skip(f"{backend} takes no warm start (Capabilities.warm_start is False)")
    out = run(backend, milp, warm_start=x, time_limit=5)
    assert out.status in ("optimal", "feasible"), out.termination
    assert out.objective == pytest.approx(optimum, rel=1e-9)


def test_warm_start_of_wrong_length(backend, pmedian):
    milp, x, _ = pmedian
    with pytest.raises(InputError) as err:
        run(backend, milp, warm_start=x[:-1])
    assert err.value.field == "warm_start"


# --- agreement with HiGHS on a real model, and MPS round trip -----------------------------


def test_pmedian_optimum(backend, pmedian):
    milp, _, optimum = pmedian
    out = run(backend, milp)
    assert_solution(out, milp, optimum)
    open_sites = milp.block(out.x, "open")
    assert np.round(open_sites).sum() == 4


@pytest.mark.parametrize("make", [max_milp, min_milp, max_lp], ids=lambda f: f.__name__)
def test_mps_round_trip(backend, make, tmp_path):
    milp = make()
    path = milp.to_mps(tmp_path / f"{milp.name}.mps")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) != highspy.HighsStatus.kError
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    out = run(backend, milp)
    assert out.status == "optimal"
    assert h.getInfo().objective_function_value == pytest.approx(out.objective, rel=1e-7)
    assert h.getLp().col_names_ == milp.col_names()


# --- CBC specifics: log parsing, failures, rejected warm starts ---------------------------


@pytest.fixture
def cbc_here() -> None:
    """CBC is a core solver (installed with the project): missing is a failure, not a skip."""
    here = available()
    assert "cbc" in here, (
        f"CBC is not available here (available: {here}); it comes with the project's "
        "dependencies, so its tests fail rather than skip"
    )


needs_cbc = pytest.mark.usefixtures("cbc_here")

STOPPED_LOG = """\
Cbc0010I After 100 nodes, 5 on tree, -9082 best solution, best possible -9180 (0.05 seconds)
Cbc0005I Partial search - best objective -9095 (best possible -9172.7355), took 170219 iterations and 58550 nodes (0.51 seconds)
Result - Stopped on time limit

Objective value:                -9095.00000000
Lower bound:                    -9172.736
Gap:                            0.01
"""

CLOSED_LOG = """\
Cbc0010I After 0 nodes, 1 on tree, 8817.6431 best solution, best possible 8776.0223 (0.2 seconds)
Cbc0001I Search completed - best objective 8817.643137254901, took 3712 iterations and 2 nodes (0.47 seconds)
Result - Optimal solution found

Objective value:                8817.64313725
"""


@needs_cbc
def test_cbc_bound_parsing():
    from erlocate.backends.cbc_executable import parse_bound

    # The stopped search's own bound, from the more precise of its two printings, lowered
    # by half a unit of its last digit so that it stays a bound: -9172.7355 (8 digits) is
    # at least -9172.73555; -9172.736 (%.3f) only says at least -9172.7365.
    assert parse_bound(STOPPED_LOG) == pytest.approx(-9172.73555, abs=1e-9)
    # 8 significant digits lose more than 3 decimals on a large objective: 2.1400495e+08
    # says >= 214004945, 214004950.842 (%.3f) says >= 214004950.8415.
    big = STOPPED_LOG.replace("-9172.7355", "2.1400495e+08").replace("-9172.736", "214004950.842")
    assert parse_bound(big) == pytest.approx(214004950.8415, abs=1e-6)
    # A closed search prints no bound; a progress line's bound must not be taken.
    assert parse_bound(CLOSED_LOG) is None
    assert parse_bound("no summary at all") is None


@needs_cbc
def test_cbc_binary_failure_is_a_backend_error(monkeypatch):
    import shutil

    from erlocate.backends import cbc
    from erlocate.errors import BackendError

    false = shutil.which("false")
    assert false is not None, "no `false` executable on PATH"
    monkeypatch.setattr(cbc, "cbc_path", lambda: false)
    with pytest.raises(BackendError, match="exited with code"):
        cbc.solve(min_milp(), SolveOptions())


@needs_cbc
def test_cbc_reports_a_rejected_warm_start(pmedian):
    from erlocate.backends import cbc

    milp, x, optimum = pmedian
    accepted = cbc.solve(milp, SolveOptions(warm_start=x))
    assert cbc.WARM_START_REJECTED not in accepted.termination
    bad = x.copy()
    bad[milp.col_blocks["open"]] = 1  # every site open: breaks the count row
    rejected = cbc.solve(milp, SolveOptions(warm_start=bad))
    assert cbc.WARM_START_REJECTED in rejected.termination
    assert rejected.status == "optimal"
    assert rejected.objective == pytest.approx(optimum, rel=1e-9)


def test_zero_time_limit_returns_at_once(backend):
    """A zero limit is a limit (OR-Tools alone would read 0 as "none")."""
    milp = knapsack()
    out = run(backend, milp, time_limit=0)
    assert out.status in ("feasible", "no_solution"), (out.status, out.termination)
    assert out.runtime < 10


def test_a_vector_that_does_not_carry_the_claimed_objective_is_not_optimal(caplog):
    # highspy 1.16 once handed back the warm-start vector as "Optimal" with a better objective
    # (tests/peers/test_allagash.py); any backend doing so must not make erlocate claim it
    from erlocate.backends.base import SolveOptions
    from erlocate.backends.call import solve_with

    milp = max_milp()
    worse = np.array([1.0, 0.0, 0.0, 2.0])  # {a} with y = 2: 18, while the solver says 19.5

    def lying(call):
        return call.answer(worse, 19.5, 19.5, True, 0.0, "Optimal")

    out = solve_with("fake", milp, SolveOptions(), lying)
    assert out.objective == pytest.approx(18.0)
    assert out.status == "feasible"
    assert out.bound == pytest.approx(19.5)
    assert "not the reported 19.5" in caplog.text


def test_highs_solves_again_when_its_vector_and_claim_disagree(monkeypatch):
    from erlocate.backends import highs
    from erlocate.backends.base import SolveOptions

    milp = max_milp()
    real = highs.to_highs
    calls = []

    def first_returns_the_start(m, names=False):
        h = real(m, names)
        calls.append(h)
        if len(calls) == 1:  # the first run answers with its start, claiming 19.5
            start = np.array([1.0, 0.0, 0.0, 2.0])
            h.getSolution = lambda: type("S", (), {"col_value": start})()
        return h

    monkeypatch.setattr(highs, "to_highs", first_returns_the_start)
    out = highs.solve(milp, SolveOptions(warm_start=np.array([1.0, 0.0, 0.0, 2.0])))
    assert len(calls) == 2
    assert out.status == "optimal" and out.objective == pytest.approx(19.5)
