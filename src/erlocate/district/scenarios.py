r"""The district under flood and earthquake: closure scenarios for robust plans and sweeps.

The fire-station covering question of ``examples/five_year_plan.ipynb``:
communities weighted by population × ``risk`` (the dataset's exposure weight),
the existing station and the 24 candidate sites, driving minutes on the road
network (one-way rules honoured), each site's ``cost`` (10⁶ CNY) as its site
cost. Four hazard states of the roads and sites (:data:`HAZARDS`):

* ``normal``: every road open;
* ``flood``: every road touching a flood zone closed (as
  :func:`~erlocate.district.inputs.road_network` with ``scenario="flood"``);
* ``quake``: ILLUSTRATIVE, ours and not the plan's: an earthquake on the
  synthetic fault of the dataset closes every road within
  :data:`FAULT_ROAD_M` of the fault (rupture, landslides, debris) and takes
  every candidate site within :data:`FAULT_SITE_M` of it (a station built
  there is damaged and serves nobody; the existing station is farther);
* ``flood+quake``: both at once.

:func:`hazard_scenarios` gives them as a :class:`~erlocate.models.Scenarios`
(:data:`PROBABILITIES`, illustrative); :func:`build_cover` is a sweep
builder (importable by name, so Dask workers can load it).

>>> sc = hazard_scenarios()
>>> sc.names
('normal', 'flood', 'quake', 'flood+quake')
>>> list(sc.lost["quake"])
['F15', 'F20', 'F21', 'F23']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd

from erlocate.datasets import District
from erlocate.district.inputs import as_district, flood_zones, road_network
from erlocate.errors import InputError
from erlocate.geo import RoadNetwork
from erlocate.instance import Instance
from erlocate.models import MCLP, Scenarios

__all__ = [
    "FAULT_ROAD_M",
    "FAULT_SITE_M",
    "HAZARDS",
    "MAX_MINUTES",
    "PROBABILITIES",
    "build_cover",
    "cover_instance",
    "fault_lines",
    "hazard_instances",
    "hazard_networks",
    "hazard_scenarios",
    "quake_lost_sites",
]

#: The hazard states of the roads and sites, in this order.
HAZARDS = ("normal", "flood", "quake", "flood+quake")
#: ILLUSTRATIVE: roads within this many metres of the fault are closed in the quake.
FAULT_ROAD_M = 100.0
#: ILLUSTRATIVE: candidate sites within this many metres of the fault are lost in the quake.
FAULT_SITE_M = 500.0
#: ILLUSTRATIVE chances of the hazard states over the plan's horizon (sum to 1).
PROBABILITIES = {"normal": 0.7, "flood": 0.15, "quake": 0.1, "flood+quake": 0.05}
#: Driving minutes kept in the instances (any standard up to this can be asked).
MAX_MINUTES = 15.0


def fault_lines(district: District | None = None) -> gpd.GeoDataFrame:
    """The dataset's fault lines (the synthetic fault F1, in three pieces)."""
    d = as_district(district)
    return d.hazards[d.hazards["kind"] == "fault"]


def quake_lost_sites(district: District | None = None, within: float = FAULT_SITE_M) -> list[Any]:
    """Candidate (not existing) station sites within ``within`` metres of the fault."""
    d = as_district(district)
    fs = d.fire_stations
    fault = fault_lines(d).geometry.union_all()
    near = fs.geometry.distance(fault).to_numpy() <= within
    return list(fs.index[near & ~fs["existing"].to_numpy(bool)])


def hazard_networks(
    district: District | None = None, *, fault_road_m: float = FAULT_ROAD_M
) -> dict[str, RoadNetwork]:
    """The driving network in each hazard state of :data:`HAZARDS`."""
    if not fault_road_m > 0:
        raise InputError(
            f"fault_road_m: metres > 0 around the fault, got {fault_road_m!r}",
            field="fault_road_m",
        )
    d = as_district(district)
    normal = road_network(d)
    flood = normal.disrupt(flood_zones(d))
    near_fault = fault_lines(d).buffer(fault_road_m)
    return {
        "normal": normal,
        "flood": flood,
        "quake": normal.disrupt(near_fault),
        "flood+quake": flood.disrupt(near_fault),
    }


def cover_instance(
    network: RoadNetwork, district: District | None = None, *, name: str = ""
) -> Instance:
    """Communities × stations in driving minutes on ``network`` (up to :data:`MAX_MINUTES`).

    Weights: population × ``risk``; the existing station required; site costs:
    the dataset's ``cost`` (10⁶ CNY). A community the network cuts off from
    every station keeps an empty row.
    """
    d = as_district(district)
    c = d.communities
    return Instance.from_geodataframes(
        c.assign(weight=c["population"] * c["risk"]),
        d.fire_stations,
        weight="weight",
        required="existing",
        site_cost="cost",
        network=network,
        max_cost=MAX_MINUTES,
        allow_unreachable=True,
        name=f"Shangjie fire cover ({name or 'normal'} roads)",
    )


def hazard_instances(
    district: District | None = None,
    *,
    networks: Mapping[str, RoadNetwork] | None = None,
    fault_road_m: float = FAULT_ROAD_M,
) -> dict[str, Instance]:
    """One :func:`cover_instance` per hazard state (sites lost in the quake still listed),
    on ``networks`` (default :func:`hazard_networks`)."""
    d = as_district(district)
    nets = hazard_networks(d, fault_road_m=fault_road_m) if networks is None else networks
    return {name: cover_instance(net, d, name=name) for name, net in nets.items()}


def hazard_scenarios(
    district: District | None = None,
    *,
    probabilities: Mapping[str, float] | None = None,
    networks: Mapping[str, RoadNetwork] | None = None,
    fault_road_m: float = FAULT_ROAD_M,
    fault_site_m: float = FAULT_SITE_M,
) -> Scenarios:
    """The four hazard states as :class:`~erlocate.models.Scenarios`.

    The quake's sites (:func:`quake_lost_sites`) are ``lost`` in ``quake`` and
    ``flood+quake``; ``scenarios.effective(name)`` is a state's instance
    without them. Probabilities: :data:`PROBABILITIES` unless given;
    ``networks``: the roads of each state (default :func:`hazard_networks`).
    """
    d = as_district(district)
    lost = quake_lost_sites(d, fault_site_m)
    return Scenarios(
        hazard_instances(d, networks=networks, fault_road_m=fault_road_m),
        probabilities=dict(PROBABILITIES if probabilities is None else probabilities),
        lost={"quake": lost, "flood+quake": lost} if lost else None,
    )


def build_cover(
    p: int, hazard: str, standard: float, instances: Mapping[str, Instance]
) -> tuple[MCLP, Instance]:
    """Sweep builder: the MCLP with ``p`` stations within ``standard`` driving minutes
    on ``instances[hazard]`` (e.g. ``{name: scenarios.effective(name)}``, shared)."""
    if hazard not in instances:
        raise InputError(f"hazard: one of {sorted(instances)}, got {hazard!r}", field="hazard")
    return MCLP(p=int(p), max_cost=float(standard)), instances[hazard]
