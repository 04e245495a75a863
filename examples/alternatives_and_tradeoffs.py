"""Other plans as good (or nearly), and how much each extra station buys, on the district.

Run: ``python examples/alternatives_and_tradeoffs.py``. On the embedded
district's fire-station case (114 communities, 24 candidate sites and the
existing station; driving minutes on the road network):

1. every least-cost plan that leaves no avoidable blank spot (the optimum is
   not unique: several station sets cost the same);
2. the MCLP plans within 1 % of the best coverage at p = 3, and how each
   covers the hill and plain communities;
3. the trade-off curve of coverage against the number of stations, its knee,
   and a plot (drawn off-screen).

Each plan is proven and re-checked from the data; the script asserts what it prints.
"""

import warnings

import matplotlib

matplotlib.use("Agg")  # no window: CI runs this script

import numpy as np

import erlocate
from erlocate.district import fire_station_case

warnings.simplefilter("ignore", UserWarning)  # MCLP reads no capacities: said once is enough

stations, district = fire_station_case()

# 1. every tied least-cost plan (k=None: all optima, stopping at the first worse plan)
tied = erlocate.alternatives(stations, district, k=None)
print(tied.summary())
print(tied.table[["objective", "added", "removed"]].to_string())
assert tied.proven and len(tied) >= 2
assert len(set(tied.objectives)) == 1 and tied.next_objective > tied.objectives[0]

# 2. MCLP plans within 1 % of the best coverage, and their coverage by terrain
mclp = erlocate.MCLP(p=3, max_cost=4.0)  # 4 driving minutes (5 min with turnout)
zones = district.demand_frame["terrain"]
near = erlocate.alternatives(mclp, district, k=None, within=0.01, zones=zones)
print(near.summary())
print(near.zone_coverage.round(3).to_string())
assert near.changes == ("reduce=True -> False",)  # no site closed as dominated: ties stay
assert (near.table["gap_to_best"] <= 0.01).all() and near.stop == "within"
best = erlocate.solve(mclp, district)
assert abs(best.objective - near.objectives[0]) <= 1e-6

# 3. coverage against the number of stations
curve = erlocate.tradeoff(erlocate.MCLP(p=1, max_cost=4.0), district, p=range(1, 11))
print(curve.table[["p", "coverage_share", "status", "warm_start"]].to_string())
print(f"knee at p = {curve.knee}")
share = curve.table["coverage_share"].to_numpy()
assert (curve.table["status"] == "optimal").all() and (np.diff(share) >= 0).all()
assert curve.knee in set(curve.table["p"])
ax = curve.plot()
assert ax.texts[0].get_text() == f"knee: p = {curve.knee}"
print("alternatives and trade-offs: every plan proven and verified")
