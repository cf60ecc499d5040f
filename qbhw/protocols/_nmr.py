"""Wiring shared by the NMR star-topology protocols (``nmr_star_charging``, ``nmr_star_storage``): the molecule
parameter, the parameters both protocols have, the Hartmann–Hahn sequence of those parameters with the carrier
offsets, the pulse-level simulator, the idealised Hartmann–Hahn transfer, the charging curve of battery Bloch
vectors with co-added scan noise, and the first maximum of a curve (review Campaioli et al., Rev. Mod. Phys. 96,
031001 (2024), Sec. VI.D; Joshi & Mahesh, Phys. Rev. A 106, 042601 (2022)).

Conventions. The molecule (:class:`qbhw.devices.nmr.StarMolecule`: isotopes, scalar coupling J, T1/T2, RF limits)
has one battery spin B and 𝒩 equivalent charger spins C and starts in the high-temperature state
ρ = (1 + ε_B X)/2^{𝒩+1}, X_eq = −σ_B^z − w Σ_j σ_j^z (w = ε_C/ε_B, the molecule's ``charger_weight``). Everything
is per unit ε_B, in units of the battery's Zeeman quantum h ν_L,B (as :class:`qbhw.models.StarBattery` with
``initial="high_temperature"``, ``omega_b=1``):

    P⃗ = ⟨σ⃗_B⟩/ε_B,   energy = work = (1 + P_z)/2,   ergotropy = (|P⃗| + P_z)/2,   polarization = P_z

(energy 0 for the thermal battery, P_z = −1). Times in s (schedules in ns on the molecule's sample grid
``dt_ns``), frequencies in Hz (cyclic): nutations ν, carrier offsets ν_L − ν_carrier, J.

The idealised Hartmann–Hahn transfer (on resonance, ν1 ≫ J, no relaxation) is the star battery with the flip-flop
exchange π|J|/2 (rad/s), the lock mismatch as the detuning ω_b − ω_c = 2π(ν_B − ν_C):
``StarBattery(𝒩, coupling=π|J|/2, omega_b=2πν_B, initial="high_temperature", omega_c=2πν_C, charger_weight=w)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigError
from ..metrics import make_charging_curve
from .base import Data, ProtocolParameters, check_choice, check_int, check_real

__all__ = ["METHODS", "DEFAULT_N_CHARGERS", "check_molecule", "resolve_molecule", "NmrStarParameters",
           "molecule_of", "grid_s", "carrier_offsets", "with_offsets", "pulse_nutations", "hartmann_hahn",
           "simulator", "ideal_hh_polarization", "ideal_hh_first_maximum", "first_maximum", "bloch_curve",
           "add_scan_noise"]

#: solver methods of the pulse backend (:class:`qbhw.solvers.nmr.NmrStarSimulator`)
METHODS = ("auto", "exact", "averaged")
#: 𝒩 when neither ``n_chargers`` nor ``molecule`` says
DEFAULT_N_CHARGERS = 4


# ---------------------------------------------------------------------------------------------
# the molecule
def check_molecule(value, argument: str = "molecule"):
    """A molecule parameter: ``None``, the name of a shipped star molecule (or a JSON path), a
    :class:`~qbhw.devices.nmr.StarMolecule` or its dict — returned as ``None``, ``str`` or ``StarMolecule``."""
    from ..devices.nmr import StarMolecule, molecule_names

    if value is None or isinstance(value, StarMolecule):
        return value
    if isinstance(value, Mapping):
        return StarMolecule.from_dict(dict(value))
    if isinstance(value, str):
        if not value.endswith(".json") and value not in molecule_names():
            raise ConfigError(f"unknown molecule {value!r}", argument=argument,
                              allowed=" | ".join(molecule_names()) + " | a JSON file of kind 'nmr_star' | None")
        return value
    raise ConfigError(f"got {type(value).__name__}", argument=argument,
                      allowed="a molecule name, a StarMolecule, its dict, or None (molecule_for(n_chargers))")


def resolve_molecule(molecule, n_chargers: int | None = None):
    """The :class:`~qbhw.devices.nmr.StarMolecule` of a ``molecule`` parameter: ``None`` →
    :func:`qbhw.devices.nmr.molecule_for` (``n_chargers``, default 4: the shipped molecule with that many chargers,
    else a generic star with typical values); a name or path → the file (it must be of kind ``nmr_star``)."""
    from ..devices import load
    from ..devices.nmr import StarMolecule, molecule_for

    molecule = check_molecule(molecule)
    if molecule is None:
        return molecule_for(DEFAULT_N_CHARGERS if n_chargers is None else int(n_chargers))
    if isinstance(molecule, str):
        mol = load(molecule)
        if not isinstance(mol, StarMolecule):
            raise ConfigError(f"{molecule!r} is a {type(mol).__name__}, not a star molecule", argument="molecule",
                              allowed="a device file of kind 'nmr_star'")
        return mol
    return molecule


def molecule_of(data: Data):
    """The :class:`~qbhw.devices.nmr.StarMolecule` a run was acquired on (``data.metadata["molecule"]``)."""
    from ..devices.nmr import StarMolecule

    return StarMolecule.from_dict(data.metadata["molecule"])


# ---------------------------------------------------------------------------------------------
# parameters
@dataclass(frozen=True, kw_only=True)
class NmrStarParameters(ProtocolParameters):
    """What the NMR star protocols share.

    ``n_chargers``: 𝒩 (``None``: the molecule's, or 4 without a molecule); ``molecule``: ``None``
    (:func:`qbhw.devices.nmr.molecule_for` (𝒩): the shipped molecule with 𝒩 chargers or a generic star with typical
    values), a shipped molecule's name, a JSON path, a StarMolecule or its dict — a molecule whose charger count
    disagrees with a given ``n_chargers`` raises :class:`ConfigError` naming ``molecule``; ``lock_nutation_hz``: ν1
    of the Hartmann–Hahn spin-lock (``None``: the largest both channels allow, min(ν_max,B − max(mismatch, 0),
    ν_max,C)); ``mismatch_hz``: ν_B − ν_C of the lock; ``offset_battery_hz``, ``offset_chargers_hz``: carrier
    offsets ν_L − ν_carrier; ``method``: the solver's ``"auto" | "exact" | "averaged"``; ``noise_per_scan``: σ of
    one scan on each Bloch component (per unit ε_B; with ``shots`` only).
    """

    UNITS: ClassVar[dict[str, str]] = {"n_chargers": "", "molecule": "molecule name", "method": "",
                                       "noise_per_scan": "ε_B"}
    HELP: ClassVar[dict[str, str]] = {
        "n_chargers": "number 𝒩 of charger spins (None: the molecule's, or 4)",
        "molecule": "star molecule: a shipped name, a JSON path, a StarMolecule or None (molecule_for(n_chargers))",
        "lock_nutation_hz": "nutation ν1 of the Hartmann-Hahn spin-lock (None: the largest the channels allow)",
        "mismatch_hz": "Hartmann-Hahn mismatch ν_B − ν_C of the spin-lock nutations",
        "offset_battery_hz": "battery carrier offset ν_L − ν_carrier",
        "offset_chargers_hz": "charger carrier offset ν_L − ν_carrier",
        "method": "solver method of the pulse backend: 'auto' | 'exact' | 'averaged'",
        "noise_per_scan": "σ of one scan on each Bloch component per unit ε_B (with shots only)",
    }

    n_chargers: int | None = None
    molecule: Any = None
    lock_nutation_hz: float | None = None
    mismatch_hz: float = 0.0
    offset_battery_hz: float = 0.0
    offset_chargers_hz: float = 0.0
    method: str = "auto"
    noise_per_scan: float = 0.02

    def _validate(self) -> None:
        self._set("n_chargers", check_int(self.n_chargers, "n_chargers", minimum=1, allow_none=True))
        mol = check_molecule(self.molecule)
        self._set("molecule", mol)
        if mol is not None:
            n_mol = resolve_molecule(mol).n_chargers
            if self.n_chargers is not None and self.n_chargers != n_mol:
                label = mol if isinstance(mol, str) else mol.name
                raise ConfigError(f"molecule {label!r} has {n_mol} chargers, n_chargers = {self.n_chargers}",
                                  argument="molecule", allowed=f"a molecule with {self.n_chargers} chargers, or "
                                                               "n_chargers=None (the molecule's)")
            self._set("n_chargers", n_mol)
        elif self.n_chargers is None:
            self._set("n_chargers", DEFAULT_N_CHARGERS)
        self._set("lock_nutation_hz", check_real(self.lock_nutation_hz, "lock_nutation_hz", minimum=0.0, strict=True,
                                                 allow_none=True))
        for name in ("mismatch_hz", "offset_battery_hz", "offset_chargers_hz"):
            self._set(name, check_real(getattr(self, name), name))
        check_choice(self.method, "method", METHODS)
        self._set("noise_per_scan", check_real(self.noise_per_scan, "noise_per_scan", minimum=0.0, strict=True))

    def resolved_molecule(self):
        """The StarMolecule these parameters run on (:func:`resolve_molecule`)."""
        return resolve_molecule(self.molecule, self.n_chargers)

    def lock_nutations(self, molecule) -> tuple[float, float]:
        """(ν_B, ν_C) of the spin-lock (Hz), checked against the channels' limits."""
        lim_b = molecule.channel_map[molecule.channel_for("battery")].max_nutation_hz
        lim_c = molecule.channel_map[molecule.channel_for("chargers")].max_nutation_hz
        nu1 = self.lock_nutation_hz
        if nu1 is None:
            nu1 = min(lim_b - max(self.mismatch_hz, 0.0), lim_c)
            if nu1 <= max(-self.mismatch_hz, 0.0):
                raise ConfigError(f"mismatch {self.mismatch_hz:g} Hz leaves no spin-lock within the channel limits",
                                  argument="mismatch_hz", allowed=f"|mismatch| < {min(lim_b, lim_c):g} Hz")
        nu_b = nu1 + self.mismatch_hz
        if nu_b <= 0:
            raise ConfigError(f"battery lock nutation ν1 + mismatch = {nu_b:g} Hz", argument="mismatch_hz",
                              allowed=f"mismatch > −ν1 = {-nu1:g} Hz")
        if nu_b > lim_b * (1 + 1e-12) or nu1 > lim_c * (1 + 1e-12):
            raise ConfigError(f"spin-lock nutations ν_B = {nu_b:g} Hz, ν_C = {nu1:g} Hz exceed the channel limits "
                              f"({lim_b:g} Hz, {lim_c:g} Hz) of {molecule.name!r}", argument="lock_nutation_hz",
                              allowed=f"ν1 + mismatch <= {lim_b:g} Hz and ν1 <= {lim_c:g} Hz")
        return float(nu_b), float(nu1)


# ---------------------------------------------------------------------------------------------
# schedules and the simulator
def grid_s(times_s, dt_ns: float) -> np.ndarray:
    """Times rounded to whole samples of the molecule's grid (s); a time already on it is kept as given."""
    t = np.asarray(times_s, dtype=float)
    on_grid = np.round(t * 1e9 / dt_ns) * dt_ns * 1e-9
    return np.where(np.isclose(on_grid, t, rtol=1e-12, atol=1e-18), t, on_grid)


def carrier_offsets(p: NmrStarParameters, molecule):
    """The carrier-offset instructions (zero duration) of both channels."""
    from ..pulse import Schedule
    from ..pulse.nmr import carrier_offset

    out = Schedule(alignment="left", name="carrier offsets")
    for spin, off in (("battery", p.offset_battery_hz), ("chargers", p.offset_chargers_hz)):
        if off:
            out.append(carrier_offset(molecule.channel_for(spin), off))
    return out


def with_offsets(p: NmrStarParameters, molecule, schedule):
    """``schedule`` preceded by the parameters' carrier offsets (:func:`carrier_offsets`), under its name."""
    from ..pulse import align_sequential

    return align_sequential(carrier_offsets(p, molecule), schedule, name=schedule.name)


def pulse_nutations(molecule) -> tuple[float, float]:
    """Hard pulses at the channels' largest nutation (Hz): (battery, chargers)."""
    return (molecule.channel_map[molecule.channel_for("battery")].max_nutation_hz,
            molecule.channel_map[molecule.channel_for("chargers")].max_nutation_hz)


def hartmann_hahn(p: NmrStarParameters, molecule, lock_s: float, *, invert_chargers: bool = True):
    """The :class:`qbhw.pulse.nmr.HartmannHahnSequence` of the parameters with a lock of ``lock_s`` (s)."""
    from ..pulse.nmr import hartmann_hahn_transfer

    nu_b, nu_c = p.lock_nutations(molecule)
    pb, pc = pulse_nutations(molecule)
    return hartmann_hahn_transfer(molecule.channel_for("battery"), molecule.channel_for("chargers"), lock_s * 1e9,
                                  lock_nutation_hz=nu_c, mismatch_hz=nu_b - nu_c, pulse_nutation_battery_hz=pb,
                                  pulse_nutation_chargers_hz=pc, dt_ns=molecule.dt_ns, invert_chargers=invert_chargers)


def simulator(molecule, relaxation: bool, method: str):
    """The pulse-level :class:`qbhw.solvers.nmr.NmrStarSimulator` of the molecule (T1/T2 on with ``relaxation``)."""
    from ..solvers.nmr import NmrStarSimulator

    return NmrStarSimulator(molecule, relaxation=relaxation, method=method)


# ---------------------------------------------------------------------------------------------
# the idealised Hartmann–Hahn transfer
def _star(n: int, molecule, nu_b: float, nu_c: float, weight: float):
    from ..models import StarBattery

    return StarBattery(n, math.pi * abs(molecule.coupling_hz) / 2, 2 * math.pi * nu_b, "high_temperature",
                       omega_c=2 * math.pi * nu_c, charger_weight=weight)


def ideal_hh_polarization(molecule, times_s, nu_b: float, nu_c: float, weight: float) -> np.ndarray:
    """P_z of the idealised Hartmann–Hahn transfer: the star battery with exchange π|J|/2 (rad/s), the mismatch as
    the detuning ω_b − ω_c = 2π(ν_B − ν_C), for X_0 = −σ_B^z + weight Σ_j σ_j^z."""
    from ..solvers import charge

    t = np.asarray(times_s, dtype=float)
    return np.asarray(charge(_star(molecule.n_chargers, molecule, nu_b, nu_c, weight), t, ergotropy=False)
                      .polarization, dtype=float)


def first_maximum(times, values) -> tuple[float | None, float | None]:
    """The first interior local maximum of ``values`` over ``times`` (a parabola through the sample and its two
    neighbours refines time and value), or ``(None, None)``."""
    t = np.asarray(times, dtype=float)
    y = np.asarray(values, dtype=float)
    if y.size < 3:
        return None, None
    peaks = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:])) + 1
    if peaks.size == 0:
        return None, None
    i = int(peaks[0])
    t0, t1, t2 = t[i - 1:i + 2]
    y0, y1, y2 = y[i - 1:i + 2]
    # vertex of the parabola through the three points (non-uniform spacing allowed)
    d1, d2 = (y1 - y0) / (t1 - t0), (y2 - y1) / (t2 - t1)
    a = (d2 - d1) / (t2 - t0)
    if a >= 0:
        return float(t1), float(y1)
    b = d1 - a * (t0 + t1)
    tv = -b / (2 * a)
    if not t0 <= tv <= t2:
        return float(t1), float(y1)
    return float(tv), float(y0 + (tv - t0) * (d1 + a * (tv - t1)))


