"""A plan of the normal roads, evaluated, compared and explained after the flood.

Solves a maximal-covering plan (4 stations within 4 minutes' driving) and a
p-median plan on the embedded district's normal road network, then, without
solving again, evaluates both on the network with the flooded roads closed
(``evaluate_plan``), compares the covering plan before and after per terrain
class (``compare``), and says what each station is worth (``explain``).

    python examples/evaluate_and_compare.py
"""

from __future__ import annotations

import erlocate
from erlocate.datasets import load_district
from erlocate.geo import RoadNetwork


def main() -> None:
    d = load_district()
    roads = RoadNetwork.from_geodataframe(d.roads, speed_column="speed_kmh", oneway_column="oneway")
    flooded = roads.disrupt(d.hazards[d.hazards.kind == "flood_zone"])
    normal, flood = (
        erlocate.Instance.from_geodataframes(
            d.communities,
            d.fire_stations,
            weight="population",
            network=net,
            required="existing",
            name=name,
        )
        for net, name in ((roads, "normal roads"), (flooded, "flooded roads"))
    )

    # 1. the covering plan of the normal roads, evaluated on the flooded ones
    mclp = erlocate.MCLP(p=4, max_cost=4.0)
    plan = erlocate.solve(mclp, normal)
    after = mclp.evaluate_plan(flood, plan)
    print(after.summary())
    cost = flood.dense_costs()[:, flood.site_ids.isin(plan.open_sites)]
    by_hand = flood.weights[(cost <= 4.0).any(axis=1)].sum()
    assert after.status == "evaluated" and after.objective == by_hand
    assert after.objective == erlocate.solve(mclp, flood).objective  # the plan still holds

    # 2. before and after, per terrain class
    c = erlocate.compare(plan, flood, zones=d.communities["terrain"])
    print(c.table)
    print(c.zones)
    print("covered before, not after:", ", ".join(c.newly_uncovered))
    assert len(c.newly_uncovered) == 3

    # 3. the p-median plan: the flood cuts communities off every open station
    pmedian = erlocate.PMedian(4)
    cut = pmedian.evaluate_plan(flood, erlocate.solve(pmedian, normal))
    print(cut.breaches[0])
    assert not cut.feasible and "8 demand points" in cut.breaches[0]

    # 4. what each station of the covering plan is worth after the flood
    worth = erlocate.explain(after)
    print(worth[["action", "objective", "worth", "feasible"]].head(8))
    within = cost <= 4.0  # the plan's stations (columns) within 4 minutes of each community
    for k, site in enumerate(flood.site_ids[flood.site_ids.isin(plan.open_sites)]):
        alone = within[:, k] & (within.sum(axis=1) == 1)  # covered by this station only
        assert worth.loc[site, "worth"] == flood.weights[alone].sum()
    assert not worth.loc["F01", "feasible"]  # the existing station is required


if __name__ == "__main__":
    main()
