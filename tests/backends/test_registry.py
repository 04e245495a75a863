"""The backend registry: names, aliases, the core solvers, and a plugin found by entry point."""

from __future__ import annotations

import sys
import textwrap

import numpy as np
import pytest

import erlocate
from erlocate.backends import ALIASES, BUILTIN, SolveOptions, describe, get, names
from erlocate.errors import BackendError, SizeLimitError
from tests.conftest import CORE_BACKENDS, random_instance

# A backend written outside erlocate: scipy.optimize.milp (HiGHS inside scipy), using only
# erlocate's public protocol. The fixture installs it as a distribution with an entry point.
PLUGIN = """
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from erlocate.backends import Capabilities, SizeLimit
from erlocate.backends.base import classify


class ScipyMilp:
    name = "scipymilp"
    interface = "scipy.optimize.milp (LinearConstraint on the CSR matrix)"
    capabilities = Capabilities(warm_start=False, bound=True)
    calls = 0

    def version(self):
        import scipy

        return scipy.__version__

    def diagnose(self):
        return ""

    def available(self):
        return True

    def solve(self, milp_, options):
        type(self).calls += 1
        sign = -1.0 if milp_.sense == "max" else 1.0
        opts = {"mip_rel_gap": options.gap}
        if options.time_limit is not None:
            opts["time_limit"] = options.time_limit
        start = time.perf_counter()
        res = milp(
            sign * milp_.c,
            constraints=LinearConstraint(milp_.A, milp_.row_lb, milp_.row_ub),
            integrality=milp_.integrality.astype(int),
            bounds=Bounds(milp_.col_lb, milp_.col_ub),
            options=opts,
        )
        x = None if res.x is None else np.asarray(res.x)
        objective = None if x is None else milp_.objective_value(x)
        bound = getattr(res, "mip_dual_bound", None)
        if bound is not None:
            bound = sign * bound + milp_.offset
        return classify(
            backend=self.name,
            x=x,
            objective=objective,
            bound=bound if milp_.integrality.any() else None,
            search_complete=res.status == 0,
            infeasible=res.status == 2,
            unbounded=res.status == 3,
            runtime=time.perf_counter() - start,
            termination=res.message,
            sense=milp_.sense,
            is_mip=bool(milp_.integrality.any()),
        )


BACKEND = ScipyMilp()


class TinyMilp(ScipyMilp):
    name = "tinymilp"
    capabilities = Capabilities(size_limit=SizeLimit(variables=10, licence="toy licence"))


class NotABackend:
    name = "broken"
"""


def install_plugin(tmp_path, monkeypatch, entry_points: str) -> None:
    (tmp_path / "erlocate_scipy_plugin.py").write_text(PLUGIN)
    info = tmp_path / "erlocate_scipy_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: erlocate-scipy-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    install_plugin(
        tmp_path,
        monkeypatch,
        """
        [erlocate.backends]
        scipymilp = erlocate_scipy_plugin:BACKEND
        tinymilp = erlocate_scipy_plugin:TinyMilp
        broken = erlocate_scipy_plugin:NotABackend
        missing = erlocate_scipy_plugin_nowhere:BACKEND
        """,
    )
    yield
    sys.modules.pop("erlocate_scipy_plugin", None)


def test_the_core_solvers_are_available_everywhere():
    # highs, cbc and scip come with the project's own dependencies on every supported
    # Python: one missing is a failure of the installation, not a reason to skip
    assert set(CORE_BACKENDS) <= set(erlocate.backends())
    assert erlocate.backends()[: len(CORE_BACKENDS)] == list(CORE_BACKENDS)


def test_names_and_aliases():
    assert names()[: len(BUILTIN)] == list(BUILTIN)
    for alias, target in ALIASES.items():
        assert get(alias).name == target
    inst = random_instance(1)
    r = erlocate.solve(erlocate.PMedian(3), inst, backend="pulp")
    assert r.backend == "cbc" and r.status == "optimal"
    assert erlocate.solve(erlocate.PMedian(3), inst, backend="ortools").backend == "scip"


def test_unknown_backend_lists_the_names():
    with pytest.raises(BackendError) as info:
        get("gurobii")
    msg = str(info.value)
    assert "unknown backend 'gurobii'" in msg and "'highs'" in msg and "pulp:<SOLVER>" in msg


def test_describe_lists_every_known_backend_with_its_capabilities():
    table = describe()
    assert list(table.index[: len(BUILTIN)]) == list(BUILTIN)
    assert table.loc["highs", "usable"] and table.loc["highs", "threads"]
    assert not table.loc["scip", "threads"]  # SCIP inside OR-Tools runs on one thread
    for name in table.index[~table["usable"].astype(bool)]:
        assert table.loc[name, "why"], name  # every backend that cannot run says why


def test_a_plugin_backend_is_found_by_entry_point_and_used(plugin):
    assert "scipymilp" in names() and "scipymilp" in erlocate.backends()
    assert describe().loc["scipymilp", "usable"]
    inst = random_instance(7, n=30, m=10)
    for model in (erlocate.PMedian(3), erlocate.MCLP(3, 30.0), erlocate.UFLP()):
        mine = erlocate.solve(model, inst, backend="scipymilp")
        ref = erlocate.solve(model, inst, backend="highs")
        assert mine.backend == "scipymilp" and mine.status == "optimal"
        assert mine.objective == pytest.approx(ref.objective, rel=1e-9)
    assert sys.modules["erlocate_scipy_plugin"].ScipyMilp.calls >= 3


def test_a_plugin_that_is_not_a_backend_or_does_not_load_is_named(plugin):
    with pytest.raises(BackendError, match=r"'broken'.*is not an erlocate Backend \(missing"):
        get("broken")
    with pytest.raises(BackendError, match=r"'missing'.*failed to load"):
        get("missing")
    # neither stops the others from being listed
    assert "scipymilp" in erlocate.backends() and "broken" not in erlocate.backends()


def test_the_model_bound_is_applied_to_every_backend(plugin):
    # a plugin reporting no bound at all still gets the model's own (0 for costs >= 0)
    inst = random_instance(3, n=12, m=5)
    backend = get("scipymilp")
    milp = erlocate.PMedian(2, formulation="dense").build(inst)
    out = backend.solve(milp, SolveOptions())
    assert out.bound is not None and out.bound >= 0 and np.isfinite(out.gap)


def test_a_size_limit_is_a_typed_error_naming_limit_and_size(plugin):
    inst = random_instance(3, n=12, m=5)
    small = erlocate.solve(erlocate.LSCP(40.0), inst, backend="tinymilp")  # 5 columns
    assert small.status == "optimal"
    with pytest.raises(SizeLimitError) as info:
        erlocate.solve(erlocate.PMedian(2, formulation="dense"), inst, backend="tinymilp")
    msg = str(info.value)
    assert info.value.limit == "10 variables (toy licence)"
    n_cols = erlocate.PMedian(2, formulation="dense").build(inst).n_cols
    assert f"tinymilp: the model has {n_cols} variables, above the limit of 10 variables" in msg
    # the benchmark harness records such a run as beyond the limit, not as an error
    from erlocate import bench

    df = bench.run(
        [("pm", erlocate.PMedian(2, formulation="dense"), inst)], "tinymilp", progress=False
    )
    assert df["status"].tolist() == ["over_limit"] and "10 variables" in df.loc[0, "error"]
    every = bench.run([("cover", erlocate.LSCP(40.0), inst)], "all", progress=False)
    assert {"highs", "cbc", "scip", "scipymilp", "tinymilp"} <= set(every["backend"])
    assert (every["status"] == "optimal").all()
