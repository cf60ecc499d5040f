"""Offline IBM devices (qiskit-ibm-runtime fake backends) and transpilation onto real coupling maps.

``fake_device("sherbrooke")`` (also ``"FakeSherbrooke"``, ``"fake_sherbrooke"``) returns the fake
backend (Eagle: FakeSherbrooke, FakeBrisbane…; Heron: FakeTorino, FakeFez, FakeMarrakesh…);
``fractional_gates=True`` adds Heron's ``rx``/``rzz`` (:func:`qbhw.compile.heron.fractional_backend`).
:func:`transpile_for_device` maps logical circuits onto the device (layout, SWAP routing on the
heavy-hex coupling map, basis translation), deterministically for a given seed, so the noisy
Aer prediction and the fake-backend run see the same physical circuits.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qiskit import transpile

from ..errors import ConfigError

__all__ = ["fake_device", "fake_device_names", "transpile_for_device", "final_layout", "restrict_noise_model",
           "device_noise_model", "device_simulator", "active_qubits"]


@lru_cache(maxsize=1)
def fake_device_names() -> tuple[str, ...]:
    """Names of the fake backends shipped with qiskit-ibm-runtime (lower case, without 'fake')."""
    from qiskit_ibm_runtime import fake_provider

    names = []
    for attr in dir(fake_provider):
        if attr.startswith("Fake") and attr not in ("FakeProviderForBackendV2", "FakeBackendV2"):
            names.append(re.sub(r"v2$", "", attr[4:].lower()))
    return tuple(sorted(set(names)))


def _class_for(name: str):
    from qiskit_ibm_runtime import fake_provider

    key = re.sub(r"^(fake[_\-]?)", "", name.strip().lower()).replace("_", "").replace("-", "")
    key = re.sub(r"v2$", "", key)
    for attr in dir(fake_provider):
        if not attr.startswith("Fake"):
            continue
        base = re.sub(r"v2$", "", attr[4:].lower())
        if base == key:
            return getattr(fake_provider, attr)
    return None


def fake_device(name: str, *, fractional_gates: bool = False):
    """The fake backend called ``name`` (see module docstring)."""
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"got {name!r}", argument="name", allowed="a fake backend name, e.g. 'sherbrooke'")
    cls = _class_for(name)
    if cls is None or cls.__name__ in ("FakeProviderForBackendV2",):
        known = ", ".join(fake_device_names()[:12])
        raise ConfigError(f"unknown fake backend {name!r}", argument="backend",
                          allowed=f"a qiskit-ibm-runtime fake backend name ({known}, ...)")
    device = cls()
    if fractional_gates:
        from ..compile.heron import fractional_backend

        device = fractional_backend(device)
    return device


def _is_qbhw_device(device) -> bool:
    from ..devices import Device

    return isinstance(device, Device)


def transpile_for_device(circuits, device, *, seed: int | None = 0, optimization_level: int = 1):
    """ISA circuits for ``device`` (layout + SWAP routing + basis translation; deterministic for a seed).

    ``device`` is a qiskit backend (e.g. a fake IBM backend) or a multi-qubit :class:`qbhw.devices.Device`,
    whose qiskit ``Target`` is built by :func:`qbhw.backends.device_models.target`.
    """
    seed_t = 0 if seed is None else int(seed)
    if _is_qbhw_device(device):
        from .device_models import target

        return transpile(circuits, target=target(device), optimization_level=optimization_level,
                         seed_transpiler=seed_t)
    return transpile(circuits, backend=device, optimization_level=optimization_level, seed_transpiler=seed_t)


def final_layout(isa_circuit, num_logical: int) -> list[int]:
    """Physical qubit holding each logical qubit at the END of ``isa_circuit`` (after routing)."""
    if isa_circuit.layout is None:
        return list(range(num_logical))
    return list(isa_circuit.layout.final_index_layout())[:num_logical]


def restrict_noise_model(noise_model, qubits):
    """The part of ``noise_model`` acting only on ``qubits`` (errors of from-backend models are local
    to the qubits they name, so circuits on ``qubits`` see exactly the same noise). Serialising the
    full 127/133-qubit model to Aer costs seconds per run; the restricted one, milliseconds."""
    from qiskit_aer.noise import NoiseModel

    keep = set(int(q) for q in qubits)
    out = NoiseModel(basis_gates=noise_model.basis_gates)
    for name, error in getattr(noise_model, "_default_quantum_errors", {}).items():
        out.add_all_qubit_quantum_error(error, name, warnings=False)
    for name, by_qubits in noise_model._local_quantum_errors.items():
        for qs, error in by_qubits.items():
            if set(qs) <= keep:
                out.add_quantum_error(error, name, list(qs), warnings=False)
    if noise_model._default_readout_error is not None:
        out.add_all_qubit_readout_error(noise_model._default_readout_error, warnings=False)
    for qs, error in noise_model._local_readout_errors.items():
        if set(qs) <= keep:
            out.add_readout_error(error, list(qs), warnings=False)
    out._custom_noise_passes = list(noise_model._custom_noise_passes)
    return out


_SIMULATORS: dict[int, object] = {}


def device_noise_model(device):
    """The device's Aer noise model, built once per device object: ``AerSimulator.from_backend(device)``'s
    for a qiskit backend, :func:`qbhw.backends.device_models.noise_model` for a :class:`qbhw.devices.Device`."""
    key = id(device)
    if key not in _SIMULATORS:
        if _is_qbhw_device(device):
            from .device_models import noise_model

            _SIMULATORS[key] = (device, noise_model(device))
        else:
            from qiskit_aer import AerSimulator

            _SIMULATORS[key] = (device, AerSimulator.from_backend(device).options.noise_model)
    return _SIMULATORS[key][1]


def active_qubits(circuits) -> list[int]:
    """Physical qubits touched by any instruction of ``circuits``."""
    used = set()
    for qc in circuits:
        for inst in qc.data:
            if inst.operation.name == "barrier":
                continue
            used.update(qc.find_bit(q).index for q in inst.qubits)
    return sorted(used)


def device_simulator(device, circuits, *, method: str = "automatic"):
    """An ``AerSimulator`` with ``device``'s noise model restricted to the qubits ``circuits`` use."""
    from qiskit_aer import AerSimulator

    noise = restrict_noise_model(device_noise_model(device), active_qubits(circuits))
    return AerSimulator(method=method, noise_model=noise)
