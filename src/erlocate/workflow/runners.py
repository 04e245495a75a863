"""Where a sweep's tasks run: in this process, on local processes (joblib), or on Dask.

Each runner yields lists of finished rows as they arrive (in whatever order
the workers finish them), so the sweep can write them to disk at once.
joblib and Dask are imported here, inside the runners, so ``import erlocate``
never loads them.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from erlocate.workflow.tasks import Task, failed_record, run_batch, run_row

__all__ = [
    "Todo",
    "batches",
    "dask_workers",
    "default_batch_size",
    "run_dask",
    "run_joblib",
    "run_serial",
]

log = logging.getLogger(__name__)

#: The scenarios left to run: (key, row) pairs.
Todo = Sequence[tuple[str, Mapping[str, Any]]]


def batches(todo: Todo, size: int) -> list[list[tuple[str, Mapping[str, Any]]]]:
    """``todo`` in consecutive batches of ``size`` rows (the last may be shorter)."""
    return [list(todo[i : i + size]) for i in range(0, len(todo), size)]


def run_serial(task: Task, todo: Todo, shared: Mapping[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """One row at a time, in this process."""
    for key, row in todo:
        yield [run_row(task, key, row, shared)]


def run_joblib(
    task: Task, todo: Todo, shared: Mapping[str, Any], n_jobs: int, batch_size: int
) -> Iterator[list[dict[str, Any]]]:
    """On ``n_jobs`` local processes (joblib's loky), a batch per task, results as they finish.

    ``shared`` travels with every batch (joblib memory-maps its large numpy arrays);
    large objects are better sent once to a Dask cluster (``client=``).
    """
    from joblib import Parallel, delayed

    # joblib's own batching off: a task is one of our batches, its rows on disk when it ends
    parallel = Parallel(
        n_jobs=n_jobs, backend="loky", batch_size=1, return_as="generator_unordered"
    )
    yield from parallel(delayed(run_batch)(task, b, shared) for b in batches(todo, batch_size))


def dask_workers(client: Any) -> int:
    """The number of workers of a Dask client's cluster (at least 1)."""
    try:  # distributed >= 2025.4 lists 5 workers unless asked for all
        info = client.scheduler_info(n_workers=-1)
    except TypeError:
        info = client.scheduler_info()
    return max(1, len(info.get("workers", {})))


def run_dask(
    task: Task, todo: Todo, shared: Mapping[str, Any], client: Any, batch_size: int
) -> Iterator[list[dict[str, Any]]]:
    """On the workers of a Dask distributed ``client``; ``shared`` scattered once to every worker.

    Each shared value is sent once (``client.scatter(..., broadcast=True)``) and the
    tasks carry its future, which each worker resolves to its local copy. A batch whose
    task itself fails (a worker lost, the builder not importable there) becomes failed
    rows, and the other batches go on. Stopping early (an interrupt) cancels what is left.
    """
    from distributed import as_completed

    # one future per value ([value]: a dict or list value is sent whole, not item by item)
    scattered = {
        name: client.scatter([value], broadcast=True, hash=False)[0]
        for name, value in shared.items()
    }
    run = uuid.uuid4().hex[:8]
    chunks = batches(todo, batch_size)
    futures = {
        client.submit(run_batch, task, b, scattered, key=f"erlocate-sweep-{run}-{i}", pure=False): b
        for i, b in enumerate(chunks)
    }
    try:
        for future in as_completed(futures):
            batch = futures.pop(future)
            try:
                rows = future.result()
            except Exception as exc:  # the task, not a row, failed: every row of it records why
                log.warning("sweep batch of %d rows failed on Dask: %r", len(batch), exc)
                rows = [failed_record(key, "worker", exc) for key, _ in batch]
            future.release()
            yield rows
    finally:
        if futures:
            client.cancel(list(futures))
        for value in scattered.values():
            value.release()


def default_batch_size(n: int, workers: int) -> int:
    """A quarter of an even share per worker, at most 10 rows: few tasks, and still balanced."""
    return max(1, min(10, math.ceil(n / (4 * workers))))
