"""Dissipative charging by repeated collisions with thermal ancillas (Barra, Phys. Rev. Lett. 122, 210601,
2019; review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.A.1 and Eq. 52).

A qubit battery meets fresh qubit ancillas in their Gibbs state at β, one at a time, for a collision time τ
each (:class:`~qbhw.models.CollisionBattery`, ``U = exp[−i(H_B + H_A + V)τ]``). With the inverting coupling
``V = J(σ_B^+σ_A^+ + h.c.)`` the battery relaxes to the population-inverted Gibbs state π = G_β[−H_B], an
active fixed point with ergotropy ω tanh(βω/2); the energy-conserving coupling ``J(σ_B^+σ_A^− + h.c.)``
gives a passive one.

Procedure: **parameters** (ω, β, J, τ, coupling kind, number of collisions, initial state) →
**acquisition** on ``exact`` (:func:`qbhw.charge` samples the battery after n = 0 … ``n_collisions``
collisions, times t = nτ; the curve is a ``"sweep"``: only the average power W(nτ)/(nτ) is defined) →
**analysis**: the ancillas' inverse temperature β fitted through the same solver (the curve fixes β
through its fixed point; it depends on J only through the one-collision transition probability
J²/(J² + ω²) sin²(√(J² + ω²)τ), which is not one-to-one in J), and the fixed point's figures of merit of
review Eq. 52: 𝓔[π], W_ch, Q_ch and η = 𝓔[π]/W_ch for charging the acquired ρ_0 to π → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import InvalidArgumentError
from ..fit import model_parameter_fit
from ..models import CollisionBattery
from ..models.collision import COLLISION_COUPLINGS, COLLISION_INITIAL_STATES
from ._charging import acquire_model, fit_parameter_into, plot_charging
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_choice,
    check_int,
    check_real,
    resolve_backend,
)

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot"]

NAME = "collision_charging"
BACKENDS = ("exact",)


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters of :class:`~qbhw.models.CollisionBattery` and the number of collisions.

    ``omega``: battery and ancilla splitting ω > 0; ``beta``: inverse temperature of the ancillas (≥ 0);
    ``coupling``: J > 0; ``tau``: collision time τ > 0; ``coupling_kind``: ``"inverting"`` |
    ``"energy_conserving"``; ``n_collisions``: the battery is sampled after n = 0 … ``n_collisions``
    collisions (times nτ, :attr:`times`); ``initial``: ``"ground"`` | ``"passive_fixed_point"`` (σ_π).
    """

    UNITS: ClassVar[dict[str, str]] = {
        "omega": "ω₀",
        "beta": "1/ω₀",
        "coupling": "ω₀",
        "tau": "1/ω₀",
        "coupling_kind": "",
        "n_collisions": "",
        "initial": "",
    }
    HELP: ClassVar[dict[str, str]] = {
        "omega": "battery and ancilla splitting ω (1: the energy unit)",
        "beta": "inverse temperature β of the ancillas' Gibbs state (≥ 0)",
        "coupling": "battery–ancilla coupling J (> 0)",
        "tau": "duration τ of one collision (> 0)",
        "coupling_kind": "'inverting' (J(σ_B^+σ_A^+ + h.c.), active fixed point) | 'energy_conserving' (passive)",
        "n_collisions": "number of collisions; the battery is sampled after each (times n·τ)",
        "initial": "battery state before the first collision: 'ground' | 'passive_fixed_point' (σ_π)",
    }

    omega: float = 1.0
    beta: float = 1.3
    coupling: float = 0.4
    tau: float = 1.7
    coupling_kind: str = "inverting"
    n_collisions: int = 30
    initial: str = "ground"

    def _validate(self) -> None:
        self._set("omega", check_real(self.omega, "omega", minimum=0.0, strict=True))
        self._set("beta", check_real(self.beta, "beta", minimum=0.0))
        self._set("coupling", check_real(self.coupling, "coupling", minimum=0.0, strict=True))
        self._set("tau", check_real(self.tau, "tau", minimum=0.0, strict=True))
        check_choice(self.coupling_kind, "coupling_kind", COLLISION_COUPLINGS)
        self._set("n_collisions", check_int(self.n_collisions, "n_collisions", minimum=1, maximum=100000))
        check_choice(self.initial, "initial", COLLISION_INITIAL_STATES)

    @property
    def times(self) -> tuple[float, ...]:
        """The sampling times n·τ, n = 0 … ``n_collisions`` (units 1/ω₀)."""
        return tuple(n * self.tau for n in range(self.n_collisions + 1))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (:class:`~qbhw.protocols.base.ChargingResults`, with ``average_power`` = W(nτ)/(nτ)),
    the fitted β and the fixed point's charging figures (review Eq. 52), energies in units of ω₀:

    ``beta``, ``beta_ci95``: fitted inverse temperature; ``fixed_point_ergotropy``: 𝓔[π];
    ``fixed_point_energy``: Tr[H_B π]; ``charging_work``: W_ch = Tr[(H_B − H'_B)(π − ρ_0)];
    ``charging_heat``: Q_ch = Tr[H'_B(π − ρ_0)] (heat from the ancillas); ``efficiency``: η = 𝓔[π]/W_ch
    (``None`` when W_ch = 0: the energy-conserving coupling); ``efficiency_from_heat``: 1 − |Q_ch|/W_ch
    (the review's second form, equal to η when ρ_0 = σ_π); ``equilibrium``: ``"active"`` | ``"passive"``;
    ``transition_probability``: P of one collision; ``final_switching_work``, ``final_heat``: the work and
    heat of the acquired collisions, from the ancillas' energy changes.
    """

    beta: float = math.nan
    beta_ci95: tuple | None = None
    fixed_point_ergotropy: float | None = None
    fixed_point_energy: float | None = None
    charging_work: float | None = None
    charging_heat: float | None = None
    efficiency: float | None = None
    efficiency_from_heat: float | None = None
    equilibrium: str = ""
    transition_probability: float = math.nan
    final_switching_work: float = math.nan
    final_heat: float = math.nan


def build_model(parameters: Parameters, *, beta: float | None = None) -> CollisionBattery:
    """The :class:`~qbhw.models.CollisionBattery` the parameters describe (β replaced when given)."""
    p = parameters
    return CollisionBattery(omega=p.omega, beta=p.beta if beta is None else beta, coupling=p.coupling, tau=p.tau,
                            coupling_kind=p.coupling_kind, initial=p.initial)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """The battery after 0 … ``n_collisions`` collisions (exact repeated map)."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context)


def analyse(data: Data, *, fit: bool = True, beta_range: tuple[float, float] | None = None,
            **fit_options) -> Results:
    """Fit β through the collision solver; the fixed point's 𝓔[π], W_ch, Q_ch and η (review Eq. 52)."""
    p: Parameters = data.parameters
    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    notes: list[str] = []
    model = build_model(p)
    out["equilibrium"] = model.equilibrium
    out["transition_probability"] = model.transition_probability()
    if "switching_work" in curve.observables:
        out["final_switching_work"] = float(curve.observables["switching_work"][-1])
        out["final_heat"] = float(curve.observables["heat"][-1])
    try:
        costs = model.charging_costs()
        pi = model.fixed_point()
    except InvalidArgumentError as exc:  # no unique fixed point (a full Rabi revival)
        notes.append(f"no fixed-point figures: {exc}")
    else:
        out.update(fixed_point_ergotropy=costs.ergotropy, charging_work=costs.work, charging_heat=costs.heat,
                   efficiency=costs.efficiency, efficiency_from_heat=costs.efficiency_from_heat,
                   fixed_point_energy=float((model.battery_operator() @ pi).trace().real))
        if costs.efficiency is None:
            notes.append("W_ch = 0 (H'_B = H_B): the efficiency is undefined")
    theory = None
    if fit:
        lo, hi = beta_range or (0.0, max(5.0 * p.beta, 1.0))
        theory = model_parameter_fit(lambda beta: build_model(p, beta=beta), "beta", observable="energy",
                                     value_range=(lo, hi), scan="linear", scan_points=40,
                                     name=f"CollisionBattery({p.coupling_kind}, {p.initial})")
    fit_result = fit_parameter_into(out, notes, data, theory, "beta", observable="energy", x_unit="1/omega_0",
                                    y_unit="omega_0", **fit_options)
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Battery energy and ergotropy against t = nτ, with the fixed point's energy and ergotropy marked."""
    p = data.parameters

    def marks(ax):
        if results.fixed_point_energy is not None:
            ax.axhline(results.fixed_point_energy, color="C0", ls=":", lw=0.8, label="energy of π")
        if results.fixed_point_ergotropy is not None:
            ax.axhline(results.fixed_point_ergotropy, color="C1", ls=":", lw=0.8, label="ergotropy of π")

    return plot_charging(data, results, observable="energy", time_label="t = nτ [1/ω₀]", energy_label="energy [ω₀]",
                         title=f"collisions ({p.coupling_kind}), β = {p.beta:g}, J = {p.coupling:g}, τ = {p.tau:g}",
                         extra=marks)
