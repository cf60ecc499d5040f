"""Device descriptions for the pulse layer (design.md "Shared types").

A :class:`Device` holds what a pulse solver *and* (later) an Aer noise model need: number of
transmon levels, qubit frequency and anharmonicity (GHz), T1 and Tφ (ns), the sample time
``dt_ns``, pulse granularity and minimum length (samples), and its channels with their default
carriers and maximum amplitudes. Devices are data: JSON files in the repository's ``backends/``
folder, read with :func:`load_device`.

Decoherence (design.md): amplitude damping ``L = √(1/T1) b`` (level k decays at k/T1) and pure
dephasing ``L = √(2/Tφ) n̂`` (the 0–1 coherence decays as e^{−t/Tφ}); 1/Tφ = 1/T2 − 1/(2 T1).
``t1_ns`` may also be a list ``[T1 of level 1, T1 of level 2, …]``: then each level k decays to
k−1 through its own jump operator ``√(1/T1_k) |k−1⟩⟨k|``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import ConfigError, InvalidArgumentError
from ._grid import check_dt

__all__ = ["ChannelSpec", "ResonatorSpec", "Device", "load_device", "list_devices", "BACKENDS_DIR"]

#: the repository's device folder (``<repo>/backends``)
BACKENDS_DIR = Path(__file__).resolve().parents[2] / "backends"

CHANNEL_KINDS = ("drive", "flux")


def _pos(value, argument, *, allow_none=False, allow_zero=False):
    if value is None and allow_none:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a positive number") from exc
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise InvalidArgumentError(f"got {value!r}", argument=argument,
                                   allowed="a finite number " + (">= 0" if allow_zero else "> 0"))
    return x


@dataclass(frozen=True)
class ChannelSpec:
    """A control channel.

    ``operator``: ``"charge"`` (``b + b†`` of the transmon: one line drives every transition),
    ``"transition:m-n"`` (idealised ``|m⟩⟨n| + h.c.``, e.g. an effective two-photon 0–2 drive),
    ``"number"`` (``n̂``: a flux/Z channel that shifts the frequency), ``"resonator"`` (``a + a†``).
    ``freq_ghz``: default carrier (``None`` → the qubit frequency for drives, 0 for flux).
    """

    name: str
    kind: str = "drive"
    operator: str = "charge"
    freq_ghz: float | None = None
    max_amp_ghz: float = 1.0

    def __post_init__(self):
        if self.kind not in CHANNEL_KINDS:
            raise ConfigError(f"unknown channel kind {self.kind!r}", argument="kind", allowed="'drive' | 'flux'")
        ok = self.operator in ("charge", "number", "resonator") or self.operator.startswith("transition:")
        if not ok:
            raise ConfigError(f"unknown channel operator {self.operator!r}", argument="operator",
                              allowed="'charge' | 'number' | 'resonator' | 'transition:m-n'")
        object.__setattr__(self, "max_amp_ghz", _pos(self.max_amp_ghz, "max_amp_ghz"))


@dataclass(frozen=True)
class ResonatorSpec:
    """A resonator coupled to the transmon: ``2π [ν_r a†a + g (a† b + a b†)]`` (Hu 2022 set-up)."""

    freq_ghz: float
    coupling_ghz: float
    levels: int = 3
    t1_ns: float | None = None


@dataclass(frozen=True)
class Device:
    name: str
    levels: int
    freq_ghz: float
    anharmonicity_ghz: float
    dt_ns: float
    channels: tuple[ChannelSpec, ...]
    t1_ns: float | tuple | None = None
    tphi_ns: float | None = None
    granularity: int = 1
    min_length: int = 0
    resonator: ResonatorSpec | None = None
    description: str = ""
    provenance: dict = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.levels, int) or self.levels < 2:
            raise InvalidArgumentError(f"got {self.levels!r}", argument="levels", allowed="an integer >= 2")
        _pos(self.freq_ghz, "freq_ghz")
        try:
            a = float(self.anharmonicity_ghz)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"got {self.anharmonicity_ghz!r}", argument="anharmonicity_ghz",
                                       allowed="a finite number (GHz)") from exc
        if not math.isfinite(a):
            raise InvalidArgumentError(f"got {a!r}", argument="anharmonicity_ghz", allowed="a finite number (GHz)")
        object.__setattr__(self, "dt_ns", check_dt(self.dt_ns))
        if isinstance(self.t1_ns, (list, tuple)):
            t1 = tuple(_pos(x, "t1_ns") for x in self.t1_ns)
            if len(t1) != self.levels - 1:
                raise InvalidArgumentError(f"{len(t1)} values for {self.levels} levels", argument="t1_ns",
                                           allowed=f"one number or {self.levels - 1} values (levels 1..d-1)")
            object.__setattr__(self, "t1_ns", t1)
        else:
            object.__setattr__(self, "t1_ns", _pos(self.t1_ns, "t1_ns", allow_none=True))
        object.__setattr__(self, "tphi_ns", _pos(self.tphi_ns, "tphi_ns", allow_none=True))
        for name, v, lo in (("granularity", self.granularity, 1), ("min_length", self.min_length, 0)):
            if not isinstance(v, int) or v < lo:
                raise InvalidArgumentError(f"got {v!r}", argument=name, allowed=f"an integer >= {lo}")
        chans = tuple(c if isinstance(c, ChannelSpec) else ChannelSpec(**c) for c in self.channels)
        names = [c.name for c in chans]
        if len(set(names)) != len(names):
            raise ConfigError("duplicate channel names", argument="channels", allowed="unique names")
        object.__setattr__(self, "channels", chans)
        if isinstance(self.resonator, dict):
            object.__setattr__(self, "resonator", ResonatorSpec(**self.resonator))

    # -- derived ---------------------------------------------------------------------------------
    @property
    def channel_map(self) -> dict[str, ChannelSpec]:
        """Channels by name, with default carriers filled in (qubit frequency for drives, 0 for flux)."""
        out = {}
        for c in self.channels:
            if c.freq_ghz is None:
                f = 0.0 if c.kind == "flux" else self.default_carrier(c.operator)
                c = ChannelSpec(c.name, c.kind, c.operator, f, c.max_amp_ghz)
            out[c.name] = c
        return out

    def level_energies_ghz(self) -> list[float]:
        """Duffing energies ``E_n/h = ν n + (α/2) n (n − 1)`` (GHz)."""
        return [self.freq_ghz * n + 0.5 * self.anharmonicity_ghz * n * (n - 1) for n in range(self.levels)]

    def transition_freq_ghz(self, m: int, n: int) -> float:
        e = self.level_energies_ghz()
        return abs(e[n] - e[m])

    def default_carrier(self, operator: str) -> float:
        if operator.startswith("transition:"):
            m, n = (int(x) for x in operator.split(":")[1].split("-"))
            return self.transition_freq_ghz(m, n)
        if operator == "resonator":
            return self.resonator.freq_ghz if self.resonator else self.freq_ghz
        return self.freq_ghz

    @property
    def t2_ns(self) -> float | None:
        """``1/T2 = 1/(2 T1) + 1/Tφ`` (qubit 0–1 coherence; ``None`` when neither is set)."""
        t1 = self.t1_ns[0] if isinstance(self.t1_ns, tuple) else self.t1_ns
        rate = (0.0 if t1 is None else 0.5 / t1) + (0.0 if self.tphi_ns is None else 1.0 / self.tphi_ns)
        return None if rate == 0 else 1.0 / rate

    def with_levels(self, levels: int) -> "Device":
        d = self.to_dict()
        d["levels"] = levels
        if isinstance(self.t1_ns, tuple):
            raise ConfigError("cannot change levels of a device with per-level T1", argument="levels",
                              allowed="the device's own number of levels")
        return Device.from_dict(d)

    def replace(self, **changes) -> "Device":
        d = self.to_dict()
        d.update(changes)
        return Device.from_dict(d)

    # -- I/O ----------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        d = asdict(self)
        d["channels"] = [asdict(c) for c in self.channels]
        if isinstance(self.t1_ns, tuple):
            d["t1_ns"] = list(self.t1_ns)
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "Device":
        data = {k: v for k, v in data.items() if not k.startswith("_")}
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(f"unknown device fields {sorted(unknown)}", argument="device",
                              allowed=", ".join(sorted(known)))
        data["channels"] = tuple(ChannelSpec(**c) if isinstance(c, dict) else c for c in data.get("channels", ()))
        if isinstance(data.get("t1_ns"), list):
            data["t1_ns"] = tuple(data["t1_ns"])
        return cls(**data)

    @classmethod
    def from_json(cls, path) -> "Device":
        return cls.from_dict(json.loads(Path(path).read_text()))

    def to_json(self, path=None, **kw) -> str:
        text = json.dumps(self.to_dict(), indent=2, **kw)
        if path is not None:
            Path(path).write_text(text + "\n")
        return text


def list_devices(folder=None) -> list[str]:
    folder = Path(folder) if folder is not None else BACKENDS_DIR
    return sorted(p.stem for p in folder.glob("*.json"))


def load_device(name_or_path, folder=None) -> Device:
    """Load ``backends/<name>.json`` (or a JSON file path)."""
    p = Path(name_or_path)
    if p.suffix != ".json":
        p = (Path(folder) if folder is not None else BACKENDS_DIR) / f"{name_or_path}.json"
    if not p.is_file():
        raise ConfigError(f"no device file {p}", argument="name",
                          allowed=", ".join(list_devices(folder)) or "a JSON device file")
    return Device.from_json(p)
