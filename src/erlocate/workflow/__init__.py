"""The planner's workflow around a solve: evaluate, compare and explain plans, and more.

One module per piece: :mod:`erlocate.workflow.evaluate` (a fixed plan on any
instance), :mod:`erlocate.workflow.compare` (two plans, or one plan before and
after a change), :mod:`erlocate.workflow.explain` (what each site is worth) and
:mod:`erlocate.workflow.sweep` (one solve per scenario, serially, on local processes or Dask).
"""

from erlocate.workflow.alternatives import Alternatives, alternatives
from erlocate.workflow.compare import Comparison, compare
from erlocate.workflow.evaluate import EvaluatedResult, evaluate_plan
from erlocate.workflow.explain import explain
from erlocate.workflow.sweep import sweep
from erlocate.workflow.tradeoff import Tradeoff, tradeoff

__all__ = [
    "Alternatives",
    "Comparison",
    "EvaluatedResult",
    "Tradeoff",
    "alternatives",
    "compare",
    "evaluate_plan",
    "explain",
    "sweep",
    "tradeoff",
]
