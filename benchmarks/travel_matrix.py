"""Road-network travel-time matrix speed: build, snap + Dijkstra, with and without a cut-off.

    python benchmarks/travel_matrix.py [--size 100] [--demand 1000] [--sites 300] [--repeats 3]

A jittered ``size × size`` street grid (100 m blocks, one LineString per block
face, about 20,000 road segments at the default size; 10 % one-way, speeds
drawn from 20–60 km/h) with random demand points and sites. Prints a Markdown
table of the median wall-clock seconds over the repeats. Target: the full
1,000 × 300 matrix (snap + Dijkstra) under 2 s on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import scipy
import shapely

from erlocate.geo import RoadNetwork
from erlocate.machine import describe

CRS = "EPSG:32649"  # UTM 49N (Zhengzhou)
BLOCK = 100.0


def grid_roads(size: int, seed: int) -> gpd.GeoDataFrame:
    """Block faces of a jittered ``size × size`` grid as LineStrings with speed and one-way."""
    rng = np.random.default_rng(seed)
    xy = np.stack(np.meshgrid(np.arange(size), np.arange(size), indexing="ij"), axis=-1) * BLOCK
    xy = xy + rng.uniform(-20, 20, xy.shape)
    horizontal = np.stack([xy[:-1, :], xy[1:, :]], axis=2).reshape(-1, 2, 2)
    vertical = np.stack([xy[:, :-1], xy[:, 1:]], axis=2).reshape(-1, 2, 2)
    ends = np.concatenate([horizontal, vertical])
    k = len(ends)
    return gpd.GeoDataFrame(
        {
            "speed": rng.choice([20.0, 30.0, 40.0, 60.0], k),
            "oneway": rng.random(k) < 0.10,
        },
        geometry=shapely.linestrings(ends),
        crs=CRS,
    )


def random_points(n: int, size: int, seed: int) -> gpd.GeoSeries:
    rng = np.random.default_rng(seed)
    extent = (size - 1) * BLOCK
    return gpd.GeoSeries(shapely.points(rng.uniform(0, extent, (n, 2))), crs=CRS)


def timed(
    fn: Callable[[], Any], repeats: int, setup: Callable[[], Any] | None = None
) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--demand", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    roads = grid_roads(args.size, seed=0)
    demand = random_points(args.demand, args.size, seed=1)
    sites = random_points(args.sites, args.size, seed=2)

    t_build, net = timed(
        lambda: RoadNetwork.from_geodataframe(roads, speed_column="speed", oneway_column="oneway"),
        args.repeats,
    )
    rows = [
        ("RoadNetwork.from_geodataframe", t_build, f"{net.n_nodes:,} nodes, {net.n_edges:,} arcs")
    ]
    for label, cut in (("travel_times, full", None), ("travel_times, cut-off 5 min", 5.0)):
        for direction in ("from_sites", "to_sites"):
            seconds, matrix = timed(
                lambda cut=cut, direction=direction: net.travel_times(
                    demand, sites, max_minutes=cut, direction=direction
                ),
                args.repeats,
                setup=lambda: net.__dict__.pop("_tree", None),  # time the STRtree build too
            )
            rows.append((f"{label} ({direction})", seconds, f"{matrix.nnz:,} pairs"))

    print(describe())
    print(f"# scipy {scipy.__version__}, shapely {shapely.__version__}, numpy {np.__version__}")
    print(
        f"\n{len(roads):,} road segments, {args.demand:,} demand points × {args.sites:,} sites, "
        f"median of {args.repeats}\n"
    )
    print("| step | seconds | size |")
    print("|---|---:|---|")
    for label, seconds, size in rows:
        print(f"| {label} | {seconds:.3f} | {size} |")


if __name__ == "__main__":
    main()
