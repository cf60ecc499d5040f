"""Bad input gives specific errors; IBM runs record job ids at submission and resume from them (mocked service)."""

import json

import numpy as np
import pytest

from qbhw.backends import (IBMQuantumBackend, JobStore, MISSING_ACCOUNT_HELP, get_backend,
                           load_runtime_service, resume)
from qbhw.compile import star_charging, tfim_charging
from qbhw.errors import ConfigError, DimensionMismatchError, InvalidArgumentError, QbhwError


def test_unknown_backend_names():
    for name in ("foo", "fake:nonexistent_device", "aer:magic", "ibm:", 42):
        with pytest.raises(ConfigError) as info:
            get_backend(name)
        assert isinstance(info.value, QbhwError) and info.value.argument in ("backend", "name")


def test_circuit_wider_than_the_backend(perth):
    wide = star_charging(8, 0.5)  # 9 qubits on the 7-qubit Falcon
    with pytest.raises(DimensionMismatchError, match="needs 9 qubits"):
        get_backend("fake:perth").run(wide, [0.5], shots=100)
    with pytest.raises(DimensionMismatchError):
        get_backend("aer:density_matrix", noise=perth).run(wide, [0.5])


@pytest.mark.parametrize("shots", [0, -5, 2.5, True])
def test_shots_must_be_positive_integers(shots):
    prog = tfim_charging(field_in_charging=False)
    for name in ("aer", "fake:perth"):
        with pytest.raises(InvalidArgumentError) as info:
            get_backend(name).run(prog, [0.5], shots=shots)
        assert info.value.argument == "shots"
    with pytest.raises(InvalidArgumentError):
        get_backend("exact").run(prog, [0.5], shots=100)


def test_missing_ibm_account_says_how_to_save_one(tmp_path):
    empty = tmp_path / "qiskit-ibm.json"
    with pytest.raises(ConfigError) as info:
        load_runtime_service(account_file=str(empty))
    msg = str(info.value)
    assert "save_account" in msg and "QISKIT_IBM_TOKEN" in msg and "never stores tokens" in msg
    backend = IBMQuantumBackend("ibm_torino", account={"account_file": str(empty)})
    with pytest.raises(ConfigError, match="save_account"):
        backend.run(tfim_charging(field_in_charging=False), [0.5], shots=10)
    assert "save_account" in MISSING_ACCOUNT_HELP


def test_qiskit_runtime_service_is_blocked_in_tests():
    from qiskit_ibm_runtime import QiskitRuntimeService

    with pytest.raises(RuntimeError, match="must not"):
        QiskitRuntimeService(channel="ibm_quantum_platform", token="not-a-token")


class MockService:
    """Stands in for QiskitRuntimeService: ``backend(name)`` → a fake device, ``job(id)`` → a known job."""

    def __init__(self, device):
        self.device = device
        self.jobs = {}
        self.backend_calls = []

    def backend(self, name, **kwargs):
        self.backend_calls.append((name, kwargs))
        return self.device

    def job(self, job_id):
        return self.jobs[job_id]


def test_ibm_run_records_job_ids_and_resumes_after_interrupt(tmp_path, perth, monkeypatch):
    from qiskit_ibm_runtime.fake_provider.local_runtime_job import LocalRuntimeJob

    service = MockService(perth)
    prog = tfim_charging(field_in_charging=False)
    t = np.array([0.6, 1.0])
    original = LocalRuntimeJob.result

    def interrupted(self, *args, **kwargs):  # the user hits Ctrl-C while waiting for the job
        service.jobs[self.job_id()] = self
        raise KeyboardInterrupt

    monkeypatch.setattr(LocalRuntimeJob, "result", interrupted)
    backend = IBMQuantumBackend("ibm_perth", service=service, mode="batch")
    with pytest.raises(KeyboardInterrupt):
        backend.run(prog, t, shots=1000, seed=9, results_dir=tmp_path)
    saved = json.loads((tmp_path / "jobs.json").read_text())
    assert saved["status"] == "submitted" and saved["backend"] == "ibm:ibm_perth" and saved["mode"] == "batch"
    job_ids = [j["job_id"] for j in saved["jobs"]]
    assert job_ids == list(service.jobs)  # written before the wait, i.e. at submission
    assert saved["plan"]["times"] == [0.6, 1.0] and service.backend_calls == [("ibm_perth", {})]

    monkeypatch.setattr(LocalRuntimeJob, "result", original)
    curve = resume(tmp_path, service=service)
    assert curve.metadata["resumed"] and curve.metadata["job_ids"] == job_ids
    ideal = prog.ideal_values(t)["energy"]
    assert np.all(np.abs(curve.energy - ideal) < 0.15)  # noisy device, 1000 shots: same physics
    assert np.all(curve.energy_stderr > 0)
    assert JobStore(tmp_path).read()["status"] == "done"
    again = resume(tmp_path)  # finished runs are read back without any service
    assert np.allclose(again.energy, curve.energy)


def test_resume_of_local_fake_run_is_refused(tmp_path):
    get_backend("fake:perth").run(tfim_charging(field_in_charging=False), [0.6], shots=100, seed=1, results_dir=tmp_path, wait=False)
    with pytest.raises(ConfigError, match="fake"):
        resume(tmp_path)
    with pytest.raises(ConfigError):
        resume(tmp_path / "nothing-here")


def test_saved_account_is_found_locally_and_handed_to_the_runtime(tmp_path):
    """With an account saved in the user's file, qbhw passes it on to QiskitRuntimeService (blocked here)."""
    from qiskit_ibm_runtime import QiskitRuntimeService

    from qbhw.backends import has_saved_account

    path = tmp_path / "qiskit-ibm.json"
    QiskitRuntimeService.save_account(channel="ibm_quantum_platform", token="dummy-token-for-tests",
                                      instance="dummy-instance", filename=str(path), set_as_default=True)
    assert has_saved_account(account_file=str(path))
    with pytest.raises(RuntimeError, match="must not create a QiskitRuntimeService"):
        load_runtime_service(account_file=str(path))
    assert "dummy-token" not in json.dumps(get_backend("ibm:ibm_torino", account={"account_file": str(path)}).__dict__,
                                           default=repr)
