"""Small MILPs the backend tests share, solved by hand, and the checks of a stopped run.

Imported by ``test_backends.py`` (every available backend), ``test_commercial.py``
(the commercial solvers' free editions), ``test_cbc_pulp.py`` and ``test_cuopt.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from erlocate.backends import SolverOutput
from erlocate.backends.base import OPTIMAL_GAP, relative_gap
from erlocate.milp import Milp, MilpBuilder

#: The optimum of ``knapsack()`` (its defaults), which takes HiGHS about a minute.
KNAPSACK_OPTIMUM = 9148.0


def max_milp() -> Milp:
    """max 5a + 4b + 3c + 1.5y + 10, 2a + 3b + c + y <= 4, a, b, c binary, 0 <= y <= 2.5.

    {a, c} leaves 1 unit for y: 5 + 3 + 1.5 + 10 = 19.5; {a} with y = 2: 18;
    {b, c}: 17; {a, b} does not fit. Optimum 19.5 at (1, 0, 1, 1).
    """
    b = MilpBuilder("max-toy", sense="max")
    b.add_cols("pick", 3, obj=[5, 4, 3], ub=1, integer=True)
    b.add_cols("fill", 1, obj=1.5, ub=2.5)
    b.add_rows("capacity", rows=[0, 0, 0, 0], cols=[0, 1, 2, 3], vals=[2, 3, 1, 1], ub=4)
    b.offset = 10.0
    return b.build()


def max_lp(name: str = "max-lp") -> Milp:
    """max 3x + 2y + 0.5, x + y <= 4, x + 3y <= 6, x <= 3, y free above: 11.5 at (3, 1)."""
    b = MilpBuilder(name, sense="max")
    b.add_cols("xy", 2, obj=[3, 2], ub=[3, np.inf])
    b.add_rows("rows", rows=[0, 0, 1, 1], cols=[0, 1, 0, 1], vals=[1, 1, 1, 3], ub=[4, 6])
    b.offset = 0.5
    return b.build()


def infeasible(integer: bool, name: str = "infeasible") -> Milp:
    """Two variables in [0, 1] (binaries if ``integer``) summing to at least 3."""
    b = MilpBuilder(name)
    x = b.add_cols("x", 2, obj=1, ub=1, integer=integer)
    b.add_rows("sum", rows=[0, 0], cols=x, vals=1, lb=3)
    return b.build()


def integer_infeasible() -> Milp:
    """2x = 1 with x integer: the LP relaxation is feasible, the MILP is not."""
    b = MilpBuilder("integer-infeasible")
    x = b.add_cols("x", 1, obj=1, ub=5, integer=True)
    b.add_rows("half", rows=[0], cols=x, vals=2, lb=1, ub=1)
    return b.build()


def unbounded(integer: bool) -> Milp:
    """min -x - y with x - y <= 1, x, y >= 0: x = y = t for any t."""
    b = MilpBuilder("unbounded")
    b.add_cols("x", 1, obj=-1, integer=integer)
    b.add_cols("y", 1, obj=-1)
    b.add_rows("r", rows=[0, 0], cols=[0, 1], vals=[1, -1], ub=1)
    return b.build()


def knapsack(n: int = 60, k: int = 5, seed: int = 0) -> Milp:
    """A correlated multi-dimensional 0-1 knapsack: values track weights, so it is hard.

    With the defaults its optimum is :data:`KNAPSACK_OPTIMUM`.
    """
    rng = np.random.default_rng(seed)
    w = rng.integers(10, 100, (k, n))
    v = w.sum(axis=0) + rng.integers(0, 30, n)
    b = MilpBuilder("mkp", sense="max")
    x = b.add_cols("x", n, obj=v, ub=1, integer=True)
    rows, cols = np.nonzero(np.ones((k, n)))
    b.add_rows("capacity", rows=rows, cols=x[cols], vals=w[rows, cols], ub=w.sum(axis=1) / 2)
    return b.build()


#: The models above that have no solution, with the status each must get:
#: ``pytest.mark.parametrize(("make", "status"), NO_SOLUTION)``.
NO_SOLUTION = [
    pytest.param(lambda: infeasible(True), "infeasible", id="infeasible-milp"),
    pytest.param(lambda: infeasible(False, "infeasible-lp"), "infeasible", id="infeasible-lp"),
    pytest.param(integer_infeasible, "infeasible", id="integer-infeasible"),
    pytest.param(lambda: unbounded(True), "unbounded", id="unbounded-milp"),
    pytest.param(lambda: unbounded(False), "unbounded", id="unbounded-lp"),
]


def assert_refuted(out: SolverOutput, status: str) -> None:
    """The answer for a model without a solution: ``status``, no vector, no objective,
    and no bound for an infeasible one."""
    assert out.status == status, out.termination
    assert out.x is None and out.objective is None
    if status == "infeasible":
        assert out.bound is None


def assert_honest(out: SolverOutput, milp: Milp) -> None:
    """What a run stopped early on a maximisation (``knapsack``) must report.

    "optimal" only within :data:`~erlocate.backends.base.OPTIMAL_GAP`; no
    vector, no objective; a vector that satisfies the model, with its own
    objective; a bound, if any, at least the objective, and the gap between
    the two.
    """
    if out.status == "optimal":
        assert out.gap <= OPTIMAL_GAP
    if out.x is None:
        assert out.objective is None
        return
    assert milp.max_violation(out.x) <= 1e-6
    assert out.objective == pytest.approx(milp.objective_value(out.x), rel=1e-9)
    if out.bound is not None:
        assert out.bound >= out.objective - 1e-9  # an upper bound when maximising
        assert out.gap == pytest.approx(relative_gap(out.objective, out.bound))
