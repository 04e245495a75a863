"""The exact multi-stage methods say what each stage did (logging records, INFO)."""

from __future__ import annotations

import logging

import erlocate
from erlocate.datasets import random_euclidean


def test_benders_logs_its_stages(caplog):
    inst = random_euclidean(300, 40, seed=2)
    with caplog.at_level(logging.INFO, logger="erlocate.decomposition"):
        r = erlocate.solve(erlocate.PMedian(5, formulation="benders"), inst)
    text = caplog.text
    assert r.status == "optimal"
    assert "Benders p-median 300 x 40, p=5: incumbent" in text
    assert "Benders LP stage: bound" in text


def test_mclp_fixing_logs_its_stages(caplog):
    inst = random_euclidean(300, 40, seed=2)
    with caplog.at_level(logging.INFO, logger="erlocate.decomposition"):
        r = erlocate.solve(erlocate.MCLP(4, 2000.0, method="fixing"), inst)
    assert r.status == "optimal"
    assert "MCLP fixing: heuristic incumbent" in caplog.text
    assert "LP rounds, bound" in caplog.text
