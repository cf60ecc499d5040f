"""The Dicke basis of N two-level cells: the labels |j, m⟩, the collective spin operators and the degeneracies.

N spins ½ decompose into total spins j = N/2, N/2 − 1, …, 0 (or ½), spin j occurring

    d_j = N! (2j + 1) / ((N/2 − j)! (N/2 + j + 1)!)

times (Σ_j d_j (2j + 1) = 2^N). A permutation-invariant operator is block diagonal in j and identical in the
d_j copies of a block, so it is described by one (2j+1)×(2j+1) block per j: the "Dicke basis" of
``qutip.piqs`` (Shammah, Ahmed, Lambert, De Liberato & Nori, Phys. Rev. A 98, 063815, 2018), of dimension
Σ_j (2j + 1). Order (that of ``qutip.piqs.jspin``): j from N/2 down, m from j down to −j in each block.
Collective spin ``J = Σ_i σ_i / 2``; ``m`` counts (excitations − N/2) inside the symmetric block, and
``ω_0 (J_z + N/2)`` is the battery Hamiltonian of N cells of splitting ω_0 (review Sec. III.B, Eq. 30).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from ..errors import InvalidArgumentError

__all__ = ["dicke_j_values", "num_dicke_states", "dicke_degeneracy", "dicke_operators", "dicke_state",
           "dicke_labels", "check_n_cells"]


def check_n_cells(n_cells) -> int:
    """N as an int (≥ 1), else :class:`~qbhw.errors.InvalidArgumentError` naming ``n_cells``."""
    if isinstance(n_cells, bool) or not isinstance(n_cells, (int, np.integer)) or int(n_cells) < 1:
        raise InvalidArgumentError(f"got {n_cells!r}", argument="n_cells", allowed="an integer >= 1")
    return int(n_cells)


def dicke_j_values(n_cells: int) -> np.ndarray:
    """The values of j, from N/2 down to 0 (N even) or 1/2 (N odd): the order of the blocks."""
    n = check_n_cells(n_cells)
    return n / 2.0 - np.arange(n // 2 + 1)


def num_dicke_states(n_cells: int) -> int:
    """Σ_j (2j + 1): the dimension of the Dicke-basis matrices (``qutip.piqs.num_dicke_states``)."""
    return int(sum(int(round(2 * j + 1)) for j in dicke_j_values(n_cells)))


def dicke_degeneracy(n_cells: int, j: float) -> int:
    """d_j = N! (2j + 1) / ((N/2 − j)! (N/2 + j + 1)!): how often spin j occurs in N spins ½ (an exact int)."""
    n = check_n_cells(n_cells)
    k = int(round(n / 2 - j))
    if k < 0 or k > n // 2 or abs(n / 2 - j - k) > 1e-9:
        raise InvalidArgumentError(f"got j = {j!r}", argument="j", allowed=f"N/2, N/2 − 1, …, ≥ 0 for N = {n}")
    return math.comb(n, k) - (math.comb(n, k - 1) if k >= 1 else 0)


def dicke_operators(n_cells: int) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """``(J_x, J_y, J_z, J_+, J_−)`` in the Dicke basis (``qutip.piqs.jspin`` order), sparse.

    ``J_± |j, m⟩ = √(j(j+1) − m(m±1)) |j, m±1⟩``; ``J_z |j, m⟩ = m |j, m⟩``; collective spin ``J = Σ_i σ_i / 2``.
    """
    j_all, m_all = dicke_labels(n_cells)
    nds = j_all.size
    jz = sp.diags(m_all.astype(complex), format="csr")
    # J_+ |j,m⟩ → |j,m+1⟩: index i (m) → i − 1 (m + 1) inside a block
    ok = m_all < j_all - 1e-9
    src = np.arange(nds)[ok]
    coef = np.sqrt(j_all[ok] * (j_all[ok] + 1) - m_all[ok] * (m_all[ok] + 1))
    jp = sp.csr_matrix((coef.astype(complex), (src - 1, src)), shape=(nds, nds))
    jm = jp.conj().T.tocsr()
    jx = ((jp + jm) * 0.5).tocsr()
    jy = ((jp - jm) * (-0.5j)).tocsr()
    return jx, jy, jz, jp, jm


def dicke_state(n_cells: int, j: float, m: float) -> np.ndarray:
    """The Dicke-basis density matrix of ``|j, m⟩`` (weight 1 in its block; ``qutip.piqs.dicke(N, j, m)``)."""
    js = dicke_j_values(n_cells)
    if not np.any(np.abs(js - j) < 1e-9):
        raise InvalidArgumentError(f"got j = {j!r}", argument="j", allowed=f"one of {', '.join(f'{x:g}' for x in js)}")
    j_all, m_all = dicke_labels(n_cells)
    hit = np.flatnonzero((np.abs(j_all - j) < 1e-9) & (np.abs(m_all - m) < 1e-9))
    if hit.size == 0:
        raise InvalidArgumentError(f"got m = {m!r}", argument="m", allowed=f"j, j − 1, …, −j for j = {j:g}")
    rho = np.zeros((j_all.size, j_all.size), dtype=complex)
    rho[hit[0], hit[0]] = 1.0
    return rho


def dicke_labels(n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """``(j, m)`` of every Dicke-basis index, in order (j descending, m descending inside a block)."""
    js = dicke_j_values(n_cells)
    sizes = np.rint(2 * js + 1).astype(int)
    return np.repeat(js, sizes), np.concatenate([j - np.arange(s) for j, s in zip(js, sizes)])


