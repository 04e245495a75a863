"""The district plan's report: key tables, a Markdown report, PNG maps and CSV tables.

:func:`plan_tables` turns the four verified results of
:func:`erlocate.planning.district.plan_district` into the figures a planner quotes
(population within the 5-minute standard before and after, shelter m² per person
before and after, depot stock against each category's peak need, every zone's
staffing against its minimum); :func:`write_report` writes them out:

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

import numpy as np
import pandas as pd

from erlocate.result import Result

if TYPE_CHECKING:
    from erlocate.datasets import District

__all__ = [
    "TITLES",
    "DistrictPlan",
    "Finding",
    "format_value",
    "markdown_table",
    "plan_tables",
    "write_report",
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
    d = district
    pop = float(d.communities["population"].sum())
    fire = parts["fire_stations"].report()["summary"]["value"]
    fire2 = variants["fire_stations_2_new"].report()["summary"]["value"]
    f_rep = parts["fire_stations"].report()

    sh = parts["shelters"]
    open_ = pd.Series(sh.plan.open, index=sh.instance.site_ids)
    sites = d.shelters.assign(open=open_)
    area = pd.DataFrame(
        {
            "existing": sites.loc[sites["existing"], ["area_m2", "usable_area_m2"]].sum(),
            "after": sites.loc[sites["open"], ["area_m2", "usable_area_m2"]].sum(),
        }
    ).rename(index={"area_m2": "gross area m²", "usable_area_m2": "usable area m²"})
    per = (area / pop).rename(index=lambda s: s.replace(" m²", " m² per person"))
    shelter_area = pd.concat([area, per]).rename_axis("shelter area")
    walking = sh.report()["walking"]["value"]
    new_sh = open_.index[open_ & ~sites["existing"]].tolist()

    dep = parts["depots"].report()
    cats = dep["categories"]
    cover = (cats["stock"] + cats["reserve"]) / cats["peak_need"]
    depot_categories = cats[["abc", "stock", "reserve", "peak_need", "peak_scenario"]].assign(
        stock_plus_reserve_per_peak=cover
    )
    depots = dep["depots"]

    tm = parts["teams"].report()
    staffing = tm["staffing"]
    by_level = staffing.groupby("level", sort=False).agg(
        zones=("minimum", "size"),
        minimum=("minimum", "sum"),
        people=("people", "sum"),
        zones_meeting_minimum=("surplus", lambda s: int((s >= 0).sum())),
        smallest_surplus=("surplus", "min"),
    )
    rebased = tm["rebased"]
    hz = tm["hazard_coverage"]

    def pct(v: float) -> str:
        return f"{100 * v:.1f} %"

    rows = [
        ("fire.within_before", "fire_stations", "population within 5 min, existing station only",
         fire["population_within_standard_before"], "people"),
        ("fire.share_before", "fire_stations", "share within 5 min, existing station only",
         pct(fire["share_within_standard_before"]), ""),
        ("fire.within_after", "fire_stations", "population within 5 min, plan (no avoidable "
         "blank spot)", fire["population_within_standard_after"], "people"),
        ("fire.share_after", "fire_stations", "share within 5 min, plan",
         pct(fire["share_within_standard_after"]), ""),
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
         pct(fire2["share_within_standard_after"]), ""),
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
        ("depots.open", "depots", "open depots (existing + opened)",
         int(depots["status"].isin(["existing", "opened"]).sum()), ""),
        ("depots.opened", "depots", "depots opened",
         ", ".join(depots.index[depots["status"] == "opened"]), ""),
        ("depots.excluded", "depots", "sites excluded (flood zone, fault line)",
         ", ".join(depots.index[depots["status"] == "excluded"]), ""),
        ("depots.short", "depots", "categories whose stock + reserve is below the peak need",
         int((cover < 1 - 1e-9).sum()), ""),
        ("teams.zones_met", "teams", "zones meeting their staffing minimum",
         f"{int((staffing['surplus'] >= 0).sum())} of {len(staffing)}", ""),
        ("teams.rebased", "teams", "teams re-based", len(rebased), ""),
        ("teams.hazard_cover", "teams", "key zone × hazard pairs covered within standard",
         f"{int(hz['met'].sum())} of {len(hz)}", ""),
    ]  # fmt: skip
    key = pd.DataFrame(rows, columns=["key", "section", "figure", "value", "unit"])
    key = key.set_index("key")
    key["value"] = key["value"].astype(object)
    return {
        "key_figures": key,
        "runs": _runs(parts, variants),
        "fire_summary": pd.DataFrame(
            {"plan (cover all)": fire, "2 new stations": fire2}
        ).rename_axis("metric"),
        "fire_by_type": f_rep["by_type"],
        "shelter_area": shelter_area,
        "depot_categories": depot_categories,
        "staffing_by_level": by_level,
        "staffing": staffing,
    }


# ---------------------------------------------------------------------- text
def format_value(v: Any) -> str:
    """A number as the report prints it: thousands separators, 2 decimals, 3 digits below 1."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if np.isinf(v):
            return "∞"
        if abs(v - round(v)) <= 1e-6 * max(1.0, abs(v)) and abs(v) < 1e15:
            return f"{round(v):,.0f}"
        return f"{v:,.2f}" if abs(v) >= 1 else f"{v:.3g}"
    return str(v).replace("|", "/")


