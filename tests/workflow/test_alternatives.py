"""Alternative plans by no-good rows: enumeration of every site set on small cases, ties, within."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

import erlocate
from erlocate import LSCP, MCLP, MEXCLP, BackupCoverage, PCenter, PMedian
from erlocate.errors import InputError
from erlocate.workflow.alternatives import alternatives
from erlocate.workflow.nogood import single_milp_model

S = 3.0  # the coverage standard of the covering cases


# ----------------------------------------------------------------------------- cases and oracles
def tied_instance(seed: int, n: int = 14, m: int = 7, twins: int = 2) -> erlocate.Instance:
    """Integer costs 1..9, weights 1..3, and the last ``twins`` sites copies of the first ones
    (same costs to every point), so plans with a site swapped for its twin tie."""
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 10, size=(n, m - twins)).astype(float)
    cost = np.hstack([cost, cost[:, :twins]])
    w = rng.integers(1, 4, size=n).astype(float)
    return erlocate.Instance.from_matrix(cost, weights=w)


def covered(inst: erlocate.Instance, sites: tuple[int, ...], standard: float = S) -> float:
    """Weight within ``standard`` of an open site, from the dense matrix."""
    d = inst.dense_costs()[:, list(sites)]
    return float(inst.weights[(d <= standard).any(axis=1)].sum())


def median(inst: erlocate.Instance, sites: tuple[int, ...]) -> float:
    """Weighted cost to the nearest open site, from the dense matrix."""
    return float(inst.weights @ inst.dense_costs()[:, list(sites)].min(axis=1))


def ranked(inst: erlocate.Instance, p: int, value, sense: str) -> list[tuple[float, frozenset]]:
    """Every p-subset with its value, best first."""
    out = [(value(inst, s), frozenset(s)) for s in combinations(range(inst.n_sites), p)]
    return sorted(out, key=lambda t: -t[0] if sense == "max" else t[0])


def sets(alt) -> list[frozenset]:
    return [frozenset(np.flatnonzero(r.plan.open).tolist()) for r in alt]


# ----------------------------------------------------------------------------- enumeration
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mclp_k_best_and_all_ties_match_enumeration(seed):
    inst = tied_instance(seed)
    truth = ranked(inst, 3, covered, "max")
    alt = alternatives(MCLP(p=3, max_cost=S), inst, k=8)
    assert len(alt) == 8 and alt.proven and alt.stop == "k"
    assert alt.objectives == pytest.approx([v for v, _ in truth[:8]], abs=1e-9)
    for res, s, v in zip(alt, sets(alt), alt.objectives, strict=True):
        assert res.status == "optimal"
        assert covered(inst, tuple(s)) == v  # each plan is worth what it claims
    assert len(set(sets(alt))) == 8  # distinct in open sites
    best = truth[0][0]
    tied = {s for v, s in truth if v == best}
    every = alternatives(MCLP(p=3, max_cost=S), inst, k=None)
    assert len(tied) >= 2  # the case has ties on purpose (twin sites)
    assert set(sets(every)) == tied and len(every) == len(tied)
    assert every.stop == "within" and every.proven
    assert every.next_objective == max(v for v, _ in truth if v < best)


def test_mclp_reduction_hides_tied_plans_and_alternatives_shows_them():
    """The issue's finding: the MCLP has several tied optima and one solve shows one."""
    inst = tied_instance(4, n=20, m=9, twins=3)
    truth = ranked(inst, 3, covered, "max")
    tied = {s for v, s in truth if v == truth[0][0]}
    model = MCLP(p=3, max_cost=S)  # reduce=True: twins are dominated, only one of each kept
    assert int(model.reduction(inst).keep_sites.sum()) < inst.n_sites
    alt = alternatives(model, inst, k=None)
    assert alt.changes == ("reduce=True -> False",)
    assert len(tied) > 1 and set(sets(alt)) == tied
    assert erlocate.solve(model, inst).objective == alt.objectives[0]


