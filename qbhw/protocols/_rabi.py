"""Rabi amplitude calibration of a π pulse, shared by the routines ``rabi_01`` (0→1 on ``d0``) and ``rabi_12``
(1→2 on ``d1``, after a calibrated 0→1 π pulse).

A Gaussian of fixed shape on the transition's channel (carrier: the description's transition frequency) is played
with amplitudes ``a`` from 0 to ``max_rotation`` times the current π estimate (the record's, else the rotating-wave
estimate :func:`~qbhw.protocols._calibration.nominal_pi_amp`), and the transmon is read out (the observable:
``P(read ≠ 0)`` for 0→1, ``P(read 2)`` for 1→2). A resonant pulse of area ``θ = 2π m ∫ s dt`` (``m`` the
transition's matrix element of ``b + b†``) rotates a two-level transition by θ, so to first approximation

    P(a) = offset + contrast · [1 − cos(π a / a_π)] / 2,

with ``offset`` and ``contrast`` absorbing readout errors and an imperfect preparation (the standard experiment:
Krantz et al., Appl. Phys. Rev. 6, 021318 (2019), Sec. V.B). This fit starts the final one, whose model is the
transmon's transition itself (Koch et al., Phys. Rev. A 76, 042319 (2007); review Campaioli et al., Rev. Mod.
Phys. 96, 031001 (2024), Sec. VI.A): the neighbouring levels, |α| away, make the rotation non-linear in ``a`` —
they shift the line by ``−κ s²`` (AC Stark) and, dressing the pair, slow its Rabi rate by ``1 − η s²``
(:func:`second_order_coefficients`, from the description) — so the transfer ``T`` is computed exactly for the
sampled envelope (:func:`two_level_propagator`), and for the 1→2 sweep the prepared state also carries a small
coherent amplitude ``i·leak`` in |2⟩ (the short 0→1 π pulse's leakage) that interferes with the transfer:

    P(a) = offset + contrast · |U₂₁(g a) + i·leak·U₂₂(g a)|²        (leak = 0 for 0→1),

parametrised by the amplitude ``a_π`` of its maximum (the gain ``g`` follows from it). The plain cosine reads the
non-linearity (and, for 1→2, the interference) as a shift of ``a_π`` by about one standard error at 2000 shots
(+0.15 %); the model has no such bias. The fitted ``a_π`` (95 % interval from :func:`qbhw.fit.fit_curve`) is the
record's ``pi_amp_<transition>_ghz``: the amplitude that maximises the upper level's population after the
preparation; the pulse shape goes with it as its settings.

Units: ns, GHz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..errors import CalibrationFailedError, ConfigError
from ._calibration import (CALIBRATION_BACKENDS, PI_DURATION_NS, PI_SIGMA_NS, CalibrationParameters,
                           CalibrationResults, calibration_device, excited_fraction, interval_note, level_channel,
                           measure, nominal_pi_amp, on_grid, pi_pulse, pi_settings, plot_sweep, shots_note,
                           sweep_data, value_from_fit)
from .base import check_int, check_real

__all__ = ["RabiParameters", "RabiResults", "rabi_excited_population", "acquire_rabi", "analyse_rabi", "plot_rabi",
           "upper_population", "two_level_propagator", "two_level_transfer", "second_order_coefficients",
           "transfer_model", "interior", "MAX_LEAK"]

_ARROW = {"01": "0→1", "12": "1→2"}


@dataclass(frozen=True, kw_only=True)
class RabiParameters(CalibrationParameters):
    """``sigma_ns``, ``duration_ns``: the Gaussian π pulse's width and window (rounded up to the device grid);
    ``max_rotation``: the largest amplitude as a multiple of the current π estimate (the record's, else the
    rotating-wave estimate); ``num_amplitudes``: points of the sweep."""

    UNITS: ClassVar[dict[str, str]] = {"max_rotation": "π", "num_amplitudes": ""}
    HELP: ClassVar[dict[str, str]] = {
        "sigma_ns": "Gaussian width of the π pulse",
        "duration_ns": "window of the π pulse",
        "max_rotation": "largest amplitude, in units of the current π estimate",
        "num_amplitudes": "points of the amplitude sweep",
    }

    sigma_ns: float = PI_SIGMA_NS
    duration_ns: float = PI_DURATION_NS
    max_rotation: float = 2.2
    num_amplitudes: int = 31

    def _validate(self) -> None:
        super()._validate()
        self._set("sigma_ns", check_real(self.sigma_ns, "sigma_ns", minimum=0.0, strict=True))
        self._set("duration_ns", check_real(self.duration_ns, "duration_ns", minimum=2 * self.sigma_ns))
        self._set("max_rotation", check_real(self.max_rotation, "max_rotation", minimum=1.2, maximum=6.0))
        self._set("num_amplitudes", check_int(self.num_amplitudes, "num_amplitudes", minimum=8))


@dataclass(kw_only=True)
class RabiResults(CalibrationResults):
    """``pi_amp_ghz`` and ``pi_amp_ghz_ci95``: the π amplitude (GHz) and its 95 % interval; ``contrast``: the
    fitted readout contrast."""

    pi_amp_ghz: float = math.nan
    pi_amp_ghz_ci95: tuple | None = None
    contrast: float = math.nan


def rabi_excited_population(a, a_pi, contrast, offset):
    """``offset + contrast · (1 − cos(π a / a_π)) / 2`` (see the module docstring)."""
    return offset + contrast * (1.0 - np.cos(np.pi * np.asarray(a, dtype=float) / a_pi)) / 2.0


def upper_population(counts, transition: str) -> tuple[np.ndarray, np.ndarray]:
    """The observable of the sweep and its Jeffreys-posterior standard error: ``P(read ≠ 0)`` for ``"01"``,
    ``P(read 2)`` for ``"12"``."""
    from ..fit import binomial_probability

    if transition == "01":
        return excited_fraction(counts)
    counts = np.asarray(counts)
    return binomial_probability(counts[:, 2], counts.sum(axis=1))


# ---- the effective two-level model of one transmon transition ----------------------------------------------------
def _compose(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """SU(2) product ``p·q`` of ``U = q₀ I − i (q₁ σx + q₂ σy + q₃ σz)`` (last axis: the four components)."""
    p0, p1, p2, p3 = np.moveaxis(p, -1, 0)
    q0, q1, q2, q3 = np.moveaxis(q, -1, 0)
    return np.stack([p0 * q0 - p1 * q1 - p2 * q2 - p3 * q3,
                     p0 * q1 + p1 * q0 + p2 * q3 - p3 * q2,
                     p0 * q2 - p1 * q3 + p2 * q0 + p3 * q1,
                     p0 * q3 + p1 * q2 - p2 * q1 + p3 * q0], axis=-1)


def two_level_propagator(detuning_ghz, samples_ghz, dt_ns: float, matrix_element: float = 1.0, *,
                         stark_per_ghz: float = 0.0, dressing_per_ghz2: float = 0.0) -> np.ndarray:
    """The propagators ``(K, 4)`` (components ``q`` of ``U = q₀ I − i q·σ``, basis (lower, upper)) of one transmon
    transition driven by real, piecewise-constant envelopes (one value per ``dt_ns``; ``samples_ghz`` ``(N,)`` or
    ``(K, N)``) at detunings ``δ`` (GHz, drive minus line; ``(K,)``):

        U = Π_k exp(−2πi dt [(m s_k (1 − η s_k²)/2) σx − ((δ + κ s_k²)/2) σz]),

    ``m`` the transition's matrix element of ``b + b†``, ``κ`` (``stark_per_ghz``) and ``η`` (``dressing_per_ghz2``)
    the second-order corrections from the transmon's other levels (:func:`second_order_coefficients`). Exact for the
    samples (a pairwise-tree product of the sample propagators)."""
    d = np.atleast_1d(np.asarray(detuning_ghz, dtype=float))[:, None]
    s = np.asarray(samples_ghz, dtype=float)
    s = s[None, :] if s.ndim == 1 else s
    a, c = np.broadcast_arrays(float(matrix_element) * s * (1.0 - float(dressing_per_ghz2) * s**2) / 2.0,
                               -(d + float(stark_per_ghz) * s**2) / 2.0)
    h = np.hypot(a, c)
    phi = 2.0 * np.pi * float(dt_ns) * h
    with np.errstate(invalid="ignore", divide="ignore"):
        sinc = np.where(h > 0, np.sin(phi) / np.where(h > 0, h, 1.0), 0.0)
    q = np.stack([np.cos(phi), sinc * a, np.zeros_like(a), sinc * c], axis=-1)
    one = np.array([1.0, 0.0, 0.0, 0.0])
    while q.shape[1] > 1:  # ordered product q[n−1] ⋯ q[0] by a pairwise tree
        if q.shape[1] % 2:
            q = np.concatenate([q, np.broadcast_to(one, (q.shape[0], 1, 4))], axis=1)
        q = _compose(q[:, 1::2], q[:, 0::2])
    return q[:, 0]


def two_level_transfer(detuning_ghz, samples_ghz, dt_ns: float, matrix_element: float = 1.0, **corrections):
    """Transfer probability ``|⟨upper|U|lower⟩|² = q₁² + q₂²`` of :func:`two_level_propagator`."""
    q = two_level_propagator(detuning_ghz, samples_ghz, dt_ns, matrix_element, **corrections)
    return q[:, 1] ** 2 + q[:, 2] ** 2


def second_order_coefficients(device, transition: str, drive_ghz: float) -> tuple[float, float]:
    """``(κ, η)`` of :func:`two_level_propagator` for ``transition`` (``"01"`` or ``"12"``) of ``device`` driven at
    ``drive_ghz`` through ``b + b†``: in the drive's frame (``E'_n = E_n − n ω``) every level ``k`` outside the pair
    that neighbours a level ``n`` of it (matrix element ``m_nk = √max(n, k)``) shifts ``n`` by
    ``m_nk² s² / (4 (E'_n − E'_k))`` (AC Stark: the line moves by ``δE_upper − δE_lower = −κ s²``) and, dressing the
    pair, slows its Rabi rate by ``1 − η s²`` with ``η = Σ m_nk² / (8 (E'_n − E'_k)²)`` (second-order perturbation
    theory in ``s/|E'_n − E'_k|``; Koch et al., Phys. Rev. A 76, 042319 (2007); Motzoi et al., Phys. Rev. Lett. 103,
    110501 (2009))."""
    lower = {"01": 0, "12": 1}[transition]
    pair = (lower, lower + 1)
    levels = int(device.levels)

    levels_ghz = device.level_energies_ghz()

    def energy(n):
        return levels_ghz[n] - n * drive_ghz

    shift = {n: 0.0 for n in pair}
    eta = 0.0
    for n in pair:
        for k in (n - 1, n + 1):
            if 0 <= k < levels and k not in pair:
                gap = energy(n) - energy(k)
                shift[n] += max(n, k) / (4.0 * gap)
                eta += max(n, k) / (8.0 * gap**2)
    return shift[pair[0]] - shift[pair[1]], eta


def _shape(parameters, device) -> dict:
    return {"sigma_ns": parameters.sigma_ns, "duration_ns": on_grid(parameters.duration_ns, device),
            "shape": "gaussian"}


def _estimate(device, transition: str, shape) -> float:
    rec = device.calibration
    v = None if rec is None else rec.values.get(f"pi_amp_{transition}_ghz")
    if v is not None and math.isclose(v.settings.get("sigma_ns", -1), shape["sigma_ns"]) and \
            math.isclose(v.settings.get("duration_ns", -1), shape["duration_ns"]):
        return float(v.value)
    return nominal_pi_amp(device, transition, sigma_ns=shape["sigma_ns"], duration_ns=shape["duration_ns"])


def _preparation(device, transition: str) -> tuple[list, dict]:
    """The schedules that prepare the transition's lower level (the calibrated 0→1 π pulse for ``"12"``) and what
    they were (for the data's metadata)."""
    if transition == "01":
        return [], {}
    rec = device.calibration
    info = {"prepared_level": 1, "pi_amp_01_ghz": None if rec is None else rec.get("pi_amp_01_ghz"),
            "drag_beta_ns": None if rec is None else rec.get("drag_beta_ns"), **pi_settings(device, "01")}
    return [pi_pulse(device, "01")], info


def acquire_rabi(name: str, transition: str, parameters, backend):
    """Sweep the amplitude of the Gaussian on the transition's channel and read out (see the module docstring)."""
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=name, supported=CALIBRATION_BACKENDS)
    device = calibration_device(parameters, obj)
    if transition == "12" and (device.is_multi_qubit or device.levels < 3):
        raise ConfigError(f"device {device.name!r} has {device.levels} levels", argument="device",
                          allowed="a single transmon with at least 3 levels")
    shape = _shape(parameters, device)
    channel, _ = level_channel(transition)
    limit = device.channel_map[channel].max_amp_ghz
    amps = np.linspace(0.0, min(parameters.max_rotation * _estimate(device, transition, shape), limit),
                       parameters.num_amplitudes)
    prep, prep_info = _preparation(device, transition)
    pulses = [[*prep, _pulse(device, transition, a, shape)] for a in amps]
    counts = measure(parameters, obj, device, pulses)
    carrier = device.channel_map[channel].freq_ghz
    meta = {"pulse": shape, "transition": transition, "carrier_ghz": carrier}
    if prep_info:
        meta["preparation"] = prep_info
    lower = int(transition[0])
    kappa, eta = second_order_coefficients(device, transition, device.transition_freq_ghz(lower, lower + 1))
    meta["two_level"] = {"dt_ns": device.dt_ns, "matrix_element": level_channel(transition)[1],
                         "stark_per_ghz": kappa, "dressing_per_ghz2": eta}
    return sweep_data(name, parameters, obj, device, x=amps, counts=counts, x_name="amplitude", x_unit="GHz",
                      metadata=meta)


