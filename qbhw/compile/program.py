"""A compiled charging protocol: circuits for every charging time plus its Trotter-error report.

A :class:`ChargingProgram` is what the backends run. It holds

* the register (``num_qubits``) and which qubits form the battery (``battery_qubits``);
* the battery Hamiltonian ``H_B`` on the battery register (ground energy 0) as a
  ``SparsePauliOp`` — the stored energy is ``E(t) = ⟨H_B⟩``;
* one or more initial states (:class:`InitialState`: a preparation circuit and a weight).
  ``weights="probability"``: a mixture (thermal states by enumeration or by sampling);
  ``weights="linear_response"``: signed weights of the high-temperature expansion
  ``ρ ∝ 1 + εD`` (the reported observables are the ε-coefficients);
* an evolution (:class:`TrotterEvolution` or a drive sequence) giving the circuit ``U_circ(t)``
  and a rigorous bound ``‖U_circ(t) − e^{−iHt}‖``;
* an exact reference (the symmetry-reduced solvers of :mod:`qbhw.models` through
  :func:`qbhw.charge`, or another independent exact route) for :meth:`trotter_report`;
* the battery model it was compiled from (``model``; ``None`` for protocols without one), so
  that one battery object travels through every stage.

The energy error of a state follows from the operator bound: for unit vectors
``|⟨ψ|A|ψ⟩ − ⟨φ|A|φ⟩| ≤ (λ_max − λ_min)(A) ‖ψ − φ‖`` (shift A by its mid-spectrum), so
``|E_circ − E_exact| ≤ w[H_B] · ‖U_circ − U‖ · Σ|weights|``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse.linalg as spla
from qiskit import QuantumCircuit
from qiskit.quantum_info import Operator, SparsePauliOp, Statevector

from ..errors import ConfigError, DimensionMismatchError, InvalidArgumentError
from ..metrics import check_times
from .trotter import ProductFormula, steps_for

__all__ = ["InitialState", "TrotterEvolution", "ExactReference", "TrotterReport", "ChargingProgram",
           "WEIGHT_KINDS"]

WEIGHT_KINDS = ("probability", "linear_response")


@dataclass(frozen=True)
class InitialState:
    """One initial state of the ensemble: its preparation circuit (from |0…0⟩) and weight."""

    circuit: QuantumCircuit
    weight: float = 1.0
    label: str = ""


@dataclass(eq=False)
class TrotterEvolution:
    """``U_circ(t) = S(t/r)^r`` with ``r = steps`` (fixed) or ``ceil(t/max_step)``."""

    formula: ProductFormula
    max_step: float | None = 0.1
    steps: int | None = None

    def __post_init__(self):
        if self.steps is None and (self.max_step is None or not self.max_step > 0):
            raise InvalidArgumentError(f"got {self.max_step!r}", argument="max_step", allowed="a positive step length")
        if self.steps is not None and int(self.steps) < 1:
            raise InvalidArgumentError(f"got {self.steps!r}", argument="steps", allowed="an integer >= 1")

    @property
    def num_qubits(self) -> int:
        return self.formula.num_qubits

    @property
    def hamiltonian(self) -> SparsePauliOp:
        return self.formula.hamiltonian

    def steps_at(self, time: float) -> int:
        if self.formula.exact:
            return 1
        return int(self.steps) if self.steps is not None else steps_for(time, self.max_step)

    def circuit(self, time: float) -> QuantumCircuit:
        return self.formula.circuit(time, self.steps_at(time))

    def error_bound(self, time: float) -> float:
        return self.formula.error_bound(time, self.steps_at(time))

    def circuit_unitary(self, time: float, *, from_gates: bool = False) -> np.ndarray:
        """Unitary of :meth:`circuit`: the ``r``-th power of one step.

        ``from_gates=True`` builds the step from the circuit's gates (``Operator``); the default
        assembles it from the exact fragment exponentials (:meth:`Fragment.exponential`) in the
        circuit's order — identical to round-off because every fragment circuit equals its exponential
        (checked in the tests), and far cheaper for circuits with thousands of gates.
        """
        r = self.steps_at(time)
        dim = 2**self.num_qubits
        if time == 0:
            return np.eye(dim, dtype=complex)
        dt = float(time) / r
        if from_gates:
            step = Operator(self.formula.circuit(dt, 1)).data
        else:
            step = np.eye(dim, dtype=complex)
            for frag, length in self.formula.step_sequence(dt):
                step = self._fragment_exponential(frag, length) @ step
        return np.linalg.matrix_power(step, r)

    @staticmethod
    def _fragment_exponential(frag, length: float) -> np.ndarray:
        return frag.exponential(length)

    def describe(self) -> dict[str, Any]:
        return {"kind": "trotter", "order": self.formula.order, "fragments": len(self.formula.fragments),
                "max_step": self.max_step, "steps": self.steps}


@dataclass(frozen=True)
class ExactReference:
    """Exact (noise-free, Trotter-free) values on a time grid, and where they come from."""

    times: np.ndarray
    energy: np.ndarray
    source: str
    ergotropy: np.ndarray | None = None
    observables: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class TrotterReport:
    """How far the compiled circuits are from exact evolution.

    ``operator_bound``: rigorous ``‖U_circ(t) − e^{−iHt}‖`` (commutator bound);
    ``energy_bound``: the implied bound on ``|E_circ − E_exact|``;
    ``energy_circuit``: noise-free energies of the circuits (quantum_info statevectors);
    ``energy_exact``: the exact solver's energies (``reference`` names it);
    ``energy_error = |energy_circuit − energy_exact|`` (total deviation of the noise-free
    circuits from the exact solver);
    ``energy_ensemble``: exact propagation ``e^{−iHt}`` of the compiled initial states with the
    encoded Hamiltonian (``None`` for time-dependent drives), so that
    ``trotter_error = |energy_circuit − energy_ensemble|`` (≤ ``energy_bound``) and
    ``ensemble_error = |energy_ensemble − energy_exact|`` (thermal sampling, and a check of the
    encoding against the exact solver: round-off when nothing is sampled);
    ``state_error``: largest ``‖ψ_circ − e^{−iHt}ψ_0‖`` over the initial states.
    """

    times: np.ndarray
    steps: np.ndarray
    operator_bound: np.ndarray
    energy_bound: np.ndarray
    energy_circuit: np.ndarray
    energy_exact: np.ndarray
    energy_error: np.ndarray
    state_error: np.ndarray | None
    reference: str
    energy_ensemble: np.ndarray | None = None
    observables_circuit: dict[str, np.ndarray] = field(default_factory=dict)
    observables_exact: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def max_energy_error(self) -> float:
        return float(np.max(self.energy_error))

    @property
    def trotter_error(self) -> np.ndarray:
        """``|E_circ − E_ensemble|`` (falls back to ``energy_error`` for time-dependent drives)."""
        if self.energy_ensemble is None:
            return self.energy_error
        return np.abs(self.energy_circuit - self.energy_ensemble)

    @property
    def ensemble_error(self) -> np.ndarray | None:
        if self.energy_ensemble is None:
            return None
        return np.abs(self.energy_ensemble - self.energy_exact)

    @property
    def max_energy_bound(self) -> float:
        return float(np.max(self.energy_bound))

    def as_dict(self) -> dict[str, Any]:
        out = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()
               if not isinstance(v, dict)}
        out["observables_circuit"] = {k: np.asarray(v).tolist() for k, v in self.observables_circuit.items()}
        out["observables_exact"] = {k: np.asarray(v).tolist() for k, v in self.observables_exact.items()}
        return out


class ChargingProgram:
    """A charging protocol compiled to circuits (see the module docstring)."""

    def __init__(self, *, name: str, num_qubits: int, battery_qubits, battery_hamiltonian: SparsePauliOp,
                 evolution, initial_states, weights: str = "probability",
                 observables: dict[str, SparsePauliOp] | None = None,
                 reference: Callable[[np.ndarray], ExactReference] | None = None,
                 metadata: dict[str, Any] | None = None, model: Any = None):
        self.name = name
        self.num_qubits = int(num_qubits)
        self.battery_qubits = tuple(int(q) for q in battery_qubits)
        if list(self.battery_qubits) != sorted(set(self.battery_qubits)) or not all(
                0 <= q < self.num_qubits for q in self.battery_qubits):
            raise InvalidArgumentError(f"battery qubits {self.battery_qubits} are not distinct qubits of the register",
                                       argument="battery_qubits", allowed=f"distinct ascending indices in [0, {self.num_qubits})")
        if battery_hamiltonian.num_qubits != len(self.battery_qubits):
            raise DimensionMismatchError(
                f"battery Hamiltonian acts on {battery_hamiltonian.num_qubits} qubits, battery has "
                f"{len(self.battery_qubits)}", argument="battery_hamiltonian",
                allowed="an operator on the battery register")
        self.battery_hamiltonian = battery_hamiltonian.simplify()
        self.evolution = evolution
        if evolution.num_qubits != self.num_qubits:
            raise DimensionMismatchError(f"evolution acts on {evolution.num_qubits} qubits, register has "
                                         f"{self.num_qubits}", argument="evolution", allowed="the same register")
        self.initial_states = tuple(initial_states)
        if not self.initial_states:
            raise InvalidArgumentError("no initial state", argument="initial_states", allowed="at least one")
        for s in self.initial_states:
            if s.circuit.num_qubits != self.num_qubits:
                raise DimensionMismatchError("initial-state circuit on the wrong register", argument="initial_states",
                                             allowed=f"circuits on {self.num_qubits} qubits")
        if weights not in WEIGHT_KINDS:
            raise ConfigError(f"got {weights!r}", argument="weights", allowed=" | ".join(WEIGHT_KINDS))
        self.weights_kind = weights
        w = self.weights
        if weights == "probability" and (np.any(w < 0) or abs(w.sum() - 1) > 1e-9):
            raise InvalidArgumentError("probability weights must be >= 0 and sum to 1", argument="initial_states",
                                       allowed="a probability distribution")
        self.observables = dict(observables or {})
        for k, o in self.observables.items():
            if o.num_qubits != self.num_qubits:
                raise DimensionMismatchError(f"observable {k!r} on {o.num_qubits} qubits", argument="observables",
                                             allowed=f"operators on the {self.num_qubits}-qubit register")
        self.reference = reference
        #: the battery model compiled (:func:`qbhw.compile.compile_model`), or None
        self.model = model
        self.metadata = {"protocol": name, "num_qubits": self.num_qubits, "battery_qubits": list(self.battery_qubits),
                         "weights": weights, "evolution": evolution.describe(), **(metadata or {})}

    # ---- structure ------------------------------------------------------------------
    @property
    def weights(self) -> np.ndarray:
        return np.array([s.weight for s in self.initial_states], dtype=float)

    @cached_property
    def energy_observable(self) -> SparsePauliOp:
        """``H_B`` embedded in the full register."""
        return self.battery_hamiltonian.apply_layout(list(self.battery_qubits), self.num_qubits)

    @cached_property
    def battery_spread(self) -> float:
        """``λ_max − λ_min`` of ``H_B``."""
        ev = np.linalg.eigvalsh(self.battery_hamiltonian.to_matrix())
        return float(ev[-1] - ev[0])

    def steps_at(self, time: float) -> int:
        return self.evolution.steps_at(time)

    def evolution_circuit(self, time: float) -> QuantumCircuit:
        return self.evolution.circuit(time)

    def circuit(self, time: float, member: int = 0) -> QuantumCircuit:
        """Preparation of initial state ``member`` followed by ``U_circ(time)`` (no measurement)."""
        qc = self.initial_states[member].circuit.copy()
        qc.compose(self.evolution_circuit(time), inplace=True)
        qc.name = f"{self.name}_t{time:.6g}_m{member}"
        return qc

    def operator_bound(self, time: float) -> float:
        return float(self.evolution.error_bound(time))

    def energy_bound(self, time: float) -> float:
        """Bound on ``|E_circ(t) − E_exact(t)|`` implied by the operator bound."""
        return self.battery_spread * self.operator_bound(time) * float(np.sum(np.abs(self.weights)))

    # ---- noise-free evaluation ---------------------------------------------------------
    @cached_property
    def initial_vectors(self) -> np.ndarray:
        """Initial state vectors as columns, shape ``(2^n, members)``."""
        return np.stack([Statevector(s.circuit).data for s in self.initial_states], axis=1)

    def _weighted(self, vecs: np.ndarray, op: SparsePauliOp) -> float:
        m = op.to_matrix(sparse=True)
        vals = np.real(np.einsum("im,im->m", vecs.conj(), m @ vecs))
        return float(np.dot(self.weights, vals))

    def circuit_states(self, time: float) -> np.ndarray:
        """Noise-free states ``U_circ(t)ψ_m`` (columns), from the circuit's unitary."""
        fast = getattr(self.evolution, "circuit_unitary", None)
        u = fast(time) if fast is not None else Operator(self.evolution_circuit(time)).data
        return u @ self.initial_vectors

    def exact_states(self, time: float) -> np.ndarray | None:
        """``e^{−iHt}ψ_m`` for the encoded time-independent generator (None if time-dependent)."""
        h = getattr(self.evolution, "hamiltonian", None)
        if h is None:
            return None
        a = (-1j * float(time)) * h.to_matrix(sparse=True).tocsc()
        return spla.expm_multiply(a, self.initial_vectors)

    def ideal_values(self, times) -> dict[str, np.ndarray]:
        """Noise-free weighted energy and observables of the circuits."""
        t = check_times(times, allow_single=True)
        out = {"energy": np.empty(t.size), **{k: np.empty(t.size) for k in self.observables}}
        for i, ti in enumerate(t):
            vecs = self.circuit_states(ti)
            out["energy"][i] = self._weighted(vecs, self.energy_observable)
            for k, o in self.observables.items():
                out[k][i] = self._weighted(vecs, o)
        return out

    def exact_reference(self, times) -> ExactReference:
        """The exact solver's values (the protocol's ``reference``, else exact encoded propagation)."""
        t = check_times(times, allow_single=True)
        if self.reference is not None:
            if t.size > 1:
                return self.reference(t)
            # solvers want a grid: evaluate on (t/2, t) (or (t, t + 1) at t = 0) and keep t
            pad = np.array([0.5 * t[0], t[0]]) if t[0] > 0 else np.array([t[0], t[0] + 1.0])
            keep = 1 if t[0] > 0 else 0
            r = self.reference(pad)
            return ExactReference(t, np.asarray(r.energy)[keep:keep + 1], r.source,
                                  None if r.ergotropy is None else np.asarray(r.ergotropy)[keep:keep + 1],
                                  {k: np.asarray(v)[keep:keep + 1] for k, v in r.observables.items()})
        if getattr(self.evolution, "hamiltonian", None) is None:
            raise ConfigError("this program has no exact reference", argument="reference",
                              allowed="a program built with a reference")
        energy = np.empty(t.size)
        obs = {k: np.empty(t.size) for k in self.observables}
        for i, ti in enumerate(t):
            vecs = self.exact_states(ti)
            energy[i] = self._weighted(vecs, self.energy_observable)
            for k, o in self.observables.items():
                obs[k][i] = self._weighted(vecs, o)
        return ExactReference(t, energy, "exact propagation of the encoded Hamiltonian (expm_multiply)",
                              observables=obs)

    def trotter_report(self, times) -> TrotterReport:
        """Compare the compiled circuits with the exact solver on ``times`` (noise-free)."""
        t = check_times(times, allow_single=True)
        ref = self.exact_reference(t)
        e_circ = np.empty(t.size)
        obs_c = {k: np.empty(t.size) for k in self.observables}
        has_exact_states = getattr(self.evolution, "hamiltonian", None) is not None
        state_err = np.empty(t.size) if has_exact_states else None
        e_ens = np.empty(t.size) if has_exact_states else None
        for i, ti in enumerate(t):
            vecs = self.circuit_states(ti)
            e_circ[i] = self._weighted(vecs, self.energy_observable)
            for k, o in self.observables.items():
                obs_c[k][i] = self._weighted(vecs, o)
            if has_exact_states:
                ex = self.exact_states(ti)
                state_err[i] = float(np.max(np.linalg.norm(vecs - ex, axis=0)))
                e_ens[i] = self._weighted(ex, self.energy_observable)
        op_b = np.array([self.operator_bound(ti) for ti in t])
        scale = self.battery_spread * float(np.sum(np.abs(self.weights)))
        return TrotterReport(
            times=t, steps=np.array([self.steps_at(ti) for ti in t]), operator_bound=op_b,
            energy_bound=scale * op_b, energy_circuit=e_circ, energy_exact=np.asarray(ref.energy, dtype=float),
            energy_error=np.abs(e_circ - ref.energy), state_error=state_err, reference=ref.source,
            energy_ensemble=e_ens,
            observables_circuit=obs_c, observables_exact=dict(ref.observables))

    def __repr__(self) -> str:
        return (f"ChargingProgram({self.name!r}, qubits={self.num_qubits}, battery={list(self.battery_qubits)}, "
                f"initial_states={len(self.initial_states)})")
