"""The qubit conventions of design.md, checked once: |0⟩ = |g⟩, σ^z_review = −Z, consistent Pauli algebra."""

import numpy as np
from qiskit.quantum_info import Operator, SparsePauliOp

from qbhw.conventions import (
    PROJ_E,
    SIGMA_MINUS,
    SIGMA_PLUS,
    SIGMA_X,
    SIGMA_Y_REVIEW,
    SIGMA_Z_REVIEW,
    cell_hamiltonian,
)


def test_review_sigma_z_is_minus_qiskit_z():
    z = SparsePauliOp("Z").to_matrix()
    assert np.array_equal(SIGMA_Z_REVIEW, -z)
    ground = np.array([1, 0])  # |0> = |g>
    assert np.allclose(SIGMA_Z_REVIEW @ ground, -ground)  # σ^z|g> = -|g>


def test_pauli_algebra_and_ladder_operators():
    assert np.allclose(SIGMA_X @ SIGMA_Y_REVIEW, 1j * SIGMA_Z_REVIEW, atol=1e-15)
    assert np.allclose(SIGMA_PLUS, (SIGMA_X + 1j * SIGMA_Y_REVIEW) / 2, atol=1e-15)
    assert np.allclose(SIGMA_MINUS, SIGMA_PLUS.conj().T, atol=1e-15)
    assert np.allclose(SIGMA_PLUS @ np.array([1, 0]), [0, 1])  # σ^+|g> = |e>


def test_cell_hamiltonian_three_forms_agree():
    omega = 1.7
    review = omega / 2 * (SIGMA_Z_REVIEW + np.eye(2))
    qiskit_form = Operator(SparsePauliOp(["I", "Z"], coeffs=[omega / 2, -omega / 2])).data
    assert np.allclose(cell_hamiltonian(omega), review, atol=1e-15)
    assert np.allclose(cell_hamiltonian(omega), qiskit_form, atol=1e-15)
    assert np.allclose(cell_hamiltonian(omega), omega * PROJ_E, atol=1e-15)
