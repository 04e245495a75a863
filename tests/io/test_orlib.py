"""OR-Library readers: tiny hand-written files, bad files, and the published optima."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import numpy as np
import pytest

import erlocate
from erlocate.errors import InputError
from erlocate.io import (
    OrlibCase,
    data_dir,
    load_optima,
    orlib_case,
    orlib_cases,
    read_cap,
    read_pmed,
    read_scp,
)
from erlocate.io import orlib as orlib_module

INF = np.inf


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def orlib_data(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The benchmark data (skip if absent), also seen by erlocate.io through ERLOCATE_DATA."""
    monkeypatch.setenv("ERLOCATE_DATA", str(data_dir))
    return data_dir


# ---------------------------------------------------------------------------- pmed
PMED = """\
 5 6 2
 1 2 7
 2 3 4
 3 2 1
 1 2 3
 3 4 2
 4 3 9
"""
# 1-2 last = 3 (not the first 7); 2-3 last = 1 (written as 3 2); 3-4 last = 9 (not the min 2);
# vertex 5 is isolated.
PMED_DIST = np.array(
    [
        [0, 3, 4, 13, INF],
        [3, 0, 1, 10, INF],
        [4, 1, 0, 9, INF],
        [13, 10, 9, 0, INF],
        [INF, INF, INF, INF, 0],
    ]
)


def test_pmed_last_duplicate_edge_wins_and_shortest_paths(tmp_path):
    case = read_pmed(write(tmp_path, "tiny.txt", PMED))
    assert isinstance(case, OrlibCase)
    assert case.name == "tiny" and case.collection == "pmed" and case.p == 2
    assert isinstance(case.model, erlocate.PMedian) and case.model.p == 2
    assert case.optimum is None and not case.proven
    inst = case.instance
    np.testing.assert_array_equal(inst.dense_costs(), PMED_DIST)
    np.testing.assert_array_equal(inst.weights, np.ones(5))
    assert inst.demand_ids.tolist() == [1, 2, 3, 4, 5] == inst.site_ids.tolist()
    assert not inst.has_site_costs


def test_pmed_keeping_the_minimum_would_differ(tmp_path):
    # the trap of the README: the minimum of 3-4 is 2, the last line says 9
    inst = read_pmed(write(tmp_path, "tiny.txt", PMED)).instance
    assert inst.cost_of(2, 3)[()] == 9


def test_pmed_line_breaks_do_not_matter_and_self_loops_are_ignored(tmp_path):
    wrapped = "5 7\n2 1 2 7 2 3\n4 3 2 1 1 2 3 3 4 2 4 3 9\n5 5 8\n"
    inst = read_pmed(write(tmp_path, "wrapped.txt", wrapped)).instance
    np.testing.assert_array_equal(inst.dense_costs(), PMED_DIST)


def test_pmed_solves_by_hand(tmp_path):
    text = "4 3 2\n1 2 1\n2 3 5\n3 4 1\n"  # path 1-2-3-4: open one of {1, 2} and of {3, 4}
    case = read_pmed(write(tmp_path, "p.txt", text))
    result = erlocate.solve(case.model, case.instance)
    assert result.status == "optimal" and result.objective == pytest.approx(2.0)


# ---------------------------------------------------------------------------- scp
SCP = """\
 4 5
 3 2 2
 4 1
 2
 1 2
 4 3 4
 1 3
 2 2 4
 1 5
"""
# row 1: {1, 2}; row 2: 3 4 1 3 (over two lines) = {1, 3, 4}; row 3: {2, 4}; row 4: {5}.
# Costs 3 2 2 4 1: column 5 is needed; without column 1, rows 1-3 need 2 and one of {3, 4}:
# {2, 3, 5} = 5; with column 1, row 3 still needs 2 or 4: >= 6. Optimum 5.


def test_scp_parse(tmp_path):
    case = read_scp(write(tmp_path, "scptiny.txt", SCP))
    inst = case.instance
    assert case.collection == "scp" and case.name == "scptiny"
    assert isinstance(case.model, erlocate.LSCP) and case.model.max_cost == 1.0
    assert (inst.n_demand, inst.n_sites) == (4, 5)
    np.testing.assert_array_equal(inst.site_costs, [3, 2, 2, 4, 1])
    assert inst.has_site_costs
    cover = inst.coverage_matrix(1.0).toarray()
    np.testing.assert_array_equal(
        cover,
        [[1, 1, 0, 0, 0], [1, 0, 1, 1, 0], [0, 1, 0, 1, 0], [0, 0, 0, 0, 1]],
    )
    assert set(np.unique(inst.costs)) == {1.0}  # missing pairs cannot cover
    assert inst.n_pairs == 8  # the repeated column 3 of row 2 counts once
    result = erlocate.solve(case.model, inst)
    assert result.status == "optimal" and result.objective == pytest.approx(5.0)
    assert result.open_sites.tolist() == [2, 3, 5]


