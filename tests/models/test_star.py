"""Star (central-spin) battery: collective-spin sector solver vs brute force, closed forms and RR-27.

Independent routes:
* brute force: ``full_space()`` on all 2^(𝒩+1) states — the generic ``qbhw.charge`` path for the
  pure state (battery state by partial trace, ergotropy by diagonalisation), a density-matrix
  propagation with ``qbhw.solvers.propagate`` for the high-temperature state (𝒩 ≤ 8, tol 1e-8) and
  a dense-diagonalisation density-matrix evolution for the thermal state (𝒩 ≤ 6, tol 1e-10);
* closed forms: p_e = sin²(J√𝒩 t) (pure, tol 1e-6 required, 1e-12 reached) and the 2×2-block
  sum for the high-temperature polarisation written out in the test;
* published numbers: the RR-27 first-maximum table (tol 1e-3) and the short-time law
  ⟨σ_B^z⟩/ε = −1 + 2𝒩J²t² + O(t⁴).
"""

from math import comb

import numpy as np
import pytest

import qbhw
from qbhw.errors import ConfigError, InvalidArgumentError
from qbhw.metrics import ergotropy
from qbhw.models import StarBattery
from qbhw.models.star import charger_spin_sectors
from qbhw.solvers import propagate, star_polarization

TOL = 1e-8


def _brute_force_polarization(model: StarBattery, times):
    """⟨σ_B^z⟩/ε by propagating the full 2^(𝒩+1) density matrix."""
    fs = model.full_space()
    h = fs.h_battery + fs.h_charger + fs.h_interaction
    dim = fs.dimension
    sz_b = np.where(np.arange(dim) & 1, 1.0, -1.0)  # battery = site 0, σ^z = −Z
    eps = model.epsilon if model.epsilon is not None else model.epsilon_max
    return np.array([np.real(np.sum(sz_b * np.diag(rho))) for rho in propagate(h, fs.psi0, times)]) / eps


def _closed_form_polarization(n, coupling, times):
    """P(t) = 2^{−(𝒩+1)} Σ_s d_s [2(2s − 1) − 4 Σ_{m=−s+1}^{s} cos(2J√((s+m)(s−m+1)) t)] (resonant, w = 1).

    Each block {|g; s, m⟩, |e; s, m−1⟩} contributes −4cos(2Ω t); the two uncoupled states
    |g; s, −s⟩ and |e; s, s⟩ contribute 2s − 1 each.
    """
    total = np.zeros_like(times)
    for k in range(n // 2 + 1):
        s = n / 2 - k
        d = comb(n, k) - (comb(n, k - 1) if k else 0)
        block = 2 * (2 * s - 1) * np.ones_like(times)
        for m in np.arange(-s + 1, s + 1):
            block -= 4 * np.cos(2 * coupling * np.sqrt((s + m) * (s - m + 1)) * times)
        total += d * block
    return total / 2 ** (n + 1)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 36])
def test_pure_state_sin_squared_law(n):
    coupling = 0.37
    t = np.linspace(0, 8, 400)
    curve = qbhw.charge(StarBattery(n, coupling, omega_b=1.3), t)
    expected = np.sin(coupling * np.sqrt(n) * t) ** 2
    np.testing.assert_allclose(curve.excited_population, expected, atol=1e-6, rtol=0)  # RR-27 tol 1e-6
    np.testing.assert_allclose(curve.energy, 1.3 * expected, atol=1e-6, rtol=0)
    # full charge at τ̄ = π/(2J√𝒩)
    assert abs(curve.tau_energy_peak - np.pi / (2 * coupling * np.sqrt(n))) < 1e-4


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 8])
def test_pure_state_matches_brute_force(n):
    model = StarBattery(n, 0.8, omega_b=1.1, omega_c=1.0 if n % 2 else 1.1)  # odd 𝒩: detuned chargers
    t = np.linspace(0, 3, 31)
    red = qbhw.charge(model, t)
    fs = model.full_space()
    full = qbhw.charge(fs, t, ergotropy=False)
    for name in ("energy", "work"):
        np.testing.assert_allclose(getattr(red, name), getattr(full, name), atol=TOL, rtol=0)
    np.testing.assert_allclose(red.power.power, full.power.power, atol=TOL, rtol=0)
    # ergotropy of the battery spin from the full state: trace out the chargers (sites 1…𝒩 are the
    # leading axes of the reshaped vector), then sort eigenvalues against diag(0, ω_b)
    h_b = np.diag([0.0, 1.1])
    for k, psi in enumerate(propagate(fs.charging_hamiltonian(), fs.psi0, t[::3])):
        amp = psi.reshape(2**n, 2)
        rho_b = amp.T @ amp.conj()
        assert abs(ergotropy(rho_b, h_b) - red.ergotropy[3 * k]) < TOL


