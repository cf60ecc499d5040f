"""Energy, passive states, ergotropy, antiergotropy and capacity (review Sec. II.A, Eqs. 1–6).

Algorithm (review Eq. 6, seed-spec §1.3): with the eigenvalues of ρ sorted in
non-increasing order ``r↓`` and the energies of ``H_0`` sorted in non-decreasing order
``ε↑`` (degenerate levels repeated by their multiplicity),

    E_passive = Σ_k r↓_k ε↑_k,      𝓔(ρ) = Tr[H_0 ρ] − E_passive          (Eq. 4–6)
    E_antipassive = Σ_k r↓_k ε↓_k,  A(ρ) = E_antipassive − Tr[H_0 ρ]      (antiergotropy)
    C(ρ) = E_antipassive − E_passive = 𝓔 + A                              (capacity, Yang et al. 2023)

This is exact for degenerate spectra (the energy of the passive state is unique even
where the state is not). When the Hamiltonian is given as a :class:`Spectrum` with
multiplicities, a state that lives in a symmetry sector may be mapped by the optimal
unitary onto every level of the full space (its missing eigenvalues are zeros).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import DimensionMismatchError, InvalidArgumentError
from ._inputs import (
    HamiltonianData,
    as_density_matrix,
    as_hamiltonian,
    state_and_hamiltonian,
    state_eigenvalues,
)

__all__ = [
    "energy",
    "energy_variance",
    "bandwidth",
    "passive_energy",
    "passive_energy_with_multiplicities",
    "passive_populations",
    "passive_state",
    "ergotropy",
    "antiergotropy",
    "capacity",
    "incoherent_ergotropy",
    "coherent_ergotropy",
    "dephase",
    "partial_trace",
    "local_ergotropy",
    "global_ergotropy",
    "embed_local",
]


def energy(state, hamiltonian) -> float:
    """Mean energy ``Tr[H ρ]`` (review Eq. 3 without the offset)."""
    rho, h = state_and_hamiltonian(state, hamiltonian)
    return h.expectation(rho)


def energy_variance(state, hamiltonian) -> float:
    """Energy variance ``ΔE² = Tr[H² ρ] − Tr[H ρ]²`` (review Eq. 45)."""
    rho, h = state_and_hamiltonian(state, hamiltonian)
    e = h.expectation(rho)
    return max(0.0, h.square_expectation(rho) - e * e)


def bandwidth(hamiltonian) -> float:
    """Bandwidth ``w[H_0] = ε_max − ε_min`` (review Eq. 1 and footnotes 2–3)."""
    h = as_hamiltonian(hamiltonian)
    return float(h.e_max - h.e_min)


def _sorted_eigs(rho: np.ndarray) -> np.ndarray:
    return state_eigenvalues(rho)[::-1]  # non-increasing


def _passive_energy(rho: np.ndarray, h: HamiltonianData) -> float:
    r = _sorted_eigs(rho)
    return float(np.dot(r, h.sorted_levels_for(r.size)))


def _antipassive_energy(rho: np.ndarray, h: HamiltonianData) -> float:
    r = _sorted_eigs(rho)
    return float(np.dot(r, h.highest_levels_for(r.size)))


def passive_energy_with_multiplicities(probabilities, counts, energies, multiplicities) -> float:
    """Passive energy (review Eq. 6) of a state given by its eigenvalues *with multiplicities*.

    The state has eigenvalue ``probabilities[i]`` ``counts[i]`` times; the Hamiltonian has level
    ``energies[k]`` ``multiplicities[k]`` times. The passive state puts the largest eigenvalues on the lowest
    levels: with ``F(x)`` the total energy of the ``x`` lowest states (piecewise linear in ``x``) and ``X_i`` the
    cumulative counts of the eigenvalues sorted in non-increasing order, the passive energy is
    ``Σ_i p_i [F(X_i) − F(X_{i−1})]``. Counts may be huge (a permutation-invariant state of N cells has
    eigenvalues of multiplicity up to ~2^N/N): they are handled as floats, and the result is accurate to
    ~1e-16 of the largest energy because ``p_i X_i ≤ 1`` for sorted eigenvalues.
    """
    p = np.asarray(probabilities, dtype=float).ravel()
    c = np.array([float(x) for x in np.ravel(np.asarray(counts, dtype=object))])
    e = np.asarray(energies, dtype=float).ravel()
    m = np.array([float(x) for x in np.ravel(np.asarray(multiplicities, dtype=object))])
    if p.shape != c.shape or e.shape != m.shape:
        raise DimensionMismatchError("eigenvalues/counts or energies/multiplicities differ in length",
                                     argument="counts", allowed="one count per eigenvalue, one multiplicity per level")
    if np.any(c < 0) or np.any(m < 0) or not (np.all(np.isfinite(p)) and np.all(np.isfinite(e))):
        raise InvalidArgumentError("negative counts or non-finite values", argument="counts",
                                   allowed="finite eigenvalues and energies, counts >= 0")
    if c.sum() > m.sum() * (1 + 1e-12):
        raise DimensionMismatchError(f"{c.sum():.6g} eigenvalues for {m.sum():.6g} states", argument="counts",
                                     allowed="no more eigenvalues than states of the Hamiltonian")
    order = np.argsort(-p, kind="stable")
    p, c = p[order], c[order]
    lv = np.argsort(e, kind="stable")
    e, m = e[lv], m[lv]
    xs = np.concatenate([[0.0], np.cumsum(m)])
    fs = np.concatenate([[0.0], np.cumsum(m * e)])
    x = np.concatenate([[0.0], np.cumsum(c)])
    f = np.interp(x, xs, fs)
    return float(np.dot(p, np.diff(f)))


def passive_energy(state, hamiltonian) -> float:
    """Energy ``Tr[H σ_ρ]`` of the passive state of ρ (review Eq. 6)."""
    rho, h = state_and_hamiltonian(state, hamiltonian)
    return _passive_energy(rho, h)


def passive_populations(state, hamiltonian) -> tuple[np.ndarray, np.ndarray]:
    """Energies (ascending, repeated by multiplicity) and the passive state's populations on them.

    Works also when the Hamiltonian is a sector :class:`Spectrum` whose full space is
    larger than the state's space (only the levels that receive population are listed).
    """
    rho, h = state_and_hamiltonian(state, hamiltonian)
    r = _sorted_eigs(rho)
    return h.sorted_levels_for(r.size), r


def passive_state(state, hamiltonian) -> np.ndarray:
    """Passive state ``σ_ρ = Σ_k r↓_k |ε↑_k⟩⟨ε↑_k|`` in the state's basis (review Eqs. 5–6).

    Inside degenerate eigenspaces the choice of basis is arbitrary (the energy is
    unique). For a sector :class:`Spectrum` whose full space is larger than the
    state's space the passive state does not fit in that space: use
    :func:`passive_populations`.
    """
    rho, h = state_and_hamiltonian(state, hamiltonian)
    if h.full_dimension != h.dimension:
        raise DimensionMismatchError(
            f"the passive state lives in the full space of dimension {h.full_dimension}, larger than the "
            f"state's sector ({h.dimension}); use passive_populations()",
            argument="hamiltonian", allowed="a Hamiltonian on the state's own space",
        )
    r = _sorted_eigs(rho)
    _, vecs = h.eigh()
    return (vecs * r) @ vecs.conj().T


def ergotropy(state, hamiltonian) -> float:
    """Ergotropy ``𝓔(ρ) = Tr[H_0 ρ] − min_U Tr[H_0 U ρ U†]`` (review Eq. 4), by sorting (Eq. 6).

    Round-off negatives are clipped to 0.
    """
    rho, h = state_and_hamiltonian(state, hamiltonian)
    return max(0.0, h.expectation(rho) - _passive_energy(rho, h))


def antiergotropy(state, hamiltonian) -> float:
    """Antiergotropy ``A(ρ) = max_U Tr[H_0 U ρ U†] − Tr[H_0 ρ]`` (review Sec. II.A.4)."""
    rho, h = state_and_hamiltonian(state, hamiltonian)
    return max(0.0, _antipassive_energy(rho, h) - h.expectation(rho))


def capacity(state, hamiltonian) -> float:
    """Battery capacity ``C(ρ) = E(antipassive) − E(passive) = 𝓔 + A`` (Yang et al., PRL 131, 030402, 2023).

    Depends only on the spectrum of ρ: invariant under every unitary.
    """
    rho, h = state_and_hamiltonian(state, hamiltonian)
    return max(0.0, _antipassive_energy(rho, h) - _passive_energy(rho, h))


def dephase(state, hamiltonian) -> np.ndarray:
    """Energy-dephased state ``Δ[ρ] = Σ_k P_k ρ P_k`` (``P_k`` the eigenprojectors of H)."""
    rho, h = state_and_hamiltonian(state, hamiltonian)
    if h.matrix is None:
        return np.diag(np.diag(rho))
    evals, vecs = h.eigh()
    scale = max(1.0, float(np.max(np.abs(evals))))
    labels = np.concatenate([[0], np.cumsum(np.diff(evals) > 1e-9 * scale)])
    rho_e = vecs.conj().T @ rho @ vecs
    mask = labels[:, None] == labels[None, :]
    return vecs @ (rho_e * mask) @ vecs.conj().T


def incoherent_ergotropy(state, hamiltonian) -> float:
    """Incoherent ergotropy ``𝓔_i(ρ) = 𝓔(Δ[ρ])`` (Francica et al., PRL 125, 180603, 2020).

    The work extractable from the energy populations alone; ``Δ[ρ]`` has the same energy
    and is majorised by the spectrum of ρ, so ``𝓔_i ≤ 𝓔``: a population measurement gives a
    certified lower bound on the ergotropy.
    """
    rho, h = state_and_hamiltonian(state, hamiltonian)
    return ergotropy(dephase(rho, h), h)


def coherent_ergotropy(state, hamiltonian) -> float:
    """Coherent ergotropy ``𝓔_c = 𝓔 − 𝓔_i ≥ 0`` (Francica et al. 2020)."""
    rho, h = state_and_hamiltonian(state, hamiltonian)
    return max(0.0, ergotropy(rho, h) - incoherent_ergotropy(rho, h))


# ---- multipartite -------------------------------------------------------------------

def _check_dims(dims: Sequence[int], total: int) -> list[int]:
    dims = [int(d) for d in dims]
    if any(d < 1 for d in dims) or int(np.prod(dims)) != total:
        raise DimensionMismatchError(
            f"subsystem dimensions {dims} multiply to {int(np.prod(dims))}, not the state's dimension {total}",
            argument="dims", allowed="positive integers whose product is the state's dimension",
        )
    return dims


def partial_trace(state, keep: Sequence[int], dims: Sequence[int]) -> np.ndarray:
    """Reduced density matrix of the subsystems ``keep``.

    Qiskit little-endian order: subsystem 0 is the *least significant* tensor factor
    (``dims[0]`` is the rightmost factor of the Kronecker product). The result is
    ordered the same way (the lowest kept index is least significant).
    """
    rho = as_density_matrix(state)
    dims = _check_dims(dims, rho.shape[0])
    n = len(dims)
    keep = sorted(int(k) for k in keep)
    if any(k < 0 or k >= n for k in keep) or len(set(keep)) != len(keep):
        raise InvalidArgumentError(f"got {keep}", argument="keep", allowed=f"distinct indices in 0..{n - 1}")
    # numpy axis a corresponds to subsystem n-1-a (big-endian axes)
    tensor = rho.reshape(dims[::-1] * 2)
    trace_axes = [n - 1 - k for k in range(n) if k not in keep]
    letters = "abcdefghijklmnopqrstuvwxyz"
    if 2 * n > len(letters) * 2:
        raise InvalidArgumentError("too many subsystems", argument="dims", allowed="at most 26 subsystems")
    row = list(letters[:n])
    col = [c.upper() for c in row]
    for a in trace_axes:
        col[a] = row[a]
    kept_axes = [a for a in range(n) if a not in trace_axes]
    out = "".join(row[a] for a in kept_axes) + "".join(col[a] for a in kept_axes)
    red = np.einsum("".join(row) + "".join(col) + "->" + out, tensor)
    d = int(np.prod([dims[n - 1 - a] for a in kept_axes])) if kept_axes else 1
    return red.reshape(d, d)


def embed_local(operator, site: int, dims: Sequence[int]) -> np.ndarray:
    """``1 ⊗ … ⊗ h ⊗ … ⊗ 1`` with ``h`` on ``site`` (little-endian: site 0 is the rightmost factor)."""
    op = np.asarray(operator, dtype=complex)
    dims = [int(d) for d in dims]
    if op.shape != (dims[site], dims[site]):
        raise DimensionMismatchError(f"operator has shape {op.shape} but site {site} has dimension {dims[site]}",
                                     argument="operator", allowed=f"shape ({dims[site]}, {dims[site]})")
    left = int(np.prod(dims[site + 1:]))
    right = int(np.prod(dims[:site]))
    return np.kron(np.kron(np.eye(left), op), np.eye(right))


def _local_terms(local_hamiltonians, dims):
    hs = [as_hamiltonian(h, argument=f"local_hamiltonians[{i}]") for i, h in enumerate(local_hamiltonians)]
    if dims is None:
        dims = [h.dimension for h in hs]
    if len(dims) != len(hs):
        raise DimensionMismatchError(f"{len(hs)} local Hamiltonians for {len(dims)} subsystems",
                                     argument="local_hamiltonians", allowed="one Hamiltonian per subsystem")
    for i, (h, d) in enumerate(zip(hs, dims)):
        if h.dimension != d:
            raise DimensionMismatchError(f"acts on dimension {h.dimension}, subsystem {i} has {d}",
                                         argument=f"local_hamiltonians[{i}]", allowed=f"dimension {d}")
    return hs, list(dims)


def local_ergotropy(state, local_hamiltonians: Sequence, dims: Sequence[int] | None = None) -> float:
    """Work extractable by *local* unitaries: ``Σ_i 𝓔(ρ_i, h_i)`` with ``ρ_i`` the reduced state of cell i.

    ``local_hamiltonians[i]`` acts on subsystem ``i`` (qiskit little-endian order).
    """
    rho = as_density_matrix(state)
    hs, dims = _local_terms(local_hamiltonians, dims)
    _check_dims(dims, rho.shape[0])
    return float(sum(ergotropy(partial_trace(rho, [i], dims), h) for i, h in enumerate(hs)))


def global_ergotropy(state, local_hamiltonians: Sequence, dims: Sequence[int] | None = None) -> float:
    """Ergotropy under *global* unitaries for ``H = Σ_i h_i`` (review Eq. 8); ``≥`` :func:`local_ergotropy`."""
    rho = as_density_matrix(state)
    hs, dims = _local_terms(local_hamiltonians, dims)
    _check_dims(dims, rho.shape[0])
    h_total = sum(embed_local(h.matrix if h.matrix is not None else np.diag(h.diagonal), i, dims)
                  for i, h in enumerate(hs))
    return ergotropy(rho, h_total)
