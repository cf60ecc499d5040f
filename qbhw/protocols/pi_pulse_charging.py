"""Charging a transmon qutrit |0⟩ → |2⟩ by two sequential π pulses (0–1, then 1–2) — the fast but fragile
alternative to STIRAP (review Sec. IV.B; Hu et al., Quantum Sci. Technol. 7, 045018, 2022).

Each pulse is a Gaussian of area 1/2 on its transition (the 1–2 matrix element is √2, so the second
pulse has area 1/(2√2)); both are played on the transmon's charge line, so each also drives the other
transition off resonance (kept by the solver). A pulse-area error ``amp_scale`` ≠ 1 leaves population
behind, unlike STIRAP.

Procedure: **parameters** → **acquisition** on ``exact``/``pulse`` (pulse-level Lindblad solver; ``shots``
for simulated readout) → **analysis**: final populations, W, 𝓔, W/τ and the fitted drive-amplitude scale
through the same solver → **plot**.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ._pulse import (
    PULSE_BACKENDS,
    PulseChargingResults,
    acquire_pulse,
    analyse_pulse,
    check_device,
    plot_populations,
    run_schedule,
)
from .base import (
    Data,
    ProtocolParameters,
    check_bool,
    check_real,
    time_grid,
)

__all__ = ["NAME", "BACKENDS", "REFERENCE_DEVICE", "Parameters", "Results", "schedule", "acquire", "analyse", "plot"]

NAME = "pi_pulse_charging"
BACKENDS = PULSE_BACKENDS
REFERENCE_DEVICE = "transmon_qutrit_stirap"


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """``device`` (as for STIRAP; channels d0 on the 0–1 and d1 on the 1–2 carrier), ``duration_ns`` and
    ``sigma_ns`` of each Gaussian π pulse, ``amp_scale`` (pulse-area error; 1 = exact π pulses),
    ``times_ns`` (recorded times within the two pulses, on the dt grid), ``decoherence``, ``rwa_cutoff_ghz``."""

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "device": "device name",
        "amp_scale": "",
        "decoherence": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "device": "device name or Device, as for STIRAP; d0 drives 0–1, d1 drives 1–2",
        "duration_ns": "length of each Gaussian π pulse",
        "sigma_ns": "Gaussian width of each π pulse",
        "amp_scale": "pulse-area error (1: exact π pulses)",
        "times_ns": "recorded times within the two pulses, on the dt grid (an array or {start, stop, num})",
        "decoherence": "the device's T1/Tφ on",
        "rwa_cutoff_ghz": "terms oscillating faster than this are dropped",
    }

    device: Any = None
    duration_ns: float = 40.0
    sigma_ns: float = 10.0
    amp_scale: float = 1.0
    times_ns: tuple = tuple(float(x) for x in np.linspace(0.0, 80.0, 41))
    decoherence: bool = True
    rwa_cutoff_ghz: float = 2.0

    def _validate(self) -> None:
        self._set("device", check_device(self.device))
        self._set("duration_ns", check_real(self.duration_ns, "duration_ns", minimum=0.0, strict=True))
        self._set("sigma_ns", check_real(self.sigma_ns, "sigma_ns", minimum=0.0, strict=True))
        self._set("amp_scale", check_real(self.amp_scale, "amp_scale", minimum=0.0))
        self._set("times_ns", time_grid(self.times_ns, "times_ns"))
        self._set("decoherence", check_bool(self.decoherence, "decoherence"))
        self._set("rwa_cutoff_ghz", check_real(self.rwa_cutoff_ghz, "rwa_cutoff_ghz", minimum=0.0, strict=True))


Results = PulseChargingResults


def schedule(parameters: Parameters, device, amp_scale: float | None = None):
    """The two π pulses (:func:`qbhw.pulse.protocols.sequential_pi_schedule`)."""
    from ..pulse.protocols import sequential_pi_schedule

    a = parameters.amp_scale if amp_scale is None else amp_scale
    return sequential_pi_schedule(device, duration_ns=parameters.duration_ns, sigma_ns=parameters.sigma_ns, amp_scale=a)


def _run(parameters: Parameters, device, amp_scale: float | None = None, backend=None):
    return run_schedule(schedule(parameters, device, amp_scale), device, parameters, backend)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Play the schedule on the device and record the charging curve."""
    return acquire_pulse(NAME, parameters, backend, _run, reference_device=REFERENCE_DEVICE, label="sequential pi pulses")


def analyse(data: Data, *, fit: bool = True, scale_range: tuple[float, float] = (0.5, 1.5), **fit_options) -> Results:
    """Figures of merit and (``fit=True``) the drive-amplitude scale fitted through the pulse solver."""
    fit_result, out, notes = analyse_pulse(data, _run, fit=fit, scale_range=scale_range, name="pi-pulse energy",
                                           formula="E(t; amp_scale) of two sequential pi pulses through qbhw.pulse", **fit_options)
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Populations and energy during the two π pulses."""
    return plot_populations(data, results, "sequential π-pulse charging of a transmon qutrit")