def markdown_table(frame: pd.DataFrame, index: bool = True) -> str:
    """A pandas DataFrame as a GitHub Markdown table (numbers with thousands separators)."""
    df = frame.reset_index() if index else frame
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(df[c]) else "---" for c in df)
    rows = df.itertuples(index=False)
    body = ["| " + " | ".join(format_value(v) for v in row) + " |" for row in rows]
    return "\n".join([head, sep + "|", *body])


def _status(r: Result) -> str:
    gap = "n/a" if r.gap is None else f"{100 * r.gap:.2g} %"
    obj, bound = format_value(r.objective), format_value(r.bound)
    return (
        f"Status **{r.status}**, objective {obj} (bound {bound}, gap {gap}),"
        f" solved in {r.runtime:.2f} s (+{r.build_time:.2f} s to build {r.milp_size.get('rows')}"
        f" rows × {r.milp_size.get('cols')} columns) with {r.backend}. Plan **verified**: "
        "`Result.verify()` re-checked every constraint and the objective from the input data."
    )


# ---------------------------------------------------------------------- maps
TEAM_COLOURS = {
    "fire": "#d62728",
    "forest_fire": "#2ca02c",
    "flood": "#1f77b4",
    "patrol": "#17becf",
    "militia": "#8c564b",
    "hazmat": "#9467bd",
    "volunteer": "#ff7f0e",
}


