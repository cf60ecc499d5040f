"""Wiring shared by the calibration routines (``rabi_01``, ``rabi_12``, ``ef_spectroscopy``, ``drag``, ``t1``,
``ramsey``, ``readout``, ``stirap_tuneup``): the device a routine designs its pulses on, the calibrated pulses,
the measurement of pulse sequences with finite shots, the data of a sweep, the fit of a sweep with :mod:`qbhw.fit`
and the values a routine adds to a calibration record.

A routine knows only its device *description* (``parameters.device``: a definition, possibly overlaid with the
calibration record so far, :func:`qbhw.devices.load`); it builds its schedules against that description and
runs them on the backend: ``exact``/``pulse`` play them on the description itself (ideal readout), a
:class:`~qbhw.backends.simulated.SimulatedTransmon` on its hidden true device. Every measurement is a finite number
of shots, seeded by ``parameters.seed``.

Pulses (:func:`pi_pulse`): Gaussian (DRAG once ``drag_beta_ns`` is calibrated) on the pump channel ``d0`` (carrier
ν) for 0→1 and on the Stokes channel ``d1`` (carrier ν + α) for 1→2; the amplitude is the record's when it has
one, else the rotating-wave estimate of the description: a resonant envelope ``s(t)`` on the charge line
``b + b†`` rotates the 0–1 transition by ``θ = 2π m ∫ s dt`` (``m = 1`` for 0–1, ``√2`` for 1–2), so
``s_π = 1 / (2 m Σ_k g_k dt)`` for the sampled unit Gaussian ``g``.

Units: ns, GHz (cyclic).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import CalibrationFailedError, ConfigError
from .base import Data, ProtocolParameters, Results, check_bool, check_real

__all__ = ["CALIBRATION_BACKENDS", "REFERENCE_DEVICE", "PI_SIGMA_NS", "PI_DURATION_NS", "CalibrationParameters",
           "CalibrationResults", "calibration_device", "on_grid", "nominal_pi_amp", "pi_pulse", "pi_settings",
           "measure", "sweep_data", "value_from_fit", "make_value", "require_fit", "level_channel",
           "mitigate", "prepare", "excited_fraction", "plot_sweep", "interval_note",
           "shots_note", "resolved_note", "MIN_FIT_SHOTS"]

CALIBRATION_BACKENDS = ("exact", "pulse")
REFERENCE_DEVICE = "transmon_qutrit_stirap"
#: default π-pulse shape: Gaussian of width σ in a 4σ window
PI_SIGMA_NS = 6.0
PI_DURATION_NS = 24.0
#: fewest shots per setting whose frequencies a fit with Gaussian errors may use for a record value (the binomial
#: counts of a probability ≈ 0.05–0.95 are then near Gaussian: n·p, n·(1 − p) ≳ 5)
MIN_FIT_SHOTS = 100


@dataclass(frozen=True, kw_only=True)
class CalibrationParameters(ProtocolParameters):
    """Fields every calibration routine has.

    ``device``: the device description the routine designs its pulses on (a name, a
    :class:`~qbhw.devices.Device` — e.g. ``qbhw.devices.load(name, calibration="latest")`` — or ``None``: the
    backend's device, else ``transmon_qutrit_stirap``); ``shots``: measurements per setting (finite: a routine
    measures); ``seed``; ``decoherence``: the device's T1/Tφ on; ``rwa_cutoff_ghz``: terms oscillating faster than
    this are dropped."""

    UNITS: ClassVar[dict[str, str]] = {"device": "device name", "decoherence": ""}
    HELP: ClassVar[dict[str, str]] = {
        "device": "device description the pulses are designed on (name, Device, or None: the backend's)",
        "decoherence": "the device's T1/Tφ on",
        "rwa_cutoff_ghz": "terms oscillating faster than this are dropped",
    }

    device: Any = None
    shots: int | None = 2000
    decoherence: bool = True
    rwa_cutoff_ghz: float = 2.0

    def _validate(self) -> None:
        from ._pulse import check_device

        self._set("device", check_device(self.device))
        if self.shots is None:
            raise ConfigError("a calibration routine measures", argument="shots", allowed="an integer >= 1")
        self._set("decoherence", check_bool(self.decoherence, "decoherence"))
        self._set("rwa_cutoff_ghz", check_real(self.rwa_cutoff_ghz, "rwa_cutoff_ghz", minimum=0.0, strict=True))


@dataclass(kw_only=True)
class CalibrationResults(Results):
    """What a calibration routine found: ``updates`` (quantity name → :meth:`CalibrationValue.to_dict
    <qbhw.devices.CalibrationValue.to_dict>`), the values it adds to a calibration record. Each routine's
    subclass also has its main numbers as top-level fields."""

    updates: dict = field(default_factory=dict)

    def values(self, *, run: str | None = None) -> list:
        """The updates as :class:`~qbhw.devices.CalibrationValue` objects (``run``: the run they came from)."""
        from ..devices import CalibrationValue

        out = []
        for name, d in self.updates.items():
            d = dict(d)
            d.pop("unit", None)
            if run is not None:
                d["run"] = run
            out.append(CalibrationValue.from_dict(name, d))
        return out


def calibration_device(parameters, backend_obj):
    """The :class:`~qbhw.devices.Device` the routine designs on (``parameters.device``, else the backend's,
    else the reference device)."""
    from ._pulse import resolve_device

    return resolve_device(parameters.device, backend_obj, REFERENCE_DEVICE)


def on_grid(duration_ns: float, device) -> float:
    """``duration_ns`` rounded up to a whole number of samples that is a multiple of the device's granularity."""
    n = math.ceil(float(duration_ns) / device.dt_ns - 1e-9)
    g = device.granularity
    n = max(g * math.ceil(n / g), device.min_length)
    return n * device.dt_ns


