"""qiskit-experiments integration: charging sweep and self-discharge compose and save locally.

Physics checks: the self-discharge lifetime fitted on FakeManilaV2's noise model (thermal
relaxation on delays) equals the device's reported T1 (a fully charged qubit decays as e^{−t/T1};
readout error only rescales and offsets the curve) within 4 standard errors and 10 %; the sweep
of parallel charging RX(2αt) gives Ω = α (E = ω0 sin²(αt)) within 4 standard errors.
"""

import numpy as np
import pytest

pytest.importorskip("qiskit_experiments")

from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_ibm_runtime.executor_sampler import Sampler  # noqa: E402
from qiskit_experiments.database_service import LocalExperimentService  # noqa: E402
from qiskit_experiments.framework import BatchExperiment, ExperimentData, ParallelExperiment  # noqa: E402

from qbhw.compile import parallel_charging, star_charging  # noqa: E402
from qbhw.errors import ConfigError, DimensionMismatchError, InvalidArgumentError  # noqa: E402
from qbhw.experiments import ChargingTimeSweep, SelfDischarge  # noqa: E402


def _value(data, name, qubit):
    df = data.analysis_results(dataframe=True)
    row = df[(df["name"] == name) & (df["components"].apply(lambda c: [str(x) for x in c] == [f"Q{qubit}"]))]
    assert len(row) == 1, df
    return row.iloc[0]["value"], row.iloc[0]["quality"]


def test_parallel_and_batch_experiments_fit_and_save(tmp_path):
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    device = FakeManilaV2()
    sim = AerSimulator.from_backend(device)
    t1 = [device.qubit_properties(q).t1 for q in (0, 1)]
    delays = np.linspace(0, 3 * max(t1), 12)
    discharge = ParallelExperiment([SelfDischarge((q,), delays, backend=sim) for q in (0, 1)], backend=sim,
                                   flatten_results=True)
    alpha = 0.8
    sweep = ChargingTimeSweep((2,), parallel_charging(1, alpha), np.linspace(0.05, 4.0, 14), backend=sim)
    batch = BatchExperiment([discharge, sweep], backend=sim, flatten_results=True)
    sampler = Sampler(mode=sim)  # the client-side executor sampler (SamplerV2 is deprecated)
    sampler.options.simulator.seed_simulator = 4
    data = batch.run(sampler=sampler, shots=2000).block_for_results()
    assert not data.errors()
    for q in (0, 1):
        tau, quality = _value(data, "storage_time", q)
        assert quality == "good"
        assert abs(tau.nominal_value - t1[q]) < 4 * tau.std_dev and abs(tau.nominal_value / t1[q] - 1) < 0.1
    omega, _ = _value(data, "omega", 2)
    assert abs(omega.nominal_value - alpha) < 4 * omega.std_dev
    peak, _ = _value(data, "tau_energy_peak", 2)
    assert peak.nominal_value == pytest.approx(np.pi / (2 * alpha), rel=0.02)

    service = LocalExperimentService(db_dir=str(tmp_path))
    data.service = service
    data.save()
    loaded = ExperimentData.load(data.experiment_id, service)
    names = set(loaded.analysis_results(dataframe=True)["name"])
    assert {"storage_time", "omega", "tau_energy_peak"} <= names
    assert (tmp_path / "experiments.json").exists()


def test_experiment_bad_input():
    with pytest.raises(InvalidArgumentError):
        SelfDischarge((0,), [0.0, 1e-6])
    with pytest.raises(DimensionMismatchError):
        ChargingTimeSweep((0,), parallel_charging(2, 0.5), [0.1, 0.2])
    with pytest.raises(ConfigError):
        ChargingTimeSweep((0, 1, 2), star_charging(2, 0.5, initial="thermal", beta=1.0), [0.1, 0.2])


def test_battery_energy_error_bar_never_zero():
    """BatteryEnergy: mean ω0⟨#1⟩ with σ from qbhw.metrics.counts_sum_estimate — > 0 for all-zero counts (and
    for one excitation in every shot), ≈ the sample standard error s/√shots otherwise."""
    from qiskit_experiments.data_processing import DataProcessor

    from qbhw.experiments.charging import BatteryEnergy
    from qbhw.metrics import jeffreys_probability

    dp = DataProcessor("counts", [BatteryEnergy(2.0)])
    empty, single, mixed = dp([{"counts": {"00": 1000}}, {"counts": {"01": 500, "10": 500}},
                               {"counts": {"00": 700, "11": 300}}])
    assert empty.nominal_value == 0.0 and empty.std_dev > 0
    # two independent empty cells, each Z constant: σ = ω0/2 · 2σ_J · √2
    assert empty.std_dev == pytest.approx(2.0 * np.sqrt(2) * jeffreys_probability(0, 1000)[1], rel=1e-12)
    assert single.nominal_value == pytest.approx(2.0) and single.std_dev > 0
    e = np.repeat([0.0, 4.0], [700, 300])
    assert mixed.nominal_value == pytest.approx(1.2)
    assert mixed.std_dev == pytest.approx(e.std(ddof=1) / np.sqrt(1000), rel=2e-3)
