"""The district on its road network: closing flooded roads changes a verified plan.

Pins the acceptance case of the geo layer: the same model on the embedded
district, once on the normal network and once with every road segment inside
the flood-prone zones closed, gives a different answer, each re-verified.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import erlocate
from erlocate.datasets import load_district
from erlocate.geo import RoadNetwork


@pytest.fixture(scope="module")
def district():
    return load_district()


@pytest.fixture(scope="module")
def networks(district):
    net = RoadNetwork.from_geodataframe(
        district.roads, speed_column="speed_kmh", oneway_column="oneway"
    )
    return net, net.disrupt(district.hazards[district.hazards.kind == "flood_zone"])


@pytest.fixture(scope="module")
def instances(district, networks):
    out = {}
    for label, network in zip(("normal", "flood"), networks, strict=True):
        out[label] = erlocate.Instance.from_geodataframes(
            district.communities,
            district.fire_stations,
            weight="population",
            network=network,
            required="existing",
            name=label,
        )
    return out


def test_flood_closes_roads(instances, networks, district):
    normal, flood = instances["normal"], instances["flood"]
    a, b = normal.dense_costs(), flood.dense_costs()
    assert normal.n_pairs == 114 * 25  # every community reaches every station normally
    assert flood.n_pairs == 2050  # closed bridges cut 800 community-station pairs
    # Closing roads can only lengthen a trip between the same two road positions. A point
    # whose nearest road is closed snaps to another road, which may happen to be faster.
    same = {}
    for name, frame in (("demand", district.communities), ("sites", district.fire_stations)):
        snaps = [net.snap(frame.geometry)[["snap_x", "snap_y"]].to_numpy() for net in networks]
        same[name] = (np.abs(snaps[0] - snaps[1]) < 1e-6).all(axis=1)
    keep = np.ix_(same["demand"], same["sites"])
    assert (~same["demand"]).sum() == 7  # their nearest road is flooded: they re-snap
    assert (b[keep] >= a[keep] - 1e-9).all()
    assert ((b > a + 1e-9) & np.isfinite(b)).sum() > 100


def test_flood_changes_the_pmedian_plan(instances):
    normal = erlocate.solve(erlocate.PMedian(4), instances["normal"])
    flood = erlocate.solve(erlocate.PMedian(4), instances["flood"])
    for r in (normal, flood):
        assert r.status == "optimal"
        r.verify()
    assert normal.open_sites.tolist() == ["F01", "F06", "F20", "F24"]
    assert flood.open_sites.tolist() == ["F01", "F12", "F15", "F24"]
    # HiGHS, CBC and OR-Tools agree; 663,830.0069 / 791,998.0673 before vertex merging found
    # the 11 vertex pairs within 1 m that rounding to a 1 m grid split across grid lines
    assert normal.objective == pytest.approx(663804.1203, rel=1e-8)
    assert flood.objective == pytest.approx(791978.3780, rel=1e-8)


def test_flood_lowers_coverage_within_four_minutes(instances):
    normal = erlocate.solve(erlocate.MCLP(4, 4.0), instances["normal"])
    flood = erlocate.solve(erlocate.MCLP(4, 4.0), instances["flood"])
    assert normal.objective == pytest.approx(86204.0)
    assert flood.objective == pytest.approx(82513.0)
    assert flood.covered_weight < normal.covered_weight


def test_district_map_renders(instances, district, tmp_path):
    r = erlocate.solve(erlocate.MCLP(4, 4.0), instances["flood"])
    ax = r.plot(roads=district.roads, units=district.units)
    path = tmp_path / "district.png"
    ax.figure.savefig(path, dpi=80)
    assert path.stat().st_size > 20_000
