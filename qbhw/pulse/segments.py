"""A schedule as piecewise-constant segments, without sampling constant stretches.

:func:`build_signals` holds one sample per ``dt`` for every channel — right for a transmon schedule of a few
µs, too much for an NMR experiment whose spin-lock lasts 100 ms and whose storage delay lasts minutes
(10⁹ samples of 50 ns). :func:`schedule_segments` returns the same signals as runs of constant drive: a
``Constant`` waveform or a delay is one segment whatever its length; a shaped waveform contributes one segment
per sample (equal neighbours merged). The checks are those of :func:`build_signals`: unknown channel
(:class:`UnknownChannelError`), off-grid times, granularity and minimum length (:class:`OffGridError`),
amplitude above the channel's ``max_amp_ghz`` (:class:`AmplitudeLimitError`), overlapping instructions on a
channel.

Frame. Each channel's amplitude is given in the frame that rotates with its own carrier phase
``2π ∫ ν(t') dt'`` (phase-continuous through Set/ShiftFrequency): in sample ``k`` the channel plays
``Re[s_k e^{iφ_k} e^{i 2π ∫ν}]`` with ``φ_k`` the frame phase (Set/ShiftPhase), so the segment stores the complex
amplitude ``s_k e^{iφ_k}`` (GHz) and the carrier ``ν_k`` (GHz). A solver in the rotating frame of the carrier sees a
constant drive ``s e^{iφ}`` and a detuning ``ν_transition − ν_k`` inside each segment (exact for piecewise-constant
carriers).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError, InvalidTimesError
from ._errors import NonFiniteSamplesError, UnknownChannelError
from ._grid import check_peak_amplitude, check_play_length, to_samples
from .schedule import Delay, Play, Schedule, SetFrequency, SetPhase, ShiftFrequency, ShiftPhase
from .waveforms import Constant

__all__ = ["PulseSegment", "schedule_segments"]


@dataclass(frozen=True)
class PulseSegment:
    """``n_samples`` samples (``duration_ns``) from ``start_ns`` during which every channel plays a constant
    complex amplitude ``amplitudes_ghz[ch] = s e^{iφ}`` (GHz, in the frame of its carrier) at carrier
    ``freqs_ghz[ch]`` (GHz)."""

    start_ns: float
    duration_ns: float
    n_samples: int
    amplitudes_ghz: dict
    freqs_ghz: dict


def _pieces(play: Play, k0: int, dt: float) -> list[tuple[int, int, complex]]:
    """(first sample, end sample, value) runs of a played waveform (a Constant is one run)."""
    n = play.waveform.n_samples(dt)
    if n == 0:
        return []
    if isinstance(play.waveform, Constant):  # one value, however long (no array of samples)
        value = complex(play.waveform.envelope(np.array([0.5 * dt]))[0])
        if not np.isfinite(value):
            raise NonFiniteSamplesError(f"got {value!r}", argument="amp_ghz", allowed="a finite amplitude")
        return [(k0, k0 + n, value)]
    s = play.waveform.samples(dt)
    change = np.flatnonzero(np.diff(s) != 0) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [n]))
    return [(k0 + int(a), k0 + int(b), complex(s[a])) for a, b in zip(starts, ends)]


def schedule_segments(schedule: Schedule, device, *, check_limits: bool = True) -> list[PulseSegment]:
    """The piecewise-constant segments of ``schedule`` on ``device`` (see the module docstring).

    ``device`` needs ``dt_ns``, ``channel_map`` (name → spec with ``max_amp_ghz`` and ``freq_ghz``, the default
    carrier), ``granularity``, ``min_length`` and ``name``. Every channel of the device appears in every segment
    (amplitude 0 when it does not play).
    """
    if not isinstance(schedule, Schedule):
        raise InvalidArgumentError(f"got {type(schedule).__name__}", argument="schedule", allowed="a Schedule")
    dt = float(device.dt_ns)
    specs = device.channel_map
    timed = schedule.timed_instructions()
    pieces: dict[str, list] = {ch: [] for ch in specs}
    events: dict[str, list] = {ch: [] for ch in specs}
    breaks = {0}
    for t0, ins in timed:
        if ins.channel not in specs:
            raise UnknownChannelError(f"channel {ins.channel!r} is not on device {device.name!r}",
                                      argument="channel", allowed=", ".join(sorted(specs)))
        k0 = to_samples(t0, dt, "start time")
        if isinstance(ins, Play):
            check_play_length(ins.waveform.n_samples(dt), ins.channel, device)
            runs = _pieces(ins, k0, dt)
            if check_limits and runs:
                check_peak_amplitude(max(abs(v) for _, _, v in runs), ins.channel, specs[ins.channel].max_amp_ghz)
            pieces[ins.channel].extend(runs)
            for a, b, _ in runs:
                breaks.update((a, b))
        elif isinstance(ins, Delay):
            to_samples(ins.duration_ns, dt, "delay duration_ns")
        else:
            events[ins.channel].append((k0, ins))
            breaks.add(k0)
    n_total = to_samples(schedule.duration_ns, dt, "schedule duration") if timed else 0
    breaks.add(n_total)
    for ch, runs in pieces.items():
        runs.sort(key=lambda r: r[0])
        for (a0, b0, _), (a1, _, _) in zip(runs, runs[1:]):
            if a1 < b0:
                raise InvalidTimesError(f"instructions overlap on channel {ch!r} at sample {a1}", argument="schedule",
                                        allowed="one instruction at a time per channel")
    edges = sorted(b for b in breaks if b <= n_total)
    starts = {ch: [r[0] for r in runs] for ch, runs in pieces.items()}
    # frame phase and carrier of each channel as a function of the sample (events in program order)
    state = {ch: (0.0, float(specs[ch].freq_ghz or 0.0)) for ch in specs}
    ev_index = {ch: 0 for ch in specs}
    out: list[PulseSegment] = []
    for a, b in zip(edges, edges[1:]):
        if b <= a:
            continue
        amps, freqs = {}, {}
        for ch in specs:
            evs = events[ch]
            phase, freq = state[ch]
            while ev_index[ch] < len(evs) and evs[ev_index[ch]][0] <= a:
                ins = evs[ev_index[ch]][1]
                if isinstance(ins, SetPhase):
                    phase = ins.phase
                elif isinstance(ins, ShiftPhase):
                    phase += ins.phase
                elif isinstance(ins, SetFrequency):
                    freq = ins.freq_ghz
                elif isinstance(ins, ShiftFrequency):
                    freq += ins.freq_ghz
                ev_index[ch] += 1
            state[ch] = (phase, freq)
            i = bisect.bisect_right(starts[ch], a) - 1
            value = 0j
            if i >= 0:
                ka, kb, v = pieces[ch][i]
                if ka <= a < kb:
                    value = v
            amps[ch] = complex(value * np.exp(1j * phase)) if value else 0j
            freqs[ch] = float(freq)
        if out and out[-1].amplitudes_ghz == amps and out[-1].freqs_ghz == freqs:
            last = out[-1]
            out[-1] = PulseSegment(last.start_ns, (last.n_samples + b - a) * dt, last.n_samples + b - a, amps, freqs)
        else:
            out.append(PulseSegment(a * dt, (b - a) * dt, b - a, amps, freqs))
    return out
