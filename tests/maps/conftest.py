"""A six-village, three-site instance in UTM 49N for the map tests, and its helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pytest
import shapely

import erlocate
from erlocate.result import Result

CRS = "EPSG:32649"  # UTM 49N (metres)
SITES = {"S1": (500000, 2500000), "S2": (503000, 2500000), "S3": (510000, 2504000)}
DEMAND = {
    "D1": (500500, 2500200),
    "D2": (499600, 2499500),
    "D3": (503400, 2500300),
    "D4": (502800, 2499000),
    "D5": (509000, 2504500),
    "D6": (511000, 2503000),
}
WEIGHTS = [300.0, 50.0, 80.0, 60.0, 200.0, 120.0]
# Rounded distances (m):   S1     S2     S3
#                     D1   539   2508  10232
#                     D2   640   3437  11332
#                     D3  3413    500   7566
#                     D4  2973   1020   8766
#                     D5 10062   7500   1118
#                     D6 11402   8544   1414


def frames() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    demand = gpd.GeoDataFrame(
        {"name": [f"village {k}" for k in DEMAND], "population": WEIGHTS},
        geometry=shapely.points(np.array(list(DEMAND.values()), dtype=float)),
        index=list(DEMAND),
        crs=CRS,
    )
    sites = gpd.GeoDataFrame(
        {"kind": ["school", "clinic", "depot"]},
        geometry=shapely.points(np.array(list(SITES.values()), dtype=float)),
        index=list(SITES),
        crs=CRS,
    )
    return demand, sites


def cost_matrix() -> np.ndarray:
    d = np.array(list(DEMAND.values()), dtype=float)
    s = np.array(list(SITES.values()), dtype=float)
    return np.hypot(d[:, None, 0] - s[None, :, 0], d[:, None, 1] - s[None, :, 1])


def instance(*, with_frames: bool = True, **kwargs) -> erlocate.Instance:
    inst = erlocate.Instance.from_matrix(
        cost_matrix(), weights=WEIGHTS, demand_ids=list(DEMAND), site_ids=list(SITES), **kwargs
    )
    return inst.with_frames(*frames()) if with_frames else inst


def solve(model: erlocate.Model, **kwargs) -> Result:
    return erlocate.solve(model, instance(**kwargs), backend="highs")


def no_solution(model: erlocate.Model) -> Result:
    """A result without a plan, on the instance with frames."""
    return Result(
        model=model,
        instance=instance(),
        plan=None,
        status="no_solution",
        objective=None,
        bound=None,
        gap=None,
        runtime=0.0,
        build_time=0.0,
        backend="highs",
    )


def roads_and_units() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    roads = gpd.GeoDataFrame(
        geometry=[
            shapely.LineString([(498500, 2500000), (506000, 2501000), (513000, 2504200)]),
            shapely.LineString([(503000, 2498000), (503500, 2506000)]),
        ],
        crs=CRS,
    )
    units = gpd.GeoDataFrame(
        {"name": ["west", "east"]},
        geometry=[
            shapely.box(498500, 2498000, 505500, 2506000),
            shapely.box(505500, 2498000, 513000, 2506000),
        ],
        crs=CRS,
    ).to_crs(4326)  # reprojected back to the result's CRS by plot
    return roads, units


def legend_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
