"""Shelter report: the planner's tables of a shelter plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from erlocate.instance import Instance
from erlocate.plan import Plan
from erlocate.planning._inputs import dropped_row, listed
from erlocate.planning.shelters.defaults import _BANDS
from erlocate.planning.shelters.inputs import _data

if TYPE_CHECKING:
    from erlocate.planning.shelters.model import Shelters

__all__ = ["tables"]


def tables(model: Shelters, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
    """Tables: ``shelters``, ``loads``, ``communities``, ``walking``, ``summary``."""
    d = _data(model, instance)
    sids, ids = instance.site_ids, instance.demand_ids
    i, j, s = plan.demand_idx, plan.site_idx, plan.share
    cost = instance.cost_of(i, j)
    m = instance.n_sites
    loads = np.vstack([np.bincount(j, weights=p[i] * s, minlength=m) for p in d.people])
    area = d.area if d.area is not None else np.full(m, np.nan)
    status = np.where(instance.required, "existing", np.where(plan.open, "new", "not chosen"))
    design = loads.max(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(design > 0, area / design, np.nan)
        shelters = pd.DataFrame(
            {
                "class": d.cls,
                "status": status,
                "usable_area": area,
                "m2_per_person_standard": d.m2pp,
                "capacity": d.cap,
                "communities": np.bincount(j, minlength=m),
                "people": design,
                "utilisation": design / d.cap,
                "m2_per_person": per,
                "meets_standard": design <= d.cap * (1 + 1e-9),
                "max_walk": pd.Series(cost).groupby(j).max().reindex(range(m)).to_numpy(),
            },
            index=sids.rename("site_id"),
        )
        op = np.flatnonzero(plan.open)
        loads_df = pd.DataFrame(
            {
                "scenario": np.repeat(d.names, op.size),
                "site_id": np.tile(sids[op], len(d.names)),
                "people": loads[:, op].ravel(),
                "capacity": np.tile(d.cap[op], len(d.names)),
                "utilisation": (loads[:, op] / d.cap[op]).ravel(),
                "m2_per_person": (area[op] / loads[:, op]).ravel(),
            }
        )
    shelter_of = np.full(instance.n_demand, -1)
    shelter_of[i] = j
    walk = np.full(instance.n_demand, np.nan)
    walk[i] = cost
    housed = shelter_of >= 0
    reach = np.bincount(instance.pair_rows[d.allowed], minlength=instance.n_demand) > 0
    fits = np.bincount(d.pairs.rows, minlength=instance.n_demand) > 0
    open_fit = np.bincount(d.pairs.rows[plan.open[d.pairs.cols]], minlength=len(ids)) > 0
    cut = np.bincount(instance.pair_rows, minlength=instance.n_demand) == 0
    reason = np.select(
        [~d.active, housed, cut, ~reach, ~fits, ~open_fit],
        [
            "nobody to shelter",
            "",
            "cut off: no shelter reachable",
            "no shelter within the walking limit",
            "larger than every shelter within the walking limit",
            "no open shelter within reach can hold it",
        ],
        "open shelters within reach are full" + (" or not closest" if model.closest else ""),
    )
    communities = pd.DataFrame(
        {
            "population": d.pop,
            "people": d.hmax,
            "shelter": pd.Series(sids.take(np.maximum(shelter_of, 0)), dtype=object)
            .where(housed, None)
            .to_numpy(),
            "walk": walk,
            "housed": housed,
            "unhoused_reason": reason,
        },
        index=ids.rename("demand_id"),
    )
    bands = model.walk_bands if model.walk_bands is not None else _BANDS[model.cost_unit]
    w, t = d.hbar[i] * s, cost
    order = np.argsort(t, kind="stable")
    cum = np.cumsum(w[order]) / w.sum() if w.sum() > 0 else np.ones(order.size)

    def quant(q: float) -> float:
        return float(t[order][np.searchsorted(cum, q - 1e-12)]) if t.size else np.nan

    stats = {
        "people housed": float(w.sum()),
        "mean": float(np.average(t, weights=w)) if w.sum() > 0 else np.nan,
        **{f"p{int(q * 100)}": quant(q) for q in (0.5, 0.9, 0.95)},
        "max": float(t.max()) if t.size else np.nan,
        **{f"share within {b:g}": float(w[t <= b].sum() / max(w.sum(), 1e-300)) for b in bands},
    }
    walking = pd.DataFrame({"value": stats}).rename_axis(f"walk ({model.cost_unit})")
    total_pop = float(d.pop.sum())
    req = instance.required
    summary = {
        "population": total_pop,
        **{
            f"people to shelter [{n}]": float(p.sum())
            for n, p in zip(d.names, d.people, strict=True)
        },
        "people housed (mean over scenarios)": float(w.sum()),
        "people unhoused (mean over scenarios)": float(d.hbar[~housed].sum()),
        "existing shelters": int(req.sum()),
        "new shelters": int((plan.open & ~req).sum()),
        "capacity, existing": float(d.cap[req].sum()),
        "capacity, after": float(d.cap[plan.open].sum()),
        "usable m², existing": float(area[req].sum()),
        "usable m², after": float(area[plan.open].sum()),
        "m² per resident, existing": float(area[req].sum()) / total_pop if total_pop else np.nan,
        "m² per resident, after": float(area[plan.open].sum()) / total_pop if total_pop else np.nan,
        **listed("communities no shelter reaches", ids[cut & d.active]),
        **dropped_row(instance, "communities dropped (instance.dropped)"),
    }
    return {
        "shelters": shelters,
        "loads": loads_df,
        "communities": communities,
        "walking": walking,
        "summary": pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis("figure"),
    }
