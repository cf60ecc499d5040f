"""Pulse-level solver: the stack.md STIRAP reference, fast path vs adaptive ODE vs QuTiP, frames, RWA, sweeps."""

import numpy as np
import pytest

import qbhw.pulse as qp
from qbhw.metrics import ergotropy

from pulse_helpers import continuous_gaussians, random_signals

CUT = 2.0  # GHz: keeps the +-alpha cross terms (0.3 GHz), drops the terms near 2 nu (10 GHz)


def test_stirap_reference_numbers_of_stack_md(qutrit_device, stirap_signals):
    model = qp.transmon_model(qutrit_device, decoherence=False)
    rec = np.array([0, stirap_signals.n_samples])
    # continuous Gaussians (stack.md's definition), adaptive ODE: 0.9822 (cross terms) / 0.9854 (ideal ladder), 1e-3
    cross = qp.simulate(model, stirap_signals, 0, method="ode", rwa_cutoff_ghz=CUT, record=rec,
                        continuous=continuous_gaussians())
    ladder = qp.simulate(model, stirap_signals, 0, method="ode", rwa_cutoff_ghz=0.15, record=rec,
                         continuous=continuous_gaussians())
    assert cross.populations[-1] == pytest.approx([0.0124, 0.0055, 0.9822], abs=1e-3)
    assert ladder.populations[-1][2] == pytest.approx(0.9854, abs=1e-3)
    # hardware model (held samples, continuous carriers), fast path: the same numbers to 1e-3
    held = qp.simulate(model, stirap_signals, 0, rwa_cutoff_ghz=CUT, record=rec)
    held_ladder = qp.simulate(model, stirap_signals, 0, rwa_cutoff_ghz=0.15, record=rec)
    assert held.populations[-1][2] == pytest.approx(0.9822, abs=1e-3)
    assert held_ladder.populations[-1][2] == pytest.approx(0.9854, abs=1e-3)
    # the +-alpha cross terms turn by 2 pi 0.3 GHz dt = 0.42 rad per sample (none on the ideal ladder); the Magnus-6
    # step integrates those carrier phases analytically (exact moments), so one step per sample suffices: three
    # sub-steps per sample change the states by < 1e-7 (and the ODE path agrees to 1e-6, next tests)
    assert held.problem.max_frequency * qutrit_device.dt_ns == pytest.approx(2 * np.pi * 0.3 * 2 / 9, rel=1e-9)
    assert held_ladder.problem.max_frequency == 0 and held.substeps == held_ladder.substeps == 1
    finer = qp.simulate(model, stirap_signals, 0, rwa_cutoff_ghz=CUT, record=rec, substeps=3)
    assert np.max(np.abs(finer.states - held.states)) < 1e-7


def test_fourth_level_lowers_transfer_by_about_1e_3(qutrit_device, stirap_signals):
    m4 = qp.transmon_model(qutrit_device, levels=4, decoherence=False)
    sig = qp.align_left(*[qp.Play(qp.Samples(stirap_signals.envelopes[c], dt_ns=qutrit_device.dt_ns), c)
                          for c in ("d0", "d1")]).build(qutrit_device)
    p2 = qp.simulate(m4, sig, 0, rwa_cutoff_ghz=CUT, record="final").populations[-1][2]
    assert p2 == pytest.approx(0.9812, abs=1e-3)  # stack.md: 0.9812 with a 4th level


@pytest.mark.parametrize("open_system", [False, True])
def test_fast_path_matches_adaptive_ode_on_stirap(qutrit_device, stirap_signals, open_system):
    dev = qutrit_device.replace(t1_ns=2000.0, tphi_ns=3000.0)  # strong decoherence to make it visible
    model = qp.transmon_model(dev, decoherence=open_system)
    rec = np.arange(0, stirap_signals.n_samples + 1, 150)
    fast = qp.simulate(model, stirap_signals, 0, rwa_cutoff_ghz=CUT, record=rec)
    ode = qp.simulate(model, stirap_signals, 0, rwa_cutoff_ghz=CUT, record=rec, method="ode")
    assert np.max(np.abs(fast.states - ode.states)) < 1e-6


