"""The phased MCLP's plan (:class:`PhasedPlan`) and its inputs resolved on an instance.

:func:`check_phase_params` checks the parameters that need no data (run when a
:class:`~erlocate.models.phased.PhasedMCLP` is built); :func:`resolve_phases`
aligns the rest with an :class:`~erlocate.instance.Instance` into
:class:`PhaseData`, and :func:`precheck_phases` raises
:class:`~erlocate.errors.InfeasibleError` with numbers for requests the data
cannot meet. Nothing here reads a MILP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError, InputError
from erlocate.inputs import id_index, show_ids, vector
from erlocate.instance import Instance
from erlocate.params import integer, is_real, number
from erlocate.plan import Plan

__all__ = [
    "PhaseData",
    "PhasedPlan",
    "check_phase_params",
    "open_by_year",
    "precheck_phases",
    "resolve_phases",
    "within_reach",
]


@dataclass(frozen=True, eq=False)
class PhasedPlan(Plan):
    """A :class:`~erlocate.plan.Plan` that says in which year each site opens.

    ``year_opened[j]`` is ``t`` in ``1..T`` for a site first open in year
    ``t``, ``0`` for a required (existing) site, open before year 1, and
    ``-1`` for a site never opened; ``open`` is the plan at the end of the
    horizon (``year_opened >= 0``). The allocation arrays are the last
    year's. Capacitated plans also keep every year's assignment:
    ``alloc_year`` (1..T), ``alloc_demand``, ``alloc_site`` and
    ``alloc_share``, one entry per (year, demand point, site).
    """

    year_opened: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alloc_year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alloc_demand: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alloc_site: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    alloc_share: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def site_columns(self) -> dict[str, np.ndarray]:
        """Extra per-site column of ``Result.sites``: ``year_opened``."""
        return {"year_opened": np.asarray(self.year_opened)}


@dataclass(frozen=True)
class PhaseData:
    """The phased MCLP's inputs as arrays over the instance's sites and demand points."""

    instance: Instance
    years: int
    reach: np.ndarray  # coverage standard per site
    cover: np.ndarray  # mask over the instance's pairs: cost within the site's standard
    weights: np.ndarray  # (years, n_demand)
    factor: np.ndarray  # discount factor per year
    cost: np.ndarray  # opening cost per site (instance.site_costs)
    required: np.ndarray  # open from year 1, free
    candidate: np.ndarray  # may open: not required, and among ``sites`` when given
    budgets: np.ndarray | None  # per year (inf: no limit)
    carry_over: bool
    p_per_year: np.ndarray | None
    exact_p: bool
    p: int | None
    complete: bool
    capacitated: bool
    single_source: bool


def within_reach(instance: Instance, reach: np.ndarray) -> np.ndarray:
    """Mask over the instance's pairs: travel cost within the site's standard."""
    return np.asarray(instance.costs <= reach[instance.indices])


def open_by_year(year_opened: np.ndarray, years: int) -> np.ndarray:
    """(years, n_sites) booleans: site open in year t (row t-1)."""
    yo = np.asarray(year_opened)
    t = np.arange(1, years + 1)[:, None]
    return (yo[None, :] >= 0) & (yo[None, :] <= t)


# ---------------------------------------------------------------------- parameters
def _per_year(values: Any, years: int, name: str, *, whole: bool) -> tuple[Any, ...] | None:
    """One number per year (>= 0; inf allowed for budgets), as a tuple; None passes."""
    if values is None:
        return None
    if isinstance(values, (str, bytes, dict)) or is_real(values) or not hasattr(values, "__len__"):
        raise InputError(
            f"{name}: give one value per year (a list of {years}), got {values!r}", field=name
        )
    seq = list(values.tolist() if isinstance(values, (np.ndarray, pd.Series)) else values)
    if len(seq) != years:
        raise InputError(
            f"{name}: has {len(seq)} values for years={years}; give one per year", field=name
        )
    out: list[float | int] = []
    for k, v in enumerate(seq):
        try:
            if whole:
                out.append(integer(v, name, minimum=0))
            else:
                out.append(number(v, name, minimum=0.0, allow_inf=True, hint="inf: no limit"))
        except InputError as exc:
            msg = str(exc).removeprefix(f"{name}: ")
            raise InputError(f"{name}: year {k + 1}: {msg}", field=name) from None
    return tuple(out)


def check_phase_params(params: dict[str, Any]) -> dict[str, Any]:
    """Checked, normalised parameters (per-year lists as tuples); InputError naming the field."""
    out = dict(params)
    years = integer(params["years"], "years", minimum=1, hint="the number of years planned")
    reach = params["max_cost"]
    if is_real(reach):
        number(reach, "max_cost", minimum=0.0, allow_inf=True)
    elif isinstance(reach, (str, bytes)) or not hasattr(reach, "__len__"):
        raise InputError(
            f"max_cost: a number or one number per site, got {reach!r}", field="max_cost"
        )
    out["budgets"] = _per_year(params["budgets"], years, "budgets", whole=False)
    out["p_per_year"] = _per_year(params["p_per_year"], years, "p_per_year", whole=True)
    integer(params["p"], "p", minimum=1, optional=True, hint="sites open at the end, existing too")
    if out["budgets"] is None and out["p_per_year"] is None and params["p"] is None:
        raise InputError(
            "budgets: give yearly budgets, p_per_year or a total p; without a limit every "
            "site opens in year 1",
            field="budgets",
        )
    if params["exact_p"] and out["p_per_year"] is None:
        raise InputError("exact_p: needs p_per_year", field="exact_p")
    number(params["discount"], "discount", minimum=0.0, hint="a yearly rate such as 0.03")
    w = params["weights"]
    if w is not None:
        if not isinstance(w, (pd.DataFrame, np.ndarray)):
            raise InputError(
                f"weights: a DataFrame (demand ids x years) or an array (n_demand, years), "
                f"got {type(w).__name__}",
                field="weights",
            )
        if w.ndim != 2 or w.shape[1] != years:
            raise InputError(
                f"weights: shape {w.shape}, expected (n_demand, {years}): one column per year",
                field="weights",
            )
    sites = params["sites"]
    if sites is not None:
        if isinstance(sites, (str, bytes)) or not hasattr(sites, "__iter__"):
            raise InputError(f"sites: a list of site ids, got {sites!r}", field="sites")
        out["sites"] = tuple(sites.tolist() if hasattr(sites, "tolist") else sites)
    return out


# ---------------------------------------------------------------------- data
def _weights(instance: Instance, w: Any, years: int) -> np.ndarray:
    """(years, n_demand) weights: the instance's every year, or the table given."""
    if w is None:
        return np.tile(instance.weights, (years, 1))
    if isinstance(w, pd.DataFrame):
        missing = instance.demand_ids.difference(w.index)
        if len(missing):
            raise InputError(
                f"weights: no row for demand ids {show_ids(missing[:20])}", field="weights"
            )
        w = w.reindex(instance.demand_ids)
    try:
        arr = np.asarray(w, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"weights: not numbers ({exc})", field="weights") from exc
    if arr.shape != (instance.n_demand, years):
        raise InputError(
            f"weights: shape {arr.shape}, expected ({instance.n_demand}, {years})",
            field="weights",
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise InputError("weights: must be finite and >= 0", field="weights")
    return np.ascontiguousarray(arr.T)


def resolve_phases(instance: Instance, params: dict[str, Any]) -> PhaseData:
    """The checked parameters aligned with ``instance``; InputError naming the field."""
    years = int(params["years"])
    reach = vector(params["max_cost"], instance.site_ids, "max_cost", 0.0, allow_inf=True)
    required = np.asarray(instance.required, dtype=bool)
    candidate = ~required
    if params["sites"] is not None:
        ids = id_index(list(params["sites"]), len(params["sites"]), "sites", "site ids")
        unknown = ids.difference(instance.site_ids)
        if len(unknown):
            raise InputError(f"sites: unknown site ids {show_ids(unknown[:20])}", field="sites")
        candidate &= instance.site_ids.isin(ids)
    budgets = params["budgets"]
    if budgets is not None and not instance.has_site_costs:
        raise InputError(
            "budgets: the instance has no site_costs to spend them on; give site_costs= to "
            "Instance.from_matrix, or limit openings with p_per_year",
            field="budgets",
        )
    p = params["p"]
    n_req = int(required.sum())
    if p is not None and p < n_req:
        raise InfeasibleError(
            f"p: {n_req} required sites are open from year 1, but p = {p} sites in all"
        )
    discount = float(params["discount"])
    return PhaseData(
        instance=instance,
        years=years,
        reach=reach,
        cover=within_reach(instance, reach),
        weights=_weights(instance, params["weights"], years),
        factor=(1.0 + discount) ** -np.arange(years, dtype=float),
        cost=np.asarray(instance.site_costs, dtype=float),
        required=required,
        candidate=candidate,
        budgets=None if budgets is None else np.asarray(budgets, dtype=float),
        carry_over=bool(params["carry_over"]),
        p_per_year=None
        if params["p_per_year"] is None
        else np.asarray(params["p_per_year"], dtype=np.int64),
        exact_p=bool(params["exact_p"]),
        p=None if p is None else int(p),
        complete=bool(params["complete"]),
        capacitated=bool(params["capacitated"] or params["single_source"]),
        single_source=bool(params["single_source"]),
    )


def precheck_phases(d: PhaseData) -> None:
    """InfeasibleError, with numbers, for counts and budgets no schedule can meet."""
    inst, n_cand, n_req = d.instance, int(d.candidate.sum()), int(d.required.sum())
    if d.p_per_year is not None and d.exact_p and int(d.p_per_year.sum()) > n_cand:
        raise InfeasibleError(
            f"p_per_year: exactly {int(d.p_per_year.sum())} new sites over {d.years} years "
            f"({list(d.p_per_year)}), but only {n_cand} candidate sites can open"
        )
    if d.p is not None and d.p_per_year is not None and d.exact_p:
        if n_req + int(d.p_per_year.sum()) > d.p:
            raise InfeasibleError(
                f"p: {n_req} required + {int(d.p_per_year.sum())} new sites (p_per_year, exact) "
                f"exceed p = {d.p}"
            )
    if not d.complete:
        return
    if d.p is not None and n_req + n_cand > d.p:
        raise InfeasibleError(
            f"complete: {n_req} required + {n_cand} candidate sites exceed p = {d.p}"
        )
    if d.p_per_year is not None and n_cand > int(d.p_per_year.sum()):
        raise InfeasibleError(
            f"complete: {n_cand} candidate sites to open, but p_per_year allows "
            f"{int(d.p_per_year.sum())} ({list(d.p_per_year)})"
        )
    if d.budgets is not None:
        need = float(d.cost[d.candidate].sum())
        total = float(d.budgets.sum())
        if need > total * (1 + 1e-9) + 1e-9:
            raise InfeasibleError(
                f"complete: the candidate sites cost {need:g} in all, but the budgets add up to "
                f"{total:g} ({list(map(float, d.budgets))})"
            )
        limit = float(d.budgets.sum() if d.carry_over else d.budgets.max())
        dear = np.flatnonzero(d.candidate & (d.cost > limit * (1 + 1e-9) + 1e-9))
        if dear.size:
            raise InfeasibleError(
                f"complete: sites {show_ids(inst.site_ids[dear])} cost "
                f"{', '.join(f'{c:g}' for c in d.cost[dear])}, more than any year can spend "
                f"({limit:g}{', with carry-over' if d.carry_over else ''})"
            )
