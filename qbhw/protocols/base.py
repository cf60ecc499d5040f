"""The shape every protocol takes, and what all protocols share.

A protocol module (one per experiment, read top to bottom like a lab procedure) defines

1. ``Parameters`` — a frozen, keyword-only dataclass deriving from :class:`ProtocolParameters`:
   the model or device, the control knobs with units in their names, ``times`` (or ``times_ns``),
   ``shots`` and ``seed``; validated on construction with the project's errors; it stores tuples,
   never arrays, so that parameters compare, hash and round-trip through JSON;
2. ``acquire(parameters, backend, *, context=None) -> Data`` — builds the model (or pulse schedule),
   compiles it for the backend, runs it and returns :class:`Data` (the :class:`~qbhw.metrics.ChargingCurve`
   and the raw data); no fitting;
3. ``analyse(data, **options) -> Results`` — fits with :mod:`qbhw.fit` and computes the figures of
   merit; no I/O;
4. ``plot(data, results) -> matplotlib.figure.Figure`` — one figure, labelled axes with units, built
   with matplotlib's object-oriented API (the backend is never switched).

``backend`` is anything :func:`qbhw.backends.get_backend` accepts (``"exact"``, ``"pulse"``, ``"aer"``,
``"aer:density_matrix"``, ``"fake:<device>"``, ``"ibm:<device>"``) or the backend object it returns; a
protocol names the backend kinds it can run on (``BACKENDS``) and refuses the others with a
:class:`~qbhw.errors.ConfigError` before anything runs.

``context`` is supplied by the run store (:func:`qbhw.run`): for hardware backends it carries the point's
job ledger, where the backend records its job ids at submission and each job's result as it arrives, so a
killed run is resumed without submitting again (:func:`results_dir_of` hands it to the backend).
Acquisition works without it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError, DataError, InvalidArgumentError, InvalidTimesError
from ..metrics import ChargingCurve
from ..serialization import JsonMixin, from_jsonable, to_jsonable

__all__ = [
    "ProtocolParameters",
    "Data",
    "Results",
    "ChargingResults",
    "BACKEND_KINDS",
    "DATA_FORMAT",
    "RESULTS_FORMAT",
    "time_grid",
    "check_int",
    "check_real",
    "check_choice",
    "check_bool",
    "backend_kind",
    "backend_label",
    "resolve_backend",
    "results_dir_of",
]

#: the kinds of backend a protocol can name in its ``BACKENDS``
BACKEND_KINDS = ("exact", "pulse", "aer", "fake", "ibm")
DATA_FORMAT = "qbhw-protocol-data/1"
RESULTS_FORMAT = "qbhw-protocol-results/1"


# ---------------------------------------------------------------------------------------------
# argument checks of parameters (each names the field and the allowed range)
def time_grid(value, argument: str = "times", *, minimum: float = 0.0, min_points: int = 2) -> tuple[float, ...]:
    """A time grid as a tuple of floats.

    ``value`` is an array-like of times, or a mapping ``{"start": a, "stop": b, "num": n}`` meaning
    ``numpy.linspace(a, b, n)`` (endpoint included). The grid must be 1-D, finite, strictly increasing,
    have at least ``min_points`` points and start at or after ``minimum``.
    """
    if isinstance(value, Mapping):
        keys = set(value)
        if keys != {"start", "stop", "num"}:
            missing, extra = {"start", "stop", "num"} - keys, keys - {"start", "stop", "num"}
            what = (f"missing {sorted(missing)}" if missing else "") + (" " if missing and extra else "") + \
                   (f"unknown {sorted(extra)}" if extra else "")
            raise InvalidArgumentError(what, argument=argument,
                                       allowed="an array of times or {start, stop, num} (numpy.linspace)")
        start = check_real(value["start"], f"{argument}.start")
        stop = check_real(value["stop"], f"{argument}.stop")
        num = check_int(value["num"], f"{argument}.num", minimum=min_points)
        arr = np.linspace(start, stop, num)
    else:
        if isinstance(value, (str, bytes)):
            raise InvalidArgumentError(f"got {value!r}", argument=argument,
                                       allowed="an array of times or {start, stop, num}")
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"got {value!r}", argument=argument,
                                       allowed="an array of times or {start, stop, num}") from exc
    if arr.ndim != 1 or arr.size < min_points:
        raise InvalidTimesError(f"{arr.size if arr.ndim == 1 else arr.shape} times", argument=argument,
                                allowed=f"a 1-D grid of at least {min_points} times")
    if not np.all(np.isfinite(arr)):
        raise InvalidTimesError("contains NaN or inf", argument=argument, allowed="finite times")
    if np.any(np.diff(arr) <= 0):
        raise InvalidTimesError("not strictly increasing", argument=argument, allowed="strictly increasing times")
    if arr[0] < minimum:
        raise InvalidTimesError(f"starts at {arr[0]:g}", argument=argument, allowed=f"times >= {minimum:g}")
    return tuple(float(x) for x in arr)


def check_int(value, argument: str, *, minimum: int | None = None, maximum: int | None = None,
              allow_none: bool = False) -> int | None:
    """An integer (not a bool) within ``[minimum, maximum]`` (``None`` allowed with ``allow_none``)."""
    if value is None and allow_none:
        return None
    ok = not isinstance(value, bool) and isinstance(value, (int, np.integer, float)) and float(value).is_integer()
    rng = f"an integer{'' if minimum is None else f' >= {minimum}'}{'' if maximum is None else f' <= {maximum}'}"
    if not ok:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=rng + (" or None" if allow_none else ""))
    v = int(value)
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise InvalidArgumentError(f"got {v}", argument=argument, allowed=rng + (" or None" if allow_none else ""))
    return v


def check_real(value, argument: str, *, minimum: float | None = None, maximum: float | None = None,
               strict: bool = False, allow_none: bool = False) -> float | None:
    """A finite real number within the bounds (``strict``: bounds excluded)."""
    if value is None and allow_none:
        return None
    lo = "" if minimum is None else f" {'>' if strict else '>='} {minimum:g}"
    hi = "" if maximum is None else f" {'<' if strict else '<='} {maximum:g}"
    allowed = f"a finite number{lo}{hi}" + (" or None" if allow_none else "")
    if isinstance(value, bool):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed) from exc
    bad = not math.isfinite(x)
    if minimum is not None:
        bad = bad or x < minimum or (strict and x == minimum)
    if maximum is not None:
        bad = bad or x > maximum or (strict and x == maximum)
    if bad:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    return x


def check_choice(value, argument: str, choices) -> str:
    if value not in choices:
        raise ConfigError(f"got {value!r}", argument=argument, allowed=" | ".join(repr(c) for c in choices))
    return value


def check_bool(value, argument: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="True | False")
    return bool(value)


# ---------------------------------------------------------------------------------------------
# parameters
@dataclass(frozen=True, kw_only=True)
class ProtocolParameters:
    """Base of every protocol's ``Parameters``.

    ``shots``: ``None`` for exact expectation values (simulators), else the number of measurements per
    circuit or setting (sampled backends; IBM devices need shots). ``seed``: seeds every random choice of
    the acquisition (shot sampling, transpiler, thermal sampling), so a run is reproducible.

    Subclasses validate their own fields in :meth:`_validate` (called after the common checks) and may
    normalise values with ``self._set(name, value)`` (the dataclass is frozen).
    """

    shots: int | None = None
    seed: int | None = None

    def __post_init__(self):
        self._set("shots", check_int(self.shots, "shots", minimum=1, allow_none=True))
        self._set("seed", check_int(self.seed, "seed", minimum=0, allow_none=True))
        self._validate()

    def _validate(self) -> None:  # subclasses
        pass

    def _set(self, name: str, value) -> None:
        object.__setattr__(self, name, value)

    # ---- conversion -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Field values as strict-JSON data (a ``Device`` as its dict)."""
        return {f.name: to_jsonable(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        """Parameters from a mapping of field names (unknown names raise :class:`ConfigError`)."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"got {type(data).__name__}", argument="parameters", allowed="a mapping of parameters")
        known = cls.field_names()
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}",
                              argument=unknown[0], allowed=", ".join(known))
        return cls(**{k: from_jsonable(v) for k, v in data.items()})

    def replace(self, **changes):
        """A copy with some fields changed (validated again)."""
        unknown = sorted(set(changes) - set(self.field_names()))
        if unknown:
            raise ConfigError(f"unknown parameter {unknown[0]!r}", argument=unknown[0],
                              allowed=", ".join(self.field_names()))
        return dataclasses.replace(self, **changes)

    def describe(self) -> dict[str, Any]:
        """``{name: value}`` for reports (tuples of many times shortened)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, tuple) and len(v) > 6 and all(isinstance(x, float) for x in v):
                v = _grid_summary(v)
            out[f.name] = v
        return out

    # ---- units and help of the fields (``qbhw protocols NAME``) -------------------------------
    #: unit of each field whose name carries none (``""``: dimensionless); a subclass names only its own
    #: fields: the dicts are merged along the class hierarchy (:meth:`units`)
    UNITS: ClassVar[dict[str, str]] = {"shots": "", "seed": ""}
    #: one line of help per field, merged along the class hierarchy like ``UNITS`` (:meth:`help_texts`)
    HELP: ClassVar[dict[str, str]] = {
        "shots": "measurements per circuit or setting (None: exact expectation values; sampled backends only)",
        "seed": "seed of every random choice of the acquisition (shots, transpiler, thermal sampling)",
    }

    @classmethod
    def units(cls) -> dict[str, str]:
        """The ``UNITS`` of this class and its bases merged (a subclass's entries win)."""
        return _merged_class_dicts(cls, "UNITS")

    @classmethod
    def help_texts(cls) -> dict[str, str]:
        """The ``HELP`` of this class and its bases merged (a subclass's entries win)."""
        return _merged_class_dicts(cls, "HELP")

    @classmethod
    def unit_of(cls, name: str) -> str | None:
        """Unit of field ``name``: its ``UNITS`` entry, else the one its suffix names (``_ns`` → ns,
        ``_ghz`` → GHz, ``_rad_per_s`` → rad/s, …); ``""`` is dimensionless, ``None`` unknown."""
        units = cls.units()
        return units[name] if name in units else unit_from_suffix(name)

    @classmethod
    def field_table(cls) -> list[dict[str, Any]]:
        """One dict per field, in definition order: ``name``, ``type`` (the annotation, readable),
        ``default`` (strict JSON; an evenly spaced grid as ``{start, stop, num}``, another long grid
        summarised like :meth:`describe`), ``unit`` (:meth:`unit_of`; ``None`` when undeclared) and
        ``description`` (``HELP``; ``""`` when none)."""
        help_texts = cls.help_texts()
        rows = []
        for f in fields(cls):
            default = _field_default(f)
            rows.append({"name": f.name, "type": _readable_type(f.type, default),
                         "default": _table_default(default), "unit": cls.unit_of(f.name),
                         "description": help_texts.get(f.name, "")})
        return rows


# ---- helpers of ProtocolParameters.field_table ------------------------------------------------
#: unit suffixes of field names (``amp_pump_ghz``, ``times_ns``); ``_s`` only after ``_per_`` (``rad_per_s``)
_SUFFIX_UNITS = {"ns": "ns", "us": "µs", "ms": "ms", "ghz": "GHz", "mhz": "MHz", "khz": "kHz", "hz": "Hz",
                 "rad": "rad", "deg": "deg", "dbm": "dBm"}
_PER_UNITS = {**_SUFFIX_UNITS, "s": "s"}


def unit_from_suffix(name: str) -> str | None:
    """The unit a field name carries in its suffix (``"delay_ns"`` → ``"ns"``, ``"max_drive_rad_per_s"`` →
    ``"rad/s"``), or ``None``."""
    parts = name.lower().split("_")
    if len(parts) >= 4 and parts[-2] == "per" and parts[-3] in _PER_UNITS and parts[-1] in _PER_UNITS:
        return f"{_PER_UNITS[parts[-3]]}/{_PER_UNITS[parts[-1]]}"
    return _SUFFIX_UNITS.get(parts[-1]) if len(parts) >= 2 else None


def _grid_summary(values: tuple) -> str:
    """A long grid of numbers in a few words: ``"41 values in [0, 400]"``."""
    return f"{len(values)} values in [{float(values[0]):g}, {float(values[-1]):g}]"


def _merged_class_dicts(cls, attribute: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        out.update(vars(klass).get(attribute, {}))
    return out


def _field_default(f):
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def _readable_type(annotation, default) -> str:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    if text == "tuple" and isinstance(default, tuple) and default:
        kinds = sorted({type(x).__name__ for x in default})
        if len(kinds) == 1:
            text = f"tuple[{kinds[0]}, ...]"
    return text


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _table_default(value):
    """A default as strict JSON: a long numeric tuple as ``{start, stop, num}`` when it is exactly
    ``numpy.linspace(start, stop, num)``, else as ``"N values in [a, b]"``; other tuples as lists."""
    if isinstance(value, tuple):
        if len(value) > 6 and all(_is_number(x) for x in value):
            arr = np.asarray(value, dtype=float)
            if np.array_equal(np.linspace(arr[0], arr[-1], arr.size), arr):
                as_int = all(isinstance(x, (int, np.integer)) for x in value)
                start, stop = (int(value[0]), int(value[-1])) if as_int else (float(arr[0]), float(arr[-1]))
                return {"start": start, "stop": stop, "num": len(value)}
            return _grid_summary(value)
        return [_table_default(x) for x in value]
    return to_jsonable(value)


# ---------------------------------------------------------------------------------------------
# acquired data and analysis results
def _encode(value):
    if isinstance(value, ChargingCurve):
        return value.to_dict()
    from ..fit import FitResult

    if isinstance(value, FitResult):
        return value.to_dict()
    if isinstance(value, ProtocolParameters):
        return value.to_dict()
    return to_jsonable(value)


def _decode(value):
    if isinstance(value, dict):
        fmt = value.get("format")
        if fmt == "qbhw-curve/1":
            return ChargingCurve.from_dict(value)
        if fmt == "qbhw-fit/1":
            from ..fit import FitResult

            return FitResult.from_dict(value)
        if "__ndarray__" in value or "__float__" in value:
            return from_jsonable(value)
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _protocol_module(name: str):
    from . import get

    return get(name)


@dataclass
class Data(JsonMixin):
    """What an acquisition produced.

    ``curve``: the charging curve (times, energy, work, ergotropy when the state is known, power,
    observables such as populations or ``energy_stderr``); ``raw``: the raw measurement data (counts per
    setting, sampled populations, Bloch components, job ids); ``backend``: the backend's name;
    ``metadata``: provenance (device, model conventions, …). A routine that measures no charging curve (a
    calibration sweep) has ``curve=None`` and keeps its sweep in ``raw``.
    """

    protocol: str
    parameters: ProtocolParameters
    backend: str
    curve: ChargingCurve | None
    raw: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"format": DATA_FORMAT, "protocol": self.protocol, "parameters": self.parameters.to_dict(),
                "backend": self.backend, "curve": None if self.curve is None else self.curve.to_dict(),
                "raw": _encode(self.raw),
                "metadata": to_jsonable(self.metadata)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Data":
        if not isinstance(d, Mapping) or d.get("format") != DATA_FORMAT:
            raise DataError("not serialised protocol data", argument="data",
                            allowed=f"a dict written by Data.to_dict ({DATA_FORMAT})")
        module = _protocol_module(d["protocol"])
        return cls(protocol=d["protocol"], parameters=module.Parameters.from_dict(d["parameters"]),
                   backend=d["backend"], curve=None if d.get("curve") is None else ChargingCurve.from_dict(d["curve"]),
                   raw=_decode(d.get("raw", {})),
                   metadata=from_jsonable(d.get("metadata", {})))



@dataclass(kw_only=True)
class Results(JsonMixin):
    """What an analysis produced: the fit (:class:`~qbhw.fit.FitResult`, or ``None`` when nothing was
    fitted) and, in each protocol's subclass, its figures of merit as top-level fields."""

    protocol: str
    fit: Any = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"format": RESULTS_FORMAT, "class": type(self).__name__,
                **{f.name: _encode(getattr(self, f.name)) for f in fields(self)}}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Results":
        """Rebuild the protocol's own ``Results`` class (looked up through the registry)."""
        if not isinstance(d, Mapping) or d.get("format") != RESULTS_FORMAT:
            raise DataError("not serialised protocol results", argument="results",
                            allowed=f"a dict written by Results.to_dict ({RESULTS_FORMAT})")
        target = getattr(_protocol_module(d["protocol"]), "Results", cls)
        names = {f.name for f in fields(target)}
        values = {k: _decode(v) for k, v in d.items() if k in names}
        for f in fields(target):  # tuples stay tuples
            if f.name in values and isinstance(values[f.name], list) and "tuple" in str(f.type):
                values[f.name] = tuple(values[f.name])
        return target(**values)



@dataclass(kw_only=True)
class ChargingResults(Results):
    """Figures of merit of a charging curve (review Sec. II.B), shared by the charging protocols.

    Units are those of the curve (dimensionless models: energy in ω_0, time in 1/ω_0; pulse protocols:
    energy in GHz (E/h), time in ns, power in GHz/ns).

    * ``final_energy``, ``final_work``, ``final_ergotropy`` — at the last time of the curve
      (``final_ergotropy`` is ``None`` when the state is not known, e.g. counts without tomography);
    * ``max_energy`` — the largest stored energy on the curve;
    * ``average_power`` — ``W(T)/T`` at the final time ``T`` (review Eq. 11);
    * ``tau_max_power``, ``max_average_power`` — τ̃ = argmax W(t)/t and ⟨P⟩_τ̃;
    * ``tau_energy_peak`` — τ̄, the first interior maximum of W (``None`` when W has none);
    * ``intervals`` — for sampled curves, name → interval dict (``value``, ``stderr``, ``ci95``, ``method``,
      ``replicates``, ``dropped``; :class:`qbhw.metrics.Interval`) of the figures above and of
      ``final_ergotropy`` / ``final_ergotropy_lower_bound``, from the curve's ``metadata["intervals"]``
      (bootstrap over shots, or parametric bootstrap for estimator results); empty for exact curves.
    """

    final_energy: float = math.nan
    final_work: float = math.nan
    final_ergotropy: float | None = None
    max_energy: float = math.nan
    average_power: float = math.nan
    tau_max_power: float = math.nan
    max_average_power: float = math.nan
    tau_energy_peak: float | None = None
    intervals: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def figures_of_merit(curve: ChargingCurve) -> dict[str, Any]:
        """The curve's figures of merit: a dict with the fields of this class listed above."""
        from ..errors import ChargingTimeError

        t = curve.times
        out: dict[str, Any] = {"final_energy": float(curve.energy[-1]), "final_work": float(curve.work[-1]),
                               "final_ergotropy": None if curve.ergotropy is None else float(curve.ergotropy[-1]),
                               "max_energy": float(np.max(curve.energy)),
                               "average_power": float(curve.work[-1] / t[-1]) if t[-1] > 0 else math.nan}
        try:
            out["tau_max_power"] = float(curve.tau_max_power)
            out["max_average_power"] = float(curve.max_average_power)
        except ChargingTimeError:
            out["tau_max_power"] = out["max_average_power"] = math.nan
        try:
            out["tau_energy_peak"] = float(curve.tau_energy_peak)
        except ChargingTimeError:
            out["tau_energy_peak"] = None
        from ..metrics import Interval

        out["intervals"] = {str(k): Interval.from_dict(v).to_dict()
                            for k, v in (curve.metadata.get("intervals") or {}).items()}
        return out


# ---------------------------------------------------------------------------------------------
# backends
def backend_label(kind: str) -> str:
    """How a backend kind is written in a backend name: ``exact``, ``pulse``, ``aer``, ``fake:<device>``,
    ``ibm:<device>``."""
    return f"{kind}:<device>" if kind in ("fake", "ibm") else kind


def backend_kind(backend) -> str:
    """``"exact" | "pulse" | "aer" | "fake" | "ibm"`` of a backend object (from its name)."""
    name = str(getattr(backend, "name", ""))
    kind = name.split(":", 1)[0].split("+", 1)[0]
    if kind not in BACKEND_KINDS:
        raise ConfigError(f"backend {name!r} is of no known kind", argument="backend", allowed=", ".join(BACKEND_KINDS))
    return kind


def resolve_backend(backend, *, protocol: str, supported: tuple[str, ...]):
    """``(backend object, kind)`` for a backend name or object; refuses kinds the protocol cannot run."""
    from ..backends import Backend, get_backend

    if isinstance(backend, str):
        low = backend.strip().lower()
        kind = low.split(":", 1)[0]
        if kind in BACKEND_KINDS and kind not in supported:
            raise ConfigError(f"protocol {protocol!r} cannot run on backend {backend!r}", argument="backend",
                              allowed=" | ".join(backend_label(k) for k in supported))
        obj = get_backend(backend)
    elif isinstance(backend, Backend):
        obj = backend
    else:
        raise ConfigError(f"got {type(backend).__name__}", argument="backend",
                          allowed="a backend name (exact, pulse, aer, fake:<device>, ibm:<device>) or a Backend")
    kind = backend_kind(obj)
    if kind not in supported:
        raise ConfigError(f"protocol {protocol!r} cannot run on backend {obj.name!r}", argument="backend",
                          allowed=" | ".join(supported))
    return obj, kind


def results_dir_of(context):
    """Where the backend records its jobs for this acquisition: the job ledger the run store put in the
    context (:class:`qbhw.runs.PointContext`), else its ``results_dir`` path; ``None`` without a context."""
    if context is None:
        return None
    jobs = getattr(context, "jobs", None)
    if jobs is not None:
        return jobs
    d = getattr(context, "results_dir", None)
    return None if d is None else Path(d)
