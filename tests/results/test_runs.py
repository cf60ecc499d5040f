"""qbhw.run / qbhw.resume / qbhw.load_run: runs that survive SIGKILL, refuse changed settings, resume hardware
jobs, run on any executor, and round-trip exactly."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import qbhw
from qbhw.errors import RunMismatchError, StoreError
from qbhw.fit import FitResult
from qbhw.protocols import get
from qbhw.results.store import DB_FILE

STAR = {"n_chargers": 3, "coupling": 0.5, "times": {"start": 0.0, "stop": 2.0, "num": 11}}
SWEEP20 = {"coupling": [round(0.3 + 0.05 * k, 2) for k in range(20)]}
SAMPLED = {**STAR, "shots": 400, "seed": 1234}


def _same_data(a, b) -> None:
    assert a.parameters == b.parameters
    for name in ("times", "energy", "work"):
        np.testing.assert_array_equal(getattr(a.curve, name), getattr(b.curve, name))
    np.testing.assert_array_equal(a.curve.energy_stderr, b.curve.energy_stderr)


def test_run_store_round_trips_exactly(tmp_path):
    run = qbhw.run("star_charging", STAR, sweep={"coupling": [0.5, 1.0]}, out=tmp_path / "run", progress=False)
    assert run.done and run.status == "done" and len(run.points) == 2
    assert (tmp_path / "run" / DB_FILE).is_file() and (tmp_path / "run" / "manifest.json").is_file()
    manifest = run.manifest
    assert manifest["protocol"] == "star_charging" and manifest["backend"] == "exact"
    assert manifest["versions"]["qiskit"].startswith("2.") and manifest["created_at"].endswith("+00:00")
    back = qbhw.load_run(tmp_path / "run")
    assert back.parameters == get("star_charging").Parameters(**STAR)
    assert back.sweep == {"coupling": [0.5, 1.0]}
    for k in range(2):
        p, q = run.points[k], back.points[k]
        assert (p.index, p.status, p.completed_at, p.attempts, p.job_ids) == (q.index, q.status, q.completed_at,
                                                                             q.attempts, q.job_ids)
        assert q.completed_at.endswith("+00:00") and q.attempts == 1 and q.job_ids == ()
        _same_data(run.data[k], back.data[k])
        assert back.curves[k].energy_stderr is None  # exact runs carry no shot noise
        fit = back.analysis[k].fit
        assert fit.quality == "good", fit.flags  # J = 0.5 is met exactly from the start: zero residual, σ = 0
        assert fit.parameter_estimates["coupling"].value == pytest.approx([0.5, 1.0][k], rel=1e-8)
        again = FitResult.from_json(fit.to_json())
        assert again.to_dict() == fit.to_dict()
        assert back.figures[k] is not None and back.figures[k].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rerun_recomputes_nothing_and_changed_settings_are_refused_read_only(tmp_path):
    out = tmp_path / "run"
    first = qbhw.run("star_charging", STAR, sweep={"coupling": [0.5, 1.0]}, out=out, progress=False)
    again = qbhw.run("star_charging", STAR, sweep={"coupling": [0.5, 1.0]}, out=out, progress=False)
    assert again.session["computed"] == 0 and again.session["already_done"] == 2
    assert [p.completed_at for p in again.points] == [p.completed_at for p in first.points]
    assert [p.attempts for p in again.points] == [1, 1]
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != "run.lock"}
    assert not any(name.endswith(("-wal", "-shm")) for name in before)  # closed cleanly
    with pytest.raises(RunMismatchError) as err:
        qbhw.run("star_charging", {**STAR, "n_chargers": 4}, sweep={"coupling": [0.5, 2.0]}, out=out, progress=False)
    assert "n_chargers" in str(err.value) and set(err.value.differences) == {"n_chargers", "sweep.coupling"}
    with pytest.raises(RunMismatchError, match="backend"):
        qbhw.run("star_charging", STAR, sweep={"coupling": [0.5, 1.0]}, backend="aer", out=out, progress=False)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != "run.lock"}
    assert after == before  # compared strictly read-only: no -wal/-shm, nothing rewritten
    # invalid input is refused before the directory is touched
    with pytest.raises(qbhw.QbhwError, match="coupling"):
        qbhw.run("star_charging", STAR, sweep={"coupling": [0.5, -1.0]}, out=tmp_path / "bad", progress=False)
    with pytest.raises(qbhw.QbhwError, match="sweep"):
        qbhw.run("star_charging", STAR, sweep={"not_a_parameter": [1]}, out=tmp_path / "bad", progress=False)
    assert not (tmp_path / "bad").exists()


def test_half_written_figures_are_redrawn_and_foreign_directories_refused(tmp_path):
    out = tmp_path / "run"
    run = qbhw.run("star_charging", STAR, sweep={"coupling": [0.5, 1.0]}, out=out, progress=False)
    good = run.figures[1].read_bytes()
    run.figures[1].write_bytes(good[: len(good) // 2])  # torn write
    assert qbhw.load_run(out).figures[1] is None  # detected by its SHA-256, never read as valid
    fixed = qbhw.resume(out, progress=False)
    assert fixed.session["computed"] == 0 and fixed.session["figures_redrawn"] == 1
    assert fixed.figures[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(StoreError):
        qbhw.resume(tmp_path / "nothing")
    with pytest.raises(StoreError):
        qbhw.load_run(tmp_path / "nothing")


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from concurrent.futures import ProcessPoolExecutor
    import qbhw
    if __name__ == "__main__":
        with ProcessPoolExecutor(2) as ex:
            qbhw.run("star_charging", {params!r}, sweep={sweep!r}, backend="aer", out=sys.argv[1], executor=ex,
                     progress=False, figures=False)
""")


