"""cSYK battery (Rossini 2020, review Eqs. 41–42) and the MBL chain (Rosa 2020, review Eq. 47).

Independent routes:
* the cSYK Hamiltonian built sector by sector from bit arithmetic is compared with the literal
  review formula Σ_{ijkl} J_{ijkl} c_i†c_j†c_k c_l, with c_j† = σ_j^+ Π_{m<j} σ_m^z built from
  Kronecker products in the test (tol 1e-12);
* the sector-by-sector curve against the generic ``qbhw.charge`` on ``full_space()`` (tol 1e-8);
* the disorder normalisation against the exact disorder average of ΔE_1² computed from the same
  Kronecker operators (tol: 4 standard errors of the sample mean);
* the N^{3/2} trend of the disorder-averaged ⟨P⟩_τ̃ with its error propagated from the
  realisation spread;
* MBL: Kronecker-product construction, brute force, and the N = 2 closed form E = 4h sin²(Jt).
"""

from functools import reduce

import numpy as np
import pytest

import qbhw
from qbhw.errors import ConfigError, InvalidArgumentError
from qbhw.models import MBLBattery, SYKBattery
from qbhw.solvers import disorder_average

TOL = 1e-8
SZ = np.diag([-1.0, 1.0]).astype(complex)
SPLUS = np.array([[0, 0], [1, 0]], dtype=complex)  # |e⟩⟨g|


def _op(n, ops):
    return reduce(np.kron, [ops.get(k, np.eye(2)) for k in reversed(range(n))])


def _jordan_wigner(n):
    cdag = [_op(n, {**{m: SZ for m in range(j)}, j: SPLUS}) for j in range(n)]
    return cdag, [c.conj().T for c in cdag]


def _reference_syk(model):
    n = model.n_sites
    cdag, c = _jordan_wigner(n)
    tensor = model.coupling_tensor()
    h = np.zeros((2**n, 2**n), dtype=complex)
    for i, j, k, l in zip(*np.nonzero(tensor)):
        h += tensor[i, j, k, l] * cdag[i] @ cdag[j] @ c[k] @ c[l]
    return h


@pytest.mark.parametrize("n,seed", [(2, 0), (3, 1), (4, 2), (5, 3)])
def test_syk_hamiltonian_matches_jordan_wigner_formula(n, seed):
    model = SYKBattery(n, 1.3, seed=seed)
    tensor = model.coupling_tensor()
    # antisymmetry and Hermiticity of the couplings
    np.testing.assert_allclose(tensor, -tensor.transpose(1, 0, 2, 3), atol=0)
    np.testing.assert_allclose(tensor, -tensor.transpose(0, 1, 3, 2), atol=0)
    np.testing.assert_allclose(tensor, tensor.transpose(2, 3, 0, 1).conj(), atol=0)
    np.testing.assert_allclose(model.syk_hamiltonian().toarray(), _reference_syk(model), atol=1e-12)


def test_syk_battery_and_initial_state():
    n = 5
    model = SYKBattery(n, 1.0, omega_0=0.7)
    sy = np.array([[0, 1j], [-1j, 0]])
    ref = sum(0.7 * _op(n, {i: sy}) for i in range(n)) + n * 0.7 * np.eye(2**n)
    np.testing.assert_allclose(model.battery_hamiltonian().toarray(), ref, atol=1e-12)
    psi = model.initial_state()
    assert np.linalg.norm(ref @ psi) < 1e-12          # ground state of H_B^(0), energy 0
    assert abs(np.linalg.norm(psi) - 1) < 1e-12
    # H_SYK conserves the fermion number (Σσ^z)
    number = sum(_op(n, {i: (SZ + np.eye(2)) / 2}) for i in range(n))
    h = model.syk_hamiltonian().toarray()
    assert np.max(np.abs(h @ number - number @ h)) < 1e-12


