"""Exact methods that solve more than one MILP: decompositions and fixing loops.

A model whose exact method is a loop (e.g. ``PMedian(formulation="benders")``)
returns a :class:`LoopOutput` from :meth:`Model.solve_loop`; :func:`erlocate.solve`
then verifies its plan exactly as it verifies a single MILP's.
"""

from erlocate.decomposition.loop import LoopOutput

__all__ = ["LoopOutput"]