def _pulse(device, transition: str, amp, shape):
    """The plain Gaussian of the sweep (no DRAG: the amplitude calibration comes first)."""
    return pi_pulse(device, transition, amp_ghz=float(amp), drag=False, shape=shape)


def interior(guess: dict, bounds: dict, margin: float = 1e-3) -> dict:
    """``guess`` with every value moved at least ``margin`` × (its range) inside its ``bounds``: a start on a bound
    stalls the bounded least-squares fit (lmfit's bounds transform has zero slope there)."""
    out = dict(guess)
    for k, (lo, hi) in bounds.items():
        if k in out:
            pad = margin * (hi - lo)
            out[k] = float(min(max(out[k], lo + pad), hi - pad))
    return out


#: largest |leak| (the prepared state's coherent upper-level amplitude, relative) the 1→2 fit allows
MAX_LEAK = 0.2


def transfer_model(pulse: dict, two_level: dict, *, with_leak: bool = True):
    """The sweep's model ``P(a) = offset + contrast · |U_ul + i·leak·U_uu|²`` for a prepared state ``|l⟩ +
    i·leak·|u⟩`` (see the module docstring), parametrised by its maximum ``a_pi``: ``U`` is
    :func:`two_level_propagator` of the envelope ``g a G(t)`` with the gain ``g = A*(leak) / a_pi``, ``A*(leak)``
    the envelope peak that maximises the transfer (tabulated once over ``|leak| ≤`` :data:`MAX_LEAK`).
    ``with_leak=False``: the model of a sweep from the lower level itself, ``model(a, a_pi, contrast, offset)``."""
    from scipy.interpolate import CubicSpline

    from ..pulse import Gaussian

    dt, m = float(two_level["dt_ns"]), float(two_level["matrix_element"])
    corr = {"stark_per_ghz": float(two_level["stark_per_ghz"]),
            "dressing_per_ghz2": float(two_level["dressing_per_ghz2"])}
    unit = np.real(Gaussian(pulse["duration_ns"], amp_ghz=1.0, sigma_ns=pulse["sigma_ns"]).samples(dt))
    a0 = 1.0 / (2.0 * m * unit.sum() * dt)  # rotating-wave π peak
    grid = a0 * np.linspace(0.7, 1.4, 1401)
    q = two_level_propagator(np.zeros(grid.size), grid[:, None] * unit[None, :], dt, m, **corr)
    leaks = np.linspace(-MAX_LEAK, MAX_LEAK, 41)
    best = []
    for e in leaks:
        p = (q[:, 2] - e * q[:, 3]) ** 2 + (e * q[:, 0] - q[:, 1]) ** 2
        k = int(np.clip(np.argmax(p), 1, grid.size - 2))
        y0, y1, y2 = p[k - 1], p[k], p[k + 1]  # parabola through the top three points
        den = y0 - 2 * y1 + y2
        best.append(grid[k] + (0.5 * (y0 - y2) / den if den < 0 else 0.0) * (grid[1] - grid[0]))
    peak = CubicSpline(leaks, best)

    def model(a, a_pi, leak, contrast, offset):
        g = float(peak(leak)) / a_pi
        qa = two_level_propagator(np.zeros(np.size(a)), g * np.asarray(a, dtype=float)[:, None] * unit[None, :],
                                  dt, m, **corr)
        return offset + contrast * ((qa[:, 2] - leak * qa[:, 3]) ** 2 + (leak * qa[:, 0] - qa[:, 1]) ** 2)

    def plain(a, a_pi, contrast, offset):
        return model(a, a_pi, 0.0, contrast, offset)

    return model if with_leak else plain


