"""Small reproducible random instances (Euclidean towns) for examples, tests and benchmarks."""

from __future__ import annotations

import numpy as np

from erlocate.instance import Instance

__all__ = ["random_euclidean"]


def random_euclidean(
    n_demand: int = 300,
    n_sites: int = 40,
    *,
    seed: int = 0,
    size: float = 10_000.0,
    speed: float | None = None,
    capacity_slack: float = 1.6,
) -> Instance:
    """A seeded random town: demand points and candidate sites in a square.

    Parameters
    ----------
    n_demand, n_sites : int
        Numbers of demand points and candidate sites.
    seed : int
        Seed of ``numpy.random.default_rng``.
    size : float
        Side of the square in metres.
    speed : float, optional
        Metres per minute; when given, costs are minutes instead of metres.
    capacity_slack : float
        Site capacities sum to this multiple of total demand.

    Returns
    -------
    Instance
        Weights are populations (50–2,000), demand = weights, site costs are
        illustrative (1–3 million), capacities equal shares of the slack.
    """
    rng = np.random.default_rng(seed)
    demand_xy = rng.random((n_demand, 2)) * size
    site_xy = rng.random((n_sites, 2)) * size
    cost = np.linalg.norm(demand_xy[:, None, :] - site_xy[None, :, :], axis=2)
    if speed is not None:
        cost = cost / speed
    pop = rng.integers(50, 2_000, n_demand).astype(float)
    return Instance.from_matrix(
        np.round(cost, 3),
        weights=pop,
        site_costs=np.round(rng.uniform(1e6, 3e6, n_sites), -3),
        capacities=np.full(n_sites, np.ceil(capacity_slack * pop.sum() / n_sites)),
        demand_ids=[f"d{i}" for i in range(n_demand)],
        site_ids=[f"s{j}" for j in range(n_sites)],
        name=f"random-euclidean-{n_demand}x{n_sites}-seed{seed}",
    )
