r"""Site groups with their own limits: a count (exactly or at most) and a budget per group.

Station types, tiers or districts often come with their own quota ("at most
two type-1 stations", "the new depots within 3 million"): allagash's several
supply sets, each with its own ``max_supply``, are the same idea. A group is a
set of candidate sites; the models that accept ``groups=`` add, per group,

.. math::

    \sum_{j \in G} x_j = p_G \;(\text{or} \le p_G),\qquad
    \sum_{j \in G} f_j x_j \le B_G,

with :math:`f_j` = ``Instance.site_costs``. The model's overall ``p`` still
applies; groups may overlap and need not cover every site.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from erlocate.errors import InfeasibleError, InputError
from erlocate.inputs import show_ids
from erlocate.instance import Instance
from erlocate.milp import MilpBuilder
from erlocate.params import boolean, integer, number

__all__ = [
    "SiteGroup",
    "add_group_rows",
    "check_groups",
    "group_breaches",
    "group_masks",
    "group_precheck",
]


@dataclass(frozen=True, init=False)
class SiteGroup:
    """A group of candidate sites with its own count and budget.

    Parameters
    ----------
    sites : iterable of site ids
        The group's sites (ids of the instance's ``site_ids``; no repeats).
    p : int, optional
        Number of the group's sites to open: exactly ``p``, or at most ``p``
        with ``at_most=True``. None: no count limit.
    at_most : bool
        Read ``p`` as an upper limit (default False: exactly ``p``).
    budget : float, optional
        Upper limit on the group's total ``Instance.site_costs`` over open sites.
    name : str
        A label for messages and reports (default: ``"group <k>"`` by position).

    Examples
    --------
    >>> from erlocate import SiteGroup
    >>> SiteGroup(["s1", "s2", "s3"], p=1, at_most=True, name="type 1")
    SiteGroup(sites=('s1', 's2', 's3'), p=1, at_most=True, budget=None, name='type 1')
    """

    sites: tuple[Any, ...]
    p: int | None = None
    at_most: bool = False
    budget: float | None = None
    name: str = ""

    def __init__(
        self,
        sites: Iterable[Any],
        p: int | None = None,
        *,
        at_most: bool = False,
        budget: float | None = None,
        name: str = "",
    ) -> None:
        if isinstance(sites, (str, bytes)) or not isinstance(sites, Iterable):
            raise InputError(
                f"sites: a SiteGroup takes a list of site ids, got {sites!r}; wrap a single id "
                "in a list",
                field="sites",
            )
        # element by element: np.asarray would turn [1, "a"] into ["1", "a"] (ids changed)
        raw = sites.tolist() if isinstance(sites, (pd.Index, pd.Series, np.ndarray)) else sites
        ids = tuple(v.item() if isinstance(v, np.generic) else v for v in raw)
        if not ids:
            raise InputError("sites: a SiteGroup needs at least one site", field="sites")
        odd = [v for v in ids if not isinstance(v, Hashable)]
        if odd:
            raise InputError(
                f"sites: site ids must be single values (str, int ...), got {odd[0]!r}",
                field="sites",
            )
        dup = pd.Index(ids)[pd.Index(ids).duplicated()].unique().tolist()
        if dup:
            raise InputError(f"sites: site ids listed twice: {show_ids(dup)}", field="sites")
        p = integer(p, "p", minimum=0, optional=True, hint="the group's number of open sites")
        budget = number(budget, "budget", minimum=0.0, optional=True)
        if p is None and budget is None:
            raise InputError(
                "p: a SiteGroup needs a limit; give p (exactly, or at most with at_most=True) "
                "and/or budget",
                field="p",
            )
        if not isinstance(name, str):
            raise InputError(f"name: must be a string, got {name!r}", field="name")
        object.__setattr__(self, "sites", ids)
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "at_most", boolean(at_most, "at_most"))
        object.__setattr__(self, "budget", budget)
        object.__setattr__(self, "name", name)

    def label(self, k: int) -> str:
        """The group's name, or ``"group <k>"`` for the k-th unnamed group."""
        return self.name or f"group {k}"


def check_groups(groups: Any) -> tuple[SiteGroup, ...]:
    """``groups`` as a tuple of :class:`SiteGroup` (a model's ``groups=`` parameter)."""
    if groups is None:
        return ()
    if isinstance(groups, SiteGroup):
        groups = [groups]
    if isinstance(groups, (str, bytes)) or not isinstance(groups, Iterable):
        raise InputError(
            f"groups: pass a list of erlocate.SiteGroup, got {groups!r}", field="groups"
        )
    out = tuple(groups)
    bad = [g for g in out if not isinstance(g, SiteGroup)]
    if bad:
        raise InputError(
            f"groups: every entry must be an erlocate.SiteGroup, got {bad[0]!r}", field="groups"
        )
    return out


