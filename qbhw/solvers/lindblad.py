"""Markovian open-system dynamics: the GKSL (Lindblad) master equation, ħ = 1.

The density matrix of an open battery obeys (review Sec. V, Eq. 51; Gorini, Kossakowski and Sudarshan,
J. Math. Phys. 17, 821 (1976); Lindblad, Commun. Math. Phys. 48, 119 (1976))

    dρ/dt = 𝓛_t[ρ] = −i[H(t), ρ] + Σ_k ( L_k ρ L_k† − ½{L_k† L_k, ρ} ),

with the rates folded into the jump operators (``L_k = √γ_k A_k``; e.g. amplitude damping
``L = √(1/T1) b`` and pure dephasing ``L = √(2/Tφ) n̂``, see :func:`qbhw.models.local_decoherence`).
A time-dependent Hamiltonian is given as ``H(t) = H + Σ_k f_k(t) O_k`` by ``drives = [(O_k, f_k), …]``
(``O_k`` Hermitian, ``f_k(t)`` real).

Vectorisation: the superoperator of :func:`liouvillian` acts on the column-stacked
``vec(ρ)[i + d·j] = ρ[i, j]`` (``rho.reshape(-1, order="F")``), for which
``vec(AρB) = (Bᵀ ⊗ A) vec(ρ)``, so

    𝓛 = −i(1 ⊗ H − Hᵀ ⊗ 1) + Σ_k ( L_k* ⊗ L_k − ½ 1 ⊗ L_k†L_k − ½ (L_k†L_k)ᵀ ⊗ 1 ).

Propagation (:func:`evolve_lindblad`, :class:`LindbladPropagator`), with the initial state at ``t = 0``:

* time-independent generators are propagated exactly, ``vec ρ(t) = e^{𝓛t} vec ρ(0)``. Small problems
  (``d² ≤`` :data:`DENSE_LIMIT`) use the dense propagator ``P = e^{𝓛Δt}`` (``scipy.linalg.expm``, Padé
  scaling and squaring: Al-Mohy and Higham, SIAM J. Matrix Anal. Appl. 31, 970 (2009)) once per distinct
  step — on a uniform grid one matrix exponential, then ``vec ρ(t_{k+1}) = P vec ρ(t_k)``; larger ones
  ``scipy.sparse.linalg.expm_multiply`` (Al-Mohy and Higham, SIAM J. Sci. Comput. 33, 488 (2011);
  uniform grids in one call per block of times, other grids step by step). Both are accurate to
  round-off (the dense route accumulates about one rounding error per step: ~1e-13 after 10⁴ steps);
* time-dependent ones (non-empty ``drives``) are integrated by ``scipy.integrate.solve_ivp``
  (``DOP853``, tolerances ``rtol`` / ``atol`` on the entries of ``vec ρ``).

Every state is checked: ``|Tr ρ − 1| ≤ 1e-8`` and (for ``d ≤ 400``) smallest eigenvalue ``≥ −1e-8``;
``check="raise"`` raises :class:`~qbhw.errors.NonPhysicalStateError`, ``"warn"`` warns
(:class:`~qbhw.errors.NonPhysicalStateWarning`), ``"ignore"`` only records the worst values.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.integrate import solve_ivp

from ..models.open import drive_pair
from ..errors import (
    ConfigError,
    DimensionMismatchError,
    InvalidArgumentError,
    InvalidHamiltonianError,
    InvalidStateError,
    InvalidTimesError,
    NonPhysicalStateError,
    NonPhysicalStateWarning,
)
from ..metrics import check_times
from ..metrics._inputs import _to_numpy, as_density_matrix

__all__ = ["liouvillian", "evolve_lindblad", "LindbladEvolution", "LindbladPropagator", "dissipator",
           "lindblad_rate", "lindblad_adjoint", "expectation_weights", "TRACE_TOLERANCE", "POSITIVITY_TOLERANCE",
           "POSITIVITY_CHECK_LIMIT", "LINDBLAD_METHODS", "DENSE_LIMIT"]

#: largest tolerated |Tr ρ − 1| of a propagated state
TRACE_TOLERANCE = 1e-8
#: most negative tolerated eigenvalue of a propagated state
POSITIVITY_TOLERANCE = 1e-8
#: largest dimension d for which the positivity of every propagated state is checked (an eigen-decomposition each)
POSITIVITY_CHECK_LIMIT = 400
#: propagation routes of :func:`evolve_lindblad`
LINDBLAD_METHODS = ("auto", "expm", "dense", "ode")
#: largest d² (size of 𝓛) for which ``method="auto"`` uses dense matrix exponentials: at d² = 256 one dense
#: ``expm`` of 𝓛 costs about as much as ``expm_multiply`` over a 20-point grid, and it grows as d⁶
DENSE_LIMIT = 256
#: on a non-uniform grid ``"auto"`` stays dense while (distinct steps) × d² is at most this (one expm per step)
_DENSE_STEP_BUDGET = 4096
#: operators up to this dimension are validated on dense copies
_SMALL_OPERATOR = 64
#: relative difference below which two time steps share one dense propagator
_STEP_RTOL = 1e-12
#: states held at once by the block-wise routes (memory ≈ this × d² × 16 bytes)
_BLOCK_ELEMENTS = 2 ** 22


# ---- input validation ----------------------------------------------------------------------
def _as_operator(op, argument: str, dim: int | None, *, square_error=DimensionMismatchError) -> sp.csr_matrix:
    """A finite square (d, d) operator as a complex CSR matrix (dense, sparse or qiskit input)."""
    if sp.issparse(op):
        m = sp.csr_matrix(op, dtype=complex)
        if not np.all(np.isfinite(m.data)):
            raise InvalidArgumentError("contains NaN or inf", argument=argument, allowed="finite entries")
    else:
        arr = _to_numpy(op, argument)  # InvalidArgumentError for NaN / inf / unreadable input
        if arr.ndim != 2:
            raise square_error(f"must be a square matrix, got shape {arr.shape}", argument=argument,
                               allowed="shape (d, d)" if dim is None else f"shape ({dim}, {dim})")
        m = sp.csr_matrix(arr)
    if m.shape[0] != m.shape[1]:
        raise square_error(f"must be a square matrix, got shape {m.shape}", argument=argument,
                           allowed="shape (d, d)" if dim is None else f"shape ({dim}, {dim})")
    if dim is not None and m.shape[0] != dim:
        raise DimensionMismatchError(f"has shape {m.shape} but the Hamiltonian has dimension {dim}",
                                     argument=argument, allowed=f"shape ({dim}, {dim})")
    return m


def _check_hermitian(m: sp.csr_matrix, argument: str) -> sp.csr_matrix:
    if m.shape[0] <= _SMALL_OPERATOR:  # the same test on a dense copy (sparse-matrix overheads dominate)
        a = m.toarray()
        scale = max(1.0, float(np.abs(a).max()) if a.size else 1.0)
        dev = float(np.abs(a - a.conj().T).max()) if a.size else 0.0
    else:
        scale = max(1.0, float(abs(m).max()) if m.nnz else 1.0)
        dev = abs(m - m.conj().T)
        dev = float(dev.max()) if dev.nnz else 0.0
    if dev > 1e-8 * scale:
        raise InvalidHamiltonianError(f"is not Hermitian (max |O - O^dagger| = {dev:.3g})", argument=argument,
                                      allowed="a Hermitian matrix (|O - O^dagger| <= 1e-8 max|O|)")
    if m.shape[0] <= _SMALL_OPERATOR:
        return sp.csr_matrix(0.5 * (a + a.conj().T))
    return ((m + m.conj().T) * 0.5).tocsr()


def _check_hamiltonian(hamiltonian, argument: str = "hamiltonian") -> sp.csr_matrix:
    h = _as_operator(hamiltonian, argument, None, square_error=InvalidHamiltonianError)
    return _check_hermitian(h, argument)


def _check_sequence(items, argument: str) -> list:
    if items is None:
        return []
    if sp.issparse(items) or (isinstance(items, np.ndarray) and items.ndim == 2):
        raise InvalidArgumentError("got a single matrix", argument=argument,
                                   allowed="a sequence of (d, d) operators, e.g. [L]")
    try:
        return list(items)
    except TypeError as exc:
        raise InvalidArgumentError(f"is not a sequence ({type(items).__name__})", argument=argument,
                                   allowed="a sequence of (d, d) operators") from exc


def _check_operators(ops, dim: int, argument: str) -> list[sp.csr_matrix]:
    return [_as_operator(op, f"{argument}[{k}]", dim) for k, op in enumerate(_check_sequence(ops, argument))]


def _check_drives(drives, dim: int, argument: str = "drives") -> list[tuple[sp.csr_matrix, object]]:
    out = []
    for k, item in enumerate(_check_sequence(drives, argument)):
        name = f"{argument}[{k}]"
        op, f = drive_pair(item, name)
        out.append((_check_hermitian(_as_operator(op, name, dim), name), f))
    return out


def _drive_value(f, t: float, k: int) -> float:
    v = np.asarray(f(t))
    if v.shape != () or not np.issubdtype(v.dtype, np.number):
        raise InvalidArgumentError(f"f({t:g}) is not a real number ({v!r})", argument=f"drives[{k}]",
                                   allowed="f(t) returning a finite real number")
    if np.iscomplexobj(v):
        if v.imag != 0:
            raise InvalidArgumentError(f"f({t:g}) = {complex(v)!r} is complex", argument=f"drives[{k}]",
                                       allowed="f(t) returning a finite real number (H(t) must be Hermitian)")
        v = v.real
    x = float(v)
    if not np.isfinite(x):
        raise InvalidArgumentError(f"f({t:g}) = {x!r}", argument=f"drives[{k}]",
                                   allowed="f(t) returning a finite real number")
    return x


def _check_mode(check) -> str:
    if check is True:
        return "raise"
    if check is False or check is None:
        return "ignore"
    if check in ("raise", "warn", "ignore"):
        return check
    raise ConfigError(f"got {check!r}", argument="check", allowed="True | False | 'raise' | 'warn' | 'ignore'")


def _check_tolerance(value, argument: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a finite number > 0") from exc
    if not np.isfinite(x) or x <= 0:
        raise InvalidArgumentError(f"got {value!r}", argument=argument, allowed="a finite number > 0")
    return x


# ---- generators -----------------------------------------------------------------------------
def _commutator_super(h: sp.csr_matrix) -> sp.csr_matrix:
    """Superoperator of ρ ↦ −i[h, ρ] on column-stacked vec(ρ)."""
    eye = sp.identity(h.shape[0], dtype=complex, format="csr")
    return (-1j * (sp.kron(eye, h, format="csr") - sp.kron(h.T, eye, format="csr"))).tocsr()


def _liouvillian(h: sp.csr_matrix, ops: Sequence[sp.csr_matrix]) -> sp.csr_matrix:
    d = h.shape[0]
    if d * d <= DENSE_LIMIT:  # small: dense Kronecker products, then sparse (same matrix, fewer overheads)
        out = sp.csr_matrix(_dense_liouvillian(h, ops))
        out.sum_duplicates()
        return out
    eye = sp.identity(d, dtype=complex, format="csr")
    out = _commutator_super(h)
    for c in ops:
        cdc = (c.conj().T @ c).tocsr()
        out = out + sp.kron(c.conj(), c, format="csr") - 0.5 * sp.kron(eye, cdc, format="csr") \
            - 0.5 * sp.kron(cdc.T, eye, format="csr")
    out = out.tocsr()
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


def _dense_liouvillian(h: sp.csr_matrix, ops: Sequence[sp.csr_matrix]) -> np.ndarray:
    """:func:`_liouvillian` as a dense array, built with dense Kronecker products (small ``d`` only)."""
    d = h.shape[0]
    eye = np.eye(d, dtype=complex)
    hd = h.toarray()
    out = -1j * (np.kron(eye, hd) - np.kron(hd.T, eye))
    for c in ops:
        cd = c.toarray()
        cdc = cd.conj().T @ cd
        out += np.kron(cd.conj(), cd) - 0.5 * np.kron(eye, cdc) - 0.5 * np.kron(cdc.T, eye)
    return out


def _apply(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``p @ y`` without BLAS (see :meth:`LindbladPropagator._dense`)."""
    return np.einsum("ij,j->i", p, y)


