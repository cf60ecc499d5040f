"""Loss-free storage in a decoherence-free subspace: the six-site ring battery (Liu, Segal and Hanna, J. Phys.
Chem. C 123, 18303, 2019; review Rev. Mod. Phys. 96, 031001 (2024), Sec. V.C.1, Eqs. 59–60, Fig. 9).

One excitation on a ring of six sites whose environment dephases only the surface sites 1 and 4
(:class:`~qbhw.models.DFSRingBattery`, L_j = √γ_φ |j⟩⟨j|). The reflection through the axis 1–4 (|2⟩ ↔ |6⟩,
|3⟩ ↔ |5⟩) commutes with the ring Hamiltonian and the bath operators; its odd sector, which holds the dark
states ψ_± = ½(|6⟩ − |2⟩ ± |5⟩ ∓ |3⟩) (energies E_bulk ± J_0), is decoherence free. A dark state keeps its
energy and ergotropy forever; a state with weight outside (``"bright"``, ``"site:k"``) dephases; a detuning
χ of one arm breaks the symmetry and releases the stored excitation.

Procedure: **parameters** → **acquisition** on ``exact`` (the GKSL master equation, review Eq. 51, through
:func:`qbhw.charge`) → **analysis**: the storage figures (energy and ergotropy at the start and at the final
time, the fractions retained, the weight of the initial state in the decoherence-free subspace, and whether
the initial state is stationary, ‖𝓛[ρ_0]‖ ≈ 0); for a decaying state the dephasing rate γ_φ is fitted to
the ergotropy curve through the same solver (a stationary state's curve does not depend on γ_φ: nothing is
fitted then) → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..fit import model_parameter_fit
from ..models import DFSRingBattery
from ..models.dfs import DFS_INITIAL_STATES
from ..solvers.lindblad import lindblad_rate
from ._charging import acquire_model, fit_parameter_into, plot_charging
from .base import (
    ChargingResults,
    Data,
    ProtocolParameters,
    check_choice,
    check_real,
    resolve_backend,
    time_grid,
)

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot",
           "STATIONARY_TOLERANCE"]

NAME = "dfs_storage"
BACKENDS = ("exact",)
#: ‖𝓛[ρ_0]‖ (Frobenius, relative to the largest energy scale) below which the initial state is stationary
STATIONARY_TOLERANCE = 1e-10


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters of :class:`~qbhw.models.DFSRingBattery` and the storage times.

    ``e1``, ``e4``: surface-site energies; ``e_bulk``: energy of sites 2, 3, 5, 6; ``hopping``: J_0;
    ``dephasing``: γ_φ of sites 1 and 4 (≥ 0); ``chi``: symmetry-breaking detuning of sites 2 and 3;
    ``initial``: ``"dark_plus"`` | ``"dark_minus"`` | ``"bright"`` | ``"site:k"`` (k = 1…6); ``times``: storage
    times (units 1/ω₀).
    """

    UNITS: ClassVar[dict[str, str]] = {
        "e1": "ω₀",
        "e4": "ω₀",
        "e_bulk": "ω₀",
        "hopping": "ω₀",
        "dephasing": "ω₀",
        "chi": "ω₀",
        "initial": "",
        "times": "1/ω₀",
    }
    HELP: ClassVar[dict[str, str]] = {
        "e1": "energy E_1 of surface site 1",
        "e4": "energy E_4 of surface site 4",
        "e_bulk": "energy of the bulk sites 2, 3, 5, 6",
        "hopping": "nearest-neighbour ring coupling J_0",
        "dephasing": "pure-dephasing rate γ_φ of sites 1 and 4 (L = √γ_φ |j⟩⟨j|, ≥ 0)",
        "chi": "symmetry-breaking detuning of sites 2 and 3 (0: exact decoherence-free subspace)",
        "initial": "initial state: 'dark_plus' | 'dark_minus' | 'bright' | 'site:k' (k = 1…6)",
        "times": "storage times (an array or {start, stop, num})",
    }

    e1: float = 0.3
    e4: float = 0.7
    e_bulk: float = 1.0
    hopping: float = 0.2
    dephasing: float = 0.5
    chi: float = 0.0
    initial: str = "dark_plus"
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 40.0, 41))

    def _validate(self) -> None:
        for name in ("e1", "e4", "e_bulk", "hopping", "chi"):
            self._set(name, check_real(getattr(self, name), name))
        self._set("dephasing", check_real(self.dephasing, "dephasing", minimum=0.0))
        check_choice(self.initial, "initial", DFS_INITIAL_STATES)
        self._set("times", time_grid(self.times))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (:class:`~qbhw.protocols.base.ChargingResults`) and the storage figures (energies in
    ω₀, measured from the ring's lowest single-excitation level):

    ``dephasing``, ``dephasing_ci95``: fitted γ_φ (NaN / ``None`` when nothing was fitted); ``initial_energy``,
    ``initial_ergotropy``: at the first time; ``energy_retained``, ``ergotropy_retained``: final over initial
    value (``None`` when the initial value is 0); ``stationary``: whether ‖𝓛[ρ_0]‖ is below
    ``STATIONARY_TOLERANCE`` (a dark state with χ = 0); ``stationarity_residual``: ‖𝓛[ρ_0]‖ (Frobenius);
    ``dfs_weight``: weight of ρ_0 in the reflection-odd (decoherence-free when χ = 0) sector; ``symmetric``:
    χ = 0.
    """

    dephasing: float = math.nan
    dephasing_ci95: tuple | None = None
    initial_energy: float = math.nan
    initial_ergotropy: float | None = None
    energy_retained: float | None = None
    ergotropy_retained: float | None = None
    stationary: bool = False
    stationarity_residual: float = math.nan
    dfs_weight: float = math.nan
    symmetric: bool = True


def build_model(parameters: Parameters, *, dephasing: float | None = None) -> DFSRingBattery:
    """The :class:`~qbhw.models.DFSRingBattery` the parameters describe (γ_φ replaced when given)."""
    p = parameters
    return DFSRingBattery(e1=p.e1, e4=p.e4, e_bulk=p.e_bulk, hopping=p.hopping,
                          dephasing=p.dephasing if dephasing is None else dephasing, initial=p.initial, chi=p.chi)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """Energy and ergotropy of the ring during storage (GKSL evolution of the initial state)."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    return acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context)


def _ratio(final: float | None, first: float | None) -> float | None:
    if final is None or first is None or abs(first) <= 1e-14:
        return None
    return float(final / first)


def analyse(data: Data, *, fit: bool = True, dephasing_range: tuple[float, float] | None = None,
            **fit_options) -> Results:
    """Storage figures; γ_φ fitted to the ergotropy curve unless the initial state is stationary.

    The loss of ergotropy is fastest at an intermediate dephasing rate (slow for weak dephasing, and again for
    strong dephasing, which freezes the hopping: a Zeno effect), so two rates give nearly the same curve (for
    the bright state, γ_φ = 0.5 and ≈ 5.1). The guess therefore scans ``dephasing_range``, by default γ/5 … 5γ
    around the acquired rate; pass a range to search elsewhere, and compare both branches for measured data.
    """
    p: Parameters = data.parameters
    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    notes: list[str] = []
    model = build_model(p)
    rho0 = model.battery_state(model.initial_state())
    rate = lindblad_rate(model.charging_hamiltonian(), model.jump_operators(), rho0)
    residual = float(np.linalg.norm(rate))
    scale = max(1.0, float(np.max(np.abs(model.ring_hamiltonian()))), p.dephasing)
    out.update(initial_energy=float(curve.energy[0]),
               initial_ergotropy=None if curve.ergotropy is None else float(curve.ergotropy[0]),
               stationary=residual <= STATIONARY_TOLERANCE * scale, stationarity_residual=residual,
               dfs_weight=model.decoherence_free_weight(rho0), symmetric=model.symmetric)
    if out["stationary"]:  # a constant curve has no energy peak (only round-off wiggles)
        out["tau_energy_peak"] = None
    out["energy_retained"] = _ratio(out["final_energy"], out["initial_energy"])
    out["ergotropy_retained"] = _ratio(out["final_ergotropy"], out["initial_ergotropy"])
    fit_result = None
    if not fit:
        notes.append("no fit requested")
    elif out["stationary"]:
        notes.append("the initial state is stationary (‖𝓛[ρ_0]‖ = "
                     f"{residual:.2g}): its curve does not depend on γ_φ, nothing to fit")
    elif curve.ergotropy is None:
        notes.append("the curve has no ergotropy: nothing to fit")
    else:
        if dephasing_range is not None:
            lo, hi = dephasing_range
        elif p.dephasing > 0:
            lo, hi = p.dephasing / 5.0, 5.0 * p.dephasing
        else:
            lo, hi = 1e-3, 1.0
        theory = model_parameter_fit(lambda dephasing: build_model(p, dephasing=dephasing), "dephasing",
                                     observable="ergotropy", value_range=(lo, hi), scan="log", scan_points=16,
                                     name=f"DFSRingBattery({p.initial})")
        fit_result = fit_parameter_into(out, notes, data, theory, "dephasing", observable="ergotropy",
                                        x_unit="1/omega_0", y_unit="omega_0", **fit_options)
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def plot(data: Data, results: Results):
    """Ergotropy (fitted) and energy against storage time."""
    p = data.parameters
    curve = data.curve

    def energy_line(ax):
        ax.plot(curve.times, curve.energy, "-", lw=1.0, color="grey", label="energy")

    if curve.ergotropy is None:
        return plot_charging(data, results, observable="energy", time_label="t [1/ω₀]", energy_label="energy [ω₀]",
                             title=f"DFS ring, {p.initial}")
    state = "stationary" if results.stationary else "decaying"
    return plot_charging(data, results, observable="ergotropy", time_label="t [1/ω₀]",
                         energy_label="ergotropy, energy [ω₀]", extra=energy_line,
                         title=f"DFS ring, {p.initial} ({state}), γ_φ = {p.dephasing:g}, χ = {p.chi:g}")
