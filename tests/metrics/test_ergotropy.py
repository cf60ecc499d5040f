"""Ergotropy, passive states, antiergotropy, capacity (review Eqs. 4–6) against independent routes.

Independent routes used here: the qubit closed form 𝓔 = ω_0(r_z + |r|)/2 (RR-01), brute-force
minimisation over all permutation unitaries in the energy eigenbasis (for small d the minimum of
Tr[H UρU†] over unitaries is reached by one of them after diagonalising ρ), and explicit
constructions of the passive state.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.special import comb
from scipy.stats import unitary_group

from qbhw.metrics import (
    Spectrum,
    antiergotropy,
    bandwidth,
    capacity,
    coherent_ergotropy,
    energy,
    energy_variance,
    ergotropy,
    global_ergotropy,
    incoherent_ergotropy,
    local_ergotropy,
    partial_trace,
    passive_populations,
    passive_state,
)

SX = np.array([[0, 1], [1, 0]], dtype=complex)
SY = np.array([[0, -1j], [1j, 0]], dtype=complex)
# review convention: sigma^z |e> = +|e>, |g> = |0>, so sigma^z_review = -Z_qiskit
SZ_REVIEW = np.diag([-1.0, 1.0]).astype(complex)


def qubit_state(r, theta, phi):
    rv = r * np.array([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)])
    # Bloch vector components along the review's (sigma^x, sigma^y, sigma^z)
    return 0.5 * (np.eye(2) + rv[0] * SX + rv[1] * SY + rv[2] * SZ_REVIEW), rv


def random_density_matrix(d, rng, rank=None):
    rank = d if rank is None else rank
    g = rng.normal(size=(d, rank)) + 1j * rng.normal(size=(d, rank))
    rho = g @ g.conj().T
    return rho / np.trace(rho)


def brute_force_passive_energy(rho, h):
    """min over permutations of Tr[H σ] with σ = Σ r_{π(k)} |ε_k⟩⟨ε_k| (independent of the sorting code)."""
    r = np.linalg.eigvalsh(rho)
    eps = np.linalg.eigvalsh(h)
    return min(float(np.dot(r[list(p)], eps)) for p in itertools.permutations(range(len(r))))


def brute_force_max_energy(rho, h):
    r = np.linalg.eigvalsh(rho)
    eps = np.linalg.eigvalsh(h)
    return max(float(np.dot(r[list(p)], eps)) for p in itertools.permutations(range(len(r))))


# ---- RR-01 -------------------------------------------------------------------------------

def test_rr01_qubit_closed_form_reference_value():
    """RR-01: r = 0.8, θ = 0.7, φ = 0.3 ⇒ 𝓔 = 0.705937 ω_0 (tol 1e-12 against the closed form, 1e-6 against the quoted number)."""
    omega0 = 1.0
    h0 = 0.5 * omega0 * (SZ_REVIEW + np.eye(2))
    rho, rv = qubit_state(0.8, 0.7, 0.3)
    closed = omega0 * (rv[2] + np.linalg.norm(rv)) / 2
    assert abs(ergotropy(rho, h0) - closed) < 1e-12
    assert abs(ergotropy(rho, h0) - 0.705937) < 1e-6


@pytest.mark.parametrize("seed", range(20))
def test_rr01_qubit_closed_form_random(seed):
    rng = np.random.default_rng(seed)
    omega0 = rng.uniform(0.1, 5)
    h0 = 0.5 * omega0 * (SZ_REVIEW + np.eye(2))
    rho, rv = qubit_state(rng.uniform(0, 1), rng.uniform(0, np.pi), rng.uniform(0, 2 * np.pi))
    assert abs(energy(rho, h0) - omega0 * (1 + rv[2]) / 2) < 1e-12
    assert abs(ergotropy(rho, h0) - omega0 * (rv[2] + np.linalg.norm(rv)) / 2) < 1e-12


def test_qubit_edge_cases():
    h0 = np.diag([0.0, 1.0])
    assert ergotropy(np.array([0, 1.0]), h0) == pytest.approx(1.0, abs=1e-14)  # |e>
    assert ergotropy(np.array([1.0, 0]), h0) == pytest.approx(0.0, abs=1e-14)  # |g>
    assert ergotropy(np.eye(2) / 2, h0) == pytest.approx(0.0, abs=1e-14)


# ---- sorting algorithm vs brute force ------------------------------------------------------

@pytest.mark.parametrize("d,seed", [(3, 0), (3, 1), (4, 2), (4, 3), (5, 4)])
def test_ergotropy_matches_permutation_brute_force(d, seed):
    rng = np.random.default_rng(seed)
    rho = random_density_matrix(d, rng)
    h = random_density_matrix(d, rng) * d * 3  # any Hermitian matrix
    h = 0.5 * (h + h.conj().T)
    e = float(np.real(np.trace(h @ rho)))
    assert abs(ergotropy(rho, h) - (e - brute_force_passive_energy(rho, h))) < 1e-10
    assert abs(antiergotropy(rho, h) - (brute_force_max_energy(rho, h) - e)) < 1e-10
    assert abs(capacity(rho, h) - (ergotropy(rho, h) + antiergotropy(rho, h))) < 1e-10


def test_degenerate_spectrum_exact():
    """Degenerate H_0: the passive energy is unique even though the passive state is not (tol 1e-12)."""
    h = np.diag([0.0, 1.0, 1.0, 2.0])
    rho = np.diag([0.1, 0.2, 0.3, 0.4])
    # sorted: 0.4 -> 0, 0.3 -> 1, 0.2 -> 1, 0.1 -> 2
    passive_e = 0.4 * 0 + 0.3 + 0.2 + 0.1 * 2
    assert abs(ergotropy(rho, h) - (energy(rho, h) - passive_e)) < 1e-12
    sigma = passive_state(rho, h)
    assert abs(energy(sigma, h) - passive_e) < 1e-12
    assert abs(ergotropy(sigma, h)) < 1e-12


def test_passive_state_structure():
    rng = np.random.default_rng(7)
    rho = random_density_matrix(4, rng)
    h = np.diag([0.0, 0.5, 1.3, 2.0])
    sigma = passive_state(rho, h)
    # diagonal in the energy eigenbasis with non-increasing populations, same spectrum as rho
    assert np.allclose(sigma, np.diag(np.diag(sigma)), atol=1e-12)
    pops = np.real(np.diag(sigma))
    assert np.all(np.diff(pops) <= 1e-12)
    assert np.allclose(np.sort(pops), np.sort(np.linalg.eigvalsh(rho)), atol=1e-12)


def test_mixed_state_with_coherences_uses_eigenvalues():
    """|+⟩ has zero population inversion but ergotropy ω/2 from coherence: the eigenvalues, not diag(ρ), matter."""
    plus = np.array([1, 1]) / np.sqrt(2)
    h0 = np.diag([0.0, 1.0])
    assert abs(ergotropy(plus, h0) - 0.5) < 1e-12
    assert abs(incoherent_ergotropy(plus, h0)) < 1e-12
    assert abs(coherent_ergotropy(plus, h0) - 0.5) < 1e-12


@pytest.mark.parametrize("seed", range(5))
def test_incoherent_ergotropy_is_a_lower_bound(seed):
    rng = np.random.default_rng(seed)
    rho = random_density_matrix(5, rng)
    h = np.diag(np.sort(rng.uniform(0, 3, 5)))
    ei = incoherent_ergotropy(rho, h)
    e = ergotropy(rho, h)
    assert -1e-12 <= ei <= e + 1e-12
    assert abs(ei + coherent_ergotropy(rho, h) - e) < 1e-12
    # the incoherent ergotropy is the ergotropy of diag(rho) in the energy basis
    assert abs(ei - ergotropy(np.diag(np.diag(rho)), h)) < 1e-12


def test_incoherent_ergotropy_degenerate_dephasing_keeps_block_coherence():
    """Dephasing is Σ_k P_k ρ P_k: coherences *inside* a degenerate level survive."""
    h = np.diag([0.0, 1.0, 1.0])
    psi = np.array([0.0, 1.0, 1.0]) / np.sqrt(2)  # coherent inside the degenerate level: pure state
    assert abs(incoherent_ergotropy(psi, h) - 1.0) < 1e-12


# ---- symmetry sectors: Spectrum with multiplicities ---------------------------------------

def dicke_state(n, k):
    """Symmetric Dicke state with k excitations in the full 2^n space (little-endian)."""
    psi = np.zeros(2**n)
    for idx in range(2**n):
        if bin(idx).count("1") == k:
            psi[idx] = 1.0
    return psi / np.linalg.norm(psi)


def full_battery_h(n, omega0=1.0):
    # H_B = omega0 * number of excited cells (diagonal in the computational basis)
    return np.diag([omega0 * bin(i).count("1") for i in range(2**n)])


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_sector_spectrum_matches_full_space(n):
    """A random state of the symmetric subspace: ergotropy over the full 2^N space from the (N+1)-dim
    sector with multiplicities C(N,k) equals the brute-force full-space value (tol 1e-10)."""
    rng = np.random.default_rng(n)
    rho_sym = random_density_matrix(n + 1, rng, rank=2)
    basis = np.array([dicke_state(n, k) for k in range(n + 1)]).T  # 2^n x (n+1)
    rho_full = basis @ rho_sym @ basis.conj().T
    spec = Spectrum(np.arange(n + 1, dtype=float), [comb(n, k, exact=True) for k in range(n + 1)])
    h_full = full_battery_h(n)
    assert abs(energy(rho_sym, spec) - energy(rho_full, h_full)) < 1e-12
    assert abs(ergotropy(rho_sym, spec) - ergotropy(rho_full, h_full)) < 1e-10
    assert abs(antiergotropy(rho_sym, spec) - antiergotropy(rho_full, h_full)) < 1e-10
    # restricting unitaries to the symmetric subspace can only lower the ergotropy
    assert ergotropy(rho_sym, np.diag(np.arange(n + 1.0))) <= ergotropy(rho_sym, spec) + 1e-12
    levels, pops = passive_populations(rho_sym, spec)
    assert abs(np.dot(levels, pops) - (energy(rho_sym, spec) - ergotropy(rho_sym, spec))) < 1e-12


def test_sector_spectrum_strictly_larger_for_mixed_symmetric_state():
    """Mixed symmetric state of 2 qubits: ½(|W⟩⟨W| + |EE⟩⟨EE|). Full space: populations ½,½ go to the two
    levels 0 and 1 (one each) → passive energy ½; symmetric only: levels 0 and 1 → also ½ but the
    sector's level 1 has one state, so check against the hand count (tol 1e-12)."""
    rho_sym = np.diag([0.0, 0.5, 0.5])  # |GG>, |W>, |EE>
    spec = Spectrum([0.0, 1.0, 2.0], [1, 2, 1])
    e = 0.5 * 1 + 0.5 * 2
    assert abs(ergotropy(rho_sym, spec) - (e - (0.5 * 0 + 0.5 * 1))) < 1e-12
    assert abs(ergotropy(rho_sym, np.diag([0.0, 1.0, 2.0])) - (e - 0.5)) < 1e-12
    # three equal populations: full space can place them on 0,1,1; symmetric on 0,1,2
    rho3 = np.eye(3) / 3
    assert abs(ergotropy(rho3, spec) - (1.0 - 2 / 3)) < 1e-12
    assert abs(ergotropy(rho3, np.diag([0.0, 1.0, 2.0]))) < 1e-12


