"""Every classical model on one small town, on every installed backend.

Run: ``python examples/classical_models.py``. Seven villages on a valley road
and five candidate station sites; costs are driving minutes. The script
solves each model, prints the plan and checks that all backends agree.
"""

import numpy as np

import erlocate

# Driving minutes between 7 villages (rows) and 5 candidate sites (columns);
# inf = no road within the valley (the pass is closed in winter).
minutes = np.array(
    [
        [2.0, 6.0, 11.0, 15.0, np.inf],
        [4.0, 3.0, 8.0, 12.0, np.inf],
        [7.0, 2.0, 5.0, 9.0, 16.0],
        [10.0, 5.0, 2.0, 6.0, 12.0],
        [14.0, 9.0, 4.0, 3.0, 8.0],
        [np.inf, 13.0, 8.0, 4.0, 4.0],
        [np.inf, np.inf, 12.0, 7.0, 1.0],
    ]
)
town = erlocate.Instance.from_matrix(
    minutes,
    weights=[3200, 1800, 2500, 4100, 900, 1500, 600],  # residents
    site_costs=[4.0, 3.5, 5.0, 3.0, 2.5],  # build cost, million CNY (illustrative)
    capacities=[6000, 6000, 8000, 5000, 4000],  # residents a station can serve (illustrative)
    demand_ids=["Xiawo", "Dongyu", "Nanling", "Jiyuan", "Beishan", "Hougou", "Shangtun"],
    site_ids=["S1", "S2", "S3", "S4", "S5"],
    required=["S3"],  # an existing station
    name="valley",
)

models = {
    "2 stations, least resident-minutes": erlocate.PMedian(p=2),
    "2 stations, capacitated, one station per village": erlocate.PMedian(p=3, single_source=True),
    "2 stations, shortest worst trip": erlocate.PCenter(p=2),
    "every village within 5 min, least cost": erlocate.LSCP(max_cost=5.0),
    "2 stations, most residents within 4 min": erlocate.MCLP(p=2, max_cost=4.0),
    "3 stations, residents covered twice within 6 min": erlocate.BackupCoverage(p=3, max_cost=6.0),
    "build cost + resident-minutes (uncapacitated)": erlocate.UFLP(),
    "build cost + resident-minutes (capacitated)": erlocate.CFLP(),
}

for label, model in models.items():
    results, refused = [], []
    for backend in erlocate.backends():
        try:
            results.append(erlocate.solve(model, town, backend))
        except erlocate.errors.IntegerOnlyError:  # CP-SAT: not exactly an integer model
            refused.append(backend)
    first = results[0]
    print(f"== {label}")
    print(first.summary())
    for r in results[1:]:
        assert r.status == "optimal" and abs(r.objective - first.objective) <= 1e-6 * max(
            1.0, abs(first.objective)
        ), (r.backend, r.objective, first.objective)
    print(f"  backends agree: {', '.join(r.backend for r in results)}")
    if refused:
        print(f"  integer-only, refused (continuous shares): {', '.join(refused)}")
    print()

# p-dispersion reads a sites × sites matrix: spread 3 depots along the valley road so that
# no single flood or landslide reaches two of them (km between the five sites, illustrative)
km = np.array(
    [
        [0.0, 4.0, 9.0, 13.0, 20.0],
        [4.0, 0.0, 5.0, 9.0, 16.0],
        [9.0, 5.0, 0.0, 4.0, 11.0],
        [13.0, 9.0, 4.0, 0.0, 7.0],
        [20.0, 16.0, 11.0, 7.0, 0.0],
    ]
)
sites = ["S1", "S2", "S3", "S4", "S5"]
spread = erlocate.Instance.from_matrix(km, demand_ids=sites, site_ids=sites, required=["S3"])
results = [erlocate.solve(erlocate.PDispersion(p=3), spread, b) for b in erlocate.backends()[:3]]
print("== 3 depots, as far apart as possible (p-dispersion, S3 kept)")
print(results[0].summary())
assert len({round(r.objective, 9) for r in results}) == 1 and results[0].objective == 9.0
print(f"  backends agree: {', '.join(r.backend for r in results)}")

# Concurrent incidents: an engine out on one call cannot answer the next. Place 4 engines,
# at most 2 per station. 6 calls a day, each holding an engine 2 hours (illustrative):
# Daskin's busy fraction q = 6 × (2/24) / 4 = 0.125.
q = erlocate.models.units.busy_fraction(total_rate=6.0, mean_service=2.0 / 24, units=4)
calls = 6.0 * town.weights / town.weights.sum()  # calls a day per village, by residents
busy_models = {
    "4 engines, most residents expected to find one free within 5 min (MEXCLP)": erlocate.MEXCLP(
        p=4, max_cost=5.0, q=q, max_units_per_site=2
    ),
    "4 engines, most residents finding one free within 5 min 95 % of the time (MALP II)": (
        erlocate.MALP(
            p=4, max_cost=5.0, alpha=0.95, service_time=2.0 / 24, rates=calls, max_units_per_site=2
        )
    ),
}
for label, model in busy_models.items():
    results = [erlocate.solve(model, town, b) for b in erlocate.backends()[:3]]
    print(f"== {label}")
    print(results[0].summary())
    print(results[0].sites[["units"]].T.to_string())
    assert len({round(r.objective, 6) for r in results}) == 1
    assert results[0].plan.units.sum() == 4 and results[0].plan.units[2] >= 1  # S3 kept
    print(f"  backends agree: {', '.join(r.backend for r in results)}")

