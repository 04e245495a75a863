"""Embedded and generated datasets.

:func:`load_district` returns the default planning district, calibrated to the figures of the
Shangjie district (Zhengzhou) emergency-management plan, with synthetic geography
(:mod:`~erlocate.datasets.district`); :func:`random_euclidean` generates small reproducible
random towns for examples, tests and benchmarks (:mod:`~erlocate.datasets.synthetic`).
"""

from erlocate.datasets.district import ID_COLUMNS, LAYERS, District, district_path, load_district
from erlocate.datasets.synthetic import random_euclidean

__all__ = ["ID_COLUMNS", "LAYERS", "District", "district_path", "load_district", "random_euclidean"]
