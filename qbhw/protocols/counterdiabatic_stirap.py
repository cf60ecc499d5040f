"""Counter-diabatic (shortcut-to-adiabaticity) STIRAP charging of a transmon qutrit (review Sec. IV.B;
Berry, J. Phys. A 42, 365303, 2009; Santos et al., Phys. Rev. E 100, 032107, 2019).

The STIRAP pair is complemented by the counter-diabatic drive ``H_CD = i θ̇ (|0⟩⟨2| − |2⟩⟨0|)``
(θ = arctan Ω_P/Ω_S) on an effective two-photon 0–2 channel, which cancels the non-adiabatic losses of a
fast pair exactly on the ideal ladder; with the transmon's off-resonant cross terms kept it is a good but
not perfect shortcut. The counter-diabatic term depends only on the mixing angle, so a common amplitude
error of the pair (``amp_scale``) leaves it unchanged.

Procedure: **parameters** → **acquisition** on ``exact``/``pulse`` (``shots`` for simulated readout) →
**analysis**: final populations, W, 𝓔, W/τ and the fitted amplitude scale of the pair → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..errors import ConfigError
from ._pulse import (
    PULSE_BACKENDS,
    PulseChargingResults,
    acquire_pulse,
    analyse_pulse,
    plot_populations,
    run_schedule,
)
from .base import Data
from .stirap_charging import StirapPairParameters as StirapParameters

__all__ = ["NAME", "BACKENDS", "REFERENCE_DEVICE", "Parameters", "Results", "schedule", "acquire", "analyse", "plot"]

NAME = "counterdiabatic_stirap"
BACKENDS = PULSE_BACKENDS
REFERENCE_DEVICE = "transmon_qutrit_stirap"


@dataclass(frozen=True, kw_only=True)
class Parameters(StirapParameters):
    """The STIRAP pair and run parameters of :class:`qbhw.protocols.stirap_charging.Parameters` (defaults: a
    pair four times faster than the reference, 100 ns with σ = 10 ns, where plain STIRAP is not adiabatic),
    plus ``cd_channel``: the device's two-photon 0–2 channel carrying the counter-diabatic drive."""

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "cd_channel": "channel name",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "cd_channel": "the device's two-photon 0–2 channel carrying the counter-diabatic drive",
    }

    sigma_ns: float = 10.0
    delay_ns: float = 15.0
    duration_ns: float = 100.0
    amp_pump_ghz: float = 0.025
    amp_stokes_ghz: float = 0.025 / math.sqrt(2.0)
    times_ns: tuple = tuple(float(x) for x in np.linspace(0.0, 100.0, 51))
    cd_channel: str = "d02"

    def _validate(self) -> None:
        super()._validate()
        if not isinstance(self.cd_channel, str) or not self.cd_channel:
            raise ConfigError(f"got {self.cd_channel!r}", argument="cd_channel",
                              allowed="the name of a transition:0-2 channel of the device (e.g. 'd02')")


Results = PulseChargingResults


def schedule(parameters: Parameters, device, amp_scale: float | None = None):
    """STIRAP pair on d0/d1 plus the counter-diabatic drive (:func:`qbhw.pulse.protocols.counterdiabatic_schedule`)."""
    from ..pulse.protocols import counterdiabatic_schedule

    return counterdiabatic_schedule(device, parameters.pair(amp_scale), channel=parameters.cd_channel)


def _run(parameters: Parameters, device, amp_scale: float | None = None, backend=None):
    if parameters.cd_channel not in device.channel_map:
        raise ConfigError(f"device {device.name!r} has no channel {parameters.cd_channel!r}", argument="cd_channel",
                          allowed=", ".join(device.channel_map))
    return run_schedule(schedule(parameters, device, amp_scale), device, parameters, backend)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Play the schedule on the device and record the charging curve."""
    return acquire_pulse(NAME, parameters, backend, _run, reference_device=REFERENCE_DEVICE, label="counter-diabatic STIRAP")


def analyse(data: Data, *, fit: bool = True, scale_range: tuple[float, float] = (0.5, 1.5), **fit_options) -> Results:
    """Figures of merit and (``fit=True``) the drive-amplitude scale fitted through the pulse solver."""
    fit_result, out, notes = analyse_pulse(data, _run, fit=fit, scale_range=scale_range, name="CD-STIRAP energy",
                                           formula="E(t; amp_scale) of counter-diabatic STIRAP through qbhw.pulse", **fit_options)
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Populations and energy during the counter-diabatic STIRAP pulse."""
    return plot_populations(data, results, "counter-diabatic STIRAP charging of a transmon qutrit")
