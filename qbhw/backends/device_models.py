"""Circuit-level models of a :class:`qbhw.devices.Device`: an Aer ``NoiseModel`` and a qiskit ``Target``.

Both are built from the device's per-qubit records (T1, T2, readout error), its basis gates, coupling map and
per-gate errors and durations — for a device converted from an IBM backend (:func:`qbhw.devices.from_backend`) or
written by hand — so circuits can be transpiled for, and simulated on, a qbhw device.

Noise of a gate of duration t on n qubits (the construction of Aer's device noise models):

* thermal relaxation of each qubit over t (zero temperature), ``T2`` capped at ``2 T1`` (a physical channel needs
  ``T2 ≤ 2 T1``). Its process fidelity is a product over qubits of
  ``F_pro = [1 + 2 e^{−t/T2} + e^{−t/T1}] / 4`` (trace of the Pauli transfer matrix / d², d = 2), and the average gate
  fidelity ``F_relax = (d F_pro + 1)/(d + 1)`` with ``d = 2^n`` (Horodecki et al., Phys. Rev. A 60, 1888 (1999));
* then a depolarizing channel ``E(ρ) = (1 − p) ρ + p I/d`` whose parameter makes the total average gate infidelity
  equal the reported gate error e: ``p = d (e − (1 − F_relax)) / (d F_relax − 1)`` (p = 0 when relaxation alone
  explains e; e is capped at d/(d + 1) and p at 4^n/(4^n − 1)).

Readout: a symmetric bit-flip ``P(1|0) = P(0|1) = readout_error`` on each measured qubit.
"""

from __future__ import annotations

import math

from ..errors import ConfigError, InvalidArgumentError

__all__ = ["noise_model", "target", "relaxation_process_fidelity"]

_NS = 1e-9  # ns → s


def _device(device):
    from ..devices import Device

    if not isinstance(device, Device):
        raise ConfigError(f"got {type(device).__name__}", argument="device", allowed="a qbhw.devices.Device")
    return device


def _qubit_set(device, qubits):
    if qubits is None:
        return None
    keep = set()
    for q in qubits:
        if isinstance(q, bool) or not isinstance(q, int) and not hasattr(q, "__index__"):
            raise InvalidArgumentError(f"got {q!r}", argument="qubits", allowed="qubit indices")
        q = int(q)
        if not 0 <= q < device.num_qubits:
            raise InvalidArgumentError(f"got {q}", argument="qubits", allowed=f"0..{device.num_qubits - 1}")
        keep.add(q)
    return keep


def _t1_t2(spec):
    t1 = math.inf if spec.t1_ns is None else spec.t1_ns
    t2 = math.inf if spec.t2_ns is None else spec.t2_ns
    return t1, min(t2, 2.0 * t1)


def relaxation_process_fidelity(t1_ns: float, t2_ns: float, time_ns: float) -> float:
    """Process fidelity ``[1 + 2 e^{−t/T2} + e^{−t/T1}] / 4`` of one qubit's zero-temperature thermal relaxation."""
    return (1.0 + 2.0 * math.exp(-time_ns / t2_ns) + math.exp(-time_ns / t1_ns)) / 4.0


def _basis(device):
    if not device.basis_gates:
        raise ConfigError(f"device {device.name!r} has no basis gates", argument="device",
                          allowed="a device with basis_gates (e.g. from qbhw.devices.from_backend)")
    from qiskit.circuit.library import get_standard_gate_name_mapping

    mapping = get_standard_gate_name_mapping()
    unknown = [g for g in device.basis_gates if g not in mapping]
    if unknown:
        raise ConfigError(f"device {device.name!r} has non-standard basis gates {unknown}", argument="basis_gates",
                          allowed="qiskit standard gate names (" + ", ".join(sorted(mapping)[:12]) + ", ...)")
    return {g: mapping[g] for g in device.basis_gates}


def _gate_qargs(device, name, gate, keep):
    """(qubits, error, duration_ns) of every instance of gate ``name``: from the device's gate records, else every
    qubit (one-qubit gates) or coupling-map edge (two-qubit gates) without numbers."""
    recs = [(g.qubits, g.error, g.duration_ns) for g in device.gates if g.name == name]
    if not recs:
        if gate.num_qubits == 1:
            recs = [((q,), None, None) for q in range(device.num_qubits)]
        elif gate.num_qubits == 2:
            recs = [(tuple(e), None, None) for e in device.coupling_map]
        else:
            raise ConfigError(f"no gate records for the {gate.num_qubits}-qubit gate {name!r}", argument="gates",
                              allowed="records of the gate's qubits in device.gates")
    if keep is not None:
        recs = [r for r in recs if set(r[0]) <= keep]
    return recs


