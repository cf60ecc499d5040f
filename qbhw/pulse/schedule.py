"""Pulse schedules: channels, instructions, alignment, JSON round-trip, plots.

A :class:`Schedule` is a tree: its children are instructions or schedules, placed by the
schedule's ``alignment``:

* ``"left"``  — as soon as possible: a child starts when every channel it uses is free;
* ``"right"`` — as late as possible (the mirror image of ``"left"``);
* ``"sequential"`` — each child starts when the previous one has ended (on all channels).

A child schedule occupies all its channels for its whole duration. Times are in ns; they are put
on the device's ``dt`` grid (and checked) by :func:`build_signals` / :meth:`Schedule.build`.

Instructions (zero-duration ones act at their start time):
``Play(waveform, channel)``, ``Delay(duration_ns, channel)``, ``ShiftPhase(phase, channel)``,
``SetPhase(phase, channel)``, ``ShiftFrequency(freq_ghz, channel)``, ``SetFrequency(freq_ghz, channel)``.

Signal convention (per channel, ħ = 1): ``2π Re[s(t) e^{iϑ(t)}] O`` with the carrier phase
``ϑ(t) = 2π ∫_0^t ν(t') dt' + φ(t)``; ν starts at the channel's default carrier and follows
Set/ShiftFrequency (phase-continuous), φ is the frame phase set by Set/ShiftPhase.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar, Union

import numpy as np

from ..errors import ConfigError, InvalidArgumentError, InvalidTimesError
from ._errors import AmplitudeLimitError, OffGridError, UnknownChannelError
from ._grid import check_duration, check_finite, to_samples
from .waveforms import Waveform, waveform_from_dict

__all__ = [
    "Play",
    "Delay",
    "ShiftPhase",
    "SetPhase",
    "ShiftFrequency",
    "SetFrequency",
    "Schedule",
    "align_left",
    "align_right",
    "align_sequential",
    "PulseSignals",
    "build_signals",
]

ALIGNMENTS = ("left", "right", "sequential")


def _channel_name(channel) -> str:
    if not isinstance(channel, str) or not channel:
        raise InvalidArgumentError(f"got {channel!r}", argument="channel", allowed="a non-empty channel name")
    return channel


@dataclass(frozen=True)
class Play:
    waveform: Waveform
    channel: str

    def __post_init__(self):
        if not isinstance(self.waveform, Waveform):
            raise InvalidArgumentError(f"got {type(self.waveform).__name__}", argument="waveform",
                                       allowed="a qbhw.pulse Waveform")
        _channel_name(self.channel)

    @property
    def duration_ns(self) -> float:
        return self.waveform.duration_ns

    def to_dict(self):
        return {"instruction": "play", "channel": self.channel, "waveform": self.waveform.to_dict()}


@dataclass(frozen=True)
class Delay:
    duration_ns: float
    channel: str

    def __post_init__(self):
        object.__setattr__(self, "duration_ns", check_duration(self.duration_ns))
        _channel_name(self.channel)

    def to_dict(self):
        return {"instruction": "delay", "channel": self.channel, "duration_ns": self.duration_ns}


@dataclass(frozen=True)
class _ZeroDuration:
    """A zero-duration instruction: one finite ``value`` (named ``argument``) on ``channel``; ``name`` is its JSON
    ``instruction`` key."""

    value: float
    channel: str

    duration_ns: ClassVar[float] = 0.0
    argument: ClassVar[str] = "value"
    name: ClassVar[str] = ""

    def __post_init__(self):
        object.__setattr__(self, "value", check_finite(self.value, self.argument))
        _channel_name(self.channel)

    def to_dict(self):
        return {"instruction": self.name, "channel": self.channel, self.argument: self.value}


class _PhaseInstruction(_ZeroDuration):
    argument = "phase"

    def __init__(self, phase: float, channel: str):
        super().__init__(phase, channel)

    @property
    def phase(self):
        return self.value


class _FrequencyInstruction(_ZeroDuration):
    argument = "freq_ghz"

    def __init__(self, freq_ghz: float, channel: str):
        super().__init__(freq_ghz, channel)

    @property
    def freq_ghz(self):
        return self.value


class ShiftPhase(_PhaseInstruction):
    """Add ``phase`` (rad) to the channel's frame phase φ."""

    name = "shift_phase"


class SetPhase(_PhaseInstruction):
    """Set the channel's frame phase φ to ``phase`` (rad)."""

    name = "set_phase"


class ShiftFrequency(_FrequencyInstruction):
    """Add ``freq_ghz`` to the channel's carrier frequency (phase-continuous)."""

    name = "shift_frequency"


class SetFrequency(_FrequencyInstruction):
    """Set the channel's carrier frequency to ``freq_ghz`` (phase-continuous)."""

    name = "set_frequency"


