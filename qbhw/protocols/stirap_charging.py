"""STIRAP charging of a transmon qutrit, |0⟩ → |2⟩, at pulse level (review Secs. IV.B and VI.A; Santos,
Çakmak, Campbell, Zinner, Phys. Rev. E 100, 032107, 2019; Hu et al., Quantum Sci. Technol. 7, 045018, 2022).

Two Gaussian pulses on the transmon's charge line — the Stokes pulse (1–2 carrier) *before* the pump
(0–1 carrier), the counter-intuitive order — move the population adiabatically along the dark state
cos θ|0⟩ − sin θ|2⟩ (θ = arctan Ω_P/Ω_S) without populating |1⟩; the charge is robust to amplitude
errors, unlike sequential π pulses. Each drive also acts on the other transition, detuned by the
anharmonicity α; the solver keeps those cross terms (rotating-wave cut-off above |α|) and the device's
T1/Tφ (Lindblad). Carriers follow the device (a changed anharmonicity retunes the Stokes carrier).

On a calibrated device (``qbhw.devices.load(name, calibration="latest")`` after ``qbhw calibrate``) the carriers
follow the calibrated ν and ef frequency and the record's tuned pulse pair (routine ``stirap_tuneup``) is played
for every pulse field left at its default.

Procedure: **parameters** (the pulse pair, ``amp_scale`` for a deliberate amplitude error, the device)
→ **acquisition** on ``exact``/``pulse`` (pulse-level Lindblad solver; ``shots`` for simulated qutrit
readout) → **analysis**: figures of merit (final populations, W, 𝓔, W/τ) and a theory-backed fit of the
drive-amplitude scale through the same solver, reported as the peak pump Rabi frequency Ω_P/2π → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..pulse import StirapPair
from ._pulse import (
    PULSE_BACKENDS,
    PulseChargingResults,
    acquire_pulse,
    analyse_pulse,
    check_device,
    plot_populations,
    run_schedule,
)
from .base import Data, ProtocolParameters, check_bool, check_real, time_grid

__all__ = ["NAME", "BACKENDS", "REFERENCE_DEVICE", "Parameters", "StirapPairParameters", "CALIBRATED_FIELDS", "Results", "schedule", "acquire", "analyse", "plot"]

NAME = "stirap_charging"
BACKENDS = PULSE_BACKENDS
REFERENCE_DEVICE = "transmon_qutrit_stirap"
_REFERENCE_PAIR = StirapPair.reference()


@dataclass(frozen=True, kw_only=True)
class StirapPairParameters(ProtocolParameters):
    """The STIRAP pair (defaults: the reference pair, :meth:`qbhw.pulse.StirapPair.reference`) and the run.

    ``device``: a device name, a :class:`~qbhw.devices.Device` or ``None`` (the backend's device, else
    ``transmon_qutrit_stirap``); it needs drive channels ``d0`` (pump) and ``d1`` (Stokes).
    ``amp_pump_ghz``, ``amp_stokes_ghz``: peak envelopes s (GHz; the RWA pump term is π s, so Ω_P/2π = s);
    ``sigma_ns``; ``delay_ns`` (> 0: Stokes first); ``duration_ns`` (window); ``center_ns`` (``None``: the
    window's middle); ``amp_scale``: multiplies both amplitudes (a calibration error to study robustness);
    ``times_ns``: recorded times (multiples of the device's dt within the window; an array or
    ``{start, stop, num}``); ``decoherence``: the device's T1/Tφ on; ``rwa_cutoff_ghz``: terms oscillating
    faster than this are dropped (2 GHz keeps the ±α cross terms, drops those near 2ν).
    """

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "device": "device name",
        "amp_scale": "",
        "decoherence": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "device": "device name or Device (None: the backend's, else transmon_qutrit_stirap); needs d0 (pump), d1 (Stokes)",
        "amp_pump_ghz": "peak pump envelope s (Ω_P/2π = s)",
        "amp_stokes_ghz": "peak Stokes envelope s (Ω_S/2π = s)",
        "sigma_ns": "Gaussian width of both pulses",
        "delay_ns": "delay between the pulses (> 0: Stokes first)",
        "duration_ns": "length of the window",
        "center_ns": "centre of the pulse pair (None: the window's middle)",
        "amp_scale": "multiplies both amplitudes (a calibration error, to study robustness)",
        "times_ns": "recorded times, multiples of the device's dt within the window (an array or {start, stop, num})",
        "decoherence": "the device's T1/Tφ on",
        "rwa_cutoff_ghz": "terms oscillating faster than this are dropped",
    }

    device: Any = None
    amp_pump_ghz: float = _REFERENCE_PAIR.amp_pump_ghz
    amp_stokes_ghz: float = _REFERENCE_PAIR.amp_stokes_ghz
    sigma_ns: float = _REFERENCE_PAIR.sigma_ns
    delay_ns: float = _REFERENCE_PAIR.delay_ns
    duration_ns: float = _REFERENCE_PAIR.duration_ns
    center_ns: float | None = None
    amp_scale: float = 1.0
    times_ns: tuple = tuple(float(x) for x in np.linspace(0.0, 400.0, 41))
    decoherence: bool = True
    rwa_cutoff_ghz: float = 2.0

    def _validate(self) -> None:
        self._set("device", check_device(self.device))
        for name in ("amp_pump_ghz", "amp_stokes_ghz"):
            self._set(name, check_real(getattr(self, name), name, minimum=0.0))
        self._set("sigma_ns", check_real(self.sigma_ns, "sigma_ns", minimum=0.0, strict=True))
        self._set("delay_ns", check_real(self.delay_ns, "delay_ns"))
        self._set("duration_ns", check_real(self.duration_ns, "duration_ns", minimum=0.0, strict=True))
        self._set("center_ns", check_real(self.center_ns, "center_ns", minimum=0.0, maximum=self.duration_ns,
                                          allow_none=True))
        self._set("amp_scale", check_real(self.amp_scale, "amp_scale", minimum=0.0))
        self._set("times_ns", time_grid(self.times_ns, "times_ns"))
        if self.times_ns[-1] > self.duration_ns * (1 + 1e-12):
            from ..errors import InvalidTimesError

            raise InvalidTimesError(f"last time {self.times_ns[-1]:g} ns", argument="times_ns",
                                    allowed=f"times within the pulse window [0, {self.duration_ns:g}] ns")
        self._set("decoherence", check_bool(self.decoherence, "decoherence"))
        self._set("rwa_cutoff_ghz", check_real(self.rwa_cutoff_ghz, "rwa_cutoff_ghz", minimum=0.0, strict=True))

    def pair(self, amp_scale: float | None = None):
        """The :class:`~qbhw.pulse.StirapPair` played (amplitudes × ``amp_scale``)."""
        from ..pulse import StirapPair

        a = self.amp_scale if amp_scale is None else amp_scale
        return StirapPair(self.duration_ns, sigma_ns=self.sigma_ns, delay_ns=self.delay_ns,
                          amp_pump_ghz=a * self.amp_pump_ghz, amp_stokes_ghz=a * self.amp_stokes_ghz,
                          center_ns=self.center_ns)


@dataclass(kw_only=True)
class Results(PulseChargingResults):
    """Figures of merit of :class:`~qbhw.protocols._pulse.PulseChargingResults` and ``rabi_mhz``,
    ``rabi_mhz_ci95``: the peak pump Rabi frequency Ω_P/2π (MHz) implied by the fitted amplitude scale."""

    rabi_mhz: float = math.nan
    rabi_mhz_ci95: tuple | None = None


#: the pulse fields a calibration record's tuned STIRAP pair (routine ``stirap_tuneup``) provides
CALIBRATED_FIELDS = {"amp_pump_ghz": "stirap_amp_pump_ghz", "amp_stokes_ghz": "stirap_amp_stokes_ghz",
                     "sigma_ns": "stirap_sigma_ns", "delay_ns": "stirap_delay_ns", "duration_ns": "stirap_duration_ns",
                     "center_ns": "stirap_center_ns"}


@dataclass(frozen=True, kw_only=True)
class Parameters(StirapPairParameters):
    """:class:`StirapPairParameters` and ``use_calibration``: on a device that carries a calibration record with
    a tuned STIRAP pair (``qbhw.devices.load(name, calibration="latest")`` after ``qbhw calibrate``), play the
    record's pulse in place of every pulse field left at its default (and record over the tuned window when
    ``times_ns`` is left at its default); ``False`` plays exactly the fields."""

    UNITS: ClassVar[dict[str, str]] = {"use_calibration": ""}
    HELP: ClassVar[dict[str, str]] = {
        "use_calibration": "on a calibrated device, play the record's tuned STIRAP pulse for fields left at default",
    }

    use_calibration: bool = True

    def _validate(self) -> None:
        super()._validate()
        self._set("use_calibration", check_bool(self.use_calibration, "use_calibration"))

    def resolved(self, device) -> "Parameters":
        """These parameters with the calibrated pulse of ``device`` (a :class:`~qbhw.devices.Device`) filled in
        (see the class docstring); unchanged without a record or with ``use_calibration=False``."""
        from dataclasses import fields as _fields

        rec = getattr(device, "calibration", None)
        if not self.use_calibration or rec is None or not all(q in rec for q in CALIBRATED_FIELDS.values()):
            return self
        defaults = {f.name: f.default for f in _fields(type(self))}
        changes = {k: rec.get(q) for k, q in CALIBRATED_FIELDS.items() if getattr(self, k) == defaults[k]}
        if not changes:
            return self
        if self.times_ns == defaults["times_ns"]:  # 41 times on the device's sample grid across the tuned window
            n = int(round(changes.get("duration_ns", self.duration_ns) / device.dt_ns))
            changes["times_ns"] = tuple(float(k * device.dt_ns) for k in np.unique(np.round(np.linspace(0, n, 41))))
        return self.replace(**changes)


def schedule(parameters: Parameters, amp_scale: float | None = None):
    """The pulse schedule (pump on d0, Stokes on d1)."""
    from ..pulse.protocols import stirap_schedule

    return stirap_schedule(parameters.pair(amp_scale))


def _run(parameters: Parameters, device, amp_scale: float | None = None, backend=None):
    return run_schedule(schedule(parameters, amp_scale), device, parameters, backend)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Run the STIRAP pulse on the device and record the charging curve (see the module docstring). On a
    calibrated device the record's tuned pulse is played (:meth:`Parameters.resolved`); the data keep the
    parameters that were played."""
    from ._pulse import resolve_device
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    parameters = parameters.resolved(resolve_device(parameters.device, obj, REFERENCE_DEVICE))
    return acquire_pulse(NAME, parameters, obj, _run, reference_device=REFERENCE_DEVICE,
                         label="STIRAP (Stokes first)")


def analyse(data: Data, *, fit: bool = True, scale_range: tuple[float, float] = (0.5, 1.5), **fit_options) -> Results:
    """Figures of merit and (``fit=True``) the drive-amplitude scale fitted through the pulse solver."""
    p: Parameters = data.parameters
    fit_result, out, notes = analyse_pulse(data, _run, fit=fit, scale_range=scale_range,
                                           name="STIRAP energy", formula="E(t; amp_scale) of the STIRAP pair "
                                           "through qbhw.pulse (Lindblad)", **fit_options)
    if fit_result is not None and fit_result.ok:
        lo, hi = out["amp_scale_ci95"]
        out["rabi_mhz"] = 1e3 * p.amp_pump_ghz * out["amp_scale"]
        out["rabi_mhz_ci95"] = (1e3 * p.amp_pump_ghz * lo, 1e3 * p.amp_pump_ghz * hi)
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results) -> Figure:
    """Populations and energy during the STIRAP pulse."""
    return plot_populations(data, results, f"STIRAP charging of a transmon qutrit ({data.metadata.get('device', {}).get('name', '')})")