def _step_groups(steps: np.ndarray) -> np.ndarray:
    """Index of a representative for each step: steps within ``_STEP_RTOL`` (relative) share one propagator."""
    order = np.argsort(steps, kind="stable")
    rep = np.empty(steps.size, dtype=int)
    first = -1
    for i in order:
        if first < 0 or steps[i] - steps[first] > _STEP_RTOL * steps[first]:
            first = i
        rep[i] = first
    return rep


def liouvillian(hamiltonian, jump_operators=()) -> sp.csr_matrix:
    """The GKSL generator 𝓛 of review Eq. (51) as a sparse ``d² × d²`` matrix on column-stacked ``vec(ρ)``.

    ``𝓛 vec(ρ) = vec(−i[H, ρ] + Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ}))``, ``vec(ρ)[i + d·j] = ρ[i, j]``
    (``rho.reshape(-1, order="F")``).

    Parameters
    ----------
    hamiltonian:
        Hermitian ``(d, d)`` matrix (dense or sparse), in energy units (ħ = 1).
    jump_operators:
        Sequence of ``(d, d)`` operators ``L_k = √γ_k A_k`` (rates folded in, units √energy).
    """
    h = _check_hamiltonian(hamiltonian)
    ops = _check_operators(jump_operators, h.shape[0], "jump_operators")
    return _liouvillian(h, ops)


