"""Device descriptions: one type for the pulse solver, Aer noise models and the circuit layer.

A :class:`Device` is data (frozen, hashable, compared by value; ``provenance`` is commentary and takes no part in
equality or hashing). It has two layers:

* **Single transmon** (the pulse solver's device): number of transmon levels ``d``, qubit frequency ``ν``
  (``freq_ghz``) and anharmonicity ``α`` (``anharmonicity_ghz``) of the Duffing oscillator
  ``E_n/h = ν n + (α/2) n (n − 1)`` (GHz), T1 and Tφ (ns), the sample time ``dt_ns``, pulse granularity and minimum
  length (samples), an optional resonator, and the control channels with their carriers and amplitude limits.
  Decoherence: amplitude damping ``L = √(1/T1) b`` (level k decays at k/T1) and pure dephasing ``L = √(2/Tφ) n̂``
  (the 0–1 coherence decays as e^{−t/Tφ}); ``1/T2 = 1/(2 T1) + 1/Tφ``. ``t1_ns`` may also be a list
  ``[T1 of level 1, T1 of level 2, …]``: then each level k decays to k−1 through ``√(1/T1_k) |k−1⟩⟨k|``
  (review: Campaioli et al., Rev. Mod. Phys. 96, 031001 (2024), Sec. VI.A, on transmon batteries).
* **Multi-qubit** (a processor as the circuit layer and an Aer noise model see it): per-qubit records
  :class:`QubitSpec` (frequency, anharmonicity, T1, T2, readout error and duration), the directed
  ``coupling_map``, ``basis_gates`` and per-gate :class:`GateSpec` records (error = 1 − average gate fidelity,
  duration in ns). Then the top-level ``freq_ghz``, ``anharmonicity_ghz``, ``t1_ns`` and ``tphi_ns`` are ``None``
  (each qubit has its own); ``channels`` is the per-qubit channel template and ``levels`` the default number of
  levels of :meth:`Device.qubit`, which gives the single-transmon device of qubit k for pulse simulations.

Calibration: ``calibration`` holds the :class:`~qbhw.devices.CalibrationRecord` a device was overlaid with
(:func:`qbhw.devices.load` with ``calibration=...``; ``None`` for a bare definition) — the measured values that
are not device fields (π amplitudes, DRAG, readout matrix, the tuned STIRAP pulse) are read from it.

Carriers follow the device. A channel's carrier is either *derived* — ``carrier="qubit"`` (ν),
``"transition:m-n"`` (``|E_n − E_m|/h``), ``"resonator"`` — or *fixed* (``freq_ghz`` a number, GHz). With neither
given, a drive's carrier is its operator's natural one (``charge``/``number`` → ν, ``transition:m-n`` → that
transition, ``resonator`` → the resonator frequency) and a flux channel's is 0. :meth:`Device.replace` changing ν or
α moves every derived carrier and warns (:class:`~qbhw.errors.FixedCarrierWarning`) for each drive channel whose
carrier is fixed.
"""

from __future__ import annotations

import copy
import json
import math
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from dataclasses import replace as _dc_replace
from pathlib import Path

from ..errors import ConfigError, FixedCarrierWarning, InvalidArgumentError

__all__ = ["ChannelSpec", "ResonatorSpec", "QubitSpec", "GateSpec", "Device", "CHANNEL_KINDS"]

CHANNEL_KINDS = ("drive", "flux")
_OPERATORS = "'charge' | 'number' | 'resonator' | 'transition:m-n'"
_CARRIERS = "None (the operator's natural carrier) | 'qubit' | 'resonator' | 'transition:m-n'"


