"""Stabilisation figures of merit (review Eqs. 53–57; qbhw.metrics.stabilisation) along GKSL trajectories.

Property test of the stabilisation-power bound, Eq. (56) ``P_stab ≥ Ė − T_π Ṡ``: a qubit battery with the
thermal dissipator of temperature T_π (π its Gibbs state) under random explicit controls (sums of random
sinusoids on σ^x, σ^y, σ^z), checked at every time of a dense grid; P_stab = −i Tr([H_B, H_c(t)]ρ) is the power
of the control, Ė = Tr[H_B 𝓛_t[ρ]] from the full generator. Tolerances: the bound and the first law (Eq. 55)
to 1e-10 (round-off); Ṡ = −Tr[𝓓[ρ] ln ρ] against a central finite difference of the von Neumann entropy
(step 1e-4 on an exactly propagated, undriven trajectory: error O(h²) ≈ 1e-8, tolerance 1e-6).
A wrong (too cold) T_π violates the bound somewhere, so the property check can fail.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qbhw.conventions import (
    SIGMA_MINUS,
    SIGMA_PLUS,
    SIGMA_X,
    SIGMA_Y_REVIEW,
    SIGMA_Z_REVIEW,
)
from qbhw.errors import DimensionMismatchError, InvalidArgumentError, InvalidStateError
from qbhw.metrics import (
    effective_temperature,
    energy_current,
    entropy_rate,
    gibbs_state,
    leakage,
    measurement_entropy,
    shannon_entropy,
    stabilisation_cost_ratios,
    stabilisation_power_bound,
    von_neumann_entropy,
    zeno_cost,
)
from qbhw.solvers import evolve_lindblad
from qbhw.solvers.lindblad import dissipator, lindblad_rate

OMEGA = 1.0
HB = OMEGA * (SIGMA_PLUS @ SIGMA_MINUS)


def thermal_jumps(gamma: float, temperature: float) -> list[np.ndarray]:
    """Qubit thermal dissipator with Gibbs fixed point at ``temperature``: ``√(γ(n+1)) σ^−``, ``√(γn) σ^+``."""
    n = 1.0 / math.expm1(OMEGA / temperature)
    return [math.sqrt(gamma * (n + 1)) * SIGMA_MINUS, math.sqrt(gamma * n) * SIGMA_PLUS]


def random_controls(rng, n_terms=3):
    """Drives ``[(σ^a, f_a)]`` with ``f_a(t) = Σ_j A_j sin(ω_j t + φ_j)``."""
    drives = []
    for op in (SIGMA_X, SIGMA_Y_REVIEW, SIGMA_Z_REVIEW):
        amp, freq = rng.uniform(-1, 1, n_terms), rng.uniform(0.2, 3.0, n_terms)
        phase = rng.uniform(0, 2 * np.pi, n_terms)
        drives.append((op, lambda t, a=amp, w=freq, p=phase: float(np.sum(a * np.sin(w * t + p)))))
    return drives


def control_hamiltonian(drives, t):
    return sum(f(t) * op for op, f in drives)


def bound_margins(temperature_true, temperature_used, seed, rho0):
    rng = np.random.default_rng(seed)
    jumps = thermal_jumps(0.7, temperature_true)
    drives = random_controls(rng)
    times = np.linspace(0.0, 4.0, 41)[1:]
    ev = evolve_lindblad(HB, rho0, times, jumps, drives=drives)
    margins, first_law = [], []
    for t, rho in zip(times, ev.states):
        e_dot = float(np.real(np.trace(HB @ lindblad_rate(HB, jumps, rho, drives=drives, t=t))))
        hc = control_hamiltonian(drives, t)
        p_stab = float(np.real(-1j * np.trace((HB @ hc - hc @ HB) @ rho)))
        d_rho = dissipator(jumps, rho)
        s_dot = entropy_rate(rho, d_rho)
        margins.append(p_stab - stabilisation_power_bound(e_dot, s_dot, temperature_used))
        first_law.append(e_dot - p_stab - energy_current(HB, d_rho))
    return np.array(margins), np.array(first_law)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("temperature", [0.4, 1.0, 3.0])
def test_eq56_holds_along_driven_thermal_trajectories(seed, temperature):
    rng = np.random.default_rng(100 + seed)
    a = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    rho0 = a @ a.conj().T
    rho0 = 0.9 * rho0 / np.trace(rho0) + 0.05 * np.eye(2)  # full rank: Ṡ finite
    margins, first_law = bound_margins(temperature, temperature, seed, rho0)
    assert np.all(margins >= -1e-10), margins.min()
    assert np.max(np.abs(first_law)) < 1e-10  # Eq. (55): Ė = P_stab + 𝒥


def test_eq56_fails_with_a_too_cold_effective_temperature():
    rho0 = np.diag([0.97, 0.03]).astype(complex)  # colder than π: the bath heats the battery (𝒥 > 0, Ṡ > 0)
    margins, _ = bound_margins(1.0, 0.3, 0, rho0)
    assert margins.min() < -1e-3


def test_entropy_rate_is_the_derivative_of_the_von_neumann_entropy():
    jumps = thermal_jumps(0.5, 0.8)
    h = HB + 0.3 * SIGMA_X
    rho0 = np.array([[0.3, 0.2 - 0.1j], [0.2 + 0.1j, 0.7]])
    step = 1e-4
    for t in (0.3, 1.1, 2.5):
        ev = evolve_lindblad(h, rho0, [t - step, t, t + step], jumps)
        s = [von_neumann_entropy(r) for r in ev.states]
        numeric = (s[2] - s[0]) / (2 * step)
        assert entropy_rate(ev.states[1], dissipator(jumps, ev.states[1])) == pytest.approx(numeric, abs=1e-6)


def test_entropy_rate_edge_cases():
    damping = [math.sqrt(0.5) * SIGMA_MINUS]
    excited = np.diag([0.0, 1.0]).astype(complex)
    ground = np.diag([1.0, 0.0]).astype(complex)
    assert entropy_rate(excited, dissipator(damping, excited)) == math.inf  # a pure state starts mixing
    assert entropy_rate(ground, dissipator(damping, ground)) == 0.0  # fixed point: nothing moves
    assert stabilisation_power_bound(0.2, math.inf, 1.0) == -math.inf
    assert stabilisation_power_bound(0.2, math.inf, 0.0) == 0.2
    with pytest.raises(DimensionMismatchError):
        entropy_rate(excited, np.zeros((3, 3)))


def test_leakage_conventions_and_cost_ratios():
    gamma = 0.4
    excited = np.diag([0.0, 1.0]).astype(complex)
    d_rho = dissipator([math.sqrt(gamma) * SIGMA_MINUS], excited)
    assert energy_current(HB, d_rho) == pytest.approx(-gamma * OMEGA, abs=1e-14)  # the battery leaks at γω
    assert leakage(HB, d_rho, convention="lost") == pytest.approx(gamma * OMEGA, abs=1e-14)
    assert leakage(HB, d_rho, convention="review") == pytest.approx(-gamma * OMEGA, abs=1e-14)
    with pytest.raises(InvalidArgumentError):
        leakage(HB, d_rho, convention="other")
    lost = leakage(HB, d_rho, convention="lost")
    eta, zeta = stabilisation_cost_ratios(lost, lost, OMEGA)  # the ideal protocol supplies exactly the loss
    assert eta == pytest.approx(gamma) and zeta == 0.0
    eta, zeta = stabilisation_cost_ratios(0.7, 0.4, 2.0)
    assert (eta, zeta) == pytest.approx((0.35, 0.15))
    with pytest.raises(InvalidArgumentError):
        stabilisation_cost_ratios(0.7, 0.4, 0.0)


def test_effective_temperature():
    for temp in (0.3, 1.0, 5.0):
        assert effective_temperature(gibbs_state(HB, 1.0 / temp), HB) == pytest.approx(temp, rel=1e-10)
    h3 = np.diag([0.0, 1.0, 2.5])
    assert effective_temperature(gibbs_state(h3, 1 / 0.7), h3) == pytest.approx(0.7, rel=1e-10)
    assert effective_temperature(np.eye(2) / 2, HB) == math.inf
    assert effective_temperature(np.diag([1.0, 0.0]), HB) == 0.0
    assert effective_temperature(np.diag([0.2, 0.8]), HB) < 0  # population inversion
    with pytest.raises(InvalidStateError):
        effective_temperature(np.diag([0.5, 0.2, 0.3]), h3)  # not of Gibbs form
    with pytest.raises(InvalidStateError):
        effective_temperature(np.array([[0.5, 0.1], [0.1, 0.5]]), HB)  # coherent


def test_zeno_cost_is_landauer_cost_of_the_records():
    p = np.array([0.1, 0.9])
    direct = -(0.1 * math.log(0.1) + 0.9 * math.log(0.9))
    assert shannon_entropy(p) == pytest.approx(direct, rel=1e-14)
    assert zeno_cost(12.5, p, 2.0) == pytest.approx(12.5 * direct / 2.0, rel=1e-14)
    assert zeno_cost(3, [0.0, 1.0], 1.0) == 0.0  # a certain outcome carries no information
    # degenerate levels form one outcome: p = (0.2, 0.3 + 0.5)
    h = np.diag([0.0, 1.0, 1.0])
    rho = np.diag([0.2, 0.3, 0.5])
    assert measurement_entropy(rho, h) == pytest.approx(shannon_entropy([0.2, 0.8]), rel=1e-14)
    with pytest.raises(InvalidArgumentError):
        zeno_cost(1.0, p, 0.0)
    with pytest.raises(InvalidArgumentError):
        shannon_entropy([0.5, 0.6])
