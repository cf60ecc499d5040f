"""Pulse schedules: channels, instructions, alignment, validated JSON files, plots.

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

JSON layout, format ``qbhw-schedule/1`` (:meth:`Schedule.to_json` / :meth:`~Schedule.from_json`,
:meth:`~Schedule.save` / :meth:`~Schedule.load`, :meth:`~Schedule.to_dict` / :meth:`~Schedule.from_dict`)::

    {
     "format": "qbhw-schedule/1",
     "alignment": "sequential",
     "name": "demo",
     "children": [
      {"instruction": "play", "channel": "d0",
       "waveform": {"type": "gaussian", "duration_ns": 4.0, "amp_ghz": 0.02, "sigma_ns": 1.0}},
      {"instruction": "delay", "channel": "d1", "duration_ns": 2.0},
      {"instruction": "shift_phase", "channel": "d0", "phase": 0.5},
      {"instruction": "set_phase", "channel": "d0", "phase": 0.0},
      {"instruction": "shift_frequency", "channel": "d0", "freq_ghz": -0.1},
      {"instruction": "set_frequency", "channel": "d0", "freq_ghz": 4.9},
      {"schedule": {"alignment": "right", "name": null, "children": []}}
     ]
    }

* top level: ``"format"`` (the version; only at the top level), ``"alignment"`` (``"left"`` |
  ``"right"`` | ``"sequential"``; default ``"left"``), ``"name"`` (a string or ``null``; default
  ``null``), ``"children"`` (required; a list, possibly empty, in program order);
* a child is an instruction (``"instruction"`` and ``"channel"``, a non-empty string, plus:
  ``play`` → ``"waveform"``; ``delay`` → ``"duration_ns"``; ``shift_phase`` / ``set_phase`` →
  ``"phase"`` (rad); ``shift_frequency`` / ``set_frequency`` → ``"freq_ghz"``), or a sub-schedule
  ``{"schedule": {"alignment", "name", "children"}}`` (no ``"format"``);
* a waveform object: see :mod:`qbhw.pulse.waveforms` (``"type"`` and that type's keys).

Every key above without a default is required, unknown keys are refused, and numbers must be JSON
numbers (``"0.02"`` and ``true`` are not). A document without ``"format"`` is read as the unversioned
layout written before version 1 (the same keys); any other ``"format"`` is refused. Every mistake —
malformed JSON, a wrong key or type, or a range error of a constructor (negative duration, NaN
amplitude …) — raises :class:`~qbhw.errors.FileFormatError` naming the dotted key path (e.g.
``children[0].waveform.sigma_ns``) and, for text, its line: ``FILE:LINE: key '…': …``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Union

import numpy as np

from .. import schema
from ..errors import ConfigError, InvalidArgumentError, InvalidTimesError
from ..serialization import atomic_write_text
from ._errors import UnknownChannelError
from ._grid import check_duration, check_finite, check_peak_amplitude, check_play_length, to_samples
from .waveforms import Waveform, decode_waveform

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
    "SCHEDULE_FORMAT",
]

ALIGNMENTS = ("left", "right", "sequential")
#: the ``"format"`` written at the top of a schedule's JSON (the only version read besides the unversioned layout)
SCHEDULE_FORMAT = "qbhw-schedule/1"


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


# ---------------------------------------------------------------------------------------------
# validated JSON (layout: see the module doc)
_REQUIRED = ...
_CHANNEL = (str, _REQUIRED)
#: per ``instruction``: its keys besides ``"instruction"`` → (type, default or ``...`` for required)
INSTRUCTION_KEYS: dict[str, dict[str, tuple]] = {
    "play": {"channel": _CHANNEL, "waveform": (dict, _REQUIRED)},
    "delay": {"channel": _CHANNEL, "duration_ns": (float, _REQUIRED)},
    **{name: {"channel": _CHANNEL, cls.argument: (float, _REQUIRED)} for name, cls in _ZERO.items()},
}
#: the keys of a schedule object (a sub-schedule has no ``"format"``)
SCHEDULE_KEYS: dict[str, tuple] = {"alignment": (str, "left"), "name": (str | None, None),
                                   "children": (list, _REQUIRED)}
_CHILD_ALLOWED = " | ".join(INSTRUCTION_KEYS) + ', or {"schedule": {...}} for a sub-schedule'


@functools.cache
def _instruction_model(kind: str):
    keys = {"instruction": (str, _REQUIRED), **INSTRUCTION_KEYS[kind]}
    return schema.strict_model(f"{kind.title().replace('_', '')}Json", keys)


@functools.cache
def _schedule_model(top: bool):
    if top:
        return schema.strict_model("ScheduleFileJson", {"format": (str, SCHEDULE_FORMAT), **SCHEDULE_KEYS})
    return schema.strict_model("ScheduleJson", SCHEDULE_KEYS)


@functools.cache
def _sub_schedule_model():
    return schema.strict_model("SubScheduleJson", {"schedule": (dict, _REQUIRED)})


def _check_format(source: schema.SourceFile, data: dict) -> None:
    """Refuse a ``"format"`` other than :data:`SCHEDULE_FORMAT` (absent: the unversioned layout, same keys)."""
    if "format" in data and data["format"] != SCHEDULE_FORMAT:
        fmt = data["format"]
        hint = schema.suggest(fmt, [SCHEDULE_FORMAT]) if isinstance(fmt, str) else ""
        raise source.error(f"unsupported schedule format {fmt!r}{hint}", ("format",),
                           allowed=f"{SCHEDULE_FORMAT!r} (or no \"format\" key: the unversioned layout)")


def _decode_schedule(source: schema.SourceFile, data, at: tuple = (), *, top: bool = True) -> Schedule:
    """The schedule described by the JSON object ``data`` at key path ``at`` of ``source``, validated."""
    if not isinstance(data, dict):
        raise source.error(f"got {type(data).__name__}: a schedule is a JSON object", at,
                           allowed="an object with the keys " + ", ".join(_schedule_model(top).model_fields))
    if top:
        _check_format(source, data)
    values = schema.validate(_schedule_model(top), source, data, at=at).model_dump()
    sched = schema.construct(source, at, SCHEDULE_KEYS, Schedule, alignment=values["alignment"], name=values["name"])
    for i, child in enumerate(values["children"]):
        sched.append(_decode_child(source, child, (*at, "children", i)))
    return sched


def _decode_child(source: schema.SourceFile, data, at: tuple):
    """A child object: a sub-schedule ``{"schedule": {...}}`` or an instruction."""
    if isinstance(data, dict) and "schedule" in data:
        schema.validate(_sub_schedule_model(), source, data, at=at)
        return _decode_schedule(source, data["schedule"], (*at, "schedule"), top=False)
    kind = schema.tag(source, data, at, "instruction", tuple(INSTRUCTION_KEYS), "instruction", allowed=_CHILD_ALLOWED)
    values = schema.validate(_instruction_model(kind), source, data, at=at).model_dump()
    if kind == "play":
        waveform = decode_waveform(source, values["waveform"], (*at, "waveform"))
        return schema.construct(source, at, values, Play, waveform, values["channel"])
    if kind == "delay":
        return schema.construct(source, at, values, Delay, values["duration_ns"], values["channel"])
    cls = _ZERO[kind]
    return schema.construct(source, at, values, cls, values[cls.argument], values["channel"])


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

    # -- serialisation (layout: see the module doc) ---------------------------------------------------
    def to_dict(self) -> dict:
        """The JSON object of this schedule: ``{"format": "qbhw-schedule/1", "alignment", "name", "children"}``."""
        return {"format": SCHEDULE_FORMAT, **self._body()}

    def _body(self) -> dict:
        """``alignment``, ``name`` and ``children`` (a sub-schedule is written ``{"schedule": body}``)."""
        return {"alignment": self.alignment, "name": self.name,
                "children": [{"schedule": c._body()} if isinstance(c, Schedule) else c.to_dict()
                             for c in self.children]}

    @classmethod
    def from_dict(cls, data: dict) -> "Schedule":
        """Inverse of :meth:`to_dict`, validated: a mistake raises :class:`~qbhw.errors.FileFormatError`
        naming the key path (no line: there is no text)."""
        return _decode_schedule(schema.SourceFile.from_data(data), data)

    def to_json(self, **kw) -> str:
        """The JSON text of :meth:`to_dict` (``kw``: :func:`json.dumps` options such as ``indent``)."""
        return json.dumps(self.to_dict(), **kw)

    @classmethod
    def from_json(cls, text: str) -> "Schedule":
        """Inverse of :meth:`to_json`, validated: a mistake raises :class:`~qbhw.errors.FileFormatError`
        naming the key path and its line in ``text``."""
        source = schema.read_json(text=text)
        return _decode_schedule(source, source.data)

    def save(self, path, *, indent: int | None = 1) -> Path:
        """Write :meth:`to_json` to ``path`` atomically (a reader sees the old file or the complete new
        one, via :func:`qbhw.serialization.atomic_write_text`); returns the path."""
        return atomic_write_text(path, self.to_json(indent=indent) + "\n")

    @classmethod
    def load(cls, path) -> Schedule:
        """Read a schedule file written by :meth:`save` (or by hand), validated: a mistake raises
        :class:`~qbhw.errors.FileFormatError` starting ``FILE:LINE:`` and naming the key path."""
        source = schema.read_json(path)
        return _decode_schedule(source, source.data)

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

    def scaled(self, factor: float) -> "PulseSignals":
        """The same signals with every envelope multiplied by ``factor`` (e.g. the gain of a drive line: the
        amplitude that reaches the qubit per requested amplitude); carriers and phases unchanged."""
        if factor == 1.0:
            return self
        envelopes = {ch: factor * np.asarray(v) for ch, v in self.envelopes.items()}
        return PulseSignals(self.dt_ns, self.n_samples, envelopes, self.freqs_ghz, self.phases, self.device_name)

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
                check_play_length(n, ins.channel, device)
            s = ins.waveform.samples(dt)
            if check_limits and specs is not None:
                check_peak_amplitude(float(np.max(np.abs(s))) if s.size else 0.0, ins.channel,
                                     specs[ins.channel].max_amp_ghz)
            if np.any(busy[ins.channel][k0:k0 + n]):
                raise InvalidTimesError(f"instructions overlap on channel {ins.channel!r} at sample {k0}",
                                        argument="schedule", allowed="one instruction at a time per channel")
            env[ins.channel][k0:k0 + n] = s
            busy[ins.channel][k0:k0 + n] = True
        elif not isinstance(ins, Delay):  # Delay: grid-checked above, nothing to play
            events[ins.channel].append((k0, ins))
    freqs, phases = {}, {}
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
