"""AILS-MCLP reader: a hand file, the published solutions re-evaluated, one solve (slow)."""

from pathlib import Path

import numpy as np
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.io import ails_case, read_ails
from erlocate.io.ails import EARTH_RADIUS_M, ails_distances, read_ails_solution, solution_path
from erlocate.plan import Plan

# Four nodes on the equator: 0 at lon 0, 1 at lon 0.005° (556.6 m), 2 at lon 0.02°
# (2,226.4 m from 0; 1,669.8 m from 1), 3 at the same point as 0 (distance 0).
HAND = """NAME : Hand
TYPE : MCLP
EDGE_WEIGHT_TYPE : COORD
DIMENSION : 4
NODE_COORD_SECTION
0.0 0.0
0.0 0.005
0.0 0.02
0.0 0.0
DEMAND_SECTION
5
7
3
2
EOF
"""
D01 = float(np.float32(np.radians(0.005) * EARTH_RADIUS_M))  # 556.5975 m


@pytest.fixture
def ails_data(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ERLOCATE_DATA", str(data_dir))
    if not (data_dir / "mclp-ails").is_dir():
        pytest.skip("mclp-ails data absent")
    return data_dir


def test_hand_file(tmp_path, backend):
    path = tmp_path / "Hand.txt"
    path.write_text(HAND)
    case = read_ails(path, 600, 1)
    inst = case.instance
    assert case.name == "Hand_p1_r600" and inst.n_demand == inst.n_sites == 4
    assert inst.weights.tolist() == [5, 7, 3, 2]
    # within 600 m: {0,1,3} pairwise (9 pairs) and 2 alone
    assert inst.n_pairs == 10 and inst.cost_of(0, 3) == 0.0
    assert inst.cost_of(0, 1) == pytest.approx(D01) and np.isinf(inst.cost_of(0, 2))
    # p = 1: any of 0, 1, 3 covers 5 + 7 + 2 = 14
    res = erlocate.solve(case.model, inst, backend)
    assert res.objective == pytest.approx(14.0)
    # coverage is d <= r on the float32 distance: exactly D01 covers, just below does not
    assert ails_distances(np.zeros(2), np.array([0, 0.005]), D01).nnz == 4
    assert ails_distances(np.zeros(2), np.array([0, 0.005]), D01 - 1e-3).nnz == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HAND.replace("DIMENSION : 4", "DIMENSION : 5"), r"NODE_COORD_SECTION holds 8 numbers"),
        (HAND.replace("\n2\nEOF", "\nEOF"), r"DEMAND_SECTION holds 3 numbers; DIMENSION 4"),
        (HAND.replace("0.0 0.02", "0.0 abc"), r"'abc' is not a number"),
        (HAND.replace("0.0 0.02", "95.0 0.02"), r"node 2 has coordinates \(95, 0\.02\)"),
        (HAND.replace("\n3\n", "\n-3\n"), r"node 2 has demand -3"),
        (HAND.replace("DIMENSION : 4\n", ""), r"no 'DIMENSION : n' header"),
    ],
)
def test_bad_files(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_ails(path, 600, 1)


def test_unknown_case(ails_data):
    with pytest.raises(InputError, match=r"no AILS case 'Queens_p50_r600'"):
        ails_case("Queens_p50_r600")


@pytest.mark.parametrize(
    "name", ["NewYork_p50_r400", "Bronx_p60_r600", "SanFrancisco_p70_r600", "Kings_p100_r800"]
)
def test_published_solutions_recompute(ails_data, name):
    case = ails_case(name)
    f, sites = read_ails_solution(solution_path(name))
    assert f == case.optimum and sites.size == case.p
    open_ = np.zeros(case.instance.n_sites, dtype=bool)
    open_[sites] = True
    plan = Plan.nearest(case.instance, open_)
    assert case.model.check(case.instance, plan) == []
    assert case.model.evaluate(case.instance, plan) == f  # the reader's coverage, exactly


@pytest.mark.slow
def test_newyork_p50_solves_to_the_published_optimum(ails_data):
    # about 30 s with HiGHS on 2 shared cores
    case = ails_case("NewYork_p50_r400")
    res = case.solve(time_limit=300)
    assert res.status == "optimal" and case.matches(res.objective)
