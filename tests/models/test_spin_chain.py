"""Spin-chain battery (Le et al. 2018, review Eq. 40 with errata E10): construction, brute force, RR-21.

Independent routes: the Hamiltonian is rebuilt in the test from explicit 2×2 Pauli matrices in the
review's convention (σ^z|e⟩ = +|e⟩) with ``np.kron`` (little-endian); the charging curve is
checked against the generic ``qbhw.charge`` path on ``full_space()`` (which diagonalises the state
to get the ergotropy) to 1e-8; RR-21 is a symmetry identity (W_N = N·W_1) checked to 1e-10.
"""

from functools import reduce

import numpy as np
import pytest

import qbhw
from qbhw.errors import ConfigError, DimensionMismatchError, InvalidArgumentError, InvalidHamiltonianError
from qbhw.models import SpinChainBattery

TOL = 1e-8
# review Pauli matrices in the basis (|g⟩, |e⟩) = (|0⟩, |1⟩)
SX = np.array([[0, 1], [1, 0]], dtype=complex)
SY = np.array([[0, 1j], [-1j, 0]], dtype=complex)   # σ^y|g⟩ = −i|e⟩ (σ^y = −Y)
SZ = np.diag([-1.0, 1.0]).astype(complex)            # σ^z|e⟩ = +|e⟩


def _op(n, ops):
    """Kronecker product with ops[site] on each site (site 0 rightmost)."""
    return reduce(np.kron, [ops.get(k, np.eye(2)) for k in reversed(range(n))])


def _reference_hamiltonian(n, field, g, alpha):
    h = sum(field * _op(n, {i: SZ}) for i in range(n))
    for i in range(n):
        for j in range(i + 1, n):
            h = h - g[i, j] * (_op(n, {i: SZ, j: SZ}) + alpha * (_op(n, {i: SX, j: SX}) + _op(n, {i: SY, j: SY})))
    return h


@pytest.mark.parametrize("kwargs", [dict(couplings="nearest"), dict(couplings="power_law", exponent=1.0),
                                    dict(couplings="power_law", exponent=0.0),
                                    dict(couplings="nearest", periodic=True)])
def test_battery_hamiltonian_matches_review_formula(kwargs):
    n, field, g, alpha = 4, 0.8, 0.6, 0.35
    model = SpinChainBattery(n, g, alpha, field, 1.0, **kwargs)
    ref = _reference_hamiltonian(n, field, model.g, alpha)
    if kwargs.get("couplings") == "nearest":
        expected = np.zeros((n, n))
        for i in range(n - 1):
            expected[i, i + 1] = g  # g δ_{j,i+1} (errata E10)
        if kwargs.get("periodic"):
            expected[0, n - 1] = g
        np.testing.assert_allclose(np.triu(model.g, 1), expected, atol=0)
    e0 = np.linalg.eigvalsh(ref)[0]
    np.testing.assert_allclose(model.battery_hamiltonian().toarray(), ref - e0 * np.eye(2**n), atol=1e-12)
    drive = sum(_op(n, {i: SX}) for i in range(n))
    np.testing.assert_allclose(model.charging_hamiltonian().toarray(), ref - e0 * np.eye(2**n) + drive, atol=1e-12)
    off = SpinChainBattery(n, g, alpha, field, 1.0, keep_field=False, **kwargs)
    no_field = ref - sum(field * _op(n, {i: SZ}) for i in range(n))
    np.testing.assert_allclose(off.charging_hamiltonian().toarray(), no_field - e0 * np.eye(2**n) + drive, atol=1e-12)


def test_initial_state_is_the_ground_state():
    model = SpinChainBattery(5, 0.7, -0.4, 0.5, 1.0, couplings="power_law", exponent=1.5)
    hb = model.battery_hamiltonian().toarray()
    psi = model.initial_state()
    assert abs(np.vdot(psi, hb @ psi)) < 1e-12                # energy measured from the ground state
    assert np.linalg.norm(hb @ psi) < 1e-10                    # eigenvector with eigenvalue 0
    assert np.linalg.eigvalsh(hb)[0] == pytest.approx(0.0, abs=1e-12)
    # ferromagnetic XXX with B > 0: the ground state is |g…g⟩ = |0…0⟩
    xxx = SpinChainBattery(4, 1.0, 1.0, 0.3, 1.0)
    assert abs(abs(xxx.initial_state()[0]) - 1) < 1e-12


@pytest.mark.parametrize("n,alpha,kwargs", [(3, 0.0, {}), (5, 0.5, dict(couplings="power_law", exponent=1.0)),
                                            (6, -1.0, dict(keep_field=False)), (10, 0.3, {})])
