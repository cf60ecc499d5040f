"""Superabsorption in an organic microcavity: charging rate and stored energy of N emitters in a lossy, pumped
cavity versus N (review Sec. VI.C; Quach, McGhee, Ganzer, Rouse, Lovett, Gauger, Keeling, Cerullo, Lidzey &
Virgili, Sci. Adv. 8, eabk3160, 2022).

The experiment varies the number of dye molecules N in one microcavity (the dye concentration), pumps the
cavity with a femtosecond pulse and follows the molecules' excited-state population (the stored energy) in
time: the charging rate grows faster than N (superabsorption) and dephasing helps the ensemble keep the energy.
The model is :class:`~qbhw.models.OpenDickeBattery`: N two-level emitters (splitting ω_0) coupled with g to one
cavity mode (Tavis–Cummings, rotating frame of the pump), cavity loss κ, emitter decay and dephasing (and
optionally collective decay), pumped by a Gaussian pulse F(t) on the cavity; solved exactly in the
permutation-invariant basis (:class:`qbhw.solvers.PermutationalDicke`). The paper's material parameters
(Rabi splitting, κ, dephasing, pump fluence) are not printed in the review; the defaults here are dimensionless
(energies in units of ω_0, times in 1/ω_0): strong coupling (g√N > κ), a pump pulse shorter than the collective
Rabi period. There the rise time follows the collective Rabi frequency g√N (it shrinks as N^{-1/2} once the pulse
is short enough), while a weak pump supplies a fixed number of photons and bounds the stored energy; the
exponents the analysis reports are those of the chosen parameters, not the paper's (change the pump and losses
to model a device).

Procedure: **parameters** (the N values, light–matter coupling, losses, pulse) → **acquisition** on ``exact``
(one charging curve per N; the curve of the largest N is the protocol's curve, every curve's energy is kept as
the observable ``energy_N<N>``) → **analysis**: per N the peak charging power max dE/dt (the charging rate),
the largest stored energy, the rise time (10 % → 90 % of the largest energy) and the fraction still stored at
the end; their scaling exponents versus N (log-log fit with a bootstrap interval, :func:`qbhw.fit.fit_scaling_exponent`);
and a theory-backed fit of g to the rate-versus-N curve (:func:`qbhw.fit.superabsorption_model`) → **plot**.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError, DataError
from ..fit import FitResult, fit_curve, fit_scaling_exponent, make_fit_data, superabsorption_model
from ..fit.theory import SIZE_QUANTITIES
from ..models import OpenDickeBattery
from ._charging import acquire_model, record_fit
from .base import ChargingResults, Data, ProtocolParameters, check_choice, check_int, check_real, resolve_backend, time_grid

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "build_model", "acquire", "analyse", "plot",
           "size_figures"]

NAME = "microcavity_superabsorption"
BACKENDS = ("exact",)
QUANTITIES = tuple(SIZE_QUANTITIES)


@dataclass(frozen=True, kw_only=True)
class Parameters(ProtocolParameters):
    """Parameters of the pumped microcavity (names as :class:`~qbhw.models.OpenDickeBattery`'s; energies in
    units of ω_0, times in 1/ω_0)."""

    UNITS: ClassVar[dict[str, str]] = {
        "n_values": "", "coupling": "ω_0", "coupling_scaling": "", "omega_c": "ω_0", "cavity_dim": "",
        "pump_amplitude": "ω_0", "pump_center": "1/ω_0", "pump_width": "1/ω_0", "cavity_loss": "ω_0",
        "emission": "ω_0", "dephasing": "ω_0", "collective_emission": "ω_0", "times": "1/ω_0",
    }
    HELP: ClassVar[dict[str, str]] = {
        "n_values": "numbers N of emitters in the cavity (the dye concentrations), increasing",
        "coupling": "light–matter coupling g of one emitter (Tavis–Cummings)",
        "coupling_scaling": "'fixed' (one cavity, density grows with N) | 'inverse_sqrt' (g/√N: fixed density)",
        "omega_c": "cavity frequency (the emitters' splitting ω_0 is 1); the pump is resonant with the cavity",
        "cavity_dim": "Fock-space dimension of the cavity (photon cut-off + 1; its population is checked)",
        "pump_amplitude": "peak amplitude F of the Gaussian pump pulse on the cavity, F(t)(a + a†)",
        "pump_center": "time of the pulse maximum",
        "pump_width": "standard deviation of the Gaussian pulse envelope",
        "cavity_loss": "cavity photon loss rate κ (κ 𝒟[a])",
        "emission": "emitter decay rate 1/T1 (per emitter)",
        "dephasing": "emitter dephasing rate 2/Tφ (per emitter; qutip.piqs convention)",
        "collective_emission": "collective (superradiant) decay rate of the ensemble, γ/2 𝓛[J_−]",
        "times": "times of the charging curves (an array or {start, stop, num})",
    }

    n_values: tuple = (1, 2, 4, 6)
    coupling: float = 0.1
    coupling_scaling: str = "fixed"
    omega_c: float = 1.0
    cavity_dim: int = 6
    pump_amplitude: float = 0.1
    pump_center: float = 4.0
    pump_width: float = 1.0
    cavity_loss: float = 0.05
    emission: float = 0.002
    dephasing: float = 0.02
    collective_emission: float = 0.0
    times: tuple = tuple(float(x) for x in np.linspace(0.0, 30.0, 61))

    def _validate(self) -> None:
        values = self.n_values
        if isinstance(values, (int, np.integer)) and not isinstance(values, bool):
            values = (values,)
        try:
            ns = tuple(check_int(v, "n_values", minimum=1) for v in values)
        except TypeError:
            raise ConfigError(f"got {self.n_values!r}", argument="n_values", allowed="a list of integers >= 1") from None
        if not ns or any(b <= a for a, b in zip(ns, ns[1:])):
            raise ConfigError(f"got {self.n_values!r}", argument="n_values",
                              allowed="a non-empty, strictly increasing list of integers >= 1")
        self._set("n_values", ns)
        self._set("coupling", check_real(self.coupling, "coupling", minimum=0.0))
        check_choice(self.coupling_scaling, "coupling_scaling", ("fixed", "inverse_sqrt"))
        self._set("omega_c", check_real(self.omega_c, "omega_c", minimum=0.0, strict=True))
        self._set("cavity_dim", check_int(self.cavity_dim, "cavity_dim", minimum=2))
        self._set("pump_amplitude", check_real(self.pump_amplitude, "pump_amplitude"))
        self._set("pump_center", check_real(self.pump_center, "pump_center"))
        self._set("pump_width", check_real(self.pump_width, "pump_width", minimum=0.0, strict=True))
        for name in ("cavity_loss", "emission", "dephasing", "collective_emission"):
            self._set(name, check_real(getattr(self, name), name, minimum=0.0))
        self._set("times", time_grid(self.times, min_points=3))


@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit of the largest N's curve (:class:`~qbhw.protocols.base.ChargingResults`) and, per N
    (tuples in the order of ``n_values``): ``peak_power`` (max dE/dt, the charging rate), ``max_energy``,
    ``rise_time`` (10 % → 90 % of the largest energy; NaN when not reached), ``retained_fraction`` (energy at the
    last time over the largest); ``rate_exponent``, ``energy_exponent`` with 95 % intervals (log-log fits over N,
    NaN with fewer than three N); ``coupling`` with its 95 % interval from the rate-versus-N fit."""

    n_values: tuple = ()
    peak_power: tuple = ()
    max_energy_per_n: tuple = ()
    rise_time: tuple = ()
    retained_fraction: tuple = ()
    rate_exponent: float = math.nan
    rate_exponent_ci95: tuple | None = None
    energy_exponent: float = math.nan
    energy_exponent_ci95: tuple | None = None
    coupling: float = math.nan
    coupling_ci95: tuple | None = None


