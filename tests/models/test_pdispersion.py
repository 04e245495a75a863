"""p-dispersion: hand-solved cases, enumeration, every backend, bad input."""

import itertools

import numpy as np
import pytest

import erlocate
from erlocate.errors import InputError


def square(points: np.ndarray, **kwargs) -> erlocate.Instance:
    d = np.linalg.norm(points[:, None] - points[None], axis=2)
    ids = [f"s{k}" for k in range(len(points))]
    return erlocate.Instance.from_matrix(d, demand_ids=ids, site_ids=ids, **kwargs)


def enumerated(inst: erlocate.Instance, p: int) -> float:
    d = inst.dense_costs()
    req = set(np.flatnonzero(inst.required).tolist())
    best = -np.inf
    for s in itertools.combinations(range(inst.n_sites), p):
        if req <= set(s):
            best = max(best, min(d[a, b] for a, b in itertools.combinations(s, 2)))
    return best


def test_line_by_hand(backend):
    # sites at 0, 1, 2, 5, 9 on a line, p = 3: {0 or 1, 5, 9} give D = 4; any set with two
    # of 0, 1, 2 has D <= 2, and {2, 5, 9} has D = 3
    inst = square(np.array([[0.0, 0], [1, 0], [2, 0], [5, 0], [9, 0]]))
    r = erlocate.solve(erlocate.PDispersion(3), inst, backend)
    assert r.status == "optimal" and r.objective == pytest.approx(4.0)
    assert set(r.open_sites.tolist()) in ({"s0", "s3", "s4"}, {"s1", "s3", "s4"})
    # p = 2: the two ends, D = 9
    assert erlocate.solve(erlocate.PDispersion(2), inst, backend).objective == pytest.approx(9.0)


def test_required_site_is_kept():
    inst = square(np.array([[0.0, 0], [1, 0], [2, 0], [5, 0], [9, 0]]), required=["s1"])
    r = erlocate.solve(erlocate.PDispersion(3), inst)
    assert "s1" in r.open_sites.tolist()
    assert r.objective == pytest.approx(enumerated(inst, 3)) == pytest.approx(4.0)  # s1, s5, s9


@pytest.mark.parametrize("seed", range(5))
def test_random_equals_enumeration(seed):
    rng = np.random.default_rng(seed)
    inst = square(
        np.round(rng.random((9, 2)) * 100, 1), required=[f"s{seed}"] if seed % 2 else None
    )
    p = 3 + seed % 2
    r = erlocate.solve(erlocate.PDispersion(p), inst)
    assert r.status == "optimal" and r.objective == pytest.approx(enumerated(inst, p))


def test_bad_input():
    with pytest.raises(InputError, match="at least 2"):
        erlocate.PDispersion(1)
    rect = erlocate.Instance.from_matrix(np.ones((3, 2)))
    with pytest.raises(InputError, match="sites × sites"):
        erlocate.solve(erlocate.PDispersion(2), rect)
    d = np.array([[0.0, 1.0, np.inf], [1.0, 0.0, 2.0], [np.inf, 2.0, 0.0]])
    gap = erlocate.Instance.from_matrix(d, demand_ids=["a", "b", "c"], site_ids=["a", "b", "c"])
    with pytest.raises(InputError, match="no distance"):
        erlocate.solve(erlocate.PDispersion(2), gap)
