"""Closed-form lmfit models of charging curves, each with bounds and an initial-guess function.

Every model is an ``lmfit.Model`` (usable with lmfit directly) with

* ``formula`` — the curve, with its source (review equation / seed-spec section);
* parameter hints — bounds, and which parameters are fixed by default (``offset`` is fixed at
  0 unless the model is built with ``offset=True``);
* ``guess_values(x, y, sigma=None, fixed=None)`` — initial values from a grid scan over the
  nonlinear parameters with the linear ones solved exactly (:mod:`qbhw.fit.guess`), so the
  local optimiser starts at the global minimum of the scan instead of a frequency alias;
  ``guess(data, x=...)`` is the lmfit-style wrapper. :func:`~qbhw.fit.fitting.fit_curve`
  applies user guesses, fixed values and bounds on top.

Models: :class:`RabiChargingModel` (``E_max sin²(Ωt)``), :class:`FockChargingModel`
(``ω_0 sin²(g√n t)``), :class:`StarPureModel` (``sin²(J√𝒩 t)``), :class:`DampedRabiModel`
(Bloch equations with T1, T2), :class:`StarHighTemperatureModel` (exact linear-response
polarisation, integer 𝒩), :class:`ExponentialDecayModel`, :class:`StretchedExponentialDecayModel`,
:class:`StirapTransferModel`, :class:`PowerLawModel`.
"""

from __future__ import annotations

import math
from typing import Mapping

import lmfit
import numpy as np

from ..errors import InvalidArgumentError
from ..metrics._inputs import check_positive_int
from . import closed_forms as cf
from .guess import frequency_grid, linear_scan, weights_from_sigma

__all__ = [
    "CurveModel",
    "RabiChargingModel",
    "FockChargingModel",
    "StarPureModel",
    "DampedRabiModel",
    "StarHighTemperatureModel",
    "ExponentialDecayModel",
    "StretchedExponentialDecayModel",
    "StirapTransferModel",
    "PowerLawModel",
]


class CurveModel(lmfit.Model):
    """An lmfit model with a formula, parameter hints and a scan-based initial guess."""

    formula: str = ""

    def __init__(self, func, *, independent_var: str = "t", hints: Mapping[str, dict] | None = None,
                 name: str | None = None, **kws):
        super().__init__(func, independent_vars=[independent_var], name=name or type(self).__name__, **kws)
        for pname, hint in (hints or {}).items():
            self.set_param_hint(pname, **hint)

    def guess_values(self, x, y, sigma=None, fixed: Mapping[str, float] | None = None) -> dict[str, float]:
        """Initial values of the free parameters (subclasses scan; the base keeps the hint values)."""
        return {}

    def guess(self, data, x=None, **kws):
        """lmfit-style guess: ``Parameters`` with values from :meth:`guess_values` (kws override)."""
        sigma = kws.pop("sigma", None)
        params = self.make_params()
        frozen = {k[len(self.prefix):]: p.value for k, p in params.items() if not p.vary and not p.expr}
        for name, value in self.guess_values(np.asarray(x, float), np.asarray(data, float), sigma, frozen).items():
            key = self.prefix + name
            if key in params and params[key].vary:
                params[key].set(value=value)
        return lmfit.models.update_param_vals(params, self.prefix, **kws)


def _fixed_amplitude_scan(y, shapes, w, fixed, amplitude):
    """Best grid index (and offset) for ``amplitude·shape + offset`` with the amplitude known."""
    r = y[None, :] - fixed.get("offset", 0.0) - amplitude * shapes
    if "offset" in fixed:
        return int(np.argmin(np.sum((r * w) ** 2, axis=1))), None
    off = np.sum(r * w**2, axis=1) / np.sum(w**2)
    b = int(np.argmin(np.sum(((r - off[:, None]) * w) ** 2, axis=1)))
    return b, float(off[b])


