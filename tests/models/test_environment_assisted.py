"""Environment-assisted charging with a Lorentzian reservoir (Kamin et al., New J. Phys. 22, 083037, 2020;
review Sec. V.A.2): the pseudomode (Garraway, PRA 55, 2290, 1997) against the exact damped Jaynes–Cummings
amplitude, its Markovian limit, single-excitation amplitude equations, QuTiP, and the memory advantage.
Tolerances are stated per test.
"""

from __future__ import annotations

import numpy as np
import pytest
import qutip
import scipy.linalg as sla

import qbhw
from qbhw.errors import ConfigError, InvalidArgumentError, TruncationError
from qbhw.models import EnvironmentAssistedBattery
from qbhw.models.environment_assisted import lorentzian_amplitude
from qbhw.solvers.lindblad import evolve_lindblad


def _population(model, which, times):
    ev = evolve_lindblad(model.charging_hamiltonian(), model.initial_state(), times, model.jump_operators(),
                         e_ops=[model.excited_projector(which)], store_states=False)
    return ev.expect[0]


@pytest.mark.parametrize("gamma0, width", [(1.0, 0.1), (1.0, 0.5), (0.3, 2.0), (1.0, 2.0)])
def test_pseudomode_reproduces_the_exact_lorentzian_amplitude(gamma0, width):
    """One excited emitter (κ = 0, charger damped): |c(t)|² with c = e^{−λt/2}[cosh(dt/2) + (λ/d) sinh(dt/2)],
    d = √(λ² − 2γ_0λ), to 1e-8; covers strong memory (γ_0 = 10λ), the boundary d = 0 (γ_0 = λ/2) and
    over-damping (γ_0 < λ/2)."""
    t = np.linspace(0.0, 25.0, 101)
    m = EnvironmentAssistedBattery(0.0, gamma0, width)
    c = lorentzian_amplitude(t, gamma0, width)
    assert np.allclose(_population(m, "charger", t), c ** 2, atol=1e-8)
    assert m.non_markovian == (gamma0 > width / 2)


def test_markovian_limit_of_the_pseudomode():
    """λ ≫ γ_0: the pseudomode population tends to e^{−γ_0 t}, with a deviation that shrinks ∝ γ_0/λ
    (≤ 1.5 γ_0/λ at λ = 100γ_0 and 1000γ_0; the leading correction is the prefactor 1 + γ_0/λ);
    ``memory="markovian"`` gives e^{−γ_0 t} to 1e-10."""
    g0 = 0.05
    t = np.linspace(0.0, 60.0, 61)
    dev = []
    for width in (100 * g0, 1000 * g0):
        p = _population(EnvironmentAssistedBattery(0.0, g0, width), "charger", t)
        dev.append(np.max(np.abs(p - np.exp(-g0 * t))))
        assert dev[-1] <= 1.5 * g0 / width
    assert dev[1] < dev[0] / 5
    p_markov = _population(EnvironmentAssistedBattery(0.0, g0, 1.0, memory="markovian"), "charger", t)
    assert np.allclose(p_markov, np.exp(-g0 * t), atol=1e-10)


def _amplitudes(kappa, gamma0, width, environment, markovian, times):
    """Single-excitation amplitudes in the frame rotating at ω: i dc/dt = M c with (B, C, a_B, a_C) and the
    pseudomode damping −iλ on its amplitude (or −iγ_0/2 on the emitter, Markovian)."""
    om = np.sqrt(gamma0 * width / 2)
    damped = {"charger": [1], "battery": [0], "both": [0, 1]}[environment]
    if markovian:
        mat = np.array([[0, kappa], [kappa, 0]], dtype=complex)
        for x in damped:
            mat[x, x] = -0.5j * gamma0
    else:
        mat = np.zeros((2 + len(damped), 2 + len(damped)), dtype=complex)
        mat[0, 1] = mat[1, 0] = kappa
        for i, x in enumerate(damped):
            mat[x, 2 + i] = mat[2 + i, x] = om
            mat[2 + i, 2 + i] = -1j * width
    c0 = np.zeros(mat.shape[0], dtype=complex)
    c0[1] = 1.0
    return np.array([sla.expm(-1j * mat * t) @ c0 for t in times])


