"""Storage of an NMR star battery's charge: how long the battery spin keeps the energy and the ergotropy that a
Hartmann–Hahn transfer deposited, and how much it gives back to the chargers used as the load (review Campaioli et
al., Rev. Mod. Phys. 96, 031001 (2024), Secs. V.C (self-discharge) and VI.D; Joshi & Mahesh, Phys. Rev. A 106,
042601 (2022)).

Procedure: the battery is charged by the Hartmann–Hahn sequence of :mod:`qbhw.protocols.nmr_star_charging`
(charger π pulse, (π/2)_y on both, spin-lock of ``charge_ms`` — default the ideal first maximum —, (π/2)_{−y} on
both: the charge is stored along z), then left alone (free evolution, a ``Delay``) for each storage time with the
molecule's T1/T2 on. With ``discharge``, each storage time is followed by the Hartmann–Hahn back-transfer
((π/2)_y on both, lock of ``discharge_ms`` — default ``charge_ms`` —, (π/2)_{−y}): the chargers, relaxed towards
equilibrium in the meantime (mostly in |g⟩), take the battery's energy; the energy the battery delivers is
E(before) − E(after), reported with the same quantity for a thermal (uncharged) battery (``discharge_baseline``,
computed: the back-transfer also brings the chargers' thermal polarisation, w times the battery's, to the battery)
and their difference, the part due to the charge.

Physics of the storage. The scalar coupling is secular (Ising) and commutes with σ_B^z, so the stored polarisation
P_z = ⟨σ_B^z⟩/ε_B relaxes only through the battery's T1 towards the thermal −1:
P_z(t) = −1 + (P_z(0) + 1) e^{−t/T1,B}; the energy (1 + P_z)/2 per unit ε_B decays as a pure exponential with the
battery's T1 and half-life T1,B ln 2; the ergotropy (|P⃗| + P_z)/2 vanishes once P_z ≤ 0 (transverse parts decay
with T2,B), at t = T1,B ln(1 + P_z(0)).

Backends: ``"pulse"`` — :class:`qbhw.solvers.nmr.NmrStarSimulator` (charge, storage and discharge with relaxation,
the solver's ``method``; a storage delay of minutes is one exact segment); ``"exact"`` — the idealised limit: the
ideal star charge to P_z(0) (:class:`qbhw.models.StarBattery` with exchange π|J|/2), the T1 law above, and an ideal
discharge into chargers back at equilibrium with all battery–charger correlations decayed (right for storage
times ≫ T1, T2 of the chargers): P_after = P_z F(t_d) − w G(t_d) with F, G the ideal battery and charger
responses.

Reported per unit ε_B in units of the battery's Zeeman quantum (as :class:`qbhw.models.StarBattery`,
``omega_b=1``); curve times are the storage times in s; observables ``polarization``, ``bloch`` and, with
discharge, ``energy_after_discharge`` and ``delivered_energy``. ``shots``: co-added scans with ``noise_per_scan``
(as in the charging protocol).

Analysis: the storage lifetime (exponential fit, compared with the battery's T1), the half-life of the stored
energy, the energy and ergotropy retained, the discharged energy and its fraction of the stored energy → plot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError, InvalidArgumentError
from ._nmr import (
    NmrStarParameters,
    add_scan_noise,
    bloch_curve,
    grid_s,
    hartmann_hahn,
    ideal_hh_first_maximum,
    ideal_hh_polarization,
    molecule_of,
    simulator,
    with_offsets,
)
from .base import Data, check_bool, check_real, resolve_backend, time_grid
from .base import Results as _Results
from .nmr_star_charging import Parameters as _ChargingParameters

__all__ = ["NAME", "BACKENDS", "Parameters", "Results", "acquire", "analyse", "plot"]

NAME = "nmr_star_storage"
BACKENDS = ("exact", "pulse")


@dataclass(frozen=True, kw_only=True)
class Parameters(NmrStarParameters):
    """:class:`~qbhw.protocols._nmr.NmrStarParameters` (molecule, 𝒩, spin-lock, offsets, method, scan
    noise) and the storage run: ``storage_s`` — storage times after the charge, s (an array or
    ``{start, stop, num}``, ≥ 0; default 0 … 180 s); ``charge_ms`` — the charging spin-lock (``None``: the ideal
    first maximum); ``discharge`` — follow each storage time by the Hartmann–Hahn back-transfer;
    ``discharge_ms`` — its spin-lock (``None``: ``charge_ms``). Relaxation is always on (storage without it
    stores forever)."""

    UNITS: ClassVar[dict[str, str]] = {"storage_s": "s", "discharge": ""}
    HELP: ClassVar[dict[str, str]] = {
        "storage_s": "storage times after the charge (≥ 0; an array or {start, stop, num})",
        "charge_ms": "charging spin-lock time (None: the ideal first maximum)",
        "discharge": "after each storage time, discharge into the chargers by a Hartmann-Hahn back-transfer",
        "discharge_ms": "discharging spin-lock time (None: charge_ms)",
    }

    storage_s: tuple = tuple(float(x) for x in np.linspace(0.0, 180.0, 37))
    charge_ms: float | None = None
    discharge: bool = True
    discharge_ms: float | None = None

    def _validate(self) -> None:
        super()._validate()
        self._set("storage_s", time_grid(self.storage_s, "storage_s"))
        self._set("charge_ms", check_real(self.charge_ms, "charge_ms", minimum=0.0, strict=True, allow_none=True))
        self._set("discharge", check_bool(self.discharge, "discharge"))
        self._set("discharge_ms", check_real(self.discharge_ms, "discharge_ms", minimum=0.0, strict=True,
                                             allow_none=True))
        if self.discharge_ms is not None and not self.discharge:
            raise ConfigError(f"discharge_ms = {self.discharge_ms!r} without a discharge", argument="discharge_ms",
                              allowed="None when discharge=False")

    def charging(self) -> _ChargingParameters:
        """The Hartmann–Hahn charging parameters of the same molecule and spin-lock."""
        return _ChargingParameters(n_chargers=self.n_chargers, molecule=self.molecule,
                                   lock_nutation_hz=self.lock_nutation_hz, mismatch_hz=self.mismatch_hz,
                                   offset_battery_hz=self.offset_battery_hz, offset_chargers_hz=self.offset_chargers_hz,
                                   method=self.method, relaxation=True)

    def lock_times_s(self, molecule) -> tuple[float, float]:
        """(charge, discharge) spin-lock times in s, on the molecule's grid."""
        charge = self.charge_ms * 1e-3 if self.charge_ms is not None else \
            ideal_hh_first_maximum(molecule, *self.lock_nutations(molecule), molecule.charger_weight)[0]
        dis = charge if self.discharge_ms is None else self.discharge_ms * 1e-3
        c, d = grid_s([charge, dis], molecule.dt_ns)
        return float(c), float(d)