@pytest.mark.parametrize("keep_battery", [False, True])
def test_syk_sector_solver_matches_brute_force(keep_battery):
    model = SYKBattery(6, 1.0, omega_0=0.8, seed=11, keep_battery=keep_battery)
    t = np.linspace(0, 4, 41)
    red = qbhw.charge(model, t, variances=True)
    full = qbhw.charge(model.full_space(), t)
    for name in ("energy", "work", "ergotropy"):
        np.testing.assert_allclose(getattr(red, name), getattr(full, name), atol=TOL, rtol=0)
    np.testing.assert_allclose(red.power.power, full.power.power, atol=TOL, rtol=0)
    # Robertson bound (errata E13): |P(t)| ≤ 2 ΔE_B(t) ΔE_1
    assert np.all(np.abs(red.power.power) <= 2 * np.sqrt(red.battery_variance * red.charging_variance) + 1e-9)


def test_syk_seeds_are_reproducible_and_distinct():
    a, b, c = SYKBattery(5, seed=4), SYKBattery(5, seed=4), SYKBattery(5, seed=5)
    np.testing.assert_array_equal(a.couplings, b.couplings)
    assert np.max(np.abs(a.couplings - c.couplings)) > 1e-3


def test_syk_coupling_variance():
    """⟨⟨|J_{ij;kl}|²⟩⟩ = J²/N³ (sample over 200 realisations; tol 5 standard errors)."""
    n, coupling = 6, 1.7
    samples = np.concatenate([np.abs(SYKBattery(n, coupling, seed=s).couplings.ravel()) ** 2 for s in range(200)])
    target = coupling**2 / n**3
    sem = samples.std(ddof=1) / np.sqrt(samples.size)
    assert abs(samples.mean() - target) < 5 * sem


def test_syk_charging_variance_matches_exact_disorder_average():
    """E_J[ΔE_1²] = 16 (J²/N³) Σ_{A,B} (‖T_AB ψ_0‖² − |⟨T_AB⟩|²), T_AB = c_i†c_j†c_k c_l (A=(i<j), B=(k<l));
    the sample mean over realisations must agree within 4 standard errors."""
    n, coupling = 6, 1.0
    model0 = SYKBattery(n, coupling)
    psi = model0.initial_state()
    cdag, c = _jordan_wigner(n)
    annihilated = [c[k] @ (c[l] @ psi) for k, l in model0.pairs]
    total = 0.0
    for i, j in model0.pairs:
        for vec in annihilated:
            x = cdag[i] @ (cdag[j] @ vec)
            total += np.vdot(x, x).real - abs(np.vdot(psi, x)) ** 2
    exact = 16 * coupling**2 / n**3 * total
    def variance(model):
        h_psi = model.syk_hamiltonian() @ psi
        return np.vdot(h_psi, h_psi).real - np.vdot(psi, h_psi).real ** 2

    samples = np.array([variance(SYKBattery(n, coupling, seed=s)) for s in range(400)])
    # the model's own ΔE_1² observable (from the sector spectra) is the same number
    t = np.array([0.0, 0.1])
    for s in range(3):
        curve = qbhw.charge(SYKBattery(n, coupling, seed=s), t, variances=True)
        assert curve.charging_variance[0] == pytest.approx(samples[s], abs=1e-10)
    sem = samples.std(ddof=1) / np.sqrt(samples.size)
    assert abs(samples.mean() - exact) < 4 * sem


def test_syk_power_trend_is_superextensive():
    """Disorder-averaged ⟨P⟩_τ̃ between N = 4 and N = 8: log-log slope above 1 by more than 5σ
    (σ propagated from the realisation spread) and within 0.2 of the asymptotic 3/2 (finite-size
    allowance; benchmarks/bench_syk.py extends this to N = 12)."""
    t = np.linspace(0, 3, 151)
    means, sems = [], []
    for n, count in ((4, 80), (8, 16)):
        avg = disorder_average(lambda s, n=n: SYKBattery(n, 1.0, seed=s), range(count), t, ergotropy=False)
        means.append(avg.metadata["mean_max_average_power"])
        sems.append(avg.metadata["sem_max_average_power"])
    slope = np.log(means[1] / means[0]) / np.log(2.0)
    sigma = np.hypot(sems[0] / means[0], sems[1] / means[1]) / np.log(2.0)
    assert slope - 1 > 5 * sigma
    assert abs(slope - 1.5) < 0.2


