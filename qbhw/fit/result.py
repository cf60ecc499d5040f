"""The result of a fit: values, uncertainties, quality, model comparison, JSON export.

Uncertainties
    ``stderr`` is lmfit's standard error from the covariance of the local linearisation
    (``J^T W J``)^{-1}. The covariance is used as is when σ is absolute (``sigma_kind`` of
    ``measured`` or ``binomial``) and multiplied by χ²_red when σ is only an estimate or absent
    (``scale_covar``); ``uncertainty_note`` says which. The 95 % interval of each parameter is
    either ``"linear"`` — ``value ± 1.96·stderr`` — or ``"profile"`` — the profile of χ² at 95 %
    (lmfit's ``conf_interval`` with its F-test when several parameters are free; a direct scan,
    Δχ² = 3.84 for absolute σ, when one is), for strongly non-linear parameters where the linear
    estimate under-covers; ``ci_method`` records which. The closed-form models of
    :mod:`qbhw.fit.models` cover 90–99 % with the linear interval (tests/fit/test_coverage.py).

    With absolute σ those numbers assume the model is exact: a misspecified model (χ²_red ≫ 1)
    gets intervals that are far too narrow. So whenever σ is absolute and the fit converged, the
    result also carries the χ²-scaled figures — ``covariance_scaled = χ²_red · covariance`` and,
    per parameter, ``stderr_scaled = stderr · √χ²_red`` (``None`` where not computed: relative σ,
    whose covariance is already scaled; no degrees of freedom; fixed parameters) — and a poor fit
    because of χ² is flagged ``"chi2_red = …: intervals assume the model is exact; scaled stderr
    x sqrt(chi2_red) given (stderr_scaled, covariance_scaled)"``. (If ``scale_covar=True`` was
    forced with absolute σ, ``covariance`` is already scaled and ``covariance_scaled`` equals it.)

Quality (``quality``)
    ``"bad"``: the fit failed (optimiser error or non-convergence, non-finite values, no
    covariance): reading a value from such a result raises :class:`~qbhw.errors.FitError`, so a
    failed fit never yields a silent number. ``"poor"``: it converged but something needs a
    look — the χ² test rejects the model at 0.1 % either way (``p < 0.001`` or ``p > 0.999``,
    σ given), a free parameter sits at a bound, a relative standard error exceeds 1, or there are
    no degrees of freedom. ``"good"`` otherwise. ``flags`` lists the reasons.

JSON
    :meth:`FitResult.to_json` / :meth:`FitResult.from_json` round-trip values, standard errors,
    intervals, covariance (raw and χ²-scaled), χ² figures, quality flags, notes and the data (x, y, σ, best fit); non-finite
    numbers are written as ``null`` and read back as NaN (±inf for parameter bounds). The lmfit objects
    (``lmfit_result`` and the ``evaluator`` of the fitted curve) are *dropped*: a reloaded result cannot
    evaluate its model between the data points (:meth:`FitResult.evaluate` raises; plots draw the best
    fit at the data points instead).

Model comparison
    With absolute σ, ``aic = χ² + 2k`` and ``bic = χ² + k ln n`` (Gaussian likelihood with known
    σ, constant dropped); otherwise lmfit's ``n ln(χ²/n) + 2k`` and ``n ln(χ²/n) + k ln n``.
    Only differences between fits of the same data mean anything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import DataError, FitError

__all__ = ["ParameterEstimate", "FitResult", "QUALITIES", "Z95", "CHI2_P_BOUNDS", "FIT_FORMAT"]

#: format tag of serialised fit results
FIT_FORMAT = "qbhw-fit/1"

QUALITIES = ("good", "poor", "bad")
#: two-sided 95 % normal quantile used by linear intervals
Z95 = 1.959963984540054
#: the χ² p-value range accepted as a "good" fit
CHI2_P_BOUNDS = (1e-3, 1 - 1e-3)


@dataclass(frozen=True)
class ParameterEstimate:
    """One parameter of a fit. ``stderr``/``ci95`` are ``None`` for fixed parameters; ``stderr_scaled``
    (``stderr · √χ²_red``, see the module docstring) is ``None`` where not computed."""

    name: str
    value: float
    stderr: float | None
    ci95: tuple[float, float] | None
    ci_method: str
    vary: bool
    min: float = -math.inf
    max: float = math.inf
    at_bound: bool = False
    derived: bool = False
    stderr_scaled: float | None = None

    def contains(self, true_value: float) -> bool:
        """Whether ``true_value`` lies inside the 95 % interval."""
        if self.ci95 is None:
            raise FitError(f"parameter {self.name!r} was fixed: it has no interval", argument="name")
        return self.ci95[0] <= true_value <= self.ci95[1]

    def to_dict(self) -> dict[str, Any]:
        out = {"value": _num(self.value), "stderr": _num(self.stderr),
               "ci95": None if self.ci95 is None else [_num(self.ci95[0]), _num(self.ci95[1])],
               "ci_method": self.ci_method, "vary": self.vary, "min": _num(self.min), "max": _num(self.max),
               "at_bound": self.at_bound, "derived": self.derived}
        if self.stderr_scaled is not None:  # absent: not computed; null: computed but not finite
            out["stderr_scaled"] = _num(self.stderr_scaled)
        return out

    @classmethod
    def from_dict(cls, name: str, d: dict[str, Any]) -> "ParameterEstimate":
        """Inverse of :meth:`to_dict` (``null`` numbers read back as NaN, bounds as ±inf)."""
        ci = d.get("ci95")
        stderr = d.get("stderr")
        if stderr is None and (d.get("vary") or d.get("derived")):
            stderr = math.nan
        scaled = _unnum(d["stderr_scaled"]) if "stderr_scaled" in d else None
        return cls(name, _unnum(d.get("value")), None if stderr is None else float(stderr),
                   None if ci is None else (_unnum(ci[0]), _unnum(ci[1])), str(d.get("ci_method", "")),
                   bool(d.get("vary")), _unnum(d.get("min"), -math.inf), _unnum(d.get("max"), math.inf),
                   bool(d.get("at_bound", False)), bool(d.get("derived", False)), scaled)


def _unnum(v, default: float = math.nan) -> float:
    return default if v is None else float(v)


def _unarray(values) -> np.ndarray:
    return np.array([math.nan if v is None else float(v) for v in values], dtype=float)


def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if math.isfinite(v) else None


@dataclass
class FitResult:
    """A fit of ``model`` to data (see module docstring for the meaning of every field)."""

    model_name: str
    formula: str
    success: bool
    quality: str
    flags: tuple[str, ...]
    message: str
    parameter_estimates: dict[str, ParameterEstimate]
    varied: tuple[str, ...]
    covariance: np.ndarray | None
    chi2: float
    redchi: float
    chi2_pvalue: float | None
    dof: int
    ndata: int
    aic: float
    bic: float
    x: np.ndarray
    y: np.ndarray
    sigma: np.ndarray | None
    best_fit: np.ndarray
    sigma_kind: str
    uncertainty_note: str
    data_info: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    covariance_scaled: np.ndarray | None = None
    evaluator: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False)
    lmfit_result: Any = field(default=None, repr=False)

    # ---- status --------------------------------------------------------------------------
    @property
    def ok(self) -> bool:
        """True unless the fit is flagged ``"bad"``."""
        return self.quality != "bad"

    def raise_if_bad(self) -> "FitResult":
        if not self.ok:
            raise FitError(f"fit of {self.model_name} failed: {self.message}; flags: {', '.join(self.flags)}",
                           argument="result", allowed="a fit with quality 'good' or 'poor'")
        return self

    # ---- numbers (refused for a failed fit) ----------------------------------------------
    @property
    def parameters(self) -> dict[str, ParameterEstimate]:
        self.raise_if_bad()
        return self.parameter_estimates

    def parameter(self, name: str) -> ParameterEstimate:
        params = self.parameters
        if name not in params:
            raise FitError(f"no parameter {name!r}", argument="name", allowed=", ".join(params))
        return params[name]

    def value(self, name: str) -> float:
        return self.parameter(name).value

    def stderr(self, name: str) -> float | None:
        return self.parameter(name).stderr

    def interval(self, name: str) -> tuple[float, float]:
        p = self.parameter(name)
        if p.ci95 is None:
            raise FitError(f"parameter {name!r} was fixed: it has no interval", argument="name")
        return p.ci95

    @property
    def values(self) -> dict[str, float]:
        return {k: p.value for k, p in self.parameters.items()}

    @property
    def correlation(self) -> np.ndarray | None:
        self.raise_if_bad()
        if self.covariance is None:
            return None
        d = np.sqrt(np.clip(np.diag(self.covariance), 0, None))
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.covariance / np.outer(d, d)

    @property
    def residuals(self) -> np.ndarray:
        """``y − fit`` at the data points."""
        return self.y - self.best_fit

    @property
    def normalized_residuals(self) -> np.ndarray:
        """``(y − fit)/σ`` (plain residuals when no σ was given)."""
        return self.residuals if self.sigma is None else self.residuals / self.sigma

    def evaluate(self, x) -> np.ndarray:
        """The fitted curve at ``x`` (e.g. a dense grid for plots)."""
        if self.evaluator is None:
            raise FitError("this result cannot evaluate its model (loaded from JSON?)", argument="x")
        return np.asarray(self.evaluator(np.asarray(x, dtype=float)), dtype=float)

    # ---- export --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (non-finite numbers become ``null``)."""
        cov = None if self.covariance is None else [[_num(v) for v in row] for row in self.covariance]
        cov_s = (None if self.covariance_scaled is None
                 else [[_num(v) for v in row] for row in self.covariance_scaled])
        return {
            "format": FIT_FORMAT,
            "model": self.model_name,
            "formula": self.formula,
            "success": self.success,
            "quality": self.quality,
            "flags": list(self.flags),
            "message": self.message,
            "parameters": {k: p.to_dict() for k, p in self.parameter_estimates.items()},
            "varied": list(self.varied),
            "covariance": cov,
            "covariance_scaled": cov_s,
            "chi2": _num(self.chi2),
            "redchi": _num(self.redchi),
            "chi2_pvalue": _num(self.chi2_pvalue),
            "dof": self.dof,
            "ndata": self.ndata,
            "aic": _num(self.aic),
            "bic": _num(self.bic),
            "sigma_kind": self.sigma_kind,
            "uncertainty_note": self.uncertainty_note,
            "data": {**self.data_info,
                     "x": [_num(v) for v in self.x], "y": [_num(v) for v in self.y],
                     "sigma": None if self.sigma is None else [_num(v) for v in self.sigma],
                     "best_fit": [_num(v) for v in self.best_fit],
                     "residuals": [_num(v) for v in self.residuals]},
            "notes": list(self.notes),
            "extra": _jsonable(self.extra),
        }

    def to_json(self, path=None, *, indent: int = 2) -> str:
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "FitResult":
        """Inverse of :meth:`to_dict`; the lmfit objects are dropped (see the module docstring)."""
        if not isinstance(d, dict) or "parameters" not in d or "data" not in d:
            raise DataError("not a serialised qbhw fit result", argument="data",
                            allowed="a dict written by FitResult.to_dict")
        data = dict(d["data"])
        x, y = _unarray(data.pop("x")), _unarray(data.pop("y"))
        sigma = data.pop("sigma")
        best = _unarray(data.pop("best_fit"))
        data.pop("residuals", None)
        cov = d.get("covariance")
        cov_s = d.get("covariance_scaled")
        pvalue = d.get("chi2_pvalue")
        return cls(model_name=d["model"], formula=d.get("formula", ""), success=bool(d["success"]),
                   quality=d["quality"], flags=tuple(d.get("flags", ())), message=d.get("message", ""),
                   parameter_estimates={k: ParameterEstimate.from_dict(k, v) for k, v in d["parameters"].items()},
                   varied=tuple(d.get("varied", ())),
                   covariance=None if cov is None else np.array([[_unnum(v) for v in row] for row in cov],
                                                                dtype=float).reshape(len(cov), -1),
                   chi2=_unnum(d.get("chi2")), redchi=_unnum(d.get("redchi")),
                   chi2_pvalue=None if pvalue is None else float(pvalue), dof=int(d["dof"]), ndata=int(d["ndata"]),
                   aic=_unnum(d.get("aic")), bic=_unnum(d.get("bic")), x=x, y=y,
                   sigma=None if sigma is None else _unarray(sigma), best_fit=best,
                   sigma_kind=d.get("sigma_kind", "none"), uncertainty_note=d.get("uncertainty_note", ""),
                   data_info=data, notes=list(d.get("notes", ())), extra=dict(d.get("extra") or {}),
                   covariance_scaled=None if cov_s is None else np.array(
                       [[_unnum(v) for v in row] for row in cov_s], dtype=float).reshape(len(cov_s), -1))

    @classmethod
    def from_json(cls, text_or_path) -> "FitResult":
        """Read a result written by :meth:`to_json` (JSON text, or a path to a ``.json`` file)."""
        text = str(text_or_path)
        if not text.lstrip().startswith("{"):
            text = Path(text_or_path).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))

    def summary(self) -> str:
        lines = [f"{self.model_name}: quality={self.quality} ({', '.join(self.flags) or 'no flags'})",
                 f"  chi2={self.chi2:.4g} dof={self.dof} redchi={self.redchi:.4g} aic={self.aic:.4g}"]
        for p in self.parameter_estimates.values():
            if p.vary or p.derived:
                ci = "" if p.ci95 is None else f" 95% [{p.ci95[0]:.6g}, {p.ci95[1]:.6g}] ({p.ci_method})"
                se = "n/a" if p.stderr is None else f"{p.stderr:.3g}"
                if p.stderr_scaled is not None and self.redchi > 1:
                    se += f" (x sqrt(chi2_red): {p.stderr_scaled:.3g})"
                lines.append(f"  {p.name} = {p.value:.6g} ± {se}{ci}" + (" (derived)" if p.derived else ""))
            else:
                lines.append(f"  {p.name} = {p.value:.6g} (fixed)")
        lines.append(f"  {self.uncertainty_note}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (float, np.floating)):
        return _num(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return str(obj)
