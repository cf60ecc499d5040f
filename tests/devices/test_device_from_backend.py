"""One device vocabulary: IBM fake backends convert into qbhw Devices, from which an Aer noise model and a qiskit
Target are built; a Bell circuit transpiled for the Target runs on the noise model."""

from __future__ import annotations

import pytest

import qbhw.devices as qd
from qbhw.backends.device_models import noise_model, target
from qbhw.errors import ConfigError

fake_provider = pytest.importorskip("qiskit_ibm_runtime.fake_provider")


@pytest.fixture(scope="module", params=["FakeSherbrooke", "FakeTorino"])
def converted(request):
    backend = getattr(fake_provider, request.param)()
    return backend, qd.from_backend(backend)


def test_conversion_matches_the_backend(converted):
    backend, dev = converted
    assert dev.num_qubits == backend.num_qubits and dev.is_multi_qubit
    assert dev.dt_ns == pytest.approx(backend.dt * 1e9, rel=1e-12)
    assert len(dev.coupling_map) == len(set(backend.coupling_map.get_edges()))
    for q in (0, 7, backend.num_qubits - 1):
        props = backend.qubit_properties(q)
        assert dev.qubits[q].t1_ns == pytest.approx(props.t1 * 1e9, rel=1e-12)
        assert dev.qubits[q].t2_ns == pytest.approx(props.t2 * 1e9, rel=1e-12)
        assert dev.qubits[q].readout_error == backend.target["measure"][(q,)].error
    two_q = "ecr" if "ecr" in dev.basis_gates else "cz"
    pair = next(iter(backend.target[two_q]))
    assert dev.gate_errors[two_q][tuple(pair)] == backend.target[two_q][pair].error
    assert dev.gate_durations_ns[two_q][tuple(pair)] == pytest.approx(backend.target[two_q][pair].duration * 1e9)
    assert {"measure", "reset", "delay", "if_else"}.isdisjoint(dev.basis_gates)
    back = qd.Device.from_dict(dev.to_dict())
    assert back == dev and hash(back) == hash(dev)


def test_missing_numbers_stay_none():
    sherbrooke = qd.from_backend(fake_provider.FakeSherbrooke())
    torino = qd.from_backend(fake_provider.FakeTorino())
    # Eagle reports frequency and (legacy properties) anharmonicity; Heron reports neither: never invented
    assert sherbrooke.qubits[0].freq_ghz == pytest.approx(4.6356, abs=1e-3)
    assert -0.4 < sherbrooke.qubits[0].anharmonicity_ghz < -0.2 and sherbrooke.levels == 3
    assert all(q.freq_ghz is None and q.anharmonicity_ghz is None for q in torino.qubits) and torino.levels == 2
    assert torino.provenance["anharmonicity_ghz"] == "not given by the backend"
    # the single-transmon device of a qubit, for pulse simulations
    q3 = sherbrooke.qubit(3)
    assert not q3.is_multi_qubit and q3.freq_ghz == sherbrooke.qubits[3].freq_ghz and q3.levels == 3
    assert q3.t1_ns == sherbrooke.qubits[3].t1_ns and q3.dt_ns == sherbrooke.dt_ns
    t2 = 1 / (0.5 / q3.t1_ns + 1 / q3.tphi_ns) if q3.tphi_ns else 2 * q3.t1_ns
    assert t2 == pytest.approx(min(sherbrooke.qubits[3].t2_ns, 2 * q3.t1_ns), rel=1e-9)
    with pytest.raises(ConfigError) as e:
        torino.qubit(0)
    assert e.value.argument == "freq_ghz"
    given = torino.qubit(0, freq_ghz=4.9, anharmonicity_ghz=-0.31, channels=[{"name": "d0", "carrier": "qubit"}])
    assert given.channel_map["d0"].freq_ghz == 4.9