Instruction = Union[Play, Delay, ShiftPhase, SetPhase, ShiftFrequency, SetFrequency]
_INSTRUCTION_TYPES = (Play, Delay, ShiftPhase, SetPhase, ShiftFrequency, SetFrequency)
_ZERO = {cls.name: cls for cls in (ShiftPhase, SetPhase, ShiftFrequency, SetFrequency)}


def _instruction_from_dict(d: dict):
    kind = d.get("instruction")
    if kind == "play":
        return Play(waveform_from_dict(d["waveform"]), d["channel"])
    if kind == "delay":
        return Delay(d["duration_ns"], d["channel"])
    if kind in _ZERO:
        cls = _ZERO[kind]
        return cls(d[cls.argument], d["channel"])
    raise ConfigError(f"unknown instruction {kind!r}", argument="instruction",
                      allowed="play | delay | " + " | ".join(_ZERO))


class Schedule:
    """A block of instructions and sub-schedules placed by ``alignment`` (see the module doc)."""

    def __init__(self, *children, alignment: str = "left", name: str | None = None):
        if alignment not in ALIGNMENTS:
            raise ConfigError(f"unknown alignment {alignment!r}", argument="alignment",
                              allowed=" | ".join(repr(a) for a in ALIGNMENTS))
        self.alignment = alignment
        self.name = name
        self.children: list = []
        for c in children:
            self.append(c)

    # -- construction ----------------------------------------------------------------------------
    def append(self, child) -> "Schedule":
        if not isinstance(child, (Schedule, *_INSTRUCTION_TYPES)):
            raise InvalidArgumentError(f"got {type(child).__name__}", argument="child",
                                       allowed="an instruction or a Schedule")
        self.children.append(child)
        return self

    def __iadd__(self, child):
        return self.append(child)

    # -- timing ------------------------------------------------------------------------------------
    @property
    def channels(self) -> tuple[str, ...]:
        out: list[str] = []
        for c in self.children:
            for ch in (c.channels if isinstance(c, Schedule) else (c.channel,)):
                if ch not in out:
                    out.append(ch)
        return tuple(out)

    def _placements(self) -> list[tuple[float, Any]]:
        """(start_ns relative to this block, child) for every child."""
        def chans(c):
            return c.channels if isinstance(c, Schedule) else (c.channel,)

        if self.alignment == "sequential":
            t, out = 0.0, []
            for c in self.children:
                out.append((t, c))
                t += c.duration_ns
            return out

        def asap(children):
            free: dict[str, float] = {}
            out = []
            for c in children:
                cs = chans(c)
                start = max((free.get(ch, 0.0) for ch in cs), default=0.0)
                for ch in cs:
                    free[ch] = start + c.duration_ns
                out.append((start, c))
            return out

        if self.alignment == "left":
            return asap(self.children)
        rev = asap(list(reversed(self.children)))
        total = max((s + c.duration_ns for s, c in rev), default=0.0)
        return [(total - s - c.duration_ns, c) for s, c in reversed(rev)]

    @property
    def duration_ns(self) -> float:
        return max((s + c.duration_ns for s, c in self._placements()), default=0.0)

    def timed_instructions(self, offset_ns: float = 0.0) -> list[tuple[float, Instruction]]:
        """Flattened ``(start_ns, instruction)`` pairs in time order."""
        out = []
        for s, c in self._placements():
            if isinstance(c, Schedule):
                out.extend(c.timed_instructions(offset_ns + s))
            else:
                out.append((offset_ns + s, c))
        out.sort(key=lambda p: p[0])  # stable: keeps program order of simultaneous instructions
        return out

    # -- serialisation -----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"alignment": self.alignment, "name": self.name,
                "children": [{"schedule": c.to_dict()} if isinstance(c, Schedule) else c.to_dict()
                             for c in self.children]}

    @classmethod
    def from_dict(cls, data: dict) -> "Schedule":
        sched = cls(alignment=data.get("alignment", "left"), name=data.get("name"))
        for c in data.get("children", []):
            sched.append(cls.from_dict(c["schedule"]) if "schedule" in c else _instruction_from_dict(c))
        return sched

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    @classmethod
    def from_json(cls, text: str) -> "Schedule":
        return cls.from_dict(json.loads(text))

    def __eq__(self, other):
        return isinstance(other, Schedule) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"Schedule({len(self.children)} children, alignment={self.alignment!r}, duration_ns={self.duration_ns:g})"

    # -- building and plotting -----------------------------------------------------------------------
    def build(self, device, **kw) -> "PulseSignals":
        """Check the schedule against ``device`` and sample it (see :func:`build_signals`)."""
        return build_signals(self, device, **kw)

    def plot(self, device=None, *, dt_ns: float | None = None, ax=None):
        """One axis per channel with Re and Im of the envelope ``s(t)`` (GHz) against t (ns); returns the figure.

        A ``matplotlib.figure.Figure`` built without pyplot (the backend is never switched).
        """
        from matplotlib.figure import Figure

        if device is not None:
            sig = build_signals(self, device)
        else:
            if dt_ns is None:
                raise InvalidArgumentError("give a device or dt_ns", argument="dt_ns", allowed="a positive number")
            sig = build_signals(self, None, dt_ns=dt_ns)
        names = list(sig.channels)
        fig = Figure(figsize=(7, 1.6 + 1.4 * len(names)))
        axes = fig.subplots(max(1, len(names)), 1, sharex=True, squeeze=False)
        t = np.arange(sig.n_samples + 1) * sig.dt_ns
        for a, name in zip(axes[:, 0], names):
            s = sig.envelopes[name]
            a.stairs(s.real, t, label="Re s", color="C0")
            a.stairs(s.imag, t, label="Im s", color="C1")
            a.set_ylabel(f"{name}\n(GHz)")
            a.legend(loc="upper right", fontsize=7)
        axes[-1, 0].set_xlabel("t (ns)")
        if self.name:
            axes[0, 0].set_title(self.name)
        fig.tight_layout()
        return fig


