"""Measuring a battery on hardware: energy from counts with shot-noise error bars, a certified ergotropy
lower bound from populations, and state tomography of small batteries.

Energy and observables. The operators to estimate (``H_B`` and any extra observables, as
``SparsePauliOp`` on the register) are split into Pauli strings; the strings are grouped
qubit-wise commuting, and each group is measured once in its product basis (``H`` before the
measurement for X, ``S† H`` for Y). For every shot the group's estimator
``Σ_P c_P Π_{q∈P} (−1)^{b_q}`` is evaluated, so the mean is unbiased and its standard error
``σ/√shots`` includes the covariances of the strings inside the group; groups are independent.
σ comes from :func:`qbhw.metrics.pauli_sum_estimate`: each string's Jeffreys-posterior variance
(Beta(k + ½, n − k + ½)) combined with the strings' sample correlations, so a finite run never
reports σ = 0 (not even when every shot gave the same outcome).

Ergotropy without tomography. When every string of ``H_B`` is diagonal in one measured
basis, the populations ``p_b`` of the battery bitstrings are the diagonal of ρ_B in an eigenbasis
of ``H_B``; ``diag(p)`` has the same energy as ρ_B and is majorised by its spectrum
(Schur–Horn), so ``𝓔(diag p) ≤ 𝓔(ρ_B)``: a certified lower bound (incoherent ergotropy,
Francica et al., PRL 125, 180603, 2020; :func:`qbhw.metrics.incoherent_ergotropy`), up to
shot noise.

Tomography. For a battery of n ≤ 4 qubits, the 3^n Pauli settings give every ⟨P⟩ (each
estimated from all settings that agree with P on its support); linear inversion
``ρ = 2^{−n} Σ_P ⟨P⟩ P`` is projected onto the closest physical state (Smolin, Gambetta, Smolin,
PRL 108, 070502, 2012) and its ergotropy computed with :func:`qbhw.metrics.ergotropy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
from qiskit import ClassicalRegister, QuantumCircuit
from qiskit.quantum_info import Pauli, SparsePauliOp

from ..errors import DimensionMismatchError, InvalidArgumentError
from ..metrics import incoherent_ergotropy, pauli_sum_estimate
from .operators import rotate_to_z_basis

__all__ = ["MeasurementGroup", "MeasurementPlan", "plan_measurements", "add_measurement", "group_estimates",
           "counts_to_bits", "battery_populations", "population_lower_bound", "tomography_settings",
           "tomography_state", "project_to_physical", "MAX_TOMOGRAPHY_QUBITS", "MEASURE_REGISTER"]

MAX_TOMOGRAPHY_QUBITS = 4
MEASURE_REGISTER = "c"


@dataclass(frozen=True)
class MeasurementGroup:
    """Qubit-wise commuting strings measured together: ``basis[k]`` on ``qubits[k]``; ``paulis``
    are labels over the whole register (big-endian, as ``Pauli.to_label``)."""

    qubits: tuple[int, ...]
    basis: str
    paulis: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"qubits": list(self.qubits), "basis": self.basis, "paulis": list(self.paulis)}

    @classmethod
    def from_dict(cls, d: dict) -> "MeasurementGroup":
        return cls(tuple(d["qubits"]), d["basis"], tuple(d["paulis"]))


@dataclass(frozen=True)
class MeasurementPlan:
    """What to measure for a set of named operators on an ``num_qubits`` register.

    ``coefficients[name][label]`` is the coefficient of string ``label`` in operator ``name``;
    ``constants[name]`` its identity part.
    """

    num_qubits: int
    groups: tuple[MeasurementGroup, ...]
    coefficients: dict[str, dict[str, float]]
    constants: dict[str, float]
    diagonal_group: dict[str, int | None] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"num_qubits": self.num_qubits, "groups": [g.as_dict() for g in self.groups],
                "coefficients": self.coefficients, "constants": self.constants,
                "diagonal_group": self.diagonal_group}

    @classmethod
    def from_dict(cls, d: dict) -> "MeasurementPlan":
        return cls(int(d["num_qubits"]), tuple(MeasurementGroup.from_dict(g) for g in d["groups"]),
                   {k: dict(v) for k, v in d["coefficients"].items()}, dict(d["constants"]),
                   dict(d.get("diagonal_group", {})))


def plan_measurements(operators: dict[str, SparsePauliOp]) -> MeasurementPlan:
    """Group the Pauli strings of all ``operators`` (same register) into measurement bases."""
    if not operators:
        raise InvalidArgumentError("nothing to measure", argument="operators", allowed="at least one operator")
    nq = {op.num_qubits for op in operators.values()}
    if len(nq) != 1:
        raise DimensionMismatchError(f"operators act on {sorted(nq)} qubits", argument="operators",
                                     allowed="operators on one register")
    n = nq.pop()
    coeffs: dict[str, dict[str, float]] = {}
    consts: dict[str, float] = {}
    labels: list[str] = []
    for name, op in operators.items():
        op = op.simplify(atol=1e-14)
        if np.max(np.abs(np.imag(op.coeffs))) > 1e-10:
            raise InvalidArgumentError(f"operator {name!r} is not Hermitian", argument="operators",
                                       allowed="real Pauli coefficients")
        coeffs[name], consts[name] = {}, 0.0
        for p, c in zip(op.paulis, op.coeffs):
            lab = p.to_label()
            if set(lab) <= {"I"}:
                consts[name] += float(np.real(c))
                continue
            coeffs[name][lab] = coeffs[name].get(lab, 0.0) + float(np.real(c))
            if lab not in labels:
                labels.append(lab)
    groups: list[MeasurementGroup] = []
    if labels:
        union = SparsePauliOp(labels, np.ones(len(labels)))
        for g in union.group_commuting(qubit_wise=True):
            labs = tuple(p.to_label() for p in g.paulis)
            basis = {}
            for lab in labs:
                for q in range(n):
                    ch = lab[-1 - q]
                    if ch != "I":
                        basis[q] = ch
            qubits = tuple(sorted(basis))
            groups.append(MeasurementGroup(qubits, "".join(basis[q] for q in qubits), labs))
    diag = {}
    for name, c in coeffs.items():
        owners = {k for k, g in enumerate(groups) for lab in c if lab in g.paulis}
        diag[name] = owners.pop() if len(owners) == 1 else None
    return MeasurementPlan(n, tuple(groups), coeffs, consts, diag)


def add_measurement(circuit: QuantumCircuit, qubits, basis: str) -> QuantumCircuit:
    """``circuit`` + basis rotation + measurement of ``qubits`` into register ``c`` (bit k ↔ qubits[k])."""
    qc = circuit.copy()
    creg = ClassicalRegister(len(qubits), MEASURE_REGISTER)
    qc.add_register(creg)
    bad = [b for _, b in zip(qubits, basis) if b not in ("X", "Y", "Z")]
    if bad:
        raise InvalidArgumentError(f"basis letter {bad[0]!r}", argument="basis", allowed="X | Y | Z")
    rotate_to_z_basis(qc, basis, qubits)
    for k, q in enumerate(qubits):
        qc.measure(q, creg[k])
    return qc


def counts_to_bits(counts: dict[str, int], n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes as a ``(k, n_bits)`` 0/1 array (column j = clbit j) and their counts."""
    keys = [k.replace(" ", "") for k in counts]
    if not keys:
        raise InvalidArgumentError("no counts", argument="counts", allowed="at least one shot")
    bits = np.array([[int(k[-1 - j]) for j in range(n_bits)] for k in keys], dtype=np.int8)
    return bits, np.array([counts[k] for k in counts], dtype=float)


