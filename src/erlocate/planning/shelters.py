"""Emergency shelters: capacitated location–allocation of people to shelters by class."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError, InputError
from erlocate.instance import Instance
from erlocate.milp import Milp, MilpBuilder
from erlocate.models.base import Model, Pairs
from erlocate.plan import TOL, Checker, Plan

__all__ = ["Shelters", "default_classes"]

_INF = np.inf
_CLASSES = [  # class, m2_per_person, max_walk_minutes, max_walk_m, source
    ("emergency", 1.0, 10.0, 500.0, "GB 50413-2007 §8.2: >= 1 m²/person, ~500 m, <= 10 min walk"),
    ("fixed", 2.0, 60.0, 3000.0, "GB 50413-2007 §8.2: >= 2 m²/person, 2–3 km (upper end), 1 h"),
    ("I", 1.5, 60.0, 3000.0, "GB 21734-2008 §5.4: > 1.5 m²/person; walk limit assumed as fixed"),
    ("II", 1.5, 60.0, 3000.0, "GB 21734-2008 §5.4: > 1.5 m²/person; walk limit assumed as fixed"),
    ("III", 1.5, 60.0, 3000.0, "GB 21734-2008 §5.4: > 1.5 m²/person; walk limit assumed as fixed"),
    ("sphere", 3.5, _INF, _INF, "Sphere Handbook shelter std 3: >= 3.5 m² covered; no walk limit"),
]
_LIMIT_COL = {"minutes": "max_walk_minutes", "metres": "max_walk_m"}
_BANDS = {"minutes": (10.0, 30.0, 60.0), "metres": (500.0, 1500.0, 3000.0)}


def default_classes() -> pd.DataFrame:
    """The default shelter class table (a fresh copy; edit it and pass ``classes=``).

    Index ``class``; columns ``m2_per_person`` (usable m² each sheltered person
    needs), ``max_walk_minutes`` and ``max_walk_m`` (walking limit from a
    community to a shelter of that class; ``inf`` = none) and ``source``.
    Rows: GB 50413-2007 §8.2 ``emergency`` (1 m², 10 min / 500 m) and ``fixed``
    (2 m², 1 h / 3 km, the upper end of its 2–3 km); GB 21734-2008 classes
    ``I``/``II``/``III`` (> 1.5 m², §5.4), whose walking limit is *our
    assumption* (the fixed-shelter 1 h / 3 km; the standard gives none);
    ``sphere`` (Sphere Handbook, 3.5 m² covered living space, no walking norm).
    See BRIEF.md item 5 and reference/domain.md §1.3 and §2.
    """
    cols = ["class", "m2_per_person", "max_walk_minutes", "max_walk_m", "source"]
    return pd.DataFrame(_CLASSES, columns=cols).set_index("class")


def _n(x: float) -> str:
    """A people / area figure for messages: 42,000 or 42,000.5."""
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-6 else f"{x:,.1f}"


def _count(k: int) -> str:
    return f"{k} communit{'y' if k == 1 else 'ies'}"


def _resolution(v: np.ndarray) -> float:
    """Largest 10^-d (d <= 6) of which every value is a multiple (1e-6 otherwise)."""
    for d in range(7):
        s = np.asarray(v, dtype=float) * 10.0**d
        if np.all(np.abs(s - np.round(s)) <= 1e-9 * np.maximum(1.0, np.abs(s))):
            return 10.0**-d
    return 1e-6


def _lex_weights(levels: list[tuple[float, float]]) -> list[float]:
    """Weights making sum_l w_l f_l lexicographic over levels (resolution δ_l, bound UB_l).

    T_last = f_last; T_l = f_l + δ_l / (UB(T_{l+1}) + 1) · T_{l+1}. As f_l moves by
    multiples of δ_l and 0 <= tail < δ_l, the first level decides, then the next.
    """
    w = [1.0] * len(levels)
    tail_ub = levels[-1][1]
    for k in range(len(levels) - 2, -1, -1):
        scale = levels[k][0] / (tail_ub + 1.0)
        w[k + 1 :] = [v * scale for v in w[k + 1 :]]
        tail_ub = levels[k][1] + scale * tail_ub
    return w


def _values(value: Any, frame: Any, n: int, field: str, where: str) -> np.ndarray:
    """A number, an array of n numbers, or a column of ``instance.<where>`` -> float array."""
    if isinstance(value, str):
        if frame is None or value not in frame.columns:
            raise InputError(
                f"{field}: no column {value!r} in instance.{where}; pass {n} values or the name "
                f"of a column of instance.{where}",
                field=field,
            )
        value = frame[value].to_numpy()
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{field}: must be numeric, got {value!r}", field=field) from None
    arr = np.full(n, float(arr)) if arr.ndim == 0 else arr
    if arr.shape != (n,):
        raise InputError(f"{field}: expected {n} values, got shape {arr.shape}", field=field)
    if not np.isfinite(arr).all():
        bad = np.flatnonzero(~np.isfinite(arr))[:5].tolist()
        raise InputError(f"{field}: NaN or infinite at positions {bad}", field=field)
    return arr


@dataclass(frozen=True, eq=False)
class _Data:
    """Everything a plan is checked against, resolved from the instance and the parameters."""

    names: list[str]  # scenario names
    shares: list[float | None]  # scalar share per scenario (None for per-community shares)
    pop: np.ndarray  # residents per community
    people: np.ndarray  # (S, n) people to shelter per scenario
    hbar: np.ndarray  # objective weight: people to shelter, mean over scenarios
    hmax: np.ndarray  # the largest load a community brings (any scenario)
    active: np.ndarray  # communities with someone to shelter
    cls: np.ndarray  # class label per site
    m2pp: np.ndarray  # m² per person per site
    limit: np.ndarray  # walking limit per site
    area: np.ndarray | None  # usable area per site (None: capacities given directly)
    cap: np.ndarray  # people per site
    allowed: np.ndarray  # mask over instance pairs: active community, within the class limit
    pairs: Pairs  # usable pairs (allowed, and the community fits): the z variables
    keep: list[int]  # scenarios whose capacity rows are not dominated by another's


class Shelters(Model):
    r"""Shelter location–allocation: keep existing shelters, add new ones, house everyone.

    Communities :math:`i` (demand points) send :math:`h_{is} = a_{is} P_i` people
    to shelter in scenario :math:`s` (share :math:`a_{is}` of population
    :math:`P_i`). Sites :math:`j` are shelters (``instance.required``: existing,
    kept) or candidates; a shelter of class :math:`k(j)` holds
    :math:`K_j = A_j / m_{k(j)}` people (usable area :math:`A_j`, m² per person
    :math:`m_k`) and serves community :math:`i` only if the walk
    :math:`c_{ij} \le T_{k(j)}` (costs are walking minutes or metres,
    ``cost_unit``). Binary :math:`x_j` (open) and :math:`z_{ij}` (community
    :math:`i` goes to :math:`j`, single assignment):

    .. math::

        \min\; \sum_i \sum_j \bar h_i c_{ij} z_{ij}
        \quad\text{s.t.}\quad
        \sum_j z_{ij} = 1,\quad z_{ij} \le x_j,\quad
        \sum_i h_{is} z_{ij} \le K_j x_j \;\forall j, s,\quad
        \sum_{j \notin R} x_j \le k \;(= k),\quad x_j = 1 \;(j \in R),

    with :math:`\bar h_i` the mean of :math:`h_{is}` over scenarios. One plan
    serves every scenario (every community knows its shelter). With
    ``new=None`` the first objective is the number of new shelters (or their
    ``instance.site_costs``), walking time second; ``allow_unhoused=True``
    relaxes :math:`\sum_j z_{ij} \le 1` and puts unhoused people
    :math:`\sum_i \bar h_i (1 - \sum_j z_{ij})` first. Levels are combined in
    one objective :math:`f_1 + \frac{\delta_1}{UB_2 + 1} f_2 + \dots` where
    :math:`\delta_1` is the resolution of :math:`f_1` (1 for a count; the
    decimal resolution, up to :math:`10^{-6}`, of site costs or people) and
    :math:`UB_2` a bound on the rest (walking: :math:`\sum_i \bar h_i \max_j
    c_{ij}`); since a change of :math:`f_1` is at least :math:`\delta_1` and
    the rest lies in :math:`[0, \delta_1)`, this is exactly lexicographic.

    ``closest=True`` adds the closest-assignment rows (Wagner & Falkson 1975;
    Gerrard & Church 1996): for every community :math:`i` and shelter
    :math:`j` within its limit, :math:`x_j + \sum_{l \succ_i j} z_{il} \le 1`,
    where :math:`l \succ_i j` means strictly farther (``ties="any"``: any of
    the equally near open shelters is fine) or later in (cost, site order)
    (``ties="first"``: the first one in ``instance.site_ids`` wins). With
    :math:`\sum_j z_{ij} = 1` this is :math:`\sum_{l \preceq_i j} z_{il} \ge
    x_j`; the :math:`\le 1` form also lets an unhoused community stay so.
    "Closest" ranges over the shelters the community may use (within their
    class's walking limit).

    Exact reductions: no :math:`z_{ij}` beyond the class limit, unreachable,
    or where :math:`\max_s h_{is} > K_j` (single assignment could never use
    it; its closest-assignment row is kept); capacity rows of a scenario
    dominated by another (:math:`h_{is} \le h_{it}\;\forall i`) are dropped.
    Modelling choices: a community with nobody to shelter in any scenario is
    not assigned; walking is weighed by the people who walk (:math:`\bar h_i`);
    people are not rounded (0.3 × 1,001 = 300.3); capacity is
    :math:`A_j / m_k` without rounding down.

    Parameters
    ----------
    share : float, array, str or mapping, default 0.3
        Share of each community's population to shelter: one number, one per
        community, a column of ``instance.demand_frame``, or a mapping
        scenario name -> any of those. Default 30 %: provincial practice
        sizes shelters for 20–30 % of the population, ≥ 30 % in central urban
        areas (Guangdong outline; BRIEF.md item 5).
    population : array or str, optional
        Residents per community (array or ``demand_frame`` column); default
        ``instance.weights``.
    area : array or str, optional
        Usable area per site in m² (array or ``site_frame`` column). When
        given, capacity = area / class m² per person and ``instance.capacities``
        is ignored; when None, ``instance.capacities`` (people) is used.
    site_class : str or array, default "fixed"
        Class per site: a ``site_frame`` column name (wins), one class for all sites
        (a row of ``classes``), or one label per site.
    classes : DataFrame or mapping, optional
        Class table (index = class; ``m2_per_person`` and ``max_walk_minutes``
        or ``max_walk_m``; NaN/inf = no walking limit); default
        :func:`default_classes`.
    cost_unit : {"minutes", "metres"}
        Unit of the instance costs (walking time or distance).
    new : int, optional
        At most ``new`` new shelters (exactly, with ``exact_new``); None: the
        fewest (cheapest, if the instance has site costs) that house everyone.
    exact_new : bool
        Open exactly ``new`` candidates.
    closest : bool
        Nobody passes an open shelter (within reach) to reach theirs.
    ties : {"any", "first"}
        Tie rule of closest assignment (see above).
    allow_unhoused : bool
        House as many people as possible instead of raising InfeasibleError.
    walk_bands : sequence of float, optional
        Report thresholds; default 10/30/60 min or 500/1,500/3,000 m
        (GB 50413: 10 min ≈ 500 m, 1 h ≈ 3 km).

    Raises
    ------
    InputError
        Shares outside [0, 1], unknown classes, negative areas, bad parameters.
    InfeasibleError
        Before solving: total capacity below the people to shelter,
        communities with no shelter within the walking limit, communities
        larger than every shelter they can reach.

    References
    ----------
    Wagner, J.L. & Falkson, L.M. (1975). The optimal nodal location of public
    facilities with price-sensitive demand. *Geographical Analysis* 7(1), 69–83.
    Gerrard, R.A. & Church, R.L. (1996). Closest assignment constraints and
    location models: properties and structure. *Location Science* 4(4), 251–270.
    GB 50413-2007 §8.2; GB 21734-2008 §5.4; Sphere Handbook (2018), shelter standard 3.
    """

    def __init__(
        self,
        *,
        share: Any = 0.3,
        population: Any = None,
        area: Any = None,
        site_class: Any = "fixed",
        classes: pd.DataFrame | Mapping[str, Mapping[str, float]] | None = None,
        cost_unit: str = "minutes",
        new: int | None = None,
        exact_new: bool = False,
        closest: bool = False,
        ties: str = "any",
        allow_unhoused: bool = False,
        walk_bands: Sequence[float] | None = None,
    ) -> None:
        self.share = share
        self.population = population
        self.area = area
        self.site_class = site_class
        self.classes = classes
        self.cost_unit = cost_unit
        self.new = new
        self.exact_new = exact_new
        self.closest = closest
        self.ties = ties
        self.allow_unhoused = allow_unhoused
        self.walk_bands = walk_bands

    def __repr__(self) -> str:
        def short(v: Any) -> str:
            return f"<{len(v)} values>" if isinstance(v, (np.ndarray, pd.Series, list)) else repr(v)

        params = ", ".join(f"{k}={short(v)}" for k, v in vars(self).items())
        return f"Shelters({params})"

    # ------------------------------------------------------------------ data
    def _params(self, instance: Instance) -> None:
        if self.cost_unit not in _LIMIT_COL:
            raise InputError(
                f"cost_unit: {self.cost_unit!r}; use 'minutes' or 'metres'", field="cost_unit"
            )
        if self.ties not in ("any", "first"):
            raise InputError(f"ties: {self.ties!r}; use 'any' or 'first'", field="ties")
        n_cand = int((~instance.required).sum())
        if self.new is not None:
            if isinstance(self.new, bool) or not isinstance(self.new, (int, np.integer)):
                raise InputError(f"new: an integer or None, got {self.new!r}", field="new")
            if self.new < 0:
                raise InputError(f"new: must be >= 0, got {self.new}", field="new")
            if self.exact_new and self.new > n_cand:
                raise InputError(
                    f"new: cannot open exactly {self.new} new shelters with {n_cand} candidate "
                    "sites",
                    field="new",
                )
        elif self.exact_new:
            raise InputError("exact_new: needs new=k (the number of new shelters)", field="new")

    def _class_table(self) -> pd.DataFrame:
        t = self.classes
        if t is None:
            return default_classes()
        if isinstance(t, Mapping):
            t = pd.DataFrame.from_dict(dict(t), orient="index")
        if not isinstance(t, pd.DataFrame):
            raise InputError("classes: a DataFrame indexed by class, or a mapping", field="classes")
        need = ["m2_per_person", _LIMIT_COL[self.cost_unit]]
        missing = [c for c in need if c not in t.columns]
        if missing:
            raise InputError(f"classes: missing columns {missing}", field="classes")
        m = pd.to_numeric(t["m2_per_person"], errors="coerce").to_numpy(float)
        bad = ~(np.isfinite(m) & (m > 0))
        if bad.any():
            raise InputError(
                f"classes: m2_per_person must be > 0; bad for {t.index[bad].tolist()}",
                field="classes",
            )
        lim = pd.to_numeric(t[need[1]], errors="coerce").to_numpy(float)
        if (lim < 0).any():
            raise InputError(f"classes: {need[1]} must be >= 0", field="classes")
        return t

    def _data(self, instance: Instance) -> _Data:
        self._params(instance)
        n, m = instance.n_demand, instance.n_sites
        dframe, sframe = instance.demand_frame, instance.site_frame
        pop = instance.weights if self.population is None else self.population
        pop = _values(pop, dframe, n, "population", "demand_frame")
        if (pop < 0).any():
            k = np.flatnonzero(pop < 0)
            raise InputError(
                f"population: must be >= 0; negative for {instance.demand_ids[k[:5]].tolist()}",
                field="population",
            )
        raw = self.share if isinstance(self.share, Mapping) else {"base": self.share}
        if not raw:
            raise InputError("share: the scenario mapping is empty", field="share")
        names, shares, people = [], [], []
        for name, value in raw.items():
            a = _values(value, dframe, n, "share", "demand_frame")
            for bad, what in ((a < 0, "negative"), (a > 1, "above 1")):
                if bad.any():
                    k = np.flatnonzero(bad)
                    raise InputError(
                        f"share: must be in [0, 1] (a share of the population); {what} in "
                        f"scenario {name!r} at communities {instance.demand_ids[k[:5]].tolist()} "
                        f"(e.g. {a[k[0]]:g})",
                        field="share",
                    )
            scalar = np.isscalar(value) and not isinstance(value, str)
            names.append(str(name))
            shares.append(float(value) if scalar else None)
            people.append(a * pop)
        people = np.vstack(people)
        keep = [
            s
            for s in range(len(names))
            if not any(
                t != s
                and (people[t] >= people[s]).all()
                and ((people[t] > people[s]).any() or t < s)
                for t in range(len(names))
            )
        ]

        table = self._class_table()
        cls = self.site_class
        if isinstance(cls, str) and sframe is not None and cls in sframe.columns:
            cls = sframe[cls].to_numpy()
        cls = np.full(m, cls, dtype=object) if isinstance(cls, str) else np.asarray(cls, object)
        if cls.shape != (m,):
            raise InputError(
                f"site_class: expected {m} labels, got {cls.shape}", field="site_class"
            )
        unknown = [lab for lab in pd.unique(cls) if lab not in table.index]
        if unknown:
            at = instance.site_ids[pd.Index(cls).isin(unknown)][:5].tolist()
            raise InputError(
                f"site_class: unknown shelter class(es) {unknown} at sites {at}; known: "
                f"{table.index.tolist()} (pass classes= with a row for each class)",
                field="site_class",
            )
        pos = table.index.get_indexer(cls)
        m2pp = pd.to_numeric(table["m2_per_person"]).to_numpy(float)[pos]
        limit = pd.to_numeric(table[_LIMIT_COL[self.cost_unit]]).to_numpy(float)[pos]
        limit = np.where(np.isnan(limit), np.inf, limit)

        area = None
        if self.area is not None:
            area = _values(self.area, sframe, m, "area", "site_frame")
            if (area < 0).any():
                k = np.flatnonzero(area < 0)
                raise InputError(
                    f"area: usable area must be >= 0 m²; negative at sites "
                    f"{instance.site_ids[k[:5]].tolist()} (e.g. {area[k[0]]:g})",
                    field="area",
                )
            cap = area / m2pp
        elif np.isfinite(instance.capacities).any():
            cap = np.asarray(instance.capacities, dtype=float)
        else:
            raise InputError(
                "area: no shelter capacity given; pass area= (usable m² per site: an array or a "
                "site_frame column) or build the instance with capacities= (people per site)",
                field="area",
            )

        hmax, active = people.max(axis=0), people.max(axis=0) > 0
        rows, cols = instance.pair_rows, instance.indices
        allowed = active[rows] & (instance.costs <= limit[cols])
        usable = allowed & (hmax[rows] <= cap[cols] * (1 + 1e-12))
        pairs = Pairs(instance, None)
        pairs.rows, pairs.cols, pairs.cost = rows[usable], cols[usable], instance.costs[usable]
        return _Data(
            names=names,
            shares=shares,
            pop=pop,
            people=people,
            hbar=people.mean(axis=0),
            hmax=hmax,
            active=active,
            cls=cls,
            m2pp=m2pp,
            limit=limit,
            area=area,
            cap=cap,
            allowed=allowed,
            pairs=pairs,
            keep=keep,
        )

    # ------------------------------------------------------------------ prechecks
    def validate(self, instance: Instance) -> None:
        d = self._data(instance)
        if self.allow_unhoused:
            return
        ids, req = instance.demand_ids, instance.required
        top = np.sort(d.cap[~req])[::-1]
        n_cand = top.size if self.new is None else min(int(self.new), top.size)
        best = float(d.cap[req].sum() + top[:n_cand].sum())
        for s, name in enumerate(d.names):
            need = float(d.people[s].sum())
            if best < need * (1 - 1e-12):
                m2 = np.unique(d.m2pp)
                how = (
                    "from instance.capacities"
                    if d.area is None
                    else f"at {m2[0]:g} m²/person"
                    if m2.size == 1
                    else "at their classes' m²/person"
                )
                a = d.shares[s]
                who = (
                    f"{_n(d.pop.sum())} × {100 * a:g} %"
                    if a is not None
                    else f"{_n(d.pop.sum())} people × per-community shares"
                )
                scen = f"scenario {name!r}: " if len(d.names) > 1 else ""
                raise InfeasibleError(
                    f"{scen}shelters hold {_n(best)} people ({int(req.sum())} existing + "
                    f"{n_cand} {'largest ' if self.new is not None else ''}candidate sites, "
                    f"{how}); {who} = {_n(need)} need shelter. Add usable area or candidate "
                    "sites, raise new, or pass allow_unhoused=True."
                )
        reach = np.bincount(instance.pair_rows[d.allowed], minlength=instance.n_demand) > 0
        lost = np.flatnonzero(d.active & ~reach)
        if lost.size:
            lims = ", ".join(
                f"{k} {v:g}" for k, v in dict(zip(d.cls, d.limit, strict=True)).items()
            )
            raise InfeasibleError(
                f"no shelter within the walking limit of its class ({lims} {self.cost_unit}) "
                f"for {_count(lost.size)}: ids {ids[lost[:10]].tolist()}. Add candidate sites "
                "near them, change the class table, or pass allow_unhoused=True."
            )
        fits = np.bincount(d.pairs.rows, minlength=instance.n_demand) > 0
        big = np.flatnonzero(d.active & ~fits)
        if big.size:
            k = big[0]
            largest = d.cap[instance.indices[d.allowed & (instance.pair_rows == k)]].max()
            raise InfeasibleError(
                f"single assignment: {_count(big.size)} too large for every shelter within "
                f"walking limit, e.g. {ids[k]!r} with {_n(d.hmax[k])} people to shelter "
                f"while the largest reachable shelter holds {_n(largest)}; ids "
                f"{ids[big[:10]].tolist()}. Split them into smaller demand points, add area, or "
                "pass allow_unhoused=True."
            )

    # ------------------------------------------------------------------ objective
    def _levels(self, instance: Instance, d: _Data) -> tuple[float, float, float, np.ndarray]:
        """Weights of unhoused people, new shelters (count or cost) and walking; new-site costs.

        A level that is not asked for (or, for new shelters, has no candidate) gets weight 0.
        """
        cand = ~instance.required
        fcost = np.where(cand, instance.site_costs if instance.has_site_costs else 1.0, 0.0)
        walk_ub = np.zeros(instance.n_demand)
        np.maximum.at(walk_ub, d.pairs.rows, d.pairs.cost)
        h = d.hbar[d.active]
        asked = [self.allow_unhoused, self.new is None and bool(cand.any()), True]
        levels = [
            (_resolution(h), float(h.sum())),
            (_resolution(fcost[cand]), float(fcost.sum())),
            (1.0, float(d.hbar @ walk_ub)),
        ]
        w = iter(_lex_weights([lv for lv, a in zip(levels, asked, strict=True) if a]))
        wu, wn, ww = (next(w) if a else 0.0 for a in asked)
        return wu, wn, ww, fcost

    def evaluate(self, instance: Instance, plan: Plan) -> float:
        d = self._data(instance)
        wu, wn, ww, fcost = self._levels(instance, d)
        i, j, s = plan.demand_idx, plan.site_idx, plan.share
        unhoused = float(d.hbar[d.active].sum() - np.sum(d.hbar[i] * s))
        walking = float(np.sum(d.hbar[i] * instance.cost_of(i, j) * s))
        return wu * unhoused + wn * float(fcost[plan.open].sum()) + ww * walking

    # ------------------------------------------------------------------ MILP
    def build(self, instance: Instance) -> Milp:
        d = self._data(instance)
        pr = d.pairs
        wu, wn, ww, fcost = self._levels(instance, d)
        b = MilpBuilder("shelters", "min")
        req = instance.required.astype(float)
        x = b.add_cols("open", instance.n_sites, obj=wn * fcost, lb=req, ub=1.0, integer=True)
        h = d.hbar[pr.rows]
        z = b.add_cols("assign", len(pr), obj=ww * h * pr.cost - wu * h, ub=1.0, integer=True)
        b.offset = wu * float(d.hbar[d.active].sum())
        comm, local = np.unique(pr.rows, return_inverse=True)
        lb = -np.inf if self.allow_unhoused else 1.0
        b.add_rows("assign_once", rows=local, cols=z, vals=1.0, lb=lb, ub=1.0, n_rows=comm.size)
        k = np.arange(len(pr))
        b.add_rows(
            "link",
            rows=np.concatenate([k, k]),
            cols=np.concatenate([z, x[pr.cols]]),
            vals=np.concatenate([np.ones(k.size), -np.ones(k.size)]),
            ub=0.0,
            n_rows=k.size,
        )
        finite = np.isfinite(d.cap)
        site_row = np.cumsum(finite) - 1
        use, sites = finite[pr.cols], np.flatnonzero(finite)
        for s in d.keep:
            b.add_rows(
                "capacity" if len(d.keep) == 1 else f"capacity[{d.names[s]}]",
                rows=np.concatenate([site_row[pr.cols[use]], site_row[sites]]),
                cols=np.concatenate([z[use], x[sites]]),
                vals=np.concatenate([d.people[s][pr.rows[use]], -d.cap[sites]]),
                ub=0.0,
                n_rows=sites.size,
            )
        if self.new is not None:
            cand = x[~instance.required]
            lo = float(self.new) if self.exact_new else -np.inf
            b.add_rows("new", rows=np.zeros(cand.size), cols=cand, vals=1.0, lb=lo, ub=self.new)
        if self.closest:
            self._add_closest(b, instance, d, x, z)
        return b.build()

    def _add_closest(
        self, b: MilpBuilder, instance: Instance, d: _Data, x: np.ndarray, z: np.ndarray
    ) -> None:
        """x_j + sum_{l farther than j for i} z_il <= 1 for every allowed pair (i, j)."""
        r, c, cost = (a[d.allowed] for a in (instance.pair_rows, instance.indices, instance.costs))
        order = np.lexsort((c, cost, r))
        r, c, cost = r[order], c[order], cost[order]
        zpos = np.full(r.size, -1, dtype=np.int64)
        found = d.pairs.locate(r, c)
        zpos[found >= 0] = z[found[found >= 0]]
        end = np.searchsorted(r, r, side="right")
        if self.ties == "first":
            start = np.arange(r.size) + 1
        else:
            brk = np.r_[True, (r[1:] != r[:-1]) | (cost[1:] != cost[:-1])]
            block = np.cumsum(brk) - 1
            start = np.r_[np.flatnonzero(brk)[1:], r.size][block]
        cnt = end - start
        p = np.repeat(np.arange(r.size), cnt)
        q = np.repeat(start, cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        keep = zpos[q] >= 0
        p, q = p[keep], q[keep]
        heads, local = np.unique(p, return_inverse=True)
        b.add_rows(
            "closest",
            rows=np.concatenate([local, np.arange(heads.size)]),
            cols=np.concatenate([zpos[q], x[c[heads]]]),
            vals=1.0,
            ub=1.0,
            n_rows=heads.size,
        )

    def decode(self, instance: Instance, milp: Milp, x: np.ndarray) -> Plan:
        pr = self._data(instance).pairs
        open_ = np.round(milp.block(x, "open")) > 0.5
        z = np.round(milp.block(x, "assign")) > 0.5
        return Plan(open_, pr.rows[z], pr.cols[z], np.ones(int(z.sum())))

    def encode(self, instance: Instance, milp: Milp, plan: Plan) -> np.ndarray:
        x = super().encode(instance, milp, plan)
        pos = self._data(instance).pairs.locate(plan.demand_idx, plan.site_idx)
        x[milp.col_blocks["assign"].start + pos[pos >= 0]] = plan.share[pos >= 0]
        return x

    # ------------------------------------------------------------------ verification
    def check(self, instance: Instance, plan: Plan) -> list[str]:
        d = self._data(instance)
        c = Checker(instance, plan)
        c.sites()
        if plan.open.shape != (instance.n_sites,):
            return c.breaches
        cost = c.allocation(single_source=True, full=False)
        if cost.shape != plan.demand_idx.shape:  # positions outside the instance
            return c.breaches
        ids, sids = instance.demand_ids, instance.site_ids
        i, j, s = plan.demand_idx, plan.site_idx, plan.share
        n_new = int((plan.open & ~instance.required).sum())
        if self.new is not None and (n_new != self.new if self.exact_new else n_new > self.new):
            most = "" if self.exact_new else "at most "
            c.fail(f"{n_new} new shelters open, expected {most}{self.new}")
        total = np.bincount(i, weights=s, minlength=instance.n_demand)
        need = d.active if not self.allow_unhoused else np.zeros_like(d.active)
        bad = np.flatnonzero((need & (np.abs(total - 1) > 1e-6)) | (total > 1 + 1e-6))
        if bad.size:
            c.fail(
                f"not assigned to {'at most' if self.allow_unhoused else 'exactly'} one "
                f"shelter: {_count(bad.size)} {ids[bad[:5]].tolist()}"
            )
        far = np.flatnonzero(cost > d.limit[j] + TOL.abs)
        if far.size:
            k = far[0]
            c.fail(
                f"{far.size} assignments beyond the walking limit of the shelter's class, e.g. "
                f"{ids[i[k]]!r} -> {sids[j[k]]!r} ({d.cls[j[k]]}): {cost[k]:g} > "
                f"{d.limit[j[k]]:g} {self.cost_unit}"
            )
        for t, name in enumerate(d.names):
            load = np.bincount(j, weights=d.people[t][i] * s, minlength=instance.n_sites)
            if d.area is not None:
                used, room = load * d.m2pp, d.area
            else:
                used, room = load, d.cap
            over = np.flatnonzero(used > room * (1 + TOL.rel) + TOL.abs)
            if over.size:
                k = over[0]
                c.fail(
                    f"capacity exceeded in scenario {name!r} at {over.size} shelter(s), e.g. "
                    f"{sids[k]!r} ({d.cls[k]}): {_n(load[k])} people"
                    + (
                        f" need {_n(used[k])} m² at {d.m2pp[k]:g} m²/person, usable "
                        f"{_n(room[k])} m²"
                        if d.area is not None
                        else f" > capacity {_n(room[k])}"
                    )
                )
        if self.closest:
            self._check_closest(c, instance, d, cost)
        return c.breaches

    def _check_closest(self, c: Checker, instance: Instance, d: _Data, cost: np.ndarray) -> None:
        ok = d.allowed & c.plan.open[instance.indices]
        r, col, cst = instance.pair_rows[ok], instance.indices[ok], instance.costs[ok]
        order = np.lexsort((col, cst, r))
        r, col, cst = r[order], col[order], cst[order]
        first = np.r_[True, r[1:] != r[:-1]]
        best_site = np.full(instance.n_demand, -1)
        best_cost = np.full(instance.n_demand, np.inf)
        best_site[r[first]], best_cost[r[first]] = col[first], cst[first]
        i, j = c.plan.demand_idx, c.plan.site_idx
        worse = (cost > best_cost[i] + TOL.abs) if self.ties == "any" else (j != best_site[i])
        if worse.any():
            k = np.flatnonzero(worse)[0]
            c.fail(
                f"closest assignment violated for {_count(int(worse.sum()))}, e.g. "
                f"{instance.demand_ids[i[k]]!r} goes to {instance.site_ids[j[k]]!r} "
                f"({cost[k]:g}) past open {instance.site_ids[best_site[i[k]]]!r} "
                f"({best_cost[i[k]]:g}; ties={self.ties!r})"
            )

    # ------------------------------------------------------------------ report
    def report(self, instance: Instance, plan: Plan) -> dict[str, pd.DataFrame]:
        """Tables: ``shelters``, ``loads``, ``communities``, ``walking``, ``summary``."""
        d = self._data(instance)
        sids, ids = instance.site_ids, instance.demand_ids
        i, j, s = plan.demand_idx, plan.site_idx, plan.share
        cost = instance.cost_of(i, j)
        m = instance.n_sites
        loads = np.vstack([np.bincount(j, weights=p[i] * s, minlength=m) for p in d.people])
        area = d.area if d.area is not None else np.full(m, np.nan)
        status = np.where(instance.required, "existing", np.where(plan.open, "new", "not chosen"))
        design = loads.max(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(design > 0, area / design, np.nan)
            shelters = pd.DataFrame(
                {
                    "class": d.cls,
                    "status": status,
                    "usable_area": area,
                    "m2_per_person_standard": d.m2pp,
                    "capacity": d.cap,
                    "communities": np.bincount(j, minlength=m),
                    "people": design,
                    "utilisation": design / d.cap,
                    "m2_per_person": per,
                    "meets_standard": design <= d.cap * (1 + 1e-9),
                    "max_walk": pd.Series(cost).groupby(j).max().reindex(range(m)).to_numpy(),
                },
                index=sids.rename("site_id"),
            )
            op = np.flatnonzero(plan.open)
            loads_df = pd.DataFrame(
                {
                    "scenario": np.repeat(d.names, op.size),
                    "site_id": np.tile(sids[op], len(d.names)),
                    "people": loads[:, op].ravel(),
                    "capacity": np.tile(d.cap[op], len(d.names)),
                    "utilisation": (loads[:, op] / d.cap[op]).ravel(),
                    "m2_per_person": (area[op] / loads[:, op]).ravel(),
                }
            )
        shelter_of = np.full(instance.n_demand, -1)
        shelter_of[i] = j
        walk = np.full(instance.n_demand, np.nan)
        walk[i] = cost
        housed = shelter_of >= 0
        reach = np.bincount(instance.pair_rows[d.allowed], minlength=instance.n_demand) > 0
        fits = np.bincount(d.pairs.rows, minlength=instance.n_demand) > 0
        open_fit = np.bincount(d.pairs.rows[plan.open[d.pairs.cols]], minlength=len(ids)) > 0
        reason = np.select(
            [~d.active, housed, ~reach, ~fits, ~open_fit],
            [
                "nobody to shelter",
                "",
                "no shelter within the walking limit",
                "larger than every shelter within the walking limit",
                "no open shelter within reach can hold it",
            ],
            "open shelters within reach are full" + (" or not closest" if self.closest else ""),
        )
        communities = pd.DataFrame(
            {
                "population": d.pop,
                "people": d.hmax,
                "shelter": pd.Series(sids.take(np.maximum(shelter_of, 0)), dtype=object)
                .where(housed, None)
                .to_numpy(),
                "walk": walk,
                "housed": housed,
                "unhoused_reason": reason,
            },
            index=ids.rename("demand_id"),
        )
        bands = self.walk_bands if self.walk_bands is not None else _BANDS[self.cost_unit]
        w, t = d.hbar[i] * s, cost
        order = np.argsort(t, kind="stable")
        cum = np.cumsum(w[order]) / w.sum() if w.sum() > 0 else np.ones(order.size)

        def quant(q: float) -> float:
            return float(t[order][np.searchsorted(cum, q - 1e-12)]) if t.size else np.nan

        stats = {
            "people housed": float(w.sum()),
            "mean": float(np.average(t, weights=w)) if w.sum() > 0 else np.nan,
            **{f"p{int(q * 100)}": quant(q) for q in (0.5, 0.9, 0.95)},
            "max": float(t.max()) if t.size else np.nan,
            **{f"share within {b:g}": float(w[t <= b].sum() / max(w.sum(), 1e-300)) for b in bands},
        }
        walking = pd.DataFrame({"value": stats}).rename_axis(f"walk ({self.cost_unit})")
        total_pop = float(d.pop.sum())
        req = instance.required
        summary = {
            "population": total_pop,
            **{
                f"people to shelter [{n}]": float(p.sum())
                for n, p in zip(d.names, d.people, strict=True)
            },
            "people housed (mean over scenarios)": float(w.sum()),
            "people unhoused (mean over scenarios)": float(d.hbar[~housed].sum()),
            "existing shelters": int(req.sum()),
            "new shelters": int((plan.open & ~req).sum()),
            "capacity, existing": float(d.cap[req].sum()),
            "capacity, after": float(d.cap[plan.open].sum()),
            "usable m², existing": float(area[req].sum()),
            "usable m², after": float(area[plan.open].sum()),
            "m² per resident, existing": float(area[req].sum()) / total_pop
            if total_pop
            else np.nan,
            "m² per resident, after": float(area[plan.open].sum()) / total_pop
            if total_pop
            else np.nan,
        }
        return {
            "shelters": shelters,
            "loads": loads_df,
            "communities": communities,
            "walking": walking,
            "summary": pd.DataFrame({"value": pd.Series(summary, dtype=object)}).rename_axis(
                "figure"
            ),
        }