@pytest.mark.parametrize("environment", ["charger", "battery", "both"])
@pytest.mark.parametrize("memory", ["pseudomode", "markovian"])
def test_charging_curve_matches_single_excitation_amplitudes(environment, memory):
    """qbhw.charge (GKSL on battery ⊗ charger ⊗ pseudomodes) against the amplitude equations: battery energy
    ω|c_B|² (1e-8) and ergotropy ω max(0, 2|c_B|² − 1) (1e-8)."""
    kappa, g0, width, omega = 0.05, 0.05, 0.005, 1.0
    t = np.linspace(0.0, 100.0, 51)
    m = EnvironmentAssistedBattery(kappa, g0, width, omega, environment=environment, memory=memory)
    curve = qbhw.charge(m, t)
    p_b = np.abs(_amplitudes(kappa, g0, width, environment, memory == "markovian", t)[:, 0]) ** 2
    assert np.allclose(curve.energy, omega * p_b, atol=1e-8)
    assert np.allclose(curve.ergotropy, omega * np.maximum(0.0, 2 * p_b - 1), atol=1e-8)
    assert curve.metadata["max_cutoff_population"] == pytest.approx(0.0, abs=1e-14)


def test_qutip_cross_check():
    """QuTiP mesolve with operators built in QuTiP (battery ⊗ charger ⊗ pseudomode, Ω_0 = √(γ_0λ/2),
    c_op √(2λ) a) against qbhw.charge: battery energy (1e-7)."""
    kappa, g0, width, omega = 0.08, 0.2, 0.05, 1.0
    n_max = 2
    sm_b = qutip.tensor(qutip.destroy(2), qutip.qeye(2), qutip.qeye(n_max + 1))
    sm_c = qutip.tensor(qutip.qeye(2), qutip.destroy(2), qutip.qeye(n_max + 1))
    a = qutip.tensor(qutip.qeye(2), qutip.qeye(2), qutip.destroy(n_max + 1))
    h = (omega * (sm_b.dag() * sm_b + sm_c.dag() * sm_c + a.dag() * a) + kappa * (sm_b.dag() * sm_c + sm_c.dag() * sm_b)
         + np.sqrt(g0 * width / 2) * (sm_c.dag() * a + a.dag() * sm_c))
    psi0 = qutip.tensor(qutip.basis(2, 0), qutip.basis(2, 1), qutip.basis(n_max + 1, 0))
    t = np.linspace(0.0, 60.0, 31)
    res = qutip.mesolve(h, psi0, t, c_ops=[np.sqrt(2 * width) * a], e_ops=[omega * sm_b.dag() * sm_b],
                        options={"atol": 1e-12, "rtol": 1e-10})
    curve = qbhw.charge(EnvironmentAssistedBattery(kappa, g0, width, omega), t)
    assert np.allclose(curve.energy, res.expect[0], atol=1e-7)


def test_memory_lets_the_battery_charge_where_the_markovian_limit_cannot():
    """Kamin et al. (2020): memory (γ_0 = κ = 10λ, strongly non-Markovian, λ = 0.005ω) lets the charger hand its
    energy to the battery; with the same γ_0 and no memory it is mostly lost. Chosen margin: max ergotropy
    ≥ 0.85ω with memory, ≤ 0.05ω Markovian; max energy higher by ≥ 0.4ω."""
    t = np.linspace(0.0, 150.0, 301)
    kw = {"coupling": 0.05, "gamma0": 0.05, "width": 0.005}
    nm = qbhw.charge(EnvironmentAssistedBattery(**kw), t)
    mk = qbhw.charge(EnvironmentAssistedBattery(**kw, memory="markovian"), t)
    assert np.max(nm.ergotropy) >= 0.85 and np.max(mk.ergotropy) <= 0.05
    assert np.max(nm.energy) >= np.max(mk.energy) + 0.4


def test_cutoff_check_and_convergence():
    """cutoff = 1 keeps the whole single excitation but fills its top level: TruncationError; cutoff = 3 gives
    the same curve as the automatic cutoff 2 (1e-12)."""
    t = np.linspace(0.0, 50.0, 11)
    with pytest.raises(TruncationError):
        qbhw.charge(EnvironmentAssistedBattery(0.05, 0.05, 0.005, cutoff=1), t)
    auto = qbhw.charge(EnvironmentAssistedBattery(0.05, 0.05, 0.005), t)
    three = qbhw.charge(EnvironmentAssistedBattery(0.05, 0.05, 0.005, cutoff=3), t)
    assert np.allclose(auto.energy, three.energy, atol=1e-12)


def test_arguments_are_checked():
    with pytest.raises(ConfigError):
        EnvironmentAssistedBattery(0.1, 0.1, 0.1, environment="bath")
    with pytest.raises(ConfigError):
        EnvironmentAssistedBattery(0.1, 0.1, 0.1, memory="exact")
    with pytest.raises(InvalidArgumentError):
        EnvironmentAssistedBattery(0.1, 0.0, 0.1)
    with pytest.raises(InvalidArgumentError):
        EnvironmentAssistedBattery(0.1, 0.1, 0.1, cutoff=0)
    with pytest.raises(InvalidArgumentError):
        EnvironmentAssistedBattery(-0.1, 0.1, 0.1)
