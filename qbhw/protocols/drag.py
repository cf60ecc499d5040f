"""DRAG calibration of the 0→1 π pulse: the record's ``drag_beta_ns`` (a calibration routine; qiskit-experiments'
``RoughDrag``, qibocal's ``drag_tuning``).

A transmon is not a two-level system: the 1–2 transition, only |α| away, shifts the 0–1 line while a short pulse is
on (AC Stark) and so gives the π pulse a phase error; DRAG (Motzoi et al., Phys. Rev. Lett. 103, 110501 (2009))
removes it with a quadrature proportional to the envelope's derivative, ``s(t) = G(t) + iβ dG/dt``
(:class:`qbhw.pulse.Drag`). To first order ``β ≈ 1/(4π α)`` (ns, α in GHz; negative for a transmon), the sweep's
default centre; the exact value depends on the pulse and the device and is measured here.

Sequence (Krantz et al., Appl. Phys. Rev. 6, 021318 (2019), Sec. V.B): from |0⟩, ``n`` pairs ``Xπ(β) · X−π(β)``
(the calibrated π pulse, :func:`~qbhw.protocols._calibration.pi_pulse`, and the same pulse with its sign flipped),
then read out, for ``n`` in ``repetitions`` and β across the sweep. Without a phase error each pair is the
identity; a phase error ``φ(β)`` makes each pair a small rotation that ``n`` pairs multiply, so

    P_n(β) = P(read ≠ 0) = base − amp · cos(2π n f [x + q x²]),   x = β − β₀,

fitted jointly for every ``n`` (shared ``β₀``, ``f``, ``q``, ``amp``, ``base``; readout errors go into ``amp`` and
``base``) with :func:`qbhw.fit.fit_curve` (95 % intervals from the fit). The phase error is not linear in β,
mainly because the derivative quadrature ``β dG/dt`` is itself AC-Stark shifted by the 1–2 transition (the shift
``∝ |s|² = G² + β² Ġ²``), so ``φ`` has a small term in ``x²`` (``q``, a few 10⁻³/ns here). The plain cosine of
qiskit-experiments (``q = 0``) reads that asymmetry, where β₀ is not at the centre of the sweep, as a shift of β₀
of up to half its standard error; with ``q`` free the fit recovers the β that minimises the sequence's error. The
minimum common to all ``n``, ``β₀``, is the record's ``drag_beta_ns`` (with the π pulse's shape and amplitude as
its settings). Run it after ``rabi_01`` (the pulse's amplitude) and, for a β free of a carrier offset (which the
pair turns into a phase error too), after ``ramsey``. Transmon physics: review Campaioli et al., Rev. Mod. Phys.
96, 031001 (2024), Sec. VI.A; Koch et al., Phys. Rev. A 76, 042319 (2007).

Procedure: **parameters** → **acquisition** (``exact``/``pulse`` or a simulated device; finite, seeded shots) →
**analysis** (fit, record value) → **plot**. Units: ns, GHz.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import CalibrationFailedError, InvalidArgumentError
from ._calibration import (CALIBRATION_BACKENDS, CalibrationParameters, CalibrationResults, calibration_device,
                           excited_fraction, interval_note, measure, nominal_pi_amp, pi_pulse, pi_settings,
                           resolved_note, shots_note, sweep_data, value_from_fit)
from ._rabi import interior
from .base import Data, check_int, check_real

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "acquire", "analyse", "plot", "drag_error",
           "first_order_beta_ns"]

NAME = "drag"
BACKENDS = CALIBRATION_BACKENDS


@dataclass(frozen=True, kw_only=True)
class Parameters(CalibrationParameters):
    """``beta_span_ns``: the width of the β sweep, centred on the record's β when it has one, else on the
    first-order ``1/(4π α)``; ``num_betas``: points of the sweep; ``repetitions``: the numbers ``n`` of
    ``Xπ · X−π`` pairs (distinct integers ≥ 1)."""

    UNITS: ClassVar[dict[str, str]] = {"num_betas": "", "repetitions": ""}
    HELP: ClassVar[dict[str, str]] = {
        "beta_span_ns": "full width of the DRAG β sweep",
        "num_betas": "points of the β sweep",
        "repetitions": "numbers of Xπ·X−π pairs played (one curve each)",
    }

    beta_span_ns: float = 2.0
    num_betas: int = 21
    repetitions: tuple = (1, 3, 5)

    def _validate(self) -> None:
        super()._validate()
        self._set("beta_span_ns", check_real(self.beta_span_ns, "beta_span_ns", minimum=0.0, maximum=50.0,
                                             strict=True))
        self._set("num_betas", check_int(self.num_betas, "num_betas", minimum=7))
        reps = self.repetitions
        if isinstance(reps, (str, bytes)) or not hasattr(reps, "__iter__"):
            raise InvalidArgumentError(f"got {reps!r}", argument="repetitions",
                                       allowed="a list of distinct integers >= 1")
        reps = tuple(check_int(r, "repetitions", minimum=1, maximum=50) for r in reps)
        if len(reps) < 2 or len(set(reps)) != len(reps):
            raise InvalidArgumentError(f"got {list(reps)}", argument="repetitions",
                                       allowed="at least two distinct integers >= 1")
        self._set("repetitions", tuple(sorted(reps)))


@dataclass(kw_only=True)
class Results(CalibrationResults):
    """``beta_ns`` and ``beta_ns_ci95``: the DRAG coefficient β₀ (ns) and its 95 % interval; ``frequency_per_ns``:
    the fitted oscillation frequency ``f`` of one pair (1/ns); ``curvature_per_ns``: the fitted ``q`` (1/ns);
    ``amp``, ``base``: the fitted contrast and offset."""

    beta_ns: float = math.nan
    beta_ns_ci95: tuple | None = None
    frequency_per_ns: float = math.nan
    curvature_per_ns: float = math.nan
    amp: float = math.nan
    base: float = math.nan


def first_order_beta_ns(device) -> float:
    """``β = 1/(4π α)`` (ns; α in GHz): the first-order DRAG coefficient of a transmon (Motzoi et al. 2009) in the
    convention ``s = G + iβ dG/dt`` of :class:`qbhw.pulse.Drag`."""
    return 1.0 / (4.0 * math.pi * device.anharmonicity_ghz)


def drag_error(beta_ns, n, beta0_ns, f_per_ns, q_per_ns, amp, base):
    """``base − amp · cos(2π n f [x + q x²])`` with ``x = β − β₀`` (see the module docstring)."""
    x = np.asarray(beta_ns, dtype=float) - beta0_ns
    return base - amp * np.cos(2.0 * np.pi * np.asarray(n, dtype=float) * f_per_ns * (x + q_per_ns * x * x))


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Play ``n`` pairs ``Xπ(β) · X−π(β)`` for every β and ``n`` and read out."""
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    device = calibration_device(parameters, obj)
    rec = device.calibration
    centre = None if rec is None else rec.get("drag_beta_ns")
    if centre is None:
        centre = first_order_beta_ns(device)
    half = parameters.beta_span_ns / 2
    betas = np.linspace(centre - half, centre + half, parameters.num_betas)
    pairs = [(pi_pulse(device, "01", beta_ns=float(b)), pi_pulse(device, "01", beta_ns=float(b), angle=math.pi))
             for b in betas]
    reps = parameters.repetitions
    sequences = [[*pair] * n for n in reps for pair in pairs]
    counts = measure(parameters, obj, device, sequences)
    x = np.tile(betas, len(reps))
    n = np.repeat(np.asarray(reps, dtype=int), len(betas))
    shape = pi_settings(device, "01")
    amp = None if rec is None else rec.get("pi_amp_01_ghz")
    pulse = {**shape, "shape": "drag",
             "amp_ghz": float(nominal_pi_amp(device, "01", **shape) if amp is None else amp)}
    return sweep_data(NAME, parameters, obj, device, x=x, counts=counts, x_name="DRAG β", x_unit="ns",
                      extra_raw={"repetitions": n},
                      metadata={"pulse": pulse, "beta_centre_ns": float(centre)})