def analyse_rabi(name: str, transition: str, data, results_cls):
    """Fit the Rabi oscillation; the π amplitude goes to the record as ``pi_amp_<transition>_ghz``."""
    import lmfit

    from ..fit import fit_curve

    x = np.asarray(data.raw["x"], dtype=float)
    y, err = upper_population(data.raw["counts"], transition)
    est = x[-1] / data.parameters.max_rotation if x[-1] > 0 else 0.03
    guess = {"a_pi": est, "contrast": float(np.ptp(y)), "offset": float(y.min())}
    bounds = {"a_pi": (0.3 * est, 3.0 * est), "contrast": (0.0, 1.0), "offset": (0.0, 1.0)}
    model = lmfit.Model(rabi_excited_population, independent_vars=["a"])
    fit = fit_curve(model, x=x, y=y, sigma=err, guess=interior(guess, bounds), bounds=bounds)
    if fit.ok and "two_level" in data.metadata:  # the transition's own model, started from the plain cosine
        guess = {k: fit.parameter(k).value for k in guess}
        leaky = transition == "12"
        if leaky:
            guess["leak"], bounds["leak"] = 0.0, (-MAX_LEAK, MAX_LEAK)
        model = lmfit.Model(transfer_model(data.metadata["pulse"], data.metadata["two_level"], with_leak=leaky),
                            independent_vars=["a"])
        fit = fit_curve(model, x=x, y=y, sigma=err, guess=interior(guess, bounds), bounds=bounds)
    out = results_cls(protocol=name, fit=fit)
    if not fit.ok:
        out.notes.append(f"fit failed: {fit.message}")
        return out
    a = fit.parameter("a_pi")
    out.pi_amp_ghz, out.pi_amp_ghz_ci95 = a.value, a.ci95
    out.contrast = fit.parameter("contrast").value
    if hasattr(out, "leak"):
        out.leak = fit.parameter("leak").value
    few = shots_note(data.raw["counts"])
    if few:
        out.notes.append(few)
        return out
    if not (x[0] <= a.value <= x[-1]):
        out.notes.append(f"the π amplitude {a.value:.4g} GHz lies outside the sweep [{x[0]:.4g}, {x[-1]:.4g}] GHz")
        return out
    note = interval_note(a, "the π amplitude", low=x[0], high=x[-1], unit="GHz", max_relative=0.2)
    if note:
        out.notes.append(note)
        return out
    key = f"pi_amp_{transition}_ghz"
    try:
        out.updates[key] = value_from_fit(key, fit, "a_pi", settings=data.metadata["pulse"], routine=name)
    except CalibrationFailedError as exc:
        out.notes.append(str(exc))
    return out


def plot_rabi(transition: str, data, results):
    """The observable against amplitude, the fitted oscillation and the π amplitude."""
    y, err = upper_population(data.raw["counts"], transition)
    ylabel = "P(read ≠ 0)" if transition == "01" else "P(read 2)"
    return plot_sweep(data, results, y=y, yerr=err, ylabel=ylabel, fit=results.fit,
                      title=f"Rabi {_ARROW[transition]} on {data.metadata['device']['name']}: "
                            f"a_π = {results.pi_amp_ghz:.5g} GHz",
                      marker=results.pi_amp_ghz, marker_label="π amplitude")
