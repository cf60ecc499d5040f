"""Pulse envelopes (waveforms) in ns and GHz.

A waveform is a complex envelope ``s(t)`` (GHz, cyclic) of a given duration (ns). On a channel
with carrier frequency ν (GHz) and drive operator O the device plays the signal
``2π Re[s(t) e^{i(2πν t + φ)}] O`` (ħ = 1, 2π applied internally; see :mod:`qbhw.pulse.model`).
In the rotating frame and rotating-wave approximation a qubit drive ``s`` (real) gives
``H = π s X``, i.e. the Rabi angular frequency ``2π s``: a π pulse has area ``∫ s dt = 1/2``.

Sampling (hardware model): the device plays sample ``k`` held constant on ``[k dt, (k+1) dt)``.
Parametric waveforms are sampled at the sample *midpoints* ``t = (k + 1/2) dt``, which makes the
held envelope a second-order approximation of the continuous one. ``Samples`` holds arbitrary,
already-sampled values for a given ``dt_ns``. A duration that is not a whole number of samples
raises :class:`~qbhw.pulse.OffGridError`; NaN/inf parameters or samples raise
:class:`~qbhw.pulse.NonFiniteSamplesError`.

STIRAP (Santos et al., PRE 100, 032107, 2019, review Sec. IV.B; Hu et al., Quantum Sci. Technol. 7,
045018, 2022): :class:`StirapPair` builds the Gaussian pump and Stokes pulses with the Stokes pulse first
(counter-intuitive order; :meth:`StirapPair.reference` is the reference pair), and :class:`StirapRamp` the
envelopes of a mixing-angle / Santos-type parametrisation.

JSON (:meth:`Waveform.to_dict` / :func:`waveform_from_dict`; inside a schedule file, the ``waveform`` of a
``play`` instruction): an object with a ``"type"`` and that type's keys. Times in ns, amplitudes in GHz,
angles in rad; every value is a JSON number (not a string, not ``true``/``false``) unless said otherwise;
unknown keys are refused. Keys marked ``= default`` may be left out; all others are required::

    {"type": "constant",        "duration_ns", "amp_ghz", "angle" = 0}
    {"type": "gaussian",        "duration_ns", "amp_ghz", "sigma_ns", "angle" = 0, "center_ns" = null (the middle)}
    {"type": "gaussian_square", "duration_ns", "amp_ghz", "sigma_ns", "width_ns", "angle" = 0}
    {"type": "drag",            "duration_ns", "amp_ghz", "sigma_ns", "beta_ns", "angle" = 0}
    {"type": "sin_squared",     "duration_ns", "amp_ghz", "angle" = 0}
    {"type": "flat_top",        "duration_ns", "amp_ghz", "rise_ns", "angle" = 0}
    {"type": "stirap_ramp",     "duration_ns", "amp_ghz", "role" ("pump" | "stokes"),
                                "law" = "santos" ("santos" | "mixing_angle"), "angle" = 0}
    {"type": "samples",         "values" ([[re, im], ...] in GHz), "dt_ns",
                                "duration_ns" = null (len(values) * dt_ns)}

``amp_ghz``, ``sigma_ns``, ``width_ns``, ``beta_ns``, ``rise_ns`` and ``role`` are required in a file
although the constructors have defaults: those defaults are placeholders (a zero pulse, a 1 ns Gaussian),
so a key left out is a mistake, not a choice. A range error of the constructor (negative duration, NaN
amplitude, ``width_ns > duration_ns`` …) is reported like a schema error: a
:class:`~qbhw.errors.FileFormatError` naming the key path (and the line, for text).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, fields
from typing import ClassVar

import numpy as np

from .. import schema
from ..errors import ConfigError, InvalidArgumentError
from ._errors import OffGridError
from ._grid import check_duration, check_dt, check_finite, check_finite_array, to_samples

__all__ = [
    "Waveform",
    "Constant",
    "Gaussian",
    "GaussianSquare",
    "Drag",
    "SinSquared",
    "FlatTop",
    "Samples",
    "StirapRamp",
    "StirapPair",
    "santos_f",
    "waveform_from_dict",
]

_REGISTRY: dict[str, type] = {}


@dataclass(frozen=True)
class Waveform:
    """Base class: a complex envelope of ``duration_ns`` with peak ``amp_ghz`` and phase ``angle`` (rad)."""

    duration_ns: float

    kind: ClassVar[str] = "waveform"

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        _REGISTRY[cls.kind] = cls

    def __post_init__(self):
        object.__setattr__(self, "duration_ns", check_duration(self.duration_ns))
        for f in fields(self):
            if f.name in ("duration_ns", "values", "role", "law"):
                continue
            v = getattr(self, f.name)
            if v is not None:
                object.__setattr__(self, f.name, check_finite(v, f.name))

    # -- continuous envelope -------------------------------------------------------------------
    def envelope(self, t_ns) -> np.ndarray:
        """Complex envelope (GHz) at times ``t_ns`` measured from the waveform's start."""
        raise NotImplementedError

    def n_samples(self, dt_ns: float) -> int:
        return to_samples(self.duration_ns, dt_ns)

    def samples(self, dt_ns: float) -> np.ndarray:
        """Held samples on the ``dt_ns`` grid (values at the sample midpoints)."""
        n = self.n_samples(dt_ns)
        t = (np.arange(n) + 0.5) * check_dt(dt_ns)
        return check_finite_array(self.envelope(t), "samples")

    def peak_amplitude(self, dt_ns: float) -> float:
        s = self.samples(dt_ns)
        return float(np.max(np.abs(s))) if s.size else 0.0

    # -- serialisation ---------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"type": self.kind, **asdict(self)}


