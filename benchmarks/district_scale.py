"""The planning models at finer demand (issue 18's table): the district with k points per community.

    python benchmarks/district_scale.py [--factors 1,4,16,64] [--models fire,shelters,depots]
        [--limit 120] [--seed 0] [--out table.md]

Each community of the embedded district becomes k demand points
(:func:`erlocate.district.resolution.refine`: population split exactly, points
within 300 m inside the community's cell); every other layer and the case
builders are used as they are: ``fire_station_case`` (cover all),
``shelter_case`` and ``depot_case(flood_roads="slowed")``. Every case is solved
with HiGHS through :func:`erlocate.bench.run` (status, objective, bound, gap,
build and solve seconds, peak memory; every plan verified, a verification
failure is an ``error`` row) and printed as a Markdown table with the machine
and its load. Cases are built when reached, one at a time.
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
from erlocate.district import depot_case, fire_station_case, shelter_case
from erlocate.district.resolution import refine
from erlocate.machine import describe

#: Model name → case builder (given the refined district).
BUILDERS: dict[str, Callable[[Any], tuple[Any, Any]]] = {
    "fire": fire_station_case,
    "shelters": shelter_case,
    "depots": lambda d: depot_case(d, flood_roads="slowed"),
}


def cases(factors: list[int], models: list[str], seed: int) -> list[CaseRef]:
    """One lazily built case per (model, factor)."""
    base = load_district()

    def loader(model: str, k: int) -> Callable[[], tuple[str, Any, Any]]:
        def load() -> tuple[str, Any, Any]:
            m, inst = BUILDERS[model](refine(base, per_community=k, seed=seed))
            return f"{model} x{k}", m, inst

        return load

    return [CaseRef(f"{m} x{k}", loader(m, k), suite="district") for m in models for k in factors]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factors", default="1,4,16,64", help="points per community, comma-separated")
    ap.add_argument("--models", default="fire,shelters,depots", help=", ".join(BUILDERS))
    ap.add_argument("--limit", type=float, default=120.0, help="solver seconds per case")
    ap.add_argument("--seed", type=int, default=0, help="placement seed of refine")
    ap.add_argument("--out", type=Path, help="also write the table here")
    args = ap.parse_args(argv)
    factors = [int(f) for f in args.factors.split(",")]
    models = [m.strip() for m in args.models.split(",")]
    unknown = sorted(set(models) - set(BUILDERS))
    if unknown:
        ap.error(f"unknown model(s) {unknown}; choose from {sorted(BUILDERS)}")
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    df = run(cases(factors, models, args.seed), "highs", time_limit=args.limit, progress=False)
    text = "\n\n".join(
        [
            f"{describe()}, erlocate {erlocate.__version__}",
            f"limit {args.limit:g} s per case, refine seed {args.seed}; load before: `{load}`",
            to_markdown(df),
        ]
    )
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return int((df["status"] == "error").any())


if __name__ == "__main__":
    sys.exit(main())
