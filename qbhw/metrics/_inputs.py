"""Input conversion and validation shared by every figure of merit.

States may be numpy arrays (a state vector of shape ``(d,)`` or a density matrix of
shape ``(d, d)``) or qiskit ``Statevector`` / ``DensityMatrix``. Hamiltonians may be
numpy arrays, qiskit ``Operator`` / ``SparsePauliOp``, an eigen-decomposition
``(energies, eigenvectors)``, or a :class:`Spectrum` (energies with multiplicities, for a
state that lives in a symmetry sector of a larger space).

This module imports nothing from qbhw except the errors (metrics is the bottom layer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import (
    DimensionMismatchError,
    InvalidArgumentError,
    InvalidHamiltonianError,
    InvalidStateError,
    InvalidTimesError,
)

#: absolute tolerance for trace, norm and Hermiticity checks (relative to the matrix scale)
STATE_ATOL = 1e-8
#: eigenvalues of a density matrix more negative than this are rejected
NEGATIVITY_ATOL = 1e-8


def _to_numpy(obj, argument: str) -> np.ndarray:
    """Return ``obj`` as a complex numpy array, unwrapping qiskit quantum_info objects."""
    # qiskit objects are recognised by duck typing so that metrics never imports qiskit eagerly
    if hasattr(obj, "to_matrix") and callable(obj.to_matrix) and not isinstance(obj, np.ndarray):
        arr = obj.to_matrix()  # SparsePauliOp, Pauli, Gate
        if hasattr(arr, "toarray"):
            arr = arr.toarray()
    elif hasattr(obj, "data") and not isinstance(obj, np.ndarray) and type(obj).__module__.startswith("qiskit"):
        arr = obj.data  # Statevector, DensityMatrix, Operator
    else:
        arr = obj
    if hasattr(arr, "toarray"):  # scipy sparse
        arr = arr.toarray()
    try:
        arr = np.asarray(arr, dtype=complex)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"cannot be converted to a complex array ({type(obj).__name__})",
            argument=argument,
            allowed="numpy array or qiskit quantum_info object",
        ) from exc
    if not np.all(np.isfinite(arr)):
        raise InvalidArgumentError("contains NaN or inf", argument=argument, allowed="finite entries")
    return arr


@dataclass(frozen=True)
class Spectrum:
    """A Hamiltonian given by its spectrum, for states in (a sector of) its eigenbasis.

    ``energies[k]`` is the energy of level ``k`` and ``multiplicities[k]`` how many
    states of the *full* space have it. A state passed together with a ``Spectrum`` is
    written in the eigenbasis of the sector it lives in:

    * if its dimension equals ``len(energies)``, basis state ``k`` has energy
      ``energies[k]`` (one representative per level, e.g. the Dicke states
      ``|J=N/2, m⟩`` of the symmetric subspace, whose level ``k = m + N/2`` has
      multiplicity ``C(N, k)`` in the full ``2^N`` space);
    * if ``sector_matrix`` is given, the state is written in the basis of that
      matrix (the Hamiltonian restricted to the sector) and ``energies`` /
      ``multiplicities`` describe the full space only.

    The passive state of such a state may use every level of the full space
    (``space="full"`` in the review's sense): the eigenvalues of ρ fill the lowest
    levels counted with multiplicity.
    """

    energies: np.ndarray
    multiplicities: np.ndarray | None = None
    sector_matrix: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        e = np.asarray(self.energies, dtype=float).ravel()
        if e.size == 0 or not np.all(np.isfinite(e)):
            raise InvalidHamiltonianError(
                "spectrum must be a non-empty array of finite energies", argument="energies",
                allowed="finite real numbers",
            )
        object.__setattr__(self, "energies", e)
        if self.multiplicities is None:
            m = np.ones(e.size, dtype=np.int64)
        else:
            raw = list(np.ravel(np.asarray(self.multiplicities, dtype=object)))
            if len(raw) != e.size:
                raise DimensionMismatchError(
                    f"multiplicities has {len(raw)} entries but energies has {e.size}",
                    argument="multiplicities", allowed="one positive integer per energy",
                )
            ints = []
            for x in raw:
                try:
                    ok = not isinstance(x, bool) and int(x) == x and int(x) >= 1
                except (TypeError, ValueError, OverflowError):
                    ok = False
                if not ok:
                    raise InvalidHamiltonianError(
                        f"multiplicities must be positive integers, got {x!r}", argument="multiplicities",
                        allowed="integers >= 1",
                    )
                ints.append(int(x))
            # Python ints (object array) keep huge degeneracies exact, e.g. binomial(2000, 1000) > 1e600
            m = np.array(ints, dtype=object) if max(ints) > 2**62 else np.array(ints, dtype=np.int64)
        object.__setattr__(self, "multiplicities", m)
        if self.sector_matrix is not None:
            h = _check_hermitian(_to_numpy(self.sector_matrix, "sector_matrix"), "sector_matrix")
            object.__setattr__(self, "sector_matrix", h)

    @property
    def full_dimension(self) -> int:
        return int(sum(int(x) for x in self.multiplicities))


def _check_hermitian(h: np.ndarray, argument: str) -> np.ndarray:
    if h.ndim != 2 or h.shape[0] != h.shape[1]:
        raise InvalidHamiltonianError(
            f"must be a square matrix, got shape {h.shape}", argument=argument, allowed="shape (d, d)"
        )
    scale = max(1.0, float(np.max(np.abs(h))) if h.size else 1.0)
    if not np.allclose(h, h.conj().T, atol=STATE_ATOL * scale, rtol=0):
        dev = float(np.max(np.abs(h - h.conj().T)))
        raise InvalidHamiltonianError(
            f"is not Hermitian (max |H - H^dagger| = {dev:.3g})", argument=argument,
            allowed=f"|H - H^dagger| <= {STATE_ATOL:g} * max|H|",
        )
    return 0.5 * (h + h.conj().T)


@dataclass(frozen=True)
class HamiltonianData:
    """A validated Hamiltonian: its matrix in the state's basis and its full-space spectrum.

    ``matrix``: Hermitian ``(d, d)`` array acting on the state's space (or ``None`` when
    only a diagonal spectrum in the state's basis is known, then ``diagonal`` is set).
    ``levels`` / ``multiplicities``: distinct energies of the full space (ascending) and
    how many states have each.
    """

    dimension: int
    matrix: np.ndarray | None
    diagonal: np.ndarray | None
    levels: np.ndarray
    multiplicities: np.ndarray
    eigenvectors: np.ndarray | None = field(default=None, repr=False)
    eigenvalues: np.ndarray | None = None

    @property
    def e_min(self) -> float:
        return float(self.levels[0])

    @property
    def e_max(self) -> float:
        return float(self.levels[-1])

    def expectation(self, rho: np.ndarray) -> float:
        """Tr[H ρ] for a density matrix in the state's basis."""
        if self.matrix is not None:
            return float(np.real(np.einsum("ij,ji->", self.matrix, rho)))
        return float(np.real(np.dot(self.diagonal, np.diag(rho))))

    def square_expectation(self, rho: np.ndarray) -> float:
        """Tr[H² ρ]."""
        if self.matrix is not None:
            h2 = self.matrix @ self.matrix
            return float(np.real(np.einsum("ij,ji->", h2, rho)))
        return float(np.real(np.dot(self.diagonal**2, np.diag(rho))))

    def eigh(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (ascending) and eigenvectors of the Hamiltonian on the state's space."""
        if self.eigenvalues is not None and self.eigenvectors is not None:
            return self.eigenvalues, self.eigenvectors
        if self.matrix is not None:
            return np.linalg.eigh(self.matrix)
        order = np.argsort(self.diagonal, kind="stable")
        vecs = np.eye(self.dimension, dtype=complex)[:, order]
        return self.diagonal[order], vecs

    def sorted_levels_for(self, n_states: int) -> np.ndarray:
        """The ``n_states`` lowest energies of the full space, counted with multiplicity."""
        return _lowest_with_multiplicity(self.levels, self.multiplicities, n_states)

    def highest_levels_for(self, n_states: int) -> np.ndarray:
        """The ``n_states`` highest energies of the full space (descending), counted with multiplicity."""
        return _lowest_with_multiplicity(-self.levels[::-1], self.multiplicities[::-1], n_states) * -1.0

    @property
    def full_dimension(self) -> int:
        return int(sum(int(x) for x in self.multiplicities))


def _lowest_with_multiplicity(levels: np.ndarray, mult: np.ndarray, n: int) -> np.ndarray:
    out = np.empty(n, dtype=float)
    filled = 0
    for e, m in zip(levels, mult):
        take = min(int(m), n - filled)
        out[filled:filled + take] = e
        filled += take
        if filled == n:
            break
    return out


def _group_levels(values: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Group sorted eigenvalues into distinct levels (within ``tol``) with multiplicities."""
    v = np.sort(np.asarray(values, dtype=float))
    if v.size == 0:
        return v, np.zeros(0, dtype=np.int64)
    breaks = np.flatnonzero(np.diff(v) > tol) + 1
    groups = np.split(v, breaks)
    return np.array([g.mean() for g in groups]), np.array([g.size for g in groups], dtype=np.int64)


def as_hamiltonian(hamiltonian, argument: str = "hamiltonian", dim: int | None = None) -> HamiltonianData:
    """Validate and normalise a Hamiltonian given in any supported form."""
    if isinstance(hamiltonian, HamiltonianData):
        h = hamiltonian
    elif isinstance(hamiltonian, Spectrum):
        levels, mult = hamiltonian.energies, hamiltonian.multiplicities
        order = np.argsort(levels, kind="stable")
        if hamiltonian.sector_matrix is not None:
            mat = hamiltonian.sector_matrix
            h = HamiltonianData(mat.shape[0], mat, None, levels[order], mult[order])
        else:
            h = HamiltonianData(levels.size, None, levels.copy(), levels[order], mult[order])
    elif isinstance(hamiltonian, tuple) and len(hamiltonian) == 2:
        evals = np.asarray(hamiltonian[0], dtype=float).ravel()
        evecs = _to_numpy(hamiltonian[1], f"{argument}[1]")
        if not np.all(np.isfinite(evals)):
            raise InvalidHamiltonianError("eigenvalues contain NaN or inf", argument=argument,
                                          allowed="finite real eigenvalues")
        if evecs.ndim != 2 or evecs.shape[0] != evecs.shape[1] or evecs.shape[1] != evals.size:
            raise InvalidHamiltonianError(
                f"eigen-decomposition shapes do not match: {evals.shape} eigenvalues, {evecs.shape} eigenvectors",
                argument=argument, allowed="(energies of shape (d,), unitary eigenvectors of shape (d, d))",
            )
        if not np.allclose(evecs.conj().T @ evecs, np.eye(evals.size), atol=1e-8):
            raise InvalidHamiltonianError("eigenvector matrix is not unitary", argument=argument,
                                          allowed="columns orthonormal to 1e-8")
        mat = (evecs * evals) @ evecs.conj().T
        scale = max(1.0, float(np.max(np.abs(evals))))
        levels, mult = _group_levels(evals, 1e-9 * scale)
        order = np.argsort(evals, kind="stable")
        h = HamiltonianData(evals.size, mat, None, levels, mult, evecs[:, order], evals[order])
    else:
        mat = _check_hermitian(_to_numpy(hamiltonian, argument), argument)
        evals, evecs = np.linalg.eigh(mat)
        scale = max(1.0, float(np.max(np.abs(evals))) if evals.size else 1.0)
        levels, mult = _group_levels(evals, 1e-9 * scale)
        h = HamiltonianData(mat.shape[0], mat, None, levels, mult, evecs, evals)
    if dim is not None and h.dimension != dim:
        raise DimensionMismatchError(
            f"Hamiltonian acts on dimension {h.dimension} but the state has dimension {dim}",
            argument=argument, allowed=f"a ({dim}, {dim}) Hamiltonian",
        )
    return h


def as_density_matrix(state, argument: str = "state") -> np.ndarray:
    """Validate a state vector or density matrix and return a Hermitian, unit-trace density matrix."""
    arr = _to_numpy(state, argument)
    if arr.ndim == 1 or (arr.ndim == 2 and 1 in arr.shape and arr.shape != (1, 1)):
        psi = arr.ravel()
        if psi.size == 0:
            raise InvalidStateError("is empty", argument=argument, allowed="non-empty state vector")
        norm = float(np.vdot(psi, psi).real)
        if abs(norm - 1.0) > STATE_ATOL * max(1, psi.size) ** 0.5 * 10:
            raise InvalidStateError(
                f"state vector has norm^2 {norm:.12g}", argument=argument, allowed="norm 1 within 1e-7"
            )
        return np.outer(psi, psi.conj())
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InvalidStateError(
            f"must be a state vector (d,) or a square density matrix (d, d), got shape {arr.shape}",
            argument=argument, allowed="shape (d,) or (d, d)",
        )
    if not np.allclose(arr, arr.conj().T, atol=STATE_ATOL, rtol=0):
        raise InvalidStateError("density matrix is not Hermitian", argument=argument,
                                allowed=f"|rho - rho^dagger| <= {STATE_ATOL:g}")
    tr = np.trace(arr)
    if abs(tr - 1.0) > 1e-7:
        raise InvalidStateError(f"density matrix has trace {tr.real:.12g}", argument=argument,
                                allowed="trace 1 within 1e-7")
    rho = 0.5 * (arr + arr.conj().T)
    lam_min = float(np.linalg.eigvalsh(rho)[0]) if rho.shape[0] <= 4096 else 0.0
    if lam_min < -NEGATIVITY_ATOL:
        raise InvalidStateError(f"density matrix has a negative eigenvalue {lam_min:.3g}", argument=argument,
                                allowed=f"eigenvalues >= -{NEGATIVITY_ATOL:g}")
    return rho


def state_and_hamiltonian(state, hamiltonian) -> tuple[np.ndarray, HamiltonianData]:
    """Validate a (state, Hamiltonian) pair acting on the same space."""
    rho = as_density_matrix(state)
    h = as_hamiltonian(hamiltonian, dim=rho.shape[0])
    return rho, h


def state_eigenvalues(rho: np.ndarray) -> np.ndarray:
    """Eigenvalues of a density matrix, clipped at 0 and renormalised (removes round-off)."""
    lam = np.clip(np.linalg.eigvalsh(rho), 0.0, None)
    return lam / lam.sum()


def check_positive_int(value, argument: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=f"integer >= {minimum}")
    return int(value)


def as_real(value, argument: str, allowed: str = "a real number") -> float:
    """``float(value)``, or :class:`InvalidArgumentError` naming ``argument`` and ``allowed`` (NaN/inf pass)."""
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=allowed) from exc


def check_finite_real(value, argument: str, *, minimum: float | None = None, strict: bool = False) -> float:
    x = as_real(value, argument)
    if not np.isfinite(x):
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a finite real number")
    if minimum is not None and (x < minimum or (strict and x == minimum)):
        op = ">" if strict else ">="
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed=f"a finite number {op} {minimum:g}")
    return x


def check_times(times, argument: str = "times", *, allow_single: bool = False) -> np.ndarray:
    """Validate a time grid: 1-D, finite, strictly increasing."""
    try:
        t = np.asarray(times, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError("cannot be read as real numbers", argument=argument,
                                   allowed="1-D array of times") from exc
    if t.ndim != 1 or t.size < (1 if allow_single else 2):
        raise InvalidTimesError(f"must be a 1-D array with at least {1 if allow_single else 2} times, "
                                f"got shape {t.shape}", argument=argument, allowed="1-D, strictly increasing")
    if not np.all(np.isfinite(t)):
        raise InvalidTimesError("contains NaN or inf", argument=argument, allowed="finite times")
    if np.any(np.diff(t) <= 0):
        k = int(np.flatnonzero(np.diff(t) <= 0)[0])
        raise InvalidTimesError(f"not strictly increasing at index {k + 1} ({t[k]!r} -> {t[k + 1]!r})",
                                argument=argument, allowed="strictly increasing times")
    return t
