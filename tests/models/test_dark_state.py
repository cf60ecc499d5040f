"""Dark-state charging by collective dissipation (Quach & Munro, Phys. Rev. Appl. 14, 024092, 2020; review
Sec. V.C.2, Eq. 62): the reduced two-symmetric-subspace model against the master equation written out, the
full 2^(N_B+N_C) space (QuTiP), QuTiP on the reduced space, and the N_B = N_C = 1 closed form.

Tolerances are stated per test. The N_B = N_C = 4 full-space solve (256 states, ~20 s) is in
``benchmarks/bench_dark_state.py``; here the full space is used up to 64 states.
"""

from __future__ import annotations

import numpy as np
import pytest
import qutip

import qbhw
from qbhw.errors import InvalidArgumentError, InvalidStateError
from qbhw.metrics import ergotropy
from qbhw.models import DarkStateBattery
from qbhw.solvers.lindblad import evolve_lindblad, liouvillian

GAMMA = 0.05


def _long_time(model: DarkStateBattery, state=None) -> np.ndarray:
    """ρ(T) with T = 30/gap (e^{−30} ≈ 1e-13 of every decaying mode left), by the exact GKSL propagator."""
    gen = liouvillian(model.charging_hamiltonian(), model.jump_operators()).toarray()
    rates = -np.linalg.eigvals(gen).real
    gap = rates[rates > 1e-9].min()
    rho0 = model.initial_state() if state is None else state
    ev = evolve_lindblad(model.charging_hamiltonian(), rho0, [0.0, 30.0 / gap], model.jump_operators())
    return ev.states[-1]


def test_single_pair_steady_state_is_half_singlet_half_ground():
    """N_B = N_C = 1, T = 0: ρ_∞ = ½|S⟩⟨S| + ½|gg⟩⟨gg| (1e-12), battery energy ω/4, ergotropy 0 (1e-8);
    the long-time GKSL state agrees (1e-10)."""
    m = DarkStateBattery(1, GAMMA, omega=1.3)
    # basis index k_B + 2 k_C: |gg⟩ = 0, |eg⟩ (battery excited) = 1, |ge⟩ = 2
    singlet = np.array([0, 1, -1, 0]) / np.sqrt(2)
    expected = 0.5 * np.outer(singlet, singlet) + 0.5 * np.diag([1.0, 0, 0, 0])
    rho = m.steady_state()
    assert np.allclose(rho, expected, atol=1e-12)
    assert m.steady_state_energy() == pytest.approx(1.3 / 4, abs=1e-12)
    assert ergotropy(m.battery_state(rho), m.battery_spectrum("full")) == pytest.approx(0.0, abs=1e-8)
    assert np.allclose(_long_time(m), expected, atol=1e-10)
    assert m.sector_weights() == pytest.approx({0.0: 0.5, 1.0: 0.5}, abs=1e-12)


@pytest.mark.parametrize("n_b, n_c, beta", [(2, 2, None), (3, 3, None), (4, 4, None), (3, 1, None), (1, 3, None),
                                            (2, 2, 1.5), (3, 2, 0.8)])
def test_steady_state_is_the_long_time_limit(n_b, n_c, beta):
    """Σ_j p_j G_j (conserved total-spin weights × sector Gibbs states) equals the GKSL state at
    T = 30/gap, at T = 0 and T > 0 (1e-9 on every matrix element)."""
    m = DarkStateBattery(n_b, GAMMA, n_charger=n_c, beta=beta)
    assert np.allclose(m.steady_state(), _long_time(m), atol=1e-9)


def test_total_spin_weights_are_conserved_along_the_evolution():
    """Tr[P_j ρ(t)] stays at its initial value (1e-10): J² is a strong symmetry of Eq. (62)."""
    m = DarkStateBattery(3, GAMMA, n_charger=2, beta=1.0)
    ev = evolve_lindblad(m.charging_hamiltonian(), m.initial_state(), np.linspace(0, 40, 9), m.jump_operators())
    w0 = m.sector_weights()
    assert sum(w0.values()) == pytest.approx(1.0, abs=1e-12)
    for rho in ev.states:
        assert m.sector_weights(rho) == pytest.approx(w0, abs=1e-10)


