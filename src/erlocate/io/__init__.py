"""Readers for benchmark and planning data.

:mod:`erlocate.io.orlib` reads the OR-Library p-median (``pmed``), set-covering
(``scp``) and warehouse-location (``cap``) files and their published optima.
"""

from erlocate.io.ails import ails_case, ails_cases, read_ails, read_ails_solution  # noqa: F401
from erlocate.io.cpmp import cpmp_case, cpmp_cases, read_cpmp  # noqa: F401
from erlocate.io.orlib import (
    COLLECTIONS,
    OrlibCase,
    data_dir,
    load_optima,
    orlib_case,
    orlib_cases,
    read_cap,
    read_pmed,
    read_scp,
)
from erlocate.io.tsplib import read_tsplib, tsplib_case, tsplib_distances, tsplib_optima

__all__ = [
    "COLLECTIONS",
    "OrlibCase",
    "data_dir",
    "load_optima",
    "orlib_case",
    "orlib_cases",
    "read_cap",
    "read_pmed",
    "read_scp",
    "read_tsplib",
    "tsplib_case",
    "tsplib_distances",
    "tsplib_optima",
]
