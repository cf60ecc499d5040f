"""Spontaneous dark-state charging by collective dissipation (Quach & Munro, Phys. Rev. Appl. 14, 024092, 2020;
review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.C.2, Eqs. 61–62).

A battery of N_B two-level systems, empty, and a full charger of N_C two-level systems share one optical
reservoir; the collective master equation (review Eq. 62, :class:`~qbhw.models.DarkStateBattery`) moves energy
from the charger into the battery and traps part of it in dark states, so the battery keeps a finite energy even
at zero temperature. For N_B = N_C = 1 that energy (ω/4) has zero ergotropy: always read both curves.

Procedure: **parameters** → **acquisition** on ``exact`` (the GKSL master equation on the product of the two
symmetric subspaces, through :func:`qbhw.charge`) → **analysis**: the collective rate γ fitted to the battery
energy through the same solver; the steady-state energy and ergotropy (over the full 2^{N_B} battery space)
from the conserved total-spin weights (:meth:`~qbhw.models.DarkStateBattery.steady_state`); the average power
⟨P⟩ at τ̃ (argmax W(t)/t, ``max_average_power``) and the power density ⟨P⟩_τ̃/N_B → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..fit import model_parameter_fit
from ..metrics import ergotropy
from ..models import DarkStateBattery
from ._charging import acquire_model, fit_parameter_into, plot_charging
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_int,
    check_real,
    resolve_backend,
    time_grid,
)

__all__ = ["BACKENDS", "NAME", "Parameters", "Results", "acquire", "analyse", "build_model", "plot"]

NAME = "dark_state_charging"
BACKENDS = ("exact",)


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters of :class:`~qbhw.models.DarkStateBattery` and the charging times.

    ``n_battery``: N_B ≥ 1; ``n_charger``: N_C ≥ 1 (``None`` → N_B); ``gamma``: collective rate γ of review
    Eq. (62) (> 0, units ω); ``omega``: the gap ω; ``beta``: inverse temperature of the reservoir (``None``:
    T = 0); ``times``: charging times (units 1/ω).
    """

    UNITS: ClassVar[dict[str, str]] = {
        "n_battery": "",
        "n_charger": "",
        "gamma": "ω",
        "omega": "ω",
        "beta": "1/ω",
        "times": "1/ω",
    }
    HELP: ClassVar[dict[str, str]] = {
        "n_battery": "number N_B of battery two-level systems (≥ 1)",
        "n_charger": "number N_C of charger two-level systems (None: N_B)",
        "gamma": "collective rate γ of review Eq. (62) (> 0; jump operators √(2γ(n̄+1)) (J_B^− + J_C^−))",
        "omega": "gap ω of every two-level system (1: the model's energy unit)",
        "beta": "inverse temperature of the common reservoir (None: zero temperature, n̄ = 0)",
        "times": "charging times (an array or {start, stop, num})",
    }

    n_battery: int = 2
    n_charger: int | None = None
    gamma: float = 0.05
    omega: float = 1.0
    beta: float | None = None
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 100.0, 51))

    def _validate(self) -> None:
        self._set("n_battery", check_int(self.n_battery, "n_battery", minimum=1))
        self._set("n_charger", check_int(self.n_charger, "n_charger", minimum=1, allow_none=True))
        self._set("gamma", check_real(self.gamma, "gamma", minimum=0.0, strict=True))
        self._set("omega", check_real(self.omega, "omega", minimum=0.0, strict=True))
        self._set("beta", check_real(self.beta, "beta", minimum=0.0, strict=True, allow_none=True))
        self._set("times", time_grid(self.times))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (:class:`~qbhw.protocols.base.ChargingResults`; ``max_average_power`` is ⟨P⟩ at τ̃ =
    ``tau_max_power``) and the dark-state figures (energies in ω):

    ``gamma``, ``gamma_ci95``: fitted γ; ``steady_state_energy``, ``steady_state_ergotropy``: battery energy and
    ergotropy (over all 2^{N_B} battery states) of the asymptotic state Σ_j p_j G_j; ``power_density``:
    ⟨P⟩_τ̃/N_B; ``dark_weight``: weight of |G⟩_B|E⟩_C outside the fully symmetric total spin j = (N_B + N_C)/2,
    i.e. in the sectors that cannot relax to the collective ground state.
    """

    gamma: float = math.nan
    gamma_ci95: tuple | None = None
    steady_state_energy: float = math.nan
    steady_state_ergotropy: float = math.nan
    power_density: float = math.nan
    dark_weight: float = math.nan


def build_model(parameters: Parameters, *, gamma: float | None = None) -> DarkStateBattery:
    """The :class:`~qbhw.models.DarkStateBattery` the parameters describe (γ replaced when given)."""
    p = parameters
    return DarkStateBattery(p.n_battery, p.gamma if gamma is None else gamma, p.omega, n_charger=p.n_charger,
                            beta=p.beta)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Battery energy and ergotropy while the charger relaxes through the common reservoir."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context)


def analyse(data: Data, *, fit: bool = True, gamma_range: tuple[float, float] | None = None,
            **fit_options) -> Results:
    """Fit γ to the battery energy; steady-state energy and ergotropy; power density at τ̃."""
    p: Parameters = data.parameters
    out: dict[str, Any] = ChargingResults.figures_of_merit(data.curve)
    notes: list[str] = []
    model = build_model(p)
    rho_inf = model.steady_state()
    weights = model.sector_weights()
    out.update(steady_state_energy=model.steady_state_energy(),
               steady_state_ergotropy=float(ergotropy(model.battery_state(rho_inf), model.battery_spectrum("full"))),
               power_density=float(out["max_average_power"] / p.n_battery),
               dark_weight=float(1.0 - weights[max(weights)]))
    theory = None
    if fit:
        lo, hi = gamma_range or (p.gamma / 5.0, 5.0 * p.gamma)
        theory = model_parameter_fit(lambda gamma: build_model(p, gamma=gamma), "gamma", observable="energy",
                                     value_range=(lo, hi), scan="log", scan_points=8,
                                     name=f"DarkStateBattery(N_B={model.n_battery}, N_C={model.n_charger})")
    fit_result = fit_parameter_into(out, notes, data, theory, "gamma", observable="energy", x_unit="1/omega",
                                    y_unit="omega", **fit_options)
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Battery energy (fitted) and ergotropy against time, with the steady-state energy and ergotropy."""
    p = data.parameters

    def steady(ax):
        ax.axhline(results.steady_state_energy, color="C3", ls=":", lw=0.9,
                   label=f"E_∞ = {results.steady_state_energy:.4g}")
        ax.axhline(results.steady_state_ergotropy, color="C4", ls=":", lw=0.9,
                   label=f"ergotropy_∞ = {results.steady_state_ergotropy:.4g}")

    n_c = p.n_battery if p.n_charger is None else p.n_charger
    temp = "T = 0" if p.beta is None else f"β = {p.beta:g}"
    return plot_charging(data, results, observable="energy", time_label="t [1/ω]", energy_label="energy [ω]",
                         extra=steady, title=f"dark-state charging, N_B = {p.n_battery}, N_C = {n_c}, {temp}")
