"""The regret table of a robust plan: each scenario's own optimum against the robust plan.

:func:`regret_table` solves every scenario alone (exactly, same model, same
p and required sites), then evaluates the robust plan and every
scenario-optimal plan in every scenario from the scenarios' own data — one
vectorised evaluation of a scenarios × plans matrix. The regret of a plan in
a scenario is what it gives up there against that scenario's optimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.models.robust import RobustCover, RobustMCLP
from erlocate.models.robust_lscp import RobustLSCP

__all__ = ["RegretTable", "regret_table"]


@dataclass(frozen=True)
class RegretTable:
    """What :func:`regret_table` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per scenario: ``probability``, ``optimum`` (the scenario's own
        optimum, recomputed from its data), ``status`` and ``bound`` of that
        solve, ``robust`` (the robust plan's value there), ``regret`` (what the
        robust plan gives up: ``optimum - robust`` for coverage, ``robust -
        optimum`` for cost) and ``relative_regret`` (regret / optimum; NaN
        when the optimum is 0).
    matrix : pandas.DataFrame
        Scenarios × plans: every plan's value in every scenario. Columns
        ``"robust"`` and one per scenario (that scenario's optimal plan).
    summary : pandas.DataFrame
        One row per plan: its ``worst`` and ``expected`` value over the
        scenarios, its ``max_regret`` and ``expected_regret``, and its open
        ``sites``. (LSCP: a plan that leaves a point of a scenario uncovered
        is worth ``inf`` there.)
    plans : dict of str to pandas.Index
        Open site ids of each plan.
    """

    table: pd.DataFrame
    matrix: pd.DataFrame
    summary: pd.DataFrame
    plans: dict[str, pd.Index]


def regret_table(robust: Any, *, backend: str | None = None, **options: Any) -> RegretTable:
    """Each scenario's own optimum against the robust plan, and every plan in every scenario.

    Parameters
    ----------
    robust : Result
        A solved :class:`~erlocate.models.robust.RobustMCLP` or
        :class:`~erlocate.models.robust.RobustLSCP` with a plan.
    backend : str, optional
        Solver for the scenarios' own optima (default: the robust result's).
    **options
        Passed to :func:`erlocate.solve` (``time_limit``, ``mip_gap`` ...).
        A scenario whose optimum is not proven says so in ``status``; its
        regret is then against the best plan found.

    Returns
    -------
    RegretTable

    Examples
    --------
    >>> import numpy as np, erlocate
    >>> from erlocate.models.robust import RobustMCLP
    >>> cost = np.array([[1.0, 9.0], [9.0, 1.0], [9.0, 1.0]])
    >>> flood = np.array([[1.0, 9.0], [1.0, 9.0], [9.0, 9.0]])
    >>> sc = {"normal": erlocate.Instance.from_matrix(cost),
    ...       "flood": erlocate.Instance.from_matrix(flood)}
    >>> model = RobustMCLP(1, 2.0, sc)
    >>> res = erlocate.solve(model, model.scenarios.reference)
    >>> list(res.open_sites)
    [0]
    >>> table = regret_table(res).table
    >>> table["optimum"].tolist(), table["robust"].tolist(), table["regret"].tolist()
    ([2.0, 2.0], [1.0, 2.0], [1.0, 0.0])
    """
    from erlocate.result import Result
    from erlocate.solve import solve

    if not isinstance(robust, Result) or not isinstance(robust.model, RobustCover):
        raise InputError(
            "robust: expected the Result of a RobustMCLP or RobustLSCP solve, got "
            f"{type(robust).__name__}",
            field="robust",
        )
    if robust.plan is None:
        raise InputError("robust: the Result has no plan", field="robust")
    model, inst, sc = robust.model, robust.instance, robust.model.scenarios
    names = list(sc.names)
    solver = robust.backend.split(":")[0] if backend is None else backend
    own = {name: solve(_alone(model, name), inst, solver, **options) for name in names}
    X = np.column_stack([robust.plan.open] + [own[n].plan.open for n in names])  # type: ignore[union-attr]
    values = model.scenario_values(inst, X)
    optimum = np.diag(values[:, 1:])
    sign = 1.0 if model.sense == "max" else -1.0
    regret = sign * (optimum[:, None] - values)  # scenarios × plans
    rel = np.divide(regret[:, 0], optimum, out=np.full(len(names), np.nan), where=optimum != 0)
    index = pd.Index(names, name="scenario")
    table = pd.DataFrame(
        {
            "probability": sc.probabilities,
            "optimum": optimum,
            "status": [own[n].status for n in names],
            "bound": [own[n].bound for n in names],
            "robust": values[:, 0],
            "regret": regret[:, 0],
            "relative_regret": rel,
        },
        index=index,
    )
    columns = ["robust", *names]
    plans = {"robust": robust.open_sites, **{n: own[n].open_sites for n in names}}
    summary = pd.DataFrame(
        {
            "worst": values.min(axis=0) if model.sense == "max" else values.max(axis=0),
            "expected": sc.probabilities @ values,
            "max_regret": regret.max(axis=0),
            "expected_regret": sc.probabilities @ regret,
            "sites": [list(plans[c]) for c in columns],
        },
        index=pd.Index(columns, name="plan"),
    )
    matrix = pd.DataFrame(values, index=index, columns=pd.Index(columns, name="plan"))
    return RegretTable(table=table, matrix=matrix, summary=summary, plans=plans)


def _alone(model: RobustCover, name: str) -> RobustCover:
    """The same model on scenario ``name`` alone (its own optimum)."""
    if isinstance(model, RobustMCLP):
        return RobustMCLP(
            model.p,
            model.max_cost,
            model.scenarios.only(name),
            objective="expected",
            relative=model.relative,
        )
    if isinstance(model, RobustLSCP):
        return RobustLSCP(model.max_cost, model.scenarios.only(name))
    raise InputError(f"robust: no regret table for {type(model).__name__}", field="robust")
