"""Energy relaxation times T1 of levels 1 and 2 of a transmon (a calibration routine; qibocal's ``t1``,
qiskit-experiments' ``T1``).

Level ``k`` (1 or 2) is prepared from ``|0⟩`` with the calibrated π pulses (:func:`prepare
<qbhw.protocols._calibration.prepare>`), left alone for a delay ``τ`` and read out. With per-level amplitude
damping ``√(1/T1_k) |k−1⟩⟨k|`` (the convention of :mod:`qbhw.devices.device`) the population of the prepared level
leaves it only by its own decay, so both decays are single exponentials,

    P_1(τ) = A e^{−τ/T1_1} + c        (prepared |1⟩),
    P_2(τ) = A e^{−τ/T1_2} + c        (prepared |2⟩: level 2 decays into 1 at the rate 1/T1_2 alone),

with ``A`` and ``c`` absorbing the preparation error and what is left of the readout error. The populations are the
readout frequencies corrected with the calibrated assignment matrix (``p = A⁻¹ f``, :func:`mitigate
<qbhw.protocols._calibration.mitigate>`) when the record has one (the ``readout`` routine), else the raw
frequencies. Each decay is fitted with :func:`qbhw.fit.fit_curve` (95 % intervals from the fit); ``T1_k`` goes to
the record as ``t1_level<k>_ns`` when the fit is ok, the decay is resolved (``A`` above three standard errors) and
the 95 % interval of ``T1_k`` lies between the delay step and five times the window and is no wider than ±50 %
(and every delay had at least :data:`~qbhw.protocols._calibration.MIN_FIT_SHOTS` shots: Gaussian errors).

The delays: ``num_delays`` points from 0 to ``window_t1`` times the description's T1 of the level (a single T1 of
the definition means level ``k`` decays at ``k/T1``), or to ``max_delay_ns``. Waits are exact free Lindblad
evolution on the simulated device, so a 100 µs delay costs no more than a short one.

Physics: review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024), Sec. VI.A (transmon batteries, their
self-discharge by T1); Koch et al., Phys. Rev. A 76, 042319 (2007) (transmon relaxation, the ``√k`` matrix elements
of the charge operator); Krantz et al., Appl. Phys. Rev. 6, 021318 (2019), Sec. V (the T1 experiment); Peterer et
al., Phys. Rev. Lett. 114, 010501 (2015) (T1 of the higher transmon levels).

Procedure: **parameters** → **acquisition** (``exact``/``pulse`` or a simulated device; finite, seeded shots) →
**analysis** (fits, record values) → **plot**. Units: ns, GHz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import CalibrationFailedError, ConfigError, InvalidArgumentError
from ._calibration import (CALIBRATION_BACKENDS, CalibrationParameters, CalibrationResults, calibration_device,
                           interval_note, measure, mitigate, prepare, resolved_note, shots_note, sweep_data,
                           value_from_fit)
from .base import Data, check_int, check_real

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "acquire", "analyse", "plot", "description_t1_ns"]

NAME = "t1"
BACKENDS = CALIBRATION_BACKENDS


@dataclass(frozen=True, kw_only=True)
class Parameters(CalibrationParameters):
    """``levels``: the levels whose T1 is measured (1, 2 or both); ``window_t1``: the longest delay in units of the
    description's T1 of each level; ``max_delay_ns``: the longest delay (ns) for every level instead (``None``: from
    ``window_t1``); ``num_delays``: delays per level, evenly spaced from 0."""

    UNITS: ClassVar[dict[str, str]] = {"levels": "", "window_t1": "T1 (description's)", "num_delays": ""}
    HELP: ClassVar[dict[str, str]] = {
        "levels": "levels whose T1 is measured (1, 2)",
        "window_t1": "longest delay, in units of the description's T1 of the level",
        "max_delay_ns": "longest delay for every level (None: window_t1 × the description's T1)",
        "num_delays": "delays per level, evenly spaced from 0",
    }

    levels: Any = (1, 2)
    window_t1: float = 4.0
    max_delay_ns: float | None = None
    num_delays: int = 31

    def _validate(self) -> None:
        super()._validate()
        try:
            levels = tuple(self.levels)
        except TypeError as exc:
            raise InvalidArgumentError(f"got {self.levels!r}", argument="levels",
                                       allowed="a list of distinct levels from 1, 2") from exc
        levels = tuple(check_int(k, "levels", minimum=1, maximum=2) for k in levels)
        if not levels or len(set(levels)) != len(levels):
            raise InvalidArgumentError(f"got {self.levels!r}", argument="levels",
                                       allowed="a non-empty list of distinct levels from 1, 2")
        self._set("levels", tuple(sorted(levels)))
        self._set("window_t1", check_real(self.window_t1, "window_t1", minimum=0.5, maximum=20.0))
        self._set("max_delay_ns", check_real(self.max_delay_ns, "max_delay_ns", minimum=0.0, strict=True,
                                             allow_none=True))
        self._set("num_delays", check_int(self.num_delays, "num_delays", minimum=6))


@dataclass(kw_only=True)
class Results(CalibrationResults):
    """``t1_level1_ns``, ``t1_level2_ns`` and their 95 % intervals (``_ci95``; NaN / ``None`` for a level not
    measured or not fitted); ``fit`` is the fit of level 1, ``fit_level2`` that of level 2."""

    t1_level1_ns: float = math.nan
    t1_level1_ns_ci95: tuple | None = None
    t1_level2_ns: float = math.nan
    t1_level2_ns_ci95: tuple | None = None
    fit_level2: Any = None


def description_t1_ns(device, level: int) -> float | None:
    """The description's T1 of ``level`` (ns): its per-level value, or ``T1/k`` for a single T1; ``None`` when the
    description has none."""
    t1 = device.t1_ns
    if t1 is None:
        return None
    if isinstance(t1, tuple):
        return float(t1[level - 1])
    return float(t1) / level


def _delays(parameters, device, level: int) -> np.ndarray:
    if parameters.max_delay_ns is not None:
        window = parameters.max_delay_ns
    else:
        t1 = description_t1_ns(device, level)
        if t1 is None:
            raise ConfigError(f"the description of {device.name!r} has no T1", argument="max_delay_ns",
                              allowed="the longest delay in ns (the description gives no T1 to scale from)")
        window = parameters.window_t1 * t1
    return np.linspace(0.0, window, parameters.num_delays)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Prepare each level, wait each delay, read out (see the module docstring)."""
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    device = calibration_device(parameters, obj)
    too_high = [k for k in parameters.levels if k >= device.levels]
    if too_high:
        raise ConfigError(f"level {too_high[0]} on a {device.levels}-level device", argument="levels",
                          allowed=f"levels 1 … {device.levels - 1}")
    x, prepared, sequences = [], [], []
    for k in parameters.levels:
        prep = prepare(device, k)
        for tau in _delays(parameters, device, k):
            x.append(tau)
            prepared.append(k)
            sequences.append([*prep, float(tau)])
    counts = measure(parameters, obj, device, sequences)
    return sweep_data(NAME, parameters, obj, device, x=x, counts=counts, x_name="delay", x_unit="ns",
                      extra_raw={"prepared": np.asarray(prepared, dtype=int)})


