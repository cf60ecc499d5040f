"""Closed-system (Schrödinger) propagation of time-independent Hamiltonians, ħ = 1.

``|ψ(t)⟩ = e^{−iHt}|ψ(0)⟩`` (review Eq. 2 with a constant generator during charging).
Exact routes (``"auto"`` chooses between the first two by size):

* ``"eigh"`` — dense diagonalisation ``H = V diag(ε) V†`` then
  ``ψ(t) = V e^{−iεt} V†ψ(0)``: exact to round-off, all times at once (dimension up to
  a few thousand);
* ``"expm_multiply"`` — scipy's truncated-Taylor action of the sparse matrix
  exponential, stepping through the grid (uniform grids use one call with
  ``start/stop/num``); for large sparse reduced spaces;
* ``"chebyshev"`` — Chebyshev–Bessel series with Gershgorin spectral bounds
  (:mod:`qbhw.solvers.chebyshev`), state vectors only (density matrices fall back to
  ``"expm_multiply"``); usually several times faster than ``"expm_multiply"``.

States are yielded one time at a time (:func:`propagate`), or in blocks of at most ``chunk``
times (:func:`propagate_blocks`, for observables evaluated with one matrix product per block),
so that observables of large spaces never need ``len(times) × dim`` memory. ``dense_limit``
sets where ``"auto"`` switches from ``"eigh"`` to ``"expm_multiply"`` (default
:data:`DENSE_LIMIT`; the direct-charging qubit solver uses 512).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import ConfigError, DimensionMismatchError
from ..metrics import check_times
from .chebyshev import chebyshev_propagate

__all__ = ["propagate", "propagate_blocks", "evolve", "METHODS", "DENSE_LIMIT"]

METHODS = ("auto", "eigh", "expm_multiply", "chebyshev")
#: largest dimension for which "auto" uses dense diagonalisation
DENSE_LIMIT = 2500


def _as_operator(h):
    if sp.issparse(h):
        return sp.csr_matrix(h, dtype=complex)
    return np.asarray(h, dtype=complex)


def _choose(method: str, dim: int, dense_limit: int = DENSE_LIMIT) -> str:
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}", argument="method", allowed=" | ".join(METHODS))
    if method == "auto":
        return "eigh" if dim <= dense_limit else "expm_multiply"
    return method


def propagate(hamiltonian, psi0, times, *, method: str = "auto", chunk: int = 256,
              dense_limit: int = DENSE_LIMIT) -> Iterator[np.ndarray]:
    """Yield ``e^{−iH(t − t_0)}ψ_0`` for each ``t`` in ``times`` (``t_0 = 0``).

    ``psi0`` may be a state vector or a density matrix (then ``ρ(t) = Uρ_0U†`` is yielded).
    ``method="auto"`` diagonalises densely up to dimension ``dense_limit``.
    """
    for _, block in propagate_blocks(hamiltonian, psi0, times, method=method, chunk=chunk,
                                     dense_limit=dense_limit):
        yield from block


def propagate_blocks(hamiltonian, psi0, times, *, method: str = "auto", chunk: int = 256,
                     dense_limit: int = DENSE_LIMIT) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, states)`` with ``states[i] = ψ(times[start + i])`` (the same states as
    :func:`propagate`, in blocks of at most ``chunk`` times, so that observables of many times
    can be evaluated with one matrix product; routes that step one time at a time yield blocks
    of one state).
    """
    t = check_times(times, allow_single=True)
    h = _as_operator(hamiltonian)
    dim = h.shape[0]
    psi0 = np.asarray(psi0, dtype=complex)
    if psi0.shape[0] != dim:
        raise DimensionMismatchError(f"state has dimension {psi0.shape[0]}, Hamiltonian {dim}",
                                     argument="psi0", allowed=f"dimension {dim}")
    is_dm = psi0.ndim == 2
    m = _choose(method, dim, dense_limit)
    if m == "chebyshev" and not is_dm:
        for k, psi in enumerate(chebyshev_propagate(h, psi0, t)):
            yield k, psi[None, :]
        return
    if m == "chebyshev":
        m = "expm_multiply"
    if m == "eigh":
        dense = h.toarray() if sp.issparse(h) else h
        evals, vecs = np.linalg.eigh(dense)
        c0 = vecs.conj().T @ psi0
        if is_dm:
            c0 = c0 @ vecs
        for start in range(0, t.size, chunk):
            tt = t[start:start + chunk]
            phases = np.exp(-1j * np.outer(tt, evals))
            if is_dm:
                for k, ph in enumerate(phases):
                    yield start + k, (vecs @ ((ph[:, None] * c0 * ph.conj()[None, :]) @ vecs.conj().T))[None]
            else:
                yield start, (phases * c0[None, :]) @ vecs.T
        return
    # expm_multiply: -iH applied as a sparse operator
    a = (-1j) * (h if sp.issparse(h) else sp.csr_matrix(h))
    if is_dm:
        # rho(t) = U (U rho_prev)^dagger with U = exp(-iH dt), stepping through the grid
        rho = psi0
        prev = 0.0
        for k, tk in enumerate(t):
            if tk != prev:
                x = spla.expm_multiply(a * (tk - prev), rho)
                rho = spla.expm_multiply(a * (tk - prev), x.conj().T)
                prev = tk
            yield k, rho[None]
        return
    dt = np.diff(t)
    uniform = t.size > 2 and np.allclose(dt, dt[0], rtol=1e-10, atol=0)
    if uniform:
        # first jump to t[0], then one call for the uniform grid in chunks (memory)
        psi = spla.expm_multiply(a * t[0], psi0) if t[0] != 0 else psi0
        start = 0
        while start < t.size:
            stop = min(start + chunk, t.size)
            span = t[stop - 1] - t[start]
            if stop - start == 1:
                block = psi[None, :]
            else:
                block = spla.expm_multiply(a, psi, start=0.0, stop=span, num=stop - start, endpoint=True)
            yield start, block
            psi = block[-1]
            if stop < t.size:
                psi = spla.expm_multiply(a * (t[stop] - t[stop - 1]), psi)
            start = stop
        return
    psi = psi0
    prev = 0.0
    for k, tk in enumerate(t):
        if tk != prev:
            psi = spla.expm_multiply(a * (tk - prev), psi)
            prev = tk
        yield k, psi[None, :]


def evolve(hamiltonian, psi0, times, *, method: str = "auto") -> np.ndarray:
    """All states ``ψ(t_k)`` stacked in an array of shape ``(len(times), dim)`` (small systems)."""
    return np.array(list(propagate(hamiltonian, psi0, times, method=method)))
