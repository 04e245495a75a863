"""spopt 0.7.0's own locate tests, run through erlocate with spopt's expected numbers.

Each test names the spopt test it rebuilds (spopt/tests/test_locate/<file>::<test>); the data
and how it was extracted are in tests/peers/data/README.md. spopt asserts chosen sites by
its variable names ``y_<k>_`` (site position k) and assignments as ``cli2fac`` lists.
"""

import itertools

import numpy as np
import pytest

import erlocate
from erlocate.errors import InfeasibleError, InputError
from tests.peers import peerdata


def best_dispersion(d: np.ndarray, p: int, required: tuple[int, ...] = ()) -> tuple[float, list]:
    """Max-min dispersion and every optimal p-set, by enumeration (the sets are few)."""
    best, sets = -np.inf, []
    for s in itertools.combinations(range(len(d)), p):
        if set(required) <= set(s):
            v = min(d[a, b] for a, b in itertools.combinations(s, 2))
            if v > best + 1e-9:
                best, sets = v, [set(s)]
            elif v >= best - 1e-9:
                sets.append(set(s))
    return best, sets


def positions(result: erlocate.Result) -> set[int]:
    """Open sites as positions (spopt's ``y_<k>_``)."""
    return set(np.flatnonzero(result.plan.open).tolist())


# ---------------------------------------------------------------- p-dispersion (test_p_dispersion.py)


def test_p_dispersion_preselected_facility_array_from_geodataframe(backend):
    # TestSyntheticLocate: 5 facilities snapped to the lattice, Euclidean distances,
    # predefined_loc = [0, 0, 0, 1, 1], p = 3; spopt: objective 4.213464, y_1, y_3, y_4
    xy = peerdata.lattice_facilities()
    d = peerdata.euclidean(xy)
    inst = peerdata.square(d, list(range(5)), required=np.array([0, 0, 0, 1, 1], dtype=bool))
    r = erlocate.solve(erlocate.PDispersion(3), inst, backend).verify()
    assert r.status == "optimal"
    assert r.objective == pytest.approx(4.213464, abs=1e-6)
    # the required pair (3, 4) is the closest pair of every feasible set, so site 0 ties
    # with spopt's site 1: enumeration finds exactly these two optima
    best, sets = best_dispersion(d, 3, required=(3, 4))
    assert best == pytest.approx(4.213464, abs=1e-6)
    assert sets == [{0, 3, 4}, {1, 3, 4}]
    assert positions(r) in sets


def test_p_dispersion_from_cost_matrix_network(backend):
    # TestSyntheticLocate::test_p_dispersion_from_cost_matrix (p = 2 on the network
    # distances); spopt asserts only the type, its docstring on this data: y_0 and y_1
    d = peerdata.lattice_facility_network()
    r = erlocate.solve(erlocate.PDispersion(2), peerdata.square(d, list(range(5))), backend)
    r.verify()
    assert positions(r) == {0, 1}
    assert r.objective == pytest.approx(10.827781, abs=1e-6) == pytest.approx(d.max())


def test_optimality_p_dispersion_from_cost_matrix(backend):
    # TestRealWorldLocate: the SF 205 x 16 matrix given to from_cost_matrix, p = 4;
    # spopt: y_0, y_1, y_14, y_15 (Store_1, Store_11, Store_6, Store_7)
    d, names = peerdata.sf_upper_triangle()
    r = erlocate.solve(erlocate.PDispersion(4), peerdata.square(d, names), backend).verify()
    assert r.status == "optimal"
    assert positions(r) == {0, 1, 14, 15}
    assert sorted(r.open_sites) == ["Store_1", "Store_11", "Store_6", "Store_7"]
    best, sets = best_dispersion(d, 4)
    assert sets == [{0, 1, 14, 15}]  # the only optimum
    assert r.objective == pytest.approx(best) == pytest.approx(14223.139, abs=1e-3)


def test_optimality_p_dispersion_from_geodataframe(backend):
    # TestRealWorldLocate: the 16 stores sorted by NAME, Euclidean on (long, lat), p = 4;
    # spopt: y_0, y_2, y_8, y_14
    stores = peerdata.sf_stores()
    d = peerdata.euclidean(stores[["long", "lat"]].to_numpy())
    r = erlocate.solve(erlocate.PDispersion(4), peerdata.square(d, stores["NAME"].tolist()))
    r.verify()
    assert r.status == "optimal"
    assert positions(r) == {0, 2, 8, 14}
    best, sets = best_dispersion(d, 4)
    assert sets == [{0, 2, 8, 14}]
    assert r.objective == pytest.approx(best) == pytest.approx(0.08760037, abs=1e-8)


@pytest.mark.parametrize("source", ["cost_matrix", "geodataframe"])
def test_infeasibility_p_dispersion(source):
    # TestRealWorldLocate::test_infeasibility_p_dispersion_from_<source>: p = 17 of 16 sites;
    # spopt solves and reports "Infeasible", erlocate refuses before solving
    if source == "cost_matrix":
        d, names = peerdata.sf_upper_triangle()
    else:
        stores = peerdata.sf_stores()
        d, names = peerdata.euclidean(stores[["long", "lat"]].to_numpy()), stores["NAME"].tolist()
    with pytest.raises(InputError, match="17 facilities with only 16"):
        erlocate.solve(erlocate.PDispersion(17), peerdata.square(d, names))


