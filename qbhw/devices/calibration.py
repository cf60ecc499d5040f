"""Calibration records: what was last *measured* about a device, overlaid on its definition.

A device definition (``backends/<name>.json``, :class:`~qbhw.devices.Device`) says what a device is; a
:class:`CalibrationRecord` says what the calibration routines last measured about it: transition frequencies,
π-pulse amplitudes, the DRAG coefficient, T1 of each level, T2*, the readout assignment matrix and the tuned STIRAP
pulse. Every value is a :class:`CalibrationValue` with its standard error and 95 % interval, the routine that
produced it (``rabi_01``, ``t1``, ``stirap_tuneup``, …), the run it came from and when it was measured.

:func:`apply_calibration` overlays a record on its definition (``qbhw.devices.load(name, calibration=...)``):

* ``freq_ghz`` → ν; ``ef_freq_ghz`` → α = ν₁₂ − ν (carriers that follow the device move with them);
* ``t1_level<k>_ns`` → the per-level ``t1_ns`` list (level k decays to k − 1 through ``√(1/T1_k)|k−1⟩⟨k|``;
  levels that were not measured keep the definition's value);
* ``t2star_ns`` → ``Tφ`` from ``1/Tφ = 1/T2* − 1/(2 T1)`` (none when T2* ≥ 2 T1: no pure dephasing left);
* the pulse values (π amplitudes, DRAG, STIRAP) stay in the record, reachable as ``device.calibration``, and the
  protocols use them by default (e.g. ``stirap_charging`` plays the record's STIRAP pulse).

Storage: one JSON file per record, ``<device>_<UTC time>.json``. New records go to the folder given, else to
``$QBHW_CALIBRATIONS``, else to a user data folder (:func:`user_calibrations_folder`) — never into the installed
package. :func:`latest_record` searches the user folder first, then the records shipped with qbhw (the
repository's ``calibrations/`` folder).

Units are in the names (GHz cyclic, ns). Decoherence conventions as in :mod:`qbhw.devices.device`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import numbers
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CalibrationNotFoundError, CalibrationWarning, ConfigError, InvalidArgumentError

__all__ = ["QUANTITIES", "ROUTINES", "Quantity", "CalibrationValue", "CalibrationRecord", "apply_calibration",
           "definition_fingerprint", "user_calibrations_folder", "save_record", "load_record", "records",
           "latest_record", "RECORD_FORMAT"]

RECORD_FORMAT = "qbhw.calibration/1"


@dataclass(frozen=True)
class Quantity:
    """A calibrated quantity: its unit, meaning, the routine that measures it and its allowed range."""

    unit: str
    meaning: str
    routine: str
    kind: str = "positive"  # "positive" (> 0), "nonnegative", "real", "matrix" (column-stochastic)


#: every quantity a record may hold: name → :class:`Quantity`
QUANTITIES: dict[str, Quantity] = {
    "freq_ghz": Quantity("GHz", "0–1 transition frequency ν", "ramsey"),
    "ef_freq_ghz": Quantity("GHz", "1–2 transition frequency ν + α", "ef_spectroscopy"),
    "pi_amp_01_ghz": Quantity("GHz", "peak envelope of the 0→1 π pulse (its shape in the value's settings)",
                              "rabi_01"),
    "pi_amp_12_ghz": Quantity("GHz", "peak envelope of the 1→2 π pulse (its shape in the value's settings)",
                              "rabi_12"),
    "drag_beta_ns": Quantity("ns", "DRAG coefficient β of the 0→1 π pulse, s(t) = G(t) + iβ dG/dt", "drag", "real"),
    "t1_level1_ns": Quantity("ns", "T1 of level 1 (decay 1 → 0)", "t1"),
    "t1_level2_ns": Quantity("ns", "T1 of level 2 (decay 2 → 1)", "t1"),
    "t2star_ns": Quantity("ns", "Ramsey T2* of the 0–1 coherence", "ramsey"),
    "readout_assignment": Quantity("", "readout assignment matrix A[i][j] = P(read i | prepared j)", "readout",
                                   "matrix"),
    "stirap_amp_pump_ghz": Quantity("GHz", "peak pump envelope of the tuned STIRAP pair", "stirap_tuneup"),
    "stirap_amp_stokes_ghz": Quantity("GHz", "peak Stokes envelope of the tuned STIRAP pair", "stirap_tuneup"),
    "stirap_sigma_ns": Quantity("ns", "Gaussian width of both STIRAP pulses", "stirap_tuneup"),
    "stirap_delay_ns": Quantity("ns", "delay of the pump after the Stokes pulse", "stirap_tuneup", "real"),
    "stirap_duration_ns": Quantity("ns", "window of the tuned STIRAP pair", "stirap_tuneup"),
    "stirap_center_ns": Quantity("ns", "centre of the tuned STIRAP pair in its window", "stirap_tuneup",
                                 "nonnegative"),
}

#: the calibration routines (protocols in :mod:`qbhw.protocols`) and the quantities each produces
ROUTINES: dict[str, tuple[str, ...]] = {}
for _name, _q in QUANTITIES.items():
    ROUTINES.setdefault(_q.routine, ())
    ROUTINES[_q.routine] += (_name,)


def _utc_now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def _timestamp(value, argument: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"got {value!r}", argument=argument, allowed="an ISO 8601 time string")
    try:
        t = _dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"cannot read {value!r}", argument=argument, allowed="an ISO 8601 time string") from exc
    if t.tzinfo is None:
        raise ConfigError(f"{value!r} has no time zone", argument=argument, allowed="an ISO 8601 time with zone (UTC)")
    return value


def _number(value, argument: str, kind: str) -> float:
    allowed = {"positive": "a finite number > 0", "nonnegative": "a finite number >= 0",
               "real": "a finite number"}[kind]
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    x = float(value)
    if (kind == "positive" and x <= 0) or (kind == "nonnegative" and x < 0):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    return x


def _matrix(value, argument: str, *, stochastic: bool) -> tuple:
    try:
        rows = tuple(tuple(float(x) for x in row) for row in value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a square matrix of numbers") from exc
    d = len(rows)
    if d < 2 or any(len(r) != d for r in rows) or not all(math.isfinite(x) and 0.0 <= x <= 1.0
                                                           for r in rows for x in r):
        raise InvalidArgumentError(f"got {value!r}", argument=argument,
                                   allowed="a square matrix (d >= 2) of numbers in [0, 1]")
    if stochastic:
        for j in range(d):
            s = sum(rows[i][j] for i in range(d))
            if abs(s - 1.0) > 1e-6:
                raise InvalidArgumentError(f"column {j} sums to {s:.6g}", argument=argument,
                                           allowed="columns (prepared states) that sum to 1")
    return rows


@dataclass(frozen=True)
class CalibrationValue:
    """One measured value.

    ``value``: a number in the quantity's unit (a matrix, as nested tuples, for ``readout_assignment``);
    ``stderr``: its standard error (same shape; ``None`` when the routine gives none); ``ci95``: the 95 %
    interval ``(low, high)`` of a number; ``routine``: the routine that produced it; ``run``: the run it came
    from (a run directory or id, ``None`` outside the run store); ``measured_at``: ISO UTC time; ``settings``:
    what the value refers to (e.g. the π pulse's ``sigma_ns`` and ``duration_ns``)."""

    name: str
    value: object
    routine: str
    stderr: object = None
    ci95: tuple | None = None
    run: str | None = None
    measured_at: str = field(default_factory=_utc_now)
    settings: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        if self.name not in QUANTITIES:
            raise ConfigError(f"unknown calibration quantity {self.name!r}", argument=str(self.name),
                              allowed=", ".join(QUANTITIES))
        q = QUANTITIES[self.name]
        arg = self.name
        if q.kind == "matrix":
            object.__setattr__(self, "value", _matrix(self.value, arg, stochastic=True))
            if self.stderr is not None:
                err = _matrix(self.stderr, f"{arg}.stderr", stochastic=False)
                if len(err) != len(self.value):
                    raise InvalidArgumentError(f"{len(err)}×{len(err)} for a {len(self.value)}×{len(self.value)} "
                                               "matrix", argument=f"{arg}.stderr", allowed="the value's shape")
                object.__setattr__(self, "stderr", err)
            if self.ci95 is not None:
                raise ConfigError("a matrix has no single interval", argument=f"{arg}.ci95", allowed="null")
        else:
            object.__setattr__(self, "value", _number(self.value, arg, q.kind))
            if self.stderr is not None:
                object.__setattr__(self, "stderr", _number(self.stderr, f"{arg}.stderr", "nonnegative"))
            if self.ci95 is not None:
                try:
                    lo, hi = (float(x) for x in self.ci95)
                except (TypeError, ValueError) as exc:
                    raise InvalidArgumentError(f"got {self.ci95!r}", argument=f"{arg}.ci95",
                                               allowed="[low, high]") from exc
                if not (math.isfinite(lo) and math.isfinite(hi) and lo <= self.value <= hi):
                    raise InvalidArgumentError(f"[{lo}, {hi}] for the value {self.value}", argument=f"{arg}.ci95",
                                               allowed="finite [low, high] containing the value")
                object.__setattr__(self, "ci95", (lo, hi))
        if self.routine != q.routine:
            raise ConfigError(f"{arg} names routine {self.routine!r}", argument=f"{arg}.routine",
                              allowed=repr(q.routine))
        if self.run is not None and not isinstance(self.run, str):
            raise ConfigError(f"got {self.run!r}", argument=f"{arg}.run", allowed="a string or null")
        _timestamp(self.measured_at, f"{arg}.measured_at")
        if not isinstance(self.settings, Mapping):
            raise ConfigError(f"got {type(self.settings).__name__}", argument=f"{arg}.settings", allowed="a mapping")
        object.__setattr__(self, "settings", dict(self.settings))

    @property
    def unit(self) -> str:
        return QUANTITIES[self.name].unit

    def to_dict(self) -> dict:
        def plain(x):
            return [list(r) for r in x] if isinstance(x, tuple) and x and isinstance(x[0], tuple) else x

        return {"value": plain(self.value), "stderr": plain(self.stderr),
                "ci95": None if self.ci95 is None else list(self.ci95), "unit": self.unit, "routine": self.routine,
                "run": self.run, "measured_at": self.measured_at, "settings": dict(self.settings)}

    @classmethod
    def from_dict(cls, name: str, data: Mapping) -> "CalibrationValue":
        if not isinstance(data, Mapping):
            raise ConfigError(f"got {type(data).__name__}", argument=str(name), allowed="a mapping with value, routine, …")
        known = {"value", "stderr", "ci95", "unit", "routine", "run", "measured_at", "settings"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown field {unknown[0]!r} of {name}", argument=f"{name}.{unknown[0]}",
                              allowed=", ".join(sorted(known)))
        for k in ("value", "routine", "measured_at"):
            if k not in data:
                raise ConfigError(f"missing field {k!r} of {name}", argument=f"{name}.{k}", allowed=", ".join(sorted(known)))
        if name in QUANTITIES and "unit" in data and data["unit"] != QUANTITIES[name].unit:
            raise ConfigError(f"{name} is in {data['unit']!r}", argument=f"{name}.unit",
                              allowed=repr(QUANTITIES[name].unit))
        return cls(name=name, value=data["value"], routine=data["routine"], stderr=data.get("stderr"),
                   ci95=data.get("ci95"), run=data.get("run"), measured_at=data["measured_at"],
                   settings=data.get("settings") or {})


def definition_fingerprint(device) -> str:
    """SHA-256 of a device definition's canonical JSON (without its calibration): which version of the definition a
    record refers to."""
    d = device.to_dict() if hasattr(device, "to_dict") else dict(device)
    d.pop("calibration", None)
    d.pop("provenance", None)
    return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class CalibrationRecord:
    """A timestamped set of :class:`CalibrationValue` for one device.

    ``device``: the device definition's name; ``definition``: the fingerprint of the definition the values refer to
    (:func:`definition_fingerprint`); ``values``: name → :class:`CalibrationValue` (a record carries forward the
    values of the record it updates, each keeping its own routine, run and time); ``created``: ISO UTC time;
    ``previous``: the record it updates (a file name or ``None``); ``notes``: free text (e.g. which routines ran)."""

    device: str
    definition: str
    values: dict
    created: str = field(default_factory=_utc_now)
    previous: str | None = None
    notes: str = ""

    def __post_init__(self):
        if not isinstance(self.device, str) or not self.device:
            raise ConfigError(f"got {self.device!r}", argument="device", allowed="the device definition's name")
        if not isinstance(self.definition, str) or len(self.definition) != 64:
            raise ConfigError(f"got {self.definition!r}", argument="definition",
                              allowed="the SHA-256 fingerprint of the device definition (64 hex digits)")
        if not isinstance(self.values, Mapping):
            raise ConfigError(f"got {type(self.values).__name__}", argument="values", allowed="a mapping")
        vals = {}
        for k, v in self.values.items():
            vals[k] = v if isinstance(v, CalibrationValue) else CalibrationValue.from_dict(k, v)
            if vals[k].name != k:
                raise ConfigError(f"value {vals[k].name!r} stored under {k!r}", argument=k, allowed="its own name")
        object.__setattr__(self, "values", vals)
        _timestamp(self.created, "created")
        if self.previous is not None and not isinstance(self.previous, str):
            raise ConfigError(f"got {self.previous!r}", argument="previous", allowed="a record file name or null")

    __hash__ = None  # values is a dict

    def __contains__(self, name) -> bool:
        return name in self.values

    def get(self, name: str, default=None):
        """The value (a number or a matrix) of ``name``, or ``default`` when the record has none."""
        v = self.values.get(name)
        return default if v is None else v.value

    def updated(self, new_values, *, previous: str | None = None, notes: str = "") -> "CalibrationRecord":
        """A new record: these values plus every value of this one not re-measured."""
        vals = dict(self.values)
        for v in new_values:
            vals[v.name] = v
        return CalibrationRecord(self.device, self.definition, vals, previous=previous, notes=notes)

    @property
    def file_name(self) -> str:
        stamp = _dt.datetime.fromisoformat(self.created).astimezone(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        return f"{self.device}_{stamp}.json"

    def to_dict(self) -> dict:
        return {"format": RECORD_FORMAT, "device": self.device, "definition": self.definition,
                "created": self.created, "previous": self.previous, "notes": self.notes,
                "values": {k: v.to_dict() for k, v in self.values.items()}}

    @classmethod
    def from_dict(cls, data: Mapping) -> "CalibrationRecord":
        if not isinstance(data, Mapping):
            raise ConfigError(f"got {type(data).__name__}", argument="record", allowed="a JSON object")
        if data.get("format") != RECORD_FORMAT:
            raise ConfigError(f"format {data.get('format')!r}", argument="format", allowed=repr(RECORD_FORMAT))
        known = {"format", "device", "definition", "created", "previous", "notes", "values"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown record field {unknown[0]!r}", argument=unknown[0], allowed=", ".join(sorted(known)))
        for k in ("device", "definition", "created", "values"):
            if k not in data:
                raise ConfigError(f"missing record field {k!r}", argument=k, allowed=", ".join(sorted(known)))
        return cls(device=data["device"], definition=data["definition"], values=data["values"],
                   created=data["created"], previous=data.get("previous"), notes=data.get("notes") or "")

    def to_json(self, path=None) -> str:
        text = json.dumps(self.to_dict(), indent=1)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text


# ---- overlay ---------------------------------------------------------------------------------------------------
def apply_calibration(device, record: CalibrationRecord):
    """``device`` (a definition) overlaid with ``record`` (see the module docstring) → a new
    :class:`~qbhw.devices.Device` whose ``calibration`` is the record. A record of another device raises
    :class:`~qbhw.errors.ConfigError`; one made for another version of the definition warns
    (:class:`~qbhw.errors.CalibrationWarning`)."""
    if not isinstance(record, CalibrationRecord):
        raise ConfigError(f"got {type(record).__name__}", argument="calibration", allowed="a CalibrationRecord")
    if record.device != device.name:
        raise ConfigError(f"a record of {record.device!r} for device {device.name!r}", argument="calibration",
                          allowed=f"a record of {device.name!r}")
    base = device.replace(calibration=None) if device.calibration is not None else device
    if record.definition != definition_fingerprint(base):
        warnings.warn(CalibrationWarning(f"the calibration record of {record.created} was made for another version "
                                         f"of the device definition {device.name!r}"), stacklevel=2)
    if device.is_multi_qubit:
        return base.replace(calibration=record)
    changes: dict = {}
    prov = dict(device.provenance)
    nu = record.get("freq_ghz", device.freq_ghz)
    if "freq_ghz" in record:
        changes["freq_ghz"] = nu
        prov["freq_ghz"] = f"calibration {record.created} (ramsey)"
    if "ef_freq_ghz" in record:
        changes["anharmonicity_ghz"] = record.get("ef_freq_ghz") - nu
        prov["anharmonicity_ghz"] = f"calibration {record.created} (ef_spectroscopy, minus freq_ghz)"
    measured = {k: record.get(f"t1_level{k}_ns") for k in range(1, device.levels) if f"t1_level{k}_ns" in record}
    t1_list = None
    if measured:
        old = device.t1_ns
        t1_list = []
        for k in range(1, device.levels):
            if k in measured:
                t1_list.append(measured[k])
            elif isinstance(old, tuple):
                t1_list.append(old[k - 1])
            elif old is not None:
                t1_list.append(old / k)  # a single T1: level k decays at k/T1
            else:
                raise ConfigError(f"the record has no T1 of level {k} and the definition none at all",
                                  argument=f"t1_level{k}_ns", allowed="a record with every level's T1")
        changes["t1_ns"] = t1_list
        prov["t1_ns"] = f"calibration {record.created} (t1; levels {sorted(measured)})"
    if "t2star_ns" in record:
        t1 = t1_list[0] if t1_list else (device.t1_ns[0] if isinstance(device.t1_ns, tuple) else device.t1_ns)
        rate = 1.0 / record.get("t2star_ns") - (0.0 if t1 is None else 0.5 / t1)
        changes["tphi_ns"] = 1.0 / rate if rate > 0 else None
        prov["tphi_ns"] = (f"calibration {record.created} (ramsey: 1/Tφ = 1/T2* − 1/(2 T1))" if rate > 0 else
                           f"calibration {record.created}: T2* ≥ 2 T1, no pure dephasing")
    changes["provenance"] = prov
    changes["calibration"] = record
    with warnings.catch_warnings():  # fixed carriers are the definition's business, warned about on load
        warnings.simplefilter("ignore")
        return base.replace(**changes)


# ---- storage ---------------------------------------------------------------------------------------------------
def user_calibrations_folder() -> Path:
    """Where new records go: ``$QBHW_CALIBRATIONS`` if set, else the platform's user data folder
    (``$XDG_DATA_HOME/qbhw/calibrations`` or ``~/.local/share/qbhw/calibrations`` on Linux,
    ``~/Library/Application Support/qbhw/calibrations`` on macOS, ``%LOCALAPPDATA%\\qbhw\\calibrations`` on
    Windows)."""
    env = os.environ.get("QBHW_CALIBRATIONS")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "qbhw" / "calibrations"


def _shipped_folder():
    from .files import calibrations_folder

    return calibrations_folder()


def save_record(record: CalibrationRecord, folder=None) -> Path:
    """Write ``record`` as ``<folder>/<device>_<time>.json`` (``folder``: default :func:`user_calibrations_folder`)
    and return the path. Writing into the records shipped inside the installed package is refused."""
    target = Path(folder) if folder is not None else user_calibrations_folder()
    try:
        shipped = Path(str(_shipped_folder())).resolve()
    except ConfigError:
        shipped = None
    if shipped is not None and target.resolve() == shipped and "site-packages" in str(shipped):
        raise ConfigError(f"{target} is inside the installed qbhw package", argument="out",
                          allowed="another folder (or $QBHW_CALIBRATIONS)")
    target.mkdir(parents=True, exist_ok=True)
    path = target / record.file_name
    tmp = path.with_suffix(".json.tmp")
    record.to_json(tmp)
    os.replace(tmp, path)
    return path


def load_record(path) -> CalibrationRecord:
    """The record in the JSON file ``path``; a malformed one raises a :class:`~qbhw.errors.ConfigError` subclass
    naming the field."""
    p = Path(path)
    if not p.is_file():
        raise CalibrationNotFoundError(f"no calibration record {p}", argument="calibration",
                                       allowed="an existing record file")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{p} is not valid JSON: {exc}", argument="calibration", allowed="a JSON record") from exc
    return CalibrationRecord.from_dict(data)


def _records_in(folder, device: str) -> list[tuple[str, CalibrationRecord]]:
    out = []
    try:
        entries = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:
        entries = []
    for p in entries:
        if p.name.startswith(f"{device}_") and p.name.endswith(".json") and p.is_file():
            rec = CalibrationRecord.from_dict(json.loads(p.read_text(encoding="utf-8")))
            if rec.device == device:
                out.append((str(p), rec))
    return sorted(out, key=lambda pr: _dt.datetime.fromisoformat(pr[1].created))


def records(device: str, *, folder=None) -> list[tuple[str, CalibrationRecord]]:
    """``(path, record)`` of every record of ``device``, oldest first: those in ``folder`` (default: the user folder),
    then — only when that has none — those shipped with qbhw."""
    user = _records_in(Path(folder) if folder is not None else user_calibrations_folder(), device)
    if user:
        return user
    try:
        return _records_in(_shipped_folder(), device)
    except ConfigError:
        return []


def latest_record(device: str, *, folder=None) -> tuple[str, CalibrationRecord]:
    """``(path, record)`` of the newest record of ``device`` (user folder first, then the shipped records);
    none at all raises :class:`~qbhw.errors.CalibrationNotFoundError`."""
    found = records(device, folder=folder)
    if not found:
        where = Path(folder) if folder is not None else user_calibrations_folder()
        raise CalibrationNotFoundError(f"no calibration record of {device!r} in {where} or among the shipped "
                                       "records", argument="calibration",
                                       allowed="None (the definition only), a record path, or run "
                                               f"`qbhw calibrate {device}` first")
    return found[-1]
