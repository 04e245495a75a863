r"""Benchmark outputs: CSV, a Markdown summary, and a performance profile.

Performance profile (Dolan and Moré 2002): for case :math:`c` and backend
:math:`s` let :math:`t_{c,s}` be the median solve time over the repeats, or
:math:`\infty` when the run failed (status other than ``"optimal"``, or an
objective that disagrees with the published optimum). With
:math:`r_{c,s} = t_{c,s} / \min_{s'} t_{c,s'}` the profile of backend :math:`s` is

.. math:: \rho_s(\tau) = \frac{|\{c : r_{c,s} \le \tau\}|}{|C|},

the share of cases it solves within a factor :math:`\tau` of the fastest
backend; :math:`\rho_s(1)` is the share on which it is the fastest, the right
end the share it solves at all. Times are floored at 0.01 s so that timer noise
on trivial cases does not produce large ratios.

Reference: E.D. Dolan and J.J. Moré, "Benchmarking optimization software with
performance profiles", Mathematical Programming 91 (2002) 201–213.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from erlocate.machine import describe

__all__ = [
    "TIME_FLOOR",
    "performance_profile",
    "profile_ratios",
    "summary",
    "to_csv",
    "to_markdown",
]

#: Seconds below which solve times count as equal in the profile.
TIME_FLOOR = 0.01

_KEYS = ["suite", "instance", "model", "backend"]


def to_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write every run (one row per case, backend and repeat) to ``path``; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)
    return path


def _status(values: pd.Series) -> str:
    seen = list(dict.fromkeys(values))
    return seen[0] if len(seen) == 1 else "/".join(seen)


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """One row per case and backend: repeats collapsed (median times, max memory).

    ``status`` joins the distinct statuses of the repeats (``"optimal/feasible"``),
    ``matches`` is True only when every repeat matched.
    """
    if df.empty:
        return df.copy()
    g = df.groupby(_KEYS, sort=False, dropna=False)
    out = g.agg(
        n=("n", "first"),
        m=("m", "first"),
        status=("status", _status),
        objective=("objective", "first"),
        bound=("bound", "first"),
        gap=("gap", "max"),
        optimum=("optimum", "first"),
        proven_optimum=("proven_optimum", "first"),
        matches=("matches", lambda s: pd.NA if s.isna().all() else bool(s.fillna(False).all())),
        read_s=("read_s", "first"),
        build_s=("build_s", "median"),
        solve_s=("solve_s", "median"),
        total_s=("total_s", "median"),
        peak_mem_mb=("peak_mem_mb", "max"),
        repeats=("repeat", "size"),
        error=("error", "first"),
    )
    return out.reset_index()


def _num(v: object, decimals: int = 4) -> str:
    if v is None or v is pd.NA:
        return "—"
    v = float(v)  # type: ignore[arg-type]
    if math.isnan(v):
        return "—"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v - round(v)) < 1e-6:
        return f"{round(v):d}"
    return f"{v:.{decimals}f}"


def _match(row: pd.Series) -> str:
    if row["matches"] is pd.NA or pd.isna(row["matches"]):
        return "—"
    return "yes" if bool(row["matches"]) else "no"


def to_markdown(df: pd.DataFrame, *, title: str | None = None) -> str:
    """A Markdown summary: one row per case and backend, per-backend totals, the machine.

    Columns: instance, model, backend, n, m, published optimum (``*`` = best
    known, not proven), objective, bound, status, gap %, median build and solve
    seconds, peak memory (MiB), match. Errors show their message in the status.
    """
    s = summary(df)
    lines = [f"# {title}", ""] if title else []
    a = df.attrs
    if a:
        tl = a.get("time_limit")
        lines += [
            f"Time limit {'none' if tl is None else f'{tl:g} s'} per run, threads "
            f"{a.get('threads') or 'solver default'}, repeats {a.get('repeats', 1)} "
            "(times are medians over repeats).",
            "",
        ]
    cols = ["instance", "model", "backend", "n", "m", "published", "objective", "bound"]
    cols += ["status", "gap %", "build s", "solve s", "peak MiB", "match"]
    lines += ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, r in s.iterrows():
        star = "" if r["optimum"] is None or pd.isna(r["optimum"]) or r["proven_optimum"] else "*"
        status = r["status"] if not r["error"] else f"{r['status']}: {r['error']}"
        gap = "—" if pd.isna(r["gap"]) else f"{100 * float(r['gap']):.3g}"
        cells = [
            r["instance"],
            r["model"],
            r["backend"],
            _num(r["n"]),
            _num(r["m"]),
            _num(r["optimum"], 3) + star,
            _num(r["objective"]),
            _num(r["bound"]),
            status,
            gap,
            f"{r['build_s']:.2f}" if pd.notna(r["build_s"]) else "—",
            f"{r['solve_s']:.2f}" if pd.notna(r["solve_s"]) else "—",
            f"{r['peak_mem_mb']:.0f}" if pd.notna(r["peak_mem_mb"]) else "—",
            _match(r),
        ]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    lines.append("")
    for b in dict.fromkeys(s["backend"]):
        mine = s[s["backend"] == b]
        with_opt = int(mine["optimum"].notna().sum())
        matched = int(mine["matches"].fillna(False).astype(bool).sum())
        lines.append(
            f"**{b}**: {len(mine)} cases, {int((mine['status'] == 'optimal').sum())} proven "
            f"optimal, {matched} of {with_opt} match the published value, "
            f"{int((mine['status'] == 'error').sum())} errors, "
            f"{int((mine['status'] == 'over_limit').sum())} beyond its size limit, "
            f"{int((mine['status'] == 'not_integral').sum())} not integral (integer-only "
            "solver); build "
            f"{mine['build_s'].sum():.1f} s, solve {mine['solve_s'].sum():.1f} s."
        )
        lines.append("")
    for b in dict.fromkeys(s["backend"]):
        lines.append(f"`{describe(b)}`  ")
    return "\n".join(lines) + "\n"


def profile_ratios(df: pd.DataFrame, measure: str = "solve_s") -> pd.DataFrame:
    """Performance ratios :math:`r_{c,s}` (cases × backends; ``inf`` = failed).

    A case is an (instance, model) pair; a run fails when its status is not
    ``"optimal"`` or its objective disagrees with the published optimum.
    """
    runs = df.copy()
    failed = (runs["status"] != "optimal") | (runs["matches"].fillna(True) == False)  # noqa: E712
    runs["t"] = np.where(failed, np.inf, np.maximum(runs[measure].astype(float), TIME_FLOOR))
    # a failure in any repeat counts as a failure of the case
    t = runs.groupby(["instance", "model", "backend"], sort=False)["t"].median().unstack("backend")
    best = t.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = t.div(best, axis=0)
    ratios.loc[~np.isfinite(best.to_numpy()), :] = np.inf  # every backend failed
    return ratios


def performance_profile(
    df: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    measure: str = "solve_s",
    title: str | None = None,
):
    """Plot the Dolan–Moré performance profile of ``measure`` per backend.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`erlocate.bench.run`.
    path : path-like, optional
        Write the figure as PNG here (matplotlib Agg).
    measure : str
        Time column: ``"solve_s"`` (default), ``"total_s"`` (build + solve).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure  # no pyplot state: PNG through Agg

    ratios = profile_ratios(df, measure)
    finite = ratios.to_numpy()[np.isfinite(ratios.to_numpy())]
    top = max(2.0, float(finite.max()) * 1.5) if finite.size else 2.0
    fig = Figure(figsize=(6.4, 4.0), dpi=100)
    ax = fig.subplots()
    n = len(ratios)
    for backend in ratios.columns:
        r = np.sort(ratios[backend].to_numpy())
        xs = np.concatenate([[1.0], r[np.isfinite(r)], [top]])
        ys = np.concatenate([[0.0], np.arange(1, np.isfinite(r).sum() + 1) / n, [0.0]])
        ys[-1] = ys[-2] if len(ys) > 1 else 0.0
        ax.step(xs, ys, where="post", label=backend, linewidth=1.8)
    ax.set_xscale("log", base=2)
    ax.set_xlim(1.0, top)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel(f"τ: within this factor of the fastest backend ({measure}, failures = ∞)")
    ax.set_ylabel("share of cases")
    ax.set_title(title or f"Performance profile over {n} cases")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    return fig