def test_jump_operators_reproduce_equation_62_with_its_factor_two():
    """liouvillian(H, jump_operators()) acting on a random ρ equals Eq. (62) written out,
    −iω[J^z, ρ] + γ(n̄+1)(2OρO† − {O†O, ρ}) + γn̄(2O†ρO − {OO†, ρ}) (1e-12)."""
    m = DarkStateBattery(2, 0.3, omega=1.1, n_charger=3, beta=0.7)
    d = m.dimension
    rng = np.random.default_rng(3)
    x = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = x @ x.conj().T
    rho /= np.trace(rho)
    o = m.collective_lowering().toarray()
    od = o.conj().T
    jz = np.diag(m.total_jz())
    nbar = 1.0 / np.expm1(0.7 * 1.1)
    expected = (-1j * 1.1 * (jz @ rho - rho @ jz)
                + 0.3 * (nbar + 1) * (2 * o @ rho @ od - od @ o @ rho - rho @ od @ o)
                + 0.3 * nbar * (2 * od @ rho @ o - o @ od @ rho - rho @ o @ od))
    got = (liouvillian(m.charging_hamiltonian(), m.jump_operators()) @ rho.reshape(-1, order="F")).reshape(d, d, order="F")
    assert np.allclose(got, expected, atol=1e-12)
    assert len(DarkStateBattery(2, 0.3).jump_operators()) == 1  # T = 0: no absorption


def _full_space_qutip(n_b: int, n_c: int, gamma: float, times):
    """Brute force: every two-level system separately (QuTiP tensor products), O = Σ_i σ_i^−, from |G⟩_B|E⟩_C.
    QuTiP's basis(2, 0) is the excited state (sigmam() maps it to basis(2, 1))."""
    n = n_b + n_c
    sm = [qutip.tensor([qutip.sigmam() if k == i else qutip.qeye(2) for k in range(n)]) for i in range(n)]
    h = sum(s.dag() * s for s in sm)
    hb = sum(s.dag() * s for s in sm[:n_b])
    psi0 = qutip.tensor([qutip.basis(2, 1)] * n_b + [qutip.basis(2, 0)] * n_c)
    res = qutip.mesolve(h, psi0, times, c_ops=[np.sqrt(2 * gamma) * sum(sm)],
                        options={"atol": 1e-12, "rtol": 1e-10})
    return res.states, hb


@pytest.mark.parametrize("n_b, n_c", [(1, 1), (2, 2), (3, 3), (4, 1)])
def test_full_space_qutip_agrees_with_the_two_symmetric_subspaces(n_b, n_c):
    """The 2^(N_B+N_C) solve from |G⟩|E⟩ (QuTiP mesolve, atol 1e-12) against the reduced model: battery
    energy along the curve (1e-7), steady-state energy at γT = 15 (1e-6; slowest rate 2γ, e^{−30}), and the
    ergotropy of the battery's reduced state over all 2^{N_B} states (1e-6)."""
    gamma = 1.0
    times = [0.0, 0.3, 1.0, 15.0]
    states, hb = _full_space_qutip(n_b, n_c, gamma, times)
    m = DarkStateBattery(n_b, gamma, n_charger=n_c)
    curve = qbhw.charge(m, times)
    full_energy = np.array([qutip.expect(hb, s) for s in states])
    assert np.allclose(full_energy, curve.energy, atol=1e-7)
    assert full_energy[-1] == pytest.approx(m.steady_state_energy(), abs=1e-6)
    rho_b = states[-1].ptrace(list(range(n_b))).full()
    hb_local = sum(qutip.tensor([qutip.sigmap() * qutip.sigmam() if k == i else qutip.qeye(2)
                                 for k in range(n_b)]) for i in range(n_b))  # Σ_i |e⟩⟨e|_i, QuTiP's own basis
    erg_full = ergotropy(rho_b, hb_local.full())
    erg_reduced = ergotropy(m.battery_state(m.steady_state()), m.battery_spectrum("full"))
    assert erg_full == pytest.approx(erg_reduced, abs=1e-6)


