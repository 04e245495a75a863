"""Maximum availability: cover the most demand with enough units to find one free w.p. alpha."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.errors import InputError
from erlocate.inputs import vector
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.models.blocks import add_count, add_link
from erlocate.models.checks import check_count, check_max_cost
from erlocate.models.dominance import merge_identical
from erlocate.models.units import (
    add_units,
    check_unit_caps,
    check_units,
    decode_units,
    encode_units,
    plan_units,
    unit_caps,
    unit_counts,
)
from erlocate.params import boolean, number
from erlocate.plan import Plan

__all__ = ["MALP", "local_workload", "units_needed"]

log = logging.getLogger(__name__)

#: Slack on the reliability test 1 - q^b >= alpha, so that q = 0.1, alpha = 0.9 needs one unit
#: although 1 - 0.9 is 0.09999999999999998 in floating point.
RELIABILITY_SLACK = 1e-12

#: Demand points per block when the overlap workload is summed (bounds the memory).
WORKLOAD_BLOCK = 2_000_000


def units_needed(busy: np.ndarray, alpha: float, most: int, *, local: bool) -> np.ndarray:
    r"""Smallest b in 1..``most`` with :math:`1 - q^b \ge \alpha`, ``most + 1`` where none.

    ``local=False``: ``busy`` is the busy fraction q itself (MALP I, one value
    or one per point). ``local=True``: ``busy`` is the workload :math:`\rho_i`
    and q = :math:`\rho_i / b` falls as units are added (MALP II).
    """
    busy = np.atleast_1d(np.asarray(busy, dtype=float))
    need = np.full(busy.shape, most + 1, dtype=np.int64)
    limit = (1.0 - alpha) + RELIABILITY_SLACK
    for b in range(most, 0, -1):  # downwards: the last b that passes is the smallest
        q = busy / b if local else busy
        need[q**b <= limit] = b
    return need


def local_workload(instance: Instance, max_cost: float, rates: np.ndarray) -> np.ndarray:
    r""":math:`\sum_{k \in M_i} f_k`: the call rate of the points sharing a site within S with i.

    :math:`M_i = \{k : N_k \cap N_i \ne \emptyset\}` — every call that the units
    within reach of i may be sent to. Summed in blocks of rows so that the
    boolean product :math:`C C^T` is never held whole.
    """
    C = sp.csr_array(instance.coverage_matrix(max_cost))
    CT = sp.csc_array(C.T)
    out = np.zeros(instance.n_demand)
    step = max(1, WORKLOAD_BLOCK // max(1, instance.n_demand))
    for lo in range(0, instance.n_demand, step):
        shared = sp.csr_array(C[lo : lo + step] @ CT)
        shared.data = np.ones_like(shared.data)
        out[lo : lo + step] = shared @ rates
    return out


class MALP(Model):
    r"""Maximum availability location problem (ReVelle & Hogan 1989).

    Place p units (several per site allowed) to maximise the demand weight
    that finds a free unit within S = ``max_cost`` with probability at least
    α. With :math:`n_i = \sum_{j \in N_i} x_j` units within reach and each
    busy with probability q, that chance is :math:`1 - q^{n_i}`, so point i
    needs :math:`b_i` units, the smallest b with :math:`1 - q_i^{b} \ge \alpha`,
    and counts (:math:`y_i = 1`) when :math:`n_i \ge b_i`. As in the paper,
    with :math:`b_i - 1` levels :math:`z_{ik}` beside :math:`y_i`:

    .. math::

        \max \sum_i w_i y_i \quad\text{s.t.}\quad
        y_i + \sum_{k=1}^{b_i - 1} z_{ik} \le \sum_{j \in N_i} x_j,\qquad
        y_i \le z_{ik},\qquad
        \sum_j x_j = p,

    :math:`x_j \in \{l_j, \dots, u_j\}` integer (:math:`l_j = 1` at required
    sites, :math:`u_j` = ``max_units_per_site``), :math:`y_i \in \{0, 1\}`,
    :math:`z_{ik} \in [0, 1]`. :math:`y_i = 1` forces every :math:`z_{ik}` to 1,
    so it needs :math:`n_i \ge b_i`, and :math:`n_i \ge b_i` allows it: the
    model is max :math:`\sum w_i [n_i \ge b_i]`. The levels are continuous
    (``implied_integer``: given :math:`y`, setting :math:`z_{ik} = y_i` is
    feasible). The paper's levels :math:`y_{i1} \ge \dots \ge y_{ib}` reward the
    last; erlocate links every level to :math:`y_i` directly, the same model.
    The one-row form :math:`n_i \ge b_i y_i` is equivalent and smaller, but
    cbcbox's CBC aborted on 7 of 96 random MALP II MILPs in that form and on
    none in this one. Points with identical :math:`N_i` and :math:`b_i` are
    merged (weights added).

    - **MALP I** (``local=False``): one system-wide q, given, or estimated as
      :math:`q = \bar t \sum_i f_i / p` from ``service_time`` :math:`\bar t` and
      call rates :math:`f` (``rates``, else the instance's weights);
      :math:`b = \lceil \log(1-\alpha) / \log q \rceil` for every point.
    - **MALP II** (``local=True``, default): the busy fraction near i is the
      local workload over the units there, :math:`q_i = \rho_i / b` with
      :math:`\rho_i = \bar t \sum_{k \in M_i} f_k`, and :math:`b_i` is the
      smallest b with :math:`1 - (\rho_i / b)^b \ge \alpha`. The paper takes
      :math:`M_i` as the nodes within S of node i on a network whose nodes are
      both demand points and sites; an erlocate instance has demand × site
      costs only, so :math:`M_i = \{k : N_k \cap N_i \ne \emptyset\}`, the
      points that compete for the units i counts on (a superset of the paper's
      set when the nodes coincide: :math:`b_i` is never smaller).

    ``rates`` and ``service_time`` share one time unit (the paper: calls per day
    and hours, divided by 24). Points needing more units than can stand within
    their reach (:math:`\min(p, \sum_{N_i} u_j)`) get no variable: they are
    never available; :meth:`requirements` lists them and the solve logs their
    count. Weightless and unreachable points get none either.

    Parameters
    ----------
    p : int
        Number of units.
    max_cost : float
        The coverage standard S.
    alpha : float
        Required availability, in (0, 1) (e.g. 0.9).
    q : float, optional
        MALP I's system-wide busy fraction in [0, 1).
    local : bool
        True (default): MALP II, local busy fractions (needs ``service_time``).
        False: MALP I (needs ``q`` or ``service_time``).
    service_time : float, optional
        Mean time a call holds a unit (travel, on scene, return), >= 0.
    rates : array or Series, optional
        Calls per time unit at each demand point (a Series by demand id);
        default: the instance's weights.
    max_units_per_site : int, array or Series, optional
        The most units one site holds (one integer or one per site); None: p.

    References
    ----------
    ReVelle, C. & Hogan, K. (1989). The maximum availability location problem.
    *Transportation Science* 23(3), 192–200.
    """

    sense = "max"
    exact_objective = False
    covering = True
    #: The coverage standard (always set: a covering model needs one).
    max_cost: float
    constraints_hint = "p, max_units_per_site, required sites"

    def __init__(
        self,
        p: int,
        max_cost: float,
        alpha: float,
        *,
        q: float | None = None,
        local: bool = True,
        service_time: float | None = None,
        rates: Any = None,
        max_units_per_site: Any = None,
    ) -> None:
        self.p = p
        self.max_cost = max_cost
        self.alpha = alpha
        self.q = q
        self.local = local
        self.service_time = service_time
        self.rates = rates
        self.max_units_per_site = max_units_per_site

    def check_params(self) -> None:
        """p >= 1, max_cost >= 0, alpha in (0, 1), and the busy-fraction inputs of the variant."""
        check_count(self.p, "p")
        check_max_cost(self.max_cost)
        alpha = number(self.alpha, "alpha", minimum=0.0, strict=True, hint="e.g. 0.9")
        if alpha >= 1.0:
            raise InputError(
                f"alpha: must be < 1 (no number of busy-sometimes units is always free), got "
                f"{self.alpha!r}",
                field="alpha",
            )
        q = number(self.q, "q", minimum=0.0, optional=True)
        if q is not None and q >= 1.0:
            raise InputError(f"q: must be < 1, got {self.q!r}", field="q")
        local = boolean(self.local, "local")
        t = number(self.service_time, "service_time", minimum=0.0, optional=True)
        if local and q is not None:
            raise InputError(
                "q: a system-wide busy fraction is MALP I; pass local=False, or service_time "
                "(and rates) for MALP II's local busy fractions",
                field="q",
            )
        if local and t is None:
            raise InputError(
                "service_time: MALP II (local=True) needs the mean time a call holds a unit",
                field="service_time",
            )
        if not local and (q is None) == (t is None):
            raise InputError(
                "q: MALP I (local=False) takes either q or service_time (and rates), not "
                + ("both" if q is not None else "neither"),
                field="q",
            )
        if self.rates is not None and t is None:
            raise InputError("rates: are read only with service_time", field="rates")
        if self.rates is not None and not isinstance(self.rates, (pd.Series, dict)):
            arr = np.asarray(self.rates)
            if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.number):
                raise InputError("rates: must be one number per demand point", field="rates")
        check_unit_caps(self.max_units_per_site)

    def caps(self, instance: Instance) -> np.ndarray:
        """The most units each site may hold on ``instance`` (checked)."""
        return unit_caps(self.max_units_per_site, instance, int(self.p))

    def validate(self, instance: Instance) -> None:
        self.caps(instance)
        if self.rates is not None:
            vector(self.rates, instance.demand_ids, "rates", 0.0)

    def requirements(self, instance: Instance) -> pd.DataFrame:
        """Per demand point: ``workload`` (rho_i, MALP II; or the system ``busy`` q for MALP I),
        ``units_needed`` b_i, ``units_attainable`` min(p, caps within reach), ``modelled``."""
        p, t = int(self.p), self.service_time
        caps = self.caps(instance)
        C = instance.coverage_matrix(self.max_cost)
        attainable = np.minimum(np.round(C @ caps.astype(float)).astype(np.int64), p)
        table: dict[str, Any] = {"weight": instance.weights}
        if self.q is not None:  # MALP I with q given
            table["busy"] = np.full(instance.n_demand, float(self.q))
            need = units_needed(table["busy"], float(self.alpha), p, local=False)
        else:
            assert t is not None, "check_params: service_time set when q is not"
            f = instance.weights
            if self.rates is not None:
                f = vector(self.rates, instance.demand_ids, "rates", 0.0)
            if self.local:  # MALP II
                rho = float(t) * local_workload(instance, self.max_cost, f)
                table["workload"] = rho
                need = units_needed(rho, float(self.alpha), p, local=True)
            else:  # MALP I, q estimated from the total workload
                table["busy"] = np.full(instance.n_demand, float(t) * float(f.sum()) / p)
                need = units_needed(table["busy"], float(self.alpha), p, local=False)
        table["units_needed"] = need
        table["units_attainable"] = attainable
        table["modelled"] = (need <= attainable) & (instance.weights > 0)
        return pd.DataFrame(table, index=instance.demand_ids.rename("demand_id"))

    def rows(self, instance: Instance) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
        """The MILP's rows: (0/1 sets N_i, units needed b_i, summed weights) of the modelled
        points, points with equal N_i and equal b_i merged (exact: they are available
        together in every plan)."""
        req = self.requirements(instance)
        keep = np.flatnonzero(req["modelled"].to_numpy())
        need = req["units_needed"].to_numpy()[keep]
        A = sp.csr_array(instance.coverage_matrix(self.max_cost)[keep])
        # one extra column per b value, so that rows match only when their b_i do too
        tag = sp.csr_array(
            (np.ones(keep.size), (np.arange(keep.size), need - 1)),
            shape=(keep.size, int(self.p)),
        )
        kept, _, w = merge_identical(sp.csr_array(sp.hstack([A, tag])), instance.weights[keep])
        return sp.csr_array(A[kept]), need[kept], w

    def build(self, instance: Instance) -> Milp:
        A, need, w = self.rows(instance)
        req = self.requirements(instance)
        lost = int(((req["units_needed"] > req["units_attainable"]) & (req["weight"] > 0)).sum())
        if lost:
            log.info(
                "MALP: %d demand points need more units within %g than can stand there; "
                "they are never available (model.requirements(instance) lists them)",
                lost,
                float(self.max_cost),
            )
        b = MilpBuilder(f"malp_rows{w.size}of{instance.n_demand}", "max")
        x = add_units(b, instance, self.caps(instance))
        y = b.add_cols("available", w.size, obj=w, ub=1.0, integer=True)
        # the b_r - 1 levels before it, contiguous per row: continuous, since y_r = 1 forces
        # them to 1 (rows "nested") and y_r = 0 leaves them free: some optimum is integral
        mid = np.repeat(np.arange(w.size), need - 1)
        z = b.add_cols("levels", mid.size, ub=1.0, implied_integer=True)
        coo = A.tocoo()
        b.add_rows(  # sum_{j in N_r} x_j - y_r - sum_k z_rk >= 0
            "cover",
            rows=np.concatenate([coo.row, np.arange(w.size), mid]),
            cols=np.concatenate([x[coo.col], y, z]),
            vals=np.concatenate([np.ones(coo.row.size), -np.ones(w.size + mid.size)]),
            lb=0.0,
            n_rows=w.size,
        )
        add_link(b, y[mid], z, name="nested")  # y_r <= z_rk
        add_count(b, x, int(self.p))
        return b.build()

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        return decode_units(instance, milp, x)

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = encode_units(milp, plan)
        A, need, _ = self.rows(instance)
        n = np.round(A @ plan_units(plan).astype(float))
        x[milp.col_blocks["available"]] = (n >= need).astype(float)
        x[milp.col_blocks["levels"]] = np.repeat(n >= need, need - 1).astype(float)
        return x

    def available(self, instance: Instance, plan: Plan) -> np.ndarray:
        """Per demand point: at least b_i units within S (from the input costs)."""
        n = unit_counts(instance, plan_units(plan), self.max_cost)
        return n >= self.requirements(instance)["units_needed"].to_numpy()

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        """Sum of w_i over the points with n_i >= b_i, n_i = units within S of i."""
        return float(instance.weights[self.available(instance, plan)].sum())

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        return check_units(instance, plan, int(self.p), self.caps(instance))

    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """``availability``: :meth:`requirements` with the plan's units within S and whether
        each point is available."""
        table = self.requirements(instance)
        table["units_within"] = unit_counts(instance, plan_units(plan), self.max_cost)
        table["available"] = table["units_within"] >= table["units_needed"]
        return {"availability": table}
