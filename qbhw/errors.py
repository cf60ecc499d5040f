"""Exceptions raised by qbhw.

Every error is a :class:`QbhwError` subclass. Each one names the offending argument
and says what range or form is allowed, so a user can fix the call without reading
the source. Errors are raised *before* anything is computed or stored is touched, so
nothing already computed is lost.
"""

from __future__ import annotations

__all__ = [
    "QbhwError",
    "InvalidArgumentError",
    "InvalidStateError",
    "InvalidHamiltonianError",
    "DimensionMismatchError",
    "InvalidTimesError",
    "TruncationError",
    "TruncationWarning",
    "NonPhysicalStateError",
    "NonPhysicalStateWarning",
    "RunMismatchError",
    "StoreError",
    "CalibrationNotFoundError",
    "CalibrationFailedError",
    "CalibrationWarning",
    "FileFormatError",
    "FixedCarrierWarning",
    "ChargingTimeError",
    "ConfigError",
    "DataError",
    "FitError",
]


class QbhwError(Exception):
    """Base class of every error raised by qbhw.

    Parameters
    ----------
    message:
        Human-readable explanation.
    argument:
        Name of the offending argument (or ``None`` when no single argument is at fault).
    allowed:
        Description of the allowed range or form of that argument.
    """

    def __init__(self, message: str, *, argument: str | None = None, allowed: str | None = None):
        self.argument = argument
        self.allowed = allowed
        parts = []
        if argument is not None:
            parts.append(f"argument {argument!r}: ")
        parts.append(message)
        if allowed is not None:
            parts.append(f" (allowed: {allowed})")
        super().__init__("".join(parts))


class InvalidArgumentError(QbhwError, ValueError):
    """A scalar or option argument is outside its allowed range (e.g. ``n < 1``, NaN coupling)."""


class InvalidStateError(QbhwError, ValueError):
    """A state is not a valid state vector or density matrix (norm, trace, Hermiticity, positivity, NaN)."""


class InvalidHamiltonianError(QbhwError, ValueError):
    """A Hamiltonian is not square, not Hermitian, or contains NaN/inf."""


class DimensionMismatchError(QbhwError, ValueError):
    """Two objects that must act on the same space have different dimensions."""


class InvalidTimesError(QbhwError, ValueError):
    """A time grid is empty, not finite, or not strictly increasing."""


class TruncationError(QbhwError, RuntimeError):
    """A photon/level cut-off is too low: population at the cut-off exceeds the threshold."""


class TruncationWarning(UserWarning):
    """Warning variant of :class:`TruncationError` (``on_truncation="warn"``)."""


class NonPhysicalStateError(QbhwError, RuntimeError):
    """A propagated density matrix left the physical states: its trace drifted from 1 or it acquired a
    negative eigenvalue beyond the tolerance (a solver tolerance too loose, or a generator that is not of
    GKSL form)."""


class NonPhysicalStateWarning(UserWarning):
    """Warning variant of :class:`NonPhysicalStateError` (``check="warn"``)."""


class FixedCarrierWarning(UserWarning):
    """A device channel keeps a fixed numeric carrier (``freq_ghz``) although the device's qubit frequency or
    anharmonicity changed, so the drive is now detuned from the transition it was set for. Give the channel a
    derived carrier (``"carrier": "qubit"`` or ``"transition:m-n"``) to make it follow the device."""


class ChargingTimeError(QbhwError, ValueError):
    """A requested charging time (e.g. the energy peak ``tau="energy_peak"``) does not exist on the curve."""


class ConfigError(QbhwError, ValueError):
    """An option or configuration value is not one of the allowed choices."""


class DataError(QbhwError, ValueError):
    """Measured or loaded data are unusable: NaN/inf, negative σ, unknown column, unreadable file.

    ``row`` and ``column`` (when known) name the offending entry; both also appear in the message.
    """

    def __init__(self, message: str, *, argument: str | None = None, allowed: str | None = None,
                 row=None, column: str | None = None):
        self.row = row
        self.column = column
        super().__init__(message, argument=argument, allowed=allowed)


class FitError(QbhwError, ValueError):
    """A fit cannot be set up (fewer points than free parameters, unknown parameter, bad bounds),
    or a number was asked of a fit that failed (its result is flagged bad)."""


class RunMismatchError(QbhwError, ValueError):
    """A run directory already holds a run with other parameters (nothing was overwritten)."""

    def __init__(self, message: str, *, differences: dict | None = None, argument: str | None = "out",
                 allowed: str | None = None):
        super().__init__(message, argument=argument, allowed=allowed)
        #: name → (stored value, requested value) of every differing setting
        self.differences = dict(differences or {})


class FileFormatError(ConfigError):
    """A protocol file, pulse-schedule file or other input file is malformed or does not match its
    schema: unreadable, not valid TOML/JSON, an unknown key, a wrong type, a missing required key, or a
    value out of range.

    ``file``: the file (``None`` for text that did not come from a file); ``key``: the dotted key path
    (``parameters.n_chargers``, ``sweep.coupling[2]``; also given as ``argument``); ``line``: the
    1-based line of that key in the file when it can be found. All three appear in the message, which
    starts ``FILE:LINE:`` like a compiler's.
    """

    def __init__(self, message: str, *, file=None, key: str | None = None, line: int | None = None,
                 allowed: str | None = None):
        self.file = None if file is None else str(file)
        self.key = key
        self.line = line
        self.argument = key
        self.allowed = allowed
        where = ":".join(str(x) for x in (self.file if self.file is not None else "<text>", line) if x is not None)
        text = f"{where}: " + (f"key {key!r}: " if key else "") + message
        Exception.__init__(self, text + (f" (allowed: {allowed})" if allowed is not None else ""))


class StoreError(QbhwError, RuntimeError):
    """A run directory cannot be read or written (missing, corrupt, or not a qbhw run)."""


class CalibrationNotFoundError(ConfigError):
    """No calibration record exists for a device (where records were looked for is in the message)."""


class CalibrationFailedError(QbhwError, RuntimeError):
    """A calibration routine did not produce a usable value (fit failed, value outside its plausible range,
    interval wider than allowed). No record is written and the previous record stays in force.

    ``routine``: the routine's name."""

    def __init__(self, message: str, *, routine: str | None = None, argument: str | None = None,
                 allowed: str | None = None):
        self.routine = routine
        super().__init__(message, argument=argument, allowed=allowed)


class CalibrationWarning(UserWarning):
    """A calibration record was made for another version of its device definition."""
