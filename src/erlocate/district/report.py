"""The district plan's report: key tables, a Markdown report, PNG maps and CSV tables.

:func:`plan_tables` turns the four verified results of
:func:`erlocate.district.plan_district` into the figures a planner quotes
(population within the 5-minute standard before and after, shelter m² per person
before and after, depot stock against each category's peak need, every zone's
staffing against its minimum); :func:`erlocate.district.markdown.write_report`
writes them out:

* ``report.md`` — one section per model: status, objective, bound and gap, solve
  seconds, the verification, the figures and tables, and the map;
* ``maps/<section>.png`` — one map per model (matplotlib, headless);
* ``tables/*.csv`` — the key figures, the solver runs and every planner table of
  the four models (``<section>_<table>.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from erlocate.result import Result

if TYPE_CHECKING:
    from erlocate.datasets import District

__all__ = [
    "OBJECTIVES",
    "TITLES",
    "DistrictPlan",
    "Finding",
    "plan_tables",
]

TITLES = {
    "fire_stations": "Fire stations",
    "shelters": "Shelters",
    "depots": "Materials depots",
    "teams": "Rescue teams",
}
OBJECTIVES = {
    "fire_stations": "cost of new stations, 10⁶ CNY (type table, illustrative)",
    "shelters": "new shelters + people × walking minutes / (bound + 1) (lexicographic)",
    "depots": "yuan per year: fixed + holding + retainers + expected transport (illustrative)",
    "teams": "risk × primary response minutes + 0.5 per re-based team",
}


# ---------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class Finding:
    """A request the data cannot meet: what, the library's error, and what was solved instead."""

    summary: str
    error: str
    instead: str

    def __str__(self) -> str:
        return f"{self.summary} Error: {self.error} Instead: {self.instead}"


@dataclass(frozen=True, eq=False)
class DistrictPlan:
    """The four verified plans of the district, their variants, findings and key tables.

    Attributes:
        fire_stations, shelters, depots, teams: the results the report is built on.
        variants: further results by name (``fire_stations_2_new``: the plan's
            "1–2 new stations", maximum risk-weighted cover with 2 new stations).
        findings: by section, a :class:`Finding`: what could not be planned as
            asked, the ``InfeasibleError`` message, and what was solved instead.
        tables: key tables by name (see :func:`plan_tables`).
        district: the data.
        seconds: wall-clock seconds of ``plan_district`` (without the report).
        out: the report folder, when one was written.
    """

    fire_stations: Result
    shelters: Result
    depots: Result
    teams: Result
    variants: dict[str, Result]
    findings: dict[str, Finding]
    tables: dict[str, pd.DataFrame]
    district: District
    seconds: float
    out: Path | None = field(default=None)

    @property
    def results(self) -> dict[str, Result]:
        """The four main results by section name."""
        return {
            "fire_stations": self.fire_stations,
            "shelters": self.shelters,
            "depots": self.depots,
            "teams": self.teams,
        }

    @property
    def figures(self) -> pd.DataFrame:
        """The key figures (section, figure, value, unit)."""
        return self.tables["key_figures"]


# ---------------------------------------------------------------------- tables
def _runs(parts: dict[str, Result], variants: dict[str, Result]) -> pd.DataFrame:
    keep = ["model", "status", "objective", "bound", "gap", "runtime", "build_time"]
    rows = {name: r.to_dict() for name, r in {**parts, **variants}.items()}
    runs = pd.DataFrame(rows).T[[*keep, "milp_rows", "milp_cols"]].rename_axis("section")
    return runs.infer_objects().assign(verified=True)  # plan_district ran Result.verify()


def plan_tables(
    district: District, parts: dict[str, Result], variants: dict[str, Result]
) -> dict[str, pd.DataFrame]:
    """Key figures, solver runs and the per-model tables the report shows.

    Returns ``key_figures`` (indexed by a stable key such as ``fire.within_before``;
    columns ``section, figure, value, unit``), ``runs`` (one row per solve),
    ``shelter_area`` (gross and usable m² per person, existing vs after),
    ``depot_categories`` (stock + reserve vs the peak need per category),
    ``staffing_by_level`` and ``staffing`` (every zone's people vs its minimum).
    """
    fire = parts["fire_stations"].report()["summary"]["value"]
    fire2 = variants["fire_stations_2_new"].report()["summary"]["value"]
    shelter_area, shelter_rows = _shelters(district, parts["shelters"])
    depot_categories, depot_rows = _depots(parts["depots"])
    staffing, by_level, team_rows = _teams(parts["teams"])
    rows = [*_fire_rows(fire, fire2), *shelter_rows, *depot_rows, *team_rows]
    key = pd.DataFrame(rows, columns=["key", "section", "figure", "value", "unit"])
    key = key.set_index("key")
    key["value"] = key["value"].astype(object)
    return {
        "key_figures": key,
        "runs": _runs(parts, variants),
        "fire_summary": pd.DataFrame(
            {"plan (cover all)": fire, "2 new stations": fire2}
        ).rename_axis("metric"),
        "fire_by_type": parts["fire_stations"].report()["by_type"],
        "shelter_area": shelter_area,
        "depot_categories": depot_categories,
        "staffing_by_level": by_level,
        "staffing": staffing,
    }


Row = tuple[str, str, str, Any, str]


def _pct(v: float) -> str:
    return f"{100 * v:.1f} %"