def _right(rho: np.ndarray, op) -> np.ndarray:
    """``ρ·op`` for a dense ``ρ`` and a dense or sparse ``op``."""
    return np.asarray(op.T @ rho.T).T


def _dissipator_of(ops: Sequence[sp.csr_matrix], rho: np.ndarray) -> np.ndarray:
    out = np.zeros(rho.shape, dtype=complex)
    for c in ops:
        c_rho = np.asarray(c @ rho)
        cdc = (c.conj().T @ c).tocsr()
        out += _right(c_rho, c.conj().T) - 0.5 * (np.asarray(cdc @ rho) + _right(rho, cdc))
    return out


def _as_rho(rho, dim: int | None, argument: str = "rho") -> np.ndarray:
    arr = _to_numpy(rho, argument)
    if arr.ndim == 1:
        arr = np.outer(arr, arr.conj())
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise DimensionMismatchError(f"must be a state vector or a square matrix, got shape {arr.shape}",
                                     argument=argument, allowed="shape (d,) or (d, d)")
    if dim is not None and arr.shape[0] != dim:
        raise DimensionMismatchError(f"has dimension {arr.shape[0]} but the operators have dimension {dim}",
                                     argument=argument, allowed=f"dimension {dim}")
    return arr


def _single_or_sequence(jump_operators, argument: str) -> list:
    if sp.issparse(jump_operators) or (isinstance(jump_operators, np.ndarray) and jump_operators.ndim == 2):
        return [jump_operators]
    return _check_sequence(jump_operators, argument)


