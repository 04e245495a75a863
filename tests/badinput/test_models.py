"""Battery: model parameters (``params``), solve options (``solve``), corrupted plans and
results (``verify``) and models reading beyond an instance's cut-off (``cutoff``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

import erlocate
from erlocate import CFLP, LSCP, MCLP, UFLP, BackupCoverage, PCenter, PMedian
from erlocate.errors import BackendError, FrozenError, InputError, VerificationError
from erlocate.plan import Plan
from tests.badinput.battery import Case, check, params
from tests.conftest import line_instance

# ------------------------------------------------------------------ params
BAD_P = {"str": "3", "zero": 0, "negative": -3, "fraction": 2.5, "bool": True, "none": None}
BAD_COST = {"str": "5", "nan": float("nan"), "negative": -1.0, "inf": float("inf"), "complex": 2j}
FLAG = {"str": "yes", "int": 1, "none": None}

PARAMS: list[Case] = []
for label, p in BAD_P.items():
    for model in (PMedian, PCenter, MCLP, BackupCoverage):
        extra = {} if model in (PMedian, PCenter) else {"max_cost": 3.0}
        PARAMS.append(
            Case(
                "params",
                f"{model.__name__}-p-{label}",
                lambda m=model, p=p, e=extra: m(p=p, **e),
                InputError,
                "p",
            )
        )
for label, c in BAD_COST.items():
    for model, kw in (
        (PMedian, {"p": 2}),
        (PCenter, {"p": 2}),
        (MCLP, {"p": 2}),
        (BackupCoverage, {"p": 2}),
        (LSCP, {}),
        (UFLP, {}),
        (CFLP, {}),
    ):
        PARAMS.append(
            Case(
                "params",
                f"{model.__name__}-max_cost-{label}",
                lambda m=model, k=kw, c=c: m(max_cost=c, **k),
                InputError,
                "max_cost",
            )
        )
PARAMS += [
    Case("params", "MCLP-max_cost-none", lambda: MCLP(2, None), InputError, "max_cost"),
    Case("params", "LSCP-max_cost-none", lambda: LSCP(None), InputError, "max_cost"),
    Case("params", "theta-str", lambda: BackupCoverage(2, 3.0, theta="0.7"), InputError, "theta"),
    Case("params", "theta-above-1", lambda: BackupCoverage(2, 3.0, theta=1.5), InputError, "theta"),
    Case(
        "params", "theta-negative", lambda: BackupCoverage(2, 3.0, theta=-0.1), InputError, "theta"
    ),
    Case(
        "params",
        "theta-nan",
        lambda: BackupCoverage(2, 3.0, theta=float("nan")),
        InputError,
        "theta",
    ),
    Case(
        "params",
        "formulation-unknown",
        lambda: PMedian(2, formulation="sparse"),
        InputError,
        "formulation",
    ),
    Case(
        "params",
        "formulation-none",
        lambda: PMedian(2, formulation=None),
        InputError,
        "formulation",
    ),
    Case(
        "params",
        "formulation-radius-capacitated",
        lambda: PMedian(2, formulation="radius", capacitated=True),
        InputError,
        "formulation",
    ),
    Case(
        "params",
        "formulation-benders-single-source",
        lambda: PMedian(2, formulation="benders", single_source=True),
        InputError,
        "formulation",
    ),
    Case("params", "method-unknown", lambda: MCLP(2, 3.0, method="greedy"), InputError, "method"),
    Case("params", "method-upper", lambda: MCLP(2, 3.0, method="MILP"), InputError, "method"),
    Case(
        "params",
        "replace-unknown-parameter",
        lambda: MCLP(2, 3.0).replace(radius=4),
        InputError,
        "radius",
    ),
    Case("params", "replace-bad-value", lambda: MCLP(2, 3.0).replace(p="4"), InputError, "p"),
]
for label, v in FLAG.items():
    PARAMS += [
        Case(
            "params",
            f"capacitated-{label}",
            lambda v=v: PMedian(2, capacitated=v),
            InputError,
            "capacitated",
        ),
        Case(
            "params",
            f"single_source-{label}",
            lambda v=v: CFLP(single_source=v),
            InputError,
            "single_source",
        ),
        Case("params", f"reduce-{label}", lambda v=v: LSCP(3.0, reduce=v), InputError, "reduce"),
        Case(
            "params",
            f"weighted-{label}",
            lambda v=v: PCenter(2, weighted=v),
            InputError,
            "weighted",
        ),
    ]


def assign(model, name, value):
    setattr(model, name, value)


PARAMS += [
    Case("params", "frozen-p", lambda: assign(PMedian(2), "p", 3), FrozenError, "p"),
    Case(
        "params",
        "frozen-standard",
        lambda: assign(MCLP(2, 3.0), "max_cost", 9.0),
        FrozenError,
        "max_cost",
    ),
    Case(
        "params",
        "frozen-new-attribute",
        lambda: assign(LSCP(3.0), "speed", 1),
        FrozenError,
        "speed",
    ),
    Case(
        "params",
        "frozen-delete",
        lambda: delattr(BackupCoverage(2, 3.0), "theta"),
        FrozenError,
        "theta",
    ),
]

# ------------------------------------------------------------------ solve
INST = line_instance(5)
OTHER = erlocate.solve(PMedian(2), line_instance(6))


def solve(**kw):
    model = kw.pop("model", PMedian(2))
    inst = kw.pop("instance", INST)
    return lambda: erlocate.solve(model, inst, **kw)


SOLVE = [
    Case("solve", "backend-none", solve(backend=None), InputError, "backend"),
    Case("solve", "backend-int", solve(backend=3), InputError, "backend"),
    Case("solve", "backend-unknown", solve(backend="gurobi-typo"), BackendError, "backend"),
    Case("solve", "time_limit-str", solve(time_limit="5"), InputError, "time_limit"),
    Case("solve", "time_limit-negative", solve(time_limit=-1), InputError, "time_limit"),
    Case("solve", "time_limit-nan", solve(time_limit=float("nan")), InputError, "time_limit"),
    Case("solve", "time_limit-inf", solve(time_limit=float("inf")), InputError, "time_limit"),
    Case("solve", "time_limit-bool", solve(time_limit=True), InputError, "time_limit"),
    Case("solve", "mip_gap-str", solve(mip_gap="0.01"), InputError, "mip_gap"),
    Case("solve", "mip_gap-negative", solve(mip_gap=-0.1), InputError, "mip_gap"),
    Case("solve", "mip_gap-above-1", solve(mip_gap=5.0), InputError, "mip_gap"),
    Case("solve", "threads-zero", solve(threads=0), InputError, "threads"),
    Case("solve", "threads-huge", solve(threads=100_000), InputError, "threads"),
    Case("solve", "threads-fraction", solve(threads=2.5), InputError, "threads"),
    Case("solve", "threads-str", solve(threads="2"), InputError, "threads"),
    Case("solve", "seed-str", solve(seed="abc"), InputError, "seed"),
    Case("solve", "seed-negative", solve(seed=-1), InputError, "seed"),
    Case("solve", "seed-huge", solve(seed=2**40), InputError, "seed"),
    Case("solve", "seed-fraction", solve(seed=1.5), InputError, "seed"),
    Case("solve", "verbose-str", solve(verbose="yes"), InputError, "verbose"),
    Case("solve", "verify-int", solve(verify=1), InputError, "verify"),
    Case(
        "solve",
        "raise_on_failure-none",
        solve(raise_on_failure=None),
        InputError,
        "raise_on_failure",
    ),
    Case("solve", "warm_start-list", solve(warm_start=[1, 0, 1, 0, 0]), InputError, "warm_start"),
    Case("solve", "warm_start-array", solve(warm_start=np.ones(5)), InputError, "warm_start"),
    Case("solve", "warm_start-other-instance", solve(warm_start=OTHER), InputError, "warm_start"),
    Case(
        "solve",
        "warm_start-plan-wrong-shape",
        solve(warm_start=OTHER.plan),
        InputError,
        "warm_start",
    ),
    Case(
        "solve",
        "warm_start-plan-out-of-range",
        solve(
            warm_start=Plan(
                np.array([1, 0, 1, 0, 0], bool), np.array([0, 9]), np.array([0, 2]), np.ones(2)
            )
        ),
        InputError,
        "warm_start",
    ),
    Case("solve", "warm_start-unknown-name", solve(warm_start="greedy"), InputError, "warm_start"),
    Case(
        "solve",
        "warm_start-heuristic-pcenter",
        solve(model=PCenter(2), warm_start="heuristic"),
        InputError,
        "warm_start",
    ),
    Case("solve", "model-not-a-model", solve(model="PMedian"), InputError, "model"),
    Case("solve", "model-class-not-instance", solve(model=PMedian), InputError, "model"),
    Case("solve", "instance-array", solve(instance=np.ones((3, 3))), InputError, "instance"),
    Case("solve", "p-above-sites", solve(model=PMedian(6)), InputError, "p"),
    Case(
        "solve",
        "required-above-p",
        solve(model=PMedian(1), instance=line_instance(5, required=[0, 4])),
        InputError,
        "required",
    ),
]

# ------------------------------------------------------------------ verify
BASE = erlocate.solve(PMedian(2), INST)


def corrupt(**changes):
    plan = dataclasses.replace(
        BASE.plan,
        **{k: v for k, v in changes.items() if k in ("open", "demand_idx", "site_idx", "share")},
    )
    rest = {
        k: v for k, v in changes.items() if k not in ("open", "demand_idx", "site_idx", "share")
    }
    return lambda: dataclasses.replace(BASE, plan=plan, **rest).verify()


OPEN = BASE.plan.open
VERIFY = [
    Case(
        "verify",
        "open-fractional",
        corrupt(open=np.where(OPEN, 0.6, 0.0)),
        VerificationError,
        "open flags",
    ),
    Case(
        "verify",
        "open-wrong-length",
        corrupt(open=np.ones(7, bool)),
        VerificationError,
        "open flags",
    ),
    Case(
        "verify", "open-strings", corrupt(open=np.array(["1"] * 5)), VerificationError, "open flags"
    ),
    Case(
        "verify",
        "demand_idx-out-of-range",
        corrupt(demand_idx=BASE.plan.demand_idx + 10),
        VerificationError,
        "demand_idx",
    ),
    Case(
        "verify",
        "site_idx-negative",
        corrupt(site_idx=BASE.plan.site_idx - 10),
        VerificationError,
        "site_idx",
    ),
    Case(
        "verify",
        "site_idx-float",
        corrupt(site_idx=BASE.plan.site_idx.astype(float)),
        VerificationError,
        "site_idx",
    ),
    Case(
        "verify",
        "share-nan",
        corrupt(share=np.full(BASE.plan.share.size, np.nan)),
        VerificationError,
        "shares",
    ),
    Case(
        "verify",
        "arrays-mismatch",
        corrupt(share=np.ones(2)),
        VerificationError,
        "allocation arrays",
    ),
    Case(
        "verify",
        "optimal-with-30pct-gap",
        corrupt(bound=BASE.objective * 0.7, gap=0.3),
        VerificationError,
        "gap",
    ),
    Case("verify", "optimal-gap-field-only", corrupt(gap=0.3), VerificationError, "gap"),
    Case("verify", "optimal-without-bound", corrupt(bound=None), VerificationError, "bound"),
    Case(
        "verify",
        "objective-wrong",
        corrupt(objective=BASE.objective - 1, bound=BASE.objective - 1),
        VerificationError,
        "objective",
    ),
    Case(
        "verify",
        "bound-wrong-side",
        corrupt(status="feasible", bound=BASE.objective + 5),
        VerificationError,
        "bound",
    ),
    Case(
        "verify", "closed-site-serves", corrupt(open=np.zeros(5, bool)), VerificationError, "closed"
    ),
    Case(
        "verify", "share-above-one", corrupt(share=BASE.plan.share * 2), VerificationError, "shares"
    ),
]

# ------------------------------------------------------------------ cutoff
rng = np.random.default_rng(0)
FULL = np.round(rng.random((30, 8)) * 10, 2)
CUT = erlocate.Instance.from_matrix(
    sp.csr_array(np.where(FULL <= 3, FULL, 0)), cutoff=3.0, unit="min"
)


def on_cut(model):
    return lambda: erlocate.solve(model, CUT)


CUTOFF = [
    Case("cutoff", "MCLP-standard-above", on_cut(MCLP(2, 4.0)), InputError, "max_cost"),
    Case("cutoff", "LSCP-standard-above", on_cut(LSCP(3.5)), InputError, "max_cost"),
    Case("cutoff", "Backup-standard-above", on_cut(BackupCoverage(2, 5.0)), InputError, "max_cost"),
    Case("cutoff", "PMedian-no-cutoff", on_cut(PMedian(3)), InputError, "max_cost"),
    Case(
        "cutoff", "PMedian-cutoff-above", on_cut(PMedian(3, max_cost=6.0)), InputError, "max_cost"
    ),
    Case(
        "cutoff",
        "PMedian-benders",
        on_cut(PMedian(3, formulation="benders")),
        InputError,
        "max_cost",
    ),
    Case("cutoff", "PCenter-no-cutoff", on_cut(PCenter(3)), InputError, "max_cost"),
    Case("cutoff", "UFLP-no-cutoff", on_cut(UFLP()), InputError, "max_cost"),
    Case("cutoff", "CFLP-no-cutoff", on_cut(CFLP()), InputError, "max_cost"),
    Case(
        "cutoff",
        "verify-result-moved-to-cut-instance",
        lambda: dataclasses.replace(
            erlocate.solve(MCLP(2, 4.0), erlocate.Instance.from_matrix(FULL)),
            instance=erlocate.Instance.from_matrix(
                sp.csr_array(np.where(FULL <= 3, FULL, 0)), cutoff=3.0
            ),
        ).verify(),
        VerificationError,
        "max_cost",
    ),
]


@pytest.mark.parametrize("case", params(PARAMS + SOLVE + VERIFY + CUTOFF))
def test_bad_model_input(case):
    check(case)


def test_cutoff_message_names_both_numbers_and_the_fix():
    with pytest.raises(InputError) as info:
        erlocate.solve(MCLP(2, 4.0), CUT)
    msg = str(info.value)
    assert "4 min" in msg and "3 min" in msg and "max_cost >= 4" in msg


def test_verification_error_names_every_id():
    inst = erlocate.Instance.from_matrix(np.abs(np.arange(30.0)[:, None] - np.arange(30.0)[None]))
    good = erlocate.solve(PMedian(2), inst)
    far = good.plan.open.copy()
    plan = Plan.nearest(inst, far)
    # send every point to the farthest open site: 12+ points break the nearest condition
    j = np.where(
        plan.site_idx == np.flatnonzero(far)[0], np.flatnonzero(far)[1], np.flatnonzero(far)[0]
    )
    bad = dataclasses.replace(good, plan=dataclasses.replace(plan, site_idx=j))
    with pytest.raises(VerificationError) as info:
        bad.verify()
    text = str(info.value)
    assert all(f"{i}" in text for i in range(30))
    assert "farther site" in text and "[0, 1, 2, 3, 4, 5, 6" in text


def test_models_are_copies_after_replace():
    m = MCLP(2, 3.0)
    m2 = m.replace(p=4)
    assert (m.p, m2.p, m2.max_cost) == (2, 4, 3.0)
    with pytest.raises(FrozenError, match=r"model\.replace\(p=\.\.\.\)"):
        m.p = 5