def _fire_rows(fire: pd.Series, fire2: pd.Series) -> list[Row]:
    """Coverage within the 5-minute standard before, after and with the plan's 2 new stations."""
    return [
        ("fire.within_before", "fire_stations", "population within 5 min, existing station only",
         fire["population_within_standard_before"], "people"),
        ("fire.share_before", "fire_stations", "share within 5 min, existing station only",
         _pct(fire["share_within_standard_before"]), ""),
        ("fire.within_after", "fire_stations", "population within 5 min, plan (no avoidable "
         "blank spot)", fire["population_within_standard_after"], "people"),
        ("fire.share_after", "fire_stations", "share within 5 min, plan",
         _pct(fire["share_within_standard_after"]), ""),
        ("fire.new", "fire_stations", "new stations in the plan", fire["stations_new"], ""),
        ("fire.cost", "fire_stations", "cost of the new stations (illustrative)",
         fire["cost_counted"], "10⁶ CNY"),
        ("fire.crew", "fire_stations", "crew on duty, all stations", fire["crew_on_duty"],
         "people"),
        ("fire.blank", "fire_stations", "unavoidable blank spots (no candidate within 5 min)",
         fire["unavoidable_blank_spots"], "communities"),
        ("fire.within_2_new", "fire_stations", "population within 5 min with the plan's 2 new "
         "stations (max cover)", fire2["population_within_standard_after"], "people"),
        ("fire.share_2_new", "fire_stations", "share within 5 min with 2 new stations",
         _pct(fire2["share_within_standard_after"]), ""),
    ]  # fmt: skip


def _shelters(d: District, sh: Result) -> tuple[pd.DataFrame, list[Row]]:
    """Shelter area (gross, usable; per person) existing vs after, and the key figures."""
    pop = float(d.communities["population"].sum())
    assert sh.plan is not None  # plan_district keeps verified results only
    open_ = pd.Series(sh.plan.open, index=sh.instance.site_ids)
    sites = d.shelters.assign(open=open_)
    area = pd.DataFrame(
        {
            "existing": sites.loc[sites["existing"], ["area_m2", "usable_area_m2"]].sum(),
            "after": sites.loc[sites["open"], ["area_m2", "usable_area_m2"]].sum(),
        }
    ).rename(index={"area_m2": "gross area m²", "usable_area_m2": "usable area m²"})
    per = (area / pop).rename(index=lambda s: s.replace(" m²", " m² per person"))
    walking = sh.report()["walking"]["value"]
    new_sh = open_.index[open_ & ~sites["existing"]].tolist()
    rows: list[Row] = [
        ("shelters.gross_before", "shelters", "gross shelter area per person, existing",
         round(float(per.loc["gross area m² per person", "existing"]), 2), "m²/person"),
        ("shelters.gross_after", "shelters", "gross shelter area per person, after",
         round(float(per.loc["gross area m² per person", "after"]), 2), "m²/person"),
        ("shelters.usable_before", "shelters", "usable shelter area per person, existing",
         round(float(per.loc["usable area m² per person", "existing"]), 2), "m²/person"),
        ("shelters.usable_after", "shelters", "usable shelter area per person, after",
         round(float(per.loc["usable area m² per person", "after"]), 2), "m²/person"),
        ("shelters.new", "shelters", "new shelters", ", ".join(new_sh), ""),
        ("shelters.people", "shelters", "people to shelter (30 %)", walking["people housed"],
         "people"),
        ("shelters.walk_mean", "shelters", "mean walk", round(walking["mean"], 1), "min"),
        ("shelters.walk_max", "shelters", "longest walk", round(walking["max"], 1), "min"),
    ]  # fmt: skip
    return pd.concat([area, per]).rename_axis("shelter area"), rows


def _depots(result: Result) -> tuple[pd.DataFrame, list[Row]]:
    """Stock + reserve against the peak need per category, and the key figures."""
    dep = result.report()
    cats = dep["categories"]
    cover = (cats["stock"] + cats["reserve"]) / cats["peak_need"]
    categories = cats[["abc", "stock", "reserve", "peak_need", "peak_scenario"]].assign(
        stock_plus_reserve_per_peak=cover
    )
    depots = dep["depots"]
    rows: list[Row] = [
        ("depots.open", "depots", "open depots (existing + opened)",
         int(depots["status"].isin(["existing", "opened"]).sum()), ""),
        ("depots.opened", "depots", "depots opened",
         ", ".join(depots.index[depots["status"] == "opened"]), ""),
        ("depots.excluded", "depots", "sites excluded (flood zone, fault line)",
         ", ".join(depots.index[depots["status"] == "excluded"]), ""),
        ("depots.short", "depots", "categories whose stock + reserve is below the peak need",
         int((cover < 1 - 1e-9).sum()), ""),
    ]  # fmt: skip
    return categories, rows


def _teams(result: Result) -> tuple[pd.DataFrame, pd.DataFrame, list[Row]]:
    """Staffing per zone and per level, and the key figures."""
    tm = result.report()
    staffing = tm["staffing"]
    by_level = staffing.groupby("level", sort=False).agg(
        zones=("minimum", "size"),
        minimum=("minimum", "sum"),
        people=("people", "sum"),
        zones_meeting_minimum=("surplus", lambda s: int((s >= 0).sum())),
        smallest_surplus=("surplus", "min"),
    )
    hz = tm["hazard_coverage"]
    rows: list[Row] = [
        ("teams.zones_met", "teams", "zones meeting their staffing minimum",
         f"{int((staffing['surplus'] >= 0).sum())} of {len(staffing)}", ""),
        ("teams.rebased", "teams", "teams re-based", len(tm["rebased"]), ""),
        ("teams.hazard_cover", "teams", "key zone × hazard pairs covered within standard",
         f"{int(hz['met'].sum())} of {len(hz)}", ""),
    ]  # fmt: skip
    return staffing, by_level, rows


# ---------------------------------------------------------------------- text