def waveform_from_dict(data: dict) -> Waveform:
    """Inverse of :meth:`Waveform.to_dict`: the dict is validated (see the module doc for its keys);
    any mistake raises :class:`~qbhw.errors.FileFormatError` naming the key path (e.g. ``sigma_ns``)."""
    return decode_waveform(schema.SourceFile.from_data(data), data)


# ---------------------------------------------------------------------------------------------
# validated JSON: the keys of each waveform type (read with qbhw.schema)
_REQUIRED = ...  # pydantic's marker of a required key
_NUMBER = (float, _REQUIRED)
_ANGLE = (float, 0.0)

#: per waveform ``type``: key → (type, default or ``...`` for required); see the module doc
WAVEFORM_KEYS: dict[str, dict[str, tuple]] = {
    "constant": {"duration_ns": _NUMBER, "amp_ghz": _NUMBER, "angle": _ANGLE},
    "gaussian": {"duration_ns": _NUMBER, "amp_ghz": _NUMBER, "sigma_ns": _NUMBER, "angle": _ANGLE,
                 "center_ns": (float | None, None)},
    "gaussian_square": {"duration_ns": _NUMBER, "amp_ghz": _NUMBER, "sigma_ns": _NUMBER, "width_ns": _NUMBER,
                        "angle": _ANGLE},
    "drag": {"duration_ns": _NUMBER, "amp_ghz": _NUMBER, "sigma_ns": _NUMBER, "beta_ns": _NUMBER, "angle": _ANGLE},
    "sin_squared": {"duration_ns": _NUMBER, "amp_ghz": _NUMBER, "angle": _ANGLE},
    "flat_top": {"duration_ns": _NUMBER, "amp_ghz": _NUMBER, "rise_ns": _NUMBER, "angle": _ANGLE},
    "stirap_ramp": {"duration_ns": _NUMBER, "amp_ghz": _NUMBER, "role": (str, _REQUIRED), "law": (str, "santos"),
                    "angle": _ANGLE},
    "samples": {"values": (list[list[float]], _REQUIRED), "dt_ns": _NUMBER, "duration_ns": (float | None, None)},
}


def _complex_values(source: schema.SourceFile, pairs: list, at: tuple) -> list[complex]:
    """``[[re, im], ...]`` → complex numbers; a pair of another length names its index."""
    for i, pair in enumerate(pairs):
        if len(pair) != 2:
            raise source.error(f"got {schema.short_repr(pair)}: a sample is written [re, im]", (*at, i),
                               allowed="a list of two numbers [re, im] (GHz)")
    return [complex(re, im) for re, im in pairs]


@functools.cache
def _waveform_model(kind: str):
    keys = {"type": (str, _REQUIRED), **WAVEFORM_KEYS[kind]}
    return schema.strict_model(f"{_REGISTRY[kind].__name__}Json", keys)


def decode_waveform(source: schema.SourceFile, data, at: tuple = ()) -> Waveform:
    """The waveform described by the JSON object ``data`` found at key path ``at`` of ``source``, validated."""
    kind = schema.tag(source, data, at, "type", tuple(WAVEFORM_KEYS), "waveform type")
    values = schema.validate(_waveform_model(kind), source, data, at=at).model_dump()
    del values["type"]
    if kind == "samples":
        values["values"] = _complex_values(source, values["values"], (*at, "values"))
    return schema.construct(source, at, values, _REGISTRY[kind], **values)


