"""The knee of a trade-off curve: where adding more buys markedly less.

The rule is the *maximum distance to the chord*: scale both axes to [0, 1]
(min to max), draw the chord from the first point to the last, and take the
point farthest from it. On a monotone concave curve (coverage against the
number of stations) or convex one (travel cost against stations) this is the
point Kneedle (Satopää, Albrecht, Irwin & Raghavan 2011) picks as the maximum
of its difference curve :math:`y_n - x_n` (or :math:`1 - y_n - x_n` when
decreasing); Kneedle's smoothing and its sensitivity threshold are not used,
since a curve of solved points has no noise to smooth.

Reference: Satopää, V., Albrecht, J., Irwin, D. & Raghavan, B. (2011).
Finding a "kneedle" in a haystack: detecting knee points in system behavior.
*31st International Conference on Distributed Computing Systems Workshops*,
166–171.
"""

from __future__ import annotations

import numpy as np

from erlocate.errors import InputError

__all__ = ["chord_distances", "knee_index"]


def chord_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each point's distance to the chord from the first point to the last, on axes scaled
    to [0, 1] (zeros when ``x`` or ``y`` is constant)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise InputError(f"x, y: expected two 1-d arrays of one length, got {x.shape}, {y.shape}")
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return np.zeros(x.size)
    xn = (x - x.min()) / np.ptp(x)
    yn = (y - y.min()) / np.ptp(y)
    dx, dy = xn[-1] - xn[0], yn[-1] - yn[0]
    cross = dx * (yn - yn[0]) - dy * (xn - xn[0])
    return np.abs(cross) / np.hypot(dx, dy)


def knee_index(x: np.ndarray, y: np.ndarray, *, tol: float = 1e-9) -> int | None:
    """Position of the knee of the curve ``(x, y)``, or None when it has none.

    Parameters
    ----------
    x : numpy.ndarray
        Strictly increasing parameter values (e.g. the number of stations).
    y : numpy.ndarray
        The value at each (coverage, cost ...), finite.
    tol : float
        Scaled distances at most this are "on the chord": a straight line (or
        fewer than three points) has no knee.

    Returns
    -------
    int or None
        The index of the point farthest from the chord (the first of equals).

    Examples
    --------
    >>> knee_index([1, 2, 3, 4, 5, 6], [10, 20, 30, 40, 41, 42])
    3
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError("x, y: the knee needs finite values; drop points without a plan first")
    if x.size > 1 and not (np.diff(x) > 0).all():
        raise InputError("x: the knee needs strictly increasing parameter values; sort them")
    d = chord_distances(x, y)
    if d.size == 0 or d.max() <= tol:
        return None
    return int(np.argmax(d))
