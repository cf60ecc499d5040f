"""Where a hardware run keeps its jobs: submitted job ids, finished job results, the finished curve.

A :class:`JobLedger` is handed to :meth:`RuntimeBackend.run <qbhw.backends.runtime.RuntimeBackend.run>`
(as ``results_dir``). The backend

1. asks the ledger for an earlier submission of the same execution plan; if there is one it does not
   submit again but collects those jobs (a stored result, a job still alive in this process, or — for
   ``ibm:`` — the job retrieved from IBM Quantum by its id);
2. otherwise submits and records the job ids *at submission*, before waiting;
3. stores each job's raw result as soon as it has it, then the curve.

Two ledgers exist: :class:`FileJobLedger` (a plain results directory: ``jobs.json``, ``job-<id>.json``,
``curve.json``, every file written atomically) and the per-point ledger of the run store
(:mod:`qbhw.results`), which keeps the same records in its SQLite database.

Jobs of ``fake:`` backends run in a thread of the process that submitted them (qiskit-ibm-runtime local
mode): they are kept in :data:`LOCAL_JOBS` so that a ``wait=False`` run can be finished in the same
process; a job whose process died is gone, and the backend submits the plan again (its result is
stored the moment it exists, so a killed local run loses only unfinished jobs).
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError, RunMismatchError
from ..metrics import ChargingCurve
from ..serialization import atomic_write_text, dumps, from_jsonable, loads, to_jsonable

__all__ = ["LOCAL_JOBS", "FileJobLedger", "JobLedger", "JobsPending", "as_ledger", "compare_submission",
    "refuse_other_submission",
    "with_history", "utc_now"]

#: job id → live job object of a local (fake) run, in this process
LOCAL_JOBS: dict[str, Any] = {}


def utc_now() -> str:
    """The current time as ISO-8601 UTC (``2026-12-03T10:07:10.123456+00:00``)."""
    return _dt.datetime.now(_dt.UTC).isoformat()


class JobsPending(Exception):
    """Raised through a protocol's acquisition when jobs were submitted with ``wait=False``
    (control flow of :func:`qbhw.run`, not an error): ``job_ids`` are recorded and can be collected later."""

    def __init__(self, job_ids: list[str]):
        super().__init__(f"jobs submitted, not waited for: {', '.join(job_ids)}")
        self.job_ids = list(job_ids)


class JobLedger:
    """Interface of a job ledger (see module docstring). ``wait``: whether the caller waits for results."""

    wait: bool = True
    #: raise :class:`JobsPending` (instead of returning ``None``) when jobs were left running
    raise_pending: bool = False

    def submission(self) -> dict | None:
        """The recorded submission (backend, primitive, shots, mode, plan, jobs) or ``None``."""
        raise NotImplementedError

    def record_submission(self, record: dict) -> None:
        """Record a submission; called right after the jobs were submitted, before any wait."""
        raise NotImplementedError

    def stored_result(self, job_id: str) -> Any | None:
        """The stored raw result of a finished job (JSON data), or ``None``."""
        raise NotImplementedError

    def store_result(self, job_id: str, raw: Any) -> None:
        """Store a finished job's raw result (counts, or estimator values) as soon as it exists."""
        raise NotImplementedError

    def record_done(self, curve: ChargingCurve) -> None:
        """The run's curve is complete (called last: the curve is written before the status says done)."""
        raise NotImplementedError


def refuse_other_submission(previous: dict | None, record: dict) -> None:
    """Refuse (before anything is submitted or overwritten) a run whose ledger already records a submission
    with other settings: :class:`~qbhw.errors.RunMismatchError` naming each difference."""
    diff = {} if previous is None else compare_submission(previous, record)
    if diff:
        raise RunMismatchError(
            f"the results directory already records a run with other settings ({', '.join(sorted(diff))}); "
            "nothing was submitted or overwritten — use a new results directory", differences=diff,
            argument="results_dir", allowed="an empty directory or the same run")


