r"""Minimum loads of open sites: a depot worth opening serves at least so much demand.

A model with an assignment (PMedian, UFLP, CFLP, the capacitated coverage
models) accepts ``min_loads=`` (site id -> least load, in ``Instance.demand``
units) and ``fill_required=True`` (every required site carries at least its
capacity: spopt's ``fulfill_predefined_fac``, "fill the existing facilities
first"). For every site with a minimum :math:`m_j > 0`:

.. math::

    \sum_i d_i z_{ij} \ge m_j x_j,

so the minimum binds only where the site opens (a closed site carries nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError, InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import MilpBuilder
from erlocate.plan import Plan

log = logging.getLogger(__name__)

__all__ = [
    "add_min_load",
    "check_min_loads",
    "load_of",
    "min_load_breaches",
    "min_load_precheck",
    "min_load_reach_precheck",
    "min_load_vector",
]


def check_min_loads(min_loads: Any) -> Any:
    """``min_loads`` is None, a mapping or a pandas Series (site id -> load >= 0)."""
    if min_loads is None:
        return None
    if isinstance(min_loads, Mapping):
        min_loads = pd.Series(dict(min_loads), dtype=object)
    if not isinstance(min_loads, pd.Series):
        raise InputError(
            f"min_loads: pass a mapping or a pandas Series from site id to the least load, "
            f"got {type(min_loads).__name__}",
            field="min_loads",
        )
    values = min_loads.to_numpy()
    ok = np.array([_real(v) for v in values], dtype=bool)
    if not ok.all():
        bad = min_loads.index[~ok].tolist()
        raise InputError(
            f"min_loads: must be numbers; not for sites {show_ids(bad[:20])}", field="min_loads"
        )
    arr = values.astype(float)
    if not np.isfinite(arr).all() or (arr < 0).any():
        bad = min_loads.index[~np.isfinite(arr) | (arr < 0)].tolist()
        raise InputError(
            f"min_loads: must be finite and >= 0; not for sites {show_ids(bad[:20])}",
            field="min_loads",
        )
    if not min_loads.index.is_unique:
        dup = min_loads.index[min_loads.index.duplicated()].unique().tolist()
        raise InputError(f"min_loads: sites listed twice: {show_ids(dup)}", field="min_loads")
    return pd.Series(arr, index=min_loads.index, name="min_load")


def _real(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_)
    )


def min_load_vector(
    instance: Instance, min_loads: Any, fill_required: bool, *, capacitated: bool = True
) -> np.ndarray:
    """The least load of each site if open (0 where none is asked), aligned by site id.

    Sites not listed in ``min_loads`` have no minimum. ``fill_required`` adds
    each required site's capacity (the larger of the two where both apply).
    ``capacitated=False`` (a model that does not cap loads) skips the comparison
    with the capacities: there a minimum above a site's capacity is no conflict.

    A site that is not required and whose minimum exceeds its capacity can never
    open (the rows close it): logged as a warning, not an error, since a uniform
    minimum over sites of unequal sizes rules out the small ones on purpose.

    Raises
    ------
    InputError
        Unknown site ids; ``fill_required`` with a required site of unlimited capacity.
    InfeasibleError
        A required site's minimum above its capacity.
    """
    m = np.zeros(instance.n_sites)
    loads = check_min_loads(min_loads)
    if loads is not None and len(loads):
        pos = instance.site_ids.get_indexer(loads.index)
        if (pos < 0).any():
            raise InputError(
                f"min_loads: unknown site ids {show_ids(loads.index[pos < 0].tolist()[:20])}; "
                "keys must be among the instance's site_ids",
                field="min_loads",
            )
        m[pos] = loads.to_numpy()
    if fill_required:
        req = instance.required
        unlimited = req & ~np.isfinite(instance.capacities)
        if unlimited.any():
            raise InputError(
                f"fill_required: required sites {show_ids(instance.site_ids[unlimited])} have "
                "no capacity to fill; give them capacities, or pass min_loads instead",
                field="fill_required",
            )
        m[req] = np.maximum(m[req], instance.capacities[req])
    over = m > instance.capacities * (1 + 1e-12)
    if capacitated and (over & instance.required).any():
        k = np.flatnonzero(over & instance.required)
        raise InfeasibleError(
            f"min_loads: {k.size} required site(s) must carry more than their capacity, e.g. "
            f"{instance.site_ids[k[0]]!r} (least load {m[k[0]]:g} > capacity "
            f"{instance.capacities[k[0]]:g}); lower the minimum or raise the capacity"
        )
    if capacitated and over.any():
        k = np.flatnonzero(over)
        log.warning(
            "min_loads: %d site(s) can never open, their least load above their capacity: %s",
            k.size,
            ", ".join(
                f"{instance.site_ids[j]!r} ({m[j]:g} > {instance.capacities[j]:g})" for j in k[:20]
            ),
        )
    return m


def min_load_precheck(
    instance: Instance,
    m: np.ndarray,
    served: float | None = None,
    *,
    open_count: int | None = None,
) -> None:
    """Required sites' minimums cannot exceed the demand there is to serve (InfeasibleError).

    ``served``: the most demand the model can assign (default: all of it).
    ``open_count``: a model opening exactly that many sites (the p-median) must also
    carry, at least, the required sites' minimums plus the smallest minimums of the
    other ``open_count - n_required`` sites: each open site carries its own load.
    """
    total = float(instance.demand.sum()) if served is None else served
    req = instance.required
    need = float(m[req].sum())
    if need > total * (1 + 1e-12) + 1e-9:
        raise InfeasibleError(
            f"min_loads: the required sites must carry {need:,.6g} in all, more than the "
            f"{total:,.6g} of demand there is to serve; lower their minimums"
        )
    extra = 0 if open_count is None else max(open_count - int(req.sum()), 0)
    if extra:
        least = float(np.sort(m[~req])[:extra].sum())
        if need + least > total * (1 + 1e-12) + 1e-9:
            raise InfeasibleError(
                f"min_loads: any {open_count} open sites must carry at least {need + least:,.6g} "
                f"in all (required sites {need:,.6g}, the {extra} smallest other minimums "
                f"{least:,.6g}), more than the {total:,.6g} of demand there is to serve; lower "
                "the minimums or p"
            )


def min_load_reach_precheck(
    instance: Instance, m: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> None:
    """A required site must reach at least its minimum load of demand (InfeasibleError).

    ``rows``/``cols``: the demand and site positions of the pairs the model may assign
    (reachable and within its cut-off). Sites not required may simply stay closed.
    """
    reach = np.bincount(cols, weights=instance.demand[rows], minlength=instance.n_sites)
    short = np.flatnonzero(instance.required & (reach < m * (1 - 1e-12) - 1e-9))
    if short.size:
        k = short[0]
        raise InfeasibleError(
            f"min_loads: {short.size} required site(s) cannot reach their minimum load, e.g. "
            f"{instance.site_ids[k]!r} reaches {reach[k]:,.6g} of demand (within the cut-off) "
            f"but must carry {m[k]:,.6g}; lower the minimum or raise max_cost"
        )


def add_min_load(
    b: MilpBuilder,
    instance: Instance,
    rows: np.ndarray,
    cols: np.ndarray,
    z: np.ndarray,
    x: np.ndarray,
    m: np.ndarray,
    name: str = "min_load",
) -> None:
    """Σ_i d_i z_ij − m_j x_j ≥ 0 for each site with m_j > 0.

    ``rows``/``cols`` are the demand and site positions of the assignment columns ``z``
    (several assignment blocks may be passed concatenated).
    """
    sites = np.flatnonzero(m > 0)
    if not sites.size:
        return
    row_of_site = np.full(instance.n_sites, -1, dtype=np.int64)
    row_of_site[sites] = np.arange(sites.size)
    use = row_of_site[cols] >= 0
    b.add_rows(
        name,
        rows=np.concatenate([row_of_site[cols[use]], np.arange(sites.size)]),
        cols=np.concatenate([z[use], x[sites]]),
        vals=np.concatenate([instance.demand[rows[use]], -m[sites]]),
        lb=0.0,
        n_rows=sites.size,
    )


def load_of(instance: Instance, plan: Plan) -> np.ndarray:
    """Each site's load Σ_i d_i share_ij, recomputed from the plan's allocation."""
    return np.bincount(
        plan.site_idx,
        weights=instance.demand[plan.demand_idx] * plan.share,
        minlength=instance.n_sites,
    )


def min_load_breaches(
    instance: Instance, plan: Plan, m: np.ndarray, tol: float = 1e-6
) -> list[str]:
    """Open sites carrying less than their minimum (one message naming every such site)."""
    load = load_of(instance, plan)
    short = np.flatnonzero(plan.open & (load < m * (1 - tol) - tol))
    if not short.size:
        return []
    each = ", ".join(f"{instance.site_ids[k]!r} (load {load[k]:g} < {m[k]:g})" for k in short[:20])
    return [f"minimum load not met at {short.size} open sites: {each}"]
