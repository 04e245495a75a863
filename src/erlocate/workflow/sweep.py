"""``sweep(build, scenarios)``: one solve per scenario, serially, on local processes or on Dask."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from erlocate.params import boolean
from erlocate.progress import Progress
from erlocate.result import Result
from erlocate.workflow.runners import (
    dask_workers,
    default_batch_size,
    run_dask,
    run_joblib,
    run_serial,
)
from erlocate.workflow.scenarios import (
    check_build,
    check_jobs,
    check_shared,
    scenario_keys,
    scenario_table,
    solve_kwargs,
)
from erlocate.workflow.store import ResultStore, typed
from erlocate.workflow.tasks import KEY, RESULT_COLUMNS, Task

__all__ = ["sweep"]

log = logging.getLogger(__name__)


def sweep(
    build: Callable[..., Any],
    scenarios: pd.DataFrame | Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any]],
    *,
    backend: str = "highs",
    solve_options: Mapping[str, Any] | None = None,
    shared: Mapping[str, Any] | None = None,
    path: str | os.PathLike[str] | None = None,
    key: str | None = None,
    retry_failed: bool = False,
    n_jobs: int = 1,
    client: Any = None,
    batch_size: int | None = None,
    extract: Callable[[Result], Mapping[str, Any]] | None = None,
    progress: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """Solve one model per scenario and return one row of figures per scenario.

    Each scenario is a row of values; ``build(**row, **shared)`` turns it into
    ``(model, instance)``, which :func:`erlocate.solve` solves and re-checks. A
    scenario that fails (in ``build``, in the solve, anywhere) records its
    error in its row and the sweep goes on.

    Parameters
    ----------
    build : callable
        ``build(**row, **shared) -> (model, instance)``. For local processes or
        Dask, a function importable by name (defined in a module, not a lambda).
    scenarios : DataFrame, list of dicts, or dict of lists
        One scenario per DataFrame row or per dict (all with the same keys); a
        dict of lists is a grid: every combination of its values, the first key
        varying slowest (e.g. ``{"p": [2, 3], "standard": [6, 8]}`` is four
        scenarios). Column names are ``build``'s keyword arguments.
    backend : str
        Solver backend of every solve (default ``"highs"``).
    solve_options : dict, optional
        Other keywords of :func:`erlocate.solve` (``time_limit``, ``mip_gap``,
        ``threads``, ``seed``, ``verify`` ...); they may also be given as
        keywords of ``sweep`` itself. ``raise_on_failure`` is False unless given
        (an infeasible scenario is a row with status ``"infeasible"``);
        ``threads`` is 1 unless given when the rows run in parallel.
    shared : dict, optional
        Large inputs every scenario uses (a road network, a base instance),
        passed to ``build`` as keywords. On Dask they are scattered once to every
        worker and each task carries only a reference; with ``n_jobs`` they are
        pickled with each batch.
    path : str or path, optional
        ``*.parquet`` (needs pyarrow) or ``*.csv``: rows are written as they
        arrive (parts in ``<path>.parts/``, each second's rows together, merged
        into ``path`` at the end),
        and a sweep run again with the same path skips every scenario already
        there. See Notes: resuming.
    key : str, optional
        A column of unique scenario names to key the rows by; default: a hash
        of each scenario's columns and values (:func:`~erlocate.workflow.scenarios.scenario_key`).
    retry_failed : bool
        On resuming, run again the scenarios whose row holds an error (default
        False: they are kept as they are).
    n_jobs : int
        Local processes (joblib's loky; -1 for one per core). Default 1: this process.
    client : dask.distributed.Client, optional
        Run on this Dask cluster (local or remote) instead; not with ``n_jobs``.
    batch_size : int, optional
        Scenarios per parallel task (default ``ceil(n / (4 workers))``, at most 10).
    extract : callable, optional
        ``extract(result) -> dict`` of more columns for each solved row, scalars
        only (e.g. ``{"coverage": result.coverage_share}``); runs on the worker.
    progress : bool
        Draw a tqdm bar (if installed). INFO records log the start, the progress
        every 10 s and the end; a DEBUG record each row.
    **options
        More :func:`erlocate.solve` keywords, as in ``solve_options``.

    Returns
    -------
    DataFrame
        The scenarios in their order, each with its columns, ``scenario_key``,
        ``status``, ``objective``, ``bound``, ``gap``, ``n_open``, ``open_sites``
        (a JSON list of site ids), ``backend``, seconds in ``build_s`` (the
        builder), ``solve_s`` (:func:`erlocate.solve`: MILP, solver, re-check),
        ``solver_s`` (the solver alone) and ``total_s``, then ``failed_step``
        (``build``, ``solve``, ``extract`` or ``worker``), ``error_type`` and
        ``error`` of a failed row, ``worker`` (host:pid), ``finished_at`` (UTC),
        and the ``extract`` columns. A failed row's status is ``"infeasible"``
        (InfeasibleError), ``"no_solution"`` (NoSolutionError) or ``"error"``.

    Notes
    -----
    **Resuming.** With ``path``, finished rows are on disk within a second of arriving
    (:data:`~erlocate.workflow.store.FLUSH_SECONDS`; at once on Ctrl-C).
    Interrupt the sweep (Ctrl-C, a lost job) and run the same call again: the
    rows found under ``path`` are read back, not recomputed, and only the
    others run. A row is recognised by its key, so the same scenarios must give
    the same keys: the same columns and values, or the same ``key`` column.
    The solve options are not part of the key: after changing them, use a new
    path. Rows of the file that are not among the scenarios stay in the file
    and are not returned.

    Raises
    ------
    InputError
        Bad arguments (naming the field): scenarios empty or not a table,
        duplicate scenarios or keys, a column named like a result column,
        ``build`` not callable with the columns, unknown solve options, a path
        that is neither ``.parquet`` nor ``.csv``, ``n_jobs`` with ``client``.

    Examples
    --------
    >>> import erlocate
    >>> from erlocate.datasets import random_euclidean
    >>> town = random_euclidean(40, 8, seed=1)
    >>> def build(p, standard):
    ...     return erlocate.MCLP(p=p, max_cost=standard), town
    >>> table = erlocate.sweep(build, {"p": [1, 2], "standard": [2000.0, 3000.0]})
    >>> print(table[["p", "standard", "status", "objective"]].to_string(index=False))
     p  standard  status  objective
     1    2000.0 optimal     7703.0
     1    3000.0 optimal    11635.0
     2    2000.0 optimal    13824.0
     2    3000.0 optimal    18880.0
    """
    start = time.perf_counter()
    table = scenario_table(scenarios)
    keys = scenario_keys(table, key)
    rows = table.to_dict("records")
    shared_inputs = check_shared(shared, list(table.columns))
    check_build(build, rows[0], shared_inputs)
    jobs, size = check_jobs(n_jobs, client, batch_size)
    boolean(retry_failed, "retry_failed")
    boolean(progress, "progress")
    parallel = client is not None or jobs > 1
    task = Task(build, solve_kwargs(backend, solve_options, options, parallel), extract)
    if client is None:
        from erlocate.backends import get

        get(backend)  # missing here: say so once, not in every row (a cluster may have others)
    store = ResultStore(path) if path is not None else None

    done = store.read() if store is not None else typed(pd.DataFrame({KEY: []}))
    if retry_failed:
        done = done[done["error_type"].isna()]
    finished = set(done[KEY])
    todo = [(k, r) for k, r in zip(keys, rows, strict=True) if k not in finished]
    where = (
        f"Dask ({dask_workers(client)} workers)"
        if client is not None
        else f"{jobs} processes"
        if jobs > 1
        else "this process"
    )
    log.info(
        "sweep: %d scenarios, %d found in %s, %d to run on %s",
        len(keys),
        len(keys) - len(todo),
        path,
        len(todo),
        where,
    )
    records = list(_run(task, todo, shared_inputs, jobs, client, size, store, progress))
    # with a path, every row as read back from it, whether it ran now or before
    results = store.merge() if store is not None else typed(pd.DataFrame(records or {KEY: []}))
    out = _assemble(table, keys, results, extract is not None)
    counts = Counter(out["status"].fillna("missing"))
    log.info(
        "sweep: %d scenarios (%d run now) in %.1f s: %s; %d failed",
        len(out),
        len(todo),
        time.perf_counter() - start,
        ", ".join(f"{n} {s}" for s, n in counts.most_common()),
        int(out["error_type"].notna().sum()),
    )
    return out


def _run(
    task: Task,
    todo: list[tuple[str, dict[str, Any]]],
    shared: dict[str, Any],
    jobs: int,
    client: Any,
    size: int | None,
    store: ResultStore | None,
    bar: bool,
) -> Iterator[dict[str, Any]]:
    """The rows of ``todo`` as they arrive, on disk within a second (and when stopped)."""
    if not todo:
        return
    if client is not None:
        workers = dask_workers(client)
        chunks = run_dask(
            task, todo, shared, client, size or default_batch_size(len(todo), workers)
        )
    elif jobs > 1:
        chunks = run_joblib(task, todo, shared, jobs, size or default_batch_size(len(todo), jobs))
    else:
        chunks = run_serial(task, todo, shared)
    values = dict(todo)
    with Progress(len(todo), "sweep", unit="scenario", bar=bar, logger=log) as counter:
        try:
            for chunk in chunks:
                if store is not None:  # the file holds the scenario's columns too
                    store.add([{KEY: r[KEY], **values[r[KEY]], **r} for r in chunk])
                for row in chunk:
                    log.debug(
                        "scenario %s: %s, objective %s, %.3f s%s",
                        row[KEY],
                        row["status"],
                        row.get("objective"),
                        row["total_s"],
                        f" ({row['error_type']}: {row['error']})" if row.get("error_type") else "",
                    )
                    yield row
                counter.update(len(chunk), note=str(chunk[-1]["status"]))
        except KeyboardInterrupt:
            log.info(
                "sweep interrupted after %d of %d scenarios%s",
                counter.done,
                len(todo),
                "; run it again with the same path to resume" if store is not None else "",
            )
            raise
        finally:
            if store is not None:
                store.flush()


def _assemble(
    table: pd.DataFrame, keys: list[str], results: pd.DataFrame, extra: bool
) -> pd.DataFrame:
    """The scenarios in their order with their figures (and the ``extract`` columns)."""
    figures = results.set_index(KEY).reindex(keys)
    columns = list(RESULT_COLUMNS)
    if extra:
        more = [c for c in figures.columns if c not in RESULT_COLUMNS and c not in table.columns]
        columns += [c for c in more if figures[c].notna().any()]
    figures = figures[columns].reset_index(drop=True)
    out = pd.concat([table, pd.Series(keys, name=KEY, dtype=object), figures], axis=1)
    return typed(out)
