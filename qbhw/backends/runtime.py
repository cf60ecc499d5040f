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

import numpy as np

from ..compile.measurement import MEASURE_REGISTER
from ..compile.program import ChargingProgram
from ..errors import ConfigError, InvalidArgumentError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from .base import Backend, check_program
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
from .jobs import (
    LOCAL_JOBS,
    FileJobLedger,
    JobLedger,
    JobsPending,
    as_ledger,
    refuse_other_submission,
    utc_now,
)

__all__ = [
    "DEFAULT_SHOTS",
    "PRIMITIVES",
    "RUNTIME_MODES",
    "FakeBackend",
    "IBMQuantumBackend",
    "JobStore",
    "RuntimeBackend",
    "curve_from_raw",
    "resume_jobs",
]

RUNTIME_MODES = ("batch", "session", "job")
PRIMITIVES = ("sampler", "estimator")
DEFAULT_SHOTS = 4096
JOBS_FILE = FileJobLedger.JOBS_FILE


#: the file-based job ledger of a plain results directory (the name used before the run store existed)
JobStore = FileJobLedger


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
    between-sample term of a sampled ensemble) and the work exactly as :func:`curve_from_results`;
    ``metadata["intervals"]`` of the figures of merit from a parametric bootstrap of the energy
    (:func:`qbhw.metrics.parametric_work_replicates`, B = 200, seeded from the values)."""
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
    obs = {"trotter_energy_bound": np.asarray(plan.energy_bound)}
    for k, name in enumerate(names[1:], start=1):
        obs[name] = mean[:, k]
        obs[f"{name}_stderr"] = err[:, k]
    work, ref = _work(times, mean[:, 0], plan.initial_energy)
    meta = {"program": plan.program, **plan.program_metadata, "work_reference": ref, **metadata}
    from ..metrics import (
        DEFAULT_BOOTSTRAP,
        curve_figure_intervals,
        parametric_work_replicates,
    )
    from .execution import _work_stderr

    if np.all(np.isfinite(mean[:, 0])) and np.all(np.isfinite(err[:, 0])):
        # parametric bootstrap E*_b(t_i) = E(t_i) + σ_i z (seeded from the values), work exactly as _work
        er, _ = parametric_work_replicates(mean[:, 0], err[:, 0], n_boot=DEFAULT_BOOTSTRAP)
        wr = np.stack([_work(times, e, plan.initial_energy)[0] for e in er])
        found = curve_figure_intervals(times, wr, work, energy=mean[:, 0], energy_replicates=er,
                                       method=f"parametric bootstrap (B={DEFAULT_BOOTSTRAP})")
        meta["intervals"] = {k: v.to_dict() for k, v in found.items()}
    return make_charging_curve(times, mean[:, 0], work=work, metadata=meta, observables=obs,
                               energy_stderr=err[:, 0], work_stderr=_work_stderr(times, err[:, 0]))


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

    def _retrieve(self, job_id: str):
        """A submitted job by its id: alive in this process (local runs), else ``None``."""
        return LOCAL_JOBS.get(job_id)

    def run(self, program: ChargingProgram, times, *, shots: int | None = None, tomography: bool = False,
            seed: int | None = None, results_dir=None, wait: bool = True) -> ChargingCurve | None:
        """Run on the device.

        ``results_dir``: a directory or a :class:`~qbhw.backends.jobs.JobLedger` where the job ids are
        recorded at submission and each job's result as it arrives. If it already records a submission of
        the same plan, those jobs are collected instead of submitting again (a different plan, backend or
        shot count is refused with :class:`~qbhw.errors.RunMismatchError` before anything is submitted).
        With ``wait=False`` the call returns ``None`` right after submission (finish with
        :func:`qbhw.resume`, or by calling ``run`` again with the same ``results_dir``).
        """
        shots = self.default_shots if shots is None else check_shots(shots, allow_none=False)
        t = check_times(times, allow_single=True)
        program = check_program(program, self.num_qubits, self.name)
        if not wait and results_dir is None:
            raise InvalidArgumentError("wait=False needs a results directory to resume from", argument="results_dir",
                                       allowed="a directory path")
        ledger = as_ledger(results_dir, wait=wait)
        wait = wait and (ledger is None or ledger.wait)
        primitive = self.primitive
        if primitive == "estimator" and tomography:
            raise ConfigError("tomography needs the sampler primitive", argument="tomography",
                              allowed="False with primitive='estimator'")
        plan = build_plan(program, t, tomography=tomography and primitive == "sampler")
        record = {"backend": self.name, "primitive": primitive, "shots": shots, "mode": self.mode,
                  "plan": plan.as_dict()}
        try:
            return self._run_recorded(program, plan, t, shots, seed, record, ledger, wait)
        except JobsPending:
            if ledger is not None and ledger.raise_pending:
                raise
            return None

    def _run_recorded(self, program, plan, t, shots, seed, record, ledger, wait):
        previous = ledger.submission() if ledger is not None else None
        refuse_other_submission(previous, record)
        if previous is not None:
            done = getattr(ledger, "stored_curve", lambda: None)()
            if done is not None:
                return done
            raws = self._collect(previous, ledger, wait)
            if raws is not None:
                return self._finish(previous, raws, ledger)
        job_ids = self._submit(program, plan, t, shots, seed)
        record = {**record, "jobs": [{"job_id": j, "submitted": utc_now()} for j in job_ids], "submitted": utc_now()}
        if ledger is not None:
            ledger.record_submission(record)
        if not wait:
            raise JobsPending(job_ids)
        raws = self._collect(record, ledger, True)
        return self._finish(record, raws, ledger)

    def _submit(self, program, plan, t, shots, seed) -> list[str]:
        """Transpile, submit one job with every pub, and return its id (the job is kept in LOCAL_JOBS)."""
        if self.primitive == "sampler":
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
        else:
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
        job_id = job.job_id()
        LOCAL_JOBS[job_id] = job
        return [job_id]

    def _collect(self, record: dict, ledger: JobLedger | None, wait: bool) -> list | None:
        """Raw results of the recorded jobs (stored ones first); ``None`` when a job can no longer be
        retrieved (a local job whose process died) and must be submitted again."""
        raws = []
        for entry in record["jobs"]:
            job_id = entry["job_id"]
            raw = ledger.stored_result(job_id) if ledger is not None else None
            if raw is None:
                job = self._retrieve(job_id)
                if job is None:
                    return None
                if not wait:
                    raise JobsPending([e["job_id"] for e in record["jobs"]])
                raw = _raw_result(job.result(), record["primitive"])
                if ledger is not None:
                    ledger.store_result(job_id, raw)
            raws.append(raw)
        return raws

    def _finish(self, record: dict, raws: list, ledger: JobLedger | None) -> ChargingCurve:
        meta = {"backend": self.name, "job_ids": [e["job_id"] for e in record["jobs"]], "mode": record.get("mode"),
                "primitive": record["primitive"]}
        curve = curve_from_raw(record, raws, meta)
        if ledger is not None:
            ledger.record_done(curve)
        return curve


def _raw_result(result, primitive: str):
    """JSON-able raw data of one finished job: counts per pub (sampler) or values and errors (estimator)."""
    if primitive == "sampler":
        return [_counts(r) for r in _as_primitive_result(result, "sampler")]
    evs, stds = _estimator_arrays(result)
    return {"evs": evs.tolist(), "stds": stds.tolist()}


def curve_from_raw(record: dict, raws: list, metadata: dict) -> ChargingCurve:
    """The curve of a recorded submission from its jobs' raw results (in job order)."""
    plan = ExecutionPlan.from_dict(record["plan"])
    if record["primitive"] == "sampler":
        counts = [c for raw in raws for c in raw]
        return curve_from_results(plan, counts, shots=record.get("shots"), metadata=metadata)
    evs = np.concatenate([np.asarray(raw["evs"], dtype=float) for raw in raws])
    stds = np.concatenate([np.asarray(raw["stds"], dtype=float) for raw in raws])
    return _estimator_curve(record["plan"], evs, stds, {**metadata, "shots": record.get("shots")})


