"""Shared fixtures: installed backends, the benchmark data folder, small instances."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import erlocate

#: The solvers the project installs on every supported Python: the ``backend`` fixture runs
#: each test on all three, and a missing one fails (tests/backends/test_registry.py), never
#: skips. Every other available solver is compared with these in tests/backends.
CORE_BACKENDS = ("highs", "cbc", "scip")
BACKENDS = list(CORE_BACKENDS)


def _data_dir() -> Path | None:
    env = os.environ.get("ERLOCATE_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


DATA = _data_dir()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each core backend in turn (see CORE_BACKENDS)."""
    return request.param


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """../shared/data (or $ERLOCATE_DATA); tests needing it skip when it is absent."""
    if DATA is None:
        pytest.skip("benchmark data not found: put shared/ beside the repo or set ERLOCATE_DATA")
    return DATA


def line_instance(n: int = 5, **kwargs) -> erlocate.Instance:
    """n demand points and n sites at 0, 1, ..., n-1 on a line; cost = |a - b|."""
    pos = np.arange(n, dtype=float)
    return erlocate.Instance.from_matrix(np.abs(pos[:, None] - pos[None, :]), **kwargs)


def random_instance(seed: int, n: int = 40, m: int = 12, **kwargs) -> erlocate.Instance:
    """Random Euclidean instance with integer weights, some unreachable pairs."""
    rng = np.random.default_rng(seed)
    pts, sites = rng.random((n, 2)), rng.random((m, 2))
    cost = np.round(100 * np.linalg.norm(pts[:, None] - sites[None], axis=2), 1)
    cost[rng.random((n, m)) < 0.15] = np.inf
    cost[np.arange(n), rng.integers(0, m, n)] = rng.integers(0, 30, n)  # everyone reaches a site
    w = rng.integers(1, 20, n).astype(float)
    defaults = dict(weights=w, site_costs=np.round(rng.random(m) * 300), name=f"random{seed}")
    defaults.update(kwargs)
    return erlocate.Instance.from_matrix(cost, **defaults)


def all_plans(inst: erlocate.Instance, p: int) -> Iterator[np.ndarray]:
    """Open flags of every p-subset of the sites that opens every required site."""
    for combo in itertools.combinations(range(inst.n_sites), p):
        o = np.zeros(inst.n_sites, bool)
        o[list(combo)] = True
        if (o | ~inst.required).all():
            yield o


class Clock:
    """A fake ``time.perf_counter`` advancing one second per reading (counts readings)."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return float(self.reads)
