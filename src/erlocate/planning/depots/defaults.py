"""Default depot tables: the 13 material categories and the three depot tiers.

:func:`material_categories` lists the 13 material categories of the district
plan (BRIEF.md item 6) with **illustrative** per-person needs, space per unit
and holding costs; :func:`depot_tiers` the three depot tiers (district
comprehensive depot, sub-district depot, community point) with
**illustrative** capacities, costs and handling times. No standard gives these
numbers: pass your own tables for real planning.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["depot_tiers", "material_categories"]

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
