"""``to_geodataframes``: the plan as GeoDataFrames; missing frames; what ``import erlocate`` loads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

import erlocate
from erlocate.errors import InputError
from erlocate.maps import ResultFrames, to_geodataframes
from tests.maps.conftest import (
    CRS,
    DEMAND,
    SITES,
    WEIGHTS,
    cost_matrix,
    frames,
    instance,
    legend_labels,
    no_solution,
    solve,
)


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
    result = no_solution(erlocate.MCLP(1, max_cost=1500))
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


def test_importing_erlocate_maps_loads_no_plotting_library():
    code = (
        "import sys, erlocate.maps; "
        "print(sorted(m for m in ('matplotlib', 'folium') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


MAPS = Path(erlocate.__file__).parent / "maps"


@pytest.mark.parametrize("path", sorted(MAPS.glob("*.py")), ids=lambda p: p.name)
def test_maps_modules_import_no_result_and_no_private_names(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]
    modules = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert "erlocate.result" not in modules
    assert not [m for m, _ in imported if m == "erlocate.result"]
    assert not [(m, n) for m, n in imported if m.startswith("erlocate") and n.startswith("_")]


def test_maps_modules_are_short():
    for path in MAPS.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) < 400, path.name
