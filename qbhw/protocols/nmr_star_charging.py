"""NMR star-topology charging at pulse level: one battery spin charged by 𝒩 equivalent charger spins through
Hartmann–Hahn cross-polarisation or refocused INEPT (review Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024),
Sec. VI.D; Joshi & Mahesh, Phys. Rev. A 106, 042601 (2022); star-topology registers: Pal, Nishad, Mahesh &
Sreejith, Phys. Rev. Lett. 120, 180602 (2018)).

The molecule (:class:`qbhw.devices.nmr.StarMolecule`: isotopes, J, T1/T2, RF limits) starts in the
high-temperature state ρ = (1 + ε_B X)/2^{𝒩+1}, X_eq = −σ_B^z − w Σ_j σ_j^z (w = ε_C/ε_B). Everything is reported
per unit ε_B, in units of the battery's Zeeman quantum h ν_L,B, exactly as
:class:`qbhw.models.StarBattery` (``initial="high_temperature"``, ``omega_b=1``) reports it:

    P⃗ = ⟨σ⃗_B⟩/ε_B,   energy = work = (1 + P_z)/2,   ergotropy = (|P⃗| + P_z)/2,   polarization = P_z

(energy 0 for the thermal battery, P_z = −1). Sequences (:mod:`qbhw.pulse.nmr`):

* ``transfer="hartmann_hahn"`` (default): π_x on the chargers (``invert_chargers``), (π/2)_y on both channels,
  spin-lock along x for t at nutations ν_B = ν1 + mismatch and ν_C = ν1, (π/2)_{−y} on both. Ideal limit
  (ν1 ≫ J, on resonance, no relaxation): the star battery with the flip-flop exchange πJ/2 [rad/s],
  ``StarBattery(𝒩, coupling=π|J|/2, initial="high_temperature", charger_weight=w)``, whose first maximum lies at
  (π|J|/2)√𝒩·t ≈ 1.57 (𝒩 ≤ 2) … 1.9 (𝒩 = 9): the charging time falls roughly as 1/(J√𝒩). The curve is
  recorded over the spin-lock time t (one simulation, a readout after each recorded instant).
* ``transfer="inept"``: refocused INEPT (Morris & Freeman, J. Am. Chem. Soc. 101, 760 (1979); Doddrell, Pegg &
  Bendall, J. Magn. Reson. 48, 323 (1982)), τ = 1/(4|J|) (or ``tau_ms``), the curve over the refocusing delay Δ;
  ideal P_z = w 𝒩 sin(2π|J|τ) sin θ cos^{𝒩−1} θ with θ = 2π|J|Δ (:func:`qbhw.pulse.nmr.inept_ideal_bloch`),
  maximal at sin θ = 1/√𝒩.

Backends: ``"pulse"`` — the pulse-level simulation (:class:`qbhw.solvers.nmr.NmrStarSimulator`: RF in the
rotating frames of the two channels, scalar coupling, T1/T2 of both species when ``relaxation`` is on, the
solver's ``method``); ``"exact"`` — the idealised limit for comparison (Hartmann–Hahn: the StarBattery above, a
mismatch included as the detuning of the flip-flop, ω_b = 2πν_B, ω_c = 2πν_C; INEPT: the ideal formula above);
it has no relaxation (ignored, with a note), no finite pulses, and refuses carrier offsets.

``shots`` (pulse backend only): the number of co-added scans per point; each scan carries Gaussian noise of σ =
``noise_per_scan`` (per unit ε_B) on every Bloch component, so a point has σ/√shots (seeded by ``seed``);
``energy_stderr`` = σ/(2√shots), the ergotropy is not reported then.

Procedure: **parameters** → **acquisition** → **analysis**: figures of merit (:class:`ChargingResults`, times in
s, energy per unit ε_B, power per s), the first maximum against the idealised star, the largest deviation from
the ideal curve, and a theory-backed fit of J and of the chargers' T2 (the theory is the same acquisition on the
molecule with J and T2 replaced (solver method ``"auto"``: the hard pulses exact, the spin-lock averaged) and
``"auto"`` for INEPT; ``exact`` data: J alone, through the ideal curve),
with notes that explain the differences (finite RF power, offsets, mismatch, relaxation) → **plot**.
:func:`charging_time_versus_n` runs the charging for several 𝒩 and fits τ ∝ 𝒩^{−α}.

What this protocol shares with :mod:`qbhw.protocols.nmr_star_storage` (:class:`NmrStarParameters`, the molecule,
the Hartmann–Hahn sequence with the carrier offsets, the simulator, the idealised transfer, the curve and its scan
noise, :func:`first_maximum`) lives in :mod:`qbhw.protocols._nmr`.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from matplotlib.figure import Figure

from ..errors import ConfigError, InvalidArgumentError
from ._nmr import (
    DEFAULT_N_CHARGERS,
    METHODS,  # noqa: F401 - re-exported from its former home
    NmrStarParameters,
    add_scan_noise,
    bloch_curve,
    check_molecule,  # noqa: F401 - re-exported from its former home
    first_maximum,
    grid_s,
    hartmann_hahn,
    ideal_hh_first_maximum,
    ideal_hh_polarization,
    molecule_of,
    pulse_nutations,
    resolve_molecule,
    simulator,
    with_offsets,
)
from .base import (
    ChargingResults,
    Data,
    check_bool,
    check_choice,
    check_int,
    check_real,
    resolve_backend,
    time_grid,
)

__all__ = ["NAME", "BACKENDS", "TRANSFERS", "DEFAULT_N_CHARGERS", "NmrStarParameters", "Parameters", "Results",
           "ChargingTimeScaling", "resolve_molecule", "battery_bloch", "bloch_curve", "ideal_first_maximum",
           "first_maximum", "acquire", "analyse", "plot", "charging_time_versus_n"]

NAME = "nmr_star_charging"
BACKENDS = ("exact", "pulse")
TRANSFERS = ("hartmann_hahn", "inept")
#: points of the default time grid (Hartmann–Hahn: one simulation; INEPT: one refocusing per point)
DEFAULT_POINTS = {"hartmann_hahn": 201, "inept": 41}
#: the default grid reaches this many first maxima of the ideal curve
DEFAULT_SPAN_MAXIMA = 3.0


# ---------------------------------------------------------------------------------------------
# parameters
@dataclass(frozen=True, kw_only=True)
class Parameters(NmrStarParameters):
    """:class:`NmrStarParameters` and the charging run.

    ``transfer``: ``"hartmann_hahn"`` | ``"inept"``; ``times_ms``: the curve's spin-lock times (Hartmann–Hahn) or
    refocusing delays Δ (INEPT), ms (an array or ``{start, stop, num}``; rounded to the molecule's samples;
    ``None``: 201 points from 0 to three first maxima of the ideal curve — INEPT: 41 points from one step after 0,
    as Δ cannot be shorter than the refocusing pulses); ``invert_chargers``: the charger π pulse first (``None``: True for
    Hartmann–Hahn, False for INEPT); ``tau_ms``: INEPT's first delay τ (``None``: 1/(4|J|)); ``relaxation``: T1/T2
    on (pulse backend).
    """

    UNITS: ClassVar[dict[str, str]] = {"transfer": "", "invert_chargers": "", "relaxation": ""}
    HELP: ClassVar[dict[str, str]] = {
        "transfer": "'hartmann_hahn' (spin-lock cross-polarisation) | 'inept' (refocused INEPT)",
        "times_ms": "spin-lock times (HH) or refocusing delays Δ (INEPT); None: up to three ideal first maxima",
        "invert_chargers": "π pulse on the chargers first (None: True for HH, False for INEPT)",
        "tau_ms": "INEPT only: the first delay τ (None: 1/(4|J|))",
        "relaxation": "T1/T2 of both spin species on (pulse backend)",
    }

    transfer: str = "hartmann_hahn"
    times_ms: tuple | None = None
    invert_chargers: bool | None = None
    tau_ms: float | None = None
    relaxation: bool = True

    def _validate(self) -> None:
        super()._validate()
        check_choice(self.transfer, "transfer", TRANSFERS)
        if self.times_ms is not None:
            self._set("times_ms", time_grid(self.times_ms, "times_ms"))
        if self.invert_chargers is not None:
            self._set("invert_chargers", check_bool(self.invert_chargers, "invert_chargers"))
        self._set("tau_ms", check_real(self.tau_ms, "tau_ms", minimum=0.0, strict=True, allow_none=True))
        self._set("relaxation", check_bool(self.relaxation, "relaxation"))
        if self.transfer == "inept":
            for name in ("lock_nutation_hz", "mismatch_hz"):
                if getattr(self, name):
                    raise ConfigError(f"{name} is a spin-lock setting (got {getattr(self, name)!r})", argument=name,
                                      allowed="None / 0 with transfer='inept'")
        elif self.tau_ms is not None:
            raise ConfigError(f"tau_ms is INEPT's first delay (got {self.tau_ms!r})", argument="tau_ms",
                              allowed="None with transfer='hartmann_hahn'")

    @property
    def inverted(self) -> bool:
        """Whether the chargers are inverted first."""
        return (self.transfer == "hartmann_hahn") if self.invert_chargers is None else self.invert_chargers

    def times_s(self, molecule) -> np.ndarray:
        """The curve's times in s (the default grid from the ideal first maximum)."""
        if self.times_ms is not None:
            return np.asarray(self.times_ms, dtype=float) * 1e-3
        t_max, _, _ = ideal_first_maximum(self, molecule)
        num = DEFAULT_POINTS[self.transfer]
        if self.transfer == "inept":  # Δ = 0 is shorter than the refocusing pulses: start one step in
            return np.linspace(0.0, DEFAULT_SPAN_MAXIMA * t_max, num + 1)[1:]
        return np.linspace(0.0, DEFAULT_SPAN_MAXIMA * t_max, num)


