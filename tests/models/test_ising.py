"""Transverse-field Ising battery (Hoang, Metz et al., arXiv:2308.03334): model + solver vs independent routes.

Independent routes:
* brute force: scipy ``expm`` of the Hamiltonian built here from Kronecker products of 2×2 Paulis
  (not the model's matrices), battery state by an explicit partial trace and ergotropy by
  :func:`qbhw.metrics.ergotropy` (tol 1e-10);
* the generic :func:`qbhw.charge` path on ``full_space()`` (propagation, partial trace and
  ergotropy of :mod:`qbhw.metrics`), which shares none of the Ising solver's batched code (tol 1e-10);
* the ibm_perth data file's exact columns ``E_B_exact``, ``W_exact``, ``ergotropy_exact`` for both
  cases (xx_N2_M1 with the field off while charging, tfim_N4_M2), tol 1e-6 (6 printed decimals);
* the 2-qubit closed forms W = 2|h| sin²(Jt), 𝓔 = 2|h| max(0, −cos 2Jt) for h < 0 (tol 1e-12).
"""

from pathlib import Path

import numpy as np
import pytest
from scipy.linalg import expm

import qbhw
from qbhw.errors import ConfigError, InvalidArgumentError
from qbhw.fit import read_csv
from qbhw.fit.ising import ising_work, ising_work_batch
from qbhw.metrics import ergotropy
from qbhw.models import TransverseIsingBattery
from qbhw.models.ising import MAX_CHAIN_QUBITS
from qbhw.solvers import ising_work_grid

DATA = Path(__file__).resolve().parents[1] / "data" / "ibm_perth_tfim_battery_vqergo.csv"
X = np.array([[0, 1], [1, 0]], dtype=complex)
Z = np.diag([1.0, -1.0]).astype(complex)


def site(op, i, n):
    """op on qubit i of n (little-endian: qubit 0 is the rightmost Kronecker factor)."""
    m = np.eye(1, dtype=complex)
    for k in range(n - 1, -1, -1):
        m = np.kron(m, op if k == i else np.eye(2))
    return m


def brute_force(times, coupling, field, n, m, field_in_charging=True):
    """(E, W, ergotropy) from expm of the Kronecker-built H and an explicit partial trace."""
    h = sum(coupling * site(X, i, n) @ site(X, i + 1, n) for i in range(n - 1))
    if field_in_charging:
        h = h + sum(field * site(Z, i, n) for i in range(n))
    hb_local = sum(field * site(Z, i, m) for i in range(m)) + m * abs(field) * np.eye(2**m)
    psi0 = np.zeros(2**n, dtype=complex)
    psi0[0] = 1
    e, erg = [], []
    for t in times:
        psi = expm(-1j * h * t) @ psi0
        amp = psi.reshape(2 ** (n - m), 2**m)  # rows: qubits m…n−1, columns: battery qubits 0…m−1
        rho_b = amp.T @ amp.conj()
        e.append(np.real(np.trace(hb_local @ rho_b)))
        erg.append(ergotropy(rho_b, hb_local))
    e = np.array(e)
    e0 = m * field + m * abs(field)
    return e, e - e0, np.array(erg)


CASES = [(2, 1, -2.0, -0.6, False), (2, 1, -1.3, -0.6, True), (3, 2, 0.7, -0.6, True), (4, 2, -2.0, -0.6, True),
         (5, 1, -1.3, 0.4, True), (5, 3, 1.1, 0.8, False)]


@pytest.mark.parametrize("n,m,j,h,field_on", CASES)
def test_charge_matches_brute_force(n, m, j, h, field_on):
    t = np.linspace(0, 2, 9)
    curve = qbhw.charge(TransverseIsingBattery(n, m, j, h, field_in_charging=field_on), t)
    e, w, erg = brute_force(t, j, h, n, m, field_on)
    np.testing.assert_allclose(curve.energy, e, atol=1e-10, rtol=0)
    np.testing.assert_allclose(curve.work, w, atol=1e-10, rtol=0)
    np.testing.assert_allclose(curve.ergotropy, erg, atol=1e-10, rtol=0)
    # the fit's wrappers are the same curve (tol 1e-10), and W is even in J
    np.testing.assert_allclose(ising_work(t, j, h, n, m, field_in_charging=field_on), w, atol=1e-10, rtol=0)
    np.testing.assert_allclose(ising_work(t, -j, h, n, m, field_in_charging=field_on), w, atol=1e-10, rtol=0)


