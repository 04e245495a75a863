"""A sweep's results on disk, written as they arrive, read back to resume.

A sweep writing to ``results.parquet`` (or ``results.csv``) puts the rows
finished within each second (:data:`FLUSH_SECONDS`) in their own part file
under ``results.parquet.parts/``, written to a temporary name and renamed, so
a killed sweep leaves only whole parts (and loses at most a second of rows).
At the end the parts and any earlier ``results.parquet`` are merged into
``results.parquet`` (again written aside and renamed) and the parts removed.
Reading takes the merged file and the parts, the last record of each
scenario key winning (a retried row replaces its failure).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from erlocate.errors import InputError
from erlocate.workflow.tasks import KEY, RESULT_COLUMNS, is_plain

__all__ = ["FLUSH_SECONDS", "ResultStore", "storable", "typed"]

log = logging.getLogger(__name__)

FORMATS = {".parquet": "parquet", ".csv": "csv"}

#: Rows arriving within this many seconds of the last write go to disk together (a part
#: file costs about 10-20 ms to write: one per row would dominate sweeps of quick solves).
FLUSH_SECONDS = 1.0


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the sweep's columns in their dtypes (missing cells None / NaN / <NA>).

    The same dtypes whether a row was just computed or read back from CSV or Parquet.
    """
    out = frame.copy()
    for name, dtype in RESULT_COLUMNS.items():
        if name not in out:
            out[name] = None
        if dtype == "object":
            col = out[name].astype(object)
            out[name] = col.where(col.notna(), None)
        else:
            out[name] = pd.to_numeric(out[name]).astype(dtype)
    out[KEY] = out[KEY].astype(str)
    return out


def storable(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a file holds it: a column of values other than one plain kind becomes text.

    Plain cells (numbers, str, bool, None) of one kind per column are kept; a column
    holding anything else (a polygon, a tuple) or mixing numbers and text is written
    as ``str`` of each value (the sweep's returned table keeps the originals).
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype != object:
            continue
        values = [v for v in col if v is not None and not (isinstance(v, float) and v != v)]
        kinds = {
            str if isinstance(v, str) else bool if isinstance(v, bool) else float
            for v in values
            if is_plain(v)
        }
        if len(kinds) > 1 or any(not is_plain(v) for v in values):
            out[name] = col.map(lambda v: None if v is None else str(v))
    return out


class ResultStore:
    """The records of a sweep in ``path`` (Parquet or CSV) and its ``<path>.parts/`` directory.

    Parameters
    ----------
    path : str or os.PathLike
        Ending in ``.parquet`` (needs pyarrow) or ``.csv``.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        fmt = FORMATS.get(self.path.suffix.lower())
        if fmt is None:
            raise InputError(
                f"path: {str(self.path)!r} must end in .parquet or .csv (the file format)",
                field="path",
            )
        if fmt == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise InputError(
                    f"path: writing {self.path.name} needs pyarrow (pip install pyarrow, or "
                    "erlocate[parallel]); or write CSV: path ending in .csv",
                    field="path",
                ) from None
        if not self.path.parent.is_dir():
            raise InputError(
                f"path: the folder {str(self.path.parent)!r} does not exist", field="path"
            )
        self.format = fmt
        self.parts = self.path.with_name(self.path.name + ".parts")
        self.written = 0
        self.pending: list[Mapping[str, Any]] = []
        self.last = time.perf_counter()

    # ------------------------------------------------------------------ reading
    def _read_one(self, file: Path) -> pd.DataFrame:
        if self.format == "parquet":
            return pd.read_parquet(file)
        # only an empty cell is missing (an error message or a key may read "NA" or "None")
        names = pd.read_csv(file, nrows=0).columns
        text = {n: str for n, d in RESULT_COLUMNS.items() if d == "object"}
        return pd.read_csv(
            file,
            dtype={KEY: str, **text},
            keep_default_na=False,
            na_values={n: [""] for n in names if n != KEY},
        )

    def part_files(self) -> list[Path]:
        """The part files, oldest first (their names start with a nanosecond clock)."""
        if not self.parts.is_dir():
            return []
        return sorted(self.parts.glob(f"part-*{self.path.suffix}"))

    def read(self) -> pd.DataFrame:
        """Every record on disk, the last per scenario key, in the sweep's dtypes."""
        files = ([self.path] if self.path.is_file() else []) + self.part_files()
        frames = [self._read_one(f) for f in files]
        frames = [f for f in frames if len(f)]
        if not frames:
            return typed(pd.DataFrame({KEY: pd.Series([], dtype=str)}))
        records = pd.concat(frames, ignore_index=True)
        if KEY not in records:
            raise InputError(
                f"path: {str(self.path)!r} has no {KEY!r} column, so it is not a sweep's "
                "results; pass a new path",
                field="path",
            )
        records = records.drop_duplicates(KEY, keep="last").reset_index(drop=True)
        return typed(records)

    # ------------------------------------------------------------------ writing
    def append(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Write ``records`` as one new part (written aside, then renamed into place)."""
        if not records:
            return
        self.parts.mkdir(exist_ok=True)
        name = f"part-{time.time_ns():020d}-{os.getpid()}-{self.written:06d}{self.path.suffix}"
        self.written += 1
        self._write(storable(typed(pd.DataFrame(list(records)))), self.parts / name)

    def add(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Queue ``records``; write the queue when :data:`FLUSH_SECONDS` have passed."""
        self.pending.extend(records)
        if time.perf_counter() - self.last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the queued records now (one part)."""
        self.append(self.pending)
        self.pending = []
        self.last = time.perf_counter()

    def _write(self, frame: pd.DataFrame, file: Path) -> None:
        tmp = file.with_name(f".{file.name}.tmp")
        if self.format == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, file)

    def merge(self) -> pd.DataFrame:
        """Merge the file and its parts into ``path``; remove the parts. Returns the records."""
        records = self.read()
        if self.part_files():
            self._write(storable(records), self.path)
            shutil.rmtree(self.parts)
            log.debug("merged the sweep's parts into %s (%d rows)", self.path, len(records))
        return records
