"""Direct charging of qubit-register batteries: spin chains (XXZ), SYK and MBL via Pauli strings, and the
transverse-field-Ising battery measured on ibm_perth.

Any direct-charging model of :mod:`qbhw.models` that lives on the full 2^N qubit space
(``SpinChainBattery``, ``SYKBattery`` — spinless fermions mapped to spins by Jordan–Wigner,
``MBLBattery``, ``QSLBattery``) is compiled by :func:`direct_charging`: its charging generator is
expanded in Pauli strings (``SparsePauliOp.from_operator``; simulator-sized registers), the strings
are grouped into mutually commuting sets (each set's exponential is an exact product of
rotations) and the groups are Trotterised. Two-body XX/YY/ZZ strings become ``rxx/ryy/rzz``
(fractional ``rzz`` on Heron), higher-weight strings (the Jordan–Wigner tails of SYK) a CX
parity ladder. The exact reference is the model's solver through :func:`qbhw.charge`.
:func:`compile_model` runs :func:`compile_direct` for every ``DirectQubitBattery`` (the four models
above); :func:`direct_charging` is a thin wrapper that checks for a full qubit register first.

:func:`compile_model` of a :class:`~qbhw.models.TransverseIsingBattery` (and :func:`tfim_charging`,
which builds one from scalars) compiles the battery of Hoang, Metz et al. (arXiv:2308.03334) whose
stored work was measured on ibm_perth: charging ``H = J Σ_i X_i X_{i+1} + h Σ_i Z_i`` (open chain,
qiskit Paulis; two exact fragments, the field and the commuting XX bonds), battery = the first M
qubits with ``H_B = h Σ_{i<M} Z_i`` measured from its ground energy ``−M|h|``, start ``|0…0⟩``.
Without the field during charging (``field_in_charging=False``, the data set's 2-qubit case) the
charging circuit is the single exact ``RXX(2Jt)`` and ``W(t) = 2|h| sin²(Jt)`` for ``h < 0``. The
exact reference is ``qbhw.charge(model, times)``.
"""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError
from ..models import MBLBattery, QSLBattery, SpinChainBattery, SYKBattery, TransverseIsingBattery
from ..models._direct_charging import DirectQubitBattery
from ..solvers import charge
from .dispatch import check_compile_options, compile_model
from .fragments import CommutingPauliFragment
from .program import ChargingProgram, ExactReference, InitialState, TrotterEvolution
from .states import basis_state_circuit, state_vector_circuit
from .trotter import ProductFormula

__all__ = ["pauli_fragments", "direct_charging", "compile_direct", "tfim_charging", "compile_tfim",
           "MAX_PAULI_QUBITS"]

TROTTER_OPTIONS = ("order", "max_step", "steps")

#: largest register expanded densely into Pauli strings
MAX_PAULI_QUBITS = 12


def _to_pauli(matrix, num_qubits: int, argument: str) -> SparsePauliOp:
    if num_qubits > MAX_PAULI_QUBITS:
        raise InvalidArgumentError(f"{num_qubits} qubits is too large for a dense Pauli expansion",
                                   argument=argument, allowed=f"at most {MAX_PAULI_QUBITS} qubits")
    dense = matrix.toarray() if hasattr(matrix, "toarray") else np.asarray(matrix)
    if dense.shape != (2**num_qubits,) * 2:
        raise DimensionMismatchError(f"matrix of shape {dense.shape} for {num_qubits} qubits", argument=argument,
                                     allowed=f"shape {(2**num_qubits,) * 2}")
    op = SparsePauliOp.from_operator(dense).simplify(atol=1e-12)
    return SparsePauliOp(op.paulis, np.real(op.coeffs).astype(complex))


def pauli_fragments(hamiltonian: SparsePauliOp) -> list[CommutingPauliFragment]:
    """Exact fragments from a Pauli sum: its identity-free terms grouped into commuting sets,
    diagonal (all-Z) terms first; the identity part becomes a global phase of the first fragment."""
    op = hamiltonian.simplify(atol=1e-12)
    groups = op.group_commuting(qubit_wise=False)

    def is_diagonal(g: SparsePauliOp) -> bool:
        return not np.any(g.paulis.x)

    groups.sort(key=lambda g: (not is_diagonal(g), -len(g)))
    return [CommutingPauliFragment(g, label=f"group{k}") for k, g in enumerate(groups)]


