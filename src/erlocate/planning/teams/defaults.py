"""Default tables of the team allocation: staffing minima, response standards, compatibility.

Every table is merged under the user's own (``minima=``, ``standards=``,
``compatibility=``, ``professional=`` of
:class:`~erlocate.planning.teams.TeamAllocation`); names are normalised by
:func:`normalise` (case, separators and the aliases below).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

#: Minimum rescue people per zone by administrative level. BRIEF.md item 1 (the
#: provincial rule quoted in the district plan): city 200, county/district 50,
#: town/sub-district 20 (the plan also says 30 for towns and functional zones:
#: pass ``minima={"town": 30, "sub_district": 30, "functional_zone": 30}``),
#: village/community 10.
DEFAULT_MINIMA: dict[str, float] = {
    "city": 200,
    "district": 50,
    "town": 20,
    "sub_district": 20,
    "functional_zone": 20,
    "village": 10,
    "community": 10,
}

#: Response standard (minutes, travel from the station) per team type. Fire 5:
#: 建标152-2017, BRIEF.md item 4; hazmat 5: our assumption (answered by the fire
#: service's special units, same standard); medical 9: the US urban EMS norm
#: 8:59 (reference/domain.md §2). All others are ILLUSTRATIVE — no standard was
#: found; set your own.
DEFAULT_STANDARDS: dict[str, float] = {
    "fire": 5.0,
    "hazmat": 5.0,
    "medical": 9.0,
    "patrol": 15.0,
    "forest_fire": 30.0,
    "flood": 30.0,
    "geological": 30.0,
    "militia": 30.0,
    "community": 10.0,
    "volunteer": 15.0,
}

#: Team types able to answer each hazard. OUR ASSUMPTION, following the
#: district plan's force structure (seeds/002: fire rescue as the "all-hazard"
#: main force, militia as the backbone, specialised crews): forest fire by
#: forest rangers, fire rescue and militia; flood by flood crews and militia;
#: geological collapse by geological, fire-rescue and militia teams; hazmat by
#: hazmat and fire teams; earthquake by fire rescue, militia and geological teams.
DEFAULT_COMPATIBILITY: dict[str, tuple[str, ...]] = {
    "fire": ("fire",),
    "forest_fire": ("forest_fire", "fire", "militia"),
    "flood": ("flood", "militia"),
    "geological": ("geological", "fire", "militia"),
    "hazmat": ("hazmat", "fire"),
    "earthquake": ("fire", "militia", "geological"),
}

#: Types counted as professional forces (BRIEF.md: the district's 5 professional
#: forces — fire rescue, forest rangers, flood crews, public-security patrol,
#: militia — plus specialised teams); community and volunteer teams are not.
PROFESSIONAL_TYPES: tuple[str, ...] = (
    "fire",
    "forest_fire",
    "flood",
    "geological",
    "hazmat",
    "medical",
    "militia",
    "patrol",
)

_ALIASES = {
    "county": "district",
    "township": "town",
    "subdistrict": "sub_district",
    "functional_area": "functional_zone",
    "forest": "forest_fire",
    "forest_ranger": "forest_fire",
    "forest_rangers": "forest_fire",
    "fire_rescue": "fire",
    "geohazard": "geological",
    "collapse": "geological",
    "landslide": "geological",
    "hazardous_chemical": "hazmat",
    "chemical": "hazmat",
    "volunteers": "volunteer",
    "public_security_patrol": "patrol",
}


def normalise(values: Any) -> pd.Series:
    s = pd.Series(values, dtype=object).astype(str).str.strip().str.lower()
    return s.str.replace(r"[\s\-/]+", "_", regex=True).replace(_ALIASES)
