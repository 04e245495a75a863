"""Results on maps: GeoDataFrames, static matplotlib maps, interactive folium maps."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pytest
import shapely
from matplotlib.collections import LineCollection

import erlocate
from erlocate.errors import InputError
from erlocate.maps import ResultFrames, explore, plot, to_geodataframes
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


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


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


# ---------------------------------------------------------------------- to_geodataframes
def test_pmedian_frames_hold_the_plan():
    result = solve(erlocate.PMedian(2))
    out = result.to_geodataframes()
    assert isinstance(out, ResultFrames)
    sites, demand, links = out  # unpacks
    assert out.crs == CRS and sites.crs == CRS and demand.crs == CRS and links.crs == CRS

    assert sites.index.name == "site_id" and sites.index.tolist() == ["S1", "S2", "S3"]
    assert list(sites.columns) == ["open", "required", "load", "n_assigned", "kind", "geometry"]
    assert sites["open"].tolist() == [True, False, True]
    assert sites["required"].tolist() == [False, False, False]
    assert sites["load"].tolist() == [490.0, 0.0, 320.0]
    assert sites["n_assigned"].tolist() == [4, 0, 2]
    assert sites["kind"].tolist() == ["school", "clinic", "depot"]

    cost = cost_matrix()
    assert demand.index.name == "demand_id" and demand.index.tolist() == list(DEMAND)
    assert list(demand.columns) == [
        "weight",
        "site_id",
        "cost",
        "share",
        "n_sites",
        "covered",
        "name",
        "population",
        "geometry",
    ]
    assert demand["site_id"].tolist() == ["S1", "S1", "S1", "S1", "S3", "S3"]
    np.testing.assert_allclose(demand["cost"], cost[np.arange(6), [0, 0, 0, 0, 2, 2]])
    assert demand["share"].tolist() == [1.0] * 6
    assert demand["n_sites"].tolist() == [1] * 6
    assert demand["covered"].tolist() == [True] * 6  # assignment model: covered = assigned
    assert demand["weight"].tolist() == WEIGHTS
    assert demand.geometry.equals(frames()[0].geometry.set_axis(demand.index))

    assert list(links.columns) == [
        "demand_id",
        "site_id",
        "cost",
        "share",
        "weight",
        "covered",
        "geometry",
    ]
    assert links["demand_id"].tolist() == list(DEMAND)
    assert links["site_id"].tolist() == ["S1", "S1", "S1", "S1", "S3", "S3"]
    assert (links.geom_type == "LineString").all()
    np.testing.assert_allclose(links.length, links["cost"], rtol=1e-12)
    np.testing.assert_allclose(links.length, demand["cost"].to_numpy(), rtol=1e-12)
    start = shapely.get_point(np.asarray(links.geometry.values), 0)
    assert shapely.equals(start, np.asarray(frames()[0].geometry.values)).all()
    assert links["weight"].tolist() == WEIGHTS


def test_mclp_frames_flag_uncovered_demand():
    result = solve(erlocate.MCLP(1, max_cost=1500))
    sites, demand, links = to_geodataframes(result)
    assert result.open_sites.tolist() == ["S1"]
    assert sites["open"].tolist() == [True, False, False]
    # covering model: every point links to its nearest open site, covered or not
    assert sites["n_assigned"].tolist() == [6, 0, 0]
    assert demand["covered"].tolist() == [True, True, False, False, False, False]
    assert demand["n_covering"].tolist() == [1, 1, 0, 0, 0, 0]
    assert demand["site_id"].tolist() == ["S1"] * 6
    assert links["covered"].tolist() == [True, True, False, False, False, False]
    np.testing.assert_allclose(links.length, cost_matrix()[:, 0], rtol=1e-12)
    np.testing.assert_allclose(links.length, links["cost"], rtol=1e-12)

    two = to_geodataframes(solve(erlocate.MCLP(2, max_cost=1500)))
    assert two.sites["open"].tolist() == [True, False, True]
    assert two.demand["covered"].tolist() == [True, True, False, False, True, True]
    assert two.demand["site_id"].tolist() == ["S1", "S1", "S1", "S1", "S3", "S3"]


def test_split_assignment_keeps_the_main_site_and_a_count():
    # capacities 300 each force D1 (300) to spill 50 to S2 and D5 (200) to spill 20 to S2
    result = solve(erlocate.PMedian(3, capacitated=True), capacities=[300, 300, 300])
    sites, demand, links = result.to_geodataframes()
    assert demand["site_id"].tolist() == ["S1", "S1", "S2", "S2", "S3", "S3"]
    assert demand["n_sites"].tolist() == [2, 1, 1, 1, 2, 1]
    np.testing.assert_allclose(demand["share"], [5 / 6, 1, 1, 1, 0.9, 1])
    cost = cost_matrix()
    np.testing.assert_allclose(demand["cost"], cost[np.arange(6), [0, 0, 1, 1, 2, 2]])
    np.testing.assert_allclose(sites["load"], [300.0, 210.0, 300.0])
    assert sites["n_assigned"].tolist() == [2, 4, 2]
    assert len(links) == 8
    assert sorted(zip(links["demand_id"], links["site_id"], strict=True)) == sorted(
        zip(result.assignment["demand_id"], result.assignment["site_id"], strict=True)
    )
    np.testing.assert_allclose(links.length, links["cost"], rtol=1e-12)
    # the main site is the one with the largest share, as result.assignment says
    a = result.assignment.sort_values("share", ascending=False).drop_duplicates("demand_id")
    assert a.set_index("demand_id")["site_id"].loc[list(DEMAND)].tolist() == (
        demand["site_id"].tolist()
    )


def test_required_sites_and_clashing_attribute_names():
    demand_frame, site_frame = frames()
    site_frame["open"] = ["yes", "no", "maybe"]  # clashes with a computed column
    demand_frame["demand_id"] = [k.lower() for k in DEMAND]  # clashes with the index name
    site_frame["site_id"] = list(SITES)  # the same as the index: dropped
    site_frame["required"] = [False, True, False]  # the same as computed: dropped
    inst = instance(with_frames=False, required=["S2"]).with_frames(demand_frame, site_frame)
    result = erlocate.solve(erlocate.MCLP(2, max_cost=1500), inst, backend="highs")
    sites, demand, _ = result.to_geodataframes()
    assert sites["open"].tolist() == [True, True, False]
    assert sites["required"].tolist() == [False, True, False]
    assert sites["open_input"].tolist() == ["yes", "no", "maybe"]
    assert list(sites.columns) == [
        "open",
        "required",
        "load",
        "n_assigned",
        "kind",
        "geometry",
        "open_input",
    ]
    assert demand["demand_id_input"].tolist() == ["d1", "d2", "d3", "d4", "d5", "d6"]
    assert demand.index.name == "demand_id"
    assert demand["covered"].tolist() == [True, True, True, True, False, False]
    assert demand["site_id"].tolist() == ["S1", "S1", "S2", "S2", "S2", "S2"]


def test_a_result_without_plan_maps_to_closed_sites_and_no_links():
    inst = instance()
    result = Result(
        model=erlocate.MCLP(1, max_cost=1500),
        instance=inst,
        plan=None,
        status="no_solution",
        objective=None,
        bound=None,
        gap=None,
        runtime=0.0,
        build_time=0.0,
        backend="highs",
    )
    sites, demand, links = result.to_geodataframes()
    assert not sites["open"].any() and (sites["n_assigned"] == 0).all()
    assert demand["site_id"].tolist() == [None] * 6
    assert demand["cost"].isna().all() and (demand["share"] == 0).all()
    assert not demand["covered"].any() and (demand["n_sites"] == 0).all()
    assert len(links) == 0 and links.crs == CRS
    ax = result.plot()
    assert "no solution" in ax.get_title()
    assert legend_labels(ax) == ["uncovered demand", "candidate site (not opened)"]


def test_missing_frames_raise_input_error():
    result = erlocate.solve(erlocate.PMedian(2), instance(with_frames=False), backend="highs")
    for call in (result.to_geodataframes, result.plot, result.explore):
        with pytest.raises(InputError, match="from_geodataframes") as err:
            call()
        assert err.value.field == "instance"
        assert "with_frames" in str(err.value)
    half = instance(with_frames=False).with_frames(demand_frame=frames()[0])
    result = erlocate.solve(erlocate.PMedian(2), half, backend="highs")
    with pytest.raises(InputError, match="no site_frame"):
        result.to_geodataframes()


def test_importing_erlocate_loads_no_plotting_library():
    code = (
        "import sys, erlocate; "
        "print(sorted(m for m in ('matplotlib', 'folium', 'erlocate.maps') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------- plot
def test_plot_pmedian_writes_a_png(tmp_path):
    result = solve(erlocate.PMedian(2))
    ax = result.plot()
    path = tmp_path / "pmedian.png"
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 1000
    assert legend_labels(ax) == [
        "assignment",
        "demand (area ∝ weight)",
        "candidate site (not opened)",
        "opened site",
    ]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines.get_segments()) == 6
    # links, demand, closed candidates, opened sites
    assert len(ax.collections) == 4
    assert sorted(t.get_text() for t in ax.texts) == ["S1", "S3"]
    title = ax.get_title()
    assert title.startswith("PMedian: objective 1,038,333 (optimal)")
    assert "2 of 3 sites open" in title


def test_plot_covering_with_roads_units_and_required_site(tmp_path):
    result = solve(erlocate.MCLP(2, max_cost=1500), required=["S2"])
    roads, units = roads_and_units()
    ax = plot(result, roads=roads, units=units, figsize=(6, 5))
    ax.figure.savefig(tmp_path / "mclp.png", dpi=80)
    assert (tmp_path / "mclp.png").stat().st_size > 1000
    assert legend_labels(ax) == [
        "units",
        "roads",
        "coverage link",
        "demand (area ∝ weight)",
        "uncovered demand",
        "candidate site (not opened)",
        "opened site",
        "existing site (kept open)",
    ]
    links = [c for c in ax.collections if isinstance(c, LineCollection)]
    covered_links = [c for c in links if len(c.get_segments()) == 4]  # D1..D4; D5, D6 uncovered
    assert len(covered_links) == 1
    assert "60.5 % of weight covered within 1500" in ax.get_title()
    # units were given in EPSG:4326 and drawn back in metres
    x0, x1 = ax.get_xlim()
    assert 497000 < x0 < 499000 and 513000 < x1 < 515000


def test_plot_on_given_axes_without_links_or_title():
    result = solve(erlocate.PMedian(2))
    _, ax = plt.subplots()
    out = result.plot(ax=ax, show_links=False, title="")
    assert out is ax and ax.get_title() == ""
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]
    assert "assignment" not in legend_labels(ax)


def test_plot_geographic_crs_corrects_the_aspect():
    demand_frame, site_frame = frames()
    inst = instance(with_frames=False).with_frames(
        demand_frame.to_crs(4326), site_frame.to_crs(4326)
    )
    ax = erlocate.solve(erlocate.PMedian(2), inst, backend="highs").plot()
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.deg2rad(22.6)), rel=1e-2)


# ---------------------------------------------------------------------- explore
def test_explore_writes_html_with_sites_and_layers(tmp_path):
    folium = pytest.importorskip("folium")
    result = solve(erlocate.MCLP(2, max_cost=1500), required=["S2"])
    roads, units = roads_and_units()
    path = tmp_path / "map.html"
    fmap = result.explore(path, roads=roads, units=units)
    assert isinstance(fmap, folium.Map)
    html = path.read_text(encoding="utf-8")
    for site in SITES:
        assert site in html
    for text in ("school", "clinic", "village D5", "L.control.layers", "uncovered demand"):
        assert text in html
    layers = [c.layer_name for c in fmap._children.values() if hasattr(c, "layer_name")]
    for name in ("units", "roads", "assignment links", "demand", "open sites"):
        assert name in layers
    # coordinates in degrees: the open site S1 near 111°E, 22.6°N
    assert "22.6" in html and "111.0" in html


def test_explore_without_path_returns_the_map_and_needs_a_crs(tmp_path):
    pytest.importorskip("folium")
    result = solve(erlocate.PMedian(2))
    fmap = explore(result)
    assert "S3" in fmap.get_root().render()
    demand_frame, site_frame = frames()
    inst = instance(with_frames=False).with_frames(
        demand_frame.set_crs(None, allow_override=True),
        site_frame.set_crs(None, allow_override=True),
    )
    bare = erlocate.solve(erlocate.PMedian(2), inst, backend="highs")
    with pytest.raises(InputError, match="no CRS"):
        bare.explore(tmp_path / "x.html")
    assert not (tmp_path / "x.html").exists()


def test_explore_without_folium_says_how_to_install(monkeypatch):
    result = solve(erlocate.PMedian(2))
    monkeypatch.setitem(sys.modules, "folium", None)
    with pytest.raises(ImportError, match=r"pip install erlocate\[maps\]"):
        result.explore()