# ---- checks ---------------------------------------------------------------------------------------------------
def _real(value, argument: str, allowed: str = "a finite number") -> float:
    """A finite real number (``bool`` and strings are rejected: a device file must hold numbers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(f"got {value!r} ({type(value).__name__})", argument=argument, allowed=allowed)
    x = float(value)
    if not math.isfinite(x):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    return x


def _pos(value, argument: str, *, allow_none: bool = False, allow_zero: bool = False, unit: str = ""):
    if value is None and allow_none:
        return None
    allowed = ("a finite number " + (">= 0" if allow_zero else "> 0") + (f" ({unit})" if unit else "")
               + (" or null" if allow_none else ""))
    x = _real(value, argument, allowed)
    if x < 0 or (x == 0 and not allow_zero):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed)
    return x


def _opt_real(value, argument: str, unit: str = ""):
    return None if value is None else _real(value, argument, f"a finite number{f' ({unit})' if unit else ''} or null")


def _probability(value, argument: str):
    if value is None:
        return None
    x = _real(value, argument, "a number in [0, 1] or null")
    if not 0.0 <= x <= 1.0:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a number in [0, 1] or null")
    return x


def _int(value, argument: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < minimum:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=f"an integer >= {minimum}")
    return int(value)


def _str(value, argument: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value):
        raise InvalidArgumentError(f"got {value!r}", argument=argument,
                                   allowed="a string" if empty else "a non-empty string")
    return value


def _transition(text: str, argument: str) -> tuple[int, int]:
    """``"transition:m-n"`` → ``(m, n)`` (levels m ≠ n, both ≥ 0)."""
    try:
        m, n = (int(x) for x in text.split(":", 1)[1].split("-"))
    except ValueError as exc:
        raise ConfigError(f"cannot read {text!r}", argument=argument,
                          allowed="'transition:m-n' with levels m != n") from exc
    if m < 0 or n < 0 or m == n:
        raise ConfigError(f"got {text!r}", argument=argument, allowed="'transition:m-n' with levels m != n >= 0")
    return m, n


def _sequence(value, argument: str) -> tuple:
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise ConfigError(f"got {type(value).__name__}", argument=argument, allowed="a list")
    return tuple(value)


def _record(cls, value, argument: str):
    """``value`` as a ``cls`` record (from a mapping, with unknown and missing keys named)."""
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise ConfigError(f"got {type(value).__name__}", argument=argument, allowed=f"a {cls.__name__} or a mapping")
    return cls.from_dict(value)


def _fields_from_dict(cls, data: Mapping, required: tuple[str, ...]) -> dict:
    known = [f.name for f in fields(cls)]
    data = {k: v for k, v in data.items() if not str(k).startswith("_")}  # "_comment" keys are notes
    unknown = sorted(set(data) - set(known), key=str)
    if unknown:
        raise ConfigError(f"unknown {cls.__name__} field {unknown[0]!r}", argument=str(unknown[0]),
                          allowed=", ".join(known))
    for k in required:
        if k not in data:
            raise ConfigError(f"missing required {cls.__name__} field {k!r}", argument=k, allowed=", ".join(known))
    return data


# ---- records --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChannelSpec:
    """A control channel.

    ``operator``: ``"charge"`` (``b + b†`` of the transmon: one line drives every transition),
    ``"transition:m-n"`` (idealised ``|m⟩⟨n| + h.c.``, e.g. an effective two-photon 0–2 drive),
    ``"number"`` (``n̂``: a flux/Z channel that shifts the frequency), ``"resonator"`` (``a + a†``).

    Carrier (GHz): ``carrier`` derives it from the device (``"qubit"`` → ν, ``"transition:m-n"`` →
    ``|E_n − E_m|/h``, ``"resonator"`` → the resonator frequency), so it follows the device when ν or α change;
    ``freq_ghz`` fixes it to a number instead. At most one of them; with neither, drives use the operator's natural
    carrier and flux channels 0. ``max_amp_ghz``: the largest allowed ``|s|`` of the channel's samples.
    """

    name: str
    kind: str = "drive"
    operator: str = "charge"
    freq_ghz: float | None = None
    max_amp_ghz: float = 1.0
    carrier: str | None = None

    def __post_init__(self):
        _str(self.name, "name")
        if self.kind not in CHANNEL_KINDS:
            raise ConfigError(f"unknown channel kind {self.kind!r} on channel {self.name!r}", argument="kind",
                              allowed="'drive' | 'flux'")
        op = self.operator
        if not isinstance(op, str) or not (op in ("charge", "number", "resonator") or op.startswith("transition:")):
            raise ConfigError(f"unknown channel operator {op!r} on channel {self.name!r}", argument="operator",
                              allowed=_OPERATORS)
        if op.startswith("transition:"):
            _transition(op, "operator")
        if self.carrier is not None:
            c = self.carrier
            if not isinstance(c, str) or not (c in ("qubit", "resonator") or c.startswith("transition:")):
                raise ConfigError(f"unknown carrier {c!r} on channel {self.name!r}", argument="carrier",
                                  allowed=_CARRIERS)
            if c.startswith("transition:"):
                _transition(c, "carrier")
            if self.freq_ghz is not None:
                raise ConfigError(f"channel {self.name!r} has both carrier={c!r} and freq_ghz={self.freq_ghz!r}",
                                  argument="carrier",
                                  allowed="either a derived carrier or a fixed freq_ghz, not both")
        object.__setattr__(self, "freq_ghz", _pos(self.freq_ghz, "freq_ghz", allow_none=True, allow_zero=True,
                                                  unit="GHz"))
        object.__setattr__(self, "max_amp_ghz", _pos(self.max_amp_ghz, "max_amp_ghz", unit="GHz"))

    @property
    def fixed_carrier(self) -> bool:
        """Whether the carrier is a fixed number (``freq_ghz``) rather than derived from the device."""
        return self.freq_ghz is not None

    def to_dict(self) -> dict:
        d = {"name": self.name, "kind": self.kind, "operator": self.operator}
        if self.carrier is not None:
            d["carrier"] = self.carrier
        if self.freq_ghz is not None:
            d["freq_ghz"] = self.freq_ghz
        d["max_amp_ghz"] = self.max_amp_ghz
        return d

    @classmethod
    def from_dict(cls, data: Mapping) -> "ChannelSpec":
        return cls(**_fields_from_dict(cls, data, ("name",)))


@dataclass(frozen=True)
class ResonatorSpec:
    """A resonator coupled to the transmon: ``2π [ν_r a†a + g (a† b + a b†)]`` (GHz; the set-up of Hu et al.,
    Quantum Sci. Technol. 7, 045018 (2022))."""

    freq_ghz: float
    coupling_ghz: float
    levels: int = 3
    t1_ns: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "freq_ghz", _pos(self.freq_ghz, "freq_ghz", unit="GHz"))
        object.__setattr__(self, "coupling_ghz", _real(self.coupling_ghz, "coupling_ghz", "a finite number (GHz)"))
        object.__setattr__(self, "levels", _int(self.levels, "levels", 2))
        object.__setattr__(self, "t1_ns", _pos(self.t1_ns, "t1_ns", allow_none=True, unit="ns"))

    def to_dict(self) -> dict:
        return {"freq_ghz": self.freq_ghz, "coupling_ghz": self.coupling_ghz, "levels": self.levels,
                "t1_ns": self.t1_ns}

    @classmethod
    def from_dict(cls, data: Mapping) -> "ResonatorSpec":
        return cls(**_fields_from_dict(cls, data, ("freq_ghz", "coupling_ghz")))


@dataclass(frozen=True)
class QubitSpec:
    """One qubit of a multi-qubit device. Every number may be ``None``: the source did not give it (e.g. IBM Heron
    backends give no qubit frequency or anharmonicity); it is never filled in.

    ``freq_ghz`` ν and ``anharmonicity_ghz`` α (GHz), ``t1_ns``, ``t2_ns`` (ns), ``readout_error`` (the probability
    of reading the wrong bit, symmetric), ``readout_duration_ns``.
    """

    freq_ghz: float | None = None
    anharmonicity_ghz: float | None = None
    t1_ns: float | None = None
    t2_ns: float | None = None
    readout_error: float | None = None
    readout_duration_ns: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "freq_ghz", _pos(self.freq_ghz, "freq_ghz", allow_none=True, unit="GHz"))
        object.__setattr__(self, "anharmonicity_ghz", _opt_real(self.anharmonicity_ghz, "anharmonicity_ghz", "GHz"))
        object.__setattr__(self, "t1_ns", _pos(self.t1_ns, "t1_ns", allow_none=True, unit="ns"))
        object.__setattr__(self, "t2_ns", _pos(self.t2_ns, "t2_ns", allow_none=True, unit="ns"))
        object.__setattr__(self, "readout_error", _probability(self.readout_error, "readout_error"))
        object.__setattr__(self, "readout_duration_ns", _pos(self.readout_duration_ns, "readout_duration_ns",
                                                             allow_none=True, allow_zero=True, unit="ns"))

    @property
    def tphi_ns(self) -> float | None:
        """Pure dephasing time from ``1/Tφ = 1/T2 − 1/(2 T1)``; ``None`` when T2 is unknown or T1-limited
        (``T2 ≥ 2 T1``, where no pure dephasing is resolved)."""
        if self.t2_ns is None:
            return None
        rate = 1.0 / self.t2_ns - (0.0 if self.t1_ns is None else 0.5 / self.t1_ns)
        return None if rate <= 0 else 1.0 / rate

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping) -> "QubitSpec":
        return cls(**_fields_from_dict(cls, data, ()))


@dataclass(frozen=True)
class GateSpec:
    """A native gate on specific qubits: ``error`` = 1 − average gate fidelity (as IBM reports it), ``duration_ns``.
    Either may be ``None`` (not reported)."""

    name: str
    qubits: tuple[int, ...]
    error: float | None = None
    duration_ns: float | None = None

    def __post_init__(self):
        _str(self.name, "name")
        qs = _sequence(self.qubits, "qubits")
        object.__setattr__(self, "qubits", tuple(_int(q, "qubits", 0) for q in qs))
        if not self.qubits or len(set(self.qubits)) != len(self.qubits):
            raise InvalidArgumentError(f"gate {self.name!r} on {list(self.qubits)}", argument="qubits",
                                       allowed="one or more distinct qubit indices")
        object.__setattr__(self, "error", _probability(self.error, "error"))
        object.__setattr__(self, "duration_ns", _pos(self.duration_ns, "duration_ns", allow_none=True,
                                                     allow_zero=True, unit="ns"))

    def to_dict(self) -> dict:
        return {"name": self.name, "qubits": list(self.qubits), "error": self.error, "duration_ns": self.duration_ns}

    @classmethod
    def from_dict(cls, data: Mapping) -> "GateSpec":
        return cls(**_fields_from_dict(cls, data, ("name", "qubits")))


# ---- the device -----------------------------------------------------------------------------------------------
_SINGLE_ONLY = ("freq_ghz", "anharmonicity_ghz", "t1_ns", "tphi_ns")


@dataclass(frozen=True)
class Device:
    """A device (see the module docstring). Build it with keywords, :meth:`from_dict` or
    :func:`qbhw.devices.load`; :func:`qbhw.devices.from_backend` converts a qiskit ``BackendV2``."""

    name: str
    levels: int
    freq_ghz: float | None
    anharmonicity_ghz: float | None
    dt_ns: float
    channels: tuple[ChannelSpec, ...]
    t1_ns: float | tuple | None = None
    tphi_ns: float | None = None
    granularity: int = 1
    min_length: int = 0
    resonator: ResonatorSpec | None = None
    description: str = ""
    provenance: dict = field(default_factory=dict, compare=False, hash=False)
    qubits: tuple[QubitSpec, ...] = ()
    coupling_map: tuple[tuple[int, int], ...] = ()
    basis_gates: tuple[str, ...] = ()
    gates: tuple[GateSpec, ...] = ()
    calibration: object = field(default=None, hash=False)

    def __post_init__(self):
        _str(self.name, "name")
        if self.calibration is not None:
            from .calibration import CalibrationRecord

            if not isinstance(self.calibration, CalibrationRecord):
                object.__setattr__(self, "calibration", CalibrationRecord.from_dict(self.calibration))
        _str(self.description, "description", empty=True)
        object.__setattr__(self, "levels", _int(self.levels, "levels", 2))
        object.__setattr__(self, "dt_ns", _pos(self.dt_ns, "dt_ns", unit="ns"))
        for name, lo in (("granularity", 1), ("min_length", 0)):
            object.__setattr__(self, name, _int(getattr(self, name), name, lo))
        if not isinstance(self.provenance, Mapping):
            raise ConfigError(f"got {type(self.provenance).__name__}", argument="provenance",
                              allowed="a mapping of field name to where its value comes from")
        object.__setattr__(self, "provenance", copy.deepcopy(dict(self.provenance)))
        # multi-qubit records
        qubits = tuple(_record(QubitSpec, q, "qubits") for q in _sequence(self.qubits, "qubits"))
        object.__setattr__(self, "qubits", qubits)
        n = max(len(qubits), 1)
        pairs = []
        for pair in _sequence(self.coupling_map, "coupling_map"):
            p = _sequence(pair, "coupling_map")
            if len(p) != 2:
                raise InvalidArgumentError(f"got {pair!r}", argument="coupling_map", allowed="pairs [control, target]")
            a, b = (_int(x, "coupling_map", 0) for x in p)
            if a == b or max(a, b) >= n:
                raise InvalidArgumentError(f"edge {[a, b]} on a device of {n} qubit(s)", argument="coupling_map",
                                           allowed=f"pairs of distinct qubits 0..{n - 1}")
            pairs.append((a, b))
        object.__setattr__(self, "coupling_map", tuple(pairs))
        object.__setattr__(self, "basis_gates", tuple(_str(g, "basis_gates")
                                                      for g in _sequence(self.basis_gates, "basis_gates")))
        gates = tuple(_record(GateSpec, g, "gates") for g in _sequence(self.gates, "gates"))
        for g in gates:
            if max(g.qubits) >= n:
                raise InvalidArgumentError(f"gate {g.name!r} on qubits {list(g.qubits)} of a device of {n} qubit(s)",
                                           argument="gates", allowed=f"qubits 0..{n - 1}")
        object.__setattr__(self, "gates", gates)
        # single-transmon parameters
        if qubits:
            for name in _SINGLE_ONLY:
                if getattr(self, name) is not None:
                    raise ConfigError(f"a multi-qubit device has {name}={getattr(self, name)!r}", argument=name,
                                      allowed="null: each qubit's value lives in 'qubits'")
        else:
            object.__setattr__(self, "freq_ghz", _pos(self.freq_ghz, "freq_ghz", unit="GHz"))
            object.__setattr__(self, "anharmonicity_ghz", _real(self.anharmonicity_ghz, "anharmonicity_ghz",
                                                                "a finite number (GHz)"))
            if isinstance(self.t1_ns, (list, tuple)):
                t1 = tuple(_pos(x, "t1_ns", unit="ns") for x in self.t1_ns)
                if len(t1) != self.levels - 1:
                    raise InvalidArgumentError(f"{len(t1)} values for {self.levels} levels", argument="t1_ns",
                                               allowed=f"one number or {self.levels - 1} values (levels 1..d-1)")
                object.__setattr__(self, "t1_ns", t1)
            else:
                object.__setattr__(self, "t1_ns", _pos(self.t1_ns, "t1_ns", allow_none=True, unit="ns"))
            object.__setattr__(self, "tphi_ns", _pos(self.tphi_ns, "tphi_ns", allow_none=True, unit="ns"))
        chans = tuple(_record(ChannelSpec, c, "channels") for c in _sequence(self.channels, "channels"))
        names = [c.name for c in chans]
        if len(set(names)) != len(names):
            raise ConfigError(f"duplicate channel names {names}", argument="channels", allowed="unique names")
        object.__setattr__(self, "channels", chans)
        if self.resonator is not None:
            object.__setattr__(self, "resonator", _record(ResonatorSpec, self.resonator, "resonator"))
        if self.resonator is None:
            for c in chans:
                if c.carrier == "resonator":
                    raise ConfigError(f"channel {c.name!r} follows the resonator but the device has none",
                                      argument="carrier", allowed=_CARRIERS)

    # -- derived -------------------------------------------------------------------------------------------------
    @property
    def num_qubits(self) -> int:
        """Number of qubits (1 for a single-transmon device)."""
        return max(len(self.qubits), 1)

    @property
    def is_multi_qubit(self) -> bool:
        return bool(self.qubits)

    @property
    def qubit_specs(self) -> tuple[QubitSpec, ...]:
        """Per-qubit records; a single transmon gives one record from its own ν, α, T1 (level 1) and T2, and — when
        its calibration record has a readout assignment matrix ``A`` — the symmetric qubit readout error
        ``(P(read ≠ 0 | 0) + P(read 0 | 1)) / 2 = (1 − A[0][0] + A[0][1]) / 2``."""
        if self.qubits:
            return self.qubits
        t1 = self.t1_ns[0] if isinstance(self.t1_ns, tuple) else self.t1_ns
        A = None if self.calibration is None else self.calibration.get("readout_assignment")
        err = None if A is None else 0.5 * (1.0 - A[0][0] + A[0][1])
        return (QubitSpec(self.freq_ghz, self.anharmonicity_ghz, t1, self.t2_ns, readout_error=err),)

    @property
    def gate_errors(self) -> dict[str, dict[tuple[int, ...], float | None]]:
        """``{gate name: {qubits: error}}`` (a new dict built from :attr:`gates`)."""
        out: dict[str, dict] = {}
        for g in self.gates:
            out.setdefault(g.name, {})[g.qubits] = g.error
        return out

    @property
    def gate_durations_ns(self) -> dict[str, dict[tuple[int, ...], float | None]]:
        """``{gate name: {qubits: duration in ns}}``."""
        out: dict[str, dict] = {}
        for g in self.gates:
            out.setdefault(g.name, {})[g.qubits] = g.duration_ns
        return out

    def _single(self, what: str) -> None:
        if self.qubits:
            raise ConfigError(f"{what} of a multi-qubit device ({self.name!r}) is per qubit", argument="device",
                              allowed="a single-transmon device: use device.qubit(k)")

    @property
    def channel_map(self) -> dict[str, ChannelSpec]:
        """Channels by name, each with its carrier resolved to a number for this device
        (``freq_ghz`` set, ``carrier`` None): see :meth:`carrier_ghz`."""
        return {c.name: _dc_replace(c, freq_ghz=self.carrier_ghz(c), carrier=None) for c in self.channels}

    def carrier_ghz(self, channel) -> float:
        """Carrier of ``channel`` (a name or a :class:`ChannelSpec`) in GHz: its fixed ``freq_ghz``, else the
        derived ``carrier``, else the operator's natural carrier (flux channels: 0)."""
        c = channel
        if not isinstance(c, ChannelSpec):
            by_name = {ch.name: ch for ch in self.channels}
            if c not in by_name:
                raise ConfigError(f"no channel {channel!r} on {self.name!r}", argument="channel",
                                  allowed=", ".join(by_name) or "a channel of the device")
            c = by_name[c]
        if c.freq_ghz is not None:
            return c.freq_ghz
        if c.carrier is None and c.kind == "flux":
            return 0.0
        return self.default_carrier(c.carrier if c.carrier is not None else c.operator)

    def level_energies_ghz(self) -> list[float]:
        """Duffing energies ``E_n/h = ν n + (α/2) n (n − 1)`` (GHz), n = 0 … levels − 1."""
        return [self._energy(n) for n in range(self.levels)]

    def _energy(self, n: int) -> float:
        self._single("the level energies")
        return self.freq_ghz * n + 0.5 * self.anharmonicity_ghz * n * (n - 1)

    def transition_freq_ghz(self, m: int, n: int) -> float:
        """``|E_n − E_m|/h = |ν (n − m) + (α/2) [n(n−1) − m(m−1)]|`` (GHz; e.g. 1–2: ν + α, 0–2: 2ν + α)."""
        self._single("a transition frequency")
        m, n = int(m), int(n)
        return abs(self.freq_ghz * (n - m) + 0.5 * self.anharmonicity_ghz * (n * (n - 1) - m * (m - 1)))

    def default_carrier(self, operator: str) -> float:
        """The carrier derived from ``operator`` or a carrier spec: ``transition:m-n`` → that transition,
        ``resonator`` → the resonator frequency (ν without a resonator), anything else → ν."""
        self._single("a carrier")
        if operator.startswith("transition:"):
            return self.transition_freq_ghz(*_transition(operator, "carrier"))
        if operator == "resonator":
            return self.resonator.freq_ghz if self.resonator else self.freq_ghz
        return self.freq_ghz

    @property
    def t2_ns(self) -> float | None:
        """``1/T2 = 1/(2 T1) + 1/Tφ`` (qubit 0–1 coherence; ``None`` when neither is set)."""
        t1 = self.t1_ns[0] if isinstance(self.t1_ns, tuple) else self.t1_ns
        rate = (0.0 if t1 is None else 0.5 / t1) + (0.0 if self.tphi_ns is None else 1.0 / self.tphi_ns)
        return None if rate == 0 else 1.0 / rate

    # -- variants ------------------------------------------------------------------------------------------------
    def with_levels(self, levels: int) -> "Device":
        if isinstance(self.t1_ns, tuple):
            raise ConfigError("cannot change levels of a device with per-level T1", argument="levels",
                              allowed="the device's own number of levels")
        return self.replace(levels=levels)

    def replace(self, **changes) -> "Device":
        """A copy with ``changes`` (validated like a device file). Derived carriers follow a new ``freq_ghz`` /
        ``anharmonicity_ghz``; every drive channel with a fixed ``freq_ghz`` then raises a
        :class:`~qbhw.errors.FixedCarrierWarning` naming the channel and its carrier."""
        d = self.to_dict()
        d.update(changes)
        new = Device.from_dict(d)
        moved = [(k, getattr(self, k), getattr(new, k)) for k in ("freq_ghz", "anharmonicity_ghz")
                 if getattr(self, k) != getattr(new, k)]
        if moved:
            what = ", ".join(f"{k} {a} → {b} GHz" for k, a, b in moved)
            for c in new.channels:
                if c.fixed_carrier and c.kind == "drive":
                    warnings.warn(FixedCarrierWarning(
                        f"device {new.name!r}: channel {c.name!r} keeps its fixed carrier freq_ghz = {c.freq_ghz} GHz "
                        f"although {what}; give it \"carrier\": \"qubit\" or \"transition:m-n\" to follow the device"),
                        stacklevel=2)
        return new

    def qubit(self, k: int = 0, *, levels: int | None = None, freq_ghz: float | None = None,
              anharmonicity_ghz: float | None = None, channels=None) -> "Device":
        """The single-transmon device of qubit ``k`` for pulse simulations: ν, α, T1 and Tφ
        (``1/Tφ = 1/T2 − 1/(2 T1)``; none when ``T2 ≥ 2 T1``) of that qubit, the device's ``dt_ns``,
        granularity, minimum length and channel template (or ``channels``). ``freq_ghz`` / ``anharmonicity_ghz``
        give a value the device lacks (e.g. α on IBM Heron); a missing one raises :class:`ConfigError`.
        On a single-transmon device, ``qubit(0)`` is the device itself (with the given overrides)."""
        k = _int(k, "k", 0)
        if k >= self.num_qubits:
            raise InvalidArgumentError(f"got {k}", argument="k", allowed=f"0..{self.num_qubits - 1}")
        overrides = {name: v for name, v in (("levels", levels), ("freq_ghz", freq_ghz),
                                            ("anharmonicity_ghz", anharmonicity_ghz), ("channels", channels))
                     if v is not None}
        if not self.qubits:
            return self.replace(**overrides) if overrides else self
        q = self.qubits[k]
        nu = q.freq_ghz if freq_ghz is None else freq_ghz
        alpha = q.anharmonicity_ghz if anharmonicity_ghz is None else anharmonicity_ghz
        for name, v in (("freq_ghz", nu), ("anharmonicity_ghz", alpha)):
            if v is None:
                raise ConfigError(f"{self.name!r} gives no {name} for qubit {k}", argument=name,
                                  allowed=f"pass qubit({k}, {name}=...) with a measured value")
        prov = {"source": f"qubit {k} of {self.name!r}"}
        return Device(name=f"{self.name}_q{k}", levels=self.levels if levels is None else levels, freq_ghz=nu,
                      anharmonicity_ghz=alpha, dt_ns=self.dt_ns,
                      channels=self.channels if channels is None else channels, t1_ns=q.t1_ns, tphi_ns=q.tphi_ns,
                      granularity=self.granularity, min_length=self.min_length,
                      description=f"qubit {k} of {self.name}", provenance=prov)

    # -- I/O -----------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain JSON data; ``Device.from_dict(d.to_dict()) == d`` (and the provenance is kept)."""
        d = {"name": self.name, "description": self.description, "levels": self.levels,
             "freq_ghz": self.freq_ghz, "anharmonicity_ghz": self.anharmonicity_ghz, "dt_ns": self.dt_ns,
             "granularity": self.granularity, "min_length": self.min_length,
             "t1_ns": list(self.t1_ns) if isinstance(self.t1_ns, tuple) else self.t1_ns, "tphi_ns": self.tphi_ns,
             "channels": [c.to_dict() for c in self.channels],
             "resonator": None if self.resonator is None else self.resonator.to_dict(),
             "provenance": copy.deepcopy(self.provenance)}
        if self.qubits:
            d["qubits"] = [q.to_dict() for q in self.qubits]
        if self.coupling_map:
            d["coupling_map"] = [list(p) for p in self.coupling_map]
        if self.basis_gates:
            d["basis_gates"] = list(self.basis_gates)
        if self.gates:
            d["gates"] = [g.to_dict() for g in self.gates]
        if self.calibration is not None:
            d["calibration"] = self.calibration.to_dict()
        return d

    @classmethod
    def from_dict(cls, data: Mapping) -> "Device":
        """A device from a mapping (a device file). Unknown or missing fields, wrong types and out-of-range values
        raise :class:`ConfigError` / :class:`InvalidArgumentError` whose ``argument`` is the field name. Keys
        starting with ``_`` are comments. A multi-qubit device (non-empty ``qubits``) needs no ``freq_ghz``,
        ``anharmonicity_ghz`` or ``channels``."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"got {type(data).__name__}", argument="device", allowed="a mapping (a JSON object)")
        multi = bool(data.get("qubits"))
        required = ("name", "levels", "dt_ns") + (() if multi else ("freq_ghz", "anharmonicity_ghz", "channels"))
        data = _fields_from_dict(cls, data, required)
        if multi:
            data.setdefault("freq_ghz", None)
            data.setdefault("anharmonicity_ghz", None)
            data.setdefault("channels", ())
        if data.get("provenance") is None:
            data["provenance"] = {}
        if data.get("description") is None:
            data["description"] = ""
        return cls(**data)

    @classmethod
    def from_json(cls, path) -> "Device":
        return cls.from_dict(json.loads(Path(path).read_text()))

    def to_json(self, path=None, **kw) -> str:
        text = json.dumps(self.to_dict(), indent=2, **kw)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text