def with_history(previous: dict | None, record: dict) -> dict:
    """A resubmission's record, keeping the jobs of the earlier submissions under ``previous_jobs``."""
    if previous is None:
        return record
    return {**record, "previous_jobs": previous.get("previous_jobs", []) + previous.get("jobs", [])}


def compare_submission(previous: dict, record: dict) -> dict[str, tuple[Any, Any]]:
    """What differs between a recorded submission and a new one (backend, primitive, shots, mode, plan)."""
    diff = {}
    for key in ("backend", "primitive", "shots", "mode"):
        if previous.get(key) != record.get(key):
            diff[key] = (previous.get(key), record.get(key))
    old_plan = json.loads(json.dumps(previous.get("plan"), default=repr))
    new_plan = json.loads(json.dumps(record.get("plan"), default=repr))
    if old_plan != new_plan:
        keys = sorted(k for k in set(old_plan or {}) | set(new_plan or {})
                      if (old_plan or {}).get(k) != (new_plan or {}).get(k))
        for k in keys:
            diff[f"plan.{k}"] = ((old_plan or {}).get(k), (new_plan or {}).get(k))
    return diff


class FileJobLedger(JobLedger):
    """A results directory: ``jobs.json`` (submission and status), ``job-<id>.json`` (each finished job's
    raw result) and ``curve.json`` (the curve, :meth:`ChargingCurve.to_json` format), all written atomically
    (temporary file, fsync, rename), so a killed process leaves either the old or the complete new file."""

    JOBS_FILE = "jobs.json"
    CURVE_FILE = "curve.json"

    def __init__(self, results_dir, *, wait: bool = True):
        self.dir = Path(results_dir)
        self.path = self.dir / self.JOBS_FILE
        self.wait = bool(wait)

    # -- reading ------------------------------------------------------------------------------
    def read(self) -> dict:
        """``jobs.json`` as a dict (ConfigError when absent, DataError when unreadable)."""
        if not self.path.exists():
            raise ConfigError(f"no {self.JOBS_FILE} in {self.dir}", argument="results_dir",
                              allowed="a results directory written by a qbhw hardware run")
        try:
            return json.loads(self.path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DataError(f"{self.path} is not valid JSON ({exc}); it was not written by qbhw's atomic writer",
                            argument="results_dir", allowed="a results directory written by a qbhw hardware run") \
                from exc

    def submission(self) -> dict | None:
        return self.read() if self.path.exists() else None

    def stored_result(self, job_id: str) -> Any | None:
        path = self.dir / f"job-{job_id}.json"
        if not path.exists():
            return None
        try:
            return from_jsonable(loads(path.read_text()))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None  # half-written by something else: redo, never read as valid

    def stored_curve(self) -> ChargingCurve | None:
        """The finished curve, when the status says done and the curve file is complete."""
        data = self.submission()
        path = self.dir / self.CURVE_FILE
        if data is None or data.get("status") != "done" or not path.exists():
            return None
        try:
            return ChargingCurve.from_json(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError, DataError, KeyError):
            return None

    # -- writing ------------------------------------------------------------------------------
    def _write(self, data: dict) -> None:
        atomic_write_text(self.path, json.dumps(data, indent=1, default=repr))

    def record_submission(self, record: dict) -> None:
        self._write({**with_history(self.submission(), record), "status": "submitted"})

    def store_result(self, job_id: str, raw: Any) -> None:
        atomic_write_text(self.dir / f"job-{job_id}.json", dumps(to_jsonable(raw), indent=None))

    def record_done(self, curve: ChargingCurve) -> None:
        atomic_write_text(self.dir / self.CURVE_FILE, curve.to_json())
        data = self.read()
        data["status"] = "done"
        data["finished"] = utc_now()
        self._write(data)


def as_ledger(results_dir, *, wait: bool = True) -> JobLedger | None:
    """A ledger for ``results_dir``: ``None``, a :class:`JobLedger` (used as is) or a directory path."""
    if results_dir is None:
        return None
    if isinstance(results_dir, JobLedger):
        return results_dir
    return FileJobLedger(results_dir, wait=wait)
