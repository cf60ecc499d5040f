"""Drives defined by their physics rather than by a waveform: the Malz–Smith two-tone quasi-periodic field.

:class:`QuasiperiodicDrive` — the drive of Malz & Smith (PRL 126, 163602, 2021), played on ibmq_armonk: a
qubit under the piecewise-constant field ``H = h_x X + h_y Y + h_z Z`` (h·σ, not h·σ/2; qiskit's Paulis,
|0⟩ has z = +1) with two incommensurate tones,

    h_x = s B sin a_1,   h_y = s B sin a_2,   h_z = B (m − cos a_1 − cos a_2),
    a_i = ω_i r_k B t_k + φ_i,   t_k = k dt,   r_k = min(k / K_ramp, 1),

held constant on each sample ``k`` (``ω_2 = ω_1 (1 + √5)/2`` for the golden-ratio drive). ``s`` is a
scale of the transverse field (1 for the nominal drive; a fit parameter when the transverse amplitude
was calibrated on hardware). The field is the Bloch Hamiltonian of the Qi–Wu–Zhang Chern insulator with the
two tone phases as quasi-momenta: for 0 < |m| < 2 the band is topological and a qubit that follows the field
adiabatically pumps energy from one tone to the other at a quantised average rate (topological frequency
conversion, Martin, Refael & Halperin, PRX 7, 041008, 2017); for |m| > 2 it is trivial.

One drive, two ways to play it:

* :meth:`QuasiperiodicDrive.schedule` — a :class:`~qbhw.pulse.Schedule` for a device's qubit channel and
  virtual-Z channel (rotating frame and RWA of the transmon model): ``s = (h_x − i h_y)/π`` on the drive
  channel and ``s_z = −h_z/π`` on the Z channel (h in rad/ns; the constant ``π s_z`` is a global phase);
* :meth:`QuasiperiodicDrive.bloch_vectors` — the exact Bloch vectors of the piecewise-constant model at
  any set of sample counts, played through the pulse solver on three baseband channels ``x, y, z`` of a
  two-level model (``U_k = exp(−i dt h_k·σ)`` in closed form, block products and a prefix scan; exact
  for the held-sample model, about 10 ms for 90 000 samples), compiled once per drive and length.

Units follow the published data file: ``max_drive`` B in rad/s, ``dt`` in s (the properties
:attr:`~QuasiperiodicDrive.dt_ns` and :attr:`~QuasiperiodicDrive.max_drive_rad_per_ns` give the pulse
layer's units); the tone frequencies ω_i are dimensionless (they multiply B t), the phases φ_i in rad.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np

from ..errors import DimensionMismatchError, InvalidArgumentError
from .model import PulseModel
from .problem import compile_problem
from .propagate import active_terms, propagate_trajectory
from .schedule import Play, PulseSignals, Schedule, align_left
from .waveforms import Samples

__all__ = ["QuasiperiodicDrive", "PAULIS", "BLOCH_AXES"]

#: the Pauli matrices X, Y, Z (qiskit's convention: Z|0⟩ = +|0⟩)
PAULIS = (np.array([[0, 1], [1, 0]], dtype=complex), np.array([[0, -1j], [1j, 0]]),
          np.diag([1.0, -1.0]).astype(complex))
#: names of the Bloch-vector components / baseband channels of :meth:`QuasiperiodicDrive.bloch_vectors`
BLOCH_AXES = ("x", "y", "z")


@dataclass(frozen=True)
class QuasiperiodicDrive:
    """The two-tone quasi-periodic drive of Malz & Smith (PRL 126, 163602, 2021); see the module docstring.

    Fields: ``max_drive`` B (rad/s), ``m`` (dimensionless offset of h_z; topological for 0 < |m| < 2),
    ``omega1``, ``omega2`` (dimensionless tone frequencies, in units of B), ``phi1``, ``phi2`` (rad),
    ``dt`` (s, the sample time), ``ramp_samples`` (K_ramp; 0 = no ramp), ``n_samples`` (length of the drive).
    """

    max_drive: float
    m: float
    omega1: float = 0.125
    omega2: float = 0.125 * (1 + math.sqrt(5)) / 2
    phi1: float = math.pi / 10
    phi2: float = 0.0
    dt: float = 2.0 / 9.0 * 1e-9
    ramp_samples: int = 2000
    n_samples: int = 90000

    @property
    def dt_ns(self) -> float:
        """The sample time in ns."""
        return self.dt * 1e9

    @property
    def max_drive_rad_per_ns(self) -> float:
        """B in rad/ns."""
        return self.max_drive * 1e-9

    def _angles(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(a_1, a_2)`` on samples ``k = 0 … n−1``."""
        k = np.arange(n, dtype=float)
        r = np.minimum(k / self.ramp_samples, 1.0) if self.ramp_samples > 0 else np.ones(n)
        t = k * self.dt
        return (self.omega1 * r * self.max_drive * t + self.phi1, self.omega2 * r * self.max_drive * t + self.phi2)

    def _length(self, n_samples) -> int:
        n = self.n_samples if n_samples is None else int(n_samples)
        if n < 0:
            raise InvalidArgumentError(f"got {n_samples!r}", argument="n_samples", allowed=">= 0")
        return n

    def fields(self, drive_scale: float = 1.0,
               n_samples: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(h_x, h_y, h_z)`` on samples ``k = 0 … n_samples−1`` (rad/s); ``drive_scale`` = s multiplies h_x, h_y."""
        a1, a2 = self._angles(self._length(n_samples))
        b = self.max_drive
        return drive_scale * b * np.sin(a1), drive_scale * b * np.sin(a2), b * (self.m - np.cos(a1) - np.cos(a2))

    def initial_bloch(self) -> np.ndarray:
        """``+h(0)/|h(0)|`` with the nominal (unscaled) field: the state aligned with the field at the start."""
        hx, hy, hz = (f[0] for f in self.fields(1.0, 1))
        v = np.array([hx, hy, hz])
        return v / np.linalg.norm(v)

    # ---- played on a device ---------------------------------------------------------------------
    def schedule(self, device, *, drive: str = "d0", z: str = "z0", n_samples: int | None = None,
                 drive_scale: float = 1.0) -> Schedule:
        """The drive as a :class:`~qbhw.pulse.Schedule` on ``device``'s qubit channel ``drive`` and Z channel ``z``.

        In the rotating frame with the RWA a qubit channel plays ``H = π(Re s X − Im s Y)`` and a ``number``
        channel ``2π Re(s_z) n̂ = π s_z (1 − Z)``, so ``s = (h_x − i h_y)/π`` and ``s_z = −h_z/π`` (h in
        rad/ns) reproduce ``h·σ`` up to a global phase; ``h`` is evaluated at ``t = k dt`` and held for sample
        ``k``. The device's ``dt_ns`` must equal the drive's ``dt``. ``drive_scale`` (s) multiplies the
        transverse field ``h_x, h_y`` (a calibration error of the physical pulse; h_z is software).
        """
        dt_ns = float(device.dt_ns)
        if abs(self.dt_ns - dt_ns) > 1e-12 * dt_ns:
            raise DimensionMismatchError(f"the drive has dt = {self.dt_ns!r} ns, the device {dt_ns!r} ns",
                                         argument="device", allowed=f"a device with dt_ns = {self.dt_ns!r}")
        n = self._length(n_samples)
        if n < 1:
            raise InvalidArgumentError(f"got {n}", argument="n_samples", allowed=">= 1")
        a1, a2 = self._angles(n)
        b_ns = self.max_drive_rad_per_ns
        s = float(drive_scale)
        hx, hy, hz = s * b_ns * np.sin(a1), s * b_ns * np.sin(a2), b_ns * (self.m - np.cos(a1) - np.cos(a2))
        return align_left(Play(Samples((hx - 1j * hy) / np.pi, dt_ns=dt_ns), drive),
                          Play(Samples(-hz / np.pi + 0j, dt_ns=dt_ns), z), name=f"Floquet two-tone m={self.m}")

    # ---- exact Bloch vectors of the piecewise-constant model ---------------------------------------
    def bloch_vectors(self, samples, drive_scale: float = 1.0, initial=None) -> np.ndarray:
        """Bloch vectors after ``samples[i]`` drive samples (model frame of h·σ): array ``(len(samples), 3)``.

        ``drive_scale``: s (multiplies h_x, h_y). ``initial``: the Bloch vector at ``k = 0`` (default
        :meth:`initial_bloch`). The sample counts may exceed ``n_samples`` (the formula continues).
        """
        n = np.asarray(samples)
        if n.ndim != 1 or np.any(n < 0) or np.any(np.round(n) != n):
            raise InvalidArgumentError("samples must be non-negative integers", argument="samples",
                                       allowed="a 1-D array of sample counts >= 0")
        n = n.astype(np.int64)
        top = int(n.max()) if n.size else 0
        r0 = self.initial_bloch() if initial is None else np.asarray(initial, float)
        if top == 0:
            return np.tile(r0, (n.size, 1))
        theta, phi = np.arccos(np.clip(r0[2], -1, 1)), np.arctan2(r0[1], r0[0])
        psi0 = np.array([np.cos(theta / 2), np.exp(1j * phi) * np.sin(theta / 2)])
        uniq, inv = np.unique(n, return_inverse=True)
        psi = _compiled(self, top).states(uniq, drive_scale, psi0)
        c = np.conj(psi[:, 0]) * psi[:, 1]
        vec = np.stack([2 * c.real, 2 * c.imag, np.abs(psi[:, 0]) ** 2 - np.abs(psi[:, 1]) ** 2], axis=1)
        return vec[inv]


class _CompiledDrive:
    """``drive`` on samples ``0 … top−1`` compiled at drive scale 1 on baseband channels ``x, y, z`` (envelopes
    ``h/2π`` in GHz, zero carriers, static H = 0 so the rotating frame is the lab frame); :meth:`states` rescales
    the coefficients of the transverse (x, y) terms and takes the closed two-level fast path of
    :func:`~qbhw.pulse.propagate.propagate_trajectory`."""

    def __init__(self, drive: QuasiperiodicDrive, top: int):
        model = PulseModel(np.zeros((2, 2)), {a: 2 * np.pi * P for a, P in zip(BLOCH_AXES, PAULIS)})
        to_ghz = 1e-9 / (2 * np.pi)  # rad/s -> GHz (cyclic)
        fields = drive.fields(1.0, top)
        signals = PulseSignals.from_arrays(drive.dt_ns, {a: f * to_ghz for a, f in zip(BLOCH_AXES, fields)},
                                           {a: 0.0 for a in BLOCH_AXES})
        self.problem = compile_problem(model, signals)
        self.transverse = np.array([src[0] in ("x", "y") for src in self.problem.term_sources], dtype=bool)
        self.active = active_terms(self.problem)

    def states(self, record: np.ndarray, drive_scale: float, psi0: np.ndarray) -> np.ndarray:
        p = self.problem
        weights = np.where(self.transverse, float(drive_scale), 1.0)
        scaled = dataclasses.replace(p, coeffs=p.coeffs * weights)
        active = self.active & ((weights != 0) | ~self.transverse)
        return propagate_trajectory(scaled, p.to_frame(psi0), record, active=active)


@functools.lru_cache(maxsize=4)
def _compiled(drive: QuasiperiodicDrive, top: int) -> _CompiledDrive:
    return _CompiledDrive(drive, top)