def level_channel(transition: str) -> tuple[str, float]:
    """``(channel, matrix element of b + b†)`` of a transition ``"01"`` (pump channel d0) or ``"12"`` (d1)."""
    if transition == "01":
        return "d0", 1.0
    if transition == "12":
        return "d1", math.sqrt(2.0)
    raise ConfigError(f"got {transition!r}", argument="transition", allowed="'01' | '12'")


def nominal_pi_amp(device, transition: str = "01", *, sigma_ns: float = PI_SIGMA_NS,
                   duration_ns: float = PI_DURATION_NS) -> float:
    """Rotating-wave π amplitude ``s_π = 1 / (2 m Σ_k g_k dt)`` (GHz) of a Gaussian on ``transition`` (see the module
    docstring) — the starting point of a Rabi calibration, exact only for an ideal two-level transition."""
    from ..pulse import Gaussian

    _, m = level_channel(transition)
    area = Gaussian(duration_ns, amp_ghz=1.0, sigma_ns=sigma_ns).samples(device.dt_ns).real.sum() * device.dt_ns
    return 1.0 / (2.0 * m * area)


def pi_settings(device, transition: str) -> dict:
    """Shape of the π pulse on ``transition``: the record's (``settings`` of ``pi_amp_<transition>_ghz``) or the
    default Gaussian (σ = :data:`PI_SIGMA_NS`, window :data:`PI_DURATION_NS` on the device grid)."""
    rec = getattr(device, "calibration", None)
    v = None if rec is None else rec.values.get(f"pi_amp_{transition}_ghz")
    if v is not None and v.settings:
        return {"sigma_ns": float(v.settings["sigma_ns"]), "duration_ns": float(v.settings["duration_ns"])}
    return {"sigma_ns": PI_SIGMA_NS, "duration_ns": on_grid(PI_DURATION_NS, device)}