def test_huge_multiplicities_do_not_overflow():
    n = 36
    spec = Spectrum(np.arange(n + 1, dtype=float), [math.comb(n, k) for k in range(n + 1)])
    psi = np.zeros(n + 1)
    psi[n // 2] = 1.0
    assert abs(ergotropy(psi, spec) - n / 2) < 1e-9  # pure state: all the energy is extractable


# ---- multipartite ---------------------------------------------------------------------------

def test_partial_trace_little_endian():
    """Cell 0 is the least significant (rightmost) factor: ρ = ρ_1 ⊗ ρ_0."""
    rng = np.random.default_rng(3)
    r0 = random_density_matrix(2, rng)
    r1 = random_density_matrix(3, rng)
    rho = np.kron(r1, r0)
    assert np.allclose(partial_trace(rho, [0], [2, 3]), r0, atol=1e-13)
    assert np.allclose(partial_trace(rho, [1], [2, 3]), r1, atol=1e-13)
    assert np.allclose(partial_trace(rho, [0, 1], [2, 3]), rho, atol=1e-13)


def test_local_vs_global_ergotropy_bell_state():
    """Bell state: reduced states are maximally mixed (local ergotropy 0) but the global ergotropy is the
    full energy ω (pure state) (tol 1e-12)."""
    h = np.diag([0.0, 1.0])
    bell = np.array([1, 0, 0, 1]) / np.sqrt(2)
    assert abs(local_ergotropy(bell, [h, h])) < 1e-12
    assert abs(global_ergotropy(bell, [h, h]) - 1.0) < 1e-12


@pytest.mark.parametrize("seed", range(5))
def test_global_at_least_local(seed):
    rng = np.random.default_rng(seed)
    rho = random_density_matrix(8, rng)
    hs = [np.diag([0.0, rng.uniform(0.5, 2)]) for _ in range(3)]
    assert global_ergotropy(rho, hs) >= local_ergotropy(rho, hs) - 1e-12


# ---- energy, variance, bandwidth ------------------------------------------------------------

def test_energy_variance_and_bandwidth():
    h = np.diag([0.0, 1.0, 3.0])
    psi = np.array([1, 1, 1]) / np.sqrt(3)
    assert abs(energy(psi, h) - 4 / 3) < 1e-12
    assert abs(energy_variance(psi, h) - (10 / 3 - 16 / 9)) < 1e-12
    assert bandwidth(h) == pytest.approx(3.0, abs=1e-12)
    assert bandwidth(Spectrum([2.0, -1.0, 0.5])) == pytest.approx(3.0, abs=1e-12)


def test_eigendecomposition_input_equals_matrix_input():
    rng = np.random.default_rng(11)
    u = unitary_group.rvs(3, random_state=rng)
    evals = np.array([0.0, 0.7, 2.0])
    h = (u * evals) @ u.conj().T
    rho = random_density_matrix(3, rng)
    assert abs(ergotropy(rho, (evals, u)) - ergotropy(rho, h)) < 1e-12
    assert abs(energy(rho, (evals, u)) - energy(rho, h)) < 1e-12
