"""Honest bounds: never weaker than the model's own, never "optimal" without a proof.

* ``box_bound`` / ``known_bound`` / ``tighten_bound`` / ``honest_bound`` on hand cases;
* the bound each classical model knows from its data (``Milp.bound_hint``), by hand;
* time-limited runs on every backend in ``erlocate.backends.available()``: the
  reported bound is at least the model's bound and at most the optimum, and
  "optimal" comes with a closed gap and the true optimum;
* SCIP stopped before its root LP (its bound was 0, or −5,759,029 in a reported
  run, for p-medians whose nearest costs sum to millions);
* the decompositions (Benders p-median, MCLP fixing) under time limits.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import erlocate
from erlocate.backends import SolveOptions, get
from erlocate.backends.base import (
    OPTIMAL_GAP,
    SolverOutput,
    box_bound,
    honest_bound,
    known_bound,
    tighten_bound,
)
from erlocate.datasets import random_euclidean
from erlocate.errors import SizeLimitError
from erlocate.milp import MilpBuilder


def out(status="feasible", objective=10.0, bound=None, x="one") -> SolverOutput:
    x = np.zeros(1) if x == "one" else x
    return SolverOutput(status, x, objective, bound, None, 0.1, "time limit", "test")


# --- the generic guard, by hand -----------------------------------------------------------


def toy(sense="min", hint=None):
    """min/max 2a - 3b + 1, a in [1, 5], b in [0, 4]: box bound 2 - 12 + 1 = -9 (min), 11 (max)."""
    b = MilpBuilder("toy", sense)
    b.add_cols("ab", 2, obj=[2, -3], lb=[1, 0], ub=[5, 4])
    b.offset = 1.0
    b.bound_hint = hint
    return b.build()


def test_box_bound_by_hand():
    assert box_bound(toy("min")) == -9.0
    assert box_bound(toy("max")) == 2 * 5 + 1.0  # b at 0
    b = MilpBuilder("free")
    b.add_cols("x", 1, obj=1.0, lb=-np.inf)
    assert box_bound(b.build()) is None  # unbounded in the helpful direction
    b = MilpBuilder("free-zero")
    b.add_cols("x", 1, obj=0.0, lb=-np.inf)
    assert box_bound(b.build()) == 0.0  # a free column that costs nothing


def test_known_bound_is_the_stronger_of_box_and_hint():
    assert known_bound(toy("min")) == -9.0
    assert known_bound(toy("min", hint=-4.0)) == -4.0
    assert known_bound(toy("min", hint=-20.0)) == -9.0  # a weaker hint changes nothing
    assert known_bound(toy("max", hint=8.0)) == 8.0
    assert known_bound(toy("min", hint=float("nan"))) == -9.0


def test_honest_bound_replaces_a_weaker_bound_and_recomputes_the_gap():
    milp = toy("min", hint=-4.0)
    fixed = honest_bound(out(objective=-3.0, bound=-5_759_029.0), milp)
    assert fixed.bound == -4.0
    assert fixed.gap == pytest.approx(1 / 3)
    assert fixed.status == "feasible"
    none = honest_bound(out(objective=-3.0, bound=None), milp)
    assert none.bound == -4.0
    no_solution = honest_bound(out("no_solution", objective=None, bound=None, x=None), milp)
    assert no_solution.bound == -4.0 and no_solution.gap is None


def test_honest_bound_keeps_a_stronger_bound_and_other_statuses():
    milp = toy("min", hint=-4.0)
    kept = out(objective=-3.0, bound=-3.5)
    assert honest_bound(kept, milp) is kept
    infeasible = SolverOutput("infeasible", None, None, None, None, 0.0, "", "test")
    assert honest_bound(infeasible, milp) is infeasible


def test_a_known_bound_that_meets_the_incumbent_proves_it():
    milp = toy("min", hint=-3.0)
    proven = honest_bound(out(objective=-3.0, bound=-9.0), milp)
    assert proven.status == "optimal" and proven.gap == 0.0 and proven.bound == -3.0
    assert "proven optimal by the model's own bound" in proven.termination


def test_tighten_bound_for_maximisation_and_caps_at_the_incumbent():
    up = tighten_bound(out(objective=7.0, bound=1e20), 8.0, "max")
    assert up.bound == 8.0 and up.gap == pytest.approx(1 / 7)
    capped = tighten_bound(out(objective=7.0, bound=None), 6.0, "max")  # never below x's value
    assert capped.bound == 7.0 and capped.status == "optimal"
    assert tighten_bound(out(bound=3.0), None, "min").bound == 3.0


# --- the bound each model knows, by hand ---------------------------------------------------

COST = np.array([[1.0, 4.0], [3.0, 2.0], [5.0, 1.0]])  # 3 demand points × 2 sites


def instance(**kwargs) -> erlocate.Instance:
    kwargs.setdefault("weights", [2.0, 1.0, 1.0])
    return erlocate.Instance.from_matrix(COST, **kwargs)


def test_pmedian_bound_is_the_weighted_nearest_cost():
    # nearest costs 1, 2, 1 with weights 2, 1, 1: 2 + 2 + 1 = 5, for every formulation
    inst = instance(capacities=[10.0, 10.0])
    for model in (
        erlocate.PMedian(1, formulation="dense"),
        erlocate.PMedian(1, formulation="radius"),
        erlocate.PMedian(1, capacitated=True),
        erlocate.PMedian(1, single_source=True),
    ):
        assert model.build(inst).bound_hint == 5.0, model
    # within max_cost 3 point 0 still has site 0 (1), point 1 has both, point 2 site 1
    assert erlocate.PMedian(1, max_cost=3.0).build(inst).bound_hint == 5.0


def test_pcenter_bound_is_the_largest_nearest_cost():
    assert erlocate.PCenter(1).build(instance()).bound_hint == 2.0  # max(1, 2, 1)
    weighted = erlocate.PCenter(1, weighted=True).build(instance(weights=[3.0, 1.0, 1.0]))
    assert weighted.bound_hint == 3.0  # max(3 × 1, 1 × 2, 1 × 1)


def test_fixed_charge_bound_adds_what_every_plan_pays_to_open():
    # assignment 5; no required site: at least the cheaper site (7) opens
    assert erlocate.UFLP().build(instance(site_costs=[10.0, 7.0])).bound_hint == 12.0
    # site 0 required: its 10 is paid, and it serves everyone already
    inst = instance(site_costs=[10.0, 7.0], required=[0])
    assert erlocate.UFLP().build(inst).bound_hint == 15.0
    inst = instance(site_costs=[10.0, 7.0], capacities=[10.0, 10.0])
    assert erlocate.CFLP().build(inst).bound_hint == 12.0


def test_lscp_bound_is_the_dearest_forced_site():
    # within 2: point 0 only by site 0 (cost 3), points 1 and 2 only by site 1 (cost 5)
    inst = instance(site_costs=[3.0, 5.0])
    for reduce in (True, False):
        milp = erlocate.LSCP(2.0, reduce=reduce).build(inst)
        assert milp.bound_hint == 5.0
        r = erlocate.solve(erlocate.LSCP(2.0, reduce=reduce), inst, "highs")
        assert r.objective == 8.0 and r.bound >= 5.0
    # unit costs: any demand needs a site
    assert erlocate.LSCP(10.0).build(instance()).bound_hint == 1.0


def test_model_bounds_hold_at_the_optimum():
    inst = random_euclidean(60, 12, seed=3)
    for model in (erlocate.PMedian(3), erlocate.PCenter(3), erlocate.UFLP(), erlocate.LSCP(6000.0)):
        milp = model.build(inst)
        r = erlocate.solve(model, inst, "highs")
        assert r.status == "optimal"
        assert milp.bound_hint <= r.objective * (1 + 1e-12), model
        assert milp.bound_hint > 0, model


# --- time-limited runs on every backend ----------------------------------------------------

BIG = random_euclidean(250, 50, seed=5)  # 12,550 columns: stops early on a short limit
SMALL = random_euclidean(40, 20, seed=5)  # 820 columns: within every free licence


@pytest.fixture(scope="module")
def optima() -> dict[tuple[str, str], float]:
    """Proven optima of the p-medians below (HiGHS, no limit)."""
    found = {}
    for name, inst in (("big", BIG), ("small", SMALL)):
        for form in ("dense", "radius"):
            r = erlocate.solve(erlocate.PMedian(5, formulation=form), inst, "highs")
            assert r.status == "optimal"
            found[name, form] = r.objective
    assert found["big", "dense"] == pytest.approx(found["big", "radius"], rel=1e-9)
    return found


def assert_honest(out: SolverOutput, known: float, optimum: float) -> None:
    assert out.status in ("optimal", "feasible", "no_solution"), out.termination
    assert out.bound is not None
    assert out.bound >= known - 1e-9 * abs(known), (out.bound, known, out.termination)
    assert out.bound <= optimum * (1 + 1e-9), (out.bound, optimum)  # a valid lower bound
    if out.objective is not None:
        assert out.objective >= optimum * (1 - 1e-9)
    if out.status == "optimal":
        assert out.gap <= OPTIMAL_GAP
        assert out.objective == pytest.approx(optimum, rel=1e-6)


@pytest.mark.parametrize("form", ["dense", "radius"])
@pytest.mark.parametrize("time_limit", [0.0, 0.2, 1.0])
def test_time_limited_pmedian_bound_is_honest(backend, form, time_limit, optima):
    b = get(backend)
    for size, data in (("big", BIG), ("small", SMALL)):
        milp = erlocate.PMedian(5, formulation=form).build(data)
        if b.capabilities.size_limit.breach(milp) is not None:
            continue  # a free licence's size limit (Capabilities.size_limit): the small one runs
        result = b.solve(milp, SolveOptions(time_limit=time_limit))
        assert_honest(result, milp.bound_hint, optima[size, form])
        assert milp.bound_hint > 1e7  # the known bound is far from 0 here


@pytest.mark.parametrize("form", ["dense", "radius"])
def test_scip_on_orlibrary_pmed_under_short_limits(data_dir, form):
    """pmed6 (optimum 7824): every demand point is a site, so the model's bound is 0."""
    from erlocate.io.orlib import orlib_case

    case = orlib_case("pmed6")
    milp = erlocate.PMedian(case.p, formulation=form).build(case.instance)
    assert milp.bound_hint == 0.0
    for time_limit in (0.3, 2.0):
        result = get("scip").solve(milp, SolveOptions(time_limit=time_limit))
        assert_honest(result, 0.0, case.optimum)


