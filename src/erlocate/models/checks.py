"""Checks of model parameters, alone and against an instance (InputError, InfeasibleError)."""

from __future__ import annotations

from typing import Any, Literal, overload

import numpy as np

from erlocate.errors import InfeasibleError, InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.params import integer, number
from erlocate.plan import Plan

__all__ = [
    "check_count",
    "check_max_cost",
    "check_p",
    "check_positive_int",
    "check_time_limit",
    "open_flags",
    "require_reach",
]


def check_time_limit(time_limit: Any) -> float:
    """A finite number of seconds >= 0 (heuristics' ``time_limit``)."""
    out = number(time_limit, "time_limit", minimum=0.0)
    assert out is not None
    return out


def check_positive_int(value: Any, name: str) -> int:
    """An integer >= 1 (heuristics' counts: strengths, stalls, region sizes)."""
    out = integer(value, name, minimum=1)
    assert out is not None
    return out


def check_count(p: Any, name: str = "p") -> int:
    """An integer number of facilities >= 1 (checked at construction; the upper
    bound, the number of sites, is checked against the instance by :func:`check_p`)."""
    out = integer(p, name, minimum=1, hint="the number of facilities to open")
    assert out is not None
    return out


def open_flags(instance: Instance, plan: Plan) -> np.ndarray:
    """A copy of ``plan.open`` as booleans, checked to have one flag per site."""
    open_ = np.asarray(plan.open, dtype=bool).copy()
    if open_.shape != (instance.n_sites,):
        raise InputError(
            f"plan: has {open_.size} open flags for {instance.n_sites} sites", field="plan"
        )
    return open_


def check_p(p: Any, instance: Instance) -> int:
    """p is an integer in [max(1, #required), n_sites]."""
    p = check_count(p)
    if p > instance.n_sites:
        raise InputError(
            f"p: cannot open {p} facilities with only {instance.n_sites} candidate sites",
            field="p",
        )
    n_req = int(instance.required.sum())
    if n_req > p:
        raise InputError(
            f"p: {n_req} sites are required (kept open) but p = {p}; raise p to at least {n_req} "
            "or drop required sites",
            field="required",
        )
    return p


@overload
def check_max_cost(max_cost: Any, name: str = ..., *, optional: Literal[False] = ...) -> float: ...
@overload
def check_max_cost(max_cost: Any, name: str = ..., *, optional: bool) -> float | None: ...
def check_max_cost(
    max_cost: Any, name: str = "max_cost", *, optional: bool = False
) -> float | None:
    """A cut-off is a finite real number >= 0 (or None where optional); ``"5"`` is refused."""
    return number(max_cost, name, minimum=0.0, optional=optional)


def require_reach(instance: Instance, max_cost: float | None, what: str) -> None:
    """Every demand point reaches at least one site within ``max_cost``, else InfeasibleError."""
    mask = instance.pair_mask(max_cost)
    reach = np.bincount(instance.pair_rows[mask], minlength=instance.n_demand)
    lost = np.flatnonzero(reach == 0)
    if lost.size:
        within = "" if max_cost is None else f" within {instance.format_cost(max_cost)}"
        ids = show_ids(instance.demand_ids[lost])
        raise InfeasibleError(
            f"{lost.size} demand point(s) cannot reach any candidate site{within}, so no {what} "
            f"that serves everyone exists: demand ids {ids}. Serve the rest with "
            "instance.drop_demand(ids) (the result then lists them), add candidate sites near "
            "them" + (", or raise max_cost" if max_cost is not None else "") + "."
        )
