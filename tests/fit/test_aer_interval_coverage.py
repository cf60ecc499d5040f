"""Interval coverage on Aer shot noise: a closed-form Rabi fit of sampled single-qubit charging curves.

A single-qubit charging circuit (``parallel_charging``: ``RX(2Ωt)`` on |0⟩, energy ``ω_0 p_e``) sampled by
``qiskit_aer.AerSimulator`` with a fixed ``seed_simulator``, fitted with the closed-form Rabi model; the
reported 95 % interval (linear, 1.96 × stderr) must contain the true Ω in 90–99 % of 200 repetitions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qbhw.fit import RabiChargingModel, binomial_probability, fit_curve, make_fit_data


# ---- Aer shot noise --------------------------------------------------------------------------------
def test_aer_shot_noise_rabi_coverage():
    """200 repetitions of a 24-point charging curve (400 shots per point) in one Aer run (fixed seed_simulator):
    Ω = 0.8 inside the 95 % interval (linear; σ binomial from the fitted curve, 2-pass IRLS) in 90–99 % of them;
    the mean estimate unbiased to 3 standard errors of the mean; the reported stderr matching the scatter (15 %)."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    from qbhw.backends import build_plan, curve_from_results, measured_circuits
    from qbhw.compile.local_global import parallel_charging

    omega, shots, reps = 0.8, 400, 200
    t = np.linspace(0.05, 6.0, 24)
    program = parallel_charging(1, alpha=omega)  # omega_0 = 1: E(t) = sin^2(omega t)
    plan = build_plan(program, t)
    sim = AerSimulator()
    circuits = transpile(measured_circuits(program, plan), sim, optimization_level=0)
    result = sim.run(circuits * reps, shots=shots, seed_simulator=2024).result()
    n = len(circuits)
    model = RabiChargingModel()
    hits, values, errors = 0, [], []
    for r in range(reps):
        curve = curve_from_results(plan, [result.get_counts(r * n + i) for i in range(n)], shots=shots)
        k = curve.energy * shots  # counts of |1> (omega_0 = 1)
        assert np.allclose(k, np.rint(k), atol=1e-9)
        y, s = binomial_probability(np.rint(k).astype(int), np.full(t.size, shots))
        data = make_fit_data(t, y, s, sigma_kind="binomial", shots=shots, binomial_kind="probability")
        res = fit_curve(model, data, fixed={"amplitude": 1.0})
        assert res.ok, res.message
        hits += res.parameter("omega").contains(omega)
        values.append(res.value("omega"))
        errors.append(res.stderr("omega"))
    coverage = hits / reps
    assert 0.90 <= coverage <= 0.99, coverage
    assert abs(np.mean(values) - omega) < 3 * np.mean(errors) / math.sqrt(reps)
    assert np.std(values) == pytest.approx(np.mean(errors), rel=0.15)
