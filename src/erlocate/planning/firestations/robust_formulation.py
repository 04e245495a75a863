r"""The robust fire-station MILP and its plan, from resolved data alone.

The formulation is in the docstring of
:class:`~erlocate.planning.firestations.robust.RobustFireStations`: the
stations and types of :mod:`~erlocate.planning.firestations.formulation`
once, districts per scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from erlocate.milp import Milp, MilpBuilder
from erlocate.models.blocks import add_link
from erlocate.planning.firestations.formulation import (
    add_limits,
    add_stations,
    district_caps,
    usable,
)
from erlocate.planning.firestations.inputs import FireData
from erlocate.planning.firestations.plan import StationPlan

__all__ = ["RobustStationPlan", "decode", "formulate", "scenario_pairs"]


@dataclass(frozen=True, eq=False)
class RobustStationPlan(StationPlan):
    """Stations and types (on the instance solved) and each scenario's districts.

    ``districts[name]`` is ``(demand positions, site positions)`` in scenario
    ``name``'s own instance without its lost sites
    (:meth:`~erlocate.models.robust_scenarios.Scenarios.effective`). The
    plan's own allocation is empty: districts differ by scenario.
    """

    districts: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def formulate(
    d0: FireData, ds: list[FireData], maps: list[np.ndarray], probs: np.ndarray, worst: bool
) -> Milp:
    """The robust fire-station MILP (formulation in
    :class:`~erlocate.planning.firestations.robust.RobustFireStations`).

    ``d0`` is the base model on the instance solved, ``ds`` on each scenario
    without its lost sites, ``maps`` each scenario site's position in the
    instance solved; ``probs`` the scenarios' probabilities; ``worst``: the
    worst case (max_cover), else the expected coverage.
    """
    instance = d0.instance
    p, m = d0.params, instance.n_sites
    cover_all = p.mode == "cover_all"
    b = MilpBuilder(f"robust-fire-stations-{p.mode}-{len(ds)}-scenarios", p.sense)
    x, y = add_stations(b, d0)
    js, ts = np.nonzero(d0.allowed)  # the type columns y, as add_stations orders them
    add_limits(b, d0, x, y)
    parts = [scenario_pairs(d, at) for d, at in zip(ds, maps, strict=True)]
    sizes = [r.size for r, _ in parts]
    start = np.cumsum([0, *sizes])
    weight = [d.weight[r] for d, (r, _) in zip(ds, parts, strict=True)]
    obj: float | np.ndarray = 0.0
    if not cover_all and not worst:
        obj = np.concatenate([pk * w for pk, w in zip(probs, weight, strict=True)])
    z = b.add_cols("assign", int(start[-1]), obj=obj, ub=1.0, integer=True)
    add_link(b, z, x[np.concatenate([c for _, c in parts])])  # z_ij^s - x_j <= 0
    pts = np.cumsum([0] + [d.instance.n_demand for d in ds])
    area_r, area_c, area_v = [], [], []
    for k, (d, (r, c)) in enumerate(zip(ds, parts, strict=True)):
        area_r += [k * m + c, k * m + js]
        area_c += [z[start[k] : start[k + 1]], y]
        area_v += [d.area[r], -district_caps(d)[ts]]
    b.add_rows(  # sum_i a_i^s z_ij^s - sum_t K_t y_jt <= 0 per scenario and site
        "area",
        rows=np.concatenate(area_r),
        cols=np.concatenate(area_c),
        vals=np.concatenate(area_v),
        ub=0.0,
        n_rows=len(ds) * m,
    )
    b.add_rows(
        "assign_once",
        rows=np.concatenate([pts[k] + r for k, (r, _) in enumerate(parts)]),
        cols=z,
        vals=1.0,
        lb=np.concatenate([d.must for d in ds]).astype(float),
        ub=1.0,
        n_rows=int(pts[-1]),
    )
    if not cover_all and worst:
        t = b.add_cols("worst", 1, obj=1.0)
        n_s = len(ds)
        b.add_rows(  # t - sum w_i^s z_ij^s <= 0 per scenario
            "scenario",
            rows=np.concatenate([np.repeat(np.arange(n_s), sizes), np.arange(n_s)]),
            cols=np.concatenate([z, np.repeat(t, n_s)]),
            vals=np.concatenate([-np.concatenate(weight), np.ones(n_s)]),
            ub=0.0,
            n_rows=n_s,
        )
    return b.build()


def scenario_pairs(d: FireData, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The scenario's usable pairs: (its demand positions, frame site positions)."""
    use = usable(d)
    return d.rows[use], at[d.cols[use]]


def decode(
    d0: FireData, ds: list[FireData], names: tuple[str, ...], milp: Milp, x: np.ndarray
) -> RobustStationPlan:
    """The plan in the solver's vector: stations, types and every scenario's districts."""
    instance = d0.instance
    js, ts = np.nonzero(d0.allowed)
    st = np.full(instance.n_sites, -1, dtype=np.int64)
    on = np.round(milp.block(x, "type")) > 0.5
    st[js[on]] = ts[on]
    zv = np.round(milp.block(x, "assign")) > 0.5
    districts, k0 = {}, 0
    for name, d in zip(names, ds, strict=True):
        use = usable(d)
        sel = zv[k0 : k0 + int(use.sum())]
        districts[name] = (d.rows[use][sel], d.cols[use][sel])
        k0 += int(use.sum())
    empty = np.zeros(0, dtype=np.int64)
    return RobustStationPlan(
        np.round(milp.block(x, "open")) > 0.5,
        empty,
        empty,
        np.zeros(0),
        station_type=st,
        districts=districts,
    )