def group_masks(instance: Instance, groups: tuple[SiteGroup, ...]) -> np.ndarray:
    """One boolean row per group over the instance's sites; checks the groups against the data.

    Raises
    ------
    InputError
        A group names sites the instance does not have, asks for more sites than it
        holds, or has a budget while the instance has no site costs.
    InfeasibleError
        A group's required (kept-open) sites alone break its count or budget.
    """
    masks = np.zeros((len(groups), instance.n_sites), dtype=bool)
    for k, g in enumerate(groups):  # one call per group, not per site
        pos = instance.site_ids.get_indexer(pd.Index(g.sites))
        if (pos < 0).any():
            unknown = [s for s, q in zip(g.sites, pos, strict=True) if q < 0]
            raise InputError(
                f"groups: {g.label(k)} names unknown site ids {show_ids(unknown[:20])}; "
                "group sites must be among the instance's site_ids",
                field="groups",
            )
        masks[k, pos] = True
        req = instance.required & masks[k]
        if g.p is not None and g.p > pos.size:
            raise InputError(
                f"groups: {g.label(k)} asks for {g.p} open sites but holds {pos.size}; lower "
                "its p or add sites",
                field="groups",
            )
        if g.p is not None and int(req.sum()) > g.p:
            raise InfeasibleError(
                f"{g.label(k)}: {int(req.sum())} of its sites are required (kept open), more "
                f"than its p = {g.p}: {show_ids(instance.site_ids[req])}; raise the group's p "
                "or drop required sites"
            )
        if g.budget is not None:
            if not instance.has_site_costs:
                raise InputError(
                    f"groups: {g.label(k)} has a budget, but the instance has no site costs; "
                    "give site_costs=... to Instance.from_matrix",
                    field="groups",
                )
            spent = float(instance.site_costs[req].sum())
            if spent > g.budget * (1 + 1e-12):
                raise InfeasibleError(
                    f"{g.label(k)}: its required sites alone cost {spent:g}, above its budget "
                    f"{g.budget:g}; raise the budget or drop required sites"
                )
    return masks


def group_precheck(
    instance: Instance, groups: tuple[SiteGroup, ...], p: int | None = None
) -> np.ndarray:
    """:func:`group_masks`, then infeasibility the counts and budgets show alone, with numbers.

    A group opening exactly ``p_G`` sites needs ``p_G <=`` the model's ``p`` (if it has
    one), and pays at least its required sites' costs plus its ``p_G - n_required``
    cheapest other sites' costs, which must fit its budget.
    """
    masks = group_masks(instance, groups)
    for k, g in enumerate(groups):
        if g.p is None or g.at_most:
            continue
        if p is not None and g.p > p:
            raise InfeasibleError(
                f"{g.label(k)}: opens exactly {g.p} sites, more than the model's p = {p}; lower "
                "the group's p (or set at_most=True) or raise p"
            )
        if g.budget is not None:
            req = instance.required & masks[k]
            rest = np.sort(instance.site_costs[masks[k] & ~req])[: g.p - int(req.sum())]
            least = float(instance.site_costs[req].sum() + rest.sum())
            if least > g.budget * (1 + 1e-12) + 1e-9:
                raise InfeasibleError(
                    f"{g.label(k)}: its {g.p} cheapest admissible sites cost {least:g}, above "
                    f"its budget {g.budget:g}; raise the budget or lower the group's p"
                )
    return masks


def add_group_rows(
    b: MilpBuilder, instance: Instance, x: np.ndarray, groups: tuple[SiteGroup, ...]
) -> None:
    """Rows ``group_count`` (Σ_G x_j = p_G or ≤ p_G) and ``group_budget`` (Σ_G f_j x_j ≤ B_G)."""
    if not groups:
        return
    masks = group_masks(instance, groups)
    counted = np.array([g.p is not None for g in groups])
    if counted.any():
        k, j = np.nonzero(masks[counted])
        p = np.array([g.p for g in groups if g.p is not None], dtype=float)
        at_most = np.array([g.at_most for g in groups if g.p is not None])
        b.add_rows(
            "group_count",
            rows=k,
            cols=x[j],
            vals=1.0,
            lb=np.where(at_most, -np.inf, p),
            ub=p,
            n_rows=p.size,
        )
    budgeted = np.array([g.budget is not None for g in groups])
    if budgeted.any():
        k, j = np.nonzero(masks[budgeted])
        b.add_rows(
            "group_budget",
            rows=k,
            cols=x[j],
            vals=instance.site_costs[j],
            ub=np.array([g.budget for g in groups if g.budget is not None], dtype=float),
            n_rows=int(budgeted.sum()),
        )


def group_breaches(
    instance: Instance, open_: np.ndarray, groups: tuple[SiteGroup, ...], tol: float = 1e-6
) -> list[str]:
    """Each group's count and budget re-checked on the open flags (one message per breach)."""
    out: list[str] = []
    if not groups:
        return out
    masks = group_masks(instance, groups)
    n_open = masks.astype(np.int64) @ open_.astype(np.int64)
    spent = masks.astype(float) @ np.where(open_, instance.site_costs, 0.0)
    for k, g in enumerate(groups):
        if g.p is not None and ((n_open[k] > g.p) if g.at_most else (n_open[k] != g.p)):
            want = f"{'at most ' if g.at_most else ''}{g.p}"
            out.append(f"{g.label(k)}: {int(n_open[k])} sites open, expected {want}")
        if g.budget is not None and spent[k] > g.budget + tol * max(1.0, abs(g.budget)):
            out.append(f"{g.label(k)}: open sites cost {spent[k]:g}, above its budget {g.budget:g}")
    return out
