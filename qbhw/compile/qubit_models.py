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

:func:`tfim_charging` builds the battery of Hoang, Metz et al. (arXiv:2308.03334) whose stored
work was measured on ibm_perth (``tests/data/ibm_perth_tfim_battery_vqergo.csv``): charging
``H = J Σ_i X_i X_{i+1} + h Σ_i Z_i`` (open chain, qiskit Paulis), battery = the first M qubits
with ``H_B = h Σ_{i<M} Z_i`` measured from its ground energy ``−M|h|``. Without the field
(``field=False``, the 2-qubit case) the charging circuit is the single exact ``RXX(2Jt)``
and ``W(t) = 2|h| sin²(Jt)``.
"""

from __future__ import annotations

import numpy as np
from qiskit.quantum_info import SparsePauliOp

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError
from ..metrics._inputs import check_finite_real, check_positive_int
from .fragments import CommutingPauliFragment
from .program import ChargingProgram, ExactReference, InitialState, TrotterEvolution
from .states import basis_state_circuit, state_vector_circuit
from .trotter import ProductFormula

__all__ = ["pauli_fragments", "direct_charging", "tfim_charging", "MAX_PAULI_QUBITS"]

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


def direct_charging(model, *, order: int = 2, max_step: float | None = 0.1, steps: int | None = None
                    ) -> ChargingProgram:
    """Compile a direct-charging qubit model (full 2^N space, every qubit a battery cell)."""
    n = getattr(model, "n_sites", None)
    if n is None or getattr(model, "dimension", None) != 2**n:
        raise ConfigError(f"{type(model).__name__} is not a model on a full qubit register", argument="model",
                          allowed="a direct-charging qubit model (SpinChainBattery, SYKBattery, MBLBattery, ...)")
    h = _to_pauli(model.charging_hamiltonian(), n, "model")
    hb = _to_pauli(model.battery_hamiltonian(), n, "model")
    evolution = TrotterEvolution(ProductFormula(pauli_fragments(h), order=order), max_step=max_step, steps=steps)
    prep = state_vector_circuit(model.initial_state(), n)

    def reference(times: np.ndarray) -> ExactReference:
        from ..solvers import charge

        curve = charge(model, times, ergotropy=True)
        return ExactReference(times, curve.energy, f"{type(model).__name__} via qbhw.charge", ergotropy=curve.ergotropy)

    return ChargingProgram(name=type(model).__name__, num_qubits=n, battery_qubits=range(n), battery_hamiltonian=hb,
                           evolution=evolution, initial_states=[InitialState(prep, 1.0, "model initial state")],
                           reference=reference, metadata={"model": model.metadata,
                                                          "pauli_terms": len(h), "fragments": len(evolution.formula.fragments)})


def tfim_charging(n_qubits: int = 2, m_cells: int = 1, coupling: float = -2.0, field: float = -0.6, *,
                  field_on: bool | None = None, order: int = 2, max_step: float | None = 0.05,
                  steps: int | None = None) -> ChargingProgram:
    """Transverse-field-Ising battery of the ibm_perth data set (module docstring).

    ``field_on`` (default: True for more than 2 qubits, False for the 2-qubit XX case of the
    data file) keeps ``h Σ Z_i`` in the charging generator.
    """
    n = check_positive_int(n_qubits, "n_qubits", minimum=2)
    m = check_positive_int(m_cells, "m_cells")
    if m > n:
        raise InvalidArgumentError(f"{m} cells in a {n}-qubit chain", argument="m_cells", allowed=f"1 <= m <= {n}")
    j = check_finite_real(coupling, "coupling")
    h = check_finite_real(field, "field")
    if field_on is None:
        field_on = n > 2
    xx = SparsePauliOp.from_sparse_list([("XX", [i, i + 1], j) for i in range(n - 1)], num_qubits=n)
    fragments = [CommutingPauliFragment(xx, label="XX bonds")]
    if field_on:
        z = SparsePauliOp.from_sparse_list([("Z", [i], h) for i in range(n)], num_qubits=n)
        fragments = [CommutingPauliFragment(z, label="field")] + fragments
    evolution = TrotterEvolution(ProductFormula(fragments, order=order), max_step=max_step, steps=steps)
    battery_h = SparsePauliOp.from_sparse_list([("", [], m * abs(h))] + [("Z", [i], h) for i in range(m)],
                                               num_qubits=m)
    reference = None
    if not field_on and n == 2 and m == 1:
        def reference(times: np.ndarray) -> ExactReference:
            # |00⟩ → cos(Jt)|00⟩ − i sin(Jt)|11⟩, so ⟨h Z_0 + |h|⟩ = |h| + h cos(2Jt); this is
            # 2|h| sin²(Jt) for h < 0 (|0⟩ the battery ground state) and 2|h| cos²(Jt) for h > 0
            return ExactReference(times, abs(h) + h * np.cos(2 * j * times),
                                  "closed form E = |h| + h cos(2J t) (= 2|h| sin²(J t) for h < 0)")
    return ChargingProgram(
        name="tfim", num_qubits=n, battery_qubits=range(m), battery_hamiltonian=battery_h, evolution=evolution,
        initial_states=[InitialState(basis_state_circuit(n, []), 1.0, "|0...0>")], reference=reference,
        metadata={"n_qubits": n, "m_cells": m, "coupling": j, "field": h, "field_on": field_on,
                  "charging": "J Σ X_i X_{i+1}" + (" + h Σ Z_i" if field_on else ""),
                  "source": "Hoang, Metz et al., arXiv:2308.03334 (ibm_perth)"})
