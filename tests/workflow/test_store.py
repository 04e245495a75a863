"""ResultStore: the sweep's rows on disk (Parquet and CSV), read back as written."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
import shapely

from erlocate.errors import InputError
from erlocate.workflow.store import ResultStore, storable, typed
from erlocate.workflow.tasks import KEY, RESULT_COLUMNS

ROWS = [
    {
        KEY: "a",
        "p": 2,
        "zone": shapely.box(0, 0, 1, 1),
        "status": "optimal",
        "objective": 0.1 + 0.2,  # 0.30000000000000004: written and read back to the bit
        "bound": 0.30000000000000004,
        "gap": 0.0,
        "n_open": 2,
        "open_sites": '["s1", "s 2"]',
        "solve_s": 1e-7,
        "share": 0.75,
    },
    {
        KEY: "NA",  # a key or a message reading "NA" or "None" stays text
        "p": 3,
        "zone": None,
        "status": "error",
        "failed_step": "build",
        "error_type": "KeyError",
        "error": "None",
        "share": None,
    },
]


@pytest.fixture(params=[".parquet", ".csv"])
def store(request, tmp_path):
    return ResultStore(tmp_path / f"r{request.param}")


def test_rows_come_back_as_written(store):
    store.append(ROWS)
    back = store.read()
    assert back[KEY].tolist() == ["a", "NA"]
    assert back.loc[0, "objective"] == 0.1 + 0.2 and back.loc[0, "solve_s"] == 1e-7
    assert back.loc[0, "open_sites"] == '["s1", "s 2"]'
    assert back.loc[1, "error"] == "None" and back.loc[1, "objective"] != back.loc[1, "objective"]
    assert back.loc[1, "open_sites"] is None and back.loc[0, "error"] is None
    assert back["n_open"].dtype == "Int64" and back["n_open"].isna().tolist() == [False, True]
    assert back.loc[0, "zone"] == "POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))"  # a polygon as its text
    assert back["share"].tolist()[0] == 0.75 and pd.isna(back["share"].tolist()[1])
    # the dtypes of a just-computed table, whichever the format
    fresh = typed(pd.DataFrame(ROWS))
    for name in RESULT_COLUMNS:
        assert back[name].dtype == fresh[name].dtype, name


def test_the_last_record_of_a_key_wins_and_merge_leaves_one_file(store):
    store.append(ROWS)
    store.append([{KEY: "NA", "status": "optimal", "objective": 5.0}])
    assert store.read().set_index(KEY).loc["NA", "status"] == "optimal"
    assert len(store.part_files()) == 2 and not store.path.exists()
    merged = store.merge()
    assert store.path.is_file() and not store.parts.exists()
    assert merged[KEY].tolist() == ["a", "NA"] and merged["objective"].tolist()[1] == 5.0
    store.append([{KEY: "b", "status": "optimal"}])  # a resumed sweep adds parts again
    assert store.read()[KEY].tolist() == ["a", "NA", "b"]


def test_a_half_written_part_is_not_read(store):
    store.append(ROWS[:1])
    # what a kill during a write leaves: the temporary file, never renamed into place
    (store.parts / f".part-9{store.path.suffix}.tmp").write_bytes(b"PAR1\x00\x01trunc")
    assert store.read()[KEY].tolist() == ["a"]


def test_queued_rows_are_written_together(store, monkeypatch):
    monkeypatch.setattr("erlocate.workflow.store.FLUSH_SECONDS", 3600.0)
    store.add(ROWS[:1])
    store.add(ROWS[1:])
    assert store.part_files() == []
    store.flush()
    assert len(store.part_files()) == 1 and len(store.read()) == 2


def test_storable_turns_mixed_columns_to_text_and_keeps_plain_ones():
    frame = pd.DataFrame(
        {"a": [1, "x"], "b": [1.5, None], "c": ["x", None], "d": [(1, 2), (3,)], "e": [1, 2]}
    )
    out = storable(frame)
    assert out["a"].tolist() == ["1", "x"] and out["d"].tolist() == ["(1, 2)", "(3,)"]
    assert out["b"].tolist()[0] == 1.5 and out["c"].tolist()[0] == "x" and pd.isna(out["c"][1])
    assert out["e"].dtype == np.int64


def test_a_file_that_is_not_a_sweeps_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    pd.DataFrame({"x": [1]}).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        ResultStore(path).read()
    assert err.value.field == "path"


def test_parquet_without_pyarrow_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    with pytest.raises(InputError, match="needs pyarrow") as err:
        ResultStore(tmp_path / "r.parquet")
    assert err.value.field == "path"
    assert ResultStore(tmp_path / "r.csv").format == "csv"  # CSV needs nothing more
