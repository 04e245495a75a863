"""Location models. Each builds the canonical MILP of :mod:`erlocate.milp`.

Classical: :class:`PMedian`, :class:`PCenter`, :class:`LSCP`, :class:`MCLP`,
:class:`BackupCoverage`, :class:`UFLP`, :class:`CFLP`, :class:`PDispersion`,
:class:`MEXCLP`, :class:`MALP` (units that are sometimes busy; plans are :class:`UnitPlan`).
Robust over scenarios: :class:`RobustMCLP`, :class:`RobustLSCP` on :class:`Scenarios`,
compared with each scenario's own optimum by :func:`regret_table`.
"""

from erlocate.models.backup import BackupCoverage
from erlocate.models.base import Model
from erlocate.models.facility import CFLP, UFLP
from erlocate.models.groups import SiteGroup
from erlocate.models.lscp import LSCP
from erlocate.models.malp import MALP
from erlocate.models.mclp import MCLP
from erlocate.models.mexclp import MEXCLP
from erlocate.models.pcenter import PCenter
from erlocate.models.pdispersion import PDispersion
from erlocate.models.phased import PhasedMCLP, PhasedPlan, schedule
from erlocate.models.pmedian import PMedian
from erlocate.models.robust import RobustMCLP
from erlocate.models.robust_lscp import RobustLSCP
from erlocate.models.robust_regret import RegretTable, regret_table
from erlocate.models.robust_scenarios import Scenarios
from erlocate.models.units import UnitPlan

__all__ = [
    "CFLP",
    "LSCP",
    "MALP",
    "MCLP",
    "MEXCLP",
    "UFLP",
    "BackupCoverage",
    "Model",
    "PCenter",
    "PDispersion",
    "PMedian",
    "PhasedMCLP",
    "PhasedPlan",
    "RegretTable",
    "RobustLSCP",
    "RobustMCLP",
    "Scenarios",
    "SiteGroup",
    "UnitPlan",
    "regret_table",
    "schedule",
]