def pi_pulse(device, transition: str = "01", *, fraction: float = 1.0, angle: float = 0.0, amp_ghz: float | None = None,
             beta_ns: float | None = None, drag: bool = True, shape: dict | None = None):
    """A :class:`~qbhw.pulse.Schedule` with the (calibrated) π pulse on ``transition`` scaled by ``fraction``
    (½: a π/2 pulse), at phase ``angle`` (rad). ``amp_ghz``/``beta_ns``/``shape`` (``sigma_ns``, ``duration_ns``)
    override the record; ``drag=False`` plays a plain Gaussian even when β is calibrated (0→1 only)."""
    from ..pulse import Drag, Gaussian, Play, Schedule

    ch, _ = level_channel(transition)
    shape = pi_settings(device, transition) if shape is None else shape
    rec = getattr(device, "calibration", None)
    if amp_ghz is None:
        amp_ghz = None if rec is None else rec.get(f"pi_amp_{transition}_ghz")
        if amp_ghz is None:
            amp_ghz = nominal_pi_amp(device, transition, **shape)
    if beta_ns is None and drag and transition == "01" and rec is not None:
        beta_ns = rec.get("drag_beta_ns")
    amp = float(fraction) * float(amp_ghz)
    wf = (Gaussian(shape["duration_ns"], amp_ghz=amp, sigma_ns=shape["sigma_ns"], angle=angle) if beta_ns is None
          else Drag(shape["duration_ns"], amp_ghz=amp, sigma_ns=shape["sigma_ns"], beta_ns=float(beta_ns), angle=angle))
    s = Schedule()
    s.append(Play(wf, ch))
    return s


def prepare(device, level: int) -> list:
    """Schedules that prepare ``level`` (0, 1 or 2) from |0⟩ with the calibrated π pulses."""
    if level not in (0, 1, 2):
        raise ConfigError(f"got {level!r}", argument="level", allowed="0 | 1 | 2")
    return [pi_pulse(device, "01"), pi_pulse(device, "12")][:level]


def measure(parameters, backend_obj, device, sequences, *, seed_offset: int = 0) -> np.ndarray:
    """Counts ``(K, d)`` of ``parameters.shots`` readouts after each of ``K`` sequences (parts: schedules built
    here against ``device``, or waits in ns). ``seed_offset`` separates the draws of several measurements of one
    routine."""
    from ..backends.pulse import sample_populations
    from ..pulse import Schedule

    built: dict[int, Any] = {}

    def build(part):
        if isinstance(part, Schedule):
            if id(part) not in built:
                built[id(part)] = part.build(device)
            return built[id(part)]
        return part

    seqs = [[build(p) for p in seq] for seq in sequences]
    seed = None if parameters.seed is None else int(parameters.seed) + int(seed_offset)
    if hasattr(backend_obj, "measure"):
        return backend_obj.measure(seqs, shots=parameters.shots, seed=seed, decoherence=parameters.decoherence)
    from ..pulse import transmon_model
    from ..pulse.sequence import SequencePlayer

    player = SequencePlayer(transmon_model(device, decoherence=parameters.decoherence, resonator=False),
                            rwa_cutoff_ghz=parameters.rwa_cutoff_ghz)
    return sample_populations(player.populations(seqs), parameters.shots, seed)[2]


def mitigate(counts, device) -> tuple[np.ndarray, np.ndarray]:
    """Level populations and their standard errors from readout ``counts`` ``(K, d)``: the frequencies corrected
    with the device's calibrated assignment matrix ``A`` (``p = A⁻¹ f``) when the record has one, else the raw
    frequencies. σ from the Jeffreys posterior of the counts, propagated through ``A⁻¹`` (independent
    outcomes, a conservative bound)."""
    from ..metrics import jeffreys_multinomial

    counts = np.asarray(counts, dtype=float)
    d = counts.shape[1]
    f = counts / counts.sum(axis=1, keepdims=True)
    err = jeffreys_multinomial(counts)[1]
    rec = getattr(device, "calibration", None)
    A = None if rec is None else rec.get("readout_assignment")
    if A is None or len(A) != d:
        return f, err
    Ainv = np.linalg.inv(np.asarray(A, dtype=float))
    return f @ Ainv.T, np.sqrt((err**2) @ (Ainv.T**2))


