"""Energy-variance split, two-point-measurement work statistics and switching work.

* :func:`variance_split` — ``ΔE_B² = ΔE_B²|_loc + ΔE_B²|_ent`` for ``H_B = Σ_i h_i`` (review
  Eqs. 22–23, Julià-Farré et al. 2020).
* :func:`tpm_work_statistics` — work distribution of the two-point measurement scheme for a
  unitary ``U`` (review Eq. 46, seed-spec errata E15): ``p_{m→n} = Tr[Π_n U Π_m ρ_0 Π_m U†]``,
  ``W_{m→n} = ε_n − ε_m``, with eigen*projectors* ``Π_m`` so that degenerate levels are handled
  (the first measurement keeps coherences inside a degenerate eigenspace).
* :func:`switching_work` — ``W_sw = Tr[H_1 ρ(0)] − Tr[H_1 ρ(τ)]`` for a coupling ``H_1``
  switched on at 0 and off at τ (review Sec. III.A.2; seed-spec §1.8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..errors import DimensionMismatchError, InvalidArgumentError
from ._inputs import _to_numpy, as_density_matrix, as_hamiltonian, state_and_hamiltonian
from .bounds import _eigenspaces, _matrix
from .ergotropy import _check_dims, _local_terms, embed_local, partial_trace

__all__ = [
    "VarianceSplit",
    "variance_split",
    "WorkStatistics",
    "tpm_work_statistics",
    "switching_work",
]

#: tolerance of the unitarity check |U†U − 1| (absolute)
UNITARY_ATOL = 1e-8


class VarianceSplit(NamedTuple):
    """``total = ΔE_B²``, ``local = Σ_i Var(h_i)`` (Eq. 22), ``entanglement = Σ_{i≠j} Cov(h_i, h_j)`` (Eq. 23)."""

    total: float
    local: float
    entanglement: float


def variance_split(state, local_hamiltonians: Sequence, dims: Sequence[int] | None = None) -> VarianceSplit:
    """Split of the battery-energy variance into local and correlation parts (review Eqs. 22–23).

    ``local_hamiltonians[i]`` acts on subsystem ``i`` (qiskit little-endian order: subsystem 0
    is the rightmost Kronecker factor); ``dims`` defaults to their dimensions. The three parts
    are computed independently — ``total`` from ``H_B = Σ_i h_i`` on the full space, ``local``
    from the one-site reduced states, ``entanglement`` from the two-site reduced states — so
    ``total = local + entanglement`` is a check, not a definition. ``entanglement`` is 0 for
    product states and can grow faster than N only with inter-cell correlations.
    """
    rho = as_density_matrix(state)
    hs, dims = _local_terms(local_hamiltonians, dims)
    dims = _check_dims(dims, rho.shape[0])
    mats = [_matrix(h) for h in hs]
    n = len(mats)
    means, local = [], 0.0
    for i, h in enumerate(mats):
        r = partial_trace(rho, [i], dims)
        m = float(np.real(np.trace(h @ r)))
        local += max(0.0, float(np.real(np.trace(h @ h @ r))) - m * m)
        means.append(m)
    ent = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r = partial_trace(rho, [i, j], dims)  # factor order kron(site j, site i)
            ent += 2.0 * (float(np.real(np.trace(np.kron(mats[j], mats[i]) @ r))) - means[i] * means[j])
    h_total = sum(embed_local(h, i, dims) for i, h in enumerate(mats))
    hr = h_total @ rho
    mean = float(np.real(np.trace(hr)))
    total = max(0.0, float(np.real(np.einsum("ij,ji->", h_total, hr))) - mean * mean)
    return VarianceSplit(total, local, ent)


@dataclass(frozen=True)
class WorkStatistics:
    """Two-point-measurement work statistics (review Eq. 46).

    ``values``: every distinct work value ``W = ε'_n − ε_m`` (ascending, including values of
    probability 0, so the support does not depend on round-off) with ``probabilities``;
    ``mean`` = ``Σ p W``; ``variance`` = ``ΔW² = Σ p (W − mean)²``; ``initial_levels`` /
    ``final_levels``: distinct energies before / after; ``transitions[n, m] = p_{m→n}``.
    """

    values: np.ndarray
    probabilities: np.ndarray
    mean: float
    variance: float
    initial_levels: np.ndarray
    final_levels: np.ndarray
    transitions: np.ndarray

    @property
    def std(self) -> float:
        return float(np.sqrt(self.variance))


def _check_unitary(unitary, dim: int) -> np.ndarray:
    u = _to_numpy(unitary, "unitary")
    if u.shape != (dim, dim):
        raise DimensionMismatchError(f"has shape {u.shape} but the state has dimension {dim}", argument="unitary",
                                     allowed=f"shape ({dim}, {dim})")
    dev = float(np.max(np.abs(u.conj().T @ u - np.eye(dim))))
    if dev > UNITARY_ATOL:
        raise InvalidArgumentError(f"is not unitary (max |U^dagger U - 1| = {dev:.3g})", argument="unitary",
                                   allowed=f"|U^dagger U - 1| <= {UNITARY_ATOL:g}")
    return u


def tpm_work_statistics(initial_state, unitary, hamiltonian, *, final_hamiltonian=None) -> WorkStatistics:
    """Work distribution of the two-point measurement scheme (review Eq. 46, errata E15).

    ``p_{m→n} = Tr[Π_n U Π_m ρ_0 Π_m U†]``, ``W_{m→n} = ε'_n − ε_m``, with ``Π_m`` the
    eigenprojectors of ``hamiltonian`` (measured first, on ``ρ_0``) and ``Π_n`` those of
    ``final_hamiltonian`` (measured after ``U``; defaults to ``hamiltonian``). Degenerate levels
    are whole projectors, not single eigenvectors. The mean equals
    ``Tr[H' U ρ̄ U†] − Tr[H ρ̄]`` with ``ρ̄ = Σ_m Π_m ρ_0 Π_m``, hence ``Tr[H(Uρ_0U† − ρ_0)]``
    when ``[ρ_0, H] = 0``. Work values closer than ``1e-9·max(1, max|W|)`` are merged.
    """
    rho, h_i = state_and_hamiltonian(initial_state, hamiltonian)
    d = rho.shape[0]
    u = _check_unitary(unitary, d)
    h_f = h_i if final_hamiltonian is None else as_hamiltonian(final_hamiltonian, "final_hamiltonian", dim=d)
    spaces_i = _eigenspaces(h_i)
    spaces_f = _eigenspaces(h_f)
    levels_i = np.array([e for e, _ in spaces_i])
    levels_f = np.array([e for e, _ in spaces_f])
    trans = np.empty((len(spaces_f), len(spaces_i)))
    for m, (_, vm) in enumerate(spaces_i):
        block = vm.conj().T @ rho @ vm  # Π_m ρ_0 Π_m in the eigenspace's basis
        um = u @ vm
        for n, (_, vn) in enumerate(spaces_f):
            c = vn.conj().T @ um
            trans[n, m] = float(np.real(np.trace(c @ block @ c.conj().T)))
    trans = np.clip(trans, 0.0, None)
    work = levels_f[:, None] - levels_i[None, :]
    w_flat, p_flat = work.ravel(), trans.ravel()
    mean = float(np.dot(p_flat, w_flat))
    variance = float(np.dot(p_flat, (w_flat - mean) ** 2))
    order = np.argsort(w_flat, kind="stable")
    w_sorted, p_sorted = w_flat[order], p_flat[order]
    tol = 1e-9 * max(1.0, float(np.max(np.abs(w_sorted))))
    breaks = np.flatnonzero(np.diff(w_sorted) > tol) + 1
    values = np.array([g.mean() for g in np.split(w_sorted, breaks)])
    probs = np.array([g.sum() for g in np.split(p_sorted, breaks)])
    return WorkStatistics(values, probs, mean, variance, levels_i, levels_f, trans)


def switching_work(rho0, rho_tau, h1) -> float:
    """Work of switching a coupling ``H_1`` on at 0 and off at τ: ``Tr[H_1 ρ(0)] − Tr[H_1 ρ(τ)]``.

    Review Sec. III.A.2 (seed-spec §1.8): with ``H(t) = H_0 + λ(t)H_1`` and λ a unit step on
    ``[0, τ]``, ``E(t) = Tr[H(t)ρ(t)]`` changes only at the switches, so the work supplied by the
    control is ``W_sw = Tr[H_0(ρ(τ) − ρ(0))]`` = the expression above. ``W_sw = 0`` when
    ``[H_0, H_1] = 0``.
    """
    r0 = as_density_matrix(rho0, "rho0")
    rt = as_density_matrix(rho_tau, "rho_tau")
    if rt.shape != r0.shape:
        raise DimensionMismatchError(f"has dimension {rt.shape[0]} but rho0 has {r0.shape[0]}", argument="rho_tau",
                                     allowed=f"dimension {r0.shape[0]}")
    h = as_hamiltonian(h1, "h1", dim=r0.shape[0])
    return h.expectation(r0) - h.expectation(rt)
