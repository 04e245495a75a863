"""benchmarks/city_scale.py: the quick 2,000 × 200 table, and its instances."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import erlocate

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "city_scale.py"


def _module():
    spec = importlib.util.spec_from_file_location("city_scale", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["city_scale"] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def test_city_is_random_euclidean_cut_at_the_radius():
    cs = _module()
    inst = cs.city(300, 40, 3, 2_500.0)
    ref = erlocate.datasets.random_euclidean(300, 40, seed=3)
    dense = ref.dense_costs()
    mine = np.full_like(dense, np.inf)
    mine[inst.pair_rows, inst.indices] = inst.costs
    keep = dense <= 2_500.0
    assert inst.cutoff == 2_500.0 and 0 < keep.sum() < keep.size
    np.testing.assert_array_equal(mine[keep], dense[keep])
    assert np.isinf(mine[~keep]).all()
    np.testing.assert_array_equal(inst.weights, ref.weights)
    np.testing.assert_array_equal(inst.site_costs, ref.site_costs)


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("city") / "rows.json"
    md = out.with_suffix(".md")
    cmd = [sys.executable, str(SCRIPT), "--quick", "--dense", "mclp", "--limit", "60"]
    subprocess.run([*cmd, "--json", str(out), "--out", str(md)], check=True, timeout=300)
    text = md.read_text()
    assert "# machine:" in text and "uptime before:" in text and "| case | sizes |" in text
    return json.loads(out.read_text())


def test_quick_table_has_every_kind(rows):
    names = [r["case"] for r in rows]
    assert names == [
        "pmed-p100", "pmed-p10-infeasible", "mclp-p100", "mclp-p10", "pmed-int-s0",
        "lscp-2k-reduce", "lscp-2k-noreduce", "cflp-big",
    ]  # fmt: skip
    assert all(r["sizes"].startswith("2000 × 200") for r in rows)
    assert all(r["peak_mib"] > 50 for r in rows)  # RSS of a python with numpy, scipy, highs


def test_quick_rows_proven_verified_and_dense(rows):
    by = {r["case"]: r for r in rows}
    for name in ("pmed-p100", "mclp-p100", "mclp-p10", "pmed-int-s0"):
        r = by[name]
        assert r["status"] == "optimal" and r["verified"] == "yes", r
        assert r["objective"] == pytest.approx(r["bound"], rel=1e-9)
    for name in ("mclp-p100", "mclp-p10"):  # the single dense MILP agrees
        assert by[name]["dense_status"] == "optimal"
        assert by[name]["objective"] == pytest.approx(by[name]["dense"], rel=1e-9)
    # p = 10 discs of radius 1,500 m cannot span the 10 km square: refused before solving
    inf = by["pmed-p10-infeasible"]
    assert inf["status"] == "InfeasibleError"  # the packing's message, not the solver's:
    assert "share no site" in inf["note"]
    # the exact covering reductions shrink the LSCP: 2,000 rows before
    red, full = by["lscp-2k-reduce"], by["lscp-2k-noreduce"]
    assert full["note"].startswith("2000 rows × 200 cols")
    assert int(red["note"].split()[0]) < 2000
    assert by["cflp-big"]["status"] == "built"


@pytest.mark.slow
def test_quick_pmedian_equals_dense(tmp_path):
    """Benders p-median = the dense pair MILP at 2,000 × 200 (dense needs ~40 s: slow)."""
    out = tmp_path / "rows.json"
    cmd = [sys.executable, str(SCRIPT), "--quick", "--cases", "pmed-p100,pmed-int"]
    subprocess.run([*cmd, "--dense", "all", "--limit", "300", "--json", str(out)], check=True)
    for r in json.loads(out.read_text()):
        assert r["status"] == "optimal" and r["dense_status"] == "optimal", r
        assert r["objective"] == pytest.approx(r["dense"], rel=1e-9)
