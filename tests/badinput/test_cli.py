"""Battery, family ``cli``: every bad command line ends with one line
``<prog>: error: <message naming the option>`` on stderr and exit status 2 —
argparse's convention — never a traceback, and before any solving starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from erlocate.cli import main

UNWRITABLE = "/proc/erlocate-cannot-write-here"

CASES = {
    "demo-out-unwritable": (["demo", "--out", UNWRITABLE], "--out"),
    "classical-out-unwritable": (["classical", "--out", UNWRITABLE], "--out"),
    "bench-out-unwritable": (["bench", "--suite", "random", "--out", UNWRITABLE], "--out"),
    "demo-time-limit-nan": (["demo", "--time-limit", "nan"], "--time-limit"),
    "demo-time-limit-negative": (["demo", "--time-limit", "-5"], "--time-limit"),
    "demo-time-limit-text": (["demo", "--time-limit", "five"], "--time-limit"),
    "demo-backend-unknown": (["demo", "--backend", "nosuch"], "--backend"),
    "demo-resolution-text": (["demo", "--resolution", "grid:x"], "--resolution"),
    "demo-resolution-zero": (["demo", "--resolution", "grid:0"], "cell_m"),
    "demo-resolution-unknown": (["demo", "--resolution", "hexagons"], "--resolution"),
    "demo-resolution-points": (["demo", "--resolution", "points:0"], "per_community"),
    "classical-time-limit-inf": (["classical", "--time-limit", "inf"], "--time-limit"),
    "classical-demand-zero": (["classical", "--demand", "0"], "--demand"),
    "classical-demand-negative": (["classical", "--demand", "-5"], "--demand"),
    "classical-demand-fraction": (["classical", "--demand", "2.5"], "--demand"),
    "classical-sites-zero": (["classical", "--sites", "0"], "--sites"),
    "classical-sites-text": (["classical", "--sites", "many"], "--sites"),
    "classical-seed-negative": (["classical", "--seed", "-1"], "--seed"),
    "classical-seed-text": (["classical", "--seed", "x"], "--seed"),
    "classical-too-few-sites": (["classical", "--demand", "20", "--sites", "3"], "p"),
    "bench-suite-unknown": (["bench", "--suite", "nosuch", "--quiet"], "suite"),
    "bench-suite-missing": (["bench"], "--suite"),
    "bench-repeats-zero": (["bench", "--suite", "random", "--repeats", "0"], "--repeats"),
    "bench-threads-zero": (["bench", "--suite", "random", "--threads", "0"], "--threads"),
    "bench-time-limit-zero": (["bench", "--suite", "random", "--time-limit", "0"], "--time-limit"),
    "bench-instances-unknown": (
        ["bench", "--suite", "orlib-pmed", "--instances", "pmed999", "--quiet"],
        "pmed999",
    ),
    "bench-range-backwards": (
        ["bench", "--suite", "orlib-pmed", "--range", "5-1", "--quiet"],
        "range",
    ),
    "bench-range-text": (["bench", "--suite", "orlib-pmed", "--range", "a-b", "--quiet"], "range"),
    "bench-instances-and-range": (
        ["bench", "--suite", "random", "--instances", "a", "--range", "1-2"],
        "--range",
    ),
    "bench-backend-unknown": (
        ["bench", "--suite", "random", "--backend", "nosuch", "--quiet"],
        "backend",
    ),
    "bench-formulation-unknown": (
        ["bench", "--suite", "random", "--formulation", "x"],
        "--formulation",
    ),
    "command-unknown": (["plan"], "plan"),
    "command-missing": ([], "command"),
}


def run(argv: list[str]) -> tuple[int, str]:
    """main(argv): its exit status and stderr (argparse exits by SystemExit)."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code
    return int(code or 0), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "field"), [pytest.param(*v, id=f"cli-{k}") for k, v in CASES.items()]
)
def test_bad_command_line(argv, field):
    code, err = run(argv)
    assert code == 2, (code, err)
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert ": error: " in last and last.startswith("erlocate"), err
    assert field in last, last


def test_the_installed_command_prints_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "erlocate.cli", "demo", "--out", UNWRITABLE],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("erlocate: error: --out: cannot write to")
