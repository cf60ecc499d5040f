"""Conversion of times in ns to whole numbers of device samples (the ``dt`` grid), and the checks of
the pulse layer's real parameters (durations, ``dt``, finite waveform parameters)."""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidArgumentError
from ..metrics._inputs import as_real
from ._errors import AmplitudeLimitError, NegativeDurationError, NonFiniteSamplesError, OffGridError

#: relative tolerance for "t is a multiple of dt" (absorbs the rounding of 2/9 ns and sums of such times)
GRID_RTOL = 1e-9


def check_dt(dt_ns) -> float:
    dt = as_real(dt_ns, "dt_ns", allowed="a positive number of ns")
    if not math.isfinite(dt) or dt <= 0:
        raise InvalidArgumentError(f"got {dt_ns!r}", argument="dt_ns", allowed="a finite number > 0 (ns)")
    return dt


def check_duration(duration_ns, argument: str = "duration_ns") -> float:
    d = as_real(duration_ns, argument, allowed="a number of ns")
    if not math.isfinite(d):
        raise NonFiniteSamplesError(f"got {duration_ns!r}", argument=argument, allowed="a finite number of ns >= 0")
    if d < 0:
        raise NegativeDurationError(f"got {d!r} ns", argument=argument, allowed="a duration >= 0 ns")
    return d


def check_finite(value, argument: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    """A finite real parameter: :class:`NonFiniteSamplesError` for NaN/inf, ``InvalidArgumentError``
    when it is not a number or (``positive`` / ``nonnegative``) out of range."""
    x = as_real(value, argument)
    if not math.isfinite(x):
        raise NonFiniteSamplesError(f"got {value!r}", argument=argument, allowed="a finite number")
    if positive and x <= 0:
        raise InvalidArgumentError(f"got {x!r}", argument=argument, allowed="a number > 0")
    if nonnegative and x < 0:
        raise InvalidArgumentError(f"got {x!r}", argument=argument, allowed="a number >= 0")
    return x


def to_samples(time_ns: float, dt_ns: float, argument: str = "duration_ns") -> int:
    """Return ``n`` with ``time_ns = n * dt_ns``; raise :class:`OffGridError` when it is not a multiple."""
    t = check_duration(time_ns, argument)
    dt = check_dt(dt_ns)
    x = t / dt
    n = int(round(x))
    if abs(x - n) > GRID_RTOL * max(1.0, abs(x)):
        raise OffGridError(f"{t!r} ns is {x:.9g} samples of dt = {dt!r} ns, not a whole number",
                           argument=argument, allowed=f"a multiple of dt_ns = {dt!r}")
    return n


def check_finite_array(values, argument: str) -> np.ndarray:
    arr = np.asarray(values, dtype=complex)
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        raise NonFiniteSamplesError(f"{bad} of {arr.size} values are NaN or inf", argument=argument,
                                    allowed="finite numbers")
    return arr


def check_play_length(n_samples: int, channel: str, device) -> None:
    """A played waveform of ``n_samples`` on ``device``: a multiple of its ``granularity`` and at least its
    ``min_length`` samples, else :class:`OffGridError`."""
    if device.granularity > 1 and n_samples % device.granularity:
        raise OffGridError(f"waveform of {n_samples} samples on {channel!r} is not a multiple of the granularity "
                           f"{device.granularity}", argument="duration_ns",
                           allowed=f"a multiple of {device.granularity} samples of {device.dt_ns} ns")
    if n_samples < device.min_length:
        raise OffGridError(f"waveform of {n_samples} samples on {channel!r} is shorter than the minimum "
                           f"{device.min_length}", argument="duration_ns", allowed=f">= {device.min_length} samples")


def check_peak_amplitude(peak_ghz: float, channel: str, max_amp_ghz: float) -> None:
    """:class:`AmplitudeLimitError` when a waveform's peak |s| exceeds the channel's ``max_amp_ghz``."""
    if peak_ghz > max_amp_ghz * (1 + 1e-12):
        raise AmplitudeLimitError(f"peak |s| = {peak_ghz:.6g} GHz on {channel!r} exceeds the device maximum",
                                  argument="amp_ghz", allowed=f"|s| <= {max_amp_ghz:g} GHz")
