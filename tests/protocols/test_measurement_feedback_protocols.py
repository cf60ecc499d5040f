"""The measurement_stabilisation and feedback_charging protocols (review Sec. V.B.2–4): figures of merit against
closed forms, the analysis paths the shared protocol test does not take, and the parameter checks.

Tolerances: closed forms (survival e^{−γT}, ζ_stab = 0 of the reset/re-initialised cycle, η_stab = N(1 − p), the
binary-entropy Zeno cost) to 1e-10; fitted rates on exact data to 1e-6 (relative).
"""

from __future__ import annotations

import math

import pytest

from qbhw import protocols
from qbhw.errors import ConfigError
from qbhw.protocols import Data, Results

MEAS = protocols.get("measurement_stabilisation")
FEED = protocols.get("feedback_charging")


def test_markovian_measurement_stabilisation_figures_of_merit():
    gamma, tau, total = 0.3, 0.1, 1.0
    p = MEAS.Parameters(environment="markovian", gamma=gamma, tau_alpha=tau, beta_eras=2.0,
                        times={"start": 0.0, "stop": total, "num": 11})
    res = MEAS.analyse(MEAS.acquire(p))
    n = round(total / tau)
    q = math.exp(-gamma * tau)
    assert res.gamma == pytest.approx(gamma, rel=1e-6) and math.isnan(res.coupling)
    assert res.survival == pytest.approx(math.exp(-gamma * total), abs=1e-10)
    assert res.interval_survival == pytest.approx(q, abs=1e-12)
    assert res.mean_measurements == pytest.approx((1 - q ** n) / (1 - q), abs=1e-10)
    entropy = -(q * math.log(q) + (1 - q) * math.log(1 - q))
    assert res.zeno_cost == pytest.approx(res.mean_measurements * entropy / 2.0, abs=1e-10)
    assert res.charging_work == pytest.approx(1.0, abs=1e-12)  # the π pulse from |g⟩
    assert res.eta_stab == pytest.approx(n * (1 - q), abs=1e-10)
    assert res.zeta_stab == pytest.approx(0.0, abs=1e-10)  # re-initialisation replaces exactly the leaked energy
    assert res.stored_energy == pytest.approx(q, abs=1e-12) and res.energy_kept_fraction == res.stored_energy
    assert res.leakage == pytest.approx(-gamma * q, abs=1e-12)  # review sign: Tr[H_B D[ρ_α]] = −γ p_e


def test_coherent_zeno_protection_through_the_protocol():
    survival = []
    for tau in (0.2, 0.05):
        p = MEAS.Parameters(environment="coherent", coupling=0.8, tau_alpha=tau,
                            times={"start": 0.0, "stop": 2.0, "num": 11})
        res = MEAS.analyse(MEAS.acquire(p), fit=False)
        assert res.survival == pytest.approx(math.cos(0.8 * tau) ** (2 * round(2.0 / tau)), abs=1e-10)
        survival.append(res.survival)
    assert survival[1] > survival[0]


def test_feedback_trajectories_through_the_protocol():
    p = FEED.Parameters(levels=2, delay=0.1, method="trajectories", n_trajectories=40, time_step=0.01, seed=3,
                        times={"start": 0.0, "stop": 1.0, "num": 6})
    data = FEED.acquire(p)
    res = FEED.analyse(data)
    assert res.fit is None and any("master_equation" in note for note in res.notes)
    assert res.energy_stderr is not None and res.energy_stderr > 0
    assert res.steady_top_population is None
    assert 0.5 <= res.charger_purity <= 1.0
    assert Data.from_json(data.to_json()).curve.energy_stderr is not None
    assert Results.from_json(res.to_json()).energy_stderr == res.energy_stderr
    assert FEED.plot(data, res).axes


def test_feedback_master_equation_results():
    p = FEED.Parameters(levels=3, times={"start": 0.0, "stop": 20.0, "num": 21})
    res = FEED.analyse(FEED.acquire(p), fit=False)
    assert res.steady_top_population == pytest.approx(1.0, abs=1e-9)
    assert res.steady_energy == pytest.approx(2.0, abs=1e-9)
    assert res.top_population > 0.9 and res.min_power >= -1e-9
    # nearly pure top level: the passive energy E − 𝓔 is ~ the population left below it (~1e-3)
    assert 0 < res.final_energy - res.final_ergotropy < 5e-3


def test_parameters_are_checked():
    with pytest.raises(ConfigError):
        FEED.Parameters(delay=0.5)  # a delay needs the trajectory average
    with pytest.raises(ConfigError):
        FEED.Parameters(efficiency=0.0)
    with pytest.raises(ConfigError):
        MEAS.Parameters(environment="zeno")
    with pytest.raises(ConfigError):
        MEAS.Parameters(zeno_count="all")
