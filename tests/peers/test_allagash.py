"""allagash 0.4.3's model tests, run through erlocate with allagash's expected numbers.

allagash states its results as ``math.ceil(100 * covered / total)`` percentages; each test
asserts that number and the exact optimum behind it (the same model solved here with
scipy's MILP on the same coverage matrix, and by erlocate on every core backend). A
"supply set" of allagash is a SiteGroup here: its ``max_supply`` is the group's ``p`` with
``at_most=True``. Sources of the data: tests/peers/data/README.md.
"""

import math

import numpy as np
import pytest

import erlocate
from erlocate.errors import InfeasibleError
from tests.peers import peerdata

POPULATION = 1029655.0  # the 212 demand points' Population


def percent(value: float) -> int:
    """allagash's figure: the share of the population, in per cent, rounded up."""
    return math.ceil(value / POPULATION * 100)


def supply_set(inst: erlocate.Instance, letter: str, max_supply: int) -> erlocate.SiteGroup:
    """One allagash supply set (sites ``a*`` or ``b*``) with its ``max_supply``."""
    sites = [s for s in inst.site_ids if s.startswith(letter)]
    return erlocate.SiteGroup(sites, max_supply, at_most=True, name=f"supply {letter}")


def counts(result: erlocate.Result) -> tuple[int, int]:
    """Open sites of supply set a and of supply set b."""
    sites = result.open_sites.tolist()
    return sum(s.startswith("a") for s in sites), sum(s.startswith("b") for s in sites)


def test_mclp_single_supply(backend):
    # integration/test_models.py::TestMCLP::test_single_supply and
    # acceptance/test_mclp.py::TestMCLP::test_single_supply: supply set a, max_supply 5; 53 %
    inst = peerdata.allagash_coverage(groups=("a",))
    r = erlocate.solve(erlocate.MCLP(5, max_cost=0.0), inst, backend).verify()
    assert percent(r.objective) == 53
    assert r.objective == pytest.approx(543631.0)


def test_mclp_multiple_supply(backend):
    # integration/test_models.py::TestMCLP::test_multiple_supply and
    # acceptance/test_mclp.py::TestMCLP::test_multiple_supply: sets a and b with max_supply
    # 5 and 10; 96 %, 5 and 10 sites selected. allagash has no overall count: p = 5 + 10 is
    # the same model, since coverage never falls when a site opens
    inst = peerdata.allagash_coverage()
    groups = [supply_set(inst, "a", 5), supply_set(inst, "b", 10)]
    r = erlocate.solve(erlocate.MCLP(15, max_cost=0.0, groups=groups), inst, backend).verify()
    assert percent(r.objective) == 96
    assert r.objective == pytest.approx(983285.0)
    assert counts(r) == (5, 10)
    # here the limits do not bind (every 15-site optimum has 5 of a: scipy's MILP on the
    # same matrix); with 4 and 11 they do: 982484 (scipy's MILP with the same limits)
    tight = [supply_set(inst, "a", 4), supply_set(inst, "b", 11)]
    r = erlocate.solve(erlocate.MCLP(15, max_cost=0.0, groups=tight), inst, backend).verify()
    assert r.objective == pytest.approx(982484.0) and counts(r) == (4, 11)


def test_lscp_single_supply_infeasible():
    # integration TestLSCP::test_single_supply_infeasible (and acceptance test_single_supply):
    # supply set a alone cannot cover every point; allagash: Infeasible/Undefined
    inst = peerdata.allagash_coverage(groups=("a",))
    with pytest.raises(InfeasibleError):
        erlocate.solve(erlocate.LSCP(max_cost=0.0), inst)


@pytest.mark.parametrize("test", ["all_supply", "multiple_supply"])
def test_lscp_all_sites(test, backend):
    # integration TestLSCP::test_single_supply (sets a and b merged into one coverage) and
    # TestLSCP::test_multiple_supply (two coverages): both are one set cover of all 31 sites;
    # allagash: objective 24, 100 % covered, and for multiple supply >= 5 of a, >= 17 of b
    inst = peerdata.allagash_coverage()
    r = erlocate.solve(erlocate.LSCP(max_cost=0.0), inst, backend).verify()
    assert r.objective == 24 and len(r.open_sites) == 24
    assert percent(r.covered_weight) == 100 and r.coverage_share == 1.0
    a, b = counts(r)
    # allagash's ">= 5 of a" is its solver's pick, not implied: optimal covers with 24 sites
    # hold 4 to 7 sites of a (17 to 20 of b; scipy's MILP on the same matrix)
    assert 4 <= a <= 7 and b == 24 - a


# allagash's BCLP asks every point covered once (sum_j x_j >= 1 + u_i) and maximises the
# population covered twice; BackupCoverage (BACOP2) maximises theta * covered once + (1 - theta)
# * covered twice, with no cover-once rows. With theta = 0.999 a plan leaving a point of positive
# weight uncovered loses at least 0.999 * 1289 (the smallest positive Population) = 1287.7, more
# than any backup gain (at most 0.001 * 1029655 = 1029.7): since allagash's answer shows a plan
# covering everyone exists, every optimum covers all positive-weight points and then maximises
# the backup. When the plan also covers the one point of Population 0 (checked), it meets
# allagash's rows and is optimal over a larger set: it is allagash's optimum.
THETA = 0.999