def dissipator(jump_operators, rho) -> np.ndarray:
    """``𝓓[ρ] = Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ})`` (review Eq. 51, rates folded into ``L_k``).

    ``jump_operators``: one ``(d, d)`` operator (numpy array or sparse matrix) or a sequence of them;
    ``rho``: state vector or ``(d, d)`` matrix (any matrix: the map is linear). Returns a dense ``(d, d)`` array.
    """
    items = _single_or_sequence(jump_operators, "jump_operators")
    first = _as_rho(rho, None)
    ops = [_as_operator(op, f"jump_operators[{k}]", first.shape[0]) for k, op in enumerate(items)]
    return _dissipator_of(ops, first)


def _hamiltonian_at(h: sp.csr_matrix, drives, t: float | None) -> sp.csr_matrix:
    if not drives:
        return h
    if t is None:
        raise InvalidArgumentError("is needed with drives", argument="t", allowed="a finite time")
    out = h
    for k, (op, f) in enumerate(drives):
        out = out + _drive_value(f, float(t), k) * op
    return out.tocsr()


def lindblad_rate(hamiltonian, jump_operators, rho, *, drives=(), t: float | None = None) -> np.ndarray:
    """``dρ/dt = 𝓛_t[ρ] = −i[H(t), ρ] + 𝓓[ρ]`` as a dense ``(d, d)`` matrix (review Eq. 51).

    ``H(t) = hamiltonian + Σ_k f_k(t) O_k`` for ``drives = [(O_k, f_k), …]`` (then ``t`` is required).
    The rate of change of an observable is ``Tr[O 𝓛_t[ρ]]``: with ``O = H_B`` the instantaneous
    power of an open battery, with ``O`` the dissipator part alone the leakage ``Tr[H_B 𝓓[ρ]]``
    of review Eq. (54).
    """
    h = _check_hamiltonian(hamiltonian)
    d = h.shape[0]
    ops = _check_operators(jump_operators, d, "jump_operators")
    dr = _check_drives(drives, d)
    r = _as_rho(rho, d)
    ht = _hamiltonian_at(h, dr, t)
    return -1j * (np.asarray(ht @ r) - _right(r, ht)) + _dissipator_of(ops, r)


