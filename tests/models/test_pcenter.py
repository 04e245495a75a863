import numpy as np
import pytest

import erlocate
from tests.conftest import line_instance


def test_line_radius(backend):
    inst = line_instance(5)
    assert erlocate.solve(erlocate.PCenter(1), inst, backend).objective == pytest.approx(2.0)
    r = erlocate.solve(erlocate.PCenter(2), inst, backend)
    assert r.objective == pytest.approx(1.0)
    assert r.assignment["cost"].max() == pytest.approx(1.0)


def test_center_differs_from_median(backend):
    # points 0,1,2,3,10 : median (p=1) sits at 2, center at 5 is not a site; sites are the points
    pos = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    inst = erlocate.Instance.from_matrix(np.abs(pos[:, None] - pos[None, :]))
    med = erlocate.solve(erlocate.PMedian(1), inst, backend)
    cen = erlocate.solve(erlocate.PCenter(1), inst, backend)
    assert med.open_sites.tolist() == [2] and med.objective == pytest.approx(12.0)  # 2+1+0+1+8
    assert cen.open_sites.tolist() == [3] and cen.objective == pytest.approx(7.0)


def test_weighted_center(backend):
    inst = line_instance(3, weights=[10, 1, 1])
    r = erlocate.solve(erlocate.PCenter(1, weighted=True), inst, backend)
    # site 0: max(0, 1, 2) = 2; site 1: max(10, 0, 1) = 10
    assert r.open_sites.tolist() == [0] and r.objective == pytest.approx(2.0)