def test_pmedian_ties_and_k_best():
    inst = tied_instance(5, n=12, m=7, twins=3)
    truth = ranked(inst, 2, median, "min")
    alt = alternatives(PMedian(p=2), inst, k=10)
    assert alt.changes == ("formulation='auto' -> 'dense'",)
    assert alt.objectives == pytest.approx([v for v, _ in truth[:10]], abs=1e-9)
    ties = alternatives(PMedian(p=2), inst, k=None)
    assert set(sets(ties)) == {s for v, s in truth if v == truth[0][0]}


def test_lscp_every_least_cover():
    inst = tied_instance(6, n=12, m=7)
    d = inst.dense_costs() <= 5.0
    covers = [
        frozenset(s)
        for r in range(1, 8)
        for s in combinations(range(7), r)
        if d[:, list(s)].any(axis=1).all()
    ]
    least = min(len(s) for s in covers)
    alt = alternatives(LSCP(max_cost=5.0), inst, k=None)
    assert set(sets(alt)) == {s for s in covers if len(s) == least}
    assert alt.next_objective == least + 1 and alt.proven
    # the k best: the least covers, then the covers one site larger
    k = len(alt) + 3
    more = alternatives(LSCP(max_cost=5.0), inst, k=k)
    assert more.objectives == tuple(sorted(len(s) for s in covers)[:k])


def test_pcenter_dense_ties():
    inst = tied_instance(7, n=10, m=6)
    radius = {
        frozenset(s): float(inst.dense_costs()[:, list(s)].min(axis=1).max())
        for s in combinations(range(6), 2)
    }
    best = min(radius.values())
    alt = alternatives(PCenter(p=2), inst, k=None)
    assert "formulation='auto' -> 'dense'" in alt.changes
    assert set(sets(alt)) == {s for s, v in radius.items() if v == best}


def test_within_keeps_plans_near_the_best():
    inst = tied_instance(8)
    truth = ranked(inst, 3, covered, "max")
    best = truth[0][0]
    alt = alternatives(MCLP(p=3, max_cost=S), inst, k=None, within=0.1)
    near = {s for v, s in truth if v >= 0.9 * best - 1e-9}
    assert set(sets(alt)) == near
    assert alt.next_objective < 0.9 * best
    assert (alt.table["gap_to_best"] <= 0.1 + 1e-12).all()
    capped = alternatives(MCLP(p=3, max_cost=S), inst, k=2, within=0.1)
    assert len(capped) == min(2, len(near)) and capped.stop == "k"


def test_backends_agree():
    inst = tied_instance(9)
    a = alternatives(MCLP(p=3, max_cost=S), inst, k=None, within=0.05, backend="highs")
    b = alternatives(MCLP(p=3, max_cost=S), inst, k=None, within=0.05, backend="cbc")
    assert set(sets(a)) == set(sets(b))
    assert sorted(a.objectives) == pytest.approx(sorted(b.objectives))
    assert all(r.backend == "cbc" for r in b)


def test_exhausted_when_no_other_plan():
    inst = tied_instance(10, n=6, m=4, twins=0)
    alt = alternatives(MCLP(p=3, max_cost=S), inst, k=10)  # C(4, 3) = 4 plans in all
    assert len(alt) == 4 and alt.stop == "exhausted" and alt.proven


# ----------------------------------------------------------------------------- tables
def test_table_and_zone_coverage():
    inst = tied_instance(11)
    alt = alternatives(MCLP(p=3, max_cost=S), inst, k=4)
    t = alt.table
    best = set(sets(alt)[0])
    for rank, s in enumerate(sets(alt), start=1):
        assert set(t.loc[rank, "added"]) == s - best
        assert set(t.loc[rank, "removed"]) == best - s
        assert t.loc[rank, "coverage_share"] == pytest.approx(
            covered(inst, tuple(s)) / inst.weights.sum()
        )
    assert t["gap_to_best"].iloc[0] == 0.0
    assert t["gap_to_best"].to_numpy() == pytest.approx(
        [(alt.objectives[0] - v) / alt.objectives[0] for v in alt.objectives]
    )
    zones = pd.Series(np.where(np.arange(inst.n_demand) < 7, "north", "south"), inst.demand_ids)
    alt = alternatives(MCLP(p=3, max_cost=S), inst, k=4, zones=zones)
    zc = alt.zone_coverage
    assert list(zc.columns) == ["north", "south"] and list(zc.index) == [1, 2, 3, 4]
    d = inst.dense_costs()
    for rank, s in enumerate(sets(alt), start=1):
        hit = (d[:, sorted(s)] <= S).any(axis=1)
        for zone, rows in (("north", slice(0, 7)), ("south", slice(7, None))):
            w = inst.weights[rows]
            assert zc.loc[rank, zone] == pytest.approx(w[hit[rows]].sum() / w.sum())
    assert "plans of MCLP" in alt.summary()


