"""The rules the code keeps (CONTRIBUTING.md), checked on the source itself.

The figures come from ``scripts/code-metrics`` (which prints them); here each
rule must hold, and a breach names the modules at fault.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _metrics():
    path = ROOT / "scripts" / "code-metrics"
    loader = importlib.machinery.SourceFileLoader("code_metrics", str(path))
    spec = importlib.util.spec_from_loader("code_metrics", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


metrics = _metrics()
MODULES = metrics.modules(ROOT / "src")


def test_the_metrics_see_the_whole_package():
    assert "erlocate.models.pmedian" in MODULES and "erlocate.planning.base" in MODULES
    assert len(MODULES) > 100


def test_no_private_name_crosses_a_module_boundary():
    assert metrics.private_imports(MODULES) == []


def test_the_checker_finds_a_private_import(tmp_path):
    # the rule's check must be able to fail
    pkg = tmp_path / "erlocate"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("_hidden = 1\n")
    (pkg / "b.py").write_text(
        "from erlocate.a import _hidden\nfrom erlocate import a\nx = a._hidden\n"
    )
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import erlocate.d\n"
    )
    (pkg / "d.py").write_text("import erlocate.c\n")
    mods = metrics.modules(tmp_path)
    assert metrics.private_imports(mods) == [("erlocate.b", "erlocate.a._hidden")]
    assert metrics.import_cycles(mods)["type-checking"] == [["erlocate.c", "erlocate.d"]]


def test_no_import_cycles():
    cycles = metrics.import_cycles(MODULES)
    assert cycles == {"module-level": [], "type-checking": []}


def test_modules_under_400_lines():
    # readers of one file family (erlocate.io.*) may be longer
    long = {
        m: n
        for m, n in metrics.long_modules(400, MODULES).items()
        if not m.startswith("erlocate.io.")
    }
    assert long == {}


def test_the_package_is_typed():
    assert (ROOT / "src" / "erlocate" / "py.typed").is_file()


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m != "erlocate.cli"))
def test_the_library_logs_instead_of_printing(name):
    tree = ast.parse(MODULES[name].read_text())
    calls = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
    ]
    assert calls == [], f"{name} prints at lines {calls}; use logging.getLogger(__name__)"


def test_planning_models_share_the_skeleton():
    from erlocate.planning import Depots, FireStations, Shelters, TeamAllocation
    from erlocate.planning.base import PlanningModel

    for cls in (Depots, FireStations, Shelters, TeamAllocation):
        assert issubclass(cls, PlanningModel), cls
