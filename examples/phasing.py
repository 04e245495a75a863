"""A five-year phasing of the district's fire-station and shelter plans.

Solves the district's fire-station plan (no avoidable blank spot, least cost)
and its shelter plan (the fewest new shelters housing 30 % of everyone), then
asks *when* to build each: which stations in which year under yearly budgets
(the plan's costs are illustrative, in 10⁶ CNY), and which of the new shelters
first, one in year 1 and one in year 3. Each schedule maximises coverage summed
over the five years (the exact multi-period MCLP, ``erlocate.planning.phasing``)
and is re-checked from the data; the figures are asserted against each plan's
own report.

    python examples/phasing.py
"""

from __future__ import annotations

import pandas as pd

import erlocate
from erlocate.district import fire_station_case, shelter_case
from erlocate.planning.phasing import phase

BUDGETS = [40, 40, 30, 20, 20]  # ILLUSTRATIVE yearly budgets, 10⁶ CNY (150 for a 141 plan)


def main() -> None:
    pd.set_option("display.width", 160)
    fire = erlocate.solve(*fire_station_case())
    summary = fire.report()["summary"]["value"]
    stations = phase(fire, budgets=BUDGETS)
    table = stations.report()["schedule"]
    cols = ["opened", "cost", "budget", "covered", "covered_share"]
    print("Fire stations, year by year (population within the 5-minute standard):")
    print(table[cols].to_string())
    assert stations.status == "optimal"
    assert table["cumulative_cost"].iloc[-1] == summary["cost_counted"]
    assert table["covered"].iloc[0] == summary["population_within_standard_before"]
    assert table["covered"].iloc[-1] == summary["population_within_standard_after"]
    cbc = phase(fire, budgets=BUDGETS, backend="cbc")
    assert abs(cbc.objective - stations.objective) <= 1e-6 * stations.objective

    shelters = erlocate.solve(*shelter_case())
    housed = shelters.report()["summary"]["value"]["people housed (mean over scenarios)"]
    order = phase(shelters, p_per_year=[1, 0, 1, 0, 0])
    table = order.report()["schedule"]
    print("\nShelters, year by year (people housed within the walking limit):")
    print(table[["opened", "n_opened", "covered", "covered_share"]].to_string())
    assert order.status == "optimal"
    assert abs(table["covered"].iloc[-1] - housed) <= 1e-6 * housed
    print(f"\nbackends agree: {stations.objective:,.0f} person-years within the standard")


if __name__ == "__main__":
    main()
