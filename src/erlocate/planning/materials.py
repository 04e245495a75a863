"""Materials depots: the category and tier tables, exclusions, and the data side of Depots.

:func:`material_categories` lists the 13 material categories of the district
plan (BRIEF.md item 6) with **illustrative** per-person needs, space per unit
and holding costs; :func:`depot_tiers` the three depot tiers (district
comprehensive depot, sub-district depot, community point) with
**illustrative** capacities, costs and handling times. No standard gives these
numbers: pass your own tables for real planning.

:func:`exclusion_zones` marks sites inside hazard polygons (flood zones) or
near hazard lines (fault lines) with the reason. :func:`prepare` resolves the
parameters of a :class:`~erlocate.planning.depots.Depots` model into arrays
aligned with an :class:`~erlocate.instance.Instance` (:class:`DepotData`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from erlocate.errors import InfeasibleError, InputError
from erlocate.instance import Instance

__all__ = [
    "DepotData",
    "check_rules",
    "depot_tiers",
    "exclusion_zones",
    "material_categories",
    "precheck",
    "prepare",
    "rule_units",
]

_CATEGORIES = [  # key, label_zh, item (unit), per_person, space_per_unit (m³), holding, abc
    ("protective", "防护用品类", "protective kit (mask, gloves, raincoat)", 0.2, 0.005, 3.0, "B"),
    ("life_saving", "生命救助类", "life jacket / search-and-rescue kit", 0.05, 0.03, 10.0, "A"),
    ("life_support", "生命支持类", "first-aid and oxygen kit", 0.05, 0.01, 15.0, "A"),
    ("rescue_transport", "救援运载类", "stretcher / inflatable boat share", 0.005, 0.3, 50.0, "A"),
    ("food_lodging", "临时食宿类", "person-day of food, water and bedding", 3.0, 0.05, 8.0, "A"),
    ("decontamination", "污染清理类", "disinfection / absorbent kit", 0.05, 0.02, 5.0, "C"),
    ("power_fuel", "动力燃料类", "20 L fuel can / battery pack", 0.02, 0.03, 10.0, "B"),
    ("engineering_equipment", "工程设备类", "pump / generator / saw", 0.002, 0.5, 200.0, "A"),
    ("tools", "器材工具类", "tool kit", 0.01, 0.05, 10.0, "C"),
    ("lighting", "照明设备类", "work lamp", 0.02, 0.01, 5.0, "C"),
    ("communications", "通讯广播类", "radio / loudspeaker", 0.005, 0.005, 20.0, "B"),
    ("transport", "交通运输类", "traffic-control kit (cones, signs)", 0.005, 0.1, 10.0, "C"),
    ("engineering_materials", "工程材料类", "sandbag (stored empty)", 2.0, 0.002, 0.2, "C"),
]
_TIERS = [  # tier, label_zh, capacity (m³), fixed_cost, handling_time (h), source
    (
        "district",
        "区级综合应急物资储备库",
        1800.0,
        500_000.0,
        2.0,
        "建标121-2009 class 6 (county) depot 1,000–1,200 m² building; 1,800 m³ assumes 1,200 m² "
        "× 60 % storage floor × 2.5 m stacking (ours)",
    ),
    (
        "subdistrict",
        "镇办应急物资储备点",
        300.0,
        80_000.0,
        1.0,
        "'one office, one team, one depot, one platform' (BRIEF item 6); 200 m² × 60 % × 2.5 m "
        "(ours)",
    ),
    (
        "community",
        "社区应急物资储备点",
        30.0,
        10_000.0,
        0.5,
        "community supplement tier (BRIEF item 6); a 20 m² room × 60 % × 2.5 m (ours)",
    ),
]
_MINUTES = {"minutes": 1.0 / 60.0, "hours": 1.0}


def material_categories() -> pd.DataFrame:
    """The 13 material categories of the district plan (a fresh copy; edit and pass it).

    Index ``category``; columns ``label_zh`` (the plan's name), ``item`` (what one
    *unit* is), ``per_person`` (units needed per affected person, for the
    relief period), ``space_per_unit`` (storage volume of one unit in m³ — the
    unit of depot capacity; use m² of footprint throughout if your capacities
    are floor areas), ``holding_cost`` (yuan per unit stocked per year) and
    ``abc`` (ABC class of the plan's ABC management: A = critical, checked
    often). The categories are the plan's list (防护用品类 … 工程材料类,
    BRIEF.md item 6, seed document §5). **Every number is illustrative** (our
    assumption, not from a standard): about 0.16 m³ per affected person in all,
    the same order as 建标121-2009 (a county depot of 1,000–1,200 m² for
    5,000–7,000 relocated people; reference/domain.md §1.4).
    """
    cols = ["category", "label_zh", "item", "per_person", "space_per_unit", "holding_cost", "abc"]
    return pd.DataFrame(_CATEGORIES, columns=cols).set_index("category")


def depot_tiers() -> pd.DataFrame:
    """The depot tier table (a fresh copy; edit and pass it).

    Index ``tier``: ``district`` (comprehensive depot; the plan wants at least
    one), ``subdistrict`` (one per town / sub-district office: "one office, one
    team, one depot, one platform") and ``community`` (community points).
    Columns ``label_zh``, ``capacity`` (storage m³, used where a site has no
    capacity of its own), ``fixed_cost`` (annualised yuan per depot, used when
    the instance has no site costs), ``handling_time`` (hours to load and
    dispatch, added to the travel time before comparing with the relief time)
    and ``source``. Tiers from BRIEF.md item 6 and reference/domain.md §1.4;
    **capacities, costs and handling times are illustrative.**
    """
    cols = ["tier", "label_zh", "capacity", "fixed_cost", "handling_time", "source"]
    return pd.DataFrame(_TIERS, columns=cols).set_index("tier")


# ---------------------------------------------------------------------- exclusions
def _named(value: Any, default: str) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [(str(k), v) for k, v in value.items()]
    return [(default, value)]


def _geometry(geom: Any, crs: Any, field: str) -> Any:
    """One shapely geometry (a GeoSeries / GeoDataFrame is unioned, reprojected to ``crs``)."""
    import shapely

    if hasattr(geom, "geometry") or hasattr(geom, "union_all"):
        series = geom.geometry if hasattr(geom, "geometry") else geom
        if series.crs is not None and crs is not None and series.crs != crs:
            series = series.to_crs(crs)
        return series.union_all()
    if isinstance(geom, shapely.Geometry):
        return geom
    raise InputError(
        f"{field}: expected a shapely geometry, GeoSeries or GeoDataFrame, got "
        f"{type(geom).__name__}",
        field=field,
    )


def exclusion_zones(
    site_frame: Any, *, within: Any = None, near: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Sites inside hazard zones or near hazard lines, with the reason.

    Parameters
    ----------
    site_frame : geopandas.GeoDataFrame
        The candidate sites (``instance.site_frame``), in a projected CRS when
        ``near`` is given (distances are in CRS units, metres for UTM).
    within : geometry, GeoSeries, GeoDataFrame or mapping, optional
        Zones a depot must not be in (e.g. flood polygons); a mapping
        ``{"flood zone": polygons}`` names the reason. Points on the boundary
        count as inside.
    near : (geometry, distance) or mapping, optional
        Lines (or any geometry) a depot must keep ``distance`` from, e.g.
        ``(fault_line, 500)``; ``{"fault line": (line, 500)}`` names the reason.

    Returns
    -------
    excluded : numpy.ndarray of bool
    reason : numpy.ndarray of str
        ``"inside flood zone"``, ``"within 500 m of fault line"`` (joined by
        "; " when several apply; ``""`` for sites not excluded).
    """
    if site_frame is None or not hasattr(site_frame, "geometry"):
        raise InputError(
            "exclude_within / exclude_near: need the sites' geometry; build the instance with "
            "Instance.from_geodataframes or .with_frames(site_frame=...)",
            field="exclude_within",
        )
    crs = site_frame.crs
    pts = site_frame.geometry
    n = len(site_frame)
    reasons: list[np.ndarray] = []
    for name, geom in _named(within, "exclusion zone"):
        g = _geometry(geom, crs, "exclude_within")
        hit = pts.intersects(g).to_numpy()
        reasons.append(np.where(hit, f"inside {name}", ""))
    near_items = _named(near, "hazard line") if isinstance(near, Mapping) or near is None else []
    if near is not None and not isinstance(near, Mapping):
        near_items = [("hazard line", near)]
    for name, spec in near_items:
        if not (isinstance(spec, tuple) and len(spec) == 2):
            raise InputError(
                f"exclude_near: expected (geometry, distance), got {spec!r}", field="exclude_near"
            )
        geom, dist = spec
        if crs is not None and crs.is_geographic:
            raise InputError(
                "exclude_near: the sites are in a geographic CRS (degrees); project them to "
                "metres first, e.g. site_frame.to_crs(site_frame.estimate_utm_crs())",
                field="exclude_near",
            )
        if not (np.isfinite(float(dist)) and float(dist) >= 0):
            raise InputError(
                f"exclude_near: distance must be >= 0, got {dist!r}", field="exclude_near"
            )
        g = _geometry(geom, crs, "exclude_near")
        unit = "m" if crs is None or "metre" in str(crs.axis_info[0].unit_name) else ""
        hit = (pts.distance(g) <= float(dist)).to_numpy()
        reasons.append(
            np.where(hit, f"within {float(dist):g}{' ' + unit if unit else ''} of {name}", "")
        )
    out = np.full(n, "", dtype=object)
    for r in reasons:
        out = np.where((out != "") & (r != ""), out + "; " + r, np.where(out != "", out, r))
    return out != "", out


# ---------------------------------------------------------------------- data
@dataclass(frozen=True, eq=False)
class DepotData:
    """A Depots model's inputs resolved against an instance (all times in hours)."""

    cats: pd.Index  # category names (K)
    cat_table: pd.DataFrame
    space: np.ndarray  # (K) space per unit
    holding: np.ndarray  # (K) holding cost per unit
    scen: list[str]  # scenario names (S)
    prob: np.ndarray  # (S)
    need_pp: np.ndarray  # (S, K) units per affected person
    affected: np.ndarray  # (S, n)
    demand: np.ndarray  # (S, n, K) units needed
    nets: list[Instance]  # travel network per scenario (instance cost unit)
    tier: np.ndarray  # (m) tier label per site
    tier_table: pd.DataFrame
    cap: np.ndarray  # (m) space units, inf = none
    fixed: np.ndarray  # (m)
    handling: np.ndarray  # (m) hours
    unit: np.ndarray | None  # (m) unit label per site
    excluded: np.ndarray  # (m) bool (required excluded sites kept open with on_excluded="keep")
    reason: np.ndarray  # (m) exclusion reason
    allowed: np.ndarray  # (m) may open
    to_hours: float
    contracts: pd.DataFrame  # supplier, category, capacity, retainer, delivery_cost, lead_time
    c_cat: np.ndarray  # (C) category position
    c_cap: np.ndarray
    c_retainer: np.ndarray
    c_delivery: np.ndarray
    c_time: list[np.ndarray]  # per scenario (n, C): hours from call to delivery
    relief: float

    def hours(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stored pairs of scenario ``s``: rows, sites, travel + handling hours."""
        net = self.nets[s]
        return (
            net.pair_rows,
            net.indices,
            net.costs * self.to_hours + self.handling[net.indices],
        )

    def usable(self, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs of scenario ``s`` a depot may serve: allowed site, within the relief time."""
        rows, cols, hrs = self.hours(s)
        ok = self.allowed[cols] & (hrs <= self.relief * (1 + 1e-12))
        return rows[ok], cols[ok], self.nets[s].costs[ok] * self.to_hours


def _num(
    value: Any, frame: Any, n: int, field: str, where: str, *, inf: bool = False
) -> np.ndarray:
    """A number, n numbers, or a column of ``instance.<where>`` -> float array (>= 0)."""
    if isinstance(value, str):
        if frame is None or value not in frame.columns:
            raise InputError(
                f"{field}: no column {value!r} in instance.{where}; pass {n} values or a column "
                f"name of instance.{where}",
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
    bad = np.isnan(arr) | (arr < 0) | (~np.isfinite(arr) if not inf else False)
    if bad.any():
        k = np.flatnonzero(bad)
        raise InputError(
            f"{field}: must be finite numbers >= 0; bad at positions {k[:5].tolist()} "
            f"(e.g. {arr[k[0]]!r})",
            field=field,
        )
    return arr


def _labels(value: Any, frame: Any, n: int, field: str, known: Sequence | None) -> np.ndarray:
    """A column of site_frame, one label for all, or n labels -> object array."""
    if isinstance(value, str) and frame is not None and value in frame.columns:
        arr = frame[value].to_numpy(dtype=object)
    elif isinstance(value, str) and known is not None and value in known:
        arr = np.full(n, value, dtype=object)
    elif isinstance(value, str):
        hint = f" or one of {list(known)}" if known is not None else ""
        raise InputError(
            f"{field}: no column {value!r} in instance.site_frame; pass {n} labels, a column "
            f"name{hint}",
            field=field,
        )
    else:
        arr = np.asarray(value, dtype=object)
        if arr.shape != (n,):
            raise InputError(f"{field}: expected {n} labels, got shape {arr.shape}", field=field)
    return arr


def _table(t: Any, default: pd.DataFrame, need: list[str], field: str) -> pd.DataFrame:
    if t is None:
        return default
    if isinstance(t, Mapping):
        t = pd.DataFrame.from_dict(dict(t), orient="index")
    if not isinstance(t, pd.DataFrame):
        raise InputError(f"{field}: a DataFrame indexed by name, or a mapping", field=field)
    missing = [c for c in need if c not in t.columns]
    if missing:
        raise InputError(f"{field}: missing columns {missing}", field=field)
    if not t.index.is_unique or len(t) == 0:
        raise InputError(f"{field}: needs at least one row and unique index labels", field=field)
    t = t.copy()
    for c in need:
        v = pd.to_numeric(t[c], errors="coerce").to_numpy(float)
        if np.isnan(v).any() or (v < 0).any():
            bad = t.index[np.isnan(v) | (v < 0)].tolist()[:5]
            raise InputError(
                f"{field}: column {c!r} must be numbers >= 0; bad rows {bad}", field=field
            )
        t[c] = v
    return t


def _net(value: Any, instance: Instance, name: str) -> Instance:
    """One scenario's travel matrix (array, sparse, DataFrame or Instance) as an Instance."""
    field = "scenario_costs"
    if isinstance(value, Instance):
        if not (
            value.demand_ids.equals(instance.demand_ids)
            and value.site_ids.equals(instance.site_ids)
        ):
            raise InputError(
                f"{field}: the instance of scenario {name!r} must have the same demand and site "
                "ids, in the same order, as the instance solved",
                field=field,
            )
        return value
    if isinstance(value, pd.DataFrame):
        missing = (
            instance.demand_ids.difference(value.index).tolist()[:5]
            + (instance.site_ids.difference(value.columns).tolist()[:5])
        )
        if missing:
            raise InputError(
                f"{field}: scenario {name!r} matrix lacks ids {missing}; index = community ids, "
                "columns = site ids",
                field=field,
            )
        value = value.reindex(index=instance.demand_ids, columns=instance.site_ids).to_numpy(float)
    shape = getattr(value, "shape", None) or np.shape(value)
    if tuple(shape) != (instance.n_demand, instance.n_sites):
        raise InputError(
            f"{field}: scenario {name!r} matrix has shape {tuple(shape)}, expected "
            f"({instance.n_demand}, {instance.n_sites})",
            field=field,
        )
    try:
        return Instance.from_matrix(
            value, demand_ids=instance.demand_ids, site_ids=instance.site_ids
        )
    except InputError as exc:
        raise InputError(f"{field}: scenario {name!r}: {exc}", field=field) from None


def _scenarios(model: Any, instance: Instance) -> tuple[list[str], np.ndarray]:
    n, frame, ids = instance.n_demand, instance.demand_frame, instance.demand_ids
    a = model.affected
    if a is None:
        items: list[tuple[Any, Any]] = [("base", instance.weights)]
    elif isinstance(a, pd.DataFrame):
        missing = ids.difference(a.index)
        if len(missing):
            raise InputError(
                f"affected: no rows for communities {missing[:5].tolist()}; index the table by "
                "community id (instance.demand_ids), one column per scenario",
                field="affected",
            )
        a = a.reindex(ids)
        items = [(c, a[c].to_numpy()) for c in a.columns]
    elif isinstance(a, Mapping):
        items = list(a.items())
    elif isinstance(a, Sequence) and not isinstance(a, str):
        items = [(c, c) for c in a]
    else:
        raise InputError(
            "affected: a DataFrame (communities × scenarios), a mapping scenario -> values or "
            "demand_frame column, or a list of demand_frame columns",
            field="affected",
        )
    if not items:
        raise InputError("affected: no scenario given", field="affected")
    names = [str(k) for k, _ in items]
    if len(set(names)) != len(names):
        raise InputError(f"affected: scenario names must be unique, got {names}", field="affected")
    rows = [
        _num(v, frame, n, f"affected[{nm}]", "demand_frame")
        for nm, (_, v) in zip(names, items, strict=True)
    ]
    return names, np.vstack(rows)


def _probabilities(p: Any, names: list[str]) -> np.ndarray:
    S = len(names)
    if p is None:
        return np.full(S, 1.0 / S)
    if isinstance(p, Mapping):
        unknown = [k for k in p if str(k) not in names]
        missing = [nm for nm in names if nm not in {str(k) for k in p}]
        if unknown or missing:
            raise InputError(
                f"probabilities: unknown scenarios {unknown}, missing {missing}; give one per "
                f"scenario of affected: {names}",
                field="probabilities",
            )
        p = [dict((str(k), v) for k, v in p.items())[nm] for nm in names]
    arr = _num(p, None, S, "probabilities", "")
    if abs(arr.sum() - 1.0) > 1e-9:
        raise InputError(
            f"probabilities: sum to {arr.sum():g}; they must sum to 1 (scenario weights given "
            "that a disaster happens)",
            field="probabilities",
        )
    return arr


def _needs(model: Any, cats: pd.DataFrame, names: list[str]) -> np.ndarray:
    base = cats["per_person"].to_numpy(float)
    out = np.tile(base, (len(names), 1))
    t = model.needs
    if t is None:
        return out
    t = pd.DataFrame(t) if isinstance(t, Mapping) else t
    if not isinstance(t, pd.DataFrame):
        raise InputError(
            "needs: a DataFrame categories × scenarios (units per affected person)", field="needs"
        )
    unknown = [c for c in t.columns if str(c) not in names]
    bad_rows = t.index.difference(cats.index).tolist()
    if unknown or bad_rows:
        raise InputError(
            f"needs: unknown scenarios {unknown} / categories {bad_rows[:5]}; rows = categories "
            f"{cats.index.tolist()[:3]}..., columns = scenarios {names}",
            field="needs",
        )
    for c in t.columns:
        col = t[c].reindex(cats.index)
        v = pd.to_numeric(col, errors="coerce").to_numpy(float)
        given = col.notna().to_numpy()
        if (v[given] < 0).any() or np.isnan(v[given]).any():
            raise InputError(
                f"needs: scenario {c!r} has negative or non-numeric needs", field="needs"
            )
        out[names.index(str(c)), given] = v[given]
    return out


def _exclusions(model: Any, instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    m, frame = instance.n_sites, instance.site_frame
    reason = np.full(m, "", dtype=object)
    flag = model.excluded
    if isinstance(flag, str):
        if frame is not None and flag in frame.columns:
            flag = frame[flag].to_numpy()
        elif flag == "excluded":
            flag = None
        else:
            raise InputError(
                f"excluded: no column {flag!r} in instance.site_frame", field="excluded"
            )
    if flag is not None:
        mask = np.asarray(flag)
        if mask.shape != (m,):
            raise InputError(
                f"excluded: expected {m} flags, got shape {mask.shape}", field="excluded"
            )
        mask = pd.Series(mask).fillna(False).astype(bool).to_numpy()
        why = model.exclusion_reason
        if isinstance(why, str) and (frame is None or why not in frame.columns):
            why = None if why == "exclusion_reason" else why
            if why is not None:
                raise InputError(
                    f"exclusion_reason: no column {why!r} in instance.site_frame",
                    field="exclusion_reason",
                )
        if isinstance(why, str):
            why = frame[why].to_numpy(dtype=object)
        why = (
            np.full(m, "excluded in the site data", dtype=object)
            if why is None
            else np.asarray(why, object)
        )
        blank = pd.isna(why) | (why == "")
        reason[mask] = np.where(blank, "excluded in the site data", why)[mask].astype(str)
    if model.exclude_within is not None or model.exclude_near is not None:
        _, geo = exclusion_zones(frame, within=model.exclude_within, near=model.exclude_near)
        reason = np.where(
            (reason != "") & (geo != ""), reason + "; " + geo, np.where(reason != "", reason, geo)
        )
    return reason != "", reason


def _contracts(
    model: Any, instance: Instance, cats: pd.Index, names: list[str], to_h: float
) -> tuple:
    t = model.contracts
    cols = ["supplier", "category", "capacity", "retainer", "delivery_cost", "lead_time"]
    if t is None:
        t = pd.DataFrame({c: pd.Series(dtype=object if c in cols[:2] else float) for c in cols})
    if not isinstance(t, pd.DataFrame):
        raise InputError(
            "contracts: a DataFrame, one row per (supplier, category)", field="contracts"
        )
    t = t.reset_index(drop=True).copy()
    if "delivery_cost" not in t.columns:
        t["delivery_cost"] = 0.0
    missing = [c for c in cols if c not in t.columns]
    if missing:
        raise InputError(
            f"contracts: missing columns {missing}; need supplier, category, capacity, retainer, "
            "lead_time (hours, call to delivery) and optionally delivery_cost",
            field="contracts",
        )
    unknown = sorted({str(c) for c in t["category"] if c not in cats})
    if unknown:
        raise InputError(
            f"contracts: unknown categories {unknown}; known: {cats.tolist()}", field="contracts"
        )
    for c in cols[2:]:
        t[c] = _num(t[c].to_numpy(), None, len(t), f"contracts.{c}", "")
    n, C = instance.n_demand, len(t)
    base = np.broadcast_to(t["lead_time"].to_numpy(float), (n, C))
    times = [base.copy() for _ in names]
    tr = model.supplier_travel
    if tr is not None:
        per = tr if isinstance(tr, Mapping) else {nm: tr for nm in names}
        for nm, df in per.items():
            if str(nm) not in names:
                raise InputError(
                    f"supplier_travel: unknown scenario {nm!r}", field="supplier_travel"
                )
            if not isinstance(df, pd.DataFrame):
                raise InputError(
                    "supplier_travel: a DataFrame (index community ids, columns supplier ids)",
                    field="supplier_travel",
                )
            need = pd.Index(t["supplier"].unique())
            lack = (
                instance.demand_ids.difference(df.index).tolist()[:3]
                + need.difference(df.columns).tolist()[:3]
            )
            if lack:
                raise InputError(f"supplier_travel: missing ids {lack}", field="supplier_travel")
            mat = df.reindex(index=instance.demand_ids).to_numpy(float)
            pos = df.columns.get_indexer(t["supplier"])
            tt = mat[:, pos]
            if np.isnan(tt).any() or (tt < 0).any():
                raise InputError(
                    "supplier_travel: NaN or negative times (use inf for unreachable)",
                    field="supplier_travel",
                )
            times[names.index(str(nm))] = base + tt * to_h
    return t[cols], cats.get_indexer(t["category"]), times


def prepare(model: Any, instance: Instance) -> DepotData:
    """Resolve a Depots model's parameters against ``instance`` (raises InputError)."""
    if model.cost_unit not in _MINUTES:
        raise InputError(
            f"cost_unit: {model.cost_unit!r}; use 'minutes' or 'hours'", field="cost_unit"
        )
    if model.transport not in ("expected", "worst"):
        raise InputError(
            f"transport: {model.transport!r}; use 'expected' or 'worst'", field="transport"
        )
    if model.on_excluded_required not in ("error", "keep"):
        raise InputError(
            f"on_excluded_required: {model.on_excluded_required!r}; use 'error' or 'keep'",
            field="on_excluded_required",
        )
    for field in ("relief_time", "transport_rate"):
        v = getattr(model, field)
        if (
            isinstance(v, bool)
            or not isinstance(v, (int, float, np.number))
            or not np.isfinite(v)
            or v < 0
        ):
            raise InputError(f"{field}: a finite number >= 0, got {v!r}", field=field)
    to_h = _MINUTES[model.cost_unit]
    m = instance.n_sites
    sframe = instance.site_frame

    cats = _table(
        model.categories,
        material_categories(),
        ["per_person", "space_per_unit", "holding_cost"],
        "categories",
    )
    tiers = _table(model.tiers, depot_tiers(), ["capacity", "fixed_cost", "handling_time"], "tiers")
    names, affected = _scenarios(model, instance)
    prob = _probabilities(model.probabilities, names)
    need_pp = _needs(model, cats, names)
    demand = affected[:, :, None] * need_pp[:, None, :]

    tier = _labels(model.site_tier, sframe, m, "site_tier", tiers.index)
    unknown = [t for t in pd.unique(tier) if t not in tiers.index]
    if unknown:
        at = instance.site_ids[pd.Index(tier).isin(unknown)][:5].tolist()
        raise InputError(
            f"site_tier: unknown tier(s) {unknown} at sites {at}; known: {tiers.index.tolist()}",
            field="site_tier",
        )
    tpos = tiers.index.get_indexer(tier)
    if model.capacity is not None:
        cap = _num(model.capacity, sframe, m, "capacity", "site_frame", inf=True)
    else:
        cap = np.where(
            np.isfinite(instance.capacities),
            instance.capacities,
            tiers["capacity"].to_numpy()[tpos],
        )
    if model.fixed_cost is not None:
        fixed = _num(model.fixed_cost, sframe, m, "fixed_cost", "site_frame")
    elif instance.has_site_costs:
        fixed = np.asarray(instance.site_costs, dtype=float)
    else:
        fixed = tiers["fixed_cost"].to_numpy()[tpos]
    handling = (
        tiers["handling_time"].to_numpy()[tpos]
        if model.handling_time is None
        else _num(model.handling_time, sframe, m, "handling_time", "site_frame")
    )
    unit = None
    if model.units_requiring is not None:
        unit = _labels(model.unit, sframe, m, "unit", None)

    excluded, reason = _exclusions(model, instance)
    bad = excluded & instance.required
    if bad.any():
        listed = ", ".join(
            f"{instance.site_ids[k]!r} ({reason[k]})" for k in np.flatnonzero(bad)[:5]
        )
        if model.on_excluded_required == "error":
            raise InputError(
                f"required: existing depot(s) {listed} lie in excluded areas; drop them from "
                "required (plan to relocate), clear their exclusion, or pass "
                "on_excluded_required='keep' to keep them open with a warning",
                field="required",
            )
        warnings.warn(f"existing depot(s) {listed} lie in excluded areas; kept open", stacklevel=3)
    allowed = ~excluded | instance.required

    nets = []
    sc = {} if model.scenario_costs is None else model.scenario_costs
    if not isinstance(sc, Mapping):
        sc = {nm: sc for nm in names}
    unknown = [k for k in sc if str(k) not in names]
    if unknown:
        raise InputError(
            f"scenario_costs: unknown scenarios {unknown}; known {names}", field="scenario_costs"
        )
    sc = {str(k): v for k, v in sc.items()}
    for nm in names:
        nets.append(_net(sc[nm], instance, nm) if nm in sc else instance)

    contracts, c_cat, c_time = _contracts(model, instance, cats.index, names, to_h)
    return DepotData(
        cats=cats.index,
        cat_table=cats,
        space=cats["space_per_unit"].to_numpy(float),
        holding=cats["holding_cost"].to_numpy(float),
        scen=names,
        prob=prob,
        need_pp=need_pp,
        affected=affected,
        demand=demand,
        nets=nets,
        tier=tier,
        tier_table=tiers,
        cap=cap,
        fixed=fixed,
        handling=handling,
        unit=unit,
        excluded=excluded,
        reason=reason,
        allowed=allowed,
        to_hours=to_h,
        contracts=contracts,
        c_cat=c_cat,
        c_cap=contracts["capacity"].to_numpy(float),
        c_retainer=contracts["retainer"].to_numpy(float),
        c_delivery=contracts["delivery_cost"].to_numpy(float),
        c_time=c_time,
        relief=float(model.relief_time),
    )


# ---------------------------------------------------------------------- prechecks
def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-6 else f"{x:,.2f}"


def rule_units(model: Any, d: DepotData) -> list[Any]:
    """The units that need depots of ``model.unit_tier``."""
    if model.units_requiring is None:
        return []
    if isinstance(model.units_requiring, str) and model.units_requiring == "all":
        return [u for u in pd.unique(d.unit) if not pd.isna(u)]
    want = list(model.units_requiring)
    unknown = [u for u in want if u not in set(d.unit)]
    if unknown:
        raise InputError(
            f"units_requiring: units {unknown} have no site (unit labels: "
            f"{sorted(map(str, pd.unique(d.unit)))[:8]})",
            field="units_requiring",
        )
    return want


def check_rules(model: Any, d: DepotData) -> None:
    """Tier and unit rule parameters are valid (InputError)."""
    for t, k in model.min_per_tier.items():
        if t not in d.tier_table.index:
            raise InputError(f"min_per_tier: unknown tier {t!r}", field="min_per_tier")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise InputError(f"min_per_tier: {t!r} needs an integer >= 0", field="min_per_tier")
    if model.units_requiring is not None and model.unit_tier not in d.tier_table.index:
        raise InputError(f"unit_tier: unknown tier {model.unit_tier!r}", field="unit_tier")
    lo, hi = model.min_per_unit, model.max_per_unit
    if (
        not isinstance(lo, (int, np.integer))
        or lo < 0
        or (hi is not None and (not isinstance(hi, (int, np.integer)) or hi < lo))
    ):
        raise InputError(
            f"min_per_unit / max_per_unit: integers with 0 <= min <= max, got {lo!r}, {hi!r}",
            field="min_per_unit",
        )


def precheck(model: Any, instance: Instance, d: DepotData) -> None:
    """Raise InfeasibleError, with the numbers, for requests the data cannot meet."""
    check_rules(model, d)
    sids, ids = instance.site_ids, instance.demand_ids

    def why(mask: np.ndarray) -> str:
        ex = np.flatnonzero(mask & d.excluded)
        return (
            f" ({ex.size} excluded: "
            + ", ".join(f"{sids[k]!r} {d.reason[k]}" for k in ex[:3])
            + ")"
            if ex.size
            else ""
        )

    for t, k in model.min_per_tier.items():
        have = int((d.allowed & (d.tier == t)).sum())
        if have < k:
            raise InfeasibleError(
                f"at least {k} open '{t}' depot(s) required, but only {have} usable candidate "
                f"site(s) of that tier{why(d.tier == t)}; add sites of tier '{t}' or lower "
                "min_per_tier"
            )
    for u in rule_units(model, d):
        in_u = (d.unit == u) & (d.tier == model.unit_tier)
        have, req = int((in_u & d.allowed).sum()), int((in_u & instance.required).sum())
        if have < model.min_per_unit:
            raise InfeasibleError(
                f"unit {u!r} needs {model.min_per_unit} '{model.unit_tier}' depot(s) but has "
                f"{have} usable candidate site(s){why(in_u)}; add a site of tier "
                f"'{model.unit_tier}' in {u!r} or drop it from units_requiring"
            )
        if model.max_per_unit is not None and req > model.max_per_unit:
            raise InfeasibleError(
                f"unit {u!r} has {req} existing '{model.unit_tier}' depots but max_per_unit = "
                f"{model.max_per_unit}; raise max_per_unit"
            )
    T = d.relief
    for s, name in enumerate(d.scen):
        rows, cols, hrs = d.hours(s)
        ok = d.allowed[cols]
        best = np.full(instance.n_demand, np.inf)
        np.minimum.at(best, rows[ok], hrs[ok])
        ct = d.c_time[s]
        cbest = ct.min(axis=1) if ct.shape[1] else np.full(instance.n_demand, np.inf)
        by_depot = best <= T * (1 + 1e-12)
        need = d.demand[s]
        carried = np.zeros((instance.n_demand, d.cats.size), dtype=bool)
        for c in np.flatnonzero((ct <= T * (1 + 1e-12)).any(axis=0)):
            carried[:, d.c_cat[c]] |= ct[:, c] <= T * (1 + 1e-12)
        lost = (need > 0) & ~by_depot[:, None] & ~carried
        bad = np.flatnonzero(lost.any(axis=1))
        if bad.size:

            def h(v: float) -> str:
                return f"{v:.3g} h" if np.isfinite(v) else "none"

            lst = ", ".join(
                f"{ids[i]!r} (nearest usable depot {h(best[i])}, contracts {h(cbest[i])})"
                for i in bad[:10]
            )
            cats = d.cats[lost[bad].any(axis=0)].tolist()
            raise InfeasibleError(
                f"scenario {name!r}: {bad.size} affected communit(ies) cannot be supplied "
                f"within the relief time of {T:g} h by any usable depot site or contract "
                f"(travel + handling, or lead time): {lst}"
                + (" and more" if bad.size > 10 else "")
                + f"; categories {cats[:5]}. Add depot sites or contracts near them, or "
                "raise relief_time"
            )
    _capacity_prechecks(instance, d)


def _capacity_prechecks(instance: Instance, d: DepotData) -> None:
    cap_all = float(d.cap[d.allowed].sum())
    n_sites = int(d.allowed.sum())
    totals = d.demand.sum(axis=1)  # (S, K)
    peak_s = totals.argmax(axis=0)
    peak = totals.max(axis=0)
    ccap = np.bincount(d.c_cat, weights=d.c_cap, minlength=d.cats.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        units = np.where(d.space > 0, cap_all / d.space, np.inf)
    short = np.flatnonzero(peak > (units + ccap) * (1 + 1e-9) + 1e-9)
    if short.size:
        k = short[0]
        raise InfeasibleError(
            f"category {d.cats[k]!r}: peak need {_fmt(peak[k])} units (scenario "
            f"{d.scen[peak_s[k]]!r}) exceeds what the {n_sites} usable sites can stock "
            f"({_fmt(units[k])} units = {_fmt(cap_all)} m³ / {d.space[k]:g} m³ per unit) "
            f"plus contracted capacity ({_fmt(ccap[k])} units): {_fmt(units[k] + ccap[k])} "
            "units; add depot capacity or contracts"
        )
    space = float(np.sum(d.space * np.maximum(peak - ccap, 0.0)))
    if space > cap_all * (1 + 1e-9) + 1e-9:
        raise InfeasibleError(
            f"the peak need of every category beyond contracted capacity takes "
            f"{_fmt(space)} m³ of stock, but the {n_sites} usable sites hold {_fmt(cap_all)} "
            "m³ in all; add depot capacity or contracts"
        )
    T = d.relief * (1 + 1e-12)
    for s, name in enumerate(d.scen):
        rows, cols, hrs = d.hours(s)
        ok = d.allowed[cols] & (hrs <= T)
        B = sp.csr_array(
            (np.ones(int(ok.sum())), (rows[ok], cols[ok])),
            shape=(instance.n_demand, instance.n_sites),
        )
        reach_cap = B @ np.where(np.isfinite(d.cap), d.cap, 1e300)
        with np.errstate(divide="ignore", invalid="ignore"):
            units = np.where(d.space > 0, reach_cap[:, None] / d.space[None, :], np.inf)
        cin = (d.c_time[s] <= T).astype(float)
        ccap_i = (
            cin
            @ sp.csr_array(
                (d.c_cap, (np.arange(d.c_cap.size), d.c_cat)), shape=(d.c_cap.size, d.cats.size)
            ).toarray()
        )
        over = d.demand[s] > (units + ccap_i) * (1 + 1e-9) + 1e-9
        if over.any():
            i, k = np.argwhere(over)[0]
            raise InfeasibleError(
                f"scenario {name!r}: community {instance.demand_ids[i]!r} needs "
                f"{_fmt(d.demand[s][i, k])} units of {d.cats[k]!r}, but the depot sites within "
                f"{d.relief:g} h can hold {_fmt(units[i, k])} units and reachable contracts "
                f"{_fmt(ccap_i[i, k])}; {int(over.any(axis=1).sum())} communities are short"
            )
