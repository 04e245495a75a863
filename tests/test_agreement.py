"""All available solvers agree on the optimum of every model (random instances, fixed seeds).

The core backends (highs, cbc, scip) solve every case. Every other solver available here
(``erlocate backends``: CP-SAT, the commercial free editions, cuOpt on a GPU, plugins) is
compared with HiGHS on the same cases; a case beyond its size limit or, for an
integer-only solver, not integral is skipped with that reason, so ``pytest -ra`` lists
which solver was not compared on which case and why.
"""

from __future__ import annotations

import numpy as np
import pytest

import erlocate
from erlocate.errors import IntegerOnlyError, SizeLimitError
from tests.conftest import BACKENDS, CORE_BACKENDS, random_instance

#: Every solver available here beyond the core three.
OTHERS = [b for b in erlocate.backends() if b not in CORE_BACKENDS]

#: At most two of the first six sites; a budget of 400 over sites 0-5 (site costs 0-300).
GROUP = erlocate.SiteGroup(range(6), p=2, at_most=True, name="first six")
BUDGET = erlocate.SiteGroup(range(6), budget=400.0, name="first six, budget")

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
    erlocate.MEXCLP(6, 25.0, 0.3, max_units_per_site=2),
    erlocate.MALP(6, 30.0, 0.85, q=0.3, local=False),
    erlocate.MALP(5, 30.0, 0.9, service_time=0.01),
    erlocate.UFLP(),
    erlocate.CFLP(),
    erlocate.CFLP(single_source=True),
    # capacities, minimum loads and site groups (issue 15)
    erlocate.PCenter(4, capacitated=True),
    erlocate.PCenter(4, single_source=True, formulation="dense"),
    erlocate.LSCP(40.0, capacitated=True),
    erlocate.LSCP(45.0, single_source=True, groups=[GROUP]),
    erlocate.MCLP(4, 25.0, capacitated=True),
    erlocate.MCLP(4, 25.0, single_source=True, groups=[GROUP]),
    erlocate.BackupCoverage(4, 30.0, objective="lexicographic"),
    erlocate.BackupCoverage(4, 30.0, capacitated=True, groups=[GROUP]),
    erlocate.PMedian(4, min_loads={1: 20.0, 5: 20.0}, groups=[GROUP]),
    erlocate.CFLP(min_loads={2: 30.0}, groups=[BUDGET]),
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
    results = {b: erlocate.solve(model, inst, b) for b in BACKENDS}
    objectives = {b: r.objective for b, r in results.items()}
    reference = objectives["highs"]
    for b, r in results.items():
        assert r.status == "optimal", (b, r.status)
        assert r.objective == pytest.approx(reference, rel=1e-6, abs=1e-6), objectives
        assert r.bound == pytest.approx(reference, rel=1e-6, abs=1e-6)


def _enumerate(inst: erlocate.Instance, p: int, score) -> list[float]:
    """Best score over every p-subset of sites (required sites forced in)."""
    from itertools import combinations

    dense = inst.dense_costs()
    req = set(np.flatnonzero(inst.required).tolist())
    return [score(dense[:, list(c)]) for c in combinations(range(inst.n_sites), p) if req <= set(c)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uncapacitated_models_match_enumeration(seed, backend):
    # 12 sites choose 4 = 495 plans: every one is scored from the dense matrix.
    inst = _inst(seed)
    w = inst.weights
    median = min(_enumerate(inst, 4, lambda d: float(w @ d.min(axis=1))))
    center = min(_enumerate(inst, 4, lambda d: float(d.min(axis=1).max())))
    cover = max(_enumerate(inst, 4, lambda d: float(w[(d <= 25.0).any(axis=1)].sum())))
    assert erlocate.solve(erlocate.PMedian(4), inst, backend).objective == pytest.approx(median)
    assert erlocate.solve(erlocate.PCenter(4), inst, backend).objective == pytest.approx(center)
    assert erlocate.solve(erlocate.MCLP(4, 25.0), inst, backend).objective == pytest.approx(cover)


def test_at_least_seven_solvers_are_usable_here():
    # the test extra installs the commercial free editions beside highs, cbc, scip, cpsat
    usable = erlocate.backends()
    assert len(usable) >= 7, usable


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("model", MODELS, ids=lambda m: repr(m))
@pytest.mark.parametrize("backend", OTHERS)
def test_every_other_solver_agrees_with_highs(backend, model, seed):
    inst = _inst(seed)
    reference = erlocate.solve(model, inst, "highs")
    try:
        result = erlocate.solve(model, inst, backend)
    except (SizeLimitError, IntegerOnlyError) as exc:
        pytest.skip(f"{backend} not compared on {model!r}, seed {seed}: {exc}")
    assert result.backend == backend and result.status == "optimal", result.termination
    assert result.objective == pytest.approx(reference.objective, rel=1e-6, abs=1e-6)
    assert result.bound == pytest.approx(reference.objective, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("backend", [*BACKENDS, *OTHERS])
def test_pdispersion_agrees_with_highs(backend, seed):
    # sites x sites: 9 random points, p = 4; PDispersion's own instance shape
    pts = np.random.default_rng(seed).random((9, 2))
    d = np.round(100 * np.linalg.norm(pts[:, None] - pts[None], axis=2), 1)
    ids = [f"s{k}" for k in range(9)]
    inst = erlocate.Instance.from_matrix(d, demand_ids=ids, site_ids=ids)
    reference = erlocate.solve(erlocate.PDispersion(4), inst, "highs")
    try:
        result = erlocate.solve(erlocate.PDispersion(4), inst, backend)
    except (SizeLimitError, IntegerOnlyError) as exc:
        pytest.skip(f"{backend} not compared on PDispersion, seed {seed}: {exc}")
    assert result.status == "optimal", result.termination
    assert result.objective == pytest.approx(reference.objective, rel=1e-6, abs=1e-6)
