"""Up-front MILP size estimates and the memory limit (issue 17: refuse before building)."""

import numpy as np
import pytest

import erlocate
from erlocate.datasets import random_euclidean
from erlocate.errors import InputError
from erlocate.milp import MilpBuilder
from erlocate.models.blocks import Pairs
from erlocate.models.size import (
    BYTES_PER_NNZ,
    ENV_MAX_BUILD_GIB,
    assignment_size,
    build_bytes,
    check_build_size,
    max_build_bytes,
)

INST = random_euclidean(60, 12, seed=3)
CUT = 4_000.0


def _array_bytes(milp: erlocate.milp.Milp) -> int:
    a = milp.A
    vectors = (milp.c, milp.col_lb, milp.col_ub, milp.integrality, milp.row_lb, milp.row_ub)
    return a.data.nbytes + a.indices.nbytes + a.indptr.nbytes + sum(v.nbytes for v in vectors)


@pytest.mark.parametrize("model", [erlocate.UFLP(max_cost=CUT), erlocate.CFLP(max_cost=CUT)])
def test_assignment_size_equals_the_built_milp(model):
    pairs = Pairs(INST, CUT)
    assert 0 < len(pairs) < INST.n_demand * INST.n_sites  # the cut-off removes pairs
    cap = isinstance(model, erlocate.CFLP)
    n_cap = INST.n_sites if cap else 0
    est = assignment_size(
        INST.n_demand,
        INST.n_sites,
        len(pairs),
        capacity_sites=n_cap,
        capacity_pairs=len(pairs) if cap else 0,
    )
    milp = model.build(INST)
    # exact on these models (factor 1): no duplicate entries, no zeros dropped
    assert est == (milp.n_cols, milp.n_rows, milp.nnz)
    assert milp.n_cols == INST.n_sites + len(pairs)
    assert milp.nnz == (4 if cap else 3) * len(pairs) + n_cap
    # the memory estimate covers the MILP's own arrays and is at most 4 times them
    # (it adds the builder's transient triplets and the solver's copy)
    own = _array_bytes(milp)
    assert own < build_bytes(milp.nnz) <= 4 * own
    assert milp.A.indices.dtype == np.int32


def test_refused_up_front_with_the_numbers(monkeypatch):
    pairs = Pairs(INST, CUT)
    n = len(pairs)
    monkeypatch.setenv(ENV_MAX_BUILD_GIB, "1e-6")  # 1,074 bytes
    assert max_build_bytes() == pytest.approx(1e-6 * 2**30)
    with pytest.raises(InputError) as e:
        erlocate.CFLP(max_cost=CUT).build(INST)
    assert e.value.field == "instance"
    msg = str(e.value)
    cols, rows, nnz = INST.n_sites + n, INST.n_demand + n + INST.n_sites, 4 * n + INST.n_sites
    assert f"{cols:,} columns, {rows:,} rows and {nnz:,} non-zeros from {n:,}" in msg
    gib = nnz * BYTES_PER_NNZ / 2**30
    assert f"about {gib:.1f} GiB ({BYTES_PER_NNZ} bytes per non-zero)" in msg
    assert "max_cost" in msg and "benders" in msg and ENV_MAX_BUILD_GIB in msg
    # through solve as well, and for models that reach add_assignment (p-median, dense)
    with pytest.raises(InputError, match="from 720 demand–site pairs"):
        erlocate.solve(erlocate.PMedian(3, formulation="dense"), INST)
    # a limit just above the estimate lets the same build through
    monkeypatch.setenv(ENV_MAX_BUILD_GIB, str(1.01 * gib))
    assert erlocate.CFLP(max_cost=CUT).build(INST).nnz == nnz


def test_every_builder_checks_before_forming_the_matrix(monkeypatch):
    lscp = erlocate.LSCP(CUT, reduce=False)
    milp = lscp.build(INST)  # no assignment block: the builder's own check
    monkeypatch.setenv(ENV_MAX_BUILD_GIB, str(0.99 * build_bytes(milp.nnz) / 2**30))
    with pytest.raises(InputError, match=f"{milp.nnz:,} non-zeros; building") as e:
        lscp.build(INST)
    assert e.value.field == "instance"
    monkeypatch.setenv(ENV_MAX_BUILD_GIB, str(1.01 * build_bytes(milp.nnz) / 2**30))
    assert lscp.build(INST).nnz == milp.nnz


def test_limit_parsing(monkeypatch):
    monkeypatch.delenv(ENV_MAX_BUILD_GIB, raising=False)
    assert max_build_bytes() == 8 * 2**30
    check_build_size("X", 10**8, 10**8, 195_000_000)  # 8.0 GiB at 44 B: allowed
    with pytest.raises(InputError, match=r"8\.0 GiB limit"):
        check_build_size("X", 10**8, 10**8, 196_000_000)
    monkeypatch.setenv(ENV_MAX_BUILD_GIB, "inf")
    check_build_size("X", 1, 1, 10**15)
    for bad in ("0", "-1", "lots", "nan"):
        monkeypatch.setenv(ENV_MAX_BUILD_GIB, bad)
        with pytest.raises(InputError) as e:
            max_build_bytes()
        assert e.value.field == ENV_MAX_BUILD_GIB


def test_builder_entries_are_summed_and_build_once():
    b = MilpBuilder("toy")
    x = b.add_cols("x", 3, obj=1.0)
    b.add_rows("r", rows=[0, 1], cols=x[[0, 1]], vals=1.0, ub=2.0)
    b.add_entries("r", rows=[0, 1, 1], cols=x[[0, 2, 2]], vals=[2.0, -1.0, 3.0])
    assert b.nnz == 5 and b.n_rows == 2
    milp = b.build()
    np.testing.assert_array_equal(milp.A.toarray(), [[3.0, 0.0, 0.0], [0.0, 1.0, 2.0]])
    assert milp.nnz == 3
    with pytest.raises(RuntimeError, match="already called"):
        b.build()
