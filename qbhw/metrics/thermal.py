"""Gibbs states, the entropy-matched thermal bound (Eq. 7) and N-copy ergotropy (Eqs. 8–9).

* ``thermal_bound``: ``𝓔(ρ) ≤ Tr[H_0 ρ] − Tr[H_0 G_β̄]`` with ``S(G_β̄) = S(ρ)``
  (Alicki–Fannes 2013; review Eq. 7). ``S(G_β)`` decreases strictly from ``ln D`` at
  β = 0 to ``ln g_0`` (``g_0`` the ground degeneracy) as β → ∞; β̄ is found by Brent's
  method on a bracket in β ≥ 0. When ``S(ρ) ≤ ln g_0`` no finite β̄ exists: β̄ = ∞ and the
  bound is ``E − E_min``.
* ``n_copy_ergotropy``: ergotropy per copy of ``ρ^{⊗n}`` for ``H^{(n)} = Σ_i H_i``
  (Eq. 9), computed without ``d^n × d^n`` matrices: the eigenvalues of ``ρ^{⊗n}`` and the
  energies of ``H^{(n)}`` are grouped by multiset (a multiset ``k`` of single-copy
  indices has ``n!/Π k_i!`` members), and the two run-length-encoded sorted lists are
  paired by a merge — ``O(C(n+d−1, d−1) log)`` work instead of ``O(d^n log d^n)``.
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

from ._inputs import HamiltonianData, as_hamiltonian, check_positive_int, state_and_hamiltonian, state_eigenvalues

__all__ = [
    "gibbs_state",
    "gibbs_populations",
    "von_neumann_entropy",
    "ThermalBound",
    "thermal_bound",
    "n_copy_ergotropy",
]


def von_neumann_entropy(state) -> float:
    """``S(ρ) = −Tr ρ ln ρ`` (natural log)."""
    from ._inputs import as_density_matrix

    lam = state_eigenvalues(as_density_matrix(state))
    lam = lam[lam > 0]
    return float(-np.sum(lam * np.log(lam)))


def _log_multiplicities(mult) -> np.ndarray:
    """ln of each multiplicity (exact for Python ints beyond the float range)."""
    return np.array([math.log(int(x)) for x in mult])


def _gibbs_level_weights(levels: np.ndarray, mult: np.ndarray, beta: float) -> np.ndarray:
    """Probability of each *level* (summed over its multiplicity) in G_β, computed in logs."""
    log_m = _log_multiplicities(mult)
    if np.isinf(beta):
        x = np.where(levels == levels[0], log_m, -np.inf)
    else:
        x = log_m - beta * (levels - levels[0])
    w = np.exp(x - np.max(x))
    return w / w.sum()


def _gibbs_entropy(levels, mult, beta) -> float:
    p = _gibbs_level_weights(levels, mult, beta)
    log_m = _log_multiplicities(mult)
    nz = p > 0
    # each of the m_k states of level k has probability p_k / m_k
    return float(-np.sum(p[nz] * (np.log(p[nz]) - log_m[nz])))


def gibbs_populations(hamiltonian, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Distinct energies and the total Gibbs probability of each (``β`` may be ``inf``; ``β < 0`` allowed)."""
    h = as_hamiltonian(hamiltonian)
    if beta < 0:
        lv = -h.levels[::-1]
        w = _gibbs_level_weights(lv, h.multiplicities[::-1], -beta)[::-1]
        return h.levels.copy(), w
    return h.levels.copy(), _gibbs_level_weights(h.levels, h.multiplicities, beta)


def gibbs_state(hamiltonian, beta: float) -> np.ndarray:
    """Gibbs state ``G_β[H] = e^{−βH}/Z`` as a matrix (β may be negative: population inversion)."""
    h = as_hamiltonian(hamiltonian)
    evals, vecs = h.eigh()
    x = -beta * (evals - (evals.min() if beta >= 0 else evals.max()))
    w = np.exp(x)
    w /= w.sum()
    return (vecs * w) @ vecs.conj().T


class ThermalBound(NamedTuple):
    """Result of :func:`thermal_bound`: the bound on ergotropy and the entropy-matched β̄."""

    bound: float
    beta: float


def thermal_bound(state, hamiltonian) -> ThermalBound:
    """Entropy-matched Gibbs bound on ergotropy (review Eq. 7).

    Returns ``ThermalBound(bound, beta)`` with ``bound = Tr[H_0 ρ] − Tr[H_0 G_β̄]`` and
    ``S(G_β̄) = S(ρ)``, ``β̄ ≥ 0``. ``β̄ = ∞`` (bound ``E − E_min``) when ``S(ρ)`` is at or
    below ``ln`` of the ground degeneracy; ``β̄ = 0`` for the maximally mixed entropy.
    The Hamiltonian may be a sector :class:`~qbhw.metrics.Spectrum`: the Gibbs state is
    then taken over the full space with the level multiplicities.
    """
    rho, h = state_and_hamiltonian(state, hamiltonian)
    return _thermal_bound(rho, h)


