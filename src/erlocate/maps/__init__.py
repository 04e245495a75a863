"""Results on maps: GeoDataFrames, static (matplotlib) maps and interactive (folium) maps.

Everything here needs the geometry of the demand points and sites, i.e. an
instance built with :meth:`Instance.from_geodataframes
<erlocate.instance.Instance.from_geodataframes>` or given frames with
:meth:`Instance.with_frames <erlocate.instance.Instance.with_frames>`.

* :func:`to_geodataframes` — the plan as three GeoDataFrames (sites, demand,
  assignment links) in the CRS of the instance's frames.
* :func:`plot` — a static map on a matplotlib Axes (works headless).
* :func:`explore` — an interactive Leaflet map (needs the optional ``folium``
  dependency: ``pip install erlocate[maps]``).

The same three are available as methods of :class:`~erlocate.result.Result`.

The package, in reading order:

* :mod:`~erlocate.maps.frames` — :class:`ResultFrames`, :func:`to_geodataframes`;
* :mod:`~erlocate.maps.style` — palette, colours, marker sizes, number formatting;
* :mod:`~erlocate.maps.base` — :class:`~erlocate.maps.base.Layer` (what to draw,
  renderer-neutral) and :class:`~erlocate.maps.base.MapData` (what layers read);
* :mod:`~erlocate.maps.layers` — the layer functions both maps draw
  (:data:`~erlocate.maps.layers.PLAN_LAYERS`), :mod:`~erlocate.maps.popups` their popup tables;
* :mod:`~erlocate.maps.static` and :mod:`~erlocate.maps.interactive` — the two renderers.

Both renderers take ``layers=``, a sequence of layer functions, to draw
model-specific layers: ``plot(result, layers=(*PLAN_LAYERS, my_layer))``.
This package imports geopandas; matplotlib and folium are imported only by
:func:`plot` and :func:`explore`.
"""

from erlocate.maps.frames import ResultFrames, to_geodataframes
from erlocate.maps.interactive import explore
from erlocate.maps.static import plot

# The colours were public attributes of the former erlocate/maps.py module; kept importable.
from erlocate.maps.style import CLOSED as CLOSED
from erlocate.maps.style import PALETTE as PALETTE
from erlocate.maps.style import ROADS as ROADS
from erlocate.maps.style import UNCOVERED as UNCOVERED
from erlocate.maps.style import UNITS_EDGE as UNITS_EDGE
from erlocate.maps.style import UNITS_FACE as UNITS_FACE

__all__ = ["ResultFrames", "explore", "plot", "to_geodataframes"]
