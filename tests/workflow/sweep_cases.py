"""Builders and data shared by the sweep tests (importable by name in worker processes)."""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import numpy as np

import erlocate
from erlocate.datasets import random_euclidean

TOWN = random_euclidean(60, 12, seed=3)

#: 12 scenarios: MCLP p x standard, the last one failing (p = 20 of 12 sites).
SCENARIOS = [
    {"p": p, "standard": s} for p, s in itertools.product([1, 2, 3], [2000.0, 3000.0, 4000.0])
] + [{"p": 4, "standard": 2000.0}, {"p": 4, "standard": 3000.0}, {"p": 20, "standard": 3000.0}]


def build_mclp(p, standard, town=None):
    """MCLP(p, standard) on the town (the shared one when given)."""
    return erlocate.MCLP(p=p, max_cost=standard), TOWN if town is None else town


def brute_force_mclp(p, standard):
    """The most weight p of the town's sites cover within ``standard``, by enumeration."""
    cover = TOWN.dense_costs() <= standard
    w = TOWN.weights
    best = 0.0
    for combo in itertools.combinations(range(TOWN.n_sites), p):
        best = max(best, float(w @ cover[:, list(combo)].any(axis=1)))
    return best


def covered(open_ids, standard):
    """The weight the sites ``open_ids`` cover within ``standard``."""
    cols = [TOWN.site_ids.get_loc(s) for s in open_ids]
    return float(TOWN.weights @ (TOWN.dense_costs()[:, cols] <= standard).any(axis=1))


def build_logged(p, standard, log_dir, delay=0.0):
    """As build_mclp, appending the scenario to ``$SWEEP_CALLS`` (one line per call) first."""
    with open(Path(log_dir) / os.environ.get("SWEEP_CALLS", "calls.log"), "a") as f:
        f.write(f"{p},{standard}\n")
    time.sleep(delay)
    return build_mclp(p, standard)


class Counted:
    """A payload that appends a line to ``log`` each time it is pickled (in any process)."""

    def __init__(self, log, size=200_000):
        self.log = str(log)
        self.data = np.arange(size, dtype=float)

    def __reduce__(self):
        with open(self.log, "a") as f:
            f.write(f"{os.getpid()}\n")
        return (_rebuild, (self.log, self.data))


def _rebuild(log, data):
    obj = Counted.__new__(Counted)
    obj.log, obj.data = log, data
    return obj


def build_with_payload(p, standard, payload):
    """MCLP on the town; ``payload`` must have arrived whole."""
    assert payload.data.size == 200_000 and payload.data[-1] == 199_999
    return build_mclp(p, standard)


class BreaksOnLoad:
    """Pickles fine here, raises when unpickled (a task a worker cannot even load)."""

    def __reduce__(self):
        return (_refuse, ())


def _refuse():
    raise RuntimeError("cannot load this object here")


def build_refusing(p, standard, marker=None):
    return build_mclp(p, standard)
