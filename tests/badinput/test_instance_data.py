"""Battery: numbers, ids and labels given to ``Instance.from_matrix``.

Families ``numbers`` (costs, weights, demands, site costs, capacities), ``ids``
(demand / site ids and ``required``) and ``labels`` (pandas data and mappings
aligned by label, never by position).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import erlocate
from erlocate.errors import InputError
from tests.badinput.battery import Case, check, params

C = np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 4.0], [5.0, 3.0, 1.0], [2.0, 2.0, 2.0]])
D_IDS = ["a", "b", "c", "d"]
S_IDS = ["x", "y", "z"]


def mk(**kw):
    """from_matrix on the 4 × 3 matrix with string ids, overriding keywords."""
    args = {"demand_ids": D_IDS, "site_ids": S_IDS, **kw}
    cost = args.pop("cost", C)
    return lambda: erlocate.Instance.from_matrix(cost, **args)


def with_entry(value, dtype=float):
    arr = C.astype(dtype).copy()
    arr[1, 2] = value
    return arr


NUMBERS = [
    Case("numbers", "cost-nan", mk(cost=with_entry(np.nan)), InputError, "cost"),
    Case("numbers", "cost-negative", mk(cost=with_entry(-1.0)), InputError, "cost"),
    Case("numbers", "cost-1e20", mk(cost=with_entry(1e20)), InputError, "cost"),
    Case("numbers", "cost-1e15", mk(cost=with_entry(1e15)), InputError, "cost"),
    Case("numbers", "cost-minus-inf", mk(cost=with_entry(-np.inf)), InputError, "cost"),
    Case("numbers", "cost-complex", mk(cost=C + 1j), InputError, "cost"),
    Case("numbers", "cost-complex-zero-imag", mk(cost=C.astype(complex)), InputError, "cost"),
    Case("numbers", "cost-strings", mk(cost=C.astype(str)), InputError, "cost"),
    Case("numbers", "cost-object-mixed", mk(cost=with_entry("5", object)), InputError, "cost"),
    Case("numbers", "cost-object-none", mk(cost=with_entry(None, object)), InputError, "cost"),
    Case("numbers", "cost-bool", mk(cost=C > 1), InputError, "cost"),
    Case("numbers", "cost-1d", mk(cost=C[0]), InputError, "cost"),
    Case("numbers", "cost-3d", mk(cost=C[None]), InputError, "cost"),
    Case("numbers", "cost-scalar", mk(cost=3.0), InputError, "cost"),
    Case("numbers", "cost-none", mk(cost=None), InputError, "cost"),
    Case("numbers", "cost-string", mk(cost="costs.csv"), InputError, "cost"),
    Case("numbers", "cost-ragged", mk(cost=[[1.0, 2.0, 3.0], [1.0]]), InputError, "cost"),
    Case(
        "numbers",
        "cost-empty-rows",
        lambda: erlocate.Instance.from_matrix(np.zeros((0, 3))),
        InputError,
        "cost",
    ),
    Case(
        "numbers",
        "cost-empty-cols",
        lambda: erlocate.Instance.from_matrix(np.zeros((3, 0))),
        InputError,
        "cost",
    ),
    Case(
        "numbers",
        "cost-sparse-nan",
        mk(cost=sp.csr_array(with_entry(np.nan))),
        InputError,
        "cost",
    ),
    Case(
        "numbers",
        "cost-sparse-negative",
        mk(cost=sp.csr_array(with_entry(-2.0))),
        InputError,
        "cost",
    ),
    Case(
        "numbers",
        "cost-frame-text-column",
        mk(
            cost=pd.DataFrame(
                {"x": [1.0, 2, 3, 4], "y": ["1", "2", "3", "4"], "z": [1.0] * 4}, index=D_IDS
            )
        ),
        InputError,
        "cost",
    ),
    Case("numbers", "weights-nan", mk(weights=[1.0, np.nan, 1.0, 1.0]), InputError, "weights"),
    Case("numbers", "weights-negative", mk(weights=[1.0, -1.0, 1.0, 1.0]), InputError, "weights"),
    Case("numbers", "weights-inf", mk(weights=[1.0, np.inf, 1.0, 1.0]), InputError, "weights"),
    Case("numbers", "weights-huge", mk(weights=[1.0, 1e16, 1.0, 1.0]), InputError, "weights"),
    Case("numbers", "weights-strings", mk(weights=["1", "2", "3", "4"]), InputError, "weights"),
    Case("numbers", "weights-complex", mk(weights=np.ones(4) + 1j), InputError, "weights"),
    Case("numbers", "weights-bool", mk(weights=[True, False, True, True]), InputError, "weights"),
    Case("numbers", "weights-short", mk(weights=[1.0, 2.0]), InputError, "weights"),
    Case("numbers", "weights-long", mk(weights=np.ones(5)), InputError, "weights"),
    Case("numbers", "weights-2d", mk(weights=np.ones((4, 1))), InputError, "weights"),
    Case("numbers", "weights-scalar-string", mk(weights="population"), InputError, "weights"),
    Case("numbers", "weights-all-zero", mk(weights=np.zeros(4)), InputError, "weights"),
    Case(
        "numbers",
        "weights-times-cost-overflow",
        mk(weights=np.full(4, 1e14), cost=C * 1e4),
        InputError,
        "weights",
    ),
    Case("numbers", "demand-nan", mk(demand=[1.0, np.nan, 1.0, 1.0]), InputError, "demand"),
    Case("numbers", "demand-negative", mk(demand=[1.0, -3.0, 1.0, 1.0]), InputError, "demand"),
    Case("numbers", "demand-short", mk(demand=[1.0]), InputError, "demand"),
    Case("numbers", "demand-strings", mk(demand=list("1234")), InputError, "demand"),
    Case(
        "numbers", "site-costs-negative", mk(site_costs=[1.0, -1.0, 1.0]), InputError, "site_costs"
    ),
    Case("numbers", "site-costs-nan", mk(site_costs=[1.0, np.nan, 1.0]), InputError, "site_costs"),
    Case("numbers", "site-costs-inf", mk(site_costs=[1.0, np.inf, 1.0]), InputError, "site_costs"),
    Case("numbers", "site-costs-wrong-length", mk(site_costs=[1.0, 1.0]), InputError, "site_costs"),
    Case("numbers", "site-costs-complex", mk(site_costs=np.ones(3) * 1j), InputError, "site_costs"),
    Case(
        "numbers", "capacities-negative", mk(capacities=[1.0, -1.0, 1.0]), InputError, "capacities"
    ),
    Case("numbers", "capacities-nan", mk(capacities=[1.0, np.nan, 1.0]), InputError, "capacities"),
    Case("numbers", "capacities-strings", mk(capacities=["5", "5", "5"]), InputError, "capacities"),
    Case("numbers", "capacities-wrong-length", mk(capacities=[5.0] * 4), InputError, "capacities"),
    Case("numbers", "cutoff-string", mk(cutoff="5"), InputError, "cutoff"),
    Case("numbers", "cutoff-negative", mk(cutoff=-1.0), InputError, "cutoff"),
    Case("numbers", "cutoff-below-stored", mk(cutoff=2.0), InputError, "cutoff"),
    Case("numbers", "cutoff-nan", mk(cutoff=float("nan")), InputError, "cutoff"),
    Case("numbers", "unit-number", mk(unit=5), InputError, "unit"),
]

IDS = [
    Case("ids", "demand-ids-scalar", mk(demand_ids=7), InputError, "demand_ids"),
    Case("ids", "demand-ids-string", mk(demand_ids="abcd"), InputError, "demand_ids"),
    Case(
        "ids", "demand-ids-duplicate", mk(demand_ids=["a", "a", "c", "d"]), InputError, "demand_ids"
    ),
    Case("ids", "demand-ids-short", mk(demand_ids=["a", "b"]), InputError, "demand_ids"),
    Case(
        "ids",
        "demand-ids-none-entry",
        mk(demand_ids=["a", None, "c", "d"]),
        InputError,
        "demand_ids",
    ),
    Case(
        "ids",
        "demand-ids-nan-entry",
        mk(demand_ids=[1.0, np.nan, 3.0, 4.0]),
        InputError,
        "demand_ids",
    ),
    Case("ids", "demand-ids-set", mk(demand_ids={"a", "b", "c", "d"}), InputError, "demand_ids"),
    Case(
        "ids",
        "demand-ids-dict",
        mk(demand_ids={"a": 1, "b": 2, "c": 3, "d": 4}),
        InputError,
        "demand_ids",
    ),
    Case("ids", "site-ids-scalar", mk(site_ids=3), InputError, "site_ids"),
    Case("ids", "site-ids-duplicate", mk(site_ids=["x", "x", "z"]), InputError, "site_ids"),
    Case("ids", "site-ids-long", mk(site_ids=["x", "y", "z", "w"]), InputError, "site_ids"),
    Case("ids", "site-ids-string", mk(site_ids="xyz"), InputError, "site_ids"),
    Case("ids", "required-scalar", mk(required=3), InputError, "required"),
    Case("ids", "required-bare-string", mk(required="x"), InputError, "required"),
    Case("ids", "required-unknown-id", mk(required=["x", "q"]), InputError, "required"),
    Case("ids", "required-duplicate", mk(required=["x", "x"]), InputError, "required"),
    Case(
        "ids",
        "required-ambiguous-01-on-int-ids",
        lambda: erlocate.Instance.from_matrix(C, required=[1, 0, 0]),
        InputError,
        "required",
    ),
    Case("ids", "required-mask-short", mk(required=[True, False]), InputError, "required"),
    Case(
        "ids", "required-mask-long", mk(required=[True, False, False, True]), InputError, "required"
    ),
    Case(
        "ids", "required-float-mask", mk(required=np.array([1.0, 0.0, 0.0])), InputError, "required"
    ),
    Case("ids", "required-none-entry", mk(required=["x", None]), InputError, "required"),
    Case("ids", "required-dict", mk(required={"x": 1}), InputError, "required"),
    Case(
        "ids",
        "required-position-on-string-ids",
        mk(required=[0, 2]),
        InputError,
        "required",
    ),
    Case("ids", "drop-demand-unknown", lambda: mk()().drop_demand(["q"]), InputError, "ids"),
    Case("ids", "drop-demand-all", lambda: mk()().drop_demand(D_IDS), InputError, "ids"),
]

LABELS = [
    Case(
        "labels",
        "weights-series-foreign-labels",
        mk(weights=pd.Series([1.0, 2, 3, 4], index=[0, 1, 2, 3])),
        InputError,
        "weights",
    ),
    Case(
        "labels",
        "weights-series-missing-label",
        mk(weights=pd.Series([1.0, 2, 3], index=["a", "b", "c"])),
        InputError,
        "weights",
    ),
    Case(
        "labels",
        "weights-series-extra-label",
        mk(weights=pd.Series([1.0, 2, 3, 4, 5], index=[*D_IDS, "e"])),
        InputError,
        "weights",
    ),
    Case(
        "labels",
        "weights-series-duplicate-label",
        mk(weights=pd.Series([1.0, 2, 3, 4], index=["a", "a", "c", "d"])),
        InputError,
        "weights",
    ),
    Case(
        "labels",
        "weights-mapping-foreign",
        mk(weights={"a": 1.0, "b": 1.0, "c": 1.0, "zz": 1.0}),
        InputError,
        "weights",
    ),
    Case(
        "labels",
        "weights-series-nan-after-alignment",
        mk(weights=pd.Series([1.0, 2, np.nan, 4], index=["d", "c", "b", "a"])),
        InputError,
        "weights",
    ),
    Case(
        "labels",
        "demand-series-foreign",
        mk(demand=pd.Series([1.0, 2, 3, 4], index=list("pqrs"))),
        InputError,
        "demand",
    ),
    Case(
        "labels",
        "site-costs-series-foreign",
        mk(site_costs=pd.Series([1.0, 2, 3], index=[0, 1, 2])),
        InputError,
        "site_costs",
    ),
    Case(
        "labels",
        "site-costs-mapping-missing",
        mk(site_costs={"x": 1.0, "y": 2.0}),
        InputError,
        "site_costs",
    ),
    Case(
        "labels",
        "capacities-series-foreign",
        mk(capacities=pd.Series([1.0, 2, 3], index=["x", "y", "w"])),
        InputError,
        "capacities",
    ),
    Case(
        "labels",
        "required-series-foreign",
        mk(required=pd.Series([True, False, False], index=[0, 1, 2])),
        InputError,
        "required",
    ),
    Case(
        "labels",
        "required-series-not-bool",
        mk(required=pd.Series([1, 0, 0], index=S_IDS)),
        InputError,
        "required",
    ),
    Case(
        "labels",
        "weights-two-column-dataframe",
        mk(weights=pd.DataFrame({"w": [1.0, 2, 3, 4], "v": 1.0}, index=D_IDS)),
        InputError,
        "weights",
    ),
    Case(
        "labels",
        "cost-frame-ids-disagree",
        mk(cost=pd.DataFrame(C, index=D_IDS, columns=S_IDS), demand_ids=["p", "q", "r", "s"]),
        InputError,
        "demand_ids",
    ),
]


@pytest.mark.parametrize("case", params(NUMBERS + IDS + LABELS))
def test_bad_instance_data(case):
    check(case)


def test_series_aligned_by_label_not_position():
    # the same weights in reverse label order give the same instance
    w = pd.Series([4.0, 3.0, 2.0, 1.0], index=["d", "c", "b", "a"])
    inst = mk(weights=w)()
    assert inst.weights.tolist() == [1.0, 2.0, 3.0, 4.0]
    caps = pd.Series({"z": 9.0, "x": 5.0, "y": 7.0})
    assert mk(capacities=caps)().capacities.tolist() == [5.0, 7.0, 9.0]
    req = pd.Series([False, True, False], index=["z", "y", "x"])
    assert mk(required=req)().required.tolist() == [False, True, False]
    assert mk(required={"y"})().required.tolist() == [False, True, False]


def test_frame_text_column_is_named():
    frame = pd.DataFrame({"x": [1.0, 2], "y": ["1", "2"]})
    with pytest.raises(InputError, match=r"column 'y' has dtype"):
        erlocate.Instance.from_matrix(frame)