def _shape_scan(x, y, sigma, fixed, shapes, grid, *, amp_name, freq_name):
    """Scan ``amplitude·shape_g(x) + offset`` over grid points ``g`` (linear parts solved exactly)."""
    w = weights_from_sigma(sigma, len(y))
    if amp_name in fixed:
        b, off = _fixed_amplitude_scan(y, shapes, w, fixed, fixed[amp_name])
        out = {freq_name: float(grid[b])}
        if off is not None:
            out["offset"] = off
        return out
    y0 = y - fixed.get("offset", 0.0)
    cols = [shapes] + ([] if "offset" in fixed else [np.ones_like(shapes)])
    b, coef, _ = linear_scan(y0, np.stack(cols, axis=-1), w)
    out = {freq_name: float(grid[b]), amp_name: float(coef[b, 0])}
    if "offset" not in fixed:
        out["offset"] = float(coef[b, 1])
    return out


def _sin2_scan(x, y, sigma, fixed, *, amp_name, freq_name, scale=1.0):
    """Scan ``Ω`` in ``a sin²(scale·Ω x) + b``."""
    grid = frequency_grid(x, harmonic=2.0) / scale
    shapes = np.sin(np.multiply.outer(grid * scale, x)) ** 2
    return _shape_scan(x, y, sigma, fixed, shapes, grid, amp_name=amp_name, freq_name=freq_name)


