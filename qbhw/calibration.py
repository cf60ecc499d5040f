"""Closing the calibration loop: run the calibration routines of a device in dependency order and write a new
calibration record (qibocal's calibration graph; qiskit-experiments' ``Calibrations``).

``calibrate(device, routines=None)`` starts from the device definition overlaid with its latest record (if any),
runs each routine (a protocol of :mod:`qbhw.protocols`: ``ef_spectroscopy``, ``rabi_01``, ``rabi_12``, ``drag``,
``readout``, ``t1``, ``ramsey``, ``stirap_tuneup``) through the run store (:func:`qbhw.run`) on the backend — by
default the simulated device, a :class:`~qbhw.backends.simulated.SimulatedTransmon` whose true parameters are
hidden from the routines — and folds every routine's values into the description before the next routine runs
(frequencies and amplitudes → readout → coherence → DRAG → STIRAP). When every routine succeeded it returns the new
:class:`~qbhw.devices.CalibrationRecord` (the previous record's values that were not re-measured are carried
forward) and saves it; a routine that fails raises :class:`~qbhw.errors.CalibrationFailedError` and nothing is
written: the previous record stays in force.

Where things go: the record to ``out`` when given, else to ``$QBHW_CALIBRATIONS`` / the user data folder
(:func:`qbhw.devices.user_calibrations_folder`) — never into the installed package; with ``out`` also a report
(``report.md``: what changed, with intervals; one figure per routine) and the routines' run directories.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CalibrationFailedError, ConfigError

__all__ = ["ROUTINE_ORDER", "DEPENDENCIES", "calibrate", "run_calibration", "CalibrationOutcome", "Change",
           "routine_order"]

#: the calibration graph: routine → the routines whose values it uses
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "ef_spectroscopy": (),
    "rabi_01": (),
    "rabi_12": ("ef_spectroscopy", "rabi_01"),
    "readout": ("rabi_01", "rabi_12"),
    "t1": ("rabi_01", "rabi_12", "readout"),
    "ramsey": ("rabi_01", "readout", "t1"),
    "drag": ("rabi_01", "ramsey"),
    "stirap_tuneup": ("ef_spectroscopy", "rabi_01", "readout", "t1", "ramsey"),
}
#: the order in which the routines run: frequencies and amplitudes (ef line, π pulses) → readout → T1 per level →
#: Ramsey (ν and T2*, with the readout corrected) → DRAG on the corrected carrier → STIRAP
ROUTINE_ORDER = ("ef_spectroscopy", "rabi_01", "rabi_12", "readout", "t1", "ramsey", "drag", "stirap_tuneup")


def routine_order(routines=None) -> list[str]:
    """The routines to run (default: all), each after the routines it depends on. :data:`ROUTINE_ORDER` is a
    topological order of :data:`DEPENDENCIES`, so any subset keeps it."""
    if routines is None:
        return list(ROUTINE_ORDER)
    if isinstance(routines, str):
        routines = [r.strip() for r in routines.split(",") if r.strip()]
    chosen = list(dict.fromkeys(routines))
    unknown = [r for r in chosen if r not in DEPENDENCIES]
    if unknown or not chosen:
        raise ConfigError(f"unknown routine {unknown[0]!r}" if unknown else "no routine given",
                          argument="routines", allowed=", ".join(ROUTINE_ORDER))
    return [r for r in ROUTINE_ORDER if r in chosen]


@dataclass(frozen=True)
class Change:
    """One calibrated quantity before and after: ``before`` is the previous record's value, else the definition's
    (``None`` where the definition has none); ``after`` the new value with its 95 % interval."""

    name: str
    unit: str
    before: object
    after: object
    ci95: tuple | None
    routine: str

    @property
    def relative_change(self) -> float | None:
        if not isinstance(self.before, (int, float)) or not isinstance(self.after, (int, float)) or self.before == 0:
            return None
        return (self.after - self.before) / abs(self.before)


@dataclass
class CalibrationOutcome:
    """What :func:`run_calibration` did: the new ``record``, where it was saved, the ``changes``, the report, the
    run directory of each routine and the seconds each took."""

    record: object
    record_path: Path | None
    changes: list[Change]
    report_path: Path | None
    runs: dict[str, str] = field(default_factory=dict)
    elapsed_s: dict[str, float] = field(default_factory=dict)


def _definition_value(name: str, definition):
    """What the definition says about a quantity (for the report's 'before' column)."""
    d = definition
    if d.is_multi_qubit:
        return None
    t1 = d.t1_ns
    if name == "freq_ghz":
        return d.freq_ghz
    if name == "ef_freq_ghz":
        return d.transition_freq_ghz(1, 2)
    if name.startswith("t1_level") and t1 is not None:
        k = int(name[len("t1_level"):-len("_ns")])
        return t1[k - 1] if isinstance(t1, tuple) else t1 / k
    if name == "t2star_ns":
        return d.t2_ns
    return None


def _resolve(device, start):
    from .devices import CalibrationRecord, Device, apply_calibration, latest_record, load, load_record

    definition = load(device) if isinstance(device, str) else device
    if not isinstance(definition, Device) or definition.is_multi_qubit:
        raise ConfigError(f"got {type(definition).__name__}", argument="device",
                          allowed="a single-transmon device (a name from qbhw.devices.names() or a Device)")
    if definition.calibration is not None:
        rec = definition.calibration
        definition = definition.replace(calibration=None)
        return definition, rec, None
    if start is None:
        return definition, None, None
    if isinstance(start, CalibrationRecord):
        return definition, start, None
    if start == "latest":
        from .errors import CalibrationNotFoundError

        try:
            path, rec = latest_record(definition.name)
        except CalibrationNotFoundError:
            return definition, None, None
        return definition, rec, Path(path).name
    rec = load_record(start)
    apply_calibration(definition, rec)  # refuses a record of another device
    return definition, rec, Path(start).name


def run_calibration(device, routines=None, *, backend=None, start="latest", shots: int | None = None,
                    seed: int | None = None, truth_seed: int = 0, out=None, save: bool = True,
                    figures: bool = True, progress=None) -> CalibrationOutcome:
    """:func:`calibrate` with everything it did (see :class:`CalibrationOutcome`).

    ``device``: a device name or a :class:`~qbhw.devices.Device` (a calibrated one starts from its own record);
    ``routines``: names or a comma-separated string (default: all, in dependency order); ``backend``: where the
    routines measure (default: ``SimulatedTransmon(definition, seed=truth_seed)``, the simulated device);
    ``start``: the record to start from (``"latest"``: the newest one if any, ``None``: the definition alone, a
    path or a record); ``shots``: per setting (default: each routine's); ``seed``: seeds the routines' shots;
    ``out``: a folder for the record, the report and the runs; ``save``: write the record (to ``out``, else to the
    user calibrations folder); ``figures``: draw one figure per routine (with ``out``); ``progress``: a callable
    ``progress(routine, seconds, results)`` called after each routine.
    """
    from . import protocols
    from .backends.simulated import SimulatedTransmon
    from .devices import QUANTITIES, ROUTINES, apply_calibration, save_record
    from .runs import run as run_protocol

    order = routine_order(routines)
    definition, record, previous = _resolve(device, start)
    if record is None:
        from .devices import CalibrationRecord, definition_fingerprint

        record = CalibrationRecord(definition.name, definition_fingerprint(definition), {})
    start_record = record
    current = apply_calibration(definition, record) if record.values else definition
    obj = SimulatedTransmon(definition, seed=truth_seed) if backend is None else backend
    for r in order:  # a dependency outside the chosen routines must already be in the record
        for dep in DEPENDENCIES[r]:
            if dep not in order and not all(q in record for q in ROUTINES[dep]):
                raise ConfigError(f"{r} needs the values of {dep}, which the record lacks", argument="routines",
                                  allowed=f"include {dep} (or start from a record that has its values)")
    out_path = None if out is None else Path(out)
    work = out_path / "runs" if out_path is not None else Path(tempfile.mkdtemp(prefix="qbhw-calibrate-"))
    new_values = []
    runs: dict[str, str] = {}
    elapsed: dict[str, float] = {}
    figure_paths: dict[str, Path] = {}
    try:
        for i, name in enumerate(order):
            module = protocols.get(name)
            kw = {"device": current}
            if shots is not None:
                kw["shots"] = int(shots)
            if seed is not None:
                kw["seed"] = int(seed) + 1009 * i
            params = module.Parameters(**kw)
            t0 = time.perf_counter()
            run_dir = work / name
            if run_dir.exists():
                shutil.rmtree(run_dir)
            result = run_protocol(module, params, backend=obj, out=run_dir, progress=False,
                                  figures=figures and out_path is not None)
            elapsed[name] = time.perf_counter() - t0
            point = result.points[0]
            res = result.analysis[0] if result.analysis else None
            error = getattr(point, "error", None)
            if error or res is None:
                raise CalibrationFailedError(f"{name} failed: {str(error or 'no analysis').splitlines()[0]}",
                                             routine=name)
            missing = [q for q in ROUTINES[name] if q not in res.updates]
            if missing:
                raise CalibrationFailedError(f"{name} produced no {', '.join(missing)}: " + "; ".join(res.notes),
                                             routine=name)
            run_id = str(run_dir.relative_to(out_path)) if out_path is not None else str(run_dir)
            runs[name] = run_id
            vals = res.values(run=run_id)
            new_values.extend(vals)
            record = record.updated(vals, previous=previous)
            current = apply_calibration(definition, record)
            if progress is not None:
                progress(name, elapsed[name], res)
            if figures and out_path is not None:
                pngs = sorted(run_dir.rglob("*.png"))
                if pngs:
                    (out_path / "figures").mkdir(parents=True, exist_ok=True)
                    figure_paths[name] = out_path / "figures" / f"{name}.png"
                    shutil.copyfile(pngs[0], figure_paths[name])
    finally:
        if out_path is None:
            shutil.rmtree(work, ignore_errors=True)
    notes = f"routines: {', '.join(order)}; backend: {obj.name}"
    record = record.updated([], previous=previous, notes=notes)
    changes = []
    for v in new_values:
        before = start_record.get(v.name) if v.name in start_record else _definition_value(v.name, definition)
        changes.append(Change(v.name, QUANTITIES[v.name].unit, before, v.value, v.ci95, v.routine))
    record_path = save_record(record, out_path) if save else None
    report_path = None
    if out_path is not None:
        report_path = _write_report(out_path, record, changes, elapsed, figure_paths, record_path, previous)
    return CalibrationOutcome(record, record_path, changes, report_path, runs, elapsed)


def calibrate(device, routines=None, **options):
    """Run the calibration routines of ``device`` in dependency order and return the new
    :class:`~qbhw.devices.CalibrationRecord` (saved unless ``save=False``). Options: see :func:`run_calibration`."""
    return run_calibration(device, routines, **options).record


def _fmt(x, unit: str = "") -> str:
    if x is None:
        return "—"
    if isinstance(x, tuple):
        return "[" + ", ".join("[" + ", ".join(f"{v:.4f}" for v in row) + "]" for row in x) + "]"
    if isinstance(x, float) and math.isfinite(x):
        return f"{x:.7g}" + (f" {unit}" if unit else "")
    return str(x)


def change_table(changes) -> list[str]:
    """Markdown rows: quantity, before, after with its 95 % interval, relative change, routine."""
    rows = ["| quantity | before | after | 95 % interval | change | routine |", "|---|---|---|---|---|---|"]
    for c in changes:
        rel = c.relative_change
        ci = "—" if c.ci95 is None else f"[{c.ci95[0]:.7g}, {c.ci95[1]:.7g}]"
        rows.append(f"| {c.name} | {_fmt(c.before, c.unit)} | {_fmt(c.after, c.unit)} | {ci} | "
                    f"{'—' if rel is None else f'{100 * rel:+.3g} %'} | {c.routine} |")
    return rows


def _write_report(out: Path, record, changes, elapsed, figures, record_path, previous) -> Path:
    lines = [f"# Calibration of {record.device}", "",
             f"Record: `{record_path.name if record_path else '(not saved)'}` (created {record.created}); "
             f"started from {previous or 'the device definition'}. {record.notes}.", "",
             "## What changed", "", *change_table(changes), "",
             "## Routines", "", "| routine | seconds |", "|---|---|",
             *[f"| {k} | {v:.2f} |" for k, v in elapsed.items()], f"| total | {sum(elapsed.values()):.2f} |", ""]
    for name, path in figures.items():
        lines += [f"### {name}", "", f"![{name}](figures/{path.name})", ""]
    path = out / "report.md"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
