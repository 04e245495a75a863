"""Probing in the p-median Benders fixing stage (driven by :class:`~.benders_run.BendersRun`).

To probe :math:`y_j` is to force it to one value and re-cut the master LP
until it converges or passes the target (the incumbent's value less the
objective's granularity): past the target, no strictly better plan has that
value, so :math:`y_j` takes the other. Every probe is an LP re-solve from the
parent's basis (the master keeps it), so probes are ordered by promise and
stopped when they stop paying:

* the sites nearest to being fixed by their reduced costs go first;
* a pass stops after :data:`MISS_RUN` probes in a row that fixed nothing (a
  failed probe runs to convergence: the dearest kind).

Probing pays when the incumbent is near the optimum (then nearly every probe
fixes its site); :meth:`~.benders_run.BendersRun.round_lp` makes it so first.
"""

from __future__ import annotations

import numpy as np

from erlocate.deadline import Deadline
from erlocate.decomposition.benders_master import (
    CUT_CAP,
    VIOLATION_TOL,
    CutOracle,
    Master,
    top_rows,
)

__all__ = ["MISS_RUN", "probe", "probe_order"]

#: A pass stops after this many probes in a row that fixed nothing.
MISS_RUN = 12


def probe_order(todo: np.ndarray, y: np.ndarray, rc: np.ndarray, gap: float) -> np.ndarray:
    """The sites of ``todo``, most promising first.

    A site at a bound of the LP goes by the share of ``gap`` (to the target) its
    reduced-cost bound :math:`|r_j|` already closes; fractional sites (no such
    bound) come last, the ones with the least ``y`` first.
    """
    at_bound = (y <= 1e-9) | (y >= 1 - 1e-9)
    promise = np.where(at_bound, 1.0 + np.abs(rc) / max(gap, 1e-12), 1.0 - y)
    order = np.argsort(-np.where(todo, promise, -np.inf), kind="stable")
    return order[: int(todo.sum())]


def probe(
    master: Master, oracle: CutOracle, j: int, value: float, target: float, deadline: Deadline
) -> bool:
    """True when the master LP with y_j = value, cut until it converges, passes ``target``.

    Cuts found on the way are valid everywhere and stay; y_j's bounds are restored.
    """
    master.bound(j, value)
    try:
        while True:
            if master.passes(deadline, target):
                return True
            _, y, theta, _ = master.point()
            khat, val = oracle.separate(y)
            gap = val - theta - VIOLATION_TOL * (np.abs(theta) + 1.0)
            if not (gap > 0).any():
                return False
            sel = top_rows(oracle.lv.weight * gap, CUT_CAP)
            master.add_cuts(sel, oracle.cuts(sel, khat))
    finally:
        master.bound(j, 0.0, 1.0)
