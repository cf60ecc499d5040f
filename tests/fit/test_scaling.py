"""Scaling exponents by log-log regression with bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pytest

from qbhw.fit import fit_scaling_exponent, scaling_from_curves
from qbhw.metrics import make_charging_curve

N = np.array([2, 3, 4, 6, 8, 12, 16, 24.0])


@pytest.mark.parametrize("method,with_sigma", [("parametric", True), ("residuals", False), ("pairs", False), ("pairs", True)])
def test_bootstrap_interval_coverage(method, with_sigma):
    """200 seeded noisy power laws (3 % noise): the 95 % bootstrap interval holds α = 1.5 in 90-99 %."""
    y0 = 0.42 * N**1.5
    sigma = 0.03 * y0
    rng = np.random.default_rng(2024)
    hits = 0
    for k in range(200):
        y = y0 + sigma * rng.standard_normal(N.size)
        res = fit_scaling_exponent(N, y, sigma if with_sigma else None, method=method, n_boot=1000, seed=k)
        hits += res.contains(1.5)
    assert 0.90 <= hits / 200 <= 0.99, hits / 200


def test_exact_power_law_and_linear_error():
    res = fit_scaling_exponent(N, 0.42 * N**1.5, 0.01 * 0.42 * N**1.5)
    assert res.exponent == pytest.approx(1.5, abs=1e-12) and res.prefactor == pytest.approx(0.42, rel=1e-12)
    # linear error of a weighted slope: 1/sqrt(sum w (lnN - mean)^2) with w = (y/sigma)^2 = 1e4 (tol 1e-12)
    ln = np.log(N)
    assert res.exponent_stderr == pytest.approx(1 / np.sqrt(1e4 * np.sum((ln - ln.mean()) ** 2)), rel=1e-12)
    assert res.ci95[0] < 1.5 < res.ci95[1]


def test_scaling_from_charging_curves():
    """Rabi-like curves W = N sin²(√N t): τ̃ ∝ N^{-1/2} and ⟨P⟩_τ̃ ∝ N^{3/2} exactly."""
    t = np.linspace(1e-3, 3.0, 3001)
    curves = {n: make_charging_curve(t, n * np.sin(np.sqrt(n) * t) ** 2) for n in (1, 2, 4, 8, 16)}
    p = scaling_from_curves(curves, "max_average_power")
    tau = scaling_from_curves(curves, "tau_max_power")
    assert p.exponent == pytest.approx(1.5, abs=2e-3)  # tolerance: grid refinement of tau
    assert tau.exponent == pytest.approx(-0.5, abs=2e-3)
    assert p.quantity == "max_average_power"