def _thermal_bound(rho: np.ndarray, h: HamiltonianData) -> ThermalBound:
    e = h.expectation(rho)
    lam = state_eigenvalues(rho)
    lam = lam[lam > 1e-300]
    s = float(-np.sum(lam * np.log(lam)))
    levels, mult = h.levels, h.multiplicities
    s_max = math.log(h.full_dimension)
    s_min = math.log(int(mult[0]))
    tol = 1e-13
    if s <= s_min + tol:
        return ThermalBound(max(0.0, e - h.e_min), math.inf)
    if s >= s_max - tol:
        p = _gibbs_level_weights(levels, mult, 0.0)
        return ThermalBound(max(0.0, e - float(np.dot(p, levels))), 0.0)
    width = max(float(levels[-1] - levels[0]), 1e-300)
    f = lambda b: _gibbs_entropy(levels, mult, b / width) - s  # noqa: E731 (β in units of 1/bandwidth)
    hi = 1.0
    while f(hi) > 0:
        hi *= 2.0
        if hi > 1e6:
            return ThermalBound(max(0.0, e - h.e_min), math.inf)
    x = brentq(f, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    beta = x / width
    p = _gibbs_level_weights(levels, mult, beta)
    return ThermalBound(max(0.0, e - float(np.dot(p, levels))), float(beta))


# ---- N-copy ergotropy ---------------------------------------------------------------

def _multiset_groups(values: np.ndarray, weights: list[int], n: int, combine: str):
    """Run-length encoding of the n-fold combination of ``values`` (with per-value multiplicities).

    Returns (combined values, multiplicities as floats) where a multiset with counts
    ``k_i`` has multiplicity ``n!/Π k_i! · Π weights_i^{k_i}`` and value
    ``Π values_i^{k_i}`` (``combine="prod"``) or ``Σ k_i values_i`` (``combine="sum"``).
    """
    L = len(values)
    out_v, out_m = [], []
    fact_n = math.factorial(n)
    for combo in itertools.combinations_with_replacement(range(L), n):
        counts = np.bincount(combo, minlength=L)
        mult = fact_n
        for i, k in enumerate(counts):
            if k:
                mult = mult // math.factorial(int(k)) * (int(weights[i]) ** int(k))
        if combine == "prod":
            v = float(np.prod([values[i] ** int(k) for i, k in enumerate(counts) if k]))
        else:
            v = float(sum(values[i] * int(k) for i, k in enumerate(counts)))
        out_v.append(v)
        out_m.append(mult)
    return np.array(out_v), out_m


def n_copy_ergotropy(state, hamiltonian, n: int) -> float:
    """Ergotropy per copy of ``ρ^{⊗n}`` for ``H^{(n)} = Σ_i H_i`` (review Eq. 9).

    ``ε(n) = (1/n){Tr[H^{(n)} ρ^{⊗n}] − Tr[H^{(n)} σ_{ρ^{⊗n}}]}``. Exact (no ``d^n``
    matrices; see the module docstring). ``ε(n) → `` the :func:`thermal_bound` as
    ``n → ∞``; ``ε(n) = 0`` for every ``n`` iff ρ is a Gibbs state with ``β ≥ 0``.
    """
    n = check_positive_int(n, "n")
    rho, h = state_and_hamiltonian(state, hamiltonian)
    e1 = h.expectation(rho)
    lam = np.sort(state_eigenvalues(rho))[::-1]
    # distinct eigenvalues of rho with multiplicities, padded with zeros up to the full space
    distinct, counts = [], []
    for x in lam:
        if distinct and abs(x - distinct[-1]) <= 1e-15:
            counts[-1] += 1
        else:
            distinct.append(float(x))
            counts.append(1)
    pad = h.full_dimension - lam.size
    if pad > 0:
        if distinct and distinct[-1] == 0.0:
            counts[-1] += pad
        else:
            distinct.append(0.0)
            counts.append(pad)
    r_vals, r_mult = _multiset_groups(np.array(distinct), counts, n, "prod")
    e_vals, e_mult = _multiset_groups(h.levels, list(h.multiplicities), n, "sum")
    r_order = np.argsort(-r_vals, kind="stable")
    e_order = np.argsort(e_vals, kind="stable")
    # merge the two run-length encoded lists (both total D^n states)
    passive = 0.0
    i = j = 0
    rem_r = r_mult[r_order[0]]
    rem_e = e_mult[e_order[0]]
    while i < len(r_order) and j < len(e_order):
        take = min(rem_r, rem_e)
        rv = r_vals[r_order[i]]
        if rv == 0.0:
            break
        passive += float(take) * rv * e_vals[e_order[j]]
        rem_r -= take
        rem_e -= take
        if rem_r == 0:
            i += 1
            if i < len(r_order):
                rem_r = r_mult[r_order[i]]
        if rem_e == 0:
            j += 1
            if j < len(e_order):
                rem_e = e_mult[e_order[j]]
    return float(max(0.0, e1 - passive / n))
