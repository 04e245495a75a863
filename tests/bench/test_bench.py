"""The benchmark harness: run, outputs, CLI, suites, the cpmp reader, spopt side by side."""

from __future__ import annotations

import pandas as pd
import pytest

import erlocate
from erlocate import bench
from erlocate.bench.runner import MemorySampler
from erlocate.cli import main
from erlocate.errors import InputError

TWO = [b for b in ("highs", "pulp", "ortools") if b in erlocate.backends()][:2]


@pytest.fixture(scope="module")
def tiny() -> pd.DataFrame:
    """2 random instances (p-median) × 2 backends × 2 repeats."""
    cases = [
        bench.Case(inst.name, erlocate.PMedian(3), inst)
        for inst in (erlocate.datasets.random_euclidean(30, 8, seed=s, speed=500.0) for s in (1, 2))
    ]
    return bench.run(cases, TWO, repeats=2, time_limit=30, progress=False)


def test_run_table(tiny):
    assert list(tiny.columns) == bench.COLUMNS
    assert len(tiny) == 2 * len(TWO) * 2
    assert set(tiny["status"]) == {"optimal"}
    assert sorted(tiny["repeat"].unique()) == [0, 1]
    assert set(tiny["backend"]) == set(TWO)
    assert tiny["matches"].isna().all()  # no published optimum
    # every backend agrees on each instance's optimum
    spread = tiny.groupby("instance")["objective"].agg(lambda s: s.max() - s.min())
    assert (spread <= 1e-6).all()
    assert (tiny["solve_s"] >= 0).all() and (tiny["peak_mem_mb"] > 0).all()
    assert (tiny["mem_delta_mb"] >= 0).all()


