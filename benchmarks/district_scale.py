"""The planning models at finer demand (issue 18's table): the district at k points per community.

    python benchmarks/district_scale.py [--factors 1,4,16,64] [--grids 250,100]
        [--models fire,shelters,depots,teams] [--depots direct|benders|auto]
        [--limit 120] [--seed 0] [--out table.md]

Each community of the embedded district becomes k demand points
(``resolution=Points(k)``: population split exactly, points within 300 m inside
the community's cell), or the pieces of a population grid (``Grid(cell_m)``);
every other layer and the case builders are used as they are:
``fire_station_case`` (cover all), ``shelter_case`` (on a grid with
``allow_unhoused=True``: a piece beyond every shelter's walk is reported unhoused),
``depot_case(flood_roads="slowed")`` (``Depots(method=...)`` from ``--depots``)
and ``team_case(recruit=True)`` (its zones stay the communities). Every case is
solved with HiGHS through :func:`erlocate.bench.run` (status, objective, bound,
gap, build and solve seconds, peak memory; every plan verified, a verification
failure is an ``error`` row) and printed as a Markdown table with the machine and
its load. Cases are built when reached, one at a time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import erlocate
from erlocate.bench import CaseRef, run, to_markdown
from erlocate.datasets import load_district
from erlocate.district import depot_case, fire_station_case, shelter_case, team_case
from erlocate.district.resolution import Grid, Points, Resolution
from erlocate.machine import describe
from erlocate.planning import Depots

#: Model name → case builder (given the district and a resolution).
BUILDERS: dict[str, Callable[..., tuple[Any, Any]]] = {
    "fire": fire_station_case,
    # a grid piece can lie beyond every shelter's walk: reported unhoused, not refused
    "shelters": lambda d, resolution: shelter_case(
        d, resolution=resolution, allow_unhoused=isinstance(resolution, Grid)
    ),
    "depots": lambda d, resolution: depot_case(d, flood_roads="slowed", resolution=resolution),
    "teams": lambda d, resolution: team_case(d, recruit=True),
}


def cases(
    resolutions: list[tuple[str, Resolution]], models: list[str], depots: str
) -> list[CaseRef]:
    """One lazily built case per (model, resolution)."""
    base = load_district()

    def loader(model: str, tag: str, res: Resolution) -> Callable[[], tuple[str, Any, Any]]:
        def load() -> tuple[str, Any, Any]:
            m, inst = BUILDERS[model](base, resolution=res)
            if model == "depots":
                m = Depots(**{**m.parameters(), "method": depots})
            return f"{model} {tag}", m, inst

        return load

    return [
        CaseRef(f"{m} {tag}", loader(m, tag, res), suite="district")
        for m in models
        for tag, res in resolutions
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factors", default="1,4,16,64", help="points per community, comma-separated")
    ap.add_argument("--grids", default="", help="grid cell sizes in metres, comma-separated")
    ap.add_argument("--models", default="fire,shelters,depots,teams", help=", ".join(BUILDERS))
    ap.add_argument("--depots", default="auto", choices=("auto", "direct", "benders"))
    ap.add_argument("--limit", type=float, default=120.0, help="solver seconds per case")
    ap.add_argument("--seed", type=int, default=0, help="placement seed of refine")
    ap.add_argument("--out", type=Path, help="also write the table here")
    args = ap.parse_args(argv)
    resolutions: list[tuple[str, Resolution]] = [
        (f"x{k}", Points(int(k), seed=args.seed)) for k in args.factors.split(",") if k
    ]
    resolutions += [(f"grid {g} m", Grid(float(g))) for g in args.grids.split(",") if g]
    models = [m.strip() for m in args.models.split(",")]
    unknown = sorted(set(models) - set(BUILDERS))
    if unknown:
        ap.error(f"unknown model(s) {unknown}; choose from {sorted(BUILDERS)}")
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    df = run(
        cases(resolutions, models, args.depots), "highs", time_limit=args.limit, progress=False
    )
    text = "\n\n".join(
        [
            f"{describe()}, erlocate {erlocate.__version__}",
            f"limit {args.limit:g} s per case, Points seed {args.seed}, Depots method "
            f"{args.depots!r}; load before: `{load}`",
            to_markdown(df),
        ]
    )
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return int((df["status"] == "error").any())


if __name__ == "__main__":
    sys.exit(main())
