"""Geographic inputs: straight-line and road-network travel costs, GeoDataFrames → Instance.

::

    from erlocate.geo import RoadNetwork
    net = RoadNetwork.from_geodataframe(roads, class_column="highway", class_speeds=SPEEDS)
    inst = erlocate.Instance.from_geodataframes(
        blocks, stations, weight="population", network=net, max_cost=10
    )
"""

from erlocate.geo.checks import unreachable
from erlocate.geo.frames import from_geodataframes
from erlocate.geo.network import RoadNetwork
from erlocate.geo.travel import euclidean, great_circle, manhattan

__all__ = [
    "RoadNetwork",
    "euclidean",
    "from_geodataframes",
    "great_circle",
    "manhattan",
    "unreachable",
]
