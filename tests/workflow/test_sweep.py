"""erlocate.sweep: serial and joblib runs, failed rows, resuming, and typed input errors."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.workflow.scenarios import scenario_key, scenario_table
from erlocate.workflow.store import ResultStore
from tests.workflow.sweep_cases import (
    SCENARIOS,
    TOWN,
    brute_force_mclp,
    build_logged,
    build_mclp,
    covered,
)

ROOT = Path(__file__).resolve().parents[2]
SAME = ["p", "standard", "status", "objective", "n_open", "failed_step", "error_type"]


@pytest.fixture(scope="module")
def serial():
    return erlocate.sweep(build_mclp, SCENARIOS)


def test_serial_rows_hold_the_enumerated_optima_and_the_failure(serial):
    assert len(serial) == 12
    assert serial[["p", "standard"]].to_dict("records") == SCENARIOS  # the input's order
    ok = serial.iloc[:11]
    assert (ok["status"] == "optimal").all() and ok["error_type"].isna().all()
    for row in ok.itertuples():
        assert row.objective == pytest.approx(brute_force_mclp(row.p, row.standard), abs=1e-6)
        sites = json.loads(row.open_sites)
        assert len(sites) == row.n_open == row.p
        assert covered(sites, row.standard) == pytest.approx(row.objective, abs=1e-6)
        assert row.build_s + row.solve_s <= row.total_s + 1e-9 and row.solver_s <= row.solve_s
    bad = serial.iloc[11]
    assert bad["status"] == "error" and bad["failed_step"] == "solve"  # validate: p > sites
    assert bad["error_type"] == "InputError" and "p" in bad["error"]
    assert pd.isna(bad["objective"]) and bad["open_sites"] is None
    # more sites cover more
    for s in (2000.0, 3000.0):
        by_p = serial[(serial["standard"] == s) & (serial["p"] <= 4)].sort_values("p")["objective"]
        assert by_p.is_monotonic_increasing


def test_joblib_on_two_processes_gives_the_same_table(serial):
    par = erlocate.sweep(build_mclp, pd.DataFrame(SCENARIOS), n_jobs=2, batch_size=2)
    pd.testing.assert_frame_equal(par[SAME], serial[SAME])
    assert par["open_sites"].tolist() == serial["open_sites"].tolist()
    assert par["scenario_key"].tolist() == serial["scenario_key"].tolist()
    assert set(par["worker"]).isdisjoint(set(serial["worker"]))  # not this process


def test_a_dict_of_lists_is_a_grid_and_keys_are_stable():
    table = scenario_table({"p": [1, 2], "standard": [2000.0, 3000.0, 4000.0]})
    assert table.to_dict("records") == SCENARIOS[:6]  # the first key varies slowest
    assert scenario_key({"p": 3, "standard": 8.0}) == scenario_key({"standard": 8.0, "p": 3})
    assert scenario_key({"p": 3, "standard": 8.0}) != scenario_key({"p": 3, "standard": 8})
    assert scenario_key({"p": 3}) != scenario_key({"q": 3})


def test_infeasible_rows_keep_their_status_and_extract_adds_columns():
    def build(standard):
        return erlocate.LSCP(max_cost=standard), TOWN

    out = erlocate.sweep(
        build,
        {"standard": [300.0, 5000.0]},
        extract=lambda r: {"share": r.coverage_share},
    )
    assert out["status"].tolist() == ["infeasible", "optimal"]
    # 300 m reaches no site from some demand point: the precheck says so with its reason
    assert out.loc[0, "error_type"] == "InfeasibleError"
    assert out.loc[1, "share"] == 1.0 and pd.isna(out.loc[0, "share"])
    # the cheapest cover: its objective is the open sites' costs
    cols = [TOWN.site_ids.get_loc(x) for x in json.loads(out.loc[1, "open_sites"])]
    assert out.loc[1, "objective"] == pytest.approx(TOWN.site_costs[cols].sum())
    assert covered(json.loads(out.loc[1, "open_sites"]), 5000.0) == TOWN.weights.sum()


def test_extract_returning_a_list_fails_that_row_only():
    out = erlocate.sweep(build_mclp, SCENARIOS[:2], extract=lambda r: {"sites": list(r.open_sites)})
    assert (out["failed_step"] == "extract").all() and (out["error_type"] == "InputError").all()
    assert (out["status"] == "error").all()


def build_broken(p, standard):
    if p == 1:
        return 1 / 0
    if p == 2:
        return erlocate.MCLP(p=p, max_cost=standard)  # no instance
    return build_mclp(p, standard)


def test_any_exception_fails_its_row_only():
    out = erlocate.sweep(build_broken, SCENARIOS[::3], progress=True)  # p = 1, 2, 3, 4
    assert out["p"].tolist() == [1, 2, 3, 4]
    assert out["error_type"].tolist() == ["ZeroDivisionError", "InputError", None, None]
    assert out["failed_step"].tolist() == ["build", "build", None, None]
    assert out.loc[0, "error"] == "division by zero"
    assert out.loc[1, "error"].startswith("build: must return (model, instance)")
    assert out["status"].tolist() == ["error", "error", "optimal", "optimal"]
    assert out.loc[3, "objective"] == pytest.approx(brute_force_mclp(4, 2000.0), abs=1e-6)


def test_logs_start_end_and_each_row(caplog):
    with caplog.at_level(logging.DEBUG, logger="erlocate.workflow"):
        erlocate.sweep(build_mclp, SCENARIOS[-3:])
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert info[0] == "sweep: 3 scenarios, 0 found in None, 3 to run on this process"
    assert info[-1].startswith("sweep: 3 scenarios (3 run now) in ")
    assert info[-1].endswith("2 optimal, 1 error; 1 failed")
    rows = [r.getMessage() for r in caplog.records if r.getMessage().startswith("scenario ")]
    assert len([m for m in rows if " optimal, objective " in m]) == 2


# ---------------------------------------------------------------------------- resuming
RUN = """
import sys
import erlocate
from tests.workflow.sweep_cases import SCENARIOS, build_logged
erlocate.sweep(build_logged, SCENARIOS, path=sys.argv[1], shared={"log_dir": sys.argv[2],
               "delay": float(sys.argv[3])})
