"""The run store: one directory per run, an SQLite database in WAL mode for every record.

Why SQLite
    A sweep's records are many small, independent updates that must each be all-or-nothing: a point is
    complete exactly when its row says so, and a process killed at any instant (SIGKILL, power loss)
    must leave either the old or the new state. SQLite transactions give that atomicity and durability
    for free (``synchronous=FULL`` with the write-ahead log: a committed transaction survives a crash of
    the process or of the machine), readers never see a half-written record, and one file holds
    manifest, points, job ids and raw results — the approach of QCoDeS datasets. Atomic files (temporary
    file + fsync + rename) are used only for what is naturally a file: the figures (PNG) and
    ``manifest.json``, a human-readable copy of the manifest. A figure's SHA-256 is committed with its
    row, so a half-written or foreign file is detected and redrawn, never read as valid.

Layout of a run directory::

    run.sqlite          meta (manifest, status, backend snapshot), points, jobs, job_results
    run.sqlite-wal/-shm SQLite's write-ahead log while the run is open
    manifest.json       copy of the manifest (never read back: the database is authoritative)
    figures/            point-0000.png …
    run.lock            locked (lockf) by the one process driving the run

The database is created complete — schema, manifest, every point of the grid as ``pending`` — in a
temporary file that is renamed into place, so the manifest exists before any work starts and a
directory either holds a whole run or no run. The manifest never changes afterwards and is in the main
database file (not only in the log), which lets :func:`read_manifest` compare a new request against
it strictly read-only (``mode=ro&immutable=1``: no ``-wal``/``-shm`` file is created).

Only the driving process writes (workers return their results to it); commits are idempotent per point
(a point's row is written only while it is not ``done``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..backends.jobs import JobLedger, utc_now, with_history
from ..errors import StoreError
from ..serialization import (
    atomic_write_bytes,
    atomic_write_text,
    dumps,
    from_jsonable,
    loads,
    to_jsonable,
)

__all__ = [
    "DB_FILE",
    "POINT_STATUSES",
    "RUN_FORMAT",
    "PointLedger",
    "RunStore",
    "is_run_dir",
    "point_key",
    "read_manifest",
]

DB_FILE = "run.sqlite"
LOCK_FILE = "run.lock"
MANIFEST_FILE = "manifest.json"
FIGURES_DIR = "figures"
#: format tag of a run directory
RUN_FORMAT = "qbhw-run/1"
#: pending → running (handed to a worker) or submitted (hardware jobs recorded) → done | failed
POINT_STATUSES = ("pending", "running", "submitted", "done", "failed")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE points (
    idx INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    parameters TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at TEXT,
    completed_at TEXT,
    job_ids TEXT NOT NULL DEFAULT '[]',
    data TEXT,
    results TEXT,
    analysis_error TEXT,
    error TEXT,
    elapsed_s REAL
);
CREATE TABLE jobs (idx INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE job_results (job_id TEXT PRIMARY KEY, idx INTEGER NOT NULL, raw TEXT NOT NULL, stored_at TEXT NOT NULL);
CREATE TABLE figures (idx INTEGER PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT NOT NULL);
"""


