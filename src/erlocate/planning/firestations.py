"""Fire stations: eliminate blank spots or maximise risk-weighted coverage, with typed stations.

Implements item 4 of the district brief: stations built to 建标152-2017 (urban) and
GB/T 35547-2017 (township), the 5-minute-from-dispatch standard, responsibility
districts capped by station type, and second coverage for concurrent incidents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError, InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model
from erlocate.plan import Checker, Plan, coverage_counts, nearest_open
from erlocate.planning.stationtypes import (
    FireData,
    check_types,
    prepare,
    station_report,
    station_types,
)

__all__ = ["FireStations", "StationPlan", "station_types"]

MODES = ("cover_all", "max_cover")
SECOND = (None, "objective", "require")


@dataclass(frozen=True, eq=False)
class StationPlan(Plan):
    """A :class:`~erlocate.plan.Plan` whose open sites carry a station type.

    ``station_type[j]`` is the row of the model's type table built at site
    ``j`` (``-1`` for closed sites). The allocation pairs are the
    responsibility districts: each demand point appears at most once, with
    share 1, at the station whose district holds it.
    """

    station_type: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class FireStations(Model):
    r"""Fire stations by type, with responsibility districts and the 5-minute standard.

    Sites :math:`j` (candidates and existing stations, ``instance.required``),
    types :math:`t` with district-area cap :math:`K_t`, cost :math:`c_t`, crew
    and engines; demand points :math:`i` with area :math:`a_i` (km²) and weight
    :math:`w_i` (= ``instance.weights``, population × risk). Costs of the
    instance are **driving** minutes :math:`d_{ij}`; a pair is within the
    standard when :math:`\tau + d_{ij} \le S` (turnout :math:`\tau`), i.e.
    :math:`j \in N_i = \{j : d_{ij} \le S - \tau\}`. Variables: :math:`x_j`
    open, :math:`y_{jt}` type (only where type :math:`t` is allowed),
    :math:`z_{ij}` district membership (only for :math:`j \in N_i`),
    :math:`u_i` second coverage, all binary except :math:`u`.

    .. math::

        \sum_t y_{jt} = x_j,\qquad z_{ij} \le x_j,\qquad
        \sum_i a_i z_{ij} \le \sum_t K_t y_{jt},\qquad
        \sum_{j \in N_i} z_{ij} \;\begin{cases} = 1 & i \text{ must be covered}\\
        \le 1 & \text{otherwise}\end{cases}

    ``mode="cover_all"`` ("eliminate blank spots", LSCP of Toregas et al. 1971
    with typed, area-capped districts): every demand point is in a district,
    :math:`\min \sum_j F_j x_j + \sum_{j,t} c_t y_{jt}` over counted sites
    (:math:`F_j` = ``instance.site_costs``, e.g. land; existing stations are
    not counted unless ``count_existing``). ``mode="max_cover"`` (MCLP of
    Church & ReVelle 1974): :math:`\max \sum_{i,j} w_i z_{ij}` under
    ``budget`` (:math:`\sum F_j x_j + c_t y_{jt}` over counted sites) and/or
    ``max_new`` (:math:`\sum_{j \text{ new}} x_j`). Both accept both limits.

    Second coverage (concurrent incidents, BACOP2 of Hogan & ReVelle 1986):
    ``second_cover="objective"`` adds
    :math:`\sum_{j\in N_i} x_j - \sum_j z_{ij} - u_i \ge 0,\; u_i \le \sum_j z_{ij}`
    and :math:`\pm\beta \sum_i w_i u_i` to the objective (``second_weight`` β;
    minus in cover_all, where β is in cost units per unit of weight);
    ``second_cover="require"`` adds :math:`\sum_{j\in N_i} x_j \ge 2` and
    :math:`\sum_j z_{ij} = 1` for the ``second_points``. ``closest=True``
    adds closest-assignment rows :math:`\sum_{k \in N_i: d_{ik} \le d_{ij}}
    z_{ik} \ge x_j` (Gerrard & Church 1996): a point's district is at its
    nearest open station that can hold it; otherwise a district station may
    be farther than the first responder (both are reported).

    Exact reductions: no :math:`z_{ij}` beyond the standard, or where
    :math:`a_i` exceeds every cap allowed at :math:`j`; no :math:`y_{jt}` for
    disallowed types; :math:`K_t=\infty` is replaced by :math:`\sum_i a_i`;
    :math:`u_i` is continuous (for binary :math:`x, z` its bound
    :math:`\min(1, \sum x - \sum z, \sum z)` is integral).

    Parameters
    ----------
    mode : {"cover_all", "max_cover"}
        Minimum cost to leave no blank spot, or maximum covered weight under limits.
    standard : float
        Minutes from dispatch to arrival (default 5: 建标152-2017 / GB 51080-2015
        §4.1.3, "reach the edge of the district within 5 min of the order").
    turnout : float
        Minutes from dispatch to wheels rolling (default 1: the ≈1 min turnout
        + 4 min drive behind the 5-minute rule, domain.md §1.1).
    types : pandas.DataFrame, optional
        Station types (``type, area_cap_km2, crew, cost, engines``; optional
        ``default_allowed``); default :func:`station_types` (costs illustrative).
    area : str or array-like
        Demand-point area in km²: a ``demand_frame`` column (default ``"area"``)
        or an array. Zeros switch the district caps off.
    allowed : optional
        Types allowed per site: a ``site_frame`` column, a mapping site id ->
        type name(s), a per-site sequence, or a boolean sites × types array.
    existing_types : optional
        Type of existing (required) stations: a ``site_frame`` column, mapping or
        sequence; None entries let the model choose (at no cost unless counted).
    budget, max_new : float, int, optional
        Cost limit over counted sites; number of new stations.
    second_cover : {None, "objective", "require"}
        Second coverage as an objective term or a requirement.
    second_weight : float, optional
        β of the objective term (max_cover default 0.5; cover_all must set it).
    second_points : optional
        Demand points second coverage applies to: boolean mask, ids or a
        boolean ``demand_frame`` column (default all).
    allow_blank : bool
        cover_all only: points no candidate can serve within the standard are
        reported as unavoidable blank spots instead of raising.
    closest : bool
        Districts at the nearest open station that can hold the point.
    count_existing : bool
        Count existing stations' cost in the objective and budget (default False).
    population : str or array-like, optional
        For reports: a ``demand_frame`` column or array (default the
        ``"population"`` column if present, else the weights).

    Raises
    ------
    InputError
        Bad parameters, unknown types, areas missing or negative.
    InfeasibleError
        cover_all with a point no candidate serves within the standard (ids
        and best response time listed), areas beyond all caps, second
        coverage impossible, existing stations over budget.

    References
    ----------
    Toregas, Swain, ReVelle & Bergman (1971) *Oper. Res.* 19(6):1363–1373.
    Church & ReVelle (1974) *Pap. Reg. Sci. Assoc.* 32:101–118.
    Hogan & ReVelle (1986) *Management Science* 32(11):1434–1444.
    Gerrard & Church (1996) Closest assignment constraints and location
    models: properties and structure. *Location Science* 4(4):251–270
    (citation recalled, not re-checked).
    建标152-2017 城市消防站建设标准; GB/T 35547-2017 乡镇消防队.
    """

    covering = True

    def __init__(
        self,
        mode: str = "cover_all",
        *,
        standard: float = 5.0,
        turnout: float = 1.0,
        types: pd.DataFrame | None = None,
        area: Any = "area",
        allowed: Any = None,
        existing_types: Any = None,
        budget: float | None = None,
        max_new: int | None = None,
        second_cover: str | None = None,
        second_weight: float | None = None,
        second_points: Any = None,
        allow_blank: bool = False,
        closest: bool = False,
        count_existing: bool = False,
        population: Any = None,
    ) -> None:
        self.mode = mode
        self.standard = standard
        self.turnout = turnout
        self.types = check_types(types)
        self.area = area
        self.allowed = allowed
        self.existing_types = existing_types
        self.budget = budget
        self.max_new = max_new
        self.second_cover = second_cover
        self.second_weight = second_weight
        self.second_points = second_points
        self.allow_blank = bool(allow_blank)
        self.closest = bool(closest)
        self.count_existing = bool(count_existing)
        self.population = population

    @property
    def sense(self) -> str:  # type: ignore[override]
        """``"min"`` (cost) in cover_all, ``"max"`` (covered weight) in max_cover."""
        return "min" if self.mode == "cover_all" else "max"

    @property
    def exact_objective(self) -> bool:  # type: ignore[override]
        """Exact unless the second-coverage term's continuous u may sit below its bound."""
        return self.beta == 0.0

    @property
    def max_cost(self) -> float | None:  # type: ignore[override]
        """The driving limit ``standard - turnout`` (instance costs are driving minutes)."""
        try:
            return float(self.standard) - float(self.turnout)
        except (TypeError, ValueError):
            return None

    @property
    def beta(self) -> float:
        """Weight of second coverage in the objective (0 unless ``second_cover="objective"``)."""
        if self.second_cover != "objective":
            return 0.0
        return 0.5 if self.second_weight is None else float(self.second_weight)

    def __repr__(self) -> str:
        keys = ("mode", "standard", "turnout", "budget", "max_new", "second_cover", "closest")
        params = ", ".join(f"{k}={getattr(self, k)!r}" for k in keys)
        return f"FireStations({params}, types={self.types['type'].tolist()})"

    # ------------------------------------------------------------------ inputs
    def _check_params(self) -> None:
        def number(name: str, value: Any, *, positive: bool = False) -> float:
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise InputError(f"{name}: must be a number, got {value!r}", field=name) from None
            if not np.isfinite(v) or v < 0 or (positive and v == 0):
                need = "> 0" if positive else ">= 0"
                raise InputError(f"{name}: must be finite and {need}, got {value!r}", field=name)
            return v

        if self.mode not in MODES:
            raise InputError(f"mode: choose one of {list(MODES)}, got {self.mode!r}", field="mode")
        s = number("standard", self.standard, positive=True)
        if number("turnout", self.turnout) > s:
            raise InputError(
                f"turnout: {self.turnout!r} min exceeds the standard {self.standard!r} min, "
                "leaving no driving time",
                field="turnout",
            )
        if self.budget is not None:
            number("budget", self.budget)
        if self.max_new is not None and (
            isinstance(self.max_new, bool)
            or not isinstance(self.max_new, (int, np.integer))
            or self.max_new < 0
        ):
            raise InputError(
                f"max_new: must be an integer >= 0, got {self.max_new!r}", field="max_new"
            )
        if self.mode == "max_cover" and self.budget is None and self.max_new is None:
            raise InputError(
                "budget: max_cover needs a budget and/or max_new; without limits use "
                "mode='cover_all'",
                field="budget",
            )
        if self.second_cover not in SECOND:
            raise InputError(
                f"second_cover: choose one of {list(SECOND)}, got {self.second_cover!r}",
                field="second_cover",
            )
        if self.second_weight is not None:
            number("second_weight", self.second_weight)
        if self.second_cover == "objective" and self.mode == "cover_all":
            if self.second_weight is None:
                raise InputError(
                    "second_weight: cover_all with second_cover='objective' needs the value of "
                    "one unit of weight covered twice, in cost units (e.g. 0.01)",
                    field="second_weight",
                )
        if self.allow_blank and self.mode != "cover_all":
            raise InputError("allow_blank: applies to mode='cover_all' only", field="allow_blank")

    def _prepare(self, instance: Instance) -> FireData:
        self._check_params()
        return prepare(self, instance)

    def validate(self, instance: Instance) -> None:
        d = self._prepare(instance)
        ids = instance.demand_ids
        lost = np.flatnonzero(d.must & d.blank)
        if lost.size:
            site, best = nearest_open(instance, d.allowed.any(axis=1))
            near_any = np.bincount(d.rows, minlength=instance.n_demand) > 0
            parts = []
            for i in lost[:10]:  # at most ten named in the message
                if near_any[i]:
                    why = f"area {d.area[i]:g} km² exceeds every station cap within the standard"
                elif site[i] >= 0:
                    t = float(self.turnout) + best[i]
                    why = f"best {t:g} min, from site {instance.site_ids[site[i]]!r}"
                else:
                    why = "no candidate site reachable"
                parts.append(f"{ids[i]!r} ({why})")
            more = f" and {lost.size - 10} more" if lost.size > 10 else ""
            cover_all = self.mode == "cover_all" and not self.allow_blank
            raise InfeasibleError(
                f"{lost.size} demand point(s) cannot be served within the {self.standard:g}-minute "
                f"standard (turnout {self.turnout:g} + driving {self.max_cost:g} min) by any "
                f"candidate station, so {'cover_all' if cover_all else 'second coverage'} is "
                f"impossible: {', '.join(parts)}{more}. Add candidate sites near them, allow "
                "bigger station types, raise the standard"
                + (", or pass allow_blank=True to list them as blank spots." if cover_all else ".")
            )
        if self.second_cover == "require":
            n_near = np.bincount(d.rows, minlength=instance.n_demand)
            short = np.flatnonzero(d.second & (n_near < 2))
            if short.size:
                raise InfeasibleError(
                    f"second coverage: {short.size} key demand point(s) have fewer than 2 "
                    f"candidate stations within the {self.standard:g}-minute standard: "
                    + ", ".join(f"{ids[i]!r} ({n_near[i]})" for i in short[:10])
                )
        maxcap = np.where(d.allowed, d.cap[None, :], 0.0).max(axis=1)
        # points with a single usable site all load that site: its largest cap must hold them
        ur, uc = d.rows[d.use], d.cols[d.use]
        only = d.must & (np.bincount(ur, minlength=instance.n_demand) == 1)
        sel = only[ur]
        load = np.bincount(uc[sel], weights=d.area[ur[sel]], minlength=instance.n_sites)
        over = np.flatnonzero(load > maxcap + 1e-9)
        if over.size:
            j = over[0]
            pts = ur[sel][uc[sel] == j]
            raise InfeasibleError(
                f"site {instance.site_ids[j]!r} is the only candidate within the standard for "
                f"{pts.size} demand point(s) totalling {load[j]:g} km², above the largest district "
                f"allowed there ({maxcap[j]:g} km²): {ids[pts[:10]].tolist()}"
                + (f"; {over.size - 1} more site(s) alike" if over.size > 1 else "")
                + ". Add candidate sites near them, allow a bigger type, or use mode='max_cover'."
            )
        need = float(d.area[d.must].sum())
        req = instance.required
        have = maxcap[req].sum() + (
            np.sort(maxcap[~req])[::-1][: self.max_new].sum()
            if self.max_new is not None
            else maxcap[~req].sum()
        )
        if have < need - 1e-9:
            raise InfeasibleError(
                f"districts must hold {need:,.6g} km² of demand area but the stations allowed "
                + ("" if self.max_new is None else f"(existing + {self.max_new} new) ")
                + f"can hold at most {have:,.6g} km²; allow bigger types or more stations"
            )
        if self.budget is not None:
            cheapest = np.where(d.allowed, d.cost[None, :], np.inf).min(axis=1)
            fixed_cost = float((d.fixed + cheapest)[req & d.counted].sum())
            if fixed_cost > float(self.budget) + 1e-9:
                raise InfeasibleError(
                    f"budget: existing stations already cost at least {fixed_cost:,.6g} "
                    f"(count_existing=True) but the budget is {float(self.budget):,.6g}"
                )

    # ------------------------------------------------------------------ MILP
    def build(self, instance: Instance) -> Milp:
        d = self._prepare(instance)
        n, (m, _) = instance.n_demand, d.allowed.shape
        cover_all = self.mode == "cover_all"
        b = MilpBuilder(f"fire-stations-{self.mode}", self.sense)
        cnt = d.counted.astype(float)
        x = b.add_cols(
            "open",
            m,
            obj=d.fixed * cnt if cover_all else 0.0,
            lb=instance.required.astype(float),
            ub=d.allowed.any(axis=1).astype(float),
            integer=True,
        )
        js, ts = np.nonzero(d.allowed)
        y = b.add_cols(
            "type", js.size, obj=d.cost[ts] * cnt[js] if cover_all else 0.0, ub=1.0, integer=True
        )
        b.add_rows(  # sum_t y_jt - x_j = 0
            "one_type",
            rows=np.concatenate([js, np.arange(m)]),
            cols=np.concatenate([y, x]),
            vals=np.concatenate([np.ones(js.size), -np.ones(m)]),
            lb=0.0,
            ub=0.0,
            n_rows=m,
        )
        ri, rj = d.rows[d.use], d.cols[d.use]
        z = b.add_cols(
            "assign", ri.size, obj=0.0 if cover_all else d.weight[ri], ub=1.0, integer=True
        )
        k = np.arange(ri.size)
        b.add_rows(  # z_ij - x_j <= 0
            "link",
            rows=np.concatenate([k, k]),
            cols=np.concatenate([z, x[rj]]),
            vals=np.concatenate([np.ones(k.size), -np.ones(k.size)]),
            ub=0.0,
            n_rows=k.size,
        )
        b.add_rows(  # sum_i a_i z_ij - sum_t K_t y_jt <= 0
            "area",
            rows=np.concatenate([rj, js]),
            cols=np.concatenate([z, y]),
            vals=np.concatenate([d.area[ri], -d.cap[ts]]),
            ub=0.0,
            n_rows=m,
        )
        b.add_rows(
            "assign_once", rows=ri, cols=z, vals=1.0, lb=d.must.astype(float), ub=1.0, n_rows=n
        )
        if self.budget is not None:
            sel = d.counted[js]
            c = np.flatnonzero(d.counted)
            b.add_rows(
                "budget",
                rows=np.zeros(c.size + int(sel.sum())),
                cols=np.concatenate([x[c], y[sel]]),
                vals=np.concatenate([d.fixed[c], d.cost[ts[sel]]]),
                ub=float(self.budget),
                n_rows=1,
            )
        if self.max_new is not None:
            new = np.flatnonzero(~instance.required)
            b.add_rows(
                "max_new",
                rows=np.zeros(new.size),
                cols=x[new],
                vals=1.0,
                ub=float(self.max_new),
                n_rows=1,
            )
        if self.second_cover is not None:
            self._second_rows(b, instance, d, x, z, ri)
        if self.closest:
            self._closest_rows(b, d, x, z)
        return b.build()

    def _second_points(self, instance: Instance, d: FireData) -> np.ndarray:
        """Points that get a u_i: in scope, can be in a district, >= 2 stations within reach."""
        n_near = np.bincount(d.rows, minlength=instance.n_demand)
        return np.flatnonzero(d.second & ~d.blank & (n_near >= 2))

    def _second_rows(self, b: MilpBuilder, instance: Instance, d: FireData, x, z, ri) -> None:
        local = np.full(instance.n_demand, -1, dtype=np.int64)
        if self.second_cover == "require":
            key = np.flatnonzero(d.second)
            local[key] = np.arange(key.size)
            sel = d.second[d.rows]
            b.add_rows(  # sum_{j in N_i} x_j >= 2
                "second_required",
                rows=local[d.rows[sel]],
                cols=x[d.cols[sel]],
                vals=1.0,
                lb=2.0,
                n_rows=key.size,
            )
            return
        pts = self._second_points(instance, d)
        local[pts] = np.arange(pts.size)
        sign = -1.0 if self.mode == "cover_all" else 1.0
        u = b.add_cols("second", pts.size, obj=sign * self.beta * d.weight[pts], ub=1.0)
        near = local[d.rows] >= 0
        zsel = local[ri] >= 0
        k = np.arange(pts.size)
        b.add_rows(  # sum_{N_i} x_j - sum_j z_ij - u_i >= 0
            "second_cover",
            rows=np.concatenate([local[d.rows[near]], local[ri[zsel]], k]),
            cols=np.concatenate([x[d.cols[near]], z[zsel], u]),
            vals=np.concatenate([np.ones(int(near.sum())), -np.ones(int(zsel.sum()) + k.size)]),
            lb=0.0,
            n_rows=pts.size,
        )
        b.add_rows(  # u_i - sum_j z_ij <= 0
            "second_after_first",
            rows=np.concatenate([k, local[ri[zsel]]]),
            cols=np.concatenate([u, z[zsel]]),
            vals=np.concatenate([np.ones(k.size), -np.ones(int(zsel.sum()))]),
            ub=0.0,
            n_rows=pts.size,
        )

    def _closest_rows(self, b: MilpBuilder, d: FireData, x, z) -> None:
        """sum_{k usable for i, d_ik <= d_ij} z_ik - x_j >= 0 for every usable pair (i, j)."""
        r, c, t = d.rows[d.use], d.cols[d.use], d.time[d.use]
        order = np.lexsort((c, t, r))
        r, t = r[order], t[order]
        p = r.size
        change = np.ones(p, dtype=bool)
        change[1:] = (r[1:] != r[:-1]) | (t[1:] != t[:-1])
        tie_end = np.append(np.flatnonzero(change)[1:] - 1, p - 1)[np.cumsum(change) - 1]
        start = np.searchsorted(r, r, side="left")
        size = tie_end - start + 1
        row = np.repeat(np.arange(p), size)
        pos = np.repeat(start, size) + np.arange(row.size) - np.repeat(np.cumsum(size) - size, size)
        b.add_rows(
            "closest",
            rows=np.concatenate([row, np.arange(p)]),
            cols=np.concatenate([z[order[pos]], x[c[order]]]),
            vals=np.concatenate([np.ones(row.size), -np.ones(p)]),
            lb=0.0,
            n_rows=p,
        )

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> StationPlan:
        d = self._prepare(instance)
        js, ts = np.nonzero(d.allowed)
        st = np.full(instance.n_sites, -1, dtype=np.int64)
        on = np.round(milp.block(x, "type")) > 0.5
        st[js[on]] = ts[on]
        zv = np.round(milp.block(x, "assign")) > 0.5
        return StationPlan(
            np.round(milp.block(x, "open")) > 0.5,
            d.rows[d.use][zv],
            d.cols[d.use][zv],
            np.ones(int(zv.sum())),
            station_type=st,
        )

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        d = self._prepare(instance)
        out = super().encode(instance, milp, plan)
        st = getattr(plan, "station_type", np.full(instance.n_sites, -1))
        js, ts = np.nonzero(d.allowed)
        out[milp.col_blocks["type"]] = (st[js] == ts) & plan.open[js]
        keys = d.rows[d.use] * instance.n_sites + d.cols[d.use]
        assigned = np.isin(keys, plan.demand_idx * instance.n_sites + plan.site_idx)
        out[milp.col_blocks["assign"]] = assigned
        if "second" in milp.col_blocks:
            pts = self._second_points(instance, d)
            a = np.bincount(plan.demand_idx, minlength=instance.n_demand)[pts]
            cnt = coverage_counts(instance, plan.open, d.limit)[pts]
            out[milp.col_blocks["second"]] = np.clip(np.minimum(cnt - a, a), 0, 1)
        return out

    # ------------------------------------------------------------------ re-checks
    def _costs(self, instance: Instance, d: FireData, plan: Plan) -> float:
        st = getattr(plan, "station_type", None)
        st = np.full(instance.n_sites, -1) if st is None or st.shape != plan.open.shape else st
        ok = (st >= 0) & (st < d.cost.size)
        per_site = d.fixed + np.where(ok, d.cost[np.clip(st, 0, d.cost.size - 1)], 0.0)
        return float(per_site[plan.open & d.counted].sum())

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        d = self._prepare(instance)
        assigned = np.bincount(plan.demand_idx, minlength=instance.n_demand) > 0
        sec = 0.0
        if self.beta:
            twice = coverage_counts(instance, plan.open, d.limit) >= 2
            sec = self.beta * float(d.weight[d.second & assigned & twice].sum())
        if self.mode == "cover_all":
            return self._costs(instance, d, plan) - sec
        return float(d.weight[assigned].sum()) + sec

    def check(self, instance: Instance, plan: Plan) -> list[str]:
        d = self._prepare(instance)
        c = Checker(instance, plan)
        c.sites()
        if c.breaches and plan.open.shape != (instance.n_sites,):
            return c.breaches
        m, ids, sids = instance.n_sites, instance.demand_ids, instance.site_ids
        st = getattr(plan, "station_type", None)
        if st is None or np.shape(st) != (m,):
            c.fail("plan carries no station type per site (expected a StationPlan)")
            return c.breaches
        open_ = plan.open
        T = len(d.types)
        bad = np.flatnonzero(open_ & ((st < 0) | (st >= T)))
        if bad.size:
            c.fail(f"open stations without a valid type: {sids[bad[:5]].tolist()}")
        if (~open_ & (st >= 0)).any():
            c.fail(f"closed sites with a type: {sids[~open_ & (st >= 0)][:5].tolist()}")
        typed = open_ & (st >= 0) & (st < T)
        stc = np.clip(st, 0, T - 1)
        off = np.flatnonzero(typed & ~d.allowed[np.arange(m), stc])
        if off.size:
            c.fail(
                f"station type not allowed at {off.size} site(s), e.g. {sids[off[0]]!r} built as "
                f"{d.types['type'][stc[off[0]]]!r}"
            )
        n_new = int((open_ & ~instance.required).sum())
        if self.max_new is not None and n_new > self.max_new:
            c.fail(f"{n_new} new stations open, at most {self.max_new} allowed")
        spent = self._costs(instance, d, plan)
        if self.budget is not None and spent > float(self.budget) + 1e-6 * max(1, spent):
            c.fail(f"cost {spent:,.10g} exceeds the budget {float(self.budget):,.10g}")
        c.allocation(max_cost=d.limit, single_source=True, full=False)
        i, j = plan.demand_idx, plan.site_idx
        if i.size and (i.min() < 0 or i.max() >= instance.n_demand or j.min() < 0 or j.max() >= m):
            return c.breaches
        if (np.abs(plan.share - 1) > 1e-6).any():
            c.fail("district membership shares must all be 1 (a point is wholly in one district)")
        times = np.bincount(i, minlength=instance.n_demand)
        if (times > 1).any():
            c.fail(f"demand points in more than one district: {ids[times > 1][:5].tolist()}")
        load = np.bincount(j, weights=d.area[i] * plan.share, minlength=m)
        cap = np.where(typed, d.types["area_cap_km2"].to_numpy(float)[stc], 0.0)
        over = np.flatnonzero(load > cap + 1e-6 * np.maximum(1.0, load))
        if over.size:
            k = over[0]
            c.fail(
                f"district area exceeds the type's cap at {over.size} station(s), e.g. "
                f"{sids[k]!r}: {load[k]:g} km² > {cap[k]:g} km²"
            )
        lost = np.flatnonzero(d.must & (times == 0))
        if lost.size:
            c.fail(
                f"{lost.size} demand points that must be covered are in no district within the "
                f"standard (blank spots): {ids[lost[:5]].tolist()}"
            )
        if self.second_cover == "require":
            cnt = coverage_counts(instance, open_, d.limit)
            short = np.flatnonzero(d.second & (cnt < 2))
            if short.size:
                c.fail(
                    f"second coverage required but {short.size} key points have fewer than two "
                    f"open stations within the standard: {ids[short[:5]].tolist()}"
                )
        if self.closest:
            ok = d.use & open_[d.cols]
            best = np.full(instance.n_demand, np.inf)
            np.minimum.at(best, d.rows[ok], d.time[ok])
            got = np.full(instance.n_demand, np.inf)
            np.minimum.at(got, i, instance.cost_of(i, j))
            far = np.flatnonzero((got > best + 1e-9) | ((times == 0) & np.isfinite(best)))
            if far.size:
                c.fail(
                    f"closest assignment violated: {far.size} demand points not in the district of "
                    f"their nearest open station that can hold them: {ids[far[:5]].tolist()}"
                )
        return c.breaches

    # ------------------------------------------------------------------ reports
    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """Stations by type, per-point responders, blank spots, and a summary.

        Returns
        -------
        dict of pandas.DataFrame
            ``stations`` (open stations: type, crew, engines, cost, district
            area and population), ``by_type``, ``demand`` (district station,
            first and second responder by response time = turnout + driving,
            stations within the standard, covered / second-covered / blank),
            ``blank_spots`` (with the reason) and ``summary`` (metric -> value:
            crews needed, population within the standard before = existing
            stations only and after = plan, etc.).
        """
        return station_report(self, instance, plan, self._prepare(instance))