@pytest.mark.parametrize("n,weight,omega_c", [(1, 1.0, None), (2, 1.0, None), (3, 0.6, None), (5, 1.0, 1.4),
                                              (8, 1.0, None)])
def test_high_temperature_matches_brute_force(n, weight, omega_c):
    model = StarBattery(n, 0.9, initial="high_temperature", charger_weight=weight, omega_c=omega_c)
    t = np.linspace(0, 4, 17 if n == 8 else 41)
    np.testing.assert_allclose(star_polarization(model, t), _brute_force_polarization(model, t), atol=TOL, rtol=0)


def test_high_temperature_model_space_pieces_are_consistent():
    """Propagating the sector-space density matrix with the model's own H and reducing with
    battery_state() gives the same polarisation as the sector solver (tol 1e-8)."""
    model = StarBattery(4, 0.7, initial="high_temperature", epsilon=0.05)
    t = np.linspace(0, 3, 21)
    h = model.charging_hamiltonian()
    sz = np.array([np.real(r[1, 1] - r[0, 0]) for r in
                   (model.battery_state(rho) for rho in propagate(h, model.initial_state(), t))])
    np.testing.assert_allclose(sz / 0.05, star_polarization(model, t), atol=TOL, rtol=0)
    assert abs(np.trace(model.initial_state()) - 1) < 1e-12


@pytest.mark.parametrize("initial", ["pure", "high_temperature"])
@pytest.mark.parametrize("n,omega_c,weight", [(1, None, 1.0), (4, 1.4, 0.6), (9, None, 1.0), (36, 0.7, 1.2)])
def test_rabi_block_solver_matches_sector_diagonalisation(initial, n, omega_c, weight):
    """Default closed-form 2×2 blocks vs numerical diagonalisation of each sector (tol 1e-11)."""
    if initial == "pure":
        weight = 1.0
    model = StarBattery(n, 0.7, 1.1, initial, omega_c=omega_c, charger_weight=weight)
    t = np.linspace(0, 5, 200)
    blocks = qbhw.charge(model, t, method="blocks")
    eigh = qbhw.charge(model, t, method="eigh")
    np.testing.assert_allclose(blocks.polarization, eigh.polarization, atol=1e-11, rtol=0)
    np.testing.assert_allclose(blocks.power.power, eigh.power.power, atol=1e-11, rtol=0)


@pytest.mark.parametrize("n", [1, 4, 10, 36])
def test_high_temperature_matches_closed_form(n):
    t = np.linspace(0, 5, 301)
    model = StarBattery(n, 0.6, initial="high_temperature")
    np.testing.assert_allclose(star_polarization(model, t), _closed_form_polarization(n, 0.6, t), atol=1e-10, rtol=0)


@pytest.mark.parametrize("n", [1, 2, 7, 36])
def test_short_time_law(n):
    """(P(t) + 1)/t² → 2𝒩J²; the O(t⁴) remainder is bounded by relative 𝒩J²t² at Jt = 1e-3."""
    coupling = 0.5
    t = np.array([0.0, 2e-3])
    p = star_polarization(StarBattery(n, coupling, initial="high_temperature"), t)
    assert p[0] == pytest.approx(-1.0, abs=1e-14)
    coeff = (p[1] + 1) / t[1] ** 2
    target = 2 * n * coupling**2
    assert abs(coeff / target - 1) <= n * coupling**2 * t[1] ** 2


# RR-27 (seed-spec §3.4): first maximum of ⟨σ_B^z⟩/ε and its position J t √𝒩
FIRST_MAXIMA = {1: (1.000, 1.570), 2: (1.000, 1.570), 3: (1.104, 1.660), 4: (1.178, 1.722),
                6: (1.272, 1.806), 8: (1.329, 1.858), 10: (1.368, 1.896)}


@pytest.mark.parametrize("n", sorted(FIRST_MAXIMA))
def test_first_maximum_table(n):
    coupling = 1.0
    x = np.linspace(0, 2.5, 2501)  # J t √𝒩
    curve = qbhw.charge(StarBattery(n, coupling, initial="high_temperature"), x / (coupling * np.sqrt(n)))
    p_max = 2 * curve.power.work_at_energy_peak / 1.0 - 1  # energy per ε = ω_b(1 + P)/2
    x_max = curve.tau_energy_peak * coupling * np.sqrt(n)
    value, position = FIRST_MAXIMA[n]
    assert abs(p_max - value) <= 1e-3
    assert abs(x_max - position) <= 1e-3


