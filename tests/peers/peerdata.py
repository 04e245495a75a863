"""The peers' test data as erlocate instances (files in tests/peers/data, sources in its README).

Each loader rebuilds exactly the matrix the peer's test hands its model, and nothing
else: no spopt, spaghetti or allagash is needed to run these tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import erlocate

DATA = Path(__file__).resolve().parent / "data"


def euclidean(points: np.ndarray) -> np.ndarray:
    """Pairwise Euclidean distances (what spopt's ``from_geodataframe`` gets from ``cdist``)."""
    return np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)


def square(d: np.ndarray, ids: list, **kwargs) -> erlocate.Instance:
    """A sites × sites instance (PDispersion's input) on distance matrix ``d``."""
    return erlocate.Instance.from_matrix(d, demand_ids=ids, site_ids=ids, **kwargs)


def lattice_facilities() -> np.ndarray:
    """spopt's 5 facilities snapped to the 10 × 10 lattice (``network_instance(None, 5)``)."""
    return pd.read_csv(DATA / "spopt_lattice_facilities.csv", index_col=0).to_numpy()


def lattice_facility_network() -> np.ndarray:
    """Network distances between those 5 facilities (spaghetti ``allneighbordistances``)."""
    return pd.read_csv(DATA / "spopt_lattice_facility_network.csv", index_col=0).to_numpy()


def lattice_client_facility_network() -> np.ndarray:
    """Network distances from spopt's 2 snapped clients to its 3 facilities
    (``network_instance(2, 3)``)."""
    return pd.read_csv(DATA / "spopt_lattice_client_facility_network.csv", index_col=0).to_numpy()


def sf_upper_triangle() -> tuple[np.ndarray, list[str]]:
    """The store × store matrix spopt's SF p-dispersion test really solves, and the store names.

    The test passes the 205 tracts × 16 stores network-distance matrix to
    ``PDispersion.from_cost_matrix``, whose pair constraints read ``cost[i, j]`` for
    ``i < j < 16`` only: the upper triangle of the first 16 tract rows. That triangle,
    mirrored, is the symmetric matrix here (the diagonal is never read).
    """
    block = pd.read_csv(DATA / "spopt_sf_first16_rows.csv", index_col=0)
    upper = np.triu(block.to_numpy(), 1)
    return upper + upper.T, block.columns.tolist()


def sf_stores() -> pd.DataFrame:
    """The 16 SF store sites sorted by name, with longitude and latitude."""
    return pd.read_csv(DATA / "spopt_sf_stores.csv")


def schools(demand: float = 1.0, priority: int = 1, **kwargs) -> erlocate.Instance:
    """spopt's 10 students × 74 schools (travel minutes, 10000 where no journey is listed).

    Capacities are the schools' ``Count`` and the schools of ``priority`` are required, as
    spopt's ``predefined_facilities_arr`` (by position, which matches the columns).
    """
    time = pd.read_csv(DATA / "spopt_schools_time.csv", index_col=0)
    sites = pd.read_csv(DATA / "spopt_schools.csv")
    assert time.columns.tolist() == sites["school"].tolist()
    return erlocate.Instance.from_matrix(
        time.to_numpy(dtype=float),
        demand_ids=time.index,
        site_ids=time.columns,
        weights=np.full(len(time), demand),
        capacities=sites["count"].to_numpy(dtype=float),
        required=(sites["priority"] == priority).to_numpy(),
        **kwargs,
    )


def allagash_coverage(groups: tuple[str, ...] = ("a", "b")) -> erlocate.Instance:
    """allagash's 212 demand points × its supply sets' service areas as a 0/1 coverage instance.

    Sites ``a0``-``a7`` are ``facility_service_areas.shp``, ``b0``-``b22`` are
    ``facility2_service_areas.shp`` (``ORIG_ID`` after the letter). A point is covered by a
    site when its service area contains it (allagash's binary coverage): cost 0, else no
    pair; solve with ``max_cost=0``. ``groups`` keeps only those supply sets.
    """
    table = pd.read_csv(DATA / "allagash_coverage.csv", dtype={"GEOID10": str})
    ids = [f"a{k}" for k in range(8)] * ("a" in groups) + [f"b{k}" for k in range(23)] * (
        "b" in groups
    )
    cover = table["covered_by"].fillna("").str.split()
    cost = np.full((len(table), len(ids)), np.inf)
    col = {s: k for k, s in enumerate(ids)}
    for i, sites in enumerate(cover):  # 212 short lists, test data only
        cost[i, [col[s] for s in sites if s in col]] = 0.0
    return erlocate.Instance.from_matrix(
        cost,
        demand_ids=table["GEOID10"],
        site_ids=ids,
        weights=table["Population"].to_numpy(dtype=float),
    )
