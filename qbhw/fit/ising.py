"""Transverse-field Ising battery (ibm_perth data of Hoang, Metz et al., arXiv:2308.03334): exact small-N work.

Charging Hamiltonian (open chain of ``n`` qubits, qiskit Paulis, little-endian)::

    H = J Σ_{i=0}^{n−2} X_i X_{i+1} + h Σ_i Z_i          (field_in_charging=True)
    H = J Σ_i X_i X_{i+1}                                 (field_in_charging=False)

Battery: the first ``M`` qubits with ``H_B = h Σ_{i<M} Z_i``; start ``|0…0⟩`` (the battery's
ground state for ``h < 0``); stored work ``W(t) = ⟨H_B⟩(t) − M h``.

W is even in J: the unitary ``Π_{i odd} Z_i`` flips the sign of every ``X_i X_{i+1}``, commutes
with the field and ``H_B`` and leaves ``|0…0⟩`` invariant — so only |J| can be measured.

Two qubits, ``H = J X_0X_1`` (the ``xx_N2_M1`` case): ``e^{−iJtXX}|00⟩ = cos(Jt)|00⟩ − i sin(Jt)|11⟩``,
so ``⟨Z_0⟩ = cos 2Jt`` and ``W = h(cos 2Jt − 1) = −2h sin²(Jt) = 2|h| sin²(|J| t)`` for ``h < 0``
(``1.2 sin²(2t)`` for J = −2, h = −0.6).

The physics lives in :class:`qbhw.models.TransverseIsingBattery` (the model) and
:mod:`qbhw.solvers.ising` (the stacked-``eigh`` evaluation over a grid of J, ``2^n ≤ 2^10``); the
functions here are thin wrappers kept for the fits and the data-file checks.
"""

from __future__ import annotations

import numpy as np

from ..solvers.ising import DENSE_ISING_QUBITS, ising_dense_operators, ising_work_grid

__all__ = ["ising_operators", "ising_work", "ising_work_batch", "two_qubit_xx_work", "MAX_ISING_QUBITS"]

#: largest chain of the dense fit route (the solver's dense limit)
MAX_ISING_QUBITS = DENSE_ISING_QUBITS


def ising_operators(n_qubits: int, m_cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense ``Σ X_iX_{i+1}`` and the diagonals of ``Σ_i Z_i`` and ``Σ_{i<M} Z_i`` (little-endian; read-only)."""
    return ising_dense_operators(n_qubits, m_cells)


def ising_work_batch(times, couplings, field: float, n_qubits: int, m_cells: int, *,
                     field_in_charging: bool = True) -> np.ndarray:
    """``W(t)`` for every coupling in ``couplings``: shape ``(len(couplings), len(times))``
    (:func:`qbhw.solvers.ising.ising_work_grid`)."""
    return ising_work_grid(times, couplings, field, n_qubits, m_cells, field_in_charging=field_in_charging)


def ising_work(times, coupling: float, field: float, n_qubits: int, m_cells: int, *,
               field_in_charging: bool = True) -> np.ndarray:
    """Stored work ``W(t) = ⟨H_B⟩(t) − M h`` of the transverse-field Ising battery (module docstring);
    equal to ``qbhw.charge(TransverseIsingBattery(n, M, J, h), t).work``."""
    return ising_work_grid(times, [coupling], field, n_qubits, m_cells, field_in_charging=field_in_charging)[0]


def two_qubit_xx_work(times, coupling: float, field: float) -> np.ndarray:
    """Closed form for ``H = J X_0X_1``, battery qubit 0: ``W = −2h sin²(J t)`` (module docstring)."""
    t = np.asarray(times, dtype=float)
    return -2.0 * field * np.sin(coupling * t) ** 2
