"""Embedded datasets.

:func:`load_district` returns the default planning district, calibrated to the figures of the
Shangjie district (Zhengzhou) emergency-management plan, with synthetic geography.
"""

from erlocate.datasets.district import ID_COLUMNS, LAYERS, District, district_path, load_district

__all__ = ["ID_COLUMNS", "LAYERS", "District", "district_path", "load_district"]