def test_scip_stopped_before_its_root_lp(monkeypatch):
    """SCIP stopped at its first (heuristic) solution reports its presolved model's bound.

    ``limits/solutions = 1`` stops it there every time (a time limit does so by chance):
    its raw bound is 0 for a p-median whose nearest costs sum to 2e8.
    """
    from erlocate.backends import scip

    milp = erlocate.PMedian(5, formulation="dense").build(random_euclidean(300, 60, seed=1))
    real = scip._parameters
    monkeypatch.setattr(scip, "_parameters", lambda o: real(o) + "\nlimits/solutions = 1")
    raw = scip.solve(milp, SolveOptions())
    assert raw.status == "feasible" and raw.bound == 0.0  # what SCIP says
    guarded = get("scip").solve(milp, SolveOptions())
    assert guarded.bound == pytest.approx(202_639_326.882, rel=1e-12) == milp.bound_hint
    assert guarded.status == "feasible" and guarded.gap < raw.gap


def test_scip_drops_a_bound_below_the_column_bounds(monkeypatch):
    """A stopped SCIP's bound weaker than the box bound (−5,759,029 for costs >= 0) is dropped."""
    from erlocate.backends import scip

    milp = erlocate.PMedian(3, formulation="dense").build(SMALL)
    real_parameters, real_scip = scip._parameters, scip._scip
    monkeypatch.setattr(
        scip, "_parameters", lambda o: real_parameters(o) + "\nlimits/solutions = 1"
    )
    monkeypatch.setattr(
        scip, "_scip", lambda h, o: dataclasses.replace(real_scip(h, o), bound=-5_759_029.0)
    )
    raw = scip.solve(milp, SolveOptions())
    assert raw.status == "feasible" and raw.objective is not None
    assert raw.bound is None  # below the box bound 0 of costs >= 0: not a search's bound
    guarded = get("scip").solve(milp, SolveOptions())
    assert guarded.bound == milp.bound_hint > 0


