"""Sparse qubit operators in the qbhw conventions, and shared argument checks of the qubit models.

Conventions (:mod:`qbhw.conventions`, where the single-qubit matrices below are defined once and
imported from): computational |0⟩ = |g⟩, |1⟩ = |e⟩; the review's Pauli operators are

    σ^x = X,   σ^y = −Y,   σ^z = −Z,   σ^+ = |e⟩⟨g| = |1⟩⟨0|,   σ^− = |g⟩⟨e|,

so that σ^z|e⟩ = +|e⟩ and σ^+σ^− = |e⟩⟨e|. Full-space matrices are qiskit little-endian:
site 0 is the least-significant bit, i.e. the RIGHTMOST factor of ``np.kron``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..conventions import SIGMA_MINUS, SIGMA_PLUS, SIGMA_X
from ..conventions import SIGMA_Y_REVIEW as SIGMA_Y  # = −Y (review σ^y with |g⟩ = |0⟩)
from ..conventions import SIGMA_Z_REVIEW as SIGMA_Z  # = −Z (σ^z|e⟩ = +|e⟩)
from ..errors import InvalidArgumentError
from ..metrics._inputs import check_finite_real, check_positive_int

__all__ = [
    "SIGMA_X", "SIGMA_Y", "SIGMA_Z", "SIGMA_PLUS", "SIGMA_MINUS",
    "site_operator", "two_site_operator", "excitation_counts",
    "check_coupling", "check_real", "check_size", "check_max_size",
]


def site_operator(op: np.ndarray, site: int, n_sites: int) -> sp.csr_matrix:
    """``1 ⊗ … ⊗ op ⊗ … ⊗ 1`` on ``n_sites`` qubits, ``op`` on ``site`` (little-endian)."""
    left = sp.identity(2 ** (n_sites - site - 1), dtype=complex, format="csr")
    right = sp.identity(2 ** site, dtype=complex, format="csr")
    return sp.kron(sp.kron(left, sp.csr_matrix(op)), right, format="csr")


def two_site_operator(op_a: np.ndarray, site_a: int, op_b: np.ndarray, site_b: int, n_sites: int) -> sp.csr_matrix:
    """Product ``op_a`` on ``site_a`` times ``op_b`` on ``site_b`` (distinct sites)."""
    return (site_operator(op_a, site_a, n_sites) @ site_operator(op_b, site_b, n_sites)).tocsr()


def excitation_counts(n_sites: int) -> np.ndarray:
    """Number of excited qubits (popcount) of every computational basis state."""
    s = np.arange(2 ** n_sites, dtype=np.int64)
    count = np.zeros_like(s)
    for k in range(n_sites):
        count += (s >> k) & 1
    return count


def check_size(value, argument: str) -> int:
    """A number of cells / chargers / spins: integer >= 1 (InvalidArgumentError otherwise)."""
    return check_positive_int(value, argument, minimum=1)


def check_coupling(value, argument: str, *, strict: bool = False) -> float:
    """A coupling strength or rate: finite and >= 0 (> 0 with ``strict``)."""
    x = check_finite_real(value, argument, minimum=0.0, strict=strict)
    return x


def check_real(value, argument: str) -> float:
    """Any finite real number (NaN and inf rejected)."""
    return check_finite_real(value, argument)


def check_max_size(n: int, limit: int, argument: str, what: str) -> None:
    if n > limit:
        raise InvalidArgumentError(f"{n} is too large for {what}", argument=argument, allowed=f"<= {limit}")
