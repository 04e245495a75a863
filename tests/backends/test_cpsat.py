"""CP-SAT (``"cpsat"``): the exactness rule, refusals that name the cause, and agreement.

CP-SAT solves integer models only; erlocate hands it a Milp only when the Milp
*is* one up to a power of ten per row (:mod:`erlocate.backends.integer_scaling`).
"""

from __future__ import annotations

import numpy as np
import pytest

import erlocate
from erlocate.backends import SolveOptions, get
from erlocate.backends.base import OPTIMAL_GAP
from erlocate.backends.integer_scaling import NOISE, decimal_digits, to_integers
from erlocate.datasets import random_euclidean
from erlocate.errors import BackendError, IntegerOnlyError
from erlocate.milp import MilpBuilder
from tests.conftest import random_instance


def test_cpsat_is_available_wherever_scip_is():
    # CP-SAT ships in every OR-Tools build, a core dependency (SCIP comes from it too)
    assert "cpsat" in erlocate.backends()
    assert get("cpsat").capabilities.integer_only


# --- the exactness rule ---------------------------------------------------------------------


def test_decimal_digits_reads_short_decimals_only():
    values = np.array([3.0, 2.5, 0.1, 12345.678, -0.05, 1 / 3, 1e-12, np.inf, 0.123456789, 0.0])
    np.testing.assert_array_equal(decimal_digits(values), [0, 1, 1, 3, 2, -1, -1, -1, 9, 0])
    # 3 × 0.1 is 0.30000000000000004: the decimal 0.3 only within the noise of arithmetic
    assert decimal_digits(np.array([3 * 0.1]))[0] == -1
    assert decimal_digits(np.array([3 * 0.1]), tol=NOISE * 0.3)[0] == 1
    # ... but a genuine twelfth decimal is not noise
    assert decimal_digits(np.array([0.123456789123]), tol=NOISE * 0.2)[0] == -1


def test_rows_and_objective_scale_by_their_own_power_of_ten():
    b = MilpBuilder("scaled")
    b.add_cols("x", 2, obj=[1.5, 2.25], ub=[3, 4], integer=True)
    b.add_rows("half", rows=[0, 0], cols=[0, 1], vals=[0.5, 0.25], ub=1.1)  # × 100
    b.add_rows("whole", rows=[0, 0], cols=[0, 1], vals=[2, 3], lb=3 * 0.1 * 10, ub=7.5)  # × 1
    im = to_integers(b.build())
    np.testing.assert_array_equal(im.row_scale, [100, 1])
    np.testing.assert_array_equal(im.A.toarray(), [[50, 25], [2, 3]])
    np.testing.assert_array_equal(im.row_ub, [110, 7])  # 7.5 floors to 7: activity is whole
    assert im.row_lb[1] == 3  # 3.0000000000000004 is the 3 it was meant to be
    assert im.obj_scale == 100 and im.c.tolist() == [150, 225] and im.obj_error == 0.0


def test_bounds_beyond_any_activity_are_clipped_and_integer_bounds_rounded_inwards():
    b = MilpBuilder("clip")
    b.add_cols("x", 2, lb=[0.5, -1.5], ub=[2.7, 1], integer=True)
    b.add_rows("big", rows=[0, 0], cols=[0, 1], vals=[1, 1], ub=1e30)
    im = to_integers(b.build())
    assert im.col_lb.tolist() == [1, -1] and im.col_ub.tolist() == [2, 1]
    assert im.row_ub[0] == 2 + 1 + 1  # activity <= |1|·2 + |1|·1 = 3: just past it


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (
            lambda b: b.add_cols("fill", 2, obj=1.0, ub=2.5),
            ["'fill' (2 of 2)", "continuous", "fill[0] in [0, 2.5]", "backend='highs'"],
        ),
        (
            lambda b: b.add_cols("n", 1, obj=1.0, integer=True),
            ["finite bounds", "'n' (1 of 1)", "n[0] in [0, inf]"],
        ),
    ],
    ids=["continuous", "unbounded"],
)
def test_columns_it_cannot_take_are_named(build, words):
    b = MilpBuilder("refused")
    build(b)
    with pytest.raises(IntegerOnlyError) as info:
        get("cpsat").solve(b.build(), SolveOptions())
    assert isinstance(info.value, BackendError) and info.value.backend == "cpsat"
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_a_coefficient_without_a_short_decimal_is_named_with_its_row_and_column():
    b = MilpBuilder("third")
    x = b.add_cols("pick", 2, obj=[1, 1], ub=1, integer=True)
    b.add_rows("share", rows=[0, 0], cols=x, vals=[1 / 3, 1.0], lb=0.3)
    with pytest.raises(IntegerOnlyError) as info:
        get("cpsat").solve(b.build(), SolveOptions())
    msg = str(info.value)
    assert "row share[0] on column pick[0]" in msg and "0.3333333333333333" in msg
    b = MilpBuilder("objective")
    b.add_cols("pick", 1, obj=1e-12, ub=1, integer=True)
    with pytest.raises(IntegerOnlyError, match=r"the objective on column pick\[0\]"):
        get("cpsat").solve(b.build(), SolveOptions())