@dataclass(kw_only=True)
class Results(_Results):
    """Storage figures (energies per unit ε_B in units of the battery's Zeeman quantum, times in s):

    * ``lifetime_s``, ``lifetime_s_ci95`` — τ of the exponential fit E(t) = E_0 e^{−t/τ} (+ E_∞ with
      ``floor=True``) to the stored energy; ``battery_t1_s`` — the battery's T1 (the ideal τ); ``lifetime_over_t1``;
    * ``half_life_s`` — when the fitted energy has fallen to half its initial value (``None`` if never);
      ``half_life_s_ci95`` — from the lifetime's interval;
    * ``initial_energy``, ``initial_ergotropy``, ``energy_retention``, ``ergotropy_retention`` — at the first
      and last storage times (fractions of the first);
    * ``ergotropy_lifetime_s`` — the first storage time at which the ergotropy has vanished (< 10⁻³ of its
      initial value; linear interpolation), ``None`` if it never does (or unknown);
    * ``discharge_at_s`` — the storage time whose discharge is reported: the first one at which the chargers have
      relaxed back to equilibrium (≥ 5 T1 of the chargers; before that they still hold part of the charge and the
      spin order the transfer left), else the last one (with a note);
    * ``discharged_energy`` — the energy the battery delivers in that discharge, E(before) − E(after); ``discharge_baseline`` — what a thermal (uncharged) battery "delivers" in the same
      discharge: with w = ε_C/ε_B > 1 the back-transfer also brings the chargers' larger thermal polarisation to the
      battery, which then ends below its thermal energy (E < 0); ``net_discharged_energy`` — the difference, the
      part due to the stored charge (the dynamics is linear in the deviation X); ``discharge_fraction`` — the net
      discharged energy over the energy stored at that time: 1 − F(t_d) in the ideal limit, with F the battery's own
      polarisation response to the discharging lock (it exceeds 1 when the lock over-rotates the battery, F < 0);
      ``charge_ms``, ``discharge_ms`` — the locks used.
    """

    lifetime_s: float = math.nan
    lifetime_s_ci95: tuple | None = None
    battery_t1_s: float = math.nan
    lifetime_over_t1: float = math.nan
    half_life_s: float | None = None
    half_life_s_ci95: tuple | None = None
    initial_energy: float = math.nan
    initial_ergotropy: float | None = None
    energy_retention: float = math.nan
    ergotropy_retention: float | None = None
    ergotropy_lifetime_s: float | None = None
    discharge_at_s: float | None = None
    discharged_energy: float | None = None
    discharge_baseline: float | None = None
    net_discharged_energy: float | None = None
    discharge_fraction: float | None = None
    charge_ms: float = math.nan
    discharge_ms: float | None = None


