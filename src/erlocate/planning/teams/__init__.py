r"""Rescue teams: who is stationed where, who answers each zone, and the staffing minima.

The district plan (BRIEF.md items 1–3) asks that every administrative zone
keep a minimum number of rescue people (district ≥ 50, town/sub-district ≥ 20
— 30 as an option —, village/community ≥ 10), that *key* (high-risk) zones
have a resident professional team for every hazard they face, and that the
command system can answer two incidents at once (A/B roles).
:class:`TeamAllocation` stations existing teams in zones — re-basing the
mobile ones — to meet those rules at the least risk-weighted response time.

Mapping onto the core: the :class:`~erlocate.instance.Instance` is square,
zones × zones: demand point ``i`` and site ``i`` are the same zone, and
``cost[i, j]`` is the response time (minutes) from a team stationed in zone
``j`` to an incident in zone ``i`` (the diagonal is the in-zone time). Teams
are a table given to the model, each with a home zone; a team is stationed in
exactly one zone and counts once, toward that zone's staffing only (unless
``nested=True``).

The package: :mod:`~erlocate.planning.teams.defaults` (minima, standards,
compatibility), :mod:`~erlocate.planning.teams.inputs` (tables and per-zone
inputs resolved into arrays), :mod:`~erlocate.planning.teams.precheck`
(infeasibility found before solving), :mod:`~erlocate.planning.teams.formulation`
(the MILP), :mod:`~erlocate.planning.teams.model` (:class:`TeamAllocation`),
:mod:`~erlocate.planning.teams.plan` (:class:`TeamPlan`, A/B roles),
:mod:`~erlocate.planning.teams.verify` (the plan re-checked from the data) and
:mod:`~erlocate.planning.teams.report`
(planner tables).

Formulation
-----------
Zones :math:`z` with minimum :math:`m_z` (from the level), hazards
:math:`H_z`, risk :math:`\rho_z`, key zones :math:`K`; teams :math:`t` with
type :math:`k_t`, size :math:`n_t`, home :math:`h_t`; re-basable teams
:math:`R`, fixed teams :math:`F`; allowed stations :math:`A_t = \{h_t\}` for
:math:`t \in F`, :math:`\{z : c_{z h_t} \le r\} \cup \{h_t\}` for :math:`t \in R`
(:math:`r` = ``rebase_radius``, all zones when None); response standard
:math:`S_k` per type; :math:`C_h` the types able to answer hazard :math:`h`;
:math:`P` the professional types; :math:`N^{S}_{z} = \{(t, z') : c_{z z'} \le
S_{k_t}\}` the placements that reach :math:`z` within standard.

.. math::

    \min\; \sum_z \rho_z \sum_{z'} c_{z z'} a_{z z'}
           + \mu \sum_{t \in R} \sum_{z \ne h_t} s_{t z}

    \text{s.t.}\quad
    \sum_{z \in A_t} s_{t z} = 1 \;\; (t \in R), \qquad
    \sum_{t} n_t\, s_{t z} \ge m_z \;\; (z),

    \sum_{(t,z') \in N^S_z :\, k_t \in C_h \cap P} s_{t z'} \ge 1 \;\; (z \in K, h \in H_z),
    \qquad
    \sum_{(t,z') \in N^S_z :\, k_t \in C_{H_z}} s_{t z'} \ge 2 \;\; (z \in K),

    \sum_{z'} a_{z z'} = 1, \qquad a_{z z'} \le o_{z'} \le \sum_t s_{t z'}, \qquad
    \sum_z a_{z z'} \le W \sum_t s_{t z'},

fixed teams entering as constants (:math:`s_{t h_t} = 1`, no variable);
:math:`s, o, a` binary. :math:`a_{z z'}` makes a team stationed in
:math:`z'` the primary (A) responder of :math:`z`; :math:`o_{z'}` marks an
occupied zone; :math:`W` = ``workload_cap`` (zones a team is primary for);
:math:`\mu` = ``move_cost``. With ``nested=True`` the staffing sum of a zone
also counts teams stationed in the zones below it (``parent``).

Because each team has exactly one station, a sum of :math:`s` over
placements counts *distinct* teams: the second row gives every key zone two
distinct teams within their standards (A/B roles, Hogan & ReVelle 1986
backup coverage). The workload row is per station zone, yet exact: the
zones assigned to a station are dealt round-robin to the teams there, so none
gets more than :math:`\lceil \text{zones}/\text{teams} \rceil \le W`.

Exact reductions: fixed teams have no variable (their people and counts
move to the row bounds, rows they already satisfy are dropped); zones holding
a fixed team are always occupied (no :math:`o`, no link row); placements and
pairs beyond a standard or ``max_response`` get no entry; without a workload
cap a zone is never assigned farther than its nearest zone holding a fixed
team (that assignment is always feasible and no constraint couples
:math:`a` otherwise).

References
----------
Hogan, K. & ReVelle, C. (1986). Concepts and applications of backup coverage.
*Management Science* 32(11), 1434–1444. — Schilling, D. et al. (1979). The
TEAM/FLEET models for simultaneous facility and equipment siting.
*Transportation Science* 13(2), 163–175. — Shangjie district 14th five-year
emergency plan (BRIEF.md items 1–3); team-to-zone staffing: reference/domain.md
§12 (an erlocate generalisation, no single classical source).
"""

from erlocate.planning.teams.defaults import (
    DEFAULT_COMPATIBILITY,
    DEFAULT_MINIMA,
    DEFAULT_STANDARDS,
    PROFESSIONAL_TYPES,
)
from erlocate.planning.teams.model import TeamAllocation
from erlocate.planning.teams.plan import TeamPlan

__all__ = [
    "DEFAULT_COMPATIBILITY",
    "DEFAULT_MINIMA",
    "DEFAULT_STANDARDS",
    "PROFESSIONAL_TYPES",
    "TeamAllocation",
    "TeamPlan",
]
