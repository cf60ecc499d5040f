"""Public superoperators, exact free evolution, pulse maps, the reference STIRAP pair and stirap_charging options.

Independent routes: QuTiP's ``liouvillian`` (column stacking) for the Lindblad generator, ``scipy.linalg.expm``
for the free evolution, one :func:`qbhw.pulse.simulate` run of idle samples followed by the pulse for
:class:`qbhw.pulse.PulseMap`, and the pair the STIRAP code built before :meth:`StirapPair.reference` existed.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.linalg import expm

import qbhw.pulse as qp
from qbhw.errors import DimensionMismatchError, InvalidTimesError
from qbhw.pulse import protocols as pr


def _random_hermitian(rng, d):
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    return 0.5 * (a + a.conj().T)


def _random_density_matrix(rng, d):
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


def _random_model(seed=11, d=3, n_jumps=2):
    rng = np.random.default_rng(seed)
    H = _random_hermitian(rng, d)
    jumps = [0.3 * (rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))) for _ in range(n_jumps)]
    return qp.PulseModel(H, {}, tuple(jumps))


# ---- superoperators --------------------------------------------------------------------------------
def test_lindblad_superoperator_matches_qutip_liouvillian():
    """Random 3-level H and two random jump operators: our row-major generator equals QuTiP's column-stacking
    ``liouvillian`` after swapping the two Kronecker factors (vec_c(ρ) = vec_r(ρᵀ)), tol 1e-12."""
    qutip = pytest.importorskip("qutip")
    model = _random_model()
    d = model.dim
    ours = qp.lindblad_superoperator(model.static, model.jump_operators)
    ref = qutip.liouvillian(qutip.Qobj(model.static), [qutip.Qobj(L) for L in model.jump_operators]).full()
    ref_row_major = ref.reshape(d, d, d, d).transpose(1, 0, 3, 2).reshape(d * d, d * d)
    np.testing.assert_allclose(ours, ref_row_major, atol=1e-12, rtol=0)
    # and directly on a density matrix: −i[H, ρ] + Σ (LρL† − ½{L†L, ρ}), tol 1e-12
    rho = _random_density_matrix(np.random.default_rng(3), d)
    H = model.static
    direct = -1j * (H @ rho - rho @ H)
    for L in model.jump_operators:
        LL = L.conj().T @ L
        direct += L @ rho @ L.conj().T - 0.5 * (LL @ rho + rho @ LL)
    np.testing.assert_allclose((ours @ rho.reshape(-1)).reshape(d, d), direct, atol=1e-12, rtol=0)


def test_commutator_and_dissipator_superoperators():
    rng = np.random.default_rng(5)
    d = 3
    H, rho = _random_hermitian(rng, d), _random_density_matrix(rng, d)
    L, Lp = (rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d)) for _ in range(2))
    comm = (qp.commutator_superoperator(H) @ rho.reshape(-1)).reshape(d, d)
    np.testing.assert_allclose(comm, -1j * (H @ rho - rho @ H), atol=1e-12, rtol=0)
    cross = (qp.dissipator_superoperator(L, Lp) @ rho.reshape(-1)).reshape(d, d)
    LL = Lp.conj().T @ L
    np.testing.assert_allclose(cross, L @ rho @ Lp.conj().T - 0.5 * (LL @ rho + rho @ LL), atol=1e-12, rtol=0)
    np.testing.assert_array_equal(qp.dissipator_superoperator(L), qp.dissipator_superoperator(L, L))
    with pytest.raises(DimensionMismatchError, match="jump_operators"):
        qp.lindblad_superoperator(H, [np.eye(2)])


# ---- free evolution --------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["random", "transmon"])
def test_free_evolution_matches_expm_and_preserves_trace(which, qutrit_device):
    """e^{𝓛τ}ρ by the eigenbasis vs scipy expm per τ (tol 1e-10), trace 1 (1e-12) and Hermitian; the expm fallback
    (forced) gives the same states."""
    model = _random_model() if which == "random" else qp.transmon_model(qutrit_device)
    d = model.dim
    rho = _random_density_matrix(np.random.default_rng(1), d)
    times = np.array([0.0, 0.7, 3.0, 250.0, 5000.0]) if which == "transmon" else np.array([0.0, 0.1, 0.9, 2.5])
    free = qp.FreeEvolution(model)
    assert free.diagonalised
    out = free.evolve(rho, times)
    assert out.shape == (times.size, d, d)
    Lv = qp.lindblad_superoperator(model.static, model.jump_operators)
    ref = np.array([(expm(Lv * t) @ rho.reshape(-1)).reshape(d, d) for t in times])
    np.testing.assert_allclose(out, ref, atol=1e-10, rtol=0)
    np.testing.assert_allclose(np.trace(out, axis1=1, axis2=2), 1.0, atol=1e-12)
    np.testing.assert_allclose(out, np.conj(np.swapaxes(out, 1, 2)), atol=1e-12)
    np.testing.assert_allclose(qp.free_evolution(model, rho, times), out, atol=1e-14, rtol=0)
    # the same state given as a row-major vector; a level index and a state vector are accepted too
    np.testing.assert_allclose(free.evolve(rho.reshape(-1), times), out, atol=1e-14, rtol=0)
    psi = np.zeros(d, dtype=complex)
    psi[1] = 1.0
    np.testing.assert_allclose(free.evolve(1, times), free.evolve(psi, times), atol=1e-14, rtol=0)


def test_free_evolution_expm_fallback(monkeypatch, qutrit_device):
    import qbhw.pulse.evolution as ev

    model = qp.transmon_model(qutrit_device)
    times = [0.0, 10.0, 4000.0]
    fast = qp.FreeEvolution(model).evolve(2, times)
    monkeypatch.setattr(ev, "_MAX_CONDITION", -1.0)  # every eigenbasis counts as ill-conditioned
    slow = qp.FreeEvolution(model)
    assert not slow.diagonalised
    np.testing.assert_allclose(slow.evolve(2, times), fast, atol=1e-10, rtol=0)


def test_free_evolution_rejects_bad_times(qutrit_device):
    free = qp.FreeEvolution(qp.transmon_model(qutrit_device))
    with pytest.raises(InvalidTimesError, match="times_ns"):
        free.evolve(0, [0.0, np.nan])


# ---- pulse maps ------------------------------------------------------------------------------------
def _pair_envelopes(device, scale=0.7):
    pair = qp.StirapPair.reference()
    dt = device.dt_ns
    return scale * pair.pump.samples(dt), scale * pair.stokes.samples(dt)


def _signals(device, pump, stokes):
    dt = device.dt_ns
    return qp.align_left(qp.Play(qp.Samples(pump, dt), "d0"), qp.Play(qp.Samples(stokes, dt), "d1")).build(device)


@pytest.mark.parametrize("n0", [450, 455])
def test_pulse_map_matches_simulate_of_the_pulse_started_at_t0(qutrit_device, n0):
    """Idle samples then the pulse in one simulate run (Lindblad, ±α cross terms kept) vs PulseMap.apply on the
    lab-frame state at t0 = n0 dt: the rotating-frame and lab-frame end states agree to 1e-8."""
    dev = qutrit_device
    model = qp.transmon_model(dev)
    pump, stokes = _pair_envelopes(dev)
    idle = np.zeros(n0)
    whole = _signals(dev, np.concatenate([idle, pump]), np.concatenate([idle, stokes]))
    rho0 = _random_density_matrix(np.random.default_rng(n0), 3)
    run = qp.simulate(model, whole, rho0, rwa_cutoff_ghz=pr.DEFAULT_RWA_CUTOFF_GHZ, record=[n0, whole.n_samples])
    rho_t0_lab = run.lab_states()[0]
    pmap = qp.PulseMap(model, _signals(dev, pump, stokes), pr.DEFAULT_RWA_CUTOFF_GHZ)
    t0 = n0 * dev.dt_ns
    np.testing.assert_allclose(pmap.apply(rho_t0_lab, t0), run.states[-1], atol=1e-8, rtol=0)
    np.testing.assert_allclose(pmap.apply(rho_t0_lab, t0, output_frame="lab"), run.lab_states()[-1], atol=1e-8,
                               rtol=0)
    assert pmap.duration_ns == pytest.approx(pump.size * dev.dt_ns)


def test_pulse_map_is_cached_per_start_phase(qutrit_device):
    """The kept terms turn at 0 and ±|α| (0.3 GHz): start times 15 samples (10/3 ns) apart share one map, others
    get their own; a shared map still reproduces simulate (tol 1e-8)."""
    dev = qutrit_device
    model = qp.transmon_model(dev)
    pump, stokes = _pair_envelopes(dev)
    pmap = qp.PulseMap(model, _signals(dev, pump, stokes), pr.DEFAULT_RWA_CUTOFF_GHZ)
    S = pmap.superoperator(450 * dev.dt_ns)
    assert pmap.superoperator(465 * dev.dt_ns) is S and pmap.n_cached == 1
    assert pmap.superoperator(455 * dev.dt_ns) is not S and pmap.n_cached == 2
    n0 = 465
    idle = np.zeros(n0)
    whole = _signals(dev, np.concatenate([idle, pump]), np.concatenate([idle, stokes]))
    run = qp.simulate(model, whole, 1, rwa_cutoff_ghz=pr.DEFAULT_RWA_CUTOFF_GHZ, record=[n0, whole.n_samples])
    np.testing.assert_allclose(pmap.apply(run.lab_states()[0], n0 * dev.dt_ns), run.states[-1], atol=1e-8, rtol=0)


# ---- the reference STIRAP pair ---------------------------------------------------------------------
def test_reference_pair_is_the_pair_the_old_code_built(qutrit_device):
    ref = qp.StirapPair.reference()
    # the literal of the former stirap_schedule default
    literal = qp.StirapPair(400.0, sigma_ns=40.0, delay_ns=60.0, amp_pump_ghz=0.025,
                            amp_stokes_ghz=0.025 / np.sqrt(2), center_ns=200.0)
    assert ref == literal
    # the pair the former STIRAP fit module derived from the schedule's two Gaussians
    pump, stokes = (play.waveform for play in pr.stirap_schedule().children)
    derived = qp.StirapPair(pump.duration_ns, sigma_ns=pump.sigma_ns, delay_ns=pump.center - stokes.center,
                            amp_pump_ghz=pump.amp_ghz, amp_stokes_ghz=stokes.amp_ghz,
                            center_ns=0.5 * (pump.center + stokes.center))
    assert derived == ref
    assert ref.pump.center == 230.0 and ref.stokes.center == 170.0 and ref.sigma_ns == 40.0
    # the pulse-test fixture's pair (centre by default in the middle of the window) plays the same samples
    default_centre = dataclasses.replace(ref, center_ns=None)
    dt = qutrit_device.dt_ns
    np.testing.assert_array_equal(default_centre.pump.samples(dt), ref.pump.samples(dt))
    np.testing.assert_array_equal(default_centre.stokes.samples(dt), ref.stokes.samples(dt))


# ---- stirap_charging options -----------------------------------------------------------------------
def test_stirap_charging_record_final_and_no_ergotropy(qutrit_device):
    full, res_full = pr.stirap_charging(qutrit_device)
    curve, res = pr.stirap_charging(qutrit_device, record="final")
    n = res_full.samples[-1]
    np.testing.assert_array_equal(res.samples, [0, n])  # the start and the end of the pulse
    np.testing.assert_allclose(curve.times, [0.0, n * qutrit_device.dt_ns], rtol=1e-15)
    np.testing.assert_allclose(curve.energy, full.energy[[0, -1]], atol=1e-12, rtol=0)
    np.testing.assert_allclose(curve.work, full.work[[0, -1]], atol=1e-12, rtol=0)
    np.testing.assert_allclose(curve.ergotropy, full.ergotropy[[0, -1]], atol=1e-12, rtol=0)
    np.testing.assert_allclose(res.populations[-1], res_full.populations[-1], atol=1e-12, rtol=0)
    lean, lean_res = pr.stirap_charging(qutrit_device, ergotropy=False)
    assert lean.ergotropy is None
    np.testing.assert_array_equal(lean.energy, full.energy)
    assert full.ergotropy is not None and full.ergotropy.shape == full.energy.shape


def test_charging_curve_of_a_single_recorded_sample_names_record(qutrit_device):
    model = qp.transmon_model(qutrit_device, decoherence=False)
    r = qp.simulate(model, pr.stirap_schedule().build(qutrit_device), 0, rwa_cutoff_ghz=2.0, record="final")
    assert r.battery_energy_ghz().shape == (1,)  # the single state is still there
    with pytest.raises(InvalidTimesError, match="record"):
        r.charging_curve()


# ---- the Malz–Smith two-tone drive -----------------------------------------------------------------
def test_floquet_schedule_is_the_quasiperiodic_drive():
    dev = qp.load_device("armonk_like").with_levels(2)
    b = 23316405.372023
    drive = qp.QuasiperiodicDrive(max_drive=b, m=1, dt=dev.dt_ns * 1e-9, n_samples=4000)
    a = drive.schedule(dev).build(dev)
    old = pr.floquet_two_tone_schedule(dev, m=1, b_rad_per_s=b, n_samples=4000).build(dev)
    for ch in ("d0", "z0"):
        np.testing.assert_array_equal(a.envelopes[ch], old.envelopes[ch])
    # h in rad/ns: s = (hx − i hy)/π on d0, s_z = −hz/π on z0 (the nominal fields, tol 1e-15 relative)
    hx, hy, hz = (f * 1e-9 for f in drive.fields(1.0, 4000))
    np.testing.assert_allclose(a.envelopes["d0"], (hx - 1j * hy) / np.pi, rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(a.envelopes["z0"], -hz / np.pi, rtol=1e-12, atol=1e-18)
    with pytest.raises(DimensionMismatchError, match="device"):
        dataclasses.replace(drive, dt=1e-9).schedule(dev)
