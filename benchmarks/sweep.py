"""A 200-scenario sweep on the district: serially, on 2 local processes, on a 2-worker Dask cluster.

    python benchmarks/sweep.py [--closures 20] [--p 1 2 3 4 5 6 7 8 9 10]

Scenarios: MCLP (4 driving minutes, the existing station required) on the embedded
district's communities and fire-station sites, p = 1..10, times 20 road states: the
normal roads, the flood (roads touching a flood zone closed) and 18 seeded
"earthquakes" (3 collapse circles of 150-400 m radius each, roads touching them
closed). Each scenario builds its instance from the road network
(``RoadNetwork.disrupt`` + network travel times, about 20 ms) and solves it.
The shared inputs (network, communities, stations, closure polygons) are passed
as ``shared=`` (scattered once on Dask); results go to a Parquet file.

Prints the machine and its load, then a table: wall time, the time inside the
tasks (builder + solve), and the per-task overhead = (wall x workers - time
inside tasks) / tasks, the time a worker spends per task outside it (transport,
scheduling, writing the results). Then the Dask path's overhead with trivial tasks
(a 2 x 2 instance) after the shared inputs are scattered, with batch size 1 and 10.
Worker start-up (processes, ``import erlocate``) is timed apart: a warm-up sweep.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

import erlocate
from erlocate.datasets import load_district
from erlocate.district.inputs import district_instance, flood_zones, road_network
from erlocate.machine import describe


def closures(d, n: int) -> dict[str, gpd.GeoSeries]:
    """``n`` road states: none, the flood, and seeded earthquakes of 3 collapse circles."""
    crs = d.roads.crs
    out = {"none": gpd.GeoSeries([], crs=crs), "flood": flood_zones(d).geometry}
    x0, y0, x1, y1 = d.communities.total_bounds
    rng = np.random.default_rng(16)
    for k in range(n - 2):
        xy = rng.uniform([x0, y0], [x1, y1], (3, 2))
        radius = rng.uniform(150, 400, 3)
        out[f"quake{k:02d}"] = gpd.GeoSeries(shapely.buffer(shapely.points(xy), radius), crs=crs)
    return out


def build(p, closure, network, communities, stations, polygons):
    """MCLP(p, 4 min) on the district with the roads of ``closure`` closed."""
    net = network if closure == "none" else network.disrupt(polygons[closure])
    inst = district_instance(communities, stations, net, max_cost=15.0, name=closure)
    return erlocate.MCLP(p=p, max_cost=4.0), inst


TINY = erlocate.Instance.from_matrix(np.array([[1.0, 2.0], [2.0, 1.0]]))


def build_trivial(i, network):
    """A 2 x 2 instance (the network must have arrived: it is only looked at)."""
    assert network.n_nodes > 0
    return erlocate.MCLP(p=1, max_cost=1.5), TINY


def coverage(result):
    return {"coverage": result.coverage_share}


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def timed(label, workers, call):
    start = time.perf_counter()
    table = call()
    wall = time.perf_counter() - start
    inside = float(table["total_s"].sum())
    failed = int(table["error_type"].notna().sum())
    over = (wall * workers - inside) / len(table)
    print(
        f"| {label} | {len(table)} | {failed} | {wall:.2f} | {inside:.2f} | "
        f"{table['solve_s'].sum():.2f} | {1000 * over:.1f} |",
        flush=True,
    )
    return table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--closures", type=int, default=20)
    ap.add_argument("--p", type=int, nargs="+", default=list(range(1, 11)))
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)

    from distributed import Client, LocalCluster

    print(describe())
    print("# load:", uptime())
    d = load_district()
    polygons = closures(d, args.closures)
    shared = {
        "network": road_network(d),
        "communities": d.communities,
        "stations": d.fire_stations,
        "polygons": polygons,
    }
    scenarios = {"p": args.p, "closure": list(polygons)}
    n = len(args.p) * len(polygons)
    print(f"# {n} scenarios: p = {args.p[0]}..{args.p[-1]} x {len(polygons)} road states\n")
    tmp = Path(tempfile.mkdtemp(prefix="erlocate-sweep-"))

    def run(name, **kw):
        return erlocate.sweep(
            build, scenarios, shared=shared, extract=coverage, path=tmp / f"{name}.parquet", **kw
        )

    print("| run | tasks | failed | wall s | inside tasks s | in solve s | overhead ms/task |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    serial = timed("serial", 1, lambda: run("serial"))
    start = time.perf_counter()
    erlocate.sweep(
        build_trivial, {"i": [0, 1, 2, 3]}, shared={"network": shared["network"]}, n_jobs=2
    )
    joblib_start = time.perf_counter() - start
    local = timed("joblib, 2 processes", 2, lambda: run("joblib", n_jobs=2))
    start = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    client.run(__import__, "erlocate.workflow.tasks")
    dask_start = time.perf_counter() - start
    dask = timed("Dask LocalCluster, 2 workers", 2, lambda: run("dask", client=client))
    trivial = {"i": list(range(200))}
    net = {"network": shared["network"]}
    for size in (1, 10):
        timed(
            f"Dask, trivial tasks, batch {size}",
            2,
            lambda size=size: erlocate.sweep(
                build_trivial, trivial, shared=net, client=client, batch_size=size
            ),
        )
    timed("serial, trivial tasks", 1, lambda: erlocate.sweep(build_trivial, trivial, shared=net))
    client.close()
    cluster.close()

    same = ["p", "closure", "status", "objective", "open_sites"]
    for name, table in (("joblib", local), ("dask", dask)):
        assert table[same].equals(serial[same]), f"{name} differs from the serial run"
    print(
        f"\nstart-up: joblib processes + imports {joblib_start:.1f} s (a 4-task warm-up sweep), "
        f"LocalCluster + imports {dask_start:.1f} s"
    )
    print("tables identical (status, objective, open sites): serial = joblib = Dask")
    best = serial.pivot_table(index="closure", columns="p", values="coverage").round(3)
    print("\ncoverage share by road state (rows) and p (columns):\n")
    print(best.iloc[:6].to_string())
    print("# load after:", uptime())
    print(
        f"# results in {tmp} ({sum(f.stat().st_size for f in tmp.iterdir())} bytes); "
        f"pid {os.getpid()}"
    )


if __name__ == "__main__":
    main()
