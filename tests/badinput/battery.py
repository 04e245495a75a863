"""The bad-input battery: every malformed input gets a typed error that names the field.

Each case is a :class:`Case` (family, a call that must fail, the error type, the
field the message must name). Test modules list their cases and run them with
:func:`check`; test ids start with the family, so
``pytest tests/badinput --collect-only -q`` counts cases per family.

Families: ``numbers`` (costs, weights, capacities: NaN, huge, complex, strings,
booleans), ``ids`` (scalars, strings, sets, duplicates, ambiguous masks),
``labels`` (pandas data aligned by label), ``params`` (model parameters at
construction, immutability), ``solve`` (solve options, warm starts),
``verify`` (corrupted plans and results), ``cutoff`` (models reading beyond
an instance's cut-off), ``geo``, ``planning``, ``readers`` and ``cli``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from erlocate.errors import ErlocateError

FAMILIES = (
    "numbers",
    "ids",
    "labels",
    "params",
    "solve",
    "verify",
    "cutoff",
    "geo",
    "planning",
    "readers",
    "cli",
)


@dataclass(frozen=True)
class Case:
    """One malformed input: ``call()`` must raise ``error`` with ``field`` in its message."""

    family: str
    name: str
    call: Callable[[], Any]
    error: type[BaseException]
    field: str

    def param(self) -> Any:
        assert self.family in FAMILIES, self.family
        return pytest.param(self, id=f"{self.family}-{self.name}")


def params(cases: list[Case]) -> list[Any]:
    """pytest params of ``cases``, checking that ids are unique."""
    ids = [f"{c.family}-{c.name}" for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"duplicate case ids: {sorted(dup)}"
    return [c.param() for c in cases]


def check(case: Case) -> BaseException:
    """Run ``case``: the typed error is raised and its message names the field."""
    with pytest.raises(BaseException) as info:
        case.call()
    exc = info.value
    assert isinstance(exc, case.error), (
        f"expected {case.error.__name__}, got {type(exc).__name__}: {exc}"
    )
    assert isinstance(exc, ErlocateError), f"not an erlocate error: {type(exc).__name__}: {exc}"
    message = str(exc)
    assert case.field in message, f"message does not name {case.field!r}: {message}"
    field = getattr(exc, "field", None)
    if field is not None:
        assert field == case.field, f"error.field is {field!r}, expected {case.field!r}"
    return exc
