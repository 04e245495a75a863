"""Progress of long steps: logging records always, a tqdm bar when asked for.

A long step (a scenario sweep, a travel matrix over many sources) counts its
units with :class:`Progress`. It logs an INFO record at most every
``interval`` seconds (done, total, elapsed, time left), so a batch job's log
shows progress without any terminal, and it draws a tqdm bar when ``bar=True``
and tqdm is installed (``pip install tqdm``; the ``parallel`` extra has it).

>>> import logging
>>> with Progress(3, "demo", unit="row") as p:
...     for _ in range(3):
...         p.update()
>>> p.done
3
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["Progress", "track"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Progress:
    """Count the units of a long step; log them, and draw a bar on request.

    Parameters
    ----------
    total : int or None
        Units expected (None when unknown: no percentage, no time left).
    desc : str
        What is counted, first word of every record (``"sweep"``).
    unit : str
        Name of one unit (``"scenario"``).
    bar : bool
        Draw a tqdm bar on stderr (default False). Without tqdm installed,
        one INFO record says so and the log records remain.
    logger : logging.Logger, optional
        Where the records go (default ``erlocate.progress``); pass the
        caller's module logger so the records carry its name.
    interval : float
        Seconds between two INFO records (default 10; 0 logs every update).
    """

    def __init__(
        self,
        total: int | None,
        desc: str,
        *,
        unit: str = "step",
        bar: bool = False,
        logger: logging.Logger | None = None,
        interval: float = 10.0,
    ) -> None:
        self.total = total
        self.desc = desc
        self.unit = unit
        self.log = logger if logger is not None else log
        self.interval = interval
        self.done = 0
        self.start = time.perf_counter()
        self.last = self.start
        self.bar: Any = None
        if bar:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                self.log.info("%s: tqdm is not installed, progress goes to the log only", desc)
            else:
                self.bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)

    @property
    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start

    def update(self, n: int = 1, note: str = "") -> None:
        """Count ``n`` more units; ``note`` shows beside the bar (e.g. the last row's status)."""
        self.done += n
        if self.bar is not None:
            if note:
                self.bar.set_postfix_str(note, refresh=False)
            self.bar.update(n)
        now = time.perf_counter()
        if now - self.last >= self.interval:
            self.last = now
            self.log.info("%s", self.line())

    def line(self) -> str:
        """The progress in words: ``"sweep: 40/200 scenarios (20%), 12.0 s, about 48 s left"``."""
        elapsed = self.elapsed
        if not self.total:
            return f"{self.desc}: {self.done} {self.unit}s, {elapsed:.1f} s"
        share = self.done / self.total
        left = elapsed * (1 - share) / share if self.done else float("nan")
        return (
            f"{self.desc}: {self.done}/{self.total} {self.unit}s ({share:.0%}), "
            f"{elapsed:.1f} s, about {left:.0f} s left"
        )

    def close(self) -> None:
        """Close the bar; one DEBUG record with the count and the time."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.log.debug("%s: %d %ss in %.2f s", self.desc, self.done, self.unit, self.elapsed)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def track(
    items: Iterable[T],
    desc: str,
    *,
    total: int | None = None,
    unit: str = "step",
    bar: bool = False,
    logger: logging.Logger | None = None,
    interval: float = 10.0,
) -> Iterator[T]:
    """Yield ``items``, counting each in a :class:`Progress` (``total`` from ``len`` if known).

    >>> list(track(range(3), "demo"))
    [0, 1, 2]
    """
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with Progress(total, desc, unit=unit, bar=bar, logger=logger, interval=interval) as progress:
        for item in items:
            yield item
            progress.update()
