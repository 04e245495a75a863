"""The embedded default district, calibrated to the Shangjie district (Zhengzhou) plan.

The counts and totals are the plan's (64.7 km², 140,000 people, 1 town + 5 sub-districts,
137 flood-control key points, 5 geological hazard points, 16 hazardous-chemical sites,
1,161 ha of forest, 6 shelters with 257,700 m², 5 government warehouses, 843 people in five
professional forces); the geography, the candidate sites, costs and capacities are synthetic.
See ``docs/district.md`` for which figure is which, and ``scripts/make_district.py`` for the
generator.

>>> from erlocate.datasets import load_district
>>> d = load_district()
>>> d.units.loc["xiawo", "kind"]
'town'
>>> int(d.communities["population"].sum())
140000
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from importlib import resources
from os import PathLike
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj

__all__ = ["ID_COLUMNS", "LAYERS", "District", "district_path", "load_district"]

FILENAME = "district.gpkg"

#: attribute -> the id column that indexes it
ID_COLUMNS: dict[str, str] = {
    "units": "unit_id",
    "communities": "community_id",
    "roads": "road_id",
    "rivers": "river_id",
    "shelters": "shelter_id",
    "fire_stations": "station_id",
    "depots": "depot_id",
    "teams": "team_id",
    "hazards": "hazard_id",
}
#: the GeoDataFrame attributes of :class:`District`, in order
LAYERS: tuple[str, ...] = tuple(ID_COLUMNS)
# GeoPackage layers holding the hazards, one per geometry type
_HAZARD_LAYERS = ("hazard_points", "hazard_lines", "hazard_areas")


@dataclass(frozen=True, eq=False)
class District:
    """A planning district: administrative units, demand, network, sites, forces and hazards.

    Every table is a GeoDataFrame in :attr:`crs` (projected, metres), indexed by its id column
    (``unit_id``, ``community_id``, ``road_id``, ``river_id``, ``shelter_id``, ``station_id``,
    ``depot_id``, ``team_id``, ``hazard_id``); the id is the index, not a column. Rows that
    belong to an administrative unit carry ``unit_id`` (an index value of :attr:`units`).

    Attributes:
        units: 1 town + 5 sub-districts (polygons) with population, area and flood key points.
        communities: demand points (villages in the town, communities elsewhere) with
            population and hazard exposure (``flood_risk``, ``geo_exposed``, ``chem_risk``,
            ``forest_risk`` and the combined weight ``risk``).
        roads: one connected network of LineStrings with ``road_class``, ``speed_kmh``,
            ``oneway`` (travel only from the first to the last vertex) and ``length_m``.
        rivers: river and stream centre lines.
        shelters: existing shelters and candidate sites (``existing``, ``shelter_class``,
            ``area_m2``, ``usable_area_m2``, ``cost``).
        fire_stations: the existing station and candidate sites (``station_type``,
            ``allowed_types`` as a comma-separated list, ``cost``).
        depots: the government warehouses and candidate depots by ``tier``
            (``district`` / ``subdistrict`` / ``community``), ``capacity``, ``cost``.
        teams: deployable teams (``force``, ``type``, ``size``, ``professional``,
            ``rebasable``) located at their home base.
        hazards: points, lines and polygons with ``kind`` (``flood_key_point``,
            ``geological``, ``hazmat``, ``forest``, ``flood_zone``, ``fault``), ``subtype``
            and the unit they lie in (``unit_id`` and its name ``unit``).
        crs: the coordinate reference system of every table.
    """

    units: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    shelters: gpd.GeoDataFrame
    fire_stations: gpd.GeoDataFrame
    depots: gpd.GeoDataFrame
    teams: gpd.GeoDataFrame
    hazards: gpd.GeoDataFrame
    crs: pyproj.CRS

    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The tables by name (the objects themselves, not copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in ID_COLUMNS}

    def summary(self) -> pd.DataFrame:
        """Key counts and totals, computed from the tables, with where each figure comes from.

        ``source`` is ``plan`` (a figure of the Shangjie plan, reproduced by the data),
        ``derived`` (computed from plan figures), ``assumption`` (our reading where the plan
        is silent) or ``synthetic`` (illustrative).
        """
        u, c, h = self.units, self.communities, self.hazards
        sh, fs, dp, tm, rd = self.shelters, self.fire_stations, self.depots, self.teams, self.roads
        pop = int(c["population"].sum())
        ex_sh = sh[sh["existing"]]
        hazmat = h[h["kind"] == "hazmat"]
        forest = h[h["kind"] == "forest"]
        prof = tm[tm["professional"]]
        rows = [
            ("units", len(u), "", "plan"),
            ("towns", int((u["kind"] == "town").sum()), "", "plan"),
            ("sub-districts", int((u["kind"] == "subdistrict").sum()), "", "plan"),
            ("area", round(float(u.area.sum()) / 1e6, 2), "km²", "plan"),
            ("population", pop, "people", "plan"),
            ("demand points", len(c), "", "synthetic"),
            ("villages", int((c["kind"] == "village").sum()), "", "synthetic"),
            ("flood-control key points", int((h["kind"] == "flood_key_point").sum()), "", "plan"),
            ("geological hazard points", int((h["kind"] == "geological").sum()), "", "plan"),
            ("villages exposed to geological hazards", int(c["geo_exposed"].sum()), "", "plan"),
            ("hazardous-chemical sites", len(hazmat), "", "plan"),
            ("fuel stations", int((hazmat["subtype"] == "fuel_station").sum()), "", "plan"),
            ("forest", round(float(forest.area.sum()) / 1e6, 2), "km²", "plan"),
            ("existing shelters", len(ex_sh), "", "plan"),
            ("existing shelter area", int(ex_sh["area_m2"].sum()), "m²", "plan"),
            (
                "existing shelter area per person",
                round(float(ex_sh["area_m2"].sum()) / pop, 2),
                "m²/person",
                "derived",
            ),
            ("candidate shelter sites", int((~sh["existing"]).sum()), "", "synthetic"),
            ("existing fire stations", int(fs["existing"].sum()), "", "assumption"),
            ("candidate fire-station sites", int((~fs["existing"]).sum()), "", "synthetic"),
            ("government warehouses", int(dp["existing"].sum()), "", "plan"),
            ("candidate depot sites", int((~dp["existing"]).sum()), "", "synthetic"),
            ("professional forces", int(prof["force"].nunique()), "", "plan"),
            ("professional force members", int(prof["size"].sum()), "people", "plan"),
            ("teams", len(tm), "", "synthetic"),
            ("road segments", len(rd), "", "synthetic"),
            ("road length", round(float(rd.length.sum()) / 1e3, 1), "km", "synthetic"),
        ]
        item, value, unit, source = zip(*rows, strict=True)
        index = pd.Index(item, name="item")
        return pd.DataFrame(
            {
                "value": pd.Series(value, index=index, dtype=object),
                "unit": pd.Series(unit, index=index),
                "source": pd.Series(source, index=index),
            }
        )


def district_path() -> Path:
    """Path of the GeoPackage shipped inside the package."""
    return Path(str(resources.files("erlocate.datasets").joinpath("data").joinpath(FILENAME)))


def load_district(path: str | PathLike[str] | None = None) -> District:
    """Load the default district (or a GeoPackage written by ``scripts/make_district.py``).

    The file is read once per path and cached; every call returns fresh copies, so callers
    may modify the tables freely.
    """
    if path is None:
        ref = resources.files("erlocate.datasets").joinpath("data").joinpath(FILENAME)
        with resources.as_file(ref) as p:
            tables = _read(str(Path(p).resolve()))
    else:
        tables = _read(str(Path(path).resolve()))
    copies = {name: gdf.copy(deep=True) for name, gdf in tables.items()}
    return District(**copies, crs=copies["units"].crs)


@functools.cache
def _read(path: str) -> dict[str, gpd.GeoDataFrame]:
    if not Path(path).is_file():
        raise FileNotFoundError(f"district data not found: {path}")
    out: dict[str, gpd.GeoDataFrame] = {}
    for name, key in ID_COLUMNS.items():
        if name == "hazards":
            parts = [_read_layer(path, layer) for layer in _HAZARD_LAYERS]
            gdf = pd.concat(parts, ignore_index=True).sort_values(key, kind="stable")
            gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=parts[0].crs)
        else:
            gdf = _read_layer(path, name)
        out[name] = gdf.set_index(key)
    crs = {str(g.crs) for g in out.values()}
    if len(crs) != 1:
        raise ValueError(f"district layers disagree on the CRS: {sorted(crs)}")
    return out


def _read_layer(path: str, layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path, layer=layer, engine="pyogrio")