def test_high_temperature_curve_units():
    t = np.linspace(0, 4, 201)
    omega_b = 1.7
    lin = qbhw.charge(StarBattery(6, 0.5, omega_b, "high_temperature"), t)
    p = lin.polarization
    np.testing.assert_allclose(lin.energy, omega_b * (1 + p) / 2, atol=1e-14)
    np.testing.assert_allclose(lin.work, lin.energy, atol=1e-14)           # starts at P = −1 → energy 0
    np.testing.assert_allclose(lin.ergotropy, omega_b * np.maximum(0, p), atol=1e-14)
    # analytic power = d/dt of the work (compared with a finite difference, tol 1e-4 at dt = 0.02)
    np.testing.assert_allclose(lin.power.power[1:-1], np.gradient(lin.work, t)[1:-1], atol=1e-3 * omega_b)
    eps = 0.01
    fin = qbhw.charge(StarBattery(6, 0.5, omega_b, "high_temperature", epsilon=eps), t)
    np.testing.assert_allclose(fin.polarization, p, atol=1e-12)
    np.testing.assert_allclose(fin.energy, omega_b * (1 + eps * p) / 2, atol=1e-14)
    np.testing.assert_allclose(fin.ergotropy, omega_b * np.maximum(0, eps * p), atol=1e-14)


def test_reduced_battery_state_is_diagonal_so_ergotropy_formula_holds():
    """Brute force (𝒩 = 3, pure): the battery's reduced state has no coherence; ergotropy = ω_b max(0, ⟨σ^z⟩)."""
    model = StarBattery(3, 0.9, omega_b=1.0)
    fs = model.full_space()
    for rho_b in (fs.battery_state(psi) for psi in propagate(fs.charging_hamiltonian(), fs.psi0, np.linspace(0, 3, 7))):
        assert abs(rho_b[0, 1]) < 1e-12


@pytest.mark.parametrize("n", [1, 2, 3, 10, 36, 41])
def test_sector_multiplicities_count_all_states(n):
    sectors = charger_spin_sectors(n)
    assert sum(d * (2 * s + 1) for s, d in sectors) == 2**n
    assert all(d >= 1 for _, d in sectors)


def _brute_force_thermal(model: StarBattery, times):
    """(E, ⟨σ_B^z⟩, ergotropy, power) from the full 2^(𝒩+1) thermal density matrix, propagated by
    dense diagonalisation of the full_space() Hamiltonian; the battery state by partial trace."""
    fs = model.full_space()
    h = (fs.h_battery + fs.h_charger + fs.h_interaction).toarray()
    hb = fs.h_battery.toarray()
    evals, vecs = np.linalg.eigh(h)
    rho0 = vecs.conj().T @ fs.psi0 @ vecs
    h_b = np.diag([0.0, model.omega_b])
    comm = 1j * (h @ hb - hb @ h)  # P = Tr[ρ i[H, H_B]] (review Eq. 10)
    out = {"energy": [], "sz": [], "ergotropy": [], "power": []}
    for t in times:
        ph = np.exp(-1j * evals * t)
        rho = vecs @ (ph[:, None] * rho0 * ph.conj()[None, :]) @ vecs.conj().T
        rho_b = fs.battery_state(rho)
        out["energy"].append(np.real(np.trace(hb @ rho)))
        out["sz"].append(np.real(rho_b[1, 1] - rho_b[0, 0]))
        out["ergotropy"].append(ergotropy(rho_b, h_b))
        out["power"].append(np.real(np.trace(comm @ rho)))
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("n", [1, 2, 3, 5, 6])
@pytest.mark.parametrize("beta,omega_c", [(0.0, None), (0.4, None), (1.5, 0.7), (3.0, 1.3)])
def test_thermal_matches_full_space_density_matrix(n, beta, omega_c):
    """Thermal initial state (every spin thermal at β, chargers π-pulsed) vs the brute-force
    full-space density-matrix evolution, 𝒩 ≤ 6, β = 0 … 3, resonant and detuned chargers (tol 1e-10)."""
    model = StarBattery(n, 0.6, omega_b=1.1, initial="thermal", beta=beta, omega_c=omega_c)
    t = np.linspace(0, 4, 23)
    curve = qbhw.charge(model, t)
    ref = _brute_force_thermal(model, t)
    np.testing.assert_allclose(curve.energy, ref["energy"], atol=1e-10, rtol=0)
    np.testing.assert_allclose(curve.work, ref["energy"] - ref["energy"][0], atol=1e-10, rtol=0)
    np.testing.assert_allclose(curve.polarization, ref["sz"], atol=1e-10, rtol=0)
    np.testing.assert_allclose(curve.ergotropy, ref["ergotropy"], atol=1e-10, rtol=0)
    np.testing.assert_allclose(curve.power.power, ref["power"], atol=1e-10, rtol=0)
    eigh = qbhw.charge(model, t, method="eigh")  # numerical sector diagonalisation (tol 1e-10)
    np.testing.assert_allclose(eigh.polarization, curve.polarization, atol=1e-10, rtol=0)