def target(device, *, qubits=None):
    """A qiskit ``Target`` for ``device``: its basis gates with per-qubit-tuple error and duration (s), the coupling
    map (the two-qubit gates' qubit pairs), measure (readout error and duration), reset and delay on every qubit,
    ``dt``, granularity and minimum pulse length, and ``QubitProperties`` (T1, T2 in s, frequency in Hz) where known.
    ``qubits`` keeps only the instructions on those qubits (the target still has every qubit)."""
    from qiskit.circuit import Delay, Measure, Parameter, Reset
    from qiskit.transpiler import InstructionProperties, QubitProperties, Target

    dev = _device(device)
    keep = _qubit_set(dev, qubits)
    gates = _basis(dev)
    specs = dev.qubit_specs
    qprops = [QubitProperties(t1=None if s.t1_ns is None else s.t1_ns * _NS,
                              t2=None if s.t2_ns is None else s.t2_ns * _NS,
                              frequency=None if s.freq_ghz is None else s.freq_ghz * 1e9) for s in specs]
    tgt = Target(description=dev.name, num_qubits=dev.num_qubits, dt=dev.dt_ns * _NS, granularity=dev.granularity,
                 min_length=max(dev.min_length, 1), qubit_properties=qprops)
    for name, gate in gates.items():
        props = {qs: None if err is None and dur is None else
                 InstructionProperties(duration=None if dur is None else dur * _NS, error=err)
                 for qs, err, dur in _gate_qargs(dev, name, gate, keep)}
        tgt.add_instruction(gate, props, name=name)
    on = [q for q in range(dev.num_qubits) if keep is None or q in keep]
    tgt.add_instruction(Measure(), {(q,): InstructionProperties(
        duration=None if specs[q].readout_duration_ns is None else specs[q].readout_duration_ns * _NS,
        error=specs[q].readout_error) for q in on})
    tgt.add_instruction(Reset(), {(q,): None for q in on})
    tgt.add_instruction(Delay(Parameter("t")), {(q,): None for q in on})
    return tgt


def noise_model(device, *, qubits=None, thermal_relaxation: bool = True):
    """An Aer ``NoiseModel`` of ``device`` (see the module docstring for the channels and formulas).

    ``qubits``: keep only the errors acting on those qubits (a 127-qubit model serialised to Aer costs seconds per
    run; the part a circuit touches, milliseconds — pass the qubits of the transpiled circuit).
    ``thermal_relaxation=False``: gate errors are depolarizing only."""
    from qiskit_aer.noise import NoiseModel, ReadoutError

    dev = _device(device)
    keep = _qubit_set(dev, qubits)
    gates = _basis(dev)
    specs = dev.qubit_specs
    model = NoiseModel(basis_gates=list(gates))
    cache: dict = {}
    for name, gate in gates.items():
        for qs, err, dur in _gate_qargs(dev, name, gate, keep):
            key = (qs, err, dur)
            if key not in cache:
                cache[key] = _gate_error(qs, err, dur, specs, thermal_relaxation)
            if cache[key] is not None:
                model.add_quantum_error(cache[key], name, list(qs), warnings=False)
    for q, s in enumerate(specs):
        if (keep is None or q in keep) and s.readout_error:
            e = s.readout_error
            model.add_readout_error(ReadoutError([[1.0 - e, e], [e, 1.0 - e]]), [q], warnings=False)
    return model


def _relaxation_kraus(t1_ns: float, t2_ns: float, time_ns: float) -> list:
    """Kraus operators of one qubit's zero-temperature thermal relaxation over ``time_ns``: amplitude damping with
    ``γ = 1 − e^{−t/T1}`` (``A0 = diag(1, √(1−γ))``, ``A1 = √γ |0⟩⟨1|``) followed by dephasing that brings the
    coherence to ``e^{−t/T2}`` (``√((1±λ)/2)`` times I and Z, ``λ = e^{−t/T2 + t/(2 T1)} ≤ 1`` for ``T2 ≤ 2 T1``)."""
    import numpy as np

    g = -math.expm1(-time_ns / t1_ns)
    lam = math.exp(-time_ns / t2_ns + time_ns / (2.0 * t1_ns))
    damp = [np.array([[1.0, 0.0], [0.0, math.sqrt(1.0 - g)]]), np.array([[0.0, math.sqrt(g)], [0.0, 0.0]])]
    deph = [math.sqrt((1.0 + lam) / 2.0) * np.eye(2), math.sqrt((1.0 - lam) / 2.0) * np.diag([1.0, -1.0])]
    return [d @ a for d in deph for a in damp]


def _gate_error(qs, error, duration_ns, specs, relax):
    """The ``QuantumError`` of one gate instance (None when it is ideal)."""
    import itertools

    import numpy as np
    from qiskit.quantum_info import Kraus, Pauli
    from qiskit_aer.noise import QuantumError, depolarizing_error

    n = len(qs)
    dim = 2**n
    kraus, f_pro = None, 1.0
    if relax and duration_ns:
        kraus = [np.eye(1)]
        for q in qs:  # qs[0] is the least significant qubit of the error (qiskit order)
            t1, t2 = _t1_t2(specs[q])
            if math.isinf(t1) and math.isinf(t2):
                k_q = [np.eye(2)]
            else:
                k_q = _relaxation_kraus(t1, t2, duration_ns)
                f_pro *= relaxation_process_fidelity(t1, t2, duration_ns)
            kraus = [np.kron(b, a) for b in k_q for a in kraus]
        if f_pro == 1.0:
            kraus = None
    f_relax = (dim * f_pro + 1.0) / (dim + 1.0)
    p = 0.0
    if error is not None and error > 1.0 - f_relax:
        e = min(error, dim / (dim + 1.0))
        p = min(dim * (e - (1.0 - f_relax)) / (dim * f_relax - 1.0), 4.0**n / (4.0**n - 1.0))
    if kraus is None:
        return depolarizing_error(p, n) if p > 0 else None
    relax_channel = Kraus(kraus)
    if p <= 0:
        return QuantumError(relax_channel)
    if p > 1:  # beyond a mixture with the fully depolarizing channel: compose (slower, rare)
        return QuantumError(relax_channel).compose(depolarizing_error(p, n))
    # (1 − p) E_relax + p D, with D(ρ) = I/d = 4^{−n} Σ_P P ρ P: one mixture, no composition of circuits. A
    # non-identity Pauli comes first so that Aer's ideal() check stops at once.
    paulis = [Pauli("".join(s)) for s in itertools.product("IXYZ", repeat=n)]
    return QuantumError([(P, p / 4**n) for P in paulis[1:] + paulis[:1]] + [(relax_channel, 1.0 - p)])
