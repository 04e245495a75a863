"""The simulation's tables: figures per replication, t-intervals, per point and per zone.

Everything is vectorised over the incidents of all replications at once
(:class:`Pooled`): group-wise shares by ``np.bincount``, group-wise quantiles
by one sort. Quantiles are empirical (``inverted_cdf``: the smallest observed
value with at least the share ``q`` of incidents at or below it), so an
unanswered incident (response ``inf``) counts as slower than every answered one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["METRICS", "Pooled", "group_quantile", "group_table", "overall_table", "t_interval"]

#: The overall figures, in the order of the ``overall`` table, with their meaning.
METRICS = {
    "median_response": "median response time (wait + turnout + travel)",
    "p90_response": "90th percentile of the response time (NFPA 1710's measure)",
    "mean_response": "mean response time of the answered incidents",
    "within_standard": "share of incidents answered within the standard",
    "mean_wait": "mean wait in the queue of the answered incidents",
    "waited": "share of incidents that found every unit reaching them busy (queued)",
    "nearby_free": "share of incidents with a unit within the standard free (MEXCLP's coverage)",
    "all_nearby_busy": "share of incidents with units within the standard, all of them busy",
    "no_nearby_unit": "share of incidents at points with no unit within the standard",
    "unserved": "share of incidents at points no unit reaches (never answered)",
    "utilisation": "busy unit-time / (units × the span of the counted calls)",
}

SHARES = ("within_standard", "waited", "nearby_free", "all_nearby_busy", "no_nearby_unit")


@dataclass(frozen=True)
class Pooled:
    """The counted incidents of every replication, concatenated (one entry per incident)."""

    replication: np.ndarray
    point: np.ndarray
    arrival: np.ndarray
    site: np.ndarray
    wait: np.ndarray
    response: np.ndarray
    busy: np.ndarray
    flags: dict[str, np.ndarray]  # the SHARES, as booleans per incident

    @property
    def answered(self) -> np.ndarray:
        return self.site >= 0


def t_interval(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean and half-width of the Student t-interval over axis 0, ignoring NaN.

    Half-width NaN with fewer than two values; 0 when every value is equal.
    """
    from scipy.special import stdtrit  # here: scipy.special is slow to import with erlocate

    ok = ~np.isnan(values)
    count = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, values, 0.0).sum(axis=0) / count
        dev = np.where(ok, values - mean, 0.0)
        sd = np.sqrt((dev**2).sum(axis=0) / (count - 1))
        half = stdtrit(np.maximum(count - 1, 1), 0.5 + level / 2) * sd / np.sqrt(count)
    return mean, np.where(count >= 2, half, np.nan)


def _share(groups: np.ndarray, n: int, flag: np.ndarray) -> np.ndarray:
    total = np.bincount(groups, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(groups, weights=flag.astype(float), minlength=n) / total


def _mean(groups: np.ndarray, n: int, values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    return _share(groups[keep], n, values[keep])


def group_quantile(groups: np.ndarray, n: int, values: np.ndarray, q: float) -> np.ndarray:
    """The empirical ``q``-quantile of ``values`` per group 0..n-1 (NaN for an empty group)."""
    order = np.lexsort((values, groups))
    size = np.bincount(groups, minlength=n)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    pos = start + np.maximum(np.ceil(q * size).astype(np.int64) - 1, 0)
    out = np.full(n, np.nan)
    has = size > 0
    out[has] = values[order][pos[has]]
    return out


def _figures(d: Pooled, groups: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Every figure but utilisation per group (the shares and the response statistics)."""
    ok = d.answered
    out = {
        "median_response": group_quantile(groups, n, d.response, 0.5),
        "p90_response": group_quantile(groups, n, d.response, 0.9),
        "mean_response": _mean(groups, n, d.response, ok),
        "mean_wait": _mean(groups, n, d.wait, ok),
        "unserved": _share(groups, n, ~ok),
    }
    out.update({name: _share(groups, n, d.flags[name]) for name in SHARES})
    return out


def overall_table(
    d: Pooled, replications: int, units: int, span: np.ndarray, level: float
) -> pd.DataFrame:
    """One row per metric: the mean over replications and its t-interval.

    The intervals of shares are clipped to [0, 1] (NaN with one replication).

    ``span[r]``: time between the first and the last counted call of replication ``r``.
    """
    per = _figures(d, d.replication, replications)
    busy = np.bincount(d.replication, weights=d.busy, minlength=replications)
    with np.errstate(invalid="ignore", divide="ignore"):
        per["utilisation"] = busy / (units * span)
    rows = {}
    for name in METRICS:
        mean, half = t_interval(per[name][:, None], level)
        low, high = mean[0] - half[0], mean[0] + half[0]
        if name in SHARES or name == "unserved":
            low, high = max(low, 0.0), min(high, 1.0)
        rows[name] = (mean[0], low, high)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "ci_low", "ci_high"])
    table.index.name = "metric"
    return table


def group_table(
    d: Pooled, codes: np.ndarray, labels: pd.Index, replications: int, level: float
) -> pd.DataFrame:
    """Per group (``codes[point]`` in 0..len(labels)-1): pooled figures, t-intervals of shares.

    A share's interval is the pooled share ± the t half-width of the
    replications' shares, clipped to [0, 1]; NaN where a group had incidents in
    fewer than two replications.
    """
    n = len(labels)
    g = codes[d.point]
    pooled = _figures(d, g, n)
    per_rep = _figures(d, d.replication * n + g, replications * n)
    table = pd.DataFrame(
        {"incidents": np.bincount(g, minlength=n)}, index=labels, dtype=np.int64
    ).assign(**{k: pooled[k] for k in ("median_response", "p90_response", "mean_response")})
    for name in ("within_standard", "all_nearby_busy"):
        _, half = t_interval(per_rep[name].reshape(replications, n), level)
        table[name] = pooled[name]
        table[f"{name}_ci_low"] = np.clip(pooled[name] - half, 0.0, 1.0)
        table[f"{name}_ci_high"] = np.clip(pooled[name] + half, 0.0, 1.0)
    for name in ("waited", "nearby_free", "no_nearby_unit", "unserved", "mean_wait"):
        table[name] = pooled[name]
    return table
