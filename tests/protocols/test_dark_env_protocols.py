"""The figures of merit of ``dark_state_charging`` and ``environment_assisted_charging`` against the models they
wire (review Secs. V.C.2 and V.A.2). Tolerances per test."""

from __future__ import annotations

import numpy as np
import pytest

import qbhw
from qbhw import protocols
from qbhw.errors import ConfigError, InvalidArgumentError
from qbhw.models import EnvironmentAssistedBattery


def test_dark_state_results_single_pair():
    """N_B = N_C = 1 at T = 0: steady-state energy ω/4 (1e-12) with zero ergotropy (1e-8), half the initial weight
    dark (1e-12); power density = ⟨P⟩_τ̃/N_B; the energy curve approaches ω/4 (1e-6 at 2γT = 20)."""
    proto = protocols.get("dark_state_charging")
    data = proto.acquire(proto.Parameters(n_battery=1, gamma=0.05, times={"start": 0, "stop": 200, "num": 41}))
    res = proto.analyse(data, fit=False)
    assert res.steady_state_energy == pytest.approx(0.25, abs=1e-12)
    assert res.steady_state_ergotropy == pytest.approx(0.0, abs=1e-8)
    assert res.dark_weight == pytest.approx(0.5, abs=1e-12)
    assert res.power_density == pytest.approx(res.max_average_power, rel=1e-12)
    assert data.curve.energy[-1] == pytest.approx(0.25, abs=1e-6)
    assert np.max(data.curve.ergotropy) < 1e-8  # never any ergotropy for one pair


def test_dark_state_power_density_divides_by_n_battery():
    """N_B = 3, N_C = 2, β = 2: power density = ⟨P⟩_τ̃/3 (1e-12); steady-state ergotropy > 0 (N_B = 3)."""
    proto = protocols.get("dark_state_charging")
    p = proto.Parameters(n_battery=3, n_charger=2, beta=2.0, times={"start": 0, "stop": 60, "num": 31})
    res = proto.analyse(proto.acquire(p), fit=False)
    assert res.power_density == pytest.approx(res.max_average_power / 3, rel=1e-12)
    assert res.steady_state_ergotropy > 0.05


def test_environment_assisted_markovian_comparison_is_the_markovian_model():
    """The stored Markovian curve equals qbhw.charge of the memory='markovian' model (1e-12); at the defaults
    (γ_0 = κ = 10λ) memory gains ≥ 0.8ω of ergotropy and the regime is flagged non-Markovian."""
    proto = protocols.get("environment_assisted_charging")
    p = proto.Parameters(times={"start": 0, "stop": 100, "num": 26})
    data = proto.acquire(p)
    res = proto.analyse(data, fit=False)
    ref = qbhw.charge(EnvironmentAssistedBattery(p.coupling, p.gamma0, p.width, memory="markovian"), p.times)
    assert np.allclose(data.curve.observables["markovian_energy"], ref.energy, atol=1e-12)
    assert res.markovian_max_ergotropy == pytest.approx(float(np.max(ref.ergotropy)), abs=1e-12)
    assert res.non_markovian and res.ergotropy_gain >= 0.8
    assert res.max_energy > res.markovian_max_energy + 0.3


def test_parameters_are_checked():
    with pytest.raises(ConfigError):
        protocols.get("environment_assisted_charging").Parameters(memory="exact")
    with pytest.raises(InvalidArgumentError):
        protocols.get("dark_state_charging").Parameters(gamma=0.0)
