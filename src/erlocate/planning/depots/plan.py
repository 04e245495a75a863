"""Depot plans: :class:`DepotPlan`, with the per-scenario shipments in :class:`Flows`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from erlocate.plan import Plan

__all__ = ["DepotPlan", "Flows"]


@dataclass(frozen=True, eq=False)
class Flows:
    """Shipments in one scenario-indexed sparse (COO) array.

    Entry ``e`` ships ``amount[e]`` units of category ``category[e]`` in
    scenario ``scenario[e]`` from ``source[e]`` (a site position for depot
    flows, a row of the contract table for contract flows) to community
    ``demand[e]`` (positions, not ids).
    """

    scenario: np.ndarray
    demand: np.ndarray
    source: np.ndarray
    category: np.ndarray
    amount: np.ndarray

    @classmethod
    def empty(cls) -> Flows:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z, np.zeros(0))

    def __len__(self) -> int:
        return self.amount.size

    def matrix(self, scenario: int, category: int, shape: tuple[int, int]) -> sp.csr_array:
        """Communities × sources shipments of one scenario and category."""
        k = (self.scenario == scenario) & (self.category == category)
        return sp.csr_array((self.amount[k], (self.demand[k], self.source[k])), shape=shape)


@dataclass(frozen=True, eq=False)
class DepotPlan(Plan):
    """A depot plan: the base :class:`~erlocate.plan.Plan` plus stock, reserves and flows.

    ``stock`` is sites × categories (units; zero at closed sites), ``reserve``
    the units contracted per row of the contract table, ``depot_flows`` and
    ``contract_flows`` the per-scenario shipments (:class:`Flows`). The base
    fields hold every (community, depot) pair that ships in some scenario, with
    ``share`` = the probability-weighted share of the community's need volume
    (m³) that depot delivers.
    """

    stock: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    reserve: np.ndarray = field(default_factory=lambda: np.zeros(0))
    depot_flows: Flows = field(default_factory=Flows.empty)
    contract_flows: Flows = field(default_factory=Flows.empty)
