"""Charging one qubit by a classical drive pulse of a chosen envelope (review Sec. IV.A; Gemme, Grossi,
Ferraro, Vallecorsa, Sassetti, Batteries 8, 43, 2022 — single-qubit batteries on IBM devices).

In the frame of the drive (RWA) ``H(t) = (Δ/2) Z + (Ω(t)/2)(cos φ X + sin φ Y)``; the battery energy is
``ω_0 P(|1⟩)``. Square, Gaussian, sine and ramp envelopes of the same area store the same energy at
resonance but differ in power and in their sensitivity to detuning and to the initial state
(``initial_excited``: start in |1⟩, the discharging direction).

Procedure: **parameters** → **acquisition** on ``exact`` (continuous drive, ODE), on circuits (``aer``,
``fake:``, ``ibm:``; one exact gate per sample of length ``dt``) or at pulse level on a transmon
(``pulse``; the device's levels, leakage and T1/Tφ) → **analysis**: figures of merit and the drive
amplitude Ω fitted through the continuous-drive theory → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..compile.drive import ENVELOPES
from ..fit import TheoryModel, fit_curve
from ._charging import curve_fit_data, plot_charging
from ._pulse import check_device
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_bool,
    check_choice,
    check_int,
    check_real,
    resolve_backend,
    results_dir_of,
    time_grid,
)

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_program", "acquire", "analyse", "plot"]

NAME = "single_qubit_drive"
BACKENDS = ("exact", "aer", "fake", "ibm", "pulse")
REFERENCE_DEVICE = "armonk_like"


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Drive and run parameters (names as :func:`qbhw.compile.single_qubit_drive`'s; model units: ω_0 = 1).

    ``envelope``: ``"square"`` | ``"gaussian"`` | ``"sine"`` | ``"ramp"``; ``amplitude``: peak Ω (rad per
    unit time); ``duration``: pulse length; ``sigma``: Gaussian width (``None`` → duration/6); ``dt``:
    sample length of the circuits; ``detuning`` Δ; ``phase`` φ; ``omega_0``; ``initial_excited``;
    ``times``: recorded times within the pulse. Pulse backend only: ``device`` (``None`` → the backend's,
    else ``armonk_like``), ``levels`` (transmon levels kept; leakage is reported), ``decoherence``.
    """

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "envelope": "",
        "amplitude": "rad/time unit",
        "duration": "time unit",
        "sigma": "time unit",
        "dt": "time unit",
        "detuning": "rad/time unit",
        "phase": "rad",
        "omega_0": "rad/time unit",
        "initial_excited": "",
        "times": "time unit",
        "device": "device name",
        "levels": "",
        "decoherence": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "envelope": "'square' | 'gaussian' | 'sine' | 'ramp'",
        "amplitude": "peak Rabi frequency Ω",
        "duration": "pulse length",
        "sigma": "Gaussian width (None: duration/6)",
        "dt": "sample length of the circuits (one gate per sample)",
        "detuning": "drive detuning Δ",
        "phase": "drive phase φ",
        "omega_0": "qubit splitting (the battery energy is ω_0 P(|1⟩))",
        "initial_excited": "start in |1⟩ (the discharging direction)",
        "times": "recorded times within the pulse (an array or {start, stop, num})",
        "device": "pulse backend only: the device (None: the backend's, else armonk_like)",
        "levels": "pulse backend only: transmon levels kept (None: the backend's; leakage is reported)",
        "decoherence": "pulse backend only: the device's T1/Tφ on",
    }

    envelope: str = "square"
    amplitude: float = 1.0
    duration: float = math.pi
    sigma: float | None = None
    dt: float = 0.05
    detuning: float = 0.0
    phase: float = 0.0
    omega_0: float = 1.0
    initial_excited: bool = False
    times: tuple = tuple(float(x) for x in np.linspace(0.0, math.pi, 21))
    device: Any = None
    levels: int | None = None
    decoherence: bool = True

    def _validate(self) -> None:
        check_choice(self.envelope, "envelope", ENVELOPES)
        self._set("amplitude", check_real(self.amplitude, "amplitude"))
        self._set("duration", check_real(self.duration, "duration", minimum=0.0, strict=True))
        self._set("sigma", check_real(self.sigma, "sigma", minimum=0.0, strict=True, allow_none=True))
        self._set("dt", check_real(self.dt, "dt", minimum=0.0, strict=True))
        self._set("detuning", check_real(self.detuning, "detuning"))
        self._set("phase", check_real(self.phase, "phase"))
        self._set("omega_0", check_real(self.omega_0, "omega_0", minimum=0.0, strict=True))
        self._set("initial_excited", check_bool(self.initial_excited, "initial_excited"))
        self._set("times", time_grid(self.times))
        if self.times[-1] > self.duration * (1 + 1e-12):
            from ..errors import InvalidTimesError

            raise InvalidTimesError(f"last time {self.times[-1]:g}", argument="times",
                                    allowed=f"times within the pulse [0, {self.duration:g}]")
        self._set("device", check_device(self.device))
        self._set("levels", check_int(self.levels, "levels", minimum=2, allow_none=True))
        self._set("decoherence", check_bool(self.decoherence, "decoherence"))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (model units) and the fitted drive amplitude ``amplitude`` (peak Ω) with its 95 %
    interval; ``leakage``: the largest population outside the qubit (pulse backend only)."""

    amplitude: float = math.nan
    amplitude_ci95: tuple | None = None
    leakage: float | None = None


def build_program(parameters: Parameters, amplitude: float | None = None):
    """The compiled drive program (:func:`qbhw.compile.single_qubit_drive`)."""
    from ..compile import single_qubit_drive

    p = parameters
    return single_qubit_drive(p.envelope, amplitude=p.amplitude if amplitude is None else amplitude,
                              duration=p.duration, dt=p.dt, detuning=p.detuning, phase=p.phase, omega_0=p.omega_0,
                              initial_excited=p.initial_excited, sigma=p.sigma)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Charging curve of the driven qubit on ``backend``."""
    from ..backends import PulseBackend

    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    p = parameters
    metadata: dict[str, Any] = {}
    if kind == "pulse":
        device = p.device if p.device is not None else (obj.device if obj.device is not None else REFERENCE_DEVICE)
        options = {**obj.options, "decoherence": p.decoherence}
        if p.levels is not None:
            options["levels"] = p.levels
        obj = PulseBackend(device, **options)
        metadata["device"] = device if isinstance(device, str) else device.name
    if kind in ("exact", "pulse") and p.shots is not None:
        from ..errors import ConfigError

        raise ConfigError(f"the {kind} backend gives exact values", argument="shots",
                          allowed="None (use aer, fake:<device> or ibm:<device> for sampled runs)")
    program = build_program(p)
    run_kw: dict[str, Any] = {} if kind in ("exact", "pulse") else {"shots": p.shots, "seed": p.seed,
                                                                    "results_dir": results_dir_of(context)}
    curve = obj.run(program, np.asarray(p.times), **run_kw)
    raw = {"job_ids": list(curve.metadata["job_ids"])} if "job_ids" in curve.metadata else {}
    return Data(protocol=NAME, parameters=p, backend=obj.name, curve=curve, raw=raw, metadata=metadata)


