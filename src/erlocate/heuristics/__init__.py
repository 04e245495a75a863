"""Heuristics: good plans fast, **not exact** (no proof of optimality).

Everything inexact lives here, so ``erlocate.decomposition`` holds exact
methods only:

* :mod:`~erlocate.heuristics.pmedian` — p-median greedy and fast-swap interchange;
* :mod:`~erlocate.heuristics.mclp` — maximal covering greedy, swap interchange
  and perturbed search;
* :mod:`~erlocate.heuristics.region` — MCLP region search (small exact MILPs
  over neighbourhoods of the incumbent; the search as a whole is a heuristic).

Their plans serve as warm starts (``solve(..., warm_start=plan)`` or
``warm_start="heuristic"``, which asks the model's
:meth:`~erlocate.models.base.Model.start_plan`), and as incumbents inside the
exact decompositions.
"""

from erlocate.heuristics.mclp import (
    covered_weight,
    mclp_greedy,
    mclp_interchange,
    mclp_perturbed_search,
)
from erlocate.heuristics.pmedian import pmedian_greedy, pmedian_interchange
from erlocate.heuristics.region import mclp_region_search

__all__ = [
    "covered_weight",
    "mclp_greedy",
    "mclp_interchange",
    "mclp_perturbed_search",
    "mclp_region_search",
    "pmedian_greedy",
    "pmedian_interchange",
]
