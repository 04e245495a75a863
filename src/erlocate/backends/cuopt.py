"""NVIDIA cuOpt backend (``"cuopt"``): the canonical MILP solved on a GPU.

``pip install 'erlocate[cuopt]'`` (``cuopt-cu12``, or ``cuopt-cu13`` for CUDA 13)
on Linux x86_64/aarch64 with an NVIDIA GPU of compute capability 7.0+.
Written against cuopt-cu12 26.10.0 (``cuopt.linear_programming``).

:func:`translate` gives the numpy arrays cuOpt takes and :func:`to_data_model`
hands them to one ``DataModel`` (``set_csr_constraint_matrix`` with the CSR
buffers, bounds with ±inf kept, ``"I"``/``"C"`` types, sense, offset): no
Python loop. One ``Solve`` call runs it; :func:`classify_args` maps cuOpt's
termination status to the facts :func:`~erlocate.backends.base.classify`
decides on, and :func:`settings_for` maps the options (``time_limit``,
``mip_relative_gap``, ``num_cpu_threads``, ``random_seed``, ``log_to_console``);
``warm_start`` goes to ``DataModel.set_initial_primal_solution`` (a MIP start,
or PDLP's initial point for an LP).
"""

from __future__ import annotations

import functools
import glob
import importlib.metadata
import json
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from erlocate.backends.base import Answer, SolveOptions, SolverOutput, Verdict, classify
from erlocate.backends.call import SolveCall, solve_with
from erlocate.backends.protocol import Capabilities, SolverBackend
from erlocate.deadline import Deadline
from erlocate.errors import BackendError
from erlocate.milp import Milp

__all__ = ["BACKEND", "NAME", "classify_args", "gpu_report", "settings_for", "solve", "translate"]

NAME = "cuopt"

#: Distributions that install the ``cuopt`` package (pip wheels, then conda's name).
DISTRIBUTIONS = ("cuopt-cu12", "cuopt-cu13", "cuopt")
MAX_RELATIVE_GAP = 0.1  # cuOpt's upper limit for mip_relative_gap
LP_TOLERANCE = 1e-8  # primal, dual and gap tolerances of an LP solve
MIN_TIME = 1e-3  # smallest time limit passed (0 means "no limit" to cuOpt's MIP solver)
FEASIBILITY_TOL = 1e-6  # a stopped run's vector counts if it violates the model by less
MIN_COMPUTE_CAPABILITY = (7, 0)
_INT32_MAX = 2_147_483_647

_PROVEN = frozenset({"Optimal"})
_INCUMBENT = frozenset({"FeasibleFound", "PrimalFeasible"})
_STOPPED = frozenset({"TimeLimit", "WorkLimit", "IterationLimit", "ConcurrentLimit"})
_FAILED = frozenset({"NumericalError", "NoTermination"})
_INFEASIBLE = frozenset({"Infeasible", "PrimalInfeasible"})
#: Statuses that leave "infeasible" and "unbounded" open.
AMBIGUOUS = frozenset({"UnboundedOrInfeasible", "DualInfeasible"})


@dataclass(frozen=True)
class CuoptArrays:
    """What :func:`to_data_model` hands to cuOpt, in cuOpt's dtypes."""

    values: np.ndarray  # float64, CSR values
    indices: np.ndarray  # int32, CSR column indices
    offsets: np.ndarray  # int32, CSR row offsets (n_rows + 1)
    row_lb: np.ndarray
    row_ub: np.ndarray
    c: np.ndarray
    offset: float
    col_lb: np.ndarray
    col_ub: np.ndarray
    var_types: np.ndarray  # "<U1": "I" integer, "C" continuous
    maximize: bool


def translate(milp: Milp) -> CuoptArrays:
    """The arrays describing ``milp`` to cuOpt (±inf kept); BackendError past 32-bit indices."""
    A = milp.A
    if not A.has_canonical_format:  # duplicates summed on a copy: the Milp stays as it is
        A = A.copy()
        A.sum_duplicates()
    if A.nnz > _INT32_MAX or milp.n_cols > _INT32_MAX:
        raise BackendError(f"cuopt: {milp.summary()} exceeds cuOpt's 32-bit indices")
    return CuoptArrays(
        values=_f64(A.data),
        indices=np.ascontiguousarray(A.indices, dtype=np.int32),
        offsets=np.ascontiguousarray(A.indptr, dtype=np.int32),
        row_lb=_f64(milp.row_lb),
        row_ub=_f64(milp.row_ub),
        c=_f64(milp.c),
        offset=float(milp.offset),
        col_lb=_f64(milp.col_lb),
        col_ub=_f64(milp.col_ub),
        var_types=np.where(np.asarray(milp.integrality, dtype=bool), "I", "C"),
        maximize=milp.sense == "max",
    )


