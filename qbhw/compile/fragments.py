"""Hamiltonian fragments whose exponentials are compiled *exactly* into gates.

A Trotterised circuit is a product of exact exponentials ``e^{−iH_k t}`` of fragments ``H_k``
(:mod:`qbhw.compile.trotter`). Each fragment knows its operator (a ``SparsePauliOp`` on the
whole register, used for exact references and Trotter-error bounds) and appends its exact
evolution to a circuit:

* :class:`CommutingPauliFragment` — a sum of mutually commuting Pauli strings; each string
  ``c P`` becomes ``rx/ry/rz`` (one qubit), ``rxx/ryy/rzz`` (two qubits, angle ``2ct``) or a
  ``PauliEvolutionGate`` (more qubits); exact because the strings commute.
* :class:`ExchangeFragment` — the flip-flop ``J(σ_a^+σ_b^− + h.c.) = (J/2)(X_aX_b + Y_aY_b)``
  (the review's σ^y = −Y does not change XX + YY) as ``XXPlusYYGate(2Jt)``; qiskit's gate is
  ``exp(−i θ/4 (XX + YY))`` for β = 0, checked against ``expm`` in the tests.
* :class:`DiagonalizedFragment` — ``Σ_i c_i σ_i ⊗ A`` with σ ∈ {X, Y} on spin qubits and a
  Hermitian ``A`` on a mode register (a binary-encoded Fock mode): rotated to
  ``Σ_i c_i Z_i ⊗ diag(a)`` by ``H``/``S H`` on the spins and the eigenbasis ``V`` of ``A``
  (a ``UnitaryGate``), where the exponential is a product of commuting Z-string rotations.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from qiskit import QuantumCircuit
from qiskit.circuit.library import UnitaryGate, XXPlusYYGate
from qiskit.quantum_info import SparsePauliOp

from ..errors import InvalidArgumentError, InvalidHamiltonianError
from .operators import diagonal_to_pauli, rotate_from_z_basis, rotate_to_z_basis

__all__ = ["Fragment", "CommutingPauliFragment", "ExchangeFragment", "DiagonalizedFragment", "LocalFieldFragment",
           "GlobalSwapFragment",
           "append_pauli_rotation"]


def _hermitian_coeffs(op: SparsePauliOp, argument: str) -> SparsePauliOp:
    op = op.simplify(atol=1e-14)
    if np.max(np.abs(np.imag(op.coeffs))) > 1e-10:
        raise InvalidHamiltonianError("has complex Pauli coefficients (not Hermitian)", argument=argument,
                                      allowed="real Pauli coefficients")
    return SparsePauliOp(op.paulis, np.real(op.coeffs).astype(complex))


def append_pauli_rotation(qc: QuantumCircuit, label: str, qubits: list[int], angle: float) -> None:
    """Append ``exp(−i (angle/2) P)`` for the Pauli string ``label`` on ``qubits`` (label[k] ↔ qubits[k])."""
    if not qubits:
        qc.global_phase -= angle / 2
        return
    if len(qubits) == 1:
        getattr(qc, {"X": "rx", "Y": "ry", "Z": "rz"}[label])(angle, qubits[0])
        return
    if len(qubits) == 2 and label[0] == label[1]:
        getattr(qc, {"X": "rxx", "Y": "ryy", "Z": "rzz"}[label[0]])(angle, qubits[0], qubits[1])
        return
    # basis change to Z on every qubit, CX parity ladder onto the last qubit, rz, undo
    rotate_to_z_basis(qc, label, qubits)
    for a, b in zip(qubits[:-1], qubits[1:]):
        qc.cx(a, b)
    qc.rz(angle, qubits[-1])
    for a, b in reversed(list(zip(qubits[:-1], qubits[1:]))):
        qc.cx(a, b)
    rotate_from_z_basis(qc, label, qubits)


class Fragment(ABC):
    """A Hermitian fragment ``H_k`` with an exact circuit for ``e^{−iH_k t}``."""

    num_qubits: int

    @property
    @abstractmethod
    def operator(self) -> SparsePauliOp:
        """The fragment as a Pauli sum on the whole register."""

    @abstractmethod
    def append(self, qc: QuantumCircuit, time: float) -> None:
        """Append ``exp(−i time · H_k)`` to ``qc`` (a circuit on the same register)."""

    @cached_property
    def matrix(self) -> np.ndarray:
        """Dense matrix of the fragment (little-endian; small registers only)."""
        return np.asarray(self.operator.to_matrix(), dtype=complex)

    def circuit(self, time: float) -> QuantumCircuit:
        qc = QuantumCircuit(self.num_qubits)
        self.append(qc, time)
        return qc

    def exponential(self, time: float) -> np.ndarray:
        """Dense ``e^{−i time H_k}`` (the unitary :meth:`append` implements), via a cached eigh."""
        cache = self.__dict__.get("_eigh")
        if cache is None:
            cache = self.__dict__["_eigh"] = np.linalg.eigh(self.matrix)
        evals, vecs = cache
        return (vecs * np.exp(-1j * evals * time)) @ vecs.conj().T


def _commuting_exponential(op: SparsePauliOp, time: float) -> np.ndarray:
    """``Π_k (cos(c_k t) − i sin(c_k t) P_k)`` = ``e^{−it Σ c_k P_k}`` for commuting strings (no eigh)."""
    dim = 2**op.num_qubits
    out = np.eye(dim, dtype=complex)
    for pauli, c in zip(op.paulis, op.coeffs):
        a = float(np.real(c)) * time
        p = SparsePauliOp(pauli).to_matrix(sparse=True)
        out = np.cos(a) * out - 1j * np.sin(a) * (p @ out)
    return out


@dataclass(eq=False)
class CommutingPauliFragment(Fragment):
    """``Σ_k c_k P_k`` with mutually commuting Pauli strings (exact product of rotations)."""

    pauli_sum: SparsePauliOp
    label: str = "paulis"

    def __post_init__(self):
        op = _hermitian_coeffs(self.pauli_sum, "pauli_sum")
        paulis = op.paulis
        for i in range(len(paulis)):
            for j in range(i + 1, len(paulis)):
                if not paulis[i].commutes(paulis[j]):
                    raise InvalidHamiltonianError(
                        f"Pauli terms {paulis[i].to_label()} and {paulis[j].to_label()} do not commute",
                        argument="pauli_sum", allowed="mutually commuting Pauli strings")
        self.pauli_sum = op
        self.num_qubits = op.num_qubits

    @property
    def operator(self) -> SparsePauliOp:
        return self.pauli_sum

    def exponential(self, time: float) -> np.ndarray:
        return _commuting_exponential(self.pauli_sum, time)

    def append(self, qc: QuantumCircuit, time: float) -> None:
        for pauli, coeff in zip(self.pauli_sum.paulis, self.pauli_sum.coeffs):
            label = pauli.to_label()  # big-endian: label[-1-q] acts on qubit q
            support = [q for q in range(self.num_qubits) if label[-1 - q] != "I"]
            letters = "".join(label[-1 - q] for q in support)
            append_pauli_rotation(qc, letters, support, 2.0 * float(np.real(coeff)) * time)


@dataclass(eq=False)
class ExchangeFragment(Fragment):
    """Flip-flop exchange ``J Σ (σ_a^+ σ_b^− + h.c.) = (J/2) Σ (X_a X_b + Y_a Y_b)`` on disjoint pairs.

    ``pairs`` must not share qubits (then the terms commute and the product is exact). Each
    pair becomes ``XXPlusYYGate(2 J t)``.
    """

    pairs: list[tuple[int, int]]
    coupling: float
    num_qubits: int = field(default=0)

    def __post_init__(self):
        used = [q for p in self.pairs for q in p]
        if len(set(used)) != len(used):
            raise InvalidArgumentError("exchange pairs share a qubit (their terms would not commute)",
                                       argument="pairs", allowed="disjoint qubit pairs")
        if not np.isfinite(self.coupling):
            raise InvalidArgumentError("coupling is not finite", argument="coupling", allowed="a finite real")
        self.num_qubits = max(self.num_qubits, max(used) + 1)

    @property
    def operator(self) -> SparsePauliOp:
        terms = []
        for a, b in self.pairs:
            terms += [("XX", [a, b], 0.5 * self.coupling), ("YY", [a, b], 0.5 * self.coupling)]
        return SparsePauliOp.from_sparse_list(terms, num_qubits=self.num_qubits)

    def exponential(self, time: float) -> np.ndarray:
        return _commuting_exponential(self.operator, time)

    def append(self, qc: QuantumCircuit, time: float) -> None:
        for a, b in self.pairs:
            qc.append(XXPlusYYGate(2.0 * self.coupling * time), [a, b])


@dataclass(eq=False)
class DiagonalizedFragment(Fragment):
    """``Σ_i c_i σ_i ⊗ A`` (σ = ``"X"`` or ``"Y"`` on ``spin_qubits``, ``A`` Hermitian on ``mode_qubits``).

    Exact via ``W e^{−it Σ c_i Z_i ⊗ diag(a)} W†`` with ``W = (H or S·H)^{⊗} ⊗ V`` and
    ``A = V diag(a) V†``. ``A`` is given as a matrix on the 2^m codes of the mode register
    (little-endian over ``mode_qubits``).
    """

    spin_qubits: list[int]
    coeffs: list[float]
    sigma: str
    mode_qubits: list[int]
    mode_operator: np.ndarray
    num_qubits: int

    def __post_init__(self):
        if self.sigma not in ("X", "Y"):
            raise InvalidArgumentError(f"got {self.sigma!r}", argument="sigma", allowed="'X' | 'Y'")
        if len(self.coeffs) != len(self.spin_qubits):
            raise InvalidArgumentError("one coefficient per spin qubit", argument="coeffs",
                                       allowed=f"{len(self.spin_qubits)} coefficients")
        a = np.asarray(self.mode_operator, dtype=complex)
        if a.shape != (2 ** len(self.mode_qubits),) * 2 or not np.allclose(a, a.conj().T, atol=1e-12):
            raise InvalidHamiltonianError("mode operator must be a Hermitian 2^m x 2^m matrix",
                                          argument="mode_operator", allowed=f"shape {(2 ** len(self.mode_qubits),) * 2}")
        self.mode_operator = a
        evals, vecs = np.linalg.eigh(a)
        self._mode_eigenvalues = evals
        self._mode_basis = vecs

    @cached_property
    def operator(self) -> SparsePauliOp:
        a_full = SparsePauliOp.from_operator(self.mode_operator).apply_layout(list(self.mode_qubits), self.num_qubits)
        spin = SparsePauliOp.from_sparse_list([(self.sigma, [q], c) for q, c in zip(self.spin_qubits, self.coeffs)],
                                              num_qubits=self.num_qubits)
        return _hermitian_coeffs(spin.compose(a_full), "operator")

    @cached_property
    def _diagonal_part(self) -> CommutingPauliFragment:
        diag = diagonal_to_pauli(self._mode_eigenvalues, self.mode_qubits, self.num_qubits)
        z = SparsePauliOp.from_sparse_list([("Z", [q], c) for q, c in zip(self.spin_qubits, self.coeffs)],
                                           num_qubits=self.num_qubits)
        return CommutingPauliFragment(z.compose(diag).simplify(atol=1e-14), label="diagonal")

    def _rotate_in(self, qc: QuantumCircuit) -> None:  # W†
        rotate_to_z_basis(qc, self.sigma * len(self.spin_qubits), self.spin_qubits)
        qc.append(UnitaryGate(self._mode_basis.conj().T, check_input=False), self.mode_qubits)

    def _rotate_out(self, qc: QuantumCircuit) -> None:  # W
        qc.append(UnitaryGate(self._mode_basis, check_input=False), self.mode_qubits)
        rotate_from_z_basis(qc, self.sigma * len(self.spin_qubits), self.spin_qubits)

    def append(self, qc: QuantumCircuit, time: float) -> None:
        self._rotate_in(qc)
        self._diagonal_part.append(qc, time)
        self._rotate_out(qc)


@dataclass(eq=False)
class LocalFieldFragment(Fragment):
    """``Σ_q (h_x X_q + h_y Y_q + h_z Z_q)`` with the same field on each of ``qubits`` (exact per qubit).

    With ``h_z = 0`` each qubit gets ``RGate(2|h|t, φ)`` (``φ = atan2(h_y, h_x)``), i.e. a
    rotation about an equatorial axis — for Heron an ``rx`` between two ``rz``; otherwise the
    exact 2×2 unitary ``cos(|h|t) − i sin(|h|t) n̂·σ``.
    """

    qubits: list[int]
    field_xyz: tuple[float, float, float]
    num_qubits: int

    def __post_init__(self):
        h = np.asarray(self.field_xyz, dtype=float)
        if h.shape != (3,) or not np.all(np.isfinite(h)):
            raise InvalidArgumentError(f"got {self.field_xyz!r}", argument="field_xyz", allowed="three finite reals")
        self.field_xyz = tuple(float(x) for x in h)

    @property
    def operator(self) -> SparsePauliOp:
        terms = []
        for q in self.qubits:
            for p, c in zip("XYZ", self.field_xyz):
                if c != 0:
                    terms.append((p, [q], c))
        return SparsePauliOp.from_sparse_list(terms or [("", [], 0.0)], num_qubits=self.num_qubits)

    def append(self, qc: QuantumCircuit, time: float) -> None:
        hx, hy, hz = self.field_xyz
        norm = float(np.sqrt(hx * hx + hy * hy + hz * hz))
        if norm == 0:
            return
        if hz == 0:
            for q in self.qubits:
                qc.r(2 * norm * time, float(np.arctan2(hy, hx)), q)
            return
        n_sigma = (hx * np.array([[0, 1], [1, 0]]) + hy * np.array([[0, -1j], [1j, 0]])
                   + hz * np.array([[1, 0], [0, -1]])) / norm
        u = np.cos(norm * time) * np.eye(2) - 1j * np.sin(norm * time) * n_sigma
        for q in self.qubits:
            qc.append(UnitaryGate(u, check_input=False), [q])


@dataclass(eq=False)
class GlobalSwapFragment(Fragment):
    """``α|E⟩⟨G| + α*|G⟩⟨E|`` on ``qubits`` (|G⟩ = |0…0⟩, |E⟩ = |1…1⟩; review Eq. 17 after −H_0 cancels).

    Exact: a CNOT ladder from ``qubits[0]`` maps |1…1⟩ → |1,0…0⟩ and fixes |0…0⟩; the pair
    then differs only on ``qubits[0]``, which is rotated by ``RGate(2|α|t, arg α)`` controlled on
    all other qubits being |0⟩; the ladder is undone.
    """

    qubits: list[int]
    alpha: complex
    num_qubits: int

    def __post_init__(self):
        if not np.isfinite(complex(self.alpha)):
            raise InvalidArgumentError("alpha is not finite", argument="alpha", allowed="a finite complex number")
        if len(set(self.qubits)) != len(self.qubits) or not self.qubits:
            raise InvalidArgumentError("need distinct qubits", argument="qubits", allowed="at least one distinct qubit")

    @property
    def operator(self) -> SparsePauliOp:
        n = len(self.qubits)
        m = np.zeros((2**n, 2**n), dtype=complex)
        m[-1, 0] = self.alpha
        m[0, -1] = np.conj(self.alpha)
        return SparsePauliOp.from_operator(m).apply_layout(list(self.qubits), self.num_qubits)

    def append(self, qc: QuantumCircuit, time: float) -> None:
        from qiskit.circuit.library import RGate

        a = complex(self.alpha)
        theta, phi = 2 * abs(a) * time, float(np.angle(a))
        head, rest = self.qubits[0], list(self.qubits[1:])
        if not rest:
            qc.r(theta, phi, head)
            return
        for q in rest:
            qc.cx(head, q)
        qc.append(RGate(theta, phi).control(len(rest), ctrl_state=0), rest + [head])
        for q in reversed(rest):
            qc.cx(head, q)