def test_an_integer_without_room_in_its_bounds_is_infeasible():
    b = MilpBuilder("empty-domain")
    b.add_cols("x", 1, obj=1.0, lb=0.2, ub=0.8, integer=True)
    out = get("cpsat").solve(b.build(), SolveOptions())
    assert out.status == "infeasible" and "no integer" in out.termination


def test_noisy_objective_keeps_a_valid_bound():
    """Objective 0.1 × 3 = 0.30000000000000004 per unit: read as 0.3, bound lowered by the error."""
    b = MilpBuilder("noisy")
    x = b.add_cols("x", 3, obj=3 * 0.1, ub=5, integer=True)
    b.add_rows("need", rows=[0, 0, 0], cols=x, vals=1.0, lb=4)
    milp = b.build()
    im = to_integers(milp)
    assert im.obj_scale == 10 and im.obj_error == pytest.approx(15 * (3 * 0.1 - 0.3))
    out = get("cpsat").solve(milp, SolveOptions())
    assert out.status == "optimal" and out.objective == pytest.approx(1.2, rel=1e-15)
    assert out.bound <= out.objective  # 1.2 - 15 × 5.6e-17: below the float objective


# --- options --------------------------------------------------------------------------------


def test_threads_seed_hint_and_log(capfd):
    milp = erlocate.PMedian(4, formulation="dense").build(random_instance(2))
    ref = get("highs").solve(milp, SolveOptions())
    for threads in (1, 2, 8):
        out = get("cpsat").solve(milp, SolveOptions(threads=threads, seed=3, time_limit=60))
        assert out.status == "optimal" and out.objective == pytest.approx(ref.objective)
    hinted = get("cpsat").solve(milp, SolveOptions(warm_start=ref.x, verbose=True))
    assert hinted.objective == pytest.approx(ref.objective)
    log = capfd.readouterr().out
    assert "Starting CP-SAT solver" in log  # CP-SAT's own log ...
    assert "The solution hint is complete and is feasible" in log  # ... which took the hint


def test_model_invalid_is_a_backend_error_with_the_reason(monkeypatch):
    from erlocate.backends import cpsat

    real = cpsat.to_cpsat

    def broken(milp):
        proto, im = real(milp)
        proto.constraints.add().linear.vars.append(99)  # a variable that does not exist
        return proto, im

    monkeypatch.setattr(cpsat, "to_cpsat", broken)
    b = MilpBuilder("tiny")
    b.add_cols("x", 1, obj=1.0, ub=1, integer=True)
    with pytest.raises(BackendError, match="CP-SAT says the model is invalid"):
        cpsat.solve(b.build(), SolveOptions())


# --- agreement on the classical models ------------------------------------------------------

ACCEPTED = [
    erlocate.PMedian(4, formulation="dense"),
    erlocate.PMedian(4, formulation="radius"),
    erlocate.PMedian(4, formulation="benders"),
    erlocate.PMedian(10, single_source=True),
    erlocate.LSCP(40.0),
    erlocate.LSCP(40.0, reduce=False),
    erlocate.MCLP(3, 30.0),
    erlocate.MCLP(3, 30.0, reduce=False),
    erlocate.MCLP(3, 30.0, method="fixing"),
    erlocate.BackupCoverage(3, 30.0),
    erlocate.BackupCoverage(3, 30.0, theta=0.3),
    erlocate.UFLP(),
    erlocate.CFLP(single_source=True),
]


