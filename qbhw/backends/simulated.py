"""A simulated transmon whose true parameters are hidden from the experiments run on it.

Calibration routines must find a device's parameters from measurements alone. :class:`SimulatedTransmon` is the
stand-in for the hardware: it holds a *definition* (what the experimenter knows, :attr:`device`) and a hidden
:class:`TransmonTruth` (what the device really is: its own ν and α, a T1 for every level, Tφ, the gain of the drive
line — requested amplitude → amplitude at the qubit — and a readout assignment matrix). Schedules are built by the
experiment against its own (nominal or calibrated) device description — carriers, amplitudes — and played on the
true physics; the readout returns counts drawn from ``A·p`` (``p`` the true level populations, ``A[i][j]`` the
probability of reading ``i`` from level ``j``).

:meth:`TransmonTruth.draw` draws a plausible truth around a definition: ν shifted by up to ``freq_offset_mhz``,
α by up to ``anharmonicity_offset_mhz``, a drive gain in ``gain``, ``T1`` of level 1 in ``t1_level1_us``, level 2
at ``t1_ratio`` of it, ``Tφ`` in ``tphi_us``, and a readout whose correct-assignment probabilities lie in
``readout_fidelity`` with the errors going mostly to the neighbouring levels.

The transmon is simulated without its readout resonator: a dispersive readout is modelled by the assignment
matrix alone. Decoherence conventions: :mod:`qbhw.devices.device` (per-level amplitude damping
``√(1/T1_k)|k−1⟩⟨k|`` and pure dephasing ``√(2/Tφ) n̂``). The backend's name starts with ``pulse:`` — protocols that run on the pulse backend run
on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, InvalidArgumentError
from .pulse import PulseBackend, sample_populations

__all__ = ["TransmonTruth", "SimulatedTransmon", "DEFAULT_SPREAD"]

#: how far :meth:`TransmonTruth.draw` moves a device from its definition (uniform draws in these ranges)
DEFAULT_SPREAD = {
    "freq_offset_mhz": 0.3,          # |ν_true − ν| ≤ this
    "anharmonicity_offset_mhz": 8.0,  # |α_true − α| ≤ this
    "gain": (0.8, 1.2),             # amplitude at the qubit / requested amplitude
    "t1_level1_us": (30.0, 60.0),
    "t1_ratio": (0.45, 0.6),        # T1 of level 2 / T1 of level 1 (harmonic oscillator: 0.5)
    "tphi_us": (30.0, 80.0),
    "readout_fidelity": (0.92, 0.98),
}


def _assignment_matrix(fidelities, rng) -> np.ndarray:
    """Column-stochastic ``A`` with diagonal ``fidelities``; each level's error goes 80–95 % to its neighbours."""
    d = len(fidelities)
    A = np.zeros((d, d))
    for j, f in enumerate(fidelities):
        A[j, j] = f
        err = 1.0 - f
        near = [i for i in (j - 1, j + 1) if 0 <= i < d]
        far = [i for i in range(d) if i != j and i not in near]
        w_near = rng.uniform(0.8, 0.95) if far else 1.0
        for i in near:
            A[i, j] += err * w_near / len(near)
        for i in far:
            A[i, j] += err * (1.0 - w_near) / len(far)
    return A


@dataclass(frozen=True)
class TransmonTruth:
    """The hidden parameters of a :class:`SimulatedTransmon`: ``device`` (the true single-transmon
    :class:`~qbhw.devices.Device`: ν, α, per-level T1, Tφ), ``drive_gain`` (amplitude at the qubit per requested
    amplitude) and ``readout_assignment`` (``d × d``, column-stochastic)."""

    device: object
    drive_gain: float = 1.0
    readout_assignment: tuple = field(default=None)

    def __post_init__(self):
        from ..devices import Device

        if not isinstance(self.device, Device) or self.device.is_multi_qubit:
            raise ConfigError(f"got {type(self.device).__name__}", argument="device",
                              allowed="a single-transmon Device")
        g = float(self.drive_gain)
        if not (np.isfinite(g) and g > 0):
            raise InvalidArgumentError(f"got {self.drive_gain!r}", argument="drive_gain", allowed="a number > 0")
        object.__setattr__(self, "drive_gain", g)
        d = self.device.levels
        A = np.eye(d) if self.readout_assignment is None else np.asarray(self.readout_assignment, dtype=float)
        if A.shape != (d, d) or np.any(A < 0) or not np.allclose(A.sum(axis=0), 1.0, atol=1e-9):
            raise InvalidArgumentError(f"shape {A.shape}", argument="readout_assignment",
                                       allowed=f"a {d}×{d} matrix of probabilities whose columns sum to 1")
        object.__setattr__(self, "readout_assignment", tuple(tuple(float(x) for x in r) for r in A))

    @classmethod
    def draw(cls, definition, seed=None, **spread) -> "TransmonTruth":
        """A truth drawn around ``definition`` (ranges: :data:`DEFAULT_SPREAD`, overridden by ``spread``)."""
        unknown = sorted(set(spread) - set(DEFAULT_SPREAD))
        if unknown:
            raise ConfigError(f"unknown spread {unknown[0]!r}", argument=unknown[0], allowed=", ".join(DEFAULT_SPREAD))
        s = {**DEFAULT_SPREAD, **spread}
        rng = np.random.default_rng(seed)
        d = definition.levels
        t1 = 1e3 * rng.uniform(*s["t1_level1_us"])
        t1_levels = [t1] + [t1 * rng.uniform(*s["t1_ratio"]) / (k - 1) for k in range(2, d)]
        true = definition.replace(
            freq_ghz=definition.freq_ghz + 1e-3 * rng.uniform(-1, 1) * s["freq_offset_mhz"],
            anharmonicity_ghz=definition.anharmonicity_ghz + 1e-3 * rng.uniform(-1, 1) * s["anharmonicity_offset_mhz"],
            t1_ns=t1_levels, tphi_ns=1e3 * rng.uniform(*s["tphi_us"]), calibration=None,
            provenance={"source": f"hidden truth drawn around {definition.name!r} (seed {seed})"})
        A = _assignment_matrix(rng.uniform(*s["readout_fidelity"], size=d), rng)
        return cls(true, float(rng.uniform(*s["gain"])), A)


