import numpy as np
import pytest

import erlocate
from erlocate.errors import InfeasibleError
from tests.conftest import line_instance


def test_uflp_line(backend):
    r = erlocate.solve(erlocate.UFLP(), line_instance(5, site_costs=np.full(5, 10.0)), backend)
    assert r.open_sites.tolist() == [2] and r.objective == pytest.approx(16.0)
    cheap = erlocate.solve(erlocate.UFLP(), line_instance(5, site_costs=np.full(5, 0.5)), backend)
    assert len(cheap.open_sites) == 5 and cheap.objective == pytest.approx(2.5)


def test_cflp_split_and_single(backend):
    inst = line_instance(5, site_costs=np.full(5, 10.0), capacities=np.full(5, 3.0))
    split = erlocate.solve(erlocate.CFLP(), inst, backend)
    single = erlocate.solve(erlocate.CFLP(single_source=True), inst, backend)
    assert split.objective == pytest.approx(23.0) and single.objective == pytest.approx(23.0)
    assert len(split.open_sites) == 2
    # capacity 2.5: two sites hold 5 only when full; split lets point 2 halve (cost 3)
    tight = line_instance(5, site_costs=np.full(5, 10.0), capacities=np.full(5, 2.5))
    s2 = erlocate.solve(erlocate.CFLP(), tight, backend)
    s1 = erlocate.solve(erlocate.CFLP(single_source=True), tight, backend)
    assert s2.objective == pytest.approx(23.0)
    # single sourcing: two sites hold at most 2 whole points each, so 3 sites (30) + cost 2
    assert s1.objective == pytest.approx(32.0) and len(s1.open_sites) == 3


def test_demand_vs_weight_roles(backend):
    # weights 1 (cost already per whole customer), demand loads capacity: OR-Library cap style
    cost = np.array([[1.0, 4.0], [1.0, 2.0]])
    inst = erlocate.Instance.from_matrix(
        cost, weights=[1, 1], demand=[3, 3], capacities=[4, 10], site_costs=[0, 0]
    )
    r = erlocate.solve(erlocate.CFLP(), inst, backend)
    # site 0 takes 4 of 6 units; cheapest: customer 1 (cost 1 vs 2) fills... objective 1 + (1/3)*1 + (2/3)*2
    assert r.objective == pytest.approx(1 * 1 + 1 / 3 * 1 + 2 / 3 * 2)


def test_cflp_total_capacity():
    inst = line_instance(3, capacities=[1, 1, 0.5])
    with pytest.raises(
        InfeasibleError, match=r"total capacity of all sites is 2\.5, below the total demand 3"
    ):
        erlocate.solve(erlocate.CFLP(), inst)


def test_capacities_the_model_ignores_are_said_and_missing_ones_refused():
    # LSCP used to carry load 15 against capacity 5 without a word
    inst = erlocate.Instance.from_matrix(
        np.array([[1.0, 9.0], [1.0, 9.0], [1.0, 9.0]]),
        weights=[5, 5, 5],
        demand=[5, 5, 5],
        capacities=[5.0, 100.0],
    )
    with pytest.warns(UserWarning, match="LSCP does not use site capacities.*2 of 2 sites"):
        r = erlocate.solve(erlocate.LSCP(max_cost=2.0), inst)
    assert "note: LSCP does not use site capacities" in r.summary()
    with pytest.warns(UserWarning, match="PMedian does not use site capacities"):
        erlocate.solve(erlocate.PMedian(1), inst)
    # the capacitated model respects them: site 0 cannot hold 15, so site 1 opens
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = erlocate.solve(erlocate.PMedian(1, capacitated=True), inst)
    assert r.open_sites.tolist() == [1] and "note:" not in r.summary()
    # a capacitated model on an instance without capacities: refused, not run uncapacitated
    plain = erlocate.Instance.from_matrix(np.ones((3, 2)))
    with pytest.raises(erlocate.errors.InputError, match="capacitated: the model respects site"):
        erlocate.solve(erlocate.PMedian(1, capacitated=True), plain)
    with pytest.raises(erlocate.errors.InputError, match="capacities: the model respects site"):
        erlocate.solve(erlocate.CFLP(), plain)
