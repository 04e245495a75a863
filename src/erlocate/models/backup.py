"""Backup coverage: reward demand covered twice, for concurrent incidents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.backup_blocks import (
    add_backup_assignment,
    add_backup_cover,
    backup_breaches,
    backup_plan,
    backup_shares,
    encode_backup,
    merged_rows,
)
from erlocate.models.backup_lex import (
    LexSpec,
    add_cover_all,
    count_milp,
    cover_all_matrix,
    lex_delta,
    solve_lexicographic,
    weight_step,
)
from erlocate.models.base import Model, require_capacities
from erlocate.models.blocks import Pairs, add_count, add_open
from erlocate.models.checks import check_count, check_max_cost, check_p, require_reach
from erlocate.models.groups import (
    SiteGroup,
    add_group_rows,
    check_groups,
    group_breaches,
    group_precheck,
)
from erlocate.models.loads import (
    add_min_load,
    check_min_loads,
    min_load_breaches,
    min_load_precheck,
    min_load_vector,
)
from erlocate.models.mclp import cover_counts, coverable
from erlocate.params import boolean, choice, number
from erlocate.plan import Checker, Plan, coverage_counts

if TYPE_CHECKING:
    from erlocate.backends.base import SolveOptions
    from erlocate.backends.protocol import Backend
    from erlocate.decomposition.loop import LoopOutput

__all__ = ["BackupCoverage"]

#: Accepted values of ``BackupCoverage(objective=...)``.
OBJECTIVES = ("weighted", "lexicographic")


class BackupCoverage(Model):
    r"""Backup coverage, BACOP2 of Hogan & ReVelle (1986); lexicographic and capacitated forms.

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
    below 1/2 they are declared binary.

    ``objective="lexicographic"`` maximises first coverage, then backup among
    the plans of that first coverage, exactly, by two MILPs
    (:mod:`erlocate.models.backup_lex`); ``p=None`` there means "the fewest
    sites that cover everyone" (spopt's LSCP-B, allagash's BCLP). A point with
    a single site within the standard is never counted as backed up (spopt's
    LSCP-B percentage counts it).

    ``capacitated=True`` is the capacitated backup model after Pirkul &
    Schilling (1989) (:mod:`erlocate.models.backup_capacity`): first and backup
    covers are assignments :math:`z^1, z^2` to different open sites within
    :math:`S`, :math:`\sum_j z^1_{ij} = y_i`, :math:`\sum_j z^2_{ij} = u_i \le y_i`,
    :math:`z^1_{ij} + z^2_{ij} \le x_j` and
    :math:`\sum_i d_i (z^1_{ij} + \beta z^2_{ij}) \le K_j x_j`.

    Parameters
    ----------
    p : int or None
        Number of sites to open. None (lexicographic only, uncapacitated): the
        fewest sites covering every demand point.
    max_cost : float
        The coverage standard S.
    theta : float
        Weight of first coverage in [0, 1] (default 0.5: both count equally).
        Not used by the lexicographic objective, which refuses any other value.
    objective : {"weighted", "lexicographic"}
        ``"weighted"`` (default): the single MILP above. ``"lexicographic"``:
        first coverage, then backup; reported objective
        :math:`F + \delta B` with :math:`\delta = r/(W + r)` (:meth:`levels`
        gives both).
    reduce : bool
        Merge demand points with identical :math:`N_i` (weights added) and drop
        weightless ones (default True). Exact: identical rows take equal
        :math:`y, u` in an optimum. Site dominance is *not* applied: replacing
        a site by one covering a superset loses backup coverage when the
        superset site is already open. Capacitated models assign each point
        (its demand counts), so there it changes nothing.
    capacitated : bool
        Assign first and backup covers within the sites' capacities.
    single_source : bool
        Binary assignments: one first and one backup site per point (implies
        ``capacitated``). Otherwise :math:`y_i, u_i` are the shares of point
        :math:`i`'s demand covered first and backed up.
    min_loads : mapping or Series, optional
        Site id -> least first-cover load if open (capacitated only).
    fill_required : bool
        Required sites carry at least their capacity of first covers (capacitated only).
    groups : SiteGroup or sequence of SiteGroup
        Per-group counts and budgets (:mod:`erlocate.models.groups`).
    backup_load : float
        :math:`\beta` in [0, 1]: the share of a point's demand its backup
        assignment adds to the backup site's workload. Default 1: a backup
        reserves the full demand, so a site never holds more first and backup
        demand than its capacity. Pirkul & Schilling weight the backup workload
        by the chance that it is called on; give that share to model it.

    Notes
    -----
    With ``reduce=True`` the ``covered``/``backup`` columns are per merged row,
    the MILP name records the sizes (``backup-coverage_rows<k>of<n>``).
    :meth:`build` gives the single MILP (weighted) or the first stage's
    (lexicographic; stage 0's fewest-sites cover for ``p=None``).

    References
    ----------
    Hogan, K. & ReVelle, C. (1986). Concepts and applications of backup
    coverage. *Management Science* 32(11), 1434–1444.
    Pirkul, H. & Schilling, D.A. (1989). The capacitated maximal covering
    location problem with backup service. *Annals of OR* 18, 141–154.
    """

    sense = "max"
    exact_objective = False
    covering = True
    #: The coverage standard (always set: a covering model needs one).
    max_cost: float

    def __init__(
        self,
        p: int | None,
        max_cost: float,
        *,
        theta: float = 0.5,
        objective: str = "weighted",
        reduce: bool = True,
        capacitated: bool = False,
        single_source: bool = False,
        min_loads: Mapping[Any, float] | pd.Series | None = None,
        fill_required: bool = False,
        groups: SiteGroup | Sequence[SiteGroup] = (),
        backup_load: float = 1.0,
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.theta = theta
        self.objective = objective
        self.reduce = reduce
        self.capacitated = capacitated
        self.single_source = single_source
        self.min_loads = min_loads
        self.fill_required = fill_required
        self.groups = check_groups(groups)
        self.backup_load = backup_load

    def check_params(self) -> None:
        """Every parameter typed and in range; the combinations that mean something."""
        choice(self.objective, "objective", OBJECTIVES)
        lex = self.objective == "lexicographic"
        if self.p is None and not lex:
            raise InputError(
                "p: None (the fewest sites covering everyone) needs objective='lexicographic'; "
                "give p",
                field="p",
            )
        if self.p is not None:
            check_count(self.p)
        check_max_cost(self.max_cost)
        number(self.theta, "theta", minimum=0.0, maximum=1.0)
        if lex and float(self.theta) != 0.5:
            raise InputError(
                f"theta: not used by objective='lexicographic' (first coverage, then backup), "
                f"got {self.theta!r}; drop theta, or use objective='weighted'",
                field="theta",
            )
        boolean(self.reduce, "reduce")
        boolean(self.capacitated, "capacitated")
        boolean(self.single_source, "single_source")
        object.__setattr__(self, "capacitated", bool(self.capacitated or self.single_source))
        number(self.backup_load, "backup_load", minimum=0.0, maximum=1.0)
        check_min_loads(self.min_loads)
        boolean(self.fill_required, "fill_required")
        for field, asked in (
            ("min_loads", self.min_loads is not None),
            ("fill_required", bool(self.fill_required)),
        ):
            if asked and not self.capacitated:
                raise InputError(
                    f"{field}: minimum loads need the first-cover assignment of "
                    "capacitated=True; set capacitated=True",
                    field=field,
                )
        if self.p is None and self.capacitated:
            raise InputError(
                "p: p=None (the fewest sites covering everyone) is uncapacitated only; give p",
                field="p",
            )

    @property
    def uses_capacities(self) -> bool:  # type: ignore[override]
        """The capacitated model respects ``Instance.capacities``."""
        return bool(self.capacitated)

    @property
    def assigns_cover(self) -> bool:
        """Capacitated: ``Result.coverage`` reads the first assignment's shares."""
        return bool(self.capacitated)

    @property
    def lexicographic(self) -> bool:
        """True for ``objective="lexicographic"``."""
        return bool(self.objective == "lexicographic")

    def _loads(self, instance: Instance) -> np.ndarray:
        return min_load_vector(instance, self.min_loads, bool(self.fill_required))

    def validate(self, instance: Instance) -> None:
        p = None if self.p is None else check_p(self.p, instance)
        check_max_cost(self.max_cost)
        theta = float(self.theta)
        if not 0.0 <= theta <= 1.0:
            raise InputError(f"theta: must lie in [0, 1], got {self.theta!r}", field="theta")
        if p is None:
            require_reach(instance, self.max_cost, "cover")
        group_precheck(instance, self.groups, p)
        if self.capacitated:
            require_capacities(instance, "capacitated")
            m = self._loads(instance)
            if m.any():
                served = float(instance.demand[coverable(instance, self.max_cost)].sum())
                min_load_precheck(instance, m, served, open_count=p)

    # ------------------------------------------------------------------ MILPs
    def build(self, instance: Instance) -> Milp:
        if not self.lexicographic:
            return self.milp(instance, float(self.theta), int(self.p))  # type: ignore[arg-type]
        if self.p is None:
            return count_milp(instance, self.max_cost, self.groups)
        return self.milp(instance, 1.0, int(self.p))

    def milp(self, instance: Instance, theta: float, p: int, cover_all: bool = False) -> Milp:
        """The backup MILP with objective ``theta * first + (1 - theta) * backup`` over p sites.

        ``cover_all`` adds rows keeping every demand point covered (stage 2 of ``p=None``).
        """
        if self.capacitated:
            return self._capacitated(instance, theta, p)
        name = "backup-coverage"
        if self.reduce:
            name += f"_rows{merged_rows(instance, self.max_cost)}of{instance.n_demand}"
        b = MilpBuilder(name, "max")
        x = add_open(b, instance)
        add_backup_cover(b, instance, x, self.max_cost, theta, reduce=bool(self.reduce))
        add_count(b, x, p)
        add_group_rows(b, instance, x, self.groups)
        if cover_all:
            add_cover_all(b, cover_all_matrix(instance, self.max_cost), x)
        return b.build()

    def _capacitated(self, instance: Instance, theta: float, p: int) -> Milp:
        pairs = Pairs(instance, self.max_cost)
        b = MilpBuilder("capacitated-backup-coverage", "max")
        x = add_open(b, instance)
        w = instance.weights[pairs.rows]
        z1, _ = add_backup_assignment(
            b,
            instance,
            pairs,
            x,
            theta * w,
            (1 - theta) * w,
            backup_load=float(self.backup_load),
            integer=bool(self.single_source),
        )
        add_count(b, x, p)
        add_min_load(b, instance, pairs.rows, pairs.cols, z1, x, self._loads(instance))
        add_group_rows(b, instance, x, self.groups)
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        if self.capacitated:
            return backup_plan(milp, Pairs(instance, self.max_cost), x)
        return Plan.nearest(instance, np.round(milp.block(x, "open")) > 0.5)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        if self.capacitated:
            return encode_backup(milp, Pairs(instance, self.max_cost), plan)
        x = super().encode(instance, milp, plan)
        counts = cover_counts(milp, plan)
        x[milp.col_blocks["covered"]] = np.minimum(counts, 1)
        x[milp.col_blocks["backup"]] = counts >= 2
        return x

    def solve_loop(
        self, instance: Instance, backend: Backend, options: SolveOptions, start: Plan | None
    ) -> LoopOutput | None:
        """``objective="lexicographic"``: the staged exact method; None (one MILP) otherwise."""
        if not self.lexicographic:
            return None
        spec = LexSpec(
            build=lambda theta, p, cover_all: self.milp(instance, theta, p, cover_all),
            decode=lambda milp, x: self.decode(instance, milp, x),
            encode=lambda milp, plan: self.encode(instance, milp, plan),
            values=lambda plan: self.coverage_levels(instance, plan),
            step=self._step(instance),
            total=self._total(instance),
            count=lambda: count_milp(instance, self.max_cost, self.groups),
            nearest=lambda open_: Plan.nearest(instance, open_),
            monotone=not self.groups,  # a group count or budget may forbid more sites
        )
        return solve_lexicographic(spec, self.p, backend, options, start)

    # ------------------------------------------------------------------ verifier
    def coverage_levels(self, instance: Instance, plan: Plan) -> tuple[float, float]:
        """(first-covered weight, backed-up weight) of ``plan``, recomputed from the data.

        Uncapacitated: the weight of points with at least one / two open sites
        within the standard. Capacitated: :math:`\\sum_i w_i y_i` and
        :math:`\\sum_i w_i u_i` from the plan's first and backup assignments.
        """
        w = instance.weights
        if self.capacitated:
            first, second = backup_shares(instance, plan)
            return float(w @ first), float(w @ second)
        counts = coverage_counts(instance, plan.open, self.max_cost)
        return float(w[counts >= 1].sum()), float(w[counts >= 2].sum())

    def _step(self, instance: Instance) -> float:
        split = self.capacitated and not self.single_source
        return 0.0 if split else weight_step(instance.weights)

    def _total(self, instance: Instance) -> float:
        return float(instance.weights[coverable(instance, self.max_cost)].sum())

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        first, second = self.coverage_levels(instance, plan)
        if self.lexicographic:
            return first + lex_delta(self._step(instance), self._total(instance)) * second
        return float(self.theta * first + (1 - self.theta) * second)

    def levels(self, instance: Instance, plan: Plan) -> list[tuple[str, float, float, float]]:
        """Lexicographic: ``("first coverage", 1, r, F)`` and ``("backup coverage", δ, 0, B)``."""
        if not self.lexicographic:
            return []
        first, second = self.coverage_levels(instance, plan)
        step = self._step(instance)
        delta = lex_delta(step, self._total(instance))
        return [("first coverage", 1.0, step, first), ("backup coverage", delta, 0.0, second)]

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        c = Checker(instance, plan)
        c.sites(p=None if self.p is None else int(self.p))
        if self.p is None:
            bare = np.flatnonzero(coverage_counts(instance, plan.open, self.max_cost) == 0)
            if bare.size:
                c.fail(
                    f"{bare.size} demand points not covered within {self.max_cost:g} (p=None "
                    f"covers everyone): {instance.demand_ids[bare[:5]].tolist()}"
                )
        out = c.breaches + group_breaches(instance, plan.open, self.groups)
        if self.capacitated:
            out += backup_breaches(
                instance,
                plan,
                self.max_cost,
                backup_load=float(self.backup_load),
                single_source=bool(self.single_source),
            )
            out += min_load_breaches(instance, plan, self._loads(instance))
        return out