def sweep_data(protocol: str, parameters, backend_obj, device, *, x, counts, x_name: str, x_unit: str,
               extra_raw: dict | None = None, metadata: dict | None = None) -> Data:
    """:class:`~qbhw.protocols.Data` of a calibration sweep (no charging curve): ``raw`` holds the settings ``x``
    and the counts; ``metadata`` the device description and the axis."""
    raw = {"x": np.asarray(x, dtype=float), "counts": np.asarray(counts, dtype=int), **(extra_raw or {})}
    meta = {"device": device.to_dict(), "x_name": x_name, "x_unit": x_unit, **(metadata or {})}
    return Data(protocol=protocol, parameters=parameters, backend=backend_obj.name, curve=None, raw=raw,
                metadata=meta)


def require_fit(fit, routine: str, what: str):
    """Raise :class:`~qbhw.errors.CalibrationFailedError` when ``fit`` failed."""
    if fit is None or not fit.ok:
        raise CalibrationFailedError(f"{routine}: the fit of {what} failed ({getattr(fit, 'message', 'no fit')})",
                                     routine=routine)
    return fit


def make_value(name: str, value, *, stderr=None, ci95=None, settings: dict | None = None) -> dict:
    """A record value (as :meth:`CalibrationValue.to_dict <qbhw.devices.CalibrationValue.to_dict>`) produced by the
    routine that :data:`qbhw.devices.QUANTITIES` names for it (validated now)."""
    from ..devices import QUANTITIES, CalibrationValue

    v = CalibrationValue(name=name, value=value, routine=QUANTITIES[name].routine, stderr=stderr, ci95=ci95,
                         settings=settings or {})
    return v.to_dict()


def value_from_fit(name: str, fit, parameter: str, *, transform=None, settings: dict | None = None,
                   routine: str = "") -> dict:
    """The record value ``name`` from the fitted ``parameter`` (its estimate, standard error and 95 % interval),
    optionally through a monotonic ``transform``. A non-finite estimate or interval fails the routine."""
    est = fit.parameter(parameter)
    val, lo, hi = est.value, *(est.ci95 if est.ci95 is not None else (math.nan, math.nan))
    err = est.stderr
    if transform is not None:
        val, a, b = transform(val), transform(lo), transform(hi)
        lo, hi = min(a, b), max(a, b)
        err = None if err is None else abs(transform(est.value + err) - transform(est.value - err)) / 2
    if not all(math.isfinite(x) for x in (val, lo, hi)):
        raise CalibrationFailedError(f"{routine or name}: {parameter} = {val} with interval [{lo}, {hi}]",
                                     routine=routine or None)
    return make_value(name, val, stderr=err, ci95=(lo, hi), settings=settings)


def shots_note(counts, minimum: int | None = None) -> str | None:
    """``None`` when every setting of ``counts`` ``(K, d)`` has at least ``minimum`` shots (default
    :data:`MIN_FIT_SHOTS`), else a note: a fit of frequencies with Gaussian standard errors (and so its 95 %
    intervals) needs enough shots per setting for the binomial counts to be near Gaussian."""
    minimum = MIN_FIT_SHOTS if minimum is None else int(minimum)
    n = int(np.asarray(counts).sum(axis=1).min())
    if n >= minimum:
        return None
    return (f"{n} shots per setting: too few for the Gaussian errors of the fit (at least {minimum}); "
            "nothing recorded")


