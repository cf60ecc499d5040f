"""Conversion of a qiskit ``BackendV2`` (an IBM device or a qiskit-ibm-runtime fake backend) into a
:class:`~qbhw.devices.Device`, through public APIs only: ``backend.target`` (operations, per-qubit-tuple
``InstructionProperties`` with ``error`` and ``duration``, ``dt``), ``backend.qubit_properties`` (T1, T2, frequency)
and ``backend.coupling_map``. qiskit is imported when the function runs, not with :mod:`qbhw.devices`.
"""

from __future__ import annotations

from ..errors import ConfigError
from .device import Device, GateSpec, QubitSpec

__all__ = ["from_backend"]

_NS = 1e9  # s → ns
_GHZ = 1e-9  # Hz → GHz


def _anharmonicities_ghz(backend, n: int) -> list:
    """Anharmonicity of each qubit (GHz), or ``None`` where the backend gives none.

    ``BackendV2`` has no public field for it; IBM backends still report it in ``backend.properties()``
    (``BackendProperties``, the legacy BackendV1-era API, kept by qiskit-ibm-runtime), which is read here and only
    here. Eagle fake backends (e.g. FakeSherbrooke) have it; Heron ones (FakeTorino) do not.
    """
    getter = getattr(backend, "properties", None)
    if not callable(getter):
        return [None] * n
    try:
        props = getter()
    except Exception:  # a backend without legacy properties
        return [None] * n
    if props is None or not hasattr(props, "qubit_property"):
        return [None] * n
    out = []
    for q in range(n):
        try:
            value = props.qubit_property(q).get("anharmonicity")
        except Exception:
            value = None
        out.append(None if value is None or value[0] is None else float(value[0]) * _GHZ)
    return out


def from_backend(backend, *, name: str | None = None) -> Device:
    """The :class:`Device` of a qiskit ``BackendV2`` (e.g. ``qiskit_ibm_runtime.fake_provider.FakeSherbrooke()``).

    Stored: ``dt_ns`` = ``backend.dt`` in ns; per qubit (``QubitSpec``) the frequency and anharmonicity in GHz, T1 and
    T2 in ns, the readout error (``target["measure"][(q,)].error``) and readout duration; the directed coupling map;
    the basis gates (the target's gate operations, without measure/reset/delay and control flow); per gate and
    qubit tuple the error (1 − average gate fidelity) and duration in ns. Numbers the backend does not give stay
    ``None`` and are never filled in: IBM Heron backends (FakeTorino, FakeFez, …) report no qubit frequency and no
    anharmonicity, so their single-transmon pulse devices need them given (``device.qubit(k, freq_ghz=…,
    anharmonicity_ghz=…)``). ``levels`` (the default of :meth:`Device.qubit`) is 3 — the qubit and its first
    leakage level — when every anharmonicity is known, else 2. The device has no pulse channels (BackendV2 exposes
    none): give them to :meth:`Device.qubit`.
    """
    from qiskit.circuit import Gate

    try:
        target = backend.target
    except AttributeError as exc:
        raise ConfigError(f"got {type(backend).__name__}", argument="backend",
                          allowed="a qiskit BackendV2 (with a .target)") from exc
    n = int(target.num_qubits or 0)
    if n < 1:
        raise ConfigError(f"{getattr(backend, 'name', backend)!r} has no qubits", argument="backend",
                          allowed="a backend with at least one qubit")
    dt = getattr(backend, "dt", None) or target.dt
    if not dt:
        raise ConfigError(f"{getattr(backend, 'name', backend)!r} reports no dt", argument="backend",
                          allowed="a backend with a sample time dt")
    try:
        qprops = backend.qubit_properties(list(range(n)))
    except NotImplementedError:
        qprops = [None] * n
    alphas = _anharmonicities_ghz(backend, n)
    measure = target["measure"] if "measure" in target.operation_names else {}
    qubits = []
    for q in range(n):
        p = qprops[q]
        m = measure.get((q,)) if measure else None
        qubits.append(QubitSpec(
            freq_ghz=None if p is None or p.frequency is None else p.frequency * _GHZ,
            anharmonicity_ghz=alphas[q],
            t1_ns=None if p is None or p.t1 is None else p.t1 * _NS,
            t2_ns=None if p is None or p.t2 is None else p.t2 * _NS,
            readout_error=None if m is None else m.error,
            readout_duration_ns=None if m is None or m.duration is None else m.duration * _NS))
    basis, gates = [], []
    for op_name in sorted(target.operation_names):
        op = target.operation_from_name(op_name)
        if not isinstance(op, Gate):  # measure, reset, delay, control flow (classes, not instances)
            continue
        basis.append(op_name)
        for qargs, ip in target[op_name].items():
            if qargs is None:  # defined on every qubit without properties
                continue
            gates.append(GateSpec(op_name, tuple(qargs), None if ip is None else ip.error,
                                  None if ip is None or ip.duration is None else ip.duration * _NS))
    cmap = backend.coupling_map if getattr(backend, "coupling_map", None) is not None else target.build_coupling_map()
    edges = sorted({(int(a), int(b)) for a, b in cmap.get_edges()}) if cmap is not None else []
    bname = name or getattr(backend, "name", None) or type(backend).__name__
    version = getattr(backend, "backend_version", None)
    known_alpha = all(a is not None for a in alphas)
    provenance = {
        "source": f"qiskit BackendV2 {bname!r}" + (f" version {version}" if version else ""),
        "qubits": "backend.qubit_properties (T1, T2, frequency); target['measure'] (readout error, duration)",
        "anharmonicity_ghz": ("backend.properties() (legacy BackendProperties API)"
                              if any(a is not None for a in alphas) else "not given by the backend"),
        "gates": "backend.target InstructionProperties (error, duration)",
    }
    return Device(name=bname, levels=3 if known_alpha else 2, freq_ghz=None, anharmonicity_ghz=None,
                  dt_ns=float(dt) * _NS, channels=(),
                  description=f"{n}-qubit device converted from the qiskit backend {bname}",
                  provenance=provenance, qubits=tuple(qubits), coupling_map=tuple(edges), basis_gates=tuple(basis),
                  gates=tuple(gates))