def _adjoint_terms(h, ops, x):
    """``i[h, x] + Σ_k (c_k† x c_k − ½{c_k†c_k, x})`` for dense arrays or sparse matrices (either, not mixed)."""
    out = 1j * (h @ x - x @ h)
    for c in ops:
        cd = c.conj().T
        cdc = cd @ c
        out = out + cd @ x @ c - 0.5 * (cdc @ x + x @ cdc)
    return out


def _adjoint_of(h: sp.csr_matrix, ops: Sequence[sp.csr_matrix], x: sp.csr_matrix) -> sp.csr_matrix:
    if h.shape[0] <= _SMALL_OPERATOR:  # same products on dense copies (sparse-matrix overheads dominate)
        return sp.csr_matrix(_adjoint_terms(h.toarray(), [c.toarray() for c in ops], x.toarray()))
    return sp.csr_matrix(_adjoint_terms(h, ops, x))


def lindblad_adjoint(hamiltonian, jump_operators, observable) -> sp.csr_matrix:
    """Heisenberg-picture generator ``𝓛†[O] = i[H, O] + Σ_k (L_k† O L_k − ½{L_k†L_k, O})``.

    ``Tr[O 𝓛[ρ]] = Tr[𝓛†[O] ρ]``, so ``⟨𝓛†[H_B]⟩`` is the instantaneous power of an open battery
    (review Eqs. 10 and 51) evaluated as one expectation value. Returns a sparse ``(d, d)`` matrix.
    """
    h = _check_hamiltonian(hamiltonian)
    d = h.shape[0]
    ops = _check_operators(jump_operators, d, "jump_operators")
    x = _as_operator(observable, "observable", d)
    return _adjoint_of(h, ops, x)


# ---- propagation ----------------------------------------------------------------------------
def _uniform(t: np.ndarray) -> bool:
    dt = np.diff(t)
    return t.size > 2 and bool(np.allclose(dt, dt[0], rtol=1e-10, atol=0))


@dataclass
class LindbladEvolution:
    """Result of :func:`evolve_lindblad`.

    ``times``: the time grid; ``states``: dense ``(d, d)`` density matrices ``ρ(t_k)`` (``None`` with
    ``store_states=False``); ``expect``: one array per ``e_op`` with ``Tr[O ρ(t_k)]`` (real for
    Hermitian ``O``, complex otherwise); ``trace_deviation``: ``max_k |Tr ρ(t_k) − 1|``;
    ``min_eigenvalue``: smallest eigenvalue of any ``ρ(t_k)`` (``None`` above dimension
    :data:`POSITIVITY_CHECK_LIMIT`); ``method``: ``"dense_expm"`` or ``"expm_multiply"`` (exact) or ``"ode"``.
    """

    times: np.ndarray
    states: list[np.ndarray] | None
    expect: list[np.ndarray]
    trace_deviation: float
    min_eigenvalue: float | None
    method: str