# ---------------------------------------------------------------------------------------------
# the physics: battery Bloch vectors per unit ε_B
def _inept_tau_s(p: Parameters, molecule) -> float:
    from ..pulse.nmr import inept_delays

    return inept_delays(molecule.coupling_hz, molecule.n_chargers)[0] if p.tau_ms is None else p.tau_ms * 1e-3


def battery_bloch(p: Parameters, molecule, times_s, kind: str, *, method: str | None = None,
                  ignore_offsets: bool = False) -> np.ndarray:
    """The battery's Bloch vector per unit ε_B, shape (k, 3), at the curve's ``times_s`` (spin-lock times or
    refocusing delays, on the molecule's grid), on backend ``kind`` (``"pulse"`` | ``"exact"``); ``method``
    overrides the parameters' solver method; ``ignore_offsets``: the ideal curve of an off-resonant run."""
    t = grid_s(times_s, molecule.dt_ns)
    w = molecule.charger_weight
    sign = 1.0 if p.inverted else -1.0
    if kind == "exact":
        if (p.offset_battery_hz or p.offset_chargers_hz) and not ignore_offsets:
            raise ConfigError("the idealised limit is on resonance", argument="offset_battery_hz"
                              if p.offset_battery_hz else "offset_chargers_hz", allowed="0 on backend 'exact'")
        if p.transfer == "hartmann_hahn":
            nu_b, nu_c = p.lock_nutations(molecule)
            pz = ideal_hh_polarization(molecule, t, nu_b, nu_c, sign * w)
            return np.stack([np.zeros_like(pz), np.zeros_like(pz), pz], axis=1)
        from ..pulse.nmr import inept_ideal_bloch

        return inept_ideal_bloch(molecule.n_chargers, molecule.coupling_hz, w, _inept_tau_s(p, molecule), t)
    return _pulse_bloch(p, molecule, t, method or p.method)


