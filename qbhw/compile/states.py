"""Initial-state preparation: basis states, π-pulse inversion, thermal ensembles by sampling.

Thermal states of non-interacting cells are diagonal in the computational basis, so a mixed
initial state is run as an ensemble of basis-state circuits (each prepared with X gates):

* ``samples=None`` — every bitstring with its exact Boltzmann weight (small registers);
* ``samples=k`` — k bitstrings drawn from the Boltzmann distribution (seeded), equal weights
  1/k (duplicates merged). This is how a thermal state is run on hardware: the ensemble
  average converges as 1/√k on top of the shot noise.

A π pulse (X) after the preparation inverts the populations (the NMR "charged charger").
For a qubit of splitting ω at inverse temperature β the excited population is
``p_e = 1/(1 + e^{βω})``.
"""

from __future__ import annotations

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import StatePreparation

from ..errors import InvalidArgumentError, InvalidStateError
from ..metrics._inputs import check_finite_real, check_positive_int
from .program import InitialState

__all__ = ["basis_state_circuit", "state_vector_circuit", "excited_population", "thermal_ensemble",
           "MAX_ENUMERATED_QUBITS"]

#: largest number of thermal qubits enumerated exactly (2^n circuits)
MAX_ENUMERATED_QUBITS = 12


def basis_state_circuit(num_qubits: int, ones, *, pi_pulse=(), name: str = "prep") -> QuantumCircuit:
    """|bits⟩ with X on ``ones``, then a π pulse (X) on ``pi_pulse`` (labelled barrier between)."""
    qc = QuantumCircuit(num_qubits, name=name)
    for q in ones:
        qc.x(q)
    if len(pi_pulse):
        qc.barrier(label="pi_pulse")
        for q in pi_pulse:
            qc.x(q)
    return qc


def state_vector_circuit(vector, num_qubits: int) -> QuantumCircuit:
    """Preparation of a state vector (X gates for a computational basis state, else StatePreparation)."""
    v = np.asarray(vector, dtype=complex).ravel()
    if v.size != 2**num_qubits:
        raise InvalidStateError(f"vector of dimension {v.size} for {num_qubits} qubits", argument="vector",
                                allowed=f"dimension {2**num_qubits}")
    norm = np.linalg.norm(v)
    if not np.isfinite(norm) or abs(norm - 1) > 1e-8:
        raise InvalidStateError(f"vector has norm {norm:.6g}", argument="vector", allowed="unit norm")
    k = int(np.argmax(np.abs(v)))
    if abs(abs(v[k]) - 1) < 1e-12:
        qc = basis_state_circuit(num_qubits, [q for q in range(num_qubits) if (k >> q) & 1])
        qc.global_phase = float(np.angle(v[k]))
        return qc
    qc = QuantumCircuit(num_qubits, name="prep")
    factors = _product_factors(v / norm, num_qubits)
    if factors is not None:  # a product state: one single-qubit preparation per qubit
        for q, f in enumerate(factors):
            if abs(abs(f[0]) - 1) > 1e-12:
                qc.append(StatePreparation(f), [q])
        phase = np.vdot(_kron_factors(factors), v / norm)
        qc.global_phase = float(np.angle(phase))
        return qc
    qc.append(StatePreparation(v / norm), list(range(num_qubits)))
    return qc


def _kron_factors(factors) -> np.ndarray:
    out = np.array([1.0 + 0j])
    for f in factors:  # qubit 0 is the rightmost Kronecker factor
        out = np.kron(f, out)
    return out


def _product_factors(v: np.ndarray, n: int):
    """Single-qubit factors of a product state (qubit order 0…n−1), or None if entangled."""
    psi = v.reshape([2] * n)  # axis k ↔ qubit n−1−k
    factors = []
    for q in range(n):
        axis = n - 1 - q
        m = np.moveaxis(psi, axis, 0).reshape(2, -1)
        rho = m @ m.conj().T
        evals, vecs = np.linalg.eigh(rho)
        if evals[-1] < 1 - 1e-10:
            return None
        factors.append(vecs[:, -1])
    if abs(abs(np.vdot(_kron_factors(factors), v)) - 1) > 1e-10:
        return None
    return factors


def excited_population(beta: float, omega: float) -> float:
    """Thermal excited-state population ``1/(1 + e^{βω})`` of a qubit of splitting ω."""
    b = check_finite_real(beta, "beta", minimum=0.0)
    w = check_finite_real(omega, "omega", minimum=0.0, strict=True)
    return float(1.0 / (1.0 + np.exp(b * w)))


def thermal_ensemble(num_qubits: int, excited: dict[int, float], *, pi_pulse=(), samples: int | None = None,
                     seed=None) -> list[InitialState]:
    """Ensemble of basis-state preparations for independent thermal qubits.

    ``excited[q]`` is the excited population of qubit ``q`` *before* the π pulse (qubits not
    listed start in |0⟩); ``pi_pulse`` lists the qubits inverted afterwards.
    """
    check_positive_int(num_qubits, "num_qubits")
    qs = sorted(excited)
    for q in qs:
        p = excited[q]
        if not 0 <= p <= 1:
            raise InvalidArgumentError(f"excited population {p!r} of qubit {q}", argument="excited",
                                       allowed="0 <= p <= 1")
    if samples is None:
        if len(qs) > MAX_ENUMERATED_QUBITS:
            raise InvalidArgumentError(f"{len(qs)} thermal qubits need 2^{len(qs)} circuits", argument="samples",
                                       allowed=f"an integer number of samples (exact enumeration up to "
                                               f"{MAX_ENUMERATED_QUBITS} qubits)")
        states = []
        for code in range(2 ** len(qs)):
            ones = [q for j, q in enumerate(qs) if (code >> j) & 1]
            w = float(np.prod([excited[q] if q in ones else 1 - excited[q] for q in qs]))
            if w > 0:
                states.append(InitialState(basis_state_circuit(num_qubits, ones, pi_pulse=pi_pulse), w,
                                           label="".join("1" if q in ones else "0" for q in reversed(qs))))
        return states
    k = check_positive_int(samples, "samples")
    rng = np.random.default_rng(seed)
    draws = rng.random((k, len(qs))) < np.array([excited[q] for q in qs])[None, :]
    uniq, counts = np.unique(draws, axis=0, return_counts=True)
    out = []
    for row, c in zip(uniq, counts):
        ones = [q for q, bit in zip(qs, row) if bit]
        out.append(InitialState(basis_state_circuit(num_qubits, ones, pi_pulse=pi_pulse), float(c) / k,
                                label="".join("1" if q in ones else "0" for q in reversed(qs))))
    return out
