"""The planner's workflow around a solve: evaluate, compare and explain plans, and more.

One module per piece: :mod:`erlocate.workflow.evaluate` (a fixed plan on any
instance), :mod:`erlocate.workflow.compare` (two plans, or one plan before and
after a change) and :mod:`erlocate.workflow.explain` (what each site is worth).
"""

from erlocate.workflow.evaluate import EvaluatedResult, evaluate_plan

__all__ = ["EvaluatedResult", "evaluate_plan"]
