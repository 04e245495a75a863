"""Generate the embedded default district dataset (``erlocate.datasets.load_district``).

The geography is synthetic; the counts and totals are those of the Shangjie district
(Zhengzhou) 14th five-year emergency-management plan as distilled in ``BRIEF.md``: 64.7 km²,
about 140,000 people, 1 town + 5 sub-districts, 137 flood-control key points, 5 geological
hazard points (31 villages exposed), 16 hazardous-chemical sites, 1,161 ha of forest in the
south, 6 shelters with 257,700 m², 5 government warehouses, 5 professional forces of 843 people.
Everything else (positions, roads, candidate sites, costs, capacities) is illustrative.

Run from the repository root::

    python scripts/make_district.py            # rewrites src/erlocate/datasets/data/district.gpkg
    python scripts/make_district.py --out x.gpkg

The output is a function of ``--seed`` only (numpy ``default_rng``); with the same GDAL the
file is byte-for-byte identical between runs (the GeoPackage timestamp is pinned).
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring

SEED = 2021
CRS = "EPSG:32649"  # WGS 84 / UTM zone 49N, metres
# local (0, 0) sits at about 113.28 E, 34.82 N (Shangjie, Zhengzhou)
ORIGIN = (708_500.0, 3_855_450.0)
DEFAULT_OUT = (
    Path(__file__).resolve().parents[1] / "src" / "erlocate" / "datasets" / "data" / "district.gpkg"
)
GPKG_TIMESTAMP = "2021-12-31T00:00:00.000Z"  # pinned so that reruns give identical bytes

# --------------------------------------------------------------------------------------
# Figures from the plan (BRIEF.md). Everything not in this block is synthetic.
# --------------------------------------------------------------------------------------
AREA_KM2 = 64.7
POPULATION = 140_000
FOREST_KM2 = 11.61  # 1,161 ha, all in Xiawo town
N_GEO_EXPOSED_VILLAGES = 31
EXISTING_SHELTER_AREA_M2 = 257_700
FORCES = {  # force -> (people, team type); 843 in all
    "fire_rescue": 24,
    "forest_rangers": 7,
    "road_flood": 13,
    "public_security_patrol": 192,
    "militia": 607,
}

# unit_id, name, name_zh, kind, flood key points (plan), population (synthetic split of 140,000)
UNITS = [
    ("xiawo", "Xiawo", "峡窝镇", "town", 48, 26_000),
    ("jiyuan", "Jiyuan Rd", "济源路街道", "subdistrict", 19, 28_500),
    ("zhongxin", "Zhongxin Rd", "中心路街道", "subdistrict", 30, 33_000),
    ("xinan", "Xin'an Rd", "新安路街道", "subdistrict", 19, 24_500),
    ("gongye", "Gongye Rd", "工业路街道", "subdistrict", 20, 19_000),
    ("kuangshan", "Kuangshan", "矿山街道", "subdistrict", 1, 9_000),
]
UNIT_NAME = {u[0]: u[1] for u in UNITS}
NORTH_UNITS = [u[0] for u in UNITS if u[0] != "xiawo"]
# number of demand points per unit (synthetic)
N_COMMUNITIES = {
    "xiawo": 36,
    "jiyuan": 18,
    "zhongxin": 22,
    "xinan": 16,
    "gongye": 14,
    "kuangshan": 8,
}

# rough outline of the district (km, local frame), before wiggling and rescaling to 64.7 km²
OUTLINE_KM = [
    (-4.3, 4.5), (-2.6, 4.9), (-0.9, 4.6), (0.6, 5.0), (2.3, 4.7), (3.9, 4.9), (4.5, 3.1),
    (4.1, 1.4), (4.7, -0.3), (4.4, -2.2), (3.6, -3.9), (2.4, -5.4), (0.6, -6.0), (-1.2, -5.6),
    (-2.6, -4.7), (-3.5, -3.0), (-3.9, -1.2), (-4.6, 0.6), (-4.1, 2.4),
]  # fmt: skip
# sub-district "centres" (local frame, m): arterial blocks go to the nearest one
UNIT_SEEDS = {
    "kuangshan": (-3800, 2300),
    "jiyuan": (0, 4000),
    "zhongxin": (600, 2200),
    "xinan": (-1200, 1200),
    "gongye": (3000, 2100),
}
SPEED_KMH = {"arterial": 50, "local": 30, "hill": 20, "bridge": 30}
MAX_SEGMENT_M = 300.0


# --------------------------------------------------------------------------------------
# small geometry helpers
# --------------------------------------------------------------------------------------
def wiggle(coords: np.ndarray, rng: np.random.Generator, levels: int, amp: float, closed: bool):
    """Midpoint displacement: insert displaced midpoints `levels` times (amp = share of edge)."""
    pts = np.asarray(coords, dtype=float)
    for _ in range(levels):
        a = pts if not closed else np.vstack([pts, pts[:1]])
        out = [a[0]]
        for p, q in itertools.pairwise(a):
            d = q - p
            n = np.array([-d[1], d[0]])
            mid = (p + q) / 2 + n * rng.normal(0.0, amp)
            out.extend([mid, q])
        pts = np.array(out[:-1] if closed else out)
        amp *= 0.55
    return pts


def largest_polygon(geom) -> Polygon:
    geom = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    return max(parts, key=lambda g: g.area)


def halfplane_below(line_xy: np.ndarray, big: float = 50_000.0) -> Polygon:
    """Polygon below an x-monotone polyline."""
    xs, ys = line_xy[:, 0], line_xy[:, 1]
    ring = [*zip(xs, ys, strict=True), (xs[-1], ys.min() - big), (xs[0], ys.min() - big)]
    return Polygon(ring)


def noisy_blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int = 72) -> Polygon:
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rad = np.full(n, r)
    for k in (2, 3, 5):
        rad += r * rng.uniform(0.05, 0.16) * np.sin(k * t + rng.uniform(0, 2 * np.pi))
    return Polygon(np.c_[cx + rad * np.cos(t), cy + rad * np.sin(t)])


def elevation(x, y, y_edge: float):
    """Synthetic terrain (m a.s.l.): a plain at ~120-140 m, rising south of `y_edge`."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    s = np.clip((y_edge - y) / 1000.0, 0.0, None)  # km south of the plain's edge
    base = 121.0 + 0.002 * x + 0.0015 * y.clip(min=0)
    hills = 38.0 * s + 3.0 * s**2
    peak = 130.0 * np.exp(-((x - 600.0) ** 2 + (y + 5200.0) ** 2) / (2 * 1500.0**2))
    ripple = 7.0 * np.sin(x / 650.0) * np.cos(y / 820.0) * np.minimum(s + 0.3, 2.0)
    return base + hills + peak + ripple


