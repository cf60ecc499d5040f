"""``pulse``: the pulse-level solver of :mod:`qbhw.pulse` behind the backend interface.

Single-qubit drive programs (:func:`qbhw.compile.single_qubit_drive`, Gemme-style charging) are
played as sampled pulse schedules on a device description (default ``armonk_like`` from the
repository's ``backends/`` folder: a transmon with anharmonicity, T1 and Tφ) and solved with
:func:`qbhw.pulse.simulate`. Options: ``levels`` (transmon levels kept; leakage is reported as
the ``leakage`` observable), ``decoherence``, ``time_unit_ns`` (ns per model time unit; default:
the largest drive amplitude at half the channel limit), ``channel``, ``method``. Units and the
amplitude mapping are in :mod:`qbhw.backends._pulse_run`. Other programs raise ``ConfigError``.
"""

from __future__ import annotations

from ..errors import ConfigError
from .base import Backend

__all__ = ["PulseBackend", "pulse_available"]


def pulse_available() -> bool:
    try:
        from ..pulse import simulate  # noqa: F401
    except ImportError:
        return False
    return True


class PulseBackend(Backend):
    """Pulse-level simulation (needs :mod:`qbhw.pulse`)."""

    name = "pulse"

    def __init__(self, device=None, **options):
        if not pulse_available():
            raise ConfigError("the pulse backend needs qbhw.pulse (the pulse-level solver), which is not "
                              "available in this installation", argument="backend",
                              allowed="exact | aer | fake:<name> | ibm:<name>")
        self.device = device
        self.options = options

    def run(self, program, times, *, shots=None, tomography=False, seed=None, results_dir=None):
        from ._pulse_run import run_drive_program

        return run_drive_program(self, program, times, shots=shots, tomography=tomography, seed=seed,
                                 results_dir=results_dir)
