import itertools

import numpy as np
import pytest

import erlocate
from erlocate.errors import InfeasibleError, InputError
from tests.conftest import line_instance


def test_line_p1_and_p2(backend):
    inst = line_instance(5)
    r1 = erlocate.solve(erlocate.PMedian(1), inst, backend)
    assert r1.status == "optimal" and r1.objective == pytest.approx(6.0)
    assert r1.open_sites.tolist() == [2]
    r2 = erlocate.solve(erlocate.PMedian(2), inst, backend)
    assert r2.objective == pytest.approx(3.0) and len(r2.open_sites) == 2
    assert r2.assignment["share"].sum() == pytest.approx(5.0)


def test_weights_pull_the_median(backend):
    inst = line_instance(5, weights=[100, 1, 1, 1, 1])
    r = erlocate.solve(erlocate.PMedian(1), inst, backend)
    assert r.open_sites.tolist() == [0]
    assert r.objective == pytest.approx(1 + 2 + 3 + 4)


def test_required_site_stays_open(backend):
    r = erlocate.solve(erlocate.PMedian(1), line_instance(5, required=[0]), backend)
    assert r.open_sites.tolist() == [0] and r.objective == pytest.approx(10.0)


def test_max_cost_cutoff_changes_answer():
    # p=1 at site 2 reaches everyone within 2; with cut-off 1.5 no single site does
    inst = line_instance(5)
    with pytest.raises(InfeasibleError, match=r"proved the model infeasible|share no site"):
        erlocate.solve(erlocate.PMedian(1, max_cost=1.5), inst)
    r = erlocate.solve(erlocate.PMedian(2, max_cost=1.5), inst)
    assert r.objective == pytest.approx(3.0) and r.assignment["cost"].max() <= 1.5


def test_capacitated_split_and_single_source(backend):
    # point 2 carries 2 units, capacity 3: split halves it between {1, 3} (cost 3);
    # single sourcing cannot, and the best whole assignment costs 5 (brute force over
    # all 10 site pairs × 32 assignments)
    inst = line_instance(5, demand=[1, 1, 2, 1, 1], capacities=np.full(5, 3.0))
    split = erlocate.solve(erlocate.PMedian(2, capacitated=True), inst, backend)
    single = erlocate.solve(erlocate.PMedian(2, single_source=True), inst, backend)
    assert split.objective == pytest.approx(3.0)
    assert (split.sites["load"] <= 3 + 1e-9).all()
    assert single.objective == pytest.approx(5.0)
    assert set(single.assignment["share"].round(9)) == {1.0}
    assert (single.sites["load"] <= 3 + 1e-9).all()


def test_capacity_infeasible_names_numbers():
    inst = line_instance(5, capacities=np.full(5, 2.0))
    with pytest.raises(
        InfeasibleError,
        match=r"total capacity of the 2 largest sites is 4, below the total demand 5",
    ):
        erlocate.solve(erlocate.PMedian(2, capacitated=True), inst)


def test_single_source_too_big_demand():
    inst = line_instance(3, demand=[1, 5, 1], capacities=[4, 4, 4])
    with pytest.raises(
        InfeasibleError,
        match=r"single sourcing: 1 demand point\(s\) exceed .* e\.g\. 1 with demand 5",
    ):
        erlocate.solve(erlocate.PMedian(2, single_source=True), inst)


@pytest.mark.parametrize(
    ("p", "match", "field"),
    [
        (0, r"p: must be >= 1, got 0", "p"),
        (6, r"p: cannot open 6 facilities with only 5 candidate sites", "p"),
        (2.5, r"p: must be an integer, got 2\.5", "p"),
    ],
)
def test_bad_p(p, match, field):
    with pytest.raises(InputError, match=match) as info:  # p = 0, 2.5: at construction
        erlocate.solve(erlocate.PMedian(p), line_instance(5))
    assert info.value.field == field


def test_more_required_than_p():
    inst = line_instance(5, required=[0, 1, 2])
    with pytest.raises(InputError, match=r"p: 3 sites are required \(kept open\) but p = 2"):
        erlocate.solve(erlocate.PMedian(2), inst)


def test_unreachable_demand_listed():
    cost = np.array([[1.0, 2.0], [np.inf, np.inf], [3.0, 1.0]])
    inst = erlocate.Instance.from_matrix(cost, demand_ids=["a", "b", "c"])
    with pytest.raises(
        InfeasibleError,
        match=r"1 demand point\(s\) cannot reach any candidate site, .* demand ids \['b'\]",
    ):
        erlocate.solve(erlocate.PMedian(1), inst)


def test_no_assignment_variable_beyond_cutoff():
    inst = line_instance(6)
    full = erlocate.PMedian(2).build(inst)
    cut = erlocate.PMedian(2, max_cost=1).build(inst)
    assert full.col_blocks["assign"].stop - full.col_blocks["assign"].start == 36
    assert cut.col_blocks["assign"].stop - cut.col_blocks["assign"].start == 6 + 2 * 5


@pytest.mark.parametrize("backend", ["highs", "pulp", "ortools"])
@pytest.mark.parametrize("model", ["dense", "uflp"])
def test_zero_weights_go_to_nearest_open_site(backend, model):
    # 6 weightless points: the solver may send them anywhere; decoding gives them the
    # nearest open site, so an optimum verifies (it raised VerificationError before).
    rng = np.random.default_rng(3)
    pts, sites = rng.random((60, 2)), rng.random((15, 2))
    cost = np.linalg.norm(pts[:, None] - sites[None], axis=2) * 10
    w = rng.integers(1, 9, 60).astype(float)
    w[:6] = 0
    if model == "dense":
        inst = erlocate.Instance.from_matrix(cost, weights=w)
        spec = erlocate.PMedian(4, formulation="dense")
    else:
        inst = erlocate.Instance.from_matrix(cost, weights=w, site_costs=np.full(15, 20.0))
        spec = erlocate.UFLP()
    r = erlocate.solve(spec, inst, backend=backend).verify()
    if model == "dense":  # the optimum by enumeration of every 4 of the 15 sites
        best_value = min(
            float((w * cost[:, list(c)].min(axis=1)).sum())
            for c in itertools.combinations(range(15), 4)
        )
        assert r.objective == pytest.approx(best_value, rel=1e-9)
    assert r.status == "optimal"
    a = r.assignment.set_index("demand_id")
    best = cost[:6][:, r.plan.open].min(axis=1)
    assert np.allclose(a.loc[list(range(6)), "cost"].to_numpy(), best)


@pytest.mark.parametrize("formulation", ["dense", "radius", "benders"])
def test_infeasible_cutoff_the_packing_cannot_see_is_proved_by_the_solver(formulation):
    # a 5-cycle: each point reaches itself and its two neighbours within the cut-off, so any
    # two points share a site (no packing of 2) yet no single site reaches all five
    ring = np.full((5, 5), np.inf)
    for i in range(5):
        for j in (i - 1, i, i + 1):
            ring[i, j % 5] = 1.0 if j != i else 0.0
    inst = erlocate.Instance.from_matrix(ring)
    with pytest.raises(InfeasibleError, match="proved the model infeasible"):
        erlocate.solve(erlocate.PMedian(1, max_cost=1.0, formulation=formulation), inst)
    assert erlocate.solve(erlocate.PMedian(2, max_cost=1.0), inst).objective == pytest.approx(3.0)
