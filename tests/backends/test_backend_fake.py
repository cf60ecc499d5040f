"""Offline runs on fake IBM backends (runtime local mode) against the noisy Aer density-matrix prediction.

The prediction transpiles the same circuits onto the same device (same seed) and propagates the
exact outcome distributions of the noisy density matrix through the device's readout errors;
the fake run samples the device's noise model with shots. Tolerance: 4 standard errors of the
fake run (its shot noise; the prediction itself has none).
"""

import numpy as np
import pytest
from qiskit_aer import AerSimulator

from qbhw.backends import AerBackend, fake_device, final_layout, get_backend, transpile_for_device
from qbhw.compile import check_fractional, star_charging, tfim_charging

SHOTS = 4000


def _assert_within_error_bars(fake_curve, predicted):
    sigma = fake_curve.energy_stderr
    assert np.all(sigma > 0)
    dev = np.abs(fake_curve.energy - predicted.energy)
    assert np.all(dev <= 4 * sigma), (fake_curve.energy, predicted.energy, sigma)


def test_eagle_sherbrooke_star_charging():
    """FakeSherbrooke (Eagle, ecr): star battery 𝒩 = 2, noisy charging curve vs noisy DM prediction."""
    device = fake_device("sherbrooke")
    prog = star_charging(2, 0.6, steps=2, max_step=None)
    t = np.array([0.0, 0.9, 1.8])
    fake = get_backend("fake:sherbrooke").run(prog, t, shots=SHOTS, seed=7)
    pred = AerBackend("density_matrix", noise=device).run(prog, t, seed=7)
    _assert_within_error_bars(fake, pred)
    ideal = prog.ideal_values(t)["energy"]
    assert np.max(np.abs(pred.energy - ideal)) > 0.005  # the noise is visible: not a noise-free comparison
    assert fake.metadata["backend"] == "fake:sherbrooke" and fake.metadata["job_ids"]


def test_heron_torino_fractional_gates():
    """FakeTorino with fractional rx/rzz: the perth RXX battery compiles to rzz and runs within error bars."""
    prog = tfim_charging(2, 1, field_in_charging=False)
    t = np.array([0.3, 0.6, 0.9])
    backend = get_backend("fake:torino", fractional_gates=True)
    isa = transpile_for_device(prog.circuit(0.6), backend.device, seed=3)
    assert "rzz" in isa.count_ops() and "cz" not in isa.count_ops()
    check_fractional(isa)
    fake = backend.run(prog, t, shots=SHOTS, seed=3)
    pred = AerBackend("density_matrix", noise=backend.device).run(prog, t, seed=3)
    _assert_within_error_bars(fake, pred)


def test_star_routing_on_heavy_hex_is_equivalent():
    """A 5-qubit star (battery degree 4) needs SWAPs on Eagle's degree-3 heavy-hex map; noise-free
    simulation of the routed circuit reproduces the logical energies (final layout after routing)."""
    device = fake_device("sherbrooke")
    prog = star_charging(4, 0.5, steps=2, max_step=None)
    t = 1.2
    isa = transpile_for_device(prog.circuit(t), device, seed=5)
    degree = max(sum(1 for e in device.coupling_map.get_edges() if q in e) for q in range(device.num_qubits))
    assert degree <= 6  # directed edges: heavy-hex qubits have at most 3 neighbours
    two_qubit = sum(v for k, v in isa.count_ops().items() if k in ("ecr", "cx", "cz"))
    assert two_qubit > 0
    phys = final_layout(isa, prog.num_qubits)
    qc = isa.copy()
    qc.save_expectation_value(prog.energy_observable, phys)
    value = AerSimulator(method="statevector").run(qc).result().data()["expectation_value"]
    assert value == pytest.approx(prog.ideal_values([t])["energy"][0], abs=1e-8)


def test_estimator_primitive_on_fake_backend(perth):
    prog = tfim_charging(2, 1, field_in_charging=False)
    t = np.array([0.6, 1.0])
    est = get_backend("fake:perth", primitive="estimator", estimator_options={"resilience_level": 0}).run(
        prog, t, shots=2048, seed=4)
    pred = AerBackend("density_matrix", noise=perth).run(prog, t, seed=4)
    assert np.all(est.energy_stderr > 0)
    # resilience 0: raw estimator; its precision target 1/√shots per observable term
    assert np.all(np.abs(est.energy - pred.energy) <= 4 * est.energy_stderr + 0.02)
