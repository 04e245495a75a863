"""``erlocate.simulate``: replications of the event loop, pooled into tables."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.inputs import show_ids
from erlocate.params import choice, integer, number
from erlocate.simulate.dispatch import Candidates, candidates
from erlocate.simulate.events import run
from erlocate.simulate.inputs import (
    Scenario,
    resolve_plan,
    resolve_rates,
    resolve_service,
    resolve_standard,
    resolve_units,
    resolve_zones,
)
from erlocate.simulate.result import SimulationResult
from erlocate.simulate.tables import Pooled, group_table, overall_table

__all__ = ["simulate"]

log = logging.getLogger(__name__)


def simulate(
    plan: Any,
    instance: Any = None,
    *,
    rate: Any = None,
    service_time: Any = None,
    incidents: int = 10_000,
    replications: int = 10,
    seed: int | None = None,
    standard: float | None = None,
    turnout: float | None = None,
    units: Any = None,
    zones: Any = None,
    service: str = "exponential",
    busy_travel: float = 0.0,
    arrivals: str = "poisson",
    warmup: int | None = None,
    confidence: float = 0.95,
    keep_incidents: bool = False,
) -> SimulationResult:
    r"""Simulate concurrent incidents answered by a plan's units (discrete events).

    Incidents arrive as a Poisson process at each demand point (rate
    :math:`\lambda_i`); each is answered by the nearest free unit (by the
    instance's travel cost :math:`c_{ij}`); when every unit that reaches the
    point is busy it waits in one first-in first-out queue, and the first unit
    to come free that reaches it answers it. A unit is busy for the service
    time (plus ``busy_travel`` × its travel time), then is back at its station.
    The response time is wait + ``turnout`` + travel. With one station, all
    costs 0 and exponential service this is the M/M/c queue (Erlang C); with
    several it is the system Larson's hypercube model (1974) approximates,
    simulated instead of solved.

    Parameters
    ----------
    plan : Result or Plan
        A solved result (its plan; the standard, and a fire-station plan's
        engines, come from its model) or a :class:`~erlocate.plan.Plan`.
    instance : Instance, optional
        The instance to simulate on; default the result's. Pass another one over
        the same sites to simulate the plan on other roads. Required with a Plan.
    rate : float, or one rate per demand point (array, Series or mapping)
        Incidents per time unit of the costs: a total spread over the demand
        points in proportion to their weights, or each point's own rate.
    service_time : float, callable or scipy.stats distribution
        Mean busy time per incident (``service`` sets the distribution), or
        ``f(rng, size)`` returning ``size`` busy times, or a frozen scipy.stats
        distribution (its ``rvs`` and ``mean`` are used).
    incidents : int
        Incidents counted per replication (after ``warmup``).
    replications : int
        Independent replications; the intervals are over their figures.
    seed : int, optional
        Seed of the run (``numpy.random.SeedSequence``; replication ``r`` uses
        its ``r``-th spawned child). None: fresh entropy, reported in
        ``settings["seed"]`` so the run can be repeated.
    standard : float, optional
        The response standard (turnout + travel, in the costs' unit). Default:
        a covering model's ``max_cost`` + ``turnout``, so the units "within the
        standard" are those the model counts as covering.
    turnout : float, optional
        Time added to every response before travel. Default the model's
        ``turnout`` (a fire-station model), else 0.
    units : array or mapping site id -> count, optional
        Units per site. Default the plan's ``units`` (a units model's plan), the
        engines of each station's type (a fire-station result), or one per open
        site.
    zones : str, array, Series or mapping, optional
        A ``demand_frame`` column or one label per demand point: figures per zone.
    service : {"exponential", "constant"}
        The distribution of a numeric ``service_time``.
    busy_travel : float
        Multiple of the travel time added to the busy time: 0 (default) when
        ``service_time`` is the whole busy time, 2 for the drive there and back.
    arrivals : {"poisson", "deterministic"}
        Exponential gaps (default) or equal gaps of ``1 / total rate`` (for
        hand-checked cases); the point of each call is drawn by rate either way.
    warmup : int, optional
        Incidents simulated first and not counted (the run starts with every
        unit free); default ``incidents // 10``.
    confidence : float
        Level of the t-intervals, in (0, 1).
    keep_incidents : bool
        Keep the table of every counted incident (``SimulationResult.incidents``).

    Returns
    -------
    SimulationResult
        ``overall`` (metric, value, ci_low, ci_high), ``per_point``,
        ``per_zone``, ``summary()``.

    Raises
    ------
    InputError
        A missing rate, service time or standard; units at closed sites; bad
        numbers, labels or choices (the field is named).

    References
    ----------
    Larson, R. C. (1974). A hypercube queuing model for facility location and
    redistricting in urban emergency services. *Computers & Operations
    Research* 1(1), 67–95. Erlang, A. K. (1917), the M/M/c waiting probability.
    NFPA 1710 (2020): travel within 240 s for 90 % of incidents.

    Examples
    --------
    >>> import numpy as np, erlocate
    >>> inst = erlocate.Instance.from_matrix(np.zeros((1, 1)))
    >>> plan = erlocate.plan.Plan(np.array([True]), np.array([0]), np.array([0]), np.ones(1))
    >>> sim = erlocate.simulate(plan, inst, rate=1.0, service_time=0.5, units=[2],
    ...                         standard=1.0, incidents=2000, replications=2, seed=1)
    >>> round(sim.value("within_standard"), 2)
    1.0
    """
    plan_, inst, model = resolve_plan(plan, instance)
    n_incidents = integer(incidents, "incidents", minimum=1)
    n_rep = integer(replications, "replications", minimum=1)
    n_warm = integer(n_incidents // 10 if warmup is None else warmup, "warmup", minimum=0)
    level = number(confidence, "confidence", minimum=0.0, maximum=1.0, strict=True)
    if level >= 1.0:
        raise InputError("confidence: must be < 1 (e.g. 0.95)", field="confidence")
    choice(arrivals, "arrivals", ("poisson", "deterministic"))
    if not isinstance(keep_incidents, bool):
        raise InputError("keep_incidents: must be True or False", field="keep_incidents")
    if service_time is None:
        raise InputError(
            "service_time: required — the mean time a unit is busy per incident (in the "
            "costs' unit), a callable f(rng, size) or a scipy.stats distribution",
            field="service_time",
        )
    if seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])  # reported in settings
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: must be an integer >= 0 or None, got {seed!r}", field="seed")
    seed = int(seed)
    std, turn = resolve_standard(standard, turnout, model)
    counts, source = resolve_units(units, plan_, model, inst)
    sampler, mean, label = resolve_service(service_time, service)
    scen = Scenario(
        instance=inst,
        units=counts,
        units_from=source,
        rates=resolve_rates(rate, inst),
        standard=std,
        turnout=turn,
        service=sampler,
        service_mean=mean,
        service_label=label,
        busy_travel=number(busy_travel, "busy_travel", minimum=0.0),
        zones=resolve_zones(zones, inst),
    )
    cand = candidates(inst, counts, scen.limit)
    unreachable = inst.demand_ids[cand.unreachable]
    if len(unreachable):
        log.warning(
            "%d demand points reach no unit; their incidents are never answered: %s",
            len(unreachable),
            show_ids(unreachable[:20]),
        )
    pooled, span = _replicate(scen, cand, n_incidents, n_rep, n_warm, seed, arrivals)
    return SimulationResult(
        overall=overall_table(pooled, n_rep, int(counts.sum()), span, level),
        per_point=_per_point(scen, cand, pooled, n_rep, level),
        per_zone=_per_zone(scen, pooled, n_rep, level),
        units=pd.Series(counts, index=inst.site_ids, name="units")[counts > 0],
        settings={
            "rate": float(scen.rates.sum()),
            "incidents": n_incidents,
            "replications": n_rep,
            "warmup": n_warm,
            "seed": seed,
            "standard": std,
            "turnout": turn,
            "units_from": source,
            "service": label,
            "service_mean": mean,
            "busy_travel": scen.busy_travel,
            "load": scen.load,
            "arrivals": arrivals,
            "confidence": level,
            "cutoff": inst.cutoff,
            "unit": inst.unit,
        },
        unreachable=unreachable,
        incidents=_incident_table(scen, pooled) if keep_incidents else None,
    )


def _replicate(
    scen: Scenario,
    cand: Candidates,
    incidents: int,
    replications: int,
    warmup: int,
    seed: int,
    arrivals: str,
) -> tuple[Pooled, np.ndarray]:
    """Run every replication; the counted incidents pooled, and each one's span of calls."""
    total = float(scen.rates.sum())
    p = scen.rates / total
    n_all, n = warmup + incidents, scen.instance.n_demand
    parts: list[tuple[Any, ...]] = []
    span = np.empty(replications)
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        rng = np.random.default_rng(child)
        if arrivals == "poisson":
            times = np.cumsum(rng.exponential(1.0 / total, n_all))
        else:
            times = np.arange(1, n_all + 1) / total
        points = rng.choice(n, size=n_all, p=p) if n > 1 else np.zeros(n_all, dtype=np.int64)
        svc = scen.service(rng, n_all)
        out = run(cand, scen.units, points, times, svc, scen.limit, scen.busy_travel)
        span[r] = times[-1] - (times[warmup - 1] if warmup else 0.0)
        parts.append(
            (points, times, out.site, out.wait, out.travel, out.nearby_free, out.waited, out.busy)
        )
    point, arrival, site, wait, travel, near, waited, busy = (
        np.concatenate([a[warmup:] for a in col]) for col in zip(*parts, strict=True)
    )
    answered = site >= 0
    response = np.where(answered, np.where(answered, wait, 0.0) + scen.turnout + travel, np.inf)
    none_near = cand.nearby_units[point] == 0
    flags = {
        "within_standard": response <= scen.standard + 1e-9 * max(1.0, scen.standard),
        "waited": waited,
        "nearby_free": near,
        "all_nearby_busy": ~near & ~none_near,
        "no_nearby_unit": none_near,
    }
    pooled = Pooled(
        replication=np.repeat(np.arange(replications), incidents),
        point=point,
        arrival=arrival,
        site=site,
        wait=wait,
        response=response,
        busy=busy,
        flags=flags,
    )
    return pooled, span


def _per_point(
    scen: Scenario, cand: Candidates, pooled: Pooled, replications: int, level: float
) -> pd.DataFrame:
    inst = scen.instance
    table = group_table(
        pooled, np.arange(inst.n_demand), inst.demand_ids.rename("demand_id"), replications, level
    )
    table.insert(0, "rate", scen.rates)
    table.insert(1, "units_nearby", cand.nearby_units)
    table.insert(2, "nearest", scen.turnout + cand.nearest)
    return table


def _per_zone(
    scen: Scenario, pooled: Pooled, replications: int, level: float
) -> pd.DataFrame | None:
    if scen.zones is None:
        return None
    try:
        codes, labels = pd.factorize(scen.zones, sort=True)
    except TypeError:  # labels of mixed types: in order of first appearance
        codes, labels = pd.factorize(scen.zones, sort=False)
    labels = pd.Index(labels, name="zone")
    table = group_table(pooled, codes, labels, replications, level)
    table.insert(0, "points", np.bincount(codes, minlength=len(labels)))
    table.insert(1, "rate", np.bincount(codes, weights=scen.rates, minlength=len(labels)))
    return table


def _incident_table(scen: Scenario, d: Pooled) -> pd.DataFrame:
    inst = scen.instance
    site = np.asarray(inst.site_ids.take(np.maximum(d.site, 0)), dtype=object)
    site[d.site < 0] = None
    return pd.DataFrame(
        {
            "replication": d.replication,
            "arrival": d.arrival,
            "demand_id": inst.demand_ids.take(d.point),
            "site_id": site,
            "wait": d.wait,
            "response": d.response,
            **d.flags,
        }
    )
