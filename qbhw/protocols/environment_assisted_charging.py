"""Environment-assisted (non-Markovian) charging: a charger two-level system hands its excitation to a battery
two-level system while a structured reservoir damps it (review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.A.2;
Kamin, Tabesh, Salimi, Kheirandish and Santos, New J. Phys. 22, 083037, 2020).

The reservoir has a Lorentzian spectral density (strength γ_0, width λ), treated exactly by one damped
pseudomode per damped two-level system (Garraway, Phys. Rev. A 55, 2290, 1997;
:class:`~qbhw.models.EnvironmentAssistedBattery`); ``memory="markovian"`` uses its memoryless limit (rate γ_0)
instead. Every acquisition also charges the Markovian limit of the same parameters, so the analysis can show
what the reservoir's memory is worth: with γ_0 > λ/2 (non-Markovian) and the charger–battery coupling
comparable to γ_0, the battery charges almost fully, while without memory most of the energy leaks out.

Procedure: **parameters** → **acquisition** on ``exact`` (the GKSL master equation of two-level systems +
pseudomodes, through :func:`qbhw.charge`; the Markovian comparison curve is stored as the observables
``markovian_energy`` and ``markovian_ergotropy``) → **analysis**: the charger–battery coupling κ fitted to the
battery energy through the same solver; the largest stored energy and ergotropy, and the same in the
Markovian limit → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..fit import model_parameter_fit
from ..models import EnvironmentAssistedBattery
from ..models.environment_assisted import ENVIRONMENTS, MEMORY_MODES
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

__all__ = ["BACKENDS", "NAME", "Parameters", "Results", "acquire", "analyse", "build_model", "plot"]

NAME = "environment_assisted_charging"
BACKENDS = ("exact",)


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters of :class:`~qbhw.models.EnvironmentAssistedBattery` and the charging times.

    ``coupling``: charger–battery exchange κ (≥ 0, units ω); ``gamma0``: Markovian decay rate γ_0 of a damped
    two-level system (> 0); ``width``: Lorentzian half-width λ (> 0; memory time 1/λ); ``omega``: the gap ω;
    ``environment``: damped two-level system(s), ``"charger"`` | ``"battery"`` | ``"both"``; ``memory``:
    ``"pseudomode"`` (exact Lorentzian reservoir) | ``"markovian"`` (its memoryless limit); ``cutoff``: Fock
    cut-off of each pseudomode (``None``: automatic, 2); ``times``: charging times (units 1/ω).
    """

    UNITS: ClassVar[dict[str, str]] = {
        "coupling": "ω",
        "gamma0": "ω",
        "width": "ω",
        "omega": "ω",
        "environment": "",
        "memory": "",
        "cutoff": "",
        "times": "1/ω",
    }
    HELP: ClassVar[dict[str, str]] = {
        "coupling": "resonant charger–battery exchange κ (≥ 0)",
        "gamma0": "Markovian decay rate γ_0 of a damped two-level system (> 0; strength of the Lorentzian)",
        "width": "half-width λ of the Lorentzian spectral density (> 0; γ_0 > λ/2 is non-Markovian)",
        "omega": "gap ω of both two-level systems and centre of the Lorentzian (1: the energy unit)",
        "environment": "damped two-level system(s): 'charger' | 'battery' | 'both' (independent reservoirs)",
        "memory": "'pseudomode' (exact Lorentzian reservoir) | 'markovian' (rate γ_0, no memory)",
        "cutoff": "Fock cut-off of each pseudomode (None: automatic, 2)",
        "times": "charging times (an array or {start, stop, num})",
    }

    coupling: float = 0.05
    gamma0: float = 0.05
    width: float = 0.005
    omega: float = 1.0
    environment: str = "charger"
    memory: str = "pseudomode"
    cutoff: int | None = None
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 150.0, 76))

    def _validate(self) -> None:
        self._set("coupling", check_real(self.coupling, "coupling", minimum=0.0))
        self._set("gamma0", check_real(self.gamma0, "gamma0", minimum=0.0, strict=True))
        self._set("width", check_real(self.width, "width", minimum=0.0, strict=True))
        self._set("omega", check_real(self.omega, "omega", minimum=0.0, strict=True))
        check_choice(self.environment, "environment", ENVIRONMENTS)
        check_choice(self.memory, "memory", MEMORY_MODES)
        self._set("cutoff", check_int(self.cutoff, "cutoff", minimum=1, allow_none=True))
        self._set("times", time_grid(self.times))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (:class:`~qbhw.protocols.base.ChargingResults`; ``max_energy`` is the largest stored
    energy) and the memory figures (energies in ω):

    ``coupling``, ``coupling_ci95``: fitted κ; ``max_ergotropy``: largest battery ergotropy on the curve;
    ``markovian_max_energy``, ``markovian_max_ergotropy``: the same in the Markovian limit (rate γ_0);
    ``ergotropy_gain``: ``max_ergotropy − markovian_max_ergotropy``; ``non_markovian``: γ_0 > λ/2.
    """

    coupling: float = math.nan
    coupling_ci95: tuple | None = None
    max_ergotropy: float | None = None
    markovian_max_energy: float = math.nan
    markovian_max_ergotropy: float | None = None
    ergotropy_gain: float | None = None
    non_markovian: bool = False


def build_model(parameters: Parameters, *, coupling: float | None = None,
                memory: str | None = None) -> EnvironmentAssistedBattery:
    """The :class:`~qbhw.models.EnvironmentAssistedBattery` the parameters describe (κ or the memory mode
    replaced when given)."""
    p = parameters
    return EnvironmentAssistedBattery(p.coupling if coupling is None else coupling, p.gamma0, p.width, p.omega,
                                      environment=p.environment, memory=p.memory if memory is None else memory,
                                      cutoff=p.cutoff)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Battery energy and ergotropy with the chosen reservoir, plus the Markovian comparison curve."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    data = acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context)
    markov = obj.run_model(build_model(parameters, memory="markovian"), np.asarray(parameters.times, dtype=float))
    data.curve.observables["markovian_energy"] = np.asarray(markov.energy, dtype=float)
    if markov.ergotropy is not None:
        data.curve.observables["markovian_ergotropy"] = np.asarray(markov.ergotropy, dtype=float)
    return data


def _max_or_none(values) -> float | None:
    return None if values is None else float(np.max(values))


def analyse(data: Data, *, fit: bool = True, coupling_range: tuple[float, float] | None = None,
            **fit_options) -> Results:
    """Fit κ to the battery energy; the largest energy and ergotropy, with and without memory."""
    p: Parameters = data.parameters
    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    notes: list[str] = []
    out["max_ergotropy"] = _max_or_none(curve.ergotropy)
    markov_energy = curve.observables.get("markovian_energy")
    out["markovian_max_energy"] = math.nan if markov_energy is None else float(np.max(markov_energy))
    out["markovian_max_ergotropy"] = _max_or_none(curve.observables.get("markovian_ergotropy"))
    if out["max_ergotropy"] is not None and out["markovian_max_ergotropy"] is not None:
        out["ergotropy_gain"] = out["max_ergotropy"] - out["markovian_max_ergotropy"]
    out["non_markovian"] = bool(p.gamma0 > p.width / 2.0)
    if p.memory == "markovian":
        notes.append("memory='markovian': the curve is itself the Markovian limit")
    theory = None
    if fit:
        lo, hi = coupling_range or (max(p.coupling / 2.0, 1e-4), max(2.0 * p.coupling, 1e-3))
        # the energy oscillates at a frequency ∝ κ: a linear scan finer than π/(4 t_max) in κ starts the fit
        # in the right valley of the least-squares landscape
        points = int(np.clip(np.ceil((hi - lo) * 4.0 * float(curve.times[-1]) / math.pi), 8, 200))
        theory = model_parameter_fit(lambda coupling: build_model(p, coupling=coupling), "coupling",
                                     observable="energy", value_range=(lo, hi), scan="linear", scan_points=points,
                                     name=f"EnvironmentAssistedBattery({p.environment}, {p.memory})")
    fit_result = fit_parameter_into(out, notes, data, theory, "coupling", observable="energy", x_unit="1/omega",
                                    y_unit="omega", **fit_options)
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Battery energy (fitted) and ergotropy against time, with the Markovian-limit curves."""
    p = data.parameters
    curve = data.curve

    def markovian(ax):
        e = curve.observables.get("markovian_energy")
        if e is not None:
            ax.plot(curve.times, e, "-", lw=0.9, color="grey", label="energy, Markovian limit")
        erg = curve.observables.get("markovian_ergotropy")
        if erg is not None:
            ax.plot(curve.times, erg, "--", lw=0.9, color="grey", label="ergotropy, Markovian limit")

    regime = "non-Markovian" if results.non_markovian else "Markovian regime"
    return plot_charging(data, results, observable="energy", time_label="t [1/ω]", energy_label="energy [ω]",
                         extra=markovian,
                         title=f"environment-assisted charging ({p.memory}, {p.environment} damped, {regime}), "
                               f"γ_0 = {p.gamma0:g}, λ = {p.width:g}")
