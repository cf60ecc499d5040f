"""Closed forms used by the fit models, each checked against an independent route.

* damped Rabi p_e(t): QuTiP ``mesolve`` of the same Lindblad model (tol 1e-7, set by the ODE
  tolerance 1e-10);
* high-temperature star polarisation: brute-force full-space trace Tr[σ_B^z(t) ρ_dev]/2^{𝒩+1}
  with numpy ``eigh`` for 𝒩 ≤ 5 (tol 1e-10), the first-maximum table of seed-spec §3.4
  (tol 2e-3, the table's rounding), the short-time coefficient 2𝒩 (tol 1e-6 relative), and
  the StarBattery model of qbhw.models (tol 1e-10);
* transverse-field Ising work: scipy ``expm`` of a Kronecker-built Hamiltonian (tol 1e-10) and
  the W_exact column of the ibm_perth file (tol 1e-6, its printed precision).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

from qbhw.fit import (
    damped_rabi_excited_population,
    ising_work,
    read_csv,
    star_high_temperature_polarization,
    star_high_temperature_series,
    two_qubit_xx_work,
)

X = np.array([[0, 1], [1, 0]], dtype=complex)
Z = np.diag([1.0, -1.0]).astype(complex)
SM = np.array([[0, 1], [0, 0]], dtype=complex)  # sigma^- = |g><e| = |0><1|
SZ_REVIEW = np.diag([-1.0, 1.0])  # review sigma^z = -Z


def site(op, i, n):
    """op on qubit i of n (little-endian: qubit 0 is the rightmost Kronecker factor)."""
    m = np.eye(1, dtype=complex)
    for k in range(n - 1, -1, -1):
        m = np.kron(m, op if k == i else np.eye(2))
    return m


@pytest.mark.parametrize("omega,t1,t2", [(1.0, 2.0, 1.5), (0.3, 1.0, 0.4), (0.25, 1.0, 2.0), (2.0, 5.0, 9.0)])
def test_damped_rabi_matches_qutip(omega, t1, t2):
    qt = pytest.importorskip("qutip")
    t = np.linspace(0, 10, 41)
    g, e = qt.basis(2, 0), qt.basis(2, 1)
    sp = e * g.dag()
    H = omega * (sp + sp.dag())
    gamma_phi = 1 / t2 - 1 / (2 * t1)
    c_ops = [np.sqrt(1 / t1) * g * e.dag(), np.sqrt(gamma_phi / 2) * (e * e.dag() - g * g.dag())]
    r = qt.mesolve(H, g * g.dag(), t, c_ops, e_ops=[e * e.dag()], options={"atol": 1e-11, "rtol": 1e-11})
    assert np.max(np.abs(r.expect[0] - damped_rabi_excited_population(t, omega, t1, t2))) < 1e-7


def test_damped_rabi_limits_and_symmetry():
    t = np.linspace(0, 20, 101)
    # undamped limit: sin^2(omega t) (tol 1e-9 at T1 = T2 = 1e12)
    assert np.allclose(damped_rabi_excited_population(t, 0.7, 1e12, 1e12), np.sin(0.7 * t) ** 2, atol=1e-9)
    # exact T1 <-> T2 symmetry of p_e (documented identifiability limit), tol 1e-13
    assert np.allclose(damped_rabi_excited_population(t, 0.7, 3.0, 1.2),
                       damped_rabi_excited_population(t, 0.7, 1.2, 3.0), atol=1e-13)
    # critical damping (mu = 0) is continuous: omega = |1/T1 - 1/T2|/4
    crit = damped_rabi_excited_population(t, 0.25, 1.0, 0.5)
    near = damped_rabi_excited_population(t, 0.25 + 1e-7, 1.0, 0.5)
    assert np.allclose(crit, near, atol=1e-6)


def brute_force_star_polarization(t, coupling, n):
    nq = n + 1  # battery = qubit 0
    sp, sm = SM.T, SM
    H = sum(coupling * (site(sp, 0, nq) @ site(sm, j, nq) + site(sm, 0, nq) @ site(sp, j, nq)) for j in range(1, nq))
    sz = [site(SZ_REVIEW, k, nq) for k in range(nq)]
    dev = -sz[0] + sum(sz[1:])
    w, v = np.linalg.eigh(H)
    out = []
    for tt in t:
        u = v @ np.diag(np.exp(-1j * w * tt)) @ v.conj().T
        out.append(np.real(np.trace(u.conj().T @ sz[0] @ u @ dev)) / 2**nq)
    return np.array(out)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_star_high_temperature_matches_brute_force(n):
    t = np.linspace(0, 3, 13)
    assert np.allclose(star_high_temperature_polarization(t, 0.7, n), brute_force_star_polarization(t, 0.7, n),
                       atol=1e-10)


def test_star_high_temperature_first_maximum_table():
    # seed-spec 3.4: first maximum of <sigma_B^z>/eps and its position J t sqrt(N)
    table = {1: (1.570, 1.000), 2: (1.570, 1.000), 3: (1.660, 1.104), 4: (1.722, 1.178), 6: (1.806, 1.272),
             8: (1.858, 1.329), 10: (1.896, 1.368)}
    x = np.linspace(0.01, 2.2, 200001)
    for n, (x_ref, p_ref) in table.items():
        p = star_high_temperature_polarization(x / np.sqrt(n), 1.0, n)
        i = int(np.argmax(p))
        assert abs(x[i] - x_ref) < 2e-3 and abs(p[i] - p_ref) < 2e-3, n


@pytest.mark.parametrize("n", [1, 3, 7, 36])
def test_star_high_temperature_short_time_series(n):
    t = np.array([1e-4, 2e-4])
    p = star_high_temperature_polarization(t, 0.5, n)
    series = star_high_temperature_series(t, 0.5, n)
    assert np.allclose((p + 1) / (series + 1), 1.0, rtol=1e-6)  # coefficient 2N J^2 exactly
    assert star_high_temperature_polarization(0.0, 0.5, n) == pytest.approx(-1.0, abs=1e-12)


def test_star_n1_and_n2_are_the_same_curve():
    t = np.linspace(0, 5, 50)
    assert np.allclose(star_high_temperature_polarization(t, 1.0, 1), -np.cos(2 * t), atol=1e-13)
    assert np.allclose(star_high_temperature_polarization(t / np.sqrt(2), 1.0, 2), -np.cos(2 * t), atol=1e-13)


def test_star_high_temperature_matches_star_battery_model():
    models = pytest.importorskip("qbhw.models")
    import qbhw

    t = np.linspace(0.0, 4.0, 30)
    for n in (3, 6):
        curve = qbhw.charge(models.StarBattery(n, 0.45, initial="high_temperature"), t, ergotropy=False)
        assert np.allclose(curve.polarization, star_high_temperature_polarization(t, 0.45, n), atol=1e-10)


def brute_force_ising(times, coupling, field, n, m, field_in_charging=True):
    H = sum(coupling * site(X, i, n) @ site(X, i + 1, n) for i in range(n - 1))
    if field_in_charging:
        H = H + sum(field * site(Z, i, n) for i in range(n))
    hb = sum(field * site(Z, i, n) for i in range(m))
    psi0 = np.zeros(2**n, dtype=complex)
    psi0[0] = 1
    out = []
    for t in times:
        psi = expm(-1j * H * t) @ psi0
        out.append(np.real(psi.conj() @ hb @ psi) - m * field)
    return np.array(out)


@pytest.mark.parametrize("n,m,field_on", [(2, 1, False), (2, 1, True), (3, 2, True), (4, 2, True), (5, 1, True)])
def test_ising_work_matches_expm(n, m, field_on):
    t = np.linspace(0, 2, 9)
    ref = brute_force_ising(t, -1.3, -0.6, n, m, field_on)
    assert np.allclose(ising_work(t, -1.3, -0.6, n, m, field_in_charging=field_on), ref, atol=1e-10)
    # W is even in J (only |J| is identifiable), tol 1e-10
    assert np.allclose(ising_work(t, 1.3, -0.6, n, m, field_in_charging=field_on), ref, atol=1e-10)


def test_two_qubit_closed_form_and_file_columns(perth_csv):
    t = np.linspace(0, 3, 31)
    # W = -2h sin^2(J t) = 2|h| sin^2(|J| t) for h < 0 (derived in qbhw.fit.ising), tol 1e-12
    assert np.allclose(two_qubit_xx_work(t, -2.0, -0.6), ising_work(t, -2.0, -0.6, 2, 1, field_in_charging=False),
                       atol=1e-12)
    assert np.allclose(two_qubit_xx_work(t, -2.0, -0.6), 1.2 * np.sin(2 * t) ** 2, atol=1e-12)
    table = read_csv(perth_csv)
    xx = table.where(case="xx_N2_M1")
    assert np.allclose(two_qubit_xx_work(xx.numeric("t"), -2.0, -0.6), xx.numeric("W_exact"), atol=1e-6)
    tf = table.where(case="tfim_N4_M2")
    assert np.allclose(ising_work(tf.numeric("t"), -2.0, -0.6, 4, 2), tf.numeric("W_exact"), atol=1e-6)


@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_star_sector_frequencies_match_the_irrep_derivation(n):
    """The solver-sector frequencies/weights (qbhw.solvers.star) vs the spin-j irrep sum written out here:
    blocks k = √(j(j+1) − m(m+1)), m = −j … j−1, weight −4 d_j/2^{𝒩+1}; constant Σ_j d_j 2(2j − 1)/2^{𝒩+1}
    (tol 1e-12 after merging equal k)."""
    from math import comb

    from qbhw.fit.closed_forms import star_sector_frequencies

    terms, const = {}, 0.0
    for two_j in range(n, -1, -2):
        j = two_j / 2
        a = (n - two_j) // 2
        d = comb(n, a) - (comb(n, a - 1) if a else 0)
        const += d * 2 * (2 * j - 1) / 2 ** (n + 1)
        for two_m in range(-two_j, two_j, 2):
            m = two_m / 2
            key = round(np.sqrt(j * (j + 1) - m * (m + 1)), 12)
            terms[key] = terms.get(key, 0.0) - 4 * d / 2 ** (n + 1)
    k, w, c = star_sector_frequencies(n)
    assert c == pytest.approx(const, abs=1e-12)
    assert np.allclose(k, sorted(terms), atol=1e-12)
    assert np.allclose(w, [terms[key] for key in sorted(terms)], atol=1e-12)


def test_star_high_temperature_polarization_is_vectorised_in_coupling():
    t = np.linspace(0, 3, 7)
    grid = np.array([[0.3, 0.5], [0.7, 0.9]])
    out = star_high_temperature_polarization(t, grid, 5)
    assert out.shape == (2, 2, 7)
    for idx in np.ndindex(2, 2):
        assert np.allclose(out[idx], star_high_temperature_polarization(t, grid[idx], 5), atol=1e-14)
