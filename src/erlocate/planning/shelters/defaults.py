"""Default shelter classes: area per person and walking limit by standard (GB 50413, GB 21734)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["LIMIT_COLUMNS", "WALK_BANDS", "default_classes"]

_INF = np.inf
_CLASSES = [  # class, m2_per_person, max_walk_minutes, max_walk_m, source
    ("emergency", 1.0, 10.0, 500.0, "GB 50413-2007 §8.2: >= 1 m²/person, ~500 m, <= 10 min walk"),
    ("fixed", 2.0, 60.0, 3000.0, "GB 50413-2007 §8.2: >= 2 m²/person, 2–3 km (upper end), 1 h"),
    ("I", 1.5, 60.0, 3000.0, "GB 21734-2008 §5.4: > 1.5 m²/person; walk limit assumed as fixed"),
    ("II", 1.5, 60.0, 3000.0, "GB 21734-2008 §5.4: > 1.5 m²/person; walk limit assumed as fixed"),
    ("III", 1.5, 60.0, 3000.0, "GB 21734-2008 §5.4: > 1.5 m²/person; walk limit assumed as fixed"),
    ("sphere", 3.5, _INF, _INF, "Sphere Handbook shelter std 3: >= 3.5 m² covered; no walk limit"),
]
#: The class-table column holding the walking limit, per ``cost_unit``.
LIMIT_COLUMNS = {"minutes": "max_walk_minutes", "metres": "max_walk_m"}
#: Default report thresholds of the walk, per ``cost_unit`` (GB 50413: 10 min ≈ 500 m, 1 h ≈ 3 km).
WALK_BANDS = {"minutes": (10.0, 30.0, 60.0), "metres": (500.0, 1500.0, 3000.0)}


def default_classes() -> pd.DataFrame:
    """The default shelter class table (a fresh copy; edit it and pass ``classes=``).

    Index ``class``; columns ``m2_per_person`` (usable m² each sheltered person
    needs), ``max_walk_minutes`` and ``max_walk_m`` (walking limit from a
    community to a shelter of that class; ``inf`` = none) and ``source``.
    Rows: GB 50413-2007 §8.2 ``emergency`` (1 m², 10 min / 500 m) and ``fixed``
    (2 m², 1 h / 3 km, the upper end of its 2–3 km); GB 21734-2008 classes
    ``I``/``II``/``III`` (> 1.5 m², §5.4), whose walking limit is *our
    assumption* (the fixed-shelter 1 h / 3 km; the standard gives none);
    ``sphere`` (Sphere Handbook, 3.5 m² covered living space, no walking norm).
    See BRIEF.md item 5 and reference/domain.md §1.3 and §2.
    """
    cols = ["class", "m2_per_person", "max_walk_minutes", "max_walk_m", "source"]
    return pd.DataFrame(_CLASSES, columns=cols).set_index("class")
