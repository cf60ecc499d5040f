"""The results store: one run directory per :func:`qbhw.run`, written by the driving process and read by
every analysis (:func:`qbhw.load_run`). :mod:`.store` holds the records (SQLite, WAL); :mod:`.report`
writes the one-page HTML summary of a run."""

from .store import (
           DB_FILE,
           POINT_STATUSES,
           RUN_FORMAT,
           PointLedger,
           RunStore,
           is_run_dir,
           point_key,
           read_manifest,
)

__all__ = ["RunStore", "PointLedger", "DB_FILE", "RUN_FORMAT", "POINT_STATUSES", "is_run_dir", "read_manifest",
           "point_key"]
