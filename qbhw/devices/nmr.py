"""NMR star-topology molecules as devices: one battery spin and 𝒩 equivalent charger spins driven by two RF channels.

A liquid-state NMR *star-topology register* (Mahesh et al., "Star-topology registers: NMR and quantum information
perspectives", arXiv:2102.05203 (2021)) is a molecule with one central spin-1/2 (the **battery** B, e.g. ³¹P, ¹³C,
²⁹Si, ¹⁵N) scalar-coupled with the same constant J to 𝒩 magnetically equivalent spins-1/2 of another isotope (the
**chargers** C, usually ¹H): acetonitrile (¹³C + 3 ¹H), trimethylphosphite (³¹P + 9 ¹H), tetrakis(trimethylsilyl)silane
(²⁹Si + 36 ¹H) — the clusters of Pal, Nishad, Mahesh and Sreejith, Phys. Rev. Lett. 120, 180602 (2018) and of the
NMR quantum battery of Joshi and Mahesh, Phys. Rev. A 106, 042601 (2022) (review: Campaioli et al., Rev. Mod. Phys.
96, 031001 (2024), Sec. VI.D).

:class:`StarMolecule` holds what a pulse-level simulation needs (frozen, hashable, compared by value; ``provenance``
is commentary): the static field ``B0`` (T), the temperature (K), the two spins (:class:`NuclearSpin`: isotope,
chemical shift δ (ppm), T1, T2 (s)), 𝒩, the coupling J (Hz, signed as in the literature) and one RF channel per spin
(:class:`NmrChannelSpec`: the largest nutation frequency ν₁ = |γ B₁|/2π, Hz). Derived quantities:

* Larmor frequency (positive, Hz): ``ν_L = |γ/2π| B0 (1 + δ·10⁻⁶)``;
* the lower Zeeman level |g⟩ is m = +1/2 for γ > 0 and m = −1/2 for γ < 0 (``gamma_sign``);
* thermal polarization ``ε = tanh(h ν_L / (2 k_B T))`` (≈ 4·10⁻⁵ for ¹H at 500 MHz and 298 K), the charger weight
  ``w = ε_C/ε_B`` (≈ |γ_C/γ_B|) of the high-temperature state ``ρ ∝ 1 + ε_B (−σ_B^z − w Σ_j σ_j^z)``;
* ``coupling_sign = sgn(γ_B γ_C)``: the secular coupling ``2πJ I_z^B Σ_j I_z^j`` is
  ``2πJ sgn(γ_B γ_C) (σ_B^z/2) J_z`` in the g/e basis (σ^z = |e⟩⟨e| − |g⟩⟨g|).

As a pulse-layer device (duck type of :class:`qbhw.devices.Device` for :func:`qbhw.pulse.build_signals`): ``name``,
``dt_ns``, ``granularity`` (1), ``min_length`` (1) and ``channel_map`` {name: :class:`NmrChannelSpec`} whose
``max_amp_ghz = max_nutation_hz·10⁻⁹`` (the pulse layer's amplitude |s| in GHz is the nutation frequency) and
``freq_ghz`` = the addressed spin's Larmor frequency (GHz, the default carrier).

Device files (``backends/nmr_*.json``) have ``"kind": "nmr_star"``; :func:`qbhw.devices.load` reads them through
:func:`qbhw.devices.register_device_kind`. :func:`molecule_for` gives the shipped molecule with 𝒩 chargers or a
:func:`generic_star` with typical values.

Gyromagnetic ratios: R. K. Harris, E. D. Becker, S. M. Cabral de Menezes, R. Goodfellow and P. Granger, "NMR
nomenclature. Nuclear spin properties and conventions for chemical shifts (IUPAC Recommendations 2001)", Pure Appl.
Chem. 73, 1795 (2001), Table 1 (γ in 10⁷ rad s⁻¹ T⁻¹).
"""

from __future__ import annotations

import copy
import functools
import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import replace as _dc_replace
from pathlib import Path

from ..errors import ConfigError, InvalidArgumentError
from .files import backends_folder, load, names, register_device_kind

__all__ = ["Isotope", "ISOTOPES", "NuclearSpin", "NmrChannelSpec", "RfChannel", "StarMolecule", "SPINS",
           "KIND", "molecule_for", "generic_star", "molecule_names", "PLANCK_J_S", "BOLTZMANN_J_PER_K"]