# Minimum loads and site groups: a new station at S5 is worth building only if it serves at
# least 3000 residents; the new stations (all but S3) share a budget of 6 million; the
# existing S3 is filled to its capacity first (spopt's "fulfill predefined facilities").
# Without them the capacitated 3-station plan (S1, S3, S5) costs 44500 resident-minutes.
limited = {
    "3 stations, S5 only if it serves >= 3000 residents": (
        erlocate.PMedian(p=3, capacitated=True, min_loads={"S5": 3000}),
        47200.0,  # S5 would serve 2100: S4 instead
    ),
    "3 stations, new ones within 6 million": (
        erlocate.PMedian(
            p=3,
            capacitated=True,
            groups=[erlocate.SiteGroup(["S1", "S2", "S4", "S5"], budget=6.0, name="new")],
        ),
        52500.0,  # S1 + S5 cost 6.5: S2 + S5 (6.0)
    ),
    "build cost + resident-minutes, S3 filled first": (erlocate.CFLP(fill_required=True), 44715.0),
}
for label, (model, expected) in limited.items():
    results = [erlocate.solve(model, town, b) for b in erlocate.backends()[:3]]
    print(f"== {label}")
    print(results[0].summary())
    print(results[0].sites[["open", "load"]].T.to_string())
    assert all(abs(r.objective - expected) <= 1e-6 * expected for r in results)
    print(f"  backends agree: {', '.join(r.backend for r in results)}")

# Backup coverage, 3 stations within 6 min. The weighted default (theta = 1/2) keeps S1, S2,
# S3: 12500 residents covered, 11600 of them twice, Hougou and Shangtun left out. The
# lexicographic objective covers all 14600 first, then backs up the most (S2, S3, S5). p=None
# asks for the fewest stations covering everyone (3 here), then the most backup. Capacitated,
# each village has one first and one backup station and a backup call loads its station with
# a quarter of the village (backup_load): everyone is still covered, far fewer twice.
backup_models = {
    "3 stations, weighted first + backup": (erlocate.BackupCoverage(3, 6.0), (12500, 11600)),
    "3 stations, everyone first, then backup": (
        erlocate.BackupCoverage(3, 6.0, objective="lexicographic"),
        (14600, 6600),
    ),
    "fewest stations covering everyone, then backup": (
        erlocate.BackupCoverage(None, 6.0, objective="lexicographic"),
        (14600, 6600),
    ),
    "3 stations, everyone first, then backup, within capacities": (
        erlocate.BackupCoverage(
            3, 6.0, objective="lexicographic", single_source=True, backup_load=0.25
        ),
        (14600, 2500),
    ),
}
for label, (model, expected) in backup_models.items():
    results = [erlocate.solve(model, town, b) for b in erlocate.backends()[:3]]
    print(f"== {label}")
    print(results[0].summary())
    for r in results:
        first, twice = model.coverage_levels(town, r.plan)
        assert r.status == "optimal" and (first, twice) == expected, (r.backend, first, twice)
    print(f"  residents covered {expected[0]}, twice {expected[1]}")
    print(f"  backends agree: {', '.join(r.backend for r in results)}")

# Capacitated coverage: each station's crew serves at most 4000 residents. Covering alone,
# S1, S3, S5 (11.5 million) reach every village within 5 min, but S3 would carry 7500
# residents; assigning each village to stations within 5 min and within their crews' 4000
# takes all five (18 million). With 2 stations, 10000 residents live within 4 min of S1 and
# S3, but two crews can take 8000 of them (S2 + S3; shares of a village may split).
crews = erlocate.Instance.from_matrix(
    minutes,
    weights=town.weights,
    site_costs=town.site_costs,
    capacities=[4000.0] * 5,
    demand_ids=town.demand_ids,
    site_ids=town.site_ids,
    required=["S3"],
    name="valley, crews of 4000",
)
capacitated_cover = {
    "every village within 5 min, crews of 4000, least cost": (
        erlocate.LSCP(max_cost=5.0, capacitated=True),
        18.0,
    ),
    "2 stations, most residents within 4 min, crews of 4000": (
        erlocate.MCLP(p=2, max_cost=4.0, capacitated=True),
        8000.0,
    ),
}
for label, (model, expected) in capacitated_cover.items():
    results = [erlocate.solve(model, crews, b) for b in erlocate.backends()[:3]]
    print(f"== {label}")
    print(results[0].summary())
    print(results[0].sites[["open", "capacity", "load"]].T.to_string())
    assert all(abs(r.objective - expected) <= 1e-6 * expected for r in results)
    assert (results[0].sites["load"] <= 4000.0 + 1e-6).all()
    print(f"  backends agree: {', '.join(r.backend for r in results)}")
