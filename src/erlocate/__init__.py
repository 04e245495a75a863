"""erlocate: emergency-response facility location, solved exactly.

Build an :class:`Instance`, pick a model, and :func:`solve` it on any
installed backend::

    import erlocate
    inst = erlocate.Instance.from_matrix(cost, weights=population)
    result = erlocate.solve(erlocate.PMedian(p=5), inst, backend="highs")
    print(result.summary())
"""

import importlib
import logging
from typing import Any

from erlocate import errors
from erlocate.backends import available as backends
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models import (
    CFLP,
    LSCP,
    MALP,
    MCLP,
    MEXCLP,
    UFLP,
    BackupCoverage,
    Model,
    PCenter,
    PDispersion,
    PhasedMCLP,
    PMedian,
    RobustLSCP,
    RobustMCLP,
    Scenarios,
    SiteGroup,
    UnitPlan,
    regret_table,
)
from erlocate.plan import Plan
from erlocate.planning import Depots, FireStations, Shelters, TeamAllocation
from erlocate.result import Result
from erlocate.simulate import simulate  # the function; the package is erlocate.simulate.*
from erlocate.solve import solve
from erlocate.workflow import alternatives, tradeoff  # functions; modules: erlocate.workflow.*
from erlocate.workflow.compare import compare
from erlocate.workflow.evaluate import evaluate_plan
from erlocate.workflow.explain import explain
from erlocate.workflow.sweep import sweep

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

#: Subpackages the docs use as ``erlocate.<name>``: imported on first access, so
#: ``import erlocate`` stays light (geopandas / matplotlib load only when needed).
SUBMODULES = (
    "bench",
    "datasets",
    "decomposition",
    "geo",
    "heuristics",
    "inputs",
    "io",
    "maps",
    "models",
    "params",
    "planning",
)


def __getattr__(name: str) -> Any:
    if name in SUBMODULES:
        return importlib.import_module(f"erlocate.{name}")
    raise AttributeError(f"module 'erlocate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(SUBMODULES))


__all__ = [
    "CFLP",
    "LSCP",
    "MALP",
    "MCLP",
    "MEXCLP",
    "UFLP",
    "BackupCoverage",
    "Depots",
    "FireStations",
    "Instance",
    "Milp",
    "MilpBuilder",
    "Model",
    "PCenter",
    "PDispersion",
    "PMedian",
    "PhasedMCLP",
    "Plan",
    "Result",
    "RobustLSCP",
    "RobustMCLP",
    "Scenarios",
    "Shelters",
    "SiteGroup",
    "TeamAllocation",
    "UnitPlan",
    "__version__",
    "alternatives",
    "backends",
    "compare",
    "errors",
    "evaluate_plan",
    "explain",
    "regret_table",
    "simulate",
    "solve",
    "sweep",
    "tradeoff",
]