def _guess(beta, n, y, span) -> dict:
    """Start values from a grid over (β₀, f) with the linear parameters (amp, base) solved exactly."""
    best = None
    for f in np.geomspace(0.05 / (span * n.max()), 3.0 / (span * n.min()), 48):
        for b0 in np.linspace(beta.min(), beta.max(), 41):
            c = np.cos(2 * np.pi * n * f * (beta - b0))
            A = np.stack([np.ones_like(c), -c], axis=1)
            coef, *_ = np.linalg.lstsq(A, y, rcond=None)
            if coef[1] <= 0:
                continue
            r = float(np.sum((A @ coef - y) ** 2))
            if best is None or r < best[0]:
                best = (r, b0, f, coef)
    if best is None:
        return {"beta0_ns": float(beta[np.argmin(y)]), "f_per_ns": 1.0 / span, "q_per_ns": 0.0, "amp": 0.4,
                "base": 0.5}
    _, b0, f, (base, amp) = best
    return {"beta0_ns": float(b0), "f_per_ns": float(f), "q_per_ns": 0.0, "amp": float(min(amp, 0.99)),
            "base": float(min(max(base, 0.01), 0.99))}


def analyse(data: Data) -> Results:
    """Fit every curve jointly; the common minimum β₀ goes to the record as ``drag_beta_ns``."""
    import lmfit

    from ..fit import fit_curve, make_fit_data

    beta = np.asarray(data.raw["x"], dtype=float)
    n = np.asarray(data.raw["repetitions"], dtype=float)
    y, err = excited_fraction(data.raw["counts"])
    span = float(beta.max() - beta.min())

    def joint(index, beta0_ns, f_per_ns, q_per_ns, amp, base):
        k = np.asarray(index, dtype=int)
        return drag_error(beta[k], n[k], beta0_ns, f_per_ns, q_per_ns, amp, base)

    guess = _guess(beta, n, y, span)
    model = lmfit.Model(joint, independent_vars=["index"])
    shots = np.asarray(data.raw["counts"]).sum(axis=1)
    points = make_fit_data(np.arange(len(y), dtype=float), y, err, shots=shots, binomial_kind="probability",
                           sigma_kind="binomial", x_name="index", y_name="P(read ≠ 0)")
    bounds = {"beta0_ns": (beta.min() - span, beta.max() + span), "f_per_ns": (0.02 / span, 20.0 / span),
              "q_per_ns": (-1.0 / span, 1.0 / span), "amp": (0.0, 1.0), "base": (0.0, 1.0)}
    fit = fit_curve(model, points, guess=interior(guess, bounds), bounds=bounds)
    out = Results(protocol=NAME, fit=fit)
    if not fit.ok:
        out.notes.append(f"fit failed: {fit.message}")
        return out
    b0 = fit.parameter("beta0_ns")
    out.beta_ns, out.beta_ns_ci95 = b0.value, b0.ci95
    out.frequency_per_ns = fit.parameter("f_per_ns").value
    out.curvature_per_ns = fit.parameter("q_per_ns").value
    a = fit.parameter("amp")
    out.amp, out.base = a.value, fit.parameter("base").value
    note = shots_note(data.raw["counts"]) or resolved_note(a, "DRAG oscillation", n_sigma=5, min_stderr=1e-12)
    if note:
        out.notes.append(note)
        return out
    # inside the sweep only (β₀ may be near 0: no relative width), then at most a quarter of the sweep wide
    note = interval_note(b0, "the common minimum β₀", low=float(beta.min()), high=float(beta.max()), unit="ns",
                         max_relative=math.inf)
    if note:
        out.notes.append(note + " (move or widen the sweep)")
        return out
    if b0.ci95[1] - b0.ci95[0] > 0.25 * span:
        out.notes.append(f"β₀ is not resolved (95 % interval [{b0.ci95[0]:.4g}, {b0.ci95[1]:.4g}] ns, wider than a "
                         "quarter of the sweep): nothing recorded")
        return out
    try:
        out.updates["drag_beta_ns"] = value_from_fit("drag_beta_ns", fit, "beta0_ns", routine=NAME,
                                                     settings=data.metadata["pulse"])
    except CalibrationFailedError as exc:
        out.notes.append(str(exc))
    return out


