"""What a solve loop hands back to :func:`erlocate.solve`."""

from __future__ import annotations

from dataclasses import dataclass, field

from erlocate.backends.base import SolverOutput
from erlocate.plan import Plan

__all__ = ["LoopOutput"]


@dataclass(frozen=True)
class LoopOutput:
    """A loop's answer. :func:`erlocate.solve` reports the loop's seconds outside its
    solvers (heuristics, separation, reductions) as ``Result.build_time``.

    Attributes
    ----------
    output : SolverOutput
        Status, objective, bound and gap of the whole loop (``x`` is None: the
        loop hands back a plan instead of a column vector).
    plan : Plan or None
        The best plan found.
    size : dict
        Sizes of the models the loop solved (reported as ``Result.milp_size``).
    """

    output: SolverOutput
    plan: Plan | None
    size: dict[str, float] = field(default_factory=dict)