def point_key(parameters: Mapping[str, Any]) -> str:
    """SHA-256 of a point's parameters in canonical JSON (sorted keys): its identity in the store."""
    text = json.dumps(to_jsonable(dict(parameters)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def is_run_dir(path) -> bool:
    """Whether ``path`` holds a run database."""
    return (Path(path) / DB_FILE).is_file()


def read_manifest(path) -> dict:
    """The manifest of the run in ``path``, read strictly read-only (``mode=ro&immutable=1``)."""
    db = Path(path) / DB_FILE
    if not db.is_file():
        raise StoreError(f"{path} holds no qbhw run ({DB_FILE} missing)", argument="path",
                         allowed="a directory written by qbhw.run")
    uri = f"{db.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'manifest'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{db} is not a readable run database ({exc})", argument="path",
                         allowed="a directory written by qbhw.run") from exc
    if row is None:
        raise StoreError(f"{db} has no manifest", argument="path", allowed="a directory written by qbhw.run")
    return from_jsonable(loads(row[0]))


class RunStore:
    """An open run directory (see module docstring). Use :meth:`create` or :meth:`open`."""

    def __init__(self, path, con: sqlite3.Connection, *, writable: bool):
        self.path = Path(path)
        self._con = con
        self.writable = writable
        self._lock_fd: int | None = None

    # ---- creation and opening ----------------------------------------------------------------
    @classmethod
    def create(cls, path, manifest: Mapping[str, Any], points: Sequence[Mapping[str, Any]]) -> RunStore:
        """Create the run: database with manifest and every point ``pending``, renamed into place."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        db = path / DB_FILE
        if db.exists():
            raise StoreError(f"{path} already holds a run", argument="out", allowed="a new directory")
        tmp = path / f".{DB_FILE}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        con = sqlite3.connect(tmp)
        try:
            con.executescript(_SCHEMA)
            with con:
                con.execute("INSERT INTO meta VALUES ('manifest', ?)", (dumps(to_jsonable(dict(manifest))),))
                con.execute("INSERT INTO meta VALUES ('status', ?)", (json.dumps("created"),))
                con.executemany("INSERT INTO points (idx, key, parameters) VALUES (?, ?, ?)",
                                [(k, point_key(p), dumps(to_jsonable(dict(p)), indent=None))
                                 for k, p in enumerate(points)])
        finally:
            con.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, db)
        atomic_write_text(path / MANIFEST_FILE, dumps(to_jsonable(dict(manifest))))
        return cls.open(path, writable=True)

    @classmethod
    def open(cls, path, *, writable: bool = True) -> RunStore:
        """Open an existing run; ``writable`` takes the run's lock (one driving process at a time)."""
        path = Path(path)
        db = path / DB_FILE
        if not db.is_file():
            raise StoreError(f"{path} holds no qbhw run ({DB_FILE} missing)", argument="path",
                             allowed="a directory written by qbhw.run")
        lock_fd = cls._lock(path) if writable else None
        try:
            if writable:
                con = sqlite3.connect(db, timeout=30.0)
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("PRAGMA synchronous=FULL")
            else:
                con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)
            con.execute("SELECT value FROM meta WHERE key = 'manifest'").fetchone()
        except sqlite3.DatabaseError as exc:
            if lock_fd is not None:
                os.close(lock_fd)
            raise StoreError(f"{db} is not a readable run database ({exc})", argument="path",
                             allowed="a directory written by qbhw.run") from exc
        store = cls(path, con, writable=writable)
        store._lock_fd = lock_fd
        return store

    @staticmethod
    def _lock(path: Path, wait_s: float = 5.0) -> int | None:
        """Take the run's lock: a POSIX record lock (``lockf``), held by this process only — unlike
        ``flock`` it is not inherited by forked pool workers, and the kernel drops it when the process
        dies, however it dies. A lock still held after ``wait_s`` means another live driver."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            return None
        import time

        fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except OSError as exc:
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise StoreError(f"the run in {path} is being driven by another process", argument="out",
                                     allowed="wait for that process, or use another directory") from exc
                time.sleep(0.05)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        if not self.writable:
            raise StoreError("the run was opened read-only", argument="store", allowed="a writable store")
        with self._con:
            yield self._con

    # ---- meta ---------------------------------------------------------------------------------
    def meta(self, key: str, default: Any = None) -> Any:
        row = self._con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else from_jsonable(loads(row[0]))

    def set_meta(self, key: str, value: Any) -> None:
        if key == "manifest":
            raise StoreError("the manifest never changes", argument="key", allowed="any key but 'manifest'")
        with self._tx() as con:
            con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (key, dumps(to_jsonable(value), indent=None)))

    @property
    def manifest(self) -> dict:
        return self.meta("manifest")

    # ---- points -------------------------------------------------------------------------------
    _COLUMNS = ("idx", "key", "parameters", "status", "attempts", "started_at", "completed_at", "job_ids", "data",
                "results", "analysis_error", "error", "elapsed_s")

    def points(self, *, with_payload: bool = True) -> list[dict]:
        """Every point row in grid order (``data``/``results`` left as JSON text; None unless done)."""
        cols = self._COLUMNS if with_payload else tuple(c for c in self._COLUMNS if c not in ("data", "results"))
        rows = self._con.execute(f"SELECT {', '.join(cols)} FROM points ORDER BY idx").fetchall()
        out = []
        for row in rows:
            d = dict(zip(cols, row))
            d["parameters"] = from_jsonable(loads(d["parameters"]))
            d["job_ids"] = json.loads(d["job_ids"])
            out.append(d)
        return out

    def statuses(self) -> dict[int, str]:
        return dict(self._con.execute("SELECT idx, status FROM points").fetchall())

    def mark_started(self, indices: Sequence[int], status: str = "running") -> None:
        """Points handed to workers (or submitted): ``attempts`` + 1, never for a point already done."""
        now = utc_now()
        with self._tx() as con:
            con.executemany("UPDATE points SET status = ?, attempts = attempts + 1, started_at = ?, error = NULL "
                            "WHERE idx = ? AND status != 'done'", [(status, now, int(i)) for i in indices])

    def set_status(self, index: int, status: str, *, job_ids: Sequence[str] | None = None) -> None:
        with self._tx() as con:
            if job_ids is None:
                con.execute("UPDATE points SET status = ? WHERE idx = ? AND status != 'done'", (status, int(index)))
            else:
                con.execute("UPDATE points SET status = ?, job_ids = ? WHERE idx = ? AND status != 'done'",
                            (status, json.dumps(list(job_ids)), int(index)))

    def commit_point(self, index: int, key: str, *, data_json: str, results_json: str | None,
                     analysis_error: str | None, job_ids: Sequence[str] = (), elapsed_s: float | None = None,
                     figure_png: bytes | None = None) -> bool:
        """Store a finished point in one transaction (its figure first, atomically); ``False`` (and nothing
        written) when the point was already done — commits are idempotent per point key."""
        row = self._con.execute("SELECT key, status FROM points WHERE idx = ?", (int(index),)).fetchone()
        if row is None or row[0] != key:
            raise StoreError(f"point {index} of {self.path} has another key", argument="index",
                             allowed="a point of this run")
        if row[1] == "done":
            return False
        figure = self._write_figure(index, figure_png) if figure_png is not None else None
        with self._tx() as con:
            cur = con.execute(
                "UPDATE points SET status = 'done', completed_at = ?, data = ?, results = ?, analysis_error = ?, "
                "job_ids = ?, elapsed_s = ?, error = NULL WHERE idx = ? AND key = ? AND status != 'done'",
                (utc_now(), data_json, results_json, analysis_error, json.dumps(list(job_ids)), elapsed_s,
                 int(index), key))
            if figure is not None and cur.rowcount:
                con.execute("INSERT INTO figures VALUES (?, ?, ?) ON CONFLICT(idx) DO UPDATE SET file = excluded.file, "
                            "sha256 = excluded.sha256", (int(index), *figure))
            return bool(cur.rowcount)

    def fail_point(self, index: int, error: str) -> None:
        with self._tx() as con:
            con.execute("UPDATE points SET status = 'failed', error = ? WHERE idx = ? AND status != 'done'",
                        (error, int(index)))

    def update_analysis(self, index: int, results_json: str | None, analysis_error: str | None) -> None:
        """Replace a done point's analysis (re-analysis never touches its data or ``completed_at``)."""
        with self._tx() as con:
            con.execute("UPDATE points SET results = ?, analysis_error = ? WHERE idx = ? AND status = 'done'",
                        (results_json, analysis_error, int(index)))

    # ---- figures ------------------------------------------------------------------------------
    def _write_figure(self, index: int, png: bytes) -> tuple[str, str]:
        rel = f"{FIGURES_DIR}/point-{int(index):04d}.png"
        atomic_write_bytes(self.path / rel, png)
        return rel, hashlib.sha256(png).hexdigest()

    def store_figure(self, index: int, png: bytes) -> Path:
        rel, sha = self._write_figure(index, png)
        with self._tx() as con:
            con.execute("INSERT INTO figures VALUES (?, ?, ?) ON CONFLICT(idx) DO UPDATE SET file = excluded.file, "
                        "sha256 = excluded.sha256", (int(index), rel, sha))
        return self.path / rel

    def figures(self) -> dict[int, Path]:
        """Figures whose file exists and matches its committed SHA-256 (others are treated as absent)."""
        out = {}
        for idx, rel, sha in self._con.execute("SELECT idx, file, sha256 FROM figures").fetchall():
            path = self.path / rel
            try:
                ok = hashlib.sha256(path.read_bytes()).hexdigest() == sha
            except OSError:
                ok = False
            if ok:
                out[int(idx)] = path
        return out

    # ---- hardware jobs ------------------------------------------------------------------------
    def job_record(self, index: int) -> dict | None:
        row = self._con.execute("SELECT record FROM jobs WHERE idx = ?", (int(index),)).fetchone()
        return None if row is None else json.loads(row[0])

    def record_jobs(self, index: int, record: Mapping[str, Any], *, resubmitted: bool = False) -> None:
        """Record a point's submission (its job ids) — a resubmission counts as a new attempt."""
        ids = [j["job_id"] for j in record.get("jobs", [])]
        with self._tx() as con:
            if resubmitted:
                con.execute("UPDATE points SET attempts = attempts + 1, started_at = ? WHERE idx = ? "
                            "AND status != 'done'", (utc_now(), int(index)))
            con.execute("INSERT INTO jobs VALUES (?, ?) ON CONFLICT(idx) DO UPDATE SET record = excluded.record",
                        (int(index), json.dumps(dict(record), default=repr)))
            con.execute("UPDATE points SET status = 'submitted', job_ids = ? WHERE idx = ? AND status != 'done'",
                        (json.dumps(ids), int(index)))

    def job_result(self, job_id: str) -> Any | None:
        row = self._con.execute("SELECT raw FROM job_results WHERE job_id = ?", (job_id,)).fetchone()
        return None if row is None else from_jsonable(loads(row[0]))

    def store_job_result(self, index: int, job_id: str, raw: Any) -> None:
        with self._tx() as con:
            con.execute("INSERT INTO job_results VALUES (?, ?, ?, ?) ON CONFLICT(job_id) DO NOTHING",
                        (job_id, int(index), dumps(to_jsonable(raw), indent=None), utc_now()))

    def job_results(self) -> dict[str, Any]:
        return {jid: from_jsonable(loads(raw)) for jid, raw in
                self._con.execute("SELECT job_id, raw FROM job_results ORDER BY idx").fetchall()}


class PointLedger(JobLedger):
    """The job ledger of one point of a run (the backend records job ids and raw results in the store)."""

    raise_pending = True

    def __init__(self, store: RunStore, index: int, *, wait: bool = True):
        self.store = store
        self.index = int(index)
        self.wait = bool(wait)

    def submission(self) -> dict | None:
        return self.store.job_record(self.index)

    def record_submission(self, record: dict) -> None:
        previous = self.submission()
        self.store.record_jobs(self.index, with_history(previous, record), resubmitted=previous is not None)

    def stored_result(self, job_id: str) -> Any | None:
        return self.store.job_result(job_id)

    def store_result(self, job_id: str, raw: Any) -> None:
        self.store.store_job_result(self.index, job_id, raw)

    def record_done(self, curve) -> None:
        """Nothing here: the point's curve is committed with its record by the run."""
