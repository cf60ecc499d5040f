"""Stabilising a charged two-level battery by sequential projective energy measurements (review Rev. Mod.
Phys. 96, 031001 (2024), Sec. V.B.2–3, Fig. 8, Eqs. 53–57; Gherardini, Campaioli, Caruso and Binder, Phys. Rev.
Research 2, 013095, 2020).

The battery is driven to ``|e⟩`` and measured in its energy basis every τ_α; an outcome ``|g⟩`` is undone by
a π pulse. Between two measurements either Markovian amplitude damping (rate γ: the survival of ``|e⟩`` is
e^{−γT} whatever τ_α — no Zeno freezing, the scheme only re-initialises) or a coherent exchange g with one bath
mode (quadratic short-time decay: the survival cos²(gτ_α)^{T/τ_α} → 1 as τ_α → 0, the quantum Zeno effect)
acts (:class:`~qbhw.models.MeasuredBattery`, :mod:`qbhw.solvers.measurement`).

Procedure: **parameters** → **acquisition** on ``exact`` (:func:`qbhw.charge`: the outcome-averaged state,
just before each measurement at a measurement time) → **analysis**: γ (Markovian) or g (coherent) fitted
through the same solver, and the figures of merit at the last time T: the survival of uninterrupted ``|e⟩``,
m̄ and the Zeno cost W_Zeno = m̄ S_Sh[ρ_α]/β_eras (Eq. 57), the stabilisation work and the energy lost, the
cost ratios η_stab, ζ_stab (Eqs. 53–54) and the stored energy kept → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..fit import model_parameter_fit
from ..metrics import stabilisation_cost_ratios
from ..models import MeasuredBattery
from ..models.measured import ENVIRONMENT_MEMORY, ENVIRONMENTS, ZENO_COUNTS
from ._charging import acquire_model, fit_parameter_into, plot_charging
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_bool,
    check_choice,
    check_int,
    check_real,
    resolve_backend,
    time_grid,
)

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot"]

NAME = "measurement_stabilisation"
BACKENDS = ("exact",)


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters of :class:`~qbhw.models.MeasuredBattery` (energies in ω₀, the battery splitting).

    ``environment``: ``"markovian"`` (uses ``gamma``) | ``"coherent"`` (uses ``coupling``, ``bath_damping``,
    ``bath_levels``); ``tau_alpha``: interval between measurements; ``reinitialise``, ``environment_memory``,
    ``beta_eras``, ``zeno_count``, ``initial_excited_population``: as the model's; ``times``: sampling times.
    """

    UNITS: ClassVar[dict[str, str]] = {
        "environment": "",
        "tau_alpha": "1/ω₀",
        "gamma": "ω₀",
        "coupling": "ω₀",
        "bath_damping": "ω₀",
        "bath_levels": "",
        "reinitialise": "",
        "environment_memory": "",
        "beta_eras": "1/ω₀",
        "zeno_count": "",
        "initial_excited_population": "",
        "times": "1/ω₀",
    }
    HELP: ClassVar[dict[str, str]] = {
        "environment": "'markovian' (battery amplitude damping at gamma) | 'coherent' (exchange with one bath mode)",
        "tau_alpha": "interval τ_α between two projective energy measurements (> 0)",
        "gamma": "amplitude-damping rate γ of the battery (environment='markovian' only; > 0)",
        "coupling": "battery–bath-mode exchange g (environment='coherent' only; > 0)",
        "bath_damping": "damping rate κ of the bath mode, L = √κ a (environment='coherent' only)",
        "bath_levels": "levels of the bath mode: 2 = ancilla two-level system, more = truncated boson (coherent only)",
        "reinitialise": "apply a π pulse after every |g⟩ outcome (False: failed runs stay in |g⟩)",
        "environment_memory": "'reset' (bath mode back to its vacuum after each measurement) | 'keep'",
        "beta_eras": "inverse temperature β_eras of the system erasing the measurement records (Eq. 57)",
        "zeno_count": "m̄ of Eq. 57: 'stage' (mean measurements up to the first |g⟩) | 'window' (all of them)",
        "initial_excited_population": "initial battery state diag(1 − p, p) before the initialisation drive",
        "times": "sampling times (an array or {start, stop, num}); the measurements are at multiples of tau_alpha",
    }

    environment: str = "coherent"
    tau_alpha: float = 0.1
    gamma: float = 0.5
    coupling: float = 0.5
    bath_damping: float = 0.0
    bath_levels: int = 2
    reinitialise: bool = True
    environment_memory: str = "reset"
    beta_eras: float = 1.0
    zeno_count: str = "stage"
    initial_excited_population: float = 0.0
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 2.0, 41))

    def _validate(self) -> None:
        check_choice(self.environment, "environment", ENVIRONMENTS)
        self._set("tau_alpha", check_real(self.tau_alpha, "tau_alpha", minimum=0.0, strict=True))
        self._set("gamma", check_real(self.gamma, "gamma", minimum=0.0, strict=True))
        self._set("coupling", check_real(self.coupling, "coupling", minimum=0.0, strict=True))
        self._set("bath_damping", check_real(self.bath_damping, "bath_damping", minimum=0.0))
        self._set("bath_levels", check_int(self.bath_levels, "bath_levels", minimum=2, maximum=40))
        self._set("reinitialise", check_bool(self.reinitialise, "reinitialise"))
        check_choice(self.environment_memory, "environment_memory", ENVIRONMENT_MEMORY)
        self._set("beta_eras", check_real(self.beta_eras, "beta_eras", minimum=0.0, strict=True))
        check_choice(self.zeno_count, "zeno_count", ZENO_COUNTS)
        self._set("initial_excited_population", check_real(self.initial_excited_population,
                                                           "initial_excited_population", minimum=0.0, maximum=1.0))
        self._set("times", time_grid(self.times))

    @property
    def fitted_parameter(self) -> str:
        """``"gamma"`` (Markovian) or ``"coupling"`` (coherent): the rate the analysis fits."""
        return "gamma" if self.environment == "markovian" else "coupling"


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (:class:`~qbhw.protocols.base.ChargingResults`) and, at the last time T (energies in ω₀):

    ``gamma`` / ``coupling`` with ``*_ci95``: the fitted rate (the other stays NaN); ``survival``: probability
    that every measurement in (0, T] found ``|e⟩``; ``interval_survival``: ``p_e[ρ_α]`` of one interval;
    ``mean_measurements``: m̄; ``zeno_cost``: W_Zeno (Eq. 57); ``charging_work``: drive energy at t = 0;
    ``stabilisation_work``: energy of the re-initialisations in (0, T]; ``lost_energy``: energy lost to the
    environment in [0, T]; ``eta_stab``, ``zeta_stab``: ``W_stab/E_max`` and ``(W_stab − lost)/E_max``
    (Eqs. 53–54, integrated over the window); ``stored_energy``: the energy the last measurement finds (the
    energy kept), ``energy_kept_fraction``: ``stored_energy/E_max``; ``leakage``: ``Tr[H_B 𝓛_env[ρ]]`` at T
    (review sign: negative while the battery leaks).
    """

    gamma: float = math.nan
    gamma_ci95: tuple | None = None
    coupling: float = math.nan
    coupling_ci95: tuple | None = None
    survival: float = math.nan
    interval_survival: float = math.nan
    mean_measurements: float = math.nan
    zeno_cost: float = math.nan
    charging_work: float = math.nan
    stabilisation_work: float = math.nan
    lost_energy: float = math.nan
    eta_stab: float = math.nan
    zeta_stab: float = math.nan
    stored_energy: float = math.nan
    energy_kept_fraction: float = math.nan
    leakage: float = math.nan


def build_model(parameters: Parameters, **override) -> MeasuredBattery:
    """The :class:`~qbhw.models.MeasuredBattery` the parameters describe (``gamma`` or ``coupling`` replaced
    when given)."""
    p = parameters
    common = dict(reinitialise=p.reinitialise, environment_memory=p.environment_memory, beta_eras=p.beta_eras,
                  zeno_count=p.zeno_count, initial_excited_population=p.initial_excited_population)
    if p.environment == "markovian":
        return MeasuredBattery("markovian", p.tau_alpha, gamma=override.get("gamma", p.gamma), **common)
    return MeasuredBattery("coherent", p.tau_alpha, coupling=override.get("coupling", p.coupling),
                           bath_damping=p.bath_damping, bath_levels=p.bath_levels, **common)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """The outcome-averaged battery under the measurement protocol (see the module docstring)."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context)


