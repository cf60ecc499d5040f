"""Spectroscopy of the 1–2 (e–f) transition: the record's ``ef_freq_ghz`` (a calibration routine; qibocal's
``qutrit_spectroscopy``, qiskit-experiments' ``EFSpectroscopy``).

The transmon is prepared in |1⟩ with the 0→1 π pulse (:func:`~qbhw.protocols._calibration.pi_pulse`: the record's,
else the rotating-wave estimate of the description). A weak, long Gaussian probe of width ``σ`` on the Stokes
channel ``d1`` is then played at the carrier ``ν₁₂ + Δ`` (``ν₁₂ = ν + α`` of the description, set with
:class:`~qbhw.pulse.SetFrequency`), and the level is read out. Δ is swept over ``span_mhz``, enough to find a 1–2
line that is ±10 MHz away from where the description puts it (the anharmonicity α is the least known transmon
parameter, Koch et al., Phys. Rev. A 76, 042319 (2007); review Campaioli et al., Rev. Mod. Phys. 96, 031001
(2024), Sec. VI.A; the experiment is the standard one of Krantz et al., Appl. Phys. Rev. 6, 021318 (2019),
Sec. V.B).

Line shape: in the frame of the probe, the 1–2 pair is a two-level system with the Hamiltonian (cyclic units,
ħ = 1) ``H(t)/2π = −((δ + κ s²)/2) σ_z + (m g s(t) (1 − η s²)/2) σ_x``, ``δ = Δ − Δ₀`` the probe's detuning from
the line, ``m = √2`` the 1–2 matrix element of ``b + b†``, ``s(t)`` the sampled probe envelope (times ``g``, the
unknown gain of the drive line), and ``κ``, ``η`` the second-order corrections from the transmon's other levels
(:func:`~qbhw.protocols._rabi.second_order_coefficients`, from the description): the probe's off-resonant coupling
to the 0–1 transition shifts level 1 (AC Stark, the line moves by ``−κ s²``, κ = 1/(4|α|): ≈ 20 kHz at the
default probe's peak) and dresses it (``η``, negligible here). The transfer ``T(δ; g) = |⟨2|U(δ, g)|1⟩|²`` is
computed exactly for the piecewise-constant samples (:func:`~qbhw.protocols._rabi.two_level_transfer`, a product
of SU(2) steps), and

    P(read 2) = offset + contrast · T(Δ − Δ₀; g)

is fitted for ``Δ₀``, ``g``, ``contrast`` and ``offset`` (readout errors and an imperfect preparation go into the
last two) with :func:`qbhw.fit.fit_curve` (95 % intervals from the fit). ``ef_freq_ghz = ν₁₂ + Δ₀``: the line's
centre without the probe. A π-area probe (the default) fixes ``g`` from the line's power broadening; a weaker one
leaves ``g`` and ``contrast`` correlated but not ``Δ₀``.

Every detuning is measured with the probe at phase 0 and at phase π and the counts are added: the short 0→1 π pulse
leaks a small *coherent* amplitude into |2⟩, which interferes with the probe's transfer (a ripple across the line
of up to 10⁻² that would shift its fitted centre by tens of kHz); the interference term changes sign with the
probe's sign and cancels in the sum, the line does not.

Procedure: **parameters** → **acquisition** (``exact``/``pulse`` or a simulated device; finite, seeded shots) →
**analysis** (fit, record value) → **plot**. Units: ns, GHz (the detuning axis in MHz).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import CalibrationFailedError, ConfigError
from ._calibration import (CALIBRATION_BACKENDS, CalibrationParameters, CalibrationResults, calibration_device,
                           interval_note, level_channel, measure, nominal_pi_amp, on_grid, pi_pulse, pi_settings,
                           plot_sweep, resolved_note, shots_note, sweep_data, value_from_fit)
from ._rabi import interior, second_order_coefficients, two_level_transfer
from .base import Data, check_int, check_real

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "acquire", "analyse", "plot", "probe_line"]

NAME = "ef_spectroscopy"
BACKENDS = CALIBRATION_BACKENDS
TRANSITION = "12"


@dataclass(frozen=True, kw_only=True)
class Parameters(CalibrationParameters):
    """``probe_sigma_ns``, ``probe_duration_ns``: the Gaussian probe's width and window (the window rounded up to the
    device grid); ``probe_rotation``: its area at zero detuning in units of π (from the record's 1→2 π amplitude
    when it has one, else the rotating-wave estimate; a long probe is weak even at π area — a peak of ≈ 5 MHz,
    far below |α| — so the line is narrow and its AC Stark shift small); ``span_mhz``: the detunings Δ run from
    −span/2 to +span/2 around the description's ν + α; ``num_detunings``: points of the sweep (each measured at
    probe phases 0 and π, ``shots`` each)."""

    UNITS: ClassVar[dict[str, str]] = {"probe_rotation": "π", "num_detunings": ""}
    HELP: ClassVar[dict[str, str]] = {
        "probe_sigma_ns": "Gaussian width of the probe",
        "probe_duration_ns": "window of the probe",
        "probe_rotation": "probe area at zero detuning, in units of π",
        "span_mhz": "full width of the detuning sweep around the description's ν + α",
        "num_detunings": "points of the detuning sweep",
    }

    probe_sigma_ns: float = 30.0
    probe_duration_ns: float = 150.0
    probe_rotation: float = 1.0
    span_mhz: float = 32.0
    num_detunings: int = 33

    def _validate(self) -> None:
        super()._validate()
        self._set("probe_sigma_ns", check_real(self.probe_sigma_ns, "probe_sigma_ns", minimum=0.0, strict=True))
        self._set("probe_duration_ns", check_real(self.probe_duration_ns, "probe_duration_ns",
                                                  minimum=2 * self.probe_sigma_ns))
        self._set("probe_rotation", check_real(self.probe_rotation, "probe_rotation", minimum=0.05, maximum=1.0))
        self._set("span_mhz", check_real(self.span_mhz, "span_mhz", minimum=0.0, maximum=500.0, strict=True))
        self._set("num_detunings", check_int(self.num_detunings, "num_detunings", minimum=9))


@dataclass(kw_only=True)
class Results(CalibrationResults):
    """``ef_freq_ghz`` and ``ef_freq_ghz_ci95``: the 1–2 transition frequency (GHz) and its 95 % interval;
    ``detuning_mhz``: the line's offset Δ₀ from the description's ν + α; ``anharmonicity_ghz``: the measured
    ν₁₂ minus the description's ν; ``contrast``: the fitted line height; ``gain``: the fitted probe area in units of
    the requested one."""

    ef_freq_ghz: float = math.nan
    ef_freq_ghz_ci95: tuple | None = None
    detuning_mhz: float = math.nan
    anharmonicity_ghz: float = math.nan
    contrast: float = math.nan
    gain: float = math.nan


# ---- the line shape --------------------------------------------------------------------------------------------
def _probe_samples(probe: dict) -> np.ndarray:
    from ..pulse import Gaussian

    wf = Gaussian(probe["duration_ns"], amp_ghz=probe["amp_ghz"], sigma_ns=probe["sigma_ns"])
    return np.real(wf.samples(probe["dt_ns"]))


def probe_line(probe: dict):
    """The fitted line ``P(Δ) = offset + contrast · T(Δ − Δ₀; g)`` (Δ, Δ₀ in MHz) of the probe described by
    ``probe`` (``sigma_ns``, ``duration_ns``, ``amp_ghz``, ``dt_ns``, ``matrix_element``, ``stark_per_ghz``,
    ``dressing_per_ghz2``: see :func:`~qbhw.protocols._rabi.two_level_propagator`)."""
    samples = _probe_samples(probe)
    dt, m = float(probe["dt_ns"]), float(probe["matrix_element"])
    corr = {"stark_per_ghz": float(probe["stark_per_ghz"]), "dressing_per_ghz2": float(probe["dressing_per_ghz2"])}

    def line(delta_mhz, delta0_mhz, gain, contrast, offset):
        return offset + contrast * two_level_transfer(1e-3 * (np.asarray(delta_mhz, dtype=float) - delta0_mhz),
                                                      gain * samples, dt, m, **corr)

    return line


# ---- the experiment --------------------------------------------------------------------------------------------
def _probe_amplitude(parameters, device, shape) -> float:
    """``probe_rotation`` × the π amplitude of the probe's shape: the rotating-wave estimate, scaled by the record's
    1→2 π amplitude over the estimate for its own shape when the record has one (the drive line's gain)."""
    amp = parameters.probe_rotation * nominal_pi_amp(device, TRANSITION, **shape)
    rec = device.calibration
    v = None if rec is None else rec.values.get(f"pi_amp_{TRANSITION}_ghz")
    if v is not None:
        s = pi_settings(device, TRANSITION)
        amp *= float(v.value) / nominal_pi_amp(device, TRANSITION, **s)
    return amp


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Prepare |1⟩, sweep the probe's carrier across the 1–2 line (phases 0 and π) and read out."""
    from ..pulse import Gaussian, Play, Schedule, SetFrequency
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    device = calibration_device(parameters, obj)
    if device.is_multi_qubit or device.levels < 3:
        raise ConfigError(f"device {device.name!r} has {device.levels} levels", argument="device",
                          allowed="a single transmon with at least 3 levels")
    channel, m = level_channel(TRANSITION)
    shape = {"sigma_ns": parameters.probe_sigma_ns, "duration_ns": on_grid(parameters.probe_duration_ns, device)}
    limit = device.channel_map[channel].max_amp_ghz
    amp = float(min(_probe_amplitude(parameters, device, shape), limit))
    nu12 = device.transition_freq_ghz(1, 2)
    deltas = np.linspace(-parameters.span_mhz / 2, parameters.span_mhz / 2, parameters.num_detunings)
    prep = pi_pulse(device, "01")
    sequences = []
    for angle in (0.0, math.pi):
        for d in deltas:
            probe = Schedule(SetFrequency(nu12 + 1e-3 * float(d), channel),
                             Play(Gaussian(shape["duration_ns"], amp_ghz=amp, sigma_ns=shape["sigma_ns"], angle=angle),
                                  channel))
            sequences.append([prep, probe])
    counts = np.asarray(measure(parameters, obj, device, sequences)).reshape(2, len(deltas), -1)
    kappa, eta = second_order_coefficients(device, TRANSITION, nu12)
    probe_info = {**shape, "amp_ghz": amp, "dt_ns": device.dt_ns, "matrix_element": m, "channel": channel,
                  "stark_per_ghz": kappa, "dressing_per_ghz2": eta}
    return sweep_data(NAME, parameters, obj, device, x=deltas, counts=counts.sum(axis=0), x_name="detuning Δ",
                      x_unit="MHz", extra_raw={"counts_by_phase": counts},
                      metadata={"probe": probe_info, "ef_carrier_ghz": nu12, "probe_phases_rad": [0.0, math.pi]})


def _read2(counts):
    from ..fit import binomial_probability

    counts = np.asarray(counts)
    return binomial_probability(counts[:, 2], counts.sum(axis=1))


def analyse(data: Data) -> Results:
    """Fit the line; its centre goes to the record as ``ef_freq_ghz``."""
    import lmfit

    from ..fit import fit_curve

    x = np.asarray(data.raw["x"], dtype=float)
    y, err = _read2(data.raw["counts"])
    probe = data.metadata["probe"]
    line = probe_line(probe)
    rot = data.parameters.probe_rotation
    t0 = float(line(np.zeros(1), 0.0, 1.0, 1.0, 0.0)[0])
    k = int(np.argmax(np.convolve(y, np.ones(3) / 3, mode="same")))
    half = 0.5 * (x[-1] - x[0])
    model = lmfit.Model(line, independent_vars=["delta_mhz"])
    bounds = {"delta0_mhz": (x[0] - half, x[-1] + half), "gain": (0.1 / rot, 1.5 / rot), "contrast": (0.0, 1.0),
              "offset": (0.0, 1.0)}
    guess = {"delta0_mhz": float(x[k]), "gain": 1.0, "contrast": float(np.ptp(y) / max(t0, 1e-3)),
             "offset": float(y.min())}
    fit = fit_curve(model, x=x, y=y, sigma=err, guess=interior(guess, bounds), bounds=bounds)
    out = Results(protocol=NAME, fit=fit)
    if not fit.ok:
        out.notes.append(f"fit failed: {fit.message}")
        return out
    d0 = fit.parameter("delta0_mhz")
    nu12 = float(data.metadata["ef_carrier_ghz"])
    out.detuning_mhz = d0.value
    out.ef_freq_ghz = nu12 + 1e-3 * d0.value
    out.ef_freq_ghz_ci95 = (nu12 + 1e-3 * d0.ci95[0], nu12 + 1e-3 * d0.ci95[1])
    out.anharmonicity_ghz = out.ef_freq_ghz - float(data.metadata["device"]["freq_ghz"])
    c = fit.parameter("contrast")
    out.contrast, out.gain = c.value, fit.parameter("gain").value
    note = (shots_note(data.raw["counts"])
            or resolved_note(c, "1–2 line", quantity="contrast", n_sigma=5, min_stderr=1e-12))
    if note:
        out.notes.append(note)
        return out
    note = interval_note((out.ef_freq_ghz, out.ef_freq_ghz_ci95), "ν₁₂", low=nu12 + 1e-3 * x[0],
                         high=nu12 + 1e-3 * x[-1], unit="GHz")
    if note:
        out.notes.append(note + " (the line must lie inside the detuning sweep: move or widen it with span_mhz)")
        return out
    if d0.ci95[1] - d0.ci95[0] > 0.25 * (x[-1] - x[0]):
        out.notes.append(f"the line centre is not resolved (95 % interval [{d0.ci95[0]:.4g}, {d0.ci95[1]:.4g}] MHz, "
                         "wider than a quarter of the sweep): nothing recorded")
        return out
    try:
        out.updates["ef_freq_ghz"] = value_from_fit("ef_freq_ghz", fit, "delta0_mhz",
                                                    transform=lambda v: nu12 + 1e-3 * v,
                                                    settings={"probe_sigma_ns": probe["sigma_ns"],
                                                              "probe_duration_ns": probe["duration_ns"],
                                                              "probe_amp_ghz": float(probe["amp_ghz"])},
                                                    routine=NAME)
    except CalibrationFailedError as exc:
        out.notes.append(str(exc))
    return out


def plot(data: Data, results: Results) -> Figure:
    """P(read 2) against the probe detuning, the fitted line and its centre."""
    y, err = _read2(data.raw["counts"])
    return plot_sweep(data, results, y=y, yerr=err, ylabel="P(read 2)", fit=results.fit,
                      title=f"1–2 spectroscopy on {data.metadata['device']['name']}: "
                            f"ν₁₂ = {results.ef_freq_ghz:.6g} GHz (Δ₀ = {results.detuning_mhz:.3g} MHz)",
                      marker=results.detuning_mhz, marker_label="line centre")
