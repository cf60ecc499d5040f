"""Entropy-matched thermal bound (Eq. 7, RR-02/RR-03) and N-copy ergotropy (Eq. 9, RR-03/RR-04).

Independent routes: exact rationals of seed-spec RR-03; brute-force sorting of the d^n product
populations of ρ^{⊗n} for small n; the qubit identity 𝓔 = bound (RR-02).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.special import comb

from qbhw.metrics import (
    Spectrum,
    energy,
    ergotropy,
    gibbs_populations,
    gibbs_state,
    n_copy_ergotropy,
    thermal_bound,
    von_neumann_entropy,
)

H3 = np.diag([0.0, 1.0, 2.0])
RHO_HALF = np.diag([0.5, 0.5, 0.0])


def brute_force_n_copy(rho, h, n):
    """Sort all d^n product eigenvalues against all d^n energy sums (independent of the multiset code)."""
    r = np.linalg.eigvalsh(rho)
    e = np.linalg.eigvalsh(h)
    prods = np.array([np.prod(c) for c in itertools.product(r, repeat=n)])
    sums = np.array([np.sum(c) for c in itertools.product(e, repeat=n)])
    passive = np.dot(np.sort(prods)[::-1], np.sort(sums))
    return (n * float(np.real(np.trace(h @ rho))) - passive) / n


def test_rr03_reference_bound_and_beta():
    """RR-03: β̄ = 1.3261624, bound = 0.1957529, Gibbs populations (0.748513, 0.198726, 0.052761) (tol 1e-7)."""
    tb = thermal_bound(RHO_HALF, H3)
    assert abs(tb.beta - 1.3261624) < 1e-7
    assert abs(tb.bound - 0.1957529) < 1e-7
    _, p = gibbs_populations(H3, tb.beta)
    assert np.allclose(p, [0.748513, 0.198726, 0.052761], atol=1e-6)
    # entropy of the matched Gibbs state equals S(rho) (tol 1e-12)
    assert abs(von_neumann_entropy(gibbs_state(H3, tb.beta)) - math.log(2)) < 1e-12


def test_rr03_n_copy_exact_rationals():
    """RR-03: ε(N) = 0, 0, 1/24, 5/64, 3/40, 3/32 for N = 1…6 (tol 1e-12); ε(N) ≤ bound; not monotone."""
    expected = [0.0, 0.0, 1 / 24, 5 / 64, 3 / 40, 3 / 32]
    got = [n_copy_ergotropy(RHO_HALF, H3, n) for n in range(1, 7)]
    assert np.allclose(got, expected, atol=1e-12, rtol=0)
    bound = thermal_bound(RHO_HALF, H3).bound
    assert all(g <= bound + 1e-12 for g in got)
    assert got[4] < got[3]


def test_n_copy_other_example():
    """ρ = diag(0.6, 0.2, 0.2): ε(3..6) = 0.00533, 0.01360, 0.01882, 0.01984, bound 0.03632 (seed-spec, 5e-6)."""
    rho = np.diag([0.6, 0.2, 0.2])
    got = [n_copy_ergotropy(rho, H3, n) for n in range(3, 7)]
    assert np.allclose(got, [0.00533, 0.01360, 0.01882, 0.01984], atol=5e-6)
    assert abs(thermal_bound(rho, H3).bound - 0.03632) < 5e-6


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("seed", [0, 1])
def test_n_copy_matches_brute_force(n, seed):
    """Multiset grouping equals sorting all 3^n product populations (tol 1e-12), with coherences and a
    generic Hamiltonian."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(3, 3)) + 1j * rng.normal(size=(3, 3))
    rho = g @ g.conj().T
    rho /= np.trace(rho)
    h = np.diag(np.sort(rng.uniform(0, 2, 3)))
    assert abs(n_copy_ergotropy(rho, h, n) - brute_force_n_copy(rho, h, n)) < 1e-12
    if n == 1:
        assert abs(n_copy_ergotropy(rho, h, 1) - ergotropy(rho, h)) < 1e-12


def test_n_copy_large_n_is_fast_and_below_bound():
    """Exact for n = 12 (3^12 = 531441 product states, 91 multisets); approaches the bound from below."""
    eps12 = n_copy_ergotropy(RHO_HALF, H3, 12)
    bound = thermal_bound(RHO_HALF, H3).bound
    assert 3 / 32 < eps12 < bound
    eps30 = n_copy_ergotropy(RHO_HALF, H3, 30)
    assert eps12 < eps30 < bound