def align_left(*children, name=None) -> Schedule:
    return Schedule(*children, alignment="left", name=name)


def align_right(*children, name=None) -> Schedule:
    return Schedule(*children, alignment="right", name=name)


def align_sequential(*children, name=None) -> Schedule:
    return Schedule(*children, alignment="sequential", name=name)


@dataclass
class PulseSignals:
    """A schedule sampled on the device grid: per channel, held samples and carriers.

    ``envelopes[ch][k]`` is the waveform value ``s_k`` (GHz) played in sample ``k``;
    ``freqs_ghz[ch][k]`` the carrier frequency ν_k in that sample; ``phases[ch][k]`` the carrier
    phase ϑ(t_k) at the start of the sample. The signal in sample ``k`` is
    ``Re[s_k e^{i(ϑ_k + 2π ν_k (t − t_k))}] = Re[ŝ_k e^{i 2π ν_k t}]`` with the absolute-time
    amplitude ``ŝ_k = s_k e^{i(ϑ_k − 2π ν_k t_k)}`` (:meth:`absolute_amplitudes`).
    """

    dt_ns: float
    n_samples: int
    envelopes: dict[str, np.ndarray]
    freqs_ghz: dict[str, np.ndarray]
    phases: dict[str, np.ndarray]
    device_name: str | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.envelopes)

    @property
    def duration_ns(self) -> float:
        return self.n_samples * self.dt_ns

    def absolute_amplitudes(self, channel: str) -> np.ndarray:
        if not (np.any(self.phases[channel]) or np.any(self.freqs_ghz[channel])):
            return np.array(self.envelopes[channel], dtype=complex)  # baseband: no carrier, no phase
        t = np.arange(self.n_samples) * self.dt_ns
        return self.envelopes[channel] * np.exp(1j * (self.phases[channel] - 2 * np.pi * self.freqs_ghz[channel] * t))

    @classmethod
    def from_arrays(cls, dt_ns: float, envelopes: dict, freqs_ghz: dict, phases: dict | None = None,
                    device_name=None) -> "PulseSignals":
        """Signals with a constant carrier per channel (``freqs_ghz[ch]`` a number), no schedule needed."""
        env = {ch: np.asarray(v, dtype=complex) for ch, v in envelopes.items()}
        n = {len(v) for v in env.values()}
        if len(n) != 1:
            raise InvalidTimesError("channels have different numbers of samples", argument="envelopes",
                                    allowed="equal lengths")
        n = n.pop()
        t = np.arange(n) * dt_ns
        fr, ph = {}, {}
        for ch in env:
            nu = float(freqs_ghz[ch])
            phi = 0.0 if phases is None else float(phases.get(ch, 0.0))
            fr[ch] = np.full(n, nu)
            ph[ch] = 2 * np.pi * nu * t + phi
        return cls(float(dt_ns), n, env, fr, ph, device_name)


