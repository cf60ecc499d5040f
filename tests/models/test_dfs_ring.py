"""Loss-free storage in a decoherence-free subspace (Liu, Segal & Hanna, J. Phys. Chem. C 123, 18303, 2019;
review Sec. V.C.1, Eqs. 59–60, Fig. 9): qbhw.models.DFSRingBattery evolved by the GKSL solver.

Independent routes: the dark-state eigenvalue equation (exact, 1e-12); the symmetry checked on explicit
matrices (1e-12), with the review's exponential Π built here with scipy ``expm`` as a counter-example; the
stationarity of the dark states under the master equation (1e-10); QuTiP 5 ``mesolve`` (rtol 1e-10,
atol 1e-12) for the whole evolution (states to 1e-7).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sla

import qbhw
from qbhw.errors import ConfigError, InvalidArgumentError
from qbhw.metrics import ergotropy
from qbhw.models import DFSRingBattery
from qbhw.solvers import evolve_lindblad


def _ket(j):
    v = np.zeros(6, dtype=complex)
    v[j - 1] = 1
    return v


def _comm(a, b):
    return a @ b - b @ a


def _random_model(rng, **kw):
    return DFSRingBattery(e1=rng.uniform(-1, 2), e4=rng.uniform(-1, 2), e_bulk=rng.uniform(0.5, 1.5),
                          hopping=rng.uniform(-0.5, 0.5), **kw)


def test_dark_states_are_eigenstates_for_any_surface_energies():
    """H ψ_± = (E_bulk ± J_0) ψ_± (1e-12) for random E_1, E_4 (and E_bulk, J_0); ψ_± have no weight on 1, 4."""
    rng = np.random.default_rng(1)
    for _ in range(5):
        m = _random_model(rng)
        h = m.ring_hamiltonian()
        plus, minus = m.dark_states()
        assert np.abs(h @ plus - (m.e_bulk + m.hopping) * plus).max() < 1e-12
        assert np.abs(h @ minus - (m.e_bulk - m.hopping) * minus).max() < 1e-12
        assert m.dark_energies() == (m.e_bulk + m.hopping, m.e_bulk - m.hopping)
        for psi in (plus, minus):
            assert abs(np.vdot(psi, psi) - 1) < 1e-14 and abs(psi[0]) == 0 and abs(psi[3]) == 0
    # the written form ½(|6⟩ − |2⟩ ± |5⟩ ∓ |3⟩)
    plus, minus = DFSRingBattery().dark_states()
    assert np.allclose(plus, 0.5 * (_ket(6) - _ket(2) + _ket(5) - _ket(3)), atol=0)
    assert np.allclose(minus, 0.5 * (_ket(6) - _ket(2) - _ket(5) + _ket(3)), atol=0)


def test_reflection_is_the_symmetry_and_the_reviews_exponential_is_not():
    """The reflection R (2↔6, 3↔5) commutes with H_B and |1⟩⟨1|, |4⟩⟨4| (1e-12), ψ_± are R-odd; the review's
    Π = exp[i(|2⟩⟨6| + h.c.)] exp[i(|3⟩⟨5| + h.c.)] does not commute with H_B (spectral norm of [Π, H_B] ≈ 0.27
    > 0.1; its largest element ≈ 0.1918)."""
    rng = np.random.default_rng(2)
    for _ in range(3):
        m = _random_model(rng)
        r = m.reflection()
        assert np.abs(r @ r.conj().T - np.eye(6)).max() == 0 and np.abs(r @ r - np.eye(6)).max() == 0
        assert np.abs(_comm(r, m.battery_hamiltonian())).max() < 1e-12
        for p in m.bath_operators():
            assert np.abs(_comm(r, p)).max() < 1e-12
        for psi in m.dark_states():
            assert np.abs(r @ psi + psi).max() < 1e-15
    m = DFSRingBattery(e1=0.3, e4=0.7, e_bulk=1.0, hopping=0.2)
    x26 = np.outer(_ket(2), _ket(6)) + np.outer(_ket(6), _ket(2))
    x35 = np.outer(_ket(3), _ket(5)) + np.outer(_ket(5), _ket(3))
    pi = sla.expm(1j * x26) @ sla.expm(1j * x35)
    c = _comm(pi, m.battery_hamiltonian())
    assert np.linalg.norm(c, 2) > 0.1, np.linalg.norm(c, 2)
    assert np.abs(c).max() == pytest.approx(0.1918, abs=1e-4)
    # χ ≠ 0 breaks the reflection
    assert np.abs(_comm(m.reflection(), DFSRingBattery(chi=0.05).battery_hamiltonian())).max() > 0.01


@pytest.mark.parametrize("initial", ["dark_plus", "dark_minus"])
def test_dark_states_are_stationary_for_random_rates(initial):
    """Under the GKSL evolution with random γ_1, γ_4 the dark state does not change (‖ρ(t) − ρ_0‖ ≤ 1e-10), nor
    do its energy and ergotropy (qbhw.charge, 1e-10)."""
    rng = np.random.default_rng(7 if initial == "dark_plus" else 8)
    times = np.linspace(0.0, 30.0, 7)
    for _ in range(3):
        m = _random_model(rng, dephasing=tuple(rng.uniform(0.05, 3.0, size=2)), initial=initial)
        ev = evolve_lindblad(m.charging_hamiltonian(), m.initial_state(), times, m.jump_operators())
        rho0 = np.outer(m.initial_state(), m.initial_state().conj())
        assert max(np.abs(s - rho0).max() for s in ev.states) < 1e-10
        curve = qbhw.charge(m, times)
        assert np.ptp(curve.energy) < 1e-10 and np.ptp(curve.ergotropy) < 1e-10
        assert m.decoherence_free_weight(rho0) == pytest.approx(1.0, abs=1e-14)


def test_any_state_of_the_dfs_evolves_unitarily():
    """A random superposition of ψ_+ and ψ_− stays pure (purity 1 to 1e-10) and keeps its ergotropy (1e-10)."""
    rng = np.random.default_rng(4)
    m = _random_model(rng, dephasing=(1.3, 0.4))
    c = rng.normal(size=2) + 1j * rng.normal(size=2)
    c /= np.linalg.norm(c)
    psi = c[0] * m.dark_states()[0] + c[1] * m.dark_states()[1]
    ev = evolve_lindblad(m.charging_hamiltonian(), psi, np.linspace(0, 20, 5), m.jump_operators())
    e0 = ergotropy(ev.states[0], m.battery_hamiltonian())
    for s in ev.states:
        assert abs(np.trace(s @ s).real - 1) < 1e-10
        assert abs(ergotropy(s, m.battery_hamiltonian()) - e0) < 1e-10


def test_random_state_in_the_complement_loses_ergotropy():
    """A random pure state of the reflection-even sector dephases: purity and ergotropy drop markedly."""
    rng = np.random.default_rng(11)
    m = DFSRingBattery(e1=0.3, e4=0.7, e_bulk=1.0, hopping=0.2, dephasing=0.5)
    b = m.complement_basis()
    c = rng.normal(size=4) + 1j * rng.normal(size=4)
    psi = b @ (c / np.linalg.norm(c))
    assert m.decoherence_free_weight(psi) < 1e-14
    ev = evolve_lindblad(m.charging_hamiltonian(), psi, [0.0, 60.0], m.jump_operators())
    hb = m.battery_hamiltonian()
    e_start, e_end = ergotropy(ev.states[0], hb), ergotropy(ev.states[-1], hb)
    assert e_end < 0.8 * e_start, (e_start, e_end)
    assert np.trace(ev.states[-1] @ ev.states[-1]).real < 0.5
    # symmetry breaking releases a dark state too
    broken = DFSRingBattery(e1=0.3, e4=0.7, e_bulk=1.0, hopping=0.2, dephasing=0.5, chi=0.1)
    curve = qbhw.charge(broken, [0.0, 60.0])
    assert curve.ergotropy[-1] < 0.9 * curve.ergotropy[0]


def test_evolution_matches_qutip_mesolve():
    """site:2 (half in the DFS) with unequal rates: states to 1e-7 and qbhw.charge's energy/ergotropy to 1e-7
    against QuTiP 5 mesolve (rtol 1e-10, atol 1e-12)."""
    qt = pytest.importorskip("qutip")
    m = DFSRingBattery(e1=0.3, e4=0.7, e_bulk=1.0, hopping=0.2, dephasing=(0.8, 0.3), initial="site:2")
    times = np.linspace(0.0, 15.0, 16)
    hb = m.battery_hamiltonian()
    res = qt.mesolve(qt.Qobj(np.asarray(m.charging_hamiltonian())), qt.Qobj(np.outer(_ket(2), _ket(2))), times,
                     [qt.Qobj(np.asarray(L)) for L in m.jump_operators()],
                     options={"rtol": 1e-10, "atol": 1e-12, "nsteps": 100000})
    ref = [s.full() for s in res.states]
    ev = evolve_lindblad(m.charging_hamiltonian(), m.initial_state(), times, m.jump_operators())
    assert max(np.abs(a - b).max() for a, b in zip(ev.states, ref)) < 1e-7
    curve = qbhw.charge(m, times)
    assert np.abs(curve.energy - [np.trace(hb @ r).real for r in ref]).max() < 1e-7
    assert np.abs(curve.ergotropy - [ergotropy(r, hb) for r in ref]).max() < 1e-7
    # half of |2⟩ lies in the DFS: the ergotropy does not decay to 0
    assert m.decoherence_free_weight(_ket(2)) == pytest.approx(0.5, abs=1e-14)


def test_energies_are_measured_from_the_lowest_level():
    m = DFSRingBattery(e1=0.3, e4=0.7, e_bulk=1.0, hopping=0.2)
    assert np.linalg.eigvalsh(m.battery_hamiltonian())[0] == pytest.approx(0.0, abs=1e-14)
    assert m.energy_offset == pytest.approx(np.linalg.eigvalsh(m.ring_hamiltonian())[0], abs=1e-14)
    plus = m.dark_states()[0]
    assert qbhw.charge(m, [0.0, 1.0]).energy[0] == pytest.approx(1.2 - m.energy_offset, abs=1e-12)
    assert np.vdot(plus, m.battery_hamiltonian() @ plus).real == pytest.approx(1.2 - m.energy_offset, abs=1e-12)


def test_bad_input():
    with pytest.raises(ConfigError, match="initial"):
        DFSRingBattery(initial="site:7")
    with pytest.raises(InvalidArgumentError, match="dephasing"):
        DFSRingBattery(dephasing=-0.1)
    with pytest.raises(InvalidArgumentError, match="dephasing"):
        DFSRingBattery(dephasing=(0.1, 0.2, 0.3))
    with pytest.raises(InvalidArgumentError, match="e1"):
        DFSRingBattery(e1=float("nan"))
