"""erlocate.progress: log records always, a tqdm bar on request; the travel-time loop reports."""

from __future__ import annotations

import logging
import sys

import pytest

from erlocate.progress import Progress, track


def test_records_count_time_and_time_left(caplog, monkeypatch):
    clock = iter([0.0, 2.0, 2.0, 5.0, 5.0, 8.0])  # start, (update, its line) x 2, close
    monkeypatch.setattr("erlocate.progress.time.perf_counter", lambda: next(clock))
    with caplog.at_level(logging.DEBUG, logger="erlocate.progress"):
        with Progress(4, "sweep", unit="scenario", interval=1.0) as p:
            p.update()  # at 2 s: 1 of 4, 2 s each, 6 s left
            p.update(3)  # at 5 s: done
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert messages == [
        ("INFO", "sweep: 1/4 scenarios (25%), 2.0 s, about 6 s left"),
        ("INFO", "sweep: 4/4 scenarios (100%), 5.0 s, about 0 s left"),
        ("DEBUG", "sweep: 4 scenarios in 8.00 s"),
    ]


def test_records_wait_for_the_interval(caplog):
    with caplog.at_level(logging.INFO, logger="erlocate.progress"):
        with Progress(None, "steps", interval=3600) as p:
            for _ in range(100):
                p.update()
        assert p.done == 100 and p.line().startswith("steps: 100 steps, ")
    assert caplog.records == []


def test_track_counts_what_it_yields():
    out = []
    for x in track(["a", "b", "c"], "letters", interval=3600):
        out.append(x)
    assert out == ["a", "b", "c"]
    gen = track(iter(range(5)), "numbers")  # no len: total unknown
    seen = list(gen)
    assert seen == [0, 1, 2, 3, 4]


def test_a_bar_when_asked_and_tqdm_is_there():
    pytest.importorskip("tqdm")
    with Progress(3, "bar", bar=True) as p:
        assert p.bar is not None
        p.update(2, note="optimal")
        assert p.bar.n == 2
    assert p.bar is None  # closed
    assert Progress(3, "no bar").bar is None


def test_without_tqdm_the_log_says_so(caplog, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with caplog.at_level(logging.INFO, logger="erlocate.progress"):
        p = Progress(3, "sweep", bar=True)
    assert p.bar is None
    assert caplog.messages == ["sweep: tqdm is not installed, progress goes to the log only"]


def test_network_travel_times_report_their_dijkstra_runs(caplog):
    from erlocate.datasets import load_district
    from erlocate.district.inputs import road_network

    d = load_district()
    net = road_network(d)
    with caplog.at_level(logging.DEBUG, logger="erlocate.geo.paths"):
        cost = net.travel_times(d.communities.iloc[:7], d.fire_stations.iloc[:3])
    assert cost.shape == (7, 3)
    done = [m for m in caplog.messages if m.startswith("travel times: ")]
    # one Dijkstra per distinct snapped node of the side with fewer: at most the 3 sites
    assert len(done) == 1 and done[0].split()[2] in {"1", "2", "3"}
    assert done[0].split()[3:5] == ["source", "nodes"]
