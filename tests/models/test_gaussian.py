"""Gaussian bosonic battery (Friis & Huber 2018, review Sec. IV.A): covariance formulas vs Fock space (RR-25).

Independent route: the same unitaries built in a truncated Fock space with ``scipy.linalg.expm``
(or the model's Fock-space generator propagated by ``qbhw.solvers.propagate``), energies and
variances from ``qbhw.metrics`` (``energy``, ``energy_variance``, ``ergotropy``). Cut-offs are
chosen so that the population at the cut-off is below 1e-12; tolerance 1e-8 (RR-25).
"""

import numpy as np
import pytest
import scipy.linalg

import qbhw
from qbhw.errors import ConfigError, DimensionMismatchError, InvalidArgumentError
from qbhw.metrics import energy, energy_variance, ergotropy
from qbhw.models import GaussianBosonicBattery, GaussianState
from qbhw.models.gaussian import gaussian_energy, gaussian_energy_variance, gaussian_ergotropy
from qbhw.solvers import propagate

TOL = 1e-8


def _fock(cutoff):
    a = np.diag(np.sqrt(np.arange(1, cutoff + 1)), 1).astype(complex)
    return a, np.diag(np.arange(cutoff + 1)).astype(complex)


def _thermal(nbar, cutoff):
    if nbar == 0:
        p = np.zeros(cutoff + 1)
        p[0] = 1
    else:
        q = nbar / (1 + nbar)
        p = (1 - q) * q ** np.arange(cutoff + 1)
    return np.diag(p / p.sum()).astype(complex)


@pytest.mark.parametrize("omega,nbar,alpha", [(1.0, 0.0, 1.2), (1.3, 0.7, 0.8 - 0.5j), (0.6, 2.0, -1.5j)])
def test_displacement_on_thermal_state(omega, nbar, alpha):
    """RR-25: W = ω|α|², ΔE² = ω²[n̄(n̄+1) + |α|²(2n̄+1)] — closed form, covariance formula and Fock space."""
    s0 = GaussianState.thermal(nbar)
    s1 = s0.displace(alpha)
    w_closed = omega * abs(alpha) ** 2
    var_closed = omega**2 * (nbar * (nbar + 1) + abs(alpha) ** 2 * (2 * nbar + 1))
    assert gaussian_energy(s1, omega) - gaussian_energy(s0, omega) == pytest.approx(w_closed, abs=1e-12)
    assert gaussian_energy_variance(s1, omega) == pytest.approx(var_closed, abs=1e-12)
    cutoff = 160
    a, num = _fock(cutoff)
    d = scipy.linalg.expm(alpha * a.conj().T - np.conj(alpha) * a)
    rho0 = _thermal(nbar, cutoff)
    rho1 = d @ rho0 @ d.conj().T
    assert np.real(rho1[-1, -1]) < 1e-12  # cut-off adequate
    h = omega * num
    assert energy(rho1, h) - energy(rho0, h) == pytest.approx(w_closed, abs=TOL)
    assert energy_variance(rho1, h) == pytest.approx(var_closed, abs=TOL)
    assert ergotropy(rho1, h) == pytest.approx(gaussian_ergotropy(s1, omega), abs=TOL)


@pytest.mark.parametrize("omega,r,phi", [(1.0, 0.3, 0.0), (1.7, 0.9, 1.1), (0.5, 1.4, -2.0)])
def test_squeezing_vacuum(omega, r, phi):
    """RR-25: W = ω sinh²r, ΔE² = 2ω² sinh²r cosh²r (any squeezing phase)."""
    s1 = GaussianState.thermal(0.0).squeeze(r, phi)
    assert gaussian_energy(s1, omega) == pytest.approx(omega * np.sinh(r) ** 2, abs=1e-12)
    assert gaussian_energy_variance(s1, omega) == pytest.approx(2 * omega**2 * np.sinh(r) ** 2 * np.cosh(r) ** 2,
                                                                abs=1e-12)
    cutoff = 400  # squeezed-vacuum amplitudes decay only as tanh(r)^(n/2)
    a, num = _fock(cutoff)
    zeta = r * np.exp(1j * phi)
    s = scipy.linalg.expm(0.5 * (np.conj(zeta) * a @ a - zeta * a.conj().T @ a.conj().T))
    psi = s[:, 0]
    assert abs(psi[-1]) ** 2 < 1e-12
    h = omega * num
    assert energy(psi, h) == pytest.approx(omega * np.sinh(r) ** 2, abs=TOL)
    assert energy_variance(psi, h) == pytest.approx(2 * omega**2 * np.sinh(r) ** 2 * np.cosh(r) ** 2, abs=TOL)
    assert gaussian_ergotropy(s1, omega) == pytest.approx(omega * np.sinh(r) ** 2, abs=1e-12)  # pure state


def test_displacement_fluctuations_vanish_relative_to_work():
    """ΔE/W → 0 as |α| → ∞ for a displaced thermal mode: ΔE/W ≈ √(2n̄+1)/|α| (tol 1e-3 relative at |α| = 10³)."""
    omega, nbar = 1.0, 0.8
    ratios = []
    for amp in (1.0, 10.0, 100.0, 1000.0):
        s = GaussianState.thermal(nbar).displace(amp)
        w = gaussian_energy(s, omega) - gaussian_energy(GaussianState.thermal(nbar), omega)
        ratios.append(np.sqrt(gaussian_energy_variance(s, omega)) / w)
    assert all(b < a for a, b in zip(ratios, ratios[1:]))
    assert ratios[-1] < 1e-2
    assert ratios[-1] * 1000.0 == pytest.approx(np.sqrt(2 * nbar + 1), rel=1e-3)


