"""Every multi-MILP method gives the same status and objective for threads = None, 1, 2.

HiGHS keeps one process-wide thread pool, sized by the first solve. A later
run with another ``threads`` refused to start ("Not Set"); the Benders master
MILP then reported "feasible" with the LP bound. Each case below solves a
small instance whose method reaches its MILP stages (the Benders master MILP
or restricted MILP, the MCLP region and restricted MILPs) and compares with the
optimum known independently (published, or the single MILP).
"""

from types import SimpleNamespace

import numpy as np
import pytest

import erlocate
from erlocate.backends import get as get_backend
from erlocate.backends.base import SolveOptions
from erlocate.decomposition import benders_run, mclp_fixing
from erlocate.heuristics import mclp_region_search
from erlocate.io import orlib_case
from tests.conftest import BACKENDS, line_instance, random_instance

THREADS = [None, 1, 2]


@pytest.fixture(params=THREADS, ids=lambda t: f"threads={t}")
def threads(request):
    return request.param


@pytest.fixture
def mixed_pool(threads):
    """Start HiGHS' pool at a size other than ``threads`` (as an earlier solve would)."""
    other = 2 if threads in (None, 1) else 1
    erlocate.solve(erlocate.PMedian(2, formulation="dense"), line_instance(4), threads=other)
    return threads


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["pmed2", "pmed3"])
def test_benders_master_milp(backend, name, mixed_pool, monkeypatch):
    # no probing: the fixed problem goes to the master MILP (HiGHS) or restricted MILP
    monkeypatch.setattr(benders_run, "PROBE_SHARE", 0.0)
    case = orlib_case(name)
    r = erlocate.solve(
        erlocate.PMedian(case.p, formulation="benders"),
        case.instance,
        backend,
        threads=mixed_pool,
        time_limit=120,
    )
    assert r.status == "optimal", r.termination
    assert r.objective == case.optimum == r.bound  # 4093 and 4250 (OR-Library)
    assert r.milp_size["probes"] == 0 and r.milp_size["fixed_zero"] < 100
    if backend == "highs":
        assert "master" in r.termination and "Not Set" not in r.termination


@pytest.mark.parametrize("backend", BACKENDS)
def test_benders_random(backend, mixed_pool):
    inst = random_instance(2, n=60, m=20)
    exact = erlocate.solve(erlocate.PMedian(5, formulation="dense"), inst, "highs")
    r = erlocate.solve(
        erlocate.PMedian(5, formulation="benders"), inst, backend, threads=mixed_pool
    )
    assert r.status == "optimal" and r.objective == pytest.approx(exact.objective, rel=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_mclp_fixing_region_and_restricted_milp(backend, mixed_pool, monkeypatch):
    # 120 points, 60 sites, p = 6, S = 20: the first LP leaves a gap, so the region
    # search runs (its MILPs on `backend`), then the restricted MILP proves 874
    inst = random_instance(3, n=120, m=60)
    calls = []
    spy = mclp_fixing._region_improve
    monkeypatch.setattr(
        mclp_fixing, "_region_improve", lambda *a, **k: calls.append(a[-1]) or spy(*a, **k)
    )
    exact = erlocate.solve(erlocate.MCLP(6, 20.0), inst, "highs")
    r = erlocate.solve(
        erlocate.MCLP(6, 20.0, method="fixing"), inst, backend, threads=mixed_pool, time_limit=60
    )
    assert exact.objective == pytest.approx(874.0)
    assert r.status == "optimal" and r.objective == r.bound == 874.0  # recomputed from data
    assert r.termination.startswith("restricted MILP") and "cols" in r.milp_size
    assert len(calls) == 1 and calls[0].threads == mixed_pool  # the caller's options


@pytest.mark.parametrize("backend", BACKENDS)
def test_region_search_options(backend, mixed_pool):
    # the line of tests/heuristics/test_region.py: from the swap optimum {0, 3} (16) to {1, 4} (17)
    inst = line_instance(6, weights=[3, 3, 4, 5, 1, 1])
    start = erlocate.Plan.nearest(inst, np.isin(np.arange(6), [0, 3]))
    out = mclp_region_search(
        inst,
        start,
        1,
        region_open=1,
        time_limit=30,
        backend=backend,
        options=SolveOptions(threads=mixed_pool),
    )
    assert np.flatnonzero(out.open).tolist() == [1, 4]


def test_region_search_keeps_the_callers_options():
    seen = []
    highs = get_backend("highs")

    def solve(milp, options):
        seen.append(options)
        return highs.solve(milp, options)

    spy = SimpleNamespace(NAME="highs", solve=solve)
    inst = line_instance(6, weights=[3, 3, 4, 5, 1, 1])
    start = erlocate.Plan.nearest(inst, np.isin(np.arange(6), [0, 3]))
    given = SolveOptions(mip_gap=1e-3, threads=2, verbose=False, seed=None, time_limit=999.0)
    mclp_region_search(
        inst, start, 1, region_open=1, time_limit=30, sub_time_limit=2.0, backend=spy,
        seed=7, options=given,
    )  # fmt: skip
    assert seen
    for o in seen:
        assert (o.mip_gap, o.threads, o.verbose, o.seed) == (1e-3, 2, False, 7)
        assert 0 < o.time_limit <= 2.0 and o.warm_start is not None
    # without options: one thread per region MILP, the search's seed
    seen.clear()
    mclp_region_search(inst, start, 1, region_open=1, time_limit=30, backend=spy, seed=3)
    assert seen and all((o.threads, o.seed, o.mip_gap) == (1, 3, None) for o in seen)
