"""Discrete-event simulation of concurrent incidents answered by a plan's units.

:func:`simulate` sends Poisson incidents to the nearest free unit of a plan
(queueing them first-in first-out when every unit that reaches them is busy)
and reports the response-time distribution — median, 90th percentile (the
NFPA 1710 measure), share within the standard — and the share of incidents
that found every nearby unit busy, overall with t-intervals over replications,
per demand point and per zone. See ``docs/simulate.md``.
"""

from erlocate.simulate.result import SimulationResult
from erlocate.simulate.run import simulate

__all__ = ["SimulationResult", "simulate"]