@pytest.mark.parametrize("beta", [None, 1.2])
def test_charge_matches_qutip_mesolve_on_collective_spins(beta):
    """qbhw.charge against QuTiP mesolve built from qutip.jmat collective spins (N_B = 3, N_C = 2; own basis
    order m = +j … −j): battery energy along the curve (1e-7)."""
    n_b, n_c, gamma, omega = 3, 2, 0.08, 1.0
    jb = [qutip.tensor(qutip.jmat(n_b / 2, s), qutip.qeye(n_c + 1)) for s in ("-", "z")]
    jc = [qutip.tensor(qutip.qeye(n_b + 1), qutip.jmat(n_c / 2, s)) for s in ("-", "z")]
    o = jb[0] + jc[0]
    h = omega * (jb[1] + jc[1])
    hb = omega * (jb[1] + n_b / 2)
    nbar = 0.0 if beta is None else 1.0 / np.expm1(beta * omega)
    c_ops = [np.sqrt(2 * gamma * (nbar + 1)) * o] + ([np.sqrt(2 * gamma * nbar) * o.dag()] if nbar else [])
    psi0 = qutip.tensor(qutip.basis(n_b + 1, n_b), qutip.basis(n_c + 1, 0))  # battery m = −j, charger m = +j
    times = np.linspace(0, 40, 21)
    res = qutip.mesolve(h, psi0, times, c_ops=c_ops, e_ops=[hb], options={"atol": 1e-12, "rtol": 1e-10})
    curve = qbhw.charge(DarkStateBattery(n_b, gamma, omega, n_charger=n_c, beta=beta), times)
    assert np.allclose(curve.energy, res.expect[0], atol=1e-7)


def test_energy_stays_finite_at_zero_temperature():
    """At T = 0 the stored energy does not decay to 0: ρ_∞ keeps ω Σ_j p_j ⟨j,−j|k_B|j,−j⟩ > 0.05 ω for
    N_B = N_C = 1 … 4 and grows with N (exact projections), and the curve's last point approaches it."""
    energies = [DarkStateBattery(n, GAMMA).steady_state_energy() for n in (1, 2, 3, 4)]
    assert min(energies) > 0.05 and np.all(np.diff(energies) > 0)
    curve = qbhw.charge(DarkStateBattery(2, GAMMA), np.linspace(0, 400, 41))
    assert curve.energy[-1] == pytest.approx(energies[1], abs=1e-8)  # 2γT = 40


def test_ergotropy_over_the_full_space_exceeds_the_symmetric_one():
    """Full battery space (multiplicities C(N_B, k)) lets the passive state use the lower non-symmetric
    levels: 𝓔_full ≥ 𝓔_sym, strictly for N_B = 3 at the steady state; and both are ≤ the energy."""
    m = DarkStateBattery(3, GAMMA)
    rho_b = m.battery_state(m.steady_state())
    e_full = ergotropy(rho_b, m.battery_spectrum("full"))
    e_sym = ergotropy(rho_b, m.battery_spectrum("symmetric"))
    assert e_full > e_sym + 1e-3 and e_full <= m.steady_state_energy() + 1e-12


def test_arguments_are_checked():
    with pytest.raises(InvalidArgumentError):
        DarkStateBattery(0, 0.1)
    with pytest.raises(InvalidArgumentError):
        DarkStateBattery(2, 0.0)
    with pytest.raises(InvalidArgumentError):
        DarkStateBattery(2, 0.1, beta=-1.0)
    with pytest.raises(InvalidStateError):
        DarkStateBattery(2, 0.1).battery_state(np.ones(3))
