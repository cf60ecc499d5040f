"""Qubit-register operators shared by the circuit compilers.

Conventions (``qbhw.conventions``): |0⟩ = |g⟩, |1⟩ = |e⟩, so the review's σ^z is −Z, σ^x = X,
σ^y = −Y and σ^+ = |e⟩⟨g| = (X − iY)/2. Registers are little-endian (qubit 0 is the least
significant bit; in a ``SparsePauliOp`` label it is the rightmost character).

Bosonic modes are stored in a *binary Fock encoding*: photon number n ↔ the integer n written
in binary on ``m = ceil(log2(cutoff + 1))`` qubits (little-endian inside the mode register).
The truncated ladder operator acts as ``a|n⟩ = √n |n−1⟩`` for ``1 ≤ n ≤ cutoff`` and as zero on
the unused codes ``n > cutoff`` (they are decoupled and never populated).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from ..errors import InvalidArgumentError
from ..metrics._inputs import check_positive_int

__all__ = [
    "FockRegister",
    "cell_energy_operator",
    "pauli_on",
    "diagonal_to_pauli",
    "pauli_weight_spread",
    "rotate_to_z_basis",
    "rotate_from_z_basis",
]


def pauli_on(label: str, qubits, coeff: complex = 1.0, num_qubits: int | None = None) -> SparsePauliOp:
    """``coeff · P`` with the Pauli string ``label`` (one letter per qubit of ``qubits``)."""
    qubits = list(qubits)
    if num_qubits is None:
        num_qubits = max(qubits) + 1
    return SparsePauliOp.from_sparse_list([(label, qubits, coeff)], num_qubits=num_qubits)


def rotate_to_z_basis(qc, letters: str, qubits) -> None:
    """Append ``V`` with ``V P V† = Z`` on each qubit: ``H`` for ``"X"``, ``S† then H`` for ``"Y"``
    (``letters[k]`` on ``qubits[k]``; ``"Z"`` and ``"I"`` untouched). Measuring Z afterwards measures P."""
    for p, q in zip(letters, qubits):
        if p == "X":
            qc.h(q)
        elif p == "Y":
            qc.sdg(q)
            qc.h(q)


def rotate_from_z_basis(qc, letters: str, qubits) -> None:
    """Append ``V†``, the inverse of :func:`rotate_to_z_basis`."""
    for p, q in zip(letters, qubits):
        if p == "X":
            qc.h(q)
        elif p == "Y":
            qc.h(q)
            qc.s(q)


def cell_energy_operator(qubits, num_qubits: int, omega: float = 1.0) -> SparsePauliOp:
    """``ω Σ_i (1 − Z_i)/2 = (ω/2) Σ_i (σ^z_i + 1)`` on ``qubits`` (review Eq. 30; ground energy 0)."""
    qubits = list(qubits)
    terms = [("", [], 0.5 * omega * len(qubits))] + [("Z", [q], -0.5 * omega) for q in qubits]
    return SparsePauliOp.from_sparse_list(terms, num_qubits=num_qubits).simplify()


def diagonal_to_pauli(diagonal, qubits, num_qubits: int, atol: float = 1e-12) -> SparsePauliOp:
    """Z-string expansion of a diagonal operator on ``qubits`` (Walsh–Hadamard transform).

    ``diag(d) = Σ_S f_S Z_S`` with ``f_S = 2^{−m} Σ_k d_k Π_{q∈S} (−1)^{bit_q(k)}``; index ``k``
    is little-endian over ``qubits`` (``qubits[0]`` the least significant bit).
    """
    d = np.asarray(diagonal, dtype=float).ravel()
    qubits = list(qubits)
    m = len(qubits)
    if d.size != 2**m:
        raise InvalidArgumentError(f"diagonal has {d.size} entries for {m} qubits", argument="diagonal",
                                   allowed=f"2**{m} = {2**m} entries")
    f = d.copy()
    h = 1
    while h < f.size:  # fast Walsh–Hadamard transform (natural order)
        for start in range(0, f.size, 2 * h):
            a = f[start:start + h].copy()
            b = f[start + h:start + 2 * h].copy()
            f[start:start + h] = a + b
            f[start + h:start + 2 * h] = a - b
        h *= 2
    f /= f.size
    terms = []
    for s, coeff in enumerate(f):
        if abs(coeff) <= atol:
            continue
        support = [qubits[j] for j in range(m) if (s >> j) & 1]
        terms.append(("Z" * len(support), support, coeff))
    if not terms:
        terms = [("", [], 0.0)]
    return SparsePauliOp.from_sparse_list(terms, num_qubits=num_qubits)


def pauli_weight_spread(op: SparsePauliOp) -> float:
    """Spectral width ``λ_max − λ_min`` of a Hermitian operator (dense, small registers)."""
    evals = np.linalg.eigvalsh(op.to_matrix())
    return float(evals[-1] - evals[0])


@dataclass(frozen=True)
class FockRegister:
    """A bosonic mode truncated at ``cutoff`` photons, binary-encoded on qubits ``qubits``."""

    cutoff: int
    qubits: tuple[int, ...]

    def __post_init__(self):
        check_positive_int(self.cutoff, "cutoff")
        need = self.qubits_needed(self.cutoff)
        if len(self.qubits) != need:
            raise InvalidArgumentError(f"a cut-off of {self.cutoff} photons needs {need} qubits, got "
                                       f"{len(self.qubits)}", argument="qubits", allowed=f"{need} qubits")

    @staticmethod
    def qubits_needed(cutoff: int) -> int:
        """``ceil(log2(cutoff + 1))`` qubits hold photon numbers 0…cutoff."""
        return max(1, int(np.ceil(np.log2(int(cutoff) + 1))))

    @property
    def size(self) -> int:
        return 2 ** len(self.qubits)

    def annihilation(self) -> np.ndarray:
        """Truncated ``a`` on the 2^m codes (zero on the unused codes above the cut-off)."""
        a = np.zeros((self.size, self.size))
        for n in range(1, self.cutoff + 1):
            a[n - 1, n] = np.sqrt(n)
        return a

    def number(self) -> np.ndarray:
        """``a†a`` restricted to the valid codes (0 on unused codes, which stay empty)."""
        return np.diag([float(n) if n <= self.cutoff else 0.0 for n in range(self.size)])

    def quadrature_x(self) -> np.ndarray:
        """``a + a†``."""
        a = self.annihilation()
        return a + a.T

    def quadrature_p(self) -> np.ndarray:
        """``i(a† − a)`` (Hermitian)."""
        a = self.annihilation()
        return 1j * (a.T - a)

    def number_operator(self, num_qubits: int, omega: float = 1.0) -> SparsePauliOp:
        """``ω a†a`` as Z-strings on the register."""
        return diagonal_to_pauli(omega * np.diag(self.number()), self.qubits, num_qubits)

    def basis_bits(self, photons: int) -> list[int]:
        """Qubits of the register that are |1⟩ in the code of ``photons``."""
        if not 0 <= photons <= self.cutoff:
            raise InvalidArgumentError(f"{photons} photons do not fit under the cut-off {self.cutoff}",
                                       argument="photons", allowed=f"0 <= photons <= {self.cutoff}")
        return [q for j, q in enumerate(self.qubits) if (photons >> j) & 1]