def analyse(data: Data, *, fit: bool = True, amplitude_range: tuple[float, float] | None = None,
            **fit_options) -> Results:
    """Figures of merit and the drive amplitude fitted through the continuous-drive theory."""
    p: Parameters = data.parameters
    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    if "leakage" in curve.observables:
        out["leakage"] = float(np.max(curve.observables["leakage"]))
    notes: list[str] = []
    fit_result = None
    if fit:
        a0 = abs(p.amplitude) or 1.0
        lo, hi = amplitude_range or (0.5 * a0, 1.5 * a0)

        def energies(times, amplitude):
            return np.asarray(build_program(p, amplitude).exact_reference(np.asarray(times)).energy, dtype=float)

        theory = TheoryModel(energies, {"amplitude": {"value": a0, "min": 0.0}}, name="driven qubit energy",
                             formula="omega_0 P1(t; amplitude) of the continuous drive (ODE)",
                             scan=("amplitude", np.linspace(lo, hi, 21)), cache_size=256)
        fit_result = fit_curve(theory, curve_fit_data(curve), **fit_options)
        if fit_result.ok:
            est = fit_result.parameter("amplitude")
            out["amplitude"], out["amplitude_ci95"] = est.value, est.ci95
        else:
            notes.append(f"fit failed: {fit_result.message}")
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Energy (and leakage on the pulse backend) against time, with the fitted theory."""
    p = data.parameters

    def leakage(ax):
        if "leakage" in data.curve.observables:
            ax.plot(data.curve.times, data.curve.observables["leakage"], ":", label="leakage P(≥2)")

    return plot_charging(data, results, title=f"single-qubit battery, {p.envelope} envelope", extra=leakage)
