"""GKSL master equation (review Sec. V, Eq. 51): qbhw.solvers.lindblad, OpenBattery, charge() on open models.

References: QuTiP 5 ``mesolve`` (independent vectorisation and integrator, run at rtol 1e-10 / atol 1e-12),
closed-form qubit T1 / Tφ decay, the closed ``charge`` path, and numerical derivatives of the energy.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import qbhw
from qbhw.errors import (
    ConfigError,
    DimensionMismatchError,
    InvalidArgumentError,
    InvalidHamiltonianError,
    InvalidStateError,
    InvalidTimesError,
    NonPhysicalStateError,
    NonPhysicalStateWarning,
    TruncationError,
)
from qbhw.models import DickeBattery, FullSpaceModel, OpenBattery, StarBattery, local_decoherence
from qbhw.solvers import charge_open, evolve_lindblad, liouvillian
from qbhw.solvers.lindblad import dissipator, lindblad_adjoint, lindblad_rate

qt = pytest.importorskip("qutip")
QT_OPTIONS = {"rtol": 1e-10, "atol": 1e-12, "nsteps": 100000}


def _random_problem(d=5, n_jumps=3, seed=7):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    h = 0.5 * (a + a.conj().T)
    jumps = [0.4 * (rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))) for _ in range(n_jumps)]
    psi = rng.normal(size=d) + 1j * rng.normal(size=d)
    return h, jumps, psi / np.linalg.norm(psi), rng


def _qutip_states(h, rho0, times, jumps, drives=()):
    ham = qt.Qobj(np.asarray(h))
    if drives:
        ham = [ham] + [[qt.Qobj(np.asarray(op)), (lambda t, f=f: f(t))] for op, f in drives]
    rho = qt.Qobj(np.outer(rho0, rho0.conj()) if np.ndim(rho0) == 1 else rho0)
    res = qt.mesolve(ham, rho, times, [qt.Qobj(np.asarray(sp.csr_matrix(L).toarray())) for L in jumps],
                     options=QT_OPTIONS)
    return [s.full() for s in res.states]


def test_liouvillian_matches_matrix_form():
    """𝓛 vec(ρ) equals vec(−i[H,ρ] + 𝓓[ρ]) for a random (non-Hermitian) matrix, to 1e-12."""
    h, jumps, _, rng = _random_problem()
    x = rng.normal(size=(5, 5)) + 1j * rng.normal(size=(5, 5))
    lv = liouvillian(h, jumps)
    assert sp.issparse(lv) and lv.shape == (25, 25)
    lhs = (lv @ x.reshape(-1, order="F")).reshape(5, 5, order="F")
    direct = -1j * (h @ x - x @ h) + sum(L @ x @ L.conj().T - 0.5 * (L.conj().T @ L @ x + x @ L.conj().T @ L)
                                         for L in jumps)
    assert np.allclose(lhs, direct, atol=1e-12, rtol=0)
    assert np.allclose(lindblad_rate(h, jumps, x), direct, atol=1e-12, rtol=0)
    assert np.allclose(dissipator(jumps, x), direct + 1j * (h @ x - x @ h), atol=1e-12, rtol=0)
    # Heisenberg picture: Tr[O 𝓛ρ] = Tr[𝓛†(O) ρ]
    o = rng.normal(size=(5, 5))
    assert np.isclose(np.trace(o @ direct), np.trace(lindblad_adjoint(h, jumps, o).toarray() @ x), atol=1e-11)


@pytest.mark.parametrize("method", ["auto", "ode"])
def test_random_five_level_against_qutip(method):
    """Random 5-level H with 3 random jump operators: states to 1e-7, expectations to rel 1e-6 vs mesolve."""
    h, jumps, psi, _ = _random_problem()
    times = np.linspace(0.0, 3.0, 31)
    ev = evolve_lindblad(h, psi, times, jumps, e_ops=[h], method=method)
    ref = _qutip_states(h, psi, times, jumps)
    assert max(np.abs(a - b).max() for a, b in zip(ev.states, ref)) < 1e-7
    e_ref = np.array([np.trace(h @ r).real for r in ref])
    assert np.allclose(ev.expect[0], e_ref, rtol=1e-6, atol=1e-9)
    assert ev.trace_deviation < 1e-10 and ev.min_eigenvalue > -1e-10
    # the exact route also works on a non-uniform grid starting after t = 0, sparse input, no stored states
    t2 = np.array([0.3, 0.7, 2.0, 3.0])
    ev2 = evolve_lindblad(sp.csr_matrix(h), psi, t2, [sp.csr_matrix(L) for L in jumps], e_ops=[h],
                          store_states=False)
    assert ev2.states is None
    ref2 = _qutip_states(h, psi, np.concatenate([[0.0], t2]), jumps)[1:]
    assert np.allclose(ev2.expect[0], [np.trace(h @ r).real for r in ref2], rtol=1e-6, atol=1e-9)


def test_large_space_uses_expm_multiply_against_qutip():
    """d = 20 (> dense limit): the expm_multiply route agrees with mesolve to 1e-7."""
    h, jumps, psi, _ = _random_problem(d=20, n_jumps=2, seed=3)
    times = np.linspace(0.0, 1.0, 11)
    ev = evolve_lindblad(h, psi, times, jumps)
    ref = _qutip_states(h, psi, times, jumps)
    assert max(np.abs(a - b).max() for a, b in zip(ev.states, ref)) < 1e-7


def test_driven_qubit_with_t1_tphi_against_qutip():
    """Qubit with cos drive, T1 and Tφ: the ODE route matches mesolve (states 1e-7, ⟨σz⟩ rel 1e-6)."""
    omega, amp, w_d = 1.0, 0.3, 0.9
    h0 = np.diag([0.0, omega]).astype(complex)
    sx = np.array([[0, 1], [1, 0]], dtype=complex)
    jumps = local_decoherence([2], [0], t1=4.0, tphi=6.0)
    drives = [(sx, lambda t: amp * np.cos(w_d * t))]
    times = np.linspace(0.0, 10.0, 41)
    psi0 = np.array([1.0, 0.0], dtype=complex)
    ev = evolve_lindblad(h0, psi0, times, jumps, drives=drives, e_ops=[np.diag([1.0, -1.0])])
    assert ev.method == "ode"
    ref = _qutip_states(h0, psi0, times, [L.toarray() for L in jumps], drives)
    assert max(np.abs(a - b).max() for a, b in zip(ev.states, ref)) < 1e-7
    assert np.allclose(ev.expect[0], [r[0, 0].real - r[1, 1].real for r in ref], rtol=1e-6, atol=1e-8)
    # lindblad_rate with the drive at time t: Tr[H0 dρ/dt] equals dE/dt of the propagated curve
    e = np.array([np.trace(h0 @ r).real for r in ev.states])
    fine = np.linspace(0.0, 10.0, 2001)
    e_fine = evolve_lindblad(h0, psi0, fine, jumps, drives=drives, e_ops=[h0]).expect[0]
    k = 17
    rate = lindblad_rate(h0, jumps, ev.states[k], drives=drives, t=times[k])
    assert np.isclose(np.trace(h0 @ rate).real, np.gradient(e_fine, fine, edge_order=2)[k * 50], atol=1e-5)
    assert np.isclose(e[k], e_fine[k * 50], atol=1e-9)


def test_qubit_t1_and_tphi_analytic():
    """P_e(t) = e^{−t/T1} and |ρ_01(t)| = ½ e^{−t/Tφ} (L = √(1/T1) b, √(2/Tφ) n̂), to 1e-9."""
    t1, tphi = 2.5, 1.7
    times = np.linspace(0.0, 6.0, 25)
    h = np.diag([0.0, 1.3])
    for method in ("auto", "ode"):
        ev = evolve_lindblad(h, np.array([0.0, 1.0]), times, local_decoherence(1, t1=t1), method=method)
        assert np.allclose([r[1, 1].real for r in ev.states], np.exp(-times / t1), atol=1e-9, rtol=0)
        plus = np.array([1.0, 1.0]) / np.sqrt(2)
        ev = evolve_lindblad(h, plus, times, local_decoherence(1, tphi=tphi), method=method)
        assert np.allclose([abs(r[0, 1]) for r in ev.states], 0.5 * np.exp(-times / tphi), atol=1e-9, rtol=0)
        assert np.allclose([r[1, 1].real for r in ev.states], 0.5, atol=1e-9, rtol=0)


def test_local_decoherence_operators():
    """Little-endian embedding (site 0 least significant) and d-level ladder operators, exactly."""
    ops = local_decoherence([2, 3], [1], t1=4.0, tphi=2.0)
    b3 = np.diag(np.sqrt([1.0, 2.0]), 1)
    assert len(ops) == 2
    assert np.allclose(ops[0].toarray(), np.kron(0.5 * b3, np.eye(2)), atol=1e-15)
    assert np.allclose(ops[1].toarray(), np.kron(np.diag([0.0, 1.0, 2.0]), np.eye(2)), atol=1e-15)
    ops = local_decoherence(3, [0, 2], t1=[1.0, np.inf])  # per-site values; inf leaves the process out
    assert len(ops) == 1 and np.allclose(ops[0].toarray(), np.kron(np.eye(4), [[0, 1], [0, 0]]))
    assert local_decoherence(2, t1=1.0).description["sites"] == [0, 1]


def _star_full(n=2, coupling=0.5):
    return StarBattery(n, coupling).full_space()


def test_charge_open_star_t1_against_qutip():
    """charge(OpenBattery(StarBattery full space, local T1/Tφ)) vs mesolve: energy 1e-8, ergotropy 1e-7."""
    fs = _star_full()
    jumps = local_decoherence(fs.dims, [0, 1], t1=3.0, tphi=[5.0, np.inf])
    times = np.linspace(0.0, 4.0, 41)
    curve = qbhw.charge(OpenBattery(fs, jumps), times)
    assert curve.metadata["dynamics"] == "GKSL" and curve.metadata["n_jump_operators"] == 3
    ref = _qutip_states(fs.charging_hamiltonian().toarray(), fs.initial_state(), times, jumps)
    hb = np.asarray(sp.csr_matrix(fs.battery_hamiltonian()).toarray())
    assert np.allclose(curve.energy, [np.trace(hb @ r).real for r in ref], atol=1e-8, rtol=0)
    erg_ref = [qbhw.metrics.ergotropy(fs.battery_state(r), fs.h_battery_local) for r in ref]
    assert np.allclose(curve.ergotropy, erg_ref, atol=1e-7, rtol=0)
    assert np.max(curve.observables["trace_deviation"]) < 1e-10  # trace preserved
    assert np.min(curve.observables["min_eigenvalue"]) > -1e-10


def test_open_power_is_the_energy_derivative():
    """Analytic P = Tr[H_B 𝓛ρ] equals numpy.gradient of E(t) on a fine grid (1e-4), with a drive too."""
    fs = _star_full()
    times = np.linspace(0.0, 3.0, 601)
    jumps = local_decoherence(fs.dims, None, t1=2.0, tphi=3.0)
    drive_op = sp.csr_matrix(local_decoherence(fs.dims, [0], t1=1.0)[0])
    drive_op = drive_op + drive_op.conj().T  # σ^x on the battery spin (site 0)
    for model in (OpenBattery(fs, jumps), OpenBattery(fs, jumps, drives=[(drive_op, lambda t: 0.4 * np.sin(t))])):
        curve = qbhw.charge(model, times, ergotropy=False)
        fd = np.gradient(curve.energy, times, edge_order=2)
        assert np.max(np.abs(curve.power.power - fd)) < 1e-4
        # leakage + Hamiltonian part: the dissipative part alone is Tr[H_B 𝓓ρ] < 0 for pure decay here
        assert np.all(curve.observables["leakage"][1:] < 0)


def test_open_battery_without_jumps_is_the_closed_curve():
    """No dissipators: charge(OpenBattery(m)) and the GKSL path (forced) give the closed curve to 1e-9."""
    fs = _star_full()
    times = np.linspace(0.0, 5.0, 51)
    closed = qbhw.charge(fs, times)
    wrapped = OpenBattery(fs)
    assert not wrapped.is_open
    same = qbhw.charge(wrapped, times)
    gksl = charge_open(wrapped, times)
    for c in (same, gksl):
        assert np.allclose(c.energy, closed.energy, atol=1e-9, rtol=0)
        assert np.allclose(c.ergotropy, closed.ergotropy, atol=1e-9, rtol=0)
        assert np.allclose(c.power.power, closed.power.power, atol=1e-9, rtol=0)
    assert gksl.metadata["dynamics"] == "GKSL"


def test_open_model_never_uses_a_closed_specialised_solver():
    """An OpenBattery around StarBattery (which has a closed sector solver) is evolved by the GKSL path."""
    star = StarBattery(2, 0.5)
    curve = qbhw.charge(OpenBattery(star, [0.3 * sp.identity(star.dimension, format="csr")]),
                        np.linspace(0, 2, 5))
    closed = qbhw.charge(star, np.linspace(0, 2, 5))
    assert curve.metadata["dynamics"] == "GKSL"
    assert np.allclose(curve.energy, closed.energy, atol=1e-9)  # L ∝ 1 does nothing


def test_open_cavity_battery_density_matrix_cutoff():
    """Dicke battery (reduced photon-window space) through the GKSL path without jumps equals the cavity
    solver (energy, ergotropy 1e-9); its cut-off population is read from ρ's diagonal (same value, 1e-15)."""
    model = DickeBattery(2, 0.3, cutoff=20)
    times = np.linspace(0.0, 5.0, 11)
    closed = qbhw.charge(model, times)
    gksl = charge_open(OpenBattery(model), times)
    assert np.allclose(gksl.energy, closed.energy, atol=1e-9, rtol=0)
    assert np.allclose(gksl.ergotropy, closed.ergotropy, atol=1e-9, rtol=0)
    assert np.isclose(gksl.metadata["max_cutoff_population"], closed.metadata["max_cutoff_population"],
                      atol=1e-15, rtol=1e-6)
    with pytest.raises(TruncationError):  # photon loss does not rescue a too small window
        charge_open(OpenBattery(DickeBattery(2, 0.3, cutoff=12)), times)