def test_fast_path_matches_qutip_on_stirap_and_random_pulses(qutrit_device, stirap_signals):
    pytest.importorskip("qutip")
    from qbhw.pulse.reference import qutip_solve

    model = qp.transmon_model(qutrit_device, decoherence=False)
    rec = np.arange(0, stirap_signals.n_samples + 1, 300)
    # STIRAP with continuous Gaussians: our ODE path vs an independent QuTiP construction of the RWA model
    ours = qp.simulate(model, stirap_signals, 0, method="ode", rwa_cutoff_ghz=CUT, record=rec,
                       continuous=continuous_gaussians())
    ref = qutip_solve(model, stirap_signals, 0, rwa_cutoff_ghz=CUT, record=rec, continuous=continuous_gaussians())
    assert np.max(np.abs(ours.states - ref)) < 1e-6
    # random held pulses on three channels (0-1, 1-2 carriers and the 0-2 channel), closed and open (sesolve/mesolve)
    dev = qutrit_device.replace(t1_ns=500.0, tphi_ns=800.0)
    sig = random_signals(dev, 12, seed=3)
    rec = np.arange(0, 13, 4)
    for mdl, cut, frame in ((qp.transmon_model(dev, decoherence=False), CUT, "rotating"),
                            (qp.transmon_model(dev), CUT, "rotating"),
                            (qp.transmon_model(dev), None, "lab")):
        fast = qp.simulate(mdl, sig, 0, rwa_cutoff_ghz=cut, record=rec, frame=frame)
        ref = qutip_solve(mdl, sig, 0, rwa_cutoff_ghz=cut, record=rec, frame=frame)
        assert np.max(np.abs(fast.states - ref)) < 1e-6, (cut, frame, mdl.is_open)


def test_lab_and_rotating_frames_agree_without_rwa(qutrit_device):
    dev = qutrit_device.replace(t1_ns=800.0, tphi_ns=900.0)
    model = qp.transmon_model(dev)
    sig = random_signals(dev, 20, seed=5)
    rot = qp.simulate(model, sig, 0, output_frame="lab")
    lab = qp.simulate(model, sig, 0, frame="lab")
    assert np.max(np.abs(rot.states - lab.states)) < 1e-6


def test_rwa_never_drops_a_driven_channel_silently(qutrit_device):
    model = qp.transmon_model(qutrit_device, decoherence=False)
    sig = qp.Schedule(qp.Play(qp.Constant(4.0, amp_ghz=0.01), "d1")).build(qutrit_device)
    with pytest.raises(qp.RWACutoffError):
        qp.simulate(model, sig, 0, rwa_cutoff_ghz=0.1, frame="lab")  # every term of d1 oscillates at >= 4.7 GHz
    r = qp.simulate(model, sig, 0, rwa_cutoff_ghz=0.1)  # rotating frame: d1's 1-2 term is resonant and kept
    kept = [(ch, round(f, 6)) for ch, f, keep in r.problem.hamiltonian_terms if keep]
    assert ("d1", 0.0) in kept and all(abs(f) < 0.1 for _, f in kept)


def test_sweep_matches_single_runs(qutrit_device):
    model = qp.transmon_model(qutrit_device, decoherence=False)
    pair = qp.StirapPair(120.0, sigma_ns=15.0, delay_ns=20.0, amp_pump_ghz=0.03, amp_stokes_ghz=0.03 / np.sqrt(2))
    sigs = []
    for scale in (0.7, 1.0, 1.3):
        sched = qp.align_left(qp.Play(qp.Gaussian(120.0, amp_ghz=0.03 * scale, sigma_ns=15.0,
                                                  center_ns=pair.pump.center), "d0"),
                              qp.Play(qp.Gaussian(120.0, amp_ghz=0.03 / np.sqrt(2), sigma_ns=15.0,
                                                  center_ns=pair.stokes.center), "d1"))
        sigs.append(sched.build(qutrit_device))
    batch = qp.simulate_sweep(model, sigs, 0, rwa_cutoff_ghz=CUT)
    single = np.array([qp.simulate(model, s, 0, rwa_cutoff_ghz=CUT, record="final").states[-1] for s in sigs])
    assert np.max(np.abs(batch - single)) < 1e-9


def test_charging_curve_uses_metrics(qutrit_device, stirap_signals):
    model = qp.transmon_model(qutrit_device)
    r = qp.simulate(model, stirap_signals, 0, rwa_cutoff_ghz=CUT, record=np.arange(0, 1801, 200))
    c = r.charging_curve()
    assert c.kind == "trajectory" and c.work[0] == 0
    e = np.real(np.einsum("ii,kii->k", model.battery_hamiltonian, r.states)) / (2 * np.pi)
    np.testing.assert_allclose(c.energy, e, atol=1e-12)  # ground energy 0
    assert c.ergotropy[-1] == pytest.approx(ergotropy(r.states[-1], model.battery_hamiltonian) / (2 * np.pi), abs=1e-12)
    assert 0 < c.ergotropy[-1] <= c.energy[-1] + 1e-12
