"""Runs: a protocol swept over a grid of parameters, stored point by point, resumable after any kill.

``qbhw.run(protocol, parameters, sweep={"coupling": [0.5, 1.0], ...}, backend="aer", out="runs/star")``

1. *Validates everything first*: the protocol, every point of the grid (each a ``Parameters`` of the
   protocol, so each is checked by the protocol's own rules), the backend (and that the protocol runs on
   it) and the executor. Nothing touches the directory before that.
2. *Creates or reopens the run directory* (:mod:`qbhw.results.store`). A directory that already holds a
   run with other settings is refused with :class:`~qbhw.errors.RunMismatchError`, naming each differing
   setting; the comparison reads the stored manifest strictly read-only. Same settings: the run resumes.
3. *Runs every point that is not done*, through any :class:`concurrent.futures.Executor` (serial by
   default; a process pool, a Dask ``Client.get_executor()`` or an mpi4py ``MPIPoolExecutor`` plug in
   unchanged, :mod:`qbhw.parallel`). Workers receive plain, picklable specifications — the protocol's
   name, the point's parameters as a dict, the backend's name and options — acquire, analyse and draw
   the point, and return JSON text and PNG bytes; only this process writes the store, one transaction
   per point, so a point is complete exactly when its record is committed.
4. *Hardware* (``fake:``, ``ibm:``): the points are submitted from this process, each point's job ids
   recorded at submission (:class:`~qbhw.results.store.PointLedger`), then collected; each job's raw
   result is stored as soon as it exists. A rerun or :func:`resume` retrieves recorded jobs instead of
   submitting again (``ibm:``: by id from IBM Quantum; ``fake:``: the job if it is still alive in this
   process, else the plan is submitted again — local jobs die with their process). ``wait=False``
   returns right after submission; :func:`resume` (or :meth:`Run.resume`) finishes.

Seeds: a sampled run (``shots`` set) whose parameters leave ``seed`` unset gets one seed per point, drawn
from a run seed stored in the manifest (``numpy.random.SeedSequence([run_seed, index])``), so that a
resumed run reproduces exactly what an uninterrupted one would have computed.

The :class:`Run` returned (and :func:`load_run`) holds the parameters, the point records (status,
``completed_at`` in ISO-8601 UTC, ``attempts``, job ids), the data, curves, raw data, analysis results
and figures, and writes a one-page HTML report (:meth:`Run.report`).
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import itertools
import platform
import subprocess
import tempfile
import time
import traceback
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from . import protocols as _protocols
from .backends.jobs import JobsPending, utc_now
from .errors import ConfigError, QbhwError, RunMismatchError, StoreError
from .metrics import ChargingCurve
from .parallel import SerialExecutor, check_executor, run_tasks
from .protocols.base import (
    Data,
    ProtocolParameters,
    Results,
    resolve_backend,
)
from .results.store import (
    RUN_FORMAT,
    PointLedger,
    RunStore,
    is_run_dir,
    read_manifest,
)
from .serialization import from_jsonable, to_jsonable

__all__ = ["run", "resume", "load_run", "Run", "PointRecord", "PointContext", "RunIncompleteWarning",
           "HARDWARE_KINDS"]

#: backend kinds whose points are submitted from the driving process (jobs recorded at submission)
HARDWARE_KINDS = ("fake", "ibm")
#: backend options that are access paths, not settings: neither stored nor compared
_ACCESS_OPTIONS = ("service", "account")
_PACKAGES = ("qbhw", "numpy", "scipy", "qiskit", "qiskit-aer", "qiskit-ibm-runtime", "lmfit", "matplotlib")


class RunIncompleteWarning(UserWarning):
    """Some points of a run failed or are still waiting for their jobs (see ``Run.points``)."""


@dataclass(frozen=True)
class PointContext:
    """What :func:`run` hands to a protocol's ``acquire`` (``context=``) for hardware points: the point's
    job ledger (job ids recorded at submission, results stored as they arrive) and whether to wait."""

    jobs: Any = None
    wait: bool = True
    results_dir: Path | None = None


@dataclass(frozen=True)
class PointRecord:
    """One point of a run: its place in the grid, parameters and bookkeeping.

    ``status``: ``pending`` | ``running`` (handed to a worker) | ``submitted`` (hardware jobs recorded) |
    ``done`` | ``failed``; ``completed_at``: ISO-8601 UTC time its record was committed; ``attempts``:
    how many times it was started; ``job_ids``: hardware jobs that produced it.
    """

    index: int
    parameters: ProtocolParameters
    status: str
    completed_at: str | None
    attempts: int
    job_ids: tuple[str, ...]
    key: str
    started_at: str | None = None
    error: str | None = None
    analysis_error: str | None = None
    elapsed_s: float | None = None

    @property
    def done(self) -> bool:
        return self.status == "done"


# ---------------------------------------------------------------------------------------------
# specification: protocol, grid, backend
def _module(protocol) -> ModuleType:
    return _protocols.get(protocol)


def _protocol_name(module: ModuleType) -> str:
    return str(getattr(module, "NAME", module.__name__.rsplit(".", 1)[-1]))


def _load_module(name: str, module_path: str) -> ModuleType:
    try:
        return _protocols.get(name)
    except ConfigError:
        return _protocols.get(importlib.import_module(module_path))


def _base_parameters(module: ModuleType, parameters) -> ProtocolParameters:
    if parameters is None:
        return module.Parameters()
    if isinstance(parameters, module.Parameters):
        return parameters
    if isinstance(parameters, Mapping):
        return module.Parameters.from_dict(dict(parameters)) if "protocol" in parameters or "format" in parameters \
            else module.Parameters(**dict(parameters))
    raise ConfigError(f"got {type(parameters).__name__}", argument="parameters",
                      allowed=f"None, a dict or {module.__name__}.Parameters")


def _check_sweep(module: ModuleType, sweep) -> dict[str, list]:
    if sweep is None:
        return {}
    if not isinstance(sweep, Mapping):
        raise ConfigError(f"got {type(sweep).__name__}", argument="sweep", allowed="a dict: parameter name -> list")
    names = [f.name for f in dataclasses.fields(module.Parameters)]
    out = {}
    for name, values in sweep.items():
        if name not in names:
            raise ConfigError(f"{name!r} is not a parameter of {_protocol_name(module)}", argument="sweep",
                              allowed=", ".join(names))
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)) or len(values) == 0:
            raise ConfigError(f"sweep[{name!r}] must be a non-empty list", argument=f"sweep[{name!r}]",
                              allowed="a non-empty list of values")
        out[str(name)] = [v.tolist() if isinstance(v, np.ndarray) else (v.item() if isinstance(v, np.generic) else v)
                          for v in values]
    return out


def _grid(base: ProtocolParameters, sweep: dict[str, list]) -> list[ProtocolParameters]:
    """Every point of the grid (the last swept parameter varies fastest); each validated on construction."""
    if not sweep:
        return [base]
    names = list(sweep)
    return [base.replace(**dict(zip(names, combo))) for combo in itertools.product(*(sweep[n] for n in names))]


def _seeded(points: list[ProtocolParameters], sweep: dict, run_seed: int) -> list[ProtocolParameters]:
    out = []
    for k, p in enumerate(points):
        if getattr(p, "shots", None) is not None and getattr(p, "seed", None) is None and "seed" not in sweep:
            seed = int(np.random.SeedSequence([run_seed, k]).generate_state(1, np.uint32)[0])
            p = p.replace(seed=seed)
        out.append(p)
    return out


def _backend_spec(backend, backend_options) -> tuple[str, dict]:
    from .backends import Backend

    options = dict(backend_options or {})
    if isinstance(backend, Backend):
        if options:
            raise ConfigError("backend_options apply to a backend name, not to a backend object",
                              argument="backend_options", allowed="None with a backend object")
        return backend.name, {}
    if not isinstance(backend, str):
        raise ConfigError(f"got {type(backend).__name__}", argument="backend",
                          allowed="a backend name (exact, pulse, aer, fake:<device>, ibm:<device>) or a Backend")
    return backend.strip(), options


def _stored_options(options: Mapping[str, Any]) -> dict:
    """Backend options as stored and compared: JSON data; an object (a device) by its type and name."""
    out = {}
    for k, v in sorted(options.items()):
        if k in _ACCESS_OPTIONS:
            continue
        plain = isinstance(v, (str, int, float, bool, type(None), list, tuple, dict, np.ndarray, np.generic))
        out[k] = to_jsonable(v) if plain else f"<{type(v).__name__} {getattr(v, 'name', '')}>"
    return out


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _git_revision() -> str | None:
    """The git revision of the qbhw source when it is a checkout (editable install), else ``None``."""
    here = Path(__file__).resolve().parent.parent
    if not (here / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    rev = out.stdout.strip()
    if out.returncode != 0 or not rev:
        return None
    dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, timeout=5, check=False).stdout.strip()
    return rev + ("+dirty" if dirty else "")


def _snapshot(backend_obj) -> dict | None:
    """What the backend is at run time: the qbhw device (pulse, Aer with a qbhw device) or, for a Qiskit
    backend (fake, IBM, Aer noise), its calibration converted by :func:`qbhw.devices.from_backend`
    (frequencies, T1/Tφ, gate and readout errors per qubit)."""
    dev = getattr(backend_obj, "device", None)
    if dev is None:
        return None
    try:
        from .devices import Device, from_backend

        device = dev if isinstance(dev, Device) else from_backend(dev)
        return {"kind": "qbhw-device", "source": type(dev).__name__, "name": getattr(dev, "name", None),
                "num_qubits": int(getattr(dev, "num_qubits", 1) or 1), "device": device.to_dict()}
    except Exception as exc:  # noqa: BLE001 - a snapshot never blocks a run
        return {"kind": "unavailable", "name": getattr(dev, "name", None), "reason": repr(exc)}


def _request(module, base, sweep, backend_name, options, analysis) -> dict:
    """The settings that define a run (what a rerun into the same directory must match)."""
    return {"protocol": _protocol_name(module), "parameters": base.to_dict(), "sweep": to_jsonable(sweep),
            "backend": backend_name, "backend_options": _stored_options(options), "analysis": to_jsonable(analysis)}


def _differences(stored: Mapping[str, Any], requested: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    diff = {}
    for key in ("protocol", "backend"):
        if stored.get(key) != requested.get(key):
            diff[key] = (stored.get(key), requested.get(key))
    for group in ("parameters", "sweep", "backend_options", "analysis"):
        a, b = stored.get(group) or {}, requested.get(group) or {}
        for name in sorted(set(a) | set(b)):
            if name in ("format", "protocol"):
                continue
            if a.get(name) != b.get(name):
                diff[f"{group}.{name}" if group != "parameters" else name] = (a.get(name), b.get(name))
    return diff


# ---------------------------------------------------------------------------------------------
# the work of one point (runs in a worker: plain arguments in, JSON text and PNG bytes out)
def _render_png(module, data, results) -> bytes | None:
    try:
        fig = module.plot(data, results)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90)
        return buf.getvalue()
    except Exception:  # noqa: BLE001 - a figure never costs the point its data
        return None


def _analyse(module, data, options: Mapping[str, Any]) -> tuple[Results | None, str | None]:
    try:
        return module.analyse(data, **options), None
    except QbhwError as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _finish_point(module, data: Data, figures: bool, analysis: Mapping[str, Any]) -> dict:
    results, analysis_error = _analyse(module, data, analysis)
    return {"data": data.to_json(), "results": None if results is None else results.to_json(),
            "analysis_error": analysis_error, "figure": _render_png(module, data, results) if figures else None,
            "job_ids": list(data.raw.get("job_ids", []))}


def _point(module: ModuleType, parameters: ProtocolParameters | dict, backend, figures: bool,
           analysis: Mapping[str, Any], *, context: PointContext | None = None) -> dict:
    """Acquire, analyse and draw one point, timed; an error is returned as the point's ``error``, not
    raised (the run records it). Hardware acquisitions left waiting for their jobs raise :class:`JobsPending`."""
    t0 = time.perf_counter()
    try:
        p = parameters if isinstance(parameters, ProtocolParameters) else module.Parameters.from_dict(parameters)
        out = _finish_point(module, module.acquire(p, backend, context=context), figures, analysis)
    except JobsPending:
        raise
    except Exception as exc:  # noqa: BLE001 - recorded as the point's error
        out = {"error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"}
    out["elapsed_s"] = time.perf_counter() - t0
    return out


def _compute_point(protocol: str, module_path: str, parameters: dict, backend: str, options: dict,
                   figures: bool, analysis: dict) -> dict:
    """:func:`_point` in a worker, from plain (picklable) specifications of the protocol and the backend."""
    from .backends import get_backend

    try:
        module = _load_module(protocol, module_path)
        backend_obj = get_backend(backend, **options)
    except Exception as exc:  # noqa: BLE001 - recorded as the point's error
        return {"error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}", "elapsed_s": 0.0}
    return _point(module, parameters, backend_obj, figures, analysis)


# ---------------------------------------------------------------------------------------------
# driving a run
def _commit(store: RunStore, row: dict, out: dict, stats: dict) -> None:
    t0 = time.perf_counter()
    if "error" in out:
        store.fail_point(row["idx"], out["error"])
        stats["failed"] += 1
    else:
        stored = store.commit_point(row["idx"], row["key"], data_json=out["data"], results_json=out["results"],
                                    analysis_error=out["analysis_error"], job_ids=out.get("job_ids", ()),
                                    elapsed_s=out.get("elapsed_s"), figure_png=out.get("figure"))
        stats["computed"] += int(stored)
    stats["store_s"] += time.perf_counter() - t0
    stats["commits"] += 1


def _drive(store: RunStore, module: ModuleType, manifest: dict, *, executor, progress: bool, wait: bool,
           figures: bool, service=None, backend_obj=None) -> dict:
    rows = store.points(with_payload=False)
    todo = [r for r in rows if r["status"] != "done"]
    stats = {"computed": 0, "failed": 0, "store_s": 0.0, "commits": 0, "started_at": utc_now(),
             "points": len(rows), "already_done": len(rows) - len(todo)}
    t_start = time.perf_counter()
    if todo:
        store.set_meta("status", "running")
        kind = manifest["backend_kind"]
        analysis = dict(manifest.get("analysis") or {})  # options of the protocol's analyse, for every point
        if kind in HARDWARE_KINDS:
            _drive_hardware(store, module, manifest, todo, stats, progress=progress, wait=wait, figures=figures,
                            analysis=analysis, service=service, backend_obj=backend_obj)
        else:
            _drive_pool(store, module, manifest, todo, stats, executor=executor, progress=progress, figures=figures,
                        analysis=analysis, backend_obj=backend_obj, total=len(rows))
    if figures:
        _redraw_missing_figures(store, module, stats)
    statuses = store.statuses()
    status = "done" if all(s == "done" for s in statuses.values()) else (
        "submitted" if any(s == "submitted" for s in statuses.values()) else "incomplete")
    if todo or store.meta("status") != status:
        store.set_meta("status", status)
    stats["elapsed_s"] = time.perf_counter() - t_start
    stats["store_ms_per_point"] = 1e3 * stats["store_s"] / stats["commits"] if stats["commits"] else 0.0
    stats["status"] = status
    return stats


def _redraw_missing_figures(store: RunStore, module: ModuleType, stats: dict) -> None:
    """Draw again the figure of every done point whose PNG is missing or does not match its SHA-256
    (a half-written or replaced file is never taken for the figure)."""
    valid = store.figures()
    for row in store.points():
        if row["status"] != "done" or row["idx"] in valid or row["data"] is None:
            continue
        data = Data.from_json(row["data"])
        results = Results.from_json(row["results"]) if row["results"] else None
        png = _render_png(module, data, results)
        if png is not None:
            store.store_figure(row["idx"], png)
            stats["figures_redrawn"] = stats.get("figures_redrawn", 0) + 1


def _drive_pool(store, module, manifest, todo, stats, *, executor, progress, figures, analysis, backend_obj, total):
    name, path = manifest["protocol"], manifest["protocol_module"]
    backend, options = manifest["backend"], manifest["_options"]
    by_index = {r["idx"]: r for r in todo}
    store.mark_started(list(by_index))
    if backend_obj is not None:  # the caller's object: serially, in this process (run() refuses pools then)
        tasks = [(idx, (module, by_index[idx]["parameters"], backend_obj, figures, analysis)) for idx in by_index]
        fn = _point
    else:
        tasks = [(idx, (name, path, by_index[idx]["parameters"], backend, options, figures, analysis))
                 for idx in by_index]
        fn = _compute_point
    for idx, out in run_tasks(fn, tasks, executor=executor, progress=progress, desc=name, total=total,
                              initial=total - len(tasks)):
        _commit(store, by_index[idx], out, stats)


def _drive_hardware(store, module, manifest, todo, stats, *, progress, wait, figures, analysis, service,
                    backend_obj):
    from .backends import get_backend
    from .parallel import progress_bar

    if backend_obj is None:
        options = dict(manifest["_options"])
        if service is not None and manifest["backend_kind"] == "ibm":
            options["service"] = service
        backend_obj = get_backend(manifest["backend"], **options)
    if store.meta("backend_snapshot") is None:
        snap = _snapshot(backend_obj)
        if snap is not None:
            store.set_meta("backend_snapshot", snap)
    params = {r["idx"]: module.Parameters.from_dict(r["parameters"]) for r in todo}

    def acquire(row, wait_now: bool) -> None:
        context = PointContext(jobs=PointLedger(store, row["idx"], wait=wait_now), wait=wait_now)
        try:
            out = _point(module, params[row["idx"]], backend_obj, figures, analysis, context=context)
        except JobsPending:
            return
        _commit(store, row, out, stats)

    # 1. submit every point that has no recorded jobs, without waiting
    for row in todo:
        if store.job_record(row["idx"]) is None:
            store.mark_started([row["idx"]], status="running")
            acquire(row, False)
    if not wait:
        return
    # 2. collect: recorded jobs are retrieved (a local job that died with its process is submitted again),
    #    each job's result is stored as it arrives, then the point is committed
    pending = [r for r in todo if store.statuses()[r["idx"]] not in ("done", "failed")]
    bar = progress_bar(len(pending), desc=f"{manifest['protocol']} jobs", enabled=progress)
    try:
        for row in pending:
            acquire(row, True)
            bar.update(1)
    finally:
        bar.close()


# ---------------------------------------------------------------------------------------------
# public functions
def run(protocol, parameters=None, *, sweep=None, backend="exact", backend_options=None, analysis=None, out=None,
        executor=None, progress=True, wait=True, figures: bool = True) -> Run:
    """Run ``protocol`` over the grid ``sweep`` (parameter name → list of values) on ``backend`` and store
    every point in ``out`` (a directory; default: a new temporary directory, see ``Run.path``).

    ``parameters``: the protocol's ``Parameters`` (or a dict of them) that the sweep varies;
    ``backend_options``: keyword arguments of :func:`qbhw.backends.get_backend`; ``analysis``: keyword
    arguments of the protocol's ``analyse`` (e.g. ``{"fit": False}``), used for every point; ``executor``: any
    :class:`concurrent.futures.Executor` (``None``: serially in this process); ``progress``: a tqdm bar;
    ``wait=False`` (hardware): return right after submission, finish with :func:`resume`; ``figures``:
    draw each point's figure (PNG in the run directory).

    Process pools: give a ``ProcessPoolExecutor`` a ``"forkserver"`` or ``"spawn"`` context
    (``mp_context=multiprocessing.get_context("forkserver")``, the default from Python 3.14 on): a worker
    forked from a process that has already run OpenMP code (Aer, some BLAS builds) can hang, and a script
    must guard ``qbhw.run`` with ``if __name__ == "__main__":``.

    Running again into a directory that holds the same run resumes it (nothing complete is recomputed);
    a directory holding another run is refused (:class:`~qbhw.errors.RunMismatchError`). See the module
    docstring for the full behaviour.
    """
    module = _module(protocol)
    base = _base_parameters(module, parameters)
    sweep = _check_sweep(module, sweep)
    points = _grid(base, sweep)
    backend_name, options = _backend_spec(backend, backend_options)
    backend_obj, kind = resolve_backend(backend if not isinstance(backend, str) else _get_backend(backend_name, options),
                                        protocol=_protocol_name(module), supported=tuple(module.BACKENDS))
    ex = check_executor(executor)
    if not isinstance(backend, str) and not isinstance(ex, SerialExecutor) and kind not in HARDWARE_KINDS:
        raise ConfigError("a backend object cannot be sent to workers", argument="backend",
                          allowed="a backend name (with backend_options) when an executor is given")
    if not isinstance(wait, bool):
        raise ConfigError(f"got {wait!r}", argument="wait", allowed="True or False")
    analysis = _protocols.check_analysis_options(module, analysis)
    request = _request(module, base, sweep, backend_name, options, analysis)
    path = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix=f"qbhw-run-{request['protocol']}-"))
    if (path / "jobs.json").exists() and not is_run_dir(path):
        raise RunMismatchError(f"{path} holds the results of a single backend run, not a qbhw run",
                               argument="out", allowed="a new directory, or qbhw.resume on that directory")
    if is_run_dir(path):
        stored = read_manifest(path)
        diff = _differences(stored, request)
        if diff:
            lines = ", ".join(f"{k}: stored {a!r}, requested {b!r}" for k, (a, b) in diff.items())
            raise RunMismatchError(f"{path} already holds a {stored.get('protocol')} run with other settings "
                                   f"({lines}); nothing was changed — use another directory, or qbhw.resume",
                                   differences=diff, argument="out", allowed="a new directory or the same settings")
        store = RunStore.open(path, writable=True)
    else:
        run_seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
        seeded = _seeded(points, sweep, run_seed)
        manifest = {"format": RUN_FORMAT, **request, "protocol_module": module.__name__, "backend_kind": kind,
                    "backend_snapshot": None if kind in HARDWARE_KINDS else _snapshot(backend_obj),
                    "versions": _versions(), "git_revision": _git_revision(), "created_at": utc_now(),
                    "host": platform.node(), "seeds": {"run_seed": run_seed, "per_point": "SeedSequence([run_seed, "
                                                        "index]) when shots are set and seed is not"},
                    "grid": {"size": len(seeded), "order": list(sweep)}}
        store = RunStore.create(path, manifest, [p.to_dict() for p in seeded])
    try:
        return _drive_and_load(store, module, options, executor=ex, progress=progress, wait=wait, figures=figures,
                               backend_obj=None if isinstance(backend, str) else backend)
    finally:
        store.close()


def _get_backend(name: str, options: dict):
    from .backends import get_backend

    return get_backend(name, **options)


def _drive_and_load(store: RunStore, module, options: dict, *, executor, progress, wait, figures, backend_obj=None,
                    service=None) -> Run:
    manifest = {**store.manifest, "_options": dict(options)}
    stats = _drive(store, module, manifest, executor=executor, progress=progress, wait=wait, figures=figures,
                   service=service, backend_obj=backend_obj)
    result = Run._from_store(store)
    result.session = stats
    if stats["status"] != "done":
        failed = [p.index for p in result.points if p.status == "failed"]
        if failed or stats["status"] != "submitted" or wait:
            warnings.warn(f"run {store.path}: {stats['status']}"
                          + (f"; failed points {failed} (see Run.points[i].error; qbhw.resume retries them)"
                             if failed else ""), RunIncompleteWarning, stacklevel=3)
    return result


def resume(path, *, executor=None, progress=True, wait=True, figures: bool = True, service=None, account=None):
    """Finish the run in ``path``: every point not done is (re)computed, recorded hardware jobs are
    collected instead of resubmitted, nothing complete is recomputed. Returns the :class:`Run`.

    ``path`` may also be the results directory of a single backend run (``jobs.json``, written by
    ``Backend.run(..., results_dir=...)``): its jobs are collected and its
    :class:`~qbhw.metrics.ChargingCurve` returned (the behaviour of the former
    ``qbhw.backends.resume``). ``service``: an object with ``job(job_id)`` (and ``backend(name)``) to
    reach IBM Quantum (default: the saved account).
    """
    path = Path(path)
    if not is_run_dir(path):
        if (path / "jobs.json").exists():
            from .backends.runtime import resume_jobs

            return resume_jobs(path, service=service, account=account)
        raise StoreError(f"{path} holds no qbhw run", argument="path",
                         allowed="a directory written by qbhw.run (or by a backend run with results_dir)")
    manifest = read_manifest(path)
    module = _load_module(manifest["protocol"], manifest.get("protocol_module", ""))
    options = dict(manifest.get("backend_options") or {})
    options = {k: from_jsonable(v) for k, v in options.items()}
    if account is not None:
        options["account"] = account
    store = RunStore.open(path, writable=True)
    try:
        return _drive_and_load(store, module, options, executor=check_executor(executor), progress=progress,
                               wait=wait, figures=figures, service=service)
    finally:
        store.close()


def load_run(path) -> Run:
    """The run stored in ``path`` (read only; nothing is computed)."""
    store = RunStore.open(path, writable=False)
    try:
        return Run._from_store(store)
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------
class Run:
    """A stored run: parameters, points, data, curves, analysis and figures (see module docstring).

    ``points``, ``data``, ``curves``, ``analysis``, ``raw`` and ``figures`` are lists in grid order
    (entries of points not done are ``None``). ``session``: what the last :func:`run`/:func:`resume` of
    this process did (points computed, store overhead per point in ms, elapsed time).
    """

    def __init__(self, path, manifest: dict, status: str, points: list[PointRecord], data: list[Data | None],
                 analysis: list[Results | None], figures: list[Path | None], job_results: dict[str, Any],
                 backend_snapshot: Any = None):
        self.path = Path(path)
        self.manifest = manifest
        self.status = status
        self.points = points
        self.data = data
        self.analysis = analysis
        self.figures = figures
        self.job_results = job_results
        self.backend_snapshot = backend_snapshot if backend_snapshot is not None else manifest.get("backend_snapshot")
        self.session: dict[str, Any] = {}

    @classmethod
    def _from_store(cls, store: RunStore) -> Run:
        manifest = store.manifest
        module = _load_module(manifest["protocol"], manifest.get("protocol_module", ""))
        rows = store.points()
        figs = store.figures()
        points, data, analysis = [], [], []
        for r in rows:
            points.append(PointRecord(index=r["idx"], parameters=module.Parameters.from_dict(r["parameters"]),
                                      status=r["status"], completed_at=r["completed_at"], attempts=r["attempts"],
                                      job_ids=tuple(r["job_ids"]), key=r["key"], started_at=r["started_at"],
                                      error=r["error"], analysis_error=r["analysis_error"], elapsed_s=r["elapsed_s"]))
            done = r["status"] == "done" and r["data"] is not None
            data.append(Data.from_json(r["data"]) if done else None)
            analysis.append(Results.from_json(r["results"]) if done and r["results"] else None)
        return cls(store.path, manifest, store.meta("status"), points, data, analysis,
                   [figs.get(r["idx"]) for r in rows], store.job_results(), store.meta("backend_snapshot"))

    # ---- what a run holds ---------------------------------------------------------------------
    @property
    def protocol(self) -> str:
        return self.manifest["protocol"]

    @property
    def module(self) -> ModuleType:
        return _load_module(self.protocol, self.manifest.get("protocol_module", ""))

    @property
    def parameters(self) -> ProtocolParameters:
        """The base parameters (what the sweep varies)."""
        return self.module.Parameters.from_dict(self.manifest["parameters"])

    @property
    def sweep(self) -> dict[str, list]:
        return from_jsonable(self.manifest.get("sweep") or {})

    @property
    def backend(self) -> str:
        return self.manifest["backend"]

    @property
    def curves(self) -> list[ChargingCurve | None]:
        return [None if d is None else d.curve for d in self.data]

    @property
    def raw(self) -> list[dict | None]:
        return [None if d is None else d.raw for d in self.data]

    @property
    def job_ids(self) -> list[tuple[str, ...]]:
        return [p.job_ids for p in self.points]

    @property
    def done(self) -> bool:
        return all(p.done for p in self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __repr__(self) -> str:
        n_done = sum(p.done for p in self.points)
        return f"Run({self.protocol!r}, {n_done}/{len(self.points)} points done, backend={self.backend!r}, " \
               f"path={str(self.path)!r})"

    # ---- actions ------------------------------------------------------------------------------
    def resume(self, **options) -> Run:
        """:func:`resume` this run (finish submitted jobs, retry failed points)."""
        return resume(self.path, **options)

    wait = resume

    def report(self, path=None) -> Path:
        """Write the run's report (``index.html`` and the figures) to ``path`` (default
        ``<run>/report``); returns the HTML file (:func:`qbhw.results.report.write_report`)."""
        from .results.report import write_report

        return write_report(self, self.path / "report" if path is None else path)

    def plot_sweep(self, quantity: str | None = None, path=None):
        """A figure of merit (default: the protocol's main one) against the swept parameters — a line with
        95 % error bars for one, heat maps for two or more; a ``matplotlib.figure.Figure``, also saved to
        ``path`` when given (:func:`qbhw.results.plots.plot_sweep`)."""
        from .results.plots import plot_sweep

        return plot_sweep(self, quantity, path)