def _map(plan: DistrictPlan, name: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    d, r = plan.district, plan.results[name]
    fig, ax = plt.subplots(figsize=(9, 9))
    if name == "teams":
        _team_map(plan, ax)
    else:
        r.plot(
            ax=ax,
            roads=d.roads,
            units=d.units,
            title=_title(plan, name),
            show_links=name != "depots",
        )
    if name == "depots":
        hz = d.hazards
        hz[hz["kind"] == "flood_zone"].plot(ax=ax, color="#9ecae1", alpha=0.6, zorder=0.5)
        hz[hz["kind"] == "fault"].plot(ax=ax, color="#8c510a", linewidth=1.5, zorder=0.6)
        extra = [
            Patch(facecolor="#9ecae1", alpha=0.6, label="flood zone (no depot)"),
            Line2D([], [], color="#8c510a", lw=1.5, label="fault line (no depot within 500 m)"),
        ]
        legend = ax.get_legend()
        handles = list(legend.legend_handles) if legend is not None else []
        ax.legend(handles=handles + extra, loc="lower left", fontsize=8, framealpha=0.9)
    ax.set_xlabel("")
    ax.set_ylabel("")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def _team_map(plan: DistrictPlan, ax: Any) -> None:
    """Teams at their stations (one marker per zone and type, area ∝ people), moves as arrows."""
    from matplotlib.lines import Line2D
    from matplotlib.patheffects import withStroke

    from erlocate.maps import ROADS, UNITS_EDGE, UNITS_FACE

    d, r = plan.district, plan.teams
    zones = r.instance.demand_frame
    d.units.plot(ax=ax, facecolor=UNITS_FACE, edgecolor=UNITS_EDGE, linewidth=0.8, zorder=0)
    d.roads.plot(ax=ax, color=ROADS, linewidth=0.5, zorder=1)
    comm = zones[zones["level"].isin(["village", "community"])]
    comm.plot(ax=ax, color="#8a8a8a", markersize=6, zorder=2)
    comm[comm["key"]].plot(
        ax=ax, facecolor="none", edgecolor="#e377c2", markersize=45, linewidth=0.9, zorder=2
    )
    xy = pd.DataFrame(
        np.column_stack([zones.geometry.x, zones.geometry.y]), index=zones.index, columns=["x", "y"]
    )
    wl = r.report()["workload"]
    pro = wl[wl["type"] != "community"]
    kinds = [k for k in TEAM_COLOURS if k in set(pro["type"])]
    turn = {k: 2 * np.pi * i / max(len(kinds), 1) for i, k in enumerate(kinds)}

    def at(zone: Any, kind: Any) -> np.ndarray:  # a type's marker: 180 m off the zone's point
        a = np.asarray(pd.Series(kind).map(turn).fillna(0.0), float)
        return xy.loc[zone].to_numpy() + 180 * np.column_stack([np.cos(a), np.sin(a)])

    g = pro.groupby(["station", "type"]).agg(people=("size", "sum")).reset_index()
    pos = at(g["station"], g["type"])
    ax.scatter(
        pos[:, 0], pos[:, 1], s=25 + 1.2 * g["people"], c=g["type"].map(TEAM_COLOURS),
        edgecolors="black", linewidths=0.6, zorder=4,
    )  # fmt: skip
    halo = [withStroke(linewidth=3, foreground="white")]
    admin = zones[~zones["level"].isin(["village", "community"])]
    for z, row in admin.iterrows():  # the district and its six units
        ax.annotate(
            row["name"].replace("Shangjie district", "district HQ"), tuple(xy.loc[z]),
            xytext=(0, 12 if z == "district" else -16), textcoords="offset points", ha="center",
            fontsize=8,
            path_effects=halo, zorder=6,
        )  # fmt: skip
    for team in pro[pro["rebased"]].itertuples():  # a handful of re-based teams
        ax.annotate(
            "", xy=tuple(at([team.station], [team.type])[0]),
            xytext=tuple(at([team.home], [team.type])[0]),
            arrowprops={"arrowstyle": "-|>", "color": TEAM_COLOURS.get(team.type, "black"),
                        "lw": 1.8, "mutation_scale": 16, "shrinkA": 5, "shrinkB": 5},
            zorder=5,
        )  # fmt: skip
    handles = [
        Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor=TEAM_COLOURS[k],
               markeredgecolor="black", label=f"{k.replace('_', ' ')} team(s), area ∝ people")
        for k in kinds
    ]  # fmt: skip
    handles += [
        Line2D([], [], marker="o", ls="", color="#8a8a8a", markersize=4,
               label="village/community (its own squad)"),
        Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor="#e377c2",
               markersize=8, label="key zone (faces a hazard)"),
        Line2D([], [], color="black", lw=1.5, marker=">", label="re-based: home → station"),
    ]  # fmt: skip
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(_title(plan, "teams"), fontsize=11)


def _title(plan: DistrictPlan, name: str) -> str:
    f = plan.figures["value"]
    return {
        "fire_stations": f"Fire stations: {f['fire.new']} new, {f['fire.share_after']} within "
        f"5 min (was {f['fire.share_before']})",
        "shelters": f"Shelters: new {f['shelters.new']}; {f['shelters.gross_before']:.2f} → "
        f"{f['shelters.gross_after']:.2f} m² per person (gross)",
        "depots": f"Depots: {f['depots.open']} open; communities coloured by their main depot",
        "teams": f"Teams: {f['teams.zones_met']} zones staffed; {f['teams.rebased']} teams "
        "re-based",
    }[name]


# ---------------------------------------------------------------------- report
def write_report(plan: DistrictPlan, out: str | Path) -> Path:
    """Write ``report.md``, ``maps/*.png`` and ``tables/*.csv`` into ``out``; returns ``out``."""
    out = Path(out)
    (out / "maps").mkdir(parents=True, exist_ok=True)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    t = plan.tables
    for name in ("key_figures", "runs", "shelter_area", "staffing_by_level"):
        t[name].to_csv(out / "tables" / f"{name}.csv")
    for section, r in plan.results.items():
        for table, frame in r.report().items():
            frame.to_csv(out / "tables" / f"{section}_{table}.csv")
        _map(plan, section, out / "maps" / f"{section}.png")
    (out / "report.md").write_text(_markdown(plan), encoding="utf-8")
    return out