def group_estimates(plan: MeasurementPlan, group_index: int, counts: dict[str, float], *, exact: bool = False,
                    shots: float | None = None) -> dict[str, tuple[float, float]]:
    """(mean, variance of the mean) of each operator's part in one group, from that group's counts.

    The mean is the sample mean of ``Σ_P c_P Π_{q∈P} (−1)^{b_q}``; the variance is that of
    :func:`qbhw.metrics.pauli_sum_estimate` — the strings' Jeffreys-posterior variances combined
    with their sample correlations — so it is never 0 for a finite number of shots, also when
    every shot gave the same outcome. With ``exact=True``, ``counts`` is an exact outcome
    distribution (probabilities); the mean is exact and the variance is that of a ``shots``-shot
    estimate (0 when ``shots`` is None).
    """
    g = plan.groups[group_index]
    bits, w = counts_to_bits(counts, len(g.qubits))
    total = float(w.sum())
    if exact:
        w = w / total
    signs = 1.0 - 2.0 * bits  # (−1)^b
    pos = {q: k for k, q in enumerate(g.qubits)}
    values = {}
    for lab in g.paulis:
        support = [pos[q] for q in range(plan.num_qubits) if lab[-1 - q] != "I"]
        values[lab] = np.prod(signs[:, support], axis=1)
    out = {}
    for name, c in plan.coefficients.items():
        labs = [lab for lab in g.paulis if lab in c]
        if not labs:
            continue
        terms = np.stack([values[lab] for lab in labs], axis=1)
        coeffs = np.array([c[lab] for lab in labs])
        if exact and not shots:
            mean, var = float(np.dot(w, terms @ coeffs)), 0.0
        else:
            mean, err = pauli_sum_estimate(terms, w, coeffs, n=shots if exact else None)
            var = err * err
        out[name] = (mean, var)
    return out


