"""Battery, family ``readers``: malformed benchmark files give InputError naming the file
(``field="file"``), the line where it can be known, and the fix; declared sizes are checked
against the content and a memory budget before anything is allocated."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from erlocate.errors import InputError
from erlocate.io.cpmp import read_cpmp
from erlocate.io.orlib import read_cap, read_pmed, read_scp
from erlocate.io.tsplib import read_tsplib
from tests.badinput.battery import Case, check, params

FOLDER = Path(tempfile.mkdtemp(prefix="erlocate-readers-"))


def file(name: str, content: str | bytes) -> Path:
    path = FOLDER / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def big_cpmp() -> Path:
    n = 40_000  # 0.6 MB of text, a 40,000 × 40,000 matrix (47.7 GiB with its pairs)
    return file("big.cpmp", f"{n} 5\n" + "1 2 1 1\n" * n)


TSP = (
    "NAME: t\nTYPE: TSP\nDIMENSION: {n}\nEDGE_WEIGHT_TYPE: {kind}\nNODE_COORD_SECTION\n{body}EOF\n"
)


def tsp(name: str, body: str, n: int = 2, kind: str = "EUC_2D") -> Path:
    return file(name, TSP.format(n=n, kind=kind, body=body))


CASES = [
    Case(
        "readers",
        "pmed-18-bytes-asks-for-tib",
        lambda: read_pmed(file("a", "1000000 1 5\n1 2 3\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-edges-beyond-content",
        lambda: read_pmed(file("b", "1000 1000000 5\n1 2 3\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-non-utf8",
        lambda: read_pmed(file("c", b"\xff\xfe 5 5\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-bad-token",
        lambda: read_pmed(file("d", "4 3 2\n1 2 x\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-fractional-vertex",
        lambda: read_pmed(file("e", "4 3 2\n1.5 2 3\n2 3 1\n3 4 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-vertex-out-of-range",
        lambda: read_pmed(file("f", "4 3 2\n1 9 3\n2 3 1\n3 4 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-vertex-zero",
        lambda: read_pmed(file("g", "4 3 2\n0 2 3\n2 3 1\n3 4 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-negative-cost",
        lambda: read_pmed(file("h", "4 3 2\n1 2 -3\n2 3 1\n3 4 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-nan-cost",
        lambda: read_pmed(file("i", "4 3 2\n1 2 nan\n2 3 1\n3 4 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-truncated",
        lambda: read_pmed(file("j", "4 3 2\n1 2 3\n")),
        InputError,
        "file",
    ),
    Case("readers", "pmed-empty", lambda: read_pmed(file("k", "")), InputError, "file"),
    Case(
        "readers", "pmed-missing-file", lambda: read_pmed(FOLDER / "nope.txt"), InputError, "file"
    ),
    Case(
        "readers",
        "pmed-p-above-n",
        lambda: read_pmed(file("l", "4 3 9\n1 2 3\n2 3 1\n3 4 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-fractional-p",
        lambda: read_pmed(file("m", "4 3 1.5\n1 2 3\n2 3 1\n3 4 1\n")),
        InputError,
        "file",
    ),
    Case("readers", "pmed-directory", lambda: read_pmed(FOLDER), InputError, "file"),
    Case(
        "readers",
        "scp-columns-beyond-content",
        lambda: read_scp(file("s1", "100000 100000\n1 2 3\n")),
        InputError,
        "file",
    ),
    Case(
        "readers", "scp-bad-token", lambda: read_scp(file("s2", "2 3\n1 1 x\n")), InputError, "file"
    ),
    Case(
        "readers",
        "scp-non-utf8",
        lambda: read_scp(file("s3", b"2 3\n\x80\x81\n")),
        InputError,
        "file",
    ),
    Case("readers", "scp-empty", lambda: read_scp(file("s4", "")), InputError, "file"),
    Case(
        "readers",
        "cap-blocks-beyond-content",
        lambda: read_cap(file("c1", "100000 100000\n")),
        InputError,
        "file",
    ),
    Case(
        "readers", "cap-bad-token", lambda: read_cap(file("c2", "2 2\nx 5\n")), InputError, "file"
    ),
    Case("readers", "cap-empty", lambda: read_cap(file("c3", "")), InputError, "file"),
    Case(
        "readers", "cpmp-0.6-mb-asks-for-47-gib", lambda: read_cpmp(big_cpmp()), InputError, "file"
    ),
    Case(
        "readers",
        "cpmp-p-zero",
        lambda: read_cpmp(file("p1", "2 0\n1 1 5 1\n2 2 5 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "cpmp-p-above-n",
        lambda: read_cpmp(file("p2", "2 3\n1 1 5 1\n2 2 5 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "cpmp-truncated",
        lambda: read_cpmp(file("p3", "3 1\n1 1 5 1\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "cpmp-negative-demand",
        lambda: read_cpmp(file("p4", "2 1\n1 1 5 -1\n2 2 5 1\n")),
        InputError,
        "file",
    ),
    Case("readers", "cpmp-empty", lambda: read_cpmp(file("p5", "")), InputError, "file"),
    Case(
        "readers",
        "tsp-dimension-beyond-content",
        lambda: tsp_read("t1", "1 0 0\n", n=100_000_000),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "tsp-bad-coordinate",
        lambda: tsp_read("t2", "1 0 a\n2 1 1\n"),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "tsp-fractional-id",
        lambda: tsp_read("t3", "1.5 0 0\n2 1 1\n"),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "tsp-non-utf8",
        lambda: read_tsplib(file("t4", b"NAME: \xff\n")),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "tsp-geo-weights",
        lambda: tsp_read("t5", "1 0 0\n2 1 1\n", kind="GEO"),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "tsp-nan-coordinate",
        lambda: tsp_read("t6", "1 0 nan\n2 1 1\n"),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "tsp-over-budget",
        lambda: read_tsplib(tsp("t7", "1 0 0\n2 1 1\n"), max_bytes=10),
        InputError,
        "file",
    ),
    Case(
        "readers",
        "pmed-over-budget",
        lambda: read_pmed(file("n", "4 3 2\n1 2 3\n2 3 1\n3 4 1\n"), max_bytes=10),
        InputError,
        "file",
    ),
]


def tsp_read(name: str, body: str, n: int = 2, kind: str = "EUC_2D"):
    return read_tsplib(tsp(name, body, n=n, kind=kind))


@pytest.mark.parametrize("case", params(CASES))
def test_bad_file(case):
    check(case)


def test_the_budget_names_the_size_and_the_fix():
    with pytest.raises(
        InputError, match=r"1,000,000 × 1,000,000, which needs about 29,802\.3 GiB.*max_bytes"
    ):
        read_pmed(file("o", "1000000 1 5\n1 2 3\n"))
    # within the budget the same kind of file reads: 4 vertices on a path, p = 2
    case = read_pmed(file("q", "4 3 2\n1 2 3\n2 3 1\n3 4 1\n"), max_bytes=4 * 32 * 16)
    assert case.instance.n_demand == 4 and case.instance.cost_of(0, 3) == 5.0