def _pulse_bloch(p: Parameters, molecule, t: np.ndarray, method: str) -> np.ndarray:
    sim = simulator(molecule, p.relaxation, method)
    if p.transfer == "hartmann_hahn":
        hh = hartmann_hahn(p, molecule, float(t.max()), invert_chargers=p.inverted)
        return sim.bloch(with_offsets(p, molecule, hh.charge_schedule()), record_ns=hh.record_ns(t * 1e9),
                         readout=with_offsets(p, molecule, hh.readout))
    from ..pulse.nmr import inept_parts

    pb, pc = pulse_nutations(molecule)
    common = {"coupling_hz": molecule.coupling_hz, "n_chargers": molecule.n_chargers, "nutation_battery_hz": pb,
              "nutation_chargers_hz": pc, "dt_ns": molecule.dt_ns, "tau_ns": _inept_tau_s(p, molecule) * 1e9,
              "invert_chargers": p.inverted}
    bc, cc = molecule.channel_for("battery"), molecule.channel_for("chargers")
    first, _ = inept_parts(bc, cc, **common)  # independent of Δ
    state = sim.evolve(with_offsets(p, molecule, first))
    out = np.zeros((t.size, 3))
    for i, delta in enumerate(t):
        try:
            _, refocus = inept_parts(bc, cc, delta_ns=delta * 1e9, **common)
        except InvalidArgumentError as exc:
            raise InvalidArgumentError(f"refocusing delay {delta * 1e3:g} ms is shorter than the pulses around it",
                                       argument="times_ms", allowed=exc.allowed) from exc
        out[i] = sim.bloch(with_offsets(p, molecule, refocus), state=state)[0]
    return out