def test_disorder_average_is_the_mean_of_the_realisations():
    t = np.linspace(0, 2, 21)
    avg = disorder_average(lambda s: SYKBattery(4, seed=s), [1, 2, 3], t)
    curves = [qbhw.charge(SYKBattery(4, seed=s), t) for s in (1, 2, 3)]
    np.testing.assert_allclose(avg.energy, np.mean([c.energy for c in curves], axis=0), atol=1e-14)
    np.testing.assert_allclose(avg.power.power, np.mean([c.power.power for c in curves], axis=0), atol=1e-14)
    assert avg.metadata["max_average_power_per_realisation"] == pytest.approx([c.max_average_power for c in curves])
    with pytest.raises(InvalidArgumentError):
        disorder_average(lambda s: SYKBattery(4, seed=s), [], t)


# ---- MBL chain --------------------------------------------------------------------------

def test_mbl_hamiltonian_matches_review_formula():
    n, h = 5, 0.9
    model = MBLBattery(n, h, j_mean=1.0, j_spread=0.3, j2=0.25, seed=3)
    sx = np.array([[0, 1], [1, 0]], dtype=complex)
    ising = sum(model.j_couplings[j] * _op(n, {j: sx, j + 1: sx}) for j in range(n - 1))
    ising = ising + sum(0.25 * _op(n, {j: sx, j + 2: sx}) for j in range(n - 2))
    battery = sum(h * _op(n, {j: SZ + np.eye(2)}) for j in range(n))
    np.testing.assert_allclose(model.battery_hamiltonian().toarray(), battery, atol=1e-12)
    np.testing.assert_allclose(model.charging_hamiltonian().toarray(), battery + ising, atol=1e-12)
    assert np.all(np.abs(model.j_couplings - 1.0) <= 0.3)
    parity = _op(n, {j: SZ for j in range(n)})
    assert np.max(np.abs(parity @ ising - ising @ parity)) < 1e-12


@pytest.mark.parametrize("kwargs", [dict(), dict(keep_battery=False, disorder="gaussian", periodic=True)])
def test_mbl_matches_brute_force(kwargs):
    model = MBLBattery(6, 1.0, seed=5, **kwargs)
    t = np.linspace(0, 5, 26)
    red = qbhw.charge(model, t)
    full = qbhw.charge(model.full_space(), t)
    for name in ("energy", "work", "ergotropy"):
        np.testing.assert_allclose(getattr(red, name), getattr(full, name), atol=TOL, rtol=0)
    np.testing.assert_allclose(red.power.power, full.power.power, atol=TOL, rtol=0)


def test_mbl_two_spin_closed_form():
    """N = 2, J_2 = 0, no disorder, H_MBL alone: |gg⟩ ↔ |ee⟩ Rabi, E = 2·2h sin²(Jt) (tol 1e-12)."""
    h, j = 0.8, 0.6
    model = MBLBattery(2, h, j_mean=j, j_spread=0.0, j2=0.0, keep_battery=False)
    t = np.linspace(0, 6, 61)
    curve = qbhw.charge(model, t)
    np.testing.assert_allclose(curve.energy, 4 * h * np.sin(j * t) ** 2, atol=1e-12)


def test_syk_mbl_bad_input():
    for bad in (0, -2, 1.5):
        with pytest.raises(InvalidArgumentError):
            SYKBattery(bad)
        with pytest.raises(InvalidArgumentError):
            MBLBattery(bad)
    with pytest.raises(InvalidArgumentError):
        SYKBattery(4, coupling=-1.0)
    with pytest.raises(InvalidArgumentError):
        SYKBattery(4, coupling=float("nan"))
    with pytest.raises(InvalidArgumentError):
        SYKBattery(4, omega_0=0.0)
    with pytest.raises(InvalidArgumentError):
        SYKBattery(30)
    with pytest.raises(InvalidArgumentError):
        MBLBattery(4, h=-1.0)
    with pytest.raises(InvalidArgumentError):
        MBLBattery(4, j_spread=float("nan"))
    with pytest.raises(ConfigError):
        MBLBattery(4, disorder="cauchy")
    with pytest.raises(ConfigError):
        qbhw.charge(SYKBattery(3), np.linspace(0, 1, 3), bogus=True)
