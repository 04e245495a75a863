"""Concurrent incidents: simulate a plan's units answering Poisson calls (erlocate.simulate).

A covering model counts a point as covered when a station is within the standard.
When two or more incidents overlap, the nearest unit may be out on a call; the
simulation shows what that does to the response times. Here, on a random town
(minutes of driving):

1. MCLP places 8 stations, one unit each; the simulation reports the median and
   90th-percentile response (the NFPA 1710 measure), the share within the
   standard and the share of calls that found every unit within the standard busy.
2. BackupCoverage (its exact lexicographic mode) places 8 stations covering as much
   weight as MCLP's, then as much of it twice as it can; the simulation shows whether
   that changes the share of calls finding every unit within the standard busy.
3. MEXCLP places 12 units (several at a site allowed) for the busy fraction q the
   workload implies; its objective is the expected coverage under Daskin's
   independence assumption, which the simulation checks.

Runs in a few seconds; the asserts are the example's own checks.
"""

import numpy as np

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.models.units import busy_fraction

town = random_euclidean(300, 30, seed=4, speed=500.0)  # 10 km square, 30 km/h: minutes
# the same town without site capacities (no model here reads them)
inst = erlocate.Instance.from_matrix(
    town.dense_costs(),
    weights=town.weights,
    demand_ids=town.demand_ids,
    site_ids=town.site_ids,
    unit="min",
)
STANDARD = 5.0  # minutes of driving
CALLS_PER_HOUR, SERVICE = 3.0, 45.0  # calls per hour over the town; minutes busy per call
rate = CALLS_PER_HOUR / 60.0  # per minute, the costs' time unit

# 1. MCLP: 8 stations with one unit each --------------------------------------------------
mclp = erlocate.solve(erlocate.MCLP(p=8, max_cost=STANDARD), inst, backend="highs").verify()
sim = erlocate.simulate(mclp, rate=rate, service_time=SERVICE, incidents=5_000, seed=1)
print(sim.summary())
covered = mclp.objective / inst.weights.sum()
print(
    f"\nMCLP covers {covered:.1%} of the weight; simulated, a unit within the standard was "
    f"free for {sim.value('nearby_free'):.1%} of the calls"
)
# calls come by weight, so about the uncovered share has no unit within the standard;
# a covered call can still find its covering units busy: a fifth of the calls here
assert abs(sim.value("no_nearby_unit") - (1 - covered)) < 0.01
assert sim.value("nearby_free") < covered - 0.1 and sim.value("all_nearby_busy") > 0.1

# per station district: the nearest open station's demand points as a zone
district = np.full(inst.n_demand, -1)
district[mclp.plan.demand_idx] = mclp.plan.site_idx
zones = inst.site_ids.take(district)
by_district = erlocate.simulate(
    mclp, rate=rate, service_time=SERVICE, incidents=5_000, seed=1, zones=zones
).per_zone
print("\nper station district:")
print(by_district[["points", "incidents", "p90_response", "within_standard", "all_nearby_busy"]])
assert by_district["incidents"].sum() == sim.per_point["incidents"].sum()

# 2. MEXCLP: 12 units for the busy fraction of this workload -------------------------------
q = busy_fraction(total_rate=rate, mean_service=SERVICE, units=12)
mex = erlocate.solve(erlocate.MEXCLP(p=12, max_cost=STANDARD, q=q), inst, backend="highs")
mex.verify()
expected = mex.objective / inst.weights.sum()
sim12 = erlocate.simulate(mex, rate=rate, service_time=SERVICE, incidents=5_000, seed=1)
print(f"\nMEXCLP, 12 units, q = {q:.3f}: units per site {sim12.units.to_dict()}")
print(
    f"expected coverage {expected:.1%} (independent units); simulated "
    f"{sim12.value('nearby_free'):.1%} "
    f"[{sim12.overall.loc['nearby_free', 'ci_low']:.1%}, "
    f"{sim12.overall.loc['nearby_free', 'ci_high']:.1%}]"
)
print(
    f"90th-percentile response {sim12.value('p90_response'):.1f} min vs "
    f"{sim.value('p90_response'):.1f} min with 8 units"
)
assert abs(sim12.value("nearby_free") - expected) < 0.02
assert sim12.value("nearby_free") > sim.value("nearby_free")
assert sim12.value("p90_response") < sim.value("p90_response")

# 3. Backup coverage: the same 8 stations, cover first, then cover twice -------------------
backup = erlocate.solve(
    erlocate.BackupCoverage(p=8, max_cost=STANDARD, objective="lexicographic"), inst, "highs"
).verify()
sim_b = erlocate.simulate(backup, rate=rate, service_time=SERVICE, incidents=5_000, seed=1)
first, second = backup.levels["value"]  # cover once, then twice: both proven
assert backup.levels["proven"].all()
print(
    f"\nBackupCoverage, 8 stations: {first / inst.weights.sum():.1%} covered once, "
    f"{second / inst.weights.sum():.1%} twice; every unit within the standard busy for "
    f"{sim_b.value('all_nearby_busy'):.1%} of the calls (MCLP's plan: "
    f"{sim.value('all_nearby_busy'):.1%})"
)
assert first == mclp.objective  # lexicographic: first coverage is MCLP's optimum
twice_mclp = mclp.coverage.loc[mclp.coverage["n_covering"] >= 2, "weight"].sum()
assert second >= twice_mclp  # MCLP's plan is one of those with its first coverage