# ------------------------------------- capacitated p-median, predefined sites filled (test_c_p_median.py)


def lattice_pmedian(required=None) -> erlocate.Instance:
    """2 clients (demand 4 and 10) x 3 facilities (capacities 5, 7, 10) on the lattice."""
    return erlocate.Instance.from_matrix(
        peerdata.lattice_client_facility_network(),
        weights=[4.0, 10.0],
        capacities=[5.0, 7.0, 10.0],
        required=required,
    )


def cli2fac(result: erlocate.Result) -> list[list[int]]:
    """spopt's ``cli2fac``: per client, the positions of the sites serving it."""
    out: list[list[int]] = [[] for _ in range(result.instance.n_demand)]
    for i, j in zip(result.plan.demand_idx, result.plan.site_idx, strict=True):
        out[int(i)].append(int(j))
    return [sorted(s) for s in out]


def test_c_p_median_from_cost_matrix(backend):
    # TestSyntheticLocate: p = 2, capacities 5, 7, 10, demand 4, 10 (spopt assigns 0/1);
    # spopt: cli2fac [[1], [2]], fac2cli [[], [0], [1]]
    r = erlocate.solve(erlocate.PMedian(2, single_source=True), lattice_pmedian(), backend)
    r.verify()
    assert cli2fac(r) == [[1], [2]]
    assert positions(r) == {1, 2}
    d = peerdata.lattice_client_facility_network()
    assert r.objective == pytest.approx(4 * d[0, 1] + 10 * d[1, 2]) == pytest.approx(102.380486)


def test_c_p_median_with_predefined_facilities_from_cost_matrix(backend):
    # as above with predefined_facilities_arr = [2], fulfill_predefined_fac = True: site 2
    # must carry its whole capacity 10; spopt: cli2fac [[1], [2]], fac2cli [[], [0], [1]]
    inst = lattice_pmedian(required=np.array([False, False, True]))
    model = erlocate.PMedian(2, single_source=True, fill_required=True)
    r = erlocate.solve(model, inst, backend).verify()
    assert r.status == "optimal"
    assert cli2fac(r) == [[1], [2]]
    assert r.sites["load"].tolist() == [0.0, 4.0, 10.0]
    assert r.objective == pytest.approx(102.380486)


def test_c_p_median_with_predefined_facilities_infeasible(backend):
    # predefined [0] with fulfill: site 0 must carry exactly its capacity 5 from single-sourced
    # demands 4 and 10, which no assignment does; spopt: "Model is not solved: Infeasible."
    inst = lattice_pmedian(required=np.array([True, False, False]))
    model = erlocate.PMedian(2, single_source=True, fill_required=True)
    with pytest.raises(InfeasibleError):
        erlocate.solve(model, inst, backend)
    # without filling, the same required site is feasible (client 0 -> 0, client 1 -> 2)
    r = erlocate.solve(erlocate.PMedian(2, single_source=True), inst, backend).verify()
    assert cli2fac(r) == [[0], [2]]


def test_mixin_mean_time(backend):
    # TestRealWorldLocate: 10 students x 74 schools, p = 10, capacities = Count, the
    # priority-1 schools predefined and filled; spopt: optimal, mean_dist == 87.2
    inst = peerdata.schools()
    model = erlocate.PMedian(10, single_source=True, fill_required=True)
    r = erlocate.solve(model, inst, backend).verify()
    assert r.status == "optimal"
    assert r.objective == pytest.approx(872.0)
    assert r.objective / inst.weights.sum() == pytest.approx(87.2)
    req = r.sites[r.sites["required"]]
    assert req["open"].all() and (req["load"] == req["capacity"]).all()  # all 7 filled
    assert len(req) == 7 and req["load"].sum() == 8.0


def test_infeasibility_predefined_facilities_fulfillment_error():
    # priority-3 schools predefined and filled: spopt refuses (SpecificationError) because
    # their capacities (28) exceed the total demand (10). These are 19 sites for p = 10, which
    # erlocate refuses first; with p = 19 it refuses for spopt's reason
    inst = peerdata.schools(priority=3)
    assert inst.capacities[inst.required].sum() == 28.0
    with pytest.raises(InputError, match="19 sites are required"):
        erlocate.solve(erlocate.PMedian(10, single_source=True, fill_required=True), inst)
    with pytest.raises(InfeasibleError, match="more than the 10 of demand"):
        erlocate.solve(erlocate.PMedian(19, single_source=True, fill_required=True), inst)


def test_no_capacity_data_predefined_facilities_error():
    # fulfill_predefined_fac without capacities: spopt refuses ("Data on the capacity of the
    # facility is missing"); erlocate names the required sites with nothing to fill
    time = peerdata.schools()
    inst = erlocate.Instance.from_matrix(
        time.dense_costs(), site_ids=time.site_ids, required=time.required
    )
    with pytest.raises(InputError, match="no capacity to fill"):
        erlocate.solve(erlocate.PMedian(10, fill_required=True), inst)


def test_infeasibility_capacity_smaller_than_demand_error():
    # every student with demand 5: the 10 largest capacities hold 24 < 50; spopt refuses
    # (SpecificationError "The highest possible capacity ..."), erlocate finds no plan
    inst = peerdata.schools(demand=5.0)
    assert np.sort(inst.capacities)[-10:].sum() == 24.0
    with pytest.raises(InfeasibleError):
        erlocate.solve(erlocate.PMedian(10, single_source=True, fill_required=True), inst)