# ----------------------------------------------------------------------------- refusals
def test_models_without_a_single_milp_or_site_block_are_refused():
    inst = tied_instance(12)
    with pytest.raises(InputError, match="objective='weighted'") as e:
        alternatives(BackupCoverage(p=3, max_cost=S, objective="lexicographic"), inst)
    assert e.value.field == "model"
    with pytest.raises(InputError, match="max_units_per_site=1"):
        alternatives(MEXCLP(p=3, max_cost=S, q=0.3), inst)
    one = alternatives(MEXCLP(p=3, max_cost=S, q=0.3, max_units_per_site=1), inst, k=3)
    assert len(one) == 3 and all(int(r.plan.open.sum()) == 3 for r in one)


def test_fixing_and_benders_become_one_milp():
    inst = tied_instance(13)
    model, notes = single_milp_model(MCLP(p=2, max_cost=S, method="fixing"), inst, _highs())
    assert model.method == "milp" and model.reduce is False and len(notes) == 2


def _highs():
    from erlocate.backends import get

    return get("highs")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"k": 0}, "k"), ({"within": -0.1}, "within"), ({"zones": [1, 2]}, "zones")],
)
def test_bad_arguments(kwargs, field):
    with pytest.raises(InputError) as e:
        alternatives(MCLP(p=2, max_cost=S), tied_instance(14), **kwargs)
    assert e.value.field == field


def test_zones_must_label_every_point():
    inst = tied_instance(15)
    zones = pd.Series(["a"] * (inst.n_demand - 1), index=inst.demand_ids[:-1])
    with pytest.raises(InputError, match="ids without a value"):
        alternatives(MCLP(p=2, max_cost=S), inst, zones=zones)


# ----------------------------------------------------------------------------- planning models
def test_planning_models_with_an_open_block():
    from erlocate.district import fire_station_case, shelter_case, team_case

    for model, inst in (fire_station_case(), shelter_case()):
        alt = alternatives(model, inst, k=3)
        assert len(alt) == 3 and alt.proven and alt.changes == ()
        assert alt.objectives[0] == pytest.approx(erlocate.solve(model, inst).objective)
        assert model.sense == "min" and (np.diff(alt.objectives) >= -1e-9).all()
        assert len(set(sets(alt))) == 3
    with pytest.raises(InputError, match="least cost in a second MILP"):
        alternatives(*fire_station_case(mode="max_cover", max_new=3))
    with pytest.raises(InputError, match="no binary block of one open flag per site"):
        alternatives(*team_case(recruit=True))


def test_limit_stops_unproven_and_every_plan_is_verified(monkeypatch):
    checked = []
    verify = erlocate.Result.verify

    def counting(self):
        checked.append(frozenset(np.flatnonzero(self.plan.open).tolist()))
        return verify(self)

    monkeypatch.setattr(erlocate.Result, "verify", counting)
    alt = alternatives(MCLP(p=3, max_cost=S), tied_instance(16), k=None, within=1.0, limit=4)
    assert len(alt) == 4 and alt.stop == "limit" and not alt.proven
    assert set(checked) == set(sets(alt))  # the first by solve, the others by alternatives


def test_data_checked_before_building():
    with pytest.raises(InputError) as e:
        alternatives(MCLP(p=2, max_cost=S), np.ones((3, 3)))
    assert e.value.field == "instance"
    with pytest.raises(InputError, match="cannot open 9 facilities") as e:
        alternatives(MCLP(p=9, max_cost=S), tied_instance(17))
