"""Charging a d-level battery through a homodyne-monitored two-level charger with linear feedback (review
Rev. Mod. Phys. 96, 031001 (2024), Sec. V.B.4, Eq. 58; Mitchison, Goold and Prior, Quantum 5, 500, 2021).

The charger exchanges quanta with the battery (``H_1 = g(s_B σ_C^+ + h.c.)``), emits at rate γ into a field
whose homodyne record ``r`` (Eq. 58) drives it back, ``H_drive = p(Ω_0 − f r(t − τ)) σ_C^y``. With zero delay
the averaged state obeys the Wiseman–Milburn feedback master equation; the gain ``p f = γ`` turns emission into
pumping and charges the battery monotonically to its top level. A finite delay is simulated by averaging
seeded trajectories of the Itô stochastic master equation; a long delay breaks the loop and leaves the
charger near the maximally mixed state (:class:`~qbhw.models.FeedbackBattery`,
:class:`~qbhw.models.DelayedFeedbackBattery`, :mod:`qbhw.solvers.feedback`).

Procedure: **parameters** → **acquisition** on ``exact`` (:func:`qbhw.charge`: the master equation, or the
trajectory average with ``method="trajectories"``, required for ``delay > 0``) → **analysis**: the coupling g
fitted through the master equation (zero-delay master-equation data only), battery energy and ergotropy,
the top-level population, the charger's purity and excitation, and the steady state of the master equation →
**plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError
from ..fit import model_parameter_fit
from ..models import DelayedFeedbackBattery, FeedbackBattery
from ._charging import acquire_model, fit_parameter_into, plot_charging
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

NAME = "feedback_charging"
BACKENDS = ("exact",)
METHODS = ("master_equation", "trajectories")


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters of :class:`~qbhw.models.FeedbackBattery` (energies in ω₀, the level spacing).

    ``levels``, ``coupling``, ``gamma``, ``feedback`` (``None``: γ/p, population stabilisation), ``rabi``,
    ``efficiency``, ``drive_prefactor``: as the model's; ``delay``: loop delay τ; ``method``:
    ``"master_equation"`` (zero delay only) | ``"trajectories"``; ``n_trajectories``, ``time_step``:
    the trajectory average (``seed`` seeds it; ``None`` → 0); ``times``: sampling times (multiples of
    ``time_step`` for trajectories).
    """

    UNITS: ClassVar[dict[str, str]] = {
        "levels": "",
        "coupling": "ω₀",
        "gamma": "ω₀",
        "feedback": "ω₀",
        "rabi": "ω₀",
        "efficiency": "",
        "drive_prefactor": "",
        "delay": "1/ω₀",
        "method": "",
        "n_trajectories": "",
        "time_step": "1/ω₀",
        "times": "1/ω₀",
    }
    HELP: ClassVar[dict[str, str]] = {
        "levels": "battery levels d (≥ 2)",
        "coupling": "battery–charger exchange g (> 0)",
        "gamma": "spontaneous-emission rate γ of the charger (> 0)",
        "feedback": "feedback strength f in Ω = Ω_0 − f r (None: γ/p, the gain that pumps the charger into |e⟩)",
        "rabi": "constant Rabi drive Ω_0 of the charger",
        "efficiency": "homodyne detection efficiency ς in (0, 1]",
        "drive_prefactor": "p in H_drive = p Ω(t) σ_C^y (1: the review's Ω σ_C^y; 0.5 for (Ω/2) σ_C^y)",
        "delay": "feedback-loop delay τ (≥ 0; > 0 needs method='trajectories')",
        "method": "'master_equation' (zero-delay Wiseman–Milburn equation) | 'trajectories' (stochastic average)",
        "n_trajectories": "trajectories averaged (method='trajectories')",
        "time_step": "time step of the stochastic integration (method='trajectories'; times and delay multiples of it)",
        "times": "sampling times (an array or {start, stop, num})",
    }

    levels: int = 4
    coupling: float = 0.5
    gamma: float = 1.0
    feedback: float | None = None
    rabi: float = 0.0
    efficiency: float = 1.0
    drive_prefactor: float = 1.0
    delay: float = 0.0
    method: str = "master_equation"
    n_trajectories: int = 200
    time_step: float = 0.005
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 20.0, 41))

    def _validate(self) -> None:
        self._set("levels", check_int(self.levels, "levels", minimum=2, maximum=200))
        self._set("coupling", check_real(self.coupling, "coupling", minimum=0.0, strict=True))
        self._set("gamma", check_real(self.gamma, "gamma", minimum=0.0, strict=True))
        self._set("feedback", check_real(self.feedback, "feedback", allow_none=True))
        self._set("rabi", check_real(self.rabi, "rabi"))
        self._set("efficiency", check_real(self.efficiency, "efficiency", minimum=0.0, maximum=1.0))
        if self.efficiency == 0.0:
            raise ConfigError("got 0", argument="efficiency", allowed="a number in (0, 1]")
        self._set("drive_prefactor", check_real(self.drive_prefactor, "drive_prefactor", minimum=0.0, strict=True))
        self._set("delay", check_real(self.delay, "delay", minimum=0.0))
        check_choice(self.method, "method", METHODS)
        if self.delay > 0 and self.method != "trajectories":
            raise ConfigError(f"a delay ({self.delay:g}) makes the averaged dynamics non-Markovian",
                              argument="method", allowed="'trajectories' when delay > 0")
        self._set("n_trajectories", check_int(self.n_trajectories, "n_trajectories", minimum=2))
        self._set("time_step", check_real(self.time_step, "time_step", minimum=0.0, strict=True))
        self._set("times", time_grid(self.times))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (:class:`~qbhw.protocols.base.ChargingResults`) and, at the last time (energies in ω₀):

    ``coupling``, ``coupling_ci95``: fitted g (master-equation data only); ``top_population``: population of the
    battery's top level; ``charger_purity``: Tr ϱ_C² of the averaged charger state (½: maximally mixed);
    ``charger_excited``: its excited population; ``min_power``: the smallest dE/dt on the curve (≥ 0 for
    monotonic charging); ``steady_top_population``, ``steady_charger_purity``, ``steady_energy``: the steady
    state of the zero-delay master equation (``None`` for trajectories or a non-unique steady state);
    ``energy_stderr``: standard error of the final energy (trajectories; ``None`` for the master equation).
    """

    coupling: float = math.nan
    coupling_ci95: tuple | None = None
    top_population: float = math.nan
    charger_purity: float = math.nan
    charger_excited: float = math.nan
    min_power: float = math.nan
    steady_top_population: float | None = None
    steady_charger_purity: float | None = None
    steady_energy: float | None = None
    energy_stderr: float | None = None


def build_model(parameters: Parameters, *, coupling: float | None = None) -> FeedbackBattery:
    """The model the parameters describe (``coupling`` replaced when given): a :class:`FeedbackBattery`
    (master equation) or a :class:`DelayedFeedbackBattery` (trajectories)."""
    p = parameters
    kw = dict(feedback=p.feedback, rabi=p.rabi, efficiency=p.efficiency, drive_prefactor=p.drive_prefactor)
    g = p.coupling if coupling is None else coupling
    if p.method == "trajectories":
        return DelayedFeedbackBattery(p.levels, g, p.gamma, delay=p.delay, n_trajectories=p.n_trajectories,
                                      time_step=p.time_step, seed=0 if p.seed is None else p.seed, **kw)
    return FeedbackBattery(p.levels, g, p.gamma, **kw)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Battery energy, ergotropy and charger observables against time (see the module docstring)."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context)


def analyse(data: Data, *, fit: bool = True, coupling_range: tuple[float, float] | None = None,
            **fit_options) -> Results:
    """Fit g through the zero-delay master equation (its data only); charging and charger figures of merit."""
    p: Parameters = data.parameters
    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    notes: list[str] = []
    obs = curve.observables
    out.update(top_population=float(obs["top_population"][-1]), charger_purity=float(obs["charger_purity"][-1]),
               charger_excited=float(obs["charger_excited"][-1]), min_power=float(np.min(curve.power.power)))
    steady = curve.metadata.get("steady_state")
    if steady:
        out.update(steady_top_population=steady["top_population"], steady_charger_purity=steady["charger_purity"],
                   steady_energy=steady["battery_energy"])
    if curve.energy_stderr is not None:
        out["energy_stderr"] = float(curve.energy_stderr[-1])
    fit_result = None
    if fit and p.method == "master_equation":
        lo, hi = coupling_range or (p.coupling / 5.0, 5.0 * p.coupling)
        theory = model_parameter_fit(lambda g: build_model(p, coupling=g), "coupling", observable="energy",
                                     value_range=(lo, hi), scan="log", scan_points=12,
                                     charge_options={"ergotropy": False, "charger": False},
                                     name=f"FeedbackBattery(d={p.levels})")
        fit_result = fit_parameter_into(out, notes, data, theory, "coupling", observable="energy",
                                        x_unit="1/omega_0", y_unit="omega_0", **fit_options)
    elif fit:
        notes.append("no fit: the coupling is fitted through the zero-delay master equation (method='master_equation')")
    else:
        notes.append("no fit requested")
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Battery energy and ergotropy against time, with the top-level population and the charger's purity."""
    p = data.parameters
    curve = data.curve

    def charger(ax):
        e_max = float(curve.metadata.get("e_max", p.levels - 1))
        ax.plot(curve.times, e_max * curve.observables["top_population"], ":", lw=1.0,
                label=f"top-level population × {e_max:g}")
        ax.plot(curve.times, curve.observables["charger_purity"], "-.", lw=1.0, label="charger purity Tr ϱ_C²")

    how = "master equation" if p.method == "master_equation" else f"{p.n_trajectories} trajectories"
    return plot_charging(data, results, observable="energy", time_label="t [1/ω₀]", energy_label="energy [ω₀]",
                         title=f"feedback charging, d = {p.levels}, g = {p.coupling:g}, τ = {p.delay:g} ({how})",
                         extra=charger)
