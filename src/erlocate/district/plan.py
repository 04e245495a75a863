"""The whole district plan in one call: the four planning models solved, verified and reported."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from erlocate.datasets import District
from erlocate.district.cases import depot_case, fire_station_case, shelter_case, team_case
from erlocate.district.inputs import FLOOD_SLOWDOWN, as_district, squad_shortfall
from erlocate.district.markdown import write_report
from erlocate.district.report import DistrictPlan, Finding, plan_tables
from erlocate.district.resolution import Resolution, at_resolution
from erlocate.errors import InfeasibleError
from erlocate.instance import Instance
from erlocate.result import Result
from erlocate.solve import solve

__all__ = ["plan_district"]


def plan_district(
    out: str | Path | None = None,
    *,
    backend: str = "highs",
    time_limit: float | None = 60.0,
    district: District | None = None,
    resolution: Resolution = "communities",
) -> DistrictPlan:
    """Solve the four planning models on the district and (with ``out``) write the report.

    Fire stations: no avoidable blank spot at least cost, plus the plan's "2 new
    stations" variant. Shelters: fewest new shelters for 30 % of everyone. Depots:
    five hazard scenarios; with flooded roads closed some communities are cut off
    from every usable site (an ``InfeasibleError``, kept as a finding), so the flood
    scenario is then planned on roads slowed to a third of their speed. Teams: the
    minima as written are infeasible (a finding); the squads are then brought up to
    their minimum. Every result is verified against the data (``Result.verify``).
    ``resolution`` (:mod:`erlocate.district.resolution`) sets the demand points of the
    fire station, shelter and depot models (e.g. ``Grid(250)``); team zones stay the
    administrative units and communities.
    """
    start = time.perf_counter()
    d = as_district(district)
    fine = at_resolution(d, resolution)

    def verified(case: tuple[Any, Instance]) -> Result:
        return solve(*case, backend=backend, time_limit=time_limit).verify()

    findings: dict[str, Finding] = {}
    fire = verified(fire_station_case(fine))
    variants = {
        "fire_stations_2_new": verified(fire_station_case(fine, mode="max_cover", max_new=2))
    }
    try:
        shelters = verified(shelter_case(fine))
    except InfeasibleError as exc:  # finer demand: points beyond every shelter's walk
        findings["shelters"] = Finding(
            "Some demand points lie beyond the walking limit of every shelter.",
            str(exc),
            "those points are planned as unhoused (allow_unhoused=True), everyone else housed.",
        )
        shelters = verified(shelter_case(fine, allow_unhoused=True))
    try:
        depots = verified(depot_case(fine))
    except InfeasibleError as exc:
        cut = re.search(r"(\d+) affected communit", str(exc))
        findings["depots"] = Finding(
            f"With every road touching a flood zone closed, {cut[1] if cut else 'some'} affected "
            "communities are cut off from every usable depot site within the 10-hour relief time.",
            str(exc),
            f"the flood scenario is planned with those roads passable at 1/{FLOOD_SLOWDOWN:g} of "
            "their speed (BRIEF.md item 8: closed or slowed roads).",
        )
        depots = verified(depot_case(fine, flood_roads="slowed"))
    try:
        teams = verified(team_case(d))
    except InfeasibleError as exc:
        short, n_reb = squad_shortfall(d), int(d.teams["rebasable"].sum())
        why = (
            f" {len(short)} village/community squads have fewer than 10 members "
            f"({int(short['recruits'].sum())} people short) and only {n_reb} teams can re-base, "
            "each into one zone."
        )
        findings["teams"] = Finding(
            "The staffing minima as written cannot be met." + (why if len(short) > n_reb else ""),
            str(exc),
            "every village/community squad is brought up to 10 members (the plan's own rule).",
        )
        teams = verified(team_case(d, recruit=True))
    parts = {"fire_stations": fire, "shelters": shelters, "depots": depots, "teams": teams}
    tables = plan_tables(fine, parts, variants)
    plan = DistrictPlan(
        fire_stations=fire,
        shelters=shelters,
        depots=depots,
        teams=teams,
        variants=variants,
        findings=findings,
        tables=tables,
        district=fine,
        seconds=time.perf_counter() - start,
    )
    if out is not None:
        plan = replace(plan, out=write_report(plan, Path(out)))
    return plan
