"""The district's planning models with demand as a population grid instead of 114 communities.

Analysts hold demand as buildings or a grid. Here every community's people are
spread over the pieces of a 500 m grid near roads (``Grid(500)``), and the fire
station, shelter and depot models are solved on those points: the fire stations
and shelters as one MILP each (the shelter MILP houses everyone a shelter can
reach first, and merges points that rank the shelters alike: they share a
shelter in every plan; a greedy start is shown beside it), the depots by Benders
decomposition (chosen automatically: the direct MILP would have millions of flow
columns). Every plan is verified against the data; the script checks that the
people planned for are the district's 140,000 and that identical points give
the coarse plan.

    python examples/finer_demand.py
"""

from __future__ import annotations

import time

import erlocate
from erlocate.district import depot_case, fire_station_case, shelter_case
from erlocate.district.resolution import Grid, Points, at_resolution


def main() -> None:
    grid = Grid(500)
    points = at_resolution(None, grid).communities
    assert int(points["population"].sum()) == 140_000
    print(f"{len(points)} grid points in {points['parent'].nunique()} communities\n")
    cases = {
        "fire stations": fire_station_case(resolution=grid),
        "shelters": shelter_case(resolution=grid, allow_unhoused=True),
        "depots": depot_case(resolution=grid, flood_roads="slowed"),
    }
    for name, (model, inst) in cases.items():
        start = time.perf_counter()
        res = erlocate.solve(model, inst, time_limit=120)  # verified before it returns
        print(
            f"{name:14s} {res.status}, objective {res.objective:,.2f}, gap {res.gap:.1e}, "
            f"{time.perf_counter() - start:.1f} s ({res.termination.split(':')[0]})"
        )
        assert res.status == "optimal"
    model, inst = cases["shelters"]
    start = time.perf_counter()
    first = model.start_plan(inst, 10.0)  # the greedy behind warm_start="heuristic"
    greedy_s = time.perf_counter() - start
    assert first is not None and model.check(inst, first) == []
    proven = erlocate.solve(model, inst, warm_start=first)
    print(
        f"shelter greedy start {model.evaluate(inst, first):,.4f} in {greedy_s:.2f} s; "
        f"proven optimum {proven.objective:,.4f}"
    )
    # every community as 4 points at the same place: exactly the coarse plan
    coarse = erlocate.solve(*fire_station_case())
    same = erlocate.solve(*fire_station_case(resolution=Points(4, jitter_m=0)))
    assert same.objective == coarse.objective
    print(f"\n4 identical points per community: fire stations {same.objective:g} = coarse")


if __name__ == "__main__":
    main()
