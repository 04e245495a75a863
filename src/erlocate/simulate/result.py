"""What :func:`erlocate.simulate` returns: :class:`SimulationResult`, tables and a summary."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from erlocate.inputs import show_ids

__all__ = ["SimulationResult"]


def _time(value: float, unit: str) -> str:
    return "inf" if math.isinf(value) else f"{value:.3g}{unit}"


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """The response times and busy shares a plan showed over simulated incidents.

    Attributes
    ----------
    overall : pandas.DataFrame
        Index ``metric`` (see :data:`erlocate.simulate.tables.METRICS`), columns
        ``value`` (the mean over replications), ``ci_low``, ``ci_high`` (the
        Student t-interval over the replications at ``settings["confidence"]``;
        NaN with one replication).
    per_point : pandas.DataFrame
        One row per demand point: its arrival ``rate``, ``units_nearby`` (units
        within the standard), ``nearest`` (turnout + travel from the nearest
        unit), ``incidents`` (pooled over the replications), the response
        median / 90th percentile / mean, the shares ``within_standard`` and
        ``all_nearby_busy`` with t-intervals, ``waited``, ``nearby_free``,
        ``no_nearby_unit``, ``unserved`` and ``mean_wait``.
    per_zone : pandas.DataFrame or None
        The same figures per zone label (with ``points`` and ``rate``), when
        ``zones`` was given.
    units : pandas.Series
        Units per site (sites with at least one).
    settings : dict
        What was simulated: rate, incidents, replications, warm-up, seed,
        standard, turnout, service, load, where the units came from ...
    unreachable : pandas.Index
        Demand points no unit reaches: their incidents are never answered
        (counted in ``unserved``, response ``inf``).
    incidents : pandas.DataFrame or None
        One row per counted incident (``keep_incidents=True``).
    """

    overall: pd.DataFrame
    per_point: pd.DataFrame
    per_zone: pd.DataFrame | None
    units: pd.Series
    settings: dict[str, Any]
    unreachable: pd.Index
    incidents: pd.DataFrame | None = field(default=None, repr=False)

    def value(self, metric: str) -> float:
        """The overall ``value`` of one metric, e.g. ``result.value("p90_response")``."""
        return float(self.overall.loc[metric, "value"])

    def summary(self) -> str:
        """The overall figures with their intervals, and what was simulated, as text."""
        s, o = self.settings, self.overall
        u = f" {s['unit']}" if s.get("unit") else ""
        load = s.get("load")
        lines = [
            f"Simulation: {s['replications']} replications × {s['incidents']:,} incidents "
            f"(seed {s['seed']}, {s['warmup']:,} warm-up incidents each discarded)",
            f"  units: {int(self.units.sum())} at {len(self.units)} site(s) ({s['units_from']}); "
            f"{s['arrivals']} arrivals, {s['rate']:.4g} per {s.get('unit') or 'time unit'}"
            + (f"; offered load {load:.3f} per unit" if load is not None else ""),
            f"  busy time: service ({s['service']})"
            + (f" + {s['busy_travel']:g} × travel" if s["busy_travel"] else ""),
            f"  standard {s['standard']:g}{u} = turnout {s['turnout']:g}{u} + travel; "
            "nearest free unit dispatched, FIFO queue when every unit reaching a point is busy",
        ]
        level = f"{100 * s['confidence']:g} %"
        lines.append(f"  {'metric':<28} {'value':>12}   {level} interval")
        show: dict[str, tuple[str, Any]] = {
            "median_response": ("median response", lambda v: _time(v, u)),
            "p90_response": ("90th percentile response", lambda v: _time(v, u)),
            "within_standard": ("within the standard", _pct),
            "mean_wait": ("mean wait in the queue", lambda v: _time(v, u)),
            "waited": ("queued (all units busy)", _pct),
            "all_nearby_busy": ("all nearby units busy", _pct),
            "no_nearby_unit": ("no unit within standard", _pct),
            "unserved": ("never answered", _pct),
            "utilisation": ("unit utilisation", _pct),
        }
        for metric, (label, fmt) in show.items():
            v, lo, hi = o.loc[metric, ["value", "ci_low", "ci_high"]]
            ci = "" if pd.isna(lo) else f"[{fmt(lo)}, {fmt(hi)}]"
            lines.append(f"  {label:<28} {fmt(v):>12}   {ci}")
        if len(self.unreachable):
            lines.append(
                f"  {len(self.unreachable)} demand points reach no unit (their incidents are "
                f"never answered): {show_ids(self.unreachable[:20])}"
            )
        if s.get("cutoff") is not None:
            lines.append(
                f"  the instance's costs are cut at {s['cutoff']:g}{u}: no unit farther away "
                "is dispatched"
            )
        if load is not None and load >= 1:
            lines.append(
                f"  offered load {load:.3f} >= 1: the queue grows without bound and the "
                "figures depend on the run length"
            )
        return "\n".join(lines)

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"SimulationResult({s['replications']} × {s['incidents']} incidents, "
            f"p90 {self.value('p90_response'):.3g}, "
            f"within standard {self.value('within_standard'):.3f})"
        )
