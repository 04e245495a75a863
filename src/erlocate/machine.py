"""The machine a benchmark ran on, as one line for the top of its table."""

from __future__ import annotations

import os
import platform


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
    for name in [backend] if backend else ["highs", "cbc", "scip"]:
        parts.append(_solver(name))
    return "# machine: " + ", ".join(parts)


def _solver(name: str) -> str:
    """``name version`` of a backend, read from the backend itself (plugins included)."""
    from erlocate.backends import get
    from erlocate.errors import BackendError

    try:
        b = get(name)
    except BackendError:
        return f"{name} (not available)"
    return f"{b.name} {b.version() or '?'}"
