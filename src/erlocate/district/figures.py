"""The district report's maps: one per planning model (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from erlocate.district.report import DistrictPlan

__all__ = ["TEAM_COLOURS", "map_title", "section_map", "team_map"]

TEAM_COLOURS = {
    "fire": "#d62728",
    "forest_fire": "#2ca02c",
    "flood": "#1f77b4",
    "patrol": "#17becf",
    "militia": "#8c564b",
    "hazmat": "#9467bd",
    "volunteer": "#ff7f0e",
}


def section_map(plan: DistrictPlan, name: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    d, r = plan.district, plan.results[name]
    fig, ax = plt.subplots(figsize=(9, 9))
    if name == "teams":
        team_map(plan, ax)
    else:
        r.plot(
            ax=ax,
            roads=d.roads,
            units=d.units,
            title=map_title(plan, name),
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


def team_map(plan: DistrictPlan, ax: Any) -> None:
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
    ax.set_title(map_title(plan, "teams"), fontsize=11)


def map_title(plan: DistrictPlan, name: str) -> str:
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