def resolved_note(estimate, feature: str, *, n_sigma: float, quantity: str = "amplitude",
                  min_stderr: float = 0.0) -> str | None:
    """``None`` when a fitted amplitude resolves its ``feature`` (a line, an oscillation, a decay): its standard
    error σ is finite and ``value > n_sigma · max(σ, min_stderr)`` (``estimate``: a
    :class:`~qbhw.fit.ParameterEstimate`, or ``(value, stderr)``; ``min_stderr`` guards a degenerate σ ≈ 0); else a
    note for ``results.notes`` saying that no ``feature`` was resolved (``quantity``: the amplitude's name in it).
    Below the threshold the fitted centre, frequency or decay time is noise and is not recorded."""
    value, err = (estimate.value, estimate.stderr) if hasattr(estimate, "stderr") else estimate
    if err is not None and math.isfinite(err) and value > n_sigma * max(err, min_stderr):
        return None
    shown = "none" if err is None else f"{err:.2g}"
    return (f"no {feature} resolved ({quantity} {value:.3g}, standard error {shown}; {n_sigma:g} standard errors "
            "needed): not recorded")


def interval_note(estimate, what: str, *, low: float, high: float, unit: str = "",
                  max_relative: float = 0.5) -> str | None:
    """``None`` when a fitted value is *resolved and plausible*: its 95 % interval (``estimate``: a
    :class:`~qbhw.fit.ParameterEstimate`, or ``(value, (lo, hi))``) lies inside ``[low, high]`` and its half-width
    is at most ``max_relative`` times ``|value|``; else a note for ``results.notes`` saying why the value is not
    recorded (``what``: its name; ``unit`` for the message)."""
    value, ci = (estimate.value, estimate.ci95) if hasattr(estimate, "ci95") else estimate
    u = f" {unit}" if unit else ""
    if ci is None or not all(math.isfinite(x) for x in (value, *ci)):
        return f"{what} = {value:.4g}{u} has no finite 95 % interval: not recorded"
    lo, hi = float(min(ci)), float(max(ci))
    if lo < low or hi > high:
        return (f"{what} = {value:.4g}{u} (95 % interval [{lo:.4g}, {hi:.4g}]) is not inside the plausible range "
                f"[{low:.4g}, {high:.4g}]{u}: not recorded")
    if (hi - lo) / 2 > max_relative * abs(value):
        return (f"{what} = {value:.4g}{u} is not resolved (95 % interval [{lo:.4g}, {hi:.4g}], wider than "
                f"±{100 * max_relative:.0f} %): not recorded (more shots or a better sweep)")
    return None


def excited_fraction(counts) -> tuple[np.ndarray, np.ndarray]:
    """``P(read ≠ 0)`` per setting and its Jeffreys-posterior standard error, from counts ``(K, d)``."""
    from ..fit import binomial_probability

    counts = np.asarray(counts)
    n = counts.sum(axis=1)
    k = n - counts[:, 0]
    return binomial_probability(k, n)


def plot_sweep(data, results, *, y, yerr, ylabel: str, title: str, fit=None, marker: float | None = None,
               marker_label: str = ""):
    """One calibration sweep: ``y ± yerr`` against the swept setting, the fitted curve, and the calibrated value
    as a vertical line."""
    from matplotlib.figure import Figure

    x = np.asarray(data.raw["x"], dtype=float)
    fig = Figure(figsize=(6.0, 4.0))
    ax = fig.subplots()
    ax.errorbar(x, y, yerr=yerr, fmt="o", ms=3, lw=0.8, label=f"{data.parameters.shots} shots ({data.backend})")
    if fit is not None and getattr(fit, "ok", False) and getattr(fit, "evaluator", None) is not None:
        xs = np.linspace(x.min(), x.max(), 400)
        ax.plot(xs, fit.evaluate(xs), "-", lw=1.2, label="fit")
    elif fit is not None and getattr(fit, "ok", False):
        ax.plot(fit.x, fit.best_fit, "-", lw=1.2, label="fit")
    if marker is not None and math.isfinite(marker):
        ax.axvline(marker, color="k", ls="--", lw=0.8, label=marker_label)
    unit = data.metadata.get("x_unit", "")
    ax.set_xlabel(f"{data.metadata.get('x_name', 'x')}" + (f" [{unit}]" if unit else ""))
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