def build_model(parameters: Parameters, n_cells: int | None = None, coupling: float | None = None) -> OpenDickeBattery:
    """The :class:`~qbhw.models.OpenDickeBattery` of ``n_cells`` emitters (default: the largest N)."""
    p = parameters
    return OpenDickeBattery(p.n_values[-1] if n_cells is None else n_cells, p.coupling if coupling is None else coupling,
                            omega_0=1.0, omega_c=p.omega_c, cavity_dim=p.cavity_dim, coupling_kind="tavis_cummings",
                            coupling_scaling=p.coupling_scaling, drive_amplitude=p.pump_amplitude,
                            drive_shape="gaussian", drive_center=p.pump_center, drive_width=p.pump_width,
                            cavity_loss=p.cavity_loss, emission=p.emission, dephasing=p.dephasing,
                            collective_emission=p.collective_emission)


def acquire(parameters: Parameters, backend="exact", *, context=None) -> Data:
    """One charging curve per N on the exact backend (the permutational GKSL solver)."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    if parameters.shots is not None:
        raise ConfigError("the exact backend gives exact values", argument="shots", allowed="None on 'exact'")
    times = np.asarray(parameters.times, dtype=float)
    extra: dict[str, np.ndarray] = {}
    for n in parameters.n_values[:-1]:
        curve = obj.run_model(build_model(parameters, n), times)
        extra[f"energy_N{n}"] = np.asarray(curve.energy)
        extra[f"power_N{n}"] = np.asarray(curve.power.power)
    data = acquire_model(NAME, parameters, build_model(parameters), obj, kind, context=context)
    n_max = parameters.n_values[-1]
    data.curve.observables.update(extra)
    data.curve.observables[f"energy_N{n_max}"] = np.asarray(data.curve.energy)
    data.curve.observables[f"power_N{n_max}"] = np.asarray(data.curve.power.power)
    return data


def size_figures(times, energy, power) -> dict[str, float]:
    """Peak power, largest energy, 10 → 90 % rise time and retained fraction of one charging curve."""
    t, e, p = (np.asarray(x, dtype=float) for x in (times, energy, power))
    top = float(np.max(e))
    out = {"peak_power": float(np.max(p)), "max_energy": top, "rise_time": math.nan,
           "retained_fraction": float(e[-1] / top) if top > 0 else math.nan}
    if top > 0:
        k = int(np.argmax(e))
        rising_t, rising_e = t[: k + 1], e[: k + 1]
        if rising_e[0] <= 0.1 * top and np.all(np.diff(rising_e) >= -1e-12 * top):
            lo, hi = np.interp([0.1 * top, 0.9 * top], rising_e, rising_t)
            out["rise_time"] = float(hi - lo)
    return out


def analyse(data: Data, *, fit: bool = True, quantity: str = "peak_power", coupling_range: tuple | None = None,
            **fit_options) -> Results:
    """Per-N figures, their scaling exponents, and the fit of g to ``quantity`` versus N (``"peak_power"`` |
    ``"max_energy"`` | ``"max_average_power"``; :func:`qbhw.fit.superabsorption_model`)."""
    p: Parameters = data.parameters
    if quantity not in QUANTITIES:
        raise ConfigError(f"got {quantity!r}", argument="quantity", allowed=" | ".join(QUANTITIES))
    out: dict[str, Any] = ChargingResults.figures_of_merit(data.curve)
    t = data.curve.times
    per_n = []
    for n in p.n_values:
        try:
            e, pw = data.curve.observables[f"energy_N{n}"], data.curve.observables[f"power_N{n}"]
        except KeyError:
            raise DataError(f"the data have no curve for N = {n}", argument="data",
                            allowed="data acquired by microcavity_superabsorption.acquire") from None
        per_n.append(size_figures(t, e, pw))
    out.update(n_values=tuple(p.n_values), peak_power=tuple(f["peak_power"] for f in per_n),
               max_energy_per_n=tuple(f["max_energy"] for f in per_n), rise_time=tuple(f["rise_time"] for f in per_n),
               retained_fraction=tuple(f["retained_fraction"] for f in per_n))
    notes: list[str] = []
    ns = np.array(p.n_values, dtype=float)
    if ns.size >= 3:
        for key, values in (("rate_exponent", out["peak_power"]), ("energy_exponent", out["max_energy_per_n"])):
            if min(values) > 0:
                with np.errstate(over="ignore"):  # the prefactor's bootstrap bound may overflow for exact data
                    sc = fit_scaling_exponent(ns, np.array(values), quantity=key, seed=0)
                out[key], out[f"{key}_ci95"] = float(sc.exponent), tuple(float(x) for x in sc.ci95)
    else:
        notes.append("scaling exponents need at least three N")
    fit_result = None
    if fit:
        lo, hi = coupling_range or (max(p.coupling / 4.0, 1e-4), max(4.0 * p.coupling, 1e-3))
        theory = superabsorption_model(lambda n, g: build_model(p, n, g), t, quantity=quantity,
                                       coupling_range=(lo, hi), scan_points=8, name="OpenDickeBattery(N, g)")
        if quantity == "peak_power":
            y = np.array(out["peak_power"])
        elif quantity == "max_energy":
            y = np.array(out["max_energy_per_n"])
        else:
            y = np.array([SIZE_QUANTITIES["max_average_power"](_curve_of(data, n)) for n in p.n_values])
        fd = make_fit_data(ns, y, None, x_name="N", x_unit="1", y_name=quantity, y_unit="ω_0²" if
                           quantity != "max_energy" else "ω_0")
        fit_result = record_fit(out, notes, fit_curve(theory, fd, **fit_options), "coupling")
    else:
        notes.append("no fit requested")
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


def _curve_of(data: Data, n: int):
    from ..metrics import make_charging_curve

    return make_charging_curve(data.curve.times, data.curve.observables[f"energy_N{n}"],
                               power=data.curve.observables[f"power_N{n}"])


def plot(data: Data, results: Results) -> Figure:
    """Stored energy per emitter against time for every N (left); the charging rate and the largest energy
    against N on log-log axes with the fitted theory (right)."""
    p = data.parameters
    fig = Figure(figsize=(10.0, 4.2))
    ax, axn = fig.subplots(1, 2)
    t = data.curve.times
    for n in p.n_values:
        ax.plot(t, np.asarray(data.curve.observables[f"energy_N{n}"]) / n, lw=1.2, label=f"N = {n}")
    ax.set_xlabel("t [1/ω₀]")
    ax.set_ylabel("stored energy per emitter [ω₀]")
    ax.set_title("pumped microcavity: charging per emitter", fontsize=9)
    ax.legend(fontsize=7)
    ns = np.array(results.n_values, dtype=float)
    if ns.size:
        axn.loglog(ns, results.peak_power, "o", label="peak power max dE/dt [ω₀²]")
        axn.loglog(ns, results.max_energy_per_n, "s", label="largest energy [ω₀]")
        fit = results.fit
        if isinstance(fit, FitResult) and fit.ok:
            axn.loglog(fit.x, fit.best_fit, "-", lw=1.0, label=f"theory, g = {results.coupling:.4g}")
        axn.set_xlabel("N")
        head = "size scaling"
        if math.isfinite(results.rate_exponent):
            head += f": rate ∝ N^{results.rate_exponent:.2f}, energy ∝ N^{results.energy_exponent:.2f}"
        axn.set_title(head, fontsize=9)
        axn.legend(fontsize=7)
    fig.tight_layout()
    return fig
