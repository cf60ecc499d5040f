"""Scaling exponents over the number of cells: ``y = A N^α`` by log-log regression with bootstrap CIs.

``log y = log A + α log N`` is fitted by (weighted) least squares; with standard errors σ of
``y`` the weights are ``(y/σ)²`` (``σ_log y = σ/y``). The 95 % interval of α is the percentile
interval of a bootstrap:

* ``"parametric"`` (default when σ is given): ``y* = ŷ + σ ε``, ε ~ N(0, 1);
* ``"residuals"`` (default without σ): the fitted log-line plus log-residuals resampled with
  replacement, each rescaled by ``1/sqrt(1 − h_ii)`` (leverage); the interval is the
  studentized (bootstrap-t) one, ``α̂ − t*_{0.975} se … α̂ − t*_{0.025} se``, with the residual
  scale re-estimated in each replica (a percentile interval under-covers for few points);
* ``"pairs"``: points ``(N, y, σ)`` resampled with replacement (needs ≥ 3 distinct N; replicas
  with fewer than 3 distinct points are dropped); studentized interval as for ``"residuals"``.

All replicas are fitted at once (closed-form weighted least squares, numpy), so thousands of
replicas cost milliseconds. Used for the review's scaling claims, e.g. ``⟨P⟩_τ̃ ∝ N^{3/2}`` and
``τ̃ ∝ N^{−1/2}`` of the Dicke battery (RR-12) or ``Γ ∝ √N`` (RR-14).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import DataError, InvalidArgumentError
from .data import make_fit_data
from .result import _jsonable

__all__ = ["ScalingResult", "fit_scaling_exponent", "scaling_from_curves", "BOOTSTRAP_METHODS", "CURVE_QUANTITIES"]

BOOTSTRAP_METHODS = ("parametric", "residuals", "pairs")


def _wls_lines(lx, ly, w):
    """Slopes and intercepts of weighted LS lines; ``ly``/``w`` of shape (B, n) or (n,)."""
    sw = np.sum(w, axis=-1)
    mx = np.sum(w * lx, axis=-1) / sw
    my = np.sum(w * ly, axis=-1) / sw
    dx = lx - mx[..., None] if np.ndim(mx) else lx - mx
    dy = ly - my[..., None] if np.ndim(my) else ly - my
    sxx = np.sum(w * dx * dx, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.sum(w * dx * dy, axis=-1) / sxx
    return slope, my - slope * mx


def _t_statistics(lx, ly, w, b_slope, b_icpt, slope, icpt, *, sigma_known: bool):
    """Studentized replicas ``t* = (α* − α̂)/se*`` and ``(ln A* − ln Â)/se*`` (se re-estimated per replica).

    ``lx, ly, w`` of shape ``(B, n)``; se* from the replica's residual scatter, or from the known
    weights when σ is given.
    """
    sw = np.sum(w, axis=1)
    mx = np.sum(w * lx, axis=1) / sw
    sxx = np.sum(w * (lx - mx[:, None]) ** 2, axis=1)
    dof = ly.shape[1] - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        if sigma_known:
            b_se = np.sqrt(1.0 / sxx)
        else:
            res = ly - (b_icpt[:, None] + b_slope[:, None] * lx)
            b_se = np.sqrt(np.sum(w * res**2, axis=1) / dof / sxx)
        b_se_icpt = b_se * np.sqrt(np.sum(w * lx**2, axis=1) / sw)
        t_star = (b_slope - slope) / b_se
        c_star = (b_icpt - icpt) / b_se_icpt
    return t_star[np.isfinite(t_star)], c_star[np.isfinite(c_star)]


@dataclass
class ScalingResult:
    """Exponent α and prefactor A of ``y = A N^α`` with a bootstrap 95 % interval."""

    exponent: float
    prefactor: float
    exponent_stderr: float
    ci95: tuple[float, float]
    prefactor_ci95: tuple[float, float]
    method: str
    n_boot: int
    seed: int | None
    n: np.ndarray
    y: np.ndarray
    sigma: np.ndarray | None
    quantity: str = "y"
    chi2: float | None = None
    dof: int = 0
    notes: list[str] = field(default_factory=list)

    def contains(self, exponent: float) -> bool:
        return self.ci95[0] <= exponent <= self.ci95[1]

    def evaluate(self, n) -> np.ndarray:
        return self.prefactor * np.power(np.asarray(n, dtype=float), self.exponent)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"quantity": self.quantity, "exponent": self.exponent, "prefactor": self.prefactor,
                          "exponent_stderr_linear": self.exponent_stderr, "ci95": list(self.ci95),
                          "prefactor_ci95": list(self.prefactor_ci95),
                          "interval": (f"bootstrap {'percentile' if self.method == 'parametric' else 'studentized'} 95 % "
                                       f"({self.method}, {self.n_boot} replicas)"),
                          "seed": self.seed, "chi2": self.chi2, "dof": self.dof, "n": self.n, "y": self.y,
                          "sigma": self.sigma, "notes": self.notes})

    def to_json(self, path=None) -> str:
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def fit_scaling_exponent(n, y, sigma=None, *, method: str | None = None, n_boot: int = 2000, seed: int | None = 0,
                         quantity: str = "y") -> ScalingResult:
    """Fit ``y = A N^α`` on log-log axes; 95 % interval of α (and A) from a bootstrap.

    Raises :class:`DataError` for non-positive ``N`` or ``y`` (no logarithm) and the errors of
    :func:`~qbhw.fit.data.make_fit_data` (NaN, σ ≤ 0, mismatched lengths).
    """
    data = make_fit_data(n, y, sigma, x_name="N", y_name=quantity)
    nn, yy, ss = data.x, data.y, data.sigma
    for name, arr in (("N", nn), (quantity, yy)):
        bad = np.flatnonzero(arr <= 0)
        if bad.size:
            raise DataError(f"row {bad[0]}: {name} = {arr[bad[0]]!r} is not positive (log-log fit)",
                            argument=name, column=name, row=int(bad[0]), allowed="positive values")
    if np.unique(nn).size < 2:
        raise DataError("need at least two distinct N", argument="n", allowed="two or more distinct N")
    if len(nn) < 3:
        raise DataError(f"{len(nn)} points: the exponent's uncertainty needs at least 3", argument="n",
                        allowed="at least 3 points")
    method = method or ("parametric" if ss is not None else "residuals")
    if method not in BOOTSTRAP_METHODS:
        raise InvalidArgumentError(f"got {method!r}", argument="method", allowed=" | ".join(BOOTSTRAP_METHODS))
    if method == "parametric" and ss is None:
        raise InvalidArgumentError("the parametric bootstrap needs sigma", argument="method",
                                   allowed="'residuals' or 'pairs' without sigma")
    if n_boot < 200:
        raise InvalidArgumentError(f"got {n_boot}", argument="n_boot", allowed=">= 200 replicas")
    lx, ly = np.log(nn), np.log(yy)
    w = np.ones_like(lx) if ss is None else (yy / ss) ** 2
    slope, icpt = _wls_lines(lx, ly, w)
    fit_log = icpt + slope * lx
    resid = ly - fit_log
    dof = len(lx) - 2
    sxx = np.sum(w * (lx - np.sum(w * lx) / np.sum(w)) ** 2)
    if ss is not None:
        chi2 = float(np.sum(w * resid**2))
        se = float(np.sqrt(1.0 / sxx))
    else:
        chi2 = None
        se = float(np.sqrt(np.sum(resid**2) / dof / sxx)) if dof > 0 else float("nan")
    rng = np.random.default_rng(seed)
    notes: list[str] = []
    se_icpt = se * np.sqrt(np.sum(w * lx**2) / np.sum(w))
    t_stats = None
    se_scatter = se
    if method == "parametric":
        ystar = np.exp(fit_log)[None, :] + ss[None, :] * rng.standard_normal((n_boot, len(lx)))
        keep = np.all(ystar > 0, axis=1)
        if not np.all(keep):
            notes.append(f"{np.count_nonzero(~keep)} replicas with y* <= 0 dropped")
        ystar = ystar[keep]
        b_slope, b_icpt = _wls_lines(lx, np.log(ystar), (ystar / ss[None, :]) ** 2)
    elif method == "residuals":
        h = w * (1.0 / np.sum(w) + (lx - np.sum(w * lx) / np.sum(w)) ** 2 / sxx)
        r_adj = resid / np.sqrt(np.clip(1.0 - h, 1e-12, None))
        z = (r_adj - np.average(r_adj, weights=w)) * np.sqrt(w)  # exchangeable in units of their own scale
        idx = rng.integers(0, len(lx), size=(n_boot, len(lx)))
        lys = fit_log[None, :] + z[idx] / np.sqrt(w)[None, :]
        lxs, ws = np.broadcast_to(lx, lys.shape), np.broadcast_to(w, lys.shape)
        b_slope, b_icpt = _wls_lines(lx, lys, ws)
        t_stats = _t_statistics(lxs, lys, ws, b_slope, b_icpt, slope, icpt, sigma_known=False)
    else:
        if np.unique(nn).size < 3:
            raise DataError("the pairs bootstrap needs at least 3 distinct N", argument="method",
                            allowed="'parametric' or 'residuals'")
        idx = rng.integers(0, len(lx), size=(n_boot, len(lx)))
        sorted_x = np.sort(lx[idx], axis=1)
        distinct = 1 + np.count_nonzero(np.diff(sorted_x, axis=1) > 0, axis=1) >= 3
        if not np.all(distinct):
            notes.append(f"{np.count_nonzero(~distinct)} replicas with fewer than 3 distinct points dropped")
        idx = idx[distinct]
        lxs, lys, ws = lx[idx], ly[idx], w[idx]
        b_slope, b_icpt = _wls_lines(lxs, lys, ws)
        # studentize with the residual scatter (known-σ errors ignore the resampling of the design)
        t_stats = _t_statistics(lxs, lys, ws, b_slope, b_icpt, slope, icpt, sigma_known=False)
        se_scatter = float(np.sqrt(np.sum(w * resid**2) / dof / sxx))
        se_icpt = se_scatter * np.sqrt(np.sum(w * lx**2) / np.sum(w))
    good = np.isfinite(b_slope)
    b_slope, b_icpt = b_slope[good], b_icpt[good]
    if t_stats is not None:  # studentized (bootstrap-t) intervals
        t_star, c_star = t_stats
        se_t = se_scatter if method == "pairs" else se
        ci = (float(slope - np.quantile(t_star, 0.975) * se_t), float(slope - np.quantile(t_star, 0.025) * se_t))
        pci = (float(np.exp(icpt - np.quantile(c_star, 0.975) * se_icpt)),
               float(np.exp(icpt - np.quantile(c_star, 0.025) * se_icpt)))
    else:
        ci = (float(np.quantile(b_slope, 0.025)), float(np.quantile(b_slope, 0.975)))
        pci = (float(np.exp(np.quantile(b_icpt, 0.025))), float(np.exp(np.quantile(b_icpt, 0.975))))
    if ss is not None and dof > 0:
        from scipy import stats

        p = float(stats.chi2.sf(chi2, dof))
        if p < 1e-3:
            notes.append(f"chi2 = {chi2:.3g} for {dof} dof (p = {p:.2g}): the data deviate from a pure power law")
    return ScalingResult(exponent=float(slope), prefactor=float(np.exp(icpt)), exponent_stderr=se, ci95=ci,
                         prefactor_ci95=pci, method=method, n_boot=int(good.sum()), seed=seed, n=nn, y=yy, sigma=ss,
                         quantity=quantity, chi2=chi2, dof=dof, notes=notes)


#: scalar figures read from a ChargingCurve by name
CURVE_QUANTITIES: dict[str, Callable] = {
    "max_average_power": lambda c: c.max_average_power,
    "tau_max_power": lambda c: c.tau_max_power,
    "tau_energy_peak": lambda c: c.tau_energy_peak,
    "average_power_at_energy_peak": lambda c: c.average_power_at("energy_peak"),
}


def scaling_from_curves(curves: Mapping[int, Any], quantity: str | Callable = "max_average_power",
                        **kwargs) -> ScalingResult:
    """Exponent of a figure of merit over ``N`` from charging curves ``{N: ChargingCurve}``.

    ``quantity``: a name of :data:`CURVE_QUANTITIES` (``"max_average_power"`` → ⟨P⟩ at τ̃,
    ``"tau_max_power"`` → τ̃, ``"tau_energy_peak"`` → τ̄, ``"average_power_at_energy_peak"``)
    or a function ``curve -> float``. Noise-free simulated curves have no σ: the residual
    bootstrap is used unless ``sigma`` is passed.
    """
    if callable(quantity):
        get, name = quantity, getattr(quantity, "__name__", "quantity")
    else:
        if quantity not in CURVE_QUANTITIES:
            raise InvalidArgumentError(f"got {quantity!r}", argument="quantity",
                                       allowed=" | ".join(CURVE_QUANTITIES) + " or a callable")
        get, name = CURVE_QUANTITIES[quantity], quantity
    ns = sorted(curves)
    values = [float(get(curves[k])) for k in ns]
    return fit_scaling_exponent(np.array(ns, dtype=float), np.array(values), quantity=name, **kwargs)