# ---------------------------------------------------------------------------- cap
CAP = """\
2 3
 10 100.
 capacity 50.
 6 60. 30.
 4 8. 40.
 5 50. 10.
"""
# customers (demand): 1 (6), 2 (4), 3 (5); costs are for the whole demand


def test_cap_parse_with_capacity_override(tmp_path):
    case = read_cap(write(tmp_path, "captiny.txt", CAP), capacity=12)
    inst = case.instance
    assert case.name == "captiny12" and case.collection == "cap"
    assert isinstance(case.model, erlocate.CFLP) and not case.model.single_source
    assert (inst.n_demand, inst.n_sites) == (3, 2)
    np.testing.assert_array_equal(inst.dense_costs(), [[60, 30], [8, 40], [50, 10]])
    np.testing.assert_array_equal(inst.weights, [1, 1, 1])
    np.testing.assert_array_equal(inst.demand, [6, 4, 5])
    np.testing.assert_array_equal(inst.capacities, [12, 12])  # overrides every facility
    np.testing.assert_array_equal(inst.site_costs, [100, 50])
    assert inst.site_ids.tolist() == [1, 2] and inst.demand_ids.tolist() == [1, 2, 3]


def test_cap_split_demand_costs_its_share(tmp_path):
    # capacity 9 each: both facilities must open (150); facility 2 takes customer 3 (5) and
    # 4 of customer 1's 6 units, facility 1 takes customer 2 and the other 2 units (2/6 of 60)
    case = read_cap(write(tmp_path, "captiny.txt", CAP), capacity=9)
    result = case.solve()
    expected = 150 + 8 + 10 + 60 * 2 / 6 + 30 * 4 / 6
    assert result.status == "optimal" and result.objective == pytest.approx(expected)
    shares = result.assignment.set_index(["demand_id", "site_id"])["share"]
    assert shares[(1, 1)] == pytest.approx(1 / 3) and shares[(1, 2)] == pytest.approx(2 / 3)


def test_cap_file_capacities_and_uflp(tmp_path):
    text = CAP.replace("capacity", "20")
    case = read_cap(write(tmp_path, "cap9.txt", text))
    assert case.name == "cap9"
    np.testing.assert_array_equal(case.instance.capacities, [10, 20])
    uncap = read_cap(write(tmp_path, "capu.txt", CAP), uncapacitated=True)
    assert uncap.name == "capu_uncap" and isinstance(uncap.model, erlocate.UFLP)
    np.testing.assert_array_equal(uncap.instance.capacities, [10, INF])  # placeholder: none
    result = uncap.solve()
    # open facility 2 only: 50 + 30 + 40 + 10 = 130; both: 150 + 30 + 8 + 10 = 198
    assert result.status == "optimal" and result.objective == pytest.approx(130)


