"""Qiskit Runtime backends: ``fake:<name>`` (local mode, offline) and ``ibm:<name>`` (IBM Quantum).

Both use the client-side executor primitives of qiskit-ibm-runtime 0.51
(``qiskit_ibm_runtime.executor_sampler.Sampler`` and ``executor_estimator.Estimator``; the
older ``SamplerV2``/``EstimatorV2`` are deprecated) inside a ``Batch`` (default), a ``Session``
or plain job mode. With a fake backend the runtime runs in local mode on Aer with the device's
noise model; nothing contacts IBM.

Circuits are transpiled onto the device (layout, SWAP routing on its coupling map, basis
translation — ``rx``/``rzz`` on a Heron backend built with fractional gates), all time points and
measurement settings go in one job, and — when a results directory is given — the job ids are
written to ``<results_dir>/jobs.json`` *as soon as the job is submitted*, together with the
:class:`~qbhw.backends.execution.ExecutionPlan` needed to turn the results into a curve. An
interrupted run is finished later by :func:`resume` (which retrieves the jobs through the
user's saved account, or through a service object passed in). Local (fake) jobs live only in
the process that ran them.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
from pathlib import Path

import numpy as np

from ..compile.measurement import MEASURE_REGISTER
from ..compile.program import ChargingProgram
from ..errors import ConfigError, InvalidArgumentError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from .base import Backend, check_program, read_curve, write_curve
from .devices import device_simulator, fake_device, transpile_for_device
from .execution import (
    ExecutionPlan,
    _combine,
    _work,
    build_plan,
    check_shots,
    curve_from_results,
    measured_circuits,
)

__all__ = ["RuntimeBackend", "FakeBackend", "IBMQuantumBackend", "JobStore", "resume", "RUNTIME_MODES",
           "PRIMITIVES", "DEFAULT_SHOTS"]

RUNTIME_MODES = ("batch", "session", "job")
PRIMITIVES = ("sampler", "estimator")
DEFAULT_SHOTS = 4096
JOBS_FILE = "jobs.json"


class JobStore:
    """``<results_dir>/jobs.json``: backend, primitive, plan and job ids of a run (written at submission)."""

    def __init__(self, results_dir):
        self.dir = Path(results_dir)
        self.path = self.dir / JOBS_FILE

    def _write(self, data: dict) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1, default=repr))
        os.replace(tmp, self.path)

    def read(self) -> dict:
        if not self.path.exists():
            raise ConfigError(f"no {JOBS_FILE} in {self.dir}", argument="results_dir",
                              allowed="a results directory written by a qbhw hardware run")
        return json.loads(self.path.read_text())

    def record_submission(self, *, backend: str, primitive: str, shots, plan: ExecutionPlan, job_ids: list[str],
                          mode: str, extra: dict | None = None) -> None:
        now = _dt.datetime.now(_dt.timezone.utc).isoformat()
        self._write({"backend": backend, "primitive": primitive, "shots": shots, "mode": mode, "status": "submitted",
                     "submitted": now, "jobs": [{"job_id": j, "submitted": now} for j in job_ids],
                     "plan": plan.as_dict(), **(extra or {})})

    def record_done(self, curve: ChargingCurve, raw: list) -> None:
        data = self.read()
        data["status"] = "done"
        data["finished"] = _dt.datetime.now(_dt.timezone.utc).isoformat()
        self._write(data)
        (self.dir / "results.json").write_text(json.dumps(raw, default=repr))
        write_curve(curve, self.dir / "curve.json")


def _mode_context(mode: str, device):
    if mode not in RUNTIME_MODES:
        raise ConfigError(f"unknown execution mode {mode!r}", argument="mode", allowed=" | ".join(RUNTIME_MODES))
    if mode == "job":
        return contextlib.nullcontext(device)
    from qiskit_ibm_runtime import Batch, Session

    return (Batch if mode == "batch" else Session)(backend=device)


def _as_primitive_result(result, primitive: str):
    """A PrimitiveResult from a job result (decoding a raw executor QuantumProgramResult if needed)."""
    try:
        first = result[0]
        if hasattr(first, "data"):
            return result
    except (TypeError, IndexError, KeyError):
        pass
    if primitive == "sampler":
        from qiskit_ibm_runtime.decoders.executor_sampler.decoder import (
            ClientSideSamplerResultDecoder,
        )

        return ClientSideSamplerResultDecoder.decode(result)
    from qiskit_ibm_runtime.decoders.executor_estimator.decoder import (
        ClientSideEstimatorDecoder,
    )

    return ClientSideEstimatorDecoder.decode(result)


def _counts(pub_result) -> dict[str, int]:
    data = pub_result.data
    reg = getattr(data, MEASURE_REGISTER, None)
    if reg is None:
        names = list(data.keys()) if hasattr(data, "keys") else []
        if len(names) != 1:
            raise ConfigError(f"cannot find the measurement register {MEASURE_REGISTER!r} in {names}",
                              argument="result", allowed="results of circuits measured by qbhw")
        reg = getattr(data, names[0])
    return {k: int(v) for k, v in reg.get_counts().items()}


def _estimator_arrays(result) -> tuple[np.ndarray, np.ndarray]:
    """(expectation values, standard errors) of every pub of an estimator result."""
    result = _as_primitive_result(result, "estimator")
    evs = np.array([np.asarray(r.data.evs, dtype=float) for r in result])
    stds = np.array([np.asarray(r.data.stds, dtype=float) for r in result])
    return evs, stds


def _estimator_curve(plan_dict: dict, evs: np.ndarray, stds: np.ndarray, metadata: dict) -> ChargingCurve:
    """Curve from per-(time, member) estimator values: the ensemble average, its variance (with the
    between-sample term of a sampled ensemble) and the work exactly as :func:`curve_from_results`."""
    plan = ExecutionPlan.from_dict(plan_dict)
    times = np.asarray(plan.times)
    nt, nm = times.size, len(plan.weights)
    names = ["energy", *plan.observables]
    evs = np.asarray(evs, dtype=float).reshape(nt, nm, len(names))
    stds = np.asarray(stds, dtype=float).reshape(nt, nm, len(names))
    mean, err = np.empty((nt, len(names))), np.empty((nt, len(names)))
    for k in range(len(names)):
        mean[:, k], var = _combine(plan, evs[:, :, k], stds[:, :, k] ** 2)
        err[:, k] = np.sqrt(var)
    obs = {"energy_stderr": err[:, 0], "trotter_energy_bound": np.asarray(plan.energy_bound)}
    for k, name in enumerate(names[1:], start=1):
        obs[name] = mean[:, k]
        obs[f"{name}_stderr"] = err[:, k]
    work, ref = _work(times, mean[:, 0], plan.initial_energy)
    meta = {"program": plan.program, **plan.program_metadata, "work_reference": ref, **metadata}
    return make_charging_curve(times, mean[:, 0], work=work, metadata=meta, observables=obs)


class RuntimeBackend(Backend):
    """A Qiskit Runtime backend (fake or IBM) behind the qbhw interface; see the module docstring."""

    def __init__(self, device, *, name: str, mode: str = "batch", primitive: str = "sampler",
                 optimization_level: int = 1, default_shots: int = DEFAULT_SHOTS, sampler_options: dict | None = None,
                 estimator_options: dict | None = None):
        if mode not in RUNTIME_MODES:
            raise ConfigError(f"unknown execution mode {mode!r}", argument="mode", allowed=" | ".join(RUNTIME_MODES))
        if primitive not in PRIMITIVES:
            raise ConfigError(f"unknown primitive {primitive!r}", argument="primitive", allowed=" | ".join(PRIMITIVES))
        self._device = device
        self.name = name
        self.mode = mode
        self.primitive = primitive
        self.optimization_level = optimization_level
        self.default_shots = check_shots(default_shots, allow_none=False)
        self.sampler_options = dict(sampler_options or {})
        self.estimator_options = dict(estimator_options or {})

    # subclasses may resolve the device lazily (IBM needs the service)
    @property
    def device(self):
        return self._device

    @property
    def num_qubits(self) -> int:  # type: ignore[override]
        return int(self.device.num_qubits)

    def _local(self) -> bool:
        return True

    def _execution_target(self, isa_circuits):
        """What the primitives run on: the device itself."""
        return self.device

    def run(self, program: ChargingProgram, times, *, shots: int | None = None, tomography: bool = False,
            seed: int | None = None, results_dir=None, wait: bool = True) -> ChargingCurve | None:
        """Run on the device; with ``wait=False`` return right after submission (finish with :func:`resume`)."""
        shots = self.default_shots if shots is None else check_shots(shots, allow_none=False)
        t = check_times(times, allow_single=True)
        program = check_program(program, self.num_qubits, self.name)
        if not wait and results_dir is None:
            raise InvalidArgumentError("wait=False needs a results directory to resume from", argument="results_dir",
                                       allowed="a directory path")
        store = JobStore(results_dir) if results_dir is not None else None
        if self.primitive == "estimator":
            if tomography:
                raise ConfigError("tomography needs the sampler primitive", argument="tomography",
                                  allowed="False with primitive='estimator'")
            return self._run_estimator(program, t, shots, seed, store, wait)
        plan = build_plan(program, t, tomography=tomography)
        isa = transpile_for_device(measured_circuits(program, plan), self.device, seed=seed,
                                   optimization_level=self.optimization_level)
        from qiskit_ibm_runtime.executor_sampler import Sampler

        with _mode_context(self.mode, self._execution_target(isa)) as mode:
            sampler = Sampler(mode=mode)
            for key, value in self.sampler_options.items():
                setattr(sampler.options, key, value)
            if seed is not None and self._local():
                sampler.options.simulator.seed_simulator = int(seed)
            job = sampler.run(isa, shots=shots)
            job_ids = [job.job_id()]
            if store is not None:
                store.record_submission(backend=self.name, primitive="sampler", shots=shots, plan=plan,
                                        job_ids=job_ids, mode=self.mode)
            if not wait:
                return None
            result = job.result()
        counts = [_counts(r) for r in _as_primitive_result(result, "sampler")]
        curve = curve_from_results(plan, counts, shots=shots,
                                   metadata={"backend": self.name, "job_ids": job_ids, "mode": self.mode,
                                             "primitive": "sampler"})
        if store is not None:
            store.record_done(curve, counts)
        return curve

    def _run_estimator(self, program, t, shots, seed, store, wait):
        plan = build_plan(program, t)
        members = len(program.initial_states)
        base = [program.circuit(x, m) for x in t for m in range(members)]
        isa = transpile_for_device(base, self.device, seed=seed, optimization_level=self.optimization_level)
        ops = [program.energy_observable, *program.observables.values()]
        pubs = [(qc, [o.apply_layout(qc.layout) for o in ops]) for qc in isa]
        from qiskit_ibm_runtime.executor_estimator import Estimator

        with _mode_context(self.mode, self._execution_target(isa)) as mode:
            est = Estimator(mode=mode)
            est.options.default_shots = shots
            for key, value in self.estimator_options.items():
                setattr(est.options, key, value)
            if seed is not None and self._local():
                est.options.simulator.seed_simulator = int(seed)
            job = est.run(pubs)
            job_ids = [job.job_id()]
            if store is not None:
                store.record_submission(backend=self.name, primitive="estimator", shots=shots, plan=plan,
                                        job_ids=job_ids, mode=self.mode)
            if not wait:
                return None
            result = job.result()
        evs, stds = _estimator_arrays(result)
        curve = _estimator_curve(plan.as_dict(), evs, stds, {"backend": self.name, "job_ids": job_ids,
                                                              "mode": self.mode, "primitive": "estimator",
                                                              "shots": shots})
        if store is not None:
            store.record_done(curve, {"evs": evs.tolist(), "stds": stds.tolist()})
        return curve


class FakeBackend(RuntimeBackend):
    """``fake:<name>``: runtime local mode on a qiskit-ibm-runtime fake backend (offline)."""

    def __init__(self, device_name: str, *, fractional_gates: bool = False, restrict_noise: bool = True, **options):
        device = fake_device(device_name, fractional_gates=fractional_gates)
        short = device.name[5:] if device.name.startswith("fake_") else device.name
        label = f"fake:{short}" + ("+fractional" if fractional_gates else "")
        super().__init__(device, name=label, **options)
        self.fractional_gates = fractional_gates
        self.restrict_noise = bool(restrict_noise)

    def _execution_target(self, isa_circuits):
        """Local mode runs on Aer with the device's noise model. By default (``restrict_noise``) the
        model is restricted to the qubits the ISA circuits use — identical noise for these circuits
        (from-backend errors are local), without serialising a 127/133-qubit model on every call;
        ``restrict_noise=False`` hands the fake backend itself to the primitive."""
        if not self.restrict_noise:
            return self.device
        return device_simulator(self.device, isa_circuits)


class IBMQuantumBackend(RuntimeBackend):
    """``ibm:<name>``: an IBM Quantum device through the user's saved Qiskit Runtime account.

    ``service`` (optional) is any object with ``backend(name, ...)`` and ``job(job_id)`` — by default
    :func:`~qbhw.backends.accounts.load_runtime_service` (which fails clearly, without network,
    when no account is saved). ``fractional_gates=True`` asks for Heron's ``rx``/``rzz``.
    """

    def __init__(self, device_name: str, *, service=None, fractional_gates: bool = False, account: dict | None = None,
                 **options):
        if not isinstance(device_name, str) or not device_name.strip():
            raise ConfigError(f"got {device_name!r}", argument="backend", allowed="'ibm:<device name>'")
        super().__init__(None, name=f"ibm:{device_name}", **options)
        self.device_name = device_name
        self.fractional_gates = fractional_gates
        self._service = service
        self._account = dict(account or {})

    @property
    def service(self):
        if self._service is None:
            from .accounts import load_runtime_service

            self._service = load_runtime_service(**self._account)
        return self._service

    @property
    def device(self):
        if self._device is None:
            kwargs = {"use_fractional_gates": True} if self.fractional_gates else {}
            self._device = self.service.backend(self.device_name, **kwargs)
        return self._device

    def _local(self) -> bool:
        from qiskit_ibm_runtime.fake_provider.fake_backend import FakeBackendV2

        return isinstance(self._device, FakeBackendV2)


def resume(results_dir, *, service=None, account: dict | None = None) -> ChargingCurve:
    """Finish an interrupted run from ``<results_dir>/jobs.json`` by retrieving its jobs.

    ``service``: object with ``job(job_id)`` (default: the user's saved Qiskit Runtime account).
    A finished run returns its stored curve.
    """
    store = JobStore(results_dir)
    data = store.read()
    if data.get("status") == "done" and (store.dir / "curve.json").exists():
        return read_curve(store.dir / "curve.json")
    if service is None:
        if str(data.get("backend", "")).startswith("fake:"):
            raise ConfigError("jobs of a fake (local) backend live only in the process that ran them; run again",
                              argument="results_dir", allowed="a results directory of an ibm: run")
        from .accounts import load_runtime_service

        service = load_runtime_service(**(account or {}))
    plan = ExecutionPlan.from_dict(data["plan"])
    primitive = data.get("primitive", "sampler")
    results = []
    for entry in data["jobs"]:
        results.extend(list(_as_primitive_result(service.job(entry["job_id"]).result(), primitive)))
    job_ids = [j["job_id"] for j in data["jobs"]]
    meta = {"backend": data["backend"], "job_ids": job_ids, "mode": data.get("mode"), "primitive": primitive,
            "resumed": True}
    if primitive == "sampler":
        counts = [_counts(r) for r in results]
        curve = curve_from_results(plan, counts, shots=data.get("shots"), metadata=meta)
        store.record_done(curve, counts)
    else:
        evs, stds = _estimator_arrays(results)
        curve = _estimator_curve(data["plan"], evs, stds, {**meta, "shots": data.get("shots")})
        store.record_done(curve, {"evs": evs.tolist(), "stds": stds.tolist()})
    return curve