def _phase(angle: float) -> complex:
    return complex(np.exp(1j * angle))


@dataclass(frozen=True)
class Constant(Waveform):
    """``s(t) = amp e^{i angle}`` on ``[0, duration)`` (the Gemme 2022 'square' pulse)."""

    amp_ghz: float = 0.0
    angle: float = 0.0
    kind: ClassVar[str] = "constant"

    def envelope(self, t_ns):
        t = np.asarray(t_ns, dtype=float)
        return np.full(t.shape, self.amp_ghz * _phase(self.angle), dtype=complex)


@dataclass(frozen=True)
class Gaussian(Waveform):
    """``s(t) = amp e^{i angle} exp(−(t − t_c)²/(2σ²))``, not truncated or lifted; ``t_c`` defaults to the middle."""

    amp_ghz: float = 0.0
    sigma_ns: float = 1.0
    angle: float = 0.0
    center_ns: float | None = None
    kind: ClassVar[str] = "gaussian"

    def __post_init__(self):
        super().__post_init__()
        check_finite(self.sigma_ns, "sigma_ns", positive=True)

    @property
    def center(self) -> float:
        return self.duration_ns / 2 if self.center_ns is None else self.center_ns

    def envelope(self, t_ns):
        t = np.asarray(t_ns, dtype=float)
        return self.amp_ghz * _phase(self.angle) * np.exp(-((t - self.center) ** 2) / (2 * self.sigma_ns**2))


@dataclass(frozen=True)
class GaussianSquare(Waveform):
    """Flat top of ``width_ns`` in the middle, Gaussian rise and fall of ``sigma_ns``."""

    amp_ghz: float = 0.0
    sigma_ns: float = 1.0
    width_ns: float = 0.0
    angle: float = 0.0
    kind: ClassVar[str] = "gaussian_square"

    def __post_init__(self):
        super().__post_init__()
        check_finite(self.sigma_ns, "sigma_ns", positive=True)
        w = check_finite(self.width_ns, "width_ns", nonnegative=True)
        if w > self.duration_ns:
            raise InvalidArgumentError(f"width {w} ns exceeds duration {self.duration_ns} ns", argument="width_ns",
                                       allowed="0 <= width_ns <= duration_ns")

    def envelope(self, t_ns):
        t = np.asarray(t_ns, dtype=float)
        c1 = (self.duration_ns - self.width_ns) / 2
        c2 = c1 + self.width_ns
        x = np.where(t < c1, t - c1, np.where(t > c2, t - c2, 0.0))
        return self.amp_ghz * _phase(self.angle) * np.exp(-(x**2) / (2 * self.sigma_ns**2))


@dataclass(frozen=True)
class Drag(Waveform):
    """DRAG: ``G(t) + i β dG/dt`` with the Gaussian ``G`` above, ``dG/dt = −(t − t_c)/σ² G`` (β in ns)."""

    amp_ghz: float = 0.0
    sigma_ns: float = 1.0
    beta_ns: float = 0.0
    angle: float = 0.0
    kind: ClassVar[str] = "drag"

    def __post_init__(self):
        super().__post_init__()
        check_finite(self.sigma_ns, "sigma_ns", positive=True)

    def envelope(self, t_ns):
        t = np.asarray(t_ns, dtype=float)
        x = t - self.duration_ns / 2
        g = np.exp(-(x**2) / (2 * self.sigma_ns**2))
        return self.amp_ghz * _phase(self.angle) * g * (1 - 1j * self.beta_ns * x / self.sigma_ns**2)


@dataclass(frozen=True)
class SinSquared(Waveform):
    """``s(t) = amp e^{i angle} sin²(π t / T)`` (the 'sine' profile of Gemme 2022)."""

    amp_ghz: float = 0.0
    angle: float = 0.0
    kind: ClassVar[str] = "sin_squared"

    def envelope(self, t_ns):
        t = np.asarray(t_ns, dtype=float)
        if self.duration_ns == 0:
            return np.zeros(t.shape, dtype=complex)
        return self.amp_ghz * _phase(self.angle) * np.sin(np.pi * t / self.duration_ns) ** 2 + 0j


