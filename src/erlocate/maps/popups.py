"""What a click on a demand point or a site shows: its popup table.

Built once by the layer functions (:mod:`~erlocate.maps.layers`) as
``Layer.info``; the interactive map shows it, the static map ignores it.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

__all__ = ["demand_info", "site_info"]


def demand_info(demand: gpd.GeoDataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The popup table of demand points and its display names.

    Parameters
    ----------
    demand : geopandas.GeoDataFrame
        ``ResultFrames.demand``.

    Returns
    -------
    pandas.DataFrame
        Per point: ``demand_id``, ``weight``, ``site_id``, ``cost``,
        ``covered``; ``share`` and ``n_sites`` when some point is split;
        ``n_covering`` for covering models; then the point's own attributes.
    tuple of str
        The display name of each column.
    """
    fields = {
        "demand_id": "demand",
        "weight": "weight",
        "site_id": "assigned site",
        "cost": "cost",
        "covered": "covered",
    }
    if (demand["n_sites"] > 1).any():
        fields.update(share="share of that site", n_sites="sites serving it")
    if "n_covering" in demand.columns:
        fields["n_covering"] = "open sites within the standard"
    computed = ["weight", "site_id", "cost", "share", "n_sites", "covered", "n_covering"]
    own = [c for c in demand.columns if c not in computed and c != demand.geometry.name]
    fields.update({c: c for c in own})
    table = pd.DataFrame(demand.reset_index()[list(fields)])
    return table, tuple(fields.values())


def site_info(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """The popup table of sites: id, ``load``, ``n_assigned``, ``required``, then their attributes.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        ``ResultFrames.sites`` (or some of its rows).

    Returns
    -------
    pandas.DataFrame
        One row per site, ``site_id`` first, without ``open`` and the geometry.
    """
    first = ["load", "n_assigned", "required"]
    rest = [c for c in sites.columns if c not in (*first, "open", sites.geometry.name)]
    return pd.DataFrame(sites.reset_index()[["site_id", *first, *rest]])