def _populations(data: Data):
    """Populations (mitigated when the description has an assignment matrix) and their standard errors."""
    from ..devices import Device

    device = Device.from_dict(data.metadata["device"])
    return mitigate(data.raw["counts"], device)


def _fit_level(x, y, err):
    from ..fit import ExponentialDecayModel, fit_curve

    span = float(x.max() - x.min())
    step = float(np.min(np.diff(x)))
    return fit_curve(ExponentialDecayModel(), x=x, y=y, sigma=err,
                     bounds={"tau": (0.1 * step, 100.0 * span), "e0": (-0.5, 1.5), "e_inf": (-0.5, 1.5)})


def analyse(data: Data) -> Results:
    """Fit the decay of each prepared level; ``T1_k`` goes to the record as ``t1_level<k>_ns`` when plausible."""
    pops, errs = _populations(data)
    x_all = np.asarray(data.raw["x"], dtype=float)
    prepared = np.asarray(data.raw["prepared"], dtype=int)
    out = Results(protocol=NAME)
    few = shots_note(data.raw["counts"])
    if few:
        out.notes.append(few)
    for k in data.parameters.levels:
        rows = prepared == k
        x, y, err = x_all[rows], pops[rows, k], errs[rows, k]
        name = f"t1_level{k}_ns"
        fit = _fit_level(x, y, err)
        if k == 1:
            out.fit = fit
        else:
            out.fit_level2 = fit
        if not fit.ok:
            out.notes.append(f"level {k}: the fit failed ({fit.message})")
            continue
        tau, e0 = fit.parameter("tau"), fit.parameter("e0")
        setattr(out, name, tau.value)
        setattr(out, f"{name}_ci95", tau.ci95)
        step, window = float(np.min(np.diff(x))), float(x.max())
        if few:
            continue
        note = resolved_note(e0, f"decay of level {k}", n_sigma=3)
        if note:
            out.notes.append(note)
            continue
        note = interval_note(tau, f"level {k}: T1", low=step, high=5.0 * window, unit="ns")
        if note:
            out.notes.append(note + " (the plausible range: the delay step to five times the window)")
            continue
        try:
            out.updates[name] = value_from_fit(name, fit, "tau", routine=NAME,
                                               settings={"max_delay_ns": window, "num_delays": int(x.size)})
        except CalibrationFailedError as exc:  # a non-finite interval
            out.notes.append(f"level {k}: {exc}")
    return out


def plot(data: Data, results: Results) -> Figure:
    """The population of each prepared level against the delay, the fitted decay and T1."""
    pops, errs = _populations(data)
    x_all = np.asarray(data.raw["x"], dtype=float)
    prepared = np.asarray(data.raw["prepared"], dtype=int)
    levels = data.parameters.levels
    fig = Figure(figsize=(6.0, 3.2 * len(levels)))
    axes = np.atleast_1d(fig.subplots(len(levels), 1))
    for ax, k in zip(axes, levels):
        rows = prepared == k
        x = x_all[rows]
        ax.errorbar(x / 1e3, pops[rows, k], yerr=errs[rows, k], fmt="o", ms=3, lw=0.8,
                    label=f"P{k}, {data.parameters.shots} shots ({data.backend})")
        fit = results.fit if k == 1 else results.fit_level2
        t1 = getattr(results, f"t1_level{k}_ns")
        if fit is not None and getattr(fit, "ok", False):
            xs = np.linspace(x.min(), x.max(), 400)
            ys = fit.evaluate(xs) if getattr(fit, "evaluator", None) is not None else None
            if ys is not None:
                ax.plot(xs / 1e3, ys, "-", lw=1.2, label=f"fit: T1 = {t1 / 1e3:.4g} µs")
        if math.isfinite(t1):
            ax.axvline(t1 / 1e3, color="k", ls="--", lw=0.8)
        ax.set_xlabel("delay [µs]")
        ax.set_ylabel(f"P{k} (prepared |{k}>)")
        ax.legend(fontsize=7)
    axes[0].set_title(f"T1 on {data.metadata['device']['name']}", fontsize=9)
    fig.tight_layout()
    return fig
