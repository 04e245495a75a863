"""Benchmark harness: run models × instances × backends, tabulate, profile.

>>> import erlocate.bench as bench
>>> df = bench.run("random", ["highs"], progress=False)       # doctest: +SKIP
>>> print(bench.to_markdown(df))                                # doctest: +SKIP
>>> bench.performance_profile(df, "profile.png")               # doctest: +SKIP

* :mod:`erlocate.bench.suites`: named instance sets (:func:`suite`, :class:`Case`).
* :mod:`erlocate.bench.runner`: :func:`run` and what each column and the memory figures mean.
* :mod:`erlocate.bench.report`: :func:`to_csv`, :func:`to_markdown`, :func:`performance_profile`.
* :mod:`erlocate.bench.spopt`: :func:`spopt_compare`, the same instances through PySAL's spopt.

The command line is ``erlocate bench``; see ``docs/benchmarks/harness.md``.
"""

from erlocate.bench.report import (
    performance_profile,
    profile_ratios,
    summary,
    to_csv,
    to_markdown,
)
from erlocate.bench.runner import COLUMNS, run
from erlocate.bench.spopt import spopt_compare
from erlocate.bench.suites import SUITES, Case, CaseRef, random_cases, suite, suite_names

__all__ = [
    "COLUMNS",
    "SUITES",
    "Case",
    "CaseRef",
    "performance_profile",
    "profile_ratios",
    "random_cases",
    "run",
    "spopt_compare",
    "suite",
    "suite_names",
    "summary",
    "to_csv",
    "to_markdown",
]
