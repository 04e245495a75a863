"""Maximal covering at city scale: fast plans first, then a certified answer.

Run: ``python examples/city_coverage.py``. A seeded random city of 2,000
demand points (residents) and 600 candidate sites in a 10 km square; a site
covers the points within 1,200 m; open 12 of them. The script

1. builds a greedy plan, improves it by swap search and by region search
   (re-solving neighbourhoods as small MILPs) — fast, **not exact**;
2. solves the same MCLP exactly with ``method="fixing"`` (heuristic
   incumbent, LP bound, reduced-cost fixing, restricted MILP), which reports
   a proven bound and gap, and checks the heuristics against that bound.
"""

import time

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.heuristics import mclp_greedy, mclp_perturbed_search, mclp_region_search

city = random_euclidean(2000, 600, seed=5, size=10_000.0)
p, radius = 12, 1200.0
model = erlocate.MCLP(p, radius)
total = city.weights.sum()

t = time.perf_counter()
greedy = mclp_greedy(city, p, radius)
swap = mclp_perturbed_search(city, greedy, radius, time_limit=2)
region = mclp_region_search(city, swap, radius, time_limit=5)
print(f"heuristics in {time.perf_counter() - t:.1f} s (not exact):")
for name, plan in (("greedy", greedy), ("swap search", swap), ("region search", region)):
    value = model.evaluate(city, plan)
    assert model.check(city, plan) == []
    print(f"  {name:14s} {value:10,.0f} residents covered ({100 * value / total:.1f} %)")
assert model.evaluate(city, greedy) <= model.evaluate(city, swap) <= model.evaluate(city, region)

exact = erlocate.solve(erlocate.MCLP(p, radius, method="fixing"), city, time_limit=120)
print(f"\nexact method: {exact.status}, {exact.objective:,.0f} covered, bound {exact.bound:,.0f}")
print(exact.summary())
assert exact.objective <= exact.bound  # erlocate.solve has verified the plan
for plan in (greedy, swap, region):
    assert model.evaluate(city, plan) <= exact.bound  # no heuristic beats a proven bound
if exact.status == "optimal":
    gap = exact.objective - model.evaluate(city, region)
    print(f"region search is {gap:,.0f} residents ({100 * gap / exact.objective:.3f} %) short")
