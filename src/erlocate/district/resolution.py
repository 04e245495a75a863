"""Finer demand for the district: buildings, a population grid, or k points per community.

Analysts hold demand as buildings or a population grid, not as 114 community
points. Each of these resolutions turns the communities into demand points that
share each community's population exactly (integers, largest remainders) and
keep its other attributes (hazard flags, risk, unit) and its id as ``parent``:

* :class:`Grid` — square cells of ``cell_m`` metres cut by the communities'
  Voronoi cells within their unit (:func:`~erlocate.district.inputs.community_cells`),
  one point per piece (inside it), people in proportion to its area;
* :class:`Buildings` — your building footprints or points, each in the cell it
  lies in, people in proportion to a weight (floor area, dwellings; default the
  footprint area, or 1 per point);
* :class:`Points` — ``per_community`` random points within ``jitter_m`` of the
  community point (:func:`refine`; the benchmarks' synthetic buildings).

The case builders take one as ``resolution`` (``fire_station_case(resolution=Grid(250))``);
travel times snap each point to the road network as they do the communities.
Team zones stay the administrative units and communities.

>>> from erlocate.district.resolution import Grid, at_resolution, refine
>>> fine = refine(per_community=4)
>>> len(fine.communities), int(fine.communities["population"].sum())
(456, 140000)
>>> grid = at_resolution(None, Grid(500)).communities
>>> int(grid["population"].sum()), grid["parent"].nunique()
(140000, 114)
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from erlocate.datasets import District
from erlocate.district.inputs import as_district, community_cells
from erlocate.errors import InputError

__all__ = [
    "JITTER_M",
    "Buildings",
    "Grid",
    "Points",
    "Resolution",
    "at_resolution",
    "communities_of",
    "parse",
    "refine",
]

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
    _distance(jitter_m, "jitter_m", strict=False)
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
    fine["parent_x"], fine["parent_y"] = np.repeat(x0, k), np.repeat(y0, k)
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


@dataclass(frozen=True)
class Points:
    """``per_community`` random demand points per community (:func:`refine`)."""

    per_community: int
    jitter_m: float = JITTER_M
    seed: int = 0

    def __post_init__(self) -> None:
        k = self.per_community
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InputError(
                f"per_community must be a positive integer, got {k!r}", field="per_community"
            )
        _distance(self.jitter_m, "jitter_m", strict=False)


@dataclass(frozen=True)
class Grid:
    """A population grid of square cells of ``cell_m`` metres (see the module docstring).

    People live near roads: a piece whose point is farther than ``road_m`` from
    every road gets nobody (its community's people go to its other pieces; a
    community with no piece that near keeps its people on all of them, and the
    travel-time builder then names the points it cannot snap).
    """

    cell_m: float
    road_m: float = 400.0

    def __post_init__(self) -> None:
        _distance(self.cell_m, "cell_m", strict=True)
        _distance(self.road_m, "road_m", strict=True)


@dataclass(frozen=True, eq=False)
class Buildings:
    """Your buildings as demand points: ``frame`` (polygons or points, any CRS) and the
    ``weight`` column that shares each community's people (default footprint area, or 1
    per point)."""

    frame: gpd.GeoDataFrame
    weight: str | None = None

    def __post_init__(self) -> None:
        f = self.frame
        if not isinstance(f, gpd.GeoDataFrame) or f.crs is None or len(f) == 0:
            raise InputError(
                "buildings: a non-empty GeoDataFrame with a CRS (e.g. from pyrosm or a shapefile)",
                field="buildings",
            )
        if f.geometry.isna().any() or f.geometry.is_empty.any():
            raise InputError(
                f"buildings: {int((f.geometry.isna() | f.geometry.is_empty).sum())} rows without "
                "geometry; drop them first",
                field="buildings",
            )
        if self.weight is not None:
            if self.weight not in f.columns:
                raise InputError(
                    f"buildings: no column {self.weight!r} (columns {list(f.columns)[:8]})",
                    field="weight",
                )
            w = pd.to_numeric(f[self.weight], errors="coerce").to_numpy(float)
            if not np.all(np.isfinite(w)) or (w < 0).any():
                raise InputError(
                    f"buildings: {self.weight!r} must be finite numbers >= 0",
                    field="weight",
                )


Resolution = str | Points | Grid | Buildings


_SPELLING = "use communities, grid:<cell metres> (grid:250) or points:<per community> (points:16)"


def parse(text: str) -> Resolution:
    """``"communities"``, ``"grid:<metres>"`` or ``"points:<k>"`` (the CLI's spelling)."""
    kind, _, value = str(text).partition(":")
    try:
        if kind == "communities" and not value:
            return "communities"
        if kind == "grid":
            return Grid(float(value))
        if kind == "points":
            return Points(int(value))
    except (ValueError, InputError) as exc:
        why = f" ({exc})" if isinstance(exc, InputError) else ""
        raise InputError(f"resolution: {text!r}{why}; {_SPELLING}", field="resolution") from None
    raise InputError(f"resolution: {text!r}; {_SPELLING}", field="resolution")


def at_resolution(district: District | None, resolution: Resolution) -> District:
    """The district with its communities replaced by the demand points of ``resolution``."""
    d = as_district(district)
    if isinstance(resolution, str):
        resolution = parse(resolution)
    if isinstance(resolution, str):
        return d
    if isinstance(resolution, Points):
        return refine(
            d,
            per_community=int(resolution.per_community),
            jitter_m=resolution.jitter_m,
            seed=resolution.seed,
        )
    if isinstance(resolution, Grid):
        return _grid(d, float(resolution.cell_m), float(resolution.road_m))
    if isinstance(resolution, Buildings):
        return _buildings(d, resolution)
    raise InputError(
        f"resolution: 'communities', Grid, Buildings or Points, got {type(resolution).__name__}",
        field="resolution",
    )


def communities_of(district: District | None = None) -> District:
    """The district with its administrative communities back (from any resolution).

    Demand points of a finer resolution carry their community as ``parent`` and
    its point as ``parent_x``/``parent_y``; the team model's zones are the
    communities themselves, so its builder starts from this.
    """
    d = as_district(district)
    c = d.communities
    if "parent" not in c.columns:
        return d
    first = c.groupby("parent", sort=False).head(1).set_index("parent")
    first.index.name = c.index.name
    first["population"] = c.groupby("parent", sort=False)["population"].sum()
    first = first.drop(columns=["parent_x", "parent_y"]).set_geometry(
        shapely.points(
            c.groupby("parent", sort=False)[["parent_x", "parent_y"]].first().to_numpy()
        ),
        crs=d.crs,
    )
    return dataclasses.replace(d, communities=first)


def _distance(value: Any, name: str, strict: bool) -> None:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value < 0 or (strict and value == 0):
        raise InputError(
            f"{name} must be a finite distance {'>' if strict else '>='} 0 (metres), got {value!r}",
            field=name,
        )


def _grid(d: District, cell: float, road_m: float) -> District:
    """Pieces of grid cells within the community cells, people by area (near roads)."""
    cells = community_cells(d).to_numpy()
    x0, y0, x1, y1 = shapely.total_bounds(cells)
    gx, gy = np.meshgrid(np.arange(x0, x1, cell), np.arange(y0, y1, cell))
    squares = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
    sq, cm = shapely.STRtree(cells).query(squares, predicate="intersects")
    pieces = shapely.intersection(squares[sq], cells[cm])
    area = shapely.area(pieces)
    keep = area > 0
    sq, cm, pieces, area = sq[keep], cm[keep], pieces[keep], area[keep]
    order = np.lexsort((sq, cm))
    sq, cm, pieces, area = sq[order], cm[order], pieces[order], area[order]
    pts = shapely.point_on_surface(pieces)
    near_i, _ = shapely.STRtree(d.roads.geometry.to_numpy()).query(
        pts, predicate="dwithin", distance=road_m
    )
    near = np.zeros(pts.size, dtype=bool)
    near[near_i] = True
    # a community with no piece near a road keeps its people on all of its pieces
    has_near = np.bincount(cm, weights=near, minlength=len(cells)) > 0
    weight = np.where(near | ~has_near[cm], area, 0.0)
    return _split(d, cm, pts, weight, [f"g{q}" for q in sq])


def _buildings(d: District, b: Buildings) -> District:
    """Each building in the community cell it lies in, people by weight."""
    f = b.frame.to_crs(d.crs)
    pts = shapely.point_on_surface(f.geometry.to_numpy())
    cells = community_cells(d).to_numpy()
    bi, cm = shapely.STRtree(cells).query(pts, predicate="intersects")
    first = np.unique(bi, return_index=True)[1]  # on a shared border: the first cell
    bi, cm = bi[first], cm[first]
    outside = np.setdiff1d(np.arange(len(f)), bi)
    if outside.size:
        raise InputError(
            f"buildings: {outside.size} of {len(f)} lie outside the district (e.g. "
            f"{list(f.index[outside[:5]])}); clip them to the district's units first",
            field="buildings",
        )
    if b.weight is not None:
        w = pd.to_numeric(f[b.weight]).to_numpy(float)
    elif (shapely.get_type_id(f.geometry.to_numpy()) == 0).all():
        w = np.ones(len(f))
    else:
        w = shapely.area(f.geometry.to_numpy())
    w, where = w[bi], pts[bi]
    empty = np.setdiff1d(np.arange(len(cells)), cm[w > 0])
    if empty.size:  # nobody disappears: such a community stays one point
        warnings.warn(
            f"{empty.size} communities have no building with a positive weight "
            f"(e.g. {list(d.communities.index[empty[:5]])}); each stays one demand point",
            UserWarning,
            stacklevel=3,
        )
        cm, bi = np.r_[cm, empty], np.r_[bi, np.full(empty.size, -1)]
        w = np.r_[w, np.ones(empty.size)]
        where = np.r_[where, d.communities.geometry.to_numpy()[empty]]
    order = np.argsort(cm, kind="stable")
    labels = [f"b{f.index[i]}" if i >= 0 else "c" for i in bi]
    return _split(d, cm[order], where[order], w[order], [labels[i] for i in order])


def _split(
    d: District, parent: np.ndarray, points: np.ndarray, weight: np.ndarray, tags: list[str]
) -> District:
    """Demand points ``points`` of the communities at positions ``parent`` (sorted), each
    community's population shared by ``weight`` in integers (largest remainders)."""
    c = d.communities
    pop = c["population"].to_numpy()
    tot = np.bincount(parent, weights=weight, minlength=len(c))
    share = pop[parent] * weight / tot[parent]
    base = np.floor(share).astype(np.int64)
    left = pop - np.bincount(parent, weights=base, minlength=len(c)).astype(np.int64)
    # largest remainders first within each community
    order = np.lexsort((-(share - base), parent))
    rank = np.empty(parent.size, dtype=np.int64)
    starts = np.searchsorted(parent[order], np.arange(len(c)))
    rank[order] = np.arange(parent.size) - starts[parent[order]]
    people = base + (rank < left[parent])
    keep = people > 0  # a piece with nobody in it is no demand point
    ids = c.index.to_numpy()
    fine = c.iloc[parent[keep]].copy()
    fine.index = pd.Index(
        [
            f"{ids[p]}.{t}"
            for p, t in zip(parent[keep], np.asarray(tags, dtype=object)[keep], strict=True)
        ],
        name=c.index.name,
    )
    fine["parent"] = ids[parent[keep]]
    xy = shapely.get_coordinates(c.geometry.to_numpy())[parent[keep]]
    fine["parent_x"], fine["parent_y"] = xy[:, 0], xy[:, 1]
    fine["population"] = people[keep].astype(pop.dtype)
    fine = fine.set_geometry(points[keep], crs=d.crs)
    return dataclasses.replace(d, communities=fine)