@pytest.mark.parametrize("kwargs", [dict(displacement_rate=0.4 - 0.2j),
                                    dict(squeezing_rate=0.3, squeezing_phase=0.5),
                                    dict(displacement_rate=0.3 + 0.2j, squeezing_rate=0.25, squeezing_phase=0.7)])
def test_charging_curve_matches_fock_propagation(kwargs):
    model = GaussianBosonicBattery(1.2, nbar=0.6, cutoff=150, **kwargs)
    t = np.linspace(0, 2.5, 11)
    curve = qbhw.charge(model, t)
    hb = model.battery_hamiltonian().toarray()
    for k, rho in enumerate(propagate(model.charging_hamiltonian(), model.initial_state(), t)):
        assert model.cutoff_population(rho) < 1e-11  # × cut-off 150 ≪ TOL
        assert energy(rho, hb) == pytest.approx(curve.energy[k], abs=TOL)
        assert energy_variance(rho, hb) == pytest.approx(curve.energy_variance[k], abs=TOL)
        assert ergotropy(rho, hb) == pytest.approx(curve.ergotropy[k], abs=TOL)
    np.testing.assert_allclose(curve.work, curve.energy - curve.energy[0], atol=1e-14)
    # analytic power vs a fine finite difference of the closed-form energy (tol 1e-6)
    tt = np.linspace(0, 2.5, 2001)
    fine = qbhw.charge(model, tt, ergotropy=False)
    np.testing.assert_allclose(fine.power.power[1:-1], np.gradient(fine.energy, tt)[1:-1], atol=1e-5)


def test_pure_displacement_drive_closed_form():
    """Drive alone: α(t) = λt, so W(t) = ω|λ|²t² and ΔE² = ω²[n̄(n̄+1) + |λt|²(2n̄+1)] (tol 1e-12)."""
    omega, nbar, lam = 0.9, 1.5, 0.3 + 0.4j
    t = np.linspace(0, 3, 31)
    curve = qbhw.charge(GaussianBosonicBattery(omega, nbar=nbar, displacement_rate=lam), t)
    np.testing.assert_allclose(curve.work, omega * abs(lam) ** 2 * t**2, atol=1e-12)
    np.testing.assert_allclose(curve.energy_variance,
                               omega**2 * (nbar * (nbar + 1) + abs(lam * t) ** 2 * (2 * nbar + 1)), atol=1e-12)


def test_two_mode_squeezing_generator_matches_fock_space():
    """Multimode: a two-mode squeezer given as a quadratic form, checked in a two-mode Fock space
    (cut-off 20 per mode, population there < 1e-9; tol 1e-7)."""
    kappa = 0.35
    # H = κ(x1 p2 + p1 x2)/1 generates two-mode squeezing: G couples (x1, p2) and (p1, x2)
    g = np.zeros((4, 4))
    g[0, 3] = g[3, 0] = kappa
    g[1, 2] = g[2, 1] = kappa
    model = GaussianBosonicBattery([1.0, 1.4], nbar=[0.3, 0.1], generator=(g, np.zeros(4)), cutoff=20)
    t = np.linspace(0, 1.0, 5)
    curve = qbhw.charge(model, t)
    hb = model.battery_hamiltonian().toarray()
    for k, rho in enumerate(propagate(model.charging_hamiltonian(), model.initial_state(), t)):
        assert model.cutoff_population(rho) < 1e-9
        assert energy(rho, hb) == pytest.approx(curve.energy[k], abs=1e-7)
        assert energy_variance(rho, hb) == pytest.approx(curve.energy_variance[k], abs=1e-6)
        assert curve.ergotropy[k] <= ergotropy(rho, hb) + 1e-7  # Gaussian-unitary ergotropy is a lower bound
    assert curve.metadata["ergotropy_kind"].startswith("Gaussian")


def test_temperature_gives_bose_einstein_occupation():
    model = GaussianBosonicBattery([1.0, 2.0], temperature=0.7)
    np.testing.assert_allclose(model.nbar, 1 / np.expm1(np.array([1.0, 2.0]) / 0.7), rtol=1e-14)
    assert GaussianBosonicBattery(1.0, temperature=0.0).nbar[0] == 0.0


def test_gaussian_bad_input():
    with pytest.raises(InvalidArgumentError):
        GaussianBosonicBattery(0.0)
    with pytest.raises(InvalidArgumentError):
        GaussianBosonicBattery(1.0, nbar=-0.1)
    with pytest.raises(InvalidArgumentError):
        GaussianBosonicBattery(1.0, squeezing_rate=-0.2)
    with pytest.raises(InvalidArgumentError):
        GaussianBosonicBattery(1.0, displacement_rate=float("nan"))
    with pytest.raises(InvalidArgumentError):
        GaussianBosonicBattery(1.0, temperature=-1.0)
    with pytest.raises(ConfigError):
        GaussianBosonicBattery(1.0, nbar=0.1, temperature=0.5)
    with pytest.raises(DimensionMismatchError):
        GaussianBosonicBattery([1.0, 2.0], nbar=[0.1, 0.2, 0.3])
    with pytest.raises(InvalidArgumentError):
        GaussianState.thermal(0.0).displace(1.0, mode=3)
