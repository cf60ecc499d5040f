"""Charging protocols: Santos adiabatic sweep, STIRAP vs π pulses vs counter-diabatic, storage, Gemme 2022."""

import numpy as np
import pytest

import qbhw.pulse as qp
from qbhw.pulse import protocols as pr


def test_santos_sweep_full_charge_and_power_peak():
    c = pr.santos_sweep(np.geomspace(0.2, 60, 24))
    assert c.kind == "sweep"
    x, w, p = c.omega0_tau, c.w_fraction, c.normalized_power
    assert w[0] < 0.02 and w[-1] > 0.999          # no charge at Omega0 tau << 1, full charge as it grows (1e-3)
    assert np.all(w[x > 20] > 0.99)
    k = int(np.argmax(p))
    assert 0 < k < len(p) - 1                    # interior peak of (W/tau)/(W_max/tau_QSL) (errata E16)
    assert 0.5 < x[k] < 5.0                       # near Omega0 tau ~ 1 (found at ~2.5 with the sin^2 placeholder f)
    # W/W_max is the fraction of the bandwidth W_max = eps_3 - eps_1 (errata E17)
    np.testing.assert_allclose(c.work * 2 * np.pi / (c.metadata["w_max_ghz"] * 2 * np.pi), w, rtol=1e-12)


def test_stirap_is_robust_pi_pulses_are_not(qutrit_device):
    model = qp.transmon_model(qutrit_device, decoherence=False)
    scales = np.array([0.8, 1.0, 1.2])
    stirap = [pr.stirap_schedule(amp_scale=s).build(qutrit_device) for s in scales]
    pis = [pr.sequential_pi_schedule(qutrit_device, amp_scale=s).build(qutrit_device) for s in scales]
    p_stirap = np.abs(qp.simulate_sweep(model, stirap, 0, rwa_cutoff_ghz=2.0)[:, 2]) ** 2
    p_pi = np.abs(qp.simulate_sweep(model, pis, 0, rwa_cutoff_ghz=2.0)[:, 2]) ** 2
    assert p_pi[1] > 0.95                 # exact areas: fast (80 ns instead of 400 ns) and nearly full
    assert np.ptp(p_stirap) < 0.03        # +-20 % amplitude: STIRAP barely moves
    assert p_pi.min() < 0.85              # pi pulses lose > 10 % of the charge


def test_counterdiabatic_shortcut_charges_fast(qutrit_device):
    model = qp.transmon_model(qutrit_device, decoherence=False)
    pair = qp.StirapPair(60.0, sigma_ns=6.0, delay_ns=8.0, amp_pump_ghz=0.025, amp_stokes_ghz=0.025 / np.sqrt(2))
    plain = qp.align_left(qp.Play(pair.pump, "d0"), qp.Play(pair.stokes, "d1")).build(qutrit_device)
    cd = pr.counterdiabatic_schedule(qutrit_device, pair).build(qutrit_device)
    p_plain = qp.simulate(model, plain, 0, rwa_cutoff_ghz=0.15, record="final").populations[-1][2]
    p_cd = qp.simulate(model, cd, 0, rwa_cutoff_ghz=0.15, record="final").populations[-1][2]
    assert p_plain < 0.8 and p_cd > 0.999  # ideal ladder: the shortcut is exact up to the held samples


def test_storage_matches_analytic_decay(qutrit_device):
    t = np.linspace(0, 40000, 9)
    c = pr.storage_curve(qutrit_device, 2, t)
    g = 1 / qutrit_device.t1_ns
    # L = sqrt(g) b from |2>: p2 = e^{-2gt}, p1 = 2(e^{-gt} - e^{-2gt}) (dephasing does not move populations)
    p2 = np.exp(-2 * g * t)
    p1 = 2 * (np.exp(-g * t) - p2)
    np.testing.assert_allclose(c.populations[:, 2], p2, atol=1e-10)
    np.testing.assert_allclose(c.populations[:, 1], p1, atol=1e-10)
    e = qutrit_device.level_energies_ghz()
    np.testing.assert_allclose(c.energy, p1 * e[1] + p2 * e[2], rtol=1e-9)
    # diagonal state: ergotropy = E - sum(sorted populations (desc) * energies (asc)); 0 once passive
    passive = np.sort(c.populations, axis=1)[:, ::-1] @ np.array(e)
    np.testing.assert_allclose(c.ergotropy, c.energy - passive, atol=1e-9)
    assert np.all(np.diff(c.ergotropy) <= 1e-12) and c.ergotropy[-1] == pytest.approx(0, abs=1e-9)


def test_stirap_charging_curve_then_storage(qutrit_device):
    curve, res = pr.stirap_charging(qutrit_device, record=np.arange(0, 1801, 100))
    assert curve.energy[-1] > 0.95 * qutrit_device.level_energies_ghz()[2]
    stored = pr.storage_curve(qutrit_device, res.states[-1], [0.0, 10000.0])
    assert stored.energy[0] == pytest.approx(curve.energy[-1], rel=1e-9)
    assert stored.energy[1] < stored.energy[0]


@pytest.mark.parametrize("shape", ["square", "gaussian", "sine"])
def test_gemme_energy_versus_duration_is_the_rabi_formula(shape):
    dev = qp.load_device("armonk_like").with_levels(2)
    amp = 0.005
    ns = np.arange(64, 64 + 16 * 12, 16)
    c = pr.gemme_sweep(dev, shape, ns, amp)
    # RWA qubit: H = pi s(t) X, rotation angle 2 pi int s dt, so E = nu sin^2(pi int s dt) (GHz), 1e-9
    areas = np.array([pr.gemme_schedule(dev, shape, int(n), amp).build(dev).envelopes["d0"].real.sum() * dev.dt_ns
                      for n in ns])
    np.testing.assert_allclose(c.energy, dev.freq_ghz * np.sin(np.pi * areas) ** 2, atol=1e-9)


def test_gemme_imperfect_initialisation():
    dev = qp.load_device("armonk_like").with_levels(2)
    n = [64 * k for k in range(1, 6)]
    p = 0.05
    clean = pr.gemme_sweep(dev, "square", n, 0.004)
    noisy = pr.gemme_sweep(dev, "square", n, 0.004, initial_state=np.diag([1 - p, p]).astype(complex))
    # a mixture with excited population p stores E_noisy = p nu + (1 - 2p) E_clean: marginal change (Gemme 2022)
    np.testing.assert_allclose(noisy.energy, p * dev.freq_ghz + (1 - 2 * p) * clean.energy, atol=1e-9)
    assert np.max(np.abs(noisy.energy - clean.energy)) <= p * dev.freq_ghz + 1e-12
