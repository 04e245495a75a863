"""All installed backends agree on the optimum of every model (random instances, fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest

import erlocate
from tests.conftest import BACKENDS, random_instance

MODELS = [
    erlocate.PMedian(4),
    erlocate.PMedian(4, capacitated=True),
    erlocate.PMedian(5, single_source=True),
    erlocate.PCenter(4),
    erlocate.PCenter(3, weighted=True),
    erlocate.LSCP(40.0),
    erlocate.MCLP(4, 25.0),
    erlocate.BackupCoverage(4, 30.0, theta=0.7),
    erlocate.BackupCoverage(4, 30.0, theta=0.3),
    erlocate.UFLP(),
    erlocate.CFLP(),
    erlocate.CFLP(single_source=True),
]


def _inst(seed: int) -> erlocate.Instance:
    rng = np.random.default_rng(seed)
    n, m = 40, 12
    w = rng.integers(1, 20, n).astype(float)
    return random_instance(
        seed,
        n=n,
        m=m,
        demand=w,
        capacities=np.full(m, np.ceil(w.sum() / 3.5)),
        required=[0] if seed % 2 else None,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: repr(m))
def test_backends_agree(model, seed):
    inst = _inst(seed)
    try:
        results = {b: erlocate.solve(model, inst, b) for b in BACKENDS}
    except erlocate.errors.InfeasibleError:
        pytest.skip("infeasible on this seed")
    objectives = {b: r.objective for b, r in results.items()}
    reference = objectives["highs"]
    for b, r in results.items():
        assert r.status == "optimal", (b, r.status)
        assert r.objective == pytest.approx(reference, rel=1e-6, abs=1e-6), objectives
        assert r.bound == pytest.approx(reference, rel=1e-6, abs=1e-6)
