import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import erlocate
from erlocate import Instance
from erlocate.errors import InputError


def test_dense_matrix_keeps_only_finite_pairs_in_row_order():
    cost = np.array([[1.0, np.inf, 3.0], [np.inf, 0.0, 2.0]])
    inst = Instance.from_matrix(cost, demand_ids=["a", "b"], site_ids=["x", "y", "z"])
    assert inst.n_pairs == 4
    assert inst.indptr.tolist() == [0, 2, 4]
    assert inst.indices.tolist() == [0, 2, 1, 2]
    assert inst.costs.tolist() == [1.0, 3.0, 0.0, 2.0]
    assert inst.cost_of([0, 0, 1, 1], [1, 2, 0, 1]).tolist() == [np.inf, 3.0, np.inf, 0.0]
    np.testing.assert_array_equal(inst.dense_costs(), cost)
    assert list(inst.demand_ids) == ["a", "b"] and list(inst.site_ids) == ["x", "y", "z"]


def test_sparse_missing_is_unreachable_and_stored_zero_is_a_cost():
    cost = sp.csr_array((np.array([0.0, 5.0]), (np.array([0, 1]), np.array([1, 0]))), shape=(2, 2))
    inst = Instance.from_matrix(cost)
    assert inst.n_pairs == 2
    assert inst.cost_of([0, 1, 0], [1, 0, 0]).tolist() == [0.0, 5.0, np.inf]


def test_dataframe_supplies_ids_and_defaults():
    df = pd.DataFrame([[1.0, 2.0]], index=["v1"], columns=["s1", "s2"])
    inst = Instance.from_matrix(df)
    assert inst.demand_ids.tolist() == ["v1"] and inst.site_ids.tolist() == ["s1", "s2"]
    assert inst.weights.tolist() == [1.0] and inst.demand.tolist() == [1.0]
    assert inst.capacities.tolist() == [np.inf, np.inf]
    assert inst.site_costs.tolist() == [0.0, 0.0] and not inst.has_site_costs


def test_required_by_id_or_mask():
    cost = np.ones((2, 3))
    a = Instance.from_matrix(cost, site_ids=["x", "y", "z"], required=["z"])
    b = Instance.from_matrix(cost, required=np.array([False, False, True]))
    assert a.required.tolist() == b.required.tolist() == [False, False, True]


def test_coverage_matrix():
    inst = Instance.from_matrix(np.array([[1.0, 4.0], [2.0, np.inf]]))
    assert inst.coverage_matrix(2.0).toarray().tolist() == [[1, 0], [1, 0]]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"cost": [[1.0, np.nan]]},
            r"cost: 1 NaN entries, e\.g\. \(demand 0, site 1\); use np\.inf",
        ),
        (
            {"cost": [[1.0, -2.0]]},
            r"cost: 1 negative entries, e\.g\. \(demand 0, site 1\); travel costs must be >= 0",
        ),
        ({"cost": [1.0, 2.0]}, r"cost: expected a 2-d demand × site matrix, got 1 dimension"),
        ({"cost": np.zeros((0, 3))}, r"cost: needs at least one demand point and one site"),
        ({"cost": [[1.0]], "weights": [1.0, 2.0]}, r"weights: expected 1 values, got shape \(2,\)"),
        ({"cost": [[1.0]], "weights": [np.nan]}, r"weights: NaN for ids \[0\]"),
        (
            {"cost": [[1.0]], "weights": [-1.0]},
            r"weights: must be >= 0; negative for ids \[0\]",
        ),
        ({"cost": [[1.0]], "demand": [-3.0]}, r"demand: must be >= 0"),
        ({"cost": [[1.0]], "site_costs": [-5.0]}, r"site_costs: must be >= 0"),
        ({"cost": [[1.0]], "capacities": [-1.0]}, r"capacities: must be >= 0"),
        ({"cost": [[1.0]], "capacities": [np.nan]}, r"capacities: NaN"),
        ({"cost": [[1.0, 2.0]], "site_ids": ["a"]}, r"site_ids: 1 ids given for 2 sites"),
        (
            {"cost": [[1.0], [2.0]], "demand_ids": ["a", "a"]},
            r"demand_ids: ids must be unique; duplicated: \['a'\]",
        ),
        ({"cost": [[1.0]], "required": ["nope"]}, r"required: unknown site ids \['nope'\]"),
        (
            {"cost": [[1.0, 2.0]], "required": np.array([True])},
            r"required: boolean mask must have 2 entries",
        ),
    ],
)
def test_bad_input_names_the_field(kwargs, match):
    with pytest.raises(InputError, match=match) as info:
        Instance.from_matrix(**kwargs)
    assert info.value.field == match.split(":")[0]


def test_sparse_duplicates_rejected():
    coo = sp.coo_array((np.array([1.0, 2.0]), (np.array([0, 0]), np.array([0, 0]))), shape=(1, 1))
    with pytest.raises(InputError, match=r"cost: sparse matrix has duplicate entries"):
        Instance.from_matrix(coo)


def test_nan_in_sparse_reported_with_ids():
    m = sp.csr_array((np.array([np.nan]), (np.array([0]), np.array([1]))), shape=(1, 2))
    with pytest.raises(InputError, match=r"cost: 1 NaN entries, e\.g\. \(demand 'd', site 'b'\)"):
        Instance.from_matrix(m, demand_ids=["d"], site_ids=["a", "b"])


def test_instance_is_immutable():
    inst = Instance.from_matrix(np.ones((2, 2)))
    with pytest.raises(ValueError):
        inst.costs[0] = 5.0
    with pytest.raises(ValueError):
        inst.weights[0] = 5.0


def test_unreachable_points_named_then_dropped_and_reported():
    cost = np.array([[1.0, 2.0], [np.inf, np.inf], [3.0, 1.0], [np.inf, np.inf]])
    inst = erlocate.Instance.from_matrix(cost, demand_ids=["a", "b", "c", "d"], unit="min")
    with pytest.raises(
        erlocate.errors.InfeasibleError,
        match=r"demand ids \['b', 'd'\]\. Serve the rest with instance\.drop_demand",
    ):
        erlocate.solve(erlocate.PMedian(1), inst)
    assert inst.unreachable_ids.tolist() == ["b", "d"]
    rest = inst.drop_demand(inst.unreachable_ids)
    assert rest.dropped == ("b", "d") and rest.n_demand == 2
    r = erlocate.solve(erlocate.PMedian(1), rest)
    assert r.objective == pytest.approx(3.0)  # site 0: 1 + 2, site 1: 2 + 1
    text = r.summary()
    assert (
        "not served: 2 demand points dropped from the instance (instance.dropped): ['b', 'd']"
        in text
    )
    assert "min" in text and "2 demand points dropped" in repr(rest)


def test_summary_names_the_unit():
    cost = np.array([[1.0, 5.0], [4.0, 1.0], [3.0, 3.0]])
    inst = erlocate.Instance.from_matrix(cost, unit="min")
    r = erlocate.solve(erlocate.MCLP(1, 3.0), inst)
    assert "covered within 3 min:" in r.summary()
