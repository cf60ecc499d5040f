"""Every protocol: parameters → acquire → analyse → plot on a small case, on the exact backend and on one
sampled backend, recovering its parameters; Data and Results round-trip through JSON.

Tolerances: on exact (noise-free) data the fit returns the acquired parameter to 1e-6 (relative; the theory
is the same solver, so only the optimiser's convergence limits it). On sampled data (finite shots, fixed
seeds) the 95 % interval contains the true value (interval coverage over many seeds is checked in
tests/fit and tests/protocols/test_stirap_theory.py).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from qbhw import protocols
from qbhw.protocols import Data, Results

#: name → (small parameters, fitted parameter, true value, sampled backend (None: exact only), extra sampled
#: parameters)
CASES = {
    "dicke_charging": (dict(n_cells=2, coupling=0.5, times={"start": 0.1, "stop": 2.0, "num": 12}),
                       "coupling", 0.5, "aer", {}),
    "tavis_cummings_charging": (dict(n_cells=2, coupling=0.5, times={"start": 0.1, "stop": 2.0, "num": 12}),
                                "coupling", 0.5, "aer", {}),
    "rabi_charging": (dict(coupling=0.5, times={"start": 0.2, "stop": 3.0, "num": 12}), "coupling", 0.5, "aer", {}),
    "star_charging": (dict(n_chargers=3, coupling=0.4, times={"start": 0.1, "stop": 2.0, "num": 12}),
                      "coupling", 0.4, "aer", {}),
    "ising_charging": (dict(times={"start": 0.1, "stop": 1.4, "num": 12}), "coupling_abs", 2.0, "aer", {}),
    "nmr_star_charging": (dict(n_chargers=2, relaxation=False,
                               times_ms={"start": 0.0, "stop": 150.0, "num": 16}), "coupling_hz", 10.0, "pulse", {}),
    "nmr_star_storage": (dict(n_chargers=2, storage_s={"start": 0.0, "stop": 40.0, "num": 9}),
                         "tau", 8.0, "pulse", {}),
    "spin_chain_charging": (dict(n_spins=3, times={"start": 0.1, "stop": 2.0, "num": 12}), "drive", 1.0, "aer", {}),
    "single_qubit_drive": (dict(times={"start": 0.1, "stop": 3.0, "num": 12}), "amplitude", 1.0, "aer", {}),
    "stirap_charging": (dict(amp_scale=0.9, times_ns={"start": 0, "stop": 400, "num": 21}), "amp_scale", 0.9,
                        "pulse", {}),
    "pi_pulse_charging": (dict(amp_scale=0.9), "amp_scale", 0.9, "pulse", {}),
    "counterdiabatic_stirap": (dict(amp_scale=0.9), "amp_scale", 0.9, "pulse", {}),
    "stirap_storage": (dict(storage_ns={"start": 0, "stop": 40000, "num": 6},
                            ramsey_ns={"start": 0, "stop": 20000, "num": 5}), "t1_ns", 20000.0, "pulse", {}),
    "driven_qubit": (dict(drive_scale=0.95, readout_contrast=0.8, decoherence=False,
                          drive_samples=tuple(range(0, 44801, 896))), "drive_scale", 0.95, "pulse", {}),
    "collision_charging": (dict(n_collisions=12), "beta", 1.3, None, {}),
    "dfs_storage": (dict(initial="bright", times={"start": 0.0, "stop": 20.0, "num": 11}), "dephasing", 0.5, None, {}),
    "dark_state_charging": (dict(n_battery=2, gamma=0.05, times={"start": 0.0, "stop": 60.0, "num": 13}), "gamma",
                            0.05, None, {}),
    "environment_assisted_charging": (dict(times={"start": 0.0, "stop": 100.0, "num": 21}), "coupling", 0.05, None, {}),
    "measurement_stabilisation": (dict(times={"start": 0.0, "stop": 1.0, "num": 11}), "coupling", 0.5, None, {}),
    "feedback_charging": (dict(levels=3, times={"start": 0.0, "stop": 10.0, "num": 11}), "coupling", 0.5, None, {}),
    "microcavity_superabsorption": (dict(n_values=(1, 2, 3), cavity_dim=5, times={"start": 0.0, "stop": 20.0,
                                                                                   "num": 21}),
                                    "coupling", 0.1, None, {}),
}


def test_cases_cover_every_registered_protocol():
    from qbhw.devices import ROUTINES  # calibration routines: tests/protocols/test_calibration_*.py

    assert set(CASES) | set(ROUTINES) == set(protocols.names()) and not set(CASES) & set(ROUTINES)


def _check_round_trip(data: Data, results: Results):
    d2 = Data.from_json(data.to_json())
    assert d2.parameters == data.parameters and d2.backend == data.backend
    assert np.array_equal(d2.curve.energy, data.curve.energy) and np.array_equal(d2.curve.times, data.curve.times)
    r2 = Results.from_json(results.to_json())
    assert type(r2) is type(results)
    if results.fit is not None:
        assert r2.fit.values == results.fit.values
    for name, value in vars(results).items():
        if name in ("fit", "notes"):
            continue
        other = getattr(r2, name)
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(other), name
        else:
            assert other == value, name


@pytest.mark.parametrize("name", sorted(CASES))
def test_exact_acquire_analyse_plot_recovers_the_parameter(name):
    proto = protocols.get(name)
    params, par, truth, _, _ = CASES[name]
    data = proto.acquire(proto.Parameters(**params), "exact")
    assert data.protocol == name and data.backend == "exact"
    results = proto.analyse(data)
    assert results.fit is not None and results.fit.ok, results.notes
    assert results.fit.value(par) == pytest.approx(truth, rel=1e-6)
    fig = proto.plot(data, results)
    assert isinstance(fig, Figure) and fig.axes
    _check_round_trip(data, results)


#: protocols that run on a sampled backend (the open-battery protocols run on ``exact`` only)
SAMPLED = sorted(name for name, case in CASES.items() if case[3] is not None)


def test_every_protocol_on_a_sampled_backend_has_a_sampled_case():
    for name in CASES:
        kinds = set(protocols.get(name).BACKENDS) - {"exact"}
        assert (CASES[name][3] is not None) == bool(kinds), name


@pytest.mark.parametrize("name", SAMPLED)
def test_sampled_acquire_analyse_recovers_within_the_interval(name):
    proto = protocols.get(name)
    params, par, truth, backend, extra = CASES[name]
    data = proto.acquire(proto.Parameters(**params, shots=2000, seed=11, **extra), backend)
    sigma = (data.curve.energy_stderr if data.curve.energy_stderr is not None
             else data.curve.observables.get("bloch_lab_stderr"))
    assert sigma is not None and np.all(np.asarray(sigma) > 0)  # shot noise is reported and never 0
    results = proto.analyse(data)
    assert results.fit.ok, results.notes
    est = results.fit.parameter(par)
    assert est.contains(truth), (est.value, est.ci95)
    assert isinstance(proto.plot(data, results), Figure)
    _check_round_trip(data, results)


def test_figures_of_merit_are_top_level_fields():
    stirap = protocols.get("stirap_charging")
    data = stirap.acquire(stirap.Parameters(times_ns={"start": 0, "stop": 400, "num": 5}), "exact")
    res = stirap.analyse(data, fit=False)
    assert len(res.final_populations) == 3 and abs(sum(res.final_populations) - 1) < 1e-9
    assert res.final_populations[2] == pytest.approx(0.96, abs=0.01)  # the reference device with T1/Tφ
    assert res.average_power == pytest.approx(data.curve.work[-1] / 400.0, rel=1e-12)
    assert res.fit is None


def test_stirap_follows_a_changed_anharmonicity():
    from qbhw.devices import load

    stirap = protocols.get("stirap_charging")
    dev = load("transmon_qutrit_stirap")
    for changed in (dev.replace(anharmonicity_ghz=-0.25), dev.replace(freq_ghz=5.2)):
        p = stirap.Parameters(device=changed, decoherence=False, times_ns=(0.0, 400.0))
        res = stirap.analyse(stirap.acquire(p, "exact"), fit=False)
        assert res.transfer > 0.97, (changed.anharmonicity_ghz, changed.freq_ghz, res.final_populations)


def test_device_parameter_wins_over_the_backends_device():
    from qbhw.backends import PulseBackend

    stirap = protocols.get("stirap_charging")
    p = stirap.Parameters(device="transmon_qutrit_stirap", times_ns=(0.0, 400.0))
    data = stirap.acquire(p, PulseBackend("armonk_like"))
    assert data.metadata["device"]["name"] == "transmon_qutrit_stirap"
    data = stirap.acquire(stirap.Parameters(times_ns=(0.0, 400.0)), PulseBackend("transmon_qutrit_stirap"))
    assert data.metadata["device"]["name"] == "transmon_qutrit_stirap"


def test_dicke_advantage_and_scaling_choice():
    dicke = protocols.get("dicke_charging")
    res = dicke.analyse(dicke.acquire(dicke.Parameters(n_cells=4, coupling=0.5, times={"start": 0, "stop": 1.5,
                                                                                       "num": 61}), "exact"))
    assert res.quantum_advantage is not None and res.quantum_advantage > 1.5  # Γ ≈ 2.0 at N = 4 (∝ √N)
    assert 0 < res.ergotropy_fraction <= 1


def test_ising_protocol_refits_the_recorded_perth_data():
    import pathlib

    from qbhw.fit import read_csv

    ising = protocols.get("ising_charging")
    table = read_csv(pathlib.Path(__file__).resolve().parents[1] / "data" / "ibm_perth_tfim_battery_vqergo.csv")
    res = ising.analyse(ising.from_table(table, "tfim_N4_M2"))
    assert res.fit.ok and res.fit.parameter("coupling_abs").contains(2.0)
    res2 = ising.analyse(ising.from_table(table, "xx_N2_M1"), contrast=True)
    assert res2.fit.parameter("coupling_abs").contains(2.0) and 0.9 < res2.contrast <= 1.0


def test_star_high_temperature_profile_chooses_n():
    star = protocols.get("star_charging")
    p = star.Parameters(n_chargers=5, coupling=0.4, initial="high_temperature",
                        times={"start": 0, "stop": 6, "num": 121})
    res = star.analyse(star.acquire(p, "exact"), profile_n=True, n_values=range(2, 9))
    assert res.n_chargers == 5 and res.observable == "polarization"
    assert res.coupling == pytest.approx(0.4, rel=1e-6)


def test_driven_qubit_protocol_analyses_the_recorded_armonk_run():
    import pathlib

    from qbhw.fit import read_csv

    dq = protocols.get("driven_qubit")
    table = read_csv(pathlib.Path(__file__).resolve().parents[1] / "data" / "ibmq_armonk_floquet_driven_qubit.csv")
    data = dq.from_table(table, 1)
    res = dq.analyse(data)
    assert 0.97 < res.drive_scale < 0.99  # the library fit of the same data (test_driven_qubit_theory.py)
    assert all(0.75 < c < 0.9 for c in res.contrast)
    # quantised energy pumping (Malz & Smith 2021): the m = 1 run pumps at about the quantum
    assert 0.8 < res.pumping_ratio < 1.3
    m3 = dq.analyse(dq.from_table(table, 3), fit=False)
    assert abs(m3.pumping_ratio) < 0.5
