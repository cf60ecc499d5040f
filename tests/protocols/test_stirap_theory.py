"""The theory-backed STIRAP fit through the pulse solver (:mod:`qbhw.protocols.stirap_theory`).

Every part of the model is checked against an independent route first — the charging traces against the
adaptive ODE reference of the pulse solver, the storage against the closed-form T1 cascade, the free
evolution of the 0–2 coherence against ``e^{−(1/T1 + 4/Tφ)τ}`` (jumps √(1/T1) b and √(2/Tφ) n̂), the
Ramsey rows (half pulse, stored superposition, reverse half pulse composed from superoperators) against one
pulse-solver run of the whole sequence with the storage played as idle samples — then Ω, T1 and Tφ are
recovered from a seeded noisy data set.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qbhw.errors import DataError, InvalidArgumentError
from qbhw.fit import fit_curve
from qbhw.protocols.stirap_theory import StirapChargingModel, StirapExperiment
from qbhw.pulse import FreeEvolution

TRUTH = {"rabi_mhz": 22.0, "t1_ns": 15000.0, "tphi_ns": 25000.0}


@pytest.fixture(scope="module")
def small_experiment():
    return StirapExperiment(trace_amplitudes=(0.5,), trace_ns=(0.0, 100.0, 200.0, 300.0, 400.0),
                            storage_ns=(0.0, 1000.0, 5000.0, 20000.0),
                            ramsey_ns=(0.0, 1000.0, 455 * 2.0 / 9.0), observables=("p0", "p1", "p2", "energy"))


def _part(exp, values, part):
    return values[exp.part_mask(part)].reshape(-1, len(exp.observables))


# ---- the model against independent routes ---------------------------------------------------------
def test_traces_match_the_ode_reference(small_experiment):
    """Populations during the a = 0.5 pulse (Magnus-6 path) vs DOP853 on the same model: tol 1e-8."""
    from qbhw.pulse import simulate

    exp = small_experiment
    rows = _part(exp, exp.predict(**TRUTH), "trace")
    model = exp.pulse_model(TRUTH["t1_ns"], TRUTH["tphi_ns"])
    rec = np.round(np.asarray(exp.trace_ns) / exp.device.dt_ns).astype(int)
    ref = simulate(model, exp._signals(*exp._envelopes(TRUTH["rabi_mhz"], 0.5)), 0, rwa_cutoff_ghz=exp.rwa_cutoff_ghz,
                   method="ode", record=rec).populations
    np.testing.assert_allclose(rows[:, :3], ref, atol=1e-8)
    # the energy row is sum_k E_k P_k with the Duffing levels 0, nu, 2 nu + alpha (GHz): tol 1e-7 GHz
    levels = np.array([0.0, exp.device.freq_ghz, 2 * exp.device.freq_ghz + exp.device.anharmonicity_ghz])
    np.testing.assert_allclose(rows[:, 3], ref @ levels, atol=1e-7)


def test_storage_is_the_t1_cascade(small_experiment):
    """Free decay after the pulse: P2 = P2(0) e^{-2τ/T1}, P1 = P1(0) e^{-τ/T1} + 2 P2(0)(e^{-τ/T1} − e^{-2τ/T1}),
    tol 1e-12."""
    exp = small_experiment
    rows = _part(exp, exp.predict(**TRUTH), "storage")
    tau, g = np.asarray(exp.storage_ns), 1.0 / TRUTH["t1_ns"]
    p1_0, p2_0 = rows[0, 1], rows[0, 2]
    assert p2_0 > 0.9  # the pulse charged the qutrit (tol: STIRAP at a = 1 transfers > 90 %)
    np.testing.assert_allclose(rows[:, 2], p2_0 * np.exp(-2 * g * tau), atol=1e-12)
    cascade_p1 = p1_0 * np.exp(-g * tau) + 2 * p2_0 * (np.exp(-g * tau) - np.exp(-2 * g * tau))
    np.testing.assert_allclose(rows[:, 1], cascade_p1, atol=1e-12)
    np.testing.assert_allclose(rows[:, :3].sum(axis=1), 1.0, atol=1e-12)


def test_free_evolution_dephases_the_02_coherence_at_1_over_t1_plus_4_over_tphi(small_experiment):
    """ρ02(τ) = ρ02(0) e^{−(1/T1 + 4/Tφ)τ} e^{+iω02 τ} (jumps √(1/T1) b and √(2/Tφ) n̂; lab frame): tol 1e-12."""
    exp = small_experiment
    free = FreeEvolution(exp.pulse_model(TRUTH["t1_ns"], TRUTH["tphi_ns"]))
    rho = np.zeros((3, 3), dtype=complex)
    rho[0, 0] = rho[2, 2] = 0.5
    rho[0, 2] = rho[2, 0] = -0.5
    tau = np.array([0.0, 3.7, 2000.0, 15000.0])
    out = free.evolve(rho, tau).reshape(-1, 3, 3)
    rate = 1 / TRUTH["t1_ns"] + 4 / TRUTH["tphi_ns"]
    w02 = 2 * np.pi * (2 * exp.device.freq_ghz + exp.device.anharmonicity_ghz)
    np.testing.assert_allclose(out[:, 0, 2], -0.5 * np.exp(-rate * tau) * np.exp(1j * w02 * tau), atol=1e-12)


def test_ramsey_rows_match_one_run_of_the_whole_sequence(small_experiment):
    """Half pulse + storage + reversed half pulse, composed (shared retrieval map on the 10/3-ns grid, its own map
    off it) vs one pulse-solver run with the storage played as idle samples: tol 1e-6."""
    from qbhw.pulse import simulate

    exp = small_experiment
    rows = _part(exp, exp.predict(**TRUTH), "ramsey")
    model = exp.pulse_model(TRUTH["t1_ns"], TRUTH["tphi_ns"])
    pump, stokes = exp._envelopes(TRUTH["rabi_mhz"], 1.0)
    h = exp.half_samples
    for k, tau in enumerate(exp.ramsey_ns):
        idle = np.zeros(int(round(tau / exp.device.dt_ns)))
        seq = [np.concatenate([w[:h], idle, w[:h][::-1]]) for w in (pump, stokes)]
        ref = simulate(model, exp._signals(*seq), 0, rwa_cutoff_ghz=exp.rwa_cutoff_ghz, record="final").populations[-1]
        np.testing.assert_allclose(rows[k, :3], ref, atol=1e-6)
    # the dark state comes back: most of the charge returns to |0> without storage (tol: > 0.7), less after it
    assert rows[0, 0] > 0.7 and rows[1, 0] < rows[0, 0] - 0.05


# ---- the fit --------------------------------------------------------------------------------------
def test_stirap_fit_recovers_rabi_t1_tphi_within_95_percent_intervals():
    """Seeded data (P1, P2 rows; Gaussian noise σ = 0.01, known): quality good, truth inside each 95 % interval
    (linear: 1.96 × stderr), and the three parameters identified (relative stderr < 1 %, 3 %, 15 %)."""
    exp = StirapExperiment()  # traces at a = 0.5 and 1 (0..400 ns), storage to 40 µs, Ramsey to 20 µs
    sigma = 0.01
    y = exp.predict(**TRUTH) + sigma * np.random.default_rng(7).standard_normal(exp.n_rows)
    model = StirapChargingModel(exp, t1_guess=5000.0, tphi_guess=1e5)  # hints far off: the guess comes from the data
    res = fit_curve(model, exp.fit_data(y, np.full(exp.n_rows, sigma)))
    assert res.quality == "good", res.summary()
    for name, bound in (("rabi_mhz", 0.01), ("t1_ns", 0.03), ("tphi_ns", 0.15)):
        p = res.parameter(name)
        assert p.contains(TRUTH[name]), (name, p.value, p.ci95)
        assert p.stderr / p.value < bound, (name, p.stderr / p.value)
    # the guess (closed-form cascade for T1, closed-system scan for Ω, Ramsey scan for Tφ) lands in the basin:
    # within 20 % of the truth
    start = model.guess_values(np.arange(exp.n_rows, dtype=float), y, np.full(exp.n_rows, sigma))
    assert set(start) == set(TRUTH)
    for name, v in start.items():
        assert abs(v / TRUTH[name] - 1) < 0.2, (name, v)


def test_stirap_experiment_rejects_bad_input():
    with pytest.raises(InvalidArgumentError, match="trace_ns"):
        StirapExperiment(trace_ns=(0.0, 0.1))  # not a whole sample
    with pytest.raises(InvalidArgumentError, match="trace_ns"):
        StirapExperiment(trace_ns=(0.0, 800.0))  # beyond the pulse
    with pytest.raises(InvalidArgumentError, match="observables"):
        StirapExperiment(observables=("p3",))
    with pytest.raises(InvalidArgumentError, match="storage_ns"):
        StirapExperiment(storage_ns=(-1.0,))
    exp = StirapExperiment(trace_amplitudes=(1.0,), trace_ns=(0.0,), storage_ns=(), ramsey_ns=())
    with pytest.raises(DataError, match="rows"):
        exp.fit_data(np.zeros(exp.n_rows + 1))
    with pytest.raises(InvalidArgumentError, match="t1_ns"):
        exp.predict(20.0, math.nan, 1e4)
