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


def test_library_uses_these_matrices():
    """The qubit models' operators (qbhw.models._qubit_ops) are these very arrays, read-only; embedded
    on a register they are the qiskit operators the conventions name (σ^z = −Z_i, σ^x = X_i,
    σ^y = −Y_i, σ^+ = |1⟩⟨0|_i, little-endian)."""
    from qbhw.models import _qubit_ops as ops

    assert ops.SIGMA_X is SIGMA_X and ops.SIGMA_Y is SIGMA_Y_REVIEW and ops.SIGMA_Z is SIGMA_Z_REVIEW
    assert ops.SIGMA_PLUS is SIGMA_PLUS and ops.SIGMA_MINUS is SIGMA_MINUS
    assert not hasattr(ops, "IDENTITY_2")
    for m in (SIGMA_X, SIGMA_Y_REVIEW, SIGMA_Z_REVIEW, SIGMA_PLUS, SIGMA_MINUS, PROJ_E):
        assert not m.flags.writeable
    n = 3
    for site in range(n):
        def pauli(label, coeff=1.0):
            return coeff * SparsePauliOp.from_sparse_list([(label, [site], 1.0)], num_qubits=n).to_matrix()

        assert np.allclose(ops.site_operator(ops.SIGMA_Z, site, n).toarray(), pauli("Z", -1.0), atol=1e-15)
        assert np.allclose(ops.site_operator(ops.SIGMA_X, site, n).toarray(), pauli("X"), atol=1e-15)
        assert np.allclose(ops.site_operator(ops.SIGMA_Y, site, n).toarray(), pauli("Y", -1.0), atol=1e-15)
        plus = ops.site_operator(ops.SIGMA_PLUS, site, n).toarray()
        assert plus[1 << site, 0] == 1 and np.count_nonzero(plus) == 2 ** (n - 1)  # |0…0⟩ → bit `site` set