def _start(script: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(script), str(out)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_done_points(db: Path, count: int, proc: subprocess.Popen, timeout_s: float = 300.0) -> None:
    """Poll the run's database (read-only) until ``count`` points are committed (or the run ends)."""
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None and time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as con:
                    if con.execute("SELECT COUNT(*) FROM points WHERE status = 'done'").fetchone()[0] >= count:
                        return
            except sqlite3.Error:  # being created or locked: look again
                pass
        time.sleep(0.01)


def test_sigkill_at_random_moments_then_resume_equals_an_uninterrupted_run(tmp_path):
    script = tmp_path / "sweep.py"
    script.write_text(KILL_SCRIPT.format(params=SAMPLED, sweep=SWEEP20))
    # the uninterrupted reference, timed: when the store appears and when the run ends
    ref_dir = tmp_path / "reference"
    t0 = time.monotonic()
    proc = _start(script, ref_dir)
    t_store = None
    while proc.poll() is None:
        if t_store is None and (ref_dir / DB_FILE).exists():
            t_store = time.monotonic() - t0
        time.sleep(0.02)
    t_end = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr.read().decode()
    reference = qbhw.load_run(ref_dir)
    assert reference.done and len(reference.points) == 20
    assert all(np.all(c.energy_stderr > 0) for c in reference.curves)  # shot noise never 0 (Jeffreys)

    rng = random.Random(20261203)
    # four kills at random moments of the reference's timeline (which a loaded machine stretches), and two
    # when a random number of points is committed, so that at least two land mid-sweep on any machine
    moments = [t_store + (t_end - t_store) * f for f in sorted(rng.uniform(0.0, 0.95) for _ in range(4))]
    moments += [("after", rng.randint(2, 16)), ("after", rng.randint(2, 16))]
    partial = 0
    for k, moment in enumerate(moments):
        out = tmp_path / f"killed-{k}"
        proc = _start(script, out)
        if isinstance(moment, tuple):
            _wait_for_done_points(out / DB_FILE, moment[1], proc)
        else:
            time.sleep(moment)
        os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: driver and pool workers
        proc.wait()
        before = qbhw.load_run(out) if (out / DB_FILE).exists() else None
        done_before = {p.index: p.completed_at for p in before.points if p.done} if before else {}
        partial += 0 < len(done_before) < 20
        if before is None or k % 2:  # rerunning with the same out and parameters resumes too
            resumed = qbhw.run("star_charging", SAMPLED, sweep=SWEEP20, backend="aer", out=out, progress=False,
                               figures=False)
        else:
            resumed = qbhw.resume(out, progress=False, figures=False)
        assert resumed.done and len(resumed.points) == 20
        assert resumed.session["computed"] == 20 - len(done_before)  # nothing complete recomputed
        assert [p.index for p in resumed.points] == list(range(20))  # one record per point
        for idx, completed in done_before.items():
            assert resumed.points[idx].completed_at == completed
        for a, b in zip(resumed.data, reference.data):
            _same_data(a, b)
        for a, b in zip(resumed.analysis, reference.analysis):
            assert a.fit.parameter_estimates["coupling"].value == b.fit.parameter_estimates["coupling"].value
        with sqlite3.connect(out / DB_FILE) as con:
            assert con.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM points").fetchone() == (20, 20)
    assert partial >= 2, "the kills should have landed mid-sweep at least twice"


def test_fake_run_killed_after_submission_resumes(tmp_path):
    out = tmp_path / "fake"
    params = {"n_chargers": 2, "coupling": 0.5, "times": {"start": 0.0, "stop": 2.0, "num": 5}, "shots": 300}
    code = textwrap.dedent(f"""
        import qbhw
        run = qbhw.run("star_charging", {params!r}, sweep={{"coupling": [0.5, 1.0]}}, backend="fake:perth",
                       out={str(out)!r}, progress=False, wait=False)
        assert run.status == "submitted", run.status
        print(*[j for p in run.points for j in p.job_ids])
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    submitted = proc.stdout.split()
    assert len(submitted) == 2  # one job per point, recorded at submission; then the process (and its jobs) died
    handle = qbhw.load_run(out)
    assert [p.status for p in handle.points] == ["submitted", "submitted"]
    assert [j for p in handle.points for j in p.job_ids] == submitted
    run = qbhw.resume(out, progress=False)
    assert run.done and all(np.all(c.energy_stderr > 0) for c in run.curves)
    assert [p.attempts for p in run.points] == [2, 2]  # the local jobs were gone: submitted once more
    assert set(run.job_results) == {j for p in run.points for j in p.job_ids}  # each job's raw counts stored
    assert all(isinstance(raw, list) and raw and isinstance(raw[0], dict) for raw in run.job_results.values())
    again = qbhw.resume(out, progress=False)
    assert again.session["computed"] == 0
    assert [p.job_ids for p in again.points] == [p.job_ids for p in run.points]


def test_fake_run_wait_false_returns_a_handle_finished_in_process(tmp_path):
    params = {"n_chargers": 2, "coupling": 0.5, "times": {"start": 0.0, "stop": 2.0, "num": 5}, "shots": 300}
    handle = qbhw.run("star_charging", params, backend="fake:perth", out=tmp_path / "h", progress=False,
                      wait=False)
    assert handle.status == "submitted" and handle.curves == [None]
    job_ids = handle.points[0].job_ids
    run = handle.resume(progress=False)
    assert run.done and run.points[0].job_ids == job_ids and run.points[0].attempts == 1  # the live job collected
    assert run.backend_snapshot["num_qubits"] == 7 and run.backend_snapshot["name"] == "fake_perth"  # taken at submission


def test_dask_local_cluster_runs_the_same_sweep(tmp_path):
    distributed = pytest.importorskip("distributed")
    serial = qbhw.run("star_charging", STAR, sweep={"coupling": [0.5, 0.75, 1.0]}, out=tmp_path / "serial",
                      progress=False, figures=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            run = qbhw.run("star_charging", STAR, sweep={"coupling": [0.5, 0.75, 1.0]}, out=tmp_path / "dask",
                           executor=client.get_executor(), progress=False, figures=False)
    assert run.done
    for a, b in zip(run.data, serial.data):
        _same_data(a, b)


def _syk(seed):
    from qbhw.models import SYKBattery

    return SYKBattery(4, seed=seed)


def test_disorder_average_through_a_process_pool_equals_serial():
    from concurrent.futures import ProcessPoolExecutor

    from qbhw.solvers import disorder_average

    t = np.linspace(0, 1, 6)
    serial = disorder_average(_syk, [1, 2, 3], t)
    import multiprocessing

    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as ex:
        pooled = disorder_average(_syk, [1, 2, 3], t, executor=ex)
    np.testing.assert_allclose(pooled.energy, serial.energy, rtol=1e-12, atol=1e-14)
    assert pooled.metadata["seeds"] == [1, 2, 3]


class _IBMService:
    """Stands in for QiskitRuntimeService: ``backend(name)`` → a fake device, ``job(id)`` → a job it holds."""

    def __init__(self):
        from qbhw.backends import fake_device

        self.device = fake_device("perth")
        self.jobs = {}
        self.retrieved = []

    def backend(self, name, **kwargs):
        return self.device

    def job(self, job_id):
        self.retrieved.append(job_id)
        return self.jobs[job_id]


def test_ibm_jobs_are_recorded_at_submission_and_retrieved_not_resubmitted(tmp_path):
    from qbhw.backends.jobs import LOCAL_JOBS

    service = _IBMService()
    params = {"n_chargers": 2, "coupling": 0.5, "times": {"start": 0.0, "stop": 2.0, "num": 5}, "shots": 300}
    handle = qbhw.run("star_charging", params, sweep={"coupling": [0.5, 1.0]}, backend="ibm:ibm_perth",
                      backend_options={"service": service}, out=tmp_path / "ibm", progress=False, wait=False)
    ids = [p.job_ids for p in handle.points]
    assert handle.status == "submitted" and all(len(j) == 1 for j in ids)
    assert "service" not in handle.manifest["backend_options"]  # an access path, not a setting
    for (job_id,) in ids:  # the jobs now live at IBM only: a new process would find them by id
        service.jobs[job_id] = LOCAL_JOBS.pop(job_id)
    run = qbhw.resume(tmp_path / "ibm", service=service, progress=False)
    assert run.done and [p.job_ids for p in run.points] == ids and [p.attempts for p in run.points] == [1, 1]
    assert sorted(service.retrieved) == sorted(j for (j,) in ids)  # retrieved by id, nothing resubmitted
    again = qbhw.run("star_charging", params, sweep={"coupling": [0.5, 1.0]}, backend="ibm:ibm_perth",
                     backend_options={"service": service}, out=tmp_path / "ibm", progress=False)
    assert again.session["computed"] == 0 and len(service.retrieved) == 2
