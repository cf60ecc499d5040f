"""Stabilisation by sequential projective energy measurements (review Sec. V.B.3, Eq. 57; Gherardini et al.,
PRR 2, 013095, 2020): qbhw.models.MeasuredBattery and qbhw.solvers.measurement.

References and tolerances:
* Markovian amplitude damping: survival e^{−γT} whatever τ_α (no Zeno freezing), and the averaged energy of
  unreinitialised runs equals the unmeasured decay ω_0 e^{−γt} — analytic, 1e-10;
* coherent exchange with an undamped resonant ancilla / bath mode: survival cos²(gτ_α)^{T/τ_α} — analytic,
  1e-10; it increases as τ_α shrinks and tends to 1 (quantum Zeno effect), also with a damped mode;
* one interval of the damped, detuned bath mode against QuTiP ``mesolve`` (rtol 1e-10) — 1e-8;
* m̄ and W_Zeno (Eq. 57) against the geometric series (1 − p^N)/(1 − p) and the binary entropy — 1e-12, and
  the "stage" m̄ against sampled first-failure times (4 standard errors);
* energy balance E(t_{n+1}⁻) = E(t_n⁻) + W_drive(t_n) + ∫ 𝔏 dt, the leakage integrated by the trapezoid rule
  on 200 points per interval — 1e-6; traces and positivity of every averaged state — 1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import qbhw
from qbhw.errors import ConfigError, InvalidArgumentError
from qbhw.models import MeasuredBattery
from qbhw.solvers.lindblad import lindblad_rate
from qbhw.solvers.measurement import (
    interval_outcome_probabilities,
    run_measurement_protocol,
)

TAUS = (0.5, 0.2, 0.05, 0.01)


@pytest.mark.parametrize("tau, reinitialise", [(tau, True) for tau in TAUS] + [(0.5, False), (0.05, False)])
def test_markovian_survival_is_exponential_whatever_the_interval(tau, reinitialise):
    gamma, total = 0.35, 2.0
    model = MeasuredBattery("markovian", tau, gamma=gamma, reinitialise=reinitialise)
    curve = qbhw.charge(model, np.linspace(0.0, total, 5))
    assert curve.survival[-1] == pytest.approx(math.exp(-gamma * total), abs=1e-10)
    last_measurement = tau * np.floor(curve.times / tau + 1e-9)  # survival only changes at measurements
    assert np.allclose(curve.survival, np.exp(-gamma * last_measurement), atol=1e-10, rtol=0)
    assert interval_outcome_probabilities(model)[1] == pytest.approx(math.exp(-gamma * tau), abs=1e-12)
    assert model.interval_survival_analytic() == pytest.approx(math.exp(-gamma * tau), rel=1e-15)


def test_markovian_measurements_do_not_slow_the_decay():
    gamma = 0.35
    times = np.linspace(0.0, 2.0, 23)  # off the measurement grid too
    for tau in (0.3, 0.07):
        curve = qbhw.charge(MeasuredBattery("markovian", tau, gamma=gamma, reinitialise=False,
                                            initial_excited_population=1.0), times)
        assert np.allclose(curve.energy, np.exp(-gamma * times), atol=1e-10, rtol=0)
        assert np.allclose(curve.observables["leakage"], -gamma * curve.energy, atol=1e-12, rtol=0)


@pytest.mark.parametrize("bath_levels", [2, 5])
@pytest.mark.parametrize("memory", ["reset", "keep"])
def test_coherent_survival_matches_cos_squared_power(bath_levels, memory):
    g, total = 0.8, 2.0
    for tau in TAUS:
        model = MeasuredBattery("coherent", tau, coupling=g, bath_levels=bath_levels, environment_memory=memory)
        run = run_measurement_protocol(model, [0.0, total])
        n = round(total / tau)
        assert run.survival[-1] == pytest.approx(math.cos(g * tau) ** (2 * n), abs=1e-10)
        assert interval_outcome_probabilities(model)[1] == pytest.approx(model.interval_survival_analytic(), abs=1e-12)


@pytest.mark.parametrize("bath_damping", [0.0, 0.5])
def test_coherent_survival_rises_to_one_as_the_interval_shrinks(bath_damping):
    g, total = 0.8, 2.0
    survival = [qbhw.charge(MeasuredBattery("coherent", tau, coupling=g, bath_damping=bath_damping),
                            [0.0, total]).survival[-1] for tau in (0.4, 0.2, 0.1, 0.02, 0.004)]
    assert np.all(np.diff(survival) > 0), survival
    assert survival[-1] > 1 - g ** 2 * 0.004 * total * 1.01  # 1 − s ≈ g² τ_α T in the Zeno limit
    markov = [qbhw.charge(MeasuredBattery("markovian", tau, gamma=0.5), [0.0, total]).survival[-1]
              for tau in (0.4, 0.02)]
    assert markov[0] == pytest.approx(markov[1], abs=1e-12)  # contrast: no Zeno effect


def test_one_interval_against_qutip():
    qt = pytest.importorskip("qutip")
    model = MeasuredBattery("coherent", 0.7, coupling=0.6, bath_damping=0.3, bath_levels=3, omega_bath=1.1)
    a = qt.tensor(qt.destroy(3), qt.qeye(2))
    sm = qt.tensor(qt.qeye(3), qt.Qobj(np.array([[0, 1], [0, 0]])))  # |g> = index 0
    h = 1.0 * sm.dag() * sm + 1.1 * a.dag() * a + 0.6 * (sm.dag() * a + sm * a.dag())
    psi0 = qt.tensor(qt.basis(3, 0), qt.basis(2, 1))
    res = qt.mesolve(h, psi0, [0.0, 0.7], [math.sqrt(0.3) * a], e_ops=[sm.dag() * sm],
                     options={"rtol": 1e-10, "atol": 1e-12})
    assert interval_outcome_probabilities(model)[1] == pytest.approx(float(res.expect[0][-1]), abs=1e-8)


@pytest.mark.parametrize("zeno_count", ["stage", "window"])
def test_zeno_cost_against_direct_computation(zeno_count):
    g, tau, total, beta = 0.9, 0.1, 3.0, 2.5
    model = MeasuredBattery("coherent", tau, coupling=g, beta_eras=beta, zeno_count=zeno_count)
    curve = qbhw.charge(model, [0.0, total])
    p = math.cos(g * tau) ** 2
    n = round(total / tau)
    entropy = -(p * math.log(p) + (1 - p) * math.log(1 - p))
    m_bar = (1 - p ** n) / (1 - p) if zeno_count == "stage" else n
    assert curve.mean_measurements[-1] == pytest.approx(m_bar, rel=1e-12)
    assert curve.zeno_cost[-1] == pytest.approx(m_bar * entropy / beta, rel=1e-12)
    assert curve.metadata["charging_work"] == pytest.approx(1.0, rel=1e-12)  # the first π pulse
    assert curve.stabilisation_work[-1] == pytest.approx(n * (1 - p), rel=1e-12)  # one π pulse per failure
    # with the environment reset, the re-initialisations replace exactly the energy lost (ζ_stab = 0)
    assert curve.lost_energy[-1] == pytest.approx(n * (1 - p), rel=1e-12)


def test_stage_mean_against_sampled_first_failures():
    model = MeasuredBattery("markovian", 0.1, gamma=0.8)
    run = run_measurement_protocol(model, [0.0, 2.0])
    n = run.measurement_times.size - 1
    rng = np.random.default_rng(5)
    first_failure = rng.geometric(1 - math.exp(-0.8 * 0.1), size=20000)  # index of the first |g> outcome
    lengths = np.minimum(first_failure, n)
    assert abs(run.mean_measurements(2.0) - lengths.mean()) < 4 * lengths.std() / math.sqrt(lengths.size)


def test_energy_balance_and_physical_states():
    tau, g, kappa = 0.4, 0.7, 0.3
    model = MeasuredBattery("coherent", tau, coupling=g, bath_damping=kappa, bath_levels=3, environment_memory="keep",
                            initial_excited_population=0.2)
    n_seg = 4
    offsets = np.linspace(0.0, tau, 201)
    times = np.unique(np.concatenate([[0.0]] + [k * tau + offsets[1:] for k in range(n_seg)]))
    run = run_measurement_protocol(model, times)
    for rho in run.states:
        assert abs(np.trace(rho) - 1) < 1e-12 and np.linalg.eigvalsh(rho)[0] > -1e-12
    assert np.allclose(run.outcome_probabilities.sum(axis=1), 1.0, atol=1e-12)
    hb = model.battery_hamiltonian().toarray()
    h, jumps = model.charging_hamiltonian(), model.jump_operators()
    energy = np.array([np.trace(hb @ rho).real for rho in run.states])
    leak = np.array([np.trace(hb @ lindblad_rate(h, jumps, rho)).real for rho in run.states])
    e_before = energy[0]  # E(0⁻) = E(ρ_0)
    for k in range(n_seg):
        sel = (times > k * tau + 1e-12) & (times <= (k + 1) * tau + 1e-12)
        e_after = e_before + run.drive_work[k]  # the drives act at t_k; the projection costs nothing
        # the first interior sample is 1e-3 τ after t_k: extrapolate the leakage back to t_k⁺ linearly
        t_seg = np.concatenate([[k * tau], times[sel]])
        l_seg = np.concatenate([[2 * leak[sel][0] - leak[sel][1]], leak[sel]])
        integral = float(np.sum(0.5 * (l_seg[1:] + l_seg[:-1]) * np.diff(t_seg)))
        assert energy[sel][-1] == pytest.approx(e_after + integral, abs=1e-6)
        e_before = energy[sel][-1]
    # the initialisation drive: ρ_0 = diag(0.8, 0.2) → ρ_0* = diag(0.2, 0.8), then the π pulse after |g⟩ (p = 0.2)
    assert run.drive_work[0] == pytest.approx(0.6 + 0.2, abs=1e-12)


def test_arguments_are_checked():
    with pytest.raises(InvalidArgumentError):
        MeasuredBattery("markovian", 0.0)
    with pytest.raises(ConfigError):
        MeasuredBattery("lossy", 0.1)
    with pytest.raises(ConfigError):
        MeasuredBattery("markovian", 0.1, coupling=0.3)
    with pytest.raises(ConfigError):
        MeasuredBattery("coherent", 0.1, gamma=0.3)
    with pytest.raises(ConfigError):
        MeasuredBattery("coherent", 0.1, zeno_count="all")
