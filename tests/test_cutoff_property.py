"""Property: a model on an instance cut at r with standard / cut-off s either equals the
optimum computed from the full matrix (s <= r) or is refused with InputError (s > r)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import erlocate
from erlocate.errors import InfeasibleError, InputError

MODELS = {
    "mclp": lambda p, s: erlocate.MCLP(p, s),
    "lscp": lambda p, s: erlocate.LSCP(s),
    "backup": lambda p, s: erlocate.BackupCoverage(p, s, theta=0.3),
    "pmedian": lambda p, s: erlocate.PMedian(p, max_cost=s),
    "pmedian-dense": lambda p, s: erlocate.PMedian(p, max_cost=s, formulation="dense"),
    "pcenter": lambda p, s: erlocate.PCenter(p, max_cost=s),
    "uflp": lambda p, s: erlocate.UFLP(max_cost=s),
}


def outcome(model, inst):
    try:
        return erlocate.solve(model, inst).objective
    except InfeasibleError:
        return "infeasible"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(4, 14),
    m=st.integers(2, 6),
    r=st.sampled_from([2.0, 3.0, 4.5, 6.0]),
    s=st.sampled_from([1.5, 2.0, 3.0, 4.0, 5.0, 7.0]),
    kind=st.sampled_from(sorted(MODELS)),
)
def test_cut_instance_equals_full_or_refuses(seed, n, m, r, s, kind):
    rng = np.random.default_rng(seed)
    full = np.round(rng.random((n, m)) * 8, 1)
    w = rng.integers(1, 10, n).astype(float)
    f = np.round(rng.random(m) * 10, 1)
    p = int(rng.integers(1, m + 1))
    whole = erlocate.Instance.from_matrix(full, weights=w, site_costs=f)
    cut = erlocate.Instance.from_matrix(
        sp.csr_array((full[full <= r], np.nonzero(full <= r)), shape=full.shape),
        weights=w,
        site_costs=f,
        cutoff=r,
    )
    model = MODELS[kind](p, s)
    if s > r:
        with pytest.raises(InputError, match="cut at"):
            erlocate.solve(model, cut)
        return
    a, b = outcome(model, whole), outcome(model, cut)
    if a == "infeasible" or b == "infeasible":
        assert a == b
    else:
        assert b == pytest.approx(a, rel=1e-9, abs=1e-9)