def battery_populations(counts: dict[str, int], group: MeasurementGroup, battery_qubits) -> np.ndarray:
    """Populations of the battery bitstrings (little-endian over ``battery_qubits``) from a group's counts."""
    pos = {q: k for k, q in enumerate(group.qubits)}
    missing = [q for q in battery_qubits if q not in pos]
    if missing:
        raise InvalidArgumentError(f"battery qubits {missing} are not measured by this group", argument="group",
                                   allowed="a group measuring every battery qubit")
    bits, w = counts_to_bits(counts, len(group.qubits))
    idx = np.zeros(bits.shape[0], dtype=np.int64)
    for j, q in enumerate(battery_qubits):
        idx += bits[:, pos[q]].astype(np.int64) << j
    p = np.bincount(idx, weights=w, minlength=2 ** len(battery_qubits))
    return p / p.sum()


def population_lower_bound(populations, battery_hamiltonian: SparsePauliOp, basis: str) -> float:
    """Ergotropy of ``diag(p)`` w.r.t. ``H_B`` written in the measured product basis (a certified
    lower bound on the battery ergotropy; ``basis[j]`` is the basis of battery qubit j).

    Every string of ``H_B`` must be diagonal in that basis (only I and the basis letter per qubit).
    """
    n = battery_hamiltonian.num_qubits
    p = np.asarray(populations, dtype=float)
    energies = np.zeros(2**n)
    idx = np.arange(2**n)
    for pauli, c in zip(battery_hamiltonian.paulis, battery_hamiltonian.coeffs):
        lab = pauli.to_label()
        val = np.ones(2**n)
        for q in range(n):
            ch = lab[-1 - q]
            if ch == "I":
                continue
            if ch != basis[q]:
                raise InvalidArgumentError(f"H_B string {lab} is not diagonal in basis {basis[::-1]}",
                                           argument="basis", allowed="a basis diagonalising every H_B string")
            val *= 1.0 - 2.0 * ((idx >> q) & 1)
        energies += float(np.real(c)) * val
    return float(incoherent_ergotropy(np.diag(p).astype(complex), np.diag(energies).astype(complex)))


def tomography_settings(n_qubits: int) -> list[str]:
    """The 3^n product settings (label[k] is the basis of battery qubit k)."""
    if not 1 <= n_qubits <= MAX_TOMOGRAPHY_QUBITS:
        raise InvalidArgumentError(f"tomography of {n_qubits} qubits", argument="battery_qubits",
                                   allowed=f"1 to {MAX_TOMOGRAPHY_QUBITS} battery qubits (3^n settings)")
    return ["".join(s) for s in product("XYZ", repeat=n_qubits)]


def project_to_physical(mu: np.ndarray) -> np.ndarray:
    """Closest density matrix (2-norm) to a unit-trace Hermitian matrix (Smolin et al. 2012)."""
    mu = 0.5 * (mu + mu.conj().T)
    mu = mu / np.trace(mu).real
    evals, vecs = np.linalg.eigh(mu)
    lam = evals[::-1].copy()  # descending
    a = 0.0
    i = lam.size
    while i > 0 and lam[i - 1] + a / i < 0:
        a += lam[i - 1]
        lam[i - 1] = 0.0
        i -= 1
    if i > 0:
        lam[:i] += a / i
    lam = lam[::-1]
    return (vecs * lam) @ vecs.conj().T


def tomography_state(counts_by_setting: dict[str, dict[str, int]], n_qubits: int) -> np.ndarray:
    """Battery density matrix (little-endian over the battery qubits) from the 3^n settings' counts
    (``counts_by_setting[s]``: clbit k measured battery qubit k in basis ``s[k]``)."""
    settings = tomography_settings(n_qubits)
    missing = [s for s in settings if s not in counts_by_setting]
    if missing:
        raise InvalidArgumentError(f"missing tomography settings {missing[:3]}...", argument="counts_by_setting",
                                   allowed="counts for all 3^n settings")
    data = {s: counts_to_bits(counts_by_setting[s], n_qubits) for s in settings}
    rho = np.zeros((2**n_qubits, 2**n_qubits), dtype=complex)
    for letters in product("IXYZ", repeat=n_qubits):  # letters[k] on qubit k
        support = [k for k in range(n_qubits) if letters[k] != "I"]
        label = "".join(reversed(letters))
        if not support:
            rho += np.eye(2**n_qubits)
            continue
        num, den = 0.0, 0.0
        for s in settings:
            if all(s[k] == letters[k] for k in support):
                bits, w = data[s]
                vals = np.prod(1.0 - 2.0 * bits[:, support], axis=1)
                num += float(np.dot(w, vals))
                den += float(w.sum())
        rho += (num / den) * Pauli(label).to_matrix()
    return project_to_physical(rho / 2**n_qubits)

