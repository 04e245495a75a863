"""The machine a benchmark ran on, as one line for the top of its table."""

from __future__ import annotations

import os
import platform
from importlib import metadata


def describe(backend: str | None = None) -> str:
    """CPU model, cores, Python and solver versions, as one line."""
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    parts = [cpu, f"{os.cpu_count()} cores", f"Python {platform.python_version()}"]
    packages = {"highs": "highspy", "pulp": "pulp", "ortools": "ortools"}
    for name in [backend] if backend else packages:
        try:
            parts.append(f"{packages[name]} {metadata.version(packages[name])}")
        except (KeyError, metadata.PackageNotFoundError):
            pass
    return "# machine: " + ", ".join(parts)
