"""Dissipative charging by repeated collisions (Barra, PRL 122, 210601, 2019; review Sec. V.A.1, Eq. 52):
qbhw.models.CollisionBattery and its solver qbhw.solvers.collisions.

Independent routes: the collision map against a brute-force partial trace of the two-qubit evolution built
here with scipy ``expm`` (1e-12); the fixed point against the closed form G_β[−H_B] (1e-10); 𝓔[π] against
ω tanh(βω/2) (1e-8); the relaxation against the geometric closed form with the one-collision transition
probability (1e-12); the charging work and heat of Eq. 52 against the ancillas' accumulated energy changes
(1e-10).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sla

import qbhw
from qbhw.errors import ConfigError, InvalidArgumentError, InvalidTimesError
from qbhw.models import CollisionBattery

GENERIC = [(0.4, 1.7), (0.13, 0.9), (1.1, 2.3), (0.7, 0.35)]  # (J, τ), none at a Rabi revival
SP = np.array([[0, 0], [1, 0]], dtype=complex)  # |e⟩⟨g| with |g⟩ = (1, 0): built here, not imported
NE = np.diag([0.0, 1.0]).astype(complex)


def _closed_gibbs(beta, omega, sign):
    """diag(p_g, p_e) of G_β[sign · ω|e⟩⟨e|]."""
    p_e = 1.0 / (1.0 + np.exp(sign * beta * omega))
    return np.diag([1.0 - p_e, p_e])


def _brute_force_collision(rho, omega, beta, j, tau, kind):
    """Tr_A[U (ρ ⊗ G_β) U†] with U = expm(−i(H_B + H_A + V)τ), battery as the rightmost kron factor."""
    i2 = np.eye(2)
    hb, ha = np.kron(i2, omega * NE), np.kron(omega * NE, i2)
    v = np.kron(SP, SP) if kind == "inverting" else np.kron(SP.conj().T, SP)  # σ_A^± ⊗ σ_B^+
    h = hb + ha + j * (v + v.conj().T)
    u = sla.expm(-1j * tau * h)
    gibbs = _closed_gibbs(beta, omega, +1)
    full = u @ np.kron(gibbs, rho) @ u.conj().T
    return np.einsum("abac->bc", full.reshape(2, 2, 2, 2))


def _random_rho(rng):
    a = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


@pytest.mark.parametrize("kind", ["inverting", "energy_conserving"])
def test_map_matches_brute_force_partial_trace(kind):
    """Superoperator and Kraus routes equal the brute-force two-qubit evolution + partial trace (1e-12)."""
    rng = np.random.default_rng(3)
    for j, tau in GENERIC:
        beta, omega = rng.uniform(0.1, 3.0), rng.uniform(0.5, 2.0)
        model = CollisionBattery(omega=omega, beta=beta, coupling=j, tau=tau, coupling_kind=kind)
        rho = _random_rho(rng)
        ref = _brute_force_collision(rho, omega, beta, j, tau, kind)
        assert np.abs(model.collide(rho) - ref).max() < 1e-12
        kraus = sum(k @ rho @ k.conj().T for k in model.kraus_operators())
        assert np.abs(kraus - ref).max() < 1e-12


def test_curve_matches_repeated_brute_force_collisions():
    """qbhw.charge after n collisions equals n brute-force collisions (energy and ergotropy, 1e-12)."""
    omega, beta, j, tau = 1.0, 0.8, 0.55, 1.2
    model = CollisionBattery(omega=omega, beta=beta, coupling=j, tau=tau, initial="ground")
    times = tau * np.arange(0, 9)
    curve = qbhw.charge(model, times)
    rho = np.diag([1.0, 0.0]).astype(complex)
    for n in range(9):
        assert abs(curve.energy[n] - omega * rho[1, 1].real) < 1e-12
        erg = omega * max(0.0, 2 * rho[1, 1].real - 1) if abs(rho[0, 1]) < 1e-15 else None
        if erg is not None:
            assert abs(curve.ergotropy[n] - erg) < 1e-12
        rho = _brute_force_collision(rho, omega, beta, j, tau, "inverting")
    assert curve.kind == "sweep" and curve.power.power is None  # a discrete map has no dW/dt


def test_kraus_and_superoperator_methods_agree():
    model = CollisionBattery(omega=1.0, beta=0.7, coupling=0.3, tau=1.1, initial="passive_fixed_point")
    t = 1.1 * np.arange(0, 15)
    a = qbhw.charge(model, t, method="superoperator")
    b = qbhw.charge(model, t, method="kraus")
    assert np.abs(a.energy - b.energy).max() < 1e-13 and np.abs(a.ergotropy - b.ergotropy).max() < 1e-13


@pytest.mark.parametrize("j, tau", GENERIC)
def test_fixed_point_is_the_inverted_gibbs_state(j, tau):
    """π (eigenvector of Φ at 1) = G_β[−H_B] for generic (J, τ), to 1e-10; Φ[π] = π."""
    for beta, omega in [(1.3, 1.0), (0.4, 1.7), (2.5, 0.6)]:
        model = CollisionBattery(omega=omega, beta=beta, coupling=j, tau=tau)
        pi = model.fixed_point()
        assert np.abs(pi - _closed_gibbs(beta, omega, -1)).max() < 1e-10
        assert np.abs(model.collide(pi) - pi).max() < 1e-12


def test_fixed_point_ergotropy_reference_value():
    """𝓔[π] = ω tanh(βω/2) to 1e-8; 0.57167 at β = 1.3, ω = 1, J = 0.4, τ = 1.7."""
    model = CollisionBattery(omega=1.0, beta=1.3, coupling=0.4, tau=1.7)
    assert model.fixed_point_ergotropy() == pytest.approx(np.tanh(0.65), abs=1e-8)
    assert model.fixed_point_ergotropy() == pytest.approx(0.57167, abs=5e-6)
    for beta, omega, j, tau in [(0.3, 2.0, 0.9, 0.8), (3.0, 0.5, 0.2, 2.9)]:
        m = CollisionBattery(omega=omega, beta=beta, coupling=j, tau=tau)
        assert m.fixed_point_ergotropy() == pytest.approx(omega * np.tanh(beta * omega / 2), abs=1e-8)


def test_efficiency_is_one_half_from_the_passive_fixed_point():
    """Eq. 52 with ρ_0 = σ_π: W_ch = 2𝓔[π], Q_ch = −𝓔[π], η = 𝓔/W_ch = 1 − |Q|/W = 1/2 (1e-8)."""
    for j, tau in GENERIC:
        model = CollisionBattery(omega=1.0, beta=1.3, coupling=j, tau=tau, initial="passive_fixed_point")
        costs = model.charging_costs()
        assert costs.efficiency == pytest.approx(0.5, abs=1e-8)
        assert costs.efficiency_from_heat == pytest.approx(0.5, abs=1e-8)
        assert costs.work == pytest.approx(2 * costs.ergotropy, abs=1e-10)
        assert costs.heat == pytest.approx(-costs.ergotropy, abs=1e-10)


def test_charging_work_and_heat_match_the_ancillas_energy_changes():
    """The solver's switching work Σ(ΔE_B + ΔE_A) and heat −ΣΔE_A, accumulated from the full two-qubit state,
    approach W_ch = Tr[(H_B − H'_B)(π − ρ_0)] and Q_ch = Tr[H'_B(π − ρ_0)] (1e-10 after 600 collisions,
    (1 − P)^600 < 1e-30)."""
    for initial in ("ground", "passive_fixed_point"):
        model = CollisionBattery(omega=1.0, beta=1.3, coupling=0.4, tau=1.7, initial=initial)
        curve = qbhw.charge(model, 1.7 * np.array([0.0, 600.0]), ergotropy=False)
        costs = model.charging_costs()
        assert curve.observables["switching_work"][-1] == pytest.approx(costs.work, abs=1e-10)
        assert curve.observables["heat"][-1] == pytest.approx(costs.heat, abs=1e-10)
        # first law: ΔE_B = W + Q at every n
        assert np.allclose(curve.work, curve.observables["switching_work"] + curve.observables["heat"], atol=1e-12)


def test_declared_primed_hamiltonian_is_conserved():
    """[U, H'_B + H_A] = 0 (1e-12) for both couplings, with H'_B = −H_B (inverting) or H_B (energy conserving)."""
    for kind in ("inverting", "energy_conserving"):
        model = CollisionBattery(omega=1.3, beta=0.9, coupling=0.6, tau=1.4, coupling_kind=kind)
        u = model.collision_unitary()
        k = np.kron(np.eye(2), model.primed_hamiltonian()) + model.charger_hamiltonian()
        assert np.abs(u @ k - k @ u).max() < 1e-12


def test_energy_conserving_coupling_gives_a_passive_fixed_point():
    """V = J(σ_B^+σ_A^− + h.c.): π = G_β[H_B], 𝓔[π] = 0 (1e-10), W_ch = 0 and η undefined."""
    for j, tau in GENERIC:
        model = CollisionBattery(omega=1.0, beta=1.3, coupling=j, tau=tau, coupling_kind="energy_conserving")
        assert np.abs(model.fixed_point() - _closed_gibbs(1.3, 1.0, +1)).max() < 1e-10
        assert model.fixed_point_ergotropy() < 1e-10
        costs = model.charging_costs()
        assert costs.work == 0.0 and costs.efficiency is None
        assert model.equilibrium == "passive"


def test_geometric_relaxation_with_the_transition_probability():
    """p_n − p_∞ = (1 − P)^n (p_0 − p_∞), P = J²/(J² + ω²) sin²(√(J² + ω²)τ) (inverting) or sin²(Jτ) (1e-12)."""
    for kind in ("inverting", "energy_conserving"):
        omega, beta, j, tau = 1.2, 0.9, 0.35, 1.3
        model = CollisionBattery(omega=omega, beta=beta, coupling=j, tau=tau, coupling_kind=kind)
        r = np.hypot(j, omega)
        p = (j / r) ** 2 * np.sin(r * tau) ** 2 if kind == "inverting" else np.sin(j * tau) ** 2
        assert model.transition_probability() == pytest.approx(p, abs=1e-14)
        n = np.arange(0, 20)
        curve = qbhw.charge(model, tau * n, ergotropy=False)
        p_inf = model.fixed_point()[1, 1].real
        expected = p_inf + (1 - p) ** n * (0.0 - p_inf)
        assert np.abs(curve.observables["excited_population"] - expected).max() < 1e-12


def test_map_is_trace_preserving_and_completely_positive():
    """Σ K†K = 1 (1e-12); the Choi matrix is positive (eigenvalues ≥ −1e-12); every ρ_n is a state."""
    rng = np.random.default_rng(5)
    for kind in ("inverting", "energy_conserving"):
        model = CollisionBattery(omega=1.0, beta=0.6, coupling=0.8, tau=0.9, coupling_kind=kind)
        ks = model.kraus_operators()
        assert np.abs(sum(k.conj().T @ k for k in ks) - np.eye(2)).max() < 1e-12
        choi = sum(np.outer(k.reshape(-1, order="F"), k.reshape(-1, order="F").conj()) for k in ks)
        assert np.linalg.eigvalsh(choi).min() > -1e-12
        rho = _random_rho(rng)
        for _ in range(30):
            rho = model.collide(rho)
            assert abs(np.trace(rho) - 1) < 1e-12 and np.linalg.eigvalsh(rho).min() > -1e-12


def test_bad_input():
    with pytest.raises(InvalidArgumentError, match="beta"):
        CollisionBattery(beta=-0.1)
    with pytest.raises(InvalidArgumentError, match="tau"):
        CollisionBattery(tau=0.0)
    with pytest.raises(InvalidArgumentError, match="tau"):
        CollisionBattery(tau=-1.0)
    with pytest.raises(InvalidArgumentError, match="omega"):
        CollisionBattery(omega=0.0)
    with pytest.raises(ConfigError, match="coupling_kind"):
        CollisionBattery(coupling_kind="swap")
    with pytest.raises(ConfigError, match="initial"):
        CollisionBattery(initial="excited")
    model = CollisionBattery(tau=1.7)
    with pytest.raises(InvalidTimesError, match="multiples"):
        qbhw.charge(model, [0.0, 1.7, 3.5])
    with pytest.raises(InvalidArgumentError, match="coupling"):  # J = 0: every state is fixed
        CollisionBattery(coupling=0.0).fixed_point()