def ideal_hh_first_maximum(molecule, nu_b: float, nu_c: float, weight: float) -> tuple[float, float, float]:
    """``(t*, E*, phase)`` of the first maximum of the idealised Hartmann–Hahn energy (1 + P_z)/2
    (:func:`ideal_hh_polarization` with lock nutations ``nu_b``, ``nu_c`` in Hz and charger ``weight``: w with the
    chargers inverted first, −w without), phase (π|J|/2)√𝒩·t*. Time in s, energy per unit ε_B."""
    n, j = molecule.n_chargers, abs(molecule.coupling_hz)
    scale = 1.0 / (math.pi * j / 2 * math.sqrt(n))  # (π|J|/2)√𝒩 t = 1 ↔ t = scale
    for span in (4.0, 12.0):
        t = np.linspace(0.0, span * scale, 801)
        pz = ideal_hh_polarization(molecule, t, nu_b, nu_c, weight)
        tm, em = first_maximum(t, 0.5 * (1 + pz))
        if tm is not None:
            break
    else:
        raise ConfigError("the ideal curve has no maximum within 12/((π|J|/2)√𝒩)", argument="mismatch_hz",
                          allowed="a mismatch small against J√𝒩")
    # refine on a fine grid around the coarse maximum
    h = span * scale / 800
    t = np.linspace(max(tm - 2 * h, 0.0), tm + 2 * h, 81)
    tm, em = first_maximum(t, 0.5 * (1 + ideal_hh_polarization(molecule, t, nu_b, nu_c, weight)))
    return float(tm), float(em), float(tm / scale)


