"""``explore``: the interactive (folium) map."""

from __future__ import annotations

import sys

import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.maps import explore
from tests.maps.conftest import SITES, frames, instance, roads_and_units, solve


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


def test_explore_draws_the_shared_layers():
    folium = pytest.importorskip("folium")
    fmap = explore(solve(erlocate.MCLP(2, max_cost=1500), required=["S2"]))
    groups = {c.layer_name: c for c in fmap._children.values() if hasattr(c, "layer_name")}

    def features(name: str) -> list[dict]:
        (layer,) = groups[name]._children.values()
        assert isinstance(layer, folium.GeoJson)
        return [f["properties"] for f in layer.data["features"]]

    links = features("assignment links")
    assert [f["_dash"] for f in links] == ["", "", "", "", "4 4", "4 4"]  # D5, D6 uncovered
    assert [f["site_id"] for f in links] == ["S1", "S1", "S2", "S2", "S2", "S2"]
    assert [f["demand_id"] for f in features("demand")] == ["D1", "D2", "D3", "D4"]
    assert [f["_colour"] for f in features("uncovered demand")] == ["#d62728"] * 2
    (closed,) = features("candidate sites (not opened)")
    assert closed["site_id"] == "S3" and closed["_edge"] == "#6f6f6f"  # a small grey circle
    markers = list(groups["open sites"]._children.values())
    assert all(isinstance(m, folium.Marker) for m in markers) and len(markers) == 2
    icons = [m.icon.options["html"] for m in markers]
    assert "polygon" in icons[0] and "#1f77b4" in icons[0]  # S1 opened: blue triangle
    assert "rect" in icons[1] and "#ff7f0e" in icons[1]  # S2 existing: orange square