KIND = "nmr_star"
#: the two spin groups of a star molecule
SPINS = ("battery", "chargers")
PLANCK_J_S = 6.62607015e-34  # exact (SI 2019)
BOLTZMANN_J_PER_K = 1.380649e-23  # exact (SI 2019)
_TYPICAL = "typical value, not from a paper"


@dataclass(frozen=True)
class Isotope:
    """A nucleus: ``symbol`` (e.g. ``"31P"``), ``gamma_1e7_rad_per_s_t`` (γ in 10⁷ rad s⁻¹ T⁻¹, signed, as tabulated
    by Harris et al. 2001), ``spin`` (the spin quantum number I)."""

    symbol: str
    gamma_1e7_rad_per_s_t: float
    spin: float

    @property
    def gamma_mhz_per_t(self) -> float:
        """γ/2π in MHz/T, signed (¹H: 42.577; ²⁹Si: −8.465)."""
        return self.gamma_1e7_rad_per_s_t * 1e7 / (2.0 * math.pi) / 1e6

    @property
    def gamma_sign(self) -> int:
        return 1 if self.gamma_1e7_rad_per_s_t > 0 else -1


#: γ from Harris et al., Pure Appl. Chem. 73, 1795 (2001), Table 1
ISOTOPES = {iso.symbol: iso for iso in (
    Isotope("1H", 26.7522128, 0.5),
    Isotope("2H", 4.10662791, 1.0),
    Isotope("13C", 6.728284, 0.5),
    Isotope("15N", -2.71261804, 0.5),
    Isotope("19F", 25.18148, 0.5),
    Isotope("29Si", -5.3190, 0.5),
    Isotope("31P", 10.8394, 0.5),
)}