def _f64(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def to_data_model(lp: Any, arrays: CuoptArrays, x0: np.ndarray | None = None) -> Any:
    """A ``lp.DataModel`` (``lp`` = ``cuopt.linear_programming``) holding ``arrays``."""
    dm = lp.DataModel()
    dm.set_csr_constraint_matrix(arrays.values, arrays.indices, arrays.offsets)
    dm.set_constraint_lower_bounds(arrays.row_lb)
    dm.set_constraint_upper_bounds(arrays.row_ub)
    dm.set_objective_coefficients(arrays.c)
    dm.set_objective_offset(arrays.offset)
    dm.set_variable_lower_bounds(arrays.col_lb)
    dm.set_variable_upper_bounds(arrays.col_ub)
    dm.set_variable_types(arrays.var_types)
    dm.set_maximize(arrays.maximize)
    if x0 is not None:
        dm.set_initial_primal_solution(_f64(x0))
    return dm


def settings_for(options: SolveOptions, is_mip: bool) -> dict[str, object]:
    """cuOpt solver parameters (``SolverSettings.set_parameter`` names) for ``options``."""
    params: dict[str, object] = {"log_to_console": bool(options.verbose)}
    if options.time_limit is not None:
        params["time_limit"] = max(float(options.time_limit), MIN_TIME)
    if is_mip:
        params["mip_relative_gap"] = min(max(options.gap, 0.0), MAX_RELATIVE_GAP)
        if options.threads is not None and int(options.threads) >= 1:
            params["num_cpu_threads"] = int(options.threads)
        if options.seed is not None:
            params["random_seed"] = int(options.seed) % _INT32_MAX
    else:  # LP tolerances (cuOpt's default 1e-4 is far from "optimal" here)
        for kind in ("absolute_primal", "relative_primal", "absolute_dual", "relative_dual",
                     "absolute_gap", "relative_gap"):  # fmt: skip
            params[f"{kind}_tolerance"] = LP_TOLERANCE
    return params


def classify_args(
    status: str,
    *,
    is_mip: bool,
    x: np.ndarray | None,
    objective: float | None,
    bound: float | None,
    x_checked: bool = False,
) -> Answer:
    """The :func:`~erlocate.backends.base.classify` arguments for a cuOpt answer.

    ``status``: a ``MILPTerminationStatus``/``LPTerminationStatus`` name; ``x``
    the vector (None if empty) and ``objective`` its value; ``bound`` the MIP
    ``solution_bound`` (non-finite: none); ``x_checked``: ``x`` satisfies the
    model. Optimal: complete (a MIP without a finite bound was solved by
    presolve: bound = objective). FeasibleFound, PrimalFeasible: an incumbent.
    TimeLimit, WorkLimit, IterationLimit, ConcurrentLimit: stopped, ``x`` kept
    if checked; NumericalError, NoTermination: so too, else BackendError.
    UnboundedOrInfeasible, DualInfeasible: infeasible unless :func:`solve`'s
    re-solve says unbounded. Returns ``classify``'s facts (not runtime, backend,
    sense, is_mip); BackendError for an unknown status.
    """
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", status).lower()
    out: Answer = dict(
        x=None, objective=None, bound=None, search_complete=False,
        infeasible=False, unbounded=False, termination=words,
    )  # fmt: skip
    if is_mip and bound is not None and np.isfinite(bound):
        out["bound"] = float(bound)
    if status in _INFEASIBLE:
        return {**out, "bound": None, "infeasible": True}
    if status == "Unbounded":
        return {**out, "bound": None, "unbounded": True}
    if status in AMBIGUOUS:
        return {**out, "bound": None, "infeasible": True,
                "termination": f"{words} (cuOpt could not tell which)"}  # fmt: skip
    if status in _PROVEN:
        if x is None:
            raise BackendError(f"cuopt: cuOpt said {words} but returned no solution")
        if is_mip and out["bound"] is None:  # presolve solved the whole model
            out["bound"] = objective
        return {**out, "x": x, "objective": objective, "search_complete": True}
    if status in _INCUMBENT and x is not None:
        return {**out, "x": x, "objective": objective}
    if status in _STOPPED | _INCUMBENT | _FAILED:
        if x is not None and x_checked:
            return {**out, "x": x, "objective": objective}
        if status in _STOPPED:
            return out
        raise BackendError(f"cuopt: cuOpt ended with {words} and no valid solution")
    raise BackendError(f"cuopt: unknown termination status {status!r} from cuOpt")


def _linear_programming() -> Any:
    try:
        from cuopt import linear_programming
    except Exception as exc:  # ImportError, CUDA or library load errors
        raise BackendError(f"cuopt: cannot import cuopt ({type(exc).__name__}: {exc})") from exc
    return linear_programming


def _solve_once(
    lp: Any, arrays: CuoptArrays, params: dict[str, object], x0: np.ndarray | None, is_mip: bool
) -> tuple[str, np.ndarray | None, float | None, float]:
    """One ``Solve`` call: status name, vector, MIP bound and seconds."""
    try:
        dm = to_data_model(lp, arrays, x0)
        settings = lp.SolverSettings()
        for name, value in params.items():
            settings.set_parameter(name, value)
        start = time.perf_counter()
        sol = lp.Solve(dm, settings)
        seconds = time.perf_counter() - start
    except Exception as exc:  # validation, out of memory, CUDA errors, unknown enums
        raise BackendError(f"cuopt: Solve failed: {type(exc).__name__}: {exc}") from exc
    error = sol.get_error_status()
    if getattr(error, "name", str(error)) != "Success":
        raise BackendError(f"cuopt: {getattr(error, 'name', error)}: {sol.get_error_message()}")
    status = sol.get_termination_status()
    raw = sol.get_primal_solution()
    x = None if raw is None or len(raw) == 0 else np.asarray(raw, dtype=np.float64).ravel()
    if x is not None and x.shape != arrays.c.shape:
        raise BackendError(f"cuopt: returned {x.size} values for {arrays.c.size} columns")
    bound = float(sol.get_milp_stats()["solution_bound"]) if is_mip else None
    return getattr(status, "name", str(status)), x, bound, seconds


def _checks_out(milp: Milp, x: np.ndarray | None) -> bool:
    if x is None or not np.all(np.isfinite(x)):
        return False
    finite = np.abs(np.concatenate([milp.row_lb, milp.row_ub]))
    scale = max(1.0, float(np.max(finite[np.isfinite(finite)], initial=0.0)))
    return milp.max_violation(x) <= FEASIBILITY_TOL * scale


def solve(milp: Milp, options: SolveOptions) -> SolverOutput:
    """Solve ``milp`` with cuOpt on the GPU and classify the answer.

    Raises BackendError when cuOpt cannot be imported, rejects the model or
    the parameters, or fails; InputError for a ``warm_start`` of the wrong length.
    """
    return solve_with(NAME, milp, options, _solve)


def _solve(call: SolveCall) -> SolverOutput:
    milp, is_mip = call.milp, call.is_mip
    lp = _linear_programming()
    arrays = translate(milp)
    params = settings_for(call.clock.options(call.options), is_mip)
    status, x, bound, runtime = _solve_once(lp, arrays, params, call.x0, is_mip)
    if status in AMBIGUOUS:
        unbounded, termination, seconds = _disambiguate(
            lp, arrays, call.options, call.clock, is_mip, status
        )
        verdict: Verdict = {"unbounded": True} if unbounded else {"infeasible": True}
        return call.refuted(verdict, runtime + seconds, termination)
    objective = None if x is None else milp.objective_value(x)
    checked = status not in _PROVEN | _INCUMBENT and _checks_out(milp, x)
    args = classify_args(
        status, is_mip=is_mip, x=x, objective=objective, bound=bound, x_checked=checked
    )
    return classify(backend=NAME, runtime=runtime, sense=milp.sense, is_mip=is_mip, **args)


def _disambiguate(
    lp: Any, arrays: CuoptArrays, options: SolveOptions, clock: Deadline, is_mip: bool, first: str
) -> tuple[bool, str, float]:
    """(unbounded, termination, seconds): with a zero objective, a feasible point means
    unbounded; otherwise the model is taken as infeasible."""
    said = re.sub(r"(?<!^)(?=[A-Z])", " ", first).lower()
    if clock.expired():
        return False, f"{said} (no time left to tell which)", 0.0
    zero = replace(arrays, c=np.zeros_like(arrays.c), offset=0.0)
    params = settings_for(clock.options(options, verbose=False), is_mip)
    status, _, _, seconds = _solve_once(lp, zero, params, None, is_mip)
    if status in _PROVEN | _INCUMBENT:
        return True, f"unbounded (cuOpt first said {said})", seconds
    if status in _INFEASIBLE:
        return False, f"infeasible (cuOpt first said {said})", seconds
    return False, f"{said} (the feasibility check ended {status})", seconds


_PROBE = r"""
import ctypes, json, sys
out = {"driver_error": "", "driver": 0, "devices": [], "import_error": "", "cuopt": ""}
def get(f, *args, kind=ctypes.c_int):
    v = kind(0); f(ctypes.byref(v), *args); return v.value
try:
    cuda = ctypes.CDLL("libcuda.so.1")
    rc = cuda.cuInit(0)
    out["driver_error"] = {0: "", 100: "no device"}.get(rc, "cuInit: CUDA error %d" % rc)
except OSError:
    out["driver_error"] = "no NVIDIA driver: libcuda.so.1 not found"
if not out["driver_error"]:
    out["driver"] = get(cuda.cuDriverGetVersion)
    for i in range(get(cuda.cuDeviceGetCount)):
        dev, name = get(cuda.cuDeviceGet, i), ctypes.create_string_buffer(256)
        cuda.cuDeviceGetName(name, 256, dev)
        cc = [get(cuda.cuDeviceGetAttribute, a, dev) for a in (75, 76)]
        mem = get(cuda.cuDeviceTotalMem_v2, dev, kind=ctypes.c_size_t)
        out["devices"].append([name.value.decode(errors="replace"), *cc, mem])
if sys.argv[-1] == "import" and out["devices"]:
    try:
        import cuopt, cuopt.linear_programming
        out["cuopt"] = cuopt.__version__
    except BaseException as exc:
        out["import_error"] = ("%s: %s" % (type(exc).__name__, exc)).splitlines()[0]
print("ERLOCATE_PROBE " + json.dumps(out))
"""


@functools.cache
def gpu_report(check_import: bool = False, timeout: float = 180.0) -> dict[str, Any]:
    """CUDA driver, devices and (optionally) the cuopt import, probed once in a subprocess.

    The child keeps CUDA uninitialised here (safe to fork) and contains a driver crash or hang.
    """
    cmd = [sys.executable, "-c", _PROBE] + (["import"] if check_import else [])
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return {"driver_error": f"GPU probe failed: {type(exc).__name__}: {exc}"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("ERLOCATE_PROBE "):
            return json.loads(line.removeprefix("ERLOCATE_PROBE "))
    tail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return {"driver_error": f"GPU probe failed: {tail}"}


def probe_reason(report: dict[str, Any], distribution: str = "cuopt-cu12") -> str:
    """``""`` if ``report`` (of :func:`gpu_report`) shows a usable GPU and cuOpt; else why not."""
    devices = report.get("devices") or []
    if report.get("driver_error") or not devices:
        why = report.get("driver_error") or "the NVIDIA driver finds no device"
        return f"no CUDA GPU ({why}; cuOpt needs an NVIDIA GPU)"
    if not any((d[1], d[2]) >= MIN_COMPUTE_CAPABILITY for d in devices):
        found = ", ".join(f"{d[0]} ({d[1]}.{d[2]})" for d in devices)
        return f"no GPU cuOpt supports: {found}; it needs compute capability 7.0 or newer"
    cuda = 13 if distribution.endswith("cu13") else 12
    driver = int(report.get("driver") or 0)
    if driver < cuda * 1000:
        has = f"{driver // 1000}.{driver % 1000 // 10}"
        return f"the NVIDIA driver supports CUDA {has}, {distribution} needs CUDA {cuda}"
    if report.get("import_error"):
        return f"{distribution} is installed but does not import: {report['import_error']}"
    return ""


class CuoptBackend(SolverBackend):
    """NVIDIA cuOpt (GPU) through ``cuopt.linear_programming``; optional."""

    name = NAME
    interface = "cuopt.linear_programming: DataModel from the CSR arrays, one Solve on the GPU"
    capabilities = Capabilities(warm_start=True, bound=True, threads=True, seed=True)
    distribution = "cuopt-cu12"
    extra = "cuopt"

    def installed(self) -> tuple[str, str] | None:
        """(distribution, version) of the installed cuopt (``cuopt-cu12`` ...), or None."""
        for dist in DISTRIBUTIONS:
            try:
                return dist, importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                continue
        return None

    def version(self) -> str | None:
        """cuOpt's version, or None when no cuopt distribution is installed."""
        found = self.installed()
        return None if found is None else found[1]

    def diagnose(self) -> str:
        """Same as :meth:`probe` (it also covers "not installed")."""
        return self.probe()

    def probe(self) -> str:
        """``""`` if cuopt imports and a supported GPU is present (cheap checks only if absent)."""
        machine = platform.machine().lower()
        if sys.platform != "linux" or machine not in ("x86_64", "amd64", "aarch64", "arm64"):
            return f"cuOpt runs on Linux x86_64/aarch64 only (this is {sys.platform} {machine})"
        found = self.installed()
        if found is None:
            gpu = glob.glob("/dev/nvidia[0-9]*") or glob.glob("/dev/dxg")
            why = "" if gpu else "no CUDA GPU (no /dev/nvidia* device here) and "
            return f"{why}cuOpt is not installed: pip install 'erlocate[cuopt]' on a GPU machine"
        return probe_reason(gpu_report(check_import=True), found[0])

    run = staticmethod(solve)


#: The ``"cuopt"`` backend.
BACKEND = CuoptBackend()
