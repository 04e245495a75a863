"""``erlocate demo`` plans the embedded district and writes its report; ``classical`` still runs.

The demo takes about 5 s here (2 cores), so it runs in the default suite.
"""

from __future__ import annotations

import pandas as pd
import pytest

from erlocate.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out)]) == 0
    return out


def test_demo_writes_the_report(demo, capsys):
    assert (demo / "report.md").is_file()
    for name in ("fire_stations", "shelters", "depots", "teams"):
        assert (demo / "maps" / f"{name}.png").stat().st_size > 10_000
    for name in ("key_figures", "runs", "depots_categories", "teams_staffing", "shelter_area"):
        assert (demo / "tables" / f"{name}.csv").is_file()


def test_demo_key_figures(demo):
    f = pd.read_csv(demo / "tables" / "key_figures.csv", index_col="key")["value"]
    # fire stations: population within 5 min (1 turnout + 4 driving)
    assert float(f["fire.within_before"]) == 43_881  # the existing station alone
    assert float(f["fire.within_after"]) == 119_375  # 15 new stations, no avoidable blank spot
    assert float(f["fire.within_2_new"]) == 76_503  # the plan's 2 new stations
    # shelters: gross 257,700 / 140,000 = 1.84 before; 279,600 / 140,000 = 2.00 after
    assert float(f["shelters.gross_before"]) == 1.84
    assert float(f["shelters.gross_after"]) == 2.0
    assert float(f["shelters.usable_before"]) == 1.26
    assert float(f["shelters.usable_after"]) == 1.39
    assert f["shelters.new"] == "S10, S11"
    assert f["depots.opened"] == "D11, D14, D15, D18, D20"
    assert int(f["depots.short"]) == 0
    assert f["teams.zones_met"] == "121 of 121"
    runs = pd.read_csv(demo / "tables" / "runs.csv", index_col="section")
    assert (runs["status"] == "optimal").all() and runs["verified"].all()


def test_demo_report_text(demo):
    text = (demo / "report.md").read_text(encoding="utf-8")
    for figure in ("43,881", "119,375", "76,503", "| 1.84 |", "| 2.00 |", "121 of 121"):
        assert figure in text
    assert text.count("Plan **verified**") == 4
    assert "8 affected communities are cut off" in text  # depots: flooded roads closed
    assert "48 village/community squads have fewer than 10 members" in text  # teams
    staffing = text.split("Every zone's staffing vs its minimum (121 zones)")[1]
    assert staffing.count("\n| C") == 114  # every community's row


def test_demo_prints_a_summary(tmp_path, capsys):
    main(["demo", "--out", str(tmp_path / "again")])
    out = capsys.readouterr().out
    assert "43,881 (31.3 %) with the existing station -> 119,375 (85.3 %)" in out
    assert "gross m²/person 1.84 -> 2.00" in out
    assert out.count(", verified") == 4


def test_classical_still_runs(tmp_path, capsys):
    args = ["classical", "--demand", "60", "--sites", "12", "--out", str(tmp_path)]
    assert main(args) == 0
    table = pd.read_csv(tmp_path / "demo_results.csv")
    assert len(table) == 8  # every classical model, solved or reported infeasible
    assert set(table["status"]) <= {"optimal", "infeasible"}
    assert "PMedian" in capsys.readouterr().out