# ---- checks (``path`` is the dotted field name reported as the error's ``argument``) ---------------------------
def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _real(value, argument: str, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    return float(value)


def _positive(value, argument: str, unit: str) -> float:
    allowed = f"a finite number > 0 ({unit})"
    x = _real(value, argument, allowed)
    if x <= 0:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    return x


def _text(value, argument: str, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise InvalidArgumentError(f"got {value!r}", argument=argument,
                                   allowed="a string" if empty else "a non-empty string")
    return value


def _keys(data, path: str, what: str, known: tuple[str, ...], required: tuple[str, ...]) -> dict:
    """``data`` without ``_comment`` keys; unknown and missing keys raise :class:`ConfigError` naming the field."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"got {type(data).__name__}", argument=path or what, allowed="a mapping (a JSON object)")
    data = {k: v for k, v in data.items() if not str(k).startswith("_")}
    unknown = sorted((k for k in data if k not in known), key=str)
    if unknown:
        raise ConfigError(f"unknown {what} field {unknown[0]!r}", argument=_join(path, str(unknown[0])),
                          allowed=", ".join(known))
    for k in required:
        if k not in data:
            raise ConfigError(f"missing required {what} field {k!r}", argument=_join(path, k),
                              allowed=", ".join(known))
    return data


def _spin_name(value, argument: str) -> str:
    if value not in SPINS:
        raise ConfigError(f"unknown spin {value!r}", argument=argument, allowed="'battery' | 'chargers'")
    return value


# ---- records --------------------------------------------------------------------------------------------------
def _check_spin(isotope, chemical_shift_ppm, t1_s, t2_s, path: str) -> tuple:
    if not isinstance(isotope, str) or isotope not in ISOTOPES:
        raise ConfigError(f"unknown isotope {isotope!r}", argument=_join(path, "isotope"),
                          allowed=" | ".join(ISOTOPES))
    if ISOTOPES[isotope].spin != 0.5:
        raise ConfigError(f"{isotope} has spin {ISOTOPES[isotope].spin:g}; the star model needs spins-1/2",
                          argument=_join(path, "isotope"),
                          allowed=" | ".join(k for k, v in ISOTOPES.items() if v.spin == 0.5))
    shift = _real(chemical_shift_ppm, _join(path, "chemical_shift_ppm"), "a finite number (ppm)")
    t1 = _positive(t1_s, _join(path, "t1_s"), "s")
    t2 = _positive(t2_s, _join(path, "t2_s"), "s")
    if t2 > 2.0 * t1:
        raise InvalidArgumentError(f"T2 = {t2:g} s > 2 T1 = {2 * t1:g} s", argument=_join(path, "t2_s"),
                                   allowed="0 < T2 <= 2 T1 (1/T2 = 1/(2 T1) + 1/Tφ with 1/Tφ >= 0)")
    return isotope, shift, t1, t2


@dataclass(frozen=True)
class NuclearSpin:
    """One spin species of a star molecule: ``isotope`` (a key of :data:`ISOTOPES`, spin-1/2), ``chemical_shift_ppm``
    δ (ppm, shifts the Larmor frequency by the factor 1 + δ·10⁻⁶), ``t1_s`` and ``t2_s`` (s, 0 < T2 ≤ 2 T1;
    the pure dephasing rate is 1/Tφ = 1/T2 − 1/(2 T1))."""

    isotope: str
    chemical_shift_ppm: float
    t1_s: float
    t2_s: float

    def __post_init__(self):
        values = _check_spin(self.isotope, self.chemical_shift_ppm, self.t1_s, self.t2_s, "")
        for name, v in zip(("isotope", "chemical_shift_ppm", "t1_s", "t2_s"), values):
            object.__setattr__(self, name, v)

    @property
    def gamma_mhz_per_t(self) -> float:
        """γ/2π of the isotope (MHz/T, signed)."""
        return ISOTOPES[self.isotope].gamma_mhz_per_t

    @property
    def gamma_sign(self) -> int:
        return ISOTOPES[self.isotope].gamma_sign

    @property
    def tphi_s(self) -> float:
        """Pure dephasing time Tφ (s) with 1/Tφ = 1/T2 − 1/(2 T1); ``inf`` when T2 = 2 T1."""
        rate = 1.0 / self.t2_s - 0.5 / self.t1_s
        return math.inf if rate <= 0 else 1.0 / rate

    def larmor_hz(self, field_t: float) -> float:
        """ν_L = |γ/2π| B0 (1 + δ·10⁻⁶) in Hz (positive)."""
        return abs(self.gamma_mhz_per_t) * 1e6 * float(field_t) * (1.0 + self.chemical_shift_ppm * 1e-6)

    def to_dict(self) -> dict:
        return {"isotope": self.isotope, "chemical_shift_ppm": self.chemical_shift_ppm, "t1_s": self.t1_s,
                "t2_s": self.t2_s}

    @classmethod
    def from_dict(cls, data: Mapping, path: str = "") -> "NuclearSpin":
        """From a mapping; errors name the field as ``<path>.<field>`` (e.g. ``battery.t2_s``)."""
        known = ("isotope", "chemical_shift_ppm", "t1_s", "t2_s")
        d = _keys(data, path, "nuclear spin", known, ("isotope", "t1_s", "t2_s"))
        values = _check_spin(d["isotope"], d.get("chemical_shift_ppm", 0.0), d["t1_s"], d["t2_s"], path)
        return cls(*values)


@dataclass(frozen=True)
class NmrChannelSpec:
    """An RF channel addressing one spin group: ``name``, ``spin`` (``"battery"`` | ``"chargers"``),
    ``max_nutation_hz`` (the largest nutation frequency ν₁ = |γ B₁|/2π, Hz; a hard 90° pulse lasts 1/(4 ν₁)).

    Pulse-layer view: ``max_amp_ghz = max_nutation_hz·10⁻⁹`` and ``freq_ghz`` = the addressed spin's Larmor
    frequency (GHz; ``None`` until the channel belongs to a :class:`StarMolecule`, which fills in ``carrier_hz``)."""

    name: str
    spin: str
    max_nutation_hz: float
    carrier_hz: float | None = field(default=None, init=False)

    def __post_init__(self):
        _text(self.name, "name", empty=False)
        _spin_name(self.spin, "spin")
        object.__setattr__(self, "max_nutation_hz", _positive(self.max_nutation_hz, "max_nutation_hz", "Hz"))

    #: the kind of channel (the transmon device's channels are ``"drive"`` or ``"flux"``)
    kind = "rf"

    @property
    def max_amp_ghz(self) -> float:
        """The largest pulse-layer amplitude |s| (GHz) = ``max_nutation_hz``·10⁻⁹."""
        return self.max_nutation_hz * 1e-9

    @property
    def freq_ghz(self) -> float | None:
        """The default carrier (GHz): the addressed spin's Larmor frequency."""
        return None if self.carrier_hz is None else self.carrier_hz * 1e-9

    def _bound(self, carrier_hz: float) -> "NmrChannelSpec":
        new = copy.copy(self)
        object.__setattr__(new, "carrier_hz", float(carrier_hz))
        return new

    def to_dict(self) -> dict:
        return {"name": self.name, "spin": self.spin, "max_nutation_hz": self.max_nutation_hz}

    @classmethod
    def from_dict(cls, data: Mapping, path: str = "") -> "NmrChannelSpec":
        d = _keys(data, path, "RF channel", ("name", "spin", "max_nutation_hz"), ("name", "spin", "max_nutation_hz"))
        _text(d["name"], _join(path, "name"), empty=False)
        _spin_name(d["spin"], _join(path, "spin"))
        _positive(d["max_nutation_hz"], _join(path, "max_nutation_hz"), "Hz")
        return cls(d["name"], d["spin"], d["max_nutation_hz"])


RfChannel = NmrChannelSpec

_FIELDS = ("name", "description", "formula", "field_t", "temperature_k", "dt_ns", "battery", "chargers", "n_chargers",
           "coupling_hz", "channels", "provenance")
_REQUIRED = ("name", "field_t", "battery", "chargers", "n_chargers", "coupling_hz", "channels")


@dataclass(frozen=True)
class StarMolecule:
    """A star-topology NMR molecule (see the module docstring).

    ``name`` (the device-file name), ``description``, ``formula``, ``field_t`` B0 (T), ``temperature_k`` (K),
    ``dt_ns`` (the pulse-layer sample time, ns), ``battery`` and ``chargers`` (:class:`NuclearSpin`, different
    isotopes), ``n_chargers`` 𝒩 ≥ 1, ``coupling_hz`` J (Hz, signed, non-zero), ``channels`` (one
    :class:`NmrChannelSpec` per spin), ``provenance`` (field → where its value comes from; not part of the value).
    Mappings are accepted for the spins and channels; errors name the dotted field (``battery.t2_s``,
    ``channels[1].spin``)."""

    name: str
    field_t: float
    battery: NuclearSpin
    chargers: NuclearSpin
    n_chargers: int
    coupling_hz: float
    channels: tuple
    description: str = ""
    formula: str = ""
    temperature_k: float = 298.0
    dt_ns: float = 50.0
    provenance: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        _text(self.name, "name", empty=False)
        _text(self.description, "description")
        _text(self.formula, "formula")
        object.__setattr__(self, "field_t", _positive(self.field_t, "field_t", "T"))
        object.__setattr__(self, "temperature_k", _positive(self.temperature_k, "temperature_k", "K"))
        object.__setattr__(self, "dt_ns", _positive(self.dt_ns, "dt_ns", "ns"))
        for spin in SPINS:
            value = getattr(self, spin)
            if isinstance(value, Mapping):
                value = NuclearSpin.from_dict(value, spin)
            elif not isinstance(value, NuclearSpin):
                raise ConfigError(f"got {type(value).__name__}", argument=spin,
                                  allowed="a NuclearSpin or a mapping with isotope, chemical_shift_ppm, t1_s, t2_s")
            object.__setattr__(self, spin, value)
        if self.battery.isotope == self.chargers.isotope:
            raise ConfigError(f"battery and chargers are both {self.chargers.isotope}", argument="chargers.isotope",
                              allowed="an isotope other than the battery's (a heteronuclear star)")
        n = self.n_chargers
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or int(n) < 1:
            raise InvalidArgumentError(f"got {n!r}", argument="n_chargers", allowed="an integer >= 1")
        object.__setattr__(self, "n_chargers", int(n))
        j = _real(self.coupling_hz, "coupling_hz", "a finite non-zero number (Hz)")
        if j == 0.0:
            raise InvalidArgumentError("got 0", argument="coupling_hz", allowed="a finite non-zero number (Hz)")
        object.__setattr__(self, "coupling_hz", j)
        object.__setattr__(self, "channels", self._checked_channels(self.channels))
        if not isinstance(self.provenance, Mapping):
            raise ConfigError(f"got {type(self.provenance).__name__}", argument="provenance",
                              allowed="a mapping of field name to where its value comes from")
        object.__setattr__(self, "provenance", copy.deepcopy(dict(self.provenance)))

    def _checked_channels(self, channels) -> tuple:
        if isinstance(channels, (str, bytes, Mapping)) or not hasattr(channels, "__iter__"):
            raise ConfigError(f"got {type(channels).__name__}", argument="channels",
                              allowed="a list of RF channels, one per spin")
        out = []
        for i, c in enumerate(channels):
            path = f"channels[{i}]"
            if isinstance(c, Mapping):
                c = NmrChannelSpec.from_dict(c, path)
            elif not isinstance(c, NmrChannelSpec):
                raise ConfigError(f"got {type(c).__name__}", argument=path,
                                  allowed="an NmrChannelSpec or a mapping with name, spin, max_nutation_hz")
            out.append(c._bound(self.larmor_hz(c.spin)))
        names_ = [c.name for c in out]
        if len(set(names_)) != len(names_):
            raise ConfigError(f"duplicate channel names {names_}", argument="channels", allowed="unique names")
        for spin in SPINS:
            k = sum(c.spin == spin for c in out)
            if k != 1:
                raise ConfigError(f"{k} channels address the {spin}", argument="channels",
                                  allowed="exactly one channel for the battery and one for the chargers")
        return tuple(out)

    # -- pulse-layer device interface ----------------------------------------------------------------------------
    @property
    def granularity(self) -> int:
        """Pulse lengths are any whole number of samples."""
        return 1

    @property
    def min_length(self) -> int:
        """The shortest pulse: one sample."""
        return 1

    @property
    def channel_map(self) -> dict:
        """``{channel name: NmrChannelSpec}``."""
        return {c.name: c for c in self.channels}

    def channel_for(self, spin: str) -> str:
        """The name of the channel that addresses ``spin`` (``"battery"`` | ``"chargers"``)."""
        _spin_name(spin, "spin")
        return next(c.name for c in self.channels if c.spin == spin)

    # -- physics -------------------------------------------------------------------------------------------------
    def spin(self, spin: str) -> NuclearSpin:
        """The :class:`NuclearSpin` of ``"battery"`` or ``"chargers"``."""
        return getattr(self, _spin_name(spin, "spin"))

    @property
    def n_spins(self) -> int:
        """𝒩 + 1."""
        return self.n_chargers + 1

    def larmor_hz(self, spin: str) -> float:
        """ν_L = |γ/2π| B0 (1 + δ·10⁻⁶) of ``spin`` (Hz, positive)."""
        return self.spin(spin).larmor_hz(self.field_t)

    def gamma_sign(self, spin: str) -> int:
        """sgn γ of ``spin``: +1 → |g⟩ = m = +1/2; −1 → |g⟩ = m = −1/2."""
        return self.spin(spin).gamma_sign

    def polarization(self, spin: str) -> float:
        """Thermal polarization ε = tanh(h ν_L / (2 k_B T)) of ``spin`` (= ⟨−σ^z⟩ at equilibrium)."""
        return math.tanh(PLANCK_J_S * self.larmor_hz(spin) / (2.0 * BOLTZMANN_J_PER_K * self.temperature_k))

    @property
    def charger_weight(self) -> float:
        """w = ε_C/ε_B (≈ |γ_C/γ_B|): the chargers' thermal polarization per unit battery polarization."""
        return self.polarization("chargers") / self.polarization("battery")

    @property
    def coupling_sign(self) -> int:
        """sgn(γ_B γ_C): the secular coupling is 2πJ·coupling_sign·(σ_B^z/2) J_z in the g/e basis."""
        return self.battery.gamma_sign * self.chargers.gamma_sign

    # -- I/O -----------------------------------------------------------------------------------------------------
    def replace(self, **changes) -> "StarMolecule":
        """A copy with ``changes`` (checked like the constructor); unknown names raise :class:`ConfigError`."""
        unknown = sorted(set(changes) - set(_FIELDS))
        if unknown:
            raise ConfigError(f"unknown StarMolecule field {unknown[0]!r}", argument=unknown[0],
                              allowed=", ".join(_FIELDS))
        return _dc_replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON data of a device file (with ``"kind": "nmr_star"``); ``from_dict(m.to_dict()) == m``."""
        return {"kind": KIND, "name": self.name, "description": self.description, "formula": self.formula,
                "field_t": self.field_t, "temperature_k": self.temperature_k, "dt_ns": self.dt_ns,
                "battery": self.battery.to_dict(), "chargers": self.chargers.to_dict(),
                "n_chargers": self.n_chargers, "coupling_hz": self.coupling_hz,
                "channels": [c.to_dict() for c in self.channels], "provenance": copy.deepcopy(self.provenance)}

    @classmethod
    def from_dict(cls, data: Mapping) -> "StarMolecule":
        """A molecule from a mapping (a device file, with or without ``"kind": "nmr_star"``). Unknown or missing
        fields, wrong types and out-of-range values raise :class:`ConfigError` / :class:`InvalidArgumentError`
        whose ``argument`` is the dotted field path. Keys starting with ``_`` are comments."""
        d = _keys(data, "", "StarMolecule", ("kind", *_FIELDS), _REQUIRED)
        kind = d.pop("kind", KIND)
        if kind != KIND:
            raise ConfigError(f"got kind {kind!r}", argument="kind", allowed=repr(KIND))
        d["battery"] = NuclearSpin.from_dict(d["battery"], "battery")
        d["chargers"] = NuclearSpin.from_dict(d["chargers"], "chargers")
        if d.get("provenance") is None:
            d["provenance"] = {}
        return cls(**d)

    @classmethod
    def from_json(cls, path) -> "StarMolecule":
        return cls.from_dict(json.loads(Path(path).read_text()))

    def to_json(self, path=None, **kw) -> str:
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False, **kw)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text


register_device_kind(KIND, StarMolecule.from_dict)


# ---- shipped molecules and the generic star -------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[tuple[str, int], ...]:
    """(name, 𝒩) of every shipped ``nmr_star`` device file."""
    folder = backends_folder()
    out = []
    for name in names():
        text = (folder / f"{name}.json").read_text(encoding="utf-8")
        if f'"{KIND}"' not in text:  # cheap pre-check: the IBM files are large
            continue
        data = json.loads(text)
        if isinstance(data, Mapping) and data.get("kind") == KIND:
            out.append((name, int(data["n_chargers"])))
    return tuple(out)


def molecule_names() -> list[str]:
    """Names of the shipped star molecules (``backends/nmr_*.json`` of kind ``nmr_star``), sorted."""
    return sorted(name for name, _ in _shipped())


def molecule_for(n_chargers: int, **generic) -> StarMolecule:
    """The shipped molecule with ``n_chargers`` chargers (the first by name if several), else
    ``generic_star(n_chargers, **generic)``."""
    if isinstance(n_chargers, bool) or not isinstance(n_chargers, numbers.Integral) or n_chargers < 1:
        raise InvalidArgumentError(f"got {n_chargers!r}", argument="n_chargers", allowed="an integer >= 1")
    for name, n in sorted(_shipped()):
        if n == n_chargers:
            return load(name)
    return generic_star(int(n_chargers), **generic)


def generic_star(n_chargers: int, *, battery_isotope: str = "31P", charger_isotope: str = "1H",
                 coupling_hz: float = 10.0, field_t: float = 11.7434, temperature_k: float = 298.0,
                 dt_ns: float = 50.0) -> StarMolecule:
    """A generic heteronuclear star with 𝒩 = ``n_chargers`` and typical values (every one labelled
    ``"typical value, not from a paper"`` in ``provenance``): a ³¹P battery (T1 = 8 s, T2 = 2 s) and ¹H chargers
    (T1 = 3 s, T2 = 1 s), J = 10 Hz (a three-bond ³¹P–O–C–¹H coupling), B0 = 11.7434 T (500 MHz ¹H),
    hard-pulse limits 25 kHz (battery) and 50 kHz (chargers)."""
    typical_t = {"31P": (8.0, 2.0), "1H": (3.0, 1.0), "13C": (10.0, 2.0), "15N": (15.0, 1.0), "19F": (3.0, 1.0),
                 "29Si": (20.0, 5.0)}
    spins = {}
    for role, iso in (("battery", battery_isotope), ("chargers", charger_isotope)):
        t1, t2 = typical_t.get(iso, (5.0, 1.0))
        spins[role] = NuclearSpin.from_dict({"isotope": iso, "chemical_shift_ppm": 0.0, "t1_s": t1, "t2_s": t2}, role)
    channels = ({"name": "rf_b", "spin": "battery", "max_nutation_hz": 25000.0},
                {"name": "rf_c", "spin": "chargers", "max_nutation_hz": 50000.0})
    prov = {k: _TYPICAL + " (generic_star)" for k in ("field_t", "temperature_k", "dt_ns", "battery", "chargers",
                                                      "n_chargers", "coupling_hz", "max_nutation_hz")}
    return StarMolecule(name=f"generic_star_{n_chargers}",
                        description=(f"generic heteronuclear star: one {battery_isotope} battery spin J-coupled to "
                                     f"{n_chargers} equivalent {charger_isotope} charger spins; typical values, "
                                     "not a real molecule"),
                        formula=f"{battery_isotope}({charger_isotope}){n_chargers}", field_t=field_t,
                        temperature_k=temperature_k, dt_ns=dt_ns, battery=spins["battery"],
                        chargers=spins["chargers"], n_chargers=n_chargers, coupling_hz=coupling_hz,
                        channels=channels, provenance=prov)
