"""``qbhw calibrate DEVICE``: run the calibration graph of a device on its simulated counterpart and write a new
calibration record and a report of what changed (:mod:`qbhw.calibration`).

``--out DIR`` receives the record (JSON), ``report.md`` with one figure per routine, and the routines' run
directories; without it the record goes to ``$QBHW_CALIBRATIONS`` (default: the user data folder) and the summary
is printed. A routine that fails writes no record (exit status 1): the previous record stays in force.
"""

from __future__ import annotations

import sys

__all__ = ["register", "calibrate_command"]


def register(sub) -> None:
    """Add the ``calibrate`` subcommand."""
    p = sub.add_parser("calibrate", help="calibrate a device (simulated): a new calibration record and a report")
    p.add_argument("device", metavar="DEVICE", help="a device name (qbhw.devices.names()) or a device JSON file")
    p.add_argument("--out", metavar="DIR", help="folder for the record, the report (figures, summary) and the runs")
    p.add_argument("--routines", metavar="A,B,…",
                   help="routines to run (default: all, in dependency order): ef_spectroscopy, rabi_01, rabi_12, "
                        "readout, t1, ramsey, drag, stirap_tuneup")
    p.add_argument("--from", dest="start", metavar="RECORD", default="latest",
                   help="the record to start from: 'latest' (default), 'none' (the definition) or a record file")
    p.add_argument("--shots", type=int, help="shots per setting (default: each routine's)")
    p.add_argument("--seed", type=int, default=None, help="seed of the routines' shots")
    p.add_argument("--truth-seed", type=int, default=0,
                   help="seed of the simulated device's hidden parameters (default 0)")
    p.add_argument("--no-figures", action="store_true", help="skip the figures of the report")
    p.set_defaults(func=calibrate_command)


def calibrate_command(args) -> int:
    from ..calibration import change_table, run_calibration
    from ..errors import CalibrationFailedError
    from . import CommandFailed

    start = None if args.start == "none" else args.start

    def progress(name, seconds, _results):
        print(f"  {name:<16s} done in {seconds:6.2f} s", file=sys.stderr)

    try:
        outcome = run_calibration(args.device, args.routines, start=start, shots=args.shots, seed=args.seed,
                                  truth_seed=args.truth_seed, out=args.out, figures=not args.no_figures,
                                  progress=progress)
    except CalibrationFailedError as exc:
        raise CommandFailed(f"{exc}; no record was written, the previous one stays in force") from exc
    rec = outcome.record
    print(f"calibrated {rec.device}: {len(outcome.changes)} values from {len(outcome.elapsed_s)} routines in "
          f"{sum(outcome.elapsed_s.values()):.1f} s")
    print("\n".join(change_table(outcome.changes)))
    print(f"record: {outcome.record_path}")
    if outcome.report_path is not None:
        print(f"report: {outcome.report_path}")
    return 0