@pytest.mark.parametrize("model", ACCEPTED, ids=repr)
@pytest.mark.parametrize("seed", [0, 1])
def test_classical_models_agree_with_highs(model, seed):
    inst = random_instance(seed, capacities=np.full(12, 200.0))  # costs with one decimal
    ref = erlocate.solve(model, inst, "highs")
    mine = erlocate.solve(model, inst, "cpsat", time_limit=60)
    assert mine.backend == "cpsat" and mine.status == "optimal", mine.termination
    assert mine.objective == pytest.approx(ref.objective, rel=1e-12, abs=1e-9)
    assert mine.gap <= OPTIMAL_GAP


def test_pcenter_with_integral_costs_agrees_with_highs():
    rng = np.random.default_rng(4)
    inst = erlocate.Instance.from_matrix(rng.integers(1, 60, (30, 8)).astype(float))
    for model in (
        erlocate.PCenter(3, formulation="dense"),
        erlocate.PCenter(3, weighted=True, formulation="dense"),
    ):
        ref = erlocate.solve(model, inst, "highs")
        mine = erlocate.solve(model, inst, "cpsat", time_limit=60)
        # CP-SAT is exact (an integer); HiGHS may stop a tolerance short (33.999998 for 34)
        assert mine.status == "optimal" and mine.objective == round(ref.objective)
        assert mine.objective == pytest.approx(ref.objective, rel=1e-6)


@pytest.mark.parametrize(
    ("model", "block"),
    [
        (erlocate.PMedian(10, capacitated=True), "'assign'"),
        (erlocate.CFLP(), "'assign'"),
        # one MILP with costs with a decimal: W is not implied integer
        (erlocate.PCenter(3, formulation="dense"), "'radius'"),
    ],
    ids=repr,
)
def test_models_with_fractional_optima_are_refused(model, block):
    inst = random_instance(0, capacities=np.full(12, 200.0))
    with pytest.raises(IntegerOnlyError) as info:
        erlocate.solve(model, inst, "cpsat")
    assert block in str(info.value) and "continuous" in str(info.value)


def test_pcenter_radius_search_runs_on_cpsat_with_fractional_costs():
    # the search's covering MILPs are pure 0/1, so CP-SAT proves the p-center whatever the costs
    inst = random_instance(0)
    for weighted in (False, True):
        model = erlocate.PCenter(3, weighted=weighted)
        ref = erlocate.solve(model, inst, "highs")
        mine = erlocate.solve(model, inst, "cpsat", time_limit=60)
        assert mine.status == "optimal" and mine.objective == pytest.approx(ref.objective)


def test_published_optima(data_dir):
    from erlocate.io.orlib import orlib_case

    for name, model in (
        ("pmed1", erlocate.PMedian(5, formulation="radius")),
        ("pmed2", erlocate.PMedian(10, formulation="radius")),
        ("scp41", None),
        ("cap71_uncap", None),
    ):
        case = orlib_case(name)
        r = erlocate.solve(model or case.model, case.instance, "cpsat", time_limit=120)
        assert r.status == "optimal" and case.matches(r.objective), (name, r.objective)


def test_decimal_costs_on_a_larger_pmedian():
    """Costs in metres with 3 decimals × integer populations: objective scaled by 1000."""
    milp = erlocate.PMedian(6, formulation="dense").build(random_euclidean(150, 40, seed=2))
    im = to_integers(milp)
    # 6,040 products w × c, each within a few units in the last place of its decimal
    assert im.obj_scale == 1000 and im.obj_error < 1e-5
    ref = get("highs").solve(milp, SolveOptions())
    out = get("cpsat").solve(milp, SolveOptions(time_limit=120))
    assert out.status == "optimal" and out.objective == pytest.approx(ref.objective, rel=1e-12)
