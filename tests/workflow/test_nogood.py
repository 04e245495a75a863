"""No-good rows exclude exactly the patterns found; fixed columns stay out of them."""

from __future__ import annotations

from itertools import product

import numpy as np

import erlocate
from erlocate.workflow.nogood import add_nogood_rows


def test_nogood_rows_exclude_exactly_the_patterns():
    b = erlocate.MilpBuilder("toy")
    b.add_cols("open", 4, lb=[1, 0, 0, 0], ub=[1, 1, 1, 0], integer=True)  # 0 fixed open, 3 shut
    b.add_cols("other", 1)
    milp = b.build()
    found = np.array([[1, 1, 0, 0], [1, 0, 1, 0]], bool)
    cut = add_nogood_rows(milp, found)
    assert cut.row_blocks["nogood"] == slice(0, 2) and cut.n_cols == 5
    assert cut.A.nnz == 4  # only the two free columns (1 and 2) in each row
    kept = []
    for bits in product([0, 1], repeat=2):
        x = np.array([1, *bits, 0, 0.0])
        if (cut.A @ x >= cut.row_lb - 1e-9).all():
            kept.append(bits)
    assert kept == [(0, 0), (1, 1)]  # (1, 0) and (0, 1) are the patterns cut off
    again = add_nogood_rows(cut, np.array([[1, 0, 0, 0]], bool))
    assert again.row_blocks["nogood"] == slice(0, 3)