def analyse(data: Data, *, fit: bool = True, value_range: tuple[float, float] | None = None,
            **fit_options) -> Results:
    """Fit γ (Markovian) or g (coherent) through the measurement solver; the stabilisation figures of merit."""
    p: Parameters = data.parameters
    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    notes: list[str] = []
    obs = curve.observables
    e_max = float(curve.metadata.get("e_max", 1.0))
    out.update(survival=float(obs["survival"][-1]), mean_measurements=float(obs["mean_measurements"][-1]),
               zeno_cost=float(obs["zeno_cost"][-1]), stabilisation_work=float(obs["stabilisation_work"][-1]),
               lost_energy=float(obs["lost_energy"][-1]), leakage=float(obs["leakage"][-1]),
               charging_work=float(curve.metadata.get("charging_work", math.nan)),
               stored_energy=float(curve.energy[-1]), energy_kept_fraction=float(curve.energy[-1]) / e_max)
    out["eta_stab"], out["zeta_stab"] = stabilisation_cost_ratios(out["stabilisation_work"], out["lost_energy"], e_max)
    out["interval_survival"] = float(curve.metadata.get("interval_survival", math.nan))
    name = p.fitted_parameter
    theory = None
    if fit:
        truth = getattr(p, name)
        lo, hi = value_range or (truth / 5.0, 5.0 * truth)
        theory = model_parameter_fit(lambda x: build_model(p, **{name: x}), name, observable="energy",
                                     value_range=(lo, hi), scan="log", scan_points=12,
                                     charge_options={"ergotropy": False},
                                     name=f"MeasuredBattery({p.environment}, tau_alpha={p.tau_alpha:g})")
    fit_result = fit_parameter_into(out, notes, data, theory, name, observable="energy", x_unit="1/omega_0",
                                    y_unit="omega_0", **fit_options)
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Averaged stored energy (and ergotropy) against time, with the survival of uninterrupted ``|e⟩``."""
    p = data.parameters
    curve = data.curve

    def survival(ax):
        ax.step(curve.times, curve.observables["survival"], where="post", color="C3", lw=1.0,
                label="survival of |e⟩ (probability)")

    rate = f"γ = {p.gamma:g}" if p.environment == "markovian" else f"g = {p.coupling:g}"
    return plot_charging(data, results, observable="energy", time_label="t [1/ω₀]", energy_label="energy [ω₀]",
                         title=f"measurement stabilisation ({p.environment}, {rate}, τ_α = {p.tau_alpha:g})",
                         extra=survival)
