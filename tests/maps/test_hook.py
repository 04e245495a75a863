"""The ``layers=`` hook: both renderers draw extra (model-specific) layers from layer functions."""

from __future__ import annotations

import geopandas as gpd
import matplotlib.pyplot as plt
import pytest
import shapely

import erlocate
from erlocate.errors import InputError
from erlocate.maps import explore, plot
from erlocate.maps.base import Layer, MapData
from erlocate.maps.layers import BACKGROUND_LAYERS, PLAN_LAYERS
from tests.maps.conftest import CRS, SITES, legend_labels, roads_and_units, solve

SERVICE = "#2b8cbe"


def service_areas(data: MapData) -> list[Layer]:
    """1.5 km around each open site."""
    sites = data.frames.sites[data.frames.sites["open"]]
    return [
        Layer(
            name="service areas",
            kind="areas",
            geometry=sites.geometry.buffer(1500),
            colour=SERVICE,
            edge=SERVICE,
            alpha=0.3,
            legend="within 1.5 km",
            zorder=0.5,
        )
    ]


def notes(data: MapData) -> list[Layer]:
    """A note at S2 and an arrow S1 → S3: text and arrows."""
    s1, s2, s3 = (SITES[k] for k in ("S1", "S2", "S3"))
    return [
        Layer(
            name="notes",
            kind="text",
            geometry=gpd.GeoSeries(shapely.points([s2]), crs=data.frames.crs),
            text=["planned clinic"],
            size=8.0,
        ),
        Layer(
            name="moves",
            kind="arrows",
            geometry=gpd.GeoSeries([shapely.LineString([s1, s3])], crs=data.frames.crs),
            colour="#d62728",
            width=1.8,
            legend="move",
        ),
    ]


def test_plot_draws_extra_layers_after_the_plan():
    result = solve(erlocate.PMedian(2))
    seen = []

    def spy(data: MapData) -> list[Layer]:
        seen.append(data)
        return service_areas(data)

    ax = plot(result, layers=(*PLAN_LAYERS, spy, notes))
    assert len(seen) == 1 and seen[0].result is result and seen[0].frames.crs == CRS
    assert legend_labels(ax) == [
        "assignment",
        "demand (area ∝ weight)",
        "candidate site (not opened)",
        "opened site",
        "within 1.5 km",
        "move",
    ]
    assert len(ax.collections) == 5  # the four of the plan and the two service areas
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["", "S1", "S3", "planned clinic"]  # "" is the arrow


def test_plot_layers_replace_the_plan_layers():
    result = solve(erlocate.PMedian(2))
    roads, units = roads_and_units()
    ax = plot(result, roads=roads, units=units, layers=(*BACKGROUND_LAYERS, service_areas))
    assert legend_labels(ax) == ["units", "roads", "within 1.5 km"]
    assert not ax.texts
    ax = plot(result, layers=())
    assert ax.get_legend() is None and not ax.collections
    assert ax.get_title().startswith("PMedian: objective")


def test_plot_rejects_bad_layers_before_making_a_figure():
    result = solve(erlocate.PMedian(2))
    plt.close("all")
    for bad in ("units", [print, 3], [lambda data: "a layer"]):
        with pytest.raises(InputError) as err:
            plot(result, layers=bad)
        assert err.value.field == "layers"
    assert plt.get_fignums() == []


def test_explore_draws_extra_layers_and_skips_static_only_ones(tmp_path):
    pytest.importorskip("folium")
    result = solve(erlocate.PMedian(2))
    fmap = explore(result, tmp_path / "map.html", layers=(*PLAN_LAYERS, service_areas, notes))
    names = [c.layer_name for c in fmap._children.values() if hasattr(c, "layer_name")]
    assert names == [
        "openstreetmap",
        "assignment links",
        "demand",
        "candidate sites (not opened)",
        "open sites",
        "service areas",
        "notes",
        "moves",
    ]  # no "site labels": the markers show the ids on hover
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "planned clinic" in html and SERVICE in html


def test_explore_needs_a_crs_on_extra_layers():
    pytest.importorskip("folium")

    def bare(data: MapData) -> Layer:
        return Layer(name="bare", kind="points", geometry=gpd.GeoSeries(shapely.points([(0, 0)])))

    with pytest.raises(InputError, match="'bare' has no CRS") as err:
        explore(solve(erlocate.PMedian(2)), layers=(bare,))
    assert err.value.field == "layers"