# ---------------------------------------------------------------------------- bad files
@pytest.mark.parametrize(
    ("reader", "text", "message"),
    [
        (read_pmed, "", r"line 1: expected the header 'n m p', found 0 number\(s\)"),
        (read_pmed, "  \n \n", r"line 1: expected the header 'n m p', found 0 number\(s\)"),
        (read_pmed, "3 2 1\n1 2 5\n2 x 4\n", r"line 3: 'x' is not a number"),
        (
            read_pmed,
            "3 2 1.5\n1 2 5\n2 3 4\n",
            r"line 1: p in the header 'n m p' must be a positive integer, got 1\.5",
        ),
        (read_pmed, "3 2 4\n1 2 5\n2 3 4\n", r"line 1: p = 4 exceeds the number of vertices n = 3"),
        (
            read_pmed,
            "3 2 1\n1 2 5\n2 4 4\n",
            r"line 3: vertex j must be an integer in 1\.\.3, got 4",
        ),
        (
            read_pmed,
            "3 2 1\n1 2 5\n0 3 4\n",
            r"line 3: vertex i must be an integer in 1\.\.3, got 0",
        ),
        (
            read_pmed,
            "3 2 1\n1 2 -5\n2 3 4\n",
            r"line 2: edge cost must be a finite number >= 0, got -5",
        ),
        (
            read_pmed,
            "3 3 1\n1 2 5\n2 3 4\n",
            r"line 3: file ends after 9 numbers; the header's 3 edge lines of 'i j cost' needs 12",
        ),
        (
            read_pmed,
            "3 2 1\n1 2 5\n2 3 4\n\n7\n",
            r"line 5: 1 unexpected number\(s\) after the data",
        ),
        (
            read_scp,
            "2 3\n1 1 1\n2 1 2\n1 4\n",
            r"line 4: column index must be an integer in 1\.\.3, got 4",
        ),
        (
            read_scp,
            "2 3\n1 1 1\n2 1 2\n3 1\n",
            r"line 4: file ends inside the column list of row 2 \(of 2\)",
        ),
        (read_scp, "2 3\n1 1 1\n2 1 2\n", r"line 3: file ends before row 2 of 2"),
        (read_scp, "2 3\n1 1\n", r"line 2: file ends after 2 of the 3 column costs"),
        (
            read_scp,
            "2 3\n1 nan 1\n1 1\n1 2\n",
            r"line 2: column cost must be a finite number >= 0, got nan",
        ),
        (
            read_scp,
            "2 3\n1 1 1\n1 1\n1.5 2\n",
            r"line 4: row 2: column count must be an integer in 0\.\.3, got 1\.5",
        ),
        (
            read_scp,
            "2 3\n1 1 1\n1 1\n1 2 9\n",
            r"line 4: 1 unexpected number\(s\) after the last row \(2\)",
        ),
        (
            read_cap,
            CAP,
            r"line 3: the capacity is the word 'capacity' \(as in capa/capb/capc\): pass read_cap\(path, capacity=\.\.\.\)",
        ),
        (
            partial(read_cap, capacity=12),
            CAP.replace("4 8.", "-4 8."),
            r"line 5: customer demand must be a finite number >= 0, got -4",
        ),
        (
            partial(read_cap, capacity=12),
            CAP.replace("10.\n", "-10.\n"),
            r"line 6: allocation cost of customer 3 to facility 2 must be a finite number >= 0, got -10",
        ),
        (
            read_cap,
            CAP.rsplit(" 10.", 1)[0],
            r"line 6: file ends after 14 numbers; 2 facility lines and 3 customer blocks needs 15",
        ),
        (
            partial(read_cap, capacity=12),
            CAP + "1\n",
            r"line 7: 1 unexpected number\(s\) after the data \(2 facility lines and 3 customer blocks\)",
        ),
    ],
)
def test_bad_files_name_the_file_and_line(tmp_path, reader, text, message):
    path = write(tmp_path, "bad.txt", text)
    with pytest.raises(InputError, match=re.escape(str(path)) + ", " + message):
        reader(path)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError, match=re.escape(f"{path}: file not found")):
        read_pmed(path)