# ---------------------------------------------------------------------------------------------
# acquisition
def _exact_storage(p: Parameters, mol, t: np.ndarray, charge_s: float, discharge_s: float):
    """Ideal Bloch vectors during storage and after the discharge (module docstring)."""
    nu_b, nu_c = p.lock_nutations(mol)  # the lock of p.charging()
    w = mol.charger_weight
    p0 = float(ideal_hh_polarization(mol, [0.0, charge_s], nu_b, nu_c, w)[-1])
    pz = -1.0 + (p0 + 1.0) * np.exp(-t / mol.battery.t1_s)
    stored = np.stack([np.zeros_like(pz), np.zeros_like(pz), pz], axis=1)
    after = baseline = None
    if p.discharge:
        p_w0, p_w1 = (float(ideal_hh_polarization(mol, [0.0, discharge_s], nu_b, nu_c, c)[-1]) for c in (0.0, 1.0))
        f, g = -p_w0, p_w1 - p_w0  # responses to σ_B^z and to Σ_j σ_j^z
        pa = pz * f - w * g
        after = np.stack([np.zeros_like(pa), np.zeros_like(pa), pa], axis=1)
        baseline = np.array([0.0, 0.0, -f - w * g])  # the discharge of a thermal battery (P_z = −1)
    return stored, after, baseline


def _pulse_storage(p: Parameters, mol, t: np.ndarray, charge_s: float, discharge_s: float, method: str):
    from ..pulse import Delay, align_sequential

    sim = simulator(mol, True, method)
    charge = hartmann_hahn(p, mol, charge_s, invert_chargers=True)
    state = sim.evolve(with_offsets(p, mol, charge.schedule()))
    bc = mol.channel_for("battery")
    total_ns = float(t[-1]) * 1e9
    storage = with_offsets(p, mol, align_sequential(Delay(total_ns, bc), name="storage"))
    record = t * 1e9
    stored = sim.bloch(storage, record_ns=record, state=state)
    after = baseline = None
    if p.discharge:
        dis = with_offsets(p, mol, hartmann_hahn(p, mol, discharge_s, invert_chargers=False).schedule())
        after = sim.bloch(storage, record_ns=record, state=state, readout=dis)
        baseline = sim.bloch(dis, state=sim.equilibrium())[0]  # the discharge of a thermal battery
    return stored, after, baseline


