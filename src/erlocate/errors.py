"""Typed errors.

Every error names the field at fault and, where one exists, the fix. Catch
:class:`ErlocateError` to handle anything the library raises on purpose.
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "ErlocateError",
    "FrozenError",
    "InfeasibleError",
    "InputError",
    "IntegerOnlyError",
    "NoSolutionError",
    "SizeLimitError",
    "VerificationError",
]


class ErlocateError(Exception):
    """Base class of every error erlocate raises on purpose."""


class InputError(ErlocateError, ValueError):
    """The data or a parameter is invalid (shape, sign, NaN, ids, ranges ...).

    Attributes
    ----------
    field : str or None
        The name of the offending argument or column.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FrozenError(ErlocateError, AttributeError):
    """A model's parameters were assigned after construction; models are immutable.

    Make a changed copy instead: ``model.replace(standard=3)``.
    """


class InfeasibleError(ErlocateError):
    """The model has no feasible solution.

    ``reason`` says why in words when it can be derived from the data (e.g. total
    capacity below total demand, a demand point no site reaches); otherwise it
    is the solver's verdict.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoSolutionError(ErlocateError):
    """The solver stopped (time limit, node limit ...) before finding any feasible plan."""


class BackendError(ErlocateError):
    """A solver backend is missing, failed, or returned something unusable."""


class SizeLimitError(BackendError):
    """The model is larger than the solver may solve here (e.g. a free licence's size limit).

    Attributes
    ----------
    backend : str
        The backend.
    limit : str
        The limit, in words (``"2000 variables"``).
    size : str
        The model's size, in the same terms (``"6120 variables"``).
    """

    def __init__(self, backend: str, limit: str, size: str, fix: str = "") -> None:
        self.backend, self.limit, self.size = backend, limit, size
        tail = f"; {fix}" if fix else "; use another backend (erlocate backends lists them)"
        super().__init__(f"{backend}: the model has {size}, above the limit of {limit}{tail}")


class IntegerOnlyError(BackendError):
    """An integer-only backend (CP-SAT) cannot solve this model exactly, so it refuses it.

    Raised instead of solving a rounded approximation: a continuous column, a
    coefficient that no power of ten makes an exact integer, an unbounded
    column. Separate from other :class:`BackendError` so that a caller trying
    backends in turn can move on to a MILP backend (the message names one).

    Attributes
    ----------
    backend : str
        The backend that refused.
    reason : str
        What is not integral, with the block name and an example.
    """

    def __init__(self, backend: str, reason: str, fix: str = "") -> None:
        self.backend, self.reason = backend, reason
        tail = fix or "use a MILP backend such as backend='highs', which solves it as it is"
        super().__init__(f"{backend}: cannot solve this model exactly: {reason}; {tail}")


class VerificationError(ErlocateError, AssertionError):
    """An independent re-check of a solution found a violated constraint or a wrong objective.

    Attributes
    ----------
    breaches : list of str
        One line per violated check.
    """

    def __init__(self, breaches: list[str]) -> None:
        self.breaches = list(breaches)
        shown = "\n  - ".join(self.breaches[:20])
        more = f"\n  ... and {len(self.breaches) - 20} more" if len(self.breaches) > 20 else ""
        super().__init__(f"solution failed verification:\n  - {shown}{more}")