def test_noise_model_and_target_run_a_bell_circuit(converted):
    from qiskit import QuantumCircuit, transpile
    from qiskit_aer import AerSimulator

    backend, dev = converted
    tgt = target(dev)
    assert tgt.num_qubits == dev.num_qubits and tgt.dt == pytest.approx(backend.dt)
    assert set(dev.basis_gates) | {"measure", "reset", "delay"} == set(tgt.operation_names)
    two_q = "ecr" if "ecr" in dev.basis_gates else "cz"
    pair = next(iter(backend.target[two_q]))
    assert tgt[two_q][pair].error == backend.target[two_q][pair].error
    assert tgt["measure"][(5,)].error == backend.target["measure"][(5,)].error
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    isa = transpile(qc, target=tgt, optimization_level=2, seed_transpiler=0)  # noise-aware layout
    assert set(isa.count_ops()) <= set(tgt.operation_names)
    used = sorted({isa.find_bit(q).index for inst in isa.data for q in inst.qubits})
    model = noise_model(dev, qubits=used)
    assert set(model.noise_qubits) <= set(used) and model.noise_qubits
    counts = AerSimulator(noise_model=model).run(isa, shots=2000, seed_simulator=11).result().get_counts()
    p_bell = (counts.get("00", 0) + counts.get("11", 0)) / 2000
    assert 0.8 < p_bell < 0.995  # noisy, but a Bell pair


def test_full_noise_model_builds():
    dev = qd.from_backend(fake_provider.FakeSherbrooke())
    model = noise_model(dev)
    assert len(model.noise_qubits) == dev.num_qubits
    assert set(model.noise_instructions) >= {"ecr", "sx", "x", "measure"}


def test_noise_channel_matches_the_reported_gate_error():
    """Relaxation over the gate plus the depolarizing part reproduce the gate's average infidelity."""
    from qiskit.quantum_info import average_gate_fidelity

    from qbhw.backends.device_models import _gate_error

    specs = (qd.QubitSpec(t1_ns=2e5, t2_ns=1e5), qd.QubitSpec(t1_ns=1e5, t2_ns=2.5e5))  # second: T2 > 2 T1, capped
    for qubits, error, duration_ns in (((0,), 3e-4, 35.5), ((0, 1), 8e-3, 533.0), ((1, 0), 2e-2, 533.0)):
        err = _gate_error(qubits, error, duration_ns, specs, True)
        assert 1 - average_gate_fidelity(err.to_quantumchannel()) == pytest.approx(error, rel=1e-9)
    # relaxation alone exceeds the reported error: no depolarizing part, the infidelity is the relaxation's
    err = _gate_error((0,), 3e-4, 533.0, specs, True)
    assert 1 - average_gate_fidelity(err.to_quantumchannel()) == pytest.approx(0.0022155, rel=1e-4)


def test_device_models_need_basis_gates():
    with pytest.raises(ConfigError) as e:
        noise_model(qd.load("armonk_like"))
    assert e.value.argument == "device"
    single = qd.load("armonk_like").replace(basis_gates=["sx", "rz", "x"],
                                            gates=[{"name": "sx", "qubits": [0], "error": 1e-3, "duration_ns": 35.5}])
    tgt = target(single)
    assert tgt.num_qubits == 1 and tgt["sx"][(0,)].error == 1e-3 and tgt["x"][(0,)] is None  # no record: no numbers
    assert "sx" in noise_model(single).noise_instructions


def test_aer_backend_runs_on_a_converted_device_like_on_the_fake_backend():
    """One device vocabulary: the converted qbhw Device drives the circuit layer (transpile target) and the
    Aer noise model; its noisy density-matrix prediction of a 2-charger star equals the fake backend's
    (same layout and noise: agreement to 1e-3, the difference between the two noise constructions)."""
    import numpy as np

    from qbhw.backends import AerBackend, fake_device
    from qbhw.compile import star_charging
    from qbhw.devices import from_backend

    prog = star_charging(2, 0.6, steps=2, max_step=None)
    t = np.array([0.0, 0.9, 1.8])
    fake = fake_device("sherbrooke")
    ours = AerBackend("density_matrix", noise=from_backend(fake)).run(prog, t, seed=7)
    ref = AerBackend("density_matrix", noise=fake).run(prog, t, seed=7)
    assert np.max(np.abs(ours.energy - ref.energy)) < 1e-3
    assert np.max(np.abs(ours.energy - prog.ideal_values(t)["energy"])) > 0.005  # the noise is there
