"""Conventions used everywhere in qbhw (written once, here).

The single-qubit matrices below are the only definition in the library: the qubit models use
them through :mod:`qbhw.models._qubit_ops`.

Units
    ħ = 1 (and k_B = 1). Battery models are dimensionless: energies in units of ω_0 and
    times in units of 1/ω_0 unless a model says otherwise. The pulse layer works in ns
    and GHz (cyclic; names say so: ``freq_ghz``, ``dt_ns``) and multiplies by 2π internally.

Qubits
    The computational state |0⟩ is the ground state |g⟩ of a cell, |1⟩ = |e⟩. The review's
    σ^z has σ^z|e⟩ = +|e⟩, so ``σ^z_review = −Z_qiskit`` and the battery Hamiltonian of a
    cell, ``(ω_0/2)(σ^z + 1) = ω_0 (1 − Z)/2 = ω_0 |e⟩⟨e|``. To keep the Pauli algebra
    (σ^xσ^y = iσ^z) the review's operators are the qiskit ones conjugated by X:
    ``σ^x = X``, ``σ^y = −Y``, ``σ^z = −Z``; then σ^± = (σ^x ± iσ^y)/2 with
    σ^+ = |e⟩⟨g| = |1⟩⟨0|. (XX + YY couplings are unchanged by the sign of Y.)

Ordering
    Full-space matrices and circuits use qiskit's little-endian order: cell 0 is the least
    significant tensor factor (the rightmost factor of ``np.kron``).

Work and energy
    ``energy(t) = Tr[H_B ρ(t)] − E_ground`` (stored energy above the battery's ground energy);
    ``work(t) = W(t) = E(t) − E(0)`` (review Eq. 3).

Charging times
    ``tau="max_power"`` → τ̃ = argmax_{t>0} W(t)/t; ``tau="energy_peak"`` → τ̄, the first
    interior local maximum of W(t). Both are parabola-refined; no function picks one
    implicitly. Quantum advantage Γ = ⟨P_collective⟩_τ / (N ⟨P_single⟩_τ), each at its own τ.

Decoherence
    Amplitude damping L = √(1/T1) b (level k decays at rate k/T1); pure dephasing
    L = √(2/Tφ) n̂ (the 0–1 coherence decays as e^{−t/Tφ}); 1/Tφ = 1/T2 − 1/(2 T1).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SIGMA_X", "SIGMA_Y_REVIEW", "SIGMA_Z_REVIEW", "SIGMA_PLUS", "SIGMA_MINUS", "PROJ_E", "cell_hamiltonian"]

SIGMA_X = np.array([[0, 1], [1, 0]], dtype=complex)
#: the review's σ^y = −Y_qiskit (so that σ^xσ^y = iσ^z with σ^z = −Z)
SIGMA_Y_REVIEW = np.array([[0, 1j], [-1j, 0]], dtype=complex)
#: the review's σ^z (σ^z|e⟩ = +|e⟩, |e⟩ = |1⟩): equal to −Z in qiskit terms
SIGMA_Z_REVIEW = np.array([[-1, 0], [0, 1]], dtype=complex)
#: σ^+ = |e⟩⟨g| = |1⟩⟨0|
SIGMA_PLUS = np.array([[0, 0], [1, 0]], dtype=complex)
#: σ^− = |g⟩⟨e| = |0⟩⟨1|
SIGMA_MINUS = np.array([[0, 1], [0, 0]], dtype=complex)
#: |e⟩⟨e| = (σ^z + 1)/2
PROJ_E = np.array([[0, 0], [0, 1]], dtype=complex)

# the library shares these arrays (qbhw.models._qubit_ops imports them): keep them immutable
for _m in (SIGMA_X, SIGMA_Y_REVIEW, SIGMA_Z_REVIEW, SIGMA_PLUS, SIGMA_MINUS, PROJ_E):
    _m.setflags(write=False)
del _m


def cell_hamiltonian(omega_0: float = 1.0) -> np.ndarray:
    """One cell's battery Hamiltonian ``(ω_0/2)(σ^z + 1) = ω_0 |e⟩⟨e|`` (review Eq. 30)."""
    return omega_0 * PROJ_E
