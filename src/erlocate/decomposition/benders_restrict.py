"""The instance over a subset of sites: the last stage of the Benders p-median on other backends."""

from __future__ import annotations

import dataclasses

import numpy as np

from erlocate.instance import Instance

__all__ = ["restrict_sites"]


def restrict_sites(instance: Instance, keep: np.ndarray, required: np.ndarray) -> Instance:
    """The instance over the sites in ``keep`` (``required`` over them kept open)."""
    ok = keep[instance.indices]
    remap = np.cumsum(keep) - 1
    counts = np.bincount(instance.pair_rows[ok], minlength=instance.n_demand)
    return dataclasses.replace(
        instance,
        indptr=np.concatenate([[0], np.cumsum(counts)]).astype(instance.indptr.dtype),
        indices=remap[instance.indices[ok]].astype(instance.indices.dtype),
        costs=instance.costs[ok].copy(),
        site_costs=instance.site_costs[keep],
        capacities=instance.capacities[keep],
        required=required[keep],
        site_ids=instance.site_ids[keep],
        site_frame=None,
    )
