"""Phasing a planning model's solved plan over the years: which station or shelter first.

A :class:`~erlocate.planning.FireStations` or :class:`~erlocate.planning.Shelters`
result says *what* to build; :func:`phase` says *when*, under yearly budgets or
counts: the exact multi-period MCLP (:class:`~erlocate.models.phased.PhasedMCLP`)
restricted to the plan's sites, every one of them built by the last year
(``complete=True``). :func:`phasing_case` gives the ``(model, instance)`` pair
it solves, so it can be inspected or changed first.

What each planning model contributes (the coverage measure its report uses):

- **FireStations**: a site's cost is its ``instance.site_costs`` plus the cost of
  the station type the plan builds there (the ``cost`` column of the report's
  ``stations`` table); coverage in a year is the **population within the
  standard** (driving time ≤ standard − turnout) of a station open that year —
  the summary's ``population_within_standard`` (the ``population`` option of
  the model; its weights when none). Districts and their area caps are not
  re-solved per year.
- **Shelters**: costs are ``instance.site_costs`` (an instance without them
  takes ``p_per_year``, not budgets); coverage in a year is the **people
  housed**: each community (its people to shelter, the mean over scenarios,
  as the summary's "people housed") wholly at one open shelter within its
  class's walking limit, each shelter's load (the community's largest load
  over scenarios) within its capacity — the capacitated single-source phased
  MCLP. Closest assignment is not imposed year by year.

Existing sites (``instance.required``) are open from year 1 at no cost.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.models.phased import PhasedMCLP
from erlocate.planning.firestations.model import FireStations
from erlocate.planning.shelters.model import Shelters
from erlocate.result import Result

__all__ = ["phase", "phasing_case"]


def _frozen(arr: np.ndarray) -> np.ndarray:
    out = np.array(arr, dtype=float)
    out.setflags(write=False)
    return out


def phasing_case(
    result: Result, *, years: int = 5, complete: bool = True, **params: Any
) -> tuple[PhasedMCLP, Instance]:
    """The phased MCLP that schedules ``result``'s plan, and the instance it reads.

    Parameters
    ----------
    result : Result
        A solved :class:`~erlocate.planning.FireStations` or
        :class:`~erlocate.planning.Shelters` result with a plan.
    years : int
        Years planned (default 5).
    complete : bool
        Build every site of the plan by the last year (default True).
    **params
        Further :class:`~erlocate.models.phased.PhasedMCLP` parameters:
        ``budgets``, ``p_per_year``, ``carry_over``, ``weights``, ``discount`` ...

    Returns
    -------
    (PhasedMCLP, Instance)
        The instance is the result's with the weights, site costs (and for
        shelters loads and capacities) of the coverage measure above.
    """
    if not isinstance(result, Result) or result.plan is None:
        raise InputError(
            "result: a solved FireStations or Shelters result with a plan", field="result"
        )
    model, inst, plan = result.model, result.instance, result.plan
    target = list(inst.site_ids[np.asarray(plan.open, dtype=bool)])
    if isinstance(model, FireStations):
        d = model.data(inst)
        station = np.asarray(getattr(plan, "station_type", np.full(inst.n_sites, -1)))
        cost = d.fixed + np.where(station >= 0, d.cost[np.maximum(station, 0)], 0.0)
        data = replace(inst, weights=_frozen(d.pop), site_costs=_frozen(cost), has_site_costs=True)
        phased = PhasedMCLP(float(d.limit), years, sites=target, complete=complete, **params)
        return phased, data
    if isinstance(model, Shelters):
        s = model.data(inst)
        data = replace(
            inst,
            weights=_frozen(s.hbar),
            demand=_frozen(s.hmax),
            capacities=_frozen(s.cap),
        )
        phased = PhasedMCLP(
            _frozen(s.limit),
            years,
            sites=target,
            complete=complete,
            capacitated=True,
            single_source=True,
            **params,
        )
        return phased, data
    raise InputError(
        f"result: phasing reads FireStations and Shelters results, got {type(model).__name__}; "
        "for other plans use erlocate.models.phased.schedule(target, instance, max_cost, ...)",
        field="result",
    )


def phase(
    result: Result,
    *,
    years: int = 5,
    complete: bool = True,
    backend: str = "highs",
    time_limit: float | None = None,
    **params: Any,
) -> Result:
    """A year-by-year schedule of a FireStations or Shelters plan (see the module).

    >>> from erlocate.district import fire_station_case
    >>> import erlocate
    >>> model, inst = fire_station_case()
    >>> plan = erlocate.solve(model, inst)
    >>> sched = phase(plan, budgets=[40, 40, 30, 20, 20])
    >>> sched.status, int(sched.report()["schedule"]["n_opened"].iloc[1:].sum())
    ('optimal', 15)

    Returns
    -------
    Result
        Of the :class:`~erlocate.models.phased.PhasedMCLP`: ``report()["schedule"]``
        is the table per year, ``plan.year_opened`` the year per site.
    """
    phased, data = phasing_case(result, years=years, complete=complete, **params)
    return phased.solve(data, backend, time_limit=time_limit)
