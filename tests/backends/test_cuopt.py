"""The cuOpt backend. Without a GPU, for real: the arrays and parameters handed to cuOpt,
every termination status, ``solve``'s routing (through a recording stand-in for
``cuopt.linear_programming``) and the probe. ``needs_gpu`` tests solve with cuOpt itself
and are skipped, with the probe's reason, where it cannot run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp

import erlocate
from erlocate.backends import SolveOptions, describe, get
from erlocate.backends import cuopt as cu
from erlocate.backends.base import classify
from erlocate.errors import BackendError, InputError
from erlocate.milp import Milp, MilpBuilder
from tests.backends.milps import max_lp

WHY_NOT = cu.BACKEND.probe()
needs_gpu = pytest.mark.skipif(WHY_NOT != "", reason=f"cuOpt cannot run here: {WHY_NOT}")

#: Termination statuses of cuOpt 26.10 (``solver.pxd``: mip_termination_status_t,
#: pdlp_termination_status_t).
MIP_STATUSES = ["NoTermination", "Optimal", "FeasibleFound", "Infeasible", "Unbounded",
                "TimeLimit", "WorkLimit", "UnboundedOrInfeasible"]  # fmt: skip
LP_STATUSES = ["NoTermination", "NumericalError", "Optimal", "PrimalInfeasible",
               "DualInfeasible", "IterationLimit", "TimeLimit", "ConcurrentLimit",
               "PrimalFeasible", "UnboundedOrInfeasible"]  # fmt: skip
#: Parameter names of cuOpt 26.10 that the backend may set (``constants.h``).
KNOWN_PARAMETERS = {
    "time_limit", "log_to_console", "mip_relative_gap", "num_cpu_threads", "random_seed",
    "absolute_primal_tolerance", "relative_primal_tolerance", "absolute_dual_tolerance",
    "relative_dual_tolerance", "absolute_gap_tolerance", "relative_gap_tolerance",
}  # fmt: skip


def mixed_milp() -> Milp:
    """max 5a + 4b + 3c + 1.5y + 10 with one-sided, ranged and equality rows, free columns."""
    b = MilpBuilder("mixed", sense="max")
    b.add_cols("pick", 3, obj=[5, 4, 3], ub=1, integer=True)
    b.add_cols("fill", 2, obj=[1.5, -1.0], lb=[0, -np.inf], ub=[2.5, np.inf])
    b.add_rows("cap", rows=[0, 0, 0, 0], cols=[0, 1, 2, 3], vals=[2, 3, 1, 1], ub=4)
    b.add_rows("range", rows=[0, 0], cols=[3, 4], vals=[1, -1], lb=-1, ub=2)
    b.add_rows("eq", rows=[0, 0], cols=[0, 4], vals=[1, 1], lb=1, ub=1)
    b.add_rows("ge", rows=[0], cols=[2], vals=[1], lb=0)
    b.offset = 10.0
    return b.build()


# --- without a GPU: what cuOpt is handed, its statuses, solve()'s routing ---------------
def test_translate_hands_over_the_milp_unchanged() -> None:
    milp = mixed_milp()
    a = cu.translate(milp)
    assert a.values.dtype == np.float64 and a.indices.dtype == np.int32
    assert a.offsets.dtype == np.int32 and a.offsets.shape == (milp.n_rows + 1,)
    for arr in (a.values, a.indices, a.offsets, a.row_lb, a.c, a.col_lb, a.col_ub):
        assert arr.flags.c_contiguous
    rebuilt = sp.csr_array((a.values, a.indices, a.offsets), shape=milp.A.shape)
    np.testing.assert_array_equal(rebuilt.toarray(), milp.A.toarray())
    np.testing.assert_array_equal(a.row_lb, [-np.inf, -1, 1, 0])  # infinities kept as is
    np.testing.assert_array_equal(a.row_ub, [4, 2, 1, np.inf])
    np.testing.assert_array_equal(a.col_lb, [0, 0, 0, 0, -np.inf])
    np.testing.assert_array_equal(a.col_ub, [1, 1, 1, 2.5, np.inf])
    np.testing.assert_array_equal(a.c, milp.c)
    assert a.var_types.dtype == np.dtype("<U1")
    assert a.var_types.tolist() == ["I", "I", "I", "C", "C"]
    assert a.maximize is True and a.offset == 10.0
    lp = cu.translate(max_lp())
    assert lp.var_types.tolist() == ["C", "C"] and lp.offset == 0.5


def test_translate_sums_duplicates_on_a_copy() -> None:
    A = sp.csr_array((np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]), np.array([0, 2, 3])))
    assert not A.has_canonical_format
    milp = Milp(c=np.ones(2), A=A, row_lb=np.zeros(2), row_ub=np.full(2, 5.0),
                col_lb=np.zeros(2), col_ub=np.ones(2), integrality=np.array([True, False]))  # fmt: skip
    a = cu.translate(milp)
    np.testing.assert_array_equal(a.values, [3.0, 3.0])
    np.testing.assert_array_equal(a.indices, [0, 1])
    assert milp.A.nnz == 3  # the Milp itself is untouched


def test_translate_of_a_real_model_is_consistent() -> None:
    inst = erlocate.Instance.from_matrix(np.arange(60, dtype=float).reshape(12, 5) % 7)
    milp = erlocate.PMedian(p=2, formulation="dense").build(inst)
    a = cu.translate(milp)
    assert np.array_equal(a.offsets, milp.A.indptr) and np.array_equal(a.indices, milp.A.indices)
    assert (a.var_types == "I").sum() == milp.integrality.sum()


class Recorder:
    """Stands in for ``cuopt.linear_programming``: records what is handed over, answers as told."""

    def __init__(self, *answers: tuple) -> None:
        self.answers = list(answers)  # (status, x, bound[, error]) per Solve call
        self.models: list[dict] = []
        self.params: list[dict] = []
        rec = self

        class DataModel:
            def __init__(self) -> None:
                self.calls: dict = {}
                rec.models.append(self.calls)

            def __getattr__(self, name: str):
                return lambda *args: self.calls.__setitem__(name, args)

        class SolverSettings:
            def __init__(self) -> None:
                self.values: dict = {}
                rec.params.append(self.values)

            def set_parameter(self, name: str, value: object) -> None:
                if name not in KNOWN_PARAMETERS:  # as cuOpt does
                    raise ValueError("Invalid parameter. Please check documentation")
                self.values[name] = value

        self.DataModel, self.SolverSettings = DataModel, SolverSettings

    def Solve(self, dm, settings):  # cuOpt's name
        status, x, bound, *error = self.answers.pop(0)
        return SimpleNamespace(
            get_error_status=lambda: SimpleNamespace(name=error[0] if error else "Success"),
            get_error_message=lambda: "bad things",
            get_termination_status=lambda: SimpleNamespace(name=status),
            get_primal_solution=lambda: np.array([] if x is None else x, dtype=float),
            get_milp_stats=lambda: {"solution_bound": bound},
        )


def test_to_data_model_passes_every_array() -> None:
    milp = mixed_milp()
    a = cu.translate(milp)
    rec = Recorder()
    cu.to_data_model(rec, a, np.arange(5))
    calls = rec.models[0]
    assert calls["set_csr_constraint_matrix"] == (a.values, a.indices, a.offsets)
    assert calls["set_constraint_lower_bounds"][0] is a.row_lb
    assert calls["set_constraint_upper_bounds"][0] is a.row_ub
    assert calls["set_objective_coefficients"][0] is a.c
    assert calls["set_objective_offset"] == (10.0,)
    assert calls["set_variable_lower_bounds"][0] is a.col_lb
    assert calls["set_variable_upper_bounds"][0] is a.col_ub
    assert calls["set_variable_types"][0] is a.var_types
    assert calls["set_maximize"] == (True,)
    assert calls["set_initial_primal_solution"][0].dtype == np.float64


def test_settings_for_a_mip() -> None:
    default = cu.settings_for(SolveOptions(), True)
    assert default == {"log_to_console": False, "mip_relative_gap": 1e-9}
    p = cu.settings_for(
        SolveOptions(time_limit=0.0, mip_gap=0.5, threads=4, seed=2**40, verbose=True), True
    )
    assert p["time_limit"] == cu.MIN_TIME  # 0 would mean "no limit" to cuOpt
    assert p["mip_relative_gap"] == cu.MAX_RELATIVE_GAP
    assert p["num_cpu_threads"] == 4 and p["log_to_console"] is True
    assert 0 <= p["random_seed"] < 2**31 - 1
    assert "num_cpu_threads" not in cu.settings_for(SolveOptions(threads=0), True)
    assert set(p) <= KNOWN_PARAMETERS


def test_settings_for_an_lp() -> None:
    p = cu.settings_for(SolveOptions(time_limit=3.5, seed=1, threads=2), False)
    assert p["time_limit"] == 3.5
    assert not any(k.startswith("mip") or k in ("random_seed", "num_cpu_threads") for k in p)
    tolerances = {k: v for k, v in p.items() if k.endswith("tolerance")}
    assert len(tolerances) == 6 and set(tolerances.values()) == {cu.LP_TOLERANCE}
    assert set(p) <= KNOWN_PARAMETERS


X = np.array([1.0, 0.0])

#: (status, is_mip, x, x_checked, bound) -> final status and bound after classify(),
#: or BackendError. Objective 10 (min).
CASES = [
    ("Optimal", True, X, False, 9.9999999, "optimal", 9.9999999),
    ("Optimal", True, X, False, -np.inf, "optimal", 10.0),  # presolve solved it
    ("Optimal", True, X, False, 9.99, "feasible", 9.99),  # closed to a looser mip_gap only
    ("Optimal", True, None, False, 10.0, BackendError, None),
    ("FeasibleFound", True, X, False, 8.0, "feasible", 8.0),
    ("FeasibleFound", True, None, False, 8.0, BackendError, None),
    ("TimeLimit", True, None, False, 7.0, "no_solution", 7.0),
    ("TimeLimit", True, X, True, 7.0, "feasible", 7.0),
    ("TimeLimit", True, X, False, -np.inf, "no_solution", None),
    ("WorkLimit", True, None, False, np.nan, "no_solution", None),
    ("Infeasible", True, None, False, 1.0, "infeasible", None),
    ("Unbounded", True, None, False, None, "unbounded", None),
    ("UnboundedOrInfeasible", True, None, False, None, "infeasible", None),
    ("NoTermination", True, None, False, None, BackendError, None),
    ("NoTermination", True, X, True, None, "feasible", None),
    ("Optimal", False, X, False, None, "optimal", 10.0),
    ("PrimalFeasible", False, X, False, None, "feasible", None),
    ("TimeLimit", False, X, False, None, "no_solution", None),  # a PDLP iterate, not a point
    ("TimeLimit", False, X, True, None, "feasible", None),
    ("IterationLimit", False, X, False, None, "no_solution", None),
    ("ConcurrentLimit", False, None, False, None, "no_solution", None),
    ("NumericalError", False, X, False, None, BackendError, None),
    ("NumericalError", False, X, True, None, "feasible", None),
    ("PrimalInfeasible", False, None, False, None, "infeasible", None),
    ("DualInfeasible", False, None, False, None, "infeasible", None),
    ("UnboundedOrInfeasible", False, None, False, None, "infeasible", None),
    ("NoTermination", False, None, False, None, BackendError, None),
    ("SomethingNew", True, X, True, 1.0, BackendError, None),
]


@pytest.mark.parametrize(("status", "is_mip", "x", "checked", "bound", "want", "want_bound"), CASES)
def test_classify_args(status, is_mip, x, checked, bound, want, want_bound) -> None:
    facts = dict(is_mip=is_mip, x=x, objective=None if x is None else 10.0, bound=bound)
    if want is BackendError:
        with pytest.raises(BackendError, match="cuopt"):
            cu.classify_args(status, x_checked=checked, **facts)
        return
    args = cu.classify_args(status, x_checked=checked, **facts)
    out = classify(backend="cuopt", runtime=1.0, sense="min", is_mip=is_mip, **args)
    assert out.status == want, (status, out)
    assert out.bound == want_bound
    assert out.termination.startswith(" ".join(re.findall(r"[A-Z][a-z]*", status)).lower())


def test_every_cuopt_status_is_mapped() -> None:
    covered = {(c[0], c[1]) for c in CASES}
    assert {(s, True) for s in MIP_STATUSES} <= covered
    assert {(s, False) for s in LP_STATUSES} <= covered


def fake(monkeypatch: pytest.MonkeyPatch, *answers: tuple) -> Recorder:
    rec = Recorder(*answers)
    monkeypatch.setattr(cu, "_linear_programming", lambda: rec)
    return rec


def test_solve_routes_an_optimal_mip(monkeypatch: pytest.MonkeyPatch) -> None:
    milp = mixed_milp()
    x = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    rec = fake(monkeypatch, ("Optimal", x, 19.5))
    out = cu.solve(milp, SolveOptions(time_limit=60, warm_start=x))
    assert (out.status, out.objective, out.bound, out.backend) == ("optimal", 19.5, 19.5, "cuopt")
    assert 0 < rec.params[0]["time_limit"] <= 60  # what was left of the limit
    np.testing.assert_array_equal(rec.models[0]["set_initial_primal_solution"][0], x)


def test_solve_tells_unbounded_from_infeasible(monkeypatch: pytest.MonkeyPatch) -> None:
    rec = fake(monkeypatch, ("DualInfeasible", None, None), ("Optimal", [0.0, 0.0], None))
    out = cu.solve(max_lp(), SolveOptions(verbose=True))
    assert out.status == "unbounded" and "dual infeasible" in out.termination
    np.testing.assert_array_equal(rec.models[1]["set_objective_coefficients"][0], [0.0, 0.0])
    assert rec.params[1]["log_to_console"] is False
    fake(monkeypatch, ("UnboundedOrInfeasible", None, np.inf), ("Infeasible", None, np.inf))
    assert cu.solve(mixed_milp(), SolveOptions()).status == "infeasible"


def test_solve_raises_cuopts_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, ("NoTermination", None, np.nan, "ValidationError"))
    with pytest.raises(BackendError, match="cuopt: ValidationError: bad things"):
        cu.solve(mixed_milp(), SolveOptions())
    fake(monkeypatch, ("Optimal", [1.0], 1.0))
    with pytest.raises(BackendError, match="1 values for 5 columns"):
        cu.solve(mixed_milp(), SolveOptions())


def test_a_stopped_lp_keeps_only_a_point_that_checks_out(monkeypatch: pytest.MonkeyPatch) -> None:
    fake(monkeypatch, ("TimeLimit", [3.0, 1.0], None))
    out = cu.solve(max_lp(), SolveOptions(time_limit=1))
    assert (out.status, out.objective, out.bound) == ("feasible", 11.5, None)
    fake(monkeypatch, ("TimeLimit", [3.0, 1.1], None))  # violates x + y <= 4
    assert cu.solve(max_lp(), SolveOptions(time_limit=1)).status == "no_solution"


def test_solve_checks_inputs_before_cuopt() -> None:
    with pytest.raises(InputError, match="warm_start"):
        cu.solve(mixed_milp(), SolveOptions(warm_start=np.zeros(2)))
    empty = MilpBuilder("empty").build()
    assert cu.solve(empty, SolveOptions()).status == "optimal"


@pytest.mark.skipif(WHY_NOT == "", reason="cuOpt is usable here")
def test_solve_without_cuopt_names_it() -> None:
    if cu.BACKEND.installed() is None:
        with pytest.raises(BackendError, match="cuopt: cannot import cuopt"):
            cu.solve(mixed_milp(), SolveOptions())
    with pytest.raises(BackendError, match="backend 'cuopt' cannot run here"):
        get("cuopt")


# --- probing ----------------------------------------------------------------------------
@pytest.mark.skipif(WHY_NOT == "", reason="cuOpt is usable here")
def test_probe_here_says_why_and_describe_shows_it() -> None:
    assert "\n" not in WHY_NOT and ("GPU" in WHY_NOT or "not installed" in WHY_NOT)
    assert cu.BACKEND.diagnose() == WHY_NOT and not cu.BACKEND.available()
    assert describe().loc["cuopt", "why"] == WHY_NOT
    assert "cuopt" not in erlocate.backends()


def test_probe_of_an_installed_cuopt_without_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    if cu.gpu_report().get("devices"):
        pytest.skip("this machine has a CUDA GPU")
    monkeypatch.setattr(cu.BACKEND, "installed", lambda: ("cuopt-cu12", "26.10.0"))
    assert cu.BACKEND.version() == "26.10.0"
    assert cu.BACKEND.probe().startswith("no CUDA GPU (")


def test_gpu_report_runs_in_a_child_and_survives_its_failures(monkeypatch) -> None:
    report = cu.gpu_report()
    assert set(report) >= {"driver_error", "devices"}

    def boom(*args, **kwargs):
        raise subprocess.TimeoutExpired("python", 1)

    monkeypatch.setattr(subprocess, "run", boom)
    failed = cu.gpu_report.__wrapped__(True, 1.0)
    assert failed["driver_error"].startswith("GPU probe failed: TimeoutExpired")


GOOD = {"driver_error": "", "driver": 12040, "devices": [["NVIDIA A100", 8, 0, 40 * 2**30]]}


@pytest.mark.parametrize(
    ("report", "dist", "want"),
    [
        ({"driver_error": "no NVIDIA driver: libcuda.so.1 not found"}, "cuopt-cu12", "no CUDA GPU"),
        ({"driver_error": "no device"}, "cuopt-cu12", "no CUDA GPU (no device"),
        ({**GOOD, "devices": []}, "cuopt-cu12", "no CUDA GPU (the NVIDIA driver finds no"),
        ({**GOOD, "devices": [["GTX 1080", 6, 1, 8]]}, "cuopt-cu12", "no GPU cuOpt supports"),
        ({**GOOD, "driver": 11080}, "cuopt-cu12", "supports CUDA 11.8, cuopt-cu12 needs CUDA 12"),
        (GOOD, "cuopt-cu13", "supports CUDA 12.4, cuopt-cu13 needs CUDA 13"),
        ({**GOOD, "import_error": "ImportError: libcudart"}, "cuopt-cu12", "does not import"),
        (GOOD, "cuopt-cu12", ""),
    ],
)
def test_probe_reason(report: dict, dist: str, want: str) -> None:
    reason = cu.probe_reason(report, dist)
    assert want in reason if want else reason == ""


def test_importing_erlocate_does_not_import_cuopt() -> None:
    code = "import sys, erlocate; erlocate.backends(); print('cuopt' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


# --- with a GPU -------------------------------------------------------------------------
def run(milp: Milp, **options) -> erlocate.backends.SolverOutput:
    return get("cuopt").solve(milp, SolveOptions(**options))


@needs_gpu
def test_gpu_mixed_milp_and_lp() -> None:
    out = run(mixed_milp())
    assert out.status == "optimal", out.termination
    assert out.objective == pytest.approx(mixed_milp().objective_value(out.x))
    assert mixed_milp().max_violation(out.x) <= 1e-6
    lp = run(max_lp())
    assert (lp.status, lp.objective) == ("optimal", pytest.approx(11.5, rel=1e-7))


@needs_gpu
def test_gpu_infeasible_and_unbounded() -> None:
    b = MilpBuilder("infeasible")
    b.add_cols("x", 1, ub=10, integer=True)
    b.add_rows("both", rows=[0, 1], cols=[0, 0], vals=[1, 1], lb=[3, -np.inf], ub=[np.inf, 2])
    assert run(b.build()).status == "infeasible"
    b = MilpBuilder("unbounded")
    b.add_cols("x", 2, obj=[-1, 0], integer=True)
    b.add_rows("r", rows=[0, 0], cols=[0, 1], vals=[1, -1], ub=0)
    assert run(b.build()).status == "unbounded"


@needs_gpu
def test_gpu_pmedian_agrees_with_highs_and_stays_honest_under_a_time_limit() -> None:
    rng = np.random.default_rng(1)
    cost = np.round(100 * rng.random((60, 20)), 1)
    inst = erlocate.Instance.from_matrix(cost, weights=rng.integers(1, 9, 60).astype(float))
    model = erlocate.PMedian(p=4, formulation="dense")
    ours = erlocate.solve(model, inst, backend="cuopt")
    ref = erlocate.solve(model, inst, backend="highs")
    assert ours.status == "optimal" and ours.objective == pytest.approx(ref.objective)
    again = erlocate.solve(
        model, inst, backend="cuopt", warm_start=ref, time_limit=0.5, raise_on_failure=False
    )
    assert again.status in ("optimal", "feasible", "no_solution")
    if again.status == "feasible":
        assert again.bound is None or again.bound <= again.objective + 1e-6