def test_matches_brute_force(n, alpha, kwargs):
    model = SpinChainBattery(n, 0.9, alpha, 1.0, 0.8, **kwargs)
    t = np.linspace(0, 4, 4 if n == 10 else 25)
    red = qbhw.charge(model, t, variances=True)
    # generic path: dense propagation; ergotropy by diagonalising ρ (skipped at N = 10 for speed)
    full = qbhw.charge(model.full_space(), t, ergotropy=n < 10)
    names = ("energy", "work", "ergotropy") if n < 10 else ("energy", "work")
    for name in names:
        np.testing.assert_allclose(getattr(red, name), getattr(full, name), atol=TOL, rtol=0)
    np.testing.assert_allclose(red.power.power, full.power.power, atol=TOL, rtol=0)
    # Robertson form of the SYK-style bound (errata E13): |P| ≤ 2 ΔE_B ΔE_1, ΔE_1 of the generator
    bound = 2 * np.sqrt(red.battery_variance * red.charging_variance)
    assert np.all(np.abs(red.power.power) <= bound + 1e-9)


def _random_couplings(n, rng):
    g = rng.uniform(0.0, 1.5, size=(n, n))
    return np.triu(g, 1) + np.triu(g, 1).T


@pytest.mark.parametrize("keep_field", [True, False])
@pytest.mark.parametrize("pattern", ["nearest", "power_law_1", "uniform", "random"])
def test_rr21_xxx_charges_like_independent_spins(pattern, keep_field):
    """RR-21: α = 1 ⇒ W_N(t) = N W_1(t) for any g_ij ≥ 0, hence ⟨P⟩_τ̃ = N ⟨P_1⟩_τ̃ (tol 1e-10 / 1e-8)."""
    t = np.linspace(0, 8, 801)
    field, drive = 0.7, 1.1
    single = qbhw.charge(SpinChainBattery(1, 1.0, 1.0, field, drive, keep_field=keep_field), t)
    rng = np.random.default_rng(7)
    for n in (2, 4, 6):
        kwargs = {"nearest": dict(couplings="nearest"), "power_law_1": dict(couplings="power_law", exponent=1.0),
                  "uniform": dict(couplings="power_law", exponent=0.0),
                  "random": dict(couplings=_random_couplings(n, rng))}[pattern]
        curve = qbhw.charge(SpinChainBattery(n, 0.8, 1.0, field, drive, keep_field=keep_field, **kwargs), t)
        np.testing.assert_allclose(curve.work, n * single.work, atol=1e-10, rtol=0)
        assert curve.max_average_power == pytest.approx(n * single.max_average_power, rel=1e-8)


def test_anisotropy_breaks_the_independent_charging_law():
    """Control for RR-21: with α ≠ 1 the interactions matter (the ratio moves away from N by > 1e-3)."""
    t = np.linspace(0, 8, 801)
    single = qbhw.charge(SpinChainBattery(1, 1.0, 0.2, 0.7, 1.1), t)
    curve = qbhw.charge(SpinChainBattery(4, 0.8, 0.2, 0.7, 1.1, couplings="power_law", exponent=0.0), t)
    assert abs(curve.max_average_power / (4 * single.max_average_power) - 1) > 1e-3


def test_spin_chain_bad_input():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(InvalidArgumentError):
            SpinChainBattery(bad, 1.0)
    for bad in (-0.5, float("nan")):
        with pytest.raises(InvalidArgumentError):
            SpinChainBattery(3, bad)
        with pytest.raises(InvalidArgumentError):
            SpinChainBattery(3, 1.0, drive=bad)
    with pytest.raises(InvalidArgumentError):
        SpinChainBattery(3, 1.0, anisotropy=float("inf"))
    with pytest.raises(InvalidArgumentError):
        SpinChainBattery(3, 1.0, couplings="power_law", exponent=-1.0)
    with pytest.raises(ConfigError):
        SpinChainBattery(3, 1.0, couplings="all-to-all")
    with pytest.raises(DimensionMismatchError):
        SpinChainBattery(3, 1.0, couplings=np.ones((2, 2)))
    with pytest.raises(InvalidArgumentError):
        SpinChainBattery(3, 1.0, couplings=-np.ones((3, 3)))
    with pytest.raises(InvalidArgumentError):
        SpinChainBattery(40, 1.0)
    # ferromagnetic XXX without field: (N+1)-fold degenerate ground state, initial state undefined
    with pytest.raises(InvalidHamiltonianError):
        SpinChainBattery(3, 1.0, 1.0, field=0.0).initial_state()
