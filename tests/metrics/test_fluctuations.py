"""Variance split (Eqs. 22–23), TPM work statistics (Eq. 46) and switching work (seed-spec §1.8, RR-09, RR-10).

Independent routes: the full-space variance of H_B = Σ h_i built here with np.kron (little-endian),
closed forms for GHZ and for a π pulse on a thermal qubit, operator moments
⟨U†HU − H⟩ and ⟨(U†HU − H)²⟩ in the dephased initial state, and energy conservation of H_0 + H_1.
Tolerances are stated in each assertion.
"""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import pytest
from scipy.stats import unitary_group

from qbhw.errors import DimensionMismatchError, InvalidArgumentError, InvalidStateError
from qbhw.metrics import energy_variance, switching_work, tpm_work_statistics, variance_split

X = np.array([[0, 1], [1, 0]], dtype=complex)
PROJ_E = np.diag([0.0, 1.0]).astype(complex)


def kron_all(ops_big_endian):
    return reduce(np.kron, ops_big_endian)


def embed(op, site, dims):
    """op on subsystem `site`, little-endian (subsystem 0 = rightmost factor)."""
    return kron_all([op if k == site else np.eye(dims[k]) for k in reversed(range(len(dims)))])


def random_hermitian(d, rng):
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    return (a + a.conj().T) / 2


def random_mixed(d, rng, rank=None):
    rank = d if rank is None else rank
    g = rng.normal(size=(d, rank)) + 1j * rng.normal(size=(d, rank))
    rho = g @ g.conj().T
    return rho / np.trace(rho).real


# ---- RR-09: variance split --------------------------------------------------------------

@pytest.mark.parametrize("dims", [[2, 2], [2, 3], [3, 2, 2], [2, 2, 2, 2]])
@pytest.mark.parametrize("seed", range(3))
def test_rr09_identity_total_equals_local_plus_entangled(dims, seed):
    """total = loc + ent, and total equals the variance of Σ_i h_i built here (tol 1e-10)."""
    rng = np.random.default_rng(seed)
    hs = [random_hermitian(d, rng) for d in dims]
    d = int(np.prod(dims))
    rho = random_mixed(d, rng, rank=1 + seed)
    split = variance_split(rho, hs, dims)
    h_total = sum(embed(h, i, dims) for i, h in enumerate(hs))
    assert abs(split.total - energy_variance(rho, h_total)) < 1e-10
    assert abs(split.total - (split.local + split.entanglement)) < 1e-10


@pytest.mark.parametrize("seed", range(4))
def test_rr09_product_states_have_no_entangled_part(seed):
    """ρ = ⊗_i ρ_i: ent = 0 (tol 1e-12) and loc = Σ_i Var_{ρ_i}(h_i) (tol 1e-12)."""
    rng = np.random.default_rng(seed)
    dims = [2, 3, 2]
    locals_ = [random_mixed(d, rng) for d in dims]
    hs = [random_hermitian(d, rng) for d in dims]
    rho = kron_all(locals_[::-1])  # site 0 rightmost
    split = variance_split(rho, hs)  # dims from the Hamiltonians
    expected = sum(energy_variance(r, h) for r, h in zip(locals_, hs))
    assert abs(split.entanglement) < 1e-12
    assert abs(split.local - expected) < 1e-12


@pytest.mark.parametrize("n", range(1, 7))
def test_rr09_ghz_numbers(n):
    """GHZ (|G⟩ + |E⟩)/√2 with h_i = ω|e⟩⟨e|: N²ω²/4, Nω²/4, N(N−1)ω²/4 (tol 1e-10)."""
    omega = 1.7
    d = 2**n
    psi = np.zeros(d, complex)
    psi[0] = psi[-1] = 1 / math.sqrt(2)
    split = variance_split(psi, [omega * PROJ_E] * n)
    assert abs(split.total - n**2 * omega**2 / 4) < 1e-10
    assert abs(split.local - n * omega**2 / 4) < 1e-10
    assert abs(split.entanglement - n * (n - 1) * omega**2 / 4) < 1e-10


def test_variance_split_little_endian_order():
    """Site 0 is the rightmost factor: |0⟩ ⊗ |+⟩ with h_0 = ω|e⟩⟨e|, h_1 = 2ω|e⟩⟨e| has loc = ω²/4 (tol 1e-12)."""
    omega = 1.0
    plus = np.array([1, 1], complex) / math.sqrt(2)
    zero = np.array([1, 0], complex)
    psi = np.kron(zero, plus)  # site 1 = |0>, site 0 = |+>
    split = variance_split(psi, [omega * PROJ_E, 2 * omega * PROJ_E])
    assert abs(split.local - omega**2 / 4) < 1e-12
    assert abs(split.entanglement) < 1e-12


