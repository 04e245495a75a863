"""The shared layer functions, on the six-village instance: which features, colours, sizes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import erlocate
from erlocate.errors import InputError
from erlocate.maps import layers as L
from erlocate.maps.base import Layer, MapData, collect_layers, map_data
from erlocate.maps.popups import demand_info, site_info
from erlocate.maps.style import (
    CLOSED,
    LEGEND_GREY,
    PALETTE,
    UNCOVERED,
    fmt,
    marker_areas,
    num,
    site_colours,
    typical_area,
)
from tests.maps.conftest import CRS, DEMAND, SITES, WEIGHTS, no_solution, roads_and_units, solve

BLUE, ORANGE = PALETTE[0], PALETTE[1]


def xy(layer: Layer) -> list[tuple[float, float]]:
    return [tuple(p) for p in shapely.get_coordinates(np.asarray(layer.geometry.values))]


@pytest.fixture(scope="module")
def pmedian() -> MapData:
    # PMedian(2) opens S1 (D1..D4) and S3 (D5, D6)
    return map_data(solve(erlocate.PMedian(2)))


@pytest.fixture(scope="module")
def mclp_required() -> MapData:
    # S2 required; MCLP(2, 1500) opens S1 and S2: D1..D4 covered, D5 and D6 not
    return map_data(solve(erlocate.MCLP(2, max_cost=1500), required=["S2"]))


# ---------------------------------------------------------------------- style
def test_site_colours_cycle_the_palette_over_open_sites_and_grey_the_rest():
    colours = site_colours(np.array([True, False, True]))
    assert colours.tolist() == [BLUE, CLOSED, ORANGE]
    many = site_colours(np.ones(18, dtype=bool))
    assert many[16] == PALETTE[0] and many[17] == PALETTE[1]
    assert UNCOVERED not in PALETTE and CLOSED not in PALETTE


def test_marker_areas_scale_with_the_95th_percentile_and_are_clipped():
    w = np.array(WEIGHTS)
    ref = np.quantile(w, 0.95)  # 275
    assert ref == pytest.approx(275.0)
    np.testing.assert_allclose(marker_areas(w, 120.0), 120.0 * w / 275.0)
    outlier = np.array([0.0] + [1.0] * 19 + [1000.0])  # 95th percentile 50.95
    np.testing.assert_allclose(marker_areas(outlier, 100.0)[[0, 1, -1]], [10, 10, 200])
    assert typical_area(6) == 120.0 and typical_area(1000) == 18.0 and typical_area(100) == 40.0


def test_number_formatting():
    assert num(1038333.4) == "1,038,333" and num(12.5) == "12.5" and num(2e15) == "2e+15"
    assert fmt(None) == "—" and fmt(float("nan")) == "—" and fmt(np.bool_(True)) == "yes"
    assert fmt(1234567) == "1,234,567" and fmt(0.123456789) == "0.123457" and fmt("x") == "x"


# ---------------------------------------------------------------------- plan layers
def test_map_data_colours_the_open_sites(pmedian):
    assert pmedian.site_colours.to_dict() == {"S1": BLUE, "S2": CLOSED, "S3": ORANGE}
    assert pmedian.typical_area == 120.0  # 4000 / 6 points, capped
    assert pmedian.roads is None and pmedian.units is None


def test_links_layer_one_line_per_allocation_in_the_site_colour(pmedian):
    (links,) = L.links_layer(pmedian)
    assert links.kind == "lines" and links.name == "assignment links"
    assert len(links) == 6
    assert links.colours().tolist() == [BLUE] * 4 + [ORANGE] * 2
    assert not links.dashes().any()
    assert links.legend == "assignment" and links.swatch() == "#666666"
    assert links.info["site_id"].tolist() == ["S1"] * 4 + ["S3"] * 2
    assert list(links.info_labels) == ["demand", "site", "cost", "share"] and links.info_on_hover
    np.testing.assert_allclose(links.geometry.length, links.info["cost"], rtol=1e-12)


def test_links_layer_of_a_covering_model_leaves_out_or_dashes_uncovered_links():
    result = solve(erlocate.MCLP(1, max_cost=1500))  # S1 open: D1, D2 covered
    (static,) = L.links_layer(map_data(result))
    assert len(static) == 2 and static.legend == "coverage link"
    (web,) = L.links_layer(map_data(result, uncovered_links=True))
    assert len(web) == 6
    assert web.dashes().tolist() == [False, False, True, True, True, True]
    assert collect_layers(map_data(result, show_links=False), [L.links_layer]) == []


def test_demand_layer_sizes_and_colours(pmedian):
    (demand,) = L.demand_layer(pmedian)
    assert demand.kind == "points" and demand.marker == "circle" and len(demand) == 6
    assert demand.colours().tolist() == [BLUE] * 4 + [ORANGE] * 2
    np.testing.assert_allclose(demand.sizes(), 120.0 * np.array(WEIGHTS) / 275.0)
    assert demand.edge == "white" and demand.width == 0.6 and demand.swatch() == LEGEND_GREY
    assert xy(demand) == [tuple(map(float, p)) for p in DEMAND.values()]
    assert demand.info["demand_id"].tolist() == list(DEMAND)
    assert list(demand.info_labels) == [
        "demand",
        "weight",
        "assigned site",
        "cost",
        "covered",
        "name",
        "population",
    ]
    assert L.uncovered_layer(pmedian)[0].geometry.empty  # everyone assigned


def test_uncovered_layer_red_crosses_at_least_16_square_points(mclp_required):
    (uncovered,) = L.uncovered_layer(mclp_required)
    assert uncovered.name == uncovered.legend == "uncovered demand"
    assert uncovered.marker == "cross" and uncovered.colours().tolist() == [UNCOVERED] * 2
    assert uncovered.info["demand_id"].tolist() == ["D5", "D6"]
    areas = marker_areas(np.array(WEIGHTS), 120.0)[4:]
    np.testing.assert_allclose(uncovered.sizes(), np.maximum(areas, 16.0))
    assert "n_covering" in uncovered.info.columns
    (demand,) = L.demand_layer(mclp_required)
    assert demand.info["demand_id"].tolist() == ["D1", "D2", "D3", "D4"]
    assert demand.colours().tolist() == [BLUE, BLUE, ORANGE, ORANGE]  # S1, S2 open
    unassigned = L.uncovered_layer(map_data(no_solution(erlocate.PMedian(2))))[0]
    assert unassigned.name == "unassigned demand" and len(unassigned) == 6


def test_site_layers_split_closed_opened_and_existing(pmedian, mclp_required):
    (closed,) = L.closed_sites_layer(pmedian)
    assert xy(closed) == [SITES["S2"]] and closed.hollow and closed.marker == "triangle"
    assert closed.titles == ["site S2 (not opened)"] and closed.edge == CLOSED
    opened, existing = L.open_sites_layer(pmedian)
    assert opened.name == existing.name == "open sites"
    assert xy(opened) == [SITES["S1"], SITES["S3"]] and len(existing) == 0
    assert opened.colours().tolist() == [BLUE, ORANGE] and opened.marker == "triangle"
    assert list(opened.info.columns) == ["site_id", "load", "n_assigned", "required", "kind"]
    assert opened.info["load"].tolist() == [490.0, 320.0]

    opened, existing = L.open_sites_layer(mclp_required)
    assert opened.titles == ["site S1"] and existing.titles == ["site S2 (existing)"]
    assert existing.marker == "square" and existing.colours().tolist() == [ORANGE]
    assert existing.legend == "existing site (kept open)" and existing.legend_size == 8.0
    assert xy(L.closed_sites_layer(mclp_required)[0]) == [SITES["S3"]]


def test_site_labels_only_up_to_40_open_sites(pmedian, monkeypatch):
    (labels,) = L.site_labels_layer(pmedian)
    assert labels.kind == "text" and labels.text == ["S1", "S3"] and not labels.web
    assert xy(labels) == [SITES["S1"], SITES["S3"]]
    monkeypatch.setattr(L, "MAX_LABELLED_SITES", 1)
    assert L.site_labels_layer(pmedian) == []


def test_background_layers_reprojected_to_the_map():
    roads, units = roads_and_units()  # units in EPSG:4326
    data = map_data(solve(erlocate.PMedian(2)), roads=roads, units=units)
    (unit_layer,) = L.units_layer(data)
    (road_layer,) = L.roads_layer(data)
    assert unit_layer.geometry.crs == CRS and road_layer.geometry.crs == CRS
    np.testing.assert_allclose(unit_layer.geometry.total_bounds, [498500, 2498000, 513000, 2506000])
    assert road_layer.kind == "lines" and len(road_layer) == 2
    with pytest.raises(InputError, match="expected a GeoDataFrame") as err:
        map_data(solve(erlocate.PMedian(2)), roads=[1, 2])
    assert err.value.field == "roads"


def test_plan_layers_in_legend_order(mclp_required):
    drawn = collect_layers(mclp_required, L.PLAN_LAYERS)
    assert [layer.legend for layer in drawn] == [
        "coverage link",
        "demand (area ∝ weight)",
        "uncovered demand",
        "candidate site (not opened)",
        "opened site",
        "existing site (kept open)",
        None,  # site labels
    ]


def test_popup_tables():
    sites, demand, _ = solve(
        erlocate.PMedian(3, capacitated=True), capacities=[300] * 3
    ).to_geodataframes()
    table, labels = demand_info(demand)
    assert list(table.columns) == [
        "demand_id",
        "weight",
        "site_id",
        "cost",
        "covered",
        "share",
        "n_sites",
        "name",
        "population",
    ]
    assert labels[5:7] == ("share of that site", "sites serving it")
    assert site_info(sites)["n_assigned"].tolist() == [2, 4, 2]


# ---------------------------------------------------------------------- Layer, collect_layers
def test_layer_checks_its_kind_marker_and_lengths():
    points = gpd.GeoSeries(shapely.points([(0, 0), (1, 1)]), crs=CRS)
    with pytest.raises(ValueError, match="kind must be one of"):
        Layer(name="x", kind="blobs", geometry=points)
    with pytest.raises(ValueError, match="marker must be one of"):
        Layer(name="x", kind="points", geometry=points, marker="star")
    with pytest.raises(TypeError, match="GeoSeries"):
        Layer(name="x", kind="points", geometry=pd.Series([1, 2]))
    with pytest.raises(ValueError, match="3 values for 2 features"):
        Layer(name="x", kind="points", geometry=points, colour=["a", "b", "c"]).colours()
    layer = Layer(name="x", kind="text", geometry=points, offset=(1.0, 2.0), size=[8, 9])
    assert layer.offsets().tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert layer.sizes().tolist() == [8.0, 9.0] and layer.swatch() == "#000000"


def test_collect_layers_drops_empty_layers_and_checks_what_functions_return(pmedian):
    empty = Layer(name="nothing", kind="points", geometry=gpd.GeoSeries([], crs=CRS))
    one = Layer(name="one", kind="points", geometry=gpd.GeoSeries(shapely.points([(0, 0)])))
    assert collect_layers(pmedian, [lambda d: one, lambda d: [empty, one]]) == [one, one]
    with pytest.raises(InputError, match="expected callables") as err:
        collect_layers(pmedian, [L.units_layer, "roads"])
    assert err.value.field == "layers"
    with pytest.raises(InputError, match="returned NoneType"):
        collect_layers(pmedian, [lambda d: None])
    with pytest.raises(InputError, match="sequence of layer functions"):
        collect_layers(pmedian, L.units_layer)
