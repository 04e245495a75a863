"""Finer demand for the district: every community as several demand points.

Analysts hold demand as buildings or a population grid, not as 114 community
points. :func:`refine` splits each community into ``per_community`` points that
share its population (integers, summing to it exactly) and keep its other
attributes (hazard flags, risk, unit), placed at random within ``jitter_m`` of
the community point and inside its Voronoi cell within its unit
(:func:`~erlocate.district.inputs.community_cells`). The case builders take the
result as they take the district (``fire_station_case(refine(per_community=16))``);
travel times snap each point to the road network as they do the communities.

>>> from erlocate.district.resolution import refine
>>> fine = refine(per_community=4)
>>> len(fine.communities), int(fine.communities["population"].sum())
(456, 140000)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import shapely

from erlocate.datasets import District
from erlocate.district.inputs import as_district, community_cells
from erlocate.errors import InputError

__all__ = ["JITTER_M", "refine"]

#: How far (metres) a demand point may lie from its community point by default.
JITTER_M = 300.0
#: Candidate draws per point and attempt (rejection sampling inside the cell).
_DRAWS = 8


def refine(
    district: District | None = None,
    *,
    per_community: int,
    jitter_m: float = JITTER_M,
    seed: int = 0,
) -> District:
    """The district with every community split into ``per_community`` demand points.

    Parameters
    ----------
    district : District, optional
        Default: :func:`erlocate.datasets.load_district`.
    per_community : int
        Points per community (1 returns the communities unchanged).
    jitter_m : float
        Largest distance (m) of a point from its community point; 0 puts every
        point on it (the same plans as the coarse district, only more rows).
    seed : int
        Random seed of the placement.

    Returns
    -------
    District
        Its ``communities`` indexed ``"<community_id>.<k>"`` (k = 1 … per_community)
        with a ``parent`` column (the community id) and the population split as
        evenly as integers allow (the first ``population % per_community`` points
        get one more); every other table unchanged.
    """
    d = as_district(district)
    k = int(per_community)
    if k != per_community or k < 1:
        raise InputError(
            f"per_community must be a positive integer, got {per_community!r}",
            field="per_community",
        )
    if not np.isfinite(jitter_m) or jitter_m < 0:
        raise InputError(
            f"jitter_m must be a finite distance >= 0 (metres), got {jitter_m!r}", field="jitter_m"
        )
    if k == 1:
        return d
    c = d.communities
    n = len(c)
    x0, y0 = shapely.get_x(c.geometry.to_numpy()), shapely.get_y(c.geometry.to_numpy())
    xy = np.repeat(np.c_[x0, y0], k, axis=0)
    if jitter_m > 0:
        regions = shapely.intersection(
            community_cells(d).to_numpy(), shapely.buffer(c.geometry.to_numpy(), jitter_m)
        )
        rng = np.random.default_rng(seed)
        for i in range(n):  # one vectorised rejection sampler per community (114)
            xy[i * k : (i + 1) * k] = _inside(regions[i], x0[i], y0[i], jitter_m, k, rng)
    pop = c["population"].to_numpy()
    share = np.repeat(pop // k, k) + (np.tile(np.arange(k), n) < np.repeat(pop % k, k))
    ids = [f"{cid}.{j}" for cid in c.index for j in range(1, k + 1)]
    fine = c.loc[c.index.repeat(k)].copy()
    fine.index = pd.Index(ids, name=c.index.name)
    fine["parent"] = np.repeat(c.index.to_numpy(), k)
    fine["population"] = share.astype(pop.dtype)
    fine = fine.set_geometry(shapely.points(xy), crs=d.crs)
    return dataclasses.replace(d, communities=fine)


def _inside(
    region: shapely.Geometry, x: float, y: float, r: float, k: int, rng: np.random.Generator
) -> np.ndarray:
    """``k`` points uniform in ``region`` (within ``r`` of (x, y)); the centre if it has no area."""
    out = np.empty((0, 2))
    if shapely.area(region) > 0:
        for _ in range(20):
            m = _DRAWS * k
            rad = r * np.sqrt(rng.random(m))
            ang = 2 * np.pi * rng.random(m)
            px, py = x + rad * np.cos(ang), y + rad * np.sin(ang)
            ok = shapely.contains_xy(region, px, py)
            out = np.vstack([out, np.c_[px[ok], py[ok]]])
            if len(out) >= k:
                return out[:k]
    return np.vstack([out, np.tile([x, y], (k - len(out), 1))])[:k]