def test_variance_split_errors():
    psi = np.zeros(4, complex)
    psi[0] = 1
    with pytest.raises(DimensionMismatchError):
        variance_split(psi, [PROJ_E] * 3)  # 8 != 4
    with pytest.raises(DimensionMismatchError):
        variance_split(psi, [PROJ_E, PROJ_E], dims=[2, 2, 1])
    with pytest.raises(DimensionMismatchError):
        variance_split(psi, [PROJ_E, np.eye(3)], dims=[2, 2])
    with pytest.raises(InvalidStateError):
        variance_split(2 * psi, [PROJ_E, PROJ_E])


# ---- RR-10: TPM work statistics -------------------------------------------------------

@pytest.mark.parametrize("beta", [0.0, 0.3, 1.0, 5.0])
def test_rr10_pi_pulse_on_thermal_qubit(beta):
    """π pulse on a thermal qubit: W = ω(p_g − p_e), ΔW² = ω²[1 − (p_g − p_e)²] (tol 1e-12);
    distribution {−ω: p_e, 0: 0, +ω: p_g} (tol 1e-12)."""
    omega = 1.3
    h = omega * PROJ_E
    z = 1 + math.exp(-beta * omega)
    p_g, p_e = 1 / z, math.exp(-beta * omega) / z
    rho = np.diag([p_g, p_e]).astype(complex)
    stats = tpm_work_statistics(rho, X, h)
    assert abs(stats.mean - omega * (p_g - p_e)) < 1e-12
    assert abs(stats.variance - omega**2 * (1 - (p_g - p_e) ** 2)) < 1e-12
    assert abs(stats.std - math.sqrt(stats.variance)) < 1e-15
    # every kinematically possible value ε_n − ε_m is listed, W = 0 with probability 0
    assert np.allclose(stats.values, [-omega, 0.0, omega], atol=1e-12)
    assert np.allclose(stats.probabilities, [p_e, 0.0, p_g], atol=1e-12)


def operator_moments(rho_bar, u, h, h_final=None):
    """⟨W⟩ and ⟨W²⟩ of TPM for an initial state commuting with H: ⟨U†H'U − H⟩, ⟨(U†H'U − H)²⟩."""
    h_final = h if h_final is None else h_final
    a = u.conj().T @ h_final @ u - h
    m1 = float(np.real(np.trace(a @ rho_bar)))
    m2 = float(np.real(np.trace(a @ a @ rho_bar)))
    return m1, m2 - m1**2


@pytest.mark.parametrize("seed", range(5))
def test_tpm_mean_equals_energy_change_for_diagonal_state(seed):
    """[ρ, H] = 0: TPM mean = Tr[H(UρU† − ρ)] and variance = ⟨(U†HU − H)²⟩ − mean² (tol 1e-12); Σp = 1 (1e-12)."""
    rng = np.random.default_rng(seed)
    d = 4
    h = random_hermitian(d, rng)
    evals, vecs = np.linalg.eigh(h)
    p = rng.dirichlet(np.ones(d))
    rho = (vecs * p) @ vecs.conj().T
    u = unitary_group.rvs(d, random_state=rng)
    stats = tpm_work_statistics(rho, u, h)
    energy_change = float(np.real(np.trace(h @ (u @ rho @ u.conj().T - rho))))
    assert abs(stats.mean - energy_change) < 1e-12
    assert abs(stats.variance - operator_moments(rho, u, h)[1]) < 1e-12
    assert abs(stats.probabilities.sum() - 1) < 1e-12
    assert abs(stats.transitions.sum(axis=0) - p[np.argsort(evals)]).max() < 1e-12  # Σ_n p_{m→n} = p_m


def test_tpm_degenerate_hamiltonian_uses_projectors():
    """H = diag(0, 1, 1), ρ_0 = |+⟩⟨+| inside the degenerate level, U swaps |0⟩ ↔ |−⟩ and keeps |+⟩:
    projective TPM leaves |+⟩ untouched, so W = 0 with probability 1 (tol 1e-12). Measuring single
    eigenvectors |1⟩, |2⟩ instead would give W = −1 with probability 1/2."""
    h = np.diag([0.0, 1.0, 1.0]).astype(complex)
    plus = np.array([0, 1, 1], complex) / math.sqrt(2)
    minus = np.array([0, 1, -1], complex) / math.sqrt(2)
    zero = np.array([1, 0, 0], complex)
    u = np.outer(zero, minus.conj()) + np.outer(minus, zero.conj()) + np.outer(plus, plus.conj())
    stats = tpm_work_statistics(plus, u, h)
    assert np.allclose(stats.values, [-1.0, 0.0, 1.0], atol=1e-12)
    assert np.allclose(stats.probabilities, [0.0, 1.0, 0.0], atol=1e-12)
    assert abs(stats.mean) < 1e-12 and abs(stats.variance) < 1e-12
    # rank-1 measurement in the |1>, |2> basis, computed by hand here, disagrees:
    naive_p_minus1 = sum(abs(np.vdot(plus, k)) ** 2 * abs(np.vdot(zero, u @ k)) ** 2 for k in np.eye(3)[1:])
    assert abs(naive_p_minus1 - 0.5) < 1e-12


