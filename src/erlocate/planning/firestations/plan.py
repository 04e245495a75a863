"""The fire-station plan: :class:`StationPlan`, a plan whose open sites carry a station type."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from erlocate.plan import Plan

__all__ = ["StationPlan"]


@dataclass(frozen=True, eq=False)
class StationPlan(Plan):
    """A :class:`~erlocate.plan.Plan` whose open sites carry a station type.

    ``station_type[j]`` is the row of the model's type table built at site
    ``j`` (``-1`` for closed sites). The allocation pairs are the
    responsibility districts: each demand point appears at most once, with
    share 1, at the station whose district holds it.
    """

    station_type: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