@dataclass(frozen=True)
class FlatTop(Waveform):
    """Cosine-tapered flat top: ``(1 − cos(π t/r))/2`` rise over ``rise_ns``, flat, mirrored fall."""

    amp_ghz: float = 0.0
    rise_ns: float = 0.0
    angle: float = 0.0
    kind: ClassVar[str] = "flat_top"

    def __post_init__(self):
        super().__post_init__()
        r = check_finite(self.rise_ns, "rise_ns", nonnegative=True)
        if 2 * r > self.duration_ns:
            raise InvalidArgumentError(f"two ramps of {r} ns do not fit in {self.duration_ns} ns", argument="rise_ns",
                                       allowed="0 <= 2 * rise_ns <= duration_ns")

    def envelope(self, t_ns):
        t = np.asarray(t_ns, dtype=float)
        r, T = self.rise_ns, self.duration_ns
        if r == 0:
            shape = np.ones(t.shape)
        else:
            up = 0.5 * (1 - np.cos(np.pi * np.clip(t, 0, r) / r))
            down = 0.5 * (1 - np.cos(np.pi * np.clip(T - t, 0, r) / r))
            shape = np.minimum(up, down)
        return self.amp_ghz * _phase(self.angle) * shape + 0j


@dataclass(frozen=True, init=False, eq=False)
class Samples(Waveform):
    """Arbitrary complex samples (GHz) for a device with sample time ``dt_ns``; ``duration_ns = len · dt``."""

    values: tuple = ()
    dt_ns: float = 1.0
    kind: ClassVar[str] = "samples"

    def __init__(self, values, dt_ns: float, duration_ns: float | None = None):
        vals = check_finite_array(np.atleast_1d(np.asarray(values, dtype=complex)).ravel(), "values")
        dt = check_dt(dt_ns)
        object.__setattr__(self, "values", tuple(complex(v) for v in vals))
        object.__setattr__(self, "dt_ns", dt)
        object.__setattr__(self, "duration_ns", len(vals) * dt if duration_ns is None else check_duration(duration_ns))
        object.__setattr__(self, "_array", vals)

    def __post_init__(self):  # pragma: no cover - __init__ is custom
        pass

    def n_samples(self, dt_ns: float) -> int:
        dt = check_dt(dt_ns)
        if abs(dt - self.dt_ns) > 1e-12 * dt:
            raise OffGridError(f"samples were made for dt = {self.dt_ns!r} ns, played with dt = {dt!r} ns",
                               argument="dt_ns", allowed=f"{self.dt_ns!r}")
        return len(self.values)

    def samples(self, dt_ns: float) -> np.ndarray:
        self.n_samples(dt_ns)
        return np.array(self.__dict__["_array"], copy=True)

    def envelope(self, t_ns):
        t = np.asarray(t_ns, dtype=float)
        k = np.clip(np.floor(t / self.dt_ns).astype(int), 0, len(self.values) - 1)
        return self.__dict__["_array"][k]

    def to_dict(self) -> dict:
        out = {"type": self.kind, "values": [[v.real, v.imag] for v in self.values], "dt_ns": self.dt_ns}
        if self.duration_ns != len(self.values) * self.dt_ns:  # an explicit duration (round-trips)
            out["duration_ns"] = self.duration_ns
        return out

    def __eq__(self, other):
        return isinstance(other, Samples) and self.dt_ns == other.dt_ns and self.values == other.values

    def __hash__(self):
        return hash((self.dt_ns, self.values))


def santos_f(x):
    """The switching function of the adiabatic ramp, ``f(x) = sin²(π x / 2)`` for ``x = t/τ ∈ [0, 1]``.

    PLACEHOLDER (seed-spec §2.14 [P]): the review does not give Santos et al.'s f(t), and the paper
    was not available to us; this smooth choice satisfies f(0) = 0, f(1) = 1, f'(0) = f'(1) = 0.
    """
    x = np.clip(np.asarray(x, dtype=float), 0.0, 1.0)
    return np.sin(np.pi * x / 2) ** 2


_ROLES = ("pump", "stokes")
_LAWS = ("santos", "mixing_angle")