class LindbladPropagator:
    """Validated GKSL problem whose :meth:`states` yields ``ρ(t_k)`` one time at a time (low memory).

    Arguments as :func:`evolve_lindblad`. After (or during) iteration, ``trace_deviation`` and
    ``min_eigenvalue`` hold the worst values met so far (``last_trace_deviation`` and
    ``last_min_eigenvalue`` those of the latest state); ``method`` names the route taken (``"dense_expm"``,
    ``"expm_multiply"`` or ``"ode"``); ``generator`` is the time-independent part of 𝓛 (:func:`liouvillian`,
    built when first used).
    """

    def __init__(self, hamiltonian, rho0, times, jump_operators=(), *, drives=(), rtol: float = 1e-9,
                 atol: float = 1e-11, check=True, method: str = "auto"):
        self.hamiltonian = _check_hamiltonian(hamiltonian)
        d = self.dimension = self.hamiltonian.shape[0]
        self.jump_operators = _check_operators(jump_operators, d, "jump_operators")
        self.drives = _check_drives(drives, d)
        arr = _to_numpy(rho0, "rho0")
        if arr.ndim not in (1, 2):
            raise InvalidStateError(f"must be a state vector or a density matrix, got shape {arr.shape}",
                                    argument="rho0", allowed=f"shape ({d},) or ({d}, {d})")
        if arr.shape[0] != d or (arr.ndim == 2 and arr.shape != (d, d)):
            raise DimensionMismatchError(f"has shape {arr.shape} but the Hamiltonian has dimension {d}",
                                         argument="rho0", allowed=f"shape ({d},) or ({d}, {d})")
        self.rho0 = as_density_matrix(arr, "rho0")  # InvalidStateError: norm, trace, Hermiticity, positivity
        self.times = check_times(times, allow_single=True)
        if self.times[0] < 0:
            raise InvalidTimesError(f"starts at {self.times[0]!r} < 0 (the initial state is at t = 0)",
                                    argument="times", allowed="times >= 0, strictly increasing")
        self.rtol = _check_tolerance(rtol, "rtol")
        self.atol = _check_tolerance(atol, "atol")
        self.check = _check_mode(check)
        if method not in LINDBLAD_METHODS:
            raise ConfigError(f"unknown method {method!r}", argument="method", allowed=" | ".join(LINDBLAD_METHODS))
        for k, (_, f) in enumerate(self.drives):  # fail early on a bad coefficient function
            _drive_value(f, float(self.times[0]), k)
            _drive_value(f, float(self.times[-1]), k)
        if method in ("expm", "dense") and self.drives:
            raise ConfigError("the exact propagator needs a time-independent generator", argument="method",
                              allowed="'auto' or 'ode' with drives")
        if method == "auto":
            method = "ode" if self.drives else ("dense" if self._dense_pays() else "expm")
        self.method = {"expm": "expm_multiply", "dense": "dense_expm"}.get(method, method)
        self._generator = None
        self.trace_deviation = 0.0
        self.min_eigenvalue = None if d > POSITIVITY_CHECK_LIMIT else float("inf")
        self.last_trace_deviation = 0.0
        self.last_min_eigenvalue = None
        self._warned = False

    @property
    def generator(self) -> sp.csr_matrix:
        """The time-independent GKSL generator 𝓛 (:func:`liouvillian`), sparse ``d² × d²``."""
        if self._generator is None:
            self._generator = _liouvillian(self.hamiltonian, self.jump_operators)
        return self._generator

    def _dense_pays(self) -> bool:
        """Whether ``"auto"`` takes the dense route: ``d² ≤ DENSE_LIMIT`` and, off a uniform grid, few distinct
        steps (one ``expm`` each)."""
        d2 = self.dimension ** 2
        if d2 > DENSE_LIMIT:
            return False
        t = self.times
        if _uniform(t):
            return True
        steps = np.diff(t, prepend=0.0)
        return np.unique(_step_groups(steps)).size * d2 <= _DENSE_STEP_BUDGET

    # -- checks --
    def _inspect(self, t: float, rho: np.ndarray) -> np.ndarray:
        rho = 0.5 * (rho + rho.conj().T)
        dev = abs(complex(np.trace(rho)) - 1.0)
        self.last_trace_deviation = dev
        self.trace_deviation = max(self.trace_deviation, dev)
        problems = []
        if dev > TRACE_TOLERANCE:
            problems.append(f"|Tr rho - 1| = {dev:.3g} > {TRACE_TOLERANCE:g}")
        if self.min_eigenvalue is not None:
            lam = float(np.linalg.eigvalsh(rho)[0])
            self.last_min_eigenvalue = lam
            self.min_eigenvalue = min(self.min_eigenvalue, lam)
            if lam < -POSITIVITY_TOLERANCE:
                problems.append(f"smallest eigenvalue {lam:.3g} < -{POSITIVITY_TOLERANCE:g}")
        if problems and self.check != "ignore":
            msg = (f"the state at t = {t:g} is not physical ({'; '.join(problems)}); tighten rtol/atol or "
                   "check that the jump operators and drives are what you meant")
            if self.check == "raise":
                raise NonPhysicalStateError(msg, argument="check",
                                            allowed="'warn' or 'ignore' to continue with this state")
            if not self._warned:
                warnings.warn(msg, NonPhysicalStateWarning, stacklevel=4)
                self._warned = True
        return rho

    def states(self) -> Iterator[np.ndarray]:
        """Yield the dense, Hermitian ``(d, d)`` density matrix ``ρ(t_k)`` for each ``t_k`` in ``times``."""
        d = self.dimension
        for t, y in zip(self.times, self._vectors()):
            yield self._inspect(float(t), y.reshape(d, d, order="F"))

    # -- routes --
    def _vectors(self) -> Iterator[np.ndarray]:
        y0 = self.rho0.reshape(-1, order="F").astype(complex)
        if self.method == "dense_expm":
            yield from self._dense(y0)
        elif self.method == "expm_multiply":
            yield from self._expm_multiply(y0)
        else:
            yield from self._ode(y0)

    def _dense(self, y0: np.ndarray) -> Iterator[np.ndarray]:
        """Dense propagators ``e^{𝓛Δt}`` (``scipy.linalg.expm``), one per distinct step; on a uniform grid
        (as :meth:`_expm_multiply`: the times ``t_0 + kΔt``) one for all steps.

        The steps ``P @ y`` are ``numpy.einsum`` products, not BLAS: on matrices this small a multi-threaded
        BLAS matrix-vector product only pays thread start-up, which costs milliseconds per product when
        the cores are shared (several processes, each with its own BLAS threads)."""
        a = _dense_liouvillian(self.hamiltonian, self.jump_operators)
        t = self.times
        if _uniform(t):
            h = float(t[-1] - t[0]) / (t.size - 1)
            p = sla.expm(a * h)
            if t[0] == 0:
                y = y0
            elif abs(float(t[0]) - h) <= _STEP_RTOL * h:
                y = _apply(p, y0)
            else:
                y = _apply(sla.expm(a * float(t[0])), y0)
            yield y
            for _ in range(1, t.size):
                y = _apply(p, y)
                yield y
            return
        steps = np.diff(t, prepend=0.0)
        rep = _step_groups(steps)
        props: dict[int, np.ndarray] = {}
        y = y0
        for k in range(t.size):
            if steps[k] > 0:  # steps[0] = t_0 = 0: the initial state itself
                r = int(rep[k])
                if r not in props:
                    props[r] = sla.expm(a * float(steps[r]))
                y = _apply(props[r], y)
            yield y

    def _expm_multiply(self, y0: np.ndarray) -> Iterator[np.ndarray]:
        a = self.generator
        t = self.times
        y = spla.expm_multiply(a * float(t[0]), y0) if t[0] != 0 else y0
        if not _uniform(t):
            yield y
            for k in range(1, t.size):
                y = spla.expm_multiply(a * float(t[k] - t[k - 1]), y)
                yield y
            return
        chunk = max(2, _BLOCK_ELEMENTS // y0.size)
        start = 0
        while start < t.size:
            stop = min(start + chunk, t.size)
            if stop - start == 1:
                block = y[None, :]
            else:
                block = spla.expm_multiply(a, y, start=0.0, stop=float(t[stop - 1] - t[start]),
                                           num=stop - start, endpoint=True)
            yield from block
            y = block[-1]
            if stop < t.size:
                y = spla.expm_multiply(a * float(t[stop] - t[stop - 1]), y)
            start = stop

    def _ode(self, y0: np.ndarray) -> Iterator[np.ndarray]:
        gen = self.generator
        supers = [_commutator_super(op) for op, _ in self.drives]
        funcs = [f for _, f in self.drives]

        def rhs(time, y):
            out = gen @ y
            for k, (s, f) in enumerate(zip(supers, funcs)):
                out += _drive_value(f, time, k) * (s @ y)
            return out

        t = self.times
        chunk = max(1, _BLOCK_ELEMENTS // y0.size)
        y = y0
        t_now = 0.0
        start = 0
        while start < t.size:
            stop = min(start + chunk, t.size)
            seg = t[start:stop]
            if seg[-1] == t_now:  # only the initial time
                yield from (y for _ in seg)
            else:
                sol = solve_ivp(rhs, (t_now, float(seg[-1])), y, method="DOP853", t_eval=seg,
                                rtol=self.rtol, atol=self.atol)
                if not sol.success:
                    raise NonPhysicalStateError(f"the ODE solver failed: {sol.message}", argument="rtol",
                                                allowed="looser tolerances or a shorter time window")
                yield from sol.y.T
                y = sol.y[:, -1]
                t_now = float(seg[-1])
            start = stop


def _is_hermitian(op: sp.csr_matrix) -> bool:
    dev = abs(op - op.conj().T)
    return not dev.nnz or float(dev.max()) <= 1e-12 * max(1.0, float(abs(op).max()))


def expectation_weights(operators: Sequence, dim: int) -> sp.csr_matrix:
    """Rows ``w_i`` with ``w_i · vec(ρ) = Tr[O_i ρ]`` for column-stacked ``vec(ρ)``.

    ``Tr[O ρ] = Σ_ij O[j, i] ρ[i, j]`` is the row-major ravel of ``O`` dotted with ``vec(ρ)``.
    """
    ops = [_as_operator(op, f"operators[{k}]", dim) for k, op in enumerate(operators)]
    return sp.vstack([op.reshape((1, dim * dim)) for op in ops], format="csr")


def evolve_lindblad(hamiltonian, rho0, times, jump_operators=(), *, drives=(), e_ops=None,
                    store_states: bool = True, rtol: float = 1e-9, atol: float = 1e-11, check=True,
                    method: str = "auto") -> LindbladEvolution:
    """Solve the GKSL master equation (review Sec. V, Eq. 51) from ``ρ(0) = rho0`` on ``times``.

    ``dρ/dt = −i[H(t), ρ] + Σ_k (L_k ρ L_k† − ½{L_k†L_k, ρ})``, ``H(t) = hamiltonian + Σ_k f_k(t) O_k``.

    Parameters
    ----------
    hamiltonian:
        Hermitian ``(d, d)`` matrix (dense or sparse), energy units (ħ = 1).
    rho0:
        Initial state at ``t = 0``: state vector ``(d,)`` or density matrix ``(d, d)``.
    times:
        Strictly increasing times ``≥ 0`` (may start after 0).
    jump_operators:
        Sequence of ``(d, d)`` operators ``L_k = √γ_k A_k`` (rates folded in).
    drives:
        Sequence of ``(O_k, f_k)``: Hermitian ``(d, d)`` operators and real functions ``f_k(t)``.
    e_ops:
        Sequence of ``(d, d)`` operators; ``expect[i][k] = Tr[O_i ρ(t_k)]``.
    store_states:
        Keep every ``ρ(t_k)`` (``d² × len(times)`` complex numbers); ``False`` keeps only ``expect``.
    rtol, atol:
        Tolerances of the ODE route (time-dependent problems, or ``method="ode"``); the exact routes
        are accurate to round-off.
    check:
        ``True``/``"raise"``, ``"warn"``, ``False``/``"ignore"``: what to do with a state whose trace
        deviates from 1 by more than 1e-8 or (``d ≤ 400``) has an eigenvalue below −1e-8
        (:class:`~qbhw.errors.NonPhysicalStateError`).
    method:
        ``"auto"`` (exact for time-independent problems — dense propagators when ``d² ≤`` :data:`DENSE_LIMIT`
        and the grid has few distinct steps, ``expm_multiply`` otherwise — ODE with drives), ``"expm"``
        (exact by ``expm_multiply``; no drives), ``"dense"`` (exact by dense ``expm``, any size; no drives)
        or ``"ode"`` (``solve_ivp`` DOP853 always).
    """
    prop = LindbladPropagator(hamiltonian, rho0, times, jump_operators, drives=drives, rtol=rtol, atol=atol,
                              check=check, method=method)
    d = prop.dimension
    ops = _check_operators(e_ops, d, "e_ops")
    hermitian = [_is_hermitian(op) for op in ops]
    weights = expectation_weights(ops, d) if ops else None
    states = [] if store_states else None
    values = []
    for rho in prop.states():
        if states is not None:
            states.append(rho)
        if weights is not None:
            values.append(weights @ rho.reshape(-1, order="F"))
    expect = []
    if weights is not None:
        arr = np.array(values)
        for i, herm in enumerate(hermitian):
            expect.append(arr[:, i].real.copy() if herm else arr[:, i].copy())
    return LindbladEvolution(times=prop.times, states=states, expect=expect,
                             trace_deviation=float(prop.trace_deviation), min_eigenvalue=prop.min_eigenvalue,
                             method=prop.method)
