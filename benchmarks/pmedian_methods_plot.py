"""Plot time to proven optimum per OR-Library pmed case: one method against another.

    python benchmarks/pmedian_methods_plot.py --a docs/benchmarks/orlib-pmed-highs.md --a-label \
        "dense MILP" --b results.csv --b-label "Benders" --out docs/benchmarks/pmed-methods.png

Each input is an ``erlocate bench`` ``results.csv`` or a Markdown table with the
columns ``instance``, ``status``, ``build s`` and ``solve s`` (as written by
``benchmarks/orlib.py`` / ``erlocate bench``). A case not proven optimal is drawn
at its time limit with a hollow marker.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def read(path: str) -> pd.DataFrame:
    """instance, status, seconds (build + solve) from a results CSV or Markdown table."""
    p = Path(path)
    if p.suffix == ".csv":
        df = pd.read_csv(p)
        return pd.DataFrame(
            {"instance": df["instance"], "status": df["status"], "s": df["build_s"] + df["solve_s"]}
        )
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in p.read_text().splitlines()
        if line.startswith("| ") and not line.startswith("|---")
    ]
    head, body = rows[0], [r for r in rows[1:] if r != rows[0]]
    df = pd.DataFrame(body, columns=head)
    seconds = df["build s"].astype(float) + df["solve s"].astype(float)
    return pd.DataFrame({"instance": df["instance"], "status": df["status"], "s": seconds})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--a", required=True)
    ap.add_argument("--a-label", default="A")
    ap.add_argument("--b", required=True)
    ap.add_argument("--b-label", default="B")
    ap.add_argument("--title", default="OR-Library pmed1–40, HiGHS, 2 cores")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    a, b = read(args.a), read(args.b)
    order = sorted(set(a["instance"]) & set(b["instance"]), key=lambda s: int(s[4:]))
    fig, ax = plt.subplots(figsize=(10, 4))
    for df, label, color in ((a, args.a_label, "tab:gray"), (b, args.b_label, "tab:blue")):
        d = df.set_index("instance").loc[order]
        x = range(len(order))
        ok = (d["status"] == "optimal").to_numpy()
        xs = [i for i, k in zip(x, ok, strict=True) if k]
        xn = [i for i, k in zip(x, ok, strict=True) if not k]
        ax.scatter(xs, d["s"].to_numpy()[ok], color=color, label=f"{label}: proven", s=22)
        if xn:
            ax.scatter(xn, d["s"].to_numpy()[~ok], facecolors="none", edgecolors=color,
                       label=f"{label}: not proven (time limit)", s=40)  # fmt: skip
    ax.set_yscale("log")
    ax.set_xticks(range(len(order)), [s[4:] for s in order], fontsize=7)
    ax.set_xlabel("pmed instance")
    ax.set_ylabel("seconds to proven optimum (build + solve)")
    ax.set_title(args.title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