class RabiChargingModel(CurveModel):
    """``E(t) = E_max sin²(Ω t) + offset`` — Fock/Rabi charging (seed-spec §2.3, RR-11).

    Parameters ``amplitude`` (E_max), ``omega`` (Ω ≥ 0; the curve is even in Ω), ``offset``
    (fixed at 0 unless ``offset=True``).
    """

    formula = "amplitude * sin(omega t)^2 + offset   [RR-11: omega_0 sin^2(g sqrt(n) t)]"

    def __init__(self, *, offset: bool = False, **kws):
        super().__init__(cf.rabi_charging, hints={"amplitude": {"value": 1.0},
                                                  "omega": {"value": 1.0, "min": 0.0},
                                                  "offset": {"value": 0.0, "vary": bool(offset)}}, **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        return _sin2_scan(x, y, sigma, dict(fixed or {}), amp_name="amplitude", freq_name="omega")


class FockChargingModel(CurveModel):
    """``E_B(t) = E_max sin²(g√n t) + offset``: a TLS charged by an ``n``-photon Fock state (RR-11).

    ``n_photons`` is known; the fit gives the coupling ``g`` (and ``energy_max`` = ω_0, free by
    default — fix it when the cell splitting is known).
    """

    formula = "energy_max * sin(g sqrt(n_photons) t)^2 + offset   [seed-spec 2.3, RR-11]"

    def __init__(self, n_photons: int = 1, *, offset: bool = False, **kws):
        self.n_photons = check_positive_int(n_photons, "n_photons")
        root = math.sqrt(self.n_photons)

        def fock_charging(t, energy_max=1.0, g=0.1, offset=0.0):
            return cf.rabi_charging(t, energy_max, g * root, offset)

        super().__init__(fock_charging, hints={"energy_max": {"value": 1.0}, "g": {"value": 0.1, "min": 0.0},
                                               "offset": {"value": 0.0, "vary": bool(offset)}}, **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        return _sin2_scan(x, y, sigma, dict(fixed or {}), amp_name="energy_max", freq_name="g",
                          scale=math.sqrt(self.n_photons))


class StarPureModel(CurveModel):
    """Star battery from the pure state ``|g⟩_B|e⟩^{⊗𝒩}``: ``p_e(t) = sin²(J√𝒩 t)`` (§3.4, RR-27).

    Without ``n_chargers`` the fit gives ``j_sqrt_n`` = J√𝒩 (J and 𝒩 cannot be separated from
    this curve); with ``n_chargers`` it gives the coupling ``coupling`` = J. ``amplitude`` is the
    battery splitting ω_b times any readout contrast (fix it at ω_b when known).
    """

    formula = "amplitude * sin(J sqrt(N_chargers) t)^2 + offset   [seed-spec 3.4, RR-27]"

    def __init__(self, n_chargers: int | None = None, *, offset: bool = False, **kws):
        self.n_chargers = None if n_chargers is None else check_positive_int(n_chargers, "n_chargers")
        if self.n_chargers is None:
            def star_pure(t, amplitude=1.0, j_sqrt_n=1.0, offset=0.0):
                return cf.rabi_charging(t, amplitude, j_sqrt_n, offset)
            self._freq = "j_sqrt_n"
        else:
            root = math.sqrt(self.n_chargers)

            def star_pure(t, amplitude=1.0, coupling=1.0, offset=0.0):
                return cf.rabi_charging(t, amplitude, coupling * root, offset)
            self._freq = "coupling"
        super().__init__(star_pure, hints={"amplitude": {"value": 1.0}, self._freq: {"value": 1.0, "min": 0.0},
                                           "offset": {"value": 0.0, "vary": bool(offset)}}, **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        fixed = dict(fixed or {})
        scale = 1.0 if self.n_chargers is None else math.sqrt(self.n_chargers)
        return _sin2_scan(x, y, sigma, fixed, amp_name="amplitude", freq_name=self._freq, scale=scale)


class DampedRabiModel(CurveModel):
    """Damped Rabi charging ``E(t) = amplitude · p_e(t; Ω, T1, T2) + offset``.

    ``p_e`` solves the resonant Bloch equations with drive ``Ω σ^x`` (undamped limit
    ``sin²(Ωt)``), amplitude damping ``1/T1`` and transverse decay ``1/T2``
    (:func:`~qbhw.fit.closed_forms.damped_rabi_excited_population`). Physical: ``T2 ≤ 2T1``.

    Identifiability: the curve is ``S + e^{ct}(a cos νt + b sin νt)`` with ``p_e(0) = ṗ_e(0) = 0``,
    i.e. three numbers (steady level ``S``, decay ``c = −(1/T1 + 1/T2)/2``, frequency ``ν``).
    With the ``amplitude`` known (the cell splitting ω_0 times the readout contrast) Ω, T1 and T2
    follow; with the amplitude free as well the four parameters are exactly degenerate (the fit is
    then flagged "poor", relative errors > 1) unless T1 or T2 is fixed. Hence ``amplitude`` is
    fixed (at ``amplitude``, default 1) unless built with ``amplitude=None``.
    Moreover ``p_e(t)`` is exactly symmetric under ``T1 ↔ T2`` (the curve depends on
    ``1/T1 + 1/T2``, ``|1/T1 − 1/T2|`` and Ω only), so a fit with both free returns one of two
    mirror solutions and is singular at ``T1 = T2``: fix ``t1`` (measured separately) to get T2,
    or read the pair as unordered.
    """

    formula = "amplitude * p_e(t; omega, t1, t2) + offset   [Bloch equations, drive omega sigma^x]"

    def __init__(self, *, amplitude: float | None = 1.0, offset: bool = False, **kws):
        def damped_rabi(t, amplitude=1.0, omega=1.0, t1=10.0, t2=10.0, offset=0.0):
            return amplitude * cf.damped_rabi_excited_population(t, omega, t1, t2) + offset

        amp = {"value": 1.0} if amplitude is None else {"value": float(amplitude), "vary": False}
        super().__init__(damped_rabi, hints={"amplitude": amp, "omega": {"value": 1.0, "min": 0.0},
                                             "t1": {"value": 10.0, "min": 1e-12}, "t2": {"value": 10.0, "min": 1e-12},
                                             "offset": {"value": 0.0, "vary": bool(offset)}}, **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        fixed = dict(fixed or {})
        span = float(np.ptp(x)) or 1.0
        omegas = frequency_grid(x, harmonic=2.0, max_points=600)
        gammas = np.concatenate([[0.0], np.geomspace(0.05 / span, 10.0 / span, 24)])
        om, ga = np.meshgrid(omegas, gammas, indexing="ij")
        om, ga = om.ravel(), ga.ravel()
        shape = 0.5 * (1.0 - np.exp(-np.multiply.outer(ga, x)) * np.cos(2.0 * np.multiply.outer(om, x)))
        out = _shape_scan(x, y, sigma, fixed, shape, np.arange(om.size), amp_name="amplitude", freq_name="index")
        best = int(out.pop("index"))
        g = max(ga[best], 0.2 / span)  # envelope rate (1/T1 + 1/T2)/2
        if "t1" in fixed:
            g1 = 1.0 / fixed["t1"]
            g2 = max(2 * g - g1, 0.1 * g)
        elif "t2" in fixed:
            g2 = 1.0 / fixed["t2"]
            g1 = max(2 * g - g2, 0.1 * g)
        else:  # off the T1 = T2 saddle of the exact T1 <-> T2 symmetry
            g1, g2 = 0.7 * g, 1.3 * g
        out.update({"omega": float(om[best]), "t1": 1.0 / g1, "t2": 1.0 / g2})
        for name in ("t1", "t2"):
            if name in fixed:
                out.pop(name)
        return out


class StarHighTemperatureModel(CurveModel):
    """High-temperature star battery: ``amplitude · ⟨σ_B^z⟩(t)/ε + offset`` for integer ``n_chargers``.

    The exact linear-response polarisation of
    :func:`~qbhw.fit.closed_forms.star_high_temperature_polarization` (starts at −1, short-time
    ``−1 + 2𝒩J²t²``). ``amplitude`` = ε (1 for normalised data); ``coupling`` = J.
    To fit 𝒩 too, profile over it: :func:`qbhw.fit.profile.fit_star_high_temperature`.
    """

    formula = "amplitude * <sigma_B^z>(t; J, N)/eps + offset   [seed-spec 3.4, RR-27, exact sector sum]"

    def __init__(self, n_chargers: int, *, offset: bool = False, **kws):
        self.n_chargers = check_positive_int(n_chargers, "n_chargers")
        n = self.n_chargers

        def star_high_temperature(t, amplitude=1.0, coupling=1.0, offset=0.0):
            return amplitude * cf.star_high_temperature_polarization(t, coupling, n) + offset

        super().__init__(star_high_temperature,
                         hints={"amplitude": {"value": 1.0}, "coupling": {"value": 1.0, "min": 0.0},
                                "offset": {"value": 0.0, "vary": bool(offset)}},
                         name=f"StarHighTemperatureModel(N={n})", **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        k_max = float(np.max(cf.star_sector_frequencies(self.n_chargers)[0]))
        grid = frequency_grid(x, harmonic=2.0 * k_max, max_points=2000)
        shapes = cf.star_high_temperature_polarization(x, grid, self.n_chargers)
        return _shape_scan(x, y, sigma, dict(fixed or {}), shapes, grid, amp_name="amplitude", freq_name="coupling")


def _decay_scan(x, y, sigma, fixed, shapes, params):
    """Scan decay shapes ``(G, n)`` with linear ``e0`` (and ``e_inf`` unless fixed)."""
    w = weights_from_sigma(sigma, len(y))
    y0 = y - fixed.get("e_inf", 0.0)
    cols = [shapes] + ([] if "e_inf" in fixed else [np.ones_like(shapes)])
    best, coef, _ = linear_scan(y0, np.stack(cols, axis=-1), w)
    out = {k: float(v[best]) for k, v in params.items()}
    out["e0"] = float(coef[best, 0])
    if "e_inf" not in fixed:
        out["e_inf"] = float(coef[best, 1])
    return out


class ExponentialDecayModel(CurveModel):
    """Self-discharge ``E(t) = e0 e^{−t/τ} + e_inf`` (``e_inf`` free unless ``floor=False``)."""

    formula = "e0 * exp(-t/tau) + e_inf"

    def __init__(self, *, floor: bool = True, **kws):
        super().__init__(cf.exponential_decay, hints={"e0": {"value": 1.0}, "tau": {"value": 1.0, "min": 1e-300},
                                                      "e_inf": {"value": 0.0, "vary": bool(floor)}}, **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        span = float(np.ptp(x)) or 1.0
        dx = float(np.min(np.diff(np.unique(x)))) if len(np.unique(x)) > 1 else span
        taus = np.geomspace(dx / 4, 20 * span, 240)
        shapes = np.exp(-np.divide.outer(1.0, taus)[:, None] * (x - 0)[None, :])
        return _decay_scan(x, y, sigma, dict(fixed or {}), shapes, {"tau": taus})


class StretchedExponentialDecayModel(CurveModel):
    """Self-discharge ``E(t) = e0 exp[−(t/τ)^β] + e_inf`` (β < 1: stretched, β > 1: compressed)."""

    formula = "e0 * exp(-(t/tau)^beta) + e_inf"

    def __init__(self, *, floor: bool = True, **kws):
        super().__init__(cf.stretched_exponential_decay,
                         hints={"e0": {"value": 1.0}, "tau": {"value": 1.0, "min": 1e-300},
                                "beta": {"value": 1.0, "min": 0.05, "max": 10.0},
                                "e_inf": {"value": 0.0, "vary": bool(floor)}}, **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        fixed = dict(fixed or {})
        span = float(np.max(x)) or 1.0
        taus = np.geomspace(span / 200, 20 * span, 80)
        betas = np.array([fixed["beta"]]) if "beta" in fixed else np.geomspace(0.2, 4.0, 25)
        tt, bb = np.meshgrid(taus, betas, indexing="ij")
        tt, bb = tt.ravel(), bb.ravel()
        shapes = np.exp(-np.power(np.clip(x, 0, None)[None, :] / tt[:, None], bb[:, None]))
        out = _decay_scan(x, y, sigma, fixed, shapes, {"tau": tt, "beta": bb})
        if "beta" in fixed:
            out.pop("beta")
        return out


class StirapTransferModel(CurveModel):
    """Transfer versus pulse area ``x = Ω_0τ``: ``P = p_max [1 − e^{−(x/x_c)^k}]`` (RR-26, phenomenological)."""

    formula = "p_max * (1 - exp(-(x/x_c)^k))   [RR-26 shape: W/W_max -> 1 as Omega_0 tau grows]"

    def __init__(self, **kws):
        super().__init__(cf.stirap_transfer, independent_var="x",
                         hints={"p_max": {"value": 1.0}, "x_c": {"value": 1.0, "min": 1e-300},
                                "k": {"value": 2.0, "min": 0.1, "max": 20.0}}, **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        fixed = dict(fixed or {})
        w = weights_from_sigma(sigma, len(y))
        xs = np.clip(x, 0, None)
        pos = xs[xs > 0]
        lo = float(pos.min()) if pos.size else 1.0
        hi = float(xs.max()) if xs.size else 1.0
        xcs = np.geomspace(lo / 4, 4 * hi, 80)
        ks = np.array([fixed["k"]]) if "k" in fixed else np.geomspace(0.5, 12.0, 30)
        cc, kk = np.meshgrid(xcs, ks, indexing="ij")
        cc, kk = cc.ravel(), kk.ravel()
        shapes = 1.0 - np.exp(-np.power(xs[None, :] / cc[:, None], kk[:, None]))
        if "p_max" in fixed:
            chi2 = np.sum(((y[None, :] - fixed["p_max"] * shapes) * w) ** 2, axis=1)
            b = int(np.argmin(chi2))
            out = {"x_c": float(cc[b]), "k": float(kk[b])}
        else:
            b, coef, _ = linear_scan(y, shapes[..., None], w)
            out = {"x_c": float(cc[b]), "k": float(kk[b]), "p_max": float(coef[b, 0])}
        if "k" in fixed:
            out.pop("k")
        return out


class PowerLawModel(CurveModel):
    """``y = prefactor · N^exponent`` fitted in linear space with weights ``1/σ``.

    For log-log regression with bootstrap intervals use :func:`qbhw.fit.scaling.fit_scaling_exponent`.
    """

    formula = "prefactor * n^exponent"

    def __init__(self, **kws):
        super().__init__(cf.power_law, independent_var="n",
                         hints={"prefactor": {"value": 1.0}, "exponent": {"value": 1.0}}, **kws)

    def guess_values(self, x, y, sigma=None, fixed=None):
        fixed = dict(fixed or {})
        ok = (np.asarray(x) > 0) & (np.asarray(y) > 0)
        if np.count_nonzero(ok) < 2:
            raise InvalidArgumentError("a power-law guess needs two points with N > 0 and y > 0", argument="data",
                                       allowed="positive N and y")
        lx, ly = np.log(x[ok]), np.log(y[ok])
        if "exponent" in fixed:
            return {"prefactor": float(np.exp(np.mean(ly - fixed["exponent"] * lx)))}
        slope, icpt = np.polyfit(lx, ly, 1)
        out = {"exponent": float(slope), "prefactor": float(np.exp(icpt))}
        if "prefactor" in fixed:
            out.pop("prefactor")
        return out