# --- decompositions ------------------------------------------------------------------------


@pytest.mark.parametrize("time_limit", [0.0, 0.05, 0.5])
def test_benders_bound_is_never_below_the_nearest_costs(backend, time_limit, optima):
    model = erlocate.PMedian(5, formulation="benders")
    try:
        r = erlocate.solve(model, BIG, backend, time_limit=time_limit, raise_on_failure=False)
    except SizeLimitError as exc:  # the restricted MILP beyond a free licence
        pytest.skip(f"size limit (Capabilities.size_limit) of {backend}: {exc.limit}")
    known = erlocate.PMedian(5, formulation="dense").build(BIG).bound_hint
    assert r.bound is not None and r.bound >= known - 1e-6
    assert r.bound <= optima["big", "dense"] * (1 + 1e-9)
    if r.status == "optimal":
        assert r.objective == pytest.approx(optima["big", "dense"], rel=1e-9)


@pytest.mark.parametrize("time_limit", [0.0, 0.2])
def test_mclp_fixing_bound_is_never_above_the_coverable_weight(time_limit):
    inst = random_euclidean(400, 60, seed=6)
    model = erlocate.MCLP(4, 1500.0, method="fixing")
    r = erlocate.solve(model, inst, "highs", time_limit=time_limit, raise_on_failure=False)
    box = known_bound(erlocate.MCLP(4, 1500.0).build(inst))  # every coverable point covered
    ref = erlocate.solve(erlocate.MCLP(4, 1500.0), inst, "highs")
    assert r.bound is not None and r.bound <= box + 1e-9
    assert r.bound >= ref.objective - 1e-9  # still an upper bound of the optimum
    if r.status == "optimal":
        assert r.objective == ref.objective
