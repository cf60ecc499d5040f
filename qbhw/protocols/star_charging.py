"""Star-topology (central-spin) charging: one battery spin charged by 𝒩 charger spins through a flip-flop
exchange (review Sec. VI.D; Joshi & Mahesh, Phys. Rev. A 106, 042601, 2022).

``H_1 = J Σ_j (σ_B^+ σ_j^− + h.c.)``; with the chargers inverted and the battery empty (``initial="pure"``)
the battery's excited population is sin²(J√𝒩 t): the charging speeds up as √𝒩. ``"thermal"``: every spin
thermal at inverse temperature ``beta`` before the chargers are inverted; ``"high_temperature"``: the NMR
linear-response state ρ ∝ 1 + ε(−σ_B^z + w Σ_j σ_j^z), whose curve is reported per unit ε
(``curve.energy`` = W/ε, ``curve.polarization`` = ⟨σ_B^z⟩/ε).

Procedure: **parameters** → **acquisition** on ``exact`` (collective-spin sectors, exact for 𝒩 = 36) or
on circuits (``aer``, ``fake:``, ``ibm:``; exchange as XX+YY gates, thermal states by enumeration or
sampling) → **analysis**: theory-backed fit of J through the exact sector solver (for the pure state the
curve fixes only J√𝒩, reported as ``j_sqrt_n``; at high temperature 𝒩 can be chosen by AIC with
``profile_n=True``), figures of merit → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError
from ..fit import model_parameter_fit
from ..models import StarBattery
from ._charging import MODEL_BACKENDS, acquire_model, fit_model_parameter, plot_charging
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_choice,
    check_int,
    check_real,
    resolve_backend,
    time_grid,
)

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot"]

NAME = "star_charging"
BACKENDS = MODEL_BACKENDS
INITIAL_STATES = ("pure", "thermal", "high_temperature")


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters of the star battery (names as :class:`~qbhw.models.StarBattery`'s).

    ``n_chargers``: 𝒩 ≥ 1; ``coupling``: J ≥ 0 (units of ω_b); ``omega_b``: battery splitting;
    ``omega_c``: charger splitting (``None`` → ``omega_b``, resonant); ``initial``: ``"pure"`` |
    ``"thermal"`` | ``"high_temperature"``; ``beta``: inverse temperature of ``"thermal"`` (required there);
    ``charger_weight``: ε_C/ε_B of the high-temperature state; ``samples``: circuits only, ``"thermal"``
    ensembles sampled with that many bitstrings (``None`` → enumerated exactly); ``times``: charging times
    (units 1/ω_b); ``trotter_max_step``, ``trotter_order``: the product formula of the circuits.
    """

    #: units of the fields whose names carry none ("": dimensionless); see ProtocolParameters.unit_of
    UNITS: ClassVar[dict[str, str]] = {
        "n_chargers": "",
        "coupling": "ω_b",
        "omega_b": "ω_b",
        "omega_c": "ω_b",
        "initial": "",
        "beta": "1/ω_b",
        "charger_weight": "",
        "samples": "",
        "times": "1/ω_b",
        "trotter_max_step": "1/ω_b",
        "trotter_order": "",
    }
    #: one line of help per field (``qbhw protocols NAME``)
    HELP: ClassVar[dict[str, str]] = {
        "n_chargers": "number 𝒩 of charger spins (≥ 1)",
        "coupling": "flip-flop coupling J (≥ 0)",
        "omega_b": "battery splitting ω_b (1: the model's energy unit)",
        "omega_c": "charger splitting (None: omega_b, resonant)",
        "initial": "initial state: 'pure' | 'thermal' | 'high_temperature'",
        "beta": "inverse temperature of the 'thermal' state (required there)",
        "charger_weight": "ε_C/ε_B of the high-temperature state",
        "samples": "circuits only: 'thermal' ensembles sampled with this many bitstrings (None: enumerated exactly)",
        "times": "charging times (an array or {start, stop, num})",
        "trotter_max_step": "largest Trotter step of the circuits (circuit backends only)",
        "trotter_order": "order of the product formula, 1 or 2 (circuit backends only)",
    }

    n_chargers: int = 4
    coupling: float = 0.5
    omega_b: float = 1.0
    omega_c: float | None = None
    initial: str = "pure"
    beta: float | None = None
    charger_weight: float = 1.0
    samples: int | None = None
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 3.0, 31))
    trotter_max_step: float = 0.1
    trotter_order: int = 2

    def _validate(self) -> None:
        self._set("n_chargers", check_int(self.n_chargers, "n_chargers", minimum=1))
        self._set("coupling", check_real(self.coupling, "coupling", minimum=0.0))
        self._set("omega_b", check_real(self.omega_b, "omega_b", minimum=0.0, strict=True))
        self._set("omega_c", check_real(self.omega_c, "omega_c", minimum=0.0, strict=True, allow_none=True))
        check_choice(self.initial, "initial", INITIAL_STATES)
        self._set("beta", check_real(self.beta, "beta", minimum=0.0, allow_none=True))
        if self.initial == "thermal" and self.beta is None:
            raise ConfigError("a thermal initial state needs beta", argument="beta",
                              allowed="an inverse temperature >= 0 (units 1/omega_b)")
        if self.initial != "thermal" and self.beta is not None:
            raise ConfigError(f"beta is only used by initial='thermal' (got initial={self.initial!r})",
                              argument="beta", allowed="None")
        self._set("charger_weight", check_real(self.charger_weight, "charger_weight"))
        self._set("samples", check_int(self.samples, "samples", minimum=1, allow_none=True))
        self._set("times", time_grid(self.times))
        self._set("trotter_max_step", check_real(self.trotter_max_step, "trotter_max_step", minimum=0.0, strict=True))
        self._set("trotter_order", check_int(self.trotter_order, "trotter_order", minimum=1, maximum=2))

    def model_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"omega_c": self.omega_c, "charger_weight": self.charger_weight}
        if self.initial == "thermal":
            kw["beta"] = self.beta
        return kw

    def compile_options(self) -> dict[str, Any]:
        out: dict[str, Any] = {"max_step": self.trotter_max_step, "order": self.trotter_order}
        if self.initial == "thermal":
            out.update(samples=self.samples, seed=self.seed)
        return out


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (:class:`~qbhw.protocols.base.ChargingResults`) and the fitted exchange.

    ``coupling``, ``coupling_ci95``: J with its 95 % interval; ``j_sqrt_n``, ``j_sqrt_n_ci95``: J√𝒩, the
    combination a pure-state curve determines; ``n_chargers``: 𝒩 chosen by AIC when ``profile_n=True``
    (else the acquired 𝒩); ``observable``: what was fitted (``energy``, or ``polarization`` per unit ε
    at high temperature).
    """

    coupling: float = math.nan
    coupling_ci95: tuple | None = None
    j_sqrt_n: float = math.nan
    j_sqrt_n_ci95: tuple | None = None
    n_chargers: int | None = None
    observable: str = "energy"


def build_model(parameters: Parameters, *, n_chargers: int | None = None, coupling: float | None = None) -> StarBattery:
    """The :class:`~qbhw.models.StarBattery` the parameters describe (𝒩 or J replaced when given)."""
    n = parameters.n_chargers if n_chargers is None else n_chargers
    j = parameters.coupling if coupling is None else coupling
    return StarBattery(n, j, parameters.omega_b, parameters.initial, **parameters.model_kwargs())


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Charging curve of the star battery on ``backend`` (see the module docstring)."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context,
                         compile_options=parameters.compile_options())


def analyse(data: Data, *, fit: bool = True, profile_n: bool = False, n_values=None,
            coupling_range: tuple[float, float] | None = None, **fit_options) -> Results:
    """Fit J through the exact sector solver and compute the figures of merit.

    ``profile_n=True`` (high temperature only, where the curve's shape depends on 𝒩) fits every 𝒩 in
    ``n_values`` (default 1 … 2𝒩) and keeps the one with the lowest AIC.
    """
    p: Parameters = data.parameters
    out: dict[str, Any] = ChargingResults.figures_of_merit(data.curve)
    observable = "polarization" if p.initial == "high_temperature" else "energy"
    notes: list[str] = []
    fit_result = None
    n_best = p.n_chargers
    if profile_n and p.initial != "high_temperature":
        raise ConfigError("only a high-temperature curve determines 𝒩 (a pure-state curve fixes J√𝒩 only)",
                          argument="profile_n", allowed="False unless initial='high_temperature'")
    if fit:
        lo, hi = coupling_range or (max(p.coupling / 5.0, 1e-3), max(5.0 * p.coupling, 1e-2))

        def theory_for(n):
            derived = {"j_sqrt_n": f"coupling*{math.sqrt(n)!r}"}
            return model_parameter_fit(lambda j, _n=n: build_model(p, n_chargers=_n, coupling=j), "coupling",
                                       observable=observable, value_range=(lo, hi), scan="linear", scan_points=80,
                                       derived=derived, name=f"StarBattery(N={n}, {p.initial})")

        candidates = [p.n_chargers] if not profile_n else list(n_values or range(1, 2 * p.n_chargers + 1))
        best = None
        for n in candidates:
            r = fit_model_parameter(data, theory_for(n), observable=observable, y_unit="1" if
                                    observable == "polarization" else "omega_b", x_unit="1/omega_b", **fit_options)
            if r.ok and (best is None or r.aic < best[1].aic):
                best = (n, r)
            if not profile_n:
                fit_result = r
        if profile_n and best is not None:
            n_best, fit_result = best
            notes.append(f"N chosen by AIC among {candidates}")
        if fit_result is not None and fit_result.ok:
            est = fit_result.parameter("coupling")
            out["coupling"], out["coupling_ci95"] = est.value, est.ci95
            js = fit_result.parameter_estimates.get("j_sqrt_n")
            if js is not None:
                out["j_sqrt_n"], out["j_sqrt_n_ci95"] = js.value, js.ci95
        elif fit_result is not None:
            notes.append(f"fit failed: {fit_result.message}")
    else:
        notes.append("no fit requested")
    return Results(protocol=NAME, fit=fit_result, notes=notes, n_chargers=n_best, observable=observable, **out)


def plot(data: Data, results: Results):
    """The fitted observable (energy, or ⟨σ_B^z⟩/ε at high temperature) against time."""
    p = data.parameters
    obs = results.observable
    label = "⟨σ_B^z⟩/ε" if obs == "polarization" else "energy [ω_b]"
    return plot_charging(data, results, observable=obs, time_label="t [1/ω_b]", energy_label=label,
                         title=f"star battery, N = {p.n_chargers} chargers, {p.initial}")