class SimulatedTransmon(PulseBackend):
    """A transmon played through the pulse solver with hidden true parameters (see the module docstring).

    ``definition``: the device definition the experimenter starts from (:attr:`device`); ``truth``: a
    :class:`TransmonTruth` (default: :meth:`TransmonTruth.draw` around the definition with ``seed``);
    ``rwa_cutoff_ghz``: as in :func:`qbhw.pulse.simulate`."""

    def __init__(self, definition, truth: TransmonTruth | None = None, *, seed=None, rwa_cutoff_ghz: float = 2.0):
        from ..devices import Device, load

        definition = load(definition) if isinstance(definition, str) else definition
        if not isinstance(definition, Device) or definition.is_multi_qubit:
            raise ConfigError(f"got {type(definition).__name__}", argument="definition",
                              allowed="a single-transmon device (name or Device)")
        super().__init__(device=definition)
        self._truth = truth if truth is not None else TransmonTruth.draw(definition, seed)
        if self._truth.device.levels != definition.levels:
            raise ConfigError(f"{self._truth.device.levels} levels for a {definition.levels}-level definition",
                              argument="truth", allowed="the definition's number of levels")
        self.rwa_cutoff_ghz = float(rwa_cutoff_ghz)
        self.name = f"pulse:simulated:{definition.name}"
        self._players = {}

    def _player(self, decoherence: bool):
        from ..pulse import transmon_model
        from ..pulse.sequence import SequencePlayer

        if decoherence not in self._players:
            model = transmon_model(self._truth.device, decoherence=decoherence, resonator=False)
            self._players[decoherence] = SequencePlayer(model, rwa_cutoff_ghz=self.rwa_cutoff_ghz,
                                                        gain=self._truth.drive_gain)
        return self._players[decoherence]

    def read_out(self, populations) -> np.ndarray:
        """The distribution of readout results ``A·p`` for level populations ``p`` (``(K, d)`` → ``(K, d)``)."""
        p = np.asarray(populations, dtype=float)
        return p @ np.asarray(self._truth.readout_assignment).T

    def measure(self, sequences, *, shots: int, seed=None, decoherence: bool = True) -> np.ndarray:
        """Play each sequence (parts: :class:`~qbhw.pulse.PulseSignals` built against the experimenter's device,
        or waits in ns; see :mod:`qbhw.pulse.sequence`) from |0⟩ and read it out ``shots`` times → counts
        ``(K, d)``."""
        pops = self._player(bool(decoherence)).populations(sequences)
        return sample_populations(self.read_out(pops), shots, seed)[2]

    def simulate_signals(self, signals, *, record, decoherence: bool = True, rwa_cutoff_ghz=None):
        """:func:`qbhw.pulse.simulate` of ``signals`` on the true device from |0⟩ → ``(PulseResult, model)``
        (the drive line's gain applied): what a protocol's charging curve on this device is."""
        from ..pulse import simulate

        model = self._player(bool(decoherence)).model
        cut = self.rwa_cutoff_ghz if rwa_cutoff_ghz is None else rwa_cutoff_ghz
        return simulate(model, signals.scaled(self._truth.drive_gain), 0, rwa_cutoff_ghz=cut, record=record), model

    def __repr__(self) -> str:
        return f"SimulatedTransmon({self.device.name!r}, truth hidden)"