def test_binary_file(tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(InputError, match="not a text file"):
        read_scp(path)


def test_bad_capacity_argument(tmp_path):
    path = write(tmp_path, "cap.txt", CAP)
    with pytest.raises(InputError, match=r"capacity: must be >= 0, got -1\.0"):
        read_cap(path, capacity=-1)
    with pytest.raises(InputError, match="capacity: must be a number, got 'big'"):
        read_cap(path, capacity="big")


# ---------------------------------------------------------------------------- data folder
def test_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ERLOCATE_DATA", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.setenv("ERLOCATE_DATA", str(tmp_path / "missing"))
    with pytest.raises(InputError, match=r"ERLOCATE_DATA=.* is not a folder"):
        data_dir()


def test_data_dir_not_found(tmp_path, monkeypatch):
    monkeypatch.delenv("ERLOCATE_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(orlib_module, "__file__", str(tmp_path / "pkg" / "orlib.py"))
    with pytest.raises(InputError, match="benchmark data not found: no shared/data folder"):
        data_dir()


def test_data_dir_found_from_a_parent(tmp_path, monkeypatch):
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "repo" / "sub").mkdir(parents=True)
    monkeypatch.delenv("ERLOCATE_DATA", raising=False)
    monkeypatch.chdir(tmp_path / "repo" / "sub")
    assert data_dir() == tmp_path / "shared" / "data"


def test_unknown_names(orlib_data):
    with pytest.raises(InputError, match="'foo1' is not an OR-Library case"):
        orlib_case("foo1")
    with pytest.raises(InputError, match=r"no pmed case 'pmed41' in optima\.csv"):
        orlib_case("pmed41")
    with pytest.raises(InputError, match=r"scpnre2\.txt: file not found \(left out"):
        orlib_case("scpnre2")
    with pytest.raises(InputError, match="unknown OR-Library collection 'tsp'"):
        load_optima("tsp")


def test_catalogue(orlib_data):
    assert orlib_cases("pmed") == [f"pmed{k}" for k in range(1, 41)]
    scp = orlib_cases("scp")
    assert len(scp) == 64 and scp[0] == "scp41" and "scpnre2" not in scp
    cap = orlib_cases("orlib-cap")
    assert len(cap) == 64 and sum(c.endswith("_uncap") for c in cap) == 15
    optima = load_optima("pmed")
    assert optima["is_proven_optimal"].all() and len(optima) == 40


def test_orlib_case_fields(orlib_data):
    case = orlib_case("capb6000")
    assert case.optimum == pytest.approx(13361927.449) and case.proven
    np.testing.assert_array_equal(case.instance.capacities, np.full(100, 6000.0))
    assert case.instance.name == "capb6000" and case.instance.n_demand == 1000
    uncap = orlib_case("capb_uncap")
    assert isinstance(uncap.model, erlocate.UFLP)
    assert np.isinf(uncap.instance.capacities).all()
    pmed = orlib_case("pmed40")
    assert pmed.p == 90 and pmed.instance.n_sites == 900
    assert np.isfinite(pmed.instance.dense_costs()).all()  # connected
    assert not orlib_case("scpnrh1").proven
    assert pmed.matches(5128.0) and not pmed.matches(5129.0) and pmed.matches(None) is None
    cap = orlib_case("cap91")  # published 796648.438; its optimum is 796648.4375
    assert cap.matches(796648.4375) and not cap.matches(796648.44)


def test_pmed1_minimum_instead_of_last_gives_another_optimum(orlib_data, tmp_path):
    """The README's trap: keeping the cheapest of repeated edges makes pmed1's optimum 5718."""
    path = orlib_data / "orlib-pmed" / "pmed1.txt"
    n, _, p = map(int, path.read_text().split()[:3])
    edges = np.loadtxt(path, skiprows=1)
    a = np.minimum(edges[:, 0], edges[:, 1]).astype(int)
    b = np.maximum(edges[:, 0], edges[:, 1]).astype(int)
    key = a * (n + 1) + b
    order = np.lexsort((edges[:, 2], key))  # by pair, then by cost: the first is the cheapest
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]]
    assert first.size < len(edges)  # pmed1 has repeated pairs
    text = f"{n} {first.size} {p}\n" + "".join(f"{a[k]} {b[k]} {edges[k, 2]:g}\n" for k in first)
    result = read_pmed(write(tmp_path, "pmed1min.txt", text)).solve()
    assert result.status == "optimal" and result.objective == pytest.approx(5718)
    assert orlib_case("pmed1").optimum == 5819


# ---------------------------------------------------------------------------- published optima
def assert_published(case: OrlibCase, result: erlocate.Result) -> None:
    assert result.status == "optimal", (case.name, result.status, result.termination)
    if case.collection == "cap":
        # published with 3 decimals (cap91 = .438 and cap101 = .437 for the same 796648.4375)
        assert result.objective == pytest.approx(case.optimum, rel=1e-9, abs=1e-3)
    else:
        assert round(result.objective) == case.optimum
        assert result.objective == pytest.approx(case.optimum, abs=1e-6)
    assert case.matches(result.objective)


PUBLISHED = (
    [f"pmed{k}" for k in range(1, 11)]
    + [f"scp4{k}" for k in range(1, 6)]
    + ["cap71_uncap", "cap101_uncap", "cap131_uncap", "cap41", "cap71", "cap131"]
)


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_optimum_highs(orlib_data, name):
    case = orlib_case(name)
    assert case.proven
    result = erlocate.solve(case.model, case.instance, "highs")
    assert_published(case, result)


@pytest.mark.parametrize("name", ["pmed1", "scp41", "cap71_uncap"])
def test_published_optimum_every_backend(orlib_data, backend, name):
    case = orlib_case(name)
    result = erlocate.solve(case.model, case.instance, backend)
    assert result.backend == backend
    assert_published(case, result)
