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


def test_local_fake_run_resumes_in_its_process_and_is_refused_after_it_died(tmp_path):
    from qbhw.backends.jobs import LOCAL_JOBS

    prog = tfim_charging(field_in_charging=False)
    assert get_backend("fake:perth").run(prog, [0.3, 0.6], shots=100, seed=1, results_dir=tmp_path / "a",
                                         wait=False) is None
    curve = resume(tmp_path / "a")  # the local job is still alive in this process: wait=False returned a handle
    assert curve.metadata["resumed"] and np.all(curve.energy_stderr > 0)
    get_backend("fake:perth").run(prog, [0.3, 0.6], shots=100, seed=1, results_dir=tmp_path / "b", wait=False)
    for job_id in [j["job_id"] for j in JobStore(tmp_path / "b").read()["jobs"]]:
        LOCAL_JOBS.pop(job_id).result()  # as if the process that ran it had died
    with pytest.raises(ConfigError, match="fake"):
        resume(tmp_path / "b")
    again = get_backend("fake:perth").run(prog, [0.3, 0.6], shots=100, seed=1, results_dir=tmp_path / "b")
    saved = JobStore(tmp_path / "b").read()
    assert saved["status"] == "done" and len(saved["previous_jobs"]) == 1  # resubmitted, the old id kept
    assert again.metadata["job_ids"] == [saved["jobs"][0]["job_id"]]
    from qbhw.errors import QbhwError

    with pytest.raises(QbhwError):
        resume(tmp_path / "nothing-here")


def test_rerun_into_a_results_dir_with_other_settings_is_refused(tmp_path):
    from qbhw.errors import RunMismatchError

    prog = tfim_charging(field_in_charging=False)
    get_backend("fake:perth").run(prog, [0.3, 0.6], shots=100, seed=1, results_dir=tmp_path, wait=False)
    before = (tmp_path / "jobs.json").read_text()
    with pytest.raises(RunMismatchError, match="shots"):
        get_backend("fake:perth").run(prog, [0.3, 0.6], shots=200, seed=1, results_dir=tmp_path)
    assert (tmp_path / "jobs.json").read_text() == before  # the paid jobs are not orphaned


def test_truncated_results_files_are_reported_or_redone(tmp_path):
    from qbhw.errors import DataError

    prog = tfim_charging(field_in_charging=False)
    curve = get_backend("fake:perth").run(prog, [0.3, 0.6], shots=100, seed=1, results_dir=tmp_path)
    (tmp_path / "curve.json").write_text('{"format": "qbhw-curve/1", "times": [0.3')  # half-written by a crash
    again = resume(tmp_path)  # the curve is rebuilt from the stored job results, never read as valid
    assert np.array_equal(again.energy, curve.energy)
    (tmp_path / "jobs.json").write_text("{")
    with pytest.raises(DataError, match="jobs.json"):
        resume(tmp_path)


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


def test_a_backend_results_dir_is_read_by_the_fit_loaders_with_its_sigma(tmp_path):
    from qbhw.fit import read_results_dir

    curve = get_backend("aer").run(tfim_charging(field_in_charging=False), [0.0, 0.3, 0.6], shots=200, seed=3,
                                   results_dir=tmp_path)
    table = read_results_dir(tmp_path)  # the one results format: curve.json of the backend run
    fd = table.fit_data("t", "energy")
    np.testing.assert_array_equal(fd.y, curve.energy)
    np.testing.assert_array_equal(fd.sigma, curve.energy_stderr)  # σ travels with the data, never unit weights
    assert np.all(fd.sigma > 0) and fd.sigma_kind == "measured"