@dataclass(frozen=True)
class StirapRamp(Waveform):
    """Adiabatic-passage envelopes over ``[0, T]`` with ``f = santos_f(t/T)``.

    * ``law="santos"`` (Santos 2019, review Sec. IV.B): pump ``Ω_12 = A f(t)``, Stokes ``Ω_23 = A [1 − f(t)]``;
    * ``law="mixing_angle"``: mixing angle ``θ(t) = (π/2) f(t)``, pump ``A sin θ``, Stokes ``A cos θ``
      (constant r.m.s. Rabi frequency).

    Both start with the Stokes coupling only (counter-intuitive order). ``amp_ghz`` is the peak envelope
    of this channel; matrix elements of the transition (√2 on a transmon's 1–2) are the model's business.
    """

    amp_ghz: float = 0.0
    role: str = "pump"
    law: str = "santos"
    angle: float = 0.0
    kind: ClassVar[str] = "stirap_ramp"

    def __post_init__(self):
        super().__post_init__()
        if self.role not in _ROLES:
            raise ConfigError(f"unknown role {self.role!r}", argument="role", allowed="'pump' | 'stokes'")
        if self.law not in _LAWS:
            raise ConfigError(f"unknown law {self.law!r}", argument="law", allowed="'santos' | 'mixing_angle'")

    def shape(self, t_ns):
        T = self.duration_ns
        f = santos_f(np.asarray(t_ns, dtype=float) / T) if T > 0 else np.zeros(np.shape(t_ns))
        if self.law == "santos":
            return f if self.role == "pump" else 1.0 - f
        theta = 0.5 * np.pi * f
        return np.sin(theta) if self.role == "pump" else np.cos(theta)

    def envelope(self, t_ns):
        return self.amp_ghz * _phase(self.angle) * self.shape(t_ns) + 0j


@dataclass(frozen=True)
class StirapPair:
    """Gaussian STIRAP pair: Stokes first, pump ``delay_ns`` later (:meth:`reference`: the pair qbhw uses by default).

    Pump centre ``t_P = center_ns + delay_ns/2``, Stokes centre ``t_S = center_ns − delay_ns/2``
    (``delay_ns > 0``: counter-intuitive order). Both pulses span the whole window ``[0, duration_ns]``.
    The mixing angle ``θ(t) = arctan(Ω_P(t)/Ω_S(t))`` goes from 0 to π/2; pass the transitions' matrix
    elements to compare Rabi frequencies (1 and √2 for the 0–1 and 1–2 transitions of a transmon).
    """

    duration_ns: float
    sigma_ns: float
    delay_ns: float
    amp_pump_ghz: float
    amp_stokes_ghz: float
    center_ns: float | None = None

    def __post_init__(self):
        check_duration(self.duration_ns)
        check_finite(self.sigma_ns, "sigma_ns", positive=True)
        check_finite(self.delay_ns, "delay_ns")
        check_finite(self.amp_pump_ghz, "amp_pump_ghz")
        check_finite(self.amp_stokes_ghz, "amp_stokes_ghz")

    @classmethod
    def reference(cls) -> "StirapPair":
        """The reference pair of the transmon-qutrit STIRAP battery used throughout qbhw.

        Window 400 ns, σ = 40 ns, delay 60 ns with the Stokes pulse first (Stokes centre 170 ns, pump centre
        230 ns, pair centre 200 ns), peak envelopes ``s_P = 0.025`` GHz and ``s_S = 0.025/√2`` GHz. On a
        transmon (matrix elements 1 and √2) the peak Rabi frequencies are equal, ``Ω_P = 2π s_P = Ω_S =
        2π √2 s_S = 2π · 25 MHz``, so the mixing angle is π/4 at the pair centre. Adiabatic STIRAP charging
        |0⟩ → |2⟩ of a three-level battery: Santos et al., PRE 100, 032107 (2019) (review Campaioli et al.,
        Rev. Mod. Phys. 96, 031001 (2024), Sec. IV.B); transmon-qutrit experiment: Hu et al., Quantum Sci.
        Technol. 7, 045018 (2022) (review Sec. VI.A).
        """
        return cls(400.0, sigma_ns=40.0, delay_ns=60.0, amp_pump_ghz=0.025, amp_stokes_ghz=0.025 / math.sqrt(2),
                   center_ns=200.0)

    @property
    def center(self) -> float:
        return self.duration_ns / 2 if self.center_ns is None else float(self.center_ns)

    @property
    def pump(self) -> Gaussian:
        return Gaussian(self.duration_ns, amp_ghz=self.amp_pump_ghz, sigma_ns=self.sigma_ns,
                        center_ns=self.center + self.delay_ns / 2)

    @property
    def stokes(self) -> Gaussian:
        return Gaussian(self.duration_ns, amp_ghz=self.amp_stokes_ghz, sigma_ns=self.sigma_ns,
                        center_ns=self.center - self.delay_ns / 2)

    def mixing_angle(self, t_ns, *, element_pump: float = 1.0, element_stokes: float = math.sqrt(2)) -> np.ndarray:
        """``θ(t) = arctan2(m_P Ω_P(t), m_S Ω_S(t))`` with the transitions' matrix elements ``m_P, m_S``."""
        p = element_pump * np.abs(self.pump.envelope(t_ns))
        s = element_stokes * np.abs(self.stokes.envelope(t_ns))
        return np.arctan2(p, s)
