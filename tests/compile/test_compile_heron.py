"""Heron fractional gates offline: circuits built from rx/rzz (0 < θ ≤ π/2) are unitarily equivalent."""

import pytest
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator

from qbhw.compile import (check_fractional, fractional_backend, star_charging, tfim_charging, to_fractional_gates)
from qbhw.errors import ConfigError, InvalidArgumentError


@pytest.mark.parametrize("program", [tfim_charging(2, 1, field_in_charging=False), star_charging(2, 0.7, steps=2, max_step=None)])
def test_fractional_rewrite_is_equivalent(program):
    qc = program.circuit(0.9)
    frac = to_fractional_gates(qc)
    ops = set(frac.count_ops())
    assert ops <= {"rx", "rz", "rzz", "sx", "x", "barrier"} and "rzz" in ops
    check_fractional(frac)  # every rzz angle in (0, π/2]
    assert Operator(qc).equiv(Operator(frac))  # same unitary up to global phase


def test_check_fractional_rejects_bad_angles_and_gates():
    for theta in (-0.3, 2.0):
        qc = QuantumCircuit(2)
        qc.rzz(theta, 0, 1)
        with pytest.raises(InvalidArgumentError):
            check_fractional(qc)
    qc = QuantumCircuit(2)
    qc.cx(0, 1)
    with pytest.raises(InvalidArgumentError):
        check_fractional(qc)


def test_fractional_heron_target_from_fake_torino_properties():
    from qiskit import transpile
    from qiskit_ibm_runtime.fake_provider import FakeSherbrooke, FakeTorino

    torino = FakeTorino()
    assert "rzz" not in torino.target.operation_names  # offline default: no fractional gates
    frac = fractional_backend(torino)
    assert {"rx", "rzz"} <= set(frac.target.operation_names)
    assert frac.target.gate_has_angle_bounds("rzz")
    # the properties' error rates are attached to the new instructions
    props = torino.properties()
    q = 0
    assert frac.target["rx"][(q,)].error == pytest.approx(props.gate_error("rx", [q]))
    isa = transpile(tfim_charging(2, 1, field_in_charging=False).circuit(0.6), frac, optimization_level=1, seed_transpiler=1)
    assert "rzz" in isa.count_ops() and "cz" not in isa.count_ops()
    check_fractional(isa)
    with pytest.raises(ConfigError):
        fractional_backend(FakeSherbrooke())  # Eagle has no fractional gates