# ---------------------------------------------------------------------------------------------
# the ideal first maximum
def ideal_first_maximum(p: Parameters, molecule) -> tuple[float, float, float]:
    """``(t*, E*, phase)`` of the ideal curve's first maximum: Hartmann–Hahn — the star battery with exchange π|J|/2
    (and the mismatch), phase (π|J|/2)√𝒩·t*; INEPT — Δ* = arcsin(1/√𝒩)/(2π|J|), phase θ* = 2π|J|Δ*. Times in s,
    energy (1 + P_z)/2 per unit ε_B."""
    n, j, w = molecule.n_chargers, abs(molecule.coupling_hz), molecule.charger_weight
    if p.transfer == "inept":
        from ..pulse.nmr import inept_ideal_bloch

        theta = math.asin(1.0 / math.sqrt(n))
        delta = theta / (2 * math.pi * j)
        pz = inept_ideal_bloch(n, j, w, _inept_tau_s(p, molecule), [delta])[0, 2]
        return delta, 0.5 * (1 + pz), theta
    nu_b, nu_c = p.lock_nutations(molecule)
    return ideal_hh_first_maximum(molecule, nu_b, nu_c, (1.0 if p.inverted else -1.0) * w)


# ---------------------------------------------------------------------------------------------
# acquisition
def acquire(parameters: Parameters, backend="pulse", *, context=None) -> Data:
    """The charging curve (battery energy per unit ε_B against the spin-lock time or the refocusing delay, s) on
    ``backend`` (see the module docstring)."""
    obj, kind = resolve_backend(backend, protocol=NAME, supported=BACKENDS)
    p = parameters
    mol = p.resolved_molecule()
    if kind == "exact" and p.shots is not None:
        raise ConfigError("the exact backend gives exact values", argument="shots", allowed="None on 'exact'")
    t = grid_s(p.times_s(mol), mol.dt_ns)
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise InvalidArgumentError(f"times closer than the molecule's sample {mol.dt_ns:g} ns", argument="times_ms",
                                   allowed=f"times at least {mol.dt_ns * 1e-6:g} ms apart")
    notes = []
    if kind == "exact" and p.relaxation:
        notes.append("backend 'exact' is the idealised limit: no relaxation (relaxation=True ignored)")
    bloch = battery_bloch(p, mol, t, kind)
    sigma = None
    raw: dict[str, Any] = {}
    if p.shots is not None:
        raw["bloch_exact"] = bloch
        bloch, sigma = add_scan_noise(bloch, p)
    meta = {"protocol": f"NMR star charging ({p.transfer})", "molecule": mol.name, "n_chargers": mol.n_chargers,
            "time": "spin-lock time" if p.transfer == "hartmann_hahn" else "refocusing delay Δ"}
    curve = bloch_curve(t, bloch, stderr=sigma, metadata=meta)
    if sigma is not None:
        curve.metadata["shots"] = int(p.shots)
        curve.metadata["sigma_kind"] = "measured"
    return Data(protocol=NAME, parameters=p, backend=obj.name, curve=curve, raw=raw,
                metadata={"molecule": mol.to_dict(), "notes": notes,
                          "lock_nutations_hz": list(p.lock_nutations(mol)) if p.transfer == "hartmann_hahn" else None})


# ---------------------------------------------------------------------------------------------
# analysis
@dataclass(kw_only=True)
class Results(ChargingResults):
    """Figures of merit (:class:`~qbhw.protocols.base.ChargingResults`; times in s, energies per unit ε_B in units
    of the battery's Zeeman quantum) and

    * ``first_max_s``, ``first_max_energy``, ``first_max_phase`` — the curve's first maximum (parabola-refined)
      and its phase (Hartmann–Hahn: (π|J|/2)√𝒩·t; INEPT: 2π|J|Δ); ``ideal_first_max_s``,
      ``ideal_first_max_energy``, ``ideal_first_max_phase`` — the same for the ideal curve;
    * ``max_deviation_from_ideal`` — max |E − E_ideal| over the curve (the ideal on resonance);
    * ``coupling_hz``, ``coupling_hz_ci95`` — the fitted |J| (Hz); ``t2_chargers_s``, ``t2_chargers_s_ci95`` — the
      fitted T2 of the chargers (``nan`` when not fitted: exact data or relaxation off);
    * ``n_chargers``, ``molecule``, ``transfer``.
    """

    first_max_s: float | None = None
    first_max_energy: float | None = None
    first_max_phase: float | None = None
    ideal_first_max_s: float = math.nan
    ideal_first_max_energy: float = math.nan
    ideal_first_max_phase: float = math.nan
    max_deviation_from_ideal: float = math.nan
    coupling_hz: float = math.nan
    coupling_hz_ci95: tuple | None = None
    t2_chargers_s: float = math.nan
    t2_chargers_s_ci95: tuple | None = None
    n_chargers: int | None = None
    molecule: str = ""
    transfer: str = ""