# ---------------------------------------------------------------------------------------------
# the charging curve
def bloch_curve(times_s, bloch: np.ndarray, *, stderr: float | None = None, metadata=None,
                observables=None):
    """The charging curve of battery Bloch vectors per unit ε_B (k, 3): energy = work = (1 + P_z)/2, ergotropy =
    (|P⃗| + P_z)/2 (``None`` with ``stderr``: noisy data), observables ``polarization`` (P_z) and ``bloch``."""
    b = np.asarray(bloch, dtype=float)
    energy = 0.5 * (1.0 + b[:, 2])
    erg = None if stderr is not None else 0.5 * (np.linalg.norm(b, axis=1) + b[:, 2])
    obs = {"polarization": b[:, 2], "bloch": b, **(observables or {})}
    es = None if stderr is None else np.full(energy.shape, 0.5 * stderr)
    if stderr is not None:
        obs["polarization_stderr"] = np.full(energy.shape, stderr)
    meta = {"time_unit": "s", "energy_unit": "h ν_L,B per unit ε_B",
            "units": "time s, energy (1 + P_z)/2 per unit ε_B in units of the battery's Zeeman quantum",
            **(metadata or {})}
    return make_charging_curve(np.asarray(times_s, dtype=float), energy, work=energy.copy(), ergotropy=erg,
                               metadata=meta, observables=obs, energy_stderr=es, work_stderr=es)


def add_scan_noise(bloch: np.ndarray, p: NmrStarParameters, salt: int = 0) -> tuple[np.ndarray, float]:
    """``bloch`` with the Gaussian noise of ``p.shots`` co-added scans (σ = noise_per_scan/√shots per component,
    seeded by ``p.seed`` and ``salt``) and that σ."""
    sigma = p.noise_per_scan / math.sqrt(p.shots)
    rng = np.random.default_rng(None if p.seed is None else [p.seed, salt])
    return np.asarray(bloch, float) + sigma * rng.standard_normal(np.shape(bloch)), sigma
