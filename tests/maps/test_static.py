"""``plot``: the static (matplotlib) map."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection

import erlocate
from erlocate.maps import plot
from tests.maps.conftest import frames, instance, legend_labels, roads_and_units, solve


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
