"""The knee of a curve: maximum distance to the chord on scaled axes, on hand-made curves."""

from __future__ import annotations

import numpy as np
import pytest

from erlocate.errors import InputError
from erlocate.workflow.knee import chord_distances, knee_index


def test_knee_on_hand_made_curves():
    x = np.arange(1, 11)
    # y = min(x, 4): scaled, y_n - x_n peaks at x = 4 (1 - 3/9)
    assert knee_index(x, np.minimum(x, 4)) == 3
    # y = 1/x, decreasing and convex: distances 0.444, 0.519, 0.5 at x = 2, 3, 4 (x sqrt 2)
    d = chord_distances(x, 1 / x)
    assert d[1:4] * np.sqrt(2) == pytest.approx([4 / 9, 0.5185185, 0.5], abs=1e-6)
    assert knee_index(x, 1 / x) == 2
    assert knee_index(x, 3 * x + 1) is None  # a straight line has no knee
    assert knee_index([1, 2], [0, 5]) is None
    assert knee_index(x, np.full(10, 7.0)) is None
    with pytest.raises(InputError, match="increasing"):
        knee_index([1, 3, 2], [1, 2, 3])
    with pytest.raises(InputError, match="finite"):
        knee_index([1, 2, 3], [1, np.nan, 3])
