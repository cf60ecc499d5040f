"""Ramsey experiment: the 0–1 frequency ν and the dephasing time T2* of a transmon (a calibration routine; qibocal's
``ramsey``, qiskit-experiments' ``RamseyXY`` / ``T2Ramsey``).

A π/2 pulse on 0–1 (half the calibrated π pulse on ``d0``, carrier at the description's ν), a free delay ``τ`` and
a second π/2 pulse whose phase is advanced by ``2π δ τ`` — a *virtual detuning* δ added in software — are played
from ``|0⟩`` and the population of ``|1⟩`` is read out. In the frame of the carrier the qubit precesses at the
offset ``Δ = ν_true − ν`` of its frequency from the carrier, and the phase ramp of the second pulse acts as a
precession at ``−δ`` (a phase advance of the drive is a rotation of the frame), so the fringes oscillate at the
difference:

    P_1(τ) = c + e^{−τ/T2*} [a cos(2π f τ) + b sin(2π f τ)],    f = |δ − Δ|,

with ``c``, ``a``, ``b`` absorbing pulse and readout errors (and the phase of the free precession during the pulses).
For ``|Δ| < |δ|`` the sign is unambiguous, ``Δ = δ − sgn(δ) f``, and the record's frequency is ``ν + Δ``. On the
devices of :mod:`qbhw.devices` (Markovian dephasing, per-level T1) the envelope is exponential with
``1/T2* = 1/(2 T1) + 1/Tφ``; :func:`qbhw.devices.apply_calibration` turns the recorded ``T2*`` into ``Tφ`` with the
recorded T1.

The populations are the readout frequencies corrected with the calibrated assignment matrix (:func:`mitigate
<qbhw.protocols._calibration.mitigate>`) when the record has one. The fit (:func:`qbhw.fit.fit_curve`, τ in µs, f
in MHz) starts from the peak of the zero-padded periodogram and a scan of T2* with the linear parameters solved by
least squares. Values go to the record (``freq_ghz``, ``t2star_ns``, each with its 95 % interval) only when the fit
is ok and the fringes are resolved (amplitude above six standard errors: the frequency search alone finds noise
peaks of ≈ 3); ``freq_ghz`` only when the 95 % interval of ``f`` lies inside ``(0, 2|δ|)`` (consistent with ``|Δ| <
|δ|``); ``t2star_ns`` only when its 95 % interval lies between the delay step and ten times the window; each
interval no wider than ±50 % of its value (and every delay had at least
:data:`~qbhw.protocols._calibration.MIN_FIT_SHOTS` shots: Gaussian errors).

Delays: ``num_delays`` points from 0 to ``window_t2`` times the description's T2 (``1/T2 = 1/(2 T1) + 1/Tφ``),
shortened where needed so that the sampling resolves fringes up to ``2|δ|`` (Nyquist: ``window ≤ (num_delays − 1) /
(4|δ|)``), or to ``max_delay_ns`` (refused when it breaks that bound). The window must hold two periods of δ.

Physics: N. F. Ramsey, Phys. Rev. 78, 695 (1950) (separated oscillatory fields); review Campaioli et al., Rev.
Mod. Phys. 96, 031001 (2024), Sec. VI.A (transmon batteries, their coherence); Koch et al., Phys. Rev. A 76, 042319
(2007) (transmon dephasing); Krantz et al., Appl. Phys. Rev. 6, 021318 (2019), Sec. V (Ramsey with a virtual
detuning; virtual Z: McKay et al., Phys. Rev. A 96, 022330 (2017)).

Procedure: **parameters** → **acquisition** (``exact``/``pulse`` or a simulated device; finite, seeded shots) →
**analysis** (fit, record values) → **plot**. Units: ns, GHz (δ in MHz).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import CalibrationFailedError, ConfigError
from ._calibration import (CALIBRATION_BACKENDS, CalibrationParameters, CalibrationResults, calibration_device,
                           interval_note, measure, mitigate, pi_pulse, resolved_note, shots_note, sweep_data,
                           value_from_fit)
from .base import Data, check_int, check_real

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "acquire", "analyse", "plot", "ramsey_population"]

NAME = "ramsey"
BACKENDS = CALIBRATION_BACKENDS
#: fringe amplitude needed, in standard errors: the start searches ~num_delays/2 frequencies of the periodogram, whose
#: largest noise peak alone reaches ≈ 3 standard errors
FRINGE_SIGMAS = 6.0


@dataclass(frozen=True, kw_only=True)
class Parameters(CalibrationParameters):
    """``detuning_mhz``: the virtual detuning δ (nonzero; larger than the expected ``|ν_true − ν|``);
    ``window_t2``: the longest delay in units of the description's T2 (shortened to what ``num_delays`` samples
    resolve); ``max_delay_ns``: the longest delay instead (``None``: from ``window_t2``); ``num_delays``: delays,
    evenly spaced from 0."""

    UNITS: ClassVar[dict[str, str]] = {"window_t2": "T2 (description's)", "num_delays": ""}
    HELP: ClassVar[dict[str, str]] = {
        "detuning_mhz": "virtual detuning δ of the second π/2 pulse (|δ| > the expected frequency offset)",
        "window_t2": "longest delay, in units of the description's T2 (at most what num_delays resolves)",
        "max_delay_ns": "longest delay (None: window_t2 × the description's T2)",
        "num_delays": "delays, evenly spaced from 0",
    }

    detuning_mhz: float = 0.6
    window_t2: float = 2.0
    max_delay_ns: float | None = None
    num_delays: int = 121

    def _validate(self) -> None:
        super()._validate()
        self._set("detuning_mhz", check_real(self.detuning_mhz, "detuning_mhz", minimum=-50.0, maximum=50.0))
        if self.detuning_mhz == 0.0:
            raise ConfigError("got 0", argument="detuning_mhz",
                              allowed="a nonzero virtual detuning (it sets the sign of the frequency offset)")
        self._set("window_t2", check_real(self.window_t2, "window_t2", minimum=0.1, maximum=20.0))
        self._set("max_delay_ns", check_real(self.max_delay_ns, "max_delay_ns", minimum=0.0, strict=True,
                                             allow_none=True))
        self._set("num_delays", check_int(self.num_delays, "num_delays", minimum=12))


@dataclass(kw_only=True)
class Results(CalibrationResults):
    """``freq_ghz`` and ``freq_ghz_ci95``: the 0–1 frequency; ``freq_offset_mhz`` (``_ci95``): its offset
    ``Δ`` from the description's ν; ``t2star_ns`` (``_ci95``): the Ramsey dephasing time; ``oscillation_mhz``: the
    fitted fringe frequency ``f``; ``contrast``: the fringe amplitude at τ = 0."""

    freq_ghz: float = math.nan
    freq_ghz_ci95: tuple | None = None
    freq_offset_mhz: float = math.nan
    freq_offset_mhz_ci95: tuple | None = None
    t2star_ns: float = math.nan
    t2star_ns_ci95: tuple | None = None
    oscillation_mhz: float = math.nan
    contrast: float = math.nan


def ramsey_population(t_us, c, a, b, t2_us, f_mhz):
    """``c + e^{−τ/T2*} [a cos(2π f τ) + b sin(2π f τ)]`` (τ, T2* in µs, f in MHz; see the module docstring)."""
    t = np.asarray(t_us, dtype=float)
    w = 2.0 * np.pi * f_mhz * t
    return c + np.exp(-t / t2_us) * (a * np.cos(w) + b * np.sin(w))


def _delays(parameters, device) -> np.ndarray:
    delta = abs(parameters.detuning_mhz) * 1e-3  # GHz = 1/ns
    longest = 0.999 * (parameters.num_delays - 1) / (4.0 * delta)  # fringes up to 2|δ| below Nyquist
    if parameters.max_delay_ns is not None:
        window = parameters.max_delay_ns
        if window > longest:
            raise ConfigError(f"{parameters.num_delays} delays over {window:.4g} ns sample fringes up to "
                              f"{0.5e3 * (parameters.num_delays - 1) / window:.3g} MHz, but they may reach "
                              f"2|δ| = {2e3 * delta:.3g} MHz", argument="num_delays",
                              allowed=f">= {int(math.ceil(4.0 * delta * window)) + 2} (or a smaller window or "
                                      "detuning)")
    else:
        t2 = device.t2_ns
        if t2 is None:
            raise ConfigError(f"the description of {device.name!r} has neither T1 nor Tφ", argument="max_delay_ns",
                              allowed="the longest delay in ns (the description gives no T2 to scale from)")
        window = min(parameters.window_t2 * t2, longest)
    if delta * window < 2.0:
        raise ConfigError(f"the window {window:.4g} ns holds {delta * window:.2g} periods of δ",
                          argument="detuning_mhz", allowed=f"|δ| >= {2e3 / window:.3g} MHz (two periods)")
    return np.linspace(0.0, window, parameters.num_delays)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """π/2 – delay – π/2 (phase advanced by 2π δ τ) for each delay, read out (see the module docstring)."""
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    device = calibration_device(parameters, obj)
    delays = _delays(parameters, device)
    delta = parameters.detuning_mhz * 1e-3
    first = pi_pulse(device, "01", fraction=0.5)
    sequences = [[first, float(tau), pi_pulse(device, "01", fraction=0.5, angle=2.0 * np.pi * delta * tau)]
                 for tau in delays]
    counts = measure(parameters, obj, device, sequences)
    return sweep_data(NAME, parameters, obj, device, x=delays, counts=counts, x_name="delay", x_unit="ns",
                      metadata={"carrier_ghz": device.freq_ghz, "detuning_mhz": parameters.detuning_mhz})


def _populations(data: Data):
    from ..devices import Device

    pops, errs = mitigate(data.raw["counts"], Device.from_dict(data.metadata["device"]))
    return pops[:, 1], errs[:, 1]


def _start(t, y, err, f_max):
    """Starting values: the periodogram's peak frequency, then a scan of T2* with (c, a, b) by weighted least
    squares."""
    n = t.size
    pad = 16 * n
    spec = np.abs(np.fft.rfft((y - y.mean()) / err, pad))
    freqs = np.fft.rfftfreq(pad, t[1] - t[0])
    ok = (freqs > 0.5 / (t[-1] - t[0])) & (freqs < f_max)
    f0 = float(freqs[ok][np.argmax(spec[ok])]) if np.any(ok) else 1.0 / (t[-1] - t[0])
    best = None
    for t2 in np.geomspace(0.05 * t[-1], 20.0 * t[-1], 60):
        e = np.exp(-t / t2)
        M = np.column_stack([np.ones(n), e * np.cos(2 * np.pi * f0 * t), e * np.sin(2 * np.pi * f0 * t)]) / err[:, None]
        coef, *_ = np.linalg.lstsq(M, y / err, rcond=None)
        chi2 = float(np.sum((M @ coef - y / err) ** 2))
        if best is None or chi2 < best[0]:
            best = (chi2, t2, coef)
    _, t2, (c, a, b) = best
    return {"c": float(c), "a": float(a), "b": float(b), "t2_us": float(t2), "f_mhz": f0}


def analyse(data: Data) -> Results:
    """Fit the Ramsey fringes; ``freq_ghz`` and ``t2star_ns`` go to the record when plausible."""
    import lmfit

    from ..fit import fit_curve

    t = np.asarray(data.raw["x"], dtype=float) / 1e3  # µs
    y, err = _populations(data)
    delta = float(data.parameters.detuning_mhz)
    nyquist = 0.5 / (t[1] - t[0])
    start = _start(t, y, err, nyquist)
    model = lmfit.Model(ramsey_population, independent_vars=["t_us"])
    fit = fit_curve(model, x=t, y=y, sigma=err, guess=start,
                    bounds={"c": (-0.5, 1.5), "a": (-1.5, 1.5), "b": (-1.5, 1.5),
                            "t2_us": (0.5 * (t[1] - t[0]), 100.0 * t[-1]), "f_mhz": (0.0, nyquist)})
    out = Results(protocol=NAME, fit=fit)
    if not fit.ok:
        out.notes.append(f"fit failed: {fit.message}")
        return out
    a, b = fit.parameter("a"), fit.parameter("b")
    f, t2 = fit.parameter("f_mhz"), fit.parameter("t2_us")
    amp = math.hypot(a.value, b.value)
    amp_err = max(math.inf if e.stderr is None else e.stderr for e in (a, b))
    out.contrast = amp
    out.oscillation_mhz = f.value
    sign = 1.0 if delta > 0 else -1.0
    carrier = float(data.metadata["carrier_ghz"])

    def offset(fm):  # Δ (MHz) from the fringe frequency
        return delta - sign * fm

    out.freq_offset_mhz = offset(f.value)
    out.freq_ghz = carrier + 1e-3 * out.freq_offset_mhz
    out.t2star_ns = 1e3 * t2.value
    if f.ci95 is not None:
        lo, hi = sorted(offset(x) for x in f.ci95)
        out.freq_offset_mhz_ci95 = (lo, hi)
        out.freq_ghz_ci95 = (carrier + 1e-3 * lo, carrier + 1e-3 * hi)
    if t2.ci95 is not None:
        out.t2star_ns_ci95 = (1e3 * t2.ci95[0], 1e3 * t2.ci95[1])
    note = shots_note(data.raw["counts"]) or resolved_note((amp, amp_err), "Ramsey fringes", n_sigma=FRINGE_SIGMAS)
    if note:
        out.notes.append(note)
        return out
    note = interval_note(f, "the fringe frequency f", low=0.0, high=2.0 * abs(delta), unit="MHz")
    if note:
        out.notes.append(note + " (f must lie in (0, 2|δ|) for |Δ| < |δ|; outside it the offset is ambiguous or "
                                "larger than |δ|: repeat with a larger detuning_mhz)")
    else:
        try:
            out.updates["freq_ghz"] = value_from_fit("freq_ghz", fit, "f_mhz", routine=NAME,
                                                     transform=lambda fm: carrier + 1e-3 * offset(fm),
                                                     settings={"detuning_mhz": delta, "carrier_ghz": carrier})
        except CalibrationFailedError as exc:
            out.notes.append(str(exc))
    step_us, window_us = float(t[1] - t[0]), float(t[-1])
    note = interval_note((out.t2star_ns, out.t2star_ns_ci95), "T2*", low=1e3 * step_us, high=1e4 * window_us,
                         unit="ns")
    if note:
        out.notes.append(note + " (the plausible range: the delay step to ten times the window)")
    else:
        try:
            out.updates["t2star_ns"] = value_from_fit("t2star_ns", fit, "t2_us", routine=NAME,
                                                      transform=lambda x: 1e3 * x,
                                                      settings={"max_delay_ns": 1e3 * window_us,
                                                                "detuning_mhz": delta})
        except CalibrationFailedError as exc:
            out.notes.append(str(exc))
    return out


def plot(data: Data, results: Results) -> Figure:
    """The excited population against the delay, the fitted fringes and their envelope."""
    y, err = _populations(data)
    t = np.asarray(data.raw["x"], dtype=float) / 1e3
    fig = Figure(figsize=(7.0, 4.0))
    ax = fig.subplots()
    ax.errorbar(t, y, yerr=err, fmt="o", ms=2.5, lw=0.6, label=f"{data.parameters.shots} shots ({data.backend})")
    fit = results.fit
    if fit is not None and getattr(fit, "ok", False) and getattr(fit, "evaluator", None) is not None:
        ts = np.linspace(t.min(), t.max(), 2000)
        ax.plot(ts, fit.evaluate(ts), "-", lw=0.9, label="fit")
        c, t2 = fit.value("c"), fit.value("t2_us")
        env = math.hypot(fit.value("a"), fit.value("b")) * np.exp(-ts / t2)
        ax.plot(ts, c + env, "k--", lw=0.7, label=f"envelope, T2* = {t2:.4g} µs")
        ax.plot(ts, c - env, "k--", lw=0.7)
    ax.set_xlabel("delay τ [µs]")
    ax.set_ylabel("P1")
    ax.set_title(f"Ramsey on {data.metadata['device']['name']} (δ = {data.parameters.detuning_mhz:g} MHz): "
                 f"ν = {results.freq_ghz:.7f} GHz, Δ = {results.freq_offset_mhz * 1e3:.1f} kHz", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
