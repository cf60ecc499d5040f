"""``fit_curve``: fit an lmfit model to ``(x, y, σ)`` data and return a :class:`FitResult`.

Order of operations:

1. validate the data (:func:`~qbhw.fit.data.make_fit_data`: finite values, equal lengths, σ > 0);
2. parameters from the model's hints; user ``bounds`` and ``fixed`` applied;
3. initial values from the model's guess function (``model.guess_values`` of the qbhw models,
   or lmfit's ``model.guess``), given the fixed parameters; user ``guess`` values override any
   of them;
4. a check that there are at least as many points as free parameters (:class:`FitError`);
5. the weighted least-squares fit (weights ``1/σ``); any failure of the optimiser or of the
   model becomes a result flagged ``"bad"`` (never an exception mid-analysis, never a silent
   number);
6. uncertainties and 95 % intervals (``interval="linear"`` or ``"profile"``), quality flags; with
   absolute σ also the χ²-scaled covariance and standard errors (``covariance_scaled``,
   ``stderr_scaled``), flagged when a poor χ² means the raw intervals assume a model that the data
   reject (see :mod:`qbhw.fit.result`).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import lmfit
import numpy as np
from scipy import stats

from ..errors import FitError, InvalidArgumentError
from .data import FitData, make_fit_data
from .result import CHI2_P_BOUNDS, Z95, FitResult, ParameterEstimate

__all__ = ["fit_curve", "INTERVAL_METHODS", "absolute_sigma"]

INTERVAL_METHODS = ("linear", "profile")


def model_name(model) -> str:
    """The model's own name (lmfit's ``name`` wraps it as ``Model(...)``)."""
    return str(getattr(model, "_name", None) or getattr(model, "name", type(model).__name__))


def absolute_sigma(data: FitData) -> bool:
    """Whether σ of ``data`` is used as an absolute standard error (no χ²_red rescaling)."""
    return data.sigma is not None and data.sigma_kind in ("measured", "binomial")


def _prepare_params(model: lmfit.Model, data: FitData, guess, fixed, bounds) -> lmfit.Parameters:
    params = model.make_params()
    names = list(params)
    prefix = getattr(model, "prefix", "")

    def full(name):
        key = name if name in params else prefix + name
        if key not in params:
            raise FitError(f"unknown parameter {name!r} of {model_name(model)}", argument="name",
                           allowed=", ".join(n[len(prefix):] for n in names))
        return key

    for name, (lo, hi) in (bounds or {}).items():
        key = full(name)
        lo = -math.inf if lo is None else float(lo)
        hi = math.inf if hi is None else float(hi)
        if not lo < hi:
            raise FitError(f"bounds ({lo}, {hi}) of {name!r} are empty", argument="bounds", allowed="min < max")
        params[key].set(min=lo, max=hi)

    fixed_values: dict[str, float] = {}
    fixed_names: list[str] = []
    if fixed is not None:
        items = fixed.items() if isinstance(fixed, Mapping) else ((n, None) for n in fixed)
        for name, value in items:
            key = full(name)
            if value is None:
                fixed_names.append(key)
            else:
                v = float(value)
                if not math.isfinite(v):
                    raise FitError(f"fixed value of {name!r} is {value!r}", argument="fixed", allowed="finite numbers")
                fixed_values[key] = v
                params[key].set(value=v, vary=False)

    user_guess = {full(k): float(v) for k, v in (guess or {}).items()}
    for k, v in user_guess.items():
        if not math.isfinite(v):
            raise FitError(f"guess of {k!r} is {v!r}", argument="guess", allowed="finite numbers")

    # initial guess given the parameters fixed now (hints with vary=False and user values)
    frozen = {k[len(prefix):]: p.value for k, p in params.items() if not p.vary and not p.expr}
    if hasattr(model, "guess_values"):
        values = model.guess_values(data.x, data.y, sigma=data.sigma, fixed=frozen)
        for name, v in values.items():
            key = prefix + name
            if key in params and key not in fixed_values and params[key].vary and key not in user_guess:
                params[key].set(value=float(v))
    elif any(p.vary and not p.expr and k not in user_guess for k, p in params.items()):
        try:  # an lmfit built-in model's own guess (plain lmfit.Model raises NotImplementedError)
            gp = model.guess(data.y, x=data.x)
        except NotImplementedError:
            gp = {}
        for k, p in gp.items():
            if k in params and params[k].vary and k not in fixed_values:
                params[k].set(value=p.value)
    for k, v in user_guess.items():
        params[k].set(value=v)
    for k in fixed_names:
        params[k].set(vary=False)
    for k, p in params.items():
        if p.expr:
            continue
        if not math.isfinite(p.value):
            raise FitError(f"parameter {k!r} has no initial value", argument="guess",
                           allowed="a finite guess for every parameter")
        if p.vary:  # keep the start strictly inside the bounds
            lo, hi = p.min, p.max
            if p.value <= lo or p.value >= hi:
                inner = np.clip(p.value, lo, hi)
                span = (hi - lo) if math.isfinite(hi - lo) else max(1.0, abs(inner))
                inner = min(max(inner, lo + 1e-6 * span), hi - 1e-6 * span)
                p.set(value=float(inner))
    return params


def _profile_1d(model, mr, data, weights, xname, name, absolute, chi2_best, dof) -> tuple[float, float]:
    """95 % profile interval of the single free parameter ``name``: where χ² rises by the threshold.

    Absolute σ: Δχ² = χ²_{1, 0.95} = 3.84. Relative σ: the F-test of lmfit's ``conf_interval``,
    Δχ² = χ²_best F_{0.95}(1, dof)/dof.
    """
    if absolute:
        delta = float(stats.chi2.ppf(0.95, 1))
    else:
        if dof <= 0:
            raise FitError("no degrees of freedom for an F-test profile", argument="interval")
        delta = chi2_best * float(stats.f.ppf(0.95, 1, dof)) / dof
    params = mr.params.copy()
    p = params[name]
    best, lo_b, hi_b = float(p.value), float(p.min), float(p.max)
    w = 1.0 if weights is None else weights

    def excess(v):
        params[name].value = v
        r = (data.y - model.eval(params, **{xname: data.x})) * w
        return float(np.sum(r * r)) - chi2_best - delta

    step0 = Z95 * float(p.stderr) if p.stderr and math.isfinite(p.stderr) and p.stderr > 0 else max(abs(best), 1e-3) * 0.1
    ends = []
    for sign, bound in ((-1, lo_b), (1, hi_b)):
        inner, step = best, step0
        for _ in range(60):
            outer = best + sign * step
            if (sign < 0 and outer <= bound) or (sign > 0 and outer >= bound):
                outer = bound
            if excess(outer) > 0:
                from scipy.optimize import brentq

                ends.append(brentq(excess, min(inner, outer), max(inner, outer), xtol=1e-12 * max(1, abs(best))))
                break
            if outer == bound:
                ends.append(bound)  # the interval reaches the bound
                break
            inner, step = outer, step * 1.6
        else:
            raise FitError("chi2 does not rise enough on one side", argument="interval")
    return float(ends[0]), float(ends[1])


def _bad(model, data, message, flags, note, params=None) -> FitResult:
    est = {}
    if params is not None:
        for k, p in params.items():
            est[k] = ParameterEstimate(k, float(p.value) if p.value is not None else math.nan, None, None,
                                       "failed", bool(p.vary), float(p.min), float(p.max))
    nanfit = np.full(data.y.shape, np.nan)
    return FitResult(model_name=model_name(model),
                     formula=getattr(model, "formula", ""), success=False, quality="bad", flags=tuple(flags),
                     message=message, parameter_estimates=est, varied=(), covariance=None, chi2=math.nan,
                     redchi=math.nan, chi2_pvalue=None, dof=0, ndata=len(data), aic=math.nan, bic=math.nan,
                     x=data.x, y=data.y, sigma=data.sigma, best_fit=nanfit, sigma_kind=data.sigma_kind,
                     uncertainty_note=note, data_info=data.describe())


def fit_curve(model: lmfit.Model, data: FitData | None = None, *, x=None, y=None, sigma=None,
              guess: Mapping[str, float] | None = None,
              fixed: Mapping[str, float] | Iterable[str] | None = None,
              bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
              interval: str = "linear", scale_covar: bool | None = None, method: str = "leastsq",
              max_nfev: int | None = None, fit_kws: Mapping[str, Any] | None = None,
              reweight: bool | None = None) -> FitResult:
    """Fit ``model`` to ``data`` (or to ``x, y, sigma``).

    Parameters
    ----------
    model:
        an lmfit ``Model`` with one independent variable (the qbhw models of
        :mod:`qbhw.fit.models` and :mod:`qbhw.fit.theory`, or any lmfit model).
    data:
        a :class:`FitData`; alternatively pass ``x``, ``y`` and optionally ``sigma`` (absolute).
    guess:
        initial values overriding the model's guess (``{"omega": 1.9}``).
    fixed:
        parameters held fixed: ``{"name": value}``, or names to fix at their guess.
    bounds:
        ``{"name": (min, max)}`` (``None`` for no bound on a side).
    interval:
        ``"linear"`` (value ± 1.96 stderr) or ``"profile"``: the 95 % profile of χ² — a direct
        scan when one parameter is free (Δχ² = 3.84 for absolute σ, lmfit's F-test otherwise),
        lmfit ``conf_interval`` when several are. Each parameter's ``ci_method`` says which.
    scale_covar:
        multiply the covariance by χ²_red. Default: ``False`` when σ is absolute
        (``sigma_kind`` ``measured``/``binomial``), ``True`` when σ is an estimate or absent.
    method, max_nfev, fit_kws:
        passed to ``lmfit.Model.fit``.
    reweight:
        for shot-noise data (``data.shots`` set, e.g. from counts): refit once with σ computed
        from the fitted curve (``sqrt(p(1−p)/n)``) instead of from the noisy observed frequencies,
        whose σ is correlated with the noise and biases the fit (iteratively reweighted least
        squares, two passes). Default: on when ``data.shots`` is set.
    """
    if interval not in INTERVAL_METHODS:
        raise InvalidArgumentError(f"got {interval!r}", argument="interval", allowed=" | ".join(INTERVAL_METHODS))
    if data is None:
        if x is None or y is None:
            raise InvalidArgumentError("give data or both x and y", argument="data")
        data = make_fit_data(x, y, sigma)
    elif not isinstance(data, FitData):
        raise InvalidArgumentError(f"got {type(data).__name__}", argument="data", allowed="a FitData")
    if len(model.independent_vars) != 1:
        raise FitError(f"model {model.name} has independent variables {model.independent_vars}", argument="model",
                       allowed="exactly one independent variable")
    if reweight is None:
        reweight = data.shots is not None
    if reweight:
        if data.shots is None:
            raise InvalidArgumentError("reweight needs shot counts in the data", argument="reweight",
                                       allowed="data with shots (built from counts)")
        kwargs = dict(guess=guess, fixed=fixed, bounds=bounds, interval=interval, scale_covar=scale_covar,
                      method=method, max_nfev=max_nfev, fit_kws=fit_kws, reweight=False)
        first = fit_curve(model, data, **kwargs)
        if not first.ok:
            return first
        # the second pass starts from the first pass's optimum (a user guess only fills what it does not give)
        start = {**dict(guess or {}), **{k: first.parameter_estimates[k].value for k in first.varied}}
        kwargs["guess"] = start
        second = fit_curve(model, data.with_sigma(data.binomial_sigma(first.best_fit)), **kwargs)
        second.uncertainty_note = "binomial sigma from the fitted curve (2-pass IRLS); " + second.uncertainty_note
        return second
    params = _prepare_params(model, data, guess, fixed, bounds)
    varied = [k for k, p in params.items() if p.vary]
    n = len(data)
    if n < len(varied):
        raise FitError(f"{n} data points but {len(varied)} free parameters ({', '.join(varied)})",
                       argument="data", allowed=f"at least {len(varied)} points, or fix some parameters")
    absolute = absolute_sigma(data)
    scale = (not absolute) if scale_covar is None else bool(scale_covar)
    if data.sigma is None:
        note = "no sigma given: unit weights; uncertainties scaled by the residual scatter (chi2_red)"
    elif scale:
        note = (f"sigma ({data.sigma_kind}) used as relative weights; covariance scaled by chi2_red"
                + (" (sigma is only an estimate)" if data.sigma_kind == "estimate" else ""))
    else:
        note = f"sigma ({data.sigma_kind}) used as absolute standard errors; covariance not rescaled"
    if interval == "linear":
        note += "; 95% intervals: value +- 1.96 stderr"
    else:
        note += "; 95% intervals: profile of chi2 (see each ci_method)"
    weights = None if data.sigma is None else 1.0 / data.sigma
    xname = model.independent_vars[0]
    kws = dict(fit_kws or {})
    if max_nfev is not None:
        kws["max_nfev"] = int(max_nfev)
    try:
        with np.errstate(all="ignore"):
            mr = model.fit(data.y, params, weights=weights, method=method, scale_covar=scale, nan_policy="raise",
                           **{xname: data.x}, **kws)
    except Exception as exc:  # the optimiser or the model failed: flag, do not raise
        return _bad(model, data, f"{type(exc).__name__}: {exc}", ("exception",), note, params)

    flags: list[str] = []
    best = np.asarray(mr.best_fit, dtype=float)
    values_finite = all(math.isfinite(mr.params[k].value) for k in mr.params)
    if not mr.success:
        flags.append("not converged")
    if not values_finite or not np.all(np.isfinite(best)):
        flags.append("non-finite values")
    if varied and (not mr.errorbars or mr.covar is None) and not absolute and values_finite:
        # exact data (no σ) met exactly — e.g. the start already on the optimum: lmfit gives no covariance,
        # but the σ-free covariance is χ²_red·(JᵀJ)⁻¹ = 0, so the uncertainties are 0, not unknown
        rss = float(np.sum((data.y - best) ** 2))
        if rss <= 1e-24 * max(1.0, float(np.sum(data.y**2))):
            mr.covar = np.zeros((len(varied), len(varied)))
            for name in varied:
                mr.params[name].stderr = 0.0
            mr.errorbars = True
            note = (note + "; " if note else "") + "zero residual on exact data: uncertainties are 0"
    if varied and (not mr.errorbars or mr.covar is None):
        flags.append("no covariance (uncertainties not estimable)")
    if flags:
        return _bad(model, data, mr.message or "fit failed", flags, note, mr.params)

    resid = (data.y - best) * (1.0 if weights is None else weights)
    chi2 = float(np.sum(resid**2))
    dof = n - len(varied)
    redchi = chi2 / dof if dof > 0 else math.nan
    k = len(varied)
    if absolute:
        aic = chi2 + 2 * k
        bic = chi2 + k * math.log(n)
    else:
        base = n * math.log(max(chi2, 1e-300) / n)
        aic = base + 2 * k
        bic = base + k * math.log(n)
    pvalue = float(stats.chi2.sf(chi2, dof)) if (data.sigma is not None and dof > 0) else None

    cov = np.asarray(mr.covar, dtype=float) if varied else None
    # χ²-scaled figures for absolute σ (the raw ones assume the model is exact)
    factor = None
    if absolute and cov is not None and dof > 0 and math.isfinite(redchi):
        factor = 1.0 if scale else redchi  # scale_covar forced: the covariance is already scaled
    cov_scaled = None if factor is None else cov * factor
    root = None if factor is None else math.sqrt(factor)
    ci: dict[str, tuple[float, float]] = {}
    ci_method = "linear (value +- 1.96 stderr)"
    if interval == "profile" and len(varied) == 1:
        try:
            ci[varied[0]] = _profile_1d(model, mr, data, weights, xname, varied[0], absolute, chi2, dof)
            ci_method = ("profile (chi2 scan, delta chi2 = 3.84)" if absolute
                         else "profile (chi2 scan, F-test as lmfit conf_interval)")
        except Exception as exc:
            flags.append(f"profile interval failed ({type(exc).__name__}: {exc}); linear used")
            ci = {}
    elif interval == "profile" and varied:
        try:
            with np.errstate(all="ignore"):
                table = mr.conf_interval(sigmas=[0.95])
            for name, rows in table.items():
                ci[name] = (float(rows[0][1]), float(rows[-1][1]))
            ci_method = "profile (lmfit conf_interval, 95 %)"
        except Exception as exc:  # fall back to the linear interval, and say so
            flags.append(f"profile interval failed ({type(exc).__name__}); linear used")
            ci = {}
    est: dict[str, ParameterEstimate] = {}
    rel_bad = []
    at_bound = []
    for name, p in mr.params.items():
        if p.vary:
            se = float(p.stderr) if p.stderr is not None else math.nan
            interval95 = ci.get(name, (p.value - Z95 * se, p.value + Z95 * se))
            width = max(abs(p.value), 1e-12) * 1e-6
            hit = (math.isfinite(p.min) and p.value - p.min <= width) or (math.isfinite(p.max) and p.max - p.value <= width)
            if hit:
                at_bound.append(name)
            if not math.isfinite(se) or se > abs(p.value):
                rel_bad.append(name)
            est[name] = ParameterEstimate(name, float(p.value), se, (float(interval95[0]), float(interval95[1])),
                                          ci_method if name in ci else "linear (value +- 1.96 stderr)", True,
                                          float(p.min), float(p.max), hit,
                                          stderr_scaled=None if root is None else se * root)
        elif p.expr:  # derived parameter: lmfit propagates the covariance to it
            se = float(p.stderr) if p.stderr is not None else math.nan
            est[name] = ParameterEstimate(name, float(p.value), se, (float(p.value - Z95 * se), float(p.value + Z95 * se)),
                                          f"derived ({p.expr}); linear (value +- 1.96 stderr)", False,
                                          float(p.min), float(p.max), derived=True,
                                          stderr_scaled=None if root is None else se * root)
        else:
            est[name] = ParameterEstimate(name, float(p.value), None, None, "fixed", False, float(p.min), float(p.max))
    if pvalue is not None and not (CHI2_P_BOUNDS[0] <= pvalue <= CHI2_P_BOUNDS[1]):
        flags.append(f"chi2 test p = {pvalue:.3g} outside [{CHI2_P_BOUNDS[0]:g}, {CHI2_P_BOUNDS[1]:g}] "
                     f"(chi2_red = {redchi:.3g})")
        if pvalue < CHI2_P_BOUNDS[0] and cov_scaled is not None and not scale:
            flags.append(f"chi2_red = {redchi:.3g}: intervals assume the model is exact; scaled stderr "
                         "x sqrt(chi2_red) given (stderr_scaled, covariance_scaled)")
    if at_bound:
        flags.append("at bound: " + ", ".join(at_bound))
    if rel_bad:
        flags.append("relative stderr > 1: " + ", ".join(rel_bad))
    if dof <= 0:
        flags.append("no degrees of freedom")
    quality = "good" if not flags else "poor"

    final = mr.params.copy()

    def evaluator(xv, _m=model, _p=final, _x=xname):
        return _m.eval(_p, **{_x: xv})

    return FitResult(model_name=model_name(model), formula=getattr(model, "formula", ""), success=True, quality=quality,
                     flags=tuple(flags), message=str(mr.message), parameter_estimates=est, varied=tuple(varied),
                     covariance=cov, chi2=chi2, redchi=redchi, chi2_pvalue=pvalue, dof=dof, ndata=n, aic=aic,
                     bic=bic, x=data.x, y=data.y, sigma=data.sigma, best_fit=best, sigma_kind=data.sigma_kind,
                     uncertainty_note=note, data_info=data.describe(), covariance_scaled=cov_scaled,
                     evaluator=evaluator, lmfit_result=mr)
