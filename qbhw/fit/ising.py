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

Everything is dense numpy (``2^n ≤ 2^10``): one ``eigh`` per J, stacked over a grid of J for scans.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..errors import InvalidArgumentError
from ..metrics._inputs import check_positive_int

__all__ = ["ising_operators", "ising_work", "ising_work_batch", "two_qubit_xx_work", "MAX_ISING_QUBITS"]

MAX_ISING_QUBITS = 10


@lru_cache(maxsize=32)
def ising_operators(n_qubits: int, m_cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Diagonals/matrices ``(Σ X_iX_{i+1}, diag Σ_i Z_i, diag Σ_{i<M} Z_i)`` (little-endian)."""
    n = check_positive_int(n_qubits, "n_qubits", minimum=2)
    m = check_positive_int(m_cells, "m_cells")
    if n > MAX_ISING_QUBITS:
        raise InvalidArgumentError(f"got {n}", argument="n_qubits", allowed=f"2..{MAX_ISING_QUBITS} (dense)")
    if m > n:
        raise InvalidArgumentError(f"m_cells = {m} > n_qubits = {n}", argument="m_cells", allowed=f"<= {n}")
    d = 2**n
    idx = np.arange(d)
    bits = (idx[:, None] >> np.arange(n)[None, :]) & 1  # bit i of basis state = qubit i (little-endian)
    z = 1.0 - 2.0 * bits  # Z_i eigenvalue: +1 on |0>, -1 on |1>
    xx = np.zeros((d, d))
    for i in range(n - 1):
        flip = idx ^ ((1 << i) | (1 << (i + 1)))
        xx[flip, idx] += 1.0
    return xx, z.sum(axis=1), z[:, :m].sum(axis=1)


def _check_times(times) -> np.ndarray:
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or not np.all(np.isfinite(t)):
        raise InvalidArgumentError("times must be a 1-D array of finite numbers", argument="times")
    return t


def ising_work_batch(times, couplings, field: float, n_qubits: int, m_cells: int, *,
                     field_in_charging: bool = True) -> np.ndarray:
    """``W(t)`` for every coupling in ``couplings``: shape ``(len(couplings), len(times))``."""
    t = _check_times(times)
    js = np.atleast_1d(np.asarray(couplings, dtype=float))
    xx, zsum, zb = ising_operators(n_qubits, m_cells)
    h = float(field)
    diag = h * zsum if field_in_charging else np.zeros_like(zsum)
    H = js[:, None, None] * xx[None] + np.diag(diag)[None]
    w, v = np.linalg.eigh(H)  # (G, d), (G, d, d)
    c0 = v[:, 0, :]  # overlaps <k|0...0> (psi0 = basis state 0)
    phases = np.exp(-1j * w[:, None, :] * t[None, :, None])  # (G, T, d)
    psi = np.einsum("gik,gtk,gk->gti", v, phases, c0.conj())  # psi_i(t) = sum_k V_ik e^{-i w_k t} <k|0>
    e_b = h * np.einsum("gti,i->gt", np.abs(psi) ** 2, zb)
    return e_b - m_cells * h


def ising_work(times, coupling: float, field: float, n_qubits: int, m_cells: int, *,
               field_in_charging: bool = True) -> np.ndarray:
    """Stored work ``W(t) = ⟨H_B⟩(t) − M h`` of the transverse-field Ising battery (module docstring)."""
    return ising_work_batch(times, [coupling], field, n_qubits, m_cells, field_in_charging=field_in_charging)[0]


def two_qubit_xx_work(times, coupling: float, field: float) -> np.ndarray:
    """Closed form for ``H = J X_0X_1``, battery qubit 0: ``W = −2h sin²(J t)`` (module docstring)."""
    t = np.asarray(times, dtype=float)
    return -2.0 * field * np.sin(coupling * t) ** 2
