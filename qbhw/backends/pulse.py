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

import numpy as np

from ..errors import ConfigError, InvalidArgumentError
from ..metrics import jeffreys_multinomial
from .base import Backend

__all__ = ["PulseBackend", "pulse_available", "sample_populations"]


def sample_populations(populations, shots: int, seed=None, *, values=None):
    """Simulated projective readout of level populations: ``shots`` measurements per row.

    ``populations`` ``(K, d)`` (each row a probability vector; round-off is clipped and renormalised)
    → ``(estimates, stderr, counts)``: the frequencies ``n_k/n`` (the point estimate), their standard
    errors and the counts ``(K, d)``. σ comes from the Jeffreys posterior of the multinomial,
    Dirichlet(n_k + ½): ``p̃_k = (n_k + ½)/(n + d/2)``, ``Var p_k = p̃_k(1 − p̃_k)/(n + d/2 + 1)`` — never 0,
    also for a level never (or always) observed. With ``values`` (length d, e.g. level energies) the
    expectation ``Σ_k v_k n_k/n`` and its posterior standard error
    ``√[(Σ p̃ v² − (Σ p̃ v)²)/(n + d/2 + 1)]`` are returned as well: ``(estimates, stderr, counts, mean,
    mean_stderr)``. ``seed`` makes the draw reproducible.
    """
    p = np.asarray(populations, dtype=float)
    if p.ndim != 2:
        raise InvalidArgumentError(f"shape {p.shape}", argument="populations", allowed="(K, d) probabilities")
    if isinstance(shots, bool) or int(shots) != shots or shots < 1:
        raise InvalidArgumentError(f"got {shots!r}", argument="shots", allowed="an integer >= 1")
    n = int(shots)
    p = np.clip(p, 0.0, None)
    p = p / p.sum(axis=1, keepdims=True)
    rng = np.random.default_rng(seed)
    counts = np.array([rng.multinomial(n, row) for row in p])
    d = p.shape[1]
    est = counts / n
    post, stderr = jeffreys_multinomial(counts)
    denom = n + 0.5 * d + 1.0
    if values is None:
        return est, stderr, counts
    v = np.asarray(values, dtype=float)
    mean = est @ v
    spread = post @ (v * v) - (post @ v) ** 2
    return est, stderr, counts, mean, np.sqrt(np.clip(spread, 0.0, None) / denom)


def pulse_available() -> bool:
    try:
        from ..pulse import simulate  # noqa: F401
    except ImportError:
        return False
    return True


class PulseBackend(Backend):
    """Pulse-level simulation (needs :mod:`qbhw.pulse`)."""

    name = "pulse"

    #: the options its constructor accepts (``device`` and those of the drive-program solver)
    OPTIONS = ("device", "channel", "levels", "decoherence", "amplitude_fraction", "time_unit_ns", "method")

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