def _section(plan: DistrictPlan, name: str, body: list[str]) -> list[str]:
    r = plan.results[name]
    lines = [f"## {TITLES[name]}", "", _status(r), "", f"Objective: {OBJECTIVES[name]}.", ""]
    if name in plan.findings:
        found = plan.findings[name]
        lines += [
            f"**Finding.** {found.summary} The library says:",
            "",
            f"> {found.error}",
            "",
            f"Solved instead: {found.instead}",
            "",
        ]
    return [*lines, *body, "", f"![{TITLES[name]} map](maps/{name}.png)", ""]


def _details(summary: str, table: str) -> list[str]:
    return ["<details>", f"<summary>{summary}</summary>", "", table, "", "</details>"]


def _markdown(plan: DistrictPlan) -> str:
    t, f = plan.tables, plan.figures
    two = f["unit"] == "m²/person"  # 2.00, not 2
    value = [f"{v:.2f}" if m2 else v for v, m2 in zip(f["value"], two, strict=True)]
    key = f[["section", "figure", "unit"]].assign(value=value)[
        ["section", "figure", "value", "unit"]
    ]
    fire = plan.fire_stations.report()
    sh = plan.shelters.report()
    dep = plan.depots.report()
    tm = plan.teams.report()
    text = [
        "# Shangjie district: the emergency plan, solved and verified",
        "",
        "Data: `erlocate.datasets.load_district()` (the plan's counts and totals, synthetic "
        "geography; costs, capacities and scenario shares illustrative). Every plan below is "
        "a proven optimum of its model unless its status says otherwise, and was re-checked "
        f"against the input data. Wall-clock: {plan.seconds:.1f} s.",
        "",
        "## Key figures",
        "",
        markdown_table(key),
        "",
        "## Solver runs",
        "",
        markdown_table(t["runs"]),
        "",
    ]
    text += _section(
        plan,
        "fire_stations",
        [
            "Standard: 5 min from dispatch = 1 min turnout + 4 min driving on the road network "
            "(建标152-2017). Mode `cover_all`: every community a new station can reach in time "
            "gets one, at least cost; communities no candidate reaches in 4 min are unavoidable "
            "blank spots. The variant maximises risk-weighted cover with the plan's 2 new "
            "stations.",
            "",
            markdown_table(t["fire_summary"]),
            "",
            markdown_table(fire["stations"].drop(columns=["name"])),
            "",
            markdown_table(t["fire_by_type"]),
            "",
            *_details(
                f"{len(fire['blank_spots'])} blank spots", markdown_table(fire["blank_spots"])
            ),
        ],
    )
    text += _section(
        plan,
        "shelters",
        [
            "30 % of every community walks (5 km/h, both ways on every road) to one shelter, "
            "its nearest open one, within 60 min; capacity = usable area / 1.5 m² per person "
            "(GB 21734-2008). m² per person is computed from the data (the plan prints 1.31; "
            "its own totals give 257,700 / 140,000 = 1.84).",
            "",
            markdown_table(t["shelter_area"]),
            "",
            markdown_table(sh["shelters"][sh["shelters"]["status"] != "not chosen"]),
            "",
            markdown_table(sh["walking"]),
        ],
    )
    text += _section(
        plan,
        "depots",
        [
            "Five hazard scenarios (illustrative affected shares), the plan's 13 categories, "
            "two contract reserves; every affected community supplied within 10 h; one "
            "sub-district depot per unit; sites in flood zones or within 500 m of the fault "
            "line excluded. Stock against each category's peak scenario need:",
            "",
            markdown_table(t["depot_categories"]),
            "",
            markdown_table(dep["depots"][dep["depots"]["status"] != "not chosen"]),
            "",
            markdown_table(dep["summary"]),
        ],
    )
    text += _section(
        plan,
        "teams",
        [
            "Zones: the district, its 6 units, its 114 communities. Minima: district 50, town "
            "30 (the plan's figure), sub-district 20, village/community 10; key zones need a "
            "suitable professional team within its standard per hazard and two suitable teams "
            "(A/B roles).",
            "",
            markdown_table(t["staffing_by_level"]),
            "",
            markdown_table(tm["rebased"]),
            "",
            *_details(
                f"Every zone's staffing vs its minimum ({len(t['staffing'])} zones)",
                markdown_table(t["staffing"]),
            ),
        ],
    )
    return "\n".join(text)
