"""Every available solver side by side: OR-Library pmed1–20, scp41–45, cap71–74 and the district.

    python benchmarks/solvers.py [--time-limit 60] [--backend all] [--out docs/benchmarks]

Runs the benchmark harness (:func:`erlocate.bench.run`) on each case with each
backend ``erlocate backends`` lists as usable, and writes to ``--out``:

* ``solvers.csv`` — one row per run (the harness' columns);
* ``solvers.md`` — a pivot of solve seconds per case and solver (a status
  instead where the run did not prove the optimum, ``limit`` where the model
  exceeds the solver's free-licence size), per-solver totals, the full
  harness table and the machine line;
* ``solvers-profile.png`` — the Dolan–Moré performance profile of every solver
  on the cases within every solver's size limit, and
  ``solvers-profile-unlimited.png`` — the solvers without a size limit on
  every case.

The p-median cases are solved as one MILP each (``formulation="dense"``), so the
table compares the solvers, not the Benders method (``docs/benchmarks/orlib.md``
has that). Prints the pivot and the machine's load. Exit status 1 when a proven
optimum disagrees with a published proven one or between solvers.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from erlocate import bench
from erlocate.backends import describe

SUITES = [
    ("orlib-pmed", {"range": "1-20"}),
    ("orlib-scp", {"instances": "scp41,scp42,scp43,scp44,scp45"}),
    ("orlib-cap", {"instances": "cap71,cap72,cap73,cap74"}),
    ("district", {}),
]


def cases() -> list:
    out = []
    for name, pick in SUITES:
        out += bench.suite(name, **pick)
    return out


def pivot(df: pd.DataFrame) -> pd.DataFrame:
    """Solve seconds per case × solver; a status where no optimum was proven."""
    s = bench.summary(df)

    def cell(r: pd.Series) -> str:
        if r["status"] == "optimal" and r["matches"] is not False:
            return f"{r['solve_s']:.2f}"
        if r["status"] == "over_limit":
            return "limit"
        if r["status"] == "not_integral":
            return "n/a"
        if r["status"] == "optimal":
            return "WRONG"
        return str(r["status"])

    s["cell"] = s.apply(cell, axis=1)
    order = list(dict.fromkeys(s["backend"]))
    table = s.pivot_table(
        index=["instance", "model"], columns="backend", values="cell", aggfunc="first", sort=False
    )
    return table[order]


def markdown(table: pd.DataFrame) -> str:
    """A pipe table of the pivot (without needing tabulate)."""
    head = ["instance", "model", *table.columns]
    rows = [[*key, *vals] for key, vals in zip(table.index, table.to_numpy(), strict=True)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join("" if pd.isna(v) else str(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def disagreements(df: pd.DataFrame) -> list[str]:
    """Cases where two proven optima differ, or one differs from a proven published value."""
    ok = df[df["status"] == "optimal"]
    out = []
    for (inst, model), g in ok.groupby(["instance", "model"], sort=False):
        objs = g["objective"].astype(float)
        if objs.max() - objs.min() > 1e-6 * max(1.0, abs(objs.max())):
            out.append(f"{inst} {model}: {dict(zip(g['backend'], objs, strict=True))}")
    published = ok["proven_optimum"].fillna(False).astype(bool) & ~ok["matches"].fillna(True)
    out += [
        f"{r.instance} {r.backend}: {r.objective} vs {r.optimum}"
        for r in ok[published].itertuples()
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--backend", default="all", help="comma-separated backends, or all")
    parser.add_argument("--out", type=Path, default=Path("docs/benchmarks"))
    args = parser.parse_args(argv)

    load = os.getloadavg()
    df = bench.run(
        cases(), args.backend, time_limit=args.time_limit, formulation="dense", progress=True
    )
    args.out.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out / "solvers.csv", index=False)
    table = pivot(df)
    limited = describe().loc[list(table.columns), "size_limit"] != "none"
    within = (~table.isin(["limit", "n/a"])).all(axis=1)
    bench.performance_profile(
        df[df.set_index(["instance", "model"]).index.isin(table.index[within])],
        args.out / "solvers-profile.png",
        title=f"{int(within.sum())} cases within every solver's size limit: solve time",
    )
    unlimited = [b for b in table.columns if not limited[b]]
    bench.performance_profile(
        df[df["backend"].isin(unlimited)],
        args.out / "solvers-profile-unlimited.png",
        title=f"{len(table)} cases, solvers without a size limit: solve time",
    )
    totals = {
        b: f"{int((table[b].str.match(r'^[0-9.]+$')).sum())} proven, "
        f"{int((table[b] == 'limit').sum())} over its size limit, "
        f"{int((table[b] == 'n/a').sum())} with continuous columns it cannot take"
        for b in table.columns
    }
    wrong = disagreements(df)
    text = "\n".join(
        [
            "# Solvers side by side",
            "",
            f"`python benchmarks/solvers.py --time-limit {args.time_limit:g}`: solve seconds "
            "per case (proven optimal and equal to the published optimum where there is one); "
            "otherwise the status (`feasible` = stopped by the time limit with a gap; "
            "`limit` = beyond the solver's free-licence size limit, `n/a` = not all-integer, which "
            "CP-SAT needs; neither is run). p-median as one "
            "dense MILP per case. Load average before the run: "
            + ", ".join(f"{v:.2f}" for v in load)
            + ".",
            "",
            markdown(table),
            "",
            *[f"- **{b}**: {t}" for b, t in totals.items()],
            "",
            "Disagreements: " + ("; ".join(wrong) if wrong else "none."),
            "",
            bench.to_markdown(df, title="Every run"),
        ]
    )
    (args.out / "solvers.md").write_text(text)
    print(table.to_string())
    print("\n".join(f"{b}: {t}" for b, t in totals.items()))
    print("disagreements:", wrong or "none")
    print(f"wrote {args.out / 'solvers.md'}, solvers.csv and two profiles")
    return int(bool(wrong))


if __name__ == "__main__":
    sys.exit(main())
