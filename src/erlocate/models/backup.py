"""Backup coverage: reward demand covered twice, for concurrent incidents."""

from __future__ import annotations

import numpy as np

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.models.blocks import add_count, add_open
from erlocate.models.checks import check_count, check_max_cost, check_p
from erlocate.models.mclp import add_cover_rows, cover_counts, coverable
from erlocate.models.reduce import merge_rows
from erlocate.params import boolean, number
from erlocate.plan import Checker, Plan, coverage_counts

__all__ = ["BackupCoverage"]


class BackupCoverage(Model):
    r"""Backup coverage, BACOP2 of Hogan & ReVelle (1986).

    .. math::

        \max\; \theta \sum_i w_i y_i + (1-\theta) \sum_i w_i u_i
        \quad\text{s.t.}\quad
        \sum_{j \in N_i} x_j - y_i - u_i \ge 0,\qquad
        u_i \le y_i,\qquad
        \sum_j x_j = p,

    :math:`x_j` binary (required sites fixed to 1), :math:`y_i` = first and
    :math:`u_i` = second coverage of demand point :math:`i` within
    :math:`S` = ``max_cost``. With :math:`\theta \ge 1/2` the optimum of the
    relaxation in :math:`y, u` is integral for binary :math:`x` (each unit of
    coverage is worth more as first than as second), so they are continuous;
    below 1/2 they are declared binary. The objective is
    ``theta * first-covered weight + (1 - theta) * second-covered weight``.

    Parameters
    ----------
    p : int
        Number of sites to open.
    max_cost : float
        The coverage standard S.
    theta : float
        Weight of first coverage in [0, 1] (default 0.5: both count equally,
        i.e. maximise total coverage up to two deep).
    reduce : bool
        Merge demand points with identical :math:`N_i` (weights added) and drop
        weightless ones (default True). Exact: identical rows take equal
        :math:`y, u` in an optimum. Site dominance is *not* applied: replacing
        a site by one covering a superset loses backup coverage when the
        superset site is already open.

    Notes
    -----
    With ``reduce=True`` the ``covered``/``backup`` columns are per merged row,
    the MILP name records the sizes (``backup-coverage_rows<k>of<n>``).

    References
    ----------
    Hogan, K. & ReVelle, C. (1986). Concepts and applications of backup
    coverage. *Management Science* 32(11), 1434–1444.
    """

    sense = "max"
    exact_objective = False
    covering = True
    #: The coverage standard (always set: a covering model needs one).
    max_cost: float

    def __init__(self, p: int, max_cost: float, *, theta: float = 0.5, reduce: bool = True) -> None:
        self.p = p
        self.max_cost = max_cost
        self.theta = theta
        self.reduce = reduce

    def check_params(self) -> None:
        """p >= 1, max_cost a number >= 0, theta a number in [0, 1], reduce a boolean."""
        check_count(self.p)
        check_max_cost(self.max_cost)
        number(self.theta, "theta", minimum=0.0, maximum=1.0)
        boolean(self.reduce, "reduce")

    def validate(self, instance: Instance) -> None:
        check_p(self.p, instance)
        check_max_cost(self.max_cost)
        theta = float(self.theta)
        if not 0.0 <= theta <= 1.0:
            raise InputError(f"theta: must lie in [0, 1], got {self.theta!r}", field="theta")

    def build(self, instance: Instance) -> Milp:
        integer = self.theta < 0.5
        if self.reduce:
            A, w = merge_rows(instance, self.max_cost)
            b = MilpBuilder(f"backup-coverage_rows{w.size}of{instance.n_demand}", "max")
            x = add_open(b, instance)
            n_rows = w.size
        else:
            b = MilpBuilder("backup-coverage", "max")
            x = add_open(b, instance)
            rows = coverable(instance, self.max_cost)
            w = instance.weights[rows]
            n_rows = rows.size
        # theta >= 1/2, binary x: for k open sites covering a row, (y, u) ranges over
        # y + u <= k, u <= y, [0, 1]^2, whose only fractional vertex (1/2, 1/2) at k = 1 is
        # worth w/2 <= theta w, the value of (1, 0): some optimum is integral (implied integer)
        implied = not integer
        y = b.add_cols(
            "covered",
            n_rows,
            obj=self.theta * w,
            ub=1.0,
            integer=integer,
            implied_integer=implied,
        )
        u = b.add_cols(
            "backup",
            n_rows,
            obj=(1 - self.theta) * w,
            ub=1.0,
            integer=integer,
            implied_integer=implied,
        )
        if self.reduce:
            coo = A.tocoo()
            k = np.arange(n_rows)
            b.add_rows(
                "cover",
                rows=np.concatenate([coo.row, k, k]),
                cols=np.concatenate([x[coo.col], y, u]),
                vals=np.concatenate([np.ones(coo.row.size), -np.ones(2 * n_rows)]),
                lb=0.0,
                n_rows=n_rows,
            )
        else:
            add_cover_rows(b, instance, x, self.max_cost, [y, u])
        k = np.arange(n_rows)
        b.add_rows(  # u_i - y_i <= 0
            "backup_after_first",
            rows=np.concatenate([k, k]),
            cols=np.concatenate([u, y]),
            vals=np.concatenate([np.ones(k.size), -np.ones(k.size)]),
            ub=0.0,
            n_rows=k.size,
        )
        add_count(b, x, int(self.p))
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        return Plan.nearest(instance, np.round(milp.block(x, "open")) > 0.5)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = super().encode(instance, milp, plan)
        counts = cover_counts(milp, plan)
        x[milp.col_blocks["covered"]] = np.minimum(counts, 1)
        x[milp.col_blocks["backup"]] = counts >= 2
        return x

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        counts = coverage_counts(instance, plan.open, self.max_cost)
        w = instance.weights
        return float(self.theta * w[counts >= 1].sum() + (1 - self.theta) * w[counts >= 2].sum())

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=int(self.p))
        return c.breaches
