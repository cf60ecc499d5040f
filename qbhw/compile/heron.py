"""Heron fractional gates offline: ``rx(θ)`` for any θ and ``rzz(θ)`` for 0 < θ ≤ π/2.

IBM Heron devices accept the fractional gates when the backend is obtained with
``use_fractional_gates=True`` — which needs an account. Offline, the fake Heron backends
(FakeTorino, FakeFez, FakeMarrakesh) list only ``cz, id, rz, sx, x`` as basis gates, but their
*properties* carry ``rx`` and ``rzz`` error rates and durations (stack.md). :func:`fractional_backend`
rebuilds the fake backend's target with those two gates added (the runtime's own
``convert_to_target`` then attaches the properties and the ``rzz`` angle bound [0, π/2], and its
angle-wrapping callback folds other ``rzz`` angles into range), so transpiled circuits use
``rx``/``rzz`` and a matching Aer noise model (``AerSimulator.from_backend``) includes their errors.

:func:`to_fractional_gates` rewrites a logical circuit into ``{rx, rz, rzz, sx, x}`` without
layout or routing (ISA-style basis, ``rzz`` folded into (0, π/2] by the runtime's
``FoldRzzAngle``); :func:`check_fractional` verifies a circuit respects those rules.
"""

from __future__ import annotations

import math

from qiskit import QuantumCircuit, transpile

from ..errors import ConfigError, InvalidArgumentError

__all__ = ["FRACTIONAL_GATES", "fractional_backend", "to_fractional_gates", "check_fractional",
           "RZZ_MAX_ANGLE"]

FRACTIONAL_GATES = ("rx", "rzz")
RZZ_MAX_ANGLE = math.pi / 2
_BASIS = ["rx", "rz", "rzz", "sx", "x"]


def fractional_backend(backend):
    """A copy of a fake Heron backend whose target includes ``rx`` and ``rzz`` (see module docstring)."""
    props = backend.properties()
    names = {g.gate for g in props.gates} if props is not None else set()
    missing = [g for g in FRACTIONAL_GATES if g not in names]
    if missing:
        raise ConfigError(f"{backend.name} reports no properties for {missing}: not a Heron device with "
                          "fractional gates", argument="backend",
                          allowed="a fake Heron backend (FakeTorino, FakeFez, FakeMarrakesh, ...)")
    conf = getattr(backend, "_conf_dict", None)
    if conf is None:
        raise ConfigError(f"{type(backend).__name__} is not a qiskit-ibm-runtime fake backend", argument="backend",
                          allowed="a qiskit_ibm_runtime.fake_provider backend")
    out = type(backend)()
    basis = list(out._conf_dict["basis_gates"])
    out._conf_dict["basis_gates"] = basis + [g for g in FRACTIONAL_GATES if g not in basis]
    out._target = None  # rebuilt lazily with the new basis gates
    _ = out.target
    return out


def to_fractional_gates(circuit: QuantumCircuit, *, optimization_level: int = 1) -> QuantumCircuit:
    """Rewrite ``circuit`` into ``rx, rz, rzz, sx, x`` (no layout or routing), ``rzz`` angles in (0, π/2]."""
    from qiskit_ibm_runtime.transpiler.passes import FoldRzzAngle
    from qiskit.transpiler import PassManager
    from qiskit.transpiler.passes import Optimize1qGatesDecomposition, RemoveIdentityEquivalent

    # first expose every two-qubit interaction as rzz (rxx/ryy/xx_plus_yy/cx are basis changes of rzz)
    tq = transpile(circuit, basis_gates=_BASIS, optimization_level=optimization_level)
    tq = PassManager([FoldRzzAngle(), RemoveIdentityEquivalent(),
                      Optimize1qGatesDecomposition(basis=["rz", "sx", "x", "rx"])]).run(tq)
    tq = transpile(tq, basis_gates=_BASIS, optimization_level=0)
    check_fractional(tq)
    return tq


def check_fractional(circuit: QuantumCircuit, *, atol: float = 1e-9) -> None:
    """Raise if ``circuit`` uses a gate outside ``{rx, rz, rzz, sx, x, measure, barrier, delay}``
    or an ``rzz`` angle outside (0, π/2]."""
    allowed = set(_BASIS) | {"measure", "barrier", "delay", "reset", "cz", "id"}
    for inst in circuit.data:
        name = inst.operation.name
        if name not in allowed:
            raise InvalidArgumentError(f"gate {name!r} is not a Heron (fractional) instruction", argument="circuit",
                                       allowed=", ".join(sorted(allowed)))
        if name == "rzz":
            theta = float(inst.operation.params[0])
            if not (0 < theta <= RZZ_MAX_ANGLE + atol):
                raise InvalidArgumentError(f"rzz angle {theta:.6g}", argument="circuit",
                                           allowed="0 < theta <= pi/2")