def _variant(molecule, coupling_hz: float, t2_chargers_s: float | None):
    """The molecule with |J| = ``coupling_hz`` (sign kept) and the chargers' T2 replaced."""
    changes: dict[str, Any] = {"coupling_hz": math.copysign(float(coupling_hz), molecule.coupling_hz)}
    if t2_chargers_s is not None:
        changes["chargers"] = dataclasses.replace(molecule.chargers, t2_s=float(t2_chargers_s))
    return molecule.replace(**changes)


def theory_model(data: Data, *, coupling_range: tuple[float, float] | None = None, scan_points: int = 9):
    """The lmfit model of the energy curve: ``E(t; coupling_hz, t2_chargers_s)`` = the acquisition of the data's
    parameters on the molecule with |J| and the chargers' T2 replaced (pulse data, solver method ``"auto"``: hard
    pulses and free delays exact, the spin-lock averaged), or the ideal curve with |J| replaced (exact data; T2 held fixed). The guess scans |J| over ``coupling_range``
    (default |J|/2 … 2|J| of the molecule, geometric, ``scan_points`` points). The sequence stays the one that was
    played: INEPT's τ (when set from J) and the spin-lock nutations come from the data's molecule."""
    from ..fit import TheoryModel

    p: Parameters = data.parameters
    mol = molecule_of(data)
    kind = data.backend.split(":", 1)[0]
    j0 = abs(mol.coupling_hz)
    lo, hi = coupling_range or (j0 / 2, 2 * j0)
    if not (0 < lo < hi and math.isfinite(hi)):
        raise InvalidArgumentError(f"got {coupling_range!r}", argument="coupling_range", allowed="0 < low < high")
    fit_t2 = kind == "pulse" and p.relaxation
    method = "auto"  # hard pulses exact, the spin-lock averaged, free delays exact by coherence sector
    if p.transfer == "inept" and p.tau_ms is None:  # the sequence's τ was set from the molecule's J, not the fit's
        p = p.replace(tau_ms=_inept_tau_s(p, mol) * 1e3)

    def curve(t, coupling_hz, t2_chargers_s):
        m = _variant(mol, coupling_hz, t2_chargers_s if fit_t2 else None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a forced method="averaged" warns about hard pulses
            b = battery_bloch(p, m, t, kind, method=method)
        return 0.5 * (1.0 + b[:, 2])

    t1c, t2c = mol.chargers.t1_s, mol.chargers.t2_s
    physical = {"coupling_hz": {"value": math.sqrt(lo * hi), "min": lo / 2, "max": 2 * hi},
                "t2_chargers_s": ({"value": t2c, "min": 1e-3 * t2c, "max": 2 * t1c} if fit_t2
                                  else {"value": t2c, "vary": False})}
    formula = (f"E(t) = (1 + P_z)/2 of the NMR star simulation (method {method!r}) with |J| and the chargers' T2"
               if kind == "pulse" else "E(t) = (1 + P_z)/2 of the ideal transfer with |J|")
    return TheoryModel(curve, physical, name=f"NMR star {p.transfer} energy", formula=formula,
                       scan=("coupling_hz", np.geomspace(lo, hi, scan_points)), cache_size=512)


def _explanations(p: Parameters, mol, t_first: float) -> list[str]:
    """Notes that explain the differences between the pulse-level and the ideal curve."""
    notes = []
    n, j = mol.n_chargers, abs(mol.coupling_hz)
    pb, pc = pulse_nutations(mol)
    t90 = 1.0 / (4 * min(pb, pc))
    notes.append(f"finite hard pulses: J·t_90 = {j * t90:.2g} (coupling during a 90° pulse of {t90 * 1e6:.3g} µs)")
    if p.transfer == "hartmann_hahn":
        nu_b, nu_c = p.lock_nutations(mol)
        notes.append(f"finite RF power: the neglected non-secular coupling is of relative size J√𝒩/ν1 = "
                     f"{j * math.sqrt(n) / nu_c:.2g} (deviation ∝ J/ν1)")
        if p.offset_battery_hz or p.offset_chargers_hz:
            sb = nu_b / math.hypot(nu_b, p.offset_battery_hz)
            sc = nu_c / math.hypot(nu_c, p.offset_chargers_hz)
            eff_b, eff_c = math.hypot(nu_b, p.offset_battery_hz), math.hypot(nu_c, p.offset_chargers_hz)
            notes.append(f"off resonance: the effective fields are tilted (sin θ_B = {sb:.4f}, sin θ_C = {sc:.4f}), "
                         f"the exchange is reduced by sin θ_B sin θ_C = {sb * sc:.4f} and the effective mismatch is "
                         f"{eff_b - eff_c:.4g} Hz; the locked magnetisation is only the projection on the field")
        if nu_b != nu_c:
            omega = math.pi * j / 2 * math.sqrt(n) / (2 * math.pi)  # exchange frequency J√𝒩/4 in Hz
            notes.append(f"Hartmann-Hahn mismatch {nu_b - nu_c:.4g} Hz against the exchange (π|J|/2)√𝒩/2π = "
                         f"{omega:.3g} Hz: a detuned flip-flop (incomplete, faster transfer; included in the ideal "
                         "curve)")
    else:
        if p.offset_battery_hz or p.offset_chargers_hz:
            notes.append("off resonance: the 180° pulses refocus the offsets, the hard pulses' rotation axes tilt "
                         f"by atan(offset/ν) (battery {math.degrees(math.atan2(p.offset_battery_hz, pb)):.3g}°, "
                         f"chargers {math.degrees(math.atan2(p.offset_chargers_hz, pc)):.3g}°)")
    if p.relaxation:
        notes.append(f"relaxation: T2 of the chargers {mol.chargers.t2_s:g} s and of the battery {mol.battery.t2_s:g} s "
                     f"damp the transfer by about exp(−t*/T2) = {math.exp(-t_first / mol.chargers.t2_s):.4f} and "
                     f"{math.exp(-t_first / mol.battery.t2_s):.4f} at the ideal first maximum t* = {t_first * 1e3:.4g} ms")
    return notes


def analyse(data: Data, *, fit: bool = True, coupling_range: tuple[float, float] | None = None,
            scan_points: int = 9, **fit_options) -> Results:
    """Figures of merit, the first maximum against the ideal star, the deviation from the ideal curve and
    (``fit=True``) |J| and the chargers' T2 fitted through the simulation (``fit_options``: those of
    :func:`qbhw.fit.fit_curve`; ``max_nfev`` defaults to 40 solver runs on pulse data)."""
    from ..fit import fit_curve
    from ._charging import curve_fit_data

    p: Parameters = data.parameters
    mol = molecule_of(data)
    curve = data.curve
    out: dict[str, Any] = ChargingResults.figures_of_merit(curve)
    notes: list[str] = list(data.metadata.get("notes", []))
    t = np.asarray(curve.times)
    tm, em = first_maximum(t, curve.energy)
    n, j = mol.n_chargers, abs(mol.coupling_hz)
    t_star, e_star, ph_star = ideal_first_maximum(p, mol)
    phase_of = (lambda x: math.pi * j / 2 * math.sqrt(n) * x) if p.transfer == "hartmann_hahn" else \
        (lambda x: 2 * math.pi * j * x)
    out.update(first_max_s=tm, first_max_energy=em, first_max_phase=None if tm is None else phase_of(tm),
               ideal_first_max_s=t_star, ideal_first_max_energy=e_star, ideal_first_max_phase=ph_star)
    if tm is None:
        notes.append("the curve has no interior maximum (extend times_ms)")
    ideal = battery_bloch(p, mol, t, "exact", ignore_offsets=True)
    out["max_deviation_from_ideal"] = float(np.max(np.abs(curve.energy - 0.5 * (1 + ideal[:, 2]))))
    kind = data.backend.split(":", 1)[0]
    if kind == "pulse":
        notes.extend(_explanations(p, mol, t_star))
    fit_result = None
    if fit:
        theory = theory_model(data, coupling_range=coupling_range, scan_points=scan_points)
        if kind == "pulse":
            fit_options.setdefault("max_nfev", 40)
        fit_result = fit_curve(theory, curve_fit_data(curve, "energy", x_unit="s", y_unit="h nu_B per eps_B"),
                               **fit_options)
        if fit_result.ok:
            est = fit_result.parameter("coupling_hz")
            out["coupling_hz"], out["coupling_hz_ci95"] = est.value, est.ci95
            est = fit_result.parameter("t2_chargers_s")
            if est.vary:
                out["t2_chargers_s"], out["t2_chargers_s_ci95"] = est.value, est.ci95
            else:
                notes.append("T2 of the chargers not fitted (" + ("exact data: no relaxation" if kind == "exact"
                                                                  else "relaxation off") + ")")
        else:
            notes.append(f"fit failed: {fit_result.message}")
    else:
        notes.append("no fit requested")
    return Results(protocol=NAME, fit=fit_result, notes=notes, n_chargers=n, molecule=mol.name, transfer=p.transfer,
                   **out)


# ---------------------------------------------------------------------------------------------
# plot
def plot(data: Data, results: Results) -> Figure:
    """Battery energy (and ergotropy) per unit ε_B against the spin-lock time (or Δ) in ms, with the ideal curve,
    the fit and both first maxima; normalised fit residuals below."""
    p: Parameters = data.parameters
    curve = data.curve
    fit = results.fit
    has_fit = fit is not None and getattr(fit, "ok", False)
    fig = Figure(figsize=(6.4, 5.6 if has_fit else 4.2))
    if has_fit:
        ax, axr = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    else:
        ax, axr = fig.subplots(), None
    t_ms = np.asarray(curve.times) * 1e3
    if curve.energy_stderr is not None:
        ax.errorbar(t_ms, curve.energy, yerr=curve.energy_stderr, fmt="o", ms=2.5, lw=0.7,
                    label=f"energy ({data.backend})")
    else:
        ax.plot(t_ms, curve.energy, "-" if t_ms.size > 60 else "o-", ms=3, lw=1.2, label=f"energy ({data.backend})")
    if curve.ergotropy is not None:
        ax.plot(t_ms, curve.ergotropy, "--", lw=0.9, label="ergotropy")
    if data.backend != "exact":
        mol = molecule_of(data)
        ideal = battery_bloch(p, mol, curve.times, "exact", ignore_offsets=True)
        ax.plot(t_ms, 0.5 * (1 + ideal[:, 2]), ":", color="k", lw=1.0, label="ideal (π|J|/2 star)"
                if p.transfer == "hartmann_hahn" else "ideal INEPT")
    if has_fit:
        order = np.argsort(fit.x)
        ax.plot(fit.x[order] * 1e3, fit.best_fit[order], "-", lw=1.0, label="fit")
        axr.axhline(0.0, color="k", lw=0.6)
        axr.plot(fit.x * 1e3, fit.normalized_residuals, ".", ms=3)
        axr.set_ylabel("(y − fit)/σ" if fit.sigma is not None else "y − fit")
    if results.first_max_s is not None:
        ax.axvline(results.first_max_s * 1e3, color="grey", ls="--", lw=0.7,
                   label=f"first max {results.first_max_s * 1e3:.4g} ms")
    if math.isfinite(results.ideal_first_max_s):
        ax.axvline(results.ideal_first_max_s * 1e3, color="k", ls=":", lw=0.7,
                   label=f"ideal {results.ideal_first_max_s * 1e3:.4g} ms")
    xlabel = "spin-lock time [ms]" if p.transfer == "hartmann_hahn" else "refocusing delay Δ [ms]"
    (axr or ax).set_xlabel(xlabel)
    ax.set_ylabel("energy per ε_B [h ν_L,B]")
    ax.legend(fontsize=7, loc="best")
    head = f"{results.molecule}: {p.transfer.replace('_', '-')} charging, N = {results.n_chargers}"
    if math.isfinite(results.coupling_hz):
        head += f"\nfit |J| = {results.coupling_hz:.5g} Hz"
        if math.isfinite(results.t2_chargers_s):
            head += f", T2(C) = {results.t2_chargers_s:.4g} s"
    ax.set_title(head, fontsize=9)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# charging time against 𝒩
@dataclass
class ChargingTimeScaling:
    """The first-maximum time τ(𝒩) of the charging curve for several 𝒩 and the fit τ = A 𝒩^{−α}.

    ``n_values``; ``times_s`` (τ per 𝒩, s); ``phases`` ((π|J|/2)√𝒩·τ for Hartmann–Hahn, 2π|J|τ for INEPT: ≈ 1.57–1.9
    for the ideal star, drifting up with 𝒩 — the high-temperature state mixes charger-spin sectors whose
    exchange frequencies are not all ∝ √𝒩); ``alpha``, ``alpha_ci95`` (the exponent with its bootstrap 95 %
    interval, :func:`qbhw.fit.fit_scaling_exponent`); ``scaling``: the :class:`~qbhw.fit.ScalingResult` of τ
    (its exponent is −α); ``backend``; ``molecules`` (names); ``notes``."""

    n_values: tuple
    times_s: tuple
    phases: tuple
    alpha: float
    alpha_ci95: tuple
    scaling: Any
    backend: str
    molecules: tuple = ()
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from ..serialization import to_jsonable

        return to_jsonable({"n_values": self.n_values, "times_s": self.times_s, "phases": self.phases,
                            "alpha": self.alpha, "alpha_ci95": self.alpha_ci95, "scaling": self.scaling.to_dict(),
                            "backend": self.backend, "molecules": self.molecules, "notes": self.notes})


def charging_time_versus_n(n_values, backend="exact", *, molecule=None, n_boot: int = 2000, seed: int | None = 0,
                           **changes) -> ChargingTimeScaling:
    """Charge for every 𝒩 in ``n_values`` (≥ 3 distinct values) on ``backend`` and fit τ = A 𝒩^{−α} to the
    first-maximum times τ (parabola-refined on each curve).

    The molecules share everything but 𝒩: ``molecule=None`` uses :func:`qbhw.devices.nmr.generic_star` (𝒩) (the
    shipped molecules differ in J and isotopes, which would hide the 𝒩 law); a given molecule is copied with
    ``n_chargers`` replaced (its name suffixed ``_N<𝒩>``). ``changes``: other :class:`Parameters` fields (e.g.
    ``transfer``, ``relaxation``, ``times_ms``). The idealised star gives α ≈ 1/2 (the J√𝒩 law; the
    high-temperature first maximum drifts from (π|J|/2)√𝒩 τ = π/2 at 𝒩 ≤ 2 to ≈ 1.9 at 𝒩 = 9, so α fitted over
    𝒩 = 1 … 9 is ≈ 0.41 and over 1 … 4 ≈ 0.43, whose bootstrap interval still holds 1/2)."""
    from ..devices.nmr import generic_star
    from ..fit import fit_scaling_exponent

    if isinstance(n_values, (str, bytes)):
        raise InvalidArgumentError(f"got {n_values!r}", argument="n_values", allowed="integers >= 1")
    ns = [check_int(n, "n_values", minimum=1) for n in n_values]
    if len(set(ns)) < 3:
        raise InvalidArgumentError(f"got {list(n_values)!r}", argument="n_values",
                                   allowed="at least 3 distinct numbers of chargers")
    for bad in ("n_chargers", "molecule"):
        if bad in changes:
            raise ConfigError(f"{bad} is set per 𝒩 here", argument=bad, allowed="not given (use n_values, molecule)")
    base = None if molecule is None else resolve_molecule(molecule)
    taus, phases, names, notes = [], [], [], []
    for n in sorted(set(ns)):
        mol = generic_star(n) if base is None else base.replace(n_chargers=n, name=f"{base.name}_N{n}")
        p = Parameters(molecule=mol, **changes)
        data = acquire(p, backend)
        tm, _ = first_maximum(data.curve.times, data.curve.energy)
        if tm is None:
            raise ConfigError(f"the curve of 𝒩 = {n} has no interior maximum", argument="times_ms",
                              allowed="times that reach the first maximum")
        j = abs(mol.coupling_hz)
        taus.append(tm)
        phases.append(math.pi * j / 2 * math.sqrt(n) * tm if p.transfer == "hartmann_hahn" else 2 * math.pi * j * tm)
        names.append(mol.name)
    n_sorted = np.array(sorted(set(ns)), dtype=float)
    res = fit_scaling_exponent(n_sorted, np.array(taus), quantity="first-maximum time [s]", n_boot=n_boot, seed=seed)
    notes.extend(res.notes)
    return ChargingTimeScaling(n_values=tuple(int(n) for n in n_sorted), times_s=tuple(taus), phases=tuple(phases),
                               alpha=-res.exponent, alpha_ci95=(-res.ci95[1], -res.ci95[0]), scaling=res,
                               backend=str(backend), molecules=tuple(names), notes=notes)
