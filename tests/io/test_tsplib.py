"""TSPLIB EUC_2D reader (distances floor(Euclidean)) and the published p-median optima."""

import pytest

from erlocate.errors import InputError
from erlocate.io import read_tsplib, tsplib_case

TINY = """NAME : tiny
TYPE : TSP
DIMENSION : 3
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 1.5 1.5
EOF
"""


def test_tiny_file(tmp_path):
    path = tmp_path / "tiny.tsp"
    path.write_text(TINY)
    case = read_tsplib(path, p=1)
    d = case.instance.dense_costs()
    # |(0,0)-(3,4)| = 5; |(0,0)-(1.5,1.5)| = 2.12 -> 2; |(3,4)-(1.5,1.5)| = 2.92 -> 2 (floor, not nint 3)
    assert d.tolist() == [[0, 5, 2], [5, 0, 2], [2, 2, 0]]
    assert case.instance.demand_ids.tolist() == [1, 2, 3]
    r = case.solve()  # median at node 3: 2 + 2 + 0 = 4
    assert r.objective == pytest.approx(4.0) and r.open_sites.tolist() == [3]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (TINY.replace("EUC_2D", "GEO"), "only EUC_2D"),
        (TINY.replace("DIMENSION : 3", "DIMENSION : 4"), "DIMENSION is 4 but 3"),
        (TINY.replace("2 3 4", "2 3"), "line 7: expected 'id x y'"),
        (TINY.replace("NODE_COORD_SECTION", ""), "no NODE_COORD_SECTION"),
    ],
)
def test_bad_files(tmp_path, text, match):
    path = tmp_path / "bad.tsp"
    path.write_text(text)
    with pytest.raises(InputError, match=match):
        read_tsplib(path)


def test_rl1304_header_and_published_p5(data_dir):
    from erlocate.heuristics import pmedian_greedy, pmedian_interchange

    case = tsplib_case("rl1304_p5", formulation="radius")
    assert case.instance.n_demand == case.instance.n_sites == 1304 and case.p == 5
    assert case.optimum == 3099073 and case.proven
    assert case.model.formulation == "radius"
    plan = pmedian_interchange(case.instance, pmedian_greedy(case.instance, 5))
    # the swap local search reaches the published optimum (README check; floor distances)
    assert case.model.evaluate(case.instance, plan) == pytest.approx(3099073)


def test_unknown_case(data_dir):
    with pytest.raises(InputError, match="no TSPLIB p-median case 'rl1304_p7'"):
        tsplib_case("rl1304_p7")
