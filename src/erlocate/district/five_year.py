r"""The figures of the five-year fire-station plan under flood and earthquake.

``examples/five_year_plan.ipynb`` plans the district's fire stations over five
years against the hazard states of :mod:`erlocate.district.scenarios`; the
tables it shows beyond the library's own (trade-off, regret, alternatives,
schedule, sweep) come from here, so that a test can recompute each one:

* :func:`hazard_table` — what each hazard state does to the roads, the sites
  and the reach of the stations;
* :func:`yearly_coverage` — a phased plan's coverage year by year in every
  hazard state;
* :func:`stations_needed` — from a sweep's table, the fewest stations that keep
  a share of the people within the standard, per hazard and standard.

The settings (:data:`PLAN_P`, :data:`STANDARD`, :data:`BUDGETS`,
:data:`SWEEP_GRID`, :data:`TARGET_SHARE`) are the notebook's; the budgets and
the programme's size are ILLUSTRATIVE (ours, not the district's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from erlocate.district.scenarios import HAZARDS
from erlocate.errors import InputError
from erlocate.geo import RoadNetwork
from erlocate.models import RobustMCLP, Scenarios
from erlocate.result import Result

__all__ = [
    "BUDGETS",
    "PLAN_P",
    "STANDARD",
    "SWEEP_GRID",
    "TARGET_SHARE",
    "hazard_table",
    "stations_needed",
    "sweep_coverage",
    "yearly_coverage",
]

#: Driving minutes within which a community counts as covered: the 5-minute
#: response standard less 1 minute of turnout.
STANDARD = 4.0
#: ILLUSTRATIVE: the stations open at the end of the programme, the existing one included
#: (the existing station and five new ones, about one a year).
PLAN_P = 6
#: ILLUSTRATIVE yearly budgets, 10⁶ CNY (the dataset's site costs are in the same unit).
BUDGETS = (20.0, 20.0, 20.0, 10.0, 10.0)
#: The 200 scenarios of the sweep: stations × hazard state × standard (driving minutes).
SWEEP_GRID: dict[str, list[Any]] = {
    "p": list(range(1, 11)),
    "hazard": list(HAZARDS),
    "standard": [3.0, 3.5, 4.0, 4.5, 5.0],
}
#: The share of the risk-weighted people to keep within the standard in :func:`stations_needed`.
TARGET_SHARE = 0.6


def hazard_table(
    scenarios: Scenarios, networks: Mapping[str, RoadNetwork], standard: float = STANDARD
) -> pd.DataFrame:
    """What each hazard state does, one row per scenario.

    Columns: ``road_km_closed`` (road length closed against the first
    network, km), ``sites_lost`` (candidate sites that serve nobody),
    ``cut_off`` (communities no remaining station reaches within
    :data:`~erlocate.district.scenarios.MAX_MINUTES`), ``existing_covers``
    (risk-weighted people within ``standard`` of the existing station),
    ``best_possible`` (within ``standard`` of any remaining site: what every
    station built would cover) and ``best_possible_share``.
    """
    missing = [n for n in scenarios.names if n not in networks]
    if missing:
        raise InputError(
            f"networks: no road network for scenarios {missing}; give one per scenario",
            field="networks",
        )
    base = networks[scenarios.names[0]].edges["length_m"].sum()
    rows = {}
    for name in scenarios.names:
        inst = scenarios.effective(name)
        within = inst.dense_costs() <= standard
        w = inst.weights
        rows[name] = {
            "road_km_closed": (base - networks[name].edges["length_m"].sum()) / 1000.0,
            "sites_lost": ", ".join(map(str, scenarios.lost.get(name, []))),
            "cut_off": int((np.diff(inst.indptr) == 0).sum()),
            "existing_covers": float(w @ within[:, inst.required].any(axis=1)),
            "best_possible": float(w @ within.any(axis=1)),
            "best_possible_share": float(w @ within.any(axis=1)) / float(w.sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("hazard")


def yearly_coverage(schedule: Result, model: RobustMCLP) -> pd.DataFrame:
    """A phased plan's covered weight in every hazard state, year by year.

    ``schedule`` is the :func:`~erlocate.models.phased.schedule` of a plan
    (its ``report()["sites"]`` gives each site's year; year 0: the existing
    stations); ``model`` holds the scenarios and the standard. One row per
    year: ``opened`` (site ids opened that year), one column per scenario
    (risk-weighted people within the standard of a station open and
    available that year) and ``worst`` (their minimum).
    """
    if not isinstance(model, RobustMCLP):
        raise InputError(
            f"model: a RobustMCLP (its scenarios and standard), got {type(model).__name__}",
            field="model",
        )
    if schedule.plan is None or "sites" not in schedule.report():
        raise InputError("schedule: a solved schedule() result with a plan", field="schedule")
    sites = schedule.report()["sites"]
    inst = schedule.instance
    year_of = sites["year_opened"].reindex(inst.site_ids)  # NaN: never opened
    years = np.arange(int(sites["year_opened"].max()) + 1)
    masks = (year_of.to_numpy()[:, None] <= years[None, :]) & year_of.notna().to_numpy()[:, None]
    values = model.scenario_values(inst, masks)
    out = pd.DataFrame(values.T, index=pd.Index(years, name="year"), columns=list(model.scenarios))
    names = pd.Series(sites.index.astype(str), index=sites.index)
    opened = names.groupby(sites["year_opened"]).agg(", ".join)
    out.insert(0, "opened", opened.reindex(years).fillna("").to_numpy())
    out["worst"] = values.min(axis=0)
    return out


def stations_needed(table: pd.DataFrame, share: float = TARGET_SHARE) -> pd.DataFrame:
    """The fewest stations whose best plan covers at least ``share``, hazard × standard.

    ``table`` is a sweep's table with columns ``hazard``, ``standard``, ``p``
    and ``coverage_share`` (e.g. ``extract=sweep_coverage``), every row solved
    to optimality. A cell is NaN when no ``p`` of the sweep reaches ``share``.
    """
    need = {"hazard", "standard", "p", "coverage_share", "status"}
    if not need <= set(table.columns):
        raise InputError(
            f"table: a sweep table with columns {sorted(need)}; missing "
            f"{sorted(need - set(table.columns))} (sweep with extract=sweep_coverage)",
            field="table",
        )
    bad = table[table["status"] != "optimal"]
    if len(bad):
        raise InputError(
            f"table: {len(bad)} rows not proven optimal (first: {bad.iloc[0].to_dict()}); "
            "the fewest stations needs every optimum",
            field="table",
        )
    reach = table[table["coverage_share"] >= share]
    out = reach.groupby(["hazard", "standard"])["p"].min().unstack("standard")
    hazards = list(dict.fromkeys(table["hazard"]))
    standards = sorted(set(table["standard"]))
    return out.reindex(index=hazards, columns=standards).rename_axis(index="hazard")


def sweep_coverage(result: Result) -> dict[str, float]:
    """``extract=`` for :func:`erlocate.sweep`: the covered share of the weight."""
    share = result.coverage_share
    return {"coverage_share": float("nan") if share is None else float(share)}
