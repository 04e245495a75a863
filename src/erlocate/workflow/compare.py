"""Compare two plans, or one plan before and after a change to the data.

:func:`compare` puts two results side by side: their objectives, coverage,
open sites, per-zone figures and what changes for each demand point. Given a
result and an *instance* (the district after a road closure, say), it first
evaluates the result's plan on that instance (:func:`~erlocate.workflow.evaluate_plan`)
and compares before with after.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.result import Result
from erlocate.workflow.evaluate import evaluate_plan

__all__ = ["Comparison", "compare", "point_table"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class Comparison:
    """Two results side by side (see :func:`compare`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per figure (model, status, objective, open sites, coverage or
        cost, sites only in one plan, demand points whose service changed,
        breaches), one column per result and ``change`` (second minus first)
        where the figure is a number.
    sites : pandas.DataFrame
        Per site id (of either instance): open in each plan, and ``in`` =
        ``"both"``, ``"only <first>"``, ``"only <second>"`` or ``"neither"``.
    points : pandas.DataFrame
        Per demand id (of either instance): weight, served share (covered share
        for covering models, allocated share otherwise) and cost (nearest open
        site for covering models, assigned cost otherwise) in each result, and
        ``cost_change`` (second minus first), and
        ``change``: ``"newly uncovered"`` / ``"newly covered"`` (``"unserved"`` /
        ``"served"`` for other models), ``"both"``, ``"neither"``, or
        ``"only <label>"`` for a point of one instance only.
    zones : pandas.DataFrame or None
        With ``zones=``: per zone its weight and, per result, the covered
        share of its weight (covering models) or its weighted mean cost
        (others), and ``change``.
    a, b : Result
        The two results (``b`` evaluated by :func:`compare` when it was given an instance).
    labels : tuple of str
        The column labels of ``a`` and ``b``.
    """

    table: pd.DataFrame
    sites: pd.DataFrame
    points: pd.DataFrame
    zones: pd.DataFrame | None
    a: Result
    b: Result
    labels: tuple[str, str]

    @property
    def only_in_a(self) -> pd.Index:
        """Site ids open in the first plan only."""
        return self.sites.index[self.sites["in"] == f"only {self.labels[0]}"]

    @property
    def only_in_b(self) -> pd.Index:
        """Site ids open in the second plan only."""
        return self.sites.index[self.sites["in"] == f"only {self.labels[1]}"]

    @property
    def newly_uncovered(self) -> pd.Index:
        """Demand ids served (covered) in the first result and not in the second."""
        lost = self.points["change"].isin(["newly uncovered", "newly unserved"])
        return self.points.index[lost]

    def __str__(self) -> str:
        return self.table.to_string()

    def __repr__(self) -> str:
        la, lb = self.labels
        return (
            f"<Comparison {la} vs {lb}: objective {self.a.objective!r} -> {self.b.objective!r}, "
            f"{len(self.only_in_a)} sites only in {la}, {len(self.only_in_b)} only in {lb}, "
            f"{len(self.newly_uncovered)} points newly unserved>"
        )


def point_table(result: Result) -> pd.DataFrame:
    """Per demand point of ``result``: ``weight``, ``served`` (covered share for covering
    models, allocated share otherwise) and ``cost`` (nearest open site's cost for covering
    models, share-weighted assigned cost otherwise; NaN where there is none)."""
    inst = result.instance
    cov = result.coverage
    if cov is not None:
        served = cov["covered_share"].to_numpy(dtype=float)
        cost = np.where(np.isfinite(cov["nearest_cost"]), cov["nearest_cost"], np.nan)
    else:
        n = inst.n_demand
        plan = result.plan
        if plan is None or plan.demand_idx.size == 0:
            served, cost = np.zeros(n), np.full(n, np.nan)
        else:
            i, s = plan.demand_idx, plan.share
            served = np.bincount(i, weights=s, minlength=n)
            paid = np.bincount(i, weights=s * inst.cost_of(i, plan.site_idx), minlength=n)
            with np.errstate(invalid="ignore", divide="ignore"):
                cost = np.where(served > 0, paid / served, np.nan)
    return pd.DataFrame(
        {"weight": inst.weights, "served": served, "cost": cost},
        index=inst.demand_ids.rename("demand_id"),
    )


def _zones_of(zones: Any, ids: pd.Index) -> pd.Series:
    """The zone label of every demand id in ``ids``, exactly (InputError otherwise)."""
    if not isinstance(zones, pd.Series):
        raise InputError(
            f"zones: a pandas Series of zone labels indexed by demand id, got "
            f"{type(zones).__name__}",
            field="zones",
        )
    missing, extra = ids.difference(zones.index), zones.index.difference(ids)
    if len(missing) or len(extra) or zones.index.has_duplicates:
        what = [f"no zone for {show_ids(missing)}"] if len(missing) else []
        what += [f"unknown demand ids {show_ids(extra)}"] if len(extra) else []
        what += ["repeated demand ids"] if zones.index.has_duplicates else []
        raise InputError(
            f"zones: labels must be exactly the demand ids of both results: {'; '.join(what)}",
            field="zones",
        )
    if zones.isna().any():
        raise InputError(
            f"zones: no zone label for {show_ids(zones.index[zones.isna()])}", field="zones"
        )
    return zones.reindex(ids)


def _row(table: dict[str, tuple[Any, Any]], name: str, a: Any, b: Any) -> None:
    table[name] = (a, b)


def _figures(r: Result) -> dict[str, Any]:
    """The scalar figures of one result."""
    out: dict[str, Any] = {
        "model": type(r.model).__name__,
        "instance": r.instance.name or "",
        "status": r.status,
        "objective": r.objective,
        "open sites": len(r.open_sites),
    }
    if r.model.covering:
        out["covered weight"] = r.covered_weight
        out["coverage share"] = r.coverage_share
    elif r.plan is not None and r.plan.demand_idx.size:
        a = r.assignment
        total = float(a["weight"].sum())
        out["weighted mean cost"] = float(a["cost"] @ a["weight"]) / total if total else 0.0
        out["largest assigned cost"] = float(a["cost"].max())
    out["breaches"] = len(getattr(r, "breaches", ()))
    return out


def compare(
    a: Result,
    b: Result | Instance,
    *,
    zones: pd.Series | None = None,
    labels: tuple[str, str] | None = None,
    backend: str = "highs",
) -> Comparison:
    """Two results side by side, or one plan before and after a change to the data.

    Parameters
    ----------
    a : Result
        The first plan (solved or evaluated).
    b : Result or Instance
        The second plan; or an instance over the same sites (e.g. with roads
        closed), on which ``a``'s plan is evaluated by ``a.model``
        (:func:`~erlocate.workflow.evaluate_plan`) — "before" and "after".
    zones : pandas.Series, optional
        Zone label per demand id (every id of both instances, no other): adds
        :attr:`Comparison.zones`.
    labels : (str, str), optional
        Column labels; default ``("a", "b")``, or ``("before", "after")``
        when ``b`` is an instance.
    backend : str
        Solver for :func:`~erlocate.workflow.evaluate_plan`, where it needs one.

    Returns
    -------
    Comparison
        ``table`` (figures side by side), ``sites``, ``points`` and ``zones``;
        ``newly_uncovered``, ``only_in_a`` and ``only_in_b``.

    Examples
    --------
    >>> import erlocate
    >>> from erlocate.datasets import random_euclidean
    >>> inst = random_euclidean(60, 8, seed=1)
    >>> m = erlocate.MCLP(p=2, max_cost=2500)
    >>> c = erlocate.compare(m.evaluate_plan(inst, ["s0", "s3"]),
    ...                      m.evaluate_plan(inst, ["s0", "s5"]))
    >>> c.only_in_a.tolist(), c.only_in_b.tolist()
    (['s3'], ['s5'])
    """
    if not isinstance(a, Result):
        raise InputError(f"a: expected a Result, got {type(a).__name__}", field="a")
    if isinstance(b, Instance):
        labels = labels or ("before", "after")
        b = evaluate_plan(a.model, b, a, backend=backend)
    elif not isinstance(b, Result):
        raise InputError(f"b: expected a Result or an Instance, got {type(b).__name__}", field="b")
    la, lb = labels or ("a", "b")
    if la == lb or la == "change" or lb == "change":
        raise InputError(
            f"labels: two different labels other than 'change', got {(la, lb)!r}", field="labels"
        )
    fa, fb = _figures(a), _figures(b)
    names = list(dict.fromkeys([*fa, *fb]))
    table = pd.DataFrame(
        {la: [fa.get(n) for n in names], lb: [fb.get(n) for n in names]},
        index=pd.Index(names, name="figure"),
        dtype=object,
    )
    sites = _site_table(a, b, la, lb)
    points = _point_changes(a, b, la, lb)
    table.loc["sites only in this plan"] = [
        ", ".join(map(str, sites.index[sites["in"] == f"only {x}"])) for x in (la, lb)
    ]
    lost = int(points["change"].isin(["newly uncovered", "newly unserved"]).sum())
    gained = int(points["change"].isin(["newly covered", "newly served"]).sum())
    dearer = int((points["cost_change"] > 1e-9).sum())
    cheaper = int((points["cost_change"] < -1e-9).sum())
    table.loc["points newly unserved"] = [None, lost]
    table.loc["points newly served"] = [None, gained]
    table.loc["points farther from their site"] = [None, dearer]
    table.loc["points nearer to their site"] = [None, cheaper]
    table["change"] = [_diff(x, y) for x, y in zip(table[la], table[lb], strict=True)]
    zone_table = None if zones is None else _zone_table(a, b, points, zones, la, lb)
    log.info(
        "compared %s (%s) with %s (%s): %d sites only in the first, %d only in the second, "
        "%d points newly unserved",
        la,
        fa["objective"],
        lb,
        fb["objective"],
        int((sites["in"] == f"only {la}").sum()),
        int((sites["in"] == f"only {lb}").sum()),
        lost,
    )
    return Comparison(table, sites, points, zone_table, a, b, (la, lb))


def _diff(x: Any, y: Any) -> Any:
    numbers = (int, float, np.integer, np.floating)
    ok = isinstance(x, numbers) and isinstance(y, numbers) and not isinstance(x, bool)
    return float(y) - float(x) if ok else None


def _site_table(a: Result, b: Result, la: str, lb: str) -> pd.DataFrame:
    ids = a.instance.site_ids.union(b.instance.site_ids, sort=False)
    in_a, in_b = ids.isin(a.open_sites), ids.isin(b.open_sites)
    where = np.select(
        [in_a & in_b, in_a, in_b], ["both", f"only {la}", f"only {lb}"], default="neither"
    )
    return pd.DataFrame(
        {f"open_{la}": in_a, f"open_{lb}": in_b, "in": where}, index=ids.rename("site_id")
    )


def _point_changes(a: Result, b: Result, la: str, lb: str) -> pd.DataFrame:
    pa, pb = point_table(a), point_table(b)
    ids = pa.index.union(pb.index, sort=False)
    pa, pb = pa.reindex(ids), pb.reindex(ids)
    covering = a.model.covering and b.model.covering
    word = ("covered", "uncovered") if covering else ("served", "unserved")
    ok_a, ok_b = pa["served"] >= 1 - 1e-9, pb["served"] >= 1 - 1e-9
    has_a, has_b = ids.isin(a.instance.demand_ids), ids.isin(b.instance.demand_ids)
    change = np.select(
        [~has_b, ~has_a, ok_a & ~ok_b, ~ok_a & ok_b, ok_a & ok_b],
        [f"only {la}", f"only {lb}", f"newly {word[1]}", f"newly {word[0]}", "both"],
        default="neither",
    )
    return pd.DataFrame(
        {
            "weight": pb["weight"].fillna(pa["weight"]),
            f"served_{la}": pa["served"],
            f"served_{lb}": pb["served"],
            f"cost_{la}": pa["cost"],
            f"cost_{lb}": pb["cost"],
            "cost_change": pb["cost"] - pa["cost"],
            "change": change,
        },
        index=ids.rename("demand_id"),
    )


def _zone_table(
    a: Result, b: Result, points: pd.DataFrame, zones: Any, la: str, lb: str
) -> pd.DataFrame:
    zone = _zones_of(zones, points.index)
    out: dict[str, pd.Series] = {}
    covering = a.model.covering and b.model.covering
    for label, r in ((la, a), (lb, b)):
        p = point_table(r)
        z = zone.reindex(p.index)
        w = p["weight"]
        if covering:
            value = (w * p["served"]).groupby(z).sum() / w.groupby(z).sum()
        else:
            ok = p["cost"].notna()
            value = (w * p["cost"])[ok].groupby(z[ok]).sum() / w[ok].groupby(z[ok]).sum()
        out[f"weight_{label}"] = w.groupby(z).sum()
        out[label] = value
    frame = pd.DataFrame(out)
    frame.index.name = "zone"
    frame["change"] = frame[lb] - frame[la]
    frame.attrs["figure"] = "covered share of weight" if covering else "weighted mean cost"
    return frame