def acquire(parameters: Parameters, backend="pulse", *, context=None) -> Data:
    """Charge, store and (optionally) discharge; the stored energy and ergotropy against the storage time (s)."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    p = parameters
    mol = p.resolved_molecule()
    if kind == "exact" and p.shots is not None:
        raise ConfigError("the exact backend gives exact values", argument="shots", allowed="None on 'exact'")
    if kind == "exact" and (p.offset_battery_hz or p.offset_chargers_hz):
        raise ConfigError("the idealised limit is on resonance", argument="offset_battery_hz"
                          if p.offset_battery_hz else "offset_chargers_hz", allowed="0 on backend 'exact'")
    t = grid_s(p.storage_s, mol.dt_ns)
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise InvalidArgumentError(f"storage times closer than the molecule's sample {mol.dt_ns:g} ns",
                                   argument="storage_s", allowed="distinct times on the sample grid")
    charge_s, discharge_s = p.lock_times_s(mol)
    if charge_s <= 0:
        raise InvalidArgumentError("the charging lock rounds to 0 samples", argument="charge_ms",
                                   allowed=f">= {mol.dt_ns * 1e-6:g} ms")
    if kind == "exact":
        stored, after, baseline = _exact_storage(p, mol, t, charge_s, discharge_s)
    else:
        stored, after, baseline = _pulse_storage(p, mol, t, charge_s, discharge_s, p.method)
    raw: dict[str, Any] = {}
    sigma = None
    if p.shots is not None:
        raw["bloch_exact"] = stored
        stored, sigma = add_scan_noise(stored, p, 0)
        if after is not None:
            raw["bloch_after_discharge_exact"] = after
            after, _ = add_scan_noise(after, p, 1)
    obs = {}
    if after is not None:
        e_after = 0.5 * (1.0 + after[:, 2])
        obs = {"bloch_after_discharge": after, "energy_after_discharge": e_after,
               "delivered_energy": 0.5 * (1.0 + stored[:, 2]) - e_after}
        if sigma is not None:
            obs["delivered_energy_stderr"] = np.full(t.shape, sigma / math.sqrt(2.0))
        raw["discharge_baseline"] = float(-0.5 * (1.0 + baseline[2]))
    meta = {"protocol": "NMR star: Hartmann-Hahn charge, storage" + (", discharge" if p.discharge else ""),
            "molecule": mol.name, "n_chargers": mol.n_chargers, "time": "storage time after the charge"}
    curve = bloch_curve(t, stored, stderr=sigma, metadata=meta, observables=obs)
    if sigma is not None:
        curve.metadata["shots"] = int(p.shots)
        curve.metadata["sigma_kind"] = "measured"
    return Data(protocol=NAME, parameters=p, backend=obj.name, curve=curve, raw=raw,
                metadata={"molecule": mol.to_dict(), "charge_ms": charge_s * 1e3,
                          "discharge_ms": discharge_s * 1e3 if p.discharge else None})


# ---------------------------------------------------------------------------------------------
# analysis
def _half_life(e0: float, tau: float, e_inf: float) -> float | None:
    """t with e0 e^{−t/τ} + e_inf = (e0 + e_inf)/2 (None when the energy never halves: e_inf ≥ e0 or e0 ≤ 0)."""
    if not (e0 > 0 and tau > 0 and e0 > e_inf):
        return None
    return float(tau * math.log(2.0 * e0 / (e0 - e_inf)))


def _zero_crossing(t: np.ndarray, y: np.ndarray, level: float) -> float | None:
    below = np.flatnonzero(y <= level)
    if below.size == 0:
        return None
    i = int(below[0])
    if i == 0:
        return float(t[0])
    t0, t1, y0, y1 = t[i - 1], t[i], y[i - 1], y[i]
    return float(t0 + (t1 - t0) * (y0 - level) / (y0 - y1))


def analyse(data: Data, *, fit: bool = True, floor: bool = False, **fit_options) -> Results:
    """Storage lifetime (exponential fit, against the battery's T1), half-life, retention, discharged energy.

    The fit is E(t) = E_0 e^{−t/τ} + E_∞ with E_∞ = 0 held fixed (the battery relaxes to its thermal state, whose
    energy is 0 by definition); ``floor=True`` frees E_∞ (e.g. for a steady state other than the thermal one).
    ``fit_options``: those of :func:`qbhw.fit.fit_curve`."""
    from ..fit import ExponentialDecayModel, fit_curve
    from ._charging import curve_fit_data

    mol = molecule_of(data)
    curve = data.curve
    t = np.asarray(curve.times)
    e = np.asarray(curve.energy)
    out: dict[str, Any] = {"battery_t1_s": float(mol.battery.t1_s), "initial_energy": float(e[0]),
                           "energy_retention": float(e[-1] / e[0]) if e[0] else math.nan,
                           "charge_ms": float(data.metadata["charge_ms"]), "discharge_ms": data.metadata.get("discharge_ms")}
    notes: list[str] = []
    if curve.ergotropy is not None:
        erg = np.asarray(curve.ergotropy)
        out["initial_ergotropy"] = float(erg[0])
        out["ergotropy_retention"] = float(erg[-1] / erg[0]) if erg[0] else None
        out["ergotropy_lifetime_s"] = _zero_crossing(t, erg, 1e-3 * erg[0]) if erg[0] > 0 else None
    delivered = curve.observables.get("delivered_energy")
    if delivered is not None:
        base = float(data.raw.get("discharge_baseline", 0.0))
        relaxed = np.flatnonzero(t >= 5 * mol.chargers.t1_s)
        k = int(relaxed[0]) if relaxed.size else t.size - 1
        if not relaxed.size:
            notes.append(f"no storage time reaches 5 T1 of the chargers ({5 * mol.chargers.t1_s:g} s): the discharge "
                         "reported (the last one) starts from chargers that still hold part of the charge")
        out["discharge_at_s"] = float(t[k])
        out["discharged_energy"] = float(delivered[k])
        out["discharge_baseline"] = base
        out["net_discharged_energy"] = float(delivered[k] - base)
        out["discharge_fraction"] = float((delivered[k] - base) / e[k]) if e[k] else None
    fit_result = None
    if fit:
        fd = curve_fit_data(curve, "energy", x_unit="s", y_unit="h nu_B per eps_B")
        fit_result = fit_curve(ExponentialDecayModel(floor=bool(floor)), fd, **fit_options)
        if fit_result.ok:
            tau = fit_result.parameter("tau")
            e0, e_inf = fit_result.value("e0"), fit_result.value("e_inf")
            out["lifetime_s"], out["lifetime_s_ci95"] = tau.value, tau.ci95
            out["lifetime_over_t1"] = tau.value / mol.battery.t1_s
            out["half_life_s"] = _half_life(e0, tau.value, e_inf)
            if out["half_life_s"] is not None and tau.ci95 is not None:
                lo, hi = (_half_life(e0, x, e_inf) for x in tau.ci95)
                out["half_life_s_ci95"] = None if lo is None or hi is None else (lo, hi)
            off = abs(tau.value - mol.battery.t1_s)
            if tau.ci95 is not None and not tau.ci95[0] <= mol.battery.t1_s <= tau.ci95[1] \
                    and off > 1e-6 * mol.battery.t1_s:  # exact data have intervals at the rounding level
                notes.append(f"lifetime {tau.value:.4g} s differs from the battery's T1 = {mol.battery.t1_s:g} s "
                             "beyond its 95 % interval")
        else:
            notes.append(f"fit failed: {fit_result.message}")
    else:
        notes.append("no fit requested")
    return Results(protocol=NAME, fit=fit_result, notes=notes, **out)


# ---------------------------------------------------------------------------------------------
# plot
def plot(data: Data, results: Results) -> Figure:
    """Stored energy and ergotropy against the storage time (s) with the exponential fit; the delivered energy of
    the discharge (when recorded)."""
    curve = data.curve
    t = np.asarray(curve.times)
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.subplots()
    if curve.energy_stderr is not None:
        ax.errorbar(t, curve.energy, yerr=curve.energy_stderr, fmt="o", ms=3, lw=0.8, label=f"energy ({data.backend})")
    else:
        ax.plot(t, curve.energy, "o", ms=3, label=f"energy ({data.backend})")
    if curve.ergotropy is not None:
        ax.plot(t, curve.ergotropy, "s--", ms=2.5, lw=0.8, label="ergotropy")
    delivered = curve.observables.get("delivered_energy")
    if delivered is not None:
        ax.plot(t, delivered, "^:", ms=3, lw=0.8, label="delivered by the discharge")
    fit = results.fit
    if fit is not None and getattr(fit, "ok", False):
        dense = np.linspace(float(t.min()), float(t.max()), 400)
        try:
            ax.plot(dense, fit.evaluate(dense), "-", lw=1.0, label=f"fit: τ = {results.lifetime_s:.4g} s")
        except Exception:  # noqa: BLE001 - a reloaded fit has no evaluator: draw at the data
            ax.plot(fit.x, fit.best_fit, "-", lw=1.0, label=f"fit: τ = {results.lifetime_s:.4g} s")
    if results.half_life_s is not None and math.isfinite(results.half_life_s):
        ax.axvline(results.half_life_s, color="grey", ls=":", lw=0.8, label=f"half-life {results.half_life_s:.4g} s")
    ax.set_xlabel("storage time [s]")
    ax.set_ylabel("energy per ε_B [h ν_L,B]")
    ax.legend(fontsize=7)
    ax.set_title(f"{data.metadata['molecule']['name']}: charge stored (battery T1 = {results.battery_t1_s:g} s)",
                 fontsize=9)
    fig.tight_layout()
    return fig
