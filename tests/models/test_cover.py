"""LSCP, MCLP and backup coverage on hand-solvable lines."""

import numpy as np
import pytest

import erlocate
from erlocate.errors import InfeasibleError, InputError
from tests.conftest import line_instance


def test_lscp_count_and_cost(backend):
    r = erlocate.solve(erlocate.LSCP(1), line_instance(5), backend)
    assert r.objective == pytest.approx(2.0) and r.coverage_share == 1.0
    costs = line_instance(5, site_costs=[1, 10, 1, 10, 1])
    rc = erlocate.solve(erlocate.LSCP(1), costs, backend)
    # {0, 2, 4} costs 3; any cover using site 1 or 3 costs >= 11
    assert rc.open_sites.tolist() == [0, 2, 4] and rc.objective == pytest.approx(3.0)


def test_lscp_required_site_counted(backend):
    r = erlocate.solve(erlocate.LSCP(1), line_instance(5, required=[0]), backend)
    # 0 open; then 3 covers 2,3,4 -> 2 sites
    assert r.objective == pytest.approx(2.0) and 0 in r.open_sites


def test_lscp_uncoverable_point():
    with pytest.raises(InfeasibleError, match=r"cannot reach any candidate site within 0\.5"):
        erlocate.solve(erlocate.LSCP(0.5), erlocate.Instance.from_matrix([[0.0, 9.0], [9.0, 9.0]]))


def test_mclp(backend):
    r = erlocate.solve(erlocate.MCLP(1, 1), line_instance(5), backend)
    assert r.objective == pytest.approx(3.0) and r.covered_weight == pytest.approx(3.0)
    w = erlocate.solve(erlocate.MCLP(1, 1), line_instance(5, weights=[5, 1, 1, 1, 1]), backend)
    assert w.open_sites.tolist() == [1] and w.objective == pytest.approx(7.0)
    assert w.coverage["covered"].tolist() == [True, True, True, False, False]


def test_mclp_uncoverable_points_are_just_uncovered(backend):
    cost = np.array([[0.0, 9.0], [9.0, 0.0], [9.0, 9.0]])
    r = erlocate.solve(erlocate.MCLP(2, 1), erlocate.Instance.from_matrix(cost), backend)
    assert r.objective == pytest.approx(2.0) and r.coverage["covered"].tolist() == [
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(("theta", "expected"), [(0.5, 3.0), (0.9, 4.6), (0.2, 2.4)])
def test_backup_coverage(backend, theta, expected):
    r = erlocate.solve(erlocate.BackupCoverage(2, 1, theta=theta), line_instance(5), backend)
    assert r.objective == pytest.approx(expected)
    if theta == 0.9:
        assert r.open_sites.tolist() == [1, 3]


def test_backup_theta_range():
    # refused at construction, before any instance is seen
    with pytest.raises(InputError, match=r"theta: must be <= 1, got 1\.5"):
        erlocate.BackupCoverage(2, 1, theta=1.5)


def test_negative_standard():
    with pytest.raises(InputError, match=r"max_cost: must be >= 0, got -1") as info:
        erlocate.MCLP(1, -1)
    assert info.value.field == "max_cost"