def test_n_copy_with_sector_spectrum():
    """A state in the symmetric sector of 2 qubits with multiplicities: n = 2 copies equals brute force
    on the full 4-dim space (tol 1e-12)."""
    rho_sym = np.diag([0.2, 0.0, 0.8])  # |GG>, |W>, |EE>
    spec = Spectrum([0.0, 1.0, 2.0], [1, 2, 1])
    rho_full = np.diag([0.2, 0.0, 0.0, 0.8])  # |00>, |01>, |10>, |11>
    h_full = np.diag([0.0, 1.0, 1.0, 2.0])
    for n in (1, 2, 3):
        assert abs(n_copy_ergotropy(rho_sym, spec, n) - brute_force_n_copy(rho_full, h_full, n)) < 1e-12


@pytest.mark.parametrize("beta", [0.0, 0.3, 1.0, 4.0])
def test_rr04_thermal_states_completely_passive(beta):
    """RR-04: ε(N) = 0 for Gibbs states with β ≥ 0, N = 1…6 (tol 1e-12)."""
    h = np.diag([0.0, 0.4, 1.1, 2.5])
    g = gibbs_state(h, beta)
    for n in range(1, 7):
        assert abs(n_copy_ergotropy(g, h, n)) < 1e-12


def test_rr04_passive_non_thermal_becomes_active():
    """RR-04: diag(½, ½, 0) is passive (ε(1) = 0) but not thermal: ε(3) > 0."""
    assert ergotropy(RHO_HALF, H3) < 1e-14
    assert n_copy_ergotropy(RHO_HALF, H3, 3) > 1e-3


@pytest.mark.parametrize("seed", range(10))
def test_rr02_qubit_bound_is_tight(seed):
    """RR-02: for d = 2 every passive state is thermal, so 𝓔 = Tr[H ρ] − Tr[H G_β̄] (tol 1e-10)."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    rho = g @ g.conj().T
    rho /= np.trace(rho)
    omega = rng.uniform(0.2, 3)
    h = np.diag([0.0, omega])
    assert abs(ergotropy(rho, h) - thermal_bound(rho, h).bound) < 1e-10


def test_bound_limits():
    """Pure state: no finite β̄ (β̄ = ∞, bound = E − E_min); maximally mixed: β̄ = 0, bound 0."""
    psi = np.array([0.0, 0.6, 0.8])
    tb = thermal_bound(psi, H3)
    assert math.isinf(tb.beta)
    assert abs(tb.bound - energy(psi, H3)) < 1e-12
    tb0 = thermal_bound(np.eye(3) / 3, H3)
    assert tb0.beta == 0.0 and abs(tb0.bound) < 1e-12


def test_bound_with_degenerate_ground_entropy_below_ln_g0():
    """Ground degeneracy g0 = 2: a state with S < ln 2 has no finite β̄ (bound E − E_min)."""
    h = np.diag([0.0, 0.0, 1.0])
    rho = np.diag([0.1, 0.0, 0.9])  # S = 0.325 < ln 2
    tb = thermal_bound(rho, h)
    assert math.isinf(tb.beta)
    assert abs(tb.bound - 0.9) < 1e-12


@pytest.mark.parametrize("seed", range(6))
def test_bound_dominates_ergotropy(seed):
    rng = np.random.default_rng(seed)
    d = 4
    g = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = g @ g.conj().T
    rho /= np.trace(rho)
    h = np.diag(np.sort(rng.uniform(0, 2, d)))
    assert ergotropy(rho, h) <= thermal_bound(rho, h).bound + 1e-10


def test_thermal_bound_sector_spectrum_matches_full_space():
    n = 3
    rho_sym = np.diag([0.1, 0.2, 0.3, 0.4])
    spec = Spectrum(np.arange(4.0), [comb(n, k, exact=True) for k in range(4)])
    full = np.zeros(8)
    # one representative per level in the full space
    for k, idx in enumerate([0b000, 0b001, 0b011, 0b111]):
        full[idx] = rho_sym[k, k]
    h_full = np.diag([bin(i).count("1") * 1.0 for i in range(8)])
    a, b = thermal_bound(rho_sym, spec), thermal_bound(np.diag(full), h_full)
    assert abs(a.bound - b.bound) < 1e-12 and abs(a.beta - b.beta) < 1e-9
