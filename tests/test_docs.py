"""The documentation site builds with ``--strict``: a broken link, nav entry or API page fails.

The example notebooks are executed as the site is built (mkdocs-jupyter), so
the site shows an executed run; the API pages come from the docstrings
(mkdocstrings, numpy style).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_site_builds_strictly(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    api = (tmp_path / "api" / "models" / "index.html").read_text()
    assert "ReVelle" in api and "PMedian" in api  # docstrings rendered, references included
    notebook = (tmp_path / "examples" / "district_plan" / "index.html").read_text()
    assert "optimal" in notebook  # executed: the outputs are on the page


def test_every_doc_page_is_in_the_nav():
    import yaml

    config = (ROOT / "mkdocs.yml").read_text()
    # !ENV tags are for mkdocs; a plain loader only needs to read the nav
    nav = yaml.load(config.replace("!ENV", ""), Loader=yaml.SafeLoader)["nav"]

    def pages(entry):
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, dict):
            for value in entry.values():
                yield from pages(value)
        else:
            for item in entry:
                yield from pages(item)

    listed = set(pages(nav))
    on_disk = {
        str(p.relative_to(ROOT / "docs"))
        for p in (ROOT / "docs").rglob("*.md")
        if "examples" not in p.parts
    }
    assert on_disk - listed == set()