class _LossyStar(StarBattery):
    """A StarBattery subclass with its own dissipator: StarBattery's closed sector solver must not be used."""

    def jump_operators(self):
        return [0.5 * sp.csr_matrix(self.battery_hamiltonian())]  # dephasing of the battery spin


def test_open_subclass_of_a_model_with_a_specialised_solver():
    """A subclass adding jump operators is evolved by GKSL; the battery coherence then decays (checked vs
    mesolve to 1e-8), while its closed parent still uses the sector solver."""
    model = _LossyStar(2, 0.5)
    times = np.linspace(0.0, 3.0, 16)
    curve = qbhw.charge(model, times)
    assert curve.metadata["dynamics"] == "GKSL"
    assert qbhw.charge(StarBattery(2, 0.5), times).metadata.get("dynamics") is None
    h = sp.csr_matrix(model.charging_hamiltonian()).toarray()
    ref = _qutip_states(h, model.initial_state(), times, model.jump_operators())
    hb = sp.csr_matrix(model.battery_hamiltonian()).toarray()
    assert np.allclose(curve.energy, [np.trace(hb @ r).real for r in ref], atol=1e-8, rtol=0)


def test_nonphysical_state_check_modes():
    """States that leave the physical set (here: a stiff T1 problem under far too loose ODE tolerances)
    raise NonPhysicalStateError, warn with check="warn", pass silently with check="ignore"."""
    h = np.diag([0.0, 1.0])
    phase = [1j * np.array([[0, 1], [0, 0]])]  # a phase on L changes nothing: physical
    assert evolve_lindblad(h, [0, 1], [0, 1], phase).min_eigenvalue > -1e-12
    # an anti-Hermitian Hamiltonian part is rejected before any propagation
    with pytest.raises(InvalidHamiltonianError) as err:
        evolve_lindblad(np.array([[0, 1], [0, 0]]), [1, 0], [0, 1])
    assert err.value.argument == "hamiltonian"
    # loose ODE tolerances break the trace of a stiff problem
    stiff = local_decoherence(1, t1=1e-3)
    with pytest.raises(NonPhysicalStateError):
        evolve_lindblad(h, [0, 1], [0, 0.5, 1.0], stiff, method="ode", rtol=1e-1, atol=1e-1)
    with pytest.warns(NonPhysicalStateWarning):
        evolve_lindblad(h, [0, 1], [0, 0.5, 1.0], stiff, method="ode", rtol=1e-1, atol=1e-1, check="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = evolve_lindblad(h, [0, 1], [0, 0.5, 1.0], stiff, method="ode", rtol=1e-1, atol=1e-1, check="ignore")
    assert ev.trace_deviation > 1e-8 or ev.min_eigenvalue < -1e-8


@pytest.mark.parametrize("call, error, argument", [
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], [np.eye(3)]), DimensionMismatchError, "jump_operators[0]"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], [np.eye(2), np.eye(2), np.ones((2, 3))]),
     DimensionMismatchError, "jump_operators[2]"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], e_ops=[np.eye(4)]), DimensionMismatchError, "e_ops[0]"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], drives=[(np.eye(3), np.cos)]),
     DimensionMismatchError, "drives[0]"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], drives=[(np.eye(2), 1.0)]), InvalidArgumentError,
     "drives[0]"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], drives=[(np.triu(np.ones((2, 2))), np.cos)]),
     InvalidHamiltonianError, "drives[0]"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], drives=[(np.eye(2), lambda t: 1j)]),
     InvalidArgumentError, "drives[0]"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], np.eye(2)), InvalidArgumentError, "jump_operators"),
    (lambda: evolve_lindblad(np.ones((2, 3)), [1, 0], [0, 1]), InvalidHamiltonianError, "hamiltonian"),
    (lambda: evolve_lindblad([[0, 1], [0, 0]], [1, 0], [0, 1]), InvalidHamiltonianError, "hamiltonian"),
    (lambda: evolve_lindblad([[0, np.nan], [np.nan, 0]], [1, 0], [0, 1]), InvalidArgumentError, "hamiltonian"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], [[[np.inf, 0], [0, 0]]]), InvalidArgumentError,
     "jump_operators[0]"),
    (lambda: evolve_lindblad(np.eye(2), [1, 1], [0, 1]), InvalidStateError, "rho0"),
    (lambda: evolve_lindblad(np.eye(2), np.diag([1.5, -0.5]), [0, 1]), InvalidStateError, "rho0"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0, 0], [0, 1]), DimensionMismatchError, "rho0"),
    (lambda: evolve_lindblad(np.eye(2), 1.0, [0, 1]), InvalidStateError, "rho0"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [-1, 1]), InvalidTimesError, "times"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], check="maybe"), ConfigError, "check"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], rtol=0), InvalidArgumentError, "rtol"),
    (lambda: evolve_lindblad(np.eye(2), [1, 0], [0, 1], method="rk4"), ConfigError, "method"),
    (lambda: local_decoherence(2, t1=-1.0), InvalidArgumentError, "t1"),
    (lambda: local_decoherence(2, tphi=np.nan), InvalidArgumentError, "tphi"),
    (lambda: local_decoherence(2, [0, 1], t1=[1.0, 2.0, 3.0]), DimensionMismatchError, "t1"),
    (lambda: local_decoherence(2, [2], t1=1.0), InvalidArgumentError, "sites"),
    (lambda: local_decoherence([2, 1], t1=1.0), InvalidArgumentError, "dims"),
    (lambda: OpenBattery(_star_full(), [np.eye(4)]), DimensionMismatchError, "jump_operators[0]"),
    (lambda: OpenBattery(_star_full(), drives=[(np.triu(np.ones((8, 8))), np.cos)]), InvalidHamiltonianError,
     "drives[0]"),
    (lambda: OpenBattery("star"), InvalidArgumentError, "model"),
    (lambda: qbhw.charge(OpenBattery(_star_full(), local_decoherence(3, t1=1.0)), [0, 1], foo=1),
     ConfigError, "options"),
])
def test_bad_input(call, error, argument):
    """Each malformed input raises its specific QbhwError subclass naming the argument."""
    with pytest.raises(error) as err:
        call()
    assert err.value.argument == argument


def test_open_battery_delegates():
    """OpenBattery forwards the wrapped model's pieces and attributes and adds its dissipators."""
    star = StarBattery(2, 0.5)
    ob = OpenBattery(star, [0.1 * sp.identity(star.dimension)], name="x")
    assert ob.dimension == star.dimension and ob.name == "x" and ob.is_open
    assert ob.n_chargers == star.n_chargers  # any public attribute is delegated
    assert np.allclose(ob.charging_hamiltonian().toarray(), sp.csr_matrix(star.charging_hamiltonian()).toarray())
    assert ob.metadata["model"] == star.metadata["model"] and ob.metadata["n_jump_operators"] == 1
    assert isinstance(star.full_space(), FullSpaceModel) and not star.is_open
