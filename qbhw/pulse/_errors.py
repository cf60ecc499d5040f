"""Errors specific to the pulse layer (all are :class:`qbhw.errors.QbhwError` subclasses).

Each one is raised *before* anything is simulated and names the argument at fault and what
is allowed, e.g. ``OffGridError("duration 10.1 ns is not a multiple of dt = 0.2222 ns",
argument="duration_ns", allowed="k * dt_ns")``.
"""

from __future__ import annotations

from ..errors import ConfigError, InvalidArgumentError, InvalidTimesError, QbhwError

__all__ = [
    "OffGridError",
    "NegativeDurationError",
    "AmplitudeLimitError",
    "UnknownChannelError",
    "NonFiniteSamplesError",
    "RWACutoffError",
    "CrossCheckUnavailableError",
]


class OffGridError(InvalidTimesError):
    """A duration or start time is not on the device's ``dt`` grid (or its granularity / minimum length)."""


class NegativeDurationError(InvalidTimesError):
    """A waveform, delay or schedule duration is negative."""


class AmplitudeLimitError(InvalidArgumentError):
    """A waveform's peak amplitude exceeds the maximum the device's channel allows."""


class UnknownChannelError(InvalidArgumentError):
    """An instruction addresses a channel the device (or model) does not have."""


class NonFiniteSamplesError(InvalidArgumentError):
    """Waveform samples or parameters contain NaN or inf."""


class RWACutoffError(ConfigError):
    """A rotating-wave cut-off would silently drop every term of a driven channel."""


class CrossCheckUnavailableError(QbhwError, RuntimeError):
    """The out-of-process qiskit-dynamics environment is missing or failed."""