@pytest.mark.parametrize("n,m,j,h,field_on", CASES[1:5])
def test_full_space_generic_path_agrees(n, m, j, h, field_on):
    """The registered solver vs the generic charge() path on full_space() (its own propagation,
    partial trace and ergotropy): energy, work, analytic power, ergotropy, tol 1e-10."""
    model = TransverseIsingBattery(n, m, j, h, field_in_charging=field_on)
    fs = model.full_space()
    for a, b in ((fs.battery_hamiltonian(), model.battery_hamiltonian()), (fs.interaction(), model.interaction()),
                 (fs.charger_hamiltonian(), model.charger_hamiltonian())):
        assert abs(a - b).max() == 0  # it is its own full space: the same matrices
    t = np.linspace(0, 3, 31)
    fast = qbhw.charge(model, t)
    generic = qbhw.charge(fs, t)
    for name in ("energy", "work", "ergotropy"):
        np.testing.assert_allclose(getattr(fast, name), getattr(generic, name), atol=1e-10, rtol=0)
    np.testing.assert_allclose(fast.power.power, generic.power.power, atol=1e-10, rtol=0)
    # analytic power = dW/dt: second-order finite difference at dt = 5e-4 (error ~ dt² |d³W/dt³|, tol 1e-4)
    fine = np.linspace(0, 1, 2001)
    curve = qbhw.charge(model, fine, ergotropy=False)
    fd = np.gradient(curve.work, fine, edge_order=2)
    assert np.max(np.abs(curve.power.power - fd)) < 1e-4


def test_charging_hamiltonian_is_the_documented_generator():
    """H_B + H_C + H_1 = J Σ XX + h Σ Z + M|h| (field on) and J Σ XX + M|h| (field off), Kronecker-built."""
    n, m, j, h = 4, 2, -1.7, 0.45
    xx = sum(j * site(X, i, n) @ site(X, i + 1, n) for i in range(n - 1))
    field = sum(h * site(Z, i, n) for i in range(n))
    shift = m * abs(h) * np.eye(2**n)
    on = TransverseIsingBattery(n, m, j, h).charging_hamiltonian().toarray()
    off = TransverseIsingBattery(n, m, j, h, field_in_charging=False).charging_hamiltonian().toarray()
    np.testing.assert_allclose(on, xx + field + shift, atol=1e-14)
    np.testing.assert_allclose(off, xx + shift, atol=1e-14)
    model = TransverseIsingBattery(n, m, j, h)
    total = model.battery_hamiltonian() + model.charger_hamiltonian() + model.interaction()
    np.testing.assert_allclose(total.toarray(), on, atol=1e-14)
    assert np.min(np.diag(model.battery_hamiltonian().toarray()).real) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("case,n,m,field_on", [("xx_N2_M1", 2, 1, False), ("tfim_N4_M2", 4, 2, True)])
def test_perth_file_exact_columns(case, n, m, field_on):
    """E_B_exact, W_exact and ergotropy_exact of the data file (tol 1e-6, its printed precision)."""
    rows = read_csv(DATA).where(case=case)
    t = rows.numeric("t")
    curve = qbhw.charge(TransverseIsingBattery(n, m, -2.0, -0.6, field_in_charging=field_on), t)
    np.testing.assert_allclose(curve.energy - m * 0.6, rows.numeric("E_B_exact"), atol=1e-6, rtol=0)
    np.testing.assert_allclose(curve.work, rows.numeric("W_exact"), atol=1e-6, rtol=0)
    np.testing.assert_allclose(curve.ergotropy, rows.numeric("ergotropy_exact"), atol=1e-6, rtol=0)


def test_two_qubit_closed_forms():
    """H = J X0X1, h < 0: W = 2|h| sin²(Jt); the reduced state diag(cos², sin²) has 𝓔 = 2|h| max(0, −cos 2Jt)."""
    t = np.linspace(0, 3, 61)
    curve = qbhw.charge(TransverseIsingBattery(2, 1, -2.0, -0.6, field_in_charging=False), t)
    np.testing.assert_allclose(curve.work, 1.2 * np.sin(2 * t) ** 2, atol=1e-12)
    np.testing.assert_allclose(curve.ergotropy, 1.2 * np.maximum(0, -np.cos(4 * t)), atol=1e-12)