"""


def _calls(log):
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_an_interrupted_sweep_resumes_without_redoing_finished_rows(
    tmp_path, suffix, serial, monkeypatch
):
    path = tmp_path / f"results{suffix}"
    store = ResultStore(path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SWEEP_CALLS": "first.log"}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN, str(path), str(tmp_path), "0.4"], env=env, cwd=ROOT
    )
    deadline = time.monotonic() + 120
    while len(store.read()) < 4 and time.monotonic() < deadline:
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = store.read()
    assert 4 <= len(written) < 12 and not path.exists()  # parts only: the sweep never ended
    first = _calls(tmp_path / "first.log")
    assert len(first) >= len(written)

    monkeypatch.setenv("SWEEP_CALLS", "second.log")
    shared = {"log_dir": str(tmp_path), "delay": 0.0}
    out = erlocate.sweep(build_logged, SCENARIOS, path=path, shared=shared)
    second = _calls(tmp_path / "second.log")
    done_before = {
        f"{row['p']},{row['standard']}"
        for row in SCENARIOS
        if scenario_key(row) in set(written["scenario_key"])
    }
    assert len(second) == 12 - len(written)  # each scenario not on disk built once, no more
    assert done_before.isdisjoint(second)
    pd.testing.assert_frame_equal(out[SAME], serial[SAME])
    assert out["open_sites"].tolist() == serial["open_sites"].tolist()
    # the rows found on disk come back as they were written, not recomputed
    kept = out.set_index("scenario_key").loc[written["scenario_key"], "finished_at"]
    assert kept.tolist() == written["finished_at"].tolist()
    assert path.is_file() and not store.parts.exists()

    # a third run finds everything and builds nothing
    monkeypatch.setenv("SWEEP_CALLS", "third.log")
    again = erlocate.sweep(build_logged, SCENARIOS, path=path, shared=shared)
    assert _calls(tmp_path / "third.log") == []
    pd.testing.assert_frame_equal(again, out)


def build_interrupted(p, standard):
    if p == 3:
        raise KeyboardInterrupt
    return build_mclp(p, standard)


def test_ctrl_c_writes_the_rows_already_finished(tmp_path):
    path = tmp_path / "i.parquet"
    with pytest.raises(KeyboardInterrupt):
        erlocate.sweep(build_interrupted, SCENARIOS, path=path)
    on_disk = ResultStore(path).read()  # within FLUSH_SECONDS of each other: not yet written
    assert sorted(on_disk["scenario_key"]) == sorted(scenario_key(s) for s in SCENARIOS[:6])


def test_retry_failed_reruns_only_the_failed_rows(tmp_path):
    path = tmp_path / "r.csv"
    first = erlocate.sweep(
        build_logged, SCENARIOS[-3:], path=path, shared={"log_dir": str(tmp_path)}
    )
    assert first["status"].tolist() == ["optimal", "optimal", "error"]
    on_disk = pd.read_csv(path)  # the scenario's columns with its figures
    assert on_disk[["p", "standard", "status"]].values.tolist() == [
        [4, 2000.0, "optimal"],
        [4, 3000.0, "optimal"],
        [20, 3000.0, "error"],
    ]
    kept = erlocate.sweep(
        build_logged, SCENARIOS[-3:], path=path, shared={"log_dir": str(tmp_path)}
    )
    assert len(_calls(tmp_path / "calls.log")) == 3
    pd.testing.assert_frame_equal(kept, first)
    erlocate.sweep(
        build_logged,
        SCENARIOS[-3:],
        path=path,
        shared={"log_dir": str(tmp_path)},
        retry_failed=True,
    )
    assert _calls(tmp_path / "calls.log") == ["4,2000.0", "4,3000.0", "20,3000.0", "20,3000.0"]


def test_an_explicit_key_column_names_the_rows(tmp_path):
    rows = [{"name": f"NA-{i}", **s} for i, s in enumerate(SCENARIOS[:3])] + [
        {"name": "NA", "p": 2, "standard": 4000.0}
    ]
    path = tmp_path / "k.csv"
    out = erlocate.sweep(build_mclp_named, rows, key="name", path=path)
    assert out["scenario_key"].tolist() == ["NA-0", "NA-1", "NA-2", "NA"]
    again = erlocate.sweep(build_mclp_named, rows, key="name", path=path)
    pd.testing.assert_frame_equal(again, out)


def build_mclp_named(name, p, standard):
    return build_mclp(p, standard)


# ---------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scenarios": []}, "scenarios"),
        ({"scenarios": "p=3"}, "scenarios"),
        ({"scenarios": {"p": 3, "standard": [1.0]}}, "scenarios"),
        ({"scenarios": [{"p": 1, "standard": 1.0}, {"p": 2}]}, "scenarios"),
        ({"scenarios": [{"p": 1, "standard": 1.0}] * 2}, "scenarios"),
        ({"scenarios": [{"p": 1, "standard": 1.0, "status": "x"}]}, "scenarios"),
        ({"scenarios": [{"p": 1, "standard": 1.0, "q": object()}]}, "scenarios"),
        ({"key": "name"}, "key"),
        ({"build": "build_mclp"}, "build"),
        ({"build": lambda p: None}, "build"),
        ({"shared": {"p": 3}}, "shared"),
        ({"shared": [1]}, "shared"),
        ({"time_limit": "5"}, "time_limit"),
        ({"solve_options": {"threads": 0}}, "threads"),
        ({"solve_options": {"time_limit": 1}, "time_limit": 2}, "solve_options"),
        ({"tim_limit": 5}, "tim_limit"),
        ({"backend": 3}, "backend"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"n_jobs": 2, "client": object()}, "n_jobs"),
        ({"client": object()}, "client"),
        ({"batch_size": 0}, "batch_size"),
        ({"retry_failed": "no"}, "retry_failed"),
        ({"path": "results.xlsx"}, "path"),
        ({"path": "/no/such/folder/r.csv"}, "path"),
    ],
)
def test_bad_inputs_name_the_field(kwargs, field):
    args = {"build": build_mclp, "scenarios": SCENARIOS[:2], **kwargs}
    with pytest.raises(InputError) as err:
        erlocate.sweep(args.pop("build"), args.pop("scenarios"), **args)
    assert err.value.field == field


def test_a_missing_backend_is_one_error_not_one_per_row():
    with pytest.raises(erlocate.errors.BackendError):
        erlocate.sweep(build_mclp, SCENARIOS[:2], backend="no-such-solver")
