"""The open cavity battery against the damped vacuum-Rabi oscillation of one excitation (closed form, 1e-8), the
collective Rabi frequency g√N in the rise time, and the microcavity protocol's per-N figures."""

from __future__ import annotations

import math

import numpy as np
import pytest

import qbhw
from qbhw import protocols
from qbhw.errors import QbhwError
from qbhw.models import OpenDickeBattery


@pytest.mark.parametrize("n, kappa", [(1, 0.0), (3, 0.0), (4, 0.1), (6, 0.05)])
def test_one_photon_charges_n_emitters_by_a_damped_collective_rabi_oscillation(n, kappa):
    """One photon, N emitters in |g⟩, resonant Tavis–Cummings coupling G = g√N, cavity loss κ: the emitters'
    excitation is (G/Ω)² e^{−κt/2} sin²(Ωt), Ω = √(G² − κ²/16)."""
    g = 0.2
    m = OpenDickeBattery(n, g, cavity_dim=3, initial_photons=1, cavity_loss=kappa)
    t = np.linspace(0.0, 20.0, 41)
    curve = qbhw.charge(m, t)
    big_g = g * math.sqrt(n)
    om = math.sqrt(big_g ** 2 - kappa ** 2 / 16)
    exact = (big_g / om) ** 2 * np.exp(-kappa * t / 2) * np.sin(om * t) ** 2
    assert np.allclose(curve.energy, exact, atol=1e-8)
    # the charged state lives in the symmetric subspace: one excitation of N cells, ergotropy of that mixture
    assert np.all(curve.ergotropy <= curve.energy + 1e-12)


def test_rise_time_follows_the_collective_rabi_frequency():
    micro = protocols.get("microcavity_superabsorption")
    rise = []
    for n in (1, 4, 9):
        m = OpenDickeBattery(n, 0.1, cavity_dim=3, initial_photons=1)
        t = np.linspace(0.0, math.pi / (2 * 0.1 * math.sqrt(n)), 401)  # up to the first maximum
        c = qbhw.charge(m, t, ergotropy=False)
        rise.append(micro.size_figures(t, c.energy, c.power.power)["rise_time"])
    # sin² from 10 % to 90 %: (asin√0.9 − asin√0.1)/(g√N)
    expected = [(math.asin(math.sqrt(0.9)) - math.asin(math.sqrt(0.1))) / (0.1 * math.sqrt(n)) for n in (1, 4, 9)]
    assert np.allclose(rise, expected, rtol=1e-4)


def test_protocol_reports_each_n_from_its_own_curve():
    micro = protocols.get("microcavity_superabsorption")
    p = micro.Parameters(n_values=(1, 2, 3), cavity_dim=5, times={"start": 0.0, "stop": 20.0, "num": 21})
    data = micro.acquire(p, "exact")
    res = micro.analyse(data, fit=False)
    for k, n in enumerate(p.n_values):
        power = data.curve.observables[f"power_N{n}"]
        energy = data.curve.observables[f"energy_N{n}"]
        assert res.peak_power[k] == pytest.approx(float(np.max(power)))
        assert res.max_energy_per_n[k] == pytest.approx(float(np.max(energy)))
        single = qbhw.charge(micro.build_model(p, n), np.asarray(p.times), ergotropy=False)
        assert np.allclose(single.energy, energy, atol=1e-12)
    assert math.isfinite(res.rate_exponent) and res.rate_exponent_ci95[0] <= res.rate_exponent <= res.rate_exponent_ci95[1]
    assert res.peak_power[-1] > res.peak_power[0]  # more emitters absorb faster


@pytest.mark.parametrize("bad, argument", [({"n_values": (2, 1)}, "n_values"), ({"n_values": ()}, "n_values"),
                                           ({"cavity_loss": -1.0}, "cavity_loss"), ({"cavity_dim": 1}, "cavity_dim")])
def test_bad_parameters_name_the_field(bad, argument):
    micro = protocols.get("microcavity_superabsorption")
    with pytest.raises(QbhwError) as err:
        micro.Parameters(**bad)
    assert err.value.argument == argument
