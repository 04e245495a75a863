"""Scenarios for robust plans: named instances over one set of candidate sites.

A :class:`Scenarios` holds what may happen — the normal network, the flood
(roads closed: other costs, pairs unreachable), the earthquake (sites lost),
a demand surge (other weights) — as one :class:`~erlocate.instance.Instance`
per scenario, and the chance of each. The robust models
(:mod:`erlocate.models.robust`) open one set of sites and count its coverage
in every scenario from that scenario's own data.

Sites are aligned **by label**: the first scenario (the *reference*) names
the candidate sites; any other scenario's site ids must be among them, in any
order. A site missing from a scenario, or listed in ``lost``, is lost there:
it may be open (it is built) but serves nobody in that scenario. Demand ids
may differ between scenarios (a closure may cut points off, a surge may add
some): each scenario's coverage is counted over its own demand points.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.errors import FrozenError, InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance

__all__ = ["Scenarios", "covered_weights"]

#: How far the probabilities may sum from 1 (rounding of decimal shares).
PROBABILITY_TOL = 1e-9


class Scenarios:
    """Named instances over one set of candidate sites, with their probabilities.

    Parameters
    ----------
    instances : mapping of str to Instance
        One instance per scenario, in order; the first is the *reference*,
        whose site ids are the candidate sites. Every other scenario's site
        ids must be among them (a missing site is lost in that scenario).
    probabilities : mapping of str to float, sequence of float, or pandas.Series, optional
        The chance of each scenario (labels: exactly the scenario names; a
        sequence: in order), each >= 0, summing to 1. Default: equally likely.
    lost : mapping of str to sequence of site ids, optional
        Sites lost in a scenario although its instance lists them (e.g. a
        station in the collapse zone).
    sites : sequence of site ids, optional
        The candidate sites, when the first scenario lacks some (default: the
        first scenario's site ids).

    Raises
    ------
    InputError
        No scenario, a name that is not a non-empty string, a value that is not
        an Instance, site ids outside the reference's (``field="scenarios"``);
        probabilities that are not one per scenario, negative, or not summing
        to 1 (``field="probabilities"``); unknown scenarios or sites in
        ``lost`` (``field="lost"``).

    Examples
    --------
    >>> import numpy as np
    >>> from erlocate import Instance
    >>> normal = Instance.from_matrix(np.array([[1.0, 5.0], [5.0, 1.0]]), site_ids=["A", "B"])
    >>> flood = Instance.from_matrix(np.array([[1.0], [9.0]]), site_ids=["A"])
    >>> sc = Scenarios({"normal": normal, "flood": flood}, probabilities=[0.8, 0.2])
    >>> sc.names, sc.available("flood").tolist()
    (('normal', 'flood'), [True, False])
    """

    names: tuple[str, ...]
    instances: tuple[Instance, ...]
    probabilities: np.ndarray
    lost: dict[str, pd.Index]
    site_ids: pd.Index

    def __init__(
        self,
        instances: Mapping[str, Instance],
        *,
        probabilities: Any = None,
        lost: Mapping[str, Any] | None = None,
        sites: Any = None,
    ) -> None:
        names, insts = _check_instances(instances)
        ref = insts[0].site_ids if sites is None else _check_sites(sites)
        for name, inst in zip(names, insts, strict=True):
            extra = inst.site_ids.difference(ref, sort=False)
            if len(extra):
                raise InputError(
                    f"scenarios: scenario {name!r} has site ids {show_ids(extra)} that the "
                    "candidate sites do not (the reference scenario's, or sites=); every "
                    "scenario's sites must be among them (matched by label; a missing site "
                    "is lost)",
                    field="scenarios",
                )
        probs = _check_probabilities(probabilities, names)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "instances", insts)
        object.__setattr__(self, "probabilities", probs)
        object.__setattr__(self, "lost", _check_lost(lost, names, ref))
        object.__setattr__(self, "site_ids", ref)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenError(f"{name}: Scenarios are immutable; build a new Scenarios instead")

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __getitem__(self, name: str) -> Instance:
        return self.instances[self.index(name)]

    def items(self) -> Iterator[tuple[str, Instance]]:
        """(name, instance) pairs in order."""
        return zip(self.names, self.instances, strict=True)

    def index(self, name: Any) -> int:
        """Position of scenario ``name``; InputError naming the known ones."""
        if name not in self.names:
            raise InputError(
                f"scenario: {name!r} is not a scenario; scenarios are {list(self.names)}",
                field="scenario",
            )
        return self.names.index(name)

    @property
    def reference(self) -> Instance:
        """The first scenario's instance (without ``sites=``, it has every candidate site)."""
        return self.instances[0]

    def only(self, name: str) -> Scenarios:
        """The one scenario ``name`` (probability 1), its lost sites kept."""
        lost = {name: self.lost[name]} if name in self.lost else None
        return Scenarios({name: self[name]}, lost=lost, sites=self.site_ids)

    def available(self, name: str, site_ids: pd.Index | None = None) -> np.ndarray:
        """Which of ``site_ids`` (default the reference's) can serve in scenario ``name``."""
        return self.positions(site_ids)[self.index(name)] >= 0

    def positions(self, site_ids: pd.Index | None = None) -> np.ndarray:
        """Scenarios × sites: each site's position in each scenario's instance, -1 where lost.

        ``site_ids`` (default the reference's) must be exactly the candidate
        sites, in any order (InputError naming the difference otherwise).
        """
        ids = self.site_ids if site_ids is None else site_ids
        if len(ids) != len(self.site_ids) or len(ids.difference(self.site_ids)):
            raise InputError(
                f"instance: its site ids must be the scenarios' candidate sites (in any order); "
                f"not candidates: {show_ids(ids.difference(self.site_ids))}, missing: "
                f"{show_ids(self.site_ids.difference(ids))}",
                field="instance",
            )
        out = np.empty((len(self), len(ids)), dtype=np.int64)
        for k, (name, inst) in enumerate(self.items()):
            pos = inst.site_ids.get_indexer(ids)
            if name in self.lost:
                pos[ids.isin(self.lost[name])] = -1
            out[k] = pos
        return out

    def effective(self, name: str) -> Instance:
        """Scenario ``name``'s instance without its ``lost`` sites (the sites that can serve).

        Everything else is kept: demand, costs of the other sites, required
        flags, site costs and capacities of the kept sites, frames, cut-off.
        """
        inst = self[name]
        if name not in self.lost:
            return inst
        keep = ~inst.site_ids.isin(self.lost[name])
        new = np.cumsum(keep) - 1
        ok = keep[inst.indices]
        indptr = np.zeros(inst.n_demand + 1, dtype=np.int64)
        np.cumsum(np.bincount(inst.pair_rows[ok], minlength=inst.n_demand), out=indptr[1:])
        frame = inst.site_frame
        return replace(
            inst,
            indptr=indptr,
            indices=new[inst.indices[ok]],
            costs=inst.costs[ok].copy(),
            site_costs=inst.site_costs[keep],
            capacities=inst.capacities[keep],
            required=inst.required[keep],
            site_ids=inst.site_ids[keep],
            site_frame=None if frame is None else frame[keep],
        )

    def total_weights(self) -> np.ndarray:
        """Each scenario's total demand weight."""
        return np.array([float(inst.weights.sum()) for inst in self.instances])

    def __repr__(self) -> str:
        parts = [
            f"{name!r} ({inst.n_demand} × {inst.n_sites}, p={prob:.3g}"
            + (f", {len(self.lost[name])} lost" if name in self.lost else "")
            + ")"
            for (name, inst), prob in zip(self.items(), self.probabilities, strict=True)
        ]
        return f"<Scenarios over {len(self.site_ids)} sites: {', '.join(parts)}>"


def _check_instances(instances: Any) -> tuple[tuple[str, ...], tuple[Instance, ...]]:
    """Names (non-empty strings) and instances, at least one."""
    if isinstance(instances, Scenarios):
        return instances.names, instances.instances
    if not isinstance(instances, Mapping) or not instances:
        raise InputError(
            "scenarios: expected a non-empty mapping scenario name -> Instance, got "
            f"{type(instances).__name__}",
            field="scenarios",
        )
    for name, inst in instances.items():
        if not isinstance(name, str) or not name:
            raise InputError(
                f"scenarios: scenario names must be non-empty strings, got {name!r}",
                field="scenarios",
            )
        if not isinstance(inst, Instance):
            raise InputError(
                f"scenarios: scenario {name!r} is a {type(inst).__name__}, not an Instance",
                field="scenarios",
            )
    return tuple(instances), tuple(instances.values())


def _check_probabilities(probabilities: Any, names: tuple[str, ...]) -> np.ndarray:
    """One probability per scenario (by name or in order), >= 0, summing to 1."""
    n = len(names)
    if probabilities is None:
        out = np.full(n, 1.0 / n)
        out.setflags(write=False)
        return out
    if isinstance(probabilities, pd.Series):
        probabilities = probabilities.to_dict()
    if isinstance(probabilities, Mapping):
        keys = list(probabilities)
        unknown = [k for k in keys if k not in names]
        missing = [k for k in names if k not in probabilities]
        if unknown or missing:
            raise InputError(
                f"probabilities: labels must be exactly the scenario names {list(names)}; "
                f"unknown {unknown}, missing {missing}",
                field="probabilities",
            )
        values: Any = [probabilities[k] for k in names]
    elif isinstance(probabilities, (str, bytes)) or np.ndim(probabilities) != 1:
        raise InputError(
            f"probabilities: expected one number per scenario ({n}), got {probabilities!r}",
            field="probabilities",
        )
    else:
        values = list(probabilities)
    bad = [v for v in values if isinstance(v, (bool, np.bool_)) or not np.isreal(v)]
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        bad = bad or values
        arr = np.zeros(0)
    if bad or arr.shape != (n,):
        raise InputError(
            f"probabilities: expected {n} real numbers (one per scenario {list(names)}), "
            f"got {values!r}",
            field="probabilities",
        )
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise InputError(
            f"probabilities: each must be a finite number >= 0, got {arr.tolist()}",
            field="probabilities",
        )
    if abs(arr.sum() - 1.0) > PROBABILITY_TOL:
        raise InputError(
            f"probabilities: must sum to 1, sum to {arr.sum():.12g} ({arr.tolist()}); "
            "divide by the sum if they are relative frequencies",
            field="probabilities",
        )
    arr.setflags(write=False)
    return arr


def _check_sites(sites: Any) -> pd.Index:
    """Candidate site ids: a flat sequence of unique ids."""
    if isinstance(sites, (str, bytes)) or np.ndim(sites) != 1:
        raise InputError(f"sites: expected a sequence of site ids, got {sites!r}", field="sites")
    index = pd.Index(list(sites))
    if not index.is_unique or not len(index):
        raise InputError(
            f"sites: site ids must be unique and at least one, got {show_ids(index)}",
            field="sites",
        )
    return index


def _check_lost(
    lost: Mapping[str, Any] | None, names: tuple[str, ...], sites: pd.Index
) -> dict[str, pd.Index]:
    """Lost site ids per scenario, each a site of the reference."""
    if lost is None:
        return {}
    if not isinstance(lost, Mapping):
        raise InputError(
            f"lost: expected a mapping scenario name -> site ids, got {type(lost).__name__}",
            field="lost",
        )
    out: dict[str, pd.Index] = {}
    for name, ids in lost.items():
        if name not in names:
            raise InputError(
                f"lost: {name!r} is not a scenario; scenarios are {list(names)}", field="lost"
            )
        if isinstance(ids, (str, bytes)) or np.ndim(ids) == 0:
            raise InputError(
                f"lost: scenario {name!r} needs a list of site ids, got {ids!r}", field="lost"
            )
        index = pd.Index(list(ids))
        unknown = index.difference(sites)
        if len(unknown):
            raise InputError(
                f"lost: scenario {name!r} lists {show_ids(unknown)}, which are not candidate sites",
                field="lost",
            )
        if len(index):
            out[name] = index.unique()
    return out


def covered_weights(
    scenarios: Scenarios,
    site_ids: pd.Index,
    open_masks: np.ndarray,
    max_cost: float,
) -> np.ndarray:
    """Scenarios × plans: the weight each plan covers in each scenario, from its own data.

    ``open_masks`` is sites × plans (boolean, sites in the order of
    ``site_ids``). A demand point of scenario s is covered when an open site
    that is available in s lies within ``max_cost`` of it in s's costs.
    Vectorised: one sparse product per scenario.
    """
    pos = scenarios.positions(site_ids)
    X = np.asarray(open_masks, dtype=float)
    out = np.zeros((len(scenarios), X.shape[1]))
    for k, inst in enumerate(scenarios.instances):
        have = np.flatnonzero(pos[k] >= 0)
        # scenario site -> plan row (-1: not a candidate here, or lost)
        to_plan = np.full(inst.n_sites, -1, dtype=np.int64)
        to_plan[pos[k, have]] = have
        ok = (inst.costs <= max_cost) & (to_plan[inst.indices] >= 0)
        A = sp.csr_array(
            (np.ones(int(ok.sum())), (inst.pair_rows[ok], to_plan[inst.indices[ok]])),
            shape=(inst.n_demand, len(site_ids)),
        )
        out[k] = inst.weights @ ((A @ X) > 0.5)
    return out
