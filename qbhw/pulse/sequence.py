"""Pulse sequences with idle stretches: pulses and waits played back to back on one device, as a calibration
experiment does (prepare with a π pulse, wait τ, read out; π/2 – wait τ – π/2 for Ramsey).

A sequence is a list of parts: a :class:`~qbhw.pulse.PulseSignals` (a pulse built from a schedule that starts
at 0, played at the running absolute time with carriers that have been running since ``t = 0``) or a number
(an idle stretch in ns). Pulses are applied with :class:`~qbhw.pulse.PulseMap` (cached per distinct carrier
phase), idle stretches with the exact undriven Lindblad evolution :class:`~qbhw.pulse.FreeEvolution` — a 50 µs
wait costs one small matrix exponential, not 2·10⁵ samples. The state is the lab-frame density matrix
throughout; populations are frame independent.

:class:`SequencePlayer` holds the model and its caches for repeated runs; :func:`play_sequence` is the one-off
call. Units: ns, GHz (cyclic). Open-system dynamics: GKSL master equation (review: Campaioli et al., Rev. Mod.
Phys. 96, 031001 (2024), Sec. V).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import InvalidArgumentError
from .evolution import FreeEvolution, PulseMap, _density_matrix
from .schedule import PulseSignals

__all__ = ["SequencePlayer", "play_sequence"]


class SequencePlayer:
    """Plays sequences of pulses and waits on ``model`` (a :class:`~qbhw.pulse.PulseModel`).

    ``rwa_cutoff_ghz``: as in :func:`~qbhw.pulse.simulate`; ``gain``: the factor by which the device's drive
    line scales every envelope (1: the amplitudes as requested)."""

    def __init__(self, model, *, rwa_cutoff_ghz: float | None = None, gain: float = 1.0):
        if not (isinstance(gain, numbers.Real) and np.isfinite(gain) and gain > 0):
            raise InvalidArgumentError(f"got {gain!r}", argument="gain", allowed="a finite number > 0")
        self.model = model
        self.rwa_cutoff_ghz = rwa_cutoff_ghz
        self.gain = float(gain)
        self._free = None
        self._maps: dict[int, tuple[PulseSignals, PulseMap]] = {}

    def _pulse_map(self, signals: PulseSignals) -> PulseMap:
        hit = self._maps.get(id(signals))
        if hit is not None and hit[0] is signals:
            return hit[1]
        pm = PulseMap(self.model, signals.scaled(self.gain), self.rwa_cutoff_ghz)
        self._maps[id(signals)] = (signals, pm)
        return pm

    def run(self, parts, initial=0) -> np.ndarray:
        """The lab-frame density matrix ``(d, d)`` after playing ``parts`` from ``initial`` (a level index, a state
        vector or a density matrix)."""
        d = int(self.model.dim)
        rho = _density_matrix(initial, d)
        t = 0.0
        for k, part in enumerate(parts):
            if isinstance(part, PulseSignals):
                pm = self._pulse_map(part)
                rho = pm.apply(rho, t, output_frame="lab")
                t += pm.duration_ns
            elif isinstance(part, numbers.Real) and not isinstance(part, bool):
                tau = float(part)
                if not (np.isfinite(tau) and tau >= 0):
                    raise InvalidArgumentError(f"part {k}: wait {part!r}", argument="parts",
                                               allowed="waits >= 0 ns")
                if tau > 0:
                    if self._free is None:
                        self._free = FreeEvolution(self.model)
                    rho = self._free.evolve(rho, [tau])[0]
                    t += tau
            else:
                raise InvalidArgumentError(f"part {k} is a {type(part).__name__}", argument="parts",
                                           allowed="PulseSignals (a built schedule) or a wait in ns")
        return 0.5 * (rho + rho.conj().T)

    def populations(self, sequences, initial=0) -> np.ndarray:
        """Level populations ``(K, d)`` at the end of each of ``K`` sequences."""
        return np.array([np.clip(np.real(np.diag(self.run(s, initial))), 0.0, None) for s in sequences])


def play_sequence(model, parts, initial=0, *, rwa_cutoff_ghz: float | None = None, gain: float = 1.0) -> np.ndarray:
    """One-off :meth:`SequencePlayer.run`: the lab-frame state after ``parts``."""
    return SequencePlayer(model, rwa_cutoff_ghz=rwa_cutoff_ghz, gain=gain).run(parts, initial)