def test_outputs(tiny, tmp_path):
    csv = bench.to_csv(tiny, tmp_path / "r.csv")
    assert len(pd.read_csv(csv)) == len(tiny)
    md = bench.to_markdown(tiny, title="tiny")
    assert md.startswith("# tiny")
    assert "| instance | model | backend |" in md and "# machine:" in md
    assert md.count("| optimal |") == 2 * len(TWO)  # repeats collapsed
    png = tmp_path / "p.png"
    bench.performance_profile(tiny, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_profile_ratios_failures_are_inf():
    # case a: x 1 s, y 2 s -> ratios 1, 2; case b: x failed -> inf, y 1
    df = pd.DataFrame(
        {
            "instance": ["a", "a", "b", "b"],
            "model": ["M"] * 4,
            "backend": ["x", "y", "x", "y"],
            "status": ["optimal", "optimal", "feasible", "optimal"],
            "matches": pd.array([None, None, None, None], dtype="boolean"),
            "solve_s": [1.0, 2.0, 0.5, 3.0],
        }
    )
    r = bench.profile_ratios(df)
    assert r.loc[("a", "M"), "x"] == 1 and r.loc[("a", "M"), "y"] == 2
    assert r.loc[("b", "M"), "x"] == float("inf") and r.loc[("b", "M"), "y"] == 1


def test_error_rows_do_not_stop_the_run():
    bad = bench.CaseRef("broken", lambda: (_ for _ in ()).throw(InputError("nope", field="x")))
    inst = erlocate.datasets.random_euclidean(10, 4, seed=0)
    df = bench.run([bad, ("ok", erlocate.PMedian(2), inst)], ["highs"], progress=False)
    assert df["status"].tolist() == ["error", "optimal"]
    assert "nope" in df.loc[0, "error"]


def test_bad_inputs():
    with pytest.raises(InputError, match="unknown suite 'nope'"):
        bench.suite("nope")
    with pytest.raises(InputError, match=r"\['nosuch'\] cannot run here \(backend: unknown"):
        bench.run([], ["nosuch"])
    with pytest.raises(InputError, match="repeats: must be >= 1"):
        bench.run([], ["highs"], repeats=0)
    with pytest.raises(InputError, match=r"range: expected 'a-b'"):
        bench.suite("random", range="x")


def test_random_and_district_suites():
    cases = bench.suite("random", range="1-1")
    assert [type(c.model).__name__ for c in cases] == ["PMedian", "MCLP", "LSCP"]
    district = bench.suite("district")
    assert [c.name for c in district] == ["fire_stations", "shelters", "depots", "teams"]


def test_memory_sampler_sees_an_allocation():
    import numpy as np

    with MemorySampler() as mem:
        big = np.ones(40 * 2**20 // 8)  # 40 MiB, touched
        big.sum()
    assert mem.delta_mb >= 30


def test_cli_bench(data_dir, tmp_path, capsys):
    assert (
        main(
            [
                "bench",
                "--suite",
                "orlib-pmed",
                "--instances",
                "pmed1",
                "--backend",
                "highs",
                "--quiet",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "| pmed1 | PMedian | highs | 100 | 100 | 5819 | 5819 |" in out
    for name in ("results.csv", "results.md", "profile.png"):
        assert (tmp_path / name).is_file()
    assert pd.read_csv(tmp_path / "results.csv")["matches"].tolist() == [True]


def test_formulation_option_swaps_the_pmedian_method(data_dir, capsys):
    args = ["bench", "--suite", "orlib-pmed", "--instances", "pmed2", "--backend", "highs"]
    for formulation in ("dense", "benders", "radius"):
        assert main([*args, "--quiet", "--formulation", formulation]) == 0
        out = capsys.readouterr().out
        assert f"| pmed2 | PMedian({formulation}) | highs | 100 | 100 | 4093 | 4093 | 4093 |" in out
    df = bench.run(
        bench.suite("cpmp"), "highs", formulation="benders", progress=False, time_limit=5
    )
    assert set(df["model"]) == {"PMedian(single source)"}  # capacitated cases keep theirs
    with pytest.raises(InputError, match="formulation: must be one of"):
        bench.run(
            bench.suite("orlib-pmed", instances="pmed1"), "highs", formulation="x", progress=False
        )


@pytest.mark.slow  # 8-40 s with HiGHS on 2 cores, depending on load
def test_cpmp_sjc1_reproduces_the_published_optimum(data_dir):
    from erlocate.io import cpmp_case

    case = cpmp_case("SJC1")  # 100 nodes, p = 10, capacity 720, single source
    assert (case.instance.n_demand, case.p, case.optimum, case.proven) == (100, 10, 17288.99, True)
    result = case.solve("highs", time_limit=120)
    assert result.status == "optimal"
    assert case.matches(result.objective)  # 17288.9931


def test_cpmp_reader_messages(tmp_path):
    from erlocate.io import read_cpmp

    f = tmp_path / "bad.dat"
    f.write_text("3 4\n0 0 10 1\n1 0 10 1\n2 0 10 1\n")
    with pytest.raises(InputError, match="p = 4 exceeds the number of nodes n = 3"):
        read_cpmp(f)
    f.write_text("2 1\n0 0 10 1\n1 0 -1 1\n")
    with pytest.raises(InputError, match="line 3: capacity must be a finite number >= 0"):
        read_cpmp(f)
    f.write_text("2 1\n0 0 10 1\n3 4 10 2\n")
    case = read_cpmp(f)
    assert case.instance.cost_of([0], [1])[0] == 5.0  # Euclidean, not rounded
    assert case.model.single_source


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # spopt builds PuLP 3 style
def test_spopt_side_by_side():
    pytest.importorskip("spopt")
    cases = bench.suite("random", range="1-1")
    df = bench.spopt_compare(cases, "highs")
    assert len(df) == 6 and set(df["tool"]) == {"spopt", "erlocate"}
    assert set(df.loc[df["tool"] == "spopt", "status"]) == {"Optimal"}
    obj = df.pivot(index="model", columns="tool", values="objective")
    assert (abs(obj["spopt"] - obj["erlocate"]) <= 1e-6 * obj["erlocate"].abs().clip(lower=1)).all()