@pytest.mark.parametrize("seed", range(4))
def test_tpm_degenerate_many_qubit_battery_matches_operator_moments(seed):
    """3-qubit H_B = Σ ω|e⟩⟨e| (levels 0..3, degeneracies 1,3,3,1), random ρ with coherences and random U:
    moments equal those of ρ̄ = Σ_m Π_m ρ Π_m with Π_m built here from the excitation number (tol 1e-12);
    with a different final Hamiltonian H' = 1.5 H_B + 0.2 as well."""
    rng = np.random.default_rng(seed)
    n, d, omega = 3, 8, 0.9
    excitations = np.array([bin(k).count("1") for k in range(d)])
    h = np.diag(omega * excitations).astype(complex)
    rho = random_mixed(d, rng)
    u = unitary_group.rvs(d, random_state=rng)
    projs = [np.diag((excitations == m).astype(float)) for m in range(n + 1)]
    rho_bar = sum(pm @ rho @ pm for pm in projs)
    stats = tpm_work_statistics(rho, u, h)
    m1, var = operator_moments(rho_bar, u, h)
    assert abs(stats.mean - m1) < 1e-12 and abs(stats.variance - var) < 1e-12
    assert np.allclose(stats.initial_levels, omega * np.arange(n + 1), atol=1e-12)
    assert np.allclose(stats.values, omega * np.arange(-n, n + 1), atol=1e-12)
    h_final = 1.5 * h + 0.2 * np.eye(d)
    stats_q = tpm_work_statistics(rho, u, h, final_hamiltonian=h_final)
    m1q, varq = operator_moments(rho_bar, u, h, h_final)
    assert abs(stats_q.mean - m1q) < 1e-12 and abs(stats_q.variance - varq) < 1e-12


def test_tpm_errors():
    h = PROJ_E
    rho = np.diag([0.7, 0.3]).astype(complex)
    with pytest.raises(InvalidArgumentError):
        tpm_work_statistics(rho, np.array([[1, 1], [0, 1]]), h)  # not unitary
    with pytest.raises(DimensionMismatchError):
        tpm_work_statistics(rho, np.eye(3), h)
    with pytest.raises(DimensionMismatchError):
        tpm_work_statistics(rho, X, np.eye(3))
    with pytest.raises(DimensionMismatchError):
        tpm_work_statistics(rho, X, h, final_hamiltonian=np.eye(3))
    with pytest.raises(InvalidStateError):
        tpm_work_statistics(np.diag([0.7, 0.4]), X, h)
    with pytest.raises(InvalidArgumentError):
        tpm_work_statistics(rho, np.array([[np.nan, 0], [0, 1]]), h)


# ---- switching work -------------------------------------------------------------------

def propagator(h, t):
    evals, vecs = np.linalg.eigh(h)
    return (vecs * np.exp(-1j * evals * t)) @ vecs.conj().T


@pytest.mark.parametrize("tau", [0.3, 1.1, 2.5])
def test_switching_work_equals_bare_energy_change(tau):
    """Charger qubit (excited) + battery qubit, Rabi coupling g X⊗X: H_0 + H_1 is conserved during charging, so
    W_sw = Tr[H_1ρ(0)] − Tr[H_1ρ(τ)] equals Tr[H_0(ρ(τ) − ρ(0))] (tol 1e-12); with the resonant exchange
    coupling ([H_0, H_1] = 0) W_sw = 0 (tol 1e-12)."""
    omega, g = 1.0, 0.4
    h0 = omega * (np.kron(PROJ_E, np.eye(2)) + np.kron(np.eye(2), PROJ_E))  # charger = site 1, battery = site 0
    psi0 = np.kron(np.array([0, 1], complex), np.array([1, 0], complex))  # charger |e>, battery |g>
    rho0 = np.outer(psi0, psi0.conj())
    h1_rabi = g * np.kron(X, X)
    u = propagator(h0 + h1_rabi, tau)
    rho_tau = u @ rho0 @ u.conj().T
    w_sw = switching_work(rho0, rho_tau, h1_rabi)
    assert abs(w_sw - float(np.real(np.trace(h0 @ (rho_tau - rho0))))) < 1e-12
    sp = np.array([[0, 0], [1, 0]], complex)  # σ^+ = |e><g| with |g> = |0>
    h1_tc = g * (np.kron(sp, sp.conj().T) + np.kron(sp.conj().T, sp))
    u = propagator(h0 + h1_tc, tau)
    assert abs(switching_work(rho0, u @ rho0 @ u.conj().T, h1_tc)) < 1e-12


def test_switching_work_errors():
    with pytest.raises(DimensionMismatchError):
        switching_work(np.eye(2) / 2, np.eye(3) / 3, PROJ_E)
    with pytest.raises(DimensionMismatchError):
        switching_work(np.eye(2) / 2, np.eye(2) / 2, np.eye(3))
    with pytest.raises(InvalidStateError):
        switching_work(np.eye(2), np.eye(2) / 2, PROJ_E)
