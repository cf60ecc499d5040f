"""Wiring shared by the protocols that charge a battery model (Dicke, Tavis–Cummings, Rabi, star, Ising,
spin chain): one model object through every backend, a theory-backed fit of one model parameter, and the
charging-curve figure.

Acquisition: ``exact`` solves the model itself (:func:`qbhw.charge`, symmetry-reduced); every other
backend compiles the same model object to circuits (:func:`qbhw.compile.compile_model`) and runs them
(:meth:`qbhw.backends.Backend.run_model`). Analysis: the measured energy (or another observable of the
curve) is fitted by :func:`qbhw.fit.model_parameter_fit`, whose theory curve is ``qbhw.charge`` of the
same model class with the fitted parameter varied; σ comes from the curve's ``energy_stderr`` /
``work_stderr`` (or ``<observable>_stderr``; shot noise of sampled backends) and is absent for exact
data (then the fit reproduces the truth to the solver's precision).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError
from ..fit import FitData, FitResult, fit_curve, make_fit_data
from ..metrics import ChargingCurve
from .base import Data, results_dir_of

__all__ = ["acquire_model", "curve_fit_data", "fit_model_parameter", "fit_parameter_into", "record_fit",
           "plot_charging", "MODEL_BACKENDS"]

#: backends a model-charging protocol runs on
MODEL_BACKENDS = ("exact", "aer", "fake", "ibm")


def acquire_model(protocol: str, parameters, model, backend, kind: str, *, context=None,
                  compile_options: dict[str, Any] | None = None, charge_options: dict[str, Any] | None = None,
                  metadata: dict[str, Any] | None = None) -> Data:
    """Charge ``model`` on ``backend`` over ``parameters.times`` and wrap the curve as :class:`Data`."""
    times = np.asarray(parameters.times, dtype=float)
    if kind == "exact":
        if parameters.shots is not None:
            raise ConfigError("the exact backend gives exact values", argument="shots", allowed="None on 'exact'")
        curve = backend.run_model(model, times, **(charge_options or {}))
    else:
        curve = backend.run_model(model, times, shots=parameters.shots, seed=parameters.seed,
                                  results_dir=results_dir_of(context), compile_options=compile_options)
    time_unit = type(parameters).unit_of("times")  # the model's scale, for labels (1/ω_b → ω_b)
    if time_unit and time_unit.startswith("1/"):
        curve.metadata.setdefault("time_unit", time_unit)
        curve.metadata.setdefault("energy_unit", time_unit[2:])
    raw: dict[str, Any] = {}
    if "job_ids" in curve.metadata:
        raw["job_ids"] = list(curve.metadata["job_ids"])
    return Data(protocol=protocol, parameters=parameters, backend=backend.name, curve=curve, raw=raw,
                metadata={"model": model.metadata, **(metadata or {})})


def curve_fit_data(curve: ChargingCurve, observable: str = "energy", *, x_name: str = "t",
                   x_unit: str = "1/omega_0", y_unit: str = "omega_0") -> FitData:
    """The curve's ``observable`` against time as :class:`~qbhw.fit.FitData`, with the shot-noise σ of
    sampled backends (``curve.energy_stderr``, ``curve.work_stderr``, or the ``<observable>_stderr``
    observable; absolute unless ``curve.metadata["sigma_kind"]`` says ``"estimate"``) or none for exact
    curves.

    Work referred to a *measured* ``E(t=0)`` is ``W_0 ≡ 0`` by construction, with σ = 0: that point
    carries no information about the battery (it is 0 whatever was measured) and is left out of the
    data (a point with σ = 0 would get an infinite weight). The other work points share the noise of
    ``E(0)`` (their errors are correlated, ``Cov(W_i, W_j) = σ_E0²``), which a fit with one σ per
    point ignores; fitting ``"energy"`` instead avoids both.
    """
    y = getattr(curve, observable, None)
    if y is None:
        raise ConfigError(f"the curve has no {observable!r}", argument="observable",
                          allowed="energy | work | an observable of the curve")
    y = np.asarray(y, dtype=float)
    sigma = _stderr_of(curve, observable)
    kind = "none" if sigma is None else str(curve.metadata.get("sigma_kind", "measured"))
    t = np.asarray(curve.times, dtype=float)
    if sigma is not None and observable == "work":
        keep = ~((sigma == 0) & (y == 0))  # the measured reference point W_0 ≡ 0
        t, y, sigma = t[keep], y[keep], sigma[keep]
    return make_fit_data(t, y, sigma, x_name=x_name, x_unit=x_unit, y_name=observable, y_unit=y_unit,
                         sigma_kind=kind)


def _stderr_of(curve: ChargingCurve, observable: str) -> np.ndarray | None:
    """σ of one observable of the curve (``energy_stderr`` / ``work_stderr`` fields, else the
    ``<observable>_stderr`` observable), or None."""
    if observable in ("energy", "work"):
        s = getattr(curve, f"{observable}_stderr", None)
    else:
        s = curve.observables.get(f"{observable}_stderr")
    return None if s is None else np.asarray(s, dtype=float)


def fit_model_parameter(data: Data, theory, *, observable: str = "energy", x_unit: str = "1/omega_0",
                        y_unit: str = "omega_0", **fit_options) -> FitResult:
    """Fit ``theory`` (an lmfit model, e.g. from :func:`qbhw.fit.model_parameter_fit`) to the curve."""
    fd = curve_fit_data(data.curve, observable, x_unit=x_unit, y_unit=y_unit)
    return fit_curve(theory, fd, **fit_options)


def record_fit(out: dict[str, Any], notes: list[str], fit_result: FitResult, parameter: str) -> FitResult:
    """Put the fitted ``parameter``'s value and 95 % interval into ``out[parameter]`` and
    ``out[parameter + "_ci95"]`` when the fit succeeded, else ``"fit failed: <message>"`` into ``notes``;
    returns ``fit_result``."""
    if fit_result.ok:
        est = fit_result.parameter(parameter)
        out[parameter], out[f"{parameter}_ci95"] = est.value, est.ci95
    else:
        notes.append(f"fit failed: {fit_result.message}")
    return fit_result


def fit_parameter_into(out: dict[str, Any], notes: list[str], data: Data, theory, parameter: str, *,
                       observable: str = "energy", x_unit: str = "1/omega_0", y_unit: str = "omega_0",
                       **fit_options) -> FitResult | None:
    """Fit ``theory`` to the curve's ``observable`` (:func:`fit_model_parameter`) and record the fitted
    ``parameter`` in ``out`` / a failure in ``notes`` (:func:`record_fit`).

    ``theory=None`` stands for "no fit asked for": it only notes ``"no fit requested"`` and returns None.
    """
    if theory is None:
        notes.append("no fit requested")
        return None
    fit_result = fit_model_parameter(data, theory, observable=observable, x_unit=x_unit, y_unit=y_unit,
                                     **fit_options)
    return record_fit(out, notes, fit_result, parameter)


def plot_charging(data: Data, results, *, observable: str = "energy", time_label: str = "t [1/ω₀]",
                  energy_label: str = "energy [ω₀]", title: str | None = None,
                  extra: Callable[[Any], None] | None = None) -> Figure:
    """Energy (± shot noise), ergotropy and the fitted theory curve against time, τ̃ (and τ̄) marked;
    normalised fit residuals below. Built with matplotlib's object-oriented API."""
    curve = data.curve
    fit = getattr(results, "fit", None)
    has_fit = isinstance(fit, FitResult) and fit.ok
    fig = Figure(figsize=(6.4, 5.6 if has_fit else 4.2))
    if has_fit:
        ax, axr = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    else:
        ax, axr = fig.subplots(), None
    y = getattr(curve, observable)
    err = _stderr_of(curve, observable)
    if err is not None:
        ax.errorbar(curve.times, y, yerr=err, fmt="o", ms=3, lw=0.8, label=f"{observable} ({data.backend})")
    else:
        ax.plot(curve.times, y, "o" if curve.times.size <= 60 else "-", ms=3, label=f"{observable} ({data.backend})")
    if curve.ergotropy is not None and observable in ("energy", "work"):
        ax.plot(curve.times, curve.ergotropy, "--", lw=1.0, label="ergotropy")
    if has_fit:
        x = fit.x
        dense = np.linspace(float(x.min()), float(x.max()), 400)
        try:
            ax.plot(dense, fit.evaluate(dense), "-", lw=1.2, label="fit")
        except Exception:  # a reloaded fit (no evaluator) or a model tied to its rows: draw at the data
            order = np.argsort(x)
            ax.plot(x[order], fit.best_fit[order], "-", lw=1.2, label="fit")
        axr.axhline(0.0, color="k", lw=0.6)
        axr.plot(x, fit.normalized_residuals, ".", ms=3)
        axr.set_ylabel("(y − fit)/σ" if fit.sigma is not None else "y − fit")
        axr.set_xlabel(time_label)
    else:
        ax.set_xlabel(time_label)
    tau = getattr(results, "tau_max_power", math.nan)
    if tau is not None and math.isfinite(tau):
        ax.axvline(tau, color="grey", ls=":", lw=0.9, label=f"τ̃ = {tau:.4g}")
    tbar = getattr(results, "tau_energy_peak", None)
    if tbar is not None and math.isfinite(tbar):
        ax.axvline(tbar, color="grey", ls="--", lw=0.7, label=f"τ̄ = {tbar:.4g}")
    if extra is not None:
        extra(ax)
    ax.set_ylabel(energy_label)
    ax.legend(fontsize=7, loc="best")
    head = title or data.protocol
    if has_fit:
        pars = ", ".join(f"{k} = {p.value:.5g} ± {p.stderr:.2g}" for k, p in fit.parameter_estimates.items()
                         if p.vary and p.stderr is not None and math.isfinite(p.stderr))
        head += f"\nfit: {pars} (χ²_red = {fit.redchi:.3g}, {fit.quality})"
    ax.set_title(head, fontsize=9)
    fig.tight_layout()
    return fig