def terrain_of(elev):
    elev = np.asarray(elev)
    return np.where(elev < 160, "plain", np.where(elev < 300, "hill", "mountain"))


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to `weights` that sum to `total` exactly."""
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    order = np.lexsort((np.arange(len(raw)), -(raw - out)))
    out[order[:rest]] += 1
    return out


# --------------------------------------------------------------------------------------
# name pools (pinyin, Chinese)
# --------------------------------------------------------------------------------------
VILLAGE_HEADS = [
    ("马", "Ma"), ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("赵", "Zhao"),
    ("石", "Shi"), ("杨", "Yang"), ("高", "Gao"), ("郭", "Guo"), ("孙", "Sun"), ("周", "Zhou"),
    ("陈", "Chen"), ("韩", "Han"), ("冯", "Feng"), ("朱", "Zhu"), ("许", "Xu"), ("曹", "Cao"),
    ("宋", "Song"), ("郑", "Zheng"), ("白", "Bai"), ("黄", "Huang"), ("上", "Shang"),
    ("东", "Dong"), ("西", "Xi"), ("南", "Nan"), ("北", "Bei"), ("前", "Qian"), ("后", "Hou"),
    ("槐", "Huai"), ("枣", "Zao"), ("桃", "Tao"), ("杏", "Xing"), ("庙", "Miao"), ("岗", "Gang"),
]  # fmt: skip
VILLAGE_TAILS = [
    ("庄", "zhuang"), ("沟", "gou"), ("岭", "ling"), ("坡", "po"), ("寨", "zhai"), ("峪", "yu"),
    ("洼", "wa"), ("店", "dian"), ("营", "ying"), ("窑", "yao"), ("湾", "wan"), ("坪", "ping"),
]  # fmt: skip
COMMUNITY_HEADS = [
    ("金", "Jin"), ("银", "Yin"), ("和", "He"), ("新", "Xin"), ("华", "Hua"), ("康", "Kang"),
    ("瑞", "Rui"), ("福", "Fu"), ("安", "An"), ("兴", "Xing"), ("泰", "Tai"), ("嘉", "Jia"),
    ("祥", "Xiang"), ("丰", "Feng"), ("宏", "Hong"), ("永", "Yong"), ("明", "Ming"), ("乐", "Le"),
    ("锦", "Jin"), ("翠", "Cui"), ("汇", "Hui"), ("友", "You"), ("育", "Yu"), ("铝", "Lü"),
]  # fmt: skip
COMMUNITY_TAILS = [
    ("苑", "yuan"), ("城", "cheng"), ("华", "hua"), ("安", "an"), ("康", "kang"), ("泰", "tai"),
    ("秀", "xiu"), ("湖", "hu"), ("阳", "yang"), ("景", "jing"), ("和", "he"), ("馨", "xin"),
    ("林", "lin"), ("河", "he"), ("都", "du"), ("海", "hai"),
]  # fmt: skip
# named in the plan (上街区"十四五"应急管理规划): 盛世社区, 金昌社区, 江南小镇社区
PLAN_COMMUNITIES = [
    ("jiyuan", "盛世社区", "Shengshi Community"),
    ("gongye", "金昌社区", "Jinchang Community"),
    ("xinan", "江南小镇社区", "Jiangnan Xiaozhen Community"),
]


def join_pinyin(head: str, tail: str) -> str:
    sep = "'" if tail[0] in "aoe" else ""
    return f"{head}{sep}{tail}"


def draw_names(rng, heads, tails, n, taken_zh=(), taken_py=()):
    """`n` distinct (zh, pinyin) two-syllable names."""
    pairs = [(h, t) for h in heads for t in tails if h[0] != t[0]]
    order = rng.permutation(len(pairs))
    seen_zh, seen_py = set(taken_zh), {p.lower() for p in taken_py}
    out = []
    for i in order:
        (hz, hp), (tz, tp) = pairs[i]
        zh, py = hz + tz, join_pinyin(hp, tp)
        if zh in seen_zh or py.lower() in seen_py:
            continue
        seen_zh.add(zh)
        seen_py.add(py.lower())
        out.append((zh, py))
        if len(out) == n:
            return out
    raise RuntimeError("name pool exhausted")


# --------------------------------------------------------------------------------------
# the build
# --------------------------------------------------------------------------------------
@dataclass
class Ctx:
    rng: np.random.Generator
    outer: Polygon = None
    units: dict = field(default_factory=dict)  # unit_id -> Polygon (local coords)
    y_edge: float = 0.0
    rivers: list = field(default_factory=list)  # dicts with geometry
    roads: gpd.GeoDataFrame = None
    nodes: np.ndarray = None  # road nodes (x, y)
    node_class: np.ndarray = None  # best class at node
    node_unit: np.ndarray = None
    river_union: object = None
    sites: list = field(default_factory=list)  # (group, Point) of every placed site
    art_xs: np.ndarray = None  # x of the north-south arterials
    art_ys: np.ndarray = None  # y of the east-west arterials
    seat: Point = None  # Xiawo town seat (village C001)
    fire_station: Point = None  # the existing station


def build_units(ctx: Ctx) -> None:
    rng = ctx.rng
    ctrl = np.array(OUTLINE_KM) * 1000.0
    ring = wiggle(ctrl, rng, levels=3, amp=0.07, closed=True)
    outer = largest_polygon(Polygon(ring))
    c = outer.centroid
    outer = shapely.affinity.translate(outer, -c.x, -c.y)
    scale = math.sqrt(AREA_KM2 * 1e6 / outer.area)
    outer = shapely.affinity.scale(outer, scale, scale, origin=(0, 0))
    ctx.outer = outer

    # plain (north) / hills (south) boundary
    xs = np.linspace(-8000, 8000, 9)
    ys = 350.0 + rng.normal(0, 250, len(xs))
    split = wiggle(np.c_[xs, ys], rng, levels=3, amp=0.05, closed=False)
    south = outer.intersection(halfplane_below(split))
    south = largest_polygon(south)
    north = outer.difference(south)
    ctx.y_edge = float(np.median(split[:, 1]))

    # the arterial grid of the plain; sub-district boundaries follow arterials
    minx, miny, maxx, maxy = north.bounds
    xs = np.arange(minx + 500, maxx - 200, 980.0) + rng.normal(0, 90, 1).item()
    xs = xs + rng.normal(0, 110, len(xs))
    ys = np.arange(miny + 450, maxy - 200, 900.0) + rng.normal(0, 110, 1).item()
    ys = ys + rng.normal(0, 100, len(ys))
    ctx.art_xs, ctx.art_ys = xs, ys
    bx = np.r_[minx - 10, xs, maxx + 10]
    by = np.r_[miny - 10, ys, maxy + 10]
    seeds = np.array([UNIT_SEEDS[u] for u in NORTH_UNITS], dtype=float)
    blocks: dict[str, list] = {u: [] for u in NORTH_UNITS}
    for i in range(len(bx) - 1):
        for j in range(len(by) - 1):
            cx, cy = (bx[i] + bx[i + 1]) / 2, (by[j] + by[j + 1]) / 2
            k = int(np.argmin(np.hypot(seeds[:, 0] - cx, seeds[:, 1] - cy)))
            blocks[NORTH_UNITS[k]].append(shapely.box(bx[i], by[j], bx[i + 1], by[j + 1]))
    parts = {}
    for uid in NORTH_UNITS:
        piece = shapely.make_valid(north.intersection(shapely.union_all(blocks[uid])))
        parts[uid] = sorted(
            (g for g in shapely.get_parts(piece) if isinstance(g, Polygon)), key=lambda g: -g.area
        )
    # a detached fragment joins the neighbour (Xiawo included) it shares the longest border with
    parts["xiawo"] = [south]
    for uid in NORTH_UNITS:
        for frag in parts[uid][1:]:
            others = [u for u in parts if u != uid]
            shared = [frag.buffer(1.0).intersection(parts[u][0].boundary).length for u in others]
            k = int(np.argmax(shared))
            if shared[k] <= 0:
                raise RuntimeError(f"isolated fragment of {uid}")
            merged = shapely.make_valid(parts[others[k]][0].union(frag))
            if not isinstance(merged, Polygon):
                raise RuntimeError(f"cannot merge a fragment of {uid} into {others[k]}")
            parts[others[k]][0] = merged
        parts[uid] = parts[uid][:1]
    units = {u: parts[u][0] for u in ["xiawo", *NORTH_UNITS]}
    ctx.units = units


def clip_line(line: LineString, poly) -> list[LineString]:
    inter = line.intersection(poly)
    return [g for g in shapely.get_parts(inter) if isinstance(g, LineString) and g.length > 1]


def build_rivers(ctx: Ctx) -> None:
    rng = ctx.rng
    specs = [
        # Sishui River: from the southern hills north through the east side
        ("R1", "Sishui River", "汜水河", "river", [(900, -8000), (1800, -4500), (2600, -2000),
         (2500, 300), (3300, 2600), (3700, 8000)], 110.0),
        # Ku River: rises on the Kuangshan / Xin'an boundary, flows east to the Sishui
        ("R2", "Ku River", "枯河", "river", [(-2500, 1300), (-1200, 1000), (300, 1150),
         (1500, 900), (2480, 700)], 90.0),
        # Xiawo stream: mountain torrent gully from Wuyun Mountain into the Sishui
        ("R3", "Wuyun Gully stream", "五云山沟", "stream", [(-1800, -5200), (-1100, -3800),
         (-100, -2600), (1100, -2100), (2300, -1650)], 60.0),
    ]  # fmt: skip
    rivers = []
    for rid, name, zh, kind, pts, flood_w in specs:
        xy = wiggle(np.array(pts, float), rng, levels=4, amp=0.09, closed=False)
        line = LineString(xy)
        if rid in ("R2", "R3"):
            # tributaries end exactly on the main river
            main = rivers[0]["geometry"]
            end = main.interpolate(main.project(Point(xy[-1])))
            line = LineString([*xy[:-1], (end.x, end.y)])
        parts = clip_line(line, ctx.outer)
        geom = max(parts, key=lambda g: g.length)
        rivers.append(
            dict(
                river_id=rid, name=name, name_zh=zh, kind=kind, flood_width_m=flood_w, geometry=geom
            )
        )
    ctx.rivers = rivers
    ctx.river_union = shapely.union_all([r["geometry"] for r in rivers])


def poisson_points(rng, region, n, min_dist, propose, existing=(), max_tries=50_000):
    shapely.prepare(region)
    pts: list[tuple[float, float]] = list(existing)
    out: list[tuple[float, float]] = []
    tries = 0
    while len(out) < n:
        tries += 1
        if tries > max_tries:
            raise RuntimeError(f"could only place {len(out)} of {n} points")
        x, y = propose()
        if not shapely.contains_xy(region, x, y):
            continue
        if pts:
            d = np.hypot(np.array([p[0] for p in pts]) - x, np.array([p[1] for p in pts]) - y)
            if d.min() < min_dist:
                continue
        pts.append((x, y))
        out.append((x, y))
    return out


def build_villages(ctx: Ctx) -> list[tuple[float, float]]:
    rng = ctx.rng
    xiawo = ctx.units["xiawo"]
    region = xiawo.buffer(-180).difference(ctx.river_union.buffer(120))
    minx, miny, maxx, maxy = xiawo.bounds
    # the town seat (Xiawo village) in the flatter north of the town, first
    seat = poisson_points(
        rng, region, 1, 0, lambda: (rng.uniform(-800, 800), rng.uniform(maxy - 1900, maxy - 1100))
    )

    def propose():
        return rng.uniform(minx, maxx), rng.uniform(miny, maxy)

    rest = poisson_points(
        rng, region, N_COMMUNITIES["xiawo"] - 1, 650, propose, existing=seat, max_tries=200_000
    )
    return seat + rest


def build_roads(ctx: Ctx, villages) -> None:
    rng = ctx.rng
    north = shapely.union_all([ctx.units[u] for u in NORTH_UNITS])
    minx, miny, maxx, maxy = north.bounds
    src: list[dict] = []

    def add(line, cls, name, group):
        for part in clip_line(line, north if cls != "hill" else ctx.outer):
            src.append(dict(geometry=part, cls=cls, name=name, group=group))

    # arterial grid
    ns_names = [
        "Kuangshan Rd", "Dengfeng Rd", "Ruzhou Rd", "Luoning Rd", "Xuchang Rd", "Huaiyang Rd",
        "Gongye Rd", "Songshan Rd", "Huaxin Rd", "Anyang Rd",
    ]  # fmt: skip
    ew_names = [
        "Xin'an Rd", "Mianchi Rd", "Zhongxin Rd", "Jinhua Rd", "Jiyuan Rd", "Yiyang Rd",
        "Tonghang Rd", "Hebi Rd",
    ]  # fmt: skip
    xs, ys = ctx.art_xs, ctx.art_ys
    for i, x in enumerate(xs):
        add(LineString([(x, miny - 2000), (x, maxy + 2000)]), "arterial", ns_names[i], f"ns{i}")
    for i, y in enumerate(ys):
        add(LineString([(minx - 2000, y), (maxx + 2000, y)]), "arterial", ew_names[i], f"ew{i}")
    # local streets halfway between arterials, denser in the old town (Zhongxin Rd)
    old = ctx.units["zhongxin"]
    lx = (xs[:-1] + xs[1:]) / 2
    ly = (ys[:-1] + ys[1:]) / 2
    k = 0
    for x in [*lx, xs[0] - 490, xs[-1] + 490]:
        add(LineString([(x, miny - 2000), (x, maxy + 2000)]), "local", f"Street {k + 1}", f"l{k}")
        k += 1
    for y in [*ly, ys[0] - 450, ys[-1] + 450]:
        add(LineString([(minx - 2000, y), (maxx + 2000, y)]), "local", f"Street {k + 1}", f"l{k}")
        k += 1
    ob = old.bounds
    allx = np.sort(np.r_[xs, lx])
    ally = np.sort(np.r_[ys, ly])
    old_lanes = []
    for x in (allx[:-1] + allx[1:]) / 2:
        if ob[0] < x < ob[2]:
            for part in clip_line(LineString([(x, ob[1]), (x, ob[3])]), old):
                src.append(dict(geometry=part, cls="local", name=f"Lane {k + 1}", group=f"l{k}"))
            k += 1
    for y in (ally[:-1] + ally[1:]) / 2:
        if ob[1] < y < ob[3]:
            for part in clip_line(LineString([(ob[0], y), (ob[2], y)]), old):
                src.append(dict(geometry=part, cls="local", name=f"Lane {k + 1}", group=f"l{k}"))
            old_lanes.append(f"l{k}")
            k += 1

    # gateways: N-S roads meeting the plain's southern edge
    xiawo = ctx.units["xiawo"]
    gate = []
    for s in src:
        if s["cls"] == "arterial" and s["group"].startswith("ns"):
            g = s["geometry"]
            for end in (Point(g.coords[0]), Point(g.coords[-1])):
                if end.distance(xiawo) < 1.0 and abs(g.coords[0][0] - g.coords[-1][0]) < 1:
                    gate.append((end.x, end.y, s["cls"], s["name"]))
    gate = sorted(set(gate))
    # hill roads: spanning tree over villages + gateways, plus a few loops
    vill = np.array(villages)
    gxy = np.array([(g[0], g[1]) for g in gate])
    allp = np.vstack([vill, gxy])
    nv = len(vill)
    d = np.hypot(allp[:, None, 0] - allp[None, :, 0], allp[:, None, 1] - allp[None, :, 1])
    # penalise crossing rivers (bridges are dear) and make gateways one super-node
    w = d.copy()
    for i in range(len(allp)):
        for j in range(i + 1, len(allp)):
            if i >= nv and j >= nv:
                w[i, j] = w[j, i] = 1e-3
                continue
            seg = LineString([allp[i], allp[j]])
            if seg.intersects(ctx.river_union):
                w[i, j] = w[j, i] = d[i, j] * 2.5
    mst = minimum_spanning_tree(np.triu(w)).tocoo()
    edges = {(min(i, j), max(i, j)) for i, j in zip(mst.row, mst.col, strict=True)}
    edges = {e for e in edges if not (e[0] >= nv and e[1] >= nv)}
    tree = cKDTree(allp)
    for i in range(nv):
        dist, idx = tree.query(allp[i], k=4)
        for dd, j in zip(dist[2:], idx[2:], strict=True):
            e = (min(i, j), max(i, j))
            if e not in edges and dd < 1700 and rng.random() < 0.35:
                edges.add(e)
    for n_e, (i, j) in enumerate(sorted(edges)):
        p, q = allp[i], allp[j]
        if q[1] > p[1]:
            p, q = q, p  # draw from north to south
        xy = wiggle(np.array([p, q]), rng, levels=4, amp=0.10, closed=False)
        line = LineString(xy)
        if not ctx.outer.buffer(-20).contains(line):
            line = LineString([p, q])
        add(line, "hill", f"Hill road X{101 + n_e:03d}", f"h{n_e}")

    ctx.roads = node_roads(ctx, src, old_lanes)
    net = shapely.union_all(ctx.roads["geometry"].to_numpy())
    far = shapely.distance(shapely.points(vill), net) > 1.0
    if far.any():
        raise RuntimeError(f"{int(far.sum())} villages lost their road")


def components(xy_start: np.ndarray, xy_end: np.ndarray, mask=None):
    """Connected components of a segment list on endpoints rounded to 1 m."""
    ends = np.round(np.vstack([xy_start, xy_end])).astype(np.int64)
    _, inv = np.unique(ends, axis=0, return_inverse=True)
    inv = inv.ravel()
    m = len(xy_start)
    a, b = inv[:m], inv[m:]
    if mask is not None:
        a, b = a[mask], b[mask]
    n = inv.max() + 1
    g = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    return connected_components(g, directed=False), inv[:m], inv[m:]


def node_roads(ctx: Ctx, src: list[dict], old_lanes: list[str]) -> gpd.GeoDataFrame:
    rng = ctx.rng
    src_geoms = np.array([s["geometry"] for s in src], dtype=object)
    merged = shapely.union_all(src_geoms)
    pieces = list(shapely.get_parts(merged))
    stree = shapely.STRtree(src_geoms)
    prio = {"arterial": 0, "local": 1, "hill": 2}
    rows = []
    for p in pieces:
        mid = p.interpolate(0.5, normalized=True)
        idx = stree.query(mid, predicate="dwithin", distance=0.01)
        best = min(idx, key=lambda i: (prio[src[i]["cls"]], i))
        s = src[best]
        rows.append(dict(geometry=p, road_class=s["cls"], name=s["name"], group=s["group"]))
    df = pd.DataFrame(rows)
    # thin the local network a little (never arterials or hill roads)
    drop = (df["road_class"] == "local") & (rng.random(len(df)) < 0.10)
    drop &= ~df["group"].isin(old_lanes)
    df = df[~drop].reset_index(drop=True)
    df = keep_largest_component(df)

    # bridges where roads cross rivers
    out = []
    for r in df.itertuples(index=False):
        g = r.geometry
        hit = g.intersection(ctx.river_union)
        cuts = sorted(g.project(pt) for pt in shapely.get_parts(hit) if isinstance(pt, Point))
        if not cuts:
            out.append(r._asdict())
            continue
        spans = []
        for c in cuts:
            a, b_ = c - 25.0, c + 25.0
            a = 0.0 if a < 0.5 else a  # no slivers: a bridge starts at a node or >= 0.5 m off
            b_ = g.length if b_ > g.length - 0.5 else b_
            if spans and a <= spans[-1][1]:
                spans[-1][1] = b_
            else:
                spans.append([a, b_])
        pos = 0.0
        for a, b_ in spans:
            if a - pos > 0.5:
                out.append({**r._asdict(), "geometry": substring(g, pos, a)})
            river = nearest_river_name(ctx, g.interpolate((a + b_) / 2))
            out.append(
                {
                    **r._asdict(),
                    "geometry": substring(g, a, b_),
                    "road_class": "bridge",
                    "name": f"{r.name} bridge ({river})",
                }
            )
            pos = b_
        if g.length - pos > 0.5:
            out.append({**r._asdict(), "geometry": substring(g, pos, g.length)})
    df = pd.DataFrame(out)

    # split long pieces so that network nodes are at most MAX_SEGMENT_M apart
    out = []
    for r in df.itertuples(index=False):
        g = r.geometry
        k = max(1, math.ceil(g.length / MAX_SEGMENT_M))
        for i in range(k):
            seg = substring(g, g.length * i / k, g.length * (i + 1) / k)
            out.append({**r._asdict(), "geometry": seg})
    df = pd.DataFrame(out)

    # one-way couplet in the old town: two parallel lanes, opposite directions
    df["oneway"] = False
    couplet = old_lanes[len(old_lanes) // 2 - 1 : len(old_lanes) // 2 + 1]
    for direction, grp in zip((1, -1), couplet, strict=False):
        sel = (df["group"] == grp) & (df["road_class"] == "local")
        df.loc[sel, "oneway"] = True
        geoms = []
        for g in df.loc[sel, "geometry"]:
            x0, x1 = g.coords[0][0], g.coords[-1][0]
            geoms.append(g if (x1 - x0) * direction > 0 else g.reverse())
        df.loc[sel, "geometry"] = pd.Series(geoms, index=df.index[sel], dtype=object)
    return df


def nearest_river_name(ctx: Ctx, pt: Point) -> str:
    return min(ctx.rivers, key=lambda r: r["geometry"].distance(pt))["name"]


def keep_largest_component(df: pd.DataFrame) -> pd.DataFrame:
    g = shapely.get_coordinates(shapely.get_point(df["geometry"].to_numpy(), 0))
    h = shapely.get_coordinates(shapely.get_point(df["geometry"].to_numpy(), -1))
    (_n, labels), a, _ = components(g, h)
    seg_label = labels[a]
    big = np.bincount(seg_label).argmax()
    return df[seg_label == big].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# points near the road network
# --------------------------------------------------------------------------------------
def index_nodes(ctx: Ctx) -> None:
    geoms = ctx.roads["geometry"].to_numpy()
    a = shapely.get_coordinates(shapely.get_point(geoms, 0))
    b = shapely.get_coordinates(shapely.get_point(geoms, -1))
    ends = np.round(np.vstack([a, b]), 3)
    nodes, inv = np.unique(ends, axis=0, return_inverse=True)
    rank = {"arterial": 0, "bridge": 1, "local": 2, "hill": 3}
    cls = np.tile(ctx.roads["road_class"].map(rank).to_numpy(), 2)
    best = np.full(len(nodes), 9)
    np.minimum.at(best, inv.ravel(), cls)
    ctx.nodes = nodes
    ctx.node_class = best
    unit = np.full(len(nodes), "", dtype=object)
    for uid, poly in ctx.units.items():
        unit[shapely.contains_xy(poly.buffer(-25), nodes[:, 0], nodes[:, 1])] = uid
    ctx.node_unit = unit


def place_site(
    ctx: Ctx,
    unit: str,
    classes=(0, 2),
    near=None,
    k_near: int = 6,
    min_sep: float = 120.0,
    offset=(25.0, 60.0),
    avoid_rivers: float = 60.0,
    group: str = "site",
) -> Point:
    """A point a few tens of metres off a road node in `unit` (class ranks in `classes`).

    It keeps `min_sep` metres from earlier points of the same `group` and 60 m from any other.
    """
    rng = ctx.rng
    ok = (ctx.node_unit == unit) & np.isin(ctx.node_class, classes)
    cand = np.flatnonzero(ok)
    if near is not None:
        d = np.hypot(ctx.nodes[cand, 0] - near[0], ctx.nodes[cand, 1] - near[1])
        cand = cand[np.argsort(d, kind="stable")[: max(k_near, 1) * 4]]
    poly = ctx.units[unit].buffer(-20)
    same = np.array([(p.x, p.y) for g, p in ctx.sites if g == group]).reshape(-1, 2)
    every = np.array([(p.x, p.y) for _g, p in ctx.sites]).reshape(-1, 2)
    for attempt in range(400):
        pool = cand[:k_near] if (near is not None and attempt < 100) else cand
        i = pool[rng.integers(len(pool))]
        ang = rng.choice([45.0, 135.0, 225.0, 315.0]) + rng.normal(0, 8)
        r = rng.uniform(*offset)
        x = ctx.nodes[i, 0] + r * math.cos(math.radians(ang))
        y = ctx.nodes[i, 1] + r * math.sin(math.radians(ang))
        p = Point(x, y)
        if not poly.contains(p) or p.distance(ctx.river_union) < avoid_rivers:
            continue
        if len(same) and np.hypot(same[:, 0] - x, same[:, 1] - y).min() < min_sep:
            continue
        if len(every) and np.hypot(every[:, 0] - x, every[:, 1] - y).min() < 60.0:
            continue
        ctx.sites.append((group, p))
        return p
    raise RuntimeError(f"no site found in {unit}")


def build_communities(ctx: Ctx, villages) -> gpd.GeoDataFrame:
    rng = ctx.rng
    rows = []
    # villages in Xiawo: the point is the village centre, 40-110 m off its hill-road end
    vnames = draw_names(rng, VILLAGE_HEADS, VILLAGE_TAILS, len(villages) - 1)
    vnames = [("峡窝", "Xiawo"), *vnames]
    xiawo = ctx.units["xiawo"].buffer(-30)
    for (x, y), (zh, py) in zip(villages, vnames, strict=True):
        for _ in range(100):
            ang = rng.uniform(0, 2 * np.pi)
            r = rng.uniform(40, 110)
            p = Point(x + r * math.cos(ang), y + r * math.sin(ang))
            if xiawo.contains(p) and p.distance(ctx.river_union) > 60:
                break
        else:
            raise RuntimeError(f"cannot place village {py}")
        rows.append(
            dict(
                unit_id="xiawo",
                name=f"{py} Village",
                name_zh=f"{zh}村",
                kind="village",
                admin_level="village",
                geometry=p,
            )
        )
    # urban communities: 60-170 m off a plain street, at least 300 m apart
    taken_zh = [r["name_zh"][:-1] for r in rows]
    taken_py = [r["name"].split()[0] for r in rows]
    plan_c = {u: (zh, en) for u, zh, en in PLAN_COMMUNITIES}
    n_urban = sum(N_COMMUNITIES[u] for u in NORTH_UNITS) - len(plan_c)
    cnames = iter(draw_names(rng, COMMUNITY_HEADS, COMMUNITY_TAILS, n_urban, taken_zh, taken_py))
    roads = ctx.roads
    plain = roads[roads["road_class"].isin(["arterial", "local"])]
    existing = [(p.x, p.y) for p in (r["geometry"] for r in rows)]
    for uid in NORTH_UNITS:
        poly = ctx.units[uid]
        sub = plain[shapely.intersects(plain["geometry"].to_numpy(), poly)]
        geoms = sub["geometry"].to_numpy()
        lengths = shapely.length(geoms)
        region = poly.buffer(-60).difference(ctx.river_union.buffer(70))

        def propose(geoms=geoms, lengths=lengths):
            g = geoms[rng.choice(len(geoms), p=lengths / lengths.sum())]
            t = rng.uniform(0, g.length)
            p0, p1 = g.interpolate(max(t - 1, 0)), g.interpolate(min(t + 1, g.length))
            dx, dy = p1.x - p0.x, p1.y - p0.y
            n = math.hypot(dx, dy) or 1.0
            side = rng.choice([-1.0, 1.0])
            off = rng.uniform(60, 170) * side
            q = g.interpolate(t)
            return q.x - dy / n * off, q.y + dx / n * off

        spacing = 330.0 if uid != "zhongxin" else 280.0
        pts = poisson_points(rng, region, N_COMMUNITIES[uid], spacing, propose, existing)
        existing.extend(pts)
        for j, (x, y) in enumerate(pts):
            if j == 0 and uid in plan_c:
                zh, en = plan_c[uid]
            else:
                zh, py = next(cnames)
                zh, en = f"{zh}社区", f"{py} Community"
            rows.append(
                dict(
                    unit_id=uid,
                    name=en,
                    name_zh=zh,
                    kind="community",
                    admin_level="community",
                    geometry=Point(x, y),
                )
            )
    df = gpd.GeoDataFrame(rows, geometry="geometry")
    # population: exact per-unit totals
    pop = np.zeros(len(df), dtype=np.int64)
    for uid, *_rest, total in UNITS:
        sel = np.flatnonzero(df["unit_id"].to_numpy() == uid)
        shape = 2.5 if uid == "xiawo" else 5.0
        w = rng.gamma(shape, 1.0, len(sel))
        if uid == "xiawo":
            w[0] *= 3.0  # the town seat
        pop[sel] = largest_remainder(total, w)
    df["population"] = pop
    xy = shapely.get_coordinates(df["geometry"].to_numpy())
    elev = elevation(xy[:, 0], xy[:, 1], ctx.y_edge)
    df["elevation_m"] = np.round(elev, 1)
    df["terrain"] = terrain_of(elev)
    return df


# --------------------------------------------------------------------------------------
# hazards
# --------------------------------------------------------------------------------------
GEO_POINTS = [  # the plan's five collapse-type points (places named in the plan)
    ("Wuyunshan middle line point 1", "五云山中线1"),
    ("Wuyunshan middle line point 2", "五云山中线2"),
    ("Fangding", "方顶"),
    ("Heima Industrial", "黑马实业"),
    ("Shagu, Longhai railway line", "沙固陇海铁路线"),
]
FLOOD_SUBTYPES_PLAIN = [
    "underpass",
    "low_lying_road",
    "old_residential_area",
    "river_section",
    "construction_pit",
    "drainage_outfall",
]
FLOOD_SUBTYPES_HILL = [
    "check_dam",
    "mountain_torrent_gully",
    "river_section",
    "pond_reservoir",
    "village_low_area",
    "slope_road",
]


def build_forest(ctx: Ctx, villages) -> list[Polygon]:
    """Forest = the highest, roughest part of Xiawo (terrain + smooth noise above a quantile),
    minus village clearings and stream banks, calibrated to exactly FOREST_KM2."""
    rng = ctx.rng
    xiawo = ctx.units["xiawo"]
    minx, miny, maxx, maxy = xiawo.bounds
    cell = 50.0
    gx, gy = np.meshgrid(
        np.arange(minx, maxx, cell) + cell / 2, np.arange(miny, maxy, cell) + cell / 2
    )
    gx, gy = gx.ravel(), gy.ravel()
    noise = np.zeros_like(gx)
    for _ in range(14):
        lam = rng.uniform(700.0, 2600.0)
        th = rng.uniform(0, np.pi)
        ph = rng.uniform(0, 2 * np.pi)
        noise += np.cos(2 * np.pi * (gx * np.cos(th) + gy * np.sin(th)) / lam + ph)
    value = elevation(gx, gy, ctx.y_edge) + 22.0 * noise
    clear = shapely.union_all([Point(v).buffer(140, quad_segs=4) for v in villages])
    clear = clear.union(ctx.river_union.buffer(40))
    allowed = xiawo.buffer(-15).difference(clear)
    inside = shapely.contains_xy(allowed, gx, gy) & (gy < ctx.y_edge - 900)
    n_cells = round(FOREST_KM2 * 1e6 / cell**2)
    thr = np.sort(value[inside])[::-1][n_cells - 1]
    pick = inside & (value >= thr)
    h = cell / 2
    boxes = shapely.box(gx[pick] - h, gy[pick] - h, gx[pick] + h, gy[pick] + h)
    raw = shapely.union_all(boxes)
    smooth = raw.buffer(70, quad_segs=4).buffer(-70, quad_segs=4).simplify(8)
    smooth = shapely.make_valid(smooth)

    def area(d):  # patches under 2 ha are dropped
        geom = smooth.buffer(d, quad_segs=4).intersection(allowed)
        return shapely.union_all([p for p in shapely.get_parts(geom) if p.area >= 20_000])

    lo, hi = -120.0, 120.0
    target = FOREST_KM2 * 1e6
    for _ in range(60):
        mid = (lo + hi) / 2
        if area(mid).area < target:
            lo = mid
        else:
            hi = mid
    forest = area(hi)
    parts = [p for p in shapely.get_parts(forest) if isinstance(p, Polygon) and p.area > 0]
    return sorted(parts, key=lambda p: -p.area)


def build_hazards(ctx: Ctx, communities: gpd.GeoDataFrame, villages) -> gpd.GeoDataFrame:
    rng = ctx.rng
    rows = []

    def add(kind, subtype, name, geom, unit_id, **kw):
        rows.append(
            dict(
                kind=kind,
                subtype=subtype,
                name=name,
                unit_id=unit_id,
                geometry=geom,
                operator=kw.get("operator"),
                major_hazard=kw.get("major", False),
            )
        )

    # flood-control key points: 137, split by unit as in the plan
    flood_pts: list[tuple[float, float]] = []
    for uid, _n, _zh, _k, n_key, _pop in UNITS:
        poly = ctx.units[uid]
        region = poly.buffer(-25)
        river_in = ctx.river_union.intersection(region)
        subtypes = FLOOD_SUBTYPES_HILL if uid == "xiawo" else FLOOD_SUBTYPES_PLAIN
        roads = ctx.roads[shapely.intersects(ctx.roads["geometry"].to_numpy(), region)]
        rg = roads["geometry"].to_numpy()
        rl = shapely.length(rg)

        def propose(river_in=river_in, rg=rg, rl=rl):
            if not river_in.is_empty and rng.random() < 0.35:
                t = rng.uniform(0, river_in.length)
                p = shapely.line_interpolate_point(shapely.line_merge(river_in), t)
                if p.is_empty:
                    p = river_in.interpolate(t)
                return p.x + rng.normal(0, 15), p.y + rng.normal(0, 15)
            g = rg[rng.choice(len(rg), p=rl / rl.sum())]
            p = g.interpolate(rng.uniform(0, g.length))
            return p.x + rng.normal(0, 20), p.y + rng.normal(0, 20)

        spacing = 160.0 if uid != "xiawo" else 220.0
        pts = poisson_points(rng, region, n_key, spacing, propose, flood_pts, max_tries=200_000)
        flood_pts.extend(pts)
        for j, (x, y) in enumerate(pts):
            p = Point(x, y)
            if p.distance(ctx.river_union) < 60:
                sub = "river_section"
            else:
                sub = subtypes[rng.integers(len(subtypes))]
                if sub == "river_section":
                    sub = subtypes[0]
            add("flood_key_point", sub, f"{UNIT_NAME[uid]} flood key point {j + 1}", p, uid)

    # geological hazard points: 5, collapse type, in the southern hills
    xiawo = ctx.units["xiawo"]
    hills = xiawo.buffer(-200).difference(
        Polygon([(-9e3, ctx.y_edge - 1500), (9e3, ctx.y_edge - 1500), (9e3, 9e3), (-9e3, 9e3)])
    )
    hx0, hy0, hx1, hy1 = hills.bounds
    road_geoms = ctx.roads.loc[ctx.roads["road_class"] == "hill", "geometry"]
    hill_roads = shapely.union_all(road_geoms.to_numpy())

    def propose_geo():
        return rng.uniform(hx0, hx1), rng.uniform(hy0, hy1)

    geo_xy = []
    while len(geo_xy) < len(GEO_POINTS):
        ((x, y),) = poisson_points(rng, hills, 1, 1500, propose_geo, geo_xy)
        if Point(x, y).distance(hill_roads) < 250:  # road cuts and slopes by the roads
            geo_xy.append((x, y))
    for (name, _zh), (x, y) in zip(GEO_POINTS, geo_xy, strict=True):
        add("geological", "collapse", name, Point(x, y), "xiawo")

    # hazardous-chemical sites: 14 fuel stations, 1 producer, 1 storage (major hazard source)
    operators = ["Sinopec"] * 6 + ["PetroChina"] * 2 + ["Chalco"] + ["private"] * 5
    per_unit = {"xiawo": 2, "jiyuan": 3, "zhongxin": 2, "xinan": 2, "gongye": 3, "kuangshan": 2}
    order = [u for u, n in per_unit.items() for _ in range(n)]
    counters: dict[str, int] = {}
    for uid, op in zip(order, operators, strict=True):
        cls = (0, 1) if uid != "xiawo" else (3,)
        p = place_site(ctx, uid, classes=cls, offset=(18, 35), min_sep=350, group="hazmat")
        counters[op] = counters.get(op, 0) + 1
        label = {"private": "Private"}.get(op, op)
        add("hazmat", "fuel_station", f"{label} fuel station {counters[op]}", p, uid, operator=op)
    gy = ctx.units["gongye"].centroid
    p = place_site(ctx, "gongye", near=(gy.x + 600, gy.y - 900), min_sep=300, group="hazmat")
    add("hazmat", "producer", "Industrial gases producer (oxygen)", p, "gongye", operator="private")
    p = place_site(ctx, "gongye", near=(gy.x + 300, gy.y + 900), min_sep=300, group="hazmat")
    add(
        "hazmat",
        "storage",
        "Hazardous-chemicals storage depot",
        p,
        "gongye",
        operator="private",
        major=True,
    )

    # forest (1,161 ha), all in Xiawo
    for j, poly in enumerate(build_forest(ctx, villages)):
        add("forest", "forest", f"Wuyunshan forest patch {j + 1}", poly, "xiawo")

    # flood zones along the rivers, one polygon per unit piece
    fz = shapely.union_all(
        [r["geometry"].buffer(r["flood_width_m"], quad_segs=4) for r in ctx.rivers]
    )
    k = 0
    for uid, *_ in UNITS:
        piece = fz.intersection(ctx.units[uid])
        for part in shapely.get_parts(piece):
            if isinstance(part, Polygon) and part.area > 2_000:
                k += 1
                add("flood_zone", "riverine", f"Flood zone {k} ({UNIT_NAME[uid]})", part, uid)

    # a fault line (illustrative), split by unit
    xy = wiggle(
        np.array([(-5200.0, -3600.0), (-1500.0, -1300.0), (5200.0, 2300.0)]),
        rng,
        levels=3,
        amp=0.03,
        closed=False,
    )
    fault = LineString(xy)
    for uid, *_ in UNITS:
        for part in clip_line(fault, ctx.units[uid]):
            add("fault", "fault", "Synthetic fault F1", part, uid)

    df = gpd.GeoDataFrame(rows, geometry="geometry")
    df["unit"] = df["unit_id"].map(UNIT_NAME)
    df.insert(0, "hazard_id", [f"H{i + 1:03d}" for i in range(len(df))])
    return df


def community_exposure(ctx: Ctx, com: gpd.GeoDataFrame, haz: gpd.GeoDataFrame) -> None:
    pts = com["geometry"].to_numpy()
    kind = haz["kind"].to_numpy()
    fz = shapely.union_all(haz.loc[kind == "flood_zone", "geometry"].to_numpy())
    kp = shapely.get_coordinates(haz.loc[kind == "flood_key_point", "geometry"].to_numpy())
    xy = shapely.get_coordinates(pts)
    d_fz = shapely.distance(pts, fz)
    n_kp = cKDTree(kp).query_ball_point(xy, 500.0, return_length=True)
    flood = np.where(
        d_fz <= 0,
        3,
        np.where((d_fz <= 300) | (n_kp >= 3), 2, np.where((d_fz <= 800) | (n_kp >= 1), 1, 0)),
    )
    # geological: the 31 villages nearest to a geological point
    geo = shapely.get_coordinates(haz.loc[kind == "geological", "geometry"].to_numpy())
    dgeo, _ = cKDTree(geo).query(xy)
    is_v = com["kind"].to_numpy() == "village"
    dgeo = np.where(is_v, dgeo, np.inf)
    exposed = np.zeros(len(com), dtype=bool)
    exposed[np.argsort(dgeo, kind="stable")[:N_GEO_EXPOSED_VILLAGES]] = True
    # hazardous chemicals
    sub = haz["subtype"].to_numpy()
    d_store = shapely.distance(pts, haz.loc[sub == "storage", "geometry"].iloc[0])
    d_prod = shapely.distance(pts, haz.loc[sub == "producer", "geometry"].iloc[0])
    fuel = shapely.get_coordinates(haz.loc[sub == "fuel_station", "geometry"].to_numpy())
    d_fuel, _ = cKDTree(fuel).query(xy)
    chem = np.where(
        (d_store <= 1000) | (d_prod <= 500),
        3,
        np.where((d_prod <= 1000) | (d_fuel <= 200), 2, np.where(d_fuel <= 500, 1, 0)),
    )
    forest = shapely.union_all(haz.loc[kind == "forest", "geometry"].to_numpy())
    d_for = shapely.distance(pts, forest)
    fire = np.where(d_for <= 200, 3, np.where(d_for <= 500, 2, np.where(d_for <= 1000, 1, 0)))
    com["flood_risk"] = flood.astype(np.int64)
    com["geo_exposed"] = exposed
    com["chem_risk"] = chem.astype(np.int64)
    com["forest_risk"] = fire.astype(np.int64)
    com["risk"] = np.round(1.0 + 0.5 * flood + 1.5 * exposed + 0.5 * chem + 0.5 * fire, 2).astype(
        float
    )


# --------------------------------------------------------------------------------------
# facilities and forces
# --------------------------------------------------------------------------------------
USABLE_SHARE = {
    "park": 0.65,
    "garden": 0.60,
    "square": 0.85,
    "stadium": 0.70,
    "school": 0.75,
    "civil_defence": 0.90,
}
# upgrade cost, 10^6 CNY = fixed + rate * usable m² (illustrative)
SHELTER_COST = {
    "park": (2.0, 30e-6),
    "garden": (1.0, 30e-6),
    "square": (1.0, 25e-6),
    "stadium": (1.5, 30e-6),
    "school": (0.8, 20e-6),
    "civil_defence": (3.0, 150e-6),
}
# name, name_zh, kind, class, gross area m² (the plan gives only the 257,700 m² total), unit,
# road to sit by
EXISTING_SHELTERS = [
    ("Lücheng Park", "铝城公园", "park", "II", 82_000, "zhongxin", "Zhongxin Rd"),
    ("Yaxing Shengshi Square", "亚星盛世广场", "square", "II", 48_000, "jiyuan", "Jiyuan Rd"),
    ("Luoning Rd garden", "洛宁路游园", "garden", "III", 22_600, "zhongxin", "Luoning Rd"),
    ("Huaiyang Rd garden", "淮阳路游园", "garden", "III", 20_800, "gongye", "Huaiyang Rd"),
    ("Xin'an Rd garden", "新安路游园", "garden", "III", 24_300, "xinan", "Xin'an Rd"),
    ("Sports Centre", "体育中心", "stadium", "II", 60_000, "xinan", None),
]
CANDIDATE_SHELTERS = [
    ("Dongguo Ecological Park", "东虢生态公园", "park", "II", (90_000, 140_000), "gongye"),
    ("Fangding Ecological Park", "方顶生态公园", "park", "II", (60_000, 100_000), "kuangshan"),
    ("Shanghu Ecological Park", "上湖生态公园", "park", "II", (50_000, 90_000), "jiyuan"),
    ("Xiawo Town Square", "峡窝镇广场", "square", "III", (8_000, 14_000), "xiawo"),
    ("Xiawo Central Primary School", "峡窝镇中心小学", "school", "III", (9_000, 14_000), "xiawo"),
    ("Wuyunshan scenic area car park", "五云山景区停车场", "square", "III", (10_000, 18_000),
     "xiawo"),
    ("Shangjie Senior High School", "上街区高级中学", "school", "III", (20_000, 30_000),
     "zhongxin"),
    ("Shangjie Experimental Primary School", "上街区实验小学", "school", "III", (9_000, 14_000),
     "xinan"),
    ("Kuangshan Sports Ground", "矿山体育场", "stadium", "II", (25_000, 40_000), "kuangshan"),
    ("Gongye Rd civil-defence works", "工业路人防工程", "civil_defence", "III", (4_000, 8_000),
     "gongye"),
    ("Zhongxin Rd civil-defence works", "中心路人防工程", "civil_defence", "III", (5_000, 9_000),
     "zhongxin"),
    ("Aluminium Workers' Cultural Square", "铝厂职工文化广场", "square", "III", (15_000, 25_000),
     "gongye"),
    ("Jiyuan Rd Middle School", "济源路中学", "school", "III", (12_000, 18_000), "jiyuan"),
    ("Xin'an Square", "新安广场", "square", "III", (12_000, 20_000), "xinan"),
    ("Kuangshan Park", "矿山公园", "park", "III", (20_000, 35_000), "kuangshan"),
    ("Huaxin Park", "华信公园", "park", "II", (40_000, 60_000), "xinan"),
]  # fmt: skip

STATION_ALLOWED = {
    "class1": "class1,class2,small",
    "class2": "class2,small",
    "small": "small",
    "suburban": "suburban,township",
    "township": "township",
}
STATION_SITE_M2 = {
    "class1": (3_300, 4_800),
    "class2": (2_300, 3_400),
    "small": (650, 1_000),
    "suburban": (3_300, 4_800),
    "township": (1_000, 1_200),
}
STATION_COST = {"class1": 16.0, "class2": 11.0, "small": 4.5, "suburban": 12.0, "township": 6.0}
CANDIDATE_STATIONS = {
    "zhongxin": ["small", "small", "small", "small"],
    "jiyuan": ["class1", "class2", "class2", "small"],
    "xinan": ["class1", "class2", "small"],
    "gongye": ["class1", "class2", "class2", "small"],
    "kuangshan": ["class1", "class2", "suburban"],
    "xiawo": ["township", "township", "township", "suburban", "suburban", "township"],
}


def road_anchor(ctx: Ctx, name: str | None, unit: str):
    """A point on the named arterial inside `unit` (else the unit's interior point)."""
    if name is not None:
        r = ctx.roads
        sel = r[(r["name"] == name) & r["road_class"].eq("arterial")]
        sel = sel[shapely.within(sel["geometry"].to_numpy(), ctx.units[unit])]
        if len(sel):
            g = sel["geometry"].iloc[len(sel) // 2]
            p = g.interpolate(0.5, normalized=True)
            return (p.x, p.y)
    p = ctx.units[unit].point_on_surface()
    return (p.x, p.y)


def build_shelters(ctx: Ctx) -> gpd.GeoDataFrame:
    rng = ctx.rng
    rows = []
    for name, zh, kind, cls, area, uid, road in EXISTING_SHELTERS:
        p = place_site(ctx, uid, near=road_anchor(ctx, road, uid), min_sep=250, group="shelter")
        rows.append(
            dict(
                name=name,
                name_zh=zh,
                kind=kind,
                shelter_class=cls,
                area_m2=area,
                existing=True,
                unit_id=uid,
                geometry=p,
            )
        )
    for name, zh, kind, cls, (lo, hi), uid in CANDIDATE_SHELTERS:
        area = int(round(rng.uniform(lo, hi), -2))
        classes = (0, 2) if uid != "xiawo" else (2, 3)
        p = place_site(ctx, uid, classes=classes, min_sep=250, group="shelter")
        rows.append(
            dict(
                name=name,
                name_zh=zh,
                kind=kind,
                shelter_class=cls,
                area_m2=area,
                existing=False,
                unit_id=uid,
                geometry=p,
            )
        )
    df = gpd.GeoDataFrame(rows, geometry="geometry")
    df["area_m2"] = df["area_m2"].astype(np.int64)
    share = df["kind"].map(USABLE_SHARE).to_numpy()
    df["usable_area_m2"] = np.round(df["area_m2"].to_numpy() * share, -1).astype(np.int64)
    fixed = df["kind"].map(lambda k: SHELTER_COST[k][0]).to_numpy()
    rate = df["kind"].map(lambda k: SHELTER_COST[k][1]).to_numpy()
    cost = np.round(fixed + rate * df["usable_area_m2"].to_numpy(), 2)
    df["cost"] = np.where(df["existing"], 0.0, cost)
    df.insert(0, "shelter_id", [f"S{i + 1:02d}" for i in range(len(df))])
    return df


def build_fire_stations(ctx: Ctx) -> gpd.GeoDataFrame:
    rng = ctx.rng
    rows = []
    p = place_site(
        ctx,
        "zhongxin",
        near=road_anchor(ctx, "Zhongxin Rd", "zhongxin"),
        min_sep=250,
        group="station",
    )
    rows.append(
        dict(
            name="Shangjie fire-rescue brigade station",
            existing=True,
            station_type="class1",
            unit_id="zhongxin",
            geometry=p,
        )
    )
    ctx.fire_station = p
    xiawo_seat = ctx.seat
    for uid, types in CANDIDATE_STATIONS.items():
        for j, st in enumerate(types):
            if uid == "xiawo":
                near = (xiawo_seat.x, xiawo_seat.y) if j == 0 else None
                p = place_site(ctx, uid, classes=(2, 3), near=near, min_sep=900, group="station")
            elif st == "small":
                p = place_site(
                    ctx, uid, classes=(0, 2), min_sep=500, offset=(20, 40), group="station"
                )
            else:
                p = place_site(ctx, uid, classes=(0,), min_sep=700, group="station")
            rows.append(
                dict(
                    name=f"{UNIT_NAME[uid]} candidate station {j + 1}",
                    existing=False,
                    station_type=st,
                    unit_id=uid,
                    geometry=p,
                )
            )
    df = gpd.GeoDataFrame(rows, geometry="geometry")
    df["allowed_types"] = df["station_type"].map(STATION_ALLOWED)
    lo = df["station_type"].map(lambda t: STATION_SITE_M2[t][0]).to_numpy()
    hi = df["station_type"].map(lambda t: STATION_SITE_M2[t][1]).to_numpy()
    df["site_area_m2"] = np.round(rng.uniform(lo, hi), -1).astype(np.int64)
    base = df["station_type"].map(STATION_COST).to_numpy()
    cost = np.round(base * rng.uniform(0.85, 1.15, len(df)), 2)
    df["cost"] = np.where(df["existing"], 0.0, cost)
    df.insert(0, "station_id", [f"F{i + 1:02d}" for i in range(len(df))])
    return df


EXISTING_DEPOTS = [  # the plan counts 5 government warehouses but does not name them
    ("District emergency materials warehouse", "district", "zhongxin", (9_000, 12_000)),
    ("Flood-control materials warehouse", "district", "gongye", (6_000, 9_000)),
    ("Civil-affairs relief materials warehouse", "district", "xinan", (8_000, 11_000)),
    ("Urban-management emergency warehouse", "district", "jiyuan", (4_000, 6_000)),
    ("Xiawo forest fire-prevention materials warehouse", "subdistrict", "xiawo", (2_000, 3_000)),
]
DEPOT_CAPACITY = {
    "district": (30_000, 50_000),
    "subdistrict": (3_000, 6_000),
    "community": (500, 1_200),
}
DEPOT_COST = {"district": (20.0, 35.0), "subdistrict": (2.0, 4.0), "community": (0.3, 0.6)}


def build_depots(ctx: Ctx, communities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rng = ctx.rng
    rows = []
    for name, tier, uid, (lo, hi) in EXISTING_DEPOTS:
        classes = (0, 2) if uid != "xiawo" else (3,)
        p = place_site(ctx, uid, classes=classes, min_sep=300, group="depot")
        rows.append(
            dict(
                name=name,
                tier=tier,
                existing=True,
                unit_id=uid,
                capacity=int(round(rng.uniform(lo, hi), -2)),
                cost=0.0,
                geometry=p,
            )
        )
    for j, uid in enumerate(["gongye", "xinan", "kuangshan"]):
        p = place_site(ctx, uid, classes=(0,), min_sep=600, group="depot")
        rows.append(
            dict(
                name=f"Comprehensive depot site {'ABC'[j]}",
                tier="district",
                existing=False,
                unit_id=uid,
                geometry=p,
            )
        )
    for uid, *_ in UNITS:
        for j in range(2):
            classes = (0, 2) if uid != "xiawo" else (2, 3)
            near = (ctx.seat.x, ctx.seat.y) if uid == "xiawo" and j == 0 else None
            p = place_site(ctx, uid, classes=classes, near=near, min_sep=500, group="depot")
            rows.append(
                dict(
                    name=f"{UNIT_NAME[uid]} office depot site {j + 1}",
                    tier="subdistrict",
                    existing=False,
                    unit_id=uid,
                    geometry=p,
                )
            )
    picks = rng.choice(len(communities), size=14, replace=False)
    for i in sorted(picks):
        c = communities.iloc[i]
        near = (c.geometry.x, c.geometry.y)
        cls = (0, 2) if c["unit_id"] != "xiawo" else (2, 3)
        p = place_site(
            ctx, c["unit_id"], classes=cls, near=near, k_near=2, min_sep=150, group="depot"
        )
        rows.append(
            dict(
                name=f"{c['name']} storage point",
                tier="community",
                existing=False,
                unit_id=c["unit_id"],
                geometry=p,
            )
        )
    df = gpd.GeoDataFrame(rows, geometry="geometry")
    new = ~df["existing"].to_numpy()
    tiers = df["tier"].to_numpy()
    cap = np.array(df["capacity"], dtype=float)
    cost = np.array(df["cost"], dtype=float)
    for t in DEPOT_CAPACITY:
        sel = new & (tiers == t)
        cap[sel] = np.round(rng.uniform(*DEPOT_CAPACITY[t], sel.sum()), -2)
        cost[sel] = np.round(rng.uniform(*DEPOT_COST[t], sel.sum()), 2)
    df["capacity"] = cap.astype(np.int64)
    df["cost"] = cost
    art = shapely.union_all(ctx.roads.loc[ctx.roads["road_class"] == "arterial", "geometry"])
    d = shapely.distance(df["geometry"].to_numpy(), art)
    df["dist_arterial_m"] = np.round(d, 1)
    df["near_transport"] = d <= 300.0
    df.insert(0, "depot_id", [f"D{i + 1:02d}" for i in range(len(df))])
    return df


def build_teams(ctx: Ctx, communities: gpd.GeoDataFrame, hazards: gpd.GeoDataFrame):
    rng = ctx.rng
    rows = []

    def add(force, typ, name, size, uid, geom, professional, rebasable):
        rows.append(
            dict(
                force=force,
                type=typ,
                name=name,
                size=int(size),
                unit_id=uid,
                professional=professional,
                rebasable=rebasable,
                geometry=geom,
            )
        )

    # fire rescue, 24 = 4 engine crews of 6 at the existing station
    for j in range(4):
        add(
            "fire_rescue",
            "fire",
            f"Fire-rescue engine crew {j + 1}",
            6,
            "zhongxin",
            ctx.fire_station,
            True,
            True,
        )
    # forest rangers, 7
    forest = hazards[hazards["kind"] == "forest"].geometry.iloc[0].representative_point()
    p = place_site(ctx, "xiawo", classes=(3,), near=(forest.x, forest.y), min_sep=150, group="team")
    add("forest_rangers", "forest_fire", "District forest ranger team", 7, "xiawo", p, True, False)
    # road flood crews, 13
    p = place_site(ctx, "gongye", classes=(0,), min_sep=200, group="team")
    add("road_flood", "flood", "Highway flood crew (north)", 7, "gongye", p, True, True)
    p = place_site(
        ctx, "xiawo", classes=(2, 3), near=(ctx.seat.x, ctx.seat.y), min_sep=150, group="team"
    )
    add("road_flood", "flood", "Highway flood crew (south)", 6, "xiawo", p, True, True)
    # public-security patrol, 192, one team per police station
    patrol = {"xiawo": 30, "jiyuan": 34, "zhongxin": 40, "xinan": 32, "gongye": 34, "kuangshan": 22}
    militia = {
        "xiawo": 150,
        "jiyuan": 90,
        "zhongxin": 100,
        "xinan": 85,
        "gongye": 92,
        "kuangshan": 40,
    }
    offices = {}
    for uid, *_ in UNITS:
        if uid == "xiawo":
            near = (ctx.seat.x, ctx.seat.y)
            cls = (2, 3)
        else:
            c = ctx.units[uid].point_on_surface()
            near, cls = (c.x, c.y), (0, 2)
        offices[uid] = place_site(ctx, uid, classes=cls, near=near, min_sep=150, group="team")
        p = place_site(ctx, uid, classes=cls, near=near, min_sep=150, group="team")
        add(
            "public_security_patrol",
            "patrol",
            f"{UNIT_NAME[uid]} police patrol team",
            patrol[uid],
            uid,
            p,
            True,
            True,
        )
    # militia, 607: one company per unit at its office + the district rapid-response company
    p = place_site(
        ctx,
        "zhongxin",
        classes=(0,),
        near=road_anchor(ctx, "Zhongxin Rd", "zhongxin"),
        min_sep=150,
        group="team",
    )
    add(
        "militia",
        "militia",
        "District militia rapid-response company",
        50,
        "zhongxin",
        p,
        True,
        True,
    )
    for uid, n in militia.items():
        add(
            "militia",
            "militia",
            f"{UNIT_NAME[uid]} militia company",
            n,
            uid,
            offices[uid],
            True,
            False,
        )
    # enterprise teams at the two chemical firms
    for sub, n in (("producer", 12), ("storage", 15)):
        h = hazards[hazards["subtype"] == sub].iloc[0]
        add(
            "enterprise",
            "hazmat",
            f"{h['name']} enterprise team",
            n,
            h["unit_id"],
            h.geometry,
            False,
            False,
        )
    # community / village teams (part-time), one per demand point
    sizes = rng.integers(6, 16, len(communities))
    for (_, c), n in zip(communities.iterrows(), sizes, strict=True):
        add(
            "community",
            "community",
            f"{c['name']} emergency squad",
            n,
            c["unit_id"],
            c.geometry,
            False,
            False,
        )
    # volunteers
    vols = [("Shangjie volunteer rescue team", 36, "zhongxin"),
            ("Red Cross first-aid volunteers", 24, "jiyuan"),
            ("Xiawo mountain rescue volunteers", 18, "xiawo"),
            ("Aluminium works volunteer fire brigade", 20, "gongye"),
            ("Kuangshan volunteer team", 15, "kuangshan"),
            ("Xin'an volunteer team", 16, "xinan")]  # fmt: skip
    for name, n, uid in vols:
        cls = (0, 2) if uid != "xiawo" else (2, 3)
        near = (ctx.seat.x, ctx.seat.y) if uid == "xiawo" else None
        p = place_site(ctx, uid, classes=cls, near=near, min_sep=150, group="team")
        add("volunteer", "volunteer", name, n, uid, p, False, True)
    df = gpd.GeoDataFrame(rows, geometry="geometry")
    df.insert(0, "team_id", [f"T{i + 1:03d}" for i in range(len(df))])
    return df


# --------------------------------------------------------------------------------------
# assembly and output
# --------------------------------------------------------------------------------------
COLUMNS = {  # column order of each layer (geometry last)
    "units": ["unit_id", "name", "name_zh", "kind", "admin_level", "terrain", "population",
              "area_km2", "flood_key_points"],
    "communities": ["community_id", "name", "name_zh", "unit_id", "kind", "admin_level",
                    "population", "elevation_m", "terrain", "flood_risk", "geo_exposed",
                    "chem_risk", "forest_risk", "risk"],
    "roads": ["road_id", "road_class", "name", "speed_kmh", "oneway", "length_m"],
    "rivers": ["river_id", "name", "name_zh", "kind", "flood_width_m"],
    "shelters": ["shelter_id", "name", "name_zh", "kind", "shelter_class", "existing", "unit_id",
                 "area_m2", "usable_area_m2", "cost"],
    "fire_stations": ["station_id", "name", "existing", "station_type", "allowed_types",
                      "unit_id", "site_area_m2", "cost"],
    "depots": ["depot_id", "name", "tier", "existing", "unit_id", "capacity", "cost",
               "dist_arterial_m", "near_transport"],
    "teams": ["team_id", "name", "force", "type", "size", "unit_id", "professional",
              "rebasable"],
    "hazards": ["hazard_id", "kind", "subtype", "name", "unit_id", "unit", "operator",
                "major_hazard", "area_km2"],
}  # fmt: skip


def to_utm(df: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = df.copy()
    geoms = out.geometry.to_numpy()
    poly = shapely.get_type_id(geoms) == 3
    moved = shapely.transform(geoms, lambda c: c + np.array(ORIGIN))
    # 1 cm grid; polygons through GEOS so that snapping never makes them invalid
    geoms = np.where(
        poly,
        shapely.set_precision(moved, 0.01),
        shapely.transform(moved, lambda c: np.round(c, 2)),
    )
    return gpd.GeoDataFrame(out.drop(columns="geometry"), geometry=geoms, crs=CRS)


def build(seed: int = SEED) -> dict[str, gpd.GeoDataFrame]:
    ctx = Ctx(rng=np.random.default_rng(seed))
    build_units(ctx)
    build_rivers(ctx)
    villages = build_villages(ctx)
    build_roads(ctx, villages)
    index_nodes(ctx)
    communities = build_communities(ctx, villages)
    ctx.seat = communities.geometry.iloc[0]
    ctx.sites.extend(("community", g) for g in communities.geometry)
    hazards = build_hazards(ctx, communities, villages)
    community_exposure(ctx, communities, hazards)
    shelters = build_shelters(ctx)
    stations = build_fire_stations(ctx)
    depots = build_depots(ctx, communities)
    teams = build_teams(ctx, communities, hazards)

    # units
    rows = []
    for uid, name, zh, kind, n_key, pop in UNITS:
        rows.append(
            dict(
                unit_id=uid,
                name=name,
                name_zh=zh,
                kind=kind,
                admin_level="township",
                terrain="hill" if uid == "xiawo" else "plain",
                population=pop,
                flood_key_points=n_key,
                geometry=ctx.units[uid],
            )
        )
    units = to_utm(gpd.GeoDataFrame(rows, geometry="geometry"))
    units.insert(7, "area_km2", np.round(units.area.to_numpy() / 1e6, 4))

    communities.insert(0, "community_id", [f"C{i + 1:03d}" for i in range(len(communities))])
    communities = to_utm(communities)

    roads = ctx.roads.drop(columns=["group"])
    roads = to_utm(gpd.GeoDataFrame(roads, geometry="geometry"))
    roads = roads[roads.length > 0].reset_index(drop=True)
    roads.insert(0, "road_id", np.arange(len(roads), dtype=np.int64))
    roads["speed_kmh"] = roads["road_class"].map(SPEED_KMH).astype(np.int64)
    roads["length_m"] = np.round(roads.length.to_numpy(), 2)

    rivers = to_utm(gpd.GeoDataFrame(ctx.rivers, geometry="geometry"))
    hazards = to_utm(hazards)
    hazards["area_km2"] = np.round(hazards.area.to_numpy() / 1e6, 6)
    gtype = hazards.geom_type.to_numpy()
    hazards = hazards[[*COLUMNS["hazards"], "geometry"]]
    layers = {
        "units": units,
        "communities": communities,
        "roads": roads,
        "rivers": rivers,
        "shelters": to_utm(shelters),
        "fire_stations": to_utm(stations),
        "depots": to_utm(depots),
        "teams": to_utm(teams),
        "hazard_points": hazards[gtype == "Point"].reset_index(drop=True),
        "hazard_lines": hazards[gtype == "LineString"].reset_index(drop=True),
        "hazard_areas": hazards[gtype == "Polygon"].reset_index(drop=True),
    }
    assert sum(len(v) for k, v in layers.items() if k.startswith("hazard_")) == len(hazards)
    for name, cols in COLUMNS.items():
        if name in layers:
            layers[name] = layers[name][[*cols, "geometry"]]
    return layers


DESCRIPTIONS = {
    "units": "1 town + 5 sub-districts; areas total 64.7 km2 (plan); polygons synthetic",
    "communities": "demand points; populations sum to 140,000 (plan); positions synthetic",
    "roads": "synthetic connected road network; oneway=travel from first to last vertex",
    "rivers": "synthetic courses of rivers named in the plan",
    "shelters": "6 existing shelters (plan: names, classes, 257,700 m2) + candidates (synthetic)",
    "fire_stations": "1 existing station (assumption) + candidate sites (synthetic)",
    "depots": "5 existing government warehouses (plan count) + candidate sites (synthetic)",
    "teams": "5 professional forces, 843 people (plan) + part-time teams (synthetic)",
    "hazard_points": "flood key points 137, geological 5, hazmat 16 (plan counts)",
    "hazard_lines": "synthetic fault line, split by unit",
    "hazard_areas": "forest 11.61 km2 (plan) and flood zones (synthetic)",
}


def write(layers: dict[str, gpd.GeoDataFrame], out: Path) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
    fd, tmp = tempfile.mkstemp(suffix=".gpkg", dir=out.parent)
    os.close(fd)
    os.remove(tmp)
    try:
        for name, gdf in layers.items():
            gdf.to_file(
                tmp,
                layer=name,
                driver="GPKG",
                engine="pyogrio",
                layer_options={"DESCRIPTION": DESCRIPTIONS[name]},
            )
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="GeoPackage to write")
    ap.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    layers = build(args.seed)
    write(layers, args.out)
    if not args.quiet:
        for name, gdf in layers.items():
            print(f"{name:14s} {len(gdf):5d} rows")
        print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
