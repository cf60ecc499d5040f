"""Fits with an integer parameter (e.g. the number of chargers 𝒩): profile over it, choose by AIC.

For each candidate integer the continuous parameters are fitted (:func:`fit_curve`) and the
fits are ranked by ``aic`` (or ``bic``). The winner is reported with the table of all
candidates and ``delta`` = criterion − best criterion; candidates within ``ambiguity`` (default
2, the usual "no real support" margin of AIC) are listed in ``ambiguous_with`` — e.g. the
high-temperature star curves of 𝒩 = 1 and 𝒩 = 2 are identical functions of J√𝒩 t, so these two
always tie. Continuous-parameter intervals are conditional on the chosen integer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import lmfit

from ..errors import FitError, InvalidArgumentError
from .data import FitData
from .fitting import fit_curve
from .result import FitResult, _jsonable

__all__ = ["ProfileResult", "profile_integer", "fit_star_high_temperature"]


@dataclass
class ProfileResult:
    """The best integer, its fit, and the table of all candidates."""

    parameter: str
    criterion: str
    best_value: int
    best: FitResult
    fits: dict[int, FitResult]
    table: list[dict[str, Any]]
    ambiguous_with: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable({"parameter": self.parameter, "criterion": self.criterion, "best_value": self.best_value,
                          "ambiguous_with": self.ambiguous_with, "table": self.table, "notes": self.notes,
                          "best_fit": self.best.to_dict()})

    def to_json(self, path=None) -> str:
        text = json.dumps(self.to_dict(), indent=2, allow_nan=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text


def profile_integer(build_model: Callable[[int], lmfit.Model], values: Iterable[int], data: FitData, *,
                    parameter: str = "n", criterion: str = "aic", ambiguity: float = 2.0,
                    **fit_kwargs) -> ProfileResult:
    """Fit ``build_model(k)`` for every ``k`` in ``values``; choose ``k`` by ``criterion``."""
    if criterion not in ("aic", "bic"):
        raise InvalidArgumentError(f"got {criterion!r}", argument="criterion", allowed="'aic' | 'bic'")
    ks = [int(k) for k in values]
    if not ks:
        raise InvalidArgumentError("no candidate values", argument="values", allowed="a non-empty list of integers")
    fits = {k: fit_curve(build_model(k), data, **fit_kwargs) for k in ks}
    usable = {k: f for k, f in fits.items() if f.ok}
    if not usable:
        raise FitError(f"every candidate {parameter} failed to fit: "
                       + "; ".join(f"{k}: {f.message}" for k, f in fits.items()), argument="values")
    scores = {k: getattr(f, criterion) for k, f in usable.items()}
    best_k = min(scores, key=lambda k: (scores[k], k))
    table = []
    for k in ks:
        f = fits[k]
        row = {parameter: k, "quality": f.quality, criterion: getattr(f, criterion) if f.ok else None,
               "delta": (scores[k] - scores[best_k]) if k in scores else None, "chi2": f.chi2 if f.ok else None,
               "values": f.values if f.ok else None}
        table.append(row)
    amb = sorted(k for k in scores if k != best_k and scores[k] - scores[best_k] < ambiguity)
    notes = []
    if amb:
        notes.append(f"{parameter} = {amb} within delta-{criterion.upper()} < {ambiguity:g} of the best: "
                     "the data do not single out one value")
    return ProfileResult(parameter=parameter, criterion=criterion, best_value=best_k, best=fits[best_k], fits=fits,
                         table=table, ambiguous_with=amb, notes=notes)


def fit_star_high_temperature(data: FitData, n_values: Iterable[int] = range(1, 13), *, offset: bool = False,
                              amplitude: float | None = None, criterion: str = "aic",
                              model_factory: Callable[[int], lmfit.Model] | None = None,
                              **fit_kwargs) -> ProfileResult:
    """Fit J and the integer 𝒩 of a high-temperature star-battery polarisation curve.

    Each 𝒩 in ``n_values`` gets a fit of J (and the amplitude ε unless ``amplitude`` fixes it)
    with :class:`~qbhw.fit.models.StarHighTemperatureModel` (exact closed form) or with
    ``model_factory(𝒩)`` (e.g. :func:`qbhw.fit.theory.star_battery_model` — the same curve from
    the StarBattery solver); 𝒩 is chosen by AIC. 𝒩 = 1 and 2 give identical curves (always a tie).
    """
    from .models import StarHighTemperatureModel

    factory = model_factory or (lambda n: StarHighTemperatureModel(n, offset=offset))
    fixed = dict(fit_kwargs.pop("fixed", None) or {})
    if amplitude is not None:
        fixed["amplitude"] = float(amplitude)
    res = profile_integer(factory, n_values, data, parameter="n_chargers", criterion=criterion,
                          fixed=fixed or None, **fit_kwargs)
    if {1, 2} <= set(int(k) for k in n_values) and res.best_value in (1, 2):
        res.notes.append("n_chargers = 1 and 2 give the same curve -cos(2 J sqrt(N) t): only J sqrt(N) is determined")
    return res