def test_thermal_state_in_the_sector_space():
    """The sector-space density matrix has trace 1, and propagating it with the model's own H and
    reducing with battery_state() gives the solver's ⟨σ_B^z⟩ (tol 1e-10)."""
    model = StarBattery(4, 0.7, initial="thermal", beta=0.8, omega_c=1.2)
    rho0 = model.initial_state()
    assert abs(np.trace(rho0) - 1) < 1e-12 and np.allclose(rho0, np.diag(np.diag(rho0)))
    t = np.linspace(0, 3, 13)
    sz = [np.real(r[1, 1] - r[0, 0]) for r in
          (model.battery_state(rho) for rho in propagate(model.charging_hamiltonian(), rho0, t))]
    np.testing.assert_allclose(sz, star_polarization(model, t), atol=1e-10, rtol=0)


def test_thermal_limits():
    """β = 0: the maximally mixed state does not charge (⟨σ_B^z⟩ = 0, E = ω_b/2, W = 0; tol 1e-13).
    β → 0: ⟨σ_B^z⟩ = (βω_b/2) P(t) + O(β²) with P the linear-response polarisation (β = 1e-5, tol 1e-4).
    Large β: the pure state |g⟩|e…e⟩ (β = 60, tol 1e-12)."""
    t = np.linspace(0, 5, 51)
    flat = qbhw.charge(StarBattery(5, 0.8, omega_b=1.3, initial="thermal", beta=0.0), t)
    assert np.max(np.abs(flat.polarization)) < 1e-13
    np.testing.assert_allclose(flat.energy, 0.65, atol=1e-13)
    assert np.max(np.abs(flat.work)) < 1e-13
    beta = 1e-5
    hot = qbhw.charge(StarBattery(5, 0.8, initial="thermal", beta=beta), t)
    linear = qbhw.charge(StarBattery(5, 0.8, initial="high_temperature"), t)
    np.testing.assert_allclose(hot.polarization / (beta / 2), linear.polarization, atol=1e-4, rtol=0)
    cold = qbhw.charge(StarBattery(5, 0.8, initial="thermal", beta=60.0), t)
    pure = qbhw.charge(StarBattery(5, 0.8), t)
    for name in ("energy", "work", "ergotropy", "polarization"):
        np.testing.assert_allclose(getattr(cold, name), getattr(pure, name), atol=1e-12, rtol=0)


def test_thermal_36_chargers_is_consistent():
    """𝒩 = 36 (2^37 states) from the sectors: blocks vs sector diagonalisation (tol 1e-10), trace 1
    (⟨σ_B^z⟩(0) = 2p_B − 1). (Its speed is measured in benchmarks/bench_star.py.)"""
    model = StarBattery(36, 0.3, initial="thermal", beta=0.7, omega_c=0.9)
    t = np.linspace(0, 6, 400)
    curve = qbhw.charge(model, t)
    assert curve.polarization[0] == pytest.approx(2 * model.battery_excited_population - 1, abs=1e-12)
    eigh = qbhw.charge(model, t[::20], method="eigh")
    np.testing.assert_allclose(eigh.polarization, curve.polarization[::20], atol=1e-10, rtol=0)
    assert np.all(curve.ergotropy >= 0) and np.all(np.isfinite(curve.energy))


def test_star_bad_input():
    for bad in (0, -3, 1.5, True, "4"):
        with pytest.raises(InvalidArgumentError):
            StarBattery(bad, 1.0)
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(InvalidArgumentError):
            StarBattery(3, bad)
    with pytest.raises(InvalidArgumentError):
        StarBattery(3, 1.0, omega_b=0.0)
    with pytest.raises(ConfigError):
        StarBattery(3, 1.0, initial="thermal")  # needs beta
    with pytest.raises(ConfigError):
        StarBattery(3, 1.0, initial="pure", beta=1.0)  # beta only for the thermal state
    with pytest.raises(InvalidArgumentError):
        StarBattery(3, 1.0, initial="thermal", beta=-1.0)
    with pytest.raises(ConfigError):
        StarBattery(3, 1.0, initial="thermal", beta=1.0, epsilon=0.1)
    with pytest.raises(ConfigError):
        StarBattery(3, 1.0, initial="hot")
    with pytest.raises(InvalidArgumentError):
        StarBattery(3, 1.0, initial="high_temperature", epsilon=0.5)  # ρ would not be positive (ε > 1/4)
    with pytest.raises(ConfigError):
        StarBattery(3, 1.0, initial="pure", epsilon=0.1)
    with pytest.raises(InvalidArgumentError):
        StarBattery(20, 1.0).full_space()
    with pytest.raises(ConfigError):
        qbhw.charge(StarBattery(2, 1.0), np.linspace(0, 1, 5), unknown_option=1)
    with pytest.raises(ConfigError):
        qbhw.charge(StarBattery(2, 1.0), np.linspace(0, 1, 5), method="expm_multiply")
