"""Moved to :mod:`erlocate.district` (this name keeps working, with a DeprecationWarning)."""

import warnings

from erlocate.district import *  # noqa: F403
from erlocate.district import __all__  # noqa: F401

warnings.warn(
    "erlocate.planning.district moved to erlocate.district; import from there",
    DeprecationWarning,
    stacklevel=2,
)
