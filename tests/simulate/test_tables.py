"""The table helpers against numpy / scipy computed another way."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from erlocate.simulate.tables import group_quantile, t_interval


def test_group_quantile_is_numpys_inverted_cdf():
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 5, 200)
    groups[groups == 3] = 4  # group 3 empty
    values = rng.exponential(size=200)
    values[:7] = np.inf
    for q in (0.1, 0.5, 0.9):
        got = group_quantile(groups, 5, values, q)
        for g in range(5):
            v = values[groups == g]
            if v.size:
                assert got[g] == np.quantile(v, q, method="inverted_cdf")
            else:
                assert np.isnan(got[g])


def test_t_interval_is_scipys():
    x = np.array([[1.0, 2.0], [2.0, np.nan], [4.0, 2.0], [5.0, np.nan]])
    mean, half = t_interval(x, 0.9)
    lo, hi = stats.t.interval(0.9, 3, loc=3.0, scale=stats.sem(x[:, 0]))
    assert mean[0] == 3.0 and half[0] == pytest.approx(hi - 3.0)
    assert lo == pytest.approx(3.0 - half[0])
    assert mean[1] == 2.0 and half[1] == 0.0  # two equal values
    mean, half = t_interval(np.array([[1.0]]), 0.95)
    assert mean[0] == 1.0 and np.isnan(half[0])  # one value: no interval
