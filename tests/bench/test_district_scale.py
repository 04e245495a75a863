"""benchmarks/district_scale.py: a small table runs, every row verified and optimal."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "district_scale.py"


def _module():
    spec = importlib.util.spec_from_file_location("district_scale", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["district_scale"] = mod
    spec.loader.exec_module(mod)
    return mod


def test_small_table_every_model_optimal(tmp_path, capsys):
    ds = _module()
    out = tmp_path / "table.md"
    code = ds.main(
        [
            "--factors",
            "2",
            "--grids",
            "1000",
            "--models",
            "fire,shelters,depots,teams",
            "--depots",
            "benders",
            "--limit",
            "120",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = out.read_text()
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| ") and ("x2 |" in line or "grid 1000 m |" in line)
    ]
    assert len(rows) == 8
    assert all("| optimal |" in r for r in rows)
