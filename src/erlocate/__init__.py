"""erlocate: emergency-response facility location, solved exactly.

Build an :class:`Instance`, pick a model, and :func:`solve` it on any
installed backend::

    import erlocate
    inst = erlocate.Instance.from_matrix(cost, weights=population)
    result = erlocate.solve(erlocate.PMedian(p=5), inst, backend="highs")
    print(result.summary())
"""

import logging

from erlocate import errors
from erlocate.backends import available as backends
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models import CFLP, LSCP, MCLP, UFLP, BackupCoverage, Model, PCenter, PMedian
from erlocate.plan import Plan
from erlocate.planning import Depots, FireStations, Shelters, TeamAllocation
from erlocate.result import Result
from erlocate.solve import solve

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "CFLP",
    "LSCP",
    "MCLP",
    "UFLP",
    "BackupCoverage",
    "Depots",
    "FireStations",
    "Instance",
    "Milp",
    "MilpBuilder",
    "Model",
    "PCenter",
    "PMedian",
    "Plan",
    "Result",
    "Shelters",
    "TeamAllocation",
    "__version__",
    "backends",
    "errors",
    "solve",
]
