"""Fire-station defaults: the station-type table (建标152-2017, GB/T 35547-2017) and the options.

The default table, :func:`station_types`, carries the figures of the urban fire
station standard 《城市消防站建设标准》建标152-2017 and the township brigade
standard 《乡镇消防队》GB/T 35547-2017 as distilled in ``BRIEF.md`` item 4 and
``reference/domain.md`` §1.1–1.2. Costs are **illustrative** (no standard gives
them); pass your own table for real planning. :func:`check_types` validates a
user's table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.planning.inputs import real_array

__all__ = ["MODES", "SECOND", "TYPE_COLUMNS", "check_types", "station_types"]

#: The two planning modes of :class:`~erlocate.planning.firestations.FireStations`.
MODES = ("cover_all", "max_cover")
#: The ``second_cover`` options (None: no second coverage).
SECOND = (None, "objective", "require")

#: Columns every station-type table must have.
TYPE_COLUMNS = ("type", "area_cap_km2", "crew", "cost", "engines")

_JB = "建标152-2017 (domain.md §1.1)"
_GB = "GB/T 35547-2017 (domain.md §1.2)"


def station_types() -> pd.DataFrame:
    """The default fire-station type table (a fresh copy each call).

    =========  ======  =======  ====  ====  =======  ==========================================
    type       cap km² engines  crew  cost  default  where the figures come from
    =========  ======  =======  ====  ====  =======  ==========================================
    class1     7       6        36    30    yes      建标152-2017: ≤ 7 km², 5–7 engines, 30–45
                                                     on duty
    class2     4       3        18    20    yes      建标152-2017: ≤ 4 km², 2–4 engines, 15–25
    small      2       2        15    11    yes      建标152-2017: ≤ 2 km², 15 on duty (two
                                                     squads); 2 engines is our assumption
    suburban   15      6        36    32    no       建标152-2017: ≤ 15 km² in suburban / new
                                                     districts with good roads; class-1 fit-out
                                                     is our assumption
    township1  inf     2        12    6     no       GB/T 35547-2017 一级乡镇专职队: ≥ 2 engines;
                                                     6 crew per engine (ours)
    township2  inf     1        8     4     no       GB/T 35547-2017 二级乡镇专职队: ≥ 1 engine;
                                                     8 crew from local practice (8–10)
    =========  ======  =======  ====  ====  =======  ==========================================

    * ``area_cap_km2``: the largest responsibility district (km²) of a station
      of this type; ``inf`` = no cap (the township standard gives none; the
      5-minute reach still bounds the district).
    * ``crew``: persons on duty per shift, sized at about 6 per engine
      (建标152-2017 sizing rule, BRIEF.md item 4), within the standard's ranges.
    * ``engines``: fire engines; mid-range of the standard where it gives one.
    * ``cost``: **illustrative** construction cost in million CNY, for ranking
      only — no standard gives costs. They are set so that class-1 is the
      cheapest per km² of district (4.3 vs 5.0 class-2, 5.5 small), echoing
      GB 51080-2015 §4.1.2 (class-1 is the default; class-2 only where class-1
      is infeasible). Replace with local estimates.
    * ``default_allowed``: whether the type may be built at a site that has no
      explicit permission. Suburban stations and township brigades are only
      allowed where the ``allowed`` argument of
      :class:`~erlocate.planning.firestations.FireStations` says so (they
      would otherwise displace the urban types wherever they are cheaper).

    Returns
    -------
    pandas.DataFrame
        Columns ``type, name, area_cap_km2, engines, crew, cost, default_allowed,
        source``.
    """
    rows = [
        ("class1", "一级普通消防站 class-1 urban", 7.0, 6, 36, 30.0, True, _JB),
        ("class2", "二级普通消防站 class-2 urban", 4.0, 3, 18, 20.0, True, _JB),
        ("small", "小型普通消防站 small urban", 2.0, 2, 15, 11.0, True, _JB + "; engines assumed"),
        ("suburban", "郊区消防站 suburban (class-1 fit-out)", 15.0, 6, 36, 32.0, False, _JB),
        ("township1", "一级乡镇专职消防队 township level-1", np.inf, 2, 12, 6.0, False, _GB),
        ("township2", "二级乡镇专职消防队 township level-2", np.inf, 1, 8, 4.0, False, _GB),
    ]
    cols = ["type", "name", "area_cap_km2", "engines", "crew", "cost", "default_allowed", "source"]
    table = pd.DataFrame(rows, columns=cols)
    table["source"] = table["source"] + "; cost illustrative (million CNY)"
    return table


def check_types(types: Any) -> pd.DataFrame:
    """Validate a station-type table and return a clean copy (0..T-1 index).

    Missing ``default_allowed`` means every type is allowed everywhere;
    missing ``name`` repeats ``type``.
    """
    if types is None:
        types = station_types()
    if not isinstance(types, pd.DataFrame):
        raise InputError(
            f"types: expected a pandas DataFrame with columns {list(TYPE_COLUMNS)}, got "
            f"{type(types).__name__}; start from erlocate.planning.stationtypes.station_types()",
            field="types",
        )
    missing = [c for c in TYPE_COLUMNS if c not in types.columns]
    if missing:
        raise InputError(
            f"types: missing columns {missing}; a station-type table needs {list(TYPE_COLUMNS)}",
            field="types",
        )
    if types.empty:
        raise InputError("types: the table has no rows; give at least one type", field="types")
    out = types.reset_index(drop=True).copy()
    out["type"] = out["type"].astype(str)
    dup = out["type"][out["type"].duplicated()].tolist()
    if dup:
        raise InputError(f"types: duplicated type names {dup}", field="types")
    for col in ("area_cap_km2", "crew", "cost", "engines"):
        try:
            vals = pd.Series(real_array(out[col].to_numpy(), "types"), index=out.index)
        except InputError as exc:
            raise InputError(f"types: column {col!r}: {exc}", field="types") from None
        bad = out["type"][vals.isna() | (vals < 0) | (np.isinf(vals) & (col != "area_cap_km2"))]
        if len(bad):
            raise InputError(
                f"types: column {col!r} must be finite and >= 0 (area_cap_km2 may be inf); "
                f"bad for types {bad.tolist()}",
                field="types",
            )
        # integer columns (crew, engines) stay integers: nothing coerced
        out[col] = vals.astype(out[col].dtype) if out[col].dtype.kind in "iu" else vals
    zero_cap = out["type"][out["area_cap_km2"] <= 0].tolist()
    if zero_cap:
        raise InputError(
            f"types: area_cap_km2 must be > 0 (a station needs a district); 0 for {zero_cap}",
            field="types",
        )
    if "default_allowed" not in out.columns:
        out["default_allowed"] = True
    flags = out["default_allowed"]
    if not flags.map(lambda v: isinstance(v, (bool, np.bool_))).all():
        raise InputError(
            "types: column 'default_allowed' must hold True/False, got "
            f"{flags[~flags.map(lambda v: isinstance(v, (bool, np.bool_)))].head(3).tolist()}",
            field="types",
        )
    out["default_allowed"] = flags.astype(bool)
    if "name" not in out.columns:
        out["name"] = out["type"]
    return out