def test_work_is_measured_from_t_zero():
    """W = E(t) − E(0) with the exact E(0) = M(h + |h|), also when the grid does not start at 0."""
    t = np.linspace(0.3, 1.5, 7)
    for h in (-0.6, 0.6):
        model = TransverseIsingBattery(3, 2, -1.0, h)
        curve = qbhw.charge(model, t)
        np.testing.assert_allclose(curve.work, brute_force(t, -1.0, h, 3, 2)[1], atol=1e-10, rtol=0)
        assert model.initial_energy == pytest.approx(2 * (h + abs(h)))


def test_work_grid_matches_charge_for_every_coupling():
    t = np.linspace(0, 1.5, 16)
    grid = np.array([0.3, 1.0, 2.0, -2.5])
    batch = ising_work_grid(t, grid, -0.6, 4, 2)
    assert batch.shape == (4, 16)
    for row, j in zip(batch, grid):
        np.testing.assert_allclose(row, qbhw.charge(TransverseIsingBattery(4, 2, j, -0.6), t).work, atol=1e-10)
    np.testing.assert_allclose(ising_work_batch(t, grid, -0.6, 4, 2), batch, atol=0)


def test_battery_state_of_vector_and_density_matrix_agree():
    model = TransverseIsingBattery(4, 2, 0.9, -0.3)
    rng = np.random.default_rng(1)
    psi = rng.normal(size=16) + 1j * rng.normal(size=16)
    psi /= np.linalg.norm(psi)
    rho_b = model.battery_state(psi)
    np.testing.assert_allclose(rho_b, model.battery_state(np.outer(psi, psi.conj())), atol=1e-14)
    np.testing.assert_allclose(rho_b, model.full_space().battery_state(psi), atol=1e-14)  # metrics.partial_trace
    assert rho_b.shape == (4, 4) and np.trace(rho_b) == pytest.approx(1.0)


def test_larger_chain_uses_the_sparse_route():
    """n = 11 (above the dense limit of 2^10): scipy's expm_multiply (the default there) vs the
    Chebyshev–Bessel propagator, two independent sparse routes (tol 1e-9); at n = 6 expm_multiply vs
    the dense diagonalisation (tol 1e-9)."""
    t = np.linspace(0, 1.0, 6)
    model = TransverseIsingBattery(11, 2, -1.0, -0.6)
    sparse = qbhw.charge(model, t)
    cheb = qbhw.charge(model, t, method="chebyshev")
    np.testing.assert_allclose(sparse.work, cheb.work, atol=1e-9, rtol=0)
    np.testing.assert_allclose(sparse.ergotropy, cheb.ergotropy, atol=1e-9, rtol=0)
    small = TransverseIsingBattery(6, 3, -1.0, -0.6)
    np.testing.assert_allclose(qbhw.charge(small, t, method="expm_multiply").ergotropy,
                               qbhw.charge(small, t).ergotropy, atol=1e-9, rtol=0)


def test_ising_bad_input():
    with pytest.raises(InvalidArgumentError) as info:
        TransverseIsingBattery(MAX_CHAIN_QUBITS + 1, 1, 1.0, -0.6)
    assert info.value.argument == "n_qubits"
    for bad in (1, 0, 2.5, "4"):
        with pytest.raises(InvalidArgumentError):
            TransverseIsingBattery(bad, 1, 1.0, -0.6)
    with pytest.raises(InvalidArgumentError) as info:
        TransverseIsingBattery(3, 4, 1.0, -0.6)
    assert info.value.argument == "m_cells"
    for bad in (float("nan"), float("inf")):
        with pytest.raises(InvalidArgumentError):
            TransverseIsingBattery(3, 1, bad, -0.6)
        with pytest.raises(InvalidArgumentError):
            TransverseIsingBattery(3, 1, 1.0, bad)
    with pytest.raises(InvalidArgumentError) as info:
        TransverseIsingBattery(3, 1, 1.0, -0.6, field_in_charging="yes")
    assert info.value.argument == "field_in_charging"
    with pytest.raises(ConfigError) as info:
        qbhw.charge(TransverseIsingBattery(3, 2, 1.0, -0.6), np.linspace(0, 1, 3), space="symmetric")
    assert info.value.argument == "space"
    with pytest.raises(ConfigError):
        qbhw.charge(TransverseIsingBattery(3, 2, 1.0, -0.6), np.linspace(0, 1, 3), unknown_option=1)
    with pytest.raises(InvalidArgumentError):
        ising_work_grid([0.0, 0.1], [1.0], -0.6, 11, 1)  # beyond the dense limit of the grid route