class FakeBackend(RuntimeBackend):
    """``fake:<name>``: runtime local mode on a qiskit-ibm-runtime fake backend (offline)."""

    def __init__(self, device_name: str, *, fractional_gates: bool = False, restrict_noise: bool = True, **options):
        device = fake_device(device_name, fractional_gates=fractional_gates)
        short = device.name.removeprefix("fake_")
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

    def _retrieve(self, job_id: str):
        """A job alive in this process, else the job retrieved from IBM Quantum by its id."""
        return LOCAL_JOBS.get(job_id) or self.service.job(job_id)


def resume_jobs(results_dir, *, service=None, account: dict | None = None) -> ChargingCurve:
    """Finish an interrupted single-backend run from its results directory (``jobs.json``).

    A finished run returns its stored curve. Otherwise each job's stored result is used, else the job
    still alive in this process (a ``wait=False`` local run), else — for ``ibm:`` — the job retrieved
    by its id through ``service`` (an object with ``job(job_id)``; default: the user's saved Qiskit
    Runtime account). A ``fake:`` job whose process died cannot be retrieved: run again (the protocol
    run store, :func:`qbhw.run`, does that by itself).
    """
    ledger = FileJobLedger(results_dir)
    data = ledger.read()
    done = ledger.stored_curve()
    if done is not None:
        return done
    raws = []
    for entry in data["jobs"]:
        job_id = entry["job_id"]
        raw = ledger.stored_result(job_id)
        if raw is None:
            job = LOCAL_JOBS.get(job_id)
            if job is None:
                if str(data.get("backend", "")).startswith("fake:"):
                    raise ConfigError("jobs of a fake (local) backend live only in the process that ran them; run "
                                      "again (qbhw.run resubmits them by itself)", argument="results_dir",
                                      allowed="a results directory of an ibm: run, or of a local run in this process")
                if service is None:
                    from .accounts import load_runtime_service

                    service = load_runtime_service(**(account or {}))
                job = service.job(job_id)
            raw = _raw_result(job.result(), data.get("primitive", "sampler"))
            ledger.store_result(job_id, raw)
        raws.append(raw)
    meta = {"backend": data["backend"], "job_ids": [j["job_id"] for j in data["jobs"]], "mode": data.get("mode"),
            "primitive": data.get("primitive", "sampler"), "resumed": True}
    curve = curve_from_raw({**data, "primitive": data.get("primitive", "sampler")}, raws, meta)
    ledger.record_done(curve)
    return curve