def build_signals(schedule: Schedule, device=None, *, dt_ns: float | None = None,
                  check_limits: bool = True) -> PulseSignals:
    """Check ``schedule`` against ``device`` and sample it.

    Checks (each raises a specific :class:`~qbhw.errors.QbhwError`): every channel exists on the
    device (:class:`UnknownChannelError`); every start time and duration is a whole number of
    samples (:class:`OffGridError`); a played waveform's length is a multiple of the device's
    ``granularity`` and at least ``min_length`` samples (:class:`OffGridError`); its peak amplitude
    is at most the channel's ``max_amp_ghz`` (:class:`AmplitudeLimitError`); samples are finite
    (:class:`NonFiniteSamplesError`); no two instructions overlap on one channel (InvalidTimesError).
    With ``device=None`` only the grid (``dt_ns``) is checked and carriers start at 0.
    """
    if not isinstance(schedule, Schedule):
        raise InvalidArgumentError(f"got {type(schedule).__name__}", argument="schedule", allowed="a Schedule")
    if device is not None:
        dt = device.dt_ns
        specs = device.channel_map
    else:
        if dt_ns is None:
            raise InvalidArgumentError("no device and no dt_ns", argument="dt_ns", allowed="a positive number")
        dt, specs = float(dt_ns), None
    timed = schedule.timed_instructions()
    channels = list(specs) if specs is not None else []
    for _, ins in timed:
        if specs is not None and ins.channel not in specs:
            raise UnknownChannelError(f"channel {ins.channel!r} is not on device {device.name!r}",
                                      argument="channel", allowed=", ".join(sorted(specs)))
        if ins.channel not in channels:
            channels.append(ins.channel)
    for t0, ins in timed:  # grid checks instruction by instruction first: the most specific error wins
        if isinstance(ins, Play):
            ins.waveform.n_samples(dt)
        elif isinstance(ins, Delay):
            to_samples(ins.duration_ns, dt, "delay duration_ns")
        to_samples(t0, dt, "start time")
    n_total = to_samples(schedule.duration_ns, dt, "schedule duration") if timed else 0
    env = {ch: np.zeros(n_total, dtype=complex) for ch in channels}
    busy = {ch: np.zeros(n_total, dtype=bool) for ch in channels}
    events: dict[str, list] = {ch: [] for ch in channels}  # (sample, kind, value) for phase/frequency
    for t0, ins in timed:
        k0 = to_samples(t0, dt, "start time")
        if isinstance(ins, Play):
            n = ins.waveform.n_samples(dt)
            if device is not None:
                if device.granularity > 1 and n % device.granularity:
                    raise OffGridError(f"waveform of {n} samples on {ins.channel!r} is not a multiple of the "
                                       f"granularity {device.granularity}", argument="duration_ns",
                                       allowed=f"a multiple of {device.granularity} samples of {dt} ns")
                if n < device.min_length:
                    raise OffGridError(f"waveform of {n} samples on {ins.channel!r} is shorter than the "
                                       f"minimum {device.min_length}", argument="duration_ns",
                                       allowed=f">= {device.min_length} samples")
            s = ins.waveform.samples(dt)
            if check_limits and specs is not None:
                peak = float(np.max(np.abs(s))) if s.size else 0.0
                lim = specs[ins.channel].max_amp_ghz
                if peak > lim * (1 + 1e-12):
                    raise AmplitudeLimitError(f"peak |s| = {peak:.6g} GHz on {ins.channel!r} exceeds the device "
                                              f"maximum", argument="amp_ghz", allowed=f"|s| <= {lim:g} GHz")
            if np.any(busy[ins.channel][k0:k0 + n]):
                raise InvalidTimesError(f"instructions overlap on channel {ins.channel!r} at sample {k0}",
                                        argument="schedule", allowed="one instruction at a time per channel")
            env[ins.channel][k0:k0 + n] = s
            busy[ins.channel][k0:k0 + n] = True
        elif not isinstance(ins, Delay):  # Delay: grid-checked above, nothing to play
            events[ins.channel].append((k0, ins))
    freqs, phases = {}, {}
    t = np.arange(n_total) * dt
    for ch in channels:
        nu0 = 0.0 if specs is None or specs[ch].freq_ghz is None else float(specs[ch].freq_ghz)
        nu = np.full(n_total, nu0)
        phi = np.zeros(n_total)
        # apply events in order: frequency changes are phase-continuous, phases are frame offsets
        for k0, ins in events[ch]:
            if isinstance(ins, SetFrequency):
                nu[k0:] = ins.freq_ghz
            elif isinstance(ins, ShiftFrequency):
                nu[k0:] += ins.freq_ghz
            elif isinstance(ins, SetPhase):
                phi[k0:] = ins.phase
            elif isinstance(ins, ShiftPhase):
                phi[k0:] += ins.phase
        # carrier phase at sample starts: 2π Σ_{k'<k} ν_k' dt + φ_k
        acc = np.concatenate(([0.0], np.cumsum(2 * np.pi * nu * dt)[:-1])) if n_total else np.zeros(0)
        freqs[ch] = nu
        phases[ch] = acc + phi
    return PulseSignals(dt, n_total, env, freqs, phases, None if device is None else device.name)
