"""One wall-clock deadline shared by every stage of a solve.

A time limit is turned into an absolute deadline once, when the solve call
starts; each stage (translation, a solver run, a loop's next MILP) then asks
for what is left instead of doing its own arithmetic on start times::

    clock = Deadline.after(options.time_limit)
    milp = translate(...)                           # counted against the limit
    solver.solve(milp, clock.options(options))      # the solver gets what is left
    heuristic = clock.sub(share=0.2)                # at most a fifth of what is left

A deadline without a limit (``Deadline.after(None)``) never expires and gives
``None`` wherever a limit is asked for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

    from erlocate.backends.base import OptionChanges, SolveOptions

__all__ = ["Deadline"]


@dataclass(frozen=True)
class Deadline:
    """An absolute point in time (``time.perf_counter`` seconds), or None for "no limit".

    Attributes
    ----------
    at : float or None
        The deadline on the ``time.perf_counter`` clock; None: no limit.
    """

    at: float | None = None

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        """The deadline ``seconds`` from now (None: no limit)."""
        return cls(None if seconds is None else time.perf_counter() + float(seconds))

    @property
    def limited(self) -> bool:
        """Whether there is a limit at all."""
        return self.at is not None

    def remaining(self) -> float | None:
        """Seconds left, never negative; None without a limit."""
        if self.at is None:
            return None
        return max(0.0, self.at - time.perf_counter())

    def expired(self) -> bool:
        """True once the deadline has passed (never without a limit)."""
        return self.at is not None and time.perf_counter() >= self.at

    def sub(self, seconds: float | None = None, *, share: float | None = None) -> Deadline:
        """A stage's deadline: at most ``seconds`` and at most ``share`` of what is left.

        Never later than this deadline. With neither argument it is this deadline.
        ``share`` of an unlimited deadline is no limit; ``seconds`` is a limit
        either way.
        """
        now = time.perf_counter()
        ends = [] if self.at is None else [self.at]
        if seconds is not None:
            ends.append(now + max(0.0, float(seconds)))
        if share is not None and self.at is not None:
            ends.append(now + max(0.0, float(share)) * max(0.0, self.at - now))
        return Deadline(min(ends) if ends else None)

    def options(self, options: SolveOptions, **changes: Unpack[OptionChanges]) -> SolveOptions:
        """``options`` with ``time_limit`` set to what is left (and any other ``changes``)."""
        return replace(options, time_limit=self.remaining(), **changes)