def compile_direct(model, *, order: int = 2, max_step: float | None = 0.1, steps: int | None = None,
                   **unknown) -> ChargingProgram:
    """Compile a direct-charging qubit model (full 2^N space, every qubit a battery cell; review Eq. 25):
    Pauli expansion of its charging generator, commuting groups, Trotterised (module docstring)."""
    check_compile_options(model, unknown, TROTTER_OPTIONS)
    n = model.n_sites
    h = _to_pauli(model.charging_hamiltonian(), n, "model")
    hb = _to_pauli(model.battery_hamiltonian(), n, "model")
    evolution = TrotterEvolution(ProductFormula(pauli_fragments(h), order=order), max_step=max_step, steps=steps)
    prep = state_vector_circuit(model.initial_state(), n)

    def reference(times: np.ndarray) -> ExactReference:
        curve = charge(model, times, ergotropy=True)
        return ExactReference(times, curve.energy, f"{type(model).__name__} via qbhw.charge", ergotropy=curve.ergotropy)

    return ChargingProgram(name=type(model).__name__, num_qubits=n, battery_qubits=range(n), battery_hamiltonian=hb,
                           evolution=evolution, initial_states=[InitialState(prep, 1.0, "model initial state")],
                           reference=reference, model=model,
                           metadata={"model": model.metadata, "pauli_terms": len(h),
                                     "fragments": len(evolution.formula.fragments)})


for _cls in (DirectQubitBattery, SpinChainBattery, SYKBattery, MBLBattery, QSLBattery):
    compile_model.register(_cls, compile_direct)


def direct_charging(model, *, order: int = 2, max_step: float | None = 0.1, steps: int | None = None
                    ) -> ChargingProgram:
    """Compile a direct-charging qubit model (full 2^N space, every qubit a battery cell):
    ``compile_model(model, order=…, max_step=…, steps=…)`` after checking that ``model`` lives on a
    full qubit register."""
    n = getattr(model, "n_sites", None)
    if n is None or getattr(model, "dimension", None) != 2**n:
        raise ConfigError(f"{type(model).__name__} is not a model on a full qubit register", argument="model",
                          allowed="a direct-charging qubit model (SpinChainBattery, SYKBattery, MBLBattery, ...)")
    return compile_model(model, order=order, max_step=max_step, steps=steps)


def compile_tfim(model: TransverseIsingBattery, *, order: int = 2, max_step: float | None = 0.05,
                 steps: int | None = None, **unknown) -> ChargingProgram:
    """Compile the transverse-field Ising battery (module docstring); what :func:`compile_model` runs for
    :class:`~qbhw.models.TransverseIsingBattery`."""
    check_compile_options(model, unknown, TROTTER_OPTIONS)
    n, m, j, h = model.n_qubits, model.m_cells, model.coupling, model.field
    field_on = model.field_in_charging
    xx = SparsePauliOp.from_sparse_list([("XX", [i, i + 1], j) for i in range(n - 1)], num_qubits=n)
    fragments = [CommutingPauliFragment(xx, label="XX bonds")]
    if field_on:
        z = SparsePauliOp.from_sparse_list([("Z", [i], h) for i in range(n)], num_qubits=n)
        fragments = [CommutingPauliFragment(z, label="field")] + fragments
    evolution = TrotterEvolution(ProductFormula(fragments, order=order), max_step=max_step, steps=steps)
    battery_h = SparsePauliOp.from_sparse_list([("", [], m * abs(h))] + [("Z", [i], h) for i in range(m)],
                                               num_qubits=m)

    def reference(times: np.ndarray) -> ExactReference:
        curve = charge(model, times, ergotropy=True)
        return ExactReference(times, curve.energy, "TransverseIsingBattery via qbhw.charge", ergotropy=curve.ergotropy)

    return ChargingProgram(
        name="tfim", num_qubits=n, battery_qubits=range(m), battery_hamiltonian=battery_h, evolution=evolution,
        initial_states=[InitialState(basis_state_circuit(n, []), 1.0, "|0...0>")], reference=reference, model=model,
        metadata={"n_qubits": n, "m_cells": m, "coupling": j, "field": h, "field_in_charging": field_on,
                  "charging": "J Σ X_i X_{i+1}" + (" + h Σ Z_i" if field_on else ""),
                  "source": "Hoang, Metz et al., arXiv:2308.03334 (ibm_perth)"})


compile_model.register(TransverseIsingBattery, compile_tfim)


def tfim_charging(n_qubits: int = 2, m_cells: int = 1, coupling: float = -2.0, field: float = -0.6, *,
                  field_in_charging: bool = True, order: int = 2, max_step: float | None = 0.05,
                  steps: int | None = None) -> ChargingProgram:
    """Transverse-field-Ising battery of the ibm_perth data set (module docstring):
    ``compile_model(TransverseIsingBattery(n_qubits, m_cells, coupling, field, field_in_charging=…))``.

    ``field_in_charging`` (default ``True``, as in the model) keeps ``h Σ Z_i`` in the charging
    generator; the data set's 2-qubit ``xx_N2_M1`` case is ``field_in_charging=False``.
    """
    model = TransverseIsingBattery(n_qubits, m_cells, coupling, field, field_in_charging=field_in_charging)
    return compile_model(model, order=order, max_step=max_step, steps=steps)