def backup_weight(result: erlocate.Result) -> float:
    """Population within reach of two or more open sites, recomputed from the plan."""
    cov = result.coverage
    assert cov is not None and bool(cov["covered"].all())  # allagash's cover-once rows hold
    return float(cov.loc[cov["n_covering"] >= 2, "weight"].sum())


def test_bclp_single_supply_all_sites(backend):
    # integration TestBCLP::test_single_supply: all 31 sites (a and b as one coverage),
    # max_supply 24; 100 % covered once, 56 % covered twice. Backup never falls when a site
    # opens, so p = 24 (exactly) is allagash's "at most 24"
    inst = peerdata.allagash_coverage()
    r = erlocate.solve(erlocate.BackupCoverage(24, max_cost=0.0, theta=THETA), inst, backend)
    r.verify()
    assert percent(backup_weight(r)) == 56
    assert backup_weight(r) == pytest.approx(570839.0)
    assert r.objective == pytest.approx(THETA * POPULATION + (1 - THETA) * 570839.0)
    # theta = 0 (backup alone, points may go uncovered) is a different model: more backup
    free = erlocate.solve(erlocate.BackupCoverage(24, max_cost=0.0, theta=0.0), inst, backend)
    assert free.objective == pytest.approx(776795.0)
    assert not bool(free.coverage["covered"].all())


def test_bclp_multiple_supply(backend):
    # integration TestBCLP::test_multiple_supply: sets a and b with max_supply 5 and 19;
    # 100 % covered once, 56 % covered twice
    inst = peerdata.allagash_coverage()
    groups = [supply_set(inst, "a", 5), supply_set(inst, "b", 19)]
    model = erlocate.BackupCoverage(24, max_cost=0.0, theta=THETA, groups=groups)
    r = erlocate.solve(model, inst, backend).verify()
    assert percent(backup_weight(r)) == 56
    assert backup_weight(r) == pytest.approx(570839.0)
    assert counts(r) == (5, 19)  # 24 open within at most 5 + 19


@pytest.mark.parametrize("p", [24, None])
def test_bclp_multiple_supply_lexicographic(p, backend):
    # allagash's BCLP is BackupCoverage(objective="lexicographic"): cover everyone, then the
    # most backup; p=None takes the fewest sites covering everyone (24 here = 5 + 19). On
    # "highs" this also guards the warm-start defect of highspy 1.16 (the start vector handed
    # back as "optimal" with a better objective): the backend re-solves without the start
    inst = peerdata.allagash_coverage()
    groups = [supply_set(inst, "a", 5), supply_set(inst, "b", 19)]
    model = erlocate.BackupCoverage(p, max_cost=0.0, objective="lexicographic", groups=groups)
    r = erlocate.solve(model, inst, backend).verify()
    assert r.status == "optimal"
    assert backup_weight(r) == pytest.approx(570839.0) and percent(backup_weight(r)) == 56
    assert counts(r) == (5, 19)


def test_bclp_with_integer_id_column(backend):
    # integration TestBCLP::test_with_integer_id_column: 5 points (values 100-500) and 5
    # squares; supply 1 covers points 1-3, 2 covers 3, 3 covers 3-4, 4 covers 1, 5 covers 4-5;
    # max_supply 3; allagash selects 1, 3 and 5 (backup: points 3 and 4, 700)
    covers = {1: [1, 2, 3], 2: [3], 3: [3, 4], 4: [1], 5: [4, 5]}
    cost = np.full((5, 5), np.inf)
    for j, pts in covers.items():
        cost[np.array(pts) - 1, j - 1] = 0.0
    inst = erlocate.Instance.from_matrix(
        cost,
        demand_ids=[1, 2, 3, 4, 5],
        site_ids=[1, 2, 3, 4, 5],
        weights=[100, 200, 300, 400, 500],
    )
    r = erlocate.solve(erlocate.BackupCoverage(3, max_cost=0.0, theta=THETA), inst, backend)
    r.verify()
    assert r.open_sites.tolist() == [1, 3, 5]
    assert backup_weight(r) == 700.0


def test_coverage_data_matches_the_shapefiles():
    # the matrix extracted from allagash's shapefiles: 212 points, 8 + 23 sites, 439 pairs,
    # 95 points out of reach of set a, none out of reach of both sets
    inst = peerdata.allagash_coverage()
    assert (inst.n_demand, inst.n_sites, inst.indices.size) == (212, 31, 439)
    assert inst.weights.sum() == POPULATION
    only_a = peerdata.allagash_coverage(groups=("a",))
    assert int((np.diff(only_a.indptr) == 0).sum()) == 95
    assert int((np.diff(inst.indptr) == 0).sum()) == 0