def plot(data: Data, results: Results) -> Figure:
    """P(read ≠ 0) against β for every ``n``, the joint fit and β₀."""
    beta = np.asarray(data.raw["x"], dtype=float)
    n = np.asarray(data.raw["repetitions"], dtype=int)
    y, err = excited_fraction(data.raw["counts"])
    fig = Figure(figsize=(6.0, 4.0))
    ax = fig.subplots()
    xs = np.linspace(beta.min(), beta.max(), 400)
    ok = results.fit is not None and getattr(results.fit, "ok", False)
    for i, r in enumerate(sorted(set(n.tolist()))):
        m = n == r
        ax.errorbar(beta[m], y[m], yerr=err[m], fmt="o", ms=3, lw=0.8, color=f"C{i}", label=f"n = {r}")
        if ok and math.isfinite(results.beta_ns):
            ax.plot(xs, drag_error(xs, r, results.beta_ns, results.frequency_per_ns, results.curvature_per_ns,
                                   results.amp, results.base), "-", lw=1.1, color=f"C{i}")
    if math.isfinite(results.beta_ns):
        ax.axvline(results.beta_ns, color="k", ls="--", lw=0.8, label="β₀")
    ax.set_xlabel("DRAG β [ns]")
    ax.set_ylabel("P(read ≠ 0)")
    ax.set_title(f"DRAG on {data.metadata['device']['name']} ({data.parameters.shots} shots, {data.backend}): "
                 f"β₀ = {results.beta_ns:.4g} ns", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
