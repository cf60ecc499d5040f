"""STIRAP tune-up of a transmon qutrit, |0⟩ → |2⟩ (a calibration routine): the Gaussian pulse pair
(:class:`~qbhw.pulse.StirapPair`, Stokes on ``d1`` with carrier ν + α, then the pump on ``d0`` with carrier ν) whose
final population of |2⟩ is largest, and that population, measured.

Physics (Vitanov, Rangelov, Shore, Bergmann, Rev. Mod. Phys. 89, 015006 (2017); review Campaioli et al., Rev. Mod.
Phys. 96, 031001 (2024), Sec. IV.B for STIRAP charging and Sec. VI.A for transmon batteries; Koch et al., Phys. Rev.
A 76, 042319 (2007) for the transmon ladder). With the pump Rabi frequency ``Ω_P(t)/2π = g s_P(t)`` on 0–1 and the
Stokes ``Ω_S(t)/2π = √2 g s_S(t)`` on 1–2 (``s`` the requested envelopes, ``g`` the drive line's gain, ``√2`` the
1–2 matrix element of ``b + b†``) the dark state ``cos θ |0⟩ − sin θ |2⟩``, ``tan θ = Ω_P/Ω_S``, carries |0⟩ to
|2⟩ when the Stokes pulse comes first and the evolution is adiabatic, ``Ω_rms τ ≫ 1`` (Vitanov et al.
2017). On a transmon three things limit the transfer: non-adiabatic loss (weak or short pulses), the AC Stark
shifts of each drive acting on the other transition detuned by α (strong pulses), and T1/Tφ during the pulse
(long pulses). None has a closed form, so the pair is tuned in three stages:

1. **model**: the drive gain, which the device description does not know, is estimated from the calibrated π pulse,
   ``ĝ = a_π^model / a_π^rec``, with ``a_π^model`` the amplitude of the same Gaussian (the record value's shape)
   that maximises ``1 − P_0`` on the description's own model and ``a_π^rec`` the record's ``pi_amp_01_ghz`` (no
   record value: ``ĝ = 1``, noted). Then the peak Rabi frequencies ``g s_P`` and ``√2 g s_S``, the common width σ,
   the delay and the pair's centre are optimised on the description (pulse-level Lindblad model, T1/Tφ on, the
   ±α cross terms kept) for the largest ``P_2(T)`` at the end of the ``duration_ns`` window: a cross-entropy search
   (``model_rounds`` rounds of ``model_candidates`` pairs, simulated together by
   :func:`qbhw.pulse.simulate_sweep`; requested amplitudes within the channels' ``max_amp_ghz``). The default
   window, 200 ns, balances adiabaticity against decay for T1 of tens of µs: on the simulated devices the best
   pairs have σ ≈ 30 ns and a delay ≈ 1.5 σ, and longer windows lose more to T1/Tφ than they gain.
2. **measured**: on the backend, ``P_2`` (readout frequencies corrected with the calibrated assignment matrix,
   :func:`~qbhw.protocols._calibration.mitigate`) against the common amplitude scale ``k`` (``num_scales`` points
   in ``1 ± scale_span``), then against the delay (``num_delays`` points in ``delay ± delay_span·σ``, at the scale
   chosen); each scan is fitted (:func:`qbhw.fit.fit_curve`) with a parabola that has a cubic skew term,

       P_2(x) = top − curvature · (x − x_0)² + skew · (x − x_0)³,

   whose local maximum is ``x_0`` (``curvature > 0``). The skew term matters: STIRAP's transfer falls faster on the
   short-delay (non-adiabatic) side than on the long one, and a plain parabola puts its vertex on the flat side of
   the true maximum, by a few ns (several percent of σ) for the default scan. ``x_0`` (with the fit's 95 % interval) is adopted
   when the fit is ok and describes the scan (χ² p-value ≥ 10⁻³), the curvature is resolved (its 95 % interval
   above 0) and ``x_0`` lies inside the scan; otherwise the model value stays (noted). The transfer is flat in the
   amplitude over a wide range (the robustness of STIRAP), so the scale scan often keeps the model value.
3. **check**: ``P_2`` of the tuned pair, measured (``transfer`` with its standard error and 95 % interval; the
   error includes the calibrated assignment matrix's own standard errors when the record has them).

Record values (``stirap_*``, :data:`qbhw.devices.QUANTITIES`): the tuned pair's requested peak envelopes, σ,
delay, window and centre; each value's ``settings`` say whether it was ``"measured"`` (with its 95 % interval) or
``"model-optimised"``. Nothing is recorded when a setting had too few shots for Gaussian errors
(:data:`~qbhw.protocols._calibration.MIN_FIT_SHOTS`) or when the check's 95 % interval does not reach
``min_transfer``: the tune-up is then not confirmed. (A scan whose fit fails keeps the model value, noted: the
check decides.)

Procedure: **parameters** → **acquisition** (model optimisation, scans and check on ``exact``/``pulse`` or a
simulated device; finite, seeded shots) → **analysis** (fits, record values) → **plot**. Units: ns, GHz (cyclic).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError
from ._calibration import (
    CALIBRATION_BACKENDS,
    CalibrationParameters,
    CalibrationResults,
    calibration_device,
    make_value,
    measure,
    mitigate,
    nominal_pi_amp,
    on_grid,
    pi_pulse,
    pi_settings,
    shots_note,
    sweep_data,
)
from .base import Data, check_int, check_real

__all__ = [
    "BACKENDS",
    "NAME",
    "Parameters",
    "Results",
    "acquire",
    "analyse",
    "estimate_drive_gain",
    "model_transfer",
    "optimise_pair",
    "pair_from_values",
    "peak",
    "plot",
    "tuned_pair",
]

NAME = "stirap_tuneup"
BACKENDS = CALIBRATION_BACKENDS

#: the record's STIRAP quantities and the StirapPair field each one is
_PAIR_FIELDS = {"stirap_amp_pump_ghz": "amp_pump_ghz", "stirap_amp_stokes_ghz": "amp_stokes_ghz",
                "stirap_sigma_ns": "sigma_ns", "stirap_delay_ns": "delay_ns", "stirap_duration_ns": "duration_ns",
                "stirap_center_ns": "center_ns"}
#: lowest peak Rabi frequency Ω/2π (GHz) the model search considers
_MIN_RABI_GHZ = 0.004
#: sub-step phase limit (rad) of the model simulations: one Magnus-6 step per sample, which agrees with the solver's
#: default (two) to ~1e-9 in P_2 for pairs up to the channels' limits, at half the cost
_MODEL_MAX_PHASE = 1.0
#: a scan whose fit has a smaller chi2 p-value is not described by the peak model (its vertex is not adopted)
_MIN_CHI2_P = 1e-3


@dataclass(frozen=True, kw_only=True)
class Parameters(CalibrationParameters):
    """``duration_ns``: the window of the pair (rounded up to the device grid); ``model_rounds``,
    ``model_candidates``: the model search (rounds × pairs per round, each pair one pulse-level simulation);
    ``scale_span``, ``num_scales``: the amplitude-scale scan ``1 ± scale_span``; ``delay_span``, ``num_delays``:
    the delay scan ``delay ± delay_span·σ``; ``min_transfer``: the lowest final population of |2⟩ the check must
    reach (its 95 % interval's upper end) for the pair to be recorded."""

    UNITS: ClassVar[dict[str, str]] = {"model_rounds": "", "model_candidates": "", "scale_span": "",
                                       "num_scales": "", "delay_span": "σ", "num_delays": "", "min_transfer": ""}
    HELP: ClassVar[dict[str, str]] = {
        "duration_ns": "window of the STIRAP pair",
        "model_rounds": "rounds of the model search",
        "model_candidates": "pairs simulated per round of the model search",
        "scale_span": "the amplitude-scale scan covers 1 ± scale_span",
        "num_scales": "points of the amplitude-scale scan",
        "delay_span": "the delay scan covers delay ± delay_span·σ",
        "num_delays": "points of the delay scan",
        "min_transfer": "lowest final P(|2>) the check must reach (its 95 % interval) to record the pair",
    }

    shots: int | None = 20000
    duration_ns: float = 200.0
    model_rounds: int = 4
    model_candidates: int = 24
    scale_span: float = 0.3
    num_scales: int = 7
    delay_span: float = 0.5
    num_delays: int = 7
    min_transfer: float = 0.9

    def _validate(self) -> None:
        super()._validate()
        self._set("duration_ns", check_real(self.duration_ns, "duration_ns", minimum=10.0, maximum=5000.0))
        self._set("model_rounds", check_int(self.model_rounds, "model_rounds", minimum=1, maximum=50))
        self._set("model_candidates", check_int(self.model_candidates, "model_candidates", minimum=8,
                                                maximum=512))
        self._set("scale_span", check_real(self.scale_span, "scale_span", minimum=0.0, maximum=0.9, strict=True))
        self._set("num_scales", check_int(self.num_scales, "num_scales", minimum=5, maximum=101))
        self._set("delay_span", check_real(self.delay_span, "delay_span", minimum=0.0, maximum=3.0, strict=True))
        self._set("num_delays", check_int(self.num_delays, "num_delays", minimum=5, maximum=101))
        self._set("min_transfer", check_real(self.min_transfer, "min_transfer", minimum=0.0, maximum=1.0))


@dataclass(kw_only=True)
class Results(CalibrationResults):
    """``transfer``, ``transfer_stderr``, ``transfer_ci95``: the measured final population of |2⟩ of the tuned
    pair; ``model_transfer``: what the description's model predicts for it; ``gain_estimate``: ĝ; the tuned pair
    (requested peak envelopes ``amp_pump_ghz``, ``amp_stokes_ghz``, ``sigma_ns``, ``delay_ns``, ``duration_ns``,
    ``center_ns``) with the 95 % intervals of the measured ones (``None`` for model-optimised values);
    ``amp_scale``, ``amp_scale_ci95``: the fitted vertex of the scale scan (adopted or not); ``delay_fit_ns``,
    ``delay_fit_ns_ci95``: that of the delay scan; ``sources``: record quantity → ``"measured"`` |
    ``"model-optimised"``; ``fit``: the delay scan's fit, ``scale_fit``: the scale scan's."""

    transfer: float = math.nan
    transfer_stderr: float = math.nan
    transfer_ci95: tuple | None = None
    model_transfer: float = math.nan
    gain_estimate: float = math.nan
    amp_pump_ghz: float = math.nan
    amp_pump_ghz_ci95: tuple | None = None
    amp_stokes_ghz: float = math.nan
    amp_stokes_ghz_ci95: tuple | None = None
    sigma_ns: float = math.nan
    delay_ns: float = math.nan
    delay_ns_ci95: tuple | None = None
    duration_ns: float = math.nan
    center_ns: float = math.nan
    amp_scale: float = math.nan
    amp_scale_ci95: tuple | None = None
    delay_fit_ns: float = math.nan
    delay_fit_ns_ci95: tuple | None = None
    sources: dict = field(default_factory=dict)
    scale_fit: Any = None


# ---- model -----------------------------------------------------------------------------------------------------
def peak(x, top, curvature, x0, skew):
    """``top − curvature · (x − x0)² + skew · (x − x0)³`` (see the module docstring): a parabola with a cubic
    skew term; for ``curvature > 0`` its local maximum is at ``x0``."""
    d = np.asarray(x, dtype=float) - x0
    return top - curvature * d**2 + skew * d**3


def _stirap_schedule(pair):
    from ..pulse.protocols import stirap_schedule

    return stirap_schedule(pair)


def _pair(d: dict, **changes):
    from ..pulse import StirapPair

    v = {**d, **changes}
    return StirapPair(v["duration_ns"], sigma_ns=v["sigma_ns"], delay_ns=v["delay_ns"],
                      amp_pump_ghz=v["amp_pump_ghz"], amp_stokes_ghz=v["amp_stokes_ghz"], center_ns=v["center_ns"])


def pair_from_values(values):
    """The :class:`~qbhw.pulse.StirapPair` of the six ``stirap_*`` record values: a
    :class:`~qbhw.devices.CalibrationRecord`, or a mapping of quantity name → number or value dict (``results.updates``)."""
    get = values.get
    missing = [q for q in _PAIR_FIELDS if get(q) is None]
    if missing:
        raise ConfigError(f"no {missing[0]}", argument="values", allowed="all of " + ", ".join(_PAIR_FIELDS))
    v = {f: get(q) for q, f in _PAIR_FIELDS.items()}
    return _pair({f: float(x["value"] if isinstance(x, dict) else x) for f, x in v.items()})


def estimate_drive_gain(device, *, decoherence: bool = True, rwa_cutoff_ghz: float | None = 2.0) -> tuple[float, str | None]:
    """``(ĝ, note)``: the drive line's gain ``ĝ = a_π^model / a_π^rec`` (see the module docstring); ``(1, note)``
    when the description has no calibrated ``pi_amp_01_ghz``."""
    from scipy.optimize import minimize_scalar

    from ..pulse import transmon_model
    from ..pulse.sequence import SequencePlayer

    rec = getattr(device, "calibration", None)
    a_rec = None if rec is None else rec.get("pi_amp_01_ghz")
    if a_rec is None:
        return 1.0, "no calibrated pi_amp_01_ghz: the drive gain is taken as 1"
    shape = pi_settings(device, "01")
    player = SequencePlayer(transmon_model(device, decoherence=decoherence, resonator=False),
                            rwa_cutoff_ghz=rwa_cutoff_ghz)

    def ground(a):
        sig = pi_pulse(device, "01", amp_ghz=float(a), drag=False, shape=shape).build(device)
        return float(player.populations([[sig]])[0, 0])

    a0 = nominal_pi_amp(device, "01", **shape)
    hi = min(1.5 * a0, device.channel_map["d0"].max_amp_ghz)
    best = minimize_scalar(ground, bounds=(0.6 * a0, hi), method="bounded", options={"xatol": 1e-6 * a0})
    return float(best.x) / float(a_rec), None


def model_transfer(device, pairs, *, gain: float = 1.0, decoherence: bool = True,
                   rwa_cutoff_ghz: float | None = 2.0) -> np.ndarray:
    """``P_2`` at the end of each :class:`~qbhw.pulse.StirapPair` of ``pairs`` (requested envelopes, played with
    the drive gain ``gain``) from |0⟩ on the description's model (all pairs in one
    :func:`~qbhw.pulse.simulate_sweep`: they must share the window)."""
    from ..pulse import transmon_model
    from ..pulse.solver import simulate_sweep

    model = transmon_model(device, decoherence=decoherence, resonator=False)
    signals = []
    for p in pairs:
        signals.append(_stirap_schedule(p).build(device).scaled(gain))
    states = simulate_sweep(model, signals, 0, rwa_cutoff_ghz=rwa_cutoff_ghz, max_phase=_MODEL_MAX_PHASE)
    if states.ndim == 2:  # closed system: state vectors
        return np.abs(states[:, 2]) ** 2
    return np.real(states[:, 2, 2])


def optimise_pair(device, duration_ns: float, *, gain: float = 1.0, decoherence: bool = True,
                  rwa_cutoff_ghz: float | None = 2.0, rounds: int = 4, candidates: int = 24,
                  seed: int | None = 0) -> tuple[dict, float, int]:
    """``(pair, P_2, evaluations)``: the pair (a dict of :class:`~qbhw.pulse.StirapPair` fields, requested
    envelopes) with the largest model ``P_2`` found by a cross-entropy search over the peak Rabi frequencies
    ``g s_P`` and ``√2 g s_S`` (log scale, up to the channels' limits), σ ∈ [T/20, T/4], delay/σ ∈ [0.25, 3] and the
    centre within ``T/2 ± 0.15 T`` (``T = duration_ns``). Each round simulates ``candidates`` pairs drawn from a
    Gaussian in the box's unit coordinates; its best quarter sets the next round's mean and spread (``seed``: the
    draws)."""
    T = float(duration_ns)
    lim_p = gain * device.channel_map["d0"].max_amp_ghz
    lim_s = gain * math.sqrt(2.0) * device.channel_map["d1"].max_amp_ghz
    lo = np.array([math.log(_MIN_RABI_GHZ), math.log(_MIN_RABI_GHZ), T / 20, 0.25, -0.15 * T])
    hi = np.array([math.log(lim_p), math.log(lim_s), T / 4, 3.0, 0.15 * T])
    if not np.all(hi > lo):
        raise ConfigError(f"channel limits {lim_p:.3g}, {lim_s:.3g} GHz", argument="device",
                          allowed=f"drive channels allowing Rabi frequencies above {_MIN_RABI_GHZ} GHz")
    sigma0 = 0.14 * T
    rabi0 = min(1.6 / sigma0, 0.5 * lim_p, 0.5 * lim_s)
    mu = (np.array([math.log(rabi0), math.log(rabi0), sigma0, 1.5, 0.0]) - lo) / (hi - lo)
    sd = np.array([0.35, 0.35, 0.03 * T, 0.3, 0.03 * T]) / (hi - lo)
    floor = 0.01

    def to_pair(u):
        lp, ls, sg, dl, c = lo + np.clip(u, 0.0, 1.0) * (hi - lo)
        return {"amp_pump_ghz": min(math.exp(lp) / gain, device.channel_map["d0"].max_amp_ghz),
                "amp_stokes_ghz": min(math.exp(ls) / (math.sqrt(2.0) * gain), device.channel_map["d1"].max_amp_ghz),
                "sigma_ns": float(sg), "delay_ns": float(dl * sg), "duration_ns": T, "center_ns": float(T / 2 + c)}

    rng = np.random.default_rng(0 if seed is None else int(seed))
    best_u, best_y, n_eval = mu.copy(), -math.inf, 0
    n_elite = max(4, candidates // 4)
    for _ in range(rounds):
        U = np.clip(mu + sd * rng.standard_normal((candidates, mu.size)), 0.0, 1.0)
        U[0] = best_u if math.isfinite(best_y) else mu
        y = model_transfer(device, [_pair(to_pair(u)) for u in U], gain=gain, decoherence=decoherence,
                           rwa_cutoff_ghz=rwa_cutoff_ghz)
        n_eval += len(U)
        k = int(np.argmax(y))
        if y[k] > best_y:
            best_u, best_y = U[k].copy(), float(y[k])
        elite = U[np.argsort(-y)[:n_elite]]
        mu, sd = elite.mean(axis=0), np.maximum(elite.std(axis=0), floor)
    return to_pair(best_u), best_y, n_eval


# ---- scans -----------------------------------------------------------------------------------------------------
def _fit_scan(x, y, err):
    """The fit of one scan with :func:`peak` (x normalised to [−1, 1] for the fit; the result's x is that)."""
    import lmfit

    from ..fit import fit_curve

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    mid, half = 0.5 * (x[0] + x[-1]), 0.5 * (x[-1] - x[0])
    u = (x - mid) / half
    guess = {"top": float(np.max(y)), "curvature": 1e-3, "x0": float(u[int(np.argmax(y))]), "skew": 0.0}
    a, b, c = np.polyfit(u, y, 2)
    if a < 0 and abs(b / (2 * a)) <= 2.0:
        guess.update(top=float(c - b * b / (4 * a)), curvature=float(-a), x0=float(-b / (2 * a)))
    model = lmfit.Model(peak, independent_vars=["x"])
    return fit_curve(model, x=u, y=y, sigma=np.asarray(err, dtype=float), guess=guess,
                     bounds={"curvature": (0.0, None), "x0": (-3.0, 3.0)}), mid, half


def _vertex(fit, mid, half):
    """``(x0, (lo, hi), stderr, curvature_resolved)`` of a scan's fit in the scan's own units."""
    e = fit.parameter("x0")
    lo, hi = e.ci95 if e.ci95 is not None else (math.nan, math.nan)
    cv = fit.parameter("curvature")
    resolved = cv.ci95 is not None and math.isfinite(cv.ci95[0]) and cv.ci95[0] > 0
    err = None if e.stderr is None or not math.isfinite(e.stderr) else half * e.stderr
    return (float(mid + half * e.value), (float(mid + half * lo), float(mid + half * hi)), err, resolved)


def _decide(fit, mid, half, x, model_value, what, unit):
    """``(value, ci95 | None, stderr | None, adopted, note | None)`` (see the module docstring)."""
    if fit is None:
        return model_value, None, None, False, None
    u = f" {unit}" if unit else ""
    if not fit.ok:
        return (model_value, None, None, False,
                (f"the {what} scan's fit failed ({fit.message}; {', '.join(fit.flags)}): model value "
                 f"{model_value:.5g}{u} kept"))
    x0, ci, err, resolved = _vertex(fit, mid, half)
    if not all(math.isfinite(v) for v in (x0, *ci)):
        return model_value, None, None, False, f"the {what} scan's vertex has no finite interval: model value kept"
    pv = fit.chi2_pvalue
    if pv is not None and pv < _MIN_CHI2_P:
        return (model_value, None, None, False,
                (f"the peak model does not describe the {what} scan (chi2 p = {pv:.2g}): model value "
                 f"{model_value:.5g}{u} kept"))
    if not resolved:
        return (model_value, None, None, False,
                (f"the {what} scan is flat within its errors (curvature not resolved): model value "
                 f"{model_value:.5g}{u} kept"))
    if not (min(x) <= x0 <= max(x)):
        return (model_value, None, None, False,
                (f"the {what} scan's vertex {x0:.5g}{u} lies outside the scan [{min(x):.5g}, {max(x):.5g}]{u}: "
                 f"model value {model_value:.5g}{u} kept"))
    return x0, (min(ci), max(ci)), err, True, None


def _scan(x, counts, device, model_value, what, unit):
    """``(fit, mid, half, decision)`` of one scan (no fit when a setting had too few shots; decision: see
    :func:`_decide`)."""
    fit, mid, half = None, 0.0, 1.0
    if shots_note(counts) is None:
        y, err = _scan_populations(counts, device)
        fit, mid, half = _fit_scan(x, y, err)
    return fit, mid, half, _decide(fit, mid, half, x, model_value, what, unit)


def _scan_populations(counts, device):
    p, err = mitigate(counts, device)
    return p[:, 2], err[:, 2]


def _transfer(counts, device) -> tuple[float, float]:
    """``P_2`` of one setting's ``counts`` ``(1, d)`` (mitigated) and its standard error: the shot noise
    (:func:`~qbhw.protocols._calibration.mitigate`) and, when the record gives the assignment matrix's standard
    errors ``σ_A``, their share, ``Σ_jk (A⁻¹)_2j² σ_A,jk² p_k²`` (first order in ``δA``: ``δp = −A⁻¹ δA p``)."""
    pops, errs = mitigate(counts, device)
    p, var = pops[0], float(errs[0, 2]) ** 2
    rec = getattr(device, "calibration", None)
    v = None if rec is None else rec.values.get("readout_assignment")
    if v is not None and v.stderr is not None and len(v.value) == len(p):
        Ainv = np.linalg.inv(np.asarray(v.value, dtype=float))
        q = np.clip(p, 0.0, 1.0)
        var += float(np.sum((Ainv[2][:, None] ** 2) * np.asarray(v.stderr, dtype=float) ** 2 * q[None, :] ** 2))
    return float(p[2]), math.sqrt(var)


def tuned_pair(model_pair: dict, scale: float, delay_ns: float) -> dict:
    """The model pair with both envelopes multiplied by ``scale`` and the delay set to ``delay_ns``."""
    return {**model_pair, "amp_pump_ghz": scale * model_pair["amp_pump_ghz"],
            "amp_stokes_ghz": scale * model_pair["amp_stokes_ghz"], "delay_ns": float(delay_ns)}


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Optimise the pair on the description, scan the amplitude scale and the delay on the backend, and measure the
    tuned pair (see the module docstring)."""
    from .base import resolve_backend

    obj, _ = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    device = calibration_device(parameters, obj)
    for ch in ("d0", "d1"):
        if ch not in device.channel_map:
            raise ConfigError(f"device {device.name!r} has no channel {ch!r}", argument="device",
                              allowed="a transmon with drive channels d0 (pump) and d1 (Stokes)")
    dec, cut = parameters.decoherence, parameters.rwa_cutoff_ghz
    gain, gain_note = estimate_drive_gain(device, decoherence=dec, rwa_cutoff_ghz=cut)
    T = on_grid(parameters.duration_ns, device)
    best, best_p2, n_eval = optimise_pair(device, T, gain=gain, decoherence=dec, rwa_cutoff_ghz=cut,
                                          rounds=parameters.model_rounds, candidates=parameters.model_candidates,
                                          seed=parameters.seed)
    # amplitude-scale scan (requested envelopes stay within the channels' limits)
    k_max = min(device.channel_map["d0"].max_amp_ghz / best["amp_pump_ghz"],
                device.channel_map["d1"].max_amp_ghz / best["amp_stokes_ghz"])
    scales = np.linspace(1.0 - parameters.scale_span, min(1.0 + parameters.scale_span, k_max), parameters.num_scales)
    scale_counts = measure(parameters, obj, device, [[_stirap_schedule(_pair(best, **_scaled(best, k)))]
                                                     for k in scales], seed_offset=0)
    scale = _scan(scales, scale_counts, device, 1.0, "amplitude-scale", "")[3][0]
    # delay scan at that scale
    delays = best["delay_ns"] + parameters.delay_span * best["sigma_ns"] * np.linspace(-1.0, 1.0, parameters.num_delays)
    scaled = tuned_pair(best, scale, best["delay_ns"])
    delay_counts = measure(parameters, obj, device, [[_stirap_schedule(_pair(scaled, delay_ns=float(d)))]
                                                     for d in delays], seed_offset=1)
    delay = _scan(delays, delay_counts, device, best["delay_ns"], "delay", "ns")[3][0]
    final = tuned_pair(best, scale, delay)
    final_counts = measure(parameters, obj, device, [[_stirap_schedule(_pair(final))]], seed_offset=2)
    predicted = float(model_transfer(device, [_pair(final)], gain=gain, decoherence=dec, rwa_cutoff_ghz=cut)[0])
    model = {"pair": best, "transfer": best_p2, "evaluations": n_eval, "gain_estimate": gain,
             "gain_note": gain_note, "final_pair": final, "final_transfer": predicted}
    return sweep_data(NAME, parameters, obj, device, x=scales, counts=scale_counts, x_name="amplitude scale",
                      x_unit="", extra_raw={"delays_ns": delays, "delay_counts": np.asarray(delay_counts, dtype=int),
                                            "final_counts": np.asarray(final_counts, dtype=int)},
                      metadata={"model": model})


def _scaled(pair: dict, k: float) -> dict:
    return {"amp_pump_ghz": k * pair["amp_pump_ghz"], "amp_stokes_ghz": k * pair["amp_stokes_ghz"]}


def analyse(data: Data) -> Results:
    """Fit both scans, read the check, and (when everything holds, see the module docstring) put the tuned pair in
    the record's values."""
    from ..devices import Device

    p: Parameters = data.parameters
    device = Device.from_dict(data.metadata["device"])
    model = data.metadata["model"]
    best, final = dict(model["pair"]), dict(model["final_pair"])
    out = Results(protocol=NAME, gain_estimate=float(model["gain_estimate"]),
                  model_transfer=float(model["final_transfer"]))
    if model.get("gain_note"):
        out.notes.append(model["gain_note"])
    ok = True
    few = [shots_note(data.raw[k]) for k in ("counts", "delay_counts", "final_counts")]
    if any(few):
        out.notes.append(next(n for n in few if n))
        ok = False
    scales = np.asarray(data.raw["x"], dtype=float)
    delays = np.asarray(data.raw["delays_ns"], dtype=float)
    decided = {}
    for key, x, counts, model_value, what, unit in (("scale", scales, data.raw["counts"], 1.0, "amplitude-scale", ""),
                                                    ("delay", delays, data.raw["delay_counts"], best["delay_ns"],
                                                     "delay", "ns")):
        fit, mid, half, (value, ci, err_v, adopted, note) = _scan(x, counts, device, model_value, what, unit)
        if fit is not None and fit.ok:
            x0, xci, _, _ = _vertex(fit, mid, half)
            if key == "scale":
                out.amp_scale, out.amp_scale_ci95 = x0, xci
            else:
                out.delay_fit_ns, out.delay_fit_ns_ci95 = x0, xci
        if note:
            out.notes.append(note)
        decided[key] = (value, ci, err_v, adopted)
        if key == "scale":
            out.scale_fit = fit
        else:
            out.fit = fit
    expected = tuned_pair(best, decided["scale"][0], decided["delay"][0])
    if ok and not all(math.isclose(expected[k], final[k], rel_tol=1e-9, abs_tol=1e-12) for k in final):
        out.notes.append("the checked pair differs from the one the scans give now: nothing recorded")
        ok = False
    # the check
    t, t_err = _transfer(np.asarray(data.raw["final_counts"]), device)
    out.transfer, out.transfer_stderr = t, t_err
    out.transfer_ci95 = (t - 1.96 * t_err, t + 1.96 * t_err)
    out.amp_pump_ghz, out.amp_stokes_ghz = final["amp_pump_ghz"], final["amp_stokes_ghz"]
    out.sigma_ns, out.delay_ns = final["sigma_ns"], final["delay_ns"]
    out.duration_ns, out.center_ns = final["duration_ns"], final["center_ns"]
    _, s_ci, s_err, s_adopted = decided["scale"]
    _, d_ci, d_err, d_adopted = decided["delay"]
    if s_adopted:
        out.amp_pump_ghz_ci95 = tuple(best["amp_pump_ghz"] * c for c in s_ci)
        out.amp_stokes_ghz_ci95 = tuple(best["amp_stokes_ghz"] * c for c in s_ci)
    if d_adopted:
        out.delay_ns_ci95 = d_ci
    out.sources = {q: "model-optimised" for q in _PAIR_FIELDS}
    if s_adopted:
        out.sources["stirap_amp_pump_ghz"] = out.sources["stirap_amp_stokes_ghz"] = "measured"
    if d_adopted:
        out.sources["stirap_delay_ns"] = "measured"
    if not ok:
        return out
    if not (math.isfinite(t) and out.transfer_ci95[1] >= p.min_transfer):
        out.notes.append(f"the check gives P(|2>) = {t:.4f} ± {t_err:.4f}, below min_transfer = {p.min_transfer:g}: "
                         "the tune-up is not confirmed, nothing recorded")
        return out
    common = {"duration_ns": final["duration_ns"], "gain_estimate": out.gain_estimate,
              "transfer": t, "transfer_stderr": t_err, "model_transfer": out.model_transfer}
    errs_by = {"stirap_amp_pump_ghz": (out.amp_pump_ghz_ci95, None if s_err is None else s_err * best["amp_pump_ghz"]),
               "stirap_amp_stokes_ghz": (out.amp_stokes_ghz_ci95,
                                         None if s_err is None else s_err * best["amp_stokes_ghz"]),
               "stirap_delay_ns": (out.delay_ns_ci95, d_err)}
    for q, f in _PAIR_FIELDS.items():
        source = out.sources[q]
        ci, err_q = errs_by.get(q, (None, None)) if source == "measured" else (None, None)
        out.updates[q] = make_value(q, final[f], stderr=err_q, ci95=ci, settings={"source": source, **common})
    return out


def plot(data: Data, results: Results) -> Figure:
    """``P(|2⟩)`` against the amplitude scale and against the delay, the fitted peaks and the tuned values."""
    from ..devices import Device

    device = Device.from_dict(data.metadata["device"])
    fig = Figure(figsize=(9.0, 4.0))
    axes = fig.subplots(1, 2)
    model = data.metadata["model"]
    scans = ((np.asarray(data.raw["x"], dtype=float), data.raw["counts"], results.scale_fit,
              model["final_pair"]["amp_pump_ghz"] / model["pair"]["amp_pump_ghz"], 1.0,
              "amplitude scale (× model optimum)"),
             (np.asarray(data.raw["delays_ns"], dtype=float), data.raw["delay_counts"], results.fit,
              model["final_pair"]["delay_ns"], model["pair"]["delay_ns"], "delay [ns]"))
    for ax, (x, counts, fit, chosen, from_model, label) in zip(axes, scans):
        y, err = _scan_populations(counts, device)
        ax.errorbar(x, y, yerr=err, fmt="o", ms=3, lw=0.8, label=f"{data.parameters.shots} shots ({data.backend})")
        if fit is not None and getattr(fit, "ok", False):
            mid, half = 0.5 * (x[0] + x[-1]), 0.5 * (x[-1] - x[0])
            xs = np.linspace(x.min(), x.max(), 200)
            pe = fit.parameter_estimates
            ax.plot(xs, peak((xs - mid) / half, *(pe[k].value for k in ("top", "curvature", "x0", "skew"))), "-",
                    lw=1.2, label="fit")
        ax.axvline(from_model, color="0.6", ls=":", lw=0.8, label="model optimum")
        ax.axvline(chosen, color="k", ls="--", lw=0.8, label="tuned")
        ax.set_xlabel(label)
        ax.set_ylabel("P(|2⟩)")
        ax.legend(fontsize=7)
    fig.suptitle(f"STIRAP tune-up on {device.name}: P(|2⟩) = {results.transfer:.4f} ± {results.transfer_stderr:.4f} "
                 f"(model {results.model_transfer:.4f})", fontsize=9)
    fig.tight_layout()
    return fig
